//! `Pet\Kpi`: Measurement & KPIs — definitions with immutable versions, the KPI job,
//! results (also as of a past time), explanations and the dashboard (issue 11). Declared
//! once in the table below, from which [`php_class!`](crate::api) generates the wrappers and
//! the stub `pet-kpi.stub.php`.
// PHP parameter names are part of the stub contract (see knowledge.rs).
#![allow(non_snake_case)]

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Kpi<'a>;

crate::api::php_class! {
    /// The KPI API, built from the same connection settings as `Pet\Engine` (and sharing its
    /// connection pool).
    class Kpi = "Pet\\Kpi";
    stub "pet-kpi.stub.php" = r"/**
 * IDE stubs for `Pet\Kpi` (KPI definitions with immutable versions, the KPI job, results, explanations, the dashboard).
 * Same conventions as pet.stub.php (ids, dates, $context, exceptions).
 *
 * Shapes:
 * - kpi: ['actions','id','name','current_version','version','created_at','versions' => list<['number','published_at',
 *   'spec' => ['calculator','params' => ['target_tenths','count_non_billable'],'scope' => ['kind','id'?],'grain'],
 *   'unit' (percent|minutes),'higher_is_better','backfill_status' (pending|running|done),'periods_total','periods_done']>] (newest first).
 * - period result: ['period_start','period_end','label','value' (string|null),'value_tenths','numerator','denominator',
 *   'part_count','computed_at'].
 *
 * @phpcs:ignoreFile
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    section "Definitions";

    /// @param array{name:string,calculator:string,scope?:string,scope_id?:string,grain?:string,target?:string,count_non_billable?:bool} $input
    /// @return array kpi (version 1; its results are backfilled by the KPI job)
    fn define_kpi(input: array, context: context) -> array;

    /// @param array{calculator:string,scope?:string,scope_id?:string,grain?:string,target?:string,count_non_billable?:bool} $input
    /// @return array kpi (the next version; earlier versions' results are kept)
    fn publish_kpi_version(kpiId: string("kpi_id"), input: array, context: context) -> array;

    /// @return array kpi
    fn get_kpi(kpiId: string("kpi_id")) -> array;

    /// @param array{page?:int,per_page?:int,after?:string,before?:string} $query @return array{items:list<array{id:string,name:string,current_version:int,current:array,scope_name:?string}>,total:int,per_page:int,next:?string,prev:?string} KPIs by name, a flat list; each with its latest version
    fn list_kpis(query: array = []) -> array;

    /// @return array{calculators:list<array{id:string,unit:string,higher_is_better:bool,scopes:list<string>}>,grains:list<string>,scopes:list<string>}
    fn kpi_options() -> array;

    section "Results";

    /// @param array{version?:int,periods?:int,as_of?:string} $query as_of (RFC 3339): the numbers known then
    /// @return array{kpi_id:string,version:int,spec:array,unit:string,as_of:?string,backfill_status:string,results:list<array>}
    fn kpi_results(kpiId: string("kpi_id"), query: array = []) -> array;

    /// @param array{version?:int,period?:string,as_of?:string} $query period: any day in it (default today)
    /// @return array{kpi_id:string,version:int,label:string,as_of:?string,result:array,part_total:int,truncated:bool,names:array<string,string>}
    ///         result: ['numerator','denominator','value','parts' => list<['event_id','event_type','recorded_at','kind','on',
    ///         'subject' => ['kind','id'],'employee','customer','project','value','days','numerator','denominator']>]
    fn explain_kpi(kpiId: string("kpi_id"), query: array = []) -> array;

    /// @param array{team_id?:string,employee_id?:string,customer_id?:string,project_id?:string,periods?:int} $query
    /// @return array{scope:string,scope_id:?string,tiles:list<array>} a tile: ['kpi_id','name','version','spec','unit',
    ///         'higher_is_better','target','backfill_status','periods_total','periods_done','current','previous',
    ///         'trend_tenths','trend','series' => list<period result>]
    fn kpi_dashboard(query: array = []) -> array;

    section "The KPI job";

    /// Enqueues the KPI job (at most one pending); WP-Cron calls this every minute.
    /// @return array{enqueued:bool,job_id:?string}
    fn enqueue_kpi_job() -> array;

    /// Runs the KPI job now (facts_ms, backfill_ms: the time its two parts took).
    /// @return array{events:int,facts:int,results:int,backfilled:int,checkpoint:int,facts_ms:int,backfill_ms:int}
    fn run_kpi_job() -> array;
}
