//! Customer portal (issue 17): which WordPress user signs in to the portal as which
//! customer contact. The portal's tickets, replies and knowledge search run through the
//! helpdesk's and knowledge's own aggregates (a contact's reply is a `ticket.replied` by that
//! contact, allowed only on its customer's tickets: [`crate::helpdesk::TicketFacts::with_contact`]).
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `portal_access` | [`access`] | `portal.access_granted`, `portal.access_revoked` |

pub mod access;

use crate::activity::{NameLookup, Names, RenderError};
use crate::event::ContextType;

pub use access::{
    PortalAccess, PortalAccessGranted, PortalAccessRevoked, PortalCommand, PortalEvent, PortalFacts,
};

/// The module's descriptor: its event types, renderer and job kinds (see [`crate::module`]).
/// Its events are about a customer (their context is the customer's, in the people area).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "portal",
    events: &[PortalEvent::EVENT_TYPES],
    contexts: &[],
    render,
    names_introduced,
    job_kinds: &[],
};

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
    let event = PortalEvent::from_stored(event_type, schema_version, payload)?;
    let customer = names.get(ContextType::Customer, event.customer_id().as_uuid());
    Ok(match &event {
        PortalEvent::Granted(p) => match p.previous_wp_user_id {
            None => format!(
                "Contact {} of {customer} was given portal access as WordPress user #{}",
                p.contact_id, p.wp_user_id
            ),
            Some(old) => format!(
                "Contact {} of {customer} now signs in to the portal as WordPress user #{} (was #{old})",
                p.contact_id, p.wp_user_id
            ),
        },
        PortalEvent::Revoked(p) => format!(
            "Contact {} of {customer} lost portal access (WordPress user #{})",
            p.contact_id, p.wp_user_id
        ),
    })
}

/// The names an event of this module introduces: none.
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    PortalEvent::from_stored(event_type, schema_version, payload)?;
    Ok(Vec::new())
}
