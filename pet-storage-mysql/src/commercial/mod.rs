//! The commercial pipeline's application services and repositories: lead schemas, leads,
//! opportunities, quotes and sales (`App` methods in `impl App` blocks of the submodules).
//!
//! The one command path (`crate::command`): JSON input is parsed into typed commands
//! (field errors named after the input), the aggregate is loaded (leads and opportunities
//! by replaying their events; quotes and the lead schema restored from their state rows,
//! which are written in the same transaction as every event), `pet_core` decides, and the
//! state rows (version-checked) and events are written in one unit of work.

pub(crate) mod leads;
pub(crate) mod opportunities;
pub(crate) mod quotes;

use mysql_async::prelude::*;
use mysql_async::Transaction;
use uuid::Uuid;

use crate::app::App;
use crate::error::AppError;
use crate::jobs::ClaimedJob;
use crate::modules::{unknown_job, JobFuture};

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

use crate::error::{db, internal};

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

use crate::db::like_escape;

/// Runs the module's job kinds: expiring a quote's sent versions once their validity ends.
pub(crate) fn run_job<'a>(app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move {
        match job.kind.as_str() {
            JOB_QUOTE_EXPIRY => app.run_quote_expiry_job(&job.payload).await,
            _ => Err(unknown_job(job)),
        }
    })
}

impl App {
    pub(crate) fn sales_tables(&self) -> CommercialTables {
        CommercialTables::new(&self.tables().prefix)
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
