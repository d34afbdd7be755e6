//! Shared fixtures for pet-core's integration tests: fixed ids, times and a scenario that
//! produces every Identity & Organisation event through the real `decide` functions.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pet_core::identity::{
    customer, employee, org, team, Contact, ContactId, Currency, CustomerCommand, CustomerId,
    DatedRate, Email, EmployeeCommand, EmployeeId, EmployeeStatus, IdentityEvent, MembershipId,
    Money, Name, NewEmployee, Note, OrgStructureCommand, OrgVersionId, OrgVersionNumber, Phone,
    Rate, RateKind, TeamCommand, TeamFacts, TeamId, TeamRole, TeamStatus, WpUserId,
};
use uuid::Uuid;

pub fn uuid(n: u128) -> Uuid {
    Uuid::parse_str(&format!("0190a1b2-0000-7000-8000-{n:012x}")).unwrap()
}
pub fn ana() -> EmployeeId {
    EmployeeId::from_uuid(uuid(1))
}
pub fn ben() -> EmployeeId {
    EmployeeId::from_uuid(uuid(2))
}
pub fn engineering() -> TeamId {
    TeamId::from_uuid(uuid(10))
}
pub fn web() -> TeamId {
    TeamId::from_uuid(uuid(11))
}
pub fn acme() -> CustomerId {
    CustomerId::from_uuid(uuid(20))
}
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}
pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}
pub fn eur(minor: i64) -> Rate {
    Rate::new(Money::new(minor, Currency::new("EUR").unwrap())).unwrap()
}

/// Every event type (and the interesting variants), as `(label, event)`, produced by
/// running commands through `decide`/`evolve` like an application would.
pub fn scenario() -> Vec<(&'static str, IdentityEvent)> {
    let now = at(2026, 1, 5);
    let mut out: Vec<(&'static str, IdentityEvent)> = Vec::new();

    // Employees
    let mut ana_state = None;
    let mut emp = |state: &mut Option<employee::Employee>, label, cmd: EmployeeCommand| {
        let evs = employee::decide(state.as_ref(), &cmd, now).unwrap();
        *state = employee::evolve_all(state.take(), &evs);
        for e in evs {
            out.push((label, IdentityEvent::Employee(e)));
        }
    };
    emp(
        &mut ana_state,
        "employee.created",
        EmployeeCommand::Create(NewEmployee {
            id: ana(),
            name: Name::new("Ana Ruiz").unwrap(),
            email: Email::new("Ana.Ruiz@Example.com").unwrap(),
            wp_user_id: Some(WpUserId::new(12).unwrap()),
            cost_rate: Some(DatedRate {
                rate: eur(5000),
                effective_from: day("2026-01-01"),
            }),
            bill_rate: Some(DatedRate {
                rate: eur(12000),
                effective_from: day("2026-01-01"),
            }),
        }),
    );
    let mut ben_state = None;
    emp(
        &mut ben_state,
        "employee.created.minimal",
        EmployeeCommand::Create(NewEmployee {
            id: ben(),
            name: Name::new("Ben Okafor").unwrap(),
            email: Email::new("ben@example.com").unwrap(),
            wp_user_id: None,
            cost_rate: None,
            bill_rate: None,
        }),
    );
    emp(
        &mut ana_state,
        "employee.rate_changed",
        EmployeeCommand::ChangeRate {
            kind: RateKind::Bill,
            rate: DatedRate {
                rate: eur(13550),
                effective_from: day("2026-02-01"),
            },
        },
    );
    emp(
        &mut ben_state,
        "employee.user_linked",
        EmployeeCommand::LinkUser {
            wp_user_id: Some(WpUserId::new(34).unwrap()),
        },
    );
    emp(
        &mut ben_state,
        "employee.user_linked.unlink",
        EmployeeCommand::LinkUser { wp_user_id: None },
    );
    emp(
        &mut ben_state,
        "employee.deactivated",
        EmployeeCommand::Deactivate,
    );
    emp(
        &mut ben_state,
        "employee.reactivated",
        EmployeeCommand::Reactivate,
    );
    emp(
        &mut ben_state,
        "employee.personal_data_erased",
        EmployeeCommand::ErasePersonalData,
    );

    // Teams
    let mut facts = TeamFacts::new()
        .with_employee(ana(), EmployeeStatus::Active)
        .with_employee(ben(), EmployeeStatus::Active);
    let mut teams: Vec<team::Team> = Vec::new();
    let mut tm = |state: Option<team::Team>, label, cmd: TeamCommand, facts: &TeamFacts| {
        let evs = team::decide(state.as_ref(), &cmd, facts, now).unwrap();
        let s = team::evolve_all(state, &evs).unwrap();
        for e in evs {
            out.push((label, IdentityEvent::Team(e)));
        }
        s
    };
    let eng = tm(
        None,
        "team.created",
        TeamCommand::Create {
            id: engineering(),
            name: Name::new("Engineering").unwrap(),
            parent_id: None,
        },
        &facts,
    );
    facts.insert_team(engineering(), None, TeamStatus::Active);
    let w = tm(
        None,
        "team.created.child",
        TeamCommand::Create {
            id: web(),
            name: Name::new("Web Team").unwrap(),
            parent_id: Some(engineering()),
        },
        &facts,
    );
    facts.insert_team(web(), Some(engineering()), TeamStatus::Active);
    let w = tm(
        Some(w),
        "team.moved.top",
        TeamCommand::Move { parent_id: None },
        &facts,
    );
    facts.insert_team(web(), None, TeamStatus::Active);
    let w = tm(
        Some(w),
        "team.moved",
        TeamCommand::Move {
            parent_id: Some(engineering()),
        },
        &facts,
    );
    facts.insert_team(web(), Some(engineering()), TeamStatus::Active);
    let w = tm(
        Some(w),
        "team.member_added",
        TeamCommand::AddMember {
            membership_id: MembershipId::from_uuid(uuid(30)),
            employee_id: ana(),
            role: TeamRole::Lead,
            valid_from: day("2026-01-05"),
            valid_to: None,
        },
        &facts,
    );
    let w = tm(
        Some(w),
        "team.member_added.bounded",
        TeamCommand::AddMember {
            membership_id: MembershipId::from_uuid(uuid(31)),
            employee_id: ben(),
            role: TeamRole::Member,
            valid_from: day("2026-01-01"),
            valid_to: Some(day("2026-06-30")),
        },
        &facts,
    );
    let w = tm(
        Some(w),
        "team.member_removed",
        TeamCommand::RemoveMember {
            membership_id: MembershipId::from_uuid(uuid(31)),
            valid_to: Some(day("2026-03-31")),
        },
        &facts,
    );
    let old = tm(
        None,
        "team.created.old",
        TeamCommand::Create {
            id: TeamId::from_uuid(uuid(12)),
            name: Name::new("Legacy").unwrap(),
            parent_id: None,
        },
        &facts,
    );
    let old = tm(Some(old), "team.archived", TeamCommand::Archive, &facts);
    teams.extend([eng, w, old]);

    // Org structure
    let published_at = at(2026, 1, 5);
    let v1 = org::decide(
        None,
        &OrgStructureCommand::Publish {
            id: OrgVersionId::from_uuid(uuid(40)),
            previous_number: None,
            effective_at: published_at,
            note: Note::new("Initial structure").unwrap(),
            snapshot: org::build_snapshot(&teams, published_at),
        },
        now,
    )
    .unwrap();
    out.extend(
        v1.into_iter()
            .map(|e| ("org_structure.published", IdentityEvent::OrgStructure(e))),
    );
    let later = at(2026, 2, 1);
    let v2 = org::decide(
        None,
        &OrgStructureCommand::Publish {
            id: OrgVersionId::from_uuid(uuid(41)),
            previous_number: Some(OrgVersionNumber::FIRST),
            effective_at: later,
            note: Note::new("").unwrap(),
            snapshot: org::build_snapshot(&teams, later),
        },
        now,
    )
    .unwrap();
    let scheduled = org::replay(&v2).unwrap();
    out.extend(
        v2.into_iter()
            .map(|e| ("org_structure.scheduled", IdentityEvent::OrgStructure(e))),
    );
    let due = org::decide(Some(&scheduled), &OrgStructureCommand::PublishDue, later).unwrap();
    out.extend(due.into_iter().map(|e| {
        (
            "org_structure.published.due",
            IdentityEvent::OrgStructure(e),
        )
    }));

    // Customers
    let mut cu = |state: Option<customer::Customer>, label, cmd: CustomerCommand| {
        let evs = customer::decide(state.as_ref(), &cmd, &Default::default(), now).unwrap();
        let s = customer::evolve_all(state, &evs).unwrap();
        for e in evs {
            out.push((label, IdentityEvent::Customer(e)));
        }
        s
    };
    let c = cu(
        None,
        "customer.created",
        CustomerCommand::Create {
            id: acme(),
            name: Name::new("Acme Ltd").unwrap(),
        },
    );
    let c = cu(
        Some(c),
        "contact.added",
        CustomerCommand::AddContact(Contact {
            contact_id: ContactId::from_uuid(uuid(50)),
            name: Name::new("Jane Doe").unwrap(),
            email: Some(Email::new("jane@acme.test").unwrap()),
            phone: Some(Phone::new("+44 20 7946 0000").unwrap()),
        }),
    );
    let c = cu(
        Some(c),
        "contact.added.minimal",
        CustomerCommand::AddContact(Contact {
            contact_id: ContactId::from_uuid(uuid(51)),
            name: Name::new("John Roe").unwrap(),
            email: None,
            phone: None,
        }),
    );
    let c = cu(Some(c), "customer.archived", CustomerCommand::Archive);
    // A contact is erased even on an archived customer (the fact says it exists).
    let erased = customer::decide(
        Some(&c),
        &CustomerCommand::EraseContact {
            contact_id: ContactId::from_uuid(uuid(51)),
        },
        &customer::CustomerFacts {
            contact_exists: true,
            contact_erased: false,
        },
        now,
    )
    .unwrap();
    for e in erased {
        out.push(("contact.personal_data_erased", IdentityEvent::Customer(e)));
    }
    out
}

/// Names a projector would know.
pub fn names() -> std::collections::BTreeMap<Uuid, String> {
    [
        (uuid(1), "Ana Ruiz"),
        (uuid(2), "Ben Okafor"),
        (uuid(10), "Engineering"),
        (uuid(11), "Web Team"),
        (uuid(12), "Legacy"),
        (uuid(20), "Acme Ltd"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}
