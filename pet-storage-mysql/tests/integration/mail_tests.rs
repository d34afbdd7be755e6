//! Helpdesk email (issue 17): the outbox job turns events into one message per (event,
//! recipient) exactly once, the claim / sent / failed protocol with back-off and dead
//! letters, `mail.sent` on the ticket, staff opt-outs, templates, reply tokens and reopen
//! links.

use chrono::Duration;
use pet_storage_mysql::{AppError, CommandContext};
use serde_json::{json, Value};

use crate::{env, Env};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

struct Setup {
    ana: CommandContext,
    ana_id: String,
    bo: CommandContext,
    bo_id: String,
    customer: String,
    contact: String,
}

async fn setup(env: &Env) -> Setup {
    let app = &env.app;
    let (ana, ana_ctx) = crate::first_employee(app, "Ana Ruiz").await;
    let bo = app
        .identity()
        .create_employee(
            &json!({"name": "Bo Lind", "email": "bo@example.com"}),
            &ana_ctx,
        )
        .await
        .unwrap();
    let bo_ctx = CommandContext::employee(id(&bo).parse().unwrap());
    let customer = app
        .identity()
        .create_customer(&json!({"name": "Acme Ltd"}), &ana_ctx)
        .await
        .unwrap();
    let c = app
        .identity()
        .add_contact(
            &id(&customer),
            &json!({"name": "Wile Coyote", "email": "wile@acme.test"}),
            &ana_ctx,
        )
        .await
        .unwrap();
    let contact = c["contacts"][0]["id"].as_str().unwrap().to_owned();
    Setup {
        ana: ana_ctx,
        ana_id: id(&ana),
        bo: bo_ctx,
        bo_id: id(&bo),
        customer: id(&customer),
        contact,
    }
}

async fn outbox(env: &Env) -> Vec<(String, String, String, String)> {
    use mysql_async::prelude::*;
    let mut c = env.pool().get_conn().await.unwrap();
    c.query(format!(
        "SELECT kind, recipient_kind, email, status FROM {} ORDER BY sequence, kind",
        env.app.mail_tables().outbox
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn events_become_one_message_per_event_and_recipient_exactly_once() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    // Ana opens a ticket for Acme assigned to Bo, with the contact's first message.
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Printer on fire",
                    "assignee_id": s.bo_id, "message": "It smokes.", "contact_id": s.contact}),
            &s.ana,
        )
        .await
        .unwrap();
    // ticket.created: the acknowledgement and the assignment; the opening message
    // (ticket.replied by the customer, recorded with it) is not also a customer reply to
    // the assignee: one notification, not two.
    let r = app.mail().run_outbox().await.unwrap();
    assert_eq!(r.queued, 2, "{r:?}");
    assert_eq!(
        outbox(&env).await,
        vec![
            (
                "acknowledgement".into(),
                "contact".into(),
                "wile@acme.test".into(),
                "pending".into()
            ),
            (
                "assignment".into(),
                "employee".into(),
                "bo@example.com".into(),
                "pending".into()
            ),
        ]
    );
    // Running again (or a retried batch) writes nothing twice.
    let again = app.mail().run_outbox().await.unwrap();
    assert_eq!((again.events, again.queued), (0, 0));
    {
        use mysql_async::prelude::*;
        let mut c = env.pool().get_conn().await.unwrap();
        c.exec_drop(
            format!(
                "UPDATE {} SET last_sequence = 0 WHERE projection = 'mail_outbox'",
                app.tables().checkpoints
            ),
            (),
        )
        .await
        .unwrap();
    }
    let replayed = app.mail().run_outbox().await.unwrap();
    assert_eq!(
        replayed.queued, 0,
        "the unique key keeps one row per event and recipient"
    );
    assert_eq!(outbox(&env).await.len(), 2);

    // Bo replies publicly (to the contact), notes internally (nobody), the customer
    // replies (to Bo), Bo resolves (to the contact, with a reopen link).
    let tid = id(&t);
    app.helpdesk()
        .reply_to_ticket(&tid, &json!({"body": "Unplug it."}), &s.bo)
        .await
        .unwrap();
    app.helpdesk()
        .reply_to_ticket(
            &tid,
            &json!({"body": "Arson?", "visibility": "internal"}),
            &s.bo,
        )
        .await
        .unwrap();
    app.helpdesk()
        .reply_by_mail(
            tid.parse().unwrap(),
            pet_core::identity::ContactId::from_uuid(s.contact.parse().unwrap()),
            "Done, thanks.",
            &CommandContext::system(),
        )
        .await
        .unwrap();
    app.helpdesk()
        .change_ticket_status(&tid, "open", &s.bo)
        .await
        .unwrap();
    app.helpdesk().resolve_ticket(&tid, &s.bo).await.unwrap();
    let r = app.mail().run_outbox().await.unwrap();
    assert_eq!(r.queued, 3, "{r:?}");
    let kinds: Vec<String> = outbox(&env).await.into_iter().map(|r| r.0).collect();
    assert_eq!(
        kinds,
        [
            "acknowledgement",
            "assignment",
            "public_reply",
            "customer_reply",
            "resolution"
        ]
    );
    env.cleanup().await;
}

#[tokio::test]
async fn recipients_are_the_ones_in_force_at_the_event_not_when_the_job_runs() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let road = app
        .identity()
        .add_contact(
            &s.customer,
            &json!({"name": "Road Runner", "email": "road@acme.test"}),
            &s.ana,
        )
        .await
        .unwrap();
    let road = road["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == json!("Road Runner"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contact = |c: &str| pet_core::identity::ContactId::from_uuid(c.parse().unwrap());
    // Opened by Ana for Bo without a message; Wile writes by email (a later command: a
    // customer reply to Bo); Bo answers (to Wile); Road Runner writes; then Bo hands the
    // ticket to Ana — all before the outbox job runs.
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Anvil", "assignee_id": s.bo_id}),
            &s.ana,
        )
        .await
        .unwrap();
    let tid = id(&t);
    let h = app.helpdesk();
    // Each command a minute later (the events of one command share their time).
    let later = || env.clock.set(app.now() + Duration::minutes(1));
    later();
    h.reply_by_mail(
        tid.parse().unwrap(),
        contact(&s.contact),
        "It cracked.",
        &CommandContext::system(),
    )
    .await
    .unwrap();
    later();
    h.reply_to_ticket(&tid, &json!({"body": "Sending another."}), &s.bo)
        .await
        .unwrap();
    later();
    h.reply_by_mail(
        tid.parse().unwrap(),
        contact(&road),
        "Me too.",
        &CommandContext::system(),
    )
    .await
    .unwrap();
    later();
    h.assign_ticket(&tid, Some(&s.ana_id), &s.bo).await.unwrap();
    let r = app.mail().run_outbox().await.unwrap();
    let rows: Vec<(String, String)> = outbox(&env).await.into_iter().map(|r| (r.0, r.2)).collect();
    let row = |k: &str, e: &str| (k.to_owned(), e.to_owned());
    assert_eq!(
        rows,
        vec![
            // ticket.created: nobody wrote yet, the customer's first contact.
            row("acknowledgement", "wile@acme.test"),
            row("assignment", "bo@example.com"),
            // Wile's reply: to Bo, the assignee then (Ana holds the ticket now).
            row("customer_reply", "bo@example.com"),
            // Bo's answer: to Wile, who had written (Road Runner wrote later).
            row("public_reply", "wile@acme.test"),
            row("customer_reply", "bo@example.com"),
            row("assignment", "ana@example.com"),
        ]
    );
    assert_eq!(r.queued, 6, "{r:?}");
    // A reply by email is recorded with its contact as the actor (no employee).
    {
        use mysql_async::prelude::*;
        let mut c = env.pool().get_conn().await.unwrap();
        let actors: Vec<(Option<String>, Option<String>)> = c
            .exec(
                format!(
                    "SELECT actor_employee_id, actor_contact_id FROM {} \
                     WHERE event_type = 'ticket.replied' AND aggregate_id = ? ORDER BY id",
                    app.tables().events
                ),
                (tid.as_str(),),
            )
            .await
            .unwrap();
        assert_eq!(
            actors,
            vec![
                (None, Some(s.contact.clone())),
                (Some(s.bo_id.clone()), None),
                (None, Some(road.clone())),
            ]
        );
    }
    env.cleanup().await;
}

#[tokio::test]
async fn sending_retries_with_back_off_dead_letters_and_records_mail_sent() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "VPN down", "message": "Help",
                    "contact_id": s.contact}),
            &s.ana,
        )
        .await
        .unwrap();
    app.mail().run_outbox().await.unwrap();
    let claimed = app.mail().claim_outgoing(&json!({})).await.unwrap();
    let items = claimed["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let m = &items[0];
    assert_eq!(m["kind"], json!("acknowledgement"));
    assert_eq!(m["to"], json!("wile@acme.test"));
    assert_eq!(m["vars"]["ticket_subject"], json!("VPN down"));
    assert_eq!(m["attempt"], json!(1));
    // The reply token names the ticket.
    let tok = app
        .mail()
        .check_reply_token(m["reply_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(tok["ticket_id"], json!(id(&t)));
    // Claimed: nobody else gets it.
    let none = app.mail().claim_outgoing(&json!({})).await.unwrap();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    // A failure: retried after 30 s.
    let mid = m["id"].as_str().unwrap();
    let f = app.mail().mail_failed(mid, 1, "SMTP 451").await.unwrap();
    assert_eq!(f["status"], json!("failed"));
    assert_eq!(
        app.mail().claim_outgoing(&json!({})).await.unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "not before the back-off"
    );
    env.clock.advance(Duration::seconds(31));
    let again = app.mail().claim_outgoing(&json!({})).await.unwrap();
    assert_eq!(again["items"][0]["attempt"], json!(2));
    // A stale claim cannot report.
    assert!(matches!(
        app.mail().mail_sent(mid, 1, "x").await,
        Err(AppError::Conflict(_))
    ));
    let sent = app.mail().mail_sent(mid, 2, "[#1] VPN down").await.unwrap();
    assert_eq!(sent["status"], json!("sent"));
    let feed = app
        .activity(&json!({"context_type": "ticket", "context_id": id(&t)}))
        .await
        .unwrap();
    let lines: Vec<String> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["line"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Email acknowledgement “[#1] VPN down” was sent")),
        "{lines:?}"
    );
    // Dead letters: five failed attempts.
    app.helpdesk()
        .reply_to_ticket(&id(&t), &json!({"body": "On it."}), &s.ana)
        .await
        .unwrap();
    app.mail().run_outbox().await.unwrap();
    let mut last = Value::Null;
    for attempt in 1..=5 {
        env.clock.advance(Duration::hours(2));
        let c = app.mail().claim_outgoing(&json!({})).await.unwrap();
        let m = c["items"][0].clone();
        assert_eq!(m["attempt"], json!(attempt));
        last = app
            .mail()
            .mail_failed(m["id"].as_str().unwrap(), attempt, "refused")
            .await
            .unwrap();
    }
    assert_eq!(last["status"], json!("dead"));
    let dead = app
        .mail()
        .list_mail(&json!({"status": "dead"}))
        .await
        .unwrap();
    assert_eq!(dead["items"].as_array().unwrap().len(), 1);
    assert_eq!(dead["items"][0]["last_error"], json!("refused"));
    let dead_id = dead["items"][0]["id"].as_str().unwrap().to_owned();
    let retried = app.mail().retry_mail(&dead_id, &s.ana).await.unwrap();
    assert_eq!(retried["status"], json!("pending"));
    assert_eq!(retried["attempts"], json!(0));
    assert!(app.mail().retry_mail(&dead_id, &s.ana).await.is_err());
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

#[tokio::test]
async fn opted_out_staff_get_nothing_and_templates_are_checked() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    app.mail()
        .set_mail_optouts(&s.bo_id, &json!({"kinds": ["assignment"]}))
        .await
        .unwrap();
    assert!(matches!(
        app.mail()
            .set_mail_optouts(&s.bo_id, &json!({"kinds": ["acknowledgement"]}))
            .await,
        Err(AppError::Validation(_))
    ));
    assert_eq!(
        app.mail().mail_optouts(&s.bo_id).await.unwrap()["opted_out"],
        json!(["assignment"])
    );
    app.helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Quiet", "assignee_id": s.bo_id}),
            &s.ana,
        )
        .await
        .unwrap();
    let r = app.mail().run_outbox().await.unwrap();
    // The acknowledgement goes to the customer's first contact; Bo opted out.
    assert_eq!((r.queued, r.skipped), (1, 1), "{r:?}");
    // Self-assignment mails nobody.
    let t2 = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Mine"}),
            &s.ana,
        )
        .await
        .unwrap();
    app.helpdesk()
        .assign_ticket(&id(&t2), Some(&s.ana_id), &s.ana)
        .await
        .unwrap();
    let r = app.mail().run_outbox().await.unwrap();
    assert_eq!(r.queued, 1, "only the acknowledgement: {r:?}");

    // Templates: placeholders are the kind's, the subject one line.
    let bad = app
        .mail()
        .set_mail_template(
            "acknowledgement",
            &json!({"subject": "Hi {reopen_url}", "body": "x"}),
        )
        .await;
    assert!(matches!(bad, Err(AppError::Validation(_))), "{bad:?}");
    assert!(app
        .mail()
        .set_mail_template("acknowledgement", &json!({"subject": "a\nb", "body": "x"}))
        .await
        .is_err());
    assert!(app
        .mail()
        .set_mail_template("nope", &json!({}))
        .await
        .is_err());
    app.mail()
        .set_mail_template(
            "acknowledgement",
            &json!({"subject": "We got #{ticket_number}", "body": "Hello {recipient_name}"}),
        )
        .await
        .unwrap();
    let list = app.mail().mail_templates().await.unwrap();
    assert_eq!(
        list["items"][0]["template"]["subject"],
        json!("We got #{ticket_number}")
    );
    let c = app
        .mail()
        .claim_outgoing(&json!({"limit": 5}))
        .await
        .unwrap();
    assert_eq!(
        c["items"][0]["template"]["body"],
        json!("Hello {recipient_name}")
    );
    app.mail()
        .reset_mail_template("acknowledgement")
        .await
        .unwrap();
    assert_eq!(
        app.mail().mail_templates().await.unwrap()["items"][0]["template"],
        Value::Null
    );
    env.cleanup().await;
}

#[tokio::test]
async fn reopen_links_are_signed_and_expire() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Done soon", "message": "pls",
                    "contact_id": s.contact}),
            &s.bo,
        )
        .await
        .unwrap();
    app.helpdesk()
        .reply_to_ticket(&id(&t), &json!({"body": "Fixed."}), &s.bo)
        .await
        .unwrap();
    app.helpdesk()
        .change_ticket_status(&id(&t), "open", &s.bo)
        .await
        .unwrap();
    app.helpdesk().resolve_ticket(&id(&t), &s.bo).await.unwrap();
    app.mail().run_outbox().await.unwrap();
    let c = app.mail().claim_outgoing(&json!({})).await.unwrap();
    let res = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == json!("resolution"))
        .unwrap()
        .clone();
    let link = &res["vars"]["reopen"];
    let (tid, exp, sig) = (
        link["ticket_id"].as_str().unwrap(),
        link["expires"].as_i64().unwrap(),
        link["sig"].as_str().unwrap(),
    );
    // Forged: another expiry, another signature, another ticket.
    assert!(matches!(
        app.mail().reopen_by_link(tid, exp + 1, sig).await,
        Err(AppError::Validation(_))
    ));
    let mut forged = sig.to_owned();
    forged.replace_range(0..2, if sig.starts_with("00") { "11" } else { "00" });
    assert!(app.mail().reopen_by_link(tid, exp, &forged).await.is_err());
    assert_eq!(
        app.helpdesk().get_ticket(tid).await.unwrap()["status"],
        json!("resolved"),
        "nothing changed"
    );
    let r = app.mail().reopen_by_link(tid, exp, sig).await.unwrap();
    assert_eq!(r["status"], json!("open"));
    // Expired.
    app.helpdesk().resolve_ticket(tid, &s.bo).await.unwrap();
    env.clock.advance(Duration::days(8));
    assert!(matches!(
        app.mail().reopen_by_link(tid, exp, sig).await,
        Err(AppError::Validation(_))
    ));
    // A forged reply token.
    assert!(app.mail().check_reply_token(&"0".repeat(56)).await.is_err());
    env.cleanup().await;
}

// ---- replies by email ----------------------------------------------------------------------

fn inbound(message_id: &str, from: &str, to: &str, body: &str) -> Value {
    json!({"message_id": message_id, "from_email": from, "from_name": "W", "subject": "Re: x",
           "body": body, "to": [to], "own_addresses": ["support@pet.test"]})
}

#[tokio::test]
async fn replies_by_email_are_threaded_and_the_rest_ignored_or_reviewed() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let s = setup(&env).await;
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": s.customer, "subject": "Mail me", "message": "Hi",
                    "contact_id": s.contact}),
            &s.ana,
        )
        .await
        .unwrap();
    app.mail().run_outbox().await.unwrap();
    let c = app.mail().claim_outgoing(&json!({})).await.unwrap();
    let token = c["items"][0]["reply_token"].as_str().unwrap().to_owned();
    let to = format!("support+{token}@pet.test");

    // A reply: threaded, quoted history stripped, attachment kept, mail.received recorded.
    let mut m = inbound(
        "<r1@acme.test>",
        "Wile@Acme.test",
        &to,
        "Thanks, fixed.\n\nOn Mon, Support wrote:\n> Unplug it.",
    );
    m["attachments"] = json!([{"filename": "log.txt", "mime_type": "text/plain",
                               "content_base64": "aGVsbG8="}]);
    let r = app.mail().receive_mail(&m).await.unwrap();
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (Some("threaded"), Some("reply")),
        "{r}"
    );
    assert_eq!(r["attachments"], json!(1));
    let ticket = app.helpdesk().get_ticket(&id(&t)).await.unwrap();
    let text = ticket.to_string();
    assert!(
        text.contains("Thanks, fixed.") && !text.contains("Unplug it"),
        "{text}"
    );
    // The same message again changes nothing.
    let again = app.mail().receive_mail(&m).await.unwrap();
    assert_eq!(again["repeated"], json!(true));
    assert_eq!(env.count(&app.mail_tables().inbox).await, 1);
    let feed = app
        .activity(&json!({"context_type": "ticket", "context_id": id(&t)}))
        .await
        .unwrap();
    assert!(
        feed.to_string().contains("from the customer was added"),
        "{feed}"
    );

    // Auto-replies and loops: ignored, nothing added.
    let replies_before = app
        .helpdesk()
        .get_ticket(&id(&t))
        .await
        .unwrap()
        .to_string();
    for (n, extra) in [
        ("a1", json!({"auto_submitted": "auto-replied"})),
        ("a2", json!({"precedence": "bulk"})),
        ("a3", json!({"x_autoreply": true})),
        ("l1", json!({"x_pet_mail": true})),
    ] {
        let mut m = inbound(
            &format!("<{n}@acme.test>"),
            "wile@acme.test",
            &to,
            "Out of office",
        );
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        let r = app.mail().receive_mail(&m).await.unwrap();
        assert_eq!(r["status"], json!("ignored"), "{n}: {r}");
    }
    let own = app
        .mail()
        .receive_mail(&inbound("<l2@x>", "support@pet.test", &to, "loop"))
        .await
        .unwrap();
    assert_eq!(
        (own["status"].as_str(), own["reason"].as_str()),
        (Some("ignored"), Some("loop"))
    );
    assert_eq!(
        app.helpdesk()
            .get_ticket(&id(&t))
            .await
            .unwrap()
            .to_string(),
        replies_before
    );

    // A forged token, an unknown sender, another customer's contact: review.
    let forged = format!(
        "support+{}{}@pet.test",
        &token[..55],
        if token.ends_with('0') { "1" } else { "0" }
    );
    let r = app
        .mail()
        .receive_mail(&inbound("<f1@x>", "wile@acme.test", &forged, "hi"))
        .await
        .unwrap();
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (Some("review"), Some("forged_token"))
    );
    let r = app
        .mail()
        .receive_mail(&inbound("<u1@x>", "stranger@evil.test", &to, "hi"))
        .await
        .unwrap();
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (Some("review"), Some("unknown_sender"))
    );
    let other = app
        .identity()
        .create_customer(&json!({"name": "Other Co"}), &s.ana)
        .await
        .unwrap();
    app.identity()
        .add_contact(
            &id(&other),
            &json!({"name": "Mallory", "email": "mallory@other.test"}),
            &s.ana,
        )
        .await
        .unwrap();
    let r = app
        .mail()
        .receive_mail(&inbound("<o1@x>", "mallory@other.test", &to, "let me in"))
        .await
        .unwrap();
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (Some("review"), Some("other_customer"))
    );
    assert_eq!(
        app.helpdesk()
            .get_ticket(&id(&t))
            .await
            .unwrap()
            .to_string(),
        replies_before
    );
    let review = app.mail().list_inbox(&json!({})).await.unwrap();
    assert_eq!(review["items"].as_array().unwrap().len(), 3);

    // No token from a known contact: a new ticket, channel email.
    let r = app
        .mail()
        .receive_mail(&inbound(
            "<n1@x>",
            "mallory@other.test",
            "support@pet.test",
            "New problem",
        ))
        .await
        .unwrap();
    assert_eq!(r["status"], json!("opened"), "{r}");
    let nt = app
        .helpdesk()
        .get_ticket(r["ticket_id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(nt["channel"], json!("email"));
    assert_eq!(nt["customer_id"], json!(id(&other)));
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}
