//! Bench of the KPI module at size (issue 11, its speed targets). Needs
//! `PET_TEST_DATABASE_URL` (skipped without); a random table prefix, dropped at the end
//! (kept with `PET_BENCH_KEEP=1`).
//!
//! Seeding: through the real commands, `PET_BENCH_EMPLOYEES` employees (default 200) in 10
//! teams (an org-structure version published), 50 customers, 20 sold projects, and one
//! instance of each *flow* the catalogue counts — billable and non-billable time logged,
//! submitted and approved; a ticket created, answered, its SLA met or breached, resolved
//! (and one reopened); a lead qualified into an opportunity whose quote is sent and accepted,
//! another whose quote is rejected, a lead disqualified. Then the log is filled to
//! `PET_BENCH_EVENTS` events (default 1,000,000) with `INSERT … SELECT` over MariaDB's
//! SEQUENCE engine: each flow's event rows cloned (time about 60 % of the events, tickets
//! 25 %, sales 15 %), every clone with its own entity ids, an employee, project and
//! customer in turn, and times spread over the last two years (time entries dated the same
//! day). The clones' hash chain is not valid (nothing here reads it).
//!
//! Then one definition per catalogue KPI and scope kind it allows (29, monthly) and:
//! - `from_scratch`: the first KPI job run — facts from every event, then every definition's
//!   backfill (target ≤ 30 s);
//! - `incremental`: 1,000 more events (time flows, this month), then a run (target ≤ 1 s),
//!   `PET_BENCH_ROUNDS` times (default 3);
//! - `dashboard`: the org dashboard, 12 periods per KPI (target ≤ 200 ms), 20 samples;
//! - `as_of`: one month's org utilisation as of a past time (`kpi_results` with `as_of`,
//!   `periods: 1`; target ≤ 100 ms), 20 samples; for reference the same with 12 periods.
//!
//! `cargo bench -p pet-storage-mysql --bench kpi` (PET_TEST_DATABASE_URL set).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::too_many_lines,
    clippy::too_many_arguments,
    missing_docs
)]

mod common;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use mysql_async::prelude::*;
use pet_storage_mysql::{App, CommandContext};
use serde_json::{json, Value};

/// How many employees were seeded (the helper table's size).
static N_EMPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn env_size(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// One flow's event rows (ids `first..=last`) and the ids of its own entities, which every
/// clone replaces with its own.
struct Flow {
    name: &'static str,
    first: u64,
    last: u64,
    own: Vec<String>,
    /// Share of the events (per mille).
    share: u64,
}

async fn head(app: &App) -> u64 {
    let mut c = app.pool().get_conn().await.unwrap();
    c.query_first::<Option<u64>, _>(format!("SELECT MAX(id) FROM {}", app.tables().events))
        .await
        .unwrap()
        .flatten()
        .unwrap_or(0)
}

/// Runs `f` (commands), answering the flow of the events it recorded.
async fn flow<F, Fut>(app: &App, name: &'static str, share: u64, f: F) -> Flow
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Vec<String>>,
{
    let before = head(app).await;
    let mut own = f().await;
    let last = head(app).await;
    assert!(last > before, "flow {name} recorded nothing");
    // Every aggregate the flow touched is its own (a clone's aggregates must be new).
    let mut c = app.pool().get_conn().await.unwrap();
    let aggs: Vec<String> = c
        .exec(
            format!(
                "SELECT DISTINCT aggregate_id FROM {} WHERE id BETWEEN ? AND ?",
                app.tables().events
            ),
            (before + 1, last),
        )
        .await
        .unwrap();
    for a in aggs {
        if !own.contains(&a) {
            own.push(a);
        }
    }
    Flow {
        name,
        first: before + 1,
        last,
        own,
        share,
    }
}

/// Clones `flow` `count` times after the log's head, clone `k` starting `start + k × step`
/// seconds (its events a second apart), with the ids in turn from the helper tables.
async fn clone_flow(
    app: &App,
    flow: &Flow,
    tag: u64,
    count: u64,
    start: chrono::DateTime<Utc>,
    step_ms: u64,
    emp0: &str,
    project0: &str,
    customer0: &str,
) {
    let t = app.tables();
    let mut conn = app.pool().get_conn().await.unwrap();
    let width = flow.last - flow.first + 1;
    // The flow's rows in a table of their own (`k`: the row's place in the flow), so the
    // clones are read from it, not from the table written (no temporary table).
    let tpl = format!("{}kb_tpl", t.prefix);
    conn.query_drop(format!("DROP TABLE IF EXISTS {tpl}"))
        .await
        .unwrap();
    conn.query_drop(format!(
        "CREATE TABLE {tpl} (PRIMARY KEY (k)) AS SELECT id - {first} AS k, event_type, schema_version, \
         actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, aggregate_version, payload \
         FROM {ev} WHERE id BETWEEN {first} AND {last}",
        ev = t.events,
        first = flow.first,
        last = flow.last
    ))
    .await
    .unwrap();
    let mut done = 0;
    while done < count {
        let n = (count - done).min(20_000);
        // The chain trigger wants each row to continue the head: the clones get a hash of
        // their own (not a valid chain hash, nothing here verifies it), inserted in id order
        // (the sequence drives the join: STRAIGHT_JOIN).
        let (base, head_hash): (u64, String) = conn
            .query_first(format!(
                "SELECT last_sequence, last_hash FROM {} WHERE id = 1",
                t.sequence
            ))
            .await
            .unwrap()
            .unwrap();
        // Clone number (from 1) and the new id of a row.
        let c = format!("(FLOOR(s.seq / {width}) + 1 + {done})");
        let nid = format!("({base} + s.seq + 1)");
        // Every own id → `c<tag><k>…-<clone number>`, then the dimensions in turn.
        let expr = |col: &str| {
            let mut e = col.to_owned();
            for (k, own) in flow.own.iter().enumerate() {
                e = format!(
                    "REPLACE({e}, '{own}', CONCAT('c{tag:03x}{k:04x}-0000-7000-8000-', LPAD(HEX({c}), 12, '0')))"
                );
            }
            format!("REPLACE(REPLACE(REPLACE({e}, '{emp0}', em.id), '{project0}', pr.id), '{customer0}', cu.id)")
        };
        let (payload, ctx, agg) = (
            expr("t.payload"),
            expr("t.context_id"),
            expr("t.aggregate_id"),
        );
        let at =
            format!("TIMESTAMPADD(MICROSECOND, (({c} - 1) * {step_ms} + t.k * 1000) * 1000, ?)");
        let sql = format!(
            "INSERT INTO {ev} (id, event_id, event_type, schema_version, occurred_at, recorded_at, actor_employee_id, \
             context_type, context_id, aggregate_type, aggregate_id, aggregate_version, idempotency_key, payload, prev_hash, hash) \
             SELECT STRAIGHT_JOIN {nid}, CONCAT('e0000000-0000-7000-8000-', LPAD(HEX({nid}), 12, '0')), \
               t.event_type, t.schema_version, {at}, {at}, t.actor_employee_id, t.context_type, {ctx}, t.aggregate_type, {agg}, \
               t.aggregate_version, NULL, \
               JSON_REPLACE({payload}, '$.work_date', DATE({at})), \
               IF({nid} = {base} + 1, '{head_hash}', SHA2(CONCAT('kb', {nid} - 1), 256)), SHA2(CONCAT('kb', {nid}), 256) \
             FROM seq_0_to_{top} s \
             JOIN {tpl} t ON t.k = s.seq % {width} \
             JOIN {pre}kb_emps em ON em.n = {c} % {emps} \
             JOIN {pre}kb_projects pr ON pr.n = {c} % 20 \
             JOIN {pre}kb_customers cu ON cu.n = {c} % 50 ORDER BY s.seq",
            top = n * width - 1,
            pre = t.prefix,
            emps = N_EMPS.load(std::sync::atomic::Ordering::Relaxed),
            ev = t.events,
        );
        let start_db = start.naive_utc();
        conn.exec_drop(sql, (start_db, start_db, start_db))
            .await
            .unwrap_or_else(|e| panic!("cloning {}: {e}", flow.name));
        done += n;
    }
    conn.query_drop(format!("DROP TABLE {tpl}")).await.unwrap();
    let h = head(app).await;
    conn.exec_drop(
        format!(
            "UPDATE {} SET last_sequence = ?, last_hash = (SELECT hash FROM {} WHERE id = ?)",
            t.sequence, t.events
        ),
        (h, h),
    )
    .await
    .unwrap();
}

fn stats(name: &str, mut v: Vec<Duration>, target_ms: f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let med = ms(v[v.len() / 2]);
    let max = ms(*v.last().unwrap());
    let verdict = if med <= target_ms { "meets" } else { "MISSES" };
    eprintln!(
        "kpi/{name}: median {med:.1} ms, max {max:.1} ms over {} samples ({verdict} the target {target_ms} ms)",
        v.len()
    );
}

fn main() {
    let Some(cfg) = common::bench_config("kpi") else {
        return;
    };
    let n_events = env_size("PET_BENCH_EVENTS", 1_000_000);
    let n_emps = env_size("PET_BENCH_EMPLOYEES", 200).max(1);
    N_EMPS.store(n_emps, std::sync::atomic::Ordering::Relaxed);
    let rounds = env_size("PET_BENCH_ROUNDS", 3);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = App::new(cfg).unwrap();
    rt.block_on(async {
        let app = &app;
        app.migrate().await.unwrap();
        let t0 = Instant::now();
        let sys = CommandContext::system();
        let boss = app
            .identity()
            .create_employee(&json!({"name": "Bench Boss", "email": "boss@example.com"}), &sys)
            .await
            .unwrap();
        let actor = CommandContext::employee(id(&boss).parse().unwrap()).managing_time();
        let mut conn = app.pool().get_conn().await.unwrap();
        // Helper tables (the bench prefix's, dropped with the others): the ids in turn.
        let pre = app.tables().prefix.clone();
        for tbl in ["kb_emps", "kb_projects", "kb_customers"] {
            conn.query_drop(format!(
                "CREATE TABLE {pre}{tbl} (n INT PRIMARY KEY, id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL)"
            ))
            .await
            .unwrap();
        }
        let mut teams = Vec::new();
        for i in 0..10 {
            let t = app
                .identity()
                .create_team(&json!({"name": format!("Team {i}")}), &actor)
                .await
                .unwrap();
            teams.push(id(&t));
        }
        let mut emps = Vec::new();
        for i in 0..n_emps {
            let e = app
                .identity()
                .create_employee(
                    &json!({"name": format!("Staff {i}"), "email": format!("staff{i}@example.com")}),
                    &actor,
                )
                .await
                .unwrap();
            app.identity()
                .add_team_member(
                    &teams[(i % 10) as usize],
                    &json!({"employee_id": id(&e), "role": "member", "valid_from": "2020-01-01"}),
                    &actor,
                )
                .await
                .unwrap();
            emps.push(id(&e));
        }
        app.identity()
            .publish_org_structure(&json!({"effective_at": "2020-01-01T00:00:00Z", "note": "Bench"}), &actor)
            .await
            .unwrap();
        let mut customers = Vec::new();
        for i in 0..50 {
            let c = app
                .identity()
                .create_customer(&json!({"name": format!("Customer {i}")}), &actor)
                .await
                .unwrap();
            customers.push(id(&c));
        }
        let mut projects = Vec::new();
        for (i, customer) in customers.iter().enumerate().take(20) {
            let p = app
                .delivery()
                .create_project(
                    &json!({"name": format!("Project {i}"), "customer_id": customer,
                            "labour": [{"role": "Developer", "minutes": 600_000}]}),
                    &actor,
                )
                .await
                .unwrap();
            app.delivery()
                .change_project_status(&id(&p), "active", &actor)
                .await
                .unwrap();
            projects.push(id(&p));
        }
        for (tbl, ids) in [("kb_emps", &emps), ("kb_projects", &projects), ("kb_customers", &customers)] {
            let rows: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(n, i)| format!("({n}, '{i}')"))
                .collect();
            conn.query_drop(format!("INSERT INTO {pre}{tbl} (n, id) VALUES {}", rows.join(", ")))
                .await
                .unwrap();
        }
        let (emp0, project0, customer0) = (emps[0].clone(), projects[0].clone(), customers[0].clone());
        let day = json!([{"start": "00:00", "end": "23:59"}]);
        let sla = app
            .helpdesk()
            .create_sla_definition(
                &json!({"name": "Bench SLA", "spec": {
                    "calendar": {"timezone": "UTC", "working_hours": {
                        "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day},
                        "holidays": []},
                    "targets": {
                        "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
                        "normal": {"first_response_minutes": 60, "resolution_minutes": 480},
                        "high": {"first_response_minutes": 30, "resolution_minutes": 240},
                        "urgent": {"first_response_minutes": 15, "resolution_minutes": 120}},
                    "pause_statuses": ["waiting_on_customer"], "warning_percent": 80,
                    "always_on": ["low", "normal", "high", "urgent"]}}),
                &actor,
            )
            .await
            .map(|s| id(&s))
            .map_err(|e| eprintln!("no SLA definition ({e:?}): no SLA outcomes"))
            .ok();

        let mut flows = Vec::new();
        for (name, billable, share) in [("time_billable", true, 450), ("time_other", false, 150)] {
            let (a, e0, p0) = (&actor, &emp0, &project0);
            flows.push(
                flow(app, name, share, || async move {
                    let e = app
                        .delivery()
                        .log_time(
                            &json!({"employee_id": e0, "project_id": p0, "role": "Developer",
                                    "work_date": "2025-01-06", "minutes": 240, "billable": billable}),
                            a,
                        )
                        .await
                        .unwrap();
                    app.delivery().submit_time_entry(&id(&e), a).await.unwrap();
                    app.delivery().approve_time_entry(&id(&e), a).await.unwrap();
                    vec![id(&e)]
                })
                .await,
            );
        }
        for (name, reopen, share) in [("ticket", false, 200), ("ticket_reopened", true, 50)] {
            let (a, c0, p0, sla) = (&actor, &customer0, &project0, sla.clone());
            flows.push(
                flow(app, name, share, || async move {
                    let mut input = json!({"customer_id": c0, "project_id": p0, "subject": "Printer on fire",
                        "priority": "normal", "channel": "email"});
                    if let Some(s) = &sla {
                        input["sla_definition_id"] = json!(s);
                    }
                    let t = app.helpdesk().create_ticket(&input, a).await.unwrap();
                    let tid = id(&t);
                    app.helpdesk()
                        .reply_to_ticket(&tid, &json!({"body": "On it.", "visibility": "public"}), a)
                        .await
                        .unwrap();
                    app.helpdesk()
                        .change_ticket_status(&tid, "open", a)
                        .await
                        .unwrap();
                    app.helpdesk().resolve_ticket(&tid, a).await.unwrap();
                    if reopen {
                        app.helpdesk().reopen_ticket(&tid, &json!({}), a).await.unwrap();
                    }
                    vec![tid]
                })
                .await,
            );
        }
        for (name, outcome, share) in [("sale_won", "accept", 80), ("sale_lost", "reject", 50), ("lead_lost", "disqualify", 20)] {
            let a = &actor;
            flows.push(
                flow(app, name, share, || async move {
                    let c = app.commercial();
                    let lead = c
                        .create_lead(&json!({"customer_name": "Bench Ltd", "source": "bench"}), a)
                        .await
                        .unwrap();
                    let lid = id(&lead);
                    c.contact_lead(&lid, &json!({}), a).await.unwrap();
                    if outcome == "disqualify" {
                        c.disqualify_lead(&lid, &json!({"reason": "no budget"}), a).await.unwrap();
                        return vec![lid];
                    }
                    c.qualify_lead(&lid, &json!({"need": "bench"}), a).await.unwrap();
                    let opp = c
                        .create_opportunity(
                            &json!({"lead_id": lid, "title": "Bench",
                                    "expected_value": {"amount_minor": 100, "currency": "EUR"}, "expected_close": "2030-01-01"}),
                            a,
                        )
                        .await
                        .unwrap();
                    let q = c.create_quote(&json!({"opportunity_id": id(&opp)}), a).await.unwrap();
                    let qid = id(&q);
                    c.save_quote_draft(
                        &qid,
                        &json!({"groups": [{"title": "A", "lines": [{"kind": "product", "description": "x",
                            "quantity": 1, "unit_price_minor": 500}]}]}),
                        a,
                    )
                    .await
                    .unwrap();
                    c.send_quote(&qid, &json!({"valid_until": "2030-01-01"}), a).await.unwrap();
                    if outcome == "accept" {
                        c.accept_quote(&qid, &json!({"version": 1}), a).await.unwrap();
                    } else {
                        c.reject_quote(&qid, &json!({"version": 1, "reason": "too dear"}), a).await.unwrap();
                    }
                    vec![lid, id(&opp), qid]
                })
                .await,
            );
        }
        let seeded_cmds = head(app).await;
        let start = Utc::now() - chrono::Duration::days(730);
        let span_ms: u64 = 729 * 24 * 3600 * 1000;
        let budget = n_events.saturating_sub(seeded_cmds);
        for (tag, f) in flows.iter().enumerate() {
            let width = f.last - f.first + 1;
            let count = (budget * f.share / 1000 / width).max(1);
            clone_flow(app, f, tag as u64 + 1, count, start, span_ms / count, &emp0, &project0, &customer0).await;
            eprintln!("  {} × {count} ({width} events each)", f.name);
        }
        let total = head(app).await;
        eprintln!(
            "seeded {total} events ({seeded_cmds} by commands) in {:.1} s",
            t0.elapsed().as_secs_f64()
        );

        // One definition per calculator and scope kind.
        let opts = app.kpi().kpi_options().await.unwrap();
        let mut defs = 0;
        let mut util_org = String::new();
        for c in opts["calculators"].as_array().unwrap() {
            let calc = c["id"].as_str().unwrap();
            for s in c["scopes"].as_array().unwrap() {
                let scope = s.as_str().unwrap();
                let scope_id = match scope {
                    "team" => Some(teams[0].clone()),
                    "employee" => Some(emp0.clone()),
                    "customer" => Some(customer0.clone()),
                    "project" => Some(project0.clone()),
                    _ => None,
                };
                let k = app
                    .kpi()
                    .define_kpi(
                        &json!({"name": format!("{calc} {scope}"), "calculator": calc, "scope": scope,
                                "scope_id": scope_id, "grain": "month"}),
                        &actor,
                    )
                    .await
                    .unwrap();
                if calc == "utilisation" && scope == "org" {
                    util_org = id(&k);
                }
                defs += 1;
            }
        }
        let t = Instant::now();
        let report = app.kpi().run_kpis().await.unwrap();
        let scratch = t.elapsed();
        eprintln!(
            "kpi/from_scratch: {:.1} s for {defs} definitions over {total} events ({report:?}) ({} the target 30 s)",
            scratch.as_secs_f64(),
            if scratch.as_secs_f64() <= 30.0 { "meets" } else { "MISSES" }
        );

        // Incremental: 1,000 more events (time flows this month), then a run.
        let mut inc = Vec::new();
        for _ in 0..rounds {
            let month = Utc::now().with_day(1).unwrap();
            let f = &flows[0];
            let width = f.last - f.first + 1;
            let before = head(app).await;
            clone_flow(app, f, 0xa0 + inc.len() as u64, 1000 / width, month, 60_000, &emp0, &project0, &customer0).await;
            let new = head(app).await - before;
            let t = Instant::now();
            let r = app.kpi().run_kpis().await.unwrap();
            inc.push(t.elapsed());
            eprintln!("  incremental: {new} new events, {r:?}");
        }
        stats("incremental", inc, 1000.0);

        let mut dash = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let d = app.kpi().kpi_dashboard(&json!({})).await.unwrap();
            dash.push(t.elapsed());
            assert!(!d["tiles"].as_array().unwrap().is_empty());
        }
        stats("dashboard", dash, 200.0);

        let mut asof = Vec::new();
        let mut asof12 = Vec::new();
        for i in 0..20 {
            let at = Utc::now() - chrono::Duration::days(30 * (1 + i % 12));
            let q = json!({"as_of": at.to_rfc3339(), "periods": 1});
            let t = Instant::now();
            let r = app.kpi().kpi_results(&util_org, &q).await.unwrap();
            asof.push(t.elapsed());
            // (The seeded employees were created now: as of then, no capacity yet.)
            assert!(r["results"][0]["part_count"].as_i64().unwrap() > 0, "{r}");
            let t = Instant::now();
            app.kpi()
                .kpi_results(&util_org, &json!({"as_of": at.to_rfc3339(), "periods": 12}))
                .await
                .unwrap();
            asof12.push(t.elapsed());
        }
        stats("as_of", asof, 100.0);
        stats("as_of_12_periods (reference)", asof12, 1200.0);
        drop(conn);
        common::finish(app).await;
    });
}
