//! JSON input → typed values: every malformed field becomes a validation error naming it.

use chrono::{DateTime, NaiveDate, Utc};
use pet_core::{DomainError, FieldErrors};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::AppError;

/// Reads fields out of a JSON object, collecting one error per bad field.
#[derive(Debug)]
pub struct Input<'a> {
    obj: Option<&'a Map<String, Value>>,
    errors: FieldErrors,
    prefix: String,
}

impl<'a> Input<'a> {
    /// Wraps `v`; anything but an object (or null, treated as empty) is an error on `field`.
    pub fn new(v: &'a Value, field: &str) -> Self {
        let mut errors = FieldErrors::new();
        let obj = match v {
            Value::Object(m) => Some(m),
            Value::Null => None,
            Value::Array(a) if a.is_empty() => None, // PHP's [] arrives as an empty list
            _ => {
                errors.add(field, "must be an array with named keys");
                None
            }
        };
        Self {
            obj,
            errors,
            prefix: String::new(),
        }
    }

    fn add(&mut self, k: &str, m: &str) {
        let field = format!("{}{k}", self.prefix);
        self.errors.add(field, m);
    }

    /// The object at `k` as a nested input whose errors are named `k.field`.
    pub fn nested(&mut self, k: &str) -> Option<Input<'a>> {
        let v = self.opt_object(k)?;
        let mut child = Input::new(v, k);
        child.prefix = format!("{}{k}.", self.prefix);
        Some(child)
    }

    /// Takes over a nested input's errors.
    pub fn merge(&mut self, child: Input<'_>) {
        for (k, m) in child.errors.iter() {
            self.errors.add(k, m);
        }
    }

    fn get(&self, k: &str) -> Option<&'a Value> {
        self.obj.and_then(|m| m.get(k)).filter(|v| !v.is_null())
    }

    /// The raw value at `k` (absent or null: `None`).
    pub fn raw(&self, k: &str) -> Option<&'a Value> {
        self.get(k)
    }

    /// Records an error on `field`.
    pub fn error(&mut self, field: &str, message: &str) {
        self.add(field, message);
    }

    /// Adds the field errors of a domain validation error (other errors are returned).
    pub fn absorb<T>(&mut self, r: Result<T, DomainError>) -> Result<Option<T>, AppError> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(DomainError::Validation(f)) => {
                for (k, m) in f.iter() {
                    self.add(k, m);
                }
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// An optional string.
    pub fn opt_str(&mut self, k: &str) -> Option<&'a str> {
        match self.get(k) {
            None => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                self.add(k, "must be a string");
                None
            }
        }
    }

    /// A required string.
    pub fn req_str(&mut self, k: &str) -> Option<&'a str> {
        if self.get(k).is_none() {
            self.add(k, "is required");
            return None;
        }
        self.opt_str(k)
    }

    /// An optional integer.
    pub fn opt_i64(&mut self, k: &str) -> Option<i64> {
        match self.get(k) {
            None => None,
            Some(v) => match v.as_i64() {
                Some(n) => Some(n),
                None => {
                    self.add(k, "must be an integer");
                    None
                }
            },
        }
    }

    /// A required integer.
    pub fn req_i64(&mut self, k: &str) -> Option<i64> {
        if self.get(k).is_none() {
            self.add(k, "is required");
            return None;
        }
        self.opt_i64(k)
    }

    /// An optional UUID.
    pub fn opt_uuid(&mut self, k: &str) -> Option<Uuid> {
        let s = self.opt_str(k)?;
        match Uuid::parse_str(s.trim()) {
            Ok(u) => Some(u),
            Err(_) => {
                self.add(k, "is not a valid id");
                None
            }
        }
    }

    /// A required UUID.
    pub fn req_uuid(&mut self, k: &str) -> Option<Uuid> {
        if self.get(k).is_none() {
            self.add(k, "is required");
            return None;
        }
        self.opt_uuid(k)
    }

    /// An optional `YYYY-MM-DD` date.
    pub fn opt_date(&mut self, k: &str) -> Option<NaiveDate> {
        let s = self.opt_str(k)?;
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.add(k, "must be a date YYYY-MM-DD");
                None
            }
        }
    }

    /// A required date.
    pub fn req_date(&mut self, k: &str) -> Option<NaiveDate> {
        if self.get(k).is_none() {
            self.add(k, "is required");
            return None;
        }
        self.opt_date(k)
    }

    /// A date or RFC 3339 timestamp; a date means its start (or, with `end_of_day`, its end).
    pub fn opt_time(&mut self, k: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
        let s = self.opt_str(k)?;
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(t.with_timezone(&Utc));
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            let t = if end_of_day {
                d.and_hms_micro_opt(23, 59, 59, 999_999)
            } else {
                d.and_hms_opt(0, 0, 0)
            };
            if let Some(t) = t {
                return Some(t.and_utc());
            }
        }
        self.add(k, "must be a date YYYY-MM-DD or an RFC 3339 timestamp");
        None
    }

    /// A required RFC 3339 timestamp.
    pub fn req_time(&mut self, k: &str) -> Option<DateTime<Utc>> {
        if self.get(k).is_none() {
            self.add(k, "is required");
            return None;
        }
        let s = self.opt_str(k)?;
        match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                self.add(k, "must be an RFC 3339 timestamp");
                None
            }
        }
    }

    /// A nested object field, if present. An empty list counts as an empty object: PHP's
    /// `[]` is both, and arrives as a list.
    pub fn opt_object(&mut self, k: &str) -> Option<&'a Value> {
        static EMPTY_OBJECT: std::sync::LazyLock<Value> =
            std::sync::LazyLock::new(|| Value::Object(Map::new()));
        match self.get(k) {
            None => None,
            Some(v @ Value::Object(_)) => Some(v),
            Some(Value::Array(a)) if a.is_empty() => Some(&EMPTY_OBJECT),
            Some(_) => {
                self.add(k, "must be an array with named keys");
                None
            }
        }
    }

    /// `(page, per_page)` with defaults 1 and 20, per_page at most 100.
    pub fn paging(&mut self) -> (u32, u32) {
        let page = match self.opt_i64("page") {
            None => 1,
            Some(p) if (1..=1_000_000).contains(&p) => p as u32,
            Some(_) => {
                self.add("page", "must be between 1 and 1000000");
                1
            }
        };
        let per_page = match self.opt_i64("per_page") {
            None => 20,
            Some(p) if (1..=100).contains(&p) => p as u32,
            Some(_) => {
                self.add("per_page", "must be between 1 and 100");
                20
            }
        };
        (page, per_page)
    }

    /// `Err(Validation)` if any field was bad.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

/// Parses an id given as a method argument (not inside an array).
pub fn arg_uuid(field: &str, s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s.trim()).map_err(|_| AppError::field(field, "is not a valid id"))
}
