//! Property tests of the commercial state machines (proptest-state-machine): a reference
//! model and the real aggregates run the same random command sequences; both must accept
//! or both reject, and invariants are checked after every step:
//!
//! * quotes: totals always equal the sums of their lines (checked against an independent
//!   reference computation), a sent version never changes (content and hash pinned),
//!   at most one version is ever accepted and exactly one sale recorded with it;
//! * money: splitting or merging lines neither loses nor invents a minor unit beyond the
//!   documented per-line rounding;
//! * leads: the status machine;
//! * lead schemas: leads captured with any version stay valid after later versions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pet_core::commercial::{
    lead, quote, schema, BasisPoints, Discount, DraftEdit, FieldDefinition, FieldKey, FieldType,
    LeadChanges, LeadCommand, LeadCustomer, LeadFacts, LeadId, LeadSchemaCommand, LeadSchemaId,
    LineGroupId, LineId, LineKind, NewLead, NewQuote, OpportunityId, OpportunityStatus,
    Qualification, Quantity, QuoteCommand, QuoteContent, QuoteEvent, QuoteFacts, QuoteId,
    QuoteLine, QuoteNumber, QuoteVersionNumber, QuoteVersionStatus, SaleId, Text,
};
use pet_core::event::DomainEvent;
use pet_core::identity::{
    Currency, CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Money, Name, Note,
};
use proptest::prelude::*;
use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};
use uuid::Uuid;

fn eur_c() -> Currency {
    Currency::new("EUR").unwrap()
}
fn day(k: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(k)
}
fn noon(k: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day(k).and_hms_opt(12, 0, 0).unwrap())
}

// ---------------------------------------------------------------------------------------
// Reference arithmetic, written independently of pet-core's pricing code
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DiscM {
    None,
    Pct(u32),
    Amt(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineSpec {
    labour: bool,
    qty: i64,
    price: i64,
    disc: DiscM,
    tax: u32,
}

/// Half-up division of a non-negative numerator.
fn half_up(num: i128, den: i128) -> i128 {
    (2 * num + den) / (2 * den)
}

impl LineSpec {
    fn gross(&self) -> i128 {
        let raw = i128::from(self.price) * i128::from(self.qty);
        if self.labour {
            half_up(raw, 60)
        } else {
            raw
        }
    }
    fn valid(&self) -> bool {
        !matches!(self.disc, DiscM::Amt(a) if i128::from(a) > self.gross())
    }
    /// (gross, discount, tax, total)
    fn amounts(&self) -> [i128; 4] {
        let gross = self.gross();
        let disc = match self.disc {
            DiscM::None => 0,
            DiscM::Pct(bp) => half_up(gross * i128::from(bp), 10_000),
            DiscM::Amt(a) => i128::from(a),
        };
        let net = gross - disc;
        let tax = half_up(net * i128::from(self.tax), 10_000);
        [gross, disc, tax, net + tax]
    }
    fn to_line(self, id: u16) -> Result<QuoteLine, pet_core::DomainError> {
        QuoteLine::new(
            LineId::from_uuid(Uuid::from_u128(u128::from(id))),
            if self.labour {
                LineKind::Labour {
                    role: Some(Name::new(if self.qty % 2 == 0 { "Dev" } else { "Ops" }).unwrap()),
                }
            } else {
                LineKind::Product
            },
            Text::for_field("description", "x").unwrap(),
            Quantity::new(self.qty).unwrap(),
            Money::new(self.price, eur_c()),
            match self.disc {
                DiscM::None => None,
                DiscM::Pct(bp) => Some(Discount::Percent {
                    basis_points: BasisPoints::for_field("d", i64::from(bp)).unwrap(),
                }),
                DiscM::Amt(a) => Some(Discount::Amount {
                    amount: Money::new(a, eur_c()),
                }),
            },
            BasisPoints::for_field("tax_rate", i64::from(self.tax)).unwrap(),
        )
    }
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (
        any::<bool>(),
        1i64..600,
        0i64..200_000,
        prop_oneof![
            Just(DiscM::None),
            (0u32..=10_000).prop_map(DiscM::Pct),
            (0i64..60_000).prop_map(DiscM::Amt)
        ],
        prop_oneof![Just(0u32), Just(700), Just(1900), Just(2000), 0u32..=2500],
    )
        .prop_map(|(labour, qty, price, disc, tax)| LineSpec {
            labour,
            qty,
            price,
            disc,
            tax,
        })
}

// ---------------------------------------------------------------------------------------
// Quotes
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct GroupM {
    id: u16,
    optional: bool,
    lines: Vec<(u16, LineSpec)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Draft,
    Sent,
    Accepted,
    Rejected,
    Expired,
    Superseded,
}

#[derive(Debug, Clone, PartialEq)]
struct VersionM {
    status: St,
    groups: Vec<GroupM>,
    valid_until: Option<i64>,
}

#[derive(Debug, Clone)]
struct QModel {
    versions: Vec<VersionM>,
    accepted: bool,
    today: i64,
    step: u16,
    last_ok: bool,
}

#[derive(Debug, Clone, Copy)]
enum QOp {
    AddGroup { optional: bool },
    RemoveGroup { g: u8 },
    AddLine { g: u8, spec: LineSpec },
    UpdateLine { l: u8, spec: LineSpec },
    MoveLine { l: u8, g: u8, pos: u8 },
    RemoveLine { l: u8 },
    DraftNext,
    Send { days: i64 },
    Accept { v: u8 },
    Reject { v: u8 },
    Expire,
    Advance { days: i64 },
}

const UNKNOWN: u16 = 9999;

fn pick<T: Copy>(items: &[T], sel: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(sel) % items.len()])
}

fn group_ids(groups: &[GroupM]) -> Vec<u16> {
    groups.iter().map(|g| g.id).collect()
}
fn line_ids(groups: &[GroupM]) -> Vec<u16> {
    groups
        .iter()
        .flat_map(|g| g.lines.iter().map(|(id, _)| *id))
        .collect()
}

impl QModel {
    fn draft(&self) -> Option<&VersionM> {
        self.versions.last().filter(|v| v.status == St::Draft)
    }
    fn latest_sent(&self) -> Option<usize> {
        self.versions.iter().rposition(|v| v.valid_until.is_some())
    }
}

/// Applies an edit to model groups; `None` when the edit is refused.
fn edit_model(groups: &[GroupM], op: &QOp, new_id: u16) -> Option<Vec<GroupM>> {
    let mut g = groups.to_vec();
    match *op {
        QOp::AddGroup { optional } => g.push(GroupM {
            id: new_id,
            optional,
            lines: vec![],
        }),
        QOp::RemoveGroup { g: sel } => {
            let id = pick(&group_ids(&g), sel)?;
            g.retain(|x| x.id != id);
        }
        QOp::AddLine { g: sel, spec } => {
            let id = pick(&group_ids(&g), sel)?;
            if !spec.valid() {
                return None;
            }
            g.iter_mut()
                .find(|x| x.id == id)?
                .lines
                .push((new_id, spec));
        }
        QOp::UpdateLine { l, spec } => {
            let id = pick(&line_ids(&g), l)?;
            if !spec.valid() {
                return None;
            }
            for grp in &mut g {
                for line in &mut grp.lines {
                    if line.0 == id {
                        line.1 = spec;
                    }
                }
            }
        }
        QOp::MoveLine { l, g: gsel, pos } => {
            let id = pick(&line_ids(&g), l)?;
            let target = pick(&group_ids(&g), gsel)?;
            let mut moved = None;
            for grp in &mut g {
                if let Some(i) = grp.lines.iter().position(|x| x.0 == id) {
                    moved = Some(grp.lines.remove(i));
                }
            }
            let t = g.iter_mut().find(|x| x.id == target)?;
            let at = usize::from(pos).min(t.lines.len());
            t.lines.insert(at, moved?);
        }
        QOp::RemoveLine { l } => {
            let id = pick(&line_ids(&g), l)?;
            for grp in &mut g {
                grp.lines.retain(|x| x.0 != id);
            }
        }
        _ => return None,
    }
    (g != groups).then_some(g)
}

struct QuoteRef;

impl ReferenceStateMachine for QuoteRef {
    type State = QModel;
    type Transition = QOp;

    fn init_state() -> BoxedStrategy<QModel> {
        Just(QModel {
            versions: vec![VersionM {
                status: St::Draft,
                groups: vec![],
                valid_until: None,
            }],
            accepted: false,
            today: 0,
            step: 0,
            last_ok: true,
        })
        .boxed()
    }

    fn transitions(_: &QModel) -> BoxedStrategy<QOp> {
        prop_oneof![
            3 => any::<bool>().prop_map(|optional| QOp::AddGroup { optional }),
            1 => any::<u8>().prop_map(|g| QOp::RemoveGroup { g }),
            6 => (any::<u8>(), line_spec()).prop_map(|(g, spec)| QOp::AddLine { g, spec }),
            3 => (any::<u8>(), line_spec()).prop_map(|(l, spec)| QOp::UpdateLine { l, spec }),
            2 => (any::<u8>(), any::<u8>(), 0u8..4).prop_map(|(l, g, pos)| QOp::MoveLine { l, g, pos }),
            2 => any::<u8>().prop_map(|l| QOp::RemoveLine { l }),
            2 => Just(QOp::DraftNext),
            3 => (-1i64..6).prop_map(|days| QOp::Send { days }),
            2 => (0u8..5).prop_map(|v| QOp::Accept { v }),
            1 => (0u8..5).prop_map(|v| QOp::Reject { v }),
            1 => Just(QOp::Expire),
            2 => (1i64..4).prop_map(|days| QOp::Advance { days }),
        ]
        .boxed()
    }

    fn apply(mut s: QModel, op: &QOp) -> QModel {
        s.step += 1;
        let new_id = 1000 + s.step;
        let today = s.today;
        let ok = match *op {
            QOp::Advance { days } => {
                s.today += days;
                true
            }
            _ if s.accepted => false,
            QOp::DraftNext => {
                if s.draft().is_some() {
                    false
                } else {
                    let groups = s
                        .versions
                        .last()
                        .map(|v| v.groups.clone())
                        .unwrap_or_default();
                    s.versions.push(VersionM {
                        status: St::Draft,
                        groups,
                        valid_until: None,
                    });
                    true
                }
            }
            QOp::Send { days } => {
                let sendable = s
                    .draft()
                    .is_some_and(|d| d.groups.iter().any(|g| !g.lines.is_empty()));
                if sendable && days >= 0 {
                    for v in &mut s.versions {
                        if v.status == St::Sent {
                            v.status = St::Superseded;
                        }
                    }
                    let d = s.versions.last_mut().unwrap();
                    d.status = St::Sent;
                    d.valid_until = Some(today + days);
                    true
                } else {
                    false
                }
            }
            QOp::Accept { v } | QOp::Reject { v } => {
                let idx = usize::from(v);
                let answerable = s.latest_sent() == Some(idx)
                    && s.versions[idx].status == St::Sent
                    && s.versions[idx].valid_until.is_some_and(|u| today <= u);
                if answerable {
                    if matches!(op, QOp::Accept { .. }) {
                        s.versions[idx].status = St::Accepted;
                        s.accepted = true;
                    } else {
                        s.versions[idx].status = St::Rejected;
                    }
                }
                answerable
            }
            QOp::Expire => {
                let mut any = false;
                for v in &mut s.versions {
                    if v.status == St::Sent && v.valid_until.is_some_and(|u| today > u) {
                        v.status = St::Expired;
                        any = true;
                    }
                }
                any
            }
            _ => match s.draft().and_then(|d| edit_model(&d.groups, op, new_id)) {
                Some(groups) => {
                    s.versions.last_mut().unwrap().groups = groups;
                    true
                }
                None => false,
            },
        };
        s.last_ok = ok;
        s
    }
}

struct QuoteSut {
    state: quote::Quote,
    today: i64,
    step: u16,
    log: Vec<QuoteEvent>,
    /// Content and hash of each version as it was when sent.
    pinned: BTreeMap<u32, (QuoteContent, String)>,
}

fn gid(id: u16) -> LineGroupId {
    LineGroupId::from_uuid(Uuid::from_u128(u128::from(id)))
}
fn lid(id: u16) -> LineId {
    LineId::from_uuid(Uuid::from_u128(u128::from(id)))
}

impl QuoteSut {
    fn draft_groups(&self) -> Vec<GroupM> {
        // Only ids and order are needed to resolve selectors.
        let Some(v) = self
            .state
            .latest()
            .filter(|v| v.status() == QuoteVersionStatus::Draft)
        else {
            return vec![];
        };
        v.content()
            .groups
            .iter()
            .map(|g| GroupM {
                id: g.group_id.as_uuid().as_u128() as u16,
                optional: g.optional,
                lines: g
                    .lines
                    .iter()
                    .map(|l| {
                        (
                            l.line_id().as_uuid().as_u128() as u16,
                            LineSpec {
                                labour: false,
                                qty: 1,
                                price: 0,
                                disc: DiscM::None,
                                tax: 0,
                            },
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    fn command(&self, op: &QOp, new_id: u16) -> QuoteCommand {
        let groups = self.draft_groups();
        let g = |sel| pick(&group_ids(&groups), sel).unwrap_or(UNKNOWN);
        let l = |sel| pick(&line_ids(&groups), sel).unwrap_or(UNKNOWN);
        let edit = |e| QuoteCommand::ReviseDraft { edits: vec![e] };
        let line_or_invalid = |spec: LineSpec, id| spec.to_line(id);
        match *op {
            QOp::AddGroup { optional } => edit(DraftEdit::AddGroup {
                group_id: gid(new_id),
                title: Name::new("G").unwrap(),
                optional,
            }),
            QOp::RemoveGroup { g: s } => edit(DraftEdit::RemoveGroup {
                group_id: gid(g(s)),
            }),
            QOp::AddLine { g: s, spec } => match line_or_invalid(spec, new_id) {
                Ok(line) => edit(DraftEdit::AddLine {
                    group_id: gid(g(s)),
                    line,
                }),
                // An invalid line cannot even be built: the command never reaches decide.
                Err(_) => QuoteCommand::ReviseDraft {
                    edits: vec![DraftEdit::RemoveLine {
                        line_id: lid(UNKNOWN),
                    }],
                },
            },
            QOp::UpdateLine { l: s, spec } => match line_or_invalid(spec, l(s)) {
                Ok(line) => edit(DraftEdit::UpdateLine { line }),
                Err(_) => QuoteCommand::ReviseDraft {
                    edits: vec![DraftEdit::RemoveLine {
                        line_id: lid(UNKNOWN),
                    }],
                },
            },
            QOp::MoveLine { l: ls, g: gs, pos } => edit(DraftEdit::MoveLine {
                line_id: lid(l(ls)),
                group_id: gid(g(gs)),
                position: usize::from(pos),
            }),
            QOp::RemoveLine { l: s } => edit(DraftEdit::RemoveLine { line_id: lid(l(s)) }),
            QOp::DraftNext => QuoteCommand::DraftNextVersion,
            QOp::Send { days } => QuoteCommand::Send {
                valid_until: day(self.today + days),
            },
            QOp::Accept { v } => {
                let number = QuoteVersionNumber::new("number", u32::from(v) + 1).unwrap();
                let optional_groups = self
                    .state
                    .get(number)
                    .map(|ver| {
                        ver.content()
                            .groups
                            .iter()
                            .filter(|g| g.optional)
                            .map(|g| g.group_id)
                            .collect()
                    })
                    .unwrap_or_default();
                QuoteCommand::Accept {
                    number,
                    sale_id: SaleId::from_uuid(Uuid::from_u128(u128::from(new_id))),
                    signed_by: None,
                    optional_groups,
                }
            }
            QOp::Reject { v } => QuoteCommand::Reject {
                number: QuoteVersionNumber::new("number", u32::from(v) + 1).unwrap(),
                reason: Text::for_field("reason", "no").unwrap(),
            },
            QOp::Expire => QuoteCommand::Expire,
            QOp::Advance { .. } => unreachable!("not a command"),
        }
    }
}

fn reference_totals(groups: &[GroupM], include_optional: bool) -> [i128; 4] {
    let mut t = [0i128; 4];
    for g in groups.iter().filter(|g| include_optional || !g.optional) {
        for (_, l) in &g.lines {
            for (acc, x) in t.iter_mut().zip(l.amounts()) {
                *acc += x;
            }
        }
    }
    t
}

impl StateMachineTest for QuoteSut {
    type SystemUnderTest = Self;
    type Reference = QuoteRef;

    fn init_test(_: &QModel) -> Self {
        let cmd = QuoteCommand::Create(NewQuote {
            id: QuoteId::from_uuid(Uuid::from_u128(1)),
            number: QuoteNumber::new("number", 1).unwrap(),
            opportunity_id: OpportunityId::from_uuid(Uuid::from_u128(2)),
            customer_id: CustomerId::from_uuid(Uuid::from_u128(3)),
            currency: eur_c(),
            title: Name::new("Q").unwrap(),
        });
        let facts = QuoteFacts {
            opportunity: Some((
                OpportunityStatus::Quoting,
                CustomerId::from_uuid(Uuid::from_u128(3)),
            )),
        };
        let log = quote::decide(None, &cmd, &facts, noon(0)).unwrap();
        QuoteSut {
            state: quote::replay(&log).unwrap(),
            today: 0,
            step: 0,
            log,
            pinned: BTreeMap::new(),
        }
    }

    fn apply(mut sut: Self, model: &QModel, op: QOp) -> Self {
        sut.step += 1;
        let new_id = 1000 + sut.step;
        if let QOp::Advance { days } = op {
            sut.today += days;
            return sut;
        }
        let cmd = sut.command(&op, new_id);
        let before = sut.state.clone();
        match quote::decide(
            Some(&sut.state),
            &cmd,
            &QuoteFacts::default(),
            noon(sut.today),
        ) {
            Ok(evs) => {
                assert!(model.last_ok, "{op:?} accepted but the model rejects it");
                for e in &evs {
                    if let QuoteEvent::Sent(p) = e {
                        let v = sut.state.get(p.number).unwrap();
                        sut.pinned.insert(
                            p.number.get(),
                            (v.content().clone(), p.sent.content_hash.clone()),
                        );
                    }
                }
                sut.state = quote::evolve_all(Some(sut.state), &evs).unwrap();
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

    fn check_invariants(sut: &Self, model: &QModel) {
        let q = &sut.state;
        assert_eq!(q.versions().len(), model.versions.len());
        for (v, m) in q.versions().iter().zip(&model.versions) {
            let want = match m.status {
                St::Draft => QuoteVersionStatus::Draft,
                St::Sent => QuoteVersionStatus::Sent,
                St::Accepted => QuoteVersionStatus::Accepted,
                St::Rejected => QuoteVersionStatus::Rejected,
                St::Expired => QuoteVersionStatus::Expired,
                St::Superseded => QuoteVersionStatus::Superseded,
            };
            assert_eq!(v.status(), want, "version {}", v.number());
            // Totals: equal to an independent computation, and to the sums of the lines.
            let t = v.content().totals(eur_c()).unwrap();
            let r = reference_totals(&m.groups, false);
            let got = [
                t.quote.subtotal,
                t.quote.discount,
                t.quote.tax,
                t.quote.total,
            ]
            .map(|m| i128::from(m.amount_minor()));
            assert_eq!(got, r, "version {} totals", v.number());
            assert_eq!(
                i128::from(t.optional_total.amount_minor()),
                reference_totals(&m.groups, true)[3] - r[3]
            );
            assert_eq!(
                t.quote.total.amount_minor(),
                t.quote.subtotal.amount_minor() - t.quote.discount.amount_minor()
                    + t.quote.tax.amount_minor()
            );
            let line_sum: i64 = v
                .content()
                .groups
                .iter()
                .filter(|g| !g.optional)
                .flat_map(|g| &g.lines)
                .map(|l| l.totals().unwrap().total.amount_minor())
                .sum();
            assert_eq!(line_sum, t.quote.total.amount_minor());
            // A sent version never changes.
            if let Some(sent) = v.sent() {
                let (content, hash) = &sut.pinned[&v.number().get()];
                assert_eq!(v.content(), content, "sent version {} changed", v.number());
                assert_eq!(&v.content().content_hash(eur_c()), hash);
                assert_eq!(&sent.content_hash, hash);
                assert_eq!(sent.totals, t);
            }
        }
        // At most one acceptance, exactly one sale with it.
        let accepted = q
            .versions()
            .iter()
            .filter(|v| v.status() == QuoteVersionStatus::Accepted)
            .count();
        let sales: Vec<_> = sut
            .log
            .iter()
            .filter_map(|e| match e {
                QuoteEvent::SaleRecorded(s) => Some(s),
                _ => None,
            })
            .collect();
        assert!(accepted <= 1);
        assert_eq!(sales.len(), accepted);
        assert_eq!(model.accepted, accepted == 1);
        if let Some(sale) = sales.first() {
            let idx = (sale.number.get() - 1) as usize;
            let r = reference_totals(&model.versions[idx].groups, true);
            assert_eq!(i128::from(sale.totals.total.amount_minor()), r[3]);
            let minutes: i64 = sale.labour.iter().map(|l| l.minutes).sum();
            let want: i64 = model.versions[idx]
                .groups
                .iter()
                .flat_map(|g| &g.lines)
                .filter(|(_, l)| l.labour)
                .map(|(_, l)| l.qty)
                .sum();
            assert_eq!(minutes, want);
            assert_eq!(sale.content_hash, sut.pinned[&sale.number.get()].1);
        }
        // The log rebuilds the state, also through the storage form.
        assert_eq!(quote::replay(&sut.log).as_ref(), Some(q));
        for e in &sut.log {
            assert_eq!(
                &QuoteEvent::from_stored(e.event_type(), 1, &e.payload()).unwrap(),
                e
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Leads: the status machine
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum LeadOp {
    Create,
    Contact,
    Qualify,
    Disqualify,
    Archive,
    ChangeSource(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LS {
    None,
    New,
    Contacted,
    Qualified,
    Disqualified,
    Archived,
}

#[derive(Debug, Clone)]
struct LeadModel {
    status: LS,
    source: u8,
    accepted: u64,
    last_ok: bool,
}

struct LeadRef;

impl ReferenceStateMachine for LeadRef {
    type State = LeadModel;
    type Transition = LeadOp;
    fn init_state() -> BoxedStrategy<LeadModel> {
        Just(LeadModel {
            status: LS::None,
            source: 0,
            accepted: 0,
            last_ok: true,
        })
        .boxed()
    }
    fn transitions(_: &LeadModel) -> BoxedStrategy<LeadOp> {
        prop_oneof![
            Just(LeadOp::Create),
            Just(LeadOp::Contact),
            Just(LeadOp::Qualify),
            Just(LeadOp::Disqualify),
            Just(LeadOp::Archive),
            (0u8..3).prop_map(LeadOp::ChangeSource),
        ]
        .boxed()
    }
    fn apply(mut s: LeadModel, op: &LeadOp) -> LeadModel {
        use LS::*;
        let next = match (*op, s.status) {
            (LeadOp::Create, None) => Some(New),
            (_, None | Archived) => Option::None,
            (LeadOp::Create, _) => Option::None,
            (LeadOp::Contact, New) => Some(Contacted),
            (LeadOp::Qualify, Contacted) => Some(Qualified),
            (LeadOp::Disqualify, New | Contacted) => Some(Disqualified),
            (LeadOp::Archive, Qualified | Disqualified) => Some(Archived),
            (LeadOp::ChangeSource(x), st) if x != s.source => {
                s.source = x;
                Some(st)
            }
            _ => Option::None,
        };
        s.last_ok = next.is_some();
        if let Some(n) = next {
            s.status = n;
            s.accepted += 1;
        }
        s
    }
}

struct LeadSut {
    state: Option<lead::Lead>,
    log: Vec<pet_core::commercial::LeadEvent>,
}

fn source(x: u8) -> Name {
    Name::new(&format!("source {x}")).unwrap()
}

impl StateMachineTest for LeadSut {
    type SystemUnderTest = Self;
    type Reference = LeadRef;
    fn init_test(_: &LeadModel) -> Self {
        LeadSut {
            state: None,
            log: vec![],
        }
    }
    fn apply(mut sut: Self, model: &LeadModel, op: LeadOp) -> Self {
        let cmd = match op {
            LeadOp::Create => LeadCommand::Create(NewLead {
                id: LeadId::from_uuid(Uuid::from_u128(1)),
                customer: LeadCustomer::Existing {
                    customer_id: CustomerId::from_uuid(Uuid::from_u128(2)),
                },
                source: source(0),
                owner_id: EmployeeId::from_uuid(Uuid::from_u128(3)),
                custom_values: BTreeMap::new(),
            }),
            LeadOp::Contact => LeadCommand::Contact {
                note: Note::default(),
            },
            LeadOp::Qualify => LeadCommand::Qualify(Qualification {
                budget: None,
                authority: None,
                need: Text::for_field("need", "n").unwrap(),
                timeline: None,
                notes: Note::default(),
            }),
            LeadOp::Disqualify => LeadCommand::Disqualify {
                reason: Text::for_field("reason", "r").unwrap(),
            },
            LeadOp::Archive => LeadCommand::Archive,
            LeadOp::ChangeSource(x) => LeadCommand::Update(LeadChanges {
                source: Some(source(x)),
                ..Default::default()
            }),
        };
        let facts = LeadFacts {
            schema: None,
            customer: Some(CustomerStatus::Active),
            owner: Some(EmployeeStatus::Active),
        };
        let before = sut.state.clone();
        match lead::decide(sut.state.as_ref(), &cmd, &facts, noon(0)) {
            Ok(evs) => {
                assert!(model.last_ok, "{op:?} accepted but the model rejects it");
                assert_eq!(evs.len(), 1);
                sut.state = lead::evolve_all(sut.state.take(), &evs);
                sut.log.extend(evs);
            }
            Err(e) => {
                assert!(
                    !model.last_ok,
                    "{op:?} rejected ({e}) but the model accepts it"
                );
                assert_eq!(sut.state, before);
            }
        }
        sut
    }
    fn check_invariants(sut: &Self, model: &LeadModel) {
        let status = sut.state.as_ref().map(|l| l.status().as_str());
        let want = match model.status {
            LS::None => None,
            LS::New => Some("new"),
            LS::Contacted => Some("contacted"),
            LS::Qualified => Some("qualified"),
            LS::Disqualified => Some("disqualified"),
            LS::Archived => Some("archived"),
        };
        assert_eq!(status, want);
        if let Some(l) = &sut.state {
            assert_eq!(l.version(), model.accepted);
            assert_eq!(l.source(), &source(model.source));
            assert_eq!(
                l.qualification().is_some(),
                model.status == LS::Qualified
                    || (model.status == LS::Archived
                        && sut.log.iter().any(|e| e.event_type() == "lead.qualified"))
            );
            assert_eq!(lead::replay(&sut.log).as_ref(), Some(l));
            // a state row and its qualification row restore it
            let restored = lead::Lead::restore(
                l.id(),
                l.customer().clone(),
                l.source().clone(),
                l.owner_id(),
                l.schema(),
                l.custom_values().clone(),
                l.status(),
                l.qualification().cloned(),
                l.disqualification_reason().cloned(),
                l.version(),
            );
            assert_eq!(&restored, l);
        }
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn quote_versions_totals_and_acceptance(sequential 1..60 => QuoteSut);

    #[test]
    fn lead_status_machine(sequential 1..30 => LeadSut);
}

// ---------------------------------------------------------------------------------------
// Money: splitting and merging lines
// ---------------------------------------------------------------------------------------

fn total_of(spec: LineSpec) -> i64 {
    spec.to_line(1)
        .unwrap()
        .totals()
        .unwrap()
        .total
        .amount_minor()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Splitting a product line without percentages or tax into two keeps every minor
    /// unit; with percentage discount and tax, each line rounds once per step, so the
    /// two halves differ from the whole by at most one unit per rounding.
    #[test]
    fn splitting_a_line_loses_or_invents_nothing_beyond_rounding(
        q1 in 1i64..500, q2 in 1i64..500, price in 0i64..500_000,
        pct in 0u32..=10_000, tax in 0u32..=2500, labour in any::<bool>(),
    ) {
        let whole = |disc, tax, q| LineSpec { labour, qty: q, price, disc, tax };
        // Exact when nothing rounds (product lines, no percentages).
        let exact = |q| total_of(LineSpec { labour: false, qty: q, price, disc: DiscM::None, tax: 0 });
        prop_assert_eq!(exact(q1 + q2), exact(q1) + exact(q2));
        // With every rounding step, bounded by the number of roundings (3 per line).
        let merged = total_of(whole(DiscM::Pct(pct), tax, q1 + q2));
        let split = total_of(whole(DiscM::Pct(pct), tax, q1)) + total_of(whole(DiscM::Pct(pct), tax, q2));
        prop_assert!((merged - split).abs() <= 3, "merged {} split {}", merged, split);
        // And the reference arithmetic agrees with pet-core on every line.
        for q in [q1, q2, q1 + q2] {
            let s = whole(DiscM::Pct(pct), tax, q);
            let t = s.to_line(1).unwrap().totals().unwrap();
            let [g, d, x, tot] = s.amounts();
            prop_assert_eq!([t.gross, t.discount, t.tax, t.total].map(|m| i128::from(m.amount_minor())), [g, d, x, tot]);
        }
    }

    /// A version's total is the sum of its rounded line totals, whatever the lines.
    #[test]
    fn total_is_the_sum_of_rounded_line_totals(specs in proptest::collection::vec(line_spec(), 0..40)) {
        let specs: Vec<LineSpec> = specs.into_iter().filter(LineSpec::valid).collect();
        let mut content = QuoteContent::new();
        content.apply(&DraftEdit::AddGroup { group_id: gid(1), title: Name::new("G").unwrap(), optional: false }).unwrap();
        for (i, s) in specs.iter().enumerate() {
            content.apply(&DraftEdit::AddLine { group_id: gid(1), line: s.to_line(100 + i as u16).unwrap() }).unwrap();
        }
        let t = content.totals(eur_c()).unwrap();
        let sum: i128 = specs.iter().map(|s| s.amounts()[3]).sum();
        prop_assert_eq!(i128::from(t.quote.total.amount_minor()), sum);
    }
}

// ---------------------------------------------------------------------------------------
// Lead schemas: old leads stay valid after new versions
// ---------------------------------------------------------------------------------------

fn field_types() -> impl Strategy<Value = Vec<(u8, FieldType, bool)>> {
    proptest::collection::vec(
        (
            0u8..6,
            prop_oneof![
                Just(FieldType::Text),
                Just(FieldType::Number),
                Just(FieldType::Date),
                Just(FieldType::Select),
                Just(FieldType::Multiselect),
                Just(FieldType::Bool)
            ],
            any::<bool>(),
        ),
        0..6,
    )
}

fn definitions(spec: &[(u8, FieldType, bool)], salt: usize) -> Vec<FieldDefinition> {
    let mut seen = BTreeSet::new();
    spec.iter()
        .filter(|(k, _, _)| seen.insert(*k))
        .map(|(k, t, req)| {
            let options = match t {
                FieldType::Select | FieldType::Multiselect => vec![
                    Name::new(&format!("opt{salt}")).unwrap(),
                    Name::new("other").unwrap(),
                ],
                _ => vec![],
            };
            FieldDefinition::new(
                FieldKey::new(&format!("f{k}")).unwrap(),
                Name::new("F").unwrap(),
                *t,
                *req,
                options,
                u32::from(*k),
            )
            .unwrap()
        })
        .collect()
}

/// A value that fits `def`.
fn value_for(def: &FieldDefinition) -> serde_json::Value {
    use serde_json::json;
    match def.field_type() {
        FieldType::Text => json!("hello"),
        FieldType::Number => json!(42),
        FieldType::Date => json!("2026-02-01"),
        FieldType::Select => json!(def.options()[0].as_str()),
        FieldType::Multiselect => json!([def.options()[1].as_str(), def.options()[0].as_str()]),
        FieldType::Bool => json!(true),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn leads_stay_valid_against_their_own_version(versions in proptest::collection::vec(field_types(), 1..6)) {
        let sid = LeadSchemaId::from_uuid(Uuid::from_u128(1));
        let mut schema_state = None;
        let mut leads = Vec::new();
        let mut history = Vec::new();
        for (i, spec) in versions.iter().enumerate() {
            let cmd = LeadSchemaCommand::Publish { schema_id: sid, fields: definitions(spec, i) };
            let Ok(evs) = schema::decide(schema_state.as_ref(), &cmd, noon(0)) else {
                // Only an unchanged field list is refused.
                prop_assert!(schema_state.as_ref().and_then(schema::LeadSchema::latest).is_some());
                continue;
            };
            schema_state = schema::evolve_all(schema_state, &evs);
            let s = schema_state.as_ref().unwrap();
            // Earlier versions are never changed by publishing.
            prop_assert_eq!(&s.versions()[..history.len()], &history[..]);
            history = s.versions().to_vec();
            let latest = s.latest().unwrap();
            let input: BTreeMap<String, serde_json::Value> = latest
                .fields
                .iter()
                .filter(|f| f.required() || i % 2 == 0)
                .map(|f| (f.key().as_str().to_owned(), value_for(f)))
                .collect();
            let facts = LeadFacts { schema: Some(latest.clone()), customer: Some(CustomerStatus::Active), owner: Some(EmployeeStatus::Active) };
            let cmd = LeadCommand::Create(NewLead {
                id: LeadId::from_uuid(Uuid::from_u128(100 + i as u128)),
                customer: LeadCustomer::New { name: Name::new("X").unwrap() },
                source: Name::new("web").unwrap(),
                owner_id: EmployeeId::from_uuid(Uuid::from_u128(5)),
                custom_values: input,
            });
            let l = lead::replay(&lead::decide(None, &cmd, &facts, noon(0)).unwrap()).unwrap();
            leads.push(l);
        }
        let s = schema_state.unwrap();
        for l in &leads {
            let own = s.get(l.schema().unwrap().number).unwrap();
            prop_assert!(own.read(l.custom_values()).is_ok(), "lead {} no longer reads with its version", l.id());
            // Rewriting its values through its own version is still accepted.
            let raw: BTreeMap<String, serde_json::Value> = l.custom_values().iter().map(|(k, v)| (k.as_str().to_owned(), v.clone())).collect();
            prop_assert_eq!(&own.validate(&raw).unwrap(), l.custom_values());
        }
    }
}
