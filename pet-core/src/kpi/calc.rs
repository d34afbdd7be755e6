//! The catalogue's calculators: a result is a pure function of a version's spec, a period
//! and the facts (optionally only those recorded by an "as of" time). Every result is a
//! numerator over a denominator, and every counted fact is a [`Part`] whose numerator and
//! denominator contributions add up to the result's — that list is the explanation.
//!
//! | calculator | a part is | numerator | denominator |
//! |---|---|---|---|
//! | utilisation | approved time; a capacity in force (a capacity set beats the default 40 h of a new employee) | billable minutes (all minutes with `count_non_billable`) | capacity minutes of the period's weekdays (weekly ÷ 5 per weekday) |
//! | billable ratio | approved time | billable minutes | all minutes |
//! | lead qualification rate | a lead decision | 1 if qualified | 1 |
//! | quote win rate | a quote decision | 1 if accepted | 1 (accepted, rejected, expired) |
//! | quote turnaround | a first sending | minutes since creation | 1 |
//! | sold vs delivered | sold minutes; approved time on a sold project, to the period's end | delivered − sold | sold |
//! | SLA compliance | an SLA outcome | 1 if met | 1 |
//! | first response time | a first public reply | minutes since creation | 1 |
//! | reopen rate | a resolution; a reopening | 1 per reopening | 1 per resolution |

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::definition::{Calculator, KpiSpec, Scope, Unit};
use super::facts::{Fact, FactKind, Subject};
use super::period::Period;

/// One counted fact and what it adds to the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// The event it came from.
    pub event_id: Uuid,
    /// That event's type.
    pub event_type: String,
    /// When that event was recorded.
    pub recorded_at: DateTime<Utc>,
    /// What the fact counts.
    pub kind: FactKind,
    /// The day it counts on.
    pub on: NaiveDate,
    /// The entity it is about.
    pub subject: Subject,
    /// Its employee.
    pub employee: Option<Uuid>,
    /// Its customer.
    pub customer: Option<Uuid>,
    /// Its project.
    pub project: Option<Uuid>,
    /// The fact's own number (minutes, weekly capacity, 1).
    pub value: i64,
    /// Weekdays of the period it covers (capacity parts only).
    pub days: Option<u32>,
    /// What it adds to the numerator.
    pub numerator: i64,
    /// What it adds to the denominator.
    pub denominator: i64,
}

/// A KPI's result for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiResult {
    /// The calculator.
    pub calculator: Calculator,
    /// The unit of `value`.
    pub unit: Unit,
    /// The period's first day.
    pub period_start: NaiveDate,
    /// The period's last day.
    pub period_end: NaiveDate,
    /// The sum of the parts' numerators.
    pub numerator: i64,
    /// The sum of the parts' denominators.
    pub denominator: i64,
    /// The value in tenths of the unit (`None` when the denominator is 0: nothing to measure).
    pub value_tenths: Option<i64>,
    /// The value as shown, e.g. `85.3` (`None` when there is nothing to measure).
    pub value: Option<String>,
    /// Every counted fact, by day then event id.
    pub parts: Vec<Part>,
}

/// The fact kinds a spec reads, each with whether facts from before the period count too
/// (capacities and memberships in force, and sold-vs-delivered, which is cumulative).
pub fn fact_kinds(spec: &KpiSpec) -> Vec<(FactKind, bool)> {
    use FactKind as F;
    let mut out: Vec<(FactKind, bool)> = match spec.calculator {
        Calculator::Utilisation => {
            let mut v = vec![(F::TimeBillable, false), (F::Capacity, true)];
            if spec.params.count_non_billable {
                v.push((F::TimeNonBillable, false));
            }
            v
        }
        Calculator::BillableRatio => vec![(F::TimeBillable, false), (F::TimeNonBillable, false)],
        Calculator::LeadQualificationRate => {
            vec![(F::LeadQualified, false), (F::LeadDisqualified, false)]
        }
        Calculator::QuoteWinRate => vec![(F::QuoteWon, false), (F::QuoteLost, false)],
        Calculator::QuoteTurnaround => vec![(F::QuoteSent, false)],
        Calculator::SoldVsDelivered => vec![
            (F::Sold, true),
            (F::TimeBillable, true),
            (F::TimeNonBillable, true),
        ],
        Calculator::SlaCompliance => vec![(F::SlaMet, false), (F::SlaBreached, false)],
        Calculator::FirstResponseTime => vec![(F::FirstResponse, false)],
        Calculator::ReopenRate => vec![(F::TicketResolved, false), (F::TicketReopened, false)],
    };
    if let Scope::Team(_) = spec.scope {
        out.push((F::MembershipStarted, true));
        out.push((F::MembershipEnded, true));
        out.push((F::OrgVersion, true));
        out.push((F::OrgMember, true));
    }
    out
}

/// Who is in which team on a day. From the day the first org-structure version takes
/// effect, the version in force that day decides (the latest to take effect on or before
/// it; of two the same day, the higher number), so a later version — someone moved to
/// another team — never changes an earlier period. Before any version, the teams' own
/// effective-dated memberships decide.
#[derive(Debug, Default)]
struct Roster {
    /// Per (team, employee), the membership day ranges.
    spans: BTreeMap<(Uuid, Uuid), Vec<Span>>,
    /// Org-structure versions: (effective day, number), sorted.
    versions: Vec<(NaiveDate, i64)>,
    /// Their memberships: (number, team, employee).
    org: BTreeSet<(i64, Uuid, Uuid)>,
}

/// A membership's first and last day (open-ended: `None`).
type Span = (NaiveDate, Option<NaiveDate>);

impl Roster {
    fn build<'a>(facts: impl Iterator<Item = &'a Fact> + Clone) -> Self {
        let mut r = Roster::default();
        for f in facts.clone() {
            match (f.kind, f.team, f.employee) {
                (FactKind::MembershipStarted, Some(t), Some(e)) => {
                    r.spans.entry((t, e)).or_default().push((f.on, f.until));
                }
                (FactKind::OrgVersion, ..) => r.versions.push((f.on, f.value)),
                (FactKind::OrgMember, Some(t), Some(e)) => {
                    r.org.insert((f.value, t, e));
                }
                _ => {}
            }
        }
        r.versions.sort_unstable();
        r.versions.dedup();
        for spans in r.spans.values_mut() {
            spans.sort();
        }
        for f in facts {
            if let (FactKind::MembershipEnded, Some(t), Some(e), Some(until)) =
                (f.kind, f.team, f.employee, f.until)
            {
                for span in r.spans.entry((t, e)).or_default().iter_mut() {
                    if span.0 <= until && span.1.is_none_or(|to| to > until) {
                        span.1 = Some(until);
                    }
                }
            }
        }
        r
    }

    /// The number of the org-structure version in force on `day`, if any.
    fn version_on(&self, day: NaiveDate) -> Option<i64> {
        let i = self.versions.partition_point(|(on, _)| *on <= day);
        i.checked_sub(1).map(|i| self.versions[i].1)
    }

    fn member(&self, team: Uuid, employee: Uuid, day: NaiveDate) -> bool {
        if let Some(n) = self.version_on(day) {
            return self.org.contains(&(n, team, employee));
        }
        self.spans.get(&(team, employee)).is_some_and(|spans| {
            spans
                .iter()
                .any(|(from, to)| *from <= day && to.is_none_or(|to| day <= to))
        })
    }
}

fn in_scope(scope: &Scope, roster: &Roster, f: &Fact, day: NaiveDate) -> bool {
    match scope {
        Scope::Org => true,
        Scope::Team(t) => f
            .employee
            .is_some_and(|e| roster.member(t.as_uuid(), e, day)),
        Scope::Employee(e) => f.employee == Some(e.as_uuid()),
        Scope::Customer(c) => f.customer == Some(c.as_uuid()),
        Scope::Project(p) => f.project == Some(p.as_uuid()),
    }
}

fn part(f: &Fact, numerator: i64, denominator: i64) -> Part {
    Part {
        event_id: f.event_id,
        event_type: f.event_type.clone(),
        recorded_at: f.recorded_at,
        kind: f.kind,
        on: f.on,
        subject: f.subject,
        employee: f.employee,
        customer: f.customer,
        project: f.project,
        value: f.value,
        days: None,
        numerator,
        denominator,
    }
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Rounds `n / d` to the nearest integer, halves away from zero (`d` > 0).
fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// Formats tenths as a decimal with one digit, e.g. `-12.5`.
pub fn format_tenths(t: i64) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let a = t.unsigned_abs();
    format!("{sign}{}.{}", a / 10, a % 10)
}

/// The value in tenths of `unit` for `numerator / denominator`.
pub fn value_tenths(unit: Unit, numerator: i64, denominator: i64) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let scale: i128 = match unit {
        Unit::Percent => 1000,
        Unit::Minutes => 10,
    };
    let v = div_round(i128::from(numerator) * scale, i128::from(denominator));
    i64::try_from(v).ok()
}

/// The result of `spec` for `period` from `facts` (any superset of what it reads, in any
/// order), counting only facts recorded at or before `as_of` when given.
pub fn evaluate(
    spec: &KpiSpec,
    period: Period,
    facts: &[Fact],
    as_of: Option<DateTime<Utc>>,
) -> KpiResult {
    let kinds = fact_kinds(spec);
    let known = |f: &&Fact| as_of.is_none_or(|t| f.recorded_at <= t);
    let wanted: BTreeSet<FactKind> = kinds.iter().map(|(k, _)| *k).collect();
    let seen = facts
        .iter()
        .filter(known)
        .filter(|f| wanted.contains(&f.kind));
    let roster = Roster::build(seen.clone());
    let last = period.last_day();
    let in_period = |f: &Fact| period.contains(f.on);
    let scoped = |f: &Fact| in_scope(&spec.scope, &roster, f, f.on);
    let mut parts: Vec<Part> = Vec::new();
    use FactKind as F;
    match spec.calculator {
        Calculator::Utilisation => {
            for f in seen.clone().filter(|f| in_period(f) && scoped(f)) {
                match f.kind {
                    F::TimeBillable => parts.push(part(f, f.value, 0)),
                    F::TimeNonBillable if spec.params.count_non_billable => {
                        parts.push(part(f, f.value, 0))
                    }
                    _ => {}
                }
            }
            parts.extend(capacity_parts(spec, &roster, seen.clone(), period));
        }
        _ => {
            // Projects with sold minutes (sold-vs-delivered counts time on those only).
            let sold: BTreeSet<Uuid> = seen
                .clone()
                .filter(|f| f.kind == F::Sold && f.on <= last)
                .filter_map(|f| f.project)
                .collect();
            for f in seen.clone() {
                let counts = if spec.calculator == Calculator::SoldVsDelivered {
                    f.on <= last && scoped(f)
                } else {
                    in_period(f) && scoped(f)
                };
                if !counts {
                    continue;
                }
                let (n, d) = match (spec.calculator, f.kind) {
                    (Calculator::BillableRatio, F::TimeBillable) => (f.value, f.value),
                    (Calculator::BillableRatio, F::TimeNonBillable) => (0, f.value),
                    (Calculator::LeadQualificationRate, F::LeadQualified) => (1, 1),
                    (Calculator::LeadQualificationRate, F::LeadDisqualified) => (0, 1),
                    (Calculator::QuoteWinRate, F::QuoteWon) => (1, 1),
                    (Calculator::QuoteWinRate, F::QuoteLost) => (0, 1),
                    (Calculator::QuoteTurnaround, F::QuoteSent) => (f.value, 1),
                    (Calculator::SoldVsDelivered, F::Sold) => (-f.value, f.value),
                    (Calculator::SoldVsDelivered, F::TimeBillable | F::TimeNonBillable) => {
                        if !f.project.is_some_and(|p| sold.contains(&p)) {
                            continue;
                        }
                        (f.value, 0)
                    }
                    (Calculator::SlaCompliance, F::SlaMet) => (1, 1),
                    (Calculator::SlaCompliance, F::SlaBreached) => (0, 1),
                    (Calculator::FirstResponseTime, F::FirstResponse) => (f.value, 1),
                    (Calculator::ReopenRate, F::TicketReopened) => (1, 0),
                    (Calculator::ReopenRate, F::TicketResolved) => (0, 1),
                    _ => continue,
                };
                parts.push(part(f, n, d));
            }
        }
    }
    parts.sort_by_key(|p| (p.on, p.event_id, p.kind));
    let numerator: i64 = parts.iter().map(|p| p.numerator).sum();
    let denominator: i64 = parts.iter().map(|p| p.denominator).sum();
    let unit = spec.calculator.unit();
    let tenths = value_tenths(unit, numerator, denominator);
    KpiResult {
        calculator: spec.calculator,
        unit,
        period_start: period.start,
        period_end: last,
        numerator,
        denominator,
        value_tenths: tenths,
        value: tenths.map(format_tenths),
        parts,
    }
}

/// Capacity in the period: for each employee in scope and each weekday (on which a team
/// scope's employee is a member), the weekly capacity in force that day ÷ 5, summed per
/// capacity fact (one part each).
fn capacity_parts<'a>(
    spec: &KpiSpec,
    roster: &Roster,
    seen: impl Iterator<Item = &'a Fact>,
    period: Period,
) -> Vec<Part> {
    let mut by_employee: BTreeMap<Uuid, Vec<&Fact>> = BTreeMap::new();
    for f in seen.filter(|f| f.kind == FactKind::Capacity && f.on <= period.last_day()) {
        if let Some(e) = f.employee {
            by_employee.entry(e).or_default().push(f);
        }
    }
    let mut out = Vec::new();
    for (emp, mut facts) in by_employee {
        let wanted = match spec.scope {
            Scope::Org | Scope::Team(_) => true,
            Scope::Employee(e) => e.as_uuid() == emp,
            Scope::Customer(_) | Scope::Project(_) => false,
        };
        if !wanted {
            continue;
        }
        // Ordered by day, and of two the same day by the log's order.
        facts.sort_by_key(|f| (f.on, f.sequence));
        let mut days: BTreeMap<usize, u32> = BTreeMap::new();
        let mut d = period.start;
        while d <= period.last_day() {
            let member = match spec.scope {
                Scope::Team(t) => roster.member(t.as_uuid(), emp, d),
                _ => true,
            };
            if is_weekday(d) && member {
                if let Some(i) = capacity_in_force(&facts, d) {
                    *days.entry(i).or_default() += 1;
                }
            }
            d = d + Days::new(1);
        }
        for (i, n) in days {
            let f = facts[i];
            let minutes = div_round(i128::from(f.value) * i128::from(n), 5);
            let mut p = part(f, 0, i64::try_from(minutes).unwrap_or(i64::MAX));
            p.days = Some(n);
            out.push(p);
        }
    }
    out
}

/// A result's numbers without its parts: what the KPI job stores for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The sum of the parts' numerators.
    pub numerator: i64,
    /// The sum of the parts' denominators.
    pub denominator: i64,
    /// The value in tenths of the unit (`None`: nothing to measure).
    pub value_tenths: Option<i64>,
    /// How many parts (facts) it counts.
    pub part_count: u64,
}

impl KpiResult {
    /// Its numbers without the parts.
    pub fn summary(&self) -> Summary {
        Summary {
            numerator: self.numerator,
            denominator: self.denominator,
            value_tenths: self.value_tenths,
            part_count: self.parts.len() as u64,
        }
    }
}

/// Minutes and parts counted for one project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Minutes.
    pub minutes: i64,
    /// Facts.
    pub parts: u64,
}

impl Tally {
    fn add(&mut self, minutes: i64) {
        self.minutes += minutes;
        self.parts += 1;
    }
}

/// The running state of a cumulative calculator (sold vs delivered, which counts every fact
/// up to a period's end) through a day: what a period's result needs from the facts before
/// it, so a later period is computed from this state and its own facts only — the same
/// numbers as [`evaluate`] over every fact up to its end, whatever the split.
///
/// Kept per project: the delivered minutes and parts in scope (time on a project counts
/// once the project is sold, including time booked before), and the projects sold so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Running {
    /// The last day folded in (`None`: nothing yet).
    pub through: Option<NaiveDate>,
    /// Sold minutes in scope (each sold fact is a part: −minutes over minutes).
    pub sold: Tally,
    /// Projects with sold minutes (of any scope, as [`evaluate`] reads them).
    pub sold_projects: BTreeSet<Uuid>,
    /// Approved minutes in scope per project.
    pub delivered: BTreeMap<Uuid, Tally>,
}

impl Running {
    /// Whether `spec`'s results can be computed from a running state: sold vs delivered,
    /// by the org, a customer or a project.
    pub fn supports(spec: &KpiSpec) -> bool {
        spec.calculator == Calculator::SoldVsDelivered && !matches!(spec.scope, Scope::Team(_))
    }

    /// Folds in the facts dated after the state's day up to `through` (inclusive): `facts`
    /// may be any superset (facts already folded in, later or of other kinds are skipped),
    /// in any order. `spec` must be [supported](Running::supports).
    pub fn advance(&mut self, spec: &KpiSpec, through: NaiveDate, facts: &[Fact]) {
        let after = self.through;
        let new = |f: &&Fact| after.is_none_or(|a| f.on > a) && f.on <= through;
        let roster = Roster::default();
        for f in facts.iter().filter(new) {
            match f.kind {
                FactKind::Sold => {
                    if let Some(p) = f.project {
                        self.sold_projects.insert(p);
                    }
                    if in_scope(&spec.scope, &roster, f, f.on) {
                        self.sold.add(f.value);
                    }
                }
                FactKind::TimeBillable | FactKind::TimeNonBillable => {
                    if let (Some(p), true) = (f.project, in_scope(&spec.scope, &roster, f, f.on)) {
                        self.delivered.entry(p).or_default().add(f.value);
                    }
                }
                _ => {}
            }
        }
        if after.is_none_or(|a| through > a) {
            self.through = Some(through);
        }
    }

    /// The result's numbers through the state's day (delivered − sold over sold).
    pub fn summary(&self, spec: &KpiSpec) -> Summary {
        let mut numerator = -self.sold.minutes;
        let mut parts = self.sold.parts;
        for p in &self.sold_projects {
            if let Some(d) = self.delivered.get(p) {
                numerator += d.minutes;
                parts += d.parts;
            }
        }
        let denominator = self.sold.minutes;
        Summary {
            numerator,
            denominator,
            value_tenths: value_tenths(spec.calculator.unit(), numerator, denominator),
            part_count: parts,
        }
    }
}

/// Whether a capacity fact comes from the employee's life cycle (the default 40 hours of
/// `employee.created`, the 0 of `employee.deactivated`, what `employee.reactivated`
/// restores) rather than a capacity set (`resource.capacity_set`).
fn is_lifecycle(f: &Fact) -> bool {
    f.event_type.starts_with("employee.")
}

/// The capacity fact in force on `day` among one employee's (sorted by day, then log order),
/// as resource planning reads a capacity: a capacity set (the latest effective on or before
/// the day) beats the default an employee starts with, whenever either was recorded — so
/// creating an employee never overrides a capacity set from an earlier day — and an
/// employee who has left (the latest life-cycle fact a deactivation) has none.
fn capacity_in_force(facts: &[&Fact], day: NaiveDate) -> Option<usize> {
    let life = facts.iter().rposition(|f| f.on <= day && is_lifecycle(f));
    let set = facts.iter().rposition(|f| f.on <= day && !is_lifecycle(f));
    match (life, set) {
        (Some(l), _) if facts[l].event_type == "employee.deactivated" => Some(l),
        (_, Some(s)) => Some(s),
        (l, None) => l,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_half_away_from_zero() {
        assert_eq!(value_tenths(Unit::Percent, 1, 3), Some(333));
        assert_eq!(value_tenths(Unit::Percent, 2, 3), Some(667));
        assert_eq!(value_tenths(Unit::Percent, -1, 8), Some(-125));
        assert_eq!(value_tenths(Unit::Minutes, 95, 2), Some(475));
        assert_eq!(value_tenths(Unit::Minutes, 5, 0), None);
        assert_eq!(format_tenths(-125), "-12.5");
        assert_eq!(format_tenths(7), "0.7");
    }
}
