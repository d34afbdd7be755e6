//! Snapshot tests of every commercial event: its stored payload, its round trip through
//! the storage form, its envelope, and its rendered activity line. The events come from
//! a scenario run through the real `decide` functions (lead → qualify → opportunity →
//! quote v1 sent → v2 sent → accepted → sale, plus the other paths).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pet_core::activity::{self, NoNames};
use pet_core::commercial::{
    lead, opportunity, quote, schema, BasisPoints, Classification, CommercialEvent, Discount,
    DraftEdit, FieldDefinition, FieldKey, FieldType, Interval, LeadChanges, LeadCommand,
    LeadCustomer, LeadFacts, LeadId, LeadSchemaCommand, LeadSchemaId, LeadSummary, LineGroupId,
    LineId, LineKind, NewLead, NewOpportunity, NewQuote, OpportunityCommand, OpportunityFacts,
    OpportunityId, OpportunityKind, Qualification, Quantity, QuoteCommand, QuoteFacts, QuoteId,
    QuoteLine, QuoteNumber, QuoteVersionNumber, SaleId, SizeBand, Text,
};
use pet_core::event::{envelopes, Actor, AggregateEvent, DomainEvent, EventMeta};
use pet_core::identity::{
    Currency, CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Money, Name, Note,
};
use pet_core::pet_registry;
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::parse_str(&format!("0190a1b2-0000-7000-8000-{n:012x}")).unwrap()
}
fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}
fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}
fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::new("EUR").unwrap())
}
fn ana() -> EmployeeId {
    EmployeeId::from_uuid(uuid(1))
}
fn acme() -> CustomerId {
    CustomerId::from_uuid(uuid(20))
}
fn text(s: &str) -> Text {
    Text::for_field("text", s).unwrap()
}
fn raw(v: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    serde_json::from_value(v).unwrap()
}
fn field(
    key: &str,
    label: &str,
    t: FieldType,
    required: bool,
    options: &[&str],
    order: u32,
) -> FieldDefinition {
    FieldDefinition::new(
        FieldKey::new(key).unwrap(),
        Name::new(label).unwrap(),
        t,
        required,
        options.iter().map(|o| Name::new(o).unwrap()).collect(),
        order,
    )
    .unwrap()
}
#[allow(clippy::too_many_arguments)]
fn line(
    n: u128,
    kind: LineKind,
    desc: &str,
    qty: i64,
    price: i64,
    discount: Option<Discount>,
    tax: i64,
) -> QuoteLine {
    QuoteLine::new(
        LineId::from_uuid(uuid(n)),
        kind,
        text(desc),
        Quantity::new(qty).unwrap(),
        eur(price),
        discount,
        BasisPoints::for_field("tax_rate", tax).unwrap(),
    )
    .unwrap()
}
fn role(r: &str) -> LineKind {
    LineKind::Labour {
        role: Some(Name::new(r).unwrap()),
    }
}

/// Every event type (and the interesting variants), as `(label, event)`.
fn scenario() -> Vec<(&'static str, CommercialEvent)> {
    let now = at(2026, 1, 5);
    let out: std::cell::RefCell<Vec<(&'static str, CommercialEvent)>> = Default::default();

    // Lead schema: two versions.
    let sid = LeadSchemaId::from_uuid(uuid(30));
    let v1_fields = vec![
        field("employees", "Employees", FieldType::Number, true, &[], 1),
        field(
            "industry",
            "Industry",
            FieldType::Select,
            false,
            &["Retail", "Finance"],
            2,
        ),
    ];
    let evs = schema::decide(
        None,
        &LeadSchemaCommand::Publish {
            schema_id: sid,
            fields: v1_fields,
        },
        now,
    )
    .unwrap();
    let s = schema::evolve_all(None, &evs).unwrap();
    out.borrow_mut().extend(
        evs.into_iter()
            .map(|e| ("lead_schema.published", CommercialEvent::LeadSchema(e))),
    );
    let v1 = s.latest().unwrap().clone();
    let v2_fields = vec![
        field("employees", "Employees", FieldType::Number, true, &[], 1),
        field(
            "channels",
            "Channels",
            FieldType::Multiselect,
            false,
            &["Web", "Phone", "Email"],
            2,
        ),
        field("first_call", "First call", FieldType::Date, false, &[], 3),
        field("has_budget", "Has budget", FieldType::Bool, false, &[], 4),
        field("notes", "Notes", FieldType::Text, false, &[], 5),
    ];
    let evs = schema::decide(
        Some(&s),
        &LeadSchemaCommand::Publish {
            schema_id: sid,
            fields: v2_fields,
        },
        now,
    )
    .unwrap();
    let s = schema::evolve_all(Some(s), &evs).unwrap();
    out.borrow_mut().extend(
        evs.into_iter()
            .map(|e| ("lead_schema.published.v2", CommercialEvent::LeadSchema(e))),
    );
    let v2 = s.latest().unwrap().clone();

    // Leads.
    let facts = |schema: Option<&pet_core::commercial::LeadSchemaVersion>| LeadFacts {
        schema: schema.cloned(),
        customer: Some(CustomerStatus::Active),
        owner: Some(EmployeeStatus::Active),
    };
    let ld = |state: Option<lead::Lead>, label, cmd: LeadCommand, f: &LeadFacts| {
        let evs = lead::decide(state.as_ref(), &cmd, f, now).unwrap();
        let s = lead::evolve_all(state, &evs).unwrap();
        out.borrow_mut()
            .extend(evs.into_iter().map(|e| (label, CommercialEvent::Lead(e))));
        s
    };
    // Captured with version 1 before version 2 existed: updated later against v1.
    let old = ld(
        None,
        "lead.created.existing_customer",
        LeadCommand::Create(NewLead {
            id: LeadId::from_uuid(uuid(41)),
            customer: LeadCustomer::Existing {
                customer_id: acme(),
            },
            source: Name::new("referral").unwrap(),
            owner_id: ana(),
            custom_values: raw(serde_json::json!({"employees": 40, "industry": "Retail"})),
        }),
        &facts(Some(&v1)),
    );
    let old = ld(
        Some(old),
        "lead.updated",
        LeadCommand::Update(LeadChanges {
            source: Some(Name::new("partner referral").unwrap()),
            custom_values: Some(raw(
                serde_json::json!({"employees": 45, "industry": "Finance"}),
            )),
            ..Default::default()
        }),
        &facts(Some(&v1)),
    );
    let old = ld(
        Some(old),
        "lead.disqualified",
        LeadCommand::Disqualify {
            reason: text("No budget this year"),
        },
        &facts(None),
    );
    ld(
        Some(old),
        "lead.archived",
        LeadCommand::Archive,
        &facts(None),
    );

    let l = ld(
        None,
        "lead.created",
        LeadCommand::Create(NewLead {
            id: LeadId::from_uuid(uuid(40)),
            customer: LeadCustomer::New {
                name: Name::new("Beta GmbH").unwrap(),
            },
            source: Name::new("website").unwrap(),
            owner_id: ana(),
            custom_values: raw(serde_json::json!({
                "employees": 120,
                "channels": ["Email", "Web"],
                "first_call": "2026-01-07",
                "has_budget": true,
                "notes": "Wants a relaunch before summer",
            })),
        }),
        &facts(Some(&v2)),
    );
    let l = ld(
        Some(l),
        "lead.contacted",
        LeadCommand::Contact {
            note: Note::new("Call with CTO").unwrap(),
        },
        &facts(None),
    );
    let l = ld(
        Some(l),
        "lead.qualified",
        LeadCommand::Qualify(Qualification {
            budget: Some(eur(1_500_000)),
            authority: Some(text("CTO signs")),
            need: text("Website relaunch"),
            timeline: Some(text("Live by June")),
            notes: Note::default(),
        }),
        &facts(None),
    );

    // Opportunity (the app created customer Beta for the new-customer lead).
    let beta = CustomerId::from_uuid(uuid(21));
    let opp_id = OpportunityId::from_uuid(uuid(50));
    let ofacts = OpportunityFacts {
        lead: Some(LeadSummary {
            status: l.status(),
            customer: l.customer().clone(),
        }),
        customer: Some(CustomerStatus::Active),
        owner: Some(EmployeeStatus::Active),
        accepted_quote: None,
        quote_recorded: false,
    };
    let op = |state: Option<opportunity::Opportunity>,
              label,
              cmd: OpportunityCommand,
              f: &OpportunityFacts| {
        let evs = opportunity::decide(state.as_ref(), &cmd, f, now).unwrap();
        let s = opportunity::evolve_all(state, &evs).unwrap();
        out.borrow_mut().extend(
            evs.into_iter()
                .map(|e| (label, CommercialEvent::Opportunity(e))),
        );
        s
    };
    let o = op(
        None,
        "opportunity.created",
        OpportunityCommand::Create(NewOpportunity {
            id: opp_id,
            lead_id: l.id(),
            customer_id: beta,
            owner_id: ana(),
            title: Name::new("Website relaunch").unwrap(),
            expected_value: eur(1_200_000),
            expected_close: day("2026-03-31"),
        }),
        &ofacts,
    );
    let o = op(
        Some(o),
        "opportunity.classified",
        OpportunityCommand::Classify(Classification {
            kind: OpportunityKind::NewBusiness,
            size_band: SizeBand::Large,
        }),
        &ofacts,
    );
    let qid = QuoteId::from_uuid(uuid(60));
    let o = op(
        Some(o),
        "opportunity.quoting_started",
        OpportunityCommand::StartQuoting { quote_id: qid },
        &ofacts,
    );

    // Quote.
    let qfacts = QuoteFacts {
        opportunity: Some((o.status(), beta)),
    };
    let qu = |state: Option<quote::Quote>,
              labels: &[&'static str],
              cmd: QuoteCommand,
              now: DateTime<Utc>| {
        let evs = quote::decide(state.as_ref(), &cmd, &qfacts, now).unwrap();
        assert_eq!(evs.len(), labels.len(), "{labels:?}");
        let s = quote::evolve_all(state, &evs).unwrap();
        out.borrow_mut().extend(
            labels
                .iter()
                .copied()
                .zip(evs.into_iter().map(CommercialEvent::Quote)),
        );
        s
    };
    let q = qu(
        None,
        &["quote.created", "quote.version_drafted"],
        QuoteCommand::Create(NewQuote {
            id: qid,
            number: QuoteNumber::new("number", 12).unwrap(),
            opportunity_id: opp_id,
            customer_id: beta,
            currency: Currency::new("EUR").unwrap(),
            title: Name::new("Website relaunch").unwrap(),
        }),
        now,
    );
    let build = LineGroupId::from_uuid(uuid(70));
    let care = LineGroupId::from_uuid(uuid(71));
    let q = qu(
        Some(q),
        &["quote.version_revised"],
        QuoteCommand::ReviseDraft {
            edits: vec![
                DraftEdit::AddGroup {
                    group_id: build,
                    title: Name::new("Build").unwrap(),
                    optional: false,
                },
                DraftEdit::AddLine {
                    group_id: build,
                    line: line(
                        80,
                        role("Developer"),
                        "Development",
                        4800,
                        12_000,
                        None,
                        2000,
                    ),
                },
                DraftEdit::AddLine {
                    group_id: build,
                    line: line(
                        81,
                        role("Designer"),
                        "Design",
                        1200,
                        10_000,
                        Some(Discount::Percent {
                            basis_points: BasisPoints::for_field("d", 1000).unwrap(),
                        }),
                        2000,
                    ),
                },
                DraftEdit::AddLine {
                    group_id: build,
                    line: line(
                        82,
                        LineKind::FixedFee,
                        "Project management",
                        1,
                        150_000,
                        None,
                        2000,
                    ),
                },
                DraftEdit::AddGroup {
                    group_id: care,
                    title: Name::new("Care plan").unwrap(),
                    optional: true,
                },
                DraftEdit::AddLine {
                    group_id: care,
                    line: line(
                        83,
                        LineKind::Recurring {
                            interval: Interval::Monthly,
                        },
                        "Hosting and updates",
                        1,
                        25_000,
                        None,
                        2000,
                    ),
                },
            ],
        },
        now,
    );
    let q = qu(
        Some(q),
        &["quote.sent"],
        QuoteCommand::Send {
            valid_until: day("2026-01-31"),
        },
        now,
    );
    let q = qu(
        Some(q),
        &["quote.version_drafted.from_v1"],
        QuoteCommand::DraftNextVersion,
        at(2026, 1, 10),
    );
    let q = qu(
        Some(q),
        &["quote.version_revised.v2"],
        QuoteCommand::ReviseDraft {
            edits: vec![
                DraftEdit::UpdateLine {
                    line: line(
                        80,
                        role("Developer"),
                        "Development",
                        4200,
                        12_000,
                        None,
                        2000,
                    ),
                },
                DraftEdit::AddLine {
                    group_id: build,
                    line: line(
                        84,
                        LineKind::Product,
                        "Theme licence",
                        2,
                        5_900,
                        Some(Discount::Amount { amount: eur(1_800) }),
                        2000,
                    ),
                },
            ],
        },
        at(2026, 1, 10),
    );
    let q = qu(
        Some(q),
        &["quote.sent.v2", "quote.superseded"],
        QuoteCommand::Send {
            valid_until: day("2026-02-28"),
        },
        at(2026, 1, 10),
    );
    qu(
        Some(q),
        &["quote.accepted", "sale.recorded"],
        QuoteCommand::Accept {
            number: QuoteVersionNumber::new("number", 2).unwrap(),
            sale_id: SaleId::from_uuid(uuid(90)),
            signed_by: Some(Name::new("Jane Doe").unwrap()),
            optional_groups: [care].into_iter().collect(),
        },
        at(2026, 1, 12),
    );
    let won = OpportunityFacts {
        accepted_quote: Some((opp_id, SaleId::from_uuid(uuid(90)))),
        ..ofacts.clone()
    };
    op(
        Some(o),
        "opportunity.won",
        OpportunityCommand::Win {
            quote_id: qid,
            sale_id: SaleId::from_uuid(uuid(90)),
        },
        &won,
    );

    // A second opportunity that is lost; its quote is rejected, another expires.
    let lost_opp = OpportunityId::from_uuid(uuid(51));
    let o2 = op(
        None,
        "opportunity.created.second",
        OpportunityCommand::Create(NewOpportunity {
            id: lost_opp,
            lead_id: l.id(),
            customer_id: beta,
            owner_id: ana(),
            title: Name::new("Intranet").unwrap(),
            expected_value: eur(500_000),
            expected_close: day("2026-04-30"),
        }),
        &ofacts,
    );
    op(
        Some(o2),
        "opportunity.lost",
        OpportunityCommand::Lose {
            reason: text("Went with a competitor"),
        },
        &ofacts,
    );
    let small = |id: u128, n: u32| {
        let qf = QuoteFacts {
            opportunity: Some((opportunity::OpportunityStatus::Open, beta)),
        };
        let mut q = quote::replay(
            &quote::decide(
                None,
                &QuoteCommand::Create(NewQuote {
                    id: QuoteId::from_uuid(uuid(id)),
                    number: QuoteNumber::new("number", n).unwrap(),
                    opportunity_id: lost_opp,
                    customer_id: beta,
                    currency: Currency::new("EUR").unwrap(),
                    title: Name::new("Intranet").unwrap(),
                }),
                &qf,
                now,
            )
            .unwrap(),
        )
        .unwrap();
        for cmd in [
            QuoteCommand::ReviseDraft {
                edits: vec![
                    DraftEdit::AddGroup {
                        group_id: LineGroupId::from_uuid(uuid(id + 1)),
                        title: Name::new("Work").unwrap(),
                        optional: false,
                    },
                    DraftEdit::AddLine {
                        group_id: LineGroupId::from_uuid(uuid(id + 1)),
                        line: line(id + 2, LineKind::FixedFee, "Intranet", 1, 500_000, None, 0),
                    },
                ],
            },
            QuoteCommand::Send {
                valid_until: day("2026-01-20"),
            },
        ] {
            let evs = quote::decide(Some(&q), &cmd, &qf, now).unwrap();
            q = quote::evolve_all(Some(q), &evs).unwrap();
        }
        q
    };
    let q13 = small(100, 13);
    qu(
        Some(q13),
        &["quote.rejected"],
        QuoteCommand::Reject {
            number: QuoteVersionNumber::FIRST,
            reason: text("Too expensive"),
        },
        at(2026, 1, 15),
    );
    let q14 = small(110, 14);
    qu(
        Some(q14),
        &["quote.expired"],
        QuoteCommand::Expire,
        at(2026, 1, 21),
    );
    out.into_inner()
}

/// Names a projector would know.
fn names() -> BTreeMap<Uuid, String> {
    [
        (uuid(1), "Ana Ruiz"),
        (uuid(20), "Acme Ltd"),
        (uuid(21), "Beta GmbH"),
        (uuid(40), "Lead Beta GmbH"),
        (uuid(41), "Lead Acme Ltd"),
        (uuid(50), "Opportunity Website relaunch"),
        (uuid(51), "Opportunity Intranet"),
        (uuid(60), "quote Q-12"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

#[test]
fn scenario_covers_every_event_type() {
    let seen: BTreeSet<&str> = scenario().iter().map(|(_, e)| e.event_type()).collect();
    let all: BTreeSet<&str> = pet_core::commercial::MODULE
        .event_types()
        .map(|s| s.name)
        .collect();
    assert_eq!(seen, all);
    let labels: Vec<&str> = scenario().iter().map(|(l, _)| *l).collect();
    let unique: BTreeSet<&str> = labels.iter().copied().collect();
    assert_eq!(labels.len(), unique.len(), "labels are snapshot names");
}

#[test]
fn every_payload_snapshot() {
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
    }
}

#[test]
fn every_payload_round_trips_and_validates() {
    let registry = pet_registry();
    for (label, event) in scenario() {
        let back = CommercialEvent::from_stored(event.event_type(), 1, &event.payload()).unwrap();
        assert_eq!(back, event, "{label}");
        let env = envelopes(std::slice::from_ref(&event), 4, |_| EventMeta {
            event_id: uuid(999),
            occurred_at: at(2026, 1, 5),
            actor: Actor::Employee(ana().as_uuid()),
            idempotency_key: None,
        })
        .unwrap();
        assert_eq!(env[0].aggregate().version(), 5, "{label}");
        registry.validate_new(&env[0]).unwrap();
    }
}

#[test]
fn tampered_payloads_are_refused() {
    for (label, event) in scenario() {
        let mut p = event.payload();
        let obj = p.as_object_mut().unwrap();
        let key = [
            "schema_id",
            "lead_id",
            "opportunity_id",
            "sale_id",
            "quote_id",
        ]
        .into_iter()
        .find(|k| obj.contains_key(*k))
        .unwrap();
        obj.remove(key);
        assert!(
            CommercialEvent::from_stored(event.event_type(), 1, &p).is_err(),
            "{label} without {key}"
        );
        // An unknown extra field is refused too (payloads are facts with a fixed schema).
        let mut extra = event.payload();
        extra
            .as_object_mut()
            .unwrap()
            .insert("surprise".into(), serde_json::json!(1));
        assert!(
            CommercialEvent::from_stored(event.event_type(), 1, &extra).is_err(),
            "{label} with an extra field"
        );
    }
}

#[test]
fn every_rendered_line_snapshot() {
    let names = names();
    let lines: Vec<serde_json::Value> = scenario()
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
fn the_brief_example_line() {
    let (_, e) = scenario()
        .into_iter()
        .find(|(l, _)| *l == "quote.sent.v2")
        .unwrap();
    insta::assert_snapshot!(
        activity::render(e.event_type(), 1, &e.payload(), &names()).unwrap(),
        @"Quote Q-12 version 2 was sent to Beta GmbH (EUR 14,160.00), valid until 2026-02-28; options EUR 300.00"
    );
}

#[test]
fn the_sale_snapshots_sold_minutes_per_role_and_fees() {
    let (_, e) = scenario()
        .into_iter()
        .find(|(l, _)| *l == "sale.recorded")
        .unwrap();
    let CommercialEvent::Quote(pet_core::commercial::QuoteEvent::SaleRecorded(sale)) = e else {
        panic!("sale")
    };
    let labour: Vec<(String, i64)> = sale
        .labour
        .iter()
        .map(|l| {
            (
                l.role.as_ref().map(|r| r.to_string()).unwrap_or_default(),
                l.minutes,
            )
        })
        .collect();
    assert_eq!(
        labour,
        [
            ("Designer".to_owned(), 1200),
            ("Developer".to_owned(), 4200)
        ]
    );
    assert_eq!(
        sale.fees.len(),
        3,
        "fixed fee, product, recurring care plan (taken)"
    );
    let sum = sale
        .lines
        .iter()
        .try_fold(Money::zero(sale.currency), |a, l| {
            a.checked_add(&l.totals.total)
        })
        .unwrap();
    assert_eq!(sum, sale.totals.total);
}
