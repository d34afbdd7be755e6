//! Flat lists: keyset ("seek") pages and bounded counts.
//!
//! A list page costs the same at 2,000 rows as at 1,000,000 when (1) an index serves its
//! order and filter, (2) a page is found by seeking to the sort keys of the row the last page
//! ended at instead of skipping `OFFSET` rows, and (3) the total is counted only up to
//! [`COUNT_BOUND`] ("more than 10,000") instead of over every matching row.
//!
//! A list declares its [`Order`] (sort expressions, the last one unique — the id); the page
//! it returns carries opaque `next` / `prev` cursors ([`Cursor`]) holding the sort keys of
//! its last / first row. A request with `after` (or `before`) reads the rows strictly after
//! (before) that position, so rows inserted between two requests never make a row appear
//! twice or be skipped among those that existed.

use mysql_async::Value as SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Lists count matching rows up to this many; above it they say "more than".
pub const COUNT_BOUND: u64 = 10_000;

/// How many rows a list search reads through the list's order (MariaDB's `LIMIT … ROWS
/// EXAMINED`) before it asks the FULLTEXT indexes instead: a word found in one row in a
/// hundred fills a page within them; a rarer word is cheap to look up in a FULLTEXT index.
/// The same bound at 2,000 rows and at 1,000,000 keeps a search's cost flat.
pub const SEARCH_SCAN: u32 = 2000;

/// MariaDB's "sort aborted": a search's `LIMIT … ROWS EXAMINED` scan that sorted instead of
/// reading an index stops with this error when it reaches the bound.
pub(crate) const SORT_ABORTED: u16 = 1028;

/// At most this many ids are taken from one FULLTEXT index as a search's candidates.
pub(crate) const SEARCH_CANDIDATES: u32 = 20_000;

/// InnoDB's default full-text stopwords: never indexed, so a FULLTEXT index cannot be asked
/// for them (they still filter the candidates).
const FT_STOPWORDS: &[&str] = &[
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how",
    "i", "in", "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what",
    "when", "where", "who", "will", "with", "und", "www",
];

/// The words of `text` a FULLTEXT index holds: runs of letters and digits (so no boolean
/// operator survives from the input), lowercased, at least 3 characters, no stopword.
pub(crate) fn fulltext_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !FT_STOPWORDS.contains(&w.as_str()))
}

/// A boolean-mode query requiring each of the first 8 indexed words of `text` to start a
/// word (`+word* +word*`), or `None` when `text` has no word the index holds.
pub(crate) fn fulltext_prefix_query(text: &str) -> Option<String> {
    let words: Vec<String> = fulltext_words(text)
        .take(8)
        .map(|w| format!("+{w}*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Page numbers (`page`, read with `OFFSET`) are served only this deep into a list; beyond,
/// a client follows the `next` / `prev` cursors.
pub const OFFSET_BOUND: u64 = COUNT_BOUND;

/// One sort-key value of a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    /// An integer column.
    Int(i64),
    /// A text, id or date-time column (date-times as `YYYY-MM-DD hh:mm:ss.ffffff`).
    Text(String),
    /// A NULL (only where the order places NULLs explicitly).
    Null,
}

impl Key {
    /// The key of a value read from MySQL.
    pub fn from_sql(v: SqlValue) -> Key {
        match v {
            SqlValue::NULL => Key::Null,
            SqlValue::Int(i) => Key::Int(i),
            SqlValue::UInt(u) => i64::try_from(u).map_or(Key::Text(u.to_string()), Key::Int),
            SqlValue::Bytes(b) => Key::Text(String::from_utf8_lossy(&b).into_owned()),
            SqlValue::Date(y, mo, d, h, mi, s, us) => Key::Text(format!(
                "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}"
            )),
            other => Key::Text(other.as_sql(true).trim_matches('\'').to_owned()),
        }
    }

    fn to_sql(&self) -> SqlValue {
        match self {
            Key::Int(i) => SqlValue::Int(*i),
            Key::Text(s) => SqlValue::from(s.as_str()),
            Key::Null => SqlValue::NULL,
        }
    }
}

/// Which side of a position a page is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The rows after the position (the `next` page).
    After,
    /// The rows before the position (the `prev` page).
    Before,
}

/// A position in a list: the sort keys of one row, and the side to read. A `Before` cursor
/// with no keys is the end of the list (its last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// The side of the position the page is read from.
    pub side: Side,
    /// The sort keys of the row at the position (empty: the end of the list).
    pub keys: Vec<Key>,
}

impl Cursor {
    /// The cursor of the last page.
    pub fn last() -> Cursor {
        Cursor {
            side: Side::Before,
            keys: Vec::new(),
        }
    }

    /// The opaque text form for a list in the order tagged `tag` ([`Order::tag`]): the side,
    /// the tag and the keys (URL-safe: hexadecimal of a small JSON array).
    pub fn encode(&self, tag: u16) -> String {
        let json = serde_json::to_string(&self.keys).unwrap_or_else(|_| "[]".into());
        let mut out = String::with_capacity(5 + json.len() * 2);
        out.push(match self.side {
            Side::After => 'a',
            Side::Before => 'b',
        });
        out.push_str(&format!("{tag:04x}"));
        for b in json.bytes() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// Reads a cursor written by [`Cursor::encode`] for a list in `order` (a cursor of
    /// another list or order is refused).
    pub fn decode(s: &str, order: &Order) -> Result<Cursor, String> {
        const BAD: &str = "is not a cursor of this list";
        let len = order.len();
        let s = s.trim();
        let side = match s.as_bytes().first() {
            Some(b'a') => Side::After,
            Some(b'b') => Side::Before,
            _ => return Err(BAD.into()),
        };
        if s.len() < 5 || !s.is_char_boundary(5) || s[1..5] != format!("{:04x}", order.tag()) {
            return Err(BAD.into());
        }
        let hex = &s[5..];
        if hex.len() % 2 != 0 || hex.len() > 4096 {
            return Err(BAD.into());
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| BAD.to_owned())?;
        let keys: Vec<Key> = serde_json::from_slice(&bytes).map_err(|_| BAD.to_owned())?;
        if !(keys.len() == len || (keys.is_empty() && side == Side::Before)) {
            return Err(BAD.into());
        }
        Ok(Cursor { side, keys })
    }
}

/// One sort expression of an [`Order`].
#[derive(Debug, Clone, Copy)]
pub struct SortKey {
    /// The SQL expression (a column of the list's table, e.g. `t.created_at`).
    pub expr: &'static str,
    /// Descending.
    pub desc: bool,
}

/// A list order: sort expressions, the last one unique (the row id), none nullable.
#[derive(Debug, Clone)]
pub struct Order {
    keys: Vec<SortKey>,
}

impl Order {
    /// An order by `keys` (the last must be unique).
    pub fn new(keys: Vec<SortKey>) -> Order {
        Order { keys }
    }

    /// `expr1, expr2, …, exprN` asc/desc everywhere as `desc` says (`[(expr, desc)]`).
    pub fn by(keys: &[(&'static str, bool)]) -> Order {
        Order::new(
            keys.iter()
                .map(|&(expr, desc)| SortKey { expr, desc })
                .collect(),
        )
    }

    /// A short fingerprint of the order (its sort expressions and directions) that its
    /// cursors carry, so that a cursor of another order or list is refused (FNV-1a).
    pub fn tag(&self) -> u16 {
        let mut h: u32 = 0x811c_9dc5;
        for b in self.order_by(false).bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        (h ^ (h >> 16)) as u16
    }

    /// How many sort keys a cursor of this order holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True for an order with no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The sort expressions as a select list (a page reads them first, to build cursors).
    pub fn select(&self) -> String {
        self.keys
            .iter()
            .map(|k| k.expr)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The `ORDER BY` list, or its reverse (reading a page backwards).
    pub fn order_by(&self, reverse: bool) -> String {
        self.keys
            .iter()
            .map(|k| {
                let desc = k.desc != reverse;
                format!("{} {}", k.expr, if desc { "DESC" } else { "ASC" })
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The condition "strictly after (or before) `keys` in this order", as
    /// `(a > ? OR (a = ? AND b > ?) …)` — the form MariaDB turns into an index range —
    /// with its parameters appended to `params`.
    pub fn seek(&self, cursor: &Cursor, params: &mut Vec<SqlValue>) -> Option<String> {
        if cursor.keys.len() != self.keys.len() || self.keys.is_empty() {
            return None;
        }
        let mut ors = Vec::with_capacity(self.keys.len());
        for i in 0..self.keys.len() {
            let mut ands = Vec::with_capacity(i + 1);
            for (k, v) in self.keys[..i].iter().zip(&cursor.keys) {
                ands.push(format!("{} = ?", k.expr));
                params.push(v.to_sql());
            }
            let k = self.keys[i];
            let forward = cursor.side == Side::After;
            let op = if k.desc == forward { "<" } else { ">" };
            ands.push(format!("{} {op} ?", k.expr));
            params.push(cursor.keys[i].to_sql());
            ors.push(if ands.len() == 1 {
                ands.remove(0)
            } else {
                format!("({})", ands.join(" AND "))
            });
        }
        Some(format!("({})", ors.join(" OR ")))
    }
}

/// Where a page starts: a cursor, or a page number (bounded by [`OFFSET_BOUND`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    /// The cursor (`after` or `before`), if given.
    pub cursor: Option<Cursor>,
    /// The page number (1-based) when no cursor is given.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
    /// The order's tag ([`Order::tag`]), written into the page's cursors.
    pub tag: u16,
}

impl PageRequest {
    /// Reads `page`, `per_page`, `after` and `before` from a list query, for a list in
    /// `order`; field errors go to `errors`.
    pub fn read(
        query: Option<&serde_json::Map<String, Value>>,
        order: &Order,
        errors: &mut pet_core::FieldErrors,
    ) -> PageRequest {
        let get = |name: &str| query.and_then(|m| m.get(name)).filter(|v| !v.is_null());
        let int = |name: &str, errors: &mut pet_core::FieldErrors| match get(name) {
            None => None,
            Some(v) => match v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(i) => Some(i),
                None => {
                    errors.add(name, "must be an integer");
                    None
                }
            },
        };
        let per_page = match int("per_page", errors) {
            None => 20,
            Some(p) if (1..=100).contains(&p) => p as u32,
            Some(_) => {
                errors.add("per_page", "must be between 1 and 100");
                20
            }
        };
        let page = match int("page", errors) {
            None => 1,
            Some(p) if (1..=1_000_000).contains(&p) => {
                if (p as u64 - 1) * u64::from(per_page) > OFFSET_BOUND {
                    errors.add(
                        "page",
                        "is too deep for a page number: follow the next/prev cursors",
                    );
                    1
                } else {
                    p as u32
                }
            }
            Some(_) => {
                errors.add("page", "must be between 1 and 1000000");
                1
            }
        };
        let mut cursor = None;
        for name in ["after", "before"] {
            match get(name) {
                None => {}
                Some(Value::String(s)) if s.is_empty() => {}
                Some(Value::String(s)) => match Cursor::decode(s, order) {
                    Ok(c) if (c.side == Side::After) == (name == "after") => {
                        if cursor.is_some() {
                            errors.add(name, "cannot be given with the other cursor");
                        }
                        cursor = Some(c);
                    }
                    Ok(_) | Err(_) => errors.add(name, "is not a cursor of this list"),
                },
                Some(_) => errors.add(name, "must be a string"),
            }
        }
        PageRequest {
            cursor,
            page,
            per_page,
            tag: order.tag(),
        }
    }

    /// A page request from a list query's typed `page`, `per_page`, `after` and `before`, in
    /// `order`; a cursor of another list or order (or both cursors) is a field error.
    pub fn from_fields(
        page: u32,
        per_page: u32,
        after: Option<&str>,
        before: Option<&str>,
        order: &Order,
    ) -> Result<PageRequest, crate::AppError> {
        let mut errors = pet_core::FieldErrors::new();
        let mut query = serde_json::Map::new();
        query.insert("page".into(), page.into());
        query.insert("per_page".into(), per_page.into());
        for (name, v) in [("after", after), ("before", before)] {
            if let Some(v) = v {
                query.insert(name.into(), v.into());
            }
        }
        let req = PageRequest::read(Some(&query), order, &mut errors);
        if errors.is_empty() {
            Ok(req)
        } else {
            Err(crate::AppError::Validation(errors))
        }
    }

    /// `ORDER BY …` with the seek condition (added to `conds`) and `LIMIT` / `OFFSET`: the
    /// tail of the page query. Reads one row more than a page, to know whether more follow.
    pub fn plan(
        &self,
        order: &Order,
        conds: &mut Vec<String>,
        params: &mut Vec<SqlValue>,
    ) -> String {
        let reverse = self.cursor.as_ref().is_some_and(|c| c.side == Side::Before);
        if let Some(c) = &self.cursor {
            if let Some(seek) = order.seek(c, params) {
                conds.push(seek);
            }
        }
        let offset = if self.cursor.is_some() {
            0
        } else {
            u64::from(self.page - 1) * u64::from(self.per_page)
        };
        params.push(SqlValue::UInt(u64::from(self.per_page) + 1));
        params.push(SqlValue::UInt(offset));
        format!("ORDER BY {} LIMIT ? OFFSET ?", order.order_by(reverse))
    }

    /// [`PageRequest::plan`] for a page read as a `UNION ALL` of index ranges (one per
    /// value of a filter, e.g. a reader's context types), each in the page's order: the seek
    /// condition goes into `conds`; returns the `ORDER BY` clause, the rows each part reads
    /// (the page's limit plus its offset: a part can hold the whole page) and the outer
    /// query's `LIMIT ? OFFSET ?` values.
    pub fn plan_parts(
        &self,
        order: &Order,
        conds: &mut Vec<String>,
        params: &mut Vec<SqlValue>,
    ) -> (String, u64, u64, u64) {
        let reverse = self.cursor.as_ref().is_some_and(|c| c.side == Side::Before);
        if let Some(c) = &self.cursor {
            if let Some(seek) = order.seek(c, params) {
                conds.push(seek);
            }
        }
        let offset = if self.cursor.is_some() {
            0
        } else {
            u64::from(self.page - 1) * u64::from(self.per_page)
        };
        let limit = u64::from(self.per_page) + 1;
        (
            format!("ORDER BY {}", order.order_by(reverse)),
            limit + offset,
            limit,
            offset,
        )
    }

    /// Turns the rows read by [`PageRequest::plan`] (each with its sort keys) into a page in
    /// list order, with its cursors.
    pub fn finish<T>(&self, mut rows: Vec<(Vec<Key>, T)>, total: Total) -> Paged<T> {
        let backwards = self.cursor.as_ref().is_some_and(|c| c.side == Side::Before);
        let more = rows.len() > self.per_page as usize;
        rows.truncate(self.per_page as usize);
        if backwards {
            rows.reverse();
        }
        let cursor_at = |keys: &Vec<Key>, side| {
            Cursor {
                side,
                keys: keys.clone(),
            }
            .encode(self.tag)
        };
        // Rows before the page exist when we came forward from a cursor or a page number >
        // 1, or when reading backwards found more; rows after it when reading forward found
        // more, or when we came backwards from a position (the row at it follows).
        let has_prev = if backwards {
            more
        } else {
            self.cursor.is_some() || self.page > 1
        };
        let has_next = if backwards {
            self.cursor.as_ref().is_some_and(|c| !c.keys.is_empty())
        } else {
            more
        };
        let prev = rows
            .first()
            .filter(|_| has_prev)
            .map(|(k, _)| cursor_at(k, Side::Before));
        let next = rows
            .last()
            .filter(|_| has_next)
            .map(|(k, _)| cursor_at(k, Side::After));
        Paged {
            items: rows.into_iter().map(|(_, t)| t).collect(),
            total: total.count,
            total_exact: total.exact,
            page: if self.cursor.is_some() {
                None
            } else {
                Some(self.page)
            },
            per_page: self.per_page,
            last: next.as_ref().map(|_| Cursor::last().encode(self.tag)),
            next,
            prev,
        }
    }
}

/// A bounded count: exact up to [`COUNT_BOUND`], else "more than".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// The count (`COUNT_BOUND` when not exact).
    pub count: u64,
    /// False when more than `COUNT_BOUND` rows match.
    pub exact: bool,
}

impl Total {
    /// At least `n` rows (a count that stopped before the end).
    pub fn at_least(n: u64) -> Total {
        Total {
            count: n.min(COUNT_BOUND),
            exact: false,
        }
    }

    /// The total of `n` rows counted by [`bounded_count_sql`].
    pub fn from_counted(n: u64) -> Total {
        if n > COUNT_BOUND {
            Total {
                count: COUNT_BOUND,
                exact: false,
            }
        } else {
            Total {
                count: n,
                exact: true,
            }
        }
    }
}

/// `SELECT COUNT(*) FROM (SELECT 1 FROM {from} {where_sql} LIMIT COUNT_BOUND + 1)`: counts
/// at most one row more than [`COUNT_BOUND`].
pub fn bounded_count_sql(from: &str, where_sql: &str) -> String {
    format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {from} {where_sql} LIMIT {}) AS bounded",
        COUNT_BOUND + 1
    )
}

/// `WHERE a AND b …` (empty for no conditions).
pub fn where_sql(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paged<T> {
    /// The rows, in list order.
    pub items: Vec<T>,
    /// How many rows match ([`COUNT_BOUND`] when more do).
    pub total: u64,
    /// False when more than `total` rows match.
    pub total_exact: bool,
    /// The page number, when the page was asked by number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: u32,
    /// Cursor of the next page (`after`), if there is one.
    pub next: Option<String>,
    /// Cursor of the previous page (`before`), if there is one.
    pub prev: Option<String>,
    /// Cursor of the list's last page (`before`), when this page is not the last.
    pub last: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one() -> Order {
        Order::by(&[("id", true)])
    }

    fn order() -> Order {
        Order::by(&[("t.created_at", true), ("t.id", true)])
    }

    #[test]
    fn cursors_round_trip_and_reject_foreign_text() {
        let c = Cursor {
            side: Side::After,
            keys: vec![
                Key::Text("2026-12-04 10:00:00.000000".into()),
                Key::Int(-7),
                Key::Null,
            ],
        };
        let three = Order::by(&[("a", true), ("b", false), ("id", true)]);
        let s = c.encode(three.tag());
        assert!(s.chars().all(|ch| ch.is_ascii_alphanumeric()));
        assert_eq!(Cursor::decode(&s, &three), Ok(c.clone()));
        assert!(
            Cursor::decode(&s, &order()).is_err(),
            "another list's cursor"
        );
        let other = Order::by(&[("a", false), ("b", false), ("id", true)]);
        assert_ne!(other.tag(), three.tag());
        assert!(
            Cursor::decode(&s, &other).is_err(),
            "another order's cursor"
        );
        let tag = format!("{:04x}", order().tag());
        for bad in [
            String::new(),
            "x00".into(),
            format!("a{tag}0"),
            format!("a{tag}zz"),
            format!("a{tag}7b"),
            format!("b{tag}5b7b7d5d"),
            "a5b5d".into(),
        ] {
            assert!(Cursor::decode(&bad, &order()).is_err(), "{bad}");
        }
        assert_eq!(
            Cursor::decode(&Cursor::last().encode(order().tag()), &order()),
            Ok(Cursor::last())
        );
        assert!(
            Cursor::decode(&format!("a{tag}5b5d"), &order()).is_err(),
            "an empty After cursor"
        );
    }

    #[test]
    fn seek_expands_to_an_index_range_in_either_direction() {
        let mut params = Vec::new();
        let after = Cursor {
            side: Side::After,
            keys: vec![Key::Text("2026-12-04".into()), Key::Text("id-9".into())],
        };
        assert_eq!(
            order().seek(&after, &mut params).unwrap(),
            "(t.created_at < ? OR (t.created_at = ? AND t.id < ?))"
        );
        assert_eq!(params.len(), 3);
        let before = Cursor {
            side: Side::Before,
            ..after
        };
        let mut params = Vec::new();
        assert_eq!(
            order().seek(&before, &mut params).unwrap(),
            "(t.created_at > ? OR (t.created_at = ? AND t.id > ?))"
        );
        assert_eq!(order().order_by(false), "t.created_at DESC, t.id DESC");
        assert_eq!(order().order_by(true), "t.created_at ASC, t.id ASC");
        assert!(order().seek(&Cursor::last(), &mut params).is_none());
    }

    fn request(q: Value) -> (PageRequest, pet_core::FieldErrors) {
        let mut errors = pet_core::FieldErrors::new();
        let r = PageRequest::read(q.as_object(), &order(), &mut errors);
        (r, errors)
    }

    #[test]
    fn reads_page_numbers_within_the_bound_and_cursors() {
        let (r, e) = request(json!({"page": 3, "per_page": "50"}));
        assert!(e.is_empty());
        assert_eq!((r.page, r.per_page, r.cursor), (3, 50, None));
        let (_, e) = request(json!({"page": 100_000}));
        assert!(e.get("page").unwrap().contains("cursor"));
        let (_, e) = request(json!({"per_page": 500, "after": 3, "before": "zz"}));
        assert_eq!(e.get("per_page"), Some("must be between 1 and 100"));
        assert_eq!(e.get("after"), Some("must be a string"));
        assert_eq!(e.get("before"), Some("is not a cursor of this list"));
        let next = Cursor {
            side: Side::After,
            keys: vec![Key::Int(1), Key::Int(2)],
        }
        .encode(order().tag());
        let (_, e) = request(json!({ "before": next }));
        assert!(e.get("before").is_some(), "an after cursor given as before");
        let (r, e) = request(json!({ "after": next, "before": "" }));
        assert!(e.is_empty());
        assert_eq!(r.cursor.unwrap().keys, vec![Key::Int(1), Key::Int(2)]);
    }

    /// Simulates paging over a sorted list (ids descending) through plan/finish semantics.
    fn page_of(all: &[i64], req: &PageRequest) -> Paged<i64> {
        let mut rows: Vec<i64> = all.to_vec(); // already in list order (desc)
        let backwards = req.cursor.as_ref().is_some_and(|c| c.side == Side::Before);
        if let Some(c) = &req.cursor {
            if let Some(Key::Int(k)) = c.keys.first() {
                rows.retain(|&v| if backwards { v > *k } else { v < *k });
            }
        }
        if backwards {
            rows.reverse();
        } else {
            let skip = if req.cursor.is_some() {
                0
            } else {
                (req.page as usize - 1) * req.per_page as usize
            };
            rows = rows.into_iter().skip(skip).collect();
        }
        rows.truncate(req.per_page as usize + 1);
        let rows = rows.into_iter().map(|v| (vec![Key::Int(v)], v)).collect();
        req.finish(rows, Total::from_counted(all.len() as u64))
    }

    fn follow(all: &[i64], cursor: &str) -> Paged<i64> {
        let req = PageRequest {
            cursor: Some(Cursor::decode(cursor, &one()).unwrap()),
            page: 1,
            per_page: 3,
            tag: one().tag(),
        };
        page_of(all, &req)
    }

    #[test]
    fn next_and_prev_walk_the_whole_list_both_ways() {
        let all: Vec<i64> = (1..=10).rev().collect();
        let first = PageRequest {
            cursor: None,
            page: 1,
            per_page: 3,
            tag: one().tag(),
        };
        let mut p = page_of(&all, &first);
        assert_eq!(p.items, vec![10, 9, 8]);
        assert!(p.prev.is_none());
        let mut seen = p.items.clone();
        while let Some(n) = p.next.clone() {
            p = follow(&all, &n);
            seen.extend(&p.items);
        }
        assert_eq!(seen, all, "every row once, in order");
        assert_eq!(p.items, vec![1]);
        let mut back = p.items.clone();
        while let Some(b) = p.prev.clone() {
            p = follow(&all, &b);
            back.splice(0..0, p.items.iter().copied());
        }
        assert_eq!(back, all);
        let last = PageRequest {
            cursor: Some(Cursor::last()),
            page: 1,
            per_page: 3,
            tag: one().tag(),
        };
        let p = page_of(&all, &last);
        assert_eq!(p.items, vec![3, 2, 1]);
        assert!(p.next.is_none() && p.prev.is_some());
    }

    #[test]
    fn counts_are_bounded() {
        assert_eq!(
            Total::from_counted(COUNT_BOUND + 1),
            Total {
                count: COUNT_BOUND,
                exact: false
            }
        );
        assert!(Total::from_counted(COUNT_BOUND).exact);
        assert!(bounded_count_sql("t", "WHERE a = ?").ends_with("LIMIT 10001) AS bounded"));
    }
}
