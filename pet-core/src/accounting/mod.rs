//! Accounting integration (domain.md "Integration boundary"): PET's facts pushed to an
//! accounting system through an outbound port, never twice, and reconciled.
//!
//! - [`push`]: the push record per PET fact (aggregate `accounting_push`) — its stable
//!   request id, the send / confirm / fail / dead state machine, reconciliation outcomes
//!   and re-pushes;
//! - [`doc`]: what is pushed (a customer, a sale as an invoice or estimate, approved
//!   billable time), the mapping onto the accounting system's items, tax codes and
//!   currency mode, and the comparison reconciliation records;
//! - [`port`]: the port the adapters implement (`pet-qbo` for QuickBooks Online).
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `accounting_push` | [`push`] | `accounting.push_queued`, `accounting.push_sent`, `accounting.push_confirmed`, `accounting.push_failed`, `accounting.push_dead`, `accounting.push_requeued`, `accounting.push_adjusted`, `accounting.matched`, `accounting.mismatched`, `accounting.missing` |

pub mod doc;
pub mod port;
pub mod push;

use crate::activity::{clip_name, NameLookup, NamedEntity, Names, RenderError};
use crate::event::ContextType;

pub use doc::{
    compare, compare_worker, decimal_to_minor, minor_to_decimal, time_marker, CurrencyMode,
    Difference, DocLine, Mapping, PushDoc, RemoteRecord, TargetKind, WorkerKind, WorkerRef,
};
pub use port::{AccountingPort, PortError, PortFuture, SendRequest};
pub use push::{
    FailureKind, Plan, Push, PushAdjusted, PushCommand, PushConfirmed, PushEvent, PushFailed,
    PushId, PushQueued, PushReconciled, PushRequeued, PushSent, PushStatus, Reconciliation,
    SourceKind, SourceRef, TimeTotal,
};

/// The job that feeds the outbox from the event log and sends what is due.
pub const JOB_ACCOUNTING_PUSH: &str = "accounting.push";
/// The job that reads back confirmed pushes and records what it finds.
pub const JOB_ACCOUNTING_RECONCILE: &str = "accounting.reconcile";

/// The module's descriptor (see [`crate::module`]).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "accounting",
    events: &[PushEvent::EVENT_TYPES],
    contexts: &[ContextType::AccountingPush],
    render,
    names_introduced,
    job_kinds: &[JOB_ACCOUNTING_PUSH, JOB_ACCOUNTING_RECONCILE],
};

fn what(target: TargetKind) -> &'static str {
    match target {
        TargetKind::Customer => "customer",
        TargetKind::Invoice => "invoice",
        TargetKind::Estimate => "estimate",
        TargetKind::TimeActivity => "time activity",
    }
}

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
    let event = PushEvent::from_stored(event_type, schema_version, payload)?;
    let push = names.get(ContextType::AccountingPush, event.push_id().as_uuid());
    Ok(match &event {
        PushEvent::Queued(q) => format!(
            "The {} was queued for the accounting system",
            label(q, Some(names))
        ),
        PushEvent::Sent(s) => format!(
            "{push}: {} {} sent to the accounting system (request {})",
            if s.remove {
                "delete"
            } else if s.update {
                "update"
            } else {
                "attempt"
            },
            s.attempt,
            s.request_id
        ),
        PushEvent::Confirmed(c) if c.removed => format!(
            "{push}: the accounting system's {} is deleted (the time is 0 minutes)",
            c.remote_id
        ),
        PushEvent::Confirmed(c) => format!(
            "{push} is recorded in the accounting system as {}{}",
            c.remote_id,
            if c.found_by_lookup {
                " (found by look-up after an unknown outcome)"
            } else {
                ""
            }
        ),
        PushEvent::Failed(f) => format!(
            "{push}: attempt {} failed ({}): {}; retried later",
            f.attempt,
            f.kind.as_str().replace('_', " "),
            f.error
        ),
        PushEvent::Dead(f) => format!(
            "{push} was given up after attempt {} ({}): {}",
            f.attempt,
            f.kind.as_str().replace('_', " "),
            f.error
        ),
        PushEvent::Requeued(r) => format!(
            "{push} was pushed again{}: {}",
            if r.update { " as an update" } else { "" },
            r.reason
        ),
        PushEvent::Adjusted(a) => format!(
            "{push}: an adjustment of {:+} min makes it {} min{}",
            a.minutes,
            a.total_minutes,
            if a.total_minutes == 0 {
                " (the time activity is deleted)"
            } else {
                ""
            }
        ),
        PushEvent::Matched(r) => format!("{push} matches the accounting system's {}", r.remote_id),
        PushEvent::Mismatched(r) => format!(
            "{push} differs from the accounting system's {}: {}",
            r.remote_id,
            r.differences
                .iter()
                .map(|d| format!("{} is {} in PET, {} there", d.field, d.pet, d.remote))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        PushEvent::Missing(r) => format!(
            "{push} is missing from the accounting system (was {})",
            r.remote_id
        ),
    })
}

/// What a push sends, in words; a time activity names its employee when `names` can (the
/// push's own events hold the employee's id only).
fn label<N: NameLookup + ?Sized>(q: &PushQueued, names: Option<&Names<'_, N>>) -> String {
    let subject = match &q.doc {
        PushDoc::Customer { display_name, .. } => format!("“{display_name}”"),
        PushDoc::Sale { doc_number, .. } => doc_number.clone(),
        PushDoc::Time {
            employee_id,
            txn_date,
            minutes,
            ..
        } => match names {
            Some(n) => format!(
                "{}'s {minutes} min on {txn_date}",
                n.get(ContextType::Employee, employee_id.as_uuid())
            ),
            None => format!("{minutes} min on {txn_date}"),
        },
    };
    format!("{} {subject}", what(q.target))
}

/// The names an event of this module introduces: a push by what it sends.
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<NamedEntity>, RenderError> {
    Ok(
        match PushEvent::from_stored(event_type, schema_version, payload)? {
            PushEvent::Queued(q) => vec![NamedEntity {
                kind: ContextType::AccountingPush,
                id: q.push_id.as_uuid(),
                name: clip_name(&format!(
                    "The push of {}",
                    label::<dyn NameLookup>(&q, None)
                )),
            }],
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::DomainEvent;
    use std::collections::BTreeMap;

    #[test]
    fn a_time_push_names_its_employee_by_id_only_and_the_feed_resolves_the_name() {
        let ana = crate::identity::EmployeeId::from_uuid(uuid::Uuid::from_u128(3));
        let doc = PushDoc::Time {
            entry_id: crate::delivery::TimeEntryId::from_uuid(uuid::Uuid::from_u128(9)),
            customer_id: crate::identity::CustomerId::from_uuid(uuid::Uuid::from_u128(1)),
            employee_id: ana,
            txn_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            minutes: 95,
            item_key: "labour".into(),
            description: "Homepage".into(),
            hourly_rate_minor: None,
            cost_rate_minor: None,
            rate_currency: None,
        };
        let source = SourceRef {
            kind: SourceKind::TimeEntry,
            id: uuid::Uuid::from_u128(9),
        };
        let id = PushId::for_source(source);
        let ev = PushEvent::Queued(Box::new(PushQueued {
            push_id: id,
            target: TargetKind::TimeActivity,
            source,
            doc,
            request_id: id.request_id(1),
        }));
        let payload = ev.payload();
        // No personal data in the log: the employee is an id.
        assert!(!payload.to_string().contains("Ana"), "{payload}");
        let names = BTreeMap::from([(ana.as_uuid(), "Ana".to_owned())]);
        let line = render(ev.event_type(), ev.schema_version(), &payload, &names).unwrap();
        assert_eq!(
            line,
            "The time activity Ana's 95 min on 2026-03-02 was queued for the accounting system"
        );
        let intro = names_introduced(ev.event_type(), ev.schema_version(), &payload).unwrap();
        assert_eq!(
            intro[0].name,
            "The push of time activity 95 min on 2026-03-02"
        );
    }
}
