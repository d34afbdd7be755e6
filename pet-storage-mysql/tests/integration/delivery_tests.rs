//! Delivery against a real database: the sale's project made exactly once (also when the
//! acceptance is replayed or repeated), concurrent approvals recording each variance
//! threshold once, the time rules through storage (24 hours a day, locks, adjustments),
//! a ticket's project checked against its customer, and every aggregate restoring as its
//! events replay.

use pet_storage_mysql::{AppError, CommandContext};
use serde_json::{json, Value};

use crate::commercial_tests::{count_type, id, pipeline, two_groups};
use crate::env;

async fn project_count(env: &crate::Env) -> u64 {
    env.count(&format!("{}pet_projects", env.config.prefix))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_accepted_quote_makes_exactly_one_project_even_when_replayed() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, customer, opp) = pipeline(app).await;
    let q = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), &actor)
        .await
        .unwrap();
    let qid = id(&q);
    app.commercial()
        .save_quote_draft(&qid, &two_groups(10), &actor)
        .await
        .unwrap();
    app.commercial()
        .send_quote(&qid, &json!({"valid_until": "2026-04-30"}), &actor)
        .await
        .unwrap();
    let keyed = CommandContext {
        idempotency_key: Some(pet_core::IdempotencyKey::new("accept-once").unwrap()),
        ..actor.clone()
    };
    let first = app
        .commercial()
        .accept_quote(&qid, &json!({"version": 1}), &keyed)
        .await
        .unwrap();
    let project_id = first["project_id"].as_str().unwrap().to_owned();
    // the same request replayed: the first result, nothing new
    let again = app
        .commercial()
        .accept_quote(&qid, &json!({"version": 1}), &keyed)
        .await
        .unwrap();
    assert_eq!(again["project_id"], json!(project_id));
    // a second acceptance without the key: a conflict, nothing new
    let err = app
        .commercial()
        .accept_quote(&qid, &json!({"version": 1}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(project_count(&env).await, 1);
    assert_eq!(count_type(&env, "project.created").await, 1);
    let p = app.delivery().project(&project_id).await.unwrap();
    assert_eq!(p["customer_id"], json!(customer));
    assert_eq!(p["sale_id"], first["sale"]["id"]);
    assert_eq!(p["status"], json!("planned"));
    assert_eq!(p["constraints"][0]["labour"][0]["minutes"], json!(600));
    assert_eq!(p["constraints"][0]["labour"][0]["role"], json!("Developer"));
    let sale = first["sale"]["id"].as_str().unwrap();
    assert_eq!(
        app.delivery().project_of_sale(sale).await.unwrap(),
        Some(project_id)
    );
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

async fn active_project(
    app: &pet_storage_mysql::App,
    actor: &CommandContext,
    minutes: i64,
) -> String {
    let p = app
        .delivery()
        .create_project(
            &json!({"name": "Website", "labour": [{"role": "Developer", "minutes": minutes}]}),
            actor,
        )
        .await
        .unwrap();
    let pid = id(&p);
    app.delivery()
        .change_project_status(&pid, "active", actor)
        .await
        .unwrap();
    pid
}

async fn log(
    app: &pet_storage_mysql::App,
    actor: &CommandContext,
    pid: &str,
    date: &str,
    minutes: i64,
) -> Result<Value, AppError> {
    app.delivery()
        .log_time(
            &json!({"project_id": pid, "role": "Developer", "work_date": date, "minutes": minutes}),
            actor,
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_approvals_record_each_threshold_once() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let actor = actor.managing_time();
    let pid = active_project(app, &actor, 600).await;
    let mut entries = Vec::new();
    for d in 0..8 {
        let e = log(app, &actor, &pid, &format!("2026-02-{:02}", 2 + d), 90)
            .await
            .unwrap();
        app.delivery()
            .submit_time_entry(&id(&e), &actor)
            .await
            .unwrap();
        entries.push(id(&e));
    }
    // eight managers approve at once: 720 of 600 sold crosses 80, 100 and 120 %
    let mut tasks = Vec::new();
    for e in entries {
        let (app, actor) = (app.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            app.delivery().approve_time_entry(&e, &actor).await
        }));
    }
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.is_ok(), "{r:?}");
    }
    // project and role Developer, three thresholds each: six marks, each once
    assert_eq!(count_type(&env, "project.variance_detected").await, 6);
    let p = app.delivery().project(&pid).await.unwrap();
    assert_eq!(p["variance"][0]["delivered_minutes"], json!(720));
    assert_eq!(p["variance"][0]["threshold_reached"], json!(120));
    assert_eq!(p["variance_marks"].as_array().unwrap().len(), 6);
    // a change order makes a new version: its thresholds are measured again
    let p = app
        .delivery()
        .record_change_order(&pid, &json!({"reason": "Two more pages", "labour_delta": [{"role": "Developer", "minutes": 300}]}), &actor)
        .await
        .unwrap();
    assert_eq!(p["constraints"].as_array().unwrap().len(), 2);
    // 720 of 900 = 80 %: recorded for version 2, project and role
    assert_eq!(count_type(&env, "project.variance_detected").await, 8);
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn time_rules_hold_through_storage() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (employee, actor) = crate::first_employee(app, "Ana").await;
    let actor = actor.managing_time();
    let pid = active_project(app, &actor, 6000).await;
    // 24 hours a day, adjustments included
    let a = log(app, &actor, &pid, "2026-02-23", 1000).await.unwrap();
    let err = log(app, &actor, &pid, "2026-02-23", 441).await.unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    log(app, &actor, &pid, "2026-02-23", 440).await.unwrap();
    app.delivery()
        .submit_time_entry(&id(&a), &actor)
        .await
        .unwrap();
    let err = app
        .delivery()
        .adjust_time_entry(
            &id(&a),
            &json!({"minutes": 1, "work_date": "2026-02-23", "reason": "more"}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    // a submitted entry blocks the lock over its date
    let err = app
        .delivery()
        .lock_time_period("2026-02-28", &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    app.delivery()
        .approve_time_entry(&id(&a), &actor)
        .await
        .unwrap();
    app.delivery()
        .lock_time_period("2026-02-28", &actor)
        .await
        .unwrap();
    // nothing dated in the locked period changes; the correction is an adjustment later
    let err = log(app, &actor, &pid, "2026-02-27", 30).await.unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let err = app
        .delivery()
        .adjust_time_entry(
            &id(&a),
            &json!({"minutes": -60, "work_date": "2026-02-24", "reason": "typo"}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let adjusted = app
        .delivery()
        .adjust_time_entry(
            &id(&a),
            &json!({"minutes": -60, "work_date": "2026-03-02", "reason": "typo"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(adjusted["effective_minutes"], json!(940));
    let p = app.delivery().project(&pid).await.unwrap();
    assert_eq!(p["variance"][0]["delivered_minutes"], json!(940));
    let week = app
        .delivery()
        .timesheet(employee["id"].as_str().unwrap(), "2026-03-04")
        .await
        .unwrap();
    assert_eq!(
        week["days"][0]["minutes"],
        json!(-60),
        "the adjustment's own day"
    );
    assert_eq!(week["locked_through"], json!("2026-02-28"));
    // no time on a project that is not active
    app.delivery()
        .change_project_status(&pid, "on_hold", &actor)
        .await
        .unwrap();
    let err = log(app, &actor, &pid, "2026-03-02", 30).await.unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_tickets_project_must_be_its_customers() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let acme = id(&app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap());
    let other = id(&app
        .identity()
        .create_customer(&json!({"name": "Other"}), &actor)
        .await
        .unwrap());
    let p = app
        .delivery()
        .create_project(&json!({"name": "Acme site", "customer_id": acme}), &actor)
        .await
        .unwrap();
    let ticket = |customer: &str| json!({"customer_id": customer, "subject": "Broken", "project_id": id(&p)});
    let err = app
        .helpdesk()
        .create_ticket(&ticket(&other), &actor)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Validation(f) if f.get("project_id").is_some()),
        "{err:?}"
    );
    app.helpdesk()
        .create_ticket(&ticket(&acme), &actor)
        .await
        .unwrap();
    env.cleanup().await;
}

/// Bad input to the project commands is every field error at once, each named after its
/// field (a list item's after the item), and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_project_input_names_every_field_and_changes_nothing() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, _, _) = pipeline(app).await;
    let fields = |r: Result<Value, AppError>| match r {
        Err(AppError::Validation(f)) => {
            let mut k: Vec<String> = f.iter().map(|(k, _)| k.to_owned()).collect();
            k.sort();
            k
        }
        other => panic!("{other:?}"),
    };
    let before = project_count(&env).await;
    let bad = json!({"name": "", "labour": [{"role": "Dev", "minutes": -5}, {"role": 7, "minutes": "x"}, 3]});
    assert_eq!(
        fields(app.delivery().create_project(&bad, &actor).await),
        [
            "labour.0.minutes",
            "labour.1.minutes",
            "labour.1.role",
            "labour.2",
            "name"
        ]
    );
    assert_eq!(
        fields(
            app.delivery()
                .create_project(&json!({"name": "X", "labour": "lots"}), &actor)
                .await
        ),
        ["labour"]
    );
    assert_eq!(project_count(&env).await, before, "nothing created");
    let pid = active_project(app, &actor, 600).await;
    let d = app.delivery();
    assert_eq!(
        fields(
            d.add_task(
                &pid,
                &json!({"title": "T", "estimate_minutes": "soon", "assignee_id": "nope"}),
                &actor
            )
            .await
        ),
        ["assignee_id", "estimate_minutes"]
    );
    assert_eq!(
        fields(
            d.add_milestone(&pid, &json!({"due": "31/12/2026"}), &actor)
                .await
        ),
        ["due", "title"]
    );
    assert_eq!(
        fields(
            d.record_change_order(&pid, &json!({"labour_delta": [{"minutes": 1.5}]}), &actor)
                .await
        ),
        ["labour_delta.0.minutes", "reason"]
    );
    // blank optional fields are "not given"; a delta may be negative
    d.add_task(&pid, &json!({"title": "T", "assignee_id": ""}), &actor)
        .await
        .unwrap();
    d.add_milestone(&pid, &json!({"title": "M", "due": ""}), &actor)
        .await
        .unwrap();
    d.record_change_order(
        &pid,
        &json!({"reason": "less", "labour_delta": [{"role": "Developer", "minutes": -60}]}),
        &actor,
    )
    .await
    .unwrap();
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_timer_becomes_a_draft_under_the_time_rules() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = crate::first_employee(app, "Ana").await;
    let ana = id(&ana);
    let pid = active_project(app, &actor, 600).await;
    // stopping or discarding what never ran is refused
    let err = app.delivery().stop_timer(&ana, &actor).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let t = app
        .delivery()
        .start_timer(
            &json!({"project_id": pid, "role": "Developer", "note": "design"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(t["running"]["target"]["project_id"], json!(pid));
    let err = app
        .delivery()
        .start_timer(&json!({"project_id": pid}), &actor)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Invariant(_)),
        "one timer at a time: {err:?}"
    );
    env.clock.advance(chrono::Duration::seconds(90 * 60 + 1));
    let view = app.delivery().timer(&ana).await.unwrap();
    assert_eq!(view["running"]["elapsed_minutes"], json!(91));
    let stopped = app.delivery().stop_timer(&ana, &actor).await.unwrap();
    assert_eq!(stopped["timer"]["running"], Value::Null);
    assert_eq!(stopped["entry"]["minutes"], json!(91));
    assert_eq!(stopped["entry"]["status"], json!("draft"));
    assert_eq!(stopped["entry"]["role"], json!("Developer"));
    assert_eq!(stopped["entry"]["work_date"], json!("2026-03-02"));
    let week = app.delivery().timesheet(&ana, "2026-03-02").await.unwrap();
    assert_eq!(week["total_minutes"], json!(91));
    let err = app.delivery().stop_timer(&ana, &actor).await.unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    // a timer on a project that takes no time is refused when it starts
    let planned = id(&app
        .delivery()
        .create_project(&json!({"name": "Later"}), &actor)
        .await
        .unwrap());
    let err = app
        .delivery()
        .start_timer(&json!({"project_id": planned}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    // bad input: a typed field error, nothing written
    let err = app
        .delivery()
        .start_timer(&json!({"project_id": pid, "ticket_id": pid}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    // a timer left running past 24 hours cannot be stopped, only discarded
    app.delivery()
        .start_timer(&json!({"project_id": pid}), &actor)
        .await
        .unwrap();
    env.clock.advance(chrono::Duration::hours(25));
    let err = app.delivery().stop_timer(&ana, &actor).await.unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let d = app.delivery().discard_timer(&ana, &actor).await.unwrap();
    assert_eq!(d["running"], Value::Null);
    assert_eq!(count_type(&env, "timer.stopped").await, 1);
    assert_eq!(count_type(&env, "timer.discarded").await, 1);
    assert_eq!(count_type(&env, "time_entry.drafted").await, 1);
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_allocation_past_capacity_is_made_and_warned_about() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = crate::first_employee(app, "Ana").await;
    let ana = id(&ana);
    let pid = active_project(app, &actor, 6000).await;
    let other = active_project(app, &actor, 6000).await;
    // 20 hours a week from the week of 9 March
    let c = app
        .delivery()
        .set_capacity(
            &json!({"employee_id": ana, "effective_from": "2026-03-09", "minutes_per_week": 1200}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(c["schedule"][0]["minutes_per_week"], json!(1200));
    let err = app
        .delivery()
        .set_capacity(
            &json!({"employee_id": ana, "effective_from": "2026-03-10", "minutes_per_week": 1200}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Validation(_)),
        "not a Monday: {err:?}"
    );
    let a = app
        .delivery()
        .allocate(
            &json!({"employee_id": ana, "project_id": pid, "starts_on": "2026-03-02",
                    "ends_on": "2026-03-22", "minutes_per_week": 1500}),
            &actor,
        )
        .await
        .unwrap();
    // week of 2 March: 1500 of the default 2400; then 1500 of 1200, twice
    assert_eq!(a["over_capacity"], json!(["2026-03-09", "2026-03-16"]));
    assert!(a["warning"].as_str().unwrap().contains("2 week"));
    assert_eq!(a["weeks"][0]["capacity"], json!(2400));
    let b = app
        .delivery()
        .allocate(
            &json!({"employee_id": ana, "project_id": other, "starts_on": "2026-03-02",
                    "ends_on": "2026-03-08", "minutes_per_week": 600}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(b["over_capacity"], json!([]));
    assert_eq!(b["warning"], Value::Null);
    assert_eq!(b["weeks"][0]["allocated"], json!(2100));
    let err = app
        .delivery()
        .allocate(
            &json!({"employee_id": ana, "project_id": pid, "starts_on": "2026-03-22",
                    "ends_on": "2026-03-02", "minutes_per_week": 60}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    let plan = app
        .delivery()
        .resource_plan(&json!({"from": "2026-03-04", "weeks": 3}))
        .await
        .unwrap();
    assert_eq!(
        plan["weeks"],
        json!(["2026-03-02", "2026-03-09", "2026-03-16"])
    );
    let row = &plan["items"][0];
    assert_eq!(row["id"], json!(ana));
    let over: Vec<bool> = row["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["over"].as_bool().unwrap())
        .collect();
    assert_eq!(over, vec![false, true, true]);
    // released, it no longer counts
    let aid = a["allocation"]["id"].as_str().unwrap();
    app.delivery()
        .release_allocation(aid, &actor)
        .await
        .unwrap();
    let err = app
        .delivery()
        .release_allocation(aid, &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let plan = app
        .delivery()
        .resource_plan(&json!({"from": "2026-03-02", "weeks": 2}))
        .await
        .unwrap();
    assert_eq!(plan["items"][0]["weeks"][1]["allocated"], json!(0));
    assert_eq!(plan["items"][0]["weeks"][0]["allocated"], json!(600));
    let listed = app.delivery().project_allocations(&pid).await.unwrap();
    assert_eq!(listed[0]["released"], json!(true));
    assert!(app
        .delivery()
        .resource_plan(&json!({"weeks": 40}))
        .await
        .is_err());
    assert_eq!(count_type(&env, "resource.allocated").await, 2);
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_approvals_queue_pages_submitted_time_by_employee() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let bo = app
        .identity()
        .create_employee(&json!({"name": "Bo", "email": "bo@example.com"}), &actor)
        .await
        .unwrap();
    let bo_ctx = CommandContext::employee(id(&bo).parse().unwrap());
    let pid = active_project(app, &actor, 6000).await;
    let mut submitted = Vec::new();
    for (ctx, day) in [
        (&actor, "2026-03-02"),
        (&actor, "2026-03-03"),
        (&bo_ctx, "2026-03-02"),
    ] {
        let e = log(app, ctx, &pid, day, 60).await.unwrap();
        app.delivery()
            .submit_time_entry(&id(&e), ctx)
            .await
            .unwrap();
        submitted.push(id(&e));
    }
    // a draft is not in the queue
    log(app, &actor, &pid, "2026-03-04", 30).await.unwrap();
    let first = app
        .delivery()
        .submitted_time(&json!({"per_page": 2}))
        .await
        .unwrap();
    assert_eq!(first["total"], json!(3));
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().unwrap();
    let second = app
        .delivery()
        .submitted_time(&json!({"per_page": 2, "after": next}))
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    let mut seen: Vec<String> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|e| {
            assert_eq!(e["status"], json!("submitted"));
            id(e)
        })
        .collect();
    seen.sort();
    submitted.sort();
    assert_eq!(seen, submitted);
    let bo_only = app
        .delivery()
        .submitted_time(&json!({"employee_id": id(&bo)}))
        .await
        .unwrap();
    assert_eq!(bo_only["total"], json!(1));
    assert!(app
        .delivery()
        .submitted_time(&json!({"employee_id": "nope"}))
        .await
        .is_err());
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_is_revised_in_one_command_keeping_its_history() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = crate::first_employee(app, "Ana").await;
    let manager = actor.clone().managing_time();
    let pid = active_project(app, &actor, 6000).await;
    let e = log(app, &actor, &pid, "2026-03-02", 120).await.unwrap();
    let eid = id(&e);
    app.delivery()
        .submit_time_entry(&eid, &actor)
        .await
        .unwrap();
    app.delivery()
        .send_back_time_entry(&eid, "Split design from build", &manager)
        .await
        .unwrap();
    // only the changed fields: the rest is kept, the reason too, one event
    let r = app
        .delivery()
        .revise_time_entry(&eid, &json!({"minutes": 90, "note": "design"}), &actor)
        .await
        .unwrap();
    assert_eq!(r["id"], json!(eid), "the same entry");
    assert_eq!(r["minutes"], json!(90));
    assert_eq!(r["note"], json!("design"));
    assert_eq!(r["role"], json!("Developer"));
    assert_eq!(r["work_date"], json!("2026-03-02"));
    assert_eq!(r["status"], json!("draft"));
    assert_eq!(r["sent_back_reason"], json!("Split design from build"));
    assert_eq!(count_type(&env, "time_entry.revised").await, 1);
    assert_eq!(count_type(&env, "time_entry.discarded").await, 0);
    // a blank role clears it; another day moves it
    let r = app
        .delivery()
        .revise_time_entry(
            &eid,
            &json!({"role": "", "work_date": "2026-03-03"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(r["role"], Value::Null);
    assert_eq!(r["work_date"], json!("2026-03-03"));
    // the day's 24 hours count the entry's own minutes once
    log(app, &actor, &pid, "2026-03-03", 1300).await.unwrap();
    app.delivery()
        .revise_time_entry(&eid, &json!({"minutes": 140}), &actor)
        .await
        .unwrap();
    let err = app
        .delivery()
        .revise_time_entry(&eid, &json!({"minutes": 141}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    // bad input names its fields and changes nothing
    let err = app
        .delivery()
        .revise_time_entry(
            &eid,
            &json!({"minutes": "lots", "work_date": "soon", "project_id": pid, "ticket_id": pid}),
            &actor,
        )
        .await
        .unwrap_err();
    match &err {
        AppError::Validation(f) => {
            let names: Vec<&str> = f.iter().map(|(k, _)| k).collect();
            assert_eq!(names, vec!["minutes", "work_date"], "{err:?}");
        }
        other => panic!("{other:?}"),
    }
    let err = app
        .delivery()
        .revise_time_entry(&eid, &json!({"project_id": pid, "ticket_id": pid}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    let err = app
        .delivery()
        .revise_time_entry(&eid, &json!({}), &actor)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Invariant(_)),
        "nothing changes: {err:?}"
    );
    // submitted time is not revised
    app.delivery()
        .submit_time_entry(&eid, &actor)
        .await
        .unwrap();
    let err = app
        .delivery()
        .revise_time_entry(&eid, &json!({"minutes": 30}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let sheet = app
        .delivery()
        .timesheet(ana["id"].as_str().unwrap(), "2026-03-03")
        .await
        .unwrap();
    assert_eq!(sheet["total_minutes"], json!(1440));
    assert_eq!(count_type(&env, "time_entry.revised").await, 3);
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_act_on_their_own_time_only_and_managers_on_anyone() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, ana_ctx) = crate::first_employee(app, "Ana").await;
    let manager = ana_ctx.clone().managing_time();
    let bo = app
        .identity()
        .create_employee(&json!({"name": "Bo", "email": "bo@example.com"}), &manager)
        .await
        .unwrap();
    let bo_ctx = CommandContext::employee(id(&bo).parse().unwrap());
    let pid = active_project(app, &manager, 6000).await;
    let e = log(app, &ana_ctx, &pid, "2026-03-02", 60).await.unwrap();
    let eid = id(&e);
    let refused = |r: Result<Value, AppError>| {
        assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    };
    // Bo (staff) cannot log, revise, submit, discard Ana's time nor run her timer
    refused(
        app.delivery()
            .log_time(
                &json!({"employee_id": id(&ana), "project_id": pid, "work_date": "2026-03-02", "minutes": 30}),
                &bo_ctx,
            )
            .await,
    );
    refused(
        app.delivery()
            .revise_time_entry(&eid, &json!({"minutes": 30}), &bo_ctx)
            .await,
    );
    refused(app.delivery().submit_time_entry(&eid, &bo_ctx).await);
    refused(app.delivery().discard_time_entry(&eid, &bo_ctx).await);
    refused(
        app.delivery()
            .start_timer(
                &json!({"employee_id": id(&ana), "project_id": pid}),
                &bo_ctx,
            )
            .await,
    );
    app.delivery()
        .start_timer(&json!({"project_id": pid}), &ana_ctx)
        .await
        .unwrap();
    refused(app.delivery().discard_timer(&id(&ana), &bo_ctx).await);
    refused(app.delivery().stop_timer(&id(&ana), &bo_ctx).await);
    // Ana submits her own; approving needs someone who manages time, even her own
    app.delivery()
        .submit_time_entry(&eid, &ana_ctx)
        .await
        .unwrap();
    refused(app.delivery().approve_time_entry(&eid, &ana_ctx).await);
    refused(app.delivery().approve_time_entry(&eid, &bo_ctx).await);
    refused(
        app.delivery()
            .send_back_time_entry(&eid, "no", &bo_ctx)
            .await,
    );
    refused(
        app.delivery()
            .approve_time_week(&id(&ana), "2026-03-02", &bo_ctx)
            .await,
    );
    assert_eq!(count_type(&env, "time_entry.approved").await, 0);
    app.delivery()
        .approve_time_entry(&eid, &manager)
        .await
        .unwrap();
    refused(
        app.delivery()
            .adjust_time_entry(
                &eid,
                &json!({"minutes": 10, "work_date": "2026-03-03", "reason": "more"}),
                &bo_ctx,
            )
            .await,
    );
    // a manager logs for Bo
    let b = app
        .delivery()
        .log_time(
            &json!({"employee_id": id(&bo), "project_id": pid, "work_date": "2026-03-02", "minutes": 30}),
            &manager,
        )
        .await
        .unwrap();
    assert_eq!(b["employee_id"], json!(id(&bo)));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_week_is_approved_or_sent_back_whole() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, ana_ctx) = crate::first_employee(app, "Ana").await;
    let manager = ana_ctx.clone().managing_time();
    let bo = app
        .identity()
        .create_employee(&json!({"name": "Bo", "email": "bo@example.com"}), &manager)
        .await
        .unwrap();
    let bo_ctx = CommandContext::employee(id(&bo).parse().unwrap());
    let web = active_project(app, &manager, 600).await;
    let ops = active_project(app, &manager, 6000).await;
    // Ana: two weeks; Bo: one week; one of Ana's entries stays a draft
    let mut ana_week = Vec::new();
    for (pid, day, m) in [
        (&web, "2026-03-02", 240),
        (&web, "2026-03-03", 240),
        (&ops, "2026-03-04", 60),
    ] {
        let e = log(app, &ana_ctx, pid, day, m).await.unwrap();
        app.delivery()
            .submit_time_entry(&id(&e), &ana_ctx)
            .await
            .unwrap();
        ana_week.push(id(&e));
    }
    let draft = log(app, &ana_ctx, &web, "2026-03-05", 30).await.unwrap();
    let later = log(app, &ana_ctx, &web, "2026-03-10", 45).await.unwrap();
    app.delivery()
        .submit_time_entry(&id(&later), &ana_ctx)
        .await
        .unwrap();
    let b = log(app, &bo_ctx, &web, "2026-03-02", 15).await.unwrap();
    app.delivery()
        .submit_time_entry(&id(&b), &bo_ctx)
        .await
        .unwrap();
    let weeks = app.delivery().submitted_weeks(&json!({})).await.unwrap();
    let items = weeks["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{weeks}");
    let ana_first = items
        .iter()
        .find(|w| w["employee_id"] == json!(id(&ana)) && w["week"] == json!("2026-03-02"))
        .unwrap();
    assert_eq!(ana_first["entries"], json!(3));
    assert_eq!(ana_first["minutes"], json!(540), "the draft is not in it");
    assert_eq!(ana_first["billable_minutes"], json!(540));
    let mut split: Vec<(String, i64)> = ana_first["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["project_id"].as_str().unwrap().to_owned(),
                p["minutes"].as_i64().unwrap(),
            )
        })
        .collect();
    split.sort();
    let mut want = vec![(web.clone(), 480), (ops.clone(), 60)];
    want.sort();
    assert_eq!(split, want);
    // pages of one week each walk every line once
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page = app
            .delivery()
            .submitted_weeks(&json!({"per_page": 1, "after": after}))
            .await
            .unwrap();
        for w in page["items"].as_array().unwrap() {
            seen.push(format!(
                "{}/{}",
                w["employee_id"].as_str().unwrap(),
                w["week"].as_str().unwrap()
            ));
        }
        match page["next"].as_str() {
            Some(n) => after = n.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    let bo_only = app
        .delivery()
        .submitted_weeks(&json!({"employee_id": id(&bo)}))
        .await
        .unwrap();
    assert_eq!(bo_only["items"].as_array().unwrap().len(), 1);
    assert!(app
        .delivery()
        .submitted_weeks(&json!({"after": "nonsense"}))
        .await
        .is_err());
    // approving Ana's first week approves its three entries in one command, any day of it
    let done = app
        .delivery()
        .approve_time_week(&id(&ana), "2026-03-05", &manager)
        .await
        .unwrap();
    assert_eq!(done["week"], json!("2026-03-02"));
    let mut approved: Vec<String> = done["entries"].as_array().unwrap().iter().map(id).collect();
    approved.sort();
    ana_week.sort();
    assert_eq!(approved, ana_week);
    assert_eq!(count_type(&env, "time_entry.approved").await, 3);
    // 480 of 600 on the web project: its 80 % threshold, project and role
    let p = app.delivery().project(&web).await.unwrap();
    assert_eq!(p["variance"][0]["delivered_minutes"], json!(480));
    assert_eq!(p["variance"][0]["threshold_reached"], json!(80));
    let d = app.delivery().time_entry(&id(&draft)).await.unwrap();
    assert_eq!(d["status"], json!("draft"), "a draft is not approved");
    // nothing left to approve in that week: refused, nothing changes
    let err = app
        .delivery()
        .approve_time_week(&id(&ana), "2026-03-02", &manager)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    // sending back a week needs a reason, and sends every submitted entry back with it
    let err = app
        .delivery()
        .send_back_time_week(&id(&ana), "2026-03-09", " ", &manager)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    let back = app
        .delivery()
        .send_back_time_week(&id(&ana), "2026-03-09", "Which task?", &manager)
        .await
        .unwrap();
    assert_eq!(back["entries"][0]["status"], json!("draft"));
    assert_eq!(back["entries"][0]["sent_back_reason"], json!("Which task?"));
    let left = app.delivery().submitted_weeks(&json!({})).await.unwrap();
    assert_eq!(left["items"].as_array().unwrap().len(), 1, "only Bo's week");
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn two_first_capacities_for_one_employee_at_once_are_both_kept_or_one_refused() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = crate::first_employee(app, "Ana").await;
    let manager = actor.managing_time();
    let ana = id(&ana);
    // two managers set Ana's first capacity at the same moment: no duplicate aggregate,
    // no lost schedule line, no internal error
    let mut tasks = Vec::new();
    for (from, minutes) in [("2026-03-02", 1200), ("2026-03-09", 1800)] {
        let (app, ctx, ana) = (app.clone(), manager.clone(), ana.clone());
        tasks.push(tokio::spawn(async move {
            app.delivery()
                .set_capacity(
                    &json!({"employee_id": ana, "effective_from": from, "minutes_per_week": minutes}),
                    &ctx,
                )
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(AppError::Conflict(_)) => {}
            Err(e) => panic!("only a conflict may refuse one: {e:?}"),
        }
    }
    assert!(ok >= 1);
    let c = app.delivery().capacity(&ana).await.unwrap();
    let schedule = c["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), ok, "{c}");
    assert_eq!(c["version"], json!(ok));
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tickets_time_is_listed_and_totalled_with_its_adjustments() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let manager = actor.clone().managing_time();
    let acme = id(&app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap());
    let t = id(&app
        .helpdesk()
        .create_ticket(&json!({"customer_id": acme, "subject": "Broken"}), &actor)
        .await
        .unwrap());
    let on_ticket = |date: &str, minutes: i64| json!({"ticket_id": t, "work_date": date, "minutes": minutes, "note": "call"});
    let a = app
        .delivery()
        .log_time(&on_ticket("2026-03-02", 60), &actor)
        .await
        .unwrap();
    let b = app
        .delivery()
        .log_time(&on_ticket("2026-03-03", 30), &actor)
        .await
        .unwrap();
    let gone = app
        .delivery()
        .log_time(&on_ticket("2026-03-04", 45), &actor)
        .await
        .unwrap();
    app.delivery()
        .discard_time_entry(&id(&gone), &actor)
        .await
        .unwrap();
    app.delivery()
        .submit_time_entry(&id(&a), &actor)
        .await
        .unwrap();
    app.delivery()
        .approve_time_entry(&id(&a), &manager)
        .await
        .unwrap();
    app.delivery()
        .adjust_time_entry(
            &id(&a),
            &json!({"minutes": -15, "work_date": "2026-03-05", "reason": "shorter"}),
            &manager,
        )
        .await
        .unwrap();
    let tt = app.delivery().ticket_time(&t).await.unwrap();
    assert_eq!(tt["count"], json!(2), "{tt}");
    assert_eq!(tt["total_minutes"], json!(75));
    assert_eq!(tt["approved_minutes"], json!(45));
    let listed: Vec<String> = tt["entries"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(
        listed,
        vec![id(&b), id(&a)],
        "newest first, the discarded one left out"
    );
    assert_eq!(tt["entries"][1]["effective_minutes"], json!(45));
    assert_eq!(tt["entries"][1]["adjustments"].as_array().unwrap().len(), 1);
    assert!(app.delivery().ticket_time("nope").await.is_err());
    env.cleanup().await;
}

/// The project page's reads: the burn-up sums approved minutes (and adjustments) week by
/// week against the version in effect, the linked tickets page newest first, the list finds
/// a project by its own or its customer's name with its variance state, and milestones and
/// tasks move through their states (refusals included).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_page_reads_burn_up_tickets_and_search() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    // Ana approves and adjusts too: she manages time.
    let actor = actor.managing_time();
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let customer = id(&app
        .identity()
        .create_customer(&json!({"name": "Holdingsworth Ltd"}), &actor)
        .await
        .unwrap());
    let p = app
        .delivery()
        .create_project(
            &json!({"name": "Website relaunch", "customer_id": customer, "labour": [{"role": "Developer", "minutes": 600}]}),
            &actor,
        )
        .await
        .unwrap();
    let pid = id(&p);
    app.delivery()
        .change_project_status(&pid, "active", &actor)
        .await
        .unwrap();
    app.delivery()
        .create_project(&json!({"name": "Intranet"}), &actor)
        .await
        .unwrap();
    let approve = |e: Value| {
        let actor = actor.clone();
        async move {
            app.delivery()
                .submit_time_entry(&id(&e), &actor)
                .await
                .unwrap();
            app.delivery()
                .approve_time_entry(&id(&e), &actor)
                .await
                .unwrap();
            id(&e)
        }
    };
    // Week of 2026-03-02: 150 approved minutes.
    env.clock.set(at("2026-03-06T12:00:00Z"));
    approve(log(app, &actor, &pid, "2026-03-02", 90).await.unwrap()).await;
    approve(log(app, &actor, &pid, "2026-03-04", 60).await.unwrap()).await;
    // Week of 2026-03-09: a change order (+300), 120 approved, 30 only submitted, and an
    // adjustment of -15 booked on the 11th.
    env.clock.set(at("2026-03-11T12:00:00Z"));
    app.delivery()
        .record_change_order(&pid, &json!({"reason": "More pages", "labour_delta": [{"role": "Developer", "minutes": 300}]}), &actor)
        .await
        .unwrap();
    let e = approve(log(app, &actor, &pid, "2026-03-10", 120).await.unwrap()).await;
    let waiting = log(app, &actor, &pid, "2026-03-11", 30).await.unwrap();
    app.delivery()
        .submit_time_entry(&id(&waiting), &actor)
        .await
        .unwrap();
    app.delivery()
        .adjust_time_entry(
            &e,
            &json!({"minutes": -15, "work_date": "2026-03-11", "reason": "Lunch"}),
            &actor,
        )
        .await
        .unwrap();
    env.clock.set(at("2026-03-18T12:00:00Z"));
    let b = app
        .delivery()
        .project_burnup(&pid, &json!({}))
        .await
        .unwrap();
    assert_eq!(
        b["weeks"],
        json!(["2026-03-02", "2026-03-09", "2026-03-16"]),
        "{b}"
    );
    assert_eq!(b["delivered"], json!([150, 255, 255]), "{b}");
    assert_eq!(b["delivered_in_week"], json!([150, 105, 0]), "{b}");
    assert_eq!(b["sold"], json!([600, 900, 900]), "{b}");
    assert_eq!(b["versions"][1]["from_week"], json!("2026-03-09"));
    assert_eq!(b["versions"][0]["data"], json!([600, null, null]));
    assert_eq!(b["truncated"], json!(false));
    let b = app
        .delivery()
        .project_burnup(&pid, &json!({"weeks": 2}))
        .await
        .unwrap();
    assert_eq!(b["weeks"], json!(["2026-03-09", "2026-03-16"]));
    assert_eq!(
        b["delivered"],
        json!([255, 255]),
        "the earlier week summed in"
    );
    assert_eq!(b["truncated"], json!(true));
    let err = app
        .delivery()
        .project_burnup(&pid, &json!({"weeks": 0}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Validation(f) if f.get("weeks").is_some()),
        "{err:?}"
    );
    let err = app
        .delivery()
        .project_burnup("01900000-0000-7000-8000-000000000000", &json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    // Linked tickets: three on the project, one not; two a page, newest first.
    for (i, subject) in ["First", "Second", "Third"].iter().enumerate() {
        env.clock.advance(chrono::Duration::minutes(i as i64 + 1));
        app.helpdesk()
            .create_ticket(
                &json!({"customer_id": customer, "subject": subject, "project_id": pid}),
                &actor,
            )
            .await
            .unwrap();
    }
    app.helpdesk()
        .create_ticket(
            &json!({"customer_id": customer, "subject": "Elsewhere"}),
            &actor,
        )
        .await
        .unwrap();
    let page = app
        .delivery()
        .project_tickets(&pid, &json!({"per_page": 2}))
        .await
        .unwrap();
    assert_eq!(page["total"], json!(3));
    let subjects = |p: &Value| -> Vec<String> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(subjects(&page), vec!["Third", "Second"]);
    let next = page["next"].as_str().unwrap().to_owned();
    let page = app
        .delivery()
        .project_tickets(&pid, &json!({"per_page": 2, "after": next}))
        .await
        .unwrap();
    assert_eq!(subjects(&page), vec!["First"]);

    // The list: by the project's name, by the customer's, and the variance state.
    let found = |q: &str| {
        let q = q.to_owned();
        async move {
            let l = app
                .delivery()
                .list_projects(&json!({"search": q}))
                .await
                .unwrap();
            l["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("relaunch").await, vec!["Website relaunch"]);
    assert_eq!(found("Holdingsworth").await, vec!["Website relaunch"]);
    assert_eq!(found("Intranet").await, vec!["Intranet"]);
    assert!(found("nothing-like-this").await.is_empty());
    let l = app
        .delivery()
        .list_projects(&json!({"customer_id": customer}))
        .await
        .unwrap();
    let item = &l["items"][0];
    assert_eq!(item["customer_name"], json!("Holdingsworth Ltd"));
    assert_eq!(item["delivered_minutes"], json!(255));
    assert_eq!(item["percent"], json!(28));
    assert_eq!(item["threshold_reached"], Value::Null);

    // Milestones and tasks.
    let p = app
        .delivery()
        .add_milestone(&pid, &json!({"title": "Beta", "due": "2026-04-01"}), &actor)
        .await
        .unwrap();
    let m = p["milestones"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(p["milestones"][0]["actions"], json!(["complete"]));
    let p = app
        .delivery()
        .add_task(&pid, &json!({"title": "Pages", "milestone_id": m}), &actor)
        .await
        .unwrap();
    let t = p["tasks"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(p["tasks"][0]["milestone_id"], json!(m));
    assert_eq!(p["tasks"][0]["next_statuses"], json!(["in_progress"]));
    let err = app
        .delivery()
        .move_task(&pid, &t, "done", &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let p = app
        .delivery()
        .move_task(&pid, &t, "in_progress", &actor)
        .await
        .unwrap();
    assert_eq!(p["tasks"][0]["next_statuses"], json!(["done"]));
    let p = app
        .delivery()
        .assign_task(&pid, &t, &actor.actor_id.unwrap().to_string(), &actor)
        .await
        .unwrap();
    assert_eq!(
        p["tasks"][0]["assignee"],
        json!(actor.actor_id.unwrap().to_string())
    );
    let p = app
        .delivery()
        .complete_milestone(&pid, &m, &actor)
        .await
        .unwrap();
    assert_eq!(p["milestones"][0]["status"], json!("done"));
    assert_eq!(p["milestones"][0]["actions"], json!([]));
    let err = app
        .delivery()
        .complete_milestone(&pid, &m, &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_week_is_saved_from_its_grid_and_submitted_whole() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, ana_ctx) = crate::first_employee(app, "Ana").await;
    let manager = ana_ctx.clone().managing_time();
    let web = active_project(app, &manager, 6000).await;
    let ops = active_project(app, &manager, 6000).await;
    let d = app.delivery();
    let ana_id = id(&ana);
    let cell =
        |p: &str, day: &str, m: i64| json!({"project_id": p, "work_date": day, "minutes": m});
    let grid = |sheet: &Value| -> Vec<(String, String, i64)> {
        let mut g: std::collections::BTreeMap<(String, String), i64> = Default::default();
        for e in sheet["entries"].as_array().unwrap() {
            *g.entry((
                e["target"]["project_id"].as_str().unwrap().to_owned(),
                e["work_date"].as_str().unwrap().to_owned(),
            ))
            .or_default() += e["minutes"].as_i64().unwrap();
        }
        g.into_iter().map(|((p, d), m)| (p, d, m)).collect()
    };
    // an existing draft of 120 on Monday, split over two entries
    log(app, &ana_ctx, &web, "2026-02-02", 90).await.unwrap();
    log(app, &ana_ctx, &web, "2026-02-02", 30).await.unwrap();
    let sheet = d
        .save_week(
            &ana_id,
            "2026-02-04",
            &json!({"cells": [cell(&web, "2026-02-02", 60), cell(&ops, "2026-02-03", 480), cell(&web, "2026-02-04", 0)]}),
            &ana_ctx,
        )
        .await
        .unwrap();
    assert_eq!(sheet["week"], json!("2026-02-02"));
    let mut want = vec![
        (web.clone(), "2026-02-02".to_owned(), 60),
        (ops.clone(), "2026-02-03".to_owned(), 480),
    ];
    want.sort();
    assert_eq!(grid(&sheet), want, "reading the week gives the grid back");
    assert_eq!(count_type(&env, "time_entry.discarded").await, 1);
    assert_eq!(count_type(&env, "time_entry.revised").await, 1);
    // saving the same grid again changes nothing
    let events = env
        .count(&format!("{}pet_domain_events", env.config.prefix))
        .await;
    d.save_week(
        &ana_id,
        "2026-02-02",
        &json!({"cells": [cell(&web, "2026-02-02", 60), cell(&ops, "2026-02-03", 480)]}),
        &ana_ctx,
    )
    .await
    .unwrap();
    assert_eq!(
        env.count(&format!("{}pet_domain_events", env.config.prefix))
            .await,
        events
    );
    // a day over 24 hours refuses the whole save: nothing changes
    let err = d
        .save_week(
            &ana_id,
            "2026-02-02",
            &json!({"cells": [cell(&web, "2026-02-05", 30), cell(&web, "2026-02-03", 1000)]}),
            &ana_ctx,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    assert_eq!(
        env.count(&format!("{}pet_domain_events", env.config.prefix))
            .await,
        events
    );
    // bad input is a typed refusal
    for bad in [
        json!({}),
        json!({"cells": [{"work_date": "2026-02-02", "minutes": 30}]}),
        json!({"cells": [cell(&web, "2026-02-09", 30)]}),
    ] {
        let err = d
            .save_week(&ana_id, "2026-02-02", &bad, &ana_ctx)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Validation(_)), "{bad}: {err:?}");
    }
    // lock Tuesday: submitting the week (a draft on Tuesday) is refused as a whole
    d.lock_time_period("2026-02-03", &manager).await.unwrap();
    let err = d
        .submit_week(&ana_id, "2026-02-02", &ana_ctx)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    assert_eq!(count_type(&env, "time_entry.submitted").await, 0);
    // the next week submits whole
    d.save_week(
        &ana_id,
        "2026-02-09",
        &json!({"cells": [cell(&web, "2026-02-09", 60), cell(&ops, "2026-02-10", 30)]}),
        &ana_ctx,
    )
    .await
    .unwrap();
    let done = d
        .submit_week(&ana_id, "2026-02-11", &ana_ctx)
        .await
        .unwrap();
    assert_eq!(done["entries"].as_array().unwrap().len(), 2);
    assert_eq!(count_type(&env, "time_entry.submitted").await, 2);
    let weeks = d.submitted_weeks(&json!({})).await.unwrap();
    assert_eq!(weeks["items"].as_array().unwrap().len(), 1, "{weeks}");
    assert_eq!(weeks["items"][0]["week"], json!("2026-02-09"));
    assert_eq!(weeks["items"][0]["entries"], json!(2));
    assert_eq!(weeks["items"][0]["minutes"], json!(90));
    // a submitted cell is corrected by an adjustment, not by the week
    let err = d
        .save_week(
            &ana_id,
            "2026-02-09",
            &json!({"cells": [cell(&web, "2026-02-09", 90)]}),
            &ana_ctx,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let err = d
        .submit_week(&ana_id, "2026-02-09", &ana_ctx)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Invariant(_)),
        "nothing left to submit: {err:?}"
    );
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn variance_recomputed_from_scratch_matches_the_kept_figures_and_records_nothing_twice() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_ana, ana_ctx) = crate::first_employee(app, "Ana").await;
    let manager = ana_ctx.clone().managing_time();
    let d = app.delivery();
    let web = active_project(app, &manager, 600).await;
    let ops = active_project(app, &manager, 6000).await;
    let idle = active_project(app, &manager, 600).await;
    // approved time on two projects (one with an adjustment after approval, one entry
    // without a role), a submitted entry that does not count
    for (pid, day, m) in [
        (&web, "2026-02-02", 300),
        (&web, "2026-02-03", 200),
        (&ops, "2026-02-02", 120),
    ] {
        let e = log(app, &manager, pid, day, m).await.unwrap();
        d.submit_time_entry(&id(&e), &manager).await.unwrap();
        d.approve_time_entry(&id(&e), &manager).await.unwrap();
    }
    let e = app
        .delivery()
        .log_time(
            &json!({"project_id": ops, "work_date": "2026-02-04", "minutes": 60}),
            &manager,
        )
        .await
        .unwrap();
    d.submit_time_entry(&id(&e), &manager).await.unwrap();
    d.approve_time_entry(&id(&e), &manager).await.unwrap();
    d.adjust_time_entry(
        &id(&e),
        &json!({"minutes": -15, "work_date": "2026-02-05", "reason": "typo"}),
        &manager,
    )
    .await
    .unwrap();
    let pending = log(app, &manager, &ops, "2026-02-05", 30).await.unwrap();
    d.submit_time_entry(&id(&pending), &manager).await.unwrap();
    let variance = |p: Value| p["variance"].clone();
    let kept = [
        variance(d.project(&web).await.unwrap()),
        variance(d.project(&ops).await.unwrap()),
        variance(d.project(&idle).await.unwrap()),
    ];
    let detected = count_type(&env, "project.variance_detected").await;
    assert!(detected > 0, "500 of 600 crossed 80 %");
    // from scratch, the incrementally kept figures are reproduced: nothing to correct
    let r = d.recompute_variance(&manager).await.unwrap();
    assert_eq!(r["checked"], json!(3), "{r}");
    assert_eq!(r["corrected"], json!([]), "{r}");
    // staff may not run it
    assert!(d.recompute_variance(&ana_ctx).await.is_err());
    // figures gone wrong (lost, or drifted) are rebuilt; thresholds already recorded are
    // not recorded again
    let mut c = env.pool().get_conn().await.unwrap();
    use mysql_async::prelude::Queryable;
    let t = format!("{}pet_project_delivered", env.config.prefix);
    c.exec_drop(
        format!("DELETE FROM {t} WHERE project_id = ?"),
        (web.clone(),),
    )
    .await
    .unwrap();
    c.exec_drop(
        format!("UPDATE {t} SET minutes = minutes + 7 WHERE project_id = ?"),
        (ops.clone(),),
    )
    .await
    .unwrap();
    drop(c);
    let r = d.recompute_variance(&manager).await.unwrap();
    let mut fixed: Vec<String> = r["corrected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    fixed.sort();
    let mut want = vec![web.clone(), ops.clone()];
    want.sort();
    assert_eq!(fixed, want, "{r}");
    assert_eq!(r["thresholds"], json!(0));
    assert_eq!(
        count_type(&env, "project.variance_detected").await,
        detected
    );
    let again = [
        variance(d.project(&web).await.unwrap()),
        variance(d.project(&ops).await.unwrap()),
        variance(d.project(&idle).await.unwrap()),
    ];
    assert_eq!(again, kept);
    assert_eq!(
        d.recompute_variance(&manager).await.unwrap()["corrected"],
        json!([])
    );
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}
