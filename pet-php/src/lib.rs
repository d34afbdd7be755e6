//! `pet-php`: the PHP extension that exposes PET as `Pet\Engine`.
//!
//! This crate converts PHP values to Rust values and back, and nothing else: every method
//! turns its PHP arguments into `serde_json::Value`s / strings, calls the matching
//! `pet_storage_mysql::App` method on the process's lazily created runtime, and converts the
//! result (or error) back. Every method body runs under `catch_unwind`, so a Rust panic
//! becomes a `Pet\Exception("internal error: …")` instead of taking PHP down.

mod backend;
pub mod convert;
pub mod engine;
pub mod exceptions;
mod runtime;

use std::panic::catch_unwind;

use ext_php_rs::prelude::*;

pub use engine::Engine;

/// Module start-up (MINIT): registers the exception classes. Must not panic (a panic here
/// aborts PHP), so it reports failure through its return code.
fn startup(_ty: i32, _module_number: i32) -> i32 {
    match catch_unwind(exceptions::register_classes) {
        Ok(0) => 0,
        _ => 1,
    }
}

/// The extension's module entry.
#[allow(missing_docs)] // the macro generates an undocumented `get_module` entry point
#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<Engine>()
}
