//! The activity-feed renderer: one human-readable English line per event type and schema
//! version, e.g. `Ana Ruiz joined Web Team as lead from 2026-01-05`.
//!
//! Names of entities an event only refers to by id come from a [`NameLookup`] the caller
//! (the projector) implements; an unknown one is shown as its kind and short id
//! (`employee 5f3c9d21`). Names an event carries itself (a created employee's name) are
//! taken from the payload, so the line tells what happened then. Unknown types and schema
//! versions are reported as [`RenderError`], never a panic.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::event::{ContextType, NewEvent, RecordedEvent};
use crate::identity::customer::CustomerEvent;
use crate::identity::employee::{DatedRate, EmployeeEvent};
use crate::identity::ids::short_id;
use crate::identity::org::{OrgStructureEvent, OrgVersionDetails};
use crate::identity::team::TeamEvent;
use crate::identity::{EventDecodeError, IdentityEvent};

/// Resolves the current name of an entity the event refers to by id.
pub trait NameLookup {
    /// The display name of the `kind` entity `id`, or `None` when unknown.
    fn name(&self, kind: ContextType, id: Uuid) -> Option<String>;
}

/// A lookup that knows no names (every reference renders as kind + short id).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl NameLookup for NoNames {
    fn name(&self, _kind: ContextType, _id: Uuid) -> Option<String> {
        None
    }
}

impl NameLookup for BTreeMap<Uuid, String> {
    fn name(&self, _kind: ContextType, id: Uuid) -> Option<String> {
        self.get(&id).cloned()
    }
}

impl<S: std::hash::BuildHasher> NameLookup for HashMap<Uuid, String, S> {
    fn name(&self, _kind: ContextType, id: Uuid) -> Option<String> {
        self.get(&id).cloned()
    }
}

impl<F: Fn(ContextType, Uuid) -> Option<String>> NameLookup for F {
    fn name(&self, kind: ContextType, id: Uuid) -> Option<String> {
        self(kind, id)
    }
}

/// Why an event could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// No renderer exists for this event type.
    #[error("no activity line for event type {0}")]
    UnknownType(String),
    /// The event's schema version is not one this renderer knows (upcast it first).
    #[error("no activity line for {event_type} schema version {found} (known: {known})")]
    UnsupportedVersion {
        /// The event type.
        event_type: String,
        /// The version found.
        found: u32,
        /// The version this renderer knows.
        known: u32,
    },
    /// The payload does not match its type's schema.
    #[error("cannot render {event_type}: {reason}")]
    Payload {
        /// The event type.
        event_type: String,
        /// What was wrong.
        reason: String,
    },
}

impl From<EventDecodeError> for RenderError {
    fn from(e: EventDecodeError) -> Self {
        match e {
            EventDecodeError::UnknownType(t) => RenderError::UnknownType(t),
            EventDecodeError::UnsupportedVersion {
                event_type,
                found,
                expected,
            } => RenderError::UnsupportedVersion {
                event_type,
                found,
                known: expected,
            },
            EventDecodeError::Payload { event_type, reason } => {
                RenderError::Payload { event_type, reason }
            }
        }
    }
}

/// Renders a stored event `(event_type, schema_version, payload)` as one line.
pub fn render<N: NameLookup + ?Sized>(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &N,
) -> Result<String, RenderError> {
    if crate::commercial::EVENT_TYPES.contains(&event_type) {
        return crate::commercial::render(event_type, schema_version, payload, &Names(names));
    }
    if crate::helpdesk::EVENT_TYPES.contains(&event_type) {
        return crate::helpdesk::render(event_type, schema_version, payload, &Names(names));
    }
    if crate::knowledge::EVENT_TYPES.contains(&event_type) {
        return crate::knowledge::render(event_type, schema_version, payload, &Names(names));
    }
    let event = IdentityEvent::from_stored(event_type, schema_version, payload)?;
    Ok(render_identity(&event, &Names(names)))
}

/// Renders an event about to be appended.
pub fn render_event<N: NameLookup + ?Sized>(
    event: &NewEvent,
    names: &N,
) -> Result<String, RenderError> {
    render(
        event.event_type().as_str(),
        event.schema_version(),
        event.payload(),
        names,
    )
}

/// Renders a recorded event (upcast it with the registry first).
pub fn render_recorded<N: NameLookup + ?Sized>(
    event: &RecordedEvent,
    names: &N,
) -> Result<String, RenderError> {
    render_event(&event.event, names)
}

/// An entity's name as an event states it: what a projector stores to answer
/// [`NameLookup`] later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedEntity {
    /// What kind of entity.
    pub kind: ContextType,
    /// Its id.
    pub id: Uuid,
    /// Its name as of the event.
    pub name: String,
}

/// The names an event introduces (a created employee, team or customer), for projectors
/// that keep a name table. Events that introduce no name give an empty list; contacts are
/// not listed (their names travel in their own events).
pub fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<NamedEntity>, RenderError> {
    let named = |kind, id: Uuid, name: &crate::identity::Name| NamedEntity {
        kind,
        id,
        name: name.to_string(),
    };
    if crate::commercial::EVENT_TYPES.contains(&event_type) {
        return crate::commercial::names_introduced(event_type, schema_version, payload);
    }
    if crate::helpdesk::EVENT_TYPES.contains(&event_type) {
        return crate::helpdesk::names_introduced(event_type, schema_version, payload);
    }
    if crate::knowledge::EVENT_TYPES.contains(&event_type) {
        return crate::knowledge::names_introduced(event_type, schema_version, payload);
    }
    Ok(
        match IdentityEvent::from_stored(event_type, schema_version, payload)? {
            IdentityEvent::Employee(EmployeeEvent::Created(p)) => {
                vec![named(
                    ContextType::Employee,
                    p.employee_id.as_uuid(),
                    &p.name,
                )]
            }
            IdentityEvent::Team(TeamEvent::Created(p)) => {
                vec![named(ContextType::Team, p.team_id.as_uuid(), &p.name)]
            }
            IdentityEvent::Customer(CustomerEvent::Created(p)) => {
                vec![named(
                    ContextType::Customer,
                    p.customer_id.as_uuid(),
                    &p.name,
                )]
            }
            _ => Vec::new(),
        },
    )
}

/// The longest name a projector's name table keeps (characters).
pub const MAX_NAME_CHARS: usize = 200;

/// `name` cut to [`MAX_NAME_CHARS`] characters (with an ellipsis when cut).
pub(crate) fn clip_name(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let mut s: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
    s.push('…');
    s
}

/// A [`NameLookup`] with the fallback to kind + short id, shared by every module's renderer.
pub(crate) struct Names<'a, N: ?Sized>(pub(crate) &'a N);

impl<N: NameLookup + ?Sized> Names<'_, N> {
    /// The entity's name, or its kind and short id when unknown.
    pub(crate) fn get(&self, kind: ContextType, id: Uuid) -> String {
        self.0
            .name(kind, id)
            .unwrap_or_else(|| format!("{} {}", kind_word(kind), short_id(id)))
    }
}

fn kind_word(kind: ContextType) -> &'static str {
    match kind {
        ContextType::OrgStructure => "org structure",
        ContextType::LeadSchema => "lead schema",
        ContextType::SlaDefinition => "SLA definition",
        ContextType::KnowledgeArticle => "article",
        ContextType::Kpi => "KPI",
        ContextType::TimeEntry => "time entry",
        other => other.as_str(),
    }
}

fn dated(kind: &str, r: &DatedRate) -> String {
    format!("{kind} rate {} from {}", r.rate, r.effective_from)
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn org_summary(d: &OrgVersionDetails) -> String {
    let teams = d.snapshot.teams.len();
    let members = d.snapshot.memberships.len();
    let mut s = format!(
        "{} ({teams} team{}, {members} membership{})",
        d.effective_at.format("%Y-%m-%d %H:%M UTC"),
        if teams == 1 { "" } else { "s" },
        if members == 1 { "" } else { "s" },
    );
    if !d.note.as_str().is_empty() {
        s.push_str(": ");
        s.push_str(d.note.as_str());
    }
    s
}

fn render_identity<N: NameLookup + ?Sized>(event: &IdentityEvent, n: &Names<'_, N>) -> String {
    use ContextType as K;
    match event {
        IdentityEvent::Employee(e) => {
            let who = n.get(K::Employee, e.employee_id().as_uuid());
            match e {
                EmployeeEvent::Created(p) => {
                    let mut s = format!("{} ({}) joined as an employee", p.name, p.email);
                    if let Some(r) = &p.cost_rate {
                        s.push_str(", ");
                        s.push_str(&dated("cost", r));
                    }
                    if let Some(r) = &p.bill_rate {
                        s.push_str(", ");
                        s.push_str(&dated("bill", r));
                    }
                    if let Some(u) = p.wp_user_id {
                        s.push_str(&format!(", linked to WordPress user #{u}"));
                    }
                    s
                }
                EmployeeEvent::Deactivated(_) => format!("{who} was deactivated"),
                EmployeeEvent::Reactivated(_) => format!("{who} was reactivated"),
                EmployeeEvent::RateChanged(p) => format!(
                    "{who}'s {} rate is {} from {}",
                    p.kind.as_str(),
                    p.rate.rate,
                    day(p.rate.effective_from)
                ),
                EmployeeEvent::UserLinked(p) => match (p.wp_user_id, p.previous_wp_user_id) {
                    (Some(u), _) => format!("{who} was linked to WordPress user #{u}"),
                    (None, Some(u)) => format!("{who} was unlinked from WordPress user #{u}"),
                    (None, None) => format!("{who} was unlinked from WordPress"),
                },
            }
        }
        IdentityEvent::Team(e) => {
            let team = n.get(K::Team, e.team_id().as_uuid());
            let under = |p: Option<crate::identity::TeamId>| match p {
                Some(p) => format!("under {}", n.get(K::Team, p.as_uuid())),
                None => "at the top level".to_owned(),
            };
            match e {
                TeamEvent::Created(p) => {
                    format!("Team {} was created {}", p.name, under(p.parent_id))
                }
                TeamEvent::Moved(p) => match p.parent_id {
                    Some(_) => format!("{team} was moved {}", under(p.parent_id)),
                    None => format!("{team} was moved to the top level"),
                },
                TeamEvent::Archived(_) => format!("{team} was archived"),
                TeamEvent::MemberAdded(p) => {
                    let m = &p.membership;
                    let mut s = format!(
                        "{} joined {team} as {} from {}",
                        n.get(K::Employee, m.employee_id.as_uuid()),
                        m.role.as_str(),
                        day(m.valid_from)
                    );
                    if let Some(to) = m.valid_to {
                        s.push_str(&format!(" to {}", day(to)));
                    }
                    s
                }
                TeamEvent::MemberRemoved(p) => format!(
                    "{} left {team}, last day {}",
                    n.get(K::Employee, p.employee_id.as_uuid()),
                    day(p.valid_to)
                ),
            }
        }
        IdentityEvent::OrgStructure(e) => match e {
            OrgStructureEvent::Scheduled(d) => format!(
                "Org structure version {} was scheduled for {}",
                d.number,
                org_summary(d)
            ),
            OrgStructureEvent::Published(d) => format!(
                "Org structure version {} was published, effective {}",
                d.number,
                org_summary(d)
            ),
        },
        IdentityEvent::Customer(e) => {
            let customer = n.get(K::Customer, e.customer_id().as_uuid());
            match e {
                CustomerEvent::Created(p) => format!("Customer {} was created", p.name),
                CustomerEvent::Archived(_) => format!("{customer} was archived"),
                CustomerEvent::ContactAdded(p) => {
                    let c = &p.contact;
                    let details: Vec<&str> = [
                        c.email.as_ref().map(|e| e.as_str()),
                        c.phone.as_ref().map(|p| p.as_str()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    let mut s = format!("{} was added as a contact of {customer}", c.name);
                    if !details.is_empty() {
                        s.push_str(&format!(" ({})", details.join(", ")));
                    }
                    s
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_types_and_newer_versions_are_errors_not_panics() {
        assert_eq!(
            render("nothing.happened", 1, &json!({}), &NoNames),
            Err(RenderError::UnknownType("nothing.happened".into()))
        );
        assert_eq!(
            render("team.archived", 2, &json!({}), &NoNames),
            Err(RenderError::UnsupportedVersion {
                event_type: "team.archived".into(),
                found: 2,
                known: 1
            })
        );
        assert!(matches!(
            render("team.archived", 1, &json!({"team_id": "nope"}), &NoNames),
            Err(RenderError::Payload { .. })
        ));
    }

    #[test]
    fn creation_events_introduce_names() {
        let id = "0190a1b2-0000-7000-8000-000000000001";
        let p = json!({"team_id": id, "name": "Web Team", "parent_id": null});
        assert_eq!(
            names_introduced("team.created", 1, &p),
            Ok(vec![NamedEntity {
                kind: ContextType::Team,
                id: Uuid::parse_str(id).unwrap(),
                name: "Web Team".into()
            }])
        );
        assert_eq!(
            names_introduced("team.archived", 1, &json!({"team_id": id})),
            Ok(vec![])
        );
        assert!(names_introduced("nothing.happened", 1, &json!({})).is_err());
    }

    #[test]
    fn unknown_names_fall_back_to_kind_and_short_id() {
        let p = json!({"team_id": "0190a1b2-0000-7000-8000-000000000001"});
        assert_eq!(
            render("team.archived", 1, &p, &NoNames).as_deref(),
            Ok("team 00000001 was archived")
        );
        let mut names = BTreeMap::new();
        names.insert(
            Uuid::parse_str("0190a1b2-0000-7000-8000-000000000001").unwrap(),
            "Web Team".to_owned(),
        );
        assert_eq!(
            render("team.archived", 1, &p, &names).as_deref(),
            Ok("Web Team was archived")
        );
        let by_fn = |k: ContextType, _id: Uuid| (k == ContextType::Team).then(|| "Ops".to_owned());
        assert_eq!(
            render("team.archived", 1, &p, &by_fn).as_deref(),
            Ok("Ops was archived")
        );
    }
}
