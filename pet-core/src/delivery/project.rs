//! The Project aggregate: a project from a sale (exactly one per sale) or internal, its
//! status machine `planned → active ⇄ on_hold → completed → closed` (or `cancelled`), its
//! sold constraints as immutable numbered versions (a change order records a new version,
//! never an edit), its milestones (`pending → done`) and tasks (`todo → in_progress →
//! done`), and the variance thresholds it has recorded per constraint version.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{MilestoneId, ProjectId, TaskId};
use super::values::{MilestoneStatus, ProjectStatus, TaskStatus, VARIANCE_THRESHOLDS};
use super::variance::{reaches, Delivered, VarianceScope};
use crate::aggregate::domain_events;
use crate::commercial::{Interval, QuoteId, SaleId, SaleRecorded, Text};
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::{CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Money, Name};

/// The aggregate type of projects.
pub const AGGREGATE_TYPE: &str = "project";

/// Labour minutes sold for one role (`role: null`: sold without a role); in a change
/// order's delta the minutes are signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoldMinutes {
    /// The role.
    pub role: Option<Name>,
    /// Minutes (a delta may be negative).
    pub minutes: i64,
}

/// A recurring line sold with the project (e.g. monthly hosting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecurringLine {
    /// What is charged.
    pub description: Text,
    /// How often.
    pub interval: Interval,
    /// Net amount per interval.
    pub net: Money,
}

/// A change order: why and by whom the sold constraints changed, and by how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeOrder {
    /// Why.
    pub reason: Text,
    /// Who ordered it.
    pub ordered_by: EmployeeId,
    /// Signed minutes per role.
    pub labour_delta: Vec<SoldMinutes>,
    /// Signed budget change.
    pub budget_delta: Option<Money>,
}

/// One immutable version of a project's sold constraints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoldConstraints {
    /// 1, 2, 3, … (1: the sale or the internal project's plan).
    pub number: u32,
    /// Minutes sold per role, ordered by role (`null` first), none zero.
    pub labour: Vec<SoldMinutes>,
    /// The budget (net of the sold lines), if any.
    pub budget: Option<Money>,
    /// Recurring lines.
    pub recurring: Vec<RecurringLine>,
    /// The change order that made it (`None` for version 1).
    pub change_order: Option<ChangeOrder>,
}

impl SoldConstraints {
    /// Total minutes sold.
    pub fn total_minutes(&self) -> i64 {
        self.labour.iter().map(|l| l.minutes).sum()
    }

    /// `(role, minutes)` pairs, for [`super::variance::report`].
    pub fn labour_pairs(&self) -> Vec<(Option<Name>, i64)> {
        self.labour
            .iter()
            .map(|l| (l.role.clone(), l.minutes))
            .collect()
    }

    /// Minutes sold in `scope`.
    pub fn sold_in(&self, scope: &VarianceScope) -> i64 {
        match scope {
            VarianceScope::Project => self.total_minutes(),
            VarianceScope::Role { role } => self
                .labour
                .iter()
                .find(|l| &l.role == role)
                .map_or(0, |l| l.minutes),
        }
    }

    /// Every scope with something sold: the project, then each role.
    pub fn scopes(&self) -> Vec<VarianceScope> {
        let mut out = Vec::new();
        if self.total_minutes() > 0 {
            out.push(VarianceScope::Project);
        }
        for l in &self.labour {
            if l.minutes > 0 {
                out.push(VarianceScope::Role {
                    role: l.role.clone(),
                });
            }
        }
        out
    }
}

/// A milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// Its id.
    pub id: MilestoneId,
    /// Title.
    pub title: Name,
    /// Due date, if any.
    pub due: Option<NaiveDate>,
    /// `pending` or `done`.
    pub status: MilestoneStatus,
}

/// A task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Its id.
    pub id: TaskId,
    /// Title.
    pub title: Name,
    /// The milestone it belongs to, if any.
    pub milestone_id: Option<MilestoneId>,
    /// Estimated minutes, if any.
    pub estimate_minutes: Option<i64>,
    /// Who does it.
    pub assignee: Option<EmployeeId>,
    /// Progress.
    pub status: TaskStatus,
}

/// A variance threshold recorded for one constraint version and scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VarianceMark {
    /// The constraint version.
    pub constraint_version: u32,
    /// The scope.
    pub scope: VarianceScope,
    /// 80, 100 or 120.
    pub threshold_percent: u32,
}

/// A project's state as its storage rows hold it (and as [`Project::state`] shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectState {
    /// The id.
    pub id: ProjectId,
    /// Name.
    pub name: Name,
    /// The customer (`None`: an internal project without one).
    pub customer_id: Option<CustomerId>,
    /// The sale it was created from (`None`: internal).
    pub sale_id: Option<SaleId>,
    /// The quote of that sale.
    pub quote_id: Option<QuoteId>,
    /// Status.
    pub status: ProjectStatus,
    /// Every constraint version, oldest first (never empty).
    pub constraints: Vec<SoldConstraints>,
    /// Milestones in the order they were added.
    pub milestones: Vec<Milestone>,
    /// Tasks in the order they were added.
    pub tasks: Vec<Task>,
    /// The variance thresholds recorded.
    pub variance_marks: BTreeSet<VarianceMark>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// The current state of a project, folded from its events or restored from its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project(ProjectState);

impl Project {
    /// Rebuilds the state from its stored rows.
    pub fn restore(state: ProjectState) -> Self {
        Project(state)
    }
    /// Everything it holds (read-only).
    pub fn state(&self) -> &ProjectState {
        &self.0
    }
    /// The id.
    pub fn id(&self) -> ProjectId {
        self.0.id
    }
    /// The status.
    pub fn status(&self) -> ProjectStatus {
        self.0.status
    }
    /// The customer, if any.
    pub fn customer_id(&self) -> Option<CustomerId> {
        self.0.customer_id
    }
    /// The current sold constraints (the latest version).
    pub fn constraints(&self) -> &SoldConstraints {
        // Never empty: created with version 1, versions are only ever added.
        let last = self.0.constraints.len().saturating_sub(1);
        &self.0.constraints[last]
    }
    /// Whether it has the task.
    pub fn has_task(&self, id: TaskId) -> bool {
        self.0.tasks.iter().any(|t| t.id == id)
    }
    /// Number of events applied.
    pub fn version(&self) -> u64 {
        self.0.version
    }

    /// The commands it takes now besides status moves (`status().next_statuses()`).
    pub fn actions(&self) -> &'static [&'static str] {
        if self.0.status.is_final() {
            &[]
        } else {
            &["change_order", "add_milestone", "add_task"]
        }
    }

    /// The commands milestone `m` takes now: `complete` while it is pending on a project
    /// that is not final.
    pub fn milestone_actions(&self, m: &Milestone) -> &'static [&'static str] {
        if !self.0.status.is_final() && m.status == MilestoneStatus::Pending {
            &["complete"]
        } else {
            &[]
        }
    }

    /// The statuses task `t` may move to now (none on a final project).
    pub fn task_next_statuses(&self, t: &Task) -> &'static [TaskStatus] {
        if self.0.status.is_final() {
            &[]
        } else {
            t.status.next_statuses()
        }
    }

    /// The commands task `t` takes now besides status moves: `assign` while the project is
    /// not final.
    pub fn task_actions(&self, _t: &Task) -> &'static [&'static str] {
        if self.0.status.is_final() {
            &[]
        } else {
            &["assign"]
        }
    }

    /// The marks `delivered` reaches that are not recorded yet for the current constraint
    /// version, in scope then threshold order.
    pub fn marks_due(&self, delivered: &Delivered) -> Vec<VarianceMark> {
        let c = self.constraints();
        let mut out = Vec::new();
        for scope in c.scopes() {
            let sold = c.sold_in(&scope);
            let got = delivered.in_scope(&scope);
            for t in VARIANCE_THRESHOLDS {
                let mark = VarianceMark {
                    constraint_version: c.number,
                    scope: scope.clone(),
                    threshold_percent: t,
                };
                if reaches(sold, got, t) && !self.0.variance_marks.contains(&mark) {
                    out.push(mark);
                }
            }
        }
        out
    }
}

/// What the project's rules need from other aggregates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFacts {
    customers: BTreeMap<CustomerId, CustomerStatus>,
    employees: BTreeMap<EmployeeId, EmployeeStatus>,
    delivered: Delivered,
}

impl ProjectFacts {
    /// No facts.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a customer's status.
    pub fn with_customer(mut self, id: CustomerId, status: CustomerStatus) -> Self {
        self.customers.insert(id, status);
        self
    }
    /// Adds an employee's status.
    pub fn with_employee(mut self, id: EmployeeId, status: EmployeeStatus) -> Self {
        self.employees.insert(id, status);
        self
    }
    /// The project's delivered minutes (for [`ProjectCommand::DetectVariance`]).
    pub fn with_delivered(mut self, delivered: Delivered) -> Self {
        self.delivered = delivered;
        self
    }

    fn active_employee(&self, id: EmployeeId, field: &str) -> Result<(), DomainError> {
        match self.employees.get(&id) {
            Some(EmployeeStatus::Active) => Ok(()),
            Some(EmployeeStatus::Inactive) => {
                Err(DomainError::invariant(format!("employee {id} is inactive")))
            }
            None => Err(DomainError::field(field, "is not a known employee")),
        }
    }
}

/// Input of [`ProjectCommand::Create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    /// The id, generated by the caller.
    pub id: ProjectId,
    /// Name.
    pub name: Name,
    /// The customer (required for a project from a sale).
    pub customer_id: Option<CustomerId>,
    /// The sale and its quote (`None`: internal).
    pub sale: Option<(SaleId, QuoteId)>,
    /// Minutes sold per role.
    pub labour: Vec<SoldMinutes>,
    /// Budget.
    pub budget: Option<Money>,
    /// Recurring lines.
    pub recurring: Vec<RecurringLine>,
}

impl NewProject {
    /// The project of a recorded sale: its labour per role, its net total as the budget,
    /// its recurring fees; named after the quote unless `name` is given.
    pub fn from_sale(
        id: ProjectId,
        sale: &SaleRecorded,
        name: Option<Name>,
    ) -> Result<Self, DomainError> {
        let net = sale
            .totals
            .subtotal
            .checked_sub(&sale.totals.discount)
            .unwrap_or(sale.totals.subtotal);
        let name = match name {
            Some(n) => n,
            None => Name::new(&format!("Project for quote {}", sale.quote_number))?,
        };
        Ok(NewProject {
            id,
            name,
            customer_id: Some(sale.customer_id),
            sale: Some((sale.sale_id, sale.quote_id)),
            labour: sale
                .labour
                .iter()
                .map(|l| SoldMinutes {
                    role: l.role.clone(),
                    minutes: l.minutes,
                })
                .collect(),
            budget: Some(net),
            recurring: sale
                .fees
                .iter()
                .filter_map(|f| {
                    f.interval.map(|interval| RecurringLine {
                        description: f.description.clone(),
                        interval,
                        net: f.net,
                    })
                })
                .collect(),
        })
    }
}

/// What can be asked of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectCommand {
    /// Creates the project (`planned`) with constraint version 1.
    Create(NewProject),
    /// Moves it along its status machine.
    ChangeStatus {
        /// The target status.
        to: ProjectStatus,
    },
    /// Records a change order: a new constraint version = the current one + the delta.
    RecordChangeOrder {
        /// Why.
        reason: Text,
        /// Who ordered it (the actor).
        ordered_by: EmployeeId,
        /// Signed minutes per role.
        labour_delta: Vec<SoldMinutes>,
        /// Signed budget change.
        budget_delta: Option<Money>,
    },
    /// Adds a milestone.
    AddMilestone {
        /// Its id.
        milestone_id: MilestoneId,
        /// Title.
        title: Name,
        /// Due date.
        due: Option<NaiveDate>,
    },
    /// Marks a milestone done.
    CompleteMilestone {
        /// The milestone.
        milestone_id: MilestoneId,
    },
    /// Adds a task.
    AddTask {
        /// Its id.
        task_id: TaskId,
        /// Title.
        title: Name,
        /// Its milestone.
        milestone_id: Option<MilestoneId>,
        /// Estimated minutes (more than 0).
        estimate_minutes: Option<i64>,
        /// Who does it (an active employee).
        assignee: Option<EmployeeId>,
    },
    /// Assigns or unassigns a task.
    AssignTask {
        /// The task.
        task_id: TaskId,
        /// The new assignee.
        assignee: Option<EmployeeId>,
    },
    /// Moves a task to its next status.
    MoveTask {
        /// The task.
        task_id: TaskId,
        /// The target status.
        to: TaskStatus,
    },
    /// Records each variance threshold the delivered minutes (a fact) reach for the first
    /// time under the current constraint version; records nothing when none is new.
    DetectVariance,
}

/// Payload of `project.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectCreated {
    /// The project.
    pub project_id: ProjectId,
    /// Name.
    pub name: Name,
    /// The customer.
    pub customer_id: Option<CustomerId>,
    /// The sale (`null`: internal).
    pub sale_id: Option<SaleId>,
    /// The sale's quote.
    pub quote_id: Option<QuoteId>,
    /// Minutes sold per role (constraint version 1).
    pub labour: Vec<SoldMinutes>,
    /// Budget.
    pub budget: Option<Money>,
    /// Recurring lines.
    pub recurring: Vec<RecurringLine>,
}

/// Payload of `project.status_changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectStatusChanged {
    /// The project.
    pub project_id: ProjectId,
    /// Before.
    pub from: ProjectStatus,
    /// After.
    pub to: ProjectStatus,
}

/// Payload of `project.change_order_recorded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeOrderRecorded {
    /// The project.
    pub project_id: ProjectId,
    /// The constraint version it creates.
    pub constraint_version: u32,
    /// Why.
    pub reason: Text,
    /// Who ordered it.
    pub ordered_by: EmployeeId,
    /// Signed minutes per role.
    pub labour_delta: Vec<SoldMinutes>,
    /// Signed budget change.
    pub budget_delta: Option<Money>,
}

/// Payload of `project.milestone_added`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneAdded {
    /// The project.
    pub project_id: ProjectId,
    /// The milestone.
    pub milestone_id: MilestoneId,
    /// Title.
    pub title: Name,
    /// Due date.
    pub due: Option<NaiveDate>,
}

/// Payload of `project.milestone_done`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDone {
    /// The project.
    pub project_id: ProjectId,
    /// The milestone.
    pub milestone_id: MilestoneId,
    /// Its title.
    pub title: Name,
}

/// Payload of `project.task_added`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskAdded {
    /// The project.
    pub project_id: ProjectId,
    /// The task.
    pub task_id: TaskId,
    /// Title.
    pub title: Name,
    /// Its milestone.
    pub milestone_id: Option<MilestoneId>,
    /// Estimate.
    pub estimate_minutes: Option<i64>,
    /// Assignee.
    pub assignee_id: Option<EmployeeId>,
}

/// Payload of `project.task_assigned`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskAssigned {
    /// The project.
    pub project_id: ProjectId,
    /// The task.
    pub task_id: TaskId,
    /// Its title.
    pub title: Name,
    /// The new assignee (`null`: unassigned).
    pub assignee_id: Option<EmployeeId>,
    /// The assignee before.
    pub previous_assignee_id: Option<EmployeeId>,
}

/// Payload of `project.task_status_changed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskStatusChanged {
    /// The project.
    pub project_id: ProjectId,
    /// The task.
    pub task_id: TaskId,
    /// Its title.
    pub title: Name,
    /// Before.
    pub from: TaskStatus,
    /// After.
    pub to: TaskStatus,
}

/// Payload of `project.variance_detected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// No `deny_unknown_fields`: serde cannot combine it with a flattened field.
pub struct VarianceDetected {
    /// The project.
    pub project_id: ProjectId,
    /// The constraint version measured against.
    pub constraint_version: u32,
    /// The scope.
    #[serde(flatten)]
    pub scope: VarianceScope,
    /// 80, 100 or 120.
    pub threshold_percent: u32,
    /// Minutes sold in the scope.
    pub sold_minutes: i64,
    /// Minutes delivered in the scope when it was detected.
    pub delivered_minutes: i64,
}

domain_events! {
    /// Facts about a project.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ProjectEvent {
        /// `project.created`
        Created(ProjectCreated) = "project.created",
        /// `project.status_changed`
        StatusChanged(ProjectStatusChanged) = "project.status_changed",
        /// `project.change_order_recorded` (a new constraint version)
        ChangeOrderRecorded(ChangeOrderRecorded) = "project.change_order_recorded",
        /// `project.milestone_added`
        MilestoneAdded(MilestoneAdded) = "project.milestone_added",
        /// `project.milestone_done`
        MilestoneDone(MilestoneDone) = "project.milestone_done",
        /// `project.task_added`
        TaskAdded(TaskAdded) = "project.task_added",
        /// `project.task_assigned`
        TaskAssigned(TaskAssigned) = "project.task_assigned",
        /// `project.task_status_changed`
        TaskStatusChanged(TaskStatusChanged) = "project.task_status_changed",
        /// `project.variance_detected`
        VarianceDetected(VarianceDetected) = "project.variance_detected",
    }
}

impl ProjectEvent {
    /// The project the event is about.
    pub fn project_id(&self) -> ProjectId {
        match self {
            Self::Created(p) => p.project_id,
            Self::StatusChanged(p) => p.project_id,
            Self::ChangeOrderRecorded(p) => p.project_id,
            Self::MilestoneAdded(p) => p.project_id,
            Self::MilestoneDone(p) => p.project_id,
            Self::TaskAdded(p) => p.project_id,
            Self::TaskAssigned(p) => p.project_id,
            Self::TaskStatusChanged(p) => p.project_id,
            Self::VarianceDetected(p) => p.project_id,
        }
    }
}

impl AggregateEvent for ProjectEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.project_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Project, self.project_id().as_uuid())
    }
}

/// Sorts labour by role (`null` first), merging duplicate roles and dropping zeros.
fn normalise(labour: &[SoldMinutes]) -> Result<Vec<SoldMinutes>, DomainError> {
    let mut map: BTreeMap<Option<Name>, i64> = BTreeMap::new();
    for l in labour {
        let m = map.entry(l.role.clone()).or_insert(0);
        *m = m
            .checked_add(l.minutes)
            .ok_or_else(|| DomainError::field("labour", "minutes are too large"))?;
    }
    Ok(map
        .into_iter()
        .filter(|(_, m)| *m != 0)
        .map(|(role, minutes)| SoldMinutes { role, minutes })
        .collect())
}

/// Applies a change order's delta to `c`: the labour and budget of the next version.
fn apply_delta(
    c: &SoldConstraints,
    labour_delta: &[SoldMinutes],
    budget_delta: Option<&Money>,
) -> Result<(Vec<SoldMinutes>, Option<Money>), DomainError> {
    let mut all = c.labour.clone();
    all.extend(labour_delta.iter().cloned());
    let labour = normalise(&all)?;
    if let Some(neg) = labour.iter().find(|l| l.minutes < 0) {
        return Err(DomainError::field(
            "labour_delta",
            format!(
                "would leave {} with {} sold minutes",
                neg.role
                    .as_ref()
                    .map_or("work without a role", Name::as_str),
                neg.minutes
            ),
        ));
    }
    let budget = match (c.budget, budget_delta) {
        (b, None) => b,
        (None, Some(d)) => Some(*d),
        (Some(b), Some(d)) => Some(b.checked_add(d)?),
    };
    if budget.is_some_and(|b| b.amount_minor() < 0) {
        return Err(DomainError::field(
            "budget_delta",
            "would leave a negative budget",
        ));
    }
    Ok((labour, budget))
}

fn final_error(s: ProjectStatus) -> DomainError {
    DomainError::invariant(format!("project is {} and takes no changes", s.words()))
}

/// Decides a command against the current state (`None`: not created yet).
///
/// Rules: a customer must be active; sold minutes are not negative and a budget not
/// negative; a closed or cancelled project takes nothing; a change order changes
/// something, leaves no role or budget negative and needs a reason; milestones and tasks
/// are unique by id, a task's milestone exists, an estimate is more than 0, an assignee is
/// an active employee; milestones and tasks only move forward; variance marks are recorded
/// once per constraint version, scope and threshold.
pub fn decide(
    state: Option<&Project>,
    cmd: &ProjectCommand,
    facts: &ProjectFacts,
    _now: DateTime<Utc>,
) -> Result<Vec<ProjectEvent>, DomainError> {
    let p = match (state, cmd) {
        (None, ProjectCommand::Create(n)) => {
            if let Some(c) = n.customer_id {
                match facts.customers.get(&c) {
                    Some(CustomerStatus::Active) => {}
                    Some(CustomerStatus::Archived) => {
                        return Err(DomainError::invariant(
                            "customer is archived and takes no new projects",
                        ))
                    }
                    None => {
                        return Err(DomainError::field("customer_id", "is not a known customer"))
                    }
                }
            } else if n.sale.is_some() {
                return Err(DomainError::field(
                    "customer_id",
                    "a project from a sale needs the sale's customer",
                ));
            }
            let labour = normalise(&n.labour)?;
            if labour.iter().any(|l| l.minutes < 0) {
                return Err(DomainError::field(
                    "labour",
                    "sold minutes must not be negative",
                ));
            }
            if n.budget.is_some_and(|b| b.amount_minor() < 0) {
                return Err(DomainError::field("budget", "must not be negative"));
            }
            return Ok(vec![ProjectEvent::Created(ProjectCreated {
                project_id: n.id,
                name: n.name.clone(),
                customer_id: n.customer_id,
                sale_id: n.sale.map(|s| s.0),
                quote_id: n.sale.map(|s| s.1),
                labour,
                budget: n.budget,
                recurring: n.recurring.clone(),
            })]);
        }
        (Some(p), ProjectCommand::Create(_)) => {
            return Err(DomainError::invariant(format!(
                "project {} already exists",
                p.id()
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "project",
                id: "(not created)".into(),
            })
        }
        (Some(p), _) => p,
    };
    let s = &p.0;
    let project_id = s.id;
    if s.status.is_final() && !matches!(cmd, ProjectCommand::DetectVariance) {
        return Err(final_error(s.status));
    }
    let task = |id: TaskId| {
        s.tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| DomainError::field("task_id", "is not a task of this project"))
    };
    match cmd {
        ProjectCommand::Create(_) => Ok(vec![]),
        ProjectCommand::ChangeStatus { to } => {
            if !s.status.can_move_to(*to) {
                return Err(DomainError::invariant(format!(
                    "a project cannot go from {} to {}",
                    s.status.words(),
                    to.words()
                )));
            }
            Ok(vec![ProjectEvent::StatusChanged(ProjectStatusChanged {
                project_id,
                from: s.status,
                to: *to,
            })])
        }
        ProjectCommand::RecordChangeOrder {
            reason,
            ordered_by,
            labour_delta,
            budget_delta,
        } => {
            let delta = normalise(labour_delta)?;
            let budget_delta = budget_delta.filter(|b| b.amount_minor() != 0);
            if delta.is_empty() && budget_delta.is_none() {
                return Err(DomainError::field(
                    "labour_delta",
                    "a change order must change the sold minutes or the budget",
                ));
            }
            let current = p.constraints();
            apply_delta(current, &delta, budget_delta.as_ref())?;
            let number = current
                .number
                .checked_add(1)
                .ok_or_else(|| DomainError::invariant("constraint versions are exhausted"))?;
            Ok(vec![ProjectEvent::ChangeOrderRecorded(
                ChangeOrderRecorded {
                    project_id,
                    constraint_version: number,
                    reason: reason.clone(),
                    ordered_by: *ordered_by,
                    labour_delta: delta,
                    budget_delta,
                },
            )])
        }
        ProjectCommand::AddMilestone {
            milestone_id,
            title,
            due,
        } => {
            if s.milestones.iter().any(|m| m.id == *milestone_id) {
                return Err(DomainError::invariant(format!(
                    "milestone {milestone_id} already exists"
                )));
            }
            Ok(vec![ProjectEvent::MilestoneAdded(MilestoneAdded {
                project_id,
                milestone_id: *milestone_id,
                title: title.clone(),
                due: *due,
            })])
        }
        ProjectCommand::CompleteMilestone { milestone_id } => {
            let m = s
                .milestones
                .iter()
                .find(|m| m.id == *milestone_id)
                .ok_or_else(|| {
                    DomainError::field("milestone_id", "is not a milestone of this project")
                })?;
            if m.status == MilestoneStatus::Done {
                return Err(DomainError::invariant(format!(
                    "milestone “{}” is already done",
                    m.title
                )));
            }
            Ok(vec![ProjectEvent::MilestoneDone(MilestoneDone {
                project_id,
                milestone_id: *milestone_id,
                title: m.title.clone(),
            })])
        }
        ProjectCommand::AddTask {
            task_id,
            title,
            milestone_id,
            estimate_minutes,
            assignee,
        } => {
            if s.tasks.iter().any(|t| t.id == *task_id) {
                return Err(DomainError::invariant(format!(
                    "task {task_id} already exists"
                )));
            }
            if let Some(m) = milestone_id {
                if !s.milestones.iter().any(|x| x.id == *m) {
                    return Err(DomainError::field(
                        "milestone_id",
                        "is not a milestone of this project",
                    ));
                }
            }
            if estimate_minutes.is_some_and(|e| e <= 0) {
                return Err(DomainError::field(
                    "estimate_minutes",
                    "must be more than 0",
                ));
            }
            if let Some(a) = assignee {
                facts.active_employee(*a, "assignee_id")?;
            }
            Ok(vec![ProjectEvent::TaskAdded(TaskAdded {
                project_id,
                task_id: *task_id,
                title: title.clone(),
                milestone_id: *milestone_id,
                estimate_minutes: *estimate_minutes,
                assignee_id: *assignee,
            })])
        }
        ProjectCommand::AssignTask { task_id, assignee } => {
            let t = task(*task_id)?;
            if t.assignee == *assignee {
                return Err(DomainError::invariant("the task already has that assignee"));
            }
            if let Some(a) = assignee {
                facts.active_employee(*a, "assignee_id")?;
            }
            Ok(vec![ProjectEvent::TaskAssigned(TaskAssigned {
                project_id,
                task_id: *task_id,
                title: t.title.clone(),
                assignee_id: *assignee,
                previous_assignee_id: t.assignee,
            })])
        }
        ProjectCommand::MoveTask { task_id, to } => {
            let t = task(*task_id)?;
            if !t.status.next_statuses().contains(to) {
                return Err(DomainError::invariant(format!(
                    "a task cannot go from {} to {}",
                    t.status.words(),
                    to.words()
                )));
            }
            Ok(vec![ProjectEvent::TaskStatusChanged(TaskStatusChanged {
                project_id,
                task_id: *task_id,
                title: t.title.clone(),
                from: t.status,
                to: *to,
            })])
        }
        ProjectCommand::DetectVariance => {
            let c = p.constraints();
            Ok(p.marks_due(&facts.delivered)
                .into_iter()
                .map(|m| {
                    ProjectEvent::VarianceDetected(VarianceDetected {
                        project_id,
                        constraint_version: m.constraint_version,
                        sold_minutes: c.sold_in(&m.scope),
                        delivered_minutes: facts.delivered.in_scope(&m.scope),
                        scope: m.scope,
                        threshold_percent: m.threshold_percent,
                    })
                })
                .collect())
        }
    }
}

/// Folds one event into the state. Infallible; `None` only when a non-creation event
/// arrives before `project.created`.
pub fn evolve(state: Option<Project>, ev: &ProjectEvent) -> Option<Project> {
    let mut p = match (state, ev) {
        (None, ProjectEvent::Created(c)) => {
            return Some(Project(ProjectState {
                id: c.project_id,
                name: c.name.clone(),
                customer_id: c.customer_id,
                sale_id: c.sale_id,
                quote_id: c.quote_id,
                status: ProjectStatus::Planned,
                constraints: vec![SoldConstraints {
                    number: 1,
                    labour: c.labour.clone(),
                    budget: c.budget,
                    recurring: c.recurring.clone(),
                    change_order: None,
                }],
                milestones: Vec::new(),
                tasks: Vec::new(),
                variance_marks: BTreeSet::new(),
                version: 1,
            }))
        }
        (None, _) => return None,
        (Some(p), _) => p,
    };
    let s = &mut p.0;
    match ev {
        ProjectEvent::Created(_) => {}
        ProjectEvent::StatusChanged(c) => s.status = c.to,
        ProjectEvent::ChangeOrderRecorded(c) => {
            let current = p_constraints(s);
            // decide checked the delta; a stored stream that no longer fits keeps the
            // previous figures rather than failing the fold.
            let (labour, budget) = apply_delta(&current, &c.labour_delta, c.budget_delta.as_ref())
                .unwrap_or((current.labour.clone(), current.budget));
            s.constraints.push(SoldConstraints {
                number: c.constraint_version,
                labour,
                budget,
                recurring: current.recurring.clone(),
                change_order: Some(ChangeOrder {
                    reason: c.reason.clone(),
                    ordered_by: c.ordered_by,
                    labour_delta: c.labour_delta.clone(),
                    budget_delta: c.budget_delta,
                }),
            });
        }
        ProjectEvent::MilestoneAdded(c) => s.milestones.push(Milestone {
            id: c.milestone_id,
            title: c.title.clone(),
            due: c.due,
            status: MilestoneStatus::Pending,
        }),
        ProjectEvent::MilestoneDone(c) => {
            if let Some(m) = s.milestones.iter_mut().find(|m| m.id == c.milestone_id) {
                m.status = MilestoneStatus::Done;
            }
        }
        ProjectEvent::TaskAdded(c) => s.tasks.push(Task {
            id: c.task_id,
            title: c.title.clone(),
            milestone_id: c.milestone_id,
            estimate_minutes: c.estimate_minutes,
            assignee: c.assignee_id,
            status: TaskStatus::Todo,
        }),
        ProjectEvent::TaskAssigned(c) => {
            if let Some(t) = s.tasks.iter_mut().find(|t| t.id == c.task_id) {
                t.assignee = c.assignee_id;
            }
        }
        ProjectEvent::TaskStatusChanged(c) => {
            if let Some(t) = s.tasks.iter_mut().find(|t| t.id == c.task_id) {
                t.status = c.to;
            }
        }
        ProjectEvent::VarianceDetected(c) => {
            s.variance_marks.insert(VarianceMark {
                constraint_version: c.constraint_version,
                scope: c.scope.clone(),
                threshold_percent: c.threshold_percent,
            });
        }
    }
    s.version += 1;
    Some(p)
}

fn p_constraints(s: &ProjectState) -> SoldConstraints {
    s.constraints.last().cloned().unwrap_or(SoldConstraints {
        number: 0,
        labour: Vec::new(),
        budget: None,
        recurring: Vec::new(),
        change_order: None,
    })
}

impl crate::aggregate::Aggregate for Project {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = ProjectCommand;
    type Event = ProjectEvent;
    type Facts = ProjectFacts;

    fn version(&self) -> u64 {
        self.0.version
    }
    fn decide(
        state: Option<&Self>,
        cmd: &ProjectCommand,
        facts: &ProjectFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<ProjectEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }
    fn evolve(state: Option<Self>, event: &ProjectEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregate;
    use crate::identity::Currency;

    fn now() -> DateTime<Utc> {
        "2026-01-05T09:00:00Z".parse().unwrap()
    }
    fn eur(m: i64) -> Money {
        Money::new(m, Currency::new("EUR").unwrap())
    }
    fn role(s: &str) -> Option<Name> {
        Some(Name::new(s).unwrap())
    }
    fn acme() -> CustomerId {
        CustomerId::from_uuid(Uuid::from_u128(20))
    }
    fn ana() -> EmployeeId {
        EmployeeId::from_uuid(Uuid::from_u128(1))
    }
    fn facts() -> ProjectFacts {
        ProjectFacts::new()
            .with_customer(acme(), CustomerStatus::Active)
            .with_employee(ana(), EmployeeStatus::Active)
    }
    fn created() -> Project {
        let cmd = ProjectCommand::Create(NewProject {
            id: ProjectId::from_uuid(Uuid::from_u128(300)),
            name: Name::new("Website").unwrap(),
            customer_id: Some(acme()),
            sale: None,
            labour: vec![
                SoldMinutes {
                    role: role("Developer"),
                    minutes: 600,
                },
                SoldMinutes {
                    role: role("Designer"),
                    minutes: 400,
                },
            ],
            budget: Some(eur(100_000)),
            recurring: vec![],
        });
        run(None, &cmd, &facts()).unwrap()
    }
    fn run(
        p: Option<Project>,
        cmd: &ProjectCommand,
        f: &ProjectFacts,
    ) -> Result<Project, DomainError> {
        let evs = Project::decide(p.as_ref(), cmd, f, now())?;
        Project::evolve_all(p, &evs).ok_or_else(|| DomainError::invariant("none"))
    }

    #[test]
    fn created_planned_with_sorted_labour_and_version_one() {
        let p = created();
        assert_eq!(p.status(), ProjectStatus::Planned);
        let c = p.constraints();
        assert_eq!(c.number, 1);
        assert_eq!(c.labour[0].role, role("Designer"), "sorted by role");
        assert_eq!(c.total_minutes(), 1000);
        let archived = ProjectFacts::new().with_customer(acme(), CustomerStatus::Archived);
        let ProjectCommand::Create(n) = ProjectCommand::Create(NewProject {
            id: ProjectId::from_uuid(Uuid::from_u128(301)),
            name: Name::new("X").unwrap(),
            customer_id: Some(acme()),
            sale: None,
            labour: vec![],
            budget: None,
            recurring: vec![],
        }) else {
            unreachable!()
        };
        assert!(matches!(
            decide(None, &ProjectCommand::Create(n), &archived, now()),
            Err(DomainError::Invariant(_))
        ));
    }

    #[test]
    fn change_orders_make_new_versions_and_never_go_negative() {
        let p = created();
        let co = |delta: i64, budget: Option<i64>| ProjectCommand::RecordChangeOrder {
            reason: Text::for_field("reason", "More pages").unwrap(),
            ordered_by: ana(),
            labour_delta: vec![SoldMinutes {
                role: role("Developer"),
                minutes: delta,
            }],
            budget_delta: budget.map(eur),
        };
        let p2 = run(Some(p.clone()), &co(300, Some(20_000)), &facts()).unwrap();
        assert_eq!(p2.constraints().number, 2);
        assert_eq!(
            p2.constraints().sold_in(&VarianceScope::Role {
                role: role("Developer")
            }),
            900
        );
        assert_eq!(p2.constraints().budget, Some(eur(120_000)));
        assert_eq!(
            p2.state().constraints[0].total_minutes(),
            1000,
            "version 1 unchanged"
        );
        assert!(matches!(
            decide(Some(&p), &co(-601, None), &facts(), now()),
            Err(DomainError::Validation(_))
        ));
        assert!(matches!(
            decide(Some(&p), &co(0, Some(0)), &facts(), now()),
            Err(DomainError::Validation(_))
        ));
        let removed = run(Some(p), &co(-600, None), &facts()).unwrap();
        assert_eq!(
            removed.constraints().labour.len(),
            1,
            "a role sold 0 is dropped"
        );
    }

    #[test]
    fn variance_is_recorded_once_per_version_scope_and_threshold() {
        let mut p = created();
        let mut d = Delivered::new();
        d.add(role("Developer"), 500);
        let f = facts().with_delivered(d.clone());
        let evs = decide(Some(&p), &ProjectCommand::DetectVariance, &f, now()).unwrap();
        // developer 500/600 = 83 % → 80 for the role; project 500/1000 = 50 %: nothing
        assert_eq!(evs.len(), 1);
        p = Project::evolve_all(Some(p), &evs).unwrap();
        assert!(decide(Some(&p), &ProjectCommand::DetectVariance, &f, now())
            .unwrap()
            .is_empty());
        d.add(role("Developer"), 300);
        d.add(role("Designer"), 100);
        let f = facts().with_delivered(d);
        let evs = decide(Some(&p), &ProjectCommand::DetectVariance, &f, now()).unwrap();
        // project 900/1000 → 80; developer 800/600 = 133 % → 100, 120
        let got: Vec<(String, u32)> = evs
            .iter()
            .map(|e| match e {
                ProjectEvent::VarianceDetected(v) => (v.scope.words(), v.threshold_percent),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("the project".to_owned(), 80),
                ("role Developer".to_owned(), 100),
                ("role Developer".to_owned(), 120)
            ]
        );
    }

    #[test]
    fn statuses_milestones_and_tasks_move_forward_only() {
        let p = created();
        let to = |s| ProjectCommand::ChangeStatus { to: s };
        assert!(decide(Some(&p), &to(ProjectStatus::Completed), &facts(), now()).is_err());
        let p = run(Some(p), &to(ProjectStatus::Active), &facts()).unwrap();
        let m = MilestoneId::from_uuid(Uuid::from_u128(5));
        let t = TaskId::from_uuid(Uuid::from_u128(6));
        let p = run(
            Some(p),
            &ProjectCommand::AddMilestone {
                milestone_id: m,
                title: Name::new("Launch").unwrap(),
                due: None,
            },
            &facts(),
        )
        .unwrap();
        let add = ProjectCommand::AddTask {
            task_id: t,
            title: Name::new("Build").unwrap(),
            milestone_id: Some(m),
            estimate_minutes: Some(120),
            assignee: Some(ana()),
        };
        assert!(
            decide(Some(&p), &add, &ProjectFacts::new(), now()).is_err(),
            "unknown assignee"
        );
        let p = run(Some(p), &add, &facts()).unwrap();
        assert!(decide(Some(&p), &add, &facts(), now()).is_err(), "twice");
        let mv = |to| ProjectCommand::MoveTask { task_id: t, to };
        assert!(decide(Some(&p), &mv(TaskStatus::Done), &facts(), now()).is_err());
        let p = run(Some(p), &mv(TaskStatus::InProgress), &facts()).unwrap();
        let p = run(Some(p), &mv(TaskStatus::Done), &facts()).unwrap();
        let p = run(
            Some(p),
            &ProjectCommand::CompleteMilestone { milestone_id: m },
            &facts(),
        )
        .unwrap();
        assert!(decide(
            Some(&p),
            &ProjectCommand::CompleteMilestone { milestone_id: m },
            &facts(),
            now()
        )
        .is_err());
        let p = run(Some(p), &to(ProjectStatus::Cancelled), &facts()).unwrap();
        assert!(matches!(
            decide(Some(&p), &to(ProjectStatus::Active), &facts(), now()),
            Err(DomainError::Invariant(_))
        ));
        assert!(p.actions().is_empty());
    }
}
