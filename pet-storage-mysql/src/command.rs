//! The one command path. `command!` is the only place a command runs: it opens the
//! transaction, checks the actor, replays an idempotent repeat, runs the command's body,
//! commits state rows and events together, and retries the whole transaction a bounded
//! number of times when the database reports lock contention (a deadlock or a lock wait
//! timeout), reporting it as a conflict after that.
//!
//! Inside the body, `Cmd::create` and `Cmd::change` run one aggregate through the same
//! steps every time — load (through its `Repository`), `decide` with the facts and `now`,
//! `evolve`, save with a version check, wrap the events into envelopes and record them — so
//! a module supplies only its repositories, the facts its rules need, and its views.

use std::time::Duration;

use chrono::{DateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Conn, Transaction};
use pet_core::aggregate::{Aggregate, StoredEvent};
use pet_core::event::envelopes;
use pet_core::identity::{ensure_actor_may_act, CustomerStatus, EmployeeStatus};
use pet_core::{Actor, EventMeta};
use serde_json::Value;
use uuid::Uuid;

use crate::app::{App, CommandContext};
use crate::error::{db, AppError};
use crate::store::{request_hash, IdempotencyClaim};
use crate::uow::UnitOfWork;

/// How often a command is tried when the database reports lock contention — a deadlock,
/// a lock wait timeout, or on Galera a lost certification (also error 1213: two nodes
/// changed the same rows at once, and the one certified second is rolled back). Each
/// attempt runs with the same idempotency key. Two nodes writing the same rows lose
/// certification about half the time, so five attempts leave ~3 % of such races to report
/// a conflict, versus ~12 % with three.
pub const MAX_ATTEMPTS: u32 = 5;

/// How one aggregate is loaded and saved: restored from its state rows (see [`Read`] and
/// `restored_repository!`), saved to them with a version check.
pub(crate) trait Repository<A: Aggregate> {
    /// What the aggregate is called in a "not found" error (`ticket`, `employee`).
    const NAME: &'static str;

    /// Loads the aggregate for a command (its state row locked for the transaction);
    /// `None` when it does not exist.
    async fn load(&self, tx: &mut Transaction<'_>, id: Uuid) -> Result<Option<A>, AppError>;

    /// Writes the state after `events` (an insert when `before` is 0, otherwise an update
    /// guarded by `before`, the version the command was decided against) and the rows the
    /// events imply.
    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &A,
        events: &[A::Event],
    ) -> Result<(), AppError>;
}

/// How a repository reads an aggregate's rows: for a command (the root row locked
/// `FOR UPDATE`, which serialises commands on one aggregate; its other rows read with
/// `LOCK IN SHARE MODE`, so they are the latest committed ones even when the transaction's
/// snapshot is older than the wait for the root row's lock) or for a view (plain reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// Locked, inside a command's transaction.
    ForCommand,
    /// Plain, for a view.
    ForView,
    /// Every row share-locked: a fact read inside a command.
    Shared,
}

impl Read {
    /// The suffix of the root row's `SELECT`.
    pub(crate) fn root(self) -> &'static str {
        match self {
            Self::ForCommand => " FOR UPDATE",
            Self::Shared => " LOCK IN SHARE MODE",
            Self::ForView => "",
        }
    }

    /// A read for a fact inside a command: the root row share-locked (its latest committed
    /// state, which stays so until the command commits) rather than locked for update.
    pub(crate) fn shared(self) -> Read {
        match self {
            Self::ForCommand | Self::Shared => Self::Shared,
            Self::ForView => Self::ForView,
        }
    }

    /// The suffix of the `SELECT` of the aggregate's other rows.
    pub(crate) fn rows(self) -> &'static str {
        match self {
            Self::ForCommand | Self::Shared => " LOCK IN SHARE MODE",
            Self::ForView => "",
        }
    }
}

/// Declares a repository that restores its aggregate from its state rows with the `load`
/// expression (given the app, the transaction and the id; it reads with
/// [`Read::ForCommand`]) and saves it with the `save` expression (which writes the state
/// rows the events change):
/// `restored_repository!(/// docs
/// Teams: Team, "team",
/// load |app, tx, id| app.identity().load_team(tx, id, Read::ForCommand).await,
/// save |app, cx, before, after, events| app.identity().write_team(cx.uow(), before, after, events).await);`
macro_rules! restored_repository {
    (
        $(#[$meta:meta])*
        $name:ident: $agg:ty, $what:literal,
        load |$lapp:ident, $tx:ident, $id:ident| $load:expr,
        save |$app:ident, $cx:ident, $before:ident, $after:ident, $events:ident| $save:expr $(,)?
    ) => {
        $(#[$meta])*
        pub(crate) struct $name<'a>(pub(crate) &'a $crate::App);

        impl $crate::command::Repository<$agg> for $name<'_> {
            const NAME: &'static str = $what;
            async fn load(
                &self,
                $tx: &mut mysql_async::Transaction<'_>,
                $id: uuid::Uuid,
            ) -> Result<Option<$agg>, $crate::AppError> {
                let $lapp = self.0;
                $load
            }
            #[allow(unused_variables)]
            async fn save(
                &self,
                $cx: &mut $crate::command::Cmd<'_, '_>,
                $before: u64,
                $after: &$agg,
                $events: &[<$agg as pet_core::aggregate::Aggregate>::Event],
            ) -> Result<(), $crate::AppError> {
                let $app = self.0;
                $save
            }
        }
    };
}
pub(crate) use restored_repository;

/// What a command decided for one aggregate: the version it was decided against, the new
/// state and the events that explain it.
pub(crate) struct Decided<A: Aggregate> {
    /// The version before (0 for a new aggregate).
    pub(crate) before: u64,
    /// The state after the events.
    pub(crate) after: A,
    /// The events, in order.
    pub(crate) events: Vec<A::Event>,
}

/// A running command: its transaction, its context and `now`.
pub(crate) struct Cmd<'u, 'c> {
    uow: &'u mut UnitOfWork<'c>,
    ctx: &'u CommandContext,
    /// With [`Actors::EmployeesReadByBody`]: the actor's status is still to be checked by
    /// the body ([`Cmd::check_actor`]); a body that never does is refused before commit.
    actor_pending: bool,
}

impl<'u, 'c> Cmd<'u, 'c> {
    /// A command running in `uow` for `ctx` (see [`command!`]).
    pub(crate) fn new(
        uow: &'u mut UnitOfWork<'c>,
        ctx: &'u CommandContext,
        actors: Actors,
    ) -> Self {
        Self {
            uow,
            ctx,
            actor_pending: actors == Actors::EmployeesReadByBody,
        }
    }

    /// With [`Actors::EmployeesReadByBody`]: the actor's id for the body's first read,
    /// which selects `(SELECT status FROM <employees> WHERE id = ?)` with it and hands the
    /// answer to [`Cmd::check_actor`].
    pub(crate) fn actor_to_read(&self) -> Result<Uuid, AppError> {
        self.ctx.actor_id.ok_or_else(|| {
            AppError::Storage("internal error: a command read by its body without an actor".into())
        })
    }

    /// Checks the actor's status the body read with its first query (`None`: no such
    /// employee), with the verdict of the usual check.
    pub(crate) fn check_actor(&mut self, status: Option<&str>) -> Result<(), AppError> {
        let id = self.ctx.actor_id.ok_or_else(|| {
            AppError::Storage("internal error: a command read by its body without an actor".into())
        })?;
        let status = status
            .map(|s| EmployeeStatus::parse(s).map_err(|_| stored_status("employee", s)))
            .transpose()?;
        actor_verdict(id, status)?;
        self.actor_pending = false;
        Ok(())
    }

    /// Whether the actor is still to be checked (see [`Cmd::check_actor`]).
    pub(crate) fn actor_pending(&self) -> bool {
        self.actor_pending
    }

    /// The time the command runs at.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.uow.now()
    }

    /// Who runs it.
    pub(crate) fn ctx(&self) -> &CommandContext {
        self.ctx
    }

    /// The transaction, for reads and writes that belong to no aggregate; the command's
    /// waiting writes are sent first (see [`UnitOfWork::tx`]).
    pub(crate) async fn tx(&mut self) -> Result<&mut Transaction<'c>, AppError> {
        Ok(self.uow.tx().await?)
    }

    /// The unit of work.
    pub(crate) fn uow(&mut self) -> &mut UnitOfWork<'c> {
        self.uow
    }

    /// Loads an existing aggregate through `repo` (not found is an error).
    pub(crate) async fn load<A: Aggregate, R: Repository<A>>(
        &mut self,
        repo: &R,
        id: Uuid,
    ) -> Result<A, AppError> {
        repo.load(self.uow.tx().await?, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("{} {id}", R::NAME)))
    }

    /// Runs a creating command: decide against no state, save, record.
    pub(crate) async fn create<A: Aggregate, R: Repository<A>>(
        &mut self,
        repo: &R,
        cmd: &A::Command,
        facts: &A::Facts,
    ) -> Result<(A, Vec<A::Event>), AppError> {
        self.apply(repo, None, cmd, facts).await
    }

    /// Runs a command against the existing aggregate `id` (loaded through `repo`).
    pub(crate) async fn change<A: Aggregate, R: Repository<A>>(
        &mut self,
        repo: &R,
        id: Uuid,
        cmd: &A::Command,
        facts: &A::Facts,
    ) -> Result<(A, Vec<A::Event>), AppError> {
        let state = self.load(repo, id).await?;
        self.apply(repo, Some(state), cmd, facts).await
    }

    /// Runs a command against a state the caller has already loaded (or `None`).
    pub(crate) async fn apply<A: Aggregate, R: Repository<A>>(
        &mut self,
        repo: &R,
        state: Option<A>,
        cmd: &A::Command,
        facts: &A::Facts,
    ) -> Result<(A, Vec<A::Event>), AppError> {
        let decided = self.decide(state, std::slice::from_ref(cmd), facts)?;
        self.save(repo, &decided).await?;
        Ok((decided.after, decided.events))
    }

    /// Decides `cmds` one after the other against `state` (each sees the state the ones
    /// before it produced) without writing anything: the caller saves the outcome with
    /// [`Cmd::save`] once it knows what else the save needs.
    pub(crate) fn decide<A: Aggregate>(
        &self,
        state: Option<A>,
        cmds: &[A::Command],
        facts: &A::Facts,
    ) -> Result<Decided<A>, AppError> {
        let now = self.now();
        let before = state.as_ref().map_or(0, A::version);
        let mut state = state;
        let mut events = Vec::new();
        for cmd in cmds {
            let evs = A::decide(state.as_ref(), cmd, facts, now)?;
            state = A::evolve_all(state, &evs);
            events.extend(evs);
        }
        let after = state.ok_or_else(|| {
            AppError::Storage(format!(
                "internal error: {} state after its events",
                A::TYPE
            ))
        })?;
        Ok(Decided {
            before,
            after,
            events,
        })
    }

    /// Saves a decided outcome through `repo` (version-checked against the state it was
    /// decided on) and records its events; nothing when no event was decided.
    pub(crate) async fn save<A: Aggregate, R: Repository<A>>(
        &mut self,
        repo: &R,
        d: &Decided<A>,
    ) -> Result<(), AppError> {
        if !d.events.is_empty() {
            repo.save(self, d.before, &d.after, &d.events).await?;
            self.record(&d.events, d.before)?;
        }
        Ok(())
    }

    /// Wraps an aggregate's decided events (versions after `before`) with the command's
    /// actor, idempotency key and time, and queues them for the commit.
    pub(crate) fn record<E: pet_core::AggregateEvent>(
        &mut self,
        events: &[E],
        before: u64,
    ) -> Result<(), AppError> {
        let envs = wrap_events(events, before, self.ctx, self.now())?;
        self.uow.record(envs);
        Ok(())
    }
}

/// Wraps an aggregate's decided events into envelopes (versions after `before`) with the
/// command's actor and idempotency key, at `now`. [`Cmd::record`] uses it; so does the
/// SLA job, which writes many assignments per transaction in batches.
pub(crate) fn wrap_events<E: pet_core::AggregateEvent>(
    events: &[E],
    before: u64,
    ctx: &CommandContext,
    now: DateTime<Utc>,
) -> Result<Vec<pet_core::NewEvent>, AppError> {
    let actor = ctx.actor();
    let key = ctx.idempotency_key.clone();
    envelopes(events, before, |_| EventMeta {
        event_id: Uuid::now_v7(),
        occurred_at: now,
        actor,
        idempotency_key: key.clone(),
    })
    .map_err(|e| AppError::Invariant(e.to_string()))
}

/// A load that reports "not found" as an error, as a repository's `Option`.
pub(crate) fn found<T>(r: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Who may run a command without an employee actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Actors {
    /// Only employees.
    Employees,
    /// Employees and the system (jobs, cron).
    EmployeesOrSystem,
    /// Employees, or the system while there is no employee yet (creating the first one).
    Bootstrap,
    /// Only employees, the actor's status read by the body's first query (one round trip
    /// less: `Cmd::actor_to_read`, `Cmd::check_actor`); the command is refused before its
    /// commit when the body did not check it, and a body that fails first (e.g. not found)
    /// has the actor checked the usual way so its refusal wins as before.
    EmployeesReadByBody,
}

/// How a command's transaction began: run the body, or the stored result of an earlier
/// run with the same idempotency key.
pub(crate) enum Begun<'c> {
    /// Run the command in this unit of work.
    Run(Box<UnitOfWork<'c>>),
    /// Return this (an idempotent repeat; nothing is written).
    Replay(Value),
}

/// The one command path: `command!(app, ctx, name, request, [actors,] |cx| { body })`
/// opens the transaction, checks the actor (employees only unless `actors` says otherwise,
/// see [`Actors`]), returns the first result of an idempotent repeat, runs the body with
/// `cx: &mut Cmd` and commits its state rows and events with the body's result under the
/// idempotency key. Lock contention rolls everything back and runs the command again, at
/// most [`MAX_ATTEMPTS`] times; then it is reported as a conflict.
///
/// A macro rather than a function taking an async closure: the body is compiled in place,
/// so the command's future is `Send` whenever its body is (a closure borrowing the command
/// for every attempt is not provably `Send` to today's compiler).
macro_rules! command {
    ($app:expr, $ctx:expr, $name:expr, $request:expr, |$cx:ident| $body:block $(,)?) => {
        $crate::command::command!(
            $app,
            $ctx,
            $name,
            $request,
            $crate::command::Actors::Employees,
            |$cx| $body
        )
    };
    ($app:expr, $ctx:expr, $name:expr, $request:expr, $actors:expr, |$cx:ident| $body:block $(,)?) => {{
        let app: &$crate::App = $app;
        let ctx: &$crate::CommandContext = $ctx;
        let mut attempt = 1u32;
        let actors: $crate::command::Actors = $actors;
        loop {
            let outcome: Result<serde_json::Value, $crate::AppError> = async {
                let mut conn = app.conn().await?;
                let mut uow = match app
                    .begin_command(&mut conn, ctx, $name, $request, actors)
                    .await?
                {
                    $crate::command::Begun::Run(uow) => *uow,
                    $crate::command::Begun::Replay(v) => return Ok(v),
                };
                let actors: $crate::command::Actors = $actors;
                let (body, pending): (Result<serde_json::Value, $crate::AppError>, bool) = {
                    let $cx = &mut $crate::command::Cmd::new(&mut uow, ctx, actors);
                    let body = async { $body }.await;
                    (body, $cx.actor_pending())
                };
                let body = match (body, pending) {
                    (Ok(_), true) => Err($crate::AppError::Storage(
                        "internal error: the command did not check its actor".into(),
                    )),
                    // The body failed before it checked the actor: the actor's refusal, if
                    // any, comes first (as when the actor is checked up front).
                    (Err(e), true) if !e.is_contention() => match app
                        .check_actor(uow.tx_unsent(), ctx, $crate::command::Actors::Employees)
                        .await
                    {
                        Ok(()) => Err(e),
                        Err(refused) => Err(refused),
                    },
                    (body, _) => body,
                };
                // A refused or failed command rolls back now: a transaction merely dropped
                // is rolled back by the pool's recycler task, which in the PHP extension
                // (a current-thread runtime) runs only during the next call into it, so its
                // row locks would outlive the request.
                let result = match body.and_then(|v| app.injected_contention().map(|()| v)) {
                    Ok(v) => v,
                    Err(e) => {
                        let _ = uow.rollback().await;
                        return Err(e);
                    }
                };
                uow.commit(Some(&result)).await?;
                app.note_commit(&mut conn).await;
                Ok(result)
            }
            .await;
            match outcome {
                Err(e) if e.is_contention() && attempt < $crate::command::MAX_ATTEMPTS => {
                    $crate::command::back_off(attempt).await;
                    attempt += 1;
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use command;

/// Waits a little before another attempt after lock contention: 5 ms × attempt plus up to
/// as much again at random, so two writers that collided do not collide again in step (on
/// Galera both retry at once otherwise).
pub(crate) async fn back_off(attempt: u32) {
    let base = 5 * u64::from(attempt);
    // The random bits of a v4 UUID are a good enough jitter source (no rand dependency).
    let jitter = (Uuid::new_v4().as_u128() as u64) % (base + 1);
    tokio::time::sleep(Duration::from_millis(base + jitter)).await;
}

impl App {
    /// Opens a command's transaction: checks the actor and claims the idempotency key.
    pub(crate) async fn begin_command<'c>(
        &self,
        conn: &'c mut Conn,
        ctx: &CommandContext,
        name: &str,
        request: &Value,
        actors: Actors,
    ) -> Result<Begun<'c>, AppError> {
        let mut uow = UnitOfWork::begin(conn, self.store().clone(), self.now()).await?;
        let claim = async {
            self.check_actor(uow.tx().await?, ctx, actors).await?;
            match &ctx.idempotency_key {
                Some(key) => {
                    let hash = request_hash(name, request);
                    Ok::<_, AppError>(Some(uow.claim_idempotency(key, &hash).await?))
                }
                None => Ok(None),
            }
        }
        .await;
        match claim {
            Ok(Some(IdempotencyClaim::Replay(v))) => {
                uow.rollback().await?;
                Ok(Begun::Replay(v))
            }
            Ok(_) => Ok(Begun::Run(Box::new(uow))),
            Err(e) => {
                // Rolled back now, not by the pool later (see `command!`).
                let _ = uow.rollback().await;
                Err(e)
            }
        }
    }

    /// The rule "an inactive employee can do nothing" with the actor's status loaded, and
    /// who may act without an employee.
    pub(crate) async fn check_actor(
        &self,
        tx: &mut Transaction<'_>,
        ctx: &CommandContext,
        actors: Actors,
    ) -> Result<(), AppError> {
        match ctx.actor_id {
            // Read by the command's body with its first query (`Cmd::check_actor`).
            Some(_) if actors == Actors::EmployeesReadByBody => Ok(()),
            Some(id) => {
                let status = self.employee_status(tx, id).await?;
                actor_verdict(id, status)
            }
            None if actors == Actors::EmployeesOrSystem => Ok(()),
            None => {
                // Bootstrap: the very first employee may be created by the system (plugin
                // activation / first admin); afterwards every command names its actor.
                let first = actors == Actors::Bootstrap && {
                    let any: Option<u8> = tx
                        .exec_first(
                            format!("SELECT 1 FROM {} LIMIT 1", self.tables().employees),
                            (),
                        )
                        .await
                        .map_err(db)?;
                    any.is_none()
                };
                if first {
                    Ok(())
                } else {
                    Err(AppError::field(
                        "actor_id",
                        "is required: only system jobs may act without an employee",
                    ))
                }
            }
        }
    }

    /// Loads an aggregate by replaying its stream from the event store (`None`: no events).
    pub(crate) async fn replay<A: Aggregate, Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<Option<A>, AppError>
    where
        A::Event: StoredEvent,
    {
        let recorded = self.store().read_aggregate(q, A::TYPE, id).await?;
        let events = recorded
            .iter()
            .map(|r| {
                let e = &r.event;
                A::Event::from_stored(e.event_type().as_str(), e.schema_version(), e.payload())
                    .map_err(|e| AppError::Storage(format!("stored event unreadable: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(A::replay(&events))
    }

    /// Loads one aggregate through `repo` (from its state row, or however the repository
    /// loads it) and by replaying its events, and fails with an integrity error naming both
    /// states when they differ: the check that a repository restores what the log says.
    pub(crate) async fn verify_restore_with<A, R>(
        &self,
        repo: &R,
        id: Uuid,
    ) -> Result<u64, AppError>
    where
        A: Aggregate + PartialEq + std::fmt::Debug,
        A::Event: StoredEvent,
        R: Repository<A>,
    {
        let mut conn = self.conn().await?;
        let mut tx = conn
            .start_transaction(mysql_async::TxOpts::default())
            .await
            .map_err(db)?;
        let restored = repo.load(&mut tx, id).await?;
        let replayed: Option<A> = self.replay(&mut tx, id).await?;
        tx.rollback().await.map_err(db)?;
        if restored != replayed {
            return Err(AppError::Storage(format!(
                "integrity error: {} {id} restored as {restored:?} but its events give {replayed:?}",
                R::NAME
            )));
        }
        replayed
            .map(|a| a.version())
            .ok_or_else(|| AppError::NotFound(format!("{} {id}", R::NAME)))
    }

    /// An employee's status (`None`: no such employee), a fact for rules and the actor check.
    pub(crate) async fn employee_status<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<Option<EmployeeStatus>, AppError> {
        let s: Option<String> = q
            .exec_first(
                format!(
                    "SELECT status FROM {} WHERE id = ?",
                    self.tables().employees
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        s.map(|s| EmployeeStatus::parse(&s).map_err(|_| stored_status("employee", &s)))
            .transpose()
    }

    /// A customer's status (`None`: no such customer), a fact for rules.
    pub(crate) async fn customer_status<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
    ) -> Result<Option<CustomerStatus>, AppError> {
        let s: Option<String> = q
            .exec_first(
                format!(
                    "SELECT status FROM {} WHERE id = ?",
                    self.tables().customers
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        s.map(|s| CustomerStatus::parse(&s).map_err(|_| stored_status("customer", &s)))
            .transpose()
    }
}

fn stored_status(what: &str, s: &str) -> AppError {
    AppError::Storage(format!("stored {what} status {s:?} is not one PET knows"))
}

/// The verdict on an employee actor of `status` (`None`: no such employee).
fn actor_verdict(id: Uuid, status: Option<EmployeeStatus>) -> Result<(), AppError> {
    if status.is_none() {
        return Err(AppError::field("actor_id", "is not a known employee"));
    }
    Ok(ensure_actor_may_act(Actor::Employee(id), status)?)
}
