//! Snapshot tests of every Helpdesk & SLA event: its stored payload, its round trip
//! through the storage form and the registry, and its rendered activity line — produced by
//! running commands through the real `decide` functions. Also: editing a definition never
//! rewrites a pinned ticket, and bad SLA input is refused field by field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use pet_core::activity::{self, NoNames};
use pet_core::event::{envelopes, Actor, AggregateEvent, DomainEvent, EventMeta};
use pet_core::helpdesk::{
    sla, sla_clock, ticket, Channel, HelpdeskEvent, NewTicket, Priority, ReopenWindow, ReplyAuthor,
    ReplyBody, ReplyId, SlaAssignmentCommand, SlaDefinitionCommand, SlaDefinitionId, SlaSpec,
    SlaSpecInput, TicketCommand, TicketFacts, TicketId, TicketStatus, TicketTimeline, Visibility,
};
use pet_core::identity::{CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Name};
use pet_core::{pet_registry, DomainError};
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::parse_str(&format!("0190a1b2-0000-7000-8000-{n:012x}")).unwrap()
}
fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}
fn ana() -> EmployeeId {
    EmployeeId::from_uuid(uuid(1))
}
fn acme() -> CustomerId {
    CustomerId::from_uuid(uuid(20))
}
fn ticket_id() -> TicketId {
    TicketId::from_uuid(uuid(100))
}
fn def_id() -> SlaDefinitionId {
    SlaDefinitionId::from_uuid(uuid(200))
}

fn spec_input(first_response: i64) -> SlaSpecInput {
    let day = serde_json::json!([{"start": "09:00", "end": "17:00"}]);
    serde_json::from_value(serde_json::json!({
        "calendar": {
            "timezone": "Europe/London",
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": ["2026-12-25"],
        },
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
            "normal": {"first_response_minutes": first_response, "resolution_minutes": 960},
            "high": {"first_response_minutes": 60, "resolution_minutes": 480},
            "urgent": {"first_response_minutes": 30, "resolution_minutes": 240},
        },
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": 80,
        "always_on": ["urgent"],
    }))
    .unwrap()
}

fn facts() -> TicketFacts {
    TicketFacts::new()
        .with_customer(acme(), CustomerStatus::Active)
        .with_employee(ana(), EmployeeStatus::Active)
}

/// Every event type, as `(label, occurred_at, event)`.
fn scenario() -> Vec<(&'static str, DateTime<Utc>, HelpdeskEvent)> {
    let mut out = Vec::new();
    // SLA definition, version 1 and an edit (version 2)
    let mut def = None;
    let v1 = SlaSpec::parse(&spec_input(120)).unwrap();
    let v2 = SlaSpec::parse(&spec_input(90)).unwrap();
    for (label, cmd, now) in [
        (
            "sla_definition",
            SlaDefinitionCommand::Create {
                id: def_id(),
                name: Name::new("Standard support").unwrap(),
                spec: v1,
            },
            at("2026-01-02T09:00:00Z"),
        ),
        (
            "sla_definition.edit",
            SlaDefinitionCommand::Publish { spec: v2 },
            at("2026-01-20T09:00:00Z"),
        ),
    ] {
        let evs = sla::decide_definition(def.as_ref(), &cmd, now).unwrap();
        def = evs.iter().fold(def, sla::evolve_definition);
        for e in evs {
            let l = match (&e, label) {
                (sla::SlaDefinitionEvent::Created(_), _) => "sla_definition.created",
                (_, "sla_definition") => "sla_definition.version_published",
                _ => "sla_definition.version_published.v2",
            };
            out.push((l, now, HelpdeskEvent::SlaDefinition(e)));
        }
    }

    // A ticket through its whole life, with its SLA
    let mut t = None;
    let mut tcmd = |label, cmd: TicketCommand, now: &str, out: &mut Vec<_>| {
        let now = at(now);
        let evs = ticket::decide(t.as_ref(), &cmd, &facts(), now).unwrap();
        t = ticket::evolve_all(t.take(), &evs);
        for (i, e) in evs.into_iter().enumerate() {
            // A command's second event: the customer's answer ends the wait on them.
            let label = match (i, label) {
                (0, l) => l,
                (1, "ticket.replied.customer") => "ticket.status_changed.back",
                (_, l) => panic!("{l}: an unexpected event {e:?}"),
            };
            out.push((label, now, HelpdeskEvent::Ticket(e)));
        }
    };
    tcmd(
        "ticket.created",
        TicketCommand::Create(NewTicket {
            id: ticket_id(),
            number: pet_core::helpdesk::TicketNumber::new("number", 1).unwrap(),
            customer_id: acme(),
            project_id: None,
            subject: Name::for_field("subject", "Invoices page times out").unwrap(),
            priority: Priority::Normal,
            channel: Channel::Email,
            assignee: None,
        }),
        "2026-01-09T16:00:00Z",
        &mut out,
    );
    tcmd(
        "ticket.assigned",
        TicketCommand::Assign {
            assignee: Some(ana()),
        },
        "2026-01-09T16:05:00Z",
        &mut out,
    );
    tcmd(
        "ticket.status_changed",
        TicketCommand::ChangeStatus {
            to: TicketStatus::Open,
        },
        "2026-01-09T16:06:00Z",
        &mut out,
    );
    tcmd(
        "ticket.priority_changed",
        TicketCommand::ChangePriority { to: Priority::High },
        "2026-01-09T16:10:00Z",
        &mut out,
    );
    let reply = |n, author, visibility, body: &str| TicketCommand::Reply {
        reply_id: ReplyId::from_uuid(uuid(n)),
        author,
        visibility,
        body: ReplyBody::new(body).unwrap(),
    };
    tcmd(
        "ticket.replied.note",
        reply(
            301,
            ReplyAuthor::Employee { employee_id: ana() },
            Visibility::Internal,
            "Looks like the report query.",
        ),
        "2026-01-09T16:20:00Z",
        &mut out,
    );
    tcmd(
        "ticket.replied",
        reply(
            302,
            ReplyAuthor::Employee { employee_id: ana() },
            Visibility::Public,
            "Can you send the invoice number?",
        ),
        "2026-01-09T16:30:00Z",
        &mut out,
    );
    tcmd(
        "ticket.status_changed.waiting",
        TicketCommand::ChangeStatus {
            to: TicketStatus::WaitingOnCustomer,
        },
        "2026-01-09T16:31:00Z",
        &mut out,
    );
    tcmd(
        "ticket.replied.customer",
        reply(
            303,
            ReplyAuthor::Customer { contact_id: None },
            Visibility::Public,
            "INV-2026-0042",
        ),
        "2026-01-12T08:00:00Z",
        &mut out,
    );
    tcmd(
        "ticket.resolved",
        TicketCommand::Resolve,
        "2026-01-12T11:00:00Z",
        &mut out,
    );
    let window = ReopenWindow::from_minutes(7 * 24 * 60).unwrap();
    tcmd(
        "ticket.reopened",
        TicketCommand::Reopen {
            window,
            contact_id: None,
        },
        "2026-01-13T09:00:00Z",
        &mut out,
    );
    tcmd(
        "ticket.resolved.again",
        TicketCommand::Resolve,
        "2026-01-13T10:00:00Z",
        &mut out,
    );
    tcmd(
        "ticket.closed",
        TicketCommand::Close,
        "2026-01-20T10:00:00Z",
        &mut out,
    );

    // SLA assignment events, driven by the ticket's timeline and the clock
    let def = def.unwrap();
    let pinned = def.versions()[0].spec.clone();
    let mut a = None;
    let mut scmd =
        |label: &'static str, cmd: SlaAssignmentCommand, now: DateTime<Utc>, out: &mut Vec<_>| {
            let evs = sla::decide_assignment(a.as_ref(), &cmd, now).unwrap();
            a = evs.iter().fold(a.take(), sla::evolve_assignment);
            for e in evs {
                out.push((label, now, HelpdeskEvent::Sla(e)));
            }
        };
    // assign while version 1 was in force
    let v1_only = sla::replay_definition(
        &out.iter()
            .filter_map(|(l, _, e)| match e {
                HelpdeskEvent::SlaDefinition(d) if *l != "sla_definition.version_published.v2" => {
                    Some(d.clone())
                }
                _ => None,
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();
    scmd(
        "sla.assigned",
        SlaAssignmentCommand::assign(ticket_id(), &v1_only).unwrap(),
        at("2026-01-09T16:00:00Z"),
        &mut out,
    );
    scmd(
        "sla.paused",
        SlaAssignmentCommand::TrackStatus {
            status: TicketStatus::WaitingOnCustomer,
            spec: pinned.clone(),
        },
        at("2026-01-09T16:31:00Z"),
        &mut out,
    );
    scmd(
        "sla.resumed",
        SlaAssignmentCommand::TrackStatus {
            status: TicketStatus::Open,
            spec: pinned.clone(),
        },
        at("2026-01-12T09:00:00Z"),
        &mut out,
    );
    let ticket_events: Vec<(DateTime<Utc>, pet_core::helpdesk::TicketEvent)> = out
        .iter()
        .filter_map(|(_, at, e)| match e {
            HelpdeskEvent::Ticket(t) => Some((*at, t.clone())),
            _ => None,
        })
        .collect();
    let tl = TicketTimeline::from_events(ticket_events.iter().map(|(a, e)| (*a, e))).unwrap();
    // first response met on Friday (30 of 60 minutes at high priority); the resolution
    // clock paused over the weekend, so Monday's runs record nothing until it is resolved
    let job = |now: &str| sla_clock(&pinned, &tl_until(&tl, at(now)), at(now));
    let r = job("2026-01-09T16:45:00Z");
    scmd(
        "sla.met",
        SlaAssignmentCommand::Record { reading: r },
        at("2026-01-09T16:45:00Z"),
        &mut out,
    );
    let r = job("2026-01-12T10:40:00Z");
    assert_eq!(r.resolution.elapsed_minutes(), 31 + 100);
    let before = out.len();
    scmd(
        "none",
        SlaAssignmentCommand::Record { reading: r },
        at("2026-01-12T10:40:00Z"),
        &mut out,
    );
    assert_eq!(out.len(), before, "nothing to record yet");
    let r = job("2026-01-12T11:05:00Z");
    scmd(
        "sla.met.resolution",
        SlaAssignmentCommand::Record { reading: r },
        at("2026-01-12T11:05:00Z"),
        &mut out,
    );
    out
}

/// The timeline as the job would have seen it at `now` (later facts not yet known).
fn tl_until(tl: &TicketTimeline, now: DateTime<Utc>) -> TicketTimeline {
    let mut t = TicketTimeline::new(tl.started_at(), tl.initial_status(), tl.initial_priority());
    for (at, c) in tl.changes() {
        if at <= now {
            t.push(at, c);
        }
    }
    t
}

fn names() -> BTreeMap<Uuid, String> {
    BTreeMap::from([
        (uuid(1), "Ana Ruiz".to_owned()),
        (uuid(20), "Acme Ltd".to_owned()),
        (uuid(100), "ticket “Invoices page times out”".to_owned()),
        (uuid(200), "Standard support".to_owned()),
    ])
}

#[test]
fn scenario_covers_every_event_type() {
    let seen: BTreeSet<&str> = scenario()
        .iter()
        .chain(breach_scenario().iter())
        .map(|(_, _, e)| e.event_type())
        .collect();
    let all: BTreeSet<&str> = pet_core::helpdesk::MODULE
        .event_types()
        .map(|s| s.name)
        .collect();
    assert_eq!(seen, all);
}

#[test]
fn every_payload_snapshot() {
    let mut labels = BTreeSet::new();
    for (label, _, event) in scenario().into_iter().chain(breach_scenario()) {
        assert!(labels.insert(label), "duplicate label {label}");
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
    for (label, at, event) in scenario().into_iter().chain(breach_scenario()) {
        let back = HelpdeskEvent::from_stored(
            event.event_type(),
            event.schema_version(),
            &event.payload(),
        )
        .unwrap();
        assert_eq!(back, event, "{label}");
        let env = envelopes(std::slice::from_ref(&event), 2, |_| EventMeta {
            event_id: uuid(999),
            occurred_at: at,
            actor: Actor::Employee(uuid(1)),
            idempotency_key: None,
        })
        .unwrap();
        registry.validate_new(&env[0]).unwrap();
        // dropping a field makes the payload invalid
        let mut p = event.payload();
        let key = ["ticket_id", "definition_id"]
            .into_iter()
            .find(|k| p.get(k).is_some())
            .unwrap();
        p.as_object_mut().unwrap().remove(key);
        assert!(
            HelpdeskEvent::from_stored(event.event_type(), event.schema_version(), &p).is_err(),
            "{label}"
        );
    }
}

#[test]
fn every_rendered_line_snapshot() {
    let names = names();
    let lines: Vec<serde_json::Value> = scenario()
        .iter()
        .chain(breach_scenario().iter())
        .map(|(label, _, e)| {
            serde_json::json!({
                "label": label,
                "line": activity::render(e.event_type(), e.schema_version(), &e.payload(), &names).unwrap(),
                "line_without_names": activity::render(e.event_type(), e.schema_version(), &e.payload(), &NoNames).unwrap(),
            })
        })
        .collect();
    insta::assert_json_snapshot!("helpdesk_activity_lines", lines);
}

/// A second ticket left unanswered over a weekend: the job records warning then breach.
fn breach_scenario() -> Vec<(&'static str, DateTime<Utc>, HelpdeskEvent)> {
    let spec = SlaSpec::parse(&spec_input(120)).unwrap();
    let tid = TicketId::from_uuid(uuid(101));
    let tl = TicketTimeline::new(
        at("2026-01-09T18:00:00Z"),
        TicketStatus::New,
        Priority::Normal,
    );
    let now = at("2026-01-12T11:30:00Z");
    let reading = sla_clock(&spec, &tl, now);
    let mut a = None;
    let mut out = Vec::new();
    for cmd in [
        SlaAssignmentCommand::Assign {
            ticket_id: tid,
            definition_id: def_id(),
            definition_version: pet_core::helpdesk::SlaVersionNumber::FIRST,
        },
        SlaAssignmentCommand::Record { reading },
    ] {
        let evs = sla::decide_assignment(a.as_ref(), &cmd, now).unwrap();
        a = evs.iter().fold(a, sla::evolve_assignment);
        out.extend(evs);
    }
    assert_eq!(out.len(), 3);
    vec![
        (
            "sla.warning.late_job",
            now,
            HelpdeskEvent::Sla(out[1].clone()),
        ),
        ("sla.breached", now, HelpdeskEvent::Sla(out[2].clone())),
    ]
}

#[test]
fn editing_a_definition_never_rewrites_a_pinned_ticket() {
    let events = scenario();
    let defs: Vec<_> = events
        .iter()
        .filter_map(|(_, _, e)| match e {
            HelpdeskEvent::SlaDefinition(d) => Some(d.clone()),
            _ => None,
        })
        .collect();
    let def = sla::replay_definition(&defs).unwrap();
    assert_eq!(def.versions().len(), 2);
    let pinned = events
        .iter()
        .find_map(|(_, _, e)| match e {
            HelpdeskEvent::Sla(sla::SlaEvent::Assigned(p)) => Some(*p),
            _ => None,
        })
        .unwrap();
    assert_eq!(pinned.definition_version.get(), 1);
    let v1 = def.get(pinned.definition_version).unwrap();
    assert_eq!(v1.spec.targets(Priority::Normal).first_response.get(), 120);
    assert_eq!(
        def.current()
            .unwrap()
            .spec
            .targets(Priority::Normal)
            .first_response
            .get(),
        90
    );
    // publishing the same content again is refused
    let same = SlaDefinitionCommand::Publish {
        spec: def.current().unwrap().spec.clone(),
    };
    assert!(sla::decide_definition(Some(&def), &same, at("2026-02-01T00:00:00Z")).is_err());
}

fn field_errors(input: &SlaSpecInput) -> Vec<String> {
    match SlaSpec::parse(input) {
        Err(DomainError::Validation(f)) => f.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn bad_sla_input_is_refused_field_by_field() {
    let mut input = spec_input(120);
    input.calendar.timezone = "Europe/Atlantis".into();
    input.calendar.working_hours.insert(
        "sat".into(),
        serde_json::from_value(serde_json::json!([{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "14:00"}])).unwrap(),
    );
    input.targets.get_mut("low").unwrap().first_response_minutes = 0;
    input.targets.get_mut("high").unwrap().resolution_minutes = -5;
    input.targets.remove("urgent");
    input
        .targets
        .insert("critical".into(), input.targets["normal"]);
    input.pause_statuses = vec!["closed".into(), "sleeping".into()];
    input.warning_percent = 100;
    input.always_on = vec!["urgent".into(), "asap".into()];
    insta::assert_json_snapshot!("sla_spec_field_errors", field_errors(&input));
}

#[test]
fn spec_round_trips_through_its_stored_form() {
    let spec = SlaSpec::parse(&spec_input(120)).unwrap();
    let json = serde_json::to_value(&spec).unwrap();
    let back: SlaSpec = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, spec);
    let mut bad = json;
    bad["calendar"]["timezone"] = serde_json::json!("Nowhere/Land");
    assert!(serde_json::from_value::<SlaSpec>(bad).is_err());
}

#[test]
fn reply_on_a_closed_ticket_is_refused_with_a_clear_message() {
    let events = scenario();
    let tevs: Vec<_> = events
        .iter()
        .filter_map(|(_, _, e)| match e {
            HelpdeskEvent::Ticket(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let t = ticket::replay(&tevs).unwrap();
    assert_eq!(t.status(), TicketStatus::Closed);
    let r = ticket::decide(
        Some(&t),
        &TicketCommand::Reply {
            reply_id: ReplyId::from_uuid(uuid(399)),
            author: ReplyAuthor::Customer { contact_id: None },
            visibility: Visibility::Public,
            body: ReplyBody::new("still broken").unwrap(),
        },
        &facts(),
        at("2026-01-21T09:00:00Z"),
    );
    insta::assert_snapshot!(r.unwrap_err().to_string(), @"invariant violated: ticket is closed and takes no changes or replies");
}
