//! Self-validating value objects of Delivery: project, task, milestone and time-entry
//! statuses, entry minutes, signed adjustment minutes, weekly minutes, variance thresholds
//! and week arithmetic. Each parses raw input into a field error.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::helpdesk::values::string_enum;

/// Minutes in a day: the most one employee can log on one date, adjustments included.
pub const DAY_MINUTES: i64 = 24 * 60;
/// Minutes in a week: the most a weekly capacity or allocation can be.
pub const WEEK_MINUTES: i64 = 7 * DAY_MINUTES;
/// The weekly capacity of an employee who has none set (40 hours).
pub const DEFAULT_WEEKLY_CAPACITY: i64 = 40 * 60;

string_enum!(
    /// Where a project is in its life: `planned → active ⇄ on_hold → completed → closed`,
    /// or `cancelled` before it completes.
    ProjectStatus, "status", "planned, active, on_hold, completed, closed, cancelled", {
        /// Sold or set up, work not started.
        Planned => "planned",
        /// Being delivered: the only status that takes time.
        Active => "active",
        /// Paused.
        OnHold => "on_hold",
        /// Delivered; may still be closed.
        Completed => "completed",
        /// Final.
        Closed => "closed",
        /// Stopped before completion (final).
        Cancelled => "cancelled",
    }
);

impl ProjectStatus {
    /// The statuses a project in this status may move to.
    pub fn next_statuses(self) -> &'static [ProjectStatus] {
        use ProjectStatus as S;
        match self {
            S::Planned => &[S::Active, S::Cancelled],
            S::Active => &[S::OnHold, S::Completed, S::Cancelled],
            S::OnHold => &[S::Active, S::Completed, S::Cancelled],
            S::Completed => &[S::Closed],
            S::Closed | S::Cancelled => &[],
        }
    }

    /// Whether `self → to` is allowed.
    pub fn can_move_to(self, to: ProjectStatus) -> bool {
        self.next_statuses().contains(&to)
    }

    /// Whether the project is finished (closed or cancelled) and takes no changes.
    pub fn is_final(self) -> bool {
        matches!(self, ProjectStatus::Closed | ProjectStatus::Cancelled)
    }

    /// The status in words, e.g. `on hold`.
    pub fn words(self) -> &'static str {
        match self {
            ProjectStatus::OnHold => "on hold",
            other => other.as_str(),
        }
    }
}

string_enum!(
    /// A task's progress: `todo → in_progress → done`.
    TaskStatus, "status", "todo, in_progress, done", {
        /// Not started.
        Todo => "todo",
        /// Being worked on.
        InProgress => "in_progress",
        /// Finished.
        Done => "done",
    }
);

impl TaskStatus {
    /// The statuses a task in this status may move to.
    pub fn next_statuses(self) -> &'static [TaskStatus] {
        match self {
            TaskStatus::Todo => &[TaskStatus::InProgress],
            TaskStatus::InProgress => &[TaskStatus::Done],
            TaskStatus::Done => &[],
        }
    }

    /// The status in words.
    pub fn words(self) -> &'static str {
        match self {
            TaskStatus::Todo => "to do",
            TaskStatus::InProgress => "in progress",
            TaskStatus::Done => "done",
        }
    }
}

string_enum!(
    /// A milestone's state: `pending → done`.
    MilestoneStatus, "status", "pending, done", {
        /// Not reached yet.
        Pending => "pending",
        /// Reached.
        Done => "done",
    }
);

string_enum!(
    /// A time entry's state: `draft → submitted → approved`; a submitted entry sent back
    /// is a draft again; a draft may be discarded.
    EntryStatus, "status", "draft, submitted, approved, discarded", {
        /// Editable by its employee.
        Draft => "draft",
        /// Waiting for approval; immutable.
        Submitted => "submitted",
        /// Approved; counts as delivered; immutable (corrected by adjustments).
        Approved => "approved",
        /// Thrown away while a draft (kept, never deleted).
        Discarded => "discarded",
    }
);

/// The minutes of a time entry: 1 to 1,440.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct EntryMinutes(i64);

impl EntryMinutes {
    /// Validates minutes given as input field `minutes`.
    pub fn new(m: i64) -> Result<Self, DomainError> {
        Self::for_field("minutes", m)
    }
    /// Validates minutes given as input field `field`.
    pub fn for_field(field: &str, m: i64) -> Result<Self, DomainError> {
        if m <= 0 {
            Err(DomainError::field(field, "must be more than 0"))
        } else if m > DAY_MINUTES {
            Err(DomainError::field(field, "must be at most 1440 (24 hours)"))
        } else {
            Ok(Self(m))
        }
    }
    /// The minutes.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for EntryMinutes {
    type Error = DomainError;
    fn try_from(m: i64) -> Result<Self, Self::Error> {
        Self::new(m)
    }
}
impl From<EntryMinutes> for i64 {
    fn from(m: EntryMinutes) -> i64 {
        m.0
    }
}

/// The signed minutes of an adjustment: not 0, at most 1,440 either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct SignedMinutes(i64);

impl SignedMinutes {
    /// Validates signed minutes given as input field `minutes`.
    pub fn new(m: i64) -> Result<Self, DomainError> {
        if m == 0 {
            Err(DomainError::field("minutes", "must not be 0"))
        } else if m.abs() > DAY_MINUTES {
            Err(DomainError::field(
                "minutes",
                "must be between -1440 and 1440",
            ))
        } else {
            Ok(Self(m))
        }
    }
    /// The minutes (negative: time taken off).
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for SignedMinutes {
    type Error = DomainError;
    fn try_from(m: i64) -> Result<Self, Self::Error> {
        Self::new(m)
    }
}
impl From<SignedMinutes> for i64 {
    fn from(m: SignedMinutes) -> i64 {
        m.0
    }
}

/// Minutes per week of a capacity (0 allowed: not available) or an allocation (more than
/// 0): at most 10,080.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct WeeklyMinutes(i64);

impl WeeklyMinutes {
    /// Validates weekly minutes given as input field `minutes_per_week` (0 allowed).
    pub fn new(m: i64) -> Result<Self, DomainError> {
        if !(0..=WEEK_MINUTES).contains(&m) {
            Err(DomainError::field(
                "minutes_per_week",
                "must be between 0 and 10080",
            ))
        } else {
            Ok(Self(m))
        }
    }
    /// Validates weekly minutes that must be more than 0.
    pub fn positive(m: i64) -> Result<Self, DomainError> {
        if m == 0 {
            return Err(DomainError::field(
                "minutes_per_week",
                "must be more than 0",
            ));
        }
        Self::new(m)
    }
    /// The minutes.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for WeeklyMinutes {
    type Error = DomainError;
    fn try_from(m: i64) -> Result<Self, Self::Error> {
        Self::new(m)
    }
}
impl From<WeeklyMinutes> for i64 {
    fn from(m: WeeklyMinutes) -> i64 {
        m.0
    }
}

/// The variance thresholds, in percent of sold: each is recorded once per constraint
/// version and scope when delivered first reaches it.
pub const VARIANCE_THRESHOLDS: [u32; 3] = [80, 100, 120];

/// The Monday of the week `d` falls in (weeks run Monday to Sunday).
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Whether `d` is a Monday.
pub fn is_monday(d: NaiveDate) -> bool {
    d.weekday() == Weekday::Mon
}

/// The Mondays of the weeks `from..=to` touches, in order.
pub fn weeks_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut w = week_of(from);
    while w <= to {
        out.push(w);
        w += Duration::days(7);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn minutes_are_bounded() {
        assert!(EntryMinutes::new(0).is_err());
        assert!(EntryMinutes::new(1441).is_err());
        assert_eq!(EntryMinutes::new(1440).unwrap().get(), 1440);
        assert!(SignedMinutes::new(0).is_err());
        assert!(SignedMinutes::new(-1441).is_err());
        assert_eq!(SignedMinutes::new(-30).unwrap().get(), -30);
        assert!(WeeklyMinutes::new(-1).is_err());
        assert!(WeeklyMinutes::positive(0).is_err());
        assert!(WeeklyMinutes::new(10_081).is_err());
        assert!(serde_json::from_value::<EntryMinutes>(serde_json::json!(0)).is_err());
    }

    #[test]
    fn project_moves_follow_the_chain() {
        use ProjectStatus as S;
        assert!(S::Planned.can_move_to(S::Active));
        assert!(!S::Planned.can_move_to(S::Completed));
        assert!(S::Active.can_move_to(S::OnHold) && S::OnHold.can_move_to(S::Active));
        assert!(S::Completed.can_move_to(S::Closed));
        assert!(!S::Completed.can_move_to(S::Cancelled));
        assert!(S::Closed.next_statuses().is_empty() && S::Cancelled.is_final());
        assert_eq!(S::OnHold.words(), "on hold");
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_of(d("2026-01-07")), d("2026-01-05"));
        assert_eq!(week_of(d("2026-01-05")), d("2026-01-05"));
        assert_eq!(week_of(d("2026-01-11")), d("2026-01-05"));
        assert!(is_monday(d("2026-01-05")) && !is_monday(d("2026-01-06")));
        assert_eq!(
            weeks_between(d("2026-01-07"), d("2026-01-19")),
            vec![d("2026-01-05"), d("2026-01-12"), d("2026-01-19")]
        );
        assert!(weeks_between(d("2026-01-19"), d("2026-01-07")).is_empty());
    }
}
