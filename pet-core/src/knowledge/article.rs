//! The KnowledgeArticle aggregate: category, slug, immutable numbered versions
//! (`draft → published → archived`), restore-as-new-version, append-only comments a
//! moderator can hide, and links to the tickets an article helped resolve.

use crate::aggregate::domain_events;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{ArticleId, CommentId, KnowledgeVersionNumber};
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};
use crate::helpdesk::values::long_text;
use crate::helpdesk::TicketId;
use crate::identity::{EmployeeId, Name};

/// The aggregate type of knowledge articles.
pub const AGGREGATE_TYPE: &str = "knowledge_article";

/// A URL slug: 1–100 characters of lowercase letters, digits and single hyphens, not
/// starting or ending with a hyphen (e.g. `reset-your-password`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// Validates a slug given as input field `slug`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= 100
            && t.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(DomainError::field(
                "slug",
                "must be 1-100 lowercase letters, digits and single hyphens",
            ))
        }
    }
    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The body of an article version: trimmed, 1–100,000 characters (Markdown or HTML as
/// the editor produces it; rendering is not the domain's business).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ArticleBody(String);

impl ArticleBody {
    /// Longest accepted body, in characters.
    pub const MAX_CHARS: usize = 100_000;
    /// Validates a body given as input field `body`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        long_text("body", s, Self::MAX_CHARS).map(Self)
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ArticleBody {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<ArticleBody> for String {
    fn from(b: ArticleBody) -> String {
        b.0
    }
}

/// The text of a comment: trimmed, 1–5,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommentBody(String);

impl CommentBody {
    /// Validates a comment given as input field `body`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        long_text("body", s, 5000).map(Self)
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CommentBody {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<CommentBody> for String {
    fn from(b: CommentBody) -> String {
        b.0
    }
}

/// The content of an article: title and body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleContent {
    /// Title (1–200 characters).
    pub title: Name,
    /// Body.
    pub body: ArticleBody,
}

/// Where an article is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    /// Created, no version published yet.
    Draft,
    /// Its latest version is live.
    Published,
    /// Retired; takes no changes.
    Archived,
}

impl ArticleStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// Parses a stored status.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "draft" => Ok(Self::Draft),
            "published" => Ok(Self::Published),
            "archived" => Ok(Self::Archived),
            _ => Err(DomainError::field(
                "status",
                "must be draft, published or archived",
            )),
        }
    }

    /// Whether the article search finds it (only a published article): a screen tells a
    /// draft (not searchable, still takes commands) from an archived article (takes none).
    pub fn is_searchable(self) -> bool {
        self == Self::Published
    }

    /// The commands an article in this status takes (what a screen offers): an archived
    /// article takes none, a draft is not linked to tickets. A command can still be refused
    /// by its own rule (restoring needs a published version, hiding needs the comment).
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Self::Archived => &[],
            Self::Draft => &["publish", "restore", "archive", "comment", "hide_comment"],
            Self::Published => &[
                "publish",
                "restore",
                "archive",
                "comment",
                "hide_comment",
                "link_ticket",
            ],
        }
    }
}

/// One immutable published version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArticleVersion {
    /// Its number (1, 2, …).
    pub number: KnowledgeVersionNumber,
    /// Its content.
    pub content: ArticleContent,
    /// The older version it restores, if it is a restore.
    pub restored_from: Option<KnowledgeVersionNumber>,
}

/// A comment; never deleted, possibly hidden by a moderator.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Comment {
    /// The comment.
    pub comment_id: CommentId,
    /// Who wrote it.
    pub author_id: EmployeeId,
    /// The text.
    pub body: CommentBody,
    /// Hidden by a moderator.
    pub hidden: bool,
}

/// The current state of an article, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeArticle {
    id: ArticleId,
    category: Name,
    slug: Slug,
    draft: ArticleContent,
    status: ArticleStatus,
    versions: Vec<ArticleVersion>,
    comments: Vec<Comment>,
    linked_tickets: BTreeSet<TicketId>,
    version: u64,
}

/// The fields of an article as storage holds them, for [`KnowledgeArticle::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRow {
    /// The id.
    pub id: ArticleId,
    /// Category.
    pub category: Name,
    /// Slug.
    pub slug: Slug,
    /// The content the article was created with (its draft).
    pub draft: ArticleContent,
    /// Status.
    pub status: ArticleStatus,
    /// Published versions (any order).
    pub versions: Vec<ArticleVersion>,
    /// Comments in the order added.
    pub comments: Vec<Comment>,
    /// Linked tickets.
    pub linked_tickets: BTreeSet<TicketId>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl KnowledgeArticle {
    /// Rebuilds the state from stored rows.
    pub fn restore(mut row: ArticleRow) -> Self {
        row.versions.sort_by_key(|v| v.number);
        KnowledgeArticle {
            id: row.id,
            category: row.category,
            slug: row.slug,
            draft: row.draft,
            status: row.status,
            versions: row.versions,
            comments: row.comments,
            linked_tickets: row.linked_tickets,
            version: row.version,
        }
    }
    /// The id.
    pub fn id(&self) -> ArticleId {
        self.id
    }
    /// The category.
    pub fn category(&self) -> &Name {
        &self.category
    }
    /// The slug.
    pub fn slug(&self) -> &Slug {
        &self.slug
    }
    /// The content it was created with (shown while it is a draft).
    pub fn draft(&self) -> &ArticleContent {
        &self.draft
    }
    /// Draft, published or archived.
    pub fn status(&self) -> ArticleStatus {
        self.status
    }
    /// Every published version, oldest first.
    pub fn versions(&self) -> &[ArticleVersion] {
        &self.versions
    }
    /// The live version (the latest), if any.
    pub fn current(&self) -> Option<&ArticleVersion> {
        self.versions.last()
    }
    /// The current content: the latest version's, or the draft's.
    pub fn content(&self) -> &ArticleContent {
        self.current().map_or(&self.draft, |v| &v.content)
    }
    /// Comments in the order added (hidden ones included, flagged).
    pub fn comments(&self) -> &[Comment] {
        &self.comments
    }
    /// Tickets the article is linked to.
    pub fn linked_tickets(&self) -> &BTreeSet<TicketId> {
        &self.linked_tickets
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// A reference to one version of one article (what a restore names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VersionRef {
    /// The article the version belongs to.
    pub article_id: ArticleId,
    /// The version number.
    pub number: KnowledgeVersionNumber,
}

/// What can be asked of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleCommand {
    /// Creates the article as a draft.
    Create {
        /// The id, generated by the caller.
        id: ArticleId,
        /// Category.
        category: Name,
        /// Slug (uniqueness across articles is the store's job).
        slug: Slug,
        /// The draft content.
        content: ArticleContent,
    },
    /// Publishes content as the next version (the first publish or an edit); it must
    /// differ from the live version.
    Publish {
        /// The content to publish.
        content: ArticleContent,
    },
    /// Publishes an older version's content again, as a new version.
    Restore {
        /// The version to restore; must belong to this article.
        version: VersionRef,
    },
    /// Retires the article (final).
    Archive,
    /// Adds a comment.
    Comment {
        /// The comment id, generated by the caller.
        comment_id: CommentId,
        /// The author.
        author_id: EmployeeId,
        /// The text.
        body: CommentBody,
    },
    /// Hides a comment (moderation); it stays stored.
    HideComment {
        /// The comment.
        comment_id: CommentId,
        /// The moderator.
        moderator_id: EmployeeId,
        /// Why (may be empty).
        reason: crate::identity::Note,
    },
    /// Links the article to a ticket it helped resolve.
    LinkTicket {
        /// The ticket.
        ticket_id: TicketId,
    },
}

/// Payload of `knowledge.article_created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// No deny_unknown_fields: serde does not support it together with flatten.
pub struct ArticleCreated {
    /// The article.
    pub article_id: ArticleId,
    /// Category.
    pub category: Name,
    /// Slug.
    pub slug: Slug,
    /// The draft content.
    #[serde(flatten)]
    pub content: ArticleContent,
}

/// Payload of `knowledge.version_published`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// No deny_unknown_fields: serde does not support it together with flatten.
pub struct VersionPublished {
    /// The article.
    pub article_id: ArticleId,
    /// The version as published.
    #[serde(flatten)]
    pub version: ArticleVersion,
}

/// Payload of `knowledge.article_archived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleArchived {
    /// The article.
    pub article_id: ArticleId,
}

/// Payload of `knowledge.comment_added`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentAdded {
    /// The article.
    pub article_id: ArticleId,
    /// The comment.
    pub comment_id: CommentId,
    /// Who wrote it.
    pub author_id: EmployeeId,
    /// The text.
    pub body: CommentBody,
}

/// Payload of `knowledge.comment_hidden`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentHidden {
    /// The article.
    pub article_id: ArticleId,
    /// The comment.
    pub comment_id: CommentId,
    /// The moderator.
    pub moderator_id: EmployeeId,
    /// Why (may be empty).
    pub reason: crate::identity::Note,
}

/// Payload of `knowledge.linked_to_ticket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkedToTicket {
    /// The article.
    pub article_id: ArticleId,
    /// The ticket.
    pub ticket_id: TicketId,
}

domain_events! {
    /// Facts about a knowledge article.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum KnowledgeEvent {
        /// `knowledge.article_created`
        ArticleCreated(ArticleCreated) = "knowledge.article_created",
        /// `knowledge.version_published`
        VersionPublished(VersionPublished) = "knowledge.version_published",
        /// `knowledge.article_archived`
        ArticleArchived(ArticleArchived) = "knowledge.article_archived",
        /// `knowledge.comment_added`
        CommentAdded(CommentAdded) = "knowledge.comment_added",
        /// `knowledge.comment_hidden`
        CommentHidden(CommentHidden) = "knowledge.comment_hidden",
        /// `knowledge.linked_to_ticket`
        LinkedToTicket(LinkedToTicket) = "knowledge.linked_to_ticket",
    }
}

impl KnowledgeEvent {
    /// The article the event is about.
    pub fn article_id(&self) -> ArticleId {
        match self {
            Self::ArticleCreated(p) => p.article_id,
            Self::VersionPublished(p) => p.article_id,
            Self::ArticleArchived(p) => p.article_id,
            Self::CommentAdded(p) => p.article_id,
            Self::CommentHidden(p) => p.article_id,
            Self::LinkedToTicket(p) => p.article_id,
        }
    }
}

impl AggregateEvent for KnowledgeEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.article_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::KnowledgeArticle, self.article_id().as_uuid())
    }
}

/// Decides a command against the current state (`None`: not created yet).
///
/// Rules: an archived article takes nothing; a publish must change the live content;
/// a restore must name a version of this article that exists and differs from the live
/// content; a comment id is used once; only a visible comment can be hidden; a ticket is
/// linked once. `now` is accepted for symmetry with the other aggregates.
pub fn decide(
    state: Option<&KnowledgeArticle>,
    cmd: &ArticleCommand,
    _now: DateTime<Utc>,
) -> Result<Vec<KnowledgeEvent>, DomainError> {
    let a = match (state, cmd) {
        (
            None,
            ArticleCommand::Create {
                id,
                category,
                slug,
                content,
            },
        ) => {
            return Ok(vec![KnowledgeEvent::ArticleCreated(ArticleCreated {
                article_id: *id,
                category: category.clone(),
                slug: slug.clone(),
                content: content.clone(),
            })])
        }
        (Some(a), ArticleCommand::Create { .. }) => {
            return Err(DomainError::invariant(format!(
                "article {} already exists",
                a.id
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "article",
                id: "(not created)".into(),
            })
        }
        (Some(a), _) => a,
    };
    if a.status == ArticleStatus::Archived {
        return Err(DomainError::invariant(
            "article is archived and takes no changes",
        ));
    }
    let article_id = a.id;
    let publish =
        |content: &ArticleContent, restored_from| -> Result<Vec<KnowledgeEvent>, DomainError> {
            if a.current().is_some_and(|v| v.content == *content) {
                return Err(DomainError::invariant(
                    "nothing changed: the content equals the published version",
                ));
            }
            let number = KnowledgeVersionNumber::next_after(a.current().map(|v| v.number))?;
            Ok(vec![KnowledgeEvent::VersionPublished(VersionPublished {
                article_id,
                version: ArticleVersion {
                    number,
                    content: content.clone(),
                    restored_from,
                },
            })])
        };
    match cmd {
        ArticleCommand::Create { .. } => Ok(vec![]),
        ArticleCommand::Publish { content } => publish(content, None),
        ArticleCommand::Restore { version } => {
            if version.article_id != a.id {
                return Err(DomainError::invariant(format!(
                    "version {} belongs to article {}, not to article {}",
                    version.number, version.article_id, a.id
                )));
            }
            let old = a
                .versions
                .iter()
                .find(|v| v.number == version.number)
                .ok_or_else(|| DomainError::NotFound {
                    entity: "article version",
                    id: format!("{}#{}", a.id, version.number),
                })?;
            publish(&old.content, Some(old.number))
        }
        ArticleCommand::Archive => Ok(vec![KnowledgeEvent::ArticleArchived(ArticleArchived {
            article_id,
        })]),
        ArticleCommand::Comment {
            comment_id,
            author_id,
            body,
        } => {
            if a.comments.iter().any(|c| c.comment_id == *comment_id) {
                return Err(DomainError::invariant(format!(
                    "comment {comment_id} already exists"
                )));
            }
            Ok(vec![KnowledgeEvent::CommentAdded(CommentAdded {
                article_id,
                comment_id: *comment_id,
                author_id: *author_id,
                body: body.clone(),
            })])
        }
        ArticleCommand::HideComment {
            comment_id,
            moderator_id,
            reason,
        } => match a.comments.iter().find(|c| c.comment_id == *comment_id) {
            None => Err(DomainError::NotFound {
                entity: "comment",
                id: comment_id.to_string(),
            }),
            Some(c) if c.hidden => Err(DomainError::invariant("comment is already hidden")),
            Some(_) => Ok(vec![KnowledgeEvent::CommentHidden(CommentHidden {
                article_id,
                comment_id: *comment_id,
                moderator_id: *moderator_id,
                reason: reason.clone(),
            })]),
        },
        ArticleCommand::LinkTicket { ticket_id } => {
            // Only an article staff could read helps resolve a ticket: a draft has no
            // published text yet (archived articles were refused above).
            if a.status == ArticleStatus::Draft {
                return Err(DomainError::invariant(
                    "only a published article can be linked to a ticket",
                ));
            }
            if a.linked_tickets.contains(ticket_id) {
                return Err(DomainError::invariant(format!(
                    "article is already linked to ticket {ticket_id}"
                )));
            }
            Ok(vec![KnowledgeEvent::LinkedToTicket(LinkedToTicket {
                article_id,
                ticket_id: *ticket_id,
            })])
        }
    }
}

/// Folds one event into the state (`None` only for a stream not starting with creation).
pub fn evolve(state: Option<KnowledgeArticle>, ev: &KnowledgeEvent) -> Option<KnowledgeArticle> {
    let mut a = match (state, ev) {
        (None, KnowledgeEvent::ArticleCreated(p)) => {
            return Some(KnowledgeArticle {
                id: p.article_id,
                category: p.category.clone(),
                slug: p.slug.clone(),
                draft: p.content.clone(),
                status: ArticleStatus::Draft,
                versions: Vec::new(),
                comments: Vec::new(),
                linked_tickets: BTreeSet::new(),
                version: 1,
            })
        }
        (None, _) => return None,
        (Some(a), _) => a,
    };
    match ev {
        KnowledgeEvent::ArticleCreated(_) => {}
        KnowledgeEvent::VersionPublished(p) => {
            a.versions.push(p.version.clone());
            a.status = ArticleStatus::Published;
        }
        KnowledgeEvent::ArticleArchived(_) => a.status = ArticleStatus::Archived,
        KnowledgeEvent::CommentAdded(p) => a.comments.push(Comment {
            comment_id: p.comment_id,
            author_id: p.author_id,
            body: p.body.clone(),
            hidden: false,
        }),
        KnowledgeEvent::CommentHidden(p) => {
            if let Some(c) = a.comments.iter_mut().find(|c| c.comment_id == p.comment_id) {
                c.hidden = true;
            }
        }
        KnowledgeEvent::LinkedToTicket(p) => {
            a.linked_tickets.insert(p.ticket_id);
        }
    }
    a.version += 1;
    Some(a)
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<KnowledgeArticle>,
    events: impl IntoIterator<Item = &'a KnowledgeEvent>,
) -> Option<KnowledgeArticle> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream into the current state.
pub fn replay<'a>(
    events: impl IntoIterator<Item = &'a KnowledgeEvent>,
) -> Option<KnowledgeArticle> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for KnowledgeArticle {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = ArticleCommand;
    type Event = KnowledgeEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &ArticleCommand,
        _facts: &(),
        now: DateTime<Utc>,
    ) -> Result<Vec<KnowledgeEvent>, DomainError> {
        decide(state, cmd, now)
    }

    fn evolve(state: Option<Self>, event: &KnowledgeEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }
    fn content(title: &str, body: &str) -> ArticleContent {
        ArticleContent {
            title: Name::for_field("title", title).unwrap(),
            body: ArticleBody::new(body).unwrap(),
        }
    }
    fn id(n: u128) -> ArticleId {
        ArticleId::from_uuid(Uuid::from_u128(n))
    }
    fn run(cmds: &[ArticleCommand]) -> Result<KnowledgeArticle, DomainError> {
        let mut state = None;
        for c in cmds {
            let evs = decide(state.as_ref(), c, now())?;
            state = evolve_all(state, &evs);
        }
        state.ok_or_else(|| DomainError::invariant("nothing created"))
    }
    fn create() -> ArticleCommand {
        ArticleCommand::Create {
            id: id(1),
            category: Name::for_field("category", "Accounts").unwrap(),
            slug: Slug::new("reset-your-password").unwrap(),
            content: content("Reset your password", "Click the link."),
        }
    }
    fn n(v: u32) -> KnowledgeVersionNumber {
        KnowledgeVersionNumber::new(v).unwrap()
    }

    #[test]
    fn only_a_published_article_is_searchable() {
        assert!(ArticleStatus::Published.is_searchable());
        assert!(!ArticleStatus::Draft.is_searchable());
        assert!(!ArticleStatus::Archived.is_searchable());
        assert!(!ArticleStatus::Draft.actions().is_empty());
        assert!(ArticleStatus::Archived.actions().is_empty());
    }

    #[test]
    fn actions_are_the_commands_decide_accepts() {
        let ana = EmployeeId::from_uuid(Uuid::from_u128(7));
        let comment = ArticleCommand::Comment {
            comment_id: CommentId::from_uuid(Uuid::from_u128(50)),
            author_id: ana,
            body: CommentBody::new("Thanks").unwrap(),
        };
        let published = run(&[
            create(),
            ArticleCommand::Publish {
                content: content("Reset your password", "Click the link."),
            },
            comment.clone(),
        ])
        .unwrap();
        let archived = run(&[create(), ArticleCommand::Archive]).unwrap();
        let probe = |name: &str| match name {
            "publish" => ArticleCommand::Publish {
                content: content("Reset your password", "Click the new link."),
            },
            "restore" => ArticleCommand::Restore {
                version: VersionRef {
                    article_id: id(1),
                    number: n(1),
                },
            },
            "archive" => ArticleCommand::Archive,
            "comment" => ArticleCommand::Comment {
                comment_id: CommentId::from_uuid(Uuid::from_u128(51)),
                author_id: ana,
                body: CommentBody::new("Helpful").unwrap(),
            },
            "hide_comment" => ArticleCommand::HideComment {
                comment_id: CommentId::from_uuid(Uuid::from_u128(50)),
                moderator_id: ana,
                reason: crate::identity::Note::default(),
            },
            _ => ArticleCommand::LinkTicket {
                ticket_id: TicketId::from_uuid(Uuid::from_u128(60)),
            },
        };
        // The restore probe is for version 1 while version 2 is live: publish v2 first.
        let v2 = ArticleCommand::Publish {
            content: content("Reset your password", "Click the second link."),
        };
        let live2 = evolve_all(
            Some(published.clone()),
            &decide(Some(&published), &v2, now()).unwrap(),
        )
        .unwrap();
        for name in ArticleStatus::Published.actions() {
            assert!(decide(Some(&live2), &probe(name), now()).is_ok(), "{name}");
        }
        // What a draft is not offered, it is refused.
        let draft = run(&[create()]).unwrap();
        for name in ArticleStatus::Published.actions() {
            if !ArticleStatus::Draft.actions().contains(name) {
                assert!(decide(Some(&draft), &probe(name), now()).is_err(), "{name}");
            }
        }
        assert!(ArticleStatus::Archived.actions().is_empty());
        for name in ArticleStatus::Published.actions() {
            assert!(
                decide(Some(&archived), &probe(name), now()).is_err(),
                "{name}"
            );
        }
        for s in [
            ArticleStatus::Draft,
            ArticleStatus::Published,
            ArticleStatus::Archived,
        ] {
            assert_eq!(ArticleStatus::parse(s.as_str()), Ok(s));
        }
    }

    #[test]
    fn slugs_validate() {
        assert!(Slug::new("a-b-1").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é"] {
            assert!(Slug::new(bad).is_err(), "{bad}");
        }
        assert!(Slug::new(&"a".repeat(101)).is_err());
    }

    #[test]
    fn edits_publish_versions_and_restore_makes_a_new_one() {
        let a = run(&[
            create(),
            ArticleCommand::Publish {
                content: content("Reset your password", "Click the link."),
            },
            ArticleCommand::Publish {
                content: content("Reset your password", "Use the portal."),
            },
            ArticleCommand::Restore {
                version: VersionRef {
                    article_id: id(1),
                    number: n(1),
                },
            },
        ])
        .unwrap();
        assert_eq!(a.status(), ArticleStatus::Published);
        assert_eq!(a.versions().len(), 3);
        let v3 = a.current().unwrap();
        assert_eq!(v3.number, n(3));
        assert_eq!(v3.restored_from, Some(n(1)));
        assert_eq!(v3.content, a.versions()[0].content);
        // restoring the live content again changes nothing: refused
        assert!(decide(
            Some(&a),
            &ArticleCommand::Restore {
                version: VersionRef {
                    article_id: id(1),
                    number: n(3)
                }
            },
            now()
        )
        .is_err());
        // a version of another article is refused
        assert_eq!(
            decide(
                Some(&a),
                &ArticleCommand::Restore {
                    version: VersionRef {
                        article_id: id(2),
                        number: n(1)
                    }
                },
                now()
            ),
            Err(DomainError::invariant(format!(
                "version 1 belongs to article {}, not to article {}",
                id(2),
                id(1)
            )))
        );
        assert!(matches!(
            decide(
                Some(&a),
                &ArticleCommand::Restore {
                    version: VersionRef {
                        article_id: id(1),
                        number: n(9)
                    }
                },
                now()
            ),
            Err(DomainError::NotFound { .. })
        ));
    }

    #[test]
    fn comments_are_hidden_never_deleted_and_archive_is_final() {
        let emp = EmployeeId::from_uuid(Uuid::from_u128(5));
        let cid = CommentId::from_uuid(Uuid::from_u128(50));
        let hide = ArticleCommand::HideComment {
            comment_id: cid,
            moderator_id: emp,
            reason: crate::identity::Note::new("spam").unwrap(),
        };
        let a = run(&[
            create(),
            ArticleCommand::Comment {
                comment_id: cid,
                author_id: emp,
                body: CommentBody::new("Thanks!").unwrap(),
            },
            hide.clone(),
        ])
        .unwrap();
        assert_eq!(a.comments().len(), 1);
        assert!(a.comments()[0].hidden);
        assert!(decide(Some(&a), &hide, now()).is_err());
        let t = TicketId::from_uuid(Uuid::from_u128(100));
        // A draft never published has no text staff could have used: it is not linked.
        assert_eq!(
            run(&[create(), ArticleCommand::LinkTicket { ticket_id: t }]).err(),
            Some(DomainError::invariant(
                "only a published article can be linked to a ticket"
            ))
        );
        let a = run(&[
            create(),
            ArticleCommand::Publish {
                content: content("Reset your password", "Click the link."),
            },
            ArticleCommand::LinkTicket { ticket_id: t },
            ArticleCommand::Archive,
        ])
        .unwrap();
        assert!(a.linked_tickets().contains(&t));
        assert_eq!(
            decide(
                Some(&a),
                &ArticleCommand::LinkTicket { ticket_id: t },
                now()
            ),
            Err(DomainError::invariant(
                "article is archived and takes no changes"
            ))
        );
    }
}
