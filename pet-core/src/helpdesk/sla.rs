//! SLA definitions with immutable numbered versions (aggregate `sla_definition`) and the
//! per-ticket SLA assignment (aggregate `sla_assignment`) that pins a ticket to the version
//! in force when it was assigned and records pauses, warnings, breaches and met targets.
//!
//! A version's content is an [`SlaSpec`]: per priority a first-response and a resolution
//! target in business minutes, a [`BusinessCalendar`], the statuses that pause the clock,
//! a warning threshold and the priorities that run 24/7. Publishing an edit creates
//! version n+1; existing versions never change, so assigned tickets keep their rules.

use crate::aggregate::domain_events;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::{BusinessCalendar, CalendarInput};
use super::clock::{SlaClockReading, SlaState, SlaTarget, TargetReading};
use super::ids::{SlaDefinitionId, SlaVersionNumber, TicketId};
use super::values::{Priority, TicketStatus};
use crate::error::{DomainError, FieldErrors};
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::Name;

/// A target in business minutes: 1 to 1,000,000 (about two years of 24/7 time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusinessMinutes(u32);

impl BusinessMinutes {
    /// Largest accepted target.
    pub const MAX: u32 = 1_000_000;

    /// Validates `1 ≤ minutes ≤ MAX` given as input `field`.
    pub fn new(field: &str, minutes: i64) -> Result<Self, DomainError> {
        match u32::try_from(minutes) {
            Ok(m) if (1..=Self::MAX).contains(&m) => Ok(Self(m)),
            _ if minutes <= 0 => Err(DomainError::field(
                field,
                "must be a positive number of business minutes",
            )),
            _ => Err(DomainError::field(
                field,
                format!("must be at most {} minutes", Self::MAX),
            )),
        }
    }

    /// The minutes.
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// The two targets of one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Targets {
    /// Time to the first customer-visible reply by an employee.
    pub first_response: BusinessMinutes,
    /// Time to resolution.
    pub resolution: BusinessMinutes,
}

/// Input and stored shape of [`Targets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsInput {
    /// Business minutes to the first response (> 0).
    pub first_response_minutes: i64,
    /// Business minutes to resolution (> 0, not less than the first response).
    pub resolution_minutes: i64,
}

/// Input and stored shape of an [`SlaSpec`] (also the `spec` of
/// `sla_definition.version_published`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaSpecInput {
    /// The business calendar.
    pub calendar: CalendarInput,
    /// Targets keyed by priority (`low`, `normal`, `high`, `urgent`); all four required.
    pub targets: BTreeMap<String, TargetsInput>,
    /// Statuses during which the clock does not run (`new`, `open`, `waiting_on_customer`).
    #[serde(default)]
    pub pause_statuses: Vec<String>,
    /// Warn when this percentage of a target is used (1–99).
    pub warning_percent: i64,
    /// Priorities whose clocks run 24/7, ignoring the calendar.
    #[serde(default)]
    pub always_on: Vec<String>,
}

/// The validated content of one SLA definition version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SlaSpecInput", into = "SlaSpecInput")]
pub struct SlaSpec {
    calendar: BusinessCalendar,
    targets: [Targets; 4],
    pause_statuses: BTreeSet<TicketStatus>,
    warning_percent: u8,
    always_on: BTreeSet<Priority>,
}

fn priority_index(p: Priority) -> usize {
    match p {
        Priority::Low => 0,
        Priority::Normal => 1,
        Priority::High => 2,
        Priority::Urgent => 3,
    }
}

fn collect(errors: &mut FieldErrors, r: Result<(), DomainError>) {
    if let Err(DomainError::Validation(e)) = r {
        for (k, v) in e.iter() {
            errors.add(k, v);
        }
    }
}

impl SlaSpec {
    /// Validates raw input, reporting every bad field at once: unknown timezone,
    /// overlapping or inverted working hours, a week without hours, bad holidays, missing
    /// or unknown priorities, zero or negative targets, a first response target above the
    /// resolution target, unknown or final pause statuses, a warning percentage outside
    /// 1–99, unknown 24/7 priorities.
    pub fn parse(input: &SlaSpecInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let calendar = BusinessCalendar::parse(&input.calendar, "calendar.", &mut errors);
        let mut targets: [Option<Targets>; 4] = [None; 4];
        for key in input.targets.keys() {
            if Priority::parse(key).is_err() {
                errors.add(
                    format!("targets.{key}"),
                    "is not a priority (low, normal, high, urgent)",
                );
            }
        }
        for p in Priority::ALL {
            let field = format!("targets.{p}");
            let Some(t) = input.targets.get(p.as_str()) else {
                errors.add(field, "is missing");
                continue;
            };
            let fr = BusinessMinutes::new(
                &format!("{field}.first_response_minutes"),
                t.first_response_minutes,
            );
            let res =
                BusinessMinutes::new(&format!("{field}.resolution_minutes"), t.resolution_minutes);
            match (fr, res) {
                (Ok(fr), Ok(res)) if fr > res => errors.add(
                    format!("{field}.first_response_minutes"),
                    "must not exceed the resolution target",
                ),
                (Ok(first_response), Ok(resolution)) => {
                    targets[priority_index(*p)] = Some(Targets {
                        first_response,
                        resolution,
                    })
                }
                (fr, res) => {
                    collect(&mut errors, fr.map(|_| ()));
                    collect(&mut errors, res.map(|_| ()));
                }
            }
        }
        let mut pause_statuses = BTreeSet::new();
        for (i, s) in input.pause_statuses.iter().enumerate() {
            let field = format!("pause_statuses[{i}]");
            match TicketStatus::parse_field(&field, s) {
                Ok(s) if s.is_done() => errors.add(
                    field,
                    "resolved and closed tickets stop the clock; they cannot pause it",
                ),
                Ok(s) => {
                    pause_statuses.insert(s);
                }
                Err(e) => collect(&mut errors, Err(e)),
            }
        }
        let warning_percent = match u8::try_from(input.warning_percent) {
            Ok(w) if (1..=99).contains(&w) => w,
            _ => {
                errors.add("warning_percent", "must be between 1 and 99");
                0
            }
        };
        let mut always_on = BTreeSet::new();
        for (i, s) in input.always_on.iter().enumerate() {
            match Priority::parse_field(&format!("always_on[{i}]"), s) {
                Ok(p) => {
                    always_on.insert(p);
                }
                Err(e) => collect(&mut errors, Err(e)),
            }
        }
        errors.into_result()?;
        let (Some(calendar), [Some(a), Some(b), Some(c), Some(d)]) = (calendar, targets) else {
            return Err(DomainError::invariant("SLA specification is incomplete"));
        };
        Ok(SlaSpec {
            calendar,
            targets: [a, b, c, d],
            pause_statuses,
            warning_percent,
            always_on,
        })
    }

    /// The input shape (what [`SlaSpec::parse`] accepts back; also the stored form).
    pub fn to_input(&self) -> SlaSpecInput {
        SlaSpecInput {
            calendar: self.calendar.to_input(),
            targets: Priority::ALL
                .iter()
                .map(|p| {
                    let t = self.targets(*p);
                    (
                        p.as_str().to_owned(),
                        TargetsInput {
                            first_response_minutes: i64::from(t.first_response.get()),
                            resolution_minutes: i64::from(t.resolution.get()),
                        },
                    )
                })
                .collect(),
            pause_statuses: self
                .pause_statuses
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            warning_percent: i64::from(self.warning_percent),
            always_on: self
                .always_on
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
        }
    }

    /// The business calendar.
    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }
    /// The targets of a priority.
    pub fn targets(&self, p: Priority) -> Targets {
        self.targets[priority_index(p)]
    }
    /// The target of one kind for a priority, in minutes.
    pub fn target_minutes(&self, p: Priority, target: SlaTarget) -> u32 {
        let t = self.targets(p);
        match target {
            SlaTarget::FirstResponse => t.first_response.get(),
            SlaTarget::Resolution => t.resolution.get(),
        }
    }
    /// Whether the clock does not run in `status`.
    pub fn pauses(&self, status: TicketStatus) -> bool {
        self.pause_statuses.contains(&status)
    }
    /// The pause statuses.
    pub fn pause_statuses(&self) -> &BTreeSet<TicketStatus> {
        &self.pause_statuses
    }
    /// The warning threshold in percent (1–99).
    pub fn warning_percent(&self) -> u8 {
        self.warning_percent
    }
    /// Whether a priority runs 24/7.
    pub fn is_always_on(&self, p: Priority) -> bool {
        self.always_on.contains(&p)
    }
}

impl TryFrom<SlaSpecInput> for SlaSpec {
    type Error = DomainError;
    fn try_from(input: SlaSpecInput) -> Result<Self, Self::Error> {
        Self::parse(&input)
    }
}

impl From<SlaSpec> for SlaSpecInput {
    fn from(s: SlaSpec) -> SlaSpecInput {
        s.to_input()
    }
}

// ---------------------------------------------------------------------------------------
// SLA definitions

/// The aggregate type of SLA definitions.
pub const DEFINITION_AGGREGATE_TYPE: &str = "sla_definition";

/// One immutable version of a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaVersion {
    /// Its number.
    pub number: SlaVersionNumber,
    /// Its content.
    pub spec: SlaSpec,
}

/// The current state of an SLA definition: its name and every version ever published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaDefinition {
    id: SlaDefinitionId,
    name: Name,
    versions: Vec<SlaVersion>,
    version: u64,
}

impl SlaDefinition {
    /// The commands a definition takes (what the SLA screen offers): `publish` a new
    /// version (with content other than the current version's). A definition has no status:
    /// it is never archived, so it always takes them.
    pub const ACTIONS: &'static [&'static str] = &["publish"];

    /// Rebuilds the state from stored rows (versions in any order).
    pub fn restore(
        id: SlaDefinitionId,
        name: Name,
        mut versions: Vec<SlaVersion>,
        version: u64,
    ) -> Self {
        versions.sort_by_key(|v| v.number);
        SlaDefinition {
            id,
            name,
            versions,
            version,
        }
    }
    /// The id.
    pub fn id(&self) -> SlaDefinitionId {
        self.id
    }
    /// The name.
    pub fn name(&self) -> &Name {
        &self.name
    }
    /// Every version, oldest first.
    pub fn versions(&self) -> &[SlaVersion] {
        &self.versions
    }
    /// The version in force (the latest published).
    pub fn current(&self) -> Option<&SlaVersion> {
        self.versions.last()
    }
    /// One version by number.
    pub fn get(&self, number: SlaVersionNumber) -> Option<&SlaVersion> {
        self.versions.iter().find(|v| v.number == number)
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// What can be asked of an SLA definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaDefinitionCommand {
    /// Creates the definition and publishes version 1.
    Create {
        /// The id, generated by the caller.
        id: SlaDefinitionId,
        /// Name, e.g. `Standard support`.
        name: Name,
        /// Content of version 1.
        spec: SlaSpec,
    },
    /// Publishes an edit as the next version (must differ from the current one).
    Publish {
        /// The new content.
        spec: SlaSpec,
    },
}

/// Payload of `sla_definition.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaDefinitionCreated {
    /// The definition.
    pub definition_id: SlaDefinitionId,
    /// Its name.
    pub name: Name,
}

/// Payload of `sla_definition.version_published`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaVersionPublished {
    /// The definition.
    pub definition_id: SlaDefinitionId,
    /// The new version's number.
    pub number: SlaVersionNumber,
    /// Its content.
    pub spec: SlaSpec,
}

domain_events! {
    /// Facts about an SLA definition.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SlaDefinitionEvent {
        /// `sla_definition.created`
        Created(SlaDefinitionCreated) = "sla_definition.created",
        /// `sla_definition.version_published` (boxed: a spec is large)
        VersionPublished(Box<SlaVersionPublished>) = "sla_definition.version_published",
    }
}

impl SlaDefinitionEvent {
    /// The definition the event is about.
    pub fn definition_id(&self) -> SlaDefinitionId {
        match self {
            Self::Created(p) => p.definition_id,
            Self::VersionPublished(p) => p.definition_id,
        }
    }
}

impl AggregateEvent for SlaDefinitionEvent {
    fn aggregate_type(&self) -> &'static str {
        DEFINITION_AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.definition_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::SlaDefinition, self.definition_id().as_uuid())
    }
}

/// Decides a command against the current state (`None`: not created yet). Publishing
/// content identical to the current version is refused.
pub fn decide_definition(
    state: Option<&SlaDefinition>,
    cmd: &SlaDefinitionCommand,
    _now: DateTime<Utc>,
) -> Result<Vec<SlaDefinitionEvent>, DomainError> {
    match (state, cmd) {
        (None, SlaDefinitionCommand::Create { id, name, spec }) => Ok(vec![
            SlaDefinitionEvent::Created(SlaDefinitionCreated {
                definition_id: *id,
                name: name.clone(),
            }),
            SlaDefinitionEvent::VersionPublished(Box::new(SlaVersionPublished {
                definition_id: *id,
                number: SlaVersionNumber::FIRST,
                spec: spec.clone(),
            })),
        ]),
        (Some(d), SlaDefinitionCommand::Create { .. }) => Err(DomainError::invariant(format!(
            "SLA definition {} already exists",
            d.id
        ))),
        (None, SlaDefinitionCommand::Publish { .. }) => Err(DomainError::NotFound {
            entity: "SLA definition",
            id: "(not created)".into(),
        }),
        (Some(d), SlaDefinitionCommand::Publish { spec }) => {
            let current = d.current();
            if current.is_some_and(|c| c.spec == *spec) {
                return Err(DomainError::invariant(
                    "nothing changed: the content equals the current version",
                ));
            }
            Ok(vec![SlaDefinitionEvent::VersionPublished(Box::new(
                SlaVersionPublished {
                    definition_id: d.id,
                    number: SlaVersionNumber::next_after(current.map(|c| c.number))?,
                    spec: spec.clone(),
                },
            ))])
        }
    }
}

/// Folds one event into the state (`None` only for a stream not starting with creation).
pub fn evolve_definition(
    state: Option<SlaDefinition>,
    ev: &SlaDefinitionEvent,
) -> Option<SlaDefinition> {
    let mut d = match (state, ev) {
        (None, SlaDefinitionEvent::Created(p)) => {
            return Some(SlaDefinition {
                id: p.definition_id,
                name: p.name.clone(),
                versions: Vec::new(),
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(d), _) => d,
    };
    match ev {
        SlaDefinitionEvent::Created(_) => {}
        SlaDefinitionEvent::VersionPublished(p) => d.versions.push(SlaVersion {
            number: p.number,
            spec: p.spec.clone(),
        }),
    }
    d.version += 1;
    Some(d)
}

/// Folds a whole stream into the current state.
pub fn replay_definition<'a>(
    events: impl IntoIterator<Item = &'a SlaDefinitionEvent>,
) -> Option<SlaDefinition> {
    events.into_iter().fold(None, evolve_definition)
}

// ---------------------------------------------------------------------------------------
// SLA assignments

/// The aggregate type of SLA assignments (one per ticket; its id is the ticket id).
pub const ASSIGNMENT_AGGREGATE_TYPE: &str = "sla_assignment";

/// Which outcomes of one target were already recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedMarks {
    /// `sla.warning` recorded.
    pub warning: bool,
    /// `sla.breached` recorded (final).
    pub breached: bool,
    /// `sla.met` recorded (final).
    pub met: bool,
}

impl RecordedMarks {
    /// Breached or met: nothing more is recorded for this target.
    pub fn is_final(&self) -> bool {
        self.breached || self.met
    }
}

/// The recorded outcomes of both targets of a ticket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedSla {
    /// First response.
    pub first_response: RecordedMarks,
    /// Resolution.
    pub resolution: RecordedMarks,
}

impl RecordedSla {
    /// The marks of one target.
    pub fn of(&self, t: SlaTarget) -> RecordedMarks {
        match t {
            SlaTarget::FirstResponse => self.first_response,
            SlaTarget::Resolution => self.resolution,
        }
    }
    fn of_mut(&mut self, t: SlaTarget) -> &mut RecordedMarks {
        match t {
            SlaTarget::FirstResponse => &mut self.first_response,
            SlaTarget::Resolution => &mut self.resolution,
        }
    }
}

/// The SLA of one ticket: the pinned definition version and what was recorded so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaAssignment {
    ticket_id: TicketId,
    definition_id: SlaDefinitionId,
    definition_version: SlaVersionNumber,
    paused: bool,
    recorded: RecordedSla,
    version: u64,
}

impl SlaAssignment {
    /// Rebuilds the state from a stored row.
    pub fn restore(
        ticket_id: TicketId,
        definition_id: SlaDefinitionId,
        definition_version: SlaVersionNumber,
        paused: bool,
        recorded: RecordedSla,
        version: u64,
    ) -> Self {
        SlaAssignment {
            ticket_id,
            definition_id,
            definition_version,
            paused,
            recorded,
            version,
        }
    }
    /// The ticket.
    pub fn ticket_id(&self) -> TicketId {
        self.ticket_id
    }
    /// The pinned definition.
    pub fn definition_id(&self) -> SlaDefinitionId {
        self.definition_id
    }
    /// The pinned version.
    pub fn definition_version(&self) -> SlaVersionNumber {
        self.definition_version
    }
    /// Whether the clock is paused (the ticket is in a pause status).
    pub fn is_paused(&self) -> bool {
        self.paused
    }
    /// What was recorded.
    pub fn recorded(&self) -> RecordedSla {
        self.recorded
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// What can be asked of a ticket's SLA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaAssignmentCommand {
    /// Pins the ticket to a definition version; build it with [`SlaAssignmentCommand::assign`]
    /// so it is the version in force.
    Assign {
        /// The ticket.
        ticket_id: TicketId,
        /// The definition.
        definition_id: SlaDefinitionId,
        /// The version in force now.
        definition_version: SlaVersionNumber,
    },
    /// The ticket moved to `status`: records `sla.paused` / `sla.resumed` when that enters
    /// or leaves a pause status of the pinned version `spec`.
    TrackStatus {
        /// The ticket's new status.
        status: TicketStatus,
        /// The pinned version's content.
        spec: SlaSpec,
    },
    /// The SLA job's evaluation: records what [`super::clock::marks_to_record`] says.
    Record {
        /// The clock evaluated at the job's `now`.
        reading: SlaClockReading,
    },
}

impl SlaAssignmentCommand {
    /// Assigns `definition`'s version in force to a ticket; refused when it has none.
    pub fn assign(ticket_id: TicketId, definition: &SlaDefinition) -> Result<Self, DomainError> {
        let current = definition
            .current()
            .ok_or_else(|| DomainError::invariant("SLA definition has no published version"))?;
        Ok(SlaAssignmentCommand::Assign {
            ticket_id,
            definition_id: definition.id,
            definition_version: current.number,
        })
    }
}

/// Payload of `sla.assigned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaAssigned {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The definition.
    pub definition_id: SlaDefinitionId,
    /// The pinned version.
    pub definition_version: SlaVersionNumber,
}

/// Payload of `sla.paused` and `sla.resumed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaClockToggled {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The status that paused or resumed the clock.
    pub status: TicketStatus,
}

/// Payload of `sla.warning`, `sla.breached` and `sla.met`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaOutcome {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Which target.
    pub target: SlaTarget,
    /// The pinned definition.
    pub definition_id: SlaDefinitionId,
    /// The pinned version.
    pub definition_version: SlaVersionNumber,
    /// Business minutes used when the SLA job evaluated the clock (a late job sees more
    /// than the threshold or the target; `reached_at` says when that was crossed).
    pub elapsed_minutes: i64,
    /// The target in business minutes.
    pub target_minutes: u32,
    /// When the threshold (warning) or the target (breach) was reached; `null` for met.
    pub reached_at: Option<DateTime<Utc>>,
}

domain_events! {
    /// Facts about a ticket's SLA.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SlaEvent {
        /// `sla.assigned`
        Assigned(SlaAssigned) = "sla.assigned",
        /// `sla.paused`
        Paused(SlaClockToggled) = "sla.paused",
        /// `sla.resumed`
        Resumed(SlaClockToggled) = "sla.resumed",
        /// `sla.warning`
        Warning(SlaOutcome) = "sla.warning",
        /// `sla.breached`
        Breached(SlaOutcome) = "sla.breached",
        /// `sla.met`
        Met(SlaOutcome) = "sla.met",
    }
}

impl SlaEvent {
    /// The ticket the event is about.
    pub fn ticket_id(&self) -> TicketId {
        match self {
            Self::Assigned(p) => p.ticket_id,
            Self::Paused(p) | Self::Resumed(p) => p.ticket_id,
            Self::Warning(p) | Self::Breached(p) | Self::Met(p) => p.ticket_id,
        }
    }
}

impl AggregateEvent for SlaEvent {
    fn aggregate_type(&self) -> &'static str {
        ASSIGNMENT_AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.ticket_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Ticket, self.ticket_id().as_uuid())
    }
}

fn outcome(a: &SlaAssignment, r: &TargetReading, reached_at: Option<DateTime<Utc>>) -> SlaOutcome {
    SlaOutcome {
        ticket_id: a.ticket_id,
        target: r.target,
        definition_id: a.definition_id,
        definition_version: a.definition_version,
        elapsed_minutes: r.elapsed_minutes(),
        target_minutes: r.target_minutes,
        reached_at,
    }
}

/// Decides a command against a ticket's SLA (`None`: not assigned yet).
///
/// Rules: assigned once; pause/resume only on a change of pausing; the job's `Record`
/// emits each of `sla.warning`, `sla.breached`, `sla.met` at most once per target, and
/// nothing after a target's breach or met is recorded. A command with nothing to record
/// returns no events (not an error: the job runs every minute).
pub fn decide_assignment(
    state: Option<&SlaAssignment>,
    cmd: &SlaAssignmentCommand,
    _now: DateTime<Utc>,
) -> Result<Vec<SlaEvent>, DomainError> {
    let a = match (state, cmd) {
        (
            None,
            SlaAssignmentCommand::Assign {
                ticket_id,
                definition_id,
                definition_version,
            },
        ) => {
            return Ok(vec![SlaEvent::Assigned(SlaAssigned {
                ticket_id: *ticket_id,
                definition_id: *definition_id,
                definition_version: *definition_version,
            })])
        }
        (Some(a), SlaAssignmentCommand::Assign { .. }) => {
            return Err(DomainError::invariant(format!(
                "ticket {} already has an SLA (definition {} version {})",
                a.ticket_id, a.definition_id, a.definition_version
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "SLA assignment",
                id: "(not assigned)".into(),
            })
        }
        (Some(a), _) => a,
    };
    match cmd {
        SlaAssignmentCommand::Assign { .. } => Ok(vec![]),
        SlaAssignmentCommand::TrackStatus { status, spec } => {
            let pauses = spec.pauses(*status);
            let p = SlaClockToggled {
                ticket_id: a.ticket_id,
                status: *status,
            };
            Ok(match (a.paused, pauses) {
                (false, true) => vec![SlaEvent::Paused(p)],
                (true, false) => vec![SlaEvent::Resumed(p)],
                _ => vec![],
            })
        }
        SlaAssignmentCommand::Record { reading } => {
            Ok(super::clock::marks_to_record(reading, &a.recorded)
                .into_iter()
                .map(|m| {
                    let r = reading.of(m.target);
                    match m.state {
                        SlaState::Warning => SlaEvent::Warning(outcome(a, r, r.warning_at)),
                        SlaState::Breached => SlaEvent::Breached(outcome(a, r, r.breached_at)),
                        _ => SlaEvent::Met(outcome(a, r, None)),
                    }
                })
                .collect())
        }
    }
}

/// Folds one event into the state (`None` only for a stream not starting with `sla.assigned`).
pub fn evolve_assignment(state: Option<SlaAssignment>, ev: &SlaEvent) -> Option<SlaAssignment> {
    let mut a = match (state, ev) {
        (None, SlaEvent::Assigned(p)) => {
            return Some(SlaAssignment {
                ticket_id: p.ticket_id,
                definition_id: p.definition_id,
                definition_version: p.definition_version,
                paused: false,
                recorded: RecordedSla::default(),
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(a), _) => a,
    };
    match ev {
        SlaEvent::Assigned(_) => {}
        SlaEvent::Paused(_) => a.paused = true,
        SlaEvent::Resumed(_) => a.paused = false,
        SlaEvent::Warning(p) => a.recorded.of_mut(p.target).warning = true,
        SlaEvent::Breached(p) => a.recorded.of_mut(p.target).breached = true,
        SlaEvent::Met(p) => a.recorded.of_mut(p.target).met = true,
    }
    a.version += 1;
    Some(a)
}

/// Folds a whole stream into the current state.
pub fn replay_assignment<'a>(
    events: impl IntoIterator<Item = &'a SlaEvent>,
) -> Option<SlaAssignment> {
    events.into_iter().fold(None, evolve_assignment)
}

impl crate::aggregate::Aggregate for SlaDefinition {
    const TYPE: &'static str = DEFINITION_AGGREGATE_TYPE;
    type Command = SlaDefinitionCommand;
    type Event = SlaDefinitionEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &SlaDefinitionCommand,
        _facts: &(),
        now: DateTime<Utc>,
    ) -> Result<Vec<SlaDefinitionEvent>, DomainError> {
        decide_definition(state, cmd, now)
    }

    fn evolve(state: Option<Self>, event: &SlaDefinitionEvent) -> Option<Self> {
        evolve_definition(state, event)
    }
}

impl crate::aggregate::Aggregate for SlaAssignment {
    const TYPE: &'static str = ASSIGNMENT_AGGREGATE_TYPE;
    type Command = SlaAssignmentCommand;
    type Event = SlaEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &SlaAssignmentCommand,
        _facts: &(),
        now: DateTime<Utc>,
    ) -> Result<Vec<SlaEvent>, DomainError> {
        decide_assignment(state, cmd, now)
    }

    fn evolve(state: Option<Self>, event: &SlaEvent) -> Option<Self> {
        evolve_assignment(state, event)
    }
}

/// The values an SLA spec is made of, for an editor to offer: the priorities that have
/// targets (and may run 24/7), the weekdays of the working hours, and the statuses that may
/// pause the clock (resolved and closed stop it instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaSpecOptions {
    /// Every priority, lowest first.
    pub priorities: Vec<Priority>,
    /// `mon` … `sun`.
    pub weekdays: Vec<&'static str>,
    /// The statuses [`SlaSpec::parse`] accepts in `pause_statuses`.
    pub pause_statuses: Vec<TicketStatus>,
}

impl SlaSpecOptions {
    /// The options (fixed by the rules of [`SlaSpec::parse`]).
    pub fn get() -> Self {
        Self {
            priorities: Priority::ALL.to_vec(),
            weekdays: super::calendar::WEEKDAY_KEYS.to_vec(),
            pause_statuses: TicketStatus::ALL
                .iter()
                .copied()
                .filter(|s| !s.is_done())
                .collect(),
        }
    }
}

#[cfg(test)]
mod definition_rule_tests {
    use super::*;
    use chrono::TimeZone;

    fn input() -> SlaSpecInput {
        let t = |fr, res| TargetsInput {
            first_response_minutes: fr,
            resolution_minutes: res,
        };
        serde_json::from_value(serde_json::json!({
            "calendar": {"timezone": "UTC", "working_hours": {"mon": [{"start": "09:00", "end": "17:00"}]}, "holidays": []},
            "targets": {},
            "warning_percent": 80
        }))
        .map(|mut i: SlaSpecInput| {
            for p in Priority::ALL {
                i.targets.insert(p.as_str().to_owned(), t(60, 480));
            }
            i
        })
        .unwrap()
    }

    #[test]
    fn the_actions_are_what_decide_accepts() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let id = SlaDefinitionId::from_uuid(Uuid::from_u128(1));
        let spec = SlaSpec::parse(&input()).unwrap();
        let create = SlaDefinitionCommand::Create {
            id,
            name: Name::new("Std").unwrap(),
            spec: spec.clone(),
        };
        let evs = decide_definition(None, &create, now).unwrap();
        let def = evs.iter().fold(None, evolve_definition).unwrap();
        let mut changed = input();
        changed.warning_percent = 75;
        let publish = SlaDefinitionCommand::Publish {
            spec: SlaSpec::parse(&changed).unwrap(),
        };
        for action in SlaDefinition::ACTIONS {
            let cmd = match *action {
                "publish" => &publish,
                other => panic!("untested action {other}"),
            };
            assert!(decide_definition(Some(&def), cmd, now).is_ok(), "{action}");
        }
        // Creating again is no action: refused.
        assert!(decide_definition(Some(&def), &create, now).is_err());
    }

    #[test]
    fn the_options_are_what_a_spec_accepts() {
        let o = SlaSpecOptions::get();
        assert_eq!(o.priorities, Priority::ALL);
        assert_eq!(
            o.weekdays,
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        );
        for s in TicketStatus::ALL {
            let mut i = input();
            i.pause_statuses = vec![s.as_str().to_owned()];
            assert_eq!(
                SlaSpec::parse(&i).is_ok(),
                o.pause_statuses.contains(s),
                "{s:?}"
            );
        }
        for p in &o.priorities {
            let mut i = input();
            i.always_on = vec![p.as_str().to_owned()];
            assert!(SlaSpec::parse(&i).is_ok(), "{p:?}");
            let mut i = input();
            i.targets.remove(p.as_str());
            assert!(SlaSpec::parse(&i).is_err(), "{p:?} target is required");
        }
        for d in &o.weekdays {
            let mut i = input();
            i.calendar
                .working_hours
                .insert((*d).to_owned(), i.calendar.working_hours["mon"].clone());
            assert!(SlaSpec::parse(&i).is_ok(), "{d}");
        }
        assert_eq!(
            serde_json::to_value(&o).unwrap()["pause_statuses"],
            serde_json::json!(["new", "open", "waiting_on_customer"])
        );
    }
}
