//! Identifiers of the Helpdesk & SLA entities: UUID newtypes generated outside the core
//! (UUIDv7 recommended) and passed in, plus SLA definition version numbers.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $entity:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an id generated outside the core.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses a UUID string given as input `field`; a malformed one is a
            /// [`DomainError::Validation`] on that field.
            pub fn parse(field: &str, s: &str) -> Result<Self, DomainError> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| DomainError::field(field, concat!("is not a valid ", $entity, " id")))
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

pub(crate) use uuid_id;

uuid_id!(
    /// Identifies a support ticket (aggregate `ticket`, and its `sla_assignment`).
    TicketId,
    "ticket"
);
uuid_id!(
    /// Identifies one reply (or internal note) on a ticket.
    ReplyId,
    "reply"
);
uuid_id!(
    /// Identifies a project a ticket may belong to (the project module is §4; tickets
    /// only carry the reference).
    ProjectId,
    "project"
);
uuid_id!(
    /// Identifies an SLA definition (aggregate `sla_definition`).
    SlaDefinitionId,
    "SLA definition"
);

/// A ticket's human number, shown as `#12`: 1, 2, 3, … assigned by the caller (a store
/// sequence), unique per site. Tickets opened before numbers existed have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct TicketNumber(u32);

impl TicketNumber {
    /// Validates `n ≥ 1` given as input field `field`.
    pub fn new(field: &str, n: u32) -> Result<Self, DomainError> {
        if n == 0 {
            Err(DomainError::field(field, "must be at least 1"))
        } else {
            Ok(Self(n))
        }
    }

    /// The number as an integer.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The ticket's human reference, `#12` (the one place its format is written).
    pub fn reference(self) -> String {
        format!("#{}", self.0)
    }

    /// The number a search text names: `12` or `#12` (`None` for anything else).
    pub fn parse_reference(text: &str) -> Option<Self> {
        let t = text.trim();
        let digits = t.strip_prefix('#').unwrap_or(t);
        if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<u32>().ok().filter(|n| *n > 0).map(Self)
    }
}

impl TryFrom<u32> for TicketNumber {
    type Error = DomainError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new("ticket_number", n)
    }
}

impl From<TicketNumber> for u32 {
    fn from(n: TicketNumber) -> u32 {
        n.0
    }
}

impl std::fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The number of an SLA definition version: 1, 2, 3, … in publication order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SlaVersionNumber(u32);

impl SlaVersionNumber {
    /// The first version.
    pub const FIRST: SlaVersionNumber = SlaVersionNumber(1);

    /// Validates `n ≥ 1` (field `version`).
    pub fn new(n: u32) -> Result<Self, DomainError> {
        if n == 0 {
            Err(DomainError::field("version", "must be at least 1"))
        } else {
            Ok(Self(n))
        }
    }

    /// The number after `previous` (or 1 when there is none).
    pub fn next_after(previous: Option<SlaVersionNumber>) -> Result<Self, DomainError> {
        match previous {
            None => Ok(Self::FIRST),
            Some(p) => {
                p.0.checked_add(1)
                    .map(Self)
                    .ok_or_else(|| DomainError::invariant("SLA version numbers are exhausted"))
            }
        }
    }

    /// The number as an integer.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for SlaVersionNumber {
    type Error = DomainError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<SlaVersionNumber> for u32 {
    fn from(n: SlaVersionNumber) -> u32 {
        n.0
    }
}

impl std::fmt::Display for SlaVersionNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_versions_count_up() {
        assert!(TicketId::parse("ticket_id", "nope").is_err());
        assert!(TicketId::parse("ticket_id", "0190a1b2-0000-7000-8000-000000000001").is_ok());
        assert!(SlaVersionNumber::new(0).is_err());
        assert_eq!(SlaVersionNumber::next_after(None).unwrap().get(), 1);
        let max = SlaVersionNumber::new(u32::MAX).unwrap();
        assert!(SlaVersionNumber::next_after(Some(max)).is_err());
        assert!(serde_json::from_value::<SlaVersionNumber>(serde_json::json!(0)).is_err());
    }
}
