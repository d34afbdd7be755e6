//! Exclusion that holds on a cluster: a lease row in `{prefix}pet_locks` (migration 0021)
//! instead of `GET_LOCK`.
//!
//! `GET_LOCK` is held by one server: on a Galera cluster two migrators (or job runners) on
//! two nodes both get "their" lock and both run. A lease is a committed row: taking it is
//! one autocommit `INSERT … ON DUPLICATE KEY UPDATE` on the row's primary key that takes the
//! row over only when the holder's lease has expired, then a read of the owner. On one
//! server the row lock serialises two takers; on Galera the second node's write conflicts
//! with the first in certification (error 1213, "not taken") or, when the first one's row
//! has already been applied, leaves the owner as it is. Either way exactly one owner holds
//! the lease until it releases it (a `DELETE` of its own row) or its lease runs out (a
//! process that died), and the holder renews it while it works.

use std::time::Duration;

use mysql_async::prelude::*;
use mysql_async::Conn;
use uuid::Uuid;

use crate::db::{classify, DbErrorKind};
use crate::error::StorageError;

/// The lease of the migration runner (one per table prefix).
pub const MIGRATE: &str = "migrate";
/// The lease of the job runner (one per table prefix).
pub const JOBS: &str = "jobs";

/// A lease on one named row, held by `owner` (a fresh id per holder).
#[derive(Debug, Clone)]
pub struct Lease {
    table: String,
    name: &'static str,
    owner: String,
    ttl: Duration,
}

impl Lease {
    /// A lease named `name` in `table` (`Tables::locks`) lasting `ttl` from each take or renewal.
    pub fn new(table: &str, name: &'static str, ttl: Duration) -> Self {
        Self {
            table: table.to_owned(),
            name,
            owner: Uuid::now_v7().to_string(),
            ttl,
        }
    }

    /// This holder's id (the `owner` column while it holds the lease).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn ttl_micros(&self) -> u64 {
        u64::try_from(self.ttl.as_micros()).unwrap_or(u64::MAX)
    }

    /// Takes the lease if it is free or expired (or already ours, which renews it); false
    /// when another holder has it, including when this node lost the race in certification.
    pub async fn try_take(&self, conn: &mut Conn) -> Result<bool, StorageError> {
        // Assignments run left to right and see the columns already assigned: `expires_at`
        // is compared before it is moved, so it goes last.
        let take = format!(
            "INSERT INTO {t} (name, owner, acquired_at, expires_at) \
             VALUES (?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND) \
             ON DUPLICATE KEY UPDATE \
             acquired_at = IF(owner = VALUES(owner) OR expires_at < UTC_TIMESTAMP(6), VALUES(acquired_at), acquired_at), \
             owner = IF(owner = VALUES(owner) OR expires_at < UTC_TIMESTAMP(6), VALUES(owner), owner), \
             expires_at = IF(owner = VALUES(owner), VALUES(expires_at), expires_at)",
            t = self.table
        );
        match conn
            .exec_drop(take, (self.name, &self.owner, self.ttl_micros()))
            .await
        {
            Ok(()) => {}
            // Lost to another taker (a lock wait, a deadlock, or Galera certification).
            Err(e) if classify(&e) == DbErrorKind::Contention => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        let owner: Option<String> = conn
            .exec_first(
                format!("SELECT owner FROM {} WHERE name = ?", self.table),
                (self.name,),
            )
            .await?;
        Ok(owner.as_deref() == Some(self.owner.as_str()))
    }

    /// Takes the lease, polling every 100–250 ms for at most `wait`.
    pub async fn take(&self, conn: &mut Conn, wait: Duration) -> Result<bool, StorageError> {
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            if self.try_take(conn).await? {
                return Ok(true);
            }
            if started.elapsed() >= wait {
                return Ok(false);
            }
            tokio::time::sleep(pause.min(wait.saturating_sub(started.elapsed()))).await;
            pause = (pause * 3 / 2).min(Duration::from_millis(250));
        }
    }

    /// Extends the lease by its ttl from now; false when it was lost (it expired and was
    /// taken over), in which case the holder must stop.
    pub async fn renew(&self, conn: &mut Conn) -> Result<bool, StorageError> {
        let r = conn
            .exec_iter(
                format!(
                    "UPDATE {} SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND \
                     WHERE name = ? AND owner = ?",
                    self.table
                ),
                (self.ttl_micros(), self.name, &self.owner),
            )
            .await;
        match r {
            Ok(res) => {
                let n = res.affected_rows();
                res.drop_result().await?;
                // 0 affected rows also when the value did not change within a microsecond:
                // read the owner back.
                if n == 1 {
                    return Ok(true);
                }
            }
            Err(e) => return Err(e.into()),
        }
        let owner: Option<String> = conn
            .exec_first(
                format!("SELECT owner FROM {} WHERE name = ?", self.table),
                (self.name,),
            )
            .await?;
        Ok(owner.as_deref() == Some(self.owner.as_str()))
    }

    /// Gives the lease up (only this holder's row is deleted).
    pub async fn release(&self, conn: &mut Conn) -> Result<(), StorageError> {
        conn.exec_drop(
            format!("DELETE FROM {} WHERE name = ? AND owner = ?", self.table),
            (self.name, &self.owner),
        )
        .await?;
        Ok(())
    }
}

/// The lease table's definition, the one statement of migration 0021: `migrate()` runs it
/// before taking its lease when the table is missing (a fresh install).
pub fn create_table_sql(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (\n  \
         name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n  \
         owner CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n  \
         acquired_at DATETIME(6) NOT NULL,\n  \
         expires_at DATETIME(6) NOT NULL,\n  \
         PRIMARY KEY (name)\n\
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bootstrap_statement_is_migration_0021() {
        let m = crate::migrate::embedded()
            .into_iter()
            .find(|m| m.name().ends_with("_cluster_locks.sql"))
            .expect("the lease table's migration");
        assert_eq!(
            m.statements("wp_"),
            vec![super::create_table_sql("wp_pet_locks")]
        );
    }
}
