//! Identifiers of the Knowledgebase: article and comment ids (UUIDs generated outside the
//! core) and article version numbers.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::helpdesk::ids::uuid_id;

uuid_id!(
    /// Identifies a knowledge article (aggregate `knowledge_article`).
    ArticleId,
    "article"
);
uuid_id!(
    /// Identifies a comment on an article.
    CommentId,
    "comment"
);

/// The number of an article version: 1, 2, 3, … in publication order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct KnowledgeVersionNumber(u32);

impl KnowledgeVersionNumber {
    /// Validates `n ≥ 1` (field `version`).
    pub fn new(n: u32) -> Result<Self, DomainError> {
        if n == 0 {
            Err(DomainError::field("version", "must be at least 1"))
        } else {
            Ok(Self(n))
        }
    }

    /// The number after `previous` (or 1 when there is none).
    pub fn next_after(previous: Option<KnowledgeVersionNumber>) -> Result<Self, DomainError> {
        match previous {
            None => Ok(Self(1)),
            Some(p) => {
                p.0.checked_add(1)
                    .map(Self)
                    .ok_or_else(|| DomainError::invariant("article version numbers are exhausted"))
            }
        }
    }

    /// The number as an integer.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for KnowledgeVersionNumber {
    type Error = DomainError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<KnowledgeVersionNumber> for u32 {
    fn from(n: KnowledgeVersionNumber) -> u32 {
        n.0
    }
}

impl std::fmt::Display for KnowledgeVersionNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
