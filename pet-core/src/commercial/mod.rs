//! Leads & Opportunities and Quoting & Sales (domain.md §2 and §3): lead schemas with
//! immutable numbered versions, leads and their qualification, opportunities, versioned
//! quotes with exact integer pricing, and the sale an accepted quote records.
//!
//! Each aggregate follows the shape of [`crate::identity`] (commands in, events out):
//! `decide(state, &command, &facts, now)` checks the rules and returns events,
//! `evolve` folds an event into state infallibly, `replay`/`restore` rebuild state, and
//! `Event::from_stored` decodes a stored event.
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `lead_schema` | [`schema`] | `lead_schema.published` |
//! | `lead` | [`lead`] | `lead.created`, `.updated`, `.contacted`, `.qualified`, `.disqualified`, `.archived` |
//! | `opportunity` | [`opportunity`] | `opportunity.created`, `.classified`, `.quoting_started`, `.won`, `.lost` |
//! | `quote` | [`quote`] | `quote.created`, `.version_drafted`, `.version_revised`, `.sent`, `.superseded`, `.accepted`, `.rejected`, `.expired`, `sale.recorded` |
//!
//! Event types beyond domain.md: `lead.archived` (leads are archived after their
//! outcome), `opportunity.quoting_started` (the `open → quoting` transition, naming the
//! quote), `quote.version_revised` (a draft's content changed; the full content is in the
//! payload). `sale.recorded` belongs to the quote's stream (acceptance and sale are one
//! decision, appended together) with the sale as its primary context.
//!
//! Prices are computed in [`pricing`]: exact integer minor units, half-up rounding per
//! line at the marked steps, totals as plain sums of line amounts.

pub mod ids;
pub mod lead;
pub mod opportunity;
pub mod pricing;
pub mod quote;
mod render;
pub mod schema;
pub mod values;

use crate::activity::{NameLookup, Names, RenderError};
use crate::event::{AggregateEvent, ContextRef, ContextType, DomainEvent, RecordedEvent};
use crate::identity::EventDecodeError;

pub use ids::{
    quote_reference, LeadId, LeadSchemaId, LineGroupId, LineId, OpportunityId, QuoteId,
    QuoteNumber, QuoteVersionNumber, SaleId, SchemaVersionNumber,
};
pub use lead::{
    Lead, LeadChanges, LeadCommand, LeadCustomer, LeadEvent, LeadFacts, LeadStatus, NewLead,
    Qualification, SchemaRef,
};
pub use opportunity::{
    Classification, LeadSummary, NewOpportunity, Opportunity, OpportunityCommand, OpportunityEvent,
    OpportunityFacts, OpportunityKind, OpportunityStatus, SizeBand,
};
pub use pricing::{
    Discount, DraftEdit, Interval, LineGroup, LineKind, LineTotals, QuoteContent, QuoteLine,
    QuoteTotals, Totals,
};
pub use quote::{
    NewQuote, Quote, QuoteCommand, QuoteEvent, QuoteFacts, QuoteVersion, QuoteVersionStatus,
    SaleRecorded,
};
pub use schema::{
    CustomFieldError, CustomValue, CustomValues, FieldDefinition, FieldType, LeadSchema,
    LeadSchemaCommand, LeadSchemaEvent, LeadSchemaVersion,
};
pub use values::{BasisPoints, FieldKey, Quantity, Text};

/// Job kind: expire sent quotes whose validity has passed (payload `quote_id`).
pub const JOB_QUOTE_EXPIRY: &str = "quote.expire";

/// The module's descriptor: its event types, contexts, renderer and job kinds (see
/// [`crate::module`]).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "commercial",
    events: &[
        LeadSchemaEvent::EVENT_TYPES,
        LeadEvent::EVENT_TYPES,
        OpportunityEvent::EVENT_TYPES,
        QuoteEvent::EVENT_TYPES,
    ],
    contexts: &[
        ContextType::Lead,
        ContextType::LeadSchema,
        ContextType::Opportunity,
        ContextType::Quote,
        ContextType::Sale,
    ],
    render,
    names_introduced,
    job_kinds: &[JOB_QUOTE_EXPIRY],
};

/// Any commercial event, for code that handles the whole module (projectors, the
/// activity renderer, audit tools).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommercialEvent {
    /// A `lead_schema.*` event.
    LeadSchema(LeadSchemaEvent),
    /// A `lead.*` event.
    Lead(LeadEvent),
    /// An `opportunity.*` event.
    Opportunity(OpportunityEvent),
    /// A `quote.*` or `sale.*` event.
    Quote(QuoteEvent),
}

impl CommercialEvent {
    /// Decodes a stored event of any commercial type.
    pub fn from_stored(
        event_type: &str,
        schema_version: u32,
        payload: &serde_json::Value,
    ) -> Result<Self, EventDecodeError> {
        match event_type.split('.').next() {
            Some("lead_schema") => {
                LeadSchemaEvent::from_stored(event_type, schema_version, payload)
                    .map(Self::LeadSchema)
            }
            Some("lead") => {
                LeadEvent::from_stored(event_type, schema_version, payload).map(Self::Lead)
            }
            Some("opportunity") => {
                OpportunityEvent::from_stored(event_type, schema_version, payload)
                    .map(Self::Opportunity)
            }
            Some("quote" | "sale") => {
                QuoteEvent::from_stored(event_type, schema_version, payload).map(Self::Quote)
            }
            _ => Err(EventDecodeError::UnknownType(event_type.to_owned())),
        }
    }

    /// Decodes a recorded event (upcast it with the registry first).
    pub fn from_recorded(event: &RecordedEvent) -> Result<Self, EventDecodeError> {
        Self::from_stored(
            event.event.event_type().as_str(),
            event.event.schema_version(),
            event.event.payload(),
        )
    }

    fn inner(&self) -> &dyn DomainEvent {
        match self {
            Self::LeadSchema(e) => e,
            Self::Lead(e) => e,
            Self::Opportunity(e) => e,
            Self::Quote(e) => e,
        }
    }
}

impl DomainEvent for CommercialEvent {
    fn event_type(&self) -> &'static str {
        self.inner().event_type()
    }
    fn schema_version(&self) -> u32 {
        self.inner().schema_version()
    }
    fn payload(&self) -> serde_json::Value {
        self.inner().payload()
    }
}

impl AggregateEvent for CommercialEvent {
    fn context(&self) -> ContextRef {
        match self {
            Self::LeadSchema(e) => e.context(),
            Self::Lead(e) => e.context(),
            Self::Opportunity(e) => e.context(),
            Self::Quote(e) => e.context(),
        }
    }
    fn aggregate_type(&self) -> &'static str {
        match self {
            Self::LeadSchema(e) => e.aggregate_type(),
            Self::Lead(e) => e.aggregate_type(),
            Self::Opportunity(e) => e.aggregate_type(),
            Self::Quote(e) => e.aggregate_type(),
        }
    }
    fn aggregate_id(&self) -> uuid::Uuid {
        match self {
            Self::LeadSchema(e) => e.aggregate_id(),
            Self::Lead(e) => e.aggregate_id(),
            Self::Opportunity(e) => e.aggregate_id(),
            Self::Quote(e) => e.aggregate_id(),
        }
    }
}

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
    let event = CommercialEvent::from_stored(event_type, schema_version, payload)?;
    Ok(render::line(&event, names))
}

/// The names an event of this module introduces (for the projector's name table, so later
/// lines can name the entity): an opportunity by its title, a quote by its reference
/// (`Q-12`), a sale by its quote (`sale of Q-12`), a lead about a new company by that
/// company (a lead about an existing customer keeps kind + short id: the event does not
/// carry the customer's name).
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    use crate::activity::NamedEntity;
    use crate::event::ContextType as K;
    let named = |kind, id: uuid::Uuid, name: String| NamedEntity { kind, id, name };
    Ok(
        match CommercialEvent::from_stored(event_type, schema_version, payload)? {
            CommercialEvent::Lead(LeadEvent::Created(p)) => match &p.customer {
                lead::LeadCustomer::New { name } => {
                    vec![named(
                        K::Lead,
                        p.lead_id.as_uuid(),
                        format!("lead for {name}"),
                    )]
                }
                lead::LeadCustomer::Existing { .. } => Vec::new(),
            },
            CommercialEvent::Opportunity(OpportunityEvent::Created(p)) => vec![named(
                K::Opportunity,
                p.opportunity_id.as_uuid(),
                p.title.to_string(),
            )],
            CommercialEvent::Quote(QuoteEvent::Created(p)) => vec![named(
                K::Quote,
                p.quote_id.as_uuid(),
                p.quote_number.reference(),
            )],
            CommercialEvent::Quote(QuoteEvent::SaleRecorded(p)) => vec![named(
                K::Sale,
                p.sale_id.as_uuid(),
                format!("sale of {}", p.quote_number.reference()),
            )],
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_valid_unique_and_decodable() {
        let mut seen = std::collections::BTreeSet::new();
        for t in MODULE.event_types().map(|s| s.name) {
            assert!(crate::event::EventType::new(t).is_ok(), "{t}");
            assert!(seen.insert(t), "{t} twice");
            // Every type is routed to a decoder (an empty payload is a payload error,
            // not an unknown type).
            assert!(
                matches!(
                    CommercialEvent::from_stored(t, 1, &serde_json::json!({})),
                    Err(EventDecodeError::Payload { .. })
                ),
                "{t}"
            );
        }
        assert_eq!(
            CommercialEvent::from_stored("lead.nope", 1, &serde_json::json!({})),
            Err(EventDecodeError::UnknownType("lead.nope".into()))
        );
        assert!(matches!(
            CommercialEvent::from_stored("lead.archived", 2, &serde_json::json!({})),
            Err(EventDecodeError::UnsupportedVersion { .. })
        ));
    }

    #[test]
    fn names_introduced_name_opportunities_quotes_sales_and_new_company_leads() {
        let id = "0190a1b2-0000-7000-8000-000000000001";
        let other = "0190a1b2-0000-7000-8000-000000000002";
        let q = serde_json::json!({"quote_id": id, "quote_number": 12, "opportunity_id": other,
            "customer_id": other, "currency": "EUR", "title": "Relaunch"});
        let n = names_introduced("quote.created", 1, &q).unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].name, "Q-12");
        assert_eq!(n[0].kind, crate::event::ContextType::Quote);
        let o = serde_json::json!({"opportunity_id": id, "lead_id": other, "customer_id": other,
            "owner_id": other, "title": "Relaunch", "expected_value": {"amount_minor": 1, "currency": "EUR"},
            "expected_close": "2026-01-01"});
        assert_eq!(
            names_introduced("opportunity.created", 1, &o).unwrap()[0].name,
            "Relaunch"
        );
        let l = serde_json::json!({"lead_id": id, "customer": {"kind": "new", "name": "Newco"},
            "source": "web", "owner_id": other, "schema": null, "custom_values": {}});
        assert_eq!(
            names_introduced("lead.created", 1, &l).unwrap()[0].name,
            "lead for Newco"
        );
        let l2 = serde_json::json!({"lead_id": id, "customer": {"kind": "existing", "customer_id": other},
            "source": "web", "owner_id": other, "schema": null, "custom_values": {}});
        assert!(names_introduced("lead.created", 1, &l2).unwrap().is_empty());
        assert!(names_introduced("quote.sent", 1, &serde_json::json!({})).is_err());
    }
}
