//! The SLA clock: hand-checked examples (a Friday-evening ticket due Monday, a holiday in
//! between, DST weekends in London and New York, pauses, 24/7 priorities, priority
//! changes) and property tests (elapsed never decreases, paused and out-of-hours time
//! never counts, splitting a segment changes nothing, holidays only remove time, a DST
//! week has exactly its working hours, compiled == walking days, a breach is recorded
//! once and stays, the warning and breach instants are where the used time reached a
//! threshold in force).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use pet_core::helpdesk::{
    marks_to_record, sla, sla_clock, CompiledSla, Priority, SlaAssignmentCommand, SlaClockReading,
    SlaDefinitionId, SlaSpec, SlaSpecInput, SlaState, SlaTarget, SlaVersionNumber, TicketId,
    TicketStatus, TicketTimeline, TimelineChange,
};
use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn spec_json(tz: &str, holidays: &[&str]) -> serde_json::Value {
    let day = json!([{"start": "09:00", "end": "17:00"}]);
    json!({
        "calendar": {
            "timezone": tz,
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": holidays,
        },
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
            "normal": {"first_response_minutes": 120, "resolution_minutes": 960},
            "high": {"first_response_minutes": 60, "resolution_minutes": 480},
            "urgent": {"first_response_minutes": 30, "resolution_minutes": 240},
        },
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": 80,
        "always_on": ["urgent"],
    })
}

fn spec(tz: &str, holidays: &[&str]) -> SlaSpec {
    let input: SlaSpecInput = serde_json::from_value(spec_json(tz, holidays)).unwrap();
    SlaSpec::parse(&input).unwrap()
}

fn open_ticket(start: &str, priority: Priority) -> TicketTimeline {
    TicketTimeline::new(at(start), TicketStatus::Open, priority)
}

fn fr(r: &SlaClockReading) -> (i64, SlaState, Option<DateTime<Utc>>) {
    let f = r.first_response;
    (f.elapsed_minutes(), f.state, f.due_at)
}

#[test]
fn friday_evening_ticket_is_due_monday() {
    let s = spec("Europe/London", &[]);
    let tl = open_ticket("2026-01-09T18:00:00Z", Priority::Normal); // Friday, after hours
    let due = Some(at("2026-01-12T11:00:00Z"));
    assert_eq!(
        fr(&sla_clock(&s, &tl, at("2026-01-10T12:00:00Z"))),
        (0, SlaState::Running, due)
    );
    assert_eq!(
        fr(&sla_clock(&s, &tl, at("2026-01-12T10:00:00Z"))),
        (60, SlaState::Running, due)
    );
    // 96 of 120 minutes = 80 %: warning
    assert_eq!(
        fr(&sla_clock(&s, &tl, at("2026-01-12T10:35:59Z"))).1,
        SlaState::Running
    );
    let w = sla_clock(&s, &tl, at("2026-01-12T10:36:00Z"));
    assert_eq!(fr(&w), (96, SlaState::Warning, due));
    assert_eq!(
        w.first_response.warning_at,
        Some(at("2026-01-12T10:36:00Z"))
    );
    // exactly at the due time it is not yet breached; a second later it is
    assert_eq!(
        fr(&sla_clock(&s, &tl, at("2026-01-12T11:00:00Z"))).1,
        SlaState::Warning
    );
    let b = sla_clock(&s, &tl, at("2026-01-12T11:00:01Z"));
    assert_eq!(fr(&b), (120, SlaState::Breached, due));
    assert_eq!(b.first_response.breached_at, due);
    // resolution: 960 business minutes = two working days → Tuesday 17:00
    assert_eq!(b.resolution.due_at, Some(at("2026-01-13T17:00:00Z")));
}

#[test]
fn a_holiday_in_between_moves_the_due_time() {
    let s = spec("Europe/London", &["2026-01-12"]);
    let tl = open_ticket("2026-01-09T18:00:00Z", Priority::Normal);
    let r = sla_clock(&s, &tl, at("2026-01-12T15:00:00Z"));
    assert_eq!(
        fr(&r),
        (0, SlaState::Running, Some(at("2026-01-13T11:00:00Z")))
    );
}

#[test]
fn london_dst_weekend() {
    // Clocks go forward on Sunday 2026-03-29; Monday 09:00 BST is 08:00 UTC.
    let s = spec("Europe/London", &[]);
    let tl = open_ticket("2026-03-27T16:00:00Z", Priority::Normal); // Friday 16:00 GMT
    let r = sla_clock(&s, &tl, at("2026-03-30T08:30:00Z"));
    assert_eq!(
        fr(&r),
        (90, SlaState::Running, Some(at("2026-03-30T09:00:00Z")))
    );
}

#[test]
fn new_york_dst_weekend() {
    // Clocks go back on Sunday 2026-11-01; Friday 16:00 EDT = 20:00Z, Monday 09:00 EST = 14:00Z.
    let s = spec("America/New_York", &[]);
    let tl = open_ticket("2026-10-30T20:00:00Z", Priority::Normal);
    let r = sla_clock(&s, &tl, at("2026-11-02T14:00:00Z"));
    assert_eq!(
        fr(&r),
        (60, SlaState::Running, Some(at("2026-11-02T15:00:00Z")))
    );
}

#[test]
fn waiting_on_customer_pauses_and_resolution_stops() {
    let s = spec("UTC", &[]);
    let tl = open_ticket("2026-01-05T09:00:00Z", Priority::Low)
        .with(
            at("2026-01-05T10:00:00Z"),
            TimelineChange::Status(TicketStatus::WaitingOnCustomer),
        )
        .with(
            at("2026-01-05T14:00:00Z"),
            TimelineChange::Status(TicketStatus::Open),
        )
        .with(
            at("2026-01-05T15:00:00Z"),
            TimelineChange::Status(TicketStatus::Resolved),
        );
    let paused = sla_clock(&s, &tl, at("2026-01-05T12:00:00Z"));
    assert_eq!(paused.resolution.state, SlaState::Paused);
    assert_eq!(paused.resolution.elapsed_minutes(), 60);
    // the due time while paused: if the clock ran again from now
    // 2400 − 60 = 2340 minutes left from Monday 12:00: 5 h + 4 × 8 h + 2 h → next Monday 11:00
    assert_eq!(paused.resolution.due_at, Some(at("2026-01-12T11:00:00Z")));
    let done = sla_clock(&s, &tl, at("2026-01-06T12:00:00Z"));
    assert_eq!(done.resolution.elapsed_minutes(), 120);
    assert_eq!(done.resolution.state, SlaState::Met);
    assert_eq!(done.first_response.state, SlaState::Met);
    assert_eq!(done.resolution.due_at, None);
}

#[test]
fn first_response_stops_at_the_first_public_reply() {
    let s = spec("UTC", &[]);
    let tl = open_ticket("2026-01-05T09:00:00Z", Priority::Normal)
        .with(at("2026-01-05T09:45:00Z"), TimelineChange::FirstResponse);
    let r = sla_clock(&s, &tl, at("2026-01-07T09:00:00Z"));
    assert_eq!(fr(&r), (45, SlaState::Met, None));
    assert_eq!(r.resolution.elapsed_minutes(), 960);
    assert_eq!(r.resolution.state, SlaState::Warning);
}

#[test]
fn urgent_runs_around_the_clock_and_priority_changes_switch_targets() {
    let s = spec("Europe/London", &[]);
    let tl = open_ticket("2026-01-10T10:00:00Z", Priority::Urgent); // Saturday
    let r = sla_clock(&s, &tl, at("2026-01-10T10:24:00Z"));
    assert_eq!(
        fr(&r),
        (24, SlaState::Warning, Some(at("2026-01-10T10:30:00Z")))
    );
    // normal over the weekend counts nothing; raised to urgent on Sunday 20:00 it runs
    let tl = open_ticket("2026-01-10T10:00:00Z", Priority::Normal).with(
        at("2026-01-11T20:00:00Z"),
        TimelineChange::Priority(Priority::Urgent),
    );
    let r = sla_clock(&s, &tl, at("2026-01-11T20:40:00Z"));
    assert_eq!(r.first_response.elapsed_minutes(), 40);
    assert_eq!(r.first_response.state, SlaState::Breached);
    assert_eq!(
        r.first_response.breached_at,
        Some(at("2026-01-11T20:30:00Z"))
    );
    // lowering the priority afterwards does not undo the breach
    let tl = tl.with(
        at("2026-01-11T21:00:00Z"),
        TimelineChange::Priority(Priority::Low),
    );
    let r = sla_clock(&s, &tl, at("2026-01-12T10:00:00Z"));
    assert_eq!(r.first_response.state, SlaState::Breached);
    assert_eq!(r.first_response.target_minutes, 480);
}

#[test]
fn a_target_shortened_below_the_used_time_was_reached_where_the_used_time_crossed_it() {
    let s = spec("UTC", &[]);
    // Monday 09:00, normal (first response 120 min); an hour later raised to urgent
    // (30 min, 24/7): breached and warned now, but reached back at 09:30 and 09:24
    let tl = open_ticket("2026-01-05T09:00:00Z", Priority::Normal).with(
        at("2026-01-05T10:00:00Z"),
        TimelineChange::Priority(Priority::Urgent),
    );
    let before = sla_clock(&s, &tl, at("2026-01-05T09:59:59Z"));
    assert_eq!(before.first_response.state, SlaState::Running);
    assert_eq!(before.first_response.warning_at, None);
    let r = sla_clock(&s, &tl, at("2026-01-05T10:01:00Z"));
    assert_eq!(
        fr(&r),
        (61, SlaState::Breached, Some(at("2026-01-05T09:30:00Z")))
    );
    assert_eq!(
        r.first_response.breached_at,
        Some(at("2026-01-05T09:30:00Z"))
    );
    assert_eq!(
        r.first_response.warning_at,
        Some(at("2026-01-05T09:24:00Z"))
    );
    // resolution (240 min now, warning at 192) is far from either
    assert_eq!(r.resolution.state, SlaState::Running);
    assert_eq!(r.resolution.warning_at, None);
}

#[test]
fn a_target_shortened_onto_the_used_time_during_a_pause_was_reached_when_the_clock_stopped() {
    let s = spec("UTC", &[]);
    // 30 minutes used by 09:30, then waiting on the customer; at 11:00 raised to urgent
    // (first response 30 min: exactly the time used); reopened at 12:00
    let tl = open_ticket("2026-01-05T09:00:00Z", Priority::Normal)
        .with(
            at("2026-01-05T09:30:00Z"),
            TimelineChange::Status(TicketStatus::WaitingOnCustomer),
        )
        .with(
            at("2026-01-05T11:00:00Z"),
            TimelineChange::Priority(Priority::Urgent),
        )
        .with(
            at("2026-01-05T12:00:00Z"),
            TimelineChange::Status(TicketStatus::Open),
        );
    let paused = sla_clock(&s, &tl, at("2026-01-05T11:30:00Z"));
    assert_eq!(paused.first_response.state, SlaState::Paused);
    assert_eq!(paused.first_response.breached_at, None);
    assert_eq!(
        paused.first_response.warning_at,
        Some(at("2026-01-05T09:24:00Z"))
    );
    // exactly on the target until the clock runs again; then breached as of 09:30
    let r = sla_clock(&s, &tl, at("2026-01-05T12:00:01Z"));
    assert_eq!(r.first_response.state, SlaState::Breached);
    assert_eq!(
        r.first_response.breached_at,
        Some(at("2026-01-05T09:30:00Z"))
    );
    assert_eq!(r.first_response.due_at, Some(at("2026-01-05T09:30:00Z")));
}

#[test]
fn a_breach_instant_stays_when_the_target_is_lengthened_afterwards() {
    let s = spec("UTC", &[]);
    // normal first response (120 min) exceeded at 11:00:01; lowered to low (480 min) at
    // 11:30; a day later even the low target is exceeded — the breach stays at 11:00
    let tl = open_ticket("2026-01-05T09:00:00Z", Priority::Normal).with(
        at("2026-01-05T11:30:00Z"),
        TimelineChange::Priority(Priority::Low),
    );
    for now in [
        "2026-01-05T11:00:01Z",
        "2026-01-05T12:00:00Z",
        "2026-01-07T12:00:00Z",
    ] {
        let r = sla_clock(&s, &tl, at(now));
        assert_eq!(r.first_response.state, SlaState::Breached, "{now}");
        assert_eq!(
            r.first_response.breached_at,
            Some(at("2026-01-05T11:00:00Z")),
            "{now}"
        );
        assert_eq!(
            r.first_response.warning_at,
            Some(at("2026-01-05T10:36:00Z")),
            "{now}"
        );
    }
}

#[test]
fn compiled_matches_walking_for_the_examples() {
    let s = spec("Europe/London", &["2026-01-12"]);
    let c = CompiledSla::new(
        &s,
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
    );
    let tl = open_ticket("2026-01-09T18:00:00Z", Priority::Normal).with(
        at("2026-01-13T09:30:00Z"),
        TimelineChange::Status(TicketStatus::WaitingOnCustomer),
    );
    for h in 0..24 * 40 {
        let now = at("2025-12-20T00:00:00Z") + Duration::hours(h);
        assert_eq!(c.clock(&tl, now), sla_clock(&s, &tl, now), "{now}");
    }
}

// ---------------------------------------------------------------------------------------
// Properties

const ZONES: [&str; 5] = [
    "Europe/London",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
    "Australia/Sydney",
];

fn arb_spec() -> impl Strategy<Value = SlaSpec> {
    let interval =
        (0u16..23 * 4, 1u16..16).prop_map(|(s, len)| (s * 15, (s * 15 + len * 15).min(1440)));
    let day = prop::collection::vec(interval, 0..3);
    (
        0usize..ZONES.len(),
        prop::collection::vec(day, 7),
        prop::collection::vec(0u32..365, 0..6),
        (1i64..600, 1i64..3000),
        any::<bool>(),
        any::<bool>(),
        1i64..100,
    )
        .prop_filter_map("a week needs working hours", |(z, week, hol, (fr, extra), pause, urgent_24, warn)| {
            let keys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let mut hours = serde_json::Map::new();
            for (k, ivs) in keys.iter().zip(week) {
                let mut ivs: Vec<(u16, u16)> = ivs;
                ivs.sort();
                // drop overlaps so the calendar is valid
                let mut kept: Vec<(u16, u16)> = Vec::new();
                for iv in ivs {
                    if kept.last().is_none_or(|l| l.1 <= iv.0) {
                        kept.push(iv);
                    }
                }
                let fmt = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
                hours.insert(
                    (*k).into(),
                    json!(kept.iter().map(|(s, e)| json!({"start": fmt(*s), "end": fmt(*e)})).collect::<Vec<_>>()),
                );
            }
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let holidays: Vec<String> = hol.iter().map(|d| (base + Duration::days(i64::from(*d))).to_string()).collect();
            let t = json!({"first_response_minutes": fr, "resolution_minutes": fr + extra});
            let v = json!({
                "calendar": {"timezone": ZONES[z], "working_hours": hours, "holidays": holidays},
                "targets": {"low": t, "normal": t, "high": {"first_response_minutes": 1, "resolution_minutes": 5}, "urgent": t},
                "pause_statuses": if pause { json!(["waiting_on_customer"]) } else { json!([]) },
                "warning_percent": warn.min(99),
                "always_on": if urgent_24 { json!(["urgent"]) } else { json!([]) },
            });
            let input: SlaSpecInput = serde_json::from_value(v).ok()?;
            SlaSpec::parse(&input).ok()
        })
}

fn arb_change() -> impl Strategy<Value = TimelineChange> {
    prop_oneof![
        prop::sample::select(TicketStatus::ALL.to_vec()).prop_map(TimelineChange::Status),
        prop::sample::select(Priority::ALL.to_vec()).prop_map(TimelineChange::Priority),
        Just(TimelineChange::FirstResponse),
    ]
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// A timeline starting somewhere in 2026 with changes over the next ~3 weeks.
fn arb_timeline() -> impl Strategy<Value = TicketTimeline> {
    (
        0i64..360 * 86_400,
        prop::sample::select(Priority::ALL.to_vec()),
        prop::collection::vec((0i64..21 * 86_400, arb_change()), 0..8),
    )
        .prop_map(|(start, p, changes)| {
            let s = t0() + Duration::seconds(start);
            let mut tl = TicketTimeline::new(s, TicketStatus::New, p);
            for (off, c) in changes {
                tl.push(s + Duration::seconds(off), c);
            }
            tl
        })
}

fn compiled(spec: &SlaSpec) -> CompiledSla<'_> {
    CompiledSla::new(
        spec,
        NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn elapsed_never_decreases_and_breaches_stay(spec in arb_spec(), tl in arb_timeline(), steps in prop::collection::vec(0i64..3 * 86_400, 1..8)) {
        let c = compiled(&spec);
        let mut now = tl.started_at() - Duration::hours(1);
        let mut prev = c.clock(&tl, now);
        for s in steps {
            now += Duration::seconds(s);
            let r = c.clock(&tl, now);
            for t in SlaTarget::ALL {
                let (a, b) = (prev.of(t), r.of(t));
                prop_assert!(b.elapsed_seconds >= a.elapsed_seconds);
                // the clock never runs faster than real time
                prop_assert!(b.elapsed_seconds - a.elapsed_seconds <= s);
                if a.state == SlaState::Breached {
                    prop_assert_eq!(b.state, SlaState::Breached);
                    prop_assert_eq!(b.breached_at, a.breached_at);
                }
                if a.warning_at.is_some() {
                    prop_assert_eq!(b.warning_at, a.warning_at);
                }
            }
            prev = r;
        }
    }

    #[test]
    fn compiled_equals_walking_days(spec in arb_spec(), tl in arb_timeline(), off in 0i64..40 * 86_400) {
        let now = tl.started_at() + Duration::seconds(off);
        prop_assert_eq!(compiled(&spec).clock(&tl, now), sla_clock(&spec, &tl, now));
        // a calendar compiled for a range that misses the ticket altogether agrees too
        let far = CompiledSla::new(&spec, NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2030, 1, 10).unwrap());
        prop_assert_eq!(far.clock(&tl, now), sla_clock(&spec, &tl, now));
    }

    #[test]
    fn splitting_a_segment_anywhere_changes_nothing(spec in arb_spec(), tl in arb_timeline(), split in 0i64..21 * 86_400, off in 0i64..30 * 86_400) {
        let now = tl.started_at() + Duration::seconds(off);
        let before = compiled(&spec).clock(&tl, now);
        // re-stating the status and priority in force at `split` is a no-op change
        let at = tl.started_at() + Duration::seconds(split);
        let mut status = tl.initial_status();
        let mut priority = tl.initial_priority();
        for (t, c) in tl.changes() {
            if t > at { break; }
            match c {
                TimelineChange::Status(s) => status = s,
                TimelineChange::Priority(p) => priority = p,
                TimelineChange::FirstResponse => {}
            }
        }
        let split_tl = tl.clone()
            .with(at, TimelineChange::Status(status))
            .with(at, TimelineChange::Priority(priority));
        prop_assert_eq!(compiled(&spec).clock(&split_tl, now), before);
    }

    #[test]
    fn paused_and_resolved_time_never_counts(spec in arb_spec(), start in 0i64..360 * 86_400, run in 0i64..5 * 86_400, idle in 0i64..10 * 86_400, status in prop::sample::select(vec![TicketStatus::WaitingOnCustomer, TicketStatus::Resolved, TicketStatus::Closed])) {
        prop_assume!(status != TicketStatus::WaitingOnCustomer || spec.pauses(status));
        let s = t0() + Duration::seconds(start);
        let stop = s + Duration::seconds(run);
        let tl = TicketTimeline::new(s, TicketStatus::Open, Priority::Low).with(stop, TimelineChange::Status(status));
        let c = compiled(&spec);
        let a = c.clock(&tl, stop);
        let b = c.clock(&tl, stop + Duration::seconds(idle));
        for t in SlaTarget::ALL {
            prop_assert_eq!(a.of(t).elapsed_seconds, b.of(t).elapsed_seconds);
        }
    }

    #[test]
    fn holidays_only_remove_time(spec in arb_spec(), tl in arb_timeline(), day in 0i64..380, off in 0i64..30 * 86_400) {
        let mut input = spec.to_input();
        input.calendar.holidays.push((NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(day)).to_string());
        let Ok(with_holiday) = SlaSpec::parse(&input) else { return Ok(()); };
        let now = tl.started_at() + Duration::seconds(off);
        let a = sla_clock(&spec, &tl, now);
        let b = sla_clock(&with_holiday, &tl, now);
        for t in SlaTarget::ALL {
            prop_assert!(b.of(t).elapsed_seconds <= a.of(t).elapsed_seconds);
        }
    }

    #[test]
    fn a_working_week_has_exactly_its_hours_across_dst(week in 0i64..52, zone in prop::sample::select(vec!["Europe/London", "America/New_York", "Australia/Sydney"])) {
        // Mon–Fri 09:00–17:00 local, no holidays: any Monday-to-Monday week is 40 h,
        // whether or not a daylight-saving change falls inside it.
        let s = spec(zone, &[]);
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + Duration::weeks(week);
        let local = |d: NaiveDate| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap()).earliest().unwrap().with_timezone(&Utc);
        let tl = TicketTimeline::new(local(monday), TicketStatus::Open, Priority::Low);
        let r = sla_clock(&s, &tl, local(monday + Duration::weeks(1)));
        prop_assert_eq!(r.resolution.elapsed_seconds, 40 * 3600);
    }

    #[test]
    fn reached_instants_are_where_the_used_time_reached_a_threshold_in_force(spec in arb_spec(), tl in arb_timeline(), off in 0i64..30 * 86_400) {
        // The warning (breach) instant is the first instant the used time was as much as
        // it was then, and that much is the warning threshold (target) of a priority in
        // force at or after that instant (the one in force when it happened).
        let c = compiled(&spec);
        let now = tl.started_at() + Duration::seconds(off);
        let r = c.clock(&tl, now);
        for t in SlaTarget::ALL {
            for (reached, warning) in [(r.of(t).warning_at, true), (r.of(t).breached_at, false)] {
                let Some(reached) = reached else { continue };
                prop_assert!(reached > tl.started_at() && reached <= now);
                let used = c.clock(&tl, reached).of(t).elapsed_seconds;
                let just_before = c.clock(&tl, reached - Duration::seconds(1)).of(t).elapsed_seconds;
                prop_assert!(just_before < used, "{:?} reached at {} with {} s used, as much a second earlier", t, reached, used);
                // priorities in force from `reached` to `now` (for a warning reached
                // exactly at the end of a stretch, also the one just before)
                let mut in_force = vec![tl.initial_priority()];
                for (at, ch) in tl.changes() {
                    if at > now {
                        break;
                    }
                    if let TimelineChange::Priority(q) = ch {
                        if at <= reached && !(warning && at == reached) {
                            in_force.clear();
                        }
                        in_force.push(q);
                    }
                }
                let thresholds: Vec<i64> = in_force.iter().map(|&p| {
                    let secs = i64::from(spec.target_minutes(p, t)) * 60;
                    if warning { (secs * i64::from(spec.warning_percent()) + 99) / 100 } else { secs }
                }).collect();
                prop_assert!(thresholds.contains(&used), "{:?} {} reached at {} with {} s used, thresholds in force {:?}", t, if warning { "warning" } else { "breach" }, reached, used, thresholds);
            }
        }
    }

    #[test]
    fn the_job_records_each_outcome_once_and_a_breach_stays(spec in arb_spec(), tl in arb_timeline(), steps in prop::collection::vec(0i64..2 * 86_400, 1..12)) {
        let c = compiled(&spec);
        let ticket_id = TicketId::from_uuid(Uuid::from_u128(1));
        let mut state = sla::evolve_assignment(None, &sla::decide_assignment(None, &SlaAssignmentCommand::Assign {
            ticket_id,
            definition_id: SlaDefinitionId::from_uuid(Uuid::from_u128(2)),
            definition_version: SlaVersionNumber::FIRST,
        }, t0()).unwrap()[0]);
        let mut seen: Vec<(SlaTarget, &'static str)> = Vec::new();
        let mut now = tl.started_at();
        for s in steps {
            now += Duration::seconds(s);
            let reading = c.clock(&tl, now);
            let evs = sla::decide_assignment(state.as_ref(), &SlaAssignmentCommand::Record { reading }, now).unwrap();
            // the same job run again (overlapping runs) records nothing more
            let again_state = evs.iter().fold(state.clone(), sla::evolve_assignment);
            let again = sla::decide_assignment(again_state.as_ref(), &SlaAssignmentCommand::Record { reading }, now).unwrap();
            prop_assert!(again.is_empty());
            for e in &evs {
                let (target, kind) = match e {
                    sla::SlaEvent::Warning(p) => (p.target, "warning"),
                    sla::SlaEvent::Breached(p) => (p.target, "breached"),
                    sla::SlaEvent::Met(p) => (p.target, "met"),
                    other => panic!("unexpected {other:?}"),
                };
                prop_assert!(!seen.contains(&(target, kind)), "{kind} recorded twice");
                // after a breach or met nothing more for that target
                prop_assert!(!seen.contains(&(target, "breached")) && !seen.contains(&(target, "met")));
                seen.push((target, kind));
            }
            state = again_state;
            for t in SlaTarget::ALL {
                if state.as_ref().unwrap().recorded().of(t).breached {
                    prop_assert_eq!(reading.of(t).state, SlaState::Breached);
                }
            }
        }
        // marks_to_record agrees with the final state: nothing pending
        prop_assert!(marks_to_record(&c.clock(&tl, now), &state.unwrap().recorded()).is_empty());
    }
}
