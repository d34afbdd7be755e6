//! The module map: one [`Module`] descriptor per bounded domain (identity, commercial,
//! helpdesk, knowledge), and [`MODULES`], the one list the event registry, the activity
//! renderer and the application's job dispatch are built from.
//!
//! Adding a module means writing its folder (aggregates, events, its descriptor) and adding
//! one line to [`MODULES`]; nothing else in the crate lists event types, renderers or job
//! kinds.

use crate::activity::{NameLookup, NamedEntity, RenderError};
use crate::aggregate::EventTypeSpec;
use crate::event::ContextType;

/// Renders one stored event of the module as an activity line (`names` resolves the
/// entities it refers to by id).
pub type RenderFn =
    fn(&str, u32, &serde_json::Value, &dyn NameLookup) -> Result<String, RenderError>;

/// The names one stored event of the module introduces (for the feed's name table).
pub type NamesFn = fn(&str, u32, &serde_json::Value) -> Result<Vec<NamedEntity>, RenderError>;

/// What a module contributes to the shared machinery.
#[derive(Debug, Clone, Copy)]
pub struct Module {
    /// The module's name, the same in every layer (`pet-core/src/<name>`,
    /// `pet-storage-mysql/src/<name>`, `Pet\<Name>`, `wp-plugin/includes/modules/<name>`).
    pub name: &'static str,
    /// Its event types, one list per event enum (name, schema version, upcasters).
    pub events: &'static [&'static [EventTypeSpec]],
    /// The context types its events are about.
    pub contexts: &'static [ContextType],
    /// Its activity-line renderer.
    pub render: RenderFn,
    /// The names its events introduce.
    pub names_introduced: NamesFn,
    /// The background job kinds it owns (the application runs them).
    pub job_kinds: &'static [&'static str],
}

impl Module {
    /// Every event type of the module.
    pub fn event_types(&self) -> impl Iterator<Item = &'static EventTypeSpec> {
        self.events.iter().flat_map(|list| list.iter())
    }

    /// Whether `event_type` is one of the module's.
    pub fn owns_event(&self, event_type: &str) -> bool {
        self.event_types().any(|s| s.name == event_type)
    }
}

/// Every module of PET, in menu order.
pub const MODULES: &[&Module] = &[
    &crate::identity::MODULE,
    &crate::commercial::MODULE,
    &crate::helpdesk::MODULE,
    &crate::knowledge::MODULE,
    &crate::delivery::MODULE,
    &crate::kpi::MODULE,
    &crate::portal::MODULE,
    &crate::accounting::MODULE,
    &crate::mail::MODULE,
];

/// An area of access: what a WordPress role may see (`pet_view_<area>`) or change
/// (`pet_manage_<area>`). Every context type belongs to exactly one area ([`Area::of`]), so
/// the activity feed, an entity's history and its state as of a date are shown to a user by
/// the areas they may see; the plugin maps areas onto capabilities and roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    /// Employees, teams, the org structure, customers and their contacts.
    People,
    /// Leads, lead schemas, opportunities, quotes and sales.
    Sales,
    /// Tickets and SLA definitions.
    Support,
    /// The knowledgebase.
    Knowledge,
    /// Projects, time entries, the period lock, capacity and allocations.
    Delivery,
    /// PET's own configuration: jobs, health, KPI definitions.
    Settings,
}

impl Area {
    /// Every area, in menu order.
    pub const ALL: [Area; 6] = [
        Area::People,
        Area::Sales,
        Area::Support,
        Area::Knowledge,
        Area::Delivery,
        Area::Settings,
    ];

    /// The area's name in capabilities and queries (`people`, `sales`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Area::People => "people",
            Area::Sales => "sales",
            Area::Support => "support",
            Area::Knowledge => "knowledge",
            Area::Delivery => "delivery",
            Area::Settings => "settings",
        }
    }

    /// The area a context type belongs to. Exhaustive on purpose: a new context type does
    /// not compile until its area is named here.
    pub fn of(context: ContextType) -> Area {
        match context {
            ContextType::Employee
            | ContextType::Team
            | ContextType::OrgStructure
            | ContextType::Customer => Area::People,
            ContextType::Lead
            | ContextType::LeadSchema
            | ContextType::Opportunity
            | ContextType::Quote
            | ContextType::Sale => Area::Sales,
            ContextType::Ticket | ContextType::SlaDefinition => Area::Support,
            ContextType::KnowledgeArticle => Area::Knowledge,
            ContextType::Project | ContextType::TimeEntry | ContextType::TimePeriod => {
                Area::Delivery
            }
            ContextType::Kpi | ContextType::AccountingPush => Area::Settings,
        }
    }

    /// The context types of the area, in declaration order.
    pub fn context_types(self) -> impl Iterator<Item = ContextType> {
        ContextType::ALL
            .into_iter()
            .filter(move |c| Area::of(*c) == self)
    }
}

impl std::str::FromStr for Area {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Area::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown area {s:?}"))
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The module that owns `event_type`.
pub fn module_of_event(event_type: &str) -> Option<&'static Module> {
    MODULES.iter().copied().find(|m| m.owns_event(event_type))
}

/// The module that owns the job kind `kind`.
pub fn module_of_job(kind: &str) -> Option<&'static Module> {
    MODULES
        .iter()
        .copied()
        .find(|m| m.job_kinds.contains(&kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn event_types_job_kinds_and_contexts_belong_to_one_module_each() {
        let mut types = BTreeSet::new();
        let mut jobs = BTreeSet::new();
        let mut contexts = BTreeSet::new();
        let mut names = BTreeSet::new();
        for m in MODULES {
            assert!(names.insert(m.name), "module {} twice", m.name);
            for s in m.event_types() {
                assert!(types.insert(s.name), "{} in two modules", s.name);
                assert!(crate::event::EventType::new(s.name).is_ok(), "{}", s.name);
                assert_eq!(s.version as usize, s.upcasters.len() + 1, "{}", s.name);
                assert_eq!(module_of_event(s.name).map(|m| m.name), Some(m.name));
            }
            for j in m.job_kinds {
                assert!(jobs.insert(*j), "job kind {j} in two modules");
                assert_eq!(module_of_job(j).map(|m| m.name), Some(m.name));
            }
            for c in m.contexts {
                assert!(contexts.insert(*c), "context {c} in two modules");
            }
        }
        assert!(module_of_event("nothing.happened").is_none());
        assert!(module_of_job("nothing").is_none());
    }

    #[test]
    fn every_context_type_has_one_area_and_a_module_s_contexts_share_it() {
        let mut seen = BTreeSet::new();
        for a in Area::ALL {
            assert_eq!(a.as_str().parse::<Area>(), Ok(a));
            for c in a.context_types() {
                assert_eq!(Area::of(c), a);
                assert!(seen.insert(c), "{c} in two areas");
            }
        }
        assert_eq!(seen.len(), ContextType::ALL.len());
        // Each module's contexts are one area (the plugin's screens are per module); a
        // module whose events are all about another module's contexts (the portal's are
        // about customers) declares none.
        for m in MODULES {
            let areas: BTreeSet<Area> = m.contexts.iter().map(|c| Area::of(*c)).collect();
            assert!(areas.len() <= 1, "module {} spans {areas:?}", m.name);
            assert!(
                !areas.is_empty() || m.name == "portal" || m.name == "mail",
                "module {} has no context",
                m.name
            );
        }
        assert!("nowhere".parse::<Area>().is_err());
        assert_eq!(Area::of(ContextType::Quote), Area::Sales);
        assert_eq!(Area::of(ContextType::TimeEntry), Area::Delivery);
    }
}
