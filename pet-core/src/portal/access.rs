//! The PortalAccess aggregate (one per contact, id = the contact's id): which WordPress user
//! signs in to the customer portal as the contact. Granted by staff (linking a WordPress
//! user), revoked by staff; a WordPress user is a portal user of at most one contact, and
//! never a staff user.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::domain_events;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::{ContactId, CustomerId, CustomerStatus, WpUserId};

/// The aggregate type of portal access.
pub const AGGREGATE_TYPE: &str = "portal_access";

/// A contact's portal access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAccess {
    contact_id: ContactId,
    customer_id: CustomerId,
    wp_user_id: Option<WpUserId>,
    version: u64,
}

impl PortalAccess {
    /// Rebuilds the state from its row.
    pub fn restore(
        contact_id: ContactId,
        customer_id: CustomerId,
        wp_user_id: Option<WpUserId>,
        version: u64,
    ) -> Self {
        Self {
            contact_id,
            customer_id,
            wp_user_id,
            version,
        }
    }
    /// The contact.
    pub fn contact_id(&self) -> ContactId {
        self.contact_id
    }
    /// The contact's customer (whose tickets the portal shows).
    pub fn customer_id(&self) -> CustomerId {
        self.customer_id
    }
    /// The WordPress user who signs in as the contact (`None`: access revoked).
    pub fn wp_user_id(&self) -> Option<WpUserId> {
        self.wp_user_id
    }
    /// Number of events applied.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// What can be asked of a contact's portal access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalCommand {
    /// Links a WordPress user to the contact (first grant, or a change of user).
    Grant {
        /// The contact.
        contact_id: ContactId,
        /// The WordPress user.
        wp_user_id: WpUserId,
    },
    /// Removes the link: the user no longer reaches the portal as the contact.
    Revoke,
}

/// What the rules need to know about other aggregates, loaded by the application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalFacts {
    /// The contact's customer and its status (`None`: no such contact).
    pub contact: Option<(CustomerId, CustomerStatus)>,
    /// The contact the WordPress user is a portal user of already, if any.
    pub user_linked_to: Option<ContactId>,
    /// Whether the WordPress user is an employee's (staff never sign in as a customer).
    pub user_is_employee: bool,
}

/// Payload of `portal.access_granted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalAccessGranted {
    /// The contact.
    pub contact_id: ContactId,
    /// Its customer.
    pub customer_id: CustomerId,
    /// The WordPress user.
    pub wp_user_id: WpUserId,
    /// The user linked before (a change of user), if any.
    pub previous_wp_user_id: Option<WpUserId>,
}

/// Payload of `portal.access_revoked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalAccessRevoked {
    /// The contact.
    pub contact_id: ContactId,
    /// Its customer.
    pub customer_id: CustomerId,
    /// The WordPress user who lost access.
    pub wp_user_id: WpUserId,
}

domain_events! {
    /// Facts about a contact's portal access.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum PortalEvent {
        /// `portal.access_granted` (primary context: the customer)
        Granted(PortalAccessGranted) = "portal.access_granted",
        /// `portal.access_revoked` (primary context: the customer)
        Revoked(PortalAccessRevoked) = "portal.access_revoked",
    }
}

impl PortalEvent {
    /// The contact.
    pub fn contact_id(&self) -> ContactId {
        match self {
            Self::Granted(p) => p.contact_id,
            Self::Revoked(p) => p.contact_id,
        }
    }
    /// The contact's customer.
    pub fn customer_id(&self) -> CustomerId {
        match self {
            Self::Granted(p) => p.customer_id,
            Self::Revoked(p) => p.customer_id,
        }
    }
}

impl AggregateEvent for PortalEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.contact_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Customer, self.customer_id().as_uuid())
    }
}

/// Decides a command against the current state (`None`: never granted).
///
/// Rules: the contact must exist and its customer be active; the WordPress user must not be
/// an employee's nor another contact's portal user; granting the user already linked, or
/// revoking access that is not there, changes nothing and is refused.
pub fn decide(
    state: Option<&PortalAccess>,
    cmd: &PortalCommand,
    facts: &PortalFacts,
    _now: DateTime<Utc>,
) -> Result<Vec<PortalEvent>, DomainError> {
    match cmd {
        PortalCommand::Grant {
            contact_id,
            wp_user_id,
        } => {
            if let Some(s) = state {
                if s.contact_id != *contact_id {
                    return Err(DomainError::invariant(format!(
                        "portal access {} is not contact {contact_id}'s",
                        s.contact_id
                    )));
                }
            }
            let customer_id = match facts.contact {
                None => return Err(DomainError::field("contact_id", "is not a known contact")),
                Some((_, CustomerStatus::Archived)) => {
                    return Err(DomainError::invariant(
                        "the contact's customer is archived and gets no portal access",
                    ))
                }
                Some((c, CustomerStatus::Active)) => c,
            };
            if facts.user_is_employee {
                return Err(DomainError::field(
                    "wp_user_id",
                    "is a staff user (linked to an employee) and cannot be a customer",
                ));
            }
            match facts.user_linked_to {
                Some(other) if other != *contact_id => {
                    return Err(DomainError::field(
                        "wp_user_id",
                        format!("is already the portal user of contact {other}"),
                    ))
                }
                _ => {}
            }
            let previous = state.and_then(|s| s.wp_user_id);
            if previous == Some(*wp_user_id) {
                return Err(DomainError::invariant(format!(
                    "contact {contact_id} already has portal access as WordPress user {wp_user_id}"
                )));
            }
            Ok(vec![PortalEvent::Granted(PortalAccessGranted {
                contact_id: *contact_id,
                customer_id,
                wp_user_id: *wp_user_id,
                previous_wp_user_id: previous,
            })])
        }
        PortalCommand::Revoke => match state.and_then(|s| s.wp_user_id.map(|u| (s, u))) {
            Some((s, wp_user_id)) => Ok(vec![PortalEvent::Revoked(PortalAccessRevoked {
                contact_id: s.contact_id,
                customer_id: s.customer_id,
                wp_user_id,
            })]),
            None => Err(DomainError::invariant("the contact has no portal access")),
        },
    }
}

/// Folds one event into the state. Infallible.
pub fn evolve(state: Option<PortalAccess>, ev: &PortalEvent) -> Option<PortalAccess> {
    let version = state.as_ref().map_or(0, |s| s.version) + 1;
    Some(match ev {
        PortalEvent::Granted(p) => PortalAccess {
            contact_id: p.contact_id,
            customer_id: p.customer_id,
            wp_user_id: Some(p.wp_user_id),
            version,
        },
        PortalEvent::Revoked(p) => PortalAccess {
            contact_id: p.contact_id,
            customer_id: p.customer_id,
            wp_user_id: None,
            version,
        },
    })
}

impl crate::aggregate::Aggregate for PortalAccess {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = PortalCommand;
    type Event = PortalEvent;
    type Facts = PortalFacts;

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &PortalCommand,
        facts: &PortalFacts,
        now: DateTime<Utc>,
    ) -> Result<Vec<PortalEvent>, DomainError> {
        decide(state, cmd, facts, now)
    }

    fn evolve(state: Option<Self>, event: &PortalEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(n: u128) -> ContactId {
        ContactId::from_uuid(Uuid::from_u128(n))
    }
    fn customer() -> CustomerId {
        CustomerId::from_uuid(Uuid::from_u128(20))
    }
    fn user(n: i64) -> WpUserId {
        WpUserId::from_i64(n).unwrap()
    }
    fn now() -> DateTime<Utc> {
        "2026-01-05T09:00:00Z".parse().unwrap()
    }
    fn active() -> PortalFacts {
        PortalFacts {
            contact: Some((customer(), CustomerStatus::Active)),
            ..PortalFacts::default()
        }
    }
    fn grant(c: u128, u: i64) -> PortalCommand {
        PortalCommand::Grant {
            contact_id: contact(c),
            wp_user_id: user(u),
        }
    }
    fn step(
        s: Option<PortalAccess>,
        cmd: &PortalCommand,
        f: &PortalFacts,
    ) -> Result<Option<PortalAccess>, DomainError> {
        let evs = decide(s.as_ref(), cmd, f, now())?;
        Ok(evs.iter().fold(s, evolve))
    }

    #[test]
    fn grant_change_and_revoke() {
        let s = step(None, &grant(1, 7), &active()).unwrap();
        let a = s.clone().unwrap();
        assert_eq!(
            (a.wp_user_id(), a.customer_id(), a.version()),
            (Some(user(7)), customer(), 1)
        );
        assert_eq!(
            step(s.clone(), &grant(1, 7), &active()),
            Err(DomainError::invariant(format!(
                "contact {} already has portal access as WordPress user 7",
                contact(1)
            )))
        );
        let evs = decide(s.as_ref(), &grant(1, 8), &active(), now()).unwrap();
        assert!(matches!(
            evs.as_slice(),
            [PortalEvent::Granted(PortalAccessGranted { previous_wp_user_id: Some(p), .. })] if *p == user(7)
        ));
        let s = step(s, &PortalCommand::Revoke, &active()).unwrap();
        assert_eq!(
            s.as_ref().map(|a| (a.wp_user_id(), a.version())),
            Some((None, 2))
        );
        assert_eq!(
            step(s, &PortalCommand::Revoke, &active()),
            Err(DomainError::invariant("the contact has no portal access"))
        );
        assert_eq!(
            step(None, &PortalCommand::Revoke, &active()),
            Err(DomainError::invariant("the contact has no portal access"))
        );
    }

    #[test]
    fn refuses_unknown_contacts_archived_customers_staff_and_taken_users() {
        assert_eq!(
            step(None, &grant(1, 7), &PortalFacts::default()),
            Err(DomainError::field("contact_id", "is not a known contact"))
        );
        let archived = PortalFacts {
            contact: Some((customer(), CustomerStatus::Archived)),
            ..PortalFacts::default()
        };
        assert!(matches!(
            step(None, &grant(1, 7), &archived),
            Err(DomainError::Invariant(_))
        ));
        let staff = PortalFacts {
            user_is_employee: true,
            ..active()
        };
        assert!(matches!(
            step(None, &grant(1, 7), &staff),
            Err(DomainError::Validation(_))
        ));
        let taken = PortalFacts {
            user_linked_to: Some(contact(2)),
            ..active()
        };
        assert!(matches!(
            step(None, &grant(1, 7), &taken),
            Err(DomainError::Validation(_))
        ));
        // The user linked to this very contact (after a revoke, say) is no obstacle.
        let own = PortalFacts {
            user_linked_to: Some(contact(1)),
            ..active()
        };
        assert!(step(None, &grant(1, 7), &own).is_ok());
    }
}
