//! Issue 9: employees, teams, org-structure versions, customers and leads are restored from
//! their state rows. Each is driven through real commands with every event kind of its
//! aggregate, and after every command the repository's restore must equal the replay of
//! its events (`App::verify_restore`); concurrent commands on one aggregate must each see
//! the state the one before left (the root row is locked, the other rows read current).

use chrono::Duration;
use pet_storage_mysql::{App, AppError, Clock};
use serde_json::{json, Value};

use crate::{env, first_employee};

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Checks that `kind` `id` restores as replayed and is at `version`.
async fn restores(app: &App, kind: &str, id: &str, version: u64) {
    let r = app.verify_restore(kind, id).await;
    assert_eq!(
        r.as_ref().map(|v| v["version"].clone()).ok(),
        Some(json!(version)),
        "{kind} {id}: {r:?}"
    );
}

/// Puts rows back as a migration's ALTERs leave rows made before it (`reset`), then runs the
/// migration's backfill again: its `UPDATE` lines (`expected` of them).
async fn rerun_backfill(
    conn: &mut mysql_async::Conn,
    prefix: &str,
    reset: &[String],
    migration: &str,
    expected: usize,
) {
    use mysql_async::prelude::*;
    for sql in reset {
        conn.query_drop(sql).await.unwrap();
    }
    let updates: Vec<&str> = migration
        .lines()
        .filter(|l| l.starts_with("UPDATE "))
        .collect();
    assert_eq!(updates.len(), expected);
    for u in updates {
        conn.query_drop(u.replace("{prefix}", prefix))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employees_restore_as_replayed_after_every_event_kind() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = first_employee(app, "Ana").await;
    let idn = app.identity();
    let bob = idn
        .create_employee(
            &json!({"name": "Bob", "email": "Bob@Example.com",
                    "cost_rate": {"amount": "50.00", "currency": "EUR", "effective_from": "2026-01-01"},
                    "bill_rate": {"amount_minor": 9000, "currency": "EUR", "effective_from": "2026-01-01"}}),
            &actor,
        )
        .await
        .unwrap();
    let b = id(&bob);
    restores(app, "employee", &b, 1).await;
    let mut version = 1;
    let rate = |kind: &str, minor: i64, from: &str| json!({"kind": kind, "amount_minor": minor, "currency": "EUR", "effective_from": from});
    let steps: Vec<(&str, Value)> = vec![
        ("rate", rate("cost", 6000, "2026-03-01")),
        ("rate", rate("bill", 9500, "2026-02-01")),
        // Replaces the entry with the same kind and first day.
        ("rate", rate("cost", 6500, "2026-03-01")),
        ("rate", rate("cost", 4000, "2025-06-01")),
        ("link", json!(42)),
        ("deactivate", Value::Null),
        ("rate", rate("bill", 9900, "2026-01-01")),
        ("reactivate", Value::Null),
        ("link", json!(43)),
        ("link", Value::Null),
    ];
    for (what, arg) in steps {
        match what {
            "rate" => idn.change_employee_rate(&b, &arg, &actor).await,
            "link" => idn.link_employee_user(&b, arg.as_i64(), &actor).await,
            "deactivate" => idn.deactivate_employee(&b, &actor).await,
            _ => idn.reactivate_employee(&b, &actor).await,
        }
        .unwrap_or_else(|e| panic!("{what} {arg}: {e:?}"));
        version += 1;
        restores(app, "employee", &b, version).await;
    }
    let view = idn.get_employee(&b).await.unwrap();
    assert_eq!(view["version"], json!(11));
    assert_eq!(view["wp_user_id"], Value::Null);
    // Five rate entries: cost from 2025-06-01, 2026-01-01 and 2026-03-01 (corrected once),
    // bill from 2026-01-01 (corrected once) and 2026-02-01 — a replaced entry's row is gone.
    assert_eq!(env.count(&app.tables().employee_rates).await, 5);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_and_org_versions_restore_as_replayed_after_every_event_kind() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = first_employee(app, "Ana").await;
    let idn = app.identity();
    let bob = idn
        .create_employee(&json!({"name": "Bob", "email": "bob@example.com"}), &actor)
        .await
        .unwrap();
    let top = id(&idn
        .create_team(&json!({"name": "Delivery"}), &actor)
        .await
        .unwrap());
    let other = id(&idn
        .create_team(&json!({"name": "Sales"}), &actor)
        .await
        .unwrap());
    let web = idn
        .create_team(&json!({"name": "Web", "parent_id": top}), &actor)
        .await
        .unwrap();
    let w = id(&web);
    restores(app, "team", &w, 1).await;
    let add = |emp: &str, role: &str, from: &str, to: Option<&str>| json!({"employee_id": emp, "role": role, "valid_from": from, "valid_to": to});
    // Members added in an order that is not their id or date order.
    let m1 = idn
        .add_team_member(&w, &add(&id(&bob), "member", "2025-11-01", None), &actor)
        .await
        .unwrap();
    restores(app, "team", &w, 2).await;
    idn.add_team_member(
        &w,
        &add(&id(&ana), "lead", "2026-01-01", Some("2026-02-28")),
        &actor,
    )
    .await
    .unwrap();
    restores(app, "team", &w, 3).await;
    idn.add_team_member(&w, &add(&id(&ana), "member", "2026-03-01", None), &actor)
        .await
        .unwrap();
    restores(app, "team", &w, 4).await;
    idn.move_team(&w, Some(&other), &actor).await.unwrap();
    restores(app, "team", &w, 5).await;
    idn.move_team(&w, None, &actor).await.unwrap();
    restores(app, "team", &w, 6).await;
    let bob_membership = m1["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["employee_id"] == bob["id"])
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    idn.remove_team_member(
        &w,
        &bob_membership,
        &json!({"valid_to": "2026-02-15"}),
        &actor,
    )
    .await
    .unwrap();
    restores(app, "team", &w, 7).await;

    // Org-structure versions: one published at once, one scheduled then published by the
    // job runner; each snapshot is built from the teams' state rows.
    let now = env.clock.now();
    let v1 = idn
        .publish_org_structure(
            &json!({"effective_at": now.to_rfc3339(), "note": "now"}),
            &actor,
        )
        .await
        .unwrap();
    restores(app, "org_structure", &id(&v1), 1).await;
    let v2 = idn
        .publish_org_structure(
            &json!({"effective_at": (now + Duration::hours(1)).to_rfc3339(), "note": " later "}),
            &actor,
        )
        .await
        .unwrap();
    restores(app, "org_structure", &id(&v2), 1).await;
    env.clock.advance(Duration::hours(2));
    app.run_jobs(&json!({})).await.unwrap();
    restores(app, "org_structure", &id(&v2), 2).await;

    // Archiving needs no current or upcoming members: end the remaining ones first.
    let team = idn.get_team(&w).await.unwrap();
    for m in team["members"].as_array().unwrap() {
        if m["valid_to"].is_null() {
            idn.remove_team_member(
                &w,
                m["id"].as_str().unwrap(),
                &json!({"valid_to": "2026-03-01"}),
                &actor,
            )
            .await
            .unwrap();
        }
    }
    idn.archive_team(&w, &actor).await.unwrap();
    restores(app, "team", &w, 9).await;
    let seen = crate::every_aggregate_restores_as_replayed(&env).await;
    assert!(
        seen.contains("team") && seen.contains("org_structure"),
        "{seen:?}"
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_restore_as_replayed_after_every_event_kind() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = first_employee(app, "Ana").await;
    let idn = app.identity();
    let c = id(&idn
        .create_customer(&json!({"name": "Acme Ltd"}), &actor)
        .await
        .unwrap());
    restores(app, "customer", &c, 1).await;
    let contacts = [
        json!({"name": "Zoe"}),
        json!({"name": "Adam", "email": "ADAM@acme.test"}),
        json!({"name": "Mia", "phone": "+44 20 7946 0000"}),
        json!({"name": "Bo", "email": "bo@acme.test", "phone": "123"}),
    ];
    for (i, contact) in contacts.iter().enumerate() {
        idn.add_contact(&c, contact, &actor).await.unwrap();
        restores(app, "customer", &c, i as u64 + 2).await;
    }
    let archived = idn.archive_customer(&c, &actor).await.unwrap();
    restores(app, "customer", &c, 6).await;
    // The read view is the command's view: contacts in the order they were added.
    assert_eq!(idn.get_customer(&c).await.unwrap(), archived);
    let names: Vec<&str> = archived["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Zoe", "Adam", "Mia", "Bo"]);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_restore_as_replayed_after_every_event_kind() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = first_employee(app, "Ana").await;
    let bob = app
        .identity()
        .create_employee(&json!({"name": "Bob", "email": "bob@example.com"}), &actor)
        .await
        .unwrap();
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme Ltd"}), &actor)
        .await
        .unwrap();
    let sales = app.commercial();
    sales
        .publish_lead_schema(
            &json!({"fields": [
                {"key": "employees", "label": "Employees", "type": "number"},
                {"key": "industry", "label": "Industry", "type": "select", "options": ["Retail", "Finance"]},
            ]}),
            &actor,
        )
        .await
        .unwrap();
    // One lead goes new → updated → contacted → qualified → archived…
    let lead = sales
        .create_lead(
            &json!({"customer_name": "Newco", "source": "website", "custom_fields": {"employees": 40}}),
            &actor,
        )
        .await
        .unwrap();
    let l = id(&lead);
    restores(app, "lead", &l, 1).await;
    let updates = [
        json!({"customer_id": id(&acme)}),
        json!({"source": "referral", "owner_id": id(&bob)}),
        json!({"custom_fields": {"employees": 12, "industry": "Finance"}}),
        json!({"customer_name": "Other Co"}),
        json!({"custom_fields": []}),
    ];
    let mut version = 1;
    for u in &updates {
        sales.update_lead(&l, u, &actor).await.unwrap();
        version += 1;
        restores(app, "lead", &l, version).await;
    }
    sales
        .contact_lead(&l, &json!({"note": "called"}), &actor)
        .await
        .unwrap();
    restores(app, "lead", &l, version + 1).await;
    sales
        .qualify_lead(
            &l,
            &json!({"need": "a new site", "authority": "CTO", "timeline": "Q3",
                    "budget": {"amount": "1200.50", "currency": "EUR"}, "notes": "keen"}),
            &actor,
        )
        .await
        .unwrap();
    restores(app, "lead", &l, version + 2).await;
    let archived = sales.archive_lead(&l, &actor).await.unwrap();
    restores(app, "lead", &l, version + 3).await;
    // The read view is restored from the state rows and equals the command's view.
    assert_eq!(sales.get_lead(&l).await.unwrap(), archived);

    // …another is disqualified (without contact) and archived.
    let other = id(&sales
        .create_lead(&json!({"customer_id": id(&acme), "source": "fair"}), &actor)
        .await
        .unwrap());
    sales
        .disqualify_lead(&other, &json!({"reason": "no budget"}), &actor)
        .await
        .unwrap();
    restores(app, "lead", &other, 2).await;
    sales.archive_lead(&other, &actor).await.unwrap();
    restores(app, "lead", &other, 3).await;
    assert!(matches!(
        sales.get_lead(&uuid::Uuid::now_v7().to_string()).await,
        Err(AppError::NotFound(_))
    ));
    env.cleanup().await;
}

/// Regression: a command waiting for another's lock on the same aggregate must load what
/// that one committed (its transaction's snapshot may be older): concurrent rate changes
/// and contacts all land, and the restore still equals the replay.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_commands_on_one_aggregate_each_load_the_last_commit() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = first_employee(app, "Ana").await;
    let customer = id(&app
        .identity()
        .create_customer(&json!({"name": "Acme Ltd"}), &actor)
        .await
        .unwrap());
    let mut handles = Vec::new();
    for i in 0..12 {
        let (app, actor, ana, customer) = (app.clone(), actor.clone(), id(&ana), customer.clone());
        handles.push(tokio::spawn(async move {
            let rate = json!({"kind": "cost", "amount_minor": 1000 + i, "currency": "EUR",
                              "effective_from": format!("2026-01-{:02}", i + 1)});
            let r = app
                .identity()
                .change_employee_rate(&ana, &rate, &actor)
                .await;
            let c = app
                .identity()
                .add_contact(&customer, &json!({"name": format!("Contact {i}")}), &actor)
                .await;
            (r.map(|_| ()), c.map(|_| ()))
        }));
    }
    let mut ok = (0, 0);
    for h in handles {
        let (r, c) = h.await.unwrap();
        for (res, n) in [(r, &mut ok.0), (c, &mut ok.1)] {
            match res {
                Ok(()) => *n += 1,
                // A conflict is allowed (lock contention beyond the retries) but nothing else.
                Err(AppError::Conflict(_)) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
    }
    assert!(ok.0 > 0 && ok.1 > 0, "{ok:?}");
    restores(app, "employee", &id(&ana), 1 + ok.0).await;
    restores(app, "customer", &customer, 1 + ok.1).await;
    env.cleanup().await;
}

/// Migration 0014 fills the new columns of rows made before it from the event log: zero
/// them (as the ALTERs leave old rows), run its UPDATEs again, and every aggregate still
/// restores as replayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0014_fills_old_rows_from_the_log() {
    use mysql_async::prelude::*;
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (ana, actor) = first_employee(app, "Ana").await;
    let idn = app.identity();
    let c = id(&idn
        .create_customer(&json!({"name": "Acme Ltd"}), &actor)
        .await
        .unwrap());
    let t = id(&idn
        .create_team(&json!({"name": "Web"}), &actor)
        .await
        .unwrap());
    for i in 0..3 {
        idn.add_contact(&c, &json!({"name": format!("C{i}")}), &actor)
            .await
            .unwrap();
        let from = format!("2026-0{}-01", 3 - i);
        idn.add_team_member(
            &t,
            &json!({"employee_id": id(&ana), "role": "member", "valid_from": from, "valid_to": from}),
            &actor,
        )
        .await
        .unwrap();
    }
    let future = env.clock.now() + Duration::days(1);
    let v = id(&idn
        .publish_org_structure(&json!({"effective_at": future.to_rfc3339()}), &actor)
        .await
        .unwrap());
    env.clock.advance(Duration::days(2));
    app.run_jobs(&json!({})).await.unwrap();
    let tables = app.tables();
    let mut conn = env.pool().get_conn().await.unwrap();
    rerun_backfill(
        &mut conn,
        &tables.prefix,
        &[
            format!("UPDATE {} SET added_version = 0", tables.contacts),
            format!("UPDATE {} SET added_version = 0", tables.memberships),
            format!("UPDATE {} SET version = 1", tables.org_versions),
        ],
        include_str!("../../../migrations/0014_restore_from_state_rows.sql"),
        3,
    )
    .await;
    // Each row has the version of the event that added it (ids alone would give the
    // same order here: they were made one after the other).
    for table in [&tables.contacts, &tables.memberships] {
        let versions: Vec<u64> = conn
            .query(format!("SELECT added_version FROM {table} ORDER BY id"))
            .await
            .unwrap();
        assert_eq!(versions, [2, 3, 4], "{table}");
    }
    drop(conn);
    restores(app, "customer", &c, 4).await;
    restores(app, "team", &t, 4).await;
    restores(app, "org_structure", &v, 2).await;
    env.cleanup().await;
}

/// A customer keeps the count of its contacts, not the contacts: its view carries the first
/// 20 (oldest first) and the exact count, a list row the first three, and `list_contacts`
/// pages through all of them (keyset pages: none repeated or skipped, also while contacts
/// are added between pages) and searches them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_contacts_are_a_flat_list_of_their_own() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = first_employee(app, "Ana").await;
    let idn = app.identity();
    let c = id(&idn
        .create_customer(&json!({"name": "Busy Ltd"}), &actor)
        .await
        .unwrap());
    let mut names = Vec::new();
    let mut last = Value::Null;
    for i in 0..25 {
        let name = format!("Person {i:02}");
        let email = format!("p{i}@{}.test", if i % 5 == 0 { "zebra" } else { "busy" });
        last = idn
            .add_contact(&c, &json!({"name": name, "email": email}), &actor)
            .await
            .unwrap();
        names.push(name);
    }
    restores(app, "customer", &c, 26).await;
    let view = idn.get_customer(&c).await.unwrap();
    assert_eq!(view, last, "the command's view is the read view");
    assert_eq!(view["contact_count"], json!(25));
    let shown: Vec<&str> = view["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        names[..20].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let row = idn
        .list_customers(&json!({"search": "Busy"}))
        .await
        .unwrap();
    assert_eq!(row["items"][0]["contact_count"], json!(25));
    assert_eq!(row["items"][0]["contacts"].as_array().unwrap().len(), 3);
    assert_eq!(row["items"][0]["contacts"][2]["name"], json!("Person 02"));

    // Page through 10 at a time, adding a contact between pages.
    let mut seen = Vec::new();
    let mut query = json!({"per_page": 10});
    for extra in 0.. {
        let page = idn.list_contacts(&c, &query).await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["name"].as_str().unwrap().to_owned());
        }
        let Some(next) = page["next"].as_str() else {
            break;
        };
        idn.add_contact(&c, &json!({"name": format!("Late {extra}")}), &actor)
            .await
            .unwrap();
        query = json!({"per_page": 10, "after": next});
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a contact repeated: {seen:?}");
    assert_eq!(seen[..25], names[..], "in the order added, none skipped");
    assert!(
        seen.len() > 25,
        "contacts added behind the cursor are reached"
    );

    let zebra = idn
        .list_contacts(&c, &json!({"search": "zebra"}))
        .await
        .unwrap();
    let found: Vec<&str> = zebra["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        [
            "Person 20",
            "Person 15",
            "Person 10",
            "Person 05",
            "Person 00"
        ]
    );
    assert!(matches!(
        idn.list_contacts(&uuid::Uuid::now_v7().to_string(), &json!({}))
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        idn.list_contacts(&c, &json!({"per_page": "x"})).await,
        Err(AppError::Validation(_))
    ));
    env.cleanup().await;
}

/// Migration 0016 counts the contacts of customers and the quotes of opportunities made
/// before it: zero the counts (as the ALTERs leave old rows), run its UPDATEs again, and
/// they restore as replayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_0016_counts_old_customers_contacts() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (_, actor) = first_employee(app, "Ana").await;
    let idn = app.identity();
    let mut customers = Vec::new();
    for n in 0..3 {
        let c = id(&idn
            .create_customer(&json!({"name": format!("Old {n}")}), &actor)
            .await
            .unwrap());
        for i in 0..n {
            idn.add_contact(&c, &json!({"name": format!("C{i}")}), &actor)
                .await
                .unwrap();
        }
        customers.push((c, n));
    }
    let opp =
        crate::flat_commercial_tests::opportunity(app, &env.clock, &actor, "Old", "2030-01-01")
            .await;
    for i in 0..3 {
        crate::flat_commercial_tests::quote(app, &env.clock, &actor, &opp, &format!("Q{i}")).await;
    }
    let tables = app.tables();
    let mut conn = env.pool().get_conn().await.unwrap();
    rerun_backfill(
        &mut conn,
        &tables.prefix,
        &[
            format!("UPDATE {} SET contact_count = 0", tables.customers),
            format!(
                "UPDATE {}pet_opportunities SET quote_count = 0",
                tables.prefix
            ),
        ],
        include_str!("../../../migrations/0016_flat_busy_aggregates.sql"),
        2,
    )
    .await;
    drop(conn);
    assert!(app.verify_restore("opportunity", &opp).await.is_ok());
    let view = app.commercial().get_opportunity(&opp).await.unwrap();
    assert_eq!(view["quote_count"], json!(3));
    for (c, n) in customers {
        restores(app, "customer", &c, 1 + n).await;
        assert_eq!(
            idn.get_customer(&c).await.unwrap()["contact_count"],
            json!(n)
        );
    }
    env.cleanup().await;
}
