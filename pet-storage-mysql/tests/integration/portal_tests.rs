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
