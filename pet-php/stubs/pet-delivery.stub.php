<?php
/**
 * IDE stubs for `Pet\Delivery` (projects, change orders, milestones, tasks, time entries, period lock, timesheets).
 * Same conventions as pet.stub.php (ids, dates, $context, exceptions). Durations are integer minutes.
 *
 * Shapes:
 * - project: ['id','name','customer_id','sale_id','status' (planned|active|on_hold|completed|closed|cancelled),
 *   'next_statuses','actions','constraints' => list<['number','labour' => list<['role','minutes']>,'budget',
 *   'recurring','change_order' => ?['reason','ordered_by','labour_delta','budget_delta']]>,
 *   'variance' => list<['scope' (project|role),'role'?,'sold_minutes','delivered_minutes','percent','threshold_reached']>,
 *   'milestones','tasks','variance_marks','version'].
 * - entry: ['id','employee_id','target' => ['kind' (project|ticket),'project_id'|'ticket_id','task_id'?],
 *   'project_id','role','work_date','minutes','effective_minutes','billable','note',
 *   'status' (draft|submitted|approved|discarded),'sent_back_reason','adjustments','actions','version'].
 *
 * @phpcs:ignoreFile
 */

namespace Pet;

final class Delivery
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}

    // ---- Projects -------------------------------------------------------------------

    /**
     * @param array{name:string,customer_id?:string,labour?:list<array{role?:string,minutes:int}>} $input
     * @return array project (planned)
     */
    public function createProject(array $input, array $context): array {}

    /** @return array project */
    public function project(string $projectId): array {}

    /**
     * Projects, newest first (a flat list: keyset cursors `next`/`prev`, bounded total).
     * @param array{status?:string,customer_id?:string,page?:int,per_page?:int,after?:string,before?:string} $query
     * @return array{items:list<array{id:string,name:string,customer_id:?string,sale_id:?string,status:string,constraint_version:int,sold_minutes:int,delivered_minutes:int,version:int,created_at:string}>,total:int,total_exact:bool,per_page:int,next:?string,prev:?string}
     */
    public function listProjects(array $query = []): array {}

    /**
     * @param string $status planned|active|on_hold|completed|closed|cancelled (see next_statuses)
     * @return array project
     */
    public function changeProjectStatus(string $projectId, string $status, array $context): array {}

    /**
     * A change order: a new constraint version (never an edit).
     * @param array{reason:string,labour_delta:list<array{role?:string,minutes:int}>} $input minutes signed
     * @return array project
     */
    public function recordChangeOrder(string $projectId, array $input, array $context): array {}

    /** @param array{title:string,due?:string} $input @return array project */
    public function addMilestone(string $projectId, array $input, array $context): array {}

    /** @param array{title:string,estimate_minutes?:int,assignee_id?:string} $input @return array project */
    public function addTask(string $projectId, array $input, array $context): array {}

    // ---- Time -----------------------------------------------------------------------

    /**
     * A draft entry (default employee: the actor).
     * @param array{employee_id?:string,project_id?:string,task_id?:string,ticket_id?:string,role?:string,work_date:string,minutes:int,billable?:bool,note?:string} $input
     * @return array entry
     */
    public function logTime(array $input, array $context): array {}

    /** @return array entry */
    public function submitTimeEntry(string $entryId, array $context): array {}

    /**
     * Approves a submitted entry and records the project's variance thresholds newly reached.
     * @return array entry
     */
    public function approveTimeEntry(string $entryId, array $context): array {}

    /** @return array entry (a draft again) */
    public function sendBackTimeEntry(string $entryId, string $reason, array $context): array {}

    /** @return array entry */
    public function discardTimeEntry(string $entryId, array $context): array {}

    /**
     * A correction of a submitted or approved entry, booked on an open date.
     * @param array{minutes:int,work_date:string,reason:string} $input minutes signed
     * @return array entry
     */
    public function adjustTimeEntry(string $entryId, array $input, array $context): array {}

    /**
     * Locks every date up to and including $through (forward only).
     * @return array{locked_through:string,version:int}
     */
    public function lockTimePeriod(string $through, array $context): array {}

    /** @return array{locked_through:?string} */
    public function timeLock(): array {}

    /**
     * One employee's week (Monday to Sunday of the week of $date).
     * @return array{employee_id:string,week:string,entries:list<array>,days:list<array{date:string,minutes:int}>,total_minutes:int,locked_through:?string}
     */
    public function timesheet(string $employeeId, string $date): array {}
}
