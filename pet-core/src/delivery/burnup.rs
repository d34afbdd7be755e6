//! A project's burn-up over time, pure: the delivered minutes (approved time plus the
//! adjustments of approved entries) summed up week by week, against the sold minutes of the
//! constraint version in effect each week. The storage adapter reads the weekly sums with
//! one grouped query and the date each constraint version took effect; this folds them
//! into the series a chart draws.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::values::week_of;

/// One constraint version as the burn-up sees it: its number, the day it took effect (the
/// project's creation for version 1, the change order's day for the others) and the total
/// minutes it sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoldVersion {
    /// 1, 2, 3, …
    pub number: u32,
    /// The day it took effect.
    pub from: NaiveDate,
    /// Total minutes sold.
    pub minutes: i64,
}

/// One constraint version's sold line: its minutes in the weeks it was the version in
/// effect (at the week's end), `None` in the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoldLine {
    /// The version's number.
    pub number: u32,
    /// The Monday of the week it took effect.
    pub from_week: NaiveDate,
    /// Total minutes sold.
    pub minutes: i64,
    /// Per week of [`BurnUp::weeks`].
    pub data: Vec<Option<i64>>,
}

/// The burn-up series, one value per week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BurnUp {
    /// The Mondays shown, oldest first.
    pub weeks: Vec<NaiveDate>,
    /// Delivered minutes up to the end of each week (what came before the first week shown
    /// included).
    pub delivered: Vec<i64>,
    /// Delivered minutes in each week.
    pub delivered_in_week: Vec<i64>,
    /// Sold minutes in effect at the end of each week (the current version's from its week).
    pub sold: Vec<i64>,
    /// Per constraint version, oldest first.
    pub versions: Vec<SoldLine>,
    /// Whether older weeks were left out (only the last `max_weeks` are shown).
    pub truncated: bool,
}

/// The burn-up of `weekly` delivered minutes (`(a day of the week, minutes)`, any order,
/// several per week allowed) against `versions` (any order; none: sold 0), over the weeks
/// from `first` to `last` (widened to every week with delivered time), showing at most
/// `max_weeks` (at least 1), the latest.
pub fn burnup(
    weekly: &[(NaiveDate, i64)],
    versions: &[SoldVersion],
    first: NaiveDate,
    last: NaiveDate,
    max_weeks: usize,
) -> BurnUp {
    let mut start = week_of(first.min(last));
    let mut end = week_of(first.max(last));
    for (d, _) in weekly {
        start = start.min(week_of(*d));
        end = end.max(week_of(*d));
    }
    let count = usize::try_from((end - start).num_weeks()).unwrap_or(0) + 1;
    let max_weeks = max_weeks.max(1);
    let truncated = count > max_weeks;
    let shown_start = if truncated {
        end - Duration::weeks(i64::try_from(max_weeks - 1).unwrap_or(0))
    } else {
        start
    };
    let weeks: Vec<NaiveDate> = (0..count.min(max_weeks))
        .map(|i| shown_start + Duration::weeks(i64::try_from(i).unwrap_or(0)))
        .collect();
    let mut before = 0i64;
    let mut in_week = vec![0i64; weeks.len()];
    for (d, m) in weekly {
        let w = week_of(*d);
        if w < shown_start {
            before = before.saturating_add(*m);
        } else if let Ok(i) = usize::try_from((w - shown_start).num_weeks()) {
            if let Some(slot) = in_week.get_mut(i) {
                *slot = slot.saturating_add(*m);
            }
        }
    }
    let mut running = before;
    let delivered = in_week
        .iter()
        .map(|m| {
            running = running.saturating_add(*m);
            running
        })
        .collect();
    let mut ordered: Vec<SoldVersion> = versions.to_vec();
    ordered.sort_by_key(|v| (v.from, v.number));
    // The version in effect at the end of a week: the latest that took effect by its
    // Sunday (before the first version took effect, the first).
    let current = |monday: NaiveDate| -> Option<&SoldVersion> {
        let sunday = monday + Duration::days(6);
        ordered
            .iter()
            .rev()
            .find(|v| v.from <= sunday)
            .or(ordered.first())
    };
    let sold = weeks
        .iter()
        .map(|w| current(*w).map_or(0, |v| v.minutes))
        .collect();
    let mut lines: Vec<SoldLine> = ordered
        .iter()
        .map(|v| SoldLine {
            number: v.number,
            from_week: week_of(v.from),
            minutes: v.minutes,
            data: weeks
                .iter()
                .map(|w| {
                    current(*w)
                        .filter(|c| c.number == v.number)
                        .map(|c| c.minutes)
                })
                .collect(),
        })
        .collect();
    lines.sort_by_key(|l| l.number);
    BurnUp {
        weeks,
        delivered,
        delivered_in_week: in_week,
        sold,
        versions: lines,
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn v(number: u32, from: &str, minutes: i64) -> SoldVersion {
        SoldVersion {
            number,
            from: d(from),
            minutes,
        }
    }

    #[test]
    fn sums_delivered_week_by_week_against_the_version_in_effect() {
        // 2026-11-02 is a Monday.
        let b = burnup(
            &[
                (d("2026-11-03"), 60),
                (d("2026-11-05"), 30),
                (d("2026-11-17"), 120),
                (d("2026-11-18"), -15),
            ],
            &[v(2, "2026-11-12", 900), v(1, "2026-11-02", 600)],
            d("2026-11-02"),
            d("2026-11-20"),
            52,
        );
        assert_eq!(
            b.weeks,
            vec![d("2026-11-02"), d("2026-11-09"), d("2026-11-16")]
        );
        assert_eq!(b.delivered_in_week, vec![90, 0, 105]);
        assert_eq!(b.delivered, vec![90, 90, 195]);
        // Version 2 took effect on Thursday of the second week: in effect at its end.
        assert_eq!(b.sold, vec![600, 900, 900]);
        assert_eq!(b.versions.len(), 2);
        assert_eq!(b.versions[0].number, 1);
        assert_eq!(b.versions[0].data, vec![Some(600), None, None]);
        assert_eq!(b.versions[1].data, vec![None, Some(900), Some(900)]);
        assert_eq!(b.versions[1].from_week, d("2026-11-09"));
        assert!(!b.truncated);
    }

    #[test]
    fn widens_to_every_week_with_time_and_keeps_the_latest_weeks() {
        let b = burnup(
            &[(d("2026-10-20"), 45), (d("2026-11-04"), 15)],
            &[v(1, "2026-11-02", 100)],
            d("2026-11-02"),
            d("2026-11-02"),
            2,
        );
        // Weeks of 10-19, 10-26, 11-02: three, the last two shown, the first summed in.
        assert!(b.truncated);
        assert_eq!(b.weeks, vec![d("2026-10-26"), d("2026-11-02")]);
        assert_eq!(b.delivered, vec![45, 60]);
        // Before version 1 took effect its minutes are the line.
        assert_eq!(b.sold, vec![100, 100]);
    }

    #[test]
    fn nothing_delivered_and_nothing_sold_is_flat_zero() {
        let b = burnup(&[], &[], d("2026-11-04"), d("2026-11-04"), 10);
        assert_eq!(b.weeks, vec![d("2026-11-02")]);
        assert_eq!(b.delivered, vec![0]);
        assert_eq!(b.sold, vec![0]);
        assert!(b.versions.is_empty());
    }
}
