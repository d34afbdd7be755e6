<?php
// KPI module (wp-plugin/includes/modules/kpi): defining a KPI refuses a missing capability, a
// bad nonce and a GET (with a positive control, nothing written on refusal); the KPI job
// (run from the screen's button) backfills it; the Dashboard shows its tile and chart with
// the table alternative, the KPI page its versions, the explanation its facts; publishing
// version 2 keeps version 1's results; the pet/v1 KPI routes answer (results with as_of,
// explanation, dashboard) and map the engine's refusals to 400 / 403 / 404; the CSV export
// needs its nonce; the WordPress Dashboard widget renders.

use PetWp\Plugin;

$admin = reactivate_pet('kpi');
$plugin = Plugin::instance();
$k = new \Pet\Kpi(Plugin::engine_settings());
$tag = bin2hex(random_bytes(3));
$count = static fn (): int => (int) $k->listKpis()['total'];
$screen = static function (string $page, string $method, array $get) use ($plugin): string {
    $_POST = [];
    return render_admin_screen($page, static fn () => (new \PetWp\Modules\Kpi\Kpi_Admin($plugin))->$method(), $get);
};

$name = "Billable ratio $tag";
$form = ['name' => $name, 'calculator' => 'billable_ratio', 'scope' => 'org', 'grain' => 'month', 'target' => '80'];
$before = $count();
login_as_role('subscriber');
check('subscriber: kpi_define refused with 403', 'die:403' === run_admin_post('kpi_define', $form));
login_as_role('pet_staff');
check('staff (pet_work): kpi_define refused with 403', 'die:403' === run_admin_post('kpi_define', $form));
login_admin();
check('admin, bad nonce: refused with 403', 'die:403' === run_admin_post('kpi_define', $form, 'bad'));
check('admin, GET: refused with 405', 'die:405' === run_admin_post('kpi_define', $form, 'valid', 'GET'));
check('nothing defined by a refused action', $count() === $before);
// A calculator that cannot be scoped so: the engine's refusal, nothing written.
run_admin_post('kpi_define', ['calculator' => 'utilisation', 'scope' => 'customer', 'scope_customer' => wp_generate_uuid4()] + $form);
$n = queued_notices();
check('utilisation by customer refused with the reason', $count() === $before && str_contains(wp_json_encode($n), 'scope'), wp_json_encode($n));
run_admin_post('kpi_define', $form);
check('admin: KPI defined', $count() === $before + 1);
$kpi = null;
foreach ($k->listKpis(['per_page' => 100])['items'] as $item) {
    if ($item['name'] === $name) {
        $kpi = $item;
    }
}
check('the new KPI is listed with its backfill pending', null !== $kpi && 'pending' === $kpi['current']['backfill_status']);
$kid = (string) ($kpi['id'] ?? '');

run_admin_post('kpi_run', []);
$kpi = $k->getKpi($kid);
check('the job backfilled it', 'done' === $kpi['versions'][0]['backfill_status'], wp_json_encode($kpi['versions'][0]));

$html = $screen('pet-dashboard', 'page_dashboard', []);
check('dashboard: the tile', str_contains($html, esc_html($name)) && str_contains($html, 'pet-kpi-tile'));
check('dashboard: a chart with its table alternative', str_contains($html, 'data-pet-chart') && str_contains($html, 'Show as a table'));
check('dashboard: the CSV export link carries a nonce', (bool) preg_match('/export=csv[^"]*_wpnonce=/', html_entity_decode($html)));
$html = $screen('pet-kpis', 'page_kpis', ['id' => $kid]);
check('KPI page: version 1 and the publish form', str_contains($html, 'pet-kpi-version-1') && str_contains($html, 'pet_kpi_publish'));
$today = \PetWp\Input::today();
$html = $screen('pet-kpis', 'page_kpis', ['id' => $kid, 'version' => '1', 'period' => $today]);
check('explanation: the totals', str_contains($html, 'pet-kpi-parts') && str_contains($html, 'Total'));

run_admin_post('kpi_publish', ['id' => $kid, 'calculator' => 'billable_ratio', 'scope' => 'org', 'grain' => 'week']);
$kpi = $k->getKpi($kid);
check('version 2 published', 2 === (int) $kpi['current_version']);
run_admin_post('kpi_run', []);
$html = $screen('pet-kpis', 'page_kpis', ['id' => $kid]);
check('KPI page: both versions', str_contains($html, 'pet-kpi-version-1') && str_contains($html, 'pet-kpi-version-2'));

// REST
$r = rest_call('GET', "/pet/v1/kpis/$kid/results", [], ['version' => '1', 'periods' => '3']);
check('GET /kpis/<id>/results: 200, three periods of version 1', 200 === $r->get_status() && 1 === (int) $r->get_data()['version'] && 3 === count($r->get_data()['results']));
$r = rest_call('GET', "/pet/v1/kpis/$kid/results", [], ['as_of' => '2020-01-01T00:00:00Z']);
check('GET results as_of: 200, nothing known then', 200 === $r->get_status() && [] === array_filter(array_column($r->get_data()['results'], 'value')));
$r = rest_call('GET', "/pet/v1/kpis/$kid/results", [], ['as_of' => 'yesterday']);
check('GET results with a bad as_of: 400', 400 === $r->get_status());
$r = rest_call('GET', "/pet/v1/kpis/$kid/explanation", [], ['version' => '1', 'period' => $today]);
check('GET /kpis/<id>/explanation: 200 with parts', 200 === $r->get_status() && isset($r->get_data()['result']['parts']));
check('GET /kpis/<unknown>: 404', 404 === rest_call('GET', '/pet/v1/kpis/' . wp_generate_uuid4())->get_status());
$r = rest_call('POST', '/pet/v1/kpis', ['name' => 'x', 'calculator' => 'nothing']);
check('POST /kpis with a bad calculator: 400', 400 === $r->get_status());
check('GET /kpi-dashboard: 200', 200 === rest_call('GET', '/pet/v1/kpi-dashboard')->get_status());
login_as_role('pet_staff');
check('staff: POST /kpis refused (403)', 403 === rest_call('POST', '/pet/v1/kpis', $form)->get_status());
check('staff: GET /kpis refused (403: KPIs are in the settings area)', 403 === rest_call('GET', '/pet/v1/kpis')->get_status());
login_as_role('pet_manager');
check('manager: GET /kpis allowed', 200 === rest_call('GET', '/pet/v1/kpis')->get_status());
login_admin();

// The WordPress Dashboard widget.
ob_start();
(new \PetWp\Modules\Kpi\Kpi_Admin($plugin))->render_widget();
$w = (string) ob_get_clean();
check('widget: the headline KPIs table', str_contains($w, 'pet-kpi-widget') || str_contains($w, 'No org-wide KPI'));

// The scope fields: a team chosen in its picker (by id), another team and an employee typed
// without a script (the picker's server fallback), the KPIs list paged (a flat list with
// cursors).
$identity = $plugin->identity();
$team = $identity->createTeam(['name' => "KPI team $tag"], $plugin->context());
$emp = $identity->createEmployee(['name' => "Kpi Person $tag", 'email' => "kpi-$tag@example.com"], $plugin->context());
run_admin_post('kpi_define', ['name' => "Team util $tag", 'calculator' => 'utilisation', 'scope' => 'team', 'scope_team' => (string) $team['id'], 'grain' => 'week', 'target' => '']);
$team2 = $identity->createTeam(['name' => "KPI typed team $tag"], $plugin->context());
run_admin_post('kpi_define', ['name' => "Typed team util $tag", 'calculator' => 'utilisation', 'scope' => 'team', 'scope_team' => '', 'scope_team_q' => "KPI typed team $tag", 'grain' => 'week', 'target' => '']);
run_admin_post('kpi_define', ['name' => "Person util $tag", 'calculator' => 'utilisation', 'scope' => 'employee', 'scope_employee' => '', 'scope_employee_q' => "Kpi Person $tag", 'grain' => 'week', 'target' => '']);
$scoped = [];
$query = ['per_page' => 2];
$pages = 0;
do {
    $page = $k->listKpis($query);
    $pages++;
    foreach ($page['items'] as $item) {
        $scoped[$item['name']] = $item;
    }
    $query = ['per_page' => 2, 'after' => (string) $page['next']];
} while (null !== $page['next'] && $pages < 100);
check('list: paged two at a time, every KPI seen once', count($scoped) === $count() && $pages >= 2, wp_json_encode(array_keys($scoped)));
check('form: the team from its picker', 'team' === ($scoped["Team util $tag"]['current']['spec']['scope']['kind'] ?? null) && (string) $team['id'] === $scoped["Team util $tag"]['current']['spec']['scope']['id'], wp_json_encode($scoped["Team util $tag"] ?? null));
check('form: the team typed by name (no script)', (string) $team2['id'] === ($scoped["Typed team util $tag"]['current']['spec']['scope']['id'] ?? null), wp_json_encode($scoped["Typed team util $tag"] ?? null));
check('form: the employee typed by name (no script)', (string) $emp['id'] === ($scoped["Person util $tag"]['current']['spec']['scope']['id'] ?? null), wp_json_encode($scoped["Person util $tag"] ?? null));
$html = $screen('pet-kpis', 'page_kpis', []);
check('KPIs screen: a type-ahead picker for each scope (no list of every team)', str_contains($html, 'data-pet-picker="projects"') && str_contains($html, 'data-pet-picker="employees"') && str_contains($html, 'data-pet-picker="teams"') && ! str_contains($html, "KPI team $tag"));

// The dashboard's filter: a kind and a type-ahead picker per kind (any number of teams,
// employees, customers, projects); the team chosen by id, the employee typed by name (no
// script: the picker's search resolves it), each showing only its own KPIs.
$html = $screen('pet-dashboard', 'page_dashboard', ['scope' => 'team', 'team_id' => (string) $team['id']]);
check('dashboard filter: pickers for the four kinds', str_contains($html, 'data-pet-picker="teams"') && str_contains($html, 'data-pet-picker="employees"') && str_contains($html, 'data-pet-picker="customers"') && str_contains($html, 'data-pet-picker="projects"'));
check('dashboard filter: the team\'s KPI only', str_contains($html, esc_html("Team util $tag")) && !str_contains($html, esc_html("Person util $tag")) && !str_contains($html, esc_html($name)));
check('dashboard filter: the team\'s name in its picker, the CSV link keeps the filter', str_contains($html, 'value="' . esc_attr("KPI team $tag") . '"') && str_contains(html_entity_decode($html), 'team_id=' . $team['id']));
$html = $screen('pet-dashboard', 'page_dashboard', ['scope' => 'employee', 'employee_id' => '', 'employee_id_q' => "Kpi Person $tag"]);
check('dashboard filter: an employee typed by name (no script)', str_contains($html, esc_html("Person util $tag")) && !str_contains($html, esc_html("Team util $tag")));
$html = $screen('pet-dashboard', 'page_dashboard', ['scope' => 'team', 'team_id' => '']);
check('dashboard filter: a kind without an entity shows the whole firm', str_contains($html, esc_html($name)) && !str_contains($html, esc_html("Team util $tag")));
$found = $identity->listTeams(['search' => strtoupper("KPI team $tag")]);
check('teams: searched by a part of the name, any case', 1 === count($found['items']) && (string) $team['id'] === (string) $found['items'][0]['id'], wp_json_encode($found));
