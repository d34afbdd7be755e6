//! Infrastructure guarantees: migrations, append-only log, serialised appends, conflicts,
//! idempotency, unit-of-work rollback, projector, job queue.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use mysql_async::prelude::*;
use mysql_async::TxOpts;
use pet_core::{
    Actor, AggregateRef, ContextRef, ContextType, EventMeta, EventRegistry, EventType, NewEvent,
};
use pet_storage_mysql::jobs::{JobQueue, NewJob};
use pet_storage_mysql::migrate::{embedded, Migration, Migrator};
use pet_storage_mysql::projector::{GenericRenderer, Projector};
use pet_storage_mysql::store::EventStore;
use pet_storage_mysql::uow::UnitOfWork;
use pet_storage_mysql::{App, AppParts, ManualClock, MigrationError, StorageError, Tables};
use serde_json::json;
use uuid::Uuid;

use crate::{config, env, start_time};

fn test_store(tables: &Tables) -> EventStore {
    let mut r = EventRegistry::new();
    r.register("test.happened", &[]).unwrap();
    r.register("team.created", &[]).unwrap();
    EventStore::new(tables.clone(), Arc::new(r))
}

/// A projector with the generic renderer over the test tables.
fn generic_projector(tables: &Tables, store: &EventStore, batch: usize) -> Projector {
    Projector::new(
        tables.clone(),
        store.clone(),
        Arc::new(GenericRenderer),
        batch,
    )
}

/// Appends `n` single-event transactions (one new aggregate each) on `conn`.
async fn append_singles(conn: &mut mysql_async::Conn, store: &EventStore, n: u64) {
    for i in 0..n {
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        store
            .append(&mut tx, &[event(Uuid::now_v7(), 1, i)], start_time())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

fn event(agg: Uuid, version: u64, n: u64) -> NewEvent {
    NewEvent::new(
        EventMeta {
            event_id: Uuid::now_v7(),
            occurred_at: start_time(),
            actor: Actor::System,
            idempotency_key: None,
        },
        EventType::new("test.happened").unwrap(),
        1,
        ContextRef::new(ContextType::Team, agg),
        AggregateRef::new("team", agg, version).unwrap(),
        json!({"n": n}),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_apply_once_report_status_and_install_guards() {
    let Some(env) = env().await else { return };
    let again = env.app.migrate().await.unwrap();
    assert_eq!(again["applied"], json!([]));
    let status = env.app.migration_status().await.unwrap();
    assert_eq!(status["dirty"], json!(false));
    assert_eq!(status["pending"], json!([]));
    assert_eq!(
        status["applied"].as_array().unwrap().len(),
        embedded().len()
    );
    let health = env.app.health().await.unwrap();
    assert_eq!(health["ok"], json!(true), "{health}");
    // Table options: InnoDB + utf8mb4.
    let mut c = env.pool().get_conn().await.unwrap();
    let bad: Vec<String> = c
        .exec(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME LIKE ? AND (ENGINE <> 'InnoDB' OR TABLE_COLLATION NOT LIKE 'utf8mb4%')",
            (format!("{}%", env.config.prefix.replace('_', "\\_")),),
        )
        .await
        .unwrap();
    assert!(bad.is_empty(), "{bad:?}");
    // Triggers lost while the ledger says their migrations ran (a site copy without
    // triggers, a DROP by hand): health reports it, a store refuses to append without the
    // chain trigger (it would leave the sequence row behind the log), and migrate()
    // re-creates them.
    for trigger in ["no_delete", "chain"] {
        c.query_drop(format!(
            "DROP TRIGGER {}pet_domain_events_{trigger}",
            env.config.prefix
        ))
        .await
        .unwrap();
    }
    let health = env.app.health().await.unwrap();
    assert_eq!(
        health["checks"]["append_only_guard"]["ok"],
        json!(false),
        "{health}"
    );
    let store = test_store(env.app.tables());
    let mut tx = c.start_transaction(TxOpts::default()).await.unwrap();
    let err = store
        .append(&mut tx, &[event(Uuid::now_v7(), 1, 1)], start_time())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StorageError::Integrity(m) if m.contains("chain trigger")),
        "{err:?}"
    );
    tx.rollback().await.unwrap();
    let repaired = env.app.migrate().await.unwrap();
    assert_eq!(repaired["applied"], json!([]), "{repaired}");
    assert_eq!(repaired["repaired_triggers"], json!(true), "{repaired}");
    let health = env.app.health().await.unwrap();
    assert_eq!(health["ok"], json!(true), "{health}");
    let mut tx = c.start_transaction(TxOpts::default()).await.unwrap();
    store
        .append(&mut tx, &[event(Uuid::now_v7(), 1, 1)], start_time())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.verify_chain(&mut c).await.unwrap(), 1);
    let again = env.app.migrate().await.unwrap();
    assert_eq!(again["repaired_triggers"], json!(false), "{again}");
    drop(c);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failed_migration_leaves_dirty_ledger_refuses_and_converges_after_fix() {
    let Some(cfg) = config().await else { return };
    let pool = pet_storage_mysql::db::build_pool(&cfg);
    let tables = Tables::new(&cfg.prefix).unwrap();
    let first = Migration::new(
        "0001_a.sql",
        "CREATE TABLE IF NOT EXISTS {prefix}pet_a (id INT) ENGINE=InnoDB;",
    )
    .unwrap();
    let broken = Migration::new(
        "0002_b.sql",
        "CREATE TABLE IF NOT EXISTS {prefix}pet_b (id INT) ENGINE=InnoDB;\nALTER TABLE {prefix}pet_b ADD COLUMN x NOT_A_TYPE;\nCREATE TABLE IF NOT EXISTS {prefix}pet_c (id INT) ENGINE=InnoDB;",
    )
    .unwrap();
    let m = Migrator::new(tables.clone(), vec![first.clone(), broken]).unwrap();
    let err = m.run(&pool, &cfg.database, start_time()).await.unwrap_err();
    assert!(
        matches!(&err, MigrationError::Failed { name, statement: 2, .. } if name == "0002_b.sql"),
        "{err:?}"
    );
    let status = m.status(&pool).await.unwrap();
    assert!(status.dirty);
    assert_eq!(status.pending, vec!["0002_b.sql".to_owned()]);
    // The unchanged file is refused, naming it.
    let err = m.run(&pool, &cfg.database, start_time()).await.unwrap_err();
    assert!(
        matches!(&err, MigrationError::Dirty { name, .. } if name == "0002_b.sql"),
        "{err:?}"
    );
    assert!(err.to_string().contains("0002_b.sql"));
    // Fixed: converges (statement 1 already ran and is not repeated; 2 and 3 run).
    let fixed = Migration::new(
        "0002_b.sql",
        "CREATE TABLE IF NOT EXISTS {prefix}pet_b (id INT) ENGINE=InnoDB;\nALTER TABLE {prefix}pet_b ADD COLUMN IF NOT EXISTS x INT;\nCREATE TABLE IF NOT EXISTS {prefix}pet_c (id INT) ENGINE=InnoDB;",
    )
    .unwrap();
    let m2 = Migrator::new(tables.clone(), vec![first.clone(), fixed.clone()]).unwrap();
    let report = m2.run(&pool, &cfg.database, start_time()).await.unwrap();
    assert_eq!(report.applied, vec!["0002_b.sql".to_owned()]);
    let status = m2.status(&pool).await.unwrap();
    assert!(!status.dirty && status.pending.is_empty());
    assert!(m2
        .run(&pool, &cfg.database, start_time())
        .await
        .unwrap()
        .applied
        .is_empty());
    // Altering an applied file is refused.
    let altered = Migration::new(
        "0001_a.sql",
        "CREATE TABLE IF NOT EXISTS {prefix}pet_a (id BIGINT);",
    )
    .unwrap();
    let m3 = Migrator::new(tables.clone(), vec![altered, fixed]).unwrap();
    let err = m3
        .run(&pool, &cfg.database, start_time())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MigrationError::ChecksumMismatch { name, .. } if name == "0001_a.sql"),
        "{err:?}"
    );
    // A ledger version this build does not ship is refused.
    let m4 = Migrator::new(tables, vec![first]).unwrap();
    assert!(matches!(
        m4.run(&pool, &cfg.database, start_time())
            .await
            .unwrap_err(),
        MigrationError::UnknownApplied { .. }
    ));
    crate::drop_prefix(&pool, &cfg.prefix).await;
    pool.disconnect().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_migrators_at_once_apply_each_migration_once() {
    let Some(cfg) = config().await else { return };
    let pool = pet_storage_mysql::db::build_pool(&cfg);
    let tables = Tables::new(&cfg.prefix).unwrap();
    let m = Migrator::new(tables, embedded()).unwrap();
    let (a, b) = tokio::join!(
        m.run(&pool, &cfg.database, start_time()),
        m.run(&pool, &cfg.database, start_time())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut all = a.applied.clone();
    all.extend(b.applied.clone());
    all.sort();
    let mut expected: Vec<String> = embedded().iter().map(|m| m.name().to_owned()).collect();
    expected.sort();
    assert_eq!(all, expected, "a={:?} b={:?}", a.applied, b.applied);
    assert!(a.applied.is_empty() || b.applied.is_empty());
    crate::drop_prefix(&pool, &cfg.prefix).await;
    pool.disconnect().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_table_refuses_update_and_delete() {
    let Some(env) = env().await else { return };
    let store = test_store(env.app.tables());
    let mut conn = env.pool().get_conn().await.unwrap();
    let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
    store
        .append(&mut tx, &[event(Uuid::now_v7(), 1, 1)], start_time())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let t = env.app.tables().events.clone();
    for sql in [
        format!("UPDATE {t} SET payload = '{{}}'"),
        format!("DELETE FROM {t}"),
    ] {
        let err = conn.query_drop(&sql).await.unwrap_err();
        assert_eq!(
            pet_storage_mysql::db::server_code(&err),
            Some(1644),
            "{sql}: {err}"
        );
        assert!(err.to_string().contains("append-only"));
    }
    // A row that does not continue the chain (wrong id, wrong prev_hash) is refused by the
    // database too, and the sequence row stays where it was.
    let (last, hash): (u64, String) = conn
        .query_first(format!(
            "SELECT last_sequence, last_hash FROM {} WHERE id = 1",
            env.app.tables().sequence
        ))
        .await
        .unwrap()
        .unwrap();
    let insert = |id: u64, prev: &str| {
        format!(
            "INSERT INTO {t} (id, event_id, event_type, schema_version, occurred_at, recorded_at, \
             context_type, context_id, aggregate_type, aggregate_id, aggregate_version, payload, \
             prev_hash, hash) VALUES ({id}, '{}', 'test.happened', 1, NOW(), NOW(), 'team', '{}', \
             'team', '{}', 1, '{{}}', '{prev}', '{}')",
            Uuid::now_v7(),
            Uuid::nil(),
            Uuid::now_v7(),
            "f".repeat(64)
        )
    };
    for sql in [insert(last + 2, &hash), insert(last + 1, &"0".repeat(64))] {
        let err = conn.query_drop(&sql).await.unwrap_err();
        assert_eq!(
            pet_storage_mysql::db::classify(&err),
            pet_storage_mysql::db::DbErrorKind::ChainMoved,
            "{err}"
        );
    }
    let after: (u64, String) = conn
        .query_first(format!(
            "SELECT last_sequence, last_hash FROM {} WHERE id = 1",
            env.app.tables().sequence
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, (last, hash));
    assert_eq!(env.count(&t).await, 1);
    assert_eq!(store.verify_chain(&mut conn).await.unwrap(), 1);
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn thirty_two_concurrent_writers_one_wins_rest_conflict() {
    let Some(env) = env().await else { return };
    let store = test_store(env.app.tables());
    let agg = Uuid::now_v7();
    let mut handles = Vec::new();
    for n in 0..32u64 {
        let pool = env.pool().clone();
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut conn = pool.get_conn().await.unwrap();
            let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
            // Two events per writer: a partial write would leave one of them behind.
            let r = store
                .append(&mut tx, &[event(agg, 1, n), event(agg, 2, n)], start_time())
                .await;
            match r {
                Ok(_) => tx.commit().await.map(|_| true).map_err(StorageError::from),
                Err(e) => Err(e),
            }
        }));
    }
    let mut wins = 0;
    let mut conflicts = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(true) => wins += 1,
            Err(StorageError::Conflict(_)) => conflicts += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((wins, conflicts), (1, 31));
    assert_eq!(env.count(&env.app.tables().events).await, 2);
    let mut conn = env.pool().get_conn().await.unwrap();
    assert_eq!(store.verify_chain(&mut conn).await.unwrap(), 2);
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transaction_held_open_while_later_one_commits_projector_applies_both_in_order() {
    let Some(env) = env().await else { return };
    let store = test_store(env.app.tables());
    let projector = generic_projector(env.app.tables(), &store, 100);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let mut conn_a = env.pool().get_conn().await.unwrap();
    let mut tx_a = conn_a.start_transaction(TxOpts::default()).await.unwrap();
    let first = store
        .append(&mut tx_a, &[event(a, 1, 1)], start_time())
        .await
        .unwrap()
        .unwrap();
    // B starts later and tries to commit while A is open.
    let pool = env.pool().clone();
    let store_b = store.clone();
    let b_task = tokio::spawn(async move {
        let mut conn = pool.get_conn().await.unwrap();
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        let appended = store_b
            .append(&mut tx, &[event(b, 1, 2)], start_time())
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        appended
    });
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    // The projector runs meanwhile: it must not move past A's unseen event.
    let cu = projector.catch_up(env.pool(), start_time()).await.unwrap();
    assert_eq!(cu.applied, 0, "nothing is committed yet");
    assert!(
        !b_task.is_finished(),
        "B must wait for A: commit order equals sequence order"
    );
    tx_a.commit().await.unwrap();
    let second = b_task.await.unwrap();
    assert!(first.first < second.first);
    let cu = projector.catch_up(env.pool(), start_time()).await.unwrap();
    assert_eq!(cu.applied, 2);
    let mut c = env.pool().get_conn().await.unwrap();
    let rows: Vec<(u64, String)> = c
        .query(format!(
            "SELECT a.sequence, e.context_id FROM {} a JOIN {} e ON e.id = a.sequence \
             ORDER BY a.sequence",
            env.app.tables().activity,
            env.app.tables().events
        ))
        .await
        .unwrap();
    assert_eq!(rows, vec![(1, a.to_string()), (2, b.to_string())]);
    drop((c, conn_a));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forced_event_insert_failure_rolls_back_the_state_change() {
    let Some(env) = env().await else { return };
    let store = test_store(env.app.tables());
    let t = env.app.tables().clone();
    let mut conn = env.pool().get_conn().await.unwrap();
    let id = Uuid::now_v7();
    {
        let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
            .await
            .unwrap();
        uow.tx()
            .await
            .unwrap()
            .exec_drop(
                format!("INSERT INTO {} (id, name, parent_id, status, version, created_at, updated_at) VALUES (?, 'X', NULL, 'active', 1, NOW(), NOW())", t.teams),
                (id.to_string(),),
            )
            .await
            .unwrap();
        uow.record([event(id, 1, 1)]);
        store.fail_next_insert();
        let err = uow.commit(None).await.unwrap_err();
        assert!(matches!(err, StorageError::Integrity(_)), "{err:?}");
    }
    assert_eq!(
        env.count(&t.teams).await,
        0,
        "state row rolled back with the event"
    );
    assert_eq!(env.count(&t.events).await, 0);
    // The failed unit of work's transaction is rolled back when its connection is next
    // used: use it now, so the locks it took (the sequence row) do not hold up the App.
    let _: Option<u8> = conn.query_first("SELECT 1").await.unwrap();
    // The same through the App: a failed event insert leaves no employee behind.
    env.app.fail_next_event_insert();
    let r = env
        .app
        .identity()
        .create_employee(
            &json!({"name": "Ana", "email": "ana@example.com"}),
            &pet_storage_mysql::CommandContext::system(),
        )
        .await;
    assert!(
        matches!(r, Err(pet_storage_mysql::AppError::Storage(_))),
        "{r:?}"
    );
    assert_eq!(env.count(&t.employees).await, 0);
    // A stale versioned update is a conflict and writes nothing (reported when the write
    // is sent: here by the commit).
    let mut uow = UnitOfWork::begin(&mut conn, store, start_time())
        .await
        .unwrap();
    uow.update_versioned(
        &format!(
            "UPDATE {} SET name = 'Y' WHERE id = ? AND version = ?",
            t.teams
        ),
        (id.to_string(), 7u64),
        "team",
    )
    .await
    .unwrap();
    let err = uow.commit(None).await.unwrap_err();
    assert!(matches!(err, StorageError::Conflict(_)), "{err:?}");
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idempotency_same_key_replays_other_input_conflicts() {
    let Some(env) = env().await else { return };
    let store = test_store(env.app.tables());
    let key = pet_core::IdempotencyKey::new("req-1").unwrap();
    let mut conn = env.pool().get_conn().await.unwrap();
    let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
        .await
        .unwrap();
    assert_eq!(
        uow.claim_idempotency(&key, "h1").await.unwrap(),
        pet_storage_mysql::store::IdempotencyClaim::New
    );
    uow.record([event(Uuid::now_v7(), 1, 1)]);
    uow.commit(Some(&json!({"ok": 1}))).await.unwrap();
    let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
        .await
        .unwrap();
    assert_eq!(
        uow.claim_idempotency(&key, "h1").await.unwrap(),
        pet_storage_mysql::store::IdempotencyClaim::Replay(json!({"ok": 1}))
    );
    drop(uow);
    let mut uow = UnitOfWork::begin(&mut conn, store, start_time())
        .await
        .unwrap();
    assert!(matches!(
        uow.claim_idempotency(&key, "h2").await,
        Err(StorageError::Conflict(_))
    ));
    drop(uow);
    assert_eq!(env.count(&env.app.tables().events).await, 1);
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn projector_exactly_once_concurrently_and_rebuild_is_identical() {
    let Some(env) = env().await else { return };
    let store = test_store(env.app.tables());
    let projector = generic_projector(env.app.tables(), &store, 7);
    let mut conn = env.pool().get_conn().await.unwrap();
    append_singles(&mut conn, &store, 50).await;
    let (a, b, c) = tokio::join!(
        projector.catch_up(env.pool(), start_time()),
        projector.catch_up(env.pool(), start_time()),
        projector.catch_up(env.pool(), start_time())
    );
    assert_eq!(
        a.unwrap().applied + b.unwrap().applied + c.unwrap().applied,
        50
    );
    let t = env.app.tables().activity.clone();
    let dump = |rows: Vec<(u64, String, String)>| rows;
    let before: Vec<(u64, String, String)> = conn
        .query(format!(
            "SELECT sequence, CAST(occurred_at AS CHAR), line FROM {t} ORDER BY sequence"
        ))
        .await
        .unwrap();
    assert_eq!(before.len(), 50);
    let rebuilt = projector.rebuild(env.pool(), start_time()).await.unwrap();
    assert_eq!(rebuilt.applied, 50);
    let after: Vec<(u64, String, String)> = conn
        .query(format!(
            "SELECT sequence, CAST(occurred_at AS CHAR), line FROM {t} ORDER BY sequence"
        ))
        .await
        .unwrap();
    assert_eq!(dump(before.clone()), dump(after));
    // Regression: a projector that already saw its checkpoint row must recreate it when the
    // tables were emptied (it used to re-apply batch 1 forever and hit the primary key).
    let tb = env.app.tables().clone();
    for sql in [
        format!("DELETE FROM {}", tb.checkpoints),
        format!("DELETE FROM {}", tb.activity),
        format!("DELETE FROM {}", tb.activity_names),
    ] {
        conn.query_drop(sql).await.unwrap();
    }
    assert_eq!(
        projector
            .catch_up(env.pool(), start_time())
            .await
            .unwrap()
            .applied,
        50
    );
    let again: Vec<(u64, String, String)> = conn
        .query(format!(
            "SELECT sequence, CAST(occurred_at AS CHAR), line FROM {t} ORDER BY sequence"
        ))
        .await
        .unwrap();
    assert_eq!(before, again);
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn long_catch_up_on_an_exhausted_pool_goes_on_with_one_connection() {
    // Regression: the read-ahead connection used to be awaited unconditionally, so a
    // caller holding one of a two-connection pool (as WP-Cron's runJobs does) hung forever.
    let Some(mut config) = config().await else {
        return;
    };
    config.pool_max = 2;
    let clock = Arc::new(ManualClock::new(start_time()));
    let app = App::with_parts(
        config.clone(),
        AppParts {
            clock,
            ..AppParts::default()
        },
    )
    .unwrap();
    app.migrate().await.unwrap();
    let store = test_store(app.tables());
    let projector = generic_projector(app.tables(), &store, 7);
    let mut held = app.pool().get_conn().await.unwrap();
    append_singles(&mut held, &store, 30).await;
    let cu = tokio::time::timeout(
        StdDuration::from_secs(20),
        projector.catch_up(app.pool(), start_time()),
    )
    .await
    .expect("catch-up must not wait for a connection the caller holds")
    .unwrap();
    assert_eq!(cu.applied, 30);
    drop(held);
    crate::drop_prefix(app.pool(), &config.prefix).await;
    let _ = app.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn job_queue_visibility_retries_dead_letter_retry_and_dedupe() {
    let Some(env) = env().await else { return };
    let q = JobQueue::new(env.app.tables().clone());
    let now = start_time();
    let mut conn = env.pool().get_conn().await.unwrap();
    let job = NewJob::new("test.job", json!({"x": 1}), now)
        .dedupe("k1")
        .max_attempts(2);
    let id = q.enqueue(&mut conn, &job, now).await.unwrap().unwrap();
    assert_eq!(
        q.enqueue(&mut conn, &job, now).await.unwrap(),
        None,
        "deduped while active"
    );
    // Claim; a second claim before the visibility timeout gets nothing.
    let c1 = q
        .claim(&mut conn, now, Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(c1.len(), 1);
    assert!(q
        .claim(&mut conn, now, Duration::seconds(60), 10)
        .await
        .unwrap()
        .is_empty());
    // The runner dies; after the timeout the job is claimed again (attempt 2).
    let later = now + Duration::seconds(61);
    let c2 = q
        .claim(&mut conn, later, Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!((c2.len(), c2[0].attempt), (1, 2));
    // The first runner's late completion is ignored: it lost the claim.
    assert!(!q.complete(&mut conn, &c1[0], later).await.unwrap());
    // Attempt 2 fails: it was the last one → dead.
    assert_eq!(
        q.fail(&mut conn, &c2[0], "boom", later).await.unwrap(),
        Some("dead")
    );
    assert!(q
        .claim(
            &mut conn,
            later + Duration::hours(2),
            Duration::seconds(60),
            10
        )
        .await
        .unwrap()
        .is_empty());
    let (dead, n) = q.list(&mut conn, Some("dead"), 1, 20).await.unwrap();
    assert_eq!((n, dead[0].last_error.as_deref()), (1, Some("boom")));
    // Retry the dead job: pending again, runs and completes.
    let retried = q.retry(&mut conn, id, later).await.unwrap();
    assert_eq!((retried.status.as_str(), retried.attempts), ("pending", 0));
    let c3 = q
        .claim(&mut conn, later, Duration::seconds(60), 10)
        .await
        .unwrap();
    assert!(q.complete(&mut conn, &c3[0], later).await.unwrap());
    assert!(matches!(
        q.retry(&mut conn, id, later).await,
        Err(StorageError::Conflict(_))
    ));
    // Back-off: a failure on attempt 1 of 5 is retried only after 30 s.
    let j2 = q
        .enqueue(&mut conn, &NewJob::new("test.job", json!({}), now), now)
        .await
        .unwrap()
        .unwrap();
    let c = q
        .claim(&mut conn, now, Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(c[0].id, j2);
    assert_eq!(
        q.fail(&mut conn, &c[0], "transient", now).await.unwrap(),
        Some("failed")
    );
    assert!(q
        .claim(
            &mut conn,
            now + Duration::seconds(29),
            Duration::seconds(60),
            10
        )
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        q.claim(
            &mut conn,
            now + Duration::seconds(30),
            Duration::seconds(60),
            10
        )
        .await
        .unwrap()
        .len(),
        1
    );
    // SKIP LOCKED: two concurrent claimers never get the same job.
    for i in 0..20 {
        q.enqueue(
            &mut conn,
            &NewJob::new("test.job", json!({"i": i}), now),
            now,
        )
        .await
        .unwrap();
    }
    let (mut ca, mut cb) = (
        env.pool().get_conn().await.unwrap(),
        env.pool().get_conn().await.unwrap(),
    );
    let (a, b) = tokio::join!(
        q.claim(&mut ca, now, Duration::seconds(60), 15),
        q.claim(&mut cb, now, Duration::seconds(60), 15)
    );
    let mut ids: Vec<Uuid> = a
        .unwrap()
        .into_iter()
        .chain(b.unwrap())
        .map(|j| j.id)
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((ids.len(), total), (20, 20));
    drop((conn, ca, cb));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_runners_are_excluded_by_the_lock() {
    let Some(env) = env().await else { return };
    let q = JobQueue::new(env.app.tables().clone());
    let mut held = env.pool().get_conn().await.unwrap();
    let lease = q.runner_lease(std::time::Duration::from_secs(60));
    assert!(lease.try_take(&mut held).await.unwrap());
    // The lease is a committed row, not a session lock: any connection (on any server of
    // a cluster) sees it held, and taking it again from elsewhere fails.
    let other = q.runner_lease(std::time::Duration::from_secs(60));
    let mut elsewhere = env.pool().get_conn().await.unwrap();
    assert!(!other.try_take(&mut elsewhere).await.unwrap());
    let r = env.app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(r["skipped_locked"], json!(true));
    lease.release(&mut held).await.unwrap();
    let r = env.app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(r["skipped_locked"], json!(false));
    assert_eq!(
        r["succeeded"],
        json!(2),
        "catch-up and chain verification: {r}"
    );
    drop((held, elsewhere));
    env.cleanup().await;
}

/// Sequence head `(last_sequence, last_hash)`, the event ids in order, and the chain check.
async fn head_and_ids(env: &crate::Env, store: &EventStore) -> ((u64, String), Vec<u64>) {
    let t = env.app.tables();
    let mut c = env.pool().get_conn().await.unwrap();
    let head: (u64, String) = c
        .query_first(format!(
            "SELECT last_sequence, last_hash FROM {} WHERE id = 1",
            t.sequence
        ))
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<u64> = c
        .query(format!("SELECT id FROM {} ORDER BY id", t.events))
        .await
        .unwrap();
    assert_eq!(
        store.verify_chain(&mut c).await.unwrap(),
        head.0,
        "hash chain intact up to the head"
    );
    (head, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_with_stale_hints_rollbacks_and_failed_inserts_stay_gapless() {
    // Each store guesses the chain head from its own last append (one statement instead
    // of a locked read). Wrong guesses, rolled-back appends and failed inserts must never
    // leave a gap, a broken chain, or a sequence row ahead of the log — even when a caller
    // goes on and commits its transaction after the append failed.
    let Some(env) = env().await else { return };
    let s1 = test_store(env.app.tables());
    let s2 = test_store(env.app.tables());
    let mut conn = env.pool().get_conn().await.unwrap();
    let agg = Uuid::now_v7();
    // s1, s2 (s1's hint now stale), s1 (falls back), s1 (hint right), s2 (stale).
    for (n, store) in [&s1, &s2, &s1, &s1, &s2].into_iter().enumerate() {
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        store
            .append(&mut tx, &[event(Uuid::now_v7(), 1, n as u64)], start_time())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let (head, ids) = head_and_ids(&env, &s1).await;
    assert_eq!(ids, (1..=5).collect::<Vec<u64>>());
    assert_eq!(head.0, 5);
    // A rolled-back append leaves s2 with a hint of a head that never committed.
    {
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        let a = s2
            .append(&mut tx, &[event(Uuid::now_v7(), 1, 99)], start_time())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.first, 6);
        tx.rollback().await.unwrap();
    }
    let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
    let a = s2
        .append(&mut tx, &[event(agg, 1, 6), event(agg, 2, 7)], start_time())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.first, a.last),
        (6, 7),
        "the rolled-back numbers are reused"
    );
    tx.commit().await.unwrap();
    // Failed inserts on a warm hint (s2 appended last, so its guess is right): the caller
    // commits anyway, and the sequence row must not have moved.
    // "second row": a two-event append whose first row the trigger accepted (moving the
    // head) and whose second row conflicts: the whole statement, head move included, is
    // undone.
    for (fail, head_before) in [("check", 8u64), ("duplicate", 9), ("second row", 10)] {
        // Warm s2's guess (a failed append drops it; after a miss the store reads the head
        // until it sees that its guess would have been right).
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        s2.append(&mut tx, &[event(Uuid::now_v7(), 1, 8)], start_time())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        let evs = match fail {
            "check" => {
                s2.fail_next_insert();
                vec![event(Uuid::now_v7(), 1, 8)]
            }
            "duplicate" => vec![event(agg, 2, 8)], // version 2 of `agg` exists: a conflict
            _ => vec![event(Uuid::now_v7(), 1, 8), event(agg, 2, 8)],
        };
        let err = s2.append(&mut tx, &evs, start_time()).await.unwrap_err();
        match fail {
            "check" => assert!(matches!(err, StorageError::Integrity(_)), "{err:?}"),
            _ => assert!(matches!(err, StorageError::Conflict(_)), "{err:?}"),
        }
        tx.commit().await.unwrap();
        let (head, ids) = head_and_ids(&env, &s2).await;
        assert_eq!(
            head.0, head_before,
            "{fail}: the sequence row is back at the log's end"
        );
        assert_eq!(ids, (1..=head_before).collect::<Vec<u64>>());
    }
    // And the next append (either store) goes on right after.
    for s in [&s2, &s1] {
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        s.append(&mut tx, &[event(Uuid::now_v7(), 1, 9)], start_time())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let (head, ids) = head_and_ids(&env, &s1).await;
    assert_eq!(head.0, 12);
    assert_eq!(ids, (1..=12).collect::<Vec<u64>>());
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commands_leave_the_feed_to_readers_and_catch_ups_exactly_once() {
    // Two apps on one prefix (two processes, each with its own head hint). Commands write
    // state and events only; a read of the activity feed brings it up to date first.
    // Commands, catch-ups and reads running concurrently put every event in the feed
    // exactly once, in order, and a rebuild reproduces the feed byte for byte.
    let Some(env) = env().await else { return };
    let t = env.app.tables().clone();
    let other = App::with_parts(
        env.config.clone(),
        AppParts {
            clock: env.clock.clone(),
            ..AppParts::default()
        },
    )
    .unwrap();
    let (_, ctx) = crate::first_employee(&env.app, "Ana").await;
    let feed_state = || async {
        let mut c = env.pool().get_conn().await.unwrap();
        let cp: Option<u64> = c
            .query_first(format!(
                "SELECT last_sequence FROM {} WHERE projection = 'activity_feed'",
                t.checkpoints
            ))
            .await
            .unwrap();
        let rows: Vec<u64> = c
            .query(format!(
                "SELECT sequence FROM {} ORDER BY sequence",
                t.activity
            ))
            .await
            .unwrap();
        (cp.unwrap_or(0), rows)
    };
    other
        .identity()
        .create_customer(&json!({"name": "Other Co"}), &ctx)
        .await
        .unwrap();
    assert_eq!(
        feed_state().await,
        (0, vec![]),
        "commands do not write the feed"
    );
    let feed = env.app.activity(&json!({"per_page": 10})).await.unwrap();
    assert_eq!(feed["pending"], json!(0), "{feed}");
    assert_eq!(feed["total"], json!(2), "{feed}");
    assert!(feed["items"][0]["line"]
        .as_str()
        .unwrap()
        .contains("Other Co"));
    assert_eq!(feed_state().await, (2, vec![1, 2]));
    // Concurrently: both apps' commands, catch-ups and reads.
    let mut tasks = Vec::new();
    for i in 0..24 {
        let app = if i % 3 == 0 {
            other.clone()
        } else {
            env.app.clone()
        };
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(async move {
            match i % 8 {
                7 => {
                    app.projector()
                        .catch_up(app.pool(), start_time())
                        .await
                        .unwrap();
                }
                5 => {
                    app.activity(&json!({})).await.unwrap();
                }
                _ => {
                    app.identity()
                        .create_customer(&json!({"name": format!("Co {i}")}), &ctx)
                        .await
                        .unwrap();
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let feed = other.activity(&json!({"per_page": 1})).await.unwrap();
    assert_eq!(feed["pending"], json!(0), "{feed}");
    let (cp, rows) = feed_state().await;
    let events = env.count(&t.events).await;
    assert_eq!(events, 2 + 18);
    assert_eq!(feed["total"], json!(events));
    assert_eq!(cp, events);
    assert_eq!(rows, (1..=events).collect::<Vec<u64>>());
    let mut c = env.pool().get_conn().await.unwrap();
    assert_eq!(env.app.store().verify_chain(&mut c).await.unwrap(), events);
    let lines = format!(
        "SELECT sequence, line FROM {} ORDER BY sequence",
        t.activity
    );
    let before: Vec<(u64, String)> = c.query(lines.clone()).await.unwrap();
    env.app
        .projector()
        .rebuild(env.pool(), start_time())
        .await
        .unwrap();
    let after: Vec<(u64, String)> = c.query(lines).await.unwrap();
    assert_eq!(before, after);
    drop(c);
    let _ = other.disconnect().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_projects_a_bounded_backlog_and_reports_the_rest() {
    // A read applies at most READ_CATCH_UP events (whole batches) before answering and
    // says how many are still missing; the next read (or the job runner) goes on.
    let Some(env) = env().await else { return };
    let t = env.app.tables().clone();
    // More than one read's worth: READ_CATCH_UP rounded up to whole batches, plus some.
    let n = pet_storage_mysql::READ_CATCH_UP + env.app.projector().batch() as u64 + 5;
    let mut conn = env.pool().get_conn().await.unwrap();
    let mut done = 0;
    while done < n {
        let k = (n - done).min(2000);
        let evs: Vec<NewEvent> = (0..k)
            .map(|i| {
                let id = Uuid::now_v7();
                NewEvent::new(
                    EventMeta {
                        event_id: Uuid::now_v7(),
                        occurred_at: start_time(),
                        actor: Actor::System,
                        idempotency_key: None,
                    },
                    EventType::new("customer.created").unwrap(),
                    1,
                    ContextRef::new(ContextType::Customer, id),
                    AggregateRef::new("customer", id, 1).unwrap(),
                    json!({"customer_id": id.to_string(), "name": format!("Customer {}", done + i)}),
                )
                .unwrap()
            })
            .collect();
        let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
        env.app
            .store()
            .append(&mut tx, &evs, start_time())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        done += k;
    }
    // The first read is filtered by the event's columns (counted on the events table):
    // only what the feed holds counts, and the page starts at the feed's newest line.
    let first = env
        .app
        .activity(&json!({"context_type": "customer", "per_page": 1}))
        .await
        .unwrap();
    // The count is bounded (flat lists): above COUNT_BOUND it says "more than".
    let bound = pet_storage_mysql::paging::COUNT_BOUND;
    let shown = first["items"][0]["sequence"].as_u64().unwrap();
    assert!(
        shown >= pet_storage_mysql::READ_CATCH_UP && shown < n,
        "{first}"
    );
    assert_eq!(first["total"], json!(shown.min(bound)), "{first}");
    assert_eq!(first["total_exact"], json!(shown <= bound), "{first}");
    assert_eq!(env.count(&t.activity).await, shown);
    assert_eq!(first["pending"], json!(n - shown), "{first}");
    let second = env.app.activity(&json!({"per_page": 1})).await.unwrap();
    assert_eq!(second["pending"], json!(0), "{second}");
    assert_eq!(second["total"], json!(n.min(bound)));
    assert_eq!(second["items"][0]["sequence"], json!(n), "{second}");
    assert_eq!(env.count(&t.activity).await, n);
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catch_up_that_forgets_cached_names_renders_the_same_lines() {
    // A long catch-up keeps a bounded number of names in memory; names it forgot are read
    // back from the names table. With a cache of 3 names and batches of 7, the feed must
    // be byte for byte the one rendered with every name kept.
    let Some(env) = env().await else { return };
    let store = test_store(env.app.tables());
    let teams: Vec<Uuid> = (0..12).map(|_| Uuid::now_v7()).collect();
    let mut evs = Vec::new();
    for (i, t) in teams.iter().enumerate() {
        let mut e = event(*t, 1, i as u64);
        e = NewEvent::new(
            EventMeta {
                event_id: Uuid::now_v7(),
                occurred_at: start_time(),
                actor: Actor::System,
                idempotency_key: None,
            },
            EventType::new("team.created").unwrap(),
            1,
            e.context(),
            e.aggregate().clone(),
            json!({"name": format!("Team {i}")}),
        )
        .unwrap();
        evs.push(e);
    }
    // Later events about the teams, in an order that revisits old ones.
    for round in 0..3u64 {
        for (i, t) in teams.iter().enumerate().rev() {
            evs.push(event(*t, 2 + round, i as u64));
        }
    }
    let mut conn = env.pool().get_conn().await.unwrap();
    let mut tx = conn.start_transaction(TxOpts::default()).await.unwrap();
    store.append(&mut tx, &evs, start_time()).await.unwrap();
    tx.commit().await.unwrap();
    let projector = |cache| generic_projector(env.app.tables(), &store, 7).with_name_cache(cache);
    let lines = format!(
        "SELECT sequence, line FROM {} ORDER BY sequence",
        env.app.tables().activity
    );
    let cu = projector(3)
        .catch_up(env.pool(), start_time())
        .await
        .unwrap();
    assert_eq!(cu.applied, 48);
    let forgetful: Vec<(u64, String)> = conn.query(lines.clone()).await.unwrap();
    projector(1000)
        .rebuild(env.pool(), start_time())
        .await
        .unwrap();
    let kept: Vec<(u64, String)> = conn.query(lines.clone()).await.unwrap();
    assert_eq!(forgetful, kept);
    // Without a pool there is no second connection: each batch is read and rendered in
    // its own transaction, never ahead. The lines must be the same.
    let tb = env.app.tables().clone();
    for sql in [
        format!("DELETE FROM {}", tb.activity),
        format!("DELETE FROM {}", tb.activity_names),
        format!("UPDATE {} SET last_sequence = 0", tb.checkpoints),
    ] {
        conn.query_drop(sql).await.unwrap();
    }
    let cu = projector(3)
        .catch_up_on(&mut conn, start_time())
        .await
        .unwrap();
    assert_eq!(cu.applied, 48);
    let sequential: Vec<(u64, String)> = conn.query(lines).await.unwrap();
    assert_eq!(forgetful, sequential);
    assert!(
        forgetful[12..].iter().all(|(_, l)| l.contains(" Team ")),
        "every later line names its team: {forgetful:?}"
    );
    drop(conn);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_command_never_waits_for_the_feed() {
    // Commands do not touch the feed's checkpoint: while a catch-up holds it, commands
    // still commit, and the feed gets their events once it is free.
    let Some(env) = env().await else { return };
    let t = env.app.tables().clone();
    let (_, ctx) = crate::first_employee(&env.app, "Ana").await;
    env.app.activity(&json!({})).await.unwrap();
    let mut holder = env.pool().get_conn().await.unwrap();
    let mut htx = holder.start_transaction(TxOpts::default()).await.unwrap();
    let held: Option<u64> = htx
        .exec_first(
            format!(
                "SELECT last_sequence FROM {} WHERE projection = 'activity_feed' FOR UPDATE",
                t.checkpoints
            ),
            (),
        )
        .await
        .unwrap();
    assert_eq!(held, Some(1));
    let app = env.app.clone();
    let ctx2 = ctx.clone();
    let cmd = tokio::spawn(async move {
        app.identity()
            .create_customer(&json!({"name": "Not Blocked"}), &ctx2)
            .await
            .unwrap()
    });
    tokio::time::timeout(StdDuration::from_secs(5), cmd)
        .await
        .expect("the command commits while the checkpoint is held")
        .unwrap();
    htx.rollback().await.unwrap();
    let feed = env.app.activity(&json!({})).await.unwrap();
    assert_eq!(feed["total"], json!(2), "{feed}");
    assert!(feed["items"][0]["line"]
        .as_str()
        .unwrap()
        .contains("Not Blocked"));
    drop(holder);
    env.cleanup().await;
}

/// How many prepared statements this connection has executed.
async fn executes(c: &mut mysql_async::Conn) -> u64 {
    let row: Option<(String, u64)> = c
        .query_first("SHOW SESSION STATUS LIKE 'Com_stmt_execute'")
        .await
        .unwrap();
    row.unwrap().1
}

/// Queues the insert of team `id` named `name` (a duplicate: "team exists").
async fn queue_team(uow: &mut UnitOfWork<'_>, sql: &str, id: Uuid, name: &str) {
    uow.insert(sql, (id.to_string(), name), |_| {
        StorageError::Conflict("team exists".into())
    })
    .await
    .unwrap();
}

/// A unit of work's waiting writes travel with its events as one statement; each write
/// still fails as itself (a stale update as its record's conflict, a duplicate through its
/// own mapping), reads see the writes before them, and a moved chain head does not send a
/// write twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiting_writes_travel_together_and_each_fails_as_itself() {
    let Some(env) = env().await else { return };
    let t = env.app.tables().clone();
    let store = test_store(&t);
    let other = test_store(&t);
    let mut conn = env.pool().get_conn().await.unwrap();
    let insert_team = format!(
        "INSERT INTO {} (id, name, parent_id, status, version, created_at, updated_at) \
         VALUES (?, ?, NULL, 'active', 1, NOW(), NOW())",
        t.teams
    );
    let rename_team = format!(
        "UPDATE {} SET name = ?, version = version + 1 WHERE id = ? AND version = ?",
        t.teams
    );
    let teams = |ids: &[Uuid]| {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE id IN ({})",
            t.teams,
            vec!["?"; ids.len()].join(", ")
        );
        (sql, ids.iter().map(|i| i.to_string()).collect::<Vec<_>>())
    };
    // The store learns the head (its next append guesses it).
    append_singles(&mut conn, &store, 1).await;

    // Three inserts, a versioned update and two events: one statement.
    let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let before = executes(&mut conn).await;
    {
        let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
            .await
            .unwrap();
        for (id, name) in [(a, "A"), (b, "B"), (c, "C")] {
            queue_team(&mut uow, &insert_team, id, name).await;
        }
        uow.update_versioned(&rename_team, ("A2", a.to_string(), 1u64), "team A")
            .await
            .unwrap();
        uow.record([event(a, 1, 1), event(b, 1, 2)]);
        uow.commit(None).await.unwrap();
    }
    assert_eq!(
        executes(&mut conn).await - before,
        1,
        "the writes and the events went as one prepared statement"
    );
    let (sql, ids) = teams(&[a, b, c]);
    let n: Option<u64> = conn.exec_first(&sql, ids).await.unwrap();
    assert_eq!(n, Some(3));
    let name: Option<String> = conn
        .exec_first(
            format!("SELECT name FROM {} WHERE id = ?", t.teams),
            (a.to_string(),),
        )
        .await
        .unwrap();
    assert_eq!(
        name.as_deref(),
        Some("A2"),
        "the update ran after its insert"
    );

    // A stale update in the middle: its record's conflict; nothing of the batch stays.
    let (x, z) = (Uuid::now_v7(), Uuid::now_v7());
    let err = {
        let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
            .await
            .unwrap();
        queue_team(&mut uow, &insert_team, x, "X").await;
        uow.update_versioned(&rename_team, ("B2", b.to_string(), 7u64), "team B")
            .await
            .unwrap();
        queue_team(&mut uow, &insert_team, z, "Z").await;
        uow.record([event(x, 1, 3)]);
        uow.commit(None).await.unwrap_err()
    };
    assert_eq!(
        err,
        StorageError::Conflict("team B was changed by someone else; reload and try again".into())
    );
    let (sql, ids) = teams(&[x, z]);
    let n: Option<u64> = conn.exec_first(&sql, ids).await.unwrap();
    assert_eq!(
        n,
        Some(0),
        "the writes before and after the stale one rolled back"
    );

    // A duplicate in the middle: that write's own mapping, with the index's name.
    let err = {
        let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
            .await
            .unwrap();
        queue_team(&mut uow, &insert_team, x, "X").await;
        uow.insert(&insert_team, (c.to_string(), "C again"), |key| {
            StorageError::Taken {
                field: "id".into(),
                message: format!("is taken ({key})"),
            }
        })
        .await
        .unwrap();
        uow.record([event(x, 1, 4)]);
        uow.commit(None).await.unwrap_err()
    };
    assert_eq!(
        err,
        StorageError::Taken {
            field: "id".into(),
            message: "is taken (PRIMARY)".into()
        }
    );

    // A read sees the writes waiting before it (they are sent first).
    {
        let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
            .await
            .unwrap();
        queue_team(&mut uow, &insert_team, x, "X").await;
        let (sql, ids) = teams(&[x]);
        let n: Option<u64> = uow.tx().await.unwrap().exec_first(&sql, ids).await.unwrap();
        assert_eq!(n, Some(1));
        uow.rollback().await.unwrap();
    }

    // Another store appends: this store's guess is stale. The batch's writes go in once,
    // the events after the real head.
    append_singles(&mut conn, &other, 2).await;
    {
        let mut uow = UnitOfWork::begin(&mut conn, store.clone(), start_time())
            .await
            .unwrap();
        queue_team(&mut uow, &insert_team, x, "X").await;
        queue_team(&mut uow, &insert_team, z, "Z").await;
        uow.record([event(x, 1, 5), event(z, 1, 6)]);
        let appended = uow.commit(None).await.unwrap().unwrap();
        assert_eq!(appended.last - appended.first, 1);
    }
    let (sql, ids) = teams(&[x, z]);
    let n: Option<u64> = conn.exec_first(&sql, ids).await.unwrap();
    assert_eq!(n, Some(2));
    drop(conn);
    let ((head, _), ids) = head_and_ids(&env, &store).await;
    assert_eq!(ids, (1..=head).collect::<Vec<_>>(), "no gap, chain intact");
    assert_eq!(head, 1 + 2 + 2 + 2, "every committed event, once");
    env.cleanup().await;
}
