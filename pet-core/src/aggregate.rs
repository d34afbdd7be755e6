//! The shape every aggregate shares: the [`Aggregate`] trait (commands in, events out) and
//! the [`domain_events!`] macro that declares an aggregate's event enum with each event
//! type's name and schema version written once.
//!
//! An aggregate supplies only its rules ([`Aggregate::decide`]) and its fold
//! ([`Aggregate::evolve`]); replaying a stream, folding a decided batch and wrapping events
//! into envelopes are the same for every aggregate and written here once. A rule that
//! needs something from another aggregate gets it as a fact ([`Aggregate::Facts`]) loaded
//! by the application before `decide`, never by a query inside it.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use crate::error::DomainError;
use crate::event::AggregateEvent;
use crate::identity::EventDecodeError;
use crate::registry::Upcaster;

/// One aggregate type of PET: its state, commands, events, the facts its rules need from
/// other aggregates, and the two functions that define it.
///
/// ```
/// use pet_core::aggregate::Aggregate;
/// use pet_core::identity::{Customer, CustomerCommand, CustomerId, Name};
/// use uuid::Uuid;
/// let now = "2026-01-05T09:00:00Z".parse().unwrap();
/// let id = CustomerId::from_uuid(Uuid::from_u128(1));
/// let cmd = CustomerCommand::Create { id, name: Name::new("Acme").unwrap() };
/// let events = Customer::decide(None, &cmd, &(), now).unwrap();
/// let state = Customer::replay(&events).unwrap();
/// assert_eq!(state.version(), 1);
/// ```
pub trait Aggregate: Sized {
    /// The stored aggregate type, e.g. `ticket`.
    const TYPE: &'static str;
    /// What can be asked of it.
    type Command;
    /// The facts it records.
    type Event: AggregateEvent + Clone;
    /// What its rules need to know about other aggregates (`()` when nothing).
    type Facts;

    /// Number of events applied (the optimistic-concurrency version).
    fn version(&self) -> u64;

    /// Checks the rules of `cmd` against the current state (`None`: it does not exist yet)
    /// and returns the events that record the outcome. The only place its rules live.
    fn decide(
        state: Option<&Self>,
        cmd: &Self::Command,
        facts: &Self::Facts,
        now: DateTime<Utc>,
    ) -> Result<Vec<Self::Event>, DomainError>;

    /// Folds one event into the state. Infallible; `None` only when a non-creation event
    /// arrives before the creation event (a malformed stream).
    fn evolve(state: Option<Self>, event: &Self::Event) -> Option<Self>;

    /// Folds the events a `decide` returned into the state they were decided against.
    fn evolve_all<'a>(
        state: Option<Self>,
        events: impl IntoIterator<Item = &'a Self::Event>,
    ) -> Option<Self>
    where
        Self::Event: 'a,
    {
        events.into_iter().fold(state, Self::evolve)
    }

    /// Folds a whole stream (as read from the store) into the current state.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Option<Self>
    where
        Self::Event: 'a,
    {
        Self::evolve_all(None, events)
    }
}

/// One event type as its enum declares it: the stable name, the schema version written
/// today, and the upcasters that lift older payloads (`upcasters[i]` lifts `i + 1` to
/// `i + 2`, so the current version is `upcasters.len() + 1`).
#[derive(Debug, Clone, Copy)]
pub struct EventTypeSpec {
    /// The stable event type, e.g. `ticket.created`.
    pub name: &'static str,
    /// The schema version written today.
    pub version: u32,
    /// Upcasters from version 1 to the current one.
    pub upcasters: &'static [Upcaster],
}

/// Decodes a payload stored at `found` into `T`, the type of schema version `expected`.
pub(crate) fn decode_at<T: DeserializeOwned>(
    event_type: &str,
    found: u32,
    expected: u32,
    payload: &serde_json::Value,
) -> Result<T, EventDecodeError> {
    if found != expected {
        return Err(EventDecodeError::UnsupportedVersion {
            event_type: event_type.to_owned(),
            found,
            expected,
        });
    }
    // Deserialised from the borrowed value: no copy of the payload per decode.
    T::deserialize(payload).map_err(|e| EventDecodeError::Payload {
        event_type: event_type.to_owned(),
        reason: e.to_string(),
    })
}

/// Declares an aggregate's event enum: one line per event with its payload type and
/// stable name, optionally followed by `=> [upcaster, …]` when the payload has had more
/// than one schema version. Generates the enum, `EVENT_TYPES` (the specs the registry is
/// built from), `from_stored` (decode from the store) and the [`crate::DomainEvent`]
/// impl (name, version, payload). The aggregate writes `AggregateEvent` (which aggregate,
/// which context) by hand.
macro_rules! domain_events {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident($payload:ty) = $ty:literal $(=> [$($up:path),+ $(,)?])?
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant($payload), )+
        }

        impl $name {
            /// Every event type of this enum with its current schema version and upcasters.
            pub const EVENT_TYPES: &'static [$crate::aggregate::EventTypeSpec] = &[
                $(
                    $crate::aggregate::EventTypeSpec {
                        name: $ty,
                        version: 1 $($( + { let _ = $up as $crate::registry::Upcaster; 1 } )+)?,
                        upcasters: &[$($($up as $crate::registry::Upcaster),+)?],
                    },
                )+
            ];

            /// The current schema version of `event_type` (0 when it is not one of these).
            fn current_version(event_type: &str) -> u32 {
                Self::EVENT_TYPES
                    .iter()
                    .find(|s| s.name == event_type)
                    .map_or(0, |s| s.version)
            }

            /// Rebuilds a typed event from its stored type, schema version and payload
            /// (upcast it to the current version with the registry first).
            pub fn from_stored(
                event_type: &str,
                schema_version: u32,
                payload: &serde_json::Value,
            ) -> Result<Self, $crate::identity::EventDecodeError> {
                let expected = Self::current_version(event_type);
                match event_type {
                    $(
                        $ty => Ok(Self::$variant($crate::aggregate::decode_at(
                            event_type,
                            schema_version,
                            expected,
                            payload,
                        )?)),
                    )+
                    other => Err($crate::identity::EventDecodeError::UnknownType(other.to_owned())),
                }
            }
        }

        impl $crate::event::DomainEvent for $name {
            fn event_type(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $ty, )+
                }
            }
            fn schema_version(&self) -> u32 {
                Self::current_version($crate::event::DomainEvent::event_type(self))
            }
            fn payload(&self) -> serde_json::Value {
                match self {
                    $( Self::$variant(p) => $crate::aggregate::to_payload(p), )+
                }
            }
        }
    };
}
pub(crate) use domain_events;

pub(crate) fn to_payload<T: serde::Serialize>(payload: &T) -> serde_json::Value {
    // Payload structs hold only strings, numbers, booleans and nested structs, which
    // always serialise; a Null here would be refused by `NewEvent::new` (not an object).
    serde_json::to_value(payload).unwrap_or(serde_json::Value::Null)
}
