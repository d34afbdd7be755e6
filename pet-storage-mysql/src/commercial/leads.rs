//! Lead schemas (publish immutable numbered versions) and leads (capture, update, contact,
//! qualify, disqualify, archive; read one rendered through its own schema version; list
//! with search and filters).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::commercial::{
    CustomValues, FieldDefinition, FieldKey, FieldType, Lead, LeadChanges, LeadCommand,
    LeadCustomer, LeadEvent, LeadFacts, LeadId, LeadSchema, LeadSchemaCommand, LeadSchemaEvent,
    LeadSchemaId, LeadSchemaVersion, LeadStatus, NewLead, Qualification, SchemaRef,
    SchemaVersionNumber, Text,
};
use pet_core::identity::{CustomerId, EmployeeId, Money, Name, Note};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{col, db, internal, json_text, parse_id, ListPlan, ListSearch, Tx};
use crate::app::{App, CommandContext};
use crate::command::{command, restored_repository, Cmd, Read, Repository};
use crate::db::{from_db_time, rfc3339, to_db_time};
use crate::error::{AppError, StorageError};
use crate::fields::{command_input, domain_message, Field, OrBlank, OrBlankText};
use crate::input::arg_uuid;
use crate::paging::Order;
use crate::services::Commercial;
use crate::uow::UnitOfWork;
use serde::Serialize;

use crate::money::MoneyView;

/// A note as the sales screens send it (absent: empty), with the domain's messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalesNote(pub Note);

impl Field for SalesNote {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        Note::new(&String::read(field, v)?)
            .map(SalesNote)
            .map_err(domain_message)
    }
}

/// `custom_fields`: raw values by key, checked by the schema version in `pet-core` (an
/// empty PHP array is no values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomFields(pub BTreeMap<String, Value>);

impl Field for CustomFields {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        match v {
            Value::Object(m) => Ok(CustomFields(
                m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            )),
            Value::Array(a) if a.is_empty() => Ok(CustomFields::default()),
            _ => Err("must be an array with named keys".into()),
        }
    }
}

/// A lead's budget: a money object that must not be negative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget(pub Money);

impl Field for Budget {
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        let m = Money::read_into(field, v, errors)?;
        if m.amount_minor() < 0 {
            errors.add(field, "must not be negative");
            return None;
        }
        Some(Budget(m))
    }
}

command_input! {
    /// Input of [`App::create_lead`]: the company (`customer_id` or `customer_name`, not
    /// both), the source, the owner (default: the actor) and the custom field values.
    pub struct NewLeadInput {
        /// An existing customer.
        customer_id: Option<CustomerId>,
        /// Or a new company's name.
        customer_name: OrBlankText<Name>,
        /// Where the lead came from.
        source: Name,
        /// The owner (default: the actor).
        owner_id: Option<EmployeeId>,
        /// Values by custom field key.
        custom_fields: CustomFields = CustomFields::default(),
    }
}

command_input! {
    /// Input of [`App::update_lead`]: each field optional (`custom_fields` is the complete
    /// new set; an empty array clears it).
    pub struct LeadChangesInput {
        /// An existing customer.
        customer_id: Option<CustomerId>,
        /// Or a new company's name.
        customer_name: OrBlankText<Name>,
        /// Where the lead came from.
        source: Option<Name>,
        /// The new owner.
        owner_id: Option<EmployeeId>,
        /// The complete new set of values.
        custom_fields: Option<CustomFields>,
    }
}

command_input! {
    /// Input of [`App::contact_lead`].
    pub struct ContactLeadInput {
        /// What was said (may be empty).
        note: SalesNote = SalesNote::default(),
    }
}

command_input! {
    /// Input of [`App::qualify_lead`]: the evidence.
    pub struct QualifyLeadInput {
        /// The need (required).
        need: Text,
        /// The budget, if known.
        budget: Option<Budget>,
        /// Who decides.
        authority: OrBlankText<Text>,
        /// When.
        timeline: OrBlankText<Text>,
        /// Notes (may be empty).
        notes: SalesNote = SalesNote::default(),
    }
}

command_input! {
    /// Input of [`App::disqualify_lead`].
    pub struct DisqualifyLeadInput {
        /// Why.
        reason: Text,
    }
}

/// The errors of the company choice, which spans two fields: `customer_id` or
/// `customer_name`, not both (one of them when `required`).
pub(super) fn customer_choice_errors(input: &Value, required: bool) -> pet_core::FieldErrors {
    let mut errors = pet_core::FieldErrors::new();
    let id = input.get("customer_id").is_some_and(|v| !v.is_null());
    let name = input
        .get("customer_name")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    match (id, name) {
        (true, true) => errors.add(
            "customer_name",
            "give either customer_id or customer_name, not both",
        ),
        (false, false) if required => errors.add(
            "customer_id",
            "is required (or give customer_name for a new company)",
        ),
        _ => {}
    }
    errors
}

/// The company a lead input names (`None`: neither given).
fn lead_customer(id: Option<CustomerId>, name: OrBlankText<Name>) -> Option<LeadCustomer> {
    match (id, name.0) {
        (Some(customer_id), _) => Some(LeadCustomer::Existing { customer_id }),
        (None, Some(name)) => Some(LeadCustomer::New { name }),
        (None, None) => None,
    }
}

/// A lead schema field as the API returns it.
#[derive(Debug, Serialize)]
struct FieldView<'a> {
    key: &'a str,
    label: &'a str,
    #[serde(rename = "type")]
    field_type: &'static str,
    required: bool,
    options: Vec<&'a str>,
    order: u32,
}

impl<'a> FieldView<'a> {
    fn new(f: &'a FieldDefinition) -> Self {
        Self {
            key: f.key().as_str(),
            label: f.label().as_str(),
            field_type: f.field_type().as_str(),
            required: f.required(),
            options: f.options().iter().map(Name::as_str).collect(),
            order: f.order(),
        }
    }
}

/// A lead schema version as the API returns it.
#[derive(Debug, Serialize)]
struct SchemaVersionView<'a> {
    schema_id: String,
    number: u32,
    fields: Vec<FieldView<'a>>,
    published_at: Option<String>,
}

fn schema_version_json(v: &LeadSchemaVersion, published_at: Option<NaiveDateTime>) -> Value {
    serde_json::to_value(SchemaVersionView {
        schema_id: v.schema_id.to_string(),
        number: v.number.get(),
        fields: v.fields.iter().map(FieldView::new).collect(),
        published_at: published_at.map(|t| rfc3339(from_db_time(t))),
    })
    .unwrap_or(Value::Null)
}

/// A lead's custom field: its definition, the stored value and its display text.
#[derive(Debug, Serialize)]
struct CustomFieldView<'a> {
    #[serde(flatten)]
    field: FieldView<'a>,
    value: Value,
    display: Option<String>,
}

/// The company a lead is about.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum LeadCustomerView<'a> {
    Existing { customer_id: String },
    New { name: &'a str },
}

/// A lead's qualification evidence.
#[derive(Debug, Serialize)]
struct QualificationView<'a> {
    budget: Option<MoneyView>,
    authority: Option<&'a str>,
    need: &'a str,
    timeline: Option<&'a str>,
    notes: &'a str,
}

/// A lead as the API returns it.
#[derive(Debug, Serialize)]
struct LeadView<'a> {
    id: String,
    customer: LeadCustomerView<'a>,
    customer_id: Option<String>,
    company_name: String,
    source: &'a str,
    owner_id: String,
    owner_name: Option<String>,
    status: &'static str,
    next_statuses: Vec<&'static str>,
    actions: &'static [&'static str],
    schema_version: Option<u32>,
    custom_values: Value,
    custom_fields: Vec<CustomFieldView<'a>>,
    qualification: Option<QualificationView<'a>>,
    disqualification_reason: Option<&'a str>,
    version: u64,
    created_at: String,
    updated_at: String,
}

restored_repository!(
    /// Leads: restored from their row and their qualification row; saved to the leads and
    /// qualifications tables.
    Leads: Lead, "lead",
    load |app, tx, id| app.commercial().load_lead(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| {
        let ctx = cx.ctx().clone();
        app.commercial().write_lead(cx.uow(), before, after, events, &ctx).await
    }
);

/// The lead schema (one per site): restored from its version rows; a publication inserts
/// the new version's row.
pub(crate) struct LeadSchemas<'a>(pub(crate) &'a App);

impl LeadSchemas<'_> {
    /// The schema with every published version, if any was published.
    async fn current(&self, tx: Tx<'_, '_>) -> Result<Option<LeadSchema>, AppError> {
        let versions: Vec<LeadSchemaVersion> = self
            .0
            .commercial()
            .schema_rows(tx, None)
            .await?
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        Ok(versions
            .first()
            .map(|v| v.schema_id)
            .map(|id| LeadSchema::restore(id, versions.clone(), versions.len() as u64)))
    }
}

impl Repository<LeadSchema> for LeadSchemas<'_> {
    const NAME: &'static str = "lead schema";
    async fn load(&self, tx: Tx<'_, '_>, id: Uuid) -> Result<Option<LeadSchema>, AppError> {
        Ok(self.current(tx).await?.filter(|s| s.id().as_uuid() == id))
    }
    async fn save(
        &self,
        cx: &mut Cmd<'_, '_>,
        _before: u64,
        after: &LeadSchema,
        _events: &[LeadSchemaEvent],
    ) -> Result<(), AppError> {
        let v = after.latest().ok_or_else(|| internal("no version"))?;
        let t = self.0.sales_tables();
        let actor = cx.ctx().actor_id.map(|a| a.to_string());
        let now = to_db_time(cx.now());
        cx.uow()
            .insert(
                &format!(
                    "INSERT INTO {} (number, schema_id, fields, field_count, published_by, published_at) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                    t.schema_versions
                ),
                (
                    v.number.get(),
                    v.schema_id.to_string(),
                    json_text(&v.fields)?,
                    v.fields.len() as u32,
                    actor,
                    now,
                ),
                |_| {
                    StorageError::Conflict(
                        "another lead schema version was published at the same time; reload and try again"
                            .into(),
                    )
                },
            )
            .await?;
        Ok(())
    }
}

impl Commercial<'_> {
    // ---- lead schema ------------------------------------------------------------------

    pub(super) async fn schema_rows<Q: Queryable>(
        &self,
        q: &mut Q,
        number: Option<u32>,
    ) -> Result<Vec<(LeadSchemaVersion, NaiveDateTime)>, AppError> {
        let t = self.sales_tables();
        let (cond, params): (&str, Vec<SqlValue>) = match number {
            Some(n) => ("WHERE number = ?", vec![n.into()]),
            None => ("", vec![]),
        };
        let rows: Vec<(u32, String, String, NaiveDateTime)> = q
            .exec(
                format!(
                    "SELECT number, schema_id, fields, published_at FROM {} {cond} ORDER BY number",
                    t.schema_versions
                ),
                params,
            )
            .await
            .map_err(db)?;
        rows.into_iter()
            .map(|(n, id, fields, at)| {
                let fields: Vec<FieldDefinition> = serde_json::from_str(&fields).map_err(|e| {
                    AppError::Storage(format!("stored lead schema unreadable: {e}"))
                })?;
                Ok((
                    LeadSchemaVersion {
                        schema_id: LeadSchemaId::from_uuid(parse_id(&id)?),
                        number: SchemaVersionNumber::new("number", n)?,
                        fields,
                    },
                    at,
                ))
            })
            .collect()
    }

    /// The latest published lead schema version (`None`: none yet).
    async fn latest_schema<Q: Queryable>(
        &self,
        q: &mut Q,
    ) -> Result<Option<LeadSchemaVersion>, AppError> {
        let t = self.sales_tables();
        let n: Option<Option<u32>> = q
            .query_first(format!("SELECT MAX(number) FROM {}", t.schema_versions))
            .await
            .map_err(db)?;
        match n.flatten() {
            None => Ok(None),
            Some(n) => Ok(self
                .schema_rows(q, Some(n))
                .await?
                .into_iter()
                .next()
                .map(|(v, _)| v)),
        }
    }

    /// Publishes the next lead schema version: `{fields: [{key, label, type, required?,
    /// options?}]}` in display order. Returns the version.
    pub async fn publish_lead_schema(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let fields = PublishSchemaInput::parse(input, "input")?.fields.0;
        command!(self, ctx, "publish_lead_schema", input, |cx| {
            let repo = LeadSchemas(self);
            let state = repo.current(cx.tx().await?).await?;
            let schema_id = state
                .as_ref()
                .map(LeadSchema::id)
                .unwrap_or_else(|| LeadSchemaId::from_uuid(Uuid::now_v7()));
            let cmd = LeadSchemaCommand::Publish {
                schema_id,
                fields: fields.clone(),
            };
            let (after, _) = cx.apply(&repo, state, &cmd, &()).await?;
            let v = after.latest().ok_or_else(|| internal("no version"))?;
            Ok(schema_version_json(v, Some(to_db_time(cx.now()))))
        })
    }

    /// One lead schema version (`number` null: the latest); `null` when none is published.
    pub async fn get_lead_schema(&self, number: Option<i64>) -> Result<Value, AppError> {
        let mut conn = self.read_conn().await?;
        let n = match number {
            None => {
                let n: Option<Option<u32>> = conn
                    .query_first(format!(
                        "SELECT MAX(number) FROM {}",
                        self.sales_tables().schema_versions
                    ))
                    .await
                    .map_err(db)?;
                match n.flatten() {
                    None => return Ok(Value::Null),
                    Some(n) => n,
                }
            }
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| AppError::field("number", "must be at least 1"))?,
        };
        let rows = self.schema_rows(&mut conn, Some(n)).await?;
        match rows.into_iter().next() {
            Some((v, at)) => Ok(schema_version_json(&v, Some(at))),
            None if number.is_none() => Ok(Value::Null),
            None => Err(AppError::NotFound(format!("lead schema version {n}"))),
        }
    }

    /// Every published lead schema version, newest first: `{items: [...]}`.
    pub async fn list_lead_schema_versions(&self) -> Result<Value, AppError> {
        let mut conn = self.read_conn().await?;
        let rows = self.schema_rows(&mut conn, None).await?;
        let items: Vec<Value> = rows
            .iter()
            .rev()
            .map(|(v, at)| schema_version_json(v, Some(*at)))
            .collect();
        Ok(json!({"items": items, "total": items.len()}))
    }

    // ---- leads --------------------------------------------------------------------------

    /// Facts a lead command needs: the schema version (latest for creation, the lead's own
    /// otherwise), the customer and the owner it names.
    async fn lead_facts(
        &self,
        tx: Tx<'_, '_>,
        state: Option<&Lead>,
        cmd: &LeadCommand,
    ) -> Result<LeadFacts, AppError> {
        let mut facts = LeadFacts::default();
        let (customer, owner) = match cmd {
            LeadCommand::Create(n) => {
                facts.schema = self.latest_schema(tx).await?;
                (Some(&n.customer), Some(n.owner_id))
            }
            LeadCommand::Update(ch) => {
                if ch.custom_values.is_some() {
                    if let Some(own) = state.and_then(Lead::schema) {
                        facts.schema = self
                            .schema_rows(tx, Some(own.number.get()))
                            .await?
                            .into_iter()
                            .next()
                            .map(|(v, _)| v);
                    }
                }
                (ch.customer.as_ref(), ch.owner_id)
            }
            _ => (None, None),
        };
        if let Some(LeadCustomer::Existing { customer_id }) = customer {
            facts.customer = self.customer_status(tx, customer_id.as_uuid()).await?;
        }
        if let Some(o) = owner {
            facts.owner = self.employee_status(tx, o.as_uuid()).await?;
        }
        Ok(facts)
    }

    async fn lead_command(
        &self,
        ctx: &CommandContext,
        command: &str,
        request: Value,
        id: Uuid,
        cmd: LeadCommand,
    ) -> Result<Value, AppError> {
        command!(self, ctx, command, &request, |cx| {
            let repo = Leads(self);
            let state = match cmd {
                LeadCommand::Create(_) => None,
                _ => Some(cx.load(&repo, id).await?),
            };
            let facts = self
                .lead_facts(cx.tx().await?, state.as_ref(), &cmd)
                .await?;
            let (after, _) = cx.apply(&repo, state, &cmd, &facts).await?;
            self.lead_view(cx.tx().await?, &after).await
        })
    }

    /// A lead from its row and its qualification row (the evidence it was qualified on, or
    /// the reason it was disqualified); `None` when there is no such lead.
    pub(crate) async fn load_lead<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Lead>, AppError> {
        let t = self.sales_tables();
        type LeadRow = (
            Option<String>,
            String,
            String,
            String,
            Option<String>,
            Option<u32>,
            String,
            String,
            u64,
        );
        let row: Option<LeadRow> = q
            .exec_first(
                format!(
                    "SELECT customer_id, company_name, source, owner_id, schema_id, schema_number, \
                     custom_values, status, version FROM {} WHERE id = ?{}",
                    t.leads,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((
            customer,
            company,
            source,
            owner,
            schema_id,
            schema_number,
            values,
            status,
            version,
        )) = row
        else {
            return Ok(None);
        };
        type OutcomeRow = (
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let outcomes: Vec<OutcomeRow> = q
            .exec(
                format!(
                    "SELECT outcome, budget_minor, budget_currency, authority, need, timeline, notes, reason \
                     FROM {} WHERE lead_id = ? ORDER BY recorded_at, id{}",
                    t.qualifications,
                    read.rows()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let bad = |what: &str| AppError::Storage(format!("stored lead {id}: bad {what}"));
        let text = |field: &str, v: Option<String>| {
            v.map(|v| Text::for_field(field, &v).map_err(|_| bad(field)))
                .transpose()
        };
        let mut qualification = None;
        let mut reason = None;
        for (outcome, minor, currency, authority, need, timeline, notes, why) in outcomes {
            match outcome.as_str() {
                "qualified" => {
                    let budget = match (minor, currency) {
                        (Some(m), Some(c)) => Some(Money::new(
                            m,
                            pet_core::identity::Currency::new(&c).map_err(|_| bad("budget"))?,
                        )),
                        _ => None,
                    };
                    qualification = Some(Qualification {
                        budget,
                        authority: text("authority", authority)?,
                        need: text("need", need)?.ok_or_else(|| bad("need"))?,
                        timeline: text("timeline", timeline)?,
                        notes: Note::new(notes.as_deref().unwrap_or_default())
                            .map_err(|_| bad("notes"))?,
                    });
                }
                "disqualified" => reason = text("reason", why)?,
                _ => return Err(bad("outcome")),
            }
        }
        let customer = match customer {
            Some(c) => LeadCustomer::Existing {
                customer_id: CustomerId::from_uuid(parse_id(&c)?),
            },
            None => LeadCustomer::New {
                name: Name::new(&company).map_err(|_| bad("company_name"))?,
            },
        };
        let schema = match (schema_id, schema_number) {
            (Some(s), Some(n)) => Some(SchemaRef {
                schema_id: LeadSchemaId::from_uuid(parse_id(&s)?),
                number: SchemaVersionNumber::new("schema_number", n)?,
            }),
            _ => None,
        };
        let values: BTreeMap<String, Value> =
            serde_json::from_str(&values).map_err(|_| bad("custom_values"))?;
        let status = LeadStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == status)
            .ok_or_else(|| bad("status"))?;
        Ok(Some(Lead::restore(
            LeadId::from_uuid(id),
            customer,
            Name::new(&source).map_err(|_| bad("source"))?,
            EmployeeId::from_uuid(parse_id(&owner)?),
            schema,
            CustomValues::try_from(values).map_err(|_| bad("custom_values"))?,
            status,
            qualification,
            reason,
            version,
        )))
    }

    async fn write_lead(
        &self,
        uow: &mut UnitOfWork<'_>,
        before: u64,
        l: &Lead,
        events: &[LeadEvent],
        ctx: &CommandContext,
    ) -> Result<(), AppError> {
        let t = self.sales_tables();
        let now = to_db_time(uow.now());
        let (customer_id, company) = match l.customer() {
            LeadCustomer::Existing { customer_id } => (
                Some(customer_id.to_string()),
                self.sales_customer_name(uow.tx().await?, customer_id.as_uuid())
                    .await?,
            ),
            LeadCustomer::New { name } => (None, name.as_str().to_owned()),
        };
        let values = json_text(&l.custom_values().to_json())?;
        if before == 0 {
            uow.insert(
                &format!(
                    "INSERT INTO {} (id, customer_id, company_name, source, owner_id, schema_id, schema_number, \
                     custom_values, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    t.leads
                ),
                (
                    l.id().to_string(),
                    customer_id,
                    company,
                    l.source().as_str(),
                    l.owner_id().to_string(),
                    l.schema().map(|s| s.schema_id.to_string()),
                    l.schema().map(|s| s.number.get()),
                    values,
                    l.status().as_str(),
                    l.version(),
                    now,
                    now,
                ),
                |_| StorageError::Conflict("this lead already exists".into()),
            )
            .await?;
        } else {
            uow.update_versioned(
                &format!(
                    "UPDATE {} SET customer_id = ?, company_name = ?, source = ?, owner_id = ?, custom_values = ?, \
                     status = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                    t.leads
                ),
                (
                    customer_id,
                    company,
                    l.source().as_str(),
                    l.owner_id().to_string(),
                    values,
                    l.status().as_str(),
                    l.version(),
                    now,
                    l.id().to_string(),
                    before,
                ),
                "lead",
            )
            .await?;
        }
        for ev in events {
            let (outcome, q, reason) = match ev {
                LeadEvent::Qualified(p) => ("qualified", Some(&p.qualification), None),
                LeadEvent::Disqualified(p) => ("disqualified", None, Some(p.reason.as_str())),
                _ => continue,
            };
            uow.tx().await?
                .exec_drop(
                    format!(
                        "INSERT INTO {} (id, lead_id, outcome, budget_minor, budget_currency, authority, need, \
                         timeline, notes, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        t.qualifications
                    ),
                    (
                        Uuid::now_v7().to_string(),
                        l.id().to_string(),
                        outcome,
                        q.and_then(|q| q.budget).map(|b| b.amount_minor()),
                        q.and_then(|q| q.budget).map(|b| b.currency().as_str().to_owned()),
                        q.and_then(|q| q.authority.as_ref()).map(|a| a.as_str().to_owned()),
                        q.map(|q| q.need.as_str().to_owned()),
                        q.and_then(|q| q.timeline.as_ref()).map(|a| a.as_str().to_owned()),
                        q.map(|q| q.notes.as_str().to_owned()),
                        reason,
                        ctx.actor_id.map(|a| a.to_string()),
                        now,
                    ),
                )
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// The lead as the API returns it: custom fields rendered by the lead's own schema
    /// version (label, type, value, display text).
    async fn lead_view<Q: Queryable>(&self, q: &mut Q, l: &Lead) -> Result<Value, AppError> {
        let t = self.sales_tables();
        let row: Option<(String, NaiveDateTime, NaiveDateTime)> = q
            .exec_first(
                format!(
                    "SELECT company_name, created_at, updated_at FROM {} WHERE id = ?",
                    t.leads
                ),
                (l.id().to_string(),),
            )
            .await
            .map_err(db)?;
        let (company, created, updated) =
            row.ok_or_else(|| AppError::NotFound(format!("lead {}", l.id())))?;
        let owner_name: Option<String> = q
            .exec_first(
                format!("SELECT name FROM {} WHERE id = ?", self.tables().employees),
                (l.owner_id().to_string(),),
            )
            .await
            .map_err(db)?;
        let version = match l.schema() {
            Some(s) => Some(
                self.schema_rows(q, Some(s.number.get()))
                    .await?
                    .into_iter()
                    .next()
                    .map(|(v, _)| v)
                    .ok_or_else(|| internal("lead schema version missing"))?,
            ),
            None => None,
        };
        let mut fields = Vec::new();
        if let Some(v) = &version {
            let read = v.read(l.custom_values()).map_err(|e| {
                AppError::Storage(format!(
                    "stored custom values do not fit their schema version: {}",
                    e.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            })?;
            for (def, value) in read {
                fields.push(CustomFieldView {
                    field: FieldView::new(def),
                    value: l
                        .custom_values()
                        .get(def.key().as_str())
                        .cloned()
                        .unwrap_or(Value::Null),
                    display: value.map(|v| v.display()),
                });
            }
        }
        let customer = match l.customer() {
            LeadCustomer::Existing { customer_id } => LeadCustomerView::Existing {
                customer_id: customer_id.to_string(),
            },
            LeadCustomer::New { name } => LeadCustomerView::New {
                name: name.as_str(),
            },
        };
        let qualification = l.qualification().map(|q| QualificationView {
            budget: q.budget.map(MoneyView),
            authority: q.authority.as_ref().map(Text::as_str),
            need: q.need.as_str(),
            timeline: q.timeline.as_ref().map(Text::as_str),
            notes: q.notes.as_str(),
        });
        let view = LeadView {
            id: l.id().to_string(),
            customer,
            customer_id: match l.customer() {
                LeadCustomer::Existing { customer_id } => Some(customer_id.to_string()),
                LeadCustomer::New { .. } => None,
            },
            company_name: company,
            source: l.source().as_str(),
            owner_id: l.owner_id().to_string(),
            owner_name,
            status: l.status().as_str(),
            next_statuses: l
                .status()
                .next_statuses()
                .iter()
                .map(|s| s.as_str())
                .collect(),
            actions: l.status().actions(),
            schema_version: l.schema().map(|s| s.number.get()),
            custom_values: l.custom_values().to_json(),
            custom_fields: fields,
            qualification,
            disqualification_reason: l.disqualification_reason().map(Text::as_str),
            version: l.version(),
            created_at: rfc3339(from_db_time(created)),
            updated_at: rfc3339(from_db_time(updated)),
        };
        serde_json::to_value(view).map_err(|e| internal(&format!("lead view: {e}")))
    }

    /// Captures a lead with the latest schema version: `{customer_id | customer_name,
    /// source, owner_id?, custom_fields?}` (owner defaults to the actor).
    pub async fn create_lead(
        &self,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let mut extra = customer_choice_errors(input, true);
        if input.get("owner_id").is_none_or(Value::is_null) && ctx.actor_id.is_none() {
            extra.add("owner_id", "is required");
        }
        let p = super::with_errors(NewLeadInput::parse(input, "input"), extra)?;
        let owner = p
            .owner_id
            .or(ctx.actor_id.map(EmployeeId::from_uuid))
            .ok_or_else(|| AppError::field("owner_id", "is required"))?;
        let customer = lead_customer(p.customer_id, p.customer_name).ok_or_else(|| {
            AppError::field(
                "customer_id",
                "is required (or give customer_name for a new company)",
            )
        })?;
        let id = Uuid::now_v7();
        let cmd = LeadCommand::Create(NewLead {
            id: LeadId::from_uuid(id),
            customer,
            source: p.source,
            owner_id: owner,
            custom_values: p.custom_fields.0,
        });
        self.lead_command(ctx, "create_lead", input.clone(), id, cmd)
            .await
    }

    /// Changes a lead: `{customer_id | customer_name, source, owner_id, custom_fields}`, each
    /// optional (`custom_fields` is the complete new set, checked by the lead's own version).
    pub async fn update_lead(
        &self,
        lead_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("lead_id", lead_id)?;
        let p = super::with_errors(
            LeadChangesInput::parse(input, "input"),
            customer_choice_errors(input, false),
        )?;
        let cmd = LeadCommand::Update(LeadChanges {
            customer: lead_customer(p.customer_id, p.customer_name),
            source: p.source,
            owner_id: p.owner_id,
            custom_values: p.custom_fields.map(|c| c.0),
        });
        self.lead_command(
            ctx,
            "update_lead",
            json!({"id": id, "input": input}),
            id,
            cmd,
        )
        .await
    }

    /// `new → contacted`: `{note?}`.
    pub async fn contact_lead(
        &self,
        lead_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("lead_id", lead_id)?;
        let note = ContactLeadInput::parse(input, "input")?.note.0;
        self.lead_command(
            ctx,
            "contact_lead",
            json!({"id": id, "input": input}),
            id,
            LeadCommand::Contact { note },
        )
        .await
    }

    /// `contacted → qualified` with evidence: `{need, budget?: {amount | amount_minor, currency},
    /// authority?, timeline?, notes?}`.
    pub async fn qualify_lead(
        &self,
        lead_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("lead_id", lead_id)?;
        let p = QualifyLeadInput::parse(input, "input")?;
        let q = Qualification {
            budget: p.budget.map(|b| b.0),
            authority: p.authority.0,
            need: p.need,
            timeline: p.timeline.0,
            notes: p.notes.0,
        };
        self.lead_command(
            ctx,
            "qualify_lead",
            json!({"id": id, "input": input}),
            id,
            LeadCommand::Qualify(q),
        )
        .await
    }

    /// `new | contacted → disqualified`: `{reason}`.
    pub async fn disqualify_lead(
        &self,
        lead_id: &str,
        input: &Value,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("lead_id", lead_id)?;
        let reason = DisqualifyLeadInput::parse(input, "input")?.reason;
        self.lead_command(
            ctx,
            "disqualify_lead",
            json!({"id": id, "input": input}),
            id,
            LeadCommand::Disqualify { reason },
        )
        .await
    }

    /// `qualified | disqualified → archived`.
    pub async fn archive_lead(
        &self,
        lead_id: &str,
        ctx: &CommandContext,
    ) -> Result<Value, AppError> {
        let id = arg_uuid("lead_id", lead_id)?;
        self.lead_command(
            ctx,
            "archive_lead",
            json!({"id": id}),
            id,
            LeadCommand::Archive,
        )
        .await
    }

    /// One lead, its custom fields rendered by its own schema version.
    pub async fn get_lead(&self, lead_id: &str) -> Result<Value, AppError> {
        let id = arg_uuid("lead_id", lead_id)?;
        let mut conn = self.read_conn().await?;
        let l = self
            .load_lead(&mut conn, id, Read::ForView)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("lead {id}")))?;
        self.lead_view(&mut conn, &l).await
    }

    /// Leads, newest first: `{search?, status?, owner_id?, source?, page?, per_page?,
    /// after?, before?}` (search matches the company name and the source). A page is one
    /// keyset query (rows and owner names) through the index of its filter (migration
    /// 0009); the count is bounded.
    pub async fn list_leads(&self, query: &Value) -> Result<Value, AppError> {
        let q = LeadQuery::parse(query, "query")?;
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<SqlValue> = Vec::new();
        if let Some(s) = q.status.0 {
            conds.push("l.status = ?".into());
            params.push(s.0.as_str().into());
        }
        if let Some(o) = q.owner_id {
            conds.push("l.owner_id = ?".into());
            params.push(o.to_string().into());
        }
        if let Some(s) = q.source.0.as_deref().map(str::trim) {
            conds.push("l.source = ?".into());
            params.push(s.into());
        }
        let t = self.sales_tables();
        let search = q.search.0.as_deref().map(str::trim).map(|s| ListSearch {
            matches: (
                "(l.company_name LIKE ? OR l.source LIKE ?)".into(),
                vec![ListSearch::like(s), ListSearch::like(s)],
            ),
            fulltext: ListSearch::fulltext(s, &t.leads, "company_name, source"),
            id_col: "l.id",
            also: None,
        });
        let order = Order::by(&[("l.created_at", true), ("l.id", true)]);
        let req = q.paging.request(&order)?;
        let plan = ListPlan {
            select: format!(
                "SELECT l.id, l.customer_id, l.company_name, l.source, l.owner_id, e.name, l.status, \
                 l.schema_number, l.version, l.created_at, {} FROM {} l LEFT JOIN {} e ON e.id = l.owner_id",
                order.select(),
                t.leads,
                self.tables().employees
            ),
            from: format!("{} l", t.leads),
            order: &order,
            req: &req,
        };
        let mut conn = self.read_conn().await?;
        let (mut rows, total) = plan
            .rows(&mut conn, conds, params, search, self.inner.search_scan)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &mut rows {
            items.push(LeadListItem {
                id: col(r, 0)?,
                customer_id: col(r, 1)?,
                company_name: col(r, 2)?,
                source: col(r, 3)?,
                owner_id: col(r, 4)?,
                owner_name: col(r, 5)?,
                status: col(r, 6)?,
                schema_version: col(r, 7)?,
                version: col(r, 8)?,
                created_at: rfc3339(from_db_time(col(r, 9)?)),
            });
        }
        let page = plan.page(rows, items, total);
        let mut out =
            serde_json::to_value(page).map_err(|e| internal(&format!("lead list: {e}")))?;
        if let Some(o) = out.as_object_mut() {
            o.insert(
                "options".into(),
                json!({"status": LeadStatus::ALL.map(LeadStatus::as_str)}),
            );
        }
        Ok(out)
    }

    /// Distinct lead sources (for filters), alphabetical, at most 200.
    pub async fn list_lead_sources(&self) -> Result<Value, AppError> {
        let mut conn = self.read_conn().await?;
        let rows: Vec<String> = conn
            .query(format!(
                "SELECT DISTINCT source FROM {} ORDER BY source LIMIT 200",
                self.sales_tables().leads
            ))
            .await
            .map_err(db)?;
        Ok(json!({"items": rows}))
    }
}

/// A field key as typed (surrounding spaces ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyField(pub FieldKey);

impl Field for KeyField {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        FieldKey::new(String::read(field, v)?.trim())
            .map(KeyField)
            .map_err(domain_message)
    }
}

/// A schema field's `type` (text, number, date, select, multiselect or bool).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeField(pub FieldType);

impl Field for TypeField {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        FieldType::parse(&String::read(field, v)?)
            .map(TypeField)
            .map_err(domain_message)
    }
    fn read_from(
        obj: Option<&serde_json::Map<String, Value>>,
        _name: &str,
        _default: Option<fn() -> Self>,
        errors: &mut pet_core::FieldErrors,
    ) -> Option<Self> {
        // Read from `type` (a keyword in Rust, so not the struct field's name).
        match obj.and_then(|m| m.get("type")).filter(|v| !v.is_null()) {
            Some(v) => Self::read_into("type", v, errors),
            None => {
                errors.add("type", "is required");
                None
            }
        }
    }
}

/// A yes/no schema setting (`true` or `false`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YesNo(pub bool);

impl Field for YesNo {
    fn read(_field: &str, v: &Value) -> Result<Self, String> {
        v.as_bool()
            .map(YesNo)
            .ok_or_else(|| "must be true or false".to_owned())
    }
}

/// A select field's options: the list's non-blank strings (other entries are left out).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OptionNames(pub Vec<Name>);

impl Field for OptionNames {
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        let Value::Array(list) = v else {
            errors.add(field, "must be a list of strings");
            return None;
        };
        let mut names = Vec::new();
        let mut ok = true;
        for o in list.iter().filter_map(Value::as_str) {
            if o.trim().is_empty() {
                continue;
            }
            match Name::for_field(field, o) {
                Ok(n) => names.push(n),
                Err(e) => {
                    errors.add(field, domain_message(e));
                    ok = false;
                }
            }
        }
        ok.then_some(OptionNames(names))
    }
}

command_input! {
    /// One field of a lead schema publication.
    pub struct SchemaFieldInput {
        key: KeyField,
        label: Name,
        field_type: TypeField,
        required: YesNo = YesNo(false),
        options: OptionNames = OptionNames::default(),
    }
}

/// A lead schema's fields in display order (`fields.N.key`… name their errors).
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaFields(pub Vec<FieldDefinition>);

impl Field for SchemaFields {
    fn read_into(field: &str, v: &Value, errors: &mut pet_core::FieldErrors) -> Option<Self> {
        let Value::Array(list) = v else {
            errors.add(field, "must be a list of fields");
            return None;
        };
        let mut defs = Vec::new();
        let before = errors.iter().count();
        for (n, f) in list.iter().enumerate() {
            let prefix = format!("{field}.{n}");
            let named = |errors: &mut pet_core::FieldErrors, e: pet_core::FieldErrors| {
                for (k, m) in e.iter() {
                    errors.add(format!("{prefix}.{k}"), m);
                }
            };
            if !matches!(f, Value::Object(_)) {
                errors.add(prefix.clone(), "must be an array with named keys");
                continue;
            }
            let p = match SchemaFieldInput::parse(f, "input") {
                Ok(p) => p,
                Err(AppError::Validation(e)) => {
                    named(errors, e);
                    continue;
                }
                Err(_) => continue,
            };
            match FieldDefinition::new(
                p.key.0,
                p.label,
                p.field_type.0,
                p.required.0,
                p.options.0,
                n as u32 + 1,
            ) {
                Ok(def) => defs.push(def),
                Err(pet_core::DomainError::Validation(e)) => named(errors, e),
                Err(e) => errors.add(prefix.clone(), e.to_string()),
            }
        }
        (errors.iter().count() == before).then_some(SchemaFields(defs))
    }
}

command_input! {
    /// A lead schema publication: `{fields: [{key, label, type, required?, options?}]}`.
    pub struct PublishSchemaInput {
        fields: SchemaFields,
    }
}

/// A row of the lead list.
#[derive(Debug, Serialize)]
struct LeadListItem {
    id: String,
    customer_id: Option<String>,
    company_name: String,
    source: String,
    owner_id: String,
    owner_name: Option<String>,
    status: String,
    schema_version: Option<u32>,
    version: u64,
    created_at: String,
}

/// The lead list's status filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeadStatusFilter(pub LeadStatus);

impl Field for LeadStatusFilter {
    fn read(field: &str, v: &Value) -> Result<Self, String> {
        let s = String::read(field, v)?;
        LeadStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .map(LeadStatusFilter)
            .ok_or_else(|| "must be new, contacted, qualified, disqualified or archived".into())
    }
}

command_input! {
    /// Query of the lead list (an empty filter is no filter).
    pub struct LeadQuery {
        /// Text in the company name or the source.
        search: OrBlankText<String>,
        /// A status.
        status: OrBlank<LeadStatusFilter>,
        /// An owner.
        owner_id: Option<Uuid>,
        /// A source.
        source: OrBlankText<String>,
        /// `page`, `per_page`, `after`, `before`.
        paging: crate::fields::Paging,
    }
}
