//! Criterion benches of the helpdesk and knowledge base (issue 4). They need
//! `PET_TEST_DATABASE_URL` (skipped without) and use a random table prefix that is dropped
//! at the end.
//!
//! (a) The SLA job (`App::evaluate_slas`, what the job queue runs for `sla.evaluate`) over
//! `PET_BENCH_TICKETS` open tickets (default 100,000), every one under a business-hours SLA.
//! The tickets are created through the real commands (`create_ticket`, then
//! `change_ticket_status` / `reply_to_ticket` for a mix of new, open, responded and paused
//! tickets; low/normal/high/urgent priorities) on Monday 2 March 2026 between 09:00 and
//! 10:00 (London = UTC then), with a manual clock. Measured:
//! - `first_run_at_10:00` (printed, one run): the first run after seeding records the
//!   first-response warnings and breaches the clock reached;
//! - `sla_job/steady_state`: repeated runs at the same instant (every ticket evaluated,
//!   nothing left to record);
//! - `sla_job/every_minute`: the clock moves one minute before each run (what WP-Cron does);
//!   each run records the outcomes reached in that minute;
//! - `next_day_backlog` (printed, one run): the clock jumps to Tuesday 10:00, so most
//!   tickets get resolution warnings and breaches recorded in one run.
//!
//! (b) Knowledge search (`App::search_articles`) over `PET_BENCH_ARTICLES` published
//! articles (default 50,000, created with `create_article {publish: true}`, 12 categories;
//! titles from the category's topic words, bodies 35 % common support words, 40 % topic
//! words, 5 % other topics' words, 20 % a long tail of 4,000 rarer words). Criterion
//! measures a rotation through 16 realistic queries; a separate loop prints p50/p95 over
//! `PET_BENCH_SEARCH_SAMPLES` searches (default 320).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    clippy::cast_precision_loss,
    missing_docs
)]

mod common;

/// The extension's allocator (pet-php/src/lib.rs), so the bench measures what runs.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Span, Utc};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use mysql_async::prelude::*;
use pet_storage_mysql::{App, AppParts, CommandContext, ManualClock};
use serde_json::{json, Value};
use tokio::task::JoinSet;

/// Commands run at the same time while seeding.
const SEED_TASKS: usize = 6;

fn env_size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// False when criterion filters are given on the command line and none is part of `group`
/// or starts with it (so `cargo bench --bench helpdesk -- knowledge` seeds only the
/// articles).
fn wanted(group: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty()
        || filters
            .iter()
            .any(|f| group.contains(f.as_str()) || f.starts_with(group))
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn setup(rt: &tokio::runtime::Runtime, start: DateTime<Utc>) -> Option<(App, Arc<ManualClock>)> {
    let mut cfg = common::bench_config("helpdesk")?;
    cfg.pool_max = SEED_TASKS + 2;
    let clock = Arc::new(ManualClock::new(start));
    let app = App::with_parts(
        cfg,
        AppParts {
            clock: clock.clone(),
            ..AppParts::default()
        },
    )
    .unwrap();
    rt.block_on(app.migrate()).unwrap();
    Some((app, clock))
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Runs a seeding command, again when MariaDB chose it as a deadlock victim (concurrent
/// commands can deadlock; a client retries them). Counts the retries.
async fn retry<F, Fut>(mut f: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Value, pet_storage_mysql::AppError>>,
{
    for _ in 0..20 {
        match f().await {
            Ok(v) => return v,
            Err(e) if e.to_string().contains("Deadlock") || e.to_string().contains("1213") => {
                DEADLOCKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Err(e) => panic!("seeding command failed: {e}"),
        }
    }
    panic!("seeding command deadlocked 20 times");
}

static DEADLOCKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn deadlocks() -> u64 {
    DEADLOCKS.load(std::sync::atomic::Ordering::Relaxed)
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// An index in `0..n` with probability ~ 1/(i+1) (Zipf, s = 1).
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let h = ((n + 1) as f64).ln();
        (((u * h).exp() - 1.0) as usize).min(n - 1)
    }
}

// ---- (a) the SLA job ------------------------------------------------------------------

fn sla_spec() -> Value {
    let day = json!([{"start": "09:00", "end": "17:00"}]);
    json!({
        "calendar": {
            "timezone": "Europe/London",
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": ["2026-12-25", "2026-12-26"]
        },
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
            "normal": {"first_response_minutes": 60, "resolution_minutes": 480},
            "high": {"first_response_minutes": 30, "resolution_minutes": 240},
            "urgent": {"first_response_minutes": 15, "resolution_minutes": 120}
        },
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": 80,
        "always_on": ["urgent"]
    })
}

/// What happens to ticket `i` after it is created.
#[derive(Clone, Copy)]
enum Follow {
    /// Stays `new`.
    None,
    /// `new → open`.
    Open,
    /// `new → open`, then a public reply (first response met).
    Respond,
    /// `new → open → waiting_on_customer` (the SLA clock pauses).
    Pause,
}

fn ticket_mix(i: usize) -> (&'static str, Follow) {
    let priority = match i % 10 {
        0 | 1 => "low",
        2..=6 => "normal",
        7 | 8 => "high",
        _ => "urgent",
    };
    let follow = match (i * 7 + i / 10) % 20 {
        0..=5 => Follow::None,
        6..=12 => Follow::Open,
        13..=15 => Follow::Respond,
        _ => Follow::Pause,
    };
    (priority, follow)
}

struct Desk {
    agents: Vec<CommandContext>,
    customers: Vec<String>,
    definition: String,
}

async fn desk(app: &App) -> Desk {
    let boss = app
        .identity()
        .create_employee(
            &json!({"name": "Ana Ruiz", "email": "ana@example.com"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    let boss = CommandContext::employee(id(&boss).parse().unwrap());
    let mut agents = vec![boss.clone()];
    for n in 1..8 {
        let e = app
            .identity()
            .create_employee(
                &json!({"name": format!("Agent {n}"), "email": format!("agent{n}@example.com")}),
                &boss,
            )
            .await
            .unwrap();
        agents.push(CommandContext::employee(id(&e).parse().unwrap()));
    }
    let mut customers = Vec::new();
    for n in 0..200 {
        let c = app
            .identity()
            .create_customer(&json!({"name": format!("Customer {n} Ltd")}), &boss)
            .await
            .unwrap();
        customers.push(id(&c));
    }
    let def = app
        .helpdesk()
        .create_sla_definition(
            &json!({"name": "Standard support", "spec": sla_spec()}),
            &boss,
        )
        .await
        .unwrap();
    Desk {
        agents,
        customers,
        definition: id(&def),
    }
}

/// Runs `f(i)` for every `i` in `range`, `SEED_TASKS` at a time.
async fn concurrently<F, Fut>(range: std::ops::Range<usize>, f: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let f = Arc::new(f);
    let mut set = JoinSet::new();
    for i in range {
        if set.len() >= SEED_TASKS {
            set.join_next().await.unwrap().unwrap();
        }
        let f = f.clone();
        set.spawn(async move { f(i).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
}

/// Creates `n` tickets between 09:00 and 10:00 on Monday 2 March 2026, in chunks of 1000
/// (one clock instant per chunk; the follow-up commands 10 s after the chunk's creation).
async fn seed_tickets(app: &App, clock: &ManualClock, d: &Desk, n: usize) {
    let start = at("2026-03-02T09:00:00Z");
    let chunk = 1000usize;
    let chunks = n.div_ceil(chunk).max(1);
    let step_ms = 3_600_000 / chunks as i64;
    let t0 = Instant::now();
    for c in 0..chunks {
        let from = c * chunk;
        let to = (from + chunk).min(n);
        let created_at = start + Span::milliseconds(step_ms * c as i64);
        clock.set(created_at);
        let ids: Arc<std::sync::Mutex<Vec<Option<String>>>> =
            Arc::new(std::sync::Mutex::new(vec![None; to - from]));
        {
            let (app, ids) = (app.clone(), ids.clone());
            let (agents, customers, def) =
                (d.agents.clone(), d.customers.clone(), d.definition.clone());
            concurrently(from..to, move |i| {
                let (app, ids, def) = (app.clone(), ids.clone(), def.clone());
                let actor = agents[i % agents.len()].clone();
                let assignee = agents[(i / 3) % agents.len()].actor_id.unwrap();
                let customer = customers[(i * 31) % customers.len()].clone();
                async move {
                    let (priority, _) = ticket_mix(i);
                    let channel = ["email", "phone", "portal"][i % 3];
                    let input = json!({"customer_id": customer, "subject": format!("Ticket {i}: cannot export the monthly report"),
                                       "priority": priority, "channel": channel,
                                       "assignee_id": assignee, "sla_definition_id": def});
                    let helpdesk = app.helpdesk();
                    let t = retry(|| helpdesk.create_ticket(&input, &actor)).await;
                    ids.lock().unwrap()[i - from] = Some(id(&t));
                }
            })
            .await;
        }
        clock.set(created_at + Span::seconds(10));
        let ids: Vec<String> = ids.lock().unwrap().iter().flatten().cloned().collect();
        let ids = Arc::new(ids);
        let app2 = app.clone();
        let agents = d.agents.clone();
        concurrently(from..to, move |i| {
            let (app, ids) = (app2.clone(), ids.clone());
            let actor = agents[i % agents.len()].clone();
            async move {
                let tid = &ids[i - from];
                let (_, follow) = ticket_mix(i);
                if matches!(follow, Follow::None) {
                    return;
                }
                let helpdesk = app.helpdesk();
                retry(|| helpdesk.change_ticket_status(tid, "open", &actor)).await;
                match follow {
                    Follow::Respond => {
                        let body = json!({"body": "Thanks, we are looking into it."});
                        let helpdesk = app.helpdesk();
                        retry(|| helpdesk.reply_to_ticket(tid, &body, &actor)).await;
                    }
                    Follow::Pause => {
                        let helpdesk = app.helpdesk();
                        retry(|| helpdesk.change_ticket_status(tid, "waiting_on_customer", &actor))
                            .await;
                    }
                    _ => {}
                }
            }
        })
        .await;
        if c % 10 == 9 {
            eprintln!(
                "  seeded {to} tickets ({:.0} s, {:.0} tickets/s)",
                t0.elapsed().as_secs_f64(),
                to as f64 / t0.elapsed().as_secs_f64()
            );
        }
    }
    let mut conn = app.pool().get_conn().await.unwrap();
    let t = app.helpdesk_tables();
    conn.query_drop(format!(
        "ANALYZE TABLE {}, {}",
        t.tickets, t.sla_assignments
    ))
    .await
    .unwrap();
    eprintln!(
        "seeded {n} tickets through the ticket commands in {:.0} s ({} deadlock retries so far)",
        t0.elapsed().as_secs_f64(),
        deadlocks()
    );
}

async fn timed_run(app: &App, label: &str) {
    let t0 = Instant::now();
    let r = app.helpdesk().evaluate_slas().await.unwrap();
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "sla_job/{label}: {secs:.2} s at {} (evaluated {}, tickets recorded {}, warnings {}, breaches {}, met {})",
        app.now().format("%a %Y-%m-%d %H:%M"),
        r.evaluated,
        r.tickets_recorded,
        r.warnings,
        r.breaches,
        r.met
    );
}

fn sla_job(c: &mut Criterion) {
    if !wanted("sla_job") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some((app, clock)) = setup(&rt, at("2026-03-02T08:00:00Z")) else {
        return;
    };
    let n = env_size("PET_BENCH_TICKETS", 100_000);
    let d = rt.block_on(desk(&app));
    rt.block_on(seed_tickets(&app, &clock, &d, n));

    // The first run after seeding: first-response warnings and breaches to record.
    clock.set(at("2026-03-02T10:00:00Z"));
    rt.block_on(timed_run(&app, "first_run_at_10:00"));

    let mut g = c.benchmark_group(format!("sla_job_{n}_tickets"));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    let mut last = None;
    g.bench_function("steady_state", |b| {
        b.iter(|| last = Some(rt.block_on(app.helpdesk().evaluate_slas()).unwrap()))
    });
    if let Some(r) = last {
        println!(
            "sla_job/steady_state: last run evaluated {}, recorded {}",
            r.evaluated, r.tickets_recorded
        );
    }
    let mut recorded = (0u64, 0u64, 0u64);
    g.bench_function("every_minute", |b| {
        b.iter(|| {
            clock.advance(Span::minutes(1));
            let r = rt.block_on(app.helpdesk().evaluate_slas()).unwrap();
            recorded = (r.evaluated, recorded.1 + r.tickets_recorded, recorded.2 + 1);
        })
    });
    println!(
        "sla_job/every_minute: {} runs up to {} recorded outcomes for {} tickets (last run evaluated {})",
        recorded.2,
        app.now().format("%H:%M"),
        recorded.1,
        recorded.0
    );
    g.finish();

    // A business day later: resolution warnings and breaches for most tickets at once.
    clock.set(at("2026-03-03T10:00:00Z"));
    rt.block_on(timed_run(&app, "next_day_backlog"));
    rt.block_on(common::finish(&app));
}

// ---- (b) knowledge search -------------------------------------------------------------

/// Words every article uses, roughly most frequent first (drawn Zipf-like).
const COMMON: &[&str] = &[
    "account",
    "user",
    "settings",
    "page",
    "click",
    "error",
    "open",
    "select",
    "check",
    "new",
    "time",
    "message",
    "update",
    "team",
    "screen",
    "button",
    "list",
    "version",
    "admin",
    "support",
    "issue",
    "fix",
    "step",
    "option",
    "window",
    "menu",
    "save",
    "change",
    "enable",
    "disable",
    "delete",
    "remove",
    "restart",
    "install",
    "configure",
    "problem",
    "guide",
    "known",
    "workaround",
    "contact",
    "request",
    "field",
    "form",
    "search",
    "default",
    "manager",
    "department",
    "customer",
    "project",
    "document",
];

/// Topic words, one list per category (an article mostly uses its category's words).
const TOPICS: &[(&str, &[&str])] = &[
    (
        "Accounts",
        &[
            "password",
            "reset",
            "login",
            "locked",
            "forgot",
            "recover",
            "username",
            "profile",
            "sso",
            "session",
            "expired",
            "invite",
            "deactivate",
            "role",
            "permission",
        ],
    ),
    (
        "Email",
        &[
            "email",
            "mailbox",
            "outlook",
            "signature",
            "alias",
            "forwarding",
            "spam",
            "junk",
            "quarantine",
            "syncing",
            "imap",
            "smtp",
            "attachment",
            "calendar",
            "invite",
        ],
    ),
    (
        "Billing",
        &[
            "invoice",
            "payment",
            "refund",
            "subscription",
            "renewal",
            "license",
            "discount",
            "tax",
            "currency",
            "receipt",
            "billing",
            "plan",
            "upgrade",
            "trial",
            "card",
        ],
    ),
    (
        "Network",
        &[
            "vpn",
            "wifi",
            "router",
            "firewall",
            "proxy",
            "dns",
            "connection",
            "timeout",
            "bandwidth",
            "cable",
            "latency",
            "ip",
            "gateway",
            "firmware",
            "ethernet",
        ],
    ),
    (
        "Printing",
        &[
            "printer", "print", "toner", "paper", "tray", "driver", "offline", "queue", "scanner",
            "duplex", "jam", "colour", "spooler", "label", "pdf",
        ],
    ),
    (
        "Security",
        &[
            "authentication",
            "factor",
            "code",
            "authenticator",
            "phishing",
            "malware",
            "virus",
            "encryption",
            "certificate",
            "audit",
            "gdpr",
            "privacy",
            "compliance",
            "token",
            "breach",
        ],
    ),
    (
        "Mobile",
        &[
            "mobile",
            "phone",
            "android",
            "iphone",
            "tablet",
            "app",
            "notification",
            "bluetooth",
            "battery",
            "syncing",
            "sms",
            "camera",
            "store",
            "push",
            "offline",
        ],
    ),
    (
        "Reports",
        &[
            "report",
            "export",
            "csv",
            "excel",
            "spreadsheet",
            "chart",
            "dashboard",
            "filter",
            "column",
            "schedule",
            "monthly",
            "pdf",
            "template",
            "totals",
            "pivot",
        ],
    ),
    (
        "Hardware",
        &[
            "laptop",
            "monitor",
            "keyboard",
            "mouse",
            "dock",
            "charger",
            "headset",
            "microphone",
            "webcam",
            "warranty",
            "repair",
            "replacement",
            "disk",
            "memory",
            "slow",
        ],
    ),
    (
        "Integrations",
        &[
            "api",
            "webhook",
            "integration",
            "key",
            "token",
            "sync",
            "import",
            "mapping",
            "crm",
            "erp",
            "automation",
            "workflow",
            "rate",
            "limit",
            "endpoint",
        ],
    ),
    (
        "Getting started",
        &[
            "onboarding",
            "training",
            "tutorial",
            "faq",
            "browser",
            "dashboard",
            "language",
            "timezone",
            "theme",
            "logo",
            "branding",
            "layout",
            "tour",
            "shortcut",
            "welcome",
        ],
    ),
    (
        "Data",
        &[
            "backup",
            "restore",
            "storage",
            "quota",
            "archive",
            "retention",
            "database",
            "migration",
            "failed",
            "recovery",
            "snapshot",
            "folder",
            "share",
            "file",
            "upload",
        ],
    ),
];

const QUERIES: &[&str] = &[
    "reset password",
    "invoice pdf export",
    "vpn connection timeout",
    "printer offline driver",
    "outlook signature",
    "two factor authentication code",
    "email not syncing mobile",
    "license renewal",
    "slow login browser",
    "backup restore failed",
    "export report csv",
    "calendar meeting invite",
    "refund payment",
    "account locked",
    "wifi router firmware",
    "spam quarantine mailbox",
];

/// The long tail of a real knowledge base's vocabulary (product names, error codes, rare
/// words): `TAIL` made-up words, drawn Zipf-like.
const TAIL: usize = 4000;

fn tail_word(n: usize) -> String {
    const SYL: &[&str] = &[
        "ka", "lo", "mi", "ren", "tor", "vex", "qu", "sal", "dun", "pri", "zo", "bel", "nar",
        "cet", "fi", "gor",
    ];
    format!(
        "{}{}{}",
        SYL[n % 16],
        SYL[(n / 16) % 16],
        SYL[(n / 256) % 16]
    )
}

/// A sentence of `words` words: 35 % common words (uniformly), 40 % the topic's (Zipf-like),
/// 5 % another topic's, 20 % the long tail.
fn sentence(r: &mut Rng, topic: &[&'static str], words: usize) -> String {
    let mut s: Vec<String> = (0..words)
        .map(|_| match r.below(20) {
            0..=6 => COMMON[r.below(COMMON.len())].to_owned(),
            7..=14 => topic[r.zipf(topic.len())].to_owned(),
            15 => {
                let other = TOPICS[r.below(TOPICS.len())].1;
                other[r.below(other.len())].to_owned()
            }
            _ => tail_word(r.zipf(TAIL)),
        })
        .collect();
    s[0] = format!("{}{}", s[0][..1].to_uppercase(), &s[0][1..]);
    format!("{}.", s.join(" "))
}

fn article(i: usize) -> Value {
    let mut r = Rng(i as u64 * 0x2545_F491_4F6C_DD1D + 7);
    let (category, topic) = TOPICS[i % TOPICS.len()];
    let title_words: Vec<&str> = (0..3 + r.below(4))
        .map(|_| topic[r.zipf(topic.len())])
        .collect();
    let title = format!(
        "{} {}",
        COMMON[r.below(COMMON.len())],
        title_words.join(" ")
    );
    let paragraphs: Vec<String> = (0..2 + r.below(4))
        .map(|_| {
            (0..3 + r.below(4))
                .map(|_| {
                    let n = 6 + r.below(12);
                    sentence(&mut r, topic, n)
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    json!({"category": category, "slug": format!("article-{i}"),
           "title": format!("{}{}", title[..1].to_uppercase(), &title[1..]),
           "body": paragraphs.join("\n\n"), "publish": true})
}

async fn seed_articles(app: &App, n: usize) {
    let boss = app
        .identity()
        .create_employee(
            &json!({"name": "Kim Editor", "email": "kim@example.com"}),
            &CommandContext::system(),
        )
        .await
        .unwrap();
    let boss = CommandContext::employee(id(&boss).parse().unwrap());
    let t0 = Instant::now();
    let step = 5000;
    let mut from = 0;
    while from < n {
        let to = (from + step).min(n);
        let (app2, boss2) = (app.clone(), boss.clone());
        concurrently(from..to, move |i| {
            let (app, boss) = (app2.clone(), boss2.clone());
            async move {
                let a = article(i);
                let knowledge = app.knowledge();
                retry(|| knowledge.create_article(&a, &boss)).await;
            }
        })
        .await;
        eprintln!(
            "  seeded {to} articles ({:.0} s)",
            t0.elapsed().as_secs_f64()
        );
        from = to;
    }
    let t = app.helpdesk_tables();
    let mut conn = app.pool().get_conn().await.unwrap();
    conn.query_drop(format!(
        "ANALYZE TABLE {}, {}",
        t.articles, t.article_versions
    ))
    .await
    .unwrap();
    let live: Option<u64> = conn
        .query_first(format!(
            "SELECT COUNT(*) FROM {} WHERE live = 1",
            t.article_versions
        ))
        .await
        .unwrap();
    eprintln!(
        "seeded {n} published articles through create_article in {:.0} s ({} live versions, {} deadlock retries)",
        t0.elapsed().as_secs_f64(),
        live.unwrap_or(0),
        deadlocks()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn knowledge_search(c: &mut Criterion) {
    if !wanted("knowledge_search") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some((app, _clock)) = setup(&rt, at("2026-03-02T08:00:00Z")) else {
        return;
    };
    let n = env_size("PET_BENCH_ARTICLES", 50_000);
    rt.block_on(seed_articles(&app, n));
    for q in QUERIES {
        let r = rt
            .block_on(
                app.knowledge()
                    .search_articles(&json!({"q": q, "per_page": 20})),
            )
            .unwrap();
        eprintln!(
            "  \"{q}\": {} matches, first: {}",
            r["total"], r["items"][0]["title"]
        );
    }
    let mut g = c.benchmark_group(format!("knowledge_search_{n}_articles"));
    g.sample_size(50).measurement_time(Duration::from_secs(15));
    let mut k = 0usize;
    g.bench_function("search_first_page_rotating_queries", |b| {
        b.iter(|| {
            k += 1;
            let q = QUERIES[k % QUERIES.len()];
            rt.block_on(
                app.knowledge()
                    .search_articles(&json!({"q": q, "per_page": 20})),
            )
            .unwrap()
        })
    });
    g.finish();
    let samples = env_size("PET_BENCH_SEARCH_SAMPLES", 320);
    let mut times: Vec<Duration> = (0..samples)
        .map(|k| {
            let q = QUERIES[k % QUERIES.len()];
            let t0 = Instant::now();
            rt.block_on(
                app.knowledge()
                    .search_articles(&json!({"q": q, "per_page": 20})),
            )
            .unwrap();
            t0.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "knowledge_search/{n}_articles: {samples} searches over {} queries: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        QUERIES.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
    rt.block_on(common::finish(&app));
}

criterion_group!(benches, knowledge_search, sla_job);
criterion_main!(benches);
