//! Identifiers of the commercial entities: UUID newtypes generated outside the core
//! (UUIDv7 recommended) and passed in, plus the small numbers people read (lead schema
//! version 3, quote Q-12 version 2).

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

uuid_id!(
    /// Identifies the lead schema (aggregate `lead_schema`; a site normally has one).
    LeadSchemaId,
    "lead schema"
);
uuid_id!(
    /// Identifies a lead (aggregate `lead`).
    LeadId,
    "lead"
);
uuid_id!(
    /// Identifies an opportunity (aggregate `opportunity`).
    OpportunityId,
    "opportunity"
);
uuid_id!(
    /// Identifies a quote (aggregate `quote`, which also records its sale).
    QuoteId,
    "quote"
);
uuid_id!(
    /// Identifies a line group of a quote version.
    LineGroupId,
    "line group"
);
uuid_id!(
    /// Identifies a line of a quote version.
    LineId,
    "line"
);
uuid_id!(
    /// Identifies a sale (recorded by the quote it was sold with).
    SaleId,
    "sale"
);

macro_rules! number {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "u32", into = "u32")]
        pub struct $name(u32);

        impl $name {
            /// The first number.
            pub const FIRST: $name = $name(1);

            /// Validates `n ≥ 1` given as input field `field`.
            pub fn new(field: &str, n: u32) -> Result<Self, DomainError> {
                if n == 0 {
                    Err(DomainError::field(field, "must be at least 1"))
                } else {
                    Ok(Self(n))
                }
            }

            /// The number after `previous` (or 1 when there is none).
            pub fn next_after(previous: Option<$name>) -> Result<Self, DomainError> {
                match previous {
                    None => Ok(Self::FIRST),
                    Some(p) => p.0.checked_add(1).map(Self).ok_or_else(|| {
                        DomainError::invariant(concat!($what, " numbers are exhausted"))
                    }),
                }
            }

            /// The number as an integer.
            pub const fn get(self) -> u32 {
                self.0
            }
        }

        impl TryFrom<u32> for $name {
            type Error = DomainError;
            fn try_from(n: u32) -> Result<Self, Self::Error> {
                Self::new("number", n)
            }
        }

        impl From<$name> for u32 {
            fn from(n: $name) -> u32 {
                n.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

number!(
    /// The number of a published lead schema version: 1, 2, 3, …
    SchemaVersionNumber,
    "lead schema version"
);
number!(
    /// The number of a quote version: 1, 2, 3, … within its quote.
    QuoteVersionNumber,
    "quote version"
);
number!(
    /// The human reference of a quote, shown as `Q-12`; assigned by the caller (a store
    /// sequence), unique per site.
    QuoteNumber,
    "quote"
);

impl QuoteNumber {
    /// The quote's human reference, `Q-12` (the one place its format is written).
    pub fn reference(self) -> String {
        quote_reference(self.0)
    }
}

/// The human reference of quote number `n`, `Q-12`.
pub fn quote_reference(n: u32) -> String {
    format!("Q-{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_references_read_q_dash_number() {
        assert_eq!(QuoteNumber::new("n", 12).unwrap().reference(), "Q-12");
        assert_eq!(quote_reference(7), "Q-7");
    }

    #[test]
    fn ids_parse_and_numbers_count_from_one() {
        let id = QuoteId::parse("quote_id", "0190a1b2-0000-7000-8000-000000000001").unwrap();
        assert_eq!(
            serde_json::to_value(id).unwrap(),
            serde_json::json!("0190a1b2-0000-7000-8000-000000000001")
        );
        assert_eq!(
            LeadId::parse("lead_id", "x").unwrap_err(),
            DomainError::field("lead_id", "is not a valid lead id")
        );
        assert!(QuoteVersionNumber::new("number", 0).is_err());
        assert_eq!(QuoteVersionNumber::next_after(None).unwrap().get(), 1);
        let max = SchemaVersionNumber::new("n", u32::MAX).unwrap();
        assert!(SchemaVersionNumber::next_after(Some(max)).is_err());
        assert!(serde_json::from_value::<QuoteNumber>(serde_json::json!(0)).is_err());
        assert_eq!(
            serde_json::to_value(QuoteNumber::new("n", 12).unwrap()).unwrap(),
            serde_json::json!(12)
        );
    }
}
