//! The Lead aggregate: a prospective sale, `new → contacted → qualified | disqualified`,
//! then `archived`. Its custom values are validated against the lead schema version it
//! was captured with, forever.

use crate::aggregate::domain_events;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{LeadId, LeadSchemaId, SchemaVersionNumber};
use super::schema::{CustomValues, LeadSchemaVersion};
use super::values::Text;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::customer::CustomerStatus;
use crate::identity::employee::EmployeeStatus;
use crate::identity::ids::{CustomerId, EmployeeId};
use crate::identity::values::{Money, Name, Note};

/// The aggregate type of leads.
pub const AGGREGATE_TYPE: &str = "lead";

/// Where a lead is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Captured, nobody has talked to them yet.
    New,
    /// Somebody has been in touch.
    Contacted,
    /// Worth pursuing: opportunities may be opened from it.
    Qualified,
    /// Not worth pursuing (with a reason).
    Disqualified,
    /// Put away after its outcome; takes no changes.
    Archived,
}

impl LeadStatus {
    /// The stored name, e.g. `contacted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Contacted => "contacted",
            Self::Qualified => "qualified",
            Self::Disqualified => "disqualified",
            Self::Archived => "archived",
        }
    }

    /// The statuses a lead may move to from this one (contact, qualify, disqualify,
    /// archive), in life-cycle order: what [`decide`] accepts and a screen offers.
    pub fn next_statuses(self) -> &'static [LeadStatus] {
        use LeadStatus as S;
        match self {
            S::New => &[S::Contacted, S::Disqualified],
            S::Contacted => &[S::Qualified, S::Disqualified],
            S::Qualified | S::Disqualified => &[S::Archived],
            S::Archived => &[],
        }
    }

    /// The commands a lead in this status takes (what a screen offers): `update` until it
    /// is archived, the moves of [`LeadStatus::next_statuses`] (`contact`, `qualify`,
    /// `disqualify`, `archive`) and, once qualified, `open_opportunity`.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Self::New => &["update", "contact", "disqualify"],
            Self::Contacted => &["update", "qualify", "disqualify"],
            Self::Qualified => &["update", "archive", "open_opportunity"],
            Self::Disqualified => &["update", "archive"],
            Self::Archived => &[],
        }
    }

    /// Every status, in life-cycle order (the options of a status filter).
    pub const ALL: [LeadStatus; 5] = [
        Self::New,
        Self::Contacted,
        Self::Qualified,
        Self::Disqualified,
        Self::Archived,
    ];

    /// Whether a lead may move from this status to `to`.
    pub fn can_move_to(self, to: LeadStatus) -> bool {
        self.next_statuses().contains(&to)
    }
}

/// Who the lead is about: a customer we know, or a company not yet a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LeadCustomer {
    /// An existing customer.
    Existing {
        /// The customer.
        customer_id: CustomerId,
    },
    /// A company that is not a customer yet (created when an opportunity is opened).
    New {
        /// Its name.
        name: Name,
    },
}

/// The schema version a lead was captured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaRef {
    /// The schema.
    pub schema_id: LeadSchemaId,
    /// The version number.
    pub number: SchemaVersionNumber,
}

/// The evidence a lead is qualified on (budget, authority, need, timeline). The need is
/// required; the rest is recorded when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// The budget the customer has, if stated.
    pub budget: Option<Money>,
    /// Who decides, if known.
    pub authority: Option<Text>,
    /// What they need (required).
    pub need: Text,
    /// When they want it, if known.
    pub timeline: Option<Text>,
    /// Anything else (may be empty).
    pub notes: Note,
}

/// The current state of a lead, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    id: LeadId,
    customer: LeadCustomer,
    source: Name,
    owner_id: EmployeeId,
    schema: Option<SchemaRef>,
    custom_values: CustomValues,
    status: LeadStatus,
    qualification: Option<Qualification>,
    disqualification_reason: Option<Text>,
    version: u64,
}

impl Lead {
    /// Rebuilds the state from a stored state row (for storage adapters that keep one
    /// instead of replaying events).
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: LeadId,
        customer: LeadCustomer,
        source: Name,
        owner_id: EmployeeId,
        schema: Option<SchemaRef>,
        custom_values: CustomValues,
        status: LeadStatus,
        qualification: Option<Qualification>,
        disqualification_reason: Option<Text>,
        version: u64,
    ) -> Self {
        Self {
            id,
            customer,
            source,
            owner_id,
            schema,
            custom_values,
            status,
            qualification,
            disqualification_reason,
            version,
        }
    }

    /// The id.
    pub fn id(&self) -> LeadId {
        self.id
    }
    /// Who the lead is about.
    pub fn customer(&self) -> &LeadCustomer {
        &self.customer
    }
    /// Where it came from (e.g. `website`, `referral`).
    pub fn source(&self) -> &Name {
        &self.source
    }
    /// The employee who owns it.
    pub fn owner_id(&self) -> EmployeeId {
        self.owner_id
    }
    /// The schema version its custom values belong to (`None`: captured before any
    /// schema was published; it then has no custom values).
    pub fn schema(&self) -> Option<SchemaRef> {
        self.schema
    }
    /// Its custom values.
    pub fn custom_values(&self) -> &CustomValues {
        &self.custom_values
    }
    /// Where it is in its life.
    pub fn status(&self) -> LeadStatus {
        self.status
    }
    /// The evidence it was qualified on.
    pub fn qualification(&self) -> Option<&Qualification> {
        self.qualification.as_ref()
    }
    /// Why it was disqualified.
    pub fn disqualification_reason(&self) -> Option<&Text> {
        self.disqualification_reason.as_ref()
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Input of [`LeadCommand::Create`]. Custom values are raw input, checked against the
/// schema version in [`LeadFacts::schema`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLead {
    /// The id, generated by the caller.
    pub id: LeadId,
    /// Who the lead is about.
    pub customer: LeadCustomer,
    /// Where it came from.
    pub source: Name,
    /// The owning employee.
    pub owner_id: EmployeeId,
    /// Custom values by field key (raw JSON input).
    pub custom_values: BTreeMap<String, serde_json::Value>,
}

/// Input of [`LeadCommand::Update`]: `None` leaves a part unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadChanges {
    /// A new customer.
    pub customer: Option<LeadCustomer>,
    /// A new source.
    pub source: Option<Name>,
    /// A new owner.
    pub owner_id: Option<EmployeeId>,
    /// The complete new custom values (raw input), checked against the lead's own
    /// schema version.
    pub custom_values: Option<BTreeMap<String, serde_json::Value>>,
}

/// What can be asked of a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadCommand {
    /// Captures a lead (`new`) with the latest schema version.
    Create(NewLead),
    /// Changes customer, source, owner or custom values (not once archived).
    Update(LeadChanges),
    /// `new → contacted`.
    Contact {
        /// How it went (may be empty).
        note: Note,
    },
    /// `contacted → qualified`, with evidence.
    Qualify(Qualification),
    /// `new | contacted → disqualified`, with a reason.
    Disqualify {
        /// Why (required).
        reason: Text,
    },
    /// `qualified | disqualified → archived`.
    Archive,
}

/// Facts from outside the lead that its rules need, loaded by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadFacts {
    /// For `Create`: the latest published schema version (`None` when none is
    /// published). For `Update` with custom values: the lead's own version.
    pub schema: Option<LeadSchemaVersion>,
    /// The status of the existing customer a command names (`None`: not found).
    pub customer: Option<CustomerStatus>,
    /// The status of the owner a command names (`None`: not found).
    pub owner: Option<EmployeeStatus>,
}

/// Payload of `lead.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadCreated {
    /// The lead.
    pub lead_id: LeadId,
    /// Who it is about.
    pub customer: LeadCustomer,
    /// Where it came from.
    pub source: Name,
    /// The owner.
    pub owner_id: EmployeeId,
    /// The schema version it was captured with.
    pub schema: Option<SchemaRef>,
    /// Its custom values, normalised.
    pub custom_values: CustomValues,
}

/// Payload of `lead.updated`: only the parts that changed are present (others `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadUpdated {
    /// The lead.
    pub lead_id: LeadId,
    /// The new customer.
    pub customer: Option<LeadCustomer>,
    /// The new source.
    pub source: Option<Name>,
    /// The new owner.
    pub owner_id: Option<EmployeeId>,
    /// The complete new custom values (same schema version as before).
    pub custom_values: Option<CustomValues>,
}

/// Payload of `lead.contacted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadContacted {
    /// The lead.
    pub lead_id: LeadId,
    /// How it went (may be empty).
    pub note: Note,
}

/// Payload of `lead.qualified`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadQualified {
    /// The lead.
    pub lead_id: LeadId,
    /// The evidence.
    pub qualification: Qualification,
}

/// Payload of `lead.disqualified`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadDisqualified {
    /// The lead.
    pub lead_id: LeadId,
    /// Why.
    pub reason: Text,
}

/// Payload of `lead.archived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadArchived {
    /// The lead.
    pub lead_id: LeadId,
}

domain_events! {
    /// Facts about a lead.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum LeadEvent {
        /// `lead.created`
        Created(LeadCreated) = "lead.created",
        /// `lead.updated`
        Updated(LeadUpdated) = "lead.updated",
        /// `lead.contacted`
        Contacted(LeadContacted) = "lead.contacted",
        /// `lead.qualified`
        Qualified(LeadQualified) = "lead.qualified",
        /// `lead.disqualified`
        Disqualified(LeadDisqualified) = "lead.disqualified",
        /// `lead.archived`
        Archived(LeadArchived) = "lead.archived",
    }
}

impl LeadEvent {
    /// The lead the event is about.
    pub fn lead_id(&self) -> LeadId {
        match self {
            Self::Created(p) => p.lead_id,
            Self::Updated(p) => p.lead_id,
            Self::Contacted(p) => p.lead_id,
            Self::Qualified(p) => p.lead_id,
            Self::Disqualified(p) => p.lead_id,
            Self::Archived(p) => p.lead_id,
        }
    }
}

impl AggregateEvent for LeadEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.lead_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Lead, self.lead_id().as_uuid())
    }
}

fn check_customer(c: &LeadCustomer, facts: &LeadFacts) -> Result<(), DomainError> {
    if let LeadCustomer::Existing { customer_id } = c {
        match facts.customer {
            None => {
                return Err(DomainError::NotFound {
                    entity: "customer",
                    id: customer_id.to_string(),
                })
            }
            Some(CustomerStatus::Archived) => {
                return Err(DomainError::invariant(format!(
                    "customer {customer_id} is archived"
                )))
            }
            Some(CustomerStatus::Active) => {}
        }
    }
    Ok(())
}

fn check_owner(id: EmployeeId, facts: &LeadFacts) -> Result<(), DomainError> {
    match facts.owner {
        None => Err(DomainError::NotFound {
            entity: "employee",
            id: id.to_string(),
        }),
        Some(EmployeeStatus::Inactive) => {
            Err(DomainError::invariant(format!("owner {id} is inactive")))
        }
        Some(EmployeeStatus::Active) => Ok(()),
    }
}

/// Decides a command against the current state (`None`: the lead does not exist yet)
/// with the outside `facts` it needs.
///
/// Rules: custom values fit the schema version the lead is captured with (the latest at
/// creation; the lead's own one ever after); an existing customer must be active and the
/// owner an active employee; status moves only along `new → contacted → qualified`,
/// `new | contacted → disqualified`, `qualified | disqualified → archived`; an update
/// must change something; an archived lead takes no changes.
pub fn decide(
    state: Option<&Lead>,
    cmd: &LeadCommand,
    facts: &LeadFacts,
    _now: DateTime<Utc>,
) -> Result<Vec<LeadEvent>, DomainError> {
    let lead = match (state, cmd) {
        (None, LeadCommand::Create(n)) => {
            check_customer(&n.customer, facts)?;
            check_owner(n.owner_id, facts)?;
            let (schema, custom_values) = match &facts.schema {
                Some(v) => (
                    Some(SchemaRef {
                        schema_id: v.schema_id,
                        number: v.number,
                    }),
                    v.validate(&n.custom_values)?,
                ),
                None if n.custom_values.is_empty() => (None, CustomValues::new()),
                None => {
                    return Err(DomainError::field(
                        "custom_fields",
                        "no lead schema is published: custom fields cannot be set",
                    ))
                }
            };
            return Ok(vec![LeadEvent::Created(LeadCreated {
                lead_id: n.id,
                customer: n.customer.clone(),
                source: n.source.clone(),
                owner_id: n.owner_id,
                schema,
                custom_values,
            })]);
        }
        (Some(l), LeadCommand::Create(_)) => {
            return Err(DomainError::invariant(format!(
                "lead {} already exists",
                l.id
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "lead",
                id: "(not created)".into(),
            })
        }
        (Some(l), _) => l,
    };
    if lead.status == LeadStatus::Archived {
        return Err(DomainError::invariant(
            "lead is archived and takes no changes",
        ));
    }
    let wrong_status = |action: &str| {
        DomainError::invariant(format!(
            "a {} lead cannot be {action}",
            lead.status.as_str()
        ))
    };
    match cmd {
        LeadCommand::Create(_) => Ok(vec![]),
        LeadCommand::Update(ch) => {
            let customer = ch.customer.clone().filter(|c| *c != lead.customer);
            if let Some(c) = &customer {
                check_customer(c, facts)?;
            }
            let source = ch.source.clone().filter(|s| *s != lead.source);
            let owner_id = ch.owner_id.filter(|o| *o != lead.owner_id);
            if let Some(o) = owner_id {
                check_owner(o, facts)?;
            }
            let custom_values = match &ch.custom_values {
                None => None,
                Some(raw) => {
                    let values = match (lead.schema, &facts.schema) {
                        (None, _) if raw.is_empty() => CustomValues::new(),
                        (None, _) => {
                            return Err(DomainError::field(
                                "custom_fields",
                                "the lead was captured without a schema: custom fields cannot be set",
                            ))
                        }
                        (Some(own), Some(v))
                            if v.schema_id == own.schema_id && v.number == own.number =>
                        {
                            v.validate(raw)?
                        }
                        (Some(own), _) => {
                            return Err(DomainError::invariant(format!(
                                "custom values must be checked against lead schema version {}, the lead's own",
                                own.number
                            )))
                        }
                    };
                    Some(values).filter(|v| *v != lead.custom_values)
                }
            };
            if customer.is_none()
                && source.is_none()
                && owner_id.is_none()
                && custom_values.is_none()
            {
                return Err(DomainError::invariant("the update changes nothing"));
            }
            Ok(vec![LeadEvent::Updated(LeadUpdated {
                lead_id: lead.id,
                customer,
                source,
                owner_id,
                custom_values,
            })])
        }
        LeadCommand::Contact { note } => match lead.status {
            from if from.can_move_to(LeadStatus::Contacted) => {
                Ok(vec![LeadEvent::Contacted(LeadContacted {
                    lead_id: lead.id,
                    note: note.clone(),
                })])
            }
            _ => Err(wrong_status("marked contacted")),
        },
        LeadCommand::Qualify(q) => match lead.status {
            from if from.can_move_to(LeadStatus::Qualified) => {
                Ok(vec![LeadEvent::Qualified(LeadQualified {
                    lead_id: lead.id,
                    qualification: q.clone(),
                })])
            }
            LeadStatus::New => Err(DomainError::invariant(
                "a new lead must be contacted before it is qualified",
            )),
            _ => Err(wrong_status("qualified")),
        },
        LeadCommand::Disqualify { reason } => match lead.status {
            from if from.can_move_to(LeadStatus::Disqualified) => {
                Ok(vec![LeadEvent::Disqualified(LeadDisqualified {
                    lead_id: lead.id,
                    reason: reason.clone(),
                })])
            }
            _ => Err(wrong_status("disqualified")),
        },
        LeadCommand::Archive => match lead.status {
            from if from.can_move_to(LeadStatus::Archived) => {
                Ok(vec![LeadEvent::Archived(LeadArchived { lead_id: lead.id })])
            }
            _ => Err(DomainError::invariant(format!(
                "a {} lead cannot be archived before it is qualified or disqualified",
                lead.status.as_str()
            ))),
        },
    }
}

/// Folds one event into the state. Infallible; returns `None` only when a non-creation
/// event arrives before `lead.created` (a malformed stream).
pub fn evolve(state: Option<Lead>, ev: &LeadEvent) -> Option<Lead> {
    let mut l = match (state, ev) {
        (None, LeadEvent::Created(p)) => {
            return Some(Lead {
                id: p.lead_id,
                customer: p.customer.clone(),
                source: p.source.clone(),
                owner_id: p.owner_id,
                schema: p.schema,
                custom_values: p.custom_values.clone(),
                status: LeadStatus::New,
                qualification: None,
                disqualification_reason: None,
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(l), _) => l,
    };
    match ev {
        LeadEvent::Created(_) => {}
        LeadEvent::Updated(p) => {
            if let Some(c) = &p.customer {
                l.customer = c.clone();
            }
            if let Some(s) = &p.source {
                l.source = s.clone();
            }
            if let Some(o) = p.owner_id {
                l.owner_id = o;
            }
            if let Some(v) = &p.custom_values {
                l.custom_values = v.clone();
            }
        }
        LeadEvent::Contacted(_) => l.status = LeadStatus::Contacted,
        LeadEvent::Qualified(p) => {
            l.status = LeadStatus::Qualified;
            l.qualification = Some(p.qualification.clone());
        }
        LeadEvent::Disqualified(p) => {
            l.status = LeadStatus::Disqualified;
            l.disqualification_reason = Some(p.reason.clone());
        }
        LeadEvent::Archived(_) => l.status = LeadStatus::Archived,
    }
    l.version += 1;
    Some(l)
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<Lead>,
    events: impl IntoIterator<Item = &'a LeadEvent>,
) -> Option<Lead> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a LeadEvent>) -> Option<Lead> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for Lead {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = LeadCommand;
    type Event = LeadEvent;
    type Facts = LeadFacts;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &LeadCommand,
        facts: &LeadFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<LeadEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }

    fn evolve(state: Option<Self>, event: &LeadEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commercial::schema::{self, FieldDefinition, FieldType, LeadSchemaCommand};
    use crate::commercial::values::FieldKey;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }
    fn owner() -> EmployeeId {
        EmployeeId::from_uuid(Uuid::from_u128(7))
    }
    fn schema_v(
        fields: Vec<FieldDefinition>,
        prev: Option<schema::LeadSchema>,
    ) -> schema::LeadSchema {
        let cmd = LeadSchemaCommand::Publish {
            schema_id: LeadSchemaId::from_uuid(Uuid::from_u128(3)),
            fields,
        };
        let evs = schema::decide(prev.as_ref(), &cmd, now()).unwrap();
        schema::evolve_all(prev, &evs).unwrap()
    }
    fn budget_field(t: FieldType) -> FieldDefinition {
        FieldDefinition::new(
            FieldKey::new("budget").unwrap(),
            Name::new("Budget").unwrap(),
            t,
            true,
            vec![],
            1,
        )
        .unwrap()
    }
    fn facts(schema: Option<&LeadSchemaVersion>) -> LeadFacts {
        LeadFacts {
            schema: schema.cloned(),
            customer: Some(CustomerStatus::Active),
            owner: Some(EmployeeStatus::Active),
        }
    }
    fn raw(v: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
        serde_json::from_value(v).unwrap()
    }
    fn step(l: Lead, cmd: LeadCommand, f: &LeadFacts) -> Result<Lead, DomainError> {
        let evs = decide(Some(&l), &cmd, f, now())?;
        Ok(evolve_all(Some(l), &evs).unwrap())
    }
    fn qualification() -> Qualification {
        Qualification {
            budget: None,
            authority: None,
            need: Text::for_field("need", "a new website").unwrap(),
            timeline: None,
            notes: Note::default(),
        }
    }

    #[test]
    fn next_statuses_are_exactly_the_moves_decide_accepts() {
        let s = schema_v(vec![budget_field(FieldType::Number)], None);
        let f = facts(s.latest());
        let new = replay(
            &decide(
                None,
                &LeadCommand::Create(NewLead {
                    id: LeadId::from_uuid(Uuid::from_u128(1)),
                    customer: LeadCustomer::New {
                        name: Name::new("Beta GmbH").unwrap(),
                    },
                    source: Name::for_field("source", "website").unwrap(),
                    owner_id: owner(),
                    custom_values: raw(json!({"budget": 5})),
                }),
                &f,
                now(),
            )
            .unwrap(),
        )
        .unwrap();
        let command = |to: LeadStatus| match to {
            LeadStatus::Contacted => Some(LeadCommand::Contact {
                note: Note::default(),
            }),
            LeadStatus::Qualified => Some(LeadCommand::Qualify(qualification())),
            LeadStatus::Disqualified => Some(LeadCommand::Disqualify {
                reason: Text::for_field("reason", "no budget").unwrap(),
            }),
            LeadStatus::Archived => Some(LeadCommand::Archive),
            LeadStatus::New => None,
        };
        let all = [
            LeadStatus::New,
            LeadStatus::Contacted,
            LeadStatus::Qualified,
            LeadStatus::Disqualified,
            LeadStatus::Archived,
        ];
        // Reach every status, then try every move from it.
        let mut reached = vec![new.clone()];
        let mut frontier = vec![new];
        while let Some(l) = frontier.pop() {
            for &to in &all {
                let Some(cmd) = command(to) else { continue };
                let r = step(l.clone(), cmd, &f);
                assert_eq!(
                    r.is_ok(),
                    l.status().can_move_to(to),
                    "{} -> {}: {r:?}",
                    l.status().as_str(),
                    to.as_str()
                );
                if let Ok(next) = r {
                    if !reached.iter().any(|x| x.status() == next.status()) {
                        reached.push(next.clone());
                        frontier.push(next);
                    }
                }
            }
        }
        assert_eq!(reached.len(), all.len(), "every status is reachable");
        // The actions are exactly the commands decide accepts in each status.
        for l in &reached {
            let probes = [
                (
                    "update",
                    LeadCommand::Update(LeadChanges {
                        source: Some(Name::for_field("source", "referral").unwrap()),
                        ..LeadChanges::default()
                    }),
                ),
                ("contact", command(LeadStatus::Contacted).unwrap()),
                ("qualify", command(LeadStatus::Qualified).unwrap()),
                ("disqualify", command(LeadStatus::Disqualified).unwrap()),
                ("archive", command(LeadStatus::Archived).unwrap()),
            ];
            for (name, cmd) in probes {
                assert_eq!(
                    decide(Some(l), &cmd, &f, now()).is_ok(),
                    l.status().actions().contains(&name),
                    "{name} when {}",
                    l.status().as_str()
                );
            }
        }
        assert_eq!(LeadStatus::ALL, all);
    }

    #[test]
    fn lead_lifecycle_and_its_refusals() {
        let s = schema_v(vec![budget_field(FieldType::Number)], None);
        let v1 = s.latest().unwrap();
        let create = |values| {
            LeadCommand::Create(NewLead {
                id: LeadId::from_uuid(Uuid::from_u128(1)),
                customer: LeadCustomer::New {
                    name: Name::new("Beta GmbH").unwrap(),
                },
                source: Name::for_field("source", "website").unwrap(),
                owner_id: owner(),
                custom_values: values,
            })
        };
        // Custom values are checked with the key in the error.
        let DomainError::Validation(e) = decide(
            None,
            &create(raw(json!({"budget": "lots"}))),
            &facts(Some(v1)),
            now(),
        )
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(
            e.get("custom_fields.budget"),
            Some("must be a whole number")
        );
        assert!(decide(None, &create(raw(json!({}))), &facts(Some(v1)), now()).is_err());
        let inactive = LeadFacts {
            owner: Some(EmployeeStatus::Inactive),
            ..facts(Some(v1))
        };
        assert!(matches!(
            decide(None, &create(raw(json!({"budget": 5}))), &inactive, now()),
            Err(DomainError::Invariant(_))
        ));

        let l = replay(
            &decide(
                None,
                &create(raw(json!({"budget": 5}))),
                &facts(Some(v1)),
                now(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(l.status(), LeadStatus::New);
        assert_eq!(l.schema().unwrap().number, SchemaVersionNumber::FIRST);
        let f = facts(Some(v1));
        assert!(step(l.clone(), LeadCommand::Qualify(qualification()), &f).is_err());
        assert!(step(l.clone(), LeadCommand::Archive, &f).is_err());
        let l = step(
            l,
            LeadCommand::Contact {
                note: Note::default(),
            },
            &f,
        )
        .unwrap();
        assert!(step(
            l.clone(),
            LeadCommand::Contact {
                note: Note::default()
            },
            &f
        )
        .is_err());

        // A newer schema version does not apply to this lead's values.
        let s2 = schema_v(vec![budget_field(FieldType::Text)], Some(s.clone()));
        let f2 = facts(s2.latest());
        let upd = LeadCommand::Update(LeadChanges {
            custom_values: Some(raw(json!({"budget": 9}))),
            ..Default::default()
        });
        assert!(matches!(
            step(l.clone(), upd.clone(), &f2),
            Err(DomainError::Invariant(_))
        ));
        let l = step(l, upd.clone(), &f).unwrap();
        assert_eq!(l.custom_values().get("budget"), Some(&json!(9)));
        assert_eq!(
            step(l.clone(), upd, &f),
            Err(DomainError::invariant("the update changes nothing"))
        );

        let l = step(l, LeadCommand::Qualify(qualification()), &f).unwrap();
        assert_eq!(l.status(), LeadStatus::Qualified);
        assert!(step(
            l.clone(),
            LeadCommand::Disqualify {
                reason: Text::for_field("reason", "x").unwrap()
            },
            &f
        )
        .is_err());
        let l = step(l, LeadCommand::Archive, &f).unwrap();
        assert_eq!(l.version(), 5);
        assert!(step(l, LeadCommand::Archive, &f).is_err());
    }
}
