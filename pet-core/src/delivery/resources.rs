//! Capacity and allocations: each employee's weekly capacity, effective-dated (aggregate
//! `employee_capacity`, id = the employee's id), and resource allocations (employee,
//! project, date range, minutes per week; aggregate `resource_allocation`). An allocation
//! that takes an employee past capacity in any week is allowed and reported as a warning
//! ([`week_loads`]), where allocations are made.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{AllocationId, ProjectId};
use super::values::{
    is_monday, weeks_between, ProjectStatus, WeeklyMinutes, DEFAULT_WEEKLY_CAPACITY,
};
use crate::aggregate::domain_events;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::{EmployeeId, EmployeeStatus};

/// The aggregate type of capacities.
pub const CAPACITY_TYPE: &str = "employee_capacity";
/// The aggregate type of allocations.
pub const ALLOCATION_TYPE: &str = "resource_allocation";

/// An employee's weekly capacity over time: minutes per week from each effective Monday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capacity {
    employee_id: EmployeeId,
    schedule: BTreeMap<NaiveDate, i64>,
    version: u64,
}

impl Capacity {
    /// Rebuilds the state from its rows.
    pub fn restore(
        employee_id: EmployeeId,
        schedule: BTreeMap<NaiveDate, i64>,
        version: u64,
    ) -> Self {
        Self {
            employee_id,
            schedule,
            version,
        }
    }
    /// Whose capacity.
    pub fn employee_id(&self) -> EmployeeId {
        self.employee_id
    }
    /// Minutes per week from each effective Monday.
    pub fn schedule(&self) -> &BTreeMap<NaiveDate, i64> {
        &self.schedule
    }
    /// Number of events applied.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// The capacity in force in the week starting `week` (the default 40 hours when none is
/// set yet).
pub fn capacity_in(schedule: &BTreeMap<NaiveDate, i64>, week: NaiveDate) -> i64 {
    schedule
        .range(..=week)
        .next_back()
        .map_or(DEFAULT_WEEKLY_CAPACITY, |(_, m)| *m)
}

/// What can be asked of a capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetCapacity {
    /// Whose capacity.
    pub employee_id: EmployeeId,
    /// The Monday it applies from.
    pub effective_from: NaiveDate,
    /// Minutes per week (0: not available).
    pub minutes_per_week: WeeklyMinutes,
}

/// Payload of `resource.capacity_set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacitySet {
    /// Whose capacity.
    pub employee_id: EmployeeId,
    /// The Monday it applies from.
    pub effective_from: NaiveDate,
    /// Minutes per week.
    pub minutes_per_week: i64,
}

domain_events! {
    /// Facts about an employee's capacity.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CapacityEvent {
        /// `resource.capacity_set`
        Set(CapacitySet) = "resource.capacity_set",
    }
}

impl AggregateEvent for CapacityEvent {
    fn aggregate_type(&self) -> &'static str {
        CAPACITY_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        let CapacityEvent::Set(p) = self;
        p.employee_id.as_uuid()
    }
    fn context(&self) -> ContextRef {
        let CapacityEvent::Set(p) = self;
        ContextRef::new(ContextType::Employee, p.employee_id.as_uuid())
    }
}

impl crate::aggregate::Aggregate for Capacity {
    const TYPE: &'static str = CAPACITY_TYPE;
    type Command = SetCapacity;
    type Event = CapacityEvent;
    type Facts = Option<EmployeeStatus>;

    fn version(&self) -> u64 {
        self.version
    }

    /// Rules: the employee exists; the date is a Monday; it changes something.
    fn decide(
        state: Option<&Self>,
        cmd: &SetCapacity,
        facts: &Option<EmployeeStatus>,
        _now: DateTime<Utc>,
    ) -> Result<Vec<CapacityEvent>, DomainError> {
        if facts.is_none() {
            return Err(DomainError::field("employee_id", "is not a known employee"));
        }
        if !is_monday(cmd.effective_from) {
            return Err(DomainError::field("effective_from", "must be a Monday"));
        }
        let m = cmd.minutes_per_week.get();
        if let Some(s) = state {
            if s.schedule.get(&cmd.effective_from) == Some(&m) {
                return Err(DomainError::invariant(
                    "that capacity is already set from that week",
                ));
            }
        }
        Ok(vec![CapacityEvent::Set(CapacitySet {
            employee_id: cmd.employee_id,
            effective_from: cmd.effective_from,
            minutes_per_week: m,
        })])
    }

    fn evolve(state: Option<Self>, event: &CapacityEvent) -> Option<Self> {
        let CapacityEvent::Set(p) = event;
        let mut s = state.unwrap_or(Capacity {
            employee_id: p.employee_id,
            schedule: BTreeMap::new(),
            version: 0,
        });
        s.schedule.insert(p.effective_from, p.minutes_per_week);
        s.version += 1;
        Some(s)
    }
}

/// An allocation's span, as [`week_loads`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationSpan {
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Minutes per week.
    pub minutes_per_week: i64,
}

/// One week of an employee: allocated against capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekLoad {
    /// The Monday.
    pub week: NaiveDate,
    /// Minutes allocated (every allocation touching the week).
    pub allocated: i64,
    /// Capacity in force.
    pub capacity: i64,
    /// Allocated beyond capacity.
    pub over: bool,
}

/// The load of each week `from..=to` touches, given the employee's capacity schedule and
/// allocations.
pub fn week_loads(
    schedule: &BTreeMap<NaiveDate, i64>,
    allocations: &[AllocationSpan],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<WeekLoad> {
    weeks_between(from, to)
        .into_iter()
        .map(|week| {
            let end = week + chrono::Duration::days(6);
            let allocated = allocations
                .iter()
                .filter(|a| a.starts_on <= end && a.ends_on >= week)
                .map(|a| a.minutes_per_week)
                .sum();
            let capacity = capacity_in(schedule, week);
            WeekLoad {
                week,
                allocated,
                capacity,
                over: allocated > capacity,
            }
        })
        .collect()
}

/// A resource allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// Its id.
    pub id: AllocationId,
    /// Who.
    pub employee_id: EmployeeId,
    /// On what.
    pub project_id: ProjectId,
    /// Its span.
    #[serde(flatten)]
    pub span: AllocationSpan,
    /// Released (no longer counts).
    pub released: bool,
    /// Number of events applied.
    pub version: u64,
}

/// What an allocation's rules need: the employee's and the project's status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocationFacts {
    /// The employee's status.
    pub employee: Option<EmployeeStatus>,
    /// The project's status.
    pub project: Option<ProjectStatus>,
}

/// What can be asked of an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationCommand {
    /// Allocates an employee to a project.
    Allocate {
        /// Its id.
        id: AllocationId,
        /// Who.
        employee_id: EmployeeId,
        /// On what.
        project_id: ProjectId,
        /// First day.
        starts_on: NaiveDate,
        /// Last day.
        ends_on: NaiveDate,
        /// Minutes per week.
        minutes_per_week: WeeklyMinutes,
    },
    /// Releases it.
    Release,
}

/// Payload of `resource.allocated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceAllocated {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// Who.
    pub employee_id: EmployeeId,
    /// On what.
    pub project_id: ProjectId,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Minutes per week.
    pub minutes_per_week: i64,
}

/// Payload of `resource.allocation_released`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationReleased {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// Who.
    pub employee_id: EmployeeId,
    /// On what.
    pub project_id: ProjectId,
}

domain_events! {
    /// Facts about an allocation.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum AllocationEvent {
        /// `resource.allocated`
        Allocated(ResourceAllocated) = "resource.allocated",
        /// `resource.allocation_released`
        Released(AllocationReleased) = "resource.allocation_released",
    }
}

impl AllocationEvent {
    fn ids(&self) -> (AllocationId, ProjectId) {
        match self {
            Self::Allocated(p) => (p.allocation_id, p.project_id),
            Self::Released(p) => (p.allocation_id, p.project_id),
        }
    }
}

impl AggregateEvent for AllocationEvent {
    fn aggregate_type(&self) -> &'static str {
        ALLOCATION_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.ids().0.as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Project, self.ids().1.as_uuid())
    }
}

impl crate::aggregate::Aggregate for Allocation {
    const TYPE: &'static str = ALLOCATION_TYPE;
    type Command = AllocationCommand;
    type Event = AllocationEvent;
    type Facts = AllocationFacts;

    fn version(&self) -> u64 {
        self.version
    }

    /// Rules: the employee is active; the project is planned, active or on hold; the range
    /// is not reversed and at most two years; released once.
    fn decide(
        state: Option<&Self>,
        cmd: &AllocationCommand,
        facts: &AllocationFacts,
        _now: DateTime<Utc>,
    ) -> Result<Vec<AllocationEvent>, DomainError> {
        match (state, cmd) {
            (
                None,
                AllocationCommand::Allocate {
                    id,
                    employee_id,
                    project_id,
                    starts_on,
                    ends_on,
                    minutes_per_week,
                },
            ) => {
                match facts.employee {
                    Some(EmployeeStatus::Active) => {}
                    Some(EmployeeStatus::Inactive) => {
                        return Err(DomainError::invariant(
                            "an inactive employee cannot be allocated",
                        ))
                    }
                    None => {
                        return Err(DomainError::field("employee_id", "is not a known employee"))
                    }
                }
                match facts.project {
                    Some(
                        ProjectStatus::Planned | ProjectStatus::Active | ProjectStatus::OnHold,
                    ) => {}
                    Some(s) => {
                        return Err(DomainError::invariant(format!(
                            "project is {} and takes no allocations",
                            s.words()
                        )))
                    }
                    None => return Err(DomainError::field("project_id", "is not a known project")),
                }
                if ends_on < starts_on {
                    return Err(DomainError::field(
                        "ends_on",
                        "must not be before starts_on",
                    ));
                }
                if (*ends_on - *starts_on).num_days() > 731 {
                    return Err(DomainError::field(
                        "ends_on",
                        "an allocation spans at most two years",
                    ));
                }
                if minutes_per_week.get() == 0 {
                    return Err(DomainError::field(
                        "minutes_per_week",
                        "must be more than 0",
                    ));
                }
                Ok(vec![AllocationEvent::Allocated(ResourceAllocated {
                    allocation_id: *id,
                    employee_id: *employee_id,
                    project_id: *project_id,
                    starts_on: *starts_on,
                    ends_on: *ends_on,
                    minutes_per_week: minutes_per_week.get(),
                })])
            }
            (Some(a), AllocationCommand::Allocate { .. }) => Err(DomainError::invariant(format!(
                "allocation {} already exists",
                a.id
            ))),
            (None, AllocationCommand::Release) => Err(DomainError::NotFound {
                entity: "allocation",
                id: "(not created)".into(),
            }),
            (Some(a), AllocationCommand::Release) => {
                if a.released {
                    return Err(DomainError::invariant("the allocation is already released"));
                }
                Ok(vec![AllocationEvent::Released(AllocationReleased {
                    allocation_id: a.id,
                    employee_id: a.employee_id,
                    project_id: a.project_id,
                })])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &AllocationEvent) -> Option<Self> {
        match (state, event) {
            (None, AllocationEvent::Allocated(p)) => Some(Allocation {
                id: p.allocation_id,
                employee_id: p.employee_id,
                project_id: p.project_id,
                span: AllocationSpan {
                    starts_on: p.starts_on,
                    ends_on: p.ends_on,
                    minutes_per_week: p.minutes_per_week,
                },
                released: false,
                version: 1,
            }),
            (None, _) => None,
            (Some(mut a), e) => {
                if let AllocationEvent::Released(_) = e {
                    a.released = true;
                }
                a.version += 1;
                Some(a)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn capacity_is_effective_dated_and_over_allocation_is_reported_per_week() {
        let ana = EmployeeId::from_uuid(Uuid::from_u128(1));
        let now: DateTime<Utc> = "2026-01-05T09:00:00Z".parse().unwrap();
        let set = |from: &str, m| SetCapacity {
            employee_id: ana,
            effective_from: d(from),
            minutes_per_week: WeeklyMinutes::new(m).unwrap(),
        };
        assert!(Capacity::decide(
            None,
            &set("2026-01-06", 1200),
            &Some(EmployeeStatus::Active),
            now
        )
        .is_err());
        let evs = Capacity::decide(
            None,
            &set("2026-01-12", 1200),
            &Some(EmployeeStatus::Active),
            now,
        )
        .unwrap();
        let c = Capacity::replay(&evs).unwrap();
        assert_eq!(
            capacity_in(c.schedule(), d("2026-01-05")),
            DEFAULT_WEEKLY_CAPACITY
        );
        assert_eq!(capacity_in(c.schedule(), d("2026-01-19")), 1200);
        let allocs = [
            AllocationSpan {
                starts_on: d("2026-01-05"),
                ends_on: d("2026-01-25"),
                minutes_per_week: 900,
            },
            AllocationSpan {
                starts_on: d("2026-01-14"),
                ends_on: d("2026-01-14"),
                minutes_per_week: 600,
            },
        ];
        let loads = week_loads(c.schedule(), &allocs, d("2026-01-05"), d("2026-01-25"));
        let over: Vec<bool> = loads.iter().map(|l| l.over).collect();
        assert_eq!(over, vec![false, true, false]);
        assert_eq!(loads[1].allocated, 1500);
        assert_eq!(loads[1].capacity, 1200);
    }

    #[test]
    fn allocations_need_an_open_project_and_a_sane_range() {
        let now: DateTime<Utc> = "2026-01-05T09:00:00Z".parse().unwrap();
        let cmd = |from: &str, to: &str| AllocationCommand::Allocate {
            id: AllocationId::from_uuid(Uuid::from_u128(9)),
            employee_id: EmployeeId::from_uuid(Uuid::from_u128(1)),
            project_id: ProjectId::from_uuid(Uuid::from_u128(300)),
            starts_on: d(from),
            ends_on: d(to),
            minutes_per_week: WeeklyMinutes::new(600).unwrap(),
        };
        let ok = AllocationFacts {
            employee: Some(EmployeeStatus::Active),
            project: Some(ProjectStatus::Active),
        };
        assert!(Allocation::decide(None, &cmd("2026-01-10", "2026-01-05"), &ok, now).is_err());
        let closed = AllocationFacts {
            project: Some(ProjectStatus::Closed),
            ..ok
        };
        assert!(matches!(
            Allocation::decide(None, &cmd("2026-01-05", "2026-01-10"), &closed, now),
            Err(DomainError::Invariant(_))
        ));
        let evs = Allocation::decide(None, &cmd("2026-01-05", "2026-01-10"), &ok, now).unwrap();
        let a = Allocation::replay(&evs).unwrap();
        let evs = Allocation::decide(Some(&a), &AllocationCommand::Release, &ok, now).unwrap();
        let a = Allocation::evolve_all(Some(a), &evs).unwrap();
        assert!(a.released);
        assert!(Allocation::decide(Some(&a), &AllocationCommand::Release, &ok, now).is_err());
    }
}
