//! Runnable example of the helpdesk domain: define an SLA with business hours, open a
//! ticket on a Friday evening, wait on the customer, and let the SLA "job" evaluate the
//! clock at later times, recording the warning and the breach exactly once; then write,
//! revise and restore a knowledge article and link it to the ticket.
//!
//! Run with `cargo run -p pet-core --example helpdesk`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use pet_core::activity::{render, NoNames};
use pet_core::event::DomainEvent;
use pet_core::helpdesk::{
    sla, sla_clock, ticket, Channel, NewTicket, Priority, SlaAssignmentCommand,
    SlaDefinitionCommand, SlaDefinitionId, SlaSpec, SlaSpecInput, TicketCommand, TicketEvent,
    TicketFacts, TicketId, TicketStatus, TicketTimeline,
};
use pet_core::identity::{CustomerId, CustomerStatus, Name};
use pet_core::knowledge::{
    article, ArticleBody, ArticleCommand, ArticleContent, ArticleId, Slug, VersionRef,
};
use uuid::Uuid;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn line(e: &impl DomainEvent) -> String {
    render(e.event_type(), e.schema_version(), &e.payload(), &NoNames).unwrap()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. An SLA definition: London office hours, waiting-on-customer pauses the clock.
    let input: SlaSpecInput = serde_json::from_value(serde_json::json!({
        "calendar": {
            "timezone": "Europe/London",
            "working_hours": {
                "mon": [{"start": "09:00", "end": "17:00"}], "tue": [{"start": "09:00", "end": "17:00"}],
                "wed": [{"start": "09:00", "end": "17:00"}], "thu": [{"start": "09:00", "end": "17:00"}],
                "fri": [{"start": "09:00", "end": "17:00"}]
            },
            "holidays": ["2026-12-25"]
        },
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
            "normal": {"first_response_minutes": 120, "resolution_minutes": 960},
            "high": {"first_response_minutes": 60, "resolution_minutes": 480},
            "urgent": {"first_response_minutes": 30, "resolution_minutes": 240}
        },
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": 80,
        "always_on": ["urgent"]
    }))?;
    let spec = SlaSpec::parse(&input)?;
    let def_id = SlaDefinitionId::from_uuid(Uuid::from_u128(1));
    let create = SlaDefinitionCommand::Create {
        id: def_id,
        name: Name::new("Standard support")?,
        spec,
    };
    let evs = sla::decide_definition(None, &create, at("2026-01-02T09:00:00Z"))?;
    let definition = sla::replay_definition(&evs).ok_or("no definition")?;
    evs.iter().for_each(|e| println!("{}", line(e)));

    // 2. A ticket opened on Friday 18:00, assigned the SLA version in force.
    let customer = CustomerId::from_uuid(Uuid::from_u128(2));
    let facts = TicketFacts::new().with_customer(customer, CustomerStatus::Active);
    let tid = TicketId::from_uuid(Uuid::from_u128(3));
    let mut history: Vec<(DateTime<Utc>, TicketEvent)> = Vec::new();
    let mut state = None;
    for (cmd, now) in [
        (
            TicketCommand::Create(NewTicket {
                id: tid,
                number: pet_core::helpdesk::TicketNumber::new("number", 1)?,
                customer_id: customer,
                project_id: None,
                subject: Name::for_field("subject", "Invoices page times out")?,
                priority: Priority::Normal,
                channel: Channel::Email,
                assignee: None,
            }),
            "2026-01-09T18:00:00Z",
        ),
        (
            TicketCommand::ChangeStatus {
                to: TicketStatus::Open,
            },
            "2026-01-12T09:10:00Z",
        ),
        (
            TicketCommand::ChangeStatus {
                to: TicketStatus::WaitingOnCustomer,
            },
            "2026-01-12T09:20:00Z",
        ),
        (
            TicketCommand::ChangeStatus {
                to: TicketStatus::Open,
            },
            "2026-01-12T10:00:00Z",
        ),
    ] {
        let evs = ticket::decide(state.as_ref(), &cmd, &facts, at(now))?;
        state = ticket::evolve_all(state, &evs);
        for e in evs {
            println!("{now}  {}", line(&e));
            history.push((at(now), e));
        }
    }
    let pinned = &definition.current().ok_or("no version")?.spec;
    let assign = SlaAssignmentCommand::assign(tid, &definition)?;
    let mut assignment = None;
    let evs = sla::decide_assignment(None, &assign, at("2026-01-09T18:00:00Z"))?;
    assignment = evs.iter().fold(assignment, sla::evolve_assignment);

    // 3. The SLA job, every so often: evaluate the clock, record what is new.
    let timeline =
        TicketTimeline::from_events(history.iter().map(|(a, e)| (*a, e))).ok_or("no timeline")?;
    for now in [
        "2026-01-12T10:30:00Z",
        "2026-01-12T11:20:00Z",
        "2026-01-12T11:41:00Z",
        "2026-01-12T12:00:00Z",
    ] {
        let reading = sla_clock(pinned, &timeline, at(now));
        let fr = reading.first_response;
        println!(
            "{now}  first response: {} ({} of {} business minutes, due {})",
            fr.state.as_str(),
            fr.elapsed_minutes(),
            fr.target_minutes,
            fr.due_at.map(|d| d.to_rfc3339()).unwrap_or_default()
        );
        let evs = sla::decide_assignment(
            assignment.as_ref(),
            &SlaAssignmentCommand::Record { reading },
            at(now),
        )?;
        assignment = evs.iter().fold(assignment, sla::evolve_assignment);
        evs.iter()
            .for_each(|e| println!("{now}  recorded: {}", line(e)));
    }

    // 4. Knowledge: write, revise, restore, link.
    let aid = ArticleId::from_uuid(Uuid::from_u128(4));
    let body = |s: &str| ArticleBody::new(s);
    let content = |b: &str| -> Result<ArticleContent, pet_core::DomainError> {
        Ok(ArticleContent {
            title: Name::for_field("title", "Invoices page times out")?,
            body: body(b)?,
        })
    };
    let mut a = None;
    for cmd in [
        ArticleCommand::Create {
            id: aid,
            category: Name::for_field("category", "Billing")?,
            slug: Slug::new("invoice-timeouts")?,
            content: content("Narrow the date range.")?,
        },
        ArticleCommand::Publish {
            content: content("Narrow the date range.")?,
        },
        ArticleCommand::Publish {
            content: content("Export the report instead.")?,
        },
        ArticleCommand::Restore {
            version: VersionRef {
                article_id: aid,
                number: pet_core::knowledge::KnowledgeVersionNumber::new(1)?,
            },
        },
        ArticleCommand::LinkTicket { ticket_id: tid },
    ] {
        let evs = article::decide(a.as_ref(), &cmd, at("2026-01-12T12:00:00Z"))?;
        a = article::evolve_all(a, &evs);
        evs.iter().for_each(|e| println!("{}", line(e)));
    }
    Ok(())
}
