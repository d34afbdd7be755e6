//! Personal data in the event log, and its erasure by crypto-shredding.
//!
//! The log is append-only and hash-chained, so a person's data cannot be deleted from it.
//! Instead the personal fields of the events that carry them ([`PERSONAL_DATA`]) are
//! *sealed* before they are appended: each field's JSON value is encrypted with
//! ChaCha20-Poly1305 under a data key of its own person (the *subject*: an employee or a
//! contact), and replaced by `{"sealed": "<hex nonce ‖ ciphertext>"}`. The chain hashes
//! the sealed payload. Erasing a person destroys their data key: the ciphertext stays in the
//! log (the chain still verifies) and can no longer be read by anyone.
//!
//! Reading opens a payload again ([`open`]): with the key, each sealed field gets its value
//! back; without it (erased, or unreadable), each personal field gets its placeholder —
//! [`ERASED_NAME`], [`erased_email`] for a required e-mail, `null` for an optional field —
//! so the typed events decode and every renderer works unchanged, and nothing panics.
//!
//! Events written before sealing existed hold their personal fields in plain text; the log
//! is never rewritten, so for an erased person [`open`] with [`KeyState::Erased`] masks them
//! on every read, but the plain text stays in the stored rows (see the README's privacy
//! section: the storage adapter reports how many such events remain).
//!
//! The per-person data keys are stored wrapped ([`wrap_key`]) with a site key derived from
//! a secret kept outside the database ([`SiteKey::derive`]).
//!
//! Pure: the caller passes every key and nonce (the crate draws no randomness).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The name every erased person is shown with.
pub const ERASED_NAME: &str = "Erased person";

/// The text an erased message (a contact's ticket reply, an e-mail's subject) reads as. A
/// valid `ReplyBody`, so replays and readers decode it like any message.
pub const ERASED_MESSAGE: &str = "(message erased)";

/// The e-mail address shown for an erased person where one is required (unique per
/// subject, so a unique column stays unique; `.invalid` is reserved and never delivers).
pub fn erased_email(subject: Uuid) -> String {
    format!("erased-{subject}@erased.invalid")
}

/// Whether `email` is an erased placeholder.
pub fn is_erased_email(email: &str) -> bool {
    email.starts_with("erased-") && email.ends_with("@erased.invalid")
}

/// Whose personal data: an employee or a customer's contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    /// An employee (`employee_id`).
    Employee,
    /// A customer's contact (`contact_id`).
    Contact,
}

impl SubjectKind {
    /// `employee` or `contact`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employee => "employee",
            Self::Contact => "contact",
        }
    }

    /// Parses `employee` or `contact`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "employee" => Some(Self::Employee),
            "contact" => Some(Self::Contact),
            _ => None,
        }
    }
}

/// One person whose data an event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject {
    /// Employee or contact.
    pub kind: SubjectKind,
    /// Their id.
    pub id: Uuid,
}

/// What an erased field reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// [`ERASED_NAME`].
    Name,
    /// [`erased_email`] of the subject (the field is required).
    Email,
    /// `null` (the field is optional).
    Null,
    /// A fixed text (a required free-text field, such as a message body).
    Text(&'static str),
}

/// The personal fields of one event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalFields {
    /// The event type.
    pub event_type: &'static str,
    /// Whose data it is.
    pub subject_kind: SubjectKind,
    /// The path to the subject's id in the payload: `["employee_id"]`, or nested, such as
    /// `["author", "contact_id"]`.
    pub subject_path: &'static [&'static str],
    /// The event carries the subject's data only when the string at this path equals this
    /// value (a reply is a contact's only when `author.kind` is `customer`); `None`: always.
    pub only_if: Option<(&'static [&'static str], &'static str)>,
    /// Whether the subject's id may be absent or `null`: the event then carries no known
    /// person's data (a reply by a customer nobody identified). Otherwise a missing subject
    /// is an error when sealing.
    pub subject_optional: bool,
    /// A payload field whose value is bound into the sealed values' associated data, so a
    /// sealed value opens only in its own event (`reply_id` for one of a contact's many
    /// messages); `None` for event types recorded once per person.
    pub bound_to: Option<&'static str>,
    /// The personal fields (top-level payload fields) and what each reads as once erased.
    pub fields: &'static [(&'static str, Placeholder)],
}

/// Every event type that carries personal data, and which fields. Every other event refers
/// to people by id only (actor, assignee, author, member, …). The messages a contact wrote
/// (`ticket.replied` by a known contact: portal, e-mail, or logged by staff for them, the
/// opening message of a ticket included) and the subjects of their e-mails
/// (`mail.received`) are theirs; free text typed by staff (their replies and notes,
/// ticket subjects, knowledge comments, lead fields) is not classified: see the README.
pub const PERSONAL_DATA: &[PersonalFields] = &[
    PersonalFields {
        event_type: "employee.created",
        subject_kind: SubjectKind::Employee,
        subject_path: &["employee_id"],
        only_if: None,
        subject_optional: false,
        bound_to: None,
        fields: &[("name", Placeholder::Name), ("email", Placeholder::Email)],
    },
    PersonalFields {
        event_type: "contact.added",
        subject_kind: SubjectKind::Contact,
        subject_path: &["contact_id"],
        only_if: None,
        subject_optional: false,
        bound_to: None,
        fields: &[
            ("name", Placeholder::Name),
            ("email", Placeholder::Null),
            ("phone", Placeholder::Null),
        ],
    },
    PersonalFields {
        event_type: "ticket.replied",
        subject_kind: SubjectKind::Contact,
        subject_path: &["author", "contact_id"],
        only_if: Some((&["author", "kind"], "customer")),
        subject_optional: true,
        bound_to: Some("reply_id"),
        fields: &[("body", Placeholder::Text(ERASED_MESSAGE))],
    },
    PersonalFields {
        event_type: "mail.received",
        subject_kind: SubjectKind::Contact,
        subject_path: &["contact_id"],
        only_if: None,
        subject_optional: false,
        bound_to: Some("mail_id"),
        fields: &[("subject", Placeholder::Text(ERASED_MESSAGE))],
    },
];

/// The personal fields of `event_type`, if it carries any.
pub fn personal_fields(event_type: &str) -> Option<&'static PersonalFields> {
    PERSONAL_DATA.iter().find(|p| p.event_type == event_type)
}

fn at<'v>(payload: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(payload, |v, k| v.get(*k))
}

/// Whether an event of this spec carries a person's data: its condition holds and, for an
/// optional subject, the subject is named.
fn applies(spec: &PersonalFields, payload: &Value) -> bool {
    let condition = spec
        .only_if
        .is_none_or(|(path, want)| at(payload, path).and_then(Value::as_str) == Some(want));
    condition
        && (!spec.subject_optional || at(payload, spec.subject_path).is_some_and(|v| !v.is_null()))
}

/// The person whose data an event of `event_type` carries, if any (`None` also for an
/// event of a personal type that carries none, such as an employee's reply).
pub fn subject_of(event_type: &str, payload: &Value) -> Option<Subject> {
    let spec = personal_fields(event_type)?;
    if !applies(spec, payload) {
        return None;
    }
    let id = at(payload, spec.subject_path)?.as_str()?;
    Some(Subject {
        kind: spec.subject_kind,
        id: Uuid::parse_str(id).ok()?,
    })
}

/// Whether this event carries personal data: its type is in [`PERSONAL_DATA`] and its
/// payload meets the type's condition (a contact's reply, not an employee's).
pub fn carries_personal_data(event_type: &str, payload: &Value) -> bool {
    personal_fields(event_type).is_some_and(|spec| applies(spec, payload))
}

/// Whether any personal field of the payload is sealed.
pub fn is_sealed(event_type: &str, payload: &Value) -> bool {
    personal_fields(event_type).is_some_and(|spec| {
        spec.fields
            .iter()
            .any(|(f, _)| payload.get(*f).is_some_and(|v| sealed_text(v).is_some()))
    })
}

/// A person's 256-bit data key. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl DataKey {
    /// The key from its bytes (drawn by the caller from a secure source).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key as hex, for a store that keeps it unwrapped (no site key configured).
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A key from [`DataKey::to_hex`].
    pub fn from_hex(s: &str) -> Option<Self> {
        Some(Self(unhex(s)?.try_into().ok()?))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// The key that wraps every data key, derived from a secret kept outside the database.
#[derive(Clone, PartialEq, Eq)]
pub struct SiteKey([u8; 32]);

impl SiteKey {
    /// SHA-256 of a fixed label and `secret` (any string of at least 32 characters; the
    /// plugin reads it from `wp-config.php`).
    pub fn derive(secret: &str) -> Option<Self> {
        if secret.chars().count() < 32 {
            return None;
        }
        let mut h = Sha256::new();
        h.update(b"pet-privacy-site-key-v1\0");
        h.update(secret.as_bytes());
        Some(Self(h.finalize().into()))
    }

    /// A short fingerprint (first 8 bytes of a hash, hex) stored beside each wrapped key,
    /// so a wrong site key is named as such instead of failing as a bad ciphertext.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"pet-privacy-site-key-fingerprint\0");
        h.update(self.0);
        hex(&h.finalize()[..8])
    }
}

impl std::fmt::Debug for SiteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteKey(..)")
    }
}

/// Why sealing, opening or unwrapping failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivacyError {
    /// The payload has no valid subject id in its subject field.
    #[error("{0}: the payload names no subject")]
    NoSubject(String),
    /// A value could not be encrypted or serialised.
    #[error("sealing failed")]
    Seal,
    /// The ciphertext is damaged or the key is not the one it was sealed with.
    #[error("the sealed value cannot be opened with this key")]
    Open,
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn sealed_text(v: &Value) -> Option<&str> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    o.get("sealed")?.as_str()
}

/// Associated data: the ciphertext only opens as this field of this subject's event type
/// (and, for a type recorded many times per person, of this event: [`PersonalFields::
/// bound_to`]), so sealed values cannot be moved between people, fields or events
/// unnoticed.
fn aad(spec: &PersonalFields, payload: &Value, subject: Uuid, field: &str) -> String {
    let event_type = spec.event_type;
    match spec.bound_to {
        None => format!("pet-personal-v1/{event_type}/{subject}/{field}"),
        Some(b) => {
            let bound = payload.get(b).map(Value::to_string).unwrap_or_default();
            format!("pet-personal-v1/{event_type}/{subject}/{field}/{b}={bound}")
        }
    }
}

fn encrypt(key: &[u8; 32], nonce: [u8; 12], aad: &[u8], plain: &[u8]) -> Option<String> {
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        .ok()?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Some(hex(&out))
}

fn decrypt(key: &[u8; 32], text: &str, aad: &[u8]) -> Option<Vec<u8>> {
    let bytes = unhex(text)?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, ct) = bytes.split_at(12);
    ChaCha20Poly1305::new(Key::from_slice(key))
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
}

/// The payload with each present, non-null personal field sealed under `key`, each with a
/// fresh nonce from `nonce` (12 random bytes per call: a nonce must never repeat under one
/// key). A payload without personal data (of another type, or not meeting its type's
/// condition: [`carries_personal_data`]) is returned as it is.
pub fn seal(
    event_type: &str,
    payload: &Value,
    key: &DataKey,
    nonce: &mut dyn FnMut() -> [u8; 12],
) -> Result<Value, PrivacyError> {
    let Some(spec) = personal_fields(event_type).filter(|s| applies(s, payload)) else {
        return Ok(payload.clone());
    };
    let subject = subject_of(event_type, payload)
        .ok_or_else(|| PrivacyError::NoSubject(event_type.to_owned()))?;
    let mut out = payload.clone();
    let Some(obj) = out.as_object_mut() else {
        return Err(PrivacyError::NoSubject(event_type.to_owned()));
    };
    for (field, _) in spec.fields {
        let Some(v) = obj.get_mut(*field) else {
            continue;
        };
        if v.is_null() || sealed_text(v).is_some() {
            continue;
        }
        let plain = serde_json::to_vec(v).map_err(|_| PrivacyError::Seal)?;
        let text = encrypt(
            &key.0,
            nonce(),
            aad(spec, payload, subject.id, field).as_bytes(),
            &plain,
        )
        .ok_or(PrivacyError::Seal)?;
        *v = serde_json::json!({ "sealed": text });
    }
    Ok(out)
}

/// What a reader knows about the subject of an event.
#[derive(Debug, Clone, Copy)]
pub enum KeyState<'a> {
    /// Their data key: sealed fields are opened; plain (legacy) fields are kept.
    Live(&'a DataKey),
    /// No key (never stored, or unreadable): sealed fields read as their placeholders;
    /// plain (legacy) fields are kept.
    Missing,
    /// The person was erased: every personal field — sealed or plain — reads as its
    /// placeholder.
    Erased,
}

/// The payload as readers see it, and whether any field was replaced by a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The payload with its personal fields opened (or replaced).
    pub payload: Value,
    /// Whether a placeholder stands in for at least one field.
    pub replaced: bool,
}

/// Opens a stored payload for reading (see [`KeyState`]). Never fails: a sealed field
/// that does not open (damaged, wrong key) reads as its placeholder. A payload without
/// personal data ([`carries_personal_data`]) is returned as it is, whatever the key state.
pub fn open(event_type: &str, payload: &Value, key: KeyState<'_>) -> Opened {
    let Some(spec) = personal_fields(event_type).filter(|s| applies(s, payload)) else {
        return Opened {
            payload: payload.clone(),
            replaced: false,
        };
    };
    let subject = subject_of(event_type, payload);
    let mut out = payload.clone();
    let mut replaced = false;
    if let Some(obj) = out.as_object_mut() {
        for (field, placeholder) in spec.fields {
            let Some(v) = obj.get_mut(*field) else {
                continue;
            };
            let opened = match (sealed_text(v), key, subject) {
                (_, KeyState::Erased, _) => None,
                (None, _, _) => continue, // plain (legacy) or null: as it is
                (Some(text), KeyState::Live(k), Some(s)) => {
                    decrypt(&k.0, text, aad(spec, payload, s.id, field).as_bytes())
                        .and_then(|plain| serde_json::from_slice::<Value>(&plain).ok())
                }
                (Some(_), _, _) => None,
            };
            match opened {
                Some(value) => *v = value,
                None => {
                    if v.is_null() && matches!(placeholder, Placeholder::Null) {
                        continue;
                    }
                    *v = match (placeholder, subject) {
                        (Placeholder::Name, _) => Value::from(ERASED_NAME),
                        (Placeholder::Email, Some(s)) => Value::from(erased_email(s.id)),
                        (Placeholder::Email, None) => Value::from(erased_email(Uuid::nil())),
                        (Placeholder::Null, _) => Value::Null,
                        (Placeholder::Text(t), _) => Value::from(*t),
                    };
                    replaced = true;
                }
            }
        }
    }
    Opened {
        payload: out,
        replaced,
    }
}

/// A data key wrapped (encrypted) under the site key for `subject`: hex of nonce ‖
/// ciphertext. The subject is the associated data, so a wrapped key copied to another
/// person's row does not open.
pub fn wrap_key(
    site: &SiteKey,
    key: &DataKey,
    subject: Subject,
    nonce: [u8; 12],
) -> Result<String, PrivacyError> {
    encrypt(&site.0, nonce, wrap_aad(subject).as_bytes(), &key.0).ok_or(PrivacyError::Seal)
}

/// The data key of `subject` from its wrapped form.
pub fn unwrap_key(
    site: &SiteKey,
    wrapped: &str,
    subject: Subject,
) -> Result<DataKey, PrivacyError> {
    let plain =
        decrypt(&site.0, wrapped, wrap_aad(subject).as_bytes()).ok_or(PrivacyError::Open)?;
    let bytes: [u8; 32] = plain.try_into().map_err(|_| PrivacyError::Open)?;
    Ok(DataKey(bytes))
}

fn wrap_aad(subject: Subject) -> String {
    format!("pet-data-key-v1/{}/{}", subject.kind.as_str(), subject.id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn counter() -> impl FnMut() -> [u8; 12] {
        let mut n = 0u8;
        move || {
            n += 1;
            [n; 12]
        }
    }

    fn employee() -> Value {
        json!({"employee_id": "00000000-0000-0000-0000-000000000007", "name": "Ana Ruiz",
               "email": "ana@example.com", "wp_user_id": null, "cost_rate": null, "bill_rate": null})
    }

    #[test]
    fn sealed_fields_hold_no_plain_text_and_open_with_the_key() {
        let key = DataKey::from_bytes([9; 32]);
        let sealed = seal("employee.created", &employee(), &key, &mut counter()).unwrap();
        let text = sealed.to_string();
        assert!(!text.contains("Ana") && !text.contains("ana@"), "{text}");
        assert_eq!(sealed["employee_id"], employee()["employee_id"]);
        assert!(is_sealed("employee.created", &sealed));
        let opened = open("employee.created", &sealed, KeyState::Live(&key));
        assert_eq!(opened.payload, employee());
        assert!(!opened.replaced);
    }

    #[test]
    fn without_the_key_fields_read_as_placeholders() {
        let key = DataKey::from_bytes([9; 32]);
        let sealed = seal("employee.created", &employee(), &key, &mut counter()).unwrap();
        for state in [KeyState::Missing, KeyState::Erased] {
            let o = open("employee.created", &sealed, state);
            assert!(o.replaced);
            assert_eq!(o.payload["name"], ERASED_NAME);
            assert_eq!(
                o.payload["email"],
                "erased-00000000-0000-0000-0000-000000000007@erased.invalid"
            );
        }
        let wrong = DataKey::from_bytes([8; 32]);
        let o = open("employee.created", &sealed, KeyState::Live(&wrong));
        assert!(o.replaced);
        assert_eq!(o.payload["name"], ERASED_NAME);
    }

    #[test]
    fn legacy_plain_text_is_kept_unless_the_person_was_erased() {
        let o = open("employee.created", &employee(), KeyState::Missing);
        assert_eq!((o.payload, o.replaced), (employee(), false));
        let o = open("employee.created", &employee(), KeyState::Erased);
        assert!(o.replaced);
        assert_eq!(o.payload["name"], ERASED_NAME);
    }

    #[test]
    fn optional_contact_fields_become_null_and_null_stays_null() {
        let key = DataKey::from_bytes([1; 32]);
        let p = json!({"customer_id": "00000000-0000-0000-0000-000000000001",
                       "contact_id": "00000000-0000-0000-0000-000000000002",
                       "name": "Jane", "email": "jane@acme.test", "phone": null});
        let sealed = seal("contact.added", &p, &key, &mut counter()).unwrap();
        assert!(sealed["phone"].is_null());
        assert_eq!(
            open("contact.added", &sealed, KeyState::Live(&key)).payload,
            p
        );
        let gone = open("contact.added", &sealed, KeyState::Erased).payload;
        assert_eq!(gone["name"], ERASED_NAME);
        assert!(gone["email"].is_null() && gone["phone"].is_null());
    }

    #[test]
    fn a_sealed_value_does_not_open_as_another_field_or_person() {
        let key = DataKey::from_bytes([9; 32]);
        let sealed = seal("employee.created", &employee(), &key, &mut counter()).unwrap();
        let mut swapped = sealed.clone();
        swapped["name"] = sealed["email"].clone();
        assert_eq!(
            open("employee.created", &swapped, KeyState::Live(&key)).payload["name"],
            ERASED_NAME
        );
        let mut moved = sealed.clone();
        moved["employee_id"] = json!("00000000-0000-0000-0000-000000000008");
        assert!(open("employee.created", &moved, KeyState::Live(&key)).replaced);
    }

    #[test]
    fn other_events_pass_through_and_a_missing_subject_is_refused() {
        let key = DataKey::from_bytes([9; 32]);
        let p = json!({"employee_id": "x", "name": "A"});
        assert_eq!(seal("team.created", &p, &key, &mut counter()).unwrap(), p);
        assert!(matches!(
            seal("employee.created", &p, &key, &mut counter()),
            Err(PrivacyError::NoSubject(_))
        ));
        assert_eq!(
            open("employee.created", &p, KeyState::Erased).payload["name"],
            ERASED_NAME
        );
    }

    #[test]
    fn rendering_with_and_without_the_key() {
        use crate::activity::{render, NoNames};
        let key = DataKey::from_bytes([9; 32]);
        let sealed = seal("employee.created", &employee(), &key, &mut counter()).unwrap();
        let line = |k| {
            render(
                "employee.created",
                1,
                &open("employee.created", &sealed, k).payload,
                &NoNames,
            )
        };
        assert_eq!(
            line(KeyState::Live(&key)).unwrap(),
            "Ana Ruiz (ana@example.com) joined as an employee"
        );
        assert_eq!(
            line(KeyState::Erased).unwrap(),
            "Erased person joined as an employee"
        );
        assert_eq!(
            line(KeyState::Missing).unwrap(),
            "Erased person joined as an employee"
        );
        // The sealed payload itself does not decode as the typed event: readers open first.
        assert!(render("employee.created", 1, &sealed, &NoNames).is_err());
        let contact = json!({"customer_id": "00000000-0000-0000-0000-000000000001",
                       "contact_id": "00000000-0000-0000-0000-000000000002",
                       "name": "Jane", "email": "jane@acme.test", "phone": "+44 1"});
        let sealed = seal("contact.added", &contact, &key, &mut counter()).unwrap();
        let gone = open("contact.added", &sealed, KeyState::Erased).payload;
        let text = render("contact.added", 1, &gone, &NoNames).unwrap();
        assert!(
            text.starts_with("Erased person was added as a contact of"),
            "{text}"
        );
        assert!(!text.contains("jane") && !text.contains("+44"), "{text}");
    }

    fn reply(author: Value, body: &str) -> Value {
        json!({"ticket_id": "00000000-0000-0000-0000-0000000000a1",
               "reply_id": "00000000-0000-0000-0000-0000000000b1",
               "author": author, "visibility": "public", "body": body})
    }

    fn contact_author() -> Value {
        json!({"kind": "customer", "contact_id": "00000000-0000-0000-0000-000000000002"})
    }

    #[test]
    fn a_contacts_message_is_sealed_and_reads_as_the_placeholder_once_erased() {
        use crate::helpdesk::ticket::TicketEvent;
        let key = DataKey::from_bytes([4; 32]);
        let p = reply(
            contact_author(),
            "My printer is on fire, call 0470 11 22 33",
        );
        assert_eq!(
            subject_of("ticket.replied", &p),
            Some(Subject {
                kind: SubjectKind::Contact,
                id: Uuid::from_u128(2)
            })
        );
        let sealed = seal("ticket.replied", &p, &key, &mut counter()).unwrap();
        let text = sealed.to_string();
        assert!(
            !text.contains("printer") && !text.contains("0470"),
            "{text}"
        );
        assert_eq!(sealed["author"], contact_author());
        assert_eq!(sealed["reply_id"], p["reply_id"]);
        assert!(is_sealed("ticket.replied", &sealed));
        let live = open("ticket.replied", &sealed, KeyState::Live(&key));
        assert_eq!((live.payload, live.replaced), (p.clone(), false));
        for state in [KeyState::Erased, KeyState::Missing] {
            let gone = open("ticket.replied", &sealed, state);
            assert!(gone.replaced);
            assert_eq!(gone.payload["body"], ERASED_MESSAGE);
            // The typed event decodes: the placeholder is a valid reply body.
            let ev = TicketEvent::from_stored("ticket.replied", 1, &gone.payload).unwrap();
            let TicketEvent::Replied(r) = ev else {
                panic!("not a reply")
            };
            assert_eq!(r.body.as_str(), ERASED_MESSAGE);
        }
        // Bound to its reply: the same contact's sealed body does not open in another reply.
        let mut moved = sealed.clone();
        moved["reply_id"] = json!("00000000-0000-0000-0000-0000000000b2");
        let o = open("ticket.replied", &moved, KeyState::Live(&key));
        assert!(o.replaced);
        assert_eq!(o.payload["body"], ERASED_MESSAGE);
    }

    #[test]
    fn replies_by_employees_or_unknown_customers_are_not_a_contacts_data() {
        let key = DataKey::from_bytes([4; 32]);
        let by_employee = reply(
            json!({"kind": "employee", "employee_id": "00000000-0000-0000-0000-000000000007"}),
            "On our way.",
        );
        let by_unknown = reply(json!({"kind": "customer", "contact_id": null}), "Hello?");
        for p in [by_employee, by_unknown] {
            assert_eq!(subject_of("ticket.replied", &p), None);
            assert!(!carries_personal_data("ticket.replied", &p));
            assert_eq!(seal("ticket.replied", &p, &key, &mut counter()).unwrap(), p);
            for state in [KeyState::Erased, KeyState::Missing, KeyState::Live(&key)] {
                let o = open("ticket.replied", &p, state);
                assert_eq!((o.payload, o.replaced), (p.clone(), false));
            }
        }
        // A contact's reply whose author names no valid contact is refused, not left plain.
        let bad = reply(json!({"kind": "customer", "contact_id": "x"}), "Hi");
        assert!(carries_personal_data("ticket.replied", &bad));
        assert!(matches!(
            seal("ticket.replied", &bad, &key, &mut counter()),
            Err(PrivacyError::NoSubject(_))
        ));
    }

    #[test]
    fn a_legacy_plain_message_is_kept_until_its_contact_is_erased() {
        let p = reply(contact_author(), "Written before messages were sealed");
        assert!(!is_sealed("ticket.replied", &p));
        let o = open("ticket.replied", &p, KeyState::Missing);
        assert_eq!((o.payload, o.replaced), (p.clone(), false));
        let key = DataKey::from_bytes([4; 32]);
        let o = open("ticket.replied", &p, KeyState::Live(&key));
        assert_eq!((o.payload, o.replaced), (p.clone(), false));
        let o = open("ticket.replied", &p, KeyState::Erased);
        assert!(o.replaced);
        assert_eq!(o.payload["body"], ERASED_MESSAGE);
        assert_eq!(o.payload["author"], contact_author());
    }

    #[test]
    fn an_emails_subject_is_its_senders() {
        let key = DataKey::from_bytes([6; 32]);
        let p = json!({"mail_id": "00000000-0000-0000-0000-0000000000c1",
                       "ticket_id": "00000000-0000-0000-0000-0000000000a1",
                       "contact_id": "00000000-0000-0000-0000-000000000002",
                       "subject": "Re: invoice for Yannick", "attachments": 1});
        let sealed = seal("mail.received", &p, &key, &mut counter()).unwrap();
        assert!(!sealed.to_string().contains("Yannick"));
        assert_eq!(
            open("mail.received", &sealed, KeyState::Live(&key)).payload,
            p
        );
        let gone = open("mail.received", &sealed, KeyState::Erased).payload;
        assert_eq!(gone["subject"], ERASED_MESSAGE);
        assert_eq!(gone["attachments"], 1);
    }

    #[test]
    fn data_keys_wrap_per_subject_under_the_site_key() {
        assert!(SiteKey::derive("short").is_none());
        let site = SiteKey::derive(&"s".repeat(40)).unwrap();
        let other = SiteKey::derive(&"t".repeat(40)).unwrap();
        assert_ne!(site.fingerprint(), other.fingerprint());
        let key = DataKey::from_bytes([5; 32]);
        let ana = Subject {
            kind: SubjectKind::Employee,
            id: Uuid::from_u128(7),
        };
        let w = wrap_key(&site, &key, ana, [3; 12]).unwrap();
        assert_eq!(unwrap_key(&site, &w, ana).unwrap(), key);
        assert_eq!(unwrap_key(&other, &w, ana), Err(PrivacyError::Open));
        let bob = Subject {
            kind: SubjectKind::Employee,
            id: Uuid::from_u128(8),
        };
        assert_eq!(unwrap_key(&site, &w, bob), Err(PrivacyError::Open));
        assert_eq!(unwrap_key(&site, "zz", ana), Err(PrivacyError::Open));
        assert_eq!(format!("{key:?}"), "DataKey(..)");
        assert_eq!(DataKey::from_hex(&key.to_hex()), Some(key));
        assert_eq!(DataKey::from_hex("abcd"), None);
    }
}
