//! Measurement & KPIs: KPI definitions (immutable versions), the KPI job and the reads
//! (results per period, as of a past time, explanations, the dashboard).
//!
//! The KPI job ([`JOB_KPI_RUN`], [`Kpi::run_kpis`]) does three things, every transaction
//! holding the `kpi_facts` checkpoint row (`FOR UPDATE`), so two runners at once take turns
//! and each event's facts are written exactly once (the facts' primary key is the event's
//! sequence and the fact's place among its facts):
//! 1. **Facts**: the events after the checkpoint, a batch at a time: the memos they name
//!    are loaded, `pet_core::kpi::extract` gives their facts, and the facts, the changed
//!    memos, the moved checkpoint and the results of every computed period those facts
//!    fall in (or, for cumulative facts — capacities, memberships, sold-vs-delivered —
//!    every computed period from there on) commit together.
//! 2. **Backfill**: a version published since the last run gets its periods computed from
//!    its earliest fact (at most two years back) to the current period, `BACKFILL_STEP`
//!    periods per transaction, with its progress (`periods_done` of `periods_total`) in its
//!    row.
//! 3. **Now**: the current period of every computed version gets its result when it has none
//!    yet (a period that began since the last run; a stored result is already up to date,
//!    as every new fact recomputes the periods it touches and a result depends on nothing
//!    else).
//!
//! A step that computes several periods of one version reads their facts once.
//!
//! A result is computed by `pet_core::kpi::evaluate` from the facts the spec reads; asking
//! "as of" a past time evaluates the same facts filtered by when their events were recorded.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Row, Transaction, TxOpts, Value as SqlValue};
use pet_core::aggregate::Aggregate;
use pet_core::event::ContextType;
use pet_core::identity::Name;
use pet_core::kpi::{
    evaluate, extract, fact_kinds, memo_keys, Calculator, Fact, FactKind, Grain, KpiCommand,
    KpiDefinition, KpiEvent, KpiId, KpiParams, KpiResult, KpiSpec, KpiVersion, Memo, Memos, Period,
    Running, Scope, Subject, Summary, JOB_KPI_RUN,
};
use pet_core::FieldErrors;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{App, CommandContext};
use crate::command::{command, Cmd, Repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{db, internal, AppError, StorageError};
use crate::fields::command_input;
use crate::flat::{page_value, FlatList};
use crate::input::arg_uuid;
use crate::jobs::{ClaimedJob, NewJob};
use crate::modules::{unknown_job, JobFuture};
use crate::paging::Order;
use crate::services::Kpi;

/// The checkpoint row of fact extraction in `pet_projection_checkpoints`.
pub const FACTS_PROJECTION: &str = "kpi_facts";
/// Events per fact-extraction transaction.
pub const FACT_BATCH: usize = 10_000;
/// Periods a backfill computes per transaction.
pub const BACKFILL_STEP: usize = 12;
/// How far back a backfill goes at most.
pub const BACKFILL_YEARS: i64 = 2;
/// Periods a results read returns at most.
pub const MAX_PERIODS: usize = 104;
/// Parts an explanation lists at most (the totals always count every part).
pub const MAX_PARTS: usize = 2_000;

/// The KPI table names for one prefix (the prefix was validated by [`crate::Tables::new`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiTables {
    /// Definitions.
    pub definitions: String,
    /// Versions.
    pub versions: String,
    /// Facts.
    pub facts: String,
    /// Extraction memos.
    pub memos: String,
    /// Results per version and period.
    pub results: String,
}

impl KpiTables {
    /// The names for the (already validated) `prefix`.
    pub fn new(prefix: &str) -> Self {
        let t = |name: &str| format!("{prefix}pet_{name}");
        Self {
            definitions: t("kpi_definitions"),
            versions: t("kpi_versions"),
            facts: t("kpi_facts"),
            memos: t("kpi_memos"),
            results: t("kpi_results"),
        }
    }
}

impl App {
    /// The KPI table names.
    pub fn kpi_tables(&self) -> KpiTables {
        KpiTables::new(&self.tables().prefix)
    }
}

/// Runs the module's job kinds: the KPI run.
pub(crate) fn run_job<'a>(app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move {
        match job.kind.as_str() {
            JOB_KPI_RUN => app.kpi().run_kpis().await.map(|_| ()),
            _ => Err(unknown_job(job)),
        }
    })
}

// ---- input -------------------------------------------------------------------------------

command_input! {
    /// Input of [`Kpi::define_kpi`] and [`Kpi::publish_kpi_version`] (`name` for the first
    /// only).
    pub struct KpiInput {
        /// The name (defining only).
        name: Option<String>,
        /// A calculator of the catalogue, e.g. `utilisation`.
        calculator: String,
        /// `org`, `team`, `employee`, `customer` or `project`.
        scope: String = "org".to_owned(),
        /// The team, employee, customer or project (not for `org`).
        scope_id: Option<String>,
        /// `week`, `month` or `quarter`.
        grain: String = "month".to_owned(),
        /// The goal, a decimal with at most one digit after the point (blank: none).
        target: Option<String>,
        /// Utilisation: count non-billable minutes too.
        count_non_billable: bool = false,
    }
}

/// Parses a goal such as `85`, `85.5` or `-10` into tenths.
fn parse_target(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, "0"),
    };
    let ok = !int.is_empty()
        && int.len() <= 7
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.len() == 1
        && frac.chars().all(|c| c.is_ascii_digit());
    if !ok {
        return Err("must be a number with at most one decimal".into());
    }
    let v = int.parse::<i64>().map_err(|_| "is too large".to_owned())? * 10
        + frac
            .parse::<i64>()
            .map_err(|_| "is not a number".to_owned())?;
    Ok(Some(if neg { -v } else { v }))
}

impl KpiInput {
    /// The spec it describes, every bad field reported at once.
    fn spec(&self) -> Result<KpiSpec, AppError> {
        let mut errors = FieldErrors::new();
        let mut note = |r: Result<(), pet_core::DomainError>| {
            if let Err(pet_core::DomainError::Validation(f)) = r {
                for (k, m) in f.iter() {
                    errors.add(k, m);
                }
            }
        };
        let calculator = Calculator::parse("calculator", &self.calculator);
        let scope = Scope::parse(&self.scope, self.scope_id.as_deref());
        let grain = Grain::parse("grain", &self.grain);
        let target = self.target.as_deref().map(parse_target).transpose();
        note(calculator.as_ref().map(|_| ()).map_err(Clone::clone));
        note(scope.as_ref().map(|_| ()).map_err(Clone::clone));
        note(grain.as_ref().map(|_| ()).map_err(Clone::clone));
        if let Err(m) = &target {
            errors.add("target", m.clone());
        }
        match (calculator, scope, grain, target) {
            (Ok(calculator), Ok(scope), Ok(grain), Ok(target)) if errors.is_empty() => {
                let spec = KpiSpec {
                    calculator,
                    params: KpiParams {
                        target_tenths: target.flatten(),
                        count_non_billable: self.count_non_billable,
                    },
                    scope,
                    grain,
                };
                spec.validate()?;
                Ok(spec)
            }
            _ => Err(AppError::Validation(errors)),
        }
    }
}

command_input! {
    /// Query of [`Kpi::kpi_results`] and [`Kpi::explain_kpi`].
    pub struct ResultsQuery {
        /// The version (default: the latest).
        version: Option<i64>,
        /// How many periods, newest last (default 12).
        periods: Option<i64>,
        /// Results as they were at this time (RFC 3339); default: now.
        as_of: Option<DateTime<Utc>>,
        /// Explain: a day in the period (default: today).
        period: Option<NaiveDate>,
    }
}

command_input! {
    /// Query of [`Kpi::list_kpis`].
    pub struct KpiListQuery {
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

command_input! {
    /// Query of [`Kpi::kpi_dashboard`].
    pub struct DashboardQuery {
        /// Only KPIs scoped to this team.
        team_id: Option<Uuid>,
        /// Only KPIs scoped to this employee.
        employee_id: Option<Uuid>,
        /// Only KPIs scoped to this customer.
        customer_id: Option<Uuid>,
        /// Only KPIs scoped to this project.
        project_id: Option<Uuid>,
        /// Periods per KPI for the charts (default 12).
        periods: Option<i64>,
    }
}

// ---- views -------------------------------------------------------------------------------

/// One version in a definition's view.
#[derive(Debug, Clone, Serialize)]
pub struct KpiVersionView {
    /// Its number.
    pub number: u32,
    /// When it was published (RFC 3339).
    pub published_at: String,
    /// Its content: `{calculator, params: {target_tenths, count_non_billable}, scope: {kind,
    /// id}, grain}`.
    pub spec: KpiSpec,
    /// Its unit (`percent`, `minutes`).
    pub unit: pet_core::kpi::Unit,
    /// Whether a higher value is better.
    pub higher_is_better: bool,
    /// `pending`, `running` or `done`.
    pub backfill_status: String,
    /// Periods the backfill computes.
    pub periods_total: u32,
    /// Periods computed so far.
    pub periods_done: u32,
}

/// A KPI definition with every version, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct KpiView {
    /// The commands it takes (`publish`).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The latest version's number.
    pub current_version: u32,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Every version, newest first.
    pub versions: Vec<KpiVersionView>,
    /// The names of the versions' scoped entities, by id (from the activity feed's names).
    pub scope_names: BTreeMap<String, String>,
}

/// One KPI in the list: its latest version only.
#[derive(Debug, Clone, Serialize)]
pub struct KpiRow {
    /// The commands it takes (`publish`).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The latest version's number.
    pub current_version: u32,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// The latest version.
    pub current: KpiVersionView,
    /// The name of the entity it is scoped to (`null` for the org, or when unknown).
    pub scope_name: Option<String>,
}

/// One period's result (without its parts).
#[derive(Debug, Clone, Serialize)]
pub struct PeriodResult {
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// E.g. `2026-03`, `2026-W10`, `2026-Q1`.
    pub label: String,
    /// The value as shown (`null`: nothing to measure).
    pub value: Option<String>,
    /// The value in tenths.
    pub value_tenths: Option<i64>,
    /// Numerator.
    pub numerator: i64,
    /// Denominator.
    pub denominator: i64,
    /// Facts counted.
    pub part_count: u64,
    /// Computed (RFC 3339; `null` when not computed yet).
    pub computed_at: Option<String>,
}

fn view_value<T: Serialize>(v: &T) -> Result<Value, AppError> {
    serde_json::to_value(v).map_err(|e| internal(&format!("view not serialisable: {e}")))
}

fn period_view(p: Period, r: Option<&KpiResult>) -> PeriodResult {
    PeriodResult {
        period_start: p.start,
        period_end: p.last_day(),
        label: p.label(),
        value: r.and_then(|r| r.value.clone()),
        value_tenths: r.and_then(|r| r.value_tenths),
        numerator: r.map_or(0, |r| r.numerator),
        denominator: r.map_or(0, |r| r.denominator),
        part_count: r.map_or(0, |r| r.parts.len() as u64),
        computed_at: None,
    }
}

// ---- the repository ----------------------------------------------------------------------

/// KPI definitions: restored from their row and version rows; saved with a version check
/// and one row per published version (backfill pending).
pub(crate) struct KpiDefinitions<'a>(pub(crate) &'a App);

fn spec_from_json(s: &str) -> Result<KpiSpec, AppError> {
    serde_json::from_str(s)
        .map_err(|e| AppError::Storage(format!("stored KPI spec unreadable: {e}")))
}

impl Repository<KpiDefinition> for KpiDefinitions<'_> {
    const NAME: &'static str = "KPI";
    async fn load(
        &self,
        tx: &mut Transaction<'_>,
        id: Uuid,
    ) -> Result<Option<KpiDefinition>, AppError> {
        let t = self.0.kpi_tables();
        let row: Option<(String, u64)> = tx
            .exec_first(
                format!(
                    "SELECT name, version FROM {} WHERE id = ? FOR UPDATE",
                    t.definitions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((name, version)) = row else {
            return Ok(None);
        };
        let versions = load_versions(tx, &t, id).await?;
        Ok(Some(KpiDefinition::restore(
            KpiId::from_uuid(id),
            Name::new(&name).map_err(|_| internal("KPI name"))?,
            versions.into_iter().map(|v| v.version).collect(),
            version,
        )))
    }

    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &KpiDefinition,
        events: &[KpiEvent],
    ) -> Result<(), AppError> {
        let t = self.0.kpi_tables();
        let id = after.id().as_uuid();
        let current = after
            .current()
            .map(|v| v.number)
            .ok_or_else(|| internal("KPI without version"))?;
        let nowdb = to_db_time(cx.now());
        if before == 0 {
            cx.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (id, name, current_version, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        t.definitions
                    ),
                    (id.to_string(), after.name().as_str(), current, after.version(), nowdb, nowdb),
                )
                .await
                .map_err(db)?;
        } else {
            cx.uow()
                .update_versioned(
                    &format!(
                        "UPDATE {} SET current_version = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                        t.definitions
                    ),
                    (current, after.version(), nowdb, id.to_string(), before),
                    "KPI",
                )
                .await?;
        }
        for ev in events {
            if let KpiEvent::VersionPublished(p) = ev {
                let spec = serde_json::to_string(&p.spec)
                    .map_err(|_| internal("spec not serialisable"))?;
                cx.uow()
                    .insert(
                        &format!(
                            "INSERT INTO {} (kpi_id, number, calculator, scope_kind, scope_id, grain, spec, published_at, backfill_status) \
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                            t.versions
                        ),
                        vec![
                            SqlValue::from(id.to_string()),
                            p.number.into(),
                            p.spec.calculator.as_str().into(),
                            p.spec.scope.kind().as_str().into(),
                            p.spec.scope.id().map(|u| u.to_string()).into(),
                            p.spec.grain.as_str().into(),
                            spec.into(),
                            nowdb.into(),
                        ],
                        |_| StorageError::Conflict("this KPI version was published concurrently".into()),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

impl App {
    /// `verify_restore` of a KPI definition: loaded from its rows and replayed from its
    /// events with each event's time (`pet_core::kpi::evolve_at`: a version knows when it
    /// was published); an integrity error names both states when they differ.
    pub(crate) async fn verify_kpi_restore(&self, id: Uuid) -> Result<u64, AppError> {
        let mut conn = self.conn().await?;
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(db)?;
        let restored = KpiDefinitions(self).load(&mut tx, id).await?;
        let recorded = self
            .store()
            .read_aggregate(&mut tx, pet_core::kpi::definition::AGGREGATE_TYPE, id)
            .await?;
        tx.rollback().await.map_err(db)?;
        let mut replayed: Option<KpiDefinition> = None;
        for r in &recorded {
            let e = &r.event;
            let ev =
                KpiEvent::from_stored(e.event_type().as_str(), e.schema_version(), e.payload())
                    .map_err(|e| AppError::Storage(format!("stored event unreadable: {e}")))?;
            replayed = pet_core::kpi::evolve_at(replayed, &ev, e.occurred_at());
        }
        if restored != replayed {
            return Err(AppError::Storage(format!(
                "integrity error: KPI {id} restored as {restored:?} but its events give {replayed:?}"
            )));
        }
        replayed
            .map(|d| d.version())
            .ok_or_else(|| AppError::NotFound(format!("KPI {id}")))
    }
}

/// A version row.
#[derive(Debug, Clone)]
struct VersionRow {
    kpi_id: Uuid,
    version: KpiVersion,
    backfill_status: String,
    backfill_next: Option<NaiveDate>,
    periods_total: u32,
    periods_done: u32,
}

const VERSION_COLUMNS: &str =
    "kpi_id, number, spec, published_at, backfill_status, backfill_next, periods_total, periods_done";

fn version_from_row(r: Row) -> Result<VersionRow, AppError> {
    type Cols = (
        String,
        u32,
        String,
        NaiveDateTime,
        String,
        Option<NaiveDate>,
        u32,
        u32,
    );
    let (kpi_id, number, spec, at, status, next, total, done): Cols =
        mysql_async::from_row_opt(r).map_err(|_| internal("KPI version row"))?;
    Ok(VersionRow {
        kpi_id: Uuid::parse_str(&kpi_id).map_err(|_| internal("KPI id"))?,
        version: KpiVersion {
            number,
            spec: spec_from_json(&spec)?,
            published_at: from_db_time(at),
        },
        backfill_status: status,
        backfill_next: next,
        periods_total: total,
        periods_done: done,
    })
}

async fn load_versions<Q: Queryable>(
    q: &mut Q,
    t: &KpiTables,
    id: Uuid,
) -> Result<Vec<VersionRow>, AppError> {
    let rows: Vec<Row> = q
        .exec(
            format!(
                "SELECT {VERSION_COLUMNS} FROM {} WHERE kpi_id = ? ORDER BY number",
                t.versions
            ),
            (id.to_string(),),
        )
        .await
        .map_err(db)?;
    rows.into_iter().map(version_from_row).collect()
}

// ---- facts -------------------------------------------------------------------------------

const FACT_COLUMNS: &str =
    "sequence, event_id, event_type, recorded_at, kind, on_date, subject_type, subject_id, \
     employee_id, customer_id, project_id, team_id, until_date, value";

fn opt_uuid(s: Option<String>) -> Result<Option<Uuid>, AppError> {
    s.map(|s| Uuid::parse_str(&s).map_err(|_| internal("fact id")))
        .transpose()
}

fn fact_from_row(r: Row) -> Result<Fact, AppError> {
    let bad = || internal("KPI fact row");
    let mut r = r;
    macro_rules! col {
        ($i:expr) => {
            r.take_opt($i).ok_or_else(bad)?.map_err(|_| bad())?
        };
    }
    let sequence: u64 = col!(0);
    let event_id: String = col!(1);
    let event_type: String = col!(2);
    let recorded_at: NaiveDateTime = col!(3);
    let kind: String = col!(4);
    let on: NaiveDate = col!(5);
    let subject_type: String = col!(6);
    let subject_id: String = col!(7);
    let employee: Option<String> = col!(8);
    let customer: Option<String> = col!(9);
    let project: Option<String> = col!(10);
    let team: Option<String> = col!(11);
    let until: Option<NaiveDate> = col!(12);
    let value: i64 = col!(13);
    Ok(Fact {
        event_id: Uuid::parse_str(&event_id).map_err(|_| bad())?,
        sequence,
        event_type,
        recorded_at: from_db_time(recorded_at),
        kind: FactKind::parse(&kind).ok_or_else(bad)?,
        on,
        subject: Subject {
            kind: ContextType::ALL
                .into_iter()
                .find(|c| c.as_str() == subject_type)
                .ok_or_else(bad)?,
            id: Uuid::parse_str(&subject_id).map_err(|_| bad())?,
        },
        employee: opt_uuid(employee)?,
        customer: opt_uuid(customer)?,
        project: opt_uuid(project)?,
        team: opt_uuid(team)?,
        until,
        value,
    })
}

/// The facts `spec` reads for `period` (a superset: the core filters by scope again),
/// recorded by `as_of` when given.
async fn load_facts<Q: Queryable>(
    q: &mut Q,
    t: &KpiTables,
    spec: &KpiSpec,
    period: Period,
    as_of: Option<DateTime<Utc>>,
) -> Result<Vec<Fact>, AppError> {
    load_facts_between(q, t, spec, period.start, period.last_day(), as_of).await
}

/// The facts `spec` reads for every period from the one starting `first` to the one ending
/// `last` (one read for several periods: each is then evaluated from the same facts).
async fn load_facts_between<Q: Queryable>(
    q: &mut Q,
    t: &KpiTables,
    spec: &KpiSpec,
    first: NaiveDate,
    last: NaiveDate,
    as_of: Option<DateTime<Utc>>,
) -> Result<Vec<Fact>, AppError> {
    load_facts_range(q, t, spec, first, last, None, as_of).await
}

/// As [`load_facts_between`], but with `history_from` the kinds that count from before a
/// period are read from that day only (the caller holds what came before).
async fn load_facts_range<Q: Queryable>(
    q: &mut Q,
    t: &KpiTables,
    spec: &KpiSpec,
    first: NaiveDate,
    last: NaiveDate,
    history_from: Option<NaiveDate>,
    as_of: Option<DateTime<Utc>>,
) -> Result<Vec<Fact>, AppError> {
    let mut out = Vec::new();
    for (kind, history) in fact_kinds(spec) {
        let mut sql = format!(
            "SELECT {FACT_COLUMNS} FROM {} WHERE kind = ? AND on_date <= ?",
            t.facts
        );
        let mut params: Vec<SqlValue> = vec![kind.as_str().into(), last.into()];
        match (history, history_from) {
            (false, _) => {
                sql.push_str(" AND on_date >= ?");
                params.push(first.into());
            }
            (true, Some(from)) => {
                sql.push_str(" AND on_date >= ?");
                params.push(from.into());
            }
            (true, None) => {}
        }
        // Team facts: a team scope reads its own team's (and every org-structure version's
        // marker, which has no team).
        let membership = matches!(
            kind,
            FactKind::MembershipStarted | FactKind::MembershipEnded | FactKind::OrgMember
        );
        let dim = match spec.scope {
            Scope::Employee(id) => Some(("employee_id", id.as_uuid())),
            Scope::Customer(id) => Some(("customer_id", id.as_uuid())),
            Scope::Project(id) => Some(("project_id", id.as_uuid())),
            Scope::Org | Scope::Team(_) => None,
        };
        if let (Some((col, id)), false) = (dim, membership) {
            sql.push_str(&format!(" AND {col} = ?"));
            params.push(id.to_string().into());
        }
        if let Scope::Team(team) = spec.scope {
            if membership {
                sql.push_str(" AND team_id = ?");
                params.push(team.as_uuid().to_string().into());
            }
        }
        if let Some(t) = as_of {
            sql.push_str(" AND recorded_at <= ?");
            params.push(to_db_time(t).into());
        }
        let rows: Vec<Row> = q.exec(sql, params).await.map_err(db)?;
        for r in rows {
            out.push(fact_from_row(r)?);
        }
    }
    Ok(out)
}

/// Computes and stores `v`'s results for `periods` (ascending; in `tx`), reading their
/// facts once, and answers how many it stored. A cumulative calculator
/// ([`Running::supports`]) starts from the running state stored with the period before the
/// first one and reads only the facts from that period on (all its facts up to the last
/// period when there is no such state), and stores each period's state with its result.
async fn compute_periods(
    tx: &mut Transaction<'_>,
    t: &KpiTables,
    v: &VersionRow,
    periods: &[Period],
    through: u64,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(0);
    };
    let spec = &v.version.spec;
    let mut out: Vec<(Period, Summary, Option<String>)> = Vec::with_capacity(periods.len());
    if Running::supports(spec) {
        let before: Option<Option<String>> = tx
            .exec_first(
                format!(
                    "SELECT running FROM {} WHERE kpi_id = ? AND number = ? AND period_start = ?",
                    t.results
                ),
                (
                    v.kpi_id.to_string(),
                    v.version.number,
                    first.previous().start,
                ),
            )
            .await
            .map_err(db)?;
        // A state that cannot be read (none stored yet) means reading from the start.
        let mut state: Running = before
            .flatten()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        let from = state.through.map(|_| first.start);
        let facts = load_facts_range(tx, t, spec, first.start, last.last_day(), from, None).await?;
        for p in periods {
            state.advance(spec, p.last_day(), &facts);
            let json = serde_json::to_string(&state)
                .map_err(|_| internal("KPI running state not serialisable"))?;
            out.push((*p, state.summary(spec), Some(json)));
        }
    } else {
        let facts = load_facts_between(tx, t, spec, first.start, last.last_day(), None).await?;
        for p in periods {
            out.push((*p, evaluate(spec, *p, &facts, None).summary(), None));
        }
    }
    for chunk in out.chunks(500) {
        let marks = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let mut params: Vec<SqlValue> = Vec::with_capacity(chunk.len() * 11);
        for (p, r, running) in chunk {
            params.extend([
                SqlValue::from(v.kpi_id.to_string()),
                v.version.number.into(),
                p.start.into(),
                p.last_day().into(),
                r.numerator.into(),
                r.denominator.into(),
                r.value_tenths.into(),
                r.part_count.into(),
                through.into(),
                to_db_time(now).into(),
                running.clone().into(),
            ]);
        }
        tx.exec_drop(
            format!(
                "INSERT INTO {} (kpi_id, number, period_start, period_end, numerator, denominator, value_tenths, part_count, through_sequence, computed_at, running) \
                 VALUES {marks} ON DUPLICATE KEY UPDATE period_end = VALUES(period_end), \
                 numerator = VALUES(numerator), denominator = VALUES(denominator), value_tenths = VALUES(value_tenths), \
                 part_count = VALUES(part_count), through_sequence = VALUES(through_sequence), computed_at = VALUES(computed_at), \
                 running = VALUES(running)",
                t.results
            ),
            params,
        )
        .await
        .map_err(db)?;
    }
    Ok(out.len() as u64)
}

/// What one KPI run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KpiRunReport {
    /// Events read.
    pub events: u64,
    /// Facts written.
    pub facts: u64,
    /// Results computed (periods × versions).
    pub results: u64,
    /// Versions whose backfill finished.
    pub backfilled: u64,
    /// The checkpoint after the run.
    pub checkpoint: u64,
    /// Milliseconds spent on the facts (reading events, writing facts, recomputing the
    /// periods they touch).
    pub facts_ms: u64,
    /// Milliseconds spent on backfills and the current periods.
    pub backfill_ms: u64,
}

impl Kpi<'_> {
    // ---- commands ----------------------------------------------------------------------

    async fn kpi_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: KpiCommand,
    ) -> Result<Value, AppError> {
        let r = command!(self, ctx, command, &request, |cx| {
            let repo = KpiDefinitions(self.app());
            if matches!(cmd, KpiCommand::Define { .. }) {
                cx.create(&repo, &cmd, &()).await?;
            } else {
                cx.change(&repo, id, &cmd, &()).await?;
            }
            kpi_view(
                cx.tx().await?,
                &self.kpi_tables(),
                &self.tables().activity_names,
                id,
            )
            .await
        })?;
        // The backfill runs in the job queue (WP-Cron); ask for a run now.
        self.enqueue_kpi_job().await?;
        Ok(r)
    }

    /// Defines a KPI and publishes version 1: `{name, calculator, scope, scope_id?, grain,
    /// target?, count_non_billable?}`. Its results are backfilled by the KPI job.
    pub async fn define_kpi(&self, input: &Value, ctx: &CommandContext) -> Result<Value, AppError> {
        let i = KpiInput::parse(input, "input")?;
        let name = match i.name.as_deref() {
            Some(n) => Name::new(n).map_err(|e| match e {
                pet_core::DomainError::Validation(_) => {
                    AppError::field("name", crate::fields::domain_message(e))
                }
                other => other.into(),
            })?,
            None => return Err(AppError::field("name", "is required")),
        };
        let spec = i.spec()?;
        let id = Uuid::now_v7();
        let cmd = KpiCommand::Define {
            id: KpiId::from_uuid(id),
            name,
            spec,
        };
        self.kpi_command(ctx, "define_kpi", input.clone(), id, cmd)
            .await
    }

    /// Publishes the next version of a KPI (same fields as [`Kpi::define_kpi`] but the
    /// name). Results of earlier versions stay as they are.
    pub async fn publish_kpi_version(
        &self,
        kpi_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("kpi_id", kpi_id)?;
        let spec = KpiInput::parse(input, "input")?.spec()?;
        self.kpi_command(
            ctx,
            "publish_kpi_version",
            json!({"id": id, "input": input}),
            id,
            KpiCommand::Publish { spec },
        )
        .await
    }

    // ---- reads -------------------------------------------------------------------------

    /// What the definition form offers: `{calculators: [{id, unit, higher_is_better,
    /// scopes}], grains, scopes}`.
    pub async fn kpi_options(&self) -> Result<Value, AppError> {
        let calculators: Vec<Value> = Calculator::ALL
            .iter()
            .map(|c| {
                json!({"id": c.as_str(), "unit": c.unit(), "higher_is_better": c.higher_is_better(),
                    "scopes": c.scope_kinds()})
            })
            .collect();
        Ok(
            json!({"calculators": calculators, "grains": ["week", "month", "quarter"],
            "scopes": ["org", "team", "employee", "customer", "project"]}),
        )
    }

    /// One KPI with every version (newest first) and each version's backfill progress.
    pub async fn get_kpi(&self, kpi_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("kpi_id", kpi_id)?;
        let mut conn = self.read_conn().await?;
        kpi_view(
            &mut conn,
            &self.kpi_tables(),
            &self.tables().activity_names,
            id,
        )
        .await
    }

    /// KPIs by name, a flat list (`{page?, per_page?, after?, before?}`): each with its
    /// latest version (`current`: spec, unit, backfill progress) and the name of the entity
    /// it is scoped to (`scope_name`). One keyset-paged query over the definitions joined to
    /// their latest version, a bounded count, and one look-up of the page's scope names.
    pub async fn list_kpis(&self, query: &Value) -> Result<Value, AppError> {
        let q = KpiListQuery::parse(query, "query")?;
        let order = Order::by(&[("name", false), ("id", false)]);
        let req = q.paging.request(&order)?;
        let t = self.kpi_tables();
        let mut conn = self.read_conn().await?;
        let (rows, total) = FlatList {
            from: format!(
                "{} d JOIN {} v ON v.kpi_id = d.id AND v.number = d.current_version",
                t.definitions, t.versions
            ),
            columns: "id, name, current_version, version, created_at, spec, published_at, \
                      backfill_status, periods_total, periods_done",
            conds: Vec::new(),
            params: Vec::new(),
            order: &order,
            req: &req,
            search: None,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        type Cols = (
            String,
            String,
            u32,
            u64,
            NaiveDateTime,
            String,
            NaiveDateTime,
            String,
            u32,
            u32,
        );
        let mut items = Vec::with_capacity(rows.len());
        for (k, r) in rows {
            let (id, name, current, version, created, spec, published, status, total, done): Cols =
                mysql_async::from_row_opt(r).map_err(|_| internal("KPI list row"))?;
            let spec = spec_from_json(&spec)?;
            items.push((
                k,
                KpiRow {
                    actions: &["publish"],
                    id,
                    name,
                    current_version: current,
                    version,
                    created_at: rfc3339(from_db_time(created)),
                    current: KpiVersionView {
                        number: current,
                        published_at: rfc3339(from_db_time(published)),
                        spec,
                        unit: spec.calculator.unit(),
                        higher_is_better: spec.calculator.higher_is_better(),
                        backfill_status: status,
                        periods_total: total,
                        periods_done: done,
                    },
                    scope_name: None,
                },
            ));
        }
        let ids: BTreeSet<Uuid> = items
            .iter()
            .filter_map(|(_, r)| r.current.spec.scope.id())
            .collect();
        let names = self.kpi_names(&mut conn, &ids).await?;
        for (_, r) in &mut items {
            r.scope_name = r
                .current
                .spec
                .scope
                .id()
                .and_then(|id| names.get(&id.to_string()).cloned());
        }
        page_value(req.finish(items, total))
    }

    /// A version's results over the last `periods` periods (default 12, newest last):
    /// `{kpi, version, as_of, results: [{period_start, period_end, label, value,
    /// value_tenths, numerator, denominator, part_count, computed_at}]}`. Without `as_of`
    /// the stored results; with it, each period computed from the facts recorded by then
    /// (the number the dashboard showed at that time).
    pub async fn kpi_results(&self, kpi_id: &str, query: &Value) -> Result<Value, AppError> {
        let id = arg_uuid("kpi_id", kpi_id)?;
        let q = ResultsQuery::parse(query, "query")?;
        let t = self.kpi_tables();
        let mut conn = self.read_conn().await?;
        let v = pick_version(&mut conn, &t, id, q.version).await?;
        let n = q.periods.unwrap_or(12).clamp(1, MAX_PERIODS as i64) as usize;
        let until = q.as_of.unwrap_or_else(|| self.now()).date_naive();
        let periods = last_periods(v.version.spec.grain, until, n);
        let results = match q.as_of {
            Some(as_of) => {
                let mut out = Vec::with_capacity(periods.len());
                for p in periods {
                    let facts = load_facts(&mut conn, &t, &v.version.spec, p, Some(as_of)).await?;
                    let r = evaluate(&v.version.spec, p, &facts, Some(as_of));
                    out.push(period_view(p, Some(&r)));
                }
                out
            }
            None => stored_results(&mut conn, &t, &v, &periods).await?,
        };
        Ok(json!({
            "kpi_id": id, "version": v.version.number, "spec": v.version.spec,
            "unit": v.version.spec.calculator.unit(),
            "as_of": q.as_of.map(rfc3339),
            "backfill_status": v.backfill_status,
            "results": results,
        }))
    }

    /// The explanation of one period's result: the result with every fact it counts (each
    /// with its event, the entity it is about and what it adds to the numerator and the
    /// denominator, which add up to the result's) and the names of the entities:
    /// `{kpi_id, version, as_of, result: {…, parts: […]}, names: {id: name}, truncated}`.
    pub async fn explain_kpi(&self, kpi_id: &str, query: &Value) -> Result<Value, AppError> {
        let id = arg_uuid("kpi_id", kpi_id)?;
        let q = ResultsQuery::parse(query, "query")?;
        let t = self.kpi_tables();
        let mut conn = self.read_conn().await?;
        let v = pick_version(&mut conn, &t, id, q.version).await?;
        let day = q
            .period
            .unwrap_or_else(|| q.as_of.unwrap_or_else(|| self.now()).date_naive());
        let period = Period::containing(v.version.spec.grain, day);
        let facts = load_facts(&mut conn, &t, &v.version.spec, period, q.as_of).await?;
        let mut r = evaluate(&v.version.spec, period, &facts, q.as_of);
        let total_parts = r.parts.len();
        r.parts.truncate(MAX_PARTS);
        let mut ids: BTreeSet<Uuid> = BTreeSet::new();
        for p in &r.parts {
            ids.insert(p.subject.id);
            ids.extend(p.employee);
            ids.extend(p.customer);
            ids.extend(p.project);
        }
        let names = self.kpi_names(&mut conn, &ids).await?;
        Ok(json!({
            "kpi_id": id, "version": v.version.number, "spec": v.version.spec,
            "label": period.label(),
            "as_of": q.as_of.map(rfc3339),
            "result": r, "part_total": total_parts, "truncated": total_parts > MAX_PARTS,
            "names": names,
        }))
    }

    /// Names of entities by id, from the activity feed's name table.
    async fn kpi_names<Q: Queryable>(
        &self,
        q: &mut Q,
        ids: &BTreeSet<Uuid>,
    ) -> Result<BTreeMap<String, String>, AppError> {
        let mut out = BTreeMap::new();
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        for chunk in ids.chunks(1000) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let rows: Vec<(String, String)> = q
                .exec(
                    format!(
                        "SELECT entity_id, name FROM {} WHERE entity_id IN ({marks})",
                        self.tables().activity_names
                    ),
                    chunk.to_vec(),
                )
                .await
                .map_err(db)?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// The dashboard: every KPI whose latest version matches the filter (by default the
    /// org-wide ones; `team_id`, `employee_id`, `customer_id` or `project_id` for the KPIs
    /// scoped to that entity), each with its last `periods` stored results (default 12),
    /// the current and previous period and the trend between them:
    /// `{tiles: [{kpi, current, previous, trend_tenths, trend, series}]}`.
    pub async fn kpi_dashboard(&self, query: &Value) -> Result<Value, AppError> {
        let q = DashboardQuery::parse(query, "query")?;
        let (kind, sid) = match (q.team_id, q.employee_id, q.customer_id, q.project_id) {
            (Some(id), ..) => ("team", Some(id)),
            (_, Some(id), ..) => ("employee", Some(id)),
            (_, _, Some(id), _) => ("customer", Some(id)),
            (_, _, _, Some(id)) => ("project", Some(id)),
            _ => ("org", None),
        };
        let n = q.periods.unwrap_or(12).clamp(2, MAX_PERIODS as i64) as usize;
        let t = self.kpi_tables();
        let mut conn = self.read_conn().await?;
        let rows: Vec<(String, String)> = conn
            .exec(
                format!(
                    "SELECT d.id, d.name FROM {} d JOIN {} v ON v.kpi_id = d.id AND v.number = d.current_version \
                     WHERE v.scope_kind = ? AND v.scope_id <=> ? ORDER BY d.name, d.id",
                    t.definitions, t.versions
                ),
                (kind, sid.map(|u| u.to_string())),
            )
            .await
            .map_err(db)?;
        let today = self.now().date_naive();
        let mut tiles = Vec::with_capacity(rows.len());
        for (id, name) in rows {
            let id = Uuid::parse_str(&id).map_err(|_| internal("KPI id"))?;
            let v = pick_version(&mut conn, &t, id, None).await?;
            let periods = last_periods(v.version.spec.grain, today, n);
            let series = stored_results(&mut conn, &t, &v, &periods).await?;
            let current = series.last().cloned();
            let previous = series
                .len()
                .checked_sub(2)
                .and_then(|i| series.get(i))
                .cloned();
            let trend = match (
                current.as_ref().and_then(|c| c.value_tenths),
                previous.as_ref().and_then(|p| p.value_tenths),
            ) {
                (Some(c), Some(p)) => Some(c - p),
                _ => None,
            };
            let spec = v.version.spec;
            tiles.push(json!({
                "kpi_id": id, "name": name, "version": v.version.number, "spec": spec,
                "unit": spec.calculator.unit(), "higher_is_better": spec.calculator.higher_is_better(),
                "target": spec.params.target_tenths.map(pet_core::kpi::format_tenths),
                "backfill_status": v.backfill_status, "periods_total": v.periods_total,
                "periods_done": v.periods_done,
                "current": current, "previous": previous,
                "trend_tenths": trend, "trend": trend.map(pet_core::kpi::format_tenths),
                "series": series,
            }));
        }
        Ok(json!({"scope": kind, "scope_id": sid, "tiles": tiles}))
    }

    // ---- the job -----------------------------------------------------------------------

    /// Enqueues the KPI job (at most one pending). WP-Cron calls this every minute.
    pub async fn enqueue_kpi_job(&self) -> Result<Value, AppError> {
        let now = self.now();
        let mut conn = self.conn().await?;
        let id = self
            .jobs()
            .enqueue(
                &mut conn,
                &NewJob::new(JOB_KPI_RUN, json!({}), now).dedupe(JOB_KPI_RUN),
                now,
            )
            .await?;
        Ok(json!({"enqueued": id.is_some(), "job_id": id.map(|u| u.to_string())}))
    }

    /// Runs the KPI job now (what the job queue runs), answering its report as JSON:
    /// `{events, facts, results, backfilled, checkpoint, facts_ms, backfill_ms}`.
    pub async fn run_kpi_job(&self) -> Result<Value, AppError> {
        view_value(&self.run_kpis().await?)
    }

    /// The KPI job at the app clock's now; see the module docs.
    pub async fn run_kpis(&self) -> Result<KpiRunReport, AppError> {
        self.run_kpis_batched(FACT_BATCH).await
    }

    /// The KPI job with `batch` events per fact transaction (tests use small batches).
    pub async fn run_kpis_batched(&self, batch: usize) -> Result<KpiRunReport, AppError> {
        let now = self.now();
        let t = self.kpi_tables();
        let mut conn = self.conn().await?;
        conn.exec_drop(
            format!(
                "INSERT IGNORE INTO {} (projection, last_sequence, updated_at) VALUES (?, 0, ?)",
                self.tables().checkpoints
            ),
            (FACTS_PROJECTION, to_db_time(now)),
        )
        .await
        .map_err(db)?;
        let mut report = KpiRunReport::default();
        let started = std::time::Instant::now();
        // 1. Facts, a batch per transaction.
        loop {
            let mut tx = conn
                .start_transaction(TxOpts::default())
                .await
                .map_err(db)?;
            let step = self
                .facts_step(&mut tx, &t, batch.max(1), now, &mut report)
                .await;
            match step {
                Ok(n) => {
                    tx.commit().await.map_err(db)?;
                    if n < batch.max(1) {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
        }
        report.facts_ms = started.elapsed().as_millis() as u64;
        let started = std::time::Instant::now();
        // 2. Backfill, 3. the current period: a step per transaction until nothing is left.
        loop {
            let mut tx = conn
                .start_transaction(TxOpts::default())
                .await
                .map_err(db)?;
            let step = self.backfill_step(&mut tx, &t, now, &mut report).await;
            match step {
                Ok(more) => {
                    tx.commit().await.map_err(db)?;
                    if !more {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
        }
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(db)?;
        let step = self.current_step(&mut tx, &t, now, &mut report).await;
        match step {
            Ok(()) => tx.commit().await.map_err(db)?,
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(e);
            }
        }
        report.backfill_ms = started.elapsed().as_millis() as u64;
        // This App's next reads (a replica's) wait for the results written here.
        self.note_commit(&mut conn).await;
        Ok(report)
    }

    /// Locks the checkpoint row and returns it.
    async fn lock_checkpoint(&self, tx: &mut Transaction<'_>) -> Result<u64, AppError> {
        let cp: Option<u64> = tx
            .exec_first(
                format!(
                    "SELECT last_sequence FROM {} WHERE projection = ? FOR UPDATE",
                    self.tables().checkpoints
                ),
                (FACTS_PROJECTION,),
            )
            .await
            .map_err(db)?;
        cp.ok_or_else(|| internal("KPI checkpoint row missing"))
    }

    /// One batch of fact extraction; returns the number of events read.
    async fn facts_step(
        &self,
        tx: &mut Transaction<'_>,
        t: &KpiTables,
        batch: usize,
        now: DateTime<Utc>,
        report: &mut KpiRunReport,
    ) -> Result<usize, AppError> {
        let cp = self.lock_checkpoint(tx).await?;
        report.checkpoint = cp;
        let events = self.store().read_after(tx, cp, batch).await?;
        let Some(last) = events.last().map(|e| e.sequence) else {
            return Ok(0);
        };
        let fact_err = |e: pet_core::kpi::FactError| AppError::Storage(format!("KPI facts: {e}"));
        let mut keys: BTreeSet<Uuid> = BTreeSet::new();
        for ev in &events {
            keys.extend(memo_keys(ev).map_err(fact_err)?);
        }
        let mut memos = Memos::new();
        let key_list: Vec<String> = keys.iter().map(Uuid::to_string).collect();
        for chunk in key_list.chunks(1000) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let rows: Vec<(String, String)> = tx
                .exec(
                    format!(
                        "SELECT entity_id, memo FROM {} WHERE entity_id IN ({marks})",
                        t.memos
                    ),
                    chunk.to_vec(),
                )
                .await
                .map_err(db)?;
            for (k, m) in rows {
                let k = Uuid::parse_str(&k).map_err(|_| internal("memo key"))?;
                let m: Memo = serde_json::from_str(&m)
                    .map_err(|e| AppError::Storage(format!("KPI memo unreadable: {e}")))?;
                memos.insert(k, m);
            }
        }
        let before = memos.clone();
        let mut facts: Vec<Fact> = Vec::new();
        for ev in &events {
            facts.extend(extract(ev, &mut memos).map_err(fact_err)?);
        }
        // Changed memos.
        let changed: Vec<(String, String)> = memos
            .iter()
            .filter(|(k, m)| before.get(k) != Some(m))
            .map(|(k, m)| {
                serde_json::to_string(m)
                    .map(|s| (k.to_string(), s))
                    .map_err(|_| internal("memo not serialisable"))
            })
            .collect::<Result<_, _>>()?;
        for chunk in changed.chunks(500) {
            let marks = vec!["(?, ?)"; chunk.len()].join(", ");
            let params: Vec<SqlValue> = chunk
                .iter()
                .flat_map(|(k, m)| [SqlValue::from(k.as_str()), SqlValue::from(m.as_str())])
                .collect();
            tx.exec_drop(
                format!(
                    "INSERT INTO {} (entity_id, memo) VALUES {marks} ON DUPLICATE KEY UPDATE memo = VALUES(memo)",
                    t.memos
                ),
                params,
            )
            .await
            .map_err(db)?;
        }
        // Facts, numbered within their event.
        let mut ord: BTreeMap<u64, u16> = BTreeMap::new();
        let mut rows: Vec<SqlValue> = Vec::with_capacity(facts.len() * 15);
        for f in &facts {
            let o = ord.entry(f.sequence).or_default();
            rows.extend([
                SqlValue::from(f.sequence),
                SqlValue::from(*o),
                f.event_id.to_string().into(),
                f.event_type.as_str().into(),
                to_db_time(f.recorded_at).into(),
                f.kind.as_str().into(),
                f.on.into(),
                f.subject.kind.as_str().into(),
                f.subject.id.to_string().into(),
                f.employee.map(|u| u.to_string()).into(),
                f.customer.map(|u| u.to_string()).into(),
                f.project.map(|u| u.to_string()).into(),
                f.team.map(|u| u.to_string()).into(),
                f.until.into(),
                f.value.into(),
            ]);
            *o += 1;
        }
        // At most 4,000 rows (60,000 placeholders) a statement.
        for chunk in rows.chunks(15 * 4000) {
            let marks =
                vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len() / 15].join(", ");
            tx.exec_drop(
                format!(
                    "INSERT INTO {} (sequence, ord, event_id, event_type, recorded_at, kind, on_date, subject_type, \
                     subject_id, employee_id, customer_id, project_id, team_id, until_date, value) VALUES {marks}",
                    t.facts
                ),
                chunk.to_vec(),
            )
            .await
            .map_err(db)?;
        }
        tx.exec_drop(
            format!(
                "UPDATE {} SET last_sequence = ?, updated_at = ? WHERE projection = ? AND last_sequence = ?",
                self.tables().checkpoints
            ),
            (last, to_db_time(now), FACTS_PROJECTION, cp),
        )
        .await
        .map_err(db)?;
        if tx.affected_rows() != 1 {
            return Err(internal("the KPI checkpoint moved under its lock"));
        }
        report.events += events.len() as u64;
        report.facts += facts.len() as u64;
        report.checkpoint = last;
        // The results these facts change: per computed version, the periods they fall in
        // (from there on for facts that count beyond their period).
        if !facts.is_empty() {
            let versions = computed_versions(tx, t).await?;
            let today = now.date_naive();
            for v in versions {
                let kinds = fact_kinds(&v.version.spec);
                let grain = v.version.spec.grain;
                let mut periods: BTreeSet<Period> = BTreeSet::new();
                for f in &facts {
                    let Some((_, history)) = kinds.iter().find(|(k, _)| *k == f.kind) else {
                        continue;
                    };
                    let first = Period::containing(grain, f.on);
                    if *history {
                        periods.extend(Period::range(grain, f.on, today.max(f.on)));
                    } else {
                        periods.insert(first);
                    }
                }
                let due: Vec<Period> = periods
                    .into_iter()
                    .filter(|p| {
                        let computed = match v.backfill_next {
                            Some(next) => p.start < next,
                            None => v.backfill_status == "done",
                        };
                        computed && p.start <= today
                    })
                    .collect();
                report.results += compute_periods(tx, t, &v, &due, last, now).await?;
            }
        }
        Ok(events.len())
    }

    /// One backfill step of the first version that needs it; whether there may be more.
    async fn backfill_step(
        &self,
        tx: &mut Transaction<'_>,
        t: &KpiTables,
        now: DateTime<Utc>,
        report: &mut KpiRunReport,
    ) -> Result<bool, AppError> {
        let cp = self.lock_checkpoint(tx).await?;
        let rows: Vec<Row> = tx
            .exec(
                format!(
                    "SELECT {VERSION_COLUMNS} FROM {} WHERE backfill_status IN ('pending', 'running') \
                     ORDER BY kpi_id, number LIMIT 1 FOR UPDATE",
                    t.versions
                ),
                (),
            )
            .await
            .map_err(db)?;
        let Some(v) = rows.into_iter().next().map(version_from_row).transpose()? else {
            return Ok(false);
        };
        let today = now.date_naive();
        let grain = v.version.spec.grain;
        let last = Period::containing(grain, today);
        let (next, total, done) = match (v.backfill_status.as_str(), v.backfill_next) {
            ("running", Some(next)) => (next, v.periods_total, v.periods_done),
            _ => {
                let first = earliest_fact(tx, t, &v.version.spec)
                    .await?
                    .unwrap_or(today);
                let floor = today - Duration::days(366 * BACKFILL_YEARS);
                let from = Period::containing(grain, first.max(floor)).start;
                let total = Period::range(grain, from, today).len() as u32;
                (from, total, 0)
            }
        };
        // This step's periods, their facts read once.
        let mut step = Vec::new();
        let mut p = Period::containing(grain, next);
        while p <= last && step.len() < BACKFILL_STEP {
            step.push(p);
            p = p.next();
        }
        let n = step.len();
        report.results += compute_periods(tx, t, &v, &step, cp, now).await?;
        let done = done + n as u32;
        let finished = p > last;
        tx.exec_drop(
            format!(
                "UPDATE {} SET backfill_status = ?, backfill_next = ?, periods_total = ?, periods_done = ? \
                 WHERE kpi_id = ? AND number = ?",
                t.versions
            ),
            (
                if finished { "done" } else { "running" },
                if finished { None } else { Some(p.start) },
                total.max(done),
                done,
                v.kpi_id.to_string(),
                v.version.number,
            ),
        )
        .await
        .map_err(db)?;
        if finished {
            report.backfilled += 1;
        }
        Ok(true)
    }

    /// Computes the current period of every computed version again.
    async fn current_step(
        &self,
        tx: &mut Transaction<'_>,
        t: &KpiTables,
        now: DateTime<Utc>,
        report: &mut KpiRunReport,
    ) -> Result<(), AppError> {
        let cp = self.lock_checkpoint(tx).await?;
        // A stored result is up to date (every new fact recomputes the periods it touches):
        // only a period that has begun since has none yet.
        for v in computed_versions(tx, t).await? {
            if v.backfill_status == "done" {
                let p = Period::containing(v.version.spec.grain, now.date_naive());
                let stored: Option<u8> = tx
                    .exec_first(
                        format!(
                            "SELECT 1 FROM {} WHERE kpi_id = ? AND number = ? AND period_start = ?",
                            t.results
                        ),
                        (v.kpi_id.to_string(), v.version.number, p.start),
                    )
                    .await
                    .map_err(db)?;
                if stored.is_none() {
                    report.results += compute_periods(tx, t, &v, &[p], cp, now).await?;
                }
            }
        }
        Ok(())
    }
}

/// Versions whose results are (partly) computed.
async fn computed_versions(
    tx: &mut Transaction<'_>,
    t: &KpiTables,
) -> Result<Vec<VersionRow>, AppError> {
    let rows: Vec<Row> = tx
        .exec(
            format!(
                "SELECT {VERSION_COLUMNS} FROM {} WHERE backfill_status IN ('running', 'done')",
                t.versions
            ),
            (),
        )
        .await
        .map_err(db)?;
    rows.into_iter().map(version_from_row).collect()
}

/// The earliest day of a fact the spec reads.
async fn earliest_fact(
    tx: &mut Transaction<'_>,
    t: &KpiTables,
    spec: &KpiSpec,
) -> Result<Option<NaiveDate>, AppError> {
    let mut min: Option<NaiveDate> = None;
    for (kind, _) in fact_kinds(spec) {
        let d: Option<Option<NaiveDate>> = tx
            .exec_first(
                format!("SELECT MIN(on_date) FROM {} WHERE kind = ?", t.facts),
                (kind.as_str(),),
            )
            .await
            .map_err(db)?;
        if let Some(Some(d)) = d {
            min = Some(min.map_or(d, |m| m.min(d)));
        }
    }
    Ok(min)
}

/// The `n` periods of `grain` ending with the one containing `until`, oldest first.
fn last_periods(grain: Grain, until: NaiveDate, n: usize) -> Vec<Period> {
    let mut p = Period::containing(grain, until);
    let mut out = vec![p];
    while out.len() < n {
        p = p.previous();
        out.push(p);
    }
    out.reverse();
    out
}

/// A version by number (default the latest).
async fn pick_version<Q: Queryable>(
    q: &mut Q,
    t: &KpiTables,
    id: Uuid,
    number: Option<i64>,
) -> Result<VersionRow, AppError> {
    let versions = load_versions(q, t, id).await?;
    let v = match number {
        Some(n) => versions
            .into_iter()
            .find(|v| i64::from(v.version.number) == n),
        None => versions.into_iter().last(),
    };
    v.ok_or_else(|| AppError::NotFound(format!("KPI {id} version")))
}

/// The stored results of `periods` (a period not computed yet has no value).
async fn stored_results<Q: Queryable>(
    q: &mut Q,
    t: &KpiTables,
    v: &VersionRow,
    periods: &[Period],
) -> Result<Vec<PeriodResult>, AppError> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(Vec::new());
    };
    type Cols = (NaiveDate, i64, i64, Option<i64>, u64, NaiveDateTime);
    let rows: Vec<Cols> = q
        .exec(
            format!(
                "SELECT period_start, numerator, denominator, value_tenths, part_count, computed_at FROM {} \
                 WHERE kpi_id = ? AND number = ? AND period_start BETWEEN ? AND ?",
                t.results
            ),
            (v.kpi_id.to_string(), v.version.number, first.start, last.start),
        )
        .await
        .map_err(db)?;
    let by_start: BTreeMap<NaiveDate, Cols> = rows.into_iter().map(|r| (r.0, r)).collect();
    Ok(periods
        .iter()
        .map(|p| {
            let mut view = period_view(*p, None);
            if let Some((_, n, d, tenths, parts, at)) = by_start.get(&p.start) {
                view.numerator = *n;
                view.denominator = *d;
                view.value_tenths = *tenths;
                view.value = tenths.map(pet_core::kpi::format_tenths);
                view.part_count = *parts;
                view.computed_at = Some(rfc3339(from_db_time(*at)));
            }
            view
        })
        .collect())
}

async fn kpi_view<Q: Queryable>(
    q: &mut Q,
    t: &KpiTables,
    names: &str,
    id: Uuid,
) -> Result<Value, AppError> {
    let row: Option<(String, u32, u64, NaiveDateTime)> = q
        .exec_first(
            format!(
                "SELECT name, current_version, version, created_at FROM {} WHERE id = ?",
                t.definitions
            ),
            (id.to_string(),),
        )
        .await
        .map_err(db)?;
    let Some((name, current, version, created)) = row else {
        return Err(AppError::NotFound(format!("KPI {id}")));
    };
    let mut versions: Vec<KpiVersionView> = load_versions(q, t, id)
        .await?
        .into_iter()
        .map(|v| KpiVersionView {
            number: v.version.number,
            published_at: rfc3339(v.version.published_at),
            spec: v.version.spec,
            unit: v.version.spec.calculator.unit(),
            higher_is_better: v.version.spec.calculator.higher_is_better(),
            backfill_status: v.backfill_status,
            periods_total: v.periods_total,
            periods_done: v.periods_done,
        })
        .collect();
    versions.reverse();
    let ids: BTreeSet<String> = versions
        .iter()
        .filter_map(|v| v.spec.scope.id().map(|u| u.to_string()))
        .collect();
    let mut scope_names = BTreeMap::new();
    if !ids.is_empty() {
        let marks = vec!["?"; ids.len()].join(", ");
        let rows: Vec<(String, String)> = q
            .exec(
                format!("SELECT entity_id, name FROM {names} WHERE entity_id IN ({marks})"),
                ids.into_iter().collect::<Vec<_>>(),
            )
            .await
            .map_err(db)?;
        scope_names.extend(rows);
    }
    view_value(&KpiView {
        actions: &["publish"],
        id: id.to_string(),
        name,
        current_version: current,
        version,
        created_at: rfc3339(from_db_time(created)),
        versions,
        scope_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_in_tenths() {
        assert_eq!(parse_target("85"), Ok(Some(850)));
        assert_eq!(parse_target(" 85.5 "), Ok(Some(855)));
        assert_eq!(parse_target("-1.5"), Ok(Some(-15)));
        assert_eq!(parse_target(""), Ok(None));
        assert!(parse_target("8.55").is_err());
        assert!(parse_target("abc").is_err());
    }

    #[test]
    fn kpi_input_reports_every_bad_field() {
        let i = KpiInput::parse(
            &json!({"calculator": "magic", "scope": "team", "grain": "day", "target": "x"}),
            "input",
        )
        .unwrap_or_else(|_| unreachable!());
        let Err(AppError::Validation(e)) = i.spec() else {
            unreachable!()
        };
        for f in ["calculator", "scope_id", "grain", "target"] {
            assert!(e.get(f).is_some(), "{f}: {e:?}");
        }
    }
}
