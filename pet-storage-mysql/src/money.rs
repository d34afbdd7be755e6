//! Money at the boundary. Input: an amount is either a decimal string typed in the
//! currency (`amount: "85.50"`, read exactly by `Money::parse` with the currency's minor
//! digits: none for JPY, three for KWD) or integer minor units (`amount_minor: 8550`, the
//! original shape, still accepted). Output: every money object is
//! `{amount_minor, currency, minor_digits, amount, formatted}` — `amount` the plain
//! decimal (`"1235"`, `"1.235"`), `formatted` the display form (`"JPY 1235"`).

use pet_core::identity::{Currency, Money};
use serde_json::{json, Value};

use crate::error::AppError;
use crate::input::Input;

/// The output object of `m`: `{amount_minor, currency, minor_digits, amount, formatted}`.
pub fn money_json(m: &Money) -> Value {
    json!({
        "amount_minor": m.amount_minor(),
        "currency": m.currency().as_str(),
        "minor_digits": m.currency().minor_unit_digits(),
        "amount": m.decimal(),
        "formatted": m.to_string(),
    })
}

/// A money object as a view field: serialises to exactly [`money_json`]'s object, with
/// the decimal and the display form written straight into the output (no intermediate
/// strings or JSON values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoneyView(pub Money);

/// The plain decimal of an amount (`"1.235"`), as [`Money::decimal`] writes it.
struct Decimal(i64, u32);

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Decimal(minor, digits) = *self;
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        if digits == 0 {
            write!(f, "{sign}{abs}")
        } else {
            let scale = 10u64.pow(digits);
            write!(
                f,
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = digits as usize
            )
        }
    }
}

/// The display form of an amount (`"KWD 1.235"`), as `Money`'s `Display` writes it.
struct Formatted<'a>(&'a str, Decimal);

impl std::fmt::Display for Formatted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

impl serde::Serialize for MoneyView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let m = &self.0;
        let currency = m.currency();
        let code = currency.as_str();
        let digits = currency.minor_unit_digits();
        let mut o = s.serialize_struct("Money", 5)?;
        o.serialize_field("amount_minor", &m.amount_minor())?;
        o.serialize_field("currency", code)?;
        o.serialize_field("minor_digits", &digits)?;
        o.serialize_field("amount", &Collected(&Decimal(m.amount_minor(), digits)))?;
        o.serialize_field(
            "formatted",
            &Collected(&Formatted(code, Decimal(m.amount_minor(), digits))),
        )?;
        o.end()
    }
}

/// A money amount's plain decimal (`"85.50"`) as a view field, written straight into the output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecimalText(pub Money);

impl serde::Serialize for DecimalText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0.currency().minor_unit_digits();
        s.collect_str(&Decimal(self.0.amount_minor(), d))
    }
}

/// A money amount's display form (`"EUR 85.50"`) as a view field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FormattedText(pub Money);

impl serde::Serialize for FormattedText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0.currency();
        let d = Decimal(self.0.amount_minor(), c.minor_unit_digits());
        s.collect_str(&Formatted(c.as_str(), d))
    }
}

/// Serialises a `Display` value as a string without building it first.
struct Collected<'a, D: std::fmt::Display>(&'a D);

impl<D: std::fmt::Display> serde::Serialize for Collected<'_, D> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

/// The output object of a stored amount and currency code (a row read back from SQL); an
/// invalid stored code (never written by PET) keeps the two raw fields only.
pub fn money_parts_json(amount_minor: i64, currency: &str) -> Value {
    match Currency::new(currency) {
        Ok(c) => money_json(&Money::new(amount_minor, c)),
        Err(_) => json!({"amount_minor": amount_minor, "currency": currency}),
    }
}

/// Reads the money object `v` given as input field `field` (see [`Input::money_object`]),
/// recording its errors (`field`, `field.amount`, `field.currency`…).
pub(crate) fn read_money_object(
    field: &str,
    v: &Value,
    errors: &mut pet_core::FieldErrors,
) -> Option<Money> {
    let mut wrapper = serde_json::Map::with_capacity(1);
    wrapper.insert(field.to_owned(), v.clone());
    let wrapper = Value::Object(wrapper);
    let mut i = Input::new(&wrapper, "input");
    let money = match i.money_object(field, false) {
        Ok(m) => m,
        Err(e) => {
            errors.add(field, e.to_string());
            return None;
        }
    };
    match i.finish() {
        Ok(()) => money,
        Err(AppError::Validation(f)) => {
            for (k, m) in f.iter() {
                errors.add(k, m);
            }
            None
        }
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

impl<'a> Input<'a> {
    /// A currency code at `k` (required or optional); a bad code is a field error on `k`.
    pub fn currency(&mut self, k: &str, required: bool) -> Result<Option<Currency>, AppError> {
        let s = if required {
            self.req_str(k)
        } else {
            self.opt_str(k).filter(|s| !s.is_empty())
        };
        match s {
            Some(c) => self.absorb(Currency::new(c).map_err(|_| {
                pet_core::DomainError::field(k, "must be a three-letter ISO 4217 code")
            })),
            None => Ok(None),
        }
    }

    /// An amount in `currency`: the decimal string at `decimal_key` (an integer is read as
    /// whole units) or the integer minor units at `minor_key`. When both are given they
    /// must agree. Neither given: `is required` on `minor_key` (when `required`). A bad
    /// decimal is a field error on `decimal_key` naming the currency's allowed decimals;
    /// `currency` `None` (already reported) checks the shape only.
    pub fn amount(
        &mut self,
        decimal_key: &str,
        minor_key: &str,
        currency: Option<Currency>,
        required: bool,
    ) -> Result<Option<Money>, AppError> {
        let decimal = match self.raw(decimal_key) {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            Some(_) => {
                self.error(
                    decimal_key,
                    "must be a decimal amount as text, like \"85.50\"",
                );
                return Ok(None);
            }
        };
        let minor_given = self.raw(minor_key).is_some();
        match decimal {
            Some(d) => {
                let minor = if minor_given {
                    self.opt_i64(minor_key)
                } else {
                    None
                };
                let Some(c) = currency else {
                    return Ok(None);
                };
                let parsed = self.absorb(Money::parse(decimal_key, &d, c))?;
                match (parsed, minor) {
                    (Some(m), Some(n)) if m.amount_minor() != n => {
                        self.error(
                            decimal_key,
                            &format!("does not match {minor_key} ({n}); give one of them"),
                        );
                        Ok(None)
                    }
                    (p, _) => Ok(p),
                }
            }
            None if minor_given || required => {
                let n = if required {
                    self.req_i64(minor_key)
                } else {
                    self.opt_i64(minor_key)
                };
                Ok(n.zip(currency).map(|(n, c)| Money::new(n, c)))
            }
            None => Ok(None),
        }
    }

    /// A money object at `field`: `{amount | amount_minor, currency}` (see [`Input::amount`]);
    /// `None` when absent (or bad: its errors are named `field.amount`, `field.currency`…).
    /// `non_negative` refuses a negative amount on the key it was given in.
    pub fn money_object(
        &mut self,
        field: &str,
        non_negative: bool,
    ) -> Result<Option<Money>, AppError> {
        let Some(mut m) = self.nested(field) else {
            return Ok(None);
        };
        let money = m.money_fields(non_negative)?;
        self.merge(m);
        Ok(money)
    }

    /// The money fields of this object itself: `amount | amount_minor` and `currency`.
    pub fn money_fields(&mut self, non_negative: bool) -> Result<Option<Money>, AppError> {
        let currency = self.currency("currency", true)?;
        let money = self.amount("amount", "amount_minor", currency, true)?;
        if non_negative && money.is_some_and(|m| m.amount_minor() < 0) {
            let key = if self.raw("amount").is_some() {
                "amount"
            } else {
                "amount_minor"
            };
            self.error(key, "must not be negative");
            return Ok(None);
        }
        Ok(money)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(v: Value) -> Vec<String> {
        let mut i = Input::new(&v, "input");
        let r = i.money_object("price", true).unwrap();
        match i.finish() {
            Ok(()) => vec![format!(
                "ok {}",
                r.map(|m| m.to_string()).unwrap_or_default()
            )],
            Err(AppError::Validation(f)) => f.iter().map(|(k, m)| format!("{k}: {m}")).collect(),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn money_objects_take_decimals_or_minor_units() {
        assert_eq!(
            errors(json!({"price": {"amount": "1235", "currency": "JPY"}})),
            ["ok JPY 1235"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": "1.235", "currency": "KWD"}})),
            ["ok KWD 1.235"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": 12, "currency": "EUR"}})),
            ["ok EUR 12.00"]
        );
        assert_eq!(
            errors(json!({"price": {"amount_minor": 8550, "currency": "EUR"}})),
            ["ok EUR 85.50"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": "85.50", "amount_minor": 8550, "currency": "EUR"}})),
            ["ok EUR 85.50"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": "1235.5", "currency": "JPY"}})),
            ["price.amount: must be a whole amount (JPY has no decimals)"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": "-1", "currency": "EUR"}})),
            ["price.amount: must not be negative"]
        );
        assert_eq!(
            errors(json!({"price": {"amount_minor": -1, "currency": "EUR"}})),
            ["price.amount_minor: must not be negative"]
        );
        assert_eq!(
            errors(json!({"price": {"currency": "EUR"}})),
            ["price.amount_minor: is required"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": "", "currency": "EUR"}})),
            ["price.amount_minor: is required"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": 1.5, "currency": "EUR"}})),
            ["price.amount: must be a decimal amount as text, like \"85.50\""]
        );
        assert_eq!(
            errors(json!({"price": {"amount": "1", "amount_minor": 1, "currency": "EUR"}})),
            ["price.amount: does not match amount_minor (1); give one of them"]
        );
        assert_eq!(
            errors(json!({"price": {"amount": "1", "currency": "eur"}})),
            ["price.currency: must be a three-letter ISO 4217 code"]
        );
    }

    #[test]
    fn output_carries_digits_decimal_and_display() {
        let v = money_parts_json(1235, "KWD");
        assert_eq!(
            v,
            json!({"amount_minor": 1235, "currency": "KWD", "minor_digits": 3, "amount": "1.235", "formatted": "KWD 1.235"})
        );
        assert_eq!(money_parts_json(1235, "JPY")["formatted"], "JPY 1235");
        for (n, c) in [(1235, "KWD"), (-5, "EUR"), (0, "JPY"), (-1_234_567, "USD")] {
            let m = Money::new(n, Currency::new(c).unwrap());
            assert_eq!(serde_json::to_value(MoneyView(m)).unwrap(), money_json(&m));
        }
    }
}
