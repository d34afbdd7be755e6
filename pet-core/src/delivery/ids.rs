//! Identifiers of the Delivery entities: UUID newtypes generated outside the core (UUIDv7
//! recommended) and passed in. `ProjectId` is the one tickets already carry.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::helpdesk::ids::uuid_id;
pub use crate::helpdesk::ProjectId;

uuid_id!(
    /// Identifies a milestone of a project.
    MilestoneId,
    "milestone"
);
uuid_id!(
    /// Identifies a task of a project.
    TaskId,
    "task"
);
uuid_id!(
    /// Identifies a time entry (aggregate `time_entry`).
    TimeEntryId,
    "time entry"
);
uuid_id!(
    /// Identifies one adjustment of a time entry.
    AdjustmentId,
    "adjustment"
);
uuid_id!(
    /// Identifies a resource allocation (aggregate `resource_allocation`).
    AllocationId,
    "allocation"
);

/// The id of the one period-lock aggregate of a site (`time_period`): the lock is a single
/// "locked through" date that only moves forward.
pub const TIME_LOCK_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_7100_0000_0001);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_with_their_field() {
        let e = TimeEntryId::parse("entry_id", "x").unwrap_err();
        assert_eq!(
            e,
            crate::DomainError::field("entry_id", "is not a valid time entry id")
        );
        assert!(TaskId::parse("task_id", "0190a1b2-0000-7000-8000-000000000001").is_ok());
    }
}
