//! Opportunities: opened from a qualified lead (creating the customer when the lead was
//! about a new company), classified, lost; won by a quote's acceptance (see `quotes.rs`).
//! Reads: one opportunity, a filtered list and the pipeline by stage.

use chrono::{NaiveDate, NaiveDateTime};
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::commercial::opportunity::OpportunityCreated;
use pet_core::commercial::{
    Classification, LeadChanges, LeadCommand, LeadCustomer, LeadFacts, LeadId, LeadSummary,
    NewOpportunity, Opportunity, OpportunityCommand, OpportunityFacts, OpportunityId,
    OpportunityKind, QuoteId, SaleId, SizeBand, Text,
};
use pet_core::identity::{
    CustomerCommand, CustomerId, CustomerStatus, EmployeeId, EmployeeStatus, Money, Name,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{col, db, internal, ListPlan, ListSearch};
use crate::app::CommandContext;
use crate::command::{command, restored_repository, Read};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{AppError, StorageError};
use crate::fields::{command_input, Field, OrBlank, OrBlankText};
use crate::identity::Customers;
use crate::input::arg_uuid;
use crate::money::MoneyView;
use crate::paging::Order;
use crate::services::Commercial;
use crate::uow::UnitOfWork;
use serde::Serialize;

const STAGES: [&str; 4] = ["open", "quoting", "won", "lost"];

/// The stages in the order of the stage totals' key (rows are written in key order).
const STAGES_BY_KEY: [&str; 4] = ["lost", "open", "quoting", "won"];

command_input! {
    /// Input of [`App::create_opportunity`].
    pub struct NewOpportunityInput {
        /// The qualified lead it is opened from.
        lead_id: LeadId,
        /// Its title.
        title: Name,
        /// The expected value (a money object).
        expected_value: Money,
        /// The expected close date.
        expected_close: NaiveDate,
        /// The owner (default: the lead's).
        owner_id: Option<EmployeeId>,
    }
}

command_input! {
    /// Input of [`App::classify_opportunity`].
    pub struct ClassifyInput {
        /// new_business, upsell or renewal.
        kind: OpportunityKind,
        /// small, medium, large or enterprise.
        size_band: SizeBand,
    }
}

command_input! {
    /// Input of [`App::lose_opportunity`].
    pub struct LoseOpportunityInput {
        /// Why it was lost.
        reason: Text,
    }
}

restored_repository!(
    /// Opportunities: restored from their state row (which counts their quotes), so a
    /// command costs the same however many quotes an opportunity has had; saved to the
    /// opportunities table.
    Opportunities: Opportunity, "opportunity",
    load |app, tx, id| app.commercial().load_opportunity(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| {
        use pet_core::commercial::OpportunityEvent as E;
        // Only these events can move the opportunity to another stage, and a quote only
        // when it is the first (open → quoting).
        let may_move = events.iter().any(|e| match e {
            E::Won(_) | E::Lost(_) => true,
            E::QuotingStarted(_) => after.quote_count() == 1,
            _ => false,
        });
        app.commercial()
            .write_opportunity(cx.uow(), before, after, may_move)
            .await
    }
);

/// What a new quote reads in one round trip (`load_opportunity_drawing_quote_number`).
pub(crate) struct OpportunityForQuote {
    /// The opportunity.
    pub(crate) opportunity: Opportunity,
    /// Its customer's name.
    pub(crate) customer_name: Option<String>,
    /// The acting employee's status (`None`: no such employee).
    pub(crate) actor_status: Option<String>,
    /// The quote's number (`None` when the actor may not act: nothing was drawn).
    pub(crate) number: Option<u64>,
}

/// The columns `Commercial::opportunity_from_row` reads, in its order.
const OPPORTUNITY_COLUMNS: &str =
    "lead_id, customer_id, owner_id, title, expected_value_minor, currency, expected_close, \
     kind, size_band, status, lost_reason, won_quote_id, sale_id, version, quote_count";

/// An opportunity's state row.
type OpportunityRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    NaiveDate,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    u64,
);

impl Commercial<'_> {
    /// Restores an opportunity from its state row (locked as `read` says: for a command,
    /// `FOR UPDATE`, so commands on one opportunity take turns instead of failing on its
    /// version).
    pub(crate) async fn load_opportunity<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Opportunity>, AppError> {
        let t = self.sales_tables();
        let row: Option<mysql_async::Row> = q
            .exec_first(
                format!(
                    "SELECT {OPPORTUNITY_COLUMNS} FROM {} WHERE id = ?{}",
                    t.opportunities,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        match row {
            Some(mut r) => Ok(Some(Self::opportunity_from_row(id, &mut r)?)),
            None => Ok(None),
        }
    }

    /// For a new quote, in one round trip: the opportunity (as [`Self::load_opportunity`]),
    /// its customer's name, the status of the employee `actor` (`None`: no such employee)
    /// and the next quote number (`NEXTVAL` of migration 0023's sequence, drawn only when
    /// the opportunity exists and the actor is active: a refusal draws nothing). The
    /// opportunity row is locked (`FOR UPDATE`), as a command loads it, so quotes made at
    /// once on one opportunity take turns instead of failing on its version.
    pub(crate) async fn load_opportunity_drawing_quote_number<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        actor: Uuid,
    ) -> Result<Option<OpportunityForQuote>, AppError> {
        let t = self.sales_tables();
        let row: Option<mysql_async::Row> = q
            .exec_first(
                format!(
                    "SELECT {OPPORTUNITY_COLUMNS}, \
                     (SELECT c.name FROM {customers} c WHERE c.id = customer_id), \
                     (SELECT e.status FROM {employees} e WHERE e.id = ?), \
                     IF((SELECT e.status FROM {employees} e WHERE e.id = ?) = '{active}', NEXTVAL({seq}), NULL) \
                     FROM {opportunities} WHERE id = ? FOR UPDATE",
                    customers = self.tables().customers,
                    employees = self.tables().employees,
                    active = EmployeeStatus::Active.as_str(),
                    seq = t.quote_numbers,
                    opportunities = t.opportunities
                ),
                (actor.to_string(), actor.to_string(), id.to_string()),
            )
            .await
            .map_err(db)?;
        let Some(mut r) = row else {
            return Ok(None);
        };
        Ok(Some(OpportunityForQuote {
            opportunity: Self::opportunity_from_row(id, &mut r)?,
            customer_name: col(&mut r, 15)?,
            actor_status: col(&mut r, 16)?,
            number: col(&mut r, 17)?,
        }))
    }

    /// An opportunity from a row whose first columns are [`OPPORTUNITY_COLUMNS`].
    fn opportunity_from_row(id: Uuid, r: &mut mysql_async::Row) -> Result<Opportunity, AppError> {
        let row: OpportunityRow = (
            col(r, 0)?,
            col(r, 1)?,
            col(r, 2)?,
            col(r, 3)?,
            col(r, 4)?,
            col(r, 5)?,
            col(r, 6)?,
            col(r, 7)?,
            col(r, 8)?,
            col(r, 9)?,
            col(r, 10)?,
            col(r, 11)?,
            col(r, 12)?,
            col(r, 13)?,
        );
        let quote_count: u64 = col(r, 14)?;
        let (lead, customer, owner, title, value, currency, close, kind, size, status) = (
            row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9,
        );
        let (lost_reason, won_quote, sale, version) = (row.10, row.11, row.12, row.13);
        let bad = |what: &str| AppError::Storage(format!("stored opportunity {id}: bad {what}"));
        let uuid = |s: &str, what: &str| Uuid::parse_str(s).map_err(|_| bad(what));
        let details = OpportunityCreated {
            opportunity_id: OpportunityId::from_uuid(id),
            lead_id: LeadId::from_uuid(uuid(&lead, "lead_id")?),
            customer_id: CustomerId::from_uuid(uuid(&customer, "customer_id")?),
            owner_id: EmployeeId::from_uuid(uuid(&owner, "owner_id")?),
            title: Name::for_field("title", &title).map_err(|_| bad("title"))?,
            expected_value: Money::new(
                value,
                pet_core::identity::Currency::new(&currency).map_err(|_| bad("currency"))?,
            ),
            expected_close: close,
        };
        let classification = match (kind, size) {
            (Some(k), Some(s)) => Some(Classification {
                kind: OpportunityKind::parse(&k).map_err(|_| bad("kind"))?,
                size_band: SizeBand::parse(&s).map_err(|_| bad("size_band"))?,
            }),
            _ => None,
        };
        use pet_core::commercial::OpportunityStatus as S;
        let status = [S::Open, S::Quoting, S::Won, S::Lost]
            .into_iter()
            .find(|s| s.as_str() == status)
            .ok_or_else(|| bad("status"))?;
        let sale = match (won_quote, sale) {
            (Some(qid), Some(sid)) => Some((
                QuoteId::from_uuid(uuid(&qid, "won_quote_id")?),
                SaleId::from_uuid(uuid(&sid, "sale_id")?),
            )),
            _ => None,
        };
        let lost_reason = lost_reason
            .map(|r| Text::for_field("lost_reason", &r).map_err(|_| bad("lost_reason")))
            .transpose()?;
        Ok(Opportunity::restore(
            details,
            classification,
            status,
            quote_count,
            sale,
            lost_reason,
            version,
        ))
    }

    pub(super) async fn write_opportunity(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        o: &Opportunity,
        may_move: bool,
    ) -> Result<(), AppError> {
        let t = self.sales_tables();
        let now = to_db_time(uow.now());
        let d = o.details();
        let c = o.classification();
        let (won_quote, sale) = match o.sale() {
            Some((q, s)) => (Some(q.to_string()), Some(s.to_string())),
            None => (None, None),
        };
        let value = d.expected_value.amount_minor();
        let currency = d.expected_value.currency();
        let currency = currency.as_str();
        if before == 0 {
            // Every stage of the currency gets its totals row (in key order), the new
            // opportunity's stage its count and value (migration 0011).
            let mut rows = Vec::with_capacity(STAGES_BY_KEY.len());
            let mut params: Vec<SqlValue> = Vec::with_capacity(STAGES_BY_KEY.len() * 4);
            for s in STAGES_BY_KEY {
                let mine = s == o.status().as_str();
                rows.push("(?, ?, ?, ?)");
                params.extend([
                    s.into(),
                    currency.into(),
                    i64::from(mine).into(),
                    (if mine { value } else { 0 }).into(),
                ]);
            }
            uow.tx().await?
                .exec_drop(
                format!(
                    "INSERT INTO {} (status, currency, opportunities, value_minor) VALUES {} \
                     ON DUPLICATE KEY UPDATE opportunities = opportunities + VALUES(opportunities), \
                     value_minor = value_minor + VALUES(value_minor)",
                    t.stage_totals,
                    rows.join(", ")
                ),
                params,
            )
            .await
            .map_err(db)?;
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, lead_id, customer_id, owner_id, title, expected_value_minor, currency, \
                     expected_close, kind, size_band, status, lost_reason, won_quote_id, sale_id, version, quote_count, \
                     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.opportunities
                ),
                vec![
                    SqlValue::from(o.id().to_string()),
                    d.lead_id.to_string().into(),
                    d.customer_id.to_string().into(),
                    d.owner_id.to_string().into(),
                    d.title.as_str().into(),
                    d.expected_value.amount_minor().into(),
                    d.expected_value.currency().as_str().into(),
                    d.expected_close.into(),
                    c.map(|c| c.kind.as_str()).into(),
                    c.map(|c| c.size_band.as_str()).into(),
                    o.status().as_str().into(),
                    o.lost_reason().map(Text::as_str).into(),
                    won_quote.into(),
                    sale.into(),
                    o.version().into(),
                    o.quote_count().into(),
                    now.into(),
                    now.into(),
                ],
                |_| StorageError::Conflict("this opportunity already exists".into()),
            )
            .await?;
        } else {
            if may_move {
                // The stage totals move from the stage the row holds (before this update) to the
                // new one: one UPDATE of both rows, which exist since the currency's first
                // opportunity; nothing moves when the stage is the same.
                uow.tx().await?
                    .exec_drop(
                    format!(
                        "UPDATE {totals} t JOIN {opps} o ON o.id = ? AND o.version = ? AND o.status <> ? \
                         SET t.opportunities = t.opportunities + IF(t.status = ?, 1, -1), \
                         t.value_minor = t.value_minor + IF(t.status = ?, o.expected_value_minor, -o.expected_value_minor) \
                         WHERE t.currency = o.currency AND t.status IN (o.status, ?)",
                        totals = t.stage_totals,
                        opps = t.opportunities
                    ),
                    vec![
                        SqlValue::from(o.id().to_string()),
                        before.into(),
                        o.status().as_str().into(),
                        o.status().as_str().into(),
                        o.status().as_str().into(),
                        o.status().as_str().into(),
                    ],
                )
                .await
                .map_err(db)?;
            }
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET kind = ?, size_band = ?, status = ?, lost_reason = ?, won_quote_id = ?, \
                     sale_id = ?, version = ?, quote_count = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.opportunities
                ),
                vec![
                    SqlValue::from(c.map(|c| c.kind.as_str())),
                    c.map(|c| c.size_band.as_str()).into(),
                    o.status().as_str().into(),
                    o.lost_reason().map(Text::as_str).into(),
                    won_quote.into(),
                    sale.into(),
                    o.version().into(),
                    o.quote_count().into(),
                    now.into(),
                    o.id().to_string().into(),
                    before.into(),
                ],
                "opportunity",
            )
            .await?;
        }
        Ok(())
    }

    async fn opportunity_view<Q: Queryable>(
        &self,
        q: &mut Q,
        o: &Opportunity,
    ) -> Result<Value, AppError> {
        let d = o.details();
        let customer_name = self.sales_customer_name(q, d.customer_id.as_uuid()).await?;
        let owner_name: Option<String> = q
            .exec_first(
                format!("SELECT name FROM {} WHERE id = ?", self.tables().employees),
                (d.owner_id.to_string(),),
            )
            .await
            .map_err(db)?;
        let created: Option<NaiveDateTime> = q
            .exec_first(
                format!(
                    "SELECT created_at FROM {} WHERE id = ?",
                    self.sales_tables().opportunities
                ),
                (o.id().to_string(),),
            )
            .await
            .map_err(db)?;
        let view = OpportunityView {
            id: o.id().to_string(),
            lead_id: d.lead_id.to_string(),
            customer_id: d.customer_id.to_string(),
            customer_name,
            owner_id: d.owner_id.to_string(),
            owner_name,
            title: d.title.as_str(),
            expected_value: MoneyView(d.expected_value),
            expected_close: d.expected_close.to_string(),
            kind: o.classification().map(|c| c.kind.as_str()),
            size_band: o.classification().map(|c| c.size_band.as_str()),
            status: o.status().as_str(),
            actions: o.status().actions(),
            options: OpportunityOptions {
                kind: OpportunityKind::ALL.map(OpportunityKind::as_str),
                size_band: SizeBand::ALL.map(SizeBand::as_str),
            },
            lost: o.status() == pet_core::commercial::OpportunityStatus::Lost,
            lost_reason: o.lost_reason().map(Text::as_str),
            quote_count: o.quote_count(),
            won_quote_id: o.sale().map(|(q, _)| q.to_string()),
            sale_id: o.sale().map(|(_, s)| s.to_string()),
            version: o.version(),
            created_at: created.map(|c| rfc3339(from_db_time(c))),
        };
        serde_json::to_value(view).map_err(|e| internal(&format!("opportunity view: {e}")))
    }

    /// Opens an opportunity from a qualified lead: `{lead_id, title, expected_value:
    /// {amount: "85.50" | amount_minor, currency}, expected_close, owner_id?}` (owner defaults to the lead's).
    /// A lead about a new company creates that customer (and points the lead at it) in the
    /// same transaction.
    pub async fn create_opportunity(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let p = NewOpportunityInput::parse(input, "input")?;
        let (lead_id, title, value, close) = (
            p.lead_id.as_uuid(),
            p.title,
            p.expected_value,
            p.expected_close,
        );
        let owner = p.owner_id;
        command!(self, ctx, "create_opportunity", input, |cx| {
            let leads = super::leads::Leads(self);
            let l = cx.load(&leads, lead_id).await?;
            let owner_id = owner.unwrap_or(l.owner_id());
            // A new company becomes a customer when its first opportunity is opened.
            let customer_id = match l.customer().clone() {
                LeadCustomer::Existing { customer_id } => customer_id,
                LeadCustomer::New { name }
                    if l.status() == pet_core::commercial::LeadStatus::Qualified =>
                {
                    let cid = CustomerId::from_uuid(Uuid::now_v7());
                    let create = CustomerCommand::Create { id: cid, name };
                    cx.create(&Customers(self), &create, &Default::default())
                        .await?;
                    // Point the lead at its customer.
                    let cmd = LeadCommand::Update(LeadChanges {
                        customer: Some(LeadCustomer::Existing { customer_id: cid }),
                        ..LeadChanges::default()
                    });
                    let facts = LeadFacts {
                        customer: Some(CustomerStatus::Active),
                        ..LeadFacts::default()
                    };
                    cx.apply(&leads, Some(l.clone()), &cmd, &facts).await?;
                    cid
                }
                LeadCustomer::New { .. } => {
                    return Err(AppError::Invariant(format!(
                        "opportunities are opened only from qualified leads; this lead is {}",
                        l.status().as_str()
                    )))
                }
            };
            let facts = OpportunityFacts {
                lead: Some(LeadSummary {
                    status: l.status(),
                    customer: LeadCustomer::Existing { customer_id },
                }),
                customer: self
                    .customer_status(cx.tx().await?, customer_id.as_uuid())
                    .await?,
                owner: self
                    .employee_status(cx.tx().await?, owner_id.as_uuid())
                    .await?,
                accepted_quote: None,
                quote_recorded: false,
            };
            let cmd = OpportunityCommand::Create(NewOpportunity {
                id: OpportunityId::from_uuid(Uuid::now_v7()),
                lead_id: l.id(),
                customer_id,
                owner_id,
                title: title.clone(),
                expected_value: value,
                expected_close: close,
            });
            let (after, _) = cx.create(&Opportunities(self), &cmd, &facts).await?;
            self.opportunity_view(cx.tx().await?, &after).await
        })
    }

    async fn opportunity_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: OpportunityCommand,
    ) -> Result<Value, AppError> {
        command!(self, ctx, command, &request, |cx| {
            let (after, _) = cx
                .change(&Opportunities(self), id, &cmd, &OpportunityFacts::default())
                .await?;
            self.opportunity_view(cx.tx().await?, &after).await
        })
    }

    /// Classifies an opportunity: `{kind: new_business|upsell|renewal, size_band:
    /// small|medium|large|enterprise}`.
    pub async fn classify_opportunity(
        &self,
        opportunity_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("opportunity_id", opportunity_id)?;
        let ClassifyInput { kind, size_band } = ClassifyInput::parse(input, "input")?;
        self.opportunity_command(
            ctx,
            "classify_opportunity",
            json!({"id": id, "input": input}),
            id,
            OpportunityCommand::Classify(Classification { kind, size_band }),
        )
        .await
    }

    /// Marks an opportunity lost: `{reason}`.
    pub async fn lose_opportunity(
        &self,
        opportunity_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("opportunity_id", opportunity_id)?;
        let reason = LoseOpportunityInput::parse(input, "input")?.reason;
        self.opportunity_command(
            ctx,
            "lose_opportunity",
            json!({"id": id, "input": input}),
            id,
            OpportunityCommand::Lose { reason },
        )
        .await
    }

    /// One opportunity.
    pub async fn get_opportunity(&self, opportunity_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("opportunity_id", opportunity_id)?;
        let mut conn = self.read_conn().await?;
        let o = self
            .load_opportunity(&mut conn, id, Read::ForView)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("opportunity {id}")))?;
        self.opportunity_view(&mut conn, &o).await
    }

    /// Opportunities by expected close: `{status?, owner_id?, customer_id?, lead_id?,
    /// search?, page?, per_page?, after?, before?}` (search: the title). A page is one
    /// keyset query (rows, customer and owner names) through the index of its filter
    /// (migration 0009); the count is bounded.
    pub async fn list_opportunities(&self, query: &Value) -> Result<Value, AppError> {
        let q = OpportunityQuery::parse(query, "query")?;
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        let mut cond = |c: &str, p: String| {
            conds.push(c.to_owned());
            params.push(p.into());
        };
        if let Some(s) = q.status.0 {
            cond("o.status = ?", s.0.to_owned());
        }
        if let Some(o) = q.owner_id {
            cond("o.owner_id = ?", o.to_string());
        }
        if let Some(c) = q.customer_id {
            cond("o.customer_id = ?", c.to_string());
        }
        if let Some(l) = q.lead_id {
            cond("o.lead_id = ?", l.to_string());
        }
        let t = self.sales_tables();
        let search = q.search.0.as_deref().map(str::trim).map(|s| ListSearch {
            matches: ("o.title LIKE ?".into(), vec![ListSearch::like(s)]),
            fulltext: ListSearch::fulltext(s, &t.opportunities, "title"),
            id_col: "o.id",
            also: None,
        });
        let order = Order::by(&[("o.expected_close", false), ("o.id", false)]);
        let req = q.paging.request(&order)?;
        let plan = ListPlan {
            select: format!(
                "SELECT o.id, o.lead_id, o.customer_id, c.name, o.owner_id, e.name, o.title, \
                 o.expected_value_minor, o.currency, o.expected_close, o.kind, o.size_band, o.status, \
                 o.version, {} FROM {} o LEFT JOIN {} c ON c.id = o.customer_id LEFT JOIN {} e ON e.id = o.owner_id",
                order.select(),
                t.opportunities,
                self.tables().customers,
                self.tables().employees
            ),
            from: format!("{} o", t.opportunities),
            order: &order,
            req: &req,
        };
        let mut conn = self.read_conn().await?;
        let (mut rows, total) = plan
            .rows(&mut conn, conds, params, search, self.inner.search_scan)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &mut rows {
            let (value, cur): (i64, String) = (col(r, 7)?, col(r, 8)?);
            let close: NaiveDate = col(r, 9)?;
            items.push(OpportunityListItem {
                id: col(r, 0)?,
                lead_id: col(r, 1)?,
                customer_id: col(r, 2)?,
                customer_name: col(r, 3)?,
                owner_id: col(r, 4)?,
                owner_name: col(r, 5)?,
                title: col(r, 6)?,
                expected_value: crate::money::money_parts_json(value, &cur),
                expected_close: close.to_string(),
                kind: col(r, 10)?,
                size_band: col(r, 11)?,
                status: col(r, 12)?,
                version: col(r, 13)?,
            });
        }
        serde_json::to_value(plan.page(rows, items, total))
            .map_err(|e| internal(&format!("opportunity list: {e}")))
    }

    /// The pipeline by stage: `{stages: [{status, count, expected_value: [money]}]}`
    /// (money objects as in `crate::money`) for open, quoting, won and lost (totals per currency).
    pub async fn opportunity_pipeline(&self) -> Result<Value, AppError> {
        let mut conn = self.read_conn().await?;
        // The totals kept per stage and currency (migration 0011): a few rows at any size.
        let rows: Vec<(String, String, u64, i64)> = conn
            .query(format!(
                "SELECT status, currency, opportunities, value_minor FROM {} \
                 WHERE opportunities <> 0 ORDER BY status, currency",
                self.sales_tables().stage_totals
            ))
            .await
            .map_err(db)?;
        let stages: Vec<Value> = STAGES
            .iter()
            .map(|s| {
                let mine: Vec<_> = rows.iter().filter(|r| r.0 == *s).collect();
                json!({
                    "status": s,
                    "count": mine.iter().map(|r| r.2).sum::<u64>(),
                    "expected_value": mine.iter().map(|r| crate::money::money_parts_json(r.3, &r.1)).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json!({"stages": stages}))
    }
}

/// A row of the opportunity list.
#[derive(Debug, Serialize)]
struct OpportunityListItem {
    id: String,
    lead_id: String,
    customer_id: String,
    customer_name: Option<String>,
    owner_id: String,
    owner_name: Option<String>,
    title: String,
    expected_value: Value,
    expected_close: String,
    kind: Option<String>,
    size_band: Option<String>,
    status: String,
    version: u64,
}

/// The opportunity list's status filter (a stage).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageFilter(pub &'static str);

impl Field for StageFilter {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        let s = String::read(field, v)?;
        STAGES
            .into_iter()
            .find(|x| *x == s)
            .map(StageFilter)
            .ok_or_else(|| "must be open, quoting, won or lost".into())
    }
}

command_input! {
    /// Query of the opportunity list (an empty filter is no filter).
    pub struct OpportunityQuery {
        /// A stage.
        status: OrBlank<StageFilter>,
        /// An owner.
        owner_id: Option<Uuid>,
        /// A customer.
        customer_id: Option<Uuid>,
        /// A lead.
        lead_id: Option<Uuid>,
        /// Text in the title.
        search: OrBlankText<String>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}

/// The option lists an opportunity's classification offers.
#[derive(Debug, Serialize)]
struct OpportunityOptions {
    kind: [&'static str; 3],
    size_band: [&'static str; 4],
}

/// An opportunity as the API returns it.
#[derive(Debug, Serialize)]
struct OpportunityView<'a> {
    id: String,
    lead_id: String,
    customer_id: String,
    customer_name: String,
    owner_id: String,
    owner_name: Option<String>,
    title: &'a str,
    expected_value: MoneyView,
    expected_close: String,
    kind: Option<&'static str>,
    size_band: Option<&'static str>,
    status: &'static str,
    actions: &'static [&'static str],
    options: OpportunityOptions,
    lost: bool,
    lost_reason: Option<&'a str>,
    quote_count: u64,
    won_quote_id: Option<String>,
    sale_id: Option<String>,
    version: u64,
    created_at: Option<String>,
}
