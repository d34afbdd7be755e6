//! The concurrency suite on a three-node Galera cluster (`scripts/galera-test` starts one
//! with `scripts/lib/galera.sh` and runs these): commands on every node, a unique-key race
//! across nodes, two migrators on two nodes, job runners on every node. Run when
//! `PET_TEST_GALERA_URLS` lists the nodes (comma-separated `mysql://` URLs); otherwise they
//! pass with a notice.

use std::time::{Duration, Instant};

use pet_storage_mysql::{App, AppError, CommandContext, Config};
use serde_json::json;

fn nodes() -> Option<Vec<Config>> {
    let urls = std::env::var("PET_TEST_GALERA_URLS")
        .ok()
        .filter(|u| !u.is_empty());
    let Some(urls) = urls else {
        use std::io::Write;
        let _ = std::io::stderr().write_all(
            b"\n*** NOTICE: PET_TEST_GALERA_URLS is not set: Galera tests SKIPPED (scripts/galera-test runs them) ***\n",
        );
        return None;
    };
    let prefix = format!("g{}_", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    Some(
        urls.split(',')
            .map(|u| {
                let mut c = Config::from_url(u.trim()).unwrap();
                c.prefix = prefix.clone();
                c.pool_max = 8;
                c
            })
            .collect(),
    )
}

async fn cleanup(apps: &[App]) {
    crate::drop_prefix(apps[0].pool(), &apps[0].tables().prefix).await;
    for a in apps {
        let _ = a.disconnect().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_migrators_on_two_nodes_run_once_and_never_hang() {
    let Some(nodes) = nodes() else { return };
    let apps: Vec<App> = nodes.iter().map(|c| App::new(c.clone()).unwrap()).collect();
    let started = Instant::now();
    let (a, b) = tokio::time::timeout(Duration::from_secs(180), async {
        tokio::join!(apps[0].migrate(), apps[1].migrate())
    })
    .await
    .expect("two migrators on two nodes finished within 3 minutes");
    let (a, b) = (a.unwrap(), b.unwrap());
    let (na, nb) = (
        a["applied"].as_array().unwrap().len(),
        b["applied"].as_array().unwrap().len(),
    );
    eprintln!(
        "two migrators on two nodes: {na} and {nb} files applied in {:?}",
        started.elapsed()
    );
    assert!(na == 0 || nb == 0, "only one ran the files: {a} {b}");
    assert_eq!(na + nb, pet_storage_mysql::migrate::embedded().len());
    for app in &apps {
        // Each node applies the ledger's last update a moment after the migrator's commit.
        let mut h = app.health().await.unwrap();
        for _ in 0..100 {
            if h["ok"] == json!(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            h = app.health().await.unwrap();
        }
        assert_eq!(h["ok"], json!(true), "{h}");
        assert_eq!(app.migrate().await.unwrap()["applied"], json!([]));
    }
    cleanup(&apps).await;
}

/// Waits until every node has applied the employee (a node applies the others' writes a
/// moment after they commit; a request that sticks to one node never sees that).
async fn everywhere(apps: &[App], employee_id: &str) {
    for app in apps {
        for _ in 0..100 {
            if app.identity().get_employee(employee_id).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn migrated(nodes: &[Config]) -> Vec<App> {
    let apps: Vec<App> = nodes.iter().map(|c| App::new(c.clone()).unwrap()).collect();
    apps[0].migrate().await.unwrap();
    apps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commands_on_every_node_retry_certification_and_keep_the_log_whole() {
    let Some(nodes) = nodes() else { return };
    let apps = migrated(&nodes).await;
    let e = apps[0]
        .identity()
        .create_employee(
            &json!({"name": "Ana", "email": "ana@example.com"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    let actor = CommandContext::employee(e["id"].as_str().unwrap().parse().unwrap());
    everywhere(&apps, e["id"].as_str().unwrap()).await;
    let per_node = 30;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, app) in apps.iter().enumerate() {
        for w in 0..2 {
            let (app, actor) = (app.clone(), actor.clone());
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::new();
                for i in 0..per_node / 2 {
                    let key = format!("g-{n}-{w}-{i}");
                    let r = app
                        .identity()
                        .create_customer(
                            &json!({"name": format!("Node {n} customer {w}/{i}")}),
                            &actor.clone().with_key(&key).unwrap(),
                        )
                        .await;
                    out.push(r);
                }
                out
            }));
        }
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        for r in t.await.unwrap() {
            match r {
                Ok(_) => ok += 1,
                Err(AppError::Conflict(_)) => conflicts += 1,
                Err(e) => panic!("a lost certification must be retried or be a conflict: {e}"),
            }
        }
    }
    let took = started.elapsed();
    eprintln!(
        "{} creates spread over 3 nodes (2 writers each): {ok} committed, {conflicts} conflicts after {} attempts, {:.0} commands/s",
        per_node * 3,
        pet_storage_mysql::command::MAX_ATTEMPTS,
        f64::from(ok) / took.as_secs_f64()
    );
    // The same work on one node, for comparison.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..6 {
        let (app, actor) = (apps[0].clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..per_node / 2 {
                app.identity()
                    .create_customer(&json!({"name": format!("One node {w}/{i}")}), &actor)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    eprintln!(
        "{} creates on one node (6 writers): {:.0} commands/s",
        per_node * 3,
        f64::from(per_node * 3) / started.elapsed().as_secs_f64()
    );
    // Every node holds the same customers and a whole chain.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for app in &apps {
        let list = app.identity().list_customers(&json!({})).await.unwrap();
        assert_eq!(list["total"], json!(ok + per_node * 3), "{}", list["total"]);
        let v = app.verify_chain(&json!({"mode": "full"})).await.unwrap();
        assert_eq!(v["ok"], json!(true), "{v}");
    }
    cleanup(&apps).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_duplicate_raced_on_two_nodes_is_a_validation_error() {
    let Some(nodes) = nodes() else { return };
    let apps = migrated(&nodes).await;
    let e = apps[0]
        .identity()
        .create_employee(
            &json!({"name": "Ana", "email": "ana@example.com"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    let actor = CommandContext::employee(e["id"].as_str().unwrap().parse().unwrap());
    everywhere(&apps, e["id"].as_str().unwrap()).await;
    for i in 0..10 {
        let input = json!({"name": format!("Bo {i}"), "email": format!("bo{i}@example.com")});
        let (s1, s2) = (apps[1].identity(), apps[2].identity());
        let (a, b) = tokio::join!(
            s1.create_employee(&input, &actor),
            s2.create_employee(&input, &actor)
        );
        let outcomes = [&a, &b];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {i}: {a:?} {b:?}"
        );
        let err = outcomes.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(err, AppError::Validation(f) if f.get("email").is_some()),
            "round {i}: the loser is told the email is taken: {err:?}"
        );
    }
    cleanup(&apps).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn job_runners_on_every_node_run_one_at_a_time_and_fail_nothing() {
    let Some(nodes) = nodes() else { return };
    let apps = migrated(&nodes).await;
    let options = json!({"max_seconds": 5});
    for round in 0..5 {
        let (a, b, c) = tokio::join!(
            apps[0].run_jobs(&options),
            apps[1].run_jobs(&options),
            apps[2].run_jobs(&options)
        );
        let runs = [a.unwrap(), b.unwrap(), c.unwrap()];
        let ran: Vec<_> = runs
            .iter()
            .filter(|r| r["skipped_locked"] == json!(false))
            .collect();
        assert!(ran.len() <= 1, "round {round}: {runs:?}");
        for r in &runs {
            assert_eq!(
                (r["failed"].clone(), r["dead"].clone()),
                (json!(0), json!(0)),
                "{r}"
            );
        }
    }
    cleanup(&apps).await;
}
