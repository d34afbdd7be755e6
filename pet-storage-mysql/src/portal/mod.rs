//! The customer portal's application service (`app.portal()`): staff grant a contact portal
//! access by linking a WordPress user (the `PortalAccess` aggregate, restored from its one
//! row in `{prefix}pet_portal_access`, migration 0025), and a signed-in portal user — always
//! named by their WordPress user id, resolved here to their contact and its customer — lists
//! their customer's tickets, reads one (public messages only: internal notes are never read
//! by this module's queries), opens one and replies (the helpdesk's own ticket commands,
//! authored by the contact; pet-core refuses a contact's reply on another customer's ticket),
//! and searches the published knowledge articles.
//!
//! Ownership is checked here and in pet-core, not in PHP: a ticket of another customer reads
//! as not found, and a reply to it is refused by the ticket's rules.

use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::helpdesk::{
    Channel, NewTicket, Priority, ReopenWindow, ReplyAuthor, ReplyBody, ReplyId, TicketCommand,
    TicketId, TicketNumber, TicketStatus, Visibility,
};
use pet_core::identity::{ContactId, CustomerId, CustomerStatus, Name, WpUserId};
use pet_core::portal::{PortalAccess, PortalCommand, PortalFacts};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{App, CommandContext};
use crate::command::{command, restored_repository, Actors, Read, Repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{db, internal, AppError, StorageError};
use crate::fields::command_input;
use crate::helpdesk::tickets::TicketWork;
use crate::input::arg_uuid;
use crate::jobs::ClaimedJob;
use crate::modules::{unknown_job, JobFuture};
use crate::services::Portal;
use crate::uow::UnitOfWork;

/// The window within which a contact may reopen a resolved ticket from the portal: the
/// one the resolution mail's reopen link uses.
const PORTAL_REOPEN_WINDOW: ReopenWindow = ReopenWindow::DEFAULT;

/// How many contacts [`Portal::portal_access_of_contacts`] answers for at once (a page of
/// the customer screen's contacts).
pub const MAX_CONTACTS: usize = 100;

/// The portal has no background jobs.
pub(crate) fn run_job<'a>(_app: &'a App, job: &'a ClaimedJob) -> JobFuture<'a> {
    Box::pin(async move { Err(unknown_job(job)) })
}

restored_repository!(
    /// Portal access: restored from its row; saved to it.
    PortalAccesses: PortalAccess, "portal access",
    load |app, tx, id| app.portal().load_access(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| app.portal().write_access(cx.uow(), before, after).await
);

/// A contact's portal access as commands and the customer screen return it.
#[derive(Debug, Clone, Serialize)]
pub struct PortalAccessView {
    /// The contact.
    pub contact_id: ContactId,
    /// Its customer.
    pub customer_id: CustomerId,
    /// The WordPress user who signs in as the contact (`null`: revoked).
    pub wp_user_id: Option<u64>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

fn access_view(a: &PortalAccess) -> PortalAccessView {
    PortalAccessView {
        contact_id: a.contact_id(),
        customer_id: a.customer_id(),
        wp_user_id: a.wp_user_id().map(u64::from),
        version: a.version(),
    }
}

/// Who a portal user is: their contact and its customer.
#[derive(Debug, Clone, Serialize)]
pub struct PortalUserView {
    /// The contact.
    pub contact_id: String,
    /// The contact's name.
    pub contact_name: String,
    /// The contact's e-mail address.
    pub contact_email: Option<String>,
    /// The customer whose tickets the user sees.
    pub customer_id: String,
    /// The customer's name.
    pub customer_name: String,
    /// `active` or `archived` (an archived customer opens no tickets).
    pub customer_status: String,
}

/// A ticket in the portal's list: what a customer may see of it.
#[derive(Debug, Clone, Serialize)]
pub struct PortalTicketRow {
    /// The id.
    pub id: String,
    /// `#12` (or the start of the id for a ticket without a number).
    pub reference: String,
    /// Subject line.
    pub subject: String,
    /// Status.
    pub status: String,
    /// Priority.
    pub priority: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// One public message of a ticket's conversation in the portal.
#[derive(Debug, Clone, Serialize)]
pub struct PortalMessage {
    /// The reply.
    pub id: String,
    /// `employee` (support staff) or `customer`.
    pub author_kind: String,
    /// The writer's name (the agent's, the contact's; `null` for an unnamed customer).
    pub author_name: Option<String>,
    /// Whether the signed-in contact wrote it.
    pub mine: bool,
    /// The text.
    pub body: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A ticket in the portal: its fields and its public conversation, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct PortalTicketView {
    /// The ticket's fields.
    #[serde(flatten)]
    pub ticket: PortalTicketRow,
    /// Whether the contact may reply now (every status but closed).
    pub can_reply: bool,
    /// Whether the contact may reopen it now (resolved, within the reopen window the
    /// resolution mail's link uses).
    pub can_reopen: bool,
    /// The public messages (never internal notes).
    pub messages: Vec<PortalMessage>,
}

/// A published knowledge article as the portal shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PortalArticleView {
    /// The article.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its category.
    pub category: String,
    /// The live version's title.
    pub title: String,
    /// The live version's text.
    pub body: String,
    /// When the live version was published (RFC 3339).
    pub published_at: String,
}

command_input! {
    /// Input of [`Portal::portal_open_ticket`].
    pub struct PortalNewTicket {
        /// Subject line.
        subject: Name,
        /// The contact's first message.
        message: ReplyBody,
        /// Priority (normal when omitted).
        priority: Priority = Priority::Normal,
    }
}

command_input! {
    /// Input of [`Portal::portal_reply`].
    pub struct PortalReply {
        /// The text.
        body: ReplyBody,
    }
}

fn reference(id: &str, number: Option<u32>) -> String {
    match number {
        Some(n) => format!("#{n}"),
        None => id.chars().take(8).collect(),
    }
}

fn wp_user(wp_user_id: i64) -> Result<WpUserId, AppError> {
    WpUserId::from_i64(wp_user_id).map_err(AppError::from)
}

/// Refuses an employee's context: staff do not act through the portal.
fn no_employee(ctx: &CommandContext) -> Result<(), AppError> {
    if ctx.actor_id.is_some() {
        return Err(AppError::field(
            "actor_id",
            "must be empty: the portal acts for a contact, never as an employee",
        ));
    }
    Ok(())
}

/// The context a portal command runs in: no employee, the signed-in user's contact as the
/// actor of its events (`Actor::Contact`), the form's idempotency key kept.
fn portal_ctx(ctx: &CommandContext, signed: &Signed) -> Result<CommandContext, AppError> {
    no_employee(ctx)?;
    Ok(CommandContext {
        actor_id: None,
        idempotency_key: ctx.idempotency_key.clone(),
        manages_time: false,
        contact_id: Some(signed.contact.as_uuid()),
    })
}

/// A signed-in portal user resolved: the contact and its customer.
struct Signed {
    contact: ContactId,
    customer: CustomerId,
}

impl App {
    /// `{prefix}pet_portal_access` (the prefix was validated by [`crate::Tables::new`]).
    pub(crate) fn portal_table(&self) -> String {
        format!("{}pet_portal_access", self.tables().prefix)
    }
}

impl Portal<'_> {
    // ---- repository -------------------------------------------------------------------

    /// A contact's portal access from its row (`None`: never granted).
    pub(crate) async fn load_access<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<PortalAccess>, AppError> {
        let row: Option<(String, Option<u64>, u64)> = q
            .exec_first(
                format!(
                    "SELECT customer_id, wp_user_id, version FROM {} WHERE contact_id = ?{}",
                    self.portal_table(),
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((customer, wp, version)) = row else {
            return Ok(None);
        };
        let bad = |f: &str| AppError::Storage(format!("stored portal access {id}: bad {f}"));
        let customer = Uuid::parse_str(&customer).map_err(|_| bad("customer_id"))?;
        let wp = wp
            .map(WpUserId::try_from)
            .transpose()
            .map_err(|_| bad("wp_user_id"))?;
        Ok(Some(PortalAccess::restore(
            ContactId::from_uuid(id),
            CustomerId::from_uuid(customer),
            wp,
            version,
        )))
    }

    /// Writes a contact's portal access row (a user linked elsewhere at the same moment is
    /// a conflict: the unique `uq_portal_user`).
    pub(crate) async fn write_access(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        a: &PortalAccess,
    ) -> Result<(), AppError> {
        let now = to_db_time(uow.now());
        let table = self.portal_table();
        let wp = a.wp_user_id().map(u64::from);
        let taken = |_: &str| {
            StorageError::Conflict(
                "that WordPress user was just linked to another contact; reload and try again"
                    .into(),
            )
        };
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {table} (contact_id, customer_id, wp_user_id, version, created_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (a.contact_id().to_string(), a.customer_id().to_string(), wp, a.version(), now, now),
                taken,
            )
            .await?;
        } else {
            // The unique index can refuse the update too (a race with another grant).
            match uow
                .tx()
                .await?
                .exec_drop(
                    format!(
                        "UPDATE {table} SET wp_user_id = ?, version = ?, updated_at = ? \
                         WHERE contact_id = ? AND version = ?"
                    ),
                    (wp, a.version(), now, a.contact_id().to_string(), before),
                )
                .await
            {
                Ok(()) => {}
                Err(e) => {
                    return Err(match crate::db::classify(&e) {
                        crate::db::DbErrorKind::Duplicate { key } => taken(&key).into(),
                        _ => db(e),
                    })
                }
            }
            if uow.tx().await?.affected_rows() != 1 {
                return Err(AppError::Conflict(
                    "the portal access was changed meanwhile; reload and try again".into(),
                ));
            }
        }
        Ok(())
    }

    async fn portal_facts<Q: Queryable>(
        &self,
        q: &mut Q,
        contact: Uuid,
        wp: Option<WpUserId>,
    ) -> Result<PortalFacts, AppError> {
        let t = self.tables();
        let row: Option<(String, String)> = q
            .exec_first(
                format!(
                    "SELECT c.customer_id, cu.status FROM {} c JOIN {} cu ON cu.id = c.customer_id \
                     WHERE c.id = ? LOCK IN SHARE MODE",
                    t.contacts, t.customers
                ),
                (contact.to_string(),),
            )
            .await
            .map_err(db)?;
        let contact_fact = match row {
            None => None,
            Some((customer, status)) => Some((
                CustomerId::from_uuid(arg_uuid("customer_id", &customer)?),
                CustomerStatus::parse(&status)
                    .map_err(|_| AppError::Storage(format!("stored customer status {status:?}")))?,
            )),
        };
        let (mut linked, mut employee) = (None, false);
        if let Some(wp) = wp {
            let other: Option<String> = q
                .exec_first(
                    format!(
                        "SELECT contact_id FROM {} WHERE wp_user_id = ?",
                        self.portal_table()
                    ),
                    (u64::from(wp),),
                )
                .await
                .map_err(db)?;
            linked = other
                .map(|c| arg_uuid("contact_id", &c).map(ContactId::from_uuid))
                .transpose()?;
            let staff: Option<u8> = q
                .exec_first(
                    format!("SELECT 1 FROM {} WHERE wp_user_id = ?", t.employees),
                    (u64::from(wp),),
                )
                .await
                .map_err(db)?;
            employee = staff.is_some();
        }
        Ok(PortalFacts {
            contact: contact_fact,
            user_linked_to: linked,
            user_is_employee: employee,
        })
    }

    // ---- staff commands ---------------------------------------------------------------

    /// Gives a contact portal access as a WordPress user (or moves it to another user).
    /// The user must not be an employee's or another contact's portal user.
    pub async fn grant_portal_access(
        &self,
        contact_id: &str,
        wp_user_id: i64,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("contact_id", contact_id)?;
        let wp = WpUserId::from_i64(wp_user_id).map_err(|_| {
            AppError::field(
                "wp_user_id",
                "must be a WordPress user id (a positive integer)",
            )
        })?;
        let request = json!({"contact_id": id, "wp_user_id": wp_user_id});
        command!(self, ctx, "grant_portal_access", &request, |cx| {
            let repo = PortalAccesses(self.app());
            let state = repo.load(cx.tx().await?, id).await?;
            let facts = self.portal_facts(cx.tx().await?, id, Some(wp)).await?;
            let cmd = PortalCommand::Grant {
                contact_id: ContactId::from_uuid(id),
                wp_user_id: wp,
            };
            let (a, _) = cx.apply(&repo, state, &cmd, &facts).await?;
            serde_json::to_value(access_view(&a)).map_err(|e| internal(&format!("access: {e}")))
        })
    }

    /// Takes a contact's portal access away (the WordPress user is kept).
    pub async fn revoke_portal_access(
        &self,
        contact_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("contact_id", contact_id)?;
        let request = json!({"contact_id": id});
        command!(self, ctx, "revoke_portal_access", &request, |cx| {
            let repo = PortalAccesses(self.app());
            let state = repo.load(cx.tx().await?, id).await?;
            let cmd = PortalCommand::Revoke;
            let (a, _) = cx
                .apply(&repo, state, &cmd, &PortalFacts::default())
                .await?;
            serde_json::to_value(access_view(&a)).map_err(|e| internal(&format!("access: {e}")))
        })
    }

    /// The portal access of up to [`MAX_CONTACTS`] contacts (one page of a customer's
    /// contacts): `{contact_ids: [id, …]}` → `{items: [{contact_id, customer_id, wp_user_id,
    /// version}]}`, only those ever granted; one query by primary key.
    pub async fn portal_access_of_contacts(&self, query: &Value) -> Result<Value, AppError> {
        let ids = query
            .get("contact_ids")
            .and_then(Value::as_array)
            .ok_or_else(|| AppError::field("contact_ids", "must be a list of contact ids"))?;
        if ids.len() > MAX_CONTACTS {
            return Err(AppError::field(
                "contact_ids",
                format!("at most {MAX_CONTACTS} at once"),
            ));
        }
        let ids = ids
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| AppError::field("contact_ids", "must be a list of contact ids"))
                    .and_then(|s| arg_uuid("contact_ids", s))
            })
            .collect::<Result<Vec<Uuid>, _>>()?;
        if ids.is_empty() {
            return Ok(json!({"items": []}));
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let params: Vec<SqlValue> = ids.iter().map(|i| i.to_string().into()).collect();
        let mut conn = self.read_conn().await?;
        let rows: Vec<(String, String, Option<u64>, u64)> = conn
            .exec(
                format!(
                    "SELECT contact_id, customer_id, wp_user_id, version FROM {} WHERE contact_id IN ({marks}) \
                     ORDER BY contact_id",
                    self.portal_table()
                ),
                params,
            )
            .await
            .map_err(db)?;
        let items: Vec<Value> = rows
            .into_iter()
            .map(|(c, cu, wp, v)| {
                json!({"contact_id": c, "customer_id": cu, "wp_user_id": wp, "version": v})
            })
            .collect();
        Ok(json!({ "items": items }))
    }

    /// A contact with its customer, for the invitation: `{id, customer_id, name, email}`.
    pub async fn portal_contact(&self, contact_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("contact_id", contact_id)?;
        let mut conn = self.read_conn().await?;
        let row: Option<(String, String, Option<String>)> = conn
            .exec_first(
                format!(
                    "SELECT customer_id, name, email FROM {} WHERE id = ?",
                    self.tables().contacts
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let (customer_id, name, email) =
            row.ok_or_else(|| AppError::NotFound(format!("contact {id}")))?;
        Ok(json!({"id": id, "customer_id": customer_id, "name": name, "email": email}))
    }

    // ---- the signed-in portal user ----------------------------------------------------

    async fn signed<Q: Queryable>(&self, q: &mut Q, wp_user_id: i64) -> Result<Signed, AppError> {
        let wp = wp_user(wp_user_id)?;
        let row: Option<(String, String)> = q
            .exec_first(
                format!(
                    "SELECT contact_id, customer_id FROM {} WHERE wp_user_id = ?",
                    self.portal_table()
                ),
                (u64::from(wp),),
            )
            .await
            .map_err(db)?;
        let (contact, customer) = row.ok_or_else(|| {
            AppError::NotFound(format!(
                "portal access of WordPress user {wp_user_id} (not linked to a contact)"
            ))
        })?;
        Ok(Signed {
            contact: ContactId::from_uuid(arg_uuid("contact_id", &contact)?),
            customer: CustomerId::from_uuid(arg_uuid("customer_id", &customer)?),
        })
    }

    /// Who the WordPress user is in the portal: their contact and its customer, or `null`
    /// when the user is not linked to a contact.
    pub async fn portal_user(&self, wp_user_id: i64) -> Result<Value, AppError> {
        let wp = wp_user(wp_user_id)?;
        let t = self.tables();
        let mut conn = self.read_conn().await?;
        let row: Option<(String, String, Option<String>, String, String, String)> = conn
            .exec_first(
                format!(
                    "SELECT a.contact_id, c.name, c.email, a.customer_id, cu.name, cu.status \
                     FROM {} a JOIN {} c ON c.id = a.contact_id JOIN {} cu ON cu.id = a.customer_id \
                     WHERE a.wp_user_id = ?",
                    self.portal_table(),
                    t.contacts,
                    t.customers
                ),
                (u64::from(wp),),
            )
            .await
            .map_err(db)?;
        Ok(match row {
            None => Value::Null,
            Some((contact_id, contact_name, contact_email, customer_id, customer_name, status)) => {
                serde_json::to_value(PortalUserView {
                    contact_id,
                    contact_name,
                    contact_email,
                    customer_id,
                    customer_name,
                    customer_status: status,
                })
                .map_err(|e| internal(&format!("portal user: {e}")))?
            }
        })
    }

    /// The user's customer's tickets: `{status? (a status or active), search?, page?,
    /// per_page?, after?, before?}`, newest first — the helpdesk's flat list (keyset pages,
    /// bounded count, the customer's `(customer_id, created_at, id)` index) with the
    /// customer fixed, each row cut to what a customer sees.
    pub async fn portal_tickets(&self, wp_user_id: i64, query: &Value) -> Result<Value, AppError> {
        let signed = {
            let mut conn = self.read_conn().await?;
            self.signed(&mut conn, wp_user_id).await?
        };
        let mut q = serde_json::Map::new();
        if let Some(obj) = query.as_object() {
            for key in ["status", "search", "page", "per_page", "after", "before"] {
                if let Some(v) = obj.get(key) {
                    q.insert(key.to_owned(), v.clone());
                }
            }
        } else if !query.is_null() {
            return Err(AppError::field("query", "must be an object"));
        }
        q.insert("customer_id".into(), json!(signed.customer));
        q.insert("sort".into(), json!("created"));
        let mut page = self.helpdesk().list_tickets(&Value::Object(q)).await?;
        let items = page
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rows = items
            .iter()
            .map(|t| {
                let s = |k: &str| {
                    t.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let id = s("id");
                let number = t
                    .get("number")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok());
                PortalTicketRow {
                    reference: reference(&id, number),
                    id,
                    subject: s("subject"),
                    status: s("status"),
                    priority: s("priority"),
                    created_at: s("created_at"),
                    updated_at: s("updated_at"),
                }
            })
            .collect::<Vec<_>>();
        page["items"] =
            serde_json::to_value(rows).map_err(|e| internal(&format!("portal tickets: {e}")))?;
        Ok(page)
    }

    /// One of the user's customer's tickets with its public conversation (internal notes
    /// are not read). Another customer's ticket is not found.
    pub async fn portal_ticket(&self, wp_user_id: i64, ticket_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("ticket_id", ticket_id)?;
        let mut conn = self.read_conn().await?;
        let signed = self.signed(&mut conn, wp_user_id).await?;
        let view = self.portal_ticket_view(&mut conn, &signed, id).await?;
        serde_json::to_value(view).map_err(|e| internal(&format!("portal ticket: {e}")))
    }

    async fn portal_ticket_view<Q: Queryable>(
        &self,
        q: &mut Q,
        signed: &Signed,
        id: Uuid,
    ) -> Result<PortalTicketView, AppError> {
        let t = self.tables();
        let h = self.helpdesk_tables();
        type TicketRowT = (
            Option<u32>,
            String,
            String,
            String,
            chrono::NaiveDateTime,
            chrono::NaiveDateTime,
            Option<chrono::NaiveDateTime>,
        );
        let row: Option<TicketRowT> = q
            .exec_first(
                format!(
                    "SELECT number, subject, status, priority, created_at, updated_at, resolved_at FROM {} \
                     WHERE id = ? AND customer_id = ?",
                    h.tickets
                ),
                (id.to_string(), signed.customer.to_string()),
            )
            .await
            .map_err(db)?;
        let (number, subject, status, priority, created, updated, resolved_at) =
            row.ok_or_else(|| AppError::NotFound(format!("ticket {id}")))?;
        type MessageRowT = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            chrono::NaiveDateTime,
        );
        let messages: Vec<MessageRowT> = q
            .exec(
                format!(
                    "SELECT r.id, r.author_kind, e.name, r.author_contact_id, c.name, r.body, r.created_at \
                     FROM {} r LEFT JOIN {} e ON e.id = r.author_employee_id \
                     LEFT JOIN {} c ON c.id = r.author_contact_id \
                     WHERE r.ticket_id = ? AND r.visibility = ? ORDER BY r.created_at, r.id",
                    h.replies, t.employees, t.contacts
                ),
                (id.to_string(), Visibility::Public.as_str()),
            )
            .await
            .map_err(db)?;
        let me = signed.contact.to_string();
        let parsed = TicketStatus::parse(&status).ok();
        let can_reply = parsed.is_some_and(|s| s != TicketStatus::Closed);
        let can_reopen = parsed == Some(TicketStatus::Resolved)
            && resolved_at
                .is_some_and(|r| PORTAL_REOPEN_WINDOW.allows(from_db_time(r), self.now()));
        Ok(PortalTicketView {
            ticket: PortalTicketRow {
                reference: reference(&id.to_string(), number),
                id: id.to_string(),
                subject,
                status,
                priority,
                created_at: rfc3339(from_db_time(created)),
                updated_at: rfc3339(from_db_time(updated)),
            },
            can_reply,
            can_reopen,
            messages: messages
                .into_iter()
                .map(
                    |(rid, kind, emp, contact, contact_name, body, at)| PortalMessage {
                        id: rid,
                        mine: contact.as_deref() == Some(me.as_str()),
                        author_name: if kind == "employee" {
                            emp
                        } else {
                            contact_name
                        },
                        author_kind: kind,
                        body,
                        created_at: rfc3339(from_db_time(at)),
                    },
                )
                .collect(),
        })
    }

    /// Opens a ticket for the user's customer: `{subject, message, priority?}` — channel
    /// `portal`, the first message written by the user's contact, in one command.
    pub async fn portal_open_ticket(
        &self,
        wp_user_id: i64,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        no_employee(ctx)?;
        let n = PortalNewTicket::parse(input, "input")?;
        let signed = {
            let mut conn = self.conn().await?;
            self.signed(&mut conn, wp_user_id).await?
        };
        let ctx = portal_ctx(ctx, &signed)?;
        let id = Uuid::now_v7();
        let reply_id = ReplyId::from_uuid(Uuid::now_v7());
        let make = |number: TicketNumber| {
            vec![
                TicketCommand::Create(NewTicket {
                    id: TicketId::from_uuid(id),
                    number,
                    customer_id: signed.customer,
                    project_id: None,
                    subject: n.subject.clone(),
                    priority: n.priority,
                    channel: Channel::Portal,
                    assignee: None,
                }),
                TicketCommand::Reply {
                    reply_id,
                    author: ReplyAuthor::Customer {
                        contact_id: Some(signed.contact),
                    },
                    visibility: Visibility::Public,
                    body: n.message.clone(),
                },
            ]
        };
        let request = json!({"wp_user_id": wp_user_id, "input": input});
        let made = self
            .helpdesk()
            .hd_ticket_commands_by(
                &ctx,
                "portal_open_ticket",
                request,
                id,
                TicketWork::New {
                    customer_id: signed.customer,
                    assignee: None,
                    make: &make,
                },
                None,
                Actors::EmployeesOrSystem,
            )
            .await?;
        // The command answers with the staff view (the first run's, when a repeated form
        // is replayed); the portal reads its own view of that ticket.
        let made = made
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| internal("opened ticket without an id"))?;
        self.portal_ticket(wp_user_id, made).await
    }

    /// Adds the user's contact's public reply to one of their customer's tickets:
    /// `{body}`. A ticket of another customer is refused by the ticket's rules (the contact
    /// is not its customer's: `InvariantViolation`); a closed one takes no reply.
    pub async fn portal_reply(
        &self,
        wp_user_id: i64,
        ticket_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        no_employee(ctx)?;
        let id = arg_uuid("ticket_id", ticket_id)?;
        let PortalReply { body } = PortalReply::parse(input, "input")?;
        let signed = {
            let mut conn = self.conn().await?;
            self.signed(&mut conn, wp_user_id).await?
        };
        let ctx = portal_ctx(ctx, &signed)?;
        let request = json!({"wp_user_id": wp_user_id, "id": id, "input": input});
        self.helpdesk()
            .hd_ticket_commands_by(
                &ctx,
                "portal_reply",
                request,
                id,
                TicketWork::Existing(vec![TicketCommand::Reply {
                    reply_id: ReplyId::from_uuid(Uuid::now_v7()),
                    author: ReplyAuthor::Customer {
                        contact_id: Some(signed.contact),
                    },
                    visibility: Visibility::Public,
                    body,
                }]),
                None,
                Actors::EmployeesOrSystem,
            )
            .await?;
        self.portal_ticket(wp_user_id, ticket_id).await
    }

    /// Reopens one of the user's customer's resolved tickets for their contact: the
    /// ticket's own reopen command, with the window the resolution mail's link uses
    /// ([`ReopenWindow::DEFAULT`]) and the contact named, so that pet-core refuses a ticket
    /// of another customer (`InvariantViolation`; such a ticket also reads as not found).
    pub async fn portal_reopen(
        &self,
        wp_user_id: i64,
        ticket_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        no_employee(ctx)?;
        let id = arg_uuid("ticket_id", ticket_id)?;
        let signed = {
            let mut conn = self.conn().await?;
            self.signed(&mut conn, wp_user_id).await?
        };
        let ctx = portal_ctx(ctx, &signed)?;
        let request = json!({"wp_user_id": wp_user_id, "id": id});
        self.helpdesk()
            .hd_ticket_commands_by(
                &ctx,
                "portal_reopen",
                request,
                id,
                TicketWork::Existing(vec![TicketCommand::Reopen {
                    window: PORTAL_REOPEN_WINDOW,
                    contact_id: Some(signed.contact),
                }]),
                None,
                Actors::EmployeesOrSystem,
            )
            .await?;
        self.portal_ticket(wp_user_id, ticket_id).await
    }

    // ---- knowledge --------------------------------------------------------------------

    /// Published knowledge articles for the portal: `{q?, page?, per_page?}` — with `q` the
    /// knowledge search (live versions of published articles, best match first: items
    /// `{id, title, slug, category, snippet, …}`), without it the published articles by
    /// category and title.
    pub async fn portal_articles(&self, query: &Value) -> Result<Value, AppError> {
        let obj = match query {
            Value::Null => serde_json::Map::new(),
            Value::Object(o) => o.clone(),
            _ => return Err(AppError::field("query", "must be an object")),
        };
        let mut q = serde_json::Map::new();
        for key in ["page", "per_page"] {
            if let Some(v) = obj.get(key) {
                q.insert(key.to_owned(), v.clone());
            }
        }
        let text = obj
            .get("q")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default();
        if text.is_empty() {
            q.insert("status".into(), json!("published"));
            self.knowledge().list_articles(&Value::Object(q)).await
        } else {
            q.insert("q".into(), json!(text));
            self.knowledge().search_articles(&Value::Object(q)).await
        }
    }

    /// A published article's live version by its slug (a draft or archived article is not
    /// found).
    pub async fn portal_article(&self, slug: &str) -> Result<Value, AppError> {
        let h = self.helpdesk_tables();
        let mut conn = self.read_conn().await?;
        type Row = (
            String,
            String,
            String,
            String,
            String,
            chrono::NaiveDateTime,
        );
        let row: Option<Row> = conn
            .exec_first(
                format!(
                    "SELECT a.id, a.slug, a.category, v.title, v.body, v.published_at FROM {} a \
                     JOIN {} v ON v.article_id = a.id AND v.live = 1 \
                     WHERE a.slug = ? AND a.status = 'published'",
                    h.articles, h.article_versions
                ),
                (slug,),
            )
            .await
            .map_err(db)?;
        let (id, slug, category, title, body, at) =
            row.ok_or_else(|| AppError::NotFound(format!("article {slug}")))?;
        serde_json::to_value(PortalArticleView {
            id,
            slug,
            category,
            title,
            body,
            published_at: rfc3339(from_db_time(at)),
        })
        .map_err(|e| internal(&format!("article: {e}")))
    }
}
