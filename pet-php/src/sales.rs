//! `Pet\Sales`: Leads, lead schemas, opportunities, quotes and sales (issue: commercial pipeline).
//!
//! Same conventions as `Pet\Engine` (see `engine.rs`): each method converts its PHP
//! arguments, runs one `App` call under [`guard`] and converts the result or error back.
// PHP parameter names (`$leadId`) are part of the stub contract and ext-php-rs takes them
// from the Rust identifiers, so parameters are spelled in camelCase here.
#![allow(non_snake_case)]

use ext_php_rs::{
    binary_slice::BinarySlice, boxed::ZBox, flags::ClassFlags, prelude::*, types::ZendHashTable,
};

use crate::backend::App;
use crate::convert::{array_to_json_object, json_to_table, string_arg, ArrayArg};
use crate::engine::{context, guard, run_call};
use crate::runtime;

/// The sales API, built from the same connection settings as `Pet\Engine` (and sharing
/// its connection pool).
#[php_class]
#[php(name = "Pet\\Sales")]
#[php(flags = ClassFlags::Final)]
pub struct Sales {
    app: App,
}

#[php_impl]
#[php(change_method_case = "camelCase")]
impl Sales {
    /// Builds the API from connection settings (the keys of `Pet\Engine::__construct`).
    pub fn __construct(settings: &ZendHashTable) -> PhpResult<Self> {
        guard(|| {
            let settings = array_to_json_object(settings, "settings")?;
            Ok(Self {
                app: runtime::app_for(&settings)?,
            })
        })
    }

    /// Publishes the next lead schema version.
    pub fn publish_lead_schema(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.publish_lead_schema(&input, &ctx).await
            })
        })
    }

    /// One lead schema version (null number: the latest); null when none is published.
    pub fn get_lead_schema(&self, number: Option<i64>) -> PhpResult<Option<ZBox<ZendHashTable>>> {
        guard(|| {
            let value = runtime::block_on(async { self.app.get_lead_schema(number).await })??;
            if value.is_null() {
                Ok(None)
            } else {
                json_to_table(&value).map(Some)
            }
        })
    }

    /// Every published lead schema version, newest first.
    pub fn list_lead_schema_versions(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            run_call(&self.app, |app| async move {
                app.list_lead_schema_versions().await
            })
        })
    }

    /// Captures a lead with the latest schema version.
    pub fn create_lead(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.create_lead(&input, &ctx).await
            })
        })
    }

    /// Changes a lead (custom fields checked by its own schema version).
    pub fn update_lead(
        &self,
        leadId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("lead_id", &leadId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.update_lead(&id, &input, &ctx).await
            })
        })
    }

    /// Marks a new lead contacted.
    pub fn contact_lead(
        &self,
        leadId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("lead_id", &leadId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.contact_lead(&id, &input, &ctx).await
            })
        })
    }

    /// Qualifies a contacted lead with evidence.
    pub fn qualify_lead(
        &self,
        leadId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("lead_id", &leadId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.qualify_lead(&id, &input, &ctx).await
            })
        })
    }

    /// Disqualifies a lead with a reason.
    pub fn disqualify_lead(
        &self,
        leadId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("lead_id", &leadId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.disqualify_lead(&id, &input, &ctx).await
            })
        })
    }

    /// Archives a qualified or disqualified lead.
    pub fn archive_lead(
        &self,
        leadId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("lead_id", &leadId)?;
            let ctx = self::context(context)?;
            run_call(
                &self.app,
                |app| async move { app.archive_lead(&id, &ctx).await },
            )
        })
    }

    /// One lead, custom fields rendered by its own schema version.
    pub fn get_lead(&self, leadId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("lead_id", &leadId)?;
            run_call(&self.app, |app| async move { app.get_lead(&id).await })
        })
    }

    /// Lists leads (search, status, owner, source, paging).
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_leads(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            run_call(&self.app, |app| async move { app.list_leads(&query).await })
        })
    }

    /// Distinct lead sources.
    pub fn list_lead_sources(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            run_call(
                &self.app,
                |app| async move { app.list_lead_sources().await },
            )
        })
    }

    /// Opens an opportunity from a qualified lead.
    pub fn create_opportunity(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.create_opportunity(&input, &ctx).await
            })
        })
    }

    /// Classifies an opportunity.
    pub fn classify_opportunity(
        &self,
        opportunityId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("opportunity_id", &opportunityId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.classify_opportunity(&id, &input, &ctx).await
            })
        })
    }

    /// Marks an opportunity lost with a reason.
    pub fn lose_opportunity(
        &self,
        opportunityId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("opportunity_id", &opportunityId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.lose_opportunity(&id, &input, &ctx).await
            })
        })
    }

    /// One opportunity.
    pub fn get_opportunity(
        &self,
        opportunityId: BinarySlice<'_, u8>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("opportunity_id", &opportunityId)?;
            run_call(
                &self.app,
                |app| async move { app.get_opportunity(&id).await },
            )
        })
    }

    /// Lists opportunities (status, owner, customer, lead, search, paging).
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_opportunities(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            run_call(&self.app, |app| async move {
                app.list_opportunities(&query).await
            })
        })
    }

    /// The pipeline by stage: counts and expected value per currency.
    pub fn opportunity_pipeline(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            run_call(
                &self.app,
                |app| async move { app.opportunity_pipeline().await },
            )
        })
    }

    /// Creates a quote (empty draft version 1) for an opportunity.
    pub fn create_quote(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.create_quote(&input, &ctx).await
            })
        })
    }

    /// Saves the draft version's whole content (groups and lines).
    pub fn save_quote_draft(
        &self,
        quoteId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.save_quote_draft(&id, &input, &ctx).await
            })
        })
    }

    /// Drafts the next version as a copy of the latest.
    pub fn draft_quote_version(
        &self,
        quoteId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.draft_quote_version(&id, &ctx).await
            })
        })
    }

    /// Sends the draft version (supersedes the version sent before).
    pub fn send_quote(
        &self,
        quoteId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.send_quote(&id, &input, &ctx).await
            })
        })
    }

    /// Records acceptance of a version and its sale, in one transaction.
    pub fn accept_quote(
        &self,
        quoteId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.accept_quote(&id, &input, &ctx).await
            })
        })
    }

    /// Records rejection of a version.
    pub fn reject_quote(
        &self,
        quoteId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            run_call(&self.app, |app| async move {
                app.reject_quote(&id, &input, &ctx).await
            })
        })
    }

    /// One quote with every version's summary.
    pub fn get_quote(&self, quoteId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            run_call(&self.app, |app| async move { app.get_quote(&id).await })
        })
    }

    /// One version with groups, lines and totals (null number: the latest).
    pub fn get_quote_version(
        &self,
        quoteId: BinarySlice<'_, u8>,
        number: Option<i64>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            run_call(&self.app, |app| async move {
                app.get_quote_version(&id, number).await
            })
        })
    }

    /// Compares two versions of a quote.
    pub fn diff_quote_versions(
        &self,
        quoteId: BinarySlice<'_, u8>,
        from: i64,
        to: i64,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("quote_id", &quoteId)?;
            run_call(&self.app, |app| async move {
                app.diff_quote_versions(&id, from, to).await
            })
        })
    }

    /// Lists quotes (search, status, customer, opportunity, paging).
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_quotes(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            run_call(
                &self.app,
                |app| async move { app.list_quotes(&query).await },
            )
        })
    }

    /// One sale.
    pub fn get_sale(&self, saleId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("sale_id", &saleId)?;
            run_call(&self.app, |app| async move { app.get_sale(&id).await })
        })
    }

    /// Expires every sent version past its validity (the expiry job's safety net).
    pub fn expire_due_quotes(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            run_call(
                &self.app,
                |app| async move { app.expire_due_quotes().await },
            )
        })
    }
}
