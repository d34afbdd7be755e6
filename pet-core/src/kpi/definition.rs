//! KPI definitions (domain.md §8): a name and immutable numbered versions, each a
//! calculator from the fixed [`Calculator`] catalogue with its parameters, a [`Scope`] and a
//! period [`Grain`]. Publishing a version never changes an earlier one, so results computed
//! for version 1 stay what they were when version 2 appears.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::domain_events;
use crate::delivery::ProjectId;
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::helpdesk::ids::uuid_id;
use crate::identity::{CustomerId, EmployeeId, Name, TeamId};

/// The aggregate type of KPI definitions.
pub const AGGREGATE_TYPE: &str = "kpi_definition";

uuid_id!(
    /// Identifies a KPI definition (aggregate `kpi_definition`).
    KpiId,
    "KPI"
);

/// The fixed catalogue of calculators. Each is a pure function of facts (see
/// [`crate::kpi::evaluate`]); the README explains each formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calculator {
    /// Approved billable minutes / capacity minutes (percent).
    Utilisation,
    /// Approved billable minutes / all approved minutes (percent).
    BillableRatio,
    /// Leads qualified / leads qualified or disqualified (percent).
    LeadQualificationRate,
    /// Quotes accepted / quotes accepted, rejected or expired (percent).
    QuoteWinRate,
    /// Mean minutes from a quote's creation to its first sending.
    QuoteTurnaround,
    /// (Delivered − sold) / sold minutes on sold projects, to the period's end (percent).
    SoldVsDelivered,
    /// SLA targets met / (met + breached) (percent).
    SlaCompliance,
    /// Mean minutes from a ticket's creation to the first public employee reply.
    FirstResponseTime,
    /// Tickets reopened / tickets resolved (percent).
    ReopenRate,
}

/// What a calculator's value is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A percentage (numerator / denominator × 100).
    Percent,
    /// A mean in minutes (numerator minutes / denominator count).
    Minutes,
}

impl Calculator {
    /// The whole catalogue, in the dashboard's order.
    pub const ALL: [Calculator; 9] = [
        Calculator::Utilisation,
        Calculator::BillableRatio,
        Calculator::LeadQualificationRate,
        Calculator::QuoteWinRate,
        Calculator::QuoteTurnaround,
        Calculator::SoldVsDelivered,
        Calculator::SlaCompliance,
        Calculator::FirstResponseTime,
        Calculator::ReopenRate,
    ];

    /// The stored name, e.g. `quote_win_rate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Calculator::Utilisation => "utilisation",
            Calculator::BillableRatio => "billable_ratio",
            Calculator::LeadQualificationRate => "lead_qualification_rate",
            Calculator::QuoteWinRate => "quote_win_rate",
            Calculator::QuoteTurnaround => "quote_turnaround",
            Calculator::SoldVsDelivered => "sold_vs_delivered",
            Calculator::SlaCompliance => "sla_compliance",
            Calculator::FirstResponseTime => "first_response_time",
            Calculator::ReopenRate => "reopen_rate",
        }
    }

    /// Parses a stored name given as input `field`.
    pub fn parse(field: &str, s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| DomainError::field(field, "is not a calculator of the catalogue"))
    }

    /// The unit of its value.
    pub fn unit(self) -> Unit {
        match self {
            Calculator::QuoteTurnaround | Calculator::FirstResponseTime => Unit::Minutes,
            _ => Unit::Percent,
        }
    }

    /// Whether a higher value is better (the dashboard colours a trend with it).
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Calculator::QuoteTurnaround
                | Calculator::FirstResponseTime
                | Calculator::ReopenRate
                | Calculator::SoldVsDelivered
        )
    }

    /// The scope kinds it can be computed for (its facts carry those dimensions).
    pub fn scope_kinds(self) -> &'static [ScopeKind] {
        use ScopeKind as S;
        match self {
            Calculator::Utilisation | Calculator::LeadQualificationRate => {
                &[S::Org, S::Team, S::Employee]
            }
            Calculator::BillableRatio | Calculator::FirstResponseTime => {
                &[S::Org, S::Team, S::Employee, S::Customer, S::Project]
            }
            Calculator::QuoteWinRate | Calculator::QuoteTurnaround => &[S::Org, S::Customer],
            Calculator::SoldVsDelivered | Calculator::SlaCompliance | Calculator::ReopenRate => {
                &[S::Org, S::Customer, S::Project]
            }
        }
    }
}

/// The kind of a [`Scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// The whole firm.
    Org,
    /// One team.
    Team,
    /// One employee.
    Employee,
    /// One customer.
    Customer,
    /// One project.
    Project,
}

impl ScopeKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Org => "org",
            ScopeKind::Team => "team",
            ScopeKind::Employee => "employee",
            ScopeKind::Customer => "customer",
            ScopeKind::Project => "project",
        }
    }
}

/// Whose facts a KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Every fact.
    Org,
    /// Facts of the team's members on the days they were members: as the org-structure
    /// version in force that day records them (before the first version, as the team's
    /// effective-dated memberships say).
    Team(TeamId),
    /// Facts of one employee.
    Employee(EmployeeId),
    /// Facts about one customer.
    Customer(CustomerId),
    /// Facts about one project.
    Project(ProjectId),
}

impl Scope {
    /// Its kind.
    pub fn kind(&self) -> ScopeKind {
        match self {
            Scope::Org => ScopeKind::Org,
            Scope::Team(_) => ScopeKind::Team,
            Scope::Employee(_) => ScopeKind::Employee,
            Scope::Customer(_) => ScopeKind::Customer,
            Scope::Project(_) => ScopeKind::Project,
        }
    }

    /// The scoped entity's id (`None` for the org).
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Scope::Org => None,
            Scope::Team(id) => Some(id.as_uuid()),
            Scope::Employee(id) => Some(id.as_uuid()),
            Scope::Customer(id) => Some(id.as_uuid()),
            Scope::Project(id) => Some(id.as_uuid()),
        }
    }

    /// Parses a kind (`org`, `team`, …) and, except for the org, an id, as input fields
    /// `scope` and `scope_id`.
    pub fn parse(kind: &str, id: Option<&str>) -> Result<Self, DomainError> {
        let id = || -> Result<Uuid, DomainError> {
            let s = id.map(str::trim).filter(|s| !s.is_empty());
            let s =
                s.ok_or_else(|| DomainError::field("scope_id", "is required for this scope"))?;
            Uuid::parse_str(s).map_err(|_| DomainError::field("scope_id", "is not a valid id"))
        };
        Ok(match kind.trim() {
            "org" => Scope::Org,
            "team" => Scope::Team(TeamId::from_uuid(id()?)),
            "employee" => Scope::Employee(EmployeeId::from_uuid(id()?)),
            "customer" => Scope::Customer(CustomerId::from_uuid(id()?)),
            "project" => Scope::Project(ProjectId::from_uuid(id()?)),
            _ => {
                return Err(DomainError::field(
                    "scope",
                    "must be one of org, team, employee, customer, project",
                ))
            }
        })
    }
}

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
}

impl Grain {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
        }
    }

    /// Parses a stored name given as input `field`.
    pub fn parse(field: &str, s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "week" => Ok(Grain::Week),
            "month" => Ok(Grain::Month),
            "quarter" => Ok(Grain::Quarter),
            _ => Err(DomainError::field(field, "must be week, month or quarter")),
        }
    }
}

/// A calculator's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    /// The goal in tenths of the unit (e.g. 850 = 85.0 %), shown with the value.
    #[serde(default)]
    pub target_tenths: Option<i64>,
    /// Utilisation only: count every approved minute in the numerator, not only billable
    /// ones (default false).
    #[serde(default)]
    pub count_non_billable: bool,
}

/// The content of one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiSpec {
    /// The calculator.
    pub calculator: Calculator,
    /// Its parameters.
    #[serde(default)]
    pub params: KpiParams,
    /// Whose facts it counts.
    pub scope: Scope,
    /// The period length.
    pub grain: Grain,
}

impl KpiSpec {
    /// Checks the spec: the calculator supports the scope; the parameters fit it.
    pub fn validate(&self) -> Result<(), DomainError> {
        if !self.calculator.scope_kinds().contains(&self.scope.kind()) {
            return Err(DomainError::field(
                "scope",
                format!(
                    "{} cannot be scoped by {}",
                    self.calculator.as_str(),
                    self.scope.kind().as_str()
                ),
            ));
        }
        if self.params.count_non_billable && self.calculator != Calculator::Utilisation {
            return Err(DomainError::field(
                "count_non_billable",
                "applies to utilisation only",
            ));
        }
        if let Some(t) = self.params.target_tenths {
            if !(-100_000..=10_000_000).contains(&t) {
                return Err(DomainError::field("target", "is out of range"));
            }
        }
        Ok(())
    }
}

/// One immutable version of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiVersion {
    /// Its number (1, 2, …).
    pub number: u32,
    /// Its content.
    pub spec: KpiSpec,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// A KPI definition: its name and every version ever published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiDefinition {
    id: KpiId,
    name: Name,
    versions: Vec<KpiVersion>,
    version: u64,
}

impl KpiDefinition {
    /// Rebuilds the state from stored rows (versions in any order).
    pub fn restore(id: KpiId, name: Name, mut versions: Vec<KpiVersion>, version: u64) -> Self {
        versions.sort_by_key(|v| v.number);
        Self {
            id,
            name,
            versions,
            version,
        }
    }
    /// The id.
    pub fn id(&self) -> KpiId {
        self.id
    }
    /// The name.
    pub fn name(&self) -> &Name {
        &self.name
    }
    /// Every version, oldest first.
    pub fn versions(&self) -> &[KpiVersion] {
        &self.versions
    }
    /// The latest version.
    pub fn current(&self) -> Option<&KpiVersion> {
        self.versions.last()
    }
}

/// What can be asked of a KPI definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KpiCommand {
    /// Defines the KPI and publishes version 1.
    Define {
        /// The id, generated by the caller.
        id: KpiId,
        /// Its name, e.g. `Utilisation — Design team`.
        name: Name,
        /// Version 1.
        spec: KpiSpec,
    },
    /// Publishes the next version (its content must differ from the latest).
    Publish {
        /// The new content.
        spec: KpiSpec,
    },
}

/// Payload of `kpi.defined`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiDefined {
    /// The definition.
    pub kpi_id: KpiId,
    /// Its name.
    pub name: Name,
}

/// Payload of `kpi.version_published`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiVersionPublished {
    /// The definition.
    pub kpi_id: KpiId,
    /// The version's number.
    pub number: u32,
    /// Its content.
    pub spec: KpiSpec,
}

domain_events! {
    /// Facts about a KPI definition.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum KpiEvent {
        /// `kpi.defined`
        Defined(KpiDefined) = "kpi.defined",
        /// `kpi.version_published`
        VersionPublished(KpiVersionPublished) = "kpi.version_published",
    }
}

impl KpiEvent {
    /// The definition the event is about.
    pub fn kpi_id(&self) -> KpiId {
        match self {
            Self::Defined(p) => p.kpi_id,
            Self::VersionPublished(p) => p.kpi_id,
        }
    }
}

impl AggregateEvent for KpiEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.kpi_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Kpi, self.kpi_id().as_uuid())
    }
}

impl crate::aggregate::Aggregate for KpiDefinition {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = KpiCommand;
    type Event = KpiEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    /// Rules: a spec's calculator supports its scope; a new version differs from the latest.
    fn decide(
        state: Option<&Self>,
        cmd: &KpiCommand,
        _facts: &(),
        _now: DateTime<Utc>,
    ) -> Result<Vec<KpiEvent>, DomainError> {
        match (state, cmd) {
            (None, KpiCommand::Define { id, name, spec }) => {
                spec.validate()?;
                Ok(vec![
                    KpiEvent::Defined(KpiDefined {
                        kpi_id: *id,
                        name: name.clone(),
                    }),
                    KpiEvent::VersionPublished(KpiVersionPublished {
                        kpi_id: *id,
                        number: 1,
                        spec: *spec,
                    }),
                ])
            }
            (Some(d), KpiCommand::Define { .. }) => Err(DomainError::invariant(format!(
                "KPI {} already exists",
                d.id
            ))),
            (None, KpiCommand::Publish { .. }) => Err(DomainError::NotFound {
                entity: "KPI",
                id: "(not defined)".into(),
            }),
            (Some(d), KpiCommand::Publish { spec }) => {
                spec.validate()?;
                if d.current().is_some_and(|c| c.spec == *spec) {
                    return Err(DomainError::invariant(
                        "nothing changed: the content equals the latest version",
                    ));
                }
                let number = d.current().map_or(1, |c| c.number.saturating_add(1));
                Ok(vec![KpiEvent::VersionPublished(KpiVersionPublished {
                    kpi_id: d.id,
                    number,
                    spec: *spec,
                })])
            }
        }
    }

    fn evolve(state: Option<Self>, ev: &KpiEvent) -> Option<Self> {
        // `published_at` is not in the payload: it is the event's time, which evolve does not
        // see; the repository restores it from its row (the envelope's `occurred_at`).
        evolve_at(state, ev, DateTime::<Utc>::UNIX_EPOCH)
    }
}

/// [`Aggregate::evolve`](crate::aggregate::Aggregate::evolve) with the event's time, so a
/// version knows when it was published.
pub fn evolve_at(
    state: Option<KpiDefinition>,
    ev: &KpiEvent,
    at: DateTime<Utc>,
) -> Option<KpiDefinition> {
    let mut d = match (state, ev) {
        (None, KpiEvent::Defined(p)) => {
            return Some(KpiDefinition {
                id: p.kpi_id,
                name: p.name.clone(),
                versions: Vec::new(),
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(d), _) => d,
    };
    match ev {
        KpiEvent::Defined(_) => {}
        KpiEvent::VersionPublished(p) => d.versions.push(KpiVersion {
            number: p.number,
            spec: p.spec,
            published_at: at,
        }),
    }
    d.version += 1;
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Aggregate;

    fn now() -> DateTime<Utc> {
        "2026-03-02T09:00:00Z".parse().unwrap_or_default()
    }

    fn spec(calculator: Calculator, scope: Scope) -> KpiSpec {
        KpiSpec {
            calculator,
            params: KpiParams::default(),
            scope,
            grain: Grain::Month,
        }
    }

    #[test]
    fn versions_are_numbered_and_immutable_and_scopes_checked() {
        let id = KpiId::from_uuid(Uuid::from_u128(7));
        let name = Name::new("Utilisation").unwrap_or_else(|_| unreachable!());
        let v1 = spec(Calculator::Utilisation, Scope::Org);
        let evs = KpiDefinition::decide(
            None,
            &KpiCommand::Define {
                id,
                name: name.clone(),
                spec: v1,
            },
            &(),
            now(),
        )
        .unwrap_or_default();
        assert_eq!(evs.len(), 2);
        let d = KpiDefinition::replay(&evs);
        let d = d.as_ref();
        assert_eq!(d.map(|d| d.versions().len()), Some(1));
        // Same content again: refused.
        let again = KpiDefinition::decide(d, &KpiCommand::Publish { spec: v1 }, &(), now());
        assert!(matches!(again, Err(DomainError::Invariant(_))));
        // A customer scope for utilisation: a field error.
        let cust = Scope::Customer(CustomerId::from_uuid(Uuid::from_u128(9)));
        let bad = KpiDefinition::decide(
            d,
            &KpiCommand::Publish {
                spec: spec(Calculator::Utilisation, cust),
            },
            &(),
            now(),
        );
        assert!(
            matches!(bad, Err(DomainError::Validation(ref e)) if e.get("scope").is_some()),
            "{bad:?}"
        );
        let mut v2 = v1;
        v2.grain = Grain::Week;
        let evs2 = KpiDefinition::decide(d, &KpiCommand::Publish { spec: v2 }, &(), now())
            .unwrap_or_default();
        let d2 = KpiDefinition::evolve_all(d.cloned(), &evs2);
        let versions: Vec<(u32, Grain)> = d2
            .map(|d| {
                d.versions()
                    .iter()
                    .map(|v| (v.number, v.spec.grain))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(versions, vec![(1, Grain::Month), (2, Grain::Week)]);
    }

    #[test]
    fn scope_parse_names_the_field() {
        assert_eq!(Scope::parse("org", None), Ok(Scope::Org));
        assert!(
            matches!(Scope::parse("team", None), Err(DomainError::Validation(e)) if e.get("scope_id").is_some())
        );
        assert!(
            matches!(Scope::parse("planet", None), Err(DomainError::Validation(e)) if e.get("scope").is_some())
        );
    }
}
