//! `pet-qbo`: PET's QuickBooks Online adapter — [`pet_core::accounting::AccountingPort`]
//! over Intuit's QBO v3 REST API, and the OAuth 2.0 authorisation-code flow of a QBO
//! connection ([`oauth`]).
//!
//! Every write carries PET's stable request id as QBO's `requestid` query parameter, so a
//! repeat is answered with the record the first made; faults are classified by status:
//! 429 (`ThrottleExceeded`) → rate limited (with `Retry-After`), 5xx and transport errors
//! (time-outs included) → unavailable, 401 → unauthorised, other 4xx (a `Fault` of type
//! `ValidationFault`) → rejected, except a stale object (code 5010: an update quoting an old
//! `SyncToken`) → stale. A time activity is updated in full (QBO's TimeActivity has no
//! sparse update: writable fields left out are cleared), so the adapter reads the record and
//! sends it back with PET's fields replaced — fields only QuickBooks knows (a class, a
//! department) stay — under the sync token PET last saw; it is deleted
//! (`operation=delete`) when its total reaches 0. Base URLs are configuration, so tests and demos point the
//! adapter at the stand-in under `tests/qbo-standin/`.

pub mod oauth;

use std::time::Duration;

use pet_core::accounting::{
    decimal_to_minor, minor_to_decimal, time_marker, AccountingPort, CurrencyMode, PortError,
    PortFuture, PushDoc, RemoteRecord, SendRequest, TargetKind, WorkerKind,
};
use pet_core::identity::Currency;
use serde_json::{json, Value};

/// The QBO minor version the adapter speaks.
pub const MINOR_VERSION: &str = "75";

/// Intuit's production API base.
pub const PRODUCTION_API: &str = "https://quickbooks.api.intuit.com";
/// Intuit's sandbox API base.
pub const SANDBOX_API: &str = "https://sandbox-quickbooks.api.intuit.com";

/// Where and as whom the adapter talks to QBO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QboConfig {
    /// The API base URL (no trailing slash), e.g. [`PRODUCTION_API`] or a stand-in's.
    pub api_base: String,
    /// The company (realm) id.
    pub realm_id: String,
    /// A current access token.
    pub access_token: String,
    /// The time-out of one request.
    pub timeout: Duration,
}

/// The adapter.
#[derive(Debug, Clone)]
pub struct QboClient {
    config: QboConfig,
    http: reqwest::Client,
}

/// A failure to build the client.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct BuildError(String);

impl QboClient {
    /// A client for `config` (rustls, no redirects followed).
    pub fn new(config: QboConfig) -> Result<Self, BuildError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BuildError(e.to_string()))?;
        Ok(Self { config, http })
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/v3/company/{}/{path}",
            self.config.api_base.trim_end_matches('/'),
            self.config.realm_id
        )
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> Result<Value, PortError> {
        let resp = req
            .bearer_auth(&self.config.access_token)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| PortError::Unavailable(format!("transport: {e}")))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        let body = resp
            .text()
            .await
            .map_err(|e| PortError::Unavailable(format!("reading the response: {e}")))?;
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if status.is_success() {
            if json.is_null() {
                return Err(PortError::Unavailable("the response is not JSON".into()));
            }
            return Ok(json);
        }
        let message = fault_message(&json).unwrap_or_else(|| format!("HTTP {status}"));
        if fault_code(&json).as_deref() == Some("5010") {
            return Err(PortError::Stale(message));
        }
        Err(match status.as_u16() {
            429 => PortError::RateLimited {
                retry_after_secs: retry_after,
                message,
            },
            401 | 403 => PortError::Unauthorized(message),
            s if s >= 500 => PortError::Unavailable(message),
            _ => PortError::Rejected(message),
        })
    }

    fn write_body(req: &SendRequest<'_>) -> Result<Value, PortError> {
        let mut body = match req.doc {
            PushDoc::Customer { display_name, .. } => json!({ "DisplayName": display_name }),
            PushDoc::Sale {
                doc_number,
                txn_date,
                currency,
                lines,
                ..
            } => {
                req.mapping
                    .check_currency(*currency)
                    .map_err(|e| PortError::Rejected(e.to_string()))?;
                let customer = req.customer_ref.ok_or_else(|| {
                    PortError::Rejected("the customer has no QuickBooks id yet".into())
                })?;
                let mut tax_total: i64 = 0;
                let lines: Vec<Value> = lines
                    .iter()
                    .map(|l| {
                        tax_total = tax_total.saturating_add(l.tax_minor);
                        let mut detail = json!({
                            "ItemRef": { "value": req.mapping.item_for(&l.item_key) },
                        });
                        if let Some(code) = req.mapping.tax_code_for(l.tax_basis_points) {
                            detail["TaxCodeRef"] = json!({ "value": code });
                        }
                        json!({
                            "DetailType": "SalesItemLineDetail",
                            "Amount": number(&minor_to_decimal(l.net_minor, *currency)),
                            "Description": l.description,
                            "SalesItemLineDetail": detail,
                        })
                    })
                    .collect();
                let mut b = json!({
                    "CustomerRef": { "value": customer },
                    "DocNumber": doc_number,
                    "TxnDate": txn_date.to_string(),
                    "Line": lines,
                    "TxnTaxDetail": { "TotalTax": number(&minor_to_decimal(tax_total, *currency)) },
                    "PrivateNote": format!("PET request {}", req.request_id),
                });
                if matches!(req.mapping.currency, CurrencyMode::Multi(_)) {
                    b["CurrencyRef"] = json!({ "value": currency.as_str() });
                }
                b
            }
            PushDoc::Time {
                employee_id,
                txn_date,
                minutes,
                item_key,
                hourly_rate_minor,
                cost_rate_minor,
                rate_currency,
                ..
            } => {
                let customer = req.customer_ref.ok_or_else(|| {
                    PortError::Rejected("the customer has no QuickBooks id yet".into())
                })?;
                let worker = req.mapping.worker_for(*employee_id).ok_or_else(|| {
                    PortError::Rejected(
                        "the employee is not mapped to a QuickBooks employee or vendor".into(),
                    )
                })?;
                let (name_of, reference) = match worker.kind {
                    WorkerKind::Employee => ("Employee", "EmployeeRef"),
                    WorkerKind::Vendor => ("Vendor", "VendorRef"),
                };
                let mut b = json!({
                    "TxnDate": txn_date.to_string(),
                    "NameOf": name_of,
                    "CustomerRef": { "value": customer },
                    "ItemRef": { "value": req.mapping.item_for(item_key) },
                    "BillableStatus": "Billable",
                    "Hours": minutes / 60,
                    "Minutes": minutes % 60,
                    "Description": req.doc.time_description().unwrap_or_default(),
                });
                b[reference] = json!({ "value": worker.id });
                if let Some(c) = rate_currency {
                    for (k, rate) in [
                        ("HourlyRate", hourly_rate_minor),
                        ("CostRate", cost_rate_minor),
                    ] {
                        if let Some(r) = rate {
                            b[k] = number(&minor_to_decimal(*r, *c));
                        }
                    }
                }
                b
            }
        };
        if let (Some((id, token)), false) = (req.update, req.target == TargetKind::TimeActivity) {
            body["Id"] = json!(id);
            body["SyncToken"] = json!(token);
            body["sparse"] = json!(true);
        }
        Ok(body)
    }
}

/// A decimal string as a JSON number (QBO's amounts are numbers); exact for the amounts
/// PET writes (at most 15 significant digits).
fn number(s: &str) -> Value {
    serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!(s))
}

/// The code of a QBO `Fault` (`Fault.Error[0].code`).
pub fn fault_code(v: &Value) -> Option<String> {
    let fault = v.get("Fault").or_else(|| v.get("fault"))?;
    let err = fault.get("Error").or_else(|| fault.get("error"))?.get(0)?;
    err.get("code")
        .or_else(|| err.get("Code"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Fields of a read record QBO fills in itself (never sent back in an update).
const READ_ONLY: [&str; 5] = ["MetaData", "domain", "sparse", "status", "time"];

/// The full update of a time activity: the record as read (`current`), PET's fields
/// (`mine`) replacing its own, under `id` and PET's `sync_token`. The worker reference PET
/// does not use is dropped (a time activity names an employee or a vendor).
pub fn full_update(current: &Value, mine: &Value, id: &str, sync_token: &str) -> Value {
    let mut body = current.as_object().cloned().unwrap_or_default();
    for k in READ_ONLY {
        body.remove(k);
    }
    if let Some(m) = mine.as_object() {
        let other = if m.contains_key("EmployeeRef") {
            "VendorRef"
        } else {
            "EmployeeRef"
        };
        body.remove(other);
        for (k, v) in m {
            body.insert(k.clone(), v.clone());
        }
    }
    body.insert("Id".into(), json!(id));
    body.insert("SyncToken".into(), json!(sync_token));
    Value::Object(body)
}

/// The message of a QBO `Fault` (`Fault.Error[0]`, or the lower-case `fault.error[0]` of
/// authentication faults).
pub fn fault_message(v: &Value) -> Option<String> {
    let fault = v.get("Fault").or_else(|| v.get("fault"))?;
    let err = fault.get("Error").or_else(|| fault.get("error"))?.get(0)?;
    let get = |k: &str, k2: &str| {
        err.get(k)
            .or_else(|| err.get(k2))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let code = get("code", "Code");
    Some(format!(
        "{} ({}; code {code})",
        get("Message", "message"),
        get("Detail", "detail")
    ))
}

/// The QBO entity name of a target (`Invoice`) and its path (`invoice`).
pub fn entity(target: TargetKind) -> (&'static str, &'static str) {
    match target {
        TargetKind::Customer => ("Customer", "customer"),
        TargetKind::Invoice => ("Invoice", "invoice"),
        TargetKind::Estimate => ("Estimate", "estimate"),
        TargetKind::TimeActivity => ("TimeActivity", "timeactivity"),
    }
}

fn amount_minor(v: Option<&Value>, currency: Currency) -> Option<i64> {
    let s = match v? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    decimal_to_minor(&s, currency)
}

/// Reads a QBO entity object as a [`RemoteRecord`] (amounts in `doc`'s currency).
pub fn remote_record(target: TargetKind, o: &Value, doc: &PushDoc) -> Option<RemoteRecord> {
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let reference = |k: &str| {
        o.get(k)
            .and_then(|r| r.get("value"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let remote_id = s("Id")?;
    let sync_token = s("SyncToken").unwrap_or_else(|| "0".into());
    Some(match (target, doc) {
        (TargetKind::Customer, _) => RemoteRecord {
            remote_id,
            sync_token,
            name: s("DisplayName").unwrap_or_default(),
            customer_ref: None,
            amount_minor: None,
            currency: None,
            line_count: None,
            fields: Default::default(),
        },
        (_, PushDoc::Sale { currency, .. }) => RemoteRecord {
            remote_id,
            sync_token,
            name: s("DocNumber").unwrap_or_default(),
            customer_ref: reference("CustomerRef"),
            amount_minor: amount_minor(o.get("TotalAmt"), *currency),
            currency: reference("CurrencyRef").or_else(|| Some(currency.as_str().to_owned())),
            line_count: o.get("Line").and_then(Value::as_array).map(|ls| {
                ls.iter()
                    .filter(|l| {
                        l.get("DetailType").and_then(Value::as_str) == Some("SalesItemLineDetail")
                    })
                    .count() as u32
            }),
            fields: Default::default(),
        },
        (_, PushDoc::Time { rate_currency, .. }) => {
            let int = |k: &str| o.get(k).and_then(Value::as_i64);
            let minutes = match (int("Hours"), int("Minutes")) {
                (None, None) => None,
                (h, m) => h
                    .unwrap_or(0)
                    .checked_mul(60)
                    .and_then(|h| h.checked_add(m.unwrap_or(0))),
            };
            let mut fields = std::collections::BTreeMap::new();
            if let Some(d) = s("TxnDate") {
                fields.insert("txn_date".to_owned(), d);
            }
            if let Some(b) = s("BillableStatus") {
                fields.insert("billable_status".to_owned(), b);
            }
            let worker = match s("NameOf").as_deref() {
                Some("Vendor") => reference("VendorRef").map(|v| format!("vendor:{v}")),
                _ => reference("EmployeeRef").map(|v| format!("employee:{v}")),
            };
            if let Some(w) = worker {
                fields.insert("worker".to_owned(), w);
            }
            if let Some(c) = rate_currency {
                for (k, name) in [("HourlyRate", "hourly_rate"), ("CostRate", "cost_rate")] {
                    if let Some(v) = o.get(k) {
                        let text = amount_minor(Some(v), *c)
                            .map_or_else(|| v.to_string(), |m| minor_to_decimal(m, *c));
                        fields.insert(name.to_owned(), text);
                    }
                }
            }
            RemoteRecord {
                remote_id,
                sync_token,
                name: s("Description").unwrap_or_default(),
                customer_ref: reference("CustomerRef"),
                amount_minor: minutes,
                currency: None,
                line_count: None,
                fields,
            }
        }
        _ => RemoteRecord {
            remote_id,
            sync_token,
            name: s("Description").unwrap_or_default(),
            customer_ref: reference("CustomerRef"),
            amount_minor: None,
            currency: None,
            line_count: None,
            fields: Default::default(),
        },
    })
}

/// A QBO query literal: single quotes escaped with a backslash.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl AccountingPort for QboClient {
    fn send<'a>(&'a self, req: SendRequest<'a>) -> PortFuture<'a, RemoteRecord> {
        Box::pin(async move {
            let (name, path) = entity(req.target);
            if let (true, Some((id, token))) = (req.remove, req.update) {
                let http = self
                    .http
                    .post(self.url(path))
                    .query(&[
                        ("operation", "delete"),
                        ("requestid", req.request_id),
                        ("minorversion", MINOR_VERSION),
                    ])
                    .json(&json!({ "Id": id, "SyncToken": token }));
                let v = self.call(http).await?;
                let o = v
                    .get(name)
                    .filter(|o| o.get("status").and_then(Value::as_str) == Some("Deleted"))
                    .ok_or_else(|| PortError::Unavailable(format!("no deleted {name}")))?;
                return Ok(RemoteRecord::gone(
                    o.get("Id").and_then(Value::as_str).unwrap_or(id),
                    token,
                ));
            }
            let mut body = Self::write_body(&req)?;
            if let (Some((id, token)), TargetKind::TimeActivity) = (req.update, req.target) {
                // A full update: the record as QuickBooks holds it, PET's fields replaced.
                let read = self
                    .http
                    .get(self.url(&format!("{path}/{id}")))
                    .query(&[("minorversion", MINOR_VERSION)]);
                let current = self.call(read).await?;
                body = full_update(current.get(name).unwrap_or(&Value::Null), &body, id, token);
            }
            let http = self
                .http
                .post(self.url(path))
                .query(&[
                    ("requestid", req.request_id),
                    ("minorversion", MINOR_VERSION),
                ])
                .json(&body);
            let v = self.call(http).await?;
            v.get(name)
                .and_then(|o| remote_record(req.target, o, req.doc))
                .ok_or_else(|| PortError::Unavailable(format!("no {name} in the response")))
        })
    }

    fn look_up<'a>(
        &'a self,
        target: TargetKind,
        doc: &'a PushDoc,
    ) -> PortFuture<'a, Option<RemoteRecord>> {
        Box::pin(async move {
            let (name, _) = entity(target);
            // A time activity has no number: the day's activities, the one whose
            // description carries PET's reference to the entry.
            let (filter, marker) = match doc {
                PushDoc::Customer { display_name, .. } => {
                    (format!("DisplayName = {}", quote(display_name)), None)
                }
                PushDoc::Sale { doc_number, .. } => {
                    (format!("DocNumber = {}", quote(doc_number)), None)
                }
                PushDoc::Time {
                    txn_date, entry_id, ..
                } => (
                    format!("TxnDate = {}", quote(&txn_date.to_string())),
                    Some(time_marker(*entry_id)),
                ),
            };
            let query = format!("select * from {name} where {filter} maxresults 1000");
            let http = self
                .http
                .get(self.url("query"))
                .query(&[("query", query.as_str()), ("minorversion", MINOR_VERSION)]);
            let v = self.call(http).await?;
            Ok(v.get("QueryResponse")
                .and_then(|q| q.get(name))
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter().find(|o| match &marker {
                        None => true,
                        Some(m) => o
                            .get("Description")
                            .and_then(Value::as_str)
                            .is_some_and(|d| d.contains(m.as_str())),
                    })
                })
                .and_then(|o| remote_record(target, o, doc)))
        })
    }

    fn read<'a>(
        &'a self,
        target: TargetKind,
        remote_id: &'a str,
        doc: &'a PushDoc,
    ) -> PortFuture<'a, Option<RemoteRecord>> {
        Box::pin(async move {
            let (name, path) = entity(target);
            let http = self
                .http
                .get(self.url(&format!("{path}/{remote_id}")))
                .query(&[("minorversion", MINOR_VERSION)]);
            match self.call(http).await {
                Ok(v) => Ok(v.get(name).and_then(|o| {
                    // A deleted record reads back with status "Deleted".
                    if o.get("status").and_then(Value::as_str) == Some("Deleted") {
                        None
                    } else {
                        remote_record(target, o, doc)
                    }
                })),
                // "Object Not Found" (code 610) is a validation fault.
                Err(PortError::Rejected(m)) if m.contains("code 610") => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}
