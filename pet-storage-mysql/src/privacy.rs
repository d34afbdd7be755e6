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

use crate::config::Tables;
use crate::db::to_db_time;
use crate::error::StorageError;

/// `wrapping` of a key stored without a site key.
const UNWRAPPED: &str = "none";
/// `wrapping` of an erased person's row.
const ERASED: &str = "erased";

fn wrapping_of(site: &SiteKey) -> String {
    format!("site:{}", site.fingerprint())
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

fn entry(site: Option<&SiteKey>, subject: Subject, wrapped: Option<&str>, wrapping: &str) -> Entry {
    let Some(wrapped) = wrapped else {
        return Entry::Erased;
    };
    let key = if wrapping == UNWRAPPED {
        DataKey::from_hex(wrapped)
    } else {
        site.filter(|s| wrapping == wrapping_of(s))
            .and_then(|s| pv::unwrap_key(s, wrapped, subject).ok())
    };
    key.map_or(Entry::Unreadable, Entry::Live)
}

/// The keys of `subjects` (one query per 500).
pub(crate) async fn load_keys<Q: Queryable>(
    q: &mut Q,
    t: &Tables,
    site: Option<&SiteKey>,
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
                .insert(s, entry(site, s, wrapped.as_deref(), &wrapping));
        }
    }
    Ok(ring)
}

/// Opens the personal fields of `events` (read from the log) with their people's keys.
pub(crate) async fn open_events<Q: Queryable>(
    q: &mut Q,
    t: &Tables,
    site: Option<&SiteKey>,
    events: Vec<RecordedEvent>,
) -> Result<Vec<RecordedEvent>, StorageError> {
    let subjects: Vec<Subject> = events
        .iter()
        .filter_map(|r| pv::subject_of(r.event.event_type().as_str(), r.event.payload()))
        .collect();
    if subjects.is_empty() {
        return Ok(events);
    }
    let ring = load_keys(q, t, site, &subjects).await?;
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

/// The data key of `subject`, for sealing a new event: the stored one, or a new one drawn
/// and stored now (in `tx`). Refuses a person already erased, and a key wrapped with
/// another site key (the configured `privacy_key` changed).
pub(crate) async fn key_for_new<Q: Queryable>(
    tx: &mut Q,
    t: &Tables,
    site: Option<&SiteKey>,
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
        return match entry(site, subject, wrapped.as_deref(), &wrapping) {
            Entry::Live(k) => Ok(k),
            Entry::Erased => Err(StorageError::Integrity(format!(
                "the personal data of {} {} was erased; it is not recorded again",
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
    let (wrapped, wrapping) = match site {
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
    site: Option<&SiteKey>,
    event_type: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Option<serde_json::Value>, StorageError> {
    let Some(spec) = pv::personal_fields(event_type) else {
        return Ok(None);
    };
    let subject = pv::subject_of(event_type, payload).ok_or_else(|| {
        StorageError::Integrity(format!("{event_type}: the payload names no person"))
    })?;
    let key = key_for_new(tx, t, site, subject, now).await?;
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
