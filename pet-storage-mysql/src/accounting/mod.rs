//! Accounting integration: the outbox of pushes to the accounting system, fed from the event
//! log, the push and reconciliation jobs that drive each push record through the outbound
//! port (`pet_core::accounting::AccountingPort`; QuickBooks Online in `pet-qbo`), and the
//! mapping settings.
//!
//! - **Outbox** ([`Accounting::feed_outbox`]): the events after the `accounting_outbox`
//!   checkpoint, a batch per command, holding the checkpoint row `FOR UPDATE`; each
//!   `customer.created`, `sale.recorded` and `time_entry.approved` of billable time on a
//!   customer's project or ticket queues a push record (its id derived from the fact, so a
//!   fact read twice queues nothing new), and the checkpoint moves in the same
//!   transaction. Commands never call the port.
//! - **Adjustments**: each `time_entry.adjusted` of approved time is folded into the entry's
//!   push in the same outbox transaction (`PushCommand::Adjust`, once per adjustment id):
//!   the time activity is updated to the entry's current total (deleted at 0); an update
//!   refused as stale reads the record's sync token again, one that finds the record gone
//!   records the push as removed. Reconciliation and the re-push read the entry's current
//!   total from the state rows ([`Accounting::reconcile`], [`Accounting::repush`]).
//! - **Employees**: approved billable time is a time activity naming the QBO employee or
//!   vendor the mapping gives the PET employee; while the employee is not mapped the push
//!   waits (queued, looked at again every [`UNMAPPED_RECHECK_SECS`] and as soon as a mapping
//!   is saved), and the push list says why.
//! - **Push** ([`Accounting::push_due`]): per due push (`ix_accounting_due`), what
//!   `Push::plan` says: look it up first when an earlier send's outcome is unknown, record
//!   the send (committed before the request leaves), send with the stable request id, then
//!   record the outcome — confirmed, or failed with its back-off, or dead. A runner killed
//!   between the send and the record leaves the push in flight; after
//!   `IN_DOUBT_AFTER_SECS` the next run looks it up and, if the accounting system shows
//!   nothing yet, sends it again with the same request id, which QBO answers with the record
//!   it already made.
//! - **Reconcile** ([`Accounting::reconcile`]): reads back confirmed pushes and records
//!   `accounting.matched` / `mismatched` (with the fields) / `missing` when the outcome
//!   changes — each job run a bounded keyset slice from a stored checkpoint, wrapping at the
//!   end ([`Accounting::reconcile_all`]: a full sweep on demand); the totals per period read
//!   a covering index (migration 0030); [`Accounting::repush`] is the one-click re-push.

pub(crate) mod connection;

use chrono::{DateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Row, Transaction};
use pet_core::accounting::{
    AccountingPort, CurrencyMode, Mapping, Plan, PortError, Push, PushCommand, PushDoc, PushId,
    PushStatus, Reconciliation, RemoteRecord, SendRequest, SourceKind, SourceRef, TargetKind,
    TimeTotal, WorkerKind, WorkerRef, JOB_ACCOUNTING_PUSH, JOB_ACCOUNTING_RECONCILE,
};
use pet_core::commercial::QuoteEvent;
use pet_core::delivery::TimeEntryEvent;
use pet_core::identity::{Currency, CustomerEvent, EmployeeId, RateKind};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{App, CommandContext};
use crate::command::{command, Actors, Cmd, Read, Repository};
use crate::db::{from_db_time, to_db_time};
use crate::error::{db, internal, AppError};
use crate::jobs::{ClaimedJob, NewJob};
use crate::modules::{unknown_job, JobFuture};
use crate::services::Accounting;

/// The outbox's checkpoint row in `pet_projection_checkpoints`.
pub const OUTBOX_PROJECTION: &str = "accounting_outbox";
/// Events per outbox command.
pub const OUTBOX_BATCH: usize = 1_000;
/// Pushes a push run looks at, at most.
pub const PUSH_BATCH: usize = 200;
/// Pushes read back per reconciliation step.
pub const RECONCILE_BATCH: usize = 200;
/// Confirmed pushes one reconciliation job run reads back at most.
pub const RECONCILE_RUN_LIMIT: usize = 1_000;
/// The settings row holding where the next reconciliation run starts (`{"after": id}`).
pub const RECONCILE_CURSOR: &str = "reconcile_cursor";
/// How long the time of an unmapped employee waits before a push run looks at it again
/// (saving the mapping makes it due at once).
pub const UNMAPPED_RECHECK_SECS: i64 = 300;
/// A push whose customer is not in QuickBooks yet (its push failing or dead) is looked at
/// again after this many seconds instead of at the front of every run's batch.
pub const CUSTOMER_RECHECK_SECS: i64 = 60;

/// The accounting table names for one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountingTables {
    /// Push records.
    pub pushes: String,
    /// Settings (mapping, connection).
    pub settings: String,
}

impl App {
    /// The accounting table names.
    pub fn accounting_tables(&self) -> AccountingTables {
        let p = &self.tables().prefix;
        AccountingTables {
            pushes: format!("{p}pet_accounting_pushes"),
            settings: format!("{p}pet_accounting_settings"),
        }
    }
}

/// Runs the module's job kinds.
pub(crate) fn run_job<'a>(app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move {
        match job.kind.as_str() {
            JOB_ACCOUNTING_PUSH => app.accounting().run_push_job().await.map(|_| ()),
            // `{"full": true}`: a full sweep; otherwise the incremental run.
            JOB_ACCOUNTING_RECONCILE => app
                .accounting()
                .run_reconcile(job.payload.get("full") == Some(&Value::Bool(true)))
                .await
                .map(|_| ()),
            _ => Err(unknown_job(job)),
        }
    })
}

// ---- the repository ------------------------------------------------------------------------

const PUSH_COLUMNS: &str =
    "id, target, source_kind, source_id, doc, generation, status, attempts, \
     failures, sent_at, next_at, remote_id, sync_token, update_pending, last_error, \
     reconciliation, differences, remote_amount_minor, version, adjustments, sent_minutes, \
     resend_after_confirm, removed";

fn parse_status(s: &str) -> Result<PushStatus, AppError> {
    Ok(match s {
        "queued" => PushStatus::Queued,
        "in_flight" => PushStatus::InFlight,
        "failed" => PushStatus::Failed,
        "confirmed" => PushStatus::Confirmed,
        "dead" => PushStatus::Dead,
        _ => return Err(internal("push status")),
    })
}

fn parse_reconciliation(s: &str) -> Result<Reconciliation, AppError> {
    Ok(match s {
        "unchecked" => Reconciliation::Unchecked,
        "matched" => Reconciliation::Matched,
        "mismatched" => Reconciliation::Mismatched,
        "missing" => Reconciliation::Missing,
        _ => return Err(internal("push reconciliation")),
    })
}

fn push_from_row(mut r: Row) -> Result<Push, AppError> {
    fn col<T: mysql_async::prelude::FromValue>(r: &mut Row, i: usize) -> Result<T, AppError> {
        r.take_opt(i)
            .and_then(Result::ok)
            .ok_or_else(|| internal("push row"))
    }
    let r = &mut r;
    let uuid = |s: String| Uuid::parse_str(&s).map_err(|_| internal("push id"));
    let source_kind = match col::<String>(r, 2)?.as_str() {
        "customer" => SourceKind::Customer,
        "sale" => SourceKind::Sale,
        "time_entry" => SourceKind::TimeEntry,
        _ => return Err(internal("push source kind")),
    };
    let doc: String = col(r, 4)?;
    let differences: String = col(r, 16)?;
    Ok(Push {
        id: PushId::from_uuid(uuid(col(r, 0)?)?),
        target: TargetKind::parse("target", &col::<String>(r, 1)?)
            .map_err(|_| internal("push target"))?,
        source: SourceRef {
            kind: source_kind,
            id: uuid(col(r, 3)?)?,
        },
        doc: serde_json::from_str(&doc).map_err(|_| internal("push document"))?,
        generation: col(r, 5)?,
        status: parse_status(&col::<String>(r, 6)?)?,
        attempts: col(r, 7)?,
        failures: col(r, 8)?,
        sent_at: col::<Option<chrono::NaiveDateTime>>(r, 9)?.map(from_db_time),
        next_at: col::<Option<chrono::NaiveDateTime>>(r, 10)?.map(from_db_time),
        remote_id: col(r, 11)?,
        sync_token: col(r, 12)?,
        update: col(r, 13)?,
        last_error: col(r, 14)?,
        reconciliation: parse_reconciliation(&col::<String>(r, 15)?)?,
        differences: serde_json::from_str(&differences)
            .map_err(|_| internal("push differences"))?,
        remote_amount_minor: col(r, 17)?,
        version: col(r, 18)?,
        adjustments: match col::<Option<String>>(r, 19)? {
            Some(a) => serde_json::from_str(&a).map_err(|_| internal("push adjustments"))?,
            None => Vec::new(),
        },
        sent_minutes: col(r, 20)?,
        resend_after_confirm: col(r, 21)?,
        removed: col(r, 22)?,
    })
}

/// When the push job next looks at a push (`None`: nothing to do).
fn due_at(p: &Push, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match p.plan(now) {
        Plan::Nothing => None,
        Plan::WaitUntil(t) => Some(t),
        Plan::Send { .. } => Some(now),
    }
}

/// A push's period (the document's month) and amount, for the totals.
fn period_amount(doc: &PushDoc) -> (Option<String>, Option<Currency>, Option<i64>) {
    match doc {
        PushDoc::Sale {
            txn_date,
            currency,
            total_minor,
            ..
        } => (
            Some(txn_date.format("%Y-%m").to_string()),
            Some(*currency),
            Some(*total_minor),
        ),
        _ => (None, None, None),
    }
}

/// Push records, restored from their rows.
pub(crate) struct PushRepo<'a>(pub(crate) &'a App);

impl PushRepo<'_> {
    async fn read<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<Push>, AppError> {
        let row: Option<Row> = q
            .exec_first(
                format!(
                    "SELECT {PUSH_COLUMNS} FROM {} WHERE id = ?{}",
                    self.0.accounting_tables().pushes,
                    if lock { " FOR UPDATE" } else { "" }
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        row.map(push_from_row).transpose()
    }
}

impl Repository<Push> for PushRepo<'_> {
    const NAME: &'static str = "accounting push";

    async fn load(&self, tx: &mut Transaction<'_>, id: Uuid) -> Result<Option<Push>, AppError> {
        self.read(tx, id, true).await
    }

    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        p: &Push,
        _events: &[pet_core::accounting::PushEvent],
    ) -> Result<(), AppError> {
        let now = cx.now();
        let t = self.0.accounting_tables();
        let doc = serde_json::to_string(&p.doc).map_err(|_| internal("push document"))?;
        let diffs =
            serde_json::to_string(&p.differences).map_err(|_| internal("push differences"))?;
        let (period, currency, amount) = period_amount(&p.doc);
        let adjustments = if p.adjustments.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&p.adjustments).map_err(|_| internal("push adjustments"))?)
        };
        let values: Vec<mysql_async::Value> = vec![
            doc.clone().into(),
            p.generation.into(),
            p.status.as_str().into(),
            p.attempts.into(),
            p.failures.into(),
            p.sent_at.map(to_db_time).into(),
            p.next_at.map(to_db_time).into(),
            due_at(p, now).map(to_db_time).into(),
            p.remote_id.clone().into(),
            p.sync_token.clone().into(),
            p.update.into(),
            p.last_error.clone().into(),
            p.reconciliation.as_str().into(),
            diffs.into(),
            p.remote_amount_minor.into(),
            adjustments.into(),
            p.sent_minutes.into(),
            p.resend_after_confirm.into(),
            p.removed.into(),
            p.version.into(),
            to_db_time(now).into(),
        ];
        if before == 0 {
            let mut params: Vec<mysql_async::Value> = vec![
                p.id.as_uuid().to_string().into(),
                p.target.as_str().into(),
                p.source.kind.as_str().into(),
                p.source.id.to_string().into(),
                period.into(),
                currency.map(|c| c.as_str().to_owned()).into(),
                amount.into(),
                to_db_time(now).into(),
            ];
            params.extend(values);
            cx.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (id, target, source_kind, source_id, period, currency, \
                         amount_minor, created_at, doc, generation, status, attempts, failures, sent_at, \
                         next_at, due_at, remote_id, sync_token, update_pending, last_error, \
                         reconciliation, differences, remote_amount_minor, adjustments, sent_minutes, \
                         resend_after_confirm, removed, version, updated_at) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        t.pushes
                    ),
                    params,
                )
                .await
                .map_err(db)?;
        } else {
            let mut params = values;
            params.push(p.id.as_uuid().to_string().into());
            params.push(before.into());
            cx.tx().await?
                .exec_drop(
                    format!(
                        "UPDATE {} SET doc = ?, generation = ?, status = ?, attempts = ?, failures = ?, \
                         sent_at = ?, next_at = ?, due_at = ?, remote_id = ?, sync_token = ?, \
                         update_pending = ?, last_error = ?, reconciliation = ?, differences = ?, \
                         remote_amount_minor = ?, adjustments = ?, sent_minutes = ?, \
                         resend_after_confirm = ?, removed = ?, version = ?, updated_at = ? \
                         WHERE id = ? AND version = ?",
                        t.pushes
                    ),
                    params,
                )
                .await
                .map_err(db)?;
            if cx.tx().await?.affected_rows() != 1 {
                return Err(AppError::Conflict(format!(
                    "accounting push {} changed concurrently",
                    p.id
                )));
            }
        }
        Ok(())
    }
}

// ---- reports -------------------------------------------------------------------------------

/// What a push run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PushRunReport {
    /// Events the outbox read.
    pub events: u64,
    /// Pushes it queued.
    pub queued: u64,
    /// Adjustments of approved time it folded into their pushes.
    pub adjusted: u64,
    /// Sends made.
    pub sent: u64,
    /// Pushes confirmed (by a response or a look-up).
    pub confirmed: u64,
    /// Sends that failed (to be retried).
    pub failed: u64,
    /// Pushes given up (dead).
    pub dead: u64,
    /// Updates refused as stale (the record changed in QuickBooks): its sync token was read
    /// again and the update is retried.
    pub stale: u64,
    /// Pushes waiting for their customer's push.
    pub waiting: u64,
    /// Time pushes waiting for their employee's mapping.
    pub unmapped: u64,
    /// The connection was refused (401): the run stopped.
    pub unauthorized: bool,
    /// Rate limited (429): the run stopped.
    pub rate_limited: bool,
}

/// What a reconciliation run found (outcomes that changed, and totals read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    /// Confirmed pushes read back.
    pub checked: u64,
    /// Newly matched.
    pub matched: u64,
    /// Newly mismatched.
    pub mismatched: u64,
    /// Newly missing.
    pub missing: u64,
    /// The run read up to the last confirmed push (the next starts from the first).
    pub complete: bool,
}

fn system() -> CommandContext {
    CommandContext::system()
}

fn default_mapping() -> Mapping {
    Mapping {
        sale_target: TargetKind::Invoice,
        items: Default::default(),
        default_item: "1".into(),
        tax_codes: Default::default(),
        default_tax_code: None,
        currency: CurrencyMode::Multi(Currency::new("EUR").unwrap_or_else(|_| unreachable!())),
        employees: Default::default(),
    }
}

impl Accounting<'_> {
    // ---- settings ----------------------------------------------------------------------

    async fn setting<Q: Queryable>(
        &self,
        q: &mut Q,
        name: &str,
    ) -> Result<Option<Value>, AppError> {
        let v: Option<String> = q
            .exec_first(
                format!(
                    "SELECT value FROM {} WHERE name = ?",
                    self.accounting_tables().settings
                ),
                (name,),
            )
            .await
            .map_err(db)?;
        v.map(|s| serde_json::from_str(&s).map_err(|_| internal("accounting setting")))
            .transpose()
    }

    async fn put_setting<Q: Queryable>(
        &self,
        q: &mut Q,
        name: &str,
        v: &Value,
    ) -> Result<(), AppError> {
        q.exec_drop(
            format!(
                "INSERT INTO {} (name, value, updated_at) VALUES (?, ?, ?) \
                 ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)",
                self.accounting_tables().settings
            ),
            (name, v.to_string(), to_db_time(self.now())),
        )
        .await
        .map_err(db)
    }

    /// The mapping (a default one — invoices, every item to item `1`, no tax codes,
    /// multicurrency in EUR — until an admin saves one).
    pub async fn mapping(&self) -> Result<Mapping, AppError> {
        let mut conn = self.conn().await?;
        Ok(match self.setting(&mut conn, "mapping").await? {
            Some(v) => serde_json::from_value(v).map_err(|_| internal("accounting mapping"))?,
            None => default_mapping(),
        })
    }

    /// Saves the mapping (`{sale_target, items: {key: id}, default_item, tax_codes: {bp:
    /// code}, default_tax_code, currency: {mode: single|multi, home: EUR}, employees?:
    /// {employee: worker}}`); `employees` maps a PET employee — by id or by email — to
    /// `{kind: employee|vendor, id}` or the text `employee:<id>` / `vendor:<id>`. Field errors
    /// on a bad one, nothing saved. Time that waited for a mapped employee is due at once.
    pub async fn set_mapping(&self, input: &Value) -> Result<Value, AppError> {
        let mut input = input.clone();
        let mut conn = self.conn().await?;
        if let Some(obj) = input.as_object_mut() {
            // An empty map from PHP arrives as an empty list.
            for k in ["items", "tax_codes", "employees"] {
                if obj.get(k) == Some(&json!([])) {
                    obj.insert(k.into(), json!({}));
                }
            }
            // What get_mapping adds for the screen.
            obj.remove("employee_labels");
            if let Some(emps) = obj.remove("employees") {
                let resolved = self.resolve_employees(&mut conn, &emps).await?;
                obj.insert("employees".into(), resolved);
            }
        }
        let m: Mapping =
            serde_json::from_value(input).map_err(|e| AppError::field("mapping", e.to_string()))?;
        m.validate()?;
        let v = serde_json::to_value(&m).map_err(|_| internal("accounting mapping"))?;
        self.put_setting(&mut conn, "mapping", &v).await?;
        let now = to_db_time(self.now());
        conn.exec_drop(
            format!(
                "UPDATE {} SET due_at = ? WHERE status = 'queued' AND target = 'time_activity' \
                 AND due_at > ?",
                self.accounting_tables().pushes
            ),
            (now, now),
        )
        .await
        .map_err(db)?;
        Ok(v)
    }

    /// The `employees` of a mapping input as `{employee id: {kind, id}}`.
    async fn resolve_employees<Q: Queryable>(
        &self,
        q: &mut Q,
        emps: &Value,
    ) -> Result<Value, AppError> {
        let bad = |m: String| AppError::field("employees", m);
        let Some(map) = emps.as_object() else {
            return Err(bad(
                "must map employees to QuickBooks employees or vendors".into()
            ));
        };
        let mut out = serde_json::Map::new();
        for (who, worker) in map {
            let who = who.trim();
            let id = match Uuid::parse_str(who) {
                Ok(id) => Some(id.to_string()),
                Err(_) => q
                    .exec_first::<String, _, _>(
                        format!("SELECT id FROM {} WHERE email = ?", self.tables().employees),
                        (who,),
                    )
                    .await
                    .map_err(db)?,
            };
            let Some(id) = id else {
                return Err(bad(format!("{who} is not a PET employee")));
            };
            let worker = match worker {
                Value::String(t) => {
                    let (kind, wid) = t.trim().split_once(':').unwrap_or(("", ""));
                    let kind = match kind.trim() {
                        "employee" => WorkerKind::Employee,
                        "vendor" => WorkerKind::Vendor,
                        _ => {
                            return Err(bad(format!(
                                "{who}: write employee:<QuickBooks id> or vendor:<QuickBooks id>"
                            )))
                        }
                    };
                    WorkerRef {
                        kind,
                        id: wid.trim().to_owned(),
                    }
                }
                other => serde_json::from_value(other.clone()).map_err(|_| {
                    bad(format!(
                        "{who}: write employee:<QuickBooks id> or vendor:<QuickBooks id>"
                    ))
                })?,
            };
            out.insert(
                id,
                serde_json::to_value(worker).map_err(|_| internal("worker"))?,
            );
        }
        Ok(Value::Object(out))
    }

    /// The mapping as JSON (see [`Accounting::set_mapping`]), with `employee_labels`: each
    /// mapped employee's email (what the screen shows).
    pub async fn get_mapping(&self) -> Result<Value, AppError> {
        let m = self.mapping().await?;
        let mut labels = serde_json::Map::new();
        if !m.employees.is_empty() {
            let mut conn = self.conn().await?;
            for id in m.employees.keys() {
                let email: Option<String> = conn
                    .exec_first(
                        format!("SELECT email FROM {} WHERE id = ?", self.tables().employees),
                        (id.as_uuid().to_string(),),
                    )
                    .await
                    .map_err(db)?;
                labels.insert(
                    id.as_uuid().to_string(),
                    json!(email.unwrap_or_else(|| id.as_uuid().to_string())),
                );
            }
        }
        let mut v = serde_json::to_value(&m).map_err(|_| internal("accounting mapping"))?;
        v["employee_labels"] = Value::Object(labels);
        Ok(v)
    }

    /// Push records, newest first, a flat list: `{status?, reconciliation?, page?,
    /// per_page?, after?, before?}` (`reconciliation`: confirmed pushes reconciled so —
    /// `mismatched`, `missing`, `matched`, `unchecked`).
    pub async fn list_pushes(&self, query: &Value) -> Result<Value, AppError> {
        use mysql_async::Value as SqlValue;
        let q = PushListQuery::parse(query, "query")?;
        let order = crate::paging::Order::by(&[("id", true)]);
        let req = q.paging.request(&order)?;
        let mut conds = Vec::new();
        let mut params = Vec::new();
        if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
            parse_status(s).map_err(|_| AppError::field("status", "is not a push status"))?;
            conds.push("status = ?".to_owned());
            params.push(SqlValue::from(s));
        }
        if let Some(r) = q.reconciliation.as_deref().filter(|s| !s.is_empty()) {
            parse_reconciliation(r).map_err(|_| {
                AppError::field("reconciliation", "is not a reconciliation outcome")
            })?;
            if q.status.as_deref().is_none_or(str::is_empty) {
                conds.push("status = 'confirmed'".to_owned());
            }
            conds.push("reconciliation = ?".to_owned());
            params.push(SqlValue::from(r));
        }
        let mut conn = self.conn().await?;
        let (rows, total) = crate::flat::FlatList {
            from: self.accounting_tables().pushes,
            columns: PUSH_COLUMNS,
            conds,
            params,
            order: &order,
            req: &req,
            search: None,
        }
        .read(&mut conn, crate::paging::SEARCH_SCAN)
        .await?;
        let pushes = rows
            .into_iter()
            .map(|(k, r)| push_from_row(r).map(|p| (k, p)))
            .collect::<Result<Vec<_>, _>>()?;
        // The employees of the time pushes, by name (one query for the page).
        let ids: Vec<String> = pushes
            .iter()
            .filter_map(|(_, p)| match &p.doc {
                PushDoc::Time { employee_id, .. } => Some(employee_id.as_uuid().to_string()),
                _ => None,
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut names = std::collections::HashMap::new();
        if !ids.is_empty() {
            let rows: Vec<(String, String)> = conn
                .exec(
                    format!(
                        "SELECT id, name FROM {} WHERE id IN ({})",
                        self.tables().employees,
                        vec!["?"; ids.len()].join(", ")
                    ),
                    ids,
                )
                .await
                .map_err(db)?;
            names.extend(rows);
        }
        drop(conn);
        let mapping = self.mapping().await?;
        let items = pushes
            .into_iter()
            .map(|(k, p)| (k, push_view(&p, &mapping, &names)))
            .collect::<Vec<_>>();
        crate::flat::page_value(req.finish(items, total))
    }

    // ---- the outbox --------------------------------------------------------------------

    /// Queues a push for every relevant event after the checkpoint, `batch` events per
    /// command, and folds adjustments of approved time into their pushes; returns `(events
    /// read, pushes queued, adjustments folded)`.
    pub async fn feed_outbox(&self, batch: usize) -> Result<(u64, u64, u64), AppError> {
        let batch = batch.max(1);
        let mapping = self.mapping().await?;
        {
            let mut conn = self.conn().await?;
            conn.exec_drop(
                format!(
                    "INSERT IGNORE INTO {} (projection, last_sequence, updated_at) VALUES (?, 0, ?)",
                    self.tables().checkpoints
                ),
                (OUTBOX_PROJECTION, to_db_time(self.now())),
            )
            .await
            .map_err(db)?;
        }
        let (mut events, mut queued, mut adjusted) = (0u64, 0u64, 0u64);
        loop {
            let ctx = system();
            let out = command!(
                self.app(),
                &ctx,
                "accounting.feed_outbox",
                &json!({}),
                Actors::EmployeesOrSystem,
                |cx| {
                    let cp: Option<u64> = cx
                        .tx()
                        .await?
                        .exec_first(
                            format!(
                                "SELECT last_sequence FROM {} WHERE projection = ? FOR UPDATE",
                                self.tables().checkpoints
                            ),
                            (OUTBOX_PROJECTION,),
                        )
                        .await
                        .map_err(db)?;
                    let cp = cp.ok_or_else(|| internal("accounting checkpoint row missing"))?;
                    let evs = self.store().read_after(cx.tx().await?, cp, batch).await?;
                    let (mut n, mut adjusted) = (0u64, 0u64);
                    for ev in &evs {
                        if ev.event.event_type().as_str() == "time_entry.adjusted" {
                            adjusted += self.fold_adjustment(cx, ev).await?;
                            continue;
                        }
                        let entry = match outbox_entry(ev, &mapping)? {
                            Some(e) => Some(e),
                            None if ev.event.event_type().as_str() == "time_entry.approved" => {
                                self.time_entry_push(cx.tx().await?, ev, &mapping).await?
                            }
                            None => None,
                        };
                        let Some((target, source, doc)) = entry else {
                            continue;
                        };
                        let repo = PushRepo(self.app());
                        let id = PushId::for_source(source).as_uuid();
                        let existing = repo.load(cx.tx().await?, id).await?;
                        let (_, e) = cx
                            .apply(
                                &repo,
                                existing,
                                &PushCommand::Queue {
                                    target,
                                    source,
                                    doc,
                                },
                                &(),
                            )
                            .await?;
                        n += e.len() as u64;
                    }
                    if let Some(last) = evs.last().map(|e| e.sequence) {
                        let at = to_db_time(cx.now());
                        cx.tx().await?
                            .exec_drop(
                                format!(
                                    "UPDATE {} SET last_sequence = ?, updated_at = ? WHERE projection = ?",
                                    self.tables().checkpoints
                                ),
                                (last, at, OUTBOX_PROJECTION),
                            )
                            .await
                            .map_err(db)?;
                    }
                    Ok(json!({"events": evs.len(), "queued": n, "adjusted": adjusted}))
                }
            )?;
            let read = out["events"].as_u64().unwrap_or(0);
            events += read;
            queued += out["queued"].as_u64().unwrap_or(0);
            adjusted += out["adjusted"].as_u64().unwrap_or(0);
            if (read as usize) < batch {
                return Ok((events, queued, adjusted));
            }
        }
    }

    /// Folds a `time_entry.adjusted` of approved time into the entry's push (if its time
    /// was pushed: billable, a customer's); an adjustment before the approval is already in
    /// the approved minutes. Returns the events recorded (0 or 1).
    async fn fold_adjustment(
        &self,
        cx: &mut Cmd<'_, '_>,
        ev: &pet_core::RecordedEvent,
    ) -> Result<u64, AppError> {
        let e = &ev.event;
        let TimeEntryEvent::Adjusted(a) =
            TimeEntryEvent::from_stored("time_entry.adjusted", e.schema_version(), e.payload())
                .map_err(|_| {
                    AppError::Storage("accounting outbox: unreadable time_entry.adjusted".into())
                })?
        else {
            return Ok(0);
        };
        if !a.entry_approved {
            return Ok(0);
        }
        let repo = PushRepo(self.app());
        let id = PushId::for_source(SourceRef {
            kind: SourceKind::TimeEntry,
            id: a.entry_id.as_uuid(),
        })
        .as_uuid();
        let Some(existing) = repo.load(cx.tx().await?, id).await? else {
            return Ok(0);
        };
        let (_, evs) = cx
            .apply(
                &repo,
                Some(existing),
                &PushCommand::Adjust {
                    adjustment_id: a.adjustment_id.as_uuid(),
                    minutes: a.minutes,
                },
                &(),
            )
            .await?;
        Ok(evs.len() as u64)
    }

    /// A time entry's current total in minutes (approved minutes and every adjustment),
    /// from its state row (`None`: no such entry): what reconciliation holds QuickBooks to.
    async fn time_minutes<Q: Queryable>(
        &self,
        q: &mut Q,
        entry: Uuid,
    ) -> Result<Option<i64>, AppError> {
        q.exec_first(
            format!(
                "SELECT minutes + adjust_minutes FROM {} WHERE id = ?",
                self.app().delivery_tables().entries
            ),
            (entry.to_string(),),
        )
        .await
        .map_err(db)
    }

    /// A time entry's current total and its adjustments' ids, from the state rows (`None`:
    /// no such entry): what a re-push sends.
    async fn time_total(&self, entry: Uuid) -> Result<Option<TimeTotal>, AppError> {
        let d = self.app().delivery_tables();
        let mut conn = self.conn().await?;
        let Some(minutes) = self.time_minutes(&mut conn, entry).await? else {
            return Ok(None);
        };
        let ids: Vec<String> = conn
            .exec(
                format!(
                    "SELECT id FROM {} WHERE entry_id = ? ORDER BY seq",
                    d.adjustments
                ),
                (entry.to_string(),),
            )
            .await
            .map_err(db)?;
        let adjustment_ids = ids
            .iter()
            .map(|i| Uuid::parse_str(i).map_err(|_| internal("adjustment id")))
            .collect::<Result<_, _>>()?;
        Ok(Some(TimeTotal {
            minutes,
            adjustment_ids,
        }))
    }

    /// The push an approval asks for: billable time on a customer's project or ticket
    /// becomes a time activity (the note and the customer from the state rows — fixed once
    /// the entry was submitted —, the minutes as approved, the employee by id only).
    async fn time_entry_push(
        &self,
        tx: &mut Transaction<'_>,
        ev: &pet_core::RecordedEvent,
        mapping: &Mapping,
    ) -> Result<Option<(TargetKind, SourceRef, PushDoc)>, AppError> {
        let e = &ev.event;
        let TimeEntryEvent::Approved(m) =
            TimeEntryEvent::from_stored("time_entry.approved", e.schema_version(), e.payload())
                .map_err(|_| {
                    AppError::Storage("accounting outbox: unreadable time_entry.approved".into())
                })?
        else {
            return Ok(None);
        };
        let d = self.app().delivery_tables();
        let row: Option<(bool, String, Option<String>)> = tx
            .exec_first(
                format!(
                    "SELECT e.billable, e.note, COALESCE(p.customer_id, t.customer_id) \
                     FROM {} e LEFT JOIN {} p ON p.id = e.project_id \
                     LEFT JOIN {} t ON t.id = e.ticket_id WHERE e.id = ?",
                    d.entries,
                    d.projects,
                    self.app().helpdesk_tables().tickets,
                ),
                (m.entry_id.as_uuid().to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((true, note, Some(customer))) = row else {
            // Not billable, or billable to no customer: nothing to push.
            return Ok(None);
        };
        let customer_id = pet_core::identity::CustomerId::from_uuid(
            Uuid::parse_str(&customer).map_err(|_| internal("customer id"))?,
        );
        let item_key = m
            .role
            .as_ref()
            .map_or_else(|| "labour".to_owned(), |r| format!("role:{}", r.as_str()));
        // The employee's bill and cost rates in force on the day worked, when they are in
        // the company's home currency (a time activity carries no currency of its own).
        // The rate in force is the identity module's rule (`Employee::rate_at`).
        let home = mapping.currency.home();
        let employee = self
            .app()
            .identity()
            .load_employee(&mut *tx, m.employee_id.as_uuid(), Read::Shared)
            .await?;
        let rate = |kind: RateKind| {
            employee
                .as_ref()
                .and_then(|emp| emp.rate_at(kind, m.work_date))
                .map(|r| r.per_hour())
                .filter(|money| money.currency() == home)
                .map(|money| money.amount_minor())
        };
        let (hourly_rate_minor, cost_rate_minor) = (rate(RateKind::Bill), rate(RateKind::Cost));
        let rate_currency =
            (hourly_rate_minor.is_some() || cost_rate_minor.is_some()).then_some(home);
        Ok(Some((
            TargetKind::TimeActivity,
            SourceRef {
                kind: SourceKind::TimeEntry,
                id: m.entry_id.as_uuid(),
            },
            PushDoc::Time {
                entry_id: m.entry_id,
                customer_id,
                employee_id: m.employee_id,
                txn_date: m.work_date,
                minutes: m.minutes,
                item_key,
                description: note,
                hourly_rate_minor,
                cost_rate_minor,
                rate_currency,
            },
        )))
    }

    // ---- pushing -------------------------------------------------------------------------

    async fn push_command(&self, id: Uuid, cmd: PushCommand) -> Result<Push, AppError> {
        let ctx = system();
        let v = command!(
            self.app(),
            &ctx,
            "accounting.push",
            &json!({}),
            Actors::EmployeesOrSystem,
            |cx| {
                let (p, _) = cx.change(&PushRepo(self.app()), id, &cmd, &()).await?;
                serde_json::to_value(&p).map_err(|_| internal("push"))
            }
        )?;
        serde_json::from_value(v).map_err(|_| internal("push"))
    }

    /// A push as stored (no lock).
    pub async fn get_push(&self, id: Uuid) -> Result<Option<Push>, AppError> {
        let mut conn = self.conn().await?;
        PushRepo(self.app()).read(&mut conn, id, false).await
    }

    /// Sends what is due through `port` (at most [`PUSH_BATCH`] pushes, in due order).
    /// Stops at a 401 or a 429 (the rest waits for the next run).
    pub async fn push_due(&self, port: &dyn AccountingPort) -> Result<PushRunReport, AppError> {
        let mut report = PushRunReport::default();
        let mapping = self.mapping().await?;
        let now = self.now();
        let ids: Vec<String> = {
            let mut conn = self.conn().await?;
            conn.exec(
                format!(
                    "SELECT id FROM {} WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT {}",
                    self.accounting_tables().pushes,
                    PUSH_BATCH
                ),
                (to_db_time(now),),
            )
            .await
            .map_err(db)?
        };
        // A sale whose customer is pushed later in the same batch is tried again after it.
        let mut waiting = Vec::new();
        for id in ids {
            let id = Uuid::parse_str(&id).map_err(|_| internal("push id"))?;
            match self.push_one(port, &mapping, id, &mut report).await? {
                Step::Waits(_) => waiting.push(id),
                Step::Go => {}
                Step::Stop => return Ok(report),
            }
        }
        for id in waiting {
            report.waiting -= 1;
            match self.push_one(port, &mapping, id, &mut report).await? {
                Step::Stop => break,
                // Still waiting for its customer (failing, or dead until re-pushed): looked
                // at again later, so a run's batch is never filled by pushes that cannot go.
                Step::Waits(p) => self.recheck_later(&p, CUSTOMER_RECHECK_SECS).await?,
                Step::Go => {}
            }
        }
        Ok(report)
    }

    async fn customer_ref(&self, doc: &PushDoc) -> Result<Option<String>, AppError> {
        if matches!(doc, PushDoc::Customer { .. }) {
            return Ok(None);
        }
        let cid = PushId::for_source(SourceRef {
            kind: SourceKind::Customer,
            id: doc.customer_id().as_uuid(),
        });
        Ok(self
            .get_push(cid.as_uuid())
            .await?
            .filter(|c| c.status == PushStatus::Confirmed)
            .and_then(|c| c.remote_id))
    }

    async fn push_one(
        &self,
        port: &dyn AccountingPort,
        mapping: &Mapping,
        id: Uuid,
        report: &mut PushRunReport,
    ) -> Result<Step, AppError> {
        let Some(p) = self.get_push(id).await? else {
            return Ok(Step::Go);
        };
        let Plan::Send {
            look_up_first,
            request_id,
            remove,
            ..
        } = p.plan(self.now())
        else {
            return Ok(Step::Go);
        };
        if let PushDoc::Time { employee_id, .. } = &p.doc {
            if mapping.worker_for(*employee_id).is_none() {
                // Never sent unmapped: it waits, and the push list says for what.
                self.recheck_later(&p, UNMAPPED_RECHECK_SECS).await?;
                report.unmapped += 1;
                return Ok(Step::Go);
            }
        }
        let customer_ref = self.customer_ref(&p.doc).await?;
        if !matches!(p.doc, PushDoc::Customer { .. }) && customer_ref.is_none() {
            report.waiting += 1;
            return Ok(Step::Waits(Box::new(p)));
        }
        if look_up_first {
            match port.look_up(p.target, &p.doc).await {
                Ok(Some(r)) => {
                    self.confirm(id, p.generation, r, true, false).await?;
                    report.confirmed += 1;
                    return Ok(Step::Go);
                }
                Ok(None) => {}
                // The look-up failed: nothing is known, try again next run.
                Err(e) => return Ok(stop_on(&e, report)),
            }
        }
        // Written and committed before the request leaves.
        let p = self.push_command(id, PushCommand::Send).await?;
        report.sent += 1;
        let update = if p.update {
            p.remote_id.as_deref().zip(p.sync_token.as_deref())
        } else {
            None
        };
        let doc = p.send_doc();
        let req = SendRequest {
            target: p.target,
            doc: &doc,
            request_id: &request_id,
            customer_ref: customer_ref.as_deref(),
            update,
            remove,
            mapping,
        };
        match port.send(req).await {
            Ok(r) => {
                self.confirm(id, p.generation, r, false, remove).await?;
                report.confirmed += 1;
                Ok(Step::Go)
            }
            Err(e) => {
                // An update or delete refused: read the record. Gone (deleted in QuickBooks,
                // or PET's own delete whose answer was lost): recorded as removed — a new
                // record follows when the entry still has time and an adjustment waits, else
                // reconciliation shows it missing. Stale (edited there since PET read it):
                // its current sync token, so the retry quotes it (with a new request id).
                let mut sync_token = None;
                if let (PortError::Stale(_) | PortError::Rejected(_), Some((remote_id, token))) =
                    (&e, update)
                {
                    match port.read(p.target, remote_id, &doc).await {
                        Ok(None) => {
                            let gone = RemoteRecord::gone(remote_id, token);
                            self.confirm(id, p.generation, gone, false, true).await?;
                            report.confirmed += 1;
                            return Ok(Step::Go);
                        }
                        Ok(Some(r)) if matches!(e, PortError::Stale(_)) => {
                            report.stale += 1;
                            sync_token = Some(r.sync_token);
                        }
                        _ => {}
                    }
                }
                let after = self
                    .push_command(
                        id,
                        PushCommand::Fail {
                            attempt: p.attempts,
                            kind: e.kind(),
                            error: e.to_string(),
                            retry_after_secs: e.retry_after_secs(),
                            sync_token,
                        },
                    )
                    .await?;
                if after.status == PushStatus::Dead {
                    report.dead += 1;
                } else {
                    report.failed += 1;
                }
                Ok(stop_on(&e, report))
            }
        }
    }

    /// Moves a waiting push's `due_at` (a scheduling column only: its state and version
    /// are unchanged) so waiting pushes do not hold up the rest of the batch.
    async fn recheck_later(&self, p: &Push, secs: i64) -> Result<(), AppError> {
        let at = self.now() + chrono::Duration::seconds(secs);
        let mut conn = self.conn().await?;
        conn.exec_drop(
            format!(
                "UPDATE {} SET due_at = ? WHERE id = ? AND version = ? AND due_at IS NOT NULL",
                self.accounting_tables().pushes
            ),
            (to_db_time(at), p.id.as_uuid().to_string(), p.version),
        )
        .await
        .map_err(db)
    }

    async fn confirm(
        &self,
        id: Uuid,
        generation: u32,
        r: RemoteRecord,
        found: bool,
        removed: bool,
    ) -> Result<(), AppError> {
        self.push_command(
            id,
            PushCommand::Confirm {
                generation,
                remote_id: r.remote_id,
                sync_token: r.sync_token,
                found_by_lookup: found,
                amount_minor: r.amount_minor,
                removed,
            },
        )
        .await
        .map(|_| ())
    }

    /// The push job with an explicit port: the outbox, then what is due.
    pub async fn run_push_with(
        &self,
        port: &dyn AccountingPort,
    ) -> Result<PushRunReport, AppError> {
        let (events, queued, adjusted) = self.feed_outbox(OUTBOX_BATCH).await?;
        let mut report = self.push_due(port).await?;
        report.events = events;
        report.queued = queued;
        report.adjusted = adjusted;
        Ok(report)
    }

    /// The push job as the queue runs it: the port is built from the stored connection.
    pub async fn run_push_job(&self) -> Result<Value, AppError> {
        let port = self.connected_port().await?;
        let r = self.run_push_with(port.as_ref()).await?;
        if r.unauthorized {
            self.connection_lost("QuickBooks refused the access token (401)")
                .await?;
        }
        serde_json::to_value(r).map_err(|_| internal("report"))
    }

    /// The reconciliation job as the queue runs it (incremental, see
    /// [`Accounting::reconcile`]).
    pub async fn run_reconcile_job(&self) -> Result<Value, AppError> {
        self.run_reconcile(false).await
    }

    /// A full reconciliation sweep now (the screen's "Push and reconcile now").
    pub async fn run_full_reconcile_job(&self) -> Result<Value, AppError> {
        self.run_reconcile(true).await
    }

    /// Reconciles now: incrementally, or (`full`) every confirmed push.
    pub async fn run_reconcile(&self, full: bool) -> Result<Value, AppError> {
        let port = self.connected_port().await?;
        let r = if full {
            self.reconcile_all(port.as_ref()).await?
        } else {
            self.reconcile(port.as_ref()).await?
        };
        serde_json::to_value(r).map_err(|_| internal("report"))
    }

    /// Enqueues the push and reconciliation jobs (at most one of each pending).
    pub async fn enqueue_jobs(&self) -> Result<Value, AppError> {
        let now = self.now();
        let mut conn = self.conn().await?;
        let mut out = serde_json::Map::new();
        for kind in [JOB_ACCOUNTING_PUSH, JOB_ACCOUNTING_RECONCILE] {
            let id = self
                .jobs()
                .enqueue(
                    &mut conn,
                    &NewJob::new(kind, json!({}), now).dedupe(kind),
                    now,
                )
                .await?;
            out.insert(kind.to_owned(), json!(id.is_some()));
        }
        Ok(Value::Object(out))
    }

    // ---- reconciliation ------------------------------------------------------------------

    /// The reconciliation job's run: reads back at most [`RECONCILE_RUN_LIMIT`] confirmed
    /// pushes through `port`, by id from the stored checkpoint (the `reconcile_cursor`
    /// setting), records the outcomes that changed and moves the checkpoint; at the last
    /// confirmed push it starts over, so successive runs sweep every push at a bounded cost
    /// per run. A failed read stops the run where it was (the next run resumes there).
    pub async fn reconcile(&self, port: &dyn AccountingPort) -> Result<ReconcileReport, AppError> {
        self.reconcile_incremental(port, RECONCILE_RUN_LIMIT).await
    }

    /// [`Accounting::reconcile`] with an explicit bound.
    pub async fn reconcile_incremental(
        &self,
        port: &dyn AccountingPort,
        limit: usize,
    ) -> Result<ReconcileReport, AppError> {
        let start = {
            let mut conn = self.conn().await?;
            self.setting(&mut conn, RECONCILE_CURSOR).await?
        }
        .and_then(|v| v["after"].as_str().map(str::to_owned))
        .unwrap_or_default();
        let (report, next) = self.sweep(port, start, limit.max(1)).await?;
        let mut conn = self.conn().await?;
        self.put_setting(&mut conn, RECONCILE_CURSOR, &json!({ "after": next }))
            .await?;
        Ok(report)
    }

    /// A full sweep on demand: every confirmed push (the job's checkpoint is left alone).
    pub async fn reconcile_all(
        &self,
        port: &dyn AccountingPort,
    ) -> Result<ReconcileReport, AppError> {
        Ok(self.sweep(port, String::new(), usize::MAX).await?.0)
    }

    /// Reads back the confirmed pushes after `after` (keyset by id, [`RECONCILE_BATCH`] per
    /// query), at most `limit`; returns the report and where the next sweep starts (`""`
    /// once the last push was read).
    async fn sweep(
        &self,
        port: &dyn AccountingPort,
        mut after: String,
        limit: usize,
    ) -> Result<(ReconcileReport, String), AppError> {
        let mapping = self.mapping().await?;
        let mut report = ReconcileReport::default();
        let mut left = limit;
        loop {
            let n = left.min(RECONCILE_BATCH);
            let ids: Vec<String> = {
                let mut conn = self.conn().await?;
                conn.exec(
                    format!(
                        "SELECT id FROM {} WHERE status = 'confirmed' AND id > ? ORDER BY id LIMIT {n}",
                        self.accounting_tables().pushes,
                    ),
                    (after.as_str(),),
                )
                .await
                .map_err(db)?
            };
            for id in &ids {
                if !self.reconcile_one(port, &mapping, id, &mut report).await? {
                    return Ok((report, after));
                }
                after.clone_from(id);
            }
            left -= ids.len();
            if ids.len() < n {
                report.complete = true;
                return Ok((report, String::new()));
            }
            if left == 0 {
                return Ok((report, after));
            }
        }
    }

    /// Reads back one push and records what changed; `false` when the read failed.
    async fn reconcile_one(
        &self,
        port: &dyn AccountingPort,
        mapping: &Mapping,
        id: &str,
        report: &mut ReconcileReport,
    ) -> Result<bool, AppError> {
        let id = Uuid::parse_str(id).map_err(|_| internal("push id"))?;
        let Some(p) = self.get_push(id).await? else {
            return Ok(true);
        };
        let Some(remote_id) = p.remote_id.clone() else {
            return Ok(true);
        };
        let remote = match port.read(p.target, &remote_id, &p.doc).await {
            Ok(r) => r,
            Err(_) => return Ok(false),
        };
        let customer_ref = self.customer_ref(&p.doc).await?;
        let worker = match &p.doc {
            PushDoc::Time { employee_id, .. } => {
                mapping.worker_for(*employee_id).map(WorkerRef::key)
            }
            _ => None,
        };
        // A time activity is held to the entry's current total, so an adjustment not
        // applied in QuickBooks (yet) shows as a difference in minutes.
        let minutes = match p.source.kind {
            SourceKind::TimeEntry => {
                let mut conn = self.conn().await?;
                self.time_minutes(&mut conn, p.source.id).await?
            }
            _ => None,
        };
        report.checked += 1;
        let after_p = self
            .push_command(
                id,
                PushCommand::Reconcile {
                    remote,
                    customer_ref,
                    worker,
                    minutes,
                },
            )
            .await?;
        // An event was recorded: the outcome (or its differences) changed.
        if after_p.version != p.version {
            match after_p.reconciliation {
                Reconciliation::Matched => report.matched += 1,
                Reconciliation::Mismatched => report.mismatched += 1,
                Reconciliation::Missing => report.missing += 1,
                Reconciliation::Unchecked => {}
            }
        }
        Ok(true)
    }

    /// The one-click re-push of a dead, mismatched or missing push.
    pub async fn repush(&self, push_id: &str, ctx: &CommandContext) -> Result<Value, AppError> {
        let id = Uuid::parse_str(push_id.trim())
            .map_err(|_| AppError::field("push_id", "is not a valid id"))?;
        // A time push sends the entry's current total (every adjustment included).
        let time = match self.get_push(id).await? {
            Some(p) if p.source.kind == SourceKind::TimeEntry => {
                self.time_total(p.source.id).await?
            }
            _ => None,
        };
        command!(
            self.app(),
            ctx,
            "accounting.repush",
            &json!({"push_id": push_id}),
            |cx| {
                let (p, _) = cx
                    .change(
                        &PushRepo(self.app()),
                        id,
                        &PushCommand::Requeue {
                            reason: "re-pushed from the reconciliation screen".into(),
                            time: time.clone(),
                        },
                        &(),
                    )
                    .await?;
                serde_json::to_value(&p).map_err(|_| internal("push"))
            }
        )
    }

    /// [`Accounting::totals`] of the mapping's sale target (invoices or estimates).
    pub async fn push_totals(&self) -> Result<Value, AppError> {
        let target = self.mapping().await?.sale_target;
        self.totals(target).await
    }

    /// The totals query (one parameter: the target), served by the covering index
    /// `ix_accounting_totals` alone.
    pub fn totals_sql(&self) -> String {
        format!(
            "SELECT period, currency, COUNT(*), SUM(amount_minor), \
             SUM(COALESCE(remote_amount_minor, 0)) FROM {} \
             WHERE target = ? AND status = 'confirmed' AND period IS NOT NULL \
             GROUP BY period, currency ORDER BY period DESC, currency LIMIT 36",
            self.accounting_tables().pushes
        )
    }

    /// Totals per period (month) and currency of the pushed sales: PET's total of the
    /// confirmed ones and the accounting system's total as last read, to the minor unit.
    pub async fn totals(&self, target: TargetKind) -> Result<Value, AppError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, String, i64, i64, i64)> = conn
            .exec(self.totals_sql(), (target.as_str(),))
            .await
            .map_err(db)?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(period, currency, n, pet, remote)| {
                    json!({"period": period, "currency": currency, "count": n,
                           "pet_minor": pet, "remote_minor": remote, "agree": pet == remote})
                })
                .collect(),
        ))
    }
}

crate::fields::command_input! {
    /// Query of [`Accounting::list_pushes`].
    pub struct PushListQuery {
        /// `queued`, `in_flight`, `failed`, `confirmed` or `dead`.
        status: Option<String>,
        /// `unchecked`, `matched`, `mismatched` or `missing` (confirmed pushes).
        reconciliation: Option<String>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

/// An employee's name as `names` has it (the id when unknown).
fn employee_name(names: &std::collections::HashMap<String, String>, id: EmployeeId) -> String {
    let id = id.as_uuid().to_string();
    names.get(&id).cloned().unwrap_or(id)
}

/// Why a push that is not sent yet waits, if it waits for the admin.
fn waiting_reason(
    p: &Push,
    mapping: &Mapping,
    names: &std::collections::HashMap<String, String>,
) -> Option<String> {
    match (&p.doc, p.status) {
        (PushDoc::Time { employee_id, .. }, PushStatus::Queued | PushStatus::Failed)
            if mapping.worker_for(*employee_id).is_none() =>
        {
            let employee_name = employee_name(names, *employee_id);
            Some(format!(
                "Waiting for a mapping: {employee_name} is not mapped to a QuickBooks employee or \
                 vendor (Mapping, Employees)."
            ))
        }
        _ => None,
    }
}

/// A push as the screens show it, with the actions it offers (`names`: employees' names by
/// id, for time activities).
fn push_view(
    p: &Push,
    mapping: &Mapping,
    names: &std::collections::HashMap<String, String>,
) -> Value {
    let repushable = p.status == PushStatus::Dead
        || (p.status == PushStatus::Confirmed
            && matches!(
                p.reconciliation,
                Reconciliation::Mismatched | Reconciliation::Missing
            ));
    let (label, amount, currency) = match &p.doc {
        PushDoc::Customer { display_name, .. } => (display_name.clone(), None, None),
        PushDoc::Sale {
            doc_number,
            total_minor,
            currency,
            ..
        } => (
            doc_number.clone(),
            Some(*total_minor),
            Some(currency.as_str().to_owned()),
        ),
        PushDoc::Time {
            employee_id,
            txn_date,
            minutes,
            ..
        } => (
            format!(
                "{} {txn_date} ({minutes} min)",
                employee_name(names, *employee_id)
            ),
            None,
            None,
        ),
    };
    json!({
        "id": p.id.as_uuid().to_string(),
        "target": p.target.as_str(),
        "source": {"kind": p.source.kind.as_str(), "id": p.source.id.to_string()},
        "label": label,
        "amount_minor": amount,
        "currency": currency,
        "status": p.status.as_str(),
        "generation": p.generation,
        "attempts": p.attempts,
        "failures": p.failures,
        "next_at": p.next_at.map(|t| t.to_rfc3339()),
        "remote_id": p.remote_id,
        "last_error": p.last_error,
        "reconciliation": p.reconciliation.as_str(),
        "differences": p.differences,
        "remote_amount_minor": p.remote_amount_minor,
        "removed": p.removed,
        "adjustments": p.adjustments.len(),
        "request_id": p.request_id(),
        "waiting": waiting_reason(p, mapping, names),
        "actions": if repushable { json!(["repush"]) } else { json!([]) },
    })
}

enum Step {
    Go,
    /// Not sent: its customer is not in QuickBooks yet (the push as read).
    Waits(Box<Push>),
    Stop,
}

fn stop_on(e: &PortError, report: &mut PushRunReport) -> Step {
    match e {
        PortError::RateLimited { .. } => {
            report.rate_limited = true;
            Step::Stop
        }
        PortError::Unauthorized(_) => {
            report.unauthorized = true;
            Step::Stop
        }
        _ => Step::Go,
    }
}

/// The push an event asks for, if any.
fn outbox_entry(
    ev: &pet_core::RecordedEvent,
    mapping: &Mapping,
) -> Result<Option<(TargetKind, SourceRef, PushDoc)>, AppError> {
    let e = &ev.event;
    let bad = |what: &str| AppError::Storage(format!("accounting outbox: unreadable {what}"));
    Ok(match e.event_type().as_str() {
        "customer.created" => {
            let CustomerEvent::Created(c) =
                CustomerEvent::from_stored("customer.created", e.schema_version(), e.payload())
                    .map_err(|_| bad("customer.created"))?
            else {
                return Ok(None);
            };
            Some((
                TargetKind::Customer,
                SourceRef {
                    kind: SourceKind::Customer,
                    id: c.customer_id.as_uuid(),
                },
                PushDoc::Customer {
                    customer_id: c.customer_id,
                    display_name: c.name.as_str().to_owned(),
                },
            ))
        }
        "sale.recorded" => {
            let QuoteEvent::SaleRecorded(s) =
                QuoteEvent::from_stored("sale.recorded", e.schema_version(), e.payload())
                    .map_err(|_| bad("sale.recorded"))?
            else {
                return Ok(None);
            };
            let doc = PushDoc::from_sale(&s, e.occurred_at().date_naive())?;
            Some((
                mapping.sale_target,
                SourceRef {
                    kind: SourceKind::Sale,
                    id: s.sale_id.as_uuid(),
                },
                doc,
            ))
        }
        _ => None,
    })
}
