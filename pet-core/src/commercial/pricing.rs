//! Quote content and its arithmetic: line groups, lines of kind labour / fixed fee /
//! product / recurring, discounts and tax in exact integer minor units with explicit
//! half-up rounding per line, derived totals, the draft edits that change content, and
//! the content hash that pins a sent version.
//!
//! How a line is priced (every step an integer; the only roundings are marked):
//!
//! 1. gross = unit price × quantity; for labour, unit price is per hour and quantity in
//!    minutes: gross = unit price × minutes ÷ 60, **rounded half-up**.
//! 2. discount = gross × percent, **rounded half-up**; or a fixed amount ≤ gross.
//! 3. net = gross − discount.
//! 4. tax = net × tax rate, **rounded half-up**.
//! 5. total = net + tax.
//!
//! Totals of a version are plain sums of its lines (optional groups are summed apart),
//! so `total = Σ line totals = subtotal − discount + tax` holds exactly: no minor unit
//! is lost or invented between lines and totals.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ids::{LineGroupId, LineId};
use super::values::{BasisPoints, Quantity, Text};
use crate::error::DomainError;
use crate::identity::values::{Currency, Money, Name};

/// How often a recurring line is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every year.
    Yearly,
}

impl Interval {
    /// The stored name, e.g. `monthly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::Yearly => "yearly",
        }
    }
    /// Parses a stored name given as input field `interval`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "monthly" => Ok(Self::Monthly),
            "quarterly" => Ok(Self::Quarterly),
            "yearly" => Ok(Self::Yearly),
            _ => Err(DomainError::field(
                "interval",
                "must be monthly, quarterly or yearly",
            )),
        }
    }
}

/// What a line sells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LineKind {
    /// Work: quantity in minutes, unit price per hour, optionally for a role.
    Labour {
        /// The role sold (e.g. `Developer`), if any.
        role: Option<Name>,
    },
    /// A fixed fee.
    FixedFee,
    /// A product: quantity in units.
    Product,
    /// A recurring charge: quantity in units per interval; the line's amount is one
    /// interval's charge.
    Recurring {
        /// How often it is charged.
        interval: Interval,
    },
}

impl LineKind {
    /// `labour`, `fixed_fee`, `product` or `recurring`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Labour { .. } => "labour",
            Self::FixedFee => "fixed_fee",
            Self::Product => "product",
            Self::Recurring { .. } => "recurring",
        }
    }
}

/// A discount on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Discount {
    /// A percentage of the gross amount, in basis points.
    Percent {
        /// The share, 0–10 000 bp.
        basis_points: BasisPoints,
    },
    /// A fixed amount off (at most the gross amount).
    Amount {
        /// The amount.
        amount: Money,
    },
}

/// The derived amounts of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineTotals {
    /// Unit price × quantity (labour: rounded half-up to a minor unit).
    pub gross: Money,
    /// The discount (percent: rounded half-up).
    pub discount: Money,
    /// Gross − discount.
    pub net: Money,
    /// Tax on net (rounded half-up).
    pub tax: Money,
    /// Net + tax.
    pub total: Money,
}

/// One line of a quote version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "QuoteLineFields")]
pub struct QuoteLine {
    line_id: LineId,
    #[serde(flatten)]
    kind: LineKind,
    description: Text,
    quantity: Quantity,
    unit_price: Money,
    discount: Option<Discount>,
    tax_rate: BasisPoints,
}

#[derive(Deserialize)]
struct QuoteLineFields {
    line_id: LineId,
    #[serde(flatten)]
    kind: LineKind,
    description: Text,
    quantity: Quantity,
    unit_price: Money,
    discount: Option<Discount>,
    tax_rate: BasisPoints,
}

impl TryFrom<QuoteLineFields> for QuoteLine {
    type Error = DomainError;
    fn try_from(f: QuoteLineFields) -> Result<Self, Self::Error> {
        QuoteLine::new(
            f.line_id,
            f.kind,
            f.description,
            f.quantity,
            f.unit_price,
            f.discount,
            f.tax_rate,
        )
    }
}

impl QuoteLine {
    /// Validates a line: a non-negative unit price; a discount amount in the unit
    /// price's currency and at most the gross amount; amounts that fit (field errors
    /// name `unit_price` or `discount`).
    pub fn new(
        line_id: LineId,
        kind: LineKind,
        description: Text,
        quantity: Quantity,
        unit_price: Money,
        discount: Option<Discount>,
        tax_rate: BasisPoints,
    ) -> Result<Self, DomainError> {
        if unit_price.amount_minor() < 0 {
            return Err(DomainError::field("unit_price", "must not be negative"));
        }
        if let Some(Discount::Amount { amount }) = discount {
            if amount.currency() != unit_price.currency() {
                return Err(DomainError::field(
                    "discount",
                    format!(
                        "must be in {}, the currency of the unit price",
                        unit_price.currency()
                    ),
                ));
            }
            if amount.amount_minor() < 0 {
                return Err(DomainError::field("discount", "must not be negative"));
            }
        }
        let line = Self {
            line_id,
            kind,
            description,
            quantity,
            unit_price,
            discount,
            tax_rate,
        };
        let gross = line.gross()?;
        if let Some(Discount::Amount { amount }) = discount {
            if amount.amount_minor() > gross.amount_minor() {
                return Err(DomainError::field(
                    "discount",
                    format!("must not exceed the line's gross amount ({gross})"),
                ));
            }
        }
        line.totals()?;
        Ok(line)
    }

    /// The id.
    pub fn line_id(&self) -> LineId {
        self.line_id
    }
    /// What it sells.
    pub fn kind(&self) -> &LineKind {
        &self.kind
    }
    /// Description.
    pub fn description(&self) -> &Text {
        &self.description
    }
    /// Quantity (labour: minutes).
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }
    /// Unit price (labour: per hour).
    pub fn unit_price(&self) -> Money {
        self.unit_price
    }
    /// Discount, if any.
    pub fn discount(&self) -> Option<Discount> {
        self.discount
    }
    /// Tax rate.
    pub fn tax_rate(&self) -> BasisPoints {
        self.tax_rate
    }
    /// The currency of its amounts.
    pub fn currency(&self) -> Currency {
        self.unit_price.currency()
    }

    fn gross(&self) -> Result<Money, DomainError> {
        match self.kind {
            LineKind::Labour { .. } => self.unit_price.mul_div_half_up(self.quantity.get(), 60),
            _ => self.unit_price.checked_mul(self.quantity.get()),
        }
    }

    /// The line's derived amounts (see the module documentation for the rounding).
    pub fn totals(&self) -> Result<LineTotals, DomainError> {
        let gross = self.gross()?;
        let discount = match self.discount {
            None => Money::zero(gross.currency()),
            Some(Discount::Percent { basis_points }) => {
                gross.basis_points_half_up(basis_points.get())?
            }
            Some(Discount::Amount { amount }) => amount,
        };
        let net = gross.checked_sub(&discount)?;
        let tax = net.basis_points_half_up(self.tax_rate.get())?;
        let total = net.checked_add(&tax)?;
        Ok(LineTotals {
            gross,
            discount,
            net,
            tax,
            total,
        })
    }
}

/// A titled group of lines; an optional group is offered but not in the total.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineGroup {
    /// The id.
    pub group_id: LineGroupId,
    /// Title.
    pub title: Name,
    /// Offered as an option (excluded from the total, shown apart).
    pub optional: bool,
    /// Its lines, in display order.
    pub lines: Vec<QuoteLine>,
}

/// The sums of a set of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Σ gross.
    pub subtotal: Money,
    /// Σ discount.
    pub discount: Money,
    /// Σ tax.
    pub tax: Money,
    /// Σ line totals (= subtotal − discount + tax).
    pub total: Money,
}

impl Totals {
    /// All zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        let z = Money::zero(currency);
        Self {
            subtotal: z,
            discount: z,
            tax: z,
            total: z,
        }
    }

    /// Adds one line's amounts.
    pub fn add_line(&self, l: &LineTotals) -> Result<Totals, DomainError> {
        Ok(Self {
            subtotal: self.subtotal.checked_add(&l.gross)?,
            discount: self.discount.checked_add(&l.discount)?,
            tax: self.tax.checked_add(&l.tax)?,
            total: self.total.checked_add(&l.total)?,
        })
    }

    /// Adds another set of totals.
    pub fn add(&self, o: &Totals) -> Result<Totals, DomainError> {
        Ok(Self {
            subtotal: self.subtotal.checked_add(&o.subtotal)?,
            discount: self.discount.checked_add(&o.discount)?,
            tax: self.tax.checked_add(&o.tax)?,
            total: self.total.checked_add(&o.total)?,
        })
    }
}

/// The totals of a quote version: the quote's, and its optional groups' apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
// No deny_unknown_fields: serde does not support it together with flatten.
pub struct QuoteTotals {
    /// Sums over the lines of non-optional groups: what the quote costs.
    #[serde(flatten)]
    pub quote: Totals,
    /// Σ line totals of optional groups (shown, not included in `total`).
    pub optional_total: Money,
}

/// The priced content of one quote version: its groups in display order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteContent {
    /// The groups, in display order.
    pub groups: Vec<LineGroup>,
}

/// Most groups a version may have.
pub const MAX_GROUPS: usize = 200;
/// Most lines a version may have.
pub const MAX_LINES: usize = 5000;

impl QuoteContent {
    /// No groups.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every line with its group, in display order.
    pub fn lines(&self) -> impl Iterator<Item = (&LineGroup, &QuoteLine)> {
        self.groups
            .iter()
            .flat_map(|g| g.lines.iter().map(move |l| (g, l)))
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.groups.iter().map(|g| g.lines.len()).sum()
    }

    /// The totals of one group.
    pub fn group_totals(group: &LineGroup, currency: Currency) -> Result<Totals, DomainError> {
        group
            .lines
            .iter()
            .try_fold(Totals::zero(currency), |acc, l| acc.add_line(&l.totals()?))
    }

    /// The totals in `currency`: non-optional groups plus `include` (optional groups the
    /// customer took, for a sale), and the rest of the optional groups apart.
    pub fn totals_with(
        &self,
        currency: Currency,
        include: &BTreeSet<LineGroupId>,
    ) -> Result<QuoteTotals, DomainError> {
        let mut quote = Totals::zero(currency);
        let mut optional_total = Money::zero(currency);
        for g in &self.groups {
            let t = Self::group_totals(g, currency)?;
            if g.optional && !include.contains(&g.group_id) {
                optional_total = optional_total.checked_add(&t.total)?;
            } else {
                quote = quote.add(&t)?;
            }
        }
        Ok(QuoteTotals {
            quote,
            optional_total,
        })
    }

    /// The totals in `currency` (optional groups apart).
    pub fn totals(&self, currency: Currency) -> Result<QuoteTotals, DomainError> {
        self.totals_with(currency, &BTreeSet::new())
    }

    /// Checks the content as a whole for a quote in `currency`: ids unique, every line in
    /// `currency`, limits, totals that fit.
    pub fn check(&self, currency: Currency) -> Result<(), DomainError> {
        if self.groups.len() > MAX_GROUPS {
            return Err(DomainError::field("groups", "must be at most 200 groups"));
        }
        if self.line_count() > MAX_LINES {
            return Err(DomainError::field("lines", "must be at most 5000 lines"));
        }
        let mut groups = BTreeSet::new();
        let mut lines = BTreeSet::new();
        for g in &self.groups {
            if !groups.insert(g.group_id) {
                return Err(DomainError::field(
                    "group_id",
                    format!("group {} appears twice", g.group_id),
                ));
            }
            for l in &g.lines {
                if !lines.insert(l.line_id) {
                    return Err(DomainError::field(
                        "line_id",
                        format!("line {} appears twice", l.line_id),
                    ));
                }
                if l.currency() != currency {
                    return Err(DomainError::field(
                        "unit_price",
                        format!(
                            "must be in {currency}, the currency of the quote, not {}",
                            l.currency()
                        ),
                    ));
                }
            }
        }
        self.totals(currency)?;
        let all: BTreeSet<LineGroupId> = self.groups.iter().map(|g| g.group_id).collect();
        self.totals_with(currency, &all)?;
        Ok(())
    }

    /// The content hash of this content in `currency`: lowercase hex SHA-256 of
    /// `pet.quote_content.v1\n` followed by the canonical JSON of `{currency, content}`
    /// (struct fields in declaration order, lists in display order, no whitespace).
    /// Equal content gives an equal hash, in any process, forever.
    pub fn content_hash(&self, currency: Currency) -> String {
        #[derive(Serialize)]
        struct Canonical<'a> {
            currency: Currency,
            content: &'a QuoteContent,
        }
        let mut h = Sha256::new();
        h.update(b"pet.quote_content.v1\n");
        // Serialising plain structs of strings and integers cannot fail; an empty body
        // would still hash deterministically.
        let body = serde_json::to_vec(&Canonical {
            currency,
            content: self,
        })
        .unwrap_or_default();
        h.update(&body);
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn group_mut(&mut self, id: LineGroupId) -> Result<&mut LineGroup, DomainError> {
        self.groups
            .iter_mut()
            .find(|g| g.group_id == id)
            .ok_or_else(|| DomainError::NotFound {
                entity: "line group",
                id: id.to_string(),
            })
    }

    fn find_line(&self, id: LineId) -> Result<(usize, usize), DomainError> {
        for (gi, g) in self.groups.iter().enumerate() {
            if let Some(li) = g.lines.iter().position(|l| l.line_id == id) {
                return Ok((gi, li));
            }
        }
        Err(DomainError::NotFound {
            entity: "line",
            id: id.to_string(),
        })
    }

    /// Applies one edit (see [`DraftEdit`]). The result is not checked as a whole; call
    /// [`QuoteContent::check`] after a batch.
    pub fn apply(&mut self, edit: &DraftEdit) -> Result<(), DomainError> {
        match edit {
            DraftEdit::AddGroup {
                group_id,
                title,
                optional,
            } => {
                if self.groups.iter().any(|g| g.group_id == *group_id) {
                    return Err(DomainError::field(
                        "group_id",
                        format!("group {group_id} already exists"),
                    ));
                }
                self.groups.push(LineGroup {
                    group_id: *group_id,
                    title: title.clone(),
                    optional: *optional,
                    lines: Vec::new(),
                });
            }
            DraftEdit::UpdateGroup {
                group_id,
                title,
                optional,
            } => {
                let g = self.group_mut(*group_id)?;
                g.title = title.clone();
                g.optional = *optional;
            }
            DraftEdit::MoveGroup { group_id, position } => {
                let from = self
                    .groups
                    .iter()
                    .position(|g| g.group_id == *group_id)
                    .ok_or_else(|| DomainError::NotFound {
                        entity: "line group",
                        id: group_id.to_string(),
                    })?;
                let g = self.groups.remove(from);
                let at = (*position).min(self.groups.len());
                self.groups.insert(at, g);
            }
            DraftEdit::RemoveGroup { group_id } => {
                let before = self.groups.len();
                self.groups.retain(|g| g.group_id != *group_id);
                if self.groups.len() == before {
                    return Err(DomainError::NotFound {
                        entity: "line group",
                        id: group_id.to_string(),
                    });
                }
            }
            DraftEdit::AddLine { group_id, line } => {
                if self.find_line(line.line_id).is_ok() {
                    return Err(DomainError::field(
                        "line_id",
                        format!("line {} already exists", line.line_id),
                    ));
                }
                self.group_mut(*group_id)?.lines.push(line.clone());
            }
            DraftEdit::UpdateLine { line } => {
                let (gi, li) = self.find_line(line.line_id)?;
                self.groups[gi].lines[li] = line.clone();
            }
            DraftEdit::MoveLine {
                line_id,
                group_id,
                position,
            } => {
                let (gi, li) = self.find_line(*line_id)?;
                self.group_mut(*group_id)?;
                let line = self.groups[gi].lines.remove(li);
                let g = self.group_mut(*group_id)?;
                let at = (*position).min(g.lines.len());
                g.lines.insert(at, line);
            }
            DraftEdit::RemoveLine { line_id } => {
                let (gi, li) = self.find_line(*line_id)?;
                self.groups[gi].lines.remove(li);
            }
            DraftEdit::ReplaceAll(content) => *self = content.clone(),
        }
        Ok(())
    }
}

/// One change to a draft's content. A batch is applied in order and either all of it
/// is accepted or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftEdit {
    /// Appends an empty group.
    AddGroup {
        /// Its id (new in this version).
        group_id: LineGroupId,
        /// Title.
        title: Name,
        /// Offered as an option.
        optional: bool,
    },
    /// Changes a group's title and optional flag.
    UpdateGroup {
        /// The group.
        group_id: LineGroupId,
        /// New title.
        title: Name,
        /// New optional flag.
        optional: bool,
    },
    /// Moves a group to a position (0 = first; past the end = last).
    MoveGroup {
        /// The group.
        group_id: LineGroupId,
        /// New position.
        position: usize,
    },
    /// Removes a group and its lines.
    RemoveGroup {
        /// The group.
        group_id: LineGroupId,
    },
    /// Appends a line to a group.
    AddLine {
        /// The group.
        group_id: LineGroupId,
        /// The line (its id new in this version).
        line: QuoteLine,
    },
    /// Replaces the line with the same id.
    UpdateLine {
        /// The new line.
        line: QuoteLine,
    },
    /// Moves a line to a group and position (0 = first; past the end = last).
    MoveLine {
        /// The line.
        line_id: LineId,
        /// The target group.
        group_id: LineGroupId,
        /// New position in it.
        position: usize,
    },
    /// Removes a line.
    RemoveLine {
        /// The line.
        line_id: LineId,
    },
    /// Replaces the whole content (a quote builder saving its form).
    ReplaceAll(QuoteContent),
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn eur(a: i64) -> Money {
        Money::new(a, Currency::new("EUR").unwrap())
    }
    fn line(
        n: u128,
        kind: LineKind,
        qty: i64,
        price: i64,
        discount: Option<Discount>,
        tax: i64,
    ) -> Result<QuoteLine, DomainError> {
        QuoteLine::new(
            LineId::from_uuid(Uuid::from_u128(n)),
            kind,
            Text::for_field("description", "x").unwrap(),
            Quantity::new(qty)?,
            eur(price),
            discount,
            BasisPoints::for_field("tax_rate", tax)?,
        )
    }
    fn pct(bp: i64) -> Option<Discount> {
        Some(Discount::Percent {
            basis_points: BasisPoints::for_field("discount", bp).unwrap(),
        })
    }

    #[test]
    fn line_arithmetic_rounds_half_up_at_each_marked_step() {
        // Labour: 12 000/h × 95 min = 19 000 exactly; 10 % off = 1 900; tax 19 % of 17 100 = 3 249.
        let t = line(
            1,
            LineKind::Labour { role: None },
            95,
            12_000,
            pct(1000),
            1900,
        )
        .unwrap()
        .totals()
        .unwrap();
        assert_eq!(
            (t.gross, t.discount, t.net, t.tax, t.total),
            (
                eur(19_000),
                eur(1_900),
                eur(17_100),
                eur(3_249),
                eur(20_349)
            )
        );
        // Labour: 1 001/h × 1 min = 16.68 → 17 (half-up); 1 050/h × 1 min = 17.5 → 18.
        let g = |p| {
            line(1, LineKind::Labour { role: None }, 1, p, None, 0)
                .unwrap()
                .totals()
                .unwrap()
                .gross
        };
        assert_eq!(g(1001), eur(17));
        assert_eq!(g(1050), eur(18));
        assert_eq!(g(1049), eur(17));
        // Product: 3 × 3.33 = 9.99; 12.5 % off = 1.24875 → 1.25; tax 7 % of 8.74 = 0.6118 → 0.61.
        let t = line(2, LineKind::Product, 3, 333, pct(1250), 700)
            .unwrap()
            .totals()
            .unwrap();
        assert_eq!(
            (t.discount, t.net, t.tax, t.total),
            (eur(125), eur(874), eur(61), eur(935))
        );
        // Amount discounts: currency and size checked.
        let amt = |a: Money| Some(Discount::Amount { amount: a });
        assert!(line(3, LineKind::FixedFee, 1, 500, amt(eur(501)), 0).is_err());
        assert!(line(
            3,
            LineKind::FixedFee,
            1,
            500,
            amt(Money::new(1, Currency::new("USD").unwrap())),
            0
        )
        .is_err());
        assert_eq!(
            line(3, LineKind::FixedFee, 1, 500, amt(eur(500)), 0)
                .unwrap()
                .totals()
                .unwrap()
                .total,
            eur(0)
        );
        assert!(line(4, LineKind::Product, 1, -1, None, 0).is_err());
        assert!(line(4, LineKind::Product, 1_000_000_000, i64::MAX / 10, None, 0).is_err());
        assert!(line(4, LineKind::Product, 0, 1, None, 0).is_err());
    }

    #[test]
    fn totals_exclude_optional_groups_and_hash_is_stable() {
        let g = |n: u128, optional, lines: Vec<QuoteLine>| LineGroup {
            group_id: LineGroupId::from_uuid(Uuid::from_u128(n)),
            title: Name::new("G").unwrap(),
            optional,
            lines,
        };
        let c = QuoteContent {
            groups: vec![
                g(
                    10,
                    false,
                    vec![line(1, LineKind::FixedFee, 1, 1000, None, 2000).unwrap()],
                ),
                g(
                    11,
                    true,
                    vec![line(
                        2,
                        LineKind::Recurring {
                            interval: Interval::Monthly,
                        },
                        2,
                        250,
                        None,
                        0,
                    )
                    .unwrap()],
                ),
            ],
        };
        let eur_c = Currency::new("EUR").unwrap();
        let t = c.totals(eur_c).unwrap();
        assert_eq!(t.quote.total, eur(1200));
        assert_eq!(t.optional_total, eur(500));
        let all = [LineGroupId::from_uuid(Uuid::from_u128(11))]
            .into_iter()
            .collect();
        assert_eq!(c.totals_with(eur_c, &all).unwrap().quote.total, eur(1700));
        assert!(c.check(eur_c).is_ok());
        assert!(c.check(Currency::new("USD").unwrap()).is_err());
        let h = c.content_hash(eur_c);
        assert_eq!(h.len(), 64);
        assert_eq!(h, c.clone().content_hash(eur_c));
        let back: QuoteContent = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(back.content_hash(eur_c), h);
        let mut d = c.clone();
        d.apply(&DraftEdit::MoveGroup {
            group_id: LineGroupId::from_uuid(Uuid::from_u128(11)),
            position: 0,
        })
        .unwrap();
        assert_ne!(d.content_hash(eur_c), h);
        assert_ne!(c.content_hash(Currency::new("USD").unwrap()), h);
    }

    #[test]
    fn edits_refuse_unknown_and_duplicate_ids() {
        let gid = LineGroupId::from_uuid(Uuid::from_u128(10));
        let mut c = QuoteContent::new();
        let add = DraftEdit::AddGroup {
            group_id: gid,
            title: Name::new("G").unwrap(),
            optional: false,
        };
        c.apply(&add).unwrap();
        assert!(c.apply(&add).is_err());
        let l = line(1, LineKind::Product, 1, 1, None, 0).unwrap();
        c.apply(&DraftEdit::AddLine {
            group_id: gid,
            line: l.clone(),
        })
        .unwrap();
        assert!(c
            .apply(&DraftEdit::AddLine {
                group_id: gid,
                line: l.clone()
            })
            .is_err());
        assert!(c
            .apply(&DraftEdit::RemoveLine {
                line_id: LineId::from_uuid(Uuid::from_u128(9))
            })
            .is_err());
        assert!(matches!(
            c.apply(&DraftEdit::AddLine {
                group_id: LineGroupId::from_uuid(Uuid::from_u128(9)),
                line: line(2, LineKind::Product, 1, 1, None, 0).unwrap()
            }),
            Err(DomainError::NotFound {
                entity: "line group",
                ..
            })
        ));
        // A line that deserialises re-checks itself.
        let mut v = serde_json::to_value(&c.groups[0].lines[0]).unwrap();
        assert_eq!(v["kind"], "product");
        v["unit_price"]["amount_minor"] = serde_json::json!(-5);
        assert!(serde_json::from_value::<QuoteLine>(v).is_err());
    }
}
