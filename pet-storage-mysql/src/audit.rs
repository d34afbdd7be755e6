//! Audit of the event log: its hash chain verified on demand (the whole log) and by the
//! scheduled job (from the verified checkpoint, so a run costs what was appended since),
//! the state of that verification for the health check, and the JSON Lines export that
//! anyone can verify offline. The hashing and the checks are `pet_core::chain`'s; this file
//! only reads rows.
//!
//! Reads run in one read-only transaction with a consistent snapshot, so the sequence head
//! and the rows are seen as of one moment while appends go on; rows are read in keyset
//! batches of [`BATCH`] (never the whole log at once). The outcome is kept in the one row
//! of `{prefix}pet_chain_verification` (migration 0019).

use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Row, TxOpts};
use pet_core::chain::{
    ChainFault, ChainRow, ChainVerifier, ExportEnd, ExportHead, ExportHeader, ExportTrailer,
    ExportedEvent, EXPORT_FORMAT, EXPORT_VERSION, GENESIS_HASH,
};
use serde::Serialize;
use serde_json::{json, Value};

use crate::config::Tables;
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{AppError, StorageError};
use crate::input::Input;
use crate::App;

/// Rows per read while verifying or exporting.
pub const BATCH: u64 = 10_000;

/// Job kind: verify the events appended since the last verified checkpoint.
pub const JOB_CHAIN_VERIFY: &str = "audit.verify_chain";

/// The most events one scheduled run verifies (about 10 s); the next run goes on.
pub const JOB_MAX_EVENTS: u64 = 1_000_000;

/// The scheduled job verifies the whole log when the last full verification is older than
/// this (an edit of an event behind the checkpoint that keeps the checkpoint's own hash is
/// found by a full verification only).
pub const FULL_VERIFICATION_EVERY: chrono::Duration = chrono::Duration::hours(24);

/// Every column of an event row, in [`RawEvent::from_row`]'s order.
const RAW_COLUMNS: &str = "id, event_id, event_type, schema_version, occurred_at, recorded_at, \
    actor_employee_id, context_type, context_id, aggregate_type, aggregate_id, aggregate_version, \
    idempotency_key, payload, prev_hash, hash, actor_contact_id";

const COLUMN_NAMES: [&str; 17] = [
    "id",
    "event_id",
    "event_type",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "actor_employee_id",
    "context_type",
    "context_id",
    "aggregate_type",
    "aggregate_id",
    "aggregate_version",
    "idempotency_key",
    "payload",
    "prev_hash",
    "hash",
    "actor_contact_id",
];

/// One event row exactly as stored (no parsing beyond the column types).
#[derive(Debug, Clone)]
pub struct RawEvent {
    sequence: u64,
    event_id: String,
    event_type: String,
    schema_version: u32,
    occurred_at_us: i64,
    recorded_at_us: i64,
    actor: Option<String>,
    context_type: String,
    context_id: String,
    aggregate_type: String,
    aggregate_id: String,
    aggregate_version: u64,
    idempotency_key: Option<String>,
    payload: String,
    prev_hash: String,
    hash: String,
    actor_contact: Option<String>,
}

fn col<T: FromValue>(r: &mut Row, sequence: u64, i: usize) -> Result<T, ChainFault> {
    r.take_opt(i)
        .and_then(Result::ok)
        .ok_or_else(|| ChainFault::Unreadable {
            sequence,
            column: COLUMN_NAMES[i].to_owned(),
        })
}

fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

impl RawEvent {
    /// Reads a row of [`RAW_COLUMNS`]; a column that is not its type is a fault of the row.
    fn from_row(mut r: Row) -> Result<Self, ChainFault> {
        let sequence: u64 = col(&mut r, 0, 0)?;
        let s = sequence;
        Ok(Self {
            sequence,
            event_id: col(&mut r, s, 1)?,
            event_type: col(&mut r, s, 2)?,
            schema_version: col(&mut r, s, 3)?,
            occurred_at_us: micros(col(&mut r, s, 4)?),
            recorded_at_us: micros(col(&mut r, s, 5)?),
            actor: col(&mut r, s, 6)?,
            context_type: col(&mut r, s, 7)?,
            context_id: col(&mut r, s, 8)?,
            aggregate_type: col(&mut r, s, 9)?,
            aggregate_id: col(&mut r, s, 10)?,
            aggregate_version: col(&mut r, s, 11)?,
            idempotency_key: col(&mut r, s, 12)?,
            payload: col(&mut r, s, 13)?,
            prev_hash: col(&mut r, s, 14)?,
            hash: col(&mut r, s, 15)?,
            actor_contact: col(&mut r, s, 16)?,
        })
    }

    /// The row as the chain hashes it.
    pub fn row(&self) -> ChainRow<'_> {
        ChainRow {
            sequence: self.sequence,
            event_id: &self.event_id,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            occurred_at_us: self.occurred_at_us,
            recorded_at_us: self.recorded_at_us,
            actor_employee_id: self.actor.as_deref(),
            actor_contact_id: self.actor_contact.as_deref(),
            context_type: &self.context_type,
            context_id: &self.context_id,
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            aggregate_version: self.aggregate_version,
            idempotency_key: self.idempotency_key.as_deref(),
            payload: &self.payload,
        }
    }
}

/// Reads up to `limit` rows with id > `after`, in order.
async fn read_rows<Q: Queryable>(
    q: &mut Q,
    tables: &Tables,
    after: u64,
    limit: u64,
) -> Result<Vec<Row>, StorageError> {
    Ok(q.exec(
        format!(
            "SELECT {RAW_COLUMNS} FROM {} WHERE id > ? ORDER BY id LIMIT ?",
            tables.events
        ),
        (after, limit),
    )
    .await?)
}

/// The sequence head (last sequence, its hash).
async fn read_head<Q: Queryable>(
    q: &mut Q,
    tables: &Tables,
) -> Result<(u64, String), StorageError> {
    let head: Option<(u64, String)> = q
        .exec_first(
            format!(
                "SELECT last_sequence, last_hash FROM {} WHERE id = 1",
                tables.sequence
            ),
            (),
        )
        .await?;
    head.ok_or_else(|| {
        StorageError::Integrity("the event sequence row is missing; run the migrations".into())
    })
}

/// The verification checkpoint and last outcome (the row of migration 0019).
#[derive(Debug, Clone, Serialize)]
pub struct ChainState {
    /// `unverified`, `ok` or `failed`.
    pub status: String,
    /// The log is verified up to this event (0: nothing yet).
    pub verified_sequence: u64,
    /// That event's hash.
    pub verified_hash: String,
    /// When the checkpoint was reached (RFC 3339).
    pub verified_at: Option<String>,
    /// The last complete verification from the first event that passed.
    pub full_verified_at: Option<String>,
    /// The last run, whatever its outcome.
    pub checked_at: Option<String>,
    /// The fault found, when `failed`.
    pub fault: Option<FaultView>,
}

/// A fault as reported: the first bad sequence, its kind, what is wrong.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FaultView {
    /// The first bad sequence.
    pub sequence: u64,
    /// `pet_core::chain::ChainFault::kind`.
    pub kind: String,
    /// What is wrong, in words.
    pub message: String,
}

impl From<&ChainFault> for FaultView {
    fn from(f: &ChainFault) -> Self {
        Self {
            sequence: f.sequence(),
            kind: f.kind().to_owned(),
            message: f.to_string(),
        }
    }
}

type StateRow = (
    String,
    u64,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<u64>,
    Option<String>,
    Option<String>,
);

const STATE_COLUMNS: &str = "status, verified_sequence, verified_hash, verified_at, \
    full_verified_at, checked_at, fault_sequence, fault_kind, fault_message";

fn state_of(r: StateRow) -> ChainState {
    let t = |x: Option<NaiveDateTime>| x.map(|t| rfc3339(from_db_time(t)));
    ChainState {
        status: r.0,
        verified_sequence: r.1,
        verified_hash: r.2,
        verified_at: t(r.3),
        full_verified_at: t(r.4),
        checked_at: t(r.5),
        fault: match (r.6, r.7, r.8) {
            (Some(sequence), Some(kind), Some(message)) => Some(FaultView {
                sequence,
                kind,
                message,
            }),
            _ => None,
        },
    }
}

async fn read_state<Q: Queryable>(
    q: &mut Q,
    tables: &Tables,
    lock: bool,
) -> Result<ChainState, StorageError> {
    let row: Option<StateRow> = q
        .exec_first(
            format!(
                "SELECT {STATE_COLUMNS} FROM {} WHERE id = 1{}",
                tables.chain_verification,
                if lock { " FOR UPDATE" } else { "" }
            ),
            (),
        )
        .await?;
    row.map(state_of).ok_or_else(|| {
        StorageError::Integrity("the chain verification row is missing; run the migrations".into())
    })
}

/// What one verification run found.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    /// No fault found.
    pub ok: bool,
    /// `full` (from the first event) or `incremental` (from the checkpoint).
    pub mode: &'static str,
    /// The run reached the sequence head (an incremental run stops after
    /// [`JOB_MAX_EVENTS`]; the next one goes on).
    pub complete: bool,
    /// Events checked by this run.
    pub checked: u64,
    /// The log is verified up to this event.
    pub verified_sequence: u64,
    /// That event's hash.
    pub verified_hash: String,
    /// The sequence head seen by the run.
    pub head_sequence: u64,
    /// Wall time of the run.
    pub seconds: f64,
    /// The first fault, if any.
    pub fault: Option<FaultView>,
    /// Nothing was verified: an earlier run found a fault (an incremental run does not
    /// clear it; run a full verification).
    pub skipped: bool,
}

/// How a verification starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The whole log, checked also against the recorded checkpoint.
    Full,
    /// The whole log, ignoring (and then replacing) the recorded checkpoint: after a
    /// legitimate restore from a backup older than the last verification.
    Restart,
    /// From the checkpoint, at most `max` events.
    Incremental {
        /// The most events to check.
        max: u64,
    },
}

/// The outcome of the reading part of a run (before it is recorded).
struct Run {
    verifier: ChainVerifier,
    head: u64,
    complete: bool,
    fault: Option<ChainFault>,
    skipped: bool,
}

impl App {
    /// Verifies the event log against its hash chain and records the outcome (see
    /// [`Mode`]): `{ok, mode, complete, checked, verified_sequence, verified_hash,
    /// head_sequence, seconds, fault: ?{sequence, kind, message}, skipped}`. Options:
    /// `{mode?: 'full' (default) | 'incremental' | 'restart'}`.
    pub async fn verify_chain(&self, options: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(options, "options");
        let mode = match o.opt_str("mode").unwrap_or("full") {
            "full" => Mode::Full,
            "restart" => Mode::Restart,
            "incremental" => Mode::Incremental {
                max: JOB_MAX_EVENTS,
            },
            _ => {
                o.error("mode", "must be 'full', 'incremental' or 'restart'");
                Mode::Full
            }
        };
        o.finish()?;
        let report = self.run_chain_verification(mode).await?;
        Ok(serde_json::to_value(report).unwrap_or(Value::Null))
    }

    /// The scheduled job's run: incremental from the checkpoint, or the whole log when no
    /// full verification passed within [`FULL_VERIFICATION_EVERY`] (and no fault stands).
    pub async fn scheduled_chain_verification(&self) -> Result<ChainReport, AppError> {
        let mut conn = self.conn().await?;
        let due: Option<(String, Option<NaiveDateTime>)> = conn
            .exec_first(
                format!(
                    "SELECT status, full_verified_at FROM {} WHERE id = 1",
                    self.inner.tables.chain_verification
                ),
                (),
            )
            .await
            .map_err(StorageError::from)?;
        drop(conn);
        let full = match due {
            Some((status, last)) => {
                status != "failed"
                    && last.is_none_or(|t| from_db_time(t) + FULL_VERIFICATION_EVERY <= self.now())
            }
            None => false,
        };
        self.run_chain_verification(if full {
            Mode::Full
        } else {
            Mode::Incremental {
                max: JOB_MAX_EVENTS,
            }
        })
        .await
    }

    /// Runs one verification (see [`App::verify_chain`]) and records its outcome.
    pub async fn run_chain_verification(&self, mode: Mode) -> Result<ChainReport, AppError> {
        let started = Instant::now();
        let t = &self.inner.tables;
        let mut conn = self.conn().await?;
        let run = {
            let mut opts = TxOpts::default();
            opts.with_consistent_snapshot(true).with_readonly(true);
            let mut tx = conn
                .start_transaction(opts)
                .await
                .map_err(StorageError::from)?;
            let run = verify_in_snapshot(&mut tx, t, mode).await;
            tx.commit().await.map_err(StorageError::from)?;
            run?
        };
        let now = self.now();
        let (last_seq, last_hash) = run.verifier.last();
        if !run.skipped {
            self.record(&mut conn, mode, &run, now).await?;
        }
        let state = read_state(&mut conn, t, false).await?;
        Ok(ChainReport {
            ok: run.fault.is_none() && !run.skipped,
            mode: match mode {
                Mode::Full => "full",
                Mode::Restart => "restart",
                Mode::Incremental { .. } => "incremental",
            },
            complete: run.complete,
            checked: run.verifier.checked(),
            verified_sequence: if run.fault.is_none() && !run.skipped {
                last_seq
            } else {
                state.verified_sequence
            },
            verified_hash: if run.fault.is_none() && !run.skipped {
                last_hash.to_owned()
            } else {
                state.verified_hash
            },
            head_sequence: run.head,
            seconds: started.elapsed().as_secs_f64(),
            fault: run.fault.as_ref().map(FaultView::from).or(if run.skipped {
                state.fault
            } else {
                None
            }),
            skipped: run.skipped,
        })
    }

    /// Writes a run's outcome: a fault marks the log failed (the checkpoint stays); a
    /// clean run moves the checkpoint forward (a restart may move it back), and a clean
    /// full run clears an earlier fault (an incremental one never does).
    async fn record(
        &self,
        conn: &mut mysql_async::Conn,
        mode: Mode,
        run: &Run,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let t = &self.inner.tables;
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(StorageError::from)?;
        let state = read_state(&mut tx, t, true).await?;
        let now_db = to_db_time(now);
        if let Some(f) = &run.fault {
            tx.exec_drop(
                format!(
                    "UPDATE {} SET status = 'failed', checked_at = ?, fault_sequence = ?, \
                     fault_kind = ?, fault_message = ? WHERE id = 1",
                    t.chain_verification
                ),
                (now_db, f.sequence(), f.kind(), f.to_string()),
            )
            .await
            .map_err(StorageError::from)?;
        } else {
            let (seq, hash) = run.verifier.last();
            let full = !matches!(mode, Mode::Incremental { .. });
            let forward = seq >= state.verified_sequence || mode == Mode::Restart;
            let status = if state.status == "failed" && !full {
                "failed"
            } else {
                "ok"
            };
            tx.exec_drop(
                format!(
                    "UPDATE {} SET status = ?, checked_at = ?, \
                     verified_sequence = IF(?, ?, verified_sequence), \
                     verified_hash = IF(?, ?, verified_hash), \
                     verified_at = IF(?, ?, verified_at), \
                     full_verified_at = IF(?, ?, full_verified_at), \
                     fault_sequence = IF(? = 'ok', NULL, fault_sequence), \
                     fault_kind = IF(? = 'ok', NULL, fault_kind), \
                     fault_message = IF(? = 'ok', NULL, fault_message) WHERE id = 1",
                    t.chain_verification
                ),
                vec![
                    status.into(),
                    now_db.into(),
                    forward.into(),
                    seq.into(),
                    forward.into(),
                    hash.into(),
                    forward.into(),
                    now_db.into(),
                    (full && run.complete).into(),
                    now_db.into(),
                    status.into(),
                    status.into(),
                    status.into(),
                ]
                .into_iter()
                .collect::<Vec<mysql_async::Value>>(),
            )
            .await
            .map_err(StorageError::from)?;
        }
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    /// The recorded verification state and the sequence head: `{status, verified_sequence,
    /// verified_hash, verified_at, full_verified_at, checked_at, fault, head: {sequence,
    /// hash}}`. No verification is run.
    pub async fn chain_status(&self) -> Result<Value, AppError> {
        let mut conn = self.conn().await?;
        let state = read_state(&mut conn, &self.inner.tables, false).await?;
        let (seq, hash) = read_head(&mut conn, &self.inner.tables).await?;
        let mut v = serde_json::to_value(state).unwrap_or(Value::Null);
        v["head"] = json!({"sequence": seq, "hash": hash});
        Ok(v)
    }

    /// The health check of the chain: red when the last run found a fault, or when the
    /// verified checkpoint no longer holds (the event it names is gone or changed, or the
    /// head is behind it) — one primary-key read, whatever the log's size.
    pub(crate) async fn chain_health(
        &self,
        conn: &mut mysql_async::Conn,
    ) -> Result<(bool, String), StorageError> {
        let t = &self.inner.tables;
        let state = read_state(conn, t, false).await?;
        if let Some(f) = state.fault.as_ref().filter(|_| state.status == "failed") {
            return Ok((
                false,
                format!(
                    "chain broken at sequence {} ({}): {} (found {})",
                    f.sequence,
                    f.kind,
                    f.message,
                    state.checked_at.as_deref().unwrap_or("")
                ),
            ));
        }
        let (head, _) = read_head(conn, t).await?;
        if state.verified_sequence > 0 {
            let at: Option<String> = conn
                .exec_first(
                    format!("SELECT hash FROM {} WHERE id = ?", t.events),
                    (state.verified_sequence,),
                )
                .await?;
            let fault = match at {
                Some(h) if h != state.verified_hash => Some(ChainFault::AnchorMismatch {
                    sequence: state.verified_sequence,
                    expected_hash: state.verified_hash.clone(),
                }),
                Some(_) if head < state.verified_sequence => Some(ChainFault::Truncated {
                    last_sequence: head,
                    expected_sequence: state.verified_sequence,
                    source: "an earlier verification".into(),
                }),
                Some(_) => None,
                None => {
                    let max: Option<u64> = conn
                        .query_first(format!("SELECT MAX(id) FROM {}", t.events))
                        .await?
                        .flatten();
                    Some(match max {
                        Some(m) if m > state.verified_sequence => ChainFault::Missing {
                            expected: state.verified_sequence,
                            found: m,
                        },
                        m => ChainFault::Truncated {
                            last_sequence: m.unwrap_or(0),
                            expected_sequence: state.verified_sequence,
                            source: "an earlier verification".into(),
                        },
                    })
                }
            };
            if let Some(f) = fault {
                return Ok((
                    false,
                    format!(
                        "chain broken at sequence {} ({}): {f}",
                        f.sequence(),
                        f.kind()
                    ),
                ));
            }
        }
        let message = match (&state.verified_at, &state.full_verified_at) {
            (None, _) if head == 0 => "no events yet".to_owned(),
            (None, _) => format!("{head} events, not verified yet (the job verifies them)"),
            (Some(at), full) => format!(
                "verified up to event {} of {head} ({at}); last full verification: {}",
                state.verified_sequence,
                full.as_deref().unwrap_or("never")
            ),
        };
        Ok((true, message))
    }

    /// One chunk of the JSON Lines export of the log (see `pet_core::chain`): `{text,
    /// done, next}`. Start with `{}`: the first chunk holds the header line with the
    /// sequence head at that moment, and the export holds exactly the events up to that
    /// head; pass `next` back for the following chunk until `done` (the last chunk ends
    /// with the end line). `{limit?}` is the events per chunk (1–10,000, default 5,000).
    /// Rows are written as stored, so an export of a tampered log fails verification.
    pub async fn export_events(&self, query: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(query, "query");
        let after = o.opt_i64("after");
        let until = o.opt_i64("until");
        let written = o.opt_i64("written").unwrap_or(0);
        let limit = o.opt_i64("limit").unwrap_or(5_000);
        let last_hash = o.opt_str("last_hash").map(str::to_owned);
        if !(1..=10_000).contains(&limit) {
            o.error("limit", "must be between 1 and 10000");
        }
        for (k, v) in [
            ("after", after),
            ("until", until),
            ("written", Some(written)),
        ] {
            if v.is_some_and(|v| v < 0) {
                o.error(k, "must not be negative");
            }
        }
        if after.is_some() != until.is_some() {
            o.error(
                "until",
                "is given with after (pass back the previous chunk's next)",
            );
        }
        o.finish()?;
        let t = &self.inner.tables;
        let mut conn = self.conn().await?;
        let mut text = String::new();
        let (after, until) = match (after, until) {
            (Some(a), Some(u)) => (a as u64, u as u64),
            _ => {
                let (seq, hash) = read_head(&mut conn, t).await?;
                let header = ExportHeader {
                    format: EXPORT_FORMAT.into(),
                    version: EXPORT_VERSION,
                    exported_at: rfc3339(self.now()),
                    prefix: t.prefix.clone(),
                    head: ExportHead {
                        sequence: seq,
                        hash,
                    },
                };
                text.push_str(&serde_json::to_string(&header).map_err(json_err)?);
                text.push('\n');
                (0, seq)
            }
        };
        let mut written = written as u64;
        let mut last = after;
        let mut last_hash = last_hash.unwrap_or_else(|| GENESIS_HASH.to_owned());
        let rows = if after < until {
            conn.exec(
                format!(
                    "SELECT {RAW_COLUMNS} FROM {} WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                    t.events
                ),
                (after, until, limit as u64),
            )
            .await
            .map_err(StorageError::from)?
        } else {
            Vec::new()
        };
        let n = rows.len() as u64;
        for r in rows {
            let e = RawEvent::from_row(r).map_err(|f| StorageError::Integrity(f.to_string()))?;
            let line =
                ExportedEvent::from_row(&e.row(), &e.prev_hash, &e.hash).ok_or_else(|| {
                    StorageError::Integrity(format!("event {}: a time is out of range", e.sequence))
                })?;
            text.push_str(&serde_json::to_string(&line).map_err(json_err)?);
            text.push('\n');
            written += 1;
            last = e.sequence;
            last_hash = e.hash;
        }
        let done = n < limit as u64 || last >= until;
        if done {
            let end = ExportTrailer {
                end: ExportEnd {
                    events: written,
                    last: ExportHead {
                        sequence: last,
                        hash: last_hash.clone(),
                    },
                },
            };
            text.push_str(&serde_json::to_string(&end).map_err(json_err)?);
            text.push('\n');
        }
        Ok(json!({
            "text": text,
            "done": done,
            "next": if done { Value::Null } else {
                json!({"after": last, "until": until, "written": written,
                       "last_hash": last_hash, "limit": limit})
            },
        }))
    }
}

fn json_err(e: serde_json::Error) -> StorageError {
    StorageError::Integrity(format!("export line not serialisable: {e}"))
}

/// The whole log checked against its chain and the sequence head (no checkpoint, nothing
/// recorded): the number of events, or the first fault as an integrity error.
pub(crate) async fn verify_log<Q: Queryable>(q: &mut Q, t: &Tables) -> Result<u64, StorageError> {
    let (head, head_hash) = read_head(q, t).await?;
    let mut verifier = ChainVerifier::new();
    let fault = |f: ChainFault| {
        StorageError::Integrity(format!(
            "event chain broken at sequence {} ({}): {f}",
            f.sequence(),
            f.kind()
        ))
    };
    loop {
        let rows = read_rows(q, t, verifier.last().0, BATCH).await?;
        let n = rows.len() as u64;
        for r in rows {
            let e = RawEvent::from_row(r).map_err(fault)?;
            verifier
                .check(&e.row(), &e.prev_hash, &e.hash)
                .map_err(fault)?;
        }
        if n < BATCH {
            break;
        }
    }
    verifier.check_head(head, &head_hash, None).map_err(fault)?;
    Ok(verifier.checked())
}

/// The reading part of a run, inside one snapshot.
async fn verify_in_snapshot<Q: Queryable>(
    q: &mut Q,
    t: &Tables,
    mode: Mode,
) -> Result<Run, AppError> {
    let state = read_state(q, t, false).await?;
    let (head, head_hash) = read_head(q, t).await?;
    let mut run = Run {
        verifier: ChainVerifier::new(),
        head,
        complete: false,
        fault: None,
        skipped: false,
    };
    // What an earlier verification saw: the log must still hold it.
    let anchor = (mode != Mode::Restart && state.verified_sequence > 0)
        .then(|| (state.verified_sequence, state.verified_hash.clone()));
    let max = match mode {
        Mode::Incremental { max } => {
            if state.status == "failed" {
                run.skipped = true;
                return Ok(run);
            }
            if let Some((seq, hash)) = &anchor {
                let at: Option<String> = q
                    .exec_first(
                        format!("SELECT hash FROM {} WHERE id = ?", t.events),
                        (*seq,),
                    )
                    .await
                    .map_err(StorageError::from)?;
                match at {
                    Some(h) if &h == hash => {}
                    Some(_) => {
                        run.fault = Some(ChainFault::AnchorMismatch {
                            sequence: *seq,
                            expected_hash: hash.clone(),
                        });
                        return Ok(run);
                    }
                    None => {
                        let next: Option<u64> = q
                            .exec_first(
                                format!("SELECT MIN(id) FROM {} WHERE id > ?", t.events),
                                (*seq,),
                            )
                            .await
                            .map_err(StorageError::from)?
                            .flatten();
                        let last: Option<u64> = q
                            .query_first(format!("SELECT MAX(id) FROM {}", t.events))
                            .await
                            .map_err(StorageError::from)?
                            .flatten();
                        run.fault = Some(match next {
                            Some(found) => ChainFault::Missing {
                                expected: *seq,
                                found,
                            },
                            None => ChainFault::Truncated {
                                last_sequence: last.unwrap_or(0),
                                expected_sequence: *seq,
                                source: "an earlier verification".into(),
                            },
                        });
                        return Ok(run);
                    }
                }
                run.verifier = ChainVerifier::resume(*seq, hash);
            }
            max
        }
        Mode::Full | Mode::Restart => u64::MAX,
    };
    let mut read = 0u64;
    let mut after = run.verifier.last().0;
    loop {
        let want = BATCH.min(max - read);
        if want == 0 {
            return Ok(run); // the budget is spent: the next run goes on
        }
        let rows = read_rows(q, t, after, want).await?;
        let n = rows.len() as u64;
        for r in rows {
            let checked = RawEvent::from_row(r).and_then(|e| {
                run.verifier.check(&e.row(), &e.prev_hash, &e.hash)?;
                match &anchor {
                    Some((s, h)) if *s == e.sequence && *h != e.hash => {
                        Err(ChainFault::AnchorMismatch {
                            sequence: *s,
                            expected_hash: h.clone(),
                        })
                    }
                    _ => Ok(e.sequence),
                }
            });
            match checked {
                Ok(s) => after = s,
                Err(f) => {
                    run.fault = Some(f);
                    return Ok(run);
                }
            }
        }
        read += n;
        if n < want {
            break;
        }
    }
    run.complete = true;
    if let Err(f) = run.verifier.check_head(head, &head_hash, None) {
        run.fault = Some(f);
        return Ok(run);
    }
    if let Some((s, _)) = anchor.filter(|(s, _)| *s > run.verifier.last().0) {
        run.fault = Some(ChainFault::Truncated {
            last_sequence: run.verifier.last().0,
            expected_sequence: s,
            source: "an earlier verification".into(),
        });
    }
    Ok(run)
}

impl App {
    /// Counts one request of `subject` (e.g. `user:12`) against a limit of `limit` per
    /// fixed window of `window_seconds`: `{allowed, hits, limit, retry_after}` (seconds until
    /// the window ends, when refused). The counter is one row per subject, moved atomically
    /// under its row lock, so concurrent requests of one subject are counted exactly.
    pub async fn rate_limit_hit(&self, query: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(query, "query");
        let subject = o.req_str("subject").unwrap_or_default().to_owned();
        let limit = o.req_i64("limit").unwrap_or(0);
        let window = o.req_i64("window_seconds").unwrap_or(0);
        if subject.is_empty() || subject.len() > 64 || !subject.is_ascii() {
            o.error("subject", "must be 1 to 64 ASCII characters");
        }
        if !(1..=1_000_000).contains(&limit) {
            o.error("limit", "must be between 1 and 1000000");
        }
        if !(1..=86_400).contains(&window) {
            o.error("window_seconds", "must be between 1 and 86400");
        }
        o.finish()?;
        let t = &self.inner.tables;
        let now = self.now();
        let expired = to_db_time(now - chrono::Duration::seconds(window));
        let mut conn = self.conn().await?;
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(StorageError::from)?;
        // `hits` is assigned before `window_start`, so both read the old window.
        tx.exec_drop(
            format!(
                "INSERT INTO {} (subject, window_start, hits) VALUES (?, ?, 1) \
                 ON DUPLICATE KEY UPDATE hits = IF(window_start <= ?, 1, hits + 1), \
                 window_start = IF(window_start <= ?, VALUES(window_start), window_start)",
                t.rate_limits
            ),
            (&subject, to_db_time(now), expired, expired),
        )
        .await
        .map_err(StorageError::from)?;
        let row: Option<(NaiveDateTime, u64)> = tx
            .exec_first(
                format!(
                    "SELECT window_start, hits FROM {} WHERE subject = ?",
                    t.rate_limits
                ),
                (&subject,),
            )
            .await
            .map_err(StorageError::from)?;
        tx.commit().await.map_err(StorageError::from)?;
        let (start, hits) =
            row.ok_or_else(|| StorageError::Integrity("the rate limit row vanished".into()))?;
        let allowed = hits <= limit as u64;
        let ends = from_db_time(start) + chrono::Duration::seconds(window);
        let retry_after = if allowed {
            0
        } else {
            (((ends - now).num_milliseconds().max(0) + 999) / 1000).max(1)
        };
        Ok(json!({"allowed": allowed, "hits": hits, "limit": limit, "retry_after": retry_after}))
    }
}

crate::fields::command_input! {
    /// Query of [`App::entity_history`].
    pub struct HistoryQuery {
        /// The entity's context type (`employee`, `customer`, `ticket`, `quote`, `lead`, …).
        context_type: pet_core::ContextType,
        /// The entity's id.
        context_id: uuid::Uuid,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

/// One event of an entity's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryItem {
    /// The event's sequence number.
    pub sequence: u64,
    /// The event type.
    pub event_type: String,
    /// The schema version it was recorded with.
    pub schema_version: u32,
    /// The current schema version of its type (the payload below is lifted to it).
    pub current_schema_version: Option<u32>,
    /// Business time (RFC 3339).
    pub occurred_at: String,
    /// When it was stored (RFC 3339).
    pub recorded_at: String,
    /// The acting employee (`None`: the system or a contact).
    pub actor_id: Option<String>,
    /// The acting customer contact (the customer portal), when no employee acted.
    pub actor_contact_id: Option<String>,
    /// The employee's or the contact's name.
    pub actor_name: Option<String>,
    /// The aggregate it belongs to, and the aggregate's version after it.
    pub aggregate_type: String,
    /// The aggregate's id.
    pub aggregate_id: String,
    /// The aggregate's version after the event.
    pub aggregate_version: u64,
    /// The activity line, rendered for its type and schema version.
    pub line: Option<String>,
    /// The payload as recorded (its schema version; personal fields sealed, see
    /// `pet_core::privacy`).
    pub payload_recorded: Value,
    /// The payload with its personal fields opened (placeholders for an erased person),
    /// lifted to the current schema version (`None` when the type is unknown
    /// to this build).
    pub payload: Option<Value>,
}

impl App {
    /// The full history of one entity — every event whose primary context it is — oldest
    /// first, paged by sequence through the events' `(context_type, context_id, id)` index:
    /// `{items: [{sequence, event_type, schema_version, current_schema_version,
    /// occurred_at, recorded_at, actor_id, actor_name, aggregate_type, aggregate_id,
    /// aggregate_version, line, payload_recorded, payload}], total, …}`.
    pub async fn entity_history(&self, query: &Value) -> Result<Value, AppError> {
        let q = HistoryQuery::parse(query, "query")?;
        let t = &self.inner.tables;
        let order = crate::paging::Order::by(&[("e.id", false)]);
        let req = q.paging.request(&order)?;
        // The lines come from the activity feed: brought up to date on the primary first
        // (bounded), then read where the feed is read (a replica that has applied it).
        let mut conn = self.feed_conn(Some(crate::app::READ_CATCH_UP)).await?.conn;
        let mut conds = vec![
            "e.context_type = ?".to_owned(),
            "e.context_id = ?".to_owned(),
        ];
        let mut params: Vec<mysql_async::Value> = vec![
            q.context_type.as_str().into(),
            q.context_id.to_string().into(),
        ];
        let total: Option<u64> = conn
            .exec_first(
                crate::paging::bounded_count_sql(
                    &format!("{} e", t.events),
                    &crate::paging::where_sql(&conds),
                ),
                params.clone(),
            )
            .await
            .map_err(StorageError::from)?;
        let tail = req.plan(&order, &mut conds, &mut params);
        let rows: Vec<Row> = conn
            .exec(
                format!(
                    "SELECT e.id, e.event_type, e.schema_version, e.occurred_at, e.recorded_at, \
                     e.actor_employee_id, COALESCE(n.name, nc.name), e.aggregate_type, e.aggregate_id, \
                     e.aggregate_version, a.line, e.payload, e.actor_contact_id FROM {} e \
                     LEFT JOIN {} a ON a.sequence = e.id \
                     LEFT JOIN {} n ON n.entity_type = 'employee' AND n.entity_id = e.actor_employee_id \
                     LEFT JOIN {} nc ON nc.id = e.actor_contact_id \
                     {} {tail}",
                    t.events,
                    t.activity,
                    t.activity_names,
                    t.contacts,
                    crate::paging::where_sql(&conds)
                ),
                params,
            )
            .await
            .map_err(StorageError::from)?;
        let registry = self.store().registry();
        // The people whose personal fields the page's events carry: their keys in one
        // query, to show `payload` opened (`payload_recorded` stays as stored: sealed; plain
        // legacy fields as `payload` shows them).
        let subjects: Vec<pet_core::privacy::Subject> = rows
            .iter()
            .filter_map(|r| {
                let ty: String = r.get(1)?;
                pet_core::privacy::personal_fields(&ty)?;
                let p: String = r.get(11)?;
                pet_core::privacy::subject_of(&ty, &serde_json::from_str(&p).ok()?)
            })
            .collect();
        let ring = if subjects.is_empty() {
            crate::privacy::KeyRing::default()
        } else {
            self.store().key_ring(&mut conn, &subjects).await?
        };
        let mut items = Vec::with_capacity(rows.len());
        for mut r in rows {
            let bad = |i: usize| AppError::Storage(format!("unreadable history column {i}"));
            let take_s = |r: &mut Row, i: usize| -> Result<Option<String>, AppError> {
                r.take_opt(i).and_then(Result::ok).ok_or_else(|| bad(i))
            };
            let sequence: u64 = r.take_opt(0).and_then(Result::ok).ok_or_else(|| bad(0))?;
            let event_type = take_s(&mut r, 1)?.ok_or_else(|| bad(1))?;
            let schema_version: u32 = r.take_opt(2).and_then(Result::ok).ok_or_else(|| bad(2))?;
            let occurred: NaiveDateTime =
                r.take_opt(3).and_then(Result::ok).ok_or_else(|| bad(3))?;
            let recorded: NaiveDateTime =
                r.take_opt(4).and_then(Result::ok).ok_or_else(|| bad(4))?;
            let payload_text = take_s(&mut r, 11)?.ok_or_else(|| bad(11))?;
            let mut payload_recorded: Value = serde_json::from_str(&payload_text).map_err(|e| {
                AppError::Storage(format!("event {sequence}: unreadable payload: {e}"))
            })?;
            let opened = ring.open(&event_type, &payload_recorded)?;
            // Plain (legacy) personal fields of an erased person read as placeholders here too.
            crate::privacy::mask_plain(&event_type, &mut payload_recorded, &opened);
            let lifted = pet_core::EventType::new(event_type.clone())
                .ok()
                .and_then(|ty| registry.upcast_payload(&ty, schema_version, opened).ok());
            items.push((
                vec![crate::paging::Key::Int(sequence as i64)],
                HistoryItem {
                    sequence,
                    current_schema_version: registry.current_version(&event_type),
                    event_type,
                    schema_version,
                    occurred_at: rfc3339(from_db_time(occurred)),
                    recorded_at: rfc3339(from_db_time(recorded)),
                    actor_id: take_s(&mut r, 5)?,
                    actor_contact_id: take_s(&mut r, 12)?,
                    actor_name: take_s(&mut r, 6)?,
                    aggregate_type: take_s(&mut r, 7)?.ok_or_else(|| bad(7))?,
                    aggregate_id: take_s(&mut r, 8)?.ok_or_else(|| bad(8))?,
                    aggregate_version: r.take_opt(9).and_then(Result::ok).ok_or_else(|| bad(9))?,
                    line: take_s(&mut r, 10)?,
                    payload_recorded,
                    payload: lifted.map(|(_, p)| p),
                },
            ));
        }
        crate::flat::page_value(req.finish(
            items,
            crate::paging::Total::from_counted(total.unwrap_or(0)),
        ))
    }
}

/// Any value as JSON (the value objects are `Serialize`; `Null` if one is not).
fn j<T: Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl App {
    /// The state of an employee (with the rates in effect that day), a quote, a ticket or a
    /// project (its status, sold constraints in force, milestones and tasks) as of `at`, rebuilt by replaying its events that occurred up to then (`pet-core`'s
    /// `evolve`, as every command does — no state row is read): `{aggregate_type, id, at,
    /// exists, version, events_applied, state}`. Query: `{aggregate_type:
    /// 'employee'|'quote'|'ticket'|'project', id, at: date (its end, UTC) or RFC 3339 time}`.
    pub async fn state_as_of(&self, query: &Value) -> Result<Value, AppError> {
        use pet_core::aggregate::Aggregate;
        use pet_core::{commercial as co, delivery as dl, helpdesk as hd, identity as idn};
        let mut o = Input::new(query, "query");
        let kind = o.req_str("aggregate_type").unwrap_or_default().to_owned();
        let id = o.req_uuid("id");
        let at = o.opt_time("at", true);
        if o.raw("at").is_none() {
            o.error("at", "is required");
        }
        if ![
            <idn::Employee as Aggregate>::TYPE,
            <co::Quote as Aggregate>::TYPE,
            <hd::Ticket as Aggregate>::TYPE,
            <dl::Project as Aggregate>::TYPE,
        ]
        .contains(&kind.as_str())
        {
            o.error(
                "aggregate_type",
                "must be employee, quote, ticket or project",
            );
        }
        o.finish()?;
        let (Some(id), Some(at)) = (id, at) else {
            return Err(AppError::field("query", "is incomplete"));
        };
        let mut conn = self.conn().await?;
        let recorded = self.store().read_aggregate(&mut conn, &kind, id).await?;
        // Versions in order; an event is known as of `at` when it occurred by then.
        let known: Vec<_> = recorded
            .iter()
            .take_while(|r| r.event.occurred_at() <= at)
            .collect();
        fn replay<A: Aggregate>(known: &[&pet_core::RecordedEvent]) -> Result<Option<A>, AppError>
        where
            A::Event: pet_core::aggregate::StoredEvent,
        {
            use pet_core::aggregate::StoredEvent;
            let events = known
                .iter()
                .map(|r| {
                    let e = &r.event;
                    A::Event::from_stored(e.event_type().as_str(), e.schema_version(), e.payload())
                        .map_err(|e| AppError::Storage(format!("stored event unreadable: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(A::replay(&events))
        }
        let day = at.date_naive();
        let state = match kind.as_str() {
            <idn::Employee as Aggregate>::TYPE => replay::<idn::Employee>(&known)?.map(|e| {
                let in_effect = |k: idn::RateKind| {
                    e.rates()
                        .iter()
                        .filter(|r| r.kind == k && r.dated.effective_from <= day)
                        .max_by_key(|r| r.dated.effective_from)
                        .map(|r| j(r.dated))
                };
                (
                    e.version(),
                    json!({
                        "name": j(e.name()), "email": j(e.email()),
                        "status": e.status().as_str(),
                        "cost_rate": in_effect(idn::RateKind::Cost),
                        "bill_rate": in_effect(idn::RateKind::Bill),
                        "rates": e.rates().iter().map(j).collect::<Vec<_>>(),
                    }),
                )
            }),
            <co::Quote as Aggregate>::TYPE => replay::<co::Quote>(&known)?.map(|q| {
                let versions: Vec<Value> = q
                    .versions()
                    .iter()
                    .map(|v| {
                        json!({"number": j(v.number()), "based_on": j(v.based_on()),
                               "status": v.status().as_str(), "sent": j(v.sent()),
                               "content": j(v.content())})
                    })
                    .collect();
                (
                    q.version(),
                    json!({
                        "details": j(q.details()),
                        "status": q.latest().map(|v| v.status().as_str()),
                        "accepted": q.accepted().map(|(n, sale)| json!({"version": j(n), "sale_id": j(sale)})),
                        "versions": versions,
                    }),
                )
            }),
            <dl::Project as Aggregate>::TYPE => replay::<dl::Project>(&known)?.map(|p| {
                let st = p.state();
                (
                    p.version(),
                    json!({
                        "name": j(&st.name), "customer_id": j(st.customer_id),
                        "sale_id": j(st.sale_id), "quote_id": j(st.quote_id),
                        "status": j(st.status),
                        "sold_minutes": p.constraints().total_minutes(),
                        "constraint_version": p.constraints().number,
                        "constraints": st.constraints.iter().map(j).collect::<Vec<_>>(),
                        "milestones": st.milestones.iter().map(j).collect::<Vec<_>>(),
                        "tasks": st.tasks.iter().map(j).collect::<Vec<_>>(),
                        "variance_marks": st.variance_marks.iter().map(j).collect::<Vec<_>>(),
                    }),
                )
            }),
            _ => replay::<hd::Ticket>(&known)?.map(|t| {
                (
                    t.version(),
                    json!({
                        "subject": j(t.subject()), "customer_id": j(t.customer_id()),
                        "priority": j(t.priority()), "channel": j(t.channel()),
                        "status": j(t.status()), "assignee_id": j(t.assignee()),
                        "resolved_at": t.resolved_at().map(rfc3339),
                        "reply_count": t.reply_count(),
                    }),
                )
            }),
        };
        if recorded.is_empty() {
            return Err(AppError::NotFound(format!("{kind} {id}")));
        }
        Ok(json!({
            "aggregate_type": kind, "id": id.to_string(), "at": rfc3339(at),
            "exists": state.is_some(),
            "version": state.as_ref().map(|s| s.0),
            "events_applied": known.len(),
            "state": state.map(|s| s.1),
        }))
    }
}
