//! The activity-feed renderer: one human-readable English line per event type and schema
//! version, e.g. `Ana Ruiz joined Web Team as lead from 2026-01-05`.
//!
//! Names of entities an event only refers to by id come from a [`NameLookup`] the caller
//! (the projector) implements; an unknown one is shown as its kind and short id
//! (`employee 5f3c9d21`). Names an event carries itself (a created employee's name) are
//! taken from the payload, so the line tells what happened then. Unknown types and schema
//! versions are reported as [`RenderError`], never a panic.

use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use crate::event::{ContextType, NewEvent, RecordedEvent};
use crate::identity::ids::short_id;
use crate::identity::EventDecodeError;

/// Resolves the current name of an entity the event refers to by id.
pub trait NameLookup {
    /// The display name of the `kind` entity `id`, or `None` when unknown.
    fn name(&self, kind: ContextType, id: Uuid) -> Option<String>;
}

/// A lookup that knows no names (every reference renders as kind + short id).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl NameLookup for NoNames {
    fn name(&self, _kind: ContextType, _id: Uuid) -> Option<String> {
        None
    }
}

impl NameLookup for BTreeMap<Uuid, String> {
    fn name(&self, _kind: ContextType, id: Uuid) -> Option<String> {
        self.get(&id).cloned()
    }
}

impl<S: std::hash::BuildHasher> NameLookup for HashMap<Uuid, String, S> {
    fn name(&self, _kind: ContextType, id: Uuid) -> Option<String> {
        self.get(&id).cloned()
    }
}

impl<F: Fn(ContextType, Uuid) -> Option<String>> NameLookup for F {
    fn name(&self, kind: ContextType, id: Uuid) -> Option<String> {
        self(kind, id)
    }
}

/// Why an event could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// No renderer exists for this event type.
    #[error("no activity line for event type {0}")]
    UnknownType(String),
    /// The event's schema version is not one this renderer knows (upcast it first).
    #[error("no activity line for {event_type} schema version {found} (known: {known})")]
    UnsupportedVersion {
        /// The event type.
        event_type: String,
        /// The version found.
        found: u32,
        /// The version this renderer knows.
        known: u32,
    },
    /// The payload does not match its type's schema.
    #[error("cannot render {event_type}: {reason}")]
    Payload {
        /// The event type.
        event_type: String,
        /// What was wrong.
        reason: String,
    },
}

impl From<EventDecodeError> for RenderError {
    fn from(e: EventDecodeError) -> Self {
        match e {
            EventDecodeError::UnknownType(t) => RenderError::UnknownType(t),
            EventDecodeError::UnsupportedVersion {
                event_type,
                found,
                expected,
            } => RenderError::UnsupportedVersion {
                event_type,
                found,
                known: expected,
            },
            EventDecodeError::Payload { event_type, reason } => {
                RenderError::Payload { event_type, reason }
            }
        }
    }
}

/// Renders a stored event `(event_type, schema_version, payload)` as one line, with the
/// renderer of the module that owns its type.
pub fn render<N: NameLookup>(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &N,
) -> Result<String, RenderError> {
    let module = crate::module::module_of_event(event_type)
        .ok_or_else(|| RenderError::UnknownType(event_type.to_owned()))?;
    (module.render)(event_type, schema_version, payload, names)
}

/// Renders an event about to be appended.
pub fn render_event<N: NameLookup>(event: &NewEvent, names: &N) -> Result<String, RenderError> {
    render(
        event.event_type().as_str(),
        event.schema_version(),
        event.payload(),
        names,
    )
}

/// Renders a recorded event (upcast it with the registry first).
pub fn render_recorded<N: NameLookup>(
    event: &RecordedEvent,
    names: &N,
) -> Result<String, RenderError> {
    render_event(&event.event, names)
}

/// An entity's name as an event states it: what a projector stores to answer
/// [`NameLookup`] later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedEntity {
    /// What kind of entity.
    pub kind: ContextType,
    /// Its id.
    pub id: Uuid,
    /// Its name as of the event.
    pub name: String,
}

/// The names an event introduces (a created employee, team or customer, an opportunity, a
/// ticket…), for projectors that keep a name table. Events that introduce no name give an
/// empty list.
pub fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<NamedEntity>, RenderError> {
    let module = crate::module::module_of_event(event_type)
        .ok_or_else(|| RenderError::UnknownType(event_type.to_owned()))?;
    (module.names_introduced)(event_type, schema_version, payload)
}

/// The longest name a projector's name table keeps (characters).
pub const MAX_NAME_CHARS: usize = 200;

/// `name` cut to [`MAX_NAME_CHARS`] characters (with an ellipsis when cut).
pub(crate) fn clip_name(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let mut s: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
    s.push('…');
    s
}

/// A [`NameLookup`] with the fallback to kind + short id, shared by every module's renderer.
pub(crate) struct Names<'a, N: ?Sized>(pub(crate) &'a N);

impl<N: NameLookup + ?Sized> Names<'_, N> {
    /// The entity's name, or its kind and short id when unknown.
    pub(crate) fn get(&self, kind: ContextType, id: Uuid) -> String {
        self.0
            .name(kind, id)
            .unwrap_or_else(|| format!("{} {}", kind_word(kind), short_id(id)))
    }
}

fn kind_word(kind: ContextType) -> &'static str {
    match kind {
        ContextType::OrgStructure => "org structure",
        ContextType::LeadSchema => "lead schema",
        ContextType::SlaDefinition => "SLA definition",
        ContextType::KnowledgeArticle => "article",
        ContextType::Kpi => "KPI",
        ContextType::TimeEntry => "time entry",
        ContextType::TimePeriod => "time period",
        other => other.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_types_and_newer_versions_are_errors_not_panics() {
        assert_eq!(
            render("nothing.happened", 1, &json!({}), &NoNames),
            Err(RenderError::UnknownType("nothing.happened".into()))
        );
        assert_eq!(
            render("team.archived", 2, &json!({}), &NoNames),
            Err(RenderError::UnsupportedVersion {
                event_type: "team.archived".into(),
                found: 2,
                known: 1
            })
        );
        assert!(matches!(
            render("team.archived", 1, &json!({"team_id": "nope"}), &NoNames),
            Err(RenderError::Payload { .. })
        ));
    }

    #[test]
    fn creation_events_introduce_names() {
        let id = "0190a1b2-0000-7000-8000-000000000001";
        let p = json!({"team_id": id, "name": "Web Team", "parent_id": null});
        assert_eq!(
            names_introduced("team.created", 1, &p),
            Ok(vec![NamedEntity {
                kind: ContextType::Team,
                id: Uuid::parse_str(id).unwrap(),
                name: "Web Team".into()
            }])
        );
        assert_eq!(
            names_introduced("team.archived", 1, &json!({"team_id": id})),
            Ok(vec![])
        );
        assert!(names_introduced("nothing.happened", 1, &json!({})).is_err());
    }

    #[test]
    fn unknown_names_fall_back_to_kind_and_short_id() {
        let p = json!({"team_id": "0190a1b2-0000-7000-8000-000000000001"});
        assert_eq!(
            render("team.archived", 1, &p, &NoNames).as_deref(),
            Ok("team 00000001 was archived")
        );
        let mut names = BTreeMap::new();
        names.insert(
            Uuid::parse_str("0190a1b2-0000-7000-8000-000000000001").unwrap(),
            "Web Team".to_owned(),
        );
        assert_eq!(
            render("team.archived", 1, &p, &names).as_deref(),
            Ok("Web Team was archived")
        );
        let by_fn = |k: ContextType, _id: Uuid| (k == ContextType::Team).then(|| "Ops".to_owned());
        assert_eq!(
            render("team.archived", 1, &p, &by_fn).as_deref(),
            Ok("Ops was archived")
        );
    }
}
