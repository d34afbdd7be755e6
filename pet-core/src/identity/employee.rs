//! The Employee aggregate: identity, status (`active ⇄ inactive`), WordPress user link and
//! effective-dated cost and bill rates.

use crate::aggregate::domain_events;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ids::{EmployeeId, WpUserId};
use super::values::{Email, Name, Rate};
use crate::error::DomainError;
use crate::event::{AggregateEvent, ContextRef, ContextType};

/// The aggregate type of employees.
pub const AGGREGATE_TYPE: &str = "employee";

/// Whether an employee may act and be assigned work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployeeStatus {
    /// Working here; may act.
    Active,
    /// Left or suspended; can do nothing until reactivated.
    Inactive,
}

impl EmployeeStatus {
    /// Every status (the values a list can be filtered by).
    pub const ALL: [EmployeeStatus; 2] = [Self::Active, Self::Inactive];

    /// `active` or `inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    /// The commands an employee in this status takes (what a screen offers): `deactivate`
    /// or `reactivate`, and always `change_rate` and `link_user`.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Self::Active => &["deactivate", "change_rate", "link_user"],
            Self::Inactive => &["reactivate", "change_rate", "link_user"],
        }
    }

    /// Parses `active` or `inactive`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "active" => Ok(Self::Active),
            "inactive" => Ok(Self::Inactive),
            _ => Err(DomainError::field("status", "must be active or inactive")),
        }
    }
}

/// Which of an employee's two rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateKind {
    /// What an hour of the employee costs the firm.
    Cost,
    /// What an hour of the employee is billed at.
    Bill,
}

impl RateKind {
    /// `cost` or `bill`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cost => "cost",
            Self::Bill => "bill",
        }
    }

    /// Parses `cost` / `bill` given as input field `kind`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "cost" => Ok(Self::Cost),
            "bill" => Ok(Self::Bill),
            _ => Err(DomainError::field("kind", "must be cost or bill")),
        }
    }
}

/// A rate and the first day it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DatedRate {
    /// The hourly rate.
    #[serde(flatten)]
    pub rate: Rate,
    /// First day (inclusive) the rate applies.
    pub effective_from: NaiveDate,
}

/// One entry of an employee's rate history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RateEntry {
    /// Cost or bill.
    pub kind: RateKind,
    /// The rate and its first day.
    #[serde(flatten)]
    pub dated: DatedRate,
}

/// The current state of an employee, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    id: EmployeeId,
    name: Name,
    email: Email,
    wp_user_id: Option<WpUserId>,
    status: EmployeeStatus,
    rates: Vec<RateEntry>,
    version: u64,
}

impl Employee {
    /// Rebuilds the state from a stored state row (for storage adapters that keep one
    /// instead of replaying events). Only the value objects' own checks apply; the rate
    /// history is normalised (sorted, one entry per kind and first day, the last wins).
    pub fn restore(
        id: EmployeeId,
        name: Name,
        email: Email,
        wp_user_id: Option<WpUserId>,
        status: EmployeeStatus,
        rates: impl IntoIterator<Item = RateEntry>,
        version: u64,
    ) -> Self {
        let mut e = Employee {
            id,
            name,
            email,
            wp_user_id,
            status,
            rates: Vec::new(),
            version,
        };
        for r in rates {
            e.set_rate(r.kind, r.dated);
        }
        e
    }

    /// The id.
    pub fn id(&self) -> EmployeeId {
        self.id
    }
    /// The name.
    pub fn name(&self) -> &Name {
        &self.name
    }
    /// The e-mail address.
    pub fn email(&self) -> &Email {
        &self.email
    }
    /// The linked WordPress user, if any.
    pub fn wp_user_id(&self) -> Option<WpUserId> {
        self.wp_user_id
    }
    /// Active or inactive.
    pub fn status(&self) -> EmployeeStatus {
        self.status
    }
    /// The rate history, ordered by kind then first day.
    pub fn rates(&self) -> &[RateEntry] {
        &self.rates
    }
    /// Number of events applied (the optimistic-concurrency version).
    pub fn version(&self) -> u64 {
        self.version
    }
    /// Whether the employee's personal data was erased (the e-mail is the placeholder).
    pub fn is_erased(&self) -> bool {
        self.email.as_str() == crate::privacy::erased_email(self.id.as_uuid())
    }

    /// The `kind` rate in force on `date`: the entry with the latest first day on or
    /// before `date`, or `None` before the first one.
    pub fn rate_at(&self, kind: RateKind, date: NaiveDate) -> Option<Rate> {
        self.rates
            .iter()
            .filter(|e| e.kind == kind && e.dated.effective_from <= date)
            .max_by_key(|e| e.dated.effective_from)
            .map(|e| e.dated.rate)
    }

    fn set_rate(&mut self, kind: RateKind, dated: DatedRate) {
        self.rates
            .retain(|e| !(e.kind == kind && e.dated.effective_from == dated.effective_from));
        self.rates.push(RateEntry { kind, dated });
        self.rates.sort_by_key(|e| (e.kind, e.dated.effective_from));
    }
}

/// Input of [`EmployeeCommand::Create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmployee {
    /// The id, generated by the caller.
    pub id: EmployeeId,
    /// Name.
    pub name: Name,
    /// E-mail address (uniqueness across employees is the store's job).
    pub email: Email,
    /// Optional WordPress user to link.
    pub wp_user_id: Option<WpUserId>,
    /// Optional initial cost rate.
    pub cost_rate: Option<DatedRate>,
    /// Optional initial bill rate.
    pub bill_rate: Option<DatedRate>,
}

/// What can be asked of an employee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmployeeCommand {
    /// Creates the employee (active).
    Create(NewEmployee),
    /// `active → inactive`.
    Deactivate,
    /// `inactive → active`.
    Reactivate,
    /// Sets the `kind` rate from a day on (replacing an entry with the same first day).
    ChangeRate {
        /// Cost or bill.
        kind: RateKind,
        /// The new rate and its first day.
        rate: DatedRate,
    },
    /// Links a WordPress user, or with `None` unlinks the current one.
    LinkUser {
        /// The user, or `None` to unlink.
        wp_user_id: Option<WpUserId>,
    },
    /// Erases the employee's personal data (a privacy request): from then on the name is
    /// [`crate::privacy::ERASED_NAME`] and the e-mail [`crate::privacy::erased_email`];
    /// rates, status and every number stay. The storage adapter destroys the employee's
    /// data key in the same transaction (see [`crate::privacy`]).
    ErasePersonalData,
}

/// Payload of `employee.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployeeCreated {
    /// The employee.
    pub employee_id: EmployeeId,
    /// Name as given.
    pub name: Name,
    /// E-mail as normalised.
    pub email: Email,
    /// Linked WordPress user.
    pub wp_user_id: Option<WpUserId>,
    /// Initial cost rate.
    pub cost_rate: Option<DatedRate>,
    /// Initial bill rate.
    pub bill_rate: Option<DatedRate>,
}

/// Payload of `employee.deactivated` and `employee.reactivated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployeeRef {
    /// The employee.
    pub employee_id: EmployeeId,
}

/// Payload of `employee.rate_changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
// No deny_unknown_fields: serde does not support it together with flatten.
pub struct EmployeeRateChanged {
    /// The employee.
    pub employee_id: EmployeeId,
    /// Cost or bill.
    pub kind: RateKind,
    /// The rate and its first day.
    #[serde(flatten)]
    pub rate: DatedRate,
}

/// Payload of `employee.user_linked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployeeUserLinked {
    /// The employee.
    pub employee_id: EmployeeId,
    /// The WordPress user now linked; `null` when unlinked.
    pub wp_user_id: Option<WpUserId>,
    /// The user linked before; `null` when there was none.
    pub previous_wp_user_id: Option<WpUserId>,
}

domain_events! {
    /// Facts about an employee.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum EmployeeEvent {
        /// `employee.created`
        Created(EmployeeCreated) = "employee.created",
        /// `employee.deactivated`
        Deactivated(EmployeeRef) = "employee.deactivated",
        /// `employee.reactivated`
        Reactivated(EmployeeRef) = "employee.reactivated",
        /// `employee.rate_changed`
        RateChanged(EmployeeRateChanged) = "employee.rate_changed",
        /// `employee.user_linked` (also records an unlink, with `wp_user_id: null`)
        UserLinked(EmployeeUserLinked) = "employee.user_linked",
        /// `employee.personal_data_erased` (carries no personal data)
        PersonalDataErased(EmployeeRef) = "employee.personal_data_erased",
    }
}

impl EmployeeEvent {
    /// The employee the event is about.
    pub fn employee_id(&self) -> EmployeeId {
        match self {
            Self::Created(p) => p.employee_id,
            Self::Deactivated(p) | Self::Reactivated(p) | Self::PersonalDataErased(p) => {
                p.employee_id
            }
            Self::RateChanged(p) => p.employee_id,
            Self::UserLinked(p) => p.employee_id,
        }
    }
}

impl AggregateEvent for EmployeeEvent {
    fn aggregate_type(&self) -> &'static str {
        AGGREGATE_TYPE
    }
    fn aggregate_id(&self) -> Uuid {
        self.employee_id().as_uuid()
    }
    fn context(&self) -> ContextRef {
        ContextRef::new(ContextType::Employee, self.employee_id().as_uuid())
    }
}

/// Decides a command against the current state (`None`: the employee does not exist yet).
///
/// Rules: create only once; deactivate only an active and reactivate only an inactive
/// employee; a rate change must change something (same kind, same first day, same rate is
/// refused); linking must change the link. Rates and links may be changed on inactive
/// employees (records are corrected after people leave). `now` is accepted for symmetry
/// with the other aggregates and is not needed by today's rules.
pub fn decide(
    state: Option<&Employee>,
    cmd: &EmployeeCommand,
    _now: DateTime<Utc>,
) -> Result<Vec<EmployeeEvent>, DomainError> {
    let e = match (state, cmd) {
        (None, EmployeeCommand::Create(n)) => {
            return Ok(vec![EmployeeEvent::Created(EmployeeCreated {
                employee_id: n.id,
                name: n.name.clone(),
                email: n.email.clone(),
                wp_user_id: n.wp_user_id,
                cost_rate: n.cost_rate,
                bill_rate: n.bill_rate,
            })]);
        }
        (Some(e), EmployeeCommand::Create(_)) => {
            return Err(DomainError::invariant(format!(
                "employee {} already exists",
                e.id
            )))
        }
        (None, _) => {
            return Err(DomainError::NotFound {
                entity: "employee",
                id: "(not created)".into(),
            })
        }
        (Some(e), _) => e,
    };
    let r = EmployeeRef { employee_id: e.id };
    match cmd {
        EmployeeCommand::Create(_) => Ok(vec![]),
        EmployeeCommand::Deactivate => match e.status {
            EmployeeStatus::Active => Ok(vec![EmployeeEvent::Deactivated(r)]),
            EmployeeStatus::Inactive => Err(DomainError::invariant("employee is already inactive")),
        },
        EmployeeCommand::Reactivate => match e.status {
            EmployeeStatus::Inactive => Ok(vec![EmployeeEvent::Reactivated(r)]),
            EmployeeStatus::Active => Err(DomainError::invariant("employee is already active")),
        },
        EmployeeCommand::ChangeRate { kind, rate } => {
            let same = e.rates.iter().any(|x| x.kind == *kind && x.dated == *rate);
            if same {
                return Err(DomainError::invariant(format!(
                    "the {} rate from {} is already {}",
                    kind.as_str(),
                    rate.effective_from,
                    rate.rate
                )));
            }
            Ok(vec![EmployeeEvent::RateChanged(EmployeeRateChanged {
                employee_id: e.id,
                kind: *kind,
                rate: *rate,
            })])
        }
        EmployeeCommand::LinkUser { wp_user_id } => {
            if *wp_user_id == e.wp_user_id {
                return Err(DomainError::invariant(match wp_user_id {
                    Some(u) => format!("employee is already linked to WordPress user {u}"),
                    None => "employee is not linked to a WordPress user".to_owned(),
                }));
            }
            Ok(vec![EmployeeEvent::UserLinked(EmployeeUserLinked {
                employee_id: e.id,
                wp_user_id: *wp_user_id,
                previous_wp_user_id: e.wp_user_id,
            })])
        }
        EmployeeCommand::ErasePersonalData => {
            if e.is_erased() {
                return Err(DomainError::invariant(
                    "the employee's personal data is already erased",
                ));
            }
            Ok(vec![EmployeeEvent::PersonalDataErased(r)])
        }
    }
}

/// Folds one event into the state. Infallible; returns `None` only when a non-creation
/// event arrives before `employee.created` (a malformed stream), and ignores a second
/// creation event.
pub fn evolve(state: Option<Employee>, ev: &EmployeeEvent) -> Option<Employee> {
    let mut e = match (state, ev) {
        (None, EmployeeEvent::Created(c)) => {
            let mut e = Employee {
                id: c.employee_id,
                name: c.name.clone(),
                email: c.email.clone(),
                wp_user_id: c.wp_user_id,
                status: EmployeeStatus::Active,
                rates: Vec::new(),
                version: 1,
            };
            if let Some(r) = c.cost_rate {
                e.set_rate(RateKind::Cost, r);
            }
            if let Some(r) = c.bill_rate {
                e.set_rate(RateKind::Bill, r);
            }
            return Some(e);
        }
        (None, _) => return None,
        (Some(e), _) => e,
    };
    match ev {
        EmployeeEvent::Created(_) => {}
        EmployeeEvent::Deactivated(_) => e.status = EmployeeStatus::Inactive,
        EmployeeEvent::Reactivated(_) => e.status = EmployeeStatus::Active,
        EmployeeEvent::RateChanged(p) => e.set_rate(p.kind, p.rate),
        EmployeeEvent::UserLinked(p) => e.wp_user_id = p.wp_user_id,
        EmployeeEvent::PersonalDataErased(_) => {
            // Both placeholders are valid by construction; keep the old value otherwise.
            if let Ok(n) = Name::new(crate::privacy::ERASED_NAME) {
                e.name = n;
            }
            if let Ok(m) = Email::new(&crate::privacy::erased_email(e.id.as_uuid())) {
                e.email = m;
            }
        }
    }
    e.version += 1;
    Some(e)
}

/// Folds the events a `decide` returned into the state they were decided against.
pub fn evolve_all<'a>(
    state: Option<Employee>,
    events: impl IntoIterator<Item = &'a EmployeeEvent>,
) -> Option<Employee> {
    events.into_iter().fold(state, evolve)
}

/// Folds a whole stream (as read from the store) into the current state.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a EmployeeEvent>) -> Option<Employee> {
    events.into_iter().fold(None, evolve)
}

impl crate::aggregate::Aggregate for Employee {
    const TYPE: &'static str = AGGREGATE_TYPE;
    type Command = EmployeeCommand;
    type Event = EmployeeEvent;
    type Facts = ();

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &EmployeeCommand,
        _facts: &(),
        now: DateTime<Utc>,
    ) -> Result<Vec<EmployeeEvent>, DomainError> {
        decide(state, cmd, now)
    }

    fn evolve(state: Option<Self>, event: &EmployeeEvent) -> Option<Self> {
        evolve(state, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::DomainEvent;
    use crate::identity::values::{Currency, Money};

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn rate(minor: i64, from: &str) -> DatedRate {
        DatedRate {
            rate: Rate::new(Money::new(minor, Currency::new("EUR").unwrap())).unwrap(),
            effective_from: day(from),
        }
    }
    fn create() -> EmployeeCommand {
        EmployeeCommand::Create(NewEmployee {
            id: EmployeeId::from_uuid(Uuid::from_u128(1)),
            name: Name::new("Ana Ruiz").unwrap(),
            email: Email::new("ana@example.com").unwrap(),
            wp_user_id: None,
            cost_rate: Some(rate(5000, "2026-01-01")),
            bill_rate: None,
        })
    }
    fn run(cmds: &[EmployeeCommand]) -> Result<Employee, DomainError> {
        let mut state = None;
        for c in cmds {
            for ev in decide(state.as_ref(), c, now())? {
                state = evolve(state, &ev);
            }
        }
        state.ok_or_else(|| DomainError::invariant("nothing created"))
    }

    #[test]
    fn erasure_replaces_name_and_email_once_and_keeps_the_rates() {
        let before = run(&[create()]).unwrap();
        let e = run(&[create(), EmployeeCommand::ErasePersonalData]).unwrap();
        assert!(e.is_erased() && !before.is_erased());
        assert_eq!(e.name().as_str(), crate::privacy::ERASED_NAME);
        assert_eq!(
            e.email().as_str(),
            crate::privacy::erased_email(Uuid::from_u128(1))
        );
        assert_eq!(e.rates(), before.rates());
        assert_eq!(e.status(), before.status());
        assert!(matches!(
            run(&[
                create(),
                EmployeeCommand::ErasePersonalData,
                EmployeeCommand::ErasePersonalData
            ]),
            Err(DomainError::Invariant(_))
        ));
        let ev = &decide(Some(&before), &EmployeeCommand::ErasePersonalData, now()).unwrap()[0];
        assert_eq!(ev.event_type(), "employee.personal_data_erased");
        assert_eq!(
            ev.payload(),
            serde_json::json!({"employee_id": "00000000-0000-0000-0000-000000000001"})
        );
    }

    #[test]
    fn actions_are_the_commands_decide_accepts() {
        let active = run(&[create()]).unwrap();
        let inactive = run(&[create(), EmployeeCommand::Deactivate]).unwrap();
        for e in [active, inactive] {
            let probes = [
                ("deactivate", EmployeeCommand::Deactivate),
                ("reactivate", EmployeeCommand::Reactivate),
                (
                    "change_rate",
                    EmployeeCommand::ChangeRate {
                        kind: RateKind::Bill,
                        rate: rate(9_900, "2026-02-01"),
                    },
                ),
                (
                    "link_user",
                    EmployeeCommand::LinkUser {
                        wp_user_id: WpUserId::from_i64(77).ok(),
                    },
                ),
            ];
            for (name, cmd) in probes {
                assert_eq!(
                    decide(Some(&e), &cmd, now()).is_ok(),
                    e.status().actions().contains(&name),
                    "{name} when {}",
                    e.status().as_str()
                );
            }
        }
    }

    #[test]
    fn status_goes_active_inactive_active_and_refuses_repeats() {
        let e = run(&[
            create(),
            EmployeeCommand::Deactivate,
            EmployeeCommand::Reactivate,
        ])
        .unwrap();
        assert_eq!(e.status(), EmployeeStatus::Active);
        assert_eq!(e.version(), 3);
        assert_eq!(
            run(&[create(), EmployeeCommand::Reactivate]),
            Err(DomainError::invariant("employee is already active"))
        );
        assert_eq!(
            run(&[
                create(),
                EmployeeCommand::Deactivate,
                EmployeeCommand::Deactivate
            ]),
            Err(DomainError::invariant("employee is already inactive"))
        );
        assert!(matches!(
            run(&[create(), create()]),
            Err(DomainError::Invariant(_))
        ));
        assert!(matches!(
            decide(None, &EmployeeCommand::Deactivate, now()),
            Err(DomainError::NotFound { .. })
        ));
    }

    #[test]
    fn rates_are_effective_dated() {
        let e = run(&[
            create(),
            EmployeeCommand::ChangeRate {
                kind: RateKind::Cost,
                rate: rate(6000, "2026-03-01"),
            },
            EmployeeCommand::ChangeRate {
                kind: RateKind::Bill,
                rate: rate(12000, "2026-02-01"),
            },
            // correcting the March entry replaces it
            EmployeeCommand::ChangeRate {
                kind: RateKind::Cost,
                rate: rate(6500, "2026-03-01"),
            },
        ])
        .unwrap();
        let at = |k, d| e.rate_at(k, day(d)).map(|r| r.per_hour().amount_minor());
        assert_eq!(at(RateKind::Cost, "2025-12-31"), None);
        assert_eq!(at(RateKind::Cost, "2026-01-01"), Some(5000));
        assert_eq!(at(RateKind::Cost, "2026-02-28"), Some(5000));
        assert_eq!(at(RateKind::Cost, "2026-03-01"), Some(6500));
        assert_eq!(at(RateKind::Bill, "2026-01-31"), None);
        assert_eq!(at(RateKind::Bill, "2030-01-01"), Some(12000));
        assert_eq!(e.rates().len(), 3);
        assert!(matches!(
            run(&[
                create(),
                EmployeeCommand::ChangeRate {
                    kind: RateKind::Cost,
                    rate: rate(5000, "2026-01-01")
                }
            ]),
            Err(DomainError::Invariant(_))
        ));
    }

    #[test]
    fn user_link_must_change() {
        let u = WpUserId::new(12).unwrap();
        let e = run(&[
            create(),
            EmployeeCommand::LinkUser {
                wp_user_id: Some(u),
            },
        ])
        .unwrap();
        assert_eq!(e.wp_user_id(), Some(u));
        let evs = decide(
            Some(&e),
            &EmployeeCommand::LinkUser { wp_user_id: None },
            now(),
        )
        .unwrap();
        assert_eq!(
            evs,
            vec![EmployeeEvent::UserLinked(EmployeeUserLinked {
                employee_id: e.id(),
                wp_user_id: None,
                previous_wp_user_id: Some(u)
            })]
        );
        assert!(decide(
            Some(&e),
            &EmployeeCommand::LinkUser {
                wp_user_id: Some(u)
            },
            now()
        )
        .is_err());
        assert!(run(&[create(), EmployeeCommand::LinkUser { wp_user_id: None }]).is_err());
    }

    #[test]
    fn restore_equals_replay() {
        let e = run(&[
            create(),
            EmployeeCommand::ChangeRate {
                kind: RateKind::Bill,
                rate: rate(9000, "2026-05-01"),
            },
            EmployeeCommand::Deactivate,
        ])
        .unwrap();
        let restored = Employee::restore(
            e.id(),
            e.name().clone(),
            e.email().clone(),
            e.wp_user_id(),
            e.status(),
            e.rates().iter().rev().copied(),
            e.version(),
        );
        assert_eq!(restored, e);
    }

    #[test]
    fn events_round_trip_through_storage_form() {
        let e = run(&[create()]).unwrap();
        let evs = decide(
            Some(&e),
            &EmployeeCommand::ChangeRate {
                kind: RateKind::Bill,
                rate: rate(9000, "2026-05-01"),
            },
            now(),
        )
        .unwrap();
        for ev in evs {
            let back = EmployeeEvent::from_stored(ev.event_type(), 1, &ev.payload()).unwrap();
            assert_eq!(back, ev);
        }
    }
}
