//! Delivery application services and repositories: projects (from a sale in the quote's
//! acceptance transaction, or internal), change orders, time entries (log, submit, approve
//! — which records variance thresholds under the project's lock —, send back, adjust),
//! the period lock, and the project and timesheet views.
//!
//! Each command runs through the one command path (`crate::command`); the facts the rules
//! need (employee and project status, the ticket's project, the lock, the employee's
//! minutes on the dates concerned) are read in the command's transaction with locking
//! reads, so two commands that would together break a rule are serialised.

pub mod projects;
pub mod repos;
pub mod resources;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use mysql_async::prelude::*;
use mysql_async::{Transaction, Value as SqlValue};
use pet_core::commercial::{SaleRecorded, Text};
use pet_core::delivery::variance::report;
use pet_core::delivery::{
    AdjustmentId, Delivered, EntryInput, EntryMinutes, LockFacts, NewProject, Project,
    ProjectCommand, ProjectFacts, ProjectId, ProjectStatus, SignedMinutes, SoldMinutes, TaskId,
    TimeEntry, TimeEntryCommand, TimeEntryId, TimeFacts, TimeLockCommand, VarianceLine, WorkTarget,
    TIME_LOCK_ID,
};
use pet_core::helpdesk::TicketId;
use pet_core::identity::{CustomerId, EmployeeId, Name, Note};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{App, CommandContext};
use crate::command::{command, Cmd, Read};
use crate::error::internal;
use crate::error::{db, AppError};
use crate::fields::{command_input, Field, OrBlank, OrBlankText};
use crate::flat::{list_order, page_value, FlatList};
use crate::input::arg_uuid;
use crate::jobs::ClaimedJob;
use crate::modules::{unknown_job, JobFuture};
use crate::services::Delivery;

pub(crate) use repos::{Projects, TimeEntries, TimeLocks};
pub(crate) use resources::{Allocations, Capacities, Timers};

/// The status filter of the project list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectStatusFilter(pub ProjectStatus);

impl Field for ProjectStatusFilter {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        let s = v.as_str().ok_or("must be a string")?;
        ProjectStatus::parse(s)
            .map(ProjectStatusFilter)
            .map_err(|_| "must be planned, active, on_hold, completed, closed or cancelled".into())
    }
}

/// The delivery table names for one (validated) prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryTables {
    /// Projects.
    pub projects: String,
    /// Delivered minutes per project and role.
    pub delivered: String,
    /// Time entries.
    pub entries: String,
    /// Their adjustments.
    pub adjustments: String,
    /// The period lock.
    pub locks: String,
    /// Timers.
    pub timers: String,
    /// Weekly capacities.
    pub capacities: String,
    /// Resource allocations.
    pub allocations: String,
    /// Employee-weeks with submitted time (the approvals queue).
    pub submitted_weeks: String,
}

impl DeliveryTables {
    /// The names for the (already validated) `prefix`.
    pub fn new(prefix: &str) -> Self {
        let t = |name: &str| format!("{prefix}pet_{name}");
        Self {
            projects: t("projects"),
            delivered: t("project_delivered"),
            entries: t("time_entries"),
            adjustments: t("time_entry_adjustments"),
            locks: t("time_locks"),
            timers: t("timers"),
            capacities: t("employee_capacities"),
            allocations: t("resource_allocations"),
            submitted_weeks: t("time_submitted_weeks"),
        }
    }
}

impl App {
    /// The delivery table names.
    pub fn delivery_tables(&self) -> DeliveryTables {
        DeliveryTables::new(&self.tables().prefix)
    }
}

/// The module has no job kinds yet.
pub(crate) fn run_job<'a>(_app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move { Err(unknown_job(job)) })
}

command_input! {
    /// Input of [`Delivery::create_project`] (an internal project, or one for a customer
    /// without a sale).
    pub struct NewProjectInput {
        /// Name.
        name: Name,
        /// The customer, if any.
        customer_id: Option<CustomerId>,
        /// Sold minutes per role.
        labour: Labour,
    }
}

command_input! {
    /// What time is spent on, as logging time and starting a timer both take it: whose
    /// (default: the actor), a project (+ task) or a ticket, the role, billable and a note.
    /// Read from the enclosing input's own keys (see its [`Field`] impl).
    pub struct WorkInput {
        /// Whose time (default: the actor).
        employee_id: Option<EmployeeId>,
        /// The project.
        project_id: Option<ProjectId>,
        /// The project's task (blank: none).
        task_id: OrBlankText<TaskId>,
        /// The role the time is logged as (blank: none).
        role: OrBlankText<Name>,
        /// The ticket (instead of a project).
        ticket_id: Option<TicketId>,
        /// Billable (default true).
        billable: bool = true,
        /// Note.
        note: Note = Note::default(),
    }
}

impl WorkInput {
    /// Whose time and what it is spent on (see [`work_of`]).
    pub(crate) fn work(&self, ctx: &CommandContext) -> Result<(EmployeeId, WorkTarget), AppError> {
        work_of(
            self.employee_id,
            self.project_id,
            self.task_id.0,
            self.ticket_id,
            ctx,
        )
    }
}

/// [`WorkInput`] is a flattened field: its keys sit beside the other fields of the input
/// that declares it (`{project_id, work_date, minutes, …}`), and its errors name them.
impl Field for WorkInput {
    fn read(field: &str, _v: &Value) -> Result<Self, String> {
        Err(format!("{field} is read from the input's own keys"))
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        _name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        let v = obj.map_or(Value::Null, |m| Value::Object(m.clone()));
        match WorkInput::parse(&v, "input") {
            Ok(w) => Some(w),
            Err(AppError::Validation(e)) => {
                for (k, m) in e.iter() {
                    errors.add(k, m.to_owned());
                }
                None
            }
            Err(e) => {
                errors.add("input", e.to_string());
                None
            }
        }
    }
}

command_input! {
    /// Input of [`Delivery::log_time`]: the work ([`WorkInput`]'s keys), the day and the
    /// minutes.
    pub struct LogTimeInput {
        /// Whose time, on what, role, billable, note.
        work: WorkInput,
        /// The day.
        work_date: NaiveDate,
        /// Minutes.
        minutes: i64,
    }
}

command_input! {
    /// Input of [`Delivery::revise_time_entry`]: the fields to change (an absent one is
    /// kept; a blank task or role clears it). A project or a ticket replaces the target
    /// (one of them); a task alone moves the entry to that task of its project.
    pub struct ReviseTimeInput {
        /// A new project.
        project_id: Option<ProjectId>,
        /// A new task (blank: none).
        task_id: Option<OrBlankText<TaskId>>,
        /// A new ticket.
        ticket_id: Option<TicketId>,
        /// A new role (blank: none).
        role: Option<OrBlankText<Name>>,
        /// A new day.
        work_date: Option<NaiveDate>,
        /// New minutes.
        minutes: Option<i64>,
        /// Billable or not.
        billable: Option<bool>,
        /// A new note.
        note: Option<Note>,
    }
}

impl ReviseTimeInput {
    /// The entry's content with these changes, as a revision's input.
    fn revised(&self, now: &pet_core::delivery::EntryContent) -> Result<EntryInput, AppError> {
        let task = |current: Option<TaskId>| match &self.task_id {
            Some(t) => t.0,
            None => current,
        };
        let target = match (self.project_id, self.ticket_id, now.target) {
            (Some(_), Some(_), _) => {
                return Err(AppError::field(
                    "project_id",
                    "give a project or a ticket (one of them)",
                ))
            }
            (
                Some(project_id),
                None,
                WorkTarget::Project {
                    project_id: p,
                    task_id,
                },
            ) => {
                WorkTarget::Project {
                    project_id,
                    // a task belongs to its project: moving project drops the old one
                    task_id: task(if p == project_id { task_id } else { None }),
                }
            }
            (Some(project_id), None, WorkTarget::Ticket { .. }) => WorkTarget::Project {
                project_id,
                task_id: task(None),
            },
            (None, Some(ticket_id), _) => WorkTarget::Ticket { ticket_id },
            (
                None,
                None,
                WorkTarget::Project {
                    project_id,
                    task_id,
                },
            ) => WorkTarget::Project {
                project_id,
                task_id: task(task_id),
            },
            (None, None, t @ WorkTarget::Ticket { .. }) => {
                if matches!(self.task_id, Some(OrBlankText(Some(_)))) {
                    return Err(AppError::field("task_id", "a ticket's time has no task"));
                }
                t
            }
        };
        Ok(EntryInput {
            target,
            role: match &self.role {
                Some(r) => r.0.clone(),
                None => now.role.clone(),
            },
            work_date: self.work_date.unwrap_or(now.work_date),
            minutes: match self.minutes {
                Some(m) => EntryMinutes::new(m)?,
                None => now.minutes,
            },
            billable: self.billable.unwrap_or(now.billable),
            note: self.note.clone().unwrap_or_else(|| now.note.clone()),
        })
    }
}

command_input! {
    /// Input of [`Delivery::adjust_time_entry`].
    pub struct AdjustInput {
        /// Signed minutes.
        minutes: i64,
        /// The open date it is booked on.
        work_date: NaiveDate,
        /// Why.
        reason: String,
    }
}

/// Whose time and what it is spent on: the given employee or else the actor, and a project
/// (+ task) or a ticket, exactly one of them (logging time and starting a timer).
pub(crate) fn work_of(
    employee_id: Option<EmployeeId>,
    project_id: Option<ProjectId>,
    task_id: Option<TaskId>,
    ticket_id: Option<TicketId>,
    ctx: &CommandContext,
) -> Result<(EmployeeId, WorkTarget), AppError> {
    let employee = employee_id
        .or(ctx.actor_id.map(EmployeeId::from_uuid))
        .ok_or_else(|| AppError::field("employee_id", "is required"))?;
    let target = match (project_id, ticket_id) {
        (Some(project_id), None) => WorkTarget::Project {
            project_id,
            task_id,
        },
        (None, Some(ticket_id)) => WorkTarget::Ticket { ticket_id },
        _ => {
            return Err(AppError::field(
                "project_id",
                "give a project or a ticket (one of them)",
            ))
        }
    };
    Ok((employee, target))
}

impl Field for TaskId {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        uuid::Uuid::read(field, v).map(TaskId::from_uuid)
    }
}

/// Sold minutes per role, `[{role?, minutes}]`: `Labour` never negative (what was sold),
/// `LabourDelta` signed (a change order's change). Each item's errors name it
/// (`labour.0.minutes`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labour(pub Vec<SoldMinutes>);
/// See [`Labour`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabourDelta(pub Vec<SoldMinutes>);

fn read_labour(
    field: &str,
    v: &Value,
    signed: bool,
    errors: &mut pet_core::FieldErrors,
) -> Option<Vec<SoldMinutes>> {
    let Some(items) = v.as_array() else {
        errors.add(field, "must be a list of {role, minutes}");
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            errors.add(format!("{field}.{i}"), "must be {role, minutes}");
            ok = false;
            continue;
        };
        // The item's fields read as any input's, their errors named after the item.
        let mut item_errors = pet_core::FieldErrors::new();
        let role = OrBlankText::<Name>::read_from(Some(obj), "role", None, &mut item_errors);
        let minutes = i64::read_from(Some(obj), "minutes", None, &mut item_errors).filter(|m| {
            let fine = signed || *m >= 0;
            if !fine {
                item_errors.add("minutes", "must not be negative");
            }
            fine
        });
        for (k, m) in item_errors.iter() {
            errors.add(format!("{field}.{i}.{k}"), m.to_owned());
        }
        match (role, minutes) {
            (Some(role), Some(minutes)) => out.push(SoldMinutes {
                role: role.0,
                minutes,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

impl Field for Labour {
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        read_labour(field, v, false, errors).map(Labour)
    }
    fn absent() -> Result<Self, String> {
        Ok(Labour::default())
    }
}

impl Field for LabourDelta {
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        read_labour(field, v, true, errors).map(LabourDelta)
    }
    fn absent() -> Result<Self, String> {
        Ok(LabourDelta::default())
    }
}

command_input! {
    /// Input of [`Delivery::record_change_order`].
    pub struct ChangeOrderInput {
        /// Why.
        reason: Text,
        /// The signed change of sold minutes per role.
        labour_delta: LabourDelta,
    }
}

command_input! {
    /// Input of [`Delivery::add_milestone`].
    pub struct MilestoneInput {
        /// Title.
        title: Name,
        /// Due date, if any (blank: none).
        due: OrBlankText<NaiveDate>,
    }
}

command_input! {
    /// Input of [`Delivery::add_task`].
    pub struct TaskInput {
        /// Title.
        title: Name,
        /// Estimate in minutes, if any.
        estimate_minutes: Option<i64>,
        /// Who does it (blank: nobody yet).
        assignee_id: OrBlankText<EmployeeId>,
        /// The milestone it belongs to (blank: none).
        milestone_id: OrBlankText<pet_core::delivery::MilestoneId>,
    }
}

/// A project as screens show it.
#[derive(Debug, Serialize)]
pub struct ProjectView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Customer.
    pub customer_id: Option<String>,
    /// Sale.
    pub sale_id: Option<String>,
    /// Status.
    pub status: &'static str,
    /// The moves it takes now.
    pub next_statuses: Vec<&'static str>,
    /// Other commands it takes now.
    pub actions: &'static [&'static str],
    /// Every constraint version, oldest first, with its change order.
    pub constraints: Vec<pet_core::delivery::SoldConstraints>,
    /// Sold against delivered (current version): project line, then per role.
    pub variance: Vec<VarianceLine>,
    /// Milestones, each with the commands it takes now (`complete`).
    pub milestones: Vec<MilestoneView>,
    /// Tasks, each with the statuses it may move to and whether it can be reassigned.
    pub tasks: Vec<TaskView>,
    /// Variance thresholds recorded.
    pub variance_marks: Vec<pet_core::delivery::VarianceMark>,
    /// Version.
    pub version: u64,
}

/// A milestone as the project page shows it.
#[derive(Debug, Serialize)]
pub struct MilestoneView {
    /// The milestone.
    #[serde(flatten)]
    pub milestone: pet_core::delivery::Milestone,
    /// `complete` while it is pending on a project that is not final.
    pub actions: &'static [&'static str],
}

/// A task as the project page shows it.
#[derive(Debug, Serialize)]
pub struct TaskView {
    /// The task.
    #[serde(flatten)]
    pub task: pet_core::delivery::Task,
    /// The statuses it may move to now (none on a final project).
    pub next_statuses: Vec<&'static str>,
    /// `assign` while the project is not final.
    pub actions: &'static [&'static str],
}

/// A time entry as screens show it.
#[derive(Debug, Serialize)]
pub struct EntryView {
    /// Id.
    pub id: String,
    /// Whose.
    pub employee_id: String,
    /// What on.
    pub target: WorkTarget,
    /// The project it counts on.
    pub project_id: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Day.
    pub work_date: NaiveDate,
    /// Minutes.
    pub minutes: i64,
    /// Minutes with adjustments.
    pub effective_minutes: i64,
    /// Billable.
    pub billable: bool,
    /// Note.
    pub note: String,
    /// Status.
    pub status: &'static str,
    /// Why it was sent back.
    pub sent_back_reason: Option<String>,
    /// Adjustments.
    pub adjustments: Vec<pet_core::delivery::Adjustment>,
    /// Commands it takes now.
    pub actions: &'static [&'static str],
    /// Version.
    pub version: u64,
}

pub(crate) fn entry_view(e: &TimeEntry) -> EntryView {
    let s = e.state();
    EntryView {
        id: s.id.to_string(),
        employee_id: s.employee_id.to_string(),
        target: s.content.target,
        project_id: s.content.project_id.map(|p| p.to_string()),
        role: s.content.role.as_ref().map(|r| r.as_str().to_owned()),
        work_date: s.content.work_date,
        minutes: s.content.minutes.get(),
        effective_minutes: e.effective_minutes(),
        billable: s.content.billable,
        note: s.content.note.as_str().to_owned(),
        status: s.status.as_str(),
        sent_back_reason: s.sent_back_reason.as_ref().map(|r| r.as_str().to_owned()),
        adjustments: s.adjustments.clone(),
        actions: e.actions(),
        version: s.version,
    }
}

pub(crate) fn to_value<T: Serialize>(v: &T) -> Result<Value, AppError> {
    serde_json::to_value(v).map_err(|e| AppError::Storage(format!("view: {e}")))
}

impl Delivery<'_> {
    // ---- facts --------------------------------------------------------------------------

    /// A project's delivered minutes, read with a share lock (the latest committed rows:
    /// the caller holds the project's row lock, so no other approval moves them meanwhile).
    pub(crate) async fn delivered<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Delivered, AppError> {
        let rows: Vec<(String, i64)> = q
            .exec(
                format!(
                    "SELECT role, minutes FROM {} WHERE project_id = ?{}",
                    self.delivery_tables().delivered,
                    read.rows()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let mut d = Delivered::new();
        for (role, minutes) in rows {
            let role = if role.is_empty() {
                None
            } else {
                Some(
                    Name::new(&role)
                        .map_err(|_| AppError::Storage(format!("stored role {role:?}")))?,
                )
            };
            d.add(role, minutes);
        }
        Ok(d)
    }

    /// The facts of a time-entry command on `employee`'s time on `dates` against `target`,
    /// asked by `ctx`'s actor.
    pub(crate) async fn time_facts(
        &self,
        tx: &mut Transaction<'_>,
        ctx: &CommandContext,
        employee: EmployeeId,
        target: Option<&WorkTarget>,
        dates: &[NaiveDate],
    ) -> Result<TimeFacts, AppError> {
        let t = self.delivery_tables();
        let mut f = TimeFacts::new();
        if let Some(actor) = ctx.actor_id {
            f = f.with_actor(EmployeeId::from_uuid(actor), ctx.manages_time);
        }
        if let Some(s) = self.employee_status(tx, employee.as_uuid()).await? {
            f = f.with_employee(employee, s);
        }
        if let Some(target) = target {
            f = self.target_facts(tx, f, target).await?;
        }
        let lock: Option<(NaiveDate,)> = tx
            .exec_first(
                format!(
                    "SELECT locked_through FROM {} WHERE id = ? LOCK IN SHARE MODE",
                    t.locks
                ),
                (TIME_LOCK_ID.to_string(),),
            )
            .await
            .map_err(db)?;
        f = f.with_locked_through(lock.map(|l| l.0));
        for d in dates {
            // FOR UPDATE over the employee's day (index range): a concurrent entry on the
            // same day waits for this transaction and then sees its minutes.
            let entries: Option<i64> = tx
                .exec_first(
                    format!(
                        "SELECT CAST(COALESCE(SUM(minutes), 0) AS SIGNED) FROM {} \
                         WHERE employee_id = ? AND work_date = ? AND status <> 'discarded' FOR UPDATE",
                        t.entries
                    ),
                    (employee.to_string(), *d),
                )
                .await
                .map_err(db)?;
            let adjusted: Option<i64> = tx
                .exec_first(
                    format!(
                        "SELECT CAST(COALESCE(SUM(minutes), 0) AS SIGNED) FROM {} \
                         WHERE employee_id = ? AND work_date = ? FOR UPDATE",
                        t.adjustments
                    ),
                    (employee.to_string(), *d),
                )
                .await
                .map_err(db)?;
            f = f.with_day_minutes(*d, entries.unwrap_or(0) + adjusted.unwrap_or(0));
        }
        Ok(f)
    }

    /// Adds what a rule needs about `target` to `f`: the ticket's project, the project's
    /// status and tasks (read with share locks).
    async fn target_facts(
        &self,
        tx: &mut Transaction<'_>,
        mut f: TimeFacts,
        target: &WorkTarget,
    ) -> Result<TimeFacts, AppError> {
        let target = Some(target);
        let mut project = match target {
            Some(WorkTarget::Project { project_id, .. }) => Some(*project_id),
            _ => None,
        };
        if let Some(WorkTarget::Ticket { ticket_id }) = target {
            let row: Option<(Option<String>,)> = tx
                .exec_first(
                    format!(
                        "SELECT project_id FROM {} WHERE id = ? LOCK IN SHARE MODE",
                        self.helpdesk_tables().tickets
                    ),
                    (ticket_id.to_string(),),
                )
                .await
                .map_err(db)?;
            if let Some((p,)) = row {
                let p = p
                    .map(|p| arg_uuid("project_id", &p))
                    .transpose()?
                    .map(ProjectId::from_uuid);
                f = f.with_ticket(*ticket_id, p);
                project = p;
            }
        }
        if let Some(pid) = project {
            if let Some(p) = self
                .load_project(tx, pid.as_uuid(), Read::ForCommand.shared())
                .await?
            {
                f = f.with_project(pid, p.status());
                for task in &p.state().tasks {
                    f = f.with_task(pid, task.id);
                }
            }
        }
        Ok(f)
    }

    /// Records the variance thresholds `project` has newly reached (under its row lock,
    /// which the caller's `cx.load` took).
    async fn detect_variance(
        &self,
        cx: &mut Cmd<'_, '_>,
        project: Project,
    ) -> Result<(), AppError> {
        let delivered = self
            .delivered(cx.tx().await?, project.id().as_uuid(), Read::ForCommand)
            .await?;
        let facts = ProjectFacts::new().with_delivered(delivered);
        cx.apply(
            &Projects(self.app()),
            Some(project),
            &ProjectCommand::DetectVariance,
            &facts,
        )
        .await?;
        Ok(())
    }

    // ---- projects -----------------------------------------------------------------------

    /// Creates an internal project (or one for a customer without a sale): `{name,
    /// customer_id?, labour?: [{role?, minutes}]}`.
    pub async fn create_project(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let n = NewProjectInput::parse(input, "input")?;
        let labour = n.labour.0.clone();
        let id = ProjectId::from_uuid(Uuid::now_v7());
        command!(self, ctx, "create_project", input, |cx| {
            let mut facts = ProjectFacts::new();
            if let Some(c) = n.customer_id {
                if let Some(s) = self.customer_status(cx.tx().await?, c.as_uuid()).await? {
                    facts = facts.with_customer(c, s);
                }
            }
            let cmd = ProjectCommand::Create(NewProject {
                id,
                name: n.name.clone(),
                customer_id: n.customer_id,
                sale: None,
                labour: labour.clone(),
                budget: None,
                recurring: Vec::new(),
            });
            let (p, _) = cx.create(&Projects(self.app()), &cmd, &facts).await?;
            self.project_json(cx.tx().await?, &p).await
        })
    }

    /// Creates the project of a recorded sale inside the command that recorded it (the
    /// quote's acceptance): one project per sale, enforced by the unique sale index too.
    pub(crate) async fn create_project_from_sale(
        &self,
        cx: &mut Cmd<'_, '_>,
        sale: &SaleRecorded,
    ) -> Result<ProjectId, AppError> {
        let id = ProjectId::from_uuid(Uuid::now_v7());
        let mut facts = ProjectFacts::new();
        if let Some(s) = self
            .customer_status(cx.tx().await?, sale.customer_id.as_uuid())
            .await?
        {
            facts = facts.with_customer(sale.customer_id, s);
        }
        let cmd = ProjectCommand::Create(NewProject::from_sale(id, sale, None)?);
        cx.create(&Projects(self.app()), &cmd, &facts).await?;
        Ok(id)
    }

    async fn project_command(
        &self,
        ctx: &CommandContext,
        name: &str,
        request: Value,
        id: Uuid,
        cmd: ProjectCommand,
    ) -> Result<Value, AppError> {
        command!(self, ctx, name, &request, |cx| {
            let repo = Projects(self.app());
            let p = cx.load(&repo, id).await?;
            let mut facts = ProjectFacts::new();
            if let ProjectCommand::AddTask {
                assignee: Some(a), ..
            }
            | ProjectCommand::AssignTask {
                assignee: Some(a), ..
            } = &cmd
            {
                if let Some(s) = self.employee_status(cx.tx().await?, a.as_uuid()).await? {
                    facts = facts.with_employee(*a, s);
                }
            }
            let (p, _) = cx.apply(&repo, Some(p), &cmd, &facts).await?;
            let p = if matches!(cmd, ProjectCommand::RecordChangeOrder { .. }) {
                // a new constraint version may already be past a threshold
                self.detect_variance(cx, p).await?;
                cx.load(&repo, id).await?
            } else {
                p
            };
            self.project_json(cx.tx().await?, &p).await
        })
    }

    /// Moves a project to `status`.
    pub async fn change_project_status(
        &self,
        project_id: &str,
        status: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let to = ProjectStatus::parse(status)?;
        self.project_command(
            ctx,
            "change_project_status",
            json!({"id": id, "status": status}),
            id,
            ProjectCommand::ChangeStatus { to },
        )
        .await
    }

    /// Records a change order: `{reason, labour_delta: [{role?, minutes}]}` — a new
    /// constraint version; the actor is who ordered it.
    pub async fn record_change_order(
        &self,
        project_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let c = ChangeOrderInput::parse(input, "input")?;
        let (reason, labour_delta) = (c.reason, c.labour_delta.0);
        let ordered_by = ctx.actor_id.map(EmployeeId::from_uuid).ok_or_else(|| {
            AppError::field(
                "actor_id",
                "a change order needs the employee who ordered it",
            )
        })?;
        let cmd = ProjectCommand::RecordChangeOrder {
            reason,
            ordered_by,
            labour_delta,
            budget_delta: None,
        };
        self.project_command(
            ctx,
            "record_change_order",
            json!({"id": id, "input": input}),
            id,
            cmd,
        )
        .await
    }

    /// Adds a milestone: `{title, due?}`.
    pub async fn add_milestone(
        &self,
        project_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let m = MilestoneInput::parse(input, "input")?;
        let (title, due) = (m.title, m.due.0);
        let cmd = ProjectCommand::AddMilestone {
            milestone_id: pet_core::delivery::MilestoneId::from_uuid(Uuid::now_v7()),
            title,
            due,
        };
        self.project_command(
            ctx,
            "add_milestone",
            json!({"id": id, "input": input}),
            id,
            cmd,
        )
        .await
    }

    /// Adds a task: `{title, estimate_minutes?, assignee_id?}`.
    pub async fn add_task(
        &self,
        project_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let t = TaskInput::parse(input, "input")?;
        let (title, estimate_minutes, assignee, milestone_id) = (
            t.title,
            t.estimate_minutes,
            t.assignee_id.0,
            t.milestone_id.0,
        );
        let cmd = ProjectCommand::AddTask {
            task_id: TaskId::from_uuid(Uuid::now_v7()),
            title,
            milestone_id,
            estimate_minutes,
            assignee,
        };
        self.project_command(ctx, "add_task", json!({"id": id, "input": input}), id, cmd)
            .await
    }

    /// A project with its constraint versions, variance against sold, milestones and tasks.
    pub async fn project(&self, project_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let mut conn = self.read_conn().await?;
        let p = self
            .load_project(&mut conn, id, Read::ForView)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("project {id}")))?;
        self.project_json(&mut conn, &p).await
    }

    async fn project_json<Q: Queryable>(&self, q: &mut Q, p: &Project) -> Result<Value, AppError> {
        let delivered = self.delivered(q, p.id().as_uuid(), Read::ForView).await?;
        let s = p.state();
        to_value(&ProjectView {
            id: s.id.to_string(),
            name: s.name.as_str().to_owned(),
            customer_id: s.customer_id.map(|c| c.to_string()),
            sale_id: s.sale_id.map(|c| c.to_string()),
            status: s.status.as_str(),
            next_statuses: s
                .status
                .next_statuses()
                .iter()
                .map(|x| x.as_str())
                .collect(),
            actions: p.actions(),
            constraints: s.constraints.clone(),
            variance: report(&p.constraints().labour_pairs(), &delivered),
            milestones: s
                .milestones
                .iter()
                .map(|m| MilestoneView {
                    milestone: m.clone(),
                    actions: p.milestone_actions(m),
                })
                .collect(),
            tasks: s
                .tasks
                .iter()
                .map(|t| TaskView {
                    task: t.clone(),
                    next_statuses: p.task_next_statuses(t).iter().map(|x| x.as_str()).collect(),
                    actions: p.task_actions(t),
                })
                .collect(),
            variance_marks: s.variance_marks.iter().cloned().collect(),
            version: s.version,
        })
    }

    /// The project made from `sale_id` (`None`: none).
    pub async fn project_of_sale(&self, sale_id: &str) -> Result<Option<String>, AppError> {
        let id = arg_uuid("sale_id", sale_id)?;
        let mut conn = self.read_conn().await?;
        let row: Option<(String,)> = conn
            .exec_first(
                format!(
                    "SELECT id FROM {} WHERE sale_id = ?",
                    self.delivery_tables().projects
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        Ok(row.map(|r| r.0))
    }

    // ---- time ---------------------------------------------------------------------------

    /// Logs a draft entry: `{employee_id?, project_id? + task_id?, ticket_id?, role?,
    /// work_date, minutes, billable?, note?}` (default employee: the actor).
    pub async fn log_time(&self, input: &Value, ctx: &CommandContext) -> Result<Value, AppError> {
        let n = LogTimeInput::parse(input, "input")?;
        let role = n.work.role.0.clone();
        let (employee, target) = n.work.work(ctx)?;
        let minutes = EntryMinutes::new(n.minutes)?;
        let id = TimeEntryId::from_uuid(Uuid::now_v7());
        command!(self, ctx, "log_time", input, |cx| {
            let facts = self
                .time_facts(cx.tx().await?, ctx, employee, Some(&target), &[n.work_date])
                .await?;
            let cmd = TimeEntryCommand::Create {
                id,
                employee_id: employee,
                input: EntryInput {
                    target,
                    role: role.clone(),
                    work_date: n.work_date,
                    minutes,
                    billable: n.work.billable,
                    note: n.work.note.clone(),
                },
            };
            let (e, _) = cx.create(&TimeEntries(self.app()), &cmd, &facts).await?;
            to_value(&entry_view(&e))
        })
    }

    async fn entry_command(
        &self,
        ctx: &CommandContext,
        name: &str,
        request: Value,
        id: Uuid,
        cmd: TimeEntryCommand,
    ) -> Result<Value, AppError> {
        self.entry_command_with(ctx, name, request, id, |_| Ok(cmd.clone()))
            .await
    }

    /// Runs the command `make` builds from the loaded entry (a revision merges its changes
    /// into the entry's content under the entry's lock).
    async fn entry_command_with(
        &self,
        ctx: &CommandContext,
        name: &str,
        request: Value,
        id: Uuid,
        make: impl Fn(&TimeEntry) -> Result<TimeEntryCommand, AppError>,
    ) -> Result<Value, AppError> {
        command!(self, ctx, name, &request, |cx| {
            let repo = TimeEntries(self.app());
            let e = cx.load(&repo, id).await?;
            let cmd = make(&e)?;
            // Approved time moves the project's delivered minutes: lock the project first,
            // so approvals on one project are serialised and each sees the others' minutes.
            let project = match (&cmd, e.content().project_id) {
                (TimeEntryCommand::Approve | TimeEntryCommand::Adjust { .. }, Some(pid)) => {
                    Some(cx.load(&Projects(self.app()), pid.as_uuid()).await?)
                }
                _ => None,
            };
            let dates: Vec<NaiveDate> = match &cmd {
                TimeEntryCommand::Adjust { work_date, .. } => vec![*work_date],
                TimeEntryCommand::Revise(i) => vec![i.work_date],
                _ => vec![],
            };
            let target = match &cmd {
                TimeEntryCommand::Revise(i) => i.target,
                _ => e.content().target,
            };
            let facts = self
                .time_facts(cx.tx().await?, ctx, e.employee_id(), Some(&target), &dates)
                .await?;
            let (e, _) = cx.apply(&repo, Some(e), &cmd, &facts).await?;
            if let Some(p) = project {
                self.detect_variance(cx, p).await?;
            }
            to_value(&entry_view(&e))
        })
    }

    /// `draft → submitted`.
    pub async fn submit_time_entry(
        &self,
        entry_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("entry_id", entry_id)?;
        self.entry_command(
            ctx,
            "submit_time_entry",
            json!({"id": id}),
            id,
            TimeEntryCommand::Submit,
        )
        .await
    }

    /// `submitted → approved`; records the project's variance thresholds newly reached.
    pub async fn approve_time_entry(
        &self,
        entry_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("entry_id", entry_id)?;
        self.entry_command(
            ctx,
            "approve_time_entry",
            json!({"id": id}),
            id,
            TimeEntryCommand::Approve,
        )
        .await
    }

    /// Sends a submitted entry back to its employee with `reason`.
    pub async fn send_back_time_entry(
        &self,
        entry_id: &str,
        reason: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("entry_id", entry_id)?;
        let reason = Text::for_field("reason", reason)?;
        self.entry_command(
            ctx,
            "send_back_time_entry",
            json!({"id": id, "reason": reason.as_str()}),
            id,
            TimeEntryCommand::SendBack { reason },
        )
        .await
    }

    /// Changes a draft in one command (its sent-back reason and history kept): `{project_id?
    /// | ticket_id?, task_id?, role?, work_date?, minutes?, billable?, note?}`, an absent
    /// field kept.
    pub async fn revise_time_entry(
        &self,
        entry_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("entry_id", entry_id)?;
        let r = ReviseTimeInput::parse(input, "input")?;
        self.entry_command_with(
            ctx,
            "revise_time_entry",
            json!({"id": id, "input": input}),
            id,
            |e| Ok(TimeEntryCommand::Revise(r.revised(e.content())?)),
        )
        .await
    }

    /// Throws a draft away.
    pub async fn discard_time_entry(
        &self,
        entry_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("entry_id", entry_id)?;
        self.entry_command(
            ctx,
            "discard_time_entry",
            json!({"id": id}),
            id,
            TimeEntryCommand::Discard,
        )
        .await
    }

    /// Corrects a submitted or approved entry: `{minutes (signed), work_date, reason}`.
    pub async fn adjust_time_entry(
        &self,
        entry_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("entry_id", entry_id)?;
        let a = AdjustInput::parse(input, "input")?;
        let adjusted_by = ctx.actor_id.map(EmployeeId::from_uuid).ok_or_else(|| {
            AppError::field("actor_id", "an adjustment needs the employee who makes it")
        })?;
        let cmd = TimeEntryCommand::Adjust {
            adjustment_id: AdjustmentId::from_uuid(Uuid::now_v7()),
            minutes: SignedMinutes::new(a.minutes)?,
            work_date: a.work_date,
            reason: Text::for_field("reason", &a.reason)?,
            adjusted_by,
        };
        self.entry_command(
            ctx,
            "adjust_time_entry",
            json!({"id": id, "input": input}),
            id,
            cmd,
        )
        .await
    }

    /// One time entry.
    pub async fn time_entry(&self, entry_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("entry_id", entry_id)?;
        let mut conn = self.read_conn().await?;
        let e = self
            .load_entry(&mut conn, id, Read::ForView)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("time entry {id}")))?;
        to_value(&entry_view(&e))
    }

    /// Locks every date up to and including `through` (moves forward only; refused while
    /// submitted entries in the period wait for approval).
    pub async fn lock_time_period(
        &self,
        through: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let through: NaiveDate = through
            .trim()
            .parse()
            .map_err(|_| AppError::field("through", "must be a date (YYYY-MM-DD)"))?;
        command!(
            self,
            ctx,
            "lock_time_period",
            &json!({"through": through}),
            |cx| {
                let repo = TimeLocks(self.app());
                let state = repo_load_lock(self, cx).await?;
                let pending: Option<i64> = cx
                .tx().await?
                .exec_first(
                    format!(
                        "SELECT COUNT(*) FROM {} WHERE status = 'submitted' AND work_date <= ? LOCK IN SHARE MODE",
                        self.delivery_tables().entries
                    ),
                    (through,),
                )
                .await
                .map_err(db)?;
                let facts = LockFacts {
                    submitted_in_period: pending.unwrap_or(0).max(0) as u64,
                };
                let (l, _) = cx
                    .apply(&repo, state, &TimeLockCommand::Lock { through }, &facts)
                    .await?;
                Ok(json!({"locked_through": l.locked_through(), "version": l.version()}))
            }
        )
    }

    /// The date through which time is locked (`null`: nothing locked).
    pub async fn time_lock(&self) -> Result<Value, AppError> {
        let mut conn = self.read_conn().await?;
        let l = self
            .load_lock(&mut conn, TIME_LOCK_ID, Read::ForView)
            .await?;
        Ok(json!({"locked_through": l.map(|l| l.locked_through())}))
    }

    /// One employee's week: the entries dated Monday to Sunday of the week of `date`, with
    /// the day totals (adjustments booked on the day included) and the week's total.
    pub async fn timesheet(&self, employee_id: &str, date: &str) -> Result<Value, AppError> {
        let employee = arg_uuid("employee_id", employee_id)?;
        let day: NaiveDate = date
            .trim()
            .parse()
            .map_err(|_| AppError::field("week", "must be a date (YYYY-MM-DD)"))?;
        let monday = pet_core::delivery::values::week_of(day);
        let sunday = monday + Duration::days(6);
        let t = self.delivery_tables();
        let mut conn = self.read_conn().await?;
        // The week's entries in one query and their adjustments in another (index
        // `ix_entry_employee_date`), not one read per entry.
        let rows: Vec<mysql_async::Row> = conn
            .exec(
                format!(
                    "SELECT id, {} FROM {} WHERE employee_id = ? AND work_date BETWEEN ? AND ? \
                     AND status <> 'discarded' ORDER BY work_date, id",
                    repos::ENTRY_COLUMNS,
                    t.entries
                ),
                (employee.to_string(), monday, sunday),
            )
            .await
            .map_err(db)?;
        type AdjustmentRow = (String, String, NaiveDate, i64, String, String);
        let adjustment_rows: Vec<AdjustmentRow> = conn
            .exec(
                format!(
                    "SELECT a.entry_id, a.id, a.work_date, a.minutes, a.reason, a.adjusted_by FROM {} a \
                     JOIN {} e ON e.id = a.entry_id WHERE e.employee_id = ? AND e.work_date BETWEEN ? AND ? \
                     ORDER BY a.entry_id, a.seq",
                    t.adjustments, t.entries
                ),
                (employee.to_string(), monday, sunday),
            )
            .await
            .map_err(db)?;
        let mut adjustments: BTreeMap<String, Vec<repos::AdjustmentRow>> = BTreeMap::new();
        for (entry, aid, d, m, reason, by) in adjustment_rows {
            adjustments
                .entry(entry)
                .or_default()
                .push((aid, d, m, reason, by));
        }
        let mut entries = Vec::new();
        let mut totals: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        for mut r in rows {
            let id: String = r
                .take_opt(0)
                .and_then(Result::ok)
                .ok_or_else(|| internal("time entry without id"))?;
            let uuid = arg_uuid("id", &id)?;
            let row = repos::entry_row(uuid, r, 1)?;
            let e = repos::entry_of_row(uuid, row, adjustments.remove(&id).unwrap_or_default())?;
            *totals.entry(e.content().work_date).or_default() += e.content().minutes.get();
            entries.push(entry_view(&e));
        }
        let adjusted: Vec<(NaiveDate, i64)> = conn
            .exec(
                format!(
                    "SELECT work_date, CAST(SUM(minutes) AS SIGNED) FROM {} WHERE employee_id = ? AND work_date BETWEEN ? AND ? GROUP BY work_date",
                    t.adjustments
                ),
                (employee.to_string(), monday, sunday),
            )
            .await
            .map_err(db)?;
        for (d, m) in adjusted {
            *totals.entry(d).or_default() += m;
        }
        let days: Vec<Value> = (0..7)
            .map(|i| {
                let d = monday + Duration::days(i);
                json!({"date": d, "minutes": totals.get(&d).copied().unwrap_or(0)})
            })
            .collect();
        let lock = self
            .load_lock(&mut conn, TIME_LOCK_ID, Read::ForView)
            .await?;
        Ok(json!({
            "employee_id": employee,
            "week": monday,
            "entries": to_value(&entries)?,
            "days": days,
            "total_minutes": totals.values().sum::<i64>(),
            "locked_through": lock.map(|l| l.locked_through()),
        }))
    }
}

command_input! {
    /// Query of [`Delivery::submitted_time`].
    pub struct SubmittedQuery {
        /// One employee's submitted time.
        employee_id: OrBlank<EmployeeId>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

impl Delivery<'_> {
    /// The approvals queue: submitted entries of every employee (or one), by employee, date
    /// and id — a flat list (index `ix_entry_status_employee_date`, keyset pages, bounded
    /// count): `{employee_id?, page?, per_page?, after?, before?}`; items are entries.
    pub async fn submitted_time(&self, query: &Value) -> Result<Value, AppError> {
        let q = SubmittedQuery::parse(query, "query")?;
        let order = list_order(
            None,
            &[("employee_id", false), ("work_date", false), ("id", false)],
        );
        let req = q.paging.request(&order)?;
        let mut conds = vec!["status = 'submitted'".to_owned()];
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(e) = q.employee_id.0 {
            conds.push("employee_id = ?".into());
            params.push(e.to_string().into());
        }
        let t = self.delivery_tables();
        let columns = format!("id, {}", repos::ENTRY_COLUMNS);
        let mut conn = self.read_conn().await?;
        let (rows, total) = FlatList {
            from: t.entries.clone(),
            columns: &columns,
            conds,
            params,
            order: &order,
            req: &req,
            search: None,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let mut ids: Vec<String> = Vec::with_capacity(rows.len());
        let mut parsed = Vec::with_capacity(rows.len());
        for (k, mut r) in rows {
            let id: String = r
                .take_opt(0)
                .and_then(Result::ok)
                .ok_or_else(|| internal("time entry without id"))?;
            let uuid = arg_uuid("id", &id)?;
            parsed.push((k, uuid, repos::entry_row(uuid, r, 1)?));
            ids.push(id);
        }
        let mut adjustments: BTreeMap<String, Vec<repos::AdjustmentRow>> = BTreeMap::new();
        if !ids.is_empty() {
            // One placeholder per row of the page: no input in the SQL.
            let marks = vec!["?"; ids.len()].join(", ");
            let rows: Vec<(String, String, NaiveDate, i64, String, String)> = conn
                .exec(
                    format!(
                        "SELECT entry_id, id, work_date, minutes, reason, adjusted_by FROM {} \
                         WHERE entry_id IN ({marks}) ORDER BY entry_id, seq",
                        t.adjustments
                    ),
                    ids.iter()
                        .map(|i| SqlValue::from(i.as_str()))
                        .collect::<Vec<_>>(),
                )
                .await
                .map_err(db)?;
            for (entry, aid, d, m, reason, by) in rows {
                adjustments
                    .entry(entry)
                    .or_default()
                    .push((aid, d, m, reason, by));
            }
        }
        let items = parsed
            .into_iter()
            .map(|(k, uuid, row)| {
                let e = repos::entry_of_row(
                    uuid,
                    row,
                    adjustments.remove(&uuid.to_string()).unwrap_or_default(),
                )?;
                Ok((k, to_value(&entry_view(&e))?))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        page_value(req.finish(items, total))
    }
}

command_input! {
    /// Query of [`Delivery::submitted_weeks`].
    pub struct SubmittedWeeksQuery {
        /// One employee's weeks.
        employee_id: OrBlank<EmployeeId>,
        /// Weeks per page (1–100, default 50).
        per_page: Option<i64>,
        /// The cursor `next` of the previous page (`<employee id>/<Monday>`).
        after: OrBlank<String>,
    }
}

/// Which of a week's submitted entries a week command acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekAction {
    Approve,
    SendBack,
}

impl Delivery<'_> {
    /// The approvals queue by employee-week: one line per employee and week (Monday) with
    /// submitted time — `{employee_id, week, entries, minutes, billable_minutes, projects:
    /// [{project_id, minutes}]}` (minutes with their adjustments; a ticket's time without a
    /// project counts under `project_id: null`) — by employee and week; `{employee_id?,
    /// per_page?, after?}` → `{items, next}`. Flat at any size: the page's weeks come from
    /// the queue's own rows (`pet_time_submitted_weeks`, kept by the commands, keyset on
    /// its primary key), their figures from exactly those weeks' submitted entries.
    pub async fn submitted_weeks(&self, query: &Value) -> Result<Value, AppError> {
        let q = SubmittedWeeksQuery::parse(query, "query")?;
        let per_page = match q.per_page {
            None => 50,
            Some(n @ 1..=100) => n,
            Some(_) => return Err(AppError::field("per_page", "must be 1 to 100")),
        };
        let t = self.delivery_tables();
        // The page's employee-weeks from the queue's own rows (its primary key, keyset).
        let mut conds: Vec<&str> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(e) = q.employee_id.0 {
            conds.push("employee_id = ?");
            params.push(e.to_string().into());
        }
        if let Some(after) = q.after.0 {
            let (emp, week) = after
                .split_once('/')
                .and_then(|(e, w)| Some((Uuid::parse_str(e).ok()?, w.parse::<NaiveDate>().ok()?)))
                .ok_or_else(|| AppError::field("after", "is not a cursor of this list"))?;
            conds.push("(employee_id > ? OR (employee_id = ? AND week > ?))");
            params.push(emp.to_string().into());
            params.push(emp.to_string().into());
            params.push(week.into());
        }
        params.push(SqlValue::from(per_page + 1));
        let mut conn = self.read_conn().await?;
        let heads: Vec<(String, NaiveDate)> = conn
            .exec(
                format!(
                    "SELECT employee_id, week FROM {}{}{} ORDER BY employee_id, week LIMIT ?",
                    t.submitted_weeks,
                    if conds.is_empty() { "" } else { " WHERE " },
                    conds.join(" AND ")
                ),
                params,
            )
            .await
            .map_err(db)?;
        let more = heads.len() as i64 > per_page;
        let heads = &heads[..heads.len().min(per_page as usize)];
        // The figures of exactly the page's weeks: their submitted entries (index
        // `ix_entry_status_employee_date`, the range from the first week to the last).
        type Figures = (i64, i64, i64, Vec<Value>);
        let mut figures: BTreeMap<(String, NaiveDate), Figures> = BTreeMap::new();
        if let (Some(first), Some(last)) = (heads.first(), heads.last()) {
            let week = "DATE_SUB(e.work_date, INTERVAL WEEKDAY(e.work_date) DAY)";
            let minutes = format!(
                "e.minutes + COALESCE((SELECT SUM(a.minutes) FROM {} a WHERE a.entry_id = e.id), 0)",
                t.adjustments
            );
            let rows: Vec<(String, NaiveDate, Option<String>, i64, i64, i64)> = conn
                .exec(
                    format!(
                        "SELECT e.employee_id, {week} AS wk, e.project_id, COUNT(*), CAST(SUM({minutes}) AS SIGNED), \
                         CAST(SUM(IF(e.billable, {minutes}, 0)) AS SIGNED) FROM {} e \
                         WHERE e.status = 'submitted' AND (e.employee_id, e.work_date) >= (?, ?) \
                         AND (e.employee_id, e.work_date) < (?, ?) \
                         GROUP BY e.employee_id, wk, e.project_id ORDER BY e.employee_id, wk, e.project_id",
                        t.entries
                    ),
                    (
                        first.0.clone(),
                        first.1,
                        last.0.clone(),
                        last.1 + Duration::days(7),
                    ),
                )
                .await
                .map_err(db)?;
            for (emp, wk, project, n, m, b) in rows {
                let f = figures.entry((emp, wk)).or_default();
                f.0 += n;
                f.1 += m;
                f.2 += b;
                f.3.push(json!({"project_id": project, "minutes": m}));
            }
        }
        let items: Vec<Value> = heads
            .iter()
            .map(|(emp, wk)| {
                let (n, m, b, projects) = figures.remove(&(emp.clone(), *wk)).unwrap_or_default();
                json!({
                    "employee_id": emp,
                    "week": wk,
                    "entries": n,
                    "minutes": m,
                    "billable_minutes": b,
                    "projects": projects,
                })
            })
            .collect();
        let next = match (more, heads.last()) {
            (true, Some((emp, wk))) => Some(format!("{emp}/{wk}")),
            _ => None,
        };
        Ok(json!({"items": items, "next": next}))
    }

    /// Approves every submitted entry of `employee_id`'s week (the week of `week`) in one
    /// command — all or nothing — and records the variance thresholds their projects newly
    /// reach. Answers `{employee_id, week, entries: [entry]}` (the entries it approved).
    pub async fn approve_time_week(
        &self,
        employee_id: &str,
        week: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        self.week_command(employee_id, week, None, WeekAction::Approve, ctx)
            .await
    }

    /// Sends every submitted entry of `employee_id`'s week back with `reason`, in one
    /// command. Answers `{employee_id, week, entries: [entry]}`.
    pub async fn send_back_time_week(
        &self,
        employee_id: &str,
        week: &str,
        reason: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let reason = Text::for_field("reason", reason)?;
        self.week_command(employee_id, week, Some(reason), WeekAction::SendBack, ctx)
            .await
    }

    async fn week_command(
        &self,
        employee_id: &str,
        week: &str,
        reason: Option<Text>,
        action: WeekAction,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let employee = EmployeeId::from_uuid(arg_uuid("employee_id", employee_id)?);
        let day: NaiveDate = week
            .trim()
            .parse()
            .map_err(|_| AppError::field("week", "must be a date (YYYY-MM-DD)"))?;
        let monday = pet_core::delivery::values::week_of(day);
        let (name, cmd) = match (action, reason) {
            (WeekAction::Approve, _) => ("approve_time_week", TimeEntryCommand::Approve),
            (WeekAction::SendBack, Some(reason)) => {
                ("send_back_time_week", TimeEntryCommand::SendBack { reason })
            }
            (WeekAction::SendBack, None) => return Err(AppError::field("reason", "is required")),
        };
        let request = match &cmd {
            TimeEntryCommand::SendBack { reason } => {
                json!({"employee_id": employee, "week": monday, "reason": reason.as_str()})
            }
            _ => json!({"employee_id": employee, "week": monday}),
        };
        command!(self, ctx, name, &request, |cx| {
            let t = self.delivery_tables();
            let ids: Vec<(String,)> = cx
                .tx()
                .await?
                .exec(
                    format!(
                        "SELECT id FROM {} WHERE status = 'submitted' AND employee_id = ? \
                         AND work_date BETWEEN ? AND ? ORDER BY id",
                        t.entries
                    ),
                    (employee.to_string(), monday, monday + Duration::days(6)),
                )
                .await
                .map_err(db)?;
            if ids.is_empty() {
                return Err(AppError::Invariant(format!(
                    "the week of {monday} has no submitted time to act on"
                )));
            }
            let repo = TimeEntries(self.app());
            let mut entries = Vec::with_capacity(ids.len());
            for (id,) in &ids {
                entries.push(cx.load(&repo, arg_uuid("id", id)?).await?);
            }
            // Approved time moves its projects' delivered minutes: lock those projects (in
            // id order) before the entries change, as a single approval does.
            let mut projects = Vec::new();
            if action == WeekAction::Approve {
                let ids: std::collections::BTreeSet<Uuid> = entries
                    .iter()
                    .filter_map(|e| e.content().project_id.map(|p| p.as_uuid()))
                    .collect();
                for pid in ids {
                    projects.push(cx.load(&Projects(self.app()), pid).await?);
                }
            }
            let facts = self
                .time_facts(cx.tx().await?, ctx, employee, None, &[])
                .await?;
            let mut done = Vec::with_capacity(entries.len());
            for e in entries {
                let (e, _) = cx.apply(&repo, Some(e), &cmd, &facts).await?;
                done.push(entry_view(&e));
            }
            for p in projects {
                self.detect_variance(cx, p).await?;
            }
            Ok(json!({"employee_id": employee, "week": monday, "entries": to_value(&done)?}))
        })
    }
}

impl Delivery<'_> {
    /// The time logged on a ticket, for the ticket page: `{ticket_id, entries: [entry]
    /// (the latest 50, newest first, discarded ones left out), count, total_minutes (every
    /// entry not discarded, with adjustments), approved_minutes}` (index `ix_entry_ticket`).
    pub async fn ticket_time(&self, ticket_id: &str) -> Result<Value, AppError> {
        let ticket = arg_uuid("ticket_id", ticket_id)?;
        let t = self.delivery_tables();
        let mut conn = self.read_conn().await?;
        let totals: Option<(i64, i64, i64)> = conn
            .exec_first(
                format!(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(minutes + adjust_minutes), 0) AS SIGNED), \
                     CAST(COALESCE(SUM(IF(status = 'approved', minutes + adjust_minutes, 0)), 0) AS SIGNED) \
                     FROM {} WHERE ticket_id = ? AND status <> 'discarded'",
                    t.entries
                ),
                (ticket.to_string(),),
            )
            .await
            .map_err(db)?;
        let (count, total, approved) = totals.unwrap_or((0, 0, 0));
        let rows: Vec<mysql_async::Row> = conn
            .exec(
                format!(
                    "SELECT id, {} FROM {} WHERE ticket_id = ? AND status <> 'discarded' \
                     ORDER BY work_date DESC, id DESC LIMIT 50",
                    repos::ENTRY_COLUMNS,
                    t.entries
                ),
                (ticket.to_string(),),
            )
            .await
            .map_err(db)?;
        let mut parsed = Vec::with_capacity(rows.len());
        for mut r in rows {
            let id: String = r
                .take_opt(0)
                .and_then(Result::ok)
                .ok_or_else(|| internal("time entry without id"))?;
            let uuid = arg_uuid("id", &id)?;
            parsed.push((uuid, repos::entry_row(uuid, r, 1)?));
        }
        // The page's adjustments in one query (one placeholder per entry: no input in the SQL).
        let mut adjustments: BTreeMap<String, Vec<repos::AdjustmentRow>> = BTreeMap::new();
        if !parsed.is_empty() {
            let marks = vec!["?"; parsed.len()].join(", ");
            let rows: Vec<(String, String, NaiveDate, i64, String, String)> = conn
                .exec(
                    format!(
                        "SELECT entry_id, id, work_date, minutes, reason, adjusted_by FROM {} \
                         WHERE entry_id IN ({marks}) ORDER BY entry_id, seq",
                        t.adjustments
                    ),
                    parsed
                        .iter()
                        .map(|(u, _)| SqlValue::from(u.to_string()))
                        .collect::<Vec<_>>(),
                )
                .await
                .map_err(db)?;
            for (entry, aid, d, m, reason, by) in rows {
                adjustments
                    .entry(entry)
                    .or_default()
                    .push((aid, d, m, reason, by));
            }
        }
        let entries = parsed
            .into_iter()
            .map(|(uuid, row)| {
                let a = adjustments.remove(&uuid.to_string()).unwrap_or_default();
                Ok(entry_view(&repos::entry_of_row(uuid, row, a)?))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(json!({
            "ticket_id": ticket,
            "entries": to_value(&entries)?,
            "count": count,
            "total_minutes": total,
            "approved_minutes": approved,
        }))
    }
}

/// The lock for a command, `None` when nothing was ever locked.
async fn repo_load_lock(
    d: &Delivery<'_>,
    cx: &mut Cmd<'_, '_>,
) -> Result<Option<pet_core::delivery::TimeLock>, AppError> {
    d.load_lock(cx.tx().await?, TIME_LOCK_ID, Read::ForCommand)
        .await
}

command_input! {
    /// One cell of [`Delivery::save_week`]: a row (project + task, or ticket), a day of the
    /// week and the minutes the cell should hold (0 empties it).
    pub struct WeekCellInput {
        /// The project.
        project_id: Option<ProjectId>,
        /// The project's task (blank: none).
        task_id: OrBlankText<TaskId>,
        /// The ticket (instead of a project).
        ticket_id: Option<TicketId>,
        /// The day.
        work_date: NaiveDate,
        /// The cell's minutes.
        minutes: i64,
    }
}

/// The cells of a save-week input: `{cells: [{project_id? + task_id?, ticket_id?,
/// work_date, minutes}]}`.
fn week_cells(input: &Value) -> Result<Vec<pet_core::delivery::WeekCell>, AppError> {
    let cells = match input.get("cells") {
        Some(Value::Array(a)) => a.as_slice(),
        // an empty PHP array arrives as an empty object
        Some(Value::Object(m)) if m.is_empty() => &[],
        Some(Value::Null) | None => return Err(AppError::field("cells", "is required")),
        Some(_) => return Err(AppError::field("cells", "must be a list of cells")),
    };
    if cells.len() > 7 * 200 {
        return Err(AppError::field(
            "cells",
            "at most 1400 cells (200 rows) a week",
        ));
    }
    cells
        .iter()
        .map(|c| {
            let c = WeekCellInput::parse(c, "cells")?;
            let target = match (c.project_id, c.ticket_id) {
                (Some(project_id), None) => WorkTarget::Project {
                    project_id,
                    task_id: c.task_id.0,
                },
                (None, Some(ticket_id)) if c.task_id.0.is_none() => {
                    WorkTarget::Ticket { ticket_id }
                }
                _ => {
                    return Err(AppError::field(
                        "cells",
                        "each cell names a project (and task) or a ticket (one of them)",
                    ))
                }
            };
            Ok(pet_core::delivery::WeekCell {
                target,
                work_date: c.work_date,
                minutes: c.minutes,
            })
        })
        .collect()
}

impl Delivery<'_> {
    /// The week's entries of `employee` (not discarded), in the timesheet's order, loaded
    /// for a command (row locks), with the facts of every target they and `cells` name,
    /// the lock and the day totals of the week.
    async fn week_state(
        &self,
        cx: &mut Cmd<'_, '_>,
        ctx: &CommandContext,
        employee: EmployeeId,
        monday: NaiveDate,
        targets: &[WorkTarget],
    ) -> Result<(Vec<TimeEntry>, TimeFacts), AppError> {
        let t = self.delivery_tables();
        let ids: Vec<(String,)> = cx
            .tx()
            .await?
            .exec(
                format!(
                    "SELECT id FROM {} WHERE employee_id = ? AND work_date BETWEEN ? AND ? \
                     AND status <> 'discarded' ORDER BY work_date, id",
                    t.entries
                ),
                (employee.to_string(), monday, monday + Duration::days(6)),
            )
            .await
            .map_err(db)?;
        let repo = TimeEntries(self.app());
        let mut entries = Vec::with_capacity(ids.len());
        for (id,) in &ids {
            entries.push(cx.load(&repo, arg_uuid("id", id)?).await?);
        }
        let days: Vec<NaiveDate> = (0..7).map(|i| monday + Duration::days(i)).collect();
        let mut facts = self
            .time_facts(cx.tx().await?, ctx, employee, None, &days)
            .await?;
        let mut all: std::collections::BTreeSet<WorkTarget> = targets.iter().copied().collect();
        all.extend(entries.iter().map(|e| e.content().target));
        for target in &all {
            facts = self.target_facts(cx.tx().await?, facts, target).await?;
        }
        Ok((entries, facts))
    }

    /// Saves an employee's week from its grid, in one command (all or nothing): `{cells:
    /// [{project_id? + task_id?, ticket_id?, work_date, minutes}]}` — each named cell set to
    /// its minutes (0 empties it), the others kept; the core decides the drafts to log,
    /// revise and discard (`pet_core::delivery::decide_save_week`). Answers the week's
    /// timesheet.
    pub async fn save_week(
        &self,
        employee_id: &str,
        week: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let employee = EmployeeId::from_uuid(arg_uuid("employee_id", employee_id)?);
        let monday = week_monday(week)?;
        let cells = week_cells(input)?;
        let targets: Vec<WorkTarget> = cells.iter().map(|c| c.target).collect();
        let request = json!({"employee_id": employee, "week": monday, "input": input});
        command!(self, ctx, "save_time_week", &request, |cx| {
            let (entries, facts) = self.week_state(cx, ctx, employee, monday, &targets).await?;
            let cmd = pet_core::delivery::SaveWeek {
                employee_id: employee,
                week: monday,
                cells: cells.clone(),
            };
            let mut new_id = || TimeEntryId::from_uuid(Uuid::now_v7());
            let steps = pet_core::delivery::decide_save_week(
                &cmd,
                &entries,
                &facts,
                cx.now(),
                &mut new_id,
            )?;
            let repo = TimeEntries(self.app());
            let mut changed = Vec::with_capacity(steps.len());
            for s in steps {
                let (e, _) = cx.apply(&repo, s.entry, &s.command, &s.facts).await?;
                changed.push(entry_view(&e));
            }
            Ok(json!({"employee_id": employee, "week": monday, "entries": to_value(&changed)?}))
        })?;
        self.timesheet(&employee.to_string(), &monday.to_string())
            .await
    }

    /// Submits every draft of an employee's week in one command: all of them, or — when one
    /// may not be (a locked date, an inactive project) — none. Answers `{employee_id, week,
    /// entries: [entry]}` (the entries it submitted).
    pub async fn submit_week(
        &self,
        employee_id: &str,
        week: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let employee = EmployeeId::from_uuid(arg_uuid("employee_id", employee_id)?);
        let monday = week_monday(week)?;
        let request = json!({"employee_id": employee, "week": monday});
        command!(self, ctx, "submit_time_week", &request, |cx| {
            let (entries, facts) = self.week_state(cx, ctx, employee, monday, &[]).await?;
            let steps = pet_core::delivery::decide_submit_week(
                employee,
                monday,
                &entries,
                &facts,
                cx.now(),
            )?;
            let repo = TimeEntries(self.app());
            let mut done = Vec::with_capacity(steps.len());
            for s in steps {
                let (e, _) = cx.apply(&repo, s.entry, &s.command, &s.facts).await?;
                done.push(entry_view(&e));
            }
            Ok(json!({"employee_id": employee, "week": monday, "entries": to_value(&done)?}))
        })
    }
}

/// The Monday of the week of `week` (a date).
fn week_monday(week: &str) -> Result<NaiveDate, AppError> {
    let day: NaiveDate = week
        .trim()
        .parse()
        .map_err(|_| AppError::field("week", "must be a date (YYYY-MM-DD)"))?;
    Ok(pet_core::delivery::values::week_of(day))
}

/// Active projects checked per batch by [`Delivery::recompute_variance`].
const RECOMPUTE_BATCH: usize = 500;

type DeliveredRows = BTreeMap<(String, String), i64>;

impl Delivery<'_> {
    /// Delivered minutes per (project, role) of `ids` from scratch: approved entries with
    /// their adjustments, in one set-based query (`role` '' is time without a role).
    async fn delivered_from_entries<Q: Queryable>(
        &self,
        q: &mut Q,
        ids: &[String],
    ) -> Result<DeliveredRows, AppError> {
        let marks = vec!["?"; ids.len()].join(", ");
        let rows: Vec<(String, String, i64)> = q
            .exec(
                format!(
                    "SELECT project_id, COALESCE(role, ''), CAST(SUM(minutes + adjust_minutes) AS SIGNED) \
                     FROM {} WHERE status = 'approved' AND project_id IN ({marks}) GROUP BY project_id, role",
                    self.delivery_tables().entries
                ),
                ids.iter().map(|i| SqlValue::from(i.as_str())).collect::<Vec<_>>(),
            )
            .await
            .map_err(db)?;
        let mut out = BTreeMap::new();
        for (p, r, m) in rows {
            *out.entry((p, r)).or_insert(0) += m;
        }
        out.retain(|_, m| *m != 0);
        Ok(out)
    }

    /// Recomputes every active project's delivered minutes from scratch (approved time plus
    /// adjustments, set-based, in batches of active projects by id) and compares them with
    /// the stored figures. A project whose stored figures differ is corrected under its row
    /// lock (read again there) and its variance thresholds newly reached are recorded —
    /// once: the project's marks say which are recorded already. Answers `{checked,
    /// corrected: [project id], thresholds}` (thresholds: `project.variance_detected`
    /// events recorded by the corrections).
    pub async fn recompute_variance(&self, ctx: &CommandContext) -> Result<Value, AppError> {
        if ctx.actor_id.is_some() && !ctx.manages_time {
            return Err(AppError::Invariant(
                "only someone who manages time may recompute variance".into(),
            ));
        }
        // Each correction is its own command: none replays another's idempotency key.
        let ctx = &CommandContext {
            idempotency_key: None,
            ..ctx.clone()
        };
        let t = self.delivery_tables();
        let mut after = String::new();
        let mut checked = 0usize;
        let mut corrected = Vec::new();
        let mut thresholds = 0usize;
        loop {
            let mut conn = self.conn().await?;
            let ids: Vec<String> = conn
                .exec(
                    format!(
                        "SELECT id FROM {} WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?",
                        t.projects
                    ),
                    (after.clone(), RECOMPUTE_BATCH as u64),
                )
                .await
                .map_err(db)?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            checked += ids.len();
            let fresh = self.delivered_from_entries(&mut conn, &ids).await?;
            let marks = vec!["?"; ids.len()].join(", ");
            let stored: Vec<(String, String, i64)> = conn
                .exec(
                    format!(
                        "SELECT project_id, role, minutes FROM {} WHERE project_id IN ({marks})",
                        t.delivered
                    ),
                    ids.iter()
                        .map(|i| SqlValue::from(i.as_str()))
                        .collect::<Vec<_>>(),
                )
                .await
                .map_err(db)?;
            let mut stored_map: DeliveredRows = BTreeMap::new();
            for (p, r, m) in stored {
                if m != 0 {
                    stored_map.insert((p, r), m);
                }
            }
            drop(conn);
            let per = |m: &DeliveredRows, id: &str| -> Vec<(String, i64)> {
                m.range((id.to_owned(), String::new())..)
                    .take_while(|((p, _), _)| p == id)
                    .map(|((_, r), v)| (r.clone(), *v))
                    .collect()
            };
            for id in &ids {
                if per(&fresh, id) == per(&stored_map, id) {
                    continue;
                }
                let n = self.correct_delivered(id, ctx).await?;
                corrected.push(id.clone());
                thresholds += n;
            }
            after = last;
        }
        Ok(json!({"checked": checked, "corrected": corrected, "thresholds": thresholds}))
    }

    /// Rewrites one project's delivered rows from its approved time under the project's
    /// row lock and records the thresholds newly reached; answers how many were recorded.
    async fn correct_delivered(&self, id: &str, ctx: &CommandContext) -> Result<usize, AppError> {
        let uuid = arg_uuid("project_id", id)?;
        let request = json!({"project_id": uuid});
        let v = command!(self, ctx, "recompute_project_variance", &request, |cx| {
            let t = self.delivery_tables();
            let project = cx.load(&Projects(self.app()), uuid).await?;
            let fresh = self
                .delivered_from_entries(cx.tx().await?, &[uuid.to_string()])
                .await?;
            cx.tx()
                .await?
                .exec_drop(
                    format!("DELETE FROM {} WHERE project_id = ?", t.delivered),
                    (uuid.to_string(),),
                )
                .await
                .map_err(db)?;
            for ((_, role), minutes) in &fresh {
                cx.tx()
                    .await?
                    .exec_drop(
                        format!(
                            "INSERT INTO {} (project_id, role, minutes) VALUES (?, ?, ?)",
                            t.delivered
                        ),
                        (uuid.to_string(), role.as_str(), *minutes),
                    )
                    .await
                    .map_err(db)?;
            }
            let before = project.version();
            let delivered = self
                .delivered(cx.tx().await?, uuid, Read::ForCommand)
                .await?;
            let facts = ProjectFacts::new().with_delivered(delivered);
            let (after, _) = cx
                .apply(
                    &Projects(self.app()),
                    Some(project),
                    &ProjectCommand::DetectVariance,
                    &facts,
                )
                .await?;
            Ok(json!({"thresholds": after.version() - before}))
        })?;
        Ok(v["thresholds"].as_u64().unwrap_or(0) as usize)
    }
}
