//! Low-level database helpers: building the pool, classifying server errors, value conversion.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::{OptsBuilder, Pool, PoolConstraints, PoolOpts};

use crate::config::Config;

/// MariaDB/MySQL error codes this adapter reacts to.
pub mod codes {
    /// Duplicate entry for a unique key.
    pub const DUP_ENTRY: u16 = 1062;
    /// CHECK constraint violated (MariaDB).
    pub const CHECK_MARIADB: u16 = 4025;
    /// CHECK constraint violated (MySQL 8).
    pub const CHECK_MYSQL: u16 = 3819;
    /// Deadlock found; the transaction was rolled back.
    pub const DEADLOCK: u16 = 1213;
    /// Lock wait timeout exceeded.
    pub const LOCK_WAIT: u16 = 1205;
    /// Trigger/function creation refused: binlog on and no SUPER.
    pub const BINLOG_UNSAFE_ROUTINE: u16 = 1419;
    /// Access denied; a privilege is missing.
    pub const SPECIFIC_ACCESS_DENIED: u16 = 1227;
    /// A SIGNAL with an unhandled user-defined SQLSTATE.
    pub const SIGNAL_EXCEPTION: u16 = 1644;
}

/// A server error sorted into what the application cares about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbErrorKind {
    /// 1062 on the named unique index (without a table qualifier).
    Duplicate {
        /// Index name, e.g. `uq_aggregate_version`.
        key: String,
    },
    /// A CHECK constraint (4025 on MariaDB, 3819 on MySQL): invalid data, never a duplicate.
    CheckViolation,
    /// Deadlock or lock wait timeout: the transaction may be retried.
    Contention,
    /// The events table's chain trigger refused a row that does not continue the sequence
    /// head (migration 0006): the appender guessed a stale head.
    ChainMoved,
    /// Anything else.
    Other,
}

/// How the chain trigger's refusal begins (see `migrations/0006_event_chain.sql`).
pub const CHAIN_MESSAGE: &str = "pet event chain:";

/// Classifies an error by server error code and, for duplicates, index name.
///
/// SQLSTATE 23000 covers both duplicates and CHECK violations, so it is never used alone.
pub fn classify(e: &mysql_async::Error) -> DbErrorKind {
    let mysql_async::Error::Server(s) = e else {
        return DbErrorKind::Other;
    };
    match s.code {
        codes::DUP_ENTRY => DbErrorKind::Duplicate {
            key: duplicate_key_name(&s.message).unwrap_or_default(),
        },
        codes::CHECK_MARIADB | codes::CHECK_MYSQL => DbErrorKind::CheckViolation,
        codes::DEADLOCK | codes::LOCK_WAIT => DbErrorKind::Contention,
        codes::SIGNAL_EXCEPTION if s.message.starts_with(CHAIN_MESSAGE) => DbErrorKind::ChainMoved,
        _ => DbErrorKind::Other,
    }
}

/// The server error code, if `e` is a server error.
pub fn server_code(e: &mysql_async::Error) -> Option<u16> {
    match e {
        mysql_async::Error::Server(s) => Some(s.code),
        _ => None,
    }
}

/// Extracts the index name from "Duplicate entry 'x' for key 'name'" (MySQL 8 writes
/// `table.name`; the table part is dropped).
pub fn duplicate_key_name(message: &str) -> Option<String> {
    let start = message.rfind("for key '")? + "for key '".len();
    let rest = &message[start..];
    let end = rest.rfind('\'')?;
    let key = &rest[..end];
    Some(key.rsplit('.').next().unwrap_or(key).to_owned())
}

/// Builds the (lazy) pool: at most `pool_max` connections, idle ones closed after 60 s.
pub fn build_pool(cfg: &Config) -> Pool {
    let constraints = PoolConstraints::new(0, cfg.pool_max.max(1))
        .unwrap_or_else(|| PoolConstraints::new(0, 1).unwrap_or_default());
    let pool_opts = PoolOpts::default()
        .with_constraints(constraints)
        .with_inactive_connection_ttl(Duration::from_secs(60))
        .with_reset_connection(false);
    let mut init = vec![
        "SET time_zone = '+00:00'".to_owned(),
        "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci".to_owned(),
    ];
    if !cfg.replicas.is_empty() {
        // Read-your-writes: every COMMIT's OK packet carries the commit's GTID (MariaDB).
        init.push("SET session_track_system_variables = 'last_gtid'".to_owned());
    }
    let mut b = OptsBuilder::default()
        .user(Some(cfg.user.clone()))
        .pass(cfg.password.clone())
        .db_name(Some(cfg.database.clone()))
        .pool_opts(pool_opts)
        .prefer_socket(false)
        // Many distinct statements (multi-row inserts per batch size): keep them prepared.
        .stmt_cache_size(Some(256))
        .init(init);
    if let Some(sock) = &cfg.socket {
        b = b.socket(Some(sock.clone()));
    } else {
        b = b.ip_or_hostname(cfg.host.clone()).tcp_port(cfg.port);
    }
    Pool::new(b)
}

/// Executes a statement and returns the number of affected rows.
pub async fn exec_affected<Q, S, P>(q: &mut Q, sql: S, params: P) -> Result<u64, mysql_async::Error>
where
    Q: mysql_async::prelude::Queryable,
    S: mysql_async::prelude::StatementLike,
    P: Into<mysql_async::Params> + Send,
{
    let result = q.exec_iter(sql, params).await?;
    let n = result.affected_rows();
    result.drop_result().await?;
    Ok(n)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (the value is still bound as a parameter).
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// UTC time to the naive value stored in `DATETIME(6)` (sessions run with `time_zone = '+00:00'`).
pub fn to_db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// A `DATETIME(6)` value back to UTC.
pub fn from_db_time(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// RFC 3339 with microseconds and `Z`, the format every timestamp leaves PET in.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: u16, message: &str) -> mysql_async::Error {
        mysql_async::Error::Server(mysql_async::ServerError {
            code,
            message: message.into(),
            state: "23000".into(),
        })
    }

    #[test]
    fn classification_uses_code_and_index() {
        assert_eq!(
            classify(&server(
                1062,
                "Duplicate entry 'a-1' for key 'uq_aggregate_version'"
            )),
            DbErrorKind::Duplicate {
                key: "uq_aggregate_version".into()
            }
        );
        assert_eq!(
            classify(&server(
                1062,
                "Duplicate entry 'x' for key 'wp_pet_domain_events.uq_event_id'"
            )),
            DbErrorKind::Duplicate {
                key: "uq_event_id".into()
            }
        );
        // Same SQLSTATE 23000, but a CHECK violation, not a duplicate.
        assert_eq!(
            classify(&server(4025, "CONSTRAINT `payload` failed for `db`.`t`")),
            DbErrorKind::CheckViolation
        );
        assert_eq!(classify(&server(1213, "Deadlock")), DbErrorKind::Contention);
        assert_eq!(classify(&server(1146, "no table")), DbErrorKind::Other);
        assert_eq!(
            classify(&server(
                1644,
                "pet event chain: the row does not continue the sequence head"
            )),
            DbErrorKind::ChainMoved
        );
        assert_eq!(
            classify(&server(
                1644,
                "pet domain_events is append-only: UPDATE refused"
            )),
            DbErrorKind::Other
        );
    }
}
