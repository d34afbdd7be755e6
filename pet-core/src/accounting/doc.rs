//! What PET pushes to the accounting system: a document per PET fact ([`PushDoc`]), built
//! from the fact's event payload, and the mapping of PET's roles and items onto the
//! accounting system's items, tax codes and currency mode ([`Mapping`]). Reconciliation
//! compares a document with what the accounting system holds ([`compare`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::commercial::{LineKind, SaleRecorded};
use crate::delivery::TimeEntryId;
use crate::error::DomainError;
use crate::identity::{Currency, CustomerId, EmployeeId};

/// The kind of record a push creates in the accounting system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A customer (from `customer.created`).
    Customer,
    /// An invoice (from `sale.recorded`, when the mapping says invoices).
    Invoice,
    /// An estimate (from `sale.recorded`, when the mapping says estimates).
    Estimate,
    /// A time activity (from `time_entry.approved`, billable time only).
    TimeActivity,
}

impl TargetKind {
    /// Every kind.
    pub const ALL: [TargetKind; 4] = [
        TargetKind::Customer,
        TargetKind::Invoice,
        TargetKind::Estimate,
        TargetKind::TimeActivity,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Customer => "customer",
            TargetKind::Invoice => "invoice",
            TargetKind::Estimate => "estimate",
            TargetKind::TimeActivity => "time_activity",
        }
    }

    /// Parses a stored name.
    pub fn parse(field: &str, s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::field(
                    field,
                    "must be customer, invoice, estimate or time_activity",
                )
            })
    }
}

/// One line of an invoice or estimate, in the sale's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocLine {
    /// The line's text.
    pub description: String,
    /// The PET item key the mapping translates (`role:<name>`, `labour`, `fixed_fee`,
    /// `product`, `recurring`).
    pub item_key: String,
    /// Net amount (after discount, before tax) in minor units.
    pub net_minor: i64,
    /// Tax in minor units.
    pub tax_minor: i64,
    /// The tax rate in basis points (the mapping picks the tax code by it).
    pub tax_basis_points: u32,
}

/// The content of a push: what PET says the accounting record must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PushDoc {
    /// A customer.
    Customer {
        /// The PET customer.
        customer_id: CustomerId,
        /// Its name (QBO `DisplayName`).
        display_name: String,
    },
    /// A sale as an invoice or an estimate.
    Sale {
        /// The PET customer (its own push gives the accounting customer).
        customer_id: CustomerId,
        /// The document number (the quote's number).
        doc_number: String,
        /// The sale's date.
        txn_date: NaiveDate,
        /// The sale's currency.
        currency: Currency,
        /// The sold lines.
        lines: Vec<DocLine>,
        /// The total to the minor unit (Σ net + Σ tax).
        total_minor: i64,
    },
    /// Approved billable time (a QBO `TimeActivity`).
    Time {
        /// The approved time entry.
        entry_id: TimeEntryId,
        /// The PET customer the time is billed to.
        customer_id: CustomerId,
        /// Who worked (the mapping gives the accounting employee or vendor). By id only:
        /// the push's events carry no personal data (see `crate::privacy`).
        employee_id: EmployeeId,
        /// The day worked.
        txn_date: NaiveDate,
        /// Minutes worked.
        minutes: i64,
        /// The PET item key (`role:<name>` or `labour`).
        item_key: String,
        /// The entry's note.
        description: String,
        /// The employee's bill rate per hour on the day worked, in minor units of
        /// `rate_currency` (QBO `HourlyRate`), when PET has one in the company's home
        /// currency.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hourly_rate_minor: Option<i64>,
        /// The employee's cost rate per hour on the day worked (QBO `CostRate`), likewise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cost_rate_minor: Option<i64>,
        /// The currency of the rates (the company's home currency).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate_currency: Option<Currency>,
    },
}

impl PushDoc {
    /// The PET customer the document belongs to.
    pub fn customer_id(&self) -> CustomerId {
        match self {
            PushDoc::Customer { customer_id, .. }
            | PushDoc::Sale { customer_id, .. }
            | PushDoc::Time { customer_id, .. } => *customer_id,
        }
    }

    /// A time activity's minutes (`None` for other documents).
    pub fn time_minutes(&self) -> Option<i64> {
        match self {
            PushDoc::Time { minutes, .. } => Some(*minutes),
            _ => None,
        }
    }

    /// The document with a time activity's minutes set to `to` (other documents unchanged).
    pub fn with_time_minutes(&self, to: i64) -> PushDoc {
        let mut d = self.clone();
        if let PushDoc::Time { minutes, .. } = &mut d {
            *minutes = to;
        }
        d
    }

    /// The description a time activity carries: the entry's note and PET's reference to the
    /// entry (` [PET time <id>]`), by which a look-up after an unknown outcome finds it.
    pub fn time_description(&self) -> Option<String> {
        match self {
            PushDoc::Time {
                entry_id,
                description,
                ..
            } => {
                let note = description.trim();
                let marker = time_marker(*entry_id);
                Some(if note.is_empty() {
                    marker
                } else {
                    format!("{note} {marker}")
                })
            }
            _ => None,
        }
    }

    /// The document of a recorded sale (lines with their net and tax, the total).
    pub fn from_sale(sale: &SaleRecorded, txn_date: NaiveDate) -> Result<Self, DomainError> {
        let mut lines = Vec::with_capacity(sale.lines.len());
        let mut total: i64 = 0;
        for l in &sale.lines {
            let item_key = match l.line.kind() {
                LineKind::Labour { role: Some(r) } => format!("role:{}", r.as_str()),
                other => other.as_str().to_owned(),
            };
            let net = l.totals.net.amount_minor();
            let tax = l.totals.tax.amount_minor();
            total = total
                .checked_add(net)
                .and_then(|t| t.checked_add(tax))
                .ok_or_else(|| DomainError::invariant("sale total overflows"))?;
            lines.push(DocLine {
                description: l.line.description().as_str().to_owned(),
                item_key,
                net_minor: net,
                tax_minor: tax,
                tax_basis_points: l.line.tax_rate().get(),
            });
        }
        Ok(PushDoc::Sale {
            customer_id: sale.customer_id,
            doc_number: sale.quote_number.reference(),
            txn_date,
            currency: sale.currency,
            lines,
            total_minor: total,
        })
    }
}

/// PET's reference to a time entry inside a time activity's description.
pub fn time_marker(entry_id: TimeEntryId) -> String {
    format!("[PET time {entry_id}]")
}

/// Whom a time activity names: a QBO `Employee` or `Vendor` (a contractor), by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerRef {
    /// `employee` or `vendor`.
    pub kind: WorkerKind,
    /// The accounting system's id.
    pub id: String,
}

/// The kind of accounting record a PET employee's time is booked under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerKind {
    /// A QBO Employee.
    Employee,
    /// A QBO Vendor (a contractor).
    Vendor,
}

impl WorkerKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerKind::Employee => "employee",
            WorkerKind::Vendor => "vendor",
        }
    }
}

/// Whether the accounting company keeps one currency or many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", content = "home", rename_all = "snake_case")]
pub enum CurrencyMode {
    /// One home currency: a sale in another currency cannot be pushed.
    Single(Currency),
    /// Multicurrency enabled: each document carries its currency (`CurrencyRef`).
    Multi(Currency),
}

impl CurrencyMode {
    /// The company's home currency.
    pub fn home(self) -> Currency {
        match self {
            CurrencyMode::Single(c) | CurrencyMode::Multi(c) => c,
        }
    }
}

/// How PET's roles, items and tax rates map onto the accounting system's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Sales become invoices or estimates.
    pub sale_target: TargetKind,
    /// PET item key (`role:Developer`, `fixed_fee`, …) → accounting item id.
    pub items: BTreeMap<String, String>,
    /// The item for any key not listed.
    pub default_item: String,
    /// Tax rate in basis points (as text, e.g. `"2000"`) → accounting tax code id.
    pub tax_codes: BTreeMap<String, String>,
    /// The tax code for any rate not listed (`None`: no tax code is sent).
    pub default_tax_code: Option<String>,
    /// Single- or multicurrency company.
    pub currency: CurrencyMode,
    /// PET employee id → the accounting employee or vendor their approved billable time is
    /// booked under. Time of an employee not listed waits (it is never pushed unmapped).
    #[serde(default)]
    pub employees: BTreeMap<EmployeeId, WorkerRef>,
}

impl Mapping {
    /// Checks the mapping: invoices or estimates; an item for every key; ids not blank.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = crate::FieldErrors::default();
        if !matches!(self.sale_target, TargetKind::Invoice | TargetKind::Estimate) {
            errors.add("sale_target", "must be invoice or estimate");
        }
        if self.default_item.trim().is_empty() {
            errors.add("default_item", "is required");
        }
        if self
            .items
            .iter()
            .any(|(k, v)| k.trim().is_empty() || v.trim().is_empty())
        {
            errors.add("items", "every mapped item needs a PET key and an item id");
        }
        if self
            .tax_codes
            .iter()
            .any(|(k, v)| k.parse::<u32>().is_err() || v.trim().is_empty())
        {
            errors.add(
                "tax_codes",
                "every tax code needs a rate in basis points and a code id",
            );
        }
        if self.employees.values().any(|w| w.id.trim().is_empty()) {
            errors.add(
                "employees",
                "every mapped employee needs a QuickBooks employee or vendor id",
            );
        }
        errors.into_result()
    }

    /// The accounting employee or vendor of a PET employee (`None`: not mapped yet).
    pub fn worker_for(&self, employee: EmployeeId) -> Option<&WorkerRef> {
        self.employees.get(&employee)
    }

    /// The accounting item for a PET item key.
    pub fn item_for(&self, key: &str) -> &str {
        self.items
            .get(key)
            .map_or(&self.default_item, String::as_str)
    }

    /// The tax code for a rate in basis points.
    pub fn tax_code_for(&self, basis_points: u32) -> Option<&str> {
        self.tax_codes
            .get(&basis_points.to_string())
            .or(self.default_tax_code.as_ref())
            .map(String::as_str)
    }

    /// Whether a document in `currency` can be pushed: always in a multicurrency company,
    /// only in the home currency in a single-currency one.
    pub fn check_currency(&self, currency: Currency) -> Result<(), DomainError> {
        match self.currency {
            CurrencyMode::Single(home) if home != currency => Err(DomainError::invariant(format!(
                "the accounting company keeps only {home}; a {currency} sale cannot be pushed \
                 (enable multicurrency there and set the mapping's currency mode)"
            ))),
            _ => Ok(()),
        }
    }
}

/// What the accounting system holds for a pushed record, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRecord {
    /// The accounting system's id.
    pub remote_id: String,
    /// Its optimistic-concurrency token (QBO `SyncToken`).
    pub sync_token: String,
    /// Customer: the display name. Sale: the document number. Time: the description.
    pub name: String,
    /// The accounting customer it belongs to (not for customers).
    pub customer_ref: Option<String>,
    /// Sale: the total in minor units; time: the minutes.
    pub amount_minor: Option<i64>,
    /// Sale: the currency code.
    pub currency: Option<String>,
    /// Sale: the number of lines.
    pub line_count: Option<u32>,
    /// Further fields a comparison reads, by name (time: `txn_date`, `billable_status`,
    /// `worker` as `employee:<id>` or `vendor:<id>`, `hourly_rate` and `cost_rate` as
    /// decimals in the rates' currency).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

impl RemoteRecord {
    /// A record the accounting system no longer holds (deleted there, or by PET at 0
    /// minutes): its id and last token, nothing else, and an amount of 0.
    pub fn gone(remote_id: &str, sync_token: &str) -> Self {
        Self {
            remote_id: remote_id.to_owned(),
            sync_token: sync_token.to_owned(),
            name: String::new(),
            customer_ref: None,
            amount_minor: Some(0),
            currency: None,
            line_count: None,
            fields: BTreeMap::new(),
        }
    }
}

/// One field where PET and the accounting system differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// The field, e.g. `total`.
    pub field: String,
    /// What PET says.
    pub pet: String,
    /// What the accounting system holds.
    pub remote: String,
}

fn diff(out: &mut Vec<Difference>, field: &str, pet: String, remote: String) {
    if pet != remote {
        out.push(Difference {
            field: field.to_owned(),
            pet,
            remote,
        });
    }
}

/// The fields where `remote` differs from the document PET pushed (`customer_ref`: the
/// accounting id of the document's customer, when known). Empty: they match. A time
/// activity is compared on its description, minutes, date and billable status (the worker
/// it names is checked by [`compare_worker`], which needs the mapping).
pub fn compare(
    doc: &PushDoc,
    remote: &RemoteRecord,
    customer_ref: Option<&str>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let opt = |v: Option<i64>| v.map_or_else(|| "(none)".to_owned(), |v| v.to_string());
    match doc {
        PushDoc::Customer { display_name, .. } => {
            diff(
                &mut out,
                "display_name",
                display_name.clone(),
                remote.name.clone(),
            );
        }
        PushDoc::Sale {
            doc_number,
            currency,
            lines,
            total_minor,
            ..
        } => {
            diff(
                &mut out,
                "doc_number",
                doc_number.clone(),
                remote.name.clone(),
            );
            diff(
                &mut out,
                "total_minor",
                total_minor.to_string(),
                opt(remote.amount_minor),
            );
            diff(
                &mut out,
                "currency",
                currency.as_str().to_owned(),
                remote
                    .currency
                    .clone()
                    .unwrap_or_else(|| "(none)".to_owned()),
            );
            diff(
                &mut out,
                "line_count",
                lines.len().to_string(),
                remote
                    .line_count
                    .map_or_else(|| "(none)".to_owned(), |n| n.to_string()),
            );
        }
        PushDoc::Time {
            minutes,
            txn_date,
            hourly_rate_minor,
            cost_rate_minor,
            rate_currency,
            ..
        } => {
            let field = |k: &str| {
                remote
                    .fields
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| "(none)".to_owned())
            };
            diff(
                &mut out,
                "description",
                doc.time_description().unwrap_or_default(),
                remote.name.clone(),
            );
            diff(
                &mut out,
                "minutes",
                minutes.to_string(),
                opt(remote.amount_minor),
            );
            diff(
                &mut out,
                "txn_date",
                txn_date.to_string(),
                field("txn_date"),
            );
            diff(
                &mut out,
                "billable_status",
                "Billable".to_owned(),
                field("billable_status"),
            );
            // The rates PET sent (as decimals in the rates' currency).
            if let Some(c) = rate_currency {
                for (name, rate) in [
                    ("hourly_rate", hourly_rate_minor),
                    ("cost_rate", cost_rate_minor),
                ] {
                    if let Some(r) = rate {
                        diff(&mut out, name, minor_to_decimal(*r, *c), field(name));
                    }
                }
            }
        }
    }
    if let (Some(want), false) = (customer_ref, matches!(doc, PushDoc::Customer { .. })) {
        diff(
            &mut out,
            "customer",
            want.to_owned(),
            remote
                .customer_ref
                .clone()
                .unwrap_or_else(|| "(none)".to_owned()),
        );
    }
    out
}

/// The worker a time activity names against `want` (`employee:<id>` or `vendor:<id>`, from
/// the mapping): `None` when they agree, when the record is not a time activity, or when
/// `want` is unknown (the employee is no longer mapped).
pub fn compare_worker(
    doc: &PushDoc,
    remote: &RemoteRecord,
    want: Option<&str>,
) -> Option<Difference> {
    let (PushDoc::Time { .. }, Some(want)) = (doc, want) else {
        return None;
    };
    let have = remote
        .fields
        .get("worker")
        .cloned()
        .unwrap_or_else(|| "(none)".to_owned());
    (have != want).then(|| Difference {
        field: "worker".into(),
        pet: want.to_owned(),
        remote: have,
    })
}

impl WorkerRef {
    /// `employee:<id>` or `vendor:<id>`, as [`compare_worker`] reads it.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }
}

/// An amount in minor units as the decimal QBO's JSON carries (`1234` EUR → `12.34`).
pub fn minor_to_decimal(amount_minor: i64, currency: Currency) -> String {
    let digits = currency.minor_unit_digits();
    if digits == 0 {
        return amount_minor.to_string();
    }
    let scale = 10i64.pow(digits);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let a = amount_minor.unsigned_abs();
    let s = scale.unsigned_abs();
    format!("{sign}{}.{:0width$}", a / s, a % s, width = digits as usize)
}

/// A decimal amount as QBO returns it (a JSON number or string) in minor units, exactly:
/// refused when it has more digits than the currency's minor unit.
pub fn decimal_to_minor(s: &str, currency: Currency) -> Option<i64> {
    let digits = currency.minor_unit_digits() as usize;
    let s = s.trim();
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = frac.trim_end_matches('0');
    if int.is_empty() && frac.is_empty() || frac.len() > digits {
        return None;
    }
    if !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f = frac.to_owned();
    while f.len() < digits {
        f.push('0');
    }
    let frac: i64 = if f.is_empty() { 0 } else { f.parse().ok()? };
    let v = int
        .checked_mul(10i64.pow(digits as u32))?
        .checked_add(frac)?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::new("EUR").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn decimals_round_trip_to_the_minor_unit() {
        for v in [0, 1, 99, 100, 12_345, -250, 100_000_007] {
            let s = minor_to_decimal(v, eur());
            assert_eq!(decimal_to_minor(&s, eur()), Some(v), "{s}");
        }
        assert_eq!(minor_to_decimal(1234, eur()), "12.34");
        assert_eq!(decimal_to_minor("12.3", eur()), Some(1230));
        assert_eq!(decimal_to_minor("12.345", eur()), None);
        assert_eq!(decimal_to_minor("1e3", eur()), None);
        let jpy = Currency::new("JPY").unwrap_or_else(|_| unreachable!());
        assert_eq!(minor_to_decimal(500, jpy), "500");
        assert_eq!(decimal_to_minor("500.0", jpy), Some(500));
    }

    #[test]
    fn a_single_currency_company_refuses_foreign_sales_and_the_mapping_falls_back() {
        let usd = Currency::new("USD").unwrap_or_else(|_| unreachable!());
        let mut m = Mapping {
            sale_target: TargetKind::Invoice,
            items: BTreeMap::from([("role:Developer".into(), "7".into())]),
            default_item: "1".into(),
            tax_codes: BTreeMap::from([("2000".into(), "TAX20".into())]),
            default_tax_code: None,
            currency: CurrencyMode::Single(eur()),
            employees: BTreeMap::new(),
        };
        assert!(m.validate().is_ok());
        assert!(m.check_currency(eur()).is_ok());
        assert!(m.check_currency(usd).is_err());
        m.currency = CurrencyMode::Multi(eur());
        assert!(m.check_currency(usd).is_ok());
        assert_eq!(m.item_for("role:Developer"), "7");
        assert_eq!(m.item_for("product"), "1");
        assert_eq!(m.tax_code_for(2000), Some("TAX20"));
        assert_eq!(m.tax_code_for(700), None);
        m.sale_target = TargetKind::Customer;
        m.default_item = " ".into();
        let Err(DomainError::Validation(e)) = m.validate() else {
            unreachable!("invalid mapping accepted")
        };
        assert!(e.get("sale_target").is_some() && e.get("default_item").is_some());
    }

    #[test]
    fn compare_names_each_differing_field() {
        let doc = PushDoc::Sale {
            customer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(1)),
            doc_number: "Q-7".into(),
            txn_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default(),
            currency: eur(),
            lines: vec![],
            total_minor: 1000,
        };
        let mut remote = RemoteRecord {
            remote_id: "12".into(),
            sync_token: "0".into(),
            name: "Q-7".into(),
            customer_ref: Some("5".into()),
            amount_minor: Some(1000),
            currency: Some("EUR".into()),
            line_count: Some(0),
            fields: BTreeMap::new(),
        };
        assert!(compare(&doc, &remote, Some("5")).is_empty());
        remote.amount_minor = Some(999);
        remote.customer_ref = Some("6".into());
        let d = compare(&doc, &remote, Some("5"));
        let fields: Vec<&str> = d.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["total_minor", "customer"]);
        assert_eq!(d[0].pet, "1000");
        assert_eq!(d[0].remote, "999");
    }

    #[test]
    fn a_time_activity_is_compared_on_description_minutes_date_billable_and_worker() {
        let entry = TimeEntryId::from_uuid(uuid::Uuid::from_u128(9));
        let ana = EmployeeId::from_uuid(uuid::Uuid::from_u128(3));
        let doc = PushDoc::Time {
            entry_id: entry,
            customer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(1)),
            employee_id: ana,
            txn_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
            minutes: 95,
            item_key: "role:Developer".into(),
            description: " Homepage ".into(),
            hourly_rate_minor: None,
            cost_rate_minor: None,
            rate_currency: None,
        };
        let description = doc.time_description().unwrap_or_default();
        assert_eq!(description, format!("Homepage {}", time_marker(entry)));
        let mut remote = RemoteRecord {
            remote_id: "7".into(),
            sync_token: "0".into(),
            name: description.clone(),
            customer_ref: Some("5".into()),
            amount_minor: Some(95),
            currency: None,
            line_count: None,
            fields: BTreeMap::from([
                ("txn_date".into(), "2026-03-02".into()),
                ("billable_status".into(), "Billable".into()),
                ("worker".into(), "employee:55".into()),
            ]),
        };
        assert!(compare(&doc, &remote, Some("5")).is_empty());
        assert_eq!(compare_worker(&doc, &remote, Some("employee:55")), None);
        remote.amount_minor = Some(90);
        remote
            .fields
            .insert("billable_status".into(), "NotBillable".into());
        let d = compare(&doc, &remote, Some("5"));
        let fields: Vec<&str> = d.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["minutes", "billable_status"]);
        let w = compare_worker(&doc, &remote, Some("vendor:12")).unwrap_or_else(|| unreachable!());
        assert_eq!(
            (w.pet.as_str(), w.remote.as_str()),
            ("vendor:12", "employee:55")
        );
    }

    #[test]
    fn a_mapping_saved_before_employees_were_mapped_still_reads_and_a_blank_worker_is_refused() {
        let v = serde_json::json!({
            "sale_target": "invoice", "items": {}, "default_item": "1", "tax_codes": {},
            "default_tax_code": null, "currency": {"mode": "multi", "home": "EUR"}
        });
        let mut m: Mapping = serde_json::from_value(v).unwrap_or_else(|_| unreachable!());
        let ana = EmployeeId::from_uuid(uuid::Uuid::from_u128(3));
        assert!(m.employees.is_empty() && m.worker_for(ana).is_none());
        m.employees.insert(
            ana,
            WorkerRef {
                kind: WorkerKind::Vendor,
                id: " ".into(),
            },
        );
        let Err(DomainError::Validation(e)) = m.validate() else {
            unreachable!("a blank worker id accepted")
        };
        assert!(e.get("employees").is_some());
        m.employees.insert(
            ana,
            WorkerRef {
                kind: WorkerKind::Vendor,
                id: "12".into(),
            },
        );
        assert!(m.validate().is_ok());
        assert_eq!(
            m.worker_for(ana).map(WorkerRef::key).as_deref(),
            Some("vendor:12")
        );
        let back: Mapping = serde_json::from_value(serde_json::to_value(&m).unwrap_or_default())
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(back, m);
    }
}
