//! The Timer aggregate (one per employee, id = the employee's id): start it on a project,
//! task or ticket, stop it and it becomes a draft time entry of the minutes it ran
//! (rounded up), or discard it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::TimeEntryId;
use super::time_entry::{EntryInput, WorkTarget};
use super::values::{EntryMinutes, DAY_MINUTES};
use crate::aggregate::domain_events;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::{EmployeeId, EmployeeStatus, Name, Note};

/// The aggregate type of timers.
pub const AGGREGATE_TYPE: &str = "timer";

/// A running timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningTimer {
    /// What it times.
    pub target: WorkTarget,
    /// The role.
    pub role: Option<Name>,
    /// Billable.
    pub billable: bool,
    /// Note.
    pub note: Note,
    /// When it started.
    pub started_at: DateTime<Utc>,
}

/// An employee's timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    employee_id: EmployeeId,
    running: Option<RunningTimer>,
    version: u64,
}

impl Timer {
    /// Rebuilds the state from its row.
    pub fn restore(employee_id: EmployeeId, running: Option<RunningTimer>, version: u64) -> Self {
        Self {
            employee_id,
            running,
            version,
        }
    }
    /// Whose timer.
    pub fn employee_id(&self) -> EmployeeId {
        self.employee_id
    }
    /// The running timer, if any.
    pub fn running(&self) -> Option<&RunningTimer> {
        self.running.as_ref()
    }
    /// Number of events applied.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Minutes a timer started at `started_at` has run at `now`, rounded up (at least 1).
pub fn elapsed_minutes(started_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (now - started_at).num_seconds().max(0);
    ((secs + 59) / 60).max(1)
}

/// What can be asked of a timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerCommand {
    /// Starts it (the employee must be active; it must not be running).
    Start {
        /// Whose timer.
        employee_id: EmployeeId,
        /// What it times.
        target: WorkTarget,
        /// The role.
        role: Option<Name>,
        /// Billable.
        billable: bool,
        /// Note.
        note: Note,
    },
    /// Stops it: the minutes become the draft entry `entry_id`.
    Stop {
        /// The entry to create.
        entry_id: TimeEntryId,
    },
    /// Throws the running timer away.
    Discard,
}

/// Payload of `timer.started`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimerStarted {
    /// Whose timer.
    pub employee_id: EmployeeId,
    /// What it times.
    pub target: WorkTarget,
    /// The role.
    pub role: Option<Name>,
    /// Billable.
    pub billable: bool,
    /// Note.
    pub note: Note,
    /// When.
    pub started_at: DateTime<Utc>,
}

/// Payload of `timer.stopped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimerStopped {
    /// Whose timer.
    pub employee_id: EmployeeId,
    /// The draft entry it became.
    pub entry_id: TimeEntryId,
    /// Minutes it ran (rounded up).
    pub minutes: i64,
}

/// Payload of `timer.discarded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimerDiscarded {
    /// Whose timer.
    pub employee_id: EmployeeId,
}

domain_events! {
    /// Facts about a timer.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TimerEvent {
        /// `timer.started`
        Started(TimerStarted) = "timer.started",
        /// `timer.stopped`
        Stopped(TimerStopped) = "timer.stopped",
        /// `timer.discarded`
        Discarded(TimerDiscarded) = "timer.discarded",
    }
}

impl TimerEvent {
    /// Whose timer.
    pub fn employee_id(&self) -> EmployeeId {
        match self {
            Self::Started(p) => p.employee_id,
            Self::Stopped(p) => p.employee_id,
            Self::Discarded(p) => p.employee_id,
        }
    }
}

impl AggregateEvent for TimerEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.employee_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Employee, self.employee_id().as_uuid())
    }
}

/// The draft entry a running timer becomes when stopped at `now` (dated the day it
/// started, UTC); refused when it ran more than 24 hours.
pub fn entry_of(running: &RunningTimer, now: DateTime<Utc>) -> Result<EntryInput, DomainError> {
    let minutes = elapsed_minutes(running.started_at, now);
    if minutes > DAY_MINUTES {
        return Err(DomainError::invariant(
            "the timer ran for more than 24 hours: discard it and log the time by hand",
        ));
    }
    Ok(EntryInput {
        target: running.target,
        role: running.role.clone(),
        work_date: running.started_at.date_naive(),
        minutes: EntryMinutes::new(minutes)?,
        billable: running.billable,
        note: running.note.clone(),
    })
}

/// Decides a timer command. The facts are the employee's status.
pub fn decide(
    state: Option<&Timer>,
    cmd: &TimerCommand,
    facts: &Option<EmployeeStatus>,
    now: DateTime<Utc>,
) -> Result<Vec<TimerEvent>, DomainError> {
    let running = state.and_then(|s| s.running.as_ref());
    match cmd {
        TimerCommand::Start {
            employee_id,
            target,
            role,
            billable,
            note,
        } => {
            match facts {
                Some(EmployeeStatus::Active) => {}
                Some(EmployeeStatus::Inactive) => {
                    return Err(DomainError::invariant(
                        "an inactive employee cannot log time",
                    ))
                }
                None => return Err(DomainError::field("employee_id", "is not a known employee")),
            }
            if running.is_some() {
                return Err(DomainError::invariant(
                    "a timer is already running: stop it first",
                ));
            }
            Ok(vec![TimerEvent::Started(TimerStarted {
                employee_id: *employee_id,
                target: *target,
                role: role.clone(),
                billable: *billable,
                note: note.clone(),
                started_at: now,
            })])
        }
        TimerCommand::Stop { entry_id } => {
            let (Some(s), Some(r)) = (state, running) else {
                return Err(DomainError::invariant("no timer is running"));
            };
            let entry = entry_of(r, now)?;
            Ok(vec![TimerEvent::Stopped(TimerStopped {
                employee_id: s.employee_id,
                entry_id: *entry_id,
                minutes: entry.minutes.get(),
            })])
        }
        TimerCommand::Discard => {
            let (Some(s), Some(_)) = (state, running) else {
                return Err(DomainError::invariant("no timer is running"));
            };
            Ok(vec![TimerEvent::Discarded(TimerDiscarded {
                employee_id: s.employee_id,
            })])
        }
    }
}

/// Folds one event into the state.
pub fn evolve(state: Option<Timer>, ev: &TimerEvent) -> Option<Timer> {
    let version = state.as_ref().map_or(0, |s| s.version) + 1;
    let running = match ev {
        TimerEvent::Started(p) => Some(RunningTimer {
            target: p.target,
            role: p.role.clone(),
            billable: p.billable,
            note: p.note.clone(),
            started_at: p.started_at,
        }),
        TimerEvent::Stopped(_) | TimerEvent::Discarded(_) => None,
    };
    Some(Timer {
        employee_id: ev.employee_id(),
        running,
        version,
    })
}

impl crate::aggregate::Aggregate for Timer {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = TimerCommand;
    type Event = TimerEvent;
    type Facts = Option<EmployeeStatus>;

    fn version(&self) -> u64 {
        self.version
    }
    fn decide(
        state: Option<&Self>,
        cmd: &TimerCommand,
        facts: &Option<EmployeeStatus>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TimerEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }
    fn evolve(state: Option<Self>, event: &TimerEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregate;
    use crate::delivery::ProjectId;

    #[test]
    fn a_stopped_timer_becomes_a_draft_of_its_minutes_rounded_up() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let ana = EmployeeId::from_uuid(Uuid::from_u128(1));
        let start = TimerCommand::Start {
            employee_id: ana,
            target: WorkTarget::Project {
                project_id: ProjectId::from_uuid(Uuid::from_u128(300)),
                task_id: None,
            },
            role: None,
            billable: true,
            note: Note::new("").unwrap(),
        };
        let active = Some(EmployeeStatus::Active);
        assert!(decide(
            None,
            &start,
            &Some(EmployeeStatus::Inactive),
            at("2026-01-05T09:00:00Z")
        )
        .is_err());
        let evs = decide(None, &start, &active, at("2026-01-05T09:00:00Z")).unwrap();
        let t = Timer::replay(&evs).unwrap();
        assert!(
            decide(Some(&t), &start, &active, at("2026-01-05T09:01:00Z")).is_err(),
            "one at a time"
        );
        let r = t.running().unwrap();
        let e = entry_of(r, at("2026-01-05T10:30:01Z")).unwrap();
        assert_eq!(e.minutes.get(), 91);
        assert_eq!(e.work_date.to_string(), "2026-01-05");
        assert!(entry_of(r, at("2026-01-06T09:00:01Z")).is_err());
        let stop = TimerCommand::Stop {
            entry_id: TimeEntryId::from_uuid(Uuid::from_u128(9)),
        };
        let evs2 = decide(Some(&t), &stop, &active, at("2026-01-05T09:00:10Z")).unwrap();
        let TimerEvent::Stopped(p) = &evs2[0] else {
            panic!()
        };
        assert_eq!(p.minutes, 1);
        let t = Timer::evolve_all(Some(t), &evs2).unwrap();
        assert!(t.running().is_none());
        assert!(decide(
            Some(&t),
            &TimerCommand::Discard,
            &active,
            at("2026-01-05T09:01:00Z")
        )
        .is_err());
    }
}
