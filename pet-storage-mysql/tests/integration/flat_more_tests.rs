//! Flat lists beyond tickets (issue "Flat at any size"): customers, employees, knowledge
//! articles, SLA definitions, jobs and the activity feed page by keyset cursors that never
//! skip or repeat a row while rows are inserted between requests, forwards and backwards,
//! with bounded counts; their text searches find the same rows through both paths (the
//! bounded scan, and the FULLTEXT candidates when the scan does not fill the page).

use chrono::Duration;
use pet_storage_mysql::jobs::{JobQueue, NewJob};
use pet_storage_mysql::{App, CommandContext, ManualClock};
use serde_json::{json, Value};

use crate::{app_with_scan, first_employee};

/// The lists under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Customers,
    Employees,
    Articles,
    Sla,
    Jobs,
    Activity,
}

async fn list(app: &App, which: List, q: &Value) -> Value {
    match which {
        List::Customers => app.identity().list_customers(q).await,
        List::Employees => app.identity().list_employees(q).await,
        List::Articles => app.knowledge().list_articles(q).await,
        List::Sla => app.helpdesk().list_sla_definitions(q).await,
        List::Jobs => app.list_jobs(q).await,
        List::Activity => app.activity(q).await,
    }
    .unwrap_or_else(|e| panic!("{which:?} {q}: {e:?}"))
}

fn keys(page: &Value, which: List) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| match which {
            List::Activity => t["sequence"].to_string(),
            _ => t["id"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn sla_spec() -> Value {
    let day = json!([{"start": "09:00", "end": "17:00"}]);
    json!({
        "calendar": {"timezone": "Europe/London", "working_hours": {"mon": day}, "holidays": []},
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
            "normal": {"first_response_minutes": 60, "resolution_minutes": 480},
            "high": {"first_response_minutes": 30, "resolution_minutes": 240},
            "urgent": {"first_response_minutes": 15, "resolution_minutes": 120}
        },
        "pause_statuses": [],
        "warning_percent": 80,
        "always_on": []
    })
}

/// Adds one row to `which` named `name` (`n` makes it unique).
async fn add(app: &App, ctx: &CommandContext, which: List, name: &str, n: usize) {
    match which {
        List::Customers | List::Activity => {
            app.identity()
                .create_customer(&json!({ "name": name }), ctx)
                .await
                .unwrap();
        }
        List::Employees => {
            app.identity()
                .create_employee(
                    &json!({"name": name, "email": format!("e{n}@example.com")}),
                    ctx,
                )
                .await
                .unwrap();
        }
        List::Articles => {
            app.knowledge()
                .create_article(
                    &json!({"category": if n % 2 == 0 { "Billing" } else { "Access" },
                            "slug": format!("slug-{n}"), "title": name, "body": "Body."}),
                    ctx,
                )
                .await
                .unwrap();
        }
        List::Sla => {
            app.helpdesk()
                .create_sla_definition(&json!({"name": name, "spec": sla_spec()}), ctx)
                .await
                .unwrap();
        }
        List::Jobs => {
            let q = JobQueue::new(app.tables().clone());
            let mut conn = app.pool().get_conn().await.unwrap();
            let now = app.now();
            q.enqueue(
                &mut conn,
                &NewJob::new("test.job", json!({ "n": n }), now),
                now,
            )
            .await
            .unwrap();
        }
    }
}

/// Walks `which` with `next` cursors (inserting a row before each further page), then back
/// from the last page with `prev` cursors; returns the rows seen forwards.
async fn walk(
    app: &App,
    clock: &ManualClock,
    ctx: &CommandContext,
    which: List,
    query: Value,
    before: &[String],
) -> Vec<String> {
    let mut q = query.clone();
    q["per_page"] = json!(4);
    let mut page = list(app, which, &q).await;
    assert!(
        page["prev"].is_null(),
        "{which:?}: the first page has no prev"
    );
    assert_eq!(page["page"], json!(1));
    assert_eq!(page["total_exact"], json!(true));
    let mut seen = Vec::new();
    let mut n = 0;
    loop {
        seen.extend(keys(&page, which));
        let Some(next) = page["next"].as_str().map(str::to_owned) else {
            break;
        };
        n += 1;
        clock.advance(Duration::seconds(3));
        add(app, ctx, which, &format!("Inserted {n}"), 900 + n).await;
        let mut q = query.clone();
        q["per_page"] = json!(4);
        q["after"] = json!(next);
        page = list(app, which, &q).await;
        assert!(
            page.get("page").is_none(),
            "{which:?}: a cursor page has no number"
        );
        assert!(page["prev"].is_string(), "{which:?}: a later page has prev");
    }
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "{which:?}: no row repeated: {seen:?}"
    );
    let originals: Vec<&String> = seen.iter().filter(|k| before.contains(k)).collect();
    assert_eq!(
        originals,
        before.iter().collect::<Vec<_>>(),
        "{which:?}: every row that existed is seen once, in order"
    );
    // Backwards from the last page: the whole list, in order, once.
    let mut q = query.clone();
    q["per_page"] = json!(4);
    let first = list(app, which, &q).await;
    let all_now = first["total"].as_u64().unwrap() as usize;
    q["before"] = first["last"].clone();
    let mut page = list(app, which, &q).await;
    assert!(
        page["next"].is_null(),
        "{which:?}: the last page has no next"
    );
    let mut back = keys(&page, which);
    while let Some(prev) = page["prev"].as_str().map(str::to_owned) {
        let mut q = query.clone();
        q["per_page"] = json!(4);
        q["before"] = json!(prev);
        page = list(app, which, &q).await;
        back.splice(0..0, keys(&page, which));
    }
    assert_eq!(back.len(), all_now, "{which:?}: backwards every row once");
    let forward: Vec<String> = {
        let mut q = query.clone();
        q["per_page"] = json!(100);
        keys(&list(app, which, &q).await, which)
    };
    assert_eq!(back, forward, "{which:?}: backwards in list order");
    seen
}

#[tokio::test]
async fn flat_lists_never_skip_or_repeat_a_row_while_rows_are_inserted() {
    let Some((app, clock)) = app_with_scan(3).await else {
        return;
    };
    let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
    for which in [
        List::Customers,
        List::Employees,
        List::Articles,
        List::Sla,
        List::Jobs,
        List::Activity,
    ] {
        for i in 0..10 {
            clock.advance(Duration::seconds(5));
            add(&app, &ctx, which, &format!("Row {i:02}"), i).await;
        }
        let mut q = json!({ "per_page": 100 });
        if which == List::Activity {
            q["context_type"] = json!("customer");
        }
        let before = keys(&list(&app, which, &q).await, which);
        assert!(before.len() >= 10, "{which:?}");
        q.as_object_mut().unwrap().remove("per_page");
        walk(&app, &clock, &ctx, which, q, &before).await;
    }
    // Filters keep their index order: the articles of one category, the jobs of a status.
    let billing = list(
        &app,
        List::Articles,
        &json!({"category": "Billing", "per_page": 100}),
    )
    .await;
    assert!(billing["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["category"] == json!("Billing")));
    let pending = list(
        &app,
        List::Jobs,
        &json!({"status": "pending", "per_page": 2}),
    )
    .await;
    assert!(pending["next"].is_string(), "{pending}");
    // Unfiltered activity pages by the feed's sequence.
    let feed = list(&app, List::Activity, &json!({"per_page": 3})).await;
    let next = list(
        &app,
        List::Activity,
        &json!({"per_page": 3, "after": feed["next"]}),
    )
    .await;
    assert!(
        next["items"][0]["sequence"].as_u64() < feed["items"][2]["sequence"].as_u64(),
        "{feed} {next}"
    );
    // A cursor of another list is refused.
    let r = app
        .identity()
        .list_customers(&json!({"after": pending["next"]}))
        .await;
    assert!(
        matches!(&r, Err(pet_storage_mysql::AppError::Validation(f)) if f.get("after").is_some()),
        "{r:?}"
    );
    crate::drop_prefix(app.pool(), &app.tables().prefix.clone()).await;
    let _ = app.disconnect().await;
}

#[tokio::test]
async fn list_searches_find_the_same_rows_on_both_paths() {
    for scan in [2000, 3] {
        let Some((app, clock)) = app_with_scan(scan).await else {
            return;
        };
        let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
        for (i, name) in [
            "Zephyr Holdings",
            "Acme Widgets",
            "Blue Ocean",
            "Crimson Harbor",
            "Delta Zephyr",
            "Echo Park",
            "Foxtrot Works",
            "Golf Club",
        ]
        .iter()
        .enumerate()
        {
            clock.advance(Duration::seconds(5));
            for which in [List::Customers, List::Employees, List::Articles, List::Sla] {
                add(&app, &ctx, which, name, i).await;
            }
        }
        for which in [List::Customers, List::Employees, List::Articles, List::Sla] {
            let names = |page: &Value| -> Vec<String> {
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| {
                        t.get("title")
                            .unwrap_or(&t["name"])
                            .as_str()
                            .unwrap()
                            .to_owned()
                    })
                    .collect()
            };
            let page = list(&app, which, &json!({"search": "zephyr"})).await;
            let mut got = names(&page);
            got.sort();
            assert_eq!(
                got,
                vec!["Delta Zephyr", "Zephyr Holdings"],
                "{which:?} scan {scan}"
            );
            assert_eq!(page["total"], json!(2), "{which:?} scan {scan}: {page}");
            let page = list(&app, which, &json!({"search": "  "})).await;
            assert!(page["total"].as_u64().unwrap() >= 8, "blank is no search");
            let page = list(&app, which, &json!({"search": "%' OR 1=1 -- "})).await;
            assert_eq!(page["total"], json!(0), "{which:?}: {page}");
        }
        // Employees are also found by e-mail.
        let page = list(&app, List::Employees, &json!({"search": "e3@example"})).await;
        assert_eq!(page["total"], json!(1), "scan {scan}: {page}");
        crate::drop_prefix(app.pool(), &app.tables().prefix.clone()).await;
        let _ = app.disconnect().await;
    }
}

#[tokio::test]
async fn list_queries_report_every_bad_field() {
    let Some((app, _)) = app_with_scan(3).await else {
        return;
    };
    let bad = |r: Result<Value, pet_storage_mysql::AppError>| match r {
        Err(pet_storage_mysql::AppError::Validation(f)) => f,
        other => panic!("{other:?}"),
    };
    let f = bad(app
        .identity()
        .list_employees(&json!({"status": "gone", "per_page": 0, "search": 3}))
        .await);
    assert_eq!(f.get("status"), Some("must be active or inactive"));
    assert_eq!(f.get("per_page"), Some("must be between 1 and 100"));
    assert_eq!(f.get("search"), Some("must be a string"));
    let f = bad(app.identity().list_customers(&json!({"status": "x"})).await);
    assert_eq!(f.get("status"), Some("must be active or archived"));
    let f = bad(app.identity().list_teams(&json!({"status": "x"})).await);
    assert_eq!(f.get("status"), Some("must be active or archived"));
    let f = bad(app.list_jobs(&json!({"status": "x", "page": 0})).await);
    assert_eq!(
        f.get("status"),
        Some("must be pending, running, failed, dead or done")
    );
    assert_eq!(f.get("page"), Some("must be between 1 and 1000000"));
    let f = bad(app
        .activity(
            &json!({"context_type": "x", "context_id": "nope", "from": "soon", "before": "zz"}),
        )
        .await);
    assert_eq!(f.get("context_type"), Some("is not a known context type"));
    assert_eq!(f.get("context_id"), Some("is not a valid id"));
    assert_eq!(
        f.get("from"),
        Some("must be a date YYYY-MM-DD or an RFC 3339 timestamp")
    );
    let f = bad(app
        .helpdesk()
        .list_sla_definitions(&json!({"after": "zz"}))
        .await);
    assert_eq!(f.get("after"), Some("is not a cursor of this list"));
    crate::drop_prefix(app.pool(), &app.tables().prefix.clone()).await;
    let _ = app.disconnect().await;
}

/// The categories' counts are kept per category (migration 0012): after articles are
/// created as drafts and published, published again and archived, in categories that differ
/// only in case, they equal a GROUP BY over the articles themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn article_category_totals_follow_every_status_move() {
    let Some(env) = crate::env().await else {
        return;
    };
    let app = &env.app;
    let (_, ctx) = first_employee(app, "Librarian").await;
    let kb = app.knowledge();
    let mut ids = Vec::new();
    for (i, (category, publish)) in [
        ("Printers", true),
        ("printers", false),
        ("Email", true),
        ("Email", false),
        ("Network", true),
    ]
    .into_iter()
    .enumerate()
    {
        let a = kb
            .create_article(
                &json!({"category": category, "slug": format!("cat-{i}"), "title": format!("Article {i}"),
                        "body": "Body", "publish": publish}),
                &ctx,
            )
            .await
            .unwrap();
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    // The draft in "printers" is published; a published one is published again (no move);
    // the one in "Network" is archived.
    kb.publish_article(&ids[1], &json!({"title": "Now live", "body": "Body"}), &ctx)
        .await
        .unwrap();
    kb.publish_article(&ids[0], &json!({"title": "Again", "body": "Body 2"}), &ctx)
        .await
        .unwrap();
    kb.archive_article(&ids[4], &ctx).await.unwrap();

    use mysql_async::prelude::Queryable;
    let mut conn = env.pool().get_conn().await.unwrap();
    let grouped: Vec<(String, u64, u64)> = conn
        .query(format!(
            "SELECT category, COUNT(*), CAST(SUM(status = 'published') AS UNSIGNED) \
             FROM {}pet_knowledge_articles GROUP BY category ORDER BY category",
            env.config.prefix
        ))
        .await
        .unwrap();
    drop(conn);
    let listed: Vec<(String, u64, u64)> = kb.list_article_categories().await.unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_owned(),
                c["articles"].as_u64().unwrap(),
                c["published"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed.iter().map(|c| (c.1, c.2)).collect::<Vec<_>>(),
        grouped.iter().map(|c| (c.1, c.2)).collect::<Vec<_>>()
    );
    assert_eq!(
        listed
            .iter()
            .map(|c| c.0.to_lowercase())
            .collect::<Vec<_>>(),
        grouped
            .iter()
            .map(|c| c.0.to_lowercase())
            .collect::<Vec<_>>()
    );
    // Email 2 (1 published), Network 1 (0: archived), Printers 2 (2 published).
    assert_eq!(
        listed.iter().map(|c| (c.1, c.2)).collect::<Vec<_>>(),
        vec![(2, 1), (1, 0), (2, 2)]
    );
    env.cleanup().await;
}

/// In a large knowledge base (more than five scan budgets of published articles), words in
/// many articles are answered by the bounded scan, newest first and unranked, page after
/// page without a hit repeated; a rare word is still ranked by FULLTEXT; a small base ranks
/// every search.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn knowledge_search_scans_common_words_in_a_large_base() {
    let Some((app, clock)) = app_with_scan(20).await else {
        return;
    };
    let (_, ctx) = first_employee(&app, "Writer").await;
    let kb = app.knowledge();
    let publish = |i: usize| {
        json!({"category": "Help", "slug": format!("scan-{i}"),
               "title": if i % 2 == 0 { format!("Printer tips {i}") } else { format!("Mailbox help {i}") },
               "body": if i == 51 { "A quokka ate the cable." } else { "Restart it." },
               "publish": true})
    };
    // A small base (20 published, not more than 5 × 20): ranked.
    for i in 0..20 {
        clock.advance(Duration::seconds(1));
        kb.create_article(&publish(i), &ctx).await.unwrap();
    }
    let small = kb
        .search_articles(&json!({"q": "printer", "per_page": 2}))
        .await
        .unwrap();
    assert_eq!(small["ranked"], json!(true));
    assert_eq!(small["total"], json!(10));
    for i in 20..101 {
        clock.advance(Duration::seconds(1));
        kb.create_article(&publish(i), &ctx).await.unwrap();
    }
    // 101 published: a common word comes from the scan, newest first.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = kb
            .search_articles(&json!({"q": "Printer", "per_page": 2, "page": page}))
            .await
            .unwrap();
        assert_eq!(p["ranked"], json!(false), "{p}");
        assert_eq!(p["total_exact"], json!(false));
        let titles: Vec<String> = p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(titles.len(), 2);
        seen.extend(titles);
        assert!(p["total"].as_u64().unwrap() > page * 2, "more follow: {p}");
    }
    assert_eq!(
        seen,
        [100, 98, 96, 94, 92, 90]
            .iter()
            .map(|i| format!("Printer tips {i}"))
            .collect::<Vec<_>>()
    );
    // Every word must start a word: "rinter" is in no article; a rare word is ranked.
    let none = kb.search_articles(&json!({"q": "rinter"})).await.unwrap();
    assert_eq!(none["total"], json!(0));
    let rare = kb.search_articles(&json!({"q": "quokka"})).await.unwrap();
    assert_eq!(rare["ranked"], json!(true));
    assert_eq!(rare["items"][0]["title"], json!("Mailbox help 51"));
    let _ = app.disconnect().await;
}
