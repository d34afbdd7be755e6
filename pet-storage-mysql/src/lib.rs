//! `pet-storage-mysql`: PET's application services and its MySQL/MariaDB adapter — the
//! only crate that speaks SQL.
//!
//! - [`migrate`]: forward-only numbered migrations under a lease row, with a ledger.
//! - [`lease`]: the lease rows that keep one migration or job runner per cluster.
//! - [`store`]: the append-only event store (serialised appends, hash chain, idempotency).
//! - [`uow`]: a unit of work — state rows and their events in one transaction.
//! - [`projector`]: the activity-feed projection, exactly once per event.
//! - [`topology`]: a primary with read replicas — reads, commit GTIDs, read-your-writes.
//! - [`jobs`]: the MySQL job queue (claim, visibility timeout, back-off, dead letters).
//! - [`command`]: the one command path every command runs through, and the repository
//!   shape each aggregate's storage implements.
//! - one folder per module, named as in `pet-core`: [`identity`], [`commercial`],
//!   [`helpdesk`], [`knowledge`] (their commands, repositories, views and job runners).
//! - [`audit`]: the chain verification (on demand and scheduled) and the signed export.
//! - [`App`]: the facade `pet-php` wraps (its methods are spread over the module folders).

pub mod accounting;
mod app;
pub mod audit;
pub mod clock;
pub mod command;
pub mod commercial;
pub mod config;
pub mod db;
pub mod delivery;
pub mod error;
pub(crate) mod fields;
mod flat;
pub mod helpdesk;
pub mod identity;
pub mod input;
pub mod jobs;
pub mod knowledge;
pub mod kpi;
pub mod lease;
pub mod mail;
pub mod migrate;
mod modules;
pub mod money;
pub mod paging;
pub mod portal;
mod privacy;
pub mod projector;
mod services;
pub mod store;
pub mod topology;
pub mod uow;

pub use app::{
    App, AppParts, CommandContext, PetRenderer, JOB_ORG_PUBLISH, JOB_PROJECTION_CATCH_UP,
    READ_CATCH_UP,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, Endpoint, Tables};
pub use error::{AppError, MigrationError, StorageError};
pub use services::{
    Accounting, Commercial, Delivery, Helpdesk, Identity, Knowledge, Kpi, Mail, Portal,
};
