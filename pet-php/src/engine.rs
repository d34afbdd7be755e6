//! `Pet\Engine`: settings, migrations, health, identity (employees, teams, org structure,
//! customers), activity and jobs. Declared once in the table below, from which
//! [`php_class!`](crate::api) generates the wrappers and the stub `pet.stub.php`.
// PHP parameter names (`$employeeId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers (also in the code it generates outside the impl block), so
// the table spells parameters in camelCase.
#![allow(non_snake_case)]

use crate::backend;

/// The name of the newest migration this build ships (no database access).
fn newest_shipped_migration() -> String {
    backend::shipped_migrations()
        .last()
        .map(|m| m.name().to_owned())
        .unwrap_or_default()
}

crate::api::php_class! {
    /// A PET installation seen from PHP: connection settings plus the shared application.
    class Engine = "Pet\\Engine";
    stub "pet.stub.php" = r"/**
 * IDE stubs for the PET extension (pet-php). Generated from the `php_class!` declarations in
 * pet-php/src/{engine,sales,helpdesk}.rs (`PET_UPDATE_STUBS=1 cargo test -p pet-php`) and checked
 * against the loaded extension by tests/php (a test fails when this file and the extension differ).
 *
 * Conventions for every method:
 * - Ids are UUID strings; dates are 'YYYY-MM-DD'; timestamps are RFC 3339 UTC strings.
 * - Money is ['amount_minor' => int, 'currency' => 'EUR'] (ISO 4217, integer minor units).
 * - Commands take `array $context`: ['actor_id' => ?string (employee id; null only for
 *   system commands such as cron), 'idempotency_key' => ?string]. A command replayed with
 *   the same idempotency key returns the first result; the same key with different input
 *   throws ConflictException.
 * - Lists return ['items' => list<array>, 'total' => int, 'page' => int, 'per_page' => int].
 * - Every failure is a \Pet\Exception subclass; a rejected command wrote nothing.
 *
 * @phpcs:ignoreFile
 */";

    /// @param array{host?:string,port?:int,socket?:string,user?:string,password?:string,
    ///              database?:string,prefix?:string,pool_max?:int} $settings
    ///        prefix is the WordPress table prefix (default 'wp_'); tables are {prefix}pet_*.
    fn __construct(settings: array);

    /// Applies pending migrations, then checks the events table's triggers (append-only
    /// guards, chain) and re-creates any that are missing (e.g. after a copy without
    /// triggers). @return array{applied:list<string>,current:?string,repaired_triggers:bool}
    fn migrate() -> array;

    /// The name of the newest migration this build of the extension ships (e.g.
    /// '0007_activity_feed_lines.sql'), without touching the database: compare it with the one last
    /// applied to know that an upgrade needs `migrate()`.
    static fn shipped_migration() -> string = newest_shipped_migration;

    /// @return array{applied:list<array{version:string,name:string,checksum:string,success:bool,applied_at:string}>,pending:list<string>,dirty:bool}
    fn migration_status() -> array;

    /// @return array{ok:bool,checks:array<string,array{ok:bool,message:string}>}
    fn health() -> array;

    section "Employees";

    /// @param array{name:string,email:string,wp_user_id?:?int,
    ///              cost_rate?:array{amount_minor:int,currency:string,effective_from:string},
    ///              bill_rate?:array{amount_minor:int,currency:string,effective_from:string}} $input
    /// @return array employee (see getEmployee)
    fn create_employee(input: array, context: context) -> array;

    /// @return array employee
    fn deactivate_employee(employeeId: string("employee_id"), context: context) -> array;

    /// @return array employee
    fn reactivate_employee(employeeId: string("employee_id"), context: context) -> array;

    /// @param array{kind:'cost'|'bill',amount_minor:int,currency:string,effective_from:string} $input
    /// @return array employee
    fn change_employee_rate(
        employeeId: string("employee_id"),
        input: array,
        context: context
    ) -> array;

    /// Links (or with null unlinks) a WordPress user. @return array employee
    fn link_employee_user(
        employeeId: string("employee_id"),
        wpUserId: ?int,
        context: context
    ) -> array;

    /// @return array{id:string,name:string,email:string,wp_user_id:?int,status:'active'|'inactive',
    ///   version:int,created_at:string,
    ///   rates:list<array{kind:'cost'|'bill',amount_minor:int,currency:string,effective_from:string}>,
    ///   current_cost_rate:?array,current_bill_rate:?array}
    fn get_employee(employeeId: string("employee_id")) -> array;

    /// @return ?array employee linked to this WordPress user, or null
    fn find_employee_by_user(wpUserId: int) -> ?array;

    /// @param array{search?:string,status?:'active'|'inactive',page?:int,per_page?:int} $query
    fn list_employees(query: array = []) -> array;

    section "Teams";

    /// @param array{name:string,parent_id?:?string} $input @return array team
    fn create_team(input: array, context: context) -> array;

    /// Moves a team under another parent (null = top level); cycles are refused.
    fn move_team(
        teamId: string("team_id"),
        parentId: ?string("parent_id"),
        context: context
    ) -> array;

    /// @return array team
    fn archive_team(teamId: string("team_id"), context: context) -> array;

    /// @return array{id:string,name:string,parent_id:?string,status:'active'|'archived',version:int,
    ///   members:list<array{id:string,employee_id:string,employee_name:string,role:'member'|'lead',
    ///   valid_from:string,valid_to:?string}>}
    fn get_team(teamId: string("team_id")) -> array;

    /// Teams in hierarchy order, each with 'depth'. @param array{status?:string} $query
    fn list_teams(query: array = []) -> array;

    /// @param array{employee_id:string,role:'member'|'lead',valid_from:string,valid_to?:?string} $input @return array team
    fn add_team_member(teamId: string("team_id"), input: array, context: context) -> array;

    /// Ends a membership. @param array{valid_to?:string} $input @return array team
    fn remove_team_member(
        teamId: string("team_id"),
        membershipId: string("membership_id"),
        input: array,
        context: context
    ) -> array;

    section "Org structure";

    /// Snapshots the current teams and memberships as a new numbered version effective at
    /// 'effective_at' (RFC 3339). A future date schedules it; the job runner publishes it then.
    /// @param array{effective_at:string,note?:string} $input
    /// @return array{number:int,status:'scheduled'|'published',effective_at:string,note:string}
    fn publish_org_structure(input: array, context: context) -> array;

    fn list_org_structure_versions(query: array = []) -> array;

    section "Customers";

    /// @param array{name:string} $input @return array customer
    fn create_customer(input: array, context: context) -> array;

    /// @return array customer
    fn archive_customer(customerId: string("customer_id"), context: context) -> array;

    /// @param array{name:string,email?:?string,phone?:?string} $input @return array customer
    fn add_contact(customerId: string("customer_id"), input: array, context: context) -> array;

    /// @return array{id:string,name:string,status:'active'|'archived',version:int,contacts:list<array{id:string,name:string,email:?string,phone:?string}>}
    fn get_customer(customerId: string("customer_id")) -> array;

    /// @param array{search?:string,status?:string,page?:int,per_page?:int} $query
    fn list_customers(query: array = []) -> array;

    section "Pickers (ids and names in one query, for select boxes)";

    /// @param array{status?:'active'|'inactive'} $query
    /// @return array{items:list<array{id:string,name:string,status:string}>,total:int} every match, by name
    fn employee_names(query: array = []) -> array;

    /// @param array{status?:'active'|'archived'} $query
    /// @return array{items:list<array{id:string,name:string,status:string}>,total:int} every match, by name
    fn customer_names(query: array = []) -> array;

    section "Activity";

    /// The activity feed, newest first. Commands do not write the feed: this read first
    /// projects up to 10,000 recorded events that are not in it yet (the job runner does the
    /// rest); `pending` is how many were still missing when it answered.
    /// @param array{context_type?:string,context_id?:string,actor_id?:string,from?:string,to?:string,page?:int,per_page?:int} $query
    ///        from/to are dates (inclusive) or RFC 3339 timestamps.
    /// @return array{items:list<array{sequence:int,event_type:string,occurred_at:string,actor_id:?string,
    ///   actor_name:?string,context_type:string,context_id:string,line:string}>,total:int,page:int,per_page:int,pending:int}
    fn activity(query: array = []) -> array;

    section "Jobs";

    /// Runs due jobs (projection catch-up, scheduled org-structure publication, …) under a lock.
    /// @param array{max_jobs?:int,max_seconds?:int} $options
    /// @return array{claimed:int,succeeded:int,failed:int,dead:int,skipped_locked:bool}
    fn run_jobs(options: array = []) -> array;

    /// @param array{status?:'pending'|'running'|'failed'|'dead'|'done',page?:int,per_page?:int} $query
    fn list_jobs(query: array = []) -> array;

    /// Moves a dead-lettered job back to pending. @return array job
    fn retry_job(jobId: string("job_id"), context: context) -> array;
}
