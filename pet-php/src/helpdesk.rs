//! `Pet\Helpdesk`: tickets and SLA definitions (issue: helpdesk and knowledgebase; the
//! knowledge base is `Pet\Knowledge`, in `knowledge.rs`). Declared once in the table below, from which [`php_class!`](crate::api)
//! generates the wrappers and the stub `pet-helpdesk.stub.php`.
//!
//! Test-only clock override: `runSlaJob(['at' => …])` evaluates the SLA job at a given
//! time. It is honoured only when this crate is compiled with the Cargo feature
//! `test-clock` (the browser test's build); a production build has no code path that
//! accepts `at` and rejects it with a `ValidationException`, so no request, option or
//! environment variable can move a production clock.
// PHP parameter names (`$employeeId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers (also in the code it generates outside the impl block), so
// the table spells parameters in camelCase.
#![allow(non_snake_case)]

use serde_json::Value;

use crate::backend::{App, AppError};

/// Whether this build honours the test-only clock override.
const TEST_CLOCK: bool = cfg!(feature = "test-clock");

/// `Pet\Helpdesk::testClockAvailable()`.
const fn test_clock_available() -> bool {
    TEST_CLOCK
}

/// The SLA job, now or (test builds only) at `options.at`.
async fn sla_job_now_or_at(app: &App, options: &Value) -> Result<Value, AppError> {
    let at = match options.get("at") {
        None | Some(Value::Null) => None,
        Some(_) if !TEST_CLOCK => {
            return Err(AppError::field(
                "at",
                "the clock override exists only in test builds (feature test-clock)",
            ))
        }
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(AppError::field("at", "must be an RFC 3339 timestamp")),
    };
    app.helpdesk().run_sla_job_at(at).await
}

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Helpdesk<'a>;

crate::api::php_class! {
    /// The helpdesk API, built from the same connection settings as `Pet\Engine` (and sharing
    /// its connection pool).
    class Helpdesk = "Pet\\Helpdesk";
    stub "pet-helpdesk.stub.php" = r"/**
 * IDE stubs for `Pet\Helpdesk` (tickets and SLA definitions; the knowledge base is `Pet\Knowledge`).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * Shapes:
 * - ticket: ['id','number' (1, 2, …; null for tickets opened before numbering),'reference' ('#12', or the
 *   id's start without a number),'customer_id','customer_name','project_id','subject','priority' (low|normal|high|urgent),
 *   'channel' (email|phone|portal|chat|other),'assignee_id','assignee_name','status'
 *   (new|open|waiting_on_customer|resolved|closed),'next_statuses' (the statuses a change, resolve or close may
 *   move it to now; reopening is separate),'resolved_at','reply_count','first_response_at','version',
 *   'created_at','updated_at','sla' => null|sla]; getTicket (and every ticket command) adds
 *   'replies' => list<['id','author_kind' (employee|customer),'author_employee_id','author_name',
 *   'author_contact_id','visibility' (public|internal),'body','created_at']>,
 *   'timeline' => list<['at','kind' (created|status|priority|first_response),'to'?]>,
 *   'linked_articles' => list<['id','title','slug','linked_at']>.
 * - sla: ['definition_id','definition_name','definition_version','paused','state','due_at',
 *   'first_response' => target,'resolution' => target]; state is running|paused|warning|met|breached.
 * - target: ['state','elapsed_minutes','target_minutes','remaining_minutes','due_at','warning_at',
 *   'breached_at','recorded' => ['warning' => bool,'breached' => bool,'met' => bool]].
 * - SLA spec: ['calendar' => ['timezone' => 'Europe/London','working_hours' => ['mon' => [['start' => '09:00',
 *   'end' => '17:00']], …],'holidays' => ['2026-12-25']],'targets' => ['low'|'normal'|'high'|'urgent' =>
 *   ['first_response_minutes' => int,'resolution_minutes' => int]],'pause_statuses' => ['waiting_on_customer'],
 *   'warning_percent' => 1..99,'always_on' => ['urgent']]. Field errors are named 'spec.calendar.timezone', …
 * - sla definition: ['actions' => ['publish'],'id','name','current_version','version','created_at','updated_at',
 *   'spec','versions' => list<['number','published_at','spec']> (newest first),'ticket_count'].
 *
 * @phpcs:ignoreFile
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    section "Tickets";

    /// @param array{customer_id:string,subject:string,priority?:string,channel?:string,assignee_id?:?string,
    ///              project_id?:?string,sla_definition_id?:?string} $input
    ///        with sla_definition_id the ticket is pinned to that definition's version in force
    /// @return array ticket
    fn create_ticket(input: array, context: context) -> array;

    /// @return array ticket (null $assigneeId unassigns)
    fn assign_ticket(
        ticketId: string("ticket_id"),
        assigneeId: ?string("assignee_id"),
        context: context
    ) -> array;

    /// new → open, open ⇄ waiting_on_customer. @return array ticket
    fn change_ticket_status(
        ticketId: string("ticket_id"),
        status: string("status"),
        context: context
    ) -> array;

    /// Moves the ticket to a status by the command the engine names for it: 'resolved' resolves,
    /// 'closed' closes, any other status is a status change (new → open, open ⇄ waiting_on_customer).
    /// @return array ticket
    fn move_ticket(
        ticketId: string("ticket_id"),
        to: string("to"),
        context: context
    ) -> array;

    /// @return array ticket
    fn change_ticket_priority(
        ticketId: string("ticket_id"),
        priority: string("priority"),
        context: context
    ) -> array;

    /// @param array{body:string,visibility?:string,author?:string,contact_id?:?string} $input
    ///        author 'employee' (default: the actor) or 'customer'; visibility 'public' (default) or 'internal'.
    ///        A closed ticket takes no reply (InvariantViolationException).
    /// @return array ticket
    fn reply_to_ticket(ticketId: string("ticket_id"), input: array, context: context) -> array;

    /// @return array ticket
    fn resolve_ticket(ticketId: string("ticket_id"), context: context) -> array;

    /// @return array ticket
    fn close_ticket(ticketId: string("ticket_id"), context: context) -> array;

    /// @param array{reopen_window_minutes?:int} $input (default 7 days) @return array ticket
    fn reopen_ticket(ticketId: string("ticket_id"), input: array, context: context) -> array;

    /// Pins an existing ticket to the definition's version in force (once). @return array ticket
    fn assign_ticket_sla(
        ticketId: string("ticket_id"),
        definitionId: string("sla_definition_id"),
        context: context
    ) -> array;

    /// @return array ticket with replies, timeline and linked articles
    fn get_ticket(ticketId: string("ticket_id")) -> array;

    /// @param array{status?:string,priority?:string,assignee_id?:string,customer_id?:string,sla_state?:string,
    ///              search?:string,sort?:string,order?:string,page?:int,per_page?:int} $query
    ///        status may be 'active' (not resolved/closed); assignee_id 'none' = unassigned;
    ///        sla_state running|paused|warning|breached|met|none; sort due|created|updated|priority|relevance
    ///        (relevance, the default with a search: best matches first).
    /// @return array{items:list<array>,total:int,page:int,per_page:int,ranked:bool} ranked: in relevance order
    ///         (false: newest first, as asked or because more than 2,000 tickets match)
    fn list_tickets(query: array = []) -> array;

    /// The values of a ticket's fields, in order, for option lists.
    /// @return array{priority:list<string>,channel:list<string>,status:list<string>,visibility:list<string>}
    fn ticket_options() -> array;

    section "SLA definitions and the SLA job";

    /// @param array{name:string,spec:array} $input @return array sla definition (version 1)
    fn create_sla_definition(input: array, context: context) -> array;

    /// @param array{spec:array} $input @return array sla definition (a new version; old tickets keep theirs)
    fn publish_sla_version(
        definitionId: string("definition_id"),
        input: array,
        context: context
    ) -> array;

    /// @return array sla definition
    fn get_sla_definition(definitionId: string("definition_id")) -> array;

    /// @param array{search?:string,page?:int,per_page?:int} $query @return array{items:list<array>,total:int,page:int,per_page:int}
    fn list_sla_definitions(query: array = []) -> array;

    /// What the SLA editor offers: the priorities (targets, 24/7), the weekdays of the
    /// working hours, the statuses that may pause the clock.
    /// @return array{priorities:list<string>,weekdays:list<string>,pause_statuses:list<string>}
    fn sla_options() -> array;

    /// Enqueues the SLA job (at most one pending). @return array{enqueued:bool,job_id:?string}
    fn enqueue_sla_job() -> array;

    /// Runs the SLA job now. ['at' => RFC 3339] is honoured only by test builds (Cargo feature
    /// test-clock, see testClockAvailable()); production builds throw ValidationException.
    /// @param array{at?:string} $options
    /// @return array{evaluated:int,tickets_recorded:int,warnings:int,breaches:int,met:int,skipped:int,evaluated_at:string}
    fn run_sla_job(options: array = []) -> array = sla_job_now_or_at;

    /// Whether this build honours runSlaJob(['at' => …]).
    static fn test_clock_available() -> bool = test_clock_available;
}
