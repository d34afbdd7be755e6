//! Helpdesk, SLA and knowledge base through the App facade: tickets under business-hours
//! SLAs, the SLA job recording warnings and breaches exactly once (overlapping runs, a run
//! that stops half-way, a batch that fails), version pinning, rejections that write
//! nothing, knowledge articles with versions, restore, comments, links and full-text search.

use chrono::{DateTime, Duration, Utc};
use mysql_async::prelude::*;
use pet_storage_mysql::helpdesk::{SlaRunOptions, SlaRunReport};
use pet_storage_mysql::{AppError, CommandContext};
use serde_json::{json, Value};

use crate::{env, start_time, Env};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn spec(first_response: i64, warning: i64) -> Value {
    let day = json!([{"start": "09:00", "end": "17:00"}]);
    json!({
        "calendar": {
            "timezone": "Europe/London",
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": ["2026-12-25"]
        },
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
            "normal": {"first_response_minutes": first_response, "resolution_minutes": 480},
            "high": {"first_response_minutes": 30, "resolution_minutes": 240},
            "urgent": {"first_response_minutes": 15, "resolution_minutes": 120}
        },
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": warning,
        "always_on": ["urgent"]
    })
}

struct Setup {
    actor: CommandContext,
    customer: String,
    definition: String,
}

async fn setup(env: &Env) -> Setup {
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana Ruiz").await;
    let customer = app
        .identity()
        .create_customer(&json!({"name": "Acme Ltd"}), &actor)
        .await
        .unwrap();
    let def = app
        .helpdesk()
        .create_sla_definition(
            &json!({"name": "Standard support", "spec": spec(60, 80)}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(def["current_version"], json!(1));
    assert_eq!(def["actions"], json!(["publish"]));
    let options = app.helpdesk().sla_options().await.unwrap();
    assert_eq!(
        options,
        json!({"priorities": ["low", "normal", "high", "urgent"],
               "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
               "pause_statuses": ["new", "open", "waiting_on_customer"]})
    );
    Setup {
        actor,
        customer: id(&customer),
        definition: id(&def),
    }
}

async fn count_events(env: &Env, event_type: &str) -> u64 {
    let mut c = env.pool().get_conn().await.unwrap();
    let n: Option<u64> = c
        .exec_first(
            format!(
                "SELECT COUNT(*) FROM {} WHERE event_type = ?",
                env.app.tables().events
            ),
            (event_type,),
        )
        .await
        .unwrap();
    n.unwrap()
}

async fn new_ticket(env: &Env, s: &Setup, subject: &str, priority: &str) -> String {
    let t = env
        .app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": subject, "priority": priority,
                    "sla_definition_id": s.definition}),
            &s.actor,
        )
        .await
        .unwrap();
    id(&t)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ticket_under_business_hours_sla_warns_then_breaches_once() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    // Monday 2 March 2026, 09:00 London (= UTC in March).
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Invoices page times out",
                    "channel": "phone", "sla_definition_id": s.definition}),
            &s.actor,
        )
        .await
        .unwrap();
    let tid = id(&t);
    assert_eq!(t["status"], json!("new"));
    assert_eq!(t["sla"]["definition_version"], json!(1));
    assert_eq!(t["sla"]["first_response"]["state"], json!("running"));
    assert_eq!(
        t["sla"]["first_response"]["due_at"],
        json!("2026-03-02T10:00:00.000000Z")
    );
    env.clock.set(at("2026-03-02T09:10:00Z"));
    app.helpdesk()
        .change_ticket_status(&tid, "open", &s.actor)
        .await
        .unwrap();
    env.clock.set(at("2026-03-02T09:20:00Z"));
    let w = app
        .helpdesk()
        .change_ticket_status(&tid, "waiting_on_customer", &s.actor)
        .await
        .unwrap();
    assert_eq!(w["sla"]["state"], json!("paused"));
    assert_eq!(count_events(&env, "sla.paused").await, 1);
    env.clock.set(at("2026-03-02T09:40:00Z"));
    app.helpdesk()
        .change_ticket_status(&tid, "open", &s.actor)
        .await
        .unwrap();
    assert_eq!(count_events(&env, "sla.resumed").await, 1);
    // 10:00: 40 business minutes used (20 before the pause, 20 after): nothing to record.
    env.clock.set(at("2026-03-02T10:00:00Z"));
    let r = app.helpdesk().evaluate_slas().await.unwrap();
    assert_eq!((r.evaluated, r.tickets_recorded), (1, 0), "{r:?}");
    let g = app.helpdesk().get_ticket(&tid).await.unwrap();
    assert_eq!(g["sla"]["first_response"]["elapsed_minutes"], json!(40));
    assert_eq!(
        g["sla"]["first_response"]["due_at"],
        json!("2026-03-02T10:20:00.000000Z")
    );
    // 10:10: past 80 % (48 minutes at 10:08): the warning, once.
    env.clock.set(at("2026-03-02T10:10:00Z"));
    let r = app.helpdesk().evaluate_slas().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (1, 0), "{r:?}");
    let r = app.helpdesk().evaluate_slas().await.unwrap();
    assert_eq!(r.tickets_recorded, 0, "{r:?}");
    let l = app
        .helpdesk()
        .list_tickets(&json!({"sla_state": "warning"}))
        .await
        .unwrap();
    assert_eq!(l["total"], json!(1));
    // 10:21: breached (due 10:20), once; the breach stays after a reply.
    env.clock.set(at("2026-03-02T10:21:00Z"));
    let r = app.helpdesk().evaluate_slas().await.unwrap();
    assert_eq!((r.warnings, r.breaches), (0, 1), "{r:?}");
    assert_eq!(
        app.helpdesk()
            .evaluate_slas()
            .await
            .unwrap()
            .tickets_recorded,
        0
    );
    env.clock.set(at("2026-03-02T10:25:00Z"));
    let rep = app
        .helpdesk()
        .reply_to_ticket(&tid, &json!({"body": "Looking into it"}), &s.actor)
        .await
        .unwrap();
    assert_eq!(rep["sla"]["first_response"]["state"], json!("breached"));
    assert_eq!(
        rep["sla"]["first_response"]["breached_at"],
        json!("2026-03-02T10:20:00.000000Z")
    );
    assert_eq!(rep["replies"].as_array().unwrap().len(), 1);
    assert!(rep["first_response_at"].is_string());
    // Resolving records the resolution target as met, in the same transaction.
    env.clock.set(at("2026-03-02T10:30:00Z"));
    let res = app.helpdesk().resolve_ticket(&tid, &s.actor).await.unwrap();
    assert_eq!(res["sla"]["resolution"]["state"], json!("met"));
    assert_eq!(count_events(&env, "sla.warning").await, 1);
    assert_eq!(count_events(&env, "sla.breached").await, 1);
    assert_eq!(count_events(&env, "sla.met").await, 1);
    assert_eq!(env.count(&app.helpdesk_tables().sla_events).await, 3);
    // Nothing open any more: the job evaluates nothing.
    assert_eq!(app.helpdesk().evaluate_slas().await.unwrap().evaluated, 0);
    // The activity feed shows the warning and the breach.
    let feed = app
        .activity(&json!({"context_type": "ticket", "context_id": tid, "per_page": 100}))
        .await
        .unwrap();
    let lines: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["line"].as_str().unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("first-response SLA warning")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("first-response SLA breached")),
        "{lines:?}"
    );
    // Reply to a closed ticket: refused, nothing written.
    app.helpdesk().close_ticket(&tid, &s.actor).await.unwrap();
    let before = env.count(&app.tables().events).await;
    let r = app
        .helpdesk()
        .reply_to_ticket(&tid, &json!({"body": "hello?"}), &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    assert_eq!(env.count(&app.tables().events).await, before);
    assert_eq!(env.count(&app.helpdesk_tables().replies).await, 1);
    let restored = crate::every_aggregate_restores_as_replayed(&env).await;
    for kind in ["ticket", "sla_definition", "sla_assignment"] {
        assert!(restored.contains(kind), "no {kind} checked: {restored:?}");
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tickets_stay_pinned_to_the_version_in_force_when_assigned() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let old = new_ticket(&env, &s, "Old rules", "normal").await;
    let v2 = app
        .helpdesk()
        .publish_sla_version(&s.definition, &json!({"spec": spec(240, 90)}), &s.actor)
        .await
        .unwrap();
    assert_eq!(v2["current_version"], json!(2));
    assert_eq!(v2["versions"].as_array().unwrap().len(), 2);
    // The same content again is refused.
    let r = app
        .helpdesk()
        .publish_sla_version(&s.definition, &json!({"spec": spec(240, 90)}), &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    let new = new_ticket(&env, &s, "New rules", "normal").await;
    let o = app.helpdesk().get_ticket(&old).await.unwrap();
    let n = app.helpdesk().get_ticket(&new).await.unwrap();
    assert_eq!(o["sla"]["definition_version"], json!(1));
    assert_eq!(o["sla"]["first_response"]["target_minutes"], json!(60));
    assert_eq!(n["sla"]["definition_version"], json!(2));
    assert_eq!(n["sla"]["first_response"]["target_minutes"], json!(240));
    // An 80-minute wait breaches the old ticket only.
    env.clock.advance(Duration::minutes(80));
    let r = app.helpdesk().evaluate_slas().await.unwrap();
    assert_eq!(r.breaches, 1, "{r:?}");
    let l = app
        .helpdesk()
        .list_tickets(&json!({"sla_state": "breached"}))
        .await
        .unwrap();
    assert_eq!(l["items"][0]["id"], json!(old));
    // Sorting by due time: the unbreached ticket's due time is the only one left open
    // for first response, the breached one's resolution is due sooner.
    let l = app
        .helpdesk()
        .list_tickets(&json!({"sort": "due"}))
        .await
        .unwrap();
    assert_eq!(l["total"], json!(2));
    // A ticket without an SLA, then assigned one later (once).
    let plain = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "No SLA yet"}),
            &s.actor,
        )
        .await
        .unwrap();
    assert!(plain["sla"].is_null());
    let a = app
        .helpdesk()
        .assign_ticket_sla(&id(&plain), &s.definition, &s.actor)
        .await
        .unwrap();
    assert_eq!(a["sla"]["definition_version"], json!(2));
    let r = app
        .helpdesk()
        .assign_ticket_sla(&id(&plain), &s.definition, &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    let l = app
        .helpdesk()
        .list_tickets(&json!({"sla_state": "none"}))
        .await
        .unwrap();
    assert_eq!(l["total"], json!(0));
    env.cleanup().await;
}

fn sum(a: &SlaRunReport, b: &SlaRunReport) -> (u64, u64) {
    (a.warnings + b.warnings, a.breaches + b.breaches)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_sla_runs_record_each_outcome_exactly_once() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    for n in 0..24 {
        new_ticket(&env, &s, &format!("Ticket {n}"), "normal").await;
    }
    let later = start_time() + Duration::minutes(70);
    let opts = SlaRunOptions {
        page_size: 5,
        batch_size: 4,
        max_batches: None,
    };
    let a = app.clone();
    let b = app.clone();
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { a.helpdesk().evaluate_slas_at(later, opts).await }),
        tokio::spawn(async move { b.helpdesk().evaluate_slas_at(later, opts).await })
    );
    let (ra, rb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
    assert_eq!(sum(&ra, &rb), (24, 24), "{ra:?} {rb:?}");
    assert_eq!(count_events(&env, "sla.warning").await, 24);
    assert_eq!(count_events(&env, "sla.breached").await, 24);
    assert_eq!(env.count(&app.helpdesk_tables().sla_events).await, 48);
    // A third run later finds nothing new for the first response.
    let r = app
        .helpdesk()
        .evaluate_slas_at(later + Duration::minutes(5), SlaRunOptions::default())
        .await
        .unwrap();
    assert_eq!((r.warnings, r.breaches), (0, 0), "{r:?}");
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_sla_run_that_stops_or_fails_half_way_is_completed_by_the_next() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    for n in 0..10 {
        new_ticket(&env, &s, &format!("Ticket {n}"), "normal").await;
    }
    // 50 minutes in: past the warning threshold, not breached.
    let now = start_time() + Duration::minutes(50);
    let first = app
        .helpdesk()
        .evaluate_slas_at(
            now,
            SlaRunOptions {
                page_size: 100,
                batch_size: 3,
                max_batches: Some(1),
            },
        )
        .await
        .unwrap();
    assert_eq!(first.warnings, 3, "{first:?}");
    assert_eq!(count_events(&env, "sla.warning").await, 3);
    // The next batch fails in the database: that batch is rolled back whole.
    app.fail_next_event_insert();
    let r = app
        .helpdesk()
        .evaluate_slas_at(
            now,
            SlaRunOptions {
                page_size: 100,
                batch_size: 3,
                max_batches: None,
            },
        )
        .await;
    assert!(r.is_err(), "{r:?}");
    assert_eq!(count_events(&env, "sla.warning").await, 3);
    assert_eq!(env.count(&app.helpdesk_tables().sla_events).await, 3);
    // The next run completes the rest, exactly once.
    let rest = app
        .helpdesk()
        .evaluate_slas_at(now, SlaRunOptions::default())
        .await
        .unwrap();
    assert_eq!(rest.warnings, 7, "{rest:?}");
    assert_eq!(count_events(&env, "sla.warning").await, 10);
    assert_eq!(env.count(&app.helpdesk_tables().sla_events).await, 10);
    // Through the job queue too: enqueue (deduplicated) and run.
    assert_eq!(
        app.helpdesk().enqueue_sla_job().await.unwrap()["enqueued"],
        json!(true)
    );
    assert_eq!(
        app.helpdesk().enqueue_sla_job().await.unwrap()["enqueued"],
        json!(false)
    );
    env.clock.set(start_time() + Duration::minutes(61));
    let ran = app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(ran["dead"], json!(0), "{ran}");
    assert_eq!(count_events(&env, "sla.breached").await, 10);
    let jobs = app
        .list_jobs(&json!({"status": "done", "per_page": 100}))
        .await
        .unwrap();
    assert!(jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["kind"] == json!("sla.evaluate")));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_sla_and_ticket_input_is_rejected_and_writes_nothing() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let events = env.count(&app.tables().events).await;
    let defs = env.count(&app.helpdesk_tables().sla_definitions).await;
    let mut bad = spec(60, 80);
    bad["calendar"]["timezone"] = json!("Mars/Olympus_Mons");
    bad["calendar"]["working_hours"]["mon"] =
        json!([{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "17:00"}]);
    bad["targets"]["normal"]["first_response_minutes"] = json!(0);
    bad["targets"]["high"]["resolution_minutes"] = json!(-5);
    let r = app
        .helpdesk()
        .create_sla_definition(&json!({"name": "Broken", "spec": bad}), &s.actor)
        .await;
    let Err(AppError::Validation(f)) = r else {
        panic!("{r:?}")
    };
    assert!(f.get("spec.calendar.timezone").is_some(), "{f}");
    assert!(
        f.iter()
            .any(|(k, _)| k.starts_with("spec.calendar.working_hours.mon")),
        "{f}"
    );
    assert!(
        f.get("spec.targets.normal.first_response_minutes")
            .is_some(),
        "{f}"
    );
    assert!(
        f.get("spec.targets.high.resolution_minutes").is_some(),
        "{f}"
    );
    let r = app
        .helpdesk()
        .create_sla_definition(&json!({"name": "No spec"}), &s.actor)
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("spec").is_some()),
        "{r:?}"
    );
    let r = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "", "priority": "critical",
                    "sla_definition_id": "nope"}),
            &s.actor,
        )
        .await;
    let Err(AppError::Validation(f)) = r else {
        panic!("{r:?}")
    };
    assert!(
        f.get("subject").is_some()
            && f.get("priority").is_some()
            && f.get("sla_definition_id").is_some(),
        "{f}"
    );
    let r = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "x",
                    "sla_definition_id": uuid::Uuid::now_v7().to_string()}),
            &s.actor,
        )
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("sla_definition_id").is_some()),
        "{r:?}"
    );
    let r = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "x"}),
            &CommandContext::system(),
        )
        .await;
    assert!(matches!(r, Err(AppError::Validation(_))), "{r:?}");
    let tid = new_ticket(&env, &s, "Fine", "high").await;
    let after_one = env.count(&app.tables().events).await;
    for r in [
        app.helpdesk()
            .change_ticket_status(&tid, "resolved", &s.actor)
            .await,
        app.helpdesk()
            .change_ticket_status(&tid, "waiting_on_customer", &s.actor)
            .await,
        app.helpdesk()
            .change_ticket_priority(&tid, "high", &s.actor)
            .await,
        app.helpdesk().close_ticket(&tid, &s.actor).await,
        app.helpdesk()
            .reopen_ticket(&tid, &json!({}), &s.actor)
            .await,
    ] {
        assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    }
    let r = app
        .helpdesk()
        .reopen_ticket(&tid, &json!({"reopen_window_minutes": 0}), &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Validation(_))), "{r:?}");
    let r = app
        .helpdesk()
        .get_ticket(&uuid::Uuid::now_v7().to_string())
        .await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
    assert_eq!(env.count(&app.tables().events).await, after_one);
    assert!(after_one > events);
    assert_eq!(
        env.count(&app.helpdesk_tables().sla_definitions).await,
        defs
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn knowledge_articles_versions_restore_comments_links_and_search() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let a = app
        .knowledge().create_article(
            &json!({"category": "Billing", "slug": "invoice-timeouts", "title": "Invoices page times out",
                    "body": "Clear the invoice cache, then reload the page."}),
            &s.actor,
        )
        .await
        .unwrap();
    let aid = id(&a);
    assert_eq!(a["status"], json!("draft"));
    // Drafts are not searchable.
    let hits = app
        .knowledge()
        .search_articles(&json!({"q": "invoice cache"}))
        .await
        .unwrap();
    assert_eq!(hits["total"], json!(0));
    let v1 = app
        .knowledge().publish_article(
            &aid,
            &json!({"title": "Invoices page times out", "body": "Clear the invoice cache, then reload the page."}),
            &s.actor,
        )
        .await
        .unwrap();
    assert_eq!(
        (v1["status"].clone(), v1["current_version"].clone()),
        (json!("published"), json!(1))
    );
    let v2 = app
        .knowledge().publish_article(
            &aid,
            &json!({"title": "Invoices page times out", "body": "Rebuild the reporting index overnight."}),
            &s.actor,
        )
        .await
        .unwrap();
    assert_eq!(v2["current_version"], json!(2));
    // Only the live version is searched.
    let old = app
        .knowledge()
        .search_articles(&json!({"q": "cache"}))
        .await
        .unwrap();
    assert_eq!(old["total"], json!(0), "{old}");
    let new = app
        .knowledge()
        .search_articles(&json!({"q": "reporting index"}))
        .await
        .unwrap();
    assert_eq!(new["items"][0]["id"], json!(aid), "{new}");
    // Restore version 1 as version 3.
    let v3 = app
        .knowledge()
        .restore_article_version(&aid, &json!({"number": 1}), &s.actor)
        .await
        .unwrap();
    assert_eq!(v3["current_version"], json!(3));
    assert_eq!(v3["versions"][0]["restored_from"], json!(1));
    assert_eq!(
        v3["body"],
        json!("Clear the invoice cache, then reload the page.")
    );
    let back = app
        .knowledge()
        .search_articles(&json!({"q": "cache"}))
        .await
        .unwrap();
    assert_eq!(back["total"], json!(1), "{back}");
    // Restoring a version of another article is refused and writes nothing.
    let other = app
        .knowledge()
        .create_article(
            &json!({"category": "Access", "slug": "reset-password", "title": "Reset your password",
                    "body": "Use the forgotten password link.", "publish": true}),
            &s.actor,
        )
        .await
        .unwrap();
    assert_eq!(other["current_version"], json!(1));
    let before = env.count(&app.tables().events).await;
    let r = app
        .knowledge()
        .restore_article_version(
            &aid,
            &json!({"number": 1, "article_id": id(&other)}),
            &s.actor,
        )
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    let r = app
        .knowledge()
        .restore_article_version(&aid, &json!({"number": 9}), &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
    let r = app
        .knowledge()
        .create_article(
            &json!({"category": "Access", "slug": "reset-password", "title": "Dup", "body": "x"}),
            &s.actor,
        )
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("slug").is_some()),
        "{r:?}"
    );
    let r = app
        .knowledge()
        .create_article(
            &json!({"category": "", "slug": "Bad Slug", "title": "", "body": ""}),
            &s.actor,
        )
        .await;
    let Err(AppError::Validation(f)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(f.iter().count(), 4, "{f}");
    assert_eq!(env.count(&app.tables().events).await, before);
    // Comments: added, hidden by a moderator (kept), hidden once only.
    let c = app
        .knowledge()
        .comment_on_article(&aid, &json!({"body": "This fixed it for me"}), &s.actor)
        .await
        .unwrap();
    let cid = c["comments"][0]["id"].as_str().unwrap().to_owned();
    let h = app
        .knowledge()
        .hide_article_comment(&aid, &cid, &json!({"reason": "customer name"}), &s.actor)
        .await
        .unwrap();
    assert_eq!(h["comments"][0]["hidden"], json!(true));
    assert_eq!(h["comments"][0]["body"], json!("This fixed it for me"));
    let r = app
        .knowledge()
        .hide_article_comment(&aid, &cid, &json!({}), &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    // Link to a ticket (once); the ticket shows the article.
    let tid = new_ticket(&env, &s, "Invoices slow", "normal").await;
    let l = app
        .knowledge()
        .link_article_to_ticket(&aid, &tid, &s.actor)
        .await
        .unwrap();
    assert_eq!(l["linked_tickets"][0]["ticket_id"], json!(tid));
    let r = app
        .knowledge()
        .link_article_to_ticket(&aid, &tid, &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    let r = app
        .knowledge()
        .link_article_to_ticket(&aid, &uuid::Uuid::now_v7().to_string(), &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
    // A draft never published is not linked, and the refusal writes nothing.
    let draft = app
        .knowledge()
        .create_article(
            &json!({"category": "Access", "slug": "draft-only", "title": "Draft only",
                    "body": "Not yet reviewed."}),
            &s.actor,
        )
        .await
        .unwrap();
    let before = env.count(&app.tables().events).await;
    let r = app
        .knowledge()
        .link_article_to_ticket(&id(&draft), &tid, &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    assert_eq!(env.count(&app.tables().events).await, before);
    let t = app.helpdesk().get_ticket(&tid).await.unwrap();
    assert_eq!(t["linked_articles"][0]["id"], json!(aid));
    assert_eq!(t["linked_articles"].as_array().map(Vec::len), Some(1));
    // Lists and categories.
    let cats = app.knowledge().list_article_categories().await.unwrap();
    assert_eq!(cats["items"].as_array().unwrap().len(), 2);
    let billing = app
        .knowledge()
        .list_articles(&json!({"category": "Billing"}))
        .await
        .unwrap();
    assert_eq!(billing["total"], json!(1));
    // Archive: leaves search, takes no more changes.
    app.knowledge()
        .archive_article(&aid, &s.actor)
        .await
        .unwrap();
    let gone = app
        .knowledge()
        .search_articles(&json!({"q": "cache"}))
        .await
        .unwrap();
    assert_eq!(gone["total"], json!(0));
    let r = app
        .knowledge()
        .publish_article(&aid, &json!({"title": "x", "body": "y"}), &s.actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    let r = app.knowledge().search_articles(&json!({"q": ""})).await;
    assert!(matches!(r, Err(AppError::Validation(_))), "{r:?}");
    let restored = crate::every_aggregate_restores_as_replayed(&env).await;
    for kind in ["knowledge_article", "ticket"] {
        assert!(restored.contains(kind), "no {kind} checked: {restored:?}");
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_article_writes_and_all_words_first_search() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    // Regression: publishing cleared the previous live version with a range update that
    // locked the gap after the newest article, so concurrent creations deadlocked.
    let bodies: [&'static str; 8] = [
        "Clear the browser cache and sign in again.",
        "The invoice export needs the finance role.",
        "Reset the invoice numbering at year end.",
        "Sign in with the single sign-on button.",
        "The cache of the invoice list refreshes hourly.",
        "Ask finance to approve the export.",
        "Archive old invoices yearly.",
        "Reset your password from the sign-in page.",
    ];
    let tasks: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let (app, actor) = (app.clone(), s.actor.clone());
            tokio::spawn(async move {
                app.knowledge().create_article(
                    &json!({"category": "Howto", "slug": format!("howto-{i}"), "title": format!("How to {i}"),
                            "body": body, "publish": true}),
                    &actor,
                )
                .await
            })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.is_ok(), "concurrent create_article failed: {r:?}");
    }
    let listed = app
        .knowledge()
        .list_articles(&json!({"category": "Howto", "per_page": 100}))
        .await
        .unwrap();
    assert_eq!(listed["total"], json!(bodies.len()));
    // Every word first: only the articles containing both "invoice" and "cache".
    let both = app
        .knowledge()
        .search_articles(&json!({"q": "invoice cache"}))
        .await
        .unwrap();
    let ids: Vec<String> = both["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec!["howto-4".to_owned()], "{both}");
    assert_eq!(both["total"], json!(1));
    // No article has both words: any word, best match first.
    let any = app
        .knowledge()
        .search_articles(&json!({"q": "password export"}))
        .await
        .unwrap();
    let mut slugs: Vec<String> = any["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    assert_eq!(slugs, vec!["howto-1", "howto-5", "howto-7"], "{any}");
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn move_ticket_runs_the_command_the_engine_names_for_each_status() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let tid = new_ticket(&env, &s, "Moves", "normal").await;
    for to in ["open", "waiting_on_customer", "open", "resolved", "closed"] {
        let t = app
            .helpdesk()
            .move_ticket(&tid, to, &s.actor)
            .await
            .unwrap();
        assert_eq!(t["status"], json!(to));
    }
    assert_eq!(count_events(&env, "ticket.resolved").await, 1);
    assert_eq!(count_events(&env, "ticket.closed").await, 1);
    // A move the ticket does not offer is refused; an unknown status is a field error.
    let r = app.helpdesk().move_ticket(&tid, "open", &s.actor).await;
    assert!(r.is_err(), "{r:?}");
    let r = app.helpdesk().move_ticket(&tid, "later", &s.actor).await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("status").is_some()),
        "{r:?}"
    );
    let o = app.helpdesk().ticket_options().await.unwrap();
    assert_eq!(o["priority"], json!(["low", "normal", "high", "urgent"]));
    assert_eq!(
        o["status"],
        json!(["new", "open", "waiting_on_customer", "resolved", "closed"])
    );
    assert_eq!(
        o["channel"],
        json!(["email", "phone", "portal", "chat", "other"])
    );
    assert_eq!(o["visibility"], json!(["public", "internal"]));
}

#[tokio::test]
async fn a_ticket_opens_with_its_first_message_in_one_command() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let (created, replied) = (
        count_events(&env, "ticket.created").await,
        count_events(&env, "ticket.replied").await,
    );
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Scanner offline",
                    "message": "Our scanner shows error 42 since this morning.",
                    "sla_definition_id": s.definition}),
            &s.actor,
        )
        .await
        .unwrap();
    assert_eq!(t["reply_count"], json!(1));
    let first = &t["replies"][0];
    assert_eq!(first["author_kind"], json!("customer"));
    assert_eq!(first["visibility"], json!("public"));
    assert_eq!(
        first["body"],
        json!("Our scanner shows error 42 since this morning.")
    );
    assert!(
        t["first_response_at"].is_null(),
        "the customer's message is not a response"
    );
    assert_eq!(count_events(&env, "ticket.created").await, created + 1);
    assert_eq!(count_events(&env, "ticket.replied").await, replied + 1);
    // Both events belong to the same command (with the SLA assignment's): one idempotency
    // key, written together.
    let mut c = env.pool().get_conn().await.unwrap();
    let rows: Vec<(String, Option<String>)> = c
        .exec(
            format!(
                "SELECT event_type, idempotency_key FROM {} WHERE aggregate_id = ? ORDER BY id",
                env.app.tables().events
            ),
            (t["id"].as_str().unwrap(),),
        )
        .await
        .unwrap();
    let types: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let created_at = types.iter().position(|t| *t == "ticket.created");
    assert!(
        created_at.is_some_and(|i| types.get(i + 1) == Some(&"ticket.replied")),
        "{types:?}"
    );
    assert!(rows.iter().all(|r| r.1 == rows[0].1), "{rows:?}");
    // A bad message changes nothing: no ticket without its message.
    let r = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Half", "message": 7}),
            &s.actor,
        )
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("message").is_some()),
        "{r:?}"
    );
    assert_eq!(count_events(&env, "ticket.created").await, created + 1);
    // An empty message is no message.
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "No text", "message": ""}),
            &s.actor,
        )
        .await
        .unwrap();
    assert_eq!(t["reply_count"], json!(0));
}

/// A new ticket reads its actor with its number (one round trip): an inactive or unknown
/// employee is refused as before, an unknown customer still reports the customer, and no
/// refused command draws a number (the next ticket takes the next one).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_ticket_draws_no_number() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let first = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "One"}),
            &s.actor,
        )
        .await
        .unwrap();
    let bob = app
        .identity()
        .create_employee(
            &json!({"name": "Bob", "email": "bob@example.com"}),
            &s.actor,
        )
        .await
        .unwrap();
    app.identity()
        .deactivate_employee(&id(&bob), &s.actor)
        .await
        .unwrap();
    let bob = CommandContext::employee(id(&bob).parse().unwrap());
    let ghost = CommandContext::employee(uuid::Uuid::now_v7());
    let input = json!({"customer_id": s.customer, "subject": "Refused"});
    let r = app.helpdesk().create_ticket(&input, &bob).await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    let r = app.helpdesk().create_ticket(&input, &ghost).await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("actor_id").is_some()),
        "{r:?}"
    );
    // An unknown customer with an unknown actor: the actor's refusal comes first, as when
    // the actor was checked before anything else.
    let nobody = json!({"customer_id": uuid::Uuid::now_v7().to_string(), "subject": "x"});
    let r = app.helpdesk().create_ticket(&nobody, &ghost).await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("actor_id").is_some()),
        "{r:?}"
    );
    let r = app.helpdesk().create_ticket(&nobody, &s.actor).await;
    assert!(r.is_err(), "{r:?}");
    let next = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Two"}),
            &s.actor,
        )
        .await
        .unwrap();
    assert_eq!(
        next["number"].as_u64().unwrap(),
        first["number"].as_u64().unwrap() + 1,
        "refused commands drew no number"
    );
    env.cleanup().await;
}

/// A new ticket without an SLA is answered from what the command knows (nothing read
/// back): the answer is exactly what reading the ticket gives — plain, with its first
/// message from a contact, assigned from the start, and assigned to no one who exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_ticket_answers_what_reading_it_gives() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let ana = s.actor.actor_id.unwrap().to_string();
    let c = app
        .identity()
        .add_contact(
            &s.customer,
            &json!({"name": "Cleo Contact", "email": "cleo@acme.test"}),
            &s.actor,
        )
        .await
        .unwrap();
    let contact = c["contacts"][0]["id"].as_str().unwrap().to_owned();
    for input in [
        json!({"customer_id": s.customer, "subject": "Plain"}),
        json!({"customer_id": s.customer, "subject": "With a message", "priority": "high",
               "contact_id": contact, "message": "It broke at 9:14."}),
        json!({"customer_id": s.customer, "subject": "Assigned", "assignee_id": ana,
               "channel": "phone"}),
    ] {
        let made = app
            .helpdesk()
            .create_ticket(&input, &s.actor)
            .await
            .unwrap();
        let read = app.helpdesk().get_ticket(&id(&made)).await.unwrap();
        assert_eq!(made, read, "{input}");
        assert_eq!(made["customer_name"], json!("Acme Ltd"));
    }
    let r = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Nobody",
                    "assignee_id": uuid::Uuid::now_v7().to_string()}),
            &s.actor,
        )
        .await;
    assert!(r.is_err(), "{r:?}");
    env.cleanup().await;
}
