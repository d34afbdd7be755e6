//! `Pet\Engine`: settings, migrations, health, activity and jobs. Declared once in the table below, from which
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

/// `Pet\Engine::accessAreas()`: pet-core's map of areas of access to their context types.
async fn access_areas(
    _app: &crate::backend::App,
) -> Result<serde_json::Value, crate::backend::AppError> {
    use pet_core::module::Area;
    Ok(serde_json::Value::Object(
        Area::ALL
            .into_iter()
            .map(|a| {
                let types: Vec<serde_json::Value> =
                    a.context_types().map(|c| c.as_str().into()).collect();
                (a.as_str().to_owned(), serde_json::Value::Array(types))
            })
            .collect(),
    ))
}

/// Where reads stand: the newest commit position this process knows, whether reads may go
/// to replicas, and how they were served.
async fn read_position(app: &backend::App) -> Result<serde_json::Value, backend::AppError> {
    Ok(serde_json::json!({
        "gtid": app.last_gtid(),
        "replicas": app.has_replicas(),
        "reads": app.read_stats(),
    }))
}

/// `migrate()` with its options.
async fn migrate_with(
    app: &backend::App,
    options: &serde_json::Value,
) -> Result<serde_json::Value, backend::AppError> {
    app.migrate_with(options).await
}

/// Makes the next reads wait for a position an earlier request's commands returned.
async fn read_after(
    app: &backend::App,
    gtid: &str,
) -> Result<serde_json::Value, backend::AppError> {
    app.read_after(gtid)?;
    read_position(app).await
}

/// What this class's methods call (see `crate::api`).
type Service<'a> = &'a crate::backend::App;

crate::api::php_class! {
    /// A PET installation seen from PHP: connection settings plus the shared application.
    class Engine = "Pet\\Engine";
    stub "pet.stub.php" = r"/**
 * IDE stubs for the PET extension (pet-php). Generated from the `php_class!` declarations in
 * pet-php/src/{engine,identity,sales,helpdesk,knowledge}.rs (`PET_UPDATE_STUBS=1 cargo test -p pet-php`) and checked
 * against the loaded extension by tests/php (a test fails when this file and the extension differ).
 *
 * Conventions for every method:
 * - Ids are UUID strings; dates are 'YYYY-MM-DD'; timestamps are RFC 3339 UTC strings.
 * - Money comes back as ['amount_minor' => int, 'currency' => 'EUR', 'minor_digits' => int,
 *   'amount' => '12.50', 'formatted' => 'EUR 12.50'] (ISO 4217; integer minor units; the
 *   currency's digits: 0 for JPY, 3 for KWD). Money input is ['amount' => '12.50' (decimal
 *   text in the currency's digits) or 'amount_minor' => 1250, 'currency' => 'EUR'].
 * - Views carry `actions` (what may be done now) where a screen offers actions.
 * - Commands take `array $context`: ['actor_id' => ?string (employee id; null only for
 *   system commands such as cron), 'idempotency_key' => ?string, 'manages_time' => ?bool
 *   (the actor may manage other employees' time: approve, send back, adjust, act on their
 *   behalf; default false)]. A command replayed with
 *   the same idempotency key returns the first result; the same key with different input
 *   throws ConflictException.
 * - Lists return ['items' => list<array>, 'total' => int, 'page' => int, 'per_page' => int].
 * - Every failure is a \Pet\Exception subclass; a rejected command wrote nothing.
 *
 * @phpcs:ignoreFile
 */";

    /// @param array{host?:string,port?:int,socket?:string,user?:string,password?:string,
    ///              database?:string,prefix?:string,pool_max?:int,replicas?:list<string>,read_wait_ms?:int,
    ///              privacy_key?:string,previous_privacy_key?:string} $settings
    ///        prefix is the WordPress table prefix (default 'wp_'); tables are {prefix}pet_*.
    ///        host/port/socket is the primary (every write); replicas ('host', 'host:port' or a
    ///        socket path; MariaDB GTID replication) serve views, each read first waiting up to
    ///        read_wait_ms (default 500) for the replica to apply this process's writes, else
    ///        reading the primary. privacy_key (at least 32 characters, kept outside the
    ///        database) wraps each person's data key; without it data keys are stored unwrapped.
    ///        previous_privacy_key (while a rotation runs, see rotatePrivacyKey()) is the
    ///        key privacy_key replaces: data keys wrapped with it still open.
    fn __construct(settings: array);

    section "Migrations and health";

    /// Applies pending migrations, then checks the events table's triggers (append-only
    /// guards, chain) and re-creates any that are missing (e.g. after a copy without
    /// triggers). One migrator at a time on the whole cluster (a lease row): another one
    /// waits up to `wait_seconds` (default 60; 0 for a web request) and then throws
    /// MigrationException. With nothing pending it only reads the ledger (no lock, no DDL).
    /// @param array{wait_seconds?:int} $options
    /// @return array{applied:list<string>,current:?string,repaired_triggers:bool}
    fn migrate(options: array = []) -> array = migrate_with;

    /// The name of the newest migration this build of the extension ships (e.g.
    /// '0007_activity_feed_lines.sql'), without touching the database: compare it with the one last
    /// applied to know that an upgrade needs `migrate()`.
    static fn shipped_migration() -> string = newest_shipped_migration;

    /// @return array{applied:list<array{version:string,name:string,checksum:string,success:bool,applied_at:string}>,pending:list<string>,dirty:bool}
    fn migration_status() -> array;

    /// @return array{ok:bool,checks:array<string,array{ok:bool,message:string}>}
    fn health() -> array;

    section "Replicas";

    /// The newest commit position (GTID, e.g. '0-1-42') this process wrote or was handed
    /// (null without replicas or before a write), whether views read replicas, and how the
    /// reads were served. Carry `gtid` to the next request (a cookie) and hand it to
    /// `readAfter()` there, so a redirect after a write reads it.
    /// @return array{gtid:?string,replicas:bool,reads:array{replica:int,replica_waited:int,primary_fallback:int}}
    fn read_position() -> array = read_position;

    /// Makes the next reads wait for `gtid` (see `readPosition()`); a malformed position
    /// throws ValidationException. @return array{gtid:?string,replicas:bool,reads:array}
    fn read_after(gtid: string("gtid")) -> array = read_after;

    section "Audit";

    /// Verifies the event log against its hash chain and records the outcome (the health
    /// check's `event_chain` reports it). `full` (default) reads the whole log; `incremental`
    /// only the events after the verified checkpoint (what the scheduled job runs; skipped
    /// while an earlier fault stands); `restart` verifies the whole log ignoring the
    /// recorded checkpoint (after a legitimate restore from an older backup).
    /// @param array{mode?:'full'|'incremental'|'restart'} $options
    /// @return array{ok:bool,mode:string,complete:bool,checked:int,verified_sequence:int,verified_hash:string,
    ///   head_sequence:int,seconds:float,fault:?array{sequence:int,kind:string,message:string},skipped:bool}
    fn verify_chain(options: array = []) -> array;

    /// The recorded verification state and the sequence head (no verification is run).
    /// @return array{status:'unverified'|'ok'|'failed',verified_sequence:int,verified_hash:string,verified_at:?string,
    ///   full_verified_at:?string,checked_at:?string,fault:?array{sequence:int,kind:string,message:string},
    ///   head:array{sequence:int,hash:string}}
    fn chain_status() -> array;

    /// One chunk of the JSON Lines export of the event log (verifiable offline with
    /// `cargo run -p pet-core --example verify-export -- FILE`). Call with `[]` (or
    /// `['limit' => n]`, 1–10000 events per chunk), write `text`, and call again with
    /// `next` until `done`; the first chunk starts with the header line (the sequence head at
    /// that moment: the export holds exactly the events up to it), the last ends with the
    /// end line. @param array{limit?:int,after?:int,until?:int,written?:int,last_hash?:string} $query
    /// @return array{text:string,done:bool,next:?array}
    fn export_events(query: array = []) -> array;

    /// Counts one request of `subject` (e.g. 'user:12') against `limit` requests per fixed
    /// window of `window_seconds` (the plugin's REST write limit); `retry_after` is the
    /// seconds until the window ends when the request is refused.
    /// @param array{subject:string,limit:int,window_seconds:int} $query
    /// @return array{allowed:bool,hits:int,limit:int,retry_after:int}
    fn rate_limit_hit(query: array) -> array;

    /// The full history of one entity (every event whose primary context it is), oldest
    /// first: who (an employee `actor_id`, a customer contact `actor_contact_id` acting
    /// through the portal, or neither: the system), when, the line rendered for the event's
    /// type and schema version, the payload as recorded and lifted to the current schema
    /// version.
    /// @param array{context_type:string,context_id:string,page?:int,per_page?:int,after?:string,before?:string} $query
    /// @return array{items:list<array{sequence:int,event_type:string,schema_version:int,current_schema_version:?int,
    ///   occurred_at:string,recorded_at:string,actor_id:?string,actor_contact_id:?string,actor_name:?string,aggregate_type:string,
    ///   aggregate_id:string,aggregate_version:int,line:?string,payload_recorded:array,payload:?array}>,total:int,page:int,per_page:int}
    fn entity_history(query: array) -> array;

    /// The state of an employee (with the rates in effect that day), a quote, a ticket or a
    /// project as of a date or time, rebuilt by replaying the events that occurred by then.
    /// @param array{aggregate_type:'employee'|'quote'|'ticket'|'project',id:string,at:string} $query
    ///        at is a date (its end, UTC) or an RFC 3339 timestamp.
    /// @return array{aggregate_type:string,id:string,at:string,exists:bool,version:?int,events_applied:int,state:?array}
    fn state_as_of(query: array) -> array;

    section "Privacy";

    /// Re-wraps every person's data key with privacy_key (the new site key): those wrapped
    /// with previous_privacy_key (the key it replaces) or stored unwrapped. Both keys open
    /// data meanwhile; call again until `done`, then drop previous_privacy_key. `unreadable`
    /// keys open with neither key. Throws ValidationException without privacy_key.
    /// @param array{batch?:int,max_seconds?:int} $options
    /// @return array{rewrapped:int,unreadable:int,remaining:int,done:bool}
    fn rotate_privacy_key(options: array = []) -> array;

    section "Activity";

    /// The activity feed, newest first. Commands do not write the feed: this read first
    /// projects up to 10,000 recorded events that are not in it yet on the primary (the job
    /// runner does the rest), then reads it — with replicas, on a replica that has applied
    /// this process's writes; `pending` is how many events of the primary's log the feed it
    /// read still lacked (not projected yet, or not replicated yet) and `pending_since` the
    /// time of the oldest of them (a read-only server never projects); `pending` is null
    /// only when the feed's state could not be read.
    /// @param array{context_type?:string,context_id?:string,actor_id?:string,from?:string,to?:string,areas?:list<string>,page?:int,per_page?:int} $query
    ///        from/to are dates (inclusive) or RFC 3339 timestamps; areas (e.g. ['sales',
    ///        'support']) limits the feed to the contexts of those areas (see accessAreas()),
    ///        filtered in SQL; absent, every context.
    /// @return array{items:list<array{sequence:int,event_type:string,occurred_at:string,actor_id:?string,
    ///   actor_contact_id:?string,actor_name:?string,context_type:string,context_id:string,line:string}>,total:int,page:int,per_page:int,pending:?int,pending_since:?string}
    fn activity(query: array = []) -> array;

    /// The areas of access (people, sales, support, knowledge, delivery, settings) and the
    /// context types of each, from pet-core's module map (no database access): the plugin
    /// shows a context to the users who may see its area (capability `pet_view_<area>`).
    /// @return array<string,list<string>> area => its context types
    fn access_areas() -> array = access_areas;

    section "Jobs";

    /// Runs due jobs (projection catch-up, scheduled org-structure publication, …) under a
    /// lease row that holds on every server of a cluster (`skipped_locked` when another
    /// runner has it); only against the primary (a read-only server throws StorageException).
    /// `deferred` counts jobs that lost a race with a concurrent writer (a deadlock, Galera
    /// certification) and went back to the queue without using an attempt.
    /// @param array{max_jobs?:int,max_seconds?:int} $options
    /// @return array{claimed:int,succeeded:int,failed:int,dead:int,deferred:int,skipped_locked:bool}
    fn run_jobs(options: array = []) -> array;

    /// @param array{status?:'pending'|'running'|'failed'|'dead'|'done',page?:int,per_page?:int} $query
    fn list_jobs(query: array = []) -> array;

    /// Moves a dead-lettered job back to pending. @return array job
    fn retry_job(jobId: string("job_id"), context: context) -> array;
}
