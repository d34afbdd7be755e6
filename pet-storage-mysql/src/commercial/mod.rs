//! The commercial pipeline's application services and repositories: lead schemas, leads,
//! opportunities, quotes and sales (`App` methods in `impl App` blocks of the submodules).
//!
//! The one command path (`crate::command`): JSON input is parsed into typed commands
//! (field errors named after the input), the aggregate is restored from its state rows
//! (which are written in the same transaction as every event), `pet_core` decides, and the
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
    pub(crate) stage_totals: String,
    pub(crate) quote_numbers: String,
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
            stage_totals: t("opportunity_stage_totals"),
            quote_numbers: t("quote_numbers"),
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
    fn lead_schema_inputs() {
        let p = PublishSchemaInput::parse(
            &json!({"fields": [
                {"key": " size ", "label": "Size", "type": "select", "required": true, "options": ["S", " ", 5, "M"]},
                {"key": "notes", "label": "Notes", "type": "text"},
            ]}),
            "input",
        )
        .unwrap();
        assert_eq!(p.fields.0.len(), 2);
        assert_eq!(p.fields.0[0].key().as_str(), "size");
        assert_eq!(p.fields.0[0].options().len(), 2);
        assert!(p.fields.0[0].required() && !p.fields.0[1].required());
        assert_eq!(
            errors(PublishSchemaInput::parse(
                &json!({"fields": [
                    {"key": "Bad Key", "label": "x", "type": "colour", "required": "yes"},
                    {"key": "a", "label": "A", "type": "select"},
                    3,
                ]}),
                "input"
            )),
            [
                "fields.0.key: must be 1-64 characters: a lowercase letter, then lowercase letters, digits or _",
                "fields.0.required: must be true or false",
                "fields.0.type: must be text, number, date, select, multiselect or bool",
                "fields.1.options: a select field needs 1 to 100 options",
                "fields.2: must be an array with named keys",
            ]
        );
        assert_eq!(
            errors(PublishSchemaInput::parse(&json!({}), "input")),
            ["fields: is required"]
        );
        assert_eq!(
            errors(PublishSchemaInput::parse(&json!({"fields": "x"}), "input")),
            ["fields: must be a list of fields"]
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

// ---- flat lists (issue "Flat at any size") ------------------------------------------------

use mysql_async::{Row, Value as SqlValue};

use crate::db::server_code;
use crate::paging::{
    bounded_count_sql, fulltext_prefix_query, where_sql, Key, Order, PageRequest, Paged, Total,
    SEARCH_CANDIDATES, SORT_ABORTED,
};

/// A commercial list's search: the condition a matching row meets (substring matches, as
/// the lists have always matched), and the FULLTEXT lookup of the rows that can match (used
/// when a bounded scan through the list's order did not fill the page: the text is rare).
pub(crate) struct ListSearch {
    /// The condition over the list's table and its parameters.
    pub(crate) matches: (String, Vec<SqlValue>),
    /// `SELECT id FROM … WHERE MATCH(…) AGAINST(? IN BOOLEAN MODE)` (its parameter: the
    /// words), or `None` when no word can be asked of a FULLTEXT index (every row can match).
    pub(crate) fulltext: Option<(String, Vec<SqlValue>)>,
    /// The list's id column (`l.id`).
    pub(crate) id_col: &'static str,
    /// Rows that match whatever the FULLTEXT index says (a quote's number), if any.
    pub(crate) also: Option<(String, Vec<SqlValue>)>,
}

impl ListSearch {
    /// `%text%` for a `LIKE`.
    pub(crate) fn like(text: &str) -> SqlValue {
        format!("%{}%", like_escape(text)).into()
    }

    /// The words of `text` a FULLTEXT index can be asked for, as a boolean-mode query
    /// (`+word* +word*`), if any; and the lookup of the ids of `table` whose `cols` have them.
    pub(crate) fn fulltext(text: &str, table: &str, cols: &str) -> Option<(String, Vec<SqlValue>)> {
        fulltext_prefix_query(text).map(|query| {
            (
                format!(
                    "SELECT id FROM {table} WHERE MATCH({cols}) AGAINST(? IN BOOLEAN MODE) LIMIT {SEARCH_CANDIDATES}"
                ),
                vec![SqlValue::from(query)],
            )
        })
    }
}

/// How a commercial list reads its pages: `select` (`SELECT cols…, <order keys> FROM t …
/// joins`, the order's keys last), `from` (the list's table with its alias, for counts),
/// the order and the page asked for.
pub(crate) struct ListPlan<'a> {
    pub(crate) select: String,
    pub(crate) from: String,
    pub(crate) order: &'a Order,
    pub(crate) req: &'a PageRequest,
}

impl ListPlan<'_> {
    /// One page's rows (with the order's keys as the last columns) and the bounded count:
    /// without a search, one keyset (or bounded offset) query through the order's index;
    /// with one, first a scan through that index over at most `scan` rows (a common text
    /// fills the page there), and when it did not fill the page the FULLTEXT candidates.
    pub(crate) async fn rows(
        &self,
        conn: &mut mysql_async::Conn,
        conds: Vec<String>,
        params: Vec<SqlValue>,
        search: Option<ListSearch>,
        scan: u32,
    ) -> Result<(Vec<Row>, Total), AppError> {
        let Some(search) = search else {
            return self.exact(conn, conds, params).await;
        };
        let (mut c, mut p) = (conds.clone(), params.clone());
        c.push(search.matches.0.clone());
        p.extend(search.matches.1.iter().cloned());
        if let Some(r) = self.scanned(conn, c, p, scan).await? {
            return Ok(r);
        }
        let (mut c, mut p) = (conds, params);
        if let Some((sql, fp)) = &search.fulltext {
            let ids: Vec<String> = conn.exec(sql.as_str(), fp.clone()).await.map_err(db)?;
            let mut parts = Vec::new();
            if !ids.is_empty() {
                parts.push(format!(
                    "{} IN ({})",
                    search.id_col,
                    vec!["?"; ids.len()].join(", ")
                ));
                p.extend(ids.into_iter().map(SqlValue::from));
            }
            if let Some((a, ap)) = &search.also {
                parts.push(a.clone());
                p.extend(ap.iter().cloned());
            }
            c.push(if parts.is_empty() {
                "1 = 0".into()
            } else {
                format!("({})", parts.join(" OR "))
            });
        }
        c.push(search.matches.0);
        p.extend(search.matches.1);
        self.exact(conn, c, p).await
    }

    fn sql(&self, conds: &[String], tail: &str, extra: &str) -> String {
        format!("{} {} {tail}{extra}", self.select, where_sql(conds))
    }

    async fn exact(
        &self,
        conn: &mut mysql_async::Conn,
        conds: Vec<String>,
        params: Vec<SqlValue>,
    ) -> Result<(Vec<Row>, Total), AppError> {
        let (mut pc, mut pp) = (conds.clone(), params.clone());
        let tail = self.req.plan(self.order, &mut pc, &mut pp);
        let rows: Vec<Row> = conn.exec(self.sql(&pc, &tail, ""), pp).await.map_err(db)?;
        let n: Option<u64> = conn
            .exec_first(bounded_count_sql(&self.from, &where_sql(&conds)), params)
            .await
            .map_err(db)?;
        Ok((rows, Total::from_counted(n.unwrap_or(0))))
    }

    /// The page read through the order's index over at most `scan` rows; `None` when the
    /// scan stopped before it filled the page.
    async fn scanned(
        &self,
        conn: &mut mysql_async::Conn,
        conds: Vec<String>,
        params: Vec<SqlValue>,
        scan: u32,
    ) -> Result<Option<(Vec<Row>, Total)>, AppError> {
        let scan = format!(" ROWS EXAMINED {scan}");
        let (mut pc, mut pp) = (conds.clone(), params.clone());
        let tail = self.req.plan(self.order, &mut pc, &mut pp);
        let rows: Vec<Row> = match conn.exec(self.sql(&pc, &tail, &scan), pp).await {
            Ok(rows) if conn.get_warnings() == 0 => rows,
            Ok(_) => return Ok(None),
            Err(e) if server_code(&e) == Some(SORT_ABORTED) => return Ok(None),
            Err(e) => return Err(db(e)),
        };
        // Counted the same way: a lower bound when the scan stops before the end.
        let counted = conn
            .exec_first::<u64, _, _>(
                format!(
                    "{} LIMIT{scan}",
                    bounded_count_sql(&self.from, &where_sql(&conds))
                ),
                params,
            )
            .await;
        let total = match counted {
            Ok(n) if conn.get_warnings() == 0 => Total::from_counted(n.unwrap_or(0)),
            Ok(n) => Total::at_least(n.unwrap_or(0).max(rows.len() as u64)),
            Err(e) if server_code(&e) == Some(SORT_ABORTED) => Total::at_least(rows.len() as u64),
            Err(e) => return Err(db(e)),
        };
        Ok(Some((rows, total)))
    }

    /// The page of `items` (one per row, in order), with its cursors from the rows' keys.
    pub(crate) fn page<T>(&self, rows: Vec<Row>, items: Vec<T>, total: Total) -> Paged<T> {
        let keys = self.order.len();
        let keyed = rows
            .into_iter()
            .zip(items)
            .map(|(mut row, item)| {
                let n = row.len();
                let k = (n - keys..n)
                    .map(|i| Key::from_sql(row.take(i).unwrap_or(SqlValue::NULL)))
                    .collect();
                (k, item)
            })
            .collect();
        self.req.finish(keyed, total)
    }
}
