//! Helpdesk email (issue 17): which notifications an event of the log calls for, to whom
//! ([`plan`]), and the mail message aggregate whose events record a mail sent on a ticket
//! (`mail.sent`) or received into one (`mail.received`), shown in the activity feed and the
//! ticket's timeline.
//!
//! The outbox job in `pet-storage-mysql` reads the log from its checkpoint, asks [`plan`]
//! for each event and writes one outbox row per (event, recipient); sending happens in
//! WordPress (`wp_mail`), which reports each message sent, and the application records it
//! as a `mail.sent` event through the one command path.
//!
//! | aggregate | events |
//! |---|---|
//! | `mail_message` | `mail.sent`, `mail.received` |

pub mod inbound;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::activity::{NameLookup, Names, RenderError};
use crate::aggregate::{domain_events, Aggregate};
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::helpdesk::{ReplyAuthor, SlaEvent, TicketEvent, TicketId, TicketNumber, Visibility};
use crate::identity::{ContactId, EmployeeId, EventDecodeError};

/// The job that turns new events of the log into outbox rows.
pub const JOB_MAIL_OUTBOX: &str = "mail.outbox";
/// The mail message aggregate's type.
pub const AGGREGATE_TYPE: &str = "mail_message";

/// A kind of notification, each with its own editable template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// To the customer: the ticket was opened, with its number.
    Acknowledgement,
    /// To the customer: a public reply from staff.
    PublicReply,
    /// To the customer: the ticket was resolved (with a reopen link).
    Resolution,
    /// To staff: a ticket was assigned to you.
    Assignment,
    /// To staff: the customer replied on your ticket.
    CustomerReply,
    /// To staff: an SLA target of your ticket is close.
    SlaWarning,
    /// To staff: an SLA target of your ticket was missed.
    SlaBreach,
}

/// Who a notification kind is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The ticket's customer contact.
    Customer,
    /// An employee.
    Staff,
}

impl NotificationKind {
    /// Every kind, in the order screens list them.
    pub const ALL: [NotificationKind; 7] = [
        Self::Acknowledgement,
        Self::PublicReply,
        Self::Resolution,
        Self::Assignment,
        Self::CustomerReply,
        Self::SlaWarning,
        Self::SlaBreach,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledgement => "acknowledgement",
            Self::PublicReply => "public_reply",
            Self::Resolution => "resolution",
            Self::Assignment => "assignment",
            Self::CustomerReply => "customer_reply",
            Self::SlaWarning => "sla_warning",
            Self::SlaBreach => "sla_breach",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Who it goes to.
    pub fn audience(self) -> Audience {
        match self {
            Self::Acknowledgement | Self::PublicReply | Self::Resolution => Audience::Customer,
            _ => Audience::Staff,
        }
    }

    /// The placeholders its template may use (`{name}`); every kind has the ticket's.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Self::Acknowledgement | Self::Assignment => &[
                "ticket_number",
                "ticket_subject",
                "recipient_name",
                "site_name",
            ],
            Self::PublicReply | Self::CustomerReply => &[
                "ticket_number",
                "ticket_subject",
                "recipient_name",
                "site_name",
                "reply_body",
            ],
            Self::Resolution => &[
                "ticket_number",
                "ticket_subject",
                "recipient_name",
                "site_name",
                "reopen_url",
            ],
            Self::SlaWarning | Self::SlaBreach => &[
                "ticket_number",
                "ticket_subject",
                "recipient_name",
                "site_name",
                "sla_target",
            ],
        }
    }
}

impl std::fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who gets one notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    /// A customer contact.
    Contact(ContactId),
    /// An employee.
    Employee(EmployeeId),
}

impl Recipient {
    /// `contact` or `employee` (the outbox's `recipient_kind`).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Contact(_) => "contact",
            Self::Employee(_) => "employee",
        }
    }

    /// The contact's or employee's id.
    pub fn id(self) -> Uuid {
        match self {
            Self::Contact(c) => c.as_uuid(),
            Self::Employee(e) => e.as_uuid(),
        }
    }
}

/// What [`plan`] needs to know about the ticket beyond the event, as it stood **at the
/// event** (not when the outbox job runs): [`facts_at`] folds them from the ticket's own
/// events up to the event's log position, so a ticket reassigned before the job runs does
/// not mail its new assignee about an older event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketMailFacts {
    /// The contact customer mail goes to: who last wrote to the ticket as a known contact
    /// by then (else the contact of the ticket's opening message; the outbox job falls
    /// back to the customer's first contact with an address when neither is known).
    /// `None`: no customer mail.
    pub requester: Option<ContactId>,
    /// The ticket's assignee at the event (`None`: no staff mail for replies and SLA).
    pub assignee: Option<EmployeeId>,
    /// The event is the ticket's opening message: the customer's reply recorded with
    /// `ticket.created` by the same command. Its news is the ticket itself (acknowledged to
    /// the customer, assigned to staff), so it is not also mailed as a customer reply.
    pub opening_message: bool,
}

/// One event of a ticket's stream as the outbox job reads it: its log sequence, its
/// business time and the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketStreamEvent {
    /// The event's sequence in the log.
    pub sequence: u64,
    /// When it happened (the events of one command share it).
    pub occurred_at: DateTime<Utc>,
    /// The event.
    pub event: TicketEvent,
}

/// The facts in force at log position `sequence` (an event of the ticket's, or an event
/// about it in another stream, such as `sla.warning`), folded from `stream`, the ticket's
/// events in log order (events after `sequence` are ignored, but for the opening message
/// recorded with `ticket.created` in the same command, which names the requester of the
/// acknowledgement):
/// - the assignee: the last `ticket.created` / `ticket.assigned` at or before `sequence`;
/// - the requester: the last customer reply by a known contact at or before `sequence`,
///   else the opening message's contact;
/// - `opening_message`: the event at `sequence` is the customer's reply recorded right
///   after `ticket.created` at the same business time (the events of one command share
///   it; a later command on the ticket, which waits for the ticket's row lock, has a later
///   one).
pub fn facts_at(stream: &[TicketStreamEvent], sequence: u64) -> TicketMailFacts {
    let contact_of = |e: &TicketStreamEvent| match &e.event {
        TicketEvent::Replied(p) => match p.author {
            ReplyAuthor::Customer { contact_id } => Some(contact_id),
            ReplyAuthor::Employee { .. } => None,
        },
        _ => None,
    };
    // The opening message: the customer reply that directly follows `ticket.created` in
    // the same command (same business time).
    let opening = match stream {
        [first, second, ..]
            if matches!(first.event, TicketEvent::Created(_))
                && second.occurred_at == first.occurred_at
                && contact_of(second).is_some() =>
        {
            Some(second)
        }
        _ => None,
    };
    let mut facts = TicketMailFacts::default();
    for e in stream.iter().take_while(|e| e.sequence <= sequence) {
        match &e.event {
            TicketEvent::Created(p) => facts.assignee = p.assignee_id,
            TicketEvent::Assigned(p) => facts.assignee = p.assignee_id,
            _ => {
                if let Some(Some(c)) = contact_of(e) {
                    facts.requester = Some(c);
                }
            }
        }
    }
    if facts.requester.is_none() {
        facts.requester = opening.and_then(|o| contact_of(o).flatten());
    }
    facts.opening_message = opening.is_some_and(|o| o.sequence == sequence);
    facts
}

/// One notification an event calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Which template.
    pub kind: NotificationKind,
    /// To whom.
    pub recipient: Recipient,
    /// The ticket it is about.
    pub ticket_id: TicketId,
    /// A public reply's or customer reply's text (`reply_body`), an SLA target's name.
    pub detail: Option<String>,
}

/// The ticket an event is about, when it is one [`plan`] may notify for.
pub fn ticket_of(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Option<TicketId>, EventDecodeError> {
    if event_type.starts_with("ticket.") {
        return Ok(Some(
            TicketEvent::from_stored(event_type, schema_version, payload)?.ticket_id(),
        ));
    }
    if event_type == "sla.warning" || event_type == "sla.breached" {
        return Ok(Some(
            SlaEvent::from_stored(event_type, schema_version, payload)?.ticket_id(),
        ));
    }
    Ok(None)
}

/// The notifications an event calls for. Rules:
/// - `ticket.created` → the acknowledgement to the requester; the assignment to the
///   assignee unless they opened it themselves;
/// - `ticket.assigned` → the assignment to the new assignee unless they took it themselves;
/// - `ticket.replied` public by an employee → the reply to the requester; by the customer →
///   the customer reply to the assignee, except the ticket's opening message (the
///   acknowledgement and the assignment already tell of it: one notification, not two);
///   internal notes notify nobody;
/// - `ticket.resolved` → the resolution to the requester;
/// - `sla.warning` / `sla.breached` → the assignee;
/// - anything else (mail events included, so mail never begets mail) → nothing.
pub fn plan(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    actor: Option<Uuid>,
    facts: &TicketMailFacts,
) -> Result<Vec<Planned>, EventDecodeError> {
    let to_requester = |kind, ticket_id, detail: Option<String>| {
        facts.requester.map(|c| Planned {
            kind,
            recipient: Recipient::Contact(c),
            ticket_id,
            detail,
        })
    };
    let to_staff = |kind, who: Option<EmployeeId>, ticket_id, detail: Option<String>| {
        who.filter(|e| Some(e.as_uuid()) != actor).map(|e| Planned {
            kind,
            recipient: Recipient::Employee(e),
            ticket_id,
            detail,
        })
    };
    if event_type.starts_with("ticket.") {
        let ev = TicketEvent::from_stored(event_type, schema_version, payload)?;
        let t = ev.ticket_id();
        let out = match &ev {
            TicketEvent::Created(p) => [
                to_requester(NotificationKind::Acknowledgement, t, None),
                to_staff(NotificationKind::Assignment, p.assignee_id, t, None),
            ]
            .into_iter()
            .flatten()
            .collect(),
            TicketEvent::Assigned(p) => {
                to_staff(NotificationKind::Assignment, p.assignee_id, t, None)
                    .into_iter()
                    .collect()
            }
            TicketEvent::Replied(p) => match (p.author, p.visibility) {
                (_, Visibility::Internal) => vec![],
                (ReplyAuthor::Employee { .. }, Visibility::Public) => to_requester(
                    NotificationKind::PublicReply,
                    t,
                    Some(p.body.as_str().to_owned()),
                )
                .into_iter()
                .collect(),
                (ReplyAuthor::Customer { .. }, Visibility::Public) if facts.opening_message => {
                    vec![]
                }
                (ReplyAuthor::Customer { .. }, Visibility::Public) => to_staff(
                    NotificationKind::CustomerReply,
                    facts.assignee,
                    t,
                    Some(p.body.as_str().to_owned()),
                )
                .into_iter()
                .collect(),
            },
            TicketEvent::Resolved(_) => to_requester(NotificationKind::Resolution, t, None)
                .into_iter()
                .collect(),
            _ => vec![],
        };
        return Ok(out);
    }
    if event_type == "sla.warning" || event_type == "sla.breached" {
        let ev = SlaEvent::from_stored(event_type, schema_version, payload)?;
        let out = match &ev {
            SlaEvent::Warning(p) => to_staff(
                NotificationKind::SlaWarning,
                facts.assignee,
                p.ticket_id,
                Some(p.target.as_str().replace('_', " ")),
            ),
            SlaEvent::Breached(p) => to_staff(
                NotificationKind::SlaBreach,
                facts.assignee,
                p.ticket_id,
                Some(p.target.as_str().replace('_', " ")),
            ),
            _ => None,
        };
        // SLA events are written by the system: no actor to leave out.
        return Ok(out.into_iter().collect());
    }
    Ok(vec![])
}

/// Whether a message's sender may write to a ticket by email: the sender is a contact of
/// the ticket's customer (`sender_customer`), the token names that ticket. A token minted
/// for one customer's ticket never lets another customer's contact write to it.
pub fn may_reply_by_email(
    ticket_customer: crate::identity::CustomerId,
    sender_customer: Option<crate::identity::CustomerId>,
) -> Result<(), DomainError> {
    match sender_customer {
        Some(c) if c == ticket_customer => Ok(()),
        Some(_) => Err(DomainError::invariant(
            "the sender is a contact of another customer than the ticket's",
        )),
        None => Err(DomainError::invariant("the sender is not a known contact")),
    }
}

// ---- the mail message aggregate ----------------------------------------------------------

/// A mail message's id (an outbox row's, or an inbound message's).
pub type MailId = Uuid;

/// `mail.sent`: a notification went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSent {
    /// The outbox row.
    pub mail_id: MailId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Its number, when it has one.
    pub ticket_number: Option<TicketNumber>,
    /// The template.
    pub kind: NotificationKind,
    /// `contact` or `employee`.
    pub recipient_kind: String,
    /// The contact or employee.
    pub recipient_id: Uuid,
    /// The subject as sent.
    pub subject: String,
}

/// `mail.received`: a message from the mailbox was added to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailReceived {
    /// The inbound message.
    pub mail_id: MailId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The contact who wrote it.
    pub contact_id: ContactId,
    /// The subject.
    pub subject: String,
    /// Attachments kept.
    pub attachments: u32,
}

domain_events! {
    /// Facts about a mail message.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum MailEvent {
        /// `mail.sent`
        Sent(MailSent) = "mail.sent",
        /// `mail.received`
        Received(MailReceived) = "mail.received",
    }
}

impl MailEvent {
    fn ids(&self) -> (MailId, TicketId) {
        match self {
            Self::Sent(p) => (p.mail_id, p.ticket_id),
            Self::Received(p) => (p.mail_id, p.ticket_id),
        }
    }
}

impl AggregateEvent for MailEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.ids().0
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Ticket, self.ids().1.as_uuid())
    }
}

/// A mail message recorded on a ticket (sent or received; recorded once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    /// Its id.
    pub id: MailId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The aggregate's version.
    pub version: u64,
}

/// Commands of [`MailMessage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailCommand {
    /// Record a notification as sent.
    RecordSent(MailSent),
    /// Record an inbound message as added to its ticket.
    RecordReceived(MailReceived),
}

impl Aggregate for MailMessage {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = MailCommand;
    type Event = MailEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    /// Rules: a message is recorded once (sending it again is a new outbox row).
    fn decide(
        state: Option<&Self>,
        cmd: &MailCommand,
        _facts: &(),
        _now: DateTime<Utc>,
    ) -> Result<Vec<MailEvent>, DomainError> {
        if let Some(s) = state {
            return Err(DomainError::invariant(format!(
                "mail {} is already recorded",
                s.id
            )));
        }
        Ok(vec![match cmd {
            MailCommand::RecordSent(p) => MailEvent::Sent(p.clone()),
            MailCommand::RecordReceived(p) => MailEvent::Received(p.clone()),
        }])
    }

    fn evolve(state: Option<Self>, event: &MailEvent) -> Option<Self> {
        let (id, ticket_id) = event.ids();
        Some(MailMessage {
            id,
            ticket_id,
            version: state.map_or(0, |s| s.version) + 1,
        })
    }
}

// ---- the module --------------------------------------------------------------------------

/// The module's descriptor (see [`crate::module`]). Its events are about tickets (the
/// support area's context), so it declares no context of its own.
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "mail",
    events: &[MailEvent::EVENT_TYPES],
    contexts: &[],
    render,
    names_introduced,
    job_kinds: &[JOB_MAIL_OUTBOX],
};

fn kind_words(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Acknowledgement => "acknowledgement",
        NotificationKind::PublicReply => "reply",
        NotificationKind::Resolution => "resolution notice",
        NotificationKind::Assignment => "assignment notice",
        NotificationKind::CustomerReply => "customer reply notice",
        NotificationKind::SlaWarning => "SLA warning",
        NotificationKind::SlaBreach => "SLA breach notice",
    }
}

pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
    let event = MailEvent::from_stored(event_type, schema_version, payload)?;
    Ok(match &event {
        MailEvent::Sent(p) => {
            let to = if p.recipient_kind == "employee" {
                names.get(ContextType::Employee, p.recipient_id)
            } else {
                "the customer".to_owned()
            };
            format!(
                "Email {} “{}” was sent to {to} for {}",
                kind_words(p.kind),
                p.subject,
                names.get(ContextType::Ticket, p.ticket_id.as_uuid())
            )
        }
        MailEvent::Received(p) => {
            let mut s = format!(
                "Email “{}” from the customer was added to {}",
                p.subject,
                names.get(ContextType::Ticket, p.ticket_id.as_uuid())
            );
            if p.attachments > 0 {
                s.push_str(&format!(" with {} attachment(s)", p.attachments));
            }
            s
        }
    })
}

pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    MailEvent::from_stored(event_type, schema_version, payload)?;
    Ok(vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::StoredEvent;
    use serde_json::json;

    fn t() -> Uuid {
        Uuid::from_u128(1)
    }
    fn c() -> ContactId {
        ContactId::from_uuid(Uuid::from_u128(2))
    }
    fn e(n: u128) -> EmployeeId {
        EmployeeId::from_uuid(Uuid::from_u128(100 + n))
    }
    fn facts(assignee: Option<EmployeeId>) -> TicketMailFacts {
        TicketMailFacts {
            requester: Some(c()),
            assignee,
            opening_message: false,
        }
    }
    fn kinds(v: &[Planned]) -> Vec<(NotificationKind, Recipient)> {
        v.iter().map(|p| (p.kind, p.recipient)).collect()
    }
    fn reply(author: serde_json::Value, visibility: &str) -> serde_json::Value {
        json!({"ticket_id": t(), "reply_id": Uuid::from_u128(9), "author": author,
               "visibility": visibility, "body": "Hello"})
    }

    #[test]
    fn every_kind_round_trips_and_has_the_ticket_placeholders() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
            assert!(k.placeholders().contains(&"ticket_number"));
        }
        assert_eq!(NotificationKind::parse("nope"), None);
    }

    #[test]
    fn public_staff_reply_goes_to_the_requester_internal_notes_to_nobody() {
        let staff = json!({"kind": "employee", "employee_id": e(1)});
        let p = plan(
            "ticket.replied",
            1,
            &reply(staff.clone(), "public"),
            None,
            &facts(None),
        )
        .unwrap();
        assert_eq!(
            kinds(&p),
            vec![(NotificationKind::PublicReply, Recipient::Contact(c()))]
        );
        assert_eq!(p[0].detail.as_deref(), Some("Hello"));
        let p = plan(
            "ticket.replied",
            1,
            &reply(staff, "internal"),
            None,
            &facts(Some(e(1))),
        )
        .unwrap();
        assert!(p.is_empty());
    }

    #[test]
    fn customer_reply_goes_to_the_assignee_only() {
        let cust = json!({"kind": "customer", "contact_id": c()});
        let p = plan(
            "ticket.replied",
            1,
            &reply(cust.clone(), "public"),
            None,
            &facts(Some(e(1))),
        )
        .unwrap();
        assert_eq!(
            kinds(&p),
            vec![(NotificationKind::CustomerReply, Recipient::Employee(e(1)))]
        );
        assert!(plan(
            "ticket.replied",
            1,
            &reply(cust, "public"),
            None,
            &facts(None)
        )
        .unwrap()
        .is_empty());
    }

    /// A ticket's stream: `(sequence, minute, event)`.
    fn stream(events: Vec<(u64, i64, TicketEvent)>) -> Vec<TicketStreamEvent> {
        let t0: DateTime<Utc> = "2026-01-05T09:00:00Z".parse().unwrap();
        events
            .into_iter()
            .map(|(sequence, m, event)| TicketStreamEvent {
                sequence,
                occurred_at: t0 + chrono::Duration::minutes(m),
                event,
            })
            .collect()
    }
    fn tid() -> TicketId {
        TicketId::from_uuid(t())
    }
    fn created(assignee: Option<EmployeeId>) -> TicketEvent {
        TicketEvent::from_stored(
            "ticket.created",
            2,
            &json!({"ticket_id": t(), "ticket_number": 5, "customer_id": Uuid::from_u128(3),
                    "project_id": null, "subject": "Printer", "priority": "normal",
                    "channel": "portal", "assignee_id": assignee}),
        )
        .unwrap()
    }
    fn assigned(to: Option<EmployeeId>, from: Option<EmployeeId>) -> TicketEvent {
        TicketEvent::Assigned(crate::helpdesk::ticket::TicketAssigned {
            ticket_id: tid(),
            assignee_id: to,
            previous_assignee_id: from,
        })
    }
    fn replied(author: ReplyAuthor) -> TicketEvent {
        TicketEvent::from_stored(
            "ticket.replied",
            1,
            &reply(serde_json::to_value(author).unwrap(), "public"),
        )
        .unwrap()
    }
    fn by(contact: Option<ContactId>) -> ReplyAuthor {
        ReplyAuthor::Customer {
            contact_id: contact,
        }
    }

    #[test]
    fn facts_are_those_in_force_at_the_event() {
        let c2 = ContactId::from_uuid(Uuid::from_u128(22));
        let s = stream(vec![
            (10, 0, created(Some(e(1)))),
            (11, 0, replied(by(Some(c())))),
            (20, 5, replied(ReplyAuthor::Employee { employee_id: e(1) })),
            (30, 9, assigned(Some(e(2)), Some(e(1)))),
            (40, 12, replied(by(Some(c2)))),
        ]);
        // At the staff reply (20) the assignee is still e(1), the requester the opener,
        // though the ticket was reassigned (30) and another contact wrote (40) later.
        let at20 = facts_at(&s, 20);
        assert_eq!(
            (at20.assignee, at20.requester, at20.opening_message),
            (Some(e(1)), Some(c()), false)
        );
        // An event of another stream between 20 and 30 (an SLA warning at 25): e(1).
        assert_eq!(facts_at(&s, 25).assignee, Some(e(1)));
        let at40 = facts_at(&s, 40);
        assert_eq!((at40.assignee, at40.requester), (Some(e(2)), Some(c2)));
        // ticket.created: the opener is the requester (recorded with it), not an opening.
        let at10 = facts_at(&s, 10);
        assert_eq!(
            (at10.assignee, at10.requester, at10.opening_message),
            (Some(e(1)), Some(c()), false)
        );
        assert!(facts_at(&s, 11).opening_message);
        // Unassigned later: no staff mail for later events.
        let mut s2 = s.clone();
        s2.push(stream(vec![(50, 20, assigned(None, Some(e(2))))]).remove(0));
        assert_eq!(facts_at(&s2, 50).assignee, None);
        assert_eq!(facts_at(&s2, 40).assignee, Some(e(2)));
    }

    #[test]
    fn a_first_reply_in_a_later_command_is_no_opening_message() {
        // Created without a message; the customer writes a minute later.
        let s = stream(vec![
            (10, 0, created(Some(e(1)))),
            (12, 1, replied(by(Some(c())))),
        ]);
        let f = facts_at(&s, 12);
        assert!(!f.opening_message);
        assert_eq!(facts_at(&s, 10).requester, None, "nobody known yet");
        let p = plan(
            "ticket.replied",
            1,
            &reply(json!({"kind": "customer", "contact_id": c()}), "public"),
            None,
            &f,
        )
        .unwrap();
        assert_eq!(
            kinds(&p),
            vec![(NotificationKind::CustomerReply, Recipient::Employee(e(1)))]
        );
    }

    #[test]
    fn a_new_ticket_s_first_message_is_one_notification_not_two() {
        let s = stream(vec![
            (10, 0, created(Some(e(1)))),
            (11, 0, replied(by(Some(c())))),
        ]);
        let created_payload = json!({"ticket_id": t(), "ticket_number": 5,
            "customer_id": Uuid::from_u128(3), "project_id": null, "subject": "Printer",
            "priority": "normal", "channel": "portal", "assignee_id": e(1)});
        let on_create = plan(
            "ticket.created",
            2,
            &created_payload,
            None,
            &facts_at(&s, 10),
        )
        .unwrap();
        assert_eq!(
            kinds(&on_create),
            vec![
                (NotificationKind::Acknowledgement, Recipient::Contact(c())),
                (NotificationKind::Assignment, Recipient::Employee(e(1)))
            ]
        );
        let on_message = plan(
            "ticket.replied",
            1,
            &reply(json!({"kind": "customer", "contact_id": c()}), "public"),
            None,
            &facts_at(&s, 11),
        )
        .unwrap();
        assert!(on_message.is_empty(), "{on_message:?}");
        // An anonymous opening message (a logged call) is an opening message too.
        let s = stream(vec![
            (10, 0, created(Some(e(1)))),
            (11, 0, replied(by(None))),
        ]);
        assert!(facts_at(&s, 11).opening_message);
        assert_eq!(facts_at(&s, 11).requester, None);
    }

    #[test]
    fn self_assignment_notifies_nobody() {
        let ev = json!({"ticket_id": t(), "assignee_id": e(1), "previous_assignee_id": null});
        let p = plan(
            "ticket.assigned",
            1,
            &ev,
            Some(e(2).as_uuid()),
            &facts(None),
        )
        .unwrap();
        assert_eq!(
            kinds(&p),
            vec![(NotificationKind::Assignment, Recipient::Employee(e(1)))]
        );
        let p = plan(
            "ticket.assigned",
            1,
            &ev,
            Some(e(1).as_uuid()),
            &facts(None),
        )
        .unwrap();
        assert!(p.is_empty());
    }

    #[test]
    fn resolution_and_no_requester() {
        let ev = json!({"ticket_id": t(), "from": "open", "resolved_at": "2026-01-01T00:00:00Z"});
        let p = plan("ticket.resolved", 1, &ev, None, &facts(None)).unwrap();
        assert_eq!(
            kinds(&p),
            vec![(NotificationKind::Resolution, Recipient::Contact(c()))]
        );
        let none = TicketMailFacts::default();
        assert!(plan("ticket.resolved", 1, &ev, None, &none)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn mail_events_and_other_modules_notify_nobody() {
        let sent = MailEvent::Sent(MailSent {
            mail_id: Uuid::from_u128(5),
            ticket_id: TicketId::from_uuid(t()),
            ticket_number: None,
            kind: NotificationKind::PublicReply,
            recipient_kind: "contact".into(),
            recipient_id: c().as_uuid(),
            subject: "Re: x".into(),
        });
        let payload = match &sent {
            MailEvent::Sent(p) => serde_json::to_value(p).unwrap(),
            MailEvent::Received(_) => unreachable!(),
        };
        assert!(plan("mail.sent", 1, &payload, None, &facts(Some(e(1))))
            .unwrap()
            .is_empty());
        assert!(<MailEvent as StoredEvent>::from_stored("mail.sent", 1, &payload).is_ok());
        assert!(plan("kpi.defined", 1, &json!({}), None, &facts(None))
            .unwrap()
            .is_empty());
        let line = render("mail.sent", 1, &payload, &crate::activity::NoNames).unwrap();
        assert!(line.contains("“Re: x”"), "{line}");
    }

    #[test]
    fn a_message_is_recorded_once() {
        let cmd = MailCommand::RecordReceived(MailReceived {
            mail_id: Uuid::from_u128(7),
            ticket_id: TicketId::from_uuid(t()),
            contact_id: c(),
            subject: "s".into(),
            attachments: 0,
        });
        let now = DateTime::<Utc>::from_timestamp(0, 0).unwrap();
        let evs = MailMessage::decide(None, &cmd, &(), now).unwrap();
        let state = MailMessage::replay(&evs).unwrap();
        assert!(MailMessage::decide(Some(&state), &cmd, &(), now).is_err());
    }

    #[test]
    fn only_the_ticket_customer_s_contacts_may_reply() {
        use crate::identity::CustomerId;
        let a = CustomerId::from_uuid(Uuid::from_u128(50));
        let b = CustomerId::from_uuid(Uuid::from_u128(51));
        assert!(may_reply_by_email(a, Some(a)).is_ok());
        assert!(may_reply_by_email(a, Some(b)).is_err());
        assert!(may_reply_by_email(a, None).is_err());
    }
}
