//! The delivery repositories: projects (their row, with constraint versions, milestones,
//! tasks and variance marks as the row's JSON `detail`), time entries (their row and
//! adjustment rows) and the period lock (one row), each restored from its rows and saved
//! with a version check, writing only the rows its events change — an approval or an
//! approved entry's adjustment also moves the project's delivered minutes.

use chrono::NaiveDate;
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::commercial::{QuoteId, SaleId, Text};
use pet_core::delivery::{
    Adjustment, AdjustmentId, EntryContent, EntryMinutes, EntryStatus, Milestone, Project,
    ProjectId, ProjectState, ProjectStatus, SoldConstraints, Task, TaskId, TimeEntry,
    TimeEntryEvent, TimeEntryId, TimeEntryState, TimeLock, VarianceMark, WorkTarget, TIME_LOCK_ID,
};
use pet_core::helpdesk::TicketId;
use pet_core::identity::{CustomerId, EmployeeId, Name, Note};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::command::{restored_repository, Read};
use crate::db::to_db_time;
use crate::error::{db, AppError};
use crate::services::Delivery;
use crate::uow::UnitOfWork;

restored_repository!(
    /// Projects: restored from their row; saved to it.
    Projects: Project, "project",
    load |app, tx, id| app.delivery().load_project(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| app.delivery().write_project(cx.uow(), before, after).await
);

restored_repository!(
    /// Time entries: restored from their row and adjustment rows; saved to them (and the
    /// project's delivered minutes when approved time changes).
    TimeEntries: TimeEntry, "time entry",
    load |app, tx, id| app.delivery().load_entry(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| {
        app.delivery().write_entry(cx.uow(), before, after, events).await
    }
);

restored_repository!(
    /// The period lock: restored from its one row.
    TimeLocks: TimeLock, "time lock",
    load |app, tx, id| app.delivery().load_lock(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| app.delivery().write_lock(cx.uow(), before, after).await
);

/// A project's JSON `detail`.
#[derive(Debug, Serialize, Deserialize)]
struct ProjectDetail {
    constraints: Vec<SoldConstraints>,
    milestones: Vec<Milestone>,
    tasks: Vec<Task>,
    variance_marks: Vec<VarianceMark>,
}

fn bad(what: &str, id: Uuid, field: &str) -> AppError {
    AppError::Storage(format!("stored {what} {id}: bad {field}"))
}

fn opt_id(s: Option<String>, what: &str, id: Uuid, field: &str) -> Result<Option<Uuid>, AppError> {
    s.map(|s| Uuid::parse_str(&s).map_err(|_| bad(what, id, field)))
        .transpose()
}

/// The stored form of a role (`''`: none; a role name is never empty).
pub(crate) fn role_key(role: Option<&Name>) -> String {
    role.map_or_else(String::new, |r| r.as_str().to_owned())
}

/// Bound parameters of a statement.
fn params(v: Vec<SqlValue>) -> Vec<SqlValue> {
    v
}

/// An adjustment's row: id, work date, minutes, reason, adjusted by.
pub(crate) type AdjustmentRow = (String, NaiveDate, i64, String, String);

pub(crate) type EntryRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDate,
    i64,
    bool,
    String,
    String,
    Option<String>,
    u64,
);

impl Delivery<'_> {
    /// A project from its row (`None`: no such project).
    pub(crate) async fn load_project<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Project>, AppError> {
        type Row = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
            u64,
        );
        let row: Option<Row> = q
            .exec_first(
                format!(
                    "SELECT name, customer_id, sale_id, quote_id, status, detail, version FROM {} WHERE id = ?{}",
                    self.delivery_tables().projects,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((name, customer, sale, quote, status, detail, version)) = row else {
            return Ok(None);
        };
        let bad = |f: &str| bad("project", id, f);
        let detail: ProjectDetail = serde_json::from_str(&detail).map_err(|_| bad("detail"))?;
        if detail.constraints.is_empty() {
            return Err(bad("constraints"));
        }
        Ok(Some(Project::restore(ProjectState {
            id: ProjectId::from_uuid(id),
            name: Name::new(&name).map_err(|_| bad("name"))?,
            customer_id: opt_id(customer, "project", id, "customer_id")?.map(CustomerId::from_uuid),
            sale_id: opt_id(sale, "project", id, "sale_id")?.map(SaleId::from_uuid),
            quote_id: opt_id(quote, "project", id, "quote_id")?.map(QuoteId::from_uuid),
            status: ProjectStatus::parse(&status).map_err(|_| bad("status"))?,
            constraints: detail.constraints,
            milestones: detail.milestones,
            tasks: detail.tasks,
            variance_marks: detail.variance_marks.into_iter().collect(),
            version,
        })))
    }

    /// Writes a project's row (insert at version 0, otherwise a version-checked update).
    pub(crate) async fn write_project(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        p: &Project,
    ) -> Result<(), AppError> {
        let s = p.state();
        let detail = serde_json::to_string(&ProjectDetail {
            constraints: s.constraints.clone(),
            milestones: s.milestones.clone(),
            tasks: s.tasks.clone(),
            variance_marks: s.variance_marks.iter().cloned().collect(),
        })
        .map_err(|e| AppError::Storage(format!("project detail: {e}")))?;
        let c = p.constraints();
        let now = to_db_time(uow.now());
        let t = self.delivery_tables();
        if before == 0 {
            let sale = s.sale_id;
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, name, customer_id, sale_id, quote_id, status, constraint_version, \
                     sold_minutes, detail, version, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.projects
                ),
                params(vec![
                    s.id.to_string().into(),
                    s.name.as_str().into(),
                    s.customer_id.map(|c| c.to_string()).into(),
                    s.sale_id.map(|c| c.to_string()).into(),
                    s.quote_id.map(|c| c.to_string()).into(),
                    s.status.as_str().into(),
                    c.number.into(),
                    c.total_minutes().into(),
                    detail.into(),
                    s.version.into(),
                    now.into(),
                    now.into(),
                ]),
                {
                    let id = s.id;
                    move |key| match (key, sale) {
                        ("ux_project_sale", Some(sale)) => crate::error::StorageError::Conflict(
                            format!("sale {sale} already has a project"),
                        ),
                        _ => crate::error::StorageError::Conflict(format!(
                            "project {id} already exists"
                        )),
                    }
                },
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET name = ?, status = ?, constraint_version = ?, sold_minutes = ?, \
                     detail = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.projects
                ),
                params(vec![
                    s.name.as_str().into(),
                    s.status.as_str().into(),
                    c.number.into(),
                    c.total_minutes().into(),
                    detail.into(),
                    s.version.into(),
                    now.into(),
                    s.id.to_string().into(),
                    before.into(),
                ]),
                "project",
            )
            .await?;
        }
        Ok(())
    }

    /// A time entry from its row and adjustment rows (`None`: no such entry).
    pub(crate) async fn load_entry<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<TimeEntry>, AppError> {
        let t = self.delivery_tables();
        let row: Option<mysql_async::Row> = q
            .exec_first(
                format!(
                    "SELECT {ENTRY_COLUMNS} FROM {} WHERE id = ?{}",
                    t.entries,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some(r) = row else {
            return Ok(None);
        };
        let row = entry_row(id, r, 0)?;
        let adjustments: Vec<AdjustmentRow> = q
            .exec(
                format!(
                    "SELECT id, work_date, minutes, reason, adjusted_by FROM {} WHERE entry_id = ? ORDER BY seq{}",
                    t.adjustments,
                    read.rows()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        entry_of_row(id, row, adjustments).map(Some)
    }

    /// Writes a time entry's row, its new adjustment rows and, for approved time, the
    /// project's delivered minutes.
    pub(crate) async fn write_entry(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        e: &TimeEntry,
        events: &[TimeEntryEvent],
    ) -> Result<(), AppError> {
        let t = self.delivery_tables();
        let s = e.state();
        let c = &s.content;
        let (kind, task, ticket) = match c.target {
            WorkTarget::Project { task_id, .. } => {
                ("project", task_id.map(|t| t.to_string()), None)
            }
            WorkTarget::Ticket { ticket_id } => ("ticket", None, Some(ticket_id.to_string())),
        };
        let adjust: i64 = s.adjustments.iter().map(|a| a.minutes).sum();
        let now = to_db_time(uow.now());
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, employee_id, target_kind, project_id, task_id, ticket_id, role, \
                     work_date, minutes, billable, note, status, sent_back_reason, adjust_minutes, version, \
                     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.entries
                ),
                params(vec![
                    s.id.to_string().into(),
                    s.employee_id.to_string().into(),
                    kind.into(),
                    c.project_id.map(|p| p.to_string()).into(),
                    task.into(),
                    ticket.into(),
                    c.role.as_ref().map(|r| r.as_str().to_owned()).into(),
                    c.work_date.into(),
                    c.minutes.get().into(),
                    c.billable.into(),
                    c.note.as_str().into(),
                    s.status.as_str().into(),
                    s.sent_back_reason.as_ref().map(|r| r.as_str().to_owned()).into(),
                    adjust.into(),
                    s.version.into(),
                    now.into(),
                    now.into(),
                ]),
                {
                    let id = s.id;
                    move |_| crate::error::StorageError::Conflict(format!("time entry {id} already exists"))
                },
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET target_kind = ?, project_id = ?, task_id = ?, ticket_id = ?, role = ?, \
                     work_date = ?, minutes = ?, billable = ?, note = ?, status = ?, sent_back_reason = ?, \
                     adjust_minutes = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.entries
                ),
                params(vec![
                    kind.into(),
                    c.project_id.map(|p| p.to_string()).into(),
                    task.into(),
                    ticket.into(),
                    c.role.as_ref().map(|r| r.as_str().to_owned()).into(),
                    c.work_date.into(),
                    c.minutes.get().into(),
                    c.billable.into(),
                    c.note.as_str().into(),
                    s.status.as_str().into(),
                    s.sent_back_reason.as_ref().map(|r| r.as_str().to_owned()).into(),
                    adjust.into(),
                    s.version.into(),
                    now.into(),
                    s.id.to_string().into(),
                    before.into(),
                ]),
                "time entry",
            )
            .await?;
        }
        // The approvals queue's employee-week row: one more submitted entry, or one fewer
        // (submitted entries keep their date, so it is the week of the entry's date).
        let queue = events.iter().fold(0i64, |n, ev| match ev {
            TimeEntryEvent::Submitted(_) => n + 1,
            TimeEntryEvent::Approved(_) | TimeEntryEvent::SentBack(_) => n - 1,
            _ => n,
        });
        if queue != 0 {
            let week = pet_core::delivery::values::week_of(c.work_date);
            uow.tx()
                .await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (employee_id, week, entries) VALUES (?, ?, ?) \
                         ON DUPLICATE KEY UPDATE entries = entries + VALUES(entries)",
                        t.submitted_weeks
                    ),
                    (s.employee_id.to_string(), week, queue),
                )
                .await
                .map_err(db)?;
            if queue < 0 {
                uow.tx()
                    .await?
                    .exec_drop(
                        format!(
                            "DELETE FROM {} WHERE employee_id = ? AND week = ? AND entries <= 0",
                            t.submitted_weeks
                        ),
                        (s.employee_id.to_string(), week),
                    )
                    .await
                    .map_err(db)?;
            }
        }
        for ev in events {
            let delivered = match ev {
                TimeEntryEvent::Approved(p) => {
                    p.project_id.map(|pid| (pid, p.role.clone(), p.minutes))
                }
                TimeEntryEvent::Adjusted(p) => {
                    let seq = s
                        .adjustments
                        .iter()
                        .position(|a| a.id == p.adjustment_id)
                        .unwrap_or(0);
                    uow.tx().await?
                        .exec_drop(
                            format!(
                                "INSERT INTO {} (id, entry_id, employee_id, seq, work_date, minutes, reason, \
                                 adjusted_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                t.adjustments
                            ),
                            (
                                p.adjustment_id.to_string(),
                                s.id.to_string(),
                                s.employee_id.to_string(),
                                seq as u64,
                                p.work_date,
                                p.minutes,
                                p.reason.as_str(),
                                p.adjusted_by.to_string(),
                                now,
                            ),
                        )
                        .await
                        .map_err(db)?;
                    if p.entry_approved {
                        p.project_id.map(|pid| (pid, p.role.clone(), p.minutes))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            if let Some((pid, role, minutes)) = delivered {
                uow.tx()
                    .await?
                    .exec_drop(
                        format!(
                            "INSERT INTO {} (project_id, role, minutes) VALUES (?, ?, ?) \
                             ON DUPLICATE KEY UPDATE minutes = minutes + VALUES(minutes)",
                            t.delivered
                        ),
                        (pid.to_string(), role_key(role.as_ref()), minutes),
                    )
                    .await
                    .map_err(db)?;
            }
        }
        Ok(())
    }

    /// The period lock from its row (`None`: nothing locked yet).
    pub(crate) async fn load_lock<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<TimeLock>, AppError> {
        let row: Option<(NaiveDate, u64)> = q
            .exec_first(
                format!(
                    "SELECT locked_through, version FROM {} WHERE id = ?{}",
                    self.delivery_tables().locks,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        Ok(row.map(|(d, v)| TimeLock::restore(d, v)))
    }

    /// Writes the period lock's row.
    pub(crate) async fn write_lock(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        l: &TimeLock,
    ) -> Result<(), AppError> {
        let t = self.delivery_tables();
        let now = to_db_time(uow.now());
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, locked_through, version, updated_at) VALUES (?, ?, ?, ?)",
                    t.locks
                ),
                (
                    TIME_LOCK_ID.to_string(),
                    l.locked_through(),
                    l.version(),
                    now,
                ),
                |_| {
                    crate::error::StorageError::Conflict(
                        "time was locked by someone else; reload and try again".into(),
                    )
                },
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET locked_through = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.locks
                ),
                (l.locked_through(), l.version(), now, TIME_LOCK_ID.to_string(), before),
                "the period lock",
            )
            .await?;
        }
        Ok(())
    }
}

/// The columns of a time entry's row, as [`entry_row`] reads them from position `at`.
pub(crate) const ENTRY_COLUMNS: &str =
    "employee_id, target_kind, project_id, task_id, ticket_id, role, \
     work_date, minutes, billable, note, status, sent_back_reason, version";

/// Reads [`ENTRY_COLUMNS`] of row `r` from column `at` on.
pub(crate) fn entry_row(
    id: Uuid,
    mut r: mysql_async::Row,
    at: usize,
) -> Result<EntryRow, AppError> {
    let bad_row = || bad("time entry", id, "row");
    macro_rules! take {
        ($i:expr) => {
            r.take_opt(at + $i).and_then(Result::ok).ok_or_else(bad_row)
        };
    }
    Ok((
        take!(0)?,
        take!(1)?,
        take!(2)?,
        take!(3)?,
        take!(4)?,
        take!(5)?,
        take!(6)?,
        take!(7)?,
        take!(8)?,
        take!(9)?,
        take!(10)?,
        take!(11)?,
        take!(12)?,
    ))
}

pub(crate) fn entry_of_row(
    id: Uuid,
    row: EntryRow,
    adjustments: Vec<AdjustmentRow>,
) -> Result<TimeEntry, AppError> {
    let (
        employee,
        kind,
        project,
        task,
        ticket,
        role,
        work_date,
        minutes,
        billable,
        note,
        status,
        reason,
        version,
    ) = row;
    let bad = |f: &str| bad("time entry", id, f);
    let uuid = |s: &str, f: &str| Uuid::parse_str(s).map_err(|_| bad(f));
    let project_id = opt_id(project, "time entry", id, "project_id")?.map(ProjectId::from_uuid);
    let target = match kind.as_str() {
        "project" => WorkTarget::Project {
            project_id: project_id.ok_or_else(|| bad("project_id"))?,
            task_id: opt_id(task, "time entry", id, "task_id")?.map(TaskId::from_uuid),
        },
        "ticket" => WorkTarget::Ticket {
            ticket_id: TicketId::from_uuid(uuid(ticket.as_deref().unwrap_or(""), "ticket_id")?),
        },
        _ => return Err(bad("target_kind")),
    };
    let adjustments = adjustments
        .into_iter()
        .map(|(aid, date, minutes, reason, by)| {
            Ok(Adjustment {
                id: AdjustmentId::from_uuid(uuid(&aid, "adjustment id")?),
                minutes,
                work_date: date,
                reason: Text::for_field("reason", &reason).map_err(|_| bad("adjustment reason"))?,
                adjusted_by: EmployeeId::from_uuid(uuid(&by, "adjusted_by")?),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(TimeEntry::restore(TimeEntryState {
        id: TimeEntryId::from_uuid(id),
        employee_id: EmployeeId::from_uuid(uuid(&employee, "employee_id")?),
        content: EntryContent {
            target,
            project_id,
            role: role
                .map(|r| Name::new(&r))
                .transpose()
                .map_err(|_| bad("role"))?,
            work_date,
            minutes: EntryMinutes::new(minutes).map_err(|_| bad("minutes"))?,
            billable,
            note: Note::new(&note).map_err(|_| bad("note"))?,
        },
        status: EntryStatus::parse(&status).map_err(|_| bad("status"))?,
        sent_back_reason: reason
            .map(|r| Text::for_field("reason", &r))
            .transpose()
            .map_err(|_| bad("sent_back_reason"))?,
        adjustments,
        version,
    }))
}
