//! Criterion benches of the storage path (need `PET_TEST_DATABASE_URL`; skipped without):
//! (a) one command through the full path vs a raw INSERT of the same rows, (b) batched
//! appends, (c) projection catch-up over `PET_BENCH_EVENTS` events (default 1,000,000) vs
//! a raw scan plus a raw bulk insert of the same projection rows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    missing_docs
)]

mod common;

/// The extension's allocator (pet-php/src/lib.rs), so the bench measures what runs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mysql_async::prelude::*;
use mysql_async::{TxOpts, Value};
use pet_core::{Actor, AggregateRef, ContextRef, ContextType, EventMeta, EventType, NewEvent};
use pet_storage_mysql::{App, CommandContext};
use serde_json::json;
use uuid::Uuid;

fn setup(rt: &tokio::runtime::Runtime) -> Option<App> {
    let cfg = common::bench_config("storage")?;
    // `PET_BENCH_BATCH`: events per catch-up transaction (default: the App's).
    let mut parts = pet_storage_mysql::AppParts::default();
    if let Some(b) = std::env::var("PET_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        parts.projector_batch = b;
    }
    let app = App::with_parts(cfg, parts).unwrap();
    rt.block_on(app.migrate()).unwrap();
    Some(app)
}

/// Event ids for the raw path (its own copy of the table), assigned client-side.
static RAW_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn event(agg: Uuid, n: u64) -> NewEvent {
    NewEvent::new(
        EventMeta {
            event_id: Uuid::now_v7(),
            occurred_at: chrono::Utc::now(),
            actor: Actor::System,
            idempotency_key: None,
        },
        EventType::new("customer.created").unwrap(),
        1,
        ContextRef::new(ContextType::Customer, agg),
        AggregateRef::new("customer", agg, 1).unwrap(),
        json!({"customer_id": agg.to_string(), "name": format!("Customer {n}")}),
    )
    .unwrap()
}

/// Copies (same columns and indexes, `CREATE TABLE … LIKE`, which copies no triggers) of
/// the customers and events tables for the raw command path: its rows must not enter the
/// real log, where the projector would pick them up and the chain would not hold.
fn raw_tables(app: &App) -> [String; 2] {
    let p = &app.tables().prefix;
    ["customers", "events"].map(|t| format!("{p}pet_raw_cmd_{t}"))
}

async fn create_raw_tables(app: &App) {
    let t = app.tables();
    let mut conn = app.pool().get_conn().await.unwrap();
    let [c, e] = raw_tables(app);
    copy_tables(&mut conn, &[(&c, &t.customers), (&e, &t.events)]).await;
}

/// (Re)creates each `copy` as an empty table like `of` (same columns and indexes).
async fn copy_tables(conn: &mut mysql_async::Conn, pairs: &[(&str, &str)]) {
    for (copy, of) in pairs {
        conn.query_drop(format!("DROP TABLE IF EXISTS {copy}"))
            .await
            .unwrap();
        conn.query_drop(format!("CREATE TABLE {copy} LIKE {of}"))
            .await
            .unwrap();
    }
}

/// One raw command: the same state row and event row as `create_customer` in one
/// transaction (4 round trips: START, INSERT, INSERT, COMMIT) into copies of the tables.
async fn raw_command(app: &App) {
    let [customers, events] = raw_tables(app);
    let mut conn = app.pool().get_conn().await.unwrap();
    let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
    let id = Uuid::now_v7().to_string();
    let now = chrono::Utc::now().naive_utc();
    tx.exec_drop(format!("INSERT INTO {customers} (id, name, status, version, created_at, updated_at) VALUES (?, 'Acme', 'active', 1, ?, ?)"), (&id, now, now)).await.unwrap();
    let seq = RAW_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tx.exec_drop(
        format!("INSERT INTO {events} (id, event_id, event_type, schema_version, occurred_at, recorded_at, actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, aggregate_version, idempotency_key, payload, prev_hash, hash) VALUES (?, ?, 'customer.created', 1, ?, ?, NULL, 'customer', ?, 'customer', ?, 1, NULL, ?, '', '')"),
        (seq, Uuid::now_v7().to_string(), now, now, &id, &id, json!({"customer_id": id, "name": "Acme"}).to_string()),
    ).await.unwrap();
    tx.commit().await.unwrap();
}

/// The command comparison measured interleaved: `PET_BENCH_ROUNDS` rounds (default 20) of
/// 50 commands per variant, the variants' order alternating each round, so load from other
/// processes on a shared machine falls on both alike. Reports each variant's median round
/// (per command) and the command's ratio to the raw insert's median.
fn interleaved(rt: &tokio::runtime::Runtime, app: &App, ctx: &CommandContext) {
    const PER_ROUND: u32 = 50;
    let rounds: usize = std::env::var("PET_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let names = [
        "raw_insert_same_rows",
        "create_customer_full_path (state + event, one transaction)",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for round in 0..rounds {
        for k in 0..names.len() {
            let v = (k + round) % names.len();
            let t0 = Instant::now();
            rt.block_on(async {
                for _ in 0..PER_ROUND {
                    if v == 0 {
                        raw_command(app).await;
                    } else {
                        app.identity()
                            .create_customer(&json!({"name": "Acme"}), ctx)
                            .await
                            .unwrap();
                    }
                }
            });
            times[v].push(t0.elapsed().as_secs_f64() * 1e6 / f64::from(PER_ROUND));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let meds: Vec<f64> = times.iter_mut().map(median).collect();
    println!("command, interleaved ({rounds} rounds x {PER_ROUND} per variant, median round per command):");
    for (name, m) in names.iter().zip(&meds) {
        println!(
            "  {name}: {m:.0} us ({:.2}x raw_insert_same_rows)",
            m / meds[0]
        );
    }
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`; 0 elsewhere),
/// to tell the projector's own CPU from the time it waits for the database.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// The raw side of the catch-up comparison: scans the events in `batch`-sized pages and
/// bulk-inserts the same projection rows (the feed line as the renderer writes it for
/// these events, and the name rows of creation events) into copies of the feed tables,
/// one transaction per page. Returns (total, scan, insert) seconds.
async fn raw_catch_up(app: &App, conn: &mut mysql_async::Conn, batch: usize) -> (f64, f64, f64) {
    assert!(batch <= 8000);
    let t = app.tables();
    let raw_table = format!("{}pet_raw_feed", t.prefix);
    let raw_names = format!("{}pet_raw_names", t.prefix);
    copy_tables(
        conn,
        &[(&raw_table, &t.activity), (&raw_names, &t.activity_names)],
    )
    .await;
    let (mut scan, mut write) = (0f64, 0f64);
    let r0 = Instant::now();
    let mut after = 0u64;
    loop {
        let s0 = Instant::now();
        let rows: Vec<(u64, chrono::NaiveDateTime, String, String, Option<String>)> = conn
            .exec(format!("SELECT id, occurred_at, context_type, context_id, JSON_UNQUOTE(JSON_EXTRACT(payload, '$.name')) FROM {} WHERE id > ? ORDER BY id LIMIT ?", t.events), (after, batch as u64))
            .await
            .unwrap();
        scan += s0.elapsed().as_secs_f64();
        let Some(last) = rows.last().map(|r| r.0) else {
            break;
        };
        let w0 = Instant::now();
        let mut params: Vec<Value> = Vec::with_capacity(rows.len() * 3);
        let mut names: Vec<Value> = Vec::new();
        for (id, occ, ct, cid, name) in rows.iter().cloned() {
            let line = format!("Customer {} was created", name.clone().unwrap_or_default());
            if let Some(name) = name {
                names.extend([ct.into(), cid.into(), name.into()]);
            }
            params.extend([id.into(), occ.into(), line.into()]);
        }
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        // One statement per table (pages are at most 8000 rows: within 65,535 placeholders).
        tx.exec_drop(
            format!(
                "INSERT INTO {raw_table} (sequence, occurred_at, line) VALUES {}",
                vec!["(?,?,?)"; rows.len()].join(",")
            ),
            params,
        )
        .await
        .unwrap();
        if !names.is_empty() {
            tx.exec_drop(format!("INSERT INTO {raw_names} (entity_type, entity_id, name) VALUES {} ON DUPLICATE KEY UPDATE name = VALUES(name)", vec!["(?,?,?)"; names.len() / 3].join(",")), names).await.unwrap();
        }
        tx.commit().await.unwrap();
        write += w0.elapsed().as_secs_f64();
        after = last;
    }
    (r0.elapsed().as_secs_f64(), scan, write)
}

fn benches(c: &mut Criterion) {
    // The runtime the extension uses in PHP: one thread (see pet-php/src/runtime.rs).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(app) = setup(&rt) else { return };
    let actor = rt
        .block_on(app.identity().create_employee(
            &json!({"name": "Bench", "email": "bench@example.com"}),
            &CommandContext::system(),
        ))
        .unwrap();
    let ctx = CommandContext::employee(actor["id"].as_str().unwrap().parse().unwrap());
    rt.block_on(create_raw_tables(&app));

    // (a) full command path vs raw INSERT of the same rows (state row + event row, one tx).
    // The command's path is the production one: the activity feed is not written by
    // commands (it is projected in batches when read and by the job runner; see (c)).
    let mut g = c.benchmark_group("command");
    g.sample_size(30);
    g.bench_function("create_customer_full_path", |b| {
        b.iter(|| {
            rt.block_on(
                app.identity()
                    .create_customer(&json!({"name": "Acme"}), &ctx),
            )
            .unwrap()
        })
    });
    g.bench_function("raw_insert_same_rows", |b| {
        b.iter(|| rt.block_on(raw_command(&app)))
    });
    g.finish();
    interleaved(&rt, &app, &ctx);
    // Fresh tables for the append and catch-up benches.
    rt.block_on(common::drop_tables(&app));
    rt.block_on(app.migrate()).unwrap();

    // (b) batched appends.
    let mut g = c.benchmark_group("append");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("batch_1000_events", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut conn = app.pool().get_conn().await.unwrap();
                let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
                let evs: Vec<NewEvent> = (0..1000).map(|n| event(Uuid::now_v7(), n)).collect();
                app.store()
                    .append(&mut tx, &evs, chrono::Utc::now())
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            })
        })
    });
    g.finish();

    // (c) projection catch-up over N events vs raw scan + raw bulk insert (single runs).
    let n: u64 = std::env::var("PET_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    rt.block_on(async {
        common::drop_tables(&app).await;
        app.migrate().await.unwrap();
        let mut conn = app.pool().get_conn().await.unwrap();
        let seed = Instant::now();
        let mut done = 0;
        while done < n {
            let k = (n - done).min(2000);
            let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
            let evs: Vec<NewEvent> = (0..k).map(|i| event(Uuid::now_v7(), done + i)).collect();
            app.store().append(&mut tx, &evs, chrono::Utc::now()).await.unwrap();
            tx.commit().await.unwrap();
            done += k;
        }
        let seed_s = seed.elapsed().as_secs_f64();
        println!("seeded {n} events in {seed_s:.2}s ({:.0} events/s, batches of 2000)", n as f64 / seed_s);
        // Raw before and after the projector, so neither side alone gets the colder or
        // the warmer buffer pool; the ratio is against their mean.
        let batch = app.projector().batch();
        let raw1 = raw_catch_up(&app, &mut conn, batch).await;
        let (p0, c0) = (Instant::now(), process_cpu_seconds());
        let r = app.projector().catch_up(app.pool(), chrono::Utc::now()).await.unwrap();
        let proj = p0.elapsed().as_secs_f64();
        let proj_cpu = process_cpu_seconds() - c0;
        assert_eq!(r.applied, n);
        let raw2 = raw_catch_up(&app, &mut conn, batch).await;
        let raw = (raw1.0 + raw2.0) / 2.0;
        for (when, (tot, scan, write)) in [("before", raw1), ("after", raw2)] {
            println!("raw scan + bulk insert of {n} events ({when}, pages of {batch}): {tot:.2}s ({:.0} events/s; scan {scan:.2}s, insert {write:.2}s)", n as f64 / tot);
        }
        println!(
            "projection catch-up of {n} events: {proj:.2}s ({:.0} events/s, this process's CPU {proj_cpu:.2}s); raw scan + bulk insert (mean): {raw:.2}s; ratio {:.2}x",
            n as f64 / proj,
            proj / raw.max(1e-9)
        );
        drop(conn);
        common::finish(&app).await;
    });
    let _ = Duration::ZERO;
}

criterion_group!(storage, benches);
criterion_main!(storage);
