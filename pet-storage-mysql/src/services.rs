//! The application services, one per module: `app.identity()`, `app.commercial()`,
//! `app.helpdesk()`, `app.knowledge()`. Each is a borrowed view of the [`App`] whose methods
//! are that module's commands and queries (written in the module's folder as
//! `impl Helpdesk<'_> { … }`); what every module shares — the connection pool, the clock,
//! the one command path, the event store, migrations, health, activity and jobs — stays on
//! [`App`], which each service reaches through `Deref`.

use std::ops::Deref;

use crate::app::App;

/// Declares a module's service type and its accessor on [`App`].
macro_rules! module_services {
    ($($(#[$meta:meta])* $name:ident => $accessor:ident;)*) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy)]
            pub struct $name<'a> {
                app: &'a App,
            }

            impl<'a> $name<'a> {
                /// The application this service belongs to.
                pub fn app(&self) -> &'a App {
                    self.app
                }
            }

            impl Deref for $name<'_> {
                type Target = App;
                fn deref(&self) -> &App {
                    self.app
                }
            }

            impl<'a> From<&'a App> for $name<'a> {
                fn from(app: &'a App) -> Self {
                    Self { app }
                }
            }

            impl std::fmt::Debug for $name<'_> {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_tuple(stringify!($name)).field(self.app).finish()
                }
            }

            impl App {
                #[doc = concat!("The ", stringify!($accessor), " module's service.")]
                pub fn $accessor(&self) -> $name<'_> {
                    $name { app: self }
                }
            }
        )*
    };
}

module_services! {
    /// Identity & Organisation: employees, rates, teams, the org structure, customers and
    /// contacts.
    Identity => identity;
    /// Commercial: lead schemas, leads, opportunities, quotes and sales.
    Commercial => commercial;
    /// Helpdesk: tickets, SLA definitions and the SLA job.
    Helpdesk => helpdesk;
    /// Knowledge: articles, versions, comments and search.
    Knowledge => knowledge;
    /// Delivery: projects, change orders, time entries, the period lock, timesheets.
    Delivery => delivery;
    /// Measurement & KPIs: definitions, the KPI job, results, explanations, the dashboard.
    Kpi => kpi;
    /// Customer portal: contacts' portal access, and a portal user's tickets, replies and
    /// knowledge search.
    Portal => portal;
    /// Accounting: the outbox to the accounting system, the push and reconciliation jobs.
    Accounting => accounting;
    /// Helpdesk email (issue 17).
    Mail => mail;
}
