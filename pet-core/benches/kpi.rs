//! Benchmark: KPI facts and calculators in pet-core (no database). 1,000,000 events —
//! 50 employees' time entries (drafted and approved, 500,000 entries), and tickets with a
//! first response, an SLA outcome and a resolution — are extracted into facts from scratch,
//! then all nine catalogue calculators are evaluated for every month of the year for the
//! org and every employee/customer scope they support. The target for the whole
//! pipeline from scratch (with storage) is ≤ 30 s; this measures the pure part.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_arguments,
    missing_docs
)]

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use pet_core::event::{
    AggregateRef, ContextRef, ContextType, EventMeta, EventType, NewEvent, RecordedEvent,
};
use pet_core::identity::{CustomerId, EmployeeId};
use pet_core::kpi::{
    evaluate, extract, Calculator, Fact, Grain, KpiParams, KpiSpec, Memos, Period, Scope,
};
use pet_core::Actor;
use serde_json::json;
use uuid::Uuid;

fn id(kind: u128, n: u128) -> Uuid {
    Uuid::from_u128((kind << 64) | n)
}

fn push(
    out: &mut Vec<RecordedEvent>,
    t0: chrono::DateTime<Utc>,
    ty: &str,
    v: u32,
    ctx: ContextType,
    agg: (&str, Uuid, u64),
    payload: serde_json::Value,
    minute: i64,
) {
    let seq = out.len() as u64 + 1;
    let at = t0 + Duration::minutes(minute);
    out.push(RecordedEvent {
        sequence: seq,
        recorded_at: at,
        event: NewEvent::new(
            EventMeta {
                event_id: id(9, u128::from(seq)),
                occurred_at: at,
                actor: Actor::System,
                idempotency_key: None,
            },
            EventType::new(ty).unwrap(),
            v,
            ContextRef::new(ctx, agg.1),
            AggregateRef::new(agg.0, agg.1, agg.2).unwrap(),
            payload,
        )
        .unwrap(),
    });
}

fn events(n: usize) -> Vec<RecordedEvent> {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut out = Vec::with_capacity(n);
    let mut i: u128 = 0;
    while out.len() + 4 <= n {
        let minute = (i as i64 * 7) % (365 * 24 * 60);
        let day = day0 + Duration::days(minute / (24 * 60));
        if i % 5 == 4 {
            let t = id(3, i);
            let c = id(2, i % 40);
            push(
                &mut out,
                t0,
                "ticket.created",
                2,
                ContextType::Ticket,
                ("ticket", t, 1),
                json!({"assignee_id": null, "channel": "email", "customer_id": c,
                "priority": "normal", "project_id": null, "subject": "Printer on fire", "ticket_id": t, "ticket_number": null}),
                minute,
            );
            push(
                &mut out,
                t0,
                "ticket.replied",
                1,
                ContextType::Ticket,
                ("ticket", t, 2),
                json!({"author": {"employee_id": id(1, i % 50), "kind": "employee"},
                "body": "On it.", "reply_id": id(4, i), "ticket_id": t, "visibility": "public"}),
                minute + 30,
            );
            push(
                &mut out,
                t0,
                if i % 3 == 0 {
                    "sla.breached"
                } else {
                    "sla.met"
                },
                1,
                ContextType::Ticket,
                ("sla_assignment", t, 1),
                json!({"definition_id": id(5, 1),
                "definition_version": 1, "elapsed_minutes": 30, "reached_at": null, "target": "first_response", "target_minutes": 60, "ticket_id": t}),
                minute + 31,
            );
            push(
                &mut out,
                t0,
                "ticket.resolved",
                1,
                ContextType::Ticket,
                ("ticket", t, 3),
                json!({"from": "open", "resolved_at": t0 + Duration::minutes(minute + 90), "ticket_id": t}),
                minute + 90,
            );
        } else {
            let e = id(6, i);
            let emp = id(1, i % 50);
            push(
                &mut out,
                t0,
                "time_entry.drafted",
                1,
                ContextType::TimeEntry,
                ("time_entry", e, 1),
                json!({"entry_id": e, "employee_id": emp,
                "target": {"kind": "ticket", "ticket_id": id(3, 0)}, "project_id": null, "role": null, "work_date": day,
                "minutes": 60 + (i % 7) as i64 * 15, "billable": i % 4 != 0, "note": ""}),
                minute,
            );
            push(
                &mut out,
                t0,
                "time_entry.approved",
                1,
                ContextType::TimeEntry,
                ("time_entry", e, 2),
                json!({"entry_id": e, "employee_id": emp,
                "project_id": null, "role": null, "work_date": day, "minutes": 60 + (i % 7) as i64 * 15}),
                minute + 1,
            );
        }
        i += 1;
    }
    out
}

fn specs() -> Vec<KpiSpec> {
    let mut out = Vec::new();
    for calculator in Calculator::ALL {
        let mut scopes = vec![Scope::Org];
        scopes.extend((0..50).map(|k| Scope::Employee(EmployeeId::from_uuid(id(1, k)))));
        scopes.extend((0..40).map(|k| Scope::Customer(CustomerId::from_uuid(id(2, k)))));
        for scope in scopes {
            let s = KpiSpec {
                calculator,
                params: KpiParams::default(),
                scope,
                grain: Grain::Month,
            };
            if s.validate().is_ok() {
                out.push(s);
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("PET_KPI_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let evs = events(n);
    let t = Instant::now();
    let mut memos = Memos::new();
    let mut facts: Vec<Fact> = Vec::new();
    for e in &evs {
        facts.extend(extract(e, &mut memos).unwrap());
    }
    let extract_time = t.elapsed();
    let specs = specs();
    let months: Vec<Period> = Period::range(
        Grain::Month,
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    );
    // Per month, each spec over the facts storage would load for it: that month's facts (by
    // kind and day, and by employee or customer through their indexes), the capacities in
    // force, and for sold-vs-delivered everything up to the month's end.
    let t = Instant::now();
    let mut results = 0usize;
    for p in &months {
        let history: Vec<Fact> = facts
            .iter()
            .filter(|f| f.on <= p.last_day())
            .cloned()
            .collect();
        let month: Vec<Fact> = facts
            .iter()
            .filter(|f| {
                p.contains(f.on)
                    || (f.kind == pet_core::kpi::FactKind::Capacity && f.on <= p.last_day())
            })
            .cloned()
            .collect();
        let mut by: std::collections::HashMap<Uuid, Vec<Fact>> = std::collections::HashMap::new();
        for f in &month {
            for k in [f.employee, f.customer].into_iter().flatten() {
                by.entry(k).or_default().push(f.clone());
            }
        }
        let empty = Vec::new();
        for s in &specs {
            let input = match (s.calculator, s.scope) {
                (Calculator::SoldVsDelivered, _) => &history,
                (_, Scope::Employee(e)) => by.get(&e.as_uuid()).unwrap_or(&empty),
                (_, Scope::Customer(c)) => by.get(&c.as_uuid()).unwrap_or(&empty),
                _ => &month,
            };
            let _ = evaluate(s, *p, input, None);
            results += 1;
        }
    }
    let eval_time = t.elapsed();
    println!(
        "kpi: {} events → {} facts extracted in {:.2?}; {} results ({} specs × {} months) evaluated in {:.2?}",
        evs.len(), facts.len(), extract_time, results, specs.len(), months.len(), eval_time
    );
    let one_month: Vec<Fact> = facts
        .iter()
        .filter(|f| months[5].contains(f.on))
        .cloned()
        .collect();
    let org = KpiSpec {
        calculator: Calculator::BillableRatio,
        params: KpiParams::default(),
        scope: Scope::Org,
        grain: Grain::Month,
    };
    c.bench_function("kpi evaluate: org billable ratio, one month", |b| {
        b.iter(|| evaluate(&org, months[5], &one_month, None))
    });
    let batch: Vec<RecordedEvent> = evs.iter().take(1_000).cloned().collect();
    c.bench_function("kpi extract: 1,000 events", |b| {
        b.iter(|| {
            let mut m = Memos::new();
            batch
                .iter()
                .map(|e| extract(e, &mut m).unwrap().len())
                .sum::<usize>()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
