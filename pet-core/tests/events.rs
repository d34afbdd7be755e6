//! Snapshot tests of every Identity & Organisation event: its stored payload, its
//! round trip through the storage form, its envelope, and its rendered activity line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use pet_core::activity::{self, NoNames};
use pet_core::event::{envelopes, Actor, AggregateEvent, DomainEvent, EventMeta};
use pet_core::identity::IdentityEvent;
use pet_core::pet_registry;

#[test]
fn scenario_covers_every_event_type() {
    let seen: BTreeSet<&str> = common::scenario()
        .iter()
        .map(|(_, e)| e.event_type())
        .collect();
    let all: BTreeSet<&str> = pet_core::identity::MODULE
        .event_types()
        .map(|s| s.name)
        .collect();
    assert_eq!(seen, all);
}

#[test]
fn every_payload_snapshot() {
    for (label, event) in common::scenario() {
        insta::assert_json_snapshot!(
            format!("payload__{label}"),
            serde_json::json!({
                "event_type": event.event_type(),
                "schema_version": event.schema_version(),
                "context": event.context(),
                "payload": event.payload(),
            })
        );
    }
}

#[test]
fn every_payload_round_trips_and_validates() {
    let registry = pet_registry();
    for (label, event) in common::scenario() {
        let back = IdentityEvent::from_stored(event.event_type(), 1, &event.payload()).unwrap();
        // A wrong type for a field is refused too.
        let mut bad = event.payload();
        bad.as_object_mut()
            .unwrap()
            .insert("name".into(), serde_json::json!(42));
        if event.payload().get("name").is_some() {
            assert!(
                IdentityEvent::from_stored(event.event_type(), 1, &bad).is_err(),
                "{label}"
            );
        }
        assert_eq!(back, event, "{label}");
        let env = envelopes(std::slice::from_ref(&event), 4, |_| EventMeta {
            event_id: common::uuid(999),
            occurred_at: common::at(2026, 1, 5),
            actor: Actor::Employee(common::uuid(1)),
            idempotency_key: None,
        })
        .unwrap();
        assert_eq!(env[0].aggregate().version(), 5, "{label}");
        registry.validate_new(&env[0]).unwrap();
        let (v, p) = registry
            .upcast_payload(env[0].event_type(), 1, env[0].payload().clone())
            .unwrap();
        assert_eq!((v, &p), (1, env[0].payload()), "{label}");
    }
}

#[test]
fn every_rendered_line_snapshot() {
    let names = common::names();
    let lines: Vec<serde_json::Value> = common::scenario()
        .iter()
        .map(|(label, e)| {
            serde_json::json!({
                "label": label,
                "line": activity::render(e.event_type(), 1, &e.payload(), &names).unwrap(),
                "line_without_names": activity::render(e.event_type(), 1, &e.payload(), &NoNames).unwrap(),
            })
        })
        .collect();
    insta::assert_json_snapshot!("activity_lines", lines);
}

#[test]
fn the_issue_example_line() {
    let names = common::names();
    let (_, e) = common::scenario()
        .into_iter()
        .find(|(l, _)| *l == "team.member_added")
        .unwrap();
    insta::assert_snapshot!(
        activity::render(e.event_type(), 1, &e.payload(), &names).unwrap(),
        @"Ana Ruiz joined Web Team as lead from 2026-01-05"
    );
}

#[test]
fn tampered_payloads_are_refused() {
    for (label, event) in common::scenario() {
        let mut p = event.payload();
        // Dropping the aggregate id must make the payload invalid for its type.
        let obj = p.as_object_mut().unwrap();
        let key = ["employee_id", "team_id", "version_id", "customer_id"]
            .into_iter()
            .find(|k| obj.contains_key(*k))
            .unwrap();
        obj.remove(key);
        assert!(
            IdentityEvent::from_stored(event.event_type(), 1, &p).is_err(),
            "{label} without {key}"
        );
    }
}
