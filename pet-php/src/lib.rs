//! `pet-php`: the PHP extension that exposes PET as one class per module: `Pet\Engine`
//! (settings, migrations, health, activity, jobs), `Pet\Identity` (employees, teams, org
//! structure, customers), `Pet\Sales` (commercial pipeline), `Pet\Helpdesk` (tickets, SLAs)
//! and `Pet\Knowledge` (knowledge base).
//!
//! This crate converts PHP values to Rust values and back, and nothing else: every method
//! turns its PHP arguments into `serde_json::Value`s / strings, calls the matching
//! `pet_storage_mysql::App` method on the process's lazily created runtime, and converts the
//! result (or error) back. Every method body runs under `catch_unwind`, so a Rust panic
//! becomes a `Pet\Exception("internal error: …")` instead of taking PHP down.
//!
//! The PHP API is declared once per class (the `php_class!` tables in `engine.rs`,
//! `identity.rs`, `sales.rs`, `helpdesk.rs` and `knowledge.rs`, see [`api`]): the wrappers and the IDE stubs are generated from it.
// The declaration macro reads its tables one token group at a time (one step per entry and
// per argument), which goes deeper than the default limit of 128 nested expansions.
#![recursion_limit = "512"]

/// Rust-side allocations (rows, rendered lines, JSON) use mimalloc; PHP values keep using
/// the Zend allocator (ext-php-rs allocates them with `emalloc`), so no memory crosses the
/// two. Chosen for the projector and command paths: glibc malloc took about a third of
/// the catch-up's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod accounting;
pub mod api;
mod backend;
pub mod convert;
pub mod delivery;
pub mod engine;
pub mod exceptions;
pub mod helpdesk;
pub mod identity;
pub mod knowledge;
pub mod kpi;
pub mod mail;
mod module;
pub mod portal;
mod runtime;
pub mod sales;

pub use accounting::Accounting;
pub use delivery::Delivery;
pub use engine::Engine;
pub use helpdesk::Helpdesk;
pub use identity::Identity;
pub use knowledge::Knowledge;
pub use kpi::Kpi;
pub use mail::Mail;
pub use portal::Portal;
pub use sales::Sales;
