//! The application API the extension wraps: `pet_storage_mysql`'s facade, re-exported so
//! the binding code names it in one place.

pub use pet_storage_mysql::migrate::embedded as shipped_migrations;
pub use pet_storage_mysql::{App, AppError, CommandContext, Config};
