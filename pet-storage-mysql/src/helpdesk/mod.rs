//! Helpdesk & SLA application services and repositories: tickets, SLA definitions and
//! assignments, and the SLA job (`App` methods in `impl App` blocks in the submodules).
//!
//! - [`tickets`]: ticket commands and reads; every ticket command also tracks the ticket's
//!   SLA (pause/resume, and the outcomes the clock has reached at `now`) in the same
//!   transaction.
//! - [`sla`]: SLA definitions with immutable versions, assignment of a ticket to the
//!   version in force, and the SLA job ([`JOB_SLA_EVALUATE`]).
//!
//! Each command runs through the one command path (`crate::command`): state is restored
//! from the state rows by a repository, decided by `pet-core`, and written back with a
//! version check together with the events, in one transaction.

pub mod sla;
pub mod tickets;

use crate::app::App;
use crate::jobs::ClaimedJob;
use crate::modules::{unknown_job, JobFuture};

pub use sla::{SlaRunOptions, SlaRunReport, JOB_SLA_EVALUATE};

/// The helpdesk and knowledge table names for one prefix (the prefix was validated by
/// [`crate::Tables::new`]; it is the only thing interpolated into SQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpdeskTables {
    /// Tickets.
    pub tickets: String,
    /// The sequence ticket numbers are drawn from (migration 0017).
    pub ticket_numbers: String,
    /// Replies and internal notes.
    pub replies: String,
    /// SLA definitions.
    pub sla_definitions: String,
    /// SLA definition versions.
    pub sla_versions: String,
    /// SLA assignments (one per ticket under an SLA).
    pub sla_assignments: String,
    /// Recorded SLA outcomes.
    pub sla_events: String,
    /// Knowledge articles.
    pub articles: String,
    /// Articles and published articles per category (migration 0012).
    pub category_totals: String,
    /// Article versions.
    pub article_versions: String,
    /// Article comments.
    pub article_comments: String,
    /// Article ↔ ticket links.
    pub article_links: String,
}

impl HelpdeskTables {
    /// The names for the (already validated) `prefix`.
    pub fn new(prefix: &str) -> Self {
        let t = |name: &str| format!("{prefix}pet_{name}");
        Self {
            tickets: t("tickets"),
            ticket_numbers: t("ticket_numbers"),
            replies: t("ticket_replies"),
            sla_definitions: t("sla_definitions"),
            sla_versions: t("sla_definition_versions"),
            sla_assignments: t("sla_assignments"),
            sla_events: t("sla_events"),
            articles: t("knowledge_articles"),
            category_totals: t("knowledge_category_totals"),
            article_versions: t("knowledge_versions"),
            article_comments: t("knowledge_comments"),
            article_links: t("knowledge_ticket_links"),
        }
    }
}

pub(crate) use crate::db::like_escape;
pub(crate) use crate::error::{db, internal};

/// Runs the module's job kinds: the SLA evaluation.
pub(crate) fn run_job<'a>(app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move {
        match job.kind.as_str() {
            JOB_SLA_EVALUATE => app.helpdesk().evaluate_slas().await.map(|_| ()),
            _ => Err(unknown_job(job)),
        }
    })
}

impl App {
    /// The helpdesk and knowledge table names.
    pub fn helpdesk_tables(&self) -> HelpdeskTables {
        HelpdeskTables::new(&self.tables().prefix)
    }
}
