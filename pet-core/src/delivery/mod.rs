//! Projects & Delivery and Time & Resources (domain.md §4–5): projects from sales (or
//! internal) with immutable sold-constraint versions and change orders, milestones and
//! tasks; time entries with approval, adjustments and period locks; timers; weekly
//! capacity and allocations; sold-vs-delivered variance.
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `project` | [`project`] | `project.created`, `.status_changed`, `.change_order_recorded`, `.milestone_added`, `.milestone_done`, `.task_added`, `.task_assigned`, `.task_status_changed`, `.variance_detected` |
//! | `time_entry` | [`time_entry`] | `time_entry.drafted`, `.revised`, `.discarded`, `.submitted`, `.approved`, `.sent_back`, `.adjusted` |
//! | `time_period` (one per site) | [`period`] | `time_period.locked` |
//! | `timer` (id = employee id) | [`timer`] | `timer.started`, `.stopped`, `.discarded` |
//! | `employee_capacity` (id = employee id) | [`resources`] | `resource.capacity_set` |
//! | `resource_allocation` | [`resources`] | `resource.allocated`, `.allocation_released` |
//!
//! Variance ([`variance`]) is a pure function of a constraint version and the delivered
//! minutes; the project records each threshold once per constraint version and scope
//! (`ProjectCommand::DetectVariance`, delivered minutes passed in as a fact). The burn-up
//! ([`burnup`]) folds weekly delivered sums and the constraint versions' dates into the
//! series of the project page's chart. The week commands ([`week`]: save a timesheet week
//! from its grid, submit it) are decided here into ordinary time-entry commands.

pub mod burnup;
pub mod ids;
pub mod period;
pub mod project;
pub mod resources;
pub mod time_entry;
pub mod timer;
pub mod values;
pub mod variance;
pub mod week;

use crate::activity::{NameLookup, Names, RenderError};
use crate::event::{AggregateEvent, ContextRef, ContextType, DomainEvent, RecordedEvent};
use crate::identity::{EmployeeId, EventDecodeError};

pub use ids::{
    AdjustmentId, AllocationId, MilestoneId, ProjectId, TaskId, TimeEntryId, TIME_LOCK_ID,
};
pub use period::{LockFacts, TimeLock, TimeLockCommand, TimeLockEvent};
pub use project::{
    ChangeOrder, Milestone, NewProject, Project, ProjectCommand, ProjectEvent, ProjectFacts,
    ProjectState, RecurringLine, SoldConstraints, SoldMinutes, Task, VarianceMark,
};
pub use resources::{
    week_loads, Allocation, AllocationCommand, AllocationEvent, AllocationFacts, AllocationSpan,
    Capacity, CapacityEvent, SetCapacity, WeekLoad,
};
pub use time_entry::{
    Adjustment, EntryContent, EntryInput, TimeActor, TimeEntry, TimeEntryCommand, TimeEntryEvent,
    TimeEntryState, TimeFacts, WorkTarget,
};
pub use timer::{RunningTimer, Timer, TimerCommand, TimerEvent};
pub use values::{
    EntryMinutes, EntryStatus, MilestoneStatus, ProjectStatus, SignedMinutes, TaskStatus,
    WeeklyMinutes, DAY_MINUTES, VARIANCE_THRESHOLDS,
};
pub use variance::{Delivered, VarianceLine, VarianceScope};
pub use week::{decide_save_week, decide_submit_week, week_bounds, SaveWeek, WeekCell, WeekStep};

/// The module's descriptor (see [`crate::module`]).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "delivery",
    events: &[
        ProjectEvent::EVENT_TYPES,
        TimeEntryEvent::EVENT_TYPES,
        TimeLockEvent::EVENT_TYPES,
        TimerEvent::EVENT_TYPES,
        CapacityEvent::EVENT_TYPES,
        AllocationEvent::EVENT_TYPES,
    ],
    contexts: &[
        ContextType::Project,
        ContextType::TimeEntry,
        ContextType::TimePeriod,
    ],
    render,
    names_introduced,
    job_kinds: &[],
};

/// Any Delivery event, for code that handles the whole module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// A `project.*` event.
    Project(ProjectEvent),
    /// A `time_entry.*` event.
    TimeEntry(TimeEntryEvent),
    /// A `time_period.*` event.
    TimeLock(TimeLockEvent),
    /// A `timer.*` event.
    Timer(TimerEvent),
    /// `resource.capacity_set`.
    Capacity(CapacityEvent),
    /// `resource.allocated` or `resource.allocation_released`.
    Allocation(AllocationEvent),
}

impl DeliveryEvent {
    /// Decodes a stored event of any Delivery type.
    pub fn from_stored(
        event_type: &str,
        schema_version: u32,
        payload: &serde_json::Value,
    ) -> Result<Self, EventDecodeError> {
        Ok(match event_type.split('.').next() {
            Some("project") => Self::Project(ProjectEvent::from_stored(
                event_type,
                schema_version,
                payload,
            )?),
            Some("time_entry") => Self::TimeEntry(TimeEntryEvent::from_stored(
                event_type,
                schema_version,
                payload,
            )?),
            Some("time_period") => Self::TimeLock(TimeLockEvent::from_stored(
                event_type,
                schema_version,
                payload,
            )?),
            Some("timer") => Self::Timer(TimerEvent::from_stored(
                event_type,
                schema_version,
                payload,
            )?),
            Some("resource") if event_type == "resource.capacity_set" => Self::Capacity(
                CapacityEvent::from_stored(event_type, schema_version, payload)?,
            ),
            Some("resource") => Self::Allocation(AllocationEvent::from_stored(
                event_type,
                schema_version,
                payload,
            )?),
            _ => return Err(EventDecodeError::UnknownType(event_type.to_owned())),
        })
    }

    /// Decodes a recorded event (upcast it with the registry first).
    pub fn from_recorded(event: &RecordedEvent) -> Result<Self, EventDecodeError> {
        Self::from_stored(
            event.event.event_type().as_str(),
            event.event.schema_version(),
            event.event.payload(),
        )
    }

    fn inner(&self) -> &dyn AggregateEvent {
        match self {
            Self::Project(e) => e,
            Self::TimeEntry(e) => e,
            Self::TimeLock(e) => e,
            Self::Timer(e) => e,
            Self::Capacity(e) => e,
            Self::Allocation(e) => e,
        }
    }
}

macro_rules! delivery_event_from {
    ($($variant:ident($ty:ty)),+) => {
        $(impl From<$ty> for DeliveryEvent {
            fn from(e: $ty) -> Self {
                DeliveryEvent::$variant(e)
            }
        })+
    };
}
delivery_event_from!(
    Project(ProjectEvent),
    TimeEntry(TimeEntryEvent),
    TimeLock(TimeLockEvent),
    Timer(TimerEvent),
    Capacity(CapacityEvent),
    Allocation(AllocationEvent)
);

impl DomainEvent for DeliveryEvent {
    fn event_type(&self) -> &'static str {
        self.inner().event_type()
    }
    fn schema_version(&self) -> u32 {
        self.inner().schema_version()
    }
    fn payload(&self) -> serde_json::Value {
        self.inner().payload()
    }
}

impl AggregateEvent for DeliveryEvent {
    fn context(&self) -> ContextRef {
        self.inner().context()
    }
    fn aggregate_type(&self) -> &'static str {
        self.inner().aggregate_type()
    }
    fn aggregate_id(&self) -> uuid::Uuid {
        self.inner().aggregate_id()
    }
}

/// Minutes as `2 h 30 min`, `45 min`, `3 h` (signed: `−30 min`).
pub fn hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "−" } else { "" };
    let m = minutes.unsigned_abs();
    match (m / 60, m % 60) {
        (0, r) => format!("{sign}{r} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, r) => format!("{sign}{h} h {r} min"),
    }
}

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
    use ContextType as K;
    let event = DeliveryEvent::from_stored(event_type, schema_version, payload)?;
    let project = |id: ProjectId| names.get(K::Project, id.as_uuid());
    let employee = |id: EmployeeId| names.get(K::Employee, id.as_uuid());
    let target = |t: &WorkTarget| match t {
        WorkTarget::Project { project_id, .. } => project(*project_id),
        WorkTarget::Ticket { ticket_id } => names.get(K::Ticket, ticket_id.as_uuid()),
    };
    let on = |p: Option<ProjectId>| p.map(|p| format!(" on {}", project(p))).unwrap_or_default();
    Ok(match &event {
        DeliveryEvent::Project(e) => {
            let pr = project(e.project_id());
            match e {
                ProjectEvent::Created(p) => {
                    let sold: i64 = p.labour.iter().map(|l| l.minutes).sum();
                    match (p.sale_id, p.customer_id) {
                        (Some(_), Some(c)) => format!(
                            "Project “{}” was created for {} from the accepted quote ({} sold)",
                            p.name,
                            names.get(K::Customer, c.as_uuid()),
                            hours(sold)
                        ),
                        (_, Some(c)) => format!(
                            "Project “{}” was created for {} ({} planned)",
                            p.name,
                            names.get(K::Customer, c.as_uuid()),
                            hours(sold)
                        ),
                        _ => format!("Internal project “{}” was created ({} planned)", p.name, hours(sold)),
                    }
                }
                ProjectEvent::StatusChanged(p) => {
                    format!("{pr} moved from {} to {}", p.from.words(), p.to.words())
                }
                ProjectEvent::ChangeOrderRecorded(p) => {
                    let mut parts: Vec<String> = p
                        .labour_delta
                        .iter()
                        .map(|l| {
                            format!(
                                "{}{} {}",
                                if l.minutes > 0 { "+" } else { "" },
                                hours(l.minutes),
                                l.role.as_ref().map_or("without a role".to_owned(), |r| r.to_string())
                            )
                        })
                        .collect();
                    if let Some(b) = p.budget_delta {
                        parts.push(format!(
                            "budget {}{} {}",
                            if b.amount_minor() > 0 { "+" } else { "" },
                            b.decimal(),
                            b.currency()
                        ));
                    }
                    format!(
                        "{} recorded a change order on {pr} ({}), sold constraints version {}: {}",
                        employee(p.ordered_by),
                        parts.join(", "),
                        p.constraint_version,
                        p.reason.as_str()
                    )
                }
                ProjectEvent::MilestoneAdded(p) => match p.due {
                    Some(d) => format!("Milestone “{}” (due {d}) was added to {pr}", p.title),
                    None => format!("Milestone “{}” was added to {pr}", p.title),
                },
                ProjectEvent::MilestoneDone(p) => {
                    format!("Milestone “{}” of {pr} was reached", p.title)
                }
                ProjectEvent::TaskAdded(p) => {
                    let mut s = format!("Task “{}” was added to {pr}", p.title);
                    if let Some(a) = p.assignee_id {
                        s.push_str(&format!(", assigned to {}", employee(a)));
                    }
                    s
                }
                ProjectEvent::TaskAssigned(p) => match p.assignee_id {
                    Some(a) => format!("Task “{}” of {pr} was assigned to {}", p.title, employee(a)),
                    None => format!("Task “{}” of {pr} was unassigned", p.title),
                },
                ProjectEvent::TaskStatusChanged(p) => format!(
                    "Task “{}” of {pr} moved from {} to {}",
                    p.title,
                    p.from.words(),
                    p.to.words()
                ),
                ProjectEvent::VarianceDetected(p) => format!(
                    "{pr} reached {} % of sold time for {} ({} delivered of {} sold, constraints version {})",
                    p.threshold_percent,
                    p.scope.words(),
                    hours(p.delivered_minutes),
                    hours(p.sold_minutes),
                    p.constraint_version
                ),
            }
        }
        DeliveryEvent::TimeEntry(e) => match e {
            TimeEntryEvent::Drafted(p) => format!(
                "{} logged {} on {} for {}",
                employee(p.employee_id),
                hours(p.content.minutes.get()),
                target(&p.content.target),
                p.content.work_date
            ),
            TimeEntryEvent::Revised(p) => format!(
                "{} changed a draft entry to {} on {} for {}",
                employee(p.employee_id),
                hours(p.content.minutes.get()),
                target(&p.content.target),
                p.content.work_date
            ),
            TimeEntryEvent::Discarded(p) => format!(
                "{} discarded a draft entry of {}{} for {}",
                employee(p.employee_id),
                hours(p.minutes),
                on(p.project_id),
                p.work_date
            ),
            TimeEntryEvent::Submitted(p) => format!(
                "{} submitted {}{} for {}",
                employee(p.employee_id),
                hours(p.minutes),
                on(p.project_id),
                p.work_date
            ),
            TimeEntryEvent::Approved(p) => format!(
                "{} of {}{} for {} were approved",
                hours(p.minutes),
                employee(p.employee_id),
                on(p.project_id),
                p.work_date
            ),
            TimeEntryEvent::SentBack(p) => format!(
                "An entry of {} was sent back: {}",
                employee(p.employee_id),
                p.reason.as_str()
            ),
            TimeEntryEvent::Adjusted(p) => format!(
                "{} adjusted an entry of {}{} by {} on {}: {}",
                employee(p.adjusted_by),
                employee(p.employee_id),
                on(p.project_id),
                hours(p.minutes),
                p.work_date,
                p.reason.as_str()
            ),
        },
        DeliveryEvent::TimeLock(TimeLockEvent::Locked(p)) => match p.from {
            Some(f) => format!("Time from {f} through {} was locked", p.through),
            None => format!("Time through {} was locked", p.through),
        },
        DeliveryEvent::Timer(e) => match e {
            TimerEvent::Started(p) => format!(
                "{} started a timer on {}",
                employee(p.employee_id),
                target(&p.target)
            ),
            TimerEvent::Stopped(p) => format!(
                "{} stopped a timer after {} (a draft entry)",
                employee(p.employee_id),
                hours(p.minutes)
            ),
            TimerEvent::Discarded(p) => {
                format!("{} discarded a running timer", employee(p.employee_id))
            }
        },
        DeliveryEvent::Capacity(CapacityEvent::Set(p)) => format!(
            "{} has a capacity of {} a week from {}",
            employee(p.employee_id),
            hours(p.minutes_per_week),
            p.effective_from
        ),
        DeliveryEvent::Allocation(e) => match e {
            AllocationEvent::Allocated(p) => format!(
                "{} was allocated to {} for {} a week from {} to {}",
                employee(p.employee_id),
                project(p.project_id),
                hours(p.minutes_per_week),
                p.starts_on,
                p.ends_on
            ),
            AllocationEvent::Released(p) => format!(
                "The allocation of {} to {} was released",
                employee(p.employee_id),
                project(p.project_id)
            ),
        },
    })
}

/// The names an event of this module introduces: a project by its name.
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    use crate::activity::{clip_name, NamedEntity};
    Ok(
        match DeliveryEvent::from_stored(event_type, schema_version, payload)? {
            DeliveryEvent::Project(ProjectEvent::Created(p)) => vec![NamedEntity {
                kind: ContextType::Project,
                id: p.project_id.as_uuid(),
                name: clip_name(&format!("Project “{}”", p.name)),
            }],
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_read_naturally() {
        assert_eq!(hours(45), "45 min");
        assert_eq!(hours(120), "2 h");
        assert_eq!(hours(150), "2 h 30 min");
        assert_eq!(hours(-30), "−30 min");
    }

    #[test]
    fn names_introduced_name_projects() {
        let p = serde_json::json!({"project_id": "0190a1b2-0000-7000-8000-00000000012c",
            "name": "Website", "customer_id": null, "sale_id": null, "quote_id": null,
            "labour": [], "budget": null, "recurring": []});
        let n = names_introduced("project.created", 1, &p).unwrap();
        assert_eq!(n[0].name, "Project “Website”");
        assert_eq!(n[0].kind, ContextType::Project);
    }
}
