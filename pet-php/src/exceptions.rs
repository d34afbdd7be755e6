//! The `Pet\Exception` hierarchy: class registration at module start-up and the mapping
//! from Rust errors to thrown PHP exceptions.
//!
//! The classes are registered with a plain [`ClassBuilder`] (no Rust-backed object), so they
//! inherit `\Exception`'s object creation: file, line and trace are filled in by the engine
//! exactly as for an exception written in PHP, and `new \Pet\NotFoundException('…')` works
//! from PHP with `\Exception`'s own constructor.

use std::{
    panic::AssertUnwindSafe,
    sync::atomic::{AtomicPtr, Ordering},
};

use crate::backend::AppError;
use ext_php_rs::{
    args::ArgInfoTables,
    builders::{ClassBuilder, ClassProperty, FunctionBuilder},
    convert::IntoZval,
    exception::PhpException,
    flags::{DataType, MethodFlags, PropertyFlags},
    types::{ZendHashTable, ZendObject, Zval},
    zend::{ce, run_handler, ClassEntry, ExecuteData, ExecutorGlobals},
};
use pet_core::FieldErrors;

/// PHP name of the base class.
pub const BASE: &str = "Pet\\Exception";
/// PHP name of the validation exception.
pub const VALIDATION: &str = "Pet\\ValidationException";
/// PHP name of the invariant-violation exception.
pub const INVARIANT: &str = "Pet\\InvariantViolationException";
/// PHP name of the not-found exception.
pub const NOT_FOUND: &str = "Pet\\NotFoundException";
/// PHP name of the conflict exception.
pub const CONFLICT: &str = "Pet\\ConflictException";
/// PHP name of the storage exception.
pub const STORAGE: &str = "Pet\\StorageException";
/// PHP name of the migration exception.
pub const MIGRATION: &str = "Pet\\MigrationException";

/// Every exception class with its one-line PHPDoc, the base first: registration and the IDE
/// stub (`pet.stub.php`) both read this list.
const CLASSES: [(&str, &str); 7] = [
    (BASE, "Base of every exception the extension throws."),
    (
        VALIDATION,
        "Malformed input: wrong type, missing field, bad format.",
    ),
    (
        INVARIANT,
        "Well-formed input that would break a business rule (e.g. a team cycle).",
    ),
    (NOT_FOUND, "A referenced entity does not exist."),
    (
        CONFLICT,
        "Stale version, concurrent change, or idempotency key reused with other input.",
    ),
    (STORAGE, "The database failed or is unreachable."),
    (
        MIGRATION,
        "Migrations failed, the ledger is dirty, or an applied migration was altered.",
    ),
];

/// PHPDoc and signature of `Pet\ValidationException::getFieldErrors()` (registered below).
const GET_FIELD_ERRORS_STUB: &str = "    /** @return array<string,string> field name => message */
    public function getFieldErrors(): array {}";

/// The exception classes as stub text (the part of `pet.stub.php` before `Pet\Engine`).
pub fn stub() -> String {
    let mut out = String::new();
    for (name, doc) in CLASSES {
        let short = name.trim_start_matches("Pet\\");
        let parent = if name == BASE {
            "\\Exception"
        } else {
            "Exception"
        };
        let body = if name == VALIDATION {
            format!("\n{{\n{GET_FIELD_ERRORS_STUB}\n}}")
        } else {
            " {}".to_owned()
        };
        out.push_str(&format!(
            "/** {doc} */\nclass {short} extends {parent}{body}\n\n"
        ));
    }
    out
}

/// Private property of `Pet\ValidationException` that holds the field errors.
const FIELD_ERRORS_PROP: &str = "fieldErrors";

/// Every failure a PET method can report, one variant per PHP exception class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PetError {
    /// Malformed input → `Pet\ValidationException` with field errors.
    #[error("invalid input: {0}")]
    Validation(FieldErrors),
    /// A business rule would be broken → `Pet\InvariantViolationException`.
    #[error("{0}")]
    Invariant(String),
    /// A referenced entity does not exist → `Pet\NotFoundException`.
    #[error("{0}")]
    NotFound(String),
    /// Stale version, concurrent change, reused idempotency key → `Pet\ConflictException`.
    #[error("{0}")]
    Conflict(String),
    /// Database failure → `Pet\StorageException`.
    #[error("{0}")]
    Storage(String),
    /// Migration failure → `Pet\MigrationException`.
    #[error("{0}")]
    Migration(String),
    /// A bug in the extension (caught panic, conversion failure) → `Pet\Exception`.
    #[error("internal error: {0}")]
    Internal(String),
}

impl PetError {
    /// A validation error with one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Self::Validation(errors)
    }

    /// The PHP class this error is thrown as.
    pub fn class_name(&self) -> &'static str {
        match self {
            Self::Validation(_) => VALIDATION,
            Self::Invariant(_) => INVARIANT,
            Self::NotFound(_) => NOT_FOUND,
            Self::Conflict(_) => CONFLICT,
            Self::Storage(_) => STORAGE,
            Self::Migration(_) => MIGRATION,
            Self::Internal(_) => BASE,
        }
    }
}

impl From<AppError> for PetError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(fields) => Self::Validation(fields),
            AppError::Invariant(m) => Self::Invariant(m),
            AppError::NotFound(m) => Self::NotFound(m),
            AppError::Conflict(m) => Self::Conflict(m),
            AppError::Storage(m) => Self::Storage(m),
            AppError::Migration(m) => Self::Migration(m),
        }
    }
}

impl From<PetError> for PhpException {
    fn from(e: PetError) -> Self {
        let message = e.to_string();
        let ce = find_class(e.class_name());
        match e {
            PetError::Validation(fields) => match validation_object(ce, &message, &fields) {
                Some(obj) => PhpException::new(message, 0, ce).with_object(obj),
                // Could not build the object: still throw the right class, without fields.
                None => PhpException::new(message, 0, ce),
            },
            _ => PhpException::new(message, 0, ce),
        }
    }
}

/// Looks a class up by name; falls back to `\Exception` (never panics).
fn find_class(name: &str) -> &'static ClassEntry {
    ClassEntry::try_find(name).unwrap_or_else(ce::exception)
}

/// The registered `Pet\Exception` class entry (null until MINIT registered it).
static BASE_CE: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

/// Parent of the subclasses. A name lookup does not work yet during MINIT, so the entry
/// recorded by the base class's registration callback is used.
fn base_ce() -> &'static ClassEntry {
    let ptr = BASE_CE.load(Ordering::Acquire);
    // SAFETY: the pointer is either null or the class entry the engine handed to the
    // registration callback; internal class entries live until the process ends.
    #[allow(unsafe_code)]
    let base = unsafe { ptr.as_ref() };
    base.unwrap_or_else(ce::exception)
}

fn remember_base(ce: &'static mut ClassEntry, arg_info: ArgInfoTables) {
    BASE_CE.store(ce, Ordering::Release);
    keep_arg_info(ce, arg_info);
}

/// The engine points into the argument-info tables for the life of the process: keep them.
fn keep_arg_info(_: &'static mut ClassEntry, arg_info: ArgInfoTables) {
    std::mem::forget(arg_info);
}

/// Builds a `Pet\ValidationException` object carrying `fields`.
fn validation_object(ce: &'static ClassEntry, message: &str, fields: &FieldErrors) -> Option<Zval> {
    let mut obj = ZendObject::new(ce);
    let mut table = ZendHashTable::new();
    for (field, msg) in fields.iter() {
        table.insert(field, msg).ok()?;
    }
    // `message` is protected in \Exception and `fieldErrors` private in the subclass: write
    // them with the class itself as scope, as zend_update_property() does.
    let previous = {
        let mut globals = ExecutorGlobals::get_mut();
        let previous = globals.fake_scope;
        globals.fake_scope = std::ptr::from_ref(ce).cast_mut();
        previous
    };
    let written = obj
        .set_property("message", message)
        .and_then(|()| obj.set_property(FIELD_ERRORS_PROP, table));
    ExecutorGlobals::get_mut().fake_scope = previous;
    written.ok()?;
    obj.into_zval(false).ok()
}

/// `Pet\ValidationException::getFieldErrors(): array`.
extern "C" fn get_field_errors(ex: &mut ExecuteData, retval: &mut Zval) {
    run_handler(AssertUnwindSafe(|| {
        let value = ex
            .get_self()
            .and_then(|this| this.get_property::<&Zval>(FIELD_ERRORS_PROP).ok())
            .filter(|v| v.is_array())
            .map(Zval::shallow_clone);
        match value {
            Some(v) => *retval = v,
            None => retval.set_hashtable(ZendHashTable::new()),
        }
    }));
}

fn register_one(name: &str, parent: (fn() -> &'static ClassEntry, &'static str)) -> i32 {
    let mut builder = ClassBuilder::new(name)
        .extends(parent)
        .registration(if name == BASE {
            remember_base
        } else {
            keep_arg_info
        });
    if name == VALIDATION {
        builder = builder
            .method(
                FunctionBuilder::new("getFieldErrors", get_field_errors).returns(
                    DataType::Array,
                    false,
                    false,
                ),
                MethodFlags::Public,
            )
            .property(ClassProperty {
                name: FIELD_ERRORS_PROP.into(),
                flags: PropertyFlags::Private,
                default: Some(Box::new(|| {
                    let mut z = Zval::new();
                    z.set_null();
                    Ok(z)
                })),
                docs: &[],
                ty: None,
                nullable: true,
                readonly: false,
                default_stub: None,
            });
    }
    match builder.register() {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Registers the exception classes; called from the module start-up (MINIT).
/// Returns 0 on success, non-zero when a class could not be registered.
pub fn register_classes() -> i32 {
    let mut failed = register_one(BASE, (ce::exception, "\\Exception"));
    for (name, _) in &CLASSES[1..] {
        failed |= register_one(name, (base_ce, "\\Pet\\Exception"));
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_app_error_maps_to_its_own_class() {
        let mut fields = FieldErrors::new();
        fields.add("email", "must be a valid email address");
        let cases = [
            (AppError::Validation(fields.clone()), VALIDATION),
            (AppError::Invariant("team cycle".into()), INVARIANT),
            (AppError::NotFound("employee x not found".into()), NOT_FOUND),
            (AppError::Conflict("stale version".into()), CONFLICT),
            (AppError::Storage("connection refused".into()), STORAGE),
            (AppError::Migration("ledger is dirty".into()), MIGRATION),
        ];
        for (app, class) in cases {
            assert_eq!(PetError::from(app).class_name(), class);
        }
        assert_eq!(PetError::Internal("boom".into()).class_name(), BASE);
    }

    #[test]
    fn messages_are_clear() {
        let mut fields = FieldErrors::new();
        fields.add("name", "must not be empty");
        fields.add("email", "must be a valid email address");
        assert_eq!(
            PetError::Validation(fields).to_string(),
            "invalid input: email: must be a valid email address; name: must not be empty"
        );
        assert_eq!(
            PetError::from(AppError::NotFound("employee 42 not found".into())).to_string(),
            "employee 42 not found"
        );
        assert_eq!(
            PetError::Internal("boom".into()).to_string(),
            "internal error: boom"
        );
        assert_eq!(
            PetError::field("employee_id", "is not valid UTF-8"),
            PetError::Validation({
                let mut f = FieldErrors::new();
                f.add("employee_id", "is not valid UTF-8");
                f
            })
        );
    }
}
