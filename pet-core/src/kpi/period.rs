//! Periods of a grain: the ISO week (Monday to Sunday), the calendar month and the calendar
//! quarter a date falls in, with the previous and next period. Dates are UTC calendar
//! dates.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::definition::Grain;
use crate::error::DomainError;

/// One period: its grain and first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    /// Its length.
    pub grain: Grain,
    /// Its first day.
    pub start: NaiveDate,
}

impl Period {
    /// The period of `grain` that contains `day`.
    pub fn containing(grain: Grain, day: NaiveDate) -> Self {
        let start = match grain {
            Grain::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Grain::Month => day.with_day(1).unwrap_or(day),
            Grain::Quarter => {
                let m = (day.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(day.year(), m, 1).unwrap_or(day)
            }
        };
        Period { grain, start }
    }

    /// Parses a period given by any day in it (`YYYY-MM-DD`), as input `field`.
    pub fn parse(grain: Grain, field: &str, s: &str) -> Result<Self, DomainError> {
        let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| DomainError::field(field, "must be a date (YYYY-MM-DD)"))?;
        Ok(Self::containing(grain, d))
    }

    /// The first day after it.
    pub fn end_exclusive(&self) -> NaiveDate {
        match self.grain {
            Grain::Week => self.start + Days::new(7),
            Grain::Month => self.start + Months::new(1),
            Grain::Quarter => self.start + Months::new(3),
        }
    }

    /// Its last day.
    pub fn last_day(&self) -> NaiveDate {
        self.end_exclusive() - Days::new(1)
    }

    /// Whether `day` is in it.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end_exclusive()
    }

    /// The period after it.
    pub fn next(&self) -> Self {
        Period {
            grain: self.grain,
            start: self.end_exclusive(),
        }
    }

    /// The period before it.
    pub fn previous(&self) -> Self {
        Self::containing(self.grain, self.start - Days::new(1))
    }

    /// Every period from the one containing `from` to the one containing `to`, in order
    /// (empty when `to` is before `from`).
    pub fn range(grain: Grain, from: NaiveDate, to: NaiveDate) -> Vec<Period> {
        let mut out = Vec::new();
        let last = Self::containing(grain, to);
        let mut p = Self::containing(grain, from);
        while p <= last {
            out.push(p);
            p = p.next();
        }
        out
    }

    /// A short label: `2026-W10`, `2026-03`, `2026-Q1`.
    pub fn label(&self) -> String {
        match self.grain {
            Grain::Week => {
                let w = self.start.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Grain::Month => self.start.format("%Y-%m").to_string(),
            Grain::Quarter => format!("{}-Q{}", self.start.year(), self.start.month0() / 3 + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn periods_contain_their_days_and_chain() {
        let w = Period::containing(Grain::Week, d("2026-03-05"));
        assert_eq!(
            (w.start, w.label()),
            (d("2026-03-02"), "2026-W10".to_owned())
        );
        assert_eq!(w.last_day(), d("2026-03-08"));
        let m = Period::containing(Grain::Month, d("2026-02-28"));
        assert_eq!(
            (m.start, m.end_exclusive()),
            (d("2026-02-01"), d("2026-03-01"))
        );
        let q = Period::containing(Grain::Quarter, d("2026-12-31"));
        assert_eq!(
            (q.start, q.label()),
            (d("2026-10-01"), "2026-Q4".to_owned())
        );
        assert_eq!(q.next().start, d("2027-01-01"));
        assert_eq!(q.previous().start, d("2026-07-01"));
        assert_eq!(
            Period::range(Grain::Month, d("2026-01-15"), d("2026-03-01")).len(),
            3
        );
        assert!(Period::range(Grain::Month, d("2026-03-15"), d("2026-01-01")).is_empty());
    }
}
