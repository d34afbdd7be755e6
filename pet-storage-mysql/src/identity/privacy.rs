//! Privacy requests (WordPress's *Export Personal Data* and *Erase Personal Data* tools):
//! the personal data PET holds about an e-mail address — the employee with that address and
//! the contacts with it — exported, or erased by crypto-shredding (see `pet_core::privacy`
//! and [`crate::privacy`]).

use mysql_async::prelude::*;
use mysql_async::{TxOpts, Value as SqlValue};
use pet_core::identity::{ContactId, CustomerCommand, CustomerFacts, Email, EmployeeCommand};
use pet_core::privacy::{self as pv, Subject, SubjectKind};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{Customers, Employees};
use crate::app::CommandContext;
use crate::command::{command, Actors, Read, Repository};
use crate::db::{from_db_time, rfc3339};
use crate::error::{db, AppError};
use crate::input::Input;
use crate::portal::PortalAccesses;
use crate::privacy::like_pattern;
use crate::projector::ACTIVITY_FEED;
use crate::services::Identity;
use pet_core::portal::{PortalCommand, PortalFacts};

/// Contacts exported or erased per call (WordPress calls again while `done` is false).
pub const PRIVACY_PAGE: usize = 100;

/// What an erasure touches beyond the person's own rows.
const ERASED_RESULT: &str = r#"{"erased":"personal data erased"}"#;
const ERASED_ERROR: &str = "(personal data erased)";
/// An erased attachment's file name (its content is emptied).
const ERASED_ATTACHMENT: &str = "(attachment erased)";

/// What [`Identity::erase_messages`] overwrote.
#[derive(Debug, Default)]
struct MessagesErased {
    replies: u64,
    mail: u64,
    attachments: u64,
    notifications: u64,
    feed_lines: u64,
    legacy_events: u64,
    /// The texts of their messages (before they were overwritten).
    bodies: Vec<String>,
    /// The tickets they wrote on.
    tickets: Vec<String>,
}

impl MessagesErased {
    fn add(&mut self, o: &MessagesErased) {
        self.replies += o.replies;
        self.mail += o.mail;
        self.attachments += o.attachments;
        self.notifications += o.notifications;
        self.feed_lines += o.feed_lines;
        self.bodies.extend(o.bodies.iter().cloned());
        self.tickets.extend(o.tickets.iter().cloned());
    }
}

/// What the contacts erased wrote, for the stored results that quote it: their messages'
/// texts and the tickets they wrote on.
struct Quoted<'a> {
    bodies: &'a [String],
    tickets: &'a [String],
}

/// Whether any string in `v` contains one of `texts`.
fn json_quotes(v: &Value, texts: &[&str]) -> bool {
    match v {
        Value::String(s) => texts.iter().any(|t| s.contains(t)),
        Value::Array(a) => a.iter().any(|i| json_quotes(i, texts)),
        Value::Object(m) => m.values().any(|i| json_quotes(i, texts)),
        _ => false,
    }
}

/// A contact row found by address: id, customer, name, email, phone.
type ContactRow = (String, String, String, Option<String>, Option<String>);
/// An exported contact: id, name, email, phone, customer name, when added.
type ExportedContact = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    chrono::NaiveDateTime,
);

/// An exported message: reply id, ticket number, ticket subject, text, when written.
type ExportedMessage = (String, Option<u64>, String, String, chrono::NaiveDateTime);

/// The people found for an address, with the texts that identify them.
struct Found {
    employee: Option<(Uuid, Vec<String>)>,
    /// `(contact, customer, texts)`.
    contacts: Vec<(Uuid, Uuid, Vec<String>)>,
    more: bool,
}

fn parse_email(query: &Value) -> Result<(Email, u64), AppError> {
    let mut o = Input::new(query, "query");
    let email = o.req_str("email").unwrap_or_default();
    let page = o.opt_i64("page").unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        o.error("page", "must be between 1 and 100000");
    }
    let parsed = Email::for_field("email", email);
    o.finish()?;
    Ok((parsed?, page as u64))
}

fn uuid(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| AppError::Storage(format!("bad id {s:?} in a state row")))
}

impl Identity<'_> {
    /// The people with this address: the employee (unique) and up to [`PRIVACY_PAGE`]
    /// contacts from `offset`, each with its personal texts (name, e-mail, phone).
    async fn find_people<Q: Queryable>(
        &self,
        q: &mut Q,
        email: &Email,
        offset: u64,
    ) -> Result<Found, AppError> {
        let t = self.tables();
        let emp: Option<(String, String, String)> = q
            .exec_first(
                format!(
                    "SELECT id, name, email FROM {} WHERE email = ?",
                    t.employees
                ),
                (email.as_str(),),
            )
            .await
            .map_err(db)?;
        let rows: Vec<ContactRow> = q
            .exec(
                format!(
                    "SELECT id, customer_id, name, email, phone FROM {} WHERE email = ? \
                     ORDER BY id LIMIT ? OFFSET ?",
                    t.contacts
                ),
                (email.as_str(), PRIVACY_PAGE as u64 + 1, offset),
            )
            .await
            .map_err(db)?;
        let more = rows.len() > PRIVACY_PAGE;
        let mut contacts = Vec::new();
        for (id, customer, name, mail, phone) in rows.into_iter().take(PRIVACY_PAGE) {
            let texts = [Some(name), mail, phone].into_iter().flatten().collect();
            contacts.push((uuid(&id)?, uuid(&customer)?, texts));
        }
        Ok(Found {
            employee: emp
                .map(|(id, name, mail)| Ok::<_, AppError>((uuid(&id)?, vec![name, mail])))
                .transpose()?,
            contacts,
            more,
        })
    }

    /// The personal data held about an address, for WordPress's exporter: `{email, page?}`
    /// → `{items: [{group: 'employee'|'contact'|'message', id, fields: {name, email, …}}],
    /// done}`. The employee's fields: name, email, status, wp_user_id, rates (each `kind rate
    /// from day`), created_at; a contact's: name, email, phone, customer, created_at; a
    /// message's (a ticket reply written by a contact with this address): ticket (`#number
    /// subject`), date, message. Up to [`PRIVACY_PAGE`] contacts and [`PRIVACY_PAGE`]
    /// messages (oldest first) per page (the employee on page 1); `done` once both are
    /// exhausted.
    pub async fn export_personal_data(&self, query: &Value) -> Result<Value, AppError> {
        let (email, page) = parse_email(query)?;
        let t = self.tables();
        let mut conn = self.read_conn().await?;
        let offset = (page - 1) * PRIVACY_PAGE as u64;
        let found = self.find_people(&mut conn, &email, offset).await?;
        let mut items = Vec::new();
        if let (Some((id, _)), 1) = (&found.employee, page) {
            let e = self
                .load_employee(&mut conn, *id, Read::ForView)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("employee {id}")))?;
            let created: Option<chrono::NaiveDateTime> = conn
                .exec_first(
                    format!("SELECT created_at FROM {} WHERE id = ?", t.employees),
                    (id.to_string(),),
                )
                .await
                .map_err(db)?;
            let rates: Vec<String> = e
                .rates()
                .iter()
                .map(|r| {
                    format!(
                        "{} rate {} from {}",
                        r.kind.as_str(),
                        r.dated.rate,
                        r.dated.effective_from
                    )
                })
                .collect();
            items.push(json!({
                "group": "employee", "id": id.to_string(),
                "fields": {
                    "name": e.name().as_str(), "email": e.email().as_str(),
                    "status": e.status().as_str(),
                    "wp_user_id": e.wp_user_id().map(u64::from),
                    "rates": rates,
                    "created_at": created.map(|c| rfc3339(from_db_time(c))),
                },
            }));
        }
        if !found.contacts.is_empty() {
            let ids: Vec<SqlValue> = found
                .contacts
                .iter()
                .map(|c| c.0.to_string().into())
                .collect();
            let rows: Vec<ExportedContact> = conn
                .exec(
                    format!(
                        "SELECT c.id, c.name, c.email, c.phone, cu.name, c.created_at FROM {} c \
                         JOIN {} cu ON cu.id = c.customer_id WHERE c.id IN ({}) ORDER BY c.id",
                        t.contacts,
                        t.customers,
                        vec!["?"; ids.len()].join(",")
                    ),
                    ids,
                )
                .await
                .map_err(db)?;
            for (id, name, mail, phone, customer, created) in rows {
                items.push(json!({
                    "group": "contact", "id": id,
                    "fields": {
                        "name": name, "email": mail, "phone": phone, "customer": customer,
                        "created_at": rfc3339(from_db_time(created)),
                    },
                }));
            }
        }
        // The messages the contacts with this address wrote (portal, e-mail, or logged for
        // them), oldest first, a page of them with each page of contacts.
        let hd = self.app().helpdesk_tables();
        let rows: Vec<ExportedMessage> = conn
            .exec(
                format!(
                    "SELECT r.id, tk.number, tk.subject, r.body, r.created_at FROM {} r \
                     JOIN {} tk ON tk.id = r.ticket_id \
                     WHERE r.author_kind = 'customer' AND r.author_contact_id IN \
                     (SELECT id FROM {} WHERE email = ?) \
                     ORDER BY r.created_at, r.id LIMIT ? OFFSET ?",
                    hd.replies, hd.tickets, t.contacts
                ),
                (email.as_str(), PRIVACY_PAGE as u64 + 1, offset),
            )
            .await
            .map_err(db)?;
        let more_messages = rows.len() > PRIVACY_PAGE;
        for (id, number, subject, body, created) in rows.into_iter().take(PRIVACY_PAGE) {
            let ticket = match number {
                Some(n) => format!("#{n} {subject}"),
                None => subject,
            };
            items.push(json!({
                "group": "message", "id": id,
                "fields": {
                    "ticket": ticket, "date": rfc3339(from_db_time(created)), "message": body,
                },
            }));
        }
        Ok(json!({"items": items, "done": !found.more && !more_messages}))
    }

    /// Erases the personal data of everyone with this address, for WordPress's eraser:
    /// `{email}` → `{erased: [{subject_type, id}], legacy_plaintext_events, feed_lines,
    /// messages, mail_received, attachments, notifications, portal_access_revoked: [{contact_id,
    /// wp_user_id}], done}`. In one command: the employee's `employee.personal_data_erased`,
    /// each contact's `portal.access_revoked` (if they had a portal login: the WordPress user
    /// stays, the caller takes its role) and `contact.personal_data_erased` (up to [`PRIVACY_PAGE`]; call again while `done` is
    /// false), their data keys destroyed (which also shreds the messages the contacts wrote,
    /// sealed in the log), their state rows, feed names and lines, stored command results
    /// and job errors that showed them overwritten with the placeholder; for a contact also
    /// the copies of their messages, found by id ([`Identity::erase_messages`]): `messages`
    /// ticket replies, `mail_received` inbound messages, `attachments` of those, and
    /// `notifications` (outbox rows quoting a message of theirs). Numbers (rates, time,
    /// money, KPIs, SLA clocks) are not personal and stay. `legacy_plaintext_events` counts
    /// their events written before sealing existed (or before their type was sealed):
    /// those still hold the plain text in the append-only log (every reader masks them).
    pub async fn erase_personal_data(
        &self,
        query: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let (email, _) = parse_email(query)?;
        let found = {
            let mut conn = self.conn().await?;
            self.find_people(&mut conn, &email, 0).await?
        };
        let texts: Vec<String> = found
            .employee
            .iter()
            .flat_map(|(_, t)| t.iter().cloned())
            .chain(found.contacts.iter().flat_map(|c| c.2.iter().cloned()))
            .collect();
        let request = json!({"email": email.as_str()});
        let result = command!(
            self,
            ctx,
            "erase_personal_data",
            &request,
            Actors::EmployeesOrSystem,
            |cx| {
                let t = self.tables().clone();
                let now = cx.now();
                // The feed's checkpoint first (as the projector takes it before the names
                // rows this command also writes): no lock-order cycle with a catch-up.
                let _: Option<u64> = cx
                    .tx()
                    .await?
                    .exec_first(
                        format!(
                            "SELECT last_sequence FROM {} WHERE projection = ? FOR UPDATE",
                            t.checkpoints
                        ),
                        (ACTIVITY_FEED,),
                    )
                    .await
                    .map_err(db)?;
                // The mail outbox's checkpoint too: an outbox run that read a contact's
                // message before this commits has written its rows by then (overwritten
                // below); one that starts after reads the message erased.
                let _: Option<u64> = cx
                    .tx()
                    .await?
                    .exec_first(
                        format!(
                            "SELECT last_sequence FROM {} WHERE projection = ? FOR UPDATE",
                            t.checkpoints
                        ),
                        (crate::mail::OUTBOX_PROJECTION,),
                    )
                    .await
                    .map_err(db)?;
                let mut erased = Vec::new();
                let mut legacy = 0u64;
                let mut messages = MessagesErased::default();
                if let Some((id, _)) = &found.employee {
                    cx.change(
                        &Employees(self),
                        *id,
                        &EmployeeCommand::ErasePersonalData,
                        &(),
                    )
                    .await?;
                    let subject = Subject {
                        kind: SubjectKind::Employee,
                        id: *id,
                    };
                    crate::privacy::shred(cx.tx().await?, &t, subject, now).await?;
                    cx.tx().await?
                        .exec_drop(
                            format!(
                                "UPDATE {} SET name = ? WHERE entity_type = 'employee' AND entity_id = ?",
                                t.activity_names
                            ),
                            (pv::ERASED_NAME, id.to_string()),
                        )
                        .await
                        .map_err(db)?;
                    let payloads: Vec<String> = cx
                        .tx()
                        .await?
                        .exec(
                            format!(
                                "SELECT payload FROM {} WHERE aggregate_type = 'employee' \
                                 AND aggregate_id = ? AND event_type = 'employee.created'",
                                t.events
                            ),
                            (id.to_string(),),
                        )
                        .await
                        .map_err(db)?;
                    legacy += count_plain("employee.created", &payloads, *id);
                    erased.push(json!({"subject_type": "employee", "id": id.to_string()}));
                }
                let mut revoked = Vec::new();
                for (id, customer, _) in &found.contacts {
                    let subject = Subject {
                        kind: SubjectKind::Contact,
                        id: *id,
                    };
                    // A portal login of the contact goes with them (`portal.access_revoked`):
                    // nobody signs in as an erased person.
                    let accesses = PortalAccesses(self.app());
                    let access = accesses.load(cx.tx().await?, *id).await?;
                    if let Some(wp_user_id) = access.as_ref().and_then(|a| a.wp_user_id()) {
                        cx.apply(
                            &accesses,
                            access,
                            &PortalCommand::Revoke,
                            &PortalFacts::default(),
                        )
                        .await?;
                        revoked.push(json!({
                            "contact_id": id.to_string(),
                            "wp_user_id": u64::from(wp_user_id),
                        }));
                    }
                    let facts = CustomerFacts {
                        contact_exists: true,
                        contact_erased: crate::privacy::is_erased(cx.tx().await?, &t, subject)
                            .await?,
                    };
                    cx.change(
                        &Customers(self),
                        *customer,
                        &CustomerCommand::EraseContact {
                            contact_id: ContactId::from_uuid(*id),
                        },
                        &facts,
                    )
                    .await?;
                    crate::privacy::shred(cx.tx().await?, &t, subject, now).await?;
                    let payloads: Vec<String> = cx
                        .tx()
                        .await?
                        .exec(
                            format!(
                                "SELECT payload FROM {} WHERE context_type = 'customer' \
                                 AND context_id = ? AND event_type = 'contact.added'",
                                t.events
                            ),
                            (customer.to_string(),),
                        )
                        .await
                        .map_err(db)?;
                    legacy += count_plain("contact.added", &payloads, *id);
                    let m = self
                        .erase_messages(cx.tx().await?, *id, email.as_str())
                        .await?;
                    legacy += m.legacy_events;
                    messages.add(&m);
                    erased.push(json!({"subject_type": "contact", "id": id.to_string()}));
                }
                let quoted = Quoted {
                    bodies: &messages.bodies,
                    tickets: &messages.tickets,
                };
                let lines = self
                    .scrub_copies(cx.tx().await?, &texts, Some(&quoted))
                    .await?;
                Ok(json!({
                    "erased": erased,
                    "legacy_plaintext_events": legacy,
                    "feed_lines": lines + messages.feed_lines,
                    "messages": messages.replies,
                    "mail_received": messages.mail,
                    "attachments": messages.attachments,
                    "notifications": messages.notifications,
                    "portal_access_revoked": revoked,
                    "done": !found.more,
                }))
            }
        )?;
        // A catch-up that was rendering ahead while the erasure ran may have written lines
        // with the old texts: bring the feed up to date, then look once more — at the feed
        // only (the other copies were overwritten under their rows' locks; scanning them
        // again doubled the erasure's cost: README, Performance).
        if !texts.is_empty() {
            let mut conn = self.conn().await?;
            let _ = self.catch_up_if_behind(&mut conn, None).await;
            let mut tx = conn
                .start_transaction(TxOpts::default())
                .await
                .map_err(db)?;
            match self.scrub_copies(&mut tx, &texts, None).await {
                Ok(_) => tx.commit().await.map_err(db)?,
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
        }
        Ok(result)
    }

    /// Overwrites the copies of the messages contact `contact` wrote (the log's copies are
    /// sealed under the key just destroyed), each found by id, not by searching text:
    /// - their ticket replies (`author_contact_id`, so FULLTEXT search no longer finds them);
    /// - the mail they sent (the inbox's `contact_id`, or `from_email` = `email` for mail
    ///   received before the address was a contact's): sender, subject and body, and the
    ///   attachments' names and content;
    /// - outbox notifications made from their replies (`event_id` of their `ticket.replied`
    ///   events): the quoted `reply_body`;
    ///
    /// Counts what it overwrote, and their events that hold the text in plain (written
    /// before messages were sealed); returns the messages' texts and tickets, for
    /// `scrub_copies` to overwrite the stored command results of those tickets (a command's
    /// answer is the ticket with its replies) that quote one.
    async fn erase_messages(
        &self,
        tx: &mut mysql_async::Transaction<'_>,
        contact: Uuid,
        email: &str,
    ) -> Result<MessagesErased, AppError> {
        let t = self.tables().clone();
        let hd = self.app().helpdesk_tables();
        let mail = self.app().mail_tables();
        let cid = contact.to_string();
        let mut out = MessagesErased::default();
        // Their replies (locked), with the texts to look for in stored results.
        let replies: Vec<(String, String, String)> = tx
            .exec(
                format!(
                    "SELECT id, ticket_id, body FROM {} WHERE author_contact_id = ? \
                         AND author_kind = 'customer' ORDER BY created_at, id FOR UPDATE",
                    hd.replies
                ),
                (cid.as_str(),),
            )
            .await
            .map_err(db)?;
        tx.exec_drop(
            format!(
                "UPDATE {} SET body = ? WHERE author_contact_id = ? AND author_kind = 'customer'",
                hd.replies
            ),
            (pv::ERASED_MESSAGE, cid.as_str()),
        )
        .await
        .map_err(db)?;
        out.replies = replies.len() as u64;
        let mut tickets: Vec<String> = replies.iter().map(|r| r.1.clone()).collect();
        tickets.sort();
        tickets.dedup();
        // Their `ticket.replied` events, read by ticket through the log's aggregate index.
        let mut event_ids: Vec<SqlValue> = Vec::new();
        for chunk in tickets.chunks(200) {
            let mut params: Vec<SqlValue> = chunk.iter().map(|s| s.clone().into()).collect();
            params.push("ticket.replied".into());
            let rows: Vec<(String, String)> = tx
                .exec(
                    format!(
                        "SELECT event_id, payload FROM {} WHERE aggregate_type = 'ticket' \
                         AND aggregate_id IN ({}) AND event_type = ?",
                        t.events,
                        vec!["?"; chunk.len()].join(",")
                    ),
                    params,
                )
                .await
                .map_err(db)?;
            for (event_id, payload) in rows {
                let Ok(p) = serde_json::from_str::<Value>(&payload) else {
                    continue;
                };
                if pv::subject_of("ticket.replied", &p).is_some_and(|s| s.id == contact) {
                    if !pv::is_sealed("ticket.replied", &p) {
                        out.legacy_events += 1;
                    }
                    event_ids.push(event_id.into());
                }
            }
        }
        // Notifications quoting them (the staff's "customer replied" mail).
        for chunk in event_ids.chunks(500) {
            let mut params = vec![SqlValue::from(pv::ERASED_MESSAGE)];
            params.extend(chunk.iter().cloned());
            out.notifications += crate::db::exec_affected(
                tx,
                format!(
                    "UPDATE {} SET vars = JSON_SET(vars, '$.reply_body', ?) WHERE event_id IN ({}) \
                         AND JSON_CONTAINS_PATH(vars, 'one', '$.reply_body')",
                    mail.outbox,
                    vec!["?"; chunk.len()].join(",")
                ),
                params,
            )
            .await
            .map_err(db)?;
        }
        // The mail they sent, and its attachments.
        let mut received: Vec<u64> = Vec::new();
        let inbox: Vec<String> = tx
            .exec(
                format!(
                    "SELECT id FROM {} WHERE contact_id = ? OR from_email = ? FOR UPDATE",
                    mail.inbox
                ),
                (cid.as_str(), email),
            )
            .await
            .map_err(db)?;
        for chunk in inbox.chunks(500) {
            let ids: Vec<SqlValue> = chunk.iter().map(|s| s.clone().into()).collect();
            let marks = vec!["?"; chunk.len()].join(",");
            let mut params: Vec<SqlValue> = vec![
                pv::erased_email(contact).into(),
                pv::ERASED_NAME.into(),
                pv::ERASED_MESSAGE.into(),
                pv::ERASED_MESSAGE.into(),
            ];
            params.extend(ids.iter().cloned());
            tx.exec_drop(
                format!(
                    "UPDATE {} SET from_email = ?, from_name = ?, subject = ?, body = ? WHERE id IN ({marks})",
                    mail.inbox
                ),
                params,
            )
            .await
            .map_err(db)?;
            let mut params: Vec<SqlValue> = vec![ERASED_ATTACHMENT.into()];
            params.extend(ids.iter().cloned());
            out.attachments += crate::db::exec_affected(
                tx,
                format!(
                    "UPDATE {} SET filename = ?, content = '', size = 0 WHERE inbox_id IN ({marks})",
                    mail.attachments
                ),
                params,
            )
            .await
            .map_err(db)?;
            // Their `mail.received` events (sealed subject, or plain before it was sealed).
            let mut params = ids.clone();
            params.push("mail.received".into());
            let rows: Vec<(u64, String)> = tx
                .exec(
                    format!(
                        "SELECT id, payload FROM {} WHERE aggregate_type = 'mail_message' \
                         AND aggregate_id IN ({marks}) AND event_type = ?",
                        t.events
                    ),
                    params,
                )
                .await
                .map_err(db)?;
            let payloads: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
            out.legacy_events += count_plain("mail.received", &payloads, contact);
            received.extend(rows.iter().map(|r| r.0));
        }
        // Their feed lines show the e-mails' subjects: rendered again (the key is gone, so
        // as "(message erased)"), under the feed's checkpoint lock the erasure holds.
        out.feed_lines = self
            .inner
            .projector
            .rerender(tx, &received)
            .await
            .map_err(AppError::from)?;
        out.mail = inbox.len() as u64;
        // Stored results quoting a message of theirs (those of commands on their tickets)
        // are overwritten by `scrub_copies`, in the same scan as the people's texts.
        out.bodies = replies
            .into_iter()
            .map(|r| r.2)
            .filter(|b| !b.is_empty() && b != pv::ERASED_MESSAGE)
            .collect();
        out.tickets = tickets;
        Ok(out)
    }

    /// Overwrites what still shows any of `texts` outside the people's own rows: the feed
    /// lines (rendered again, under the feed's checkpoint lock), then — with `quoted`; the
    /// second look after the command passes `None`: the feed only — stored command results
    /// (those that show a text, and those of the contacts' tickets that quote one of their
    /// messages), job errors and payloads, the mail outbox and inbox. The number of feed
    /// lines rewritten.
    async fn scrub_copies(
        &self,
        tx: &mut mysql_async::Transaction<'_>,
        texts: &[String],
        quoted: Option<&Quoted<'_>>,
    ) -> Result<u64, AppError> {
        let texts: Vec<&String> = texts.iter().filter(|s| !s.is_empty()).collect();
        if texts.is_empty() {
            return Ok(0);
        }
        let t = self.tables().clone();
        let likes: Vec<SqlValue> = texts.iter().map(|s| like_pattern(s).into()).collect();
        let any = |col: &str| vec![format!("{col} LIKE ?"); likes.len()].join(" OR ");
        let _: Option<u64> = tx
            .exec_first(
                format!(
                    "SELECT last_sequence FROM {} WHERE projection = ? FOR UPDATE",
                    t.checkpoints
                ),
                (ACTIVITY_FEED,),
            )
            .await
            .map_err(db)?;
        let seqs: Vec<u64> = tx
            .exec(
                format!("SELECT sequence FROM {} WHERE {}", t.activity, any("line")),
                likes.clone(),
            )
            .await
            .map_err(db)?;
        let lines = self
            .inner
            .projector
            .rerender(tx, &seqs)
            .await
            .map_err(AppError::from)?;
        let Some(quoted) = quoted else {
            return Ok(lines);
        };
        // Stored results: one scan for both the people's texts (matched rows are replaced)
        // and the ids of the contacts' tickets (rows replaced when they quote a message).
        let bodies: Vec<&str> = quoted.bodies.iter().map(String::as_str).collect();
        let tickets: Vec<Option<&[String]>> = if bodies.is_empty() || quoted.tickets.is_empty() {
            vec![None]
        } else {
            quoted.tickets.chunks(100).map(Some).collect()
        };
        for chunk in tickets {
            let chunk = chunk.unwrap_or_default();
            let mut params: Vec<SqlValue> = likes.clone();
            params.extend(likes.iter().cloned());
            params.extend(chunk.iter().map(|s| SqlValue::from(like_pattern(s))));
            let mut conds = vec![any("result")];
            conds.extend(chunk.iter().map(|_| "result LIKE ?".to_owned()));
            let rows: Vec<(String, String, bool)> = tx
                .exec(
                    format!(
                        "SELECT idem_key, result, ({}) FROM {} WHERE result IS NOT NULL AND ({})",
                        any("result"),
                        t.idempotency,
                        conds.join(" OR ")
                    ),
                    params,
                )
                .await
                .map_err(db)?;
            for (key, result, personal) in rows {
                let quotes = || {
                    serde_json::from_str::<Value>(&result)
                        .map(|v| json_quotes(&v, &bodies))
                        .unwrap_or(true)
                };
                if personal || quotes() {
                    tx.exec_drop(
                        format!("UPDATE {} SET result = ? WHERE idem_key = ?", t.idempotency),
                        (ERASED_RESULT, key),
                    )
                    .await
                    .map_err(db)?;
                }
            }
        }
        // Found without locks (a locking scan would hold every row of the table, and the
        // gaps between them, until the erasure commits: the job runner and every new job
        // would wait), then changed by key, the condition checked again under the row lock.
        let failed: Vec<String> = tx
            .exec(
                format!("SELECT id FROM {} WHERE {}", t.jobs, any("last_error")),
                likes.clone(),
            )
            .await
            .map_err(db)?;
        for chunk in failed.chunks(500) {
            let mut params = vec![SqlValue::from(ERASED_ERROR)];
            params.extend(chunk.iter().map(|id| SqlValue::from(id.as_str())));
            params.extend(likes.iter().cloned());
            tx.exec_drop(
                format!(
                    "UPDATE {} SET last_error = ? WHERE id IN ({}) AND ({})",
                    t.jobs,
                    vec!["?"; chunk.len()].join(", "),
                    any("last_error")
                ),
                params,
            )
            .await
            .map_err(db)?;
        }
        // Copies inside other columns: job payloads (JSON), the mail outbox's recipients
        // and placeholder values, inbound mail's senders and texts.
        let mail = self.app().mail_tables();
        let jobs = CopyColumns {
            table: &t.jobs,
            text: &[],
            json: &["payload"],
        };
        scrub_table(tx, &jobs, &texts, &likes).await?;
        let outbox = CopyColumns {
            table: &mail.outbox,
            text: &["email", "recipient_name"],
            json: &["vars"],
        };
        let unsent = scrub_table(tx, &outbox, &texts, &likes).await?;
        // A notification to an erased address is never sent.
        for id in unsent {
            tx.exec_drop(
                format!(
                    "UPDATE {} SET status = 'dead', locked_until = NULL, last_error = ? \
                     WHERE id = ? AND status IN ('pending', 'failed')",
                    mail.outbox
                ),
                (ERASED_ERROR, id),
            )
            .await
            .map_err(db)?;
        }
        let inbox = CopyColumns {
            table: &mail.inbox,
            text: &["from_email", "from_name", "subject", "body"],
            json: &[],
        };
        scrub_table(tx, &inbox, &texts, &likes).await?;
        Ok(lines)
    }
}

/// A table's columns that may hold a copy of a person's texts: plain text, or JSON (each
/// string in it). The table's key is `id`.
struct CopyColumns<'a> {
    table: &'a str,
    text: &'a [&'a str],
    json: &'a [&'a str],
}

/// Overwrites every occurrence of `texts` in the columns of `c` with the placeholder (JSON
/// stays valid: only its strings change). Returns the ids of the rows changed.
async fn scrub_table(
    tx: &mut mysql_async::Transaction<'_>,
    c: &CopyColumns<'_>,
    texts: &[&String],
    likes: &[SqlValue],
) -> Result<Vec<String>, AppError> {
    let cols: Vec<&str> = c.text.iter().chain(c.json.iter()).copied().collect();
    let mut conds = Vec::new();
    let mut params = Vec::new();
    for col in &cols {
        for like in likes {
            conds.push(format!("{col} LIKE ?"));
            params.push(like.clone());
        }
    }
    // Candidates found without locks (a locking scan would hold every row of the table and
    // the gaps between them until the erasure commits: the job runner, the outbox and new
    // rows would wait), then read again under their row locks, by key, and changed only
    // when they still hold a text.
    let ids: Vec<mysql_async::Value> = tx
        .exec(
            format!("SELECT id FROM {} WHERE {}", c.table, conds.join(" OR ")),
            params,
        )
        .await
        .map_err(db)?;
    let mut rows: Vec<mysql_async::Row> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let locked: Vec<mysql_async::Row> = tx
            .exec(
                format!(
                    "SELECT id, {} FROM {} WHERE id IN ({}) FOR UPDATE",
                    cols.join(", "),
                    c.table,
                    vec!["?"; chunk.len()].join(", ")
                ),
                chunk.to_vec(),
            )
            .await
            .map_err(db)?;
        rows.extend(locked);
    }
    let mut changed = Vec::new();
    for row in rows {
        let id: String = row
            .get_opt(0)
            .and_then(Result::ok)
            .ok_or_else(|| AppError::Storage(format!("a row of {} without id", c.table)))?;
        let mut sets = Vec::new();
        let mut values: Vec<SqlValue> = Vec::new();
        for (i, col) in cols.iter().enumerate() {
            let Some(Ok(Some(old))) = row.get_opt::<Option<String>, _>(i + 1) else {
                continue;
            };
            let new = if i < c.text.len() {
                scrub_text(&old, texts)
            } else {
                let mut v: Value = serde_json::from_str(&old).map_err(|e| {
                    AppError::Storage(format!("{}.{col} is not JSON: {e}", c.table))
                })?;
                scrub_json(&mut v, texts).then(|| v.to_string())
            };
            if let Some(new) = new {
                sets.push(format!("{col} = ?"));
                values.push(new.into());
            }
        }
        if sets.is_empty() {
            continue;
        }
        values.push(id.clone().into());
        tx.exec_drop(
            format!("UPDATE {} SET {} WHERE id = ?", c.table, sets.join(", ")),
            values,
        )
        .await
        .map_err(db)?;
        changed.push(id);
    }
    Ok(changed)
}

/// `s` with every occurrence of any of `texts` (compared case-insensitively) replaced by the
/// placeholder; `None` when it holds none.
fn scrub_text(s: &str, texts: &[&String]) -> Option<String> {
    let mut out = s.to_owned();
    let mut any = false;
    for t in texts {
        if let Some(next) = replace_ci(&out, t, pv::ERASED_NAME) {
            out = next;
            any = true;
        }
    }
    any.then_some(out)
}

/// Scrubs every string of `v` (object keys included) with [`scrub_text`]; whether any
/// changed.
fn scrub_json(v: &mut Value, texts: &[&String]) -> bool {
    match v {
        Value::String(s) => match scrub_text(s, texts) {
            Some(new) => {
                *s = new;
                true
            }
            None => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, i| scrub_json(i, texts) | any),
        Value::Object(map) => {
            let old = std::mem::take(map);
            let mut any = false;
            for (k, mut item) in old {
                any |= scrub_json(&mut item, texts);
                let k = match scrub_text(&k, texts) {
                    Some(new) => {
                        any = true;
                        new
                    }
                    None => k,
                };
                map.insert(k, item);
            }
            any
        }
        _ => false,
    }
}

/// `s` with every occurrence of `needle` (compared case-insensitively, per character)
/// replaced by `with`; `None` when there is none.
fn replace_ci(s: &str, needle: &str, with: &str) -> Option<String> {
    let lower = |c: char| c.to_lowercase().collect::<String>();
    let needle: Vec<String> = needle.chars().map(lower).collect();
    if needle.is_empty() {
        return None;
    }
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut last = 0;
    let mut found = false;
    while i + needle.len() <= chars.len() {
        let hit = needle
            .iter()
            .zip(&chars[i..])
            .all(|(n, (_, c))| *n == lower(*c));
        if hit {
            let start = chars[i].0;
            out.push_str(&s[last..start]);
            out.push_str(with);
            i += needle.len();
            last = chars.get(i).map_or(s.len(), |(b, _)| *b);
            found = true;
        } else {
            i += 1;
        }
    }
    if !found {
        return None;
    }
    out.push_str(&s[last..]);
    Some(out)
}

/// How many of `payloads` (of `event_type`, about `subject`) hold the personal fields in
/// plain text (written before sealing).
fn count_plain(event_type: &str, payloads: &[String], subject: Uuid) -> u64 {
    payloads
        .iter()
        .filter_map(|p| serde_json::from_str::<Value>(p).ok())
        .filter(|p| pv::subject_of(event_type, p).is_some_and(|s| s.id == subject))
        .filter(|p| !pv::is_sealed(event_type, p))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::{replace_ci, scrub_json, scrub_text};
    use serde_json::json;

    #[test]
    fn copies_are_replaced_case_insensitively_and_json_stays_json() {
        assert_eq!(
            replace_ci("Mail ZOË.q@x.test or zoë.Q@x.test", "Zoë.Q@x.test", "E"),
            Some("Mail E or E".to_owned())
        );
        assert_eq!(replace_ci("nothing here", "zoë", "E"), None);
        assert_eq!(replace_ci("abc", "", "E"), None);
        assert_eq!(replace_ci("xZoë", "zoë", "E"), Some("xE".to_owned()));
        let name = "Zoë Quill".to_owned();
        let mail = "zoe@x.test".to_owned();
        let texts = [&name, &mail];
        assert_eq!(
            scrub_text("Hi zoë quill <ZOE@x.test>", &texts),
            Some("Hi Erased person <Erased person>".to_owned())
        );
        let mut v = json!({"to": ["zoe@x.test", 3], "zoe@x.test": {"n": "Zoë Quill"}, "k": null});
        assert!(scrub_json(&mut v, &texts));
        assert_eq!(
            v,
            json!({"to": ["Erased person", 3], "Erased person": {"n": "Erased person"}, "k": null})
        );
        let mut other = json!({"a": "b"});
        assert!(!scrub_json(&mut other, &texts));
    }
}
