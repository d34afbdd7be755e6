//! The Ticket aggregate: a customer's support request with priority, channel, assignee,
//! replies (customer-visible or internal notes) and the status machine
//! `new → open ⇄ waiting_on_customer → resolved → closed`, reopenable from `resolved`
//! within a window passed in with the command.

use crate::aggregate::domain_events;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{ProjectId, ReplyId, TicketId, TicketNumber};
use super::values::{Channel, Priority, ReopenWindow, ReplyBody, TicketStatus, Visibility};
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::{ContactId, CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Name};

/// The aggregate type of tickets.
pub const AGGREGATE_TYPE: &str = "ticket";

/// Who wrote a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyAuthor {
    /// An employee (support agent).
    Employee {
        /// The employee.
        employee_id: EmployeeId,
    },
    /// The customer, optionally a known contact.
    Customer {
        /// The contact, when known.
        contact_id: Option<ContactId>,
    },
}

/// The current state of a ticket, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    id: TicketId,
    number: Option<TicketNumber>,
    customer_id: CustomerId,
    project_id: Option<ProjectId>,
    subject: Name,
    priority: Priority,
    channel: Channel,
    assignee: Option<EmployeeId>,
    status: TicketStatus,
    resolved_at: Option<DateTime<Utc>>,
    reply_count: u32,
    version: u64,
}

/// The fields of a ticket as a storage row holds them, for [`Ticket::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    /// The id.
    pub id: TicketId,
    /// Its human number (`None`: opened before tickets were numbered).
    pub number: Option<TicketNumber>,
    /// The customer.
    pub customer_id: CustomerId,
    /// The project, if any.
    pub project_id: Option<ProjectId>,
    /// Subject line.
    pub subject: Name,
    /// Priority.
    pub priority: Priority,
    /// Channel.
    pub channel: Channel,
    /// Assignee.
    pub assignee: Option<EmployeeId>,
    /// Status.
    pub status: TicketStatus,
    /// When it was last resolved (kept while resolved or closed).
    pub resolved_at: Option<DateTime<Utc>>,
    /// Number of replies and notes.
    pub reply_count: u32,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl Ticket {
    /// Rebuilds the state from a stored state row.
    pub fn restore(row: TicketRow) -> Self {
        Ticket {
            id: row.id,
            number: row.number,
            customer_id: row.customer_id,
            project_id: row.project_id,
            subject: row.subject,
            priority: row.priority,
            channel: row.channel,
            assignee: row.assignee,
            status: row.status,
            resolved_at: row.resolved_at,
            reply_count: row.reply_count,
            version: row.version,
        }
    }

    /// The id.
    pub fn id(&self) -> TicketId {
        self.id
    }
    /// Its human number, `#12` (`None`: opened before tickets were numbered).
    pub fn number(&self) -> Option<TicketNumber> {
        self.number
    }
    /// The customer.
    pub fn customer_id(&self) -> CustomerId {
        self.customer_id
    }
    /// The project, if any.
    pub fn project_id(&self) -> Option<ProjectId> {
        self.project_id
    }
    /// The subject line.
    pub fn subject(&self) -> &Name {
        &self.subject
    }
    /// The priority.
    pub fn priority(&self) -> Priority {
        self.priority
    }
    /// How it came in.
    pub fn channel(&self) -> Channel {
        self.channel
    }
    /// Who works on it.
    pub fn assignee(&self) -> Option<EmployeeId> {
        self.assignee
    }
    /// The status.
    pub fn status(&self) -> TicketStatus {
        self.status
    }
    /// When it was last resolved (while resolved or closed).
    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.resolved_at
    }
    /// Number of replies and internal notes.
    pub fn reply_count(&self) -> u32 {
        self.reply_count
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The commands the ticket takes now besides its status moves
    /// (`status().next_statuses()`): a closed ticket takes nothing; a resolved one replies
    /// and reopening; any other assignment, priority changes and replies.
    pub fn actions(&self) -> &'static [&'static str] {
        match self.status {
            TicketStatus::Closed => &[],
            TicketStatus::Resolved => &["reply", "reopen"],
            _ => &["assign", "change_priority", "reply"],
        }
    }

    /// The rule for putting a ticket under an SLA: a closed ticket takes nothing, and a
    /// resolved one no SLA (its clocks have stopped).
    pub fn may_take_sla(&self) -> Result<(), DomainError> {
        match self.status {
            TicketStatus::Closed => Err(closed_error()),
            s if s.is_done() => Err(DomainError::invariant(
                "a resolved or closed ticket cannot be put under an SLA",
            )),
            _ => Ok(()),
        }
    }
}

/// What the rules need to know about other aggregates, loaded by the application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFacts {
    customers: BTreeMap<CustomerId, CustomerStatus>,
    employees: BTreeMap<EmployeeId, EmployeeStatus>,
    projects: BTreeMap<ProjectId, Option<CustomerId>>,
    contacts: BTreeMap<ContactId, CustomerId>,
}

impl TicketFacts {
    /// No facts.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a customer's status.
    pub fn with_customer(mut self, id: CustomerId, status: CustomerStatus) -> Self {
        self.customers.insert(id, status);
        self
    }
    /// Adds an employee's status.
    pub fn with_employee(mut self, id: EmployeeId, status: EmployeeStatus) -> Self {
        self.employees.insert(id, status);
        self
    }
    /// Adds a project and its customer (`None`: an internal project without one).
    pub fn with_project(mut self, id: ProjectId, customer: Option<CustomerId>) -> Self {
        self.projects.insert(id, customer);
        self
    }
    /// Adds a contact and the customer it belongs to (needed by a reply a contact wrote).
    pub fn with_contact(mut self, id: ContactId, customer: CustomerId) -> Self {
        self.contacts.insert(id, customer);
        self
    }

    /// The rule for a reply by a known contact: the contact must be one of the ticket's
    /// customer's (a contact never writes on another customer's ticket).
    fn contact_of(&self, contact: ContactId, customer: CustomerId) -> Result<(), DomainError> {
        match self.contacts.get(&contact) {
            Some(c) if *c == customer => Ok(()),
            Some(_) => Err(DomainError::invariant(format!(
                "contact {contact} is not a contact of this ticket's customer"
            ))),
            None => Err(DomainError::field("contact_id", "is not a known contact")),
        }
    }

    fn active_employee(&self, id: EmployeeId, field: &str) -> Result<(), DomainError> {
        match self.employees.get(&id) {
            Some(EmployeeStatus::Active) => Ok(()),
            Some(EmployeeStatus::Inactive) => Err(DomainError::invariant(format!(
                "employee {id} is inactive and cannot be given tickets"
            ))),
            None => Err(DomainError::field(field, "is not a known employee")),
        }
    }
}

/// Input of [`TicketCommand::Create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// The id, generated by the caller.
    pub id: TicketId,
    /// Its human number, assigned by the caller (a store sequence, unique per site).
    pub number: TicketNumber,
    /// The customer (must be active).
    pub customer_id: CustomerId,
    /// Optional project.
    pub project_id: Option<ProjectId>,
    /// Subject line.
    pub subject: Name,
    /// Priority.
    pub priority: Priority,
    /// Channel.
    pub channel: Channel,
    /// Optional first assignee (must be active).
    pub assignee: Option<EmployeeId>,
}

/// What can be asked of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketCommand {
    /// Creates the ticket (`new`).
    Create(NewTicket),
    /// Assigns it to an active employee, or with `None` unassigns it.
    Assign {
        /// The new assignee.
        assignee: Option<EmployeeId>,
    },
    /// `new → open`, `open → waiting_on_customer`, `waiting_on_customer → open`.
    ChangeStatus {
        /// The target status (`open` or `waiting_on_customer`).
        to: TicketStatus,
    },
    /// Changes the priority (the SLA targets follow it).
    ChangePriority {
        /// The new priority.
        to: Priority,
    },
    /// Adds a reply or an internal note; never on a closed ticket.
    Reply {
        /// The reply id, generated by the caller.
        reply_id: ReplyId,
        /// Who wrote it.
        author: ReplyAuthor,
        /// Customer-visible or internal.
        visibility: Visibility,
        /// The text.
        body: ReplyBody,
    },
    /// `open | waiting_on_customer → resolved`.
    Resolve,
    /// `resolved → closed` (final).
    Close,
    /// `resolved → open` within `window` of the resolution.
    Reopen {
        /// The site's reopen window.
        window: ReopenWindow,
        /// The customer contact who asks (the portal), who must be one of the ticket's
        /// customer's (a fact, [`TicketFacts::with_contact`]); `None`: staff, or the
        /// resolution mail's signed link.
        contact_id: Option<ContactId>,
    },
}

impl TicketCommand {
    /// The command that moves a ticket to status `to`: resolving and closing have their own
    /// commands (they record more), any other target is a plain status change. Whether the
    /// move is allowed now is [`decide`]'s (see [`TicketStatus::next_statuses`]).
    pub fn move_to(to: TicketStatus) -> TicketCommand {
        match to {
            TicketStatus::Resolved => TicketCommand::Resolve,
            TicketStatus::Closed => TicketCommand::Close,
            other => TicketCommand::ChangeStatus { to: other },
        }
    }
}

impl Ticket {
    /// The command that moves this ticket to `to` ([`TicketCommand::move_to`]).
    pub fn move_to(&self, to: TicketStatus) -> TicketCommand {
        TicketCommand::move_to(to)
    }
}

/// Payload of `ticket.created` (schema version 2: with `ticket_number`; version 1 payloads
/// are lifted with `ticket_number: null` by [`ticket_created_v1_to_v2`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketCreated {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Its human number (`null` for tickets opened before tickets were numbered).
    pub ticket_number: Option<TicketNumber>,
    /// The customer.
    pub customer_id: CustomerId,
    /// The project, if any.
    pub project_id: Option<ProjectId>,
    /// Subject line.
    pub subject: Name,
    /// Priority.
    pub priority: Priority,
    /// Channel.
    pub channel: Channel,
    /// First assignee.
    pub assignee_id: Option<EmployeeId>,
}

/// Lifts a `ticket.created` payload of schema version 1 (before tickets were numbered) to
/// version 2: `ticket_number` is `null`.
pub fn ticket_created_v1_to_v2(
    mut payload: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let obj = payload
        .as_object_mut()
        .ok_or_else(|| "ticket.created payload is not an object".to_owned())?;
    if obj.contains_key("ticket_number") {
        return Err("a version 1 ticket.created has no ticket_number".to_owned());
    }
    obj.insert("ticket_number".to_owned(), serde_json::Value::Null);
    Ok(payload)
}

/// Payload of `ticket.assigned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketAssigned {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The new assignee; `null` when unassigned.
    pub assignee_id: Option<EmployeeId>,
    /// The assignee before.
    pub previous_assignee_id: Option<EmployeeId>,
}

/// Payload of `ticket.status_changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketStatusChanged {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Status before.
    pub from: TicketStatus,
    /// Status after.
    pub to: TicketStatus,
}

/// Payload of `ticket.priority_changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketPriorityChanged {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Priority before.
    pub from: Priority,
    /// Priority after.
    pub to: Priority,
}

/// Payload of `ticket.replied`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketReplied {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The reply.
    pub reply_id: ReplyId,
    /// Who wrote it.
    pub author: ReplyAuthor,
    /// Customer-visible or internal.
    pub visibility: Visibility,
    /// The text.
    pub body: ReplyBody,
}

/// Payload of `ticket.resolved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketResolved {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Status before.
    pub from: TicketStatus,
    /// When it was resolved (starts the reopen window).
    pub resolved_at: DateTime<Utc>,
}

/// Payload of `ticket.closed` and `ticket.reopened`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketRef {
    /// The ticket.
    pub ticket_id: TicketId,
}

domain_events! {
    /// Facts about a ticket.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TicketEvent {
        /// `ticket.created`
        Created(TicketCreated) = "ticket.created" => [ticket_created_v1_to_v2],
        /// `ticket.assigned`
        Assigned(TicketAssigned) = "ticket.assigned",
        /// `ticket.status_changed`
        StatusChanged(TicketStatusChanged) = "ticket.status_changed",
        /// `ticket.priority_changed`
        PriorityChanged(TicketPriorityChanged) = "ticket.priority_changed",
        /// `ticket.replied`
        Replied(TicketReplied) = "ticket.replied",
        /// `ticket.resolved`
        Resolved(TicketResolved) = "ticket.resolved",
        /// `ticket.closed`
        Closed(TicketRef) = "ticket.closed",
        /// `ticket.reopened` (back to `open`)
        Reopened(TicketRef) = "ticket.reopened",
    }
}

impl TicketEvent {
    /// Whether the event changes the ticket's status (what pauses and resumes SLA clocks).
    pub fn changes_status(&self) -> bool {
        matches!(
            self,
            Self::StatusChanged(_) | Self::Resolved(_) | Self::Closed(_) | Self::Reopened(_)
        )
    }

    /// The ticket the event is about.
    pub fn ticket_id(&self) -> TicketId {
        match self {
            Self::Created(p) => p.ticket_id,
            Self::Assigned(p) => p.ticket_id,
            Self::StatusChanged(p) => p.ticket_id,
            Self::PriorityChanged(p) => p.ticket_id,
            Self::Replied(p) => p.ticket_id,
            Self::Resolved(p) => p.ticket_id,
            Self::Closed(p) | Self::Reopened(p) => p.ticket_id,
        }
    }
}

impl AggregateEvent for TicketEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.ticket_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Ticket, self.ticket_id().as_uuid())
    }
}

fn closed_error() -> DomainError {
    DomainError::invariant("ticket is closed and takes no changes or replies")
}

fn transition_error(from: TicketStatus, to: TicketStatus) -> DomainError {
    DomainError::invariant(format!(
        "a ticket cannot go from {} to {}",
        from.as_str(),
        to.as_str()
    ))
}

/// Decides a command against the current state (`None`: the ticket does not exist yet).
///
/// Rules: the customer must be active and an assignee an active employee; a closed ticket
/// takes nothing (not even a reply); a resolved one takes only replies, `Close` and
/// `Reopen`; a customer cannot write internal notes, and a reply or a reopen by a known
/// contact needs the contact to be one of the ticket's customer's (a fact,
/// [`TicketFacts::with_contact`]); a customer's reply on a ticket waiting on the customer
/// moves it back to `open` (`ticket.status_changed` after the `ticket.replied`); every
/// change must change something; reopening is allowed up to and including
/// `resolved_at + window`.
pub fn decide(
    state: Option<&Ticket>,
    cmd: &TicketCommand,
    facts: &TicketFacts,
    now: DateTime<Utc>,
) -> Result<Vec<TicketEvent>, DomainError> {
    let t = match (state, cmd) {
        (None, TicketCommand::Create(n)) => {
            match facts.customers.get(&n.customer_id) {
                Some(CustomerStatus::Active) => {}
                Some(CustomerStatus::Archived) => {
                    return Err(DomainError::invariant(
                        "customer is archived and takes no new tickets",
                    ))
                }
                None => return Err(DomainError::field("customer_id", "is not a known customer")),
            }
            if let Some(a) = n.assignee {
                facts.active_employee(a, "assignee_id")?;
            }
            // A new ticket's project must be one of its customer's (old events that named
            // any project stay readable: this is checked only here).
            if let Some(p) = n.project_id {
                match facts.projects.get(&p) {
                    None => return Err(DomainError::field("project_id", "is not a known project")),
                    Some(c) if *c != Some(n.customer_id) => {
                        return Err(DomainError::field(
                            "project_id",
                            "is a project of another customer",
                        ))
                    }
                    Some(_) => {}
                }
            }
            return Ok(vec![TicketEvent::Created(TicketCreated {
                ticket_id: n.id,
                ticket_number: Some(n.number),
                customer_id: n.customer_id,
                project_id: n.project_id,
                subject: n.subject.clone(),
                priority: n.priority,
                channel: n.channel,
                assignee_id: n.assignee,
            })]);
        }
        (Some(t), TicketCommand::Create(_)) => {
            return Err(DomainError::invariant(format!(
                "ticket {} already exists",
                t.id
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "ticket",
                id: "(not created)".into(),
            })
        }
        (Some(t), _) => t,
    };
    if t.status == TicketStatus::Closed {
        return Err(closed_error());
    }
    let resolved_only =
        |what: &str| DomainError::invariant(format!("ticket is resolved: reopen it before {what}"));
    let ticket_id = t.id;
    match cmd {
        TicketCommand::Create(_) => Ok(vec![]),
        TicketCommand::Assign { assignee } => {
            if t.status == TicketStatus::Resolved {
                return Err(resolved_only("assigning it"));
            }
            if *assignee == t.assignee {
                return Err(DomainError::invariant(match assignee {
                    Some(a) => format!("ticket is already assigned to {a}"),
                    None => "ticket is not assigned".to_owned(),
                }));
            }
            if let Some(a) = assignee {
                facts.active_employee(*a, "assignee_id")?;
            }
            Ok(vec![TicketEvent::Assigned(TicketAssigned {
                ticket_id,
                assignee_id: *assignee,
                previous_assignee_id: t.assignee,
            })])
        }
        TicketCommand::ChangeStatus { to } => {
            // Resolving and closing have their own commands (they record more).
            let ok = t.status.can_move_to(*to)
                && !matches!(to, TicketStatus::Resolved | TicketStatus::Closed);
            if !ok {
                return Err(transition_error(t.status, *to));
            }
            Ok(vec![TicketEvent::StatusChanged(TicketStatusChanged {
                ticket_id,
                from: t.status,
                to: *to,
            })])
        }
        TicketCommand::ChangePriority { to } => {
            if t.status == TicketStatus::Resolved {
                return Err(resolved_only("changing its priority"));
            }
            if *to == t.priority {
                return Err(DomainError::invariant(format!(
                    "ticket priority is already {to}"
                )));
            }
            Ok(vec![TicketEvent::PriorityChanged(TicketPriorityChanged {
                ticket_id,
                from: t.priority,
                to: *to,
            })])
        }
        TicketCommand::Reply {
            reply_id,
            author,
            visibility,
            body,
        } => {
            if matches!(author, ReplyAuthor::Customer { .. }) && *visibility == Visibility::Internal
            {
                return Err(DomainError::field(
                    "visibility",
                    "a customer cannot write an internal note",
                ));
            }
            if let ReplyAuthor::Customer {
                contact_id: Some(c),
            } = author
            {
                facts.contact_of(*c, t.customer_id)?;
            }
            let mut events = vec![TicketEvent::Replied(TicketReplied {
                ticket_id,
                reply_id: *reply_id,
                author: *author,
                visibility: *visibility,
                body: body.clone(),
            })];
            // The customer answered: the ticket no longer waits on them (back to `open`,
            // which resumes the SLA clocks the waiting status paused).
            if matches!(author, ReplyAuthor::Customer { .. })
                && t.status == TicketStatus::WaitingOnCustomer
            {
                events.push(TicketEvent::StatusChanged(TicketStatusChanged {
                    ticket_id,
                    from: TicketStatus::WaitingOnCustomer,
                    to: TicketStatus::Open,
                }));
            }
            Ok(events)
        }
        TicketCommand::Resolve => match t.status {
            from if from.can_move_to(TicketStatus::Resolved) => {
                Ok(vec![TicketEvent::Resolved(TicketResolved {
                    ticket_id,
                    from: t.status,
                    resolved_at: now,
                })])
            }
            other => Err(transition_error(other, TicketStatus::Resolved)),
        },
        TicketCommand::Close => match t.status {
            from if from.can_move_to(TicketStatus::Closed) => {
                Ok(vec![TicketEvent::Closed(TicketRef { ticket_id })])
            }
            other => Err(transition_error(other, TicketStatus::Closed)),
        },
        TicketCommand::Reopen { window, contact_id } => {
            if let Some(c) = contact_id {
                facts.contact_of(*c, t.customer_id)?;
            }
            if t.status != TicketStatus::Resolved {
                return Err(DomainError::invariant(format!(
                    "only a resolved ticket can be reopened (it is {})",
                    t.status.words()
                )));
            }
            let resolved_at = t.resolved_at.unwrap_or(now);
            if !window.allows(resolved_at, now) {
                return Err(DomainError::invariant(format!(
                    "the reopen window of {} minutes after resolution has passed",
                    window.minutes()
                )));
            }
            Ok(vec![TicketEvent::Reopened(TicketRef { ticket_id })])
        }
    }
}

/// Folds one event into the state. Infallible; returns `None` only when a non-creation
/// event arrives before `ticket.created` (a malformed stream).
pub fn evolve(state: Option<Ticket>, ev: &TicketEvent) -> Option<Ticket> {
    let mut t = match (state, ev) {
        (None, TicketEvent::Created(p)) => {
            return Some(Ticket {
                id: p.ticket_id,
                number: p.ticket_number,
                customer_id: p.customer_id,
                project_id: p.project_id,
                subject: p.subject.clone(),
                priority: p.priority,
                channel: p.channel,
                assignee: p.assignee_id,
                status: TicketStatus::New,
                resolved_at: None,
                reply_count: 0,
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(t), _) => t,
    };
    match ev {
        TicketEvent::Created(_) => {}
        TicketEvent::Assigned(p) => t.assignee = p.assignee_id,
        TicketEvent::StatusChanged(p) => t.status = p.to,
        TicketEvent::PriorityChanged(p) => t.priority = p.to,
        TicketEvent::Replied(_) => t.reply_count = t.reply_count.saturating_add(1),
        TicketEvent::Resolved(p) => {
            t.status = TicketStatus::Resolved;
            t.resolved_at = Some(p.resolved_at);
        }
        TicketEvent::Closed(_) => t.status = TicketStatus::Closed,
        TicketEvent::Reopened(_) => {
            t.status = TicketStatus::Open;
            t.resolved_at = None;
        }
    }
    t.version += 1;
    Some(t)
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<Ticket>,
    events: impl IntoIterator<Item = &'a TicketEvent>,
) -> Option<Ticket> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a TicketEvent>) -> Option<Ticket> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for Ticket {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = TicketCommand;
    type Event = TicketEvent;
    type Facts = TicketFacts;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &TicketCommand,
        facts: &TicketFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }

    fn evolve(state: Option<Self>, event: &TicketEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::DomainEvent;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn cust() -> CustomerId {
        CustomerId::from_uuid(Uuid::from_u128(20))
    }
    fn ana() -> EmployeeId {
        EmployeeId::from_uuid(Uuid::from_u128(1))
    }
    fn facts() -> TicketFacts {
        TicketFacts::new()
            .with_customer(cust(), CustomerStatus::Active)
            .with_employee(ana(), EmployeeStatus::Active)
    }
    fn create() -> TicketCommand {
        TicketCommand::Create(NewTicket {
            id: TicketId::from_uuid(Uuid::from_u128(100)),
            number: TicketNumber::new("n", 7).unwrap(),
            customer_id: cust(),
            project_id: None,
            subject: Name::for_field("subject", "Printer on fire").unwrap(),
            priority: Priority::Normal,
            channel: Channel::Email,
            assignee: None,
        })
    }
    fn run(cmds: &[(TicketCommand, &str)]) -> Result<Ticket, DomainError> {
        let mut state = None;
        for (c, now) in cmds {
            for ev in decide(state.as_ref(), c, &facts(), at(now))? {
                state = evolve(state, &ev);
            }
        }
        state.ok_or_else(|| DomainError::invariant("nothing created"))
    }
    fn status(to: TicketStatus) -> TicketCommand {
        TicketCommand::ChangeStatus { to }
    }
    fn reply(visibility: Visibility, author: ReplyAuthor) -> TicketCommand {
        TicketCommand::Reply {
            reply_id: ReplyId::from_uuid(Uuid::from_u128(7)),
            author,
            visibility,
            body: ReplyBody::new("hello").unwrap(),
        }
    }
    const T0: &str = "2026-01-05T09:00:00Z";

    /// A path of commands to each status: new, open, waiting, resolved, closed.
    fn every_status_path() -> Vec<Vec<(TicketCommand, &'static str)>> {
        vec![
            vec![(create(), T0)],
            vec![(create(), T0), (status(TicketStatus::Open), T0)],
            vec![
                (create(), T0),
                (status(TicketStatus::Open), T0),
                (status(TicketStatus::WaitingOnCustomer), T0),
            ],
            vec![
                (create(), T0),
                (status(TicketStatus::Open), T0),
                (TicketCommand::Resolve, T0),
            ],
            vec![
                (create(), T0),
                (status(TicketStatus::Open), T0),
                (TicketCommand::Resolve, T0),
                (TicketCommand::Close, T0),
            ],
        ]
    }

    #[test]
    fn next_statuses_are_exactly_the_moves_decide_accepts() {
        let paths = every_status_path();
        for path in paths {
            let t = run(&path).unwrap();
            let next = t.status().next_statuses();
            for &to in TicketStatus::ALL {
                let cmd = t.move_to(to);
                let accepted = decide(Some(&t), &cmd, &facts(), at(T0)).is_ok();
                assert_eq!(
                    accepted,
                    next.contains(&to),
                    "{} -> {}: decide {accepted}, next_statuses {next:?}",
                    t.status().as_str(),
                    to.as_str()
                );
            }
        }
    }

    #[test]
    fn move_to_picks_resolve_close_or_a_status_change() {
        use TicketStatus as S;
        assert_eq!(TicketCommand::move_to(S::Resolved), TicketCommand::Resolve);
        assert_eq!(TicketCommand::move_to(S::Closed), TicketCommand::Close);
        for to in [S::New, S::Open, S::WaitingOnCustomer] {
            assert_eq!(TicketCommand::move_to(to), status(to));
        }
        // Every move a ticket offers is accepted, and lands in the target status.
        for path in every_status_path() {
            let t = run(&path).unwrap();
            for to in t.status().next_statuses() {
                let evs = decide(Some(&t), &t.move_to(to), &facts(), at(T0)).unwrap();
                let after = evolve_all(Some(t.clone()), &evs).unwrap();
                assert_eq!(after.status(), to);
            }
        }
    }

    #[test]
    fn actions_are_the_commands_decide_accepts() {
        let ben = EmployeeId::from_uuid(Uuid::from_u128(3));
        let f = facts().with_employee(ben, EmployeeStatus::Active);
        let paths = every_status_path();
        for path in paths {
            let t = run(&path).unwrap();
            let probes = [
                (
                    "assign",
                    TicketCommand::Assign {
                        assignee: Some(ben),
                    },
                ),
                (
                    "change_priority",
                    TicketCommand::ChangePriority {
                        to: Priority::Urgent,
                    },
                ),
                (
                    "reply",
                    reply(
                        Visibility::Public,
                        ReplyAuthor::Employee { employee_id: ana() },
                    ),
                ),
                (
                    "reopen",
                    TicketCommand::Reopen {
                        window: ReopenWindow::DEFAULT,
                        contact_id: None,
                    },
                ),
            ];
            for (name, cmd) in probes {
                assert_eq!(
                    decide(Some(&t), &cmd, &f, at(T0)).is_ok(),
                    t.actions().contains(&name),
                    "{name} when {}",
                    t.status().as_str()
                );
            }
        }
    }

    #[test]
    fn only_open_tickets_take_an_sla() {
        let open = run(&[(create(), T0), (status(TicketStatus::Open), T0)]).unwrap();
        assert_eq!(open.may_take_sla(), Ok(()));
        let resolved = run(&[
            (create(), T0),
            (status(TicketStatus::Open), T0),
            (TicketCommand::Resolve, T0),
        ])
        .unwrap();
        assert_eq!(
            resolved.may_take_sla(),
            Err(DomainError::invariant(
                "a resolved or closed ticket cannot be put under an SLA"
            ))
        );
        let closed = run(&[
            (create(), T0),
            (status(TicketStatus::Open), T0),
            (TicketCommand::Resolve, T0),
            (TicketCommand::Close, T0),
        ])
        .unwrap();
        assert_eq!(closed.may_take_sla(), Err(closed_error()));
        assert_eq!(ReopenWindow::DEFAULT.minutes(), 7 * 24 * 60);
    }

    #[test]
    fn walks_the_status_machine() {
        let t = run(&[
            (create(), T0),
            (status(TicketStatus::Open), T0),
            (status(TicketStatus::WaitingOnCustomer), T0),
            (status(TicketStatus::Open), T0),
            (TicketCommand::Resolve, "2026-01-05T10:00:00Z"),
            (TicketCommand::Close, "2026-01-06T10:00:00Z"),
        ])
        .unwrap();
        assert_eq!(t.status(), TicketStatus::Closed);
        assert_eq!(t.version(), 6);
        assert_eq!(
            run(&[
                (create(), T0),
                (status(TicketStatus::WaitingOnCustomer), T0)
            ]),
            Err(DomainError::invariant(
                "a ticket cannot go from new to waiting_on_customer"
            ))
        );
        assert!(run(&[(create(), T0), (TicketCommand::Resolve, T0)]).is_err());
        assert!(run(&[(create(), T0), (status(TicketStatus::Resolved), T0)]).is_err());
        assert!(run(&[(create(), T0), (TicketCommand::Close, T0)]).is_err());
    }

    #[test]
    fn a_contact_replies_only_on_its_own_customer_s_tickets() {
        let t = run(&[(create(), T0)]).unwrap();
        let mine = ContactId::from_uuid(Uuid::from_u128(31));
        let theirs = ContactId::from_uuid(Uuid::from_u128(32));
        let other = CustomerId::from_uuid(Uuid::from_u128(21));
        let f = facts()
            .with_contact(mine, cust())
            .with_contact(theirs, other);
        let by = |c: ContactId| {
            reply(
                Visibility::Public,
                ReplyAuthor::Customer {
                    contact_id: Some(c),
                },
            )
        };
        assert!(matches!(
            decide(Some(&t), &by(mine), &f, at(T0)).as_deref(),
            Ok([TicketEvent::Replied(_)])
        ));
        assert_eq!(
            decide(Some(&t), &by(theirs), &f, at(T0)),
            Err(DomainError::invariant(format!(
                "contact {theirs} is not a contact of this ticket's customer"
            )))
        );
        let unknown = ContactId::from_uuid(Uuid::from_u128(33));
        assert_eq!(
            decide(Some(&t), &by(unknown), &f, at(T0)),
            Err(DomainError::field("contact_id", "is not a known contact"))
        );
        // A customer message with no known contact (a logged call) needs no fact.
        let anonymous = reply(
            Visibility::Public,
            ReplyAuthor::Customer { contact_id: None },
        );
        assert!(decide(Some(&t), &anonymous, &facts(), at(T0)).is_ok());
    }

    #[test]
    fn a_customer_reply_ends_the_wait_on_the_customer() {
        let waiting = run(&[
            (create(), T0),
            (status(TicketStatus::Open), T0),
            (status(TicketStatus::WaitingOnCustomer), T0),
        ])
        .unwrap();
        let mine = ContactId::from_uuid(Uuid::from_u128(31));
        let f = facts().with_contact(mine, cust());
        for author in [
            ReplyAuthor::Customer {
                contact_id: Some(mine),
            },
            ReplyAuthor::Customer { contact_id: None },
        ] {
            let evs = decide(
                Some(&waiting),
                &reply(Visibility::Public, author),
                &f,
                at(T0),
            )
            .unwrap();
            assert!(
                matches!(
                    evs.as_slice(),
                    [
                        TicketEvent::Replied(_),
                        TicketEvent::StatusChanged(TicketStatusChanged {
                            from: TicketStatus::WaitingOnCustomer,
                            to: TicketStatus::Open,
                            ..
                        })
                    ]
                ),
                "{evs:?}"
            );
            let after = evolve_all(Some(waiting.clone()), &evs).unwrap();
            assert_eq!(
                (after.status(), after.reply_count(), after.version()),
                (TicketStatus::Open, 1, waiting.version() + 2)
            );
        }
        // Staff replies and notes leave it waiting; a customer reply on an open ticket
        // changes no status.
        for (vis, author) in [
            (
                Visibility::Public,
                ReplyAuthor::Employee { employee_id: ana() },
            ),
            (
                Visibility::Internal,
                ReplyAuthor::Employee { employee_id: ana() },
            ),
        ] {
            let evs = decide(Some(&waiting), &reply(vis, author), &f, at(T0)).unwrap();
            assert!(matches!(evs.as_slice(), [TicketEvent::Replied(_)]));
        }
        let open = run(&[(create(), T0), (status(TicketStatus::Open), T0)]).unwrap();
        let evs = decide(
            Some(&open),
            &reply(
                Visibility::Public,
                ReplyAuthor::Customer {
                    contact_id: Some(mine),
                },
            ),
            &f,
            at(T0),
        )
        .unwrap();
        assert!(matches!(evs.as_slice(), [TicketEvent::Replied(_)]));
        // A contact of another customer is refused before anything changes.
        let theirs = ContactId::from_uuid(Uuid::from_u128(32));
        let f = f.with_contact(theirs, CustomerId::from_uuid(Uuid::from_u128(21)));
        assert!(matches!(
            decide(
                Some(&waiting),
                &reply(
                    Visibility::Public,
                    ReplyAuthor::Customer {
                        contact_id: Some(theirs)
                    }
                ),
                &f,
                at(T0)
            ),
            Err(DomainError::Invariant(_))
        ));
    }

    #[test]
    fn a_contact_reopens_only_its_own_customer_s_tickets() {
        let t = run(&[
            (create(), T0),
            (status(TicketStatus::Open), T0),
            (TicketCommand::Resolve, T0),
        ])
        .unwrap();
        let mine = ContactId::from_uuid(Uuid::from_u128(31));
        let theirs = ContactId::from_uuid(Uuid::from_u128(32));
        let f = facts()
            .with_contact(mine, cust())
            .with_contact(theirs, CustomerId::from_uuid(Uuid::from_u128(21)));
        let by = |c: ContactId| TicketCommand::Reopen {
            window: ReopenWindow::DEFAULT,
            contact_id: Some(c),
        };
        assert!(matches!(
            decide(Some(&t), &by(mine), &f, at(T0)).as_deref(),
            Ok([TicketEvent::Reopened(_)])
        ));
        assert_eq!(
            decide(Some(&t), &by(theirs), &f, at(T0)),
            Err(DomainError::invariant(format!(
                "contact {theirs} is not a contact of this ticket's customer"
            )))
        );
        let unknown = ContactId::from_uuid(Uuid::from_u128(33));
        assert_eq!(
            decide(Some(&t), &by(unknown), &f, at(T0)),
            Err(DomainError::field("contact_id", "is not a known contact"))
        );
        // The window applies to a contact as to staff.
        assert!(matches!(
            decide(Some(&t), &by(mine), &f, at("2026-01-13T09:00:01Z")),
            Err(DomainError::Invariant(_))
        ));
    }

    #[test]
    fn no_reply_on_a_closed_ticket() {
        let closed = [
            (create(), T0),
            (status(TicketStatus::Open), T0),
            (TicketCommand::Resolve, T0),
            (TicketCommand::Close, T0),
        ];
        let t = run(&closed).unwrap();
        let r = decide(
            Some(&t),
            &reply(
                Visibility::Public,
                ReplyAuthor::Employee { employee_id: ana() },
            ),
            &facts(),
            at(T0),
        );
        assert_eq!(
            r,
            Err(DomainError::invariant(
                "ticket is closed and takes no changes or replies"
            ))
        );
        assert!(decide(
            Some(&t),
            &TicketCommand::Reopen {
                window: ReopenWindow::from_minutes(60).unwrap(),
                contact_id: None,
            },
            &facts(),
            at(T0)
        )
        .is_err());
    }

    #[test]
    fn customers_cannot_write_internal_notes() {
        let t = run(&[(create(), T0)]).unwrap();
        let r = decide(
            Some(&t),
            &reply(
                Visibility::Internal,
                ReplyAuthor::Customer { contact_id: None },
            ),
            &facts(),
            at(T0),
        );
        assert!(matches!(r, Err(DomainError::Validation(_))));
        let t = run(&[
            (create(), T0),
            (
                reply(
                    Visibility::Internal,
                    ReplyAuthor::Employee { employee_id: ana() },
                ),
                T0,
            ),
        ])
        .unwrap();
        assert_eq!(t.reply_count(), 1);
    }

    #[test]
    fn reopen_only_within_the_window() {
        let resolved = [
            (create(), T0),
            (status(TicketStatus::Open), T0),
            (TicketCommand::Resolve, "2026-01-05T10:00:00Z"),
        ];
        let t = run(&resolved).unwrap();
        let reopen = TicketCommand::Reopen {
            window: ReopenWindow::from_minutes(60).unwrap(),
            contact_id: None,
        };
        // exactly at the end of the window: allowed; one second later: refused
        let evs = decide(Some(&t), &reopen, &facts(), at("2026-01-05T11:00:00Z")).unwrap();
        let t2 = evolve_all(Some(t.clone()), &evs).unwrap();
        assert_eq!(t2.status(), TicketStatus::Open);
        assert_eq!(t2.resolved_at(), None);
        assert_eq!(
            decide(Some(&t), &reopen, &facts(), at("2026-01-05T11:00:01Z")),
            Err(DomainError::invariant(
                "the reopen window of 60 minutes after resolution has passed"
            ))
        );
        assert!(decide(
            Some(&t),
            &TicketCommand::ChangePriority { to: Priority::High },
            &facts(),
            at(T0)
        )
        .is_err());
    }

    #[test]
    fn assignees_and_customers_must_be_active() {
        let inactive = EmployeeId::from_uuid(Uuid::from_u128(2));
        let f = facts().with_employee(inactive, EmployeeStatus::Inactive);
        let t = run(&[(create(), T0)]).unwrap();
        assert!(matches!(
            decide(
                Some(&t),
                &TicketCommand::Assign {
                    assignee: Some(inactive)
                },
                &f,
                at(T0)
            ),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            decide(
                Some(&t),
                &TicketCommand::Assign {
                    assignee: Some(EmployeeId::from_uuid(Uuid::from_u128(99)))
                },
                &f,
                at(T0)
            ),
            Err(DomainError::Validation(_))
        ));
        assert!(decide(
            Some(&t),
            &TicketCommand::Assign { assignee: None },
            &f,
            at(T0)
        )
        .is_err());
        let archived = TicketFacts::new().with_customer(cust(), CustomerStatus::Archived);
        assert!(decide(None, &create(), &archived, at(T0)).is_err());
        assert!(matches!(
            decide(None, &create(), &TicketFacts::new(), at(T0)),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn restore_equals_replay_and_events_round_trip() {
        let cmds = [
            (create(), T0),
            (
                TicketCommand::Assign {
                    assignee: Some(ana()),
                },
                T0,
            ),
            (status(TicketStatus::Open), T0),
            (
                TicketCommand::ChangePriority {
                    to: Priority::Urgent,
                },
                T0,
            ),
            (
                reply(
                    Visibility::Public,
                    ReplyAuthor::Employee { employee_id: ana() },
                ),
                T0,
            ),
            (TicketCommand::Resolve, T0),
        ];
        let mut state = None;
        let mut all = Vec::new();
        for (c, now) in &cmds {
            let evs = decide(state.as_ref(), c, &facts(), at(now)).unwrap();
            state = evolve_all(state, &evs);
            all.extend(evs);
        }
        let t = state.unwrap();
        for ev in &all {
            assert_eq!(
                &TicketEvent::from_stored(ev.event_type(), ev.schema_version(), &ev.payload())
                    .unwrap(),
                ev
            );
        }
        assert_eq!(
            t.number().map(TicketNumber::reference).as_deref(),
            Some("#7")
        );
        let restored = Ticket::restore(TicketRow {
            id: t.id(),
            number: t.number(),
            customer_id: t.customer_id(),
            project_id: t.project_id(),
            subject: t.subject().clone(),
            priority: t.priority(),
            channel: t.channel(),
            assignee: t.assignee(),
            status: t.status(),
            resolved_at: t.resolved_at(),
            reply_count: t.reply_count(),
            version: t.version(),
        });
        assert_eq!(restored, t);
        assert_eq!(replay(&all), Some(t));
    }

    #[test]
    fn version_1_ticket_created_is_lifted_without_a_number() {
        let v1 = serde_json::json!({
            "ticket_id": "01900000-0000-7000-8000-000000000001",
            "customer_id": "01900000-0000-7000-8000-000000000002",
            "project_id": null, "subject": "Old", "priority": "normal", "channel": "email",
            "assignee_id": null
        });
        let v2 = ticket_created_v1_to_v2(v1.clone()).unwrap();
        let ev = TicketEvent::from_stored("ticket.created", 2, &v2).unwrap();
        let t = replay(&[ev]).unwrap();
        assert_eq!(t.number(), None);
        assert!(
            ticket_created_v1_to_v2(v2).is_err(),
            "only version 1 payloads"
        );
        assert!(ticket_created_v1_to_v2(serde_json::json!([])).is_err());
    }

    #[test]
    fn a_search_text_names_a_ticket_number() {
        let n = |s: &str| TicketNumber::parse_reference(s).map(TicketNumber::get);
        assert_eq!(n("12"), Some(12));
        assert_eq!(n(" #12 "), Some(12));
        assert_eq!(n("#0"), None);
        assert_eq!(n("0"), None);
        assert_eq!(n("12a"), None);
        assert_eq!(n("#"), None);
        assert_eq!(n("99999999999"), None);
        assert_eq!(n("4294967296"), None, "beyond u32");
        assert!(serde_json::from_value::<TicketNumber>(serde_json::json!(0)).is_err());
    }
}
