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
            JOB_QUOTE_EXPIRY => app.commercial().run_quote_expiry_job(&job.payload).await,
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

/// A parsed input together with the errors of checks that span several of its fields, so
/// that every error is reported at once.
fn with_errors<T>(
    parsed: Result<T, AppError>,
    extra: pet_core::FieldErrors,
) -> Result<T, AppError> {
    match parsed {
        Ok(t) if extra.is_empty() => Ok(t),
        Ok(_) => Err(AppError::Validation(extra)),
        Err(AppError::Validation(mut f)) => {
            for (k, m) in extra.iter() {
                f.add(k, m);
            }
            Err(AppError::Validation(f))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod input_tests {
    use super::leads::*;
    use super::opportunities::*;
    use super::quotes::*;
    use crate::AppError;
    use serde_json::{json, Value};

    const ID: &str = "0190a1b2-0000-7000-8000-000000000001";

    /// The field errors of a failed parse, as `field: message`.
    fn errors<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<String> {
        match r {
            Err(AppError::Validation(f)) => f.iter().map(|(k, m)| format!("{k}: {m}")).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lead_inputs() {
        let p = NewLeadInput::parse(
            &json!({"customer_name": "Acme", "source": "web", "custom_fields": []}),
            "input",
        )
        .unwrap();
        assert_eq!(p.customer_name.0.unwrap().as_str(), "Acme");
        assert!(p.custom_fields.0.is_empty() && p.owner_id.is_none());
        assert_eq!(
            errors(NewLeadInput::parse(
                &json!({"customer_id": "x", "custom_fields": 3}),
                "input"
            )),
            [
                "custom_fields: must be an array with named keys",
                "customer_id: is not a valid id",
                "source: is required",
            ]
        );
        assert_eq!(
            errors(super::with_errors(
                NewLeadInput::parse(&json!({"customer_id": ID, "customer_name": "A"}), "input"),
                customer_choice_errors(&json!({"customer_id": ID, "customer_name": "A"}), true)
            )),
            [
                "customer_name: give either customer_id or customer_name, not both",
                "source: is required",
            ]
        );
        let c = LeadChangesInput::parse(&json!({"customer_name": "  "}), "input").unwrap();
        assert!(c.customer_name.0.is_none() && c.custom_fields.is_none() && c.source.is_none());
        assert_eq!(
            ContactLeadInput::parse(&Value::Null, "input")
                .unwrap()
                .note
                .0
                .as_str(),
            ""
        );
        let q = QualifyLeadInput::parse(
            &json!({"need": "CRM", "budget": {"amount": "1.235", "currency": "KWD"}, "authority": " "}),
            "input",
        )
        .unwrap();
        assert_eq!(q.budget.unwrap().0.amount_minor(), 1235);
        assert!(q.authority.0.is_none());
        assert_eq!(
            errors(QualifyLeadInput::parse(
                &json!({"budget": {"amount": "-1", "currency": "EUR"}, "notes": 5}),
                "input"
            )),
            [
                "budget: must not be negative",
                "need: is required",
                "notes: must be a string"
            ]
        );
        assert_eq!(
            errors(QualifyLeadInput::parse(
                &json!({"need": "x", "budget": {"amount": "1.5", "currency": "JPY"}}),
                "input"
            )),
            ["budget.amount: must be a whole amount (JPY has no decimals)"]
        );
        assert_eq!(
            errors(DisqualifyLeadInput::parse(&json!({"reason": " "}), "input")),
            ["reason: must not be empty"]
        );
    }

    #[test]
    fn opportunity_inputs() {
        let p = NewOpportunityInput::parse(
            &json!({"lead_id": ID, "title": "Deal", "expected_value": {"amount_minor": 100, "currency": "EUR"}, "expected_close": "2026-01-31"}),
            "input",
        )
        .unwrap();
        assert_eq!(p.expected_value.amount_minor(), 100);
        assert_eq!(
            errors(NewOpportunityInput::parse(
                &json!({"lead_id": "x", "expected_value": {"currency": "EUR"}, "expected_close": "31/01"}),
                "input"
            )),
            [
                "expected_close: must be a date YYYY-MM-DD",
                "expected_value.amount_minor: is required",
                "lead_id: is not a valid id",
                "title: is required",
            ]
        );
        assert_eq!(
            errors(ClassifyInput::parse(&json!({"kind": "x"}), "input")),
            [
                "kind: must be new_business, upsell or renewal",
                "size_band: is required"
            ]
        );
        assert_eq!(
            errors(LoseOpportunityInput::parse(&json!([]), "input")),
            ["reason: is required"]
        );
    }

    #[test]
    fn quote_inputs() {
        let p = NewQuoteInput::parse(
            &json!({"opportunity_id": ID, "title": " ", "currency": ""}),
            "input",
        )
        .unwrap();
        assert!(p.title.0.is_none() && p.currency.0.is_none());
        assert_eq!(
            errors(NewQuoteInput::parse(&json!({"currency": "eur"}), "input")),
            [
                "currency: must be a three-letter ISO 4217 code",
                "opportunity_id: is required"
            ]
        );
        assert_eq!(
            PreviewQuoteInput::parse(&json!({"currency": "JPY"}), "input")
                .unwrap()
                .currency
                .0
                .unwrap()
                .as_str(),
            "JPY"
        );
        assert_eq!(
            errors(SendQuoteInput::parse(&json!({}), "input")),
            ["valid_until: is required"]
        );
        assert_eq!(
            errors(RejectQuoteInput::parse(&json!({"version": 0}), "input")),
            ["reason: is required", "version: must be at least 1"]
        );
        let a = AcceptQuoteInput::parse(
            &json!({"version": 2, "signed_by": "", "optional_groups": [ID]}),
            "input",
        )
        .unwrap();
        assert_eq!((a.version.get(), a.optional_groups.0.len()), (2, 1));
        assert_eq!(
            errors(AcceptQuoteInput::parse(
                &json!({"version": -1, "optional_groups": ["x"]}),
                "input"
            )),
            [
                "optional_groups: must be a list of group ids",
                "version: must be at least 1"
            ]
        );
    }
}
