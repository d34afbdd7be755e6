//! `pet-core`: the pure domain of PET — entities, state machines, invariants and the
//! immutable domain events every change is recorded as.
//!
//! The crate does no I/O and reads no clock: every decision takes `now` as an argument
//! and returns events (sans-IO). Storage adapters (such as `pet-storage-mysql`) persist
//! the resulting state and events in one transaction.
//!
//! Start with [`event`] (the envelope every fact is stored in) and [`registry`] (event
//! types, schema versions and upcasting).

pub mod error;
pub mod event;
pub mod registry;

pub use error::{DomainError, FieldErrors};
pub use event::{
    Actor, AggregateRef, ContextRef, ContextType, EventError, EventMeta, EventType,
    IdempotencyKey, NewEvent, RecordedEvent,
};
pub use registry::EventRegistry;
