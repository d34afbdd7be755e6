//! A tour of pet-core's commercial domain, the way an application service uses it:
//! publish a lead schema, capture a lead, contact and qualify it, open an opportunity,
//! build a quote, send version 1, revise and send version 2 (superseding 1), accept it
//! and record the sale, then print the activity feed.
//!
//! Run with `cargo run -p pet-core --example commercial`. Nothing here touches a database
//! or the clock: ids and `now` are made up by the caller, as a storage adapter would.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;

use chrono::{DateTime, Utc};
use pet_core::activity;
use pet_core::commercial::{
    lead, opportunity, quote, schema, BasisPoints, Classification, Discount, DraftEdit,
    FieldDefinition, FieldKey, FieldType, LeadCommand, LeadCustomer, LeadFacts, LeadId,
    LeadSchemaCommand, LeadSchemaId, LeadSummary, LineGroupId, LineId, LineKind, NewLead,
    NewOpportunity, NewQuote, OpportunityCommand, OpportunityFacts, OpportunityId, OpportunityKind,
    Qualification, Quantity, QuoteCommand, QuoteEvent, QuoteFacts, QuoteId, QuoteLine, QuoteNumber,
    SaleId, SizeBand, Text,
};
use pet_core::event::{envelopes, Actor, AggregateEvent, EventMeta, NewEvent};
use pet_core::identity::{
    Currency, CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Money, Name, Note,
};
use pet_core::{pet_registry, EventRegistry};
use uuid::Uuid;

/// Wraps a decided batch into envelopes (`version_before`: the aggregate's version the
/// command was decided against), validates them and appends them to the log.
fn record<E: AggregateEvent>(
    registry: &EventRegistry,
    actor: EmployeeId,
    events: &[E],
    version_before: u64,
    now: DateTime<Utc>,
    log: &mut Vec<NewEvent>,
) -> Result<(), Box<dyn Error>> {
    let first = log.len() as u128;
    let rows = envelopes(events, version_before, |i| EventMeta {
        event_id: Uuid::from_u128(0xe000 + first + i as u128),
        occurred_at: now,
        actor: Actor::Employee(actor.as_uuid()),
        idempotency_key: None,
    })?;
    for r in &rows {
        registry.validate_new(r)?;
    }
    log.extend(rows);
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut now: DateTime<Utc> = "2026-01-05T09:00:00Z".parse()?;
    let mut next_id = 0u128;
    let mut new_id = move || {
        next_id += 1;
        Uuid::from_u128(0x0190_a1b2_0000_7000_8000_0000_0000_0000 + next_id)
    };
    let registry = pet_registry();
    let ana = EmployeeId::from_uuid(new_id());
    let acme = CustomerId::from_uuid(new_id());
    let eur = Currency::new("EUR")?;
    let mut log: Vec<NewEvent> = Vec::new();
    // 1. The lead schema: two custom fields.
    let schema_id = LeadSchemaId::from_uuid(new_id());
    let fields = vec![
        FieldDefinition::new(
            FieldKey::new("employees")?,
            Name::new("Employees")?,
            FieldType::Number,
            true,
            vec![],
            1,
        )?,
        FieldDefinition::new(
            FieldKey::new("industry")?,
            Name::new("Industry")?,
            FieldType::Select,
            false,
            vec![Name::new("Retail")?, Name::new("Finance")?],
            2,
        )?,
    ];
    let evs = schema::decide(None, &LeadSchemaCommand::Publish { schema_id, fields }, now)?;
    record(&registry, ana, &evs, 0, now, &mut log)?;
    let schema = schema::replay(&evs).ok_or("schema not published")?;
    let v1 = schema.latest().ok_or("no version")?.clone();

    // 2. A lead, captured with schema version 1; contacted; qualified.
    let lead_facts = LeadFacts {
        schema: Some(v1),
        customer: Some(CustomerStatus::Active),
        owner: Some(EmployeeStatus::Active),
    };
    let mut values = BTreeMap::new();
    values.insert("employees".to_owned(), serde_json::json!(40));
    values.insert("industry".to_owned(), serde_json::json!("Retail"));
    let cmd = LeadCommand::Create(NewLead {
        id: LeadId::from_uuid(new_id()),
        customer: LeadCustomer::Existing { customer_id: acme },
        source: Name::new("website")?,
        owner_id: ana,
        custom_values: values,
    });
    let evs = lead::decide(None, &cmd, &lead_facts, now)?;
    record(&registry, ana, &evs, 0, now, &mut log)?;
    let mut l = lead::replay(&evs).ok_or("lead not created")?;
    for cmd in [
        LeadCommand::Contact {
            note: Note::new("Intro call with the CTO")?,
        },
        LeadCommand::Qualify(Qualification {
            budget: Some(Money::new(1_500_000, eur)),
            authority: Some(Text::for_field("authority", "CTO signs")?),
            need: Text::for_field("need", "Website relaunch")?,
            timeline: Some(Text::for_field("timeline", "Live by June")?),
            notes: Note::default(),
        }),
    ] {
        let evs = lead::decide(Some(&l), &cmd, &lead_facts, now)?;
        record(&registry, ana, &evs, l.version(), now, &mut log)?;
        l = lead::evolve_all(Some(l), &evs).ok_or("lead lost")?;
    }
    println!(
        "lead {} is {} (schema version {})",
        l.id(),
        l.status().as_str(),
        l.schema().map_or(0, |s| s.number.get())
    );

    // 3. An opportunity from the qualified lead; classified; quoting.
    let opp_facts = OpportunityFacts {
        lead: Some(LeadSummary {
            status: l.status(),
            customer: l.customer().clone(),
        }),
        customer: Some(CustomerStatus::Active),
        owner: Some(EmployeeStatus::Active),
        accepted_quote: None,
        quote_recorded: false,
    };
    let opp_id = OpportunityId::from_uuid(new_id());
    let evs = opportunity::decide(
        None,
        &OpportunityCommand::Create(NewOpportunity {
            id: opp_id,
            lead_id: l.id(),
            customer_id: acme,
            owner_id: ana,
            title: Name::new("Website relaunch")?,
            expected_value: Money::new(1_200_000, eur),
            expected_close: "2026-03-31".parse()?,
        }),
        &opp_facts,
        now,
    )?;
    record(&registry, ana, &evs, 0, now, &mut log)?;
    let mut opp = opportunity::replay(&evs).ok_or("opportunity not opened")?;
    let quote_id = QuoteId::from_uuid(new_id());
    for cmd in [
        OpportunityCommand::Classify(Classification {
            kind: OpportunityKind::NewBusiness,
            size_band: SizeBand::Large,
        }),
        OpportunityCommand::StartQuoting { quote_id },
    ] {
        let evs = opportunity::decide(Some(&opp), &cmd, &opp_facts, now)?;
        record(&registry, ana, &evs, opp.version(), now, &mut log)?;
        opp = opportunity::evolve_all(Some(opp), &evs).ok_or("opportunity lost")?;
    }

    // 4. The quote: version 1 with two groups, sent; version 2 revised and sent.
    let q_facts = QuoteFacts {
        opportunity: Some((opp.status(), acme)),
    };
    let evs = quote::decide(
        None,
        &QuoteCommand::Create(NewQuote {
            id: quote_id,
            number: QuoteNumber::new("number", 12)?,
            opportunity_id: opp_id,
            customer_id: acme,
            currency: eur,
            title: Name::new("Website relaunch")?,
        }),
        &q_facts,
        now,
    )?;
    record(&registry, ana, &evs, 0, now, &mut log)?;
    let mut q = quote::replay(&evs).ok_or("quote not created")?;
    let (build, care) = (
        LineGroupId::from_uuid(new_id()),
        LineGroupId::from_uuid(new_id()),
    );
    let dev_line = LineId::from_uuid(new_id());
    let tax = BasisPoints::for_field("tax_rate", 2000)?;
    let dev = |minutes| -> Result<QuoteLine, Box<dyn Error>> {
        Ok(QuoteLine::new(
            dev_line,
            LineKind::Labour {
                role: Some(Name::new("Developer")?),
            },
            Text::for_field("description", "Development")?,
            Quantity::new(minutes)?,
            Money::new(12_000, eur),
            None,
            tax,
        )?)
    };
    let steps: Vec<(QuoteCommand, DateTime<Utc>)> = vec![
        (
            QuoteCommand::ReviseDraft {
                edits: vec![
                    DraftEdit::AddGroup {
                        group_id: build,
                        title: Name::new("Build")?,
                        optional: false,
                    },
                    DraftEdit::AddLine {
                        group_id: build,
                        line: dev(4800)?,
                    },
                    DraftEdit::AddLine {
                        group_id: build,
                        line: QuoteLine::new(
                            LineId::from_uuid(new_id()),
                            LineKind::FixedFee,
                            Text::for_field("description", "Project management")?,
                            Quantity::new(1)?,
                            Money::new(150_000, eur),
                            Some(Discount::Percent {
                                basis_points: BasisPoints::for_field("discount", 1000)?,
                            }),
                            tax,
                        )?,
                    },
                    DraftEdit::AddGroup {
                        group_id: care,
                        title: Name::new("Care plan")?,
                        optional: true,
                    },
                    DraftEdit::AddLine {
                        group_id: care,
                        line: QuoteLine::new(
                            LineId::from_uuid(new_id()),
                            LineKind::Recurring {
                                interval: pet_core::commercial::Interval::Monthly,
                            },
                            Text::for_field("description", "Hosting and updates")?,
                            Quantity::new(1)?,
                            Money::new(25_000, eur),
                            None,
                            tax,
                        )?,
                    },
                ],
            },
            now,
        ),
        (
            QuoteCommand::Send {
                valid_until: "2026-01-31".parse()?,
            },
            now,
        ),
        (
            QuoteCommand::DraftNextVersion,
            "2026-01-12T10:00:00Z".parse()?,
        ),
        (
            QuoteCommand::ReviseDraft {
                edits: vec![DraftEdit::UpdateLine { line: dev(4200)? }],
            },
            "2026-01-12T10:05:00Z".parse()?,
        ),
        (
            QuoteCommand::Send {
                valid_until: "2026-02-28".parse()?,
            },
            "2026-01-12T10:10:00Z".parse()?,
        ),
        (
            QuoteCommand::Accept {
                number: pet_core::commercial::QuoteVersionNumber::new("number", 2)?,
                sale_id: SaleId::from_uuid(new_id()),
                signed_by: Some(Name::new("Jane Doe")?),
                optional_groups: BTreeSet::from([care]),
            },
            "2026-01-20T15:00:00Z".parse()?,
        ),
    ];
    for (cmd, at) in steps {
        now = at;
        let evs = quote::decide(Some(&q), &cmd, &q_facts, now)?;
        record(&registry, ana, &evs, q.version(), now, &mut log)?;
        q = quote::evolve_all(Some(q), &evs).ok_or("quote lost")?;
        if let Some(QuoteEvent::SaleRecorded(sale)) = evs.last() {
            println!(
                "sale {}: total {} (tax {}), {} labour line(s), {} fee(s)",
                sale.sale_id,
                sale.totals.total,
                sale.totals.tax,
                sale.labour.len(),
                sale.fees.len()
            );
            for l in &sale.labour {
                println!(
                    "  sold {} min of {}",
                    l.minutes,
                    l.role.as_ref().map_or("any role", |r| r.as_str())
                );
            }
            // The opportunity is won with this sale.
            let won = OpportunityFacts {
                accepted_quote: Some((opp_id, sale.sale_id)),
                ..opp_facts.clone()
            };
            let evs = opportunity::decide(
                Some(&opp),
                &OpportunityCommand::Win {
                    quote_id,
                    sale_id: sale.sale_id,
                },
                &won,
                now,
            )?;
            record(&registry, ana, &evs, opp.version(), now, &mut log)?;
            opp = opportunity::evolve_all(Some(opp), &evs).ok_or("opportunity lost")?;
        }
    }
    for v in q.versions() {
        println!(
            "quote Q-12 version {}: {} {}",
            v.number(),
            v.status().as_str(),
            v.sent().map_or(String::new(), |s| format!(
                "(hash {}…, total {})",
                &s.content_hash[..12],
                s.totals.quote.total
            ))
        );
    }
    println!("opportunity is {}", opp.status().as_str());

    // 5. The activity feed, with the names a projector would know.
    let mut names = BTreeMap::new();
    names.insert(ana.as_uuid(), "Ana Ruiz".to_owned());
    names.insert(acme.as_uuid(), "Acme Ltd".to_owned());
    names.insert(l.id().as_uuid(), "Lead Acme Ltd (website)".to_owned());
    names.insert(opp_id.as_uuid(), "Opportunity Website relaunch".to_owned());
    names.insert(quote_id.as_uuid(), "quote Q-12".to_owned());
    println!("\nactivity:");
    for e in &log {
        println!(
            "  {}  {}",
            e.occurred_at().format("%Y-%m-%d %H:%M"),
            activity::render_event(e, &names)?
        );
    }
    Ok(())
}
