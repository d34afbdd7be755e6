//! Quotes and sales: create (the opportunity starts quoting in the same transaction),
//! revise the draft (the builder saves the whole content), draft the next version, send
//! (supersedes the version sent before, schedules its expiry), accept (quote acceptance,
//! the sale and the opportunity's win in ONE transaction; a second acceptance is a
//! conflict), reject, expire (job, exactly once per sent version); reads of quotes,
//! versions with line and group totals, a version diff, lists and sales.
//!
//! The quote aggregate is restored from its state rows (`quotes` + `quote_versions`, whose
//! `content` column holds the version's content as the events carry it), so a command
//! costs the same however many revisions a quote has had.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::commercial::quote::{QuoteCreated, SentDetails};
use pet_core::commercial::{
    quote_reference, BasisPoints, Discount, DraftEdit, LineGroup, LineGroupId, LineId, LineKind,
    NewQuote, OpportunityCommand, OpportunityFacts, OpportunityId, Quantity, Quote, QuoteCommand,
    QuoteContent, QuoteEvent, QuoteFacts, QuoteId, QuoteLine, QuoteNumber, QuoteTotals,
    QuoteVersion, QuoteVersionNumber, QuoteVersionStatus, SaleId, Text, Totals,
};
use pet_core::identity::{Currency, CustomerId, Money, Name};
use pet_core::FieldErrors;
use serde_json::{json, Value};
use uuid::Uuid;

use super::opportunities::Opportunities;
use super::{col, db, internal, json_text, parse_id, ListPlan, ListSearch};
use crate::app::{App, CommandContext};
use crate::command::{command, Actors, Cmd, Repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{AppError, StorageError};
use crate::fields::{command_input, domain_message, read_field, Field, OrBlank, OrBlankText};
use crate::input::arg_uuid;
use crate::jobs::NewJob;
use crate::money::{DecimalText, FormattedText, MoneyView};
use crate::paging::Order;
use crate::services::Commercial;
use crate::uow::UnitOfWork;
use serde::Serialize;

/// Job kind: expire a sent quote version once its validity has run out (payload
/// `{quote_id, number}`; enqueued when the version is sent, due the day after its last
/// valid day).
pub const JOB_QUOTE_EXPIRY: &str = pet_core::commercial::JOB_QUOTE_EXPIRY;

const VERSION_STATUSES: [&str; 6] = [
    "draft",
    "sent",
    "accepted",
    "rejected",
    "expired",
    "superseded",
];

/// Rows per multi-row INSERT of quote lines (keeps placeholders well under 65 535).
const LINE_CHUNK: usize = 1000;

/// Totals: the `*_minor` integers and, beside each, its money object (`subtotal`,
/// `discount`, `tax`, `total`).
#[derive(Debug, Serialize)]
pub(super) struct TotalsView {
    subtotal_minor: i64,
    discount_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    subtotal: MoneyView,
    discount: MoneyView,
    tax: MoneyView,
    total: MoneyView,
}

impl TotalsView {
    fn new(t: &Totals) -> Self {
        Self {
            subtotal_minor: t.subtotal.amount_minor(),
            discount_minor: t.discount.amount_minor(),
            tax_minor: t.tax.amount_minor(),
            total_minor: t.total.amount_minor(),
            subtotal: MoneyView(t.subtotal),
            discount: MoneyView(t.discount),
            tax: MoneyView(t.tax),
            total: MoneyView(t.total),
        }
    }
}

/// A quote's totals: [`TotalsView`] and the optional groups' total beside it.
#[derive(Debug, Serialize)]
pub(super) struct QuoteTotalsView {
    #[serde(flatten)]
    quote: TotalsView,
    optional_total_minor: i64,
    optional_total: MoneyView,
}

impl QuoteTotalsView {
    fn new(t: &QuoteTotals) -> Self {
        Self {
            quote: TotalsView::new(&t.quote),
            optional_total_minor: t.optional_total.amount_minor(),
            optional_total: MoneyView(t.optional_total),
        }
    }
}

/// A view struct as the JSON value the PHP layer receives.
fn to_json<T: Serialize>(view: &T) -> Result<Value, AppError> {
    serde_json::to_value(view).map_err(|e| internal(&format!("view: {e}")))
}

/// A line's discount: `{type: percent, basis_points}` or a money object with `type: amount`.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum DiscountView {
    Percent { basis_points: u32 },
    Amount(MoneyView),
}

/// A line's totals: integers and money objects.
#[derive(Serialize)]
struct LineTotalsView {
    gross_minor: i64,
    discount_minor: i64,
    net_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    gross: MoneyView,
    discount: MoneyView,
    net: MoneyView,
    tax: MoneyView,
    total: MoneyView,
}

/// A line: `unit_price_minor` and `unit_price` (the decimal string the builder shows and
/// sends back), `unit_price_formatted`; an amount discount is a money object with `type`;
/// totals as integers and money objects.
#[derive(Serialize)]
struct LineView<'a> {
    line_id: LineId,
    kind: &'static str,
    role: Option<&'a str>,
    interval: Option<&'static str>,
    description: &'a str,
    quantity: i64,
    unit_price_minor: i64,
    unit_price: DecimalText,
    unit_price_formatted: FormattedText,
    currency: Currency,
    discount: Option<DiscountView>,
    tax_rate_bp: u32,
    totals: LineTotalsView,
}

impl<'a> LineView<'a> {
    fn new(l: &'a QuoteLine) -> Result<Self, AppError> {
        let t = l.totals()?;
        let (role, interval) = match l.kind() {
            LineKind::Labour { role } => (role.as_ref().map(Name::as_str), None),
            LineKind::Recurring { interval } => (None, Some(interval.as_str())),
            _ => (None, None),
        };
        Ok(Self {
            line_id: l.line_id(),
            kind: l.kind().as_str(),
            role,
            interval,
            description: l.description().as_str(),
            quantity: l.quantity().get(),
            unit_price_minor: l.unit_price().amount_minor(),
            unit_price: DecimalText(l.unit_price()),
            unit_price_formatted: FormattedText(l.unit_price()),
            currency: l.currency(),
            discount: l.discount().map(|d| match d {
                Discount::Percent { basis_points } => DiscountView::Percent {
                    basis_points: basis_points.get(),
                },
                Discount::Amount { amount } => DiscountView::Amount(MoneyView(amount)),
            }),
            tax_rate_bp: l.tax_rate().get(),
            totals: LineTotalsView {
                gross_minor: t.gross.amount_minor(),
                discount_minor: t.discount.amount_minor(),
                net_minor: t.net.amount_minor(),
                tax_minor: t.tax.amount_minor(),
                total_minor: t.total.amount_minor(),
                gross: MoneyView(t.gross),
                discount: MoneyView(t.discount),
                net: MoneyView(t.net),
                tax: MoneyView(t.tax),
                total: MoneyView(t.total),
            },
        })
    }
}

fn line_json(l: &QuoteLine) -> Result<Value, AppError> {
    to_json(&LineView::new(l)?)
}

/// A group with its lines and totals.
#[derive(Serialize)]
struct GroupView<'a> {
    group_id: LineGroupId,
    title: &'a str,
    optional: bool,
    lines: Vec<LineView<'a>>,
    totals: TotalsView,
}

impl<'a> GroupView<'a> {
    fn new(g: &'a LineGroup, currency: Currency) -> Result<Self, AppError> {
        let totals = QuoteContent::group_totals(g, currency)?;
        Ok(Self {
            group_id: g.group_id,
            title: g.title.as_str(),
            optional: g.optional,
            lines: g
                .lines
                .iter()
                .map(LineView::new)
                .collect::<Result<_, _>>()?,
            totals: TotalsView::new(&totals),
        })
    }
}

fn groups_view(c: &QuoteContent, currency: Currency) -> Result<Vec<GroupView<'_>>, AppError> {
    c.groups
        .iter()
        .map(|g| GroupView::new(g, currency))
        .collect()
}

/// One version with its groups, lines and totals (as computed by the engine).
#[derive(Serialize)]
struct QuoteVersionView<'a> {
    quote_id: QuoteId,
    reference: String,
    title: &'a str,
    currency: &'a str,
    minor_digits: u32,
    number: u32,
    based_on: Option<u32>,
    status: &'static str,
    actions: &'static [&'static str],
    valid_until: Option<String>,
    content_hash: Option<&'a str>,
    current_hash: String,
    line_count: usize,
    totals: QuoteTotalsView,
    groups: Vec<GroupView<'a>>,
}

/// Builder content previewed: totals and groups as a version view shows them.
#[derive(Serialize)]
struct PreviewView<'a> {
    currency: &'a str,
    minor_digits: u32,
    line_count: usize,
    totals: QuoteTotalsView,
    groups: Vec<GroupView<'a>>,
}

/// Parses the builder's content: `{groups: [{group_id?, title, optional?, lines: [{line_id?,
/// kind, role?, interval?, description, quantity, unit_price ("85.50", in the line's
/// currency with its minor digits) | unit_price_minor, currency?, discount?: {type: percent,
/// percent ("12.5", as typed) | basis_points} | {type: amount, amount ("1.50") |
/// amount_minor}, tax_rate ("20", as typed) | tax_rate_bp?}]}]}`. Errors are named
/// `groups.N.field` / `groups.N.lines.M.field`. Missing ids are generated.
fn parse_content(input: &Value, currency: Currency) -> Result<QuoteContent, AppError> {
    let groups = ContentInput::parse(input, "input")?.groups.0;
    let mut errors = FieldErrors::new();
    let mut content = QuoteContent::new();
    for (gi, g) in groups.iter().enumerate() {
        let gp = format!("groups.{gi}");
        if !matches!(g, Value::Object(_)) {
            errors.add(gp, "must be an array with named keys");
            continue;
        }
        let group = GroupInput::parse(g, "group");
        let mut lines = Vec::new();
        for (li, l) in GroupLinesInput::parse(g, "group")
            .map(|g| g.lines.0)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match parse_line(l, currency) {
                Ok(line) => lines.push(line),
                Err(e) => prefixed(&mut errors, &format!("{gp}.lines.{li}"), e)?,
            }
        }
        match group {
            Ok(g) => content.groups.push(LineGroup {
                group_id: g
                    .group_id
                    .0
                    .unwrap_or_else(|| LineGroupId::from_uuid(Uuid::now_v7())),
                title: g.title,
                optional: g.optional.0,
                lines,
            }),
            Err(e) => prefixed(&mut errors, &gp, e)?,
        }
    }
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Adds a part's field errors named `prefix.field` (other errors are returned).
fn prefixed(errors: &mut FieldErrors, prefix: &str, e: AppError) -> Result<(), AppError> {
    match e {
        AppError::Validation(f) => {
            for (k, m) in f.iter() {
                errors.add(format!("{prefix}.{k}"), m);
            }
            Ok(())
        }
        other => Err(other),
    }
}

/// A list of JSON values (its items are read one by one, named by their index); `KIND`
/// names the items in the error message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct List<const GROUPS: bool>(pub Vec<Value>);

impl<const GROUPS: bool> Field for List<GROUPS> {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        match v {
            Value::Array(items) => Ok(Self(items.clone())),
            _ if GROUPS => Err("must be a list of groups".into()),
            _ => Err("must be a list of lines".into()),
        }
    }
}

/// A flag as a form posts it: `true`, `"1"` or `"true"`; anything else is false.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Flag(pub bool);

impl Field for Flag {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        Ok(Flag(
            matches!(v, Value::Bool(true))
                || matches!(v, Value::String(s) if s == "1" || s == "true"),
        ))
    }
}

command_input! {
    /// The builder's content: its groups, each read by [`GroupInput`].
    pub struct ContentInput {
        groups: List<true> = List::default(),
    }
}

command_input! {
    /// A group of the builder's content (its lines are read by [`LineInput`]).
    pub struct GroupInput {
        group_id: OrBlankId<LineGroupId>,
        title: Name,
        optional: Flag = Flag(false),
    }
}

command_input! {
    /// The lines of a group of the builder's content.
    pub struct GroupLinesInput {
        lines: List<false> = List::default(),
    }
}

/// An optional id where an empty string means "generate one"; a value that is not a
/// string also means "generate one" (as the builder has always read group ids).
#[derive(Debug, Clone, PartialEq)]
pub struct OrBlankId<T>(pub Option<T>);

impl<T: Field> Field for OrBlankId<T> {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        match v {
            Value::String(s) if !s.is_empty() => T::read(field, v).map(|t| OrBlankId(Some(t))),
            _ => Ok(OrBlankId(None)),
        }
    }
    fn absent() -> Result<Self, String> {
        Ok(OrBlankId(None))
    }
}

/// A quote line's kind with its kind's own field: `kind` (labour, fixed_fee, product or
/// recurring), a labour line's optional `role`, a recurring line's `interval`.
#[derive(Debug, Clone, PartialEq)]
pub struct KindField(pub LineKind);

impl Field for KindField {
    fn read(_field: &str, _v: &Value) -> Result<Self, String> {
        Err("is read with its role or interval".into())
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut FieldErrors,
    ) -> Option<Self> {
        let kind: String = read_field(obj, name, None, errors)?;
        match kind.as_str() {
            "labour" => {
                let role: OrBlankText<Name> = read_field(obj, "role", None, errors)?;
                Some(KindField(LineKind::Labour { role: role.0 }))
            }
            "fixed_fee" => Some(KindField(LineKind::FixedFee)),
            "product" => Some(KindField(LineKind::Product)),
            "recurring" => read_field(obj, "interval", None, errors)
                .map(|interval| KindField(LineKind::Recurring { interval })),
            _ => {
                errors.add(name, "must be labour, fixed_fee, product or recurring");
                None
            }
        }
    }
}

/// A percentage as basis points: `{name}_bp` / `basis_points` as an integer, or the text a
/// form posts (`"20"`, `"7.5"`, read by pet-core's [`BasisPoints::from_percent_text`])
/// under `text_key`; errors are named `bp_key` either way.
fn percent_field(
    obj: Option<&serde_json::Map<String, Value>>,
    bp_key: &str,
    text_key: &str,
    errors: &mut FieldErrors,
) -> Option<Option<BasisPoints>> {
    let given = |k: &str| obj.and_then(|m| m.get(k)).filter(|v| !v.is_null());
    if given(bp_key).is_some() {
        return read_field(obj, bp_key, None, errors).map(Some);
    }
    match given(text_key) {
        None => Some(None),
        Some(Value::String(t)) if t.trim().is_empty() => Some(None),
        Some(Value::String(t)) => match BasisPoints::from_percent_text(bp_key, t) {
            Ok(bp) => Some(Some(bp)),
            Err(e) => {
                errors.add(bp_key, domain_message(e));
                None
            }
        },
        Some(_) => {
            errors.add(bp_key, "must be a percentage like 20 or 7.5");
            None
        }
    }
}

/// A line's tax rate: `tax_rate_bp` (basis points) or `tax_rate` (percentage text); none
/// or blank is no tax.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxRate(pub BasisPoints);

impl Field for TaxRate {
    fn read(_field: &str, _v: &Value) -> Result<Self, String> {
        Err("is read from tax_rate_bp or tax_rate".into())
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut FieldErrors,
    ) -> Option<Self> {
        percent_field(obj, name, "tax_rate", errors)
            .map(|bp| TaxRate(bp.unwrap_or(BasisPoints::ZERO)))
    }
}

/// A line's discount as given: none, a percentage (`basis_points`, or `percent` as typed —
/// an empty or zero percentage is no discount), or an amount (read in the line's currency
/// by [`parse_line`]).
#[derive(Debug, Clone, PartialEq)]
pub enum DiscountField {
    /// No discount.
    None,
    /// A percentage off.
    Percent(BasisPoints),
    /// An amount off, read with the line's currency.
    Amount,
}

impl Field for DiscountField {
    fn read_into(field: &str, v: &Value, errors: &mut FieldErrors) -> Option<Self> {
        let obj = match v {
            Value::Object(m) => Some(m),
            Value::Array(a) if a.is_empty() => None,
            _ => {
                errors.add(field, "must be an array with named keys");
                return None;
            }
        };
        let mut e = FieldErrors::new();
        let r = match read_field::<String>(obj, "type", None, &mut e).as_deref() {
            Some("percent") => match obj.and_then(|m| m.get("basis_points")) {
                Some(v) if !v.is_null() => {
                    read_field(obj, "basis_points", None, &mut e).map(DiscountField::Percent)
                }
                _ if obj
                    .and_then(|m| m.get("percent"))
                    .is_some_and(|v| !v.is_null()) =>
                {
                    percent_field(obj, "basis_points", "percent", &mut e).map(|bp| {
                        match bp.filter(|bp| bp.get() > 0) {
                            Some(bp) => DiscountField::Percent(bp),
                            None => DiscountField::None,
                        }
                    })
                }
                _ => {
                    e.add("basis_points", "is required");
                    None
                }
            },
            Some("amount") => Some(DiscountField::Amount),
            Some("none") => Some(DiscountField::None),
            Some(_) => {
                e.add("type", "must be percent or amount");
                None
            }
            None => None,
        };
        for (k, m) in e.iter() {
            errors.add(format!("{field}.{k}"), m);
        }
        r
    }
    fn absent() -> Result<Self, String> {
        Ok(DiscountField::None)
    }
}

command_input! {
    /// A line of the builder's content (its amounts are read in the line's currency by
    /// [`parse_line`]).
    pub struct LineInput {
        line_id: OrBlank<LineId>,
        kind: KindField,
        description: Text,
        quantity: Quantity,
        currency: OrBlank<Currency>,
        tax_rate_bp: TaxRate,
        discount: DiscountField,
    }
}

/// An amount of a line given as `decimal_key` (decimal text) or `minor_key` (minor units)
/// in `currency` (the rule of [`crate::input::Input::amount`]), its errors named
/// `prefix` + key.
fn line_amount(
    v: &Value,
    prefix: &str,
    (decimal_key, minor_key): (&str, &str),
    currency: Option<Currency>,
    errors: &mut FieldErrors,
) -> Option<Money> {
    if !matches!(v, Value::Object(_)) {
        return None; // reported by the typed input
    }
    let mut i = crate::input::Input::new(v, "line");
    let money = match i.amount(decimal_key, minor_key, currency, true) {
        Ok(m) => m,
        Err(e) => {
            errors.add(format!("{prefix}{decimal_key}"), e.to_string());
            return None;
        }
    };
    if let Err(AppError::Validation(f)) = i.finish() {
        for (k, m) in f.iter() {
            errors.add(format!("{prefix}{k}"), m);
        }
    }
    money
}

fn parse_line(l: &Value, quote_currency: Currency) -> Result<QuoteLine, AppError> {
    // The amounts are read in the line's currency: the quote's unless the line names one.
    let currency = match l.get("currency") {
        Some(Value::String(c)) if !c.is_empty() => Currency::new(c).ok(),
        Some(Value::String(_) | Value::Null) | None => Some(quote_currency),
        Some(_) => None,
    };
    let mut amounts = FieldErrors::new();
    let unit_price = line_amount(
        l,
        "",
        ("unit_price", "unit_price_minor"),
        currency,
        &mut amounts,
    );
    let discount_amount = match l.get("discount") {
        Some(d) if d.get("type").and_then(Value::as_str) == Some("amount") => line_amount(
            d,
            "discount.",
            ("amount", "amount_minor"),
            currency,
            &mut amounts,
        ),
        _ => None,
    };
    let p = super::with_errors(LineInput::parse(l, "line"), amounts)?;
    let discount = match p.discount {
        DiscountField::None => None,
        DiscountField::Percent(basis_points) => Some(Discount::Percent { basis_points }),
        DiscountField::Amount => discount_amount.map(|amount| Discount::Amount { amount }),
    };
    let Some(price) = unit_price else {
        // Read whenever the typed input is valid (its currency is then known).
        let mut f = FieldErrors::new();
        f.add("unit_price_minor", "is required");
        return Err(AppError::Validation(f));
    };
    QuoteLine::new(
        p.line_id
            .0
            .unwrap_or_else(|| LineId::from_uuid(Uuid::now_v7())),
        p.kind.0,
        p.description,
        p.quantity,
        Money::new(price.amount_minor(), p.currency.0.unwrap_or(quote_currency)),
        discount,
        p.tax_rate_bp.0,
    )
    .map_err(AppError::from)
}

fn status_parse(s: &str) -> Result<QuoteVersionStatus, AppError> {
    Ok(match s {
        "draft" => QuoteVersionStatus::Draft,
        "sent" => QuoteVersionStatus::Sent,
        "accepted" => QuoteVersionStatus::Accepted,
        "rejected" => QuoteVersionStatus::Rejected,
        "expired" => QuoteVersionStatus::Expired,
        "superseded" => QuoteVersionStatus::Superseded,
        other => return Err(internal(&format!("unknown quote version status {other}"))),
    })
}

type QuoteRow = (
    String,
    u32,
    String,
    String,
    String,
    String,
    Option<u32>,
    Option<String>,
    u64,
);

type VersionRow = (
    u32,
    Option<u32>,
    String,
    String,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);

/// Quotes: restored from their state rows (quote, versions, groups and lines, written in
/// the same transaction as every event); saved back with a version check.
pub(crate) struct Quotes<'a>(pub(crate) &'a App);

impl Repository<Quote> for Quotes<'_> {
    const NAME: &'static str = "quote";
    async fn load(
        &self,
        tx: &mut mysql_async::Transaction<'_>,
        id: Uuid,
    ) -> Result<Option<Quote>, AppError> {
        crate::command::found(self.0.commercial().load_quote(tx, id).await)
    }
    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &Quote,
        events: &[QuoteEvent],
    ) -> Result<(), AppError> {
        let ctx = cx.ctx().clone();
        self.0
            .commercial()
            .write_quote(cx.uow(), before, after, events, &ctx)
            .await
    }
}

impl Commercial<'_> {
    /// Restores a quote from its state rows.
    pub(super) async fn load_quote<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<Quote, AppError> {
        let t = self.sales_tables();
        let row: Option<QuoteRow> = q
            .exec_first(
                format!(
                    "SELECT id, number, opportunity_id, customer_id, currency, title, accepted_version, sale_id, \
                     version FROM {} WHERE id = ?",
                    t.quotes
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((qid, number, opp, cust, cur, title, acc_v, sale, version)) = row else {
            return Err(AppError::NotFound(format!("quote {id}")));
        };
        let details = QuoteCreated {
            quote_id: QuoteId::from_uuid(parse_id(&qid)?),
            quote_number: QuoteNumber::new("number", number)?,
            opportunity_id: pet_core::commercial::OpportunityId::from_uuid(parse_id(&opp)?),
            customer_id: CustomerId::from_uuid(parse_id(&cust)?),
            currency: Currency::new(&cur)?,
            title: Name::new(&title)?,
        };
        let rows: Vec<VersionRow> = q
            .exec(
                format!(
                    "SELECT number, based_on, status, content, valid_until, content_hash, sent_totals FROM {} \
                     WHERE quote_id = ? ORDER BY number",
                    t.quote_versions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let mut versions = Vec::with_capacity(rows.len());
        for (n, based, status, content, valid, hash, totals) in rows {
            let content: QuoteContent = serde_json::from_str(&content)
                .map_err(|e| AppError::Storage(format!("stored quote content unreadable: {e}")))?;
            let sent = match (valid, hash, totals) {
                (Some(valid_until), Some(content_hash), Some(totals)) => Some(SentDetails {
                    valid_until,
                    content_hash,
                    totals: serde_json::from_str(&totals).map_err(|e| {
                        AppError::Storage(format!("stored quote totals unreadable: {e}"))
                    })?,
                }),
                _ => None,
            };
            versions.push(QuoteVersion::restore(
                QuoteVersionNumber::new("number", n)?,
                based
                    .map(|b| QuoteVersionNumber::new("based_on", b))
                    .transpose()?,
                status_parse(&status)?,
                content,
                sent,
            ));
        }
        let accepted = match (acc_v, sale) {
            (Some(v), Some(s)) => Some((
                QuoteVersionNumber::new("accepted_version", v)?,
                SaleId::from_uuid(parse_id(&s)?),
            )),
            _ => None,
        };
        Ok(Quote::restore(details, versions, accepted, version))
    }

    /// Writes what `events` changed: the quote row first (version-checked: the point where
    /// concurrent commands on one quote serialise), then the touched versions, their groups
    /// and lines, the sale, and expiry jobs for sent versions.
    async fn write_quote(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        q: &Quote,
        events: &[QuoteEvent],
        ctx: &CommandContext,
    ) -> Result<(), AppError> {
        let t = self.sales_tables();
        let now = uow.now();
        let nowdb = to_db_time(now);
        let currency = q.currency();
        let latest = q
            .latest()
            .ok_or_else(|| internal("quote without versions"))?;
        let latest_total = latest
            .content()
            .totals(currency)?
            .quote
            .total
            .amount_minor();
        let (acc_v, sale) = match q.accepted() {
            Some((v, s)) => (Some(v.get()), Some(s.to_string())),
            None => (None, None),
        };
        let d = q.details();
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, number, opportunity_id, customer_id, currency, title, latest_version, \
                     latest_status, latest_total_minor, accepted_version, sale_id, version, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.quotes
                ),
                vec![
                    SqlValue::from(q.id().to_string()),
                    d.quote_number.get().into(),
                    d.opportunity_id.to_string().into(),
                    d.customer_id.to_string().into(),
                    currency.as_str().into(),
                    d.title.as_str().into(),
                    latest.number().get().into(),
                    latest.status().as_str().into(),
                    latest_total.into(),
                    acc_v.into(),
                    sale.clone().into(),
                    q.version().into(),
                    nowdb.into(),
                    nowdb.into(),
                ],
                |_| StorageError::Conflict("another quote took this number; try again".into()),
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET latest_version = ?, latest_status = ?, latest_total_minor = ?, accepted_version = ?, \
                     sale_id = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.quotes
                ),
                vec![
                    SqlValue::from(latest.number().get()),
                    latest.status().as_str().into(),
                    latest_total.into(),
                    acc_v.into(),
                    sale.clone().into(),
                    q.version().into(),
                    nowdb.into(),
                    q.id().to_string().into(),
                    before.into(),
                ],
                &format!("quote {}", d.quote_number.reference()),
            )
            .await?;
        }
        // Versions touched, and those whose content changed.
        let mut touched: BTreeSet<QuoteVersionNumber> = BTreeSet::new();
        let mut new_versions: BTreeSet<QuoteVersionNumber> = BTreeSet::new();
        let mut new_content: BTreeSet<QuoteVersionNumber> = BTreeSet::new();
        let mut answer_notes: BTreeMap<QuoteVersionNumber, String> = BTreeMap::new();
        let mut superseded_by: BTreeMap<QuoteVersionNumber, QuoteVersionNumber> = BTreeMap::new();
        for ev in events {
            match ev {
                QuoteEvent::Created(_) => {}
                QuoteEvent::VersionDrafted(p) => {
                    new_versions.insert(p.number);
                    new_content.insert(p.number);
                }
                QuoteEvent::VersionRevised(p) => {
                    touched.insert(p.number);
                    new_content.insert(p.number);
                }
                QuoteEvent::Sent(p) => {
                    touched.insert(p.number);
                    let run_at = (p.sent.valid_until + Duration::days(1))
                        .and_hms_opt(0, 0, 0)
                        .map(|t| t.and_utc())
                        .ok_or_else(|| internal("expiry time"))?;
                    let job = NewJob::new(
                        JOB_QUOTE_EXPIRY,
                        json!({"quote_id": q.id().to_string(), "number": p.number.get()}),
                        run_at,
                    )
                    .dedupe(format!(
                        "{JOB_QUOTE_EXPIRY}:{}:{}",
                        q.id(),
                        p.number
                    ));
                    self.jobs().enqueue(uow.tx().await?, &job, now).await?;
                }
                QuoteEvent::Superseded(p) => {
                    touched.insert(p.number);
                    superseded_by.insert(p.number, p.superseded_by);
                }
                QuoteEvent::Accepted(p) => {
                    touched.insert(p.number);
                    if let Some(s) = &p.signed_by {
                        answer_notes.insert(p.number, format!("signed by {s}"));
                    }
                }
                QuoteEvent::Rejected(p) => {
                    touched.insert(p.number);
                    answer_notes.insert(p.number, p.reason.as_str().to_owned());
                }
                QuoteEvent::Expired(p) => {
                    touched.insert(p.number);
                }
                QuoteEvent::SaleRecorded(s) => {
                    uow.insert(
                        &format!(
                            "INSERT INTO {} (id, quote_id, quote_version, opportunity_id, customer_id, currency, \
                             total_minor, content_hash, signed_by, accepted_by, snapshot, recorded_at) \
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            t.sales
                        ),
                        vec![
                            SqlValue::from(s.sale_id.to_string()),
                            q.id().to_string().into(),
                            s.number.get().into(),
                            s.opportunity_id.to_string().into(),
                            s.customer_id.to_string().into(),
                            s.currency.as_str().into(),
                            s.totals.total.amount_minor().into(),
                            s.content_hash.as_str().into(),
                            events
                                .iter()
                                .find_map(|e| match e {
                                    QuoteEvent::Accepted(a) => {
                                        a.signed_by.as_ref().map(|n| n.as_str().to_owned())
                                    }
                                    _ => None,
                                })
                                .into(),
                            ctx.actor_id.map(|a| a.to_string()).into(),
                            json_text(&**s)?.into(),
                            nowdb.into(),
                        ],
                        {
                            let quote = d.quote_number.reference();
                            move |_| {
                                StorageError::Conflict(format!("quote {quote} already has a sale"))
                            }
                        },
                    )
                    .await?;
                }
            }
        }
        for n in &new_versions {
            let v = q
                .get(*n)
                .ok_or_else(|| internal("drafted version missing"))?;
            let totals = v.content().totals(currency)?;
            uow.insert(
                &format!(
                    "INSERT INTO {} (quote_id, number, based_on, status, content, line_count, subtotal_minor, \
                     discount_minor, tax_minor, total_minor, optional_total_minor, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.quote_versions
                ),
                vec![
                    SqlValue::from(q.id().to_string()),
                    n.get().into(),
                    v.based_on().map(|b| b.get()).into(),
                    v.status().as_str().into(),
                    json_text(v.content())?.into(),
                    (v.content().line_count() as u64).into(),
                    totals.quote.subtotal.amount_minor().into(),
                    totals.quote.discount.amount_minor().into(),
                    totals.quote.tax.amount_minor().into(),
                    totals.quote.total.amount_minor().into(),
                    totals.optional_total.amount_minor().into(),
                    nowdb.into(),
                    nowdb.into(),
                ],
                |_| StorageError::Conflict("this quote version already exists".into()),
            )
            .await?;
        }
        for n in touched.difference(&new_versions) {
            let v = q
                .get(*n)
                .ok_or_else(|| internal("touched version missing"))?;
            let totals = v.content().totals(currency)?;
            let content = if new_content.contains(n) {
                Some(json_text(v.content())?)
            } else {
                None
            };
            let sent = v.sent();
            let status = v.status();
            let answered = matches!(
                status,
                QuoteVersionStatus::Accepted | QuoteVersionStatus::Rejected
            );
            uow.tx().await?
                .exec_drop(
                    format!(
                        "UPDATE {} SET status = ?, content = COALESCE(?, content), line_count = ?, subtotal_minor = ?, \
                         discount_minor = ?, tax_minor = ?, total_minor = ?, optional_total_minor = ?, valid_until = ?, \
                         content_hash = ?, sent_totals = ?, superseded_by = COALESCE(?, superseded_by), \
                         answer_note = COALESCE(?, answer_note), updated_at = ?, \
                         sent_at = CASE WHEN ? = 'sent' AND sent_at IS NULL THEN ? ELSE sent_at END, \
                         answered_at = CASE WHEN ? THEN ? ELSE answered_at END \
                         WHERE quote_id = ? AND number = ?",
                        t.quote_versions
                    ),
                    vec![
                        SqlValue::from(status.as_str()),
                        content.into(),
                        (v.content().line_count() as u64).into(),
                        totals.quote.subtotal.amount_minor().into(),
                        totals.quote.discount.amount_minor().into(),
                        totals.quote.tax.amount_minor().into(),
                        totals.quote.total.amount_minor().into(),
                        totals.optional_total.amount_minor().into(),
                        sent.map(|s| s.valid_until).into(),
                        sent.map(|s| s.content_hash.clone()).into(),
                        sent.map(|s| json_text(&s.totals)).transpose()?.into(),
                        superseded_by.get(n).map(|b| b.get()).into(),
                        answer_notes.get(n).cloned().into(),
                        nowdb.into(),
                        status.as_str().into(),
                        nowdb.into(),
                        answered.into(),
                        nowdb.into(),
                        q.id().to_string().into(),
                        n.get().into(),
                    ],
                )
                .await
                .map_err(db)?;
        }
        for n in &new_content {
            let v = q.get(*n).ok_or_else(|| internal("version missing"))?;
            let fresh = new_versions.contains(n);
            self.write_quote_lines(uow, q.id(), *n, v.content(), currency, fresh)
                .await?;
        }
        Ok(())
    }

    /// Replaces the group and line rows of one version (multi-row inserts); a `fresh`
    /// version (drafted by this command) has none to delete.
    async fn write_quote_lines(
        &self,
        uow: &mut UnitOfWork<'_>,
        quote_id: QuoteId,
        n: QuoteVersionNumber,
        content: &QuoteContent,
        currency: Currency,
        fresh: bool,
    ) -> Result<(), AppError> {
        let t = self.sales_tables();
        let qid = quote_id.to_string();
        let stale: &[&String] = if fresh {
            &[]
        } else {
            &[&t.line_groups, &t.lines]
        };
        for table in stale {
            uow.tx()
                .await?
                .exec_drop(
                    format!("DELETE FROM {table} WHERE quote_id = ? AND version_number = ?"),
                    (&qid, n.get()),
                )
                .await
                .map_err(db)?;
        }
        if !content.groups.is_empty() {
            let mut params: Vec<SqlValue> = Vec::new();
            for (pos, g) in content.groups.iter().enumerate() {
                let total = QuoteContent::group_totals(g, currency)?
                    .total
                    .amount_minor();
                params.extend([
                    SqlValue::from(qid.as_str()),
                    n.get().into(),
                    g.group_id.to_string().into(),
                    (pos as u64).into(),
                    g.title.as_str().into(),
                    g.optional.into(),
                    total.into(),
                ]);
            }
            let marks = vec!["(?, ?, ?, ?, ?, ?, ?)"; content.groups.len()].join(", ");
            uow.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (quote_id, version_number, id, position, title, optional, total_minor) VALUES {marks}",
                        t.line_groups
                    ),
                    params,
                )
                .await
                .map_err(db)?;
        }
        let lines: Vec<(&LineGroup, usize, &QuoteLine)> = content
            .groups
            .iter()
            .flat_map(|g| g.lines.iter().enumerate().map(move |(i, l)| (g, i, l)))
            .collect();
        for chunk in lines.chunks(LINE_CHUNK) {
            let mut params: Vec<SqlValue> = Vec::with_capacity(chunk.len() * 19);
            for (g, pos, l) in chunk {
                let tot = l.totals()?;
                let (role, recurrence) = match l.kind() {
                    LineKind::Labour { role } => {
                        (role.as_ref().map(|r| r.as_str().to_owned()), None)
                    }
                    LineKind::Recurring { interval } => (None, Some(interval.as_str())),
                    _ => (None, None),
                };
                let (dt, dv) = match l.discount() {
                    None => (None, None),
                    Some(Discount::Percent { basis_points }) => {
                        (Some("percent"), Some(i64::from(basis_points.get())))
                    }
                    Some(Discount::Amount { amount }) => {
                        (Some("amount"), Some(amount.amount_minor()))
                    }
                };
                params.extend([
                    SqlValue::from(qid.as_str()),
                    n.get().into(),
                    l.line_id().to_string().into(),
                    g.group_id.to_string().into(),
                    (*pos as u64).into(),
                    l.kind().as_str().into(),
                    role.into(),
                    recurrence.into(),
                    l.description().as_str().into(),
                    l.quantity().get().into(),
                    l.unit_price().amount_minor().into(),
                    dt.into(),
                    dv.into(),
                    l.tax_rate().get().into(),
                    tot.gross.amount_minor().into(),
                    tot.discount.amount_minor().into(),
                    tot.net.amount_minor().into(),
                    tot.tax.amount_minor().into(),
                    tot.total.amount_minor().into(),
                ]);
            }
            let marks =
                vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()]
                    .join(", ");
            uow.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (quote_id, version_number, id, group_id, position, kind, role, recurrence, \
                         description, quantity, unit_price_minor, discount_type, discount_value, tax_rate_bp, \
                         gross_minor, discount_minor, net_minor, tax_minor, total_minor) VALUES {marks}",
                        t.lines
                    ),
                    params,
                )
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// The quote: details and every version's summary (no lines).
    async fn quote_view<Q: Queryable>(&self, q: &mut Q, quote: &Quote) -> Result<Value, AppError> {
        let t = self.sales_tables();
        let d = quote.details();
        // One query: each version's row with the customer's name and the opportunity's title.
        type Meta = (
            u32,
            Option<u32>,
            Option<String>,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
            Option<String>,
            Option<String>,
        );
        let meta: Vec<Meta> = q
            .exec(
                format!(
                    "SELECT v.number, v.superseded_by, v.answer_note, v.created_at, v.sent_at, v.answered_at, \
                     (SELECT c.name FROM {} c WHERE c.id = ?), (SELECT o.title FROM {} o WHERE o.id = ?) \
                     FROM {} v WHERE v.quote_id = ? ORDER BY v.number",
                    self.tables().customers,
                    t.opportunities,
                    t.quote_versions
                ),
                (
                    d.customer_id.to_string(),
                    d.opportunity_id.to_string(),
                    quote.id().to_string(),
                ),
            )
            .await
            .map_err(db)?;
        let customer_name = meta.first().and_then(|m| m.6.clone()).unwrap_or_default();
        let opp_title: Option<String> = meta.first().and_then(|m| m.7.clone());
        let meta: Vec<VersionMeta> = meta
            .into_iter()
            .map(|m| (m.0, m.1, m.2, m.3, m.4, m.5))
            .collect();
        self.quote_view_of(quote, &meta, customer_name, opp_title)
    }

    /// A quote's view from its state and its versions' stored rows.
    fn quote_view_of(
        &self,
        quote: &Quote,
        meta: &[VersionMeta],
        customer_name: String,
        opp_title: Option<String>,
    ) -> Result<Value, AppError> {
        let d = quote.details();
        let mut versions = Vec::new();
        for v in quote.versions() {
            let m = meta.iter().find(|m| m.0 == v.number().get());
            let totals = v.content().totals(quote.currency())?;
            versions.push(VersionSummaryView {
                number: v.number().get(),
                based_on: v.based_on().map(|b| b.get()),
                status: v.status().as_str(),
                actions: quote.version_actions(v),
                line_count: v.content().line_count(),
                group_count: v.content().groups.len(),
                totals: QuoteTotalsView::new(&totals),
                valid_until: v.sent().map(|s| s.valid_until.to_string()),
                content_hash: v.sent().map(|s| s.content_hash.as_str()),
                superseded_by: m.and_then(|m| m.1),
                answer_note: m.and_then(|m| m.2.as_deref()),
                created_at: m.map(|m| rfc3339(from_db_time(m.3))),
                sent_at: m.and_then(|m| m.4).map(|t| rfc3339(from_db_time(t))),
                answered_at: m.and_then(|m| m.5).map(|t| rfc3339(from_db_time(t))),
            });
        }
        let latest = quote.latest();
        to_json(&QuoteView {
            id: quote.id().to_string(),
            number: d.quote_number.get(),
            reference: d.quote_number.reference(),
            title: d.title.as_str(),
            opportunity_id: d.opportunity_id.to_string(),
            opportunity_title: opp_title,
            customer_id: d.customer_id.to_string(),
            customer_name,
            currency: quote.currency().as_str(),
            minor_digits: quote.currency().minor_unit_digits(),
            latest_version: latest.map(|v| v.number().get()),
            status: latest.map(|v| v.status().as_str()),
            draft_version: latest
                .filter(|v| v.status() == QuoteVersionStatus::Draft)
                .map(|v| v.number().get()),
            latest_sent_version: quote.latest_sent().map(|v| v.number().get()),
            accepted_version: quote.accepted().map(|(v, _)| v.get()),
            sale_id: quote.accepted().map(|(_, s)| s.to_string()),
            versions,
            actions: quote.actions(),
            version: quote.version(),
        })
    }

    /// One version with its groups, lines and totals (as computed by the engine).
    fn quote_version_view(quote: &Quote, v: &QuoteVersion) -> Result<Value, AppError> {
        let currency = quote.currency();
        let totals = v.content().totals(currency)?;
        to_json(&QuoteVersionView {
            quote_id: quote.id(),
            reference: quote.details().quote_number.reference(),
            title: quote.details().title.as_str(),
            currency: currency.as_str(),
            minor_digits: currency.minor_unit_digits(),
            number: v.number().get(),
            based_on: v.based_on().map(|b| b.get()),
            status: v.status().as_str(),
            actions: quote.version_actions(v),
            valid_until: v.sent().map(|s| s.valid_until.to_string()),
            content_hash: v.sent().map(|s| s.content_hash.as_str()),
            current_hash: v.content().content_hash(currency),
            line_count: v.content().line_count(),
            totals: QuoteTotalsView::new(&totals),
            groups: groups_view(v.content(), currency)?,
        })
    }

    /// Runs one quote command against an existing quote and returns its view.
    async fn quote_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: QuoteCommand,
    ) -> Result<Value, AppError> {
        command!(self, ctx, command, &request, |cx| {
            let (after, _) = cx
                .change(&Quotes(self), id, &cmd, &QuoteFacts::default())
                .await?;
            self.quote_view(cx.tx().await?, &after).await
        })
    }

    /// Creates a quote for an open or quoting opportunity: `{opportunity_id, title?,
    /// currency?}` (defaults: the opportunity's title and currency). Version 1 is an empty
    /// draft; the opportunity moves to `quoting` in the same transaction.
    pub async fn create_quote(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let p = NewQuoteInput::parse(input, "input")?;
        let (opp_id, title, currency) = (p.opportunity_id.as_uuid(), p.title.0, p.currency.0);
        command!(
            self,
            ctx,
            "create_quote",
            input,
            Actors::EmployeesReadByBody,
            |cx| {
                let opportunities = Opportunities(self);
                // The opportunity, its customer's name, the actor's status and the quote's
                // number: one round trip.
                let actor = cx.actor_to_read()?;
                let read = self
                    .commercial()
                    .load_opportunity_drawing_quote_number(cx.tx().await?, opp_id, actor)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("opportunity {opp_id}")))?;
                cx.check_actor(read.actor_status.as_deref())?;
                let (opp, customer_name) = (read.opportunity, read.customer_name);
                let number = read
                    .number
                    .ok_or_else(|| internal("quote number not drawn"))?;
                let number =
                    u32::try_from(number).map_err(|_| internal("quote numbers are exhausted"))?;
                let id = QuoteId::from_uuid(Uuid::now_v7());
                let cmd = QuoteCommand::Create(NewQuote {
                    id,
                    number: QuoteNumber::new("number", number)?,
                    opportunity_id: opp.id(),
                    customer_id: opp.customer_id(),
                    currency: currency.unwrap_or(opp.details().expected_value.currency()),
                    title: title.clone().unwrap_or_else(|| opp.details().title.clone()),
                });
                let facts = QuoteFacts {
                    opportunity: Some((opp.status(), opp.customer_id())),
                };
                let (after, _) = cx.create(&Quotes(self), &cmd, &facts).await?;
                // The opportunity records the quote (open → quoting).
                let start = OpportunityCommand::StartQuoting { quote_id: id };
                // The quote was made by this command (its id is new): not recorded yet.
                let facts = OpportunityFacts {
                    quote_recorded: false,
                    ..OpportunityFacts::default()
                };
                let opp_title = opp.details().title.as_str().to_owned();
                cx.apply(&opportunities, Some(opp), &start, &facts).await?;
                // Built from what the command knows (its only version was made just now, at
                // `now`, as stored): no read back.
                let now = to_db_time(cx.now());
                let meta = [(1, None, None, now, None, None)];
                self.quote_view_of(
                    &after,
                    &meta,
                    customer_name.unwrap_or_default(),
                    Some(opp_title),
                )
            }
        )
    }

    /// Saves the draft's whole content (the quote builder's form): `{groups: [...]}` (see
    /// `parse_content`). Totals are computed here, never taken from the input.
    pub async fn save_quote_draft(
        &self,
        quote_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        // The currency is needed to parse lines: read it first (it never changes).
        let currency = self.quote_currency(id).await?;
        let content = parse_content(input, currency)?;
        self.quote_command(
            ctx,
            "save_quote_draft",
            json!({"id": id, "input": input}),
            id.to_owned(),
            QuoteCommand::ReviseDraft {
                edits: vec![DraftEdit::ReplaceAll(content)],
            },
        )
        .await
    }

    /// A quote's currency (it never changes).
    async fn quote_currency(&self, id: Uuid) -> Result<Currency, AppError> {
        let mut conn = self.conn().await?;
        let c: Option<String> = conn
            .exec_first(
                format!(
                    "SELECT currency FROM {} WHERE id = ?",
                    self.sales_tables().quotes
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        Ok(Currency::new(&c.ok_or_else(|| {
            AppError::NotFound(format!("quote {id}"))
        })?)?)
    }

    /// Previews the totals of builder content without saving anything: `{quote_id |
    /// currency, groups}` — the groups exactly as `save_quote_draft` takes them, parsed in
    /// the quote's currency (or the given one when there is no quote; with both, they must
    /// agree). Returns `{currency, minor_digits, totals, groups: [{group_id, title,
    /// optional, lines, totals}]}` as a version view shows them (money as integers and
    /// money objects with `formatted`); bad content is a validation error naming
    /// `groups.N.lines.M.field`, as when saving.
    pub async fn preview_quote(&self, input: &Value) -> Result<Value, AppError> {
        let mut extra = FieldErrors::new();
        let given = |k: &str| input.get(k).is_some_and(|v| !v.is_null());
        if !given("quote_id") && !given("currency") {
            extra.add("currency", "is required without a quote_id");
        }
        let p = super::with_errors(PreviewQuoteInput::parse(input, "input"), extra)?;
        let currency = match (p.quote_id, p.currency.0) {
            (Some(id), given) => {
                let c = self.quote_currency(id).await?;
                if given.is_some_and(|g| g != c) {
                    return Err(AppError::field(
                        "currency",
                        format!("must be the quote's currency ({c})"),
                    ));
                }
                c
            }
            (None, Some(c)) => c,
            (None, None) => {
                return Err(AppError::field(
                    "currency",
                    "is required without a quote_id",
                ))
            }
        };
        let content = parse_content(input, currency)?;
        let totals = content.totals(currency)?;
        to_json(&PreviewView {
            currency: currency.as_str(),
            minor_digits: currency.minor_unit_digits(),
            line_count: content.line_count(),
            totals: QuoteTotalsView::new(&totals),
            groups: groups_view(&content, currency)?,
        })
    }

    /// Drafts the next version as a copy of the latest (revising a sent quote).
    pub async fn draft_quote_version(
        &self,
        quote_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        self.quote_command(
            ctx,
            "draft_quote_version",
            json!({"id": id}),
            id,
            QuoteCommand::DraftNextVersion,
        )
        .await
    }

    /// Sends the draft: `{valid_until}`; supersedes the version sent before.
    pub async fn send_quote(
        &self,
        quote_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        let valid_until = SendQuoteInput::parse(input, "input")?.valid_until;
        self.quote_command(
            ctx,
            "send_quote",
            json!({"id": id, "input": input}),
            id,
            QuoteCommand::Send { valid_until },
        )
        .await
    }

    /// Records the customer's rejection: `{version, reason}`.
    pub async fn reject_quote(
        &self,
        quote_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        let RejectQuoteInput {
            version: number,
            reason,
        } = RejectQuoteInput::parse(input, "input")?;
        self.quote_command(
            ctx,
            "reject_quote",
            json!({"id": id, "input": input}),
            id,
            QuoteCommand::Reject { number, reason },
        )
        .await
    }

    /// Records the customer's acceptance of a version: `{version, signed_by?,
    /// optional_groups?: [group ids]}`. The acceptance, the sale (a snapshot of the sold
    /// lines) and the opportunity's win commit together. A quote already accepted is a
    /// conflict (a double click without an idempotency key); with the same idempotency key
    /// the first result is returned. Returns `{quote, sale}`.
    pub async fn accept_quote(
        &self,
        quote_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        let p = AcceptQuoteInput::parse(input, "input")?;
        let (number, signed_by, optional_groups) = (p.version, p.signed_by.0, p.optional_groups.0);
        let request = json!({"id": id, "input": input});
        command!(self, ctx, "accept_quote", &request, |cx| {
            let quotes = Quotes(self);
            let state = cx.load(&quotes, id).await?;
            if let Some((v, sale)) = state.accepted() {
                return Err(AppError::Conflict(format!(
                    "quote {} was already accepted (version {v}, sale {sale})",
                    state.details().quote_number.reference()
                )));
            }
            let sale_id = SaleId::from_uuid(Uuid::now_v7());
            let cmd = QuoteCommand::Accept {
                number,
                sale_id,
                signed_by: signed_by.clone(),
                optional_groups: optional_groups.clone(),
            };
            // The quote row is written first: a concurrent acceptance waits here, then fails
            // its version check.
            let (after, events) = cx
                .apply(&quotes, Some(state), &cmd, &QuoteFacts::default())
                .await?;
            // Delivery: the sale's project, in this same transaction (one per sale).
            let mut project_id = None;
            for e in &events {
                if let QuoteEvent::SaleRecorded(sale) = e {
                    project_id = Some(self.delivery().create_project_from_sale(cx, sale).await?);
                }
            }
            // The opportunity is won by this sale (when it is still quoting).
            let opportunities = Opportunities(self);
            let opp = cx
                .load(&opportunities, after.details().opportunity_id.as_uuid())
                .await?;
            // The quote's own opportunity and sale: the facts the rule checks.
            let quote_opportunity = after.details().opportunity_id;
            if opp.is_won_by(quote_opportunity) {
                let facts = OpportunityFacts {
                    accepted_quote: Some((quote_opportunity, sale_id)),
                    ..OpportunityFacts::default()
                };
                let win = OpportunityCommand::Win {
                    quote_id: after.id(),
                    sale_id,
                };
                cx.apply(&opportunities, Some(opp), &win, &facts).await?;
            }
            let quote_view = self.quote_view(cx.tx().await?, &after).await?;
            let sale = self.sale_view(cx.tx().await?, sale_id.as_uuid()).await?;
            Ok(json!({"quote": quote_view, "sale": sale, "project_id": project_id}))
        })
    }

    /// Expires the sent versions of one quote whose validity ran out (system command).
    /// Nothing due is success with `expired: 0` (the job is idempotent).
    pub async fn expire_quote(&self, quote_id: Uuid) -> Result<u64, AppError> {
        let ctx = CommandContext::system();
        let request = json!({"id": quote_id});
        let result = command!(
            self,
            &ctx,
            "expire_quote",
            &request,
            Actors::EmployeesOrSystem,
            |cx| {
                let quotes = Quotes(self);
                let state = cx.load(&quotes, quote_id).await?;
                if !state.is_expiry_due(cx.now()) || state.accepted().is_some() {
                    return Ok(json!({"expired": 0}));
                }
                let (_, events) = cx
                    .apply(
                        &quotes,
                        Some(state),
                        &QuoteCommand::Expire,
                        &QuoteFacts::default(),
                    )
                    .await?;
                Ok(json!({"expired": events.len()}))
            },
        )?;
        Ok(result["expired"].as_u64().unwrap_or(0))
    }

    /// The expiry job: expires the named quote's versions that are due.
    pub async fn run_quote_expiry_job(&self, payload: &Value) -> Result<(), AppError> {
        let id = payload
            .get("quote_id")
            .and_then(Value::as_str)
            .ok_or_else(|| AppError::Invariant("job payload has no quote_id".into()))?;
        let id = arg_uuid("quote_id", id)?;
        self.expire_quote(id).await.map(|_| ())
    }

    /// Sweeps every quote with a sent version past its validity (a safety net for the
    /// per-version jobs): `{expired: n}` versions expired now.
    pub async fn expire_due_quotes(&self) -> Result<Value, AppError> {
        let today = self.now().date_naive();
        let ids: Vec<String> = {
            let mut conn = self.conn().await?;
            conn.exec(
                format!(
                    "SELECT DISTINCT quote_id FROM {} WHERE status = 'sent' AND valid_until < ? LIMIT 1000",
                    self.sales_tables().quote_versions
                ),
                (today,),
            )
            .await
            .map_err(db)?
        };
        let mut expired = 0;
        for id in ids {
            match self.expire_quote(parse_id(&id)?).await {
                Ok(n) => expired += n,
                // Someone else changed it at the same time: it is handled there.
                Err(AppError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(json!({"expired": expired}))
    }

    /// One quote with every version's summary.
    pub async fn get_quote(&self, quote_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        let mut conn = self.read_conn().await?;
        let q = self.load_quote(&mut conn, id).await?;
        self.quote_view(&mut conn, &q).await
    }

    /// One version of a quote with its groups, lines and totals (`number` null: the latest).
    pub async fn get_quote_version(
        &self,
        quote_id: &str,
        number: Option<i64>,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        let mut conn = self.read_conn().await?;
        let q = self.load_quote(&mut conn, id).await?;
        let v = match number {
            None => q.latest(),
            Some(n) => {
                let n = u32::try_from(n)
                    .ok()
                    .and_then(|n| QuoteVersionNumber::new("number", n).ok())
                    .ok_or_else(|| AppError::field("number", "must be at least 1"))?;
                q.get(n)
            }
        }
        .ok_or_else(|| AppError::NotFound(format!("quote version {}", number.unwrap_or(0))))?;
        Self::quote_version_view(&q, v)
    }

    /// Compares two versions of a quote, groups and lines matched by id:
    /// `{from, to, groups: [{group_id, change, from, to, lines: [{line_id, change, from,
    /// to}]}], totals: {from, to}}` with change `added | removed | changed | same`.
    pub async fn diff_quote_versions(
        &self,
        quote_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("quote_id", quote_id)?;
        let num = |field: &str, n: i64| {
            u32::try_from(n)
                .ok()
                .and_then(|n| QuoteVersionNumber::new(field, n).ok())
                .ok_or_else(|| AppError::field(field, "must be at least 1"))
        };
        let (a, b) = (num("from", from)?, num("to", to)?);
        let mut conn = self.read_conn().await?;
        let q = self.load_quote(&mut conn, id).await?;
        let va = q
            .get(a)
            .ok_or_else(|| AppError::NotFound(format!("quote version {a}")))?;
        let vb = q
            .get(b)
            .ok_or_else(|| AppError::NotFound(format!("quote version {b}")))?;
        let cur = q.currency();
        let change = |x: Option<&Value>, y: Option<&Value>| match (x, y) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(x), Some(y)) if x == y => "same",
            _ => "changed",
        };
        let mut order: Vec<LineGroupId> = vb.content().groups.iter().map(|g| g.group_id).collect();
        for g in &va.content().groups {
            if !order.contains(&g.group_id) {
                order.push(g.group_id);
            }
        }
        let mut groups = Vec::new();
        for gid in order {
            let ga = va.content().groups.iter().find(|g| g.group_id == gid);
            let gb = vb.content().groups.iter().find(|g| g.group_id == gid);
            let head = |g: Option<&LineGroup>| {
                g.map(|g| {
                    serde_json::to_value(GroupHeadView {
                        title: g.title.as_str(),
                        optional: g.optional,
                    })
                    .unwrap_or(Value::Null)
                })
            };
            let mut line_ids: Vec<LineId> = gb
                .map(|g| g.lines.iter().map(QuoteLine::line_id).collect())
                .unwrap_or_default();
            for l in ga.map(|g| g.lines.as_slice()).unwrap_or_default() {
                if !line_ids.contains(&l.line_id()) {
                    line_ids.push(l.line_id());
                }
            }
            let mut lines = Vec::new();
            let mut any_change = false;
            for lid in line_ids {
                let la = ga
                    .and_then(|g| g.lines.iter().find(|l| l.line_id() == lid))
                    .map(line_json)
                    .transpose()?;
                let lb = gb
                    .and_then(|g| g.lines.iter().find(|l| l.line_id() == lid))
                    .map(line_json)
                    .transpose()?;
                let c = change(la.as_ref(), lb.as_ref());
                any_change |= c != "same";
                lines.push(LineDiffView {
                    line_id: lid.to_string(),
                    change: c,
                    from: la,
                    to: lb,
                });
            }
            let (ha, hb) = (head(ga), head(gb));
            let mut c = change(ha.as_ref(), hb.as_ref());
            if c == "same" && any_change {
                c = "changed";
            }
            groups.push(GroupDiffView {
                group_id: gid.to_string(),
                change: c,
                from: ha,
                to: hb,
                lines,
                totals: FromTo {
                    from: ga
                        .map(|g| QuoteContent::group_totals(g, cur))
                        .transpose()?
                        .map(|t| TotalsView::new(&t)),
                    to: gb
                        .map(|g| QuoteContent::group_totals(g, cur))
                        .transpose()?
                        .map(|t| TotalsView::new(&t)),
                },
            });
        }
        to_json(&DiffView {
            quote_id: q.id().to_string(),
            reference: q.details().quote_number.reference(),
            currency: cur.as_str(),
            minor_digits: cur.minor_unit_digits(),
            from: VersionRef {
                number: a.get(),
                status: va.status().as_str(),
            },
            to: VersionRef {
                number: b.get(),
                status: vb.status().as_str(),
            },
            groups,
            totals: FromTo {
                from: QuoteTotalsView::new(&va.content().totals(cur)?),
                to: QuoteTotalsView::new(&vb.content().totals(cur)?),
            },
        })
    }

    /// Quotes, newest first: `{search?, status?, customer_id?, opportunity_id?, page?,
    /// per_page?, after?, before?}` (status: of the latest version; search: title or
    /// `Q-12`). A page is one keyset query (rows and customer names) through the index of
    /// its filter (migration 0009); the count is bounded.
    pub async fn list_quotes(&self, query: &Value) -> Result<Value, AppError> {
        let q = QuoteQuery::parse(query, "query")?;
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        let mut cond = |c: &str, p: String| {
            conds.push(c.to_owned());
            params.push(p.into());
        };
        if let Some(s) = q.status.0 {
            cond("q.latest_status = ?", s.0.to_owned());
        }
        if let Some(c) = q.customer_id {
            cond("q.customer_id = ?", c.to_string());
        }
        if let Some(o) = q.opportunity_id {
            cond("q.opportunity_id = ?", o.to_string());
        }
        let t = self.sales_tables();
        let search = q.search.0.as_deref().map(str::trim).map(|s| {
            let number = s
                .trim_start_matches(['Q', 'q'])
                .trim_start_matches('-')
                .parse::<u32>()
                .ok();
            let fulltext = ListSearch::fulltext(s, &t.quotes, "title");
            match number {
                Some(n) => ListSearch {
                    matches: (
                        "(q.title LIKE ? OR q.number = ?)".into(),
                        vec![ListSearch::like(s), n.into()],
                    ),
                    fulltext,
                    id_col: "q.id",
                    also: Some(("q.number = ?".into(), vec![n.into()])),
                },
                None => ListSearch {
                    matches: ("q.title LIKE ?".into(), vec![ListSearch::like(s)]),
                    fulltext,
                    id_col: "q.id",
                    also: None,
                },
            }
        });
        let order = Order::by(&[("q.created_at", true), ("q.id", true)]);
        let req = q.paging.request(&order)?;
        let plan = ListPlan {
            select: format!(
                "SELECT q.id, q.number, q.title, q.opportunity_id, q.customer_id, c.name, q.currency, \
                 q.latest_version, q.latest_status, q.latest_total_minor, q.accepted_version, q.sale_id, \
                 q.version, q.created_at, {} FROM {} q LEFT JOIN {} c ON c.id = q.customer_id",
                order.select(),
                t.quotes,
                self.tables().customers
            ),
            from: format!("{} q", t.quotes),
            order: &order,
            req: &req,
        };
        let mut conn = self.read_conn().await?;
        let (mut rows, total) = plan
            .rows(&mut conn, conds, params, search, self.inner.search_scan)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &mut rows {
            let n: u32 = col(r, 1)?;
            let cur: String = col(r, 6)?;
            let total_minor: i64 = col(r, 9)?;
            let created: NaiveDateTime = col(r, 13)?;
            items.push(QuoteListItem {
                id: col(r, 0)?,
                number: n,
                reference: quote_reference(n),
                title: col(r, 2)?,
                opportunity_id: col(r, 3)?,
                customer_id: col(r, 4)?,
                customer_name: col(r, 5)?,
                minor_digits: Currency::new(&cur)
                    .map(|c| c.minor_unit_digits())
                    .unwrap_or(2),
                total: crate::money::money_parts_json(total_minor, &cur),
                currency: cur,
                latest_version: col(r, 7)?,
                status: col(r, 8)?,
                accepted_version: col(r, 10)?,
                sale_id: col(r, 11)?,
                version: col(r, 12)?,
                created_at: rfc3339(from_db_time(created)),
            });
        }
        serde_json::to_value(plan.page(rows, items, total))
            .map_err(|e| internal(&format!("quote list: {e}")))
    }

    async fn sale_view<Q: Queryable>(&self, q: &mut Q, id: Uuid) -> Result<Value, AppError> {
        let row: Option<(String, Option<String>, Option<String>, NaiveDateTime)> = q
            .exec_first(
                format!(
                    "SELECT snapshot, signed_by, accepted_by, recorded_at FROM {} WHERE id = ?",
                    self.sales_tables().sales
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let (snapshot, signed_by, accepted_by, at) =
            row.ok_or_else(|| AppError::NotFound(format!("sale {id}")))?;
        let snap: pet_core::commercial::SaleRecorded = serde_json::from_str(&snapshot)
            .map_err(|e| AppError::Storage(format!("stored sale unreadable: {e}")))?;
        to_json(&SaleView {
            id: snap.sale_id.to_string(),
            quote_id: snap.quote_id.to_string(),
            reference: snap.quote_number.reference(),
            version: snap.number.get(),
            content_hash: &snap.content_hash,
            opportunity_id: snap.opportunity_id.to_string(),
            customer_id: snap.customer_id.to_string(),
            currency: snap.currency.as_str(),
            minor_digits: snap.currency.minor_unit_digits(),
            totals: TotalsView::new(&snap.totals),
            total: MoneyView(snap.totals.total),
            labour: snap
                .labour
                .iter()
                .map(|l| SoldLabourView {
                    role: l.role.as_ref().map(Name::as_str),
                    minutes: l.minutes,
                })
                .collect(),
            fees: snap
                .fees
                .iter()
                .map(|f| SoldFeeView {
                    line_id: f.line_id.to_string(),
                    kind: &f.kind,
                    interval: f.interval.map(|i| i.as_str()),
                    description: f.description.as_str(),
                    quantity: f.quantity.get(),
                    net_minor: f.net.amount_minor(),
                    net: MoneyView(f.net),
                })
                .collect(),
            line_count: snap.lines.len(),
            signed_by,
            accepted_by,
            recorded_at: rfc3339(from_db_time(at)),
        })
    }

    /// One sale: the sold lines' summary (labour minutes per role, fees, totals).
    pub async fn get_sale(&self, sale_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("sale_id", sale_id)?;
        let mut conn = self.read_conn().await?;
        self.sale_view(&mut conn, id).await
    }
}

impl Field for QuoteVersionNumber {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        match u32::try_from(i64::read(field, v)?) {
            Ok(n) => QuoteVersionNumber::new(field, n).map_err(domain_message),
            Err(_) => Err("must be at least 1".into()),
        }
    }
}

/// The optional groups a customer accepted: a list of group ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupIds(pub BTreeSet<LineGroupId>);

impl Field for GroupIds {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        const BAD: &str = "must be a list of group ids";
        let Value::Array(a) = v else {
            return Err(BAD.into());
        };
        a.iter()
            .map(|g| {
                g.as_str()
                    .and_then(|s| LineGroupId::parse(field, s).ok())
                    .ok_or_else(|| BAD.to_owned())
            })
            .collect::<Result<_, _>>()
            .map(GroupIds)
    }
}

command_input! {
    /// Input of [`App::create_quote`] (defaults: the opportunity's title and currency).
    pub struct NewQuoteInput {
        /// The open or quoting opportunity.
        opportunity_id: OpportunityId,
        /// The quote's title.
        title: OrBlankText<Name>,
        /// Its currency.
        currency: OrBlank<Currency>,
    }
}

command_input! {
    /// Input of [`App::preview_quote`] besides its groups (a quote or a currency).
    pub struct PreviewQuoteInput {
        /// The quote whose currency the content is in.
        quote_id: Option<Uuid>,
        /// Or the currency (with a quote, it must be the quote's).
        currency: OrBlank<Currency>,
    }
}

command_input! {
    /// Input of [`App::send_quote`].
    pub struct SendQuoteInput {
        /// The last day the quote is valid.
        valid_until: NaiveDate,
    }
}

command_input! {
    /// Input of [`App::reject_quote`].
    pub struct RejectQuoteInput {
        /// The version rejected.
        version: QuoteVersionNumber,
        /// Why.
        reason: Text,
    }
}

command_input! {
    /// Input of [`App::accept_quote`].
    pub struct AcceptQuoteInput {
        /// The version accepted.
        version: QuoteVersionNumber,
        /// Who signed.
        signed_by: OrBlankText<Name>,
        /// The optional groups taken.
        optional_groups: GroupIds = GroupIds::default(),
    }
}

/// A version's summary in the quote view (no lines).
#[derive(Debug, Serialize)]
struct VersionSummaryView<'a> {
    number: u32,
    based_on: Option<u32>,
    status: &'static str,
    actions: &'static [&'static str],
    line_count: usize,
    group_count: usize,
    totals: QuoteTotalsView,
    valid_until: Option<String>,
    content_hash: Option<&'a str>,
    superseded_by: Option<u32>,
    answer_note: Option<&'a str>,
    created_at: Option<String>,
    sent_at: Option<String>,
    answered_at: Option<String>,
}

/// A quote as the API returns it: details and every version's summary.
#[derive(Debug, Serialize)]
struct QuoteView<'a> {
    id: String,
    number: u32,
    reference: String,
    title: &'a str,
    opportunity_id: String,
    opportunity_title: Option<String>,
    customer_id: String,
    customer_name: String,
    currency: &'a str,
    minor_digits: u32,
    latest_version: Option<u32>,
    status: Option<&'static str>,
    draft_version: Option<u32>,
    latest_sent_version: Option<u32>,
    accepted_version: Option<u32>,
    sale_id: Option<String>,
    versions: Vec<VersionSummaryView<'a>>,
    actions: &'static [&'static str],
    version: u64,
}

/// Labour sold: minutes per role.
#[derive(Debug, Serialize)]
struct SoldLabourView<'a> {
    role: Option<&'a str>,
    minutes: i64,
}

/// A fee sold.
#[derive(Debug, Serialize)]
struct SoldFeeView<'a> {
    line_id: String,
    kind: &'a str,
    interval: Option<&'static str>,
    description: &'a str,
    quantity: i64,
    net_minor: i64,
    net: MoneyView,
}

/// A sale as the API returns it.
#[derive(Debug, Serialize)]
struct SaleView<'a> {
    id: String,
    quote_id: String,
    reference: String,
    version: u32,
    content_hash: &'a str,
    opportunity_id: String,
    customer_id: String,
    currency: &'a str,
    minor_digits: u32,
    totals: TotalsView,
    total: MoneyView,
    labour: Vec<SoldLabourView<'a>>,
    fees: Vec<SoldFeeView<'a>>,
    line_count: usize,
    signed_by: Option<String>,
    accepted_by: Option<String>,
    recorded_at: String,
}

/// A value in both versions of a diff.
#[derive(Debug, Serialize)]
struct FromTo<T> {
    from: T,
    to: T,
}

/// A version named in a diff.
#[derive(Debug, Serialize)]
struct VersionRef {
    number: u32,
    status: &'static str,
}

/// A group's heading in a diff.
#[derive(Debug, Serialize)]
struct GroupHeadView<'a> {
    title: &'a str,
    optional: bool,
}

/// A line's change in a diff (the line as each version has it).
#[derive(Debug, Serialize)]
struct LineDiffView {
    line_id: String,
    change: &'static str,
    from: Option<Value>,
    to: Option<Value>,
}

/// A group's change in a diff.
#[derive(Debug, Serialize)]
struct GroupDiffView {
    group_id: String,
    change: &'static str,
    from: Option<Value>,
    to: Option<Value>,
    lines: Vec<LineDiffView>,
    totals: FromTo<Option<TotalsView>>,
}

/// The difference between two versions of a quote.
#[derive(Debug, Serialize)]
struct DiffView<'a> {
    quote_id: String,
    reference: String,
    currency: &'a str,
    minor_digits: u32,
    from: VersionRef,
    to: VersionRef,
    groups: Vec<GroupDiffView>,
    totals: FromTo<QuoteTotalsView>,
}

/// A row of the quote list.
#[derive(Debug, Serialize)]
struct QuoteListItem {
    id: String,
    number: u32,
    reference: String,
    title: String,
    opportunity_id: String,
    customer_id: String,
    customer_name: Option<String>,
    currency: String,
    minor_digits: u32,
    latest_version: u32,
    status: String,
    total: Value,
    accepted_version: Option<u32>,
    sale_id: Option<String>,
    version: u64,
    created_at: String,
}

/// The quote list's status filter (of the latest version).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VersionStatusFilter(pub &'static str);

impl Field for VersionStatusFilter {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        let s = String::read(field, v)?;
        VERSION_STATUSES
            .into_iter()
            .find(|x| *x == s)
            .map(VersionStatusFilter)
            .ok_or_else(|| "must be draft, sent, accepted, rejected, expired or superseded".into())
    }
}

command_input! {
    /// Query of the quote list (an empty filter is no filter).
    pub struct QuoteQuery {
        /// Text in the title, or a quote number (`Q-12`, `12`).
        search: OrBlankText<String>,
        /// The latest version's status.
        status: OrBlank<VersionStatusFilter>,
        /// A customer.
        customer_id: Option<Uuid>,
        /// An opportunity.
        opportunity_id: Option<Uuid>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

/// A version's stored row as a quote's view shows it: number, superseded by, answer note,
/// created, sent and answered at.
type VersionMeta = (
    u32,
    Option<u32>,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

#[cfg(test)]
mod content_tests {
    use super::*;
    use serde_json::json;

    fn line(extra: Value) -> Value {
        let mut l = json!({"kind": "fixed_fee", "description": "Setup", "quantity": 1, "unit_price": "100.00"});
        for (k, v) in extra.as_object().unwrap() {
            l[k] = v.clone();
        }
        l
    }

    fn errors(r: Result<QuoteLine, AppError>) -> Vec<String> {
        match r {
            Err(AppError::Validation(f)) => f.iter().map(|(k, m)| format!("{k}: {m}")).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn percentages_are_read_from_text_or_basis_points() {
        let eur = Currency::new("EUR").unwrap();
        let pct = |d: Value| {
            parse_line(&line(json!({"discount": d, "tax_rate": "7,5"})), eur).map(|l| l.discount())
        };
        assert_eq!(
            pct(json!({"type": "percent", "percent": "12.5"})).unwrap(),
            Some(Discount::Percent {
                basis_points: BasisPoints::for_field("x", 1250).unwrap()
            })
        );
        assert_eq!(
            pct(json!({"type": "percent", "basis_points": 1000})).unwrap(),
            Some(Discount::Percent {
                basis_points: BasisPoints::for_field("x", 1000).unwrap()
            })
        );
        for none in ["", " ", "0", "0.00"] {
            assert_eq!(
                pct(json!({"type": "percent", "percent": none})).unwrap(),
                None
            );
        }
        let l = parse_line(&line(json!({"tax_rate": "7,5"})), eur).unwrap();
        assert_eq!(l.tax_rate().get(), 750);
        let l = parse_line(&line(json!({"tax_rate": ""})), eur).unwrap();
        assert_eq!(l.tax_rate().get(), 0);
        assert_eq!(
            errors(parse_line(
                &line(
                    json!({"discount": {"type": "percent", "percent": "12.345"}, "tax_rate": "120", "quantity": 0})
                ),
                eur
            )),
            [
                "discount.basis_points: must be a percentage like 20 or 7.5",
                "quantity: must be a whole number from 1 to 1000000000",
                "tax_rate_bp: must be between 0 and 10000 basis points (0-100 %)",
            ]
        );
        assert_eq!(
            errors(parse_line(
                &json!({"kind": "recurring", "description": "Hosting", "quantity": 1, "unit_price": "1.5", "currency": "JPY", "discount": {"type": "amount", "amount": "0.5"}}),
                eur
            )),
            [
                "discount.amount: must be a whole amount (JPY has no decimals)",
                "interval: is required",
                "unit_price: must be a whole amount (JPY has no decimals)",
            ]
        );
    }

    #[test]
    fn content_errors_name_the_group_and_line() {
        let eur = Currency::new("EUR").unwrap();
        let r = parse_content(
            &json!({"groups": [{"title": "", "lines": [{"kind": "gift"}]}, 5]}),
            eur,
        );
        let Err(AppError::Validation(f)) = r else {
            panic!("{r:?}")
        };
        let got: Vec<String> = f.iter().map(|(k, m)| format!("{k}: {m}")).collect();
        assert!(
            got.contains(&"groups.1: must be an array with named keys".to_owned()),
            "{got:?}"
        );
        assert!(
            got.iter().any(|e| e.starts_with("groups.0.title:")),
            "{got:?}"
        );
        assert!(
            got.contains(
                &"groups.0.lines.0.kind: must be labour, fixed_fee, product or recurring"
                    .to_owned()
            ),
            "{got:?}"
        );
        assert!(
            got.contains(&"groups.0.lines.0.unit_price_minor: is required".to_owned()),
            "{got:?}"
        );
        let c = parse_content(
            &json!({"groups": [{"title": "Build", "optional": "1", "lines": [line(json!({}))]}]}),
            eur,
        )
        .unwrap();
        assert!(c.groups[0].optional && c.groups[0].lines.len() == 1);
    }
}
