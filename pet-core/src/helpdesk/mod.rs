//! Helpdesk & SLA: tickets, SLA definitions and the SLA clock (domain.md §6).
//!
//! Not built yet: this module registers no event types and renders none.

use crate::activity::{NameLookup, Names, RenderError};

/// Every event type of this module (registered by [`crate::pet_registry`]).
pub const EVENT_TYPES: &[&str] = &[];

/// Renders one of [`EVENT_TYPES`] as an activity line.
pub(crate) fn render<N: NameLookup + ?Sized>(
    event_type: &str,
    _schema_version: u32,
    _payload: &serde_json::Value,
    _names: &Names<'_, N>,
) -> Result<String, RenderError> {
    Err(RenderError::UnknownType(event_type.to_owned()))
}
