//! Identity & Organisation application services: JSON input → typed commands run through
//! the one command path (employees, teams, org-structure versions and customers restored
//! from their state rows and saved to them with a version check, see `restore.rs`); and the
//! read models (get / list) the PHP API returns.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Transaction, Value as SqlValue};
use pet_core::identity::{
    build_snapshot, Contact, ContactId, Customer, CustomerCommand, CustomerEvent, CustomerFacts,
    CustomerId, CustomerStatus, DatedRate, Email, Employee, EmployeeCommand, EmployeeEvent,
    EmployeeId, EmployeeStatus, MembershipId, Name, NewEmployee, OrgStructureCommand,
    OrgStructureVersion, OrgVersionId, OrgVersionNumber, OrgVersionStatus, Phone, RateEntry,
    RateKind, Team, TeamCommand, TeamEvent, TeamFacts, TeamId, TeamRole, TeamStatus, WpUserId,
};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{App, CommandContext, JOB_ORG_PUBLISH};
use crate::command::{command, Actors, Read};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{db, internal, AppError, StorageError};
use crate::fields::{
    command_input, CustomerStatusFilter, EmployeeStatusFilter, OrBlank, PageNumber, PerPage,
    RateFields, TeamStatusFilter, VersionNote,
};
use crate::flat::{list_order, page_value, FlatList, TextSearch};
use crate::input::arg_uuid;
use crate::jobs::ClaimedJob;
use crate::jobs::NewJob;
use crate::modules::{unknown_job, JobFuture};
use crate::services::Identity;
use crate::uow::UnitOfWork;

mod privacy;
mod restore;
pub(crate) use restore::{Customers, Employees, OrgVersions, Teams};

type Tx<'a, 'c> = &'a mut Transaction<'c>;
type EmployeeRow = (
    String,
    String,
    String,
    Option<u64>,
    String,
    u64,
    NaiveDateTime,
);

/// A stored rate: kind, amount_minor, currency, effective_from.
type RateRow = (String, i64, String, NaiveDate);

/// An employee's view from its row and its rates (ordered by kind, effective_from).
fn employee_row_view(row: EmployeeRow, rates: &[RateRow], today: NaiveDate) -> EmployeeView {
    let (id, name, email, wp, status, version, created) = row;
    let current = |kind: &str| {
        rates
            .iter()
            .filter(|r| r.0 == kind && r.3 <= today)
            .max_by_key(|r| r.3)
            .map(|r| stored_rate(None, r.1, &r.2, r.3))
    };
    EmployeeView {
        actions: EmployeeStatus::parse(&status)
            .map(EmployeeStatus::actions)
            .unwrap_or_default(),
        id,
        name,
        email,
        wp_user_id: wp,
        version,
        created_at: rfc3339(from_db_time(created)),
        rates: rates
            .iter()
            .map(|r| stored_rate(Some(&r.0), r.1, &r.2, r.3))
            .collect(),
        current_cost_rate: current("cost"),
        current_bill_rate: current("bill"),
        status,
    }
}

type MemberRow = (
    String,
    String,
    Option<String>,
    String,
    NaiveDate,
    Option<NaiveDate>,
);

/// A stored rate row as its output object: the money fields
/// (`{amount_minor, currency, minor_digits, amount, formatted}`), `effective_from` and, in
/// the list of all rates, `kind`.
#[derive(Debug, Clone, Serialize)]
pub struct RateView {
    /// The money fields.
    #[serde(flatten)]
    pub money: Value,
    /// `cost` or `bill` (absent in the current-rate fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// First day it applies (`YYYY-MM-DD`).
    pub effective_from: String,
}

fn stored_rate(kind: Option<&str>, amount_minor: i64, currency: &str, from: NaiveDate) -> RateView {
    RateView {
        money: crate::money::money_parts_json(amount_minor, currency),
        kind: kind.map(str::to_owned),
        effective_from: from.to_string(),
    }
}

/// An employee as every employee read and command returns it.
#[derive(Debug, Clone, Serialize)]
pub struct EmployeeView {
    /// The commands it takes now (see `EmployeeStatus::actions`).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Work e-mail.
    pub email: String,
    /// The linked WordPress user.
    pub wp_user_id: Option<u64>,
    /// `active` or `inactive`.
    pub status: String,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Every rate, by kind and date.
    pub rates: Vec<RateView>,
    /// The cost rate in force today.
    pub current_cost_rate: Option<RateView>,
    /// The bill rate in force today.
    pub current_bill_rate: Option<RateView>,
}

/// One member of a team view.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    /// The membership id.
    pub id: String,
    /// The employee.
    pub employee_id: String,
    /// The employee's name (empty if unknown).
    pub employee_name: String,
    /// `member` or `lead`.
    pub role: String,
    /// First day (`YYYY-MM-DD`).
    pub valid_from: String,
    /// Last day, if ended.
    pub valid_to: Option<String>,
}

/// A team with its members.
#[derive(Debug, Clone, Serialize)]
pub struct TeamView {
    /// The commands it takes now (see `TeamStatus::actions`).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its parent team.
    pub parent_id: Option<String>,
    /// `active` or `archived`.
    pub status: String,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Members, by start date.
    pub members: Vec<MemberView>,
}

/// A team in the hierarchy list (no members).
#[derive(Debug, Clone, Serialize)]
pub struct TeamRow {
    /// The id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its parent team.
    pub parent_id: Option<String>,
    /// `active` or `archived`.
    pub status: String,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Depth in the hierarchy (0: top level).
    pub depth: u32,
    /// The commands it takes now.
    pub actions: &'static [&'static str],
}

/// A contact of a customer view.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    /// The id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

/// A contact row with its customer: customer_id, id, name, email, phone, added_version.
type ContactRow = (String, String, String, Option<String>, Option<String>, u64);

/// How many of a customer's contacts its view carries, oldest first (`list_contacts` pages
/// through all of them).
pub const VIEW_CONTACTS: usize = 20;
/// How many contacts a row of the customers list carries.
const LIST_ROW_CONTACTS: usize = 3;

/// A customer with its first contacts.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerView {
    /// The commands it takes now (see `CustomerStatus::actions`).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `active` or `archived`.
    pub status: String,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// How many contacts it has.
    pub contact_count: u64,
    /// Its first contacts, oldest first: up to [`VIEW_CONTACTS`] (a list row: 3).
    pub contacts: Vec<ContactView>,
}

/// A customer's view from its state (the command's decided state or the restored one) and
/// its first contacts.
fn customer_view(c: &Customer, contacts: Vec<ContactView>) -> CustomerView {
    CustomerView {
        actions: c.status().actions(),
        id: c.id().to_string(),
        name: c.name().as_str().to_owned(),
        status: c.status().as_str().to_owned(),
        version: c.version(),
        contact_count: c.contact_count(),
        contacts,
    }
}

/// An org-structure version (without its snapshot).
#[derive(Debug, Clone, Serialize)]
pub struct OrgVersionView {
    /// The commands it takes now (see `OrgVersionStatus::actions`: `publish_due` while
    /// scheduled).
    pub actions: &'static [&'static str],
    /// The id.
    pub id: String,
    /// Its number (1, 2, …).
    pub number: u32,
    /// `scheduled` or `published`.
    pub status: String,
    /// When it takes effect (RFC 3339).
    pub effective_at: String,
    /// The note given.
    pub note: String,
}

fn to_value<T: Serialize>(view: &T) -> Result<Value, AppError> {
    serde_json::to_value(view).map_err(|e| internal(&format!("view not serialisable: {e}")))
}

fn rate_json(kind: Option<RateKind>, r: &DatedRate) -> Value {
    let mut v = crate::money::money_json(&r.rate.per_hour());
    if let Some(o) = v.as_object_mut() {
        o.insert("effective_from".into(), json!(r.effective_from.to_string()));
        if let Some(k) = kind {
            o.insert("kind".into(), json!(k.as_str()));
        }
    }
    v
}

command_input! {
    /// Input of [`App::create_team`].
    pub struct NewTeamInput {
        /// The team's name.
        name: Name,
        /// Its parent team (top level when omitted).
        parent_id: Option<TeamId>,
    }
}

command_input! {
    /// Input of [`App::create_employee`].
    pub struct NewEmployeeInput {
        /// The employee's name.
        name: Name,
        /// Work e-mail address (unique).
        email: Email,
        /// The linked WordPress user.
        wp_user_id: Option<WpUserId>,
        /// The first cost rate.
        cost_rate: Option<DatedRate>,
        /// The first bill rate.
        bill_rate: Option<DatedRate>,
    }
}

command_input! {
    /// Input of [`App::change_employee_rate`]: `kind` and the rate's own keys.
    pub struct RateChangeInput {
        /// Cost or bill.
        kind: RateKind,
        /// `amount | amount_minor`, `currency`, `effective_from`.
        rate: RateFields,
    }
}

command_input! {
    /// Input of [`App::add_team_member`].
    pub struct NewMemberInput {
        /// The member.
        employee_id: EmployeeId,
        /// Member or lead.
        role: TeamRole,
        /// First day of the membership.
        valid_from: NaiveDate,
        /// Last day (open-ended when omitted).
        valid_to: Option<NaiveDate>,
    }
}

command_input! {
    /// Input of [`App::remove_team_member`].
    pub struct EndMemberInput {
        /// Last day (default: today).
        valid_to: Option<NaiveDate>,
    }
}

command_input! {
    /// Input of [`App::publish_org_structure`].
    pub struct PublishOrgInput {
        /// When the version takes effect (RFC 3339; in the future: scheduled).
        effective_at: DateTime<Utc>,
        /// A note (empty when omitted).
        note: VersionNote = VersionNote::default(),
    }
}

command_input! {
    /// Input of [`App::create_customer`].
    pub struct NewCustomerInput {
        /// The company's name.
        name: Name,
    }
}

command_input! {
    /// Input of [`App::add_contact`] (an empty email or phone is none).
    pub struct ContactInput {
        /// The person's name.
        name: Name,
        /// E-mail address.
        email: OrBlank<Email>,
        /// Phone number.
        phone: OrBlank<Phone>,
    }
}

command_input! {
    /// Query of [`Identity::list_employees`].
    pub struct EmployeeListQuery {
        /// Text in the name or e-mail address.
        search: Option<String>,
        /// Active or inactive.
        status: Option<EmployeeStatusFilter>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

command_input! {
    /// Query of [`Identity::list_customers`].
    pub struct CustomerListQuery {
        /// Text in the name.
        search: Option<String>,
        /// Active or archived.
        status: Option<CustomerStatusFilter>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

command_input! {
    /// Query of [`Identity::list_contacts`].
    pub struct ContactListQuery {
        /// Text in the name or email.
        search: Option<String>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

command_input! {
    /// Query of [`Identity::list_teams`].
    pub struct TeamListQuery {
        /// Active or archived.
        status: Option<TeamStatusFilter>,
        /// Only teams whose name contains this (any case; e.g. a type-ahead picker).
        search: Option<String>,
        /// Page (1 when omitted).
        page: PageNumber = PageNumber::default(),
        /// Rows per page (20 when omitted).
        per_page: PerPage = PerPage::default(),
    }
}

command_input! {
    /// Query of [`Identity::list_org_structure_versions`].
    pub struct OrgVersionListQuery {
        /// Page (1 when omitted).
        page: PageNumber = PageNumber::default(),
        /// Rows per page (20 when omitted).
        per_page: PerPage = PerPage::default(),
    }
}

/// Runs the module's job kinds: publishing a scheduled org-structure version once due.
pub(crate) fn run_job<'a>(app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move {
        match job.kind.as_str() {
            JOB_ORG_PUBLISH => {
                let id = job
                    .payload
                    .get("version_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| AppError::Invariant("job payload has no version_id".into()))?;
                let id = arg_uuid("version_id", id)?;
                app.identity().publish_due_org_version(id).await
            }
            _ => Err(unknown_job(job)),
        }
    })
}

impl Identity<'_> {
    // ---- employees ------------------------------------------------------------------

    /// Writes an employee's row (inserted when `before` is 0, otherwise updated with a
    /// version check) and the rate rows `events` set: all of them for a new employee, the
    /// changed rate otherwise (the row of the entry with the same kind and first day
    /// updated, or a new row).
    async fn write_employee(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        e: &Employee,
        events: &[EmployeeEvent],
    ) -> Result<(), AppError> {
        let t = self.tables().clone();
        let now = to_db_time(uow.now());
        let id = e.id().to_string();
        let wp = e.wp_user_id().map(u64::from);
        let dup = |key: &str| -> StorageError {
            match key {
                "uq_employee_email" => StorageError::Taken {
                    field: "email".into(),
                    message: "is already used by another employee".into(),
                },
                "uq_employee_wp_user" => StorageError::Taken {
                    field: "wp_user_id".into(),
                    message: "is already linked to another employee".into(),
                },
                other => StorageError::Conflict(format!("duplicate {other}")),
            }
        };
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, name, email, wp_user_id, status, version, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    t.employees
                ),
                (&id, e.name().as_str(), e.email().as_str(), wp, e.status().as_str(), e.version(), now, now),
                dup,
            )
            .await?;
        } else {
            let sql = format!(
                "UPDATE {} SET name = ?, email = ?, wp_user_id = ?, status = ?, version = ?, updated_at = ? \
                 WHERE id = ? AND version = ?",
                t.employees
            );
            let params = (
                e.name().as_str(),
                e.email().as_str(),
                wp,
                e.status().as_str(),
                e.version(),
                now,
                &id,
                before,
            );
            match uow.tx().await?.exec_drop(sql.as_str(), params).await {
                Ok(()) => {}
                Err(err) => {
                    if let crate::db::DbErrorKind::Duplicate { .. } = crate::db::classify(&err) {
                        return Err(AppError::field(
                            "wp_user_id",
                            "is already linked to another employee",
                        ));
                    }
                    return Err(db(err));
                }
            }
            if uow.tx().await?.affected_rows() != 1 {
                return Err(AppError::Conflict(
                    "employee was changed by someone else; reload and try again".into(),
                ));
            }
        }
        let changed: Vec<RateEntry> = if before == 0 {
            e.rates().to_vec()
        } else {
            events
                .iter()
                .filter_map(|ev| match ev {
                    EmployeeEvent::RateChanged(p) => Some(RateEntry {
                        kind: p.kind,
                        dated: p.rate,
                    }),
                    _ => None,
                })
                .collect()
        };
        for r in changed {
            let money = r.dated.rate.per_hour();
            let (amount, currency) = (money.amount_minor(), money.currency());
            let currency = currency.as_str();
            if before > 0 {
                // A change of an existing entry (same kind and first day) updates its row in
                // place: no delete-marked rows pile up under a busy employee's index range.
                uow.tx()
                    .await?
                    .exec_drop(
                        format!(
                            "UPDATE {} SET amount_minor = ?, currency = ?, recorded_at = ? \
                             WHERE employee_id = ? AND kind = ? AND effective_from = ?",
                            t.employee_rates
                        ),
                        (
                            amount,
                            currency,
                            now,
                            &id,
                            r.kind.as_str(),
                            r.dated.effective_from,
                        ),
                    )
                    .await
                    .map_err(db)?;
                if uow.tx().await?.affected_rows() > 0 {
                    continue;
                }
            }
            uow.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (id, employee_id, kind, amount_minor, currency, effective_from, recorded_at) \
                         VALUES (?, ?, ?, ?, ?, ?, ?)",
                        t.employee_rates
                    ),
                    (
                        Uuid::now_v7().to_string(),
                        &id,
                        r.kind.as_str(),
                        amount,
                        currency,
                        r.dated.effective_from,
                        now,
                    ),
                )
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    async fn employee_view<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        today: NaiveDate,
    ) -> Result<Value, AppError> {
        let t = self.tables();
        let row: Option<EmployeeRow> = q
            .exec_first(
                format!("SELECT id, name, email, wp_user_id, status, version, created_at FROM {} WHERE id = ?", t.employees),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((id_s, name, email, wp, status, version, created)) = row else {
            return Err(AppError::NotFound(format!("employee {id}")));
        };
        let rates: Vec<RateRow> = q
            .exec(
                format!(
                    "SELECT kind, amount_minor, currency, effective_from FROM {} WHERE employee_id = ? \
                     ORDER BY kind, effective_from",
                    t.employee_rates
                ),
                (&id_s,),
            )
            .await
            .map_err(db)?;
        to_value(&employee_row_view(
            (id_s, name, email, wp, status, version, created),
            &rates,
            today,
        ))
    }

    /// The views of the employees in `rows` (their rates read in one query), in order.
    async fn employee_views(
        &self,
        conn: &mut mysql_async::Conn,
        rows: Vec<EmployeeRow>,
        today: NaiveDate,
    ) -> Result<Vec<EmployeeView>, AppError> {
        let mut rates: HashMap<String, Vec<RateRow>> = HashMap::new();
        if !rows.is_empty() {
            let marks = vec!["?"; rows.len()].join(", ");
            let all: Vec<(String, String, i64, String, NaiveDate)> = conn
                .exec(
                    format!(
                        "SELECT employee_id, kind, amount_minor, currency, effective_from FROM {} \
                         WHERE employee_id IN ({marks}) ORDER BY employee_id, kind, effective_from",
                        self.tables().employee_rates
                    ),
                    rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
                )
                .await
                .map_err(db)?;
            for (e, kind, amount, currency, from) in all {
                rates
                    .entry(e)
                    .or_default()
                    .push((kind, amount, currency, from));
            }
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let own = rates.remove(&r.0).unwrap_or_default();
                employee_row_view(r, &own, today)
            })
            .collect())
    }

    async fn employee_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: EmployeeCommand,
    ) -> Result<Value, AppError> {
        let creates = matches!(cmd, EmployeeCommand::Create(_));
        let actors = if creates {
            Actors::Bootstrap
        } else {
            Actors::Employees
        };
        command!(self, ctx, command, &request, actors, |cx| {
            let repo = Employees(self);
            if creates {
                cx.create(&repo, &cmd, &()).await?;
            } else {
                cx.change(&repo, id, &cmd, &()).await?;
            }
            let today = cx.now().date_naive();
            self.employee_view(cx.tx().await?, id, today).await
        })
    }

    /// Creates an employee: `{name, email, wp_user_id?, cost_rate?, bill_rate?}`.
    pub async fn create_employee(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let n = NewEmployeeInput::parse(input, "input")?;
        let id = Uuid::now_v7();
        let cmd = EmployeeCommand::Create(NewEmployee {
            id: EmployeeId::from_uuid(id),
            name: n.name,
            email: n.email,
            wp_user_id: n.wp_user_id,
            cost_rate: n.cost_rate,
            bill_rate: n.bill_rate,
        });
        self.employee_command(ctx, "create_employee", input.clone(), id, cmd)
            .await
    }

    /// `active → inactive`.
    pub async fn deactivate_employee(
        &self,
        employee_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        self.employee_command(
            ctx,
            "deactivate_employee",
            json!({"id": id}),
            id,
            EmployeeCommand::Deactivate,
        )
        .await
    }

    /// `inactive → active`.
    pub async fn reactivate_employee(
        &self,
        employee_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        self.employee_command(
            ctx,
            "reactivate_employee",
            json!({"id": id}),
            id,
            EmployeeCommand::Reactivate,
        )
        .await
    }

    /// Sets a rate: `{kind: cost|bill, amount: "85.50" | amount_minor, currency, effective_from}`.
    pub async fn change_employee_rate(
        &self,
        employee_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        let r = RateChangeInput::parse(input, "input")?;
        let cmd = EmployeeCommand::ChangeRate {
            kind: r.kind,
            rate: r.rate.0,
        };
        self.employee_command(
            ctx,
            "change_employee_rate",
            json!({"id": id, "input": input}),
            id,
            cmd,
        )
        .await
    }

    /// Links (or with `None` unlinks) a WordPress user.
    pub async fn link_employee_user(
        &self,
        employee_id: &str,
        wp_user_id: Option<i64>,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        let wp = wp_user_id
            .map(WpUserId::from_i64)
            .transpose()
            .map_err(AppError::from)?;
        let cmd = EmployeeCommand::LinkUser { wp_user_id: wp };
        self.employee_command(
            ctx,
            "link_employee_user",
            json!({"id": id, "wp_user_id": wp_user_id}),
            id,
            cmd,
        )
        .await
    }

    /// One employee.
    pub async fn get_employee(&self, employee_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        let mut conn = self.read_conn().await?;
        self.employee_view(&mut conn, id, self.now().date_naive())
            .await
    }

    /// The employee linked to a WordPress user, or `null`.
    pub async fn find_employee_by_user(&self, wp_user_id: i64) -> Result<Value, AppError> {
        let wp = WpUserId::from_i64(wp_user_id).map_err(AppError::from)?;
        let mut conn = self.read_conn().await?;
        let id: Option<String> = conn
            .exec_first(
                format!(
                    "SELECT id FROM {} WHERE wp_user_id = ?",
                    self.tables().employees
                ),
                (u64::from(wp),),
            )
            .await
            .map_err(db)?;
        match id {
            None => Ok(Value::Null),
            Some(id) => {
                let id = Uuid::parse_str(&id).map_err(|_| internal("bad employee id"))?;
                self.employee_view(&mut conn, id, self.now().date_naive())
                    .await
            }
        }
    }

    /// Employees by name: `{search? (name or e-mail), status?, page?, per_page?, after?,
    /// before?}` — a flat list (keyset pages, bounded count, the hybrid search).
    pub async fn list_employees(&self, query: &Value) -> Result<Value, AppError> {
        let q = EmployeeListQuery::parse(query, "query")?;
        let search = TextSearch::new(q.search.as_deref(), &["name", "email"]);
        let order = list_order(search.as_ref(), &[("name", false), ("id", false)]);
        let req = q.paging.request(&order)?;
        let mut conds = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(s) = q.status {
            conds.push("status = ?".to_owned());
            params.push(s.0.as_str().into());
        }
        let mut conn = self.read_conn().await?;
        let (rows, total) = FlatList {
            from: self.tables().employees.clone(),
            columns: "id, name, email, wp_user_id, status, version, created_at",
            conds,
            params,
            order: &order,
            req: &req,
            search,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let (keys, rows): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        let rows = rows
            .into_iter()
            .map(|r| {
                mysql_async::from_row_opt::<EmployeeRow>(r).map_err(|e| internal(&e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let today = self.now().date_naive();
        let views = self.employee_views(&mut conn, rows, today).await?;
        page_value(req.finish(keys.into_iter().zip(views).collect(), total))
    }

    /// The values each list can be filtered by:
    /// `{employee_status, team_status, customer_status, org_version_status}`.
    pub async fn identity_options(&self) -> Result<Value, AppError> {
        let names = |all: &[&'static str]| all.to_vec();
        Ok(json!({
            "employee_status": names(&EmployeeStatus::ALL.map(EmployeeStatus::as_str)),
            "team_status": names(&TeamStatus::ALL.map(TeamStatus::as_str)),
            "customer_status": names(&CustomerStatus::ALL.map(CustomerStatus::as_str)),
            "org_version_status": names(&OrgVersionStatus::ALL.map(OrgVersionStatus::as_str)),
        }))
    }

    // ---- teams ----------------------------------------------------------------------

    async fn team_facts(
        &self,
        tx: Tx<'_, '_>,
        employee: Option<Uuid>,
    ) -> Result<TeamFacts, AppError> {
        let t = self.tables();
        let rows: Vec<(String, Option<String>, String)> = tx
            .exec(format!("SELECT id, parent_id, status FROM {}", t.teams), ())
            .await
            .map_err(db)?;
        let mut facts = TeamFacts::new();
        for (id, parent, status) in rows {
            let id = Uuid::parse_str(&id).map_err(|_| internal("bad team id"))?;
            let parent = parent
                .and_then(|p| Uuid::parse_str(&p).ok())
                .map(Into::into);
            let status = TeamStatus::parse(&status).map_err(|_| internal("stored team status"))?;
            facts.insert_team(id.into(), parent, status);
        }
        if let Some(e) = employee {
            if let Some(st) = self.employee_status(tx, e).await? {
                facts.insert_employee(e.into(), st);
            }
        }
        Ok(facts)
    }

    /// Writes a team's row (inserted when `before` is 0, otherwise updated with a version
    /// check) and the membership rows `events` change: a row per added membership (with
    /// the team version that added it: the order memberships were added in), the last day
    /// of an ended one.
    async fn write_team(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        tm: &Team,
        events: &[TeamEvent],
    ) -> Result<(), AppError> {
        let t = self.tables().clone();
        let now = to_db_time(uow.now());
        let id = tm.id().to_string();
        let parent = tm.parent_id().map(|p| p.to_string());
        if before == 0 {
            uow.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (id, name, parent_id, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        t.teams
                    ),
                    (&id, tm.name().as_str(), &parent, tm.status().as_str(), tm.version(), now, now),
                )
                .await
                .map_err(db)?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET name = ?, parent_id = ?, status = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.teams
                ),
                (tm.name().as_str(), &parent, tm.status().as_str(), tm.version(), now, &id, before),
                "team",
            )
            .await?;
        }
        for (version, ev) in (before + 1..).zip(events) {
            match ev {
                TeamEvent::MemberAdded(p) => {
                    let m = &p.membership;
                    uow.tx().await?
                        .exec_drop(
                            format!(
                                "INSERT INTO {} (id, team_id, employee_id, role, valid_from, valid_to, added_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                t.memberships
                            ),
                            (
                                m.membership_id.to_string(),
                                &id,
                                m.employee_id.to_string(),
                                m.role.as_str(),
                                m.valid_from,
                                m.valid_to,
                                version,
                                now,
                            ),
                        )
                        .await
                        .map_err(db)?;
                }
                TeamEvent::MemberRemoved(p) => {
                    uow.tx()
                        .await?
                        .exec_drop(
                            format!(
                                "UPDATE {} SET valid_to = ? WHERE id = ? AND team_id = ?",
                                t.memberships
                            ),
                            (p.valid_to, p.membership_id.to_string(), &id),
                        )
                        .await
                        .map_err(db)?;
                }
                TeamEvent::Created(_) | TeamEvent::Moved(_) | TeamEvent::Archived(_) => {}
            }
        }
        Ok(())
    }

    async fn team_view<Q: Queryable>(&self, q: &mut Q, id: Uuid) -> Result<Value, AppError> {
        let t = self.tables();
        let row: Option<(String, String, Option<String>, String, u64)> = q
            .exec_first(
                format!(
                    "SELECT id, name, parent_id, status, version FROM {} WHERE id = ?",
                    t.teams
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((id_s, name, parent, status, version)) = row else {
            return Err(AppError::NotFound(format!("team {id}")));
        };
        let members: Vec<MemberRow> = q
            .exec(
                format!(
                    "SELECT m.id, m.employee_id, e.name, m.role, m.valid_from, m.valid_to FROM {} m \
                     LEFT JOIN {} e ON e.id = m.employee_id WHERE m.team_id = ? ORDER BY m.valid_from, m.id",
                    t.memberships, t.employees
                ),
                (&id_s,),
            )
            .await
            .map_err(db)?;
        to_value(&TeamView {
            actions: TeamStatus::parse(&status)
                .map(TeamStatus::actions)
                .unwrap_or_default(),
            id: id_s,
            name,
            parent_id: parent,
            status,
            version,
            members: members
                .into_iter()
                .map(|m| MemberView {
                    id: m.0,
                    employee_id: m.1,
                    employee_name: m.2.unwrap_or_default(),
                    role: m.3,
                    valid_from: m.4.to_string(),
                    valid_to: m.5.map(|d| d.to_string()),
                })
                .collect(),
        })
    }

    async fn team_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: TeamCommand,
        employee: Option<Uuid>,
    ) -> Result<Value, AppError> {
        command!(self, ctx, command, &request, |cx| {
            let repo = Teams(self);
            let facts = self.team_facts(cx.tx().await?, employee).await?;
            if matches!(cmd, TeamCommand::Create { .. }) {
                cx.create(&repo, &cmd, &facts).await?;
            } else {
                cx.change(&repo, id, &cmd, &facts).await?;
            }
            self.team_view(cx.tx().await?, id).await
        })
    }

    /// Creates a team: `{name, parent_id?}`.
    pub async fn create_team(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let n = NewTeamInput::parse(input, "input")?;
        let id = Uuid::now_v7();
        let cmd = TeamCommand::Create {
            id: id.into(),
            name: n.name,
            parent_id: n.parent_id,
        };
        self.team_command(ctx, "create_team", input.clone(), id, cmd, None)
            .await
    }

    /// Moves a team under another parent (`None`: top level).
    pub async fn move_team(
        &self,
        team_id: &str,
        parent_id: Option<&str>,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("team_id", team_id)?;
        let parent = parent_id.map(|p| arg_uuid("parent_id", p)).transpose()?;
        let cmd = TeamCommand::Move {
            parent_id: parent.map(Into::into),
        };
        self.team_command(
            ctx,
            "move_team",
            json!({"id": id, "parent_id": parent}),
            id,
            cmd,
            None,
        )
        .await
    }

    /// `active → archived`.
    pub async fn archive_team(
        &self,
        team_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("team_id", team_id)?;
        self.team_command(
            ctx,
            "archive_team",
            json!({"id": id}),
            id,
            TeamCommand::Archive,
            None,
        )
        .await
    }

    /// Adds a member: `{employee_id, role: member|lead, valid_from, valid_to?}`.
    pub async fn add_team_member(
        &self,
        team_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("team_id", team_id)?;
        let m = NewMemberInput::parse(input, "input")?;
        let employee = m.employee_id.as_uuid();
        let cmd = TeamCommand::AddMember {
            membership_id: MembershipId::from_uuid(Uuid::now_v7()),
            employee_id: m.employee_id,
            role: m.role,
            valid_from: m.valid_from,
            valid_to: m.valid_to,
        };
        self.team_command(
            ctx,
            "add_team_member",
            json!({"id": id, "input": input}),
            id,
            cmd,
            Some(employee),
        )
        .await
    }

    /// Ends a membership: `{valid_to?}` (default: today).
    pub async fn remove_team_member(
        &self,
        team_id: &str,
        membership_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("team_id", team_id)?;
        let mid = arg_uuid("membership_id", membership_id)?;
        let cmd = TeamCommand::RemoveMember {
            membership_id: mid.into(),
            valid_to: EndMemberInput::parse(input, "input")?.valid_to,
        };
        self.team_command(
            ctx,
            "remove_team_member",
            json!({"id": id, "membership": mid, "input": input}),
            id,
            cmd,
            None,
        )
        .await
    }

    /// One team with its members.
    pub async fn get_team(&self, team_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("team_id", team_id)?;
        let mut conn = self.conn().await?;
        self.team_view(&mut conn, id).await
    }

    /// Teams in hierarchy order (parents before children, siblings by name), each with `depth`;
    /// `{status?, search?, page?, per_page?}` (`search`: a part of the name, any case).
    pub async fn list_teams(&self, query: &Value) -> Result<Value, AppError> {
        let q = TeamListQuery::parse(query, "query")?;
        let status = q.status.map(|s| s.0.as_str());
        let search = q
            .search
            .as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let page = q.page.with(q.per_page);
        let mut conn = self.conn().await?;
        let rows: Vec<(String, String, Option<String>, String, u64)> = conn
            .exec(
                format!(
                    "SELECT id, name, parent_id, status, version FROM {} ORDER BY name, id",
                    self.tables().teams
                ),
                (),
            )
            .await
            .map_err(db)?;
        let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let mut children: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            let parent = r.2.as_deref().filter(|p| ids.contains(p));
            children.entry(parent).or_default().push(i);
        }
        let mut ordered = Vec::with_capacity(rows.len());
        let mut stack: Vec<(usize, u32)> = children
            .get(&None)
            .map(|v| v.iter().rev().map(|&i| (i, 0)).collect())
            .unwrap_or_default();
        let mut seen = vec![false; rows.len()];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            ordered.push((i, depth));
            if let Some(kids) = children.get(&Some(rows[i].0.as_str())) {
                stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
            }
        }
        let filtered: Vec<TeamRow> = ordered
            .into_iter()
            .filter(|(i, _)| status.is_none_or(|s| rows[*i].3 == s))
            .filter(|(i, _)| {
                search
                    .as_deref()
                    .is_none_or(|q| rows[*i].1.to_lowercase().contains(q))
            })
            .map(|(i, depth)| {
                let r = &rows[i];
                TeamRow {
                    id: r.0.clone(),
                    name: r.1.clone(),
                    parent_id: r.2.clone(),
                    status: r.3.clone(),
                    version: r.4,
                    depth,
                    actions: TeamStatus::parse(&r.3)
                        .map(TeamStatus::actions)
                        .unwrap_or_default(),
                }
            })
            .collect();
        let total = filtered.len() as u64;
        let items = filtered
            .iter()
            .skip(page.offset() as usize)
            .take(page.per_page as usize)
            .map(to_value)
            .collect::<Result<_, _>>()?;
        Ok(page.wrap(items, total))
    }

    // ---- org structure --------------------------------------------------------------

    fn org_view(
        number: u32,
        status: &str,
        effective_at: DateTime<Utc>,
        note: &str,
        id: &str,
    ) -> OrgVersionView {
        OrgVersionView {
            actions: OrgVersionStatus::ALL
                .iter()
                .find(|s| s.as_str() == status)
                .map(|s| s.actions())
                .unwrap_or_default(),
            id: id.to_owned(),
            number,
            status: status.to_owned(),
            effective_at: rfc3339(effective_at),
            note: note.to_owned(),
        }
    }

    /// Snapshots teams and memberships as a new numbered version: `{effective_at, note?}`.
    pub async fn publish_org_structure(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let PublishOrgInput {
            effective_at,
            note: VersionNote(note),
        } = PublishOrgInput::parse(input, "input")?;
        let effective_at = crate::clock::truncate_micros(effective_at);
        command!(self, ctx, "publish_org_structure", input, |cx| {
            let t = self.tables();
            let prev: Option<Option<u32>> = cx
                .tx()
                .await?
                .exec_first(format!("SELECT MAX(number) FROM {}", t.org_versions), ())
                .await
                .map_err(db)?;
            let previous_number = prev.flatten().map(OrgVersionNumber::new).transpose()?;
            let teams = self.load_teams(cx.tx().await?, None, Read::ForView).await?;
            let snapshot = build_snapshot(&teams, effective_at);
            let id = Uuid::now_v7();
            let cmd = OrgStructureCommand::Publish {
                id: OrgVersionId::from_uuid(id),
                previous_number,
                effective_at,
                note: note.clone(),
                snapshot,
            };
            let (v, _) = cx.create(&OrgVersions(self), &cmd, &()).await?;
            to_value(&Self::org_view(
                u32::from(v.number()),
                v.status().as_str(),
                effective_at,
                note.as_str(),
                &id.to_string(),
            ))
        })
    }

    async fn write_org_version(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        v: &OrgStructureVersion,
    ) -> Result<(), AppError> {
        let t = self.tables();
        let now = uow.now();
        let id = v.id().as_uuid();
        let status = v.status().as_str();
        if before > 0 {
            return uow
                .update_versioned(
                    &format!(
                        "UPDATE {} SET status = ?, published_at = ?, version = ? WHERE id = ? AND version = ?",
                        t.org_versions
                    ),
                    (status, to_db_time(now), v.version(), id.to_string(), before),
                    "org structure version",
                )
                .await
                .map_err(AppError::from);
        }
        let details = v.details();
        let snap_json = serde_json::to_string(&details.snapshot)
            .map_err(|e| AppError::Storage(e.to_string()))?;
        uow.insert(
            &format!(
                "INSERT INTO {} (number, id, status, effective_at, note, snapshot, version, created_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                t.org_versions
            ),
            (
                u32::from(v.number()),
                id.to_string(),
                status,
                to_db_time(details.effective_at),
                details.note.as_str(),
                snap_json,
                v.version(),
                to_db_time(now),
                (status == "published").then(|| to_db_time(now)),
            ),
            |_| StorageError::Conflict("another org structure version was published at the same time; try again".into()),
        )
        .await?;
        if status == "scheduled" {
            let job = NewJob::new(
                JOB_ORG_PUBLISH,
                json!({"version_id": id.to_string()}),
                details.effective_at,
            )
            .dedupe(format!("{JOB_ORG_PUBLISH}:{id}"));
            self.jobs().enqueue(uow.tx().await?, &job, now).await?;
        }
        Ok(())
    }

    /// Publishes a scheduled version once due (system command of the job runner). Already
    /// published is success (the job is idempotent); not yet due is an error (retried).
    pub async fn publish_due_org_version(&self, id: Uuid) -> Result<(), AppError> {
        let ctx = CommandContext::system();
        let request = json!({"id": id});
        command!(
            self,
            &ctx,
            "publish_due_org_version",
            &request,
            Actors::EmployeesOrSystem,
            |cx| {
                let repo = OrgVersions(self);
                let state = cx.load(&repo, id).await?;
                if state.status() != pet_core::identity::OrgVersionStatus::Published {
                    cx.apply(&repo, Some(state), &OrgStructureCommand::PublishDue, &())
                        .await?;
                }
                Ok(json!({}))
            },
        )?;
        Ok(())
    }

    /// Org-structure versions, newest first.
    pub async fn list_org_structure_versions(&self, query: &Value) -> Result<Value, AppError> {
        let q = OrgVersionListQuery::parse(query, "query")?;
        let page = q.page.with(q.per_page);
        let t = self.tables();
        let mut conn = self.conn().await?;
        let total: Option<u64> = conn
            .query_first(format!("SELECT COUNT(*) FROM {}", t.org_versions))
            .await
            .map_err(db)?;
        let rows: Vec<(u32, String, String, NaiveDateTime, String)> = conn
            .exec(
                format!("SELECT number, id, status, effective_at, note FROM {} ORDER BY number DESC LIMIT ? OFFSET ?", t.org_versions),
                (u64::from(page.per_page), page.offset()),
            )
            .await
            .map_err(db)?;
        let items = rows
            .into_iter()
            .map(|(n, id, st, eff, note)| {
                to_value(&Self::org_view(n, &st, from_db_time(eff), &note, &id))
            })
            .collect::<Result<_, _>>()?;
        Ok(page.wrap(items, total.unwrap_or(0)))
    }

    // ---- customers ------------------------------------------------------------------

    async fn customer_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: CustomerCommand,
    ) -> Result<Value, AppError> {
        command!(self, ctx, command, &request, |cx| {
            let repo = Customers(self);
            let (after, _) = match &cmd {
                CustomerCommand::Create { .. } => {
                    cx.create(&repo, &cmd, &CustomerFacts::default()).await?
                }
                CustomerCommand::AddContact(c) => {
                    // The one rule that looks beyond the customer: the id is not taken (a
                    // keyed read, not the customer's contacts).
                    let taken: Option<u8> = cx
                        .tx()
                        .await?
                        .exec_first(
                            format!("SELECT 1 FROM {} WHERE id = ?", self.tables().contacts),
                            (c.contact_id.to_string(),),
                        )
                        .await
                        .map_err(db)?;
                    let facts = CustomerFacts {
                        contact_exists: taken.is_some(),
                        contact_erased: false,
                    };
                    cx.change(&repo, id, &cmd, &facts).await?
                }
                CustomerCommand::EraseContact { .. } => {
                    return Err(AppError::Invariant(
                        "contacts are erased through erase_personal_data".into(),
                    ))
                }
                CustomerCommand::Archive => {
                    cx.change(&repo, id, &cmd, &CustomerFacts::default())
                        .await?
                }
            };
            let contacts = if after.contact_count() == 0 {
                Vec::new()
            } else {
                self.first_contacts(cx.tx().await?, &[after.id().to_string()], VIEW_CONTACTS)
                    .await?
                    .remove(&after.id().to_string())
                    .unwrap_or_default()
            };
            to_value(&customer_view(&after, contacts))
        })
    }

    /// The first `n` contacts (oldest first) of each customer in `ids`: one query, an index
    /// range of at most `n` rows per customer however many contacts it has.
    async fn first_contacts<Q: Queryable>(
        &self,
        q: &mut Q,
        ids: &[String],
        n: usize,
    ) -> Result<HashMap<String, Vec<ContactView>>, AppError> {
        let mut out: HashMap<String, Vec<ContactView>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let one = format!(
            "(SELECT customer_id, id, name, email, phone, added_version FROM {} \
             WHERE customer_id = ? ORDER BY added_version, id LIMIT {n})",
            self.tables().contacts
        );
        let sql = format!(
            "{} ORDER BY customer_id, added_version, id",
            vec![one; ids.len()].join(" UNION ALL ")
        );
        let rows: Vec<ContactRow> = q.exec(sql, ids.to_vec()).await.map_err(db)?;
        for (c, id, name, email, phone, _) in rows {
            out.entry(c).or_default().push(ContactView {
                id,
                name,
                email,
                phone,
            });
        }
        Ok(out)
    }

    async fn write_customer(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        after: &Customer,
        events: &[CustomerEvent],
    ) -> Result<(), AppError> {
        let t = self.tables().clone();
        let id = after.id();
        let nowdb = to_db_time(uow.now());
        if before == 0 {
            uow.tx().await?
                .exec_drop(
                    format!("INSERT INTO {} (id, name, status, contact_count, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", t.customers),
                    (id.to_string(), after.name().as_str(), after.status().as_str(), after.contact_count(), after.version(), nowdb, nowdb),
                )
                .await
                .map_err(db)?;
        } else {
            uow.update_versioned(
                &format!("UPDATE {} SET name = ?, status = ?, contact_count = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?", t.customers),
                (after.name().as_str(), after.status().as_str(), after.contact_count(), after.version(), nowdb, id.to_string(), before),
                "customer",
            )
            .await?;
        }
        for (version, ev) in (before + 1..).zip(events) {
            if let CustomerEvent::ContactErased(e) = ev {
                // The placeholder name; no e-mail, no phone (see `pet_core::privacy`).
                uow.tx().await?
                    .exec_drop(
                        format!(
                            "UPDATE {} SET name = ?, email = NULL, phone = NULL                              WHERE id = ? AND customer_id = ?",
                            t.contacts
                        ),
                        (
                            pet_core::privacy::ERASED_NAME,
                            e.contact_id.to_string(),
                            id.to_string(),
                        ),
                    )
                    .await
                    .map_err(db)?;
            }
            if let CustomerEvent::ContactAdded(c) = ev {
                let ct = &c.contact;
                uow.tx().await?
                    .exec_drop(
                        format!("INSERT INTO {} (id, customer_id, name, email, phone, added_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", t.contacts),
                        (
                            ct.contact_id.to_string(),
                            id.to_string(),
                            ct.name.as_str(),
                            ct.email.as_ref().map(|e| e.as_str().to_owned()),
                            ct.phone.as_ref().map(|p| p.as_str().to_owned()),
                            version,
                            nowdb,
                        ),
                    )
                    .await
                    .map_err(db)?;
            }
        }
        Ok(())
    }

    /// Creates a customer: `{name}`.
    pub async fn create_customer(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let name = NewCustomerInput::parse(input, "input")?.name;
        let id = Uuid::now_v7();
        let cmd = CustomerCommand::Create {
            id: CustomerId::from_uuid(id),
            name,
        };
        self.customer_command(ctx, "create_customer", input.clone(), id, cmd)
            .await
    }

    /// `active → archived`.
    pub async fn archive_customer(
        &self,
        customer_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("customer_id", customer_id)?;
        self.customer_command(
            ctx,
            "archive_customer",
            json!({"id": id}),
            id,
            CustomerCommand::Archive,
        )
        .await
    }

    /// Adds a contact: `{name, email?, phone?}`.
    pub async fn add_contact(
        &self,
        customer_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("customer_id", customer_id)?;
        let c = ContactInput::parse(input, "input")?;
        let contact = Contact {
            contact_id: ContactId::from_uuid(Uuid::now_v7()),
            name: c.name,
            email: c.email.0,
            phone: c.phone.0,
        };
        self.customer_command(
            ctx,
            "add_contact",
            json!({"id": id, "input": input}),
            id,
            CustomerCommand::AddContact(contact),
        )
        .await
    }

    /// One customer with contacts.
    pub async fn get_customer(&self, customer_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("customer_id", customer_id)?;
        let mut conn = self.read_conn().await?;
        let c = self
            .load_customer(&mut conn, id, Read::ForView)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("customer {id}")))?;
        let contacts = if c.contact_count() == 0 {
            Vec::new()
        } else {
            self.first_contacts(&mut conn, &[id.to_string()], VIEW_CONTACTS)
                .await?
                .remove(&id.to_string())
                .unwrap_or_default()
        };
        to_value(&customer_view(&c, contacts))
    }

    /// A customer's contacts, in the order they were added: `{search? (name or email),
    /// page?, per_page?, after?, before?}` — a flat list (searched: newest first).
    pub async fn list_contacts(&self, customer_id: &str, query: &Value) -> Result<Value, AppError> {
        let id = arg_uuid("customer_id", customer_id)?;
        let q = ContactListQuery::parse(query, "query")?;
        let search = TextSearch::new(q.search.as_deref(), &["name", "email"]);
        let order = list_order(search.as_ref(), &[("added_version", false), ("id", false)]);
        let req = q.paging.request(&order)?;
        let t = self.tables();
        let mut conn = self.read_conn().await?;
        let exists: Option<u8> = conn
            .exec_first(
                format!("SELECT 1 FROM {} WHERE id = ?", t.customers),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        if exists.is_none() {
            return Err(AppError::NotFound(format!("customer {id}")));
        }
        let (rows, total) = FlatList {
            from: t.contacts.clone(),
            columns: "id, name, email, phone, added_version, created_at",
            conds: vec!["customer_id = ?".to_owned()],
            params: vec![id.to_string().into()],
            order: &order,
            req: &req,
            search,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let items = rows
            .into_iter()
            .map(|(k, r)| {
                mysql_async::from_row_opt::<(
                    String,
                    String,
                    Option<String>,
                    Option<String>,
                    u64,
                    NaiveDateTime,
                )>(r)
                .map(|(id, name, email, phone, _, _)| {
                    (
                        k,
                        ContactView {
                            id,
                            name,
                            email,
                            phone,
                        },
                    )
                })
                .map_err(|e| internal(&e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        page_value(req.finish(items, total))
    }

    /// Customers by name: `{search? (name), status?, page?, per_page?, after?, before?}` —
    /// a flat list (keyset pages, bounded count, the hybrid search; contacts in one query).
    pub async fn list_customers(&self, query: &Value) -> Result<Value, AppError> {
        let q = CustomerListQuery::parse(query, "query")?;
        let search = TextSearch::new(q.search.as_deref(), &["name"]);
        let order = list_order(search.as_ref(), &[("name", false), ("id", false)]);
        let req = q.paging.request(&order)?;
        let mut conds = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(s) = q.status {
            conds.push("status = ?".to_owned());
            params.push(s.0.as_str().into());
        }
        let t = self.tables();
        let mut conn = self.read_conn().await?;
        let (rows, total) = FlatList {
            from: t.customers.clone(),
            columns: "id, name, status, contact_count, version, created_at",
            conds,
            params,
            order: &order,
            req: &req,
            search,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let (keys, rows): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
        let rows = rows
            .into_iter()
            .map(|r| {
                mysql_async::from_row_opt::<(String, String, String, u64, u64, NaiveDateTime)>(r)
                    .map(|(id, name, status, count, version, _)| (id, name, status, count, version))
                    .map_err(|e| internal(&e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let with: Vec<String> = rows
            .iter()
            .filter(|r| r.3 > 0)
            .map(|r| r.0.clone())
            .collect();
        let mut contacts = self
            .first_contacts(&mut conn, &with, LIST_ROW_CONTACTS)
            .await?;
        let views: Vec<CustomerView> = rows
            .into_iter()
            .map(|(id, name, status, contact_count, version)| CustomerView {
                actions: CustomerStatus::parse(&status)
                    .map(CustomerStatus::actions)
                    .unwrap_or_default(),
                contacts: contacts.remove(&id).unwrap_or_default(),
                id,
                name,
                status,
                version,
                contact_count,
            })
            .collect();
        page_value(req.finish(keys.into_iter().zip(views).collect(), total))
    }
}

#[allow(dead_code)]
fn _rate_json_used(r: &DatedRate) -> Value {
    rate_json(None, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pet_core::FieldErrors;

    fn errors<T: std::fmt::Debug>(r: Result<T, AppError>) -> FieldErrors {
        match r {
            Err(AppError::Validation(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    const ID: &str = "0190a1b2-0000-7000-8000-000000000001";

    #[test]
    fn views_keep_the_json_shape() {
        let rate = |kind| {
            stored_rate(
                kind,
                8550,
                "EUR",
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            )
        };
        let e = to_value(&EmployeeView {
            actions: EmployeeStatus::Active.actions(),
            id: ID.into(),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            wp_user_id: None,
            status: "active".into(),
            version: 1,
            created_at: "2024-01-01T00:00:00Z".into(),
            rates: vec![rate(Some("cost"))],
            current_cost_rate: Some(rate(None)),
            current_bill_rate: None,
        })
        .unwrap();
        let money = json!({"amount_minor": 8550, "currency": "EUR", "minor_digits": 2,
                           "amount": "85.50", "formatted": "EUR 85.50", "effective_from": "2024-01-01"});
        let mut with_kind = money.clone();
        with_kind["kind"] = json!("cost");
        assert_eq!(
            e,
            json!({"actions": ["deactivate", "change_rate", "link_user"], "id": ID, "name": "Ann",
                   "email": "ann@example.com", "wp_user_id": null, "status": "active", "version": 1,
                   "created_at": "2024-01-01T00:00:00Z", "rates": [with_kind],
                   "current_cost_rate": money, "current_bill_rate": null})
        );
        let c = to_value(&CustomerView {
            actions: CustomerStatus::Archived.actions(),
            id: ID.into(),
            name: "Acme".into(),
            status: "archived".into(),
            version: 2,
            contact_count: 1,
            contacts: vec![ContactView {
                id: ID.into(),
                name: "Bo".into(),
                email: None,
                phone: Some("+44 1".into()),
            }],
        })
        .unwrap();
        assert_eq!(
            c,
            json!({"actions": [], "id": ID, "name": "Acme", "status": "archived", "version": 2, "contact_count": 1,
                   "contacts": [{"id": ID, "name": "Bo", "email": null, "phone": "+44 1"}]})
        );
        let at = DateTime::parse_from_rfc3339("2024-01-01T09:00:00Z")
            .unwrap()
            .to_utc();
        let o = to_value(&Identity::org_view(3, "scheduled", at, "n", ID)).unwrap();
        assert_eq!(
            o,
            json!({"actions": ["publish_due"], "id": ID, "number": 3, "status": "scheduled",
                   "effective_at": rfc3339(at), "note": "n"})
        );
    }

    #[test]
    fn new_employee_input_parses_rates() {
        let e = NewEmployeeInput::parse(
            &json!({"name": "Ann", "email": "ann@example.com", "wp_user_id": 7,
                    "cost_rate": {"amount": "85.50", "currency": "EUR", "effective_from": "2024-01-01"},
                    "bill_rate": []}),
            "input",
        );
        let f = errors(e);
        // An empty bill rate is an object with every field missing.
        assert_eq!(f.get("bill_rate.currency"), Some("is required"));
        assert_eq!(f.get("bill_rate.amount_minor"), Some("is required"));
        assert_eq!(f.get("bill_rate.effective_from"), Some("is required"));
        assert_eq!(f.iter().count(), 3, "{f}");
        let e = NewEmployeeInput::parse(
            &json!({"name": "Ann", "email": "ann@example.com", "wp_user_id": 7,
                    "cost_rate": {"amount": "85.50", "currency": "EUR", "effective_from": "2024-01-01"}}),
            "input",
        )
        .unwrap();
        assert_eq!(e.name.as_str(), "Ann");
        assert_eq!(e.wp_user_id.map(u64::from), Some(7));
        let cost = e.cost_rate.unwrap();
        assert_eq!(cost.rate.per_hour().amount_minor(), 8550);
        assert_eq!(cost.effective_from.to_string(), "2024-01-01");
        assert_eq!(e.bill_rate, None);
    }

    #[test]
    fn new_employee_input_reports_every_bad_field() {
        let f = errors(NewEmployeeInput::parse(
            &json!({"name": 5, "email": "nope", "wp_user_id": -3,
                    "cost_rate": {"amount_minor": "x", "effective_from": "2024-13-01"},
                    "bill_rate": "x"}),
            "input",
        ));
        assert_eq!(f.get("name"), Some("must be a string"));
        assert!(f.get("email").is_some());
        assert_eq!(f.get("wp_user_id"), Some("must be a positive integer"));
        assert_eq!(f.get("cost_rate.amount_minor"), Some("must be an integer"));
        assert_eq!(f.get("cost_rate.currency"), Some("is required"));
        assert_eq!(
            f.get("cost_rate.effective_from"),
            Some("must be a date YYYY-MM-DD")
        );
        assert_eq!(f.get("bill_rate"), Some("must be an array with named keys"));
        assert_eq!(f.iter().count(), 7, "{f}");
        let f = errors(NewEmployeeInput::parse(
            &json!({"name": "A", "email": "a@example.com",
                    "cost_rate": {"amount_minor": -1, "currency": "EUR", "effective_from": "2024-01-01"}}),
            "input",
        ));
        assert_eq!(
            f.get("cost_rate.amount_minor"),
            Some("must not be negative")
        );
        let f = errors(NewEmployeeInput::parse(&json!(["Bob"]), "input"));
        assert!(f.get("input").is_some() && f.get("name").is_some(), "{f}");
    }

    #[test]
    fn rate_change_input_reads_the_rate_from_its_own_keys() {
        let r = RateChangeInput::parse(
            &json!({"kind": "bill", "amount_minor": 9900, "currency": "EUR", "effective_from": "2024-02-01"}),
            "input",
        )
        .unwrap();
        assert_eq!(r.kind, RateKind::Bill);
        assert_eq!(r.rate.0.rate.per_hour().amount_minor(), 9900);
        let f = errors(RateChangeInput::parse(
            &json!({"kind": "salary", "amount_minor": 1.5, "currency": "EU'R", "effective_from": "x"}),
            "input",
        ));
        assert_eq!(f.get("kind"), Some("must be cost or bill"));
        assert_eq!(f.get("amount_minor"), Some("must be an integer"));
        assert!(f.get("currency").is_some());
        assert_eq!(f.get("effective_from"), Some("must be a date YYYY-MM-DD"));
        assert_eq!(f.iter().count(), 4, "{f}");
        // An empty decimal amount is not zero: the minor units are then required.
        let f = errors(RateChangeInput::parse(
            &json!({"kind": "cost", "amount": "", "currency": "EUR", "effective_from": "2030-01-01"}),
            "input",
        ));
        assert_eq!(f.get("amount_minor"), Some("is required"));
        let f = errors(RateChangeInput::parse(&json!({}), "input"));
        for k in ["kind", "amount_minor", "currency", "effective_from"] {
            assert_eq!(f.get(k), Some("is required"), "{k}: {f}");
        }
    }

    #[test]
    fn new_member_input_reports_every_bad_field() {
        let m = NewMemberInput::parse(
            &json!({"employee_id": ID, "role": "lead", "valid_from": "2024-01-01"}),
            "input",
        )
        .unwrap();
        assert_eq!(m.role, TeamRole::Lead);
        assert_eq!(m.valid_to, None);
        let f = errors(NewMemberInput::parse(
            &json!({"employee_id": "nope", "role": "boss", "valid_from": "01/01/2024", "valid_to": 3}),
            "input",
        ));
        assert_eq!(f.get("employee_id"), Some("is not a valid id"));
        assert_eq!(f.get("role"), Some("must be member or lead"));
        assert_eq!(f.get("valid_from"), Some("must be a date YYYY-MM-DD"));
        assert_eq!(f.get("valid_to"), Some("must be a string"));
        assert_eq!(f.iter().count(), 4, "{f}");
    }

    #[test]
    fn end_member_input_takes_an_optional_date() {
        assert_eq!(
            EndMemberInput::parse(&json!([]), "input").unwrap().valid_to,
            None
        );
        let f = errors(EndMemberInput::parse(
            &json!({"valid_to": "2024-02-30"}),
            "input",
        ));
        assert_eq!(f.get("valid_to"), Some("must be a date YYYY-MM-DD"));
        let f = errors(EndMemberInput::parse(&json!("x"), "input"));
        assert!(f.get("input").is_some(), "{f}");
    }

    #[test]
    fn publish_org_input_reports_every_bad_field() {
        let p = PublishOrgInput::parse(&json!({"effective_at": "2024-01-01T09:00:00Z"}), "input")
            .unwrap();
        assert_eq!(p.note.0.as_str(), "");
        assert_eq!(p.effective_at.to_rfc3339(), "2024-01-01T09:00:00+00:00");
        let f = errors(PublishOrgInput::parse(
            &json!({"effective_at": "2024-01-01", "note": "a\u{0}b"}),
            "input",
        ));
        assert_eq!(f.get("effective_at"), Some("must be an RFC 3339 timestamp"));
        assert_eq!(f.get("note"), Some("must not contain control characters"));
        assert_eq!(f.iter().count(), 2, "{f}");
        let f = errors(PublishOrgInput::parse(&json!({"note": 5}), "input"));
        assert_eq!(f.get("effective_at"), Some("is required"));
        assert_eq!(f.get("note"), Some("must be a string"));
    }
}
