//! The SLA clock: a pure function of (definition version, the ticket's timeline of
//! status/priority changes and first response, `now`) giving, per target, the business
//! minutes used, the due time, and the state `running | paused | warning | met | breached`;
//! plus [`marks_to_record`], which tells the SLA job which of `sla.warning`,
//! `sla.breached`, `sla.met` to record now (each at most once; a breach is final).
//!
//! Rules:
//! * Time counts only inside the calendar's working hours (every second for a 24/7
//!   priority), never on holidays, never while the ticket is in a pause status or
//!   resolved/closed. Priority changes switch the target (and the calendar mode) from
//!   that instant on; the minutes already used are kept.
//! * First response stops for good at the first customer-visible reply by an employee
//!   (or while the ticket is resolved/closed); resolution stops while resolved/closed and
//!   runs again after a reopen.
//! * A target is breached once more time than its target has been used at any instant
//!   up to `now` (against the target of the priority then in force) — it stays breached,
//!   whatever happens later. It is met when stopped without having been breached.
//! * Timeline entries after `now` are ignored, so the used minutes never decrease as `now`
//!   advances. Times are taken to the second.
//!
//! [`sla_clock`] walks local days (any range); [`CompiledSla`] precomputes the calendar
//! over a date range so that evaluating many tickets costs a few binary searches each.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{AlwaysOn, CompiledCalendar, WorkingTime};
use super::sla::{RecordedMarks, RecordedSla, SlaSpec};
use super::ticket::{ReplyAuthor, TicketEvent};
use super::values::{Priority, TicketStatus, Visibility};

/// One of the two targets of an SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// Time to the first customer-visible reply.
    FirstResponse,
    /// Time to resolution.
    Resolution,
}

impl SlaTarget {
    /// Both targets.
    pub const ALL: [SlaTarget; 2] = [SlaTarget::FirstResponse, SlaTarget::Resolution];

    /// `first_response` or `resolution`.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaTarget::FirstResponse => "first_response",
            SlaTarget::Resolution => "resolution",
        }
    }

    /// `first-response` or `resolution`, for activity lines.
    pub fn words(self) -> &'static str {
        match self {
            SlaTarget::FirstResponse => "first-response",
            SlaTarget::Resolution => "resolution",
        }
    }
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// The clock runs, below the warning threshold.
    Running,
    /// The ticket is in a pause status.
    Paused,
    /// The clock runs at or past the warning threshold.
    Warning,
    /// Stopped within the target.
    Met,
    /// More time than the target was used (final).
    Breached,
}

impl SlaState {
    /// Every state, in the order a filter lists them (running → met).
    pub const ALL: &'static [SlaState] = &[
        SlaState::Running,
        SlaState::Warning,
        SlaState::Breached,
        SlaState::Paused,
        SlaState::Met,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::Running => "running",
            SlaState::Paused => "paused",
            SlaState::Warning => "warning",
            SlaState::Met => "met",
            SlaState::Breached => "breached",
        }
    }
}

/// One change in a ticket's life that matters to its clock (stored as
/// `{"kind": "status", "to": "open"}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "to", rename_all = "snake_case")]
pub enum TimelineChange {
    /// The status became this.
    Status(TicketStatus),
    /// The priority became this.
    Priority(Priority),
    /// An employee sent the first customer-visible reply.
    FirstResponse,
}

/// A ticket's timeline: where its SLA started, with which status and priority, and the
/// changes since, kept in time order (ties keep insertion order). Times are Unix seconds;
/// the serialised form is what storage keeps beside the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTimeline {
    #[serde(rename = "start")]
    started_at: i64,
    status: TicketStatus,
    priority: Priority,
    changes: Vec<(i64, TimelineChange)>,
}

impl TicketTimeline {
    /// A timeline starting at `started_at` (usually the ticket's creation) in `status`
    /// with `priority`.
    pub fn new(started_at: DateTime<Utc>, status: TicketStatus, priority: Priority) -> Self {
        TicketTimeline {
            started_at: started_at.timestamp(),
            status,
            priority,
            changes: Vec::new(),
        }
    }

    /// Adds a change at `at` (kept in time order; one before the start counts from the start).
    pub fn push(&mut self, at: DateTime<Utc>, change: TimelineChange) {
        let t = at.timestamp().max(self.started_at);
        let i = self.changes.partition_point(|(c, _)| *c <= t);
        self.changes.insert(i, (t, change));
    }

    /// Builder form of [`TicketTimeline::push`].
    pub fn with(mut self, at: DateTime<Utc>, change: TimelineChange) -> Self {
        self.push(at, change);
        self
    }

    /// Builds the timeline from a ticket's events with their `occurred_at`, in stream
    /// order; `None` when the stream does not start with `ticket.created`.
    pub fn from_events<'a>(
        events: impl IntoIterator<Item = (DateTime<Utc>, &'a TicketEvent)>,
    ) -> Option<Self> {
        let mut it = events.into_iter();
        let (at, first) = it.next()?;
        let TicketEvent::Created(c) = first else {
            return None;
        };
        let mut tl = TicketTimeline::new(at, TicketStatus::New, c.priority);
        for (at, ev) in it {
            tl.record(at, ev);
        }
        Some(tl)
    }

    /// Adds what `ev`, decided at `at`, changes in the clock's view: a status or priority
    /// change, and the first customer-visible reply by an employee (the first response;
    /// internal notes and customer replies are not responses). Returns whether the event
    /// was the first response.
    pub fn record(&mut self, at: DateTime<Utc>, ev: &TicketEvent) -> bool {
        let change = match ev {
            TicketEvent::StatusChanged(p) => TimelineChange::Status(p.to),
            TicketEvent::Resolved(_) => TimelineChange::Status(TicketStatus::Resolved),
            TicketEvent::Closed(_) => TimelineChange::Status(TicketStatus::Closed),
            TicketEvent::Reopened(_) => TimelineChange::Status(TicketStatus::Open),
            TicketEvent::PriorityChanged(p) => TimelineChange::Priority(p.to),
            TicketEvent::Replied(p)
                if !self.responded()
                    && p.visibility == Visibility::Public
                    && matches!(p.author, ReplyAuthor::Employee { .. }) =>
            {
                TimelineChange::FirstResponse
            }
            _ => return false,
        };
        self.push(at, change);
        change == TimelineChange::FirstResponse
    }

    /// Whether the first response is on the timeline.
    pub fn responded(&self) -> bool {
        self.changes
            .iter()
            .any(|(_, c)| *c == TimelineChange::FirstResponse)
    }

    /// When the SLA started.
    pub fn started_at(&self) -> DateTime<Utc> {
        to_utc(self.started_at)
    }

    /// The status at the start.
    pub fn initial_status(&self) -> TicketStatus {
        self.status
    }

    /// The priority at the start.
    pub fn initial_priority(&self) -> Priority {
        self.priority
    }

    /// The changes, in time order.
    pub fn changes(&self) -> impl Iterator<Item = (DateTime<Utc>, TimelineChange)> + '_ {
        self.changes.iter().map(|(t, c)| (to_utc(*t), *c))
    }
}

fn to_utc(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The state shown for a target: the clock's, but never less than what was recorded (a
/// recorded breach or warning stays, even if a reading at an earlier `now` is displayed).
pub fn shown_state(reading: SlaState, recorded: RecordedMarks) -> SlaState {
    if recorded.breached {
        SlaState::Breached
    } else if recorded.met {
        SlaState::Met
    } else if recorded.warning && reading == SlaState::Running {
        SlaState::Warning
    } else {
        reading
    }
}

/// The ticket-level SLA state and due time (what ticket lists filter and sort on): the
/// worst shown target state (breached, warning, running, paused, met), and the earliest
/// due time of a target still undecided.
pub fn sla_summary(
    reading: &SlaClockReading,
    recorded: &RecordedSla,
) -> (SlaState, Option<DateTime<Utc>>) {
    let rank = |s: SlaState| match s {
        SlaState::Breached => 4,
        SlaState::Warning => 3,
        SlaState::Running => 2,
        SlaState::Paused => 1,
        SlaState::Met => 0,
    };
    let mut state = SlaState::Met;
    let mut due: Option<DateTime<Utc>> = None;
    for t in SlaTarget::ALL {
        let r = reading.of(t);
        let s = shown_state(r.state, recorded.of(t));
        if rank(s) > rank(state) {
            state = s;
        }
        if matches!(s, SlaState::Running | SlaState::Warning | SlaState::Paused) {
            if let Some(d) = r.due_at {
                due = Some(due.map_or(d, |x| x.min(d)));
            }
        }
    }
    (state, due)
}

/// The clock of one target at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetReading {
    /// Which target.
    pub target: SlaTarget,
    /// Where it stands.
    pub state: SlaState,
    /// Business seconds used.
    pub elapsed_seconds: i64,
    /// The target of the priority in force (at `now`), in business minutes.
    pub target_minutes: u32,
    /// When the target falls due: the breach instant once breached; while running or
    /// paused, the instant it will fall due if the clock runs from `now` on without
    /// changes; `None` when met (or beyond 100 years).
    pub due_at: Option<DateTime<Utc>>,
    /// When the warning threshold was first reached, if it was.
    pub warning_at: Option<DateTime<Utc>>,
    /// When the target was reached (breach), if it was.
    pub breached_at: Option<DateTime<Utc>>,
}

impl TargetReading {
    /// Whole business minutes used (rounded down).
    pub fn elapsed_minutes(&self) -> i64 {
        self.elapsed_seconds.div_euclid(60)
    }
}

/// Both targets of a ticket at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlaClockReading {
    /// First response.
    pub first_response: TargetReading,
    /// Resolution.
    pub resolution: TargetReading,
}

impl SlaClockReading {
    /// The reading of one target.
    pub fn of(&self, t: SlaTarget) -> &TargetReading {
        match t {
            SlaTarget::FirstResponse => &self.first_response,
            SlaTarget::Resolution => &self.resolution,
        }
    }
}

/// The SLA clock at `now`, walking the calendar's local days (correct over any range).
/// To evaluate many tickets against one version, use [`CompiledSla`] (same results).
pub fn sla_clock(spec: &SlaSpec, timeline: &TicketTimeline, now: DateTime<Utc>) -> SlaClockReading {
    evaluate(spec, spec.calendar(), timeline, now.timestamp())
}

/// An SLA version with its calendar precomputed over a date range: evaluates tickets in
/// a few binary searches each. Times outside the range are still handled (walking days).
#[derive(Debug, Clone)]
pub struct CompiledSla<'a> {
    spec: &'a SlaSpec,
    calendar: CompiledCalendar<'a>,
}

impl<'a> CompiledSla<'a> {
    /// Precomputes `spec`'s calendar for the local dates `from ..= to` — e.g. from the
    /// oldest open ticket's start to a year after `now`.
    pub fn new(spec: &'a SlaSpec, from: NaiveDate, to: NaiveDate) -> Self {
        CompiledSla {
            spec,
            calendar: spec.calendar().compile(from, to),
        }
    }

    /// The SLA clock at `now`; equal to [`sla_clock`].
    pub fn clock(&self, timeline: &TicketTimeline, now: DateTime<Utc>) -> SlaClockReading {
        evaluate(self.spec, &self.calendar, timeline, now.timestamp())
    }
}

fn evaluate<C: WorkingTime>(
    spec: &SlaSpec,
    biz: &C,
    tl: &TicketTimeline,
    now: i64,
) -> SlaClockReading {
    SlaClockReading {
        first_response: evaluate_target(spec, biz, tl, now, SlaTarget::FirstResponse),
        resolution: evaluate_target(spec, biz, tl, now, SlaTarget::Resolution),
    }
}

/// One stretch `[a, b)` of a target's clock, with the priority and status in force.
#[derive(Debug, Clone, Copy)]
struct Segment {
    a: i64,
    b: i64,
    priority: Priority,
    status: TicketStatus,
}

/// The segments of one target's clock up to `now`, in time order: one between each two
/// timeline changes (entries after `now` ignored), the last ending at `now`; none from
/// the first response on for the first-response target. Once exhausted, `status`,
/// `priority` and `responded` are those in force at `now`.
struct Segments<'a> {
    changes: std::slice::Iter<'a, (i64, TimelineChange)>,
    now: i64,
    target: SlaTarget,
    t: i64,
    status: TicketStatus,
    priority: Priority,
    responded: bool,
    finished: bool,
}

impl<'a> Segments<'a> {
    fn new(tl: &'a TicketTimeline, now: i64, target: SlaTarget) -> Self {
        Segments {
            changes: tl.changes.iter(),
            now,
            target,
            t: tl.started_at,
            status: tl.status,
            priority: tl.priority,
            responded: false,
            finished: false,
        }
    }
}

impl Iterator for Segments<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        if self.finished {
            return None;
        }
        for &(at, change) in self.changes.by_ref() {
            if at > self.now {
                break;
            }
            let seg = Segment {
                a: self.t,
                b: at,
                priority: self.priority,
                status: self.status,
            };
            let counts = !self.responded;
            self.t = at;
            match change {
                TimelineChange::Status(s) => self.status = s,
                TimelineChange::Priority(p) => self.priority = p,
                TimelineChange::FirstResponse => {
                    if self.target == SlaTarget::FirstResponse {
                        self.responded = true;
                    }
                }
            }
            if counts {
                return Some(seg);
            }
        }
        self.finished = true;
        (!self.responded).then_some(Segment {
            a: self.t,
            b: self.now.max(self.t),
            priority: self.priority,
            status: self.status,
        })
    }
}

/// Walks one target's segments, accumulating the used time and fixing the warning and
/// breach instants when they happen.
struct Walk<'a, C> {
    spec: &'a SlaSpec,
    biz: &'a C,
    tl: &'a TicketTimeline,
    now: i64,
    target: SlaTarget,
    cum: i64,
    warning_at: Option<i64>,
    breached_at: Option<i64>,
}

impl<'a, C: WorkingTime> Walk<'a, C> {
    /// The target and the warning threshold of `priority`, in seconds.
    fn thresholds(&self, priority: Priority) -> (i64, i64) {
        let t = i64::from(self.spec.target_minutes(priority, self.target)) * 60;
        // ceil(t × percent / 100)
        let w = (t * i64::from(self.spec.warning_percent()) + 99) / 100;
        (t, w)
    }

    /// The working seconds the clock counts in `seg`, with the calendar they count on;
    /// `None` when it counts nothing (stopped, paused, or no working time).
    fn work(&self, seg: Segment) -> Option<(&'a dyn WorkingTime, i64)> {
        if seg.b <= seg.a || seg.status.is_done() || self.spec.pauses(seg.status) {
            return None;
        }
        let cal: &'a dyn WorkingTime = if self.spec.is_always_on(seg.priority) {
            &AlwaysOn
        } else {
            self.biz
        };
        let work = cal.working(seg.a, seg.b);
        (work > 0).then_some((cal, work))
    }

    /// The first instant at which the used time reached `x` seconds, found by walking the
    /// segments again from the start (only called once the used time has reached `x`, at
    /// most once per instant fixed, so a ticket still costs O(changes)).
    fn first_reached(&self, x: i64) -> Option<i64> {
        let mut cum = 0;
        for seg in Segments::new(self.tl, self.now, self.target) {
            if cum >= x {
                return Some(seg.a);
            }
            if let Some((cal, work)) = self.work(seg) {
                if cum + work >= x {
                    return Some(cal.advance(seg.a, x - cum).unwrap_or(seg.b).min(seg.b));
                }
                cum += work;
            }
        }
        None
    }

    /// Accounts for `seg`.
    fn segment(&mut self, seg: Segment) {
        let (t, w) = self.thresholds(seg.priority);
        // At a change the thresholds may have moved (a priority change) to or below the
        // time already used: the warning (the breach) happens now, but the threshold (the
        // target) was reached when the used time first reached it — at or before this
        // instant, possibly in an earlier segment.
        if self.warning_at.is_none() && self.cum >= w {
            self.warning_at = Some(self.first_reached(w).unwrap_or(seg.a));
        }
        if self.breached_at.is_none() && self.cum > t {
            self.breached_at = Some(self.first_reached(t).unwrap_or(seg.a));
        }
        let Some((cal, work)) = self.work(seg) else {
            return;
        };
        // Here the used time is below the warning threshold if no warning yet, and at most
        // the target if no breach yet.
        if self.warning_at.is_none() && self.cum + work >= w {
            self.warning_at = Some(cal.advance(seg.a, w - self.cum).unwrap_or(seg.b).min(seg.b));
        }
        if self.breached_at.is_none() && self.cum + work > t {
            // Reached in this segment, or — used time exactly on the target when the
            // segment starts (the clock stopped there, or a priority change moved the
            // target onto it) — when the used time reached it earlier: so where the
            // timeline is split into segments never moves the breach.
            self.breached_at = Some(if self.cum < t {
                cal.advance(seg.a, t - self.cum).unwrap_or(seg.b).min(seg.b)
            } else {
                self.first_reached(t).unwrap_or(seg.a)
            });
        }
        self.cum += work;
    }
}

fn evaluate_target<C: WorkingTime>(
    spec: &SlaSpec,
    biz: &C,
    tl: &TicketTimeline,
    now: i64,
    target: SlaTarget,
) -> TargetReading {
    let mut walk = Walk {
        spec,
        biz,
        tl,
        now,
        target,
        cum: 0,
        warning_at: None,
        breached_at: None,
    };
    let mut segments = Segments::new(tl, now, target);
    for seg in segments.by_ref() {
        walk.segment(seg);
    }
    let (status, priority, responded) = (segments.status, segments.priority, segments.responded);
    let (target_secs, warn_secs) = walk.thresholds(priority);
    let stopped = responded || status.is_done();
    let state = if walk.breached_at.is_some() {
        SlaState::Breached
    } else if stopped {
        SlaState::Met
    } else if spec.pauses(status) {
        SlaState::Paused
    } else if walk.cum >= warn_secs {
        SlaState::Warning
    } else {
        SlaState::Running
    };
    let due_at = match state {
        SlaState::Breached => walk.breached_at,
        SlaState::Met => None,
        _ => {
            let remaining = target_secs - walk.cum;
            if spec.is_always_on(priority) {
                AlwaysOn.advance(now.max(tl.started_at), remaining)
            } else {
                biz.advance(now.max(tl.started_at), remaining)
            }
        }
    };
    TargetReading {
        target,
        state,
        elapsed_seconds: walk.cum,
        target_minutes: spec.target_minutes(priority, target),
        due_at: due_at.map(to_utc),
        warning_at: walk.warning_at.map(to_utc),
        breached_at: walk.breached_at.map(to_utc),
    }
}

/// One outcome the SLA job should record now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlaMark {
    /// Which target.
    pub target: SlaTarget,
    /// `Warning`, `Breached` or `Met`.
    pub state: SlaState,
}

/// What the SLA job records for a ticket now, given its clock and what was recorded
/// before: per target, `sla.warning` once the threshold was reached, then `sla.breached`
/// or `sla.met` once the target is decided. Each at most once; nothing after breached or
/// met (a breach stays recorded whatever the clock says later). A warning reached before
/// the outcome is recorded too, before it (so no fact is skipped when the job was late).
pub fn marks_to_record(reading: &SlaClockReading, recorded: &RecordedSla) -> Vec<SlaMark> {
    let mut out = Vec::new();
    for target in SlaTarget::ALL {
        let r = reading.of(target);
        let done = recorded.of(target);
        if done.is_final() {
            continue;
        }
        if r.warning_at.is_some() && !done.warning {
            out.push(SlaMark {
                target,
                state: SlaState::Warning,
            });
        }
        if matches!(r.state, SlaState::Breached | SlaState::Met) {
            out.push(SlaMark {
                target,
                state: r.state,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_round_trips_and_counts_one_first_response() {
        use crate::helpdesk::ticket::TicketReplied;
        use crate::helpdesk::{ReplyBody, ReplyId, TicketId};
        use crate::identity::EmployeeId;
        use uuid::Uuid;
        let t0: DateTime<Utc> = "2026-01-05T09:00:00Z".parse().unwrap();
        let tid = TicketId::from_uuid(Uuid::from_u128(1));
        let mut tl = TicketTimeline::new(t0, TicketStatus::New, Priority::High);
        let reply = |vis| {
            TicketEvent::Replied(TicketReplied {
                ticket_id: tid,
                reply_id: ReplyId::from_uuid(Uuid::from_u128(2)),
                author: ReplyAuthor::Employee {
                    employee_id: EmployeeId::from_uuid(Uuid::from_u128(3)),
                },
                visibility: vis,
                body: ReplyBody::new("hi").unwrap(),
            })
        };
        tl.record(t0, &reply(Visibility::Internal));
        assert!(!tl.responded());
        tl.record(t0, &reply(Visibility::Public));
        tl.record(t0, &reply(Visibility::Public));
        assert_eq!(tl.changes().count(), 1);
        let back: TicketTimeline =
            serde_json::from_str(&serde_json::to_string(&tl).unwrap()).unwrap();
        assert_eq!(back, tl);
        assert_eq!(back.initial_priority(), Priority::High);
        assert_eq!(back.changes().count(), 1);
    }

    #[test]
    fn stored_form_is_unchanged() {
        // The form storage has kept beside every ticket since the SLA clock shipped.
        let stored = r#"{"start":1767603600,"status":"new","priority":"high","changes":[[1767603660,{"kind":"status","to":"open"}],[1767603720,{"kind":"first_response"}],[1767603780,{"kind":"priority","to":"low"}]]}"#;
        let tl: TicketTimeline = serde_json::from_str(stored).unwrap();
        assert_eq!(tl.changes().count(), 3);
        assert_eq!(serde_json::to_string(&tl).unwrap(), stored);
    }
}
