//! Knowledgebase (domain.md §7): articles with immutable numbered versions
//! (`draft → published → archived`), restore as a new version, append-only comments a
//! moderator can hide, and links to the tickets an article helped resolve.
//!
//! | aggregate | module | events |
//! |---|---|---|
//! | `knowledge_article` | [`article`] | `knowledge.article_created`, `.version_published`, `.article_archived`, `.comment_added`, `.comment_hidden`, `.linked_to_ticket` |

pub mod article;
pub mod ids;

use crate::activity::{NameLookup, Names, RenderError};
use crate::event::ContextType;

pub use article::{
    ArticleBody, ArticleCommand, ArticleContent, ArticleRow, ArticleStatus, ArticleVersion,
    Comment, CommentBody, KnowledgeArticle, KnowledgeEvent, Slug, VersionRef,
};
pub use ids::{ArticleId, CommentId, KnowledgeVersionNumber};

/// Every event type of this module (registered by [`crate::pet_registry`]).
pub const EVENT_TYPES: &[&str] = &[
    "knowledge.article_created",
    "knowledge.version_published",
    "knowledge.article_archived",
    "knowledge.comment_added",
    "knowledge.comment_hidden",
    "knowledge.linked_to_ticket",
];

/// Renders one of [`EVENT_TYPES`] as an activity line.
pub(crate) fn render<N: NameLookup + ?Sized>(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &Names<'_, N>,
) -> Result<String, RenderError> {
    use ContextType as K;
    let event = KnowledgeEvent::from_stored(event_type, schema_version, payload)?;
    let article = names.get(K::KnowledgeArticle, event.article_id().as_uuid());
    let employee = |id: crate::identity::EmployeeId| names.get(K::Employee, id.as_uuid());
    Ok(match &event {
        KnowledgeEvent::ArticleCreated(p) => format!(
            "Article “{}” was drafted in {} (/{})",
            p.content.title, p.category, p.slug
        ),
        KnowledgeEvent::VersionPublished(p) => {
            let v = &p.version;
            match v.restored_from {
                Some(old) => format!(
                    "Version {} of “{}” was published, restoring version {old}",
                    v.number, v.content.title
                ),
                None => format!(
                    "Version {} of “{}” was published",
                    v.number, v.content.title
                ),
            }
        }
        KnowledgeEvent::ArticleArchived(_) => format!("{article} was archived"),
        KnowledgeEvent::CommentAdded(p) => {
            format!("{} commented on {article}", employee(p.author_id))
        }
        KnowledgeEvent::CommentHidden(p) => {
            let mut s = format!("{} hid a comment on {article}", employee(p.moderator_id));
            if !p.reason.as_str().is_empty() {
                s.push_str(&format!(": {}", p.reason.as_str()));
            }
            s
        }
        KnowledgeEvent::LinkedToTicket(p) => format!(
            "{article} was linked to {}",
            names.get(K::Ticket, p.ticket_id.as_uuid())
        ),
    })
}

/// The names an event of this module introduces (for the projector's name table, so later
/// lines can name the entity). None yet: lines about these entities use kind + short id.
pub(crate) fn names_introduced(
    _event_type: &str,
    _schema_version: u32,
    _payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    Ok(Vec::new())
}
