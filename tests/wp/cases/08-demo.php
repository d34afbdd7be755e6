<?php
// The demo scripts/run loads: the organisation and the modules' data, through the engine, once.
// A second load adds nothing; a site that has only the organisation (an earlier version's
// demo) gets the modules' part on the next load.

use PetWp\Demo;
use PetWp\Plugin;

reactivate_pet('demo');

$identity = Plugin::instance()->identity();
$sales = new \Pet\Sales(Plugin::engine_settings());
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$kb = new \Pet\Knowledge(Plugin::engine_settings());
$dl = new \Pet\Delivery(Plugin::engine_settings());
$counts = static fn (): array => [
    'employees' => $identity->listEmployees(['per_page' => 1])['total'],
    'customers' => $identity->listCustomers(['per_page' => 1])['total'],
    'leads' => $sales->listLeads(['per_page' => 1])['total'],
    'opportunities' => $sales->listOpportunities(['per_page' => 1])['total'],
    'quotes' => $sales->listQuotes(['per_page' => 1])['total'],
    'tickets' => $hd->listTickets(['per_page' => 1])['total'],
    'slas' => $hd->listSlaDefinitions(['per_page' => 1])['total'],
    'articles' => $kb->listArticles(['per_page' => 1])['total'],
    'projects' => $dl->listProjects(['per_page' => 1])['total'],
    'submitted time' => $dl->submittedTime(['per_page' => 1])['total'],
];

delete_option(Demo::OPTION);
delete_option(Demo::MODULES_OPTION);
delete_option(Demo::DELIVERY_OPTION);
delete_option(Demo::KPI_OPTION);
$before = $counts();
$loaded = Demo::load();
$after = $counts();
check('demo: the first load reports loaded', true === $loaded);
$grew = [];
foreach ($after as $k => $n) {
    if ($n <= $before[$k]) {
        $grew[] = $k;
    }
}
check('demo: every module got data (employees, customers, leads, opportunities, quotes, tickets, SLAs, articles, projects, submitted time)', [] === $grew, 'did not grow: ' . implode(',', $grew));
$found = $kb->searchArticles(['q' => 'invoices']);
check('demo: the knowledge search finds a demo article', $found['total'] >= 1, wp_json_encode($found));

// The delivery demo: a project from the accepted sale with something on every delivery screen.
$proj = $dl->listProjects(['search' => 'Acme', 'per_page' => 5])['items'];
$proj = array_values(array_filter($proj, static fn ($p) => null !== $p['sale_id']));
check('demo: the accepted quote made a project from its sale, active, for Acme', 1 === count($proj) && 'active' === $proj[0]['status'] && 'Acme Ltd' === $proj[0]['customer_name'], wp_json_encode($proj));
$pid = (string) ($proj[0]['id'] ?? '');
$p = $dl->project($pid);
check('demo: the project has a change order (constraint version 2)', 2 === count($p['constraints']) && 'Extra reporting page' === (string) $p['constraints'][1]['change_order']['reason'], wp_json_encode($p['constraints']));
check('demo: milestones, one done and one pending', ['done', 'pending'] === array_column($p['milestones'], 'status'), wp_json_encode($p['milestones']));
check('demo: tasks in every status, each assigned', ['done', 'in_progress', 'todo'] === array_column($p['tasks'], 'status') && !in_array(null, array_column($p['tasks'], 'assignee'), true), wp_json_encode($p['tasks']));
$total = array_values(array_filter($p['variance'], static fn ($v) => 'project' === $v['scope']))[0] ?? null;
check('demo: approved time is past 80 % of sold (2160 of 2520 minutes)', null !== $total && 2160 === $total['delivered_minutes'] && 2520 === $total['sold_minutes'] && 80 === $total['threshold_reached'], wp_json_encode($total));
check('demo: the list shows the project past 80 %', 80 === $proj[0]['threshold_reached'] && 85 === $proj[0]['percent'], wp_json_encode($proj[0]));
$burn = $dl->projectBurnup($pid);
$n = count($burn['weeks']);
check('demo: the burn-up sums the two approved weeks against the sold line', $n >= 3 && 2160 === $burn['delivered'][$n - 1] && 2520 === $burn['sold'][$n - 1] && 2 === count($burn['versions']), wp_json_encode($burn));
$b3 = $dl->projectBurnup($pid, ['weeks' => 3]);
check('demo: the README\'s burn-up example holds (3 weeks)', [1140, 2160, 2160] === $b3['delivered'] && [1140, 1020, 0] === $b3['delivered_in_week'] && [2280, 2280, 2520] === $b3['sold'] && false === $b3['truncated'], wp_json_encode($b3));
$allocs = $dl->projectAllocations($pid);
check('demo: two allocations on the project', 2 === count($allocs), wp_json_encode($allocs));
$tickets = $dl->projectTickets($pid);
check('demo: one ticket linked to the project', 1 === $tickets['total'] && 'Portal login fails on Safari' === $tickets['items'][0]['subject'], wp_json_encode($tickets));
$queue = $dl->submittedTime(['per_page' => 50])['items'];
check('demo: an entry waits for approval on the project', [] !== array_filter($queue, static fn ($e) => $pid === $e['project_id']), wp_json_encode($queue));
$grace = (string) ($identity->listEmployees(['search' => 'grace@example.com'])['items'][0]['id'] ?? '');
$sent_back = [];
foreach ([0, 1] as $back) {
    $week = (new DateTimeImmutable((string) get_option('pet_demo_delivery_today')))->modify('-' . (7 * $back) . ' days')->format('Y-m-d');
    foreach ($dl->timesheet($grace, $week)['entries'] as $e) {
        if ('draft' === $e['status'] && null !== $e['sent_back_reason']) {
            $sent_back[] = $e;
        }
    }
}
check('demo: Grace has an entry sent back with its reason', 1 === count($sent_back), wp_json_encode($sent_back));
$mine = $dl->timesheet((string) Plugin::instance()->context()['actor_id'], (string) get_option('pet_demo_delivery_today'))['entries'];
check('demo: the current user has a draft today', [] !== array_filter($mine, static fn ($e) => 'draft' === $e['status'] && $pid === $e['project_id']), wp_json_encode($mine));

// The KPI demo: the headline KPIs defined and computed by the job, weekly ones over several
// weeks of history (the dashboard is populated).
$kp = new \Pet\Kpi(Plugin::engine_settings());
$dash = $kp->kpiDashboard(['periods' => 10]);
$tiles = [];
foreach ($dash['tiles'] as $t) {
    $tiles[$t['spec']['calculator']] = $t;
}
check('demo: the org dashboard has the headline KPIs, every backfill done', 7 === count($dash['tiles']) && [] === array_filter($dash['tiles'], static fn ($t) => 'done' !== $t['backfill_status']), wp_json_encode(array_map(static fn ($t) => [$t['name'], $t['backfill_status']], $dash['tiles'])));
$weeks_with = static fn (array $t): int => count(array_filter($t['series'], static fn ($r) => null !== $r['value']));
check('demo: utilisation has values over at least 8 weeks', isset($tiles['utilisation']) && $weeks_with($tiles['utilisation']) >= 8, wp_json_encode($tiles['utilisation']['series'] ?? null));
check('demo: billable ratio has values over at least 8 weeks, not all 100 %', isset($tiles['billable_ratio']) && $weeks_with($tiles['billable_ratio']) >= 8 && [] !== array_filter($tiles['billable_ratio']['series'], static fn ($r) => null !== $r['value'] && '100.0' !== $r['value']), wp_json_encode($tiles['billable_ratio']['series'] ?? null));
foreach (['quote_win_rate', 'reopen_rate', 'first_response_time', 'lead_qualification_rate'] as $c) {
    check("demo: $c has a current value", null !== ($tiles[$c]['current']['value'] ?? null), wp_json_encode($tiles[$c] ?? null));
}
$platform = '';
foreach ($identity->listTeams(['per_page' => 100])['items'] as $t) {
    if ('Platform' === $t['name']) {
        $platform = (string) $t['id'];
    }
}
$team = $kp->kpiDashboard(['team_id' => $platform, 'periods' => 10])['tiles'];
check('demo: the Platform team\'s utilisation has weekly values', 1 === count($team) && $weeks_with($team[0]) >= 8, wp_json_encode($team));
$proj_tiles = $kp->kpiDashboard(['project_id' => $pid])['tiles'];
check('demo: the portal project has its delivered-vs-sold KPI', 1 === count($proj_tiles) && 'sold_vs_delivered' === $proj_tiles[0]['spec']['calculator'] && null !== $proj_tiles[0]['current']['value'], wp_json_encode($proj_tiles));

check('demo: a second load does nothing', false === Demo::load() && $after === $counts(), wp_json_encode($counts()));

// An earlier version's demo: organisation only. The next load adds the modules' part once,
// replaying the organisation's commands by their idempotency keys (nothing doubled).
delete_option(Demo::MODULES_OPTION);
delete_option(Demo::OPTION);
delete_option(Demo::DELIVERY_OPTION);
delete_option(Demo::KPI_OPTION);
check('demo: re-running after a lost marker converges (idempotency keys)', true === Demo::load() && $after === $counts(), wp_json_encode($counts()));
