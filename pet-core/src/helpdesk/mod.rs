//! Helpdesk & SLA (domain.md §6): tickets, SLA definitions with immutable versions, the
//! per-ticket SLA assignment, business calendars and the SLA clock.
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `ticket` | [`ticket`] | `ticket.created`, `.assigned`, `.status_changed`, `.priority_changed`, `.replied`, `.resolved`, `.closed`, `.reopened` |
//! | `sla_definition` | [`sla`] | `sla_definition.created`, `sla_definition.version_published` |
//! | `sla_assignment` (id = ticket id) | [`sla`] | `sla.assigned`, `.paused`, `.resumed`, `.warning`, `.breached`, `.met` |
//!
//! The SLA clock ([`clock::sla_clock`], [`clock::CompiledSla`]) is a pure function of the
//! pinned definition version, the ticket's [`clock::TicketTimeline`] and `now`;
//! [`clock::marks_to_record`] tells the SLA job which outcomes to record, exactly once.
//! Aggregates follow the identity module's shape: `decide(state, &cmd, [facts,] now)`,
//! infallible `evolve`, `replay`, `restore`, `Event::from_stored`.

pub mod calendar;
pub mod clock;
pub mod ids;
pub mod sla;
pub mod ticket;
pub mod values;

use crate::activity::{NameLookup, Names, RenderError};
use crate::event::{AggregateEvent, ContextRef, ContextType, DomainEvent, RecordedEvent};
use crate::identity::EventDecodeError;

pub use calendar::{
    BusinessCalendar, CalendarInput, CompiledCalendar, IntervalInput, TimeOfDay, WorkingInterval,
};
pub use clock::{
    marks_to_record, shown_state, sla_clock, sla_summary, CompiledSla, SlaClockReading, SlaMark,
    SlaState, SlaTarget, TargetReading, TicketTimeline, TimelineChange,
};
pub use ids::{ProjectId, ReplyId, SlaDefinitionId, SlaVersionNumber, TicketId, TicketNumber};
pub use sla::{
    BusinessMinutes, RecordedMarks, RecordedSla, SlaAssignment, SlaAssignmentCommand,
    SlaDefinition, SlaDefinitionCommand, SlaDefinitionEvent, SlaEvent, SlaSpec, SlaSpecInput,
    SlaSpecOptions, SlaVersion, Targets, TargetsInput,
};
pub use ticket::{
    NewTicket, ReplyAuthor, Ticket, TicketCommand, TicketEvent, TicketFacts, TicketRow,
};
pub use values::{Channel, Priority, ReopenWindow, ReplyBody, TicketStatus, Visibility};

/// Job kind: evaluate the SLA clocks of open tickets and record what they reached.
pub const JOB_SLA_EVALUATE: &str = "sla.evaluate";

/// The module's descriptor: its event types, contexts, renderer and job kinds (see
/// [`crate::module`]).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "helpdesk",
    events: &[
        TicketEvent::EVENT_TYPES,
        SlaDefinitionEvent::EVENT_TYPES,
        SlaEvent::EVENT_TYPES,
    ],
    contexts: &[ContextType::Ticket, ContextType::SlaDefinition],
    render,
    names_introduced,
    job_kinds: &[JOB_SLA_EVALUATE],
};

/// Any Helpdesk & SLA event, for code that handles the whole module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpdeskEvent {
    /// A `ticket.*` event.
    Ticket(TicketEvent),
    /// An `sla_definition.*` event.
    SlaDefinition(SlaDefinitionEvent),
    /// An `sla.*` event.
    Sla(SlaEvent),
}

impl HelpdeskEvent {
    /// Decodes a stored event of any Helpdesk & SLA type.
    pub fn from_stored(
        event_type: &str,
        schema_version: u32,
        payload: &serde_json::Value,
    ) -> Result<Self, EventDecodeError> {
        match event_type.split('.').next() {
            Some("ticket") => {
                TicketEvent::from_stored(event_type, schema_version, payload).map(Self::Ticket)
            }
            Some("sla_definition") => {
                SlaDefinitionEvent::from_stored(event_type, schema_version, payload)
                    .map(Self::SlaDefinition)
            }
            Some("sla") => {
                SlaEvent::from_stored(event_type, schema_version, payload).map(Self::Sla)
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
            Self::Ticket(e) => e,
            Self::SlaDefinition(e) => e,
            Self::Sla(e) => e,
        }
    }
}

impl DomainEvent for HelpdeskEvent {
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

impl AggregateEvent for HelpdeskEvent {
    fn context(&self) -> ContextRef {
        match self {
            Self::Ticket(e) => e.context(),
            Self::SlaDefinition(e) => e.context(),
            Self::Sla(e) => e.context(),
        }
    }
    fn aggregate_type(&self) -> &'static str {
        match self {
            Self::Ticket(e) => e.aggregate_type(),
            Self::SlaDefinition(e) => e.aggregate_type(),
            Self::Sla(e) => e.aggregate_type(),
        }
    }
    fn aggregate_id(&self) -> uuid::Uuid {
        match self {
            Self::Ticket(e) => e.aggregate_id(),
            Self::SlaDefinition(e) => e.aggregate_id(),
            Self::Sla(e) => e.aggregate_id(),
        }
    }
}

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
    use ContextType as K;
    let event = HelpdeskEvent::from_stored(event_type, schema_version, payload)?;
    let ticket = |id: TicketId| names.get(K::Ticket, id.as_uuid());
    let employee = |id: crate::identity::EmployeeId| names.get(K::Employee, id.as_uuid());
    let definition = |id: SlaDefinitionId| names.get(K::SlaDefinition, id.as_uuid());
    Ok(match &event {
        HelpdeskEvent::Ticket(e) => {
            let t = ticket(e.ticket_id());
            match e {
                TicketEvent::Created(p) => {
                    let mut s = format!(
                        "Ticket “{}” was opened for {} ({} priority, by {})",
                        p.subject,
                        names.get(K::Customer, p.customer_id.as_uuid()),
                        p.priority,
                        p.channel
                    );
                    if let Some(a) = p.assignee_id {
                        s.push_str(&format!(", assigned to {}", employee(a)));
                    }
                    s
                }
                TicketEvent::Assigned(p) => match p.assignee_id {
                    Some(a) => format!("{t} was assigned to {}", employee(a)),
                    None => format!("{t} was unassigned"),
                },
                TicketEvent::StatusChanged(p) => {
                    format!("{t} moved from {} to {}", p.from.words(), p.to.words())
                }
                TicketEvent::PriorityChanged(p) => {
                    format!("{t} priority changed from {} to {}", p.from, p.to)
                }
                TicketEvent::Replied(p) => {
                    let who = match p.author {
                        ReplyAuthor::Employee { employee_id } => employee(employee_id),
                        ReplyAuthor::Customer { .. } => "The customer".to_owned(),
                    };
                    match p.visibility {
                        Visibility::Public => format!("{who} replied on {t}"),
                        Visibility::Internal => format!("{who} added an internal note on {t}"),
                    }
                }
                TicketEvent::Resolved(_) => format!("{t} was resolved"),
                TicketEvent::Closed(_) => format!("{t} was closed"),
                TicketEvent::Reopened(_) => format!("{t} was reopened"),
            }
        }
        HelpdeskEvent::SlaDefinition(e) => match e {
            SlaDefinitionEvent::Created(p) => format!("SLA definition {} was created", p.name),
            SlaDefinitionEvent::VersionPublished(p) => format!(
                "{} version {} was published ({}, warning at {}%)",
                definition(p.definition_id),
                p.number,
                p.spec.calendar().timezone().name(),
                p.spec.warning_percent()
            ),
        },
        HelpdeskEvent::Sla(e) => {
            let t = ticket(e.ticket_id());
            match e {
                SlaEvent::Assigned(p) => format!(
                    "{t} is now under {} version {}",
                    definition(p.definition_id),
                    p.definition_version
                ),
                SlaEvent::Paused(p) => format!("SLA clock of {t} paused ({})", p.status.words()),
                SlaEvent::Resumed(p) => format!("SLA clock of {t} resumed ({})", p.status.words()),
                SlaEvent::Warning(p) => format!(
                    "{t}: {} SLA warning (target {} business minutes{})",
                    p.target.words(),
                    p.target_minutes,
                    p.reached_at
                        .map(|d| format!(", threshold reached {}", d.format("%Y-%m-%d %H:%M UTC")))
                        .unwrap_or_default()
                ),
                SlaEvent::Breached(p) => format!(
                    "{t}: {} SLA breached (target {} business minutes{})",
                    p.target.words(),
                    p.target_minutes,
                    p.reached_at
                        .map(|d| format!(", due {}", d.format("%Y-%m-%d %H:%M UTC")))
                        .unwrap_or_default()
                ),
                SlaEvent::Met(p) => format!(
                    "{t}: {} SLA met ({} of {} business minutes)",
                    p.target.words(),
                    p.elapsed_minutes,
                    p.target_minutes
                ),
            }
        }
    })
}

/// The names an event of this module introduces (for the projector's name table, so later
/// lines can name the entity): a ticket by its subject, an SLA definition by its name.
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    use crate::activity::{clip_name, NamedEntity};
    Ok(
        match HelpdeskEvent::from_stored(event_type, schema_version, payload)? {
            HelpdeskEvent::Ticket(TicketEvent::Created(p)) => vec![NamedEntity {
                kind: ContextType::Ticket,
                id: p.ticket_id.as_uuid(),
                name: clip_name(&format!("Ticket “{}”", p.subject)),
            }],
            HelpdeskEvent::SlaDefinition(SlaDefinitionEvent::Created(p)) => vec![NamedEntity {
                kind: ContextType::SlaDefinition,
                id: p.definition_id.as_uuid(),
                name: clip_name(&format!("SLA “{}”", p.name)),
            }],
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_introduced_name_tickets_by_subject_and_definitions_by_name() {
        let t = serde_json::json!({"assignee_id": null, "channel": "email",
            "customer_id": "0190a1b2-0000-7000-8000-000000000014", "priority": "normal",
            "project_id": null, "subject": "Invoices page times out",
            "ticket_id": "0190a1b2-0000-7000-8000-000000000064", "ticket_number": 12});
        let n = names_introduced("ticket.created", 2, &t).unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].kind, ContextType::Ticket);
        assert_eq!(n[0].name, "Ticket “Invoices page times out”");
        assert_eq!(n[0].id.to_string(), "0190a1b2-0000-7000-8000-000000000064");
        let d = serde_json::json!({"definition_id": "0190a1b2-0000-7000-8000-0000000000c8",
            "name": "Standard support"});
        let n = names_introduced("sla_definition.created", 1, &d).unwrap();
        assert_eq!(n[0].kind, ContextType::SlaDefinition);
        assert_eq!(n[0].name, "SLA “Standard support”");
        let long = serde_json::json!({"definition_id": "0190a1b2-0000-7000-8000-0000000000c8",
            "name": "x".repeat(200)});
        let n = names_introduced("sla_definition.created", 1, &long).unwrap();
        assert_eq!(
            n[0].name.chars().count(),
            crate::activity::MAX_NAME_CHARS,
            "clipped to what the name table keeps"
        );
        assert!(n[0].name.ends_with('…'));
        let other = serde_json::json!({"ticket_id": "0190a1b2-0000-7000-8000-000000000064"});
        assert!(names_introduced("ticket.resolved", 1, &other)
            .map(|n| n.is_empty())
            .unwrap_or(true));
    }
}
