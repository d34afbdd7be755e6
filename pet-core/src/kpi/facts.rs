//! KPI facts: what the calculators count, extracted from domain events one at a time.
//!
//! [`extract`] turns one recorded event into zero or more [`Fact`]s. Some events need
//! something an earlier event said (an approved time entry is billable or not as drafted;
//! an SLA outcome belongs to the ticket's customer): that is kept in a small [`Memo`] per
//! entity, keyed by the entity's id. [`memo_keys`] says which memos an event reads or
//! writes, so a store can load only those; the memos are plain data (serialisable), so
//! extraction gives the same facts whether the log is read in one batch or many.
//!
//! A fact carries the event it came from (id, type, when it was recorded — which an
//! "as of" question filters on), the business day it counts on (which period it falls
//! in), the dimensions scopes select by (employee, customer, project, team) and one number.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::commercial::{LeadCustomer, LeadEvent, QuoteEvent};
use crate::delivery::values::DEFAULT_WEEKLY_CAPACITY;
use crate::delivery::{CapacityEvent, ProjectEvent, TimeEntryEvent};
use crate::event::{ContextType, RecordedEvent};
use crate::helpdesk::{ReplyAuthor, SlaEvent, TicketEvent, Visibility};
use crate::identity::{EmployeeEvent, EventDecodeError, OrgStructureEvent, TeamEvent};

/// What a fact counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// Approved billable minutes (`value`; an adjustment of approved time is a signed delta).
    TimeBillable,
    /// Approved non-billable minutes (`value`).
    TimeNonBillable,
    /// Weekly capacity in minutes (`value`) from `on` until the employee's next capacity fact.
    Capacity,
    /// A lead qualified.
    LeadQualified,
    /// A lead disqualified.
    LeadDisqualified,
    /// A quote accepted.
    QuoteWon,
    /// A quote rejected or expired.
    QuoteLost,
    /// A quote sent for the first time; `value` minutes after it was created.
    QuoteSent,
    /// Minutes sold on a project (`value`; a change order is a signed delta).
    Sold,
    /// An SLA target met.
    SlaMet,
    /// An SLA target breached.
    SlaBreached,
    /// A ticket's first public employee reply; `value` minutes after the ticket was created.
    FirstResponse,
    /// A ticket resolved.
    TicketResolved,
    /// A ticket reopened.
    TicketReopened,
    /// An employee joined a team (`team`) from `on` until `until` (inclusive; open-ended
    /// when `None`).
    MembershipStarted,
    /// A membership of `team` ended on `until`.
    MembershipEnded,
    /// An org-structure version took effect on `on` (`value`: its number). From that day
    /// until the next version, team scopes follow that version's memberships.
    OrgVersion,
    /// A membership (`team`, `employee`) of the org-structure version numbered `value`,
    /// which took effect on `on`.
    OrgMember,
}

impl FactKind {
    /// Every kind.
    pub const ALL: [FactKind; 18] = [
        FactKind::TimeBillable,
        FactKind::TimeNonBillable,
        FactKind::Capacity,
        FactKind::LeadQualified,
        FactKind::LeadDisqualified,
        FactKind::QuoteWon,
        FactKind::QuoteLost,
        FactKind::QuoteSent,
        FactKind::Sold,
        FactKind::SlaMet,
        FactKind::SlaBreached,
        FactKind::FirstResponse,
        FactKind::TicketResolved,
        FactKind::TicketReopened,
        FactKind::MembershipStarted,
        FactKind::MembershipEnded,
        FactKind::OrgVersion,
        FactKind::OrgMember,
    ];

    /// The stored name, e.g. `time_billable`.
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::TimeBillable => "time_billable",
            FactKind::TimeNonBillable => "time_non_billable",
            FactKind::Capacity => "capacity",
            FactKind::LeadQualified => "lead_qualified",
            FactKind::LeadDisqualified => "lead_disqualified",
            FactKind::QuoteWon => "quote_won",
            FactKind::QuoteLost => "quote_lost",
            FactKind::QuoteSent => "quote_sent",
            FactKind::Sold => "sold",
            FactKind::SlaMet => "sla_met",
            FactKind::SlaBreached => "sla_breached",
            FactKind::FirstResponse => "first_response",
            FactKind::TicketResolved => "ticket_resolved",
            FactKind::TicketReopened => "ticket_reopened",
            FactKind::MembershipStarted => "membership_started",
            FactKind::MembershipEnded => "membership_ended",
            FactKind::OrgVersion => "org_version",
            FactKind::OrgMember => "org_member",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The entity a fact is about (what an explanation links to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Subject {
    /// Its kind.
    pub kind: ContextType,
    /// Its id.
    pub id: Uuid,
}

/// One counted fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The event it came from.
    pub event_id: Uuid,
    /// That event's position in the log (storage order; not part of any result).
    pub sequence: u64,
    /// That event's type.
    pub event_type: String,
    /// When that event was recorded (an "as of" question counts only facts recorded by then).
    pub recorded_at: DateTime<Utc>,
    /// What it counts.
    pub kind: FactKind,
    /// The day it counts on.
    pub on: NaiveDate,
    /// The entity it is about.
    pub subject: Subject,
    /// The employee it belongs to.
    pub employee: Option<Uuid>,
    /// The customer it belongs to.
    pub customer: Option<Uuid>,
    /// The project it belongs to.
    pub project: Option<Uuid>,
    /// The team (membership facts only).
    pub team: Option<Uuid>,
    /// The last day (membership facts only).
    pub until: Option<NaiveDate>,
    /// Its number (minutes, or 1 for a count).
    pub value: i64,
}

/// What extraction remembers about one entity between events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "memo", rename_all = "snake_case")]
pub enum Memo {
    /// A time entry: billable or not, and whether it is approved.
    TimeEntry {
        /// As last drafted.
        billable: bool,
        /// Approved (adjustments then count as deltas).
        approved: bool,
    },
    /// A project's customer.
    Project {
        /// The customer.
        customer: Option<Uuid>,
    },
    /// A lead's owner.
    Lead {
        /// The owner.
        owner: Uuid,
        /// The existing customer, if any.
        customer: Option<Uuid>,
    },
    /// A quote: customer, creation time, whether it was sent.
    Quote {
        /// The customer.
        customer: Uuid,
        /// When it was created.
        created_at: DateTime<Utc>,
        /// Sent at least once.
        sent: bool,
    },
    /// A ticket: customer, project, creation time, whether it has had a first response.
    Ticket {
        /// The customer.
        customer: Uuid,
        /// The project.
        project: Option<Uuid>,
        /// When it was created.
        created_at: DateTime<Utc>,
        /// First response seen.
        responded: bool,
    },
    /// An employee's weekly capacity (restored on reactivation).
    Employee {
        /// Minutes per week.
        capacity: i64,
    },
}

/// Memos by entity id.
pub type Memos = BTreeMap<Uuid, Memo>;

/// Why an event could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    /// A payload did not decode as its type.
    #[error("event {sequence}: {source}")]
    Decode {
        /// The event's position.
        sequence: u64,
        /// What was wrong.
        source: EventDecodeError,
    },
}

/// The typed events KPI facts come from.
enum Source {
    Time(TimeEntryEvent),
    Capacity(CapacityEvent),
    Project(ProjectEvent),
    Lead(LeadEvent),
    Quote(QuoteEvent),
    Ticket(TicketEvent),
    Sla(SlaEvent),
    Employee(EmployeeEvent),
    Team(TeamEvent),
    Org(OrgStructureEvent),
}

fn decode(ev: &RecordedEvent) -> Result<Option<Source>, FactError> {
    let t = ev.event.event_type().as_str();
    let (v, p) = (ev.event.schema_version(), ev.event.payload());
    let err = |source| FactError::Decode {
        sequence: ev.sequence,
        source,
    };
    let ns = t.split('.').next().unwrap_or_default();
    Ok(Some(match ns {
        "time_entry" => Source::Time(TimeEntryEvent::from_stored(t, v, p).map_err(err)?),
        "resource" if t == "resource.capacity_set" => {
            Source::Capacity(CapacityEvent::from_stored(t, v, p).map_err(err)?)
        }
        "project" => Source::Project(ProjectEvent::from_stored(t, v, p).map_err(err)?),
        "lead" => Source::Lead(LeadEvent::from_stored(t, v, p).map_err(err)?),
        "quote" | "sale" => Source::Quote(QuoteEvent::from_stored(t, v, p).map_err(err)?),
        "ticket" => Source::Ticket(TicketEvent::from_stored(t, v, p).map_err(err)?),
        "sla" => Source::Sla(SlaEvent::from_stored(t, v, p).map_err(err)?),
        "employee" => Source::Employee(EmployeeEvent::from_stored(t, v, p).map_err(err)?),
        "team" => Source::Team(TeamEvent::from_stored(t, v, p).map_err(err)?),
        "org_structure" => Source::Org(OrgStructureEvent::from_stored(t, v, p).map_err(err)?),
        _ => return Ok(None),
    }))
}

/// The memos `ev` reads or writes (load them before [`extract`]).
pub fn memo_keys(ev: &RecordedEvent) -> Result<Vec<Uuid>, FactError> {
    Ok(match decode(ev)? {
        None => Vec::new(),
        Some(Source::Time(e)) => {
            let mut keys = vec![time_entry_id(&e)];
            keys.extend(time_project(&e));
            keys
        }
        Some(Source::Capacity(CapacityEvent::Set(p))) => vec![p.employee_id.as_uuid()],
        Some(Source::Project(e)) => vec![project_id(&e)],
        Some(Source::Lead(e)) => vec![lead_id(&e)],
        Some(Source::Quote(e)) => vec![quote_id(&e)],
        Some(Source::Ticket(e)) => match &e {
            TicketEvent::Created(p) => {
                let mut k = vec![p.ticket_id.as_uuid()];
                k.extend(p.project_id.map(|p| p.as_uuid()));
                k
            }
            _ => vec![ticket_id(&e)],
        },
        Some(Source::Sla(e)) => sla_ticket(&e).into_iter().collect(),
        Some(Source::Employee(e)) => vec![employee_id(&e)],
        Some(Source::Team(_) | Source::Org(_)) => Vec::new(),
    })
}

fn time_entry_id(e: &TimeEntryEvent) -> Uuid {
    match e {
        TimeEntryEvent::Drafted(p) | TimeEntryEvent::Revised(p) => p.entry_id.as_uuid(),
        TimeEntryEvent::Discarded(p)
        | TimeEntryEvent::Submitted(p)
        | TimeEntryEvent::Approved(p) => p.entry_id.as_uuid(),
        TimeEntryEvent::SentBack(p) => p.entry_id.as_uuid(),
        TimeEntryEvent::Adjusted(p) => p.entry_id.as_uuid(),
    }
}

fn time_project(e: &TimeEntryEvent) -> Option<Uuid> {
    match e {
        TimeEntryEvent::Approved(p) => p.project_id.map(|p| p.as_uuid()),
        TimeEntryEvent::Adjusted(p) => p.project_id.map(|p| p.as_uuid()),
        _ => None,
    }
}

fn project_id(e: &ProjectEvent) -> Uuid {
    crate::event::AggregateEvent::aggregate_id(e)
}
fn lead_id(e: &LeadEvent) -> Uuid {
    crate::event::AggregateEvent::aggregate_id(e)
}
fn quote_id(e: &QuoteEvent) -> Uuid {
    crate::event::AggregateEvent::aggregate_id(e)
}
fn ticket_id(e: &TicketEvent) -> Uuid {
    crate::event::AggregateEvent::aggregate_id(e)
}
fn employee_id(e: &EmployeeEvent) -> Uuid {
    crate::event::AggregateEvent::aggregate_id(e)
}
fn sla_ticket(e: &SlaEvent) -> Option<Uuid> {
    match e {
        SlaEvent::Met(p) | SlaEvent::Breached(p) => Some(p.ticket_id.as_uuid()),
        _ => None,
    }
}

/// Whole minutes from `a` to `b` (0 when `b` is earlier).
fn minutes_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_minutes().max(0)
}

/// The facts one event contributes, reading and updating `memos` (which must hold every
/// memo [`memo_keys`] named that exists). Events KPIs do not count give nothing.
pub fn extract(ev: &RecordedEvent, memos: &mut Memos) -> Result<Vec<Fact>, FactError> {
    let Some(src) = decode(ev)? else {
        return Ok(Vec::new());
    };
    let at = ev.event.occurred_at();
    let today = at.date_naive();
    let fact = |kind: FactKind, on: NaiveDate, subject: Subject, value: i64| Fact {
        event_id: ev.event.event_id(),
        sequence: ev.sequence,
        event_type: ev.event.event_type().as_str().to_owned(),
        recorded_at: ev.recorded_at,
        kind,
        on,
        subject,
        employee: None,
        customer: None,
        project: None,
        team: None,
        until: None,
        value,
    };
    let subject = |kind: ContextType, id: Uuid| Subject { kind, id };
    let project_customer =
        |memos: &Memos, project: Option<Uuid>| match project.and_then(|p| memos.get(&p)) {
            Some(Memo::Project { customer }) => *customer,
            _ => None,
        };
    let mut out = Vec::new();
    match src {
        Source::Time(e) => {
            let id = time_entry_id(&e);
            match &e {
                TimeEntryEvent::Drafted(p) | TimeEntryEvent::Revised(p) => {
                    memos.insert(
                        id,
                        Memo::TimeEntry {
                            billable: p.content.billable,
                            approved: false,
                        },
                    );
                }
                TimeEntryEvent::Approved(p) => {
                    let billable = match memos.get(&id) {
                        Some(Memo::TimeEntry { billable, .. }) => *billable,
                        _ => false,
                    };
                    memos.insert(
                        id,
                        Memo::TimeEntry {
                            billable,
                            approved: true,
                        },
                    );
                    let project = p.project_id.map(|p| p.as_uuid());
                    let kind = if billable {
                        FactKind::TimeBillable
                    } else {
                        FactKind::TimeNonBillable
                    };
                    let mut f = fact(
                        kind,
                        p.work_date,
                        subject(ContextType::TimeEntry, id),
                        p.minutes,
                    );
                    f.employee = Some(p.employee_id.as_uuid());
                    f.project = project;
                    f.customer = project_customer(memos, project);
                    out.push(f);
                }
                TimeEntryEvent::Adjusted(p) => {
                    // Adjusting approved time counts at once; adjusting submitted time is
                    // in the minutes its approval carries.
                    if let (true, Some(Memo::TimeEntry { billable, .. })) =
                        (p.entry_approved, memos.get(&id))
                    {
                        let kind = if *billable {
                            FactKind::TimeBillable
                        } else {
                            FactKind::TimeNonBillable
                        };
                        let project = p.project_id.map(|p| p.as_uuid());
                        let mut f = fact(
                            kind,
                            p.work_date,
                            subject(ContextType::TimeEntry, id),
                            p.minutes,
                        );
                        f.employee = Some(p.employee_id.as_uuid());
                        f.project = project;
                        f.customer = project_customer(memos, project);
                        out.push(f);
                    }
                }
                TimeEntryEvent::Discarded(_)
                | TimeEntryEvent::Submitted(_)
                | TimeEntryEvent::SentBack(_) => {}
            }
        }
        Source::Capacity(CapacityEvent::Set(p)) => {
            let emp = p.employee_id.as_uuid();
            memos.insert(
                emp,
                Memo::Employee {
                    capacity: p.minutes_per_week,
                },
            );
            let mut f = fact(
                FactKind::Capacity,
                p.effective_from,
                subject(ContextType::Employee, emp),
                p.minutes_per_week,
            );
            f.employee = Some(emp);
            out.push(f);
        }
        Source::Employee(e) => {
            let emp = employee_id(&e);
            let capacity = match (&e, memos.get(&emp)) {
                (EmployeeEvent::Created(_), _) => Some(DEFAULT_WEEKLY_CAPACITY),
                (EmployeeEvent::Deactivated(_), _) => Some(0),
                (EmployeeEvent::Reactivated(_), Some(Memo::Employee { capacity })) => {
                    Some(*capacity)
                }
                (EmployeeEvent::Reactivated(_), _) => Some(DEFAULT_WEEKLY_CAPACITY),
                _ => None,
            };
            if let EmployeeEvent::Created(_) = e {
                // A capacity already set stays what a reactivation restores.
                memos.entry(emp).or_insert(Memo::Employee {
                    capacity: DEFAULT_WEEKLY_CAPACITY,
                });
            }
            if let Some(c) = capacity {
                // Joining counts from the day itself; leaving from the day after.
                let on = match e {
                    EmployeeEvent::Deactivated(_) => today + Days::new(1),
                    _ => today,
                };
                let mut f = fact(
                    FactKind::Capacity,
                    on,
                    subject(ContextType::Employee, emp),
                    c,
                );
                f.employee = Some(emp);
                out.push(f);
            }
        }
        Source::Project(e) => {
            let id = project_id(&e);
            match &e {
                ProjectEvent::Created(p) => {
                    let customer = p.customer_id.map(|c| c.as_uuid());
                    memos.insert(id, Memo::Project { customer });
                    let sold: i64 = p.labour.iter().map(|l| l.minutes).sum();
                    if sold != 0 {
                        let mut f = fact(
                            FactKind::Sold,
                            today,
                            subject(ContextType::Project, id),
                            sold,
                        );
                        f.project = Some(id);
                        f.customer = customer;
                        out.push(f);
                    }
                }
                ProjectEvent::ChangeOrderRecorded(p) => {
                    let delta: i64 = p.labour_delta.iter().map(|l| l.minutes).sum();
                    if delta != 0 {
                        let mut f = fact(
                            FactKind::Sold,
                            today,
                            subject(ContextType::Project, id),
                            delta,
                        );
                        f.project = Some(id);
                        f.customer = project_customer(memos, Some(id));
                        out.push(f);
                    }
                }
                _ => {}
            }
        }
        Source::Lead(e) => {
            let id = lead_id(&e);
            match &e {
                LeadEvent::Created(p) => {
                    let customer = match &p.customer {
                        LeadCustomer::Existing { customer_id } => Some(customer_id.as_uuid()),
                        _ => None,
                    };
                    memos.insert(
                        id,
                        Memo::Lead {
                            owner: p.owner_id.as_uuid(),
                            customer,
                        },
                    );
                }
                LeadEvent::Qualified(_) | LeadEvent::Disqualified(_) => {
                    let kind = if matches!(e, LeadEvent::Qualified(_)) {
                        FactKind::LeadQualified
                    } else {
                        FactKind::LeadDisqualified
                    };
                    let mut f = fact(kind, today, subject(ContextType::Lead, id), 1);
                    if let Some(Memo::Lead { owner, customer }) = memos.get(&id) {
                        f.employee = Some(*owner);
                        f.customer = *customer;
                    }
                    out.push(f);
                }
                _ => {}
            }
        }
        Source::Quote(e) => {
            let id = quote_id(&e);
            let customer = match memos.get(&id) {
                Some(Memo::Quote { customer, .. }) => Some(*customer),
                _ => None,
            };
            match &e {
                QuoteEvent::Created(p) => {
                    memos.insert(
                        id,
                        Memo::Quote {
                            customer: p.customer_id.as_uuid(),
                            created_at: at,
                            sent: false,
                        },
                    );
                }
                QuoteEvent::Sent(p) => {
                    if let Some(Memo::Quote {
                        created_at, sent, ..
                    }) = memos.get_mut(&id)
                    {
                        if !*sent {
                            *sent = true;
                            let mut f = fact(
                                FactKind::QuoteSent,
                                today,
                                subject(ContextType::Quote, id),
                                minutes_between(*created_at, at),
                            );
                            f.customer = Some(p.customer_id.as_uuid());
                            out.push(f);
                        }
                    }
                }
                QuoteEvent::Accepted(_) | QuoteEvent::Rejected(_) | QuoteEvent::Expired(_) => {
                    let kind = if matches!(e, QuoteEvent::Accepted(_)) {
                        FactKind::QuoteWon
                    } else {
                        FactKind::QuoteLost
                    };
                    let mut f = fact(kind, today, subject(ContextType::Quote, id), 1);
                    f.customer = customer;
                    out.push(f);
                }
                _ => {}
            }
        }
        Source::Ticket(e) => {
            let id = ticket_id(&e);
            if let TicketEvent::Created(p) = &e {
                memos.insert(
                    id,
                    Memo::Ticket {
                        customer: p.customer_id.as_uuid(),
                        project: p.project_id.map(|p| p.as_uuid()),
                        created_at: at,
                        responded: false,
                    },
                );
                return Ok(out);
            }
            let Some(Memo::Ticket {
                customer,
                project,
                created_at,
                responded,
            }) = memos.get_mut(&id)
            else {
                return Ok(out);
            };
            let f = |kind, value| {
                let mut f = fact(kind, today, subject(ContextType::Ticket, id), value);
                f.customer = Some(*customer);
                f.project = *project;
                f
            };
            match &e {
                TicketEvent::Replied(p) => {
                    if let (ReplyAuthor::Employee { employee_id }, Visibility::Public, false) =
                        (p.author, p.visibility, *responded)
                    {
                        let mut x = f(FactKind::FirstResponse, minutes_between(*created_at, at));
                        x.employee = Some(employee_id.as_uuid());
                        out.push(x);
                        *responded = true;
                    }
                }
                TicketEvent::Resolved(_) => out.push(f(FactKind::TicketResolved, 1)),
                TicketEvent::Reopened(_) => out.push(f(FactKind::TicketReopened, 1)),
                _ => {}
            }
        }
        Source::Sla(e) => {
            let kind = match e {
                SlaEvent::Met(_) => FactKind::SlaMet,
                SlaEvent::Breached(_) => FactKind::SlaBreached,
                _ => return Ok(out),
            };
            let Some(ticket) = sla_ticket(&e) else {
                return Ok(out);
            };
            let mut f = fact(kind, today, subject(ContextType::Ticket, ticket), 1);
            if let Some(Memo::Ticket {
                customer, project, ..
            }) = memos.get(&ticket)
            {
                f.customer = Some(*customer);
                f.project = *project;
            }
            out.push(f);
        }
        Source::Team(e) => match &e {
            TeamEvent::MemberAdded(p) => {
                let team = p.team_id.as_uuid();
                let m = &p.membership;
                let mut f = fact(
                    FactKind::MembershipStarted,
                    m.valid_from,
                    subject(ContextType::Team, team),
                    1,
                );
                f.employee = Some(m.employee_id.as_uuid());
                f.team = Some(team);
                f.until = m.valid_to;
                out.push(f);
            }
            TeamEvent::MemberRemoved(p) => {
                let team = p.team_id.as_uuid();
                let mut f = fact(
                    FactKind::MembershipEnded,
                    p.valid_to,
                    subject(ContextType::Team, team),
                    1,
                );
                f.employee = Some(p.employee_id.as_uuid());
                f.team = Some(team);
                f.until = Some(p.valid_to);
                out.push(f);
            }
            _ => {}
        },
        // A version in force (a scheduled one is not yet): one fact for the version and
        // one per membership it records, all on the day it takes effect.
        Source::Org(OrgStructureEvent::Published(d)) => {
            let on = d.effective_at.date_naive();
            let number = i64::from(u32::from(d.number));
            let version = subject(ContextType::OrgStructure, d.version_id.as_uuid());
            out.push(fact(FactKind::OrgVersion, on, version, number));
            for m in &d.snapshot.memberships {
                let mut f = fact(FactKind::OrgMember, on, version, number);
                f.employee = Some(m.employee_id.as_uuid());
                f.team = Some(m.team_id.as_uuid());
                out.push(f);
            }
        }
        Source::Org(OrgStructureEvent::Scheduled(_)) => {}
    }
    Ok(out)
}
