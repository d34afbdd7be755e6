//! The job queue in MySQL: enqueue with a dedupe key, claim with a visibility timeout
//! (`FOR UPDATE SKIP LOCKED`), bounded retries with exponential back-off, a dead-letter
//! state an admin can retry, and a runner lease (`lease.rs`) against overlapping runs on any
//! server of a cluster.
//!
//! A claim is identified by the job id plus its attempt number: a runner whose claim
//! expired and was taken over cannot complete or fail the job any more.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Conn, Pool, Row, TxOpts};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::config::Tables;
use crate::db::{classify, exec_affected, from_db_time, rfc3339, to_db_time, DbErrorKind};
use crate::error::StorageError;

/// Job status values (the `status` column).
pub mod status {
    /// Waiting to run.
    pub const PENDING: &str = "pending";
    /// Claimed by a runner until `locked_until`.
    pub const RUNNING: &str = "running";
    /// Failed; will be retried at `run_at`.
    pub const FAILED: &str = "failed";
    /// Out of attempts; waits for an admin.
    pub const DEAD: &str = "dead";
    /// Finished.
    pub const DONE: &str = "done";
    /// All statuses.
    pub const ALL: [&str; 5] = [PENDING, RUNNING, FAILED, DEAD, DONE];
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What to do, e.g. `projection.catch_up`.
    pub kind: String,
    /// Its arguments (a JSON object).
    pub payload: Value,
    /// While a job with this key is pending, running or failed, enqueueing another is a no-op.
    pub dedupe_key: Option<String>,
    /// Not before this time.
    pub run_at: DateTime<Utc>,
    /// Attempts before the job is dead-lettered.
    pub max_attempts: u32,
}

impl NewJob {
    /// A job of `kind` due at `run_at`, 5 attempts, no dedupe key.
    pub fn new(kind: impl Into<String>, payload: Value, run_at: DateTime<Utc>) -> Self {
        Self {
            kind: kind.into(),
            payload,
            dedupe_key: None,
            run_at,
            max_attempts: 5,
        }
    }

    /// Sets the dedupe key.
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// Sets the number of attempts.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
}

/// A job claimed by a runner.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// Job id.
    pub id: Uuid,
    /// Kind.
    pub kind: String,
    /// Payload.
    pub payload: Value,
    /// This attempt's number (1 for the first run); identifies the claim.
    pub attempt: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
}

/// A job as listed for admins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobView {
    /// Job id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Payload.
    pub payload: Value,
    /// Status.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Next run time.
    pub run_at: String,
    /// Last error, if any.
    pub last_error: Option<String>,
    /// Created at.
    pub created_at: String,
    /// Finished (done or dead) at.
    pub finished_at: Option<String>,
}

/// Back-off before attempt `attempt + 1`: 30 s × 2^(attempt − 1), at most one hour.
pub fn backoff(attempt: u32) -> Duration {
    let secs = 30i64.saturating_mul(1i64 << attempt.saturating_sub(1).min(20));
    Duration::seconds(secs.min(3600))
}

/// The queue for one table prefix.
#[derive(Debug, Clone)]
pub struct JobQueue {
    tables: Tables,
}

pub(crate) const JOB_COLUMNS: &str =
    "id, kind, payload, status, attempts, max_attempts, run_at, last_error, created_at, finished_at";

impl JobQueue {
    /// The queue over `tables`.
    pub fn new(tables: Tables) -> Self {
        Self { tables }
    }

    /// Enqueues `job`; returns its id, or `None` when an active job has the same dedupe key.
    pub async fn enqueue<Q: Queryable>(
        &self,
        q: &mut Q,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> Result<Option<Uuid>, StorageError> {
        let id = Uuid::now_v7();
        let sql = format!(
            "INSERT INTO {} (id, kind, payload, dedupe_key, active_dedupe_key, status, attempts, \
             max_attempts, run_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)",
            self.tables.jobs
        );
        let res = q
            .exec_drop(
                sql,
                (
                    id.to_string(),
                    &job.kind,
                    job.payload.to_string(),
                    &job.dedupe_key,
                    &job.dedupe_key,
                    job.max_attempts,
                    to_db_time(job.run_at),
                    to_db_time(now),
                    to_db_time(now),
                ),
            )
            .await;
        match res {
            Ok(()) => Ok(Some(id)),
            Err(e) => match classify(&e) {
                DbErrorKind::Duplicate { key } if key == "uq_active_dedupe" => Ok(None),
                _ => Err(e.into()),
            },
        }
    }

    /// Claims up to `limit` due jobs (pending, failed and due, or running with an expired
    /// claim) for `visibility`, skipping rows other runners have locked. A job whose claim
    /// expired on its last attempt is dead-lettered instead.
    pub async fn claim(
        &self,
        conn: &mut Conn,
        now: DateTime<Utc>,
        visibility: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, StorageError> {
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        match self.claim_in(&mut tx, now, visibility, limit).await {
            Ok(claimed) => {
                tx.commit().await?;
                Ok(claimed)
            }
            Err(e) => {
                // Rolled back now, not by the pool's recycler later (see `command!`).
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    async fn claim_in(
        &self,
        tx: &mut mysql_async::Transaction<'_>,
        now: DateTime<Utc>,
        visibility: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, StorageError> {
        let nowdb = to_db_time(now);
        // Two index-ordered scans (due work by `run_at`, expired claims by `locked_until`) so
        // LIMIT stops the scan early: a filesort would lock every candidate row and starve
        // concurrent claimers that SKIP LOCKED.
        type Candidate = (String, String, String, String, u32, u32);
        let mut rows: Vec<Candidate> = tx
            .exec(
                format!(
                    "SELECT id, kind, payload, status, attempts, max_attempts FROM {} FORCE INDEX (ix_expired) \
                     WHERE status = 'running' AND locked_until <= ? \
                     ORDER BY locked_until LIMIT ? FOR UPDATE SKIP LOCKED",
                    self.tables.jobs
                ),
                (nowdb, limit as u64),
            )
            .await?;
        // Due work: pending jobs and failed ones waiting for their retry, oldest due first.
        // Each round reads the next ids without locks by ix_job_status_due (status, run_at,
        // id), so finished jobs (the queue's whole history) are never scanned (migration
        // 0011), then locks exactly those rows by primary key, which takes no gap locks (a
        // locking scan of an index whose leading column the claim itself updates deadlocks
        // two concurrent claimers). Rows another claimer holds are skipped, rows it claimed
        // meanwhile no longer match; the next round goes on after the last id read.
        let mut after: Option<(NaiveDateTime, String)> = None;
        for _round in 0..4 {
            let want = limit - rows.len();
            if want == 0 {
                break;
            }
            let mut ids: Vec<(NaiveDateTime, String)> = Vec::new();
            for st in [status::PENDING, status::FAILED] {
                let (seek, mut params): (&str, Vec<mysql_async::Value>) = match &after {
                    Some((at, id)) => (
                        " AND (run_at > ? OR (run_at = ? AND id > ?))",
                        vec![(*at).into(), (*at).into(), id.as_str().into()],
                    ),
                    None => ("", Vec::new()),
                };
                params.insert(0, st.into());
                params.push(nowdb.into());
                params.push((want as u64).into());
                let found: Vec<(String, NaiveDateTime)> = tx
                    .exec(
                        format!(
                            "SELECT id, run_at FROM {} FORCE INDEX (ix_job_status_due) \
                             WHERE status = ?{seek} AND run_at <= ? ORDER BY run_at, id LIMIT ?",
                            self.tables.jobs
                        ),
                        params,
                    )
                    .await?;
                ids.extend(found.into_iter().map(|(id, at)| (at, id)));
            }
            ids.sort();
            ids.truncate(want);
            let Some(last) = ids.last().cloned() else {
                break;
            };
            after = Some(last);
            let marks = vec!["?"; ids.len()].join(", ");
            let mut params: Vec<mysql_async::Value> =
                ids.into_iter().map(|(_, id)| id.into()).collect();
            params.push(nowdb.into());
            let mut due: Vec<(String, String, String, String, u32, u32, NaiveDateTime)> = tx
                .exec(
                    format!(
                        "SELECT id, kind, payload, status, attempts, max_attempts, run_at FROM {} \
                         FORCE INDEX (PRIMARY) WHERE id IN ({marks}) \
                         AND status IN ('pending', 'failed') AND run_at <= ? FOR UPDATE SKIP LOCKED",
                        self.tables.jobs
                    ),
                    params,
                )
                .await?;
            due.sort_by(|a, b| (a.6, &a.0).cmp(&(b.6, &b.0)));
            rows.extend(
                due.into_iter()
                    .map(|(id, k, p, s, a, m, _)| (id, k, p, s, a, m)),
            );
        }
        let mut claimed = Vec::new();
        for (id, kind, payload, st, attempts, max_attempts) in rows {
            if st == status::RUNNING && attempts >= max_attempts {
                tx.exec_drop(
                    format!(
                        "UPDATE {} SET status = 'dead', active_dedupe_key = NULL, locked_until = NULL, \
                         last_error = 'claim expired on the last attempt', updated_at = ?, finished_at = ? \
                         WHERE id = ?",
                        self.tables.jobs
                    ),
                    (nowdb, nowdb, &id),
                )
                .await?;
                continue;
            }
            tx.exec_drop(
                format!(
                    "UPDATE {} SET status = 'running', attempts = attempts + 1, locked_until = ?, \
                     updated_at = ? WHERE id = ?",
                    self.tables.jobs
                ),
                (to_db_time(now + visibility), nowdb, &id),
            )
            .await?;
            let uuid = Uuid::parse_str(&id)
                .map_err(|_| StorageError::Integrity(format!("bad job id {id:?}")))?;
            let payload = serde_json::from_str(&payload)
                .map_err(|e| StorageError::Integrity(format!("job {id} payload: {e}")))?;
            claimed.push(ClaimedJob {
                id: uuid,
                kind,
                payload,
                attempt: attempts + 1,
                max_attempts,
            });
        }
        Ok(claimed)
    }

    /// Marks a claimed job done; false if the claim was lost (expired and taken over).
    pub async fn complete<Q: Queryable>(
        &self,
        q: &mut Q,
        job: &ClaimedJob,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let n = exec_affected(
            q,
            format!(
                "UPDATE {} SET status = 'done', active_dedupe_key = NULL, locked_until = NULL, \
                 updated_at = ?, finished_at = ? WHERE id = ? AND status = 'running' AND attempts = ?",
                self.tables.jobs
            ),
            (to_db_time(now), to_db_time(now), job.id.to_string(), job.attempt),
        )
        .await?;
        Ok(n == 1)
    }

    /// Records a failure: retried after [`backoff`], or dead-lettered on the last attempt.
    /// Returns the new status, or `None` if the claim was lost.
    pub async fn fail<Q: Queryable>(
        &self,
        q: &mut Q,
        job: &ClaimedJob,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<&'static str>, StorageError> {
        let dead = job.attempt >= job.max_attempts;
        let error: String = error.chars().take(2000).collect();
        let sql = if dead {
            format!(
                "UPDATE {} SET status = 'dead', active_dedupe_key = NULL, locked_until = NULL, \
                 last_error = ?, updated_at = ?, finished_at = ?, run_at = ? \
                 WHERE id = ? AND status = 'running' AND attempts = ?",
                self.tables.jobs
            )
        } else {
            format!(
                "UPDATE {} SET status = 'failed', locked_until = NULL, last_error = ?, \
                 updated_at = ?, finished_at = NULL, run_at = ? \
                 WHERE id = ? AND status = 'running' AND attempts = ?",
                self.tables.jobs
            )
        };
        let next = if dead {
            now
        } else {
            now + backoff(job.attempt)
        };
        let finished = if dead { Some(to_db_time(now)) } else { None };
        let params: Vec<mysql_async::Value> = if dead {
            vec![
                error.into(),
                to_db_time(now).into(),
                finished.into(),
                to_db_time(next).into(),
                job.id.to_string().into(),
                job.attempt.into(),
            ]
        } else {
            vec![
                error.into(),
                to_db_time(now).into(),
                to_db_time(next).into(),
                job.id.to_string().into(),
                job.attempt.into(),
            ]
        };
        if exec_affected(q, sql, params).await? != 1 {
            return Ok(None);
        }
        Ok(Some(if dead { status::DEAD } else { status::FAILED }))
    }

    /// Moves a dead job back to pending with fresh attempts.
    pub async fn retry<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<JobView, StorageError> {
        let current = self.get(q, id).await?;
        if current.status != status::DEAD {
            return Err(StorageError::Conflict(format!(
                "job {id} is {}, only dead jobs can be retried",
                current.status
            )));
        }
        let res = exec_affected(
            q,
            format!(
                "UPDATE {} SET status = 'pending', attempts = 0, run_at = ?, locked_until = NULL, \
                     active_dedupe_key = dedupe_key, finished_at = NULL, updated_at = ? \
                     WHERE id = ? AND status = 'dead'",
                self.tables.jobs
            ),
            (to_db_time(now), to_db_time(now), id.to_string()),
        )
        .await;
        match res {
            Ok(1) => self.get(q, id).await,
            Ok(_) => Err(StorageError::Conflict(format!(
                "job {id} changed concurrently"
            ))),
            Err(e) => match classify(&e) {
                DbErrorKind::Duplicate { key } if key == "uq_active_dedupe" => {
                    Err(StorageError::Conflict(format!(
                        "an equivalent job is already queued; job {id} stays dead"
                    )))
                }
                _ => Err(e.into()),
            },
        }
    }

    /// One job.
    pub async fn get<Q: Queryable>(&self, q: &mut Q, id: Uuid) -> Result<JobView, StorageError> {
        let row: Option<Row> = q
            .exec_first(
                format!(
                    "SELECT {JOB_COLUMNS} FROM {} WHERE id = ?",
                    self.tables.jobs
                ),
                (id.to_string(),),
            )
            .await?;
        row.map(view)
            .transpose()?
            .ok_or_else(|| StorageError::NotFound(format!("job {id}")))
    }

    /// Jobs, newest first, optionally by status; returns (items, total).
    pub async fn list<Q: Queryable>(
        &self,
        q: &mut Q,
        status_filter: Option<&str>,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<JobView>, u64), StorageError> {
        let offset = u64::from(page.saturating_sub(1)) * u64::from(per_page);
        let (where_sql, params): (&str, Vec<mysql_async::Value>) = match status_filter {
            Some(s) => ("WHERE status = ?", vec![s.into()]),
            None => ("", vec![]),
        };
        let total: Option<u64> = q
            .exec_first(
                format!("SELECT COUNT(*) FROM {} {where_sql}", self.tables.jobs),
                params.clone(),
            )
            .await?;
        let mut p = params;
        p.push(u64::from(per_page).into());
        p.push(offset.into());
        let rows: Vec<Row> = q
            .exec(
                format!(
                    "SELECT {JOB_COLUMNS} FROM {} {where_sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                    self.tables.jobs
                ),
                p,
            )
            .await?;
        let items = rows.into_iter().map(view).collect::<Result<_, _>>()?;
        Ok((items, total.unwrap_or(0)))
    }

    /// The job runner's lease (one runner at a time on every server of a cluster; see
    /// `lease.rs`), lasting `ttl` from each take or renewal.
    pub fn runner_lease(&self, ttl: std::time::Duration) -> crate::lease::Lease {
        crate::lease::Lease::new(&self.tables.locks, crate::lease::JOBS, ttl)
    }

    /// Gives a claimed job back without counting the attempt (pending again, due now):
    /// for a run that lost a race to a concurrent writer (a deadlock, or Galera's
    /// certification) rather than failing. False if the claim was lost.
    pub async fn release<Q: Queryable>(
        &self,
        q: &mut Q,
        job: &ClaimedJob,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let n = exec_affected(
            q,
            format!(
                "UPDATE {} SET status = IF(attempts > 1, 'failed', 'pending'), \
                 attempts = attempts - 1, locked_until = NULL, run_at = ?, updated_at = ? \
                 WHERE id = ? AND status = 'running' AND attempts = ?",
                self.tables.jobs
            ),
            (
                to_db_time(now),
                to_db_time(now),
                job.id.to_string(),
                job.attempt,
            ),
        )
        .await?;
        Ok(n == 1)
    }

    /// Convenience for tests and admin tools: the pool-level claim.
    pub async fn claim_from_pool(
        &self,
        pool: &Pool,
        now: DateTime<Utc>,
        visibility: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, StorageError> {
        let mut conn = pool.get_conn().await?;
        self.claim(&mut conn, now, visibility, limit).await
    }
}

pub(crate) fn view(mut r: Row) -> Result<JobView, StorageError> {
    fn t<T: FromValue>(r: &mut Row, i: usize) -> Result<T, StorageError> {
        r.take_opt(i)
            .and_then(Result::ok)
            .ok_or_else(|| StorageError::Integrity(format!("unreadable job column {i}")))
    }
    let payload: String = t(&mut r, 2)?;
    let finished: Option<NaiveDateTime> = t(&mut r, 9)?;
    Ok(JobView {
        id: t(&mut r, 0)?,
        kind: t(&mut r, 1)?,
        payload: serde_json::from_str(&payload).unwrap_or_else(|_| json!({})),
        status: t(&mut r, 3)?,
        attempts: t(&mut r, 4)?,
        max_attempts: t(&mut r, 5)?,
        run_at: rfc3339(from_db_time(t(&mut r, 6)?)),
        last_error: t(&mut r, 7)?,
        created_at: rfc3339(from_db_time(t(&mut r, 8)?)),
        finished_at: finished.map(|f| rfc3339(from_db_time(f))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(10), Duration::seconds(3600));
        assert_eq!(backoff(u32::MAX), Duration::seconds(3600));
    }
}
