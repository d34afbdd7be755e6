//! The application facade `pet-php` wraps: [`App`] with one async method per method of
//! `Pet\Engine` (see `pet-php/stubs/pet.stub.php`), JSON in and JSON out.
//!
//! This file holds the plumbing (pool, clock), migrations, health, the activity feed and the
//! job runner; the command path is `command.rs`, and each module's commands and queries are
//! in its folder (`identity/`, `commercial/`, `helpdesk/`, `knowledge/`).

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, Utc};
use mysql_async::prelude::*;
use mysql_async::{Conn, Pool, Row, Value as SqlValue};
use pet_core::activity::{render_recorded, NameLookup as CoreNames};
use pet_core::{Actor, ContextType, EventRegistry, IdempotencyKey, RecordedEvent};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::clock::{Clock, SystemClock};
use crate::command::command;
use crate::config::{Config, Tables};
use crate::db::{build_pool, from_db_time, rfc3339, to_db_time};
use crate::error::{AppError, StorageError};
use crate::input::{arg_uuid, Input};
use crate::jobs::{status as job_status, ClaimedJob, JobQueue, NewJob};
use crate::migrate::{embedded, Migrator};
use crate::paging::{bounded_count_sql, where_sql, Key, Order, Total};
use crate::projector::{ActivityRenderer, GenericRenderer, NameFact, NameLookup, Projector};
use crate::store::EventStore;

/// The most events a read of the activity feed projects before answering (≈ 0.1–0.4 s);
/// a larger backlog is reported as `pending` and left to the job runner.
pub const READ_CATCH_UP: u64 = 10_000;

/// Job kind: bring projections up to date.
pub const JOB_PROJECTION_CATCH_UP: &str = "projection.catch_up";
/// Job kind: publish a scheduled org-structure version once due (payload `version_id`).
pub const JOB_ORG_PUBLISH: &str = pet_core::identity::JOB_ORG_PUBLISH;

/// Who runs a command and its idempotency key (the PHP `$context` array).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandContext {
    /// The acting employee; `None` for system commands.
    pub actor_id: Option<Uuid>,
    /// Makes the command safe to replay.
    pub idempotency_key: Option<IdempotencyKey>,
    /// Whether the actor may manage other employees' time (approve, send back, adjust, and
    /// log or change time on their behalf): the caller's permission, which the time rules
    /// in `pet-core` check. Default false.
    pub manages_time: bool,
    /// The customer contact acting through the customer portal (never with `actor_id`): its
    /// events record the contact as their actor (`Actor::Contact`). Set by the portal's
    /// commands from the signed-in user, never from the PHP `$context`.
    pub contact_id: Option<Uuid>,
}

impl CommandContext {
    /// Parses `['actor_id' => ?string, 'idempotency_key' => ?string, 'manages_time' =>
    /// ?bool]`.
    pub fn from_json(v: &Value) -> Result<Self, AppError> {
        let mut input = Input::new(v, "context");
        let actor_id = input.opt_uuid("actor_id");
        let key = input.opt_str("idempotency_key");
        let manages_time = match v.get("manages_time") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                input.error("manages_time", "must be a boolean");
                false
            }
        };
        let idempotency_key = match key.map(IdempotencyKey::new) {
            None => None,
            Some(Ok(k)) => Some(k),
            Some(Err(e)) => {
                input.error("idempotency_key", &e.to_string());
                None
            }
        };
        input.finish()?;
        Ok(Self {
            actor_id,
            idempotency_key,
            manages_time,
            contact_id: None,
        })
    }

    /// A system context (cron, jobs).
    pub fn system() -> Self {
        Self::default()
    }

    /// An employee acting.
    pub fn employee(id: Uuid) -> Self {
        Self {
            actor_id: Some(id),
            idempotency_key: None,
            manages_time: false,
            contact_id: None,
        }
    }

    /// The same context for an actor who manages time.
    pub fn managing_time(mut self) -> Self {
        self.manages_time = true;
        self
    }

    /// The same context with an idempotency key.
    pub fn with_key(mut self, key: &str) -> Result<Self, AppError> {
        self.idempotency_key = Some(
            IdempotencyKey::new(key)
                .map_err(|e| AppError::field("idempotency_key", e.to_string()))?,
        );
        Ok(self)
    }

    /// The actor of the events this command records.
    pub fn actor(&self) -> Actor {
        match (self.actor_id, self.contact_id) {
            (Some(id), _) => Actor::Employee(id),
            (None, Some(contact)) => Actor::Contact(contact),
            (None, None) => Actor::System,
        }
    }
}

/// Renders activity lines with `pet_core::activity` (falling back to a generic line for
/// event types it does not know) and learns names from creation events.
#[derive(Debug, Default, Clone, Copy)]
pub struct PetRenderer;

struct CoreLookup<'a>(&'a dyn NameLookup);

impl CoreNames for CoreLookup<'_> {
    fn name(&self, kind: ContextType, id: Uuid) -> Option<String> {
        self.0.name(kind.as_str(), id)
    }
}

impl ActivityRenderer for PetRenderer {
    fn names(&self, event: &RecordedEvent) -> Vec<NameFact> {
        let e = &event.event;
        match pet_core::activity::names_introduced(
            e.event_type().as_str(),
            e.schema_version(),
            e.payload(),
        ) {
            Ok(named) => named
                .into_iter()
                .map(|n| NameFact {
                    entity_type: n.kind.as_str().to_owned(),
                    entity_id: n.id,
                    name: n.name,
                })
                .collect(),
            Err(_) => GenericRenderer.names(event),
        }
    }

    /// The line as pet-core renders it; who did it is the feed's own actor column, so the
    /// line does not repeat it. Events pet-core cannot render get the generic line.
    fn render(&self, event: &RecordedEvent, names: &dyn NameLookup) -> String {
        render_recorded(event, &CoreLookup(names))
            .unwrap_or_else(|_| GenericRenderer.render(event, names))
    }
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) tables: Tables,
    pub(crate) pool: OnceLock<Pool>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) store: EventStore,
    pub(crate) projector: Projector,
    /// Test hook: how many more command attempts fail with lock contention at commit.
    pub(crate) contend: std::sync::atomic::AtomicU32,
    /// Rows a list search scans before asking the FULLTEXT indexes.
    pub(crate) search_scan: u32,
    /// The replicas' pools (`topology.rs`), created on first use.
    pub(crate) replica_pools: OnceLock<Vec<Pool>>,
    /// The newest commit position this App wrote or was told of (read-your-writes).
    pub(crate) last_gtid: std::sync::Mutex<crate::topology::GtidPos>,
    /// How reads were served.
    pub(crate) read_stats: crate::topology::ReadStats,
}

/// The PET application: connection settings, a lazily created small pool, a clock, the
/// event registry. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("prefix", &self.inner.tables.prefix)
            .field("database", &self.inner.config.database)
            .finish_non_exhaustive()
    }
}

/// Everything [`App`] is built from; see [`App::with_parts`].
#[derive(Debug, Clone)]
pub struct AppParts {
    /// The clock (system clock by default).
    pub clock: Arc<dyn Clock>,
    /// The event registry (`pet_core::registry::pet_registry()` by default).
    pub registry: EventRegistry,
    /// Events per projector transaction.
    pub projector_batch: usize,
    /// How many rows a list search reads through the list's order before it asks the
    /// FULLTEXT indexes (see `paging`); tests lower it to reach the FULLTEXT path with few
    /// rows.
    pub search_scan: u32,
}

impl Default for AppParts {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            registry: pet_core::registry::pet_registry(),
            projector_batch: 4000,
            search_scan: crate::paging::SEARCH_SCAN,
        }
    }
}

crate::fields::command_input! {
    /// Query of [`App::activity`].
    pub struct ActivityQuery {
        /// A context type (`employee`, `ticket`, …).
        context_type: Option<ContextType>,
        /// A context id.
        context_id: Option<Uuid>,
        /// The acting employee.
        actor_id: Option<Uuid>,
        /// From this date (midnight UTC) or time.
        from: Option<crate::fields::FromTime>,
        /// Up to this date (its end, UTC) or time.
        to: Option<crate::fields::ToTime>,
        /// Only the contexts of these areas (absent: every context).
        areas: Option<crate::fields::Areas>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

crate::fields::command_input! {
    /// Query of [`App::list_jobs`].
    pub struct JobListQuery {
        /// `pending`, `running`, `failed`, `dead` or `done`.
        status: Option<crate::fields::JobStatusFilter>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

/// One line of the activity feed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActivityItem {
    /// The event's sequence number.
    pub sequence: u64,
    /// The event type.
    pub event_type: String,
    /// When it happened (RFC 3339).
    pub occurred_at: String,
    /// The acting employee.
    pub actor_id: Option<String>,
    /// The acting customer contact (the customer portal), when no employee acted.
    pub actor_contact_id: Option<String>,
    /// The employee's or the contact's name.
    pub actor_name: Option<String>,
    /// The context type.
    pub context_type: String,
    /// The context id.
    pub context_id: String,
    /// The rendered line.
    pub line: String,
}

/// A connection to read the activity feed on ([`App::feed_conn`]): `caught_up` is the
/// feed's `(checkpoint, pending)` there — it holds exactly the events up to `checkpoint` and
/// lacks `pending` events of the primary's log (`None`: the feed's state could not be read);
/// `pending_since` is the oldest lacking event's time.
pub(crate) struct FeedRead {
    pub conn: Conn,
    pub caught_up: Option<(u64, u64)>,
    pub pending_since: Option<String>,
}

pub(crate) struct Page {
    pub(crate) page: u32,
    pub(crate) per_page: u32,
}

impl Page {
    pub(crate) fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
    pub(crate) fn wrap(&self, items: Vec<Value>, total: u64) -> Value {
        json!({"items": items, "total": total, "page": self.page, "per_page": self.per_page})
    }
}

impl App {
    /// An app for `config` with the system clock and PET's registry. Validates the config;
    /// connects nothing (the pool is created on first use).
    pub fn new(config: Config) -> Result<Self, AppError> {
        Self::with_parts(config, AppParts::default())
    }

    /// An app with an injected clock / registry (tests, embedding).
    pub fn with_parts(config: Config, parts: AppParts) -> Result<Self, AppError> {
        config.check()?;
        let tables = Tables::new(&config.prefix)?;
        let store = EventStore::new(tables.clone(), Arc::new(parts.registry))
            .with_site_key(config.privacy_key.clone())
            .with_previous_site_key(config.previous_privacy_key.clone());
        let projector = Projector::new(
            tables.clone(),
            store.clone(),
            Arc::new(PetRenderer),
            parts.projector_batch,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                tables,
                pool: OnceLock::new(),
                clock: parts.clock,
                store,
                projector,
                contend: std::sync::atomic::AtomicU32::new(0),
                search_scan: parts.search_scan.max(1),
                replica_pools: OnceLock::new(),
                last_gtid: std::sync::Mutex::new(Default::default()),
                read_stats: Default::default(),
            }),
        })
    }

    /// The pool, created on first use (never at PHP module start-up: php-fpm forks after it).
    pub fn pool(&self) -> &Pool {
        self.inner
            .pool
            .get_or_init(|| build_pool(&self.inner.config))
    }

    /// The site's secret integration credentials are encrypted with (see `Config`).
    pub(crate) fn secret_key(&self) -> Option<&str> {
        self.inner.config.secret_key.as_deref()
    }

    /// The table names.
    pub fn tables(&self) -> &Tables {
        &self.inner.tables
    }

    /// The event store.
    pub fn store(&self) -> &EventStore {
        &self.inner.store
    }

    /// The activity-feed projector.
    pub fn projector(&self) -> Projector {
        self.inner.projector.clone()
    }

    /// The job queue.
    pub fn jobs(&self) -> JobQueue {
        JobQueue::new(self.inner.tables.clone())
    }

    /// Now, from the injected clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Test hook: the next event insert fails in the database (see [`EventStore::fail_next_insert`]).
    pub fn fail_next_event_insert(&self) {
        self.inner.store.fail_next_insert();
    }

    /// Test hook: the next `n` command attempts fail with lock contention (as a deadlock
    /// would) after their body ran, just before the commit — to prove the command path
    /// rolls back and runs the command again, and reports a conflict when it keeps failing.
    pub fn contend_next_commands(&self, n: u32) {
        self.inner
            .contend
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Consumes one injected contention (see [`App::contend_next_commands`]).
    pub(crate) fn injected_contention(&self) -> Result<(), AppError> {
        use std::sync::atomic::Ordering;
        let taken = self
            .inner
            .contend
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        match taken {
            Ok(_) => Err(StorageError::Contention("injected by a test".into()).into()),
            Err(_) => Ok(()),
        }
    }

    pub(crate) async fn conn(&self) -> Result<Conn, AppError> {
        Ok(self.pool().get_conn().await.map_err(StorageError::from)?)
    }

    /// Disconnects the pools (tests; PHP processes simply exit).
    pub async fn disconnect(&self) -> Result<(), AppError> {
        if let Some(p) = self.inner.pool.get() {
            p.clone().disconnect().await.map_err(StorageError::from)?;
        }
        for p in self.inner.replica_pools.get().into_iter().flatten() {
            p.clone().disconnect().await.map_err(StorageError::from)?;
        }
        Ok(())
    }

    /// Brings the activity feed up to date on `conn` (not in a transaction) when it is
    /// behind the log, applying at most `at_most` events (all with `None`). Returns the
    /// feed's checkpoint afterwards (the feed holds exactly the events up to it) and how
    /// many events it still lacks. One cheap read when it is up to date. The feed is only
    /// ever projected on a writable server: on a read-only one (a replica) nothing is
    /// written and the backlog is reported as it is (the primary's job runner projects it,
    /// and replication brings it here). A failed catch-up is left to the job runner (the
    /// caller's work has succeeded) and the backlog read again; `None` only when the feed's
    /// state cannot be read at all.
    pub(crate) async fn catch_up_if_behind(
        &self,
        conn: &mut Conn,
        at_most: Option<u64>,
    ) -> Option<(u64, u64)> {
        self.catch_up_report(conn, at_most)
            .await
            .map(|(cp, pending, _)| (cp, pending))
    }

    /// [`App::catch_up_if_behind`], also saying whether it projected anything.
    async fn catch_up_report(
        &self,
        conn: &mut Conn,
        at_most: Option<u64>,
    ) -> Option<(u64, u64, bool)> {
        let (head, cp, read_only) = self.feed_state(conn).await?;
        if cp >= head || read_only {
            return Some((cp, head.saturating_sub(cp), false));
        }
        match self
            .inner
            .projector
            .catch_up_at_most(conn, self.now(), at_most)
            .await
        {
            Ok(cu) => Some((
                cu.checkpoint,
                head.saturating_sub(cu.checkpoint),
                cu.checkpoint > cp,
            )),
            // Some batches may have committed: read the checkpoint again.
            Err(_) => {
                let (head, cp2, _) = self.feed_state(conn).await?;
                Some((cp2, head.saturating_sub(cp2), cp2 > cp))
            }
        }
    }

    /// A connection to read the activity feed on, and the truth about the feed there
    /// ([`FeedRead`]). Without replicas: the primary, brought up to date first
    /// ([`App::catch_up_if_behind`], at most `at_most` events). With replicas the feed is
    /// still projected only on the primary (bounded, as above, its commit position noted so
    /// the wait covers it), then read on a replica that has applied this App's writes
    /// ([`App::read_conn`]; the primary when the replica is further behind than the wait
    /// allows). The backlog is measured against the primary's log, not the replica's: a
    /// replica behind the primary shows a feed that is behind, and says by how much and
    /// since when.
    pub(crate) async fn feed_conn(&self, at_most: Option<u64>) -> Result<FeedRead, AppError> {
        let mut primary = self.conn().await?;
        let caught_up = match self.catch_up_report(&mut primary, at_most).await {
            Some((cp, pending, wrote)) => {
                if wrote {
                    self.note_commit(&mut primary).await;
                }
                Some((cp, pending))
            }
            None => None,
        };
        if !self.has_replicas() {
            let pending_since = self.pending_since(&mut primary, caught_up).await?;
            return Ok(FeedRead {
                conn: primary,
                caught_up,
                pending_since,
            });
        }
        let mut conn = self.read_conn().await?;
        let caught_up = match (caught_up, self.feed_state(&mut conn).await) {
            (Some((cp_primary, pending)), Some((head_here, cp, _))) => {
                let head = (cp_primary + pending).max(head_here);
                Some((cp, head.saturating_sub(cp)))
            }
            (None, Some((head, cp, _))) => Some((cp, head.saturating_sub(cp))),
            (_, None) => None,
        };
        // The oldest missing event's time from the primary: a replica that is behind may
        // not have the event yet.
        let pending_since = self.pending_since(&mut primary, caught_up).await?;
        drop(primary);
        Ok(FeedRead {
            conn,
            caught_up,
            pending_since,
        })
    }

    /// The time of the oldest event the feed lacks (`None` when it lacks none).
    async fn pending_since(
        &self,
        conn: &mut Conn,
        caught_up: Option<(u64, u64)>,
    ) -> Result<Option<String>, AppError> {
        let Some((checkpoint, _)) = caught_up.filter(|&(_, n)| n > 0) else {
            return Ok(None);
        };
        let at: Option<chrono::NaiveDateTime> = conn
            .exec_first(
                format!(
                    "SELECT occurred_at FROM {} WHERE id = ?",
                    self.inner.tables.events
                ),
                (checkpoint + 1,),
            )
            .await
            .map_err(StorageError::from)?;
        Ok(at.map(|a| rfc3339(from_db_time(a))))
    }

    /// The log's head, the feed's checkpoint and whether the server refuses writes.
    async fn feed_state(&self, conn: &mut Conn) -> Option<(u64, u64, bool)> {
        let t = &self.inner.tables;
        type State = (Option<u64>, Option<u64>, u8);
        let state: Result<Option<State>, _> = conn
            .exec_first(
                format!(
                    "SELECT (SELECT last_sequence FROM {} WHERE id = 1), \
                     (SELECT last_sequence FROM {} WHERE projection = ?), @@global.read_only",
                    t.sequence, t.checkpoints
                ),
                (crate::projector::ACTIVITY_FEED,),
            )
            .await;
        match state {
            Ok(Some((Some(head), cp, ro))) => Some((head, cp.unwrap_or(0), ro != 0)),
            _ => None,
        }
    }

    /// Refuses work that writes when `conn` is a read-only server (a replica, or a primary
    /// set read-only): PET writes only to the primary. A user with SUPER (or READ_ONLY
    /// ADMIN) could write through `read_only`, and such writes on a replica break
    /// replication later, so the check does not rely on the server refusing.
    pub(crate) async fn refuse_on_read_only(
        &self,
        conn: &mut Conn,
        what: &str,
    ) -> Result<(), AppError> {
        let ro: Option<u8> = conn
            .query_first("SELECT @@global.read_only")
            .await
            .map_err(StorageError::from)?;
        if ro.unwrap_or(0) != 0 {
            return Err(AppError::Storage(format!(
                "the database server is read-only (a replica?): PET may {what} only against the \
                 primary; point DB_HOST (or PET_DB_PRIMARY) at the primary"
            )));
        }
        Ok(())
    }

    // ---- migrations and health --------------------------------------------------------

    /// Applies pending migrations: `{applied: [names], current: ?name}`.
    pub async fn migrate(&self) -> Result<Value, AppError> {
        self.migrate_with(&json!({})).await
    }

    /// [`App::migrate`] with options: `{wait_seconds?: 0–600}`, how long to wait for a
    /// migration running elsewhere (default 60; a web request passes 0 and is told to try
    /// later instead of holding a PHP worker).
    pub async fn migrate_with(&self, options: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(options, "options");
        let wait = o.opt_i64("wait_seconds").unwrap_or(60);
        if !(0..=600).contains(&wait) {
            o.error("wait_seconds", "must be between 0 and 600");
        }
        o.finish()?;
        let m = Migrator::new(self.inner.tables.clone(), embedded())?
            .with_lock_wait(u32::try_from(wait).unwrap_or(60));
        let report = m
            .run(self.pool(), &self.inner.config.database, self.now())
            .await?;
        // Start-up check: the append-only guard must exist after migrating.
        let mut conn = self.conn().await?;
        let mut repaired_triggers = false;
        if self.append_only_guard(&mut conn).await.is_err() {
            // Triggers can be lost while the ledger says their migration ran (a backup or
            // site copy made without triggers, a DROP by hand): re-create them from the
            // shipped files (every trigger statement is CREATE TRIGGER IF NOT EXISTS).
            for m in embedded() {
                for stmt in m.statements(&self.inner.tables.prefix) {
                    if stmt.to_ascii_uppercase().starts_with("CREATE TRIGGER") {
                        conn.query_drop(stmt).await.map_err(|e| {
                            AppError::Migration(format!("re-creating a missing trigger: {e}"))
                        })?;
                    }
                }
            }
            repaired_triggers = true;
        }
        self.append_only_guard(&mut conn)
            .await
            .map_err(|e| AppError::Migration(e.to_string()))?;
        Ok(json!({"applied": report.applied, "current": report.current,
                  "repaired_triggers": repaired_triggers}))
    }

    /// The ledger: `{applied: [...], pending: [...], dirty: bool}`.
    pub async fn migration_status(&self) -> Result<Value, AppError> {
        let m = Migrator::new(self.inner.tables.clone(), embedded())?;
        let s = m.status(self.pool()).await?;
        let applied: Vec<Value> = s
            .applied
            .iter()
            .map(|e| {
                json!({"version": e.version, "name": e.name, "checksum": e.checksum,
                       "success": e.success, "applied_at": e.applied_at})
            })
            .collect();
        Ok(json!({"applied": applied, "pending": s.pending, "dirty": s.dirty}))
    }

    /// Checks the database, the migrations, the append-only guard, the event sequence and
    /// the chain verification (`event_chain`: red with the first bad sequence and what is
    /// wrong when a verification found a fault or the verified checkpoint no longer holds).
    pub async fn health(&self) -> Result<Value, AppError> {
        let mut checks = serde_json::Map::new();
        let mut check = |name: &str, ok: bool, message: String| {
            checks.insert(name.to_owned(), json!({"ok": ok, "message": message}));
        };
        let mut conn = match self.pool().get_conn().await {
            Ok(c) => {
                check("database", true, "connected".into());
                c
            }
            Err(e) => {
                check("database", false, e.to_string());
                return Ok(json!({"ok": false, "checks": checks}));
            }
        };
        match self.migration_status().await {
            Ok(s) => {
                let dirty = s["dirty"].as_bool().unwrap_or(true);
                let pending = s["pending"].as_array().map(Vec::len).unwrap_or(0);
                check(
                    "migrations",
                    !dirty && pending == 0,
                    if dirty {
                        "the migration ledger is dirty".into()
                    } else if pending > 0 {
                        format!("{pending} migration(s) pending")
                    } else {
                        "up to date".into()
                    },
                );
            }
            Err(e) => check("migrations", false, e.to_string()),
        }
        match self.append_only_guard(&mut conn).await {
            Ok(()) => check(
                "append_only_guard",
                true,
                "append-only and chain triggers present".into(),
            ),
            Err(e) => check("append_only_guard", false, e.to_string()),
        }
        let head: Result<Option<(Option<u64>, Option<u64>)>, _> = conn
            .query_first(format!(
                "SELECT (SELECT last_sequence FROM {} WHERE id = 1), (SELECT MAX(id) FROM {})",
                self.inner.tables.sequence, self.inner.tables.events
            ))
            .await;
        match head {
            Ok(Some((Some(last), max))) if max.unwrap_or(0) == last => {
                check("event_sequence", true, format!("{last} events"))
            }
            Ok(_) => check(
                "event_sequence",
                false,
                "the sequence head does not match the event log".into(),
            ),
            Err(e) => check("event_sequence", false, e.to_string()),
        }
        match self.chain_health(&mut conn).await {
            Ok((ok, message)) => check("event_chain", ok, message),
            Err(e) => check("event_chain", false, e.to_string()),
        }
        let ok = checks.values().all(|c| c["ok"].as_bool().unwrap_or(false));
        Ok(json!({"ok": ok, "checks": checks}))
    }

    /// Verifies the events table's triggers: BEFORE UPDATE and BEFORE DELETE refuse
    /// (append-only), and BEFORE INSERT keeps the sequence row in step with the log (the
    /// chain trigger of migration 0006).
    pub async fn append_only_guard(&self, conn: &mut Conn) -> Result<(), AppError> {
        // A body reads as NULL for a user who may not see trigger definitions: then only
        // the trigger's presence can be checked (see `chain_trigger_body_ok`).
        let rows: Vec<(String, Option<String>)> = conn
            .exec(
                "SELECT EVENT_MANIPULATION, ACTION_STATEMENT FROM information_schema.TRIGGERS \
                 WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? AND ACTION_TIMING = 'BEFORE'",
                (&self.inner.tables.events,),
            )
            .await
            .map_err(StorageError::from)?;
        for op in ["UPDATE", "DELETE"] {
            let guarded = rows.iter().any(|(m, s)| {
                m == op
                    && s.as_ref()
                        .is_none_or(|s| s.to_ascii_uppercase().contains("SIGNAL"))
            });
            if !guarded {
                return Err(AppError::Storage(format!(
                    "the events table has no BEFORE {op} guard trigger; run the migrations"
                )));
            }
        }
        let chained = rows.iter().any(|(m, s)| {
            m == "INSERT"
                && crate::store::chain_trigger_body_ok(s.as_deref(), &self.inner.tables.sequence)
        });
        if !chained {
            return Err(AppError::Storage(
                "the events table has no BEFORE INSERT chain trigger; run the migrations".into(),
            ));
        }
        Ok(())
    }

    // ---- activity -----------------------------------------------------------------

    /// The activity feed, newest first, filtered and paged: `{context_type?, context_id?,
    /// actor_id?, from?, to?, areas?, page?, per_page?, after?, before?}` — a flat list (keyset
    /// pages on the sequence, a bounded count, every filter through an index).
    pub async fn activity(&self, query: &Value) -> Result<Value, AppError> {
        let q = ActivityQuery::parse(query, "query")?;
        let t = &self.inner.tables;
        // The reader's context types, when limited to some areas (`None`: every context).
        let visible: Option<Vec<ContextType>> = q
            .areas
            .as_ref()
            .map(|a| a.context_types())
            .filter(|types| types.len() < ContextType::ALL.len());
        // A context type the reader may not see, or no area at all: nothing to show.
        let hidden = visible.as_ref().is_some_and(|types| {
            types.is_empty() || q.context_type.is_some_and(|ct| !types.contains(&ct))
        });
        // Reading a page as one index range per visible context type (merged in order)
        // unless one context type is asked for: each part reads at most a page from the
        // events' (context_type, id) index, whatever the other types hold.
        let parts: Vec<ContextType> = match (&visible, q.context_type) {
            (Some(types), None) if !hidden => types.clone(),
            _ => Vec::new(),
        };
        // A feed row holds the line and occurred_at; type, actor and context are the event's
        // (same sequence), filtered through the events table's own indexes.
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if hidden {
            conds.push("1 = 0".into());
        }
        if let Some(ct) = q.context_type {
            conds.push("e.context_type = ?".into());
            params.push(ct.as_str().into());
        }
        if let Some(id) = q.context_id {
            conds.push("e.context_id = ?".into());
            params.push(id.to_string().into());
        }
        if let Some(id) = q.actor_id {
            conds.push("e.actor_employee_id = ?".into());
            params.push(id.to_string().into());
        }
        let by_event = !conds.is_empty() || !parts.is_empty();
        let by_date = q.from.is_some() || q.to.is_some();
        if let Some(f) = q.from {
            conds.push("a.occurred_at >= ?".into());
            params.push(to_db_time(f.0).into());
        }
        if let Some(u) = q.to {
            conds.push("a.occurred_at <= ?".into());
            params.push(to_db_time(u.0).into());
        }
        // Filtered by the event's columns, the events table's (…, id) indexes give the order.
        let order = if by_event {
            Order::by(&[("e.id", true)])
        } else {
            Order::by(&[("a.sequence", true)])
        };
        let req = q.paging.request(&order)?;
        let FeedRead {
            mut conn,
            caught_up,
            pending_since,
        } = self.feed_conn(Some(READ_CATCH_UP)).await?;
        // Filtered by the event's columns and not by date, the events table's indexes count
        // alone (no join per row), bounded by the feed's checkpoint: the feed holds exactly
        // the events up to it. The page gets the same bound, so a concurrent catch-up cannot
        // list rows the count left out.
        let bound = caught_up
            .filter(|_| by_event && !by_date)
            .map(|(checkpoint, _)| checkpoint);
        if let Some(checkpoint) = bound {
            conds.push("e.id <= ?".into());
            params.push(checkpoint.into());
        }
        let count_from = if bound.is_some() {
            format!("{} e", t.events)
        } else if by_event {
            format!("{} a JOIN {} e ON e.id = a.sequence", t.activity, t.events)
        } else {
            format!("{} a", t.activity)
        };
        let mut count_conds = conds.clone();
        let mut count_params = params.clone();
        if !parts.is_empty() {
            count_conds.push(format!(
                "e.context_type IN ({})",
                vec!["?"; parts.len()].join(", ")
            ));
            count_params.extend(parts.iter().map(|ct| SqlValue::from(ct.as_str())));
        }
        let total: Option<u64> = conn
            .exec_first(
                bounded_count_sql(&count_from, &where_sql(&count_conds)),
                count_params,
            )
            .await
            .map_err(StorageError::from)?;
        let columns =
            "SELECT a.sequence, e.event_type, a.occurred_at, e.actor_employee_id, COALESCE(n.name, nc.name), \
                       e.context_type, e.context_id, a.line, e.actor_contact_id";
        // A contact's name is personal data the feed's names never hold: read from the
        // contact's row (which an erasure blanks).
        let names = format!(
            "LEFT JOIN {} n ON n.entity_type = 'employee' AND n.entity_id = e.actor_employee_id \
             LEFT JOIN {} nc ON nc.id = e.actor_contact_id",
            t.activity_names, t.contacts
        );
        let rows: Vec<Row> = if parts.is_empty() {
            let tail = req.plan(&order, &mut conds, &mut params);
            conn.exec(
                format!(
                    "{columns} FROM {} a JOIN {} e ON e.id = a.sequence {names} {} {tail}",
                    t.activity,
                    t.events,
                    where_sql(&conds)
                ),
                params,
            )
            .await
            .map_err(StorageError::from)?
        } else {
            // One part per visible context type, each a page at most, merged by sequence.
            let (order_by, part_rows, limit, offset) =
                req.plan_parts(&order, &mut conds, &mut params);
            let mut sql_parts = Vec::with_capacity(parts.len());
            let mut all_params = Vec::new();
            for ct in &parts {
                let mut c = vec!["e.context_type = ?".to_owned()];
                c.extend(conds.iter().cloned());
                sql_parts.push(format!(
                    "(SELECT e.id FROM {} e JOIN {} a ON a.sequence = e.id {} {order_by} LIMIT ?)",
                    t.events,
                    t.activity,
                    where_sql(&c)
                ));
                all_params.push(SqlValue::from(ct.as_str()));
                all_params.extend(params.iter().cloned());
                all_params.push(SqlValue::UInt(part_rows));
            }
            all_params.push(SqlValue::UInt(limit));
            all_params.push(SqlValue::UInt(offset));
            conn.exec(
                format!(
                    "{columns} FROM ({}) v JOIN {} e ON e.id = v.id JOIN {} a ON a.sequence = e.id \
                     {names} {order_by} LIMIT ? OFFSET ?",
                    sql_parts.join(" UNION ALL "),
                    t.events,
                    t.activity,
                ),
                all_params,
            )
            .await
            .map_err(StorageError::from)?
        };
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            type R = (
                u64,
                String,
                chrono::NaiveDateTime,
                Option<String>,
                Option<String>,
                String,
                String,
                String,
                Option<String>,
            );
            let (seq, et, occ, actor, actor_name, ct, cid, line, contact): R =
                mysql_async::from_row_opt(r).map_err(|e| AppError::Storage(e.to_string()))?;
            items.push((
                vec![Key::Int(seq as i64)],
                ActivityItem {
                    sequence: seq,
                    event_type: et,
                    occurred_at: rfc3339(from_db_time(occ)),
                    actor_id: actor,
                    actor_contact_id: contact,
                    actor_name,
                    context_type: ct,
                    context_id: cid,
                    line,
                },
            ));
        }
        let mut out =
            crate::flat::page_value(req.finish(items, Total::from_counted(total.unwrap_or(0))))?;
        // The truth about the feed: how many events it still lacks and since when (the
        // oldest one's time); unknown only when the feed's state could not be read.
        let pending = caught_up.map(|(_, pending)| pending);
        out["pending"] = json!(pending);
        out["pending_since"] = json!(pending_since);
        Ok(out)
    }

    // ---- jobs ---------------------------------------------------------------------

    /// Runs due jobs under the runner lease (one runner on the whole cluster); a catch-up
    /// job and a chain verification job (the events appended since the verified checkpoint)
    /// are queued first so projections converge and the log is verified as it grows. Only
    /// against a writable server (a read-only replica is refused).
    /// `{claimed, succeeded, failed, dead, deferred, skipped_locked}`: `deferred` counts jobs
    /// that lost a race with a concurrent writer and went back to the queue uncounted.
    pub async fn run_jobs(&self, options: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(options, "options");
        let max_jobs = o.opt_i64("max_jobs").unwrap_or(50);
        let max_seconds = o.opt_i64("max_seconds").unwrap_or(20);
        if !(1..=10_000).contains(&max_jobs) {
            o.error("max_jobs", "must be between 1 and 10000");
        }
        if !(1..=3600).contains(&max_seconds) {
            o.error("max_seconds", "must be between 1 and 3600");
        }
        o.finish()?;
        let queue = self.jobs();
        let mut conn = self.conn().await?;
        self.refuse_on_read_only(&mut conn, "run jobs").await?;
        let (mut claimed, mut succeeded, mut failed, mut dead, mut deferred) =
            (0u64, 0u64, 0u64, 0u64, 0u64);
        // One runner at a time on the whole cluster: a lease row, not GET_LOCK (per server).
        // It outlasts the run's time budget and a job's own time; it is renewed per job.
        let lease = queue.runner_lease(std::time::Duration::from_secs(max_seconds as u64 + 300));
        if !lease.try_take(&mut conn).await? {
            return Ok(json!({"claimed": 0, "succeeded": 0, "failed": 0, "dead": 0,
                             "deferred": 0, "skipped_locked": true}));
        }
        let started = std::time::Instant::now();
        let result: Result<(), AppError> = async {
            let now = self.now();
            queue
                .enqueue(
                    &mut conn,
                    &NewJob::new(JOB_PROJECTION_CATCH_UP, json!({}), now)
                        .dedupe(JOB_PROJECTION_CATCH_UP),
                    now,
                )
                .await?;
            queue
                .enqueue(
                    &mut conn,
                    &NewJob::new(crate::audit::JOB_CHAIN_VERIFY, json!({}), now)
                        .dedupe(crate::audit::JOB_CHAIN_VERIFY),
                    now,
                )
                .await?;
            let mut lost_claims = 0u32;
            while claimed < max_jobs as u64
                && started.elapsed() < std::time::Duration::from_secs(max_seconds as u64)
            {
                if !lease.renew(&mut conn).await? {
                    // Taken over (this run outlived its lease): stop claiming.
                    break;
                }
                let now = self.now();
                let batch = match queue.claim(&mut conn, now, Duration::seconds(300), 1).await {
                    Ok(batch) => batch,
                    // A claim that lost a race (a deadlock, or certification on Galera) is
                    // skipped, not failed: nothing was claimed; try again, a few times.
                    Err(StorageError::Contention(_)) if lost_claims < 3 => {
                        lost_claims += 1;
                        crate::command::back_off(lost_claims).await;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                let Some(job) = batch.into_iter().next() else {
                    break;
                };
                claimed += 1;
                match self.execute_job(&job).await {
                    Ok(()) => {
                        if queue.complete(&mut conn, &job, self.now()).await? {
                            succeeded += 1;
                        }
                    }
                    // Still contended after the command's own retries: the job lost a race
                    // with a concurrent writer, not a reason to back off for minutes. It
                    // goes back to the queue with its attempt uncounted.
                    Err(e) if e.is_contention() => {
                        if queue.release(&mut conn, &job, self.now()).await? {
                            deferred += 1;
                        }
                    }
                    Err(e) => match queue
                        .fail(&mut conn, &job, &e.to_string(), self.now())
                        .await?
                    {
                        Some(job_status::DEAD) => dead += 1,
                        Some(_) => failed += 1,
                        None => {}
                    },
                }
            }
            Ok(())
        }
        .await;
        lease.release(&mut conn).await?;
        result?;
        Ok(
            json!({"claimed": claimed, "succeeded": succeeded, "failed": failed, "dead": dead,
                  "deferred": deferred, "skipped_locked": false}),
        )
    }

    /// Executes one job (idempotent handlers).
    pub async fn execute_job(&self, job: &ClaimedJob) -> Result<(), AppError> {
        match job.kind.as_str() {
            JOB_PROJECTION_CATCH_UP => {
                self.projector().catch_up(self.pool(), self.now()).await?;
                Ok(())
            }
            crate::audit::JOB_CHAIN_VERIFY => {
                // A fault is recorded (health turns red), not a job failure to retry.
                self.scheduled_chain_verification().await?;
                Ok(())
            }
            kind => {
                let owner = pet_core::module::module_of_job(kind).and_then(|m| {
                    crate::modules::MODULES
                        .iter()
                        .find(|s| s.core.name == m.name)
                });
                match owner {
                    Some(m) => (m.run_job)(self, job).await,
                    None => Err(crate::modules::unknown_job(job)),
                }
            }
        }
    }

    /// Checks that an aggregate loads from storage exactly as replaying its events gives it
    /// (every repository restores what the log says): `{aggregate_type, id, version}`; a
    /// difference is a storage error naming both states.
    pub async fn verify_restore(&self, aggregate_type: &str, id: &str) -> Result<Value, AppError> {
        use pet_core::aggregate::Aggregate;
        use pet_core::{
            commercial as co, delivery as dl, helpdesk as hd, identity as idn, knowledge as kb,
        };
        let uuid = arg_uuid("id", id)?;
        let version = match aggregate_type {
            <idn::Employee as Aggregate>::TYPE => {
                self.verify_restore_with::<idn::Employee, _>(
                    &crate::identity::Employees(self),
                    uuid,
                )
                .await?
            }
            <idn::Team as Aggregate>::TYPE => {
                self.verify_restore_with::<idn::Team, _>(&crate::identity::Teams(self), uuid)
                    .await?
            }
            <idn::OrgStructureVersion as Aggregate>::TYPE => {
                self.verify_restore_with::<idn::OrgStructureVersion, _>(
                    &crate::identity::OrgVersions(self),
                    uuid,
                )
                .await?
            }
            <idn::Customer as Aggregate>::TYPE => {
                self.verify_restore_with::<idn::Customer, _>(
                    &crate::identity::Customers(self),
                    uuid,
                )
                .await?
            }
            <co::LeadSchema as Aggregate>::TYPE => {
                self.verify_restore_with::<co::LeadSchema, _>(
                    &crate::commercial::leads::LeadSchemas(self),
                    uuid,
                )
                .await?
            }
            <co::Lead as Aggregate>::TYPE => {
                self.verify_restore_with::<co::Lead, _>(
                    &crate::commercial::leads::Leads(self),
                    uuid,
                )
                .await?
            }
            <co::Opportunity as Aggregate>::TYPE => {
                self.verify_restore_with::<co::Opportunity, _>(
                    &crate::commercial::opportunities::Opportunities(self),
                    uuid,
                )
                .await?
            }
            <co::Quote as Aggregate>::TYPE => {
                self.verify_restore_with::<co::Quote, _>(
                    &crate::commercial::quotes::Quotes(self),
                    uuid,
                )
                .await?
            }
            <hd::Ticket as Aggregate>::TYPE => {
                self.verify_restore_with::<hd::Ticket, _>(
                    &crate::helpdesk::tickets::Tickets::reader(self),
                    uuid,
                )
                .await?
            }
            <hd::SlaDefinition as Aggregate>::TYPE => {
                self.verify_restore_with::<hd::SlaDefinition, _>(
                    &crate::helpdesk::sla::SlaDefinitions(self),
                    uuid,
                )
                .await?
            }
            <hd::SlaAssignment as Aggregate>::TYPE => {
                self.verify_restore_with::<hd::SlaAssignment, _>(
                    &crate::helpdesk::tickets::SlaAssignments(self),
                    uuid,
                )
                .await?
            }
            <kb::KnowledgeArticle as Aggregate>::TYPE => {
                self.verify_restore_with::<kb::KnowledgeArticle, _>(
                    &crate::knowledge::Articles {
                        app: self,
                        live: None,
                    },
                    uuid,
                )
                .await?
            }
            <dl::Project as Aggregate>::TYPE => {
                self.verify_restore_with::<dl::Project, _>(&crate::delivery::Projects(self), uuid)
                    .await?
            }
            <dl::TimeEntry as Aggregate>::TYPE => {
                self.verify_restore_with::<dl::TimeEntry, _>(
                    &crate::delivery::TimeEntries(self),
                    uuid,
                )
                .await?
            }
            <dl::TimeLock as Aggregate>::TYPE => {
                self.verify_restore_with::<dl::TimeLock, _>(&crate::delivery::TimeLocks(self), uuid)
                    .await?
            }
            <dl::Timer as Aggregate>::TYPE => {
                self.verify_restore_with::<dl::Timer, _>(&crate::delivery::Timers(self), uuid)
                    .await?
            }
            <dl::Capacity as Aggregate>::TYPE => {
                self.verify_restore_with::<dl::Capacity, _>(
                    &crate::delivery::Capacities(self),
                    uuid,
                )
                .await?
            }
            <dl::Allocation as Aggregate>::TYPE => {
                self.verify_restore_with::<dl::Allocation, _>(
                    &crate::delivery::Allocations(self),
                    uuid,
                )
                .await?
            }
            <pet_core::portal::PortalAccess as Aggregate>::TYPE => {
                self.verify_restore_with::<pet_core::portal::PortalAccess, _>(
                    &crate::portal::PortalAccesses(self),
                    uuid,
                )
                .await?
            }
            <pet_core::accounting::Push as Aggregate>::TYPE => {
                self.verify_restore_with::<pet_core::accounting::Push, _>(
                    &crate::accounting::PushRepo(self),
                    uuid,
                )
                .await?
            }
            <pet_core::mail::MailMessage as Aggregate>::TYPE => {
                self.verify_restore_with::<pet_core::mail::MailMessage, _>(
                    &crate::mail::MailMessages(self),
                    uuid,
                )
                .await?
            }
            // Its versions carry when they were published (the event's time): replayed with it.
            <pet_core::kpi::KpiDefinition as Aggregate>::TYPE => {
                self.verify_kpi_restore(uuid).await?
            }
            _ => {
                return Err(AppError::field(
                    "aggregate_type",
                    "is not a known aggregate type",
                ))
            }
        };
        Ok(json!({"aggregate_type": aggregate_type, "id": uuid.to_string(), "version": version}))
    }

    /// Jobs, newest first, optionally by status: `{status?, page?, per_page?, after?,
    /// before?}` — a flat list (keyset pages, bounded count, an index per filter).
    pub async fn list_jobs(&self, query: &Value) -> Result<Value, AppError> {
        let q = JobListQuery::parse(query, "query")?;
        let order = Order::by(&[("created_at", true), ("id", true)]);
        let req = q.paging.request(&order)?;
        let (conds, params) = match q.status {
            Some(s) => (vec!["status = ?".to_owned()], vec![SqlValue::from(s.0)]),
            None => (Vec::new(), Vec::new()),
        };
        let mut conn = self.conn().await?;
        let (rows, total) = crate::flat::FlatList {
            from: self.inner.tables.jobs.clone(),
            columns: crate::jobs::JOB_COLUMNS,
            conds,
            params,
            order: &order,
            req: &req,
            search: None,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let items = rows
            .into_iter()
            .map(|(k, r)| {
                crate::jobs::view(r)
                    .map(|j| (k, serde_json::to_value(j).unwrap_or(Value::Null)))
                    .map_err(AppError::from)
            })
            .collect::<Result<Vec<_>, _>>()?;
        crate::flat::page_value(req.finish(items, total))
    }

    /// Moves a dead job back to pending (admin action; the actor must be an active employee).
    pub async fn retry_job(&self, job_id: &str, ctx: &CommandContext) -> Result<Value, AppError> {
        let id = arg_uuid("job_id", job_id)?;
        // Not replayable by key: a retried job may die again and be retried again.
        let ctx = CommandContext {
            idempotency_key: None,
            ..ctx.clone()
        };
        command!(self, &ctx, "retry_job", &json!({"job_id": job_id}), |cx| {
            let now = cx.now();
            let job = self.jobs().retry(cx.tx().await?, id, now).await?;
            Ok(serde_json::to_value(job).unwrap_or(Value::Null))
        })
    }
}
