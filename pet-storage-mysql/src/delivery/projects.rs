//! The projects list and the project page's reads and commands: the list with its search
//! (project or customer name) and variance state, a project's burn-up (approved minutes per
//! week, one grouped query over an index), its linked tickets (a flat list) and the
//! milestone and task commands (milestone done; task assignee and status).

use chrono::{NaiveDate, NaiveDateTime};
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::delivery::burnup::{burnup, SoldVersion};
use pet_core::delivery::variance::{highest_threshold, percent};
use pet_core::delivery::{MilestoneId, ProjectCommand, TaskId, TaskStatus};
use pet_core::identity::{CustomerId, EmployeeId};
use serde::Serialize;
use serde_json::{json, Value};

use super::{to_value, ProjectStatusFilter};
use crate::app::CommandContext;
use crate::command::Read;
use crate::commercial::{ListPlan, ListSearch};
use crate::db::{from_db_time, rfc3339};
use crate::error::{db, internal, AppError};
use crate::fields::{command_input, Field, OrBlank, OrBlankText};
use crate::flat::{list_order, page_value, FlatList};
use crate::input::arg_uuid;
use crate::paging::{Order, SEARCH_CANDIDATES};
use crate::services::Delivery;

/// The most weeks a burn-up shows (the latest; what came before is summed into the first).
pub const BURNUP_MAX_WEEKS: usize = 104;

command_input! {
    /// Query of [`Delivery::list_projects`] (an empty filter is no filter).
    pub struct ProjectQuery {
        /// Text in the project's or its customer's name.
        search: OrBlankText<String>,
        /// `planned`, `active`, `on_hold`, `completed`, `closed` or `cancelled`.
        status: OrBlank<ProjectStatusFilter>,
        /// One customer's projects.
        customer_id: OrBlank<CustomerId>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

command_input! {
    /// Query of [`Delivery::project_burnup`].
    pub struct BurnupQuery {
        /// How many weeks at most (1-104, default 104), the latest.
        weeks: Option<i64>,
    }
}

command_input! {
    /// Query of [`Delivery::project_tickets`].
    pub struct ProjectTicketsQuery {
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

impl Field for MilestoneId {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        uuid::Uuid::read(field, v).map(MilestoneId::from_uuid)
    }
}

/// One row of the projects list.
#[derive(Debug, Serialize)]
pub struct ProjectListItem {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The customer, if any.
    pub customer_id: Option<String>,
    /// Its name.
    pub customer_name: Option<String>,
    /// The sale it came from, if any.
    pub sale_id: Option<String>,
    /// Status.
    pub status: String,
    /// The current constraint version.
    pub constraint_version: u32,
    /// Minutes it sells.
    pub sold_minutes: i64,
    /// Minutes delivered (approved time plus adjustments).
    pub delivered_minutes: i64,
    /// Delivered as a percentage of sold (`None`: nothing sold).
    pub percent: Option<i64>,
    /// The highest variance threshold crossed (80, 100, 120; `None`: none).
    pub threshold_reached: Option<u32>,
    /// Version.
    pub version: u64,
    /// Created.
    pub created_at: String,
}

/// One linked ticket of a project.
#[derive(Debug, Serialize)]
pub struct LinkedTicket {
    /// Id.
    pub id: String,
    /// Its number (`None` for a ticket from before numbers).
    pub number: Option<u32>,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: String,
    /// Priority.
    pub priority: String,
    /// Assignee, if any.
    pub assignee_id: Option<String>,
    /// Created.
    pub created_at: String,
}

fn col<T: FromValue>(r: &mut mysql_async::Row, i: usize) -> Result<T, AppError> {
    match r.take_opt::<T, usize>(i) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(AppError::Storage(format!("unexpected column {i}: {e}"))),
        None => Err(internal("missing column")),
    }
}

impl Delivery<'_> {
    /// The projects, newest first: `{search?, status?, customer_id?, page?, per_page?,
    /// after?, before?}`; items [`ProjectListItem`]. A flat list (indexes
    /// `ix_project_created`, `ix_project_status_created`, `ix_project_customer_created`;
    /// a search scans the order's index at most `search_scan` rows, then asks
    /// `ft_project_name` and `ft_customer_name`); the delivered minutes are read for the
    /// page's rows only.
    pub async fn list_projects(&self, query: &Value) -> Result<Value, AppError> {
        let q = ProjectQuery::parse(query, "query")?;
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(s) = q.status.0 {
            conds.push("p.status = ?".into());
            params.push(s.0.as_str().into());
        }
        if let Some(c) = q.customer_id.0 {
            conds.push("p.customer_id = ?".into());
            params.push(c.to_string().into());
        }
        let t = self.delivery_tables();
        let customers = self.tables().customers.clone();
        let search = q
            .search
            .0
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                // The candidates: projects named with the words, and the projects of the
                // customers named with them (through the customer index).
                let fulltext = ListSearch::fulltext(s, &t.projects, "name").map(|(_, p)| {
                    let words = p.into_iter().next().unwrap_or(SqlValue::NULL);
                    (
                        format!(
                            "(SELECT id FROM {projects} WHERE MATCH(name) AGAINST(? IN BOOLEAN MODE) LIMIT {SEARCH_CANDIDATES}) \
                             UNION (SELECT p.id FROM {customers} c JOIN {projects} p ON p.customer_id = c.id \
                             WHERE MATCH(c.name) AGAINST(? IN BOOLEAN MODE) LIMIT {SEARCH_CANDIDATES})",
                            projects = t.projects,
                            customers = customers,
                        ),
                        vec![words.clone(), words],
                    )
                });
                ListSearch {
                    matches: (
                        "(p.name LIKE ? OR c.name LIKE ?)".into(),
                        vec![ListSearch::like(s), ListSearch::like(s)],
                    ),
                    fulltext,
                    id_col: "p.id",
                    also: None,
                }
            });
        let order = Order::by(&[("p.created_at", true), ("p.id", true)]);
        let req = q.paging.request(&order)?;
        let plan = ListPlan {
            select: format!(
                "SELECT p.id, p.name, p.customer_id, c.name, p.sale_id, p.status, p.constraint_version, \
                 p.sold_minutes, p.version, p.created_at, {} FROM {} p LEFT JOIN {} c ON c.id = p.customer_id",
                order.select(),
                t.projects,
                customers
            ),
            from: format!("{} p LEFT JOIN {} c ON c.id = p.customer_id", t.projects, customers),
            order: &order,
            req: &req,
        };
        let mut conn = self.read_conn().await?;
        let (mut rows, total) = plan
            .rows(&mut conn, conds, params, search, self.inner.search_scan)
            .await?;
        let mut heads = Vec::with_capacity(rows.len());
        for r in &mut rows {
            let created: NaiveDateTime = col(r, 9)?;
            heads.push(ProjectListItem {
                id: col(r, 0)?,
                name: col(r, 1)?,
                customer_id: col(r, 2)?,
                customer_name: col(r, 3)?,
                sale_id: col(r, 4)?,
                status: col(r, 5)?,
                constraint_version: col(r, 6)?,
                sold_minutes: col(r, 7)?,
                delivered_minutes: 0,
                percent: None,
                threshold_reached: None,
                version: col(r, 8)?,
                created_at: rfc3339(from_db_time(created)),
            });
        }
        if !heads.is_empty() {
            // One placeholder per row of the page (at most per_page + 1): no input in the SQL.
            let marks = vec!["?"; heads.len()].join(", ");
            let ids: Vec<SqlValue> = heads.iter().map(|h| h.id.clone().into()).collect();
            let sums: Vec<(String, i64)> = conn
                .exec(
                    format!(
                        "SELECT project_id, CAST(SUM(minutes) AS SIGNED) FROM {} WHERE project_id IN ({marks}) GROUP BY project_id",
                        t.delivered
                    ),
                    ids,
                )
                .await
                .map_err(db)?;
            let sums: std::collections::BTreeMap<String, i64> = sums.into_iter().collect();
            for h in &mut heads {
                h.delivered_minutes = sums.get(&h.id).copied().unwrap_or(0);
                h.percent = percent(h.sold_minutes, h.delivered_minutes);
                h.threshold_reached = highest_threshold(h.sold_minutes, h.delivered_minutes);
            }
        }
        page_value(plan.page(rows, heads, total))
    }

    /// A project's burn-up: `{weeks?}` (1-104, default 104: the latest weeks shown) →
    /// `{project_id, weeks, delivered, delivered_in_week, sold, versions: [{number,
    /// from_week, minutes, data}], truncated}` — delivered minutes (approved time plus the
    /// adjustments of approved entries, by the day each is booked on) summed up week by
    /// week from the project's first week to this week, against the sold minutes of the
    /// constraint version in effect. Two grouped queries read the weekly sums (index
    /// `ix_entry_project_status_date` alone, and the approved entries' adjustments by
    /// `ux_adjustment_entry_seq`); the versions' dates come from the project's change-order
    /// events (`uq_aggregate_version`). No entry is loaded.
    pub async fn project_burnup(&self, project_id: &str, query: &Value) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let q = BurnupQuery::parse(query, "query")?;
        let max_weeks = match q.weeks {
            None => BURNUP_MAX_WEEKS,
            Some(w) if (1..=BURNUP_MAX_WEEKS as i64).contains(&w) => w as usize,
            Some(_) => return Err(AppError::field("weeks", "must be 1 to 104")),
        };
        let t = self.delivery_tables();
        let mut conn = self.read_conn().await?;
        let p = self
            .load_project(&mut conn, id, Read::ForView)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("project {id}")))?;
        let created: Option<NaiveDateTime> = conn
            .exec_first(
                format!("SELECT created_at FROM {} WHERE id = ?", t.projects),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let created = created
            .map(|c| from_db_time(c).date_naive())
            .ok_or_else(|| AppError::NotFound(format!("project {id}")))?;
        // Version n + 1 took effect with the n-th change order.
        let orders: Vec<NaiveDateTime> = conn
            .exec(
                format!(
                    "SELECT occurred_at FROM {} WHERE aggregate_type = 'project' AND aggregate_id = ? \
                     AND event_type = 'project.change_order_recorded' ORDER BY aggregate_version",
                    self.tables().events
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let versions: Vec<SoldVersion> = p
            .state()
            .constraints
            .iter()
            .map(|c| {
                let from = match c.number {
                    0 | 1 => created,
                    n => orders
                        .get(n as usize - 2)
                        .map(|o| from_db_time(*o).date_naive())
                        .unwrap_or(created),
                };
                SoldVersion {
                    number: c.number,
                    from,
                    minutes: c.total_minutes(),
                }
            })
            .collect();
        let week_expr = "DATE_SUB(work_date, INTERVAL WEEKDAY(work_date) DAY)";
        let mut weekly: Vec<(NaiveDate, i64)> = conn
            .exec(
                format!(
                    "SELECT {week_expr} AS wk, CAST(SUM(minutes) AS SIGNED) FROM {} \
                     WHERE project_id = ? AND status = 'approved' GROUP BY wk",
                    t.entries
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let adjusted: Vec<(NaiveDate, i64)> = conn
            .exec(
                format!(
                    "SELECT DATE_SUB(a.work_date, INTERVAL WEEKDAY(a.work_date) DAY) AS wk, CAST(SUM(a.minutes) AS SIGNED) \
                     FROM {} e JOIN {} a ON a.entry_id = e.id \
                     WHERE e.project_id = ? AND e.status = 'approved' GROUP BY wk",
                    t.entries, t.adjustments
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        weekly.extend(adjusted);
        let today = self.now().date_naive();
        let b = burnup(&weekly, &versions, created, today, max_weeks);
        let mut v = to_value(&b)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("project_id".into(), json!(id));
        }
        Ok(v)
    }

    /// The tickets linked to a project (their `project_id`), newest first: `{page?,
    /// per_page?, after?, before?}`; items [`LinkedTicket`]. A flat list (index
    /// `ix_ticket_project_created`, keyset pages, bounded count).
    pub async fn project_tickets(
        &self,
        project_id: &str,
        query: &Value,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let q = ProjectTicketsQuery::parse(query, "query")?;
        let order = list_order(None, &[("created_at", true), ("id", true)]);
        let req = q.paging.request(&order)?;
        let mut conn = self.read_conn().await?;
        let (rows, total) = FlatList {
            from: self.helpdesk_tables().tickets.clone(),
            columns: "id, number, subject, status, priority, assignee_id, created_at",
            conds: vec!["project_id = ?".into()],
            params: vec![id.to_string().into()],
            order: &order,
            req: &req,
            search: None,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let items = rows
            .into_iter()
            .map(|(k, mut r)| {
                let created: NaiveDateTime = col(&mut r, 6)?;
                Ok((
                    k,
                    LinkedTicket {
                        id: col(&mut r, 0)?,
                        number: col(&mut r, 1)?,
                        subject: col(&mut r, 2)?,
                        status: col(&mut r, 3)?,
                        priority: col(&mut r, 4)?,
                        assignee_id: col(&mut r, 5)?,
                        created_at: rfc3339(from_db_time(created)),
                    },
                ))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        page_value(req.finish(items, total))
    }

    /// Marks a milestone of the project done.
    pub async fn complete_milestone(
        &self,
        project_id: &str,
        milestone_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let m = MilestoneId::from_uuid(arg_uuid("milestone_id", milestone_id)?);
        self.project_command(
            ctx,
            "complete_milestone",
            json!({"id": id, "milestone_id": m.to_string()}),
            id,
            ProjectCommand::CompleteMilestone { milestone_id: m },
        )
        .await
    }

    /// Assigns a task of the project to an active employee (`''`: unassigns it).
    pub async fn assign_task(
        &self,
        project_id: &str,
        task_id: &str,
        assignee_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let task = TaskId::from_uuid(arg_uuid("task_id", task_id)?);
        let assignee = match assignee_id.trim() {
            "" => None,
            a => Some(EmployeeId::from_uuid(arg_uuid("assignee_id", a)?)),
        };
        self.project_command(
            ctx,
            "assign_task",
            json!({"id": id, "task_id": task.to_string(), "assignee_id": assignee.map(|a| a.to_string())}),
            id,
            ProjectCommand::AssignTask {
                task_id: task,
                assignee,
            },
        )
        .await
    }

    /// Moves a task of the project to `status` (`todo → in_progress → done`).
    pub async fn move_task(
        &self,
        project_id: &str,
        task_id: &str,
        status: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("project_id", project_id)?;
        let task = TaskId::from_uuid(arg_uuid("task_id", task_id)?);
        let to = TaskStatus::parse(status)?;
        self.project_command(
            ctx,
            "move_task",
            json!({"id": id, "task_id": task.to_string(), "status": status}),
            id,
            ProjectCommand::MoveTask { task_id: task, to },
        )
        .await
    }
}
