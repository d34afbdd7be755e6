//! `Pet\Engine`: one PHP method per application call, each converting its arguments,
//! running the call on the process runtime and converting the result or error back.
// PHP parameter names (`$employeeId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers, so parameters are spelled in camelCase here.
#![allow(non_snake_case)]

use std::{
    future::Future,
    panic::{catch_unwind, AssertUnwindSafe},
};

use ext_php_rs::{
    binary_slice::BinarySlice, boxed::ZBox, flags::ClassFlags, prelude::*, types::ZendHashTable,
};
use serde_json::Value;

use crate::backend::{self, App, CommandContext};
use crate::convert::{array_to_json_object, json_to_table, string_arg, ArrayArg};
use crate::exceptions::PetError;
use crate::runtime;

/// Runs `body` with panics caught and errors converted to the matching PHP exception.
pub(crate) fn guard<T>(body: impl FnOnce() -> Result<T, PetError>) -> PhpResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result.map_err(PhpException::from),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(PetError::Internal(what).into())
        }
    }
}

/// Converts a command's context array (`actor_id`, `idempotency_key`).
pub(crate) fn context(ctx: &ZendHashTable) -> Result<CommandContext, PetError> {
    let value = array_to_json_object(ctx, "context")?;
    Ok(CommandContext::from_json(&value)?)
}

/// A PET installation seen from PHP: connection settings plus the shared application.
#[php_class]
#[php(name = "Pet\\Engine")]
#[php(flags = ClassFlags::Final)]
pub struct Engine {
    app: App,
}

/// Runs one application call on the process runtime and converts its JSON result to a PHP
/// array. Shared by every PHP class of the extension.
pub(crate) fn run_call<F, Fut>(app: &App, call: F) -> Result<ZBox<ZendHashTable>, PetError>
where
    F: FnOnce(App) -> Fut,
    Fut: Future<Output = Result<Value, backend::AppError>>,
{
    let value = runtime::block_on(call(app.clone()))??;
    json_to_table(&value)
}

impl Engine {
    /// Runs one application call and converts its JSON result to a PHP array.
    fn run<F, Fut>(&self, call: F) -> Result<ZBox<ZendHashTable>, PetError>
    where
        F: FnOnce(App) -> Fut,
        Fut: Future<Output = Result<Value, backend::AppError>>,
    {
        run_call(&self.app, call)
    }
}

#[php_impl]
#[php(change_method_case = "camelCase")]
impl Engine {
    /// Builds an engine from connection settings (see the stub for the keys).
    pub fn __construct(settings: &ZendHashTable) -> PhpResult<Self> {
        guard(|| {
            let settings = array_to_json_object(settings, "settings")?;
            Ok(Self {
                app: runtime::app_for(&settings)?,
            })
        })
    }

    /// Applies pending migrations.
    pub fn migrate(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| self.run(|app| async move { app.migrate().await }))
    }

    /// The name of the newest migration this build ships (no database access): the plugin
    /// runs `migrate()` whenever it differs from the one it last applied (upgrades).
    pub fn shipped_migration() -> String {
        backend::shipped_migrations()
            .last()
            .map(|m| m.name().to_owned())
            .unwrap_or_default()
    }

    /// The migration ledger and pending migrations.
    pub fn migration_status(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| self.run(|app| async move { app.migration_status().await }))
    }

    /// Health checks (database reachable, append-only guard present, …).
    pub fn health(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| self.run(|app| async move { app.health().await }))
    }

    /// Creates an employee.
    pub fn create_employee(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.create_employee(&input, &ctx).await })
        })
    }

    /// Deactivates an employee.
    pub fn deactivate_employee(
        &self,
        employeeId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("employee_id", &employeeId)?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.deactivate_employee(&id, &ctx).await })
        })
    }

    /// Reactivates an employee.
    pub fn reactivate_employee(
        &self,
        employeeId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("employee_id", &employeeId)?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.reactivate_employee(&id, &ctx).await })
        })
    }

    /// Records a new effective-dated cost or bill rate.
    pub fn change_employee_rate(
        &self,
        employeeId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("employee_id", &employeeId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.change_employee_rate(&id, &input, &ctx).await })
        })
    }

    /// Links (or with null unlinks) a WordPress user.
    pub fn link_employee_user(
        &self,
        employeeId: BinarySlice<'_, u8>,
        wpUserId: Option<i64>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("employee_id", &employeeId)?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.link_employee_user(&id, wpUserId, &ctx).await })
        })
    }

    /// One employee.
    pub fn get_employee(&self, employeeId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("employee_id", &employeeId)?;
            self.run(|app| async move { app.get_employee(&id).await })
        })
    }

    /// The employee linked to a WordPress user, or null.
    pub fn find_employee_by_user(&self, wpUserId: i64) -> PhpResult<Option<ZBox<ZendHashTable>>> {
        guard(|| {
            let value =
                runtime::block_on(async { self.app.find_employee_by_user(wpUserId).await })??;
            if value.is_null() {
                Ok(None)
            } else {
                json_to_table(&value).map(Some)
            }
        })
    }

    /// Lists employees (search, status, paging).
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_employees(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.list_employees(&query).await })
        })
    }

    /// Creates a team.
    pub fn create_team(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.create_team(&input, &ctx).await })
        })
    }

    /// Moves a team under another parent (null = top level).
    pub fn move_team(
        &self,
        teamId: BinarySlice<'_, u8>,
        parentId: Option<BinarySlice<'_, u8>>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("team_id", &teamId)?;
            let parent = parentId
                .as_ref()
                .map(|p| string_arg("parent_id", p))
                .transpose()?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.move_team(&id, parent.as_deref(), &ctx).await })
        })
    }

    /// Archives a team.
    pub fn archive_team(
        &self,
        teamId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("team_id", &teamId)?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.archive_team(&id, &ctx).await })
        })
    }

    /// One team with its members.
    pub fn get_team(&self, teamId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("team_id", &teamId)?;
            self.run(|app| async move { app.get_team(&id).await })
        })
    }

    /// Teams in hierarchy order.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_teams(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.list_teams(&query).await })
        })
    }

    /// Adds a member to a team.
    pub fn add_team_member(
        &self,
        teamId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("team_id", &teamId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.add_team_member(&id, &input, &ctx).await })
        })
    }

    /// Ends a membership.
    pub fn remove_team_member(
        &self,
        teamId: BinarySlice<'_, u8>,
        membershipId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("team_id", &teamId)?;
            let mid = string_arg("membership_id", &membershipId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.remove_team_member(&id, &mid, &input, &ctx).await })
        })
    }

    /// Publishes (or schedules) an org-structure version.
    pub fn publish_org_structure(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.publish_org_structure(&input, &ctx).await })
        })
    }

    /// Lists org-structure versions.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_org_structure_versions(
        &self,
        query: ArrayArg<'_>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.list_org_structure_versions(&query).await })
        })
    }

    /// Creates a customer.
    pub fn create_customer(
        &self,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.create_customer(&input, &ctx).await })
        })
    }

    /// Archives a customer.
    pub fn archive_customer(
        &self,
        customerId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("customer_id", &customerId)?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.archive_customer(&id, &ctx).await })
        })
    }

    /// Adds a contact to a customer.
    pub fn add_contact(
        &self,
        customerId: BinarySlice<'_, u8>,
        input: &ZendHashTable,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("customer_id", &customerId)?;
            let input = array_to_json_object(input, "input")?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.add_contact(&id, &input, &ctx).await })
        })
    }

    /// One customer with its contacts.
    pub fn get_customer(&self, customerId: BinarySlice<'_, u8>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("customer_id", &customerId)?;
            self.run(|app| async move { app.get_customer(&id).await })
        })
    }

    /// Lists customers.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_customers(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.list_customers(&query).await })
        })
    }

    /// Employee ids and names for pickers (one query, name order): `{status?}`.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn employee_names(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.employee_names(&query).await })
        })
    }

    /// Customer ids and names for pickers (one query, name order): `{status?}`.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn customer_names(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.customer_names(&query).await })
        })
    }

    /// The activity feed, newest first.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn activity(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.activity(&query).await })
        })
    }

    /// Runs due jobs under a lock.
    #[php(defaults(options = ArrayArg::Empty))]
    pub fn run_jobs(&self, options: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let options = options.to_json("options")?;
            self.run(|app| async move { app.run_jobs(&options).await })
        })
    }

    /// Lists jobs.
    #[php(defaults(query = ArrayArg::Empty))]
    pub fn list_jobs(&self, query: ArrayArg<'_>) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let query = query.to_json("query")?;
            self.run(|app| async move { app.list_jobs(&query).await })
        })
    }

    /// Moves a dead-lettered job back to pending.
    pub fn retry_job(
        &self,
        jobId: BinarySlice<'_, u8>,
        context: &ZendHashTable,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let id = string_arg("job_id", &jobId)?;
            let ctx = self::context(context)?;
            self.run(|app| async move { app.retry_job(&id, &ctx).await })
        })
    }
}
