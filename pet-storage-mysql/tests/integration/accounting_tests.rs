//! Accounting against a real database and the QuickBooks Online stand-in
//! (`tests/qbo-standin/standin.py`, started per test): the outbox fed from the event log,
//! the push job through the `pet-qbo` adapter, and the faults — the job killed mid-push, the
//! same job replayed, a 500 after QBO accepted the write (with and without lagging
//! queries), 429 for more than a minute, an expired token — each ending with exactly one
//! invoice per sale in the stand-in and PET's events saying so; then reconciliation
//! (matched, mismatched with the field, missing) and the one-click re-push.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

use chrono::Duration;
use pet_core::accounting::{PushId, PushStatus, Reconciliation, SourceKind, SourceRef};
use pet_qbo::{QboClient, QboConfig};
use pet_storage_mysql::{App, CommandContext};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::commercial_tests::{count_type, id, pipeline, two_groups};
use crate::{env, Env};

/// The stand-in, stopped (by its own process id) when dropped.
struct Standin {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Standin {
    fn start() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/qbo-standin/standin.py"
        );
        let mut child = Command::new("python3")
            .arg(script)
            .arg("0")
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the stand-in");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().parse().unwrap();
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        }
    }

    async fn control(&self, what: &str, body: Value) -> Value {
        self.http
            .post(format!("{}/_control/{what}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn state(&self) -> Value {
        self.http
            .get(format!("{}/_control/state", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The live invoices (not deleted).
    async fn invoices(&self) -> Vec<Value> {
        let s = self.state().await;
        s["records"]["Invoice"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r.get("_deleted").is_none())
            .cloned()
            .collect()
    }

    async fn client(&self) -> QboClient {
        let t = self.control("issue_token", json!({})).await;
        QboClient::new(QboConfig {
            api_base: self.base.clone(),
            realm_id: "9130350000000001".into(),
            access_token: t["access_token"].as_str().unwrap().to_owned(),
            timeout: StdDuration::from_secs(10),
        })
        .unwrap()
    }
}

/// A sale: a quote for the pipeline's opportunity, sent and accepted. Returns the sale id.
async fn sale(app: &App, actor: &CommandContext, opp: &str) -> Uuid {
    let q = app
        .commercial()
        .create_quote(&json!({"opportunity_id": opp}), actor)
        .await
        .unwrap();
    let qid = id(&q);
    app.commercial()
        .save_quote_draft(&qid, &two_groups(10), actor)
        .await
        .unwrap();
    app.commercial()
        .send_quote(&qid, &json!({"valid_until": "2026-04-30"}), actor)
        .await
        .unwrap();
    let accepted = app
        .commercial()
        .accept_quote(&qid, &json!({"version": 1}), actor)
        .await
        .unwrap();
    Uuid::parse_str(accepted["quote"]["sale_id"].as_str().expect("the sale id")).unwrap()
}

fn sale_push(sale: Uuid) -> Uuid {
    PushId::for_source(SourceRef {
        kind: SourceKind::Sale,
        id: sale,
    })
    .as_uuid()
}

/// The environment with the customer already pushed: (env, stand-in, client, actor, sale).
async fn with_sale(
    script: Option<Value>,
) -> Option<(Env, Standin, QboClient, CommandContext, Uuid)> {
    let env = env().await?;
    let standin = Standin::start();
    let client = standin.client().await;
    let (actor, _customer, opp) = pipeline(&env.app).await;
    // The customer first (its own push), then the sale with the fault scripted.
    let r = env.app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(r.confirmed, 1, "{r:?}");
    let s = sale(&env.app, &actor, &opp).await;
    if let Some(faults) = script {
        standin.control("script", json!({ "faults": faults })).await;
    }
    Some((env, standin, client, actor, s))
}

async fn push_of(env: &Env, sale: Uuid) -> pet_core::accounting::Push {
    env.app
        .accounting()
        .get_push(sale_push(sale))
        .await
        .unwrap()
        .expect("the sale's push is queued")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_becomes_one_invoice_and_a_replayed_job_changes_nothing() {
    let Some((env, standin, client, _actor, s)) = with_sale(None).await else {
        return;
    };
    let app = &env.app;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.queued, r.sent, r.confirmed), (1, 1, 1), "{r:?}");
    let p = push_of(&env, s).await;
    assert_eq!(p.status, PushStatus::Confirmed);
    let inv = standin.invoices().await;
    assert_eq!(inv.len(), 1);
    assert_eq!(Some(inv[0]["Id"].as_str().unwrap()), p.remote_id.as_deref());
    // The sale's total to the minor unit: 10 h × 120.00 + 1,500.00 − 10 %, + 20 % tax.
    let total = (120_000 + 135_000) * 12 / 10;
    assert_eq!(inv[0]["TotalAmt"], json!(total as f64 / 100.0));
    // Replayed: the outbox reads nothing new, nothing is due, nothing is sent.
    let again = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((again.queued, again.sent), (0, 0), "{again:?}");
    // The outbox fed from the start again (a rebuilt checkpoint): the facts are known.
    let mut c = env.pool().get_conn().await.unwrap();
    use mysql_async::prelude::Queryable;
    c.exec_drop(
        format!(
            "UPDATE {}pet_projection_checkpoints SET last_sequence = 0 WHERE projection = 'accounting_outbox'",
            env.config.prefix
        ),
        (),
    )
    .await
    .unwrap();
    let rebuilt = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((rebuilt.queued, rebuilt.sent), (0, 0), "{rebuilt:?}");
    assert_eq!(standin.invoices().await.len(), 1);
    assert_eq!(count_type(&env, "accounting.push_queued").await, 2);
    assert_eq!(count_type(&env, "accounting.push_confirmed").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_500_after_qbo_accepted_is_found_by_look_up_not_posted_again() {
    let Some((env, standin, client, _actor, s)) =
        with_sale(Some(json!([{"status": 500, "count": 1, "accept": true}]))).await
    else {
        return;
    };
    let app = &env.app;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.failed, r.confirmed), (1, 1, 0), "{r:?}");
    assert_eq!(push_of(&env, s).await.status, PushStatus::Failed);
    assert_eq!(standin.invoices().await.len(), 1, "QBO accepted the write");
    // Not before the back-off.
    assert_eq!(
        app.accounting().run_push_with(&client).await.unwrap().sent,
        0
    );
    env.clock.advance(Duration::seconds(31));
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (0, 1), "found by look-up: {r:?}");
    let p = push_of(&env, s).await;
    assert_eq!(p.status, PushStatus::Confirmed);
    assert_eq!(standin.invoices().await.len(), 1);
    assert_eq!(count_type(&env, "accounting.push_failed").await, 1);
    assert_eq!(count_type(&env, "accounting.push_confirmed").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_500_after_accepting_with_lagging_queries_is_answered_by_the_request_id() {
    let Some((env, standin, client, _actor, s)) =
        with_sale(Some(json!([{"status": 503, "count": 1, "accept": true}]))).await
    else {
        return;
    };
    standin.control("config", json!({"query_lag": 3600})).await;
    let app = &env.app;
    app.accounting().run_push_with(&client).await.unwrap();
    env.clock.advance(Duration::seconds(31));
    // The look-up sees nothing yet; the resend carries the same requestid, which QBO
    // answers with the invoice it made.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (1, 1), "{r:?}");
    assert_eq!(standin.invoices().await.len(), 1);
    assert_eq!(
        standin.state().await["creates"],
        json!(2),
        "one customer, one invoice"
    );
    assert_eq!(push_of(&env, s).await.status, PushStatus::Confirmed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_killed_mid_push_is_looked_up_after_the_doubt_period() {
    // QBO makes the invoice, then the response hangs; the job is dropped meanwhile.
    let Some((env, standin, client, _actor, s)) = with_sale(Some(json!([
        {"status": 500, "count": 1, "accept": true, "hang": 3}
    ])))
    .await
    else {
        return;
    };
    let app = &env.app;
    let killed = tokio::time::timeout(
        StdDuration::from_millis(1500),
        app.accounting().run_push_with(&client),
    )
    .await;
    assert!(killed.is_err(), "the job was killed mid-push");
    let p = push_of(&env, s).await;
    assert_eq!(
        p.status,
        PushStatus::InFlight,
        "the send was recorded first"
    );
    assert_eq!(standin.invoices().await.len(), 1);
    // Run again at once: the push is in doubt only later (another runner may hold it).
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (0, 0), "{r:?}");
    env.clock.advance(Duration::seconds(121));
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (0, 1), "{r:?}");
    assert_eq!(standin.invoices().await.len(), 1);
    let p = push_of(&env, s).await;
    assert_eq!(p.status, PushStatus::Confirmed);
    assert_eq!(
        count_type(&env, "accounting.push_sent").await,
        2,
        "customer + invoice once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limits_for_over_a_minute_delay_the_push_and_never_double_it() {
    let Some((env, standin, client, _actor, s)) =
        with_sale(Some(json!([{"status": 429, "count": 4}]))).await
    else {
        return;
    };
    let app = &env.app;
    let mut minutes = 0;
    loop {
        let r = app.accounting().run_push_with(&client).await.unwrap();
        if r.confirmed == 1 {
            break;
        }
        assert!(r.rate_limited || r.sent == 0, "{r:?}");
        // Retry-After: 60 — not sent again before it.
        env.clock.advance(Duration::seconds(30));
        assert_eq!(
            app.accounting().run_push_with(&client).await.unwrap().sent,
            0
        );
        env.clock.advance(Duration::seconds(31));
        minutes += 1;
        assert!(minutes < 10, "never confirmed");
    }
    assert!(minutes >= 4);
    let p = push_of(&env, s).await;
    assert_eq!((p.status, p.failures), (PushStatus::Confirmed, 0));
    assert_eq!(standin.invoices().await.len(), 1);
    assert_eq!(count_type(&env, "accounting.push_failed").await, 4);
    assert_eq!(count_type(&env, "accounting.push_dead").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_token_stops_the_run_and_the_push_waits() {
    let Some((env, standin, client, _actor, s)) = with_sale(None).await else {
        return;
    };
    standin.control("expire_tokens", json!({})).await;
    let r = env.app.accounting().run_push_with(&client).await.unwrap();
    assert!(r.unauthorized, "{r:?}");
    let p = push_of(&env, s).await;
    assert_eq!(p.status, PushStatus::Failed);
    assert_eq!(standin.invoices().await.len(), 0);
    // A fresh token: pushed once.
    let client = standin.client().await;
    env.clock.advance(Duration::seconds(301));
    let r = env.app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(r.confirmed, 1, "{r:?}");
    assert_eq!(standin.invoices().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reconciliation_records_matched_mismatched_and_missing_and_re_push_repairs() {
    let Some((env, standin, client, actor, s)) = with_sale(None).await else {
        return;
    };
    let app = &env.app;
    app.accounting().run_push_with(&client).await.unwrap();
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!((r.checked, r.matched), (2, 2), "{r:?}");
    // Reconciled again: no new events.
    let again = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(again.matched, 0);
    assert_eq!(count_type(&env, "accounting.matched").await, 2);
    // A bookkeeper edits the total.
    let invoice_id = push_of(&env, s).await.remote_id.unwrap();
    standin
        .control(
            "edit",
            json!({"entity": "Invoice", "id": invoice_id, "fields": {"TotalAmt": 1.0}}),
        )
        .await;
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.mismatched, 1, "{r:?}");
    let p = push_of(&env, s).await;
    assert_eq!(p.reconciliation, Reconciliation::Mismatched);
    assert_eq!(p.differences[0].field, "total_minor");
    assert_eq!(p.differences[0].remote, "100");
    let totals = app
        .accounting()
        .totals(pet_core::accounting::TargetKind::Invoice)
        .await
        .unwrap();
    assert_eq!(totals[0]["agree"], json!(false), "{totals}");
    // One click: the invoice is updated in place, not posted again.
    app.accounting()
        .repush(&sale_push(s).to_string(), &actor)
        .await
        .unwrap();
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(r.confirmed, 1, "{r:?}");
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(
        r.matched,
        1,
        "{r:?} {:?} {:?}",
        push_of(&env, s).await.differences,
        standin.invoices().await
    );
    assert_eq!(standin.invoices().await.len(), 1);
    let totals = app
        .accounting()
        .totals(pet_core::accounting::TargetKind::Invoice)
        .await
        .unwrap();
    assert_eq!(totals[0]["agree"], json!(true), "{totals}");
    // Deleted in QBO: missing; the re-push makes one new invoice (a new request id).
    standin
        .control("delete", json!({"entity": "Invoice", "id": invoice_id}))
        .await;
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.missing, 1, "{r:?}");
    assert_eq!(count_type(&env, "accounting.missing").await, 1);
    // Only dead, mismatched or missing pushes can be re-pushed.
    let other = app
        .accounting()
        .repush(&Uuid::nil().to_string(), &actor)
        .await;
    assert!(other.is_err());
    app.accounting()
        .repush(&sale_push(s).to_string(), &actor)
        .await
        .unwrap();
    app.accounting().run_push_with(&client).await.unwrap();
    let live = standin.invoices().await;
    assert_eq!(live.len(), 1);
    let p = push_of(&env, s).await;
    assert_eq!((p.status, p.generation), (PushStatus::Confirmed, 2));
    assert_eq!(p.remote_id.as_deref(), live[0]["Id"].as_str());
    crate::every_aggregate_restores_as_replayed(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_admin_connects_through_oauth_tokens_are_sealed_refreshed_and_a_lost_connection_shows() {
    let Some(env) = env().await else { return };
    let standin = Standin::start();
    // The same database with the site's secret configured (as the plugin passes it).
    let mut cfg = env.config.clone();
    cfg.secret_key = Some("a long random AUTH_KEY from wp-config".into());
    let app = App::with_parts(
        cfg,
        pet_storage_mysql::AppParts {
            clock: env.clock.clone(),
            ..pet_storage_mysql::AppParts::default()
        },
    )
    .unwrap();
    let acc = app.accounting();
    // Bad input: field errors, nothing saved.
    let err = acc
        .save_connection_settings(&json!({"environment": "custom", "client_id": ""}))
        .await
        .unwrap_err();
    let pet_storage_mysql::AppError::Validation(e) = err else {
        panic!("{err:?}")
    };
    for f in [
        "client_id",
        "client_secret",
        "redirect_url",
        "api_base",
        "token_url",
    ] {
        assert!(e.get(f).is_some(), "{f}: {e:?}");
    }
    assert_eq!(
        acc.connection_status().await.unwrap()["status"],
        "not_connected"
    );
    // Without the site's secret nothing can be stored.
    let no_key = env
        .app
        .accounting()
        .save_connection_settings(&json!({"environment": "sandbox", "client_id": "x",
            "client_secret": "y", "redirect_url": "https://example.com/wp-admin/"}))
        .await;
    assert!(
        matches!(no_key, Err(pet_storage_mysql::AppError::Invariant(_))),
        "{no_key:?}"
    );
    let redirect = "https://shop.example/wp-admin/admin.php?page=pet-quickbooks";
    acc.save_connection_settings(&json!({
        "environment": "custom", "client_id": "pet-client", "client_secret": "pet-secret",
        "redirect_url": redirect, "api_base": standin.base,
        "auth_url": format!("{}/connect/oauth2", standin.base),
        "token_url": format!("{}/oauth2/v1/tokens/bearer", standin.base),
    }))
    .await
    .unwrap();
    let state = "nonce-1234567890-abcdef";
    let url = acc.start_connection(state).await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.contains("scope=com.intuit.quickbooks.accounting"),
        "{url}"
    );
    // The admin approves at Intuit; the browser comes back with code, state and realmId.
    let back = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect), "{location}");
    let q: std::collections::HashMap<String, String> = reqwest::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    // A forged state is refused.
    let forged = acc
        .finish_connection(&json!({"code": q["code"], "state": "someone-elses-state-xyz", "realm_id": q["realmId"]}))
        .await;
    assert!(forged.is_err());
    let status = acc
        .finish_connection(
            &json!({"code": q["code"], "state": q["state"], "realm_id": q["realmId"]}),
        )
        .await
        .unwrap();
    assert_eq!(status["status"], "connected");
    assert_eq!(status["realm_id"], json!(q["realmId"]));
    // Stored sealed: no token or secret in clear in the table.
    let mut c = env.pool().get_conn().await.unwrap();
    use mysql_async::prelude::Queryable;
    let stored: String = c
        .query_first(format!(
            "SELECT value FROM {}pet_accounting_settings WHERE name = 'connection'",
            env.config.prefix
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !stored.contains("access-")
            && !stored.contains("refresh-")
            && !stored.contains("pet-secret")
    );
    // Sales arrive through the job the queue runs (the stored connection's port).
    let (actor, _customer, opp) = pipeline(&app).await;
    let s = sale(&app, &actor, &opp).await;
    let r = acc.run_push_job().await.unwrap();
    assert_eq!(r["confirmed"], json!(2), "{r}");
    assert_eq!(standin.invoices().await.len(), 1);
    // Near expiry the token is refreshed first (the stand-in issues a new pair).
    env.clock.advance(Duration::seconds(3600 - 200));
    let before = standin.state().await;
    acc.run_reconcile_job().await.unwrap();
    let after: String = c
        .query_first(format!(
            "SELECT value FROM {}pet_accounting_settings WHERE name = 'connection'",
            env.config.prefix
        ))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(after, stored, "tokens rotated");
    assert_eq!(before["creates"], standin.state().await["creates"]);
    // The refresh token revoked at Intuit: the next refresh fails and the connection is lost.
    env.clock.advance(Duration::seconds(3600));
    standin
        .control("config", json!({"client_secret": "rotated"}))
        .await;
    assert!(acc.run_push_job().await.is_err());
    let st = acc.connection_status().await.unwrap();
    assert_eq!(st["status"], "lost", "{st}");
    assert!(
        st["lost_reason"].as_str().unwrap().contains("refused"),
        "{st}"
    );
    assert_eq!(push_of_app(&app, s).await.status, PushStatus::Confirmed);
}

async fn push_of_app(app: &App, sale: Uuid) -> pet_core::accounting::Push {
    app.accounting()
        .get_push(sale_push(sale))
        .await
        .unwrap()
        .unwrap()
}

// ---- approved billable time → time activities ----------------------------------------------

impl Standin {
    /// The live records of an entity (not deleted).
    async fn live(&self, entity: &str) -> Vec<Value> {
        let s = self.state().await;
        s["records"][entity]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r.get("_deleted").is_none())
            .cloned()
            .collect()
    }
}

fn time_push(entry: &str) -> Uuid {
    PushId::for_source(SourceRef {
        kind: SourceKind::TimeEntry,
        id: Uuid::parse_str(entry).unwrap(),
    })
    .as_uuid()
}

/// A mapping with the default items and Ana (`ana@example.com`) mapped as `worker`.
fn mapping_with(worker: Option<&str>) -> Value {
    let mut m = json!({
        "sale_target": "invoice", "items": {"role:Developer": "7"}, "default_item": "1",
        "tax_codes": {}, "default_tax_code": null, "currency": {"mode": "multi", "home": "EUR"},
    });
    if let Some(w) = worker {
        m["employees"] = json!({ "ana@example.com": w });
    }
    m
}

/// The customer pushed, a project of the customer, and Ana's time logged, submitted and
/// approved: 95 billable minutes on 2026-03-02 and 30 unbillable on 2026-03-03. Returns
/// (env, stand-in, client, actor, billable entry id).
async fn with_approved_time(
    worker: Option<&str>,
) -> Option<(Env, Standin, QboClient, CommandContext, String)> {
    let env = env().await?;
    let standin = Standin::start();
    let client = standin.client().await;
    let app = &env.app;
    let (actor, customer, _opp) = pipeline(app).await;
    let actor = actor.managing_time();
    app.accounting()
        .set_mapping(&mapping_with(worker))
        .await
        .unwrap();
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(r.confirmed, 1, "the customer: {r:?}");
    let p = app
        .delivery()
        .create_project(
            &json!({"name": "Website", "customer_id": customer,
                    "labour": [{"role": "Developer", "minutes": 6000}]}),
            &actor,
        )
        .await
        .unwrap();
    let pid = id(&p);
    app.delivery()
        .change_project_status(&pid, "active", &actor)
        .await
        .unwrap();
    // Ana's rates: billed at 120.00 (130.00 from April, after the work), costing 55.00.
    let ana = actor.actor_id.unwrap().to_string();
    for (kind, amount, from) in [
        ("bill", 12_000, "2026-01-01"),
        ("bill", 13_000, "2026-04-01"),
        ("cost", 5_500, "2026-01-01"),
    ] {
        app.identity()
            .change_employee_rate(
                &ana,
                &json!({"kind": kind, "amount_minor": amount, "currency": "EUR", "effective_from": from}),
                &actor,
            )
            .await
            .unwrap();
    }
    let mut billable = String::new();
    for (date, minutes, is_billable) in [("2026-03-02", 95, true), ("2026-03-03", 30, false)] {
        let e = app
            .delivery()
            .log_time(
                &json!({"project_id": pid, "role": "Developer", "work_date": date,
                        "minutes": minutes, "billable": is_billable, "note": "Homepage"}),
                &actor,
            )
            .await
            .unwrap();
        app.delivery()
            .submit_time_entry(&id(&e), &actor)
            .await
            .unwrap();
        app.delivery()
            .approve_time_entry(&id(&e), &actor)
            .await
            .unwrap();
        if is_billable {
            billable = id(&e);
        }
    }
    Some((env, standin, client, actor, billable))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approved_billable_time_waits_for_its_employees_mapping_then_is_one_time_activity() {
    let Some((env, standin, client, actor, entry)) = with_approved_time(None).await else {
        return;
    };
    let app = &env.app;
    // Only the billable entry is queued; Ana is not mapped: it waits, nothing is sent.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.queued, r.sent, r.unmapped), (1, 0, 1), "{r:?}");
    let p = app
        .accounting()
        .get_push(time_push(&entry))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.status, PushStatus::Queued);
    let list = app
        .accounting()
        .list_pushes(&json!({"status": "queued"}))
        .await
        .unwrap();
    let item = &list["items"][0];
    assert_eq!(item["target"], json!("time_activity"));
    let waiting = item["waiting"].as_str().expect("the reason it waits");
    assert!(
        waiting.contains("Ana") && waiting.contains("not mapped"),
        "{waiting}"
    );
    assert!(standin.live("TimeActivity").await.is_empty());
    // Looked at again only later: the next run does not send it either.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.unmapped), (0, 0), "{r:?}");
    // A bad employee mapping is refused with the field, nothing saved.
    for bad in ["contractor:9", "employee: "] {
        let err = app
            .accounting()
            .set_mapping(&mapping_with(Some(bad)))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, pet_storage_mysql::AppError::Validation(e) if e.get("employees").is_some()),
            "{bad}: {err:?}"
        );
    }
    // An empty map as PHP sends it (an empty list) is an empty map.
    let mut empty = mapping_with(None);
    empty["employees"] = json!([]);
    empty["tax_codes"] = json!([]);
    app.accounting().set_mapping(&empty).await.unwrap();
    let mut unknown = mapping_with(None);
    unknown["employees"] = json!({"nobody@example.com": "employee:55"});
    assert!(app.accounting().set_mapping(&unknown).await.is_err());
    assert_eq!(
        app.accounting().get_mapping().await.unwrap()["employees"],
        json!({})
    );
    // Mapped: due at once, sent once.
    app.accounting()
        .set_mapping(&mapping_with(Some("employee:55")))
        .await
        .unwrap();
    let m = app.accounting().get_mapping().await.unwrap();
    assert_eq!(
        m["employee_labels"].as_object().unwrap().values().next(),
        Some(&json!("ana@example.com"))
    );
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed, r.unmapped), (1, 1, 0), "{r:?}");
    let ta = standin.live("TimeActivity").await;
    assert_eq!(ta.len(), 1, "{ta:?}");
    let customer_remote = standin.live("Customer").await[0]["Id"].clone();
    let t = &ta[0];
    assert_eq!(t["NameOf"], json!("Employee"));
    assert_eq!(t["EmployeeRef"]["value"], json!("55"));
    assert_eq!(t["CustomerRef"]["value"], customer_remote);
    assert_eq!(t["ItemRef"]["value"], json!("7"), "the role's item");
    assert_eq!(
        (t["Hours"].clone(), t["Minutes"].clone()),
        (json!(1), json!(35))
    );
    assert_eq!(t["TxnDate"], json!("2026-03-02"));
    assert_eq!(t["BillableStatus"], json!("Billable"));
    // The rates in force on the day worked.
    assert_eq!(
        (t["HourlyRate"].as_f64(), t["CostRate"].as_f64()),
        (Some(120.0), Some(55.0))
    );
    let desc = t["Description"].as_str().unwrap();
    assert!(
        desc.starts_with("Homepage [PET time ") && desc.contains(&entry),
        "{desc}"
    );
    let p = app
        .accounting()
        .get_push(time_push(&entry))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.status, PushStatus::Confirmed);
    assert_eq!(p.remote_id.as_deref(), t["Id"].as_str());
    assert_eq!(
        app.accounting().list_pushes(&json!({})).await.unwrap()["items"][0]["waiting"],
        Value::Null
    );
    // Reconciled: matched; a bookkeeper changes the minutes and the worker → mismatched
    // with both fields; the one-click re-push updates it in place.
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!((r.checked, r.matched), (2, 2), "{r:?}");
    standin
        .control(
            "edit",
            json!({"entity": "TimeActivity", "id": t["Id"], "fields": {"Minutes": 5, "EmployeeRef": {"value": "56"}, "HourlyRate": 99.5}}),
        )
        .await;
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.mismatched, 1, "{r:?}");
    let p = app
        .accounting()
        .get_push(time_push(&entry))
        .await
        .unwrap()
        .unwrap();
    let fields: Vec<&str> = p.differences.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(
        fields,
        ["minutes", "hourly_rate", "worker"],
        "{:?}",
        p.differences
    );
    assert_eq!(p.differences[0].remote, "65");
    assert_eq!(
        (
            p.differences[1].pet.as_str(),
            p.differences[1].remote.as_str()
        ),
        ("120.00", "99.50")
    );
    app.accounting()
        .repush(&time_push(&entry).to_string(), &actor)
        .await
        .unwrap();
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(r.confirmed, 1, "{r:?}");
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.matched, 1, "{r:?}");
    let ta = standin.live("TimeActivity").await;
    assert_eq!(ta.len(), 1);
    assert_eq!(
        (
            ta[0]["Minutes"].clone(),
            ta[0]["EmployeeRef"]["value"].clone()
        ),
        (json!(35), json!("55"))
    );
    assert_eq!(ta[0]["HourlyRate"].as_f64(), Some(120.0));
    // Deleted in QBO: missing.
    standin
        .control("delete", json!({"entity": "TimeActivity", "id": t["Id"]}))
        .await;
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.missing, 1, "{r:?}");
    crate::every_aggregate_restores_as_replayed(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn time_pushed_through_a_500_after_accept_and_a_replay_is_one_time_activity() {
    let Some((env, standin, client, _actor, entry)) = with_approved_time(Some("vendor:12")).await
    else {
        return;
    };
    let app = &env.app;
    standin
        .control(
            "script",
            json!({"faults": [{"status": 500, "count": 1, "accept": true}]}),
        )
        .await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.queued, r.sent, r.failed), (1, 1, 1), "{r:?}");
    assert_eq!(
        standin.live("TimeActivity").await.len(),
        1,
        "QBO accepted it"
    );
    env.clock.advance(Duration::seconds(31));
    // The look-up finds it by PET's reference in the description: confirmed, not resent.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (0, 1), "{r:?}");
    let ta = standin.live("TimeActivity").await;
    assert_eq!(ta.len(), 1);
    assert_eq!(ta[0]["NameOf"], json!("Vendor"));
    assert_eq!(ta[0]["VendorRef"]["value"], json!("12"));
    // The job replayed, the outbox fed from the start again: nothing new is queued or sent.
    let mut c = env.pool().get_conn().await.unwrap();
    use mysql_async::prelude::Queryable;
    c.exec_drop(
        format!(
            "UPDATE {}pet_projection_checkpoints SET last_sequence = 0 WHERE projection = 'accounting_outbox'",
            env.config.prefix
        ),
        (),
    )
    .await
    .unwrap();
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.queued, r.sent), (0, 0), "{r:?}");
    assert_eq!(standin.live("TimeActivity").await.len(), 1);
    let p = app
        .accounting()
        .get_push(time_push(&entry))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.status, PushStatus::Confirmed);
    assert_eq!(p.remote_id.as_deref(), ta[0]["Id"].as_str());
    assert_eq!(count_type(&env, "accounting.push_failed").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn time_sent_again_while_queries_lag_is_answered_by_its_request_id() {
    let Some((env, standin, client, _actor, _entry)) =
        with_approved_time(Some("employee:55")).await
    else {
        return;
    };
    let app = &env.app;
    standin
        .control(
            "script",
            json!({"faults": [{"status": 503, "count": 1, "accept": true}]}),
        )
        .await;
    standin.control("config", json!({"query_lag": 3600})).await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(r.failed, 1, "{r:?}");
    env.clock.advance(Duration::seconds(31));
    // The look-up sees nothing yet; the resend carries the same request id and QBO answers
    // with the record it made: still one.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (1, 1), "{r:?}");
    assert_eq!(standin.live("TimeActivity").await.len(), 1);
    assert_eq!(
        standin.state().await["creates"],
        json!(2),
        "the customer and one activity"
    );
}

// ---- adjustments of approved time → the time activity's update ------------------------------

/// Adjusts the entry by `minutes`, booked on 2026-03-04 (another day than the entry's).
async fn adjust(app: &App, actor: &CommandContext, entry: &str, minutes: i64) {
    app.delivery()
        .adjust_time_entry(
            entry,
            &json!({"minutes": minutes, "work_date": "2026-03-04", "reason": "corrected"}),
            actor,
        )
        .await
        .unwrap();
}

/// The one live time activity and its minutes (fails unless there is exactly one).
async fn only_activity(standin: &Standin) -> (Value, i64) {
    let ta = standin.live("TimeActivity").await;
    assert_eq!(ta.len(), 1, "exactly one time activity: {ta:?}");
    let t = ta[0].clone();
    let m = t["Hours"].as_i64().unwrap() * 60 + t["Minutes"].as_i64().unwrap();
    (t, m)
}

async fn time_push_of(app: &App, entry: &str) -> pet_core::accounting::Push {
    app.accounting()
        .get_push(time_push(entry))
        .await
        .unwrap()
        .unwrap()
}

/// Approved time pushed and confirmed (95 min, Ana mapped to employee 55).
async fn with_pushed_time() -> Option<(Env, Standin, QboClient, CommandContext, String)> {
    let (env, standin, client, actor, entry) = with_approved_time(Some("employee:55")).await?;
    let r = env.app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (1, 1), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 95);
    Some((env, standin, client, actor, entry))
}

async fn rewind_outbox(env: &Env) {
    use mysql_async::prelude::Queryable;
    let mut c = env.pool().get_conn().await.unwrap();
    c.exec_drop(
        format!(
            "UPDATE {}pet_projection_checkpoints SET last_sequence = 0 WHERE projection = 'accounting_outbox'",
            env.config.prefix
        ),
        (),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_adjustment_after_approval_updates_the_one_time_activity_and_a_replay_changes_nothing() {
    let Some((env, standin, client, actor, entry)) = with_pushed_time().await else {
        return;
    };
    let app = &env.app;
    adjust(app, &actor, &entry, -35).await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.adjusted, r.sent, r.confirmed), (1, 1, 1), "{r:?}");
    let (t, minutes) = only_activity(&standin).await;
    assert_eq!(minutes, 60, "approved 95 − 35");
    // The activity keeps the entry's date (the adjustment was booked on another day).
    assert_eq!(t["TxnDate"], json!("2026-03-02"));
    let st = standin.state().await;
    assert_eq!(
        (st["creates"].clone(), st["updates"].clone()),
        (json!(2), json!(1)),
        "the customer and one activity, updated once"
    );
    let p = time_push_of(app, &entry).await;
    assert_eq!(p.status, PushStatus::Confirmed);
    assert_eq!(p.remote_id.as_deref(), t["Id"].as_str());
    assert_eq!(p.doc.time_minutes(), Some(60));
    // The job replayed, and the outbox fed from the start again: nothing is folded twice,
    // nothing sent.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.adjusted, r.sent), (0, 0), "{r:?}");
    rewind_outbox(&env).await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.queued, r.adjusted, r.sent), (0, 0, 0), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 60);
    assert_eq!(standin.state().await["updates"], json!(1));
    assert_eq!(count_type(&env, "accounting.push_adjusted").await, 1);
    // Reconciled against the entry's current total: matched.
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!((r.checked, r.matched, r.mismatched), (2, 2, 0), "{r:?}");
    crate::every_aggregate_restores_as_replayed(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_total_of_0_deletes_the_time_activity_and_time_coming_back_is_a_new_one() {
    let Some((env, standin, client, actor, entry)) = with_pushed_time().await else {
        return;
    };
    let app = &env.app;
    adjust(app, &actor, &entry, -95).await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.adjusted, r.sent, r.confirmed), (1, 1, 1), "{r:?}");
    assert!(standin.live("TimeActivity").await.is_empty());
    assert_eq!(standin.state().await["deletes"], json!(1));
    let p = time_push_of(app, &entry).await;
    assert!(p.removed && p.status == PushStatus::Confirmed, "{p:?}");
    // Deleted and 0 in PET: reconciliation matches (not missing).
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!((r.matched, r.missing), (2, 0), "{r:?}");
    // Time comes back: a new time activity (a new generation, a new request id).
    adjust(app, &actor, &entry, 30).await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.adjusted, r.sent, r.confirmed), (1, 1, 1), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 30);
    let p = time_push_of(app, &entry).await;
    assert_eq!((p.generation, p.removed), (2, false));
    assert_eq!(standin.state().await["creates"], json!(3));
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.mismatched + r.missing, 0, "{r:?}");
    crate::every_aggregate_restores_as_replayed(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_500_after_quickbooks_accepted_the_update_is_answered_by_its_request_id() {
    let Some((env, standin, client, actor, entry)) = with_pushed_time().await else {
        return;
    };
    let app = &env.app;
    adjust(app, &actor, &entry, 25).await;
    standin
        .control(
            "script",
            json!({"faults": [{"status": 500, "count": 1, "accept": true}]}),
        )
        .await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.adjusted, r.sent, r.failed), (1, 1, 1), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 120, "QBO accepted it");
    env.clock.advance(Duration::seconds(31));
    // Sent again with the same request id (the same adjustment, the same sync token):
    // QuickBooks answers with the update it made, applies nothing a second time.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed, r.stale), (1, 1, 0), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 120);
    assert_eq!(standin.state().await["updates"], json!(1));
    let p = time_push_of(app, &entry).await;
    assert_eq!(p.status, PushStatus::Confirmed);
    assert_eq!(p.sync_token.as_deref(), Some("1"));
    assert_eq!(count_type(&env, "accounting.push_failed").await, 1);
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.mismatched, 0, "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_update_refused_as_stale_reads_the_token_again_and_keeps_quickbooks_own_fields() {
    let Some((env, standin, client, actor, entry)) = with_pushed_time().await else {
        return;
    };
    let app = &env.app;
    let (t, _) = only_activity(&standin).await;
    // A bookkeeper edits it in QuickBooks meanwhile (a class): its sync token moves on.
    standin
        .control(
            "edit",
            json!({"entity": "TimeActivity", "id": t["Id"], "fields": {"ClassRef": {"value": "3"}}}),
        )
        .await;
    adjust(app, &actor, &entry, 5).await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.stale, r.failed, r.dead), (1, 1, 1, 0), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 95, "refused: unchanged");
    let p = time_push_of(app, &entry).await;
    assert_eq!(p.status, PushStatus::Failed);
    assert_eq!(p.sync_token.as_deref(), Some("1"), "read again");
    // Retried at once with the current token: PET's minutes, QuickBooks' class kept.
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (1, 1), "{r:?}");
    let (t, minutes) = only_activity(&standin).await;
    assert_eq!(minutes, 100);
    assert_eq!(t["ClassRef"]["value"], json!("3"));
    assert_eq!(t["EmployeeRef"]["value"], json!("55"));
    assert_eq!(standin.state().await["creates"], json!(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_adjustment_before_the_push_is_confirmed_follows_as_an_update_of_the_same_record() {
    let Some((env, standin, client, actor, entry)) = with_approved_time(Some("employee:55")).await
    else {
        return;
    };
    let app = &env.app;
    // The create is accepted, but PET sees a 500: not confirmed.
    standin
        .control(
            "script",
            json!({"faults": [{"status": 500, "count": 1, "accept": true}]}),
        )
        .await;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.failed), (1, 1), "{r:?}");
    adjust(app, &actor, &entry, 10).await;
    env.clock.advance(Duration::seconds(31));
    // Folded in; the look-up finds the record with the old minutes: confirmed, then
    // queued again as an update (never a second create).
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.adjusted, r.sent, r.confirmed), (1, 0, 1), "{r:?}");
    let p = time_push_of(app, &entry).await;
    assert_eq!((p.status, p.update), (PushStatus::Queued, true), "{p:?}");
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.sent, r.confirmed), (1, 1), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 105);
    assert_eq!(standin.state().await["creates"], json!(2));
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.mismatched, 0, "{r:?}");
    crate::every_aggregate_restores_as_replayed(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reconciliation_flags_an_unapplied_adjustment_and_the_re_push_applies_it_once() {
    let Some((env, standin, client, actor, entry)) = with_pushed_time().await else {
        return;
    };
    let app = &env.app;
    // Adjusted, and reconciled before the push job folds it in: the time activity holds
    // less than the entry's current total.
    adjust(app, &actor, &entry, 30).await;
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.mismatched, 1, "{r:?}");
    let p = time_push_of(app, &entry).await;
    assert_eq!(p.reconciliation, Reconciliation::Mismatched);
    let d: Vec<(&str, &str, &str)> = p
        .differences
        .iter()
        .map(|d| (d.field.as_str(), d.pet.as_str(), d.remote.as_str()))
        .collect();
    assert_eq!(d, [("minutes", "125", "95")]);
    let list = app
        .accounting()
        .list_pushes(&json!({"reconciliation": "mismatched"}))
        .await
        .unwrap();
    assert_eq!(list["items"][0]["actions"], json!(["repush"]));
    // The one-click re-push sends the current total; the outbox then delivers the same
    // adjustment, which is already in it (not added twice).
    app.accounting()
        .repush(&time_push(&entry).to_string(), &actor)
        .await
        .unwrap();
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.adjusted, r.sent, r.confirmed), (0, 1, 1), "{r:?}");
    assert_eq!(only_activity(&standin).await.1, 125);
    let r = app.accounting().reconcile(&client).await.unwrap();
    assert_eq!(r.matched, 1, "{r:?}");
    assert_eq!(
        time_push_of(app, &entry).await.reconciliation,
        Reconciliation::Matched
    );
    crate::every_aggregate_restores_as_replayed(&env).await;
}

// ---- reconciliation cost -------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reconciliation_runs_a_bounded_slice_from_its_checkpoint_and_a_full_sweep_on_demand() {
    let Some(env) = env().await else { return };
    let standin = Standin::start();
    let client = standin.client().await;
    let app = &env.app;
    let (actor, _customer, _opp) = pipeline(app).await;
    for name in ["Beta", "Gamma", "Delta", "Epsilon"] {
        app.identity()
            .create_customer(&json!({ "name": name }), &actor)
            .await
            .unwrap();
    }
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(r.confirmed, 5, "{r:?}");
    let matched = |v: Value| v["items"].as_array().unwrap().len();
    let acc = app.accounting();
    // Two per run: 2, 2, then the last one and the end of the list.
    let mut checked = Vec::new();
    for _ in 0..3 {
        let r = acc.reconcile_incremental(&client, 2).await.unwrap();
        checked.push((r.checked, r.complete));
    }
    assert_eq!(checked, [(2, false), (2, false), (1, true)]);
    // Each push was read once: five distinct outcomes recorded.
    assert_eq!(count_type(&env, "accounting.matched").await, 5);
    assert_eq!(
        matched(
            acc.list_pushes(&json!({"reconciliation": "matched"}))
                .await
                .unwrap()
        ),
        5
    );
    // The next run starts over from the first.
    let r = acc.reconcile_incremental(&client, 2).await.unwrap();
    assert_eq!((r.checked, r.complete), (2, false));
    // A full sweep on demand reads everything and leaves the job's checkpoint alone.
    let gamma = standin
        .live("Customer")
        .await
        .into_iter()
        .find(|c| c["DisplayName"] == json!("Gamma"))
        .unwrap();
    standin
        .control("delete", json!({"entity": "Customer", "id": gamma["Id"]}))
        .await;
    let r = acc.reconcile_all(&client).await.unwrap();
    assert_eq!((r.checked, r.missing, r.complete), (5, 1, true), "{r:?}");
    let r = acc.reconcile_incremental(&client, 2).await.unwrap();
    assert_eq!(
        (r.checked, r.complete),
        (2, false),
        "resumed after the first two"
    );
    let r = acc.reconcile_incremental(&client, 2).await.unwrap();
    assert_eq!((r.checked, r.complete), (1, true));
    assert_eq!(count_type(&env, "accounting.missing").await, 1);
    // The totals per period come from the covering index alone.
    let mut c = env.pool().get_conn().await.unwrap();
    use mysql_async::prelude::Queryable;
    let plan: Vec<mysql_async::Row> = c
        .exec(format!("EXPLAIN {}", acc.totals_sql()), ("invoice",))
        .await
        .unwrap();
    let row = &plan[0];
    let key: Option<String> = row.get("key").unwrap();
    let extra: Option<String> = row.get("Extra").unwrap();
    assert_eq!(key.as_deref(), Some("ix_accounting_totals"), "{extra:?}");
    assert!(
        extra.unwrap_or_default().contains("Using index"),
        "covering"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_waiting_for_its_failing_customer_leaves_the_front_of_the_queue() {
    let Some(env) = env().await else {
        return;
    };
    let standin = Standin::start();
    let client = standin.client().await;
    let (actor, _customer, opp) = pipeline(&env.app).await;
    // The customer's push fails (QuickBooks down for it); the sale cannot go before it.
    standin
        .control("script", json!({"faults": [{"status": 500, "count": 1}]}))
        .await;
    let s = sale(&env.app, &actor, &opp).await;
    let app = &env.app;
    let r = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((r.failed, r.waiting, r.confirmed), (1, 1, 0), "{r:?}");
    // The waiting sale was moved back: the next run at once does not look at it again
    // (a batch is never filled by pushes that cannot go), and it is still queued.
    let again = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!((again.sent, again.waiting), (0, 0), "{again:?}");
    assert_eq!(push_of(&env, s).await.status, PushStatus::Queued);
    // Later the customer goes through, and then the sale: one invoice, nothing lost.
    env.clock.advance(Duration::seconds(61));
    let later = app.accounting().run_push_with(&client).await.unwrap();
    assert_eq!(later.confirmed, 2, "{later:?}");
    assert_eq!(push_of(&env, s).await.status, PushStatus::Confirmed);
    assert_eq!(standin.invoices().await.len(), 1);
}
