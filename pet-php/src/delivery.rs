//! `Pet\Delivery`: projects (from sales or internal), change orders, milestones and tasks,
//! time entries with approval, adjustments and the period lock, and timesheets (issue 10).
//! Declared once in the table below, from which [`php_class!`](crate::api) generates the
//! wrappers and the stub `pet-delivery.stub.php`.
// PHP parameter names are part of the stub contract (see knowledge.rs).
#![allow(non_snake_case)]

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Delivery<'a>;

crate::api::php_class! {
    /// The delivery API, built from the same connection settings as `Pet\Engine` (and
    /// sharing its connection pool).
    class Delivery = "Pet\\Delivery";
    stub "pet-delivery.stub.php" = r"/**
 * IDE stubs for `Pet\Delivery` (projects, change orders, milestones, tasks, time entries, period lock, timesheets,
 * the approvals queue, timers, weekly capacity and allocations).
 * Same conventions as pet.stub.php (ids, dates, $context, exceptions). Durations are integer minutes.
 *
 * Shapes:
 * - project: ['id','name','customer_id','sale_id','status' (planned|active|on_hold|completed|closed|cancelled),
 *   'next_statuses','actions','constraints' => list<['number','labour' => list<['role','minutes']>,'budget',
 *   'recurring','change_order' => ?['reason','ordered_by','labour_delta','budget_delta']]>,
 *   'variance' => list<['scope' (project|role),'role'?,'sold_minutes','delivered_minutes','percent','threshold_reached']>,
 *   'milestones' => list<['id','title','due','status' (pending|done),'actions']>,
 *   'tasks' => list<['id','title','milestone_id','estimate_minutes','assignee','status' (todo|in_progress|done),'next_statuses','actions']>,
 *   'variance_marks','version'].
 * - entry: ['id','employee_id','target' => ['kind' (project|ticket),'project_id'|'ticket_id','task_id'?],
 *   'project_id','role','work_date','minutes','effective_minutes','billable','note',
 *   'status' (draft|submitted|approved|discarded),'sent_back_reason','adjustments','actions','version'].
 * - timer: ['employee_id','running' => ?['target','role','billable','note','started_at','elapsed_minutes'],'version'].
 * - allocation: ['id','employee_id','project_id','starts_on','ends_on','minutes_per_week','released','version'].
 * - week load: ['week' (a Monday),'allocated','capacity','over'] (minutes per week).
 *
 * @phpcs:ignoreFile
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    section "Projects";

    /// @param array{name:string,customer_id?:string,labour?:list<array{role?:string,minutes:int}>} $input
    /// @return array project (planned)
    fn create_project(input: array, context: context) -> array;

    /// @return array project
    fn project(projectId: string("project_id")) -> array;

    /// Projects, newest first (a flat list: keyset cursors `next`/`prev`, bounded total);
    /// `search` is text in the project's or its customer's name. `threshold_reached` is the
    /// highest variance threshold crossed (80, 100, 120; null: none).
    /// @param array{search?:string,status?:string,customer_id?:string,page?:int,per_page?:int,after?:string,before?:string} $query
    /// @return array{items:list<array{id:string,name:string,customer_id:?string,customer_name:?string,sale_id:?string,status:string,constraint_version:int,sold_minutes:int,delivered_minutes:int,percent:?int,threshold_reached:?int,version:int,created_at:string}>,total:int,total_exact:bool,per_page:int,next:?string,prev:?string}
    fn list_projects(query: array = []) -> array;

    /// The burn-up: delivered minutes summed week by week (the latest `weeks`, 1-104,
    /// default 104) against the sold minutes of the constraint version in effect.
    /// @param array{weeks?:int} $query
    /// @return array{project_id:string,weeks:list<string>,delivered:list<int>,delivered_in_week:list<int>,sold:list<int>,versions:list<array{number:int,from_week:string,minutes:int,data:list<?int>}>,truncated:bool}
    fn project_burnup(projectId: string("project_id"), query: array = []) -> array;

    /// The tickets linked to the project, newest first (a flat list: keyset cursors).
    /// @param array{page?:int,per_page?:int,after?:string,before?:string} $query
    /// @return array{items:list<array{id:string,number:?int,subject:string,status:string,priority:string,assignee_id:?string,created_at:string}>,total:int,total_exact:bool,per_page:int,next:?string,prev:?string}
    fn project_tickets(projectId: string("project_id"), query: array = []) -> array;

    /// @param string $status planned|active|on_hold|completed|closed|cancelled (see next_statuses)
    /// @return array project
    fn change_project_status(
        projectId: string("project_id"),
        status: string("status"),
        context: context
    ) -> array;

    /// A change order: a new constraint version (never an edit).
    /// @param array{reason:string,labour_delta:list<array{role?:string,minutes:int}>} $input minutes signed
    /// @return array project
    fn record_change_order(projectId: string("project_id"), input: array, context: context) -> array;

    /// @param array{title:string,due?:string} $input @return array project
    fn add_milestone(projectId: string("project_id"), input: array, context: context) -> array;

    /// @param array{title:string,estimate_minutes?:int,assignee_id?:string,milestone_id?:string} $input @return array project
    fn add_task(projectId: string("project_id"), input: array, context: context) -> array;

    /// Marks a pending milestone done. @return array project
    fn complete_milestone(
        projectId: string("project_id"),
        milestoneId: string("milestone_id"),
        context: context
    ) -> array;

    /// Assigns a task to an active employee ('' unassigns it). @return array project
    fn assign_task(
        projectId: string("project_id"),
        taskId: string("task_id"),
        assigneeId: string("assignee_id"),
        context: context
    ) -> array;

    /// Moves a task along todo → in_progress → done (see its next_statuses). @return array project
    fn move_task(
        projectId: string("project_id"),
        taskId: string("task_id"),
        status: string("status"),
        context: context
    ) -> array;

    section "Time";

    /// A draft entry (default employee: the actor).
    /// @param array{employee_id?:string,project_id?:string,task_id?:string,ticket_id?:string,role?:string,work_date:string,minutes:int,billable?:bool,note?:string} $input
    /// @return array entry
    fn log_time(input: array, context: context) -> array;

    /// @return array entry
    fn time_entry(entryId: string("entry_id")) -> array;

    /// @return array entry
    fn submit_time_entry(entryId: string("entry_id"), context: context) -> array;

    /// Approves a submitted entry and records the project's variance thresholds newly reached.
    /// @return array entry
    fn approve_time_entry(entryId: string("entry_id"), context: context) -> array;

    /// @return array entry (a draft again)
    fn send_back_time_entry(
        entryId: string("entry_id"),
        reason: string("reason"),
        context: context
    ) -> array;

    /// Changes a draft in one command (its sent-back reason and history kept); an absent
    /// field is kept, a blank task or role cleared, a project or a ticket replaces the target.
    /// @param array{project_id?:string,ticket_id?:string,task_id?:string,role?:string,work_date?:string,minutes?:int,billable?:bool,note?:string} $input
    /// @return array entry
    fn revise_time_entry(entryId: string("entry_id"), input: array, context: context) -> array;

    /// @return array entry
    fn discard_time_entry(entryId: string("entry_id"), context: context) -> array;

    /// A correction of a submitted or approved entry, booked on an open date.
    /// @param array{minutes:int,work_date:string,reason:string} $input minutes signed
    /// @return array entry
    fn adjust_time_entry(entryId: string("entry_id"), input: array, context: context) -> array;

    /// Locks every date up to and including $through (forward only).
    /// @return array{locked_through:string,version:int}
    fn lock_time_period(through: string("through"), context: context) -> array;

    /// @return array{locked_through:?string}
    fn time_lock() -> array;

    /// Recomputes every active project's delivered minutes from scratch (approved time plus
    /// adjustments), corrects the projects whose stored figures differ and records the
    /// variance thresholds they newly reach (each still once per constraint version).
    /// For those who manage time.
    /// @return array{checked:int,corrected:list<string>,thresholds:int}
    fn recompute_variance(context: context) -> array;

    /// The approvals queue: submitted entries of every employee (or one), by employee, date
    /// and id (a flat list: keyset cursors `next`/`prev`, bounded total).
    /// @param array{employee_id?:string,page?:int,per_page?:int,after?:string,before?:string} $query
    /// @return array{items:list<array>,total:int,total_exact:bool,per_page:int,next:?string,prev:?string} items are entries
    fn submitted_time(query: array = []) -> array;

    /// The approvals queue by employee-week: one line per employee and week with submitted
    /// time (minutes with adjustments, billable minutes, minutes per project), by employee
    /// and week; `next` is the cursor of the following page (`after`).
    /// @param array{employee_id?:string,per_page?:int,after?:string} $query
    /// @return array{items:list<array{employee_id:string,week:string,entries:int,minutes:int,billable_minutes:int,projects:list<array{project_id:?string,minutes:int}>}>,next:?string}
    fn submitted_weeks(query: array = []) -> array;

    /// Approves every submitted entry of the employee's week (the week of $week) in one
    /// command, all or nothing, and records the variance thresholds their projects reach.
    /// @return array{employee_id:string,week:string,entries:list<array>} the entries approved
    fn approve_time_week(employeeId: string("employee_id"), week: string("week"), context: context) -> array;

    /// Sends every submitted entry of the employee's week back with $reason, in one command.
    /// @return array{employee_id:string,week:string,entries:list<array>} the entries sent back
    fn send_back_time_week(
        employeeId: string("employee_id"),
        week: string("week"),
        reason: string("reason"),
        context: context
    ) -> array;

    /// Saves the employee's week from its grid in one command, all or nothing: each named
    /// cell (a project + task, or a ticket, on a day of the week) set to its minutes (0
    /// empties it), the others kept. The engine decides the drafts to log, revise and
    /// discard; a cell holding submitted or approved time keeps its value.
    /// @param array{cells:list<array{project_id?:string,task_id?:string,ticket_id?:string,work_date:string,minutes:int}>} $input
    /// @return array{employee_id:string,week:string,entries:list<array>,days:list<array{date:string,minutes:int}>,total_minutes:int,locked_through:?string} the week's timesheet
    fn save_week(
        employeeId: string("employee_id"),
        week: string("week"),
        input: array,
        context: context
    ) -> array;

    /// Submits every draft of the employee's week in one command, all or none.
    /// @return array{employee_id:string,week:string,entries:list<array>} the entries submitted
    fn submit_week(employeeId: string("employee_id"), week: string("week"), context: context) -> array;

    /// One employee's week (Monday to Sunday of the week of $date).
    /// @return array{employee_id:string,week:string,entries:list<array>,days:list<array{date:string,minutes:int}>,total_minutes:int,locked_through:?string}
    fn timesheet(employeeId: string("employee_id"), date: string("date")) -> array;

    /// The time logged on a ticket (for the ticket page): the latest 50 entries, newest
    /// first, with the count and totals of every entry not discarded.
    /// @return array{ticket_id:string,entries:list<array>,count:int,total_minutes:int,approved_minutes:int}
    fn ticket_time(ticketId: string("ticket_id")) -> array;

    section "Timers";

    /// Starts the employee's timer (default: the actor's) on a project (+ task) or a ticket;
    /// refused when time could not be logged there today.
    /// @param array{employee_id?:string,project_id?:string,task_id?:string,ticket_id?:string,role?:string,billable?:bool,note?:string} $input
    /// @return array timer
    fn start_timer(input: array, context: context) -> array;

    /// Stops the running timer: a draft entry of the minutes it ran (rounded up), dated the
    /// day it started.
    /// @return array{timer:array,entry:array}
    fn stop_timer(employeeId: string("employee_id"), context: context) -> array;

    /// Throws the running timer away.
    /// @return array timer
    fn discard_timer(employeeId: string("employee_id"), context: context) -> array;

    /// @return array timer
    fn timer(employeeId: string("employee_id")) -> array;

    section "Capacity and allocations";

    /// Sets an employee's weekly capacity from a Monday (0: not available).
    /// @param array{employee_id:string,effective_from:string,minutes_per_week:int} $input
    /// @return array{employee_id:string,schedule:list<array{effective_from:string,minutes_per_week:int}>,current_minutes_per_week:int,version:int}
    fn set_capacity(input: array, context: context) -> array;

    /// An employee's capacity schedule (empty: the default 40 hours a week).
    /// @return array{employee_id:string,schedule:list<array>,version:int}
    fn capacity(employeeId: string("employee_id")) -> array;

    /// Allocates an employee to a project. Past capacity is allowed and reported:
    /// `over_capacity` lists the weeks past it and `warning` says so (null otherwise).
    /// @param array{employee_id:string,project_id:string,starts_on:string,ends_on:string,minutes_per_week:int} $input
    /// @return array{allocation:array,weeks:list<array>,over_capacity:list<string>,warning:?string}
    fn allocate(input: array, context: context) -> array;

    /// @return array allocation (released)
    fn release_allocation(allocationId: string("allocation_id"), context: context) -> array;

    /// A project's allocations, by start (released ones included).
    /// @return list<array> allocations
    fn project_allocations(projectId: string("project_id")) -> array;

    /// Active employees by name (a flat list), each with `weeks` (week loads) for `weeks`
    /// weeks (1-26, default 8) from the week of `from` (default: today); `weeks` at the top
    /// lists the Mondays.
    /// @param array{from?:string,weeks?:int,page?:int,per_page?:int,after?:string,before?:string} $query
    /// @return array{items:list<array>,weeks:list<string>,total:int,total_exact:bool,per_page:int,next:?string,prev:?string}
    fn resource_plan(query: array = []) -> array;
}
