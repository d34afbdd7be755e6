//! The per-process tokio runtime and the per-settings `App` cache.
//!
//! Both are created lazily on the first call of a PET class, never at module start-up:
//! php-fpm forks its workers after MINIT, and a runtime (with its threads and sockets)
//! created before the fork would be shared, broken, by every worker.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Mutex, OnceLock},
};

use serde_json::Value;

use crate::backend::{App, Config};
use crate::exceptions::PetError;

/// Most distinct settings kept in the cache; past this, engines get an uncached `App`.
const MAX_CACHED_APPS: usize = 16;

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
static APPS: OnceLock<Mutex<HashMap<String, App>>> = OnceLock::new();

/// The process's runtime: current-thread (PHP calls block anyway, so no worker threads),
/// with I/O and timers enabled. Built on first use.
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, PetError> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PetError::Internal(format!("cannot start the async runtime: {e}")))?;
    // PHP is single-threaded per process here; if another thread won a race, ours is dropped.
    Ok(RUNTIME.get_or_init(|| rt))
}

/// Runs `fut` to completion on the process runtime.
pub fn block_on<T>(fut: impl Future<Output = T>) -> Result<T, PetError> {
    Ok(runtime()?.block_on(fut))
}

/// The `App` for these settings (a JSON object), shared by every PET object (`Pet\Engine`,
/// `Pet\Identity`, …) built with identical settings in this process so that they share one
/// small connection pool.
pub fn app_for(settings: &Value) -> Result<App, PetError> {
    let key = settings.to_string();
    let cache = APPS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut apps = cache
        .lock()
        .map_err(|_| PetError::Internal("engine cache lock poisoned".into()))?;
    if let Some(app) = apps.get(&key) {
        return Ok(app.clone());
    }
    let config = Config::from_settings(settings)?;
    let app = App::new(config)?;
    if apps.len() < MAX_CACHED_APPS {
        apps.insert(key, app.clone());
    }
    Ok(app)
}
