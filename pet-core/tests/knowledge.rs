//! Snapshot tests of every Knowledgebase event (payload, round trip, registry, activity
//! line), produced through the real `decide`: draft, publish, edit, restore, comment, hide,
//! link to a ticket, archive; and the refusal to restore another article's version.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use pet_core::activity::{self, NoNames};
use pet_core::event::{envelopes, Actor, AggregateEvent, DomainEvent, EventMeta};
use pet_core::helpdesk::TicketId;
use pet_core::identity::{EmployeeId, Name, Note};
use pet_core::knowledge::{
    article, ArticleBody, ArticleCommand, ArticleContent, ArticleId, CommentBody, CommentId,
    KnowledgeEvent, KnowledgeVersionNumber, Slug, VersionRef,
};
use pet_core::pet_registry;
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::parse_str(&format!("0190a1b2-0000-7000-8000-{n:012x}")).unwrap()
}
fn now() -> DateTime<Utc> {
    "2026-02-02T10:00:00Z".parse().unwrap()
}
fn content(title: &str, body: &str) -> ArticleContent {
    ArticleContent {
        title: Name::for_field("title", title).unwrap(),
        body: ArticleBody::new(body).unwrap(),
    }
}
fn art() -> ArticleId {
    ArticleId::from_uuid(uuid(500))
}
fn v(n: u32) -> KnowledgeVersionNumber {
    KnowledgeVersionNumber::new(n).unwrap()
}

fn scenario() -> Vec<(&'static str, KnowledgeEvent)> {
    let ana = EmployeeId::from_uuid(uuid(1));
    let ben = EmployeeId::from_uuid(uuid(2));
    let cmds: Vec<(&'static str, ArticleCommand)> = vec![
        (
            "knowledge.article_created",
            ArticleCommand::Create {
                id: art(),
                category: Name::for_field("category", "Billing").unwrap(),
                slug: Slug::new("invoice-timeouts").unwrap(),
                content: content("Invoices page times out", "Narrow the date range."),
            },
        ),
        (
            "knowledge.version_published",
            ArticleCommand::Publish {
                content: content("Invoices page times out", "Narrow the date range."),
            },
        ),
        (
            "knowledge.version_published.edit",
            ArticleCommand::Publish {
                content: content("Invoices page times out", "Export the report instead."),
            },
        ),
        (
            "knowledge.version_published.restore",
            ArticleCommand::Restore {
                version: VersionRef {
                    article_id: art(),
                    number: v(1),
                },
            },
        ),
        (
            "knowledge.comment_added",
            ArticleCommand::Comment {
                comment_id: CommentId::from_uuid(uuid(600)),
                author_id: ben,
                body: CommentBody::new("This fixed it for Acme.").unwrap(),
            },
        ),
        (
            "knowledge.comment_hidden",
            ArticleCommand::HideComment {
                comment_id: CommentId::from_uuid(uuid(600)),
                moderator_id: ana,
                reason: Note::new("names a customer").unwrap(),
            },
        ),
        (
            "knowledge.linked_to_ticket",
            ArticleCommand::LinkTicket {
                ticket_id: TicketId::from_uuid(uuid(100)),
            },
        ),
        ("knowledge.article_archived", ArticleCommand::Archive),
    ];
    let mut state = None;
    let mut out = Vec::new();
    for (label, cmd) in cmds {
        let evs = article::decide(state.as_ref(), &cmd, now()).unwrap();
        state = article::evolve_all(state, &evs);
        out.extend(evs.into_iter().map(|e| (label, e)));
    }
    out
}

fn names() -> BTreeMap<Uuid, String> {
    BTreeMap::from([
        (uuid(1), "Ana Ruiz".to_owned()),
        (uuid(2), "Ben Okafor".to_owned()),
        (uuid(100), "ticket “Invoices page times out”".to_owned()),
        (uuid(500), "article “Invoices page times out”".to_owned()),
    ])
}

#[test]
fn scenario_covers_every_event_type() {
    let seen: BTreeSet<&str> = scenario().iter().map(|(_, e)| e.event_type()).collect();
    assert_eq!(
        seen,
        pet_core::knowledge::MODULE
            .event_types()
            .map(|s| s.name)
            .collect()
    );
}

#[test]
fn every_payload_snapshot_round_trip_and_line() {
    let registry = pet_registry();
    let names = names();
    let mut lines = Vec::new();
    for (label, event) in scenario() {
        insta::assert_json_snapshot!(
            format!("payload__{label}"),
            serde_json::json!({
                "event_type": event.event_type(),
                "schema_version": event.schema_version(),
                "context": event.context(),
                "payload": event.payload(),
            })
        );
        let back = KnowledgeEvent::from_stored(event.event_type(), 1, &event.payload()).unwrap();
        assert_eq!(back, event, "{label}");
        let mut p = event.payload();
        p.as_object_mut().unwrap().remove("article_id");
        assert!(
            KnowledgeEvent::from_stored(event.event_type(), 1, &p).is_err(),
            "{label}"
        );
        let env = envelopes(std::slice::from_ref(&event), 0, |_| EventMeta {
            event_id: uuid(999),
            occurred_at: now(),
            actor: Actor::Employee(uuid(1)),
            idempotency_key: None,
        })
        .unwrap();
        registry.validate_new(&env[0]).unwrap();
        lines.push(serde_json::json!({
            "label": label,
            "line": activity::render(event.event_type(), 1, &event.payload(), &names).unwrap(),
            "line_without_names": activity::render(event.event_type(), 1, &event.payload(), &NoNames).unwrap(),
        }));
    }
    insta::assert_json_snapshot!("knowledge_activity_lines", lines);
}

#[test]
fn restoring_a_version_of_another_article_is_refused() {
    let evs: Vec<KnowledgeEvent> = scenario().into_iter().map(|(_, e)| e).take(3).collect();
    let a = article::replay(&evs).unwrap();
    let other = ArticleId::from_uuid(uuid(501));
    let r = article::decide(
        Some(&a),
        &ArticleCommand::Restore {
            version: VersionRef {
                article_id: other,
                number: v(1),
            },
        },
        now(),
    );
    insta::assert_snapshot!(
        r.unwrap_err().to_string(),
        @"invariant violated: version 1 belongs to article 0190a1b2-0000-7000-8000-0000000001f5, not to article 0190a1b2-0000-7000-8000-0000000001f4"
    );
    // the old versions are untouched by the restore: immutable history
    let all: Vec<KnowledgeEvent> = scenario().into_iter().map(|(_, e)| e).collect();
    let a = article::replay(&all).unwrap();
    assert_eq!(a.versions().len(), 3);
    assert_eq!(
        a.versions()[0].content,
        content("Invoices page times out", "Narrow the date range.")
    );
    assert_eq!(
        a.versions()[1].content.body.as_str(),
        "Export the report instead."
    );
    assert_eq!(a.comments().len(), 1, "hidden, never deleted");
}
