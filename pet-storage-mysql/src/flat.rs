//! Flat lists of one table (customers, employees, articles, SLA definitions, jobs): the
//! tickets' recipe (`helpdesk/tickets.rs`) for a list whose rows and names come from one
//! query — keyset pages ([`PageRequest`]), a bounded count, and a text search that first
//! scans through the order's index over at most `search_scan` rows and, when that does not
//! fill the page, asks the table's FULLTEXT index for the rows that can match.

use mysql_async::prelude::*;
use mysql_async::{Conn, Row, Value as SqlValue};
use serde::Serialize;
use serde_json::Value;

use crate::db::{like_escape, server_code};
use crate::error::{db, internal, AppError};
use crate::paging::{
    bounded_count_sql, fulltext_prefix_query, where_sql, Key, Order, PageRequest, Paged, Total,
    SORT_ABORTED,
};

/// A list's text search: the text anywhere in one of `columns` (`LIKE '%text%'`, as the
/// lists always searched), with the words a FULLTEXT index over the same columns can be
/// asked for.
#[derive(Debug, Clone)]
pub(crate) struct TextSearch {
    columns: &'static [&'static str],
    text: String,
}

impl TextSearch {
    /// A search of `text` (trimmed; `None` when empty) in `columns`.
    pub(crate) fn new(text: Option<&str>, columns: &'static [&'static str]) -> Option<Self> {
        let text = text.map(str::trim).filter(|s| !s.is_empty())?;
        Some(TextSearch {
            columns,
            text: text.to_owned(),
        })
    }

    /// `(a LIKE ? OR b LIKE ?)`.
    fn matches(&self) -> (String, Vec<SqlValue>) {
        let pat = format!("%{}%", like_escape(&self.text));
        let parts: Vec<String> = self.columns.iter().map(|c| format!("{c} LIKE ?")).collect();
        let params = self.columns.iter().map(|_| pat.clone().into()).collect();
        (format!("({})", parts.join(" OR ")), params)
    }

    /// `MATCH (a, b) AGAINST ('+word* …' IN BOOLEAN MODE)`, when the text has a word the
    /// index holds: the rows where each word of the text starts a word. (The `LIKE` still
    /// decides; a text whose first word starts inside a longer word — `cme` of `Acme` — is
    /// found by the scan, not by the index: that is the price of a flat search.)
    fn candidates(&self) -> Option<(String, Vec<SqlValue>)> {
        let query = fulltext_prefix_query(&self.text)?;
        Some((
            format!(
                "MATCH ({}) AGAINST (? IN BOOLEAN MODE)",
                self.columns.join(", ")
            ),
            vec![query.into()],
        ))
    }
}

/// The order of a list: `by`, or, when it is searched, newest first (`created_at`, `id`,
/// descending; the row must have `created_at`). The bounded scan meets a word's rows at the
/// rate they occur, and rows are spread over time by their words; in an alphabetical order
/// the rows whose name starts with a word all sort together, perhaps last, and the scan
/// would not reach them.
pub(crate) fn list_order(search: Option<&TextSearch>, by: &[(&'static str, bool)]) -> Order {
    match search {
        Some(_) => Order::by(&[("created_at", true), ("id", true)]),
        None => Order::by(by),
    }
}

/// One flat list request over `from`: its row columns, filters, order, page and search.
pub(crate) struct FlatList<'a> {
    /// `table t [JOIN …]`.
    pub from: String,
    /// The row's columns (the order's expressions among them, by name: unqualified).
    pub columns: &'a str,
    /// Filter conditions and their parameters.
    pub conds: Vec<String>,
    /// Parameters of `conds`.
    pub params: Vec<SqlValue>,
    /// The list's order.
    pub order: &'a Order,
    /// The page asked for.
    pub req: &'a PageRequest,
    /// The text search, if any.
    pub search: Option<TextSearch>,
}

impl FlatList<'_> {
    fn page_sql(&self, conds: &[String], tail: &str, extra: &str) -> String {
        format!(
            "SELECT {} FROM {} {} {tail}{extra}",
            self.columns,
            self.from,
            where_sql(conds)
        )
    }

    /// Reads the page: its rows (each with its sort keys) and the bounded total.
    pub(crate) async fn read(
        self,
        conn: &mut Conn,
        search_scan: u32,
    ) -> Result<(Vec<(Vec<Key>, Row)>, Total), AppError> {
        let mut conds = self.conds.clone();
        let mut params = self.params.clone();
        let (rows, total) = match &self.search {
            None => self.plain(conn, conds, params).await?,
            Some(search) => {
                let (c, p) = search.matches();
                conds.push(c);
                params.extend(p);
                let scan = format!(" ROWS EXAMINED {search_scan}");
                let mut page_conds = conds.clone();
                let mut page_params = params.clone();
                let tail = self.req.plan(self.order, &mut page_conds, &mut page_params);
                let scanned: Option<Vec<Row>> = match conn
                    .exec(self.page_sql(&page_conds, &tail, &scan), page_params)
                    .await
                {
                    Ok(rows) => (conn.get_warnings() == 0).then_some(rows),
                    Err(e) if server_code(&e) == Some(SORT_ABORTED) => None,
                    Err(e) => return Err(db(e)),
                };
                match scanned {
                    Some(rows) => {
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
                            Ok(n) if conn.get_warnings() == 0 => {
                                Total::from_counted(n.unwrap_or(0))
                            }
                            Ok(n) => Total::at_least(n.unwrap_or(0)),
                            Err(e) if server_code(&e) == Some(SORT_ABORTED) => {
                                Total::at_least(rows.len() as u64)
                            }
                            Err(e) => return Err(db(e)),
                        };
                        (rows, total)
                    }
                    None => {
                        // The text is rare: the rows that can have it come from FULLTEXT.
                        if let Some((c, p)) = search.candidates() {
                            conds.push(c);
                            params.extend(p);
                        }
                        self.plain(conn, conds, params).await?
                    }
                }
            }
        };
        // The order's expressions are columns of the row (by name): the page's cursors.
        let names = self.order.select();
        let names: Vec<&str> = names.split(", ").collect();
        let keyed = rows
            .into_iter()
            .map(|row| {
                let k = names
                    .iter()
                    .map(|n| Key::from_sql(row.get::<SqlValue, &str>(*n).unwrap_or(SqlValue::NULL)))
                    .collect();
                (k, row)
            })
            .collect();
        Ok((keyed, total))
    }

    async fn plain(
        &self,
        conn: &mut Conn,
        conds: Vec<String>,
        params: Vec<SqlValue>,
    ) -> Result<(Vec<Row>, Total), AppError> {
        let mut page_conds = conds.clone();
        let mut page_params = params.clone();
        let tail = self.req.plan(self.order, &mut page_conds, &mut page_params);
        let rows: Vec<Row> = conn
            .exec(self.page_sql(&page_conds, &tail, ""), page_params)
            .await
            .map_err(db)?;
        let n: Option<u64> = conn
            .exec_first(bounded_count_sql(&self.from, &where_sql(&conds)), params)
            .await
            .map_err(db)?;
        Ok((rows, Total::from_counted(n.unwrap_or(0))))
    }
}

/// A page as the list's JSON (`items`, `total`, `total_exact`, `page?`, `per_page`, `next`,
/// `prev`, `last`).
pub(crate) fn page_value<T: Serialize>(page: Paged<T>) -> Result<Value, AppError> {
    serde_json::to_value(page).map_err(|e| internal(&format!("list page: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Option<String> {
        TextSearch::new(Some(text), &["name"])
            .unwrap()
            .candidates()
            .map(|(_, p)| match &p[0] {
                SqlValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("{other:?}"),
            })
    }

    #[test]
    fn asks_fulltext_only_for_whole_words() {
        assert_eq!(words("Acme"), Some("+acme*".into()));
        assert_eq!(words("ana@example.com"), Some("+ana* +example*".into()));
        assert_eq!(words("an"), None, "too short for the index");
        assert_eq!(words("the big printer"), Some("+big* +printer*".into()));
        assert!(TextSearch::new(Some("  "), &["name"]).is_none());
    }
}
