//! The Team aggregate: name, place in the (acyclic) hierarchy, `active → archived`, and
//! the memberships of employees in the team (role, validity dates).

use crate::aggregate::domain_events;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::employee::EmployeeStatus;
use super::ids::{EmployeeId, MembershipId, TeamId};
use super::values::Name;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};

/// The aggregate type of teams.
pub const AGGREGATE_TYPE: &str = "team";

/// Whether a team takes changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamStatus {
    /// In use.
    Active,
    /// Retired; takes no changes.
    Archived,
}

impl TeamStatus {
    /// Every status (the values a list can be filtered by).
    pub const ALL: [TeamStatus; 2] = [Self::Active, Self::Archived];

    /// `active` or `archived`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    /// The commands a team in this status takes (what a screen offers): an archived team
    /// takes none. A command can still be refused by its own rule (archiving a team that
    /// has current or upcoming members).
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Self::Active => &["move", "archive", "add_member", "remove_member"],
            Self::Archived => &[],
        }
    }

    /// Parses `active` or `archived`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "active" => Ok(Self::Active),
            "archived" => Ok(Self::Archived),
            _ => Err(DomainError::field("status", "must be active or archived")),
        }
    }
}

/// A member's role in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// An ordinary member.
    Member,
    /// Leads the team.
    Lead,
}

impl TeamRole {
    /// `member` or `lead`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Lead => "lead",
        }
    }

    /// Parses `member` / `lead` given as input field `role`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "member" => Ok(Self::Member),
            "lead" => Ok(Self::Lead),
            _ => Err(DomainError::field("role", "must be member or lead")),
        }
    }
}

/// One employee's membership of a team over an inclusive date range.
///
/// Deserialising refuses a `valid_to` before `valid_from`, so a tampered payload cannot
/// bring an impossible membership into a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MembershipFields")]
pub struct Membership {
    /// The membership.
    pub membership_id: MembershipId,
    /// The member.
    pub employee_id: EmployeeId,
    /// Member or lead.
    pub role: TeamRole,
    /// First day (inclusive).
    pub valid_from: NaiveDate,
    /// Last day (inclusive); `None`: open-ended.
    pub valid_to: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct MembershipFields {
    membership_id: MembershipId,
    employee_id: EmployeeId,
    role: TeamRole,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
}

impl TryFrom<MembershipFields> for Membership {
    type Error = DomainError;
    fn try_from(f: MembershipFields) -> Result<Self, Self::Error> {
        if f.valid_to.is_some_and(|to| to < f.valid_from) {
            return Err(DomainError::field(
                "valid_to",
                "must not be before valid_from",
            ));
        }
        Ok(Membership {
            membership_id: f.membership_id,
            employee_id: f.employee_id,
            role: f.role,
            valid_from: f.valid_from,
            valid_to: f.valid_to,
        })
    }
}

impl Membership {
    /// True when the membership covers `date`.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    /// True when the membership covers `date` or any later day (current or upcoming).
    pub fn is_current_or_upcoming(&self, date: NaiveDate) -> bool {
        self.valid_to.is_none_or(|to| date <= to)
    }

    /// True when the two inclusive ranges share at least one day.
    pub fn overlaps(&self, from: NaiveDate, to: Option<NaiveDate>) -> bool {
        let starts_before_other_ends = to.is_none_or(|t| self.valid_from <= t);
        let other_starts_before_self_ends = self.valid_to.is_none_or(|t| from <= t);
        starts_before_other_ends && other_starts_before_self_ends
    }
}

/// The current state of a team, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    id: TeamId,
    name: Name,
    parent_id: Option<TeamId>,
    status: TeamStatus,
    members: Vec<Membership>,
    version: u64,
}

impl Team {
    /// Rebuilds the state from a stored state row and its membership rows (for storage
    /// adapters that keep them instead of replaying events). Only the value objects' own
    /// checks apply.
    pub fn restore(
        id: TeamId,
        name: Name,
        parent_id: Option<TeamId>,
        status: TeamStatus,
        members: Vec<Membership>,
        version: u64,
    ) -> Self {
        Team {
            id,
            name,
            parent_id,
            status,
            members,
            version,
        }
    }

    /// The id.
    pub fn id(&self) -> TeamId {
        self.id
    }
    /// The name.
    pub fn name(&self) -> &Name {
        &self.name
    }
    /// The parent team; `None` at the top level.
    pub fn parent_id(&self) -> Option<TeamId> {
        self.parent_id
    }
    /// Active or archived.
    pub fn status(&self) -> TeamStatus {
        self.status
    }
    /// All memberships ever added, in the order they were added (ended ones included).
    pub fn members(&self) -> &[Membership] {
        &self.members
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
    /// One membership by id.
    pub fn membership(&self, id: MembershipId) -> Option<&Membership> {
        self.members.iter().find(|m| m.membership_id == id)
    }
    /// The memberships that cover `date`.
    pub fn members_on(&self, date: NaiveDate) -> impl Iterator<Item = &Membership> {
        self.members.iter().filter(move |m| m.is_valid_on(date))
    }
}

/// A team as the hierarchy rules see it: its parent and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamNode {
    /// The parent; `None` at the top level.
    pub parent_id: Option<TeamId>,
    /// Active or archived.
    pub status: TeamStatus,
}

/// Facts from outside the team that its rules need, loaded by the caller: every team's
/// parent and status (for the hierarchy rules), and the status of the employees the
/// command names (for memberships).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamFacts {
    teams: BTreeMap<TeamId, TeamNode>,
    employees: BTreeMap<EmployeeId, EmployeeStatus>,
}

impl TeamFacts {
    /// No facts.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds (or replaces) a team.
    pub fn insert_team(&mut self, id: TeamId, parent_id: Option<TeamId>, status: TeamStatus) {
        self.teams.insert(id, TeamNode { parent_id, status });
    }
    /// Builder form of [`TeamFacts::insert_team`].
    pub fn with_team(mut self, id: TeamId, parent_id: Option<TeamId>, status: TeamStatus) -> Self {
        self.insert_team(id, parent_id, status);
        self
    }
    /// Adds (or replaces) an employee's status.
    pub fn insert_employee(&mut self, id: EmployeeId, status: EmployeeStatus) {
        self.employees.insert(id, status);
    }
    /// Builder form of [`TeamFacts::insert_employee`].
    pub fn with_employee(mut self, id: EmployeeId, status: EmployeeStatus) -> Self {
        self.insert_employee(id, status);
        self
    }
    /// A team's node, if known.
    pub fn team(&self, id: TeamId) -> Option<TeamNode> {
        self.teams.get(&id).copied()
    }
    /// An employee's status, if known.
    pub fn employee(&self, id: EmployeeId) -> Option<EmployeeStatus> {
        self.employees.get(&id).copied()
    }
    /// Active teams whose parent is `id`.
    pub fn active_children(&self, id: TeamId) -> impl Iterator<Item = TeamId> + '_ {
        self.teams
            .iter()
            .filter(move |(_, n)| n.parent_id == Some(id) && n.status == TeamStatus::Active)
            .map(|(k, _)| *k)
    }

    /// True when `ancestor` is `start` or one of its ancestors. Bounded by the number of
    /// known teams, so even corrupt (cyclic) facts terminate.
    pub fn is_ancestor_or_self(&self, ancestor: TeamId, start: TeamId) -> bool {
        let mut cur = Some(start);
        for _ in 0..=self.teams.len() {
            match cur {
                None => return false,
                Some(c) if c == ancestor => return true,
                Some(c) => cur = self.teams.get(&c).and_then(|n| n.parent_id),
            }
        }
        // Walked further than there are teams: the facts contain a cycle already.
        true
    }

    fn require_active_parent(&self, parent: TeamId) -> Result<(), DomainError> {
        match self.team(parent) {
            None => Err(DomainError::NotFound {
                entity: "team",
                id: parent.to_string(),
            }),
            Some(n) if n.status != TeamStatus::Active => Err(DomainError::invariant(format!(
                "parent team {parent} is archived"
            ))),
            Some(_) => Ok(()),
        }
    }
}

/// What can be asked of a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamCommand {
    /// Creates the team (active), optionally under an active parent.
    Create {
        /// The id, generated by the caller.
        id: TeamId,
        /// Name.
        name: Name,
        /// Parent team, or `None` for the top level.
        parent_id: Option<TeamId>,
    },
    /// Moves the team under another active parent (or to the top level); refuses cycles.
    Move {
        /// The new parent, or `None` for the top level.
        parent_id: Option<TeamId>,
    },
    /// `active → archived`; refused while the team has active child teams or current or
    /// upcoming members.
    Archive,
    /// Adds an active employee for an inclusive date range.
    AddMember {
        /// The membership id, generated by the caller.
        membership_id: MembershipId,
        /// The employee.
        employee_id: EmployeeId,
        /// Member or lead.
        role: TeamRole,
        /// First day.
        valid_from: NaiveDate,
        /// Last day, or `None` for open-ended.
        valid_to: Option<NaiveDate>,
    },
    /// Ends a membership: its last day becomes `valid_to` (default: today, UTC).
    RemoveMember {
        /// The membership.
        membership_id: MembershipId,
        /// The last day; `None` means the UTC date of `now`.
        valid_to: Option<NaiveDate>,
    },
}

/// Payload of `team.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamCreated {
    /// The team.
    pub team_id: TeamId,
    /// Name.
    pub name: Name,
    /// Parent, `null` at the top level.
    pub parent_id: Option<TeamId>,
}

/// Payload of `team.moved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMoved {
    /// The team.
    pub team_id: TeamId,
    /// The new parent, `null` for the top level.
    pub parent_id: Option<TeamId>,
    /// The parent before the move.
    pub previous_parent_id: Option<TeamId>,
}

/// Payload of `team.archived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamArchived {
    /// The team.
    pub team_id: TeamId,
}

/// Payload of `team.member_added`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
// No deny_unknown_fields: serde does not support it together with flatten.
pub struct TeamMemberAdded {
    /// The team.
    pub team_id: TeamId,
    /// The membership and its terms.
    #[serde(flatten)]
    pub membership: Membership,
}

/// Payload of `team.member_removed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMemberRemoved {
    /// The team.
    pub team_id: TeamId,
    /// The membership ended.
    pub membership_id: MembershipId,
    /// The member.
    pub employee_id: EmployeeId,
    /// The membership's last day (inclusive).
    pub valid_to: NaiveDate,
}

domain_events! {
    /// Facts about a team.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TeamEvent {
        /// `team.created`
        Created(TeamCreated) = "team.created",
        /// `team.moved`
        Moved(TeamMoved) = "team.moved",
        /// `team.archived`
        Archived(TeamArchived) = "team.archived",
        /// `team.member_added`
        MemberAdded(TeamMemberAdded) = "team.member_added",
        /// `team.member_removed`
        MemberRemoved(TeamMemberRemoved) = "team.member_removed",
    }
}

impl TeamEvent {
    /// The team the event is about.
    pub fn team_id(&self) -> TeamId {
        match self {
            Self::Created(p) => p.team_id,
            Self::Moved(p) => p.team_id,
            Self::Archived(p) => p.team_id,
            Self::MemberAdded(p) => p.team_id,
            Self::MemberRemoved(p) => p.team_id,
        }
    }
}

impl AggregateEvent for TeamEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.team_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Team, self.team_id().as_uuid())
    }
}

/// Decides a command against the current state (`None`: the team does not exist yet),
/// with the outside `facts` it needs and the current time `now`.
pub fn decide(
    state: Option<&Team>,
    cmd: &TeamCommand,
    facts: &TeamFacts,
    now: DateTime<Utc>,
) -> Result<Vec<TeamEvent>, DomainError> {
    let team = match (state, cmd) {
        (
            None,
            TeamCommand::Create {
                id,
                name,
                parent_id,
            },
        ) => {
            if let Some(p) = parent_id {
                if p == id {
                    return Err(DomainError::invariant("a team cannot be its own parent"));
                }
                facts.require_active_parent(*p)?;
            }
            return Ok(vec![TeamEvent::Created(TeamCreated {
                team_id: *id,
                name: name.clone(),
                parent_id: *parent_id,
            })]);
        }
        (Some(t), TeamCommand::Create { .. }) => {
            return Err(DomainError::invariant(format!(
                "team {} already exists",
                t.id
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "team",
                id: "(not created)".into(),
            })
        }
        (Some(t), _) => t,
    };
    if team.status == TeamStatus::Archived {
        return Err(DomainError::invariant(
            "team is archived and takes no changes",
        ));
    }
    let today = now.date_naive();
    match cmd {
        TeamCommand::Create { .. } => Ok(vec![]),
        TeamCommand::Move { parent_id } => {
            if *parent_id == team.parent_id {
                return Err(DomainError::invariant(match parent_id {
                    Some(p) => format!("team is already under {p}"),
                    None => "team is already at the top level".to_owned(),
                }));
            }
            if let Some(p) = parent_id {
                if facts.is_ancestor_or_self(team.id, *p) {
                    return Err(DomainError::invariant(
                        "moving the team there would create a cycle in the hierarchy",
                    ));
                }
                facts.require_active_parent(*p)?;
            }
            Ok(vec![TeamEvent::Moved(TeamMoved {
                team_id: team.id,
                parent_id: *parent_id,
                previous_parent_id: team.parent_id,
            })])
        }
        TeamCommand::Archive => {
            if let Some(child) = facts.active_children(team.id).next() {
                return Err(DomainError::invariant(format!(
                    "team has active child team {child}"
                )));
            }
            if team.members.iter().any(|m| m.is_current_or_upcoming(today)) {
                return Err(DomainError::invariant(
                    "team has current or upcoming members",
                ));
            }
            Ok(vec![TeamEvent::Archived(TeamArchived { team_id: team.id })])
        }
        TeamCommand::AddMember {
            membership_id,
            employee_id,
            role,
            valid_from,
            valid_to,
        } => {
            if valid_to.is_some_and(|to| to < *valid_from) {
                return Err(DomainError::field(
                    "valid_to",
                    "must not be before valid_from",
                ));
            }
            match facts.employee(*employee_id) {
                None => {
                    return Err(DomainError::NotFound {
                        entity: "employee",
                        id: employee_id.to_string(),
                    })
                }
                Some(EmployeeStatus::Inactive) => {
                    return Err(DomainError::invariant(
                        "an inactive employee cannot join a team",
                    ))
                }
                Some(EmployeeStatus::Active) => {}
            }
            if team.membership(*membership_id).is_some() {
                return Err(DomainError::invariant(format!(
                    "membership {membership_id} already exists"
                )));
            }
            if let Some(other) = team
                .members
                .iter()
                .find(|m| m.employee_id == *employee_id && m.overlaps(*valid_from, *valid_to))
            {
                return Err(DomainError::invariant(format!(
                    "employee is already a member of this team from {}{}",
                    other.valid_from,
                    other
                        .valid_to
                        .map(|t| format!(" to {t}"))
                        .unwrap_or_default()
                )));
            }
            Ok(vec![TeamEvent::MemberAdded(TeamMemberAdded {
                team_id: team.id,
                membership: Membership {
                    membership_id: *membership_id,
                    employee_id: *employee_id,
                    role: *role,
                    valid_from: *valid_from,
                    valid_to: *valid_to,
                },
            })])
        }
        TeamCommand::RemoveMember {
            membership_id,
            valid_to,
        } => {
            let m = team
                .membership(*membership_id)
                .ok_or_else(|| DomainError::NotFound {
                    entity: "membership",
                    id: membership_id.to_string(),
                })?;
            let end = valid_to.unwrap_or(today);
            if end < m.valid_from {
                return Err(DomainError::field(
                    "valid_to",
                    format!(
                        "must not be before the membership starts ({})",
                        m.valid_from
                    ),
                ));
            }
            if let Some(existing) = m.valid_to {
                if end >= existing {
                    return Err(DomainError::invariant(format!(
                        "membership already ends on {existing}"
                    )));
                }
            }
            Ok(vec![TeamEvent::MemberRemoved(TeamMemberRemoved {
                team_id: team.id,
                membership_id: m.membership_id,
                employee_id: m.employee_id,
                valid_to: end,
            })])
        }
    }
}

/// Folds one event into the state. Infallible; returns `None` only when a non-creation
/// event arrives before `team.created` (a malformed stream).
pub fn evolve(state: Option<Team>, ev: &TeamEvent) -> Option<Team> {
    let mut t = match (state, ev) {
        (None, TeamEvent::Created(c)) => {
            return Some(Team {
                id: c.team_id,
                name: c.name.clone(),
                parent_id: c.parent_id,
                status: TeamStatus::Active,
                members: Vec::new(),
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(t), _) => t,
    };
    match ev {
        TeamEvent::Created(_) => {}
        TeamEvent::Moved(p) => t.parent_id = p.parent_id,
        TeamEvent::Archived(_) => t.status = TeamStatus::Archived,
        TeamEvent::MemberAdded(p) => t.members.push(p.membership),
        TeamEvent::MemberRemoved(p) => {
            if let Some(m) = t
                .members
                .iter_mut()
                .find(|m| m.membership_id == p.membership_id)
            {
                m.valid_to = Some(p.valid_to);
            }
        }
    }
    t.version += 1;
    Some(t)
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<Team>,
    events: impl IntoIterator<Item = &'a TeamEvent>,
) -> Option<Team> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a TeamEvent>) -> Option<Team> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for Team {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = TeamCommand;
    type Event = TeamEvent;
    type Facts = TeamFacts;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &TeamCommand,
        facts: &TeamFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<TeamEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }

    fn evolve(state: Option<Self>, event: &TeamEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap() // 2026-01-01
    }
    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn tid(n: u128) -> TeamId {
        TeamId::from_uuid(Uuid::from_u128(n))
    }
    fn eid(n: u128) -> EmployeeId {
        EmployeeId::from_uuid(Uuid::from_u128(1000 + n))
    }
    fn mid(n: u128) -> MembershipId {
        MembershipId::from_uuid(Uuid::from_u128(2000 + n))
    }
    fn created(n: u128, parent: Option<u128>) -> Team {
        let f = TeamFacts::new();
        let f = match parent {
            Some(p) => f.with_team(tid(p), None, TeamStatus::Active),
            None => f,
        };
        let cmd = TeamCommand::Create {
            id: tid(n),
            name: Name::new("Web").unwrap(),
            parent_id: parent.map(tid),
        };
        replay(&decide(None, &cmd, &f, now()).unwrap()).unwrap()
    }
    fn step(t: Team, cmd: TeamCommand, f: &TeamFacts) -> Result<Team, DomainError> {
        let evs = decide(Some(&t), &cmd, f, now())?;
        Ok(evolve_all(Some(t), &evs).unwrap())
    }
    fn add(m: u128, e: u128, from: &str, to: Option<&str>) -> TeamCommand {
        TeamCommand::AddMember {
            membership_id: mid(m),
            employee_id: eid(e),
            role: TeamRole::Member,
            valid_from: day(from),
            valid_to: to.map(day),
        }
    }

    #[test]
    fn actions_are_the_commands_decide_accepts() {
        let f = TeamFacts::new()
            .with_employee(eid(1), EmployeeStatus::Active)
            .with_employee(eid(2), EmployeeStatus::Active)
            .with_team(tid(7), None, TeamStatus::Active);
        let empty = created(1, None);
        let staffed = step(empty.clone(), add(1, 1, "2026-01-01", None), &f).unwrap();
        let archived = step(empty.clone(), TeamCommand::Archive, &f).unwrap();
        let probe = |name: &str| match name {
            "move" => TeamCommand::Move {
                parent_id: Some(tid(7)),
            },
            "archive" => TeamCommand::Archive,
            "add_member" => add(2, 2, "2026-01-01", None),
            _ => TeamCommand::RemoveMember {
                membership_id: mid(1),
                valid_to: Some(day("2026-03-01")),
            },
        };
        // Each action of an active team is accepted where its own rule holds (archiving
        // wants no current members; removing wants a member) …
        for name in TeamStatus::Active.actions() {
            let t = if *name == "remove_member" {
                &staffed
            } else {
                &empty
            };
            assert!(decide(Some(t), &probe(name), &f, now()).is_ok(), "{name}");
        }
        // … and an archived team takes none of them.
        assert!(TeamStatus::Archived.actions().is_empty());
        for name in ["move", "archive", "add_member", "remove_member"] {
            assert!(
                decide(Some(&archived), &probe(name), &f, now()).is_err(),
                "{name}"
            );
        }
    }

    #[test]
    fn impossible_memberships_do_not_deserialize() {
        let p = serde_json::json!({
            "team_id": tid(1), "membership_id": mid(1), "employee_id": eid(1),
            "role": "member", "valid_from": "2026-02-01", "valid_to": "2026-01-31"
        });
        assert!(TeamEvent::from_stored("team.member_added", 1, &p).is_err());
        let mut ok = p.clone();
        ok["valid_to"] = serde_json::json!("2026-02-01");
        assert!(TeamEvent::from_stored("team.member_added", 1, &ok).is_ok());
    }

    #[test]
    fn restore_equals_replay() {
        let f = TeamFacts::new().with_employee(eid(1), EmployeeStatus::Active);
        let t = step(created(1, Some(7)), add(1, 1, "2026-01-01", None), &f).unwrap();
        let r = Team::restore(
            t.id(),
            t.name().clone(),
            t.parent_id(),
            t.status(),
            t.members().to_vec(),
            t.version(),
        );
        assert_eq!(r, t);
    }

    #[test]
    fn parent_must_exist_and_be_active() {
        let cmd = |p| TeamCommand::Create {
            id: tid(1),
            name: Name::new("A").unwrap(),
            parent_id: Some(tid(p)),
        };
        let f = TeamFacts::new().with_team(tid(2), None, TeamStatus::Archived);
        assert!(matches!(
            decide(None, &cmd(3), &f, now()),
            Err(DomainError::NotFound { entity: "team", .. })
        ));
        assert!(matches!(
            decide(None, &cmd(2), &f, now()),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            decide(None, &cmd(1), &f, now()),
            Err(DomainError::Invariant(_))
        ));
        assert_eq!(created(1, Some(9)).parent_id(), Some(tid(9)));
    }

    #[test]
    fn moves_refuse_cycles() {
        // 1 ← 2 ← 3 (3 under 2 under 1); moving 1 under 3 is a cycle.
        let f = TeamFacts::new()
            .with_team(tid(1), None, TeamStatus::Active)
            .with_team(tid(2), Some(tid(1)), TeamStatus::Active)
            .with_team(tid(3), Some(tid(2)), TeamStatus::Active)
            .with_team(tid(4), None, TeamStatus::Active);
        let one = created(1, None);
        for target in [1, 2, 3] {
            assert_eq!(
                step(
                    one.clone(),
                    TeamCommand::Move {
                        parent_id: Some(tid(target))
                    },
                    &f
                ),
                Err(DomainError::invariant(
                    "moving the team there would create a cycle in the hierarchy"
                )),
                "target {target}"
            );
        }
        let moved = step(
            one.clone(),
            TeamCommand::Move {
                parent_id: Some(tid(4)),
            },
            &f,
        )
        .unwrap();
        assert_eq!(moved.parent_id(), Some(tid(4)));
        assert!(step(one, TeamCommand::Move { parent_id: None }, &f).is_err());
        let back = step(moved, TeamCommand::Move { parent_id: None }, &f).unwrap();
        assert_eq!(back.parent_id(), None);
    }

    #[test]
    fn corrupt_cyclic_facts_still_terminate() {
        let f = TeamFacts::new()
            .with_team(tid(2), Some(tid(3)), TeamStatus::Active)
            .with_team(tid(3), Some(tid(2)), TeamStatus::Active);
        assert!(f.is_ancestor_or_self(tid(1), tid(2)));
    }

    #[test]
    fn memberships_need_active_employees_and_must_not_overlap() {
        let f = TeamFacts::new()
            .with_employee(eid(1), EmployeeStatus::Active)
            .with_employee(eid(2), EmployeeStatus::Inactive);
        let t = created(1, None);
        let t = step(t, add(1, 1, "2026-01-01", Some("2026-03-31")), &f).unwrap();
        assert!(matches!(
            step(t.clone(), add(2, 2, "2026-01-01", None), &f),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            step(t.clone(), add(2, 3, "2026-01-01", None), &f),
            Err(DomainError::NotFound { .. })
        ));
        assert!(matches!(
            step(t.clone(), add(2, 1, "2026-03-31", None), &f),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            step(t.clone(), add(2, 1, "2025-01-01", None), &f),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            step(t.clone(), add(1, 1, "2027-01-01", None), &f),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            step(t.clone(), add(2, 1, "2026-05-01", Some("2026-04-01")), &f),
            Err(DomainError::Validation(_))
        ));
        let t = step(t, add(2, 1, "2026-04-01", None), &f).unwrap();
        assert_eq!(t.members().len(), 2);
        assert_eq!(t.members_on(day("2026-04-01")).count(), 1);
    }

    #[test]
    fn removing_ends_a_membership_once() {
        let f = TeamFacts::new().with_employee(eid(1), EmployeeStatus::Active);
        let t = step(created(1, None), add(1, 1, "2025-06-01", None), &f).unwrap();
        let rm = |to: Option<&str>| TeamCommand::RemoveMember {
            membership_id: mid(1),
            valid_to: to.map(day),
        };
        assert!(matches!(
            step(t.clone(), rm(Some("2025-05-31")), &f),
            Err(DomainError::Validation(_))
        ));
        let ended = step(t, rm(None), &f).unwrap();
        assert_eq!(ended.members()[0].valid_to, Some(day("2026-01-01")));
        assert!(matches!(
            step(ended.clone(), rm(None), &f),
            Err(DomainError::Invariant(_))
        ));
        let earlier = step(ended, rm(Some("2025-12-01")), &f).unwrap();
        assert_eq!(earlier.members()[0].valid_to, Some(day("2025-12-01")));
        assert!(matches!(
            step(
                earlier,
                TeamCommand::RemoveMember {
                    membership_id: mid(9),
                    valid_to: None
                },
                &f
            ),
            Err(DomainError::NotFound {
                entity: "membership",
                ..
            })
        ));
    }

    #[test]
    fn archive_needs_no_children_nor_current_members_then_freezes() {
        let f = TeamFacts::new()
            .with_employee(eid(1), EmployeeStatus::Active)
            .with_team(tid(1), None, TeamStatus::Active)
            .with_team(tid(2), Some(tid(1)), TeamStatus::Active);
        let t = created(1, None);
        assert!(matches!(
            step(t.clone(), TeamCommand::Archive, &f),
            Err(DomainError::Invariant(_))
        ));
        let f = f.with_team(tid(2), Some(tid(1)), TeamStatus::Archived);
        let with_member = step(t.clone(), add(1, 1, "2026-02-01", None), &f).unwrap();
        assert!(matches!(
            step(with_member, TeamCommand::Archive, &f),
            Err(DomainError::Invariant(_))
        ));
        let past = step(t, add(1, 1, "2025-01-01", Some("2025-12-31")), &f).unwrap();
        let archived = step(past, TeamCommand::Archive, &f).unwrap();
        assert_eq!(archived.status(), TeamStatus::Archived);
        assert_eq!(
            step(archived, TeamCommand::Move { parent_id: None }, &f),
            Err(DomainError::invariant(
                "team is archived and takes no changes"
            ))
        );
    }
}
