//! Bench of the chain verification (issue 13): seeds `PET_BENCH_EVENTS` events (default
//! 1,000,000) through the event store, then times a full verification of the whole log
//! (`App::verify_chain`, mode `full`: every row read in keyset batches and re-hashed, the
//! head and checkpoint checked, the outcome recorded) `PET_BENCH_ROUNDS` times (default 3),
//! and an incremental run with nothing new; for reference, a raw scan of the same rows
//! (the same keyset batches, every column decoded, nothing hashed), which shows what the
//! database and the driver cost on the machine at that moment. `PET_BENCH_PREFIX=b…_`
//! reuses the tables of an earlier run kept with `PET_BENCH_KEEP=1` (no seeding). Needs
//! `PET_TEST_DATABASE_URL`; skipped without.
//! Target: 1,000,000 events verified in ≤ 10 s.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use mysql_async::prelude::*;
use mysql_async::TxOpts;
use pet_core::{Actor, AggregateRef, ContextRef, ContextType, EventMeta, EventType, NewEvent};
use pet_storage_mysql::App;
use serde_json::json;
use uuid::Uuid;

fn event(n: u64) -> NewEvent {
    let agg = Uuid::now_v7();
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

/// Reads every event row in the verification's keyset batches, decoding each column,
/// without hashing: the reference cost of reading the log.
async fn raw_scan(app: &App) -> u64 {
    let mut conn = app.pool().get_conn().await.unwrap();
    let (mut after, mut rows) = (0u64, 0u64);
    loop {
        let batch: Vec<mysql_async::Row> = conn
            .exec(
                format!(
                    "SELECT id, event_id, event_type, schema_version, occurred_at, recorded_at, \
                     actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, \
                     aggregate_version, idempotency_key, payload, prev_hash, hash FROM {} \
                     WHERE id > ? ORDER BY id LIMIT 10000",
                    app.tables().events
                ),
                (after,),
            )
            .await
            .unwrap();
        let n = batch.len();
        for mut r in batch {
            after = r.take(0).unwrap();
            for i in [1, 2, 7, 8, 9, 10, 13, 14, 15] {
                let s: String = r.take(i).unwrap();
                std::hint::black_box(s);
            }
            let o: chrono::NaiveDateTime = r.take(4).unwrap();
            std::hint::black_box(o);
            rows += 1;
        }
        if n < 10000 {
            return rows;
        }
    }
}

fn main() {
    let Some(mut cfg) = common::bench_config("chain") else {
        return;
    };
    let n: u64 = std::env::var("PET_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rounds: u32 = std::env::var("PET_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let reuse = std::env::var("PET_BENCH_PREFIX").ok();
    if let Some(prefix) = &reuse {
        cfg.prefix.clone_from(prefix);
    }
    let app = App::new(cfg).unwrap();
    rt.block_on(async {
        app.migrate().await.unwrap();
        let t0 = Instant::now();
        let mut conn = app.pool().get_conn().await.unwrap();
        let mut done = if reuse.is_some() {
            conn.query_first::<u64, _>(format!("SELECT COUNT(*) FROM {}", app.tables().events))
                .await
                .unwrap()
                .unwrap_or(0)
        } else {
            0
        };
        let n = n.max(done);
        while done < n {
            let k = 1000.min(n - done);
            let events: Vec<NewEvent> = (done..done + k).map(event).collect();
            let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
            app.store()
                .append(&mut tx, &events, chrono::Utc::now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            done += k;
        }
        drop(conn);
        eprintln!("seeded {n} events in {:.1} s", t0.elapsed().as_secs_f64());
        for round in 1..=rounds {
            let t = Instant::now();
            let rows = raw_scan(&app).await;
            let s = t.elapsed().as_secs_f64();
            println!(
                "chain/raw_scan round {round}: {rows} rows in {s:.2} s ({:.0} rows/s)",
                rows as f64 / s
            );
            let t = Instant::now();
            let r = app.verify_chain(&json!({"mode": "full"})).await.unwrap();
            let s = t.elapsed().as_secs_f64();
            assert_eq!(r["ok"], json!(true), "{r}");
            assert_eq!(r["checked"], json!(n), "{r}");
            println!(
                "chain/full_verification round {round}: {n} events in {s:.2} s ({:.0} events/s)",
                n as f64 / s
            );
        }
        let t = Instant::now();
        let r = app
            .verify_chain(&json!({"mode": "incremental"}))
            .await
            .unwrap();
        assert_eq!(r["checked"], json!(0), "{r}");
        println!(
            "chain/incremental_nothing_new: {:.4} s over a log of {n} events",
            t.elapsed().as_secs_f64()
        );
        common::finish(&app).await;
    });
}
