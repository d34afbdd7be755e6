//! What holds on replicated servers and clusters, checked on one server: nothing but
//! `migrate()` writes or runs DDL (a read-only account gets health, the migration status
//! and an honest activity backlog), exclusion is a committed lease row (it expires and is
//! taken over), a job that lost a race goes back to the queue uncounted. The primary +
//! replica and Galera suites (`scripts/lib/replication.sh`, `scripts/lib/galera.sh`) run
//! the rest against real topologies.

use std::time::Duration as StdDuration;

use chrono::Duration;
use mysql_async::prelude::*;
use pet_storage_mysql::jobs::{JobQueue, NewJob};
use pet_storage_mysql::lease::Lease;
use pet_storage_mysql::{App, Config};
use serde_json::json;

use crate::{env, start_time};

/// A user who may only read the test database (SELECT; and TRIGGER, without which
/// information_schema hides the events table's triggers from it, so health could not see
/// the append-only guard — it lets the user create triggers, not tables or rows).
async fn read_only_user(env: &crate::Env) -> (Config, String) {
    let user = format!("pet_ro_{}", env.config.prefix.trim_end_matches('_'));
    let mut c = env.pool().get_conn().await.unwrap();
    c.query_drop(format!("DROP USER IF EXISTS '{user}'@'%'"))
        .await
        .unwrap();
    // CREATE USER takes no bound parameters; the name and password are the test's own.
    c.query_drop(format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'ro-pass'"))
        .await
        .unwrap();
    c.query_drop(format!(
        "GRANT SELECT, TRIGGER ON `{}`.* TO '{user}'@'%'",
        env.config.database.replace('`', "")
    ))
    .await
    .unwrap();
    let mut cfg = env.config.clone();
    cfg.user = user.clone();
    cfg.password = Some("ro-pass".into());
    (cfg, user)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_status_and_the_feed_read_without_writing() {
    let Some(env) = env().await else { return };
    let (_, actor) = crate::first_employee(&env.app, "Ana").await;
    for name in ["Acme", "Beta"] {
        env.app
            .identity()
            .create_customer(&json!({"name": name}), &actor)
            .await
            .unwrap();
    }
    let (cfg, user) = read_only_user(&env).await;
    let ro = App::new(cfg).unwrap();
    // Reads only: the ledger is read, never created (no CREATE TABLE IF NOT EXISTS).
    let status = ro.migration_status().await.unwrap();
    assert_eq!(
        (status["dirty"].clone(), status["pending"].clone()),
        (json!(false), json!([]))
    );
    let health = ro.health().await.unwrap();
    assert_eq!(
        health["checks"]["migrations"]["ok"],
        json!(true),
        "{health}"
    );
    assert_eq!(health["ok"], json!(true), "{health}");
    // An up-to-date schema: migrate() reads the ledger and stops (no lease, no DDL).
    let m = ro.migrate().await;
    assert!(m.as_ref().is_ok_and(|m| m["applied"] == json!([])), "{m:?}");
    // The feed is behind by the three commands; a reader that cannot project says so.
    let feed = ro.activity(&json!({})).await.unwrap();
    assert_eq!(feed["pending"], json!(3), "{feed}");
    assert!(feed["pending_since"].is_string(), "{feed}");
    assert_eq!(env.count(&env.app.tables().activity).await, 0);
    // The primary's reader projects it.
    let feed = env.app.activity(&json!({})).await.unwrap();
    assert_eq!(
        (feed["pending"].clone(), feed["total"].clone()),
        (json!(0), json!(3))
    );
    assert_eq!(feed["pending_since"], json!(null));
    // Jobs refuse nothing here (the server is writable) but cannot run as this user.
    assert!(ro.run_jobs(&json!({})).await.is_err());
    ro.disconnect().await.unwrap();
    let mut c = env.pool().get_conn().await.unwrap();
    c.query_drop(format!("DROP USER IF EXISTS '{user}'@'%'"))
        .await
        .unwrap();
    drop(c);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_is_exclusive_until_released_or_expired() {
    let Some(env) = env().await else { return };
    let table = env.app.tables().locks.clone();
    let (mut c1, mut c2) = (
        env.pool().get_conn().await.unwrap(),
        env.pool().get_conn().await.unwrap(),
    );
    let a = Lease::new(&table, "test", StdDuration::from_millis(300));
    let b = Lease::new(&table, "test", StdDuration::from_secs(60));
    assert!(a.try_take(&mut c1).await.unwrap());
    assert!(a.try_take(&mut c1).await.unwrap(), "taking it again renews");
    assert!(!b.try_take(&mut c2).await.unwrap());
    assert!(
        !b.take(&mut c2, StdDuration::from_millis(50)).await.unwrap(),
        "a bounded wait gives up"
    );
    // A holder that died: its lease runs out and another takes over; the old holder, if it
    // comes back, finds it lost and must stop.
    tokio::time::sleep(StdDuration::from_millis(400)).await;
    assert!(b.try_take(&mut c2).await.unwrap());
    assert!(!a.renew(&mut c1).await.unwrap());
    assert!(b.renew(&mut c2).await.unwrap());
    // Releasing is the holder's alone.
    a.release(&mut c1).await.unwrap();
    assert!(!a.try_take(&mut c1).await.unwrap());
    b.release(&mut c2).await.unwrap();
    assert!(a.try_take(&mut c1).await.unwrap());
    drop((c1, c2));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_lost_a_race_goes_back_to_the_queue_uncounted() {
    let Some(env) = env().await else { return };
    let q = JobQueue::new(env.app.tables().clone());
    let mut c = env.pool().get_conn().await.unwrap();
    let now = start_time();
    let id = q
        .enqueue(&mut c, &NewJob::new("test.kind", json!({}), now), now)
        .await
        .unwrap()
        .unwrap();
    let job = q
        .claim(&mut c, now, Duration::seconds(60), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(job.attempt, 1);
    assert!(q.release(&mut c, &job, now).await.unwrap());
    let v = q.get(&mut c, id).await.unwrap();
    assert_eq!((v.status.as_str(), v.attempts), ("pending", 0));
    assert!(
        !q.release(&mut c, &job, now).await.unwrap(),
        "a released claim is gone"
    );
    let again = q
        .claim(&mut c, now, Duration::seconds(60), 1)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempt, 1, "the lost race did not use an attempt");
    drop(c);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_replicas_nothing_tracks_positions() {
    let Some(env) = env().await else { return };
    let (_, actor) = crate::first_employee(&env.app, "Ana").await;
    env.app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    assert!(!env.app.has_replicas());
    assert_eq!(env.app.last_gtid(), None);
    assert!(env.app.read_after("0-1-x").is_err());
    env.app.read_after("0-1-5").unwrap();
    assert_eq!(env.app.last_gtid().as_deref(), Some("0-1-5"));
    env.cleanup().await;
}
