//! SLA definitions (immutable versions), the per-ticket SLA assignment and the SLA job.
//!
//! The SLA job ([`JOB_SLA_EVALUATE`], [`App::evaluate_slas`]) evaluates the clock of every
//! ticket whose SLA still has an undecided target and records `sla.warning`,
//! `sla.breached` and `sla.met` exactly once each:
//! - it reads candidates in pages without locks, evaluates them with a [`CompiledSla`] per
//!   pinned version, and only for tickets with something to record opens a transaction
//!   per batch that locks their assignment rows (`FOR UPDATE`), re-reads what was recorded
//!   and the ticket's timeline, decides again and writes — so an overlapping run waits
//!   and then finds nothing left to record;
//! - each batch commits on its own: a run that dies half-way leaves whole batches done and
//!   the rest for the next run (the job is idempotent);
//! - the unique key `uq_sla_outcome (ticket_id, target, kind)` on `sla_events` is the
//!   database's own guarantee that an outcome is never stored twice.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Row, Transaction, Value as SqlValue};
use pet_core::helpdesk::sla::{self as core_sla, SlaOutcome};
use pet_core::helpdesk::{
    CompiledSla, RecordedMarks, RecordedSla, SlaAssignment, SlaAssignmentCommand, SlaClockReading,
    SlaDefinition, SlaDefinitionCommand, SlaDefinitionId, SlaEvent, SlaSpec, SlaTarget, SlaVersion,
    SlaVersionNumber, TicketId,
};
use pet_core::identity::Name;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::tickets::parse_timeline;
use super::{db, internal, HelpdeskTables};
use crate::app::{App, CommandContext};
use crate::command::{command, Cmd, Repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{AppError, StorageError};
use crate::fields::command_input;
use crate::flat::{page_value, FlatList, TextSearch};
use crate::input::arg_uuid;
use crate::jobs::NewJob;
use crate::paging::Order;
use crate::services::Helpdesk;
use crate::uow::UnitOfWork;
use pet_core::helpdesk::{shown_state, sla_summary, SlaDefinitionEvent};

/// Job kind: evaluate every open ticket's SLA clock and record warnings, breaches and met
/// targets (enqueued every minute by WP-Cron through [`App::enqueue_sla_job`]).
pub const JOB_SLA_EVALUATE: &str = pet_core::helpdesk::JOB_SLA_EVALUATE;

/// Rows per multi-row statement when the SLA job writes a batch.
const WRITE_CHUNK: usize = 100;

/// How an SLA run proceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaRunOptions {
    /// Candidates read per page.
    pub page_size: usize,
    /// Tickets written per transaction.
    pub batch_size: usize,
    /// Stop after this many written batches (tests: a run that stops half-way).
    pub max_batches: Option<usize>,
}

impl Default for SlaRunOptions {
    fn default() -> Self {
        Self {
            page_size: 5000,
            batch_size: 500,
            max_batches: None,
        }
    }
}

/// What one SLA run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlaRunReport {
    /// Tickets whose clock was evaluated.
    pub evaluated: u64,
    /// Tickets that got at least one outcome recorded.
    pub tickets_recorded: u64,
    /// `sla.warning` events recorded.
    pub warnings: u64,
    /// `sla.breached` events recorded.
    pub breaches: u64,
    /// `sla.met` events recorded.
    pub met: u64,
    /// Candidates another run had already recorded (found nothing left under the lock).
    pub skipped: u64,
}

impl SlaRunReport {
    /// As JSON for the PHP API.
    pub fn to_json(&self) -> Value {
        json!({
            "evaluated": self.evaluated, "tickets_recorded": self.tickets_recorded,
            "warnings": self.warnings, "breaches": self.breaches, "met": self.met,
            "skipped": self.skipped,
        })
    }
}

/// The column list of an assignment row, in [`assignment_from_row`] order.
pub(crate) const ASSIGNMENT_COLUMNS: &str =
    "ticket_id, definition_id, definition_version, paused, \
     fr_warning, fr_breached, fr_met, res_warning, res_breached, res_met, version";

pub(crate) fn assignment_from_row(r: &Row) -> Result<SlaAssignment, AppError> {
    let s = |i: usize| -> Result<String, AppError> {
        r.get_opt::<String, _>(i)
            .and_then(Result::ok)
            .ok_or_else(|| internal("assignment row"))
    };
    let b = |i: usize| -> bool { r.get_opt::<u8, _>(i).and_then(Result::ok).unwrap_or(0) != 0 };
    let ticket = Uuid::parse_str(&s(0)?).map_err(|_| internal("assignment ticket id"))?;
    let def = Uuid::parse_str(&s(1)?).map_err(|_| internal("assignment definition id"))?;
    let number: u32 = r
        .get_opt(2)
        .and_then(Result::ok)
        .ok_or_else(|| internal("assignment version number"))?;
    let version: u64 = r
        .get_opt(10)
        .and_then(Result::ok)
        .ok_or_else(|| internal("assignment version"))?;
    Ok(SlaAssignment::restore(
        TicketId::from_uuid(ticket),
        SlaDefinitionId::from_uuid(def),
        SlaVersionNumber::new(number).map_err(|_| internal("assignment version number"))?,
        b(3),
        RecordedSla {
            first_response: RecordedMarks {
                warning: b(4),
                breached: b(5),
                met: b(6),
            },
            resolution: RecordedMarks {
                warning: b(7),
                breached: b(8),
                met: b(9),
            },
        },
        version,
    ))
}

fn marks_json(m: RecordedMarks) -> Value {
    json!({"warning": m.warning, "breached": m.breached, "met": m.met})
}

fn all_final(r: &RecordedSla) -> bool {
    r.first_response.is_final() && r.resolution.is_final()
}

/// The JSON of a ticket's SLA at `now`.
pub(crate) fn sla_json(
    a: &SlaAssignment,
    definition_name: Option<&str>,
    reading: &SlaClockReading,
) -> Value {
    let recorded = a.recorded();
    let (state, due) = sla_summary(reading, &recorded);
    let target = |t: SlaTarget| {
        let r = reading.of(t);
        json!({
            "state": shown_state(r.state, recorded.of(t)).as_str(),
            "elapsed_minutes": r.elapsed_minutes(),
            "target_minutes": r.target_minutes,
            "remaining_minutes": i64::from(r.target_minutes) - r.elapsed_minutes(),
            "due_at": r.due_at.map(rfc3339),
            "warning_at": r.warning_at.map(rfc3339),
            "breached_at": r.breached_at.map(rfc3339),
            "recorded": marks_json(recorded.of(t)),
        })
    };
    json!({
        "definition_id": a.definition_id().to_string(),
        "definition_name": definition_name,
        "definition_version": a.definition_version().get(),
        "paused": a.is_paused(),
        "state": state.as_str(),
        "due_at": due.map(rfc3339),
        "first_response": target(SlaTarget::FirstResponse),
        "resolution": target(SlaTarget::Resolution),
    })
}

command_input! {
    /// Query of [`Helpdesk::list_sla_definitions`].
    pub struct SlaDefinitionListQuery {
        /// Text in the name.
        search: Option<String>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

command_input! {
    /// Input of [`App::create_sla_definition`].
    pub struct NewSlaDefinitionInput {
        /// The definition's name.
        name: Name,
        /// Version 1 (errors named `spec.…`).
        spec: SlaSpec,
    }
}

command_input! {
    /// Input of [`App::publish_sla_version`].
    pub struct SlaVersionInput {
        /// The next version (errors named `spec.…`).
        spec: SlaSpec,
    }
}

/// One published version of an SLA definition.
#[derive(Debug, Clone, Serialize)]
pub struct SlaVersionView {
    /// Its number.
    pub number: u32,
    /// When it was published (RFC 3339).
    pub published_at: String,
    /// Its spec (the input shape).
    pub spec: Value,
}

/// An SLA definition with every version, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct SlaDefinitionView {
    /// The commands it takes (`SlaDefinition::ACTIONS`: `publish` a new version).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The version new tickets get.
    pub current_version: u32,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// The current version's spec.
    pub spec: Value,
    /// Every version, newest first.
    pub versions: Vec<SlaVersionView>,
    /// Tickets under any of its versions.
    pub ticket_count: u64,
}

/// An SLA definition in the list (no versions).
#[derive(Debug, Clone, Serialize)]
pub struct SlaDefinitionRow {
    /// The commands it takes (`SlaDefinition::ACTIONS`).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The version new tickets get.
    pub current_version: u32,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

fn view_value<T: Serialize>(view: &T) -> Result<Value, AppError> {
    serde_json::to_value(view).map_err(|e| internal(&format!("view not serialisable: {e}")))
}

fn spec_json(spec: &SlaSpec) -> Result<Value, AppError> {
    serde_json::to_value(spec.to_input()).map_err(|_| internal("spec not serialisable"))
}

/// SLA definitions: restored from their rows and version rows; saved with a version check
/// and a row per published version.
pub(crate) struct SlaDefinitions<'a>(pub(crate) &'a App);

impl Repository<SlaDefinition> for SlaDefinitions<'_> {
    const NAME: &'static str = "SLA definition";
    async fn load(
        &self,
        tx: &mut Transaction<'_>,
        id: Uuid,
    ) -> Result<Option<SlaDefinition>, AppError> {
        let t = self.0.helpdesk_tables();
        crate::command::found(self.0.helpdesk().hd_load_sla_definition(tx, &t, id).await)
    }
    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &SlaDefinition,
        events: &[SlaDefinitionEvent],
    ) -> Result<(), AppError> {
        let t = self.0.helpdesk_tables();
        let id = after.id().as_uuid();
        let current = after
            .current()
            .map(|v| v.number.get())
            .ok_or_else(|| internal("definition without version"))?;
        let nowdb = to_db_time(cx.now());
        if before == 0 {
            cx.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (id, name, current_version, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        t.sla_definitions
                    ),
                    (id.to_string(), after.name().as_str(), current, after.version(), nowdb, nowdb),
                )
                .await
                .map_err(db)?;
        } else {
            cx.uow().update_versioned(
                &format!(
                    "UPDATE {} SET current_version = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.sla_definitions
                ),
                (current, after.version(), nowdb, id.to_string(), before),
                "SLA definition",
            )
            .await?;
        }
        for ev in events {
            if let pet_core::helpdesk::SlaDefinitionEvent::VersionPublished(p) = ev {
                let spec = spec_json(&p.spec)?.to_string();
                cx.uow().insert(
                    &format!(
                        "INSERT INTO {} (definition_id, number, spec, published_at) VALUES (?, ?, ?, ?)",
                        t.sla_versions
                    ),
                    (id.to_string(), p.number.get(), spec, nowdb),
                    |_| StorageError::Conflict("this SLA version was published concurrently".into()),
                )
                .await?;
            }
        }
        Ok(())
    }
}

impl Helpdesk<'_> {
    // ---- repositories -------------------------------------------------------------

    /// One version's spec.
    pub(crate) async fn hd_load_sla_spec<Q: Queryable>(
        &self,
        q: &mut Q,
        t: &HelpdeskTables,
        definition_id: SlaDefinitionId,
        number: SlaVersionNumber,
    ) -> Result<SlaSpec, AppError> {
        let spec: Option<String> = q
            .exec_first(
                format!(
                    "SELECT spec FROM {} WHERE definition_id = ? AND number = ?",
                    t.sla_versions
                ),
                (definition_id.to_string(), number.get()),
            )
            .await
            .map_err(db)?;
        let spec = spec.ok_or_else(|| {
            AppError::NotFound(format!("SLA definition {definition_id} version {number}"))
        })?;
        serde_json::from_str::<SlaSpec>(&spec)
            .map_err(|e| AppError::Storage(format!("stored SLA spec unreadable: {e}")))
    }

    async fn hd_load_sla_definition<Q: Queryable>(
        &self,
        q: &mut Q,
        t: &HelpdeskTables,
        id: Uuid,
    ) -> Result<SlaDefinition, AppError> {
        let row: Option<(String, u64)> = q
            .exec_first(
                format!(
                    "SELECT name, version FROM {} WHERE id = ?",
                    t.sla_definitions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let (name, version) =
            row.ok_or_else(|| AppError::NotFound(format!("SLA definition {id}")))?;
        let rows: Vec<(u32, String)> = q
            .exec(
                format!(
                    "SELECT number, spec FROM {} WHERE definition_id = ? ORDER BY number",
                    t.sla_versions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let mut versions = Vec::with_capacity(rows.len());
        for (n, spec) in rows {
            versions.push(SlaVersion {
                number: SlaVersionNumber::new(n).map_err(|_| internal("version number"))?,
                spec: serde_json::from_str(&spec)
                    .map_err(|e| AppError::Storage(format!("stored SLA spec unreadable: {e}")))?,
            });
        }
        Ok(SlaDefinition::restore(
            SlaDefinitionId::from_uuid(id),
            Name::new(&name).map_err(|_| internal("definition name"))?,
            versions,
            version,
        ))
    }

    async fn hd_sla_definition_view<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<Value, AppError> {
        let t = self.helpdesk_tables();
        let row: Option<(String, String, u32, u64, NaiveDateTime, NaiveDateTime)> = q
            .exec_first(
                format!(
                    "SELECT id, name, current_version, version, created_at, updated_at FROM {} WHERE id = ?",
                    t.sla_definitions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((id_s, name, current, version, created, updated)) = row else {
            return Err(AppError::NotFound(format!("SLA definition {id}")));
        };
        let rows: Vec<(u32, String, NaiveDateTime)> = q
            .exec(
                format!(
                    "SELECT number, spec, published_at FROM {} WHERE definition_id = ? ORDER BY number DESC",
                    t.sla_versions
                ),
                (&id_s,),
            )
            .await
            .map_err(db)?;
        let tickets: Option<u64> = q
            .exec_first(
                format!(
                    "SELECT COUNT(*) FROM {} WHERE definition_id = ?",
                    t.sla_assignments
                ),
                (&id_s,),
            )
            .await
            .map_err(db)?;
        let mut versions = Vec::with_capacity(rows.len());
        let mut current_spec = Value::Null;
        for (n, spec, at) in rows {
            let spec: Value = serde_json::from_str(&spec)
                .map_err(|e| AppError::Storage(format!("stored SLA spec unreadable: {e}")))?;
            if n == current {
                current_spec = spec.clone();
            }
            versions.push(SlaVersionView {
                number: n,
                published_at: rfc3339(from_db_time(at)),
                spec,
            });
        }
        view_value(&SlaDefinitionView {
            actions: SlaDefinition::ACTIONS,
            id: id_s,
            name,
            current_version: current,
            version,
            created_at: rfc3339(from_db_time(created)),
            updated_at: rfc3339(from_db_time(updated)),
            spec: current_spec,
            versions,
            ticket_count: tickets.unwrap_or(0),
        })
    }

    async fn hd_sla_definition_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: SlaDefinitionCommand,
    ) -> Result<Value, AppError> {
        command!(self, ctx, command, &request, |cx| {
            let repo = SlaDefinitions(self);
            if matches!(cmd, SlaDefinitionCommand::Create { .. }) {
                cx.create(&repo, &cmd, &()).await?;
            } else {
                cx.change(&repo, id, &cmd, &()).await?;
            }
            self.hd_sla_definition_view(cx.tx().await?, id).await
        })
    }

    // ---- SLA definitions --------------------------------------------------------------

    /// Creates an SLA definition and publishes version 1: `{name, spec}` where `spec` is
    /// `{calendar: {timezone, working_hours: {mon: [{start, end}], …}, holidays: [date]},
    /// targets: {low|normal|high|urgent: {first_response_minutes, resolution_minutes}},
    /// pause_statuses: [status], warning_percent, always_on: [priority]}`.
    pub async fn create_sla_definition(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let NewSlaDefinitionInput { name, spec } = NewSlaDefinitionInput::parse(input, "input")?;
        let id = Uuid::now_v7();
        let cmd = SlaDefinitionCommand::Create {
            id: SlaDefinitionId::from_uuid(id),
            name,
            spec,
        };
        self.hd_sla_definition_command(ctx, "create_sla_definition", input.clone(), id, cmd)
            .await
    }

    /// Publishes an edit as the next version: `{spec}`. Tickets already assigned keep
    /// their version.
    pub async fn publish_sla_version(
        &self,
        definition_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("definition_id", definition_id)?;
        let spec = SlaVersionInput::parse(input, "input")?.spec;
        self.hd_sla_definition_command(
            ctx,
            "publish_sla_version",
            json!({"id": id, "input": input}),
            id,
            SlaDefinitionCommand::Publish { spec },
        )
        .await
    }

    /// What the SLA editor offers (`SlaSpecOptions`):
    /// `{priorities, weekdays, pause_statuses}`.
    pub async fn sla_options(&self) -> Result<Value, AppError> {
        view_value(&pet_core::helpdesk::SlaSpecOptions::get())
    }

    /// One SLA definition with every version (newest first).
    pub async fn get_sla_definition(&self, definition_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("definition_id", definition_id)?;
        let mut conn = self.conn().await?;
        self.hd_sla_definition_view(&mut conn, id).await
    }

    /// SLA definitions by name: `{search?, page?, per_page?, after?, before?}` (items without
    /// versions) — a flat list.
    pub async fn list_sla_definitions(&self, query: &Value) -> Result<Value, AppError> {
        let q = SlaDefinitionListQuery::parse(query, "query")?;
        let order = Order::by(&[("name", false), ("id", false)]);
        let req = q.paging.request(&order)?;
        let t = self.helpdesk_tables();
        let mut conn = self.conn().await?;
        let (rows, total) = FlatList {
            from: t.sla_definitions.clone(),
            columns: "id, name, current_version, version, updated_at",
            conds: Vec::new(),
            params: Vec::new(),
            order: &order,
            req: &req,
            search: TextSearch::new(q.search.as_deref(), &["name"]),
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let rows = rows
            .into_iter()
            .map(|(k, r)| {
                mysql_async::from_row_opt::<(String, String, u32, u64, NaiveDateTime)>(r)
                    .map(|(id, name, current_version, version, upd)| {
                        (
                            k,
                            SlaDefinitionRow {
                                actions: SlaDefinition::ACTIONS,
                                id,
                                name,
                                current_version,
                                version,
                                updated_at: rfc3339(from_db_time(upd)),
                            },
                        )
                    })
                    .map_err(|e| internal(&e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        page_value(req.finish(rows, total))
    }

    // ---- assignment -----------------------------------------------------------------

    /// Writes the assignment row (insert when `before == 0`, else version-checked update).
    pub(crate) async fn hd_write_sla_assignment(
        &self,
        uow: &mut UnitOfWork<'_>,
        t: &HelpdeskTables,
        before: u64,
        a: &SlaAssignment,
    ) -> Result<(), AppError> {
        let r = a.recorded();
        let nowdb = to_db_time(uow.now());
        let flags = (
            a.is_paused(),
            r.first_response.warning,
            r.first_response.breached,
            r.first_response.met,
            r.resolution.warning,
            r.resolution.breached,
            r.resolution.met,
            !all_final(&r),
        );
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {} (ticket_id, definition_id, definition_version, paused, fr_warning, \
                     fr_breached, fr_met, res_warning, res_breached, res_met, open_marks, version, \
                     assigned_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.sla_assignments
                ),
                vec![
                    SqlValue::from(a.ticket_id().to_string()),
                    a.definition_id().to_string().into(),
                    a.definition_version().get().into(),
                    flags.0.into(),
                    flags.1.into(),
                    flags.2.into(),
                    flags.3.into(),
                    flags.4.into(),
                    flags.5.into(),
                    flags.6.into(),
                    flags.7.into(),
                    a.version().into(),
                    nowdb.into(),
                    nowdb.into(),
                ],
                |_| StorageError::Conflict("the ticket already has an SLA".into()),
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET paused = ?, fr_warning = ?, fr_breached = ?, fr_met = ?, res_warning = ?, \
                     res_breached = ?, res_met = ?, open_marks = ?, version = ?, updated_at = ? \
                     WHERE ticket_id = ? AND version = ?",
                    t.sla_assignments
                ),
                vec![
                    SqlValue::from(flags.0),
                    flags.1.into(),
                    flags.2.into(),
                    flags.3.into(),
                    flags.4.into(),
                    flags.5.into(),
                    flags.6.into(),
                    flags.7.into(),
                    a.version().into(),
                    nowdb.into(),
                    a.ticket_id().to_string().into(),
                    before.into(),
                ],
                "SLA assignment",
            )
            .await?;
        }
        Ok(())
    }

    /// Writes the recorded marks of locked assignment rows, many per statement: every row
    /// must still be at its `before` version (else the whole batch is a conflict).
    async fn hd_update_sla_assignments(
        &self,
        uow: &mut UnitOfWork<'_>,
        t: &HelpdeskTables,
        rows: &[(u64, SlaAssignment)],
    ) -> Result<(), AppError> {
        if rows.is_empty() {
            return Ok(());
        }
        let n = rows.len();
        let case = vec!["WHEN ? THEN ?"; n].join(" ");
        let columns = [
            "paused",
            "fr_warning",
            "fr_breached",
            "fr_met",
            "res_warning",
            "res_breached",
            "res_met",
            "open_marks",
            "version",
        ];
        let set: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} = CASE ticket_id {case} END"))
            .collect();
        let mut params: Vec<SqlValue> = Vec::with_capacity(n * (2 * columns.len() + 3) + 1);
        for c in 0..columns.len() {
            for (_, a) in rows {
                let r = a.recorded();
                let v: SqlValue = match c {
                    0 => a.is_paused().into(),
                    1 => r.first_response.warning.into(),
                    2 => r.first_response.breached.into(),
                    3 => r.first_response.met.into(),
                    4 => r.resolution.warning.into(),
                    5 => r.resolution.breached.into(),
                    6 => r.resolution.met.into(),
                    7 => (!all_final(&r)).into(),
                    _ => a.version().into(),
                };
                params.push(a.ticket_id().to_string().into());
                params.push(v);
            }
        }
        params.push(to_db_time(uow.now()).into());
        for (_, a) in rows {
            params.push(a.ticket_id().to_string().into());
        }
        for (before, a) in rows {
            params.push(a.ticket_id().to_string().into());
            params.push((*before).into());
        }
        let sql = format!(
            "UPDATE {} SET {}, updated_at = ? WHERE ticket_id IN ({}) AND version = CASE ticket_id {case} END",
            t.sla_assignments,
            set.join(", "),
            vec!["?"; n].join(", ")
        );
        uow.tx().await?.exec_drop(sql, params).await.map_err(db)?;
        if uow.tx().await?.affected_rows() != n as u64 {
            return Err(AppError::from(StorageError::Conflict(
                "SLA assignment was changed by someone else; reload and try again".into(),
            )));
        }
        Ok(())
    }

    /// Stores the outcome rows of `events` (`sla.warning|breached|met`); a duplicate is a
    /// conflict (the unique key is the last line of defence against double recording).
    pub(crate) async fn hd_insert_sla_outcomes(
        &self,
        uow: &mut UnitOfWork<'_>,
        t: &HelpdeskTables,
        events: &[SlaEvent],
    ) -> Result<(), AppError> {
        let rows: Vec<(&str, &SlaOutcome)> = events
            .iter()
            .filter_map(|e| match e {
                SlaEvent::Warning(p) => Some(("warning", p)),
                SlaEvent::Breached(p) => Some(("breached", p)),
                SlaEvent::Met(p) => Some(("met", p)),
                _ => None,
            })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let nowdb = to_db_time(uow.now());
        let mut params: Vec<SqlValue> = Vec::with_capacity(rows.len() * 10);
        for (kind, p) in &rows {
            params.extend([
                SqlValue::from(Uuid::now_v7().to_string()),
                p.ticket_id.to_string().into(),
                p.target.as_str().into(),
                (*kind).into(),
                p.definition_id.to_string().into(),
                p.definition_version.get().into(),
                p.elapsed_minutes.into(),
                p.target_minutes.into(),
                p.reached_at.map(to_db_time).into(),
                nowdb.into(),
            ]);
        }
        let sql = format!(
            "INSERT INTO {} (id, ticket_id, target, kind, definition_id, definition_version, \
             elapsed_minutes, target_minutes, reached_at, recorded_at) VALUES {}",
            t.sla_events,
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows.len()].join(", ")
        );
        uow.insert(&sql, params, |_| {
            StorageError::Conflict("this SLA outcome was already recorded".into())
        })
        .await?;
        Ok(())
    }

    // ---- the SLA job ----------------------------------------------------------------

    /// Enqueues the SLA job (deduplicated: at most one pending). WP-Cron calls this every
    /// minute, then `runJobs`. `{enqueued: bool}`.
    pub async fn enqueue_sla_job(&self) -> Result<Value, AppError> {
        let now = self.now();
        let mut conn = self.conn().await?;
        let id = self
            .jobs()
            .enqueue(
                &mut conn,
                &NewJob::new(JOB_SLA_EVALUATE, json!({}), now).dedupe(JOB_SLA_EVALUATE),
                now,
            )
            .await?;
        Ok(json!({"enqueued": id.is_some(), "job_id": id.map(|u| u.to_string())}))
    }

    /// The SLA job at the app clock's now (what the job queue runs).
    pub async fn evaluate_slas(&self) -> Result<SlaRunReport, AppError> {
        self.evaluate_slas_at(self.now(), SlaRunOptions::default())
            .await
    }

    /// The SLA job at `at` (an RFC 3339 time) or, without it, now: the report as JSON
    /// with `evaluated_at`. Only the PHP extension's test builds pass `at` (see
    /// `pet-php/src/helpdesk.rs`, feature `test-clock`).
    pub async fn run_sla_job_at(&self, at: Option<&str>) -> Result<Value, AppError> {
        let now = match at {
            None => self.now(),
            Some(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| AppError::field("at", "must be an RFC 3339 timestamp"))?,
        };
        let report = self.evaluate_slas_at(now, SlaRunOptions::default()).await?;
        let mut v = report.to_json();
        if let Some(o) = v.as_object_mut() {
            o.insert("evaluated_at".into(), json!(rfc3339(now)));
        }
        Ok(v)
    }

    /// The SLA job evaluated at `now` (tests, benches and the test-only clock override of
    /// the PHP extension; production runs [`App::evaluate_slas`]).
    pub async fn evaluate_slas_at(
        &self,
        now: DateTime<Utc>,
        options: SlaRunOptions,
    ) -> Result<SlaRunReport, AppError> {
        let t = self.helpdesk_tables();
        let mut conn = self.conn().await?;
        let mut specs: HashMap<(Uuid, u32), SlaSpec> = HashMap::new();
        let mut report = SlaRunReport::default();
        let mut after = String::new();
        let mut pending: Vec<Uuid> = Vec::new();
        let mut batches = 0usize;
        let from = (now - Duration::days(3 * 366)).date_naive();
        let to = (now + Duration::days(2 * 366)).date_naive();
        loop {
            let rows: Vec<Row> = conn
                .exec(
                    format!(
                        "SELECT a.ticket_id, a.definition_id, a.definition_version, a.paused, a.fr_warning, \
                         a.fr_breached, a.fr_met, a.res_warning, a.res_breached, a.res_met, a.version, \
                         t.sla_timeline FROM {} a JOIN {} t ON t.id = a.ticket_id \
                         WHERE a.open_marks = 1 AND a.ticket_id > ? ORDER BY a.ticket_id LIMIT ?",
                        t.sla_assignments, t.tickets
                    ),
                    (&after, options.page_size as u64),
                )
                .await
                .map_err(db)?;
            let Some(last) = rows.last() else { break };
            after = last
                .get_opt::<String, _>(0)
                .and_then(Result::ok)
                .ok_or_else(|| internal("ticket id"))?;
            // Load the specs this page needs (one query per new version).
            for r in &rows {
                let a = assignment_from_row(r)?;
                let key = (a.definition_id().as_uuid(), a.definition_version().get());
                if let std::collections::hash_map::Entry::Vacant(e) = specs.entry(key) {
                    let spec = self
                        .hd_load_sla_spec(&mut conn, &t, a.definition_id(), a.definition_version())
                        .await?;
                    e.insert(spec);
                }
            }
            let compiled: HashMap<(Uuid, u32), CompiledSla<'_>> = specs
                .iter()
                .map(|(k, s)| (*k, CompiledSla::new(s, from, to)))
                .collect();
            let n = rows.len();
            for r in rows {
                let a = assignment_from_row(&r)?;
                let timeline: String = r
                    .get_opt(11)
                    .and_then(Result::ok)
                    .ok_or_else(|| internal("timeline"))?;
                let tl = parse_timeline(&timeline)?;
                let key = (a.definition_id().as_uuid(), a.definition_version().get());
                let c = compiled.get(&key).ok_or_else(|| internal("spec cache"))?;
                let reading = c.clock(&tl, now);
                report.evaluated += 1;
                if !pet_core::helpdesk::marks_to_record(&reading, &a.recorded()).is_empty() {
                    pending.push(a.ticket_id().as_uuid());
                }
            }
            drop(compiled);
            while pending.len() >= options.batch_size {
                let batch: Vec<Uuid> = pending.drain(..options.batch_size).collect();
                self.hd_record_sla_batch(&t, &specs, &batch, now, &mut report)
                    .await?;
                batches += 1;
                if options.max_batches.is_some_and(|m| batches >= m) {
                    return Ok(report);
                }
            }
            if n < options.page_size {
                break;
            }
        }
        if !pending.is_empty() {
            self.hd_record_sla_batch(&t, &specs, &pending, now, &mut report)
                .await?;
        }
        Ok(report)
    }

    /// One transaction over a batch of tickets: lock their assignments, re-read what was
    /// recorded and the timelines, decide, write the rows and append the events.
    async fn hd_record_sla_batch(
        &self,
        t: &HelpdeskTables,
        specs: &HashMap<(Uuid, u32), SlaSpec>,
        tickets: &[Uuid],
        now: DateTime<Utc>,
        report: &mut SlaRunReport,
    ) -> Result<(), AppError> {
        let ctx = CommandContext::system();
        let mut conn = self.conn().await?;
        let mut uow = UnitOfWork::begin(&mut conn, self.store().clone(), now).await?;
        // The batch's reads lock rows (FOR UPDATE): an error rolls back now, not when the
        // pool's recycler next runs (see `command!`).
        let decided: Result<bool, AppError> = async {
            let marks = vec!["?"; tickets.len()].join(", ");
            let ids: Vec<SqlValue> = tickets.iter().map(|u| u.to_string().into()).collect();
            let rows: Vec<Row> = uow
                .tx().await?
                .exec(
                    format!(
                        "SELECT {ASSIGNMENT_COLUMNS} FROM {} WHERE ticket_id IN ({marks}) ORDER BY ticket_id FOR UPDATE",
                        t.sla_assignments
                    ),
                    ids.clone(),
                )
                .await
                .map_err(db)?;
            let timelines: Vec<(String, String)> = uow
                .tx().await?
                .exec(
                    format!(
                        "SELECT id, sla_timeline FROM {} WHERE id IN ({marks})",
                        t.tickets
                    ),
                    ids,
                )
                .await
                .map_err(db)?;
            let timelines: BTreeMap<String, String> = timelines.into_iter().collect();
            let mut any = false;
            // Decided per ticket, written per batch: one UPDATE of the assignments, one INSERT
            // of the outcome rows and one UPDATE of the tickets (instead of three statements per
            // ticket), then the events with the commit.
            let mut written: Vec<(u64, SlaAssignment)> = Vec::new();
            let mut outcomes: Vec<SlaEvent> = Vec::new();
            let mut ticket_rows: Vec<(String, &'static str, Option<NaiveDateTime>)> = Vec::new();
            for r in rows {
                let a = assignment_from_row(&r)?;
                let key = (a.definition_id().as_uuid(), a.definition_version().get());
                let Some(spec) = specs.get(&key) else {
                    continue;
                };
                let Some(tl) = timelines.get(&a.ticket_id().to_string()) else {
                    continue;
                };
                let tl = parse_timeline(tl)?;
                let reading = pet_core::helpdesk::sla_clock(spec, &tl, now);
                let events = core_sla::decide_assignment(
                    Some(&a),
                    &SlaAssignmentCommand::Record { reading },
                    now,
                )?;
                if events.is_empty() {
                    report.skipped += 1;
                    continue;
                }
                any = true;
                let before = a.version();
                let after = events
                    .iter()
                    .fold(Some(a), core_sla::evolve_assignment)
                    .ok_or_else(|| internal("assignment state"))?;
                let (state, due) = sla_summary(&reading, &after.recorded());
                ticket_rows.push((
                    after.ticket_id().to_string(),
                    state.as_str(),
                    due.map(to_db_time),
                ));
                report.tickets_recorded += 1;
                for e in &events {
                    match e {
                        SlaEvent::Warning(_) => report.warnings += 1,
                        SlaEvent::Breached(_) => report.breaches += 1,
                        SlaEvent::Met(_) => report.met += 1,
                        _ => {}
                    }
                }
                let envs = crate::command::wrap_events(&events, before, &ctx, now)?;
                uow.record(envs);
                written.push((before, after));
                outcomes.extend(events);
            }
            for chunk in written.chunks(WRITE_CHUNK) {
                self.hd_update_sla_assignments(&mut uow, t, chunk).await?;
            }
            for chunk in outcomes.chunks(WRITE_CHUNK * 2) {
                self.hd_insert_sla_outcomes(&mut uow, t, chunk).await?;
            }
            for chunk in ticket_rows.chunks(WRITE_CHUNK) {
                let n = chunk.len();
                let marks = vec!["?"; n].join(", ");
                let case = vec!["WHEN ? THEN ?"; n].join(" ");
                let mut params: Vec<SqlValue> = Vec::with_capacity(n * 5);
                for (id, state, _) in chunk {
                    params.push(id.as_str().into());
                    params.push((*state).into());
                }
                for (id, _, due) in chunk {
                    params.push(id.as_str().into());
                    params.push((*due).into());
                }
                params.extend(chunk.iter().map(|(id, _, _)| SqlValue::from(id.as_str())));
                uow.tx().await?
                    .exec_drop(
                        format!(
                            "UPDATE {} SET sla_state = CASE id {case} END, sla_due_at = CASE id {case} END \
                             WHERE id IN ({marks})",
                            t.tickets
                        ),
                        params,
                    )
                    .await
                    .map_err(db)?;
            }
            Ok(any)
        }
        .await;
        match decided {
            Ok(true) => {
                uow.commit(None).await?;
            }
            Ok(false) => {
                uow.rollback().await?;
            }
            Err(e) => {
                let _ = uow.rollback().await;
                return Err(e);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        let day = json!([{"start": "09:00", "end": "17:00"}]);
        json!({
            "calendar": {"timezone": "Europe/London", "working_hours": {"mon": day, "fri": day}, "holidays": []},
            "targets": {
                "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
                "normal": {"first_response_minutes": 60, "resolution_minutes": 480},
                "high": {"first_response_minutes": 30, "resolution_minutes": 240},
                "urgent": {"first_response_minutes": 15, "resolution_minutes": 120}
            },
            "pause_statuses": ["waiting_on_customer"],
            "warning_percent": 80,
            "always_on": ["urgent"]
        })
    }

    fn errors<T: std::fmt::Debug>(r: Result<T, AppError>) -> pet_core::FieldErrors {
        match r {
            Err(AppError::Validation(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sla_inputs_parse_a_spec() {
        let n =
            NewSlaDefinitionInput::parse(&json!({"name": "Std", "spec": spec()}), "input").unwrap();
        assert_eq!(n.name.as_str(), "Std");
        assert_eq!(spec_json(&n.spec).unwrap()["warning_percent"], json!(80));
        let v = SlaVersionInput::parse(&json!({"spec": spec()}), "input").unwrap();
        assert_eq!(v.spec, n.spec);
    }

    #[test]
    fn sla_inputs_report_every_bad_field() {
        let mut bad = spec();
        bad["targets"]["normal"]["first_response_minutes"] = json!(0);
        bad["warning_percent"] = json!(100);
        let f = errors(NewSlaDefinitionInput::parse(
            &json!({"name": "", "spec": bad}),
            "input",
        ));
        assert_eq!(f.get("name"), Some("must not be empty"));
        assert_eq!(
            f.get("spec.targets.normal.first_response_minutes"),
            Some("must be a positive number of business minutes")
        );
        assert_eq!(
            f.get("spec.warning_percent"),
            Some("must be between 1 and 99")
        );
        assert_eq!(f.iter().count(), 3, "{f}");
        let f = errors(NewSlaDefinitionInput::parse(&json!({}), "input"));
        assert_eq!(f.get("name"), Some("is required"));
        assert_eq!(f.get("spec"), Some("is required"));
        let f = errors(SlaVersionInput::parse(&json!({"spec": "x"}), "input"));
        assert_eq!(f.get("spec"), Some("must be an array with named keys"));
        let f = errors(SlaVersionInput::parse(&json!({"spec": []}), "input"));
        assert!(
            f.get("spec")
                .is_some_and(|m| m.starts_with("is malformed: missing field `calendar`")),
            "{f}"
        );
        let f = errors(SlaVersionInput::parse(
            &json!({"spec": {"bogus": 1}}),
            "input",
        ));
        assert!(
            f.get("spec").is_some_and(|m| m.starts_with("is malformed")),
            "{f}"
        );
    }
}
