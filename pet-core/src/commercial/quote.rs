//! The Quote aggregate: a quote for an opportunity and customer in one currency, with
//! numbered versions `draft → sent → accepted | rejected | expired | superseded`. A sent
//! version never changes (its content hash is pinned when sent); sending version n+1
//! supersedes n; only the latest sent, unexpired version can be accepted, at most once
//! per quote, and acceptance records exactly one sale (`sale.recorded`, in the quote's
//! stream, with the sale as its primary context).

use crate::aggregate::domain_events;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{
    LineGroupId, LineId, OpportunityId, QuoteId, QuoteNumber, QuoteVersionNumber, SaleId,
};
use super::opportunity::OpportunityStatus;
use super::pricing::{
    DraftEdit, Interval, LineKind, LineTotals, QuoteContent, QuoteLine, QuoteTotals, Totals,
};
use super::values::{Quantity, Text};
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::ids::CustomerId;
use crate::identity::values::{Currency, Money, Name};

/// The aggregate type of quotes (their sales are recorded in the same stream).
pub const AGGREGATE_TYPE: &str = "quote";

/// Where a quote version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteVersionStatus {
    /// Being edited.
    Draft,
    /// Sent to the customer; immutable from now on.
    Sent,
    /// Accepted by the customer (a sale was recorded).
    Accepted,
    /// Rejected by the customer.
    Rejected,
    /// Its validity ran out before an answer.
    Expired,
    /// Replaced by a later sent version.
    Superseded,
}

impl QuoteVersionStatus {
    /// The stored name, e.g. `superseded`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Superseded => "superseded",
        }
    }

    /// The commands a version in this status takes while its quote is not accepted: a
    /// draft is revised and sent, a sent version accepted or rejected; the others none.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Self::Draft => &["revise", "send"],
            Self::Sent => &["accept", "reject"],
            Self::Accepted | Self::Rejected | Self::Expired | Self::Superseded => &[],
        }
    }
}

/// What was pinned when a version was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentDetails {
    /// Last day (inclusive) the customer may accept it.
    pub valid_until: NaiveDate,
    /// The content hash at sending (see [`QuoteContent::content_hash`]).
    pub content_hash: String,
    /// Its totals at sending.
    pub totals: QuoteTotals,
}

/// One version of a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteVersion {
    number: QuoteVersionNumber,
    based_on: Option<QuoteVersionNumber>,
    status: QuoteVersionStatus,
    content: QuoteContent,
    sent: Option<SentDetails>,
}

impl QuoteVersion {
    /// Rebuilds a version from a stored row.
    pub fn restore(
        number: QuoteVersionNumber,
        based_on: Option<QuoteVersionNumber>,
        status: QuoteVersionStatus,
        content: QuoteContent,
        sent: Option<SentDetails>,
    ) -> Self {
        Self {
            number,
            based_on,
            status,
            content,
            sent,
        }
    }
    /// Its number.
    pub fn number(&self) -> QuoteVersionNumber {
        self.number
    }
    /// The version it was drafted from.
    pub fn based_on(&self) -> Option<QuoteVersionNumber> {
        self.based_on
    }
    /// Its status.
    pub fn status(&self) -> QuoteVersionStatus {
        self.status
    }
    /// Its content.
    pub fn content(&self) -> &QuoteContent {
        &self.content
    }
    /// What was pinned when it was sent.
    pub fn sent(&self) -> Option<&SentDetails> {
        self.sent.as_ref()
    }
}

/// The current state of a quote, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    details: QuoteCreated,
    versions: Vec<QuoteVersion>,
    accepted: Option<(QuoteVersionNumber, SaleId)>,
    version: u64,
}

impl Quote {
    /// The commands the quote takes (what a screen offers): none once accepted; otherwise
    /// its draft's (`revise`, `send`) or, with no draft, `draft_next_version`. What a
    /// version takes is [`Quote::version_actions`].
    pub fn actions(&self) -> &'static [&'static str] {
        match (self.accepted, self.latest().map(|v| v.status)) {
            (Some(_), _) => &[],
            (None, Some(QuoteVersionStatus::Draft)) => QuoteVersionStatus::Draft.actions(),
            (None, _) => &["draft_next_version"],
        }
    }

    /// The commands version `v` of this quote takes (`accept`, `reject` for a sent one).
    pub fn version_actions(&self, v: &QuoteVersion) -> &'static [&'static str] {
        if self.accepted.is_some() {
            &[]
        } else {
            v.status.actions()
        }
    }

    /// Rebuilds the state from stored rows (versions sorted here by number).
    pub fn restore(
        details: QuoteCreated,
        mut versions: Vec<QuoteVersion>,
        accepted: Option<(QuoteVersionNumber, SaleId)>,
        version: u64,
    ) -> Self {
        versions.sort_by_key(|v| v.number);
        Self {
            details,
            versions,
            accepted,
            version,
        }
    }
    /// What it was created with.
    pub fn details(&self) -> &QuoteCreated {
        &self.details
    }
    /// The id.
    pub fn id(&self) -> QuoteId {
        self.details.quote_id
    }
    /// The currency of every amount on it.
    pub fn currency(&self) -> Currency {
        self.details.currency
    }
    /// Every version, oldest first.
    pub fn versions(&self) -> &[QuoteVersion] {
        &self.versions
    }
    /// A version by number.
    pub fn get(&self, number: QuoteVersionNumber) -> Option<&QuoteVersion> {
        self.versions.iter().find(|v| v.number == number)
    }
    /// The newest version.
    pub fn latest(&self) -> Option<&QuoteVersion> {
        self.versions.last()
    }
    /// The newest version that was ever sent.
    pub fn latest_sent(&self) -> Option<&QuoteVersion> {
        self.versions.iter().rev().find(|v| v.sent.is_some())
    }
    /// The accepted version and its sale, once accepted.
    pub fn accepted(&self) -> Option<(QuoteVersionNumber, SaleId)> {
        self.accepted
    }
    /// True when a sent version's validity ran out at `now` and it is not marked yet:
    /// what the expiry job looks for.
    pub fn is_expiry_due(&self, now: DateTime<Utc>) -> bool {
        self.versions.iter().any(|v| {
            v.status == QuoteVersionStatus::Sent
                && v.sent
                    .as_ref()
                    .is_some_and(|s| now.date_naive() > s.valid_until)
        })
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Input of [`QuoteCommand::Create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuote {
    /// The id, generated by the caller.
    pub id: QuoteId,
    /// Its human reference (`Q-12`), from a store sequence.
    pub number: QuoteNumber,
    /// The opportunity it quotes.
    pub opportunity_id: OpportunityId,
    /// The customer (the opportunity's).
    pub customer_id: CustomerId,
    /// The currency of every amount on it.
    pub currency: Currency,
    /// Title.
    pub title: Name,
}

/// What can be asked of a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteCommand {
    /// Creates the quote with an empty draft version 1.
    Create(NewQuote),
    /// Drafts the next version as a copy of the latest one.
    DraftNextVersion,
    /// Edits the draft (all edits or none).
    ReviseDraft {
        /// The edits, applied in order.
        edits: Vec<DraftEdit>,
    },
    /// Sends the draft, valid until a day; supersedes the version sent before.
    Send {
        /// Last day (inclusive) it may be accepted.
        valid_until: NaiveDate,
    },
    /// Records the customer's acceptance of a version and its sale.
    Accept {
        /// The version accepted.
        number: QuoteVersionNumber,
        /// The sale to record (id generated by the caller).
        sale_id: SaleId,
        /// Who signed at the customer, if known.
        signed_by: Option<Name>,
        /// Optional groups the customer took.
        optional_groups: BTreeSet<LineGroupId>,
    },
    /// Records the customer's rejection of a version.
    Reject {
        /// The version rejected.
        number: QuoteVersionNumber,
        /// Why (required).
        reason: Text,
    },
    /// System command (expiry job): marks the sent version whose validity ran out.
    Expire,
}

/// Facts from outside the quote that its rules need, loaded by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteFacts {
    /// For `Create`: the opportunity's status and customer (`None`: not found).
    pub opportunity: Option<(OpportunityStatus, CustomerId)>,
}

/// Payload of `quote.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteCreated {
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The opportunity.
    pub opportunity_id: OpportunityId,
    /// The customer.
    pub customer_id: CustomerId,
    /// Its currency.
    pub currency: Currency,
    /// Title.
    pub title: Name,
}

/// Payload of `quote.version_drafted` and `quote.version_revised`: the whole content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteVersionContent {
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The version.
    pub number: QuoteVersionNumber,
    /// The version it was drafted from (`quote.version_drafted`; `null` for version 1
    /// and always `null` on `quote.version_revised`).
    pub based_on: Option<QuoteVersionNumber>,
    /// The complete content after the change.
    pub content: QuoteContent,
}

/// Payload of `quote.sent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteSent {
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The version sent.
    pub number: QuoteVersionNumber,
    /// The customer it was sent to.
    pub customer_id: CustomerId,
    /// What was pinned: validity, content hash, totals as shown to the customer.
    pub sent: SentDetails,
}

/// Payload of `quote.superseded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteSuperseded {
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The version replaced.
    pub number: QuoteVersionNumber,
    /// The version that replaced it.
    pub superseded_by: QuoteVersionNumber,
}

/// Payload of `quote.accepted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteAccepted {
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The version accepted.
    pub number: QuoteVersionNumber,
    /// Its content hash (what exactly was accepted).
    pub content_hash: String,
    /// The sale recorded with it.
    pub sale_id: SaleId,
    /// Who signed at the customer.
    pub signed_by: Option<Name>,
    /// Optional groups the customer took.
    pub optional_groups: Vec<LineGroupId>,
}

/// Payload of `quote.rejected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRejected {
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The version rejected.
    pub number: QuoteVersionNumber,
    /// Why.
    pub reason: Text,
}

/// Payload of `quote.expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteExpired {
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The version that expired.
    pub number: QuoteVersionNumber,
    /// Its last valid day.
    pub valid_until: NaiveDate,
}

/// A line as sold, with its amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoldLine {
    /// Its group.
    pub group_id: LineGroupId,
    /// The group's title.
    pub group_title: Name,
    /// The line as quoted.
    pub line: QuoteLine,
    /// Its amounts.
    pub totals: LineTotals,
}

/// Labour minutes sold for one role (`role: null`: no role given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoldLabour {
    /// The role.
    pub role: Option<Name>,
    /// Minutes sold.
    pub minutes: i64,
}

/// A fee sold (fixed fee, product or recurring line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoldFee {
    /// The line.
    pub line_id: LineId,
    /// `fixed_fee`, `product` or `recurring`.
    pub kind: String,
    /// For recurring fees: how often.
    pub interval: Option<Interval>,
    /// Description.
    pub description: Text,
    /// Quantity.
    pub quantity: Quantity,
    /// Net amount (after discount, before tax).
    pub net: Money,
}

/// Payload of `sale.recorded`: the sold lines snapshotted, for delivery to consume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleRecorded {
    /// The sale.
    pub sale_id: SaleId,
    /// The quote.
    pub quote_id: QuoteId,
    /// Its human reference.
    pub quote_number: QuoteNumber,
    /// The version accepted.
    pub number: QuoteVersionNumber,
    /// Its content hash.
    pub content_hash: String,
    /// The opportunity.
    pub opportunity_id: OpportunityId,
    /// The customer.
    pub customer_id: CustomerId,
    /// The currency.
    pub currency: Currency,
    /// Every sold line (non-optional groups and the optional groups taken).
    pub lines: Vec<SoldLine>,
    /// Labour minutes sold per role, ordered by role (`null` first).
    pub labour: Vec<SoldLabour>,
    /// Fees sold, in line order.
    pub fees: Vec<SoldFee>,
    /// The totals of the sold lines.
    pub totals: Totals,
}

domain_events! {
    /// Facts about a quote and its sale.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum QuoteEvent {
        /// `quote.created`
        Created(QuoteCreated) = "quote.created",
        /// `quote.version_drafted`
        VersionDrafted(QuoteVersionContent) = "quote.version_drafted",
        /// `quote.version_revised` (a draft's content changed)
        VersionRevised(QuoteVersionContent) = "quote.version_revised",
        /// `quote.sent`
        Sent(QuoteSent) = "quote.sent",
        /// `quote.superseded`
        Superseded(QuoteSuperseded) = "quote.superseded",
        /// `quote.accepted`
        Accepted(QuoteAccepted) = "quote.accepted",
        /// `quote.rejected`
        Rejected(QuoteRejected) = "quote.rejected",
        /// `quote.expired`
        Expired(QuoteExpired) = "quote.expired",
        /// `sale.recorded` (primary context: the sale; aggregate: the quote)
        SaleRecorded(Box<SaleRecorded>) = "sale.recorded",
    }
}

impl QuoteEvent {
    /// The quote the event is about.
    pub fn quote_id(&self) -> QuoteId {
        match self {
            Self::Created(p) => p.quote_id,
            Self::VersionDrafted(p) | Self::VersionRevised(p) => p.quote_id,
            Self::Sent(p) => p.quote_id,
            Self::Superseded(p) => p.quote_id,
            Self::Accepted(p) => p.quote_id,
            Self::Rejected(p) => p.quote_id,
            Self::Expired(p) => p.quote_id,
            Self::SaleRecorded(p) => p.quote_id,
        }
    }
}

impl AggregateEvent for QuoteEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.quote_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        match self {
            Self::SaleRecorded(p) => ContextRef::new(ContextType::Sale, p.sale_id.as_uuid()),
            _ => ContextRef::new(ContextType::Quote, self.quote_id().as_uuid()),
        }
    }
}

/// Builds the sale snapshot of `version` with the optional groups taken.
fn sale_of(
    q: &Quote,
    v: &QuoteVersion,
    hash: &str,
    sale_id: SaleId,
    optional_groups: &BTreeSet<LineGroupId>,
) -> Result<SaleRecorded, DomainError> {
    let currency = q.currency();
    let mut lines = Vec::new();
    let mut labour: BTreeMap<Option<Name>, i64> = BTreeMap::new();
    let mut fees = Vec::new();
    let mut totals = Totals::zero(currency);
    for g in &v.content.groups {
        if g.optional && !optional_groups.contains(&g.group_id) {
            continue;
        }
        for l in &g.lines {
            let t = l.totals()?;
            totals = totals.add_line(&t)?;
            match l.kind() {
                LineKind::Labour { role } => {
                    let m = labour.entry(role.clone()).or_insert(0);
                    *m = m
                        .checked_add(l.quantity().get())
                        .ok_or_else(|| DomainError::invariant("sold minutes overflow"))?;
                }
                other => fees.push(SoldFee {
                    line_id: l.line_id(),
                    kind: other.as_str().to_owned(),
                    interval: match other {
                        LineKind::Recurring { interval } => Some(*interval),
                        _ => None,
                    },
                    description: l.description().clone(),
                    quantity: l.quantity(),
                    net: t.net,
                }),
            }
            lines.push(SoldLine {
                group_id: g.group_id,
                group_title: g.title.clone(),
                line: l.clone(),
                totals: t,
            });
        }
    }
    Ok(SaleRecorded {
        sale_id,
        quote_id: q.id(),
        quote_number: q.details.quote_number,
        number: v.number,
        content_hash: hash.to_owned(),
        opportunity_id: q.details.opportunity_id,
        customer_id: q.details.customer_id,
        currency,
        lines,
        labour: labour
            .into_iter()
            .map(|(role, minutes)| SoldLabour { role, minutes })
            .collect(),
        fees,
        totals,
    })
}

/// Decides a command against the current state (`None`: not created yet) at `now`.
///
/// Rules: created only for an open or quoting opportunity, for its customer; one draft at
/// a time, edited only while it is the draft; edits keep every line in the quote's
/// currency with ids unique and totals that fit, and must change something; a version is
/// sent with at least one line and a validity not before today; sending supersedes the
/// version sent before it (if still open); only the latest sent version, while
/// `now` is not past its validity, can be accepted or rejected; at most one acceptance
/// per quote, and nothing changes after it; expiry marks a sent version past its
/// validity, once.
pub fn decide(
    state: Option<&Quote>,
    cmd: &QuoteCommand,
    facts: &QuoteFacts,
    now: DateTime<Utc>,
) -> Result<Vec<QuoteEvent>, DomainError> {
    let q = match (state, cmd) {
        (None, QuoteCommand::Create(n)) => {
            match facts.opportunity {
                None => {
                    return Err(DomainError::NotFound {
                        entity: "opportunity",
                        id: n.opportunity_id.to_string(),
                    })
                }
                Some((status, _))
                    if !matches!(status, OpportunityStatus::Open | OpportunityStatus::Quoting) =>
                {
                    return Err(DomainError::invariant(format!(
                        "a {} opportunity takes no quotes",
                        status.as_str()
                    )))
                }
                Some((_, customer)) if customer != n.customer_id => {
                    return Err(DomainError::invariant(format!(
                        "the opportunity is for customer {customer}, not {}",
                        n.customer_id
                    )))
                }
                Some(_) => {}
            }
            return Ok(vec![
                QuoteEvent::Created(QuoteCreated {
                    quote_id: n.id,
                    quote_number: n.number,
                    opportunity_id: n.opportunity_id,
                    customer_id: n.customer_id,
                    currency: n.currency,
                    title: n.title.clone(),
                }),
                QuoteEvent::VersionDrafted(QuoteVersionContent {
                    quote_id: n.id,
                    quote_number: n.number,
                    number: QuoteVersionNumber::FIRST,
                    based_on: None,
                    content: QuoteContent::new(),
                }),
            ]);
        }
        (Some(q), QuoteCommand::Create(_)) => {
            return Err(DomainError::invariant(format!(
                "quote {} already exists",
                q.id()
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "quote",
                id: "(not created)".into(),
            })
        }
        (Some(q), _) => q,
    };
    if let Some((n, _)) = q.accepted {
        return Err(DomainError::invariant(format!(
            "quote version {n} was accepted; the quote takes no changes"
        )));
    }
    let (quote_id, quote_number) = (q.id(), q.details.quote_number);
    let draft = q.latest().filter(|v| v.status == QuoteVersionStatus::Draft);
    let today = now.date_naive();
    match cmd {
        QuoteCommand::Create(_) => Ok(vec![]),
        QuoteCommand::DraftNextVersion => {
            if let Some(d) = draft {
                return Err(DomainError::invariant(format!(
                    "version {} is still a draft",
                    d.number
                )));
            }
            let latest = q.latest();
            Ok(vec![QuoteEvent::VersionDrafted(QuoteVersionContent {
                quote_id,
                quote_number,
                number: QuoteVersionNumber::next_after(latest.map(|v| v.number))?,
                based_on: latest.map(|v| v.number),
                content: latest.map(|v| v.content.clone()).unwrap_or_default(),
            })])
        }
        QuoteCommand::ReviseDraft { edits } => {
            let d = draft.ok_or_else(|| {
                DomainError::invariant(
                    "there is no draft version to revise; draft the next version first",
                )
            })?;
            let mut content = d.content.clone();
            for e in edits {
                content.apply(e)?;
            }
            content.check(q.currency())?;
            if content == d.content {
                return Err(DomainError::invariant("the revision changes nothing"));
            }
            Ok(vec![QuoteEvent::VersionRevised(QuoteVersionContent {
                quote_id,
                quote_number,
                number: d.number,
                based_on: None,
                content,
            })])
        }
        QuoteCommand::Send { valid_until } => {
            let d =
                draft.ok_or_else(|| DomainError::invariant("there is no draft version to send"))?;
            if d.content.line_count() == 0 {
                return Err(DomainError::invariant(
                    "a quote version without lines cannot be sent",
                ));
            }
            if *valid_until < today {
                return Err(DomainError::field("valid_until", "must not be in the past"));
            }
            let totals = d.content.totals(q.currency())?;
            let mut events = vec![QuoteEvent::Sent(QuoteSent {
                quote_id,
                quote_number,
                number: d.number,
                customer_id: q.details.customer_id,
                sent: SentDetails {
                    valid_until: *valid_until,
                    content_hash: d.content.content_hash(q.currency()),
                    totals,
                },
            })];
            events.extend(
                q.versions
                    .iter()
                    .filter(|v| v.status == QuoteVersionStatus::Sent)
                    .map(|v| {
                        QuoteEvent::Superseded(QuoteSuperseded {
                            quote_id,
                            quote_number,
                            number: v.number,
                            superseded_by: d.number,
                        })
                    }),
            );
            Ok(events)
        }
        QuoteCommand::Accept {
            number,
            sale_id,
            signed_by,
            optional_groups,
        } => {
            let (v, sent) = answerable(q, *number, today)?;
            for g in optional_groups {
                if !v
                    .content
                    .groups
                    .iter()
                    .any(|x| x.group_id == *g && x.optional)
                {
                    return Err(DomainError::field(
                        "optional_groups",
                        format!("group {g} is not an optional group of version {number}"),
                    ));
                }
            }
            let sale = sale_of(q, v, &sent.content_hash, *sale_id, optional_groups)?;
            Ok(vec![
                QuoteEvent::Accepted(QuoteAccepted {
                    quote_id,
                    quote_number,
                    number: *number,
                    content_hash: sent.content_hash.clone(),
                    sale_id: *sale_id,
                    signed_by: signed_by.clone(),
                    optional_groups: optional_groups.iter().copied().collect(),
                }),
                QuoteEvent::SaleRecorded(Box::new(sale)),
            ])
        }
        QuoteCommand::Reject { number, reason } => {
            answerable(q, *number, today)?;
            Ok(vec![QuoteEvent::Rejected(QuoteRejected {
                quote_id,
                quote_number,
                number: *number,
                reason: reason.clone(),
            })])
        }
        QuoteCommand::Expire => {
            let due: Vec<QuoteEvent> = q
                .versions
                .iter()
                .filter(|v| v.status == QuoteVersionStatus::Sent)
                .filter_map(|v| v.sent.as_ref().map(|s| (v, s)))
                .filter(|(_, s)| today > s.valid_until)
                .map(|(v, s)| {
                    QuoteEvent::Expired(QuoteExpired {
                        quote_id,
                        quote_number,
                        number: v.number,
                        valid_until: s.valid_until,
                    })
                })
                .collect();
            if due.is_empty() {
                return Err(DomainError::invariant(
                    "no sent version of the quote is past its validity",
                ));
            }
            Ok(due)
        }
    }
}

/// The version a customer may answer: the latest sent one, still `sent`, not past its
/// validity.
fn answerable(
    q: &Quote,
    number: QuoteVersionNumber,
    today: NaiveDate,
) -> Result<(&QuoteVersion, &SentDetails), DomainError> {
    let v = q.get(number).ok_or_else(|| DomainError::NotFound {
        entity: "quote version",
        id: number.to_string(),
    })?;
    let latest_sent = q.latest_sent().map(|l| l.number);
    if latest_sent != Some(number) {
        return Err(DomainError::invariant(match latest_sent {
            Some(l) if l > number => {
                format!("version {number} is not the latest sent version (version {l} is)")
            }
            _ => format!("version {number} has not been sent"),
        }));
    }
    let sent = v
        .sent
        .as_ref()
        .ok_or_else(|| DomainError::invariant(format!("version {number} has not been sent")))?;
    if v.status != QuoteVersionStatus::Sent {
        return Err(DomainError::invariant(format!(
            "version {number} is {} and can no longer be answered",
            v.status.as_str()
        )));
    }
    if today > sent.valid_until {
        return Err(DomainError::invariant(format!(
            "version {number} expired after {}",
            sent.valid_until
        )));
    }
    Ok((v, sent))
}

fn set_status(q: &mut Quote, n: QuoteVersionNumber, s: QuoteVersionStatus) {
    if let Some(v) = q.versions.iter_mut().find(|v| v.number == n) {
        v.status = s;
    }
}

/// Folds one event into the state. Infallible; returns `None` only when a non-creation
/// event arrives before `quote.created` (a malformed stream).
pub fn evolve(state: Option<Quote>, ev: &QuoteEvent) -> Option<Quote> {
    let mut q = match (state, ev) {
        (None, QuoteEvent::Created(p)) => {
            return Some(Quote {
                details: p.clone(),
                versions: Vec::new(),
                accepted: None,
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(q), _) => q,
    };
    match ev {
        QuoteEvent::Created(_) => {}
        QuoteEvent::VersionDrafted(p) => q.versions.push(QuoteVersion {
            number: p.number,
            based_on: p.based_on,
            status: QuoteVersionStatus::Draft,
            content: p.content.clone(),
            sent: None,
        }),
        QuoteEvent::VersionRevised(p) => {
            if let Some(v) = q.versions.iter_mut().find(|v| v.number == p.number) {
                v.content = p.content.clone();
            }
        }
        QuoteEvent::Sent(p) => {
            if let Some(v) = q.versions.iter_mut().find(|v| v.number == p.number) {
                v.status = QuoteVersionStatus::Sent;
                v.sent = Some(p.sent.clone());
            }
        }
        QuoteEvent::Superseded(p) => set_status(&mut q, p.number, QuoteVersionStatus::Superseded),
        QuoteEvent::Accepted(p) => {
            set_status(&mut q, p.number, QuoteVersionStatus::Accepted);
            q.accepted = Some((p.number, p.sale_id));
        }
        QuoteEvent::Rejected(p) => set_status(&mut q, p.number, QuoteVersionStatus::Rejected),
        QuoteEvent::Expired(p) => set_status(&mut q, p.number, QuoteVersionStatus::Expired),
        QuoteEvent::SaleRecorded(_) => {}
    }
    q.version += 1;
    Some(q)
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<Quote>,
    events: impl IntoIterator<Item = &'a QuoteEvent>,
) -> Option<Quote> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a QuoteEvent>) -> Option<Quote> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for Quote {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = QuoteCommand;
    type Event = QuoteEvent;
    type Facts = QuoteFacts;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &QuoteCommand,
        facts: &QuoteFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<QuoteEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }

    fn evolve(state: Option<Self>, event: &QuoteEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commercial::values::BasisPoints;
    use chrono::TimeZone;

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, d, 12, 0, 0).unwrap()
    }
    fn day(d: u32) -> NaiveDate {
        at(d).date_naive()
    }
    fn eur() -> Currency {
        Currency::new("EUR").unwrap()
    }
    fn gid(n: u128) -> LineGroupId {
        LineGroupId::from_uuid(Uuid::from_u128(n))
    }
    fn labour(n: u128, minutes: i64, role: &str) -> QuoteLine {
        QuoteLine::new(
            LineId::from_uuid(Uuid::from_u128(n)),
            LineKind::Labour {
                role: Some(Name::new(role).unwrap()),
            },
            Text::for_field("description", "Build").unwrap(),
            Quantity::new(minutes).unwrap(),
            Money::new(12_000, eur()),
            None,
            BasisPoints::for_field("tax_rate", 2000).unwrap(),
        )
        .unwrap()
    }
    fn created() -> Quote {
        let f = QuoteFacts {
            opportunity: Some((
                OpportunityStatus::Open,
                CustomerId::from_uuid(Uuid::from_u128(20)),
            )),
        };
        let cmd = QuoteCommand::Create(NewQuote {
            id: QuoteId::from_uuid(Uuid::from_u128(1)),
            number: QuoteNumber::new("number", 12).unwrap(),
            opportunity_id: OpportunityId::from_uuid(Uuid::from_u128(2)),
            customer_id: CustomerId::from_uuid(Uuid::from_u128(20)),
            currency: eur(),
            title: Name::new("Website").unwrap(),
        });
        replay(&decide(None, &cmd, &f, at(1)).unwrap()).unwrap()
    }
    fn step(q: Quote, cmd: QuoteCommand, now: DateTime<Utc>) -> Result<Quote, DomainError> {
        let evs = decide(Some(&q), &cmd, &QuoteFacts::default(), now)?;
        Ok(evolve_all(Some(q), &evs).unwrap())
    }
    fn v(n: u32) -> QuoteVersionNumber {
        QuoteVersionNumber::new("number", n).unwrap()
    }

    #[test]
    fn actions_are_the_commands_decide_accepts() {
        let line = |n| QuoteCommand::ReviseDraft {
            edits: vec![
                DraftEdit::AddGroup {
                    group_id: gid(n),
                    title: Name::new("Build").unwrap(),
                    optional: false,
                },
                DraftEdit::AddLine {
                    group_id: gid(n),
                    line: labour(n * 10, 60, "Developer"),
                },
            ],
        };
        let send = QuoteCommand::Send {
            valid_until: day(20),
        };
        let draft = step(created(), line(1), at(1)).unwrap();
        let sent = step(draft.clone(), send.clone(), at(1)).unwrap();
        let redraft = step(sent.clone(), QuoteCommand::DraftNextVersion, at(2)).unwrap();
        let reject = |n| QuoteCommand::Reject {
            number: v(n),
            reason: Text::for_field("reason", "too dear").unwrap(),
        };
        let accept = |n| QuoteCommand::Accept {
            number: v(n),
            sale_id: SaleId::from_uuid(Uuid::from_u128(90)),
            signed_by: None,
            optional_groups: BTreeSet::new(),
        };
        let rejected = step(sent.clone(), reject(1), at(2)).unwrap();
        let accepted = step(sent.clone(), accept(1), at(2)).unwrap();
        for q in [draft, sent, redraft, rejected, accepted] {
            let quote_probes = [
                ("revise", line(2)),
                ("send", send.clone()),
                ("draft_next_version", QuoteCommand::DraftNextVersion),
            ];
            for (name, cmd) in quote_probes {
                assert_eq!(
                    step(q.clone(), cmd, at(2)).is_ok(),
                    q.actions().contains(&name),
                    "{name} on {:?}",
                    q.latest().map(|v| v.status())
                );
            }
            for ver in q.versions() {
                let n = ver.number().get();
                for (name, cmd) in [("accept", accept(n)), ("reject", reject(n))] {
                    assert_eq!(
                        step(q.clone(), cmd, at(2)).is_ok(),
                        q.version_actions(ver).contains(&name),
                        "{name} version {n} {}",
                        ver.status().as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn send_supersede_accept_once_and_record_one_sale() {
        let q = created();
        assert_eq!(q.latest().unwrap().status(), QuoteVersionStatus::Draft);
        assert!(
            step(
                q.clone(),
                QuoteCommand::Send {
                    valid_until: day(20)
                },
                at(1)
            )
            .is_err(),
            "no lines"
        );
        let q = step(
            q,
            QuoteCommand::ReviseDraft {
                edits: vec![
                    DraftEdit::AddGroup {
                        group_id: gid(10),
                        title: Name::new("Build").unwrap(),
                        optional: false,
                    },
                    DraftEdit::AddLine {
                        group_id: gid(10),
                        line: labour(100, 600, "Developer"),
                    },
                    DraftEdit::AddGroup {
                        group_id: gid(11),
                        title: Name::new("Extras").unwrap(),
                        optional: true,
                    },
                    DraftEdit::AddLine {
                        group_id: gid(11),
                        line: labour(101, 60, "Designer"),
                    },
                ],
            },
            at(1),
        )
        .unwrap();
        assert!(step(
            q.clone(),
            QuoteCommand::Send {
                valid_until: day(1) - chrono::Days::new(1)
            },
            at(1)
        )
        .is_err());
        let q = step(
            q,
            QuoteCommand::Send {
                valid_until: day(20),
            },
            at(2),
        )
        .unwrap();
        let hash1 = q.get(v(1)).unwrap().sent().unwrap().content_hash.clone();
        assert!(step(
            q.clone(),
            QuoteCommand::ReviseDraft {
                edits: vec![DraftEdit::RemoveLine {
                    line_id: LineId::from_uuid(Uuid::from_u128(100))
                }]
            },
            at(2)
        )
        .is_err());
        let q = step(q, QuoteCommand::DraftNextVersion, at(3)).unwrap();
        let q = step(
            q,
            QuoteCommand::ReviseDraft {
                edits: vec![DraftEdit::UpdateLine {
                    line: labour(100, 900, "Developer"),
                }],
            },
            at(3),
        )
        .unwrap();
        let q = step(
            q,
            QuoteCommand::Send {
                valid_until: day(20),
            },
            at(4),
        )
        .unwrap();
        assert_eq!(
            q.get(v(1)).unwrap().status(),
            QuoteVersionStatus::Superseded
        );
        assert_eq!(q.get(v(1)).unwrap().content().content_hash(eur()), hash1);
        let accept = |n, sale| QuoteCommand::Accept {
            number: v(n),
            sale_id: SaleId::from_uuid(Uuid::from_u128(sale)),
            signed_by: None,
            optional_groups: [gid(11)].into_iter().collect(),
        };
        assert!(step(q.clone(), accept(1, 50), at(5)).is_err(), "superseded");
        assert!(step(q.clone(), accept(2, 50), at(21)).is_err(), "expired");
        let evs = decide(Some(&q), &accept(2, 50), &QuoteFacts::default(), at(5)).unwrap();
        assert_eq!(evs.len(), 2);
        let QuoteEvent::SaleRecorded(sale) = &evs[1] else {
            panic!("sale")
        };
        // 900 min + 60 min (optional taken) at 120.00/h + 20 % tax.
        assert_eq!(sale.totals.total, Money::new(230_400, eur()));
        assert_eq!(sale.labour.len(), 2);
        assert_eq!(sale.labour[1].minutes, 900);
        let q = evolve_all(Some(q), &evs).unwrap();
        assert_eq!(
            q.accepted(),
            Some((v(2), SaleId::from_uuid(Uuid::from_u128(50))))
        );
        assert!(
            step(q.clone(), accept(2, 51), at(5)).is_err(),
            "at most one acceptance"
        );
        assert!(step(q, QuoteCommand::DraftNextVersion, at(5)).is_err());
    }

    #[test]
    fn expiry_happens_once_and_only_when_due() {
        let q = step(
            created(),
            QuoteCommand::ReviseDraft {
                edits: vec![
                    DraftEdit::AddGroup {
                        group_id: gid(10),
                        title: Name::new("Build").unwrap(),
                        optional: false,
                    },
                    DraftEdit::AddLine {
                        group_id: gid(10),
                        line: labour(100, 60, "Developer"),
                    },
                ],
            },
            at(1),
        )
        .unwrap();
        let q = step(
            q,
            QuoteCommand::Send {
                valid_until: day(10),
            },
            at(1),
        )
        .unwrap();
        assert!(!q.is_expiry_due(at(10)));
        assert!(step(q.clone(), QuoteCommand::Expire, at(10)).is_err());
        assert!(q.is_expiry_due(at(11)));
        let q = step(q, QuoteCommand::Expire, at(11)).unwrap();
        assert_eq!(q.latest().unwrap().status(), QuoteVersionStatus::Expired);
        assert!(step(q.clone(), QuoteCommand::Expire, at(12)).is_err());
        assert!(step(
            q.clone(),
            QuoteCommand::Reject {
                number: v(1),
                reason: Text::for_field("reason", "late").unwrap()
            },
            at(10)
        )
        .is_err());
        // A new version can still be drafted and sent after expiry.
        let q = step(q, QuoteCommand::DraftNextVersion, at(12)).unwrap();
        assert_eq!(q.latest().unwrap().based_on(), Some(v(1)));
        assert!(step(
            q,
            QuoteCommand::Send {
                valid_until: day(20)
            },
            at(12)
        )
        .is_ok());
    }
}
