//! The push record (aggregate `accounting_push`): one per PET fact sent to the accounting
//! system — a customer, a sale, an approved billable time entry — with its stable request
//! id, its attempts and its outcome.
//!
//! ```text
//!            send                 confirm (response or look-up)
//! queued ──────────▶ in flight ─────────────────────────────▶ confirmed ──▶ matched
//!   ▲                 │  ▲  │ fail (429, 5xx, timeout, 401)        │   reconcile: mismatched, missing
//!   │                 │  │  ▼                                      │
//!   │                 │  failed ── too many failures, rejected ──▶ dead
//!   └──── requeue (dead; mismatched: an update; missing: a new generation) ─┘
//!   └──── adjusted (a confirmed time activity: an update; its total reaches 0: a delete) ─┘
//! ```
//!
//! Adjustments of approved time ([`PushCommand::Adjust`], from `time_entry.adjusted`) fold
//! into the time push's document (its minutes become the entry's current total) and bring
//! the time activity to it: a confirmed push is queued again as an update (a delete when the
//! total reaches 0; a new generation when time comes back after a delete); an unconfirmed
//! one keeps the content its create was first sent with (a request id always carries the
//! same content) and is updated once confirmed. Each adjustment is folded once (its id is
//! kept), and an update's request id is derived from the last adjustment folded in and the
//! record's sync token ([`PushId::update_request_id`]).
//!
//! Why nothing is ever posted twice: the request id of a push is derived from the PET fact
//! ([`PushId::for_source`]) and its generation ([`PushId::request_id`]), never drawn per
//! attempt, so every resend of a generation carries the same id and the accounting system
//! answers a repeat with the record it already made (QBO's `requestid`); a push whose
//! outcome is unknown (a crash after the send, a 5xx or time-out) is looked up before it is
//! sent again ([`Push::plan`]); a confirmed push is never sent again as a create; and a
//! confirmation naming a second record is refused ([`PushCommand::Confirm`]). A new
//! generation (a new request id) exists only after reconciliation found the record
//! missing from the accounting system.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::doc::{compare, compare_worker, Difference, PushDoc, RemoteRecord, TargetKind};
use crate::aggregate::domain_events;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::helpdesk::ids::uuid_id;

/// The aggregate type of push records.
pub const AGGREGATE_TYPE: &str = "accounting_push";

/// Failures (5xx, time-outs, transport errors) a push survives before it is dead-lettered;
/// rate limits (429) and a lost connection (401) delay it without counting.
pub const MAX_FAILURES: u32 = 8;

/// How long a push may stay in flight before a runner treats its outcome as unknown (the
/// runner that sent it died) and looks it up.
pub const IN_DOUBT_AFTER_SECS: i64 = 120;

/// The wait after a 429 without `Retry-After`.
pub const RATE_LIMIT_WAIT_SECS: i64 = 60;

/// The wait after a 401 the token refresh did not cure (the connection is lost).
pub const UNAUTHORIZED_WAIT_SECS: i64 = 300;

/// The namespace of push ids (UUIDv5).
pub const PUSH_NAMESPACE: Uuid = Uuid::from_u128(0x5b0e_51a4_93c1_4d0b_8d1f_7a2c_0e6b_1201);

uuid_id!(
    /// Identifies a push record: derived from the PET fact it pushes.
    PushId,
    "accounting push"
);

/// The PET fact a push sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A customer.
    Customer,
    /// A sale (accepted quote).
    Sale,
    /// An approved time entry.
    TimeEntry,
}

impl SourceKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Customer => "customer",
            SourceKind::Sale => "sale",
            SourceKind::TimeEntry => "time_entry",
        }
    }
}

/// The PET entity a push is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// What it is.
    pub kind: SourceKind,
    /// Its id.
    pub id: Uuid,
}

impl PushId {
    /// The push id of a PET fact: the same for every delivery of the same fact, whatever
    /// the target kind (a sale is pushed once, as an invoice or as an estimate).
    pub fn for_source(source: SourceRef) -> Self {
        let name = format!("{}:{}", source.kind.as_str(), source.id);
        Self(Uuid::new_v5(&PUSH_NAMESPACE, name.as_bytes()))
    }

    /// The request id every send of `generation` carries (QBO `requestid`, 36 characters).
    pub fn request_id(self, generation: u32) -> String {
        Uuid::new_v5(&self.0, format!("generation:{generation}").as_bytes()).to_string()
    }

    /// The request id of an update (or, `remove`, a delete) of the record at `sync_token`
    /// carrying the document as of adjustment `revision` (the last one folded in; `None`:
    /// none). A repeat of the same update carries the same id; the next update — at the next
    /// sync token, or after another adjustment — another (a create's id would be answered
    /// with the create's first response).
    pub fn update_request_id(
        self,
        generation: u32,
        revision: Option<Uuid>,
        sync_token: &str,
        remove: bool,
    ) -> String {
        let op = if remove { "delete" } else { "update" };
        let name = match revision {
            None => format!("generation:{generation}:{op}:{sync_token}"),
            Some(a) => format!("generation:{generation}:adjustment:{a}:{op}:{sync_token}"),
        };
        Uuid::new_v5(&self.0, name.as_bytes()).to_string()
    }
}

/// Where a push stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    /// Waiting to be sent.
    Queued,
    /// Sent; the outcome is not recorded yet.
    InFlight,
    /// The last send failed; it is retried at `next_at`.
    Failed,
    /// The accounting system holds it (its id is known).
    Confirmed,
    /// Given up on; waits for an admin's re-push.
    Dead,
}

impl PushStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PushStatus::Queued => "queued",
            PushStatus::InFlight => "in_flight",
            PushStatus::Failed => "failed",
            PushStatus::Confirmed => "confirmed",
            PushStatus::Dead => "dead",
        }
    }
}

/// What reconciliation last found for a confirmed push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reconciliation {
    /// Not reconciled since it was confirmed.
    Unchecked,
    /// The accounting record equals PET's document.
    Matched,
    /// It differs (the event names the fields).
    Mismatched,
    /// The accounting system no longer holds it.
    Missing,
}

impl Reconciliation {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reconciliation::Unchecked => "unchecked",
            Reconciliation::Matched => "matched",
            Reconciliation::Mismatched => "mismatched",
            Reconciliation::Missing => "missing",
        }
    }
}

/// Why a send failed, as the adapter classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// 429: retried after the server's wait, not counted.
    RateLimited,
    /// 5xx, a time-out or a transport error: retried with back-off, counted.
    Unavailable,
    /// 401 after a token refresh: the connection is lost; retried, not counted.
    Unauthorized,
    /// A validation fault (4xx): sending again cannot help; dead at once.
    Rejected,
    /// The record changed in the accounting system since PET read it (QBO's stale object
    /// error, 5010): its sync token is read again and the update retried at once, counted.
    Stale,
}

impl FailureKind {
    /// Whether the failure counts towards [`MAX_FAILURES`].
    pub fn counts(self) -> bool {
        matches!(self, FailureKind::Unavailable | FailureKind::Stale)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::RateLimited => "rate_limited",
            FailureKind::Unavailable => "unavailable",
            FailureKind::Unauthorized => "unauthorized",
            FailureKind::Rejected => "rejected",
            FailureKind::Stale => "stale",
        }
    }
}

/// A push record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Push {
    /// Its id.
    pub id: PushId,
    /// What it creates.
    pub target: TargetKind,
    /// The PET fact.
    pub source: SourceRef,
    /// What it sends.
    pub doc: PushDoc,
    /// The generation (1, or more after re-pushes of a record found missing).
    pub generation: u32,
    /// Where it stands.
    pub status: PushStatus,
    /// Sends of the current generation; the number of the last send.
    pub attempts: u32,
    /// Counted failures since the last queueing.
    pub failures: u32,
    /// When the last send was written (in flight since then).
    pub sent_at: Option<DateTime<Utc>>,
    /// Not before this time (failed).
    pub next_at: Option<DateTime<Utc>>,
    /// The accounting system's id, once known.
    pub remote_id: Option<String>,
    /// Its sync token, as last seen.
    pub sync_token: Option<String>,
    /// The next send updates `remote_id` instead of creating (a mismatch's re-push).
    pub update: bool,
    /// The last error.
    pub last_error: Option<String>,
    /// What reconciliation last found.
    pub reconciliation: Reconciliation,
    /// The differing fields it last found (mismatched).
    pub differences: Vec<Difference>,
    /// The amount reconciliation last read (a sale's total).
    pub remote_amount_minor: Option<i64>,
    /// Time: the adjustments folded into `doc` since the approval, in order (each once).
    pub adjustments: Vec<Uuid>,
    /// Time: the minutes the creates of this generation carry, frozen at its first send (a
    /// request id always carries the same content); `None` before it.
    pub sent_minutes: Option<i64>,
    /// An adjustment arrived while a send of older content was unanswered: once confirmed,
    /// the record is updated (unless it already holds the current total).
    pub resend_after_confirm: bool,
    /// Time: the total is 0 minutes, so the accounting system holds no record of it (the
    /// time activity was deleted, or none was made).
    pub removed: bool,
    /// Events applied.
    pub version: u64,
}

/// What a runner should do with a push now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing (confirmed or dead).
    Nothing,
    /// Not before this time.
    WaitUntil(DateTime<Utc>),
    /// Send it.
    Send {
        /// Look it up first: an earlier send of this generation may have been accepted.
        look_up_first: bool,
        /// The request id to send with.
        request_id: String,
        /// Update this record (id, sync token) instead of creating one.
        update: Option<(String, String)>,
        /// Delete the record `update` names (a time activity whose total reached 0).
        remove: bool,
    },
}

impl Push {
    /// The request id of the current generation.
    pub fn request_id(&self) -> String {
        self.id.request_id(self.generation)
    }

    /// What a runner should do at `now`. A push in flight for longer than
    /// [`IN_DOUBT_AFTER_SECS`] is in doubt: its runner died between the send and the
    /// record, so it is looked up and, if absent, sent again with the same request id.
    pub fn plan(&self, now: DateTime<Utc>) -> Plan {
        let update = if self.update {
            self.remote_id.clone().zip(self.sync_token.clone())
        } else {
            None
        };
        let zero = self.doc.time_minutes() == Some(0);
        if update.is_none() && zero && !self.sent_this_generation() {
            // Nothing to create (settled as removed by `evolve`).
            return Plan::Nothing;
        }
        let remove = update.is_some() && zero;
        let send = |look_up_first: bool| Plan::Send {
            look_up_first: look_up_first && update.is_none(),
            request_id: match &update {
                Some((_, token)) => self.id.update_request_id(
                    self.generation,
                    self.adjustments.last().copied(),
                    token,
                    remove,
                ),
                None => self.request_id(),
            },
            update: update.clone(),
            remove,
        };
        match self.status {
            PushStatus::Confirmed | PushStatus::Dead => Plan::Nothing,
            PushStatus::Queued => send(self.sent_this_generation()),
            PushStatus::InFlight => {
                let due = self
                    .sent_at
                    .map_or(now, |t| t + Duration::seconds(IN_DOUBT_AFTER_SECS));
                if now >= due {
                    send(true)
                } else {
                    Plan::WaitUntil(due)
                }
            }
            PushStatus::Failed => match self.next_at {
                Some(t) if now < t => Plan::WaitUntil(t),
                _ => send(true),
            },
        }
    }

    /// Whether a send of the current generation may have reached the accounting system.
    fn sent_this_generation(&self) -> bool {
        self.attempts > 0
    }

    /// What a send carries now: a create of a generation sent before carries the minutes
    /// of its first send (the same request id, the same content; a later adjustment follows
    /// as an update once confirmed); an update carries the current document.
    pub fn send_doc(&self) -> PushDoc {
        match (self.update, self.sent_minutes) {
            (false, Some(m)) => self.doc.with_time_minutes(m),
            _ => self.doc.clone(),
        }
    }
}

/// A time entry's current total as PET's state rows hold it (approved minutes and every
/// adjustment), for reconciliation and a re-push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeTotal {
    /// Minutes.
    pub minutes: i64,
    /// The ids of the entry's adjustments, in order.
    pub adjustment_ids: Vec<Uuid>,
}

/// What can be asked of a push record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushCommand {
    /// Queues the push of a PET fact (its id is [`PushId::for_source`] of `source`).
    Queue {
        /// What it creates.
        target: TargetKind,
        /// The PET fact.
        source: SourceRef,
        /// What it sends.
        doc: PushDoc,
    },
    /// Records that a send is about to leave (written and committed before the request).
    Send,
    /// Records the accounting system's record: from the send's response or a look-up. A
    /// repeat naming the same record changes nothing; one naming another is refused.
    Confirm {
        /// The generation whose send or look-up found it: an answer about an earlier
        /// generation (a late or replayed delivery) is ignored.
        generation: u32,
        /// The accounting id.
        remote_id: String,
        /// Its sync token.
        sync_token: String,
        /// Found by a look-up rather than returned by a send.
        found_by_lookup: bool,
        /// What the record holds (a time activity's minutes), when the answer says.
        amount_minor: Option<i64>,
        /// The answer is a delete's: the record no longer exists.
        removed: bool,
    },
    /// Records a failed send (ignored unless it is the send in flight).
    Fail {
        /// The send's number.
        attempt: u32,
        /// The classification.
        kind: FailureKind,
        /// The error as the adapter reports it.
        error: String,
        /// The server's wait (`Retry-After`), if any.
        retry_after_secs: Option<i64>,
        /// The record's sync token as read again after a stale-object fault.
        sync_token: Option<String>,
    },
    /// Folds an adjustment of the pushed time entry (`time_entry.adjusted` of approved
    /// time) into the document; a repeat (the same adjustment) records nothing.
    Adjust {
        /// The adjustment.
        adjustment_id: Uuid,
        /// Its signed minutes.
        minutes: i64,
    },
    /// Records what the accounting system holds for a confirmed push (`None`: nothing);
    /// `customer_ref` is the accounting id of the document's customer. Records an event
    /// only when the outcome or its differences changed.
    Reconcile {
        /// The record read back.
        remote: Option<RemoteRecord>,
        /// The customer's accounting id.
        customer_ref: Option<String>,
        /// A time activity's worker as the mapping names it now (`employee:<id>` or
        /// `vendor:<id>`; `None`: not compared).
        worker: Option<String>,
        /// A time entry's current total (approved minutes and every adjustment): compared
        /// instead of the document's, so an adjustment not applied yet shows.
        minutes: Option<i64>,
    },
    /// An admin's re-push: a dead push again (same request id), a mismatched one as an
    /// update, a missing one as a new generation.
    Requeue {
        /// Why.
        reason: String,
        /// A time push: the entry's current total, which the re-push sends.
        time: Option<TimeTotal>,
    },
}

/// Payload of `accounting.push_queued`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushQueued {
    /// The push.
    pub push_id: PushId,
    /// What it creates.
    pub target: TargetKind,
    /// The PET fact.
    pub source: SourceRef,
    /// What it sends.
    pub doc: PushDoc,
    /// The request id of generation 1.
    pub request_id: String,
}

/// Payload of `accounting.push_sent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushSent {
    /// The push.
    pub push_id: PushId,
    /// The send's number.
    pub attempt: u32,
    /// The request id it carries.
    pub request_id: String,
    /// An update of the existing record.
    pub update: bool,
    /// A delete of the existing record (a time activity whose total reached 0).
    #[serde(default, skip_serializing_if = "is_false")]
    pub remove: bool,
    /// When it was written (before the request left).
    pub sent_at: DateTime<Utc>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Payload of `accounting.push_confirmed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushConfirmed {
    /// The push.
    pub push_id: PushId,
    /// The send it answers (the last one).
    pub attempt: u32,
    /// The accounting id.
    pub remote_id: String,
    /// Its sync token.
    pub sync_token: String,
    /// Found by a look-up after an unknown outcome.
    pub found_by_lookup: bool,
    /// The send was a delete: the record no longer exists.
    #[serde(default, skip_serializing_if = "is_false")]
    pub removed: bool,
}

/// Payload of `accounting.push_failed` and `accounting.push_dead`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushFailed {
    /// The push.
    pub push_id: PushId,
    /// The send that failed.
    pub attempt: u32,
    /// The classification.
    pub kind: FailureKind,
    /// The error.
    pub error: String,
    /// When it is retried (`None`: dead).
    pub retry_at: Option<DateTime<Utc>>,
    /// The record's sync token read again after a stale-object fault (the next update
    /// quotes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
}

/// Payload of `accounting.push_requeued`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequeued {
    /// The push.
    pub push_id: PushId,
    /// The generation now (a new one after "missing").
    pub generation: u32,
    /// Its request id.
    pub request_id: String,
    /// An update of the existing record (after "mismatched").
    pub update: bool,
    /// Why.
    pub reason: String,
    /// A time push: the entry's total the re-push sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<i64>,
    /// A time push: the entry's adjustments that total includes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjustment_ids: Vec<Uuid>,
}

/// Payload of `accounting.push_adjusted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushAdjusted {
    /// The push.
    pub push_id: PushId,
    /// The time entry's adjustment.
    pub adjustment_id: Uuid,
    /// Its signed minutes.
    pub minutes: i64,
    /// The time activity's minutes now.
    pub total_minutes: i64,
}

/// Payload of `accounting.matched`, `accounting.mismatched` and `accounting.missing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushReconciled {
    /// The push.
    pub push_id: PushId,
    /// The accounting id compared.
    pub remote_id: String,
    /// The sync token read (mismatched: what an update must quote).
    pub sync_token: Option<String>,
    /// The differing fields (mismatched only).
    pub differences: Vec<Difference>,
    /// The amount read (a sale's total, in minor units), for the totals per period.
    pub remote_amount_minor: Option<i64>,
}

domain_events! {
    /// Facts about a push to the accounting system.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum PushEvent {
        /// `accounting.push_queued`
        Queued(Box<PushQueued>) = "accounting.push_queued",
        /// `accounting.push_sent`
        Sent(PushSent) = "accounting.push_sent",
        /// `accounting.push_confirmed`
        Confirmed(PushConfirmed) = "accounting.push_confirmed",
        /// `accounting.push_failed`
        Failed(PushFailed) = "accounting.push_failed",
        /// `accounting.push_dead`
        Dead(PushFailed) = "accounting.push_dead",
        /// `accounting.push_requeued`
        Requeued(PushRequeued) = "accounting.push_requeued",
        /// `accounting.push_adjusted`
        Adjusted(PushAdjusted) = "accounting.push_adjusted",
        /// `accounting.matched`
        Matched(PushReconciled) = "accounting.matched",
        /// `accounting.mismatched`
        Mismatched(PushReconciled) = "accounting.mismatched",
        /// `accounting.missing`
        Missing(PushReconciled) = "accounting.missing",
    }
}

impl PushEvent {
    /// The push the event is about.
    pub fn push_id(&self) -> PushId {
        match self {
            Self::Queued(p) => p.push_id,
            Self::Sent(p) => p.push_id,
            Self::Confirmed(p) => p.push_id,
            Self::Failed(p) | Self::Dead(p) => p.push_id,
            Self::Requeued(p) => p.push_id,
            Self::Adjusted(p) => p.push_id,
            Self::Matched(p) | Self::Mismatched(p) | Self::Missing(p) => p.push_id,
        }
    }
}

impl AggregateEvent for PushEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.push_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::AccountingPush, self.push_id().as_uuid())
    }
}

fn backoff(failures: u32) -> Duration {
    // 30 s, 1 min, 2 min, … at most one hour (as the job queue's).
    let secs = 30i64.saturating_mul(1i64 << failures.saturating_sub(1).min(20));
    Duration::seconds(secs.min(3600))
}

fn clip(s: &str) -> String {
    s.chars().take(500).collect()
}

impl crate::aggregate::Aggregate for Push {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = PushCommand;
    type Event = PushEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &PushCommand,
        _facts: &(),
        now: DateTime<Utc>,
    ) -> Result<Vec<PushEvent>, DomainError> {
        let Some(p) = state else {
            return match cmd {
                PushCommand::Queue {
                    target,
                    source,
                    doc,
                } => {
                    let push_id = PushId::for_source(*source);
                    Ok(vec![PushEvent::Queued(Box::new(PushQueued {
                        push_id,
                        target: *target,
                        source: *source,
                        doc: doc.clone(),
                        request_id: push_id.request_id(1),
                    }))])
                }
                _ => Err(DomainError::NotFound {
                    entity: "accounting push",
                    id: "(not queued)".into(),
                }),
            };
        };
        let push_id = p.id;
        match cmd {
            // The same fact delivered again: already queued, nothing to record.
            PushCommand::Queue { source, .. } if *source == p.source => Ok(vec![]),
            PushCommand::Queue { .. } => Err(DomainError::invariant(
                "this push id belongs to another PET fact",
            )),
            PushCommand::Send => match p.plan(now) {
                Plan::Send {
                    request_id,
                    update,
                    remove,
                    ..
                } => Ok(vec![PushEvent::Sent(PushSent {
                    push_id,
                    attempt: p.attempts.saturating_add(1),
                    request_id,
                    update: update.is_some(),
                    remove,
                    sent_at: now,
                })]),
                Plan::WaitUntil(t) => Err(DomainError::invariant(format!(
                    "the push is not due before {}",
                    t.to_rfc3339()
                ))),
                Plan::Nothing => Err(DomainError::invariant(format!(
                    "a {} push is not sent again",
                    p.status.as_str()
                ))),
            },
            PushCommand::Confirm {
                generation,
                remote_id,
                sync_token,
                found_by_lookup,
                amount_minor,
                removed,
            } => {
                if remote_id.trim().is_empty() {
                    return Err(DomainError::field("remote_id", "is required"));
                }
                if *generation != p.generation {
                    // About a record an earlier generation made (since found missing).
                    return Ok(vec![]);
                }
                match (&p.remote_id, p.status) {
                    (Some(known), PushStatus::Confirmed) if known == remote_id => Ok(vec![]),
                    (Some(known), _) if known != remote_id => Err(DomainError::invariant(format!(
                        "the push is already recorded as {known}; a second record ({remote_id}) \
                         would post it twice"
                    ))),
                    _ => {
                        let mut out = vec![PushEvent::Confirmed(PushConfirmed {
                            push_id,
                            attempt: p.attempts,
                            remote_id: remote_id.clone(),
                            sync_token: sync_token.clone(),
                            found_by_lookup: *found_by_lookup,
                            removed: *removed,
                        })];
                        // An adjustment arrived while older content was unanswered: the
                        // record is brought to the current total (time coming back after a
                        // delete is a new record, a new generation).
                        let follow = match (p.resend_after_confirm, p.doc.time_minutes()) {
                            (true, Some(want)) if *removed && want > 0 => {
                                Some(p.generation.saturating_add(1))
                            }
                            (true, Some(want)) if !*removed && *amount_minor != Some(want) => {
                                Some(p.generation)
                            }
                            _ => None,
                        };
                        if let Some(generation) = follow {
                            out.push(PushEvent::Requeued(PushRequeued {
                                push_id,
                                generation,
                                request_id: push_id.request_id(generation),
                                update: generation == p.generation,
                                reason: "an adjustment made while the push was unconfirmed".into(),
                                minutes: None,
                                adjustment_ids: Vec::new(),
                            }));
                        }
                        Ok(out)
                    }
                }
            }
            PushCommand::Adjust {
                adjustment_id,
                minutes,
            } => {
                let Some(total) = p.doc.time_minutes() else {
                    return Err(DomainError::invariant(
                        "only a time activity's push takes adjustments",
                    ));
                };
                if p.adjustments.contains(adjustment_id) {
                    return Ok(vec![]);
                }
                Ok(vec![PushEvent::Adjusted(PushAdjusted {
                    push_id,
                    adjustment_id: *adjustment_id,
                    minutes: *minutes,
                    // PET never takes an entry below 0; a total read otherwise is held at 0.
                    total_minutes: total.saturating_add(*minutes).max(0),
                })])
            }
            PushCommand::Fail {
                attempt,
                kind,
                error,
                retry_after_secs,
                sync_token,
            } => {
                if p.status != PushStatus::InFlight || *attempt != p.attempts {
                    // A late or repeated report of an earlier send: the record stands.
                    return Ok(vec![]);
                }
                let failures = if kind.counts() {
                    p.failures.saturating_add(1)
                } else {
                    p.failures
                };
                let wait = match kind {
                    FailureKind::RateLimited => Duration::seconds(
                        retry_after_secs
                            .unwrap_or(RATE_LIMIT_WAIT_SECS)
                            .clamp(1, 3600),
                    ),
                    FailureKind::Unauthorized => Duration::seconds(UNAUTHORIZED_WAIT_SECS),
                    FailureKind::Unavailable => backoff(failures),
                    FailureKind::Rejected | FailureKind::Stale => Duration::zero(),
                };
                let dead = *kind == FailureKind::Rejected || failures >= MAX_FAILURES;
                let payload = PushFailed {
                    push_id,
                    attempt: *attempt,
                    kind: *kind,
                    error: clip(error),
                    retry_at: (!dead).then(|| now + wait),
                    sync_token: sync_token.clone(),
                };
                Ok(vec![if dead {
                    PushEvent::Dead(payload)
                } else {
                    PushEvent::Failed(payload)
                }])
            }
            PushCommand::Reconcile {
                remote,
                customer_ref,
                worker,
                minutes,
            } => {
                let Some(known) = p
                    .remote_id
                    .clone()
                    .filter(|_| p.status == PushStatus::Confirmed)
                else {
                    return Err(DomainError::invariant(
                        "only a confirmed push can be reconciled",
                    ));
                };
                let amount = remote.as_ref().and_then(|r| r.amount_minor);
                // A time activity is held to the entry's current total.
                let doc = match minutes {
                    Some(m) => p.doc.with_time_minutes(*m),
                    None => p.doc.clone(),
                };
                let (outcome, differences, sync_token) = match remote {
                    // Deleted because the total is 0: as it should be.
                    None if p.removed && doc.time_minutes() == Some(0) => {
                        (Reconciliation::Matched, Vec::new(), None)
                    }
                    None => (Reconciliation::Missing, Vec::new(), None),
                    Some(r) => {
                        let mut d = compare(&doc, r, customer_ref.as_deref());
                        d.extend(compare_worker(&p.doc, r, worker.as_deref()));
                        let o = if d.is_empty() {
                            Reconciliation::Matched
                        } else {
                            Reconciliation::Mismatched
                        };
                        (o, d, Some(r.sync_token.clone()))
                    }
                };
                if outcome == p.reconciliation
                    && differences == p.differences
                    && amount == p.remote_amount_minor
                    && (sync_token.is_none() || sync_token == p.sync_token)
                {
                    return Ok(vec![]);
                }
                let payload = PushReconciled {
                    push_id,
                    remote_id: known,
                    sync_token,
                    differences,
                    remote_amount_minor: amount,
                };
                Ok(vec![match outcome {
                    Reconciliation::Missing => PushEvent::Missing(payload),
                    Reconciliation::Mismatched => PushEvent::Mismatched(payload),
                    _ => PushEvent::Matched(payload),
                }])
            }
            PushCommand::Requeue { reason, time } => {
                let (generation, update) = match (p.status, p.reconciliation) {
                    (PushStatus::Dead, _) => (p.generation, p.remote_id.is_some()),
                    (PushStatus::Confirmed, Reconciliation::Mismatched) => (p.generation, true),
                    (PushStatus::Confirmed, Reconciliation::Missing) => {
                        (p.generation.saturating_add(1), false)
                    }
                    _ => {
                        return Err(DomainError::invariant(
                            "only a dead, mismatched or missing push can be pushed again",
                        ))
                    }
                };
                let time = time.as_ref().filter(|_| p.doc.time_minutes().is_some());
                Ok(vec![PushEvent::Requeued(PushRequeued {
                    push_id,
                    generation,
                    request_id: push_id.request_id(generation),
                    update,
                    reason: clip(reason),
                    minutes: time.map(|t| t.minutes.max(0)),
                    adjustment_ids: time.map(|t| t.adjustment_ids.clone()).unwrap_or_default(),
                })])
            }
        }
    }

    fn evolve(state: Option<Self>, ev: &PushEvent) -> Option<Self> {
        evolve(state, ev)
    }
}

/// A time push at 0 minutes with nothing sent: nothing to make, it is settled as removed.
fn settle_removed(p: &mut Push) {
    if p.status == PushStatus::Queued
        && p.doc.time_minutes() == Some(0)
        && p.remote_id.is_none()
        && p.attempts == 0
    {
        p.status = PushStatus::Confirmed;
        p.removed = true;
        p.update = false;
    }
}

fn evolve(state: Option<Push>, ev: &PushEvent) -> Option<Push> {
    let mut p = match (state, ev) {
        (None, PushEvent::Queued(q)) => {
            return Some(Push {
                id: q.push_id,
                target: q.target,
                source: q.source,
                doc: q.doc.clone(),
                generation: 1,
                status: PushStatus::Queued,
                attempts: 0,
                failures: 0,
                sent_at: None,
                next_at: None,
                remote_id: None,
                sync_token: None,
                update: false,
                last_error: None,
                reconciliation: Reconciliation::Unchecked,
                differences: Vec::new(),
                remote_amount_minor: None,
                adjustments: Vec::new(),
                sent_minutes: None,
                resend_after_confirm: false,
                removed: false,
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(p), _) => p,
    };
    match ev {
        PushEvent::Queued(_) => {}
        PushEvent::Sent(s) => {
            p.status = PushStatus::InFlight;
            p.attempts = s.attempt;
            p.sent_at = Some(s.sent_at);
            p.next_at = None;
            if !s.update && p.sent_minutes.is_none() {
                p.sent_minutes = p.doc.time_minutes();
            }
        }
        PushEvent::Confirmed(c) => {
            p.status = PushStatus::Confirmed;
            p.remote_id = Some(c.remote_id.clone());
            p.sync_token = Some(c.sync_token.clone());
            p.update = false;
            p.resend_after_confirm = false;
            p.removed = c.removed;
            p.next_at = None;
            p.last_error = None;
            p.reconciliation = Reconciliation::Unchecked;
            p.differences = Vec::new();
            p.remote_amount_minor = None;
        }
        PushEvent::Failed(f) => {
            p.status = PushStatus::Failed;
            if f.kind.counts() {
                p.failures = p.failures.saturating_add(1);
            }
            p.next_at = f.retry_at;
            p.last_error = Some(f.error.clone());
            if let Some(t) = &f.sync_token {
                p.sync_token = Some(t.clone());
            }
        }
        PushEvent::Dead(f) => {
            p.status = PushStatus::Dead;
            if f.kind.counts() {
                p.failures = p.failures.saturating_add(1);
            }
            p.next_at = None;
            p.last_error = Some(f.error.clone());
        }
        PushEvent::Requeued(r) => {
            let new_generation = r.generation != p.generation;
            if new_generation {
                p.remote_id = None;
                p.sync_token = None;
                // A new generation has not been sent yet.
                p.attempts = 0;
                p.sent_minutes = None;
                p.removed = false;
            }
            p.generation = r.generation;
            p.update = r.update;
            p.status = PushStatus::Queued;
            p.failures = 0;
            p.next_at = None;
            // An update or a new generation sends the current document; a create sent
            // again carries its first content, so a pending adjustment still follows.
            if r.update || new_generation {
                p.resend_after_confirm = false;
            }
            if let Some(m) = r.minutes {
                p.doc = p.doc.with_time_minutes(m);
            }
            for a in &r.adjustment_ids {
                if !p.adjustments.contains(a) {
                    p.adjustments.push(*a);
                }
            }
            settle_removed(&mut p);
        }
        PushEvent::Adjusted(a) => {
            p.adjustments.push(a.adjustment_id);
            p.doc = p.doc.with_time_minutes(a.total_minutes);
            match p.status {
                // Removed and still 0: nothing to do.
                PushStatus::Confirmed if p.removed && a.total_minutes <= 0 => {}
                // Deleted at 0 and time comes back: a new record, a new generation.
                PushStatus::Confirmed if p.removed && p.remote_id.is_some() => {
                    p.generation = p.generation.saturating_add(1);
                    p.remote_id = None;
                    p.sync_token = None;
                    p.attempts = 0;
                    p.sent_minutes = None;
                    p.removed = false;
                    p.update = false;
                    p.status = PushStatus::Queued;
                }
                // Nothing was made (0 before the first send): made now.
                PushStatus::Confirmed if p.removed => {
                    p.removed = false;
                    p.update = false;
                    p.status = PushStatus::Queued;
                }
                // The record holds the old total: updated (deleted at 0).
                PushStatus::Confirmed => {
                    p.update = true;
                    p.status = PushStatus::Queued;
                }
                // A send of older content may have been accepted: updated once confirmed.
                _ if p.attempts > 0 => p.resend_after_confirm = true,
                _ => {}
            }
            if p.status == PushStatus::Queued {
                p.failures = 0;
                p.next_at = None;
                p.reconciliation = Reconciliation::Unchecked;
                p.differences = Vec::new();
            }
            settle_removed(&mut p);
        }
        PushEvent::Matched(r) | PushEvent::Mismatched(r) | PushEvent::Missing(r) => {
            p.reconciliation = match ev {
                PushEvent::Matched(_) => Reconciliation::Matched,
                PushEvent::Mismatched(_) => Reconciliation::Mismatched,
                _ => Reconciliation::Missing,
            };
            if let Some(t) = &r.sync_token {
                p.sync_token = Some(t.clone());
            }
            p.differences = r.differences.clone();
            p.remote_amount_minor = r.remote_amount_minor;
        }
    }
    p.version += 1;
    Some(p)
}
