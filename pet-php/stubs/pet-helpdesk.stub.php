<?php
/**
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
 */

namespace Pet;

final class Helpdesk
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}

    // ---- Tickets --------------------------------------------------------------------

    /**
     * @param array{customer_id:string,subject:string,priority?:string,channel?:string,assignee_id?:?string,
     *              project_id?:?string,sla_definition_id?:?string} $input
     *        with sla_definition_id the ticket is pinned to that definition's version in force
     * @return array ticket
     */
    public function createTicket(array $input, array $context): array {}

    /** @return array ticket (null $assigneeId unassigns) */
    public function assignTicket(string $ticketId, ?string $assigneeId, array $context): array {}

    /** new → open, open ⇄ waiting_on_customer. @return array ticket */
    public function changeTicketStatus(string $ticketId, string $status, array $context): array {}

    /**
     * Moves the ticket to a status by the command the engine names for it: 'resolved' resolves,
     * 'closed' closes, any other status is a status change (new → open, open ⇄ waiting_on_customer).
     * @return array ticket
     */
    public function moveTicket(string $ticketId, string $to, array $context): array {}

    /** @return array ticket */
    public function changeTicketPriority(string $ticketId, string $priority, array $context): array {}

    /**
     * @param array{body:string,visibility?:string,author?:string,contact_id?:?string} $input
     *        author 'employee' (default: the actor) or 'customer'; visibility 'public' (default) or 'internal'.
     *        A closed ticket takes no reply (InvariantViolationException).
     * @return array ticket
     */
    public function replyToTicket(string $ticketId, array $input, array $context): array {}

    /** @return array ticket */
    public function resolveTicket(string $ticketId, array $context): array {}

    /** @return array ticket */
    public function closeTicket(string $ticketId, array $context): array {}

    /** @param array{reopen_window_minutes?:int} $input (default 7 days) @return array ticket */
    public function reopenTicket(string $ticketId, array $input, array $context): array {}

    /** Pins an existing ticket to the definition's version in force (once). @return array ticket */
    public function assignTicketSla(string $ticketId, string $definitionId, array $context): array {}

    /** @return array ticket with replies, timeline and linked articles */
    public function getTicket(string $ticketId): array {}

    /**
     * @param array{status?:string,priority?:string,assignee_id?:string,customer_id?:string,sla_state?:string,
     *              search?:string,sort?:string,order?:string,page?:int,per_page?:int} $query
     *        status may be 'active' (not resolved/closed); assignee_id 'none' = unassigned;
     *        sla_state running|paused|warning|breached|met|none; sort due|created|updated|priority|relevance
     *        (relevance, the default with a search: best matches first).
     * @return array{items:list<array>,total:int,page:int,per_page:int,ranked:bool} ranked: in relevance order
     *         (false: newest first, as asked or because more than 2,000 tickets match)
     */
    public function listTickets(array $query = []): array {}

    /**
     * The values of a ticket's fields, in order, for option lists.
     * @return array{priority:list<string>,channel:list<string>,status:list<string>,visibility:list<string>}
     */
    public function ticketOptions(): array {}

    // ---- SLA definitions and the SLA job --------------------------------------------

    /** @param array{name:string,spec:array} $input @return array sla definition (version 1) */
    public function createSlaDefinition(array $input, array $context): array {}

    /** @param array{spec:array} $input @return array sla definition (a new version; old tickets keep theirs) */
    public function publishSlaVersion(string $definitionId, array $input, array $context): array {}

    /** @return array sla definition */
    public function getSlaDefinition(string $definitionId): array {}

    /** @param array{search?:string,page?:int,per_page?:int} $query @return array{items:list<array>,total:int,page:int,per_page:int} */
    public function listSlaDefinitions(array $query = []): array {}

    /**
     * What the SLA editor offers: the priorities (targets, 24/7), the weekdays of the
     * working hours, the statuses that may pause the clock.
     * @return array{priorities:list<string>,weekdays:list<string>,pause_statuses:list<string>}
     */
    public function slaOptions(): array {}

    /** Enqueues the SLA job (at most one pending). @return array{enqueued:bool,job_id:?string} */
    public function enqueueSlaJob(): array {}

    /**
     * Runs the SLA job now. ['at' => RFC 3339] is honoured only by test builds (Cargo feature
     * test-clock, see testClockAvailable()); production builds throw ValidationException.
     * @param array{at?:string} $options
     * @return array{evaluated:int,tickets_recorded:int,warnings:int,breaches:int,met:int,skipped:int,evaluated_at:string}
     */
    public function runSlaJob(array $options = []): array {}

    /** Whether this build honours runSlaJob(['at' => …]). */
    public static function testClockAvailable(): bool {}
}
