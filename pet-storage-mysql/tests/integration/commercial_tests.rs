//! Integration tests of the commercial pipeline (leads, quotes, sales) against MariaDB:
//! the whole flow, bad input writing nothing, one sale under concurrent acceptance, the
//! expiry job expiring each sent version exactly once, and quote state restored from rows
//! equal to the state replayed from events.

use chrono::Duration;
use mysql_async::prelude::*;
use pet_core::commercial::{quote, QuoteEvent, QuoteId};
use pet_storage_mysql::{App, AppError, CommandContext};
use serde_json::{json, Value};

use crate::{env, Env};

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn events(env: &Env) -> u64 {
    env.count(&format!("{}pet_domain_events", env.config.prefix))
        .await
}

pub(crate) async fn count_type(env: &Env, event_type: &str) -> u64 {
    let mut c = env.pool().get_conn().await.unwrap();
    let n: Option<u64> = c
        .exec_first(
            format!(
                "SELECT COUNT(*) FROM {}pet_domain_events WHERE event_type = ?",
                env.config.prefix
            ),
            (event_type,),
        )
        .await
        .unwrap();
    n.unwrap()
}

/// An employee (the actor), a customer, a published schema and a qualified lead with an
/// open opportunity. Returns (actor, customer id, opportunity id).
pub(crate) async fn pipeline(app: &App) -> (CommandContext, String, String) {
    let (_, actor) = crate::first_employee(app, "Ana").await;
    let acme = app
        .identity()
        .create_customer(&json!({"name": "Acme"}), &actor)
        .await
        .unwrap();
    app.commercial().publish_lead_schema(
        &json!({"fields": [
            {"key": "employees", "label": "Employees", "type": "number", "required": true},
            {"key": "industry", "label": "Industry", "type": "select", "options": ["Retail", "Finance"]},
        ]}),
        &actor,
    )
    .await
    .unwrap();
    let lead = app
        .commercial().create_lead(
            &json!({"customer_id": id(&acme), "source": "website", "custom_fields": {"employees": 40}}),
            &actor,
        )
        .await
        .unwrap();
    app.commercial()
        .contact_lead(&id(&lead), &json!({"note": "call"}), &actor)
        .await
        .unwrap();
    app.commercial()
        .qualify_lead(&id(&lead), &json!({"need": "Relaunch"}), &actor)
        .await
        .unwrap();
    let opp = app
        .commercial()
        .create_opportunity(
            &json!({"lead_id": id(&lead), "title": "Relaunch",
                    "expected_value": {"amount_minor": 1_000_000, "currency": "EUR"},
                    "expected_close": "2026-06-30"}),
            &actor,
        )
        .await
        .unwrap();
    (actor, id(&acme), id(&opp))
}

pub(crate) fn two_groups(hours: i64) -> Value {
    json!({"groups": [
        {"title": "Build", "lines": [
            {"kind": "labour", "role": "Developer", "description": "Development", "quantity": hours * 60,
             "unit_price_minor": 12_000, "tax_rate_bp": 2000},
            {"kind": "fixed_fee", "description": "Project management", "quantity": 1,
             "unit_price_minor": 150_000, "discount": {"type": "percent", "basis_points": 1000}, "tax_rate_bp": 2000},
        ]},
        {"title": "Care plan", "optional": true, "lines": [
            {"kind": "recurring", "interval": "monthly", "description": "Hosting", "quantity": 1,
             "unit_price_minor": 9_900, "tax_rate_bp": 2000},
        ]},
    ]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leads_schema_versions_and_bad_custom_fields() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, acme, _) = pipeline(app).await;
    let before = events(&env).await;
    // Unknown field, wrong type, missing required: validation errors naming the field; nothing written.
    for (values, field) in [
        (
            json!({"employees": 5, "colour": "red"}),
            "custom_fields.colour",
        ),
        (json!({"employees": "many"}), "custom_fields.employees"),
        (json!({"industry": "Retail"}), "custom_fields.employees"),
        (
            json!({"employees": 5, "industry": "Mining"}),
            "custom_fields.industry",
        ),
    ] {
        let err = app
            .commercial()
            .create_lead(
                &json!({"customer_id": acme, "source": "web", "custom_fields": values}),
                &actor,
            )
            .await
            .unwrap_err();
        match err {
            AppError::Validation(f) => {
                assert!(f.iter().any(|(k, _)| k == field), "{field}: {f:?}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(events(&env).await, before);
    let old = app
        .commercial().create_lead(
            &json!({"customer_name": "Newco", "source": "referral", "custom_fields": {"employees": 7, "industry": "Finance"}}),
            &actor,
        )
        .await
        .unwrap();
    // Version 2 changes the type of `employees`; the old lead stays readable by version 1.
    let v2 = app
        .commercial().publish_lead_schema(
            &json!({"fields": [{"key": "employees", "label": "Headcount band", "type": "select", "options": ["1-10", "11+"]}]}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(v2["number"], json!(2));
    let read = app.commercial().get_lead(&id(&old)).await.unwrap();
    assert_eq!(read["schema_version"], json!(1));
    assert_eq!(read["custom_fields"][0]["type"], json!("number"));
    assert_eq!(read["custom_fields"][0]["display"], json!("7"));
    assert_eq!(read["custom_fields"][1]["display"], json!("Finance"));
    // Updating the old lead is checked against its own version 1.
    let upd = app
        .commercial()
        .update_lead(
            &id(&old),
            &json!({"custom_fields": {"employees": 9}}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(upd["custom_values"], json!({"employees": 9}));
    // New leads use version 2.
    let new = app
        .commercial().create_lead(
            &json!({"customer_name": "Other", "source": "referral", "custom_fields": {"employees": "11+"}}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(new["schema_version"], json!(2));
    // PHP's empty array arrives as an empty list: no values on create, all cleared on update.
    let empty = app
        .commercial()
        .create_lead(
            &json!({"customer_name": "Blank", "source": "event", "custom_fields": []}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(empty["custom_values"], json!({}));
    let cleared = app
        .commercial()
        .update_lead(&id(&new), &json!({"custom_fields": []}), &actor)
        .await
        .unwrap();
    assert_eq!(cleared["custom_values"], json!({}), "[] clears every value");
    assert!(matches!(
        app.commercial()
            .update_lead(&id(&new), &json!({"custom_fields": [1]}), &actor)
            .await,
        Err(AppError::Validation(_))
    ));
    app.commercial()
        .update_lead(
            &id(&new),
            &json!({"custom_fields": {"employees": "11+"}}),
            &actor,
        )
        .await
        .unwrap();
    let versions = app.commercial().list_lead_schema_versions().await.unwrap();
    assert_eq!(versions["total"], json!(2));
    // Lists: filters and search.
    let list = app
        .commercial()
        .list_leads(&json!({"source": "referral"}))
        .await
        .unwrap();
    assert_eq!(list["total"], json!(2));
    let list = app
        .commercial()
        .list_leads(&json!({"search": "newc"}))
        .await
        .unwrap();
    assert_eq!(list["total"], json!(1));
    let list = app
        .commercial()
        .list_leads(&json!({"status": "qualified"}))
        .await
        .unwrap();
    assert_eq!(list["total"], json!(1));
    assert!(app
        .commercial()
        .list_leads(&json!({"status": "nope"}))
        .await
        .is_err());
    // Disqualify needs a reason; a new lead can be disqualified.
    assert!(matches!(
        app.commercial()
            .disqualify_lead(&id(&new), &json!({}), &actor)
            .await,
        Err(AppError::Validation(_))
    ));
    let d = app
        .commercial()
        .disqualify_lead(&id(&new), &json!({"reason": "no budget"}), &actor)
        .await
        .unwrap();
    assert_eq!(d["status"], json!("disqualified"));
    // An opportunity from the qualified lead about a new company creates the customer.
    app.commercial()
        .contact_lead(&id(&old), &json!({}), &actor)
        .await
        .unwrap();
    app.commercial()
        .qualify_lead(
            &id(&old),
            &json!({"need": "CRM", "budget": {"amount_minor": 500_000, "currency": "EUR"}}),
            &actor,
        )
        .await
        .unwrap();
    let opp = app
        .commercial().create_opportunity(
            &json!({"lead_id": id(&old), "title": "CRM",
                    "expected_value": {"amount_minor": 400_000, "currency": "EUR"}, "expected_close": "2026-05-01"}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(opp["customer_name"], json!("Newco"));
    let lead = app.commercial().get_lead(&id(&old)).await.unwrap();
    assert_eq!(lead["customer_id"], opp["customer_id"]);
    // Opportunities only from qualified leads.
    let err = app
        .commercial().create_opportunity(
            &json!({"lead_id": id(&new), "title": "X",
                    "expected_value": {"amount_minor": 1, "currency": "EUR"}, "expected_close": "2026-05-01"}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    let pipe = app.commercial().opportunity_pipeline().await.unwrap();
    assert_eq!(pipe["stages"][0]["status"], json!("open"));
    assert_eq!(pipe["stages"][0]["count"], json!(2));
    assert_eq!(
        pipe["stages"][0]["expected_value"][0]["amount_minor"],
        json!(1_400_000)
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quote_flow_send_revise_supersede_accept_records_one_sale() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, _, opp) = pipeline(app).await;
    let q = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), &actor)
        .await
        .unwrap();
    assert_eq!(q["reference"], json!("Q-1"));
    assert_eq!(q["currency"], json!("EUR"));
    let opp_now = app.commercial().get_opportunity(&opp).await.unwrap();
    assert_eq!(opp_now["status"], json!("quoting"));
    let qid = id(&q);
    // Bad lines: negative quantity, currency mismatch; nothing written.
    let before = events(&env).await;
    let err = app
        .commercial().save_quote_draft(
            &qid,
            &json!({"groups": [{"title": "A", "lines": [{"kind": "product", "description": "x", "quantity": -1, "unit_price_minor": 5}]}]}),
            &actor,
        )
        .await
        .unwrap_err();
    match err {
        AppError::Validation(f) => assert!(
            f.iter().any(|(k, _)| k == "groups.0.lines.0.quantity"),
            "{f:?}"
        ),
        other => panic!("{other:?}"),
    }
    let err = app
        .commercial().save_quote_draft(
            &qid,
            &json!({"groups": [{"title": "A", "lines": [{"kind": "product", "description": "x", "quantity": 1, "unit_price_minor": 5, "currency": "USD"}]}]}),
            &actor,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    assert_eq!(events(&env).await, before);
    // Version 1: two groups, totals from the engine.
    app.commercial()
        .save_quote_draft(&qid, &two_groups(40), &actor)
        .await
        .unwrap();
    let v1 = app
        .commercial()
        .get_quote_version(&qid, Some(1))
        .await
        .unwrap();
    // 40 h × 120.00 = 4800.00; fee 1500.00 − 10 % = 1350.00; tax 20 % of 6150.00 = 1230.00.
    assert_eq!(v1["totals"]["subtotal_minor"], json!(630_000));
    assert_eq!(v1["totals"]["discount_minor"], json!(15_000));
    assert_eq!(v1["totals"]["tax_minor"], json!(123_000));
    assert_eq!(v1["totals"]["total_minor"], json!(738_000));
    assert_eq!(v1["totals"]["optional_total_minor"], json!(11_880));
    let sent = app
        .commercial()
        .send_quote(&qid, &json!({"valid_until": "2026-03-31"}), &actor)
        .await
        .unwrap();
    assert_eq!(sent["versions"][0]["status"], json!("sent"));
    let hash1 = sent["versions"][0]["content_hash"].clone();
    // A sent version takes no edits.
    assert!(matches!(
        app.commercial()
            .save_quote_draft(&qid, &two_groups(41), &actor)
            .await,
        Err(AppError::Invariant(_))
    ));
    // Version 2: revise and send; version 1 is superseded, its hash unchanged.
    let v2 = app
        .commercial()
        .draft_quote_version(&qid, &actor)
        .await
        .unwrap();
    assert_eq!(v2["draft_version"], json!(2));
    let mut content = app
        .commercial()
        .get_quote_version(&qid, Some(2))
        .await
        .unwrap();
    content["groups"][0]["lines"][0]["quantity"] = json!(50 * 60);
    app.commercial()
        .save_quote_draft(&qid, &content, &actor)
        .await
        .unwrap();
    let diff = app
        .commercial()
        .diff_quote_versions(&qid, 1, 2)
        .await
        .unwrap();
    assert_eq!(diff["groups"][0]["change"], json!("changed"));
    assert_eq!(diff["groups"][0]["lines"][0]["change"], json!("changed"));
    assert_eq!(diff["groups"][0]["lines"][1]["change"], json!("same"));
    assert_eq!(diff["groups"][1]["change"], json!("same"));
    let sent2 = app
        .commercial()
        .send_quote(&qid, &json!({"valid_until": "2026-03-31"}), &actor)
        .await
        .unwrap();
    assert_eq!(sent2["versions"][0]["status"], json!("superseded"));
    assert_eq!(sent2["versions"][0]["superseded_by"], json!(2));
    assert_eq!(sent2["versions"][0]["content_hash"], hash1);
    // Accepting the superseded version is refused, nothing written.
    let before = events(&env).await;
    let err = app
        .commercial()
        .accept_quote(&qid, &json!({"version": 1}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    assert_eq!(events(&env).await, before);
    // Accept version 2 with the optional group: one sale, the opportunity won.
    let care = content["groups"][1]["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let accepted = app
        .commercial()
        .accept_quote(
            &qid,
            &json!({"version": 2, "signed_by": "Carla CEO", "optional_groups": [care]}),
            &actor,
        )
        .await
        .unwrap();
    assert_eq!(accepted["quote"]["status"], json!("accepted"));
    let sale = &accepted["sale"];
    assert_eq!(
        sale["labour"],
        json!([{"role": "Developer", "minutes": 3000}])
    );
    assert_eq!(sale["fees"].as_array().unwrap().len(), 2);
    // 50 h: 6000.00 + 1350.00 + 99.00 = 7449.00 net; + 20 % = 8938.80.
    assert_eq!(sale["totals"]["total_minor"], json!(893_880));
    assert_eq!(
        app.commercial()
            .get_sale(sale["id"].as_str().unwrap())
            .await
            .unwrap(),
        *sale
    );
    let opp_now = app.commercial().get_opportunity(&opp).await.unwrap();
    assert_eq!(opp_now["status"], json!("won"));
    assert_eq!(opp_now["sale_id"], sale["id"]);
    assert_eq!(
        env.count(&format!("{}pet_sales", env.config.prefix)).await,
        1
    );
    assert_eq!(
        env.count(&format!("{}pet_quote_lines", env.config.prefix))
            .await,
        6
    );
    // A second acceptance is a conflict; a replay with the same key is the first result.
    let again = app
        .commercial()
        .accept_quote(&qid, &json!({"version": 2}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(again, AppError::Conflict(_)), "{again:?}");
    // Lists.
    let list = app
        .commercial()
        .list_quotes(&json!({"search": "Q-1"}))
        .await
        .unwrap();
    assert_eq!(list["total"], json!(1));
    assert_eq!(list["items"][0]["status"], json!("accepted"));
    let list = app
        .commercial()
        .list_quotes(&json!({"status": "draft"}))
        .await
        .unwrap();
    assert_eq!(list["total"], json!(0));
    // The trail is in the activity feed.
    let feed = app.activity(&json!({"per_page": 100})).await.unwrap();
    let lines: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["line"].as_str().unwrap())
        .collect();
    for t in [
        "sale.recorded",
        "quote.accepted",
        "quote.superseded",
        "opportunity.won",
    ] {
        assert!(
            feed["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["event_type"] == json!(t)),
            "{t}: {lines:?}"
        );
    }
    // State restored from rows equals the state replayed from the events.
    let mut c = env.pool().get_conn().await.unwrap();
    let recorded = app
        .store()
        .read_aggregate(&mut c, "quote", qid.parse().unwrap())
        .await
        .unwrap();
    let evs: Vec<QuoteEvent> = recorded
        .iter()
        .map(|r| {
            QuoteEvent::from_stored(
                r.event.event_type().as_str(),
                r.event.schema_version(),
                r.event.payload(),
            )
            .unwrap()
        })
        .collect();
    let replayed = quote::replay(&evs).unwrap();
    assert_eq!(replayed.id(), QuoteId::from_uuid(qid.parse().unwrap()));
    let restored = app.commercial().get_quote(&qid).await.unwrap();
    assert_eq!(restored["version"], json!(replayed.version()));
    assert_eq!(
        restored["versions"].as_array().unwrap().len(),
        replayed.versions().len()
    );
    for (r, v) in restored["versions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(replayed.versions())
    {
        assert_eq!(r["status"], json!(v.status().as_str()));
        assert_eq!(
            r["content_hash"],
            json!(v.sent().map(|s| s.content_hash.clone()))
        );
    }
    drop(c);
    let restored = crate::every_aggregate_restores_as_replayed(&env).await;
    for kind in ["lead_schema", "lead", "opportunity", "quote", "customer"] {
        assert!(restored.contains(kind), "no {kind} checked: {restored:?}");
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_acceptances_record_exactly_one_sale() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, _, opp) = pipeline(app).await;
    let q = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), &actor)
        .await
        .unwrap();
    let qid = id(&q);
    app.commercial()
        .save_quote_draft(&qid, &two_groups(10), &actor)
        .await
        .unwrap();
    app.commercial()
        .send_quote(&qid, &json!({"valid_until": "2026-04-30"}), &actor)
        .await
        .unwrap();
    // Eight browsers click "accept" at once.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, qid, actor) = (app.clone(), qid.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            app.commercial()
                .accept_quote(&qid, &json!({"version": 1}), &actor)
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => {
                ok += 1;
                assert_eq!(v["quote"]["status"], json!("accepted"));
            }
            Err(AppError::Conflict(m)) => assert!(!m.is_empty()),
            Err(other) => panic!("expected a conflict, got {other:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(
        env.count(&format!("{}pet_sales", env.config.prefix)).await,
        1
    );
    assert_eq!(count_type(&env, "sale.recorded").await, 1);
    assert_eq!(count_type(&env, "quote.accepted").await, 1);
    assert_eq!(count_type(&env, "opportunity.won").await, 1);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expiry_job_expires_each_sent_version_exactly_once() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, _, opp) = pipeline(app).await;
    let mut quotes = Vec::new();
    for _ in 0..3 {
        let q = app
            .commercial()
            .create_quote(&json!({"opportunity_id": opp}), &actor)
            .await
            .unwrap();
        let qid = id(&q);
        app.commercial()
            .save_quote_draft(&qid, &two_groups(1), &actor)
            .await
            .unwrap();
        quotes.push(qid);
    }
    // Valid until today (2026-03-02) for two, a week for the third.
    for (qid, until) in quotes
        .iter()
        .zip(["2026-03-02", "2026-03-02", "2026-03-09"])
    {
        app.commercial()
            .send_quote(qid, &json!({"valid_until": until}), &actor)
            .await
            .unwrap();
    }
    // Not due yet today.
    app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(count_type(&env, "quote.expired").await, 0);
    // Two days later: the two expire, once each, however often the jobs and the sweep run.
    env.clock.advance(Duration::days(2));
    app.run_jobs(&json!({})).await.unwrap();
    app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(
        app.commercial().expire_due_quotes().await.unwrap()["expired"],
        json!(0)
    );
    assert_eq!(count_type(&env, "quote.expired").await, 2);
    let q0 = app.commercial().get_quote(&quotes[0]).await.unwrap();
    assert_eq!(q0["versions"][0]["status"], json!("expired"));
    let err = app
        .commercial()
        .accept_quote(&quotes[0], &json!({"version": 1}), &actor)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invariant(_)), "{err:?}");
    // Concurrent sweeps after the third is due: one expiry event.
    env.clock.advance(Duration::days(7));
    let commercial = app.commercial();
    let (a, b) = tokio::join!(
        commercial.expire_due_quotes(),
        commercial.expire_due_quotes()
    );
    a.unwrap();
    b.unwrap();
    app.run_jobs(&json!({})).await.unwrap();
    assert_eq!(count_type(&env, "quote.expired").await, 3);
    let jobs = app.list_jobs(&json!({"status": "dead"})).await.unwrap();
    assert_eq!(jobs["total"], json!(0));
    env.cleanup().await;
}

fn field_error(r: Result<Value, AppError>, field: &str) -> String {
    match r {
        Err(AppError::Validation(f)) => f
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, m)| m.to_owned())
            .unwrap_or_else(|| panic!("no error on {field}: {f}")),
        other => panic!("{other:?}"),
    }
}

/// Amounts are typed in the quote's currency with its minor digits (JPY none, KWD three),
/// saved and previewed exactly, and every view shows them with those digits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jpy_and_kwd_quotes_use_their_minor_digits_and_preview_writes_nothing() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, _, opp) = pipeline(app).await;
    let jpy = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp, "currency": "JPY"}), &actor)
        .await
        .unwrap();
    let kwd = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp, "currency": "KWD"}), &actor)
        .await
        .unwrap();
    assert_eq!(jpy["minor_digits"], json!(0));
    assert_eq!(kwd["minor_digits"], json!(3));
    let (jid, kid) = (id(&jpy), id(&kwd));
    let line = |price: &str| {
        json!({"groups": [{"title": "Work", "lines": [
            {"kind": "fixed_fee", "description": "Setup", "quantity": 1, "unit_price": price},
        ]}]})
    };

    // Too many decimals for the currency: the field error says what is allowed; nothing written.
    let before = events(&env).await;
    let e = field_error(
        app.commercial()
            .save_quote_draft(&jid, &line("1235.5"), &actor)
            .await,
        "groups.0.lines.0.unit_price",
    );
    assert!(e.contains("JPY has no decimals"), "{e}");
    let e = field_error(
        app.commercial()
            .save_quote_draft(&kid, &line("1.2345"), &actor)
            .await,
        "groups.0.lines.0.unit_price",
    );
    assert!(e.contains("at most 3 decimals for KWD"), "{e}");
    let e = field_error(
        app.commercial()
            .preview_quote(&json!({"quote_id": kid, "groups": line("abc")["groups"]}))
            .await,
        "groups.0.lines.0.unit_price",
    );
    assert!(e.contains("like 85 or 85.555"), "{e}");

    // Preview: the engine's totals, nothing written (with the quote, or just a currency).
    let kwd_content = json!({"groups": [{"title": "Work", "lines": [
        {"kind": "fixed_fee", "description": "Setup", "quantity": 1, "unit_price": "1.235", "tax_rate_bp": 1000},
        {"kind": "product", "description": "Cable", "quantity": 2, "unit_price": "0,5",
         "discount": {"type": "amount", "amount": "0.005"}},
    ]}]});
    let mut with_id = kwd_content.clone();
    with_id["quote_id"] = json!(kid);
    let p = app.commercial().preview_quote(&with_id).await.unwrap();
    // 1.235 + 10 % tax (0.1235 → 0.124 half-up) = 1.359; 2 × 0.5 − 0.005 = 0.995.
    assert_eq!(p["totals"]["total_minor"], json!(2354));
    assert_eq!(p["totals"]["total"]["formatted"], json!("KWD 2.354"));
    assert_eq!(p["totals"]["total"]["amount"], json!("2.354"));
    assert_eq!(p["minor_digits"], json!(3));
    assert_eq!(
        p["groups"][0]["lines"][0]["totals"]["total"]["formatted"],
        json!("KWD 1.359")
    );
    let mut by_currency = kwd_content.clone();
    by_currency["currency"] = json!("KWD");
    assert_eq!(
        app.commercial().preview_quote(&by_currency).await.unwrap()["totals"],
        p["totals"]
    );
    let mut wrong = with_id.clone();
    wrong["currency"] = json!("EUR");
    field_error(app.commercial().preview_quote(&wrong).await, "currency");
    field_error(
        app.commercial().preview_quote(&json!({"groups": []})).await,
        "currency",
    );
    assert_eq!(
        events(&env).await,
        before,
        "errors and previews write nothing"
    );

    // Saved: the views carry the digits, the decimal and the formatted amount.
    let v = app
        .commercial()
        .save_quote_draft(&kid, &kwd_content, &actor)
        .await
        .unwrap();
    assert_eq!(v["versions"][0]["totals"]["total_minor"], json!(2354));
    let kv = app
        .commercial()
        .get_quote_version(&kid, Some(1))
        .await
        .unwrap();
    assert_eq!(kv["minor_digits"], json!(3));
    assert_eq!(kv["totals"]["total"]["formatted"], json!("KWD 2.354"));
    let l1 = &kv["groups"][0]["lines"][1];
    assert_eq!(l1["unit_price_minor"], json!(500));
    assert_eq!(l1["unit_price"], json!("0.500"));
    assert_eq!(l1["unit_price_formatted"], json!("KWD 0.500"));
    assert_eq!(l1["discount"]["amount_minor"], json!(5));
    assert_eq!(l1["discount"]["amount"], json!("0.005"));
    assert_eq!(l1["discount"]["type"], json!("amount"));
    assert_eq!(
        p["totals"], kv["totals"],
        "the preview equals the saved totals"
    );

    // JPY: whole yen, and the minor-unit input shape still works beside it.
    app.commercial()
        .save_quote_draft(
            &jid,
            &json!({"groups": [{"title": "Work", "lines": [
                {"kind": "fixed_fee", "description": "Setup", "quantity": 1, "unit_price": "1235"},
                {"kind": "product", "description": "Extra", "quantity": 1, "unit_price_minor": 100},
            ]}]}),
            &actor,
        )
        .await
        .unwrap();
    let jv = app
        .commercial()
        .get_quote_version(&jid, Some(1))
        .await
        .unwrap();
    assert_eq!(jv["minor_digits"], json!(0));
    assert_eq!(jv["totals"]["total_minor"], json!(1335));
    assert_eq!(jv["totals"]["total"]["formatted"], json!("JPY 1335"));
    assert_eq!(jv["groups"][0]["lines"][0]["unit_price"], json!("1235"));
    let list = app
        .commercial()
        .list_quotes(&json!({"opportunity_id": opp}))
        .await
        .unwrap();
    let row = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(jid))
        .unwrap();
    assert_eq!(row["total"]["formatted"], json!("JPY 1335"));
    assert_eq!(row["total"]["minor_digits"], json!(0));
    assert_eq!(row["minor_digits"], json!(0));

    // Sent and accepted: the sale's money carries the digits too.
    app.commercial()
        .send_quote(&jid, &json!({"valid_until": "2099-01-01"}), &actor)
        .await
        .unwrap();
    let r = app
        .commercial()
        .accept_quote(&jid, &json!({"version": 1, "signed_by": "Ken"}), &actor)
        .await
        .unwrap();
    assert_eq!(r["sale"]["total"]["formatted"], json!("JPY 1335"));
    assert_eq!(r["sale"]["fees"][0]["net"]["amount"], json!("1235"));

    // Other money inputs take decimals too: a rate and an opportunity's expected value.
    let emp = app
        .identity().create_employee(
            &json!({"name": "Ken", "email": "ken@example.com",
                    "bill_rate": {"amount": "12000", "currency": "JPY", "effective_from": "2024-01-01"}}),
            &actor,
        )
        .await
        .unwrap();
    let e = app.identity().get_employee(&id(&emp)).await.unwrap();
    assert_eq!(e["current_bill_rate"]["amount_minor"], json!(12000));
    assert_eq!(e["current_bill_rate"]["formatted"], json!("JPY 12000"));
    let e = field_error(
        app.identity().change_employee_rate(
            &id(&emp),
            &json!({"kind": "cost", "amount": "8.5", "currency": "JPY", "effective_from": "2024-01-01"}),
            &actor,
        )
        .await,
        "amount",
    );
    assert!(e.contains("no decimals"), "{e}");
    let o = app.commercial().get_opportunity(&opp).await.unwrap();
    assert_eq!(o["expected_value"]["formatted"], json!("EUR 10000.00"));
    env.cleanup().await;
}

/// Quote numbers come from migration 0023's sequence, drawn in the same round trip as the
/// opportunity: on a site migrated before 0023 whose counter had reached 41 they continue
/// at Q-42; an unknown opportunity draws none; the view `createQuote` answers (built from
/// what the command knows, without reading back) is the one `getQuote` reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quote_numbers_continue_from_the_counter_and_the_new_view_is_the_stored_one() {
    use pet_storage_mysql::migrate::{embedded, Migrator};
    use pet_storage_mysql::{AppParts, ManualClock, Tables};
    let Some(cfg) = crate::config().await else {
        return;
    };
    // The site as it was before 0023, its counter at 41.
    let pool = pet_storage_mysql::db::build_pool(&cfg);
    let tables = Tables::new(&cfg.prefix).unwrap();
    let before: Vec<_> = embedded()
        .into_iter()
        .filter(|m| m.version() < 23)
        .collect();
    Migrator::new(tables, before)
        .unwrap()
        .run(&pool, &cfg.database, crate::start_time())
        .await
        .unwrap();
    let mut c = pool.get_conn().await.unwrap();
    c.exec_drop(
        format!(
            "UPDATE {}pet_commercial_counters SET last_value = 41 WHERE name = 'quote_number'",
            cfg.prefix
        ),
        (),
    )
    .await
    .unwrap();
    drop(c);
    let clock = std::sync::Arc::new(ManualClock::new(crate::start_time()));
    let parts = AppParts {
        clock: clock.clone(),
        ..AppParts::default()
    };
    let app = App::with_parts(cfg.clone(), parts).unwrap();
    app.migrate().await.unwrap();
    let env = Env {
        app,
        clock,
        config: cfg,
    };
    let app = &env.app;
    let (actor, _, opp) = pipeline(app).await;
    let first = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), &actor)
        .await
        .unwrap();
    assert_eq!(first["reference"], json!("Q-42"));
    assert_eq!(
        first,
        app.commercial().get_quote(&id(&first)).await.unwrap()
    );
    let unknown = app
        .commercial()
        .create_quote(
            &json!({"opportunity_id": uuid::Uuid::now_v7().to_string()}),
            &actor,
        )
        .await;
    assert!(matches!(unknown, Err(AppError::NotFound(_))), "{unknown:?}");
    // The actor's status comes with the opportunity's row (one round trip): an unknown or
    // inactive employee is refused as before, also when the opportunity does not exist
    // either, and a system context without an employee is refused.
    let stranger = CommandContext::employee(uuid::Uuid::now_v7());
    let on_actor = |r: &Result<Value, AppError>| matches!(r, Err(AppError::Validation(e)) if e.to_string().contains("actor_id"));
    let r = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), &stranger)
        .await;
    assert!(on_actor(&r), "{r:?}");
    let r = app
        .commercial()
        .create_quote(
            &json!({"opportunity_id": uuid::Uuid::now_v7().to_string()}),
            &stranger,
        )
        .await;
    assert!(on_actor(&r), "the actor's refusal comes first: {r:?}");
    let r = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), &CommandContext::system())
        .await;
    assert!(on_actor(&r), "{r:?}");
    let leaver = app
        .identity()
        .create_employee(
            &json!({"name": "Leaver", "email": "leaver@example.com"}),
            &actor,
        )
        .await
        .unwrap();
    app.identity()
        .deactivate_employee(&id(&leaver), &actor)
        .await
        .unwrap();
    let gone = CommandContext::employee(id(&leaver).parse().unwrap());
    let r = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), &gone)
        .await;
    assert!(r.is_err(), "an inactive employee is refused: {r:?}");
    let second = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp, "title": "Option B"}), &actor)
        .await
        .unwrap();
    assert_eq!(
        second["reference"],
        json!("Q-43"),
        "nothing drawn for the refusal"
    );
    assert_eq!(
        second,
        app.commercial().get_quote(&id(&second)).await.unwrap()
    );
    env.cleanup().await;
}

/// Two salespeople (here eight browsers) create quotes on one opportunity at once: every
/// quote is made, each with its own number, and the opportunity counts them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quotes_created_at_once_on_one_opportunity_all_succeed() {
    let Some(env) = env().await else { return };
    let app = &env.app;
    let (actor, _, opp) = pipeline(app).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (app, opp, actor) = (app.clone(), opp.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            app.commercial()
                .create_quote(
                    &json!({"opportunity_id": opp, "title": format!("Option {i}")}),
                    &actor,
                )
                .await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        let q = t.await.unwrap().unwrap();
        numbers.push(q["number"].as_u64().unwrap());
    }
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 8, "{numbers:?}");
    assert_eq!(count_type(&env, "quote.created").await, 8);
    assert_eq!(count_type(&env, "opportunity.quoting_started").await, 8);
    let o = app.commercial().get_opportunity(&opp).await.unwrap();
    assert_eq!(o["quote_count"], json!(8), "{o}");
    env.cleanup().await;
}
