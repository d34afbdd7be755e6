//! Ticket commands and reads. Every ticket command runs in one unit of work with the
//! ticket's SLA: the timeline row is extended, `sla.paused` / `sla.resumed` follow status
//! changes of a pausing status, and any outcome the clock has reached at `now` (a met
//! first response on the first public reply, a met or breached resolution on resolve, a
//! breach the job has not seen yet) is recorded in the same transaction.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::prelude::*;
use mysql_async::{Row, Transaction, Value as SqlValue};
use pet_core::helpdesk::{
    sla_summary, Channel, NewTicket, Priority, ProjectId, ReopenWindow, ReplyAuthor, ReplyBody,
    ReplyId, SlaAssignment, SlaAssignmentCommand, SlaDefinitionId, SlaEvent, SlaSpec,
    SlaVersionNumber, Ticket, TicketCommand, TicketEvent, TicketFacts, TicketId, TicketNumber,
    TicketRow, TicketStatus, TicketTimeline, TimelineChange, Visibility,
};
use pet_core::identity::{ContactId, CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Name};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::sla::{assignment_from_row, sla_json, ASSIGNMENT_COLUMNS};
use super::{db, internal, like_escape, HelpdeskTables};
use crate::app::{App, CommandContext};
use crate::command::{command, Actors, Cmd, Repository};
use crate::db::{from_db_time, rfc3339, server_code, to_db_time};
use crate::error::AppError;
use crate::fields::{command_input, Field, OrBlank};
use crate::input::arg_uuid;
use crate::paging::{
    bounded_count_sql, fulltext_prefix_query, where_sql, Key, Order, Total, SEARCH_CANDIDATES,
    SORT_ABORTED,
};
use crate::services::Helpdesk;

/// The contact who caused a timeline entry's event and their name (`None`: not a contact).
type ActorOfEntry = (Option<String>, Option<String>);

/// The ticket's clock timeline as stored in `tickets.sla_timeline`.
pub(crate) fn parse_timeline(s: &str) -> Result<TicketTimeline, AppError> {
    serde_json::from_str(s)
        .map_err(|e| AppError::Storage(format!("stored ticket timeline unreadable: {e}")))
}

fn timeline_text(tl: &TicketTimeline) -> Result<String, AppError> {
    serde_json::to_string(tl).map_err(|_| internal("timeline not serialisable"))
}

/// An entry of the clock timeline as the ticket view shows it: `created` (with the
/// initial `status` and `priority`), `status` and `priority` (with the new value in `to`),
/// `first_response`.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntryView {
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub kind: &'static str,
    /// The initial status (`created`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    /// The initial priority (`created`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// The new status or priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<&'static str>,
}

/// The timeline as the ticket view shows it.
fn timeline_view(tl: &TicketTimeline) -> Vec<TimelineEntryView> {
    let entry = |at, kind| TimelineEntryView {
        at: rfc3339(at),
        kind,
        status: None,
        priority: None,
        to: None,
    };
    let mut out = vec![TimelineEntryView {
        status: Some(tl.initial_status()),
        priority: Some(tl.initial_priority()),
        ..entry(tl.started_at(), "created")
    }];
    for (at, c) in tl.changes() {
        out.push(match c {
            TimelineChange::Status(s) => TimelineEntryView {
                to: Some(s.as_str()),
                ..entry(at, "status")
            },
            TimelineChange::Priority(p) => TimelineEntryView {
                to: Some(p.as_str()),
                ..entry(at, "priority")
            },
            TimelineChange::FirstResponse => entry(at, "first_response"),
        });
    }
    out
}

const TICKET_COLUMNS: &str =
    "id, customer_id, project_id, subject, priority, channel, assignee_id, \
     status, resolved_at, reply_count, version, sla_timeline, number";

fn opt_uuid(r: &Row, i: usize) -> Result<Option<Uuid>, AppError> {
    match r
        .get_opt::<Option<String>, _>(i)
        .and_then(Result::ok)
        .flatten()
    {
        None => Ok(None),
        Some(s) => Uuid::parse_str(&s)
            .map(Some)
            .map_err(|_| internal("stored id")),
    }
}

fn req<T: FromValue>(r: &Row, i: usize, what: &str) -> Result<T, AppError> {
    r.get_opt::<T, _>(i)
        .and_then(Result::ok)
        .ok_or_else(|| internal(what))
}

/// A ticket search: a ticket matches when every word begins a word of its subject, of its
/// customer's name or of one of its messages (replies and internal notes), or when the text
/// is the start of its id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TicketSearch {
    words: Vec<String>,
    id_prefix: Option<String>,
    /// The ticket number the text names (`12`, `#12`).
    number: Option<TicketNumber>,
}

impl TicketSearch {
    pub(crate) fn new(text: &str) -> TicketSearch {
        let words = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .take(8)
            .collect();
        let t = text.trim().to_ascii_lowercase();
        let hex = t.chars().filter(char::is_ascii_hexdigit).count();
        let id_prefix =
            (hex >= 8 && t.len() <= 36 && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
                .then_some(t);
        TicketSearch {
            words,
            id_prefix,
            number: TicketNumber::parse_reference(text),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty() && self.id_prefix.is_none() && self.number.is_none()
    }

    /// `t.number = ?` and `t.id LIKE 'prefix%'`: what the text names of the ticket itself
    /// (each by a unique index).
    fn own(&self, parts: &mut Vec<String>, params: &mut Vec<SqlValue>) {
        if let Some(n) = self.number {
            params.push(n.get().into());
            parts.push("t.number = ?".into());
        }
        if let Some(p) = &self.id_prefix {
            params.push(format!("{}%", like_escape(p)).into());
            parts.push("t.id LIKE ?".into());
        }
    }

    /// `col REGEXP '\\bw1' AND col REGEXP '\\bw2' …` (the words are letters and digits only).
    fn field(&self, col: &str, params: &mut Vec<SqlValue>) -> Option<String> {
        if self.words.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .words
            .iter()
            .map(|w| {
                params.push(format!("\\b{w}").into());
                format!("{col} REGEXP ?")
            })
            .collect();
        Some(format!("({})", parts.join(" AND ")))
    }

    /// The condition a matching ticket meets (over `t`, its customer `c`).
    pub(crate) fn matches(&self, t: &HelpdeskTables) -> (String, Vec<SqlValue>) {
        let mut params = Vec::new();
        let mut parts = Vec::new();
        parts.extend(self.field("t.subject", &mut params));
        parts.extend(self.field("c.name", &mut params));
        if let Some(body) = self.field("r.body", &mut params) {
            // A scalar subquery (LIMIT 1), not EXISTS: MariaDB may turn an EXISTS into an
            // IN and materialize it — every reply of every ticket read before the first
            // row, which the bounded scan cannot afford (seen at 1,000,000 replies once the
            // statistics changed). This one runs per ticket examined, by ix_reply_ticket.
            parts.push(format!(
                "(SELECT 1 FROM {} r WHERE r.ticket_id = t.id AND {body} LIMIT 1) IS NOT NULL",
                t.replies
            ));
        }
        self.own(&mut parts, &mut params);
        (format!("({})", parts.join(" OR ")), params)
    }

    /// The words the FULLTEXT indexes can be asked for, as a boolean-mode query
    /// (`+word* +word*`), if any.
    fn fulltext_query(&self) -> Option<String> {
        fulltext_prefix_query(&self.words.join(" "))
    }

    /// The tickets that can match, from the FULLTEXT indexes of subjects, messages and
    /// customer names: `t.id IN (…) OR t.customer_id IN (…)`, and the ticket the text
    /// names by number or id (or, when no word can be asked of the indexes and the text
    /// names no ticket, no restriction: every ticket is a candidate).
    pub(crate) async fn candidates(
        &self,
        conn: &mut mysql_async::Conn,
        t: &HelpdeskTables,
        tables: &crate::config::Tables,
    ) -> Result<(String, Vec<SqlValue>), AppError> {
        let Some(ft) = self.fulltext_query() else {
            if self.number.is_some() {
                // A number (too short a word for the indexes): the ticket it names.
                let (mut parts, mut params) = (Vec::new(), Vec::new());
                self.own(&mut parts, &mut params);
                return Ok((format!("({})", parts.join(" OR ")), params));
            }
            return Ok(("1 = 1".into(), Vec::new()));
        };
        // Ticket ids whose subject or a message has the words; customers whose name has them.
        let mut found: Vec<Vec<String>> = Vec::with_capacity(3);
        for (select, table, column) in [
            ("id", &t.tickets, "subject"),
            ("DISTINCT ticket_id", &t.replies, "body"),
            ("id", &tables.customers, "name"),
        ] {
            found.push(
                conn.exec(
                    format!(
                        "SELECT {select} FROM {table} WHERE MATCH({column}) AGAINST(? IN BOOLEAN MODE) \
                         LIMIT {SEARCH_CANDIDATES}"
                    ),
                    (ft.as_str(),),
                )
                .await
                .map_err(db)?,
            );
        }
        let customers = found.pop().unwrap_or_default();
        let tickets: Vec<String> = found.into_iter().flatten().collect();
        let mut parts = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        for (col, ids) in [("t.id", tickets), ("t.customer_id", customers)] {
            if !ids.is_empty() {
                parts.push(format!("{col} IN ({})", vec!["?"; ids.len()].join(", ")));
                params.extend(ids.into_iter().map(SqlValue::from));
            }
        }
        self.own(&mut parts, &mut params);
        if parts.is_empty() {
            return Ok(("1 = 0".into(), Vec::new()));
        }
        Ok((format!("({})", parts.join(" OR ")), params))
    }
}

/// SLA versions' specs and definitions' names, each read once per request.
#[derive(Default)]
struct SlaCache {
    versions: HashMap<(Uuid, u32), (SlaSpec, Option<String>)>,
}

impl SlaCache {
    /// The spec of `a`'s pinned version and its definition's name.
    async fn get<Q: Queryable>(
        &mut self,
        app: &App,
        q: &mut Q,
        t: &HelpdeskTables,
        a: &SlaAssignment,
    ) -> Result<(&SlaSpec, Option<&str>), AppError> {
        let key = (a.definition_id().as_uuid(), a.definition_version().get());
        if let std::collections::hash_map::Entry::Vacant(e) = self.versions.entry(key) {
            let spec = app
                .helpdesk()
                .hd_load_sla_spec(q, t, a.definition_id(), a.definition_version())
                .await?;
            let name: Option<String> = q
                .exec_first(
                    format!("SELECT name FROM {} WHERE id = ?", t.sla_definitions),
                    (a.definition_id().to_string(),),
                )
                .await
                .map_err(db)?;
            e.insert((spec, name));
        }
        let (spec, name) = self
            .versions
            .get(&key)
            .ok_or_else(|| internal("SLA cache"))?;
        Ok((spec, name.as_deref()))
    }
}

fn ticket_from_row(r: &Row) -> Result<(Ticket, TicketTimeline), AppError> {
    let id: String = req(r, 0, "ticket id")?;
    let customer: String = req(r, 1, "customer id")?;
    let subject: String = req(r, 3, "subject")?;
    let priority: String = req(r, 4, "priority")?;
    let channel: String = req(r, 5, "channel")?;
    let status: String = req(r, 7, "status")?;
    let resolved: Option<NaiveDateTime> = req(r, 8, "resolved_at")?;
    let replies: u32 = req(r, 9, "reply_count")?;
    let version: u64 = req(r, 10, "version")?;
    let timeline: String = req(r, 11, "timeline")?;
    let bad = |_| internal("stored ticket row");
    // By name: the command's row has it after the timeline, a view's row last.
    let number: Option<u32> = r
        .get_opt::<Option<u32>, &str>("number")
        .ok_or_else(|| internal("ticket row without its number column"))?
        .map_err(|_| internal("stored ticket number"))?;
    let row = TicketRow {
        id: TicketId::from_uuid(Uuid::parse_str(&id).map_err(|_| internal("ticket id"))?),
        number: number
            .map(|n| TicketNumber::new("number", n))
            .transpose()
            .map_err(bad)?,
        customer_id: CustomerId::from_uuid(
            Uuid::parse_str(&customer).map_err(|_| internal("customer id"))?,
        ),
        project_id: opt_uuid(r, 2)?.map(ProjectId::from_uuid),
        subject: Name::new(&subject).map_err(bad)?,
        priority: Priority::parse(&priority).map_err(bad)?,
        channel: Channel::parse(&channel).map_err(bad)?,
        assignee: opt_uuid(r, 6)?.map(EmployeeId::from_uuid),
        status: TicketStatus::parse(&status).map_err(bad)?,
        resolved_at: resolved.map(from_db_time),
        reply_count: replies,
        version,
    };
    Ok((Ticket::restore(row), parse_timeline(&timeline)?))
}

/// What one ticket command runs: commands on an existing ticket, or the commands that open
/// a new one for `customer_id`, made once its number is drawn.
pub(crate) enum TicketWork<'a> {
    Existing(Vec<TicketCommand>),
    New {
        customer_id: CustomerId,
        /// The employee it is assigned to from the start (its name is read with the number).
        assignee: Option<EmployeeId>,
        make: &'a (dyn Fn(TicketNumber) -> Vec<TicketCommand> + Sync),
    },
}

/// Tickets: restored from their state rows (with the clock timeline kept beside them);
/// saved with the timeline and the SLA summary the same command computed, and a row per
/// reply.
pub(crate) struct Tickets<'a> {
    pub(crate) app: &'a App,
    /// What a save writes beside the ticket (none when the repository only loads).
    save: Option<TicketSave<'a>>,
}

/// What a ticket command saves beside the ticket's own fields.
struct TicketSave<'a> {
    timeline: &'a TicketTimeline,
    first_response: bool,
    sla: (Option<&'static str>, Option<DateTime<Utc>>),
}

impl<'a> Tickets<'a> {
    /// The repository for loading only.
    pub(crate) fn reader(app: &'a App) -> Self {
        Self { app, save: None }
    }
}

impl Repository<Ticket> for Tickets<'_> {
    const NAME: &'static str = "ticket";
    async fn load(&self, tx: &mut Transaction<'_>, id: Uuid) -> Result<Option<Ticket>, AppError> {
        let t = self.app.helpdesk_tables();
        Ok(self
            .app
            .helpdesk()
            .hd_load_ticket_locked(tx, &t, id)
            .await?
            .map(|(tk, _)| tk))
    }
    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &Ticket,
        events: &[TicketEvent],
    ) -> Result<(), AppError> {
        let t = self.app.helpdesk_tables();
        let id = after.id().as_uuid();
        let nowdb = to_db_time(cx.now());
        let save = self
            .save
            .as_ref()
            .ok_or_else(|| internal("ticket saved without its timeline"))?;
        let tl = timeline_text(save.timeline)?;
        let (sla_state, sla_due) = save.sla;
        let first_response = save.first_response;
        let is_new = before == 0;
        if is_new {
            cx.uow()
                .write(
                    &format!(
                        "INSERT INTO {} (id, number, customer_id, project_id, subject, priority, channel, assignee_id, \
                         status, is_active, resolved_at, reply_count, first_response_at, sla_timeline, sla_state, \
                         sla_due_at, version, created_at, updated_at) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        t.tickets
                    ),
                    vec![
                        SqlValue::from(id.to_string()),
                        after.number().map(TicketNumber::get).into(),
                        after.customer_id().to_string().into(),
                        after.project_id().map(|p| p.to_string()).into(),
                        after.subject().as_str().into(),
                        after.priority().as_str().into(),
                        after.channel().as_str().into(),
                        after.assignee().map(|a| a.to_string()).into(),
                        after.status().as_str().into(),
                        (!after.status().is_done()).into(),
                        after.resolved_at().map(to_db_time).into(),
                        after.reply_count().into(),
                        SqlValue::NULL,
                        tl.into(),
                        sla_state.into(),
                        sla_due.map(to_db_time).into(),
                        after.version().into(),
                        nowdb.into(),
                        nowdb.into(),
                    ],
                )
                .await?;
        } else {
            cx.uow().update_versioned(
                &format!(
                    "UPDATE {} SET priority = ?, assignee_id = ?, status = ?, is_active = ?, resolved_at = ?, reply_count = ?, \
                     first_response_at = COALESCE(first_response_at, ?), sla_timeline = ?, sla_state = ?, \
                     sla_due_at = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.tickets
                ),
                vec![
                    SqlValue::from(after.priority().as_str()),
                    after.assignee().map(|a| a.to_string()).into(),
                    after.status().as_str().into(),
                    (!after.status().is_done()).into(),
                    after.resolved_at().map(to_db_time).into(),
                    after.reply_count().into(),
                    if first_response { Some(nowdb) } else { None }.into(),
                    tl.into(),
                    sla_state.into(),
                    sla_due.map(to_db_time).into(),
                    after.version().into(),
                    nowdb.into(),
                    id.to_string().into(),
                    before.into(),
                ],
                "ticket",
            )
            .await?;
        }
        for ev in events {
            if let TicketEvent::Replied(p) = ev {
                let (kind, emp, contact) = match p.author {
                    ReplyAuthor::Employee { employee_id } => {
                        ("employee", Some(employee_id.to_string()), None)
                    }
                    ReplyAuthor::Customer { contact_id } => {
                        ("customer", None, contact_id.map(|c| c.to_string()))
                    }
                };
                cx.uow()
                    .write(
                        &format!(
                            "INSERT INTO {} (id, ticket_id, author_kind, author_employee_id, author_contact_id, \
                             visibility, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            t.replies
                        ),
                        (
                            p.reply_id.to_string(),
                            id.to_string(),
                            kind,
                            emp,
                            contact,
                            p.visibility.as_str(),
                            p.body.as_str(),
                            nowdb,
                        ),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

/// The view of ticket `tk` with its names, its stored `(created_at, updated_at,
/// first_response_at)` and its SLA reading (the detail view adds replies, timeline and links).
fn ticket_view(
    tk: &Ticket,
    customer_name: Option<String>,
    assignee_name: Option<String>,
    (created, updated, first_response): (NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>),
    sla: Value,
) -> TicketView {
    TicketView {
        id: tk.id(),
        number: tk.number().map(TicketNumber::get),
        reference: tk.number().map_or_else(
            || tk.id().to_string()[..8].to_owned(),
            TicketNumber::reference,
        ),
        customer_id: tk.customer_id(),
        customer_name,
        project_id: tk.project_id(),
        subject: tk.subject().as_str().to_owned(),
        priority: tk.priority(),
        channel: tk.channel(),
        assignee_id: tk.assignee(),
        assignee_name,
        status: tk.status(),
        next_statuses: tk.status().next_statuses().to_vec(),
        actions: tk.actions(),
        resolved_at: tk.resolved_at().map(rfc3339),
        reply_count: tk.reply_count(),
        first_response_at: first_response.map(|d| rfc3339(from_db_time(d))),
        version: tk.version(),
        created_at: rfc3339(from_db_time(created)),
        updated_at: rfc3339(from_db_time(updated)),
        sla,
        replies: None,
        timeline: None,
        linked_articles: None,
    }
}

/// The detail view of a ticket its command just made without an SLA, from what the command
/// knows: `after` with its clock `timeline`, its `events` (the first message's reply), the
/// customer's and assignee's names, stored at `now`. `None` when a reply's author name is not
/// at hand (an employee's): the view is read back then.
fn new_ticket_view(
    after: &Ticket,
    timeline: &TicketTimeline,
    events: &[TicketEvent],
    (customer_name, assignee_name): (Option<String>, Option<String>),
    now: DateTime<Utc>,
) -> Option<TicketView> {
    let stored = to_db_time(now);
    let replies = events
        .iter()
        .filter_map(|e| match e {
            TicketEvent::Replied(p) => Some(p),
            _ => None,
        })
        .map(|p| match p.author {
            ReplyAuthor::Employee { .. } => None,
            ReplyAuthor::Customer { contact_id } => Some(ReplyView {
                id: p.reply_id.to_string(),
                author_kind: "customer".into(),
                author_employee_id: None,
                author_name: None,
                author_contact_id: contact_id.map(|c| c.to_string()),
                visibility: p.visibility.as_str().to_owned(),
                body: p.body.as_str().to_owned(),
                created_at: rfc3339(from_db_time(stored)),
            }),
        })
        .collect::<Option<Vec<_>>>()?;
    let mut view = ticket_view(
        after,
        customer_name,
        assignee_name,
        (stored, stored, None),
        Value::Null,
    );
    view.replies = Some(replies);
    view.timeline = Some(timeline_view(timeline));
    view.linked_articles = Some(Vec::new());
    Some(view)
}

/// What [`App::hd_draw_ticket_number`] read in its one round trip.
struct DrawnTicketNumber {
    /// The customer's status (`None`: no such customer).
    customer_status: Option<CustomerStatus>,
    /// The number drawn (`u32::MAX` when none was: the command is refused).
    number: TicketNumber,
    /// When asked for: the actor's status (`None` inside: no such employee).
    actor_status: Option<Option<String>>,
    /// The customer's name.
    customer_name: Option<String>,
    /// The assignee's name, when one was given and exists.
    assignee_name: Option<String>,
}

/// SLA assignments (one per ticket under an SLA): restored from their rows; saved with the
/// outcome rows of the recorded warnings, breaches and met targets.
pub(crate) struct SlaAssignments<'a>(pub(crate) &'a App);

impl Repository<SlaAssignment> for SlaAssignments<'_> {
    const NAME: &'static str = "SLA assignment";
    async fn load(
        &self,
        tx: &mut Transaction<'_>,
        id: Uuid,
    ) -> Result<Option<SlaAssignment>, AppError> {
        let t = self.0.helpdesk_tables();
        self.0
            .helpdesk()
            .hd_load_assignment_locked(tx, &t, id)
            .await
    }
    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &SlaAssignment,
        events: &[SlaEvent],
    ) -> Result<(), AppError> {
        let t = self.0.helpdesk_tables();
        self.0
            .helpdesk()
            .hd_write_sla_assignment(cx.uow(), &t, before, after)
            .await?;
        self.0
            .helpdesk()
            .hd_insert_sla_outcomes(cx.uow(), &t, events)
            .await
    }
}

/// A ticket as every ticket read and command returns it (the detail view adds its
/// conversation, clock timeline and linked articles).
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    /// The id.
    pub id: TicketId,
    /// Its number (`null`: opened before tickets were numbered).
    pub number: Option<u32>,
    /// Its human reference: `#12`, or for a ticket without a number the start of its id.
    pub reference: String,
    /// The customer.
    pub customer_id: CustomerId,
    /// The customer's name.
    pub customer_name: Option<String>,
    /// The project, if any.
    pub project_id: Option<ProjectId>,
    /// Subject line.
    pub subject: String,
    /// Priority.
    pub priority: Priority,
    /// How it came in.
    pub channel: Channel,
    /// Who works on it.
    pub assignee_id: Option<EmployeeId>,
    /// The assignee's name.
    pub assignee_name: Option<String>,
    /// Status.
    pub status: TicketStatus,
    /// The statuses it may move to now (the moves a screen offers).
    pub next_statuses: Vec<TicketStatus>,
    /// The other commands it takes now (`assign`, `change_priority`, `reply`, `reopen`);
    /// empty once closed.
    pub actions: &'static [&'static str],
    /// When it was last resolved (RFC 3339).
    pub resolved_at: Option<String>,
    /// Replies and internal notes.
    pub reply_count: u32,
    /// When the first customer-visible reply was sent.
    pub first_response_at: Option<String>,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// Its SLA clocks (`null` when under no SLA).
    pub sla: Value,
    /// The conversation, oldest first (detail view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<ReplyView>>,
    /// The clock timeline (detail view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntryView>>,
    /// Articles linked to it (detail view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_articles: Option<Vec<LinkedArticleView>>,
}

/// A reply or internal note in a ticket's view.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    /// The reply.
    pub id: String,
    /// `employee` or `customer`.
    pub author_kind: String,
    /// The writing employee.
    pub author_employee_id: Option<String>,
    /// The writing employee's name.
    pub author_name: Option<String>,
    /// The writing contact.
    pub author_contact_id: Option<String>,
    /// `public` or `internal`.
    pub visibility: String,
    /// The text.
    pub body: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// An article linked to a ticket.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedArticleView {
    /// The article.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its slug.
    pub slug: String,
    /// When it was linked (RFC 3339).
    pub linked_at: String,
}

/// The values a ticket's fields take ([`App::ticket_options`]).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TicketOptions {
    /// Priorities, lowest first.
    pub priority: &'static [Priority],
    /// Channels.
    pub channel: &'static [Channel],
    /// Statuses in life-cycle order.
    pub status: &'static [TicketStatus],
    /// Reply visibilities.
    pub visibility: &'static [Visibility],
    /// SLA states (the list filter's values; `none` is the filter's "under no SLA").
    pub sla_state: &'static [pet_core::helpdesk::SlaState],
}

impl TicketOptions {
    /// Every value of each field, from pet-core.
    pub const ALL: TicketOptions = TicketOptions {
        priority: Priority::ALL,
        channel: Channel::ALL,
        status: TicketStatus::ALL,
        visibility: Visibility::ALL,
        sla_state: pet_core::helpdesk::SlaState::ALL,
    };
}

command_input! {
    /// Input of [`App::create_ticket`].
    pub struct CreateTicket {
        /// The customer (must be active).
        customer_id: CustomerId,
        /// Subject line.
        subject: Name,
        /// Priority (normal when omitted).
        priority: Priority = Priority::Normal,
        /// How it came in (email when omitted).
        channel: Channel = Channel::Email,
        /// First assignee (an active employee).
        assignee_id: Option<EmployeeId>,
        /// The project it belongs to.
        project_id: Option<ProjectId>,
        /// Pins the ticket to this SLA definition's version in force.
        sla_definition_id: Option<SlaDefinitionId>,
        /// The customer's first message (a public reply by the customer, recorded with
        /// the ticket in the same command); empty or omitted for none.
        message: OrBlank<ReplyBody>,
        /// The customer's contact who wrote the first message, when known.
        contact_id: Option<ContactId>,
    }
}

command_input! {
    /// Input of [`App::reopen_ticket`].
    pub struct ReopenTicket {
        /// The site's reopen window (7 days when omitted).
        reopen_window_minutes: ReopenWindow = ReopenWindow::DEFAULT,
    }
}

command_input! {
    /// Input of [`App::reply_to_ticket`].
    pub struct ReplyInput {
        /// The text.
        body: ReplyBody,
        /// Public (the default) or an internal note.
        visibility: Visibility = Visibility::Public,
        /// Who wrote it (the actor, an employee, by default).
        author: ReplyAuthorKind = ReplyAuthorKind::Employee,
        /// The writing contact (customer replies).
        contact_id: Option<ContactId>,
    }
}

impl ReplyInput {
    /// Parses the input; an employee reply without an actor is one more field error
    /// (`author`), reported with the others.
    pub fn parse_for(v: &Value, actor: Option<Uuid>) -> Result<Self, AppError> {
        let parsed = Self::parse(v, "input");
        let employee = match &parsed {
            Ok(r) => r.author == ReplyAuthorKind::Employee,
            // The author as given, when it was not itself the bad field.
            Err(_) => match v.get("author") {
                None | Some(Value::Null) => true,
                Some(a) => a.as_str() == Some("employee"),
            },
        };
        if !employee || actor.is_some() {
            return parsed;
        }
        let mut errors = match parsed {
            Err(AppError::Validation(f)) => f,
            Err(other) => return Err(other),
            Ok(_) => pet_core::FieldErrors::new(),
        };
        errors.add("author", NO_ACTOR);
        Err(AppError::Validation(errors))
    }
}

const NO_ACTOR: &str = "an employee reply needs an actor_id in the context";

/// Who wrote a reply, as the input names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyAuthorKind {
    /// The acting employee.
    Employee,
    /// The customer (a logged message), optionally a contact.
    Customer,
}

impl ReplyAuthorKind {
    /// The author of the reply: the actor for an employee reply.
    fn author(
        self,
        actor: Option<Uuid>,
        contact: Option<ContactId>,
    ) -> Result<ReplyAuthor, AppError> {
        match self {
            ReplyAuthorKind::Employee => actor
                .map(|a| ReplyAuthor::Employee {
                    employee_id: EmployeeId::from_uuid(a),
                })
                .ok_or_else(|| AppError::field("author", NO_ACTOR)),
            ReplyAuthorKind::Customer => Ok(ReplyAuthor::Customer {
                contact_id: contact,
            }),
        }
    }
}

impl Field for ReplyAuthorKind {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        match v.as_str() {
            None => Err("must be a string".into()),
            Some("employee") => Ok(ReplyAuthorKind::Employee),
            Some("customer") => Ok(ReplyAuthorKind::Customer),
            Some(_) => Err("must be employee or customer".into()),
        }
    }
}

command_input! {
    /// Query of [`App::list_tickets`] (an empty filter is no filter).
    pub struct TicketQuery {
        /// A status, or `active` (every status but resolved and closed).
        status: OrBlank<StatusFilter>,
        /// A priority.
        priority: OrBlank<Priority>,
        /// An employee, or `none` for unassigned tickets.
        assignee_id: OrBlank<AssigneeFilter>,
        /// A customer.
        customer_id: Option<CustomerId>,
        /// An SLA state, or `none` for tickets under no SLA.
        sla_state: OrBlank<SlaStateFilter>,
        /// Words of the subject, the conversation or the customer's name, a ticket number
        /// (`12`, `#12`) or the start of an id.
        search: Option<String>,
        /// The order (relevance with a search, created without, when omitted).
        sort: Option<TicketSort>,
        /// `asc` or `desc` (desc, but asc for `due`, when omitted).
        order: Option<SortOrder>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

/// The status filter of the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Not resolved or closed.
    Active,
    /// This status.
    Is(TicketStatus),
}

impl Field for StatusFilter {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        match v.as_str() {
            Some("active") => Ok(StatusFilter::Active),
            _ => TicketStatus::read(field, v).map(StatusFilter::Is),
        }
    }
}

/// The assignee filter of the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Unassigned tickets.
    Unassigned,
    /// Tickets of this employee.
    Is(Uuid),
}

impl Field for AssigneeFilter {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        match v.as_str() {
            Some("none") => Ok(AssigneeFilter::Unassigned),
            _ => Uuid::read(field, v).map(AssigneeFilter::Is),
        }
    }
}

/// The SLA state filter of the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaStateFilter {
    /// Tickets under no SLA.
    None,
    /// Tickets whose stored SLA state is this one.
    Is(&'static str),
}

impl Field for SlaStateFilter {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        const STATES: [&str; 5] = ["running", "paused", "warning", "breached", "met"];
        match v.as_str() {
            None => Err("must be a string".into()),
            Some("none") => Ok(SlaStateFilter::None),
            Some(s) => STATES
                .iter()
                .find(|st| **st == s)
                .map(|st| SlaStateFilter::Is(st))
                .ok_or_else(|| "must be running, paused, warning, breached, met or none".into()),
        }
    }
}

/// The order of the ticket list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketSort {
    /// By the next SLA due time.
    Due,
    /// By creation.
    Created,
    /// By last change.
    Updated,
    /// By priority.
    Priority,
    /// By how well a ticket matches the search (only with a search).
    Relevance,
}

impl Field for TicketSort {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        match v.as_str() {
            None => Err("must be a string".into()),
            Some("due") => Ok(TicketSort::Due),
            Some("created") => Ok(TicketSort::Created),
            Some("updated") => Ok(TicketSort::Updated),
            Some("priority") => Ok(TicketSort::Priority),
            Some("relevance") => Ok(TicketSort::Relevance),
            Some(_) => Err("must be due, created, updated, priority or relevance".into()),
        }
    }
}

/// The active filter (not resolved or closed; `is_active` is written with the status,
/// migration 0015): its index serves the page in every order and the bounded count.
const ACTIVE: &str = "t.is_active = 1";

/// What the command that builds a ticket view already knows, so the view skips reads whose
/// answer is certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// Nothing: read everything.
    Nothing,
    /// The ticket was made by this command: no article links yet.
    New,
    /// Made by this command without an SLA: no links and no SLA assignment.
    NewWithoutSla,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

impl Field for SortOrder {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        match v.as_str() {
            None => Err("must be a string".into()),
            Some("asc") => Ok(SortOrder::Asc),
            Some("desc") => Ok(SortOrder::Desc),
            Some(_) => Err("must be asc or desc".into()),
        }
    }
}

/// Which SLA to assign with a command.
struct AssignSla(Uuid);

impl Helpdesk<'_> {
    /// The facts `cmd` needs; `customer` is the new ticket's customer's status when the
    /// number was drawn with it ([`App::hd_draw_ticket_number`]).
    async fn hd_ticket_facts<Q: Queryable>(
        &self,
        q: &mut Q,
        cmd: &TicketCommand,
        customer: Option<CustomerStatus>,
    ) -> Result<TicketFacts, AppError> {
        let mut facts = TicketFacts::new();
        let assignee = match cmd {
            TicketCommand::Create(n) => {
                if let Some(st) = customer {
                    facts = facts.with_customer(n.customer_id, st);
                }
                if let Some(p) = n.project_id {
                    let row: Option<(Option<String>,)> = q
                        .exec_first(
                            format!(
                                "SELECT customer_id FROM {} WHERE id = ?",
                                self.delivery_tables().projects
                            ),
                            (p.to_string(),),
                        )
                        .await
                        .map_err(db)?;
                    if let Some((customer,)) = row {
                        let customer = customer
                            .map(|c| crate::input::arg_uuid("customer_id", &c))
                            .transpose()?
                            .map(pet_core::identity::CustomerId::from_uuid);
                        facts = facts.with_project(p, customer);
                    }
                }
                n.assignee
            }
            TicketCommand::Assign { assignee } => *assignee,
            _ => None,
        };
        if let Some(a) = assignee {
            if let Some(st) = self.employee_status(q, a.as_uuid()).await? {
                facts = facts.with_employee(a, st);
            }
        }
        Ok(facts)
    }

    /// Adds to `facts` the customer of each known contact that writes a reply in `cmds`
    /// (one keyed read each: the rule that a contact writes only on its customer's tickets).
    async fn hd_contact_facts<Q: Queryable>(
        &self,
        q: &mut Q,
        cmds: &[TicketCommand],
        mut facts: TicketFacts,
    ) -> Result<TicketFacts, AppError> {
        for cmd in cmds {
            let contact = match cmd {
                TicketCommand::Reply {
                    author:
                        ReplyAuthor::Customer {
                            contact_id: Some(c),
                        },
                    ..
                }
                | TicketCommand::Reopen {
                    contact_id: Some(c),
                    ..
                } => Some(c),
                _ => None,
            };
            if let Some(c) = contact {
                let customer: Option<String> = q
                    .exec_first(
                        format!(
                            "SELECT customer_id FROM {} WHERE id = ?",
                            self.tables().contacts
                        ),
                        (c.to_string(),),
                    )
                    .await
                    .map_err(db)?;
                if let Some(customer) = customer {
                    let customer = CustomerId::from_uuid(arg_uuid("customer_id", &customer)?);
                    facts = facts.with_contact(*c, customer);
                }
            }
        }
        Ok(facts)
    }

    async fn hd_load_ticket_locked(
        &self,
        tx: &mut Transaction<'_>,
        t: &HelpdeskTables,
        id: Uuid,
    ) -> Result<Option<(Ticket, TicketTimeline)>, AppError> {
        let row: Option<Row> = tx
            .exec_first(
                format!(
                    "SELECT {TICKET_COLUMNS} FROM {} WHERE id = ? FOR UPDATE",
                    t.tickets
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        row.map(|r| ticket_from_row(&r)).transpose()
    }

    async fn hd_load_assignment_locked(
        &self,
        tx: &mut Transaction<'_>,
        t: &HelpdeskTables,
        id: Uuid,
    ) -> Result<Option<SlaAssignment>, AppError> {
        let row: Option<Row> = tx
            .exec_first(
                format!(
                    "SELECT {ASSIGNMENT_COLUMNS} FROM {} WHERE ticket_id = ? FOR UPDATE",
                    t.sla_assignments
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        row.map(|r| assignment_from_row(&r)).transpose()
    }

    /// The SLA part of a ticket command: assign (if asked), track a status change, record
    /// what the clock reached at `now` — decided in that order against the ticket's SLA
    /// assignment and saved once. Returns the ticket's SLA summary to store.
    async fn hd_track_sla(
        &self,
        cx: &mut Cmd<'_, '_>,
        ticket: &Ticket,
        timeline: &TicketTimeline,
        status_changed: bool,
        assign: Option<AssignSla>,
        is_new: bool,
    ) -> Result<(Option<&'static str>, Option<DateTime<Utc>>), AppError> {
        let t = self.helpdesk_tables();
        let repo = SlaAssignments(self);
        let tid = ticket.id();
        let mut state = if is_new {
            None
        } else {
            repo.load(cx.tx().await?, tid.as_uuid()).await?
        };
        let mut cmds = Vec::new();
        if let Some(AssignSla(def)) = assign {
            ticket.may_take_sla()?;
            let definition = self
                .hd_load_sla_definition_for_assign(cx.tx().await?, &t, def)
                .await?;
            cmds.push(SlaAssignmentCommand::assign(tid, &definition)?);
        }
        let pinned = match (&state, &cmds[..]) {
            (Some(a), _) => Some((a.definition_id(), a.definition_version())),
            (
                None,
                [SlaAssignmentCommand::Assign {
                    definition_id,
                    definition_version,
                    ..
                }],
            ) => Some((*definition_id, *definition_version)),
            _ => None,
        };
        let Some((definition_id, definition_version)) = pinned else {
            return Ok((None, None));
        };
        let spec: SlaSpec = self
            .hd_load_sla_spec(cx.tx().await?, &t, definition_id, definition_version)
            .await?;
        if status_changed || !cmds.is_empty() {
            cmds.push(SlaAssignmentCommand::TrackStatus {
                status: ticket.status(),
                spec: spec.clone(),
            });
        }
        let reading = pet_core::helpdesk::sla_clock(&spec, timeline, cx.now());
        cmds.push(SlaAssignmentCommand::Record { reading });
        let decided = cx.decide(state.take(), &cmds, &())?;
        cx.save(&repo, &decided).await?;
        let (sla_state, due) = sla_summary(&reading, &decided.after.recorded());
        Ok((Some(sla_state.as_str()), due))
    }

    async fn hd_load_sla_definition_for_assign(
        &self,
        tx: &mut Transaction<'_>,
        t: &HelpdeskTables,
        id: Uuid,
    ) -> Result<pet_core::helpdesk::SlaDefinition, AppError> {
        // Versions are immutable and the current one is read in this transaction: a
        // version published concurrently is either seen or published after the assignment.
        let row: Option<(String, u64)> = tx
            .exec_first(
                format!(
                    "SELECT name, version FROM {} WHERE id = ? LOCK IN SHARE MODE",
                    t.sla_definitions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let (name, version) = row
            .ok_or_else(|| AppError::field("sla_definition_id", "is not a known SLA definition"))?;
        let numbers: Vec<u32> = tx
            .exec(
                format!(
                    "SELECT number FROM {} WHERE definition_id = ? ORDER BY number",
                    t.sla_versions
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let def_id = SlaDefinitionId::from_uuid(id);
        let mut versions = Vec::new();
        if let Some(n) = numbers.last() {
            let number = SlaVersionNumber::new(*n).map_err(|_| internal("version number"))?;
            let spec = self.hd_load_sla_spec(tx, t, def_id, number).await?;
            versions.push(pet_core::helpdesk::SlaVersion { number, spec });
        }
        Ok(pet_core::helpdesk::SlaDefinition::restore(
            def_id,
            Name::new(&name).map_err(|_| internal("definition name"))?,
            versions,
            version,
        ))
    }

    async fn hd_ticket_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: TicketCommand,
        assign: Option<AssignSla>,
    ) -> Result<Value, AppError> {
        self.hd_ticket_commands(
            ctx,
            command,
            request,
            id,
            TicketWork::Existing(vec![cmd]),
            assign,
        )
        .await
    }

    /// Draws the next ticket number with the customer's status and name (and the name of
    /// the employee `assignee`, when given), in one round trip (`NEXTVAL` of the sequence of
    /// migration 0017, per row found: nothing is drawn for an unknown customer, whose ticket
    /// the rules refuse). The sequence is not transactional: a command that rolls back
    /// leaves a gap, as every helpdesk's numbering does.
    ///
    /// With `actor` (a command whose body reads its actor, `Actors::EmployeesReadByBody`)
    /// the same round trip reads that employee's status (the outer `None`: no row, so not
    /// read; the inner `None`: no such employee) and draws the number only for an active
    /// one: a refused actor draws nothing.
    async fn hd_draw_ticket_number<Q: Queryable>(
        &self,
        q: &mut Q,
        customer: CustomerId,
        assignee: Option<EmployeeId>,
        actor: Option<Uuid>,
    ) -> Result<DrawnTicketNumber, AppError> {
        let t = self.helpdesk_tables();
        let (customers, employees) = (&self.tables().customers, &self.tables().employees);
        let assignee = assignee.map(|a| a.to_string());
        type DrawRow = (
            String,
            Option<u64>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        // Without an actor to read, the join finds no row and the number is always drawn.
        let row: Option<DrawRow> = q
            .exec_first(
                format!(
                    "SELECT c.status, IF(? OR a.status = '{active}', NEXTVAL({seq}), NULL), a.status, \
                     c.name, (SELECT b.name FROM {employees} b WHERE b.id = ?) \
                     FROM {customers} c LEFT JOIN {employees} a ON a.id = ? WHERE c.id = ?",
                    active = EmployeeStatus::Active.as_str(),
                    seq = t.ticket_numbers,
                ),
                (
                    actor.is_none(),
                    assignee,
                    actor.map(|a| a.to_string()),
                    customer.to_string(),
                ),
            )
            .await
            .map_err(db)?;
        let Some((status, n, actor_status, customer_name, assignee_name)) = row else {
            // Refused by the rules (no such customer): no number is drawn or recorded.
            return Ok(DrawnTicketNumber {
                customer_status: None,
                number: TicketNumber::new("ticket_number", u32::MAX)?,
                actor_status: None,
                customer_name: None,
                assignee_name: None,
            });
        };
        let status = CustomerStatus::parse(&status)
            .map_err(|_| AppError::Storage(format!("stored customer status {status:?}")))?;
        // Not drawn for a refused actor, whose command stops at the actor check.
        let n = n.unwrap_or(u64::from(u32::MAX));
        let n = u32::try_from(n)
            .map_err(|_| AppError::Storage("ticket numbers are exhausted".into()))?;
        Ok(DrawnTicketNumber {
            customer_status: Some(status),
            number: TicketNumber::new("ticket_number", n)?,
            actor_status: actor.map(|_| actor_status),
            customer_name,
            assignee_name,
        })
    }

    /// Runs `work` on one ticket as one command (one transaction, their events together):
    /// the first command decides what is loaded and which facts are read (a ticket opened
    /// with its first message is `[Create, Reply]`, made once its number is drawn).
    async fn hd_ticket_commands(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        work: TicketWork<'_>,
        assign: Option<AssignSla>,
    ) -> Result<Value, AppError> {
        // The commands email runs for customers (`*_by_mail`, below) have no employee actor.
        let actors = if command.ends_with("_by_mail") {
            Actors::EmployeesOrSystem
        } else {
            Actors::Employees
        };
        self.hd_ticket_commands_by(ctx, command, request, id, work, assign.map(|a| a.0), actors)
            .await
    }

    /// [`Self::hd_ticket_commands`] for the given `actors` (the customer portal runs a
    /// contact's commands without an employee: `Actors::EmployeesOrSystem`, the contact
    /// being the author its commands name).
    // One more than clippy's limit: the command's name, request and context, the work and
    // the SLA to assign are hd_ticket_commands' own arguments; `actors` is the one added.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn hd_ticket_commands_by(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        work: TicketWork<'_>,
        assign: Option<Uuid>,
        actors: Actors,
    ) -> Result<Value, AppError> {
        // A new ticket by an employee reads its actor with its number (one round trip less).
        let actors = match (&work, actors) {
            (TicketWork::New { .. }, Actors::Employees) => Actors::EmployeesReadByBody,
            (_, actors) => actors,
        };
        command!(self, ctx, command, &request, actors, |cx| {
            let (cmds, customer, names) = match &work {
                TicketWork::Existing(cmds) => (cmds.clone(), None, None),
                TicketWork::New {
                    customer_id,
                    assignee,
                    make,
                } => {
                    let actor = if actors == Actors::EmployeesReadByBody {
                        Some(cx.actor_to_read()?)
                    } else {
                        None
                    };
                    let drawn = self
                        .hd_draw_ticket_number(cx.tx().await?, *customer_id, *assignee, actor)
                        .await?;
                    if let Some(status) = &drawn.actor_status {
                        cx.check_actor(status.as_deref())?;
                    }
                    let names = (drawn.customer_name, drawn.assignee_name);
                    (make(drawn.number), drawn.customer_status, Some(names))
                }
            };
            let cmd = cmds.first().ok_or_else(|| internal("no ticket command"))?;
            let t = self.helpdesk_tables();
            let now = cx.now();
            let is_new = matches!(cmd, TicketCommand::Create(_));
            let (state, mut timeline) = match &cmd {
                TicketCommand::Create(n) => (
                    None,
                    TicketTimeline::new(now, TicketStatus::New, n.priority),
                ),
                _ => {
                    let (tk, tl) = self
                        .hd_load_ticket_locked(cx.tx().await?, &t, id)
                        .await?
                        .ok_or_else(|| AppError::NotFound(format!("ticket {id}")))?;
                    (Some(tk), tl)
                }
            };
            let facts = self.hd_ticket_facts(cx.tx().await?, cmd, customer).await?;
            let facts = self.hd_contact_facts(cx.tx().await?, &cmds, facts).await?;
            let decided = cx.decide(state, &cmds, &facts)?;
            let mut first_response = false;
            for ev in &decided.events {
                first_response |= timeline.record(now, ev);
            }
            let status_changed = decided.events.iter().any(TicketEvent::changes_status);
            let sla = self
                .hd_track_sla(
                    cx,
                    &decided.after,
                    &timeline,
                    status_changed,
                    assign.map(AssignSla),
                    is_new,
                )
                .await?;
            let repo = Tickets {
                app: self,
                save: Some(TicketSave {
                    timeline: &timeline,
                    first_response,
                    sla,
                }),
            };
            cx.save(&repo, &decided).await?;
            // A new ticket without an SLA is shown from what the command knows (its names
            // were read with its number): nothing read back, so its rows travel with its
            // events at the commit.
            if let (Some(names), None) = (names, assign) {
                let view = new_ticket_view(&decided.after, &timeline, &decided.events, names, now);
                if let Some(view) = view {
                    return serde_json::to_value(view)
                        .map_err(|e| internal(&format!("ticket view: {e}")));
                }
            }
            let mut specs = SlaCache::default();
            let known = match (is_new, assign) {
                (false, _) => Known::Nothing,
                (true, None) => Known::NewWithoutSla,
                (true, Some(_)) => Known::New,
            };
            self.hd_ticket_view(cx.tx().await?, &t, id, now, &mut specs, known)
                .await
        })
    }

    /// `SELECT` of the columns a ticket view reads (the row [`ticket_from_row`] parses, then
    /// the customer's and assignee's names, three times and the number: 18 columns), `extra` appended
    /// after them, from the tickets table `t` with its name joins.
    fn hd_view_select(&self, t: &HelpdeskTables, extra: &str) -> String {
        format!(
            "SELECT t.id, t.customer_id, t.project_id, t.subject, t.priority, t.channel, t.assignee_id, \
             t.status, t.resolved_at, t.reply_count, t.version, t.sla_timeline, c.name, e.name, \
             t.created_at, t.updated_at, t.first_response_at, t.number{extra} \
             FROM {} t LEFT JOIN {} c ON c.id = t.customer_id LEFT JOIN {} e ON e.id = t.assignee_id",
            t.tickets,
            self.tables().customers,
            self.tables().employees
        )
    }

    /// The views of the tickets in `rows` (read by [`App::hd_view_select`]), in their order,
    /// at `now`: their SLA assignments are read in one query, each SLA version's spec and
    /// name once (cached in `slas` across calls).
    async fn hd_ticket_views<Q: Queryable>(
        &self,
        q: &mut Q,
        t: &HelpdeskTables,
        rows: &[Row],
        now: DateTime<Utc>,
        slas: &mut SlaCache,
        known: Known,
    ) -> Result<Vec<TicketView>, AppError> {
        let mut assignments: HashMap<String, SlaAssignment> = HashMap::new();
        if !rows.is_empty() && known != Known::NewWithoutSla {
            let ids = rows
                .iter()
                .map(|r| req::<String>(r, 0, "ticket id"))
                .collect::<Result<Vec<_>, _>>()?;
            let marks = vec!["?"; ids.len()].join(", ");
            let arows: Vec<Row> = q
                .exec(
                    format!(
                        "SELECT {ASSIGNMENT_COLUMNS} FROM {} WHERE ticket_id IN ({marks})",
                        t.sla_assignments
                    ),
                    ids,
                )
                .await
                .map_err(db)?;
            for r in &arows {
                let a = assignment_from_row(r)?;
                assignments.insert(a.ticket_id().to_string(), a);
            }
        }
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let (tk, timeline) = ticket_from_row(row)?;
            let customer_name: Option<String> = req(row, 12, "customer name")?;
            let assignee_name: Option<String> = req(row, 13, "assignee name")?;
            let created: NaiveDateTime = req(row, 14, "created_at")?;
            let updated: NaiveDateTime = req(row, 15, "updated_at")?;
            let first_response: Option<NaiveDateTime> = req(row, 16, "first_response_at")?;
            let sla = match assignments.get(&tk.id().to_string()) {
                None => Value::Null,
                Some(a) => {
                    let (spec, name) = slas.get(self, q, t, a).await?;
                    let reading = pet_core::helpdesk::sla_clock(spec, &timeline, now);
                    sla_json(a, name, &reading)
                }
            };
            views.push(ticket_view(
                &tk,
                customer_name,
                assignee_name,
                (created, updated, first_response),
                sla,
            ));
        }
        Ok(views)
    }

    /// The JSON of one ticket at `now`, with its replies, timeline and links.
    async fn hd_ticket_view<Q: Queryable>(
        &self,
        q: &mut Q,
        t: &HelpdeskTables,
        id: Uuid,
        now: DateTime<Utc>,
        slas: &mut SlaCache,
        known: Known,
    ) -> Result<Value, AppError> {
        let row: Option<Row> = q
            .exec_first(
                format!("{} WHERE t.id = ?", self.hd_view_select(t, "")),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let row = row.ok_or_else(|| AppError::NotFound(format!("ticket {id}")))?;
        let mut view = self
            .hd_ticket_views(q, t, std::slice::from_ref(&row), now, slas, known)
            .await?
            .pop()
            .ok_or_else(|| internal("ticket view"))?;
        type ReplyRow = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
            NaiveDateTime,
        );
        // `reply_count` counts every reply and note: none to read when it is 0.
        let replies: Vec<ReplyRow> = if view.reply_count == 0 {
            Vec::new()
        } else {
            q.exec(
                format!(
                    "SELECT r.id, r.author_kind, r.author_employee_id, e.name, r.author_contact_id, r.visibility, \
                     r.body, r.created_at FROM {} r LEFT JOIN {} e ON e.id = r.author_employee_id \
                     WHERE r.ticket_id = ? ORDER BY r.created_at, r.id",
                    t.replies,
                    self.tables().employees
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?
        };
        // A ticket made by this command has no links yet.
        let links: Vec<(String, String, String, NaiveDateTime)> = if known != Known::Nothing {
            Vec::new()
        } else {
            q.exec(
                format!(
                    "SELECT a.id, a.title, a.slug, l.linked_at FROM {} l JOIN {} a ON a.id = l.article_id \
                     WHERE l.ticket_id = ? ORDER BY l.linked_at",
                    t.article_links, t.articles
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?
        };
        view.replies = Some(
            replies
                .into_iter()
                .map(|r| ReplyView {
                    id: r.0,
                    author_kind: r.1,
                    author_employee_id: r.2,
                    author_name: r.3,
                    author_contact_id: r.4,
                    visibility: r.5,
                    body: r.6,
                    created_at: rfc3339(from_db_time(r.7)),
                })
                .collect(),
        );
        view.timeline = Some(timeline_view(&ticket_from_row(&row)?.1));
        view.linked_articles = Some(
            links
                .into_iter()
                .map(|l| LinkedArticleView {
                    id: l.0,
                    title: l.1,
                    slug: l.2,
                    linked_at: rfc3339(from_db_time(l.3)),
                })
                .collect(),
        );
        serde_json::to_value(view).map_err(|e| internal(&format!("ticket view: {e}")))
    }

    // ---- commands ---------------------------------------------------------------------

    /// Opens a ticket: `{customer_id, subject, priority?, channel?, assignee_id?,
    /// project_id?, sla_definition_id?, message?, contact_id?}` (priority defaults to normal,
    /// channel to email). With `sla_definition_id` the ticket is pinned to that definition's
    /// version in force; with `message` it opens with the customer's first message (a public
    /// reply by the customer, or by `contact_id`) in the same transaction: `ticket.created`
    /// and `ticket.replied` are recorded together or not at all.
    pub async fn create_ticket(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        self.hd_open_ticket(input, ctx, "create_ticket").await
    }

    /// [`Self::create_ticket`] run as the command `command` (`create_ticket`, or
    /// `create_ticket_by_mail`, which the system may run for a contact).
    async fn hd_open_ticket(
        &self,
        input: &Value,
        ctx: &CommandContext,
        command: &str,
    ) -> Result<Value, AppError> {
        let n = CreateTicket::parse(input, "input")?;
        let id = Uuid::now_v7();
        let reply_id = ReplyId::from_uuid(Uuid::now_v7());
        let sla = n.sla_definition_id.map(|d| AssignSla(d.as_uuid()));
        let make = |number: TicketNumber| {
            let mut cmds = vec![TicketCommand::Create(NewTicket {
                id: TicketId::from_uuid(id),
                number,
                customer_id: n.customer_id,
                project_id: n.project_id,
                subject: n.subject.clone(),
                priority: n.priority,
                channel: n.channel,
                assignee: n.assignee_id,
            })];
            if let Some(body) = &n.message.0 {
                cmds.push(TicketCommand::Reply {
                    reply_id,
                    author: ReplyAuthor::Customer {
                        contact_id: n.contact_id,
                    },
                    visibility: Visibility::Public,
                    body: body.clone(),
                });
            }
            cmds
        };
        let work = TicketWork::New {
            customer_id: n.customer_id,
            assignee: n.assignee_id,
            make: &make,
        };
        self.hd_ticket_commands(ctx, command, input.clone(), id, work, sla)
            .await
    }

    /// Assigns a ticket to an employee, or with `None` unassigns it.
    pub async fn assign_ticket(
        &self,
        ticket_id: &str,
        assignee_id: Option<&str>,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let assignee = assignee_id
            .filter(|s| !s.trim().is_empty())
            .map(|a| arg_uuid("assignee_id", a))
            .transpose()?;
        self.hd_ticket_command(
            ctx,
            "assign_ticket",
            json!({"id": id, "assignee_id": assignee}),
            id,
            TicketCommand::Assign {
                assignee: assignee.map(EmployeeId::from_uuid),
            },
            None,
        )
        .await
    }

    /// `new → open`, `open ⇄ waiting_on_customer`.
    pub async fn change_ticket_status(
        &self,
        ticket_id: &str,
        status: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let to = TicketStatus::parse(status)?;
        self.hd_ticket_command(
            ctx,
            "change_ticket_status",
            json!({"id": id, "status": status}),
            id,
            TicketCommand::ChangeStatus { to },
            None,
        )
        .await
    }

    /// Moves a ticket to status `to` by the command pet-core names for it
    /// ([`TicketCommand::move_to`]): resolve, close, or a plain status change (recorded
    /// exactly as [`App::resolve_ticket`], [`App::close_ticket`] and
    /// [`App::change_ticket_status`] record them).
    pub async fn move_ticket(
        &self,
        ticket_id: &str,
        to: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let cmd = TicketCommand::move_to(TicketStatus::parse(to)?);
        let (name, request) = match cmd {
            TicketCommand::Resolve => ("resolve_ticket", json!({"id": id})),
            TicketCommand::Close => ("close_ticket", json!({"id": id})),
            _ => ("change_ticket_status", json!({"id": id, "status": to})),
        };
        self.hd_ticket_command(ctx, name, request, id, cmd, None)
            .await
    }

    /// The values a ticket's fields take, in order (the option lists of the ticket
    /// screens): `{priority, channel, status, visibility}`.
    pub async fn ticket_options(&self) -> Result<Value, AppError> {
        serde_json::to_value(TicketOptions::ALL).map_err(|e| internal(&format!("options: {e}")))
    }

    /// Changes the priority (the SLA targets follow it from now on).
    pub async fn change_ticket_priority(
        &self,
        ticket_id: &str,
        priority: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let to = Priority::parse(priority)?;
        self.hd_ticket_command(
            ctx,
            "change_ticket_priority",
            json!({"id": id, "priority": priority}),
            id,
            TicketCommand::ChangePriority { to },
            None,
        )
        .await
    }

    /// Adds a reply or internal note: `{body, visibility?: public|internal, author?:
    /// employee|customer, contact_id?}`. An employee reply is written by the actor.
    pub async fn reply_to_ticket(
        &self,
        ticket_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let ReplyInput {
            body,
            visibility,
            author,
            contact_id,
        } = ReplyInput::parse_for(input, ctx.actor_id)?;
        let author = author.author(ctx.actor_id, contact_id)?;
        self.hd_ticket_command(
            ctx,
            "reply_to_ticket",
            json!({"id": id, "input": input}),
            id,
            TicketCommand::Reply {
                reply_id: ReplyId::from_uuid(Uuid::now_v7()),
                author,
                visibility,
                body,
            },
            None,
        )
        .await
    }

    /// `open | waiting_on_customer → resolved`.
    pub async fn resolve_ticket(
        &self,
        ticket_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        self.hd_ticket_command(
            ctx,
            "resolve_ticket",
            json!({"id": id}),
            id,
            TicketCommand::Resolve,
            None,
        )
        .await
    }

    /// `resolved → closed`.
    pub async fn close_ticket(
        &self,
        ticket_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        self.hd_ticket_command(
            ctx,
            "close_ticket",
            json!({"id": id}),
            id,
            TicketCommand::Close,
            None,
        )
        .await
    }

    /// `resolved → open` within the window: `{reopen_window_minutes?}` (the site's
    /// setting; 7 days when omitted).
    pub async fn reopen_ticket(
        &self,
        ticket_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let window = ReopenTicket::parse(input, "input")?.reopen_window_minutes;
        self.hd_ticket_command(
            ctx,
            "reopen_ticket",
            json!({"id": id, "input": input}),
            id,
            TicketCommand::Reopen {
                window,
                contact_id: None,
            },
            None,
        )
        .await
    }

    /// Puts an existing ticket under an SLA definition's version in force (once).
    pub async fn assign_ticket_sla(
        &self,
        ticket_id: &str,
        definition_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let def = arg_uuid("sla_definition_id", definition_id)?;
        let request = json!({"id": id, "sla_definition_id": def});
        command!(self, ctx, "assign_ticket_sla", &request, |cx| {
            let t = self.helpdesk_tables();
            let now = cx.now();
            let (tk, timeline) = self
                .hd_load_ticket_locked(cx.tx().await?, &t, id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("ticket {id}")))?;
            let (state, due) = self
                .hd_track_sla(cx, &tk, &timeline, false, Some(AssignSla(def)), false)
                .await?;
            cx.tx()
                .await?
                .exec_drop(
                    format!(
                        "UPDATE {} SET sla_state = ?, sla_due_at = ?, updated_at = ? WHERE id = ?",
                        t.tickets
                    ),
                    (state, due.map(to_db_time), to_db_time(now), id.to_string()),
                )
                .await
                .map_err(db)?;
            let mut specs = SlaCache::default();
            self.hd_ticket_view(cx.tx().await?, &t, id, now, &mut specs, Known::Nothing)
                .await
        })
    }

    // ---- reads ------------------------------------------------------------------------

    /// One ticket with its conversation, clock timeline, SLA clocks and linked articles.
    pub async fn get_ticket(&self, ticket_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let t = self.helpdesk_tables();
        let mut conn = self.read_conn().await?;
        let mut specs = SlaCache::default();
        let mut view = self
            .hd_ticket_view(&mut conn, &t, id, self.now(), &mut specs, Known::Nothing)
            .await?;
        self.hd_timeline_contacts(&mut conn, id, &mut view).await?;
        Ok(view)
    }

    /// Names on the ticket view's timeline the customer contact who caused an entry (the
    /// portal: a ticket opened, a waiting ticket answered, a reopen), from the actors of the
    /// ticket's events (`actor_contact_id`, migration 0029): `by_contact_id` and
    /// `by_contact_name`. The timeline has exactly one entry per status-changing event and
    /// per priority change, in the stream's order, so the n-th `status` entry is the n-th
    /// status-changing event (and the `created` entry `ticket.created`).
    async fn hd_timeline_contacts<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        view: &mut Value,
    ) -> Result<(), AppError> {
        let rows: Vec<(String, Option<String>, Option<String>)> = q
            .exec(
                format!(
                    "SELECT e.event_type, e.actor_contact_id, c.name FROM {} e \
                     LEFT JOIN {} c ON c.id = e.actor_contact_id \
                     WHERE e.aggregate_type = ? AND e.aggregate_id = ? ORDER BY e.aggregate_version",
                    self.tables().events,
                    self.tables().contacts
                ),
                (
                    pet_core::helpdesk::ticket::AGGREGATE_TYPE,
                    id.to_string(),
                ),
            )
            .await
            .map_err(db)?;
        if rows.iter().all(|r| r.1.is_none()) {
            return Ok(());
        }
        let kind_of = |event_type: &str| match event_type {
            "ticket.created" => Some("created"),
            "ticket.status_changed" | "ticket.resolved" | "ticket.closed" | "ticket.reopened" => {
                Some("status")
            }
            "ticket.priority_changed" => Some("priority"),
            _ => None,
        };
        // Per timeline kind, the actors of its events in order.
        let mut by_kind: HashMap<&str, VecDeque<ActorOfEntry>> = HashMap::new();
        for (ty, contact, name) in rows {
            if let Some(k) = kind_of(&ty) {
                by_kind.entry(k).or_default().push_back((contact, name));
            }
        }
        if let Some(entries) = view.get_mut("timeline").and_then(Value::as_array_mut) {
            for e in entries {
                let kind = e.get("kind").and_then(Value::as_str).unwrap_or_default();
                let actor = by_kind.get_mut(kind).and_then(|q| q.pop_front());
                if let Some((Some(contact), name)) = actor {
                    e["by_contact_id"] = json!(contact);
                    e["by_contact_name"] = json!(name);
                }
            }
        }
        Ok(())
    }

    /// Tickets: `{status?, priority?, assignee_id? ('none' for unassigned), customer_id?,
    /// sla_state? (running|paused|warning|breached|met|none), search?, sort?
    /// (due|created|updated|priority), order? (asc|desc), page?, per_page?}`. `status` may be
    /// `active` (every status but resolved and closed).
    pub async fn list_tickets(&self, query: &Value) -> Result<Value, AppError> {
        let q = TicketQuery::parse(query, "query")?;
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        let mut cond = |c: &str, p: Option<SqlValue>| {
            conds.push(c.to_owned());
            params.extend(p);
        };
        match q.status.0 {
            None => {}
            Some(StatusFilter::Active) => cond(ACTIVE, None),
            Some(StatusFilter::Is(st)) => cond("t.status = ?", Some(st.as_str().into())),
        }
        if let Some(p) = q.priority.0 {
            cond("t.priority = ?", Some(p.as_str().into()));
        }
        match q.assignee_id.0 {
            None => {}
            Some(AssigneeFilter::Unassigned) => cond("t.assignee_id IS NULL", None),
            Some(AssigneeFilter::Is(u)) => cond("t.assignee_id = ?", Some(u.to_string().into())),
        }
        if let Some(c) = q.customer_id {
            cond("t.customer_id = ?", Some(c.to_string().into()));
        }
        match q.sla_state.0 {
            None => {}
            Some(SlaStateFilter::None) => cond("t.sla_state IS NULL", None),
            Some(SlaStateFilter::Is(s)) => cond("t.sla_state = ?", Some(s.into())),
        }
        let search = q
            .search
            .as_deref()
            .map(TicketSearch::new)
            .filter(|s| !s.is_empty());
        let sort = match (q.sort, &search) {
            (Some(TicketSort::Relevance), None) => {
                return Err(AppError::field(
                    "sort",
                    "relevance orders a search: give search too",
                ))
            }
            (Some(s), _) => s,
            (None, Some(_)) => TicketSort::Relevance,
            (None, None) => TicketSort::Created,
        };
        let t = self.helpdesk_tables();
        let mut conn = self.read_conn().await?;
        // Relevance ranks every match, so it is tried only where that is cheap: a ticket
        // table of at most the search bound (2,000), the next page of a ranked list, or —
        // below — words the bounded scan found rare. FULLTEXT's cost follows how many rows
        // hold a word (a word in 20 % of 1,000,000 subjects takes 0.4–0.9 s even with a
        // LIMIT), so a common word is listed newest first instead.
        let rank = match (sort, &search) {
            (TicketSort::Relevance, Some(s)) => Some(s),
            _ => None,
        };
        let mut rank_tried = false;
        if let Some(search) = rank {
            let ranked_cursor = (q.paging.after.is_some() || q.paging.before.is_some())
                && q.paging.request(&relevance_order()).is_ok();
            let small: Option<u64> = conn
                .query_first(format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT {}) AS bounded",
                    t.tickets,
                    u64::from(self.inner.search_scan) + 1
                ))
                .await
                .map_err(db)?;
            if ranked_cursor || small.unwrap_or(0) <= u64::from(self.inner.search_scan) {
                rank_tried = true;
                if let Some(page) = self
                    .hd_ranked_tickets(&mut conn, &t, search, &conds, &params, &q.paging)
                    .await?
                {
                    return Ok(page);
                }
            }
        }
        let sort = match sort {
            // Too many matches to rank them flat: the newest first.
            TicketSort::Relevance => TicketSort::Created,
            s => s,
        };
        let desc = match q.order {
            None => sort != TicketSort::Due,
            Some(o) => o == SortOrder::Desc,
        };
        // Each order is served by one index (migration 0008), forwards or backwards.
        let order = match sort {
            TicketSort::Due => {
                Order::by(&[("t.no_due", false), ("t.due_key", desc), ("t.id", false)])
            }
            TicketSort::Created => Order::by(&[("t.created_at", desc), ("t.id", desc)]),
            TicketSort::Updated => Order::by(&[("t.updated_at", desc), ("t.id", desc)]),
            TicketSort::Priority | TicketSort::Relevance => Order::by(&[
                ("t.priority_rank", desc),
                ("t.created_at", false),
                ("t.id", false),
            ]),
        };
        let req = q.paging.request(&order)?;
        let base_conds = conds.clone();
        let base_params = params.clone();
        if let Some(search) = &search {
            let (c, p) = search.matches(&t);
            conds.push(c);
            params.extend(p);
        }
        // Rows and names in one query; with a search, first through the order's index over
        // at most `search_scan` rows (a word in many tickets fills the page there) and only
        // when that did not fill the page through the FULLTEXT indexes (the words are rare).
        let mut page_conds = conds.clone();
        let mut page_params = params.clone();
        let tail = req.plan(&order, &mut page_conds, &mut page_params);
        let sql = |conds: &[String], tail: &str, extra: &str| {
            format!(
                "{} {} {tail}{extra}",
                self.hd_view_select(&t, &format!(", {}", order.select())),
                where_sql(conds)
            )
        };
        let from = format!(
            "{} t LEFT JOIN {} c ON c.id = t.customer_id",
            t.tickets,
            self.tables().customers
        );
        let (rows, total) = match &search {
            None => {
                let rows: Vec<Row> = conn
                    .exec(sql(&page_conds, &tail, ""), page_params)
                    .await
                    .map_err(db)?;
                // The filters name only the tickets' own columns: counted on their index
                // alone (no join, so the index covers the count).
                let n: Option<u64> = conn
                    .exec_first(
                        bounded_count_sql(&format!("{} t", t.tickets), &where_sql(&conds)),
                        params,
                    )
                    .await
                    .map_err(db)?;
                (rows, Total::from_counted(n.unwrap_or(0)))
            }
            Some(search) => {
                let scan = format!(" ROWS EXAMINED {}", self.inner.search_scan);
                // The scan stops with a warning (or, when MariaDB sorted instead of reading
                // an index, error 1028 "sort aborted") once it examined `search_scan` rows.
                let scanned: Option<Vec<Row>> =
                    match conn.exec(sql(&page_conds, &tail, &scan), page_params).await {
                        Ok(rows) => (conn.get_warnings() == 0).then_some(rows),
                        Err(e) if server_code(&e) == Some(SORT_ABORTED) => None,
                        Err(e) => return Err(db(e)),
                    };
                if let Some(rows) = scanned {
                    // The scan filled the page (or read every ticket): count the same way,
                    // a lower bound when the scan stops before the end.
                    let counted = conn
                        .exec_first::<u64, _, _>(
                            format!(
                                "{} LIMIT{scan}",
                                bounded_count_sql(&from, &where_sql(&conds))
                            ),
                            params,
                        )
                        .await;
                    let total = match counted {
                        Ok(n) if conn.get_warnings() == 0 => Total::from_counted(n.unwrap_or(0)),
                        Ok(n) => Total::at_least(n.unwrap_or(0)),
                        Err(e) if server_code(&e) == Some(SORT_ABORTED) => {
                            Total::at_least(rows.len() as u64)
                        }
                        Err(e) => return Err(db(e)),
                    };
                    (rows, total)
                } else {
                    // The words are rare: ranked when asked and the matches are few …
                    if let (Some(search), false) = (rank, rank_tried) {
                        if let Some(page) = self
                            .hd_ranked_tickets(
                                &mut conn,
                                &t,
                                search,
                                &base_conds,
                                &base_params,
                                &q.paging,
                            )
                            .await?
                        {
                            return Ok(page);
                        }
                    }
                    // … else the tickets that have them come from FULLTEXT, newest first.
                    let mut conds = base_conds;
                    let mut params = base_params;
                    for (c, p) in [
                        search.candidates(&mut conn, &t, self.tables()).await?,
                        search.matches(&t),
                    ] {
                        conds.push(c);
                        params.extend(p);
                    }
                    let mut page_conds = conds.clone();
                    let mut page_params = params.clone();
                    let tail = req.plan(&order, &mut page_conds, &mut page_params);
                    let rows: Vec<Row> = conn
                        .exec(sql(&page_conds, &tail, ""), page_params)
                        .await
                        .map_err(db)?;
                    let n: Option<u64> = conn
                        .exec_first(bounded_count_sql(&from, &where_sql(&conds)), params)
                        .await
                        .map_err(db)?;
                    (rows, Total::from_counted(n.unwrap_or(0)))
                }
            }
        };
        let keys = order.len();
        let views = self
            .hd_ticket_views(
                &mut conn,
                &t,
                &rows,
                self.now(),
                &mut SlaCache::default(),
                Known::Nothing,
            )
            .await?;
        let keyed = rows
            .into_iter()
            .zip(views)
            .map(|(mut row, v)| {
                let n = row.len();
                let k = (n - keys..n)
                    .map(|i| Key::from_sql(row.take(i).unwrap_or(SqlValue::NULL)))
                    .collect();
                (k, v)
            })
            .collect();
        let page = req.finish(keyed, total);
        let mut v =
            serde_json::to_value(page).map_err(|e| internal(&format!("ticket list: {e}")))?;
        v["ranked"] = Value::Bool(false);
        Ok(v)
    }

    /// A search's page in relevance order, or `None` when too many tickets match to rank
    /// them flat (more than the search bound — [`crate::paging::SEARCH_SCAN`], 2,000 — from
    /// one index, or in all): the caller then lists
    /// the matches newest first and says they are not ranked.
    ///
    /// Relevance: the ticket the text names by number or id first, then the sum of the
    /// FULLTEXT scores of the words in the subject (×3), the customer's name (×2) and the
    /// best-matching message (×1); equal scores newest first. Every candidate is read from
    /// the FULLTEXT indexes (at most bound + 1 rows each), filtered by the list's
    /// filters and the search's exact rule ([`TicketSearch::matches`]) in one query, and
    /// sorted here; the page's rows and names are then read by id in one query.
    async fn hd_ranked_tickets(
        &self,
        conn: &mut mysql_async::Conn,
        t: &HelpdeskTables,
        search: &TicketSearch,
        conds: &[String],
        params: &[SqlValue],
        paging: &crate::fields::Paging,
    ) -> Result<Option<Value>, AppError> {
        let order = relevance_order();
        let req = match paging.request(&order) {
            Ok(r) => r,
            // A cursor of the unranked list (newest first) this search was given before:
            // that list goes on.
            Err(_) if paging.after.is_some() || paging.before.is_some() => return Ok(None),
            Err(e) => return Err(e),
        };
        let bound = self.inner.search_scan as usize;
        let mut subject: HashMap<String, f64> = HashMap::new();
        let mut message: HashMap<String, f64> = HashMap::new();
        let mut customer: HashMap<String, f64> = HashMap::new();
        if let Some(ft) = search.fulltext_query() {
            for (select, table, column, into) in [
                ("id", &t.tickets, "subject", &mut subject),
                ("ticket_id", &t.replies, "body", &mut message),
                ("id", &self.tables().customers, "name", &mut customer),
            ] {
                let rows: Vec<(String, f64)> = conn
                    .exec(
                        format!(
                            "SELECT {select}, MATCH({column}) AGAINST(? IN BOOLEAN MODE) FROM {table} \
                             WHERE MATCH({column}) AGAINST(? IN BOOLEAN MODE) LIMIT {}",
                            bound + 1
                        ),
                        (ft.as_str(), ft.as_str()),
                    )
                    .await
                    .map_err(db)?;
                if rows.len() > bound {
                    return Ok(None);
                }
                for (id, score) in rows {
                    let best = into.entry(id).or_insert(0.0);
                    *best = best.max(score);
                }
            }
        } else if search.number.is_none() && search.id_prefix.is_none() {
            // Only words the indexes do not hold (short words, stopwords): nothing to rank by.
            return Ok(None);
        }
        // The candidates that pass the filters and the exact rule, in one bounded query.
        let mut where_parts = conds.to_vec();
        let mut args = params.to_vec();
        let mut any = Vec::new();
        let ticket_ids: Vec<&String> = subject.keys().chain(message.keys()).collect();
        let customer_ids: Vec<&String> = customer.keys().collect();
        for (col, ids) in [("t.id", ticket_ids), ("t.customer_id", customer_ids)] {
            if !ids.is_empty() {
                any.push(format!("{col} IN ({})", vec!["?"; ids.len()].join(", ")));
                args.extend(ids.into_iter().map(|i| SqlValue::from(i.as_str())));
            }
        }
        search.own(&mut any, &mut args);
        if any.is_empty() {
            any.push("1 = 0".into());
        }
        where_parts.push(format!("({})", any.join(" OR ")));
        let (m, p) = search.matches(t);
        where_parts.push(m);
        args.extend(p);
        let rows: Vec<Row> = conn
            .exec(
                format!(
                    "SELECT t.id, t.customer_id, t.number, t.created_at FROM {} t \
                     LEFT JOIN {} c ON c.id = t.customer_id {} LIMIT {}",
                    t.tickets,
                    self.tables().customers,
                    where_sql(&where_parts),
                    bound + 1
                ),
                args,
            )
            .await
            .map_err(db)?;
        if rows.len() > bound {
            return Ok(None);
        }
        let mut ranked: Vec<(i64, String, String)> = Vec::with_capacity(rows.len());
        for mut r in rows {
            let id: String = self::req(&r, 0, "ticket id")?;
            let cust: Option<String> = r.get_opt(1).and_then(Result::ok);
            let number: Option<u32> = r.get_opt(2).and_then(Result::ok);
            let created = Key::from_sql(r.take(3).unwrap_or(SqlValue::NULL));
            let Key::Text(created) = created else {
                return Err(internal("ticket created_at"));
            };
            let named = search.number.is_some_and(|n| Some(n.get()) == number)
                || search
                    .id_prefix
                    .as_deref()
                    .is_some_and(|p| id.starts_with(p));
            let score = if named { 1_000_000.0 } else { 0.0 }
                + 3.0 * subject.get(&id).copied().unwrap_or(0.0)
                + 2.0 * cust.and_then(|c| customer.get(&c).copied()).unwrap_or(0.0)
                + message.get(&id).copied().unwrap_or(0.0);
            // Micro-units: an integer key keeps the cursor exact.
            #[allow(clippy::cast_possible_truncation)]
            ranked.push(((score * 1_000_000.0).round() as i64, created, id));
        }
        // Best first; equal scores newest first (then by id), as the order declares.
        ranked.sort_by(|a, b| b.cmp(a));
        let total = Total::from_counted(ranked.len() as u64);
        let key_of = |r: &(i64, String, String)| (r.0, r.1.clone(), r.2.clone());
        let at = |c: &crate::paging::Cursor| -> Option<(i64, String, String)> {
            match c.keys.as_slice() {
                [Key::Int(s), Key::Text(cr), Key::Text(id)] => Some((*s, cr.clone(), id.clone())),
                _ => None,
            }
        };
        let per = req.per_page as usize + 1;
        // Rows in reading order (the page's rows and one more), as `plan` would read them.
        let window: Vec<&(i64, String, String)> = match &req.cursor {
            None => ranked
                .iter()
                .skip((req.page as usize - 1) * req.per_page as usize)
                .take(per)
                .collect(),
            Some(c) if c.side == crate::paging::Side::After => {
                let Some(k) = at(c) else {
                    return Err(AppError::field("after", "is not a cursor of this list"));
                };
                ranked.iter().filter(|r| key_of(r) < k).take(per).collect()
            }
            Some(c) => {
                let before: Vec<&(i64, String, String)> = match at(c) {
                    Some(k) => ranked.iter().filter(|r| key_of(r) > k).collect(),
                    None if c.keys.is_empty() => ranked.iter().collect(),
                    None => return Err(AppError::field("before", "is not a cursor of this list")),
                };
                before.into_iter().rev().take(per).collect()
            }
        };
        // The page's rows and names by id, in one query, then in the window's order.
        let mut views: HashMap<String, TicketView> = HashMap::new();
        if !window.is_empty() {
            let ids: Vec<SqlValue> = window
                .iter()
                .map(|r| SqlValue::from(r.2.as_str()))
                .collect();
            let rows: Vec<Row> = conn
                .exec(
                    format!(
                        "{} WHERE t.id IN ({})",
                        self.hd_view_select(t, ""),
                        vec!["?"; ids.len()].join(", ")
                    ),
                    ids,
                )
                .await
                .map_err(db)?;
            let list = self
                .hd_ticket_views(
                    conn,
                    t,
                    &rows,
                    self.now(),
                    &mut SlaCache::default(),
                    Known::Nothing,
                )
                .await?;
            for v in list {
                views.insert(v.id.to_string(), v);
            }
        }
        let mut keyed = Vec::with_capacity(window.len());
        for r in window {
            // A ticket cannot vanish between the two reads (tickets are never deleted).
            let v = views
                .remove(&r.2)
                .ok_or_else(|| internal("ranked ticket row"))?;
            keyed.push((
                vec![
                    Key::Int(r.0),
                    Key::Text(r.1.clone()),
                    Key::Text(r.2.clone()),
                ],
                v,
            ));
        }
        let page = req.finish(keyed, total);
        let mut v =
            serde_json::to_value(page).map_err(|e| internal(&format!("ticket list: {e}")))?;
        v["ranked"] = Value::Bool(true);
        Ok(Some(v))
    }
}

/// The ranked ticket list's order (its cursors hold the score in micro-units, the creation
/// time and the id; sorted in Rust, see `hd_ranked_tickets`).
fn relevance_order() -> Order {
    Order::by(&[("relevance", true), ("t.created_at", true), ("t.id", true)])
}

// ---- commands run by email (issue 17; the mail module calls them as the system) ----------

impl Helpdesk<'_> {
    /// Reopens a resolved ticket for its customer (a resolution mail's signed link, checked
    /// by the caller): the same rule as [`Self::reopen_ticket`], run by the system.
    pub async fn reopen_ticket_by_mail(
        &self,
        ticket_id: Uuid,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        self.hd_ticket_command(
            ctx,
            "reopen_ticket_by_mail",
            json!({"id": ticket_id}),
            ticket_id,
            TicketCommand::Reopen {
                window: ReopenWindow::DEFAULT,
                contact_id: None,
            },
            None,
        )
        .await
    }

    /// Opens a ticket from an email of a known contact (channel email, the message as the
    /// contact's first reply), run by the system: the same input and rules as
    /// [`Self::create_ticket`]; its events record the contact (`contact_id`) as their actor.
    pub async fn create_ticket_by_mail(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        // An unreadable contact id is reported by the input's own parsing.
        let contact = input
            .get("contact_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok());
        let ctx = &CommandContext {
            contact_id: ctx
                .actor_id
                .is_none()
                .then_some(contact)
                .flatten()
                .or(ctx.contact_id),
            ..ctx.clone()
        };
        self.hd_open_ticket(input, ctx, "create_ticket_by_mail")
            .await
    }

    /// Adds a customer's emailed reply (public, by `contact_id`), run by the system: its
    /// events record the contact as their actor.
    pub async fn reply_by_mail(
        &self,
        ticket_id: Uuid,
        contact_id: ContactId,
        body: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let body = ReplyBody::new(body).map_err(AppError::from)?;
        // The contact who wrote is the actor of what the reply records (run by the system,
        // no employee acted).
        let ctx = &CommandContext {
            contact_id: ctx
                .actor_id
                .is_none()
                .then_some(contact_id.as_uuid())
                .or(ctx.contact_id),
            ..ctx.clone()
        };
        self.hd_ticket_command(
            ctx,
            "reply_by_mail",
            json!({"id": ticket_id, "contact_id": contact_id}),
            ticket_id,
            TicketCommand::Reply {
                reply_id: ReplyId::from_uuid(Uuid::now_v7()),
                author: ReplyAuthor::Customer {
                    contact_id: Some(contact_id),
                },
                visibility: Visibility::Public,
                body,
            },
            None,
        )
        .await
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;

    fn errors(r: Result<impl std::fmt::Debug, AppError>) -> pet_core::FieldErrors {
        match r {
            Err(AppError::Validation(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reply_input_defaults_and_authors() {
        let actor = Some(Uuid::now_v7());
        let r = ReplyInput::parse_for(&json!({"body": " Hello "}), actor).unwrap();
        assert_eq!(r.body.as_str(), "Hello");
        assert_eq!(r.visibility, Visibility::Public);
        assert_eq!(r.author, ReplyAuthorKind::Employee);
        assert!(matches!(
            r.author.author(actor, r.contact_id),
            Ok(ReplyAuthor::Employee { .. })
        ));
        let contact = "0190a1b2-0000-7000-8000-000000000001";
        let r = ReplyInput::parse_for(
            &json!({"body": "x", "visibility": "internal", "author": "customer", "contact_id": contact}),
            None,
        )
        .unwrap();
        assert_eq!(r.visibility, Visibility::Internal);
        let a = r.author.author(None, r.contact_id).unwrap();
        assert!(
            matches!(a, ReplyAuthor::Customer { contact_id: Some(c) } if c.to_string() == contact)
        );
    }

    #[test]
    fn reply_input_reports_every_bad_field_with_the_missing_actor() {
        let f = errors(ReplyInput::parse_for(
            &json!({"visibility": "loud", "contact_id": "x"}),
            None,
        ));
        assert_eq!(f.get("body"), Some("is required"));
        assert!(f.get("visibility").unwrap().starts_with("must be one of"));
        assert_eq!(f.get("contact_id"), Some("is not a valid id"));
        assert_eq!(f.get("author"), Some(NO_ACTOR));
        let f = errors(ReplyInput::parse_for(
            &json!({"body": "x", "author": "robot"}),
            None,
        ));
        assert_eq!(f.get("author"), Some("must be employee or customer"));
        let f = errors(ReplyInput::parse_for(&json!({"body": "x"}), None));
        assert_eq!(f.get("author"), Some(NO_ACTOR));
        assert!(ReplyInput::parse_for(&json!({"body": "x", "author": "customer"}), None).is_ok());
    }

    #[test]
    fn ticket_query_filters_and_defaults() {
        let q = TicketQuery::parse(&json!([]), "query").unwrap();
        assert_eq!(q.status, OrBlank(None));
        assert_eq!(q.sort, None, "relevance with a search, created without");
        assert_eq!((q.paging.page.0, q.paging.per_page.0), (1, 20));
        let u = "0190a1b2-0000-7000-8000-000000000001";
        let q = TicketQuery::parse(
            &json!({"status": "active", "priority": "", "assignee_id": "none", "sla_state": "none",
                    "sort": "due", "order": "asc", "page": 2, "per_page": 5}),
            "query",
        )
        .unwrap();
        assert_eq!(q.status.0, Some(StatusFilter::Active));
        assert_eq!(q.priority.0, None);
        assert_eq!(q.assignee_id.0, Some(AssigneeFilter::Unassigned));
        assert_eq!(q.sla_state.0, Some(SlaStateFilter::None));
        assert_eq!(
            (q.sort, q.order),
            (Some(TicketSort::Due), Some(SortOrder::Asc))
        );
        let q = TicketQuery::parse(
            &json!({"status": "waiting_on_customer", "assignee_id": u, "sla_state": "breached"}),
            "query",
        )
        .unwrap();
        assert_eq!(
            q.status.0,
            Some(StatusFilter::Is(TicketStatus::WaitingOnCustomer))
        );
        assert!(matches!(q.assignee_id.0, Some(AssigneeFilter::Is(a)) if a.to_string() == u));
        assert_eq!(q.sla_state.0, Some(SlaStateFilter::Is("breached")));
    }

    #[test]
    fn ticket_query_reports_every_bad_field() {
        let f = errors(TicketQuery::parse(
            &json!({"status": "later", "priority": "soon", "assignee_id": "x", "customer_id": "y",
                    "sla_state": "late", "sort": "name", "order": "up", "page": 0, "per_page": 101}),
            "query",
        ));
        assert!(f.get("status").unwrap().starts_with("must be one of"));
        assert!(f.get("priority").unwrap().starts_with("must be one of"));
        assert_eq!(f.get("assignee_id"), Some("is not a valid id"));
        assert_eq!(f.get("customer_id"), Some("is not a valid id"));
        assert_eq!(
            f.get("sla_state"),
            Some("must be running, paused, warning, breached, met or none")
        );
        assert_eq!(
            f.get("sort"),
            Some("must be due, created, updated, priority or relevance")
        );
        assert_eq!(f.get("order"), Some("must be asc or desc"));
        assert_eq!(f.get("page"), Some("must be between 1 and 1000000"));
        assert_eq!(f.get("per_page"), Some("must be between 1 and 100"));
        assert_eq!(f.iter().count(), 9);
    }
}
