//! A primary with read replicas: reads that may go to a replica, the commit position
//! (GTID) of every command, and read-your-writes.
//!
//! Writes (commands, jobs, migrations, the activity feed's projection) always go to the
//! primary (`Config::host`/`port`/`socket`). Views that read through [`App::read_conn`] go to
//! one of `Config::replicas` (a process keeps to one, chosen by its id, and moves on to the
//! next one or to the primary when it cannot connect). After a command commits, the App
//! keeps the commit's GTID (MariaDB's `last_gtid`, sent back in the COMMIT's OK packet via
//! `session_track_system_variables`); a read that follows first waits on the replica with
//! `MASTER_GTID_WAIT(position, bound)`, and reads the primary when the replica has not
//! applied it within `Config::read_wait_ms`. So nobody reads their own change as missing.
//! Across requests (a form posts, then redirects) the plugin carries the position in a
//! cookie and hands it back with [`App::read_after`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use mysql_async::prelude::*;
use mysql_async::{Conn, Pool, SessionStateChange};

use crate::app::App;
use crate::error::AppError;

/// A replication position: per GTID domain, the newest `server-sequence` seen.
/// MariaDB writes it as `domain-server-sequence`, comma-separated per domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GtidPos(BTreeMap<u32, (u32, u64)>);

impl GtidPos {
    /// Parses `0-1-42` or `0-1-42,1-2-7`; the empty string is the empty position.
    pub fn parse(s: &str) -> Option<Self> {
        let mut map = BTreeMap::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let mut it = part.splitn(3, '-');
            let d: u32 = it.next()?.parse().ok()?;
            let srv: u32 = it.next()?.parse().ok()?;
            let seq: u64 = it.next()?.parse().ok()?;
            merge_one(&mut map, d, srv, seq);
        }
        Some(Self(map))
    }

    /// Whether no position is known.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps, per domain, the newer of the two positions.
    pub fn merge(&mut self, other: &GtidPos) {
        for (d, (srv, seq)) in &other.0 {
            merge_one(&mut self.0, *d, *srv, *seq);
        }
    }
}

fn merge_one(map: &mut BTreeMap<u32, (u32, u64)>, d: u32, srv: u32, seq: u64) {
    match map.get(&d) {
        Some((_, have)) if *have >= seq => {}
        _ => {
            map.insert(d, (srv, seq));
        }
    }
}

impl std::fmt::Display for GtidPos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(d, (s, n))| format!("{d}-{s}-{n}"))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// How the reads of this App were served (for tests, benchmarks and the health screen).
#[derive(Debug, Default)]
pub struct ReadStats {
    /// Reads served by a replica without waiting (nothing to wait for).
    pub replica: AtomicU64,
    /// Reads served by a replica after `MASTER_GTID_WAIT` returned in time.
    pub replica_waited: AtomicU64,
    /// Reads that fell back to the primary (the wait timed out or the replica failed).
    pub primary_fallback: AtomicU64,
}

impl App {
    /// Whether reads may go to replicas (`Config::replicas` is not empty).
    pub fn has_replicas(&self) -> bool {
        !self.inner.config.replicas.is_empty()
    }

    /// The replicas' pools, created on first use (a process starts with the replica its id
    /// selects and moves on in order).
    fn replica_pools(&self) -> &[Pool] {
        self.inner.replica_pools.get_or_init(|| {
            let cfg = &self.inner.config;
            let n = cfg.replicas.len();
            let first = if n == 0 {
                0
            } else {
                std::process::id() as usize % n
            };
            (0..n)
                .map(|i| crate::db::build_pool(&cfg.for_replica(&cfg.replicas[(first + i) % n])))
                .collect()
        })
    }

    /// A connection for a view: a replica that has applied every write this App knows of
    /// (its own commits and the position handed to [`App::read_after`]), or the primary.
    /// Only for reads: a replica is read-only.
    pub(crate) async fn read_conn(&self) -> Result<Conn, AppError> {
        if !self.has_replicas() {
            return self.conn().await;
        }
        let wait_for = self.last_gtid();
        let bound = f64::from(self.inner.config.read_wait_ms) / 1000.0;
        let stats = &self.inner.read_stats;
        for pool in self.replica_pools() {
            let Ok(mut conn) = pool.get_conn().await else {
                continue;
            };
            let Some(pos) = &wait_for else {
                stats.replica.fetch_add(1, Ordering::Relaxed);
                return Ok(conn);
            };
            // 0: applied; -1: not within the bound; an error: not a replica of ours.
            let r: Result<Option<Option<i64>>, _> = conn
                .exec_first("SELECT MASTER_GTID_WAIT(?, ?)", (pos.as_str(), bound))
                .await;
            if let Ok(Some(Some(0))) = r {
                stats.replica_waited.fetch_add(1, Ordering::Relaxed);
                return Ok(conn);
            }
            // A replica that is this far behind stays behind for the next one too: read the
            // primary rather than waiting again on another replica.
            break;
        }
        stats.primary_fallback.fetch_add(1, Ordering::Relaxed);
        self.conn().await
    }

    /// The newest commit position this App knows of (its own commands' and any handed to
    /// [`App::read_after`]), as MariaDB writes it (`0-1-42`); `None` without replicas or
    /// before the first write.
    pub fn last_gtid(&self) -> Option<String> {
        let pos = self.inner.last_gtid.lock().ok()?;
        (!pos.is_empty()).then(|| pos.to_string())
    }

    /// Makes the next reads wait for `gtid` (a position an earlier request's commands
    /// returned): reads then see at least everything written up to it.
    pub fn read_after(&self, gtid: &str) -> Result<(), AppError> {
        let pos = GtidPos::parse(gtid)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| AppError::field("gtid", "must be a GTID position such as 0-1-42"))?;
        if let Ok(mut last) = self.inner.last_gtid.lock() {
            last.merge(&pos);
        }
        Ok(())
    }

    /// Counts of how reads were served: `{replica, replica_waited, primary_fallback}`.
    pub fn read_stats(&self) -> serde_json::Value {
        let s = &self.inner.read_stats;
        serde_json::json!({
            "replica": s.replica.load(Ordering::Relaxed),
            "replica_waited": s.replica_waited.load(Ordering::Relaxed),
            "primary_fallback": s.primary_fallback.load(Ordering::Relaxed),
        })
    }

    /// After a command committed on `conn`: remembers the commit's GTID (when reads may go
    /// to replicas). MariaDB sends `last_gtid` in the COMMIT's OK packet (the primary's
    /// sessions track it); otherwise it is asked for (one more round trip). Never fails:
    /// the command has committed (a position not learnt makes the next read wait for less;
    /// the replica then serves what it has, as without this App's knowledge).
    pub(crate) async fn note_commit(&self, conn: &mut Conn) {
        if !self.has_replicas() {
            return;
        }
        let gtid = match tracked_last_gtid(conn) {
            Some(g) => g,
            None => conn
                .query_first::<String, _>("SELECT @@last_gtid")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        };
        if let Some(pos) = GtidPos::parse(&gtid).filter(|p| !p.is_empty()) {
            if let Ok(mut last) = self.inner.last_gtid.lock() {
                last.merge(&pos);
            }
        }
    }
}

/// `last_gtid` from the session state of the last OK packet, if the server sent it.
fn tracked_last_gtid(conn: &Conn) -> Option<String> {
    let ok = conn.last_ok_packet()?;
    let infos = ok.session_state_info().ok()?;
    for info in infos {
        if let Ok(SessionStateChange::SystemVariables(vars)) = info.decode() {
            for v in vars {
                if v.name_bytes() == b"last_gtid" {
                    return Some(v.value_str().into_owned());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::GtidPos;

    #[test]
    fn positions_parse_merge_and_print() {
        let mut p = GtidPos::parse("0-1-42").unwrap();
        assert_eq!(p.to_string(), "0-1-42");
        p.merge(&GtidPos::parse("0-2-41,1-3-7").unwrap());
        assert_eq!(
            p.to_string(),
            "0-1-42,1-3-7",
            "an older sequence does not win"
        );
        p.merge(&GtidPos::parse("0-2-43").unwrap());
        assert_eq!(
            p.to_string(),
            "0-2-43,1-3-7",
            "a failover's newer server wins"
        );
        assert!(GtidPos::parse("").unwrap().is_empty());
        for bad in ["x", "0-1", "0-1-x", "-1-2", "0-1-2;DROP"] {
            assert!(GtidPos::parse(bad).is_none(), "{bad}");
        }
    }
}
