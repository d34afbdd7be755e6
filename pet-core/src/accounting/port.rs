//! The outbound port: what PET asks of an accounting system. The application layer calls
//! it from the push and reconciliation jobs (never from a command); an adapter (the
//! `pet-qbo` crate for QuickBooks Online) implements it. Pure declarations: the futures
//! are the adapter's, the core runs none of them.

use std::future::Future;
use std::pin::Pin;

use super::doc::{Mapping, PushDoc, RemoteRecord, TargetKind};
use super::push::FailureKind;

/// What a port call returns.
pub type PortFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PortError>> + Send + 'a>>;

/// A failed port call, classified for the push record's retry rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// 429: too many requests.
    #[error("rate limited: {message}")]
    RateLimited {
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<i64>,
        /// What the server said.
        message: String,
    },
    /// 5xx, a time-out or a transport error: the outcome of a write is unknown.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 401 even after a token refresh, or no usable token: the connection is lost.
    #[error("not authorised: {0}")]
    Unauthorized(String),
    /// A fault the request itself caused (validation, a missing reference).
    #[error("rejected: {0}")]
    Rejected(String),
    /// An update quoted an old sync token: the record changed since it was read (QBO's
    /// stale object error, code 5010).
    #[error("stale: {0}")]
    Stale(String),
}

impl PortError {
    /// The push record's classification of the failure.
    pub fn kind(&self) -> FailureKind {
        match self {
            PortError::RateLimited { .. } => FailureKind::RateLimited,
            PortError::Unavailable(_) => FailureKind::Unavailable,
            PortError::Unauthorized(_) => FailureKind::Unauthorized,
            PortError::Rejected(_) => FailureKind::Rejected,
            PortError::Stale(_) => FailureKind::Stale,
        }
    }

    /// The server's wait, for rate limits.
    pub fn retry_after_secs(&self) -> Option<i64> {
        match self {
            PortError::RateLimited {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }
}

/// One write: create (or update) the record of a document.
#[derive(Debug, Clone, Copy)]
pub struct SendRequest<'a> {
    /// What to create.
    pub target: TargetKind,
    /// The document.
    pub doc: &'a PushDoc,
    /// The stable request id (QBO `requestid`): a repeat returns the first answer.
    pub request_id: &'a str,
    /// The accounting id of the document's customer (not for customers).
    pub customer_ref: Option<&'a str>,
    /// Update this record (id, sync token) instead of creating one.
    pub update: Option<(&'a str, &'a str)>,
    /// Delete the record `update` names instead (a time activity whose total reached 0).
    pub remove: bool,
    /// Items, tax codes and currency mode.
    pub mapping: &'a Mapping,
}

/// An accounting system as PET uses it.
pub trait AccountingPort: Send + Sync {
    /// Creates (or updates) the record of a document and returns it as the system holds it.
    fn send<'a>(&'a self, req: SendRequest<'a>) -> PortFuture<'a, RemoteRecord>;

    /// Finds the record an earlier send of `doc` may have created (a customer by its
    /// display name, a sale by its document number); `None` when the system shows none
    /// (yet: reads may lag writes).
    fn look_up<'a>(
        &'a self,
        target: TargetKind,
        doc: &'a PushDoc,
    ) -> PortFuture<'a, Option<RemoteRecord>>;

    /// Reads a record back by its id (`None`: it no longer exists); `doc` gives the
    /// currency amounts are read in.
    fn read<'a>(
        &'a self,
        target: TargetKind,
        remote_id: &'a str,
        doc: &'a PushDoc,
    ) -> PortFuture<'a, Option<RemoteRecord>>;
}
