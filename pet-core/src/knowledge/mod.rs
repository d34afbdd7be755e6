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

/// The module's descriptor: its event types, contexts, renderer and job kinds (see
/// [`crate::module`]).
pub const MODULE: crate::module::Module = crate::module::Module {
    name: "knowledge",
    events: &[KnowledgeEvent::EVENT_TYPES],
    contexts: &[ContextType::KnowledgeArticle],
    render,
    names_introduced,
    job_kinds: &[],
};

/// Renders one of the module's events as an activity line.
pub(crate) fn render(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
    names: &dyn NameLookup,
) -> Result<String, RenderError> {
    let names = &Names(names);
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
/// lines can name the entity): an article by its title, renamed when a version changes it.
pub(crate) fn names_introduced(
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<Vec<crate::activity::NamedEntity>, RenderError> {
    use crate::activity::{clip_name, NamedEntity};
    let title = |id: ArticleId, t: &str| NamedEntity {
        kind: ContextType::KnowledgeArticle,
        id: id.as_uuid(),
        name: clip_name(&format!("Article “{t}”")),
    };
    Ok(
        match KnowledgeEvent::from_stored(event_type, schema_version, payload)? {
            KnowledgeEvent::ArticleCreated(p) => {
                vec![title(p.article_id, &p.content.title.to_string())]
            }
            KnowledgeEvent::VersionPublished(p) => {
                vec![title(p.article_id, &p.version.content.title.to_string())]
            }
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_introduced_name_articles_by_title_and_follow_renames() {
        let a = serde_json::json!({"article_id": "0190a1b2-0000-7000-8000-0000000001f4",
            "body": "Narrow the date range.", "category": "Billing",
            "slug": "invoice-timeouts", "title": "Invoices page times out"});
        let n = names_introduced("knowledge.article_created", 1, &a).unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].kind, ContextType::KnowledgeArticle);
        assert_eq!(n[0].name, "Article “Invoices page times out”");
        let v = serde_json::json!({"article_id": "0190a1b2-0000-7000-8000-0000000001f4",
            "content": {"body": "Export the report instead.", "title": "Slow invoices"},
            "number": 2, "restored_from": null});
        let n = names_introduced("knowledge.version_published", 1, &v).unwrap();
        assert_eq!(n[0].name, "Article “Slow invoices”", "a new title renames");
        assert!(names_introduced(
            "knowledge.article_archived",
            1,
            &serde_json::json!({"article_id": "0190a1b2-0000-7000-8000-0000000001f4"})
        )
        .map(|n| n.is_empty())
        .unwrap_or(true));
    }
}
