//! The activity-feed projector: turns events into one rendered line each, exactly once,
//! with its checkpoint advanced in the same transaction, and can rebuild from zero.
//!
//! Names (employees, teams, customers) are themselves projected from events into
//! `{prefix}pet_activity_names` in sequence order, so a line is rendered with the names as
//! they were when the event happened and a rebuild reproduces every line byte for byte.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

/// The value of `r`, or — on an error — `tx` rolled back now and the error returned: the
/// catch-up holds the checkpoint row, and a transaction merely dropped is rolled back only
/// when the pool's recycler next runs (in the PHP extension, the next call; see `command!`).
macro_rules! or_rollback {
    ($tx:ident, $r:expr) => {
        match $r {
            Ok(v) => v,
            Err(e) => {
                let _ = $tx.rollback().await;
                return Err(e.into());
            }
        }
    };
}

use chrono::{DateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Conn, Pool, TxOpts, Value};
use pet_core::RecordedEvent;
use std::sync::atomic::{AtomicBool, Ordering};
use uuid::Uuid;

use crate::config::Tables;
use crate::db::{exec_affected, to_db_time};
use crate::error::StorageError;
use crate::store::EventStore;

/// How long a catch-up waits for its optional read-ahead connection before going on
/// with one connection.
pub const READER_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// The largest batch (8,000 feed rows of 3 values; the batch's reads and name rows stay
/// well within a prepared statement's 65,535 placeholders).
pub const MAX_BATCH: usize = 8000;

/// Names a catch-up keeps in memory (by default) before it forgets them and reads them
/// again from the names table when a line needs one.
pub const NAME_CACHE_MAX: usize = 20_000;

/// The checkpoint name of the activity feed.
pub const ACTIVITY_FEED: &str = "activity_feed";

/// A name an event establishes for an entity (e.g. `employee.created` names an employee).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameFact {
    /// Entity kind: `employee`, `team`, `customer`, …
    pub entity_type: String,
    /// Entity id.
    pub entity_id: Uuid,
    /// Display name.
    pub name: String,
}

/// Looks up the known name of an entity at the time of the event being rendered.
pub trait NameLookup {
    /// The name of `(entity_type, id)`, if known.
    fn name(&self, entity_type: &str, id: Uuid) -> Option<String>;
}

/// Turns events into activity lines. Pure: same event and names → same line.
pub trait ActivityRenderer: Send + Sync + Debug {
    /// Names this event establishes or changes.
    fn names(&self, event: &RecordedEvent) -> Vec<NameFact>;
    /// The human-readable line for `event`.
    fn render(&self, event: &RecordedEvent, names: &dyn NameLookup) -> String;
}

/// A renderer for any event: `"<actor> <event type> <context> <name>"`. Used for event
/// types the domain renderer does not know, and in tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct GenericRenderer;

impl ActivityRenderer for GenericRenderer {
    fn names(&self, event: &RecordedEvent) -> Vec<NameFact> {
        let e = &event.event;
        match e.payload().get("name").and_then(|n| n.as_str()) {
            Some(name) if e.event_type().as_str().ends_with(".created") => vec![NameFact {
                entity_type: e.context().context_type.as_str().to_owned(),
                entity_id: e.context().context_id,
                name: name.to_owned(),
            }],
            _ => Vec::new(),
        }
    }

    fn render(&self, event: &RecordedEvent, names: &dyn NameLookup) -> String {
        let e = &event.event;
        let actor = match e.actor() {
            pet_core::Actor::Employee(id) => names
                .name("employee", id)
                .unwrap_or_else(|| "someone".into()),
            pet_core::Actor::Contact(id) => names.name("contact", id).map_or_else(
                || "a customer contact".into(),
                |n| format!("{n} (customer)"),
            ),
            pet_core::Actor::System => "System".into(),
        };
        let ctx = e.context();
        let subject = names
            .name(ctx.context_type.as_str(), ctx.context_id)
            .unwrap_or_else(|| ctx.context_id.to_string());
        format!("{actor}: {} {} {subject}", e.event_type(), ctx.context_type)
    }
}

type NameMap = HashMap<(String, Uuid), Option<String>>;

/// Names as of one event: those established earlier in the batch (`overlay`), else those
/// known before the batch (`base`); records keys known to neither (to fetch and re-render).
struct MapLookup<'a> {
    base: &'a NameMap,
    overlay: &'a HashMap<(String, Uuid), String>,
    misses: std::cell::RefCell<Vec<(String, Uuid)>>,
}

impl NameLookup for MapLookup<'_> {
    fn name(&self, entity_type: &str, id: Uuid) -> Option<String> {
        let key = (entity_type.to_owned(), id);
        if let Some(n) = self.overlay.get(&key) {
            return Some(n.clone());
        }
        match self.base.get(&key) {
            Some(known) => known.clone(),
            None => {
                self.misses.borrow_mut().push(key);
                None
            }
        }
    }
}

/// A batch rendered and ready to write.
struct Rendered {
    first: u64,
    last: u64,
    n: usize,
    /// Feed rows, three values each.
    rows: Vec<Value>,
    /// Name rows, three values each, in event order.
    name_rows: Vec<Value>,
}

/// What one catch-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CatchUp {
    /// Events applied.
    pub applied: u64,
    /// Checkpoint after the run.
    pub checkpoint: u64,
}

/// The activity-feed projector.
#[derive(Debug, Clone)]
pub struct Projector {
    tables: Tables,
    store: EventStore,
    renderer: Arc<dyn ActivityRenderer>,
    batch: usize,
    /// Set once the checkpoint row is known to exist (shared by clones).
    checkpoint_ready: Arc<AtomicBool>,
    /// See [`NAME_CACHE_MAX`].
    name_cache: usize,
}

impl Projector {
    /// A projector reading from `store` and rendering with `renderer`; `batch` events per transaction.
    pub fn new(
        tables: Tables,
        store: EventStore,
        renderer: Arc<dyn ActivityRenderer>,
        batch: usize,
    ) -> Self {
        Self {
            tables,
            store,
            renderer,
            batch: batch.clamp(1, MAX_BATCH),
            checkpoint_ready: Arc::new(AtomicBool::new(false)),
            name_cache: NAME_CACHE_MAX,
        }
    }

    /// The same projector keeping at most `n` names in memory during a catch-up.
    pub fn with_name_cache(mut self, n: usize) -> Self {
        self.name_cache = n;
        self
    }

    /// Events per catch-up transaction.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Applies every event after the checkpoint, `batch` at a time, each batch in one
    /// transaction that locks the checkpoint row (so concurrent catch-ups serialise and no
    /// event is applied twice) and advances it with the rows it writes.
    ///
    /// When a batch comes back full (a long catch-up), the next batch is read and rendered
    /// ahead on a second pooled connection while the current one is written. That
    /// connection is only taken if the pool can give it within [`READER_WAIT`]; otherwise
    /// the catch-up goes on with one connection, so a caller that already holds the
    /// rest of a small pool never deadlocks. Reading ahead outside the lock is safe:
    /// events are immutable and become visible as a gapless prefix (see [`crate::store`]);
    /// a read-ahead batch is used only if it starts right after the locked checkpoint.
    pub async fn catch_up(&self, pool: &Pool, now: DateTime<Utc>) -> Result<CatchUp, StorageError> {
        let mut conn = pool.get_conn().await?;
        self.checkpoint_once(&mut conn, now).await?;
        self.catch_up_loop(&mut conn, Some(pool), now, None).await
    }

    /// [`Projector::catch_up`] on a given connection (not inside a transaction), one batch
    /// after the other (no second connection).
    pub async fn catch_up_on(
        &self,
        conn: &mut Conn,
        now: DateTime<Utc>,
    ) -> Result<CatchUp, StorageError> {
        self.catch_up_at_most(conn, now, None).await
    }

    /// [`Projector::catch_up_on`], stopping after the batch that reaches `at_most` applied
    /// events (no limit with `None`); the rest is left to a later catch-up.
    pub async fn catch_up_at_most(
        &self,
        conn: &mut Conn,
        now: DateTime<Utc>,
        at_most: Option<u64>,
    ) -> Result<CatchUp, StorageError> {
        self.checkpoint_once(conn, now).await?;
        self.catch_up_loop(conn, None, now, at_most).await
    }

    /// Makes sure the checkpoint row exists, once per projector (and its clones).
    async fn checkpoint_once(
        &self,
        conn: &mut Conn,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        if !self.checkpoint_ready.load(Ordering::Relaxed) {
            self.ensure_checkpoint(conn, now).await?;
            self.checkpoint_ready.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn ensure_checkpoint(
        &self,
        conn: &mut Conn,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let exists: Option<u8> = conn
            .exec_first(
                format!(
                    "SELECT 1 FROM {} WHERE projection = ?",
                    self.tables.checkpoints
                ),
                (ACTIVITY_FEED,),
            )
            .await?;
        if exists.is_none() {
            conn.exec_drop(
                format!(
                    "INSERT IGNORE INTO {} (projection, last_sequence, updated_at) VALUES (?, 0, ?)",
                    self.tables.checkpoints
                ),
                (ACTIVITY_FEED, to_db_time(now)),
            )
            .await?;
        }
        Ok(())
    }

    async fn catch_up_loop(
        &self,
        conn: &mut Conn,
        pool: Option<&Pool>,
        now: DateTime<Utc>,
        at_most: Option<u64>,
    ) -> Result<CatchUp, StorageError> {
        // The read-ahead connection: taken at most once, when the first full batch shows
        // there is more to read.
        let mut reader: Option<Conn> = None;
        let mut reader_tried = false;
        // Names seen or fetched during this call (None = known to have no name).
        let mut names: NameMap = HashMap::new();
        let mut total = CatchUp::default();
        // The next batch, read and rendered on the reader while the current one is written.
        let mut prefetched: Option<Rendered> = None;
        loop {
            let mut tx = conn.start_transaction(TxOpts::default()).await?;
            let cp: Option<u64> = tx
                .exec_first(
                    format!(
                        "SELECT last_sequence FROM {} WHERE projection = ? FOR UPDATE",
                        self.tables.checkpoints
                    ),
                    (ACTIVITY_FEED,),
                )
                .await?;
            let Some(cp) = cp else {
                // The checkpoint row is gone (tables recreated): create it and start over.
                tx.rollback().await?;
                self.ensure_checkpoint(conn, now).await?;
                names.clear();
                prefetched = None;
                continue;
            };
            total.checkpoint = cp;
            let batch = match prefetched.take() {
                Some(r) if r.first == cp + 1 => r,
                stale => {
                    if stale.is_some() {
                        // Another catch-up moved the checkpoint: what was rendered ahead
                        // (and the names it learned, possibly from events after `cp`) is
                        // dropped; names are read again from the table as of `cp`.
                        names.clear();
                    }
                    let events =
                        or_rollback!(tx, self.store.read_after(&mut tx, cp, self.batch).await);
                    if events.is_empty() {
                        tx.commit().await?;
                        break;
                    }
                    or_rollback!(tx, self.render(&mut tx, &events, &mut names).await)
                }
            };
            let (last, n) = (batch.last, batch.n);
            if n == self.batch && !reader_tried {
                reader_tried = true;
                if let Some(pool) = pool {
                    reader = tokio::time::timeout(READER_WAIT, pool.get_conn())
                        .await
                        .ok()
                        .and_then(Result::ok);
                }
            }
            // While this batch is written (database work), read and render the next one on
            // the reader (client work). Names the next batch needs are either in memory
            // (learned from this batch or earlier) or committed by an earlier batch, so the
            // reader sees them.
            let read_ahead = async {
                match reader.as_mut() {
                    Some(r) if n == self.batch => {
                        let events = self.store.read_after(r, last, self.batch).await.ok()?;
                        if events.is_empty() {
                            return None;
                        }
                        self.render(r, &events, &mut names).await.ok()
                    }
                    _ => None,
                }
            };
            let (next, written) = tokio::join!(read_ahead, self.write(&mut tx, batch, cp, now));
            or_rollback!(tx, written);
            tx.commit().await?;
            total.applied += n as u64;
            total.checkpoint = last;
            if n < self.batch || at_most.is_some_and(|max| total.applied >= max) {
                break;
            }
            if next.is_none() && reader.is_some() {
                // The render ahead failed or found nothing: its names may be partial.
                names.clear();
            }
            prefetched = next;
        }
        Ok(total)
    }

    /// Writes a rendered batch (feed rows, then the names it establishes) and moves the
    /// checkpoint from `cp` to its last event, in `tx` (which holds the checkpoint row).
    async fn write(
        &self,
        tx: &mut mysql_async::Transaction<'_>,
        batch: Rendered,
        cp: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        if batch.first != cp + 1 {
            return Err(StorageError::Integrity(
                "a rendered batch does not start after the checkpoint".into(),
            ));
        }
        tx.exec_drop(
            format!(
                "INSERT INTO {} (sequence, occurred_at, line) VALUES {}",
                self.tables.activity,
                vec!["(?,?,?)"; batch.n].join(",")
            ),
            batch.rows,
        )
        .await?;
        // In event order, at most 20,000 rows (60,000 placeholders) per statement.
        let mut name_rows = batch.name_rows;
        while !name_rows.is_empty() {
            let rest = name_rows.split_off(name_rows.len().min(3 * 20_000));
            let k = name_rows.len() / 3;
            tx.exec_drop(
                format!(
                    "INSERT INTO {} (entity_type, entity_id, name) VALUES {} \
                         ON DUPLICATE KEY UPDATE name = VALUES(name)",
                    self.tables.activity_names,
                    vec!["(?,?,?)"; k].join(",")
                ),
                name_rows,
            )
            .await?;
            name_rows = rest;
        }
        let moved = exec_affected(
                tx,
                format!(
                    "UPDATE {} SET last_sequence = ?, updated_at = ? WHERE projection = ? AND last_sequence = ?",
                    self.tables.checkpoints
                ),
                (batch.last, to_db_time(now), ACTIVITY_FEED, cp),
            )
            .await?;
        if moved != 1 {
            return Err(StorageError::Integrity(
                "the projection checkpoint moved under its lock".into(),
            ));
        }
        Ok(())
    }

    /// Renders `events` (one non-empty batch, in order) into feed rows and the name rows
    /// they establish, learning names into `names`; names never seen are read from the
    /// names table through `q`.
    async fn render<Q: Queryable>(
        &self,
        q: &mut Q,
        events: &[RecordedEvent],
        names: &mut NameMap,
    ) -> Result<Rendered, StorageError> {
        // Pass 1: render with the names known so far, noting lines that asked for a name
        // never looked up. Those names are fetched (one query per 500) and only those
        // lines are rendered again, with the names as of their event.
        let mut overlay: HashMap<(String, Uuid), String> = HashMap::new();
        let mut lines: Vec<String> = Vec::with_capacity(events.len());
        let mut flagged: Vec<bool> = vec![false; events.len()];
        let mut pending: Vec<(String, Uuid)> = Vec::new();
        let mut name_rows: Vec<Value> = Vec::new();
        for (i, ev) in events.iter().enumerate() {
            for fact in self.renderer.names(ev) {
                name_rows.extend([
                    Value::from(fact.entity_type.as_str()),
                    Value::from(fact.entity_id.to_string()),
                    Value::from(fact.name.as_str()),
                ]);
                overlay.insert((fact.entity_type, fact.entity_id), fact.name);
            }
            let lookup = MapLookup {
                base: names,
                overlay: &overlay,
                misses: Default::default(),
            };
            lines.push(self.renderer.render(ev, &lookup));
            let misses = lookup.misses.into_inner();
            if !misses.is_empty() {
                flagged[i] = true;
                pending.extend(misses);
            }
        }
        if !pending.is_empty() {
            pending.sort();
            pending.dedup();
            for chunk in pending.chunks(500) {
                let mut params: Vec<Value> = Vec::with_capacity(chunk.len() * 2);
                for (t, id) in chunk {
                    params.push(t.as_str().into());
                    params.push(id.to_string().into());
                    names.insert((t.clone(), *id), None);
                }
                let found: Vec<(String, String, String)> = q
                    .exec(
                        format!(
                            "SELECT entity_type, entity_id, name FROM {} WHERE {}",
                            self.tables.activity_names,
                            // ORs of primary-key equalities: always an index range scan.
                            vec!["(entity_type = ? AND entity_id = ?)"; chunk.len()].join(" OR ")
                        ),
                        params,
                    )
                    .await?;
                for (t, id, n) in found {
                    if let Ok(id) = Uuid::parse_str(&id) {
                        names.insert((t, id), Some(n));
                    }
                }
            }
            overlay.clear();
            for (i, ev) in events.iter().enumerate() {
                for fact in self.renderer.names(ev) {
                    overlay.insert((fact.entity_type, fact.entity_id), fact.name);
                }
                if flagged[i] {
                    let lookup = MapLookup {
                        base: names,
                        overlay: &overlay,
                        misses: Default::default(),
                    };
                    lines[i] = self.renderer.render(ev, &lookup);
                }
            }
        }
        // Bounded memory over long catch-ups: forget what is known (the names table holds
        // the same names as of this batch and is read again on a miss).
        if names.len() + overlay.len() > self.name_cache {
            names.clear();
        }
        for (k, v) in overlay {
            names.insert(k, Some(v));
        }
        let mut rows: Vec<Value> = Vec::with_capacity(events.len() * 3);
        for (ev, line) in events.iter().zip(lines) {
            rows.extend([
                Value::from(ev.sequence),
                Value::from(to_db_time(ev.event.occurred_at())),
                Value::from(line),
            ]);
        }
        Ok(Rendered {
            first: events.first().map_or(0, |e| e.sequence),
            last: events.last().map_or(0, |e| e.sequence),
            n: events.len(),
            rows,
            name_rows,
        })
    }

    /// Renders the feed rows of `sequences` again (those already projected; in `tx`, which
    /// should hold the checkpoint row), with the names as the names table holds them now
    /// and the events' personal fields as they open now: how an erasure replaces a
    /// person's name in every line that showed it. The number of rows rewritten.
    pub(crate) async fn rerender(
        &self,
        tx: &mut mysql_async::Transaction<'_>,
        sequences: &[u64],
    ) -> Result<u64, StorageError> {
        let mut done = 0;
        for chunk in sequences.chunks(1000) {
            let events = self.store.read_sequences(tx, chunk).await?;
            if events.is_empty() {
                continue;
            }
            let mut names = NameMap::new();
            let batch = self.render(tx, &events, &mut names).await?;
            for row in batch.rows.chunks(3) {
                if let [seq, _, line] = row {
                    done += exec_affected(
                        tx,
                        format!(
                            "UPDATE {} SET line = ? WHERE sequence = ?",
                            self.tables.activity
                        ),
                        (line.clone(), seq.clone()),
                    )
                    .await?;
                }
            }
        }
        Ok(done)
    }

    /// Clears the feed, its names and checkpoint in one transaction, then catches up from zero.
    pub async fn rebuild(&self, pool: &Pool, now: DateTime<Utc>) -> Result<CatchUp, StorageError> {
        let mut conn = pool.get_conn().await?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        tx.exec_drop(
            format!(
                "INSERT INTO {} (projection, last_sequence, updated_at) VALUES (?, 0, ?) \
                 ON DUPLICATE KEY UPDATE last_sequence = 0, updated_at = VALUES(updated_at)",
                self.tables.checkpoints
            ),
            (ACTIVITY_FEED, to_db_time(now)),
        )
        .await?;
        tx.query_drop(format!("DELETE FROM {}", self.tables.activity))
            .await?;
        tx.query_drop(format!("DELETE FROM {}", self.tables.activity_names))
            .await?;
        tx.commit().await?;
        self.catch_up_loop(&mut conn, Some(pool), now, None).await
    }
}
