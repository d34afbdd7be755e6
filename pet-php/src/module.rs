//! The module entry point PHP loads, and the module start-up hook.
// `#[php_module]` generates the exported, undocumented `get_module` entry point.
#![allow(missing_docs)]

use std::panic::catch_unwind;

use ext_php_rs::prelude::*;

use crate::{
    exceptions, Accounting, Delivery, Engine, Helpdesk, Identity, Knowledge, Kpi, Mail, Portal,
    Sales,
};

/// Module start-up (MINIT): registers the exception classes. Must not panic (a panic here
/// aborts PHP), so it reports failure through its return code.
fn startup(_ty: i32, _module_number: i32) -> i32 {
    match catch_unwind(exceptions::register_classes) {
        Ok(0) => 0,
        _ => 1,
    }
}

/// The extension's module entry.
#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<Engine>()
        .class::<Identity>()
        .class::<Sales>()
        .class::<Helpdesk>()
        .class::<Knowledge>()
        .class::<Delivery>()
        .class::<Kpi>()
        .class::<Portal>()
        .class::<Accounting>()
        .class::<Mail>()
}
