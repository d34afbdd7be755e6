//! Criterion benches of delivery at size (issue "Delivery…", its speed targets). They need
//! `PET_TEST_DATABASE_URL` (skipped without) and use a random table prefix that is dropped
//! at the end (kept with `PET_BENCH_KEEP=1`).
//!
//! Seeding: an actor, `PET_BENCH_EMPLOYEES` employees (default 200), one active project
//! sold 2,000 hours ("Big") and 20 more, all through the real commands, then copies of one
//! of them to `PET_BENCH_PROJECTS` active projects (default 10,000); one real time
//! entry is logged, submitted and approved, and the time-entry table is then filled to
//! `PET_BENCH_ENTRIES` rows (default 1,000,000) with `INSERT … SELECT` over MariaDB's
//! SEQUENCE engine, each cloned row a variation of the real one (its own id, an employee in
//! turn, a work date over five years, 30–240 minutes, mostly approved); 50,000 of them are
//! on Big. The screens read only the state tables, so that is what the figures measure.
//! Measured:
//! - `delivery/timesheet_week`: one employee's week (`Delivery::timesheet`), employees and
//!   weeks in turn (target ≤ 50 ms);
//! - `delivery/project_page`: what Big's page reads (`project`, `project_burnup` over 26
//!   weeks, the first 10 `project_tickets`, `project_allocations`; target ≤ 150 ms with
//!   50,000 entries);
//! - `delivery/approve_week_40` (custom timing): approving one employee's submitted week of
//!   40 entries with `approve_time_week`, as the approvals screen does (target ≤ 100 ms);
//!   the week is logged and submitted before each sample, untimed;
//! - `delivery/recompute_variance`: every active project's delivered minutes recomputed
//!   from scratch from the approved time and compared with the kept figures
//!   (`recompute_variance`, `PET_BENCH_PROJECTS` active projects, default 10,000; the
//!   cloned rows' delivered minutes are seeded as the approvals would have kept them, so
//!   nothing is corrected; target ≤ 10 s).
//!
//! `cargo bench -p pet-storage-mysql --bench delivery` (PET_TEST_DATABASE_URL set).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    missing_docs
)]

mod common;

/// The extension's allocator (pet-php/src/lib.rs), so the bench measures what runs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use mysql_async::prelude::*;
use pet_storage_mysql::{App, CommandContext};
use serde_json::{json, Value};

fn env_size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

struct Seeded {
    app: App,
    actor: CommandContext,
    employees: Vec<String>,
    big: String,
}

fn seed(rt: &tokio::runtime::Runtime) -> Option<Seeded> {
    let cfg = common::bench_config("delivery")?;
    let app = App::new(cfg).unwrap();
    let n_employees = env_size("PET_BENCH_EMPLOYEES", 200);
    let n_entries = env_size("PET_BENCH_ENTRIES", 1_000_000);
    let n_projects = env_size("PET_BENCH_PROJECTS", 10_000).max(21);
    rt.block_on(async {
        app.migrate().await.unwrap();
        let started = Instant::now();
        let boss = app
            .identity()
            .create_employee(
                &json!({"name": "Bench Manager", "email": "boss@example.com"}),
                &CommandContext::system(),
            )
            .await
            .unwrap();
        let actor = CommandContext::employee(id(&boss).parse().unwrap()).managing_time();
        let mut employees = Vec::with_capacity(n_employees);
        for i in 0..n_employees {
            let e = app
                .identity()
                .create_employee(
                    &json!({"name": format!("Staff {i}"), "email": format!("staff{i}@example.com")}),
                    &actor,
                )
                .await
                .unwrap();
            employees.push(id(&e));
        }
        let mut projects = Vec::new();
        for i in 0..21 {
            let p = app
                .delivery()
                .create_project(
                    &json!({"name": if i == 0 { "Big".to_owned() } else { format!("Project {i}") },
                            "labour": [{"role": "Developer", "minutes": 120_000}]}),
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
        let big = projects[0].clone();
        // One real entry, approved: the row every clone varies.
        let e = app
            .delivery()
            .log_time(
                &json!({"employee_id": employees[0], "project_id": big, "role": "Developer",
                        "work_date": "2021-01-04", "minutes": 60, "note": "Build"}),
                &actor,
            )
            .await
            .unwrap();
        app.delivery()
            .submit_time_entry(&id(&e), &actor)
            .await
            .unwrap();
        app.delivery()
            .approve_time_entry(&id(&e), &actor)
            .await
            .unwrap();
        let mut conn = app.pool().get_conn().await.unwrap();
        let t = &app.tables().prefix;
        // The other active projects (to `PET_BENCH_PROJECTS`): copies of project 1's row.
        if n_projects > 21 {
            conn.exec_drop(
                format!(
                    "INSERT INTO {t}pet_projects (id, name, customer_id, sale_id, quote_id, status, \
                     constraint_version, sold_minutes, detail, version, created_at, updated_at) \
                     SELECT UUID(), CONCAT('Bulk ', s.seq), NULL, NULL, NULL, 'active', src.constraint_version, \
                     src.sold_minutes, src.detail, src.version, src.created_at, src.updated_at \
                     FROM seq_1_to_{} s JOIN (SELECT * FROM {t}pet_projects WHERE id = ?) src",
                    n_projects - 21
                ),
                (projects[1].as_str(),),
            )
            .await
            .unwrap();
            let bulk: Vec<String> = conn
                .query(format!(
                    "SELECT id FROM {t}pet_projects WHERE name LIKE 'Bulk %' ORDER BY id"
                ))
                .await
                .unwrap();
            projects.extend(bulk);
        }
        // Number → id tables the clones join to pick an employee and a project.
        for (table, ids) in [("bench_emp", &employees), ("bench_proj", &projects)] {
            conn.query_drop(format!(
                "CREATE TABLE {t}{table} (n INT PRIMARY KEY, id CHAR(36) CHARACTER SET ascii NOT NULL)"
            ))
            .await
            .unwrap();
            conn.exec_batch(
                format!("INSERT INTO {t}{table} (n, id) VALUES (?, ?)"),
                ids.iter().enumerate().map(|(i, e)| (i, e.as_str())),
            )
            .await
            .unwrap();
        }
        // The real entry copied aside: an INSERT … SELECT reading its own table would
        // materialize every chunk in a temporary table first.
        conn.exec_drop(
            format!(
                "CREATE TABLE {t}bench_src AS SELECT * FROM {t}pet_time_entries WHERE id = ?"
            ),
            (id(&e),),
        )
        .await
        .unwrap();
        // Entry n: employee n mod E; Big for every 20th entry (50,000 of 1,000,000), else
        // one of the other projects; dates over 5 years from 2021-01-04.
        let clones = n_entries.saturating_sub(1);
        let mut done = 0usize;
        while done < clones {
            let chunk = (clones - done).min(100_000);
            conn.exec_drop(
                format!(
                    "INSERT INTO {t}pet_time_entries (id, employee_id, target_kind, project_id, task_id, ticket_id, \
                     role, work_date, minutes, billable, note, status, sent_back_reason, adjust_minutes, version, \
                     created_at, updated_at) \
                     SELECT UUID(), e.id, src.target_kind, p.id, NULL, NULL, src.role, \
                     DATE_ADD('2021-01-04', INTERVAL (s.seq * 7) % 1825 DAY), 30 + (s.seq % 8) * 30, s.seq % 5 <> 0, \
                     src.note, IF(s.seq % 10 = 0, 'submitted', 'approved'), NULL, 0, src.version, src.created_at, src.updated_at \
                     FROM seq_{}_to_{} s \
                     JOIN {t}bench_emp e ON e.n = s.seq % ? \
                     JOIN {t}bench_proj p ON p.n = IF(s.seq % 20 = 0, 0, 1 + s.seq % ?) \
                     JOIN {t}bench_src src",
                    done + 1,
                    done + chunk
                ),
                (employees.len(), projects.len() - 1),
            )
            .await
            .unwrap();
            done += chunk;
        }
        // The delivered minutes the approvals would have kept for the cloned rows.
        conn.query_drop(format!(
            "INSERT INTO {t}pet_project_delivered (project_id, role, minutes) \
             SELECT project_id, COALESCE(role, ''), CAST(SUM(minutes + adjust_minutes) AS SIGNED) \
             FROM {t}pet_time_entries WHERE status = 'approved' GROUP BY project_id, role \
             ON DUPLICATE KEY UPDATE minutes = VALUES(minutes)"
        ))
        .await
        .unwrap();
        conn.query_drop(format!("ANALYZE TABLE {t}pet_time_entries"))
            .await
            .unwrap();
        let n: Option<u64> = conn
            .query_first(format!("SELECT COUNT(*) FROM {t}pet_time_entries"))
            .await
            .unwrap();
        let on_big: Option<u64> = conn
            .exec_first(
                format!("SELECT COUNT(*) FROM {t}pet_time_entries WHERE project_id = ?"),
                (big.as_str(),),
            )
            .await
            .unwrap();
        eprintln!(
            "seeded {} time entries ({} on Big), {} employees, {} active projects in {:.1} s",
            n.unwrap_or(0),
            on_big.unwrap_or(0),
            employees.len(),
            projects.len(),
            started.elapsed().as_secs_f64()
        );
        Some(Seeded {
            app: app.clone(),
            actor,
            employees,
            big,
        })
    })
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(s) = seed(&rt) else { return };
    let mut g = c.benchmark_group("delivery");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));

    // Every active project's delivered minutes from scratch, compared with the kept ones
    // (they agree: nothing to correct, nothing recorded).
    g.bench_function("recompute_variance", |b| {
        b.iter(|| {
            let r = rt
                .block_on(s.app.delivery().recompute_variance(&s.actor))
                .unwrap();
            assert_eq!(r["corrected"], json!([]), "{}", r["checked"]);
        });
    });
    g.sample_size(30);

    let mut turn = 0usize;
    g.bench_function("timesheet_week", |b| {
        b.iter(|| {
            turn += 1;
            let e = &s.employees[turn % s.employees.len()];
            let day =
                NaiveDate::from_ymd_opt(2021, 1, 4).unwrap() + Span::weeks((turn % 260) as i64);
            let w = rt
                .block_on(s.app.delivery().timesheet(e, &day.to_string()))
                .unwrap();
            assert!(w["entries"].as_array().is_some());
        });
    });

    g.bench_function("project_page", |b| {
        b.iter(|| {
            // What the project page reads (Delivery_Admin::project_detail).
            let d = s.app.delivery();
            let p = rt.block_on(d.project(&s.big)).unwrap();
            let b = rt
                .block_on(d.project_burnup(&s.big, &json!({"weeks": 26})))
                .unwrap();
            let t = rt
                .block_on(d.project_tickets(&s.big, &json!({"per_page": 10})))
                .unwrap();
            let a = rt.block_on(d.project_allocations(&s.big)).unwrap();
            assert!(p["id"].is_string() && b.is_object() && t.is_object() && !a.is_null());
        });
    });

    // A fresh employee's week of 40 entries (8 a day, 45 minutes), submitted, per sample.
    let mut week = 0i64;
    g.bench_function("approve_week_40", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                week += 1;
                // 40 weeks of 2026 (after the cloned rows' dates) × the employees in turn: a
                // pair comes back every 200 samples, 6 hours a day more each time.
                let monday = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + Span::weeks(week % 40);
                let employee = &s.employees[(week as usize) % s.employees.len()];
                let mut ids = Vec::with_capacity(40);
                for d in 0..5 {
                    for _ in 0..8 {
                        let e = rt
                            .block_on(s.app.delivery().log_time(
                                &json!({"employee_id": employee, "project_id": s.big, "role": "Developer",
                                        "work_date": (monday + Span::days(d)).to_string(), "minutes": 45}),
                                &s.actor,
                            ))
                            .unwrap();
                        rt.block_on(s.app.delivery().submit_time_entry(&id(&e), &s.actor))
                            .unwrap();
                        ids.push(id(&e));
                    }
                }
                let started = Instant::now();
                let r = rt
                    .block_on(s.app.delivery().approve_time_week(
                        employee,
                        &monday.to_string(),
                        &s.actor,
                    ))
                    .unwrap();
                total += started.elapsed();
                assert_eq!(r["entries"].as_array().map(Vec::len), Some(40), "{r}");
            }
            total
        });
    });
    g.finish();
    rt.block_on(common::finish(&s.app));
}

criterion_group!(delivery, benches);
criterion_main!(delivery);
