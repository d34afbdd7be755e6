//! Typed command input: a command's input is a plain struct declared with [`command_input!`]
//! (every field a typed value — pet-core's value objects, ids, enums), and parsing it from
//! the JSON the PHP layer sends returns the struct or every field error at once.
//!
//! Each field type says how it is read from one JSON value ([`Field::read`]) and what an
//! absent (or `null`) field means ([`Field::absent`]: required by default, `None` for an
//! `Option`); a declared default replaces "required".

use pet_core::DomainError;
use serde_json::Value;
use uuid::Uuid;

/// A value read from one input field.
pub trait Field: Sized {
    /// Reads the field's value (present and not `null`), or the message for that field.
    /// (Implement this or [`Field::read_into`].)
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        let mut errors = pet_core::FieldErrors::new();
        Self::read_into(field, v, &mut errors).ok_or_else(|| {
            errors
                .iter()
                .next()
                .map_or_else(|| "is not valid".to_owned(), |(_, m)| m.to_owned())
        })
    }

    /// Reads the field's value (present and not `null`) recording its errors: by default
    /// [`Field::read`]'s message on `field`; a composite value (a money object, a list)
    /// may record several, named e.g. `field.amount` or `field.0.quantity`.
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        match Self::read(field, v) {
            Ok(x) => Some(x),
            Err(m) => {
                errors.add(field, m);
                None
            }
        }
    }

    /// What an absent or `null` field gives: a value, or the message for that field.
    fn absent() -> Result<Self, String> {
        Err("is required".into())
    }

    /// Reads field `name` of the input object `obj`, recording its errors: by default the
    /// value at `name` through [`Field::read`] (`default` for an absent or `null` one, if
    /// given, else [`Field::absent`]), its message named `name`. A nested value whose
    /// errors name its sub-fields (`name.sub`) overrides this.
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        name: &str,
        default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        let value = obj.and_then(|m| m.get(name)).filter(|v| !v.is_null());
        let r = match (value, default) {
            (Some(v), _) => return Self::read_into(name, v, errors),
            (None, Some(d)) => Ok(d()),
            (None, None) => Self::absent(),
        };
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                errors.add(name, m);
                None
            }
        }
    }
}

impl<T: Field> Field for Option<T> {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        T::read(field, v).map(Some)
    }
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        T::read_into(field, v, errors).map(Some)
    }
    fn absent() -> Result<Self, String> {
        Ok(None)
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        name: &str,
        default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        match obj.and_then(|m| m.get(name)).filter(|v| !v.is_null()) {
            Some(_) => T::read_from(obj, name, None, errors).map(Some),
            None => Some(default.and_then(|d| d())),
        }
    }
}

fn string(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| "must be a string".to_owned())
}

/// The message a domain constructor gave for its field.
pub(crate) fn domain_message(e: DomainError) -> String {
    match e {
        DomainError::Validation(f) => f
            .iter()
            .next()
            .map(|(_, m)| m.to_owned())
            .unwrap_or_else(|| "is not valid".to_owned()),
        other => other.to_string(),
    }
}

impl Field for String {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        string(v).map(str::to_owned)
    }
}

impl Field for i64 {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        v.as_i64().ok_or_else(|| "must be an integer".to_owned())
    }
}

impl Field for Uuid {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        Uuid::parse_str(string(v)?.trim()).map_err(|_| "is not a valid id".to_owned())
    }
}

/// `Field` for pet-core id types (read as a UUID).
macro_rules! id_fields {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Field for $ty {
                fn read(field: &str, v: &Value) -> Result<Self, String> {
                    Uuid::read(field, v).map(<$ty>::from_uuid)
                }
            }
        )*
    };
}

/// `Field` for pet-core values built from a string by `$parse(field, s)` or `$parse(s)`.
macro_rules! parsed_fields {
    ($($ty:ty => |$f:ident, $s:ident| $parse:expr),* $(,)?) => {
        $(
            impl Field for $ty {
                fn read(field: &str, v: &Value) -> Result<Self, String> {
                    let $f = field;
                    let $s = string(v)?;
                    $parse.map_err(domain_message)
                }
            }
        )*
    };
}

id_fields!(
    pet_core::identity::CustomerId,
    pet_core::identity::EmployeeId,
    pet_core::identity::ContactId,
    pet_core::helpdesk::ProjectId,
    pet_core::helpdesk::SlaDefinitionId,
    pet_core::helpdesk::TicketId,
);

parsed_fields!(
    pet_core::identity::Name => |f, s| pet_core::identity::Name::for_field(f, s),
    pet_core::helpdesk::Priority => |_f, s| pet_core::helpdesk::Priority::parse(s),
    pet_core::helpdesk::Channel => |_f, s| pet_core::helpdesk::Channel::parse(s),
    pet_core::helpdesk::Visibility => |_f, s| pet_core::helpdesk::Visibility::parse(s),
    pet_core::helpdesk::ReplyBody => |_f, s| pet_core::helpdesk::ReplyBody::new(s),
);

/// An optional text field where an empty string means "not given" (a form's empty input).
#[derive(Debug, Clone, PartialEq)]
pub struct OrBlank<T>(pub Option<T>);

impl<T: Field> Field for OrBlank<T> {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        match v {
            Value::String(s) if s.is_empty() => Ok(OrBlank(None)),
            _ => T::read(field, v).map(|t| OrBlank(Some(t))),
        }
    }
    fn absent() -> Result<Self, String> {
        Ok(OrBlank(None))
    }
}

id_fields!(pet_core::identity::TeamId);

parsed_fields!(
    pet_core::identity::Email => |f, s| pet_core::identity::Email::for_field(f, s),
    pet_core::identity::Phone => |_f, s| pet_core::identity::Phone::new(s),
);

impl Field for bool {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        v.as_bool().ok_or_else(|| "must be a boolean".to_owned())
    }
}

id_fields!(pet_core::knowledge::ArticleId);

parsed_fields!(
    pet_core::knowledge::Slug => |_f, s| pet_core::knowledge::Slug::new(s),
    pet_core::knowledge::ArticleBody => |_f, s| pet_core::knowledge::ArticleBody::new(s),
    pet_core::knowledge::CommentBody => |_f, s| pet_core::knowledge::CommentBody::new(s),
);

impl Field for pet_core::identity::Note {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        pet_core::identity::Note::new(&String::read(field, v)?)
            .map_err(|_| "must be at most 1000 characters of text".to_owned())
    }
}

impl Field for pet_core::knowledge::KnowledgeVersionNumber {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        u32::try_from(i64::read(field, v)?)
            .ok()
            .and_then(|n| pet_core::knowledge::KnowledgeVersionNumber::new(n).ok())
            .ok_or_else(|| "must be a version number (1 or more)".to_owned())
    }
}

impl Field for pet_core::helpdesk::ReopenWindow {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        let minutes = i64::read(field, v)?;
        pet_core::helpdesk::ReopenWindow::from_minutes(minutes).map_err(domain_message)
    }
}

/// The object a command's input must be (`null` and PHP's empty `[]` count as empty).
pub(crate) fn object<'v>(
    v: &'v Value,
    root: &str,
    errors: &mut pet_core::FieldErrors,
) -> Option<&'v serde_json::Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        Value::Null => None,
        Value::Array(a) if a.is_empty() => None,
        _ => {
            errors.add(root, "must be an array with named keys");
            None
        }
    }
}

/// Reads field `name` of `obj` as a `T` (`default` for an absent or `null` one, if given),
/// recording its error.
pub(crate) fn read_field<T: Field>(
    obj: Option<&serde_json::Map<String, Value>>,
    name: &str,
    default: Option<fn() -> T>,
    errors: &mut pet_core::FieldErrors,
) -> Option<T> {
    T::read_from(obj, name, default, errors)
}

/// Declares a command's input as a plain struct of typed fields and its parser:
/// `Name::parse(&json, "input")` returns the struct, or `AppError::Validation` naming every
/// bad field at once. `field: Type = default` gives an absent field a default.
macro_rules! command_input {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident: $ty:ty $(= $default:expr)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// Parses the input (an array with named keys), reporting every bad field.
            pub fn parse(v: &serde_json::Value, root: &str) -> Result<Self, $crate::AppError> {
                let mut errors = pet_core::FieldErrors::new();
                let obj = $crate::fields::object(v, root, &mut errors);
                $(
                    let $field: Option<$ty> = $crate::fields::read_field(
                        obj,
                        stringify!($field),
                        $crate::fields::command_input!(@default $ty $(, $default)?),
                        &mut errors,
                    );
                )*
                match ($($field,)*) {
                    ($(Some($field),)*) if errors.is_empty() => Ok(Self { $($field,)* }),
                    _ => Err($crate::AppError::Validation(errors)),
                }
            }
        }
    };
    (@default $ty:ty) => { None };
    (@default $ty:ty, $default:expr) => { Some((|| $default) as fn() -> $ty) };
}
pub(crate) use command_input;

// ---- helpdesk tickets & knowledge: paging and the list/search filters' field types ----

/// A page number of a list query (1 when omitted; 1..=1,000,000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber(pub u32);

impl Default for PageNumber {
    fn default() -> Self {
        PageNumber(1)
    }
}

impl Field for PageNumber {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        match i64::read(field, v)? {
            p @ 1..=1_000_000 => Ok(PageNumber(p as u32)),
            _ => Err("must be between 1 and 1000000".into()),
        }
    }
}

/// Rows per page of a list query (20 when omitted; 1..=100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerPage(pub u32);

impl Default for PerPage {
    fn default() -> Self {
        PerPage(20)
    }
}

impl Field for PerPage {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        match i64::read(field, v)? {
            p @ 1..=100 => Ok(PerPage(p as u32)),
            _ => Err("must be between 1 and 100".into()),
        }
    }
}

/// A keyset list query's paging, given as the query's own keys `page`, `per_page`, `after`
/// and `before` (its field name in the query struct is not a key), each read as
/// [`PageNumber`], [`PerPage`] and [`OrBlank`] are and its error named by its key; the
/// cursors are checked against the list's order by [`Paging::request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// Page (1 when omitted; page numbers reach the first 10,000 rows, cursors go on).
    pub page: PageNumber,
    /// Rows per page (20 when omitted).
    pub per_page: PerPage,
    /// The `next` cursor of the page before: the page after it.
    pub after: Option<String>,
    /// The `prev` cursor of the page after (or the `last` cursor): the page before it.
    pub before: Option<String>,
}

impl Paging {
    fn read_keys(
        obj: Option<&serde_json::Map<String, Value>>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        let page = read_field(obj, "page", Some(PageNumber::default), errors);
        let per_page = read_field(obj, "per_page", Some(PerPage::default), errors);
        let after = read_field::<OrBlank<String>>(obj, "after", None, errors);
        let before = read_field::<OrBlank<String>>(obj, "before", None, errors);
        Some(Paging {
            page: page?,
            per_page: per_page?,
            after: after?.0,
            before: before?.0,
        })
    }

    /// The page these ask for in a list ordered by `order` (a cursor of another order is a
    /// validation error naming `after` or `before`).
    pub fn request(
        &self,
        order: &crate::paging::Order,
    ) -> Result<crate::paging::PageRequest, crate::AppError> {
        crate::paging::PageRequest::from_fields(
            self.page.0,
            self.per_page.0,
            self.after.as_deref(),
            self.before.as_deref(),
            order,
        )
    }
}

impl Field for Paging {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        first_message(|e| Self::read_keys(v.as_object(), e))
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        _name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        Self::read_keys(obj, errors)
    }
}

impl PageNumber {
    /// The page of `per_page` rows.
    pub(crate) fn with(self, per_page: PerPage) -> crate::app::Page {
        crate::app::Page {
            page: self.0,
            per_page: per_page.0,
        }
    }
}

// ---- identity and SLA definitions: dates, rates, roles, notes, SLA specs ----------------

impl Field for chrono::NaiveDate {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        chrono::NaiveDate::parse_from_str(string(v)?, "%Y-%m-%d")
            .map_err(|_| "must be a date YYYY-MM-DD".to_owned())
    }
}

/// An RFC 3339 timestamp (a plain date is refused).
impl Field for chrono::DateTime<chrono::Utc> {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        chrono::DateTime::parse_from_rfc3339(string(v)?)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| "must be an RFC 3339 timestamp".to_owned())
    }
}

parsed_fields!(
    pet_core::helpdesk::TicketStatus => |_f, s| pet_core::helpdesk::TicketStatus::parse(s),
    pet_core::identity::RateKind => |_f, s| pet_core::identity::RateKind::parse(s),
    pet_core::identity::TeamRole => |_f, s| pet_core::identity::TeamRole::parse(s),
);

impl Field for pet_core::identity::WpUserId {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        pet_core::identity::WpUserId::from_i64(i64::read(field, v)?).map_err(domain_message)
    }
}

/// A note with the domain's own messages (an org-structure version's `note`; absent is
/// empty when declared with `= VersionNote::default()`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionNote(pub pet_core::identity::Note);

impl Field for VersionNote {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        pet_core::identity::Note::new(&String::read(field, v)?)
            .map(VersionNote)
            .map_err(domain_message)
    }
}

/// The value at `name` if it is an object (PHP's empty `[]` counts as one), else its error.
fn nested_value<'v>(
    obj: Option<&'v serde_json::Map<String, Value>>,
    name: &str,
    errors: &mut pet_core::FieldErrors,
) -> Option<&'v Value> {
    match obj.and_then(|m| m.get(name)).filter(|v| !v.is_null()) {
        None => {
            errors.add(name, "is required");
            None
        }
        Some(v @ Value::Object(_)) => Some(v),
        Some(v @ Value::Array(a)) if a.is_empty() => Some(v),
        Some(_) => {
            errors.add(name, "must be an array with named keys");
            None
        }
    }
}

/// Runs the field-by-field reader over the object `v`, naming its errors `prefix` + field
/// (any other error is a message on `name`).
fn read_with<T>(
    v: &Value,
    name: &str,
    prefix: &str,
    errors: &mut pet_core::FieldErrors,
    read: impl FnOnce(&mut crate::input::Input<'_>) -> Result<Option<T>, crate::AppError>,
) -> Option<T> {
    let mut i = crate::input::Input::new(v, name);
    let r = read(&mut i);
    let mut ok = true;
    if let Err(crate::AppError::Validation(f)) = i.finish() {
        ok = false;
        for (k, m) in f.iter() {
            errors.add(format!("{prefix}{k}"), m);
        }
    }
    match r {
        Ok(Some(t)) if ok => Some(t),
        Ok(_) => None,
        Err(e) => {
            errors.add(name, e.to_string());
            None
        }
    }
}

/// The first message of one nested read (for [`Field::read`] of a nested value).
fn first_message<T>(
    read: impl FnOnce(&mut pet_core::FieldErrors) -> Option<T>,
) -> Result<T, String> {
    let mut errors = pet_core::FieldErrors::new();
    read(&mut errors).ok_or_else(|| {
        errors
            .iter()
            .map(|(k, m)| format!("{k}: {m}"))
            .next()
            .unwrap_or_else(|| "is not valid".to_owned())
    })
}

/// `{amount | amount_minor, currency, effective_from}` of the object being read.
fn dated_rate_fields(
    i: &mut crate::input::Input<'_>,
) -> Result<Option<pet_core::identity::DatedRate>, crate::AppError> {
    let money = i.money_fields(true)?;
    let from = i.req_date("effective_from");
    let rate = match money {
        Some(m) => i.absorb(pet_core::identity::Rate::new(m))?,
        None => None,
    };
    Ok(rate
        .zip(from)
        .map(|(rate, effective_from)| pet_core::identity::DatedRate {
            rate,
            effective_from,
        }))
}

/// A dated rate given as a nested object `{amount | amount_minor, currency,
/// effective_from}`; its errors are named `field.amount_minor`, `field.currency`, …
impl Field for pet_core::identity::DatedRate {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        first_message(|e| read_with(v, field, "", e, dated_rate_fields))
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        let v = nested_value(obj, name, errors)?;
        read_with(v, name, &format!("{name}."), errors, dated_rate_fields)
    }
}

/// A dated rate given as the input's own keys `amount | amount_minor`, `currency` and
/// `effective_from` (its field name in the input struct is not a key).
#[derive(Debug, Clone, PartialEq)]
pub struct RateFields(pub pet_core::identity::DatedRate);

impl Field for RateFields {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        first_message(|e| read_with(v, field, "", e, dated_rate_fields)).map(RateFields)
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        let v = obj.map_or(Value::Null, |m| Value::Object(m.clone()));
        read_with(&v, name, "", errors, dated_rate_fields).map(RateFields)
    }
}

/// An SLA spec given as a nested object (see `SlaSpecInput`): a shape error is one message
/// on the field (`is malformed: …`), each rule's error is named `field.<path>` (e.g.
/// `spec.targets.normal.first_response_minutes`).
impl Field for pet_core::helpdesk::SlaSpec {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        let obj = serde_json::Map::from_iter([(field.to_owned(), v.clone())]);
        first_message(|e| Self::read_from(Some(&obj), field, None, e))
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        let v = match nested_value(obj, name, errors)? {
            Value::Array(_) => Value::Object(serde_json::Map::new()),
            v => v.clone(),
        };
        let input: pet_core::helpdesk::SlaSpecInput = match serde_json::from_value(v) {
            Ok(s) => s,
            Err(e) => {
                errors.add(name, format!("is malformed: {e}"));
                return None;
            }
        };
        match pet_core::helpdesk::SlaSpec::parse(&input) {
            Ok(s) => Some(s),
            Err(DomainError::Validation(f)) => {
                for (k, m) in f.iter() {
                    errors.add(format!("{name}.{k}"), m);
                }
                None
            }
            Err(e) => {
                errors.add(name, e.to_string());
                None
            }
        }
    }
}

// ---- commercial (leads, opportunities, quotes) ----------------------------------------

id_fields!(
    pet_core::commercial::LeadId,
    pet_core::commercial::OpportunityId,
);

parsed_fields!(
    pet_core::commercial::Text => |f, s| pet_core::commercial::Text::for_field(f, s),
    pet_core::commercial::OpportunityKind => |_f, s| pet_core::commercial::OpportunityKind::parse(s),
    pet_core::commercial::SizeBand => |_f, s| pet_core::commercial::SizeBand::parse(s),
);

impl Field for pet_core::identity::Currency {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        pet_core::identity::Currency::new(&String::read(field, v)?)
            .map_err(|_| "must be a three-letter ISO 4217 code".to_owned())
    }
}

/// A money object `{amount: "85.50" | amount_minor: 8550, currency}`; its errors are named
/// `field.amount`, `field.currency`… (see [`crate::money`]).
impl Field for pet_core::identity::Money {
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        crate::money::read_money_object(field, v, errors)
    }
}

/// An optional text field where a blank string (empty or only spaces) means "not given".
#[derive(Debug, Clone, PartialEq)]
pub struct OrBlankText<T>(pub Option<T>);

impl<T: Field> Field for OrBlankText<T> {
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        match v {
            Value::String(s) if s.trim().is_empty() => Some(OrBlankText(None)),
            _ => T::read_into(field, v, errors).map(|t| OrBlankText(Some(t))),
        }
    }
    fn absent() -> Result<Self, String> {
        Ok(OrBlankText(None))
    }
}

// ---- identity, knowledge, SLA definitions, jobs and activity: list filters ---------------

/// A list's status filter: a value of a pet-core status, with the list's own message.
macro_rules! status_filter {
    ($($(#[$m:meta])* $name:ident($ty:ty) => $msg:literal),* $(,)?) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name(pub $ty);

            impl Field for $name {
                fn read(_field: &str, v: &Value) -> Result<Self, String> {
                    <$ty>::parse(string(v)?)
                        .map($name)
                        .map_err(|_| $msg.to_owned())
                }
            }
        )*
    };
}

status_filter!(
    /// The employee lists' status filter.
    EmployeeStatusFilter(pet_core::identity::EmployeeStatus) => "must be active or inactive",
    /// The customer lists' status filter.
    CustomerStatusFilter(pet_core::identity::CustomerStatus) => "must be active or archived",
    /// The team list's status filter.
    TeamStatusFilter(pet_core::identity::TeamStatus) => "must be active or archived",
);

/// The job list's status filter (one of `jobs::status::ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobStatusFilter(pub &'static str);

impl Field for JobStatusFilter {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        let s = string(v)?;
        crate::jobs::status::ALL
            .iter()
            .find(|st| **st == s)
            .map(|st| JobStatusFilter(st))
            .ok_or_else(|| "must be pending, running, failed, dead or done".to_owned())
    }
}

impl Field for pet_core::ContextType {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        string(v)?
            .parse()
            .map_err(|_| "is not a known context type".to_owned())
    }
}

/// The areas of access a reader may see (`['people', 'sales', …]`, see
/// [`pet_core::module::Area`]): a query with them shows only the contexts of those areas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas(pub Vec<pet_core::module::Area>);

impl Areas {
    /// The context types of the areas (none for no areas).
    pub fn context_types(&self) -> Vec<pet_core::ContextType> {
        pet_core::ContextType::ALL
            .into_iter()
            .filter(|c| self.0.contains(&pet_core::module::Area::of(*c)))
            .collect()
    }
}

impl Field for Areas {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        let list = v
            .as_array()
            .ok_or_else(|| "must be a list of areas".to_owned())?;
        list.iter()
            .map(|a| {
                a.as_str()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| "must name only known areas (people, sales, support, knowledge, delivery, settings)".to_owned())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Areas)
    }
}

/// A date or RFC 3339 timestamp starting a range (a date is its midnight, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FromTime(pub chrono::DateTime<chrono::Utc>);

/// A date or RFC 3339 timestamp ending a range (a date is its last microsecond, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToTime(pub chrono::DateTime<chrono::Utc>);

fn range_time(v: &Value, end_of_day: bool) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let s = string(v)?;
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| {
            if end_of_day {
                d.and_hms_micro_opt(23, 59, 59, 999_999)
            } else {
                d.and_hms_opt(0, 0, 0)
            }
        })
        .map(|t| t.and_utc())
        .ok_or_else(|| "must be a date YYYY-MM-DD or an RFC 3339 timestamp".to_owned())
}

impl Field for FromTime {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        range_time(v, false).map(FromTime)
    }
}

impl Field for ToTime {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        range_time(v, true).map(ToTime)
    }
}

// ---- commercial (quote builder lines and groups) ----

id_fields!(pet_core::commercial::LineGroupId);

parsed_fields!(
    pet_core::commercial::LineId => |f, s| pet_core::commercial::LineId::parse(f, s),
    pet_core::commercial::Interval => |_f, s| pet_core::commercial::Interval::parse(s),
);

impl Field for pet_core::commercial::Quantity {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        pet_core::commercial::Quantity::new(i64::read(field, v)?).map_err(domain_message)
    }
}

/// Basis points given as an integer (`2000` = 20 %).
impl Field for pet_core::commercial::BasisPoints {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        pet_core::commercial::BasisPoints::for_field(field, i64::read(field, v)?)
            .map_err(domain_message)
    }
}

#[cfg(test)]
mod tests {
    use pet_core::helpdesk::{Channel, Priority};
    use pet_core::identity::{CustomerId, EmployeeId, Name};
    use serde_json::json;

    command_input! {
        /// A test command.
        struct Example {
            customer_id: CustomerId,
            subject: Name,
            priority: Priority = Priority::Normal,
            channel: Channel = Channel::Email,
            assignee_id: Option<EmployeeId>,
        }
    }

    #[test]
    fn parses_typed_fields_with_defaults() {
        let id = "0190a1b2-0000-7000-8000-000000000001";
        let e = Example::parse(&json!({"customer_id": id, "subject": "Printer"}), "input").unwrap();
        assert_eq!(e.customer_id.to_string(), id);
        assert_eq!(e.subject.as_str(), "Printer");
        assert_eq!(e.priority, Priority::Normal);
        assert_eq!(e.channel, Channel::Email);
        assert_eq!(e.assignee_id, None);
        let e = Example::parse(
            &json!({"customer_id": id, "subject": "P", "priority": "urgent", "assignee_id": id}),
            "input",
        )
        .unwrap();
        assert_eq!(e.priority, Priority::Urgent);
        assert!(e.assignee_id.is_some());
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let r = Example::parse(
            &json!({"customer_id": "nope", "priority": "soon", "assignee_id": 7}),
            "input",
        );
        let Err(crate::AppError::Validation(f)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(f.get("customer_id"), Some("is not a valid id"));
        assert_eq!(f.get("subject"), Some("is required"));
        assert!(f.get("priority").is_some());
        assert_eq!(f.get("assignee_id"), Some("must be a string"));
        assert_eq!(f.iter().count(), 4);
        let r = Example::parse(&json!("x"), "input");
        assert!(matches!(r, Err(crate::AppError::Validation(f)) if f.get("input").is_some()));
    }
}
