//! Typed domain errors: what a rejected command tells its caller.

use std::collections::BTreeMap;

/// Field-level validation messages, keyed by input field name (e.g. `"email"`).
///
/// Ordered so that messages and snapshots are deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// An empty set of field errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` (the first message per field wins).
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// True when no field has an error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates over `(field, message)` pairs in field order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The message for one field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// `Ok(())` when empty, otherwise a [`DomainError::Validation`].
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self))
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for (field, msg) in self.iter() {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{field}: {msg}")?;
        }
        Ok(())
    }
}

/// Why the domain rejected a command. A rejected command changes nothing and emits nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input is malformed; one message per offending field.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// The input is well-formed but would break a business rule.
    #[error("invariant violated: {0}")]
    Invariant(String),
    /// A referenced entity does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of entity, e.g. `"employee"`.
        entity: &'static str,
        /// The id that was looked up.
        id: String,
    },
    /// The command was decided against a stale version of the entity.
    #[error("conflict: {0}")]
    Conflict(String),
}

impl DomainError {
    /// A validation error for a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        DomainError::Validation(errors)
    }

    /// An invariant violation with a lowercase message.
    pub fn invariant(message: impl Into<String>) -> Self {
        DomainError::Invariant(message.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_first_message_and_sort() {
        let mut e = FieldErrors::new();
        e.add("name", "must not be empty");
        e.add("email", "is not an email address");
        e.add("name", "second");
        assert_eq!(
            e.to_string(),
            "email: is not an email address; name: must not be empty"
        );
        assert!(matches!(e.into_result(), Err(DomainError::Validation(_))));
        assert_eq!(FieldErrors::new().into_result(), Ok(()));
    }
}
