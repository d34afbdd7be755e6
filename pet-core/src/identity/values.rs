//! Self-validating value objects of Identity & Organisation: names, e-mail addresses,
//! phone numbers, currencies, money and hourly rates. An invalid one cannot be built;
//! every constructor reports a [`DomainError::Validation`] naming the input field.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A display name: trimmed, 1–200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    /// Longest accepted name, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Validates a name given as input field `name`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        Self::for_field("name", s)
    }

    /// Validates a name given as input field `field`.
    pub fn for_field(field: &str, s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DomainError::field(field, "must not be empty"));
        }
        if t.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::field(field, "must be at most 200 characters"));
        }
        if t.chars().any(char::is_control) {
            return Err(DomainError::field(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(t.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Name {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A free-text note (e.g. on an org-structure version): trimmed, at most 1000 characters,
/// no control characters other than line breaks and tabs. May be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Note(String);

impl Note {
    /// Validates a note given as input field `note`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.chars().count() > 1000 {
            return Err(DomainError::field(
                "note",
                "must be at most 1000 characters",
            ));
        }
        if t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(DomainError::field(
                "note",
                "must not contain control characters",
            ));
        }
        Ok(Self(t.to_owned()))
    }

    /// The note (possibly empty).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Note> for String {
    fn from(n: Note) -> String {
        n.0
    }
}

/// An e-mail address: trimmed and lowercased, at most 254 characters, one `@`, a local
/// part of 1–64 characters without spaces, and a dotted domain of letters, digits and
/// hyphens. Deliberately stricter than RFC 5322 (no quoted local parts, no IP literals).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Validates an address given as input field `email`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        Self::for_field("email", s)
    }

    /// Validates an address given as input field `field`.
    pub fn for_field(field: &str, s: &str) -> Result<Self, DomainError> {
        let bad = |m: &str| DomainError::field(field, m);
        let t = s.trim().to_lowercase();
        if t.is_empty() {
            return Err(bad("must not be empty"));
        }
        if t.len() > 254 {
            return Err(bad("must be at most 254 characters"));
        }
        let Some((local, domain)) = t.split_once('@') else {
            return Err(bad("is not an email address"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(t))
        } else {
            Err(bad("is not an email address"))
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number, loosely checked: trimmed, at most 32 characters, digits plus
/// `+ - ( ) . /` spaces and an `x` for extensions, with at least 3 digits. Stored as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Validates a number given as input field `phone`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DomainError::field("phone", "must not be empty"));
        }
        if t.chars().count() > 32 {
            return Err(DomainError::field("phone", "must be at most 32 characters"));
        }
        let allowed = t
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./xX".contains(c));
        let digits = t.chars().filter(char::is_ascii_digit).count();
        if !allowed || digits < 3 {
            return Err(DomainError::field("phone", "is not a phone number"));
        }
        Ok(Self(t.to_owned()))
    }

    /// The number as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO-4217-shaped currency code: exactly three uppercase ASCII letters (e.g. `EUR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Validates a code given as input field `currency`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        match s.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(DomainError::field(
                "currency",
                "must be a three-letter uppercase ISO 4217 code",
            )),
        }
    }

    /// The code, e.g. `EUR`.
    pub fn as_str(&self) -> &str {
        // Always three ASCII uppercase letters, so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimal digits a minor unit has (2 for most; 0 for e.g. JPY; 3 for e.g. KWD).
    pub fn minor_unit_digits(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money: integer minor units (cents) and a currency. No floats, ever;
/// arithmetic is checked and refuses to mix currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount in minor units.
    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// The amount in minor units.
    pub const fn amount_minor(&self) -> i64 {
        self.amount_minor
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    fn same_currency(&self, other: &Money) -> Result<(), DomainError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(DomainError::invariant(format!(
                "cannot combine {} with {}",
                self.currency, other.currency
            )))
        }
    }

    /// `self + other`; refuses another currency or overflow.
    pub fn checked_add(&self, other: &Money) -> Result<Money, DomainError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_add(other.amount_minor)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| DomainError::invariant("money amount overflow"))
    }

    /// `self - other`; refuses another currency or overflow.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, DomainError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_sub(other.amount_minor)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| DomainError::invariant("money amount overflow"))
    }

    /// `self × factor`; refuses overflow.
    pub fn checked_mul(&self, factor: i64) -> Result<Money, DomainError> {
        self.amount_minor
            .checked_mul(factor)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| DomainError::invariant("money amount overflow"))
    }

    /// `self × numerator ÷ denominator`, rounded half-up to a whole minor unit (a half
    /// rounds away from zero: 2.5 → 3, −2.5 → −3). Exact: computed in 128-bit integers;
    /// refuses a zero denominator and a result that does not fit.
    pub fn mul_div_half_up(&self, numerator: i64, denominator: i64) -> Result<Money, DomainError> {
        if denominator == 0 {
            return Err(DomainError::invariant("money divided by zero"));
        }
        let raw = i128::from(self.amount_minor) * i128::from(numerator);
        let den = i128::from(denominator);
        let (q, r) = (raw / den, raw % den);
        // |r| ≥ |den| / 2, compared without dividing: 2|r| ≥ |den|.
        let rounded = if 2 * r.abs() >= den.abs() {
            if (raw < 0) == (den < 0) {
                q + 1
            } else {
                q - 1
            }
        } else {
            q
        };
        i64::try_from(rounded)
            .map(|a| Money::new(a, self.currency))
            .map_err(|_| DomainError::invariant("money amount overflow"))
    }

    /// The `basis_points` share of `self` (1 bp = 0.01 %, 10 000 bp = 100 %), rounded
    /// half-up to a whole minor unit: how percentage discounts and tax are computed.
    pub fn basis_points_half_up(&self, basis_points: u32) -> Result<Money, DomainError> {
        self.mul_div_half_up(i64::from(basis_points), 10_000)
    }

    /// Parses a decimal amount typed in `currency` (input field `field`), exactly: an
    /// optional sign, digits, and optionally a decimal separator (`.` or `,`) followed by
    /// at most the currency's minor-unit digits (none for JPY, three for KWD). Surrounding
    /// whitespace is ignored; anything else (thousands separators, exponents, more
    /// decimals than the currency has) is a field error naming `field` and what it allows.
    ///
    /// `Money::parse("price", "85.5", eur)` is `EUR 85.50`; `"1235"` in JPY is `JPY 1235`;
    /// `"1,235"` in KWD is `KWD 1.235`.
    pub fn parse(field: &str, amount: &str, currency: Currency) -> Result<Money, DomainError> {
        let digits = currency.minor_unit_digits();
        let shape = || {
            let example = if digits == 0 {
                format!("must be a whole amount like 1235 ({currency} has no decimals)")
            } else {
                format!(
                    "must be an amount like 85 or 85.{} (at most {digits} decimals for {currency})",
                    "5".repeat(digits as usize)
                )
            };
            DomainError::field(field, example)
        };
        let s = amount.trim();
        let (negative, rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int_part, frac_part) = match rest.find(['.', ',']) {
            Some(p) => (&rest[..p], Some(&rest[p + 1..])),
            None => (rest, None),
        };
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !all_digits(int_part) {
            return Err(shape());
        }
        let frac = match frac_part {
            None => "",
            Some(f) if !f.is_empty() && all_digits(f) => f,
            Some(_) => return Err(shape()),
        };
        if frac.len() > digits as usize {
            return Err(DomainError::field(
                field,
                if digits == 0 {
                    format!("must be a whole amount ({currency} has no decimals)")
                } else {
                    format!("must have at most {digits} decimals for {currency}")
                },
            ));
        }
        let too_large = || DomainError::field(field, "is too large");
        let int_value: i128 = int_part
            .trim_start_matches('0')
            .parse::<i128>()
            .or_else(|_| {
                if int_part.trim_start_matches('0').is_empty() {
                    Ok(0)
                } else {
                    Err(too_large())
                }
            })?;
        let frac_value: i128 = if frac.is_empty() {
            0
        } else {
            frac.parse::<i128>().map_err(|_| shape())?
        };
        let scale = 10i128.pow(digits);
        let frac_scaled = frac_value * 10i128.pow(digits - frac.len() as u32);
        let minor = int_value
            .checked_mul(scale)
            .and_then(|v| v.checked_add(frac_scaled))
            .ok_or_else(too_large)?;
        let minor = if negative { -minor } else { minor };
        i64::try_from(minor)
            .map(|m| Money::new(m, currency))
            .map_err(|_| too_large())
    }

    /// The amount as a plain decimal with the currency's minor-unit digits and no code:
    /// `1234.50` (EUR), `1235` (JPY), `1.235` (KWD), `-0.05` (EUR). What a form shows and
    /// [`Money::parse`] reads back.
    pub fn decimal(&self) -> String {
        let digits = self.currency.minor_unit_digits();
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let abs = self.amount_minor.unsigned_abs();
        if digits == 0 {
            format!("{sign}{abs}")
        } else {
            let scale = 10u64.pow(digits);
            format!(
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = digits as usize
            )
        }
    }

    /// The sum of `amounts`, all in `currency` (zero when empty); refuses another
    /// currency or overflow.
    pub fn checked_sum<'a>(
        currency: Currency,
        amounts: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, DomainError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }
}

impl std::fmt::Display for Money {
    /// `EUR 1234.50`: the code, then the amount with the currency's minor-unit digits
    /// ([`Money::decimal`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.currency, self.decimal())
    }
}

/// An hourly rate: a non-negative amount of money per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Money", into = "Money")]
pub struct Rate(Money);

impl Rate {
    /// Validates that `per_hour` is not negative (field `amount_minor`).
    pub fn new(per_hour: Money) -> Result<Self, DomainError> {
        if per_hour.amount_minor() < 0 {
            Err(DomainError::field("amount_minor", "must not be negative"))
        } else {
            Ok(Self(per_hour))
        }
    }

    /// Builds a rate from raw input; reports every bad field at once.
    pub fn from_parts(amount_minor: i64, currency: &str) -> Result<Self, DomainError> {
        let mut errors = crate::error::FieldErrors::new();
        if amount_minor < 0 {
            errors.add("amount_minor", "must not be negative");
        }
        let currency = Currency::new(currency);
        if let Err(DomainError::Validation(e)) = &currency {
            for (k, v) in e.iter() {
                errors.add(k, v);
            }
        }
        errors.into_result()?;
        Self::new(Money::new(amount_minor, currency?))
    }

    /// The amount per hour.
    pub const fn per_hour(&self) -> Money {
        self.0
    }

    /// The cost of `minutes` at this rate, rounded half-up to a whole minor unit.
    pub fn cost_of_minutes(&self, minutes: i64) -> Result<Money, DomainError> {
        let raw = i128::from(self.0.amount_minor()) * i128::from(minutes);
        let (q, r) = (raw.div_euclid(60), raw.rem_euclid(60));
        let rounded = if r * 2 >= 60 { q + 1 } else { q };
        i64::try_from(rounded)
            .map(|a| Money::new(a, self.0.currency()))
            .map_err(|_| DomainError::invariant("money amount overflow"))
    }
}

impl TryFrom<Money> for Rate {
    type Error = DomainError;
    fn try_from(m: Money) -> Result<Self, Self::Error> {
        Self::new(m)
    }
}

impl From<Rate> for Money {
    fn from(r: Rate) -> Money {
        r.0
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/h", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::new("EUR").unwrap()
    }

    fn field_of(e: DomainError) -> Vec<String> {
        match e {
            DomainError::Validation(f) => f.iter().map(|(k, _)| k.to_owned()).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn cur(c: &str) -> Currency {
        Currency::new(c).unwrap()
    }

    fn message_of(e: DomainError) -> String {
        match e {
            DomainError::Validation(f) => f.iter().map(|(k, m)| format!("{k}: {m}")).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn money_parses_decimals_with_the_currency_digits() {
        let p = |a: &str, c: &str| Money::parse("price", a, cur(c)).map(|m| m.amount_minor());
        assert_eq!(p("85.50", "EUR").unwrap(), 8550);
        assert_eq!(p("85,5", "EUR").unwrap(), 8550);
        assert_eq!(p("85", "EUR").unwrap(), 8500);
        assert_eq!(p(" 0.05 ", "EUR").unwrap(), 5);
        assert_eq!(p("-12.34", "EUR").unwrap(), -1234);
        assert_eq!(p("+7", "EUR").unwrap(), 700);
        assert_eq!(p("-0.5", "EUR").unwrap(), -50);
        assert_eq!(p("007.1", "EUR").unwrap(), 710);
        assert_eq!(p("1235", "JPY").unwrap(), 1235);
        assert_eq!(p("-1235", "JPY").unwrap(), -1235);
        assert_eq!(p("1.235", "KWD").unwrap(), 1235);
        assert_eq!(p("1,2", "KWD").unwrap(), 1200);
        assert_eq!(p("3", "KWD").unwrap(), 3000);
        assert_eq!(
            p("92233720368547758.07", "EUR").unwrap(),
            9_223_372_036_854_775_807
        );
        assert_eq!(
            message_of(p("92233720368547758.08", "EUR").unwrap_err()),
            "price: is too large"
        );
        assert_eq!(
            message_of(p("99999999999999999999999999999999999999999", "JPY").unwrap_err()),
            "price: is too large"
        );
    }

    #[test]
    fn money_refuses_too_many_decimals_and_garbage_naming_the_field() {
        let e = |a: &str, c: &str| {
            message_of(Money::parse("groups.0.lines.1.unit_price", a, cur(c)).unwrap_err())
        };
        assert_eq!(
            e("1235.5", "JPY"),
            "groups.0.lines.1.unit_price: must be a whole amount (JPY has no decimals)"
        );
        assert_eq!(
            e("1.2345", "KWD"),
            "groups.0.lines.1.unit_price: must have at most 3 decimals for KWD"
        );
        assert_eq!(
            e("85.505", "EUR"),
            "groups.0.lines.1.unit_price: must have at most 2 decimals for EUR"
        );
        let eur_shape = "groups.0.lines.1.unit_price: must be an amount like 85 or 85.55 (at most 2 decimals for EUR)";
        for bad in [
            "", " ", "abc", "1.2.3", "1,000.00", "1e3", "12.", ".5", "-", "--1", "1 000", "١٢",
        ] {
            assert_eq!(e(bad, "EUR"), eur_shape, "{bad:?}");
        }
        assert_eq!(
            e("x", "JPY"),
            "groups.0.lines.1.unit_price: must be a whole amount like 1235 (JPY has no decimals)"
        );
        assert_eq!(
            e("x", "KWD"),
            "groups.0.lines.1.unit_price: must be an amount like 85 or 85.555 (at most 3 decimals for KWD)"
        );
    }

    #[test]
    fn money_decimal_and_display_use_the_currency_digits() {
        let m = |a: i64, c: &str| Money::new(a, cur(c));
        assert_eq!(m(123_450, "EUR").decimal(), "1234.50");
        assert_eq!(m(-5, "EUR").decimal(), "-0.05");
        assert_eq!(m(1235, "JPY").decimal(), "1235");
        assert_eq!(m(-1235, "JPY").decimal(), "-1235");
        assert_eq!(m(1235, "KWD").decimal(), "1.235");
        assert_eq!(m(5, "KWD").decimal(), "0.005");
        assert_eq!(m(123_450, "EUR").to_string(), "EUR 1234.50");
        assert_eq!(m(1235, "JPY").to_string(), "JPY 1235");
        assert_eq!(m(1235, "KWD").to_string(), "KWD 1.235");
        assert_eq!(m(i64::MIN, "EUR").decimal(), "-92233720368547758.08");
        for (a, c) in [
            (123_450, "EUR"),
            (-5, "EUR"),
            (1235, "JPY"),
            (1235, "KWD"),
            (-1, "KWD"),
        ] {
            let money = m(a, c);
            assert_eq!(Money::parse("x", &money.decimal(), cur(c)).unwrap(), money);
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::new("  Ana Ruiz ").unwrap().as_str(), "Ana Ruiz");
        assert_eq!(field_of(Name::new("   ").unwrap_err()), ["name"]);
        assert!(Name::new(&"é".repeat(200)).is_ok());
        assert!(Name::new(&"é".repeat(201)).is_err());
        assert!(Name::new("a\u{0}b").is_err());
        assert!(Name::new("a\nb").is_err());
        assert_eq!(
            field_of(Name::for_field("title", "").unwrap_err()),
            ["title"]
        );
        assert!(serde_json::from_str::<Name>("\"\"").is_err());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        let check = |input: &str, expect: Option<&str>| {
            assert_eq!(
                Email::new(input)
                    .ok()
                    .map(|e| e.as_str().to_owned())
                    .as_deref(),
                expect,
                "{input}"
            );
        };
        check(" Ana.Ruiz@Example.COM ", Some("ana.ruiz@example.com"));
        check("a+tag@mail.example.org", Some("a+tag@mail.example.org"));
        check("", None);
        check("no-at-sign", None);
        check("two@@example.com", None);
        check("a@b@example.com", None);
        check("@example.com", None);
        check("ana@", None);
        check("ana@localhost", None);
        check("ana@-bad.com", None);
        check("ana@exa mple.com", None);
        check(".ana@example.com", None);
        check("a..b@example.com", None);
        check("a'; DROP TABLE x; --@example.com", None);
        check(&format!("{}@example.com", "a".repeat(65)), None);
        check(&format!("a@{}.com", "b".repeat(250)), None);
    }

    #[test]
    fn phones_are_loose_but_not_anything() {
        assert_eq!(
            Phone::new(" +34 (91) 123-45-67 ").unwrap().as_str(),
            "+34 (91) 123-45-67"
        );
        assert!(Phone::new("555 1234 x12").is_ok());
        assert!(Phone::new("12").is_err());
        assert!(Phone::new("call me").is_err());
        assert!(Phone::new(&"1".repeat(33)).is_err());
    }

    #[test]
    fn currencies_are_three_uppercase_letters() {
        assert_eq!(eur().as_str(), "EUR");
        for bad in ["eur", "EU", "EURO", "E1R", "", "ÉUR"] {
            assert_eq!(
                field_of(Currency::new(bad).unwrap_err()),
                ["currency"],
                "{bad}"
            );
        }
        assert_eq!(Currency::new("JPY").unwrap().minor_unit_digits(), 0);
        assert_eq!(Currency::new("KWD").unwrap().minor_unit_digits(), 3);
    }

    #[test]
    fn money_arithmetic_is_checked() {
        let a = Money::new(150, eur());
        let b = Money::new(-200, eur());
        assert_eq!(a.checked_add(&b).unwrap(), Money::new(-50, eur()));
        assert_eq!(a.checked_sub(&b).unwrap(), Money::new(350, eur()));
        let usd = Money::new(1, Currency::new("USD").unwrap());
        assert!(matches!(
            a.checked_add(&usd),
            Err(DomainError::Invariant(_))
        ));
        assert!(Money::new(i64::MAX, eur())
            .checked_add(&Money::new(1, eur()))
            .is_err());
        assert!(Money::new(i64::MIN, eur())
            .checked_sub(&Money::new(1, eur()))
            .is_err());
        assert!(Money::new(i64::MAX, eur()).checked_mul(2).is_err());
        assert_eq!(Money::new(12345, eur()).to_string(), "EUR 123.45");
        assert_eq!(Money::new(-5, eur()).to_string(), "EUR -0.05");
        assert_eq!(
            Money::new(500, Currency::new("JPY").unwrap()).to_string(),
            "JPY 500"
        );
        assert_eq!(
            Money::new(1005, Currency::new("KWD").unwrap()).to_string(),
            "KWD 1.005"
        );
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::json!({"amount_minor": 150, "currency": "EUR"})
        );
    }

    #[test]
    fn money_mul_div_rounds_half_up_away_from_zero() {
        let m = |a| Money::new(a, eur());
        let check = |amount: i64, num: i64, den: i64, expect: i64| {
            assert_eq!(
                m(amount).mul_div_half_up(num, den).unwrap().amount_minor(),
                expect,
                "{amount} × {num} / {den}"
            );
        };
        check(5, 1, 2, 3); // 2.5 → 3
        check(-5, 1, 2, -3); // −2.5 → −3
        check(5, -1, 2, -3);
        check(5, 1, -2, -3);
        check(-5, -1, 2, 3);
        check(4, 1, 3, 1); // 1.33 → 1
        check(5, 1, 3, 2); // 1.67 → 2
        check(7, 1, 1, 7);
        check(0, 9, 7, 0);
        check(i64::MAX, 3, 3, i64::MAX); // exact in 128 bits
        assert!(m(1).mul_div_half_up(1, 0).is_err());
        assert!(m(i64::MAX).mul_div_half_up(2, 1).is_err());
        // 19 % of 64.50 is 12.255 → 12.26 (half-up)
        assert_eq!(
            m(6450).basis_points_half_up(1900).unwrap().amount_minor(),
            1226
        );
        assert_eq!(m(1000).basis_points_half_up(10_000).unwrap(), m(1000));
        assert_eq!(m(1).basis_points_half_up(4999).unwrap().amount_minor(), 0);
        assert_eq!(m(1).basis_points_half_up(5000).unwrap().amount_minor(), 1);
        let usd = Money::new(1, Currency::new("USD").unwrap());
        assert_eq!(
            Money::checked_sum(eur(), &[m(1), m(2), m(-4)]).unwrap(),
            m(-1)
        );
        assert_eq!(Money::checked_sum(eur(), &[]).unwrap(), m(0));
        assert!(Money::checked_sum(eur(), &[m(1), usd]).is_err());
        assert!(Money::checked_sum(eur(), &[m(i64::MAX), m(1)]).is_err());
    }

    #[test]
    fn rates_are_non_negative_and_round_half_up() {
        assert!(Rate::new(Money::new(-1, eur())).is_err());
        let r = Rate::from_parts(100, "EUR").unwrap();
        assert_eq!(r.cost_of_minutes(60).unwrap().amount_minor(), 100);
        // 100 × 1 / 60 = 1.67 → 2; 100 × 0.3/60... 3 minutes = 5.0 exactly
        assert_eq!(r.cost_of_minutes(1).unwrap().amount_minor(), 2);
        assert_eq!(r.cost_of_minutes(3).unwrap().amount_minor(), 5);
        // 90 × 1 / 60 = 1.5 → 2 (half-up); 30 × 1 / 60 = 0.5 → 1
        assert_eq!(
            Rate::from_parts(90, "EUR")
                .unwrap()
                .cost_of_minutes(1)
                .unwrap()
                .amount_minor(),
            2
        );
        assert_eq!(
            Rate::from_parts(30, "EUR")
                .unwrap()
                .cost_of_minutes(1)
                .unwrap()
                .amount_minor(),
            1
        );
        assert_eq!(
            Rate::from_parts(29, "EUR")
                .unwrap()
                .cost_of_minutes(1)
                .unwrap()
                .amount_minor(),
            0
        );
        let both = Rate::from_parts(-1, "eur").unwrap_err();
        assert_eq!(field_of(both), ["amount_minor", "currency"]);
        assert!(serde_json::from_value::<Rate>(
            serde_json::json!({"amount_minor": -1, "currency": "EUR"})
        )
        .is_err());
        assert_eq!(r.to_string(), "EUR 1.00/h");
    }
}
