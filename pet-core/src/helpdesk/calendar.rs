//! Business calendars for SLA clocks: an IANA timezone, working hours per weekday as
//! non-overlapping local intervals, and holidays. Answers two questions in UTC seconds —
//! how many working seconds lie between two instants, and when a given amount of working
//! time will have passed — either by walking local days (always correct, any range) or
//! from a [`CompiledCalendar`] (the same answers from precomputed intervals and prefix
//! sums, O(log n) per question, for evaluating many tickets at once).
//!
//! Daylight-saving rules: working hours are local wall-clock times. A local time that does
//! not exist (skipped by a spring-forward change) means the first instant after the gap; a
//! local time that occurs twice (fall-back) means its first occurrence. So a 09:00–17:00
//! day is 8 real hours on any date, and an interval spanning a change is as long as the
//! real time that passes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// A time of day in whole minutes, `00:00`–`24:00` (`24:00` only as an interval end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// Parses `HH:MM` (24-hour; `24:00` allowed).
    pub fn parse(s: &str) -> Option<Self> {
        let (h, m) = s.trim().split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let h: u16 = h.parse().ok()?;
        let m: u16 = m.parse().ok()?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(Self(h * 60 + m))
    }

    /// Minutes since midnight (0–1440).
    pub const fn minutes(self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// One stretch of working time within a local day: `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkingInterval {
    start: TimeOfDay,
    end: TimeOfDay,
}

impl WorkingInterval {
    /// The first minute.
    pub fn start(&self) -> TimeOfDay {
        self.start
    }
    /// The end (exclusive).
    pub fn end(&self) -> TimeOfDay {
        self.end
    }
}

/// The input and stored shape of an interval: `{"start": "09:00", "end": "17:30"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalInput {
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM` (may be `24:00`).
    pub end: String,
}

/// The input and stored shape of a calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    /// IANA timezone name, e.g. `Europe/London`.
    pub timezone: String,
    /// Working intervals per weekday, keyed `mon` … `sun`; a missing day has none.
    #[serde(default)]
    pub working_hours: BTreeMap<String, Vec<IntervalInput>>,
    /// Holidays as `YYYY-MM-DD` local dates.
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// The weekday keys of [`CalendarInput::working_hours`], Monday first.
pub const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Most holidays a calendar may list.
pub const MAX_HOLIDAYS: usize = 2000;

/// A validated business calendar. Build it with [`BusinessCalendar::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    timezone: Tz,
    week: [Vec<WorkingInterval>; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// Validates raw input, adding one message per bad field (prefixed with `prefix`,
    /// e.g. `calendar.`) to `errors`; `None` when anything was wrong.
    pub fn parse(input: &CalendarInput, prefix: &str, errors: &mut FieldErrors) -> Option<Self> {
        let before = errors.clone();
        let timezone = match input.timezone.trim().parse::<Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                errors.add(
                    format!("{prefix}timezone"),
                    format!("unknown timezone {:?}", input.timezone),
                );
                None
            }
        };
        let mut week: [Vec<WorkingInterval>; 7] = Default::default();
        for (key, intervals) in &input.working_hours {
            let field = format!("{prefix}working_hours.{key}");
            let Some(day) = WEEKDAY_KEYS.iter().position(|k| k == key) else {
                errors.add(
                    field,
                    "is not a weekday (use mon, tue, wed, thu, fri, sat, sun)",
                );
                continue;
            };
            let mut parsed = Vec::new();
            for (i, iv) in intervals.iter().enumerate() {
                let f = format!("{field}[{i}]");
                let start = TimeOfDay::parse(&iv.start).filter(|t| t.0 < 1440);
                let end = TimeOfDay::parse(&iv.end);
                match (start, end) {
                    (None, _) => {
                        errors.add(format!("{f}.start"), "must be a time HH:MM before 24:00")
                    }
                    (_, None) => errors.add(format!("{f}.end"), "must be a time HH:MM up to 24:00"),
                    (Some(s), Some(e)) if e <= s => errors.add(f, "must end after it starts"),
                    (Some(start), Some(end)) => parsed.push(WorkingInterval { start, end }),
                }
            }
            parsed.sort();
            if parsed.windows(2).any(|w| w[1].start < w[0].end) {
                errors.add(field, "working hours overlap");
            }
            week[day] = parsed;
        }
        if week.iter().all(Vec::is_empty)
            && !errors
                .iter()
                .any(|(k, _)| k.starts_with(&format!("{prefix}working_hours")))
        {
            errors.add(
                format!("{prefix}working_hours"),
                "must have at least one working interval in the week",
            );
        }
        let mut holidays = BTreeSet::new();
        if input.holidays.len() > MAX_HOLIDAYS {
            errors.add(
                format!("{prefix}holidays"),
                format!("must list at most {MAX_HOLIDAYS} dates"),
            );
        }
        for (i, h) in input.holidays.iter().enumerate() {
            match NaiveDate::parse_from_str(h.trim(), "%Y-%m-%d") {
                Ok(d) => {
                    holidays.insert(d);
                }
                Err(_) => errors.add(
                    format!("{prefix}holidays[{i}]"),
                    "must be a date YYYY-MM-DD",
                ),
            }
        }
        if *errors != before {
            return None;
        }
        Some(BusinessCalendar {
            timezone: timezone?,
            week,
            holidays,
        })
    }

    /// The input shape of this calendar (what [`BusinessCalendar::parse`] accepts back).
    pub fn to_input(&self) -> CalendarInput {
        let mut working_hours = BTreeMap::new();
        for (day, ivs) in self.week.iter().enumerate() {
            if !ivs.is_empty() {
                working_hours.insert(
                    WEEKDAY_KEYS[day].to_owned(),
                    ivs.iter()
                        .map(|iv| IntervalInput {
                            start: iv.start.to_string(),
                            end: iv.end.to_string(),
                        })
                        .collect(),
                );
            }
        }
        CalendarInput {
            timezone: self.timezone.name().to_owned(),
            working_hours,
            holidays: self
                .holidays
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect(),
        }
    }

    /// The timezone.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }
    /// Working intervals of a weekday.
    pub fn hours(&self, day: Weekday) -> &[WorkingInterval] {
        &self.week[day.num_days_from_monday() as usize]
    }
    /// The holidays.
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// The local date of a UTC instant (seconds).
    fn local_date(&self, t: i64) -> NaiveDate {
        match chrono::DateTime::from_timestamp(t, 0) {
            Some(dt) => dt.with_timezone(&self.timezone).date_naive(),
            None => NaiveDate::MIN,
        }
    }

    /// The UTC instant (seconds) of local `date` + `minutes` (0–1440), with the gap and
    /// fold rules of the module documentation.
    fn local_to_utc(&self, date: NaiveDate, minutes: u16) -> i64 {
        let base: NaiveDateTime = date.and_time(chrono::NaiveTime::MIN);
        let mut naive = base + Duration::minutes(i64::from(minutes));
        // A gap is at most a few hours; walk forward to its end.
        for _ in 0..=24 * 60 {
            match self.timezone.from_local_datetime(&naive) {
                LocalResult::Single(dt) => return dt.timestamp(),
                LocalResult::Ambiguous(first, _) => return first.timestamp(),
                LocalResult::None => naive += Duration::minutes(1),
            }
        }
        naive.and_utc().timestamp()
    }

    /// The working intervals of local `date` in UTC seconds (none on a holiday), sorted,
    /// non-overlapping, non-empty; appended to `out`.
    fn day_intervals(&self, date: NaiveDate, out: &mut Vec<(i64, i64)>) {
        if self.holidays.contains(&date) {
            return;
        }
        for iv in &self.week[date.weekday().num_days_from_monday() as usize] {
            let s = self.local_to_utc(date, iv.start.0);
            let e = self.local_to_utc(date, iv.end.0);
            if e > s {
                match out.last_mut() {
                    Some(last) if last.1 >= s => last.1 = last.1.max(e),
                    _ => out.push((s, e)),
                }
            }
        }
    }

    /// Working seconds in `[a, b)` by walking local days.
    pub(crate) fn working_slow(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let (Some(first), Some(last)) =
            (self.local_date(a).pred_opt(), self.local_date(b).succ_opt())
        else {
            return 0;
        };
        let mut total = 0;
        let mut buf = Vec::with_capacity(4);
        let mut d = first;
        while d <= last {
            buf.clear();
            self.day_intervals(d, &mut buf);
            for &(s, e) in &buf {
                total += (e.min(b) - s.max(a)).max(0);
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        total
    }

    /// The earliest instant `t ≥ a` with `secs` working seconds in `[a, t)`, by walking
    /// local days (at most 100 years ahead; `None` beyond).
    pub(crate) fn advance_slow(&self, a: i64, secs: i64) -> Option<i64> {
        if secs <= 0 {
            return Some(a);
        }
        let mut remaining = secs;
        let mut d = self.local_date(a).pred_opt()?;
        let mut buf = Vec::with_capacity(4);
        for _ in 0..366 * 100 {
            buf.clear();
            self.day_intervals(d, &mut buf);
            for &(s, e) in &buf {
                let s = s.max(a);
                if e <= s {
                    continue;
                }
                if remaining <= e - s {
                    return Some(s + remaining);
                }
                remaining -= e - s;
            }
            d = d.succ_opt()?;
        }
        None
    }

    /// Precomputes the working intervals of the local dates `from ..= to` (the range the
    /// questions will mostly fall in; answers outside it are still correct, only slower).
    pub fn compile(&self, from: NaiveDate, to: NaiveDate) -> CompiledCalendar<'_> {
        let mut intervals = Vec::new();
        let mut d = from;
        while d <= to {
            self.day_intervals(d, &mut intervals);
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        let start = self.local_to_utc(from, 0);
        let end = to
            .succ_opt()
            .map(|n| self.local_to_utc(n, 0))
            .unwrap_or(i64::MAX / 4);
        let (start, end) = if end > start {
            (start, end)
        } else {
            (start, start)
        };
        let mut cum = Vec::with_capacity(intervals.len() + 1);
        let mut acc = 0;
        cum.push(0);
        for &(s, e) in &intervals {
            acc += e - s;
            cum.push(acc);
        }
        let (starts, ends) = intervals.into_iter().unzip();
        CompiledCalendar {
            calendar: self,
            start,
            end,
            starts,
            ends,
            cum,
        }
    }
}

/// How working time is measured: a calendar's business hours, or every second (24/7).
pub(crate) trait WorkingTime {
    /// Working seconds in `[a, b)` (0 when `b ≤ a`).
    fn working(&self, a: i64, b: i64) -> i64;
    /// The earliest `t ≥ a` with `secs` working seconds in `[a, t)`.
    fn advance(&self, a: i64, secs: i64) -> Option<i64>;
}

/// Every second counts (priorities that run 24/7).
pub(crate) struct AlwaysOn;

impl WorkingTime for AlwaysOn {
    fn working(&self, a: i64, b: i64) -> i64 {
        (b - a).max(0)
    }
    fn advance(&self, a: i64, secs: i64) -> Option<i64> {
        a.checked_add(secs.max(0))
    }
}

impl WorkingTime for BusinessCalendar {
    fn working(&self, a: i64, b: i64) -> i64 {
        self.working_slow(a, b)
    }
    fn advance(&self, a: i64, secs: i64) -> Option<i64> {
        self.advance_slow(a, secs)
    }
}

/// A calendar with its working intervals over a date range precomputed in UTC, with
/// prefix sums: each question is a binary search. Gives the same answers as the calendar.
#[derive(Debug, Clone)]
pub struct CompiledCalendar<'a> {
    calendar: &'a BusinessCalendar,
    start: i64,
    end: i64,
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// `cum[i]`: working seconds of intervals `0..i`.
    cum: Vec<i64>,
}

impl CompiledCalendar<'_> {
    /// Working seconds in `[start, t)` for `t` in the compiled range.
    fn prefix(&self, t: i64) -> i64 {
        let i = self.ends.partition_point(|&e| e <= t);
        let partial = match self.starts.get(i) {
            Some(&s) if s < t => t - s,
            _ => 0,
        };
        self.cum[i] + partial
    }

    /// How many intervals were precomputed.
    pub fn interval_count(&self) -> usize {
        self.starts.len()
    }
}

impl WorkingTime for CompiledCalendar<'_> {
    fn working(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        if a < self.start {
            total += self.calendar.working_slow(a, b.min(self.start));
        }
        let (ma, mb) = (a.max(self.start), b.min(self.end));
        if mb > ma {
            total += self.prefix(mb) - self.prefix(ma);
        }
        if b > self.end {
            total += self.calendar.working_slow(a.max(self.end), b);
        }
        total
    }

    fn advance(&self, a: i64, secs: i64) -> Option<i64> {
        if secs <= 0 {
            return Some(a);
        }
        let mut a = a;
        let mut secs = secs;
        if a < self.start {
            let before = self.calendar.working_slow(a, self.start);
            if before >= secs {
                return self.calendar.advance_slow(a, secs);
            }
            secs -= before;
            a = self.start;
        }
        if a < self.end {
            let total = self.cum[self.cum.len() - 1];
            let target = self.prefix(a) + secs;
            if target <= total {
                // the first interval whose cumulative end reaches the target
                let i = self.cum[1..].partition_point(|&c| c < target);
                return Some(self.starts[i] + (target - self.cum[i]));
            }
            secs = target - total;
            a = self.end;
        }
        self.calendar.advance_slow(a, secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn calendar(
        tz: &str,
        hours: &[(&str, &str, &str)],
        holidays: &[&str],
    ) -> BusinessCalendar {
        let mut working_hours: BTreeMap<String, Vec<IntervalInput>> = BTreeMap::new();
        for (d, s, e) in hours {
            working_hours
                .entry((*d).to_owned())
                .or_default()
                .push(IntervalInput {
                    start: (*s).into(),
                    end: (*e).into(),
                });
        }
        let input = CalendarInput {
            timezone: tz.into(),
            working_hours,
            holidays: holidays.iter().map(|h| (*h).to_owned()).collect(),
        };
        let mut errors = FieldErrors::new();
        BusinessCalendar::parse(&input, "", &mut errors).unwrap_or_else(|| panic!("{errors}"))
    }

    fn ts(s: &str) -> i64 {
        s.parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            .timestamp()
    }

    #[test]
    fn validation_names_each_bad_field() {
        let input = CalendarInput {
            timezone: "Mars/Olympus".into(),
            working_hours: BTreeMap::from([
                (
                    "mon".to_owned(),
                    vec![
                        IntervalInput {
                            start: "09:00".into(),
                            end: "12:00".into(),
                        },
                        IntervalInput {
                            start: "11:00".into(),
                            end: "17:00".into(),
                        },
                    ],
                ),
                (
                    "tue".to_owned(),
                    vec![IntervalInput {
                        start: "25:00".into(),
                        end: "26:00".into(),
                    }],
                ),
                (
                    "wed".to_owned(),
                    vec![IntervalInput {
                        start: "10:00".into(),
                        end: "09:00".into(),
                    }],
                ),
                ("funday".to_owned(), vec![]),
            ]),
            holidays: vec!["2026-02-30".into()],
        };
        let mut errors = FieldErrors::new();
        assert!(BusinessCalendar::parse(&input, "calendar.", &mut errors).is_none());
        let fields: Vec<&str> = errors.iter().map(|(k, _)| k).collect();
        assert_eq!(
            fields,
            [
                "calendar.holidays[0]",
                "calendar.timezone",
                "calendar.working_hours.funday",
                "calendar.working_hours.mon",
                "calendar.working_hours.tue[0].start",
                "calendar.working_hours.wed[0]",
            ]
        );
        assert_eq!(
            errors.get("calendar.working_hours.mon"),
            Some("working hours overlap")
        );
        let mut errors = FieldErrors::new();
        let empty = CalendarInput {
            timezone: "UTC".into(),
            ..Default::default()
        };
        assert!(BusinessCalendar::parse(&empty, "", &mut errors).is_none());
        assert!(errors.get("working_hours").is_some());
    }

    #[test]
    fn touching_intervals_are_allowed_and_round_trip() {
        let c = calendar(
            "Europe/London",
            &[("mon", "09:00", "12:00"), ("mon", "12:00", "24:00")],
            &["2026-12-25"],
        );
        let mut errors = FieldErrors::new();
        assert_eq!(
            BusinessCalendar::parse(&c.to_input(), "", &mut errors),
            Some(c)
        );
    }

    #[test]
    fn london_spring_forward_day_counts_real_time() {
        // 2026-03-29 is a Sunday: clocks go 01:00 GMT → 02:00 BST.
        let c = calendar("Europe/London", &[("sun", "00:00", "24:00")], &[]);
        let day = c.working_slow(ts("2026-03-28T00:00:00Z"), ts("2026-03-30T00:00:00Z"));
        assert_eq!(day, 23 * 3600);
        // a time in the gap means the end of the gap
        let c = calendar("Europe/London", &[("sun", "01:30", "03:00")], &[]);
        assert_eq!(
            c.working_slow(ts("2026-03-29T00:00:00Z"), ts("2026-03-30T00:00:00Z")),
            3600
        );
    }

    #[test]
    fn new_york_fall_back_day_counts_real_time() {
        // 2026-11-01: 02:00 EDT → 01:00 EST; the local day lasts 25 hours.
        let c = calendar("America/New_York", &[("sun", "00:00", "24:00")], &[]);
        assert_eq!(
            c.working_slow(ts("2026-10-31T00:00:00Z"), ts("2026-11-03T00:00:00Z")),
            25 * 3600
        );
        // 09:00–17:00 is eight hours on either side of the change, at different UTC times
        let c = calendar(
            "America/New_York",
            &[("fri", "09:00", "17:00"), ("mon", "09:00", "17:00")],
            &[],
        );
        assert_eq!(
            c.advance_slow(ts("2026-10-30T13:00:00Z"), 8 * 3600),
            Some(ts("2026-10-30T21:00:00Z"))
        );
        assert_eq!(
            c.advance_slow(ts("2026-10-30T21:00:00Z"), 3600),
            Some(ts("2026-11-02T15:00:00Z"))
        );
    }

    #[test]
    fn compiled_agrees_with_walking_days_inside_and_outside_its_range() {
        let c = calendar(
            "Europe/London",
            &[
                ("mon", "09:00", "12:30"),
                ("mon", "13:30", "17:00"),
                ("wed", "22:00", "24:00"),
                ("sat", "10:00", "11:00"),
            ],
            &["2026-04-06"],
        );
        let comp = c.compile("2026-03-01".parse().unwrap(), "2026-05-01".parse().unwrap());
        assert!(comp.interval_count() > 20);
        let base = ts("2026-02-20T00:00:00Z");
        for i in 0..200 {
            let a = base + i * 37_123;
            for len in [0, 1, 3600, 86_400 * 3, 86_400 * 40] {
                assert_eq!(
                    comp.working(a, a + len),
                    c.working_slow(a, a + len),
                    "{a} {len}"
                );
            }
            for secs in [0, 1, 3600, 20_000, 100_000] {
                assert_eq!(comp.advance(a, secs), c.advance_slow(a, secs), "{a} {secs}");
            }
        }
    }
}
