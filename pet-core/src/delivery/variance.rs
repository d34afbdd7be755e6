//! Sold against delivered: the pure computation behind a project's variance bar and the
//! `project.variance_detected` marks. Delivered minutes are approved time plus the
//! adjustments of approved entries; a threshold (80, 100, 120 % of sold) is reached when
//! `delivered × 100 ≥ threshold × sold`, per project (all roles) and per sold role.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::values::VARIANCE_THRESHOLDS;
use crate::identity::Name;

/// What a variance is measured over: the whole project, or one sold role (`role: null`:
/// the labour sold without a role).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum VarianceScope {
    /// Every role together.
    Project,
    /// One role.
    Role {
        /// The role (`null`: labour sold without a role).
        role: Option<Name>,
    },
}

impl VarianceScope {
    /// The scope in words (`the project`, `role Developer`, `work without a role`).
    pub fn words(&self) -> String {
        match self {
            VarianceScope::Project => "the project".to_owned(),
            VarianceScope::Role { role: Some(r) } => format!("role {r}"),
            VarianceScope::Role { role: None } => "work without a role".to_owned(),
        }
    }
}

/// Delivered minutes of a project, in total and per role (approved time plus the
/// adjustments of approved entries).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    /// Every role together.
    pub total: i64,
    /// Per role (`None`: entries without a role).
    pub by_role: BTreeMap<Option<Name>, i64>,
}

impl Delivered {
    /// Nothing delivered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `minutes` (may be negative) delivered in `role`.
    pub fn add(&mut self, role: Option<Name>, minutes: i64) {
        self.total = self.total.saturating_add(minutes);
        let m = self.by_role.entry(role).or_insert(0);
        *m = m.saturating_add(minutes);
    }

    /// Delivered minutes in `scope`.
    pub fn in_scope(&self, scope: &VarianceScope) -> i64 {
        match scope {
            VarianceScope::Project => self.total,
            VarianceScope::Role { role } => self.by_role.get(role).copied().unwrap_or(0),
        }
    }
}

/// Whether `delivered` reaches `threshold` percent of `sold` (never when nothing is sold).
pub fn reaches(sold: i64, delivered: i64, threshold: u32) -> bool {
    sold > 0 && i128::from(delivered) * 100 >= i128::from(threshold) * i128::from(sold)
}

/// The highest threshold (80, 100, 120) `delivered` reaches of `sold` (`None`: below 80 %
/// or nothing sold) — the variance state a list shows.
pub fn highest_threshold(sold: i64, delivered: i64) -> Option<u32> {
    VARIANCE_THRESHOLDS
        .iter()
        .rev()
        .copied()
        .find(|t| reaches(sold, delivered, *t))
}

/// Delivered as a whole percentage of sold (rounded down; `None` when nothing is sold).
pub fn percent(sold: i64, delivered: i64) -> Option<i64> {
    if sold <= 0 {
        return None;
    }
    let p = i128::from(delivered) * 100 / i128::from(sold);
    Some(i64::try_from(p).unwrap_or(i64::MAX))
}

/// One line of a variance report: a scope with its sold and delivered minutes and the
/// highest threshold delivered has reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarianceLine {
    /// The scope.
    #[serde(flatten)]
    pub scope: VarianceScope,
    /// Minutes sold (current constraint version).
    pub sold_minutes: i64,
    /// Minutes delivered.
    pub delivered_minutes: i64,
    /// Delivered as a percentage of sold (`None`: nothing sold).
    pub percent: Option<i64>,
    /// The highest threshold reached (`None`: below 80 % or nothing sold).
    pub threshold_reached: Option<u32>,
}

/// The variance report of sold labour (`(role, minutes)` of one constraint version)
/// against `delivered`: the project line first, then one line per sold role and per role
/// delivered without being sold (sold 0).
pub fn report(sold: &[(Option<Name>, i64)], delivered: &Delivered) -> Vec<VarianceLine> {
    let total_sold: i64 = sold.iter().map(|(_, m)| *m).sum();
    let mut scopes = vec![(VarianceScope::Project, total_sold)];
    let mut seen = BTreeSet::new();
    for (role, m) in sold {
        seen.insert(role.clone());
        scopes.push((VarianceScope::Role { role: role.clone() }, *m));
    }
    for role in delivered.by_role.keys() {
        if !seen.contains(role) {
            scopes.push((VarianceScope::Role { role: role.clone() }, 0));
        }
    }
    scopes
        .into_iter()
        .map(|(scope, sold_minutes)| {
            let delivered_minutes = delivered.in_scope(&scope);
            VarianceLine {
                percent: percent(sold_minutes, delivered_minutes),
                threshold_reached: highest_threshold(sold_minutes, delivered_minutes),
                scope,
                sold_minutes,
                delivered_minutes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev() -> Option<Name> {
        Some(Name::new("Developer").unwrap())
    }

    #[test]
    fn thresholds_are_reached_at_exact_percentages() {
        assert!(!reaches(0, 100, 80), "nothing sold reaches nothing");
        assert!(!reaches(1000, 799, 80));
        assert!(reaches(1000, 800, 80));
        assert!(reaches(1000, 1200, 120) && !reaches(1000, 1199, 120));
        assert!(reaches(3, 3, 100) && !reaches(3, 2, 80));
        assert_eq!(percent(600, 450), Some(75));
        assert_eq!(percent(0, 450), None);
        assert!(reaches(i64::MAX, i64::MAX, 100), "no overflow");
    }

    #[test]
    fn highest_threshold_names_the_last_one_crossed() {
        assert_eq!(highest_threshold(1000, 799), None);
        assert_eq!(highest_threshold(1000, 800), Some(80));
        assert_eq!(highest_threshold(1000, 1199), Some(100));
        assert_eq!(highest_threshold(1000, 1200), Some(120));
        assert_eq!(highest_threshold(0, 50), None, "nothing sold");
    }

    #[test]
    fn report_lists_project_sold_roles_and_unsold_roles() {
        let mut d = Delivered::new();
        d.add(dev(), 500);
        d.add(None, 100);
        let r = report(&[(dev(), 600)], &d);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].scope, VarianceScope::Project);
        assert_eq!((r[0].sold_minutes, r[0].delivered_minutes), (600, 600));
        assert_eq!(r[0].threshold_reached, Some(100));
        assert_eq!(r[1].percent, Some(83));
        assert_eq!(r[1].threshold_reached, Some(80));
        assert_eq!(r[2].scope, VarianceScope::Role { role: None });
        assert_eq!((r[2].sold_minutes, r[2].percent), (0, None));
        assert_eq!(
            serde_json::to_value(&r[1]).unwrap()["scope"],
            serde_json::json!("role")
        );
    }
}
