//! `Pet\Sales`: Leads, lead schemas, opportunities, quotes and sales (issue: commercial pipeline).
//!
//! Same conventions as `Pet\Engine` (see `engine.rs`): each method converts its PHP
//! arguments, runs one `App` call under [`guard`] and converts the result or error back.

use ext_php_rs::{flags::ClassFlags, prelude::*, types::ZendHashTable};

use crate::backend::App;
use crate::convert::array_to_json_object;
use crate::engine::guard;
use crate::runtime;

/// The sales API, built from the same connection settings as `Pet\Engine` (and sharing
/// its connection pool).
#[php_class]
#[php(name = "Pet\\Sales")]
#[php(flags = ClassFlags::Final)]
pub struct Sales {
    #[allow(dead_code)] // used by the methods this class grows
    app: App,
}

#[php_impl]
#[php(change_method_case = "camelCase")]
impl Sales {
    /// Builds the API from connection settings (the keys of `Pet\Engine::__construct`).
    pub fn __construct(settings: &ZendHashTable) -> PhpResult<Self> {
        guard(|| {
            let settings = array_to_json_object(settings, "settings")?;
            Ok(Self {
                app: runtime::app_for(&settings)?,
            })
        })
    }
}
