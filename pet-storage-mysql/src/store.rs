//! The event store: appends batches of events in the caller's transaction, serialised on a
//! single sequence row so that commit order equals sequence order, and reads them back
//! upcast to the current schema version.
//!
//! # Why no consumer can skip an event
//! InnoDB assigns AUTO_INCREMENT values at insert, not at commit, so a reader that follows
//! `id > checkpoint` could pass over an id that commits later. Here ids are not
//! auto-increment: [`EventStore::append`] numbers its events `last + 1 …` after the head
//! held in the one row of `{prefix}pet_event_sequence`, and the database moves that row
//! past them: a BEFORE INSERT trigger on the events table (migration 0006) accepts a row
//! only if it continues the head exactly (id = head + 1, prev_hash = head hash) and moves
//! the head to it under the row's lock. A second appender blocks on that row lock until
//! the first commits or rolls back, so ids become visible strictly in order and without
//! gaps. The same row carries the head of a SHA-256
//! hash chain over every event, so edits by hand or a TRUNCATE are detectable. (Cost:
//! appends are serialised; the lock is held only from the append to the commit.)

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Row, Transaction, Value};
use pet_core::chain::ChainRow;
use pet_core::{
    Actor, AggregateRef, ContextRef, ContextType, EventMeta, EventRegistry, EventType,
    IdempotencyKey, NewEvent, RecordedEvent,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Tables;
use crate::db::{classify, from_db_time, to_db_time, DbErrorKind};
use crate::error::StorageError;

/// Columns read back for an event, in this order.
pub(crate) const EVENT_COLUMNS: &str = "id, event_id, event_type, schema_version, occurred_at, \
    recorded_at, actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, \
    aggregate_version, idempotency_key, payload, actor_contact_id";

/// The hash of an empty chain.
pub use pet_core::chain::GENESIS_HASH;

/// Appends and reads domain events for one table prefix.
#[derive(Debug, Clone)]
pub struct EventStore {
    tables: Tables,
    registry: Arc<EventRegistry>,
    fail_next_insert: Arc<AtomicBool>,
    /// Test hook: the next append writes personal fields in plain text.
    plain_next_append: Arc<AtomicBool>,
    /// The chain head (last sequence, last hash) after this store's last append: a guess,
    /// always verified under the sequence row lock (see [`EventStore::append`]).
    head_hint: Arc<Mutex<Option<(u64, String)>>>,
    /// The last guess missed (another process appended): append with a locked read until
    /// a read head shows the guess would have been right again.
    guess_missed: Arc<AtomicBool>,
    /// The chain trigger was found (see [`EventStore::append`]).
    chain_verified: Arc<AtomicBool>,
    /// Whether a unit of work may send its writes as one compound statement (see
    /// [`crate::uow`]): `BATCH_UNKNOWN` until the server is asked once.
    batch_writes: Arc<AtomicU8>,
    /// The keys that wrap people's data keys (`Config::privacy_key`, and the previous one
    /// while a rotation runs).
    site_keys: crate::privacy::SiteKeys,
}

const BATCH_UNKNOWN: u8 = 0;
const BATCH_YES: u8 = 1;
const BATCH_NO: u8 = 2;

/// An events INSERT after a guessed chain head (see [`EventStore::guess`]).
pub(crate) struct GuessedAppend {
    sql: String,
    params: Vec<Value>,
    head: GuessedHead,
}

impl GuessedAppend {
    /// The statement, its parameters, and the head it assumed (for [`EventStore::guess_held`]).
    pub(crate) fn into_parts(self) -> (String, Vec<Value>, GuessedHead) {
        (self.sql, self.params, self.head)
    }
}

/// The head a [`GuessedAppend`] assumed and the one it leaves.
pub(crate) struct GuessedHead {
    last: u64,
    n: u64,
    new_hash: String,
}

/// Why an event INSERT failed.
pub(crate) enum Insert {
    /// The chain trigger refused the rows: the head is not where the append assumed.
    ChainMoved,
    /// Anything else, classified.
    Failed(StorageError),
}

/// Whether a trigger body is migration 0006's chain check on `sequence_table`: it moves
/// that table's head and signals when no row moved. A body that reads as NULL (a user who
/// may not see trigger definitions) passes: then only the trigger's presence can be checked.
pub(crate) fn chain_trigger_body_ok(body: Option<&str>, sequence_table: &str) -> bool {
    let Some(body) = body else { return true };
    let b = body.to_ascii_uppercase();
    b.contains(&format!("UPDATE {}", sequence_table.to_ascii_uppercase()))
        && b.contains("ROW_COUNT()")
        && b.contains("SIGNAL")
        && body.contains(crate::db::CHAIN_MESSAGE)
}

/// What a successful append wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Sequence number of the first event.
    pub first: u64,
    /// Sequence number of the last event.
    pub last: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The chained hash of one event: `pet_core::chain::chain_hash` over its columns as they
/// are stored (the one definition every verifier uses too).
pub(crate) fn chain_hash(
    prev: &str,
    sequence: u64,
    e: &NewEvent,
    recorded_at: DateTime<Utc>,
    payload_json: &str,
) -> String {
    let actor = e.actor().employee_id().map(|u| u.to_string());
    let contact = e.actor().contact_id().map(|u| u.to_string());
    let event_id = e.event_id().to_string();
    let context_id = e.context().context_id.to_string();
    let aggregate_id = e.aggregate().aggregate_id().to_string();
    pet_core::chain::chain_hash(
        prev,
        &ChainRow {
            sequence,
            event_id: &event_id,
            event_type: e.event_type().as_str(),
            schema_version: e.schema_version(),
            occurred_at_us: to_db_time(e.occurred_at()).and_utc().timestamp_micros(),
            recorded_at_us: to_db_time(recorded_at).and_utc().timestamp_micros(),
            actor_employee_id: actor.as_deref(),
            actor_contact_id: contact.as_deref(),
            context_type: e.context().context_type.as_str(),
            context_id: &context_id,
            aggregate_type: e.aggregate().aggregate_type(),
            aggregate_id: &aggregate_id,
            aggregate_version: e.aggregate().version(),
            idempotency_key: e.idempotency_key().map(|k| k.as_str()),
            payload: payload_json,
        },
    )
}

impl EventStore {
    /// A store over `tables`, validating appends and upcasting reads with `registry`.
    pub fn new(tables: Tables, registry: Arc<EventRegistry>) -> Self {
        Self {
            tables,
            registry,
            fail_next_insert: Arc::new(AtomicBool::new(false)),
            plain_next_append: Arc::new(AtomicBool::new(false)),
            head_hint: Arc::new(Mutex::new(None)),
            guess_missed: Arc::new(AtomicBool::new(false)),
            chain_verified: Arc::new(AtomicBool::new(false)),
            batch_writes: Arc::new(AtomicU8::new(BATCH_UNKNOWN)),
            site_keys: crate::privacy::SiteKeys::default(),
        }
    }

    /// The same store wrapping people's data keys with `site_key` (see [`crate::privacy`]).
    pub fn with_site_key(mut self, site_key: Option<pet_core::privacy::SiteKey>) -> Self {
        self.site_keys.current = site_key;
        self
    }

    /// The same store also opening data keys wrapped with `previous` (the site key a
    /// rotation replaces; see [`App::rotate_privacy_key`](crate::App::rotate_privacy_key)).
    pub fn with_previous_site_key(mut self, previous: Option<pet_core::privacy::SiteKey>) -> Self {
        self.site_keys.previous = previous;
        self
    }

    /// The site keys.
    pub fn site_keys(&self) -> &crate::privacy::SiteKeys {
        &self.site_keys
    }

    /// Opens the personal fields of events read from the log with their people's data
    /// keys (placeholders for an erased person; see `pet_core::privacy`).
    pub(crate) async fn open_events<Q: Queryable>(
        &self,
        q: &mut Q,
        events: Vec<RecordedEvent>,
    ) -> Result<Vec<RecordedEvent>, StorageError> {
        crate::privacy::open_events(q, &self.tables, &self.site_keys, events).await
    }

    /// The keys of the people `subjects` (to open payloads read as raw rows).
    pub(crate) async fn key_ring<Q: Queryable>(
        &self,
        q: &mut Q,
        subjects: &[pet_core::privacy::Subject],
    ) -> Result<crate::privacy::KeyRing, StorageError> {
        crate::privacy::load_keys(q, &self.tables, &self.site_keys, subjects).await
    }

    /// The events with the given sequences (in sequence order), upcast and opened.
    pub async fn read_sequences<Q: Queryable>(
        &self,
        q: &mut Q,
        sequences: &[u64],
    ) -> Result<Vec<RecordedEvent>, StorageError> {
        let mut out = Vec::with_capacity(sequences.len());
        for chunk in sequences.chunks(1000) {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM {} WHERE id IN ({}) ORDER BY id",
                self.tables.events,
                vec!["?"; chunk.len()].join(",")
            );
            let rows: Vec<Row> = q.exec(sql, chunk.to_vec()).await?;
            let events = rows
                .into_iter()
                .map(|r| self.decode(r))
                .collect::<Result<Vec<_>, _>>()?;
            out.extend(self.open_events(q, events).await?);
        }
        Ok(out)
    }

    /// Whether this server takes a unit of work's writes as one compound statement, asked
    /// once per store: MariaDB (`BEGIN NOT ATOMIC` is MariaDB's) and not a Galera node
    /// (`@@wsrep_on`): two Galera nodes inserting the same unique value inside compound
    /// statements both committed in `galera_tests`, where the same inserts sent one by one
    /// lose certification as they must. Anything else, or a failed question, sends writes
    /// one statement each.
    pub(crate) async fn batch_writes(&self, tx: &mut Transaction<'_>) -> bool {
        match self.batch_writes.load(Ordering::Relaxed) {
            BATCH_YES => return true,
            BATCH_NO => return false,
            _ => {}
        }
        let mariadb: Option<String> = tx.query_first("SELECT VERSION()").await.ok().flatten();
        let yes = match mariadb {
            Some(v) if v.contains("MariaDB") => {
                // A MariaDB built without Galera support has no such variable: not a node.
                let wsrep: Result<Option<i64>, _> = tx.query_first("SELECT @@wsrep_on").await;
                !matches!(wsrep, Ok(Some(on)) if on != 0)
            }
            _ => false,
        };
        self.batch_writes
            .store(if yes { BATCH_YES } else { BATCH_NO }, Ordering::Relaxed);
        yes
    }

    /// The registry in use.
    pub fn registry(&self) -> &EventRegistry {
        &self.registry
    }

    /// Test hook: makes the next event INSERT fail in the database (its payload is sent as
    /// invalid JSON, which the `JSON_VALID` CHECK refuses), to prove the caller's
    /// transaction — state rows included — rolls back.
    pub fn fail_next_insert(&self) {
        self.fail_next_insert.store(true, Ordering::SeqCst);
    }

    /// Test hook: the next append writes its events' personal fields in plain text, as
    /// PET did before sealing existed (no data key is drawn), to test the rows written then.
    pub fn write_next_append_plain(&self) {
        self.plain_next_append.store(true, Ordering::SeqCst);
    }

    /// Appends `events` in `tx` (the caller commits). Validates each against the registry
    /// and numbers them after the sequence head. A duplicate aggregate version is a
    /// [`StorageError::Conflict`].
    ///
    /// Round trips: with a correct head hint (the chain head this store saw last, usually
    /// right when one process writes), one INSERT: the events table's chain trigger
    /// (migration 0006) checks every row against the sequence head under that row's lock
    /// and moves the head. With a wrong or missing hint (another process appended since),
    /// the trigger refuses the rows (the failed statement is undone, head move included),
    /// and the append reads the head with `SELECT … FOR UPDATE` and inserts again; the
    /// store keeps reading the head first (no wasted guess) until a head it reads equals
    /// its guess again. Either way ids are assigned under the sequence row lock, held to
    /// commit.
    pub async fn append(
        &self,
        tx: &mut Transaction<'_>,
        events: &[NewEvent],
        recorded_at: DateTime<Utc>,
    ) -> Result<Option<Appended>, StorageError> {
        if events.is_empty() {
            return Ok(None);
        }
        let payloads = self.payloads(&mut *tx, events, recorded_at).await?;
        self.ensure_chain_trigger(tx).await?;
        // Fast path: insert after the guessed head; the trigger verifies it.
        if let Some(guess) = self.guess(events, &payloads, recorded_at) {
            let (sql, params, head) = guess.into_parts();
            match tx.exec_drop(sql, params).await {
                Ok(()) => return Ok(Some(self.guess_held(head))),
                Err(e) => match Self::insert_error(e) {
                    Insert::ChainMoved => self.guess_missed(),
                    Insert::Failed(e) => {
                        self.forget_hint();
                        return Err(e);
                    }
                },
            }
        }
        self.append_locked(tx, events, &payloads, recorded_at)
            .await
            .map(Some)
    }

    /// The events' payloads as stored: each validated against the registry, its personal
    /// fields sealed with their person's data key (drawn in `tx` for a new person).
    pub(crate) async fn payloads(
        &self,
        tx: &mut Transaction<'_>,
        events: &[NewEvent],
        recorded_at: DateTime<Utc>,
    ) -> Result<Vec<String>, StorageError> {
        let mut payloads = Vec::with_capacity(events.len());
        let plain = self.plain_next_append.swap(false, Ordering::SeqCst);
        for e in events {
            self.registry.validate_new(e)?;
            if plain {
                let json = serde_json::to_string(e.payload()).map_err(|err| {
                    StorageError::Integrity(format!("payload not serialisable: {err}"))
                })?;
                payloads.push(json);
                continue;
            }
            // Personal fields are sealed with their person's data key (drawn now for a new
            // person): the chain covers the sealed payload (see `pet_core::privacy`).
            let sealed = crate::privacy::seal_new(
                &mut *tx,
                &self.tables,
                &self.site_keys,
                e.event_type().as_str(),
                e.payload(),
                recorded_at,
            )
            .await?;
            // The payload is a serde_json object, so this is valid JSON by construction; the
            // database re-checks it with CHECK (JSON_VALID(payload)).
            let json =
                serde_json::to_string(sealed.as_ref().unwrap_or(e.payload())).map_err(|err| {
                    StorageError::Integrity(format!("payload not serialisable: {err}"))
                })?;
            payloads.push(json);
        }
        if self.fail_next_insert.swap(false, Ordering::SeqCst) {
            if let Some(p) = payloads.last_mut() {
                *p = "{not json".to_owned();
            }
        }
        Ok(payloads)
    }

    /// The events' INSERT after the guessed chain head, when there is a guess worth
    /// making (this store appended last and its last guess held); the caller sends it,
    /// then reports [`EventStore::guess_held`] or, on [`Insert::ChainMoved`],
    /// [`EventStore::guess_missed`] and appends with [`EventStore::append_locked`].
    pub(crate) fn guess(
        &self,
        events: &[NewEvent],
        payloads: &[String],
        recorded_at: DateTime<Utc>,
    ) -> Option<GuessedAppend> {
        if self.guess_missed.load(Ordering::Relaxed) {
            return None;
        }
        let (last, prev) = self.head_hint.lock().ok().and_then(|h| h.clone())?;
        let (params, new_hash) = self.event_params(events, payloads, last, &prev, recorded_at);
        Some(GuessedAppend {
            sql: self.events_insert_sql(events.len()),
            params,
            head: GuessedHead {
                last,
                n: events.len() as u64,
                new_hash,
            },
        })
    }

    /// The guessed INSERT went in: the head moved past it.
    pub(crate) fn guess_held(&self, head: GuessedHead) -> Appended {
        self.set_hint(head.last + head.n, head.new_hash);
        Appended {
            first: head.last + 1,
            last: head.last + head.n,
        }
    }

    /// The guessed head was not the head (another process appended): read it under its
    /// lock until a read head equals the guess again.
    pub(crate) fn guess_missed(&self) {
        self.guess_missed.store(true, Ordering::Relaxed);
    }

    /// The slow path: reads the head under its row lock and inserts after it.
    pub(crate) async fn append_locked(
        &self,
        tx: &mut Transaction<'_>,
        events: &[NewEvent],
        payloads: &[String],
        recorded_at: DateTime<Utc>,
    ) -> Result<Appended, StorageError> {
        let n = events.len() as u64;
        let hint = self.head_hint.lock().ok().and_then(|h| h.clone());
        let head: Option<(u64, String)> = tx
            .exec_first(
                format!(
                    "SELECT last_sequence, last_hash FROM {} WHERE id = 1 FOR UPDATE",
                    self.tables.sequence
                ),
                (),
            )
            .await?;
        let (last, prev) = head.ok_or_else(|| {
            StorageError::Integrity("the event sequence row is missing; run the migrations".into())
        })?;
        if hint.as_ref().is_some_and(|(l, h)| *l == last && *h == prev) {
            // The guess would have been right: guess again next time.
            self.guess_missed.store(false, Ordering::Relaxed);
        }
        let (params, new_hash) = self.event_params(events, payloads, last, &prev, recorded_at);
        if let Err(e) = tx
            .exec_drop(self.events_insert_sql(events.len()), params)
            .await
        {
            self.forget_hint();
            return Err(match Self::insert_error(e) {
                Insert::ChainMoved => {
                    StorageError::Integrity("the event sequence row moved under its lock".into())
                }
                Insert::Failed(e) => e,
            });
        }
        self.set_hint(last + n, new_hash);
        Ok(Appended {
            first: last + 1,
            last: last + n,
        })
    }

    /// Once per process (per store and its clones): the events table must have the chain
    /// trigger that keeps the sequence row in step (migration 0006), or appends would
    /// leave the head behind. Refuses to append without it.
    pub(crate) async fn ensure_chain_trigger(
        &self,
        tx: &mut Transaction<'_>,
    ) -> Result<(), StorageError> {
        if self.chain_verified.load(Ordering::Relaxed) {
            return Ok(());
        }
        let found: Option<Option<String>> = tx
            .exec_first(
                "SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS \
                 WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? \
                 AND EVENT_MANIPULATION = 'INSERT' AND ACTION_TIMING = 'BEFORE' \
                 AND TRIGGER_NAME = ?",
                (&self.tables.events, format!("{}_chain", self.tables.events)),
            )
            .await?;
        match found {
            Some(body) if chain_trigger_body_ok(body.as_deref(), &self.tables.sequence) => {
                self.chain_verified.store(true, Ordering::Relaxed);
                Ok(())
            }
            Some(_) => Err(StorageError::Integrity(
                "the events table's chain trigger was altered; run the migrations on a fresh \
                 table prefix or restore migration 0006's trigger"
                    .into(),
            )),
            None => Err(StorageError::Integrity(
                "the events table has no chain trigger (migration 0006); run the migrations \
                 (migrate() re-creates missing triggers)"
                    .into(),
            )),
        }
    }

    fn set_hint(&self, last: u64, hash: String) {
        if let Ok(mut h) = self.head_hint.lock() {
            *h = Some((last, hash));
        }
    }

    /// Drops the head hint (the next append reads the head under its lock).
    pub(crate) fn forget_hint(&self) {
        if let Ok(mut h) = self.head_hint.lock() {
            *h = None;
        }
    }

    /// The bound values of the event rows numbered from `last + 1`, chained from `prev`,
    /// and the hash of the last one.
    fn event_params(
        &self,
        events: &[NewEvent],
        payloads: &[String],
        last: u64,
        prev: &str,
        recorded_at: DateTime<Utc>,
    ) -> (Vec<Value>, String) {
        let recorded_db = to_db_time(recorded_at);
        let mut prev_hash = prev.to_owned();
        let mut params: Vec<Value> = Vec::with_capacity(events.len() * 17);
        for (i, (e, json)) in events.iter().zip(payloads).enumerate() {
            let seq = last + 1 + i as u64;
            let hash = chain_hash(&prev_hash, seq, e, recorded_at, json);
            params.extend([
                Value::from(seq),
                Value::from(e.event_id().to_string()),
                Value::from(e.event_type().as_str()),
                Value::from(e.schema_version()),
                Value::from(to_db_time(e.occurred_at())),
                Value::from(recorded_db),
                Value::from(e.actor().employee_id().map(|u| u.to_string())),
                Value::from(e.context().context_type.as_str()),
                Value::from(e.context().context_id.to_string()),
                Value::from(e.aggregate().aggregate_type()),
                Value::from(e.aggregate().aggregate_id().to_string()),
                Value::from(e.aggregate().version()),
                Value::from(e.idempotency_key().map(|k| k.as_str().to_owned())),
                Value::from(json.as_str()),
                Value::from(prev_hash.as_str()),
                Value::from(hash.as_str()),
                Value::from(e.actor().contact_id().map(|u| u.to_string())),
            ]);
            prev_hash = hash;
        }
        (params, prev_hash)
    }

    /// The INSERT of `rows` event rows (bound by [`EventStore::event_params`]).
    fn events_insert_sql(&self, rows: usize) -> String {
        let row = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        format!(
            "INSERT INTO {} (id, event_id, event_type, schema_version, occurred_at, recorded_at, \
             actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, \
             aggregate_version, idempotency_key, payload, prev_hash, hash, actor_contact_id) VALUES {}",
            self.tables.events,
            vec![row; rows].join(",")
        )
    }

    /// What a failed events INSERT means.
    pub(crate) fn insert_error(e: mysql_async::Error) -> Insert {
        Insert::Failed(match classify(&e) {
            DbErrorKind::ChainMoved => return Insert::ChainMoved,
            DbErrorKind::Duplicate { key } if key == "uq_aggregate_version" => {
                StorageError::Conflict(
                    "the aggregate was changed concurrently: its version already exists".into(),
                )
            }
            DbErrorKind::Duplicate { key } if key == "uq_event_id" => {
                StorageError::Conflict("an event with this id is already recorded".into())
            }
            DbErrorKind::CheckViolation => StorageError::Integrity(format!(
                "the database refused the event row (check constraint): {e}"
            )),
            _ => StorageError::from(e),
        })
    }

    /// Up to `limit` events with sequence > `after`, in order, upcast to current versions,
    /// their personal fields opened.
    pub async fn read_after<Q: Queryable>(
        &self,
        q: &mut Q,
        after: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StorageError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM {} WHERE id > ? ORDER BY id LIMIT ?",
            self.tables.events
        );
        let rows: Vec<Row> = q.exec(sql, (after, limit as u64)).await?;
        let events = rows
            .into_iter()
            .map(|r| self.decode(r))
            .collect::<Result<Vec<_>, _>>()?;
        self.open_events(q, events).await
    }

    /// Every event of one aggregate, in version order, upcast.
    pub async fn read_aggregate<Q: Queryable>(
        &self,
        q: &mut Q,
        aggregate_type: &str,
        aggregate_id: Uuid,
    ) -> Result<Vec<RecordedEvent>, StorageError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM {} WHERE aggregate_type = ? AND aggregate_id = ? \
             ORDER BY aggregate_version",
            self.tables.events
        );
        let rows: Vec<Row> = q
            .exec(sql, (aggregate_type, aggregate_id.to_string()))
            .await?;
        let events = rows
            .into_iter()
            .map(|r| self.decode(r))
            .collect::<Result<Vec<_>, _>>()?;
        self.open_events(q, events).await
    }

    /// Recomputes the hash chain over the whole log (records nothing; see
    /// `App::verify_chain` for the recorded, reported verification): the number of
    /// events, or an error naming the first bad sequence and what is wrong.
    pub async fn verify_chain<Q: Queryable>(&self, q: &mut Q) -> Result<u64, StorageError> {
        crate::audit::verify_log(q, &self.tables).await
    }

    pub(crate) fn decode(&self, mut r: Row) -> Result<RecordedEvent, StorageError> {
        let rec = decode_raw(&mut r)?;
        let ty = rec.event.event_type().as_str();
        if self.registry.current_version(ty) == Some(rec.event.schema_version()) {
            return Ok(rec); // already current: no upcast, no payload copy
        }
        Ok(self.registry.upcast(rec)?)
    }
}

fn take<T: FromValue>(r: &mut Row, i: usize) -> Result<T, StorageError> {
    r.take_opt(i)
        .and_then(Result::ok)
        .ok_or_else(|| StorageError::Integrity(format!("unreadable event column {i}")))
}

fn uuid(s: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(s).map_err(|_| StorageError::Integrity(format!("bad uuid {s:?} in event row")))
}

/// Builds a recorded event from a row of [`EVENT_COLUMNS`] (no upcasting).
pub(crate) fn decode_raw(r: &mut Row) -> Result<RecordedEvent, StorageError> {
    let sequence: u64 = take(r, 0)?;
    let event_id: String = take(r, 1)?;
    let event_type: String = take(r, 2)?;
    let schema_version: u32 = take(r, 3)?;
    let occurred_at: NaiveDateTime = take(r, 4)?;
    let recorded_at: NaiveDateTime = take(r, 5)?;
    let actor: Option<String> = take(r, 6)?;
    let context_type: String = take(r, 7)?;
    let context_id: String = take(r, 8)?;
    let aggregate_type: String = take(r, 9)?;
    let aggregate_id: String = take(r, 10)?;
    let aggregate_version: u64 = take(r, 11)?;
    let idem: Option<String> = take(r, 12)?;
    let payload: String = take(r, 13)?;
    let contact: Option<String> = take(r, 14)?;
    let payload: serde_json::Value = serde_json::from_str(&payload)
        .map_err(|e| StorageError::Integrity(format!("event {sequence} payload: {e}")))?;
    let meta = EventMeta {
        event_id: uuid(&event_id)?,
        occurred_at: from_db_time(occurred_at),
        actor: match (actor, contact) {
            (Some(a), None) => Actor::Employee(uuid(&a)?),
            (None, Some(c)) => Actor::Contact(uuid(&c)?),
            (None, None) => Actor::System,
            (Some(_), Some(_)) => {
                return Err(StorageError::Integrity(format!(
                    "event {sequence} names both an employee and a contact as its actor"
                )))
            }
        },
        idempotency_key: idem.map(IdempotencyKey::new).transpose()?,
    };
    let event = NewEvent::new(
        meta,
        EventType::new(event_type)?,
        schema_version,
        ContextRef::new(context_type.parse::<ContextType>()?, uuid(&context_id)?),
        AggregateRef::new(aggregate_type, uuid(&aggregate_id)?, aggregate_version)?,
        payload,
    )?;
    Ok(RecordedEvent {
        sequence,
        recorded_at: from_db_time(recorded_at),
        event,
    })
}

/// The outcome of claiming an idempotency key at the start of a command.
#[derive(Debug, Clone, PartialEq)]
pub enum IdempotencyClaim {
    /// First time: the key is now held by this transaction; run the command.
    New,
    /// Replay of a completed command with the same input: its first result.
    Replay(serde_json::Value),
}

/// SHA-256 (hex) of a command's name and canonical JSON input: what "same request" means.
pub fn request_hash(command: &str, input: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    h.update(command.as_bytes());
    h.update([0u8]);
    canonical_json(input, &mut h);
    hex(&h.finalize())
}

/// Feeds `v` to the hasher with object keys sorted, whatever serde_json's map order is.
fn canonical_json(v: &serde_json::Value, h: &mut Sha256) {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            h.update(b"{");
            for k in keys {
                h.update(serde_json::Value::String(k.clone()).to_string().as_bytes());
                h.update(b":");
                if let Some(x) = m.get(k) {
                    canonical_json(x, h);
                }
                h.update(b",");
            }
            h.update(b"}");
        }
        serde_json::Value::Array(a) => {
            h.update(b"[");
            for x in a {
                canonical_json(x, h);
                h.update(b",");
            }
            h.update(b"]");
        }
        other => h.update(other.to_string().as_bytes()),
    }
}

impl EventStore {
    /// Claims `key` for a command in `tx`. Inserting the key first means a concurrent
    /// duplicate blocks on it until this transaction ends; a rolled-back command frees it.
    /// Same key + same request hash → [`IdempotencyClaim::Replay`]; other hash → Conflict.
    pub async fn claim_idempotency(
        &self,
        tx: &mut Transaction<'_>,
        key: &IdempotencyKey,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StorageError> {
        let insert = format!(
            "INSERT INTO {} (idem_key, request_hash, result, created_at) VALUES (?, ?, NULL, ?)",
            self.tables.idempotency
        );
        match tx
            .exec_drop(insert, (key.as_str(), hash, to_db_time(now)))
            .await
        {
            Ok(()) => Ok(IdempotencyClaim::New),
            Err(e) => match classify(&e) {
                DbErrorKind::Duplicate { key: idx } if idx == "PRIMARY" => {
                    let row: Option<(String, Option<String>)> = tx
                        .exec_first(
                            format!(
                                "SELECT request_hash, result FROM {} WHERE idem_key = ? FOR UPDATE",
                                self.tables.idempotency
                            ),
                            (key.as_str(),),
                        )
                        .await?;
                    match row {
                        Some((h, Some(result))) if h == hash => Ok(IdempotencyClaim::Replay(
                            serde_json::from_str(&result).map_err(|e| {
                                StorageError::Integrity(format!("stored result unreadable: {e}"))
                            })?,
                        )),
                        Some((h, _)) if h != hash => Err(StorageError::Conflict(format!(
                            "idempotency key {} was already used with different input",
                            key.as_str()
                        ))),
                        _ => Err(StorageError::Conflict(format!(
                            "idempotency key {} is in use by a concurrent command",
                            key.as_str()
                        ))),
                    }
                }
                _ => Err(StorageError::from(e)),
            },
        }
    }

    /// The statement (and its parameters) that stores `result` under `key`.
    pub(crate) fn finish_idempotency_step(
        &self,
        key: &IdempotencyKey,
        result: &serde_json::Value,
    ) -> (String, Vec<Value>) {
        (
            format!(
                "UPDATE {} SET result = ? WHERE idem_key = ?",
                self.tables.idempotency
            ),
            vec![Value::from(result.to_string()), Value::from(key.as_str())],
        )
    }

    /// Stores the result of the command that claimed `key` (same transaction).
    pub async fn finish_idempotency(
        &self,
        tx: &mut Transaction<'_>,
        key: &IdempotencyKey,
        result: &serde_json::Value,
    ) -> Result<(), StorageError> {
        let (sql, params) = self.finish_idempotency_step(key, result);
        tx.exec_drop(sql, params).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_hash_ignores_key_order_but_not_values_or_command() {
        let a = json!({"name": "Ana", "rate": {"amount_minor": 1, "currency": "EUR"}});
        let b = json!({"rate": {"currency": "EUR", "amount_minor": 1}, "name": "Ana"});
        assert_eq!(
            request_hash("create_employee", &a),
            request_hash("create_employee", &b)
        );
        assert_ne!(
            request_hash("create_employee", &a),
            request_hash("create_team", &a)
        );
        let c = json!({"name": "Ana", "rate": {"amount_minor": 2, "currency": "EUR"}});
        assert_ne!(
            request_hash("create_employee", &a),
            request_hash("create_employee", &c)
        );
    }
}
