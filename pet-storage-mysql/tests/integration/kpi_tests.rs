//! KPIs against a real database: a definition backfilled by the job, its explanation
//! adding up, "as of" giving the number known then, a second version leaving the first's
//! results alone, and two job runners at once writing each fact and result once.

use pet_storage_mysql::AppError;
use serde_json::{json, Value};

use crate::commercial_tests::id;
use crate::env;

async fn logged_and_approved(
    app: &pet_storage_mysql::App,
    actor: &pet_storage_mysql::CommandContext,
    pid: &str,
    date: &str,
    minutes: i64,
) {
    let e = app
        .delivery()
        .log_time(
            &json!({"project_id": pid, "role": "Developer", "work_date": date, "minutes": minutes}),
            actor,
        )
        .await
        .unwrap();
    app.delivery()
        .submit_time_entry(&id(&e), actor)
        .await
        .unwrap();
    // The approval is a time manager's (the engine's rule).
    app.delivery()
        .approve_time_entry(&id(&e), &actor.clone().managing_time())
        .await
        .unwrap();
}

fn march(results: &Value) -> &Value {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period_start"] == json!("2026-03-01"))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kpi_is_backfilled_explained_and_versioned() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let p = app
        .delivery()
        .create_project(
            &json!({"name": "Website", "labour": [{"role": "Developer", "minutes": 6000}]}),
            &actor,
        )
        .await
        .unwrap();
    let pid = id(&p);
    app.delivery()
        .change_project_status(&pid, "active", &actor)
        .await
        .unwrap();
    logged_and_approved(app, &actor, &pid, "2026-03-02", 240).await;

    // Bad input: every field named, nothing written.
    let err = app
        .kpi()
        .define_kpi(&json!({"name": "", "calculator": "magic"}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    let err = app
        .kpi()
        .define_kpi(
            &json!({"name": "U", "calculator": "utilisation", "scope": "customer",
                "scope_id": "0190a1b2-0000-7000-8000-000000000001"}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Validation(f) if f.get("scope").is_some()),
        "{err:?}"
    );

    let k = app
        .kpi()
        .define_kpi(
            &json!({"name": "Utilisation", "calculator": "utilisation", "scope": "org",
                "grain": "month", "target": "75"}),
            &actor,
        )
        .await
        .unwrap();
    let kid = id(&k);
    assert_eq!(k["versions"][0]["backfill_status"], json!("pending"));
    let report = app.kpi().run_kpis().await.unwrap();
    assert!(report.facts >= 3, "{report:?}");
    assert_eq!(report.backfilled, 1);
    let v = app.kpi().get_kpi(&kid).await.unwrap();
    assert_eq!(v["versions"][0]["backfill_status"], json!("done"));
    assert_eq!(
        v["versions"][0]["periods_done"],
        v["versions"][0]["periods_total"]
    );
    // March: 240 billable minutes of 22 weekdays × 480 (Ana joined on Monday 2 March).
    let r = app.kpi().kpi_results(&kid, &json!({})).await.unwrap();
    let m = march(&r);
    assert_eq!(
        (m["numerator"].clone(), m["denominator"].clone()),
        (json!(240), json!(22 * 480))
    );
    assert_eq!(m["value"], json!("2.3"));

    // The explanation adds up and names its facts (names come from the activity feed's
    // name table, which reading the feed brings up to date).
    app.activity(&json!({})).await.unwrap();
    let e = app
        .kpi()
        .explain_kpi(&kid, &json!({"period": "2026-03-15"}))
        .await
        .unwrap();
    let parts = e["result"]["parts"].as_array().unwrap();
    let sum = |k: &str| parts.iter().map(|p| p[k].as_i64().unwrap()).sum::<i64>();
    assert_eq!(sum("numerator"), 240);
    assert_eq!(sum("denominator"), 22 * 480);
    assert!(parts
        .iter()
        .any(|p| p["event_type"] == json!("time_entry.approved")));
    assert!(e["names"]
        .as_object()
        .unwrap()
        .values()
        .any(|n| n.as_str().unwrap().contains("Ana")));

    // More time; then "as of" before it was approved gives the number known then.
    let before = app.now();
    env.clock.advance(chrono::Duration::minutes(5));
    logged_and_approved(app, &actor, &pid, "2026-03-03", 120).await;
    app.kpi().run_kpis().await.unwrap();
    let now = app.kpi().kpi_results(&kid, &json!({})).await.unwrap();
    assert_eq!(march(&now)["numerator"], json!(360));
    let then = app
        .kpi()
        .kpi_results(
            &kid,
            &json!({"as_of": pet_storage_mysql::db::rfc3339(before)}),
        )
        .await
        .unwrap();
    assert_eq!(march(&then)["numerator"], json!(240));

    // Version 2 (weekly): backfilled on its own; version 1's results unchanged.
    let k2 = app
        .kpi()
        .publish_kpi_version(
            &kid,
            &json!({"calculator": "utilisation", "scope": "org", "grain": "week"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(k2["current_version"], json!(2));
    app.kpi().run_kpis().await.unwrap();
    let v1 = app
        .kpi()
        .kpi_results(&kid, &json!({"version": 1}))
        .await
        .unwrap();
    assert_eq!(march(&v1)["numerator"], json!(360));
    let v2 = app.kpi().kpi_results(&kid, &json!({})).await.unwrap();
    assert_eq!(v2["version"], json!(2));
    let week = v2["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period_start"] == json!("2026-03-02"))
        .unwrap();
    assert_eq!(
        (week["numerator"].clone(), week["denominator"].clone()),
        (json!(360), json!(5 * 480))
    );
    let dash = app.kpi().kpi_dashboard(&json!({})).await.unwrap();
    assert_eq!(dash["tiles"].as_array().unwrap().len(), 1);
    assert_eq!(dash["tiles"][0]["version"], json!(2));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_job_runners_at_once_write_each_fact_and_result_once() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let p = app
        .delivery()
        .create_project(
            &json!({"name": "Website", "labour": [{"role": "Developer", "minutes": 6000}]}),
            &actor,
        )
        .await
        .unwrap();
    let pid = id(&p);
    app.delivery()
        .change_project_status(&pid, "active", &actor)
        .await
        .unwrap();
    app.kpi()
        .define_kpi(
            &json!({"name": "Billable ratio", "calculator": "billable_ratio", "grain": "week"}),
            &actor,
        )
        .await
        .unwrap();
    for d in 2..8 {
        logged_and_approved(app, &actor, &pid, &format!("2026-02-{:02}", d + 10), 60).await;
    }
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let app = app.clone();
        tasks.push(tokio::spawn(
            async move { app.kpi().run_kpis_batched(3).await },
        ));
    }
    let mut facts = 0;
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        facts += r.facts;
    }
    let stored = env
        .count(&format!("{}pet_kpi_facts", env.config.prefix))
        .await;
    assert_eq!(facts, stored, "each fact written by one runner only");
    // 6 approvals, the employee's capacity, the project's sold minutes.
    assert_eq!(stored, 8);
    let mut c = env.pool().get_conn().await.unwrap();
    use mysql_async::prelude::*;
    let dup: Option<u64> = c
        .query_first(format!(
            "SELECT COUNT(*) FROM (SELECT kpi_id, number, period_start FROM {}pet_kpi_results \
             GROUP BY kpi_id, number, period_start HAVING COUNT(*) > 1) d",
            env.config.prefix
        ))
        .await
        .unwrap();
    assert_eq!(dup, Some(0));
    drop(c);
    let kpis = app.kpi().list_kpis(&json!({})).await.unwrap();
    let kid = kpis["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .kpi()
        .kpi_results(&kid, &json!({"periods": 8}))
        .await
        .unwrap();
    let total: i64 = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["numerator"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 360, "{r}");
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kpis_list_as_a_flat_keyset_paged_list() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (emp, actor) = crate::first_employee(app, "Ana").await;
    let emp = id(&emp);
    for (name, scope, sid) in [
        ("Cc", "org", None),
        ("Aa", "employee", Some(emp.clone())),
        ("Bb", "org", None),
    ] {
        app.kpi()
            .define_kpi(
                &json!({"name": name, "calculator": "billable_ratio", "scope": scope,
                    "scope_id": sid, "grain": "week"}),
                &actor,
            )
            .await
            .unwrap();
    }
    // Ana's name comes from the activity feed's name table.
    app.activity(&json!({})).await.unwrap();
    let p1 = app.kpi().list_kpis(&json!({"per_page": 2})).await.unwrap();
    let names = |p: &Value| -> Vec<String> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&p1), ["Aa", "Bb"], "{p1}");
    assert_eq!(p1["total"], json!(3));
    assert_eq!(p1["items"][0]["current"]["number"], json!(1));
    assert_eq!(
        p1["items"][0]["current"]["spec"]["calculator"],
        json!("billable_ratio")
    );
    assert!(
        p1["items"][0]["scope_name"]
            .as_str()
            .is_some_and(|n| n.contains("Ana")),
        "{p1}"
    );
    assert_eq!(p1["items"][1]["scope_name"], Value::Null);
    let next = p1["next"].as_str().unwrap();
    let p2 = app
        .kpi()
        .list_kpis(&json!({"per_page": 2, "after": next}))
        .await
        .unwrap();
    assert_eq!(names(&p2), ["Cc"], "{p2}");
    // A new version shows in the list as the current one.
    let cc = p2["items"][0]["id"].as_str().unwrap().to_owned();
    app.kpi()
        .publish_kpi_version(
            &cc,
            &json!({"calculator": "quote_win_rate", "scope": "org", "grain": "month"}),
            &actor,
        )
        .await
        .unwrap();
    let p2 = app
        .kpi()
        .list_kpis(&json!({"per_page": 2, "after": next}))
        .await
        .unwrap();
    assert_eq!(p2["items"][0]["current"]["number"], json!(2));
    assert_eq!(
        p2["items"][0]["current"]["spec"]["calculator"],
        json!("quote_win_rate")
    );
    // Every KPI definition restores from its rows as its events give it.
    let seen = crate::every_aggregate_restores_as_replayed(&env).await;
    assert!(seen.contains("kpi_definition"), "{seen:?}");
    // Bad paging is a typed error.
    assert!(matches!(
        app.kpi().list_kpis(&json!({"per_page": 0})).await,
        Err(AppError::Validation(_))
    ));
    env.cleanup().await;
}

/// Sold vs delivered is kept as running totals (each period from the state stored with the
/// one before and its own facts): after job runs between time logged in several months,
/// late time on an earlier month, a project sold in February whose January time then
/// counts, every stored result equals the result computed from every fact (`as_of` after
/// everything recomputes from the facts), for the org and for one project.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sold_vs_delivered_kept_incrementally_equals_a_from_scratch_computation() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    env.clock.set(at("2026-01-05T09:00:00Z"));
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let project = |name: &str, labour: Value| {
        let app = app.clone();
        let actor = actor.clone();
        let name = name.to_owned();
        async move {
            let p = app
                .delivery()
                .create_project(&json!({"name": name, "labour": labour}), &actor)
                .await
                .unwrap();
            let pid = id(&p);
            app.delivery()
                .change_project_status(&pid, "active", &actor)
                .await
                .unwrap();
            pid
        }
    };
    let a = project("Website", json!([{"role": "Developer", "minutes": 6000}])).await;
    let mut kids = Vec::new();
    for (name, scope, scope_id) in [
        ("Org", "org", None),
        ("Website", "project", Some(a.clone())),
    ] {
        let k = app
            .kpi()
            .define_kpi(
                &json!({"name": format!("Delivered {name}"), "calculator": "sold_vs_delivered",
                    "scope": scope, "scope_id": scope_id, "grain": "month"}),
                &actor,
            )
            .await
            .unwrap();
        kids.push(id(&k));
    }
    logged_and_approved(app, &actor, &a, "2026-01-06", 60).await;
    app.kpi().run_kpis().await.unwrap();
    // January: a project with no sold minutes yet (sold in February by a change order).
    let b = project("Intranet", json!([])).await;
    logged_and_approved(app, &actor, &a, "2026-01-20", 90).await;
    logged_and_approved(app, &actor, &b, "2026-01-21", 45).await;
    app.kpi().run_kpis().await.unwrap();
    env.clock.set(at("2026-02-10T09:00:00Z"));
    logged_and_approved(app, &actor, &a, "2026-02-09", 120).await;
    app.kpi().run_kpis().await.unwrap();
    app.delivery()
        .record_change_order(
            &b,
            &json!({"reason": "Signed", "labour_delta": [{"role": "Developer", "minutes": 600}]}),
            &actor,
        )
        .await
        .unwrap();
    app.kpi().run_kpis().await.unwrap();
    env.clock.set(at("2026-03-16T09:00:00Z"));
    // Late time on January, then March's.
    logged_and_approved(app, &actor, &a, "2026-01-30", 30).await;
    logged_and_approved(app, &actor, &b, "2026-03-02", 15).await;
    app.kpi().run_kpis().await.unwrap();
    let after = json!({"periods": 4, "as_of": "2026-03-20T00:00:00Z"});
    let mut checked = 0;
    for kid in &kids {
        let stored = app
            .kpi()
            .kpi_results(kid, &json!({"periods": 4}))
            .await
            .unwrap();
        let scratch = app.kpi().kpi_results(kid, &after).await.unwrap();
        let nums = |r: &Value| -> Vec<Value> {
            r["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    json!([
                        x["label"],
                        x["numerator"],
                        x["denominator"],
                        x["value_tenths"],
                        x["part_count"]
                    ])
                })
                .collect()
        };
        assert_eq!(nums(&stored), nums(&scratch), "{stored}\n{scratch}");
        checked += nums(&stored)
            .iter()
            .filter(|r| r[4].as_u64().unwrap_or(0) > 0)
            .count();
    }
    // The org's March: both projects sold, every minute counted.
    let org = app
        .kpi()
        .kpi_results(&kids[0], &json!({"periods": 1}))
        .await
        .unwrap();
    assert_eq!(
        (
            org["results"][0]["numerator"].clone(),
            org["results"][0]["denominator"].clone()
        ),
        (json!(60 + 90 + 45 + 120 + 30 + 15 - 6600), json!(6600)),
        "{org}"
    );
    assert!(checked >= 5, "{checked} periods with facts");
    // Each stored result keeps its running state (what the next period starts from).
    let mut c = env.pool().get_conn().await.unwrap();
    use mysql_async::prelude::*;
    let states: Option<(u64, u64)> = c
        .query_first(format!(
            "SELECT COUNT(*), COUNT(running) FROM {}pet_kpi_results",
            env.config.prefix
        ))
        .await
        .unwrap();
    let (rows, with_state) = states.unwrap();
    assert!(
        rows >= 6 && rows == with_state,
        "{rows} results, {with_state} with a state"
    );
    drop(c);
    env.cleanup().await;
}
