<?php
/**
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
 */

namespace Pet;

final class Kpi
{
    /** @param array $settings the same keys as Engine::__construct; shares its connection pool */
    public function __construct(array $settings) {}

    // ---- Definitions ----------------------------------------------------------------

    /**
     * @param array{name:string,calculator:string,scope?:string,scope_id?:string,grain?:string,target?:string,count_non_billable?:bool} $input
     * @return array kpi (version 1; its results are backfilled by the KPI job)
     */
    public function defineKpi(array $input, array $context): array {}

    /**
     * @param array{calculator:string,scope?:string,scope_id?:string,grain?:string,target?:string,count_non_billable?:bool} $input
     * @return array kpi (the next version; earlier versions' results are kept)
     */
    public function publishKpiVersion(string $kpiId, array $input, array $context): array {}

    /** @return array kpi */
    public function getKpi(string $kpiId): array {}

    /** @param array{page?:int,per_page?:int,after?:string,before?:string} $query @return array{items:list<array{id:string,name:string,current_version:int,current:array,scope_name:?string}>,total:int,per_page:int,next:?string,prev:?string} KPIs by name, a flat list; each with its latest version */
    public function listKpis(array $query = []): array {}

    /** @return array{calculators:list<array{id:string,unit:string,higher_is_better:bool,scopes:list<string>}>,grains:list<string>,scopes:list<string>} */
    public function kpiOptions(): array {}

    // ---- Results --------------------------------------------------------------------

    /**
     * @param array{version?:int,periods?:int,as_of?:string} $query as_of (RFC 3339): the numbers known then
     * @return array{kpi_id:string,version:int,spec:array,unit:string,as_of:?string,backfill_status:string,results:list<array>}
     */
    public function kpiResults(string $kpiId, array $query = []): array {}

    /**
     * @param array{version?:int,period?:string,as_of?:string} $query period: any day in it (default today)
     * @return array{kpi_id:string,version:int,label:string,as_of:?string,result:array,part_total:int,truncated:bool,names:array<string,string>}
     *         result: ['numerator','denominator','value','parts' => list<['event_id','event_type','recorded_at','kind','on',
     *         'subject' => ['kind','id'],'employee','customer','project','value','days','numerator','denominator']>]
     */
    public function explainKpi(string $kpiId, array $query = []): array {}

    /**
     * @param array{team_id?:string,employee_id?:string,customer_id?:string,project_id?:string,periods?:int} $query
     * @return array{scope:string,scope_id:?string,tiles:list<array>} a tile: ['kpi_id','name','version','spec','unit',
     *         'higher_is_better','target','backfill_status','periods_total','periods_done','current','previous',
     *         'trend_tenths','trend','series' => list<period result>]
     */
    public function kpiDashboard(array $query = []): array {}

    // ---- The KPI job ----------------------------------------------------------------

    /**
     * Enqueues the KPI job (at most one pending); WP-Cron calls this every minute.
     * @return array{enqueued:bool,job_id:?string}
     */
    public function enqueueKpiJob(): array {}

    /**
     * Runs the KPI job now (facts_ms, backfill_ms: the time its two parts took).
     * @return array{events:int,facts:int,results:int,backfilled:int,checkpoint:int,facts_ms:int,backfill_ms:int}
     */
    public function runKpiJob(): array {}
}
