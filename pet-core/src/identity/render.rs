//! Activity lines of the Identity & Organisation events, e.g.
//! `Ana Ruiz joined Web Team as lead from 2026-01-05`, and the names they introduce.

use chrono::NaiveDate;
use uuid::Uuid;

use super::customer::CustomerEvent;
use super::employee::{DatedRate, EmployeeEvent};
use super::org::{OrgStructureEvent, OrgVersionDetails};
use super::team::TeamEvent;
use super::IdentityEvent;
use crate::activity::{NameLookup, NamedEntity, Names, RenderError};
use crate::event::ContextType;

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let event = IdentityEvent::from_stored(event_type, schema_version, payload)?;
    Ok(line(&event, &Names(names)))
}

/// The names an event of this module introduces: a created employee, team or customer
/// (contacts are not listed: their names travel in their own events).
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<NamedEntity>, RenderError> {
    let named = |kind, id: Uuid, name: &super::Name| NamedEntity {
        kind,
        id,
        name: name.to_string(),
    };
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

fn line(event: &IdentityEvent, n: &Names<'_, dyn NameLookup + '_>) -> String {
    use ContextType as K;
    match event {
        IdentityEvent::Employee(e) => {
            let who = n.get(K::Employee, e.employee_id().as_uuid());
            match e {
                EmployeeEvent::Created(p) => {
                    let mut s = if crate::privacy::is_erased_email(p.email.as_str()) {
                        format!("{} joined as an employee", p.name)
                    } else {
                        format!("{} ({}) joined as an employee", p.name, p.email)
                    };
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
                EmployeeEvent::PersonalDataErased(_) => {
                    format!("{who}'s personal data was erased")
                }
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
                CustomerEvent::ContactErased(_) => {
                    format!("A contact of {customer} had their personal data erased")
                }
            }
        }
    }
}
