//! Privacy end to end: personal fields sealed in the log, an address's data exported, then
//! erased by crypto-shredding — no copy readable in any PET table, the chain verifies, every
//! number and KPI unchanged, history and feed show the placeholder, a lost key never panics.

use std::sync::Arc;

use mysql_async::prelude::*;
use pet_core::privacy::SiteKey;
use pet_storage_mysql::{App, AppError, AppParts, Clock, CommandContext, ManualClock};
use serde_json::{json, Value};

use crate::commercial_tests::id;
use crate::{config, start_time, Env};

async fn env_with_site_key() -> Option<Env> {
    let mut config = config().await?;
    config.privacy_key = SiteKey::derive("a site secret of at least thirty-two characters");
    let clock = Arc::new(ManualClock::new(start_time()));
    let parts = AppParts {
        clock: clock.clone(),
        ..AppParts::default()
    };
    let app = App::with_parts(config.clone(), parts).unwrap();
    app.migrate().await.unwrap();
    Some(Env { app, clock, config })
}

/// Every text-typed column of every PET table of this prefix, with the rows where it
/// contains `needle` (case-insensitive): `table.column` for each hit.
async fn grep_all_tables(env: &Env, needle: &str) -> Vec<String> {
    let mut c = env.pool().get_conn().await.unwrap();
    let cols: Vec<(String, String)> = c
        .exec(
            "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE ? \
             AND DATA_TYPE IN ('char','varchar','text','mediumtext','longtext','tinytext','json')",
            (format!("{}%", env.config.prefix.replace('_', "\\_")),),
        )
        .await
        .unwrap();
    assert!(cols.len() > 50, "found only {} text columns", cols.len());
    let mut hits = Vec::new();
    for (t, col) in cols {
        let n: Option<u64> = c
            .exec_first(
                format!(
                    "SELECT COUNT(*) FROM `{t}` WHERE LOWER(CONVERT(`{col}` USING utf8mb4)) LIKE ?"
                ),
                (format!("%{}%", needle.to_lowercase()),),
            )
            .await
            .unwrap();
        if n.unwrap_or(0) > 0 {
            hits.push(format!("{t}.{col}"));
        }
    }
    hits
}

async fn feed_lines(app: &App) -> Vec<String> {
    let page = app.activity(&json!({"per_page": 100})).await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["line"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_erased_person_is_unreadable_everywhere_while_chain_and_numbers_hold() {
    let Some(env) = env_with_site_key().await else {
        return;
    };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana Ruiz").await;
    let zoe = app
        .identity()
        .create_employee(
            &json!({"name": "Zoë Quillfeather", "email": "zoe.quillfeather@example.com",
                    "cost_rate": {"amount": "40.00", "currency": "EUR", "effective_from": "2026-01-01"}}),
            &actor,
        )
        .await
        .unwrap();
    let zoe_id = id(&zoe);
    let team = app
        .identity()
        .create_team(&json!({"name": "Web"}), &actor)
        .await
        .unwrap();
    app.identity()
        .add_team_member(
            &id(&team),
            &json!({"employee_id": zoe_id, "role": "member", "valid_from": "2026-03-01"}),
            &actor,
        )
        .await
        .unwrap();
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    app.identity()
        .add_contact(
            &id(&acme),
            &json!({"name": "Yannick Verbeeckx", "email": "yannick.v@acme.test",
                    "phone": "+32 470 99 88 77"}),
            &actor,
        )
        .await
        .unwrap();
    // Another contact with the same address elsewhere: both are the same person's data.
    let globex = app
        .identity()
        .create_customer(&json!({"name": "Globex"}), &actor)
        .await
        .unwrap();
    app.identity()
        .add_contact(
            &id(&globex),
            &json!({"name": "Yannick Verbeeckx", "email": "yannick.v@acme.test"}),
            &actor,
        )
        .await
        .unwrap();
    // Work and a KPI over it (Zoë's capacity counts in the denominator).
    let p = app
        .delivery()
        .create_project(
            &json!({"name": "Website", "labour": [{"role": "Developer", "minutes": 6000}]}),
            &actor,
        )
        .await
        .unwrap();
    app.delivery()
        .change_project_status(&id(&p), "active", &actor)
        .await
        .unwrap();
    let e = app
        .delivery()
        .log_time(
            &json!({"project_id": id(&p), "role": "Developer", "work_date": "2026-03-02", "minutes": 240}),
            &actor,
        )
        .await
        .unwrap();
    app.delivery()
        .submit_time_entry(&id(&e), &actor)
        .await
        .unwrap();
    app.delivery()
        .approve_time_entry(&id(&e), &actor.clone().managing_time())
        .await
        .unwrap();
    let k = app
        .kpi()
        .define_kpi(
            &json!({"name": "Utilisation", "calculator": "utilisation", "scope": "org",
                    "grain": "month"}),
            &actor,
        )
        .await
        .unwrap();
    app.kpi().run_kpis().await.unwrap();
    let kpi_before = app.kpi().kpi_results(&id(&k), &json!({})).await.unwrap();
    assert!(
        kpi_before["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "{kpi_before}"
    );

    // Sealed in the log, readable everywhere else while the person is live.
    let mut c = env.pool().get_conn().await.unwrap();
    let raw: Vec<String> = c
        .query(format!(
            "SELECT payload FROM {} WHERE event_type IN ('employee.created', 'contact.added')",
            app.tables().events
        ))
        .await
        .unwrap();
    assert_eq!(raw.len(), 4);
    for p in &raw {
        assert!(p.contains("\"sealed\""), "{p}");
        assert!(
            !p.contains("Quill") && !p.contains("Verbeeck") && !p.contains("99 88 77"),
            "{p}"
        );
    }
    let wrapping: Vec<String> = c
        .query(format!(
            "SELECT wrapping FROM {}",
            app.tables().personal_keys
        ))
        .await
        .unwrap();
    assert_eq!(wrapping.len(), 4);
    assert!(
        wrapping.iter().all(|w| w.starts_with("site:")),
        "{wrapping:?}"
    );
    drop(c);
    let lines = feed_lines(app).await;
    assert!(
        lines
            .iter()
            .any(|l| l == "Zoë Quillfeather (zoe.quillfeather@example.com) joined as an employee, cost rate EUR 40.00/h from 2026-01-01"),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Zoë Quillfeather joined Web")),
        "{lines:?}"
    );
    let hist = app
        .entity_history(&json!({"context_type": "employee", "context_id": zoe_id}))
        .await
        .unwrap();
    assert_eq!(
        hist["items"][0]["payload"]["name"],
        json!("Zoë Quillfeather")
    );
    assert!(hist["items"][0]["payload_recorded"]["name"]["sealed"].is_string());

    // Export: by address, everything held.
    let ex = app
        .identity()
        .export_personal_data(&json!({"email": "ZOE.quillfeather@example.com"}))
        .await
        .unwrap();
    assert_eq!(ex["done"], json!(true));
    let items = ex["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{ex}");
    assert_eq!(items[0]["group"], json!("employee"));
    assert_eq!(items[0]["fields"]["name"], json!("Zoë Quillfeather"));
    assert_eq!(
        items[0]["fields"]["rates"],
        json!(["cost rate EUR 40.00/h from 2026-01-01"])
    );
    let ex = app
        .identity()
        .export_personal_data(&json!({"email": "yannick.v@acme.test"}))
        .await
        .unwrap();
    let items = ex["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{ex}");
    assert!(items.iter().all(|i| i["group"] == json!("contact")));
    assert!(items
        .iter()
        .any(|i| i["fields"]["phone"] == json!("+32 470 99 88 77")));
    // Bad input is a field error, nothing exported.
    assert!(matches!(
        app.identity()
            .export_personal_data(&json!({"email": "nope"}))
            .await,
        Err(AppError::Validation(_))
    ));

    // Copies outside the people's rows: a job whose payload names Zoë, a notification queued
    // to Yannick (the mail outbox) and a message from him (the mail inbox).
    let mut c = env.pool().get_conn().await.unwrap();
    let job = app
        .jobs()
        .enqueue(
            &mut c,
            &pet_storage_mysql::jobs::NewJob::new(
                "test.notify",
                json!({"to": {"name": "Zoë Quillfeather", "email": "ZOE.QUILLFEATHER@example.com"},
                       "note": "for Zoë Quillfeather, rate unchanged", "hours": 40}),
                env.clock.now(),
            ),
            env.clock.now(),
        )
        .await
        .unwrap()
        .unwrap();
    let mail = app.mail_tables();
    let now = env.clock.now().naive_utc();
    c.exec_drop(
        format!(
            "INSERT INTO {} (id, event_id, sequence, kind, ticket_id, recipient_kind, recipient_id, \
             email, recipient_name, vars, status, attempts, max_attempts, run_at, created_at, updated_at) \
             VALUES ('out-1', 'ev-1', 1, 'reply', 't-1', 'contact', 'c-1', 'yannick.v@acme.test', \
             'Yannick Verbeeckx', ?, 'pending', 0, 5, ?, ?, ?)",
            mail.outbox
        ),
        (
            json!({"contact_name": "Yannick Verbeeckx", "ticket": "T-1"}).to_string(),
            now,
            now,
            now,
        ),
    )
    .await
    .unwrap();
    c.exec_drop(
        format!(
            "INSERT INTO {} (id, message_id, from_email, from_name, subject, body, status, reason, received_at) \
             VALUES ('in-1', '<m1@acme.test>', 'yannick.v@acme.test', 'Yannick Verbeeckx', \
             'Printer', 'Hello, Yannick Verbeeckx here (+32 470 99 88 77).', 'review', 'unknown sender', ?)",
            mail.inbox
        ),
        (now,),
    )
    .await
    .unwrap();
    drop(c);

    // Erase both addresses.
    let chain_before = app.verify_chain(&json!({})).await.unwrap();
    assert_eq!(chain_before["ok"], json!(true), "{chain_before}");
    assert!(matches!(
        app.identity()
            .erase_personal_data(&json!({"email": ""}), &actor)
            .await,
        Err(AppError::Validation(_))
    ));
    let r = app
        .identity()
        .erase_personal_data(&json!({"email": "zoe.quillfeather@example.com"}), &actor)
        .await
        .unwrap();
    assert_eq!(
        r["erased"],
        json!([{"subject_type": "employee", "id": zoe_id}]),
        "{r}"
    );
    assert_eq!(r["legacy_plaintext_events"], json!(0));
    assert!(r["feed_lines"].as_u64().unwrap() >= 2, "{r}");
    let r = app
        .identity()
        .erase_personal_data(
            &json!({"email": "yannick.v@acme.test"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    assert_eq!(r["erased"].as_array().unwrap().len(), 2, "{r}");
    // Nothing left to find: a second request erases nothing, exports nothing.
    let again = app
        .identity()
        .erase_personal_data(&json!({"email": "zoe.quillfeather@example.com"}), &actor)
        .await
        .unwrap();
    assert_eq!(again["erased"], json!([]));
    let ex = app
        .identity()
        .export_personal_data(&json!({"email": "yannick.v@acme.test"}))
        .await
        .unwrap();
    assert_eq!(ex["items"], json!([]));

    // No copy readable in any PET table (the sealed ciphertext is not readable).
    app.activity(&json!({})).await.unwrap();
    for needle in [
        "Quillfeather",
        "zoe.quill",
        "Verbeeckx",
        "yannick.v@",
        "470 99 88",
    ] {
        let hits = grep_all_tables(&env, needle).await;
        assert!(hits.is_empty(), "{needle:?} still in {hits:?}");
    }
    // The copies kept their shape: the job's payload is JSON with the placeholder and its
    // numbers, the notification to the erased address will not be sent.
    let mut c = env.pool().get_conn().await.unwrap();
    let payload: Option<String> = c
        .exec_first(
            format!("SELECT payload FROM {} WHERE id = ?", app.tables().jobs),
            (job.to_string(),),
        )
        .await
        .unwrap();
    let payload: Value = serde_json::from_str(&payload.unwrap()).unwrap();
    assert_eq!(
        payload,
        json!({"to": {"name": "Erased person", "email": "Erased person"},
               "note": "for Erased person, rate unchanged", "hours": 40})
    );
    let out: Option<(String, String, String)> = c
        .exec_first(
            format!(
                "SELECT email, status, vars FROM {} WHERE id = 'out-1'",
                mail.outbox
            ),
            (),
        )
        .await
        .unwrap();
    let (email, status, vars) = out.unwrap();
    assert_eq!((email.as_str(), status.as_str()), ("Erased person", "dead"));
    assert_eq!(
        serde_json::from_str::<Value>(&vars).unwrap(),
        json!({"contact_name": "Erased person", "ticket": "T-1"})
    );
    let body: Option<String> = c
        .exec_first(
            format!("SELECT body FROM {} WHERE id = 'in-1'", mail.inbox),
            (),
        )
        .await
        .unwrap();
    // Mail from the address is the contacts' own message: overwritten whole (issue 13).
    assert_eq!(body.unwrap(), "(message erased)");
    drop(c);
    // The chain verifies; the log only grew (by the two erasure commands' events).
    let chain = app.verify_chain(&json!({})).await.unwrap();
    assert_eq!(chain["ok"], json!(true), "{chain}");
    assert_eq!(
        chain["head_sequence"].as_u64().unwrap(),
        chain_before["head_sequence"].as_u64().unwrap() + 3
    );
    // Every number stays: rates, the KPI (its results recomputed by the job), time.
    let z = app.identity().get_employee(&zoe_id).await.unwrap();
    assert_eq!(z["name"], json!("Erased person"));
    assert_eq!(z["cost_rate"], zoe["cost_rate"]);
    app.kpi().run_kpis().await.unwrap();
    let kpi_after = app.kpi().kpi_results(&id(&k), &json!({})).await.unwrap();
    assert_eq!(kpi_after["results"], kpi_before["results"]);
    let acme_after = app.identity().get_customer(&id(&acme)).await.unwrap();
    assert_eq!(acme_after["contacts"][0]["name"], json!("Erased person"));
    assert_eq!(acme_after["contacts"][0]["email"], Value::Null);
    // History and feed render the placeholder; the erasure is an identity event without data.
    let lines = feed_lines(app).await;
    assert!(
        lines
            .iter()
            .any(|l| l
                == "Erased person joined as an employee, cost rate EUR 40.00/h from 2026-01-01"),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Erased person joined Web")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "Erased person's personal data was erased"),
        "{lines:?}"
    );
    let hist = app
        .entity_history(&json!({"context_type": "employee", "context_id": zoe_id}))
        .await
        .unwrap();
    let items = hist["items"].as_array().unwrap();
    assert_eq!(items[0]["payload"]["name"], json!("Erased person"));
    assert_eq!(
        items.last().unwrap()["event_type"],
        json!("employee.personal_data_erased")
    );
    assert_eq!(
        items.last().unwrap()["payload"],
        json!({"employee_id": zoe_id})
    );
    let as_of = app
        .state_as_of(&json!({"aggregate_type": "employee", "id": zoe_id, "at": "2026-03-03"}))
        .await
        .unwrap();
    assert_eq!(as_of["state"]["name"], json!("Erased person"), "{as_of}");
    // A rebuilt feed is the same (rendered from the log with the keys gone).
    app.projector()
        .rebuild(env.pool(), env.clock.now())
        .await
        .unwrap();
    assert_eq!(feed_lines(app).await, lines);
    // Restored from the state rows as replayed from the log (keys gone).
    for (kind, agg) in [
        ("employee", zoe_id.as_str()),
        ("customer", &id(&acme)),
        ("customer", &id(&globex)),
    ] {
        let r = app.verify_restore(kind, agg).await;
        assert!(r.is_ok(), "{kind} {agg}: {r:?}");
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_key_or_another_site_key_reads_as_the_placeholder() {
    let Some(env) = env_with_site_key().await else {
        return;
    };
    let app = &env.app;
    let (ana, actor) = crate::first_employee(app, "Ana Ruiz").await;
    let mut c = env.pool().get_conn().await.unwrap();
    // Without its key (lost, say a restore without that table), nothing panics: the log
    // reads as if erased, history and a rebuilt feed show the placeholder.
    c.exec_drop(
        format!(
            "DELETE FROM {} WHERE subject_id = ?",
            app.tables().personal_keys
        ),
        (id(&ana),),
    )
    .await
    .unwrap();
    app.projector()
        .rebuild(env.pool(), env.clock.now())
        .await
        .unwrap();
    assert_eq!(
        feed_lines(app).await,
        vec!["Erased person joined as an employee".to_owned()]
    );
    let hist = app
        .entity_history(&json!({"context_type": "employee", "context_id": id(&ana)}))
        .await
        .unwrap();
    assert_eq!(hist["items"][0]["payload"]["name"], json!("Erased person"));
    drop(c);
    // An app with another site key cannot open the keys made with the first one: its reads
    // fail, naming the setting (never placeholders, which the feed would keep); the right
    // key still opens them.
    let mut other = env.config.clone();
    other.privacy_key = SiteKey::derive("another site secret, also thirty-two characters");
    let other = App::new(other).unwrap();
    app.identity()
        .create_employee(
            &json!({"name": "Bo Lind", "email": "bo@example.com"}),
            &actor,
        )
        .await
        .unwrap();
    let err = other
        .projector()
        .catch_up(other.pool(), env.clock.now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("privacy_key"), "{err}");
    let lines = feed_lines(app).await;
    assert!(
        lines
            .iter()
            .any(|l| l == "Bo Lind (bo@example.com) joined as an employee"),
        "{lines:?}"
    );
    let _ = other.disconnect().await;
    env.cleanup().await;
}

/// A person recorded before sealing existed (their `employee.created` holds the name and
/// address in plain text, and they have no data key): the erasure counts that event, records
/// the erasure without a key, and from then on every reader masks it — the employee's row,
/// the feed (also rebuilt from the log), the history and the state as of a date — while the
/// chain still verifies. The append-only log itself keeps the plain text (the only copy
/// left, reported as `legacy_plaintext_events`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn legacy_plaintext_is_masked_everywhere_after_erasure() {
    let Some(env) = env_with_site_key().await else {
        return;
    };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana Ruiz").await;
    app.store().write_next_append_plain();
    let lenny = app
        .identity()
        .create_employee(
            &json!({"name": "Lenny Oldrecord", "email": "lenny.oldrecord@example.com"}),
            &actor,
        )
        .await
        .unwrap();
    let lenny_id = id(&lenny);
    // Written as before sealing: plain in the log, no key row.
    let mut c = env.pool().get_conn().await.unwrap();
    let raw: Option<String> = c
        .exec_first(
            format!(
                "SELECT payload FROM {} WHERE event_type = 'employee.created' AND aggregate_id = ?",
                app.tables().events
            ),
            (&lenny_id,),
        )
        .await
        .unwrap();
    assert!(raw.unwrap().contains("Lenny Oldrecord"));
    let keys: Option<u64> = c
        .exec_first(
            format!(
                "SELECT COUNT(*) FROM {} WHERE subject_id = ?",
                app.tables().personal_keys
            ),
            (&lenny_id,),
        )
        .await
        .unwrap();
    assert_eq!(keys, Some(0));
    drop(c);
    // Readable while live (plain fields are kept as they are).
    assert!(feed_lines(app)
        .await
        .iter()
        .any(|l| l.starts_with("Lenny Oldrecord (lenny.oldrecord@example.com) joined")));
    let chain_before = app.verify_chain(&json!({})).await.unwrap();
    assert_eq!(chain_before["ok"], json!(true), "{chain_before}");

    let r = app
        .identity()
        .erase_personal_data(&json!({"email": "lenny.oldrecord@example.com"}), &actor)
        .await
        .unwrap();
    assert_eq!(
        r["erased"],
        json!([{"subject_type": "employee", "id": lenny_id}]),
        "{r}"
    );
    assert_eq!(r["legacy_plaintext_events"], json!(1), "{r}");

    // Masked by every reader.
    let e = app.identity().get_employee(&lenny_id).await.unwrap();
    assert_eq!(e["name"], json!("Erased person"));
    let lines = feed_lines(app).await;
    assert!(lines.iter().all(|l| !l.contains("Lenny")), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Erased person joined as an employee")),
        "{lines:?}"
    );
    let hist = app
        .entity_history(&json!({"context_type": "employee", "context_id": lenny_id}))
        .await
        .unwrap();
    assert_eq!(hist["items"][0]["payload"]["name"], json!("Erased person"));
    assert!(
        !hist.to_string().contains("Lenny") && !hist.to_string().contains("oldrecord"),
        "{hist}"
    );
    let today = env.clock.now().date_naive().to_string();
    let as_of = app
        .state_as_of(&json!({"aggregate_type": "employee", "id": lenny_id, "at": today}))
        .await
        .unwrap();
    assert_eq!(as_of["state"]["name"], json!("Erased person"), "{as_of}");
    let export = app
        .identity()
        .export_personal_data(&json!({"email": "lenny.oldrecord@example.com"}))
        .await
        .unwrap();
    assert_eq!(export["items"], json!([]));
    // A feed rebuilt from the log masks it too.
    app.projector()
        .rebuild(env.pool(), env.clock.now())
        .await
        .unwrap();
    let rebuilt = feed_lines(app).await;
    assert!(rebuilt.iter().all(|l| !l.contains("Lenny")), "{rebuilt:?}");
    // Only the append-only log keeps it; the chain verifies.
    for needle in ["Oldrecord", "lenny.oldrecord"] {
        let hits = grep_all_tables(&env, needle).await;
        assert_eq!(
            hits,
            vec![app.tables().events.clone() + ".payload"],
            "{needle}"
        );
    }
    let chain = app.verify_chain(&json!({})).await.unwrap();
    assert_eq!(chain["ok"], json!(true), "{chain}");
    let restored = app.verify_restore("employee", &lenny_id).await;
    assert!(restored.is_ok(), "{restored:?}");
    env.cleanup().await;
}

/// The history of `id` (an employee) as `app` reads it: the name its first event shows.
async fn first_name_in_history(app: &App, id: &str) -> Result<Value, AppError> {
    let h = app
        .entity_history(&json!({"context_type": "employee", "context_id": id}))
        .await?;
    Ok(h["items"][0]["payload"]["name"].clone())
}

/// The site key is rotated: with the new key as `privacy_key` and the old one as
/// `previous_privacy_key`, everything still opens while `rotate_privacy_key` re-wraps every
/// data key (in batches; a second run has nothing to do); then the new key alone opens
/// everything and the old one nothing. A key wrapped with neither is counted, left alone,
/// and keeps the rotation from saying it is done. Bad options and a missing new key are
/// field errors that change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_privacy_key_is_rotated_keeping_the_old_one_until_done() {
    let Some(env) = env_with_site_key().await else {
        return;
    };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana Ruiz").await;
    let zoe = app
        .identity()
        .create_employee(
            &json!({"name": "Zoë Quillfeather", "email": "zoe.q@example.com"}),
            &actor,
        )
        .await
        .unwrap();
    let zoe_id = id(&zoe);
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    app.identity()
        .add_contact(
            &id(&acme),
            &json!({"name": "Yannick Verbeeckx", "email": "yannick.v@acme.test"}),
            &actor,
        )
        .await
        .unwrap();
    let wrappings = |env: &Env| {
        let pool = env.pool().clone();
        let table = env.app.tables().personal_keys.clone();
        async move {
            let mut c = pool.get_conn().await.unwrap();
            let w: Vec<String> = c
                .query(format!("SELECT wrapping FROM {table} ORDER BY wrapping"))
                .await
                .unwrap();
            w
        }
    };
    let old_wrapping = wrappings(&env).await;
    assert_eq!(old_wrapping.len(), 3, "{old_wrapping:?}");

    let new_key = SiteKey::derive("the new site secret, thirty-two characters or more");
    let with_keys = |current: Option<SiteKey>, previous: Option<SiteKey>| {
        let mut c = env.config.clone();
        c.privacy_key = current;
        c.previous_privacy_key = previous;
        App::new(c).unwrap()
    };
    // The new key alone cannot open the old keys yet.
    let new_only = with_keys(new_key.clone(), None);
    let err = first_name_in_history(&new_only, &zoe_id).await.unwrap_err();
    assert!(err.to_string().contains("privacy_key"), "{err}");
    // Without a new key there is nothing to rotate to; bad options are field errors.
    let none = with_keys(None, None);
    let err = none.rotate_privacy_key(&json!({})).await.unwrap_err();
    assert!(
        matches!(&err, AppError::Validation(f) if f.get("privacy_key").is_some()),
        "{err:?}"
    );
    let rotating = with_keys(new_key.clone(), env.config.privacy_key.clone());
    let err = rotating
        .rotate_privacy_key(&json!({"batch": 0, "max_seconds": 99999}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Validation(f) if f.get("batch").is_some() && f.get("max_seconds").is_some()),
        "{err:?}"
    );
    assert_eq!(wrappings(&env).await, old_wrapping, "nothing changed");

    // Both keys open everything while it runs; batches of one re-wrap all three.
    assert_eq!(
        first_name_in_history(&rotating, &zoe_id).await.unwrap(),
        json!("Zoë Quillfeather")
    );
    let r = rotating
        .rotate_privacy_key(&json!({"batch": 1}))
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"rewrapped": 3, "unreadable": 0, "remaining": 0, "done": true})
    );
    let again = rotating.rotate_privacy_key(&json!({})).await.unwrap();
    assert_eq!(again["rewrapped"], json!(0));
    assert_eq!(again["done"], json!(true));
    let now_wrapped = wrappings(&env).await;
    assert!(
        now_wrapped.iter().all(|w| w == &now_wrapped[0]) && now_wrapped[0] != old_wrapping[0],
        "{old_wrapping:?} → {now_wrapped:?}"
    );
    // The new key alone opens everything (and seals what comes next); the old one nothing.
    let new_only = with_keys(new_key.clone(), None);
    assert_eq!(
        first_name_in_history(&new_only, &zoe_id).await.unwrap(),
        json!("Zoë Quillfeather")
    );
    let bo = new_only
        .identity()
        .create_employee(
            &json!({"name": "Bo Lind", "email": "bo@example.com"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(
        first_name_in_history(&new_only, &id(&bo)).await.unwrap(),
        json!("Bo Lind")
    );
    let err = first_name_in_history(app, &zoe_id).await.unwrap_err();
    assert!(err.to_string().contains("privacy_key"), "{err}");

    // A key wrapped with a third site key opens with neither: counted, left, not done.
    let third = with_keys(
        SiteKey::derive("a third site secret, again thirty-two characters"),
        None,
    );
    third
        .identity()
        .create_employee(
            &json!({"name": "Cy Third", "email": "cy@example.com"}),
            &actor,
        )
        .await
        .unwrap();
    let r = rotating.rotate_privacy_key(&json!({})).await.unwrap();
    assert_eq!(
        r,
        json!({"rewrapped": 0, "unreadable": 1, "remaining": 1, "done": false})
    );
    for a in [new_only, none, rotating, third] {
        let _ = a.disconnect().await;
    }
    env.cleanup().await;
}

/// The payloads of `ticket.replied` events in the log, as stored.
async fn raw_replies(env: &Env) -> Vec<String> {
    let mut c = env.pool().get_conn().await.unwrap();
    c.query(format!(
        "SELECT payload FROM {} WHERE event_type = 'ticket.replied' ORDER BY id",
        env.app.tables().events
    ))
    .await
    .unwrap()
}

/// The tickets the helpdesk search finds for `text`.
async fn found(app: &App, text: &str) -> usize {
    app.helpdesk()
        .list_tickets(&json!({"search": text}))
        .await
        .unwrap()["items"]
        .as_array()
        .unwrap()
        .len()
}

/// Issue 13: the messages a contact wrote — the opening message of a ticket logged for
/// them, portal replies, a portal ticket, replies and a new ticket by e-mail (with an
/// attachment) — are sealed in the log under the contact's key, exported with the contact,
/// and erased with them: no PET table holds their text afterwards (the log's ciphertext is
/// unreadable), search no longer finds them, notifications and stored results that quoted
/// them are overwritten, while staff replies and another contact's message stay, the chain
/// verifies and the SLA clock and KPI figures are unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_contacts_messages_are_erased_with_them_while_chain_sla_and_kpis_hold() {
    let Some(env) = env_with_site_key().await else {
        return;
    };
    let app = &env.app;
    let (ana, actor) = crate::first_employee(app, "Ana Ruiz").await;
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    let acme_id = id(&acme);
    // Added with an idempotency key: the stored result (the customer) names them.
    let add = |name: &'static str, email: &'static str| {
        let acme_id = acme_id.clone();
        let actor = CommandContext {
            idempotency_key: Some(
                pet_core::IdempotencyKey::new(format!("add-contact-{}", &email[..4])).unwrap(),
            ),
            ..actor.clone()
        };
        async move {
            let c = app
                .identity()
                .add_contact(&acme_id, &json!({"name": name, "email": email}), &actor)
                .await
                .unwrap();
            c["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == json!(name))
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let quentin = add("Quentin Marvell", "quentin.marvell@acme.test").await;
    let wile = add("Wile Coyote", "wile@acme.test").await;
    let def = app
        .helpdesk()
        .create_sla_definition(
            &json!({"name": "Standard", "spec": {
                "calendar": {"timezone": "Europe/London", "holidays": [],
                    "working_hours": {"mon": [{"start": "09:00", "end": "17:00"}]}},
                "targets": {
                    "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
                    "normal": {"first_response_minutes": 60, "resolution_minutes": 480},
                    "high": {"first_response_minutes": 30, "resolution_minutes": 240},
                    "urgent": {"first_response_minutes": 15, "resolution_minutes": 120}},
                "pause_statuses": ["waiting_on_customer"], "warning_percent": 80,
                "always_on": ["urgent"]}}),
            &actor,
        )
        .await
        .unwrap();

    // Staff log a call: the ticket opens with Quentin's message (one command).
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": acme_id, "subject": "Widget fault", "sla_definition_id": id(&def),
                    "assignee_id": id(&ana), "contact_id": quentin,
                    "message": "Zanzibarquokka: the widget hums at night"}),
            &actor,
        )
        .await
        .unwrap();
    let tid = id(&t);
    env.clock.advance(chrono::Duration::minutes(20));
    app.helpdesk()
        .reply_to_ticket(&tid, &json!({"body": "We are on our way."}), &actor)
        .await
        .unwrap();
    // Wile's message (another contact: stays).
    app.helpdesk()
        .reply_to_ticket(
            &tid,
            &json!({"body": "Wile says Roadrunnerbeep", "author": "customer", "contact_id": wile}),
            &actor,
        )
        .await
        .unwrap();
    // Quentin on the portal: a reply (its stored result quotes the ticket's messages) and
    // a ticket of their own.
    let portal = app.portal();
    portal
        .grant_portal_access(&quentin, 10, &actor)
        .await
        .unwrap();
    let keyed = |k: &str| CommandContext {
        idempotency_key: Some(pet_core::IdempotencyKey::new(k).unwrap()),
        ..CommandContext::system()
    };
    env.clock.advance(chrono::Duration::minutes(5));
    portal
        .portal_reply(
            10,
            &tid,
            &json!({"body": "Quokkazanzibar: still humming,\nnow louder"}),
            &keyed("portal-reply-1"),
        )
        .await
        .unwrap();
    let own = portal
        .portal_open_ticket(
            10,
            &json!({"subject": "Second site", "message": "Marvellousfjord site is down too"}),
            &keyed("portal-open-1"),
        )
        .await
        .unwrap();
    // By e-mail: a reply with the token of a notification to Quentin, with an attachment,
    // and a message without token (a new ticket).
    app.mail().run_outbox().await.unwrap();
    let claimed = app
        .mail()
        .claim_outgoing(&json!({"limit": 100}))
        .await
        .unwrap();
    let token = claimed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["to"] == json!("quentin.marvell@acme.test") && m["ticket_id"] == json!(tid))
        .unwrap_or_else(|| panic!("no mail to Quentin on the ticket: {claimed}"))["reply_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .mail()
        .receive_mail(&json!({
            "message_id": "<q1@acme.test>", "from_email": "Quentin.Marvell@acme.test",
            "from_name": "Quentin Marvell", "subject": "Re: Widget fault Sealedsubjectword",
            "body": "Xylophonequill by mail, see photo\n\nOn Mon, Support wrote:\n> on our way",
            "to": [format!("support+{token}@pet.test")], "own_addresses": ["support@pet.test"],
            "attachments": [{"filename": "hum-recording-quokka.txt", "mime_type": "text/plain",
                             "content_base64": "aHVtIGh1bSBodW0="}]}))
        .await
        .unwrap();
    assert_eq!(r["status"], json!("threaded"), "{r}");
    let r = app
        .mail()
        .receive_mail(&json!({
            "message_id": "<q2@acme.test>", "from_email": "quentin.marvell@acme.test",
            "from_name": "Quentin Marvell", "subject": "Third problem",
            "body": "Kestrelwombat printer jam", "to": ["support@pet.test"],
            "own_addresses": ["support@pet.test"]}))
        .await
        .unwrap();
    assert_eq!(r["status"], json!("opened"), "{r}");
    let mailed = r["ticket_id"].as_str().unwrap().to_owned();
    // The outbox quotes Quentin's replies to Ana (the assignee).
    app.mail().run_outbox().await.unwrap();
    let needles = [
        "Zanzibarquokka",
        "Quokkazanzibar",
        "Marvellousfjord",
        "Xylophonequill",
        "Kestrelwombat",
        "hum-recording-quokka",
        "Sealedsubjectword",
        "Quentin Marvell",
        "quentin.marvell@",
    ];
    // Copies quote the portal reply: the notification to Ana, the command's stored result.
    let t = app.tables();
    let hits = grep_all_tables(&env, "Quokkazanzibar").await;
    for copy in [
        format!("{}.vars", app.mail_tables().outbox),
        format!("{}.result", t.idempotency),
    ] {
        assert!(hits.contains(&copy), "{copy} not in {hits:?}");
    }

    // Sealed in the log: Quentin's and Wile's messages (contacts), not Ana's.
    let raw = raw_replies(&env).await;
    assert_eq!(raw.len(), 7, "{raw:?}");
    for p in &raw {
        for n in needles.iter().chain(["Roadrunnerbeep"].iter()) {
            assert!(!p.contains(n), "{n} in {p}");
        }
    }
    assert!(raw.iter().any(|p| p.contains("We are on our way.")));
    assert_eq!(raw.iter().filter(|p| p.contains("\"sealed\"")).count(), 6);
    let received: Vec<String> = {
        let mut c = env.pool().get_conn().await.unwrap();
        c.query(format!(
            "SELECT payload FROM {} WHERE event_type = 'mail.received'",
            app.tables().events
        ))
        .await
        .unwrap()
    };
    assert_eq!(received.len(), 2);
    assert!(received
        .iter()
        .all(|p| p.contains("\"sealed\"") && !p.contains("Third problem")));
    // Readable where it is used while Quentin is live.
    let page = app.helpdesk().get_ticket(&tid).await.unwrap();
    let bodies: Vec<&str> = page["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 5, "{bodies:?}");
    assert_eq!(bodies[0], "Zanzibarquokka: the widget hums at night");
    assert_eq!(found(app, "Zanzibarquokka").await, 1);
    assert_eq!(found(app, "Kestrelwombat").await, 1);
    let hist = app
        .entity_history(&json!({"context_type": "ticket", "context_id": tid}))
        .await
        .unwrap();
    let opening = hist["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["event_type"] == json!("ticket.replied"))
        .unwrap();
    assert_eq!(
        opening["payload"]["body"],
        json!("Zanzibarquokka: the widget hums at night")
    );
    assert!(opening["payload_recorded"]["body"]["sealed"].is_string());

    // The export lists Quentin's messages with their tickets, not Wile's or Ana's.
    let ex = app
        .identity()
        .export_personal_data(&json!({"email": "quentin.marvell@acme.test"}))
        .await
        .unwrap();
    assert_eq!(ex["done"], json!(true));
    let messages: Vec<&Value> = ex["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["group"] == json!("message"))
        .collect();
    assert_eq!(messages.len(), 5, "{ex}");
    let number = page["number"].as_u64().unwrap();
    assert_eq!(
        messages[0]["fields"]["ticket"],
        json!(format!("#{number} Widget fault"))
    );
    assert_eq!(
        messages[0]["fields"]["message"],
        json!("Zanzibarquokka: the widget hums at night")
    );
    assert!(messages[0]["fields"]["date"].is_string());
    assert!(!ex.to_string().contains("Roadrunnerbeep") && !ex.to_string().contains("on our way."));

    // The figures before: the SLA clocks, a helpdesk KPI, the chain.
    let sla_before = app.helpdesk().get_ticket(&tid).await.unwrap()["sla"].clone();
    assert_eq!(
        sla_before["first_response"]["state"],
        json!("met"),
        "{sla_before}"
    );
    let k = app
        .kpi()
        .define_kpi(
            &json!({"name": "First response", "calculator": "first_response_time",
                    "scope": "org", "grain": "month"}),
            &actor,
        )
        .await
        .unwrap();
    app.kpi().run_kpis().await.unwrap();
    let kpi_before = app.kpi().kpi_results(&id(&k), &json!({})).await.unwrap();
    let chain_before = app.verify_chain(&json!({})).await.unwrap();
    assert_eq!(chain_before["ok"], json!(true), "{chain_before}");

    // Erased through the privacy tool's call.
    let r = app
        .identity()
        .erase_personal_data(&json!({"email": "quentin.marvell@acme.test"}), &actor)
        .await
        .unwrap();
    assert_eq!(
        r["erased"],
        json!([{"subject_type": "contact", "id": quentin}]),
        "{r}"
    );
    assert_eq!(r["messages"], json!(5), "{r}");
    assert_eq!(r["mail_received"], json!(2), "{r}");
    assert_eq!(r["attachments"], json!(1), "{r}");
    assert!(r["notifications"].as_u64().unwrap() >= 2, "{r}");
    assert_eq!(r["legacy_plaintext_events"], json!(0), "{r}");

    // Nowhere readable: no text column of any PET table holds the messages or the file name.
    app.activity(&json!({})).await.unwrap();
    for n in needles {
        let hits = grep_all_tables(&env, n).await;
        assert!(hits.is_empty(), "{n:?} still in {hits:?}");
    }
    let mut c = env.pool().get_conn().await.unwrap();
    let files: Vec<(String, u64, Vec<u8>)> = c
        .query(format!(
            "SELECT filename, size, content FROM {}",
            app.mail_tables().attachments
        ))
        .await
        .unwrap();
    assert_eq!(
        files,
        vec![("(attachment erased)".to_owned(), 0, Vec::new())]
    );
    drop(c);
    // Search does not find them; every reader shows the placeholder; the rest stays.
    for n in [
        "Zanzibarquokka",
        "Quokkazanzibar",
        "Kestrelwombat",
        "Marvellousfjord",
    ] {
        assert_eq!(found(app, n).await, 0, "{n}");
    }
    assert_eq!(found(app, "Roadrunnerbeep").await, 1);
    let page = app.helpdesk().get_ticket(&tid).await.unwrap();
    let bodies: Vec<&str> = page["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "(message erased)",
            "We are on our way.",
            "Wile says Roadrunnerbeep",
            "(message erased)",
            "(message erased)"
        ]
    );
    let own_page = app.helpdesk().get_ticket(&id(&own)).await.unwrap();
    assert_eq!(own_page["replies"][0]["body"], json!("(message erased)"));
    assert_eq!(
        own_page["subject"],
        json!("Second site"),
        "ticket subjects stay"
    );
    let mailed_page = app.helpdesk().get_ticket(&mailed).await.unwrap();
    assert_eq!(mailed_page["replies"][0]["body"], json!("(message erased)"));
    let hist = app
        .entity_history(&json!({"context_type": "ticket", "context_id": tid}))
        .await
        .unwrap();
    let text = hist.to_string();
    assert!(
        !text.contains("Zanzibarquokka") && text.contains("(message erased)"),
        "{text}"
    );
    assert!(text.contains("Roadrunnerbeep") && text.contains("We are on our way."));
    // Her portal login went with her (the WordPress user 10 is nobody's portal user now),
    // so nothing more is recorded for the erased contact.
    assert_eq!(
        r["portal_access_revoked"],
        json!([{"contact_id": quentin, "wp_user_id": 10}]),
        "{r}"
    );
    let after = portal
        .portal_reply(
            10,
            &tid,
            &json!({"body": "still here"}),
            &CommandContext::system(),
        )
        .await
        .unwrap_err();
    assert!(matches!(after, AppError::NotFound(_)), "{after:?}");
    // The chain verifies (two events more: the portal access revoked, the erasure); SLA and
    // KPI figures are the same.
    let chain = app.verify_chain(&json!({})).await.unwrap();
    assert_eq!(chain["ok"], json!(true), "{chain}");
    assert_eq!(
        chain["head_sequence"].as_u64().unwrap(),
        chain_before["head_sequence"].as_u64().unwrap() + 2
    );
    assert_eq!(
        app.helpdesk().get_ticket(&tid).await.unwrap()["sla"],
        sla_before
    );
    app.kpi().run_kpis().await.unwrap();
    let kpi_after = app.kpi().kpi_results(&id(&k), &json!({})).await.unwrap();
    assert_eq!(kpi_after["results"], kpi_before["results"]);
    // Replayed from the log (the key gone), the tickets are their rows.
    for t in [&tid, &id(&own), &mailed] {
        let r = app.verify_restore("ticket", t).await;
        assert!(r.is_ok(), "{t}: {r:?}");
    }
    crate::every_aggregate_restores_as_replayed(&env).await;
    env.cleanup().await;
}

/// A contact's message recorded before messages were sealed (plain in the log) is masked on
/// every read once the contact is erased, counted as retained, and only the log keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_legacy_plain_message_is_masked_once_its_contact_is_erased() {
    let Some(env) = env_with_site_key().await else {
        return;
    };
    let app = &env.app;
    let (_, actor) = crate::first_employee(app, "Ana Ruiz").await;
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    let c = app
        .identity()
        .add_contact(
            &id(&acme),
            &json!({"name": "Olga Older", "email": "olga.older@acme.test"}),
            &actor,
        )
        .await
        .unwrap();
    let olga = c["contacts"][0]["id"].as_str().unwrap().to_owned();
    app.store().write_next_append_plain();
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": id(&acme), "subject": "Old one", "contact_id": olga,
                    "message": "Pelicanmarmalade from the old days"}),
            &actor,
        )
        .await
        .unwrap();
    let tid = id(&t);
    let raw = raw_replies(&env).await;
    assert!(raw[0].contains("Pelicanmarmalade"), "{raw:?}");
    let r = app
        .identity()
        .erase_personal_data(&json!({"email": "olga.older@acme.test"}), &actor)
        .await
        .unwrap();
    assert_eq!(r["messages"], json!(1), "{r}");
    assert_eq!(r["legacy_plaintext_events"], json!(1), "{r}");
    let page = app.helpdesk().get_ticket(&tid).await.unwrap();
    assert_eq!(page["replies"][0]["body"], json!("(message erased)"));
    let hist = app
        .entity_history(&json!({"context_type": "ticket", "context_id": tid}))
        .await
        .unwrap();
    let reply = hist["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["event_type"] == json!("ticket.replied"))
        .unwrap();
    assert_eq!(reply["payload"]["body"], json!("(message erased)"));
    assert_eq!(reply["payload_recorded"]["body"], json!("(message erased)"));
    assert_eq!(found(app, "Pelicanmarmalade").await, 0);
    assert_eq!(
        grep_all_tables(&env, "Pelicanmarmalade").await,
        vec![app.tables().events.clone() + ".payload"]
    );
    let chain = app.verify_chain(&json!({})).await.unwrap();
    assert_eq!(chain["ok"], json!(true), "{chain}");
    let restored = app.verify_restore("ticket", &tid).await;
    assert!(restored.is_ok(), "{restored:?}");
    env.cleanup().await;
}

/// Seeds `n` rows into each table an erasure searches by text (jobs, mail outbox, mail
/// inbox, stored command results), none of them about the person erased, from MariaDB's
/// sequence engine.
async fn seed_copies(env: &Env, n: u64) {
    let mut c = env.pool().get_conn().await.unwrap();
    let t = env.app.tables();
    let m = env.app.mail_tables();
    let seq = format!("seq_1_to_{n}");
    for sql in [
        format!(
            "INSERT INTO {} (id, kind, payload, status, attempts, max_attempts, run_at, last_error, \
             created_at, updated_at) SELECT CONCAT('bench-', seq), 'bench.job', \
             JSON_OBJECT('to', CONCAT('someone', seq, '@example.com'), 'note', REPEAT('x', 200)), \
             'done', 1, 5, NOW(6), CONCAT('error of job ', seq), NOW(6), NOW(6) FROM {seq}",
            t.jobs
        ),
        format!(
            "INSERT INTO {} (id, event_id, sequence, kind, ticket_id, recipient_kind, recipient_id, \
             email, recipient_name, vars, status, attempts, max_attempts, run_at, created_at, \
             updated_at) SELECT CONCAT('bench-', seq), CONCAT('ev-', seq), seq, 'public_reply', \
             't', 'contact', 'c', CONCAT('someone', seq, '@example.com'), CONCAT('Someone ', seq), \
             JSON_OBJECT('reply_body', REPEAT('y', 400), 'recipient_name', CONCAT('Someone ', seq)), \
             'sent', 1, 5, NOW(6), NOW(6), NOW(6) FROM {seq}",
            m.outbox
        ),
        format!(
            "INSERT INTO {} (id, message_id, from_email, from_name, subject, body, status, reason, \
             received_at) SELECT CONCAT('bench-', seq), CONCAT('<bench', seq, '@x>'), \
             CONCAT('someone', seq, '@example.com'), CONCAT('Someone ', seq), 'Re: help', \
             REPEAT('z', 1000), 'threaded', 'reply', NOW(6) FROM {seq}",
            m.inbox
        ),
        format!(
            "INSERT INTO {} (idem_key, request_hash, result, created_at) SELECT \
             CONCAT('bench-', seq), REPEAT('0', 64), JSON_OBJECT('id', UUID(), 'body', \
             REPEAT('w', 500)), NOW(6) FROM {seq}",
            t.idempotency
        ),
    ] {
        c.query_drop(sql).await.unwrap();
    }
}

/// What erasing one contact (with 5 messages, mail and notifications) costs beside large
/// copy tables: `PET_BENCH_ERASE_ROWS` rows (default 100,000) in each of jobs, outbox, inbox
/// and stored results, against the same erasure with those tables empty. Prints the times
/// (README, Performance). Run by hand:
/// `cargo test -p pet-storage-mysql --test integration bench_erasure -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn bench_erasure_beside_large_copy_tables() {
    let rows: u64 = std::env::var("PET_BENCH_ERASE_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    for seeded in [0, rows] {
        let Some(env) = env_with_site_key().await else {
            return;
        };
        let app = &env.app;
        let (_, actor) = crate::first_employee(app, "Ana Ruiz").await;
        let acme = app
            .identity()
            .create_customer(&json!({"name": "Acme"}), &actor)
            .await
            .unwrap();
        seed_copies(&env, seeded).await;
        // Three people erased one after the other (the tables stay seeded).
        for round in 0..3 {
            let email = format!("bench.person{round}@acme.test");
            let c = app
                .identity()
                .add_contact(
                    &id(&acme),
                    &json!({"name": format!("Bench Person {round}"), "email": email}),
                    &actor,
                )
                .await
                .unwrap();
            let contact = c["contacts"][round]["id"].as_str().unwrap().to_owned();
            for i in 0..5 {
                let t = app
                    .helpdesk()
                    .create_ticket(
                        &json!({"customer_id": id(&acme), "subject": format!("Bench {i}"),
                                "contact_id": contact, "message": format!("Bench message {i}")}),
                        &actor,
                    )
                    .await
                    .unwrap();
                app.helpdesk()
                    .reply_to_ticket(&id(&t), &json!({"body": "ok"}), &actor)
                    .await
                    .unwrap();
            }
            // Meanwhile a REST-like writer: commands with an idempotency key (a row in the
            // table the erasure scans), one after the other; its longest wait is reported.
            let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let writer = {
                let (app, actor, done) = (app.clone(), actor.clone(), done.clone());
                tokio::spawn(async move {
                    let (mut longest, mut n) = (std::time::Duration::ZERO, 0u32);
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        let mut ctx = actor.clone();
                        ctx.idempotency_key = Some(
                            pet_core::IdempotencyKey::new(format!(
                                "bench-writer-{}",
                                uuid::Uuid::now_v7()
                            ))
                            .unwrap(),
                        );
                        let t = std::time::Instant::now();
                        app.identity()
                            .create_customer(&json!({"name": format!("Writer {n}")}), &ctx)
                            .await
                            .unwrap();
                        longest = longest.max(t.elapsed());
                        n += 1;
                    }
                    (longest, n)
                })
            };
            let started = std::time::Instant::now();
            let r = app
                .identity()
                .erase_personal_data(&json!({"email": email}), &actor)
                .await
                .unwrap();
            let took = started.elapsed();
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            let (longest, writes) = writer.await.unwrap();
            assert_eq!(r["messages"], json!(5), "{r}");
            eprintln!(
                "erasure {round} of one contact (5 messages) beside {seeded} rows in each copy table: {:.1} ms; \
                 meanwhile {writes} commands with an idempotency key, the longest {:.1} ms",
                took.as_secs_f64() * 1000.0,
                longest.as_secs_f64() * 1000.0
            );
        }
        env.cleanup().await;
    }
}
