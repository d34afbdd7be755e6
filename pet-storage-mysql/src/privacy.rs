//! Per-person data keys (migration 0024) for `pet_core::privacy`'s crypto-shredding: drawn
//! from the OS when a person's first personal event is appended, stored wrapped with the
//! site key (`Config::privacy_key`) or, without one, as they are; loaded in one query per
//! batch of events read; destroyed by an erasure (the row keeps ids only).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::Value;
use pet_core::privacy::{self as pv, DataKey, KeyState, SiteKey, Subject, SubjectKind};
use pet_core::RecordedEvent;
use uuid::Uuid;

use crate::app::App;
use crate::config::Tables;
use crate::db::to_db_time;
use crate::error::{AppError, StorageError};
use crate::input::Input;
use mysql_async::TxOpts;

/// `wrapping` of a key stored without a site key.
const UNWRAPPED: &str = "none";
/// `wrapping` of an erased person's row.
const ERASED: &str = "erased";

fn wrapping_of(site: &SiteKey) -> String {
    format!("site:{}", site.fingerprint())
}

/// The site keys: `current` wraps every new (and re-wrapped) data key; `previous` — set
/// while a rotation runs ([`App::rotate_privacy_key`]) — still opens the keys wrapped with
/// it until they are all re-wrapped.
#[derive(Debug, Clone, Default)]
pub struct SiteKeys {
    /// `Config::privacy_key`.
    pub current: Option<SiteKey>,
    /// `Config::previous_privacy_key`.
    pub previous: Option<SiteKey>,
}

/// `N` bytes from the operating system's secure source.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], StorageError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| StorageError::Integrity(format!("no secure randomness: {e}")))?;
    Ok(b)
}

/// What is known of one person's key.
#[derive(Debug)]
enum Entry {
    Live(DataKey),
    Erased,
    /// Wrapped with another site key, or damaged: reads fail (an erasure is not guessed).
    Unreadable,
}

/// The keys of the subjects of a batch of events.
#[derive(Debug, Default)]
pub(crate) struct KeyRing {
    keys: HashMap<Subject, Entry>,
}

impl KeyRing {
    /// How to open the personal fields of `subject`: with its key; as erased; as missing
    /// when there is no key row (lost). A key that is there but does not unwrap (another
    /// site key) is an error: showing placeholders would write them into the feed.
    pub(crate) fn state(&self, subject: &Subject) -> Result<KeyState<'_>, StorageError> {
        match self.keys.get(subject) {
            Some(Entry::Live(k)) => Ok(KeyState::Live(k)),
            Some(Entry::Erased) => Ok(KeyState::Erased),
            None => Ok(KeyState::Missing),
            Some(Entry::Unreadable) => Err(StorageError::Integrity(format!(
                "the data key of {} {} does not unwrap with this site's privacy_key \
                 (PET_PRIVACY_KEY): set it back to the key it was made with",
                subject.kind.as_str(),
                subject.id
            ))),
        }
    }

    /// `payload` of an event of `event_type` as readers see it.
    pub(crate) fn open(
        &self,
        event_type: &str,
        payload: &serde_json::Value,
    ) -> Result<serde_json::Value, StorageError> {
        Ok(match pv::subject_of(event_type, payload) {
            Some(s) => pv::open(event_type, payload, self.state(&s)?).payload,
            None => pv::open(event_type, payload, KeyState::Missing).payload,
        })
    }
}

fn entry(keys: &SiteKeys, subject: Subject, wrapped: Option<&str>, wrapping: &str) -> Entry {
    let Some(wrapped) = wrapped else {
        return Entry::Erased;
    };
    let key = if wrapping == UNWRAPPED {
        DataKey::from_hex(wrapped)
    } else {
        [keys.current.as_ref(), keys.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|s| wrapping == wrapping_of(s))
            .and_then(|s| pv::unwrap_key(s, wrapped, subject).ok())
    };
    key.map_or(Entry::Unreadable, Entry::Live)
}

/// The keys of `subjects` (one query per 500).
pub(crate) async fn load_keys<Q: Queryable>(
    q: &mut Q,
    t: &Tables,
    keys: &SiteKeys,
    subjects: &[Subject],
) -> Result<KeyRing, StorageError> {
    let mut ring = KeyRing::default();
    let mut ids: Vec<Uuid> = subjects.iter().map(|s| s.id).collect();
    ids.sort();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, Option<String>, String)> = q
            .exec(
                format!(
                    "SELECT subject_type, subject_id, wrapped_key, wrapping FROM {} \
                     WHERE subject_id IN ({})",
                    t.personal_keys,
                    vec!["?"; chunk.len()].join(",")
                ),
                chunk
                    .iter()
                    .map(|u| Value::from(u.to_string()))
                    .collect::<Vec<_>>(),
            )
            .await?;
        for (kind, id, wrapped, wrapping) in rows {
            let (Some(kind), Ok(id)) = (SubjectKind::parse(&kind), Uuid::parse_str(&id)) else {
                continue;
            };
            let s = Subject { kind, id };
            ring.keys
                .insert(s, entry(keys, s, wrapped.as_deref(), &wrapping));
        }
    }
    Ok(ring)
}

/// Opens the personal fields of `events` (read from the log) with their people's keys.
pub(crate) async fn open_events<Q: Queryable>(
    q: &mut Q,
    t: &Tables,
    keys: &SiteKeys,
    events: Vec<RecordedEvent>,
) -> Result<Vec<RecordedEvent>, StorageError> {
    let subjects: Vec<Subject> = events
        .iter()
        .filter_map(|r| pv::subject_of(r.event.event_type().as_str(), r.event.payload()))
        .collect();
    if subjects.is_empty() {
        return Ok(events);
    }
    let ring = load_keys(q, t, keys, &subjects).await?;
    events
        .into_iter()
        .map(|r| {
            let ty = r.event.event_type().as_str();
            if pv::personal_fields(ty).is_none() {
                return Ok(r);
            }
            let opened = ring.open(ty, r.event.payload())?;
            let v = r.event.schema_version();
            Ok(r.with_payload(v, opened))
        })
        .collect()
}

/// `recorded` (a payload as stored) as a reader may see it "as recorded": sealed fields as
/// stored (ciphertext), plain (legacy, written before sealing) personal fields as `opened`
/// shows them — the placeholder once the person is erased, so no reader shows an erased
/// person's plain text.
pub(crate) fn mask_plain(
    event_type: &str,
    recorded: &mut serde_json::Value,
    opened: &serde_json::Value,
) {
    let Some(spec) = pv::personal_fields(event_type) else {
        return;
    };
    let Some(obj) = recorded.as_object_mut() else {
        return;
    };
    for (field, _) in spec.fields {
        let Some(v) = obj.get_mut(*field) else {
            continue;
        };
        if v.get("sealed").is_some() {
            continue;
        }
        *v = opened
            .get(*field)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
    }
}

/// The data key of `subject`, for sealing a new event: the stored one, or a new one drawn
/// and stored now (in `tx`). Refuses a person already erased, and a key wrapped with
/// another site key (the configured `privacy_key` changed).
pub(crate) async fn key_for_new<Q: Queryable>(
    tx: &mut Q,
    t: &Tables,
    keys: &SiteKeys,
    subject: Subject,
    now: DateTime<Utc>,
) -> Result<DataKey, StorageError> {
    let row: Option<(Option<String>, String)> = tx
        .exec_first(
            format!(
                "SELECT wrapped_key, wrapping FROM {} WHERE subject_id = ? AND subject_type = ? \
                 FOR UPDATE",
                t.personal_keys
            ),
            (subject.id.to_string(), subject.kind.as_str()),
        )
        .await?;
    if let Some((wrapped, wrapping)) = row {
        return match entry(keys, subject, wrapped.as_deref(), &wrapping) {
            Entry::Live(k) => Ok(k),
            // Refused as a conflict (the request cannot be met), not as damaged data: an
            // erased contact's message (say, through a portal login left in place) is not
            // recorded.
            Entry::Erased => Err(StorageError::Conflict(format!(
                "the personal data of {} {} was erased; nothing more is recorded about them",
                subject.kind.as_str(),
                subject.id
            ))),
            Entry::Unreadable => Err(StorageError::Integrity(format!(
                "the data key of {} {} is wrapped with another site key: restore the \
                 privacy_key (PET_PRIVACY_KEY) it was made with",
                subject.kind.as_str(),
                subject.id
            ))),
        };
    }
    let key = DataKey::from_bytes(random::<32>()?);
    let (wrapped, wrapping) = match &keys.current {
        Some(s) => (
            pv::wrap_key(s, &key, subject, random::<12>()?)
                .map_err(|e| StorageError::Integrity(e.to_string()))?,
            wrapping_of(s),
        ),
        None => (key.to_hex(), UNWRAPPED.to_owned()),
    };
    tx.exec_drop(
        format!(
            "INSERT INTO {} (subject_type, subject_id, wrapped_key, wrapping, created_at) \
             VALUES (?, ?, ?, ?, ?)",
            t.personal_keys
        ),
        (
            subject.kind.as_str(),
            subject.id.to_string(),
            wrapped,
            wrapping,
            to_db_time(now),
        ),
    )
    .await?;
    Ok(key)
}

/// Seals the personal fields of a payload about to be appended (a payload of a type
/// without personal data is returned as it is).
pub(crate) async fn seal_new<Q: Queryable>(
    tx: &mut Q,
    t: &Tables,
    keys: &SiteKeys,
    event_type: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Option<serde_json::Value>, StorageError> {
    let Some(spec) = pv::personal_fields(event_type) else {
        return Ok(None);
    };
    // A reply by an employee or by a customer nobody identified carries no one's data.
    if !pv::carries_personal_data(event_type, payload) {
        return Ok(None);
    }
    let subject = pv::subject_of(event_type, payload).ok_or_else(|| {
        StorageError::Integrity(format!("{event_type}: the payload names no person"))
    })?;
    let key = key_for_new(tx, t, keys, subject, now).await?;
    let mut nonces = Vec::with_capacity(spec.fields.len());
    for _ in spec.fields {
        nonces.push(random::<12>()?);
    }
    let sealed = pv::seal(event_type, payload, &key, &mut || {
        nonces.pop().unwrap_or_default()
    })
    .map_err(|e| StorageError::Integrity(e.to_string()))?;
    Ok(Some(sealed))
}

/// Destroys the data key of `subject` (or records the erasure of a person who has none:
/// events written before sealing are then masked on read). Keeps ids only.
pub(crate) async fn shred<Q: Queryable>(
    tx: &mut Q,
    t: &Tables,
    subject: Subject,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    tx.exec_drop(
        format!(
            "INSERT INTO {} (subject_type, subject_id, wrapped_key, wrapping, created_at, erased_at) \
             VALUES (?, ?, NULL, ?, ?, ?) ON DUPLICATE KEY UPDATE wrapped_key = NULL, \
             wrapping = VALUES(wrapping), erased_at = VALUES(erased_at)",
            t.personal_keys
        ),
        (
            subject.kind.as_str(),
            subject.id.to_string(),
            ERASED,
            to_db_time(now),
            to_db_time(now),
        ),
    )
    .await?;
    Ok(())
}

/// Whether `subject` was erased.
pub(crate) async fn is_erased<Q: Queryable>(
    q: &mut Q,
    t: &Tables,
    subject: Subject,
) -> Result<bool, StorageError> {
    let row: Option<u8> = q
        .exec_first(
            format!(
                "SELECT 1 FROM {} WHERE subject_id = ? AND subject_type = ? AND erased_at IS NOT NULL",
                t.personal_keys
            ),
            (subject.id.to_string(), subject.kind.as_str()),
        )
        .await?;
    Ok(row.is_some())
}

/// What one pass of [`App::rotate_privacy_key`] did.
#[derive(Debug, Default)]
struct Rewrapped {
    rewrapped: u64,
    unreadable: u64,
    last: Option<(String, String)>,
}

/// Re-wraps up to `batch` data keys after `after` (keyset on the primary key) that are not
/// wrapped with the current site key, in `tx` (rows locked): each opened with the key it
/// was wrapped with (the previous site key, or none) and wrapped with the current one. A
/// key that opens with neither is left as it is and counted.
async fn rewrap_batch<Q: Queryable>(
    tx: &mut Q,
    t: &Tables,
    keys: &SiteKeys,
    current: &SiteKey,
    after: &Option<(String, String)>,
    batch: u64,
) -> Result<(Rewrapped, usize), StorageError> {
    let current_wrapping = wrapping_of(current);
    let (after_id, after_type) = after.clone().unwrap_or_default();
    let rows: Vec<(String, String, Option<String>, String)> = tx
        .exec(
            format!(
                "SELECT subject_id, subject_type, wrapped_key, wrapping FROM {} \
                 WHERE (subject_id, subject_type) > (?, ?) AND erased_at IS NULL \
                 ORDER BY subject_id, subject_type LIMIT ? FOR UPDATE",
                t.personal_keys
            ),
            (after_id, after_type, batch),
        )
        .await?;
    let n = rows.len();
    let mut out = Rewrapped::default();
    for (id, kind, wrapped, wrapping) in rows {
        out.last = Some((id.clone(), kind.clone()));
        if wrapping == current_wrapping {
            continue;
        }
        let (Some(k), Ok(uuid)) = (SubjectKind::parse(&kind), Uuid::parse_str(&id)) else {
            out.unreadable += 1;
            continue;
        };
        let subject = Subject { kind: k, id: uuid };
        let Entry::Live(key) = entry(keys, subject, wrapped.as_deref(), &wrapping) else {
            out.unreadable += 1;
            continue;
        };
        let new = pv::wrap_key(current, &key, subject, random::<12>()?)
            .map_err(|e| StorageError::Integrity(e.to_string()))?;
        tx.exec_drop(
            format!(
                "UPDATE {} SET wrapped_key = ?, wrapping = ? \
                 WHERE subject_id = ? AND subject_type = ? AND wrapping = ?",
                t.personal_keys
            ),
            (new, &current_wrapping, &id, &kind, &wrapping),
        )
        .await?;
        out.rewrapped += 1;
    }
    Ok((out, n))
}

impl App {
    /// Re-wraps every person's data key with the current site key (`privacy_key`, from
    /// `PET_PRIVACY_KEY`): the keys wrapped with `previous_privacy_key`
    /// (`PET_PRIVACY_KEY_PREVIOUS`, the key being replaced) or stored unwrapped (before a
    /// site key was set). Both keys open data while it runs, so the site keeps working;
    /// run it until `done`, then remove the previous key. `{batch?: 1–10000 (default 500),
    /// max_seconds?: 1–3600 (default 20)}` → `{rewrapped, unreadable, remaining, done}`:
    /// `unreadable` keys open with neither site key (wrapped with a third one: set it as
    /// the previous key); `remaining` counts the keys not yet wrapped with the current key.
    /// Each batch is one transaction; a repeated or interrupted run converges. Only on a
    /// writable server.
    pub async fn rotate_privacy_key(
        &self,
        options: &serde_json::Value,
    ) -> Result<serde_json::Value, AppError> {
        let mut o = Input::new(options, "options");
        let batch = o.opt_i64("batch").unwrap_or(500);
        let max_seconds = o.opt_i64("max_seconds").unwrap_or(20);
        if !(1..=10_000).contains(&batch) {
            o.error("batch", "must be between 1 and 10000");
        }
        if !(1..=3600).contains(&max_seconds) {
            o.error("max_seconds", "must be between 1 and 3600");
        }
        o.finish()?;
        let keys = self.store().site_keys().clone();
        let Some(current) = keys.current.clone() else {
            return Err(AppError::field(
                "privacy_key",
                "is not set: set PET_PRIVACY_KEY to the new key (and PET_PRIVACY_KEY_PREVIOUS to the old one) first",
            ));
        };
        let t = self.tables().clone();
        let mut conn = self.conn().await?;
        self.refuse_on_read_only(&mut conn, "re-wrap data keys")
            .await?;
        let started = std::time::Instant::now();
        let mut total = Rewrapped::default();
        let mut after = None;
        loop {
            let mut tx = conn
                .start_transaction(TxOpts::default())
                .await
                .map_err(StorageError::from)?;
            match rewrap_batch(&mut tx, &t, &keys, &current, &after, batch as u64).await {
                Ok((r, n)) => {
                    tx.commit().await.map_err(StorageError::from)?;
                    total.rewrapped += r.rewrapped;
                    total.unreadable += r.unreadable;
                    after = r.last;
                    if n < batch as usize || started.elapsed().as_secs() >= max_seconds as u64 {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e.into());
                }
            }
        }
        self.note_commit(&mut conn).await;
        let remaining: Option<u64> = conn
            .exec_first(
                format!(
                    "SELECT COUNT(*) FROM {} WHERE erased_at IS NULL AND wrapping <> ?",
                    t.personal_keys
                ),
                (wrapping_of(&current),),
            )
            .await
            .map_err(StorageError::from)?;
        let remaining = remaining.unwrap_or(0);
        Ok(serde_json::json!({
            "rewrapped": total.rewrapped,
            "unreadable": total.unreadable,
            "remaining": remaining,
            "done": remaining == 0,
        }))
    }
}

/// `%text%` for LIKE, with LIKE's wildcards and escape character escaped.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a_b%c\\d"), "%a\\_b\\%c\\\\d%");
    }
}
