//! Week commands over one employee's timesheet: **save the week** (the desired minutes per
//! row × day, decided against the week's current entries into creations, revisions and
//! discards of drafts) and **submit the week** (every draft of the week, all or none).
//!
//! Both are decided here and applied by the application in one unit of work: each step is
//! an ordinary [`TimeEntryCommand`] decided by [`super::time_entry::decide`] against the
//! facts as the steps before it leave them (the day totals move as each step is decided),
//! so every rule of a single entry — 24 hours a day, locks, active employee and project,
//! who may change whose time — holds for the week as a whole.
//!
//! A cell is one row (a [`WorkTarget`]: project + task, or ticket) on one day; its value
//! is the sum of its entries' own minutes (adjustments are shown apart, as corrections).
//! Only drafts are changed: a cell holding submitted or approved time keeps its value (a
//! correction is an adjustment), and a cell asking for another value there is refused.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::ids::TimeEntryId;
use super::time_entry::{decide, EntryInput, TimeEntry, TimeEntryCommand, TimeFacts, WorkTarget};
use super::values::{week_of, EntryMinutes, EntryStatus, DAY_MINUTES};
use crate::aggregate::Aggregate;
use crate::error::DomainError;
use crate::identity::{EmployeeId, Note};

/// One cell of a week: a row on a day and the minutes it should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekCell {
    /// The row.
    pub target: WorkTarget,
    /// The day (inside the week).
    pub work_date: NaiveDate,
    /// The cell's minutes (0 empties it).
    pub minutes: i64,
}

/// Saves an employee's week: each named cell is set to its minutes; cells not named stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveWeek {
    /// Whose week.
    pub employee_id: EmployeeId,
    /// Any day of the week (its Monday is used).
    pub week: NaiveDate,
    /// The cells to set.
    pub cells: Vec<WeekCell>,
}

/// One decided step of a week command: the entry it acts on (`None`: a new one), the
/// command, and the facts it was decided against (the day totals after the steps before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekStep {
    /// The entry before the step (`None` when the step creates it).
    pub entry: Option<TimeEntry>,
    /// The command.
    pub command: TimeEntryCommand,
    /// The facts it holds against.
    pub facts: TimeFacts,
}

/// The Monday and Sunday of the week of `day`.
pub fn week_bounds(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = week_of(day);
    (monday, monday + Duration::days(6))
}

/// A cell's current value (its entries' own minutes) and its drafts, in the given order.
#[derive(Default)]
struct Cell<'a> {
    fixed: i64,
    drafts: Vec<&'a TimeEntry>,
}

/// Decides [`SaveWeek`] against the week's current entries (`current`: the employee's
/// entries dated in the week, discarded ones included or not, in a stable order — the
/// first drafts of a cell keep their minutes) and `facts` (the employee, every target's
/// project, tasks and tickets, the lock and the day totals of the week).
///
/// Per cell: with drafts only, the first drafts keep their minutes while they fit, the last
/// one kept takes the rest, the others are discarded, and 0 discards them all; without any
/// time, a new draft is logged (`new_id` gives its id) with the row's target, billable and
/// no note. Every decrease is decided before any increase, so a day never passes 24 hours
/// on the way to a week that holds. Refused as a whole: a cell outside the week, negative
/// or over 24 hours, named twice, or holding submitted or approved time with another
/// value; and any step the entry's own rules refuse.
pub fn decide_save_week(
    cmd: &SaveWeek,
    current: &[TimeEntry],
    facts: &TimeFacts,
    now: DateTime<Utc>,
    new_id: &mut dyn FnMut() -> TimeEntryId,
) -> Result<Vec<WeekStep>, DomainError> {
    let (monday, sunday) = week_bounds(cmd.week);
    let mut cells: BTreeMap<(WorkTarget, NaiveDate), Cell<'_>> = BTreeMap::new();
    for e in current {
        if e.employee_id() != cmd.employee_id || e.status() == EntryStatus::Discarded {
            continue;
        }
        let c = e.content();
        let cell = cells.entry((c.target, c.work_date)).or_default();
        if e.status() == EntryStatus::Draft {
            cell.drafts.push(e);
        } else {
            cell.fixed += c.minutes.get();
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut decreases: Vec<(Option<TimeEntry>, TimeEntryCommand)> = Vec::new();
    let mut increases: Vec<(Option<TimeEntry>, TimeEntryCommand)> = Vec::new();
    for w in &cmd.cells {
        if w.work_date < monday || w.work_date > sunday {
            return Err(DomainError::field(
                "cells",
                format!("{} is not in the week of {monday}", w.work_date),
            ));
        }
        if !(0..=DAY_MINUTES).contains(&w.minutes) {
            return Err(DomainError::field(
                "cells",
                format!(
                    "{} minutes on {}: a cell holds 0 to 1440",
                    w.minutes, w.work_date
                ),
            ));
        }
        if !seen.insert((w.target, w.work_date)) {
            return Err(DomainError::field(
                "cells",
                format!("a row is given twice on {}", w.work_date),
            ));
        }
        let empty = Cell::default();
        let cell = cells.get(&(w.target, w.work_date)).unwrap_or(&empty);
        let drafts: i64 = cell.drafts.iter().map(|e| e.content().minutes.get()).sum();
        if cell.fixed + drafts == w.minutes {
            continue;
        }
        if cell.fixed > 0 {
            return Err(DomainError::invariant(format!(
                "{} holds submitted or approved time: it is corrected by an adjustment, not in the week",
                w.work_date
            )));
        }
        if cell.drafts.is_empty() {
            increases.push((
                None,
                TimeEntryCommand::Create {
                    id: new_id(),
                    employee_id: cmd.employee_id,
                    input: EntryInput {
                        target: w.target,
                        role: None,
                        work_date: w.work_date,
                        minutes: EntryMinutes::new(w.minutes)?,
                        billable: true,
                        note: Note::default(),
                    },
                },
            ));
            continue;
        }
        let mut left = w.minutes;
        let last = cell.drafts.len() - 1;
        for (i, e) in cell.drafts.iter().enumerate() {
            let own = e.content().minutes.get();
            if left <= 0 {
                decreases.push((Some((*e).clone()), TimeEntryCommand::Discard));
                continue;
            }
            let want = if i == last || own > left { left } else { own };
            left -= want;
            if want == own {
                continue;
            }
            let c = e.content();
            let revise = TimeEntryCommand::Revise(EntryInput {
                target: c.target,
                role: c.role.clone(),
                work_date: c.work_date,
                minutes: EntryMinutes::new(want)?,
                billable: c.billable,
                note: c.note.clone(),
            });
            if want < own {
                decreases.push((Some((*e).clone()), revise));
            } else {
                increases.push((Some((*e).clone()), revise));
            }
        }
    }
    let mut facts = facts.clone();
    let mut steps = Vec::with_capacity(decreases.len() + increases.len());
    for (entry, command) in decreases.into_iter().chain(increases) {
        let events = decide(entry.as_ref(), &command, &facts, now)?;
        let before = entry
            .as_ref()
            .map(|e| (e.content().work_date, e.minutes_on(e.content().work_date)));
        let after = TimeEntry::evolve_all(entry.clone(), &events)
            .ok_or_else(|| DomainError::invariant("a week step left no entry"))?;
        let step = WeekStep {
            entry,
            command,
            facts: facts.clone(),
        };
        // The day totals the next steps are decided against.
        if let Some((d, m)) = before {
            let total = facts.day_minutes(d) - m;
            facts = facts.with_day_minutes(d, total);
        }
        let d = after.content().work_date;
        let total = facts.day_minutes(d) + after.minutes_on(d);
        facts = facts.with_day_minutes(d, total);
        steps.push(step);
    }
    Ok(steps)
}

/// Decides submitting `employee`'s week (the week of `week`): every draft of `current`
/// dated in it is submitted, or — when any of them may not be (locked date, inactive
/// employee or project, someone else's time) — none is. A week without drafts is refused.
pub fn decide_submit_week(
    employee: EmployeeId,
    week: NaiveDate,
    current: &[TimeEntry],
    facts: &TimeFacts,
    now: DateTime<Utc>,
) -> Result<Vec<WeekStep>, DomainError> {
    let (monday, sunday) = week_bounds(week);
    let mut steps = Vec::new();
    for e in current {
        let d = e.content().work_date;
        if e.employee_id() != employee
            || e.status() != EntryStatus::Draft
            || d < monday
            || d > sunday
        {
            continue;
        }
        decide(Some(e), &TimeEntryCommand::Submit, facts, now)?;
        steps.push(WeekStep {
            entry: Some(e.clone()),
            command: TimeEntryCommand::Submit,
            facts: facts.clone(),
        });
    }
    if steps.is_empty() {
        return Err(DomainError::invariant(format!(
            "the week of {monday} has no draft time to submit"
        )));
    }
    Ok(steps)
}
