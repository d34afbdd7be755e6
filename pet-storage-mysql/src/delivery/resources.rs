//! Timers, weekly capacities and resource allocations: their repositories (each restored
//! from its rows: a timer's one row, an employee's capacity rows, an allocation's row),
//! their commands and the resource plan (employees × weeks, allocated against capacity).
//!
//! Stopping a timer creates its draft time entry in the same command, under the same
//! rules as logging time by hand. Making an allocation answers with the employee's weeks
//! it touches and a warning for each week past capacity (allowed, reported).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::aggregate::Aggregate;
use pet_core::delivery::resources::capacity_in;
use pet_core::delivery::timer::{elapsed_minutes, entry_of};
use pet_core::delivery::values::{week_of, weeks_between};
use pet_core::delivery::{
    week_loads, Allocation, AllocationCommand, AllocationFacts, AllocationId, AllocationSpan,
    Capacity, EntryInput, EntryMinutes, ProjectId, RunningTimer, SetCapacity, TimeEntry,
    TimeEntryCommand, TimeEntryId, TimeFacts, Timer, TimerCommand, WeekLoad, WeeklyMinutes,
};
use pet_core::identity::EmployeeId;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{entry_view, to_value, TimeEntries, WorkInput};
use crate::app::CommandContext;
use crate::command::{command, restored_repository, Read};
use crate::db::to_db_time;
use crate::error::{db, internal, AppError, StorageError};
use crate::fields::command_input;
use crate::input::arg_uuid;
use crate::services::Delivery;
use crate::uow::UnitOfWork;

restored_repository!(
    /// Timers: restored from their row; saved to it.
    Timers: Timer, "timer",
    load |app, tx, id| app.delivery().load_timer(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| app.delivery().write_timer(cx.uow(), before, after).await
);

restored_repository!(
    /// Capacities: restored from the employee's capacity rows; saved to them.
    Capacities: Capacity, "capacity",
    load |app, tx, id| app.delivery().load_capacity(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| app.delivery().write_capacity(cx.uow(), before, after).await
);

restored_repository!(
    /// Allocations: restored from their row; saved to it.
    Allocations: Allocation, "allocation",
    load |app, tx, id| app.delivery().load_allocation(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| app.delivery().write_allocation(cx.uow(), before, after).await
);

command_input! {
    /// Input of [`Delivery::start_timer`]: the work ([`WorkInput`]'s keys: whose, a
    /// project (+ task) or a ticket, role, billable, note), the same as logging time takes.
    pub struct StartTimerInput {
        /// Whose timer, on what, role, billable, note.
        work: WorkInput,
    }
}

command_input! {
    /// Input of [`Delivery::set_capacity`].
    pub struct CapacityInput {
        /// Whose capacity.
        employee_id: EmployeeId,
        /// The Monday it applies from.
        effective_from: NaiveDate,
        /// Minutes per week (0: not available).
        minutes_per_week: i64,
    }
}

command_input! {
    /// Input of [`Delivery::allocate`].
    pub struct AllocateInput {
        /// Who.
        employee_id: EmployeeId,
        /// On what.
        project_id: ProjectId,
        /// First day.
        starts_on: NaiveDate,
        /// Last day.
        ends_on: NaiveDate,
        /// Minutes per week.
        minutes_per_week: i64,
    }
}

command_input! {
    /// Query of [`Delivery::resource_plan`].
    pub struct PlanQuery {
        /// A day of the first week shown (default: today).
        from: Option<NaiveDate>,
        /// How many weeks (1–26, default 8).
        weeks: Option<i64>,
        /// `page`, `per_page`, `after`, `before` (of the employees).
        paging: crate::fields::Paging,
    }
}

/// An allocation as screens show it.
#[derive(Debug, Serialize)]
pub struct AllocationView {
    /// Id.
    pub id: String,
    /// Who.
    pub employee_id: String,
    /// On what.
    pub project_id: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Minutes per week.
    pub minutes_per_week: i64,
    /// Released.
    pub released: bool,
    /// Version.
    pub version: u64,
}

fn allocation_view(a: &Allocation) -> AllocationView {
    AllocationView {
        id: a.id.to_string(),
        employee_id: a.employee_id.to_string(),
        project_id: a.project_id.to_string(),
        starts_on: a.span.starts_on,
        ends_on: a.span.ends_on,
        minutes_per_week: a.span.minutes_per_week,
        released: a.released,
        version: a.version,
    }
}

fn timer_json(
    employee: EmployeeId,
    t: Option<&Timer>,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let running = t.and_then(Timer::running).map(|r| {
        json!({
            "target": r.target,
            "role": r.role.as_ref().map(|x| x.as_str()),
            "billable": r.billable,
            "note": r.note.as_str(),
            "started_at": crate::db::rfc3339(r.started_at),
            "elapsed_minutes": elapsed_minutes(r.started_at, now),
        })
    });
    json!({
        "employee_id": employee.to_string(),
        "running": running,
        "version": t.map_or(0, Timer::version),
    })
}

fn bad(what: &str, id: Uuid, field: &str) -> AppError {
    AppError::Storage(format!("stored {what} {id}: bad {field}"))
}

impl Delivery<'_> {
    // ---- repositories -------------------------------------------------------------------

    /// An employee's timer from its row (`None`: never started).
    pub(crate) async fn load_timer<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Timer>, AppError> {
        let row: Option<(Option<String>, u64)> = q
            .exec_first(
                format!(
                    "SELECT running, version FROM {} WHERE employee_id = ?{}",
                    self.delivery_tables().timers,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((running, version)) = row else {
            return Ok(None);
        };
        let running: Option<RunningTimer> = running
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(|_| bad("timer", id, "running"))?;
        Ok(Some(Timer::restore(
            EmployeeId::from_uuid(id),
            running,
            version,
        )))
    }

    /// Writes a timer's row.
    pub(crate) async fn write_timer(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        t: &Timer,
    ) -> Result<(), AppError> {
        let running = t
            .running()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| AppError::Storage(format!("timer: {e}")))?;
        let now = to_db_time(uow.now());
        let table = &self.delivery_tables().timers;
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {table} (employee_id, running, version, updated_at) VALUES (?, ?, ?, ?)"
                ),
                (t.employee_id().to_string(), running, t.version(), now),
                |_| StorageError::Conflict("the timer was started elsewhere; reload and try again".into()),
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {table} SET running = ?, version = ?, updated_at = ? WHERE employee_id = ? AND version = ?"
                ),
                (running, t.version(), now, t.employee_id().to_string(), before),
                "the timer",
            )
            .await?;
        }
        Ok(())
    }

    /// An employee's capacity from its rows (`None`: never set).
    pub(crate) async fn load_capacity<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Capacity>, AppError> {
        // Every row is the aggregate's: all locked for a command (the version is on each).
        let lock = match read {
            Read::ForCommand => " FOR UPDATE",
            other => other.rows(),
        };
        let rows: Vec<(NaiveDate, i64, u64)> = q
            .exec(
                format!(
                    "SELECT effective_from, minutes_per_week, version FROM {} WHERE employee_id = ? ORDER BY effective_from{lock}",
                    self.delivery_tables().capacities
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let version = rows.iter().map(|r| r.2).max().unwrap_or(0);
        let schedule = rows.into_iter().map(|(d, m, _)| (d, m)).collect();
        Ok(Some(Capacity::restore(
            EmployeeId::from_uuid(id),
            schedule,
            version,
        )))
    }

    /// Writes an employee's capacity: the version on every row (checked against `before`)
    /// and the row of each effective Monday.
    pub(crate) async fn write_capacity(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        c: &Capacity,
    ) -> Result<(), AppError> {
        let table = self.delivery_tables().capacities;
        let employee = c.employee_id().to_string();
        if before > 0 {
            uow.tx()
                .await?
                .exec_drop(
                    format!("UPDATE {table} SET version = ? WHERE employee_id = ? AND version = ?"),
                    (c.version(), &employee, before),
                )
                .await
                .map_err(db)?;
            if uow.tx().await?.affected_rows() == 0 {
                return Err(StorageError::Conflict(
                    "the capacity was changed by someone else; reload and try again".into(),
                )
                .into());
            }
        }
        for (from, minutes) in c.schedule() {
            uow.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {table} (employee_id, effective_from, minutes_per_week, version) \
                         VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE minutes_per_week = VALUES(minutes_per_week), \
                         version = VALUES(version)"
                    ),
                    (&employee, *from, *minutes, c.version()),
                )
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// An allocation from its row (`None`: no such allocation).
    pub(crate) async fn load_allocation<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Allocation>, AppError> {
        type Row = (String, String, NaiveDate, NaiveDate, i64, bool, u64);
        let row: Option<Row> = q
            .exec_first(
                format!(
                    "SELECT employee_id, project_id, starts_on, ends_on, minutes_per_week, released, version \
                     FROM {} WHERE id = ?{}",
                    self.delivery_tables().allocations,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((employee, project, starts_on, ends_on, minutes, released, version)) = row else {
            return Ok(None);
        };
        let uuid = |s: &str, f: &str| Uuid::parse_str(s).map_err(|_| bad("allocation", id, f));
        Ok(Some(Allocation {
            id: AllocationId::from_uuid(id),
            employee_id: EmployeeId::from_uuid(uuid(&employee, "employee_id")?),
            project_id: ProjectId::from_uuid(uuid(&project, "project_id")?),
            span: AllocationSpan {
                starts_on,
                ends_on,
                minutes_per_week: minutes,
            },
            released,
            version,
        }))
    }

    /// Writes an allocation's row.
    pub(crate) async fn write_allocation(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        a: &Allocation,
    ) -> Result<(), AppError> {
        let table = self.delivery_tables().allocations;
        if before == 0 {
            let now = to_db_time(uow.now());
            let values: Vec<SqlValue> = vec![
                a.id.to_string().into(),
                a.employee_id.to_string().into(),
                a.project_id.to_string().into(),
                a.span.starts_on.into(),
                a.span.ends_on.into(),
                a.span.minutes_per_week.into(),
                a.released.into(),
                a.version.into(),
                now.into(),
            ];
            uow.insert(
                &format!(
                    "INSERT INTO {table} (id, employee_id, project_id, starts_on, ends_on, minutes_per_week, \
                     released, version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                values,
                {
                    let id = a.id;
                    move |_| StorageError::Conflict(format!("allocation {id} already exists"))
                },
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {table} SET released = ?, version = ? WHERE id = ? AND version = ?"
                ),
                (a.released, a.version, a.id.to_string(), before),
                "the allocation",
            )
            .await?;
        }
        Ok(())
    }

    // ---- timers -------------------------------------------------------------------------

    /// Starts the employee's timer: `{employee_id? (default: the actor), project_id? +
    /// task_id?, ticket_id?, role?, billable?, note?}`.
    pub async fn start_timer(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let n = StartTimerInput::parse(input, "input")?.work;
        let role = n.role.0.clone();
        let (employee, target) = n.work(ctx)?;
        command!(self, ctx, "start_timer", input, |cx| {
            let repo = Timers(self.app());
            let state = repo.load_for(cx, employee).await?;
            // The target's rules are those of logging time, checked now rather than when
            // the timer stops an hour later.
            let today = cx.now().date_naive();
            let facts = self
                .time_facts(cx.tx().await?, ctx, employee, Some(&target), &[today])
                .await?;
            let probe = TimeEntryCommand::Create {
                id: TimeEntryId::from_uuid(Uuid::nil()),
                employee_id: employee,
                input: EntryInput {
                    target,
                    role: role.clone(),
                    work_date: cx.now().date_naive(),
                    minutes: EntryMinutes::new(1)?,
                    billable: n.billable,
                    note: n.note.clone(),
                },
            };
            TimeEntry::decide(None, &probe, &facts, cx.now())?;
            let status = self
                .employee_status(cx.tx().await?, employee.as_uuid())
                .await?;
            let cmd = TimerCommand::Start {
                employee_id: employee,
                target,
                role: role.clone(),
                billable: n.billable,
                note: n.note.clone(),
            };
            let (t, _) = cx.apply(&repo, state, &cmd, &status).await?;
            Ok(timer_json(employee, Some(&t), cx.now()))
        })
    }

    /// Stops the employee's running timer: it becomes a draft entry of the minutes it ran
    /// (rounded up), dated the day it started; answers `{timer, entry}`.
    pub async fn stop_timer(
        &self,
        employee_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let employee = EmployeeId::from_uuid(arg_uuid("employee_id", employee_id)?);
        let entry_id = TimeEntryId::from_uuid(Uuid::now_v7());
        command!(
            self,
            ctx,
            "stop_timer",
            &json!({"employee_id": employee}),
            |cx| {
                let repo = Timers(self.app());
                let t = cx.load(&repo, employee.as_uuid()).await?;
                let Some(running) = t.running().cloned() else {
                    return Err(AppError::Invariant("no timer is running".into()));
                };
                let status = self
                    .employee_status(cx.tx().await?, employee.as_uuid())
                    .await?;
                let (t, _) = cx
                    .apply(&repo, Some(t), &TimerCommand::Stop { entry_id }, &status)
                    .await?;
                let input = entry_of(&running, cx.now())?;
                let facts = self
                    .time_facts(
                        cx.tx().await?,
                        ctx,
                        employee,
                        Some(&input.target),
                        &[input.work_date],
                    )
                    .await?;
                let cmd = TimeEntryCommand::Create {
                    id: entry_id,
                    employee_id: employee,
                    input,
                };
                let (e, _) = cx.create(&TimeEntries(self.app()), &cmd, &facts).await?;
                Ok(json!({
                    "timer": timer_json(employee, Some(&t), cx.now()),
                    "entry": to_value(&entry_view(&e))?,
                }))
            }
        )
    }

    /// Throws the employee's running timer away.
    pub async fn discard_timer(
        &self,
        employee_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let employee = EmployeeId::from_uuid(arg_uuid("employee_id", employee_id)?);
        command!(
            self,
            ctx,
            "discard_timer",
            &json!({"employee_id": employee}),
            |cx| {
                let repo = Timers(self.app());
                // whose timer: the time rules' (staff discard only their own)
                let mut who = TimeFacts::new();
                if let Some(actor) = ctx.actor_id {
                    who = who.with_actor(EmployeeId::from_uuid(actor), ctx.manages_time);
                }
                who.may_work_for(employee)?;
                let status = self
                    .employee_status(cx.tx().await?, employee.as_uuid())
                    .await?;
                let (t, _) = cx
                    .change(&repo, employee.as_uuid(), &TimerCommand::Discard, &status)
                    .await?;
                Ok(timer_json(employee, Some(&t), cx.now()))
            }
        )
    }

    /// The employee's timer: `{employee_id, running: {target, role, billable, note,
    /// started_at, elapsed_minutes} | null, version}`.
    pub async fn timer(&self, employee_id: &str) -> Result<Value, AppError> {
        let employee = EmployeeId::from_uuid(arg_uuid("employee_id", employee_id)?);
        let mut conn = self.read_conn().await?;
        let t = self
            .load_timer(&mut conn, employee.as_uuid(), Read::ForView)
            .await?;
        Ok(timer_json(employee, t.as_ref(), self.now()))
    }

    // ---- capacity and allocations -------------------------------------------------------

    /// Sets an employee's weekly capacity from a Monday: `{employee_id, effective_from,
    /// minutes_per_week}`.
    pub async fn set_capacity(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let n = CapacityInput::parse(input, "input")?;
        let cmd = SetCapacity {
            employee_id: n.employee_id,
            effective_from: n.effective_from,
            minutes_per_week: WeeklyMinutes::new(n.minutes_per_week)?,
        };
        command!(self, ctx, "set_capacity", input, |cx| {
            let repo = Capacities(self.app());
            let state = repo.load_for(cx, n.employee_id).await?;
            let status = self
                .employee_status(cx.tx().await?, n.employee_id.as_uuid())
                .await?;
            let (c, _) = cx.apply(&repo, state, &cmd, &status).await?;
            Ok(capacity_json(&c, cx.now().date_naive()))
        })
    }

    /// An employee's capacity schedule: `{employee_id, schedule: [{effective_from,
    /// minutes_per_week}], version}` (none set: the default 40 hours).
    pub async fn capacity(&self, employee_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        let mut conn = self.read_conn().await?;
        let c = self.load_capacity(&mut conn, id, Read::ForView).await?;
        Ok(match c {
            Some(c) => capacity_json(&c, self.now().date_naive()),
            None => json!({"employee_id": id, "schedule": [], "version": 0}),
        })
    }

    /// Allocates an employee to a project: `{employee_id, project_id, starts_on, ends_on,
    /// minutes_per_week}`. Answers `{allocation, weeks: [{week, allocated, capacity,
    /// over}], over_capacity: [weeks past capacity], warning}`: an allocation past capacity
    /// is made and reported.
    pub async fn allocate(&self, input: &Value, ctx: &CommandContext) -> Result<Value, AppError> {
        let n = AllocateInput::parse(input, "input")?;
        let cmd = AllocationCommand::Allocate {
            id: AllocationId::from_uuid(Uuid::now_v7()),
            employee_id: n.employee_id,
            project_id: n.project_id,
            starts_on: n.starts_on,
            ends_on: n.ends_on,
            minutes_per_week: WeeklyMinutes::positive(n.minutes_per_week)?,
        };
        command!(self, ctx, "allocate", input, |cx| {
            let employee = self
                .employee_status(cx.tx().await?, n.employee_id.as_uuid())
                .await?;
            let project = self
                .load_project(cx.tx().await?, n.project_id.as_uuid(), Read::Shared)
                .await?
                .map(|p| p.status());
            let facts = AllocationFacts { employee, project };
            // Lock the employee's capacity rows: two allocations of one employee are
            // serialised, so each warning counts the other.
            let capacity = self
                .load_capacity(cx.tx().await?, n.employee_id.as_uuid(), Read::ForCommand)
                .await?;
            let (a, _) = cx.create(&Allocations(self.app()), &cmd, &facts).await?;
            let spans = self
                .allocation_spans(cx.tx().await?, &[n.employee_id], n.starts_on, n.ends_on)
                .await?;
            let schedule = capacity.map(|c| c.schedule().clone()).unwrap_or_default();
            let loads = week_loads(
                &schedule,
                spans.get(&n.employee_id).map_or(&[][..], Vec::as_slice),
                n.starts_on,
                n.ends_on,
            );
            let over: Vec<NaiveDate> = loads.iter().filter(|l| l.over).map(|l| l.week).collect();
            let warning = (!over.is_empty()).then(|| {
                format!(
                    "this allocation takes the employee past capacity in {} week(s), from the week of {}",
                    over.len(),
                    over[0]
                )
            });
            Ok(json!({
                "allocation": to_value(&allocation_view(&a))?,
                "weeks": loads,
                "over_capacity": over,
                "warning": warning,
            }))
        })
    }

    /// Releases an allocation (it no longer counts).
    pub async fn release_allocation(
        &self,
        allocation_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("allocation_id", allocation_id)?;
        command!(self, ctx, "release_allocation", &json!({"id": id}), |cx| {
            let (a, _) = cx
                .change(
                    &Allocations(self.app()),
                    id,
                    &AllocationCommand::Release,
                    &AllocationFacts::default(),
                )
                .await?;
            to_value(&allocation_view(&a))
        })
    }

    /// A project's allocations (released ones included), by start.
    pub async fn project_allocations(&self, project_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let mut conn = self.read_conn().await?;
        let ids: Vec<(String,)> = conn
            .exec(
                format!(
                    "SELECT id FROM {} WHERE project_id = ? ORDER BY starts_on, id LIMIT 500",
                    self.delivery_tables().allocations
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(ids.len());
        for (aid,) in ids {
            let aid = Uuid::parse_str(&aid).map_err(|_| internal("bad allocation id"))?;
            if let Some(a) = self.load_allocation(&mut conn, aid, Read::ForView).await? {
                out.push(allocation_view(&a));
            }
        }
        to_value(&out)
    }

    /// The unreleased allocations of `employees` touching `from..=to`, per employee.
    async fn allocation_spans<Q: Queryable>(
        &self,
        q: &mut Q,
        employees: &[EmployeeId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<EmployeeId, Vec<AllocationSpan>>, AppError> {
        let mut out: BTreeMap<EmployeeId, Vec<AllocationSpan>> = BTreeMap::new();
        if employees.is_empty() {
            return Ok(out);
        }
        // One placeholder per employee of the page: no input in the SQL.
        let marks = vec!["?"; employees.len()].join(", ");
        let mut params: Vec<SqlValue> = employees.iter().map(|e| e.to_string().into()).collect();
        params.push(from.into());
        params.push(to.into());
        let rows: Vec<(String, NaiveDate, NaiveDate, i64)> = q
            .exec(
                format!(
                    "SELECT employee_id, starts_on, ends_on, minutes_per_week FROM {} \
                     WHERE employee_id IN ({marks}) AND ends_on >= ? AND starts_on <= ? AND released = 0",
                    self.delivery_tables().allocations
                ),
                params,
            )
            .await
            .map_err(db)?;
        for (e, starts_on, ends_on, minutes) in rows {
            let e = EmployeeId::from_uuid(
                Uuid::parse_str(&e).map_err(|_| internal("bad employee id"))?,
            );
            out.entry(e).or_default().push(AllocationSpan {
                starts_on,
                ends_on,
                minutes_per_week: minutes,
            });
        }
        Ok(out)
    }

    /// The resource plan: active employees by name (a flat list: `page`, `per_page`,
    /// `after`, `before`), each with `weeks: [{week, allocated, capacity, over}]` for
    /// `weeks` weeks (1–26, default 8) from the week of `from` (default: today).
    pub async fn resource_plan(&self, query: &Value) -> Result<Value, AppError> {
        let q = PlanQuery::parse(query, "query")?;
        let weeks = q.weeks.unwrap_or(8);
        if !(1..=26).contains(&weeks) {
            return Err(AppError::field("weeks", "must be between 1 and 26"));
        }
        let first = week_of(q.from.unwrap_or_else(|| self.now().date_naive()));
        let last = first + Duration::days(7 * weeks - 1);
        let mut employees_query = json!({"status": "active"});
        for key in ["page", "per_page", "after", "before"] {
            if let Some(v) = query.get(key) {
                employees_query[key] = v.clone();
            }
        }
        let mut page = self
            .app()
            .identity()
            .list_employees(&employees_query)
            .await?;
        let items = page
            .get_mut("items")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| internal("employee page without items"))?;
        let ids = items
            .iter()
            .map(|i| {
                i.get("id")
                    .and_then(Value::as_str)
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .map(EmployeeId::from_uuid)
                    .ok_or_else(|| internal("employee without id"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.read_conn().await?;
        let spans = self.allocation_spans(&mut conn, &ids, first, last).await?;
        let schedules = self.schedules(&mut conn, &ids).await?;
        let empty = BTreeMap::new();
        for (item, id) in items.iter_mut().zip(&ids) {
            let loads: Vec<WeekLoad> = week_loads(
                schedules.get(id).unwrap_or(&empty),
                spans.get(id).map_or(&[][..], Vec::as_slice),
                first,
                last,
            );
            item["weeks"] = to_value(&loads)?;
        }
        page["weeks"] = to_value(&weeks_between(first, last))?;
        Ok(page)
    }

    /// The capacity schedules of `employees`.
    async fn schedules<Q: Queryable>(
        &self,
        q: &mut Q,
        employees: &[EmployeeId],
    ) -> Result<BTreeMap<EmployeeId, BTreeMap<NaiveDate, i64>>, AppError> {
        let mut out: BTreeMap<EmployeeId, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
        if employees.is_empty() {
            return Ok(out);
        }
        let marks = vec!["?"; employees.len()].join(", ");
        let params: Vec<SqlValue> = employees.iter().map(|e| e.to_string().into()).collect();
        let rows: Vec<(String, NaiveDate, i64)> = q
            .exec(
                format!(
                    "SELECT employee_id, effective_from, minutes_per_week FROM {} WHERE employee_id IN ({marks})",
                    self.delivery_tables().capacities
                ),
                params,
            )
            .await
            .map_err(db)?;
        for (e, d, m) in rows {
            let e = EmployeeId::from_uuid(
                Uuid::parse_str(&e).map_err(|_| internal("bad employee id"))?,
            );
            out.entry(e).or_default().insert(d, m);
        }
        Ok(out)
    }
}

fn capacity_json(c: &Capacity, today: NaiveDate) -> Value {
    let schedule: Vec<Value> = c
        .schedule()
        .iter()
        .map(|(d, m)| json!({"effective_from": d, "minutes_per_week": m}))
        .collect();
    json!({
        "employee_id": c.employee_id().to_string(),
        "schedule": schedule,
        "current_minutes_per_week": capacity_in(c.schedule(), week_of(today)),
        "version": c.version(),
    })
}

impl Timers<'_> {
    async fn load_for(
        &self,
        cx: &mut crate::command::Cmd<'_, '_>,
        employee: EmployeeId,
    ) -> Result<Option<Timer>, AppError> {
        self.0
            .delivery()
            .load_timer(cx.tx().await?, employee.as_uuid(), Read::ForCommand)
            .await
    }
}

impl Capacities<'_> {
    async fn load_for(
        &self,
        cx: &mut crate::command::Cmd<'_, '_>,
        employee: EmployeeId,
    ) -> Result<Option<Capacity>, AppError> {
        self.0
            .delivery()
            .load_capacity(cx.tx().await?, employee.as_uuid(), Read::ForCommand)
            .await
    }
}
