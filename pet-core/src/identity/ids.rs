//! Identifiers of the Identity & Organisation entities: UUID newtypes generated outside the
//! core (UUIDv7 recommended) and passed in, plus the org-structure version number.

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
    /// Identifies an employee (aggregate `employee`).
    EmployeeId,
    "employee"
);
uuid_id!(
    /// Identifies a team (aggregate `team`).
    TeamId,
    "team"
);
uuid_id!(
    /// Identifies one membership of an employee in a team (part of the `team` aggregate).
    MembershipId,
    "membership"
);
uuid_id!(
    /// Identifies a customer (aggregate `customer`).
    CustomerId,
    "customer"
);
uuid_id!(
    /// Identifies a contact of a customer (part of the `customer` aggregate).
    ContactId,
    "contact"
);
uuid_id!(
    /// Identifies one org-structure version (aggregate `org_structure`).
    OrgVersionId,
    "org structure version"
);

/// The number of an org-structure version: 1, 2, 3, … in the order they were created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct OrgVersionNumber(u32);

impl OrgVersionNumber {
    /// The first version.
    pub const FIRST: OrgVersionNumber = OrgVersionNumber(1);

    /// Validates `n ≥ 1`.
    pub fn new(n: u32) -> Result<Self, DomainError> {
        if n == 0 {
            Err(DomainError::field("number", "must be at least 1"))
        } else {
            Ok(Self(n))
        }
    }

    /// The number after `previous` (or 1 when there is none).
    pub fn next_after(previous: Option<OrgVersionNumber>) -> Result<Self, DomainError> {
        match previous {
            None => Ok(Self::FIRST),
            Some(p) => p.0.checked_add(1).map(Self).ok_or_else(|| {
                DomainError::invariant("org structure version numbers are exhausted")
            }),
        }
    }

    /// The number as an integer.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for OrgVersionNumber {
    type Error = DomainError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<OrgVersionNumber> for u32 {
    fn from(n: OrgVersionNumber) -> u32 {
        n.0
    }
}

impl std::fmt::Display for OrgVersionNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A WordPress user id (`wp_users.ID`, ≥ 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct WpUserId(u64);

impl WpUserId {
    /// Validates `id ≥ 1` (field `wp_user_id`).
    pub fn new(id: u64) -> Result<Self, DomainError> {
        if id == 0 {
            Err(DomainError::field(
                "wp_user_id",
                "must be a positive integer",
            ))
        } else {
            Ok(Self(id))
        }
    }

    /// Validates a signed input (PHP integers are signed).
    pub fn from_i64(id: i64) -> Result<Self, DomainError> {
        u64::try_from(id)
            .map_err(|_| DomainError::field("wp_user_id", "must be a positive integer"))
            .and_then(Self::new)
    }

    /// The id as an integer.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for WpUserId {
    type Error = DomainError;
    fn try_from(id: u64) -> Result<Self, Self::Error> {
        Self::new(id)
    }
}

impl From<WpUserId> for u64 {
    fn from(id: WpUserId) -> u64 {
        id.0
    }
}

impl std::fmt::Display for WpUserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The last eight hex digits of a UUID: how an entity without a known name is shown.
///
/// The last digits, not the first: a UUIDv7 starts with a timestamp, so ids made in the
/// same minute share their first digits but not their last ones.
pub fn short_id(id: Uuid) -> String {
    let s = id.simple().to_string();
    s[s.len() - 8..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_serialize_transparently() {
        let id = EmployeeId::parse("employee_id", "0190a1b2-0000-7000-8000-000000000001").unwrap();
        assert_eq!(
            serde_json::to_value(id).unwrap(),
            serde_json::json!("0190a1b2-0000-7000-8000-000000000001")
        );
        let err = EmployeeId::parse("employee_id", "nope").unwrap_err();
        assert_eq!(
            err,
            DomainError::field("employee_id", "is not a valid employee id")
        );
        assert_eq!(short_id(id.as_uuid()), "00000001");
    }

    #[test]
    fn version_numbers_start_at_one_and_count_up() {
        assert!(OrgVersionNumber::new(0).is_err());
        assert_eq!(OrgVersionNumber::next_after(None).unwrap().get(), 1);
        let three = OrgVersionNumber::new(3).unwrap();
        assert_eq!(OrgVersionNumber::next_after(Some(three)).unwrap().get(), 4);
        let max = OrgVersionNumber::new(u32::MAX).unwrap();
        assert!(OrgVersionNumber::next_after(Some(max)).is_err());
        assert!(serde_json::from_value::<OrgVersionNumber>(serde_json::json!(0)).is_err());
    }

    #[test]
    fn wp_user_ids_are_positive() {
        assert!(WpUserId::new(0).is_err());
        assert!(WpUserId::from_i64(-3).is_err());
        assert_eq!(WpUserId::from_i64(7).unwrap().get(), 7);
    }
}
