//! The unit of work: one transaction that writes state rows (each guarded by its version)
//! and appends the events that explain them — both commit, or neither does.

use chrono::{DateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Conn, Params, Transaction, TxOpts};
use pet_core::{IdempotencyKey, NewEvent};

use crate::db::{classify, DbErrorKind};
use crate::error::StorageError;
use crate::store::{Appended, EventStore, IdempotencyClaim};

/// A transaction collecting state writes and events; see [`UnitOfWork::commit`].
pub struct UnitOfWork<'c> {
    tx: Transaction<'c>,
    store: EventStore,
    now: DateTime<Utc>,
    events: Vec<NewEvent>,
    idempotency: Option<IdempotencyKey>,
}

impl std::fmt::Debug for UnitOfWork<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitOfWork")
            .field("now", &self.now)
            .field("events", &self.events.len())
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
        })
    }

    /// The time the command runs at (also `recorded_at` of its events).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The underlying transaction, for reads and unversioned inserts.
    pub fn tx(&mut self) -> &mut Transaction<'c> {
        &mut self.tx
    }

    /// Claims an idempotency key; on [`IdempotencyClaim::Replay`] the caller returns the
    /// stored result and drops this unit of work (nothing is written).
    pub async fn claim_idempotency(
        &mut self,
        key: &IdempotencyKey,
        request_hash: &str,
    ) -> Result<IdempotencyClaim, StorageError> {
        let claim = self
            .store
            .claim_idempotency(&mut self.tx, key, request_hash, self.now)
            .await?;
        if claim == IdempotencyClaim::New {
            self.idempotency = Some(key.clone());
        }
        Ok(claim)
    }

    /// Runs an `UPDATE … WHERE id = ? AND version = ?`; anything but exactly one affected
    /// row means the row changed since it was read: [`StorageError::Conflict`].
    pub async fn update_versioned(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
        what: &str,
    ) -> Result<(), StorageError> {
        self.tx.exec_drop(sql, params).await?;
        if self.tx.affected_rows() == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict(format!(
                "{what} was changed by someone else; reload and try again"
            )))
        }
    }

    /// Runs an INSERT of a state row, mapping duplicates to `on_duplicate(index)`.
    pub async fn insert(
        &mut self,
        sql: &str,
        params: impl Into<Params> + Send,
        on_duplicate: impl FnOnce(&str) -> StorageError,
    ) -> Result<(), StorageError> {
        match self.tx.exec_drop(sql, params).await {
            Ok(()) => Ok(()),
            Err(e) => match classify(&e) {
                DbErrorKind::Duplicate { key } => Err(on_duplicate(&key)),
                _ => Err(e.into()),
            },
        }
    }

    /// Queues events to append at commit.
    pub fn record(&mut self, events: impl IntoIterator<Item = NewEvent>) {
        self.events.extend(events);
    }

    /// Appends the recorded events (in this transaction), stores the command's result under
    /// its idempotency key if one was claimed, and commits. Any error rolls back everything.
    pub async fn commit(
        mut self,
        result: Option<&serde_json::Value>,
    ) -> Result<Option<Appended>, StorageError> {
        let finished = async {
            let appended = self
                .store
                .append(&mut self.tx, &self.events, self.now)
                .await?;
            if let (Some(key), Some(result)) = (&self.idempotency, result) {
                self.store
                    .finish_idempotency(&mut self.tx, key, result)
                    .await?;
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

    /// Rolls back explicitly (dropping the unit of work does the same).
    pub async fn rollback(self) -> Result<(), StorageError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
