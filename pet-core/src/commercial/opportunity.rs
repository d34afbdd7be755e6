//! The Opportunity aggregate: a likely sale opened from a qualified lead, classified,
//! `open → quoting → won | lost` (lost needs a reason).

use crate::aggregate::domain_events;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{LeadId, OpportunityId, QuoteId, SaleId};
use super::lead::{LeadCustomer, LeadStatus};
use super::values::Text;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::customer::CustomerStatus;
use crate::identity::employee::EmployeeStatus;
use crate::identity::ids::{CustomerId, EmployeeId};
use crate::identity::values::{Money, Name};

/// The aggregate type of opportunities.
pub const AGGREGATE_TYPE: &str = "opportunity";

/// Where an opportunity is in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpportunityStatus {
    /// Opened, no quote yet.
    Open,
    /// At least one quote is being made or negotiated.
    Quoting,
    /// A quote was accepted and a sale recorded.
    Won,
    /// Gone (with a reason).
    Lost,
}

impl OpportunityStatus {
    /// The stored name, e.g. `quoting`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Quoting => "quoting",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    /// The commands an opportunity in this status takes (what a screen offers): an open
    /// or quoting one is classified, lost or quoted (`create_quote`); a won or lost one
    /// takes none.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Self::Open | Self::Quoting => &["classify", "lose", "create_quote"],
            Self::Won | Self::Lost => &[],
        }
    }
}

/// What kind of business an opportunity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpportunityKind {
    /// A customer's first purchase.
    NewBusiness,
    /// More for an existing customer.
    Upsell,
    /// Renewing what a customer has.
    Renewal,
}

impl OpportunityKind {
    /// Every kind (the options of a classification form).
    pub const ALL: [OpportunityKind; 3] = [Self::NewBusiness, Self::Upsell, Self::Renewal];

    /// The stored name, e.g. `new_business`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewBusiness => "new_business",
            Self::Upsell => "upsell",
            Self::Renewal => "renewal",
        }
    }
    /// Parses a stored name given as input field `kind`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "new_business" => Ok(Self::NewBusiness),
            "upsell" => Ok(Self::Upsell),
            "renewal" => Ok(Self::Renewal),
            _ => Err(DomainError::field(
                "kind",
                "must be new_business, upsell or renewal",
            )),
        }
    }
    fn words(self) -> &'static str {
        match self {
            Self::NewBusiness => "new business",
            Self::Upsell => "upsell",
            Self::Renewal => "renewal",
        }
    }
}

/// How big an opportunity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeBand {
    /// Small.
    Small,
    /// Medium.
    Medium,
    /// Large.
    Large,
    /// Strategic for the firm.
    Enterprise,
}

impl SizeBand {
    /// Every size band, smallest first (the options of a classification form).
    pub const ALL: [SizeBand; 4] = [Self::Small, Self::Medium, Self::Large, Self::Enterprise];

    /// The stored name, e.g. `enterprise`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
            Self::Enterprise => "enterprise",
        }
    }
    /// Parses a stored name given as input field `size_band`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "small" => Ok(Self::Small),
            "medium" => Ok(Self::Medium),
            "large" => Ok(Self::Large),
            "enterprise" => Ok(Self::Enterprise),
            _ => Err(DomainError::field(
                "size_band",
                "must be small, medium, large or enterprise",
            )),
        }
    }
}

/// An opportunity's classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// New business, upsell or renewal.
    pub kind: OpportunityKind,
    /// Size band.
    pub size_band: SizeBand,
}

impl Classification {
    /// `new business, large`.
    pub fn words(&self) -> String {
        format!("{}, {}", self.kind.words(), self.size_band.as_str())
    }
}

/// The current state of an opportunity, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    details: OpportunityCreated,
    classification: Option<Classification>,
    status: OpportunityStatus,
    quote_count: u64,
    sale: Option<(QuoteId, SaleId)>,
    lost_reason: Option<Text>,
    version: u64,
}

impl Opportunity {
    /// Rebuilds the state from a stored state row.
    pub fn restore(
        details: OpportunityCreated,
        classification: Option<Classification>,
        status: OpportunityStatus,
        quote_count: u64,
        sale: Option<(QuoteId, SaleId)>,
        lost_reason: Option<Text>,
        version: u64,
    ) -> Self {
        Self {
            details,
            classification,
            status,
            quote_count,
            sale,
            lost_reason,
            version,
        }
    }
    /// What it was opened with.
    pub fn details(&self) -> &OpportunityCreated {
        &self.details
    }
    /// The id.
    pub fn id(&self) -> OpportunityId {
        self.details.opportunity_id
    }
    /// The customer.
    pub fn customer_id(&self) -> CustomerId {
        self.details.customer_id
    }
    /// The classification, once classified.
    pub fn classification(&self) -> Option<Classification> {
        self.classification
    }
    /// Where it is in the pipeline.
    pub fn status(&self) -> OpportunityStatus {
        self.status
    }
    /// How many quotes were made for it (the quotes themselves are in their own
    /// aggregates; an opportunity with thousands of quotes loads as fast as a new one).
    pub fn quote_count(&self) -> u64 {
        self.quote_count
    }
    /// The rule "an accepted quote wins its opportunity": true when this opportunity is
    /// still quoting and the accepted quote, whose opportunity is `quote_opportunity`, is
    /// one of its quotes (a quote accepted after the opportunity was won or lost leaves it
    /// as it is).
    pub fn is_won_by(&self, quote_opportunity: OpportunityId) -> bool {
        self.status == OpportunityStatus::Quoting && quote_opportunity == self.id()
    }
    /// The accepted quote and its sale, once won.
    pub fn sale(&self) -> Option<(QuoteId, SaleId)> {
        self.sale
    }
    /// Why it was lost.
    pub fn lost_reason(&self) -> Option<&Text> {
        self.lost_reason.as_ref()
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Input of [`OpportunityCommand::Create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpportunity {
    /// The id, generated by the caller.
    pub id: OpportunityId,
    /// The qualified lead it is opened from.
    pub lead_id: LeadId,
    /// The customer: the lead's existing one, or the one just created for a lead about a
    /// new company.
    pub customer_id: CustomerId,
    /// The owning employee.
    pub owner_id: EmployeeId,
    /// A short title (`Website relaunch`).
    pub title: Name,
    /// What it is expected to be worth.
    pub expected_value: Money,
    /// When it is expected to close.
    pub expected_close: NaiveDate,
}

/// What can be asked of an opportunity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpportunityCommand {
    /// Opens the opportunity (`open`) from a qualified lead.
    Create(NewOpportunity),
    /// Sets or changes the classification (not once won or lost).
    Classify(Classification),
    /// `open → quoting`, when its first quote is made (or records a further quote).
    StartQuoting {
        /// The quote.
        quote_id: QuoteId,
    },
    /// `quoting → won`, from a quote of this opportunity that was accepted.
    Win {
        /// The accepted quote.
        quote_id: QuoteId,
        /// The sale its acceptance recorded.
        sale_id: SaleId,
    },
    /// `open | quoting → lost`.
    Lose {
        /// Why (required).
        reason: Text,
    },
}

/// The lead an opportunity is opened from, as its rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadSummary {
    /// Its status.
    pub status: LeadStatus,
    /// Who it is about.
    pub customer: LeadCustomer,
}

/// Facts from outside the opportunity that its rules need, loaded by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityFacts {
    /// The lead named by `Create` (`None`: not found).
    pub lead: Option<LeadSummary>,
    /// The status of the customer named by `Create` (`None`: not found).
    pub customer: Option<CustomerStatus>,
    /// The status of the owner named by `Create` (`None`: not found).
    pub owner: Option<EmployeeStatus>,
    /// For `Win`: the quote's opportunity and the sale its acceptance recorded, as loaded
    /// from the quote (`None`: not found or not accepted).
    pub accepted_quote: Option<(OpportunityId, SaleId)>,
    /// For `StartQuoting`: whether the quote was already recorded on this opportunity (a
    /// storage adapter that creates the quote in the same command knows it was not).
    pub quote_recorded: bool,
}

/// Payload of `opportunity.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpportunityCreated {
    /// The opportunity.
    pub opportunity_id: OpportunityId,
    /// The lead it was opened from.
    pub lead_id: LeadId,
    /// The customer.
    pub customer_id: CustomerId,
    /// The owner.
    pub owner_id: EmployeeId,
    /// Title.
    pub title: Name,
    /// Expected value.
    pub expected_value: Money,
    /// Expected close date.
    pub expected_close: NaiveDate,
}

/// Payload of `opportunity.classified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpportunityClassified {
    /// The opportunity.
    pub opportunity_id: OpportunityId,
    /// The classification.
    pub classification: Classification,
}

/// Payload of `opportunity.quoting_started` and `opportunity.won`'s quote reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpportunityQuoting {
    /// The opportunity.
    pub opportunity_id: OpportunityId,
    /// The quote made.
    pub quote_id: QuoteId,
}

/// Payload of `opportunity.won`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpportunityWon {
    /// The opportunity.
    pub opportunity_id: OpportunityId,
    /// The accepted quote.
    pub quote_id: QuoteId,
    /// The sale recorded.
    pub sale_id: SaleId,
}

/// Payload of `opportunity.lost`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpportunityLost {
    /// The opportunity.
    pub opportunity_id: OpportunityId,
    /// Why.
    pub reason: Text,
}

domain_events! {
    /// Facts about an opportunity.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum OpportunityEvent {
        /// `opportunity.created`
        Created(OpportunityCreated) = "opportunity.created",
        /// `opportunity.classified`
        Classified(OpportunityClassified) = "opportunity.classified",
        /// `opportunity.quoting_started` (a quote was made; `open → quoting` on the first)
        QuotingStarted(OpportunityQuoting) = "opportunity.quoting_started",
        /// `opportunity.won`
        Won(OpportunityWon) = "opportunity.won",
        /// `opportunity.lost`
        Lost(OpportunityLost) = "opportunity.lost",
    }
}

impl OpportunityEvent {
    /// The opportunity the event is about.
    pub fn opportunity_id(&self) -> OpportunityId {
        match self {
            Self::Created(p) => p.opportunity_id,
            Self::Classified(p) => p.opportunity_id,
            Self::QuotingStarted(p) => p.opportunity_id,
            Self::Won(p) => p.opportunity_id,
            Self::Lost(p) => p.opportunity_id,
        }
    }
}

impl AggregateEvent for OpportunityEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.opportunity_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Opportunity, self.opportunity_id().as_uuid())
    }
}

/// Decides a command against the current state (`None`: not opened yet) with the
/// outside `facts` it needs.
///
/// Rules: opened only from a qualified lead, for the lead's customer (or, for a lead
/// about a new company, any active customer the caller created for it), by an active
/// owner, with a non-negative expected value; classification and quoting only while open
/// or quoting; won only while quoting and only from an accepted quote of this
/// opportunity; lost only while open or quoting.
pub fn decide(
    state: Option<&Opportunity>,
    cmd: &OpportunityCommand,
    facts: &OpportunityFacts,
    _now: DateTime<Utc>,
) -> Result<Vec<OpportunityEvent>, DomainError> {
    let o = match (state, cmd) {
        (None, OpportunityCommand::Create(n)) => {
            let lead = facts.lead.as_ref().ok_or_else(|| DomainError::NotFound {
                entity: "lead",
                id: n.lead_id.to_string(),
            })?;
            if lead.status != LeadStatus::Qualified {
                return Err(DomainError::invariant(format!(
                    "opportunities are opened only from qualified leads; this lead is {}",
                    lead.status.as_str()
                )));
            }
            if let LeadCustomer::Existing { customer_id } = &lead.customer {
                if *customer_id != n.customer_id {
                    return Err(DomainError::invariant(format!(
                        "the lead is about customer {customer_id}, not {}",
                        n.customer_id
                    )));
                }
            }
            match facts.customer {
                None => {
                    return Err(DomainError::NotFound {
                        entity: "customer",
                        id: n.customer_id.to_string(),
                    })
                }
                Some(CustomerStatus::Archived) => {
                    return Err(DomainError::invariant(format!(
                        "customer {} is archived",
                        n.customer_id
                    )))
                }
                Some(CustomerStatus::Active) => {}
            }
            match facts.owner {
                None => {
                    return Err(DomainError::NotFound {
                        entity: "employee",
                        id: n.owner_id.to_string(),
                    })
                }
                Some(EmployeeStatus::Inactive) => {
                    return Err(DomainError::invariant(format!(
                        "owner {} is inactive",
                        n.owner_id
                    )))
                }
                Some(EmployeeStatus::Active) => {}
            }
            if n.expected_value.amount_minor() < 0 {
                return Err(DomainError::field("expected_value", "must not be negative"));
            }
            return Ok(vec![OpportunityEvent::Created(OpportunityCreated {
                opportunity_id: n.id,
                lead_id: n.lead_id,
                customer_id: n.customer_id,
                owner_id: n.owner_id,
                title: n.title.clone(),
                expected_value: n.expected_value,
                expected_close: n.expected_close,
            })]);
        }
        (Some(o), OpportunityCommand::Create(_)) => {
            return Err(DomainError::invariant(format!(
                "opportunity {} already exists",
                o.id()
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "opportunity",
                id: "(not created)".into(),
            })
        }
        (Some(o), _) => o,
    };
    let id = o.id();
    let closed = matches!(o.status, OpportunityStatus::Won | OpportunityStatus::Lost);
    if closed {
        return Err(DomainError::invariant(format!(
            "opportunity is {} and takes no changes",
            o.status.as_str()
        )));
    }
    match cmd {
        OpportunityCommand::Create(_) => Ok(vec![]),
        OpportunityCommand::Classify(c) => {
            if o.classification == Some(*c) {
                return Err(DomainError::invariant(format!(
                    "opportunity is already classified as {}",
                    c.words()
                )));
            }
            Ok(vec![OpportunityEvent::Classified(OpportunityClassified {
                opportunity_id: id,
                classification: *c,
            })])
        }
        OpportunityCommand::StartQuoting { quote_id } => {
            if facts.quote_recorded {
                return Err(DomainError::invariant(format!(
                    "quote {quote_id} is already recorded on this opportunity"
                )));
            }
            Ok(vec![OpportunityEvent::QuotingStarted(OpportunityQuoting {
                opportunity_id: id,
                quote_id: *quote_id,
            })])
        }
        OpportunityCommand::Win { quote_id, sale_id } => {
            let ours = matches!(facts.accepted_quote, Some((opp, _)) if opp == id);
            if o.status != OpportunityStatus::Quoting || !ours {
                return Err(DomainError::invariant(format!(
                    "opportunity can be won only from one of its quotes; quote {quote_id} is not one"
                )));
            }
            match facts.accepted_quote {
                Some((opp, sale)) if opp == id && sale == *sale_id => {
                    Ok(vec![OpportunityEvent::Won(OpportunityWon {
                        opportunity_id: id,
                        quote_id: *quote_id,
                        sale_id: *sale_id,
                    })])
                }
                _ => Err(DomainError::invariant(format!(
                    "quote {quote_id} has not been accepted with sale {sale_id}"
                ))),
            }
        }
        OpportunityCommand::Lose { reason } => Ok(vec![OpportunityEvent::Lost(OpportunityLost {
            opportunity_id: id,
            reason: reason.clone(),
        })]),
    }
}

/// Folds one event into the state. Infallible; returns `None` only when a non-creation
/// event arrives before `opportunity.created` (a malformed stream).
pub fn evolve(state: Option<Opportunity>, ev: &OpportunityEvent) -> Option<Opportunity> {
    let mut o = match (state, ev) {
        (None, OpportunityEvent::Created(p)) => {
            return Some(Opportunity {
                details: p.clone(),
                classification: None,
                status: OpportunityStatus::Open,
                quote_count: 0,
                sale: None,
                lost_reason: None,
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(o), _) => o,
    };
    match ev {
        OpportunityEvent::Created(_) => {}
        OpportunityEvent::Classified(p) => o.classification = Some(p.classification),
        OpportunityEvent::QuotingStarted(_) => {
            o.status = OpportunityStatus::Quoting;
            o.quote_count += 1;
        }
        OpportunityEvent::Won(p) => {
            o.status = OpportunityStatus::Won;
            o.sale = Some((p.quote_id, p.sale_id));
        }
        OpportunityEvent::Lost(p) => {
            o.status = OpportunityStatus::Lost;
            o.lost_reason = Some(p.reason.clone());
        }
    }
    o.version += 1;
    Some(o)
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<Opportunity>,
    events: impl IntoIterator<Item = &'a OpportunityEvent>,
) -> Option<Opportunity> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a OpportunityEvent>) -> Option<Opportunity> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for Opportunity {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = OpportunityCommand;
    type Event = OpportunityEvent;
    type Facts = OpportunityFacts;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &OpportunityCommand,
        facts: &OpportunityFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<OpportunityEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }

    fn evolve(state: Option<Self>, event: &OpportunityEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::values::Currency;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }
    fn cust() -> CustomerId {
        CustomerId::from_uuid(Uuid::from_u128(20))
    }
    fn new_opp() -> OpportunityCommand {
        OpportunityCommand::Create(NewOpportunity {
            id: OpportunityId::from_uuid(Uuid::from_u128(1)),
            lead_id: LeadId::from_uuid(Uuid::from_u128(2)),
            customer_id: cust(),
            owner_id: EmployeeId::from_uuid(Uuid::from_u128(3)),
            title: Name::new("Website relaunch").unwrap(),
            expected_value: Money::new(1_200_000, Currency::new("EUR").unwrap()),
            expected_close: "2026-03-31".parse().unwrap(),
        })
    }
    fn facts(status: LeadStatus) -> OpportunityFacts {
        OpportunityFacts {
            lead: Some(LeadSummary {
                status,
                customer: LeadCustomer::Existing {
                    customer_id: cust(),
                },
            }),
            customer: Some(CustomerStatus::Active),
            owner: Some(EmployeeStatus::Active),
            accepted_quote: None,
            quote_recorded: false,
        }
    }

    #[test]
    fn actions_are_the_commands_decide_accepts() {
        // A lead's `open_opportunity` is the creation this decide accepts.
        for s in LeadStatus::ALL {
            assert_eq!(
                decide(None, &new_opp(), &facts(s), now()).is_ok(),
                s.actions().contains(&"open_opportunity"),
                "open_opportunity from a {} lead",
                s.as_str()
            );
        }
        let f = facts(LeadStatus::Qualified);
        let run = |cmds: &[OpportunityCommand], f: &OpportunityFacts| {
            let mut o: Option<Opportunity> = None;
            for c in cmds {
                let evs = decide(o.as_ref(), c, f, now()).unwrap();
                o = evolve_all(o, &evs);
            }
            o.unwrap()
        };
        let quote = QuoteId::from_uuid(Uuid::from_u128(40));
        let sale = SaleId::from_uuid(Uuid::from_u128(41));
        let start = OpportunityCommand::StartQuoting { quote_id: quote };
        let lose = OpportunityCommand::Lose {
            reason: Text::for_field("reason", "budget cut").unwrap(),
        };
        let won_facts = OpportunityFacts {
            accepted_quote: Some((OpportunityId::from_uuid(Uuid::from_u128(1)), sale)),
            ..facts(LeadStatus::Qualified)
        };
        let states = [
            run(&[new_opp()], &f),
            run(&[new_opp(), start.clone()], &f),
            run(&[new_opp(), lose.clone()], &f),
            run(
                &[
                    new_opp(),
                    start,
                    OpportunityCommand::Win {
                        quote_id: quote,
                        sale_id: sale,
                    },
                ],
                &won_facts,
            ),
        ];
        for o in &states {
            let probes = [
                (
                    "classify",
                    OpportunityCommand::Classify(Classification {
                        kind: OpportunityKind::Upsell,
                        size_band: SizeBand::Large,
                    }),
                ),
                ("lose", lose.clone()),
                (
                    "create_quote",
                    OpportunityCommand::StartQuoting {
                        quote_id: QuoteId::from_uuid(Uuid::from_u128(42)),
                    },
                ),
            ];
            for (name, cmd) in probes {
                assert_eq!(
                    decide(Some(o), &cmd, &f, now()).is_ok(),
                    o.status().actions().contains(&name),
                    "{name} when {}",
                    o.status().as_str()
                );
            }
        }
        assert_eq!(
            states.iter().map(|o| o.status()).collect::<Vec<_>>(),
            [
                OpportunityStatus::Open,
                OpportunityStatus::Quoting,
                OpportunityStatus::Lost,
                OpportunityStatus::Won
            ]
        );
    }

    #[test]
    fn opened_only_from_qualified_leads_then_quoting_then_won() {
        for s in [
            LeadStatus::New,
            LeadStatus::Contacted,
            LeadStatus::Disqualified,
            LeadStatus::Archived,
        ] {
            assert!(
                matches!(
                    decide(None, &new_opp(), &facts(s), now()),
                    Err(DomainError::Invariant(_))
                ),
                "{s:?}"
            );
        }
        let mut other = facts(LeadStatus::Qualified);
        other.lead = Some(LeadSummary {
            status: LeadStatus::Qualified,
            customer: LeadCustomer::Existing {
                customer_id: CustomerId::from_uuid(Uuid::from_u128(99)),
            },
        });
        assert!(decide(None, &new_opp(), &other, now()).is_err());
        let f = facts(LeadStatus::Qualified);
        let o = replay(&decide(None, &new_opp(), &f, now()).unwrap()).unwrap();
        assert_eq!(o.status(), OpportunityStatus::Open);
        let step = |o: Opportunity, c: OpportunityCommand, f: &OpportunityFacts| {
            let evs = decide(Some(&o), &c, f, now())?;
            Ok::<_, DomainError>(evolve_all(Some(o), &evs).unwrap())
        };
        let q = QuoteId::from_uuid(Uuid::from_u128(5));
        let sale = SaleId::from_uuid(Uuid::from_u128(6));
        let win = OpportunityCommand::Win {
            quote_id: q,
            sale_id: sale,
        };
        assert!(step(o.clone(), win.clone(), &f).is_err());
        let o = step(
            o,
            OpportunityCommand::Classify(Classification {
                kind: OpportunityKind::NewBusiness,
                size_band: SizeBand::Large,
            }),
            &f,
        )
        .unwrap();
        assert!(!o.is_won_by(o.id()), "open: no quote yet");
        let recorded = OpportunityFacts {
            quote_recorded: true,
            ..f.clone()
        };
        assert!(
            matches!(
                step(
                    o.clone(),
                    OpportunityCommand::StartQuoting { quote_id: q },
                    &recorded
                ),
                Err(DomainError::Invariant(_))
            ),
            "a quote is recorded once"
        );
        let o = step(o, OpportunityCommand::StartQuoting { quote_id: q }, &f).unwrap();
        assert_eq!(o.status(), OpportunityStatus::Quoting);
        assert_eq!(o.quote_count(), 1);
        assert!(o.is_won_by(o.id()));
        let elsewhere = OpportunityId::from_uuid(Uuid::from_u128(77));
        assert!(!o.is_won_by(elsewhere), "not its quote");
        let foreign = OpportunityFacts {
            accepted_quote: Some((elsewhere, sale)),
            ..f.clone()
        };
        assert!(
            step(o.clone(), win.clone(), &foreign).is_err(),
            "another opportunity's accepted quote"
        );
        assert!(
            step(o.clone(), win.clone(), &f).is_err(),
            "quote not accepted"
        );
        let accepted = OpportunityFacts {
            accepted_quote: Some((o.id(), sale)),
            ..f.clone()
        };
        let o = step(o, win.clone(), &accepted).unwrap();
        assert_eq!(o.status(), OpportunityStatus::Won);
        assert!(!o.is_won_by(o.id()), "already won");
        assert_eq!(o.sale(), Some((q, sale)));
        assert!(step(
            o,
            OpportunityCommand::Lose {
                reason: Text::for_field("reason", "x").unwrap()
            },
            &f
        )
        .is_err());
    }
}
