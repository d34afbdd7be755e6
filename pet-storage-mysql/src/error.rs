//! Typed errors of the storage adapter and the application facade.

use pet_core::{DomainError, EventError, FieldErrors};

/// What went wrong in the storage layer (below the application facade).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// A stale version, a duplicate or an idempotency key reused with other input.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A value that must be unique (an e-mail address, a slug) is already another
    /// record's: a validation error of `field` for the caller.
    #[error("{field} {message}")]
    Taken {
        /// The input field holding the value.
        field: String,
        /// What is wrong with it ("is already used by another employee").
        message: String,
    },
    /// A deadlock or a lock wait timeout: the transaction was rolled back and may be run
    /// again (commands are, a bounded number of times).
    #[error("lock contention: {0}")]
    Contention(String),
    /// The event envelope was refused by the registry or is not valid JSON.
    #[error("invalid event: {0}")]
    InvalidEvent(#[from] EventError),
    /// A referenced row does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The table prefix is not `^[A-Za-z0-9_]{1,32}$`.
    #[error("invalid table prefix {0:?}: expected 1-32 characters of A-Z, a-z, 0-9 or _")]
    InvalidPrefix(String),
    /// The database failed, refused the statement or is unreachable.
    #[error("database error: {0}")]
    Database(String),
    /// Stored data breaks an expectation (corrupt row, broken hash chain, missing guard).
    #[error("integrity error: {0}")]
    Integrity(String),
    /// A failure injected by a test hook.
    #[error("injected failure: {0}")]
    Injected(String),
}

impl From<mysql_async::Error> for StorageError {
    /// The one mapping of driver errors: lock contention (deadlock, lock wait timeout) is
    /// [`StorageError::Contention`], anything else a database failure.
    fn from(e: mysql_async::Error) -> Self {
        match crate::db::classify(&e) {
            crate::db::DbErrorKind::Contention => StorageError::Contention(e.to_string()),
            _ => StorageError::Database(e.to_string()),
        }
    }
}

/// What a caller is told when lock contention outlasted the command's retries.
pub const CONTENTION_MESSAGE: &str =
    "the record is being changed by someone else at the same time; try again";

/// A driver error as an application error (see `From<mysql_async::Error>`).
pub(crate) fn db(e: mysql_async::Error) -> AppError {
    AppError::from(StorageError::from(e))
}

/// A stored row or value the application cannot read: a storage failure, never the user's.
pub(crate) fn internal(what: &str) -> AppError {
    AppError::Storage(format!("internal error: {what}"))
}

/// Why a migration run was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// A migration file name is not `NNNN_description.sql` or versions repeat.
    #[error("invalid migration {name}: {reason}")]
    InvalidFile {
        /// The file name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A statement of a migration failed; the ledger row is left dirty.
    #[error("migration {name} failed at statement {statement}: {message}")]
    Failed {
        /// The file name.
        name: String,
        /// 1-based index of the failing statement.
        statement: usize,
        /// The server's message.
        message: String,
    },
    /// Creating a trigger was refused because binary logging is on and the user lacks SUPER (1419).
    #[error("migration {name} failed at statement {statement}: the database refused to create a trigger because binary logging is enabled and the user lacks the SUPER privilege (error 1419); set log_bin_trust_function_creators=1 or grant the privilege, then run the migrations again")]
    TriggerPrivilege {
        /// The file name.
        name: String,
        /// 1-based index of the failing statement.
        statement: usize,
    },
    /// A previous run failed and the file has not been changed since.
    #[error("the migration ledger is dirty: {name} failed earlier ({message}); fix the file and run the migrations again")]
    Dirty {
        /// The file name.
        name: String,
        /// The recorded failure.
        message: String,
    },
    /// A migration that was applied has been altered since.
    #[error("applied migration {name} was altered: checksum {recorded} in the ledger, {found} in the file")]
    ChecksumMismatch {
        /// The file name.
        name: String,
        /// Checksum in the ledger.
        recorded: String,
        /// Checksum of the file now.
        found: String,
    },
    /// The ledger holds a migration this build does not know (a newer PET ran here).
    #[error("the database has migration {name} applied, which this version of PET does not know; upgrade PET")]
    UnknownApplied {
        /// The recorded name.
        name: String,
    },
    /// Another migrator held the lock for too long.
    #[error("another migration is running (on this or another database server); it was not waited for, or it took too long: try again in a minute")]
    LockTimeout,
    /// The table prefix is invalid.
    #[error("invalid table prefix {0:?}")]
    InvalidPrefix(String),
    /// The database failed outside a migration statement.
    #[error("database error during migration: {0}")]
    Database(String),
}

impl From<mysql_async::Error> for MigrationError {
    fn from(e: mysql_async::Error) -> Self {
        MigrationError::Database(e.to_string())
    }
}

/// The error of every [`crate::App`] method; mirrors the PHP exception hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// Malformed input, one message per field (`Pet\ValidationException`).
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// Well-formed input that would break a business rule (`Pet\InvariantViolationException`).
    #[error("invariant violated: {0}")]
    Invariant(String),
    /// A referenced entity does not exist (`Pet\NotFoundException`).
    #[error("not found: {0}")]
    NotFound(String),
    /// Stale version, concurrent change, or idempotency key reuse (`Pet\ConflictException`).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database failed or is unreachable (`Pet\StorageException`).
    #[error("storage error: {0}")]
    Storage(String),
    /// Migrations failed, the ledger is dirty or an applied migration was altered (`Pet\MigrationException`).
    #[error("migration error: {0}")]
    Migration(String),
}

impl AppError {
    /// Whether this is lock contention (reported as a conflict): the command path runs the
    /// command again.
    pub fn is_contention(&self) -> bool {
        matches!(self, AppError::Conflict(m) if m == CONTENTION_MESSAGE)
    }

    /// A validation error for one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        AppError::Validation(errors)
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Conflict(m) => AppError::Conflict(m),
            StorageError::Taken { field, message } => AppError::field(field, message),
            StorageError::Contention(_) => AppError::Conflict(CONTENTION_MESSAGE.into()),
            StorageError::NotFound(m) => AppError::NotFound(m),
            StorageError::InvalidEvent(e) => AppError::Invariant(e.to_string()),
            other => AppError::Storage(other.to_string()),
        }
    }
}

impl From<MigrationError> for AppError {
    fn from(e: MigrationError) -> Self {
        AppError::Migration(e.to_string())
    }
}

impl From<mysql_async::Error> for AppError {
    fn from(e: mysql_async::Error) -> Self {
        AppError::from(StorageError::from(e))
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(f) => AppError::Validation(f),
            DomainError::Invariant(m) => AppError::Invariant(m),
            DomainError::NotFound { entity, id } => AppError::NotFound(format!("{entity} {id}")),
            DomainError::Conflict(m) => AppError::Conflict(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: u16) -> mysql_async::Error {
        mysql_async::Error::Server(mysql_async::ServerError {
            code,
            message: "Deadlock found when trying to get lock".into(),
            state: "40001".into(),
        })
    }

    #[test]
    fn deadlocks_and_lock_waits_are_contention_reported_as_a_conflict() {
        for code in [crate::db::codes::DEADLOCK, crate::db::codes::LOCK_WAIT] {
            let e = StorageError::from(server(code));
            assert!(matches!(e, StorageError::Contention(_)), "{code}: {e:?}");
            let app = AppError::from(e);
            assert_eq!(app, AppError::Conflict(CONTENTION_MESSAGE.into()));
            assert!(app.is_contention());
            assert!(db(server(code)).is_contention());
        }
        let other = AppError::from(StorageError::from(server(1146)));
        assert!(matches!(other, AppError::Storage(_)));
        assert!(!other.is_contention());
        assert!(!AppError::Conflict("ticket was changed by someone else".into()).is_contention());
    }
}
