//! Lead schemas: the malleable part of a lead. A schema is a list of custom field
//! definitions; publishing makes a new immutable, numbered version, and every lead is
//! validated forever against the version it was captured with.

use crate::aggregate::domain_events;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{LeadSchemaId, SchemaVersionNumber};
use super::values::FieldKey;
use crate::error::{DomainError, FieldErrors};
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::identity::values::Name;

/// The aggregate type of lead schemas.
pub const AGGREGATE_TYPE: &str = "lead_schema";

/// The type of a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text (a JSON string).
    Text,
    /// A whole number (a JSON integer).
    Number,
    /// A calendar date (`YYYY-MM-DD`).
    Date,
    /// One of the field's options.
    Select,
    /// Any number of the field's options (a JSON array).
    Multiselect,
    /// Yes or no (a JSON boolean).
    Bool,
}

impl FieldType {
    /// The stored name, e.g. `multiselect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Select => "select",
            Self::Multiselect => "multiselect",
            Self::Bool => "bool",
        }
    }

    /// Parses a stored name given as input field `type`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        [
            Self::Text,
            Self::Number,
            Self::Date,
            Self::Select,
            Self::Multiselect,
            Self::Bool,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
        .ok_or_else(|| {
            DomainError::field(
                "type",
                "must be text, number, date, select, multiselect or bool",
            )
        })
    }

    fn has_options(self) -> bool {
        matches!(self, Self::Select | Self::Multiselect)
    }
}

/// One custom field of a lead schema version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "FieldDefinitionFields")]
pub struct FieldDefinition {
    key: FieldKey,
    label: Name,
    #[serde(rename = "type")]
    field_type: FieldType,
    required: bool,
    options: Vec<Name>,
    order: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDefinitionFields {
    key: FieldKey,
    label: Name,
    #[serde(rename = "type")]
    field_type: FieldType,
    required: bool,
    options: Vec<Name>,
    order: u32,
}

impl TryFrom<FieldDefinitionFields> for FieldDefinition {
    type Error = DomainError;
    fn try_from(f: FieldDefinitionFields) -> Result<Self, Self::Error> {
        FieldDefinition::new(f.key, f.label, f.field_type, f.required, f.options, f.order)
    }
}

impl FieldDefinition {
    /// Validates a definition: select and multiselect fields need 1–100 distinct options
    /// (field `options`); other types take none.
    pub fn new(
        key: FieldKey,
        label: Name,
        field_type: FieldType,
        required: bool,
        options: Vec<Name>,
        order: u32,
    ) -> Result<Self, DomainError> {
        if field_type.has_options() {
            if options.is_empty() || options.len() > 100 {
                return Err(DomainError::field(
                    "options",
                    format!("a {} field needs 1 to 100 options", field_type.as_str()),
                ));
            }
            let distinct: BTreeSet<&str> = options.iter().map(Name::as_str).collect();
            if distinct.len() != options.len() {
                return Err(DomainError::field("options", "must not repeat an option"));
            }
        } else if !options.is_empty() {
            return Err(DomainError::field(
                "options",
                format!("a {} field takes no options", field_type.as_str()),
            ));
        }
        Ok(Self {
            key,
            label,
            field_type,
            required,
            options,
            order,
        })
    }

    /// The key values are stored under.
    pub fn key(&self) -> &FieldKey {
        &self.key
    }
    /// The label shown to people.
    pub fn label(&self) -> &Name {
        &self.label
    }
    /// The type.
    pub fn field_type(&self) -> FieldType {
        self.field_type
    }
    /// Whether a lead must have a value.
    pub fn required(&self) -> bool {
        self.required
    }
    /// The allowed options (select and multiselect only), in display order.
    pub fn options(&self) -> &[Name] {
        &self.options
    }
    /// The display position (fields are kept sorted by order, then key).
    pub fn order(&self) -> u32 {
        self.order
    }

    fn allows(&self, option: &str) -> bool {
        self.options.iter().any(|o| o.as_str() == option)
    }
}

/// A typed custom value, read through the field definition it was captured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomValue {
    /// A `text` value.
    Text(String),
    /// A `number` value.
    Number(i64),
    /// A `date` value.
    Date(NaiveDate),
    /// A `select` value (one of the options).
    Select(String),
    /// A `multiselect` value (options, in the field's option order).
    Multiselect(Vec<String>),
    /// A `bool` value.
    Bool(bool),
}

impl CustomValue {
    /// The value as text for display (`2026-03-01`, `yes`, `A, B`).
    pub fn display(&self) -> String {
        match self {
            Self::Text(s) | Self::Select(s) => s.clone(),
            Self::Number(n) => n.to_string(),
            Self::Date(d) => d.format("%Y-%m-%d").to_string(),
            Self::Multiselect(v) => v.join(", "),
            Self::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        }
    }
}

/// Why a lead's custom values do not fit its schema version; each names the field key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomFieldError {
    /// The schema version has no such field.
    #[error("{key}: is not a field of lead schema version {version}")]
    UnknownField {
        /// The key given.
        key: String,
        /// The schema version checked against.
        version: SchemaVersionNumber,
    },
    /// The value is not of the field's type.
    #[error("{key}: must be {expected}")]
    WrongType {
        /// The field.
        key: FieldKey,
        /// What the field takes, e.g. `a whole number`.
        expected: &'static str,
    },
    /// A required field has no value.
    #[error("{key}: is required")]
    MissingRequired {
        /// The field.
        key: FieldKey,
    },
    /// A select or multiselect value is not one of the field's options.
    #[error("{key}: option {option:?} is not allowed")]
    OptionNotAllowed {
        /// The field.
        key: FieldKey,
        /// The option given.
        option: String,
    },
}

impl CustomFieldError {
    /// The input field the error is reported on: `custom_fields.<key>`.
    pub fn input_field(&self) -> String {
        let key = match self {
            Self::UnknownField { key, .. } => key.as_str(),
            Self::WrongType { key, .. }
            | Self::MissingRequired { key }
            | Self::OptionNotAllowed { key, .. } => key.as_str(),
        };
        format!("custom_fields.{key}")
    }

    /// The message without the key.
    pub fn message(&self) -> String {
        let full = self.to_string();
        match full.split_once(": ") {
            Some((_, m)) => m.to_owned(),
            None => full,
        }
    }
}

/// Turns custom-field errors into a [`DomainError::Validation`] keyed `custom_fields.<key>`.
pub fn custom_field_errors(errors: &[CustomFieldError]) -> DomainError {
    let mut f = FieldErrors::new();
    for e in errors {
        f.add(e.input_field(), e.message());
    }
    DomainError::Validation(f)
}

/// A lead's custom values as captured: keys of its schema version mapped to normalised
/// JSON values (no nulls, no empty strings or arrays). Only
/// [`LeadSchemaVersion::validate`] builds one from input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, serde_json::Value>")]
pub struct CustomValues(BTreeMap<FieldKey, serde_json::Value>);

impl TryFrom<BTreeMap<String, serde_json::Value>> for CustomValues {
    type Error = DomainError;
    /// Structural check of stored values (keys are field keys; values are strings,
    /// integers, booleans or arrays of strings). The schema check is done when captured.
    fn try_from(m: BTreeMap<String, serde_json::Value>) -> Result<Self, Self::Error> {
        use serde_json::Value as V;
        let mut out = BTreeMap::new();
        for (k, v) in m {
            let key = FieldKey::new(&k)?;
            let ok = match &v {
                V::String(s) => !s.is_empty(),
                V::Number(n) => n.is_i64(),
                V::Bool(_) => true,
                V::Array(a) => !a.is_empty() && a.iter().all(V::is_string),
                V::Null | V::Object(_) => false,
            };
            if !ok {
                return Err(DomainError::field(
                    format!("custom_fields.{k}"),
                    "is not a stored custom value",
                ));
            }
            out.insert(key, v);
        }
        Ok(Self(out))
    }
}

impl CustomValues {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }
    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The stored JSON value of a key.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }
    /// Iterates over `(key, value)` in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&FieldKey, &serde_json::Value)> {
        self.0.iter()
    }
    /// The values as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                .collect(),
        )
    }
}

/// One published, immutable version of the lead schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadSchemaVersion {
    /// The schema.
    pub schema_id: LeadSchemaId,
    /// Its number.
    pub number: SchemaVersionNumber,
    /// The fields, sorted by order then key.
    pub fields: Vec<FieldDefinition>,
}

impl LeadSchemaVersion {
    /// The definition of `key`, if this version has it.
    pub fn field(&self, key: &str) -> Option<&FieldDefinition> {
        self.fields.iter().find(|f| f.key.as_str() == key)
    }

    /// Checks raw input values against this version and normalises them. Null, `""`
    /// and `[]` count as no value. Reports every problem at once, each with its key.
    pub fn check(
        &self,
        input: &BTreeMap<String, serde_json::Value>,
    ) -> Result<CustomValues, Vec<CustomFieldError>> {
        use serde_json::Value as V;
        let mut errors = Vec::new();
        let mut out = BTreeMap::new();
        for key in input.keys() {
            if self.field(key).is_none() {
                errors.push(CustomFieldError::UnknownField {
                    key: key.clone(),
                    version: self.number,
                });
            }
        }
        for def in &self.fields {
            let raw = input.get(def.key.as_str()).unwrap_or(&V::Null);
            let empty = match raw {
                V::Null => true,
                V::String(s) => s.trim().is_empty(),
                V::Array(a) => a.is_empty(),
                _ => false,
            };
            if empty {
                if def.required {
                    errors.push(CustomFieldError::MissingRequired {
                        key: def.key.clone(),
                    });
                }
                continue;
            }
            match parse_value(def, raw) {
                Ok(v) => {
                    out.insert(def.key.clone(), to_json(&v));
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(CustomValues(out))
        } else {
            Err(errors)
        }
    }

    /// [`LeadSchemaVersion::check`] as a [`DomainError::Validation`] keyed
    /// `custom_fields.<key>`.
    pub fn validate(
        &self,
        input: &BTreeMap<String, serde_json::Value>,
    ) -> Result<CustomValues, DomainError> {
        self.check(input).map_err(|e| custom_field_errors(&e))
    }

    /// Reads stored values through this version: every field in display order with its
    /// typed value (`None` when the lead has none). Stored values that no longer parse
    /// (they cannot, if captured with this version) are reported as errors.
    pub fn read(
        &self,
        values: &CustomValues,
    ) -> Result<Vec<(&FieldDefinition, Option<CustomValue>)>, Vec<CustomFieldError>> {
        let raw: BTreeMap<String, serde_json::Value> = values
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
            .collect();
        self.check(&raw)?;
        let mut out = Vec::new();
        for def in &self.fields {
            let v = match values.get(def.key.as_str()) {
                Some(raw) => Some(parse_value(def, raw).map_err(|e| vec![e])?),
                None => None,
            };
            out.push((def, v));
        }
        Ok(out)
    }
}

fn to_json(v: &CustomValue) -> serde_json::Value {
    use serde_json::Value as V;
    match v {
        CustomValue::Text(s) | CustomValue::Select(s) => V::String(s.clone()),
        CustomValue::Number(n) => V::from(*n),
        CustomValue::Date(d) => V::String(d.format("%Y-%m-%d").to_string()),
        CustomValue::Multiselect(a) => V::Array(a.iter().cloned().map(V::String).collect()),
        CustomValue::Bool(b) => V::Bool(*b),
    }
}

fn parse_value(
    def: &FieldDefinition,
    raw: &serde_json::Value,
) -> Result<CustomValue, CustomFieldError> {
    use serde_json::Value as V;
    let wrong = |expected| CustomFieldError::WrongType {
        key: def.key.clone(),
        expected,
    };
    let not_allowed = |o: &str| CustomFieldError::OptionNotAllowed {
        key: def.key.clone(),
        option: o.to_owned(),
    };
    match def.field_type {
        FieldType::Text => match raw {
            V::String(s) => {
                let t = s.trim();
                if t.chars().count() > 2000 {
                    Err(wrong("text of at most 2000 characters"))
                } else if t
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    Err(wrong("text without control characters"))
                } else {
                    Ok(CustomValue::Text(t.to_owned()))
                }
            }
            _ => Err(wrong("text")),
        },
        FieldType::Number => match raw {
            V::Number(n) => n
                .as_i64()
                .map(CustomValue::Number)
                .ok_or(wrong("a whole number")),
            _ => Err(wrong("a whole number")),
        },
        FieldType::Date => match raw {
            V::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(CustomValue::Date)
                .map_err(|_| wrong("a date (YYYY-MM-DD)")),
            _ => Err(wrong("a date (YYYY-MM-DD)")),
        },
        FieldType::Select => match raw {
            V::String(s) if def.allows(s.trim()) => Ok(CustomValue::Select(s.trim().to_owned())),
            V::String(s) => Err(not_allowed(s)),
            _ => Err(wrong("one option (a string)")),
        },
        FieldType::Multiselect => match raw {
            V::Array(items) => {
                let mut chosen = BTreeSet::new();
                for i in items {
                    let V::String(s) = i else {
                        return Err(wrong("a list of options (strings)"));
                    };
                    if !def.allows(s.trim()) {
                        return Err(not_allowed(s));
                    }
                    chosen.insert(s.trim());
                }
                // Normalised: each option once, in the field's option order.
                Ok(CustomValue::Multiselect(
                    def.options
                        .iter()
                        .map(Name::as_str)
                        .filter(|o| chosen.contains(o))
                        .map(str::to_owned)
                        .collect(),
                ))
            }
            _ => Err(wrong("a list of options (strings)")),
        },
        FieldType::Bool => match raw {
            V::Bool(b) => Ok(CustomValue::Bool(*b)),
            _ => Err(wrong("true or false")),
        },
    }
}

/// The lead schema: every version published so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadSchema {
    id: LeadSchemaId,
    versions: Vec<LeadSchemaVersion>,
    version: u64,
}

impl LeadSchema {
    /// Rebuilds the state from stored version rows (sorted here by number).
    pub fn restore(id: LeadSchemaId, mut versions: Vec<LeadSchemaVersion>, version: u64) -> Self {
        versions.sort_by_key(|v| v.number);
        Self {
            id,
            versions,
            version,
        }
    }
    /// The id.
    pub fn id(&self) -> LeadSchemaId {
        self.id
    }
    /// Every published version, oldest first (never changed once published).
    pub fn versions(&self) -> &[LeadSchemaVersion] {
        &self.versions
    }
    /// The newest version: what new leads are captured with.
    pub fn latest(&self) -> Option<&LeadSchemaVersion> {
        self.versions.last()
    }
    /// A version by number.
    pub fn get(&self, number: SchemaVersionNumber) -> Option<&LeadSchemaVersion> {
        self.versions.iter().find(|v| v.number == number)
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// What can be asked of the lead schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadSchemaCommand {
    /// Publishes the next version with these fields (the first one creates the schema).
    Publish {
        /// The schema id (generated by the caller for the first version; checked after).
        schema_id: LeadSchemaId,
        /// The fields of the new version, in any order.
        fields: Vec<FieldDefinition>,
    },
}

domain_events! {
    /// Facts about the lead schema.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum LeadSchemaEvent {
        /// `lead_schema.published`: a new immutable version, with all its fields.
        Published(LeadSchemaVersion) = "lead_schema.published",
    }
}

impl LeadSchemaEvent {
    /// The version the event publishes.
    pub fn details(&self) -> &LeadSchemaVersion {
        match self {
            Self::Published(v) => v,
        }
    }
}

impl AggregateEvent for LeadSchemaEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.details().schema_id.as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::LeadSchema, self.details().schema_id.as_uuid())
    }
}

/// Decides a command against the schema (`None`: nothing published yet).
///
/// Rules: keys are unique within a version (at most 200 fields); a version must differ
/// from the one before it. A key may change type or options between versions: leads
/// captured with older versions keep being read with those.
pub fn decide(
    state: Option<&LeadSchema>,
    cmd: &LeadSchemaCommand,
    _now: DateTime<Utc>,
) -> Result<Vec<LeadSchemaEvent>, DomainError> {
    let LeadSchemaCommand::Publish { schema_id, fields } = cmd;
    if let Some(s) = state {
        if s.id != *schema_id {
            return Err(DomainError::invariant(format!(
                "lead schema is {}, not {schema_id}",
                s.id
            )));
        }
    }
    if fields.len() > 200 {
        return Err(DomainError::field("fields", "must be at most 200 fields"));
    }
    let mut seen = BTreeSet::new();
    for f in fields {
        if !seen.insert(f.key.as_str()) {
            return Err(DomainError::field(
                format!("fields.{}", f.key),
                "is defined twice",
            ));
        }
    }
    let mut sorted = fields.clone();
    sorted.sort_by(|a, b| (a.order, &a.key).cmp(&(b.order, &b.key)));
    let latest = state.and_then(LeadSchema::latest);
    if latest.is_some_and(|l| l.fields == sorted) {
        return Err(DomainError::invariant(format!(
            "nothing changed since lead schema version {}",
            latest.map_or(0, |l| l.number.get())
        )));
    }
    Ok(vec![LeadSchemaEvent::Published(LeadSchemaVersion {
        schema_id: *schema_id,
        number: SchemaVersionNumber::next_after(latest.map(|l| l.number))?,
        fields: sorted,
    })])
}

/// Folds one event into the state. Infallible.
pub fn evolve(state: Option<LeadSchema>, ev: &LeadSchemaEvent) -> Option<LeadSchema> {
    let v = ev.details().clone();
    Some(match state {
        None => LeadSchema {
            id: v.schema_id,
            versions: vec![v],
            version: 1,
        },
        Some(mut s) => {
            s.versions.push(v);
            s.version += 1;
            s
        }
    })
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<LeadSchema>,
    events: impl IntoIterator<Item = &'a LeadSchemaEvent>,
) -> Option<LeadSchema> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a LeadSchemaEvent>) -> Option<LeadSchema> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for LeadSchema {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = LeadSchemaCommand;
    type Event = LeadSchemaEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &LeadSchemaCommand,
        _facts: &(),
        now: DateTime<Utc>,
    ) -> Result<Vec<LeadSchemaEvent>, DomainError> {
        decide(state, cmd, now)
    }

    fn evolve(state: Option<Self>, event: &LeadSchemaEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn field(
        key: &str,
        t: FieldType,
        required: bool,
        options: &[&str],
    ) -> FieldDefinition {
        FieldDefinition::new(
            FieldKey::new(key).unwrap(),
            Name::new(&key.replace('_', " ")).unwrap(),
            t,
            required,
            options.iter().map(|o| Name::new(o).unwrap()).collect(),
            0,
        )
        .unwrap()
    }

    fn publish(state: Option<LeadSchema>, fields: Vec<FieldDefinition>) -> LeadSchema {
        let cmd = LeadSchemaCommand::Publish {
            schema_id: LeadSchemaId::from_uuid(Uuid::from_u128(1)),
            fields,
        };
        let evs = decide(state.as_ref(), &cmd, DateTime::<Utc>::UNIX_EPOCH).unwrap();
        evolve_all(state, &evs).unwrap()
    }

    fn input(v: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn definitions_check_their_options() {
        let k = || FieldKey::new("k").unwrap();
        let l = || Name::new("K").unwrap();
        let o = |s: &[&str]| s.iter().map(|x| Name::new(x).unwrap()).collect::<Vec<_>>();
        assert!(FieldDefinition::new(k(), l(), FieldType::Select, false, vec![], 0).is_err());
        assert!(
            FieldDefinition::new(k(), l(), FieldType::Select, false, o(&["a", "a"]), 0).is_err()
        );
        assert!(FieldDefinition::new(k(), l(), FieldType::Text, false, o(&["a"]), 0).is_err());
        assert!(
            FieldDefinition::new(k(), l(), FieldType::Multiselect, true, o(&["a", "b"]), 0).is_ok()
        );
        assert_eq!(FieldType::parse("multiselect"), Ok(FieldType::Multiselect));
        assert!(FieldType::parse("float").is_err());
        // Deserialising re-checks the rules.
        let bad = json!({"key": "k", "label": "K", "type": "select", "required": false, "options": [], "order": 0});
        assert!(serde_json::from_value::<FieldDefinition>(bad).is_err());
    }

    #[test]
    fn every_error_names_its_field_key() {
        let s = publish(
            None,
            vec![
                field("employees", FieldType::Number, true, &[]),
                field("industry", FieldType::Select, false, &["Retail", "Finance"]),
                field("channels", FieldType::Multiselect, false, &["Web", "Phone"]),
                field("first_call", FieldType::Date, false, &[]),
                field("has_budget", FieldType::Bool, false, &[]),
                field("notes", FieldType::Text, false, &[]),
            ],
        );
        let v1 = s.latest().unwrap();
        let errs = v1
            .check(&input(json!({
                "nope": 1,
                "industry": "Mining",
                "channels": ["Web", "Fax"],
                "first_call": "2026-13-01",
                "has_budget": "yes",
            })))
            .unwrap_err();
        let key = |k: &str| FieldKey::new(k).unwrap();
        assert_eq!(
            errs,
            vec![
                // Unknown keys first, then the version's fields in display order.
                CustomFieldError::UnknownField {
                    key: "nope".into(),
                    version: v1.number
                },
                CustomFieldError::OptionNotAllowed {
                    key: key("channels"),
                    option: "Fax".into()
                },
                CustomFieldError::MissingRequired {
                    key: key("employees")
                },
                CustomFieldError::WrongType {
                    key: key("first_call"),
                    expected: "a date (YYYY-MM-DD)"
                },
                CustomFieldError::WrongType {
                    key: key("has_budget"),
                    expected: "true or false"
                },
                CustomFieldError::OptionNotAllowed {
                    key: key("industry"),
                    option: "Mining".into()
                },
            ]
        );
        let DomainError::Validation(f) =
            v1.validate(&input(json!({"employees": 1.5}))).unwrap_err()
        else {
            panic!("validation")
        };
        assert_eq!(
            f.get("custom_fields.employees"),
            Some("must be a whole number")
        );

        let ok = v1
            .validate(&input(json!({
                "employees": 40,
                "channels": ["Phone", "Web", "Phone"],
                "notes": "  ",
                "industry": null,
                "has_budget": false,
            })))
            .unwrap();
        assert_eq!(
            ok.to_json(),
            json!({"employees": 40, "channels": ["Web", "Phone"], "has_budget": false})
        );
        let read = v1.read(&ok).unwrap();
        assert_eq!(read[0].0.key().as_str(), "channels");
        assert_eq!(
            read[0].1,
            Some(CustomValue::Multiselect(vec!["Web".into(), "Phone".into()]))
        );
    }

    #[test]
    fn old_leads_stay_valid_after_new_versions() {
        let v1 = publish(
            None,
            vec![field("size", FieldType::Select, true, &["S", "M"])],
        );
        let captured = v1
            .latest()
            .unwrap()
            .validate(&input(json!({"size": "S"})))
            .unwrap();
        // Version 2 changes the type of `size` and adds a required field.
        let v2 = publish(
            Some(v1),
            vec![
                field("size", FieldType::Number, true, &[]),
                field("region", FieldType::Text, true, &[]),
            ],
        );
        assert_eq!(v2.versions().len(), 2);
        let old = v2.get(SchemaVersionNumber::FIRST).unwrap();
        assert!(old.read(&captured).is_ok());
        assert!(v2.latest().unwrap().read(&captured).is_err());
        // Publishing the same fields again is refused; another schema id too.
        let same = LeadSchemaCommand::Publish {
            schema_id: v2.id(),
            fields: v2.latest().unwrap().fields.clone(),
        };
        assert!(matches!(
            decide(Some(&v2), &same, DateTime::<Utc>::UNIX_EPOCH),
            Err(DomainError::Invariant(_))
        ));
        let dup = LeadSchemaCommand::Publish {
            schema_id: v2.id(),
            fields: vec![
                field("a", FieldType::Text, false, &[]),
                field("a", FieldType::Bool, false, &[]),
            ],
        };
        assert!(matches!(
            decide(Some(&v2), &dup, DateTime::<Utc>::UNIX_EPOCH),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn stored_values_are_checked_structurally() {
        assert!(serde_json::from_value::<CustomValues>(json!({"a": null})).is_err());
        assert!(serde_json::from_value::<CustomValues>(json!({"A": 1})).is_err());
        assert!(serde_json::from_value::<CustomValues>(json!({"a": {"x": 1}})).is_err());
        assert!(serde_json::from_value::<CustomValues>(json!({"a": 1.5})).is_err());
        assert!(serde_json::from_value::<CustomValues>(json!({"a": ["x"], "b": true})).is_ok());
    }
}
