//! A tour of pet-core's Identity & Organisation domain, the way an application service
//! uses it: create an employee and a team, add the employee to the team, publish the org
//! structure, wrap every event into an envelope, and render the activity feed.
//!
//! Run with `cargo run -p pet-core --example identity`. Nothing here touches a database
//! or the clock: ids and `now` are made up by the caller, as a storage adapter would.

use std::collections::BTreeMap;
use std::error::Error;

use chrono::{DateTime, Utc};
use pet_core::activity;
use pet_core::event::{envelopes, Actor, EventMeta, NewEvent};
use pet_core::identity::{
    employee, org, team, DatedRate, Email, EmployeeCommand, EmployeeId, MembershipId, Name,
    NewEmployee, Note, OrgStructureCommand, OrgVersionId, Rate, TeamCommand, TeamFacts, TeamId,
    TeamRole,
};
use pet_core::pet_registry;
use uuid::Uuid;

fn main() -> Result<(), Box<dyn Error>> {
    // The caller supplies time and ids (a real application uses the clock and UUIDv7).
    let now: DateTime<Utc> = "2026-01-05T09:00:00Z".parse()?;
    let mut next_id = 0u128;
    let mut new_id = || {
        next_id += 1;
        Uuid::from_u128(0x0190_a1b2_0000_7000_8000_0000_0000_0000 + next_id)
    };
    let registry = pet_registry();
    let mut log: Vec<NewEvent> = Vec::new();
    let mut meta = |_: usize| EventMeta {
        event_id: new_id(),
        occurred_at: now,
        actor: Actor::System,
        idempotency_key: None,
    };

    // 1. An employee, with a bill rate.
    let ana_id = EmployeeId::from_uuid(Uuid::from_u128(1));
    let create = EmployeeCommand::Create(NewEmployee {
        id: ana_id,
        name: Name::new("Ana Ruiz")?,
        email: Email::new("ana@example.com")?,
        wp_user_id: None,
        cost_rate: None,
        bill_rate: Some(DatedRate {
            rate: Rate::from_parts(12_000, "EUR")?,
            effective_from: "2026-01-01".parse()?,
        }),
    });
    let events = employee::decide(None, &create, now)?;
    log.extend(envelopes(&events, 0, &mut meta)?);
    let ana = employee::replay(&events).ok_or("employee not created")?;
    println!(
        "employee {} is {} (version {}), bill rate today: {}",
        ana.name(),
        ana.status().as_str(),
        ana.version(),
        ana.rate_at(employee::RateKind::Bill, now.date_naive())
            .map(|r| r.to_string())
            .unwrap_or_else(|| "none".into())
    );

    // 2. A team. The hierarchy and employee facts come from storage in real life.
    let web_id = TeamId::from_uuid(Uuid::from_u128(2));
    let facts = TeamFacts::new().with_employee(ana_id, ana.status());
    let events = team::decide(
        None,
        &TeamCommand::Create {
            id: web_id,
            name: Name::new("Web Team")?,
            parent_id: None,
        },
        &facts,
        now,
    )?;
    log.extend(envelopes(&events, 0, &mut meta)?);
    let web = team::replay(&events).ok_or("team not created")?;

    // 3. Ana joins the team as its lead.
    let add = TeamCommand::AddMember {
        membership_id: MembershipId::from_uuid(Uuid::from_u128(3)),
        employee_id: ana_id,
        role: TeamRole::Lead,
        valid_from: "2026-01-05".parse()?,
        valid_to: None,
    };
    let events = team::decide(Some(&web), &add, &facts, now)?;
    log.extend(envelopes(&events, web.version(), &mut meta)?);
    let web = team::evolve_all(Some(web), &events).ok_or("team lost")?;

    // A rule at work: the same employee cannot hold two overlapping memberships.
    let again = TeamCommand::AddMember {
        membership_id: MembershipId::from_uuid(Uuid::from_u128(4)),
        employee_id: ana_id,
        role: TeamRole::Member,
        valid_from: "2026-02-01".parse()?,
        valid_to: None,
    };
    if let Err(e) = team::decide(Some(&web), &again, &facts, now) {
        println!("refused as expected: {e}");
    }

    // 4. Publish the org structure as of now.
    let events = org::decide(
        None,
        &OrgStructureCommand::Publish {
            id: OrgVersionId::from_uuid(Uuid::from_u128(5)),
            previous_number: None,
            effective_at: now,
            note: Note::new("First structure")?,
            snapshot: org::build_snapshot([&web], now),
        },
        now,
    )?;
    log.extend(envelopes(&events, 0, &mut meta)?);

    // 5. Every envelope is valid for the store; render the activity feed.
    let names: BTreeMap<Uuid, String> = [
        (ana_id.as_uuid(), ana.name().to_string()),
        (web_id.as_uuid(), web.name().to_string()),
    ]
    .into_iter()
    .collect();
    println!("\nactivity:");
    for e in &log {
        registry.validate_new(e)?;
        println!(
            "  [{} v{}] {}",
            e.event_type(),
            e.aggregate().version(),
            activity::render_event(e, &names)?
        );
    }
    Ok(())
}
