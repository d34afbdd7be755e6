//! Identity & Organisation (domain.md §1): employees, teams and memberships, numbered
//! org-structure versions, customers and contacts.
//!
//! Each aggregate follows the same shape (commands in, events out):
//!
//! * `decide(state, command, [facts,] now) -> Result<Vec<Event>, DomainError>` — the only
//!   place the aggregate's rules are checked; it reads nothing but its arguments.
//! * `evolve(state, &event) -> Option<State>` — the infallible fold of an event into state
//!   (`None` only for a stream that does not start with the creation event).
//! * `Event::from_stored(event_type, schema_version, payload)` — rebuild a typed event
//!   from what the store holds (after [`crate::EventRegistry::upcast`]).
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `employee` | [`employee`] | `employee.created`, `.deactivated`, `.reactivated`, `.rate_changed`, `.user_linked` |
//! | `team` | [`team`] | `team.created`, `.moved`, `.archived`, `.member_added`, `.member_removed` |
//! | `org_structure` | [`org`] | `org_structure.scheduled`, `org_structure.published` |
//! | `customer` | [`customer`] | `customer.created`, `customer.archived`, `contact.added` |

pub mod customer;
pub mod employee;
pub mod ids;
pub mod org;
mod render;
pub mod team;
pub mod values;

use crate::error::DomainError;
use crate::event::{Actor, AggregateEvent, ContextRef, ContextType, DomainEvent, RecordedEvent};

pub use customer::{
    Contact, Customer, CustomerCommand, CustomerEvent, CustomerFacts, CustomerStatus,
};
pub use employee::{
    DatedRate, Employee, EmployeeCommand, EmployeeEvent, EmployeeStatus, NewEmployee, RateEntry,
    RateKind,
};
pub use ids::{
    ContactId, CustomerId, EmployeeId, MembershipId, OrgVersionId, OrgVersionNumber, TeamId,
    WpUserId,
};
pub use org::{
    build_snapshot, OrgSnapshot, OrgStructureCommand, OrgStructureEvent, OrgStructureVersion,
    OrgVersionStatus, SnapshotMembership, SnapshotTeam,
};
pub use team::{Membership, Team, TeamCommand, TeamEvent, TeamFacts, TeamRole, TeamStatus};
pub use values::{Currency, Email, Money, Name, Note, Phone, Rate};

/// Why a stored `(event_type, schema_version, payload)` could not be turned into a typed event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventDecodeError {
    /// The type is not one of this module's event types.
    #[error("unknown event type {0}")]
    UnknownType(String),
    /// The payload is at a schema version this decoder does not read (upcast it first).
    #[error("{event_type} schema version {found} is not supported (expected {expected})")]
    UnsupportedVersion {
        /// The event type.
        event_type: String,
        /// The version found.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// The payload does not match the schema of its type.
    #[error("invalid {event_type} payload: {reason}")]
    Payload {
        /// The event type.
        event_type: String,
        /// What was wrong.
        reason: String,
    },
}

/// Job kind: publish a scheduled org-structure version once due (payload `version_id`).
pub const JOB_ORG_PUBLISH: &str = "org_structure.publish";

/// The module's descriptor: its event types, contexts, renderer and job kinds (see
/// [`crate::module`]).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "identity",
    events: &[
        EmployeeEvent::EVENT_TYPES,
        TeamEvent::EVENT_TYPES,
        OrgStructureEvent::EVENT_TYPES,
        CustomerEvent::EVENT_TYPES,
    ],
    contexts: &[
        ContextType::Employee,
        ContextType::Team,
        ContextType::OrgStructure,
        ContextType::Customer,
    ],
    render: render::render,
    names_introduced: render::names_introduced,
    job_kinds: &[JOB_ORG_PUBLISH],
};

/// Any Identity & Organisation event, for code that handles the whole module (projectors,
/// the activity renderer, audit tools).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityEvent {
    /// An `employee.*` event.
    Employee(EmployeeEvent),
    /// A `team.*` event.
    Team(TeamEvent),
    /// An `org_structure.*` event.
    OrgStructure(OrgStructureEvent),
    /// A `customer.*` or `contact.*` event.
    Customer(CustomerEvent),
}

impl IdentityEvent {
    /// Decodes a stored event of any Identity & Organisation type.
    pub fn from_stored(
        event_type: &str,
        schema_version: u32,
        payload: &serde_json::Value,
    ) -> Result<Self, EventDecodeError> {
        match event_type.split('.').next() {
            Some("employee") => {
                EmployeeEvent::from_stored(event_type, schema_version, payload).map(Self::Employee)
            }
            Some("team") => {
                TeamEvent::from_stored(event_type, schema_version, payload).map(Self::Team)
            }
            Some("org_structure") => {
                OrgStructureEvent::from_stored(event_type, schema_version, payload)
                    .map(Self::OrgStructure)
            }
            Some("customer" | "contact") => {
                CustomerEvent::from_stored(event_type, schema_version, payload).map(Self::Customer)
            }
            _ => Err(EventDecodeError::UnknownType(event_type.to_owned())),
        }
    }

    /// Decodes a recorded event (upcast it with the registry first).
    pub fn from_recorded(event: &RecordedEvent) -> Result<Self, EventDecodeError> {
        Self::from_stored(
            event.event.event_type().as_str(),
            event.event.schema_version(),
            event.event.payload(),
        )
    }

    fn inner(&self) -> &dyn DomainEvent {
        match self {
            Self::Employee(e) => e,
            Self::Team(e) => e,
            Self::OrgStructure(e) => e,
            Self::Customer(e) => e,
        }
    }
}

impl DomainEvent for IdentityEvent {
    fn event_type(&self) -> &'static str {
        self.inner().event_type()
    }
    fn schema_version(&self) -> u32 {
        self.inner().schema_version()
    }
    fn payload(&self) -> serde_json::Value {
        self.inner().payload()
    }
}

impl AggregateEvent for IdentityEvent {
    fn context(&self) -> ContextRef {
        match self {
            Self::Employee(e) => e.context(),
            Self::Team(e) => e.context(),
            Self::OrgStructure(e) => e.context(),
            Self::Customer(e) => e.context(),
        }
    }
    fn aggregate_type(&self) -> &'static str {
        match self {
            Self::Employee(e) => e.aggregate_type(),
            Self::Team(e) => e.aggregate_type(),
            Self::OrgStructure(e) => e.aggregate_type(),
            Self::Customer(e) => e.aggregate_type(),
        }
    }
    fn aggregate_id(&self) -> uuid::Uuid {
        match self {
            Self::Employee(e) => e.aggregate_id(),
            Self::Team(e) => e.aggregate_id(),
            Self::OrgStructure(e) => e.aggregate_id(),
            Self::Customer(e) => e.aggregate_id(),
        }
    }
}

/// The rule "an inactive employee can do nothing", for the application to call before
/// deciding any command.
///
/// `actor_status` is the acting employee's current status as loaded by the caller, or
/// `None` when no such employee exists. System actors (cron, jobs) may always act, and so
/// may contacts (the command's own rules decide what a contact may ask).
pub fn ensure_actor_may_act(
    actor: Actor,
    actor_status: Option<EmployeeStatus>,
) -> Result<(), DomainError> {
    match (actor, actor_status) {
        (Actor::System, _) => Ok(()),
        // A contact is no employee: what it may do is the rule of what it asks (a contact
        // writes only on its own customer's tickets, `TicketFacts::with_contact`).
        (Actor::Contact(_), _) => Ok(()),
        (Actor::Employee(_), Some(EmployeeStatus::Active)) => Ok(()),
        (Actor::Employee(id), Some(EmployeeStatus::Inactive)) => Err(DomainError::invariant(
            format!("employee {id} is inactive and cannot act"),
        )),
        (Actor::Employee(id), None) => Err(DomainError::NotFound {
            entity: "employee",
            id: id.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn only_active_employees_and_the_system_may_act() {
        let id = Uuid::from_u128(7);
        assert_eq!(ensure_actor_may_act(Actor::System, None), Ok(()));
        assert_eq!(
            ensure_actor_may_act(Actor::Employee(id), Some(EmployeeStatus::Active)),
            Ok(())
        );
        assert!(matches!(
            ensure_actor_may_act(Actor::Employee(id), Some(EmployeeStatus::Inactive)),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            ensure_actor_may_act(Actor::Employee(id), None),
            Err(DomainError::NotFound {
                entity: "employee",
                ..
            })
        ));
    }

    #[test]
    fn unknown_types_and_versions_are_refused() {
        let p = serde_json::json!({});
        assert_eq!(
            IdentityEvent::from_stored("lead.created", 1, &p),
            Err(EventDecodeError::UnknownType("lead.created".into()))
        );
        assert_eq!(
            IdentityEvent::from_stored("employee.nope", 1, &p),
            Err(EventDecodeError::UnknownType("employee.nope".into()))
        );
        assert!(matches!(
            IdentityEvent::from_stored("employee.deactivated", 2, &p),
            Err(EventDecodeError::UnsupportedVersion {
                found: 2,
                expected: 1,
                ..
            })
        ));
        assert!(matches!(
            IdentityEvent::from_stored("employee.deactivated", 1, &p),
            Err(EventDecodeError::Payload { .. })
        ));
    }
}
