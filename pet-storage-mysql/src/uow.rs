//! The unit of work: one transaction that writes state rows (each guarded by its version)
//! and appends the events that explain them — both commit, or neither does.
//!
//! # Writes travel together
//! A command's state writes ([`UnitOfWork::insert`], [`UnitOfWork::update_versioned`],
//! [`UnitOfWork::write`]) are not sent one by one: they wait in the unit of work and go to
//! the database together, in the order they were made, as one statement — at the commit,
//! with the events' INSERT and the idempotency result, or earlier when the command reads
//! again ([`UnitOfWork::tx`] sends what waits first, so a read always sees the command's
//! own writes). Several writes travel as one MariaDB compound statement (`BEGIN NOT ATOMIC
//! … END`, prepared with their parameters like any statement): one round trip instead of
//! one per write. Inside it each write is numbered (`@pet_uow_step`) so a failure is
//! reported exactly as that write alone would have been (a duplicate key through the
//! write's own mapping, a stale versioned update as a conflict naming its record); a
//! versioned update checks `ROW_COUNT()` itself and signals [`STALE_MESSAGE`]. The writes
//! before a failing one stay applied inside the transaction, which the command then rolls
//! back as before.

use chrono::{DateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Conn, Params, Transaction, TxOpts, Value};
use pet_core::{IdempotencyKey, NewEvent};

use crate::db::{classify, server_code, DbErrorKind};
use crate::error::StorageError;
use crate::store::{Appended, EventStore, IdempotencyClaim, Insert};

/// The message a versioned update in a compound statement signals when it did not change
/// exactly one row.
pub const STALE_MESSAGE: &str = "pet stale row";

/// The most parameters the waiting writes gather before they are sent (a statement takes
/// at most 65,535; the events and the idempotency result join them at the commit).
const MAX_BATCH_PARAMS: usize = 30_000;

/// How one waiting write's failure is reported.
enum OnError {
    /// As the database said.
    Plain,
    /// Anything but exactly one changed row is a conflict naming this record.
    Stale(String),
    /// A duplicate key becomes this error (given the index name).
    Duplicate(Box<dyn FnOnce(&str) -> StorageError + Send>),
    /// The events' INSERT: [`EventStore::insert_error`].
    Events,
}

/// One statement waiting to be sent.
struct Step {
    sql: String,
    params: Vec<Value>,
    on_error: OnError,
}

/// Which step of a batch failed and how.
struct StepFailure {
    /// The step's index in the batch.
    step: usize,
    /// The events' INSERT found the chain head elsewhere (only from an [`OnError::Events`] step).
    chain_moved: bool,
    error: StorageError,
}

/// A transaction collecting state writes and events; see [`UnitOfWork::commit`].
pub struct UnitOfWork<'c> {
    tx: Transaction<'c>,
    store: EventStore,
    now: DateTime<Utc>,
    events: Vec<NewEvent>,
    idempotency: Option<IdempotencyKey>,
    /// Writes not sent yet (see the module's documentation).
    waiting: Vec<Step>,
}

impl std::fmt::Debug for UnitOfWork<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitOfWork")
            .field("now", &self.now)
            .field("events", &self.events.len())
            .field("waiting_writes", &self.waiting.len())
            .finish_non_exhaustive()
    }
}

impl<'c> UnitOfWork<'c> {
    /// Starts a transaction on `conn`.
    pub async fn begin(
        conn: &'c mut Conn,
        store: EventStore,
        now: DateTime<Utc>,
    ) -> Result<Self, StorageError> {
        let tx = conn.start_transaction(TxOpts::default()).await?;
        Ok(Self {
            tx,
            store,
            now,
            events: Vec::new(),
            idempotency: None,
            waiting: Vec::new(),
        })
    }

    /// The time the command runs at (also `recorded_at` of its events).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The underlying transaction, for reads and writes of its own; the writes still
    /// waiting are sent first (one round trip), so what is read next includes them and
    /// what is written next comes after them. A waiting write that fails is reported here.
    pub async fn tx(&mut self) -> Result<&mut Transaction<'c>, StorageError> {
        self.send_waiting().await?;
        Ok(&mut self.tx)
    }

    /// The transaction without sending the waiting writes: only for a read that must not
    /// send them — the actor check after a command's body failed (its writes are rolled
    /// back unsent).
    pub fn tx_unsent(&mut self) -> &mut Transaction<'c> {
        &mut self.tx
    }

    /// Claims an idempotency key; on [`IdempotencyClaim::Replay`] the caller returns the
    /// stored result and drops this unit of work (nothing is written).
    pub async fn claim_idempotency(
        &mut self,
        key: &IdempotencyKey,
        request_hash: &str,
    ) -> Result<IdempotencyClaim, StorageError> {
        self.send_waiting().await?;
        let claim = self
            .store
            .claim_idempotency(&mut self.tx, key, request_hash, self.now)
            .await?;
        if claim == IdempotencyClaim::New {
            self.idempotency = Some(key.clone());
        }
        Ok(claim)
    }

    /// Queues an `UPDATE … WHERE id = ? AND version = ?`; anything but exactly one changed
    /// row means the row changed since it was read: [`StorageError::Conflict`] naming
    /// `what`, reported when the write is sent (the next [`UnitOfWork::tx`] or the commit).
    pub async fn update_versioned(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
        what: &str,
    ) -> Result<(), StorageError> {
        let on_error = OnError::Stale(format!(
            "{what} was changed by someone else; reload and try again"
        ));
        self.queue(sql, params.into(), on_error).await
    }

    /// Queues an INSERT of a state row; a duplicate key becomes `on_duplicate(index)` when
    /// the write is sent (the next [`UnitOfWork::tx`] or the commit).
    pub async fn insert(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
        on_duplicate: impl FnOnce(&str) -> StorageError + Send + 'static,
    ) -> Result<(), StorageError> {
        let on_error = OnError::Duplicate(Box::new(on_duplicate));
        self.queue(sql, params.into(), on_error).await
    }

    /// Queues any other write (an error is reported as the database gives it, when the
    /// write is sent).
    pub async fn write(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
    ) -> Result<(), StorageError> {
        self.queue(sql, params.into(), OnError::Plain).await
    }

    async fn queue(
        &mut self,
        sql: &str,
        params: Params,
        on_error: OnError,
    ) -> Result<(), StorageError> {
        let params = match params {
            Params::Empty => Vec::new(),
            Params::Positional(p) => p,
            named @ Params::Named(_) => {
                // Named parameters cannot be joined with others: sent now, in order.
                self.send_waiting().await?;
                let step = Step {
                    sql: sql.to_owned(),
                    params: Vec::new(),
                    on_error,
                };
                return send_one(&mut self.tx, step, Some(named))
                    .await
                    .map_err(|f| f.error);
            }
        };
        // One statement carries at most 65,535 parameters: a long batch goes ahead first.
        let waiting: usize = self.waiting.iter().map(|s| s.params.len()).sum();
        if waiting + params.len() > MAX_BATCH_PARAMS {
            self.send_waiting().await?;
        }
        self.waiting.push(Step {
            sql: sql.to_owned(),
            params,
            on_error,
        });
        Ok(())
    }

    /// Sends the waiting writes (nothing when none wait).
    async fn send_waiting(&mut self) -> Result<(), StorageError> {
        let steps = std::mem::take(&mut self.waiting);
        send(&mut self.tx, &self.store, steps)
            .await
            .map_err(|f| f.error)
    }

    /// Queues events to append at commit.
    pub fn record(&mut self, events: impl IntoIterator<Item = NewEvent>) {
        self.events.extend(events);
    }

    /// Sends the waiting writes, appends the recorded events (in this transaction), stores
    /// the command's result under its idempotency key if one was claimed, and commits.
    /// With a good guess of the chain head (the usual case, see [`EventStore::append`])
    /// the writes, the events and the result travel as one statement, then `COMMIT`. Any
    /// error rolls back everything.
    pub async fn commit(
        mut self,
        result: Option<&serde_json::Value>,
    ) -> Result<Option<Appended>, StorageError> {
        let finished = async {
            let mut steps = std::mem::take(&mut self.waiting);
            let mut appended = None;
            // The events' step in `steps`, the head it guessed, and the payloads (for the
            // locked append when the guess was wrong).
            let mut guessed = None;
            if !self.events.is_empty() {
                // Sealing may draw a person's data key (its own rows, independent of the
                // waiting writes).
                let payloads = self
                    .store
                    .payloads(&mut self.tx, &self.events, self.now)
                    .await?;
                self.store.ensure_chain_trigger(&mut self.tx).await?;
                match self.store.guess(&self.events, &payloads, self.now) {
                    Some(guess) => {
                        let (sql, params, head) = guess.into_parts();
                        guessed = Some((steps.len(), head, payloads));
                        steps.push(Step {
                            sql,
                            params,
                            on_error: OnError::Events,
                        });
                    }
                    None => {
                        send(&mut self.tx, &self.store, std::mem::take(&mut steps))
                            .await
                            .map_err(|f| f.error)?;
                        let a = self
                            .store
                            .append_locked(&mut self.tx, &self.events, &payloads, self.now)
                            .await?;
                        appended = Some(a);
                    }
                }
            }
            steps.extend(self.result_step(result));
            match (send(&mut self.tx, &self.store, steps).await, guessed) {
                (Ok(()), Some((_, head, _))) => appended = Some(self.store.guess_held(head)),
                (Ok(()), None) => {}
                (Err(f), Some((_, _, payloads))) if f.chain_moved => {
                    // The writes before the events are in; the events and the result after
                    // them are not: append after the head read under its lock, then the result.
                    self.store.guess_missed();
                    let a = self
                        .store
                        .append_locked(&mut self.tx, &self.events, &payloads, self.now)
                        .await?;
                    appended = Some(a);
                    let result = self.result_step(result).into_iter().collect();
                    send(&mut self.tx, &self.store, result)
                        .await
                        .map_err(|f| f.error)?;
                }
                (Err(f), guessed) => {
                    if guessed.is_some_and(|(step, _, _)| step == f.step) {
                        self.store.forget_hint();
                    }
                    return Err(f.error);
                }
            }
            Ok::<_, StorageError>(appended)
        }
        .await;
        match finished {
            Ok(appended) => {
                self.tx.commit().await?;
                Ok(appended)
            }
            Err(e) => {
                // Rolled back now: a dropped transaction is rolled back only when the pool
                // next runs its cleanup, which in the PHP extension may be the next request.
                let _ = self.tx.rollback().await;
                Err(e)
            }
        }
    }

    /// The write that stores the command's result under its claimed idempotency key.
    fn result_step(&self, result: Option<&serde_json::Value>) -> Option<Step> {
        let (key, result) = (self.idempotency.as_ref()?, result?);
        let (sql, params) = self.store.finish_idempotency_step(key, result);
        Some(Step {
            sql,
            params,
            on_error: OnError::Plain,
        })
    }

    /// Rolls back explicitly (dropping the unit of work does the same); waiting writes are
    /// never sent.
    pub async fn rollback(self) -> Result<(), StorageError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Sends `steps` in order: none, one as itself, several as one compound statement where
/// the server takes it ([`EventStore::batch_writes`]), otherwise one by one.
async fn send(
    tx: &mut Transaction<'_>,
    store: &EventStore,
    mut steps: Vec<Step>,
) -> Result<(), StepFailure> {
    match steps.len() {
        0 => Ok(()),
        1 => match steps.pop() {
            Some(step) => send_one(tx, step, None).await,
            None => Ok(()),
        },
        _ if store.batch_writes(tx).await => send_many(tx, steps).await,
        _ => {
            for (i, step) in steps.into_iter().enumerate() {
                send_one(tx, step, None).await.map_err(|mut f| {
                    f.step = i;
                    f
                })?;
            }
            Ok(())
        }
    }
}

/// Sends one step as its own statement (with `named` parameters when given).
async fn send_one(
    tx: &mut Transaction<'_>,
    step: Step,
    named: Option<Params>,
) -> Result<(), StepFailure> {
    let params = named.unwrap_or(Params::Positional(step.params));
    match tx.exec_drop(step.sql.as_str(), params).await {
        Ok(()) => match step.on_error {
            OnError::Stale(message) if tx.affected_rows() != 1 => Err(StepFailure {
                step: 0,
                chain_moved: false,
                error: StorageError::Conflict(message),
            }),
            _ => Ok(()),
        },
        Err(e) => Err(failure(0, step.on_error, e)),
    }
}

/// Sends several steps as one `BEGIN NOT ATOMIC … END`, each preceded by its number.
async fn send_many(tx: &mut Transaction<'_>, steps: Vec<Step>) -> Result<(), StepFailure> {
    let mut sql = String::from("BEGIN NOT ATOMIC\n");
    let mut params = Vec::with_capacity(steps.iter().map(|s| s.params.len()).sum());
    let mut handlers = Vec::with_capacity(steps.len());
    for (i, step) in steps.into_iter().enumerate() {
        sql.push_str(&format!("SET @pet_uow_step = {i};\n"));
        sql.push_str(&step.sql);
        sql.push_str(";\n");
        if matches!(step.on_error, OnError::Stale(_)) {
            sql.push_str(&format!(
                "IF ROW_COUNT() <> 1 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{STALE_MESSAGE}'; END IF;\n"
            ));
        }
        params.extend(step.params);
        handlers.push(step.on_error);
    }
    sql.push_str("END");
    let Err(e) = tx.exec_drop(sql, params).await else {
        return Ok(());
    };
    // Which write failed: read back only when it matters (a deadlock or a lost connection
    // is the transaction's, whichever write met it).
    let kind = classify(&e);
    let attributable = matches!(
        kind,
        DbErrorKind::Duplicate { .. } | DbErrorKind::CheckViolation | DbErrorKind::ChainMoved
    ) || server_code(&e)
        .is_some_and(|c| c == crate::db::codes::SIGNAL_EXCEPTION);
    if !attributable {
        return Err(StepFailure {
            step: usize::MAX,
            chain_moved: false,
            error: StorageError::from(e),
        });
    }
    let step: Option<u64> = match tx.query_first("SELECT @pet_uow_step").await {
        Ok(v) => v,
        Err(read) => {
            return Err(StepFailure {
                step: usize::MAX,
                chain_moved: false,
                error: StorageError::from(read),
            })
        }
    };
    let step = step
        .and_then(|s| usize::try_from(s).ok())
        .unwrap_or(usize::MAX);
    match handlers.into_iter().nth(step) {
        Some(on_error) => Err(failure(step, on_error, e)),
        None => Err(StepFailure {
            step,
            chain_moved: false,
            error: StorageError::from(e),
        }),
    }
}

/// How step `step`'s database error `e` is reported.
fn failure(step: usize, on_error: OnError, e: mysql_async::Error) -> StepFailure {
    let (chain_moved, error) = match on_error {
        OnError::Events => match EventStore::insert_error(e) {
            Insert::ChainMoved => (true, StorageError::Conflict("the event chain moved".into())),
            Insert::Failed(err) => (false, err),
        },
        OnError::Stale(message) => match &e {
            mysql_async::Error::Server(s) if s.message == STALE_MESSAGE => {
                (false, StorageError::Conflict(message))
            }
            _ => (false, StorageError::from(e)),
        },
        OnError::Duplicate(on_duplicate) => match classify(&e) {
            DbErrorKind::Duplicate { key } => (false, on_duplicate(&key)),
            _ => (false, StorageError::from(e)),
        },
        OnError::Plain => (false, StorageError::from(e)),
    };
    StepFailure {
        step,
        chain_moved,
        error,
    }
}
