//! Org-structure versions: immutable, numbered snapshots of the active teams and the
//! memberships valid at an effective time. A version effective in the future is
//! `scheduled` and becomes `published` exactly once when it is due.

use crate::aggregate::domain_events;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{EmployeeId, MembershipId, OrgVersionId, OrgVersionNumber, TeamId};
use super::team::{Team, TeamRole, TeamStatus};
use super::values::{Name, Note};
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};

/// The aggregate type of org-structure versions.
pub const AGGREGATE_TYPE: &str = "org_structure";

/// A team as recorded in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotTeam {
    /// The team.
    pub team_id: TeamId,
    /// Its name at snapshot time.
    pub name: Name,
    /// Its parent at snapshot time.
    pub parent_id: Option<TeamId>,
}

/// A membership as recorded in a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotMembership {
    /// The membership.
    pub membership_id: MembershipId,
    /// The team.
    pub team_id: TeamId,
    /// The member.
    pub employee_id: EmployeeId,
    /// Member or lead.
    pub role: TeamRole,
}

/// The organisation at one moment: active teams (with parents) and the memberships valid
/// on that day, both sorted by id so equal organisations give byte-equal snapshots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSnapshot {
    /// Active teams.
    pub teams: Vec<SnapshotTeam>,
    /// Memberships valid on the effective day, in active teams.
    pub memberships: Vec<SnapshotMembership>,
}

/// Builds the snapshot of `teams` in force at `effective_at`: active teams, and their
/// memberships valid on the UTC date of `effective_at`. Pure; the order of `teams` does
/// not matter.
pub fn build_snapshot<'a>(
    teams: impl IntoIterator<Item = &'a Team>,
    effective_at: DateTime<Utc>,
) -> OrgSnapshot {
    let day = effective_at.date_naive();
    let mut snap = OrgSnapshot::default();
    for t in teams {
        if t.status() != TeamStatus::Active {
            continue;
        }
        snap.teams.push(SnapshotTeam {
            team_id: t.id(),
            name: t.name().clone(),
            parent_id: t.parent_id(),
        });
        snap.memberships
            .extend(t.members_on(day).map(|m| SnapshotMembership {
                membership_id: m.membership_id,
                team_id: t.id(),
                employee_id: m.employee_id,
                role: m.role,
            }));
    }
    snap.teams.sort_by_key(|t| t.team_id);
    snap.memberships.sort_by_key(|m| m.membership_id);
    snap
}

/// Whether a version is in force yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgVersionStatus {
    /// Waiting for its effective time.
    Scheduled,
    /// In force from its effective time.
    Published,
}

impl OrgVersionStatus {
    /// Every status.
    pub const ALL: [OrgVersionStatus; 2] = [Self::Scheduled, Self::Published];

    /// The commands a version in this status takes: a scheduled one is published once
    /// due (`publish_due`, by the job runner); a published one takes none. Screens read it
    /// as "scheduled, not yet in force".
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Self::Scheduled => &["publish_due"],
            Self::Published => &[],
        }
    }

    /// `scheduled` or `published`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Published => "published",
        }
    }
}

/// One org-structure version, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgStructureVersion {
    details: OrgVersionDetails,
    status: OrgVersionStatus,
    version: u64,
}

impl OrgStructureVersion {
    /// Rebuilds the state from a stored row (for storage adapters that keep one instead of
    /// replaying events).
    pub fn restore(details: OrgVersionDetails, status: OrgVersionStatus, version: u64) -> Self {
        OrgStructureVersion {
            details,
            status,
            version,
        }
    }

    /// The whole version as recorded (the payload of its events).
    pub fn details(&self) -> &OrgVersionDetails {
        &self.details
    }

    /// The id.
    pub fn id(&self) -> OrgVersionId {
        self.details.version_id
    }
    /// The number (1, 2, …).
    pub fn number(&self) -> OrgVersionNumber {
        self.details.number
    }
    /// When it takes effect.
    pub fn effective_at(&self) -> DateTime<Utc> {
        self.details.effective_at
    }
    /// The note given when it was made.
    pub fn note(&self) -> &Note {
        &self.details.note
    }
    /// The snapshot (never changes).
    pub fn snapshot(&self) -> &OrgSnapshot {
        &self.details.snapshot
    }
    /// Scheduled or published.
    pub fn status(&self) -> OrgVersionStatus {
        self.status
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
    /// True when scheduled and due at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.status == OrgVersionStatus::Scheduled && now >= self.details.effective_at
    }
}

/// What can be asked of an org-structure version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgStructureCommand {
    /// Makes a new version numbered after `previous_number`: published when
    /// `effective_at ≤ now`, otherwise scheduled.
    Publish {
        /// The id, generated by the caller.
        id: OrgVersionId,
        /// The highest existing version number (`None` when there is none yet).
        previous_number: Option<OrgVersionNumber>,
        /// When it takes effect.
        effective_at: DateTime<Utc>,
        /// Why it was made.
        note: Note,
        /// The organisation to record, from [`build_snapshot`].
        snapshot: OrgSnapshot,
    },
    /// System command (job runner): publishes a scheduled version once it is due.
    PublishDue,
}

/// Payload of `org_structure.scheduled` and `org_structure.published`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgVersionDetails {
    /// The version.
    pub version_id: OrgVersionId,
    /// Its number.
    pub number: OrgVersionNumber,
    /// When it takes effect.
    pub effective_at: DateTime<Utc>,
    /// Why it was made (may be empty).
    pub note: Note,
    /// The organisation recorded.
    pub snapshot: OrgSnapshot,
}

domain_events! {
    /// Facts about an org-structure version.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum OrgStructureEvent {
        /// `org_structure.scheduled`: made with a future effective time.
        Scheduled(OrgVersionDetails) = "org_structure.scheduled",
        /// `org_structure.published`: in force from its effective time. Carries the whole
        /// version so consumers (KPI scoping) need no other event.
        Published(OrgVersionDetails) = "org_structure.published",
    }
}

impl OrgStructureEvent {
    /// The version's details.
    pub fn details(&self) -> &OrgVersionDetails {
        match self {
            Self::Scheduled(d) | Self::Published(d) => d,
        }
    }
}

impl AggregateEvent for OrgStructureEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.details().version_id.as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(
            ContextType::OrgStructure,
            self.details().version_id.as_uuid(),
        )
    }
}

/// Decides a command against the version's state (`None`: not made yet) at `now`.
pub fn decide(
    state: Option<&OrgStructureVersion>,
    cmd: &OrgStructureCommand,
    now: DateTime<Utc>,
) -> Result<Vec<OrgStructureEvent>, DomainError> {
    match (state, cmd) {
        (
            None,
            OrgStructureCommand::Publish {
                id,
                previous_number,
                effective_at,
                note,
                snapshot,
            },
        ) => {
            let details = OrgVersionDetails {
                version_id: *id,
                number: OrgVersionNumber::next_after(*previous_number)?,
                effective_at: *effective_at,
                note: note.clone(),
                snapshot: snapshot.clone(),
            };
            Ok(vec![if *effective_at > now {
                OrgStructureEvent::Scheduled(details)
            } else {
                OrgStructureEvent::Published(details)
            }])
        }
        (Some(v), OrgStructureCommand::Publish { .. }) => Err(DomainError::invariant(format!(
            "org structure version {} already exists",
            v.number()
        ))),
        (None, OrgStructureCommand::PublishDue) => Err(DomainError::NotFound {
            entity: "org structure version",
            id: "(not created)".into(),
        }),
        (Some(v), OrgStructureCommand::PublishDue) => match v.status {
            OrgVersionStatus::Published => Err(DomainError::invariant(format!(
                "org structure version {} is already published",
                v.number()
            ))),
            OrgVersionStatus::Scheduled if now < v.effective_at() => {
                Err(DomainError::invariant(format!(
                    "org structure version {} is not due until {}",
                    v.number(),
                    v.effective_at().to_rfc3339()
                )))
            }
            OrgVersionStatus::Scheduled => {
                Ok(vec![OrgStructureEvent::Published(v.details.clone())])
            }
        },
    }
}

/// Folds one event into the state. Infallible; the details never change after the
/// first event.
pub fn evolve(
    state: Option<OrgStructureVersion>,
    ev: &OrgStructureEvent,
) -> Option<OrgStructureVersion> {
    let status = match ev {
        OrgStructureEvent::Scheduled(_) => OrgVersionStatus::Scheduled,
        OrgStructureEvent::Published(_) => OrgVersionStatus::Published,
    };
    Some(match state {
        None => OrgStructureVersion {
            details: ev.details().clone(),
            status,
            version: 1,
        },
        Some(mut v) => {
            v.status = status;
            v.version += 1;
            v
        }
    })
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<OrgStructureVersion>,
    events: impl IntoIterator<Item = &'a OrgStructureEvent>,
) -> Option<OrgStructureVersion> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(
    events: impl IntoIterator<Item = &'a OrgStructureEvent>,
) -> Option<OrgStructureVersion> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for OrgStructureVersion {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = OrgStructureCommand;
    type Event = OrgStructureEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &OrgStructureCommand,
        _facts: &(),
        now: DateTime<Utc>,
    ) -> Result<Vec<OrgStructureEvent>, DomainError> {
        decide(state, cmd, now)
    }

    fn evolve(state: Option<Self>, event: &OrgStructureEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::employee::EmployeeStatus;
    use crate::identity::team::{self, TeamCommand, TeamFacts};
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn the_actions_are_what_decide_accepts() {
        let now = at(2026, 1, 1);
        for status in OrgVersionStatus::ALL {
            let effective_at = match status {
                OrgVersionStatus::Scheduled => at(2026, 2, 1),
                OrgVersionStatus::Published => now,
            };
            let cmd = OrgStructureCommand::Publish {
                id: OrgVersionId::from_uuid(Uuid::from_u128(9)),
                previous_number: None,
                effective_at,
                note: Note::default(),
                snapshot: build_snapshot(&[], effective_at),
            };
            let v = evolve_all(None, &decide(None, &cmd, now).unwrap()).unwrap();
            assert_eq!(v.status(), status);
            // Asked once due (the job runs at or after the effective time).
            let due = at(2026, 3, 1);
            let accepted = decide(Some(&v), &OrgStructureCommand::PublishDue, due).is_ok();
            assert_eq!(
                accepted,
                status.actions().contains(&"publish_due"),
                "{status:?}"
            );
            assert!(status.actions().iter().all(|a| *a == "publish_due"));
        }
    }

    fn teams() -> Vec<Team> {
        let now = at(2026, 1, 1);
        let e = EmployeeId::from_uuid(Uuid::from_u128(100));
        let f = TeamFacts::new().with_employee(e, EmployeeStatus::Active);
        let mk = |n: u128, name: &str| {
            let cmd = TeamCommand::Create {
                id: TeamId::from_uuid(Uuid::from_u128(n)),
                name: Name::new(name).unwrap(),
                parent_id: None,
            };
            team::replay(&team::decide(None, &cmd, &f, now).unwrap()).unwrap()
        };
        let apply = |t: Team, c: TeamCommand| {
            let evs = team::decide(Some(&t), &c, &f, now).unwrap();
            team::evolve_all(Some(t), &evs).unwrap()
        };
        let web = apply(
            mk(2, "Web"),
            TeamCommand::AddMember {
                membership_id: MembershipId::from_uuid(Uuid::from_u128(200)),
                employee_id: e,
                role: TeamRole::Lead,
                valid_from: "2026-02-01".parse().unwrap(),
                valid_to: None,
            },
        );
        let old = apply(mk(3, "Old"), TeamCommand::Archive);
        vec![old, web, mk(1, "Ops")]
    }

    #[test]
    fn snapshot_keeps_active_teams_and_valid_memberships_sorted() {
        let before = build_snapshot(&teams(), at(2026, 1, 31));
        assert_eq!(before.teams.len(), 2);
        assert_eq!(before.teams[0].name.as_str(), "Ops");
        assert!(before.memberships.is_empty());
        let after = build_snapshot(teams().iter().rev(), at(2026, 2, 1));
        assert_eq!(after.memberships.len(), 1);
        assert_eq!(after.teams, before.teams);
    }

    #[test]
    fn future_versions_are_scheduled_then_published_exactly_once() {
        let now = at(2026, 1, 1);
        let cmd = |eff| OrgStructureCommand::Publish {
            id: OrgVersionId::from_uuid(Uuid::from_u128(9)),
            previous_number: OrgVersionNumber::new(2).ok(),
            effective_at: eff,
            note: Note::new("reorg").unwrap(),
            snapshot: build_snapshot(&teams(), eff),
        };
        let evs = decide(None, &cmd(now), now).unwrap();
        assert!(matches!(&evs[..], [OrgStructureEvent::Published(d)] if d.number.get() == 3));

        let evs = decide(None, &cmd(at(2026, 2, 1)), now).unwrap();
        let v = replay(&evs).unwrap();
        assert_eq!(v.status(), OrgVersionStatus::Scheduled);
        assert!(!v.is_due(now));
        assert!(matches!(
            decide(Some(&v), &OrgStructureCommand::PublishDue, now),
            Err(DomainError::Invariant(_))
        ));
        let due = at(2026, 2, 1);
        assert!(v.is_due(due));
        let evs = decide(Some(&v), &OrgStructureCommand::PublishDue, due).unwrap();
        assert_eq!(evs.len(), 1);
        let v2 = evolve(Some(v.clone()), &evs[0]).unwrap();
        assert_eq!(v2.status(), OrgVersionStatus::Published);
        assert_eq!(v2.snapshot(), v.snapshot());
        assert_eq!(v2.version(), 2);
        assert!(matches!(
            decide(Some(&v2), &OrgStructureCommand::PublishDue, due),
            Err(DomainError::Invariant(_))
        ));
        assert!(decide(Some(&v2), &cmd(now), now).is_err());
    }
}
