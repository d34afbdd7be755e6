//! Period locks: the site's one `time_period` aggregate holds the date through which time
//! is locked; locking moves it forward only. Nothing dated on or before it changes (the
//! time-entry rules read it as a fact); a correction is an adjustment dated after it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::TIME_LOCK_ID;
use crate::aggregate::domain_events;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};

/// The aggregate type of the period lock.
pub const AGGREGATE_TYPE: &str = "time_period";

/// The period lock's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLock {
    locked_through: NaiveDate,
    version: u64,
}

impl TimeLock {
    /// Rebuilds the state from its row.
    pub fn restore(locked_through: NaiveDate, version: u64) -> Self {
        Self {
            locked_through,
            version,
        }
    }
    /// The last locked date.
    pub fn locked_through(&self) -> NaiveDate {
        self.locked_through
    }
    /// Number of events applied.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// What locking needs to know: how many entries in the period to lock still wait for
/// approval (submitted, not approved).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockFacts {
    /// Submitted entries dated in the period to lock.
    pub submitted_in_period: u64,
}

/// What can be asked of the period lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLockCommand {
    /// Locks every date up to and including `through`.
    Lock {
        /// The last date to lock.
        through: NaiveDate,
    },
}

/// Payload of `time_period.locked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimePeriodLocked {
    /// The lock (always [`TIME_LOCK_ID`]).
    pub lock_id: Uuid,
    /// The first date newly locked (`null`: everything before `through`).
    pub from: Option<NaiveDate>,
    /// The last date locked.
    pub through: NaiveDate,
}

domain_events! {
    /// Facts about the period lock.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TimeLockEvent {
        /// `time_period.locked`
        Locked(TimePeriodLocked) = "time_period.locked",
    }
}

impl AggregateEvent for TimeLockEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        TIME_LOCK_ID
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::TimePeriod, TIME_LOCK_ID)
    }
}

/// Decides a lock: it moves forward only, and not over entries still waiting for approval.
pub fn decide(
    state: Option<&TimeLock>,
    cmd: &TimeLockCommand,
    facts: &LockFacts,
    now: DateTime<Utc>,
) -> Result<Vec<TimeLockEvent>, DomainError> {
    let TimeLockCommand::Lock { through } = *cmd;
    if through >= now.date_naive() {
        return Err(DomainError::field(
            "through",
            "only past days can be locked (today is still open)",
        ));
    }
    if let Some(s) = state {
        if through <= s.locked_through {
            return Err(DomainError::invariant(format!(
                "time is already locked through {}",
                s.locked_through
            )));
        }
    }
    if facts.submitted_in_period > 0 {
        return Err(DomainError::invariant(format!(
            "{} submitted entries in the period wait for approval: approve or send them back first",
            facts.submitted_in_period
        )));
    }
    Ok(vec![TimeLockEvent::Locked(TimePeriodLocked {
        lock_id: TIME_LOCK_ID,
        from: state.map(|s| s.locked_through + Duration::days(1)),
        through,
    })])
}

/// Folds one event into the state.
pub fn evolve(state: Option<TimeLock>, ev: &TimeLockEvent) -> Option<TimeLock> {
    let TimeLockEvent::Locked(p) = ev;
    Some(TimeLock {
        locked_through: p.through,
        version: state.map_or(0, |s| s.version) + 1,
    })
}

impl crate::aggregate::Aggregate for TimeLock {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = TimeLockCommand;
    type Event = TimeLockEvent;
    type Facts = LockFacts;

    fn version(&self) -> u64 {
        self.version
    }
    fn decide(
        state: Option<&Self>,
        cmd: &TimeLockCommand,
        facts: &LockFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<TimeLockEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }
    fn evolve(state: Option<Self>, event: &TimeLockEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregate;

    #[test]
    fn locks_move_forward_over_approved_time_only() {
        let now: DateTime<Utc> = "2026-02-02T09:00:00Z".parse().unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let lock = |s| TimeLockCommand::Lock { through: d(s) };
        let ok = LockFacts::default();
        assert!(
            decide(None, &lock("2026-02-02"), &ok, now).is_err(),
            "today stays open"
        );
        let pending = LockFacts {
            submitted_in_period: 2,
        };
        assert!(matches!(
            decide(None, &lock("2026-01-31"), &pending, now),
            Err(DomainError::Invariant(_))
        ));
        let evs = decide(None, &lock("2026-01-31"), &ok, now).unwrap();
        let s = TimeLock::replay(&evs).unwrap();
        assert_eq!(s.locked_through(), d("2026-01-31"));
        assert!(decide(Some(&s), &lock("2026-01-31"), &ok, now).is_err());
        let evs = decide(Some(&s), &lock("2026-02-01"), &ok, now).unwrap();
        let TimeLockEvent::Locked(p) = &evs[0];
        assert_eq!(p.from, Some(d("2026-02-01")));
    }
}
