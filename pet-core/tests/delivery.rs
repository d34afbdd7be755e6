//! Delivery: property tests of the time rules and variance marks, and snapshots of every
//! event's activity line.
//!
//! - For any sequence of time-entry commands and locks (facts computed from a simulated
//!   store the way storage computes them), nothing dated in a locked period changes and no
//!   employee ever has more than 24 hours on a day, adjustments included.
//! - For any order of approvals, adjustments and change orders, each variance threshold
//!   is recorded at most once per constraint version and scope, and exactly when crossed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use pet_core::aggregate::Aggregate;
use pet_core::commercial::Text;
use pet_core::delivery::DeliveryEvent;
use pet_core::delivery::{
    period, AdjustmentId, AllocationCommand, AllocationId, Delivered, EntryInput, EntryMinutes,
    EntryStatus, LockFacts, NewProject, Project, ProjectCommand, ProjectEvent, ProjectFacts,
    ProjectId, ProjectStatus, SetCapacity, SignedMinutes, SoldMinutes, TimeEntry, TimeEntryCommand,
    TimeEntryId, TimeFacts, TimeLock, TimeLockCommand, TimerCommand, VarianceScope, WeeklyMinutes,
    WorkTarget, DAY_MINUTES, VARIANCE_THRESHOLDS,
};
use pet_core::event::{envelopes, Actor, DomainEvent, EventMeta};
use pet_core::identity::{CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Name, Note};
use pet_core::pet_registry;
use proptest::prelude::*;
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::parse_str(&format!("0190a1b2-0000-7000-8000-{n:012x}")).unwrap()
}
fn emp(k: u8) -> EmployeeId {
    EmployeeId::from_uuid(uuid(1 + u128::from(k)))
}
fn web() -> ProjectId {
    ProjectId::from_uuid(uuid(300))
}
fn day(k: u8) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5)
        .unwrap()
        .checked_add_days(Days::new(u64::from(k)))
        .unwrap()
}
/// "Today": day 20, so every day of the tests is in the past and lockable.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 25, 12, 0, 0).unwrap()
}
fn role(s: &str) -> Option<Name> {
    Some(Name::new(s).unwrap())
}
fn reason() -> Text {
    Text::for_field("reason", "correction").unwrap()
}

// ---------------------------------------------------------------------------------------
// Time entries under locks and the 24-hour rule
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Create { emp: u8, day: u8, minutes: i64 },
    Revise { entry: u8, day: u8, minutes: i64 },
    Discard { entry: u8 },
    Submit { entry: u8 },
    Approve { entry: u8 },
    SendBack { entry: u8 },
    Adjust { entry: u8, day: u8, minutes: i64 },
    Lock { through: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    let minutes = prop_oneof![1i64..=120, 300i64..=900, Just(1440i64)];
    let signed = prop_oneof![-600i64..=-1, 1i64..=600];
    prop_oneof![
        4 => (0u8..2, 0u8..10, minutes.clone()).prop_map(|(emp, day, minutes)| Op::Create { emp, day, minutes }),
        2 => (0u8..12, 0u8..10, minutes).prop_map(|(entry, day, minutes)| Op::Revise { entry, day, minutes }),
        1 => (0u8..12).prop_map(|entry| Op::Discard { entry }),
        3 => (0u8..12).prop_map(|entry| Op::Submit { entry }),
        3 => (0u8..12).prop_map(|entry| Op::Approve { entry }),
        1 => (0u8..12).prop_map(|entry| Op::SendBack { entry }),
        3 => (0u8..12, 0u8..10, signed).prop_map(|(entry, day, minutes)| Op::Adjust { entry, day, minutes }),
        1 => (0u8..10).prop_map(|through| Op::Lock { through }),
    ]
}

/// The simulated store: entries by creation order and the lock.
#[derive(Default)]
struct Store {
    entries: Vec<TimeEntry>,
    lock: Option<TimeLock>,
}

impl Store {
    /// The facts storage would load for a command on `employee` touching `dates`.
    fn facts(&self, employee: EmployeeId, dates: &[NaiveDate]) -> TimeFacts {
        let mut f = TimeFacts::new()
            .with_employee(emp(0), EmployeeStatus::Active)
            .with_employee(emp(1), EmployeeStatus::Active)
            .with_project(web(), ProjectStatus::Active)
            .with_locked_through(self.lock.map(|l| l.locked_through()));
        for d in dates {
            f = f.with_day_minutes(*d, self.day_total(employee, *d));
        }
        f
    }
    fn day_total(&self, employee: EmployeeId, d: NaiveDate) -> i64 {
        self.entries
            .iter()
            .filter(|e| e.employee_id() == employee)
            .map(|e| e.minutes_on(d))
            .sum()
    }
    fn submitted_through(&self, through: NaiveDate) -> u64 {
        self.entries
            .iter()
            .filter(|e| e.status() == EntryStatus::Submitted && e.content().work_date <= through)
            .count() as u64
    }
    /// What every entry shows on every date up to `through` (what a lock freezes).
    fn frozen(&self, through: NaiveDate) -> Vec<(usize, NaiveDate, EntryStatus, i64, String)> {
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            for d in e.dates() {
                if d <= through {
                    let dated_here = e.content().work_date == d;
                    out.push((
                        i,
                        d,
                        if dated_here {
                            e.status()
                        } else {
                            EntryStatus::Draft
                        },
                        e.minutes_on(d),
                        if dated_here {
                            format!("{:?}", e.content())
                        } else {
                            String::new()
                        },
                    ));
                }
            }
        }
        out
    }
}

fn input(d: u8, minutes: i64) -> EntryInput {
    EntryInput {
        target: WorkTarget::Project {
            project_id: web(),
            task_id: None,
        },
        role: None,
        work_date: day(d),
        minutes: EntryMinutes::new(minutes).unwrap(),
        billable: true,
        note: Note::new("").unwrap(),
    }
}

fn apply(store: &mut Store, op: &Op, step: usize) {
    let pick = |i: u8, store: &Store| -> Option<usize> {
        if store.entries.is_empty() {
            None
        } else {
            Some(usize::from(i) % store.entries.len())
        }
    };
    let run = |store: &mut Store, i: usize, cmd: TimeEntryCommand, dates: Vec<NaiveDate>| {
        let e = &store.entries[i];
        let f = store.facts(e.employee_id(), &dates);
        if let Ok(evs) = TimeEntry::decide(Some(e), &cmd, &f, now()) {
            let next = TimeEntry::evolve_all(Some(e.clone()), &evs).unwrap();
            store.entries[i] = next;
        }
    };
    match *op {
        Op::Create {
            emp: k,
            day: d,
            minutes,
        } => {
            let cmd = TimeEntryCommand::Create {
                id: TimeEntryId::from_uuid(uuid(1000 + step as u128)),
                employee_id: emp(k),
                input: input(d, minutes),
            };
            let f = store.facts(emp(k), &[day(d)]);
            if let Ok(evs) = TimeEntry::decide(None, &cmd, &f, now()) {
                store.entries.push(TimeEntry::replay(&evs).unwrap());
            }
        }
        Op::Revise {
            entry,
            day: d,
            minutes,
        } => {
            if let Some(i) = pick(entry, store) {
                run(
                    store,
                    i,
                    TimeEntryCommand::Revise(input(d, minutes)),
                    vec![day(d)],
                );
            }
        }
        Op::Discard { entry } => {
            if let Some(i) = pick(entry, store) {
                run(store, i, TimeEntryCommand::Discard, vec![]);
            }
        }
        Op::Submit { entry } => {
            if let Some(i) = pick(entry, store) {
                run(store, i, TimeEntryCommand::Submit, vec![]);
            }
        }
        Op::Approve { entry } => {
            if let Some(i) = pick(entry, store) {
                run(store, i, TimeEntryCommand::Approve, vec![]);
            }
        }
        Op::SendBack { entry } => {
            if let Some(i) = pick(entry, store) {
                run(
                    store,
                    i,
                    TimeEntryCommand::SendBack { reason: reason() },
                    vec![],
                );
            }
        }
        Op::Adjust {
            entry,
            day: d,
            minutes,
        } => {
            if let Some(i) = pick(entry, store) {
                let cmd = TimeEntryCommand::Adjust {
                    adjustment_id: AdjustmentId::from_uuid(uuid(5000 + step as u128)),
                    minutes: SignedMinutes::new(minutes).unwrap(),
                    work_date: day(d),
                    reason: reason(),
                    adjusted_by: emp(0),
                };
                run(store, i, cmd, vec![day(d)]);
            }
        }
        Op::Lock { through } => {
            let f = LockFacts {
                submitted_in_period: store.submitted_through(day(through)),
            };
            let cmd = TimeLockCommand::Lock {
                through: day(through),
            };
            if let Ok(evs) = period::decide(store.lock.as_ref(), &cmd, &f, now()) {
                store.lock = TimeLock::evolve_all(store.lock, &evs);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn locked_periods_never_change_and_no_day_exceeds_24_hours(ops in proptest::collection::vec(op(), 1..60)) {
        let mut store = Store::default();
        for (step, o) in ops.iter().enumerate() {
            let frozen_before = store.lock.map(|l| store.frozen(l.locked_through()));
            let lock_before = store.lock;
            apply(&mut store, o, step);
            if let (Some(before), Some(l)) = (frozen_before, lock_before) {
                // everything dated in the period locked before the step is unchanged
                prop_assert_eq!(&before, &store.frozen(l.locked_through()), "after {:?}", o);
            }
            for k in 0..2 {
                for d in 0..12 {
                    let total = store.day_total(emp(k), day(d));
                    prop_assert!(total <= DAY_MINUTES, "{} minutes on day {} after {:?}", total, d, o);
                }
            }
            for e in &store.entries {
                prop_assert!(e.effective_minutes() >= 0);
                // replaying what was decided gives the same state as restoring it
                prop_assert_eq!(TimeEntry::restore(e.state().clone()), e.clone());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Variance marks
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum VOp {
    /// Approved time (or an approved entry's adjustment) in a role: 0 developer, 1 designer,
    /// 2 no role.
    Deliver { role: u8, minutes: i64 },
    /// A change order on the developer role.
    ChangeOrder { minutes: i64 },
}

fn vop() -> impl Strategy<Value = VOp> {
    prop_oneof![
        6 => (0u8..3, -120i64..=400).prop_map(|(role, minutes)| VOp::Deliver { role, minutes }),
        1 => (-300i64..=600).prop_map(|minutes| VOp::ChangeOrder { minutes }),
    ]
}

fn role_of(k: u8) -> Option<Name> {
    match k {
        0 => role("Developer"),
        1 => role("Designer"),
        _ => None,
    }
}

fn new_project() -> Project {
    let cmd = ProjectCommand::Create(NewProject {
        id: web(),
        name: Name::new("Website").unwrap(),
        customer_id: Some(CustomerId::from_uuid(uuid(20))),
        sale: None,
        labour: vec![
            SoldMinutes {
                role: role("Developer"),
                minutes: 1000,
            },
            SoldMinutes {
                role: role("Designer"),
                minutes: 500,
            },
        ],
        budget: None,
        recurring: vec![],
    });
    let f =
        ProjectFacts::new().with_customer(CustomerId::from_uuid(uuid(20)), CustomerStatus::Active);
    Project::replay(&Project::decide(None, &cmd, &f, now()).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn each_threshold_is_recorded_once_per_version_exactly_when_crossed(ops in proptest::collection::vec(vop(), 1..50)) {
        let mut p = new_project();
        let mut delivered = Delivered::new();
        // the model: every (version, scope, threshold) reached at some step
        let mut reached: BTreeSet<(u32, VarianceScope, u32)> = BTreeSet::new();
        let mut recorded: BTreeMap<(u32, VarianceScope, u32), usize> = BTreeMap::new();
        for o in &ops {
            match *o {
                VOp::Deliver { role, minutes } => delivered.add(role_of(role), minutes),
                VOp::ChangeOrder { minutes } => {
                    let cmd = ProjectCommand::RecordChangeOrder {
                        reason: reason(),
                        ordered_by: emp(0),
                        labour_delta: vec![SoldMinutes { role: role("Developer"), minutes }],
                        budget_delta: None,
                    };
                    if let Ok(evs) = Project::decide(Some(&p), &cmd, &ProjectFacts::new(), now()) {
                        p = Project::evolve_all(Some(p), &evs).unwrap();
                    }
                }
            }
            // storage runs detection after every approval, adjustment and change order
            let f = ProjectFacts::new().with_delivered(delivered.clone());
            let evs = Project::decide(Some(&p), &ProjectCommand::DetectVariance, &f, now()).unwrap();
            for e in &evs {
                let ProjectEvent::VarianceDetected(v) = e else { panic!("{e:?}") };
                *recorded.entry((v.constraint_version, v.scope.clone(), v.threshold_percent)).or_default() += 1;
            }
            p = Project::evolve_all(Some(p), &evs).unwrap();
            let c = p.constraints();
            for scope in [
                VarianceScope::Project,
                VarianceScope::Role { role: role("Developer") },
                VarianceScope::Role { role: role("Designer") },
                VarianceScope::Role { role: None },
            ] {
                let sold = c.sold_in(&scope);
                let got = delivered.in_scope(&scope);
                for t in VARIANCE_THRESHOLDS {
                    if sold > 0 && i128::from(got) * 100 >= i128::from(t) * i128::from(sold) {
                        reached.insert((c.number, scope.clone(), t));
                    }
                }
            }
            let recorded_keys: BTreeSet<_> = recorded.keys().cloned().collect();
            prop_assert_eq!(&recorded_keys, &reached, "exactly the crossed thresholds, after {:?}", o);
            prop_assert!(recorded.values().all(|n| *n == 1), "at most once: {:?}", recorded);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Every event: payload through the registry, rendered line
// ---------------------------------------------------------------------------------------

/// Every Delivery event type, produced by the real `decide` functions.
fn every_event() -> Vec<DeliveryEvent> {
    let mut out: Vec<DeliveryEvent> = Vec::new();
    let ana = emp(0);
    let cust = CustomerId::from_uuid(uuid(20));
    let pf = ProjectFacts::new()
        .with_customer(cust, CustomerStatus::Active)
        .with_employee(ana, EmployeeStatus::Active);
    let mut p: Option<Project> = None;
    let m = pet_core::delivery::MilestoneId::from_uuid(uuid(301));
    let t = pet_core::delivery::TaskId::from_uuid(uuid(302));
    for cmd in [
        ProjectCommand::Create(NewProject {
            id: web(),
            name: Name::new("Website").unwrap(),
            customer_id: Some(cust),
            sale: None,
            labour: vec![SoldMinutes {
                role: role("Developer"),
                minutes: 600,
            }],
            budget: None,
            recurring: vec![],
        }),
        ProjectCommand::ChangeStatus {
            to: ProjectStatus::Active,
        },
        ProjectCommand::RecordChangeOrder {
            reason: Text::for_field("reason", "Two more pages").unwrap(),
            ordered_by: ana,
            labour_delta: vec![SoldMinutes {
                role: role("Developer"),
                minutes: 120,
            }],
            budget_delta: None,
        },
        ProjectCommand::AddMilestone {
            milestone_id: m,
            title: Name::new("Launch").unwrap(),
            due: Some(day(10)),
        },
        ProjectCommand::AddTask {
            task_id: t,
            title: Name::new("Build pages").unwrap(),
            milestone_id: Some(m),
            estimate_minutes: Some(240),
            assignee: None,
        },
        ProjectCommand::AssignTask {
            task_id: t,
            assignee: Some(ana),
        },
        ProjectCommand::MoveTask {
            task_id: t,
            to: pet_core::delivery::TaskStatus::InProgress,
        },
        ProjectCommand::CompleteMilestone { milestone_id: m },
    ] {
        let evs = Project::decide(p.as_ref(), &cmd, &pf, now()).unwrap();
        p = Project::evolve_all(p, &evs);
        out.extend(evs.into_iter().map(Into::into));
    }
    let mut d = Delivered::new();
    d.add(role("Developer"), 600);
    let evs = Project::decide(
        p.as_ref(),
        &ProjectCommand::DetectVariance,
        &pf.clone().with_delivered(d),
        now(),
    )
    .unwrap();
    out.extend(evs.into_iter().map(Into::into));

    let tf = TimeFacts::new()
        .with_employee(ana, EmployeeStatus::Active)
        .with_project(web(), ProjectStatus::Active);
    let mut e: Option<TimeEntry> = None;
    let mut other: Option<TimeEntry> = None;
    for cmd in [
        TimeEntryCommand::Create {
            id: TimeEntryId::from_uuid(uuid(400)),
            employee_id: ana,
            input: input(0, 90),
        },
        TimeEntryCommand::Revise(input(0, 120)),
        TimeEntryCommand::Submit,
        TimeEntryCommand::SendBack {
            reason: Text::for_field("reason", "Wrong day").unwrap(),
        },
        TimeEntryCommand::Submit,
        TimeEntryCommand::Approve,
        TimeEntryCommand::Adjust {
            adjustment_id: AdjustmentId::from_uuid(uuid(401)),
            minutes: SignedMinutes::new(-30).unwrap(),
            work_date: day(8),
            reason: Text::for_field("reason", "Over-logged").unwrap(),
            adjusted_by: ana,
        },
    ] {
        let evs = TimeEntry::decide(e.as_ref(), &cmd, &tf, now()).unwrap();
        e = TimeEntry::evolve_all(e, &evs);
        out.extend(evs.into_iter().map(Into::into));
    }
    for cmd in [
        TimeEntryCommand::Create {
            id: TimeEntryId::from_uuid(uuid(402)),
            employee_id: ana,
            input: input(1, 15),
        },
        TimeEntryCommand::Discard,
    ] {
        let evs = TimeEntry::decide(other.as_ref(), &cmd, &tf, now()).unwrap();
        other = TimeEntry::evolve_all(other, &evs);
        out.extend(evs.into_iter().map(Into::into));
    }
    let evs = period::decide(
        None,
        &TimeLockCommand::Lock { through: day(6) },
        &LockFacts::default(),
        now(),
    )
    .unwrap();
    out.extend(evs.into_iter().map(Into::into));

    let active = Some(EmployeeStatus::Active);
    let start = TimerCommand::Start {
        employee_id: ana,
        target: input(0, 1).target,
        role: None,
        billable: true,
        note: Note::new("").unwrap(),
    };
    let evs = pet_core::delivery::Timer::decide(None, &start, &active, now()).unwrap();
    let timer = pet_core::delivery::Timer::replay(&evs);
    out.extend(evs.into_iter().map(Into::into));
    let later = now() + chrono::Duration::minutes(95);
    let evs = pet_core::delivery::Timer::decide(
        timer.as_ref(),
        &TimerCommand::Stop {
            entry_id: TimeEntryId::from_uuid(uuid(403)),
        },
        &active,
        later,
    )
    .unwrap();
    out.extend(evs.into_iter().map(Into::into));
    let evs = pet_core::delivery::Timer::decide(None, &start, &active, now()).unwrap();
    let timer = pet_core::delivery::Timer::replay(&evs);
    let evs =
        pet_core::delivery::Timer::decide(timer.as_ref(), &TimerCommand::Discard, &active, now())
            .unwrap();
    out.extend(evs.into_iter().map(Into::into));

    let cap = SetCapacity {
        employee_id: ana,
        effective_from: day(7),
        minutes_per_week: WeeklyMinutes::new(1920).unwrap(),
    };
    let evs = pet_core::delivery::Capacity::decide(None, &cap, &active, now()).unwrap();
    out.extend(evs.into_iter().map(Into::into));
    let af = pet_core::delivery::AllocationFacts {
        employee: active,
        project: Some(ProjectStatus::Active),
    };
    let alloc = AllocationCommand::Allocate {
        id: AllocationId::from_uuid(uuid(500)),
        employee_id: ana,
        project_id: web(),
        starts_on: day(7),
        ends_on: day(20),
        minutes_per_week: WeeklyMinutes::new(900).unwrap(),
    };
    let evs = pet_core::delivery::Allocation::decide(None, &alloc, &af, now()).unwrap();
    let a = pet_core::delivery::Allocation::replay(&evs);
    out.extend(evs.into_iter().map(Into::into));
    let evs =
        pet_core::delivery::Allocation::decide(a.as_ref(), &AllocationCommand::Release, &af, now())
            .unwrap();
    out.extend(evs.into_iter().map(Into::into));
    out
}

#[test]
fn every_event_validates_round_trips_and_renders() {
    let events = every_event();
    let module_types: BTreeSet<&str> = pet_core::delivery::MODULE
        .event_types()
        .map(|s| s.name)
        .collect();
    let seen: BTreeSet<&str> = events.iter().map(|e| e.event_type()).collect();
    assert_eq!(seen, module_types, "the scenario covers every event type");
    let mut names: BTreeMap<Uuid, String> = BTreeMap::new();
    names.insert(emp(0).as_uuid(), "Ana Ruiz".to_owned());
    let mut lines = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let rows = envelopes(std::slice::from_ref(e), 0, |_| EventMeta {
            event_id: uuid(9000 + i as u128),
            occurred_at: now(),
            actor: Actor::Employee(emp(0).as_uuid()),
            idempotency_key: None,
        })
        .unwrap();
        pet_registry().validate_new(&rows[0]).unwrap();
        let back =
            DeliveryEvent::from_stored(e.event_type(), e.schema_version(), &e.payload()).unwrap();
        assert_eq!(back.payload(), e.payload(), "{}", e.event_type());
        for n in
            pet_core::activity::names_introduced(e.event_type(), e.schema_version(), &e.payload())
                .unwrap()
        {
            names.insert(n.id, n.name);
        }
        let line = pet_core::activity::render_event(&rows[0], &names).unwrap();
        lines.push(format!("{:32} {line}", e.event_type()));
    }
    insta::assert_snapshot!("delivery_activity_lines", lines.join("\n"));
}
