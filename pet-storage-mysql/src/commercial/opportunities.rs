//! Opportunities: opened from a qualified lead (creating the customer when the lead was
//! about a new company), classified, lost; won by a quote's acceptance (see `quotes.rs`).
//! Reads: one opportunity, a filtered list and the pipeline by stage.

use chrono::{NaiveDate, NaiveDateTime};
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::commercial::{
    Classification, LeadChanges, LeadCommand, LeadCustomer, LeadFacts, LeadId, LeadSummary,
    NewOpportunity, Opportunity, OpportunityCommand, OpportunityFacts, OpportunityId,
    OpportunityKind, SizeBand, Text,
};
use pet_core::identity::{CustomerCommand, CustomerId, CustomerStatus, EmployeeId, Money, Name};
use serde_json::{json, Value};
use uuid::Uuid;

use super::leads::money_json;
use super::{col, db, like_escape};
use crate::app::{CommandContext, Page};
use crate::command::{command, replayed_repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{AppError, StorageError};
use crate::fields::command_input;
use crate::identity::Customers;
use crate::input::{arg_uuid, Input};
use crate::services::Commercial;
use crate::uow::UnitOfWork;

const STAGES: [&str; 4] = ["open", "quoting", "won", "lost"];

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

replayed_repository!(
    /// Opportunities: loaded by replaying their events; saved to the opportunities table.
    Opportunities: Opportunity, "opportunity",
    |app, cx, before, after, events| app.commercial().write_opportunity(cx.uow(), before, after).await
);

impl Commercial<'_> {
    pub(super) async fn write_opportunity(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        o: &Opportunity,
    ) -> Result<(), AppError> {
        let t = self.sales_tables();
        let now = to_db_time(uow.now());
        let d = o.details();
        let c = o.classification();
        let (won_quote, sale) = match o.sale() {
            Some((q, s)) => (Some(q.to_string()), Some(s.to_string())),
            None => (None, None),
        };
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, lead_id, customer_id, owner_id, title, expected_value_minor, currency, \
                     expected_close, kind, size_band, status, lost_reason, won_quote_id, sale_id, version, created_at, \
                     updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    now.into(),
                    now.into(),
                ],
                |_| StorageError::Conflict("this opportunity already exists".into()),
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET kind = ?, size_band = ?, status = ?, lost_reason = ?, won_quote_id = ?, \
                     sale_id = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
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
        Ok(json!({
            "id": o.id().to_string(),
            "lead_id": d.lead_id.to_string(),
            "customer_id": d.customer_id.to_string(),
            "customer_name": customer_name,
            "owner_id": d.owner_id.to_string(),
            "owner_name": owner_name,
            "title": d.title.as_str(),
            "expected_value": money_json(&d.expected_value),
            "expected_close": d.expected_close.to_string(),
            "kind": o.classification().map(|c| c.kind.as_str()),
            "size_band": o.classification().map(|c| c.size_band.as_str()),
            "status": o.status().as_str(),
            "actions": o.status().actions(),
            "options": {
                "kind": OpportunityKind::ALL.map(OpportunityKind::as_str),
                "size_band": SizeBand::ALL.map(SizeBand::as_str),
            },
            "lost": o.status() == pet_core::commercial::OpportunityStatus::Lost,
            "lost_reason": o.lost_reason().map(Text::as_str),
            "quote_ids": o.quote_ids().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "won_quote_id": o.sale().map(|(q, _)| q.to_string()),
            "sale_id": o.sale().map(|(_, s)| s.to_string()),
            "version": o.version(),
            "created_at": created.map(|c| rfc3339(from_db_time(c))),
        }))
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
                    cx.create(&Customers(self), &create, &()).await?;
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
                customer: self.customer_status(cx.tx(), customer_id.as_uuid()).await?,
                owner: self.employee_status(cx.tx(), owner_id.as_uuid()).await?,
                accepted_quote: None,
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
            self.opportunity_view(cx.tx(), &after).await
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
            self.opportunity_view(cx.tx(), &after).await
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
        let mut conn = self.conn().await?;
        let o: Opportunity = self
            .replay(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("opportunity {id}")))?;
        self.opportunity_view(&mut conn, &o).await
    }

    /// Opportunities by expected close: `{status?, owner_id?, customer_id?, lead_id?,
    /// search?, page?, per_page?}`.
    pub async fn list_opportunities(&self, query: &Value) -> Result<Value, AppError> {
        let mut q = Input::new(query, "query");
        let status = q.opt_str("status").filter(|s| !s.is_empty());
        if let Some(s) = status {
            if !STAGES.contains(&s) {
                q.error("status", "must be open, quoting, won or lost");
            }
        }
        let owner = q.opt_uuid("owner_id");
        let customer = q.opt_uuid("customer_id");
        let lead = q.opt_uuid("lead_id");
        let search = q.opt_str("search").map(str::trim).filter(|s| !s.is_empty());
        let (page, per_page) = q.paging();
        q.finish()?;
        let page = Page { page, per_page };
        let mut conds: Vec<&str> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(s) = status {
            conds.push("o.status = ?");
            params.push(s.into());
        }
        if let Some(o) = owner {
            conds.push("o.owner_id = ?");
            params.push(o.to_string().into());
        }
        if let Some(c) = customer {
            conds.push("o.customer_id = ?");
            params.push(c.to_string().into());
        }
        if let Some(l) = lead {
            conds.push("o.lead_id = ?");
            params.push(l.to_string().into());
        }
        if let Some(s) = search {
            conds.push("o.title LIKE ?");
            params.push(format!("%{}%", like_escape(s)).into());
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let t = self.sales_tables();
        let mut conn = self.conn().await?;
        let total: Option<u64> = conn
            .exec_first(
                format!("SELECT COUNT(*) FROM {} o {where_sql}", t.opportunities),
                params.clone(),
            )
            .await
            .map_err(db)?;
        params.push(u64::from(page.per_page).into());
        params.push(page.offset().into());
        let rows: Vec<mysql_async::Row> = conn
            .exec(
                format!(
                    "SELECT o.id, o.lead_id, o.customer_id, c.name, o.owner_id, e.name, o.title, \
                     o.expected_value_minor, o.currency, o.expected_close, o.kind, o.size_band, o.status, \
                     o.version FROM {} o LEFT JOIN {} c ON c.id = o.customer_id LEFT JOIN {} e ON e.id = o.owner_id \
                     {where_sql} ORDER BY o.expected_close, o.id LIMIT ? OFFSET ?",
                    t.opportunities,
                    self.tables().customers,
                    self.tables().employees
                ),
                params,
            )
            .await
            .map_err(db)?;
        let mut items = Vec::with_capacity(rows.len());
        for mut r in rows {
            let r = &mut r;
            let (id, lead, cid, cname, owner, oname, title): (
                String,
                String,
                String,
                Option<String>,
                String,
                Option<String>,
                String,
            ) = (
                col(r, 0)?,
                col(r, 1)?,
                col(r, 2)?,
                col(r, 3)?,
                col(r, 4)?,
                col(r, 5)?,
                col(r, 6)?,
            );
            let (value, cur, close, kind, size, st, v): (
                i64,
                String,
                NaiveDate,
                Option<String>,
                Option<String>,
                String,
                u64,
            ) = (
                col(r, 7)?,
                col(r, 8)?,
                col(r, 9)?,
                col(r, 10)?,
                col(r, 11)?,
                col(r, 12)?,
                col(r, 13)?,
            );
            items.push(json!({
                "id": id, "lead_id": lead, "customer_id": cid, "customer_name": cname,
                "owner_id": owner, "owner_name": oname, "title": title,
                "expected_value": crate::money::money_parts_json(value, &cur),
                "expected_close": close.to_string(), "kind": kind, "size_band": size,
                "status": st, "version": v,
            }));
        }
        Ok(page.wrap(items, total.unwrap_or(0)))
    }

    /// The pipeline by stage: `{stages: [{status, count, expected_value: [money]}]}`
    /// (money objects as in `crate::money`) for open, quoting, won and lost (totals per currency).
    pub async fn opportunity_pipeline(&self) -> Result<Value, AppError> {
        let mut conn = self.conn().await?;
        let rows: Vec<(String, String, u64, Option<i64>)> = conn
            .query(format!(
                "SELECT status, currency, COUNT(*), CAST(SUM(expected_value_minor) AS SIGNED) FROM {} \
                 GROUP BY status, currency ORDER BY status, currency",
                self.sales_tables().opportunities
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
                    "expected_value": mine.iter().map(|r| crate::money::money_parts_json(r.3.unwrap_or(0), &r.1)).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json!({"stages": stages}))
    }
}
