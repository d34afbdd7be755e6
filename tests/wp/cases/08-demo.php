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
$counts = static fn (): array => [
    'employees' => $identity->listEmployees(['per_page' => 1])['total'],
    'customers' => $identity->listCustomers(['per_page' => 1])['total'],
    'leads' => $sales->listLeads(['per_page' => 1])['total'],
    'opportunities' => $sales->listOpportunities(['per_page' => 1])['total'],
    'quotes' => $sales->listQuotes(['per_page' => 1])['total'],
    'tickets' => $hd->listTickets(['per_page' => 1])['total'],
    'slas' => $hd->listSlaDefinitions(['per_page' => 1])['total'],
    'articles' => $kb->listArticles(['per_page' => 1])['total'],
];

delete_option(Demo::OPTION);
delete_option(Demo::MODULES_OPTION);
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
check('demo: every module got data (employees, customers, leads, opportunities, quotes, tickets, SLAs, articles)', [] === $grew, 'did not grow: ' . implode(',', $grew));
$found = $kb->searchArticles(['q' => 'invoices']);
check('demo: the knowledge search finds a demo article', $found['total'] >= 1, wp_json_encode($found));
check('demo: a second load does nothing', false === Demo::load() && $after === $counts(), wp_json_encode($counts()));

// An earlier version's demo: organisation only. The next load adds the modules' part once,
// replaying the organisation's commands by their idempotency keys (nothing doubled).
delete_option(Demo::MODULES_OPTION);
delete_option(Demo::OPTION);
check('demo: re-running after a lost marker converges (idempotency keys)', true === Demo::load() && $after === $counts(), wp_json_encode($counts()));
