//! The event envelope: the columns of `domain_events` (see `pet-domain-events.md`) as
//! validated value objects.
//!
//! A [`NewEvent`] is what a decided command produces and a storage adapter appends; a
//! [`RecordedEvent`] is what it reads back, with the store-assigned sequence number and
//! `recorded_at`. Every part of the envelope guards itself: an invalid one cannot be built.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an event envelope (or one of its parts) is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The event type is not a lowercase, dot-namespaced name such as `employee.created`.
    #[error(
        "invalid event type {0:?}: expected lowercase `namespace.name` of at most 64 characters"
    )]
    InvalidEventType(String),
    /// Schema versions start at 1.
    #[error("invalid schema version 0 for {0}: versions start at 1")]
    InvalidSchemaVersion(String),
    /// Payloads must be JSON objects.
    #[error("payload of {0} must be a JSON object")]
    PayloadNotObject(String),
    /// The idempotency key is empty, too long or has non-printable characters.
    #[error("invalid idempotency key: {0}")]
    InvalidIdempotencyKey(String),
    /// The context type is not one PET knows.
    #[error("unknown context type {0:?}")]
    UnknownContextType(String),
    /// The aggregate type is empty or malformed.
    #[error("invalid aggregate type {0:?}")]
    InvalidAggregateType(String),
    /// Aggregate versions start at 1 (the version after the event is applied).
    #[error("invalid aggregate version 0: versions start at 1")]
    InvalidAggregateVersion,
    /// No such event type is registered.
    #[error("unknown event type {0}")]
    UnknownEventType(String),
    /// The event was written by a newer PET than this one.
    #[error("{event_type} schema version {found} is newer than the newest known ({known})")]
    SchemaVersionTooNew {
        /// The event type.
        event_type: String,
        /// The version found on the event.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// A new event must be written at the current schema version of its type.
    #[error("{event_type} must be written at schema version {current}, not {found}")]
    NotCurrentSchemaVersion {
        /// The event type.
        event_type: String,
        /// The version on the new event.
        found: u32,
        /// The current version.
        current: u32,
    },
    /// An upcaster could not convert an old payload.
    #[error("cannot upcast {event_type} from schema version {from}: {reason}")]
    Upcast {
        /// The event type.
        event_type: String,
        /// The version being upcast from.
        from: u32,
        /// What was wrong with the payload.
        reason: String,
    },
}

fn is_segment(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// A stable, namespaced event type such as `employee.created`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventType(String);

impl EventType {
    /// Validates `s`: two or more dot-separated lowercase segments, at most 64 characters.
    pub fn new(s: impl Into<String>) -> Result<Self, EventError> {
        let s = s.into();
        let ok = s.len() <= 64 && s.split('.').count() >= 2 && s.split('.').all(is_segment);
        if ok {
            Ok(Self(s))
        } else {
            Err(EventError::InvalidEventType(s))
        }
    }

    /// The type as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The namespace: the part before the first dot (`employee` for `employee.created`).
    pub fn namespace(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }
}

impl TryFrom<String> for EventType {
    type Error = EventError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<EventType> for String {
    fn from(t: EventType) -> String {
        t.0
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of primary context an event belongs to (`context_type` column).
///
/// Every event has exactly one primary context; further references go in the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextType {
    /// An employee.
    Employee,
    /// A team.
    Team,
    /// The published organisation structure.
    OrgStructure,
    /// A customer (company).
    Customer,
    /// A lead.
    Lead,
    /// A lead schema (custom field definitions).
    LeadSchema,
    /// An opportunity.
    Opportunity,
    /// A quote.
    Quote,
    /// A sale.
    Sale,
    /// A project.
    Project,
    /// A support ticket.
    Ticket,
    /// An SLA definition.
    SlaDefinition,
    /// A knowledge-base article.
    KnowledgeArticle,
    /// A KPI definition.
    Kpi,
    /// A time entry.
    TimeEntry,
    /// The period lock of time entries.
    TimePeriod,
    /// A push to the accounting system.
    AccountingPush,
}

impl ContextType {
    /// Every context type, in declaration order.
    pub const ALL: [ContextType; 17] = [
        ContextType::Employee,
        ContextType::Team,
        ContextType::OrgStructure,
        ContextType::Customer,
        ContextType::Lead,
        ContextType::LeadSchema,
        ContextType::Opportunity,
        ContextType::Quote,
        ContextType::Sale,
        ContextType::Project,
        ContextType::Ticket,
        ContextType::SlaDefinition,
        ContextType::KnowledgeArticle,
        ContextType::Kpi,
        ContextType::TimeEntry,
        ContextType::TimePeriod,
        ContextType::AccountingPush,
    ];

    /// The stored name, e.g. `org_structure`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextType::Employee => "employee",
            ContextType::Team => "team",
            ContextType::OrgStructure => "org_structure",
            ContextType::Customer => "customer",
            ContextType::Lead => "lead",
            ContextType::LeadSchema => "lead_schema",
            ContextType::Opportunity => "opportunity",
            ContextType::Quote => "quote",
            ContextType::Sale => "sale",
            ContextType::Project => "project",
            ContextType::Ticket => "ticket",
            ContextType::SlaDefinition => "sla_definition",
            ContextType::KnowledgeArticle => "knowledge_article",
            ContextType::Kpi => "kpi",
            ContextType::TimeEntry => "time_entry",
            ContextType::TimePeriod => "time_period",
            ContextType::AccountingPush => "accounting_push",
        }
    }
}

impl std::str::FromStr for ContextType {
    type Err = EventError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContextType::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| EventError::UnknownContextType(s.to_owned()))
    }
}

impl std::fmt::Display for ContextType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The primary context of an event: `context_type` + `context_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContextRef {
    /// What kind of thing the event is about.
    pub context_type: ContextType,
    /// Its id.
    pub context_id: Uuid,
}

impl ContextRef {
    /// A context reference.
    pub fn new(context_type: ContextType, context_id: Uuid) -> Self {
        Self {
            context_type,
            context_id,
        }
    }
}

/// The aggregate an event changes, and that aggregate's version *after* the event.
///
/// Versions start at 1 and grow by one per event; storage enforces uniqueness of
/// `(aggregate_type, aggregate_id, aggregate_version)`, which is what turns a stale
/// write into a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AggregateRef {
    aggregate_type: String,
    aggregate_id: Uuid,
    version: u64,
}

impl AggregateRef {
    /// Validates the aggregate type (same shape as an event-type segment) and version ≥ 1.
    pub fn new(
        aggregate_type: impl Into<String>,
        aggregate_id: Uuid,
        version: u64,
    ) -> Result<Self, EventError> {
        let aggregate_type = aggregate_type.into();
        if aggregate_type.len() > 64 || !is_segment(&aggregate_type) {
            return Err(EventError::InvalidAggregateType(aggregate_type));
        }
        if version == 0 {
            return Err(EventError::InvalidAggregateVersion);
        }
        Ok(Self {
            aggregate_type,
            aggregate_id,
            version,
        })
    }

    /// The aggregate type, e.g. `employee`.
    pub fn aggregate_type(&self) -> &str {
        &self.aggregate_type
    }

    /// The aggregate id.
    pub fn aggregate_id(&self) -> Uuid {
        self.aggregate_id
    }

    /// The aggregate's version after this event.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Who caused an event: an employee, a customer contact (through the customer portal), or
/// the system (cron, migrations, jobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A system command (no employee); stored as a NULL `actor_employee_id`.
    System,
    /// An employee, by id.
    Employee(Uuid),
    /// A customer's contact, by id, acting through the customer portal: no employee, so
    /// `actor_employee_id` is NULL and the contact is `actor_contact_id` (migration 0029).
    Contact(Uuid),
}

impl Actor {
    /// The `actor_employee_id` column value.
    pub fn employee_id(self) -> Option<Uuid> {
        match self {
            Actor::System | Actor::Contact(_) => None,
            Actor::Employee(id) => Some(id),
        }
    }

    /// The `actor_contact_id` column value.
    pub fn contact_id(self) -> Option<Uuid> {
        match self {
            Actor::Contact(id) => Some(id),
            Actor::System | Actor::Employee(_) => None,
        }
    }
}

/// A caller-chosen key that makes a command safe to replay: 1–128 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Validates the key.
    pub fn new(s: impl Into<String>) -> Result<Self, EventError> {
        let s = s.into();
        if s.is_empty() {
            return Err(EventError::InvalidIdempotencyKey(
                "must not be empty".into(),
            ));
        }
        if s.len() > 128 {
            return Err(EventError::InvalidIdempotencyKey(
                "must be at most 128 characters".into(),
            ));
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(EventError::InvalidIdempotencyKey(
                "must be printable ASCII without spaces".into(),
            ));
        }
        Ok(Self(s))
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = EventError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> String {
        k.0
    }
}

/// What the application layer supplies around a decided domain event: its id, the
/// business time, the actor and the optional idempotency key of the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMeta {
    /// Unique event id (UUIDv7 recommended; generated outside the core).
    pub event_id: Uuid,
    /// Business time of the fact (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Who caused it.
    pub actor: Actor,
    /// The command's idempotency key, if any.
    pub idempotency_key: Option<IdempotencyKey>,
}

/// A typed domain event that knows how it is stored: its name, schema version and payload.
///
/// Generated for each aggregate's event enum by `domain_events!`.
pub trait DomainEvent {
    /// The stable event type, e.g. `employee.created`.
    fn event_type(&self) -> &'static str;
    /// The schema version this build writes for that type.
    fn schema_version(&self) -> u32;
    /// The JSON payload (an object, facts only).
    fn payload(&self) -> serde_json::Value;
}

/// A typed domain event that belongs to one aggregate: knows which aggregate it changes
/// and its primary context, so a decided batch can be wrapped into envelopes with
/// [`envelopes`].
pub trait AggregateEvent: DomainEvent {
    /// The aggregate type, e.g. `employee` (stored as `aggregate_type`).
    fn aggregate_type(&self) -> &'static str;
    /// The id of the aggregate the event changes.
    fn aggregate_id(&self) -> Uuid;
    /// The primary context.
    fn context(&self) -> ContextRef;
}

/// Wraps the events a `decide` returned into envelopes ready to append.
///
/// `version_before` is the aggregate's version the command was decided against (0 for a
/// new aggregate); event `i` gets aggregate version `version_before + i + 1`. `meta(i)`
/// supplies the id, business time, actor and idempotency key of event `i`.
pub fn envelopes<E: AggregateEvent>(
    events: &[E],
    version_before: u64,
    mut meta: impl FnMut(usize) -> EventMeta,
) -> Result<Vec<NewEvent>, EventError> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let version = version_before
                .checked_add(i as u64 + 1)
                .ok_or(EventError::InvalidAggregateVersion)?;
            let aggregate = AggregateRef::new(e.aggregate_type(), e.aggregate_id(), version)?;
            NewEvent::from_domain(e, aggregate, meta(i))
        })
        .collect()
}

/// An event ready to append: every column of `domain_events` except the store-assigned
/// sequence number and `recorded_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    event_id: Uuid,
    event_type: EventType,
    schema_version: u32,
    occurred_at: DateTime<Utc>,
    actor: Actor,
    context: ContextRef,
    aggregate: AggregateRef,
    payload: serde_json::Value,
    idempotency_key: Option<IdempotencyKey>,
}

impl NewEvent {
    /// Builds an envelope, checking the schema version (≥ 1) and that the payload is an object.
    pub fn new(
        meta: EventMeta,
        event_type: EventType,
        schema_version: u32,
        context: ContextRef,
        aggregate: AggregateRef,
        payload: serde_json::Value,
    ) -> Result<Self, EventError> {
        if schema_version == 0 {
            return Err(EventError::InvalidSchemaVersion(event_type.0));
        }
        if !payload.is_object() {
            return Err(EventError::PayloadNotObject(event_type.0));
        }
        Ok(Self {
            event_id: meta.event_id,
            event_type,
            schema_version,
            occurred_at: meta.occurred_at,
            actor: meta.actor,
            context,
            aggregate,
            payload,
            idempotency_key: meta.idempotency_key,
        })
    }

    /// Wraps a typed domain event.
    pub fn from_domain(
        event: &impl AggregateEvent,
        aggregate: AggregateRef,
        meta: EventMeta,
    ) -> Result<Self, EventError> {
        Self::new(
            meta,
            EventType::new(event.event_type())?,
            event.schema_version(),
            event.context(),
            aggregate,
            event.payload(),
        )
    }

    /// Unique event id.
    pub fn event_id(&self) -> Uuid {
        self.event_id
    }
    /// Event type.
    pub fn event_type(&self) -> &EventType {
        &self.event_type
    }
    /// Payload schema version.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }
    /// Business time of the fact.
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at
    }
    /// Who caused it.
    pub fn actor(&self) -> Actor {
        self.actor
    }
    /// Primary context.
    pub fn context(&self) -> ContextRef {
        self.context
    }
    /// The aggregate changed and its version after the event.
    pub fn aggregate(&self) -> &AggregateRef {
        &self.aggregate
    }
    /// JSON payload (always an object).
    pub fn payload(&self) -> &serde_json::Value {
        &self.payload
    }
    /// Idempotency key of the command, if any.
    pub fn idempotency_key(&self) -> Option<&IdempotencyKey> {
        self.idempotency_key.as_ref()
    }
}

/// An event as read back from the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Store-assigned, strictly increasing position (the `id` column).
    pub sequence: u64,
    /// When the store recorded it (UTC).
    pub recorded_at: DateTime<Utc>,
    /// The envelope as appended.
    pub event: NewEvent,
}

impl RecordedEvent {
    /// The same event with another payload and schema version (used by upcasting).
    pub fn with_payload(mut self, schema_version: u32, payload: serde_json::Value) -> Self {
        self.event.schema_version = schema_version;
        self.event.payload = payload;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_type_validation() {
        for ok in [
            "employee.created",
            "org_structure.published",
            "a.b.c",
            "sla.breached",
        ] {
            assert!(EventType::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "employee",
            "Employee.created",
            "employee.",
            ".created",
            "employee..created",
            "employee.created!",
            "1employee.created",
        ] {
            assert!(EventType::new(bad).is_err(), "{bad}");
        }
        assert!(EventType::new(format!("a.{}", "b".repeat(63))).is_err());
    }

    #[test]
    fn context_type_round_trips() {
        for c in ContextType::ALL {
            assert_eq!(c.as_str().parse::<ContextType>(), Ok(c));
            assert_eq!(
                serde_json::to_value(c).ok(),
                Some(serde_json::Value::String(c.as_str().into()))
            );
        }
        assert!("nope".parse::<ContextType>().is_err());
    }

    #[test]
    fn idempotency_key_validation() {
        assert!(IdempotencyKey::new("req-123").is_ok());
        assert!(IdempotencyKey::new("").is_err());
        assert!(IdempotencyKey::new("has space").is_err());
        assert!(IdempotencyKey::new("é").is_err());
        assert!(IdempotencyKey::new("x".repeat(129)).is_err());
        assert!(IdempotencyKey::new("x".repeat(128)).is_ok());
    }

    #[test]
    fn new_event_requires_object_payload_and_version() {
        let meta = EventMeta {
            event_id: Uuid::nil(),
            occurred_at: DateTime::<Utc>::UNIX_EPOCH,
            actor: Actor::System,
            idempotency_key: None,
        };
        let ctx = ContextRef::new(ContextType::Team, Uuid::nil());
        let agg = AggregateRef::new("team", Uuid::nil(), 1);
        assert!(agg.is_ok());
        let Ok(agg) = agg else { return };
        let ty = EventType::new("team.created");
        let Ok(ty) = ty else { panic!("valid type") };
        assert_eq!(
            NewEvent::new(
                meta.clone(),
                ty.clone(),
                1,
                ctx,
                agg.clone(),
                serde_json::json!([])
            ),
            Err(EventError::PayloadNotObject("team.created".into()))
        );
        assert!(matches!(
            NewEvent::new(
                meta.clone(),
                ty.clone(),
                0,
                ctx,
                agg.clone(),
                serde_json::json!({})
            ),
            Err(EventError::InvalidSchemaVersion(_))
        ));
        assert!(NewEvent::new(meta, ty, 1, ctx, agg, serde_json::json!({})).is_ok());
        assert!(AggregateRef::new("team", Uuid::nil(), 0).is_err());
        assert!(AggregateRef::new("Team", Uuid::nil(), 1).is_err());
    }
}
