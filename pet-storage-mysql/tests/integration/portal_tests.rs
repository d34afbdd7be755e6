//! The customer portal against a real database: granting portal access (its rules through
//! storage), a portal user seeing only their customer's tickets and never internal notes,
//! a reply to another customer's ticket refused by the ticket's rules with nothing written,
//! opening a ticket and replying as the contact, the published-only knowledge search, and
//! the portal access restoring as its events replay.

use pet_storage_mysql::{AppError, CommandContext};
use serde_json::{json, Value};

use crate::env;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn contact_of(customer: &Value) -> String {
    customer["contacts"][0]["id"].as_str().unwrap().to_owned()
}

const NOTE: &str = "Internal: this customer is on the old plan";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_user_sees_and_writes_only_their_customer_s_tickets_and_never_notes() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (staff, actor) = crate::first_employee(app, "Ana").await;
    app.identity()
        .link_employee_user(&id(&staff), Some(1), &actor)
        .await
        .unwrap();
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    let acme = app
        .identity()
        .add_contact(
            &id(&acme),
            &json!({"name": "Wile", "email": "wile@acme.test"}),
            &actor,
        )
        .await
        .unwrap();
    let globex = app
        .identity()
        .create_customer(&json!({"name": "Globex"}), &actor)
        .await
        .unwrap();
    let globex = app
        .identity()
        .add_contact(&id(&globex), &json!({"name": "Hank"}), &actor)
        .await
        .unwrap();
    let (wile, hank) = (contact_of(&acme), contact_of(&globex));
    let portal = app.portal();

    // Granting: the rules of pet-core, through storage.
    let granted = portal.grant_portal_access(&wile, 10, &actor).await.unwrap();
    assert_eq!(granted["wp_user_id"], json!(10));
    assert_eq!(granted["customer_id"], json!(id(&acme)));
    portal.grant_portal_access(&hank, 11, &actor).await.unwrap();
    let staff_user = portal
        .grant_portal_access(&wile, 1, &actor)
        .await
        .unwrap_err();
    assert!(
        matches!(&staff_user, AppError::Validation(f) if f.to_string().contains("staff")),
        "{staff_user:?}"
    );
    let taken = portal
        .grant_portal_access(&hank, 10, &actor)
        .await
        .unwrap_err();
    assert!(matches!(taken, AppError::Validation(_)), "{taken:?}");
    let unknown = portal
        .grant_portal_access(&uuid::Uuid::now_v7().to_string(), 12, &actor)
        .await
        .unwrap_err();
    assert!(matches!(unknown, AppError::Validation(_)), "{unknown:?}");
    let system = portal
        .grant_portal_access(&wile, 12, &CommandContext::system())
        .await
        .unwrap_err();
    assert!(
        matches!(system, AppError::Validation(_)),
        "staff only: {system:?}"
    );
    let me = portal.portal_user(10).await.unwrap();
    assert_eq!(me["contact_name"], json!("Wile"));
    assert_eq!(me["customer_name"], json!("Acme"));
    assert_eq!(portal.portal_user(99).await.unwrap(), Value::Null);

    // Wile opens a ticket; staff answer it publicly and write an internal note.
    let keyed = CommandContext {
        idempotency_key: Some(pet_core::IdempotencyKey::new("portal-open-1").unwrap()),
        ..CommandContext::system()
    };
    let input = json!({"subject": "Anvil arrived broken", "message": "It cracked on landing."});
    let opened = portal.portal_open_ticket(10, &input, &keyed).await.unwrap();
    let again = portal.portal_open_ticket(10, &input, &keyed).await.unwrap();
    assert_eq!(
        id(&again),
        id(&opened),
        "the same form posted twice opens one ticket"
    );
    let tid = id(&opened);
    assert_eq!(opened["messages"].as_array().unwrap().len(), 1);
    assert_eq!(opened["messages"][0]["mine"], json!(true));
    assert_eq!(opened["messages"][0]["author_name"], json!("Wile"));
    let full = app.helpdesk().get_ticket(&tid).await.unwrap();
    assert_eq!(full["channel"], json!("portal"));
    assert_eq!(full["customer_id"], json!(id(&acme)));
    assert_eq!(full["replies"][0]["author_contact_id"], json!(wile));
    app.helpdesk()
        .reply_to_ticket(&tid, &json!({"body": "We are sending a new one."}), &actor)
        .await
        .unwrap();
    app.helpdesk()
        .reply_to_ticket(
            &tid,
            &json!({"body": NOTE, "visibility": "internal"}),
            &actor,
        )
        .await
        .unwrap();
    let seen = portal.portal_ticket(10, &tid).await.unwrap();
    let messages = seen["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{seen}");
    assert_eq!(messages[1]["author_kind"], json!("employee"));
    assert_eq!(messages[1]["author_name"], json!("Ana"));
    assert_eq!(messages[1]["mine"], json!(false));
    assert!(
        !seen.to_string().contains(NOTE),
        "an internal note reached the portal"
    );
    assert_eq!(seen["can_reply"], json!(true));

    // Hank (Globex) neither sees nor writes on Acme's ticket; nothing is written.
    let hidden = portal.portal_ticket(11, &tid).await.unwrap_err();
    assert!(matches!(hidden, AppError::NotFound(_)), "{hidden:?}");
    let refused = portal
        .portal_reply(
            11,
            &tid,
            &json!({"body": "Mine now"}),
            &CommandContext::system(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::Invariant(m) if m.contains("not a contact of this ticket's customer")),
        "{refused:?}"
    );
    // The same rule holds for staff logging a message by a contact of another customer.
    let logged = app
        .helpdesk()
        .reply_to_ticket(
            &tid,
            &json!({"body": "x", "author": "customer", "contact_id": hank}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(logged, AppError::Invariant(_)), "{logged:?}");
    assert_eq!(
        app.helpdesk().get_ticket(&tid).await.unwrap()["reply_count"],
        json!(3)
    );

    // Wile replies; staff do not act through the portal.
    let replied = portal
        .portal_reply(
            10,
            &tid,
            &json!({"body": "Thanks!"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    assert_eq!(replied["messages"].as_array().unwrap().len(), 3);
    assert_eq!(replied["messages"][2]["mine"], json!(true));
    let as_staff = portal
        .portal_reply(10, &tid, &json!({"body": "x"}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(as_staff, AppError::Validation(_)), "{as_staff:?}");
    let empty = portal
        .portal_reply(10, &tid, &json!({"body": ""}), &CommandContext::system())
        .await
        .unwrap_err();
    assert!(matches!(empty, AppError::Validation(_)), "{empty:?}");

    // Lists: each user their own customer's tickets only.
    app.helpdesk()
        .create_ticket(
            &json!({"customer_id": id(&globex), "subject": "Globex printer"}),
            &actor,
        )
        .await
        .unwrap();
    let mine = portal.portal_tickets(10, &json!({})).await.unwrap();
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{mine}");
    assert_eq!(items[0]["subject"], json!("Anvil arrived broken"));
    assert!(items[0]["reference"].as_str().unwrap().starts_with('#'));
    assert!(items[0].get("assignee_name").is_none());
    let theirs = portal
        .portal_tickets(11, &json!({"customer_id": id(&acme)}))
        .await
        .unwrap();
    let subjects: Vec<&str> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["Globex printer"],
        "a customer_id in the query is ignored"
    );
    let searched = portal
        .portal_tickets(10, &json!({"search": "anvil", "status": "active"}))
        .await
        .unwrap();
    assert_eq!(searched["items"].as_array().unwrap().len(), 1);
    let nobody = portal.portal_tickets(99, &json!({})).await.unwrap_err();
    assert!(matches!(nobody, AppError::NotFound(_)), "{nobody:?}");

    // Revoked: the user reaches nothing; granted again to another user.
    portal.revoke_portal_access(&wile, &actor).await.unwrap();
    assert!(matches!(
        portal.portal_tickets(10, &json!({})).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        portal.revoke_portal_access(&wile, &actor).await,
        Err(AppError::Invariant(_))
    ));
    portal.grant_portal_access(&wile, 13, &actor).await.unwrap();
    let access = portal
        .portal_access_of_contacts(&json!({"contact_ids": [wile, hank]}))
        .await
        .unwrap();
    let users: Vec<&Value> = access["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["wp_user_id"])
        .collect();
    assert_eq!(users.len(), 2);
    assert!(users.contains(&&json!(13)) && users.contains(&&json!(11)));
    assert!(matches!(
        portal
            .portal_access_of_contacts(&json!({"contact_ids": ["nope"]}))
            .await,
        Err(AppError::Validation(_))
    ));

    let seen = crate::every_aggregate_restores_as_replayed(&env).await;
    assert!(seen.contains("portal_access"), "{seen:?}");
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_searches_and_shows_published_articles_only() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let k = app.knowledge();
    k.create_article(
        &json!({"category": "Shipping", "slug": "broken-anvils", "title": "Broken anvils",
                "body": "Anvils that crack on landing are replaced free.", "publish": true}),
        &actor,
    )
    .await
    .unwrap();
    k.create_article(
        &json!({"category": "Shipping", "slug": "secret-anvils", "title": "Anvil recall draft",
                "body": "Anvils recall, not yet public."}),
        &actor,
    )
    .await
    .unwrap();
    let portal = app.portal();
    let found = portal
        .portal_articles(&json!({"q": "anvils"}))
        .await
        .unwrap();
    let slugs: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["broken-anvils"], "{found}");
    let listed = portal.portal_articles(&json!({})).await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let a = portal.portal_article("broken-anvils").await.unwrap();
    assert_eq!(a["title"], json!("Broken anvils"));
    assert!(a["body"].as_str().unwrap().contains("replaced free"));
    assert!(matches!(
        portal.portal_article("secret-anvils").await,
        Err(AppError::NotFound(_))
    ));
    env.cleanup().await;
}

/// The actor columns of the ticket's events in order: `(event_type, actor_employee_id,
/// actor_contact_id)`.
async fn ticket_actors(
    env: &crate::Env,
    ticket: &str,
) -> Vec<(String, Option<String>, Option<String>)> {
    use mysql_async::prelude::*;
    let mut c = env.pool().get_conn().await.unwrap();
    c.exec(
        format!(
            "SELECT event_type, actor_employee_id, actor_contact_id FROM {} \
             WHERE context_type = 'ticket' AND context_id = ? ORDER BY id",
            env.app.tables().events
        ),
        (ticket,),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_s_answer_ends_the_wait_and_a_contact_reopens_its_own_tickets_as_itself() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    let acme = app
        .identity()
        .add_contact(&id(&acme), &json!({"name": "Wile"}), &actor)
        .await
        .unwrap();
    let globex = app
        .identity()
        .create_customer(&json!({"name": "Globex"}), &actor)
        .await
        .unwrap();
    let globex = app
        .identity()
        .add_contact(&id(&globex), &json!({"name": "Hank"}), &actor)
        .await
        .unwrap();
    let (wile, hank) = (contact_of(&acme), contact_of(&globex));
    let portal = app.portal();
    portal.grant_portal_access(&wile, 10, &actor).await.unwrap();
    portal.grant_portal_access(&hank, 11, &actor).await.unwrap();
    let day = json!([{"start": "00:00", "end": "23:59"}]);
    let def = app
        .helpdesk()
        .create_sla_definition(
            &json!({"name": "Always", "spec": {
                "calendar": {"timezone": "UTC", "working_hours": {"mon": day, "tue": day,
                    "wed": day, "thu": day, "fri": day, "sat": day, "sun": day}, "holidays": []},
                "targets": {
                    "low": {"first_response_minutes": 600, "resolution_minutes": 6000},
                    "normal": {"first_response_minutes": 600, "resolution_minutes": 6000},
                    "high": {"first_response_minutes": 600, "resolution_minutes": 6000},
                    "urgent": {"first_response_minutes": 600, "resolution_minutes": 6000}},
                "pause_statuses": ["waiting_on_customer"],
                "warning_percent": 80,
                "always_on": []}}),
            &actor,
        )
        .await
        .unwrap();

    // Wile opens a ticket in the portal: its events name Wile as their actor.
    let system = CommandContext::system();
    let opened = portal
        .portal_open_ticket(
            10,
            &json!({"subject": "Anvil", "message": "Cracked."}),
            &system,
        )
        .await
        .unwrap();
    let tid = id(&opened);
    assert_eq!(opened["can_reopen"], json!(false));
    let actors = ticket_actors(&env, &tid).await;
    assert_eq!(
        actors,
        vec![
            ("ticket.created".to_owned(), None, Some(wile.clone())),
            ("ticket.replied".to_owned(), None, Some(wile.clone())),
        ]
    );
    let h = app.helpdesk();
    h.assign_ticket_sla(&tid, &id(&def), &actor).await.unwrap();
    h.change_ticket_status(&tid, "open", &actor).await.unwrap();
    let waiting = h
        .change_ticket_status(&tid, "waiting_on_customer", &actor)
        .await
        .unwrap();
    assert_eq!(waiting["sla"]["state"], json!("paused"), "{waiting}");

    // Wile answers: the ticket is open again, the clock runs again, all by Wile.
    let answered = portal
        .portal_reply(10, &tid, &json!({"body": "Still cracked."}), &system)
        .await
        .unwrap();
    assert_eq!(answered["status"], json!("open"));
    let t = h.get_ticket(&tid).await.unwrap();
    assert_eq!(t["status"], json!("open"));
    assert_eq!(t["sla"]["state"], json!("running"), "{t}");
    let actors = ticket_actors(&env, &tid).await;
    let mut tail: Vec<_> = actors[actors.len() - 3..].to_vec();
    tail.sort();
    assert_eq!(
        tail,
        vec![
            ("sla.resumed".to_owned(), None, Some(wile.clone())),
            ("ticket.replied".to_owned(), None, Some(wile.clone())),
            ("ticket.status_changed".to_owned(), None, Some(wile.clone())),
        ]
    );
    // The ticket timeline names Wile on the entries Wile caused.
    let timeline = t["timeline"].as_array().unwrap();
    assert_eq!(timeline[0]["kind"], json!("created"));
    assert_eq!(timeline[0]["by_contact_id"], json!(wile));
    assert_eq!(timeline[0]["by_contact_name"], json!("Wile"));
    let last = timeline.last().unwrap();
    assert_eq!(
        (&last["kind"], &last["to"], &last["by_contact_name"]),
        (&json!("status"), &json!("open"), &json!("Wile")),
        "{timeline:?}"
    );
    assert!(
        timeline
            .iter()
            .filter(|e| e["to"] == json!("waiting_on_customer"))
            .all(|e| e.get("by_contact_id").is_none()),
        "staff moves are not the contact's: {timeline:?}"
    );
    // The activity feed names Wile (a contact, no employee) on those lines.
    let feed = app
        .activity(&json!({"context_type": "ticket", "context_id": tid}))
        .await
        .unwrap();
    let by_wile: Vec<&Value> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["actor_contact_id"] == json!(wile))
        .collect();
    let mut types: Vec<&str> = by_wile
        .iter()
        .filter_map(|i| i["event_type"].as_str())
        .filter(|t| t.starts_with("ticket."))
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "ticket.created",
            "ticket.replied",
            "ticket.replied",
            "ticket.status_changed"
        ],
        "{feed}"
    );
    assert!(
        by_wile
            .iter()
            .all(|i| i["actor_id"].is_null() && i["actor_name"] == json!("Wile")),
        "{by_wile:?}"
    );
    // A staff answer on an open ticket changes no status.
    h.reply_to_ticket(&tid, &json!({"body": "Noted."}), &actor)
        .await
        .unwrap();
    assert_eq!(h.get_ticket(&tid).await.unwrap()["status"], json!("open"));

    // Resolved: Wile may reopen it from the portal; Hank (Globex) may not, nor staff
    // through the portal; nothing changes on a refusal.
    h.resolve_ticket(&tid, &actor).await.unwrap();
    let seen = portal.portal_ticket(10, &tid).await.unwrap();
    assert_eq!(
        (&seen["status"], &seen["can_reopen"]),
        (&json!("resolved"), &json!(true))
    );
    let theirs = portal.portal_reopen(11, &tid, &system).await.unwrap_err();
    assert!(
        matches!(&theirs, AppError::Invariant(m) if m.contains("not a contact of this ticket's customer")),
        "{theirs:?}"
    );
    let as_staff = portal.portal_reopen(10, &tid, &actor).await.unwrap_err();
    assert!(matches!(as_staff, AppError::Validation(_)), "{as_staff:?}");
    let nobody = portal.portal_reopen(99, &tid, &system).await.unwrap_err();
    assert!(matches!(nobody, AppError::NotFound(_)), "{nobody:?}");
    assert_eq!(
        h.get_ticket(&tid).await.unwrap()["status"],
        json!("resolved")
    );
    let reopened = portal.portal_reopen(10, &tid, &system).await.unwrap();
    assert_eq!(
        (&reopened["status"], &reopened["can_reopen"]),
        (&json!("open"), &json!(false))
    );
    assert_eq!(
        ticket_actors(&env, &tid)
            .await
            .into_iter()
            .filter(|a| a.0 == "ticket.reopened")
            .collect::<Vec<_>>(),
        vec![("ticket.reopened".to_owned(), None, Some(wile.clone()))]
    );
    let again = portal.portal_reopen(10, &tid, &system).await.unwrap_err();
    assert!(matches!(again, AppError::Invariant(_)), "{again:?}");

    // Past the window (the resolution mail link's, 7 days): no reopen offered or taken.
    h.resolve_ticket(&tid, &actor).await.unwrap();
    env.clock.set(app.now() + chrono::Duration::days(8));
    let late = portal.portal_ticket(10, &tid).await.unwrap();
    assert_eq!(late["can_reopen"], json!(false));
    let refused = portal.portal_reopen(10, &tid, &system).await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Invariant(m) if m.contains("reopen window")),
        "{refused:?}"
    );
    assert_eq!(
        h.get_ticket(&tid).await.unwrap()["status"],
        json!("resolved")
    );

    // The chain covers the contact actor: the log verifies; events restore as replayed.
    let v = app.verify_chain(&json!({"mode": "full"})).await.unwrap();
    assert_eq!(v["ok"], json!(true), "{v}");
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}
