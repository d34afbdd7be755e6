//! The registry of event types: which types exist, the schema version each is written at
//! today, and the upcasters that lift older payloads to it on read.
//!
//! Historical events are never rewritten in storage; readers call [`EventRegistry::upcast`]
//! and see every event at the current version of its type. An event newer than this build
//! knows is refused rather than misread.

use std::collections::BTreeMap;

use crate::event::{EventError, EventType, NewEvent, RecordedEvent};

/// Converts a payload of schema version `n` into version `n + 1`.
///
/// A plain function pointer: upcasters are pure and stateless.
pub type Upcaster = fn(serde_json::Value) -> Result<serde_json::Value, String>;

#[derive(Debug, Clone)]
struct TypeSpec {
    current: u32,
    /// `upcasters[i]` lifts version `i + 1` to `i + 2`.
    upcasters: Vec<Upcaster>,
}

/// Known event types with their current schema version and upcasters.
#[derive(Debug, Clone, Default)]
pub struct EventRegistry {
    types: BTreeMap<EventType, TypeSpec>,
}

impl EventRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `event_type`, written today at version `upcasters.len() + 1`;
    /// `upcasters[i]` lifts version `i + 1` to `i + 2`. Registering a type twice replaces it.
    pub fn register(
        &mut self,
        event_type: &str,
        upcasters: &[Upcaster],
    ) -> Result<&mut Self, EventError> {
        let ty = EventType::new(event_type)?;
        let current = u32::try_from(upcasters.len() + 1)
            .map_err(|_| EventError::InvalidSchemaVersion(event_type.to_owned()))?;
        self.types.insert(
            ty,
            TypeSpec {
                current,
                upcasters: upcasters.to_vec(),
            },
        );
        Ok(self)
    }

    /// The current schema version of `event_type`, if registered.
    pub fn current_version(&self, event_type: &str) -> Option<u32> {
        EventType::new(event_type)
            .ok()
            .and_then(|t| self.types.get(&t))
            .map(|s| s.current)
    }

    /// All registered types, in name order.
    pub fn event_types(&self) -> impl Iterator<Item = &EventType> {
        self.types.keys()
    }

    /// Checks a new event before it is appended: its type is registered and it is written
    /// at the current schema version.
    pub fn validate_new(&self, event: &NewEvent) -> Result<(), EventError> {
        let ty = event.event_type();
        let spec = self
            .types
            .get(ty)
            .ok_or_else(|| EventError::UnknownEventType(ty.to_string()))?;
        if event.schema_version() != spec.current {
            return Err(EventError::NotCurrentSchemaVersion {
                event_type: ty.to_string(),
                found: event.schema_version(),
                current: spec.current,
            });
        }
        Ok(())
    }

    /// Lifts a payload of `(event_type, schema_version)` to the current version.
    ///
    /// Returns the current version and the lifted payload. Refuses unknown types and
    /// versions newer than the current one.
    pub fn upcast_payload(
        &self,
        event_type: &EventType,
        schema_version: u32,
        mut payload: serde_json::Value,
    ) -> Result<(u32, serde_json::Value), EventError> {
        let spec = self
            .types
            .get(event_type)
            .ok_or_else(|| EventError::UnknownEventType(event_type.to_string()))?;
        if schema_version == 0 {
            return Err(EventError::InvalidSchemaVersion(event_type.to_string()));
        }
        if schema_version > spec.current {
            return Err(EventError::SchemaVersionTooNew {
                event_type: event_type.to_string(),
                found: schema_version,
                known: spec.current,
            });
        }
        for from in schema_version..spec.current {
            let step = spec.upcasters[(from - 1) as usize];
            payload = step(payload).map_err(|reason| EventError::Upcast {
                event_type: event_type.to_string(),
                from,
                reason,
            })?;
            if !payload.is_object() {
                return Err(EventError::Upcast {
                    event_type: event_type.to_string(),
                    from,
                    reason: "upcaster did not return an object".into(),
                });
            }
        }
        Ok((spec.current, payload))
    }

    /// A recorded event with its payload lifted to the current schema version.
    pub fn upcast(&self, event: RecordedEvent) -> Result<RecordedEvent, EventError> {
        let (version, payload) = self.upcast_payload(
            event.event.event_type(),
            event.event.schema_version(),
            event.event.payload().clone(),
        )?;
        Ok(event.with_payload(version, payload))
    }
}

/// The registry of every event type PET knows today, each at its current schema version
/// with its upcasters. Storage validates appends and upcasts reads with it.
pub fn pet_registry() -> EventRegistry {
    let mut r = EventRegistry::new();
    for spec in crate::module::MODULES.iter().flat_map(|m| m.event_types()) {
        // The names are constants checked by a test; a bad one would be skipped, not panic.
        let _ = r.register(spec.name, spec.upcasters);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v1_to_v2(mut p: serde_json::Value) -> Result<serde_json::Value, String> {
        let name = p
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or("missing name")?
            .to_owned();
        if let Some(obj) = p.as_object_mut() {
            obj.remove("name");
            obj.insert("display_name".into(), json!(name));
        }
        Ok(p)
    }

    fn v2_to_v3(mut p: serde_json::Value) -> Result<serde_json::Value, String> {
        if let Some(obj) = p.as_object_mut() {
            obj.insert("locale".into(), json!("en"));
        }
        Ok(p)
    }

    fn registry() -> EventRegistry {
        let mut r = EventRegistry::new();
        assert!(r.register("demo.renamed", &[v1_to_v2, v2_to_v3]).is_ok());
        assert!(r.register("demo.created", &[]).is_ok());
        r
    }

    fn ty(s: &str) -> EventType {
        EventType::new(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn pet_registry_knows_every_module_event_at_its_declared_version() {
        let r = pet_registry();
        let types = || crate::module::MODULES.iter().flat_map(|m| m.event_types());
        for t in types() {
            // Version 1 everywhere but ticket.created (2: the ticket number).
            let want = if t.name == "ticket.created" { 2 } else { 1 };
            assert_eq!(t.version, want, "{}", t.name);
            assert_eq!(r.current_version(t.name), Some(want), "{}", t.name);
        }
        // Equal counts also mean no module declares a type another one declares, and no
        // declared name was skipped as invalid.
        let declared: usize = types().count();
        assert_eq!(r.event_types().count(), declared);
    }

    #[test]
    fn upcasts_through_every_step() {
        let r = registry();
        assert_eq!(r.current_version("demo.renamed"), Some(3));
        assert_eq!(
            r.upcast_payload(&ty("demo.renamed"), 1, json!({"name": "A"})),
            Ok((3, json!({"display_name": "A", "locale": "en"})))
        );
        assert_eq!(
            r.upcast_payload(&ty("demo.renamed"), 3, json!({"x": 1})),
            Ok((3, json!({"x": 1})))
        );
    }

    #[test]
    fn refuses_newer_unknown_and_broken() {
        let r = registry();
        assert!(matches!(
            r.upcast_payload(&ty("demo.renamed"), 4, json!({})),
            Err(EventError::SchemaVersionTooNew {
                found: 4,
                known: 3,
                ..
            })
        ));
        assert!(matches!(
            r.upcast_payload(&ty("demo.unknown"), 1, json!({})),
            Err(EventError::UnknownEventType(_))
        ));
        assert!(matches!(
            r.upcast_payload(&ty("demo.renamed"), 1, json!({})),
            Err(EventError::Upcast { from: 1, .. })
        ));
    }
}
