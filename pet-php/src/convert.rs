//! Conversion between PHP values and `serde_json::Value`, and nothing else: no business
//! rule lives here. Input is checked for what JSON cannot carry (invalid UTF-8, NaN/INF,
//! objects, resources) and for size, so every rejection names the offending field path.

use ext_php_rs::{
    binary_slice::BinarySlice,
    boxed::ZBox,
    convert::{FromZval, StubLiteral},
    flags::DataType,
    types::{ZendHashTable, Zval},
};
use pet_core::FieldErrors;
use serde_json::{Map, Number, Value};

use crate::exceptions::PetError;

/// Deepest nesting accepted in an input array (the top-level array is depth 1).
pub const MAX_DEPTH: usize = 16;
/// Longest single string accepted, in bytes (256 KiB).
pub const MAX_STRING_BYTES: usize = 256 * 1024;
/// Most array elements accepted in one argument, all levels together.
pub const MAX_ELEMENTS: usize = 10_000;
/// Most string bytes (keys and values) accepted in one argument, all levels together (1 MiB).
pub const MAX_TOTAL_BYTES: usize = 1024 * 1024;

/// An `array` argument that may be omitted (stub default `[]`).
#[derive(Debug, Clone, Copy)]
pub enum ArrayArg<'a> {
    /// The caller passed this array.
    Given(&'a ZendHashTable),
    /// The caller omitted the argument.
    Empty,
}

impl<'a> FromZval<'a> for ArrayArg<'a> {
    const TYPE: DataType = DataType::Array;

    fn from_zval(zval: &'a Zval) -> Option<Self> {
        zval.array().map(ArrayArg::Given)
    }
}

impl StubLiteral for ArrayArg<'_> {
    fn stub_literal(&self) -> String {
        "[]".to_owned()
    }
}

impl ArrayArg<'_> {
    /// Converts to a JSON object (an omitted argument is `{}`).
    pub fn to_json(&self, root: &str) -> Result<Value, PetError> {
        match self {
            ArrayArg::Given(ht) => array_to_json_object(ht, root),
            ArrayArg::Empty => Ok(Value::Object(Map::new())),
        }
    }
}

/// A key of a PHP array, read without assuming UTF-8 (ext-php-rs's own iterator panics
/// on a non-UTF-8 string key).
enum Key {
    Index(i64),
    Bytes(Vec<u8>),
}

/// The entries of `ht` in order. Key bytes are copied (keys are short) because the
/// iterator hands keys out as temporaries.
fn entries(ht: &ZendHashTable) -> Vec<(Key, &Zval)> {
    let mut out = Vec::with_capacity(ht.len());
    let mut iter = ht.iter();
    while let Some((key, value)) = iter.next_zval() {
        let key = if key.is_long() {
            Key::Index(key.long().unwrap_or_default())
        } else {
            Key::Bytes(
                key.zend_str()
                    .map(|s| s.as_bytes().to_vec())
                    .unwrap_or_default(),
            )
        };
        out.push((key, value));
    }
    out
}

/// True when the keys are exactly 0, 1, 2, … in order (a PHP list).
fn is_list(entries: &[(Key, &Zval)]) -> bool {
    entries
        .iter()
        .enumerate()
        .all(|(i, (k, _))| matches!(k, Key::Index(n) if usize::try_from(*n) == Ok(i)))
}

/// Budget shared by the whole walk of one argument.
struct Budget {
    elements: usize,
    bytes: usize,
}

/// Joins a field path: `""` + `"a"` → `"a"`, `"a"` + `"b"` → `"a.b"`.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Name used in messages for the argument itself when the path is empty.
fn shown<'p>(path: &'p str, root: &'p str) -> &'p str {
    if path.is_empty() {
        root
    } else {
        path
    }
}

/// Converts a PHP string argument (raw bytes) to a Rust string; `field` names it in errors.
pub fn string_arg(field: &str, bytes: &BinarySlice<'_, u8>) -> Result<String, PetError> {
    let bytes: &[u8] = bytes;
    check_string(field, bytes).map(str::to_owned)
}

fn check_string<'b>(field: &str, bytes: &'b [u8]) -> Result<&'b str, PetError> {
    if bytes.len() > MAX_STRING_BYTES {
        return Err(PetError::field(
            field,
            format!(
                "is too long ({} bytes, at most {MAX_STRING_BYTES})",
                bytes.len()
            ),
        ));
    }
    let s = std::str::from_utf8(bytes).map_err(|e| {
        PetError::field(
            field,
            format!("is not valid UTF-8 (at byte {})", e.valid_up_to()),
        )
    })?;
    if s.contains('\0') {
        return Err(PetError::field(field, "contains a NUL byte"));
    }
    Ok(s)
}

/// Converts an `array` argument that must be associative (input, query, context, settings)
/// into a JSON object. `root` names the argument in messages; field paths are relative to it.
pub fn array_to_json_object(ht: &ZendHashTable, root: &str) -> Result<Value, PetError> {
    if !ht.is_empty() && is_list(&entries(ht)) {
        return Err(PetError::field(
            root,
            "must be an associative array (field => value), not a list",
        ));
    }
    let mut budget = Budget {
        elements: 0,
        bytes: 0,
    };
    let mut errors = FieldErrors::new();
    let value = table_to_json(ht, "", root, 1, &mut budget, &mut errors, true);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(PetError::Validation(errors))
    }
}

/// Walks one array. Errors are collected (one per field path) rather than stopping at the
/// first, except for the global limits, which stop the walk.
fn table_to_json(
    ht: &ZendHashTable,
    path: &str,
    root: &str,
    depth: usize,
    budget: &mut Budget,
    errors: &mut FieldErrors,
    force_object: bool,
) -> Value {
    if depth > MAX_DEPTH {
        errors.add(
            shown(path, root),
            format!("is nested too deeply (at most {MAX_DEPTH} levels)"),
        );
        return Value::Null;
    }
    let entries = entries(ht);
    let as_list = !force_object && is_list(&entries);
    let mut list = Vec::new();
    let mut map = Map::new();
    for (key, zv) in entries {
        budget.elements += 1;
        if budget.elements > MAX_ELEMENTS {
            errors.add(
                root,
                format!("has too many elements (at most {MAX_ELEMENTS} in all)"),
            );
            return Value::Null;
        }
        let key_text = match key_to_string(&key) {
            Ok(k) => k,
            Err(msg) => {
                let shown_key = match &key {
                    Key::Index(n) => n.to_string(),
                    Key::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                };
                errors.add(shown(&join(path, &shown_key), root), msg);
                continue;
            }
        };
        budget.bytes += key_text.len();
        let child = join(path, &key_text);
        let value = zval_to_json(zv, &child, root, depth, budget, errors);
        if budget.bytes > MAX_TOTAL_BYTES {
            errors.add(
                root,
                format!("is too large (at most {MAX_TOTAL_BYTES} bytes of text in all)"),
            );
            return Value::Null;
        }
        if as_list {
            list.push(value);
        } else {
            map.insert(key_text, value);
        }
    }
    if as_list {
        Value::Array(list)
    } else {
        Value::Object(map)
    }
}

fn key_to_string(key: &Key) -> Result<String, String> {
    match key {
        Key::Index(n) => Ok(n.to_string()),
        Key::Bytes(bytes) => {
            let s = std::str::from_utf8(bytes).map_err(|_| "key is not valid UTF-8".to_owned())?;
            if s.len() > 256 {
                return Err("key is too long (at most 256 bytes)".to_owned());
            }
            if s.contains('\0') {
                return Err("key contains a NUL byte".to_owned());
            }
            Ok(s.to_owned())
        }
    }
}

fn zval_to_json(
    zv: &Zval,
    path: &str,
    root: &str,
    depth: usize,
    budget: &mut Budget,
    errors: &mut FieldErrors,
) -> Value {
    let zv = zv.dereference();
    let zv = zv.indirect().unwrap_or(zv);
    if zv.is_null() {
        Value::Null
    } else if zv.is_bool() {
        Value::Bool(zv.is_true())
    } else if let Some(n) = zv.long().filter(|_| zv.is_long()) {
        Value::Number(n.into())
    } else if zv.is_double() {
        match zv.double().and_then(Number::from_f64) {
            Some(n) => Value::Number(n),
            None => {
                errors.add(
                    shown(path, root),
                    "must be a finite number (NAN and INF are not accepted)",
                );
                Value::Null
            }
        }
    } else if zv.is_string() {
        let bytes = zv.zend_str().map(|s| s.as_bytes()).unwrap_or_default();
        budget.bytes += bytes.len();
        match check_string(shown(path, root), bytes) {
            Ok(s) => Value::String(s.to_owned()),
            Err(PetError::Validation(fe)) => {
                for (f, m) in fe.iter() {
                    errors.add(f, m);
                }
                Value::Null
            }
            Err(_) => Value::Null,
        }
    } else if let Some(ht) = zv.array() {
        table_to_json(ht, path, root, depth + 1, budget, errors, false)
    } else if zv.is_object() {
        errors.add(
            shown(path, root),
            "must be a scalar or an array (objects are not accepted)",
        );
        Value::Null
    } else if zv.is_resource() {
        errors.add(
            shown(path, root),
            "must be a scalar or an array (resources are not accepted)",
        );
        Value::Null
    } else {
        errors.add(shown(path, root), "has an unsupported type");
        Value::Null
    }
}

/// Converts a JSON value returned by the application into a PHP value.
pub fn json_to_zval(value: &Value) -> Result<Zval, PetError> {
    let mut zv = Zval::new();
    match value {
        Value::Null => zv.set_null(),
        Value::Bool(b) => zv.set_bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                zv.set_long(i);
            } else if let Some(f) = n.as_f64() {
                zv.set_double(f);
            } else {
                return Err(PetError::Internal(format!("number {n} out of range")));
            }
        }
        Value::String(s) => zv
            .set_string(s, false)
            .map_err(|e| PetError::Internal(format!("cannot build a PHP string: {e}")))?,
        Value::Array(_) | Value::Object(_) => zv.set_hashtable(json_to_table(value)?),
    }
    Ok(zv)
}

/// Converts a JSON array or object into a PHP array (lists stay lists, objects become
/// associative arrays; anything else becomes a one-element list).
pub fn json_to_table(value: &Value) -> Result<ZBox<ZendHashTable>, PetError> {
    let internal =
        |e: ext_php_rs::error::Error| PetError::Internal(format!("cannot build a PHP array: {e}"));
    match value {
        Value::Array(items) => {
            let len = u32::try_from(items.len()).unwrap_or(u32::MAX);
            let mut ht = ZendHashTable::with_capacity(len);
            for item in items {
                ht.push(json_to_zval(item)?).map_err(internal)?;
            }
            Ok(ht)
        }
        Value::Object(map) => {
            let len = u32::try_from(map.len()).unwrap_or(u32::MAX);
            let mut ht = ZendHashTable::with_capacity(len);
            for (k, v) in map {
                ht.insert(k.as_str(), json_to_zval(v)?).map_err(internal)?;
            }
            Ok(ht)
        }
        other => {
            let mut ht = ZendHashTable::new();
            ht.push(json_to_zval(other)?).map_err(internal)?;
            Ok(ht)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_join_with_dots() {
        assert_eq!(join("", "name"), "name");
        assert_eq!(join("cost_rate", "amount_minor"), "cost_rate.amount_minor");
        assert_eq!(shown("", "input"), "input");
        assert_eq!(shown("a.b", "input"), "a.b");
    }

    #[test]
    fn strings_are_checked_for_encoding_nul_and_size() {
        assert_eq!(check_string("name", b"Ada"), Ok("Ada"));
        assert_eq!(
            check_string("name", b"ab\xff"),
            Err(PetError::field("name", "is not valid UTF-8 (at byte 2)"))
        );
        assert_eq!(
            check_string("name", b"a\0b"),
            Err(PetError::field("name", "contains a NUL byte"))
        );
        let huge = vec![b'x'; MAX_STRING_BYTES + 1];
        assert_eq!(
            check_string("name", &huge),
            Err(PetError::field(
                "name",
                format!(
                    "is too long ({} bytes, at most {MAX_STRING_BYTES})",
                    huge.len()
                )
            ))
        );
        let max = vec![b'x'; MAX_STRING_BYTES];
        assert!(check_string("name", &max).is_ok());
    }

    #[test]
    fn keys_are_checked() {
        assert_eq!(key_to_string(&Key::Index(3)), Ok("3".to_owned()));
        assert_eq!(
            key_to_string(&Key::Bytes(b"name".to_vec())),
            Ok("name".to_owned())
        );
        assert!(key_to_string(&Key::Bytes(b"\xff".to_vec())).is_err());
        assert!(key_to_string(&Key::Bytes(b"a\0".to_vec())).is_err());
        assert!(key_to_string(&Key::Bytes(vec![b'k'; 257])).is_err());
    }
}
