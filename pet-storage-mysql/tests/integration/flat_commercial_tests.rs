//! Flat commercial lists (issue "Flat at any size"): the lead, opportunity and quote lists
//! page by keyset cursors that never skip or repeat a row while rows are inserted between
//! requests (forwards, and backwards from the last page), count boundedly, and search on
//! both paths (the bounded scan through the list's order, and the FULLTEXT candidates when
//! the scan does not fill the page).

use std::future::Future;

use chrono::Duration;
use pet_storage_mysql::{App, CommandContext, ManualClock};
use serde_json::{json, Value};

use crate::{app_with_scan, first_employee, ids};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn lead(app: &App, clock: &ManualClock, ctx: &CommandContext, company: &str) -> String {
    clock.advance(Duration::seconds(7));
    id(&app
        .commercial()
        .create_lead(&json!({"customer_name": company, "source": "web"}), ctx)
        .await
        .unwrap())
}

pub(crate) async fn opportunity(
    app: &App,
    clock: &ManualClock,
    ctx: &CommandContext,
    title: &str,
    close: &str,
) -> String {
    let l = lead(app, clock, ctx, &format!("{title} Co")).await;
    let c = app.commercial();
    c.contact_lead(&l, &json!({}), ctx).await.unwrap();
    c.qualify_lead(&l, &json!({"need": "Relaunch"}), ctx)
        .await
        .unwrap();
    id(&c
        .create_opportunity(
            &json!({"lead_id": l, "title": title, "expected_close": close,
                    "expected_value": {"amount_minor": 100_000, "currency": "EUR"}}),
            ctx,
        )
        .await
        .unwrap())
}

pub(crate) async fn quote(
    app: &App,
    clock: &ManualClock,
    ctx: &CommandContext,
    opp: &str,
    title: &str,
) -> Value {
    clock.advance(Duration::seconds(7));
    app.commercial()
        .create_quote(&json!({"opportunity_id": opp, "title": title}), ctx)
        .await
        .unwrap()
}

/// Walks a list with `next` cursors (4 rows a page), calling `insert` before each further
/// page; checks that no row repeats and that every row of `expected` (the list before any
/// insert) comes once, in order; then walks back from the last page.
async fn walk<L, LF, I, IF>(name: &str, query: Value, expected: &[String], list: L, mut insert: I)
where
    L: Fn(Value) -> LF,
    LF: Future<Output = Value>,
    I: FnMut(usize) -> IF,
    IF: Future<Output = ()>,
{
    let mut q = query.clone();
    q["per_page"] = json!(4);
    let mut page = list(q.clone()).await;
    assert!(page["prev"].is_null(), "{name}: the first page has no prev");
    assert_eq!(page["page"], json!(1), "{name}");
    let mut seen = Vec::new();
    let mut n = 0;
    loop {
        seen.extend(ids(&page));
        let Some(next) = page["next"].as_str().map(str::to_owned) else {
            break;
        };
        insert(n).await;
        n += 1;
        let mut q = q.clone();
        q["after"] = json!(next);
        page = list(q).await;
        assert!(page["prev"].is_string(), "{name}: a later page has a prev");
        assert!(page.get("page").is_none(), "{name}: no page number");
    }
    assert!(n > 0, "{name}: more than one page");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "{name}: a row was repeated");
    let originals: Vec<String> = seen
        .iter()
        .filter(|i| expected.contains(i))
        .cloned()
        .collect();
    assert_eq!(
        originals, expected,
        "{name}: every original row once, in order"
    );

    // Forwards again, then backwards from the last page: the same rows.
    let mut forward = Vec::new();
    let mut page = list(q.clone()).await;
    let last = page["last"].as_str().unwrap().to_owned();
    loop {
        forward.extend(ids(&page));
        let Some(next) = page["next"].as_str().map(str::to_owned) else {
            break;
        };
        let mut q = q.clone();
        q["after"] = json!(next);
        page = list(q).await;
    }
    let mut b = q.clone();
    b["before"] = json!(last);
    let mut page = list(b).await;
    assert!(page["next"].is_null(), "{name}: the last page has no next");
    let mut backward: Vec<String> = Vec::new();
    loop {
        let mut chunk = ids(&page);
        chunk.extend(backward);
        backward = chunk;
        let Some(prev) = page["prev"].as_str().map(str::to_owned) else {
            break;
        };
        let mut b = q.clone();
        b["before"] = json!(prev);
        page = list(b).await;
    }
    assert_eq!(backward, forward, "{name}: backwards");
    assert_eq!(page["total"], json!(forward.len()), "{name}");
    assert_eq!(page["total_exact"], json!(true), "{name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commercial_lists_page_by_cursor_while_rows_are_inserted() {
    let Some((app, clock)) = app_with_scan(2000).await else {
        return;
    };
    let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
    let c = app.commercial();
    let all = |v: Value| {
        let mut v = v;
        v["per_page"] = json!(100);
        v
    };

    // Leads, newest first.
    for i in 0..10 {
        lead(&app, &clock, &ctx, &format!("Lead {i}")).await;
    }
    let expected = ids(&c.list_leads(&all(json!({}))).await.unwrap());
    assert_eq!(expected.len(), 10);
    walk(
        "leads",
        json!({"source": "web"}),
        &expected,
        |q| {
            let app = app.clone();
            async move { app.commercial().list_leads(&q).await.unwrap() }
        },
        |n| {
            let (app, clock, ctx) = (app.clone(), clock.clone(), ctx.clone());
            async move {
                lead(&app, &clock, &ctx, &format!("Inserted {n}")).await;
            }
        },
    )
    .await;

    // Opportunities by expected close (rows inserted before and after the position).
    for i in 0..10 {
        opportunity(
            &app,
            &clock,
            &ctx,
            &format!("Deal {i}"),
            &format!("2026-0{}-1{}", 1 + i % 9, i % 3),
        )
        .await;
    }
    let expected = ids(&c.list_opportunities(&all(json!({}))).await.unwrap());
    assert_eq!(expected.len(), 10);
    walk(
        "opportunities",
        json!({}),
        &expected,
        |q| {
            let app = app.clone();
            async move { app.commercial().list_opportunities(&q).await.unwrap() }
        },
        |n| {
            let (app, clock, ctx) = (app.clone(), clock.clone(), ctx.clone());
            async move {
                let close = format!("2026-0{}-20", 1 + (n * 4) % 9);
                opportunity(&app, &clock, &ctx, &format!("Inserted deal {n}"), &close).await;
            }
        },
    )
    .await;

    // Quotes, newest first, filtered by opportunity.
    let opp = expected[0].clone();
    for i in 0..10 {
        quote(&app, &clock, &ctx, &opp, &format!("Quote {i}")).await;
    }
    let q = json!({"opportunity_id": opp});
    let expected = ids(&c.list_quotes(&all(q.clone())).await.unwrap());
    assert_eq!(expected.len(), 10);
    walk(
        "quotes",
        q,
        &expected,
        |q| {
            let app = app.clone();
            async move { app.commercial().list_quotes(&q).await.unwrap() }
        },
        |n| {
            let (app, clock, ctx, opp) = (app.clone(), clock.clone(), ctx.clone(), opp.clone());
            async move {
                quote(&app, &clock, &ctx, &opp, &format!("Inserted quote {n}")).await;
            }
        },
    )
    .await;

    // A cursor of another list, or of nothing, is a field error.
    let leads = c.list_leads(&json!({"per_page": 2})).await.unwrap();
    let cursor = leads["next"].as_str().unwrap().to_owned();
    for r in [
        c.list_opportunities(&json!({"after": cursor})).await,
        c.list_quotes(&json!({"after": "zz"})).await,
        c.list_leads(&json!({"before": cursor})).await,
    ] {
        match r {
            Err(pet_storage_mysql::AppError::Validation(f)) => {
                assert!(
                    f.get("after").is_some() || f.get("before").is_some(),
                    "{f:?}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commercial_search_on_both_paths() {
    // A scan of 3 rows: the searches below go to the FULLTEXT candidates; with 2,000 the
    // same searches are answered by the scan. Both must give the same rows.
    for scan in [3, 2000] {
        let Some((app, clock)) = app_with_scan(scan).await else {
            return;
        };
        let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
        let tag = format!("z{}", uuid::Uuid::now_v7().simple());
        let tag = &tag[tag.len() - 10..];
        let wombat = lead(&app, &clock, &ctx, &format!("Wombat{tag} Industries")).await;
        let opp = opportunity(
            &app,
            &clock,
            &ctx,
            &format!("Relaunch{tag} portal"),
            "2026-05-01",
        )
        .await;
        let q = quote(&app, &clock, &ctx, &opp, &format!("Kiosk{tag} rollout")).await;
        for i in 0..12 {
            lead(&app, &clock, &ctx, &format!("Noise {i} {tag}x")).await;
            opportunity(
                &app,
                &clock,
                &ctx,
                &format!("Noise deal {i} {tag}x"),
                "2026-04-01",
            )
            .await;
            quote(&app, &clock, &ctx, &opp, &format!("Noise quote {i} {tag}x")).await;
        }
        let c = app.commercial();
        let leads = |s: String| {
            let app = app.clone();
            async move {
                ids(&app
                    .commercial()
                    .list_leads(&json!({"search": s, "per_page": 5}))
                    .await
                    .unwrap())
            }
        };
        let opps = |s: String| {
            let app = app.clone();
            async move {
                ids(&app
                    .commercial()
                    .list_opportunities(&json!({"search": s, "per_page": 5}))
                    .await
                    .unwrap())
            }
        };
        let quotes = |s: String| {
            let app = app.clone();
            async move {
                ids(&app
                    .commercial()
                    .list_quotes(&json!({"search": s, "per_page": 5}))
                    .await
                    .unwrap())
            }
        };
        assert_eq!(
            leads(format!("wombat{tag}")).await,
            vec![wombat.clone()],
            "scan {scan}: lead company"
        );
        assert_eq!(
            leads(format!("WOMBAT{tag} industries")).await,
            vec![wombat.clone()],
            "scan {scan}: any case"
        );
        assert!(
            leads(format!("wombat{tag} laptop")).await.is_empty(),
            "scan {scan}: the whole text"
        );
        assert_eq!(
            opps(format!("relaunch{tag}")).await,
            vec![opp.clone()],
            "scan {scan}: opportunity title"
        );
        assert_eq!(
            quotes(format!("kiosk{tag}")).await,
            vec![id(&q)],
            "scan {scan}: quote title"
        );
        let reference = q["reference"].as_str().unwrap().to_owned();
        assert_eq!(
            quotes(reference.clone()).await,
            vec![id(&q)],
            "scan {scan}: quote number {reference}"
        );
        // A word in many rows pages like any list, every match once.
        // (Each opportunity was opened from a lead named after it: 24 leads.)
        for (name, list, want) in [
            ("leads", 0, 24),
            ("opportunities", 1, 12),
            ("quotes", 2, 12),
        ] {
            let mut query = json!({"search": format!("{tag}x"), "per_page": 5});
            let mut seen: Vec<String> = Vec::new();
            loop {
                let page = match list {
                    0 => c.list_leads(&query).await,
                    1 => c.list_opportunities(&query).await,
                    _ => c.list_quotes(&query).await,
                }
                .unwrap();
                seen.extend(ids(&page));
                let Some(next) = page["next"].as_str() else {
                    break;
                };
                query["after"] = json!(next);
            }
            let n = seen.len();
            seen.sort();
            seen.dedup();
            assert_eq!((n, seen.len()), (want, want), "scan {scan}: {name}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_opportunity_restored_from_its_state_row_equals_its_replay() {
    let Some((app, clock)) = app_with_scan(2000).await else {
        return;
    };
    let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
    let c = app.commercial();
    let check = |opp: String, when: &'static str| {
        let app = app.clone();
        async move {
            let r = app.verify_restore("opportunity", &opp).await;
            assert!(r.is_ok(), "{when}: {r:?}");
        }
    };
    let opp = opportunity(&app, &clock, &ctx, "Restored", "2026-03-01").await;
    check(opp.clone(), "open").await;
    c.classify_opportunity(&opp, &json!({"kind": "upsell", "size_band": "large"}), &ctx)
        .await
        .unwrap();
    check(opp.clone(), "classified").await;
    for i in 0..12 {
        quote(&app, &clock, &ctx, &opp, &format!("Option {i}")).await;
        if i % 5 == 0 {
            check(opp.clone(), "quoting").await;
        }
    }
    let view = c.get_opportunity(&opp).await.unwrap();
    assert_eq!(view["quote_count"], json!(12));
    c.lose_opportunity(&opp, &json!({"reason": "Went with a competitor"}), &ctx)
        .await
        .unwrap();
    check(opp.clone(), "lost").await;
}

/// The pipeline reads the totals kept per stage and currency (migration 0011): after
/// opportunities are opened in two currencies, quoted, lost and won, they equal a GROUP BY
/// over the opportunities themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pipeline_totals_follow_every_stage_move() {
    let Some(env) = crate::env().await else {
        return;
    };
    let (app, clock) = (&env.app, &env.clock);
    let (_, ctx) = first_employee(app, "Pipeline Owner").await;
    let c = app.commercial();
    let won = opportunity(app, clock, &ctx, "Won deal", "2030-01-01").await;
    let lost = opportunity(app, clock, &ctx, "Lost deal", "2030-01-01").await;
    let _open = opportunity(app, clock, &ctx, "Open deal", "2030-01-01").await;
    let l = lead(app, clock, &ctx, "Dollar Co").await;
    c.contact_lead(&l, &json!({}), &ctx).await.unwrap();
    c.qualify_lead(&l, &json!({"need": "US office"}), &ctx)
        .await
        .unwrap();
    let usd = id(&c
        .create_opportunity(
            &json!({"lead_id": l, "title": "Dollars", "expected_close": "2030-02-01",
                    "expected_value": {"amount_minor": 250_000, "currency": "USD"}}),
            &ctx,
        )
        .await
        .unwrap());
    let q = id(&quote(app, clock, &ctx, &won, "Winning quote").await);
    quote(app, clock, &ctx, &usd, "Dollar quote").await;
    c.lose_opportunity(&lost, &json!({"reason": "price"}), &ctx)
        .await
        .unwrap();
    c.save_quote_draft(
        &q,
        &json!({"groups": [{"title": "A", "lines": [{"kind": "product", "description": "x", "quantity": 1, "unit_price_minor": 500}]}]}),
        &ctx,
    )
    .await
    .unwrap();
    c.send_quote(&q, &json!({"valid_until": "2030-01-31"}), &ctx)
        .await
        .unwrap();
    c.accept_quote(&q, &json!({"version": 1}), &ctx)
        .await
        .unwrap();

    use mysql_async::prelude::Queryable;
    let mut conn = env.pool().get_conn().await.unwrap();
    let grouped: Vec<(String, String, u64, i64)> = conn
        .query(format!(
            "SELECT status, currency, COUNT(*), CAST(SUM(expected_value_minor) AS SIGNED) \
             FROM {}pet_opportunities GROUP BY status, currency",
            env.config.prefix
        ))
        .await
        .unwrap();
    drop(conn);
    let pipe = c.opportunity_pipeline().await.unwrap();
    let mut seen = 0;
    for stage in pipe["stages"].as_array().unwrap() {
        let status = stage["status"].as_str().unwrap();
        let mine: Vec<_> = grouped.iter().filter(|g| g.0 == status).collect();
        assert_eq!(
            stage["count"],
            json!(mine.iter().map(|g| g.2).sum::<u64>()),
            "{stage}"
        );
        let values: Vec<(String, i64)> = stage["expected_value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["currency"].as_str().unwrap().to_owned(),
                    v["amount_minor"].as_i64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, i64)> = mine.iter().map(|g| (g.1.clone(), g.3)).collect();
        assert_eq!(values, want, "{status}");
        seen += mine.len();
    }
    assert_eq!(seen, grouped.len());
    // What the moves should have left: won 1 EUR, lost 1 EUR, open 1 EUR, quoting 1 USD.
    let counts: Vec<u64> = pipe["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, vec![1, 1, 1, 1]);
    env.cleanup().await;
}
