//! `Pet\Helpdesk`: Tickets, SLA definitions and the knowledge base (issue: helpdesk and knowledgebase).
//!
//! Same conventions as `Pet\Engine` (see `engine.rs`): each method converts its PHP
//! arguments, runs one `App` call under [`guard`] and converts the result or error back.
//!
//! Test-only clock override: `runSlaJob(['at' => …])` evaluates the SLA job at a given
//! time. It is honoured only when this crate is compiled with the Cargo feature
//! `test-clock` (the browser test's build); a production build has no code path that
//! accepts `at` and rejects it with a `ValidationException`, so no request, option or
//! environment variable can move a production clock.
// PHP parameter names (`$ticketId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers, so parameters are spelled in camelCase here.
#![allow(non_snake_case)]

use ext_php_rs::{
    binary_slice::BinarySlice, boxed::ZBox, flags::ClassFlags, prelude::*, types::ZendHashTable,
};
use serde_json::Value;

use crate::backend::{App, AppError};
use crate::convert::{array_to_json_object, string_arg, ArrayArg};
use crate::engine::{context, guard, run_call};
use crate::exceptions::PetError;
use crate::runtime;

/// The helpdesk API, built from the same connection settings as `Pet\Engine` (and sharing
/// its connection pool).
#[php_class]
#[php(name = "Pet\\Helpdesk")]
#[php(flags = ClassFlags::Final)]
pub struct Helpdesk {
    app: App,
}

/// Whether this build honours the test-only clock override.
const TEST_CLOCK: bool = cfg!(feature = "test-clock");

/// The SLA job, now or (test builds only) at `options.at`.
async fn run_sla_job(app: App, options: Value) -> Result<Value, AppError> {
    let at = match options.get("at") {
        None | Some(Value::Null) => None,
        Some(_) if !TEST_CLOCK => {
            return Err(AppError::field(
                "at",
                "the clock override exists only in test builds (feature test-clock)",
            ))
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(AppError::field("at", "must be an RFC 3339 timestamp")),
    };
    app.run_sla_job_at(at.as_deref()).await
}

impl Helpdesk {
    fn id(field: &str, s: &BinarySlice<'_, u8>) -> Result<String, PetError> {
        string_arg(field, s)
    }
}

#[php_impl]
#[php(change_method_case = "camelCase")]
impl Helpdesk {
    /// Builds the API from connection settings (the keys of `Pet\Engine::__construct`).
    pub fn __construct(settings: &ZendHashTable) -> PhpResult<Self> {
        guard(|| {
            let settings = array_to_json_object(settings, "settings")?;
            Ok(Self {
                app: runtime::app_for(&settings)?,
            })
        })
    }

    // ---- tickets ------------------------------------------------------------------

    /// Opens a ticket.
    pub fn create_ticket(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.create_ticket(&input, &ctx).await
            })
        })
    }

    /// Assigns a ticket (null unassigns).
    pub fn assign_ticket(
        &self,
        ticketId: BinarySlice<'_, u8>,
        assigneeId: Option<BinarySlice<'_, u8>>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let a = assigneeId
                .as_ref()
                .map(|p| string_arg("assignee_id", p))
                .transpose()?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.assign_ticket(&id, a.as_deref(), &ctx).await
            })
        })
    }

    /// Changes the status (`open`, `waiting_on_customer`).
    pub fn change_ticket_status(
        &self,
        ticketId: BinarySlice<'_, u8>,
        status: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let s = string_arg("status", &status)?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.change_ticket_status(&id, &s, &ctx).await
            })
        })
    }

    /// Changes the priority.
    pub fn change_ticket_priority(
        &self,
        ticketId: BinarySlice<'_, u8>,
        priority: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let p = string_arg("priority", &priority)?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.change_ticket_priority(&id, &p, &ctx).await
            })
        })
    }

    /// Adds a reply or an internal note.
    pub fn reply_to_ticket(
        &self,
        ticketId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.reply_to_ticket(&id, &input, &ctx).await
            })
        })
    }

    /// Resolves a ticket.
    pub fn resolve_ticket(
        &self,
        ticketId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.resolve_ticket(&id, &ctx).await
            })
        })
    }

    /// Closes a resolved ticket.
    pub fn close_ticket(
        &self,
        ticketId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let ctx = self::context(context)?;
            run_call(
                &self.app,
                |app| async move { app.close_ticket(&id, &ctx).await },
            )
        })
    }

    /// Reopens a resolved ticket within the window.
    pub fn reopen_ticket(
        &self,
        ticketId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.reopen_ticket(&id, &input, &ctx).await
            })
        })
    }

    /// Puts a ticket under an SLA definition's version in force.
    pub fn assign_ticket_sla(
        &self,
        ticketId: BinarySlice<'_, u8>,
        definitionId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            let def = Self::id("sla_definition_id", &definitionId)?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.assign_ticket_sla(&id, &def, &ctx).await
            })
        })
    }

    /// One ticket with conversation, timeline, SLA clocks and linked articles.
    pub fn get_ticket(&self, ticketId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("ticket_id", &ticketId)?;
            run_call(&self.app, |app| async move { app.get_ticket(&id).await })
        })
    }

    /// Lists tickets (filters, sort, paging).
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_tickets(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            run_call(
                &self.app,
                |app| async move { app.list_tickets(&query).await },
            )
        })
    }

    // ---- SLA definitions and the SLA job ---------------------------------------------

    /// Creates an SLA definition (version 1).
    pub fn create_sla_definition(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.create_sla_definition(&input, &ctx).await
            })
        })
    }

    /// Publishes the next version of an SLA definition.
    pub fn publish_sla_version(
        &self,
        definitionId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("definition_id", &definitionId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.publish_sla_version(&id, &input, &ctx).await
            })
        })
    }

    /// One SLA definition with its version history.
    pub fn get_sla_definition(
        &self,
        definitionId: BinarySlice<'_, u8>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("definition_id", &definitionId)?;
            run_call(
                &self.app,
                |app| async move { app.get_sla_definition(&id).await },
            )
        })
    }

    /// Lists SLA definitions.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_sla_definitions(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            run_call(&self.app, |app| async move {
                app.list_sla_definitions(&query).await
            })
        })
    }

    /// Enqueues the SLA job (deduplicated); WP-Cron calls this every minute.
    pub fn enqueue_sla_job(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| run_call(&self.app, |app| async move { app.enqueue_sla_job().await }))
    }

    /// Runs the SLA job now (or, in test builds only, at `options['at']`).
    #[php(defaults(options = ArrayArg::Empty))]
    pub fn run_sla_job(&self, options: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let options = options.to_json("options")?;
            run_call(&self.app, |app| run_sla_job(app, options))
        })
    }

    /// Whether this build honours `runSlaJob(['at' => …])` (feature `test-clock`).
    pub fn test_clock_available() -> bool {
        TEST_CLOCK
    }

    // ---- knowledge base ---------------------------------------------------------------

    /// Creates an article (draft; `publish => true` publishes version 1).
    pub fn create_article(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.create_article(&input, &ctx).await
            })
        })
    }

    /// Publishes new content as the next version.
    pub fn publish_article(
        &self,
        articleId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("article_id", &articleId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.publish_article(&id, &input, &ctx).await
            })
        })
    }

    /// Restores an older version as a new version.
    pub fn restore_article_version(
        &self,
        articleId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("article_id", &articleId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.restore_article_version(&id, &input, &ctx).await
            })
        })
    }

    /// Archives an article.
    pub fn archive_article(
        &self,
        articleId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("article_id", &articleId)?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.archive_article(&id, &ctx).await
            })
        })
    }

    /// Adds a comment by the actor.
    pub fn comment_on_article(
        &self,
        articleId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("article_id", &articleId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.comment_on_article(&id, &input, &ctx).await
            })
        })
    }

    /// Hides a comment (moderation).
    pub fn hide_article_comment(
        &self,
        articleId: BinarySlice<'_, u8>,
        commentId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("article_id", &articleId)?;
            let cid = Self::id("comment_id", &commentId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.hide_article_comment(&id, &cid, &input, &ctx).await
            })
        })
    }

    /// Links an article to a ticket it helped resolve.
    pub fn link_article_to_ticket(
        &self,
        articleId: BinarySlice<'_, u8>,
        ticketId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("article_id", &articleId)?;
            let tid = Self::id("ticket_id", &ticketId)?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.link_article_to_ticket(&id, &tid, &ctx).await
            })
        })
    }

    /// One article with versions, comments and links.
    pub fn get_article(&self, articleId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = Self::id("article_id", &articleId)?;
            run_call(&self.app, |app| async move { app.get_article(&id).await })
        })
    }

    /// Lists articles.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_articles(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            run_call(
                &self.app,
                |app| async move { app.list_articles(&query).await },
            )
        })
    }

    /// Categories with article counts.
    pub fn list_article_categories(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            run_call(&self.app, |app| async move {
                app.list_article_categories().await
            })
        })
    }

    /// Full-text search over published articles.
    pub fn search_articles(&self, query: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = array_to_json_object(query, "query")?;
            run_call(
                &self.app,
                |app| async move { app.search_articles(&query).await },
            )
        })
    }
}
