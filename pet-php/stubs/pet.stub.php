<?php
/**
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
 */

namespace Pet;

/** Base of every exception the extension throws. */
class Exception extends \Exception {}

/** Malformed input: wrong type, missing field, bad format. */
class ValidationException extends Exception
{
    /** @return array<string,string> field name => message */
    public function getFieldErrors(): array {}
}

/** Well-formed input that would break a business rule (e.g. a team cycle). */
class InvariantViolationException extends Exception {}

/** A referenced entity does not exist. */
class NotFoundException extends Exception {}

/** Stale version, concurrent change, or idempotency key reused with other input. */
class ConflictException extends Exception {}

/** The database failed or is unreachable. */
class StorageException extends Exception {}

/** Migrations failed, the ledger is dirty, or an applied migration was altered. */
class MigrationException extends Exception {}

final class Engine
{
    /**
     * @param array{host?:string,port?:int,socket?:string,user?:string,password?:string,
     *              database?:string,prefix?:string,pool_max?:int} $settings
     *        prefix is the WordPress table prefix (default 'wp_'); tables are {prefix}pet_*.
     */
    public function __construct(array $settings) {}

    /**
     * Applies pending migrations, then checks the events table's triggers (append-only
     * guards, chain) and re-creates any that are missing (e.g. after a copy without
     * triggers). @return array{applied:list<string>,current:?string,repaired_triggers:bool}
     */
    public function migrate(): array {}

    /**
     * The name of the newest migration this build of the extension ships (e.g.
     * '0007_activity_feed_lines.sql'), without touching the database: compare it with the one last
     * applied to know that an upgrade needs `migrate()`.
     */
    public static function shippedMigration(): string {}

    /** @return array{applied:list<array{version:string,name:string,checksum:string,success:bool,applied_at:string}>,pending:list<string>,dirty:bool} */
    public function migrationStatus(): array {}

    /** @return array{ok:bool,checks:array<string,array{ok:bool,message:string}>} */
    public function health(): array {}

    // ---- Employees ------------------------------------------------------------------

    /**
     * @param array{name:string,email:string,wp_user_id?:?int,
     *              cost_rate?:array{amount_minor:int,currency:string,effective_from:string},
     *              bill_rate?:array{amount_minor:int,currency:string,effective_from:string}} $input
     * @return array employee (see getEmployee)
     */
    public function createEmployee(array $input, array $context): array {}

    /** @return array employee */
    public function deactivateEmployee(string $employeeId, array $context): array {}

    /** @return array employee */
    public function reactivateEmployee(string $employeeId, array $context): array {}

    /**
     * @param array{kind:'cost'|'bill',amount_minor:int,currency:string,effective_from:string} $input
     * @return array employee
     */
    public function changeEmployeeRate(string $employeeId, array $input, array $context): array {}

    /** Links (or with null unlinks) a WordPress user. @return array employee */
    public function linkEmployeeUser(string $employeeId, ?int $wpUserId, array $context): array {}

    /**
     * @return array{id:string,name:string,email:string,wp_user_id:?int,status:'active'|'inactive',
     *   version:int,created_at:string,
     *   rates:list<array{kind:'cost'|'bill',amount_minor:int,currency:string,effective_from:string}>,
     *   current_cost_rate:?array,current_bill_rate:?array}
     */
    public function getEmployee(string $employeeId): array {}

    /** @return ?array employee linked to this WordPress user, or null */
    public function findEmployeeByUser(int $wpUserId): ?array {}

    /** @param array{search?:string,status?:'active'|'inactive',page?:int,per_page?:int} $query */
    public function listEmployees(array $query = []): array {}

    // ---- Teams ----------------------------------------------------------------------

    /** @param array{name:string,parent_id?:?string} $input @return array team */
    public function createTeam(array $input, array $context): array {}

    /** Moves a team under another parent (null = top level); cycles are refused. */
    public function moveTeam(string $teamId, ?string $parentId, array $context): array {}

    /** @return array team */
    public function archiveTeam(string $teamId, array $context): array {}

    /**
     * @return array{id:string,name:string,parent_id:?string,status:'active'|'archived',version:int,
     *   members:list<array{id:string,employee_id:string,employee_name:string,role:'member'|'lead',
     *   valid_from:string,valid_to:?string}>}
     */
    public function getTeam(string $teamId): array {}

    /** Teams in hierarchy order, each with 'depth'. @param array{status?:string} $query */
    public function listTeams(array $query = []): array {}

    /** @param array{employee_id:string,role:'member'|'lead',valid_from:string,valid_to?:?string} $input @return array team */
    public function addTeamMember(string $teamId, array $input, array $context): array {}

    /** Ends a membership. @param array{valid_to?:string} $input @return array team */
    public function removeTeamMember(string $teamId, string $membershipId, array $input, array $context): array {}

    // ---- Org structure --------------------------------------------------------------

    /**
     * Snapshots the current teams and memberships as a new numbered version effective at
     * 'effective_at' (RFC 3339). A future date schedules it; the job runner publishes it then.
     * @param array{effective_at:string,note?:string} $input
     * @return array{number:int,status:'scheduled'|'published',effective_at:string,note:string}
     */
    public function publishOrgStructure(array $input, array $context): array {}

    public function listOrgStructureVersions(array $query = []): array {}

    // ---- Customers ------------------------------------------------------------------

    /** @param array{name:string} $input @return array customer */
    public function createCustomer(array $input, array $context): array {}

    /** @return array customer */
    public function archiveCustomer(string $customerId, array $context): array {}

    /** @param array{name:string,email?:?string,phone?:?string} $input @return array customer */
    public function addContact(string $customerId, array $input, array $context): array {}

    /** @return array{id:string,name:string,status:'active'|'archived',version:int,contacts:list<array{id:string,name:string,email:?string,phone:?string}>} */
    public function getCustomer(string $customerId): array {}

    /** @param array{search?:string,status?:string,page?:int,per_page?:int} $query */
    public function listCustomers(array $query = []): array {}

    // ---- Pickers (ids and names in one query, for select boxes) ---------------------

    /**
     * @param array{status?:'active'|'inactive'} $query
     * @return array{items:list<array{id:string,name:string,status:string}>,total:int} every match, by name
     */
    public function employeeNames(array $query = []): array {}

    /**
     * @param array{status?:'active'|'archived'} $query
     * @return array{items:list<array{id:string,name:string,status:string}>,total:int} every match, by name
     */
    public function customerNames(array $query = []): array {}

    // ---- Activity -------------------------------------------------------------------

    /**
     * The activity feed, newest first. Commands do not write the feed: this read first
     * projects up to 10,000 recorded events that are not in it yet (the job runner does the
     * rest); `pending` is how many were still missing when it answered.
     * @param array{context_type?:string,context_id?:string,actor_id?:string,from?:string,to?:string,page?:int,per_page?:int} $query
     *        from/to are dates (inclusive) or RFC 3339 timestamps.
     * @return array{items:list<array{sequence:int,event_type:string,occurred_at:string,actor_id:?string,
     *   actor_name:?string,context_type:string,context_id:string,line:string}>,total:int,page:int,per_page:int,pending:int}
     */
    public function activity(array $query = []): array {}

    // ---- Jobs -----------------------------------------------------------------------

    /**
     * Runs due jobs (projection catch-up, scheduled org-structure publication, …) under a lock.
     * @param array{max_jobs?:int,max_seconds?:int} $options
     * @return array{claimed:int,succeeded:int,failed:int,dead:int,skipped_locked:bool}
     */
    public function runJobs(array $options = []): array {}

    /** @param array{status?:'pending'|'running'|'failed'|'dead'|'done',page?:int,per_page?:int} $query */
    public function listJobs(array $query = []): array {}

    /** Moves a dead-lettered job back to pending. @return array job */
    public function retryJob(string $jobId, array $context): array {}
}
