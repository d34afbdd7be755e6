//! Criterion bench of issue 9, "commands cost the same on a busy aggregate" (needs
//! `PET_TEST_DATABASE_URL`; skipped without): one command on a fresh aggregate against the
//! same command on one with `PET_BENCH_EVENTS` events (default 10,000), made through the
//! real commands, for employees (`changeEmployeeRate`, the busy one's 10,000 rate changes
//! all on one day, so its state stays one rate), leads (`updateLead`, 10,000 updates) and
//! customers (`addContact`: a customer's only repeatable event, so the busy one holds
//! 10,000 contacts; its state keeps their count, its view the first 20) and opportunities
//! (`createQuote`: the busy one has 10,000 quotes; its state keeps their count).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

/// The extension's allocator (pet-php/src/lib.rs), so the bench measures what runs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::cell::Cell;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use pet_storage_mysql::{App, CommandContext};
use serde_json::{json, Value};
use tokio::runtime::Runtime;
use uuid::Uuid;

fn setup(rt: &Runtime) -> Option<(App, CommandContext)> {
    let cfg = common::bench_config("busy-aggregate")?;
    let app = App::new(cfg).unwrap();
    rt.block_on(app.migrate()).unwrap();
    let ana = rt
        .block_on(app.identity().create_employee(
            &json!({"name": "Ana", "email": "ana@example.com"}),
            &CommandContext::system(),
        ))
        .unwrap();
    let ctx = CommandContext::employee(id(&ana).parse().unwrap());
    Some((app, ctx))
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// How many events the busy aggregate has before the measurement.
fn events() -> u64 {
    std::env::var("PET_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// Times `command` on a fresh aggregate (`create` makes one per iteration) and on one made
/// busy by `events()` - 1 runs of `command` first (only when that bench is selected, so
/// `cargo bench --bench busy -- update_lead` makes only the busy lead).
fn fresh_vs_busy(
    c: &mut Criterion,
    group: &str,
    create: &dyn Fn() -> String,
    command: &dyn Fn(&str),
) {
    let mut g = c.benchmark_group(group);
    g.sample_size(50).measurement_time(Duration::from_secs(8));
    g.bench_function("fresh", |b| {
        b.iter_batched(create, |agg| command(&agg), BatchSize::PerIteration)
    });
    let busy = std::cell::OnceCell::new();
    g.bench_function(format!("{}_events", events()), |b| {
        let busy = busy.get_or_init(|| {
            let agg = create();
            let started = std::time::Instant::now();
            for _ in 1..events() {
                command(&agg);
            }
            eprintln!(
                "{group}: {agg} has {} events, made in {:.1} s",
                events(),
                started.elapsed().as_secs_f64()
            );
            agg
        });
        b.iter(|| command(busy))
    });
    g.finish();
    // The same comparison interleaved (a fresh aggregate, then the busy one, 200 times),
    // so a change in the machine's load between the two criterion runs above cannot make
    // the difference: medians and their ratio.
    if let Some(busy) = busy.get() {
        let (mut fresh_t, mut busy_t) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            let agg = create();
            let t = std::time::Instant::now();
            command(&agg);
            fresh_t.push(t.elapsed());
            let t = std::time::Instant::now();
            command(busy);
            busy_t.push(t.elapsed());
        }
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2].as_secs_f64() * 1000.0
        };
        let (f, b) = (median(&mut fresh_t), median(&mut busy_t));
        eprintln!(
            "{group} interleaved: fresh {f:.2} ms, {} events {b:.2} ms (median of 200): {:.2}x",
            events(),
            b / f
        );
    }
}

fn busy_aggregates(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let Some((app, ctx)) = setup(&rt) else { return };
    let n = Cell::new(0u64);
    let next = || {
        n.set(n.get() + 1);
        n.get()
    };

    // Employees: a rate change (on one day, alternating amounts: the state stays one rate).
    fresh_vs_busy(
        c,
        "change_employee_rate",
        &|| {
            let e = rt
                .block_on(app.identity().create_employee(
                    &json!({"name": "Bench", "email": format!("b{}@example.com", Uuid::new_v4().simple())}),
                    &ctx,
                ))
                .unwrap();
            id(&e)
        },
        &|e| {
            let rate = json!({"kind": "cost", "amount_minor": 1000 + next() % 1000,
                              "currency": "EUR", "effective_from": "2026-01-01"});
            rt.block_on(app.identity().change_employee_rate(e, &rate, &ctx))
                .unwrap();
        },
    );

    // Leads: an update of the source.
    fresh_vs_busy(
        c,
        "update_lead",
        &|| {
            let l = rt
                .block_on(app.commercial().create_lead(
                    &json!({"customer_name": "Bench Ltd", "source": "bench"}),
                    &ctx,
                ))
                .unwrap();
            id(&l)
        },
        &|l| {
            let change = json!({"source": format!("bench {}", next())});
            rt.block_on(app.commercial().update_lead(l, &change, &ctx))
                .unwrap();
        },
    );

    // Customers: a new contact (the busy customer's events are its contacts).
    fresh_vs_busy(
        c,
        "add_contact",
        &|| {
            let cu = rt
                .block_on(
                    app.identity()
                        .create_customer(&json!({"name": "Bench Ltd"}), &ctx),
                )
                .unwrap();
            id(&cu)
        },
        &|cu| {
            let contact = json!({"name": format!("Contact {}", next())});
            rt.block_on(app.identity().add_contact(cu, &contact, &ctx))
                .unwrap();
        },
    );

    // Opportunities: a new quote (the busy opportunity's events are its quotes).
    fresh_vs_busy(
        c,
        "create_quote",
        &|| {
            let c = app.commercial();
            let l = id(&rt
                .block_on(c.create_lead(
                    &json!({"customer_name": "Bench Co", "source": "bench"}),
                    &ctx,
                ))
                .unwrap());
            rt.block_on(c.contact_lead(&l, &json!({}), &ctx)).unwrap();
            rt.block_on(c.qualify_lead(&l, &json!({"need": "Bench"}), &ctx))
                .unwrap();
            id(&rt
                .block_on(c.create_opportunity(
                    &json!({"lead_id": l, "title": "Bench deal", "expected_close": "2030-01-01",
                            "expected_value": {"amount_minor": 100_000, "currency": "EUR"}}),
                    &ctx,
                ))
                .unwrap())
        },
        &|opp| {
            let q = json!({"opportunity_id": opp, "title": format!("Option {}", next())});
            rt.block_on(app.commercial().create_quote(&q, &ctx))
                .unwrap();
        },
    );

    rt.block_on(common::finish(&app));
}

criterion_group!(benches, busy_aggregates);
criterion_main!(benches);
