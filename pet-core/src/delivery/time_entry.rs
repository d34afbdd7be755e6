//! The TimeEntry aggregate: an employee's minutes on a work date against a project (and
//! optionally one of its tasks) or a ticket, billable or not, with a note;
//! `draft → submitted → approved`, a submitted entry sent back to draft with a reason, a
//! draft discarded. Submitted and approved entries are immutable: corrections are
//! adjustments (signed minutes dated in an open period, a reason, the actor).
//!
//! The rules that need other data get it as [`TimeFacts`]: the employee's status, the
//! project's status and tasks, the ticket's project, the period lock and the employee's
//! minutes on the dates concerned (everything logged that day, adjustments included).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{AdjustmentId, ProjectId, TaskId, TimeEntryId};
use super::values::{EntryMinutes, EntryStatus, ProjectStatus, SignedMinutes, DAY_MINUTES};
use crate::aggregate::domain_events;
use crate::commercial::Text;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::helpdesk::TicketId;
use crate::identity::{EmployeeId, EmployeeStatus, Name, Note};

/// The aggregate type of time entries.
pub const AGGREGATE_TYPE: &str = "time_entry";

/// What the time was spent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WorkTarget {
    /// A project, optionally one of its tasks.
    Project {
        /// The project.
        project_id: ProjectId,
        /// The task, if any.
        task_id: Option<TaskId>,
    },
    /// A support ticket (counted on the ticket's project when it has one).
    Ticket {
        /// The ticket.
        ticket_id: TicketId,
    },
}

/// The editable content of an entry (what a draft's revision replaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryContent {
    /// What the time was spent on.
    pub target: WorkTarget,
    /// The project it counts on (the target's project, or the ticket's project).
    pub project_id: Option<ProjectId>,
    /// The role worked in (what variance per role counts it under).
    pub role: Option<Name>,
    /// The day worked.
    pub work_date: NaiveDate,
    /// Minutes (1–1,440).
    pub minutes: EntryMinutes,
    /// Billable to the customer.
    pub billable: bool,
    /// A note.
    pub note: Note,
}

/// One correction of a submitted or approved entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Its id.
    pub id: AdjustmentId,
    /// Signed minutes.
    pub minutes: i64,
    /// The (open) date it is booked on.
    pub work_date: NaiveDate,
    /// Why.
    pub reason: Text,
    /// Who made it.
    pub adjusted_by: EmployeeId,
}

/// A time entry's state as its storage rows hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEntryState {
    /// The id.
    pub id: TimeEntryId,
    /// Whose time.
    pub employee_id: EmployeeId,
    /// Content.
    pub content: EntryContent,
    /// Status.
    pub status: EntryStatus,
    /// Why it was last sent back (while a draft after being sent back).
    pub sent_back_reason: Option<Text>,
    /// Its adjustments, in order.
    pub adjustments: Vec<Adjustment>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// The current state of a time entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEntry(TimeEntryState);

impl TimeEntry {
    /// Rebuilds the state from its stored rows.
    pub fn restore(state: TimeEntryState) -> Self {
        TimeEntry(state)
    }
    /// Everything it holds (read-only).
    pub fn state(&self) -> &TimeEntryState {
        &self.0
    }
    /// The id.
    pub fn id(&self) -> TimeEntryId {
        self.0.id
    }
    /// Whose time.
    pub fn employee_id(&self) -> EmployeeId {
        self.0.employee_id
    }
    /// Status.
    pub fn status(&self) -> EntryStatus {
        self.0.status
    }
    /// Content.
    pub fn content(&self) -> &EntryContent {
        &self.0.content
    }
    /// Number of events applied.
    pub fn version(&self) -> u64 {
        self.0.version
    }
    /// Minutes plus every adjustment.
    pub fn effective_minutes(&self) -> i64 {
        self.0.content.minutes.get() + self.0.adjustments.iter().map(|a| a.minutes).sum::<i64>()
    }
    /// What this entry adds to its employee's total on `date` (its own minutes when dated
    /// then and not discarded, plus its adjustments booked then).
    pub fn minutes_on(&self, date: NaiveDate) -> i64 {
        let own = if self.0.content.work_date == date && self.0.status != EntryStatus::Discarded {
            self.0.content.minutes.get()
        } else {
            0
        };
        own + self
            .0
            .adjustments
            .iter()
            .filter(|a| a.work_date == date)
            .map(|a| a.minutes)
            .sum::<i64>()
    }
    /// The dates this entry adds minutes to.
    pub fn dates(&self) -> BTreeSet<NaiveDate> {
        let mut d: BTreeSet<NaiveDate> = self.0.adjustments.iter().map(|a| a.work_date).collect();
        d.insert(self.0.content.work_date);
        d
    }

    /// The commands it takes now (ignoring locks and who asks).
    pub fn actions(&self) -> &'static [&'static str] {
        match self.0.status {
            EntryStatus::Draft => &["revise", "submit", "discard"],
            EntryStatus::Submitted => &["approve", "send_back", "adjust"],
            EntryStatus::Approved => &["adjust"],
            EntryStatus::Discarded => &[],
        }
    }
}

/// What an entry's rules need from elsewhere, loaded by the application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeFacts {
    employees: BTreeMap<EmployeeId, EmployeeStatus>,
    projects: BTreeMap<ProjectId, ProjectStatus>,
    tasks: BTreeSet<(ProjectId, TaskId)>,
    tickets: BTreeMap<TicketId, Option<ProjectId>>,
    locked_through: Option<NaiveDate>,
    day_minutes: BTreeMap<NaiveDate, i64>,
    actor: Option<TimeActor>,
}

/// Who asks for a time-entry command, and whether they may manage other employees' time
/// (approve, send back, adjust, and log or change time on someone else's behalf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeActor {
    /// The acting employee.
    pub employee_id: EmployeeId,
    /// Whether they manage time.
    pub manages_time: bool,
}

impl TimeFacts {
    /// No facts.
    pub fn new() -> Self {
        Self::default()
    }
    /// An employee's status.
    pub fn with_employee(mut self, id: EmployeeId, status: EmployeeStatus) -> Self {
        self.employees.insert(id, status);
        self
    }
    /// A project's status.
    pub fn with_project(mut self, id: ProjectId, status: ProjectStatus) -> Self {
        self.projects.insert(id, status);
        self
    }
    /// A task of a project.
    pub fn with_task(mut self, project: ProjectId, task: TaskId) -> Self {
        self.tasks.insert((project, task));
        self
    }
    /// A ticket and its project.
    pub fn with_ticket(mut self, id: TicketId, project: Option<ProjectId>) -> Self {
        self.tickets.insert(id, project);
        self
    }
    /// The period lock: every date up to and including `through` is locked.
    pub fn with_locked_through(mut self, through: Option<NaiveDate>) -> Self {
        self.locked_through = through;
        self
    }
    /// The employee's total on `date`: every entry not discarded dated then plus every
    /// adjustment booked then (this entry's own share included).
    pub fn with_day_minutes(mut self, date: NaiveDate, minutes: i64) -> Self {
        self.day_minutes.insert(date, minutes);
        self
    }
    /// Who asks (without one — a system command — nobody's permission is checked).
    pub fn with_actor(mut self, employee_id: EmployeeId, manages_time: bool) -> Self {
        self.actor = Some(TimeActor {
            employee_id,
            manages_time,
        });
        self
    }
    /// The period lock.
    pub fn locked_through(&self) -> Option<NaiveDate> {
        self.locked_through
    }
    /// The employee's total on `date` as given (0 when not given).
    pub fn day_minutes(&self, date: NaiveDate) -> i64 {
        self.day_minutes.get(&date).copied().unwrap_or(0)
    }

    /// Staff log, revise, discard and submit only their own time; someone who manages time
    /// may do so for anyone.
    pub fn may_work_for(&self, employee: EmployeeId) -> Result<(), DomainError> {
        match self.actor {
            Some(a) if a.employee_id != employee && !a.manages_time => Err(DomainError::invariant(
                "only someone who manages time may log or change another employee's time",
            )),
            _ => Ok(()),
        }
    }

    /// Approving, sending back and adjusting are for those who manage time.
    fn may_manage(&self, what: &str) -> Result<(), DomainError> {
        match self.actor {
            Some(a) if !a.manages_time => Err(DomainError::invariant(format!(
                "only someone who manages time may {what} time entries"
            ))),
            _ => Ok(()),
        }
    }

    fn is_locked(&self, date: NaiveDate) -> bool {
        self.locked_through.is_some_and(|l| date <= l)
    }

    fn open(&self, date: NaiveDate, what: &str) -> Result<(), DomainError> {
        if self.is_locked(date) {
            return Err(DomainError::invariant(format!(
                "{date} is in a locked period: {what}"
            )));
        }
        Ok(())
    }

    fn active_employee(&self, id: EmployeeId) -> Result<(), DomainError> {
        match self.employees.get(&id) {
            Some(EmployeeStatus::Active) => Ok(()),
            Some(EmployeeStatus::Inactive) => Err(DomainError::invariant(format!(
                "employee {id} is inactive and cannot log time"
            ))),
            None => Err(DomainError::field("employee_id", "is not a known employee")),
        }
    }

    fn active_project(&self, id: ProjectId) -> Result<(), DomainError> {
        match self.projects.get(&id) {
            Some(ProjectStatus::Active) => Ok(()),
            Some(s) => Err(DomainError::invariant(format!(
                "project is {} and takes no time (only an active project does)",
                s.words()
            ))),
            None => Err(DomainError::field("project_id", "is not a known project")),
        }
    }

    /// The project `target` counts on; checks the target exists.
    fn project_of(&self, target: &WorkTarget) -> Result<Option<ProjectId>, DomainError> {
        match target {
            WorkTarget::Project {
                project_id,
                task_id,
            } => {
                if !self.projects.contains_key(project_id) {
                    return Err(DomainError::field("project_id", "is not a known project"));
                }
                if let Some(t) = task_id {
                    if !self.tasks.contains(&(*project_id, *t)) {
                        return Err(DomainError::field(
                            "task_id",
                            "is not a task of the project",
                        ));
                    }
                }
                Ok(Some(*project_id))
            }
            WorkTarget::Ticket { ticket_id } => self
                .tickets
                .get(ticket_id)
                .copied()
                .ok_or_else(|| DomainError::field("ticket_id", "is not a known ticket")),
        }
    }

    /// Checks the 24-hour rule: the day's total minus `old` (this entry's share now) plus
    /// `new` (its share after the command).
    fn within_day(&self, date: NaiveDate, old: i64, new: i64) -> Result<(), DomainError> {
        let total = self.day_minutes.get(&date).copied().unwrap_or(0) - old + new;
        if total > DAY_MINUTES {
            return Err(DomainError::invariant(format!(
                "{date} would have {total} minutes logged: at most 1440 (24 hours) per day"
            )));
        }
        Ok(())
    }
}

/// Input of [`TimeEntryCommand::Create`] and (without id and employee) of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInput {
    /// What the time was spent on.
    pub target: WorkTarget,
    /// The role worked in.
    pub role: Option<Name>,
    /// The day.
    pub work_date: NaiveDate,
    /// Minutes.
    pub minutes: EntryMinutes,
    /// Billable.
    pub billable: bool,
    /// Note.
    pub note: Note,
}

/// What can be asked of a time entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeEntryCommand {
    /// Logs a draft entry.
    Create {
        /// Its id, generated by the caller.
        id: TimeEntryId,
        /// Whose time.
        employee_id: EmployeeId,
        /// The content.
        input: EntryInput,
    },
    /// Replaces a draft's content.
    Revise(EntryInput),
    /// Throws a draft away.
    Discard,
    /// `draft → submitted`.
    Submit,
    /// `submitted → approved`.
    Approve,
    /// `submitted → draft`, with a reason.
    SendBack {
        /// Why.
        reason: Text,
    },
    /// Corrects a submitted or approved entry.
    Adjust {
        /// Its id, generated by the caller.
        adjustment_id: AdjustmentId,
        /// Signed minutes.
        minutes: SignedMinutes,
        /// The open date it is booked on.
        work_date: NaiveDate,
        /// Why.
        reason: Text,
        /// Who adjusts (the actor).
        adjusted_by: EmployeeId,
    },
}

/// Payload of `time_entry.drafted` and `time_entry.revised`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// No `deny_unknown_fields`: serde cannot combine it with a flattened field.
pub struct TimeEntryDrafted {
    /// The entry.
    pub entry_id: TimeEntryId,
    /// Whose time.
    pub employee_id: EmployeeId,
    /// The content.
    #[serde(flatten)]
    pub content: EntryContent,
}

/// Payload of `time_entry.submitted`, `time_entry.approved` and `time_entry.discarded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryMoved {
    /// The entry.
    pub entry_id: TimeEntryId,
    /// Whose time.
    pub employee_id: EmployeeId,
    /// The project it counts on.
    pub project_id: Option<ProjectId>,
    /// The role.
    pub role: Option<Name>,
    /// The day.
    pub work_date: NaiveDate,
    /// Its minutes with every adjustment so far.
    pub minutes: i64,
}

/// Payload of `time_entry.sent_back`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeEntrySentBack {
    /// The entry.
    pub entry_id: TimeEntryId,
    /// Whose time.
    pub employee_id: EmployeeId,
    /// Why.
    pub reason: Text,
}

/// Payload of `time_entry.adjusted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryAdjusted {
    /// The entry.
    pub entry_id: TimeEntryId,
    /// Whose time.
    pub employee_id: EmployeeId,
    /// The adjustment.
    pub adjustment_id: AdjustmentId,
    /// The project the entry counts on.
    pub project_id: Option<ProjectId>,
    /// The entry's role.
    pub role: Option<Name>,
    /// Signed minutes.
    pub minutes: i64,
    /// The date it is booked on.
    pub work_date: NaiveDate,
    /// Why.
    pub reason: Text,
    /// Who made it.
    pub adjusted_by: EmployeeId,
    /// Whether the entry was approved (the adjustment counts as delivered at once).
    pub entry_approved: bool,
}

domain_events! {
    /// Facts about a time entry.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TimeEntryEvent {
        /// `time_entry.drafted`
        Drafted(TimeEntryDrafted) = "time_entry.drafted",
        /// `time_entry.revised`
        Revised(TimeEntryDrafted) = "time_entry.revised",
        /// `time_entry.discarded`
        Discarded(TimeEntryMoved) = "time_entry.discarded",
        /// `time_entry.submitted`
        Submitted(TimeEntryMoved) = "time_entry.submitted",
        /// `time_entry.approved`
        Approved(TimeEntryMoved) = "time_entry.approved",
        /// `time_entry.sent_back`
        SentBack(TimeEntrySentBack) = "time_entry.sent_back",
        /// `time_entry.adjusted`
        Adjusted(TimeEntryAdjusted) = "time_entry.adjusted",
    }
}

impl TimeEntryEvent {
    /// The entry the event is about.
    pub fn entry_id(&self) -> TimeEntryId {
        match self {
            Self::Drafted(p) | Self::Revised(p) => p.entry_id,
            Self::Discarded(p) | Self::Submitted(p) | Self::Approved(p) => p.entry_id,
            Self::SentBack(p) => p.entry_id,
            Self::Adjusted(p) => p.entry_id,
        }
    }
}

impl AggregateEvent for TimeEntryEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.entry_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::TimeEntry, self.entry_id().as_uuid())
    }
}

/// Checks an entry's content and builds it: the target exists, its project (if any) is
/// active, the employee is active, the date is open and the day stays within 24 hours.
fn content_of(
    input: &EntryInput,
    employee: EmployeeId,
    old_share: i64,
    facts: &TimeFacts,
) -> Result<EntryContent, DomainError> {
    facts.active_employee(employee)?;
    let project_id = facts.project_of(&input.target)?;
    if let Some(p) = project_id {
        facts.active_project(p)?;
    }
    facts.open(input.work_date, "time cannot be logged there")?;
    facts.within_day(input.work_date, old_share, input.minutes.get())?;
    Ok(EntryContent {
        target: input.target,
        project_id,
        role: input.role.clone(),
        work_date: input.work_date,
        minutes: input.minutes,
        billable: input.billable,
        note: input.note.clone(),
    })
}

fn status_error(e: &TimeEntry, what: &str) -> DomainError {
    DomainError::invariant(format!("a {} entry cannot be {what}", e.0.status.as_str()))
}

/// Decides a command against the current state (`None`: not created yet).
///
/// Rules: minutes 1–1,440; at most 1,440 minutes per employee per day, adjustments
/// included; the employee is active when logging, revising or submitting; time goes only
/// on an active project (an adjustment that takes time off is always allowed); nothing
/// dated in a locked period changes (an adjustment is booked on an open date); only drafts
/// are revised, discarded or submitted; only submitted entries are approved or sent back
/// (with a reason); adjustments correct submitted or approved entries and never take an
/// entry below 0 minutes. With an actor in the facts: staff log, revise, discard and submit
/// only their own time, and only those who manage time approve, send back and adjust (or
/// act on another employee's time).
pub fn decide(
    state: Option<&TimeEntry>,
    cmd: &TimeEntryCommand,
    facts: &TimeFacts,
    _now: DateTime<Utc>,
) -> Result<Vec<TimeEntryEvent>, DomainError> {
    let e = match (state, cmd) {
        (
            None,
            TimeEntryCommand::Create {
                id,
                employee_id,
                input,
            },
        ) => {
            facts.may_work_for(*employee_id)?;
            let content = content_of(input, *employee_id, 0, facts)?;
            return Ok(vec![TimeEntryEvent::Drafted(TimeEntryDrafted {
                entry_id: *id,
                employee_id: *employee_id,
                content,
            })]);
        }
        (Some(e), TimeEntryCommand::Create { .. }) => {
            return Err(DomainError::invariant(format!(
                "time entry {} already exists",
                e.id()
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "time entry",
                id: "(not created)".into(),
            })
        }
        (Some(e), _) => e,
    };
    let s = &e.0;
    let moved = || TimeEntryMoved {
        entry_id: s.id,
        employee_id: s.employee_id,
        project_id: s.content.project_id,
        role: s.content.role.clone(),
        work_date: s.content.work_date,
        minutes: e.effective_minutes(),
    };
    let date = s.content.work_date;
    match cmd {
        TimeEntryCommand::Revise(_) | TimeEntryCommand::Discard | TimeEntryCommand::Submit => {
            facts.may_work_for(s.employee_id)?
        }
        TimeEntryCommand::Approve => facts.may_manage("approve")?,
        TimeEntryCommand::SendBack { .. } => facts.may_manage("send back")?,
        TimeEntryCommand::Adjust { .. } => facts.may_manage("adjust")?,
        TimeEntryCommand::Create { .. } => {}
    }
    match cmd {
        TimeEntryCommand::Create { .. } => Ok(vec![]),
        TimeEntryCommand::Revise(input) => {
            if s.status != EntryStatus::Draft {
                return Err(status_error(
                    e,
                    "revised (submitted time is corrected by an adjustment)",
                ));
            }
            facts.open(date, "the entry cannot be changed")?;
            // A draft sent back after adjustments keeps them: its minutes with them never go
            // below 0, and the new day's total counts them once.
            let adjusted: i64 = s.adjustments.iter().map(|a| a.minutes).sum();
            if input.minutes.get() + adjusted < 0 {
                return Err(DomainError::field(
                    "minutes",
                    format!(
                        "would take the entry below 0 minutes with its adjustments ({adjusted})"
                    ),
                ));
            }
            let adjusted_then: i64 = s
                .adjustments
                .iter()
                .filter(|a| a.work_date == input.work_date)
                .map(|a| a.minutes)
                .sum();
            let old_share = e.minutes_on(input.work_date) - adjusted_then;
            let content = content_of(input, s.employee_id, old_share, facts)?;
            if content == s.content {
                return Err(DomainError::invariant("the revision changes nothing"));
            }
            Ok(vec![TimeEntryEvent::Revised(TimeEntryDrafted {
                entry_id: s.id,
                employee_id: s.employee_id,
                content,
            })])
        }
        TimeEntryCommand::Discard => {
            if s.status != EntryStatus::Draft {
                return Err(status_error(e, "discarded"));
            }
            facts.open(date, "the entry cannot be changed")?;
            Ok(vec![TimeEntryEvent::Discarded(moved())])
        }
        TimeEntryCommand::Submit => {
            if s.status != EntryStatus::Draft {
                return Err(status_error(e, "submitted"));
            }
            facts.open(date, "the entry cannot be submitted")?;
            facts.active_employee(s.employee_id)?;
            if let Some(p) = s.content.project_id {
                facts.active_project(p)?;
            }
            Ok(vec![TimeEntryEvent::Submitted(moved())])
        }
        TimeEntryCommand::Approve => {
            if s.status != EntryStatus::Submitted {
                return Err(status_error(e, "approved"));
            }
            facts.open(date, "the entry cannot be approved")?;
            Ok(vec![TimeEntryEvent::Approved(moved())])
        }
        TimeEntryCommand::SendBack { reason } => {
            if s.status != EntryStatus::Submitted {
                return Err(status_error(e, "sent back"));
            }
            facts.open(date, "the entry cannot be sent back")?;
            Ok(vec![TimeEntryEvent::SentBack(TimeEntrySentBack {
                entry_id: s.id,
                employee_id: s.employee_id,
                reason: reason.clone(),
            })])
        }
        TimeEntryCommand::Adjust {
            adjustment_id,
            minutes,
            work_date,
            reason,
            adjusted_by,
        } => {
            if !matches!(s.status, EntryStatus::Submitted | EntryStatus::Approved) {
                return Err(status_error(
                    e,
                    "adjusted (only submitted or approved entries are; revise a draft)",
                ));
            }
            if s.adjustments.iter().any(|a| a.id == *adjustment_id) {
                return Err(DomainError::invariant(format!(
                    "adjustment {adjustment_id} already exists"
                )));
            }
            facts.open(
                *work_date,
                "book the adjustment on a date in an open period",
            )?;
            let m = minutes.get();
            if e.effective_minutes() + m < 0 {
                return Err(DomainError::field(
                    "minutes",
                    format!(
                        "would take the entry below 0 minutes (it has {})",
                        e.effective_minutes()
                    ),
                ));
            }
            if m > 0 {
                if let Some(p) = s.content.project_id {
                    facts.active_project(p)?;
                }
            }
            facts.within_day(*work_date, 0, m)?;
            Ok(vec![TimeEntryEvent::Adjusted(TimeEntryAdjusted {
                entry_id: s.id,
                employee_id: s.employee_id,
                adjustment_id: *adjustment_id,
                project_id: s.content.project_id,
                role: s.content.role.clone(),
                minutes: m,
                work_date: *work_date,
                reason: reason.clone(),
                adjusted_by: *adjusted_by,
                entry_approved: s.status == EntryStatus::Approved,
            })])
        }
    }
}

/// Folds one event into the state. Infallible; `None` only when a non-creation event
/// arrives before `time_entry.drafted`.
pub fn evolve(state: Option<TimeEntry>, ev: &TimeEntryEvent) -> Option<TimeEntry> {
    let mut e = match (state, ev) {
        (None, TimeEntryEvent::Drafted(p)) => {
            return Some(TimeEntry(TimeEntryState {
                id: p.entry_id,
                employee_id: p.employee_id,
                content: p.content.clone(),
                status: EntryStatus::Draft,
                sent_back_reason: None,
                adjustments: Vec::new(),
                version: 1,
            }))
        }
        (None, _) => return None,
        (Some(e), _) => e,
    };
    let s = &mut e.0;
    match ev {
        TimeEntryEvent::Drafted(_) => {}
        TimeEntryEvent::Revised(p) => s.content = p.content.clone(),
        TimeEntryEvent::Discarded(_) => s.status = EntryStatus::Discarded,
        TimeEntryEvent::Submitted(_) => {
            s.status = EntryStatus::Submitted;
            s.sent_back_reason = None;
        }
        TimeEntryEvent::Approved(_) => s.status = EntryStatus::Approved,
        TimeEntryEvent::SentBack(p) => {
            s.status = EntryStatus::Draft;
            s.sent_back_reason = Some(p.reason.clone());
        }
        TimeEntryEvent::Adjusted(p) => s.adjustments.push(Adjustment {
            id: p.adjustment_id,
            minutes: p.minutes,
            work_date: p.work_date,
            reason: p.reason.clone(),
            adjusted_by: p.adjusted_by,
        }),
    }
    s.version += 1;
    Some(e)
}

impl crate::aggregate::Aggregate for TimeEntry {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = TimeEntryCommand;
    type Event = TimeEntryEvent;
    type Facts = TimeFacts;

    fn version(&self) -> u64 {
        self.0.version
    }
    fn decide(
        state: Option<&Self>,
        cmd: &TimeEntryCommand,
        facts: &TimeFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<TimeEntryEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }
    fn evolve(state: Option<Self>, event: &TimeEntryEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregate;

    fn now() -> DateTime<Utc> {
        "2026-01-09T09:00:00Z".parse().unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn ana() -> EmployeeId {
        EmployeeId::from_uuid(Uuid::from_u128(1))
    }
    fn web() -> ProjectId {
        ProjectId::from_uuid(Uuid::from_u128(300))
    }
    fn facts() -> TimeFacts {
        TimeFacts::new()
            .with_employee(ana(), EmployeeStatus::Active)
            .with_project(web(), ProjectStatus::Active)
    }
    fn input(date: &str, minutes: i64) -> EntryInput {
        EntryInput {
            target: WorkTarget::Project {
                project_id: web(),
                task_id: None,
            },
            role: None,
            work_date: d(date),
            minutes: EntryMinutes::new(minutes).unwrap(),
            billable: true,
            note: Note::new("").unwrap(),
        }
    }
    fn create(date: &str, minutes: i64) -> TimeEntryCommand {
        TimeEntryCommand::Create {
            id: TimeEntryId::from_uuid(Uuid::from_u128(500)),
            employee_id: ana(),
            input: input(date, minutes),
        }
    }
    fn run(
        e: Option<TimeEntry>,
        c: &TimeEntryCommand,
        f: &TimeFacts,
    ) -> Result<TimeEntry, DomainError> {
        let evs = TimeEntry::decide(e.as_ref(), c, f, now())?;
        TimeEntry::evolve_all(e, &evs).ok_or_else(|| DomainError::invariant("none"))
    }
    fn adjust(minutes: i64, date: &str) -> TimeEntryCommand {
        TimeEntryCommand::Adjust {
            adjustment_id: AdjustmentId::from_uuid(Uuid::from_u128(minutes.unsigned_abs().into())),
            minutes: SignedMinutes::new(minutes).unwrap(),
            work_date: d(date),
            reason: Text::for_field("reason", "typo").unwrap(),
            adjusted_by: ana(),
        }
    }

    #[test]
    fn draft_submit_approve_and_adjust() {
        let e = run(None, &create("2026-01-05", 120), &facts()).unwrap();
        assert_eq!(e.status(), EntryStatus::Draft);
        assert!(decide(Some(&e), &TimeEntryCommand::Approve, &facts(), now()).is_err());
        assert!(
            decide(Some(&e), &adjust(30, "2026-01-05"), &facts(), now()).is_err(),
            "drafts are revised"
        );
        let e = run(Some(e), &TimeEntryCommand::Submit, &facts()).unwrap();
        assert!(
            decide(
                Some(&e),
                &TimeEntryCommand::Revise(input("2026-01-05", 60)),
                &facts(),
                now()
            )
            .is_err(),
            "submitted is immutable"
        );
        let e = run(Some(e), &TimeEntryCommand::Approve, &facts()).unwrap();
        let e = run(Some(e), &adjust(-30, "2026-01-09"), &facts()).unwrap();
        assert_eq!(e.effective_minutes(), 90);
        assert_eq!(e.minutes_on(d("2026-01-09")), -30);
        assert!(matches!(
            decide(Some(&e), &adjust(-91, "2026-01-09"), &facts(), now()),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn sent_back_entries_are_drafts_with_a_reason() {
        let e = run(None, &create("2026-01-05", 120), &facts()).unwrap();
        let e = run(Some(e), &TimeEntryCommand::Submit, &facts()).unwrap();
        let back = TimeEntryCommand::SendBack {
            reason: Text::for_field("reason", "wrong project").unwrap(),
        };
        let e = run(Some(e), &back, &facts()).unwrap();
        assert_eq!(e.status(), EntryStatus::Draft);
        assert_eq!(
            e.state().sent_back_reason.as_ref().map(Text::as_str),
            Some("wrong project")
        );
        let e = run(
            Some(e),
            &TimeEntryCommand::Revise(input("2026-01-06", 60)),
            &facts(),
        )
        .unwrap();
        assert_eq!(e.content().work_date, d("2026-01-06"));
    }

    #[test]
    fn the_day_holds_at_most_24_hours_adjustments_included() {
        let f = facts().with_day_minutes(d("2026-01-05"), 1400);
        assert!(matches!(
            decide(None, &create("2026-01-05", 41), &f, now()),
            Err(DomainError::Invariant(_))
        ));
        assert!(decide(None, &create("2026-01-05", 40), &f, now()).is_ok());
        // revising in place: its own 40 are part of the 1440 already
        let e = run(None, &create("2026-01-05", 40), &f).unwrap();
        let full = facts().with_day_minutes(d("2026-01-05"), 1440);
        assert!(decide(
            Some(&e),
            &TimeEntryCommand::Revise(input("2026-01-05", 30)),
            &full,
            now()
        )
        .is_ok());
        assert!(decide(
            Some(&e),
            &TimeEntryCommand::Revise(input("2026-01-05", 41)),
            &full,
            now()
        )
        .is_err());
        let e = run(Some(e), &TimeEntryCommand::Submit, &full).unwrap();
        assert!(decide(Some(&e), &adjust(1, "2026-01-05"), &full, now()).is_err());
        assert!(decide(Some(&e), &adjust(-1, "2026-01-05"), &full, now()).is_ok());
    }

    #[test]
    fn nothing_dated_in_a_locked_period_changes() {
        let e = run(None, &create("2026-01-05", 60), &facts()).unwrap();
        let locked = facts().with_locked_through(Some(d("2026-01-05")));
        for c in [
            TimeEntryCommand::Submit,
            TimeEntryCommand::Discard,
            TimeEntryCommand::Revise(input("2026-01-06", 60)),
        ] {
            assert!(
                matches!(
                    decide(Some(&e), &c, &locked, now()),
                    Err(DomainError::Invariant(_))
                ),
                "{c:?}"
            );
        }
        assert!(decide(None, &create("2026-01-04", 60), &locked, now()).is_err());
        let e = run(Some(e), &TimeEntryCommand::Submit, &facts()).unwrap();
        let e = run(Some(e), &TimeEntryCommand::Approve, &facts()).unwrap();
        assert!(decide(Some(&e), &adjust(30, "2026-01-05"), &locked, now()).is_err());
        assert!(
            decide(Some(&e), &adjust(30, "2026-01-06"), &locked, now()).is_ok(),
            "booked in the open period"
        );
    }

    #[test]
    fn time_goes_only_on_active_projects_by_active_employees() {
        let held = TimeFacts::new()
            .with_employee(ana(), EmployeeStatus::Active)
            .with_project(web(), ProjectStatus::OnHold);
        assert!(matches!(
            decide(None, &create("2026-01-05", 60), &held, now()),
            Err(DomainError::Invariant(_))
        ));
        let gone = TimeFacts::new()
            .with_employee(ana(), EmployeeStatus::Inactive)
            .with_project(web(), ProjectStatus::Active);
        assert!(matches!(
            decide(None, &create("2026-01-05", 60), &gone, now()),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            decide(
                None,
                &create("2026-01-05", 60),
                &TimeFacts::new().with_employee(ana(), EmployeeStatus::Active),
                now()
            ),
            Err(DomainError::Validation(_))
        ));
        // a ticket's time counts on its project
        let t = TicketId::from_uuid(Uuid::from_u128(77));
        let f = facts().with_ticket(t, Some(web()));
        let c = TimeEntryCommand::Create {
            id: TimeEntryId::from_uuid(Uuid::from_u128(501)),
            employee_id: ana(),
            input: EntryInput {
                target: WorkTarget::Ticket { ticket_id: t },
                ..input("2026-01-05", 15)
            },
        };
        let e = run(None, &c, &f).unwrap();
        assert_eq!(e.content().project_id, Some(web()));
    }

    #[test]
    fn staff_change_only_their_own_time_and_managers_approve() {
        let ben = EmployeeId::from_uuid(Uuid::from_u128(2));
        let f = |actor: EmployeeId, manages: bool| {
            facts()
                .with_employee(ben, EmployeeStatus::Active)
                .with_actor(actor, manages)
        };
        // Ben (staff) cannot log Ana's time; a manager can; Ana can.
        assert!(matches!(
            decide(None, &create("2026-01-05", 60), &f(ben, false), now()),
            Err(DomainError::Invariant(_))
        ));
        assert!(decide(None, &create("2026-01-05", 60), &f(ben, true), now()).is_ok());
        let e = run(None, &create("2026-01-05", 60), &f(ana(), false)).unwrap();
        for c in [
            TimeEntryCommand::Revise(input("2026-01-05", 90)),
            TimeEntryCommand::Discard,
            TimeEntryCommand::Submit,
        ] {
            assert!(
                matches!(
                    decide(Some(&e), &c, &f(ben, false), now()),
                    Err(DomainError::Invariant(_))
                ),
                "{c:?}"
            );
            assert!(
                decide(Some(&e), &c, &f(ana(), false), now()).is_ok(),
                "{c:?}"
            );
            assert!(decide(Some(&e), &c, &f(ben, true), now()).is_ok(), "{c:?}");
        }
        let e = run(Some(e), &TimeEntryCommand::Submit, &f(ana(), false)).unwrap();
        let back = TimeEntryCommand::SendBack {
            reason: Text::for_field("reason", "no").unwrap(),
        };
        for c in [TimeEntryCommand::Approve, back, adjust(10, "2026-01-06")] {
            // not even on their own entry without managing time
            assert!(
                matches!(
                    decide(Some(&e), &c, &f(ana(), false), now()),
                    Err(DomainError::Invariant(_))
                ),
                "{c:?}"
            );
            assert!(decide(Some(&e), &c, &f(ben, true), now()).is_ok(), "{c:?}");
        }
        // a system command (no actor) is not a person's: no permission to check
        assert!(decide(Some(&e), &TimeEntryCommand::Approve, &facts(), now()).is_ok());
    }

    #[test]
    fn a_revision_keeps_the_sent_back_reason_until_submitted() {
        let e = run(None, &create("2026-01-05", 120), &facts()).unwrap();
        let e = run(Some(e), &TimeEntryCommand::Submit, &facts()).unwrap();
        let back = TimeEntryCommand::SendBack {
            reason: Text::for_field("reason", "split it").unwrap(),
        };
        let e = run(Some(e), &back, &facts()).unwrap();
        let e = run(
            Some(e),
            &TimeEntryCommand::Revise(input("2026-01-05", 90)),
            &facts(),
        )
        .unwrap();
        assert_eq!(e.content().minutes.get(), 90);
        assert_eq!(
            e.state().sent_back_reason.as_ref().map(Text::as_str),
            Some("split it")
        );
        assert!(
            matches!(
                decide(
                    Some(&e),
                    &TimeEntryCommand::Revise(input("2026-01-05", 90)),
                    &facts(),
                    now()
                ),
                Err(DomainError::Invariant(_))
            ),
            "a revision that changes nothing is refused"
        );
        let e = run(Some(e), &TimeEntryCommand::Submit, &facts()).unwrap();
        assert_eq!(e.state().sent_back_reason, None);
    }

    #[test]
    fn a_sent_back_draft_with_adjustments_stays_at_or_above_0_minutes() {
        // regression: the delivery state machine found a sent-back entry revised below its
        // negative adjustment
        let e = run(None, &create("2026-01-05", 120), &facts()).unwrap();
        let e = run(Some(e), &TimeEntryCommand::Submit, &facts()).unwrap();
        let e = run(Some(e), &adjust(-100, "2026-01-06"), &facts()).unwrap();
        let back = TimeEntryCommand::SendBack {
            reason: Text::for_field("reason", "redo").unwrap(),
        };
        let e = run(Some(e), &back, &facts()).unwrap();
        assert!(matches!(
            decide(
                Some(&e),
                &TimeEntryCommand::Revise(input("2026-01-05", 99)),
                &facts(),
                now()
            ),
            Err(DomainError::Validation(_))
        ));
        let e = run(
            Some(e),
            &TimeEntryCommand::Revise(input("2026-01-05", 100)),
            &facts(),
        )
        .unwrap();
        assert_eq!(e.effective_minutes(), 0);
    }
}
