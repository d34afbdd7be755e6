//! Measurement & KPIs (domain.md §8): KPI definitions with immutable versions, the facts
//! calculators count (extracted from domain events), and the catalogue's pure calculators.
//!
//! A result is `f(version, events up to a cut-off)`: [`facts::extract`] turns each event
//! into facts (deterministically, whatever the batch split), and [`calc::evaluate`]
//! computes a period's result from the facts recorded by the cut-off, with the parts it
//! was computed from (they add up to its numerator and denominator).
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `kpi_definition` | [`definition`] | `kpi.defined`, `kpi.version_published` |

pub mod calc;
pub mod definition;
pub mod facts;
pub mod period;

use crate::activity::{NameLookup, Names, RenderError};
use crate::event::ContextType;

pub use calc::{
    evaluate, fact_kinds, format_tenths, value_tenths, KpiResult, Part, Running, Summary, Tally,
};
pub use definition::{
    evolve_at, Calculator, Grain, KpiCommand, KpiDefined, KpiDefinition, KpiEvent, KpiId,
    KpiParams, KpiSpec, KpiVersion, KpiVersionPublished, Scope, ScopeKind, Unit,
};
pub use facts::{extract, memo_keys, Fact, FactError, FactKind, Memo, Memos, Subject};
pub use period::Period;

/// The job that extracts facts from new events and brings every version's results up to
/// date (backfilling new versions).
pub const JOB_KPI_RUN: &str = "kpi.run";

/// The module's descriptor (see [`crate::module`]).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "kpi",
    events: &[KpiEvent::EVENT_TYPES],
    contexts: &[ContextType::Kpi],
    render,
    names_introduced,
    job_kinds: &[JOB_KPI_RUN],
};

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
    let event = KpiEvent::from_stored(event_type, schema_version, payload)?;
    Ok(match &event {
        KpiEvent::Defined(p) => format!("KPI “{}” was defined", p.name),
        KpiEvent::VersionPublished(p) => format!(
            "Version {} of {} was published: {} by {} per {}",
            p.number,
            names.get(ContextType::Kpi, p.kpi_id.as_uuid()),
            p.spec.calculator.as_str().replace('_', " "),
            p.spec.scope.kind().as_str(),
            p.spec.grain.as_str()
        ),
    })
}

/// The names an event of this module introduces: a KPI by its name.
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    use crate::activity::{clip_name, NamedEntity};
    Ok(
        match KpiEvent::from_stored(event_type, schema_version, payload)? {
            KpiEvent::Defined(p) => vec![NamedEntity {
                kind: ContextType::Kpi,
                id: p.kpi_id.as_uuid(),
                name: clip_name(&format!("KPI “{}”", p.name)),
            }],
            _ => Vec::new(),
        },
    )
}
