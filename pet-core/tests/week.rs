//! Week commands: property tests of saving and submitting a timesheet week.
//!
//! - For any week of existing entries (drafts, submitted, approved), any lock and any grid
//!   asked for, saving the week either gives exactly that grid back (named cells as asked,
//!   the others unchanged) or is refused, and it is refused exactly when a changed cell
//!   holds submitted or approved time, a changed cell is in the locked period, or a day
//!   would pass 24 hours. Every step holds against the facts it was decided on.
//! - Submitting a week submits every draft of it, or (a draft in the locked period) none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use pet_core::aggregate::Aggregate;
use pet_core::delivery::{
    decide_save_week, decide_submit_week, EntryInput, EntryMinutes, EntryStatus, ProjectId,
    ProjectStatus, SaveWeek, TimeEntry, TimeEntryCommand, TimeEntryId, TimeFacts, WeekCell,
    WeekStep, WorkTarget, DAY_MINUTES,
};
use pet_core::helpdesk::TicketId;
use pet_core::identity::{EmployeeId, EmployeeStatus, Note};
use pet_core::DomainError;
use proptest::prelude::*;
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::parse_str(&format!("0190a1b2-0000-7000-8000-{n:012x}")).unwrap()
}
fn ana() -> EmployeeId {
    EmployeeId::from_uuid(uuid(1))
}
fn project(k: u8) -> ProjectId {
    ProjectId::from_uuid(uuid(300 + u128::from(k)))
}
fn ticket() -> TicketId {
    TicketId::from_uuid(uuid(700))
}
/// The rows: two projects and a ticket of the first.
fn row(k: u8) -> WorkTarget {
    match k % 3 {
        0 => WorkTarget::Project {
            project_id: project(0),
            task_id: None,
        },
        1 => WorkTarget::Project {
            project_id: project(1),
            task_id: None,
        },
        _ => WorkTarget::Ticket {
            ticket_id: ticket(),
        },
    }
}
/// Monday 5 January 2026 plus `k` days.
fn day(k: u8) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5)
        .unwrap()
        .checked_add_days(Days::new(u64::from(k)))
        .unwrap()
}
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 20, 12, 0, 0).unwrap()
}

fn base_facts() -> TimeFacts {
    TimeFacts::new()
        .with_employee(ana(), EmployeeStatus::Active)
        .with_project(project(0), ProjectStatus::Active)
        .with_project(project(1), ProjectStatus::Active)
        .with_ticket(ticket(), Some(project(0)))
        .with_actor(ana(), false)
}

/// The facts as storage loads them: the lock and the day totals of `entries`.
fn facts_of(entries: &[TimeEntry], lock: Option<NaiveDate>) -> TimeFacts {
    let mut f = base_facts().with_locked_through(lock);
    for k in 0..7 {
        let d = day(k);
        f = f.with_day_minutes(d, entries.iter().map(|e| e.minutes_on(d)).sum());
    }
    f
}

/// Cell values (own minutes of entries not discarded) by row and day.
fn grid(entries: &[TimeEntry]) -> BTreeMap<(WorkTarget, NaiveDate), i64> {
    let mut g = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| e.status() != EntryStatus::Discarded)
    {
        *g.entry((e.content().target, e.content().work_date))
            .or_insert(0) += e.content().minutes.get();
    }
    g.retain(|_, m| *m != 0);
    g
}

/// Applies decided steps to the store (each decided again against its own facts).
fn apply(entries: &mut Vec<TimeEntry>, steps: &[WeekStep]) {
    for s in steps {
        let events = TimeEntry::decide(s.entry.as_ref(), &s.command, &s.facts, now())
            .expect("a decided step holds against its facts");
        let after = TimeEntry::evolve_all(s.entry.clone(), &events).unwrap();
        match entries.iter_mut().find(|e| e.id() == after.id()) {
            Some(e) => *e = after,
            None => entries.push(after),
        }
    }
}

#[derive(Debug, Clone)]
struct Existing {
    row: u8,
    day: u8,
    minutes: i64,
    status: u8,
}

fn existing() -> impl Strategy<Value = Existing> {
    (0u8..3, 0u8..7, 1i64..500, 0u8..4).prop_map(|(row, day, minutes, status)| Existing {
        row,
        day,
        minutes,
        status,
    })
}

/// Builds the week's entries: drafts, submitted (status 2) or approved (3), each logged
/// only when its day stays within 24 hours.
fn build(spec: &[Existing]) -> Vec<TimeEntry> {
    let mut entries: Vec<TimeEntry> = Vec::new();
    for (i, x) in spec.iter().enumerate() {
        let f = facts_of(&entries, None);
        let create = TimeEntryCommand::Create {
            id: TimeEntryId::from_uuid(uuid(1000 + i as u128)),
            employee_id: ana(),
            input: EntryInput {
                target: row(x.row),
                role: None,
                work_date: day(x.day),
                minutes: EntryMinutes::new(x.minutes).unwrap(),
                billable: true,
                note: Note::default(),
            },
        };
        let Ok(evs) = TimeEntry::decide(None, &create, &f, now()) else {
            continue;
        };
        let mut e = TimeEntry::evolve_all(None, &evs).unwrap();
        let system = TimeFacts::new()
            .with_employee(ana(), EmployeeStatus::Active)
            .with_project(project(0), ProjectStatus::Active)
            .with_project(project(1), ProjectStatus::Active);
        for (cmd, at) in [
            (TimeEntryCommand::Submit, 2),
            (TimeEntryCommand::Approve, 3),
        ] {
            if x.status >= at {
                let evs = TimeEntry::decide(Some(&e), &cmd, &system, now()).unwrap();
                e = TimeEntry::evolve_all(Some(e), &evs).unwrap();
            }
        }
        entries.push(e);
    }
    entries
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn saving_a_week_gives_the_grid_back_or_is_refused_for_a_rule(
        spec in proptest::collection::vec(existing(), 0..14),
        asked in proptest::collection::btree_map((0u8..3, 0u8..7), 0i64..800, 0..10),
        lock in proptest::option::of(0u8..7),
    ) {
        let mut entries = build(&spec);
        let lock = lock.map(day);
        let before = grid(&entries);
        let cells: Vec<WeekCell> = asked
            .iter()
            .map(|(&(r, d), &m)| WeekCell { target: row(r), work_date: day(d), minutes: m })
            .collect();
        // The model: what the grid should be, and whether a rule refuses it.
        let mut expected = before.clone();
        let mut refused = false;
        for c in &cells {
            let key = (c.target, c.work_date);
            let now_minutes = before.get(&key).copied().unwrap_or(0);
            if now_minutes == c.minutes {
                continue;
            }
            let fixed = entries.iter().any(|e| {
                matches!(e.status(), EntryStatus::Submitted | EntryStatus::Approved)
                    && (e.content().target, e.content().work_date) == key
            });
            if fixed || lock.is_some_and(|l| c.work_date <= l) {
                refused = true;
            }
            expected.insert(key, c.minutes);
        }
        expected.retain(|_, m| *m != 0);
        for k in 0..7 {
            let total: i64 = expected.iter().filter(|((_, d), _)| *d == day(k)).map(|(_, m)| m).sum();
            if total > DAY_MINUTES {
                refused = true;
            }
        }
        let cmd = SaveWeek { employee_id: ana(), week: day(3), cells };
        let mut n = 5000u128;
        let mut ids = || { n += 1; TimeEntryId::from_uuid(uuid(n)) };
        let decided = decide_save_week(&cmd, &entries, &facts_of(&entries, lock), now(), &mut ids);
        match decided {
            Ok(steps) => {
                prop_assert!(!refused, "saved although a rule refuses it");
                let frozen: Vec<TimeEntry> = entries
                    .iter()
                    .filter(|e| e.status() != EntryStatus::Draft || lock.is_some_and(|l| e.content().work_date <= l))
                    .cloned()
                    .collect();
                apply(&mut entries, &steps);
                prop_assert_eq!(grid(&entries), expected, "reading the week gives the grid back");
                for k in 0..7 {
                    let d = day(k);
                    prop_assert!(entries.iter().map(|e| e.minutes_on(d)).sum::<i64>() <= DAY_MINUTES);
                }
                for f in frozen {
                    prop_assert!(entries.contains(&f), "an entry that may not change changed: {:?}", f.id());
                }
            }
            Err(e) => {
                prop_assert!(refused, "refused without a rule: {e}");
                prop_assert!(matches!(e, DomainError::Invariant(_)), "{e:?}");
            }
        }
    }

    #[test]
    fn submitting_a_week_submits_every_draft_or_none(
        spec in proptest::collection::vec(existing(), 0..14),
        lock in proptest::option::of(0u8..7),
    ) {
        let mut entries = build(&spec);
        let lock = lock.map(day);
        let drafts: Vec<TimeEntryId> = entries.iter().filter(|e| e.status() == EntryStatus::Draft).map(TimeEntry::id).collect();
        let locked_draft = entries.iter().any(|e| e.status() == EntryStatus::Draft && lock.is_some_and(|l| e.content().work_date <= l));
        let before = entries.clone();
        match decide_submit_week(ana(), day(6), &entries, &facts_of(&entries, lock), now()) {
            Ok(steps) => {
                prop_assert!(!drafts.is_empty() && !locked_draft);
                apply(&mut entries, &steps);
                for e in &entries {
                    if drafts.contains(&e.id()) {
                        prop_assert_eq!(e.status(), EntryStatus::Submitted);
                    } else {
                        prop_assert!(before.contains(e));
                    }
                }
            }
            Err(_) => prop_assert!(drafts.is_empty() || locked_draft),
        }
    }
}

#[test]
fn a_week_refuses_cells_outside_it_twice_named_or_over_a_day() {
    let cell = |d: NaiveDate, m: i64| WeekCell {
        target: row(0),
        work_date: d,
        minutes: m,
    };
    let f = facts_of(&[], None);
    let mut n = 0u128;
    let mut ids = || {
        n += 1;
        TimeEntryId::from_uuid(uuid(9000 + n))
    };
    for cells in [
        vec![cell(day(7), 60)],
        vec![cell(day(0), -1)],
        vec![cell(day(0), 1441)],
        vec![cell(day(0), 60), cell(day(0), 30)],
    ] {
        let cmd = SaveWeek {
            employee_id: ana(),
            week: day(0),
            cells,
        };
        assert!(matches!(
            decide_save_week(&cmd, &[], &f, now(), &mut ids),
            Err(DomainError::Validation(_))
        ));
    }
    // Someone else's week is refused to staff.
    let cmd = SaveWeek {
        employee_id: EmployeeId::from_uuid(uuid(2)),
        week: day(0),
        cells: vec![cell(day(0), 60)],
    };
    let f = f.with_employee(EmployeeId::from_uuid(uuid(2)), EmployeeStatus::Active);
    assert!(matches!(
        decide_save_week(&cmd, &[], &f, now(), &mut ids),
        Err(DomainError::Invariant(_))
    ));
}

#[test]
fn several_drafts_in_a_cell_shrink_from_the_last_and_moving_time_between_rows_fits() {
    // Two drafts of 600 on project 0 and 600 on project 1 on one day (1200); the grid asks
    // 300 / 1100: the decrease goes first, so the day never passes 1440 on the way.
    let spec = [
        Existing {
            row: 0,
            day: 0,
            minutes: 400,
            status: 0,
        },
        Existing {
            row: 0,
            day: 0,
            minutes: 200,
            status: 0,
        },
        Existing {
            row: 1,
            day: 0,
            minutes: 600,
            status: 0,
        },
    ];
    let mut entries = build(&spec);
    let cmd = SaveWeek {
        employee_id: ana(),
        week: day(0),
        cells: vec![
            WeekCell {
                target: row(1),
                work_date: day(0),
                minutes: 1100,
            },
            WeekCell {
                target: row(0),
                work_date: day(0),
                minutes: 300,
            },
        ],
    };
    let mut ids = || TimeEntryId::from_uuid(uuid(9999));
    let steps =
        decide_save_week(&cmd, &entries, &facts_of(&entries, None), now(), &mut ids).unwrap();
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert!(matches!(steps[2].command, TimeEntryCommand::Revise(_)));
    apply(&mut entries, &steps);
    let mins: Vec<(i64, EntryStatus)> = entries
        .iter()
        .map(|e| (e.content().minutes.get(), e.status()))
        .collect();
    assert_eq!(
        mins,
        vec![
            (300, EntryStatus::Draft),
            (200, EntryStatus::Discarded),
            (1100, EntryStatus::Draft)
        ]
    );
}
