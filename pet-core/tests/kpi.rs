//! KPIs: property tests of fact extraction and the calculators.
//!
//! - Determinism: the facts (and so every result) are the same whatever the batch split
//!   (memos round-tripped through JSON between batches, as a store keeps them) and
//!   whatever the order of events with equal timestamps (each entity's own events keep
//!   their order).
//! - As of: a result as of a cut-off equals the result computed from only the events
//!   recorded by then; later events never change it.
//! - The parts add up, and the numbers equal a reference computed straight from the
//!   generated scenario (billable ratio, SLA compliance, reopen rate, utilisation of one
//!   employee).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::collapsible_match)]

use std::collections::BTreeMap;

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use pet_core::event::{
    AggregateRef, ContextRef, ContextType, EventMeta, EventType, NewEvent, RecordedEvent,
};
use pet_core::identity::{EmployeeId, TeamId};
use pet_core::kpi::{
    evaluate, extract, memo_keys, Calculator, Fact, Grain, KpiParams, KpiSpec, Memos, Period, Scope,
};
use pet_core::Actor;
use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::parse_str(&format!("0190a1b2-0000-7000-8000-{n:012x}")).unwrap()
}
fn emp(k: u8) -> Uuid {
    uuid(1 + u128::from(k))
}
fn team() -> Uuid {
    uuid(50)
}
fn customer(k: u8) -> Uuid {
    uuid(60 + u128::from(k))
}
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap()
}
fn monday(week: u8) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + Days::new(7 * u64::from(week))
}

/// One event before it is in a log: its type, payload, context, aggregate, and the minute
/// (after `t0`) it occurs and is recorded at.
#[derive(Debug, Clone)]
struct Ev {
    ty: &'static str,
    payload: serde_json::Value,
    ctx: (ContextType, Uuid),
    agg: (&'static str, Uuid),
    minute: i64,
}

/// What the generator decided, for the reference computations.
#[derive(Debug, Clone)]
enum Script {
    Capacity {
        employee: u8,
        week: u8,
        minutes: i64,
        member_from_week: Option<u8>,
    },
    Time {
        id: u128,
        employee: u8,
        day: u8,
        minutes: i64,
        billable: bool,
        approved: bool,
        adjust: i64,
    },
    Ticket {
        id: u128,
        customer: u8,
        reply_after: Option<i64>,
        sla_met: Option<bool>,
        resolved: bool,
        reopened: bool,
        start: i64,
    },
}

impl Script {
    fn events(&self) -> Vec<Ev> {
        let mut out = Vec::new();
        match *self {
            Script::Capacity {
                employee,
                week,
                minutes,
                member_from_week,
            } => {
                let e = emp(employee);
                out.push(Ev {
                    ty: "resource.capacity_set",
                    payload: json!({"employee_id": e, "effective_from": monday(week),
                        "minutes_per_week": minutes}),
                    ctx: (ContextType::Employee, e),
                    agg: ("employee_capacity", e),
                    minute: i64::from(week) * 10,
                });
                if let Some(w) = member_from_week {
                    out.push(Ev {
                        ty: "team.member_added",
                        payload: json!({"employee_id": e, "membership_id": uuid(900 + u128::from(employee)),
                            "role": "member", "team_id": team(), "valid_from": monday(w), "valid_to": null}),
                        ctx: (ContextType::Team, team()),
                        agg: ("team", team()),
                        minute: i64::from(week) * 10 + 1,
                    });
                }
            }
            Script::Time {
                id,
                employee,
                day,
                minutes,
                billable,
                approved,
                adjust,
            } => {
                let (entry, e) = (uuid(1000 + id), emp(employee));
                let date = monday(0) + Days::new(u64::from(day));
                let minute = i64::from(day) * 60 * 24 + 600;
                out.push(Ev {
                    ty: "time_entry.drafted",
                    payload: json!({"entry_id": entry, "employee_id": e,
                        "target": {"kind": "ticket", "ticket_id": uuid(77)}, "project_id": null,
                        "role": null, "work_date": date, "minutes": minutes, "billable": billable,
                        "note": ""}),
                    ctx: (ContextType::TimeEntry, entry),
                    agg: ("time_entry", entry),
                    minute,
                });
                if approved {
                    out.push(Ev {
                        ty: "time_entry.approved",
                        payload: json!({"entry_id": entry, "employee_id": e, "project_id": null,
                            "role": null, "work_date": date, "minutes": minutes}),
                        ctx: (ContextType::TimeEntry, entry),
                        agg: ("time_entry", entry),
                        minute: minute + 60,
                    });
                    if adjust != 0 {
                        out.push(Ev {
                            ty: "time_entry.adjusted",
                            payload: json!({"entry_id": entry, "employee_id": e,
                                "adjustment_id": uuid(5000 + id), "project_id": null, "role": null,
                                "minutes": adjust, "work_date": date, "reason": "Corrected",
                                "adjusted_by": emp(2), "entry_approved": true}),
                            ctx: (ContextType::TimeEntry, entry),
                            agg: ("time_entry", entry),
                            minute: minute + 24 * 60 * 20,
                        });
                    }
                }
            }
            Script::Ticket {
                id,
                customer: c,
                reply_after,
                sla_met,
                resolved,
                reopened,
                start,
            } => {
                let t = uuid(3000 + id);
                let ev = |ty, payload, minute| Ev {
                    ty,
                    payload,
                    ctx: (ContextType::Ticket, t),
                    agg: ("ticket", t),
                    minute,
                };
                out.push(ev(
                    "ticket.created",
                    json!({"assignee_id": null, "channel": "email", "customer_id": customer(c),
                        "priority": "normal", "project_id": null, "subject": "Printer on fire",
                        "ticket_id": t, "ticket_number": null}),
                    start,
                ));
                if let Some(after) = reply_after {
                    out.push(ev(
                        "ticket.replied",
                        json!({"author": {"employee_id": emp(0), "kind": "employee"},
                            "body": "On it.", "reply_id": uuid(7000 + id), "ticket_id": t,
                            "visibility": "public"}),
                        start + after,
                    ));
                }
                if let Some(met) = sla_met {
                    let mut e = ev(
                        if met { "sla.met" } else { "sla.breached" },
                        json!({"definition_id": uuid(200), "definition_version": 1,
                            "elapsed_minutes": 30, "reached_at": null, "target": "first_response",
                            "target_minutes": 60, "ticket_id": t}),
                        start + 200,
                    );
                    e.agg = ("sla_assignment", t);
                    out.push(e);
                }
                if resolved {
                    out.push(ev(
                        "ticket.resolved",
                        json!({"from": "open", "resolved_at": t0() + Duration::minutes(start + 300),
                            "ticket_id": t}),
                        start + 300,
                    ));
                    if reopened {
                        out.push(ev("ticket.reopened", json!({"ticket_id": t}), start + 400));
                    }
                }
            }
        }
        out
    }
}

fn script() -> impl Strategy<Value = Script> {
    prop_oneof![
        (0u8..3, 0u8..8, 0i64..3000, proptest::option::of(0u8..8)).prop_map(
            |(employee, week, minutes, member_from_week)| Script::Capacity {
                employee,
                week,
                minutes: minutes / 60 * 60,
                member_from_week,
            }
        ),
        (
            0u128..1_000_000,
            0u8..3,
            0u8..70,
            1i64..600,
            any::<bool>(),
            any::<bool>(),
            -30i64..30
        )
            .prop_map(|(id, employee, day, minutes, billable, approved, adjust)| {
                Script::Time {
                    id,
                    employee,
                    day,
                    minutes,
                    billable,
                    approved,
                    adjust,
                }
            }),
        (
            0u128..1_000_000,
            0u8..2,
            proptest::option::of(0i64..500),
            proptest::option::of(any::<bool>()),
            any::<bool>(),
            any::<bool>(),
            0i64..(60 * 24 * 70)
        )
            .prop_map(
                |(id, customer, reply_after, sla_met, resolved, reopened, start)| Script::Ticket {
                    id,
                    customer,
                    reply_after,
                    sla_met,
                    resolved,
                    reopened,
                    start: start / 30 * 30,
                }
            ),
    ]
}

/// Scripts with distinct ids, at most one capacity script per employee.
fn scripts() -> impl Strategy<Value = Vec<Script>> {
    proptest::collection::vec(script(), 1..40).prop_map(|v| {
        let mut seen = std::collections::BTreeSet::new();
        v.into_iter()
            .filter(|s| {
                let key = match s {
                    Script::Capacity { employee, .. } => (0, u128::from(*employee)),
                    Script::Time { id, .. } => (1, *id),
                    Script::Ticket { id, .. } => (2, *id),
                };
                seen.insert(key)
            })
            .collect()
    })
}

/// The log: every script's events merged by time, equal times ordered by `tie` (a
/// permutation key per script), each script's own order kept.
fn log(scripts: &[Script], tie: &[u64]) -> Vec<RecordedEvent> {
    let mut all: Vec<(i64, u64, usize, usize, Ev)> = Vec::new();
    for (s, script) in scripts.iter().enumerate() {
        for (i, e) in script.events().into_iter().enumerate() {
            all.push((e.minute, tie.get(s).copied().unwrap_or(0), s, i, e));
        }
    }
    all.sort_by_key(|(m, t, s, i, _)| (*m, *t, *s, *i));
    let mut versions: BTreeMap<Uuid, u64> = BTreeMap::new();
    all.into_iter()
        .enumerate()
        .map(|(n, (_, _, s, i, e))| {
            let at = t0() + Duration::minutes(e.minute);
            let v = versions.entry(e.agg.1).or_default();
            *v += 1;
            let event = NewEvent::new(
                EventMeta {
                    // The id is the event's identity, independent of its place in the log.
                    event_id: uuid(1_000_000_000 + (s as u128) * 100 + i as u128),
                    occurred_at: at,
                    actor: Actor::System,
                    idempotency_key: None,
                },
                EventType::new(e.ty).unwrap(),
                if e.ty == "ticket.created" { 2 } else { 1 },
                ContextRef::new(e.ctx.0, e.ctx.1),
                AggregateRef::new(e.agg.0, e.agg.1, *v).unwrap(),
                e.payload,
            )
            .unwrap();
            RecordedEvent {
                sequence: n as u64 + 1,
                recorded_at: at,
                event,
            }
        })
        .collect()
}

/// Extracts facts batch by batch, the memos kept as JSON between batches (as a store
/// would keep them, loading only the keys each batch names).
fn facts_in_batches(events: &[RecordedEvent], cuts: &[usize]) -> Vec<Fact> {
    let mut stored: BTreeMap<Uuid, String> = BTreeMap::new();
    let mut facts = Vec::new();
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (events.len() + 1)).collect();
    bounds.push(0);
    bounds.push(events.len());
    bounds.sort_unstable();
    bounds.dedup();
    for w in bounds.windows(2) {
        let batch = &events[w[0]..w[1]];
        let mut memos = Memos::new();
        for ev in batch {
            for k in memo_keys(ev).unwrap() {
                if let Some(json) = stored.get(&k) {
                    memos.insert(k, serde_json::from_str(json).unwrap());
                }
            }
        }
        for ev in batch {
            facts.extend(extract(ev, &mut memos).unwrap());
        }
        for (k, m) in memos {
            stored.insert(k, serde_json::to_string(&m).unwrap());
        }
    }
    facts
}

fn spec(calculator: Calculator, scope: Scope, grain: Grain) -> KpiSpec {
    KpiSpec {
        calculator,
        params: KpiParams::default(),
        scope,
        grain,
    }
}

fn specs() -> Vec<KpiSpec> {
    let mut out = Vec::new();
    for c in Calculator::ALL {
        for scope in [
            Scope::Org,
            Scope::Employee(EmployeeId::from_uuid(emp(1))),
            Scope::Team(TeamId::from_uuid(team())),
            Scope::Customer(pet_core::identity::CustomerId::from_uuid(customer(1))),
        ] {
            for grain in [Grain::Week, Grain::Month] {
                let s = spec(c, scope, grain);
                if s.validate().is_ok() {
                    out.push(s);
                }
            }
        }
    }
    out
}

fn periods(grain: Grain) -> Vec<Period> {
    Period::range(grain, monday(0), monday(0) + Days::new(80))
}

/// Every result of every spec over every period, serialised (the bytes must match).
fn all_results(facts: &[Fact], as_of: Option<DateTime<Utc>>) -> Vec<String> {
    let mut out = Vec::new();
    for s in specs() {
        for p in periods(s.grain) {
            out.push(serde_json::to_string(&evaluate(&s, p, facts, as_of)).unwrap());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn results_do_not_depend_on_batches_or_the_order_of_equal_timestamps(
        scripts in scripts(),
        tie in proptest::collection::vec(any::<u64>(), 40),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let one = log(&scripts, &[]);
        let reordered = log(&scripts, &tie);
        let whole = facts_in_batches(&one, &[]);
        let split = facts_in_batches(&one, &cuts);
        prop_assert_eq!(&whole, &split);
        let other = facts_in_batches(&reordered, &cuts);
        prop_assert_eq!(all_results(&whole, None), all_results(&other, None));
    }

    #[test]
    fn a_result_as_of_a_cut_off_ignores_what_was_recorded_later(
        scripts in scripts(),
        cut in 0i64..(60 * 24 * 90),
    ) {
        let events = log(&scripts, &[]);
        let t = t0() + Duration::minutes(cut);
        let all = facts_in_batches(&events, &[]);
        let known: Vec<RecordedEvent> =
            events.iter().filter(|e| e.recorded_at <= t).cloned().collect();
        let then = facts_in_batches(&known, &[]);
        prop_assert_eq!(all_results(&all, Some(t)), all_results(&then, None));
    }

    #[test]
    fn parts_add_up_to_a_reference_computed_from_the_scenario(scripts in scripts()) {
        let facts = facts_in_batches(&log(&scripts, &[]), &[]);
        for p in periods(Grain::Month) {
            let in_p = |d: NaiveDate| p.contains(d);
            // Reference: billable ratio, SLA compliance, reopen rate, one employee's capacity.
            let (mut billable, mut all, mut met, mut outcomes, mut reopened, mut resolved) =
                (0i64, 0i64, 0i64, 0i64, 0i64, 0i64);
            let mut capacity = 0i64;
            for s in &scripts {
                match *s {
                    Script::Time { day, minutes, billable: b, approved: true, adjust, .. } => {
                        if in_p(monday(0) + Days::new(u64::from(day))) {
                            all += minutes + adjust;
                            if b { billable += minutes + adjust; }
                        }
                    }
                    Script::Ticket { sla_met, resolved: r, reopened: o, start, .. } => {
                        let day = |m: i64| (t0() + Duration::minutes(start + m)).date_naive();
                        if let Some(m) = sla_met {
                            if in_p(day(200)) { outcomes += 1; if m { met += 1; } }
                        }
                        if r && in_p(day(300)) { resolved += 1; }
                        if r && o && in_p(day(400)) { reopened += 1; }
                    }
                    Script::Capacity { employee: 1, week, minutes, .. } => {
                        let mut d = p.start;
                        while d <= p.last_day() {
                            if d >= monday(week) && d.format("%u").to_string() < "6".into() {
                                capacity += minutes;
                            }
                            d = d + Days::new(1);
                        }
                    }
                    _ => {}
                }
            }
            let r = evaluate(&spec(Calculator::BillableRatio, Scope::Org, Grain::Month), p, &facts, None);
            prop_assert_eq!((r.numerator, r.denominator), (billable, all));
            prop_assert_eq!(r.parts.iter().map(|x| x.numerator).sum::<i64>(), r.numerator);
            prop_assert_eq!(r.parts.iter().map(|x| x.denominator).sum::<i64>(), r.denominator);
            let r = evaluate(&spec(Calculator::SlaCompliance, Scope::Org, Grain::Month), p, &facts, None);
            prop_assert_eq!((r.numerator, r.denominator), (met, outcomes));
            let r = evaluate(&spec(Calculator::ReopenRate, Scope::Org, Grain::Month), p, &facts, None);
            prop_assert_eq!((r.numerator, r.denominator), (reopened, resolved));
            let e1 = Scope::Employee(EmployeeId::from_uuid(emp(1)));
            let r = evaluate(&spec(Calculator::Utilisation, e1, Grain::Month), p, &facts, None);
            prop_assert_eq!(r.denominator, capacity / 5);
            prop_assert_eq!(r.parts.iter().map(|x| x.denominator).sum::<i64>(), r.denominator);
        }
    }
}

#[test]
fn an_explained_utilisation_names_its_facts() {
    let scripts = vec![
        Script::Capacity {
            employee: 0,
            week: 0,
            minutes: 2400,
            member_from_week: Some(2),
        },
        Script::Time {
            id: 1,
            employee: 0,
            day: 1,
            minutes: 240,
            billable: true,
            approved: true,
            adjust: 0,
        },
        Script::Time {
            id: 2,
            employee: 0,
            day: 15,
            minutes: 120,
            billable: true,
            approved: true,
            adjust: -30,
        },
    ];
    let facts = facts_in_batches(&log(&scripts, &[]), &[]);
    let jan = Period::containing(Grain::Month, monday(0));
    let org = evaluate(
        &spec(Calculator::Utilisation, Scope::Org, Grain::Month),
        jan,
        &facts,
        None,
    );
    // 2026-01-05..31: 20 weekdays × 480 minutes; 240 + 120 − 30 billable minutes.
    assert_eq!((org.numerator, org.denominator), (330, 20 * 480));
    assert_eq!(org.value.as_deref(), Some("3.4"));
    assert_eq!(org.parts.len(), 4, "{:#?}", org.parts);
    // The team counts from the member's first day (Monday 19 January): 10 weekdays, and
    // only the time booked from then.
    let team = Scope::Team(TeamId::from_uuid(team()));
    let t = evaluate(
        &spec(Calculator::Utilisation, team, Grain::Month),
        jan,
        &facts,
        None,
    );
    assert_eq!((t.numerator, t.denominator), (90, 10 * 480));
    // As of before the adjustment was recorded, the number is what it was then.
    let before = t0() + Duration::days(19);
    let then = evaluate(
        &spec(Calculator::Utilisation, Scope::Org, Grain::Month),
        jan,
        &facts,
        Some(before),
    );
    assert_eq!(then.numerator, 360);
}

fn team_b() -> Uuid {
    uuid(51)
}

/// `org_structure.published` of version `number`, in force from `effective` (a day, 00:00
/// UTC), recorded at `recorded`: employees 0–2, employee `moved` in team B, the others in
/// team A (`moved` = `None`: everyone in A).
fn org_version(
    number: u32,
    effective: NaiveDate,
    moved: Option<u8>,
    recorded: DateTime<Utc>,
    sequence: u64,
) -> RecordedEvent {
    let vid = uuid(8000 + u128::from(number));
    let memberships: Vec<serde_json::Value> = (0u8..3)
        .map(|k| {
            let t = if Some(k) == moved { team_b() } else { team() };
            json!({"membership_id": uuid(8100 + u128::from(number) * 10 + u128::from(k)),
                "team_id": t, "employee_id": emp(k), "role": "member"})
        })
        .collect();
    let event = NewEvent::new(
        EventMeta {
            event_id: uuid(8200 + u128::from(number)),
            occurred_at: recorded,
            actor: Actor::System,
            idempotency_key: None,
        },
        EventType::new("org_structure.published").unwrap(),
        1,
        ContextRef::new(ContextType::OrgStructure, vid),
        AggregateRef::new("org_structure", vid, 1).unwrap(),
        json!({"version_id": vid, "number": number,
            "effective_at": effective.and_hms_opt(0, 0, 0).unwrap().and_utc(),
            "note": "Reorganised",
            "snapshot": {
                "teams": [{"team_id": team(), "name": "Team A", "parent_id": null},
                          {"team_id": team_b(), "name": "Team B", "parent_id": null}],
                "memberships": memberships}}),
    )
    .unwrap();
    RecordedEvent {
        sequence,
        recorded_at: recorded,
        event,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Team scopes follow the org-structure version in force on each day: publishing a
    /// version that moves an employee to another team changes no result of a period before
    /// it takes effect (for either team), and from then on the new team counts the
    /// employee's facts (team B, whose only member is the moved employee, gives the same
    /// numbers as that employee's scope).
    #[test]
    fn moving_an_employee_between_teams_leaves_earlier_periods_alone(
        scripts in scripts(),
        moved in 0u8..3,
        move_week in 1u8..10,
    ) {
        let mut events = log(&scripts, &[]);
        let n = events.len() as u64;
        // Version 1 before everything (in force from the first Monday), version 2 recorded
        // after everything.
        let v1 = org_version(1, monday(0), None, t0() - Duration::days(1), 0);
        events.insert(0, v1);
        let before = facts_in_batches(&events, &[]);
        let late = t0() + Duration::days(200);
        events.push(org_version(2, monday(move_week), Some(moved), late, n + 1));
        let after = facts_in_batches(&events, &[]);
        let a = Scope::Team(TeamId::from_uuid(team()));
        let b = Scope::Team(TeamId::from_uuid(team_b()));
        let e = Scope::Employee(EmployeeId::from_uuid(emp(moved)));
        for c in [Calculator::Utilisation, Calculator::BillableRatio, Calculator::FirstResponseTime] {
            for grain in [Grain::Week, Grain::Month] {
                for p in periods(grain) {
                    let old_a = evaluate(&spec(c, a, grain), p, &before, None);
                    let new_a = evaluate(&spec(c, a, grain), p, &after, None);
                    let new_b = evaluate(&spec(c, b, grain), p, &after, None);
                    if p.last_day() < monday(move_week) {
                        prop_assert_eq!(&old_a, &new_a);
                        prop_assert!(new_b.parts.is_empty(), "{:?}", new_b);
                        // As of before version 2 was recorded, nothing changed either.
                        let asof = evaluate(&spec(c, a, grain), p, &after, Some(late - Duration::minutes(1)));
                        prop_assert_eq!(&old_a, &asof);
                    } else if p.start >= monday(move_week) {
                        let by_emp = evaluate(&spec(c, e, grain), p, &after, None);
                        prop_assert_eq!((new_b.numerator, new_b.denominator), (by_emp.numerator, by_emp.denominator));
                    }
                }
            }
        }
    }
}

/// A sold-vs-delivered fact drawn at random: its kind (0 sold, 1 billable, 2 non-billable,
/// 3 another kind), project (`None` for 4), customer (`None` for 2), day and minutes.
fn svd_fact(n: usize, (kind, project, customer, day, value): (u8, u8, u8, u8, i64)) -> Fact {
    use pet_core::kpi::{FactKind, Subject};
    let kind = match kind {
        0 => FactKind::Sold,
        1 => FactKind::TimeBillable,
        2 => FactKind::TimeNonBillable,
        _ => FactKind::SlaMet,
    };
    let project = (project < 4).then(|| uuid(400 + u128::from(project)));
    Fact {
        event_id: uuid(600_000 + n as u128),
        sequence: n as u64 + 1,
        event_type: "test.fact".into(),
        recorded_at: t0() + Duration::minutes(n as i64),
        kind,
        on: monday(0) + Days::new(u64::from(day)),
        subject: Subject {
            kind: ContextType::Project,
            id: project.unwrap_or_else(|| uuid(499)),
        },
        employee: Some(emp(0)),
        // A project's customer is fixed (project k belongs to customer k % 2).
        customer: match (customer, project) {
            (2, _) => None,
            (_, Some(_)) => Some(customer_id_of(project)),
            (c, None) => Some(self::customer(c)),
        },
        project,
        team: None,
        until: None,
        value,
    }
}

fn customer_id_of(project: Option<Uuid>) -> Uuid {
    let k = project.map_or(0, |p| p.as_u128() % 2) as u8;
    customer(k)
}

fn svd_specs() -> Vec<KpiSpec> {
    let mut out = Vec::new();
    for scope in [
        Scope::Org,
        Scope::Customer(pet_core::identity::CustomerId::from_uuid(customer(1))),
        Scope::Project(pet_core::delivery::ProjectId::from_uuid(uuid(401))),
    ] {
        for grain in [Grain::Week, Grain::Month, Grain::Quarter] {
            out.push(spec(Calculator::SoldVsDelivered, scope, grain));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The KPI job's incremental path for cumulative calculators: facts arrive in batches
    /// (in any order of days); after each batch the periods from the earliest one a new
    /// fact falls in are recomputed from the running state stored with the period before
    /// (round-tripped through JSON, as the store keeps it) and that period's facts only.
    /// Every stored number then equals `evaluate` from scratch over all the facts, for any
    /// split.
    #[test]
    fn incremental_running_totals_equal_a_from_scratch_evaluation(
        drawn in proptest::collection::vec((0u8..4, 0u8..5, 0u8..3, 0u8..120, -60i64..600), 0..60),
        cuts in proptest::collection::vec(any::<usize>(), 0..5),
    ) {
        use pet_core::kpi::{Running, Summary};
        let facts: Vec<Fact> = drawn.into_iter().enumerate().map(|(n, d)| svd_fact(n, d)).collect();
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (facts.len() + 1)).collect();
        bounds.extend([0, facts.len()]);
        bounds.sort_unstable();
        bounds.dedup();
        for s in svd_specs() {
            prop_assert!(Running::supports(&s));
            let all = Period::range(s.grain, monday(0), monday(0) + Days::new(130));
            // The store: per period, its numbers and the running state through its end.
            let mut stored: BTreeMap<Period, (Summary, String)> = BTreeMap::new();
            let mut known: Vec<Fact> = Vec::new();
            for w in bounds.windows(2) {
                let batch = &facts[w[0]..w[1]];
                known.extend_from_slice(batch);
                let Some(first) = batch.iter().map(|f| Period::containing(s.grain, f.on)).min() else {
                    continue;
                };
                let mut state: Running = stored
                    .get(&first.previous())
                    .map(|(_, json)| serde_json::from_str(json).unwrap())
                    .unwrap_or_default();
                // Only the facts from the first recomputed period on are read (a state
                // from the period before), or all of them (no state yet).
                let read: Vec<Fact> = known
                    .iter()
                    .filter(|f| state.through.is_none() || f.on >= first.start)
                    .cloned()
                    .collect();
                for p in all.iter().filter(|p| **p >= first) {
                    state.advance(&s, p.last_day(), &read);
                    stored.insert(*p, (state.summary(&s), serde_json::to_string(&state).unwrap()));
                }
            }
            for p in &all {
                let scratch = evaluate(&s, *p, &facts, None).summary();
                let got = stored.get(p).map(|(sum, _)| *sum);
                if let Some(got) = got {
                    prop_assert_eq!(got, scratch, "{:?} {:?}", s, p);
                } else {
                    // Never computed: nothing counted up to it.
                    prop_assert_eq!(scratch.part_count, 0, "{:?} {:?}", s, p);
                }
            }
        }
    }
}

/// One event of employee 0's aggregate `agg` (version `v`), recorded at `at`.
fn employee_event(
    sequence: u64,
    ty: &str,
    agg: &str,
    v: u64,
    payload: serde_json::Value,
    at: DateTime<Utc>,
) -> RecordedEvent {
    let e = emp(0);
    let event = NewEvent::new(
        EventMeta {
            event_id: uuid(9_000 + u128::from(sequence)),
            occurred_at: at,
            actor: Actor::System,
            idempotency_key: None,
        },
        EventType::new(ty).unwrap(),
        1,
        ContextRef::new(ContextType::Employee, e),
        AggregateRef::new(agg, e, v).unwrap(),
        payload,
    )
    .unwrap();
    RecordedEvent {
        sequence,
        recorded_at: at,
        event,
    }
}

/// The bug of the default capacity: an employee created on Wednesday 7 January whose
/// capacity (20 h) is then set from Monday 5 January — the Monday of the week they
/// joined — counts 20 h for the whole month, not the default 40 h from the day they were
/// created (the capacity set wins over the default whichever was recorded first or takes
/// effect later). Leaving gives 0 from the next day; coming back restores the 20 h.
#[test]
fn a_capacity_set_beats_the_default_of_a_new_employee() {
    let e = emp(0);
    let at = |day: u32, hour: u32| Utc.with_ymd_and_hms(2026, 1, day, hour, 0, 0).unwrap();
    let created = employee_event(
        1,
        "employee.created",
        "employee",
        1,
        json!({"employee_id": e, "name": "Ana", "email": "ana@example.com",
            "wp_user_id": null, "cost_rate": null, "bill_rate": null}),
        at(7, 9),
    );
    let set = employee_event(
        2,
        "resource.capacity_set",
        "employee_capacity",
        1,
        json!({"employee_id": e, "effective_from": "2026-01-05", "minutes_per_week": 1200}),
        at(7, 10),
    );
    let jan = Period::containing(Grain::Month, monday(0));
    let scope = Scope::Employee(EmployeeId::from_uuid(e));
    let util = spec(Calculator::Utilisation, scope, Grain::Month);
    // Either order in the log: the capacity set counts on every weekday from 5 January
    // (20 weekdays × 240 minutes), one part.
    for events in [
        vec![created.clone(), set.clone()],
        vec![set.clone(), created.clone()],
    ] {
        let facts = facts_in_batches(&events, &[1]);
        let r = evaluate(&util, jan, &facts, None);
        assert_eq!(r.denominator, 20 * 240, "{:#?}", r.parts);
        assert_eq!(r.parts.len(), 1);
        assert_eq!(r.parts[0].event_type, "resource.capacity_set");
        assert_eq!(r.parts[0].days, Some(20));
    }
    // A capacity set from a later Monday: the default 40 h from the first day until then
    // (Wednesday to Friday: 3 × 480), the set capacity after (15 × 240).
    let later = employee_event(
        2,
        "resource.capacity_set",
        "employee_capacity",
        1,
        json!({"employee_id": e, "effective_from": "2026-01-12", "minutes_per_week": 1200}),
        at(7, 10),
    );
    let facts = facts_in_batches(&[created.clone(), later], &[]);
    let r = evaluate(&util, jan, &facts, None);
    assert_eq!(r.denominator, 3 * 480 + 15 * 240);
    // Deactivated on Wednesday 21 January (0 from the 22nd), reactivated on Wednesday 28th:
    // 13 weekdays, then 28–30 January with the 20 h set again.
    let gone = employee_event(
        3,
        "employee.deactivated",
        "employee",
        2,
        json!({"employee_id": e}),
        at(21, 12),
    );
    let back = employee_event(
        4,
        "employee.reactivated",
        "employee",
        3,
        json!({"employee_id": e}),
        at(28, 8),
    );
    let facts = facts_in_batches(&[created, set, gone, back], &[2]);
    let r = evaluate(&util, jan, &facts, None);
    assert_eq!(r.denominator, 13 * 240 + 3 * 240, "{:#?}", r.parts);
    assert_eq!(
        r.parts.iter().map(|p| p.denominator).sum::<i64>(),
        r.denominator
    );
}

/// A fixed small log for the snapshots: events appended in order, each aggregate's
/// version counted.
#[derive(Default)]
struct FixedLog {
    events: Vec<RecordedEvent>,
    versions: BTreeMap<Uuid, u64>,
}

impl FixedLog {
    fn push(
        &mut self,
        ty: &str,
        ctx: (ContextType, Uuid),
        agg: (&str, Uuid),
        at: DateTime<Utc>,
        payload: serde_json::Value,
    ) {
        let sequence = self.events.len() as u64 + 1;
        let v = self.versions.entry(agg.1).or_default();
        *v += 1;
        let event = NewEvent::new(
            EventMeta {
                event_id: uuid(20_000 + u128::from(sequence)),
                occurred_at: at,
                actor: Actor::System,
                idempotency_key: None,
            },
            EventType::new(ty).unwrap(),
            if ty == "ticket.created" { 2 } else { 1 },
            ContextRef::new(ctx.0, ctx.1),
            AggregateRef::new(agg.0, agg.1, *v).unwrap(),
            payload,
        )
        .unwrap();
        self.events.push(RecordedEvent {
            sequence,
            recorded_at: at,
            event,
        });
    }
}

/// January 2026 in a small firm: one employee (40 h from Monday 5 January), a project sold
/// with 10 hours, time approved on it and off it (billable and not, one adjustment), two
/// leads (one qualified), two quotes (one sent and accepted, one rejected), two tickets
/// (one answered in time and reopened, one breaching its SLA).
fn fixed_log() -> Vec<RecordedEvent> {
    use ContextType as C;
    let at = |day: u32, h: u32, m: u32| Utc.with_ymd_and_hms(2026, 1, day, h, m, 0).unwrap();
    let (e, c) = (emp(0), customer(0));
    let project = uuid(300);
    let mut log = FixedLog::default();
    log.push(
        "resource.capacity_set",
        (C::Employee, e),
        ("employee_capacity", e),
        at(2, 9, 0),
        json!({"employee_id": e, "effective_from": "2026-01-05", "minutes_per_week": 2400}),
    );
    log.push(
        "project.created",
        (C::Project, project),
        ("project", project),
        at(5, 9, 0),
        json!({"project_id": project, "name": "Website", "customer_id": c, "sale_id": null,
            "quote_id": null, "labour": [{"role": "Developer", "minutes": 600}],
            "budget": null, "recurring": []}),
    );
    let time =
        |log: &mut FixedLog, n: u128, day: u32, minutes: i64, billable: bool, on_project: bool| {
            let entry = uuid(310 + n);
            let (target, pid) = if on_project {
                (
                    json!({"kind": "project", "project_id": project, "task_id": null}),
                    json!(project),
                )
            } else {
                (
                    json!({"kind": "ticket", "ticket_id": uuid(77)}),
                    json!(null),
                )
            };
            let date = format!("2026-01-{day:02}");
            log.push(
                "time_entry.drafted",
                (C::TimeEntry, entry),
                ("time_entry", entry),
                at(day, 17, 0),
                json!({"entry_id": entry, "employee_id": e, "target": target, "project_id": pid,
                "role": "Developer", "work_date": date, "minutes": minutes, "billable": billable,
                "note": ""}),
            );
            log.push(
                "time_entry.approved",
                (C::TimeEntry, entry),
                ("time_entry", entry),
                at(day, 18, 0),
                json!({"entry_id": entry, "employee_id": e, "project_id": pid, "role": "Developer",
                "work_date": date, "minutes": minutes}),
            );
            entry
        };
    let first = time(&mut log, 1, 6, 240, true, true);
    time(&mut log, 2, 7, 120, false, false);
    time(&mut log, 3, 13, 300, true, true);
    log.push(
        "time_entry.adjusted",
        (C::TimeEntry, first),
        ("time_entry", first),
        at(14, 9, 0),
        json!({"entry_id": first, "employee_id": e, "adjustment_id": uuid(320),
            "project_id": project, "role": "Developer", "minutes": -30, "work_date": "2026-01-06",
            "reason": "Corrected", "adjusted_by": e, "entry_approved": true}),
    );
    for (n, qualified) in [(1u128, true), (2, false)] {
        let lead = uuid(330 + n);
        log.push(
            "lead.created",
            (C::Lead, lead),
            ("lead", lead),
            at(8, 8, n as u32),
            json!({"custom_values": {}, "customer": {"customer_id": c, "kind": "existing"},
                "lead_id": lead, "owner_id": e,
                "schema": {"number": 1, "schema_id": uuid(339)}, "source": "referral"}),
        );
        if qualified {
            log.push(
                "lead.qualified",
                (C::Lead, lead),
                ("lead", lead),
                at(9, 10, 0),
                json!({"lead_id": lead, "qualification": {"authority": "CTO signs",
                    "budget": {"amount_minor": 1_500_000, "currency": "EUR"},
                    "need": "Website relaunch", "notes": "", "timeline": "Live by June"}}),
            );
        } else {
            log.push(
                "lead.disqualified",
                (C::Lead, lead),
                ("lead", lead),
                at(9, 11, 0),
                json!({"lead_id": lead, "reason": "No budget this year"}),
            );
        }
    }
    for (n, won) in [(1u128, true), (2, false)] {
        let quote = uuid(340 + n);
        log.push(
            "quote.created",
            (C::Quote, quote),
            ("quote", quote),
            at(12, 9, 0),
            json!({"currency": "EUR", "customer_id": c, "opportunity_id": uuid(349),
                "quote_id": quote, "quote_number": 10 + n, "title": "Website relaunch"}),
        );
        if won {
            log.push(
                "quote.sent",
                (C::Quote, quote),
                ("quote", quote),
                at(12, 15, 30),
                json!({"customer_id": c, "number": 1, "quote_id": quote, "quote_number": 10 + n,
                    "sent": {"content_hash": "9b75f7c3913c81814b185a59f683c51a693567e6bb498bd88756960ebd9531c6",
                        "totals": {
                            "discount": {"amount_minor": 0, "currency": "EUR"},
                            "optional_total": {"amount_minor": 0, "currency": "EUR"},
                            "subtotal": {"amount_minor": 100_000, "currency": "EUR"},
                            "tax": {"amount_minor": 0, "currency": "EUR"},
                            "total": {"amount_minor": 100_000, "currency": "EUR"}},
                        "valid_until": "2026-01-31"}}),
            );
            log.push(
                "quote.accepted",
                (C::Quote, quote),
                ("quote", quote),
                at(15, 11, 0),
                json!({"content_hash": "9b75f7c3913c81814b185a59f683c51a693567e6bb498bd88756960ebd9531c6",
                    "number": 1, "optional_groups": [], "quote_id": quote, "quote_number": 10 + n,
                    "sale_id": uuid(348), "signed_by": "Jane Doe"}),
            );
        } else {
            log.push(
                "quote.rejected",
                (C::Quote, quote),
                ("quote", quote),
                at(16, 11, 0),
                json!({"number": 1, "quote_id": quote, "quote_number": 10 + n,
                    "reason": "Too expensive"}),
            );
        }
    }
    for (n, met) in [(1u128, true), (2, false)] {
        let t = uuid(350 + n);
        let start = at(19 + n as u32, 9, 0);
        let ticket = |log: &mut FixedLog, ty: &str, after: i64, payload| {
            let agg = if ty.starts_with("sla.") {
                "sla_assignment"
            } else {
                "ticket"
            };
            log.push(
                ty,
                (C::Ticket, t),
                (agg, t),
                start + Duration::minutes(after),
                payload,
            );
        };
        ticket(
            &mut log,
            "ticket.created",
            0,
            json!({"assignee_id": null, "channel": "email", "customer_id": c,
                "priority": "normal", "project_id": project, "subject": "Printer on fire",
                "ticket_id": t, "ticket_number": null}),
        );
        if met {
            ticket(
                &mut log,
                "ticket.replied",
                45,
                json!({"author": {"employee_id": e, "kind": "employee"}, "body": "On it.",
                    "reply_id": uuid(360 + n), "ticket_id": t, "visibility": "public"}),
            );
        }
        ticket(
            &mut log,
            if met { "sla.met" } else { "sla.breached" },
            if met { 45 } else { 61 },
            json!({"definition_id": uuid(200), "definition_version": 1,
                "elapsed_minutes": if met { 45 } else { 61 }, "reached_at": null,
                "target": "first_response", "target_minutes": 60, "ticket_id": t}),
        );
        ticket(
            &mut log,
            "ticket.resolved",
            300,
            json!({"from": "open", "resolved_at": start + Duration::minutes(300), "ticket_id": t}),
        );
        if met {
            ticket(&mut log, "ticket.reopened", 600, json!({"ticket_id": t}));
        }
    }
    log.events
}

/// Every catalogue KPI for January over the fixed log, by the firm, with its explanation
/// (the parts), as snapshots; each result equals its parts' sums and the running totals'.
#[test]
fn the_catalogue_over_a_fixed_log() {
    let facts = facts_in_batches(&fixed_log(), &[5, 11]);
    let jan = Period::containing(Grain::Month, monday(0));
    insta::assert_json_snapshot!("kpi_facts", facts);
    for c in Calculator::ALL {
        let s = spec(c, Scope::Org, Grain::Month);
        let r = evaluate(&s, jan, &facts, None);
        assert_eq!(
            r.parts.iter().map(|p| p.numerator).sum::<i64>(),
            r.numerator
        );
        assert_eq!(
            r.parts.iter().map(|p| p.denominator).sum::<i64>(),
            r.denominator
        );
        if pet_core::kpi::Running::supports(&s) {
            let mut state = pet_core::kpi::Running::default();
            state.advance(&s, jan.last_day(), &facts);
            assert_eq!(state.summary(&s), r.summary());
        }
        insta::assert_json_snapshot!(format!("kpi_{}", c.as_str()), r);
    }
}
