//! The storage side of the module map: for every module of [`pet_core::module::MODULES`],
//! the runner of the background job kinds it declares. The job runner dispatches a claimed
//! job to the module that owns its kind; adding a module adds one line here.

use std::future::Future;
use std::pin::Pin;

use crate::app::App;
use crate::error::AppError;
use crate::jobs::ClaimedJob;

/// A module's job runner's future.
pub(crate) type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<(), AppError>> + Send + 'a>>;

/// A module as the application layer runs it.
pub(crate) struct StorageModule {
    /// The module's descriptor in pet-core (its name, event types and job kinds).
    pub(crate) core: &'static pet_core::module::Module,
    /// Runs one of the module's job kinds.
    pub(crate) run_job: for<'a> fn(&'a App, &'a ClaimedJob) -> JobFuture<'a>,
}

/// Every module, in the order of [`pet_core::module::MODULES`].
pub(crate) const MODULES: &[StorageModule] = &[
    StorageModule {
        core: &pet_core::identity::MODULE,
        run_job: crate::identity::run_job,
    },
    StorageModule {
        core: &pet_core::commercial::MODULE,
        run_job: crate::commercial::run_job,
    },
    StorageModule {
        core: &pet_core::helpdesk::MODULE,
        run_job: crate::helpdesk::run_job,
    },
    StorageModule {
        core: &pet_core::knowledge::MODULE,
        run_job: crate::knowledge::run_job,
    },
    StorageModule {
        core: &pet_core::delivery::MODULE,
        run_job: crate::delivery::run_job,
    },
    StorageModule {
        core: &pet_core::kpi::MODULE,
        run_job: crate::kpi::run_job,
    },
    StorageModule {
        core: &pet_core::portal::MODULE,
        run_job: crate::portal::run_job,
    },
    StorageModule {
        core: &pet_core::accounting::MODULE,
        run_job: crate::accounting::run_job,
    },
    StorageModule {
        core: &pet_core::mail::MODULE,
        run_job: crate::mail::run_job,
    },
];

/// A job kind no runner knows.
pub(crate) fn unknown_job(job: &ClaimedJob) -> AppError {
    AppError::Invariant(format!("unknown job kind {}", job.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_storage_module_per_core_module_in_the_same_order() {
        let core: Vec<&str> = pet_core::module::MODULES.iter().map(|m| m.name).collect();
        let storage: Vec<&str> = MODULES.iter().map(|m| m.core.name).collect();
        assert_eq!(core, storage);
    }
}
