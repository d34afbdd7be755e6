//! Property tests of the Identity & Organisation state machines (proptest-state-machine):
//! a reference model and the real aggregates run the same random command sequences;
//! every step checks that both accept or both reject, postconditions after each step,
//! and invariants (acyclic hierarchy, no overlapping memberships, replay = state) always.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use pet_core::identity::{
    customer, employee, team, Contact, ContactId, Currency, CustomerCommand, CustomerEvent,
    CustomerId, DatedRate, Email, EmployeeCommand, EmployeeId, EmployeeStatus, MembershipId, Money,
    Name, NewEmployee, Rate, RateKind, TeamCommand, TeamFacts, TeamId, TeamRole, TeamStatus,
    WpUserId,
};
use pet_core::DomainError;
use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use uuid::Uuid;

fn base_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}
fn day(k: u8) -> NaiveDate {
    base_day()
        .checked_add_days(Days::new(u64::from(k)))
        .unwrap()
}
/// "Today" for every step: day 5.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 6, 12, 0, 0).unwrap()
}
const TODAY: u8 = 5;

// ---------------------------------------------------------------------------------------
// Employee: status machine, effective-dated rates, user link
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum EmpOp {
    Create,
    Deactivate,
    Reactivate,
    ChangeRate { bill: bool, amount: u8, from: u8 },
    Link(Option<u8>),
}

#[derive(Debug, Clone, Default)]
struct EmpModel {
    exists: bool,
    active: bool,
    rates: BTreeMap<(bool, u8), u8>,
    wp: Option<u8>,
    accepted: u64,
    last_ok: bool,
}

impl EmpModel {
    fn rate_at(&self, bill: bool, on: u8) -> Option<u8> {
        self.rates
            .iter()
            .filter(|((b, d), _)| *b == bill && *d <= on)
            .max_by_key(|((_, d), _)| *d)
            .map(|(_, a)| *a)
    }
}

struct EmpRef;

impl ReferenceStateMachine for EmpRef {
    type State = EmpModel;
    type Transition = EmpOp;

    fn init_state() -> BoxedStrategy<EmpModel> {
        Just(EmpModel::default()).boxed()
    }

    fn transitions(_: &EmpModel) -> BoxedStrategy<EmpOp> {
        prop_oneof![
            1 => Just(EmpOp::Create),
            2 => Just(EmpOp::Deactivate),
            2 => Just(EmpOp::Reactivate),
            4 => (any::<bool>(), 0u8..3, 0u8..6)
                .prop_map(|(bill, amount, from)| EmpOp::ChangeRate { bill, amount, from }),
            2 => proptest::option::of(1u8..3).prop_map(EmpOp::Link),
        ]
        .boxed()
    }

    fn apply(mut s: EmpModel, op: &EmpOp) -> EmpModel {
        let ok = match *op {
            EmpOp::Create => !s.exists,
            EmpOp::Deactivate => s.exists && s.active,
            EmpOp::Reactivate => s.exists && !s.active,
            EmpOp::ChangeRate { bill, amount, from } => {
                s.exists && s.rates.get(&(bill, from)) != Some(&amount)
            }
            EmpOp::Link(u) => s.exists && s.wp != u,
        };
        s.last_ok = ok;
        if ok {
            s.accepted += 1;
            match *op {
                EmpOp::Create => {
                    s.exists = true;
                    s.active = true;
                }
                EmpOp::Deactivate => s.active = false,
                EmpOp::Reactivate => s.active = true,
                EmpOp::ChangeRate { bill, amount, from } => {
                    s.rates.insert((bill, from), amount);
                }
                EmpOp::Link(u) => s.wp = u,
            }
        }
        s
    }
}

struct EmpSut {
    state: Option<employee::Employee>,
    log: Vec<pet_core::identity::EmployeeEvent>,
}

fn emp_command(op: &EmpOp) -> EmployeeCommand {
    match *op {
        EmpOp::Create => EmployeeCommand::Create(NewEmployee {
            id: EmployeeId::from_uuid(Uuid::from_u128(1)),
            name: Name::new("Ana").unwrap(),
            email: Email::new("ana@example.com").unwrap(),
            wp_user_id: None,
            cost_rate: None,
            bill_rate: None,
        }),
        EmpOp::Deactivate => EmployeeCommand::Deactivate,
        EmpOp::Reactivate => EmployeeCommand::Reactivate,
        EmpOp::ChangeRate { bill, amount, from } => EmployeeCommand::ChangeRate {
            kind: if bill { RateKind::Bill } else { RateKind::Cost },
            rate: DatedRate {
                rate: Rate::new(Money::new(
                    i64::from(amount) * 1000,
                    Currency::new("EUR").unwrap(),
                ))
                .unwrap(),
                effective_from: day(from),
            },
        },
        EmpOp::Link(u) => EmployeeCommand::LinkUser {
            wp_user_id: u.map(|u| WpUserId::new(u64::from(u)).unwrap()),
        },
    }
}

impl StateMachineTest for EmpSut {
    type SystemUnderTest = Self;
    type Reference = EmpRef;

    fn init_test(_: &EmpModel) -> Self {
        EmpSut {
            state: None,
            log: Vec::new(),
        }
    }

    fn apply(mut sut: Self, model: &EmpModel, op: EmpOp) -> Self {
        let before = sut.state.clone();
        match employee::decide(sut.state.as_ref(), &emp_command(&op), now()) {
            Ok(evs) => {
                assert!(model.last_ok, "{op:?} accepted but the model rejects it");
                assert_eq!(evs.len(), 1, "one event per accepted command");
                sut.state = employee::evolve_all(sut.state.take(), &evs);
                sut.log.extend(evs);
            }
            Err(e) => {
                assert!(
                    !model.last_ok,
                    "{op:?} rejected ({e}) but the model accepts it"
                );
                assert_eq!(sut.state, before, "a rejected command changes nothing");
            }
        }
        sut
    }

    fn check_invariants(sut: &Self, model: &EmpModel) {
        assert_eq!(sut.state.is_some(), model.exists);
        let Some(e) = &sut.state else { return };
        assert_eq!(e.version(), model.accepted);
        assert_eq!(e.status() == EmployeeStatus::Active, model.active);
        assert_eq!(e.wp_user_id().map(|u| u.get()), model.wp.map(u64::from));
        for bill in [false, true] {
            let kind = if bill { RateKind::Bill } else { RateKind::Cost };
            for on in 0..8 {
                let got = e
                    .rate_at(kind, day(on))
                    .map(|r| r.per_hour().amount_minor());
                let want = model.rate_at(bill, on).map(|a| i64::from(a) * 1000);
                assert_eq!(got, want, "{kind:?} rate on day {on}");
            }
        }
        // one entry per (kind, first day), sorted
        let keys: Vec<_> = e
            .rates()
            .iter()
            .map(|r| (r.kind, r.dated.effective_from))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted);
        // the event log rebuilds exactly this state, also through the storage form
        assert_eq!(employee::replay(&sut.log).as_ref(), Some(e));
        // so does a state row: restoring what one keeps (rates in any row order) gives it
        let restored = employee::Employee::restore(
            e.id(),
            e.name().clone(),
            e.email().clone(),
            e.wp_user_id(),
            e.status(),
            e.rates().iter().rev().copied(),
            e.version(),
        );
        assert_eq!(&restored, e);
        let stored: Vec<_> = sut
            .log
            .iter()
            .map(|ev| {
                use pet_core::event::DomainEvent;
                pet_core::identity::EmployeeEvent::from_stored(ev.event_type(), 1, &ev.payload())
                    .unwrap()
            })
            .collect();
        assert_eq!(stored, sut.log);
    }
}

// ---------------------------------------------------------------------------------------
// Teams: hierarchy acyclicity, archive rules, membership overlap
// ---------------------------------------------------------------------------------------

const TEAMS: u8 = 5;
const EMPLOYEES: u8 = 3;

#[derive(Debug, Clone, Copy)]
enum TeamOp {
    Create {
        n: u8,
        parent: Option<u8>,
    },
    Move {
        n: u8,
        parent: Option<u8>,
    },
    Archive {
        n: u8,
    },
    AddMember {
        n: u8,
        m: u8,
        e: u8,
        from: u8,
        len: Option<u8>,
    },
    RemoveMember {
        n: u8,
        m: u8,
        to: Option<u8>,
    },
    ToggleEmployee {
        e: u8,
    },
}

#[derive(Debug, Clone)]
struct RefTeam {
    parent: Option<u8>,
    archived: bool,
    members: BTreeMap<u8, (u8, u8, Option<u8>)>, // m -> (employee, from, to)
    accepted: u64,
}

#[derive(Debug, Clone)]
struct TeamModel {
    teams: BTreeMap<u8, RefTeam>,
    active_employees: [bool; EMPLOYEES as usize],
    last_ok: bool,
}

impl TeamModel {
    fn active(&self, n: u8) -> bool {
        self.teams.get(&n).is_some_and(|t| !t.archived)
    }
    /// True when `n` is `start` or an ancestor of it.
    fn is_ancestor_or_self(&self, n: u8, start: u8) -> bool {
        let mut cur = Some(start);
        for _ in 0..=TEAMS {
            match cur {
                None => return false,
                Some(c) if c == n => return true,
                Some(c) => cur = self.teams.get(&c).and_then(|t| t.parent),
            }
        }
        panic!("the model itself has a cycle");
    }
    fn decide(&self, op: &TeamOp) -> bool {
        match *op {
            TeamOp::Create { n, parent } => {
                !self.teams.contains_key(&n) && parent.is_none_or(|p| p != n && self.active(p))
            }
            TeamOp::Move { n, parent } => {
                self.active(n)
                    && self.teams[&n].parent != parent
                    && parent.is_none_or(|p| self.active(p) && !self.is_ancestor_or_self(n, p))
            }
            TeamOp::Archive { n } => {
                self.active(n)
                    && !self
                        .teams
                        .values()
                        .any(|t| t.parent == Some(n) && !t.archived)
                    && self.teams[&n]
                        .members
                        .values()
                        .all(|(_, _, to)| to.is_some_and(|to| to < TODAY))
            }
            TeamOp::AddMember { n, m, e, from, len } => {
                let to = len.map(|l| from + l);
                self.active(n)
                    && self.active_employees[e as usize]
                    && !self.teams[&n].members.contains_key(&m)
                    && !self.teams[&n].members.values().any(|(oe, of, ot)| {
                        *oe == e && to.is_none_or(|t| *of <= t) && ot.is_none_or(|ot| from <= ot)
                    })
            }
            TeamOp::RemoveMember { n, m, to } => {
                let end = to.unwrap_or(TODAY);
                self.active(n)
                    && self.teams[&n]
                        .members
                        .get(&m)
                        .is_some_and(|(_, from, old)| {
                            end >= *from && old.is_none_or(|old| end < old)
                        })
            }
            TeamOp::ToggleEmployee { .. } => true,
        }
    }
}

struct TeamRef;

impl ReferenceStateMachine for TeamRef {
    type State = TeamModel;
    type Transition = TeamOp;

    fn init_state() -> BoxedStrategy<TeamModel> {
        Just(TeamModel {
            teams: BTreeMap::new(),
            active_employees: [true; EMPLOYEES as usize],
            last_ok: true,
        })
        .boxed()
    }

    fn transitions(_: &TeamModel) -> BoxedStrategy<TeamOp> {
        let team = 0..TEAMS;
        let parent = proptest::option::weighted(0.7, 0..TEAMS);
        prop_oneof![
            3 => (team.clone(), parent.clone()).prop_map(|(n, parent)| TeamOp::Create { n, parent }),
            4 => (team.clone(), parent).prop_map(|(n, parent)| TeamOp::Move { n, parent }),
            1 => team.clone().prop_map(|n| TeamOp::Archive { n }),
            4 => (team.clone(), 0u8..4, 0..EMPLOYEES, 0u8..10, proptest::option::of(0u8..5))
                .prop_map(|(n, m, e, from, len)| TeamOp::AddMember { n, m, e, from, len }),
            2 => (team, 0u8..4, proptest::option::of(0u8..12))
                .prop_map(|(n, m, to)| TeamOp::RemoveMember { n, m, to }),
            1 => (0..EMPLOYEES).prop_map(|e| TeamOp::ToggleEmployee { e }),
        ]
        .boxed()
    }

    fn apply(mut s: TeamModel, op: &TeamOp) -> TeamModel {
        let ok = s.decide(op);
        s.last_ok = ok;
        if !ok {
            return s;
        }
        let bump = |s: &mut TeamModel, n: u8| {
            if let Some(t) = s.teams.get_mut(&n) {
                t.accepted += 1;
            }
        };
        match *op {
            TeamOp::Create { n, parent } => {
                s.teams.insert(
                    n,
                    RefTeam {
                        parent,
                        archived: false,
                        members: BTreeMap::new(),
                        accepted: 1,
                    },
                );
            }
            TeamOp::Move { n, parent } => {
                s.teams.get_mut(&n).unwrap().parent = parent;
                bump(&mut s, n);
            }
            TeamOp::Archive { n } => {
                s.teams.get_mut(&n).unwrap().archived = true;
                bump(&mut s, n);
            }
            TeamOp::AddMember { n, m, e, from, len } => {
                s.teams
                    .get_mut(&n)
                    .unwrap()
                    .members
                    .insert(m, (e, from, len.map(|l| from + l)));
                bump(&mut s, n);
            }
            TeamOp::RemoveMember { n, m, to } => {
                s.teams.get_mut(&n).unwrap().members.get_mut(&m).unwrap().2 =
                    Some(to.unwrap_or(TODAY));
                bump(&mut s, n);
            }
            TeamOp::ToggleEmployee { e } => {
                let a = &mut s.active_employees[e as usize];
                *a = !*a;
            }
        }
        s
    }
}

fn tid(n: u8) -> TeamId {
    TeamId::from_uuid(Uuid::from_u128(100 + u128::from(n)))
}
fn eid(e: u8) -> EmployeeId {
    EmployeeId::from_uuid(Uuid::from_u128(200 + u128::from(e)))
}
fn mid(n: u8, m: u8) -> MembershipId {
    MembershipId::from_uuid(Uuid::from_u128(1000 + u128::from(n) * 100 + u128::from(m)))
}

struct TeamSut {
    teams: BTreeMap<u8, team::Team>,
    employees: [EmployeeStatus; EMPLOYEES as usize],
}

impl TeamSut {
    fn facts(&self) -> TeamFacts {
        let mut f = TeamFacts::new();
        for t in self.teams.values() {
            f.insert_team(t.id(), t.parent_id(), t.status());
        }
        for (e, s) in self.employees.iter().enumerate() {
            f.insert_employee(eid(e as u8), *s);
        }
        f
    }
}

impl StateMachineTest for TeamSut {
    type SystemUnderTest = Self;
    type Reference = TeamRef;

    fn init_test(_: &TeamModel) -> Self {
        TeamSut {
            teams: BTreeMap::new(),
            employees: [EmployeeStatus::Active; EMPLOYEES as usize],
        }
    }

    fn apply(mut sut: Self, model: &TeamModel, op: TeamOp) -> Self {
        let (n, cmd) = match op {
            TeamOp::ToggleEmployee { e } => {
                let s = &mut sut.employees[e as usize];
                *s = match s {
                    EmployeeStatus::Active => EmployeeStatus::Inactive,
                    EmployeeStatus::Inactive => EmployeeStatus::Active,
                };
                return sut;
            }
            TeamOp::Create { n, parent } => (
                n,
                TeamCommand::Create {
                    id: tid(n),
                    name: Name::new(format!("Team {n}").as_str()).unwrap(),
                    parent_id: parent.map(tid),
                },
            ),
            TeamOp::Move { n, parent } => (
                n,
                TeamCommand::Move {
                    parent_id: parent.map(tid),
                },
            ),
            TeamOp::Archive { n } => (n, TeamCommand::Archive),
            TeamOp::AddMember { n, m, e, from, len } => (
                n,
                TeamCommand::AddMember {
                    membership_id: mid(n, m),
                    employee_id: eid(e),
                    role: if m % 2 == 0 {
                        TeamRole::Member
                    } else {
                        TeamRole::Lead
                    },
                    valid_from: day(from),
                    valid_to: len.map(|l| day(from + l)),
                },
            ),
            TeamOp::RemoveMember { n, m, to } => (
                n,
                TeamCommand::RemoveMember {
                    membership_id: mid(n, m),
                    valid_to: to.map(day),
                },
            ),
        };
        let facts = sut.facts();
        let state = sut.teams.get(&n);
        match team::decide(state, &cmd, &facts, now()) {
            Ok(evs) => {
                assert!(model.last_ok, "{op:?} accepted but the model rejects it");
                assert_eq!(evs.len(), 1);
                let next = team::evolve_all(sut.teams.remove(&n), &evs).unwrap();
                sut.teams.insert(n, next);
            }
            Err(e) => {
                assert!(
                    !model.last_ok,
                    "{op:?} rejected ({e}) but the model accepts it"
                );
                if let DomainError::Validation(f) = &e {
                    assert!(!f.is_empty());
                }
            }
        }
        sut
    }

    fn check_invariants(sut: &Self, model: &TeamModel) {
        assert_eq!(sut.teams.len(), model.teams.len());
        let facts = sut.facts();
        for (n, t) in &sut.teams {
            let r = &model.teams[n];
            assert_eq!(t.parent_id(), r.parent.map(tid), "parent of {n}");
            assert_eq!(t.status() == TeamStatus::Archived, r.archived);
            assert_eq!(t.version(), r.accepted);
            assert_eq!(t.members().len(), r.members.len());
            // the hierarchy is acyclic: walking up from any team ends at the top
            let mut cur = t.parent_id();
            let mut steps = 0;
            while let Some(p) = cur {
                assert_ne!(p, t.id(), "cycle through team {n}");
                steps += 1;
                assert!(steps <= sut.teams.len(), "cycle above team {n}");
                cur = facts.team(p).and_then(|x| x.parent_id);
            }
            // a state row and its membership rows (in the order added) restore it
            let restored = pet_core::identity::Team::restore(
                t.id(),
                t.name().clone(),
                t.parent_id(),
                t.status(),
                t.members().to_vec(),
                t.version(),
            );
            assert_eq!(&restored, t);
            // an active team never hangs under an archived one
            if t.status() == TeamStatus::Active {
                if let Some(p) = t.parent_id() {
                    assert_eq!(facts.team(p).map(|x| x.status), Some(TeamStatus::Active));
                }
            }
            // no employee has two overlapping memberships in one team
            for (i, a) in t.members().iter().enumerate() {
                assert!(a.valid_to.is_none_or(|to| a.valid_from <= to));
                for b in &t.members()[i + 1..] {
                    if a.employee_id == b.employee_id {
                        assert!(!a.overlaps(b.valid_from, b.valid_to), "overlap in team {n}");
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Customer and contacts
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum CustOp {
    Create,
    Archive,
    AddContact(u8),
}

#[derive(Debug, Clone, Default)]
struct CustModel {
    exists: bool,
    archived: bool,
    contacts: Vec<u8>,
    accepted: u64,
    last_ok: bool,
}

struct CustRef;

impl ReferenceStateMachine for CustRef {
    type State = CustModel;
    type Transition = CustOp;

    fn init_state() -> BoxedStrategy<CustModel> {
        Just(CustModel::default()).boxed()
    }
    fn transitions(_: &CustModel) -> BoxedStrategy<CustOp> {
        prop_oneof![
            1 => Just(CustOp::Create),
            1 => Just(CustOp::Archive),
            4 => (0u8..5).prop_map(CustOp::AddContact),
        ]
        .boxed()
    }
    fn apply(mut s: CustModel, op: &CustOp) -> CustModel {
        let live = s.exists && !s.archived;
        let ok = match op {
            CustOp::Create => !s.exists,
            CustOp::Archive => live,
            CustOp::AddContact(c) => live && !s.contacts.contains(c),
        };
        s.last_ok = ok;
        if ok {
            s.accepted += 1;
            match op {
                CustOp::Create => s.exists = true,
                CustOp::Archive => s.archived = true,
                CustOp::AddContact(c) => s.contacts.push(*c),
            }
        }
        s
    }
}

/// The customer and the contact ids its events added (what a storage adapter keeps as
/// rows and asks for the `contact_exists` fact).
struct CustSut(Option<customer::Customer>, Vec<ContactId>);

impl StateMachineTest for CustSut {
    type SystemUnderTest = Self;
    type Reference = CustRef;

    fn init_test(_: &CustModel) -> Self {
        CustSut(None, Vec::new())
    }
    fn apply(sut: Self, model: &CustModel, op: CustOp) -> Self {
        let cmd = match op {
            CustOp::Create => CustomerCommand::Create {
                id: CustomerId::from_uuid(Uuid::from_u128(1)),
                name: Name::new("Acme").unwrap(),
            },
            CustOp::Archive => CustomerCommand::Archive,
            CustOp::AddContact(c) => CustomerCommand::AddContact(Contact {
                contact_id: ContactId::from_uuid(Uuid::from_u128(10 + u128::from(c))),
                name: Name::new("Jane").unwrap(),
                email: None,
                phone: None,
            }),
        };
        let facts = customer::CustomerFacts {
            contact_exists: matches!(&cmd, CustomerCommand::AddContact(c) if sut.1.contains(&c.contact_id)),
            contact_erased: false,
        };
        match customer::decide(sut.0.as_ref(), &cmd, &facts, now()) {
            Ok(evs) => {
                assert!(model.last_ok, "{op:?} accepted but the model rejects it");
                let mut ids = sut.1;
                ids.extend(evs.iter().filter_map(|e| match e {
                    CustomerEvent::ContactAdded(p) => Some(p.contact.contact_id),
                    _ => None,
                }));
                CustSut(customer::evolve_all(sut.0, &evs), ids)
            }
            Err(e) => {
                assert!(
                    !model.last_ok,
                    "{op:?} rejected ({e}) but the model accepts it"
                );
                sut
            }
        }
    }
    fn check_invariants(sut: &Self, model: &CustModel) {
        assert_eq!(sut.0.is_some(), model.exists);
        let Some(c) = &sut.0 else { return };
        assert_eq!(c.version(), model.accepted);
        assert_eq!(
            c.status() == customer::CustomerStatus::Archived,
            model.archived
        );
        let ids = sut.1.clone();
        let want: Vec<_> = model
            .contacts
            .iter()
            .map(|c| ContactId::from_uuid(Uuid::from_u128(10 + u128::from(*c))))
            .collect();
        assert_eq!(ids, want);
        assert_eq!(c.contact_count(), want.len() as u64);
        // a state row restores it
        let restored = customer::Customer::restore(
            c.id(),
            c.name().clone(),
            c.status(),
            c.contact_count(),
            c.version(),
        );
        assert_eq!(&restored, c);
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn employee_status_rates_and_link(sequential 1..40 => EmpSut);

    #[test]
    fn team_hierarchy_and_memberships(sequential 1..60 => TeamSut);

    #[test]
    fn customer_and_contacts(sequential 1..30 => CustSut);
}

// ---------------------------------------------------------------------------------------
// Org-structure versions: published exactly once, whatever the job runner does
// ---------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn org_version_is_published_exactly_once(
        effective_offset in -100i64..100,
        ticks in proptest::collection::vec(-50i64..200, 0..20),
    ) {
        use pet_core::identity::{org, Note, OrgStructureCommand, OrgStructureEvent, OrgVersionId};
        let made_at = now();
        let effective_at = made_at + chrono::Duration::minutes(effective_offset);
        let cmd = OrgStructureCommand::Publish {
            id: OrgVersionId::from_uuid(Uuid::from_u128(9)),
            previous_number: None,
            effective_at,
            note: Note::new("").unwrap(),
            snapshot: org::OrgSnapshot::default(),
        };
        let mut log = org::decide(None, &cmd, made_at).unwrap();
        let mut state = org::replay(&log);
        // the job runner wakes at arbitrary times, in order
        let mut t = made_at;
        for tick in ticks {
            t += chrono::Duration::minutes(tick.max(0));
            if let Ok(evs) = org::decide(state.as_ref(), &OrgStructureCommand::PublishDue, t) {
                prop_assert!(t >= effective_at, "published before it was due");
                state = org::evolve_all(state, &evs);
                log.extend(evs);
            }
        }
        let published = log.iter().filter(|e| matches!(e, OrgStructureEvent::Published(_))).count();
        prop_assert!(published <= 1);
        let due_by_end = t >= effective_at;
        // published at once when already due, else by the first wake-up at or after it
        prop_assert_eq!(published == 1, effective_offset <= 0 || due_by_end);
        let details: Vec<_> = log.iter().map(|e| e.details().clone()).collect();
        prop_assert!(details.windows(2).all(|w| w[0] == w[1]), "a version never changes");
    }

    #[test]
    fn money_add_and_sub_are_inverse_or_refused(a in any::<i64>(), b in any::<i64>()) {
        let eur = Currency::new("EUR").unwrap();
        let (ma, mb) = (Money::new(a, eur), Money::new(b, eur));
        match ma.checked_add(&mb) {
            Ok(sum) => prop_assert_eq!(sum.checked_sub(&mb).unwrap(), ma),
            Err(_) => prop_assert!(a.checked_add(b).is_none()),
        }
    }
}
