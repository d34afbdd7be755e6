//! Accounting pushes: a property test of the push record's state machine driven the way the
//! push job drives it, against a model of QuickBooks Online (a `requestid` answered with the
//! record it already made, look-ups that lag writes, deletions by a bookkeeper), under
//! crashes between the send and the record, 500s after the write was accepted, 429s,
//! outages, duplicate deliveries of an outcome, reconciliation and re-pushes.
//!
//! Properties: at no point does the accounting system hold two live records for one push;
//! a confirmed push names the record the system holds; after the faults stop, every push
//! ends confirmed with exactly one live record; the request id of a generation's creates
//! never changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use pet_core::accounting::{
    FailureKind, Plan, Push, PushCommand, PushDoc, PushEvent, PushId, PushStatus, RemoteRecord,
    SourceKind, SourceRef, TargetKind,
};
use pet_core::aggregate::Aggregate;
use pet_core::identity::{Currency, CustomerId};
use proptest::prelude::*;
use uuid::Uuid;

/// The stand-in's model: records by id, the request ids it has answered, visibility.
#[derive(Default)]
struct Qbo {
    next_id: u32,
    /// remote id → (live, visible to queries from this step on, total)
    records: BTreeMap<String, (bool, u32, i64)>,
    /// requestid → remote id it created.
    answered: BTreeMap<String, String>,
    step: u32,
    lag: u32,
}

impl Qbo {
    /// A create with a request id: the first makes a record, a repeat returns it.
    fn create(&mut self, request_id: &str, total: i64) -> String {
        if let Some(id) = self.answered.get(request_id) {
            return id.clone();
        }
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.records
            .insert(id.clone(), (true, self.step + self.lag, total));
        self.answered.insert(request_id.to_owned(), id.clone());
        id
    }
    fn look_up(&self) -> Option<String> {
        self.records
            .iter()
            .find(|(_, (live, visible, _))| *live && *visible <= self.step)
            .map(|(id, _)| id.clone())
    }
    fn live(&self) -> Vec<String> {
        self.records
            .iter()
            .filter(|(_, (live, _, _))| *live)
            .map(|(id, _)| id.clone())
            .collect()
    }
    fn read(&self, id: &str) -> Option<RemoteRecord> {
        self.records.get(id).filter(|r| r.0).map(|r| RemoteRecord {
            remote_id: id.to_owned(),
            sync_token: "0".into(),
            name: "Q-1".into(),
            customer_ref: None,
            amount_minor: Some(r.2),
            currency: Some("EUR".into()),
            line_count: Some(0),
            fields: Default::default(),
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Response {
    Ok,
    AcceptedThen500,
    RateLimited,
    Unavailable,
    /// The runner dies after committing the send, before or after QBO got it.
    Crash {
        reached: bool,
    },
}

#[derive(Debug, Clone)]
enum Op {
    Run(Response),
    /// The last outcome delivered again (a replayed job).
    Duplicate,
    Advance(i64),
    Reconcile,
    /// A bookkeeper deletes the record in QuickBooks.
    Delete,
    /// A bookkeeper edits the total.
    Edit,
    Requeue,
    /// Look-ups start seeing records after this many steps.
    Lag(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop_oneof![
            Just(Response::Ok),
            Just(Response::AcceptedThen500),
            Just(Response::RateLimited),
            Just(Response::Unavailable),
            any::<bool>().prop_map(|reached| Response::Crash { reached }),
        ]
        .prop_map(Op::Run),
        1 => Just(Op::Duplicate),
        2 => (1i64..4_000).prop_map(Op::Advance),
        1 => Just(Op::Reconcile),
        1 => Just(Op::Delete),
        1 => Just(Op::Edit),
        1 => Just(Op::Requeue),
        1 => (0u32..4).prop_map(Op::Lag),
    ]
}

struct World {
    push: Push,
    now: DateTime<Utc>,
    qbo: Qbo,
    last_outcome: Option<PushCommand>,
    request_ids: BTreeMap<u32, String>,
}

impl World {
    fn new() -> Self {
        let now: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().unwrap();
        let source = SourceRef {
            kind: SourceKind::Sale,
            id: Uuid::from_u128(7),
        };
        let doc = PushDoc::Sale {
            customer_id: CustomerId::from_uuid(Uuid::from_u128(1)),
            doc_number: "Q-1".into(),
            txn_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            currency: Currency::new("EUR").unwrap(),
            lines: vec![],
            total_minor: 12_345,
        };
        let cmd = PushCommand::Queue {
            target: TargetKind::Invoice,
            source,
            doc,
        };
        let evs = Push::decide(None, &cmd, &(), now).unwrap();
        let push = fold(None, &evs, now).unwrap();
        assert_eq!(push.id, PushId::for_source(source));
        Self {
            push,
            now,
            qbo: Qbo::default(),
            last_outcome: None,
            request_ids: BTreeMap::new(),
        }
    }

    /// Runs a command as the application does: decide, then evolve (commit). Errors leave
    /// the state as it was.
    fn apply(&mut self, cmd: &PushCommand) -> Result<(), String> {
        let evs = Push::decide(Some(&self.push), cmd, &(), self.now).map_err(|e| e.to_string())?;
        if let Some(PushEvent::Sent(s)) = evs
            .first()
            .filter(|e| matches!(e, PushEvent::Sent(s) if !s.update))
        {
            let known = self
                .request_ids
                .entry(self.push.generation)
                .or_insert_with(|| s.request_id.clone());
            assert_eq!(*known, s.request_id, "a generation's request id changed");
        }
        self.push = fold(Some(self.push.clone()), &evs, self.now).unwrap();
        Ok(())
    }

    /// One run of the push job for this push.
    fn run(&mut self, resp: Response) {
        let Plan::Send {
            look_up_first,
            request_id,
            update,
            ..
        } = self.push.plan(self.now)
        else {
            return;
        };
        if look_up_first {
            if let Some(id) = self.qbo.look_up() {
                let c = PushCommand::Confirm {
                    generation: self.push.generation,
                    remote_id: id,
                    sync_token: "0".into(),
                    found_by_lookup: true,
                    amount_minor: None,
                    removed: false,
                };
                let _ = self.apply(&c);
                self.last_outcome = Some(c);
                return;
            }
        }
        self.apply(&PushCommand::Send).unwrap();
        let attempt = self.push.attempts;
        let total = match &self.push.doc {
            PushDoc::Sale { total_minor, .. } => *total_minor,
            _ => 0,
        };
        let outcome = match resp {
            Response::Crash { reached } => {
                if reached && update.is_none() {
                    self.qbo.create(&request_id, total);
                }
                return;
            }
            Response::Ok => {
                let id = match &update {
                    Some((id, _)) => {
                        if let Some(r) = self.qbo.records.get_mut(id) {
                            r.2 = total;
                        }
                        id.clone()
                    }
                    None => self.qbo.create(&request_id, total),
                };
                PushCommand::Confirm {
                    generation: self.push.generation,
                    remote_id: id,
                    sync_token: "1".into(),
                    found_by_lookup: false,
                    amount_minor: None,
                    removed: false,
                }
            }
            Response::AcceptedThen500 | Response::RateLimited | Response::Unavailable => {
                if matches!(resp, Response::AcceptedThen500) && update.is_none() {
                    self.qbo.create(&request_id, total);
                }
                PushCommand::Fail {
                    attempt,
                    kind: if matches!(resp, Response::RateLimited) {
                        FailureKind::RateLimited
                    } else {
                        FailureKind::Unavailable
                    },
                    error: "boom".into(),
                    retry_after_secs: None,
                    sync_token: None,
                }
            }
        };
        if let Err(e) = self.apply(&outcome) {
            panic!("the outcome of the send in flight was refused: {e}");
        }
        self.last_outcome = Some(outcome);
    }

    fn check(&self) {
        let live = self.qbo.live();
        assert!(live.len() <= 1, "two live records for one push: {live:?}");
        if self.push.status == PushStatus::Confirmed {
            let id = self.push.remote_id.clone().unwrap();
            // Confirmed names a record the system made (it may since have been deleted).
            assert!(self.qbo.records.contains_key(&id));
        }
    }
}

fn fold(state: Option<Push>, evs: &[PushEvent], _at: DateTime<Utc>) -> Option<Push> {
    Push::evolve_all(state, evs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_sequence_of_faults_posts_a_sale_twice(ops in proptest::collection::vec(op(), 0..60)) {
        let mut w = World::new();
        for op in ops {
            w.qbo.step += 1;
            match op {
                Op::Run(r) => w.run(r),
                Op::Duplicate => {
                    if let Some(c) = w.last_outcome.clone() {
                        let _ = w.apply(&c);
                    }
                }
                Op::Advance(s) => w.now += Duration::seconds(s),
                Op::Reconcile => {
                    if w.push.status == PushStatus::Confirmed {
                        let id = w.push.remote_id.clone().unwrap();
                        let remote = w.qbo.read(&id);
                        w.apply(&PushCommand::Reconcile { remote, customer_ref: None, worker: None, minutes: None }).unwrap();
                    }
                }
                Op::Delete => {
                    for r in w.qbo.records.values_mut() {
                        r.0 = false;
                    }
                }
                Op::Edit => {
                    for r in w.qbo.records.values_mut() {
                        r.2 += 1;
                    }
                }
                Op::Requeue => {
                    let _ = w.apply(&PushCommand::Requeue { reason: "admin".into(), time: None });
                }
                Op::Lag(n) => w.qbo.lag = n,
            }
            w.check();
        }
        // The faults stop: reconcile what is confirmed, re-push what is dead, missing or
        // mismatched, and run until it settles.
        w.qbo.lag = 0;
        for _ in 0..6 {
            w.qbo.step += 1;
            w.now += Duration::hours(2);
            if w.push.status == PushStatus::Confirmed {
                let id = w.push.remote_id.clone().unwrap();
                let remote = w.qbo.read(&id);
                w.apply(&PushCommand::Reconcile { remote, customer_ref: None, worker: None, minutes: None }).unwrap();
            }
            let _ = w.apply(&PushCommand::Requeue { reason: "settle".into(), time: None });
            w.run(Response::Ok);
            w.check();
        }
        prop_assert_eq!(w.push.status, PushStatus::Confirmed);
        let live = w.qbo.live();
        prop_assert_eq!(live.len(), 1);
        prop_assert_eq!(Some(&live[0]), w.push.remote_id.as_ref());
        let remote = w.qbo.read(&live[0]).unwrap();
        prop_assert_eq!(remote.amount_minor, Some(12_345));
    }
}

#[test]
fn a_second_record_is_refused_and_a_repeat_changes_nothing() {
    let mut w = World::new();
    w.run(Response::Ok);
    assert_eq!(w.push.status, PushStatus::Confirmed);
    let v = w.push.version;
    let again = PushCommand::Confirm {
        generation: 1,
        remote_id: w.push.remote_id.clone().unwrap(),
        sync_token: "1".into(),
        found_by_lookup: false,
        amount_minor: None,
        removed: false,
    };
    assert_eq!(Push::decide(Some(&w.push), &again, &(), w.now), Ok(vec![]));
    let other = PushCommand::Confirm {
        generation: 1,
        remote_id: "999".into(),
        sync_token: "0".into(),
        found_by_lookup: true,
        amount_minor: None,
        removed: false,
    };
    assert!(Push::decide(Some(&w.push), &other, &(), w.now).is_err());
    assert!(Push::decide(Some(&w.push), &PushCommand::Send, &(), w.now).is_err());
    assert_eq!(w.push.version, v);
}

#[test]
fn rate_limits_and_lost_connections_delay_without_dead_lettering() {
    let mut w = World::new();
    for _ in 0..50 {
        w.run(Response::RateLimited);
        w.now += Duration::seconds(61);
    }
    assert_eq!(w.push.status, PushStatus::Failed);
    assert_eq!(w.push.failures, 0);
    for _ in 0..20 {
        w.run(Response::Unavailable);
        w.now += Duration::hours(2);
    }
    assert_eq!(w.push.status, PushStatus::Dead);
    assert_eq!(w.qbo.live().len(), 0);
    w.apply(&PushCommand::Requeue {
        reason: "admin".into(),
        time: None,
    })
    .unwrap();
    w.run(Response::Ok);
    assert_eq!(w.push.status, PushStatus::Confirmed);
    assert_eq!(w.qbo.live().len(), 1);
}

#[test]
fn request_ids_are_stable_per_fact_and_generation() {
    let s = SourceRef {
        kind: SourceKind::Sale,
        id: Uuid::from_u128(9),
    };
    let id = PushId::for_source(s);
    assert_eq!(id, PushId::for_source(s));
    assert_eq!(id.request_id(1), PushId::for_source(s).request_id(1));
    assert_ne!(id.request_id(1), id.request_id(2));
    assert_ne!(
        id,
        PushId::for_source(SourceRef {
            kind: SourceKind::Customer,
            id: Uuid::from_u128(9)
        })
    );
    assert!(id.request_id(1).len() <= 50);
}

fn time_push(minutes: i64) -> (Push, DateTime<Utc>) {
    let now: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().unwrap();
    let entry = Uuid::from_u128(11);
    let cmd = PushCommand::Queue {
        target: TargetKind::TimeActivity,
        source: SourceRef {
            kind: SourceKind::TimeEntry,
            id: entry,
        },
        doc: PushDoc::Time {
            entry_id: pet_core::delivery::TimeEntryId::from_uuid(entry),
            customer_id: CustomerId::from_uuid(Uuid::from_u128(1)),
            employee_id: pet_core::identity::EmployeeId::from_uuid(Uuid::from_u128(3)),
            txn_date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            minutes,
            item_key: "labour".into(),
            description: "Homepage".into(),
            hourly_rate_minor: None,
            cost_rate_minor: None,
            rate_currency: None,
        },
    };
    let evs = Push::decide(None, &cmd, &(), now).unwrap();
    (Push::evolve_all(None, &evs).unwrap(), now)
}

fn step(p: &Push, cmd: &PushCommand, now: DateTime<Utc>) -> (Push, Vec<PushEvent>) {
    let evs = Push::decide(Some(p), cmd, &(), now).unwrap();
    (Push::evolve_all(Some(p.clone()), &evs).unwrap(), evs)
}

fn confirm(p: &Push, id: &str, amount: i64, removed: bool, now: DateTime<Utc>) -> Push {
    let c = PushCommand::Confirm {
        generation: p.generation,
        remote_id: id.into(),
        sync_token: "0".into(),
        found_by_lookup: false,
        amount_minor: Some(amount),
        removed,
    };
    step(p, &c, now).0
}

fn adjust(p: &Push, n: u128, minutes: i64, now: DateTime<Utc>) -> (Push, Vec<PushEvent>) {
    step(
        p,
        &PushCommand::Adjust {
            adjustment_id: Uuid::from_u128(n),
            minutes,
        },
        now,
    )
}

fn send_plan(p: &Push, now: DateTime<Utc>) -> (String, Option<(String, String)>, bool) {
    match p.plan(now) {
        Plan::Send {
            request_id,
            update,
            remove,
            ..
        } => (request_id, update, remove),
        other => panic!("not due: {other:?}"),
    }
}

#[test]
fn a_confirmed_time_push_is_updated_by_each_adjustment_once_and_deleted_at_0() {
    let (p, now) = time_push(95);
    let (create_id, _, _) = send_plan(&p, now);
    let (p, _) = step(&p, &PushCommand::Send, now);
    let p = confirm(&p, "7", 95, false, now);
    assert_eq!(p.plan(now), Plan::Nothing);
    // Adjusted: queued again as an update of record 7 at the new total.
    let (p, evs) = adjust(&p, 1, -35, now);
    assert!(matches!(&evs[..], [PushEvent::Adjusted(a)] if a.total_minutes == 60));
    assert_eq!(
        (p.status, p.doc.time_minutes()),
        (PushStatus::Queued, Some(60))
    );
    let (update_id, update, remove) = send_plan(&p, now);
    assert_eq!(update, Some(("7".into(), "0".into())));
    assert!(!remove);
    assert_ne!(update_id, create_id);
    // The same adjustment delivered again: nothing.
    assert_eq!(
        Push::decide(
            Some(&p),
            &PushCommand::Adjust {
                adjustment_id: Uuid::from_u128(1),
                minutes: -35
            },
            &(),
            now
        ),
        Ok(vec![])
    );
    // Another adjustment before the update is sent: another request id, the total of both.
    let (p, _) = adjust(&p, 2, -10, now);
    let (second_id, _, _) = send_plan(&p, now);
    assert_ne!(second_id, update_id);
    assert_eq!(p.send_doc().time_minutes(), Some(50));
    let (p, _) = step(&p, &PushCommand::Send, now);
    let p = confirm(&p, "7", 50, false, now);
    assert_eq!(p.status, PushStatus::Confirmed);
    // To 0: a delete; then time comes back: a new generation, a new create.
    let (p, _) = adjust(&p, 3, -50, now);
    let (_, update, remove) = send_plan(&p, now);
    assert!(remove && update.is_some());
    let (p, _) = step(&p, &PushCommand::Send, now);
    let p = confirm(&p, "7", 0, true, now);
    assert!(p.removed && p.status == PushStatus::Confirmed);
    let (p, _) = adjust(&p, 4, 20, now);
    assert_eq!(
        (p.generation, p.status, p.remote_id.clone()),
        (2, PushStatus::Queued, None)
    );
    let (id2, update, _) = send_plan(&p, now);
    assert_eq!((id2, update), (p.id.request_id(2), None));
}

#[test]
fn an_adjustment_of_an_unconfirmed_push_keeps_the_create_and_follows_as_an_update() {
    let (p, now) = time_push(95);
    let (p, _) = step(&p, &PushCommand::Send, now);
    // The outcome is unknown (a 500); adjusted meanwhile.
    let fail = PushCommand::Fail {
        attempt: 1,
        kind: FailureKind::Unavailable,
        error: "500".into(),
        retry_after_secs: None,
        sync_token: None,
    };
    let (p, _) = step(&p, &fail, now);
    let (p, _) = adjust(&p, 1, 10, now);
    assert!(p.resend_after_confirm);
    let later = now + Duration::minutes(5);
    // The create is sent again with its first request id and its first content.
    let (rid, update, _) = send_plan(&p, later);
    assert_eq!((rid, update), (p.id.request_id(1), None));
    assert_eq!(p.send_doc().time_minutes(), Some(95));
    let (p, _) = step(&p, &PushCommand::Send, later);
    // QuickBooks answers with the record the first send made (95): an update follows.
    let c = PushCommand::Confirm {
        generation: 1,
        remote_id: "7".into(),
        sync_token: "0".into(),
        found_by_lookup: false,
        amount_minor: Some(95),
        removed: false,
    };
    let (p, evs) = step(&p, &c, later);
    assert!(matches!(&evs[..], [PushEvent::Confirmed(_), PushEvent::Requeued(r)] if r.update));
    let (_, update, _) = send_plan(&p, later);
    assert_eq!(update, Some(("7".into(), "0".into())));
    assert_eq!(p.send_doc().time_minutes(), Some(105));
    // Had it held the current total already, nothing would follow.
    let (q, _) = time_push(95);
    let (q, _) = adjust(&q, 1, 10, now);
    assert!(
        !q.resend_after_confirm,
        "not sent yet: the create carries 105"
    );
    assert_eq!(q.send_doc().time_minutes(), Some(105));
}

// ---- a time push under adjustments and faults ----------------------------------------------

/// A write's answer: (remote id, minutes, token, deleted), or a refusal (`true`: the record is
/// gone; `false`: a stale token).
type Answer = Result<(String, i64, u32, bool), bool>;

/// QuickBooks' time activities as the push sees them: records, request ids answered, tokens.
#[derive(Default)]
struct TimeQbo {
    next_id: u32,
    /// remote id → (live, minutes, sync token)
    records: BTreeMap<String, (bool, i64, u32)>,
    /// requestid → the answer (remote id, minutes, token, deleted) or a refusal (`true`:
    /// the record is gone; `false`: a stale token).
    answered: BTreeMap<String, Answer>,
}

impl TimeQbo {
    fn live(&self) -> Vec<(String, i64)> {
        self.records
            .iter()
            .filter(|(_, r)| r.0)
            .map(|(id, r)| (id.clone(), r.1))
            .collect()
    }

    /// A write with a request id: a repeat gets the first answer.
    fn write(
        &mut self,
        request_id: &str,
        update: &Option<(String, String)>,
        remove: bool,
        minutes: i64,
    ) -> Answer {
        if let Some(a) = self.answered.get(request_id) {
            return a.clone();
        }
        let answer = match update {
            None => {
                self.next_id += 1;
                let id = self.next_id.to_string();
                self.records.insert(id.clone(), (true, minutes, 0));
                Ok((id, minutes, 0, false))
            }
            Some((id, token)) => match self.records.get_mut(id) {
                Some(r) if r.0 && r.2.to_string() == *token => {
                    r.2 += 1;
                    if remove {
                        r.0 = false;
                    } else {
                        r.1 = minutes;
                    }
                    Ok((id.clone(), r.1, r.2, remove))
                }
                Some(r) if r.0 => Err(false),
                _ => Err(true),
            },
        };
        self.answered.insert(request_id.to_owned(), answer.clone());
        answer
    }
}

#[derive(Debug, Clone)]
enum TimeOp {
    Run(Response),
    Adjust(i64),
    Advance(i64),
    Reconcile,
    Requeue,
    /// A bookkeeper edits the activity (its token moves on).
    Edit,
}

fn time_op() -> impl Strategy<Value = TimeOp> {
    prop_oneof![
        4 => prop_oneof![
            Just(Response::Ok),
            Just(Response::AcceptedThen500),
            Just(Response::Unavailable),
            any::<bool>().prop_map(|reached| Response::Crash { reached }),
        ]
        .prop_map(TimeOp::Run),
        3 => (-60i64..60).prop_map(TimeOp::Adjust),
        2 => (1i64..4_000).prop_map(TimeOp::Advance),
        1 => Just(TimeOp::Reconcile),
        1 => Just(TimeOp::Requeue),
        1 => Just(TimeOp::Edit),
    ]
}

struct TimeWorld {
    push: Push,
    now: DateTime<Utc>,
    qbo: TimeQbo,
    /// PET's total for the entry and its adjustments.
    total: i64,
    adjustments: Vec<Uuid>,
}

impl TimeWorld {
    fn apply(&mut self, cmd: &PushCommand) -> Result<(), String> {
        let evs = Push::decide(Some(&self.push), cmd, &(), self.now).map_err(|e| e.to_string())?;
        self.push = Push::evolve_all(Some(self.push.clone()), &evs).unwrap();
        Ok(())
    }

    fn run(&mut self, resp: Response) {
        let Plan::Send {
            look_up_first,
            request_id,
            update,
            remove,
        } = self.push.plan(self.now)
        else {
            return;
        };
        if look_up_first {
            // The description names the entry: any live record is this push's.
            if let Some((id, minutes)) = self.qbo.live().first().cloned() {
                let token = self.qbo.records[&id].2.to_string();
                let c = PushCommand::Confirm {
                    generation: self.push.generation,
                    remote_id: id,
                    sync_token: token,
                    found_by_lookup: true,
                    amount_minor: Some(minutes),
                    removed: false,
                };
                self.apply(&c).unwrap();
                return;
            }
        }
        self.apply(&PushCommand::Send).unwrap();
        let attempt = self.push.attempts;
        let minutes = self.push.send_doc().time_minutes().unwrap();
        let reached = !matches!(resp, Response::Unavailable | Response::RateLimited)
            && !matches!(resp, Response::Crash { reached: false });
        let answer = reached.then(|| self.qbo.write(&request_id, &update, remove, minutes));
        let outcome = match (resp, answer) {
            (Response::Crash { .. }, _) => return,
            (Response::Ok, Some(Ok((id, m, token, deleted)))) => PushCommand::Confirm {
                generation: self.push.generation,
                remote_id: id,
                sync_token: token.to_string(),
                found_by_lookup: false,
                amount_minor: Some(m),
                removed: deleted,
            },
            (Response::Ok, Some(Err(true))) => {
                // The runner reads it: gone.
                let (id, token) = update.clone().unwrap();
                PushCommand::Confirm {
                    generation: self.push.generation,
                    remote_id: id,
                    sync_token: token,
                    found_by_lookup: false,
                    amount_minor: Some(0),
                    removed: true,
                }
            }
            (Response::Ok, Some(Err(false))) => {
                let fresh = update
                    .as_ref()
                    .and_then(|(id, _)| self.qbo.records.get(id))
                    .map(|r| r.2.to_string());
                PushCommand::Fail {
                    attempt,
                    kind: FailureKind::Stale,
                    error: "5010".into(),
                    retry_after_secs: None,
                    sync_token: fresh,
                }
            }
            _ => PushCommand::Fail {
                attempt,
                kind: FailureKind::Unavailable,
                error: "500".into(),
                retry_after_secs: None,
                sync_token: None,
            },
        };
        self.apply(&outcome).unwrap();
    }

    fn reconcile(&mut self) {
        if self.push.status != PushStatus::Confirmed {
            return;
        }
        let Some(id) = self.push.remote_id.clone() else {
            return;
        };
        let remote = self.qbo.records.get(&id).filter(|r| r.0).map(|r| {
            let mut rec = RemoteRecord {
                remote_id: id.clone(),
                sync_token: r.2.to_string(),
                name: self.push.doc.time_description().unwrap(),
                customer_ref: None,
                amount_minor: Some(r.1),
                currency: None,
                line_count: None,
                fields: Default::default(),
            };
            rec.fields.insert("txn_date".into(), "2026-03-02".into());
            rec.fields
                .insert("billable_status".into(), "Billable".into());
            rec
        });
        self.apply(&PushCommand::Reconcile {
            remote,
            customer_ref: None,
            worker: None,
            minutes: Some(self.total),
        })
        .unwrap();
    }

    fn requeue(&mut self) {
        let _ = self.apply(&PushCommand::Requeue {
            reason: "admin".into(),
            time: Some(pet_core::accounting::TimeTotal {
                minutes: self.total,
                adjustment_ids: self.adjustments.clone(),
            }),
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_time_activity_follows_its_adjustments_through_faults_and_is_never_doubled(
        ops in proptest::collection::vec(time_op(), 0..60)
    ) {
        let (push, now) = time_push(95);
        let mut w = TimeWorld { push, now, qbo: TimeQbo::default(), total: 95, adjustments: vec![] };
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                TimeOp::Run(r) => w.run(r),
                TimeOp::Adjust(m) => {
                    let m = m.max(-w.total);
                    if m != 0 {
                        let id = Uuid::from_u128(1_000 + n as u128);
                        w.total += m;
                        w.adjustments.push(id);
                        w.apply(&PushCommand::Adjust { adjustment_id: id, minutes: m }).unwrap();
                        // Delivered twice (a replayed log): nothing more.
                        w.apply(&PushCommand::Adjust { adjustment_id: id, minutes: m }).unwrap();
                    }
                }
                TimeOp::Advance(s) => w.now += Duration::seconds(s),
                TimeOp::Reconcile => w.reconcile(),
                TimeOp::Requeue => w.requeue(),
                TimeOp::Edit => {
                    for r in w.qbo.records.values_mut().filter(|r| r.0) {
                        r.2 += 1;
                    }
                }
            }
            let live = w.qbo.live();
            prop_assert!(live.len() <= 1, "two live time activities: {:?}", live);
            prop_assert_eq!(w.push.doc.time_minutes(), Some(w.total));
        }
        // The faults stop: reconcile, re-push what needs it, run until it settles.
        for _ in 0..12 {
            w.now += Duration::hours(2);
            w.reconcile();
            if w.push.status == PushStatus::Dead
                || matches!(w.push.reconciliation, pet_core::accounting::Reconciliation::Mismatched | pet_core::accounting::Reconciliation::Missing)
            {
                w.requeue();
            }
            w.run(Response::Ok);
        }
        w.reconcile();
        prop_assert_eq!(w.push.status, PushStatus::Confirmed, "{:?}", w.push);
        let live = w.qbo.live();
        if w.total > 0 {
            prop_assert_eq!(live.len(), 1, "{:?}", w.push);
            prop_assert_eq!(live[0].1, w.total);
            prop_assert_eq!(Some(&live[0].0), w.push.remote_id.as_ref());
        } else {
            prop_assert!(live.is_empty(), "{:?}", live);
        }
        // Reconciled as matched (a push that never made a record has nothing to read back).
        if w.push.remote_id.is_some() {
            prop_assert_eq!(w.push.reconciliation, pet_core::accounting::Reconciliation::Matched);
        }
    }
}
