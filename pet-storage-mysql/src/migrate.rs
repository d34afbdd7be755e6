//! The migration runner: forward-only numbered SQL files, applied under a lease row that
//! holds on a cluster (`lease.rs`), recorded in a ledger with checksum, success flag, progress and timing.
//!
//! # How a failed migration converges
//! MySQL/MariaDB DDL commits implicitly, so a migration cannot be rolled back. Each file is
//! split into statements (a statement ends with `;` at the end of a line; a compound body
//! opened by a line ending in `BEGIN` runs to a line that is just `END;`) and the ledger
//! records, per file, how many statements completed (`statements_done`) and a hash of
//! those statements (`done_checksum`). When a statement fails, the row stays `success = 0`
//! ("dirty") and every later run refuses, naming the file, until one of these holds:
//! - the file was changed (its checksum differs from the one recorded at the failure): the
//!   run resumes after the completed statements when they are unchanged, otherwise it
//!   re-runs the file from its first statement — which is why every statement must be
//!   re-runnable (`CREATE TABLE IF NOT EXISTS`, `CREATE TRIGGER IF NOT EXISTS`, `INSERT IGNORE`);
//! - the failure was caused by the environment (trigger privilege 1419/1227, lost
//!   connection): the same file is retried from the failed statement.
//!
//! An applied file whose checksum changed is refused, as is a ledger that knows a version
//! this build does not ship.

use std::time::Instant;

use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Conn, Pool};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Tables;
use crate::db::{codes, rfc3339, server_code, to_db_time};
use crate::error::MigrationError;
use crate::lease::Lease;

/// How long the migration lease lasts from each statement (renewed after every one): a
/// migrator that died is taken over after this long.
pub const MIGRATE_LEASE: std::time::Duration = std::time::Duration::from_secs(600);

/// One migration file: `NNNN_description.sql` and its SQL text with `{prefix}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    version: u32,
    name: String,
    sql: String,
}

impl Migration {
    /// Parses the version from `name` (`NNNN_description.sql`).
    pub fn new(name: impl Into<String>, sql: impl Into<String>) -> Result<Self, MigrationError> {
        let name = name.into();
        let invalid = |reason: &str| MigrationError::InvalidFile {
            name: name.clone(),
            reason: reason.to_owned(),
        };
        let stem = name
            .strip_suffix(".sql")
            .ok_or_else(|| invalid("must end with .sql"))?;
        let (num, desc) = stem
            .split_once('_')
            .ok_or_else(|| invalid("must be NNNN_description.sql"))?;
        if num.len() != 4 || !num.bytes().all(|b| b.is_ascii_digit()) || desc.is_empty() {
            return Err(invalid("must be NNNN_description.sql"));
        }
        let version: u32 = num.parse().map_err(|_| invalid("bad version number"))?;
        if version == 0 {
            return Err(invalid("versions start at 0001"));
        }
        Ok(Self {
            version,
            name,
            sql: sql.into(),
        })
    }

    /// The version number (`1` for `0001_…`).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// SHA-256 (hex) of the file text as shipped (before prefix substitution).
    pub fn checksum(&self) -> String {
        hex(&Sha256::digest(self.sql.as_bytes()))
    }

    /// The statements with `{prefix}` replaced: split at `;` ending a line, comments dropped.
    /// Inside a compound body (from a line ending in `BEGIN` to a line that is just `END;`,
    /// e.g. a trigger's) a `;` ending a line belongs to the body.
    pub fn statements(&self, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = String::new();
        let mut in_body = false;
        for line in self.sql.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with("--") {
                continue;
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line.trim_end());
            let upper = trimmed.to_ascii_uppercase();
            if upper == "BEGIN" || upper.ends_with(" BEGIN") {
                in_body = true;
            } else if in_body && upper == "END;" {
                in_body = false;
            }
            if !in_body && trimmed.ends_with(';') {
                let stmt = current.trim().trim_end_matches(';').trim().to_owned();
                if !stmt.is_empty() {
                    out.push(stmt.replace("{prefix}", prefix));
                }
                current.clear();
            }
        }
        let tail = current.trim();
        if !tail.is_empty() {
            out.push(tail.replace("{prefix}", prefix));
        }
        out
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn prefix_hash(statements: &[String]) -> String {
    let mut h = Sha256::new();
    for s in statements {
        h.update(s.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize())
}

/// The migration files shipped with this build, `(file name, SQL)` in version order, embedded
/// at compile time by `build.rs` from every `migrations/NNNN_description.sql`.
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The migrations shipped with this build, in version order.
///
/// `build.rs` has checked every file name, so each one parses (a unit test holds this).
pub fn embedded() -> Vec<Migration> {
    EMBEDDED
        .iter()
        .filter_map(|(n, s)| Migration::new(*n, *s).ok())
        .collect()
}

/// What a run applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrateReport {
    /// File names applied by this run, in order.
    pub applied: Vec<String>,
    /// The newest applied file after the run, if any.
    pub current: Option<String>,
}

/// One ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// Version as a zero-padded string, e.g. `"0001"`.
    pub version: String,
    /// File name.
    pub name: String,
    /// SHA-256 of the file as applied.
    pub checksum: String,
    /// False for a dirty (failed) migration.
    pub success: bool,
    /// RFC 3339 time of the (last) run.
    pub applied_at: String,
    /// Execution time in milliseconds.
    pub execution_ms: u64,
    /// Statements completed.
    pub statements_done: u32,
    /// Recorded failure, if dirty.
    pub last_error: Option<String>,
}

/// The ledger compared with the shipped migrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationStatus {
    /// Ledger rows in version order.
    pub applied: Vec<LedgerEntry>,
    /// Shipped files not yet applied successfully.
    pub pending: Vec<String>,
    /// True when a ledger row is dirty.
    pub dirty: bool,
}

#[derive(Debug, Clone)]
struct Row {
    version: u32,
    name: String,
    checksum: String,
    success: bool,
    statements_done: u32,
    done_checksum: String,
    error_code: Option<u32>,
    last_error: Option<String>,
    applied_at: NaiveDateTime,
    execution_ms: u64,
}

/// Applies migrations for one table prefix.
#[derive(Debug, Clone)]
pub struct Migrator {
    tables: Tables,
    migrations: Vec<Migration>,
    lock_timeout_s: u32,
}

fn is_environmental(code: Option<u32>) -> bool {
    matches!(
        code.and_then(|c| u16::try_from(c).ok()),
        Some(codes::BINLOG_UNSAFE_ROUTINE)
            | Some(codes::SPECIFIC_ACCESS_DENIED)
            | Some(2013)
            | Some(2006)
    ) || code.is_none()
}

impl Migrator {
    /// A migrator for `tables` with the given migration list (use [`embedded`] in production).
    pub fn new(tables: Tables, mut migrations: Vec<Migration>) -> Result<Self, MigrationError> {
        migrations.sort_by_key(|m| m.version);
        for pair in migrations.windows(2) {
            if pair[0].version == pair[1].version {
                return Err(MigrationError::InvalidFile {
                    name: pair[1].name.clone(),
                    reason: format!("version {:04} is used twice", pair[1].version),
                });
            }
        }
        Ok(Self {
            tables,
            migrations,
            lock_timeout_s: 60,
        })
    }

    /// Creates the ledger and the lease table when they are missing (a fresh install).
    /// A run against an existing schema issues no DDL here: on Galera every DDL statement is
    /// ordered cluster-wide (total order isolation), so it is not run for nothing.
    async fn ensure_tables(&self, conn: &mut Conn) -> Result<(), MigrationError> {
        let present: Vec<String> = conn
            .exec(
                "SELECT TABLE_NAME FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?)",
                (&self.tables.migrations, &self.tables.locks),
            )
            .await?;
        if !present.contains(&self.tables.migrations) {
            self.create_ledger(conn).await?;
        }
        if !present.contains(&self.tables.locks) {
            conn.query_drop(crate::lease::create_table_sql(&self.tables.locks))
                .await?;
        }
        Ok(())
    }

    async fn create_ledger(&self, conn: &mut Conn) -> Result<(), MigrationError> {
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {} (
              version INT UNSIGNED NOT NULL,
              name VARCHAR(255) NOT NULL,
              checksum CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
              success TINYINT(1) NOT NULL,
              statements_done INT UNSIGNED NOT NULL DEFAULT 0,
              done_checksum CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
              error_code INT UNSIGNED NULL,
              last_error TEXT NULL,
              applied_at DATETIME(6) NOT NULL,
              execution_ms BIGINT UNSIGNED NOT NULL DEFAULT 0,
              PRIMARY KEY (version)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
            self.tables.migrations
        );
        conn.query_drop(sql).await?;
        Ok(())
    }

    /// The ledger, or `None` when its table does not exist yet; reads only.
    async fn ledger_if_any(&self, conn: &mut Conn) -> Result<Option<Vec<Row>>, MigrationError> {
        match self.ledger(conn).await {
            Ok(rows) => Ok(Some(rows)),
            Err(MigrationError::Database(_)) => {
                let exists: Option<u8> = conn
                    .exec_first(
                        "SELECT 1 FROM information_schema.TABLES \
                         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                        (&self.tables.migrations,),
                    )
                    .await?;
                match exists {
                    None => Ok(None),
                    Some(_) => self.ledger(conn).await.map(Some),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn ledger(&self, conn: &mut Conn) -> Result<Vec<Row>, MigrationError> {
        let sql = format!(
            "SELECT version, name, checksum, success, statements_done, done_checksum, error_code, \
             last_error, applied_at, execution_ms FROM {} ORDER BY version",
            self.tables.migrations
        );
        let rows: Vec<mysql_async::Row> = conn.query(sql).await?;
        rows.into_iter()
            .map(|mut r| {
                let bad = || MigrationError::Database("unreadable migration ledger row".into());
                Ok(Row {
                    version: r.take_opt(0).and_then(Result::ok).ok_or_else(bad)?,
                    name: r.take_opt(1).and_then(Result::ok).ok_or_else(bad)?,
                    checksum: r.take_opt(2).and_then(Result::ok).ok_or_else(bad)?,
                    success: r
                        .take_opt::<u8, _>(3)
                        .and_then(Result::ok)
                        .ok_or_else(bad)?
                        == 1,
                    statements_done: r.take_opt(4).and_then(Result::ok).ok_or_else(bad)?,
                    done_checksum: r.take_opt(5).and_then(Result::ok).ok_or_else(bad)?,
                    error_code: r.take_opt(6).and_then(Result::ok).ok_or_else(bad)?,
                    last_error: r.take_opt(7).and_then(Result::ok).ok_or_else(bad)?,
                    applied_at: r.take_opt(8).and_then(Result::ok).ok_or_else(bad)?,
                    execution_ms: r.take_opt(9).and_then(Result::ok).ok_or_else(bad)?,
                })
            })
            .collect()
    }

    /// Applies every pending migration under the migration lease; `now` stamps the ledger.
    ///
    /// When the ledger says every shipped file is applied (the run on every upgrade check
    /// and every `migrate()` after the first), it returns after that one read: no lease, no
    /// DDL. Otherwise it takes the lease (`{prefix}pet_locks`, waiting up to a minute for
    /// another migrator on any server of the cluster), reads the ledger again and applies
    /// what is still pending, renewing the lease after each statement. `database` is kept
    /// for callers; the lease row lives in the database the pool connects to.
    pub async fn run(
        &self,
        pool: &Pool,
        database: &str,
        now: DateTime<Utc>,
    ) -> Result<MigrateReport, MigrationError> {
        let _ = database;
        let mut conn = pool.get_conn().await?;
        if let Some(ledger) = self.ledger_if_any(&mut conn).await? {
            self.check_ledger(&ledger)?;
            if self.pending(&ledger).next().is_none() {
                return Ok(MigrateReport {
                    applied: Vec::new(),
                    current: self.current(&ledger, &[]),
                });
            }
        }
        self.ensure_tables(&mut conn).await?;
        let lease = Lease::new(&self.tables.locks, crate::lease::MIGRATE, MIGRATE_LEASE);
        if !lease
            .take(
                &mut conn,
                std::time::Duration::from_secs(u64::from(self.lock_timeout_s)),
            )
            .await
            .map_err(|e| MigrationError::Database(e.to_string()))?
        {
            return Err(MigrationError::LockTimeout);
        }
        let result = self.run_locked(&mut conn, &lease, now).await;
        // Release even when the run failed; a lost connection leaves it to expire.
        let released = lease.release(&mut conn).await;
        let report = result?;
        released.map_err(|e| MigrationError::Database(e.to_string()))?;
        Ok(report)
    }

    /// Refuses a ledger this build must not run against: an unknown version, an altered
    /// applied file, a failed file not changed since (unless the failure was environmental).
    /// How long [`Migrator::run`] waits for another migrator's lease (default 60 s; 0: not
    /// at all — a web request that finds a migration running elsewhere returns at once).
    pub fn with_lock_wait(mut self, seconds: u32) -> Self {
        self.lock_timeout_s = seconds;
        self
    }

    fn check_ledger(&self, ledger: &[Row]) -> Result<(), MigrationError> {
        for row in ledger {
            let Some(m) = self.migrations.iter().find(|m| m.version == row.version) else {
                return Err(MigrationError::UnknownApplied {
                    name: row.name.clone(),
                });
            };
            if row.success && row.checksum != m.checksum() {
                return Err(MigrationError::ChecksumMismatch {
                    name: m.name.clone(),
                    recorded: row.checksum.clone(),
                    found: m.checksum(),
                });
            }
            if !row.success && row.checksum == m.checksum() && !is_environmental(row.error_code) {
                return Err(MigrationError::Dirty {
                    name: m.name.clone(),
                    message: row.last_error.clone().unwrap_or_default(),
                });
            }
        }
        Ok(())
    }

    /// The shipped migrations the ledger does not record as applied.
    fn pending<'a>(&'a self, ledger: &'a [Row]) -> impl Iterator<Item = &'a Migration> + 'a {
        self.migrations
            .iter()
            .filter(move |m| !ledger.iter().any(|r| r.version == m.version && r.success))
    }

    fn current(&self, ledger: &[Row], applied: &[String]) -> Option<String> {
        self.migrations
            .iter()
            .rev()
            .find(|m| applied.contains(&m.name) || ledger.iter().any(|r| r.version == m.version))
            .map(|m| m.name.clone())
    }

    async fn run_locked(
        &self,
        conn: &mut Conn,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<MigrateReport, MigrationError> {
        let ledger = self.ledger(conn).await?;
        self.check_ledger(&ledger)?;
        let mut applied = Vec::new();
        for m in &self.migrations {
            let previous = ledger.iter().find(|r| r.version == m.version);
            if previous.is_some_and(|r| r.success) {
                continue;
            }
            let statements = m.statements(&self.tables.prefix);
            let start = match previous {
                Some(r) => {
                    let done = r.statements_done as usize;
                    if done <= statements.len()
                        && prefix_hash(&statements[..done]) == r.done_checksum
                    {
                        done
                    } else {
                        0
                    }
                }
                None => 0,
            };
            self.apply(conn, lease, m, &statements, start, now).await?;
            applied.push(m.name.clone());
        }
        let current = self.current(&ledger, &applied);
        Ok(MigrateReport { applied, current })
    }

    async fn apply(
        &self,
        conn: &mut Conn,
        lease: &Lease,
        m: &Migration,
        statements: &[String],
        start: usize,
        now: DateTime<Utc>,
    ) -> Result<(), MigrationError> {
        let t0 = Instant::now();
        let upsert = format!(
            "INSERT INTO {} (version, name, checksum, success, statements_done, done_checksum, \
             error_code, last_error, applied_at, execution_ms) VALUES (?, ?, ?, 0, ?, ?, NULL, NULL, ?, 0) \
             ON DUPLICATE KEY UPDATE name = VALUES(name), checksum = VALUES(checksum), success = 0, \
             statements_done = VALUES(statements_done), done_checksum = VALUES(done_checksum), \
             error_code = NULL, last_error = NULL, applied_at = VALUES(applied_at)",
            self.tables.migrations
        );
        conn.exec_drop(
            upsert,
            (
                m.version,
                &m.name,
                m.checksum(),
                start as u64,
                prefix_hash(&statements[..start]),
                to_db_time(now),
            ),
        )
        .await?;
        let progress = format!(
            "UPDATE {} SET statements_done = ?, done_checksum = ? WHERE version = ?",
            self.tables.migrations
        );
        let failed = format!(
            "UPDATE {} SET error_code = ?, last_error = ?, execution_ms = ? WHERE version = ?",
            self.tables.migrations
        );
        for (i, stmt) in statements.iter().enumerate().skip(start) {
            if let Err(e) = conn.query_drop(stmt.as_str()).await {
                let code = server_code(&e);
                let message = e.to_string();
                let elapsed = t0.elapsed().as_millis() as u64;
                // Best effort: the connection may be gone; the dirty row already exists.
                let _ = conn
                    .exec_drop(
                        failed.as_str(),
                        (code.map(u32::from), &message, elapsed, m.version),
                    )
                    .await;
                if code == Some(codes::BINLOG_UNSAFE_ROUTINE) {
                    return Err(MigrationError::TriggerPrivilege {
                        name: m.name.clone(),
                        statement: i + 1,
                    });
                }
                return Err(MigrationError::Failed {
                    name: m.name.clone(),
                    statement: i + 1,
                    message,
                });
            }
            conn.exec_drop(
                progress.as_str(),
                ((i + 1) as u64, prefix_hash(&statements[..=i]), m.version),
            )
            .await?;
            // A holder whose lease ran out (a statement longer than the lease) stops: another
            // migrator may have taken over; the ledger's progress lets it resume.
            if !lease
                .renew(conn)
                .await
                .map_err(|e| MigrationError::Database(e.to_string()))?
            {
                return Err(MigrationError::LockTimeout);
            }
        }
        let done = format!(
            "UPDATE {} SET success = 1, execution_ms = ? WHERE version = ?",
            self.tables.migrations
        );
        conn.exec_drop(done, (t0.elapsed().as_millis() as u64, m.version))
            .await?;
        Ok(())
    }

    /// The ledger compared with the shipped list. Reads only (no ledger yet: everything is
    /// pending), so it answers on a read-only replica and issues no DDL on a cluster.
    pub async fn status(&self, pool: &Pool) -> Result<MigrationStatus, MigrationError> {
        let mut conn = pool.get_conn().await?;
        let ledger = self.ledger_if_any(&mut conn).await?.unwrap_or_default();
        let pending = self
            .migrations
            .iter()
            .filter(|m| !ledger.iter().any(|r| r.version == m.version && r.success))
            .map(|m| m.name.clone())
            .collect();
        Ok(MigrationStatus {
            dirty: ledger.iter().any(|r| !r.success),
            pending,
            applied: ledger
                .into_iter()
                .map(|r| LedgerEntry {
                    version: format!("{:04}", r.version),
                    name: r.name,
                    checksum: r.checksum,
                    success: r.success,
                    applied_at: rfc3339(r.applied_at.and_utc()),
                    execution_ms: r.execution_ms,
                    statements_done: r.statements_done,
                    last_error: r.last_error,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = embedded().iter().map(|m| m.name().to_owned()).collect();
        assert_eq!(embedded, on_disk);
        assert!(embedded.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn file_names() {
        assert_eq!(Migration::new("0001_init.sql", "").unwrap().version(), 1);
        for bad in [
            "1_init.sql",
            "0001init.sql",
            "0001_.sql",
            "abcd_x.sql",
            "0001_x.txt",
            "0000_x.sql",
        ] {
            assert!(Migration::new(bad, "").is_err(), "{bad}");
        }
    }

    #[test]
    fn statements_split_and_prefix() {
        let m = Migration::new(
            "0001_x.sql",
            "-- comment\nCREATE TABLE {prefix}pet_a (\n  id INT\n);\n\nINSERT INTO {prefix}pet_a VALUES (1);\nSELECT 1",
        )
        .unwrap();
        assert_eq!(
            m.statements("wp_"),
            vec![
                "CREATE TABLE wp_pet_a (\n  id INT\n)".to_owned(),
                "INSERT INTO wp_pet_a VALUES (1)".to_owned(),
                "SELECT 1".to_owned()
            ]
        );
    }

    #[test]
    fn a_compound_body_stays_one_statement() {
        let m = Migration::new(
            "0001_x.sql",
            "CREATE TRIGGER {prefix}t BEFORE INSERT ON {prefix}a FOR EACH ROW BEGIN\n  SET @x = 1;\n  IF @x THEN\n    SET @y = 2;\n  END IF;\nEND;\nSELECT 1;",
        )
        .unwrap();
        assert_eq!(
            m.statements("wp_"),
            vec![
                "CREATE TRIGGER wp_t BEFORE INSERT ON wp_a FOR EACH ROW BEGIN\n  SET @x = 1;\n  IF @x THEN\n    SET @y = 2;\n  END IF;\nEND".to_owned(),
                "SELECT 1".to_owned()
            ]
        );
    }

    #[test]
    fn environmental_failures_are_retried_without_a_file_change() {
        assert!(is_environmental(Some(1419)), "binlog without SUPER");
        assert!(is_environmental(Some(1227)), "missing privilege");
        assert!(
            is_environmental(None),
            "connection lost before the error was recorded"
        );
        assert!(
            !is_environmental(Some(1064)),
            "syntax error needs a fixed file"
        );
        assert!(!is_environmental(Some(1146)));
    }

    #[test]
    fn embedded_files_are_numbered_in_order() {
        let all = embedded();
        assert!(
            all.len() >= 3,
            "the event store, projections/jobs and identity migrations"
        );
        for (i, m) in all.iter().enumerate() {
            assert_eq!(m.version() as usize, i + 1);
            assert!(!m.statements("wp_").is_empty());
        }
    }
}
