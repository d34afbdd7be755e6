//! Helpdesk email (issue 17): the outbox of notifications, fed by the outbox job from the
//! event log; the claim / sent / failed protocol WordPress sends through (`wp_mail`, so the
//! site's SMTP applies); templates, staff opt-outs, signed reply tokens and reopen links.
//!
//! - **Outbox job** ([`JOB_MAIL_OUTBOX`], [`Mail::run_outbox`]): the events after the
//!   `mail_outbox` checkpoint (`pet_projection_checkpoints`, started at the log's head by
//!   migration 0027, so an existing site does not mail its history), a batch per
//!   transaction holding the checkpoint row `FOR UPDATE`; `pet_core::mail::plan` says which
//!   notifications each event calls for, to the recipients in force **at the event**
//!   (`pet_core::mail::facts_at` folds the ticket's own events up to the event: a ticket
//!   reassigned before the job runs does not mail its new assignee about an older event),
//!   their addresses come from the state tables, and each becomes one row keyed by
//!   (event, recipient): `INSERT IGNORE` on that
//!   unique key makes a row exactly once however often a batch is retried. Opted-out staff
//!   and recipients without an address get no row. Commands never write the outbox.
//! - **Sending**: [`Mail::claim_outgoing`] claims due rows like the job queue (`SKIP
//!   LOCKED`, a visibility timeout, the claim being the row plus its attempt number);
//!   WordPress renders and sends each and answers [`Mail::mail_sent`] (which records
//!   `mail.sent` on the ticket through the one command path) or [`Mail::mail_failed`]
//!   (retried after `jobs::backoff`, dead after `max_attempts`; [`Mail::retry_mail`] gives a
//!   dead letter fresh attempts).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use mysql_async::prelude::*;
use mysql_async::{Row, Transaction, TxOpts};
use pet_core::aggregate::Aggregate;
use pet_core::helpdesk::{TicketEvent, TicketId};
use pet_core::identity::ContactId;
use pet_core::mail::{
    facts_at, plan, ticket_of, Audience, MailCommand, MailEvent, MailMessage, MailSent,
    NotificationKind, Planned, Recipient, TicketMailFacts, TicketStreamEvent, JOB_MAIL_OUTBOX,
};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{App, CommandContext};
use crate::command::{command, Actors, Cmd, Repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{db, internal, AppError};
use crate::input::{arg_uuid, Input};
use crate::jobs::{backoff, ClaimedJob, NewJob};
use crate::modules::{unknown_job, JobFuture};
use crate::services::Mail;

/// The outbox job's checkpoint row in `pet_projection_checkpoints`.
pub const OUTBOX_PROJECTION: &str = "mail_outbox";
/// Events per outbox transaction.
pub const OUTBOX_BATCH: usize = 500;
/// Attempts before a message is a dead letter.
pub const MAX_ATTEMPTS: u32 = 5;
/// How long a claimed message stays with its sender.
pub const VISIBILITY_SECONDS: i64 = 300;
/// How long a resolution mail's reopen link is valid.
pub const REOPEN_LINK_DAYS: i64 = 7;
/// Longest template subject and body.
const MAX_SUBJECT: usize = 300;
const MAX_BODY: usize = 20_000;

type HmacSha256 = Hmac<sha2_next::Sha256>;

/// The mail table names for one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTables {
    /// The outbox.
    pub outbox: String,
    /// Edited templates.
    pub templates: String,
    /// Staff opt-outs.
    pub optouts: String,
    /// The signing secret.
    pub settings: String,
    /// The mail message aggregate's rows.
    pub messages: String,
    /// Inbound messages.
    pub inbox: String,
    /// Their attachments.
    pub attachments: String,
}

impl MailTables {
    /// The names for the (already validated) `prefix`.
    pub fn new(prefix: &str) -> Self {
        let t = |name: &str| format!("{prefix}pet_{name}");
        Self {
            outbox: t("mail_outbox"),
            templates: t("mail_templates"),
            optouts: t("mail_optouts"),
            settings: t("mail_settings"),
            messages: t("mail_messages"),
            inbox: t("mail_inbox"),
            attachments: t("mail_attachments"),
        }
    }
}

impl App {
    /// The mail table names.
    pub fn mail_tables(&self) -> MailTables {
        MailTables::new(&self.tables().prefix)
    }
}

/// Runs the module's job kinds: the outbox job.
pub(crate) fn run_job<'a>(app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move {
        match job.kind.as_str() {
            JOB_MAIL_OUTBOX => app.mail().run_outbox().await.map(|_| ()),
            _ => Err(unknown_job(job)),
        }
    })
}

/// What one outbox run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxReport {
    /// Events read.
    pub events: u64,
    /// Outbox rows written.
    pub queued: u64,
    /// Notifications not queued: the recipient opted out or has no address.
    pub skipped: u64,
    /// The checkpoint after the run.
    pub checkpoint: u64,
}

/// A message claimed for sending (what WordPress renders and sends).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutgoingMail {
    /// The outbox row.
    pub id: String,
    /// The claim's attempt number (give it back with sent / failed).
    pub attempt: u32,
    /// The template kind.
    pub kind: String,
    /// `customer` or `staff`.
    pub audience: &'static str,
    /// The ticket.
    pub ticket_id: String,
    /// The address.
    pub to: String,
    /// The recipient's name.
    pub recipient_name: String,
    /// The placeholders' values.
    pub vars: Value,
    /// The site's edited template (`{subject, body}`), or null for the default.
    pub template: Option<Value>,
    /// The signed token replies carry (Reply-To plus-part), the ticket's thread.
    pub reply_token: String,
    /// A Message-ID local part unique to this message.
    pub message_id: String,
}

/// A row of the outbox as listed for admins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxView {
    /// Its id.
    pub id: String,
    /// The template kind.
    pub kind: String,
    /// The ticket.
    pub ticket_id: String,
    /// The address.
    pub to: String,
    /// Status.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// Next try (pending, failed) or when it died / was sent.
    pub run_at: String,
    /// The last error.
    pub last_error: Option<String>,
    /// Created at.
    pub created_at: String,
    /// Sent at.
    pub sent_at: Option<String>,
}

const OUTBOX_COLUMNS: &str = "id, kind, ticket_id, email, status, attempts, max_attempts, run_at, \
                              last_error, created_at, sent_at";

fn outbox_view(mut r: Row) -> Result<OutboxView, AppError> {
    fn t<T: FromValue>(r: &mut Row, i: usize) -> Result<T, AppError> {
        r.take_opt(i)
            .and_then(Result::ok)
            .ok_or_else(|| internal(&format!("unreadable outbox column {i}")))
    }
    let sent: Option<NaiveDateTime> = t(&mut r, 10)?;
    Ok(OutboxView {
        id: t(&mut r, 0)?,
        kind: t(&mut r, 1)?,
        ticket_id: t(&mut r, 2)?,
        to: t(&mut r, 3)?,
        status: t(&mut r, 4)?,
        attempts: t(&mut r, 5)?,
        max_attempts: t(&mut r, 6)?,
        run_at: rfc3339(from_db_time(t(&mut r, 7)?)),
        last_error: t(&mut r, 8)?,
        created_at: rfc3339(from_db_time(t(&mut r, 9)?)),
        sent_at: sent.map(|s| rfc3339(from_db_time(s))),
    })
}

fn kind_arg(field: &str, s: &str) -> Result<NotificationKind, AppError> {
    NotificationKind::parse(s).ok_or_else(|| AppError::field(field, "is not a notification kind"))
}

/// Checks a template's `{placeholder}`s against the kind's list: the first unknown one.
fn unknown_placeholder(kind: NotificationKind, text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let name = &after[..close];
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && !kind.placeholders().contains(&name)
        {
            return Some(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The state row repository of [`MailMessage`].
pub(crate) struct MailMessages<'a>(pub(crate) &'a App);

impl Repository<MailMessage> for MailMessages<'_> {
    const NAME: &'static str = "mail message";

    async fn load(
        &self,
        tx: &mut Transaction<'_>,
        id: Uuid,
    ) -> Result<Option<MailMessage>, AppError> {
        let row: Option<(String, u64)> = tx
            .exec_first(
                format!(
                    "SELECT ticket_id, version FROM {} WHERE id = ? FOR UPDATE",
                    self.0.mail_tables().messages
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        row.map(|(t, version)| {
            Ok(MailMessage {
                id,
                ticket_id: TicketId::from_uuid(arg_uuid("ticket_id", &t)?),
                version,
            })
        })
        .transpose()
    }

    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        before: u64,
        after: &MailMessage,
        _events: &[MailEvent],
    ) -> Result<(), AppError> {
        if before != 0 {
            return Err(internal("a mail message is recorded once"));
        }
        let t = self.0.mail_tables();
        cx.tx()
            .await?
            .exec_drop(
                format!(
                    "INSERT INTO {} (id, ticket_id, version) VALUES (?, ?, ?)",
                    t.messages
                ),
                (
                    after.id.to_string(),
                    after.ticket_id.to_string(),
                    after.version,
                ),
            )
            .await
            .map_err(db)
    }
}

impl Mail<'_> {
    // ---- signing -------------------------------------------------------------------------

    /// The site's signing secret, made once at random.
    async fn secret<Q: Queryable>(&self, q: &mut Q) -> Result<Vec<u8>, AppError> {
        let t = self.mail_tables();
        let fresh = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        q.exec_drop(
            format!(
                "INSERT IGNORE INTO {} (name, value, updated_at) VALUES ('secret', ?, ?)",
                t.settings
            ),
            (fresh, to_db_time(self.now())),
        )
        .await
        .map_err(db)?;
        let v: Option<String> = q
            .exec_first(
                format!("SELECT value FROM {} WHERE name = 'secret'", t.settings),
                (),
            )
            .await
            .map_err(db)?;
        v.map(String::into_bytes)
            .ok_or_else(|| internal("mail secret missing"))
    }

    fn sign(secret: &[u8], what: &str) -> Result<String, AppError> {
        let mut mac =
            HmacSha256::new_from_slice(secret).map_err(|_| internal("mail secret length"))?;
        mac.update(what.as_bytes());
        Ok(hex(&mac.finalize().into_bytes()[..12]))
    }

    fn verify(secret: &[u8], what: &str, sig_hex: &str) -> Result<bool, AppError> {
        let mut mac =
            HmacSha256::new_from_slice(secret).map_err(|_| internal("mail secret length"))?;
        mac.update(what.as_bytes());
        let full = mac.finalize().into_bytes();
        let given: Option<Vec<u8>> = (0..sig_hex.len())
            .step_by(2)
            .map(|i| {
                sig_hex
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        Ok(match given {
            // Constant time over the 12 bytes compared.
            Some(g) if g.len() == 12 => {
                g.iter()
                    .zip(&full[..12])
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
            }
            _ => false,
        })
    }

    /// A ticket's reply token: its id (32 hex digits) and a signature (24), lower case, so it
    /// survives in an address's plus-part.
    pub(crate) fn reply_token_with(secret: &[u8], ticket: Uuid) -> Result<String, AppError> {
        let id = ticket.simple().to_string();
        Ok(format!(
            "{id}{}",
            Self::sign(secret, &format!("reply:{id}"))?
        ))
    }

    /// The ticket a reply token names, when its signature is good (`None`: forged or
    /// mangled).
    pub(crate) fn ticket_of_token(secret: &[u8], token: &str) -> Result<Option<Uuid>, AppError> {
        let token = token.to_ascii_lowercase();
        if token.len() != 56 || !token.is_ascii() {
            return Ok(None);
        }
        let (id, sig) = token.split_at(32);
        if !Self::verify(secret, &format!("reply:{id}"), sig)? {
            return Ok(None);
        }
        Ok(Uuid::parse_str(id).ok())
    }

    /// The sealer of the reply mailbox's password: the accounting module's, under the mail
    /// module's own domain tag (a QuickBooks secret never opens as a mailbox password).
    fn mailbox_sealer(&self) -> Result<crate::accounting::connection::Sealer, AppError> {
        let secret = self.secret_key().ok_or_else(|| {
            AppError::Invariant(
                "the site has no secret key to encrypt the mailbox password with \
                 (define PET_ENCRYPTION_KEY or AUTH_KEY in wp-config.php)"
                    .into(),
            )
        })?;
        Ok(crate::accounting::connection::Sealer::for_use(
            MAILBOX_SEAL_TAG,
            "the stored mailbox password cannot be decrypted (the site's secret key \
             changed?): enter the password again",
            secret,
        ))
    }

    /// Encrypts the reply mailbox's password with the site's secret key: `{sealed}` (what
    /// WordPress stores; never the password in clear). An empty password is a validation
    /// error.
    pub async fn seal_mailbox_password(&self, password: &str) -> Result<Value, AppError> {
        if password.is_empty() || password.len() > 1024 {
            return Err(AppError::field(
                "password",
                "must not be empty (at most 1024 bytes)",
            ));
        }
        Ok(json!({"sealed": self.mailbox_sealer()?.seal(password)?}))
    }

    /// Decrypts a password sealed by [`Self::seal_mailbox_password`]: `{password}`; a value
    /// sealed with another key, or altered, is an invariant error naming the fix.
    pub async fn open_mailbox_password(&self, sealed: &str) -> Result<Value, AppError> {
        Ok(json!({"password": self.mailbox_sealer()?.open(sealed)?}))
    }

    /// Checks a reply token: `{ticket_id}` when valid; a validation error when forged.
    pub async fn check_reply_token(&self, token: &str) -> Result<Value, AppError> {
        let mut conn = self.conn().await?;
        let secret = self.secret(&mut conn).await?;
        match Self::ticket_of_token(&secret, token)? {
            Some(t) => Ok(json!({"ticket_id": t})),
            None => Err(AppError::field("token", "is not a valid reply token")),
        }
    }

    /// Reopens a resolved ticket from a resolution mail's signed link (`ticket_id`,
    /// `expires` as Unix seconds, `sig`), as the system: a forged or expired link is a
    /// validation error and changes nothing; the ticket's own rules (the reopen window)
    /// apply as to staff.
    pub async fn reopen_by_link(
        &self,
        ticket_id: &str,
        expires: i64,
        sig: &str,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let mut conn = self.conn().await?;
        let secret = self.secret(&mut conn).await?;
        drop(conn);
        if !Self::verify(&secret, &format!("reopen:{}:{expires}", id.simple()), sig)? {
            return Err(AppError::field("sig", "the link is not valid"));
        }
        if self.now().timestamp() > expires {
            return Err(AppError::field("expires", "the link has expired"));
        }
        self.app()
            .helpdesk()
            .reopen_ticket_by_mail(id, &CommandContext::system())
            .await
    }

    // ---- the outbox job ------------------------------------------------------------------

    /// Enqueues the outbox job (at most one pending). WP-Cron calls this every minute.
    pub async fn enqueue_outbox_job(&self) -> Result<Value, AppError> {
        let now = self.now();
        let mut conn = self.conn().await?;
        let id = self
            .jobs()
            .enqueue(
                &mut conn,
                &NewJob::new(JOB_MAIL_OUTBOX, json!({}), now).dedupe(JOB_MAIL_OUTBOX),
                now,
            )
            .await?;
        Ok(json!({"enqueued": id.is_some(), "job_id": id.map(|u| u.to_string())}))
    }

    /// Runs the outbox job now: `{events, queued, skipped, checkpoint}`.
    pub async fn run_outbox_job(&self) -> Result<Value, AppError> {
        serde_json::to_value(self.run_outbox().await?).map_err(|_| internal("report"))
    }

    /// The outbox job at the app clock's now; see the module docs.
    pub async fn run_outbox(&self) -> Result<OutboxReport, AppError> {
        let now = self.now();
        let mut conn = self.conn().await?;
        conn.exec_drop(
            format!(
                "INSERT IGNORE INTO {} (projection, last_sequence, updated_at) VALUES (?, 0, ?)",
                self.tables().checkpoints
            ),
            (OUTBOX_PROJECTION, to_db_time(now)),
        )
        .await
        .map_err(db)?;
        let secret = self.secret(&mut conn).await?;
        let mut report = OutboxReport::default();
        loop {
            let mut tx = conn
                .start_transaction(TxOpts::default())
                .await
                .map_err(db)?;
            match self.outbox_step(&mut tx, &secret, now, &mut report).await {
                Ok(n) => {
                    tx.commit().await.map_err(db)?;
                    if n < OUTBOX_BATCH {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(e);
                }
            }
        }
        Ok(report)
    }

    async fn outbox_step(
        &self,
        tx: &mut Transaction<'_>,
        secret: &[u8],
        now: DateTime<Utc>,
        report: &mut OutboxReport,
    ) -> Result<usize, AppError> {
        let cp: u64 = tx
            .exec_first(
                format!(
                    "SELECT last_sequence FROM {} WHERE projection = ? FOR UPDATE",
                    self.tables().checkpoints
                ),
                (OUTBOX_PROJECTION,),
            )
            .await
            .map_err(db)?
            .ok_or_else(|| internal("mail outbox checkpoint row missing"))?;
        report.checkpoint = cp;
        let events = self.store().read_after(tx, cp, OUTBOX_BATCH).await?;
        let Some(last) = events.last().map(|e| e.sequence) else {
            return Ok(0);
        };
        let decode = |e: pet_core::identity::EventDecodeError| {
            AppError::Storage(format!("mail outbox: {e}"))
        };
        // Each ticket's own events, read once per batch: the facts of an event are those in
        // force at it (pet_core::mail::facts_at), not the ticket's state when the job runs.
        let mut streams: HashMap<TicketId, Vec<TicketStreamEvent>> = HashMap::new();
        for rec in &events {
            let ev = &rec.event;
            let (ty, v, payload) = (ev.event_type().as_str(), ev.schema_version(), ev.payload());
            let Some(ticket) = ticket_of(ty, v, payload).map_err(decode)? else {
                continue;
            };
            let stream = match streams.entry(ticket) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(self.ticket_stream(tx, ticket).await?)
                }
            };
            let stream = stream.as_slice();
            let Some(info) = self.ticket_info(tx, ticket, stream, rec.sequence).await? else {
                continue;
            };
            let planned =
                plan(ty, v, payload, ev.actor().employee_id(), &info.facts).map_err(decode)?;
            for p in planned {
                if self
                    .queue(tx, secret, rec.sequence, ev.event_id(), &info, &p, now)
                    .await?
                {
                    report.queued += 1;
                } else {
                    report.skipped += 1;
                }
            }
        }
        tx.exec_drop(
            format!(
                "UPDATE {} SET last_sequence = ?, updated_at = ? WHERE projection = ? AND last_sequence = ?",
                self.tables().checkpoints
            ),
            (last, to_db_time(now), OUTBOX_PROJECTION, cp),
        )
        .await
        .map_err(db)?;
        if tx.affected_rows() != 1 {
            return Err(internal("the mail outbox checkpoint moved under its lock"));
        }
        report.events += events.len() as u64;
        report.checkpoint = last;
        Ok(events.len())
    }

    /// The ticket's own events in log order, as [`facts_at`] reads them.
    async fn ticket_stream(
        &self,
        tx: &mut Transaction<'_>,
        ticket: TicketId,
    ) -> Result<Vec<TicketStreamEvent>, AppError> {
        let recorded = self
            .store()
            .read_aggregate(
                tx,
                pet_core::helpdesk::ticket::AGGREGATE_TYPE,
                ticket.as_uuid(),
            )
            .await?;
        recorded
            .iter()
            .map(|r| {
                let e = &r.event;
                let event = TicketEvent::from_stored(
                    e.event_type().as_str(),
                    e.schema_version(),
                    e.payload(),
                )
                .map_err(|err| AppError::Storage(format!("mail outbox: {err}")))?;
                Ok(TicketStreamEvent {
                    sequence: r.sequence,
                    occurred_at: e.occurred_at(),
                    event,
                })
            })
            .collect()
    }

    /// The ticket's number and subject, and its requester and assignee as they stood at log
    /// position `sequence` (folded from its `stream` by [`facts_at`]; a requester nobody
    /// named yet is the customer's first contact with an address). `None`: no such ticket.
    async fn ticket_info(
        &self,
        tx: &mut Transaction<'_>,
        ticket: TicketId,
        stream: &[TicketStreamEvent],
        sequence: u64,
    ) -> Result<Option<TicketInfo>, AppError> {
        let t = self.tables();
        let hd = self.helpdesk_tables();
        let row: Option<(String, String, Option<u64>)> = tx
            .exec_first(
                format!(
                    "SELECT customer_id, subject, number FROM {} WHERE id = ?",
                    hd.tickets
                ),
                (ticket.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((customer, subject, number)) = row else {
            return Ok(None);
        };
        let mut facts = facts_at(stream, sequence);
        if facts.requester.is_none() {
            let first: Option<String> = tx
                .exec_first(
                    format!(
                        "SELECT id FROM {} WHERE customer_id = ? AND email IS NOT NULL AND email <> '' \
                         ORDER BY added_version, id LIMIT 1",
                        t.contacts
                    ),
                    (customer.as_str(),),
                )
                .await
                .map_err(db)?;
            facts.requester = first
                .as_deref()
                .map(|s| arg_uuid("id", s))
                .transpose()?
                .map(ContactId::from_uuid);
        }
        Ok(Some(TicketInfo {
            id: ticket,
            number,
            subject,
            facts,
        }))
    }

    /// Writes one planned notification's outbox row (once per event and recipient); false
    /// when the recipient has no address, is inactive or opted out.
    #[allow(clippy::too_many_arguments)]
    async fn queue(
        &self,
        tx: &mut Transaction<'_>,
        secret: &[u8],
        sequence: u64,
        event_id: Uuid,
        info: &TicketInfo,
        p: &Planned,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let t = self.tables();
        let m = self.mail_tables();
        let who: Option<(String, Option<String>)> = match p.recipient {
            Recipient::Contact(c) => tx
                .exec_first(
                    format!("SELECT name, email FROM {} WHERE id = ?", t.contacts),
                    (c.to_string(),),
                )
                .await
                .map_err(db)?,
            Recipient::Employee(e) => {
                let opted: Option<u8> = tx
                    .exec_first(
                        format!(
                            "SELECT 1 FROM {} WHERE employee_id = ? AND kind = ?",
                            m.optouts
                        ),
                        (e.to_string(), p.kind.as_str()),
                    )
                    .await
                    .map_err(db)?;
                if opted.is_some() {
                    return Ok(false);
                }
                tx.exec_first(
                    format!(
                        "SELECT name, email FROM {} WHERE id = ? AND status = 'active'",
                        t.employees
                    ),
                    (e.to_string(),),
                )
                .await
                .map_err(db)?
            }
        };
        let Some((name, Some(email))) = who else {
            return Ok(false);
        };
        if email.trim().is_empty() {
            return Ok(false);
        }
        let mut vars = json!({
            "ticket_number": info.number.map_or_else(String::new, |n| n.to_string()),
            "ticket_subject": info.subject,
            "recipient_name": name,
        });
        match p.kind {
            NotificationKind::PublicReply | NotificationKind::CustomerReply => {
                vars["reply_body"] = json!(p.detail.clone().unwrap_or_default());
            }
            NotificationKind::SlaWarning | NotificationKind::SlaBreach => {
                vars["sla_target"] = json!(p.detail.clone().unwrap_or_default());
            }
            NotificationKind::Resolution => {
                let expires = (now + Duration::days(REOPEN_LINK_DAYS)).timestamp();
                let sig = Self::sign(
                    secret,
                    &format!("reopen:{}:{expires}", info.id.as_uuid().simple()),
                )?;
                vars["reopen"] = json!({"ticket_id": info.id, "expires": expires, "sig": sig});
            }
            _ => {}
        }
        let n = crate::db::exec_affected(
            tx,
            format!(
                "INSERT IGNORE INTO {} (id, event_id, sequence, kind, ticket_id, recipient_kind, recipient_id, \
                 email, recipient_name, vars, status, attempts, max_attempts, run_at, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)",
                m.outbox
            ),
            vec![
                mysql_async::Value::from(Uuid::now_v7().to_string()),
                event_id.to_string().into(),
                sequence.into(),
                p.kind.as_str().into(),
                p.ticket_id.to_string().into(),
                p.recipient.kind().into(),
                p.recipient.id().to_string().into(),
                email.trim().into(),
                name.as_str().into(),
                vars.to_string().into(),
                MAX_ATTEMPTS.into(),
                to_db_time(now).into(),
                to_db_time(now).into(),
                to_db_time(now).into(),
            ],
        )
        .await?;
        Ok(n == 1)
    }

    // ---- sending -------------------------------------------------------------------------

    /// Claims up to `limit` due messages (`{limit?}`, 1–100, default 20) for five minutes:
    /// `{items: list<OutgoingMail>}`. A message whose claim expired on its last attempt is
    /// dead-lettered instead.
    pub async fn claim_outgoing(&self, options: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(options, "options");
        let limit = o.opt_i64("limit").unwrap_or(20);
        if !(1..=100).contains(&limit) {
            o.error("limit", "must be between 1 and 100");
        }
        o.finish()?;
        let now = self.now();
        let nowdb = to_db_time(now);
        let m = self.mail_tables();
        let mut conn = self.conn().await?;
        self.refuse_on_read_only(&mut conn, "send mail").await?;
        let secret = self.secret(&mut conn).await?;
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(db)?;
        let claimed: Result<Vec<OutgoingMail>, AppError> = async {
            type Cand = (String, String, String, String, String, String, u32, u32);
            let cols = "id, kind, ticket_id, email, recipient_name, vars, attempts, max_attempts";
            let mut rows: Vec<(Cand, bool)> = Vec::new();
            let expired: Vec<Cand> = tx
                .exec(
                    format!(
                        "SELECT {cols} FROM {} FORCE INDEX (ix_mail_expired) WHERE status = 'running' \
                         AND locked_until <= ? ORDER BY locked_until LIMIT ? FOR UPDATE SKIP LOCKED",
                        m.outbox
                    ),
                    (nowdb, limit as u64),
                )
                .await
                .map_err(db)?;
            rows.extend(expired.into_iter().map(|r| (r, true)));
            for st in ["pending", "failed"] {
                let want = (limit as usize).saturating_sub(rows.len());
                if want == 0 {
                    break;
                }
                let ids: Vec<String> = tx
                    .exec(
                        format!(
                            "SELECT id FROM {} FORCE INDEX (ix_mail_status_due) WHERE status = ? \
                             AND run_at <= ? ORDER BY run_at, id LIMIT ?",
                            m.outbox
                        ),
                        (st, nowdb, want as u64),
                    )
                    .await
                    .map_err(db)?;
                if ids.is_empty() {
                    continue;
                }
                let marks = vec!["?"; ids.len()].join(", ");
                let mut params: Vec<mysql_async::Value> = ids.into_iter().map(Into::into).collect();
                params.push(st.into());
                let due: Vec<Cand> = tx
                    .exec(
                        format!(
                            "SELECT {cols} FROM {} FORCE INDEX (PRIMARY) WHERE id IN ({marks}) \
                             AND status = ? FOR UPDATE SKIP LOCKED",
                            m.outbox
                        ),
                        params,
                    )
                    .await
                    .map_err(db)?;
                rows.extend(due.into_iter().map(|r| (r, false)));
            }
            let templates = self.custom_templates(&mut tx).await?;
            let mut out = Vec::new();
            for ((id, kind, ticket, email, name, vars, attempts, max), was_running) in rows {
                if was_running && attempts >= max {
                    tx.exec_drop(
                        format!(
                            "UPDATE {} SET status = 'dead', locked_until = NULL, \
                             last_error = 'claim expired on the last attempt', updated_at = ?, run_at = ? \
                             WHERE id = ?",
                            m.outbox
                        ),
                        (nowdb, nowdb, &id),
                    )
                    .await
                    .map_err(db)?;
                    continue;
                }
                tx.exec_drop(
                    format!(
                        "UPDATE {} SET status = 'running', attempts = attempts + 1, locked_until = ?, \
                         updated_at = ? WHERE id = ?",
                        m.outbox
                    ),
                    (to_db_time(now + Duration::seconds(VISIBILITY_SECONDS)), nowdb, &id),
                )
                .await
                .map_err(db)?;
                let k = kind_arg("kind", &kind)?;
                let tid = arg_uuid("ticket_id", &ticket)?;
                out.push(OutgoingMail {
                    message_id: format!("pet.{}.{}", Uuid::parse_str(&id).map_err(|_| internal("id"))?.simple(), attempts + 1),
                    id,
                    attempt: attempts + 1,
                    kind,
                    audience: match k.audience() {
                        Audience::Customer => "customer",
                        Audience::Staff => "staff",
                    },
                    ticket_id: ticket,
                    to: email,
                    recipient_name: name,
                    vars: serde_json::from_str(&vars).map_err(|_| internal("outbox vars"))?,
                    template: templates.get(k.as_str()).cloned(),
                    reply_token: Self::reply_token_with(&secret, tid)?,
                });
            }
            Ok(out)
        }
        .await;
        match claimed {
            Ok(items) => {
                tx.commit().await.map_err(db)?;
                Ok(json!({ "items": items }))
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Records a claimed message as sent: the row is marked sent and `mail.sent` is
    /// recorded on the ticket, in one command. A lost claim (expired and taken over) is a
    /// conflict and records nothing. `subject` is the subject as sent.
    pub async fn mail_sent(
        &self,
        mail_id: &str,
        attempt: i64,
        subject: &str,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("mail_id", mail_id)?;
        let subject: String = subject.chars().take(300).collect();
        let ctx = CommandContext::system();
        let m = self.mail_tables();
        command!(
            self.app(),
            &ctx,
            "mail_sent",
            &json!({"id": id, "attempt": attempt}),
            Actors::EmployeesOrSystem,
            |cx| {
                let now = cx.now();
                let row: Option<(String, String, String, String, u32, String)> = cx
                    .tx().await?
                    .exec_first(
                        format!(
                            "SELECT kind, ticket_id, recipient_kind, recipient_id, attempts, status \
                             FROM {} WHERE id = ? FOR UPDATE",
                            m.outbox
                        ),
                        (id.to_string(),),
                    )
                    .await
                    .map_err(db)?;
                let Some((kind, ticket, rkind, rid, attempts, status)) = row else {
                    return Err(AppError::NotFound(format!("mail {id}")));
                };
                if status != "running" || i64::from(attempts) != attempt {
                    return Err(AppError::Conflict(format!(
                        "mail {id}: the claim of attempt {attempt} was lost"
                    )));
                }
                let ticket_uuid = arg_uuid("ticket_id", &ticket)?;
                let number: Option<u64> = cx
                    .tx()
                    .await?
                    .exec_first(
                        format!(
                            "SELECT number FROM {} WHERE id = ?",
                            self.helpdesk_tables().tickets
                        ),
                        (ticket.as_str(),),
                    )
                    .await
                    .map_err(db)?
                    .flatten();
                let ticket_number = match number {
                    Some(n) => Some(pet_core::helpdesk::TicketNumber::new(
                        "ticket_number",
                        u32::try_from(n).map_err(|_| internal("ticket number"))?,
                    )?),
                    None => None,
                };
                cx.tx().await?
                    .exec_drop(
                        format!(
                            "UPDATE {} SET status = 'sent', locked_until = NULL, last_error = NULL, \
                             sent_at = ?, updated_at = ? WHERE id = ?",
                            m.outbox
                        ),
                        (to_db_time(now), to_db_time(now), id.to_string()),
                    )
                    .await
                    .map_err(db)?;
                let (_, events) = cx
                    .create(
                        &MailMessages(self.app()),
                        &MailCommand::RecordSent(MailSent {
                            mail_id: id,
                            ticket_id: TicketId::from_uuid(ticket_uuid),
                            ticket_number,
                            kind: kind_arg("kind", &kind)?,
                            recipient_kind: rkind,
                            recipient_id: arg_uuid("recipient_id", &rid)?,
                            subject: subject.clone(),
                        }),
                        &(),
                    )
                    .await?;
                Ok(json!({"id": id, "status": "sent", "events": events.len()}))
            }
        )
    }

    /// Records a failed send of a claimed message: retried after the back-off, or a dead
    /// letter on its last attempt. `{id, status}`; a lost claim is a conflict.
    pub async fn mail_failed(
        &self,
        mail_id: &str,
        attempt: i64,
        error: &str,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("mail_id", mail_id)?;
        let now = self.now();
        let m = self.mail_tables();
        let mut conn = self.conn().await?;
        let row: Option<(u32, u32, String)> = conn
            .exec_first(
                format!(
                    "SELECT attempts, max_attempts, status FROM {} WHERE id = ?",
                    m.outbox
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((attempts, max, status)) = row else {
            return Err(AppError::NotFound(format!("mail {id}")));
        };
        if status != "running" || i64::from(attempts) != attempt {
            return Err(AppError::Conflict(format!(
                "mail {id}: the claim of attempt {attempt} was lost"
            )));
        }
        let dead = attempts >= max;
        let next = if dead { now } else { now + backoff(attempts) };
        let error: String = error.chars().take(2000).collect();
        let new_status = if dead { "dead" } else { "failed" };
        let n = crate::db::exec_affected(
            &mut conn,
            format!(
                "UPDATE {} SET status = ?, locked_until = NULL, last_error = ?, run_at = ?, updated_at = ? \
                 WHERE id = ? AND status = 'running' AND attempts = ?",
                m.outbox
            ),
            (new_status, error, to_db_time(next), to_db_time(now), id.to_string(), attempts),
        )
        .await?;
        if n != 1 {
            return Err(AppError::Conflict(format!(
                "mail {id} changed concurrently"
            )));
        }
        Ok(json!({"id": id, "status": new_status, "run_at": rfc3339(next)}))
    }

    /// Gives a dead letter fresh attempts (pending, due now). Needs a settings manager.
    pub async fn retry_mail(&self, mail_id: &str, ctx: &CommandContext) -> Result<Value, AppError> {
        let id = arg_uuid("mail_id", mail_id)?;
        if ctx.actor_id.is_none() {
            return Err(AppError::Invariant(
                "only an employee may retry mail".into(),
            ));
        }
        let now = self.now();
        let m = self.mail_tables();
        let mut conn = self.conn().await?;
        let n = crate::db::exec_affected(
            &mut conn,
            format!(
                "UPDATE {} SET status = 'pending', attempts = 0, run_at = ?, locked_until = NULL, \
                 updated_at = ? WHERE id = ? AND status = 'dead'",
                m.outbox
            ),
            (to_db_time(now), to_db_time(now), id.to_string()),
        )
        .await?;
        if n != 1 {
            return Err(AppError::Conflict(format!(
                "mail {id} is not a dead letter"
            )));
        }
        self.get_mail(&id.to_string()).await
    }

    /// One outbox row.
    pub async fn get_mail(&self, mail_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("mail_id", mail_id)?;
        let mut conn = self.read_conn().await?;
        let row: Option<Row> = conn
            .exec_first(
                format!(
                    "SELECT {OUTBOX_COLUMNS} FROM {} WHERE id = ?",
                    self.mail_tables().outbox
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let v = row
            .map(outbox_view)
            .transpose()?
            .ok_or_else(|| AppError::NotFound(format!("mail {id}")))?;
        serde_json::to_value(v).map_err(|_| internal("view"))
    }

    /// The outbox by status (`{status?: dead (default) | pending | failed | running | sent,
    /// per_page?: 1–100, after?: cursor}`), most recent first, a keyset page by the
    /// status index: `{items, next}` (`next`: the cursor of the following page, or null).
    pub async fn list_mail(&self, query: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(query, "query");
        let status = o.opt_str("status").unwrap_or("dead");
        if !["dead", "pending", "failed", "running", "sent"].contains(&status) {
            o.error("status", "is not an outbox status");
        }
        let per_page = o.opt_i64("per_page").unwrap_or(20);
        if !(1..=100).contains(&per_page) {
            o.error("per_page", "must be between 1 and 100");
        }
        let after = o.opt_str("after").map(str::to_owned);
        let cursor = match after.as_deref().map(|a| a.split_once('|')) {
            None => None,
            Some(Some((at, id))) => match (at.parse::<i64>(), Uuid::parse_str(id)) {
                (Ok(us), Ok(id)) => DateTime::<Utc>::from_timestamp_micros(us).map(|t| (t, id)),
                _ => None,
            },
            Some(None) => None,
        };
        if after.is_some() && cursor.is_none() {
            o.error("after", "is not a cursor of this list");
        }
        o.finish()?;
        let m = self.mail_tables();
        let mut conn = self.read_conn().await?;
        let (seek, mut params): (&str, Vec<mysql_async::Value>) = match cursor {
            Some((at, id)) => (
                " AND (run_at < ? OR (run_at = ? AND id < ?))",
                vec![
                    to_db_time(at).into(),
                    to_db_time(at).into(),
                    id.to_string().into(),
                ],
            ),
            None => ("", vec![]),
        };
        params.insert(0, status.into());
        params.push((per_page as u64 + 1).into());
        let rows: Vec<Row> = conn
            .exec(
                format!(
                    "SELECT {OUTBOX_COLUMNS} FROM {} FORCE INDEX (ix_mail_status_due) WHERE status = ?{seek} \
                     ORDER BY run_at DESC, id DESC LIMIT ?",
                    m.outbox
                ),
                params,
            )
            .await
            .map_err(db)?;
        let mut items: Vec<OutboxView> = rows
            .into_iter()
            .map(outbox_view)
            .collect::<Result<_, _>>()?;
        let next = if items.len() > per_page as usize {
            items.truncate(per_page as usize);
            items.last().and_then(|l| {
                DateTime::parse_from_rfc3339(&l.run_at)
                    .ok()
                    .map(|t| format!("{}|{}", t.timestamp_micros(), l.id))
            })
        } else {
            None
        };
        Ok(json!({"items": items, "next": next}))
    }

    // ---- templates and opt-outs ----------------------------------------------------------

    async fn custom_templates<Q: Queryable>(
        &self,
        q: &mut Q,
    ) -> Result<std::collections::BTreeMap<String, Value>, AppError> {
        let rows: Vec<(String, String, String)> = q
            .exec(
                format!(
                    "SELECT kind, subject, body FROM {}",
                    self.mail_tables().templates
                ),
                (),
            )
            .await
            .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(k, s, b)| (k, json!({"subject": s, "body": b})))
            .collect())
    }

    /// Every notification kind with its audience, placeholders and the site's edited
    /// template (null: the default): `{items}`.
    pub async fn mail_templates(&self) -> Result<Value, AppError> {
        let mut conn = self.read_conn().await?;
        let custom = self.custom_templates(&mut conn).await?;
        let items: Vec<Value> = NotificationKind::ALL
            .into_iter()
            .map(|k| {
                json!({
                    "kind": k.as_str(),
                    "audience": match k.audience() { Audience::Customer => "customer", Audience::Staff => "staff" },
                    "placeholders": k.placeholders(),
                    "template": custom.get(k.as_str()),
                })
            })
            .collect();
        Ok(json!({ "items": items }))
    }

    /// Saves the site's template of a kind: `{subject, body}` (placeholders must be the
    /// kind's).
    pub async fn set_mail_template(&self, kind: &str, input: &Value) -> Result<Value, AppError> {
        let k = kind_arg("kind", kind)?;
        let mut o = Input::new(input, "input");
        let subject = o.req_str("subject").map(str::trim).map(str::to_owned);
        let body = o.req_str("body").map(str::to_owned);
        if let Some(s) = &subject {
            if s.is_empty() || s.chars().count() > MAX_SUBJECT {
                o.error("subject", "must be 1 to 300 characters");
            } else if s.contains(['\r', '\n']) {
                o.error("subject", "must be one line");
            } else if let Some(p) = unknown_placeholder(k, s) {
                o.error(
                    "subject",
                    &format!("{{{p}}} is not a placeholder of this template"),
                );
            }
        }
        if let Some(b) = &body {
            if b.trim().is_empty() || b.chars().count() > MAX_BODY {
                o.error("body", "must be 1 to 20000 characters");
            } else if let Some(p) = unknown_placeholder(k, b) {
                o.error(
                    "body",
                    &format!("{{{p}}} is not a placeholder of this template"),
                );
            }
        }
        o.finish()?;
        let (Some(subject), Some(body)) = (subject, body) else {
            return Err(internal("template input"));
        };
        let mut conn = self.conn().await?;
        conn.exec_drop(
            format!(
                "INSERT INTO {} (kind, subject, body, updated_at) VALUES (?, ?, ?, ?) \
                 ON DUPLICATE KEY UPDATE subject = VALUES(subject), body = VALUES(body), updated_at = VALUES(updated_at)",
                self.mail_tables().templates
            ),
            (k.as_str(), &subject, &body, to_db_time(self.now())),
        )
        .await
        .map_err(db)?;
        Ok(json!({"kind": k.as_str(), "template": {"subject": subject, "body": body}}))
    }

    /// Goes back to the default template of a kind.
    pub async fn reset_mail_template(&self, kind: &str) -> Result<Value, AppError> {
        let k = kind_arg("kind", kind)?;
        let mut conn = self.conn().await?;
        conn.exec_drop(
            format!(
                "DELETE FROM {} WHERE kind = ?",
                self.mail_tables().templates
            ),
            (k.as_str(),),
        )
        .await
        .map_err(db)?;
        Ok(json!({"kind": k.as_str(), "template": null}))
    }

    /// The staff notifications an employee turned off: `{employee_id, opted_out: [kind]}`.
    pub async fn mail_optouts(&self, employee_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        let mut conn = self.read_conn().await?;
        let kinds: Vec<String> = conn
            .exec(
                format!(
                    "SELECT kind FROM {} WHERE employee_id = ? ORDER BY kind",
                    self.mail_tables().optouts
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        Ok(json!({"employee_id": id, "opted_out": kinds}))
    }

    /// Sets the staff notifications an employee turned off: `{kinds: [kind]}` (staff kinds
    /// only; an empty list turns every one on).
    pub async fn set_mail_optouts(
        &self,
        employee_id: &str,
        input: &Value,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("employee_id", employee_id)?;
        let empty = Vec::new();
        let list = match input.get("kinds") {
            None | Some(Value::Null) => Some(&empty),
            Some(v) => v.as_array(),
        }
        .ok_or_else(|| AppError::field("kinds", "must be a list of notification kinds"))?;
        let mut parsed = Vec::new();
        for k in list {
            let k = k
                .as_str()
                .and_then(NotificationKind::parse)
                .filter(|k| k.audience() == Audience::Staff)
                .ok_or_else(|| AppError::field("kinds", "holds a kind staff cannot turn off"))?;
            if !parsed.contains(&k) {
                parsed.push(k);
            }
        }
        let m = self.mail_tables();
        let mut conn = self.conn().await?;
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(db)?;
        let r: Result<(), AppError> = async {
            tx.exec_drop(
                format!("DELETE FROM {} WHERE employee_id = ?", m.optouts),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
            for k in &parsed {
                tx.exec_drop(
                    format!(
                        "INSERT INTO {} (employee_id, kind, created_at) VALUES (?, ?, ?)",
                        m.optouts
                    ),
                    (id.to_string(), k.as_str(), to_db_time(self.now())),
                )
                .await
                .map_err(db)?;
            }
            Ok(())
        }
        .await;
        match r {
            Ok(()) => tx.commit().await.map_err(db)?,
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(e);
            }
        }
        self.mail_optouts(&id.to_string()).await
    }
}

// ---- replies by email (the poller hands each message over) -------------------------------

/// The domain tag of the mailbox password's key (see `Mail::seal_mailbox_password`).
const MAILBOX_SEAL_TAG: &[u8] = b"pet.mail.mailbox.v1\0";

/// Largest attachment kept (bytes); larger ones are dropped and counted.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// Most attachment bytes kept per message.
pub const MAX_ATTACHMENTS_TOTAL: usize = 10 * 1024 * 1024;

/// The reply token in an address's plus-part (`local+<token>@domain`), if any.
fn token_in(addresses: &[String]) -> Option<String> {
    addresses.iter().find_map(|a| {
        let local = a.split('@').next()?;
        let (_, tok) = local.split_once('+')?;
        (tok.len() == 56 && tok.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| tok.to_ascii_lowercase())
    })
}

impl Mail<'_> {
    /// Takes one message read from the mailbox: `{message_id, from_email, from_name?,
    /// subject?, body, to: [address], own_addresses: [address], auto_submitted?, precedence?,
    /// x_autoreply?: bool, x_pet_mail?: bool, attachments?: [{filename, mime_type,
    /// content_base64}]}`. `pet_core::mail::inbound::classify` decides: an auto-reply or a
    /// loop is ignored; a valid token from a contact of the ticket's customer adds the text
    /// without its quoted history as the contact's reply (and `mail.received`); no token from
    /// a known contact opens a ticket (channel email); a forged token, another customer's
    /// ticket or an unknown sender goes to the review list. The same message again (its
    /// Message-ID) changes nothing and answers the same. `{id, status, reason, ticket_id}`.
    pub async fn receive_mail(&self, input: &Value) -> Result<Value, AppError> {
        use pet_core::mail::inbound::{classify, strip_quoted, InboundHeaders, TokenFact, Verdict};
        let mut o = Input::new(input, "input");
        let message_id = o
            .req_str("message_id")
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        let from = o
            .req_str("from_email")
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let from_name: String = o
            .opt_str("from_name")
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let subject: String = o
            .opt_str("subject")
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        let body = o.req_str("body").unwrap_or_default().to_owned();
        let strs = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|s| s.trim().to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default()
        };
        let to = strs(input.get("to"));
        let own = strs(input.get("own_addresses"));
        let headers = InboundHeaders {
            auto_submitted: o.opt_str("auto_submitted").map(str::to_owned),
            precedence: o.opt_str("precedence").map(str::to_owned),
            x_autoreply: input
                .get("x_autoreply")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            x_pet_mail: input
                .get("x_pet_mail")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            from: from.clone(),
            own_addresses: own,
        };
        if message_id.is_empty() || message_id.len() > 255 || !message_id.is_ascii() {
            o.error(
                "message_id",
                "must be the message's Message-ID (ASCII, at most 255 characters)",
            );
        }
        if !from.contains('@') {
            o.error("from_email", "must be an email address");
        }
        let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
        let mut dropped = 0u32;
        let mut total = 0usize;
        for a in input
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name: String = a
                .get("filename")
                .and_then(Value::as_str)
                .unwrap_or("attachment")
                .chars()
                .take(255)
                .collect();
            let mime: String = a
                .get("mime_type")
                .and_then(Value::as_str)
                .unwrap_or("application/octet-stream")
                .chars()
                .filter(char::is_ascii)
                .take(127)
                .collect();
            use base64::Engine as _;
            match a
                .get("content_base64")
                .and_then(Value::as_str)
                .map(|c| base64::engine::general_purpose::STANDARD.decode(c.trim()))
            {
                Some(Ok(bytes))
                    if bytes.len() <= MAX_ATTACHMENT_BYTES
                        && total + bytes.len() <= MAX_ATTACHMENTS_TOTAL =>
                {
                    total += bytes.len();
                    files.push((name, mime, bytes));
                }
                Some(Ok(_)) => dropped += 1,
                _ => o.error("attachments", "each needs content_base64 in base64"),
            }
        }
        o.finish()?;
        let m = self.mail_tables();
        let mut conn = self.conn().await?;
        // The same message again: what it was.
        let seen: Option<(String, String, String, Option<String>)> = conn
            .exec_first(
                format!(
                    "SELECT id, status, reason, ticket_id FROM {} WHERE message_id = ?",
                    m.inbox
                ),
                (message_id.as_str(),),
            )
            .await
            .map_err(db)?;
        if let Some((id, status, reason, ticket)) = seen {
            return Ok(
                json!({"id": id, "status": status, "reason": reason, "ticket_id": ticket, "repeated": true}),
            );
        }
        let secret = self.secret(&mut conn).await?;
        // Facts: the token's ticket and its customer; the sender's contacts.
        let token = match token_in(&to) {
            None => TokenFact::None,
            Some(tok) => match Self::ticket_of_token(&secret, &tok)? {
                None => TokenFact::Forged,
                Some(t) => {
                    let c: Option<String> = conn
                        .exec_first(
                            format!(
                                "SELECT customer_id FROM {} WHERE id = ?",
                                self.helpdesk_tables().tickets
                            ),
                            (t.to_string(),),
                        )
                        .await
                        .map_err(db)?;
                    match c {
                        Some(c) => TokenFact::Ticket((t, c)),
                        None => TokenFact::Forged,
                    }
                }
            },
        };
        let contacts: Vec<(String, String)> = conn
            .exec(
                format!("SELECT id, customer_id FROM {} WHERE email = ? ORDER BY added_version, id LIMIT 20", self.tables().contacts),
                (from.as_str(),),
            )
            .await
            .map_err(db)?;
        // The sender's contact at the token's customer if there is one, else their first.
        let sender = match &token {
            TokenFact::Ticket((_, c)) => {
                contacts.iter().find(|(_, cc)| cc == c).or(contacts.first())
            }
            _ => contacts.first(),
        }
        .cloned();
        let verdict = classify(
            &headers,
            match &token {
                TokenFact::None => TokenFact::None,
                TokenFact::Forged => TokenFact::Forged,
                TokenFact::Ticket((_, c)) => TokenFact::Ticket(c.clone()),
            },
            sender.as_ref().map(|(_, c)| c.clone()),
        );
        let text = match strip_quoted(&body) {
            s if s.is_empty() => body.trim().to_owned(),
            s => s,
        };
        let inbox_id = Uuid::now_v7();
        // Keyed by the Message-ID: a message handed over again after a crash between the
        // ticket command and the inbox row replays the command instead of repeating it.
        let digest = {
            use sha2::Digest as _;
            hex(&sha2::Sha256::digest(message_id.as_bytes())[..16])
        };
        let ctx = CommandContext::system().with_key(&format!("mail:{digest}"))?;
        let received_ctx = CommandContext::system().with_key(&format!("mail-received:{digest}"))?;
        let (status, ticket): (&str, Option<Uuid>) = match (verdict, &token, &sender) {
            (Verdict::AutoReply | Verdict::Loop, _, _) => ("ignored", None),
            (Verdict::Reply, TokenFact::Ticket((t, _)), Some((contact, _))) if !text.is_empty() => {
                let contact = ContactId::from_uuid(arg_uuid("contact_id", contact)?);
                self.app()
                    .helpdesk()
                    .reply_by_mail(*t, contact, &text, &ctx)
                    .await?;
                ("threaded", Some(*t))
            }
            (Verdict::NewTicket, _, Some((contact, customer))) if !text.is_empty() => {
                let subject = if subject.trim().is_empty() {
                    "(no subject)".to_owned()
                } else {
                    subject.clone()
                };
                let t = self
                    .app()
                    .helpdesk()
                    .create_ticket_by_mail(
                        &json!({"customer_id": customer, "subject": subject, "channel": "email",
                                "message": text, "contact_id": contact}),
                        &ctx,
                    )
                    .await?;
                let tid = t
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| internal("ticket id"))?;
                ("opened", Some(arg_uuid("ticket_id", tid)?))
            }
            _ => ("review", None),
        };
        // A reply or request whose text is empty (all quoted) goes to review too.
        let reason = if status == "review" && matches!(verdict, Verdict::Reply | Verdict::NewTicket)
        {
            "empty"
        } else {
            verdict.as_str()
        };
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(db)?;
        let r: Result<(), AppError> = async {
            tx.exec_drop(
                format!(
                    "INSERT INTO {} (id, message_id, from_email, from_name, subject, body, status, reason, ticket_id, contact_id, received_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    m.inbox
                ),
                vec![
                    mysql_async::Value::from(inbox_id.to_string()),
                    message_id.as_str().into(),
                    from.as_str().into(),
                    from_name.as_str().into(),
                    subject.as_str().into(),
                    body.as_str().into(),
                    status.into(),
                    reason.into(),
                    ticket.map(|t| t.to_string()).into(),
                    sender.as_ref().map(|(c, _)| c.clone()).into(),
                    to_db_time(self.now()).into(),
                ],
            )
            .await
            .map_err(db)?;
            if ticket.is_some() {
                for (name, mime, bytes) in &files {
                    tx.exec_drop(
                        format!("INSERT INTO {} (id, inbox_id, filename, mime_type, size, content) VALUES (?, ?, ?, ?, ?, ?)", m.attachments),
                        (Uuid::now_v7().to_string(), inbox_id.to_string(), name.as_str(), mime.as_str(), bytes.len() as u64, bytes.clone()),
                    )
                    .await
                    .map_err(db)?;
                }
            }
            Ok(())
        }
        .await;
        match r {
            Ok(()) => tx.commit().await.map_err(db)?,
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(e);
            }
        }
        drop(conn);
        if let (Some(t), Some((contact, _))) = (ticket, &sender) {
            let contact = ContactId::from_uuid(arg_uuid("contact_id", contact)?);
            let kept = files.len() as u32;
            let received = MailCommand::RecordReceived(pet_core::mail::MailReceived {
                mail_id: inbox_id,
                ticket_id: TicketId::from_uuid(t),
                contact_id: contact,
                subject: subject.clone(),
                attachments: kept,
            });
            command!(
                self.app(),
                &received_ctx,
                "mail_received",
                &json!({"message_id": message_id}),
                Actors::EmployeesOrSystem,
                |cx| {
                    let (_, events) = cx.create(&MailMessages(self.app()), &received, &()).await?;
                    Ok(json!({"events": events.len()}))
                }
            )?;
        }
        Ok(
            json!({"id": inbox_id, "status": status, "reason": reason, "ticket_id": ticket,
                  "attachments": files.len(), "attachments_dropped": dropped, "repeated": false}),
        )
    }

    /// The inbox by status (`{status?: review (default) | threaded | opened | ignored,
    /// per_page?}`), newest first: `{items}` (`id, from_email, subject, status, reason,
    /// ticket_id, received_at`).
    pub async fn list_inbox(&self, query: &Value) -> Result<Value, AppError> {
        let mut o = Input::new(query, "query");
        let status = o.opt_str("status").unwrap_or("review");
        if !["review", "threaded", "opened", "ignored"].contains(&status) {
            o.error("status", "is not an inbox status");
        }
        let per_page = o.opt_i64("per_page").unwrap_or(20);
        if !(1..=100).contains(&per_page) {
            o.error("per_page", "must be between 1 and 100");
        }
        o.finish()?;
        let mut conn = self.read_conn().await?;
        // id, from, subject, status, reason, ticket, received at.
        type InboxRow = (
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            NaiveDateTime,
        );
        let rows: Vec<InboxRow> = conn
            .exec(
                format!(
                    "SELECT id, from_email, subject, status, reason, ticket_id, received_at FROM {} \
                     FORCE INDEX (ix_inbox_status) WHERE status = ? ORDER BY received_at DESC, id DESC LIMIT ?",
                    self.mail_tables().inbox
                ),
                (status, per_page as u64),
            )
            .await
            .map_err(db)?;
        let items: Vec<Value> = rows
            .into_iter()
            .map(|(id, from, subject, status, reason, ticket, at)| {
                json!({"id": id, "from_email": from, "subject": subject, "status": status,
                       "reason": reason, "ticket_id": ticket, "received_at": rfc3339(from_db_time(at))})
            })
            .collect();
        Ok(json!({ "items": items }))
    }
}

/// What the outbox job knows about a ticket.
struct TicketInfo {
    id: TicketId,
    number: Option<u64>,
    subject: String,
    facts: TicketMailFacts,
}

#[allow(dead_code)]
fn _assert_aggregate() {
    fn is_agg<A: Aggregate>() {}
    is_agg::<MailMessage>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let secret = b"0123456789abcdef0123456789abcdef".to_vec();
        let t = Uuid::from_u128(42);
        let token = Mail::reply_token_with(&secret, t).unwrap();
        assert_eq!(token.len(), 56);
        assert_eq!(Mail::ticket_of_token(&secret, &token).unwrap(), Some(t));
        assert_eq!(
            Mail::ticket_of_token(&secret, &token.to_uppercase()).unwrap(),
            Some(t)
        );
        // Another ticket's id with this signature, a changed signature, another secret.
        let other = format!("{}{}", Uuid::from_u128(43).simple(), &token[32..]);
        assert_eq!(Mail::ticket_of_token(&secret, &other).unwrap(), None);
        let mut bad = token.clone();
        bad.replace_range(55.., if token.ends_with('0') { "1" } else { "0" });
        assert_eq!(Mail::ticket_of_token(&secret, &bad).unwrap(), None);
        assert_eq!(
            Mail::ticket_of_token(b"another secret", &token).unwrap(),
            None
        );
        assert_eq!(Mail::ticket_of_token(&secret, "short").unwrap(), None);
    }

    #[test]
    fn placeholders_are_checked_per_kind() {
        assert_eq!(
            unknown_placeholder(NotificationKind::Resolution, "Go {reopen_url}"),
            None
        );
        assert_eq!(
            unknown_placeholder(NotificationKind::Acknowledgement, "Go {reopen_url}"),
            Some("reopen_url".into())
        );
        assert_eq!(
            unknown_placeholder(NotificationKind::Acknowledgement, "{ not one }"),
            None
        );
    }
}
