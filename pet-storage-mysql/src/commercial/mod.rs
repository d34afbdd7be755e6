//! The commercial pipeline's application services and repositories: lead schemas, leads,
//! opportunities, quotes and sales (`App` methods in `impl App` blocks of the submodules).
//!
//! Same pipeline as the identity services: JSON input is parsed into typed commands
//! (field errors named after the input), the aggregate is loaded (leads and opportunities
//! by replaying their events; quotes and the lead schema restored from their state rows,
//! which are written in the same transaction as every event), `pet_core` decides, and the
//! state rows (version-checked) and events are written in one unit of work.

mod leads;
mod opportunities;
mod quotes;

use chrono::{DateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::Transaction;
use pet_core::event::envelopes;
use pet_core::identity::{CustomerStatus, EmployeeStatus, EventDecodeError};
use pet_core::{AggregateEvent, EventMeta, NewEvent};
use serde_json::Value;
use uuid::Uuid;

use crate::app::{App, CommandContext};
use crate::db::{classify, DbErrorKind};
use crate::error::{AppError, StorageError};

pub use quotes::JOB_QUOTE_EXPIRY;

/// The commercial tables, `{prefix}pet_<table>` (the prefix is validated by [`crate::Tables`]).
#[derive(Debug, Clone)]
pub(crate) struct CommercialTables {
    pub(crate) schema_versions: String,
    pub(crate) leads: String,
    pub(crate) qualifications: String,
    pub(crate) opportunities: String,
    pub(crate) counters: String,
    pub(crate) quotes: String,
    pub(crate) quote_versions: String,
    pub(crate) line_groups: String,
    pub(crate) lines: String,
    pub(crate) sales: String,
}

impl CommercialTables {
    fn new(prefix: &str) -> Self {
        let t = |name: &str| format!("{prefix}pet_{name}");
        Self {
            schema_versions: t("lead_schema_versions"),
            leads: t("leads"),
            qualifications: t("qualifications"),
            opportunities: t("opportunities"),
            counters: t("commercial_counters"),
            quotes: t("quotes"),
            quote_versions: t("quote_versions"),
            line_groups: t("quote_line_groups"),
            lines: t("quote_lines"),
            sales: t("sales"),
        }
    }
}

type Tx<'a, 'c> = &'a mut Transaction<'c>;

fn internal(what: &str) -> AppError {
    AppError::Storage(format!("internal error: {what}"))
}

/// A driver error as an application error: lock contention (deadlock, lock wait timeout)
/// is a conflict the caller may retry; the rest is a storage failure.
fn db(e: mysql_async::Error) -> AppError {
    match classify(&e) {
        DbErrorKind::Contention => AppError::Conflict(
            "the record is being changed by someone else at the same time; try again".into(),
        ),
        _ => AppError::from(StorageError::from(e)),
    }
}

fn json_text(v: &impl serde::Serialize) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| internal(&format!("serialise: {e}")))
}

/// Column `i` of a row (for rows wider than the tuple conversions go).
fn col<T: mysql_async::prelude::FromValue>(
    r: &mut mysql_async::Row,
    i: usize,
) -> Result<T, AppError> {
    match r.take_opt::<T, usize>(i) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(AppError::Storage(format!("unexpected column {i}: {e}"))),
        None => Err(internal("missing column")),
    }
}

fn parse_id(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| internal("bad stored id"))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (the value is still bound as a parameter).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl App {
    pub(crate) fn sales_tables(&self) -> CommercialTables {
        CommercialTables::new(&self.tables().prefix)
    }

    /// Wraps decided events into envelopes (actor, idempotency key, `now`).
    pub(super) fn sales_envelopes<E: AggregateEvent>(
        &self,
        events: &[E],
        version_before: u64,
        ctx: &CommandContext,
        now: DateTime<Utc>,
    ) -> Result<Vec<NewEvent>, AppError> {
        let actor = ctx.actor();
        let key = ctx.idempotency_key.clone();
        envelopes(events, version_before, |_| EventMeta {
            event_id: Uuid::now_v7(),
            occurred_at: now,
            actor,
            idempotency_key: key.clone(),
        })
        .map_err(|e| AppError::Invariant(e.to_string()))
    }

    /// Every event of one aggregate, decoded.
    pub(super) async fn sales_events<E>(
        &self,
        tx: Tx<'_, '_>,
        aggregate_type: &str,
        id: Uuid,
        decode: fn(&str, u32, &Value) -> Result<E, EventDecodeError>,
    ) -> Result<Vec<E>, AppError> {
        let recorded = self.store().read_aggregate(tx, aggregate_type, id).await?;
        recorded
            .iter()
            .map(|r| {
                decode(
                    r.event.event_type().as_str(),
                    r.event.schema_version(),
                    r.event.payload(),
                )
                .map_err(|e| AppError::Storage(format!("stored event unreadable: {e}")))
            })
            .collect()
    }

    /// The status of a customer (`None`: not found).
    pub(super) async fn sales_customer_status<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<Option<CustomerStatus>, AppError> {
        let s: Option<String> = q
            .exec_first(
                format!(
                    "SELECT status FROM {} WHERE id = ?",
                    self.tables().customers
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        Ok(s.map(|s| {
            if s == "active" {
                CustomerStatus::Active
            } else {
                CustomerStatus::Archived
            }
        }))
    }

    /// The status of an employee (`None`: not found).
    pub(super) async fn sales_employee_status<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<Option<EmployeeStatus>, AppError> {
        let s: Option<String> = q
            .exec_first(
                format!(
                    "SELECT status FROM {} WHERE id = ?",
                    self.tables().employees
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        Ok(s.map(|s| {
            if s == "active" {
                EmployeeStatus::Active
            } else {
                EmployeeStatus::Inactive
            }
        }))
    }

    /// The display name of a customer (empty when unknown).
    pub(super) async fn sales_customer_name<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<String, AppError> {
        let s: Option<String> = q
            .exec_first(
                format!("SELECT name FROM {} WHERE id = ?", self.tables().customers),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        Ok(s.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_carry_the_prefix() {
        let t = CommercialTables::new("wp_");
        assert_eq!(t.leads, "wp_pet_leads");
        assert_eq!(t.line_groups, "wp_pet_quote_line_groups");
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}
