//! Benchmark: the SLA clock for 100,000 open tickets with varied timelines (status
//! changes, pauses, priority changes, first responses) against one definition version
//! with a London business calendar and holidays. Target: ≤ 1 s on one core.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use pet_core::helpdesk::{
    CompiledSla, Priority, SlaSpec, SlaSpecInput, TicketStatus, TicketTimeline, TimelineChange,
};

fn spec() -> SlaSpec {
    let day =
        serde_json::json!([{"start": "09:00", "end": "12:30"}, {"start": "13:30", "end": "17:30"}]);
    let v = serde_json::json!({
        "calendar": {
            "timezone": "Europe/London",
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
                         "2026-08-31", "2026-12-25", "2026-12-28"],
        },
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 4800},
            "normal": {"first_response_minutes": 240, "resolution_minutes": 2400},
            "high": {"first_response_minutes": 60, "resolution_minutes": 960},
            "urgent": {"first_response_minutes": 30, "resolution_minutes": 240},
        },
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": 80,
        "always_on": ["urgent"],
    });
    let input: SlaSpecInput = serde_json::from_value(v).unwrap();
    SlaSpec::parse(&input).unwrap()
}

/// Deterministic pseudo-random numbers (no `rand` in pet-core).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn timelines(now: DateTime<Utc>, n: usize) -> Vec<TicketTimeline> {
    let mut rng = Lcg(42);
    (0..n)
        .map(|_| {
            // opened up to 60 days ago
            let start = now - Duration::seconds(rng.next(60 * 86_400) as i64 + 60);
            let priority = Priority::ALL[rng.next(4) as usize];
            let mut tl = TicketTimeline::new(start, TicketStatus::New, priority);
            let span = (now - start).num_seconds() as u64;
            let mut t = start;
            for _ in 0..rng.next(8) {
                t += Duration::seconds(rng.next(span / 4 + 1) as i64);
                if t >= now {
                    break;
                }
                let change = match rng.next(6) {
                    0 => TimelineChange::Status(TicketStatus::WaitingOnCustomer),
                    1 | 2 => TimelineChange::Status(TicketStatus::Open),
                    3 => TimelineChange::Priority(Priority::ALL[rng.next(4) as usize]),
                    4 => TimelineChange::FirstResponse,
                    _ => TimelineChange::Status(TicketStatus::Open),
                };
                tl.push(t, change);
            }
            tl
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let spec = spec();
    let now = Utc.with_ymd_and_hms(2026, 3, 31, 10, 17, 0).unwrap();
    let tickets = timelines(now, 100_000);
    let changes: usize = tickets.iter().map(|t| t.changes().count()).sum();
    println!("100000 tickets, {changes} timeline changes in all");
    let mut g = c.benchmark_group("sla_clock");
    g.sample_size(10);
    g.bench_function("compile calendar (400 days)", |b| {
        b.iter(|| {
            CompiledSla::new(
                black_box(&spec),
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2027, 2, 4).unwrap(),
            )
        })
    });
    g.bench_function("100k open tickets (compile + evaluate)", |b| {
        b.iter(|| {
            let compiled = CompiledSla::new(
                &spec,
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2027, 2, 4).unwrap(),
            );
            let mut breached = 0usize;
            for tl in &tickets {
                let r = compiled.clock(black_box(tl), now);
                breached +=
                    usize::from(r.resolution.state == pet_core::helpdesk::SlaState::Breached);
            }
            black_box(breached)
        })
    });
    g.bench_function("1k open tickets walking days (no precompute)", |b| {
        b.iter(|| {
            for tl in &tickets[..1000] {
                black_box(pet_core::helpdesk::sla_clock(&spec, black_box(tl), now));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
