//! Property tests of the ticket, opportunity, SLA assignment, knowledge article and
//! customer state machines (proptest-state-machine): a reference model and the real
//! aggregate run the same random command sequences, valid and invalid ones mixed.
//!
//! After every step: the command is accepted exactly when the model says so, and refused
//! with the error kind the model expects (validation, invariant, not found); an accepted
//! command's events, folded with `evolve`, give a state matching the model, and the
//! version grows by exactly the number of events; a refused one changes nothing. Every
//! event round-trips through its stored form, all events of a run belong to one aggregate
//! and `replay` of the whole log equals the state. Invariants per machine are listed at
//! each section.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fmt::Debug;

use chrono::{DateTime, Duration, TimeZone, Utc};
use pet_core::commercial::{
    opportunity, Classification, LeadCustomer, LeadId, LeadStatus, LeadSummary, NewOpportunity,
    OpportunityCommand, OpportunityEvent, OpportunityFacts, OpportunityId, OpportunityKind,
    OpportunityStatus, QuoteId, SaleId, SizeBand, Text,
};
use pet_core::event::{AggregateEvent, DomainEvent};
use pet_core::helpdesk::{
    sla, sla_clock, ticket, Channel, NewTicket, Priority, ReopenWindow, ReplyAuthor, ReplyBody,
    ReplyId, SlaAssignmentCommand, SlaDefinitionId, SlaEvent, SlaSpec, SlaSpecInput, SlaTarget,
    SlaVersionNumber, TicketCommand, TicketEvent, TicketFacts, TicketId, TicketStatus,
    TicketTimeline, TimelineChange, Visibility,
};
use pet_core::identity::{
    customer, Contact, ContactId, Currency, CustomerCommand, CustomerEvent, CustomerFacts,
    CustomerId, CustomerStatus, Email, EmployeeId, EmployeeStatus, EventDecodeError, Money, Name,
    Note, Phone,
};
use pet_core::knowledge::{
    article, ArticleBody, ArticleCommand, ArticleContent, ArticleId, ArticleStatus, CommentBody,
    CommentId, KnowledgeEvent, KnowledgeVersionNumber, Slug, VersionRef,
};
use pet_core::DomainError;
use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Shared: expected outcomes, and one run of an aggregate (state + event log)
// ---------------------------------------------------------------------------------------

/// The kind of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Validation,
    Invariant,
    NotFound,
    Conflict,
}

fn kind_of(e: &DomainError) -> Kind {
    match e {
        DomainError::Validation(f) => {
            assert!(!f.is_empty(), "a validation error names its fields");
            Kind::Validation
        }
        DomainError::Invariant(m) => {
            assert!(!m.is_empty());
            Kind::Invariant
        }
        DomainError::NotFound { .. } => Kind::NotFound,
        DomainError::Conflict(_) => Kind::Conflict,
    }
}

/// What the model expects of one command: accepted with this many events, or refused.
type Expect = Result<usize, Kind>;

/// The functions of one aggregate the checks need.
trait Agg {
    type State: Clone + PartialEq + Debug;
    type Event: AggregateEvent + Clone + PartialEq + Debug;
    fn evolve(state: Option<Self::State>, ev: &Self::Event) -> Option<Self::State>;
    fn replay(log: &[Self::Event]) -> Option<Self::State>;
    fn version(state: &Self::State) -> u64;
    fn from_stored(t: &str, v: u32, p: &serde_json::Value)
        -> Result<Self::Event, EventDecodeError>;
}

/// The aggregate under test: its state and every event it accepted.
struct Run<A: Agg> {
    state: Option<A::State>,
    log: Vec<A::Event>,
}

impl<A: Agg> Run<A> {
    fn new() -> Self {
        Run {
            state: None,
            log: Vec::new(),
        }
    }

    /// Checks a decided command against the model's expectation; an accepted one is
    /// folded in (the version grows by exactly its number of events, each event
    /// round-trips through its stored form). Returns the events.
    fn settle(
        &mut self,
        op: &dyn Debug,
        expect: Expect,
        decided: Result<Vec<A::Event>, DomainError>,
    ) -> Vec<A::Event> {
        let before = self.state.clone();
        let v0 = before.as_ref().map_or(0, A::version);
        match (expect, decided) {
            (Ok(n), Ok(evs)) => {
                assert_eq!(evs.len(), n, "{op:?}: events {evs:?}");
                for e in &evs {
                    // Version 1 everywhere but ticket.created (2: the ticket number).
                    let v = if e.event_type() == "ticket.created" {
                        2
                    } else {
                        1
                    };
                    assert_eq!(e.schema_version(), v);
                    let back = A::from_stored(e.event_type(), v, &e.payload())
                        .unwrap_or_else(|err| panic!("{e:?} does not decode: {err}"));
                    assert_eq!(&back, e, "stored form of {}", e.event_type());
                    if let Some(first) = self.log.first() {
                        assert_eq!(e.aggregate_id(), first.aggregate_id());
                        assert_eq!(e.aggregate_type(), first.aggregate_type());
                    }
                }
                let next = evs.iter().fold(self.state.take(), A::evolve);
                assert!(next.is_some(), "{op:?}: evolve lost the state");
                let v1 = next.as_ref().map_or(0, A::version);
                assert_eq!(v1, v0 + n as u64, "{op:?}: version grows by the events");
                if n == 0 {
                    assert_eq!(next, before, "{op:?}: no events, no change");
                }
                self.state = next;
                self.log.extend(evs.iter().cloned());
                evs
            }
            (Err(k), Err(e)) => {
                assert_eq!(
                    kind_of(&e),
                    k,
                    "{op:?} refused ({e}) but the model expects {k:?}"
                );
                assert_eq!(self.state, before);
                Vec::new()
            }
            (Ok(_), Err(e)) => panic!("{op:?} refused ({e}) but the model accepts it"),
            (Err(k), Ok(evs)) => {
                panic!("{op:?} accepted ({evs:?}) but the model expects a refusal ({k:?})")
            }
        }
    }

    /// `replay` of the whole log equals the state.
    fn check_replay(&self) {
        assert_eq!(A::replay(&self.log), self.state, "replay(log) = state");
        assert_eq!(
            self.state.as_ref().map_or(0, A::version),
            self.log.len() as u64
        );
    }
}

fn minutes(t0: DateTime<Utc>, m: i64) -> DateTime<Utc> {
    t0 + Duration::minutes(m)
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
}

fn emp(e: u8) -> EmployeeId {
    EmployeeId::from_uuid(Uuid::from_u128(300 + u128::from(e)))
}

// ---------------------------------------------------------------------------------------
// Ticket: the status machine, facts about customer and assignee, the reopen window
//
// Invariants: `next_statuses()` is the model's table and exactly the moves decide
// accepts; a closed ticket takes nothing (every command probed); Resolve/Close only
// through their own commands; reopen only within the window; reply_count counts replies.
// ---------------------------------------------------------------------------------------

struct TicketAgg;

impl Agg for TicketAgg {
    type State = ticket::Ticket;
    type Event = TicketEvent;
    fn evolve(state: Option<Self::State>, ev: &TicketEvent) -> Option<Self::State> {
        ticket::evolve(state, ev)
    }
    fn replay(log: &[TicketEvent]) -> Option<Self::State> {
        ticket::replay(log)
    }
    fn version(state: &Self::State) -> u64 {
        state.version()
    }
    fn from_stored(
        t: &str,
        v: u32,
        p: &serde_json::Value,
    ) -> Result<TicketEvent, EventDecodeError> {
        TicketEvent::from_stored(t, v, p)
    }
}

/// Customers: 0 active, 1 archived, 2 unknown. Employees: 0 and 1 active, 2 inactive,
/// 3 unknown.
fn t_customer(c: u8) -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(200 + u128::from(c)))
}
fn ticket_facts() -> TicketFacts {
    TicketFacts::new()
        .with_customer(t_customer(0), CustomerStatus::Active)
        .with_customer(t_customer(1), CustomerStatus::Archived)
        .with_employee(emp(0), EmployeeStatus::Active)
        .with_employee(emp(1), EmployeeStatus::Active)
        .with_employee(emp(2), EmployeeStatus::Inactive)
}
/// The model's view of an employee fact: `Ok` active, `Err(kind)` otherwise.
fn t_employee_ok(e: u8) -> Result<(), Kind> {
    match e {
        0 | 1 => Ok(()),
        2 => Err(Kind::Invariant),
        _ => Err(Kind::Validation),
    }
}

/// The model's own status table (independent of `TicketStatus::can_move_to`).
fn ticket_moves(from: TicketStatus) -> &'static [TicketStatus] {
    use TicketStatus as S;
    match from {
        S::New => &[S::Open],
        S::Open => &[S::WaitingOnCustomer, S::Resolved],
        S::WaitingOnCustomer => &[S::Open, S::Resolved],
        S::Resolved => &[S::Closed],
        S::Closed => &[],
    }
}

#[derive(Debug, Clone, Copy)]
enum TOp {
    Create {
        customer: u8,
        assignee: Option<u8>,
        priority: Priority,
    },
    Assign(Option<u8>),
    ChangeStatus(TicketStatus),
    ChangePriority(Priority),
    Reply {
        by_customer: bool,
        internal: bool,
    },
    Resolve,
    Close,
    Reopen {
        window: u32,
    },
    Advance {
        minutes: u32,
    },
}

#[derive(Debug, Clone)]
struct TModel {
    exists: bool,
    customer: u8,
    status: TicketStatus,
    priority: Priority,
    assignee: Option<u8>,
    resolved_at: Option<u32>,
    replies: u32,
    now: u32,
    expect: Expect,
}

/// Any window, or (while resolved) one ending just before, at or just after now.
fn reopen_window(s: &TModel) -> BoxedStrategy<u32> {
    match s.resolved_at {
        Some(r) => {
            let waited = s.now - r;
            prop_oneof![
                1u32..90,
                prop::sample::select(vec![waited.max(2) - 1, waited.max(1), waited + 1]),
            ]
            .boxed()
        }
        None => (1u32..90).boxed(),
    }
}

struct TicketRef;

impl ReferenceStateMachine for TicketRef {
    type State = TModel;
    type Transition = TOp;

    fn init_state() -> BoxedStrategy<TModel> {
        Just(TModel {
            exists: false,
            customer: 0,
            status: TicketStatus::New,
            priority: Priority::Normal,
            assignee: None,
            resolved_at: None,
            replies: 0,
            now: 0,
            expect: Ok(0),
        })
        .boxed()
    }

    fn transitions(s: &TModel) -> BoxedStrategy<TOp> {
        let prio = prop::sample::select(Priority::ALL.to_vec());
        let status = prop::sample::select(TicketStatus::ALL.to_vec());
        let create = if s.exists { 1 } else { 8 };
        prop_oneof![
            create => (
                prop_oneof![4 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
                prop::option::weighted(0.5, 0u8..4),
                prio.clone(),
            )
                .prop_map(|(customer, assignee, priority)| TOp::Create { customer, assignee, priority }),
            2 => prop::option::weighted(0.8, 0u8..4).prop_map(TOp::Assign),
            6 => status.prop_map(TOp::ChangeStatus),
            2 => prio.prop_map(TOp::ChangePriority),
            3 => (any::<bool>(), any::<bool>())
                .prop_map(|(by_customer, internal)| TOp::Reply { by_customer, internal }),
            3 => Just(TOp::Resolve),
            2 => Just(TOp::Close),
            3 => reopen_window(s).prop_map(|window| TOp::Reopen { window }),
            3 => (0u32..60).prop_map(|minutes| TOp::Advance { minutes }),
        ]
        .boxed()
    }

    fn apply(mut s: TModel, op: &TOp) -> TModel {
        use TicketStatus as S;
        let ok = |to: S, s: &TModel| ticket_moves(s.status).contains(&to);
        let expect: Expect = match *op {
            TOp::Advance { minutes } => {
                s.now += minutes;
                Ok(0)
            }
            TOp::Create { .. } if s.exists => Err(Kind::Invariant),
            TOp::Create {
                customer, assignee, ..
            } => match customer {
                0 => assignee.map_or(Ok(()), t_employee_ok).map(|()| 1),
                1 => Err(Kind::Invariant),
                _ => Err(Kind::Validation),
            },
            _ if !s.exists => Err(Kind::NotFound),
            _ if s.status == S::Closed => Err(Kind::Invariant),
            TOp::Assign(_) if s.status == S::Resolved => Err(Kind::Invariant),
            TOp::Assign(a) if a == s.assignee => Err(Kind::Invariant),
            TOp::Assign(a) => a.map_or(Ok(()), t_employee_ok).map(|()| 1),
            TOp::ChangeStatus(to) => {
                if ok(to, &s) && !matches!(to, S::Resolved | S::Closed) {
                    Ok(1)
                } else {
                    Err(Kind::Invariant)
                }
            }
            TOp::ChangePriority(p) => {
                if s.status == S::Resolved || p == s.priority {
                    Err(Kind::Invariant)
                } else {
                    Ok(1)
                }
            }
            TOp::Reply {
                by_customer: true,
                internal: true,
            } => Err(Kind::Validation),
            // A customer's reply on a ticket waiting on the customer also moves it back
            // to open (a second event).
            TOp::Reply {
                by_customer: true, ..
            } if s.status == S::WaitingOnCustomer => Ok(2),
            TOp::Reply { .. } => Ok(1),
            TOp::Resolve => {
                if ok(S::Resolved, &s) {
                    Ok(1)
                } else {
                    Err(Kind::Invariant)
                }
            }
            TOp::Close => {
                if ok(S::Closed, &s) {
                    Ok(1)
                } else {
                    Err(Kind::Invariant)
                }
            }
            TOp::Reopen { window } => match s.resolved_at {
                Some(r) if s.status == S::Resolved && s.now <= r + window => Ok(1),
                _ => Err(Kind::Invariant),
            },
        };
        s.expect = expect;
        if matches!(expect, Ok(1 | 2)) {
            match *op {
                TOp::Create {
                    customer,
                    assignee,
                    priority,
                } => {
                    s.exists = true;
                    s.customer = customer;
                    s.assignee = assignee;
                    s.priority = priority;
                }
                TOp::Assign(a) => s.assignee = a,
                TOp::ChangeStatus(to) => s.status = to,
                TOp::ChangePriority(p) => s.priority = p,
                TOp::Reply { by_customer, .. } => {
                    s.replies += 1;
                    if by_customer && s.status == S::WaitingOnCustomer {
                        s.status = S::Open;
                    }
                }
                TOp::Resolve => {
                    s.status = S::Resolved;
                    s.resolved_at = Some(s.now);
                }
                TOp::Close => s.status = S::Closed,
                TOp::Reopen { .. } => {
                    s.status = S::Open;
                    s.resolved_at = None;
                }
                TOp::Advance { .. } => {}
            }
        }
        s
    }
}

struct TicketSut {
    run: Run<TicketAgg>,
    now: u32,
    step: u128,
}

fn ticket_command(op: &TOp, step: u128) -> Option<TicketCommand> {
    Some(match *op {
        TOp::Create {
            customer,
            assignee,
            priority,
        } => TicketCommand::Create(NewTicket {
            id: TicketId::from_uuid(Uuid::from_u128(1)),
            number: pet_core::helpdesk::TicketNumber::new("number", 1).unwrap(),
            customer_id: t_customer(customer),
            project_id: None,
            subject: Name::for_field("subject", "Printer on fire").unwrap(),
            priority,
            channel: Channel::Email,
            assignee: assignee.map(emp),
        }),
        TOp::Assign(a) => TicketCommand::Assign {
            assignee: a.map(emp),
        },
        TOp::ChangeStatus(to) => TicketCommand::ChangeStatus { to },
        TOp::ChangePriority(to) => TicketCommand::ChangePriority { to },
        TOp::Reply {
            by_customer,
            internal,
        } => TicketCommand::Reply {
            reply_id: ReplyId::from_uuid(Uuid::from_u128(10_000 + step)),
            author: if by_customer {
                ReplyAuthor::Customer { contact_id: None }
            } else {
                ReplyAuthor::Employee {
                    employee_id: emp(0),
                }
            },
            visibility: if internal {
                Visibility::Internal
            } else {
                Visibility::Public
            },
            body: ReplyBody::new("hello").unwrap(),
        },
        TOp::Resolve => TicketCommand::Resolve,
        TOp::Close => TicketCommand::Close,
        TOp::Reopen { window } => TicketCommand::Reopen {
            window: ReopenWindow::from_minutes(i64::from(window)).unwrap(),
            contact_id: None,
        },
        TOp::Advance { .. } => return None,
    })
}

impl StateMachineTest for TicketSut {
    type SystemUnderTest = Self;
    type Reference = TicketRef;

    fn init_test(_: &TModel) -> Self {
        TicketSut {
            run: Run::new(),
            now: 0,
            step: 0,
        }
    }

    fn apply(mut sut: Self, model: &TModel, op: TOp) -> Self {
        sut.step += 1;
        let Some(cmd) = ticket_command(&op, sut.step) else {
            if let TOp::Advance { minutes } = op {
                sut.now += minutes;
            }
            return sut;
        };
        let now = minutes(base(), i64::from(sut.now));
        let decided = ticket::decide(sut.run.state.as_ref(), &cmd, &ticket_facts(), now);
        let evs = sut.run.settle(&op, model.expect, decided);
        // what each event says
        for e in &evs {
            match (e, &op) {
                (TicketEvent::Resolved(p), TOp::Resolve) => assert_eq!(p.resolved_at, now),
                (TicketEvent::StatusChanged(p), TOp::Reply { by_customer, .. }) => {
                    assert!(*by_customer, "only a customer's reply changes the status");
                    assert_eq!(
                        (p.from, p.to),
                        (TicketStatus::WaitingOnCustomer, TicketStatus::Open)
                    );
                }
                (TicketEvent::Replied(_), TOp::Reply { .. })
                | (TicketEvent::Created(_), TOp::Create { .. })
                | (TicketEvent::Assigned(_), TOp::Assign(_))
                | (TicketEvent::StatusChanged(_), TOp::ChangeStatus(_))
                | (TicketEvent::PriorityChanged(_), TOp::ChangePriority(_))
                | (TicketEvent::Closed(_), TOp::Close)
                | (TicketEvent::Reopened(_), TOp::Reopen { .. }) => {}
                other => panic!("unexpected event for the command: {other:?}"),
            }
        }
        sut
    }

    fn check_invariants(sut: &Self, model: &TModel) {
        sut.run.check_replay();
        assert_eq!(sut.run.state.is_some(), model.exists);
        let Some(t) = &sut.run.state else { return };
        assert_eq!(t.status(), model.status);
        assert_eq!(t.priority(), model.priority);
        assert_eq!(t.assignee(), model.assignee.map(emp));
        assert_eq!(t.customer_id(), t_customer(model.customer));
        assert_eq!(
            t.resolved_at(),
            model.resolved_at.map(|m| minutes(base(), i64::from(m)))
        );
        assert_eq!(t.resolved_at().is_some(), t.status().is_done());
        assert_eq!(t.reply_count(), model.replies);
        let replies = sut
            .run
            .log
            .iter()
            .filter(|e| matches!(e, TicketEvent::Replied(_)))
            .count();
        assert_eq!(t.reply_count() as usize, replies);

        // next_statuses is the model's table, and exactly the moves decide accepts
        let next = t.status().next_statuses();
        assert_eq!(next, ticket_moves(t.status()).to_vec());
        let now = minutes(base(), i64::from(sut.now));
        let facts = ticket_facts();
        for &to in TicketStatus::ALL {
            let cmd = match to {
                TicketStatus::Resolved => TicketCommand::Resolve,
                TicketStatus::Closed => TicketCommand::Close,
                other => TicketCommand::ChangeStatus { to: other },
            };
            let accepted = ticket::decide(Some(t), &cmd, &facts, now).is_ok();
            assert_eq!(accepted, next.contains(&to), "{:?} -> {to:?}", t.status());
            // resolving and closing only through their own commands
            if to.is_done() {
                let r = ticket::decide(Some(t), &TicketCommand::ChangeStatus { to }, &facts, now);
                assert!(matches!(r, Err(DomainError::Invariant(_))));
            }
        }
        // a closed ticket takes nothing
        if t.status() == TicketStatus::Closed {
            let mut probes: Vec<TicketCommand> = vec![
                TicketCommand::Assign {
                    assignee: Some(emp(1)),
                },
                TicketCommand::Assign { assignee: None },
                TicketCommand::Resolve,
                TicketCommand::Close,
                TicketCommand::Reopen {
                    window: ReopenWindow::from_minutes(1_000_000).unwrap(),
                    contact_id: None,
                },
            ];
            probes.extend(
                Priority::ALL
                    .iter()
                    .map(|&to| TicketCommand::ChangePriority { to }),
            );
            probes.extend(
                TicketStatus::ALL
                    .iter()
                    .map(|&to| TicketCommand::ChangeStatus { to }),
            );
            for visibility in [Visibility::Public, Visibility::Internal] {
                probes.push(TicketCommand::Reply {
                    reply_id: ReplyId::from_uuid(Uuid::from_u128(9)),
                    author: ReplyAuthor::Employee {
                        employee_id: emp(0),
                    },
                    visibility,
                    body: ReplyBody::new("anyone there?").unwrap(),
                });
            }
            for p in &probes {
                let r = ticket::decide(Some(t), p, &facts, now);
                assert!(
                    matches!(r, Err(DomainError::Invariant(_))),
                    "closed ticket took {p:?}: {r:?}"
                );
            }
        }
        // reopening: allowed exactly up to and including resolved_at + window
        if let Some(r) = t.resolved_at() {
            if t.status() == TicketStatus::Resolved {
                let waited = (now - r).num_minutes();
                for w in [1i64, waited.max(1), waited + 1] {
                    let res = ticket::decide(
                        Some(t),
                        &TicketCommand::Reopen {
                            window: ReopenWindow::from_minutes(w).unwrap(),
                            contact_id: None,
                        },
                        &facts,
                        now,
                    );
                    assert_eq!(res.is_ok(), waited <= w, "waited {waited}, window {w}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Opportunity: opened from a qualified lead (facts), open → quoting → won | lost
//
// Invariants: won and lost are final (every command probed); a lost opportunity has a
// reason, a won one the sale of one of its quotes; quoting exactly when it has quotes
// (while not final); it was opened with facts saying the lead was qualified.
// ---------------------------------------------------------------------------------------

struct OppAgg;

impl Agg for OppAgg {
    type State = opportunity::Opportunity;
    type Event = OpportunityEvent;
    fn evolve(state: Option<Self::State>, ev: &OpportunityEvent) -> Option<Self::State> {
        opportunity::evolve(state, ev)
    }
    fn replay(log: &[OpportunityEvent]) -> Option<Self::State> {
        opportunity::replay(log)
    }
    fn version(state: &Self::State) -> u64 {
        state.version()
    }
    fn from_stored(
        t: &str,
        v: u32,
        p: &serde_json::Value,
    ) -> Result<OpportunityEvent, EventDecodeError> {
        OpportunityEvent::from_stored(t, v, p)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LeadCust {
    /// `Existing` with the customer the command names.
    Same,
    /// `Existing` with another customer.
    Other,
    /// A lead about a new company (any customer may be named).
    New,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OSt {
    Open,
    Quoting,
    Won,
    Lost,
}

#[derive(Debug, Clone, Copy)]
enum OOp {
    Create {
        lead: Option<(LeadStatus, LeadCust)>,
        customer: Option<CustomerStatus>,
        owner: Option<EmployeeStatus>,
        negative: bool,
    },
    Classify {
        kind: u8,
        band: u8,
    },
    StartQuoting {
        q: u8,
    },
    Win {
        q: u8,
        sale: u8,
        /// The accepted quote's facts: (for this opportunity?, its sale).
        accepted: Option<(bool, u8)>,
    },
    Lose {
        reason: &'static str,
    },
}

#[derive(Debug, Clone)]
struct OModel {
    exists: bool,
    status: OSt,
    classification: Option<(u8, u8)>,
    quotes: Vec<u8>,
    sale: Option<(u8, u8)>,
    lost_reason: Option<&'static str>,
    expect: Expect,
}

fn o_kind(k: u8) -> OpportunityKind {
    [
        OpportunityKind::NewBusiness,
        OpportunityKind::Upsell,
        OpportunityKind::Renewal,
    ][usize::from(k % 3)]
}
fn o_band(b: u8) -> SizeBand {
    [
        SizeBand::Small,
        SizeBand::Medium,
        SizeBand::Large,
        SizeBand::Enterprise,
    ][usize::from(b % 4)]
}
fn o_id() -> OpportunityId {
    OpportunityId::from_uuid(Uuid::from_u128(1))
}
fn o_quote(q: u8) -> QuoteId {
    QuoteId::from_uuid(Uuid::from_u128(500 + u128::from(q)))
}
fn o_sale(s: u8) -> SaleId {
    SaleId::from_uuid(Uuid::from_u128(600 + u128::from(s)))
}
fn o_customer() -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(20))
}

fn good_or<T: Debug + Clone + 'static>(good: T, bad: Vec<T>) -> BoxedStrategy<T> {
    prop_oneof![4 => Just(good), 1 => prop::sample::select(bad)].boxed()
}

struct OppRef;

impl ReferenceStateMachine for OppRef {
    type State = OModel;
    type Transition = OOp;

    fn init_state() -> BoxedStrategy<OModel> {
        Just(OModel {
            exists: false,
            status: OSt::Open,
            classification: None,
            quotes: Vec::new(),
            sale: None,
            lost_reason: None,
            expect: Ok(0),
        })
        .boxed()
    }

    fn transitions(s: &OModel) -> BoxedStrategy<OOp> {
        use LeadStatus as L;
        let lead = prop::option::weighted(
            0.9,
            (
                good_or(
                    L::Qualified,
                    vec![L::New, L::Contacted, L::Disqualified, L::Archived],
                ),
                prop_oneof![3 => Just(LeadCust::Same), 2 => Just(LeadCust::New), 1 => Just(LeadCust::Other)],
            ),
        );
        let customer = good_or(
            Some(CustomerStatus::Active),
            vec![None, Some(CustomerStatus::Archived)],
        );
        let owner = good_or(
            Some(EmployeeStatus::Active),
            vec![None, Some(EmployeeStatus::Inactive)],
        );
        let create = if s.exists { 1 } else { 10 };
        prop_oneof![
            create => (lead, customer, owner, prop::bool::weighted(0.15))
                .prop_map(|(lead, customer, owner, negative)| OOp::Create { lead, customer, owner, negative }),
            3 => (0u8..3, 0u8..4).prop_map(|(kind, band)| OOp::Classify { kind, band }),
            4 => (0u8..4).prop_map(|q| OOp::StartQuoting { q }),
            4 => (0u8..4, 0u8..2, prop::option::weighted(0.8, (prop::bool::weighted(0.8), 0u8..2)))
                .prop_map(|(q, sale, accepted)| OOp::Win { q, sale, accepted }),
            2 => prop::sample::select(vec!["", "  ", "budget cut", "went elsewhere"])
                .prop_map(|reason| OOp::Lose { reason }),
        ]
        .boxed()
    }

    fn apply(mut s: OModel, op: &OOp) -> OModel {
        let closed = matches!(s.status, OSt::Won | OSt::Lost);
        let expect: Expect = match *op {
            // the reason is parsed at the boundary, before anything is loaded
            OOp::Lose { reason } if reason.trim().is_empty() => Err(Kind::Validation),
            OOp::Create { .. } if s.exists => Err(Kind::Invariant),
            OOp::Create {
                lead,
                customer,
                owner,
                negative,
            } => match lead {
                None => Err(Kind::NotFound),
                Some((st, _)) if st != LeadStatus::Qualified => Err(Kind::Invariant),
                Some((_, LeadCust::Other)) => Err(Kind::Invariant),
                Some(_) => match (customer, owner) {
                    (None, _) => Err(Kind::NotFound),
                    (Some(CustomerStatus::Archived), _) => Err(Kind::Invariant),
                    (_, None) => Err(Kind::NotFound),
                    (_, Some(EmployeeStatus::Inactive)) => Err(Kind::Invariant),
                    _ if negative => Err(Kind::Validation),
                    _ => Ok(1),
                },
            },
            _ if !s.exists => Err(Kind::NotFound),
            _ if closed => Err(Kind::Invariant),
            OOp::Classify { kind, band } => {
                if s.classification == Some((kind, band)) {
                    Err(Kind::Invariant)
                } else {
                    Ok(1)
                }
            }
            OOp::StartQuoting { q } => {
                if s.quotes.contains(&q) {
                    Err(Kind::Invariant)
                } else {
                    Ok(1)
                }
            }
            OOp::Win { q, sale, accepted } => {
                if s.status == OSt::Quoting
                    && s.quotes.contains(&q)
                    && accepted == Some((true, sale))
                {
                    Ok(1)
                } else {
                    Err(Kind::Invariant)
                }
            }
            OOp::Lose { .. } => Ok(1),
        };
        s.expect = expect;
        if matches!(expect, Ok(1 | 2)) {
            match *op {
                OOp::Create { .. } => s.exists = true,
                OOp::Classify { kind, band } => s.classification = Some((kind, band)),
                OOp::StartQuoting { q } => {
                    s.quotes.push(q);
                    s.status = OSt::Quoting;
                }
                OOp::Win { q, sale, .. } => {
                    s.sale = Some((q, sale));
                    s.status = OSt::Won;
                }
                OOp::Lose { reason } => {
                    s.lost_reason = Some(reason);
                    s.status = OSt::Lost;
                }
            }
        }
        s
    }
}

struct OppSut {
    run: Run<OppAgg>,
    /// The facts the accepted `Create` was decided with.
    created_with: Option<OpportunityFacts>,
}

/// The quotes an opportunity's log recorded, in order (what a storage adapter finds as the
/// quotes' rows naming the opportunity).
fn logged_quotes(log: &[OpportunityEvent]) -> Vec<QuoteId> {
    log.iter()
        .filter_map(|e| match e {
            OpportunityEvent::QuotingStarted(p) => Some(p.quote_id),
            _ => None,
        })
        .collect()
}

/// A command and the facts a storage adapter would find for it, given the log so far: a
/// quote's opportunity is this one only when the log recorded it here.
fn o_command(
    op: &OOp,
    log: &[OpportunityEvent],
) -> Result<(OpportunityCommand, OpportunityFacts), DomainError> {
    let mut facts = OpportunityFacts::default();
    let recorded = logged_quotes(log);
    let cmd = match *op {
        OOp::Create {
            lead,
            customer,
            owner,
            negative,
        } => {
            facts.lead = lead.map(|(status, c)| LeadSummary {
                status,
                customer: match c {
                    LeadCust::Same => LeadCustomer::Existing {
                        customer_id: o_customer(),
                    },
                    LeadCust::Other => LeadCustomer::Existing {
                        customer_id: CustomerId::from_uuid(Uuid::from_u128(21)),
                    },
                    LeadCust::New => LeadCustomer::New {
                        name: Name::new("Newco").unwrap(),
                    },
                },
            });
            facts.customer = customer;
            facts.owner = owner;
            OpportunityCommand::Create(NewOpportunity {
                id: o_id(),
                lead_id: LeadId::from_uuid(Uuid::from_u128(2)),
                customer_id: o_customer(),
                owner_id: emp(0),
                title: Name::new("Website relaunch").unwrap(),
                expected_value: Money::new(
                    if negative { -1 } else { 1_200_000 },
                    Currency::new("EUR").unwrap(),
                ),
                expected_close: "2026-03-31".parse().unwrap(),
            })
        }
        OOp::Classify { kind, band } => OpportunityCommand::Classify(Classification {
            kind: o_kind(kind),
            size_band: o_band(band),
        }),
        OOp::StartQuoting { q } => {
            facts.quote_recorded = recorded.contains(&o_quote(q));
            OpportunityCommand::StartQuoting {
                quote_id: o_quote(q),
            }
        }
        OOp::Win { q, sale, accepted } => {
            facts.accepted_quote = accepted.map(|(ours, s)| {
                let opp = if ours && recorded.contains(&o_quote(q)) {
                    o_id()
                } else {
                    OpportunityId::from_uuid(Uuid::from_u128(99))
                };
                (opp, o_sale(s))
            });
            OpportunityCommand::Win {
                quote_id: o_quote(q),
                sale_id: o_sale(sale),
            }
        }
        OOp::Lose { reason } => OpportunityCommand::Lose {
            reason: Text::for_field("reason", reason)?,
        },
    };
    Ok((cmd, facts))
}

impl StateMachineTest for OppSut {
    type SystemUnderTest = Self;
    type Reference = OppRef;

    fn init_test(_: &OModel) -> Self {
        OppSut {
            run: Run::new(),
            created_with: None,
        }
    }

    fn apply(mut sut: Self, model: &OModel, op: OOp) -> Self {
        let decided = o_command(&op, &sut.run.log).and_then(|(cmd, facts)| {
            let r = opportunity::decide(sut.run.state.as_ref(), &cmd, &facts, base());
            if r.is_ok() && matches!(cmd, OpportunityCommand::Create(_)) {
                sut.created_with = Some(facts);
            }
            r
        });
        sut.run.settle(&op, model.expect, decided);
        sut
    }

    fn check_invariants(sut: &Self, model: &OModel) {
        sut.run.check_replay();
        assert_eq!(sut.run.state.is_some(), model.exists);
        let Some(o) = &sut.run.state else { return };
        let want = match model.status {
            OSt::Open => OpportunityStatus::Open,
            OSt::Quoting => OpportunityStatus::Quoting,
            OSt::Won => OpportunityStatus::Won,
            OSt::Lost => OpportunityStatus::Lost,
        };
        assert_eq!(o.status(), want);
        assert_eq!(
            o.classification(),
            model.classification.map(|(k, b)| Classification {
                kind: o_kind(k),
                size_band: o_band(b)
            })
        );
        let quotes: Vec<_> = model.quotes.iter().map(|q| o_quote(*q)).collect();
        let logged = logged_quotes(&sut.run.log);
        assert_eq!(logged, quotes);
        assert_eq!(o.quote_count(), quotes.len() as u64);
        assert_eq!(o.sale(), model.sale.map(|(q, s)| (o_quote(q), o_sale(s))));
        assert_eq!(o.lost_reason().map(Text::as_str), model.lost_reason);
        // opened only from a qualified lead about this customer (or a new company)
        let facts = sut.created_with.as_ref().expect("created with facts");
        let lead = facts.lead.as_ref().unwrap();
        assert_eq!(lead.status, LeadStatus::Qualified);
        if let LeadCustomer::Existing { customer_id } = lead.customer {
            assert_eq!(customer_id, o.customer_id());
        }
        assert_eq!(facts.customer, Some(CustomerStatus::Active));
        assert_eq!(facts.owner, Some(EmployeeStatus::Active));
        match o.status() {
            OpportunityStatus::Open => assert_eq!(o.quote_count(), 0),
            OpportunityStatus::Quoting => assert!(o.quote_count() > 0),
            OpportunityStatus::Won => {
                let (q, _) = o.sale().expect("won with a sale");
                assert!(logged.contains(&q));
            }
            OpportunityStatus::Lost => {
                assert!(!o.lost_reason().unwrap().as_str().trim().is_empty());
            }
        }
        if !matches!(o.status(), OpportunityStatus::Won | OpportunityStatus::Lost) {
            assert!(o.sale().is_none() && o.lost_reason().is_none());
            return;
        }
        // won and lost are final: every command is refused
        let q = logged.first().copied().unwrap_or(o_quote(0));
        let all_accepted = OpportunityFacts {
            accepted_quote: Some((o.id(), o_sale(0))),
            ..facts.clone()
        };
        let probes = [
            OpportunityCommand::Classify(Classification {
                kind: OpportunityKind::Renewal,
                size_band: SizeBand::Small,
            }),
            OpportunityCommand::Classify(Classification {
                kind: OpportunityKind::Upsell,
                size_band: SizeBand::Large,
            }),
            OpportunityCommand::StartQuoting {
                quote_id: o_quote(9),
            },
            OpportunityCommand::Win {
                quote_id: q,
                sale_id: o_sale(0),
            },
            OpportunityCommand::Lose {
                reason: Text::for_field("reason", "changed our mind").unwrap(),
            },
        ];
        for p in &probes {
            let r = opportunity::decide(Some(o), p, &all_accepted, base());
            assert!(
                matches!(r, Err(DomainError::Invariant(_))),
                "{:?} opportunity took {p:?}: {r:?}",
                o.status()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// SLA assignment: assigned once; pause/resume only on a change of pausing; the job's
// Record writes each of warning / breached / met at most once per target, nothing after a
// target's breach or met.
//
// The ticket's timeline (status, priority, first response) changes as time advances; the
// readings come from the real `sla_clock` over a 24/7 spec (so business time is wall
// time), and the model computes the clock itself, in whole minutes.
//
// Invariants: the recorded marks equal the model's, never both breached and met; in the
// log each mark appears at most once per target and nothing follows a target's breach or
// met; sla.paused / sla.resumed alternate (a toggle only on a change); the job run again
// at once records nothing; the real clock's used time, warning instant and breach agree
// with the model's. Each Record's events are compared field by field (target, used and
// target minutes, instant reached). The model's instants: a warning (breach) is reached
// at the first instant the used time reached the threshold (target) in force when the
// warning (breach) happens, even if a priority change moved it since that instant.
// Note: `paused` starts false on assignment whatever the ticket's status; the model
// follows the code there.
// ---------------------------------------------------------------------------------------

struct SlaAgg;

impl Agg for SlaAgg {
    type State = sla::SlaAssignment;
    type Event = SlaEvent;
    fn evolve(state: Option<Self::State>, ev: &SlaEvent) -> Option<Self::State> {
        sla::evolve_assignment(state, ev)
    }
    fn replay(log: &[SlaEvent]) -> Option<Self::State> {
        sla::replay_assignment(log)
    }
    fn version(state: &Self::State) -> u64 {
        state.version()
    }
    fn from_stored(t: &str, v: u32, p: &serde_json::Value) -> Result<SlaEvent, EventDecodeError> {
        SlaEvent::from_stored(t, v, p)
    }
}

/// The model's own target table, in minutes: (first response, resolution).
fn sla_minutes(p: Priority) -> (i64, i64) {
    match p {
        Priority::Low => (10, 30),
        Priority::Normal => (5, 20),
        Priority::High => (3, 12),
        Priority::Urgent => (2, 8),
    }
}
const WARNING_PERCENT: i64 = 50;

fn sla_spec() -> SlaSpec {
    let day = serde_json::json!([{"start": "09:00", "end": "17:00"}]);
    let targets: serde_json::Map<String, serde_json::Value> = Priority::ALL
        .iter()
        .map(|p| {
            let (fr, res) = sla_minutes(*p);
            (
                p.as_str().to_owned(),
                serde_json::json!({"first_response_minutes": fr, "resolution_minutes": res}),
            )
        })
        .collect();
    let input: SlaSpecInput = serde_json::from_value(serde_json::json!({
        "calendar": {
            "timezone": "Europe/London",
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": [],
        },
        "targets": targets,
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": WARNING_PERCENT,
        "always_on": ["low", "normal", "high", "urgent"],
    }))
    .unwrap();
    SlaSpec::parse(&input).unwrap()
}

fn sla_target_index(t: SlaTarget) -> usize {
    match t {
        SlaTarget::FirstResponse => 0,
        SlaTarget::Resolution => 1,
    }
}

#[derive(Debug, Clone, Copy)]
enum SOp {
    Assign,
    /// The ticket moves to this status; the assignment is told (`TrackStatus`).
    Status(TicketStatus),
    /// The ticket's priority changes (the timeline only).
    Priority(Priority),
    /// An employee's first customer-visible reply (the timeline only).
    FirstResponse,
    Advance(u8),
    /// The SLA job evaluates the clock now.
    Record,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkKind {
    Warning,
    Breached,
    Met,
}

/// The model's clock of one target (seconds since the ticket's start).
#[derive(Debug, Clone, Default)]
struct TargetM {
    /// Seconds used.
    cum: i64,
    /// The stretches the clock ran: (from, seconds used before, seconds run).
    runs: Vec<(i64, i64, i64)>,
    /// The first instant the warning threshold was reached.
    warn_at: Option<i64>,
    /// When the target was breached.
    breached_at: Option<i64>,
    /// First response only: stopped for good by the first response.
    responded: bool,
    /// Recorded: warning, breached, met.
    recorded: [bool; 3],
}

impl TargetM {
    /// The first instant the used time reached `x` (> 0) seconds, if it has.
    fn reached(&self, x: i64) -> Option<i64> {
        self.runs
            .iter()
            .find(|&&(_, before, d)| before + d >= x)
            .map(|&(a, before, _)| a + (x - before).max(0))
    }
    /// At an instant `a` where a new segment starts (a change), with target `t` and
    /// warning threshold `w` of the priority then in force (a priority change may have
    /// moved them to or below the time used: reached back when the used time reached them).
    fn at_boundary(&mut self, _a: i64, t: i64, w: i64) {
        if self.warn_at.is_none() && self.cum >= w {
            self.warn_at = self.reached(w);
        }
        if self.breached_at.is_none() && self.cum > t {
            self.breached_at = self.reached(t);
        }
    }
    /// The clock runs for `d` seconds from `a`.
    fn run(&mut self, a: i64, d: i64, t: i64, w: i64) {
        if d == 0 {
            return;
        }
        self.runs.push((a, self.cum, d));
        if self.warn_at.is_none() && self.cum + d >= w {
            self.warn_at = self.reached(w);
        }
        if self.breached_at.is_none() && self.cum + d > t {
            self.breached_at = self.reached(t);
        }
        self.cum += d;
    }
}

#[derive(Debug, Clone)]
struct SModel {
    assigned: bool,
    paused: bool,
    status: TicketStatus,
    priority: Priority,
    now: i64,
    targets: [TargetM; 2],
    expect: Expect,
    /// The events the last command should emit: (kind, target, elapsed minutes, target
    /// minutes, reached at) for marks, or the toggled status.
    marks: Vec<(MarkKind, SlaTarget, i64, u32, Option<i64>)>,
    toggled: Option<(bool, TicketStatus)>,
}

impl SModel {
    fn target_secs(&self, target: SlaTarget) -> (i64, i64) {
        let (fr, res) = sla_minutes(self.priority);
        let t = 60
            * match target {
                SlaTarget::FirstResponse => fr,
                SlaTarget::Resolution => res,
            };
        (t, (t * WARNING_PERCENT + 99) / 100)
    }
    fn clock_runs(&self) -> bool {
        matches!(self.status, TicketStatus::New | TicketStatus::Open)
    }
    /// A change at `now`: every target still counting starts a new segment.
    fn boundary(&mut self) {
        for target in SlaTarget::ALL {
            let (t, w) = self.target_secs(target);
            let now = self.now;
            let m = &mut self.targets[sla_target_index(target)];
            if !m.responded {
                m.at_boundary(now, t, w);
            }
        }
    }
    fn state_of(&self, target: SlaTarget) -> Option<MarkKind> {
        let m = &self.targets[sla_target_index(target)];
        if m.breached_at.is_some() {
            Some(MarkKind::Breached)
        } else if m.responded || self.status.is_done() {
            Some(MarkKind::Met)
        } else {
            None
        }
    }
}

struct SlaRef;

impl ReferenceStateMachine for SlaRef {
    type State = SModel;
    type Transition = SOp;

    fn init_state() -> BoxedStrategy<SModel> {
        Just(SModel {
            assigned: false,
            paused: false,
            status: TicketStatus::New,
            priority: Priority::Normal,
            now: 0,
            targets: Default::default(),
            expect: Ok(0),
            marks: Vec::new(),
            toggled: None,
        })
        .boxed()
    }

    fn transitions(s: &SModel) -> BoxedStrategy<SOp> {
        let assign = if s.assigned { 1 } else { 6 };
        prop_oneof![
            assign => Just(SOp::Assign),
            4 => prop::sample::select(TicketStatus::ALL.to_vec()).prop_map(SOp::Status),
            2 => prop::sample::select(Priority::ALL.to_vec()).prop_map(SOp::Priority),
            1 => Just(SOp::FirstResponse),
            6 => (0u8..7).prop_map(SOp::Advance),
            6 => Just(SOp::Record),
        ]
        .boxed()
    }

    fn apply(mut s: SModel, op: &SOp) -> SModel {
        s.marks.clear();
        s.toggled = None;
        s.expect = match *op {
            SOp::Advance(m) => {
                let d = i64::from(m) * 60;
                if s.clock_runs() {
                    for target in SlaTarget::ALL {
                        let (t, w) = s.target_secs(target);
                        let now = s.now;
                        let tm = &mut s.targets[sla_target_index(target)];
                        if !tm.responded {
                            tm.run(now, d, t, w);
                        }
                    }
                }
                s.now += d;
                Ok(0)
            }
            SOp::Priority(p) => {
                s.priority = p;
                s.boundary();
                Ok(0)
            }
            SOp::FirstResponse => {
                s.targets[0].responded = true;
                s.boundary();
                Ok(0)
            }
            SOp::Assign if s.assigned => Err(Kind::Invariant),
            SOp::Assign => {
                s.assigned = true;
                Ok(1)
            }
            SOp::Status(status) => {
                // the ticket moves whether or not it has an SLA
                s.status = status;
                s.boundary();
                if !s.assigned {
                    Err(Kind::NotFound)
                } else {
                    let pauses = status == TicketStatus::WaitingOnCustomer;
                    if pauses == s.paused {
                        Ok(0)
                    } else {
                        s.paused = pauses;
                        s.toggled = Some((pauses, status));
                        Ok(1)
                    }
                }
            }
            SOp::Record if !s.assigned => Err(Kind::NotFound),
            SOp::Record => {
                for target in SlaTarget::ALL {
                    let (t, _) = s.target_secs(target);
                    let state = s.state_of(target);
                    let m = &mut s.targets[sla_target_index(target)];
                    if m.recorded[1] || m.recorded[2] {
                        continue;
                    }
                    let (elapsed, tmin) = (m.cum / 60, (t / 60) as u32);
                    if m.warn_at.is_some() && !m.recorded[0] {
                        m.recorded[0] = true;
                        s.marks
                            .push((MarkKind::Warning, target, elapsed, tmin, m.warn_at));
                    }
                    match state {
                        Some(MarkKind::Breached) => {
                            m.recorded[1] = true;
                            s.marks.push((
                                MarkKind::Breached,
                                target,
                                elapsed,
                                tmin,
                                m.breached_at,
                            ));
                        }
                        Some(MarkKind::Met) => {
                            m.recorded[2] = true;
                            s.marks.push((MarkKind::Met, target, elapsed, tmin, None));
                        }
                        _ => {}
                    }
                }
                Ok(s.marks.len())
            }
        };
        s
    }
}

struct SlaSut {
    run: Run<SlaAgg>,
    spec: SlaSpec,
    timeline: TicketTimeline,
    now: DateTime<Utc>,
}

fn sla_ticket() -> TicketId {
    TicketId::from_uuid(Uuid::from_u128(7))
}
fn sla_definition() -> SlaDefinitionId {
    SlaDefinitionId::from_uuid(Uuid::from_u128(8))
}
fn sla_version() -> SlaVersionNumber {
    SlaVersionNumber::new(3).unwrap()
}

impl StateMachineTest for SlaSut {
    type SystemUnderTest = Self;
    type Reference = SlaRef;

    fn init_test(_: &SModel) -> Self {
        SlaSut {
            run: Run::new(),
            spec: sla_spec(),
            timeline: TicketTimeline::new(base(), TicketStatus::New, Priority::Normal),
            now: base(),
        }
    }

    fn apply(mut sut: Self, model: &SModel, op: SOp) -> Self {
        let now = sut.now;
        let decided = match op {
            SOp::Advance(m) => {
                sut.now += Duration::minutes(i64::from(m));
                return sut;
            }
            SOp::Priority(p) => {
                sut.timeline.push(now, TimelineChange::Priority(p));
                return sut;
            }
            SOp::FirstResponse => {
                sut.timeline.push(now, TimelineChange::FirstResponse);
                return sut;
            }
            SOp::Assign => sla::decide_assignment(
                sut.run.state.as_ref(),
                &SlaAssignmentCommand::Assign {
                    ticket_id: sla_ticket(),
                    definition_id: sla_definition(),
                    definition_version: sla_version(),
                },
                now,
            ),
            SOp::Status(status) => {
                sut.timeline.push(now, TimelineChange::Status(status));
                sla::decide_assignment(
                    sut.run.state.as_ref(),
                    &SlaAssignmentCommand::TrackStatus {
                        status,
                        spec: sut.spec.clone(),
                    },
                    now,
                )
            }
            SOp::Record => {
                let reading = sla_clock(&sut.spec, &sut.timeline, now);
                sla::decide_assignment(
                    sut.run.state.as_ref(),
                    &SlaAssignmentCommand::Record { reading },
                    now,
                )
            }
        };
        let evs = sut.run.settle(&op, model.expect, decided);
        let at = |secs: Option<i64>| secs.map(|s| base() + Duration::seconds(s));
        match op {
            SOp::Assign => assert!(evs.is_empty() || matches!(&evs[..], [SlaEvent::Assigned(_)])),
            SOp::Status(_) => {
                let got: Vec<_> = evs
                    .iter()
                    .map(|e| match e {
                        SlaEvent::Paused(p) => (true, p.status),
                        SlaEvent::Resumed(p) => (false, p.status),
                        other => panic!("TrackStatus emitted {other:?}"),
                    })
                    .collect();
                assert_eq!(got, model.toggled.into_iter().collect::<Vec<_>>());
            }
            _ => {
                let got: Vec<_> = evs
                    .iter()
                    .map(|e| {
                        let (k, p) = match e {
                            SlaEvent::Warning(p) => (MarkKind::Warning, p),
                            SlaEvent::Breached(p) => (MarkKind::Breached, p),
                            SlaEvent::Met(p) => (MarkKind::Met, p),
                            other => panic!("Record emitted {other:?}"),
                        };
                        assert_eq!(
                            (p.ticket_id, p.definition_id, p.definition_version),
                            (sla_ticket(), sla_definition(), sla_version())
                        );
                        (
                            k,
                            p.target,
                            p.elapsed_minutes,
                            p.target_minutes,
                            p.reached_at,
                        )
                    })
                    .collect();
                let want: Vec<_> = model
                    .marks
                    .iter()
                    .map(|&(k, t, e, m, r)| (k, t, e, m, at(r)))
                    .collect();
                assert_eq!(evs.len(), model.marks.len());
                assert_eq!(got, want, "marks recorded at minute {}", model.now / 60);
            }
        }
        sut
    }

    fn check_invariants(sut: &Self, model: &SModel) {
        sut.run.check_replay();
        assert_eq!(sut.run.state.is_some(), model.assigned);
        let Some(a) = &sut.run.state else { return };
        assert_eq!(a.ticket_id(), sla_ticket());
        assert_eq!(
            (a.definition_id(), a.definition_version()),
            (sla_definition(), sla_version())
        );
        assert_eq!(a.is_paused(), model.paused);
        for target in SlaTarget::ALL {
            let r = a.recorded().of(target);
            let m = model.targets[sla_target_index(target)].recorded;
            assert_eq!([r.warning, r.breached, r.met], m, "{target:?}");
            assert!(!(r.breached && r.met), "{target:?} both breached and met");
        }
        // in the log: each mark at most once per target, nothing after breached or met,
        // pause and resume alternate starting with a pause
        let mut seen: Vec<(SlaTarget, &str)> = Vec::new();
        let mut paused = false;
        for (i, e) in sut.run.log.iter().enumerate() {
            match e {
                SlaEvent::Assigned(_) => assert_eq!(i, 0),
                SlaEvent::Paused(_) | SlaEvent::Resumed(_) => {
                    let p = matches!(e, SlaEvent::Paused(_));
                    assert_ne!(p, paused, "a toggle without a change");
                    paused = p;
                }
                SlaEvent::Warning(p) | SlaEvent::Breached(p) | SlaEvent::Met(p) => {
                    let k = e.event_type();
                    assert!(!seen.contains(&(p.target, k)), "{k} twice");
                    assert!(
                        !seen.contains(&(p.target, "sla.breached"))
                            && !seen.contains(&(p.target, "sla.met")),
                        "{k} after the outcome of {:?}",
                        p.target
                    );
                    seen.push((p.target, k));
                }
            }
        }
        assert_eq!(paused, a.is_paused());
        // the job run again at the same instant records nothing more
        let reading = sla_clock(&sut.spec, &sut.timeline, sut.now);
        if !model.marks.is_empty() {
            let again =
                sla::decide_assignment(Some(a), &SlaAssignmentCommand::Record { reading }, sut.now)
                    .unwrap();
            assert!(again.is_empty(), "recorded twice: {again:?}");
        }
        // the model's clock agrees with the real one
        for target in SlaTarget::ALL {
            let m = &model.targets[sla_target_index(target)];
            let r = reading.of(target);
            assert_eq!(r.elapsed_seconds, m.cum, "{target:?} elapsed");
            assert_eq!(
                r.warning_at,
                m.warn_at.map(|s| base() + Duration::seconds(s)),
                "{target:?} warning_at"
            );
            assert_eq!(
                r.breached_at,
                m.breached_at.map(|s| base() + Duration::seconds(s)),
                "{target:?} breached_at"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Knowledge article: draft → published → archived, immutable numbered versions,
// restore as a new version, comments hidden but never deleted, ticket links
//
// Invariants: versions are numbered 1..n without gaps; a version, once published, never
// changes; a restore is a new version with the old content; comments are never deleted
// (hidden ones stay, flagged); the draft is what the article was created with; an
// archived article takes nothing.
// ---------------------------------------------------------------------------------------

struct ArticleAgg;

impl Agg for ArticleAgg {
    type State = article::KnowledgeArticle;
    type Event = KnowledgeEvent;
    fn evolve(state: Option<Self::State>, ev: &KnowledgeEvent) -> Option<Self::State> {
        article::evolve(state, ev)
    }
    fn replay(log: &[KnowledgeEvent]) -> Option<Self::State> {
        article::replay(log)
    }
    fn version(state: &Self::State) -> u64 {
        state.version()
    }
    fn from_stored(
        t: &str,
        v: u32,
        p: &serde_json::Value,
    ) -> Result<KnowledgeEvent, EventDecodeError> {
        KnowledgeEvent::from_stored(t, v, p)
    }
}

#[derive(Debug, Clone, Copy)]
enum AOp {
    Create,
    Publish(u8),
    Restore { foreign: bool, number: u8 },
    Archive,
    Comment(u8),
    Hide(u8),
    Link(u8),
}

#[derive(Debug, Clone)]
struct AModel {
    exists: bool,
    archived: bool,
    /// Published versions: (content, restored from).
    versions: Vec<(u8, Option<u32>)>,
    /// Comments: (id, hidden).
    comments: Vec<(u8, bool)>,
    links: BTreeSet<u8>,
    expect: Expect,
}

fn a_id() -> ArticleId {
    ArticleId::from_uuid(Uuid::from_u128(1))
}
/// A few contents: 0 is the draft; 1 and 3 share a title, 2 and 4 too.
fn a_content(c: u8) -> ArticleContent {
    ArticleContent {
        title: Name::for_field("title", &format!("Title {}", c % 2)).unwrap(),
        body: ArticleBody::new(&format!("Body {c}")).unwrap(),
    }
}
fn a_comment(c: u8) -> CommentId {
    CommentId::from_uuid(Uuid::from_u128(700 + u128::from(c)))
}
fn a_ticket(t: u8) -> TicketId {
    TicketId::from_uuid(Uuid::from_u128(800 + u128::from(t)))
}

struct ArticleRef;

impl ReferenceStateMachine for ArticleRef {
    type State = AModel;
    type Transition = AOp;

    fn init_state() -> BoxedStrategy<AModel> {
        Just(AModel {
            exists: false,
            archived: false,
            versions: Vec::new(),
            comments: Vec::new(),
            links: BTreeSet::new(),
            expect: Ok(0),
        })
        .boxed()
    }

    fn transitions(s: &AModel) -> BoxedStrategy<AOp> {
        let create = if s.exists { 1 } else { 8 };
        prop_oneof![
            create => Just(AOp::Create),
            6 => (0u8..5).prop_map(AOp::Publish),
            4 => (prop::bool::weighted(0.1), 1u8..7)
                .prop_map(|(foreign, number)| AOp::Restore { foreign, number }),
            1 => Just(AOp::Archive),
            3 => (0u8..4).prop_map(AOp::Comment),
            3 => (0u8..5).prop_map(AOp::Hide),
            2 => (0u8..3).prop_map(AOp::Link),
        ]
        .boxed()
    }

    fn apply(mut s: AModel, op: &AOp) -> AModel {
        let current = s.versions.last().map(|v| v.0);
        let expect: Expect = match *op {
            AOp::Create if s.exists => Err(Kind::Invariant),
            AOp::Create => Ok(1),
            _ if !s.exists => Err(Kind::NotFound),
            _ if s.archived => Err(Kind::Invariant),
            AOp::Publish(c) => {
                if current == Some(c) {
                    Err(Kind::Invariant)
                } else {
                    Ok(1)
                }
            }
            AOp::Restore { foreign: true, .. } => Err(Kind::Invariant),
            AOp::Restore { number, .. } => match s.versions.get(usize::from(number) - 1) {
                None => Err(Kind::NotFound),
                Some((c, _)) if current == Some(*c) => Err(Kind::Invariant),
                Some(_) => Ok(1),
            },
            AOp::Archive => Ok(1),
            AOp::Comment(c) => {
                if s.comments.iter().any(|x| x.0 == c) {
                    Err(Kind::Invariant)
                } else {
                    Ok(1)
                }
            }
            AOp::Hide(c) => match s.comments.iter().find(|x| x.0 == c) {
                None => Err(Kind::NotFound),
                Some((_, true)) => Err(Kind::Invariant),
                Some(_) => Ok(1),
            },
            AOp::Link(_) if s.versions.is_empty() => Err(Kind::Invariant),
            AOp::Link(t) => {
                if s.links.contains(&t) {
                    Err(Kind::Invariant)
                } else {
                    Ok(1)
                }
            }
        };
        s.expect = expect;
        if matches!(expect, Ok(1 | 2)) {
            match *op {
                AOp::Create => s.exists = true,
                AOp::Publish(c) => s.versions.push((c, None)),
                AOp::Restore { number, .. } => {
                    let old = s.versions[usize::from(number) - 1].0;
                    s.versions.push((old, Some(u32::from(number))));
                }
                AOp::Archive => s.archived = true,
                AOp::Comment(c) => s.comments.push((c, false)),
                AOp::Hide(c) => {
                    for x in &mut s.comments {
                        if x.0 == c {
                            x.1 = true;
                        }
                    }
                }
                AOp::Link(t) => {
                    s.links.insert(t);
                }
            }
        }
        s
    }
}

struct ArticleSut {
    run: Run<ArticleAgg>,
    /// Every version as it was when published.
    published: Vec<pet_core::knowledge::ArticleVersion>,
    /// Every comment as it was when added (ids and bodies never change).
    comments: Vec<(CommentId, CommentBody)>,
}

impl StateMachineTest for ArticleSut {
    type SystemUnderTest = Self;
    type Reference = ArticleRef;

    fn init_test(_: &AModel) -> Self {
        ArticleSut {
            run: Run::new(),
            published: Vec::new(),
            comments: Vec::new(),
        }
    }

    fn apply(mut sut: Self, model: &AModel, op: AOp) -> Self {
        let cmd = match op {
            AOp::Create => ArticleCommand::Create {
                id: a_id(),
                category: Name::for_field("category", "Accounts").unwrap(),
                slug: Slug::new("reset-your-password").unwrap(),
                content: a_content(0),
            },
            AOp::Publish(c) => ArticleCommand::Publish {
                content: a_content(c),
            },
            AOp::Restore { foreign, number } => ArticleCommand::Restore {
                version: VersionRef {
                    article_id: if foreign {
                        ArticleId::from_uuid(Uuid::from_u128(2))
                    } else {
                        a_id()
                    },
                    number: KnowledgeVersionNumber::new(u32::from(number)).unwrap(),
                },
            },
            AOp::Archive => ArticleCommand::Archive,
            AOp::Comment(c) => ArticleCommand::Comment {
                comment_id: a_comment(c),
                author_id: emp(0),
                body: CommentBody::new(&format!("Comment {c}")).unwrap(),
            },
            AOp::Hide(c) => ArticleCommand::HideComment {
                comment_id: a_comment(c),
                moderator_id: emp(1),
                reason: Note::new(if c % 2 == 0 { "" } else { "spam" }).unwrap(),
            },
            AOp::Link(t) => ArticleCommand::LinkTicket {
                ticket_id: a_ticket(t),
            },
        };
        let decided = article::decide(sut.run.state.as_ref(), &cmd, base());
        let evs = sut.run.settle(&op, model.expect, decided);
        for e in &evs {
            match e {
                KnowledgeEvent::VersionPublished(p) => {
                    if let AOp::Restore { number, .. } = op {
                        // a restore is a new version with the old content
                        let old = &sut.published[usize::from(number) - 1];
                        assert_eq!(p.version.content, old.content);
                        assert_eq!(p.version.restored_from, Some(old.number));
                    }
                    sut.published.push(p.version.clone());
                }
                KnowledgeEvent::CommentAdded(p) => {
                    sut.comments.push((p.comment_id, p.body.clone()));
                }
                _ => {}
            }
        }
        sut
    }

    fn check_invariants(sut: &Self, model: &AModel) {
        sut.run.check_replay();
        assert_eq!(sut.run.state.is_some(), model.exists);
        let Some(a) = &sut.run.state else { return };
        let want = if model.archived {
            ArticleStatus::Archived
        } else if model.versions.is_empty() {
            ArticleStatus::Draft
        } else {
            ArticleStatus::Published
        };
        assert_eq!(a.status(), want);
        assert_eq!(a.draft(), &a_content(0));
        // numbered 1..n without gaps, each as the model says
        let got: Vec<_> = a
            .versions()
            .iter()
            .map(|v| {
                (
                    v.number.get(),
                    v.content.clone(),
                    v.restored_from.map(|n| n.get()),
                )
            })
            .collect();
        let want: Vec<_> = model
            .versions
            .iter()
            .enumerate()
            .map(|(i, (c, r))| (i as u32 + 1, a_content(*c), *r))
            .collect();
        assert_eq!(got, want);
        // a published version never changes
        assert_eq!(a.versions(), &sut.published[..]);
        assert_eq!(a.content(), a.current().map_or(a.draft(), |v| &v.content));
        // comments are never deleted; hidden ones stay, flagged
        let comments: Vec<_> = a
            .comments()
            .iter()
            .map(|c| (c.comment_id, c.body.clone(), c.hidden))
            .collect();
        let want: Vec<_> = sut
            .comments
            .iter()
            .zip(&model.comments)
            .map(|((id, body), (c, hidden))| {
                assert_eq!(*id, a_comment(*c));
                (*id, body.clone(), *hidden)
            })
            .collect();
        assert_eq!(sut.comments.len(), model.comments.len());
        assert_eq!(comments, want);
        let links: BTreeSet<_> = model.links.iter().map(|t| a_ticket(*t)).collect();
        assert_eq!(a.linked_tickets(), &links);
        // an archived article takes nothing
        if a.status() == ArticleStatus::Archived {
            let probes = [
                ArticleCommand::Publish {
                    content: a_content(9),
                },
                ArticleCommand::Restore {
                    version: VersionRef {
                        article_id: a_id(),
                        number: KnowledgeVersionNumber::new(1).unwrap(),
                    },
                },
                ArticleCommand::Archive,
                ArticleCommand::Comment {
                    comment_id: a_comment(99),
                    author_id: emp(0),
                    body: CommentBody::new("late").unwrap(),
                },
                ArticleCommand::LinkTicket {
                    ticket_id: a_ticket(99),
                },
            ];
            for p in &probes {
                let r = article::decide(Some(a), p, base());
                assert!(
                    matches!(r, Err(DomainError::Invariant(_))),
                    "archived article took {p:?}: {r:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Customer: active → archived, contacts append-only
//
// (state_machines.rs has a smaller customer machine: acceptance, version, status and
// contact ids; this one adds the refusal kinds, the stored forms, replay, contact
// contents and probes of an archived customer.)
// Invariants: an archived customer takes nothing (every command probed); contacts are
// only ever appended (earlier ones never change).
// ---------------------------------------------------------------------------------------

struct CustomerAgg;

impl Agg for CustomerAgg {
    type State = customer::Customer;
    type Event = CustomerEvent;
    fn evolve(state: Option<Self::State>, ev: &CustomerEvent) -> Option<Self::State> {
        customer::evolve(state, ev)
    }
    fn replay(log: &[CustomerEvent]) -> Option<Self::State> {
        customer::replay(log)
    }
    fn version(state: &Self::State) -> u64 {
        state.version()
    }
    fn from_stored(
        t: &str,
        v: u32,
        p: &serde_json::Value,
    ) -> Result<CustomerEvent, EventDecodeError> {
        CustomerEvent::from_stored(t, v, p)
    }
}

#[derive(Debug, Clone, Copy)]
enum COp {
    Create(u8),
    Archive,
    AddContact { c: u8, email: bool, phone: bool },
}

#[derive(Debug, Clone)]
struct CModel {
    exists: bool,
    name: u8,
    archived: bool,
    contacts: Vec<(u8, bool, bool)>,
    expect: Expect,
}

fn c_name(n: u8) -> Name {
    Name::new(["Acme Ltd", "Globex", "Initech"][usize::from(n % 3)]).unwrap()
}
fn c_contact(c: u8, email: bool, phone: bool) -> Contact {
    Contact {
        contact_id: ContactId::from_uuid(Uuid::from_u128(900 + u128::from(c))),
        name: Name::new(&format!("Contact {c}")).unwrap(),
        email: email.then(|| Email::new(&format!("c{c}@acme.test")).unwrap()),
        phone: phone.then(|| Phone::new("+44 20 7946 0000").unwrap()),
    }
}

struct CustomerRef;

impl ReferenceStateMachine for CustomerRef {
    type State = CModel;
    type Transition = COp;

    fn init_state() -> BoxedStrategy<CModel> {
        Just(CModel {
            exists: false,
            name: 0,
            archived: false,
            contacts: Vec::new(),
            expect: Ok(0),
        })
        .boxed()
    }

    fn transitions(s: &CModel) -> BoxedStrategy<COp> {
        let create = if s.exists { 1 } else { 6 };
        prop_oneof![
            create => (0u8..3).prop_map(COp::Create),
            1 => Just(COp::Archive),
            5 => (0u8..6, any::<bool>(), any::<bool>())
                .prop_map(|(c, email, phone)| COp::AddContact { c, email, phone }),
        ]
        .boxed()
    }

    fn apply(mut s: CModel, op: &COp) -> CModel {
        let expect: Expect = match *op {
            COp::Create(_) if s.exists => Err(Kind::Invariant),
            COp::Create(_) => Ok(1),
            _ if !s.exists => Err(Kind::NotFound),
            _ if s.archived => Err(Kind::Invariant),
            COp::Archive => Ok(1),
            COp::AddContact { c, .. } => {
                if s.contacts.iter().any(|x| x.0 == c) {
                    Err(Kind::Invariant)
                } else {
                    Ok(1)
                }
            }
        };
        s.expect = expect;
        if matches!(expect, Ok(1 | 2)) {
            match *op {
                COp::Create(n) => {
                    s.exists = true;
                    s.name = n;
                }
                COp::Archive => s.archived = true,
                COp::AddContact { c, email, phone } => s.contacts.push((c, email, phone)),
            }
        }
        s
    }
}

struct CustomerSut {
    run: Run<CustomerAgg>,
    /// The contacts after the previous step (from the log's `contact.added` events).
    contacts_before: Vec<Contact>,
}

/// The contacts a customer's log added, in order (what a storage adapter keeps as rows).
fn logged_contacts(log: &[CustomerEvent]) -> Vec<Contact> {
    log.iter()
        .filter_map(|e| match e {
            CustomerEvent::ContactAdded(p) => Some(p.contact.clone()),
            _ => None,
        })
        .collect()
}

/// The facts for a command, as a storage adapter finds them: whether the contact's id is
/// already among the logged contacts.
fn customer_facts(log: &[CustomerEvent], cmd: &CustomerCommand) -> CustomerFacts {
    CustomerFacts {
        contact_exists: match cmd {
            CustomerCommand::AddContact(c) => logged_contacts(log)
                .iter()
                .any(|x| x.contact_id == c.contact_id),
            _ => false,
        },
        contact_erased: false,
    }
}

impl StateMachineTest for CustomerSut {
    type SystemUnderTest = Self;
    type Reference = CustomerRef;

    fn init_test(_: &CModel) -> Self {
        CustomerSut {
            run: Run::new(),
            contacts_before: Vec::new(),
        }
    }

    fn apply(mut sut: Self, model: &CModel, op: COp) -> Self {
        let cmd = match op {
            COp::Create(n) => CustomerCommand::Create {
                id: CustomerId::from_uuid(Uuid::from_u128(1)),
                name: c_name(n),
            },
            COp::Archive => CustomerCommand::Archive,
            COp::AddContact { c, email, phone } => {
                CustomerCommand::AddContact(c_contact(c, email, phone))
            }
        };
        sut.contacts_before = logged_contacts(&sut.run.log);
        let facts = customer_facts(&sut.run.log, &cmd);
        let decided = customer::decide(sut.run.state.as_ref(), &cmd, &facts, base());
        sut.run.settle(&op, model.expect, decided);
        sut
    }

    fn check_invariants(sut: &Self, model: &CModel) {
        sut.run.check_replay();
        assert_eq!(sut.run.state.is_some(), model.exists);
        let Some(c) = &sut.run.state else { return };
        assert_eq!(c.name(), &c_name(model.name));
        assert_eq!(c.status() == CustomerStatus::Archived, model.archived);
        let want: Vec<_> = model
            .contacts
            .iter()
            .map(|&(id, e, p)| c_contact(id, e, p))
            .collect();
        let contacts = logged_contacts(&sut.run.log);
        assert_eq!(contacts, want);
        assert_eq!(c.contact_count(), want.len() as u64);
        // append-only: what was there before is still there, unchanged, in order
        assert!(contacts.starts_with(&sut.contacts_before));
        if c.status() == CustomerStatus::Archived {
            let probes = [
                CustomerCommand::Archive,
                CustomerCommand::AddContact(c_contact(99, true, true)),
                CustomerCommand::Create {
                    id: c.id(),
                    name: c_name(0),
                },
            ];
            for p in &probes {
                let r = customer::decide(Some(c), p, &customer_facts(&sut.run.log, p), base());
                assert!(
                    matches!(r, Err(DomainError::Invariant(_))),
                    "archived customer took {p:?}: {r:?}"
                );
            }
        }
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn ticket_status_machine_and_reopen_window(sequential 1..50 => TicketSut);

    #[test]
    fn opportunity_pipeline(sequential 1..30 => OppSut);

    #[test]
    fn sla_assignment_marks_and_pauses(sequential 1..60 => SlaSut);

    #[test]
    fn knowledge_article_versions_and_comments(sequential 1..40 => ArticleSut);

    #[test]
    fn customer_archive_and_contacts(sequential 1..30 => CustomerSut);
}

// ---------------------------------------------------------------------------------------
// Bugs found by the SLA machine (fixed: the reached instants follow the target in force
// when the breach happens, see `pet_core::helpdesk::sla_clock`)
// ---------------------------------------------------------------------------------------

/// The minimal case the SLA machine shrank to (24/7, first response): the normal
/// target (5 min) is reached exactly at 09:05, when the priority drops to low (10 min).
/// The low target is reached at 09:10 and exceeded after it, but the clock reports the
/// breach at 09:05 — the instant the *old* target was reached, at which nothing was
/// breached (`Walk::reached_at` is set once and never reconsidered when the target grows).
#[test]
fn bug_breach_instant_is_stale_after_a_longer_target() {
    let spec = sla_spec();
    let at = |m: i64| minutes(base(), m);
    let tl = TicketTimeline::new(base(), TicketStatus::Open, Priority::Normal)
        .with(at(5), TimelineChange::Priority(Priority::Low));
    let r = sla_clock(&spec, &tl, at(11));
    assert_eq!(r.first_response.elapsed_minutes(), 11);
    assert_eq!(r.first_response.target_minutes, 10);
    assert_eq!(r.first_response.breached_at, Some(at(10)));
    assert_eq!(r.first_response.due_at, Some(at(10)));
    // and so the job's sla.breached event says 09:05 too
    let a = sla::replay_assignment(
        &sla::decide_assignment(
            None,
            &SlaAssignmentCommand::Assign {
                ticket_id: sla_ticket(),
                definition_id: sla_definition(),
                definition_version: sla_version(),
            },
            base(),
        )
        .unwrap(),
    );
    let evs = sla::decide_assignment(
        a.as_ref(),
        &SlaAssignmentCommand::Record { reading: r },
        at(11),
    )
    .unwrap();
    let breach = evs
        .iter()
        .find_map(|e| match e {
            SlaEvent::Breached(p) if p.target == SlaTarget::FirstResponse => Some(p.reached_at),
            _ => None,
        })
        .unwrap();
    assert_eq!(breach, Some(at(10)));
}

/// The same with a business calendar, as it happens in practice: a high-priority
/// ticket (resolution 480 business minutes = one working day) opened Monday 09:00 uses
/// exactly its target by Monday 17:00; on Tuesday 08:00 it is lowered to normal (960
/// minutes), which falls due Tuesday 17:00. On Wednesday it is breached — but reported
/// breached (and due) Monday 17:00, a day early.
#[test]
fn bug_lowered_priority_reports_breach_a_day_early() {
    let day = serde_json::json!([{"start": "09:00", "end": "17:00"}]);
    let input: SlaSpecInput = serde_json::from_value(serde_json::json!({
        "calendar": {
            "timezone": "Europe/London",
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
            "holidays": [],
        },
        "targets": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
            "normal": {"first_response_minutes": 120, "resolution_minutes": 960},
            "high": {"first_response_minutes": 60, "resolution_minutes": 480},
            "urgent": {"first_response_minutes": 30, "resolution_minutes": 240},
        },
        "pause_statuses": ["waiting_on_customer"],
        "warning_percent": 80,
        "always_on": [],
    }))
    .unwrap();
    let spec = SlaSpec::parse(&input).unwrap();
    let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    // Monday 2026-01-05; London is on UTC in January
    let tl = TicketTimeline::new(
        t("2026-01-05T09:00:00Z"),
        TicketStatus::Open,
        Priority::High,
    )
    .with(
        t("2026-01-06T08:00:00Z"),
        TimelineChange::Priority(Priority::Normal),
    );
    let r = sla_clock(&spec, &tl, t("2026-01-07T10:00:00Z"));
    assert_eq!(r.resolution.elapsed_minutes(), 1020);
    assert_eq!(r.resolution.target_minutes, 960);
    assert_eq!(r.resolution.breached_at, Some(t("2026-01-06T17:00:00Z")));
    assert_eq!(r.resolution.due_at, Some(t("2026-01-06T17:00:00Z")));
}

/// The convention of `sla_clock`: a target reached exactly when the clock stops is
/// breached at that instant once more time is used later (its end "is the breach time
/// once more work follows"). When the target is instead reached by a priority change
/// (resolution: normal 20 min → urgent 8 min while 8 minutes are used and the ticket
/// waits on the customer), the breach is reported when the clock resumes (09:09), not
/// when the target was reached (09:08). Same root cause as above: `reached_at` is only
/// computed inside running segments, never when the target changes. Found by the SLA
/// machine (minimal: Advance 8 min, WaitingOnCustomer, Urgent, Advance 1, New,
/// Advance 1, Record).
#[test]
fn bug_target_shrunk_onto_the_used_time_breaches_on_resume() {
    let spec = sla_spec();
    let at = |m: i64| minutes(base(), m);
    // the convention, without a priority change: reached at 09:08 when paused, breached
    // at 09:08 once the clock runs again
    let paused = TicketTimeline::new(base(), TicketStatus::Open, Priority::Urgent)
        .with(
            at(8),
            TimelineChange::Status(TicketStatus::WaitingOnCustomer),
        )
        .with(at(9), TimelineChange::Status(TicketStatus::Open));
    assert_eq!(
        sla_clock(&spec, &paused, at(10)).resolution.breached_at,
        Some(at(8))
    );
    // the same, the target reached by the priority change at 09:08
    let shrunk = TicketTimeline::new(base(), TicketStatus::Open, Priority::Normal)
        .with(
            at(8),
            TimelineChange::Status(TicketStatus::WaitingOnCustomer),
        )
        .with(at(8), TimelineChange::Priority(Priority::Urgent))
        .with(at(9), TimelineChange::Status(TicketStatus::Open));
    let r = sla_clock(&spec, &shrunk, at(10));
    assert_eq!(r.resolution.elapsed_minutes(), 9);
    assert_eq!(r.resolution.breached_at, Some(at(8)));
}
