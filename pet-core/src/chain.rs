//! The event log's hash chain, pure: how one row of `domain_events` is hashed, how a run
//! of rows is checked against its chain, and the JSON Lines export that lets anyone verify
//! the log offline (`cargo run -p pet-core --example verify-export -- file.jsonl`).
//!
//! Every event row carries `prev_hash` (the previous row's `hash`, or [`GENESIS_HASH`] for
//! the first) and `hash`: SHA-256 over `prev_hash` and every column of the row in its
//! stored text form, each followed by a zero byte (see [`chain_hash`]). The database's
//! chain trigger (migration 0006) only accepts a row whose id is the sequence head + 1 and
//! whose `prev_hash` is the head's hash; the hash itself is computed here, by the event
//! store when it appends and by every verifier (the store's, the export's), so there is
//! one definition of it.
//!
//! What the chain proves: any edit of a stored column, a deleted, inserted or reordered
//! row, a truncated log or a sequence head moved by hand is found by recomputing it (see
//! [`ChainVerifier`]). What it cannot prove alone: someone who can write the database and
//! recomputes every hash after an edit produces a consistent chain. Against that, keep a
//! head (sequence and hash, shown on PET's Settings screen and in every export) outside
//! the database: a later log must still have that hash at that sequence
//! ([`verify_export`]'s anchors).

use std::fmt;

use chrono::{DateTime, SecondsFormat};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event (the hash of an empty chain).
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event row as the chain hashes it: every column of `domain_events` except the two
/// hashes, in its stored form (times as microseconds since the Unix epoch, UTC; the
/// payload as the exact stored JSON text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainRow<'a> {
    /// `id`, the sequence number.
    pub sequence: u64,
    /// `event_id`.
    pub event_id: &'a str,
    /// `event_type`.
    pub event_type: &'a str,
    /// `schema_version`.
    pub schema_version: u32,
    /// `occurred_at` in microseconds.
    pub occurred_at_us: i64,
    /// `recorded_at` in microseconds.
    pub recorded_at_us: i64,
    /// `actor_employee_id` (`None`: a system event).
    pub actor_employee_id: Option<&'a str>,
    /// `context_type`.
    pub context_type: &'a str,
    /// `context_id`.
    pub context_id: &'a str,
    /// `aggregate_type`.
    pub aggregate_type: &'a str,
    /// `aggregate_id`.
    pub aggregate_id: &'a str,
    /// `aggregate_version`.
    pub aggregate_version: u64,
    /// `idempotency_key`.
    pub idempotency_key: Option<&'a str>,
    /// `payload`, verbatim.
    pub payload: &'a str,
    /// `actor_contact_id` (migration 0029; `None`: not a contact's event, as every event
    /// before it).
    pub actor_contact_id: Option<&'a str>,
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// The chained hash of `row` after `prev`: SHA-256 (lower-case hex) over `prev` and every
/// column, each as text followed by a zero byte, in this order: prev_hash, sequence,
/// event_id, event_type, schema_version, occurred_at (µs), recorded_at (µs),
/// actor_employee_id (empty for a system event), context_type, context_id, aggregate_type,
/// aggregate_id, aggregate_version, idempotency_key (empty when none), payload; then, only
/// for an event a contact caused, `actor_contact_id` (so every row written before that
/// column existed keeps its hash).
pub fn chain_hash(prev: &str, row: &ChainRow<'_>) -> String {
    let mut h = Sha256::new();
    let mut part = |s: &str| {
        h.update(s.as_bytes());
        h.update([0u8]);
    };
    part(prev);
    part(&row.sequence.to_string());
    part(row.event_id);
    part(row.event_type);
    part(&row.schema_version.to_string());
    part(&row.occurred_at_us.to_string());
    part(&row.recorded_at_us.to_string());
    part(row.actor_employee_id.unwrap_or_default());
    part(row.context_type);
    part(row.context_id);
    part(row.aggregate_type);
    part(row.aggregate_id);
    part(&row.aggregate_version.to_string());
    part(row.idempotency_key.unwrap_or_default());
    part(row.payload);
    if let Some(contact) = row.actor_contact_id {
        part(contact);
    }
    hex(&h.finalize())
}

/// What is wrong with a log, at its first bad sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// Event `expected` is not there: the next row is `found` (a deleted row, or a row
    /// inserted with a gap; `found < expected`: rows out of order).
    Missing {
        /// The sequence that should come next.
        expected: u64,
        /// The sequence of the row that came instead.
        found: u64,
    },
    /// The row's `prev_hash` is not the previous event's hash: rows reordered or replaced.
    Unlinked {
        /// The row.
        sequence: u64,
    },
    /// The row's columns do not hash to its `hash`: a column was edited.
    Altered {
        /// The row.
        sequence: u64,
    },
    /// A column of the row could not be read as its type (e.g. a NULL or empty value
    /// written by hand where the store never writes one).
    Unreadable {
        /// The row.
        sequence: u64,
        /// The column.
        column: String,
    },
    /// The log ends before the sequence head: the last events are gone (truncated).
    Truncated {
        /// The last event the log still has (0: none).
        last_sequence: u64,
        /// The sequence the log should reach (the head, or what was verified before).
        expected_sequence: u64,
        /// Where the expectation comes from: "the sequence head", "an earlier verification".
        source: String,
    },
    /// Rows after the sequence head: inserted without the chain trigger.
    BeyondHead {
        /// The head.
        head_sequence: u64,
        /// The first row after it.
        sequence: u64,
    },
    /// The sequence head's hash is not the hash of the event it points at (head moved by hand).
    HeadMismatch {
        /// The head's sequence.
        head_sequence: u64,
    },
    /// The event at a known (anchored or previously verified) sequence no longer has the
    /// hash it had.
    AnchorMismatch {
        /// The row.
        sequence: u64,
        /// The hash it had.
        expected_hash: String,
    },
}

impl ChainFault {
    /// The first bad sequence.
    pub fn sequence(&self) -> u64 {
        match self {
            Self::Missing { expected, .. } => *expected,
            Self::Unlinked { sequence }
            | Self::Altered { sequence }
            | Self::Unreadable { sequence, .. }
            | Self::BeyondHead { sequence, .. }
            | Self::AnchorMismatch { sequence, .. } => *sequence,
            Self::Truncated { last_sequence, .. } => last_sequence + 1,
            Self::HeadMismatch { head_sequence } => *head_sequence,
        }
    }

    /// A stable name of the kind of fault (`missing`, `unlinked`, `altered`, `unreadable`,
    /// `truncated`, `beyond_head`, `head_mismatch`, `anchor_mismatch`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "missing",
            Self::Unlinked { .. } => "unlinked",
            Self::Altered { .. } => "altered",
            Self::Unreadable { .. } => "unreadable",
            Self::Truncated { .. } => "truncated",
            Self::BeyondHead { .. } => "beyond_head",
            Self::HeadMismatch { .. } => "head_mismatch",
            Self::AnchorMismatch { .. } => "anchor_mismatch",
        }
    }
}

impl fmt::Display for ChainFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { expected, found } if found > expected => write!(
                f,
                "event {expected} is missing: the log goes on at event {found} (rows deleted or inserted with a gap)"
            ),
            Self::Missing { expected, found } => write!(
                f,
                "event {found} comes where event {expected} should: the rows are out of order"
            ),
            Self::Unlinked { sequence } => write!(
                f,
                "event {sequence} does not follow event {}: its prev_hash is not that event's hash (rows reordered, replaced or inserted)",
                sequence.saturating_sub(1)
            ),
            Self::Altered { sequence } => write!(
                f,
                "event {sequence} does not match its hash: a column (payload or metadata) was edited"
            ),
            Self::Unreadable { sequence, column } => write!(
                f,
                "event {sequence}: column {column} holds a value the event store never writes (edited by hand)"
            ),
            Self::Truncated {
                last_sequence,
                expected_sequence,
                source,
            } => write!(
                f,
                "the log ends at event {last_sequence} but {source} reaches event {expected_sequence}: events {}–{expected_sequence} are gone (log truncated)",
                last_sequence + 1
            ),
            Self::BeyondHead {
                head_sequence,
                sequence,
            } => write!(
                f,
                "event {sequence} lies after the sequence head ({head_sequence}): it was inserted without the chain trigger, or the head was moved back by hand"
            ),
            Self::HeadMismatch { head_sequence } => write!(
                f,
                "the sequence head's hash is not the hash of event {head_sequence}: the head was moved by hand"
            ),
            Self::AnchorMismatch {
                sequence,
                expected_hash,
            } => write!(
                f,
                "event {sequence} no longer has the hash {expected_hash} it had when it was verified or exported (the log was rewritten)"
            ),
        }
    }
}

impl std::error::Error for ChainFault {}

/// Checks rows one after another against the chain, from the genesis or from a verified
/// checkpoint: each row must be the next sequence, link to the previous hash, and hash to
/// its own `hash`. Cost: one SHA-256 per row, no allocation but the hash text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVerifier {
    last_sequence: u64,
    last_hash: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier from the start of the log.
    pub fn new() -> Self {
        Self::resume(0, GENESIS_HASH)
    }

    /// A verifier that continues after event `sequence`, whose hash is `hash` (verified
    /// earlier).
    pub fn resume(sequence: u64, hash: &str) -> Self {
        Self {
            last_sequence: sequence,
            last_hash: hash.to_owned(),
            checked: 0,
        }
    }

    /// Checks the next row (with its stored `prev_hash` and `hash`) and moves past it.
    pub fn check(
        &mut self,
        row: &ChainRow<'_>,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), ChainFault> {
        let expected = self.last_sequence + 1;
        if row.sequence != expected {
            return Err(ChainFault::Missing {
                expected,
                found: row.sequence,
            });
        }
        if prev_hash != self.last_hash {
            return Err(ChainFault::Unlinked {
                sequence: row.sequence,
            });
        }
        // The store never writes an empty actor or key (it writes NULL): an empty one was
        // written by hand, and would hash like NULL.
        if row.actor_employee_id == Some("") {
            return Err(ChainFault::Unreadable {
                sequence: row.sequence,
                column: "actor_employee_id".into(),
            });
        }
        if row.idempotency_key == Some("") {
            return Err(ChainFault::Unreadable {
                sequence: row.sequence,
                column: "idempotency_key".into(),
            });
        }
        if row.actor_contact_id == Some("") {
            return Err(ChainFault::Unreadable {
                sequence: row.sequence,
                column: "actor_contact_id".into(),
            });
        }
        if chain_hash(&self.last_hash, row) != hash {
            return Err(ChainFault::Altered {
                sequence: row.sequence,
            });
        }
        self.last_sequence = row.sequence;
        hash.clone_into(&mut self.last_hash);
        self.checked += 1;
        Ok(())
    }

    /// The last verified event (0 and [`GENESIS_HASH`] before the first).
    pub fn last(&self) -> (u64, &str) {
        (self.last_sequence, &self.last_hash)
    }

    /// Rows checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// After the last row: the log must end exactly at the sequence head. `next_after_head`
    /// is the first row found after the head, if any (the caller reads past the head to
    /// know).
    pub fn check_head(
        &self,
        head_sequence: u64,
        head_hash: &str,
        next_after_head: Option<u64>,
    ) -> Result<(), ChainFault> {
        if let Some(sequence) = next_after_head {
            return Err(ChainFault::BeyondHead {
                head_sequence,
                sequence,
            });
        }
        if self.last_sequence < head_sequence {
            return Err(ChainFault::Truncated {
                last_sequence: self.last_sequence,
                expected_sequence: head_sequence,
                source: "the sequence head".into(),
            });
        }
        if self.last_sequence > head_sequence {
            return Err(ChainFault::BeyondHead {
                head_sequence,
                sequence: head_sequence + 1,
            });
        }
        if self.last_hash != head_hash {
            return Err(ChainFault::HeadMismatch { head_sequence });
        }
        Ok(())
    }
}

/// Formats microseconds since the epoch as RFC 3339 UTC with six decimals (the export's
/// time form); `None` when out of range.
pub fn micros_to_rfc3339(us: i64) -> Option<String> {
    DateTime::from_timestamp_micros(us).map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// Reads an RFC 3339 time as microseconds since the epoch.
pub fn rfc3339_to_micros(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_micros())
}

/// The export's format name (first line's `format`).
pub const EXPORT_FORMAT: &str = "pet-event-log";
/// The export's format version.
pub const EXPORT_VERSION: u32 = 1;

/// The first line of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHeader {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// [`EXPORT_VERSION`].
    pub version: u32,
    /// When the export was made (RFC 3339).
    pub exported_at: String,
    /// The table prefix of the installation (informative).
    pub prefix: String,
    /// The sequence head when the export started: the export holds events 1..=head.
    pub head: ExportHead,
}

/// A point of the chain: a sequence and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHead {
    /// The sequence.
    pub sequence: u64,
    /// Its hash.
    pub hash: String,
}

/// One event line of an export: every column, times as RFC 3339 with microseconds, the
/// payload as the exact stored JSON text (so that its hash can be recomputed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedEvent {
    /// `id`.
    pub sequence: u64,
    /// `event_id`.
    pub event_id: String,
    /// `event_type`.
    pub event_type: String,
    /// `schema_version`.
    pub schema_version: u32,
    /// `occurred_at`.
    pub occurred_at: String,
    /// `recorded_at`.
    pub recorded_at: String,
    /// `actor_employee_id`.
    pub actor_employee_id: Option<String>,
    /// `context_type`.
    pub context_type: String,
    /// `context_id`.
    pub context_id: String,
    /// `aggregate_type`.
    pub aggregate_type: String,
    /// `aggregate_id`.
    pub aggregate_id: String,
    /// `aggregate_version`.
    pub aggregate_version: u64,
    /// `idempotency_key`.
    pub idempotency_key: Option<String>,
    /// `payload`, verbatim JSON text.
    pub payload: String,
    /// `actor_contact_id` (absent from the line when NULL, as in exports made before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_contact_id: Option<String>,
    /// `prev_hash`.
    pub prev_hash: String,
    /// `hash`.
    pub hash: String,
}

/// The last line of an export: proves the file was not cut short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportEnd {
    /// Event lines in the file.
    pub events: u64,
    /// The last event's sequence and hash.
    pub last: ExportHead,
}

/// The wrapper of the last line (`{"end": {...}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportTrailer {
    /// The end.
    pub end: ExportEnd,
}

impl ExportedEvent {
    /// The row as the chain hashes it; `None` when a time is not RFC 3339.
    pub fn row(&self) -> Option<ChainRow<'_>> {
        Some(ChainRow {
            sequence: self.sequence,
            event_id: &self.event_id,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            occurred_at_us: rfc3339_to_micros(&self.occurred_at)?,
            recorded_at_us: rfc3339_to_micros(&self.recorded_at)?,
            actor_employee_id: self.actor_employee_id.as_deref(),
            context_type: &self.context_type,
            context_id: &self.context_id,
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            aggregate_version: self.aggregate_version,
            idempotency_key: self.idempotency_key.as_deref(),
            payload: &self.payload,
            actor_contact_id: self.actor_contact_id.as_deref(),
        })
    }

    /// The export line of a stored row (`None` when a time is out of range).
    pub fn from_row(row: &ChainRow<'_>, prev_hash: &str, hash: &str) -> Option<Self> {
        Some(Self {
            sequence: row.sequence,
            event_id: row.event_id.to_owned(),
            event_type: row.event_type.to_owned(),
            schema_version: row.schema_version,
            occurred_at: micros_to_rfc3339(row.occurred_at_us)?,
            recorded_at: micros_to_rfc3339(row.recorded_at_us)?,
            actor_employee_id: row.actor_employee_id.map(str::to_owned),
            context_type: row.context_type.to_owned(),
            context_id: row.context_id.to_owned(),
            aggregate_type: row.aggregate_type.to_owned(),
            aggregate_id: row.aggregate_id.to_owned(),
            aggregate_version: row.aggregate_version,
            idempotency_key: row.idempotency_key.map(str::to_owned),
            payload: row.payload.to_owned(),
            actor_contact_id: row.actor_contact_id.map(str::to_owned),
            prev_hash: prev_hash.to_owned(),
            hash: hash.to_owned(),
        })
    }
}

/// Why an export does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportError {
    /// A line is not what the format says (1-based line number).
    Format {
        /// The line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The chain is broken (at the fault's sequence).
    Chain(ChainFault),
    /// The file ends without its last line (cut short).
    Incomplete,
    /// The trailer or header does not match the events.
    Mismatch(String),
    /// An anchor (`sequence:hash` known from elsewhere) is not in the file.
    AnchorNotFound(u64),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format { line, message } => write!(f, "line {line}: {message}"),
            Self::Chain(fault) => write!(f, "{fault}"),
            Self::Incomplete => write!(f, "the file ends without its end line: it was cut short"),
            Self::Mismatch(m) => write!(f, "{m}"),
            Self::AnchorNotFound(s) => {
                write!(f, "event {s} (an expected hash) is not in the export")
            }
        }
    }
}

impl std::error::Error for ExportError {}

/// What a verified export holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// Events verified.
    pub events: u64,
    /// The head the export ends at.
    pub head: ExportHead,
    /// When it was exported.
    pub exported_at: String,
}

/// Verifies an export given as its lines: the header, every event against the chain from
/// the genesis, the end line, and each `(sequence, hash)` in `anchors` (heads recorded
/// elsewhere earlier: the export must contain them unchanged).
pub fn verify_export<I, S>(
    lines: I,
    anchors: &[(u64, String)],
) -> Result<ExportSummary, ExportError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut lines = lines.into_iter();
    let format_err = |line: u64, message: String| ExportError::Format { line, message };
    let first = lines.next().ok_or(ExportError::Incomplete)?;
    let header: ExportHeader = serde_json::from_str(first.as_ref())
        .map_err(|e| format_err(1, format!("not a PET export header: {e}")))?;
    if header.format != EXPORT_FORMAT || header.version != EXPORT_VERSION {
        return Err(format_err(
            1,
            format!(
                "format {} version {} is not {EXPORT_FORMAT} version {EXPORT_VERSION}",
                header.format, header.version
            ),
        ));
    }
    let mut verifier = ChainVerifier::new();
    let mut pending: Vec<&(u64, String)> = anchors.iter().collect();
    let mut n = 1u64;
    let mut trailer: Option<ExportEnd> = None;
    for line in lines {
        n += 1;
        let line = line.as_ref();
        if line.trim().is_empty() {
            continue;
        }
        if trailer.is_some() {
            return Err(format_err(n, "a line after the end line".into()));
        }
        if line.starts_with("{\"end\"") {
            let t: ExportTrailer = serde_json::from_str(line)
                .map_err(|e| format_err(n, format!("bad end line: {e}")))?;
            trailer = Some(t.end);
            continue;
        }
        let e: ExportedEvent = serde_json::from_str(line)
            .map_err(|err| format_err(n, format!("not an event line: {err}")))?;
        let row = e
            .row()
            .ok_or_else(|| format_err(n, "a time is not RFC 3339".into()))?;
        verifier
            .check(&row, &e.prev_hash, &e.hash)
            .map_err(ExportError::Chain)?;
        if let Some((s, h)) = pending
            .iter()
            .find(|(s, h)| *s == e.sequence && *h != e.hash)
        {
            return Err(ExportError::Chain(ChainFault::AnchorMismatch {
                sequence: *s,
                expected_hash: h.clone(),
            }));
        }
        pending.retain(|(s, _)| *s != e.sequence);
    }
    let end = trailer.ok_or(ExportError::Incomplete)?;
    let (last, last_hash) = verifier.last();
    if end.events != verifier.checked() || end.last.sequence != last || end.last.hash != last_hash {
        return Err(ExportError::Mismatch(format!(
            "the end line says {} events up to {} ({}), the file holds {} up to {last} ({last_hash})",
            end.events,
            end.last.sequence,
            end.last.hash,
            verifier.checked()
        )));
    }
    verifier
        .check_head(header.head.sequence, &header.head.hash, None)
        .map_err(ExportError::Chain)?;
    if let Some((s, _)) = pending.first() {
        return Err(ExportError::AnchorNotFound(*s));
    }
    Ok(ExportSummary {
        events: verifier.checked(),
        head: header.head,
        exported_at: header.exported_at,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn row(sequence: u64, payload: &str) -> ChainRow<'_> {
        ChainRow {
            sequence,
            event_id: "0190f000-0000-7000-8000-000000000001",
            event_type: "test.happened",
            schema_version: 1,
            occurred_at_us: 1_772_442_000_000_000,
            recorded_at_us: 1_772_442_000_000_001,
            actor_employee_id: None,
            context_type: "team",
            context_id: "0190f000-0000-7000-8000-000000000002",
            aggregate_type: "team",
            aggregate_id: "0190f000-0000-7000-8000-000000000002",
            aggregate_version: sequence,
            idempotency_key: None,
            payload,
            actor_contact_id: None,
        }
    }

    /// The hash is the one every existing log was written with: SHA-256 over the parts,
    /// each followed by a zero byte (computed independently here).
    #[test]
    fn hash_is_sha256_over_zero_terminated_columns() {
        let r = row(1, "{\"n\":1}");
        let mut expected = Sha256::new();
        for p in [
            GENESIS_HASH,
            "1",
            r.event_id,
            "test.happened",
            "1",
            "1772442000000000",
            "1772442000000001",
            "",
            "team",
            r.context_id,
            "team",
            r.aggregate_id,
            "1",
            "",
            "{\"n\":1}",
        ] {
            expected.update(p.as_bytes());
            expected.update([0u8]);
        }
        let expected: String = expected
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(chain_hash(GENESIS_HASH, &r), expected);
    }

    /// A contact's event hashes its `actor_contact_id` after the payload; an event without
    /// one hashes exactly as before the column existed.
    #[test]
    fn a_contact_actor_is_hashed_after_the_payload() {
        let plain = row(1, "{\"n\":1}");
        let contact = "0190f000-0000-7000-8000-000000000003";
        let by_contact = ChainRow {
            actor_contact_id: Some(contact),
            ..plain
        };
        let mut expected = Sha256::new();
        for p in [
            GENESIS_HASH,
            "1",
            plain.event_id,
            "test.happened",
            "1",
            "1772442000000000",
            "1772442000000001",
            "",
            "team",
            plain.context_id,
            "team",
            plain.aggregate_id,
            "1",
            "",
            "{\"n\":1}",
            contact,
        ] {
            expected.update(p.as_bytes());
            expected.update([0u8]);
        }
        let expected: String = expected
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(chain_hash(GENESIS_HASH, &by_contact), expected);
        assert_ne!(
            chain_hash(GENESIS_HASH, &by_contact),
            chain_hash(GENESIS_HASH, &plain)
        );
        // The verifier and the export carry it: a removed contact is an altered row.
        let h = chain_hash(GENESIS_HASH, &by_contact);
        let mut v = ChainVerifier::new();
        assert_eq!(
            v.check(&plain, GENESIS_HASH, &h),
            Err(ChainFault::Altered { sequence: 1 })
        );
        let mut v = ChainVerifier::new();
        assert_eq!(v.check(&by_contact, GENESIS_HASH, &h), Ok(()));
        let line = ExportedEvent::from_row(&by_contact, GENESIS_HASH, &h).unwrap();
        assert_eq!(line.row(), Some(by_contact));
        let old_line = ExportedEvent::from_row(&plain, GENESIS_HASH, &h).unwrap();
        assert!(!serde_json::to_string(&old_line)
            .unwrap()
            .contains("actor_contact_id"));
    }

    fn chain(n: u64) -> Vec<(String, String, String)> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|i| {
                let payload = format!("{{\"n\":{i}}}");
                let h = chain_hash(&prev, &row(i, &payload));
                let out = (payload, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    #[test]
    fn verifier_accepts_a_chain_and_names_each_fault() {
        let c = chain(3);
        let mut v = ChainVerifier::new();
        for (i, (p, prev, h)) in c.iter().enumerate() {
            v.check(&row(i as u64 + 1, p), prev, h).unwrap();
        }
        assert_eq!(v.checked(), 3);
        v.check_head(3, &c[2].2, None).unwrap();
        assert_eq!(
            v.check_head(4, &c[2].2, None).unwrap_err().kind(),
            "truncated"
        );
        assert_eq!(
            v.check_head(3, GENESIS_HASH, None).unwrap_err().kind(),
            "head_mismatch"
        );
        assert_eq!(
            v.check_head(2, &c[1].2, None).unwrap_err().kind(),
            "beyond_head"
        );
        assert_eq!(v.check_head(3, &c[2].2, Some(9)).unwrap_err().sequence(), 9);

        // Edited payload.
        let mut v = ChainVerifier::new();
        v.check(&row(1, &c[0].0), &c[0].1, &c[0].2).unwrap();
        let f = v.check(&row(2, "{\"n\":7}"), &c[1].1, &c[1].2).unwrap_err();
        assert_eq!((f.kind(), f.sequence()), ("altered", 2));
        // Deleted row 2.
        let f = v.check(&row(3, &c[2].0), &c[2].1, &c[2].2).unwrap_err();
        assert_eq!((f.kind(), f.sequence()), ("missing", 2));
        // Row 3's content numbered 2 (reordered): prev does not link.
        let mut r = row(2, &c[2].0);
        r.aggregate_version = 3;
        let f = v.check(&r, &c[2].1, &c[2].2).unwrap_err();
        assert_eq!((f.kind(), f.sequence()), ("unlinked", 2));
        // An empty actor (hashes like NULL) is refused.
        let mut r = row(2, &c[1].0);
        r.actor_employee_id = Some("");
        assert_eq!(
            v.check(&r, &c[1].1, &c[1].2).unwrap_err().kind(),
            "unreadable"
        );
        // Resume from a checkpoint.
        let mut v = ChainVerifier::resume(2, &c[1].2);
        v.check(&row(3, &c[2].0), &c[2].1, &c[2].2).unwrap();
        assert_eq!(v.last(), (3, c[2].2.as_str()));
    }

    #[test]
    fn times_round_trip_through_rfc3339() {
        let us = 1_772_442_000_123_456;
        let s = micros_to_rfc3339(us).unwrap();
        assert_eq!(s, "2026-03-02T09:00:00.123456Z");
        assert_eq!(rfc3339_to_micros(&s), Some(us));
    }

    fn export(n: u64) -> Vec<String> {
        let c = chain(n);
        let head = c.last().map_or(GENESIS_HASH.to_owned(), |x| x.2.clone());
        let mut lines = vec![serde_json::to_string(&ExportHeader {
            format: EXPORT_FORMAT.into(),
            version: EXPORT_VERSION,
            exported_at: "2026-03-02T10:00:00.000000Z".into(),
            prefix: "wp_".into(),
            head: ExportHead {
                sequence: n,
                hash: head.clone(),
            },
        })
        .unwrap()];
        for (i, (p, prev, h)) in c.iter().enumerate() {
            let r = row(i as u64 + 1, p);
            lines.push(
                serde_json::to_string(&ExportedEvent::from_row(&r, prev, h).unwrap()).unwrap(),
            );
        }
        lines.push(
            serde_json::to_string(&ExportTrailer {
                end: ExportEnd {
                    events: n,
                    last: ExportHead {
                        sequence: n,
                        hash: head,
                    },
                },
            })
            .unwrap(),
        );
        lines
    }

    #[test]
    fn an_export_verifies_and_tampering_is_found() {
        let good = export(3);
        let s = verify_export(&good, &[]).unwrap();
        assert_eq!(s.events, 3);
        let h2: ExportedEvent = serde_json::from_str(&good[2]).unwrap();
        verify_export(&good, &[(2, h2.hash.clone())]).unwrap();
        assert!(matches!(
            verify_export(&good, &[(2, GENESIS_HASH.into())]),
            Err(ExportError::Chain(ChainFault::AnchorMismatch {
                sequence: 2,
                ..
            }))
        ));
        assert_eq!(
            verify_export(&good, &[(9, GENESIS_HASH.into())]),
            Err(ExportError::AnchorNotFound(9))
        );
        // Edited payload in line 3 (event 2).
        let mut bad = good.clone();
        bad[2] = bad[2].replace("{\\\"n\\\":2}", "{\\\"n\\\":5}");
        assert_ne!(bad, good);
        assert!(matches!(
            verify_export(&bad, &[]),
            Err(ExportError::Chain(ChainFault::Altered { sequence: 2 }))
        ));
        // A line dropped.
        let mut bad = good.clone();
        bad.remove(2);
        assert!(matches!(
            verify_export(&bad, &[]),
            Err(ExportError::Chain(ChainFault::Missing {
                expected: 2,
                found: 3
            }))
        ));
        // Cut short.
        let bad = &good[..good.len() - 1];
        assert_eq!(verify_export(bad, &[]), Err(ExportError::Incomplete));
        // Last event and end line dropped together, the end line rewritten.
        let mut bad = good[..3].to_vec();
        bad.push(good[4].clone());
        assert!(matches!(
            verify_export(&bad, &[]),
            Err(ExportError::Mismatch(_))
        ));
    }
}
