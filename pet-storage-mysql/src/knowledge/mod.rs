//! Knowledge-base commands and reads: articles with immutable published versions,
//! restore-as-new-version, append-only comments with moderation, links to tickets, and
//! full-text search (MariaDB/MySQL `FULLTEXT`, the query bound as a parameter) over the
//! live version of every published article.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use mysql_async::prelude::*;
use mysql_async::{Transaction, Value as SqlValue};
use pet_core::helpdesk::TicketId;
use pet_core::identity::{EmployeeId, Name, Note};
use pet_core::knowledge::{
    ArticleBody, ArticleCommand, ArticleContent, ArticleId, ArticleRow, ArticleStatus,
    ArticleVersion, Comment, CommentBody, CommentId, KnowledgeArticle, KnowledgeEvent,
    KnowledgeVersionNumber, Slug, VersionRef,
};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{App, CommandContext, Page};
use crate::command::{command, Cmd, Repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{db, internal};
use crate::error::{AppError, StorageError};
use crate::fields::{command_input, Field, OrBlank, PageNumber, PerPage};
use crate::flat::{list_order, page_value, FlatList, TextSearch};
use crate::helpdesk::HelpdeskTables;
use crate::input::arg_uuid;
use crate::jobs::ClaimedJob;
use crate::modules::{unknown_job, JobFuture};
use crate::services::Knowledge;
use crate::uow::UnitOfWork;

type VersionRow = (u32, String, String, Option<u32>, u8, NaiveDateTime);
type CommentRow = (
    String,
    String,
    Option<String>,
    String,
    u8,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

command_input! {
    /// Input of [`App::create_article`].
    pub struct CreateArticle {
        /// Category.
        category: Name,
        /// URL slug.
        slug: Slug,
        /// Title of version 1.
        title: Name,
        /// Body of version 1.
        body: ArticleBody,
        /// Publish version 1 at once.
        publish: bool = false,
    }
}

command_input! {
    /// An article version's content ([`App::publish_article`]).
    pub struct ArticleInput {
        /// Title.
        title: Name,
        /// Body.
        body: ArticleBody,
    }
}

command_input! {
    /// Input of [`App::restore_article_version`].
    pub struct RestoreVersion {
        /// The version to publish again.
        number: KnowledgeVersionNumber,
        /// The version's article (must be this one).
        article_id: Option<ArticleId>,
    }
}

command_input! {
    /// Input of [`App::comment_on_article`].
    pub struct CommentInput {
        /// The comment.
        body: CommentBody,
    }
}

command_input! {
    /// Input of [`App::hide_article_comment`].
    pub struct HideInput {
        /// Why it is hidden.
        reason: Note = Note::default(),
    }
}

command_input! {
    /// Query of [`App::list_articles`] (an empty filter is no filter).
    pub struct ArticleQuery {
        /// A category.
        category: OrBlank<String>,
        /// `draft`, `published` or `archived`.
        status: OrBlank<ArticleStatusFilter>,
        /// Text in the title.
        search: Option<String>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

/// The status filter of the article list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleStatusFilter(pub ArticleStatus);

impl Field for ArticleStatusFilter {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        let s = v.as_str().ok_or("must be a string")?;
        ArticleStatus::parse(s)
            .map(ArticleStatusFilter)
            .map_err(|_| "must be draft, published or archived".into())
    }
}

command_input! {
    /// Query of [`App::search_articles`].
    pub struct SearchQuery {
        /// The words to find (1-200 characters, trimmed).
        q: SearchText,
        /// Only this category.
        category: OrBlank<String>,
        /// Page (1 when omitted).
        page: PageNumber = PageNumber::default(),
        /// Rows per page (20 when omitted).
        per_page: PerPage = PerPage::default(),
    }
}

/// The text of a search: trimmed, 1-200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    /// The trimmed text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Field for SearchText {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        let s = String::read(field, v)?;
        let t = s.trim();
        if t.is_empty() || t.chars().count() > 200 {
            return Err("must be 1-200 characters".into());
        }
        Ok(SearchText(t.to_owned()))
    }
}

/// The columns of an article's row its (list) view shows.
const ARTICLE_HEAD: &str =
    "id, category, slug, status, title, current_version, version, created_at, updated_at";

/// An article row's [`ARTICLE_HEAD`] columns.
type ArticleHead = (
    String,
    String,
    String,
    String,
    String,
    Option<u32>,
    u64,
    NaiveDateTime,
    NaiveDateTime,
);

/// The view of an article's row (no detail).
fn article_view(head: ArticleHead) -> ArticleView {
    let (id, category, slug, status, title, current, version, created, updated) = head;
    let parsed = ArticleStatus::parse(&status).ok();
    ArticleView {
        actions: parsed.map(ArticleStatus::actions).unwrap_or_default(),
        searchable: parsed.is_some_and(ArticleStatus::is_searchable),
        id,
        category,
        slug,
        status,
        title,
        current_version: current,
        version,
        created_at: rfc3339(from_db_time(created)),
        updated_at: rfc3339(from_db_time(updated)),
        detail: None,
    }
}

/// An article as every article read and command returns it (the detail view adds its
/// body, draft, versions, comments and linked tickets).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    /// The commands it takes now (empty once archived).
    pub actions: &'static [&'static str],
    /// Whether the article search finds it (published): a draft is not, and still takes
    /// commands; an archived article takes none.
    pub searchable: bool,
    /// The id.
    pub id: String,
    /// Category.
    pub category: String,
    /// URL slug.
    pub slug: String,
    /// `draft`, `published` or `archived`.
    pub status: String,
    /// Title (of the live version, else of the draft).
    pub title: String,
    /// The live version's number.
    pub current_version: Option<u32>,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// The detail part (detail view).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub detail: Option<ArticleDetailView>,
}

/// The detail part of an article's view.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleDetailView {
    /// The live version's body, else the draft's.
    pub body: Option<String>,
    /// The draft.
    pub draft: Option<DraftView>,
    /// Published versions, newest first.
    pub versions: Vec<VersionView>,
    /// Comments, oldest first (hidden ones flagged).
    pub comments: Vec<CommentView>,
    /// Tickets it is linked to.
    pub linked_tickets: Vec<LinkedTicketView>,
}

/// An article's draft.
#[derive(Debug, Clone, Serialize)]
pub struct DraftView {
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
}

/// A published version.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    /// Its number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// The version it restored, if any.
    pub restored_from: Option<u32>,
    /// Whether it is the one search finds.
    pub live: bool,
    /// When (RFC 3339).
    pub published_at: String,
}

/// A comment on an article.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    /// The comment.
    pub id: String,
    /// Its author.
    pub author_id: String,
    /// The author's name.
    pub author_name: Option<String>,
    /// The text.
    pub body: String,
    /// Hidden by a moderator.
    pub hidden: bool,
    /// Who hid it.
    pub hidden_by: Option<String>,
    /// Why.
    pub hidden_reason: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A ticket an article is linked to.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedTicketView {
    /// The ticket.
    pub ticket_id: String,
    /// Its subject.
    pub subject: Option<String>,
    /// When it was linked (RFC 3339).
    pub linked_at: String,
}

/// A category with its article counts.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    /// The category.
    pub category: String,
    /// Its articles.
    pub articles: u64,
    /// Its published articles.
    pub published: u64,
}

/// A search hit.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHitView {
    /// The article.
    pub id: String,
    /// The live version's title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// Category.
    pub category: String,
    /// The live version's number.
    pub version: u32,
    /// Relevance.
    pub score: f64,
    /// The body's first 300 characters.
    pub snippet: String,
}

fn bad_row(_: pet_core::DomainError) -> AppError {
    internal("stored article row")
}

/// Knowledge articles: restored from their rows (article, versions, comments, links);
/// saved back with a version check, one row per new version, comment and link. `live` is
/// the version row that was live when the command started.
pub(crate) struct Articles<'a> {
    pub(crate) app: &'a App,
    pub(crate) live: Option<u32>,
}

impl Repository<KnowledgeArticle> for Articles<'_> {
    const NAME: &'static str = "article";
    async fn load(
        &self,
        tx: &mut Transaction<'_>,
        id: Uuid,
    ) -> Result<Option<KnowledgeArticle>, AppError> {
        let t = self.app.helpdesk_tables();
        crate::command::found(self.app.knowledge().hd_load_article(tx, &t, id).await)
    }
    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &KnowledgeArticle,
        events: &[KnowledgeEvent],
    ) -> Result<(), AppError> {
        let t = self.app.helpdesk_tables();
        let id = after.id().as_uuid();
        let is_new = before == 0;
        let mut live = self.live;
        let nowdb = to_db_time(cx.now());
        let current = after.current().map(|v| v.number.get());
        let published = i64::from(after.status().as_str() == "published");
        if is_new {
            // The category's totals (migration 0012).
            cx.uow()
                .tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (category, articles, published) VALUES (?, 1, ?) \
                         ON DUPLICATE KEY UPDATE articles = articles + 1, published = published + VALUES(published)",
                        t.category_totals
                    ),
                    (after.category().as_str(), published),
                )
                .await
                .map_err(db)?;
            cx.uow().insert(
                &format!(
                    "INSERT INTO {} (id, category, slug, status, title, draft_title, draft_body, current_version, \
                     version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.articles
                ),
                vec![
                    SqlValue::from(id.to_string()),
                    after.category().as_str().into(),
                    after.slug().as_str().into(),
                    after.status().as_str().into(),
                    after.content().title.as_str().into(),
                    after.draft().title.as_str().into(),
                    after.draft().body.as_str().into(),
                    current.into(),
                    after.version().into(),
                    nowdb.into(),
                    nowdb.into(),
                ],
                |key| match key {
                    "uq_knowledge_slug" => StorageError::Taken {
                        field: "slug".into(),
                        message: "is already used by another article".into(),
                    },
                    other => StorageError::Conflict(format!("duplicate {other}")),
                },
            )
            .await?;
        } else {
            // The published count moves when the status enters or leaves `published` (the
            // row still holds the status before this update).
            cx.uow()
                .tx().await?
                .exec_drop(
                    format!(
                        "UPDATE {totals} c JOIN {articles} a ON a.id = ? AND a.version = ? \
                         AND (a.status = 'published') <> ? \
                         SET c.published = c.published + IF(? = 1, 1, -1) WHERE c.category = a.category",
                        totals = t.category_totals,
                        articles = t.articles
                    ),
                    (id.to_string(), before, published, published),
                )
                .await
                .map_err(db)?;
            cx.uow().update_versioned(
                &format!(
                    "UPDATE {} SET status = ?, title = ?, current_version = ?, version = ?, updated_at = ? \
                     WHERE id = ? AND version = ?",
                    t.articles
                ),
                vec![
                    SqlValue::from(after.status().as_str()),
                    after.content().title.as_str().into(),
                    current.into(),
                    after.version().into(),
                    nowdb.into(),
                    id.to_string().into(),
                    before.into(),
                ],
                "article",
            )
            .await?;
        }
        for ev in events {
            match ev {
                KnowledgeEvent::VersionPublished(p) => {
                    if let Some(n) = live {
                        self.app
                            .knowledge()
                            .hd_clear_live(cx.uow(), &t, id, n)
                            .await?;
                    }
                    let v = &p.version;
                    live = Some(v.number.get());
                    cx.uow().insert(
                        &format!(
                            "INSERT INTO {} (article_id, number, title, body, restored_from, live, published_at) \
                             VALUES (?, ?, ?, ?, ?, 1, ?)",
                            t.article_versions
                        ),
                        (
                            id.to_string(),
                            v.number.get(),
                            v.content.title.as_str(),
                            v.content.body.as_str(),
                            v.restored_from.map(KnowledgeVersionNumber::get),
                            nowdb,
                        ),
                        |_| StorageError::Conflict("this article version was published concurrently".into()),
                    )
                    .await?;
                }
                KnowledgeEvent::ArticleArchived(_) => {
                    if let Some(n) = live.take() {
                        self.app
                            .knowledge()
                            .hd_clear_live(cx.uow(), &t, id, n)
                            .await?;
                    }
                }
                KnowledgeEvent::CommentAdded(p) => {
                    cx.tx().await?
                        .exec_drop(
                            format!(
                                "INSERT INTO {} (id, article_id, author_id, body, hidden, created_at) VALUES (?, ?, ?, ?, 0, ?)",
                                t.article_comments
                            ),
                            (p.comment_id.to_string(), id.to_string(), p.author_id.to_string(), p.body.as_str(), nowdb),
                        )
                        .await
                        .map_err(db)?;
                }
                KnowledgeEvent::CommentHidden(p) => {
                    cx.tx().await?
                        .exec_drop(
                            format!(
                                "UPDATE {} SET hidden = 1, hidden_by = ?, hidden_reason = ?, hidden_at = ? \
                                 WHERE id = ? AND article_id = ?",
                                t.article_comments
                            ),
                            (
                                p.moderator_id.to_string(),
                                p.reason.as_str(),
                                nowdb,
                                p.comment_id.to_string(),
                                id.to_string(),
                            ),
                        )
                        .await
                        .map_err(db)?;
                }
                KnowledgeEvent::LinkedToTicket(p) => {
                    cx.tx().await?
                        .exec_drop(
                            format!(
                                "INSERT INTO {} (article_id, ticket_id, linked_at) VALUES (?, ?, ?)",
                                t.article_links
                            ),
                            (id.to_string(), p.ticket_id.to_string(), nowdb),
                        )
                        .await
                        .map_err(db)?;
                }
                KnowledgeEvent::ArticleCreated(_) => {}
            }
        }
        Ok(())
    }
}

/// The module declares no job kinds.
pub(crate) fn run_job<'a>(_app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move { Err(unknown_job(job)) })
}

impl Knowledge<'_> {
    async fn hd_load_article(
        &self,
        tx: &mut Transaction<'_>,
        t: &HelpdeskTables,
        id: Uuid,
    ) -> Result<KnowledgeArticle, AppError> {
        type Head = (String, String, String, String, String, u64);
        let head: Option<Head> = tx
            .exec_first(
                format!(
                    "SELECT category, slug, status, draft_title, draft_body, version FROM {} WHERE id = ? FOR UPDATE",
                    t.articles
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let (category, slug, status, dtitle, dbody, version) =
            head.ok_or_else(|| AppError::NotFound(format!("article {id}")))?;
        let versions: Vec<(u32, String, String, Option<u32>)> = tx
            .exec(
                format!(
                    "SELECT number, title, body, restored_from FROM {} WHERE article_id = ? ORDER BY number",
                    t.article_versions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let comments: Vec<(String, String, String, u8)> = tx
            .exec(
                format!(
                    "SELECT id, author_id, body, hidden FROM {} WHERE article_id = ? ORDER BY created_at, id",
                    t.article_comments
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let links: Vec<String> = tx
            .exec(
                format!(
                    "SELECT ticket_id FROM {} WHERE article_id = ?",
                    t.article_links
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let uuid = |s: &str| Uuid::parse_str(s).map_err(|_| internal("stored id"));
        let num = |n: u32| KnowledgeVersionNumber::new(n).map_err(bad_row);
        let mut vs = Vec::with_capacity(versions.len());
        for (n, title, body, from) in versions {
            vs.push(ArticleVersion {
                number: num(n)?,
                content: ArticleContent {
                    title: Name::new(&title).map_err(bad_row)?,
                    body: ArticleBody::new(&body).map_err(bad_row)?,
                },
                restored_from: from.map(num).transpose()?,
            });
        }
        let mut cs = Vec::with_capacity(comments.len());
        for (cid, author, body, hidden) in comments {
            cs.push(Comment {
                comment_id: CommentId::from_uuid(uuid(&cid)?),
                author_id: EmployeeId::from_uuid(uuid(&author)?),
                body: CommentBody::new(&body).map_err(bad_row)?,
                hidden: hidden != 0,
            });
        }
        let mut linked = BTreeSet::new();
        for l in links {
            linked.insert(TicketId::from_uuid(uuid(&l)?));
        }
        let status = match status.as_str() {
            "draft" => ArticleStatus::Draft,
            "published" => ArticleStatus::Published,
            "archived" => ArticleStatus::Archived,
            _ => return Err(internal("article status")),
        };
        Ok(KnowledgeArticle::restore(ArticleRow {
            id: ArticleId::from_uuid(id),
            category: Name::new(&category).map_err(bad_row)?,
            slug: Slug::new(&slug).map_err(bad_row)?,
            draft: ArticleContent {
                title: Name::new(&dtitle).map_err(bad_row)?,
                body: ArticleBody::new(&dbody).map_err(bad_row)?,
            },
            status,
            versions: vs,
            comments: cs,
            linked_tickets: linked,
            version,
        }))
    }

    async fn hd_article_view<Q: Queryable>(
        &self,
        q: &mut Q,
        t: &HelpdeskTables,
        id: Uuid,
        detail: bool,
    ) -> Result<Value, AppError> {
        let head: Option<ArticleHead> = q
            .exec_first(
                format!("SELECT {ARTICLE_HEAD} FROM {} WHERE id = ?", t.articles),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some(head) = head else {
            return Err(AppError::NotFound(format!("article {id}")));
        };
        let mut view = article_view(head);
        if detail {
            view.detail = Some(
                self.hd_article_detail(q, t, &view.id, view.current_version)
                    .await?,
            );
        }
        serde_json::to_value(view).map_err(|e| internal(&format!("article view: {e}")))
    }

    /// The detail part of an article's view: body, draft, versions, comments, links.
    async fn hd_article_detail<Q: Queryable>(
        &self,
        q: &mut Q,
        t: &HelpdeskTables,
        id_s: &str,
        current: Option<u32>,
    ) -> Result<ArticleDetailView, AppError> {
        let draft: Option<(String, String)> = q
            .exec_first(
                format!(
                    "SELECT draft_title, draft_body FROM {} WHERE id = ?",
                    t.articles
                ),
                (id_s,),
            )
            .await
            .map_err(db)?;
        let versions: Vec<VersionRow> = q
            .exec(
                format!(
                    "SELECT number, title, body, restored_from, live, published_at FROM {} \
                     WHERE article_id = ? ORDER BY number DESC",
                    t.article_versions
                ),
                (id_s,),
            )
            .await
            .map_err(db)?;
        let comments: Vec<CommentRow> = q
            .exec(
                format!(
                    "SELECT c.id, c.author_id, e.name, c.body, c.hidden, c.hidden_by, c.hidden_reason, c.created_at \
                     FROM {} c LEFT JOIN {} e ON e.id = c.author_id WHERE c.article_id = ? ORDER BY c.created_at, c.id",
                    t.article_comments,
                    self.tables().employees
                ),
                (id_s,),
            )
            .await
            .map_err(db)?;
        let links: Vec<(String, Option<String>, NaiveDateTime)> = q
            .exec(
                format!(
                    "SELECT l.ticket_id, tk.subject, l.linked_at FROM {} l LEFT JOIN {} tk ON tk.id = l.ticket_id \
                     WHERE l.article_id = ? ORDER BY l.linked_at",
                    t.article_links, t.tickets
                ),
                (id_s,),
            )
            .await
            .map_err(db)?;
        let body = versions
            .iter()
            .find(|r| Some(r.0) == current)
            .map(|r| r.2.clone())
            .or_else(|| draft.as_ref().map(|d| d.1.clone()));
        Ok(ArticleDetailView {
            body,
            draft: draft.map(|d| DraftView {
                title: d.0,
                body: d.1,
            }),
            versions: versions
                .into_iter()
                .map(|r| VersionView {
                    number: r.0,
                    title: r.1,
                    body: r.2,
                    restored_from: r.3,
                    live: r.4 != 0,
                    published_at: rfc3339(from_db_time(r.5)),
                })
                .collect(),
            comments: comments
                .into_iter()
                .map(|c| CommentView {
                    id: c.0,
                    author_id: c.1,
                    author_name: c.2,
                    body: c.3,
                    hidden: c.4 != 0,
                    hidden_by: c.5,
                    hidden_reason: c.6,
                    created_at: rfc3339(from_db_time(c.7)),
                })
                .collect(),
            linked_tickets: links
                .into_iter()
                .map(|l| LinkedTicketView {
                    ticket_id: l.0,
                    subject: l.1,
                    linked_at: rfc3339(from_db_time(l.2)),
                })
                .collect(),
        })
    }

    /// Takes version `number` of article `id` off the search (`live = 0`), by primary key.
    async fn hd_clear_live(
        &self,
        uow: &mut UnitOfWork<'_>,
        t: &HelpdeskTables,
        id: Uuid,
        number: u32,
    ) -> Result<(), AppError> {
        uow.tx()
            .await?
            .exec_drop(
                format!(
                    "UPDATE {} SET live = 0 WHERE article_id = ? AND number = ?",
                    t.article_versions
                ),
                (id.to_string(), number),
            )
            .await
            .map_err(db)
    }

    async fn hd_article_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmds: Vec<ArticleCommand>,
    ) -> Result<Value, AppError> {
        command!(self, ctx, command, &request, |cx| {
            let t = self.helpdesk_tables();
            let is_new = matches!(cmds.first(), Some(ArticleCommand::Create { .. }));
            let state = if is_new {
                None
            } else {
                Some(self.hd_load_article(cx.tx().await?, &t, id).await?)
            };
            // The version row that is live now (`live = 1`), if any: publishing or archiving
            // clears it by its primary key. A range condition (`WHERE article_id = ?`) would
            // also lock the gap after the article's rows — for the newest article that is the
            // gap every concurrent insert of a new article lands in, and two concurrent
            // creates deadlocked on it.
            let live = state
                .as_ref()
                .filter(|a| a.status() == ArticleStatus::Published)
                .and_then(KnowledgeArticle::current)
                .map(|v| v.number.get());
            for cmd in &cmds {
                if let ArticleCommand::LinkTicket { ticket_id } = cmd {
                    let exists: Option<u8> = cx
                        .tx()
                        .await?
                        .exec_first(
                            format!("SELECT 1 FROM {} WHERE id = ?", t.tickets),
                            (ticket_id.to_string(),),
                        )
                        .await
                        .map_err(db)?;
                    if exists.is_none() {
                        return Err(AppError::NotFound(format!("ticket {ticket_id}")));
                    }
                }
            }
            let decided = cx.decide(state, &cmds, &())?;
            cx.save(&Articles { app: self, live }, &decided).await?;
            self.hd_article_view(cx.tx().await?, &t, id, true).await
        })
    }

    fn hd_actor_employee(ctx: &CommandContext, field: &str) -> Result<EmployeeId, AppError> {
        ctx.actor_id
            .map(EmployeeId::from_uuid)
            .ok_or_else(|| AppError::field(field, "needs an actor_id (an employee) in the context"))
    }

    /// Creates an article as a draft: `{category, slug, title, body, publish?: bool}`; with
    /// `publish` true version 1 is published at once.
    pub async fn create_article(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let CreateArticle {
            category,
            slug,
            title,
            body,
            publish,
        } = CreateArticle::parse(input, "input")?;
        let content = ArticleContent { title, body };
        let id = Uuid::now_v7();
        let mut cmds = vec![ArticleCommand::Create {
            id: ArticleId::from_uuid(id),
            category,
            slug,
            content: content.clone(),
        }];
        if publish {
            cmds.push(ArticleCommand::Publish { content });
        }
        self.hd_article_command(ctx, "create_article", input.clone(), id, cmds)
            .await
    }

    /// Publishes content as the next version (first publish or an edit): `{title, body}`.
    pub async fn publish_article(
        &self,
        article_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("article_id", article_id)?;
        let ArticleInput { title, body } = ArticleInput::parse(input, "input")?;
        let content = ArticleContent { title, body };
        self.hd_article_command(
            ctx,
            "publish_article",
            json!({"id": id, "input": input}),
            id,
            vec![ArticleCommand::Publish { content }],
        )
        .await
    }

    /// Publishes an older version's content again as a new version: `{number,
    /// article_id?}` (`article_id` names the version's article; it must be this one).
    pub async fn restore_article_version(
        &self,
        article_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("article_id", article_id)?;
        let r = RestoreVersion::parse(input, "input")?;
        let of = r.article_id.unwrap_or(ArticleId::from_uuid(id));
        let number = r.number;
        self.hd_article_command(
            ctx,
            "restore_article_version",
            json!({"id": id, "input": input}),
            id,
            vec![ArticleCommand::Restore {
                version: VersionRef {
                    article_id: of,
                    number,
                },
            }],
        )
        .await
    }

    /// Archives an article (final; it leaves search).
    pub async fn archive_article(
        &self,
        article_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("article_id", article_id)?;
        self.hd_article_command(
            ctx,
            "archive_article",
            json!({"id": id}),
            id,
            vec![ArticleCommand::Archive],
        )
        .await
    }

    /// Adds a comment by the actor: `{body}`.
    pub async fn comment_on_article(
        &self,
        article_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("article_id", article_id)?;
        let body = CommentInput::parse(input, "input")?.body;
        let author_id = Self::hd_actor_employee(ctx, "actor_id")?;
        self.hd_article_command(
            ctx,
            "comment_on_article",
            json!({"id": id, "input": input}),
            id,
            vec![ArticleCommand::Comment {
                comment_id: CommentId::from_uuid(Uuid::now_v7()),
                author_id,
                body,
            }],
        )
        .await
    }

    /// Hides a comment (moderation by the actor): `{reason?}`.
    pub async fn hide_article_comment(
        &self,
        article_id: &str,
        comment_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("article_id", article_id)?;
        let cid = arg_uuid("comment_id", comment_id)?;
        let reason = HideInput::parse(input, "input")?.reason;
        let moderator_id = Self::hd_actor_employee(ctx, "actor_id")?;
        self.hd_article_command(
            ctx,
            "hide_article_comment",
            json!({"id": id, "comment_id": cid, "input": input}),
            id,
            vec![ArticleCommand::HideComment {
                comment_id: CommentId::from_uuid(cid),
                moderator_id,
                reason,
            }],
        )
        .await
    }

    /// Links an article to a ticket it helped resolve.
    pub async fn link_article_to_ticket(
        &self,
        article_id: &str,
        ticket_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("article_id", article_id)?;
        let tid = arg_uuid("ticket_id", ticket_id)?;
        self.hd_article_command(
            ctx,
            "link_article_to_ticket",
            json!({"id": id, "ticket_id": tid}),
            id,
            vec![ArticleCommand::LinkTicket {
                ticket_id: TicketId::from_uuid(tid),
            }],
        )
        .await
    }

    /// One article with versions (newest first), comments (hidden ones flagged) and links.
    pub async fn get_article(&self, article_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("article_id", article_id)?;
        let t = self.helpdesk_tables();
        let mut conn = self.read_conn().await?;
        self.hd_article_view(&mut conn, &t, id, true).await
    }

    /// Articles: `{category?, status?, search? (title), page?, per_page?}`, by category
    /// then title.
    pub async fn list_articles(&self, query: &Value) -> Result<Value, AppError> {
        let q = ArticleQuery::parse(query, "query")?;
        let search = TextSearch::new(q.search.as_deref(), &["title"]);
        let order = list_order(
            search.as_ref(),
            &[("category", false), ("title", false), ("id", false)],
        );
        let req = q.paging.request(&order)?;
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(s) = q.status.0 {
            conds.push("status = ?".into());
            params.push(s.0.as_str().into());
        }
        if let Some(c) = q.category.0 {
            conds.push("category = ?".into());
            params.push(c.into());
        }
        let t = self.helpdesk_tables();
        let mut conn = self.read_conn().await?;
        let (rows, total) = FlatList {
            from: t.articles.clone(),
            columns: ARTICLE_HEAD,
            conds,
            params,
            order: &order,
            req: &req,
            search,
        }
        .read(&mut conn, self.inner.search_scan)
        .await?;
        let rows = rows
            .into_iter()
            .map(|(k, r)| {
                mysql_async::from_row_opt::<ArticleHead>(r)
                    .map(|h| (k, article_view(h)))
                    .map_err(|e| internal(&e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        page_value(req.finish(rows, total))
    }

    /// Categories with their article counts: `{items: [{category, articles, published}]}`.
    pub async fn list_article_categories(&self) -> Result<Value, AppError> {
        let t = self.helpdesk_tables();
        let mut conn = self.read_conn().await?;
        // The totals kept per category (migration 0012): one row each, at any size.
        let rows: Vec<(String, u64, u64)> = conn
            .query(format!(
                "SELECT category, articles, published FROM {} WHERE articles > 0 ORDER BY category",
                t.category_totals
            ))
            .await
            .map_err(db)?;
        let items: Vec<CategoryView> = rows
            .into_iter()
            .map(|r| CategoryView {
                category: r.0,
                articles: r.1,
                published: r.2,
            })
            .collect();
        Ok(json!({ "items": items }))
    }

    /// Full-text search over the live version of published articles: `{q, category?,
    /// page?, per_page?}`, best match first; items `{id, title, slug, category, version,
    /// score, snippet}`. Articles containing every word of `q` are found first (boolean
    /// mode, `+word …`); only when none contains them all does the search fall back to
    /// articles containing any of the words (natural-language mode). Requiring every
    /// word is what people expect of a search box, and it is also what keeps the search
    /// fast: a query with one very common word ranks a fraction of the articles instead
    /// of nearly all of them.
    pub async fn search_articles(&self, query: &Value) -> Result<Value, AppError> {
        let q = SearchQuery::parse(query, "query")?;
        let text = q.q.as_str();
        let category = q.category.0.as_deref();
        let page = q.page.with(q.per_page);
        let mut conn = self.read_conn().await?;
        // A large knowledge base answers words found in many articles from a bounded scan,
        // newest first: ranking them all would cost what their number costs.
        if let Some((rows, more)) = self
            .hd_search_common(&mut conn, text, category, &page)
            .await?
        {
            let shown = rows.len() as u64;
            let items = rows
                .into_iter()
                .map(search_hit_json)
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = page.wrap(items, page.offset() + shown + u64::from(more));
            out["total_exact"] = json!(false);
            out["ranked"] = json!(false);
            return Ok(out);
        }
        let (rows, total) = match all_words(text) {
            Some(all) => {
                let hit = self
                    .hd_search(&mut conn, &all, "BOOLEAN", category, &page)
                    .await?;
                if hit.1 > 0 {
                    hit
                } else {
                    self.hd_search(&mut conn, text, "NATURAL LANGUAGE", category, &page)
                        .await?
                }
            }
            None => {
                self.hd_search(&mut conn, text, "NATURAL LANGUAGE", category, &page)
                    .await?
            }
        };
        let items = rows
            .into_iter()
            .map(search_hit_json)
            .collect::<Result<_, _>>()?;
        let mut out = page.wrap(items, total);
        out["total_exact"] = json!(true);
        out["ranked"] = json!(true);
        Ok(out)
    }

    /// The search's page from a bounded scan of the live versions, newest article first,
    /// when the knowledge base is large (more than [`RANK_ALL_SCANS`] times the scan budget
    /// of published articles in the searched category) and the scan fills the page: every
    /// word of `text` starts a word of the title or the body. `None` otherwise (a small base, or words too rare for the
    /// scan: the FULLTEXT index ranks them cheaply). The flag: more hits follow.
    async fn hd_search_common(
        &self,
        conn: &mut mysql_async::Conn,
        text: &str,
        category: Option<&str>,
        page: &Page,
    ) -> Result<Option<(Vec<SearchHit>, bool)>, AppError> {
        let t = self.helpdesk_tables();
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .take(8)
            .collect();
        if words.is_empty() {
            return Ok(None);
        }
        let published: Option<i64> = match category {
            Some(c) => conn
                .exec_first(
                    format!(
                        "SELECT CAST(SUM(published) AS SIGNED) FROM {} WHERE category = ?",
                        t.category_totals
                    ),
                    (c,),
                )
                .await
                .map_err(db)?,
            None => conn
                .query_first(format!(
                    "SELECT CAST(SUM(published) AS SIGNED) FROM {}",
                    t.category_totals
                ))
                .await
                .map_err(db)?,
        };
        if published.unwrap_or(0) <= i64::from(self.inner.search_scan) * RANK_ALL_SCANS {
            return Ok(None);
        }
        let mut conds = vec!["v.live = 1".to_owned()];
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(c) = category {
            conds.push("a.category = ?".into());
            params.push(c.into());
        }
        for w in &words {
            conds.push("(v.title REGEXP ? OR v.body REGEXP ?)".into());
            params.push(format!("\\b{w}").into());
            params.push(format!("\\b{w}").into());
        }
        params.push(u64::from(page.per_page + 1).into());
        params.push(page.offset().into());
        let scanned = conn
            .exec::<SearchHit, _, _>(
                format!(
                    "SELECT a.id, v.title, a.slug, a.category, v.number, 0e0, LEFT(v.body, 300), 0 \
                     FROM {} v JOIN {} a ON a.id = v.article_id WHERE {} \
                     ORDER BY v.article_id DESC, v.number DESC LIMIT ? OFFSET ? ROWS EXAMINED {}",
                    t.article_versions,
                    t.articles,
                    conds.join(" AND "),
                    self.inner.search_scan
                ),
                params,
            )
            .await;
        let mut rows = match scanned {
            // Cut short by the budget: the words are too rare for a scan.
            Ok(_) if conn.get_warnings() != 0 => return Ok(None),
            Ok(rows) => rows,
            Err(e) if crate::db::server_code(&e) == Some(crate::paging::SORT_ABORTED) => {
                return Ok(None)
            }
            Err(e) => return Err(db(e)),
        };
        if rows.is_empty() && page.offset() == 0 {
            // Nothing found and nothing cut: the index answers (and says so exactly).
            return Ok(None);
        }
        let more = rows.len() > page.per_page as usize;
        rows.truncate(page.per_page as usize);
        Ok(Some((rows, more)))
    }

    /// One page of full-text hits for `against` in `mode` (`BOOLEAN` or `NATURAL
    /// LANGUAGE`) and the number of hits. One full-text evaluation: the inner query ranks
    /// the matching live versions and counts them (`COUNT(*) OVER ()`) reading only ids
    /// and scores; titles, bodies and slugs are read for the page of hits only.
    async fn hd_search(
        &self,
        conn: &mut mysql_async::Conn,
        against: &str,
        mode: &str,
        category: Option<&str>,
        page: &Page,
    ) -> Result<(Vec<SearchHit>, u64), AppError> {
        let t = self.helpdesk_tables();
        let (cat_join, cat_sql) = match category {
            Some(_) => (
                format!(" JOIN {} c ON c.id = v.article_id", t.articles),
                " AND c.category = ?",
            ),
            None => (String::new(), ""),
        };
        let mut params: Vec<SqlValue> = vec![against.into(), against.into()];
        if let Some(c) = category {
            params.push(c.into());
        }
        let filter_params = params[1..].to_vec();
        params.push(u64::from(page.per_page).into());
        params.push(page.offset().into());
        let rows: Vec<SearchHit> = conn
            .exec(
                format!(
                    "SELECT a.id, v.title, a.slug, a.category, v.number, h.score, LEFT(v.body, 300), h.total \
                     FROM (SELECT v.article_id, v.number, \
                             MATCH(v.title, v.body) AGAINST (? IN {mode} MODE) AS score, \
                             COUNT(*) OVER () AS total \
                           FROM {versions} v{cat_join} \
                           WHERE MATCH(v.title, v.body) AGAINST (? IN {mode} MODE) AND v.live = 1{cat_sql} \
                           ORDER BY score DESC, v.article_id LIMIT ? OFFSET ?) h \
                     JOIN {versions} v ON v.article_id = h.article_id AND v.number = h.number \
                     JOIN {articles} a ON a.id = h.article_id \
                     ORDER BY h.score DESC, a.id",
                    versions = t.article_versions,
                    articles = t.articles
                ),
                params,
            )
            .await
            .map_err(db)?;
        // A page past the end has no rows to carry the count: count separately then.
        let total = match rows.first() {
            Some(r) => r.7,
            None if page.offset() > 0 => conn
                .exec_first::<u64, _, _>(
                    format!(
                        "SELECT COUNT(*) FROM {} v{cat_join} \
                         WHERE MATCH(v.title, v.body) AGAINST (? IN {mode} MODE) AND v.live = 1{cat_sql}",
                        t.article_versions
                    ),
                    filter_params,
                )
                .await
                .map_err(db)?
                .unwrap_or(0),
            None => 0,
        };
        Ok((rows, total))
    }
}

/// A search hit: id, title, slug, category, version, score, snippet, total hits.
type SearchHit = (String, String, String, String, u32, f64, String, u64);

/// Up to this many times the scan budget of published articles (in the searched category;
/// 10,000 by default) a search ranks every article that has its words (FULLTEXT, relevance
/// first); a larger base answers words found in many articles from a bounded scan, newest
/// first (see `search_articles`).
const RANK_ALL_SCANS: i64 = 5;

fn search_hit_json(r: SearchHit) -> Result<Value, AppError> {
    serde_json::to_value(SearchHitView {
        id: r.0,
        title: r.1,
        slug: r.2,
        category: r.3,
        version: r.4,
        score: r.5,
        snippet: r.6,
    })
    .map_err(|e| internal(&format!("search hit: {e}")))
}

/// `q` as a boolean-mode query requiring every indexed word (`+word +word`), or `None`
/// when it has no word the index holds (shorter than 3 characters, or a stopword). The
/// words are letters and digits only, so no boolean operator survives from the input.
fn all_words(q: &str) -> Option<String> {
    let words: Vec<String> = crate::paging::fulltext_words(q).collect();
    if words.is_empty() {
        None
    } else {
        Some(
            words
                .iter()
                .map(|w| format!("+{w}"))
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

#[cfg(test)]
mod search_tests {
    use super::all_words;

    #[test]
    fn all_words_requires_each_indexed_word_and_drops_operators() {
        assert_eq!(
            all_words("Reset my password!").as_deref(),
            Some("+reset +password")
        );
        assert_eq!(
            all_words("\"vpn\" -timeout +(x*)").as_deref(),
            Some("+vpn +timeout")
        );
        assert_eq!(all_words("how to do it"), None);
        assert_eq!(
            all_words("Überweisung fehlgeschlagen").as_deref(),
            Some("+überweisung +fehlgeschlagen")
        );
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;

    fn errors(r: Result<impl std::fmt::Debug, AppError>) -> pet_core::FieldErrors {
        match r {
            Err(AppError::Validation(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn search_query_trims_and_pages() {
        let q = SearchQuery::parse(&json!({"q": "  vpn  ", "category": ""}), "query").unwrap();
        assert_eq!(q.q.as_str(), "vpn");
        assert_eq!(q.category.0, None);
        assert_eq!((q.page.0, q.per_page.0), (1, 20));
        let q = SearchQuery::parse(
            &json!({"q": "vpn", "category": "Network", "page": 3, "per_page": 100}),
            "query",
        )
        .unwrap();
        assert_eq!(q.category.0.as_deref(), Some("Network"));
        assert_eq!((q.page.0, q.per_page.0), (3, 100));
    }

    #[test]
    fn search_query_reports_every_bad_field() {
        let f = errors(SearchQuery::parse(&json!({"page": "2"}), "query"));
        assert_eq!(f.get("q"), Some("is required"));
        assert_eq!(f.get("page"), Some("must be an integer"));
        for bad in [json!("   "), json!("x".repeat(201))] {
            let f = errors(SearchQuery::parse(
                &json!({"q": bad, "per_page": 0}),
                "query",
            ));
            assert_eq!(f.get("q"), Some("must be 1-200 characters"));
            assert_eq!(f.get("per_page"), Some("must be between 1 and 100"));
        }
        let f = errors(SearchQuery::parse(&json!({"q": 5, "category": 1}), "query"));
        assert_eq!(f.get("q"), Some("must be a string"));
        assert_eq!(f.get("category"), Some("must be a string"));
    }

    #[test]
    fn article_query_filters() {
        let q = ArticleQuery::parse(&json!({"status": "", "category": ""}), "query").unwrap();
        assert_eq!((q.status.0, q.category.0), (None, None));
        let q =
            ArticleQuery::parse(&json!({"status": "archived", "search": "vpn"}), "query").unwrap();
        assert_eq!(
            q.status.0,
            Some(ArticleStatusFilter(ArticleStatus::Archived))
        );
        assert_eq!(q.search.as_deref(), Some("vpn"));
        let f = errors(ArticleQuery::parse(
            &json!({"status": "gone", "page": 0}),
            "query",
        ));
        assert_eq!(
            f.get("status"),
            Some("must be draft, published or archived")
        );
        assert_eq!(f.get("page"), Some("must be between 1 and 1000000"));
    }
}
