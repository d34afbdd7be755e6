//! Self-validating value objects of the commercial module: free texts (reasons,
//! evidence, descriptions), custom-field keys, basis points and quantities. An invalid
//! one cannot be built; every constructor names the input field it reports on.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// A non-empty free text (a reason, a piece of evidence, a line description): trimmed,
/// 1–2000 characters, no control characters other than line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

impl Text {
    /// Longest accepted text, in characters.
    pub const MAX_CHARS: usize = 2000;

    /// Validates a text given as input field `field`.
    pub fn for_field(field: &str, s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(DomainError::field(field, "must not be empty"));
        }
        if t.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::field(field, "must be at most 2000 characters"));
        }
        if t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(DomainError::field(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(t.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Text {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::for_field("text", &s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key of a custom lead field: 1–64 characters, a lowercase ASCII letter then
/// lowercase letters, digits or `_` (e.g. `budget_band`). Stable across schema versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldKey(String);

impl FieldKey {
    /// Validates a key given as input field `key`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        let mut chars = s.chars();
        let ok = s.len() <= 64
            && matches!(chars.next(), Some('a'..='z'))
            && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::field(
                "key",
                "must be 1-64 characters: a lowercase letter, then lowercase letters, digits or _",
            ))
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FieldKey {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<FieldKey> for String {
    fn from(k: FieldKey) -> String {
        k.0
    }
}

impl std::fmt::Display for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A share in basis points: 1 bp = 0.01 %, at most 10 000 bp (100 %). Used for
/// percentage discounts and tax rates, so no float ever touches money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct BasisPoints(u32);

impl BasisPoints {
    /// 0 %.
    pub const ZERO: BasisPoints = BasisPoints(0);
    /// 100 %.
    pub const MAX: u32 = 10_000;

    /// Validates `0 ≤ bp ≤ 10 000` given as input field `field` (signed: PHP integers are).
    pub fn for_field(field: &str, bp: i64) -> Result<Self, DomainError> {
        match u32::try_from(bp) {
            Ok(v) if v <= Self::MAX => Ok(Self(v)),
            _ => Err(DomainError::field(
                field,
                "must be between 0 and 10000 basis points (0-100 %)",
            )),
        }
    }

    /// The value in basis points.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// A percentage typed as decimal text (`"20"`, `"7.5"`, `"7,25"`: a whole part of up
    /// to five digits and at most two decimals, a comma read as the decimal point) given as
    /// input field `field`, in basis points (`"12.5"` → 1250). Read as text, never through
    /// a float; more decimals or anything else is refused, and so is a value outside
    /// 0-100 % (the same bound as [`BasisPoints::for_field`]).
    pub fn from_percent_text(field: &str, text: &str) -> Result<Self, DomainError> {
        let malformed = || DomainError::field(field, "must be a percentage like 20 or 7.5");
        let t = text.trim().replace(',', ".");
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (digits, None),
        };
        let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_digits(whole)
            || whole.len() > 5
            || frac.is_some_and(|f| !is_digits(f) || f.len() > 2)
        {
            return Err(malformed());
        }
        let frac = frac.unwrap_or("");
        let hundredths: i64 =
            frac.parse::<i64>().unwrap_or(0) * if frac.len() == 1 { 10 } else { 1 };
        let bp = whole.parse::<i64>().map_err(|_| malformed())? * 100 + hundredths;
        Self::for_field(field, if negative { -bp } else { bp })
    }
}

impl TryFrom<u32> for BasisPoints {
    type Error = DomainError;
    fn try_from(bp: u32) -> Result<Self, Self::Error> {
        Self::for_field("basis_points", i64::from(bp))
    }
}

impl From<BasisPoints> for u32 {
    fn from(b: BasisPoints) -> u32 {
        b.0
    }
}

impl std::fmt::Display for BasisPoints {
    /// `19 %`, `7.5 %`, `12.25 %`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole} %"),
            x if x % 10 == 0 => write!(f, "{whole}.{} %", x / 10),
            x => write!(f, "{whole}.{x:02} %"),
        }
    }
}

/// A quantity on a quote line: a whole number from 1 to 1 000 000 000 — units for
/// products, fees and recurring lines, minutes for labour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(i64);

impl Quantity {
    /// Largest accepted quantity.
    pub const MAX: i64 = 1_000_000_000;

    /// Validates `1 ≤ q ≤ 1 000 000 000` given as input field `quantity`.
    pub fn new(q: i64) -> Result<Self, DomainError> {
        if (1..=Self::MAX).contains(&q) {
            Ok(Self(q))
        } else {
            Err(DomainError::field(
                "quantity",
                "must be a whole number from 1 to 1000000000",
            ))
        }
    }

    /// The quantity.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = DomainError;
    fn try_from(q: i64) -> Result<Self, Self::Error> {
        Self::new(q)
    }
}

impl From<Quantity> for i64 {
    fn from(q: Quantity) -> i64 {
        q.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_non_empty_and_bounded() {
        assert_eq!(
            Text::for_field("reason", "  no budget \n")
                .unwrap()
                .as_str(),
            "no budget"
        );
        assert_eq!(
            Text::for_field("reason", " ").unwrap_err(),
            DomainError::field("reason", "must not be empty")
        );
        assert!(Text::for_field("reason", "a\nb").is_ok());
        assert!(Text::for_field("reason", "a\u{7}b").is_err());
        assert!(Text::for_field("reason", &"x".repeat(2001)).is_err());
        assert!(serde_json::from_str::<Text>("\"\"").is_err());
    }

    #[test]
    fn field_keys_are_snake_case() {
        for ok in ["a", "budget_band", "x1", &"k".repeat(64)] {
            assert!(FieldKey::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1a", "A", "a-b", "a b", "é", "_a", &"k".repeat(65)] {
            assert!(FieldKey::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percentages_are_read_as_text() {
        let bp = |s: &str| BasisPoints::from_percent_text("discount", s).map(BasisPoints::get);
        assert_eq!(bp("12.5"), Ok(1250));
        assert_eq!(bp(" 20 "), Ok(2000));
        assert_eq!(bp("7,25"), Ok(725));
        assert_eq!(bp("0"), Ok(0));
        assert_eq!(bp("100.00"), Ok(10_000));
        assert_eq!(bp("0.05"), Ok(5));
        for bad in ["", "1.234", "abc", "1e2", "12.", ".5", "--1", "100000"] {
            let e = BasisPoints::from_percent_text("discount", bad).unwrap_err();
            assert_eq!(
                e,
                DomainError::field("discount", "must be a percentage like 20 or 7.5"),
                "{bad}"
            );
        }
        for out in ["100.01", "-1", "150"] {
            assert_eq!(
                BasisPoints::from_percent_text("tax", out),
                Err(DomainError::field(
                    "tax",
                    "must be between 0 and 10000 basis points (0-100 %)"
                )),
                "{out}"
            );
        }
    }

    #[test]
    fn basis_points_and_quantities_are_bounded() {
        assert!(BasisPoints::for_field("tax_rate", -1).is_err());
        assert!(BasisPoints::for_field("tax_rate", 10_001).is_err());
        assert_eq!(
            BasisPoints::for_field("tax_rate", 1900)
                .unwrap()
                .to_string(),
            "19 %"
        );
        assert_eq!(
            BasisPoints::for_field("x", 750).unwrap().to_string(),
            "7.5 %"
        );
        assert_eq!(
            BasisPoints::for_field("x", 1225).unwrap().to_string(),
            "12.25 %"
        );
        assert_eq!(
            BasisPoints::for_field("x", 5).unwrap().to_string(),
            "0.05 %"
        );
        assert!(serde_json::from_value::<BasisPoints>(serde_json::json!(10_001)).is_err());
        assert!(Quantity::new(0).is_err());
        assert!(Quantity::new(-3).is_err());
        assert!(Quantity::new(Quantity::MAX + 1).is_err());
        assert_eq!(Quantity::new(90).unwrap().get(), 90);
    }
}
