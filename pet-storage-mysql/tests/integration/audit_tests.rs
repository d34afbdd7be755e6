//! Audit: the chain verification finds every kind of tampering (one test per kind), names
//! the first bad sequence in its report and in health; the scheduled run costs only the
//! new events; the export verifies offline and a tampered one does not. Tampering is done
//! as an attacker with database access would: dropping the append-only triggers, writing,
//! and putting the triggers back (`migrate()` re-creates missing ones).

use mysql_async::prelude::*;
use pet_core::chain::{chain_hash, verify_export, ChainRow, ExportError};
use serde_json::{json, Value};

use pet_storage_mysql::Clock as _;

use crate::{env, first_employee, Env};

/// An app with `n` customers created after the first employee (n + 1 events at least).
async fn with_events(n: usize) -> Option<(Env, u64)> {
    let env = env().await?;
    let (_, ctx) = first_employee(&env.app, "Ana").await;
    for i in 0..n {
        env.app
            .identity()
            .create_customer(&json!({"name": format!("Customer {i}")}), &ctx)
            .await
            .unwrap();
    }
    let events = env.count(&env.app.tables().events).await;
    Some((env, events))
}

/// Runs `sql` (each statement) with the events table's triggers dropped, then restores
/// them.
async fn tamper(env: &Env, sql: &[String]) {
    let mut c = env.pool().get_conn().await.unwrap();
    let p = &env.config.prefix;
    for trigger in ["no_update", "no_delete", "chain"] {
        c.query_drop(format!(
            "DROP TRIGGER IF EXISTS {p}pet_domain_events_{trigger}"
        ))
        .await
        .unwrap();
    }
    for s in sql {
        c.query_drop(s).await.unwrap();
    }
    drop(c);
    let repaired = env.app.migrate().await.unwrap();
    assert_eq!(repaired["repaired_triggers"], json!(true), "{repaired}");
}

async fn verify(env: &Env, mode: &str) -> Value {
    env.app.verify_chain(&json!({"mode": mode})).await.unwrap()
}

/// The verification fails at `sequence` with `kind`, and health is red naming them.
async fn assert_fault(env: &Env, mode: &str, sequence: u64, kind: &str) -> Value {
    let r = verify(env, mode).await;
    assert_eq!(r["ok"], json!(false), "{r}");
    assert_eq!(r["fault"]["sequence"], json!(sequence), "{r}");
    assert_eq!(r["fault"]["kind"], json!(kind), "{r}");
    let health = env.app.health().await.unwrap();
    assert_eq!(health["ok"], json!(false), "{health}");
    let chain = &health["checks"]["event_chain"];
    assert_eq!(chain["ok"], json!(false), "{health}");
    let msg = chain["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("sequence {sequence} ({kind})")),
        "{msg}"
    );
    let status = env.app.chain_status().await.unwrap();
    assert_eq!(status["status"], json!("failed"), "{status}");
    r
}

fn events_table(env: &Env) -> String {
    env.app.tables().events.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_clean_log_verifies_and_health_says_how_far() {
    let Some((env, n)) = with_events(3).await else {
        return;
    };
    let health = env.app.health().await.unwrap();
    assert_eq!(
        health["checks"]["event_chain"]["ok"],
        json!(true),
        "{health}"
    );
    let r = verify(&env, "full").await;
    assert_eq!(r["ok"], json!(true), "{r}");
    assert_eq!(
        (r["checked"].clone(), r["verified_sequence"].clone()),
        (json!(n), json!(n))
    );
    assert_eq!(r["complete"], json!(true));
    let status = env.app.chain_status().await.unwrap();
    assert_eq!(status["status"], json!("ok"));
    assert_eq!(status["verified_hash"], status["head"]["hash"], "{status}");
    let health = env.app.health().await.unwrap();
    assert_eq!(health["ok"], json!(true), "{health}");
    let msg = health["checks"]["event_chain"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("verified up to event {n} of {n}")),
        "{msg}"
    );
    assert_eq!(
        env.app
            .store()
            .verify_chain(&mut env.pool().get_conn().await.unwrap())
            .await
            .unwrap(),
        n
    );
    // Bad options change nothing.
    assert!(env.app.verify_chain(&json!({"mode": "all"})).await.is_err());
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edited_payload_is_found() {
    let Some((env, _)) = with_events(3).await else {
        return;
    };
    let t = events_table(&env);
    tamper(
        &env,
        &[format!(
            "UPDATE {t} SET payload = JSON_SET(payload, '$.name', 'Mallory') WHERE id = 3"
        )],
    )
    .await;
    let r = assert_fault(&env, "full", 3, "altered").await;
    assert!(r["fault"]["message"]
        .as_str()
        .unwrap()
        .contains("payload or metadata"));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edited_metadata_column_is_found() {
    // Each metadata column on its own, in a fresh log: the actor, the business time, the
    // schema version.
    for (column, set, seq) in [
        (
            "actor",
            "actor_employee_id = '00000000-0000-7000-8000-000000000009'",
            2,
        ),
        ("time", "occurred_at = occurred_at + INTERVAL 1 DAY", 2),
        ("version", "schema_version = schema_version + 1", 4),
    ] {
        let Some((env, _)) = with_events(3).await else {
            return;
        };
        let t = events_table(&env);
        tamper(&env, &[format!("UPDATE {t} SET {set} WHERE id = {seq}")]).await;
        let r = assert_fault(&env, "full", seq, "altered").await;
        assert_eq!(r["fault"]["sequence"], json!(seq), "{column}");
        env.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deleted_row_is_found() {
    let Some((env, _)) = with_events(3).await else {
        return;
    };
    let t = events_table(&env);
    tamper(&env, &[format!("DELETE FROM {t} WHERE id = 2")]).await;
    let r = assert_fault(&env, "full", 2, "missing").await;
    assert!(r["fault"]["message"]
        .as_str()
        .unwrap()
        .contains("event 2 is missing"));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_inserted_row_is_found() {
    let Some((env, n)) = with_events(3).await else {
        return;
    };
    let t = events_table(&env);
    // The attacker knows the hash: the forged row links and hashes correctly, but the
    // chain trigger is not there to move the head.
    let mut c = env.pool().get_conn().await.unwrap();
    let head_hash: String = c
        .exec_first(format!("SELECT hash FROM {t} WHERE id = ?"), (n,))
        .await
        .unwrap()
        .unwrap();
    drop(c);
    let id = "0190f000-0000-7000-8000-0000000000aa";
    let agg = "0190f000-0000-7000-8000-0000000000bb";
    let payload = r#"{"customer_id":"0190f000-0000-7000-8000-0000000000bb","name":"Forged"}"#;
    let us = 1_772_442_000_000_000i64;
    let hash = chain_hash(
        &head_hash,
        &ChainRow {
            sequence: n + 1,
            event_id: id,
            event_type: "customer.created",
            schema_version: 1,
            occurred_at_us: us,
            recorded_at_us: us,
            actor_employee_id: None,
            context_type: "customer",
            context_id: agg,
            aggregate_type: "customer",
            aggregate_id: agg,
            aggregate_version: 1,
            idempotency_key: None,
            payload,
            actor_contact_id: None,
        },
    );
    tamper(
        &env,
        &[format!(
            "INSERT INTO {t} (id, event_id, event_type, schema_version, occurred_at, recorded_at, \
             actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, \
             aggregate_version, idempotency_key, payload, prev_hash, hash) VALUES \
             ({}, '{id}', 'customer.created', 1, '2026-03-02 09:00:00', '2026-03-02 09:00:00', NULL, \
             'customer', '{agg}', 'customer', '{agg}', 1, NULL, '{payload}', '{head_hash}', '{hash}')",
            n + 1
        )],
    )
    .await;
    assert_fault(&env, "full", n + 1, "beyond_head").await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reordered_rows_are_found() {
    let Some((env, _)) = with_events(3).await else {
        return;
    };
    let t = events_table(&env);
    tamper(
        &env,
        &[
            format!("UPDATE {t} SET id = 1000000 WHERE id = 2"),
            format!("UPDATE {t} SET id = 2 WHERE id = 3"),
            format!("UPDATE {t} SET id = 3 WHERE id = 1000000"),
        ],
    )
    .await;
    assert_fault(&env, "full", 2, "unlinked").await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_truncated_log_is_found() {
    let Some((env, n)) = with_events(3).await else {
        return;
    };
    let t = events_table(&env);
    // Last events deleted, head left: the head says where the log should end.
    tamper(&env, &[format!("DELETE FROM {t} WHERE id > {}", n - 2)]).await;
    let r = assert_fault(&env, "full", n - 1, "truncated").await;
    assert!(
        r["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("the sequence head"),
        "{r}"
    );
    env.cleanup().await;

    // TRUNCATE fires no DELETE trigger; with the head reset too, only the earlier
    // verification knows the log was longer. Health sees it at once (one key read), before
    // any verification runs.
    let Some((env, n)) = with_events(3).await else {
        return;
    };
    assert_eq!(
        verify(&env, "incremental").await["verified_sequence"],
        json!(n)
    );
    let seq = env.app.tables().sequence.clone();
    let mut c = env.pool().get_conn().await.unwrap();
    c.query_drop(format!("TRUNCATE TABLE {t}", t = events_table(&env)))
        .await
        .unwrap();
    c.query_drop(format!(
        "UPDATE {seq} SET last_sequence = 0, last_hash = '{}' WHERE id = 1",
        pet_core::chain::GENESIS_HASH
    ))
    .await
    .unwrap();
    drop(c);
    let health = env.app.health().await.unwrap();
    let msg = health["checks"]["event_chain"]["message"].as_str().unwrap();
    assert!(msg.contains("sequence 1 (truncated)"), "{msg}");
    let r = assert_fault(&env, "full", 1, "truncated").await;
    assert!(
        r["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("an earlier verification"),
        "{r}"
    );
    // The scheduled run finds it too, and a fault is not cleared by an incremental run.
    assert_eq!(verify(&env, "incremental").await["skipped"], json!(true));
    // After a legitimate restore the administrator restarts the verification.
    let r = verify(&env, "restart").await;
    assert_eq!(r["ok"], json!(true), "{r}");
    assert_eq!(env.app.health().await.unwrap()["ok"], json!(true));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sequence_head_moved_by_hand_is_found() {
    let Some((env, n)) = with_events(3).await else {
        return;
    };
    let seq = env.app.tables().sequence.clone();
    let mut c = env.pool().get_conn().await.unwrap();
    // Back by one, with that event's hash: the last event lies beyond the head.
    c.query_drop(format!(
        "UPDATE {seq} s JOIN {t} e ON e.id = {m} SET s.last_sequence = {m}, s.last_hash = e.hash WHERE s.id = 1",
        t = events_table(&env),
        m = n - 1
    ))
    .await
    .unwrap();
    assert_fault(&env, "full", n, "beyond_head").await;
    // Forward: the log ends before the head.
    c.query_drop(format!(
        "UPDATE {seq} SET last_sequence = {} WHERE id = 1",
        n + 5
    ))
    .await
    .unwrap();
    assert_fault(&env, "full", n + 1, "truncated").await;
    // Same sequence, another hash.
    c.query_drop(format!(
        "UPDATE {seq} SET last_sequence = {n}, last_hash = REPEAT('a', 64) WHERE id = 1"
    ))
    .await
    .unwrap();
    assert_fault(&env, "full", n, "head_mismatch").await;
    drop(c);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_scheduled_run_checks_only_new_events_and_catches_a_rewrite() {
    let Some((env, n)) = with_events(2).await else {
        return;
    };
    let r = env.app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(r["dead"], json!(0), "{r}");
    let status = env.app.chain_status().await.unwrap();
    assert_eq!(
        status["verified_sequence"],
        json!(n),
        "the job verified the log: {status}"
    );
    // Three more events: the next run checks exactly those.
    let actor: Value =
        env.app.identity().list_employees(&json!({})).await.unwrap()["items"][0].clone();
    let actor =
        pet_storage_mysql::CommandContext::employee(actor["id"].as_str().unwrap().parse().unwrap());
    for i in 0..3 {
        env.app
            .identity()
            .create_customer(&json!({"name": format!("Late {i}")}), &actor)
            .await
            .unwrap();
    }
    let r = verify(&env, "incremental").await;
    assert_eq!(r["checked"], json!(3), "{r}");
    assert_eq!(r["verified_sequence"], json!(n + 3), "{r}");
    let r = verify(&env, "incremental").await;
    assert_eq!(r["checked"], json!(0), "nothing new: {r}");
    // The whole chain recomputed from event 2 after an edit (a careful attacker) moves the
    // checkpoint's hash: the next scheduled run finds it without reading the log.
    let t = events_table(&env);
    let mut c = env.pool().get_conn().await.unwrap();
    let rows: Vec<mysql_async::Row> = c
        .query(format!(
            "SELECT id, event_id, event_type, schema_version, occurred_at, recorded_at, \
             actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, \
             aggregate_version, idempotency_key, payload FROM {t} ORDER BY id"
        ))
        .await
        .unwrap();
    drop(c);
    let mut prev = pet_core::chain::GENESIS_HASH.to_owned();
    let mut sql = Vec::new();
    for mut r in rows {
        let seq: u64 = r.take(0).unwrap();
        let mut payload: String = r.take(13).unwrap();
        if seq == 2 {
            payload = payload.replace("Customer 0", "Mallory");
        }
        let occ: chrono::NaiveDateTime = r.take(4).unwrap();
        let rec: chrono::NaiveDateTime = r.take(5).unwrap();
        let s = |r: &mut mysql_async::Row, i| r.take::<Option<String>, _>(i).unwrap();
        let (eid, ety, act, cty, cid, aty, aid, key) = (
            s(&mut r, 1).unwrap(),
            s(&mut r, 2).unwrap(),
            s(&mut r, 6),
            s(&mut r, 7).unwrap(),
            s(&mut r, 8).unwrap(),
            s(&mut r, 9).unwrap(),
            s(&mut r, 10).unwrap(),
            s(&mut r, 12),
        );
        let sv: u32 = r.take(3).unwrap();
        let av: u64 = r.take(11).unwrap();
        let hash = chain_hash(
            &prev,
            &ChainRow {
                sequence: seq,
                event_id: &eid,
                event_type: &ety,
                schema_version: sv,
                occurred_at_us: occ.and_utc().timestamp_micros(),
                recorded_at_us: rec.and_utc().timestamp_micros(),
                actor_employee_id: act.as_deref(),
                context_type: &cty,
                context_id: &cid,
                aggregate_type: &aty,
                aggregate_id: &aid,
                aggregate_version: av,
                idempotency_key: key.as_deref(),
                payload: &payload,
                actor_contact_id: None,
            },
        );
        sql.push(format!(
            "UPDATE {t} SET payload = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE id = {seq}",
            payload.replace('\'', "''")
        ));
        prev = hash;
    }
    sql.push(format!(
        "UPDATE {} SET last_hash = '{prev}' WHERE id = 1",
        env.app.tables().sequence
    ));
    tamper(&env, &sql).await;
    // A full recomputation alone cannot tell (the chain is consistent again) …
    let mut c = env.pool().get_conn().await.unwrap();
    assert_eq!(env.app.store().verify_chain(&mut c).await.unwrap(), n + 3);
    drop(c);
    // … but the recorded checkpoint can.
    let r = assert_fault(&env, "incremental", n + 3, "anchor_mismatch").await;
    assert!(
        r["fault"]["message"]
            .as_str()
            .unwrap()
            .contains("rewritten"),
        "{r}"
    );
    env.cleanup().await;
}

/// The whole export, chunk by chunk, as the plugin streams it.
async fn export(env: &Env, limit: u64) -> Vec<String> {
    let mut q = json!({"limit": limit});
    let mut text = String::new();
    let mut chunks = 0;
    loop {
        let r = env.app.export_events(&q).await.unwrap();
        text.push_str(r["text"].as_str().unwrap());
        chunks += 1;
        if r["done"] == json!(true) {
            break;
        }
        q = r["next"].clone();
        assert!(chunks < 1000);
    }
    text.lines().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_export_verifies_offline_and_a_tampered_one_does_not() {
    let Some((env, n)) = with_events(4).await else {
        return;
    };
    let lines = export(&env, 2).await;
    assert_eq!(lines.len() as u64, n + 2, "header, events, end line");
    let status = env.app.chain_status().await.unwrap();
    let head = (n, status["head"]["hash"].as_str().unwrap().to_owned());
    let s = verify_export(&lines, std::slice::from_ref(&head)).unwrap();
    assert_eq!(s.events, n);
    // The same file written out verifies with the shipped command's code path.
    let dir = std::env::temp_dir().join(format!("pet-export-{}", env.config.prefix));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("events.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let read: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    verify_export(&read, &[]).unwrap();
    // A tampered file: one payload edited.
    let mut bad = lines.clone();
    bad[3] = bad[3].replace("Customer 1", "Mallory");
    assert_ne!(bad, lines);
    // `PET_TEST_EXPORT_DIR`: keep both files there, to run the shipped verifier on them
    // (`cargo run -p pet-core --example verify-export -- DIR/good.jsonl`).
    if let Ok(keep) = std::env::var("PET_TEST_EXPORT_DIR") {
        std::fs::write(format!("{keep}/good.jsonl"), lines.join("\n") + "\n").unwrap();
        std::fs::write(format!("{keep}/tampered.jsonl"), bad.join("\n") + "\n").unwrap();
    }
    assert!(matches!(
        verify_export(&bad, &[]),
        Err(ExportError::Chain(f)) if f.sequence() == 3 && f.kind() == "altered"
    ));
    // An export of a tampered log carries the fault: the edited row is exported as stored.
    tamper(
        &env,
        &[format!(
            "UPDATE {} SET payload = REPLACE(payload, 'Customer 2', 'Mallory') WHERE id = 4",
            events_table(&env)
        )],
    )
    .await;
    let lines = export(&env, 1000).await;
    assert!(matches!(
        verify_export(&lines, &[]),
        Err(ExportError::Chain(f)) if f.sequence() == 4 && f.kind() == "altered"
    ));
    // Bad chunk queries are refused.
    for q in [
        json!({"limit": 0}),
        json!({"after": 3}),
        json!({"after": -1, "until": 2}),
    ] {
        assert!(env.app.export_events(&q).await.is_err(), "{q}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_entitys_history_lists_every_event_with_actor_time_line_and_payload() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, ctx) = first_employee(app, "Ana").await;
    let ana_id = ana["id"].as_str().unwrap().to_owned();
    for (i, amount) in [9000, 9500, 10000].into_iter().enumerate() {
        app.identity()
            .change_employee_rate(
                &ana_id,
                &json!({"kind": "bill", "amount_minor": amount, "currency": "EUR",
                        "effective_from": format!("2026-0{}-01", i + 2)}),
                &ctx,
            )
            .await
            .unwrap();
    }
    // Someone else's events are not in Ana's history.
    app.identity()
        .create_customer(&json!({"name": "Other"}), &ctx)
        .await
        .unwrap();
    let q = json!({"context_type": "employee", "context_id": ana_id, "per_page": 2});
    let page = app.entity_history(&q).await.unwrap();
    assert_eq!(page["total"], json!(4), "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["event_type"], json!("employee.created"));
    assert_eq!(
        items[0]["actor_id"],
        Value::Null,
        "the first employee is created by the system"
    );
    assert_eq!(items[1]["actor_id"], json!(ana_id));
    assert_eq!(items[1]["actor_name"], json!("Ana"));
    // The first rate change (90.00), rendered by the feed.
    assert!(
        items[1]["line"].as_str().unwrap().contains("90.00"),
        "{}",
        items[1]["line"]
    );
    assert_eq!(
        items[1]["schema_version"],
        items[1]["current_schema_version"]
    );
    assert!(items[1]["payload_recorded"].is_object());
    assert_eq!(items[1]["payload"], items[1]["payload_recorded"]);
    // The next page goes on where this one ended, oldest first.
    let next = page["next"].as_str().unwrap().to_owned();
    let page2 = app
        .entity_history(&json!({"context_type": "employee", "context_id": ana_id,
                                "per_page": 2, "after": next}))
        .await
        .unwrap();
    let seqs: Vec<u64> = items
        .iter()
        .chain(page2["items"].as_array().unwrap())
        .map(|i| i["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 4);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // Bad input is a field error.
    for bad in [
        json!({"context_type": "planet", "context_id": ana_id}),
        json!({"context_type": "employee", "context_id": "nope"}),
        json!({"context_type": "employee"}),
    ] {
        assert!(
            matches!(
                app.entity_history(&bad).await,
                Err(pet_storage_mysql::AppError::Validation(_))
            ),
            "{bad}"
        );
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn state_as_of_a_date_is_rebuilt_from_events() {
    use chrono::Duration;
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, ctx) = first_employee(app, "Ana").await;
    let ana_id = ana["id"].as_str().unwrap().to_owned();
    // 2026-03-02: bill rate 90.00 from March; 2026-03-12: 120.00 from April.
    app.identity()
        .change_employee_rate(
            &ana_id,
            &json!({"kind": "bill", "amount_minor": 9000, "currency": "EUR", "effective_from": "2026-03-01"}),
            &ctx,
        )
        .await
        .unwrap();
    env.clock.advance(Duration::days(10));
    app.identity()
        .change_employee_rate(
            &ana_id,
            &json!({"kind": "bill", "amount_minor": 12000, "currency": "EUR", "effective_from": "2026-04-01"}),
            &ctx,
        )
        .await
        .unwrap();
    let as_of = |at: &str| {
        let q = json!({"aggregate_type": "employee", "id": ana_id, "at": at});
        async move { app.state_as_of(&q).await.unwrap() }
    };
    let before = as_of("2026-03-01").await;
    assert_eq!(before["exists"], json!(false), "{before}");
    let early = as_of("2026-03-05").await;
    assert_eq!(early["events_applied"], json!(2), "{early}");
    assert_eq!(
        early["state"]["bill_rate"]["amount_minor"],
        json!(9000),
        "{early}"
    );
    assert_eq!(early["state"]["rates"].as_array().unwrap().len(), 1);
    // Known on 2026-04-15: both rates, the April one in effect.
    let later = as_of("2026-04-15").await;
    assert_eq!(
        later["state"]["bill_rate"]["amount_minor"],
        json!(12000),
        "{later}"
    );
    assert_eq!(later["state"]["rates"].as_array().unwrap().len(), 2);
    // Known on 2026-03-20 (both events recorded) but the April rate not yet in effect.
    let mid = as_of("2026-03-20").await;
    assert_eq!(
        mid["state"]["bill_rate"]["amount_minor"],
        json!(9000),
        "{mid}"
    );

    // A ticket: its priority as it was.
    let customer = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &ctx)
        .await
        .unwrap();
    let ticket = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": customer["id"], "subject": "Printer", "priority": "low"}),
            &ctx,
        )
        .await
        .unwrap();
    let tid = ticket["id"].as_str().unwrap().to_owned();
    let opened = rfc(env.clock.now());
    env.clock.advance(Duration::hours(2));
    app.helpdesk()
        .change_ticket_priority(&tid, "urgent", &ctx)
        .await
        .unwrap();
    let q = |at: &str| json!({"aggregate_type": "ticket", "id": tid, "at": at});
    let then = app.state_as_of(&q(&opened)).await.unwrap();
    assert_eq!(then["state"]["priority"], json!("low"), "{then}");
    let now = app.state_as_of(&q(&rfc(env.clock.now()))).await.unwrap();
    assert_eq!(now["state"]["priority"], json!("urgent"), "{now}");
    assert_eq!(now["version"], json!(2));
    // Bad input.
    for bad in [
        json!({"aggregate_type": "team", "id": tid, "at": "2026-03-01"}),
        json!({"aggregate_type": "ticket", "id": tid}),
        json!({"aggregate_type": "ticket", "id": tid, "at": "yesterday"}),
    ] {
        assert!(
            matches!(
                app.state_as_of(&bad).await,
                Err(pet_storage_mysql::AppError::Validation(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        app.state_as_of(&json!({"aggregate_type": "quote", "id": tid, "at": "2026-03-01"}))
            .await,
        Err(pet_storage_mysql::AppError::NotFound(_))
    ));
    env.cleanup().await;
}

fn rfc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_job_verifies_the_whole_log_once_a_day() {
    let Some((env, n)) = with_events(3).await else {
        return;
    };
    let app = &env.app;
    // Never fully verified: the first scheduled run reads the whole log.
    let r = app.scheduled_chain_verification().await.unwrap();
    assert_eq!((r.mode, r.checked, r.ok), ("full", n, true));
    // Within the day, runs are incremental: an edit behind the checkpoint (the checkpoint's
    // own event untouched) is not seen by them …
    let t = events_table(&env);
    tamper(
        &env,
        &[format!(
            "UPDATE {t} SET payload = REPLACE(payload, 'Customer 0', 'Mallory') WHERE id = 2"
        )],
    )
    .await;
    env.clock.advance(chrono::Duration::hours(23));
    let r = app.scheduled_chain_verification().await.unwrap();
    assert_eq!((r.mode, r.checked, r.ok), ("incremental", 0, true));
    // … the next day's full pass finds it.
    env.clock.advance(chrono::Duration::hours(2));
    let r = app.scheduled_chain_verification().await.unwrap();
    assert_eq!(r.mode, "full");
    let f = r.fault.unwrap();
    assert_eq!((f.sequence, f.kind.as_str()), (2, "altered"));
    assert_eq!(app.health().await.unwrap()["ok"], json!(false));
    // A standing fault: the job does not clear it (skipped), health stays red.
    env.clock.advance(chrono::Duration::hours(30));
    let r = app.scheduled_chain_verification().await.unwrap();
    assert!(r.skipped, "{r:?}");
    assert_eq!(app.health().await.unwrap()["ok"], json!(false));
    env.cleanup().await;
}

/// Every page of the feed for `query`, following the `next` cursors: the items in order.
async fn whole_feed(app: &pet_storage_mysql::App, query: Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut q = query;
    loop {
        let page = app.activity(&q).await.unwrap();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => q["after"] = json!(next),
            None => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_feed_shows_only_the_areas_a_reader_may_see() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, ctx) = first_employee(app, "Ana").await;
    let customer = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &ctx)
        .await
        .unwrap();
    // Interleaved: people, support and delivery events alternate in the log.
    for i in 0..4 {
        app.helpdesk()
            .create_ticket(
                &json!({"customer_id": customer["id"], "subject": format!("Ticket {i}")}),
                &ctx,
            )
            .await
            .unwrap();
        app.identity()
            .create_customer(&json!({"name": format!("Customer {i}")}), &ctx)
            .await
            .unwrap();
        app.delivery()
            .create_project(&json!({"name": format!("Project {i}")}), &ctx)
            .await
            .unwrap();
    }
    let everything = whole_feed(app, json!({"per_page": 100})).await;
    let of = |types: &[&str]| -> Vec<Value> {
        everything
            .iter()
            .filter(|i| types.contains(&i["context_type"].as_str().unwrap()))
            .cloned()
            .collect()
    };
    // One area, and two, paged 3 at a time: exactly their lines, newest first, none twice.
    for (areas, types) in [
        (json!(["support"]), vec!["ticket", "sla_definition"]),
        (
            json!(["people", "delivery"]),
            vec![
                "employee",
                "team",
                "org_structure",
                "customer",
                "project",
                "time_entry",
                "time_period",
            ],
        ),
    ] {
        let want = of(&types);
        assert!(!want.is_empty());
        let got = whole_feed(app, json!({"areas": areas, "per_page": 3})).await;
        assert_eq!(got, want, "areas {areas}");
        let first = app
            .activity(&json!({"areas": areas, "per_page": 3}))
            .await
            .unwrap();
        assert_eq!(first["total"], json!(want.len()), "{first}");
        // Page numbers (an offset) and the way back (`before`) give the same pages.
        let second = app
            .activity(&json!({"areas": areas, "per_page": 3, "page": 2}))
            .await
            .unwrap();
        assert_eq!(
            second["items"],
            json!(want[3..6.min(want.len())]),
            "{second}"
        );
        let next = app
            .activity(&json!({"areas": areas, "per_page": 3, "after": first["next"]}))
            .await
            .unwrap();
        assert_eq!(next["items"], second["items"]);
        let back = app
            .activity(&json!({"areas": areas, "per_page": 3, "before": next["prev"]}))
            .await
            .unwrap();
        assert_eq!(back["items"], first["items"]);
    }
    // With other filters: one actor, a date range.
    let by_actor = whole_feed(
        app,
        json!({"areas": ["support"], "actor_id": ctx.actor_id.map(|a| a.to_string()), "from": "2000-01-01", "per_page": 2}),
    )
    .await;
    assert_eq!(by_actor, of(&["ticket", "sla_definition"]));
    // A context type outside the areas, or no area at all: nothing.
    for q in [
        json!({"areas": ["sales"], "context_type": "ticket"}),
        json!({"areas": []}),
    ] {
        let r = app.activity(&q).await.unwrap();
        assert_eq!(r["items"], json!([]), "{q}");
        assert_eq!(r["total"], json!(0), "{q}");
    }
    // A context type inside them: as without areas.
    let tickets = app
        .activity(
            &json!({"areas": ["support", "sales"], "context_type": "ticket", "per_page": 100}),
        )
        .await
        .unwrap();
    assert_eq!(tickets["items"], json!(of(&["ticket"])));
    // Every area: the whole feed.
    let all = whole_feed(
        app,
        json!({"areas": ["people", "sales", "support", "knowledge", "delivery", "settings"], "per_page": 100}),
    )
    .await;
    assert_eq!(all, everything);
    // An unknown area is a field error.
    let err = app
        .activity(&json!({"areas": ["secrets"]}))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("areas"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_project_as_of_a_date_is_rebuilt_from_events() {
    use chrono::Duration;
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, ctx) = first_employee(app, "Ana").await;
    let p = app
        .delivery()
        .create_project(
            &json!({"name": "Website", "labour": [{"role": "Developer", "minutes": 600}]}),
            &ctx,
        )
        .await
        .unwrap();
    let pid = p["id"].as_str().unwrap().to_owned();
    let created = rfc(env.clock.now());
    env.clock.advance(Duration::days(3));
    app.delivery()
        .change_project_status(&pid, "active", &ctx)
        .await
        .unwrap();
    let q = |at: &str| json!({"aggregate_type": "project", "id": pid, "at": at});
    let then = app.state_as_of(&q(&created)).await.unwrap();
    assert_eq!(then["exists"], json!(true), "{then}");
    assert_eq!(then["state"]["status"], json!("planned"), "{then}");
    assert_eq!(then["state"]["sold_minutes"], json!(600), "{then}");
    assert_eq!(then["state"]["name"], json!("Website"), "{then}");
    let now = app.state_as_of(&q(&rfc(env.clock.now()))).await.unwrap();
    assert_eq!(now["state"]["status"], json!("active"), "{now}");
    assert_eq!(now["events_applied"], json!(2), "{now}");
}
