//! The App facade: every method's happy path and main rejections.

use chrono::Duration;
use pet_storage_mysql::{AppError, Clock, CommandContext};
use serde_json::{json, Value};

use crate::env;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn employees_commands_queries_and_rejections() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    // No actor and employees exist? Bootstrap allows the first one only.
    let boss = app
        .identity().create_employee(
            &json!({"name": "Ana Ruiz", "email": "ana@example.com", "wp_user_id": 1,
                    "cost_rate": {"amount_minor": 5000, "currency": "EUR", "effective_from": "2026-01-01"}}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    assert_eq!(boss["status"], json!("active"));
    assert_eq!(boss["version"], json!(1));
    assert_eq!(boss["current_cost_rate"]["amount_minor"], json!(5000));
    let actor = CommandContext::employee(id(&boss).parse().unwrap());
    let r = app
        .identity()
        .create_employee(
            &json!({"name": "X", "email": "x@example.com"}),
            &CommandContext::system(),
        )
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("actor_id").is_some()),
        "{r:?}"
    );
    // Validation names the fields.
    let r = app
        .identity()
        .create_employee(
            &json!({"name": 5, "email": "nope", "cost_rate": {"amount_minor": "x"}}),
            &actor,
        )
        .await;
    let Err(AppError::Validation(f)) = r else {
        panic!("{r:?}")
    };
    assert!(f.get("name").is_some() && f.get("email").is_some(), "{f}");
    assert!(
        f.get("cost_rate.amount_minor").is_some() && f.get("cost_rate.currency").is_some(),
        "{f}"
    );
    // Duplicate email → validation on email.
    let r = app
        .identity()
        .create_employee(
            &json!({"name": "Other", "email": "ana@example.com"}),
            &actor,
        )
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("email").is_some()),
        "{r:?}"
    );
    // Idempotent replay returns the first result and writes one event.
    let keyed = actor.clone().with_key("create-bob").unwrap();
    let bob = app
        .identity()
        .create_employee(
            &json!({"name": "Bob Li", "email": "bob@example.com"}),
            &keyed,
        )
        .await
        .unwrap();
    let again = app
        .identity()
        .create_employee(
            &json!({"name": "Bob Li", "email": "bob@example.com"}),
            &keyed,
        )
        .await
        .unwrap();
    assert_eq!(bob, again);
    let r = app
        .identity()
        .create_employee(
            &json!({"name": "Bob Other", "email": "bob2@example.com"}),
            &keyed,
        )
        .await;
    assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");
    assert_eq!(env.count(&app.tables().employees).await, 2);
    assert_eq!(env.count(&app.tables().events).await, 2);
    let bob_id = id(&bob);
    // Status changes.
    let d = app
        .identity()
        .deactivate_employee(&bob_id, &actor)
        .await
        .unwrap();
    assert_eq!(
        (d["status"].clone(), d["version"].clone()),
        (json!("inactive"), json!(2))
    );
    assert!(matches!(
        app.identity().deactivate_employee(&bob_id, &actor).await,
        Err(AppError::Invariant(_))
    ));
    // An inactive employee can do nothing.
    let bob_ctx = CommandContext::employee(bob_id.parse().unwrap());
    assert!(matches!(
        app.identity()
            .create_customer(&json!({"name": "C"}), &bob_ctx)
            .await,
        Err(AppError::Invariant(_))
    ));
    let r = app
        .identity()
        .reactivate_employee(&bob_id, &actor)
        .await
        .unwrap();
    assert_eq!(r["status"], json!("active"));
    // Rates and user links.
    let r = app
        .identity().change_employee_rate(&bob_id, &json!({"kind": "bill", "amount_minor": 12000, "currency": "EUR", "effective_from": "2026-02-01"}), &actor)
        .await
        .unwrap();
    assert_eq!(r["current_bill_rate"]["amount_minor"], json!(12000));
    let r = app
        .identity()
        .change_employee_rate(
            &bob_id,
            &json!({"kind": "salary", "amount_minor": 1, "currency": "EUR", "effective_from": "x"}),
            &actor,
        )
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("kind").is_some() && f.get("effective_from").is_some()),
        "{r:?}"
    );
    let r = app
        .identity()
        .link_employee_user(&bob_id, Some(7), &actor)
        .await
        .unwrap();
    assert_eq!(r["wp_user_id"], json!(7));
    let r = app
        .identity()
        .link_employee_user(&bob_id, Some(1), &actor)
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("wp_user_id").is_some()),
        "{r:?}"
    );
    assert_eq!(
        id(&app.identity().find_employee_by_user(7).await.unwrap()),
        bob_id
    );
    assert_eq!(
        app.identity().find_employee_by_user(99).await.unwrap(),
        Value::Null
    );
    // Queries.
    assert_eq!(
        id(&app.identity().get_employee(&bob_id).await.unwrap()),
        bob_id
    );
    assert!(matches!(
        app.identity().get_employee("not-a-uuid").await,
        Err(AppError::Validation(_))
    ));
    assert!(matches!(
        app.identity()
            .get_employee(&uuid::Uuid::now_v7().to_string())
            .await,
        Err(AppError::NotFound(_))
    ));
    let l = app
        .identity()
        .list_employees(&json!({"search": "bob"}))
        .await
        .unwrap();
    assert_eq!(l["total"], json!(1));
    let l = app
        .identity()
        .list_employees(&json!({"search": "%' OR 1=1 -- "}))
        .await
        .unwrap();
    assert_eq!(l["total"], json!(0));
    let l = app
        .identity()
        .list_employees(&json!({"per_page": 1, "page": 2}))
        .await
        .unwrap();
    assert_eq!(
        (l["total"].clone(), l["items"].as_array().unwrap().len()),
        (json!(2), 1)
    );
    assert!(matches!(
        app.identity().list_employees(&json!({"per_page": 0})).await,
        Err(AppError::Validation(_))
    ));
    // Unknown actor.
    let ghost = CommandContext::employee(uuid::Uuid::now_v7());
    assert!(matches!(
        app.identity().deactivate_employee(&bob_id, &ghost).await,
        Err(AppError::Validation(_))
    ));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn teams_customers_org_structure_activity_and_jobs() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = crate::first_employee(app, "Ana Ruiz").await;
    let web = app
        .identity()
        .create_team(&json!({"name": "Web"}), &actor)
        .await
        .unwrap();
    let ui = app
        .identity()
        .create_team(&json!({"name": "UI", "parent_id": id(&web)}), &actor)
        .await
        .unwrap();
    assert_eq!(ui["parent_id"], json!(id(&web)));
    // Cycle refused.
    let r = app
        .identity()
        .move_team(&id(&web), Some(&id(&ui)), &actor)
        .await;
    assert!(matches!(r, Err(AppError::Invariant(_))), "{r:?}");
    let r = app
        .identity()
        .create_team(
            &json!({"name": "Orphan", "parent_id": uuid::Uuid::now_v7().to_string()}),
            &actor,
        )
        .await;
    assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
    let moved = app
        .identity()
        .move_team(&id(&ui), None, &actor)
        .await
        .unwrap();
    assert_eq!(moved["parent_id"], Value::Null);
    app.identity()
        .move_team(&id(&ui), Some(&id(&web)), &actor)
        .await
        .unwrap();
    let t = app
        .identity()
        .add_team_member(
            &id(&web),
            &json!({"employee_id": id(&ana), "role": "lead", "valid_from": "2026-01-01"}),
            &actor,
        )
        .await
        .unwrap();
    let members = t["members"].as_array().unwrap();
    assert_eq!(
        (members.len(), members[0]["employee_name"].clone()),
        (1, json!("Ana Ruiz"))
    );
    let r = app
        .identity()
        .add_team_member(
            &id(&web),
            &json!({"employee_id": "x", "role": "boss"}),
            &actor,
        )
        .await;
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("employee_id").is_some() && f.get("role").is_some() && f.get("valid_from").is_some()),
        "{r:?}"
    );
    let list = app.identity().list_teams(&json!({})).await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(
        (items[0]["name"].clone(), items[1]["depth"].clone()),
        (json!("Web"), json!(1))
    );
    // Org structure: now → published; future → scheduled, then published by the job runner exactly once.
    let now = env.clock.now();
    let v1 = app
        .identity()
        .publish_org_structure(
            &json!({"effective_at": now.to_rfc3339(), "note": "initial"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(
        (v1["number"].clone(), v1["status"].clone()),
        (json!(1), json!("published"))
    );
    let future = now + Duration::days(1);
    let v2 = app
        .identity()
        .publish_org_structure(&json!({"effective_at": future.to_rfc3339()}), &actor)
        .await
        .unwrap();
    assert_eq!(v2["status"], json!("scheduled"));
    // The view says what a version takes: publishing once due while scheduled, nothing after.
    assert_eq!(v1["actions"], json!([]));
    assert_eq!(v2["actions"], json!(["publish_due"]));
    let options = app.identity().identity_options().await.unwrap();
    assert_eq!(options["team_status"], json!(["active", "archived"]));
    assert_eq!(options["employee_status"], json!(["active", "inactive"]));
    assert_eq!(
        options["org_version_status"],
        json!(["scheduled", "published"])
    );
    assert!(matches!(
        app.identity()
            .publish_org_structure(&json!({"effective_at": "tomorrow"}), &actor)
            .await,
        Err(AppError::Validation(_))
    ));
    let r = app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(
        r["succeeded"],
        json!(2),
        "only the catch-up and the chain verification are due: {r}"
    );
    env.clock.advance(Duration::days(1) + Duration::seconds(1));
    let r = app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(r["succeeded"], json!(3), "{r}");
    let versions = app
        .identity()
        .list_org_structure_versions(&json!({}))
        .await
        .unwrap();
    assert_eq!(versions["items"][0]["status"], json!("published"));
    assert_eq!(versions["items"][0]["actions"], json!([]));
    let r = app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(r["succeeded"], json!(2), "{r}");
    let published: Vec<Value> = app
        .activity(&json!({"context_type": "org_structure", "per_page": 100}))
        .await
        .unwrap()["items"]
        .as_array()
        .unwrap()
        .clone();
    let n_published = published
        .iter()
        .filter(|i| i["event_type"] == json!("org_structure.published"))
        .count();
    assert_eq!(n_published, 2, "published exactly once each");
    // Archive with members is refused; ending the membership first works.
    let mid = members[0]["id"].as_str().unwrap().to_owned();
    app.identity()
        .remove_team_member(&id(&web), &mid, &json!({"valid_to": "2026-01-31"}), &actor)
        .await
        .unwrap();
    let archived = app.identity().archive_team(&id(&ui), &actor).await.unwrap();
    assert_eq!(archived["status"], json!("archived"));
    assert_eq!(
        app.identity().get_team(&id(&web)).await.unwrap()["members"][0]["valid_to"],
        json!("2026-01-31")
    );
    // Customers.
    let c = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    let c = app
        .identity()
        .add_contact(
            &id(&c),
            &json!({"name": "Wile", "email": "wile@acme.test", "phone": "+1 555 0100"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(c["contacts"][0]["email"], json!("wile@acme.test"));
    assert_eq!(
        c,
        app.identity().get_customer(&id(&c)).await.unwrap(),
        "command view == query view"
    );
    assert!(matches!(
        app.identity()
            .add_contact(&id(&c), &json!({"email": 3}), &actor)
            .await,
        Err(AppError::Validation(_))
    ));
    let c = app
        .identity()
        .archive_customer(&id(&c), &actor)
        .await
        .unwrap();
    assert_eq!(c["status"], json!("archived"));
    assert!(matches!(
        app.identity()
            .add_contact(&id(&c), &json!({"name": "Late"}), &actor)
            .await,
        Err(AppError::Invariant(_))
    ));
    assert_eq!(
        app.identity()
            .list_customers(&json!({"search": "acm"}))
            .await
            .unwrap()["total"],
        json!(1)
    );
    assert_eq!(
        id(&app.identity().get_customer(&id(&c)).await.unwrap()),
        id(&c)
    );
    // Activity feed: newest first, filters, names rendered.
    let feed = app
        .activity(&json!({"actor_id": id(&ana), "per_page": 100}))
        .await
        .unwrap();
    let items = feed["items"].as_array().unwrap();
    assert!(items.len() >= 10, "{feed}");
    assert!(items[0]["sequence"].as_u64() > items[1]["sequence"].as_u64());
    assert!(items.iter().all(|i| i["actor_name"] == json!("Ana Ruiz")));
    let team_feed = app
        .activity(&json!({"context_type": "team", "context_id": id(&web)}))
        .await
        .unwrap();
    assert!(
        team_feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["line"].as_str().unwrap().contains("Web")),
        "{team_feed}"
    );
    // Totals: by the event's columns (counted on the events table up to the feed's
    // checkpoint), with a date range too (counted through the feed), and without filters.
    assert_eq!(feed["total"], json!(items.len()), "{feed}");
    let team_total = team_feed["total"].as_u64().unwrap();
    assert_eq!(
        team_total as usize,
        team_feed["items"].as_array().unwrap().len()
    );
    assert!(team_total >= 2, "{team_feed}");
    let team_dated = app
        .activity(&json!({"context_type": "team", "context_id": id(&web),
                          "from": "2000-01-01", "to": "2100-01-01"}))
        .await
        .unwrap();
    assert_eq!(team_dated["total"], json!(team_total), "{team_dated}");
    assert_eq!(team_dated["items"], team_feed["items"]);
    let all = app.activity(&json!({"per_page": 1})).await.unwrap();
    assert_eq!(
        all["total"],
        json!(env.count(&app.tables().events).await),
        "{all}"
    );
    let range = app
        .activity(&json!({"from": "2000-01-01", "to": "2000-01-02"}))
        .await
        .unwrap();
    assert_eq!(range["total"], json!(0));
    assert!(matches!(
        app.activity(&json!({"context_type": "planet"})).await,
        Err(AppError::Validation(_))
    ));
    // Rebuilding the feed from zero (domain renderer, names as of each event) is identical.
    let before = app.activity(&json!({"per_page": 100})).await.unwrap();
    app.projector()
        .rebuild(app.pool(), env.clock.now())
        .await
        .unwrap();
    assert_eq!(
        app.activity(&json!({"per_page": 100})).await.unwrap(),
        before
    );
    // Jobs listing and retry of a job that is not dead.
    let jobs = app.list_jobs(&json!({"status": "done"})).await.unwrap();
    assert!(jobs["total"].as_u64().unwrap() >= 1);
    let jid = jobs["items"][0]["id"].as_str().unwrap().to_owned();
    assert!(matches!(
        app.retry_job(&jid, &actor).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        app.list_jobs(&json!({"status": "x"})).await,
        Err(AppError::Validation(_))
    ));
    let restored = crate::every_aggregate_restores_as_replayed(&env).await;
    for kind in ["employee", "team", "org_structure", "customer"] {
        assert!(restored.contains(kind), "no {kind} checked: {restored:?}");
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_commands_on_one_employee_one_wins() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let ana = app
        .identity()
        .create_employee(
            &json!({"name": "Ana", "email": "ana@example.com"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    let actor = CommandContext::employee(id(&ana).parse().unwrap());
    let bob = app
        .identity()
        .create_employee(&json!({"name": "Bob", "email": "bob@example.com"}), &actor)
        .await
        .unwrap();
    let events_before = env.count(&app.tables().events).await;
    let mut handles = Vec::new();
    for _ in 0..32 {
        let app = app.clone();
        let actor = actor.clone();
        let bob_id = id(&bob);
        handles.push(tokio::spawn(async move {
            app.identity().deactivate_employee(&bob_id, &actor).await
        }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(AppError::Conflict(_)) | Err(AppError::Invariant(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(env.count(&app.tables().events).await, events_before + 1);
    assert_eq!(
        app.identity().get_employee(&id(&bob)).await.unwrap()["version"],
        json!(2)
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_contention_is_retried_then_reported_as_a_conflict() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let customers = app.tables().customers.clone();
    let events_before = env.count(&app.tables().events).await;
    // Two attempts lose to contention (after writing their rows); the third commits once.
    app.contend_next_commands(pet_storage_mysql::command::MAX_ATTEMPTS - 1);
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    assert_eq!(acme["name"], json!("Acme"));
    assert_eq!(env.count(&customers).await, 1, "one customer, not three");
    assert_eq!(env.count(&app.tables().events).await, events_before + 1);
    // Contention on every attempt: a conflict, and nothing written.
    app.contend_next_commands(pet_storage_mysql::command::MAX_ATTEMPTS);
    let r = app
        .identity()
        .create_customer(&json!({"name": "Beta"}), &actor)
        .await;
    assert_eq!(
        r,
        Err(AppError::Conflict(
            pet_storage_mysql::error::CONTENTION_MESSAGE.into()
        ))
    );
    assert_eq!(env.count(&customers).await, 1);
    assert_eq!(env.count(&app.tables().events).await, events_before + 1);
    // The hook is used up: the next command runs normally.
    app.identity()
        .create_customer(&json!({"name": "Beta"}), &actor)
        .await
        .unwrap();
    assert_eq!(env.count(&customers).await, 2);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_and_context_parsing() {
    let ctx =
        CommandContext::from_json(&json!({"actor_id": null, "idempotency_key": "k-1"})).unwrap();
    assert!(ctx.actor_id.is_none() && ctx.idempotency_key.is_some());
    let r = CommandContext::from_json(&json!({"actor_id": "nope", "idempotency_key": "has space"}));
    assert!(
        matches!(&r, Err(AppError::Validation(f)) if f.get("actor_id").is_some() && f.get("idempotency_key").is_some())
    );
    assert!(CommandContext::from_json(&json!("string")).is_err());
}

/// A refused command releases its row locks before it returns, on a current-thread runtime
/// as the PHP extension runs it: a transaction merely dropped is rolled back by the pool's
/// recycler task, which such a runtime runs only during the next call — in PHP, the next
/// request of that worker — so the refused command's locks blocked every other worker's
/// command on the same rows until then (seen as a browser test hanging on "revise").
#[test]
fn a_refused_command_releases_its_locks_before_it_returns() {
    use mysql_async::prelude::*;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(env) = rt.block_on(crate::env()) else {
        return;
    };
    let app = env.app.clone();
    let (_, actor) = rt.block_on(crate::first_employee(&app, "Ana"));
    let c = rt
        .block_on(
            app.identity()
                .create_customer(&json!({"name": "Locked Ltd"}), &actor),
        )
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    rt.block_on(app.identity().archive_customer(&c, &actor))
        .unwrap();
    // Refused after loading (and locking) the customer's row.
    let refused = rt.block_on(
        app.identity()
            .add_contact(&c, &json!({"name": "X"}), &actor),
    );
    assert!(refused.is_err(), "{refused:?}");
    // The runtime is not driven again; another connection must get the row at once.
    let url = std::env::var("PET_TEST_DATABASE_URL").unwrap();
    let table = app.tables().customers.clone();
    let free = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let pool = mysql_async::Pool::new(url.as_str());
            let mut conn = pool.get_conn().await.unwrap();
            conn.query_drop("SET SESSION innodb_lock_wait_timeout = 2")
                .await
                .unwrap();
            conn.query_drop("START TRANSACTION").await.unwrap();
            let r = conn
                .exec_drop(
                    format!("SELECT id FROM {table} WHERE id = ? FOR UPDATE"),
                    (c,),
                )
                .await;
            conn.query_drop("ROLLBACK").await.unwrap();
            drop(conn);
            pool.disconnect().await.unwrap();
            r.map_err(|e| e.to_string())
        })
    })
    .join()
    .unwrap();
    assert_eq!(
        free,
        Ok(()),
        "the refused command still held the customer's row"
    );
    rt.block_on(env.cleanup());
}
