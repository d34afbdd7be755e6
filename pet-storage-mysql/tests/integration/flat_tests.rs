//! Flat lists (issue "Flat at any size"): keyset pages that never skip or repeat a row while
//! rows are inserted between requests, in every order, forwards and backwards; bounded
//! counts; and the ticket search over subjects, customer names, messages and ids, through
//! both of its paths (the bounded scan, and the FULLTEXT candidates when the scan does not
//! fill the page).

use chrono::Duration;
use pet_storage_mysql::{App, CommandContext, ManualClock};
use serde_json::{json, Value};

use crate::{app_with_scan, first_employee, ids};

async fn ticket(
    app: &App,
    clock: &ManualClock,
    ctx: &CommandContext,
    customer: &str,
    subject: &str,
    priority: &str,
) -> String {
    clock.advance(Duration::seconds(7));
    let t = app
        .helpdesk()
        .create_ticket(
            &json!({"customer_id": customer, "subject": subject, "priority": priority}),
            ctx,
        )
        .await
        .unwrap();
    t["id"].as_str().unwrap().to_owned()
}

async fn customer(app: &App, ctx: &CommandContext, name: &str) -> String {
    app.identity()
        .create_customer(&json!({ "name": name }), ctx)
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

/// Walks a list with `next` cursors, inserting a ticket before each further page.
async fn walk(
    app: &App,
    clock: &ManualClock,
    ctx: &CommandContext,
    customer: &str,
    query: Value,
) -> (Vec<String>, Vec<String>) {
    let mut q = query.clone();
    q["per_page"] = json!(7);
    let mut seen = Vec::new();
    let mut inserted = Vec::new();
    let mut page = app.helpdesk().list_tickets(&q).await.unwrap();
    assert!(page["prev"].is_null(), "the first page has no prev");
    loop {
        seen.extend(ids(&page));
        let Some(next) = page["next"].as_str().map(str::to_owned) else {
            break;
        };
        let n = inserted.len();
        inserted.push(
            ticket(
                app,
                clock,
                ctx,
                customer,
                &format!("Inserted {n}"),
                PRIORITIES[n % 4],
            )
            .await,
        );
        let mut q = q.clone();
        q["after"] = json!(next);
        page = app.helpdesk().list_tickets(&q).await.unwrap();
        assert!(page["prev"].is_string(), "a later page has a prev");
        assert!(
            page.get("page").is_none(),
            "a cursor page has no page number"
        );
    }
    (seen, inserted)
}

#[tokio::test]
async fn keyset_pages_never_skip_or_repeat_a_row_while_rows_are_inserted() {
    let Some((app, clock)) = app_with_scan(2000).await else {
        return;
    };
    let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
    let customer = customer(&app, &ctx, "Keyset Ltd").await;
    let mut original = Vec::new();
    for i in 0..30 {
        original.push(
            ticket(
                &app,
                &clock,
                &ctx,
                &customer,
                &format!("Ticket {i}"),
                PRIORITIES[i % 4],
            )
            .await,
        );
    }
    let only = |seen: &[String]| -> Vec<String> {
        seen.iter()
            .filter(|id| original.contains(id))
            .cloned()
            .collect()
    };
    for (sort, order) in [
        ("created", "desc"),
        ("created", "asc"),
        ("updated", "desc"),
        ("priority", "desc"),
        ("priority", "asc"),
        ("due", "asc"),
        ("due", "desc"),
    ] {
        let query = json!({"customer_id": customer, "sort": sort, "order": order});
        // The order of the originals before any insert, as one big page.
        let mut all = query.clone();
        all["per_page"] = json!(100);
        let expected: Vec<String> = only(&ids(&app.helpdesk().list_tickets(&all).await.unwrap()));
        assert_eq!(expected.len(), original.len(), "{sort} {order}");
        let (seen, inserted) = walk(&app, &clock, &ctx, &customer, query).await;
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{sort} {order}: a row was repeated"
        );
        assert_eq!(
            only(&seen),
            expected,
            "{sort} {order}: every original row once, in order"
        );
        assert!(!inserted.is_empty());
    }

    // Backwards from the last page to the first gives the same rows.
    let query = json!({"customer_id": customer, "per_page": 9});
    let mut forward = Vec::new();
    let mut page = app.helpdesk().list_tickets(&query).await.unwrap();
    assert_eq!(page["page"], json!(1));
    loop {
        forward.extend(ids(&page));
        let Some(next) = page["next"].as_str().map(str::to_owned) else {
            break;
        };
        let mut q = query.clone();
        q["after"] = json!(next);
        page = app.helpdesk().list_tickets(&q).await.unwrap();
    }
    let first = app.helpdesk().list_tickets(&query).await.unwrap();
    let last = first["last"].as_str().unwrap().to_owned();
    let mut q = query.clone();
    q["before"] = json!(last);
    let mut page = app.helpdesk().list_tickets(&q).await.unwrap();
    assert!(page["next"].is_null(), "the last page has no next");
    let mut backward: Vec<String> = Vec::new();
    loop {
        let mut chunk = ids(&page);
        chunk.extend(backward);
        backward = chunk;
        let Some(prev) = page["prev"].as_str().map(str::to_owned) else {
            break;
        };
        let mut q = query.clone();
        q["before"] = json!(prev);
        page = app.helpdesk().list_tickets(&q).await.unwrap();
    }
    assert_eq!(backward, forward);
    assert_eq!(page["total"], json!(forward.len()));
    assert_eq!(page["total_exact"], json!(true));

    // Bad cursors and deep page numbers are field errors.
    let created = first["next"].as_str().unwrap().to_owned();
    for (q, field) in [
        (json!({"after": "zz"}), "after"),
        (json!({"before": created.clone()}), "before"),
        (json!({"after": created, "sort": "updated"}), "after"),
        (json!({"page": 600, "per_page": 20}), "page"),
    ] {
        match app.helpdesk().list_tickets(&q).await {
            Err(pet_storage_mysql::AppError::Validation(f)) => {
                assert!(f.get(field).is_some(), "{q}: {f:?}")
            }
            other => panic!("{q}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn ticket_search_finds_subjects_customers_messages_and_ids_on_both_paths() {
    // A scan of 3 rows: most searches below go to the FULLTEXT candidates; with 2,000 the
    // same searches are answered by the scan. Both must give the same tickets.
    for scan in [3, 2000] {
        let Some((app, clock)) = app_with_scan(scan).await else {
            return;
        };
        let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
        let tag = format!("z{}", uuid::Uuid::now_v7().simple());
        let tag = &tag[tag.len() - 10..];
        let cust = |name: String| {
            let app = app.clone();
            let ctx = ctx.clone();
            async move {
                app.identity()
                    .create_customer(&json!({ "name": name }), &ctx)
                    .await
                    .unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let plain = cust(format!("Plain {tag} Ltd")).await;
        let special = cust(format!("Wombat{tag} Industries")).await;
        let by_subject = ticket(
            &app,
            &clock,
            &ctx,
            &plain,
            &format!("Printer{tag} jams"),
            "normal",
        )
        .await;
        let by_customer = ticket(&app, &clock, &ctx, &special, "Cannot log in", "normal").await;
        let by_reply = ticket(&app, &clock, &ctx, &plain, "Slow laptop", "high").await;
        app.helpdesk().reply_to_ticket(
            &by_reply,
            &json!({"body": format!("We replaced the Docking{tag} station."), "visibility": "internal"}),
            &ctx,
        )
        .await
        .unwrap();
        for i in 0..12 {
            ticket(
                &app,
                &clock,
                &ctx,
                &plain,
                &format!("Noise {i} {tag}x"),
                "low",
            )
            .await;
        }
        // Each search in relevance order (the default with a search) and newest first
        // (the scan, or FULLTEXT candidates): the same tickets either way.
        let search = |text: String| {
            let app = app.clone();
            async move {
                let ranked = app
                    .helpdesk()
                    .list_tickets(&json!({"search": text, "per_page": 5}))
                    .await
                    .unwrap();
                let newest = app
                    .helpdesk()
                    .list_tickets(&json!({"search": text, "per_page": 5, "sort": "created"}))
                    .await
                    .unwrap();
                assert_eq!(ids(&ranked), ids(&newest), "{text}: both orders");
                assert_eq!(newest["ranked"], json!(false));
                ids(&ranked)
            }
        };
        assert_eq!(
            search(format!("printer{tag}")).await,
            vec![by_subject.clone()],
            "scan {scan}: subject"
        );
        assert_eq!(
            search(format!("PRINTER{tag} jam")).await,
            vec![by_subject.clone()],
            "scan {scan}: word starts, any case"
        );
        assert_eq!(
            search(format!("wombat{tag}")).await,
            vec![by_customer.clone()],
            "scan {scan}: customer name"
        );
        assert_eq!(
            search(format!("docking{tag}")).await,
            vec![by_reply.clone()],
            "scan {scan}: a message"
        );
        assert_eq!(
            search(by_customer[..13].to_owned()).await,
            vec![by_customer.clone()],
            "scan {scan}: the id's start"
        );
        assert!(
            search(format!("rinter{tag}")).await.is_empty(),
            "scan {scan}: a word must start the match"
        );
        assert!(
            search(format!("printer{tag} laptop")).await.is_empty(),
            "scan {scan}: every word"
        );
        // A word in many tickets pages like any list.
        let page = app
            .helpdesk()
            .list_tickets(&json!({"search": format!("noise {tag}x"), "per_page": 5}))
            .await
            .unwrap();
        assert_eq!(ids(&page).len(), 5, "scan {scan}");
        let mut seen = ids(&page);
        let mut page = page;
        while let Some(next) = page["next"].as_str().map(str::to_owned) {
            page = app
                .helpdesk()
                .list_tickets(
                    &json!({"search": format!("noise {tag}x"), "per_page": 5, "after": next}),
                )
                .await
                .unwrap();
            seen.extend(ids(&page));
        }
        assert_eq!(seen.len(), 12, "scan {scan}: every match once");
        // Ranked only while the matches fit the bound (a scan of 3: newest first).
        assert_eq!(page["ranked"], json!(scan > 12), "scan {scan}");
    }
}

/// A search lists the best matches first: the ticket named by its number, then a word in
/// the subject before the customer's name before a message; equal scores newest first. The
/// ranked list pages forwards and backwards through its cursors like any list; more matches
/// than the bound are listed newest first and said to be unranked.
#[tokio::test]
async fn ticket_search_ranks_the_best_matches_first() {
    let Some(config) = crate::config().await else {
        return;
    };
    let clock = std::sync::Arc::new(ManualClock::new(crate::start_time()));
    // Two apps on the same tables: searches bounded at 2,000 rows and at 3.
    let with_scan = |scan| {
        let parts = pet_storage_mysql::AppParts {
            clock: clock.clone(),
            search_scan: scan,
            ..pet_storage_mysql::AppParts::default()
        };
        App::with_parts(config.clone(), parts).unwrap()
    };
    let app = with_scan(2000);
    let small = with_scan(3);
    app.migrate().await.unwrap();
    let (_, ctx) = first_employee(&app, "Rana Rank").await;
    let tag = format!("r{}", uuid::Uuid::now_v7().simple());
    let tag = &tag[tag.len() - 10..];
    let plain = customer(&app, &ctx, &format!("Plain {tag} Ltd")).await;
    let named = customer(&app, &ctx, &format!("Falcon{tag} Holdings")).await;
    let in_message = ticket(&app, &clock, &ctx, &plain, "Slow laptop", "high").await;
    app.helpdesk()
        .reply_to_ticket(
            &in_message,
            &json!({"body": format!("The falcon{tag} adapter failed."), "visibility": "public"}),
            &ctx,
        )
        .await
        .unwrap();
    let in_customer = ticket(&app, &clock, &ctx, &named, "Cannot log in", "normal").await;
    let in_subject_old = ticket(
        &app,
        &clock,
        &ctx,
        &plain,
        &format!("Falcon{tag} mount"),
        "low",
    )
    .await;
    let in_subject_new = ticket(
        &app,
        &clock,
        &ctx,
        &plain,
        &format!("Falcon{tag} cable"),
        "low",
    )
    .await;
    let unrelated = ticket(&app, &clock, &ctx, &plain, "Printer jam", "low").await;
    let page = app
        .helpdesk()
        .list_tickets(&json!({ "search": format!("falcon{tag}") }))
        .await
        .unwrap();
    assert_eq!(page["ranked"], json!(true));
    assert_eq!(page["total"], json!(4));
    assert_eq!(
        ids(&page),
        vec![
            in_subject_new.clone(),
            in_subject_old.clone(),
            in_customer.clone(),
            in_message.clone()
        ],
        "subject (newest first among equals), then customer, then message"
    );
    // The number names a ticket: it comes first, before the word's matches.
    let number = app.helpdesk().get_ticket(&unrelated).await.unwrap()["number"]
        .as_u64()
        .unwrap();
    let page = app
        .helpdesk()
        .list_tickets(&json!({ "search": format!("#{number}") }))
        .await
        .unwrap();
    assert_eq!(ids(&page), vec![unrelated.clone()]);
    assert_eq!(page["ranked"], json!(true));
    // Pages of 3 forwards, then back from the second page: the same rows, none twice.
    let q = json!({ "search": format!("falcon{tag}"), "per_page": 3 });
    let first = app.helpdesk().list_tickets(&q).await.unwrap();
    let mut q2 = q.clone();
    q2["after"] = first["next"].clone();
    let second = app.helpdesk().list_tickets(&q2).await.unwrap();
    assert_eq!(ids(&second), vec![in_message.clone()]);
    assert!(second["next"].is_null());
    let mut q3 = q.clone();
    q3["before"] = second["prev"].clone();
    let back = app.helpdesk().list_tickets(&q3).await.unwrap();
    assert_eq!(ids(&back), ids(&first));
    let mut q4 = q.clone();
    q4["before"] = first["last"].clone();
    let last = app.helpdesk().list_tickets(&q4).await.unwrap();
    assert_eq!(
        ids(&last),
        vec![
            in_subject_old.clone(),
            in_customer.clone(),
            in_message.clone()
        ],
        "the last page: the last 3 rows"
    );
    // Filters still apply to the ranked list.
    let page = app
        .helpdesk()
        .list_tickets(&json!({ "search": format!("falcon{tag}"), "priority": "low" }))
        .await
        .unwrap();
    assert_eq!(
        ids(&page),
        vec![in_subject_new.clone(), in_subject_old.clone()]
    );
    // Relevance needs words to rank by.
    let err = app
        .helpdesk()
        .list_tickets(&json!({ "sort": "relevance" }))
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("sort"), "{err:?}");
    // More matches than the bound (3 here): newest first, said to be unranked.
    let page = small
        .helpdesk()
        .list_tickets(&json!({ "search": format!("falcon{tag}") }))
        .await
        .unwrap();
    assert_eq!(page["ranked"], json!(false));
    let mut newest = vec![in_subject_new, in_subject_old, in_customer, in_message];
    newest.sort_by_key(|id| std::cmp::Reverse(id.clone()));
    assert_eq!(ids(&page), newest, "newest first (ids are time-ordered)");
}

/// The active filter lists and counts exactly the tickets not resolved or closed (its count
/// reads the status, its page the generated `is_active` column's index).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_active_filter_counts_what_it_lists() {
    let Some((app, clock)) = app_with_scan(2000).await else {
        return;
    };
    let (_, ctx) = first_employee(&app, "Ana Active").await;
    let customer = customer(&app, &ctx, "Active Ltd").await;
    let hd = app.helpdesk();
    let mut active = Vec::new();
    for i in 0..12 {
        let t = ticket(
            &app,
            &clock,
            &ctx,
            &customer,
            &format!("Active {i}"),
            "normal",
        )
        .await;
        match i % 4 {
            0 => active.push(t), // new
            1 => {
                hd.change_ticket_status(&t, "open", &ctx).await.unwrap();
                hd.change_ticket_status(&t, "waiting_on_customer", &ctx)
                    .await
                    .unwrap();
                active.push(t);
            }
            2 => {
                hd.change_ticket_status(&t, "open", &ctx).await.unwrap();
                hd.resolve_ticket(&t, &ctx).await.unwrap();
            }
            _ => {
                hd.change_ticket_status(&t, "open", &ctx).await.unwrap();
                hd.resolve_ticket(&t, &ctx).await.unwrap();
                hd.close_ticket(&t, &ctx).await.unwrap();
            }
        }
    }
    let page = hd
        .list_tickets(&json!({"status": "active", "per_page": 50}))
        .await
        .unwrap();
    assert_eq!(page["total"], json!(6));
    let mut listed = ids(&page);
    listed.sort();
    active.sort();
    assert_eq!(listed, active);
    let closed = hd.list_tickets(&json!({"status": "closed"})).await.unwrap();
    assert_eq!(closed["total"], json!(3));
    let _ = app.disconnect().await;
}

/// Tickets are numbered 1, 2, 3 … per site (migration 0017's sequence, drawn with the
/// customer's status), the number is in `ticket.created` (schema version 2) so the ticket
/// restores as replayed, the view carries `number` and `reference` (`#2`), and a search for
/// `2` or `#2` finds that ticket on both paths (the scan, and the candidates when the scan
/// does not reach it). A refused ticket (unknown customer) draws no number.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tickets_are_numbered_and_found_by_number() {
    for scan in [1, 2000] {
        let Some((app, clock)) = app_with_scan(scan).await else {
            return;
        };
        let (_, ctx) = first_employee(&app, "Ana Ruiz").await;
        let acme = customer(&app, &ctx, "Acme Ltd").await;
        let refused = app
            .helpdesk()
            .create_ticket(
                &json!({"customer_id": uuid::Uuid::now_v7().to_string(), "subject": "Nobody"}),
                &ctx,
            )
            .await;
        assert!(refused.is_err(), "an unknown customer is refused");
        let mut made = Vec::new();
        // Subjects without digits: "2" could otherwise also start a word of a subject.
        for word in ["alpha", "beta", "gamma", "delta", "epsilon"] {
            made.push(
                ticket(
                    &app,
                    &clock,
                    &ctx,
                    &acme,
                    &format!("Issue {word}"),
                    "normal",
                )
                .await,
            );
        }
        for (i, id) in made.iter().enumerate() {
            let v = app.helpdesk().get_ticket(id).await.unwrap();
            assert_eq!(v["number"], json!(i + 1), "scan {scan}");
            assert_eq!(v["reference"], json!(format!("#{}", i + 1)));
            let r = app.verify_restore("ticket", id).await;
            assert!(r.is_ok(), "{r:?}");
        }
        for text in ["2", "#2", " #2 "] {
            let page = app
                .helpdesk()
                .list_tickets(&json!({"search": text}))
                .await
                .unwrap();
            assert_eq!(ids(&page), vec![made[1].clone()], "scan {scan}: {text:?}");
        }
        let page = app
            .helpdesk()
            .list_tickets(&json!({"search": "#99"}))
            .await
            .unwrap();
        assert!(ids(&page).is_empty(), "scan {scan}: no ticket 99");
        let list = app.helpdesk().list_tickets(&json!({})).await.unwrap();
        assert_eq!(list["items"][0]["reference"], json!("#5"));
    }
}
