//! Criterion benches of the commercial pipeline (need `PET_TEST_DATABASE_URL`; skipped
//! without): (a) a 500-line quote draft saved end to end (parse, totals, decide, version
//! row + 500 line rows + event, commit) and read back with its totals; (b) the first page
//! of the leads and quotes lists with `PET_BENCH_ROWS` rows (default 100,000) in the tables
//! (rows bulk-inserted as state rows: the lists read only those); (c) `createQuote` on a
//! fresh opportunity and on opportunities with 200 quotes each (the command must not cost
//! more on a busy aggregate).
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

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use mysql_async::prelude::*;
use pet_storage_mysql::{App, CommandContext};
use serde_json::{json, Value};
use uuid::Uuid;

fn setup(rt: &tokio::runtime::Runtime) -> Option<App> {
    let cfg = common::bench_config("commercial")?;
    let app = App::new(cfg).unwrap();
    rt.block_on(app.migrate()).unwrap();
    Some(app)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// An actor and a quote on a fresh opportunity.
async fn quote(app: &App) -> (CommandContext, String) {
    let ana = app
        .identity()
        .create_employee(
            &json!({"name": "Ana", "email": "ana@example.com"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    let ctx = CommandContext::employee(id(&ana).parse().unwrap());
    let lead = app
        .commercial()
        .create_lead(
            &json!({"customer_name": "Bench Ltd", "source": "bench"}),
            &ctx,
        )
        .await
        .unwrap();
    app.commercial()
        .contact_lead(&id(&lead), &json!({}), &ctx)
        .await
        .unwrap();
    app.commercial()
        .qualify_lead(&id(&lead), &json!({"need": "bench"}), &ctx)
        .await
        .unwrap();
    let opp = app
        .commercial().create_opportunity(
            &json!({"lead_id": id(&lead), "title": "Bench",
                    "expected_value": {"amount_minor": 100, "currency": "EUR"}, "expected_close": "2030-01-01"}),
            &ctx,
        )
        .await
        .unwrap();
    let q = app
        .commercial()
        .create_quote(&json!({"opportunity_id": id(&opp)}), &ctx)
        .await
        .unwrap();
    (ctx, id(&q))
}

/// 500 lines in 10 groups; `n` varies one quantity so every save changes the content.
fn content(n: i64) -> Value {
    let groups: Vec<Value> = (0..10)
        .map(|g| {
            let lines: Vec<Value> = (0..50)
                .map(|l| {
                    let kind = ["labour", "fixed_fee", "product"][(l % 3) as usize];
                    json!({"kind": kind, "role": "Developer", "description": format!("Line {g}.{l}"),
                           "quantity": if g == 0 && l == 0 { 60 + n } else { 60 + l },
                           "unit_price_minor": 12_345 + l, "tax_rate_bp": 1900,
                           "discount": {"type": "percent", "basis_points": 250}})
                })
                .map(|mut v| {
                    if v["kind"] != json!("labour") {
                        v.as_object_mut().unwrap().remove("role");
                    }
                    v
                })
                .collect();
            json!({"title": format!("Group {g}"), "optional": g == 9, "lines": lines})
        })
        .collect();
    json!({ "groups": groups })
}

fn quote_500(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(app) = setup(&rt) else { return };
    let (ctx, qid) = rt.block_on(quote(&app));
    // The first save creates the line rows; later saves replace them.
    rt.block_on(app.commercial().save_quote_draft(&qid, &content(0), &ctx))
        .unwrap();
    let mut n = 0;
    let mut g = c.benchmark_group("quote_500_lines");
    g.sample_size(30).measurement_time(Duration::from_secs(15));
    g.bench_function("save_draft_end_to_end", |b| {
        b.iter(|| {
            n += 1;
            rt.block_on(app.commercial().save_quote_draft(&qid, &content(n), &ctx))
                .unwrap()
        })
    });
    g.bench_function("read_version_with_totals", |b| {
        b.iter(|| {
            rt.block_on(app.commercial().get_quote_version(&qid, Some(1)))
                .unwrap()
        })
    });
    g.finish();
    rt.block_on(common::finish(&app));
}

/// Bulk-inserts `rows` leads and quotes as state rows (the lists read only these tables).
async fn seed(app: &App, rows: u64) {
    let mut conn = app.pool().get_conn().await.unwrap();
    let p = &app.tables().prefix;
    let owner = Uuid::now_v7().to_string();
    let chunk = 2000u64;
    let mut done = 0u64;
    while done < rows {
        let n = chunk.min(rows - done);
        let mut leads = Vec::with_capacity(n as usize);
        let mut quotes = Vec::with_capacity(n as usize);
        for i in done..done + n {
            let status =
                ["new", "contacted", "qualified", "disqualified", "archived"][(i % 5) as usize];
            let source = ["website", "referral", "fair", "partner"][(i % 4) as usize];
            let at = format!("2026-01-01 00:00:00.{:06}", i % 1_000_000);
            leads.push(format!(
                "('{}', NULL, 'Company {i}', '{source}', '{owner}', NULL, NULL, '{{}}', '{status}', 1, '{at}', '{at}')",
                Uuid::now_v7()
            ));
            let qstatus = ["draft", "sent", "accepted", "superseded"][(i % 4) as usize];
            quotes.push(format!(
                "('{}', {}, '{}', '{}', 'EUR', 'Quote {i}', 1, '{qstatus}', {}, NULL, NULL, 1, '{at}', '{at}')",
                Uuid::now_v7(),
                1_000_000 + i,
                Uuid::now_v7(),
                Uuid::now_v7(),
                i * 100
            ));
        }
        conn.query_drop(format!(
            "INSERT INTO {p}pet_leads (id, customer_id, company_name, source, owner_id, schema_id, schema_number, \
             custom_values, status, version, created_at, updated_at) VALUES {}",
            leads.join(", ")
        ))
        .await
        .unwrap();
        conn.query_drop(format!(
            "INSERT INTO {p}pet_quotes (id, number, opportunity_id, customer_id, currency, title, latest_version, \
             latest_status, latest_total_minor, accepted_version, sale_id, version, created_at, updated_at) VALUES {}",
            quotes.join(", ")
        ))
        .await
        .unwrap();
        done += n;
    }
    conn.query_drop(format!("ANALYZE TABLE {p}pet_leads, {p}pet_quotes"))
        .await
        .unwrap();
}

fn lists_100k(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(app) = setup(&rt) else { return };
    let rows: u64 = std::env::var("PET_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    rt.block_on(seed(&app, rows));
    let mut g = c.benchmark_group(format!("lists_{rows}_rows"));
    g.sample_size(30).measurement_time(Duration::from_secs(10));
    for (name, q) in [
        ("leads_first_page", json!({"per_page": 20})),
        (
            "leads_status_filter",
            json!({"status": "qualified", "per_page": 20}),
        ),
        (
            "leads_search",
            json!({"search": "Company 4242", "per_page": 20}),
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| rt.block_on(app.commercial().list_leads(&q)).unwrap())
        });
    }
    for (name, q) in [
        ("quotes_first_page", json!({"per_page": 20})),
        (
            "quotes_status_filter",
            json!({"status": "sent", "per_page": 20}),
        ),
        (
            "quotes_search",
            json!({"search": "Quote 4242", "per_page": 20}),
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| rt.block_on(app.commercial().list_quotes(&q)).unwrap())
        });
    }
    g.finish();
    rt.block_on(common::finish(&app));
}

/// A fresh opportunity (lead captured, contacted, qualified, opportunity opened).
async fn opportunity(app: &App, ctx: &CommandContext) -> String {
    let c = app.commercial();
    let lead = c
        .create_lead(
            &json!({"customer_name": "Bench Ltd", "source": "bench"}),
            ctx,
        )
        .await
        .unwrap();
    c.contact_lead(&id(&lead), &json!({}), ctx).await.unwrap();
    c.qualify_lead(&id(&lead), &json!({"need": "bench"}), ctx)
        .await
        .unwrap();
    let opp = c
        .create_opportunity(
            &json!({"lead_id": id(&lead), "title": "Bench",
                    "expected_value": {"amount_minor": 100, "currency": "EUR"}, "expected_close": "2030-01-01"}),
            ctx,
        )
        .await
        .unwrap();
    id(&opp)
}

fn create_quote(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(app) = setup(&rt) else { return };
    let (ctx, _) = rt.block_on(quote(&app));
    let new_quote = |opp: &str| {
        rt.block_on(
            app.commercial()
                .create_quote(&json!({ "opportunity_id": opp }), &ctx),
        )
        .unwrap()
    };
    let mut g = c.benchmark_group("create_quote");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.bench_function("fresh_opportunity", |b| {
        b.iter_batched(
            || rt.block_on(opportunity(&app, &ctx)),
            |opp| new_quote(&opp),
            BatchSize::PerIteration,
        )
    });
    // 20 opportunities with 200 quotes each, used in turn (each gains a few dozen more).
    let busy: Vec<String> = (0..20)
        .map(|_| {
            let opp = rt.block_on(opportunity(&app, &ctx));
            for _ in 0..200 {
                new_quote(&opp);
            }
            opp
        })
        .collect();
    let mut next = 0;
    g.bench_function("opportunity_with_200_quotes", |b| {
        b.iter_batched(
            || {
                next = (next + 1) % busy.len();
                busy[next].clone()
            },
            |opp| new_quote(&opp),
            BatchSize::PerIteration,
        )
    });
    g.finish();
    rt.block_on(common::finish(&app));
}

criterion_group!(benches, quote_500, lists_100k, create_quote);
criterion_main!(benches);
