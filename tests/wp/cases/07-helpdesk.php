<?php
// Support desk module (wp-plugin/includes/modules/helpdesk): menu pages and their capabilities,
// admin-post actions (capability, nonce, field errors kept for the SLA editor, nothing written
// on refusal), the SLA job enqueued on the cron hook before the job runner, the test-clock
// action only in test builds, and the pet/v1 ticket and SLA routes with their HTTP statuses.

use PetWp\Plugin;

// Earlier cases may have uninstalled PET's tables and roles: activate again (idempotent).
$admin = reactivate_pet('helpdesk');

$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$kb = new \Pet\Knowledge(Plugin::engine_settings());
$engine = Plugin::instance()->engine();
$identity = Plugin::instance()->identity();
$ctx = Plugin::instance()->context();
$tickets = static fn (): int => (int) $hd->listTickets(['per_page' => 1])['total'];
$slas = static fn (): int => (int) $hd->listSlaDefinitions(['per_page' => 1])['total'];

/** The editor's form fields for an SLA. */
function hd_sla_post(string $name, string $normal_first_response = '60'): array
{
    $day = [['start' => '09:00', 'end' => '17:00'], ['start' => '', 'end' => '']];
    return [
        'name' => $name,
        'timezone' => 'Europe/Berlin',
        'hours' => ['mon' => $day, 'tue' => $day, 'wed' => $day, 'thu' => $day, 'fri' => $day, 'sat' => [['start' => '', 'end' => '']]],
        'holidays' => "2030-12-25\n2030-12-26",
        'pause_statuses' => ['waiting_on_customer'],
        'warning_percent' => '75',
        'always_on' => ['urgent'],
        'targets' => [
            'low' => ['first_response_minutes' => '480', 'resolution_minutes' => '2400'],
            'normal' => ['first_response_minutes' => $normal_first_response, 'resolution_minutes' => '240'],
            'high' => ['first_response_minutes' => '30', 'resolution_minutes' => '120'],
            'urgent' => ['first_response_minutes' => '15', 'resolution_minutes' => '60'],
        ],
    ];
}

// ---- menu ----------------------------------------------------------------------------------
global $submenu;
$menu_slugs = static function (): array {
    global $submenu;
    $submenu = [];
    do_action('admin_menu');
    return array_column($submenu['pet-employees'] ?? [], 1, 2);
};
$slugs = $menu_slugs();
check('helpdesk: Tickets and SLA definitions pages under PET, readable with pet_view_support',
    'pet_view_support' === ($slugs['pet-tickets'] ?? null) && 'pet_view_support' === ($slugs['pet-slas'] ?? null), wp_json_encode($slugs));
login_as_role('subscriber');
$slugs = $menu_slugs();
check('helpdesk: a subscriber gets no Tickets page', !isset($slugs['pet-tickets']), wp_json_encode($slugs));
wp_set_current_user(0);
login_admin();

// ---- SLA definitions (pet_manage_support) ----------------------------------------------------------
$stamp = bin2hex(random_bytes(3));
login_as_role('pet_staff');
$before = $slas();
$out = run_admin_post('save_sla_definition', hd_sla_post("Staff SLA $stamp"));
check('helpdesk: PET Staff cannot create an SLA definition: 403', 'die:403' === $out, $out);
login_admin();
$out = run_admin_post('save_sla_definition', hd_sla_post("Nonce SLA $stamp"), 'not-a-nonce');
check('helpdesk: a bad nonce is refused', str_starts_with($out, 'die:'), $out);
check('helpdesk: refused SLA actions wrote nothing', $before === $slas());

queued_notices();
$out = run_admin_post('save_sla_definition', hd_sla_post("Bad SLA $stamp", '0'));
$kept = get_transient('pet_sla_form_' . $admin);
check('helpdesk: a rejected SLA redirects back with an error notice',
    str_starts_with($out, 'redirect:') && 'error' === (queued_notices()[0]['type'] ?? ''), $out);
check('helpdesk: the rejected SLA form keeps the input and the engine\'s field error',
    is_array($kept) && "Bad SLA $stamp" === $kept['values']['name'] && '0' === $kept['values']['targets']['normal']['first_response_minutes']
    && isset($kept['fields']['spec.targets.normal.first_response_minutes']), wp_json_encode($kept));
delete_transient('pet_sla_form_' . $admin);
$out = run_admin_post('save_sla_definition', hd_sla_post("Bad SLA $stamp", 'soon'));
$kept = get_transient('pet_sla_form_' . $admin);
check('helpdesk: a target that is not a number is a field error', isset($kept['fields']['spec.targets.normal.first_response_minutes']), wp_json_encode($kept));
delete_transient('pet_sla_form_' . $admin);
check('helpdesk: rejected SLAs wrote nothing', $before === $slas());

queued_notices();
$out = run_admin_post('save_sla_definition', hd_sla_post("Good SLA $stamp"));
check('helpdesk: admin creates an SLA definition and lands on it', str_contains($out, 'page=pet-slas&id=') || str_contains($out, 'page=pet-slas&amp;id='), $out);
check('helpdesk: one SLA definition more', $before + 1 === $slas());
parse_str((string) parse_url(substr($out, 9), PHP_URL_QUERY), $q);
$sla_id = (string) ($q['id'] ?? '');
$sla = $hd->getSlaDefinition($sla_id);
check('helpdesk: the spec is the form\'s (calendar, blank ranges left out, targets, 24/7)',
    'Europe/Berlin' === $sla['spec']['calendar']['timezone'] && 1 === count($sla['spec']['calendar']['working_hours']['mon'])
    && !isset($sla['spec']['calendar']['working_hours']['sat']) && ['2030-12-25', '2030-12-26'] === $sla['spec']['calendar']['holidays']
    && 240 === $sla['spec']['targets']['normal']['resolution_minutes'] && ['urgent'] === $sla['spec']['always_on'] && 75 === $sla['spec']['warning_percent'],
    wp_json_encode($sla['spec']));

// ---- tickets (pet_work) --------------------------------------------------------------------
$customer = $identity->createCustomer(['name' => "Helpdesk WP $stamp"], $ctx);
$ticket_post = ['customer_id' => $customer['id'], 'subject' => "Printer on fire $stamp", 'priority' => 'normal', 'channel' => 'phone', 'sla_definition_id' => $sla_id];
$before = $tickets();
login_as_role('subscriber');
$out = run_admin_post('create_ticket', $ticket_post);
check('helpdesk: a subscriber cannot open a ticket: 403', 'die:403' === $out, $out);
login_as_role('pet_staff');
check('helpdesk: PET Staff (no support area) cannot open a ticket: 403', 'die:403' === run_admin_post('create_ticket', $ticket_post));
login_as_role('pet_support');
queued_notices();
$out = run_admin_post('create_ticket', $ticket_post);
$n = queued_notices();
check('helpdesk: support users without a linked employee get the "no employee" error, nothing written',
    str_starts_with($out, 'redirect:') && 'error' === ($n[0]['type'] ?? '') && $before === $tickets(), $out . ' ' . wp_json_encode($n));
wp_set_current_user(0);
login_admin();
$out = run_admin_post('create_ticket', $ticket_post);
check('helpdesk: admin opens a ticket and lands on it', str_contains($out, 'page=pet-tickets'), $out);
check('helpdesk: one ticket more', $before + 1 === $tickets());
$list = $hd->listTickets(['search' => "Printer on fire $stamp"]);
$tid = (string) ($list['items'][0]['id'] ?? '');
$t = $hd->getTicket($tid);
check('helpdesk: the ticket is pinned to the SLA\'s version 1', $sla_id === $t['sla']['definition_id'] && 1 === $t['sla']['definition_version'] && 'phone' === $t['channel'], wp_json_encode($t['sla']));

run_admin_post('reply_ticket', ['id' => $tid, 'body' => "Line one\nLine two", 'visibility' => 'internal']);
$t = $hd->getTicket($tid);
check('helpdesk: an internal note keeps its line breaks and is internal',
    "Line one\nLine two" === ($t['replies'][0]['body'] ?? null) && 'internal' === $t['replies'][0]['visibility'] && null === $t['first_response_at'],
    wp_json_encode($t['replies']));
run_admin_post('ticket_status', ['id' => $tid, 'to' => 'open']);
run_admin_post('ticket_status', ['id' => $tid, 'to' => 'resolved']);
queued_notices();
run_admin_post('reopen_ticket', ['id' => $tid, 'reason' => '']);
check('helpdesk: reopening without a reason is refused and changes nothing',
    'error' === (queued_notices()[0]['type'] ?? '') && 'resolved' === $hd->getTicket($tid)['status']);
run_admin_post('reopen_ticket', ['id' => $tid, 'reason' => 'Still on fire']);
$t = $hd->getTicket($tid);
check('helpdesk: reopen with a reason: open again, reason kept as an internal note',
    'open' === $t['status'] && 'internal' === end($t['replies'])['visibility'] && str_contains(end($t['replies'])['body'], 'Still on fire'),
    wp_json_encode(['status' => $t['status'], 'replies' => $t['replies']]));

$article = $kb->createArticle(['category' => 'Printers', 'slug' => "printer-fire-$stamp", 'title' => "Printer fires $stamp", 'body' => 'Use the extinguisher.', 'publish' => true], $ctx);
run_admin_post('link_ticket_article', ['id' => $tid, 'article_id' => $article['id']]);
$t = $hd->getTicket($tid);
check('helpdesk: an article is linked from the ticket', $article['id'] === ($t['linked_articles'][0]['id'] ?? null), wp_json_encode($t['linked_articles']));

// ---- cron ----------------------------------------------------------------------------------
$prio = has_action(Plugin::CRON_HOOK, 'PetWp\\Modules\\Helpdesk\\enqueue_sla_job');
check('helpdesk: the SLA job is enqueued on the cron hook before the job runner', is_int($prio) && $prio < 10, var_export($prio, true));
$done_sla_jobs = static function () use ($engine): int {
    $n = 0;
    foreach ($engine->listJobs(['status' => 'done', 'per_page' => 100])['items'] as $j) {
        $n += 'sla.evaluate' === ($j['kind'] ?? '') ? 1 : 0;
    }
    return $n;
};
$done_before = $done_sla_jobs();
do_action(Plugin::CRON_HOOK);
check('helpdesk: one cron tick runs the SLA job through the queue', $done_sla_jobs() === $done_before + 1, wp_json_encode($engine->listJobs(['per_page' => 5])));

// ---- test clock ----------------------------------------------------------------------------
$has = false !== has_action('admin_post_pet_run_sla_job_at');
check('helpdesk: the "Run SLA job at" action exists exactly when the build has the test clock', $has === \Pet\Helpdesk::testClockAvailable(), var_export($has, true));
if ($has) {
    login_as_role('pet_manager');
    $out = run_admin_post('run_sla_job_at', ['at' => '2030-01-07T12:00:00Z']);
    check('helpdesk: a PET manager (no manage_options) cannot run the test clock: 403', 'die:403' === $out, $out);
    login_admin();
    queued_notices();
    $out = run_admin_post('run_sla_job_at', ['at' => '2030-01-07T12:00:00Z']);
    $n = queued_notices();
    check('helpdesk: admin runs the SLA job at a given time', 'success' === ($n[0]['type'] ?? '') && str_contains($n[0]['message'], '2030-01-07T12:00:00'), wp_json_encode($n));
}

// ---- REST ----------------------------------------------------------------------------------
$routes = array_keys(rest_get_server()->get_routes());
check('helpdesk: REST routes for tickets and SLA definitions',
    in_array('/pet/v1/tickets', $routes, true) && in_array('/pet/v1/sla-definitions', $routes, true)
    && (bool) preg_grep('#^/pet/v1/tickets/\(\?P<id>[^)]*\)/replies$#', $routes), implode(', ', preg_grep('#^/pet/v1/(tickets|sla)#', $routes)));
wp_set_current_user(0);
check('helpdesk: REST GET /tickets logged out: 401', 401 === rest_call('GET', '/pet/v1/tickets')->get_status());
login_as_role('subscriber');
check('helpdesk: REST GET /tickets as subscriber: 403', 403 === rest_call('GET', '/pet/v1/tickets')->get_status());
login_as_role('pet_staff');
check('helpdesk: REST GET /tickets as PET Staff (no support area): 403', 403 === rest_call('GET', '/pet/v1/tickets')->get_status());
$r = rest_call('POST', '/pet/v1/sla-definitions', ['name' => 'x', 'spec' => $sla['spec']]);
check('helpdesk: REST POST /sla-definitions as staff: 403', 403 === $r->get_status(), (string) $r->get_status());
login_as_role('pet_support');
$r = rest_call('GET', '/pet/v1/tickets');
check('helpdesk: REST GET /tickets as PET Support: 200 with a list', 200 === $r->get_status() && isset($r->get_data()['items']), (string) $r->get_status());
$r = rest_call('POST', '/pet/v1/tickets', ['customer_id' => $customer['id'], 'subject' => 'Staff REST']);
check('helpdesk: REST POST /tickets as support without an employee: 403 pet_no_employee',
    403 === $r->get_status() && 'pet_no_employee' === ($r->get_data()['code'] ?? ''), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
wp_set_current_user(0);
login_admin();
$before = $tickets();
$r = rest_call('POST', '/pet/v1/tickets', ['customer_id' => $customer['id'], 'subject' => "REST ticket $stamp", 'priority' => 'critical']);
check('helpdesk: REST invalid priority: 400 with field_errors.priority',
    400 === $r->get_status() && isset(((array) ($r->get_data()['data']['field_errors'] ?? []))['priority']) && $before === $tickets(),
    $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$r = rest_call('POST', '/pet/v1/tickets', ['customer_id' => $customer['id'], 'subject' => "REST ticket $stamp", 'priority' => 'high', 'sla_definition_id' => $sla_id]);
check('helpdesk: REST POST /tickets as admin: 201', 201 === $r->get_status() && $before + 1 === $tickets(), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$rt = (string) ($r->get_data()['id'] ?? '');
$r = rest_call('POST', "/pet/v1/tickets/$rt/status", ['status' => 'open']);
check('helpdesk: REST status change: 200, open', 200 === $r->get_status() && 'open' === ($r->get_data()['status'] ?? ''), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/tickets/$rt/replies", ['body' => "Hi,\nfixed.", 'visibility' => 'public']);
check('helpdesk: REST reply: 201, line breaks kept, first response recorded',
    201 === $r->get_status() && "Hi,\nfixed." === ($r->get_data()['replies'][0]['body'] ?? null) && null !== $r->get_data()['first_response_at'],
    $r->get_status() . ' ' . wp_json_encode($r->get_data()));
rest_call('POST', "/pet/v1/tickets/$rt/resolve");
$r = rest_call('POST', "/pet/v1/tickets/$rt/close");
check('helpdesk: REST resolve and close: closed', 200 === $r->get_status() && 'closed' === ($r->get_data()['status'] ?? ''), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/tickets/$rt/replies", ['body' => 'hello?']);
check('helpdesk: REST reply to a closed ticket: 422', 422 === $r->get_status(), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/tickets/00000000-0000-7000-8000-000000000000');
check('helpdesk: REST unknown ticket: 404', 404 === $r->get_status(), (string) $r->get_status());
$q = new WP_REST_Request('GET', '/pet/v1/tickets');
$q->set_query_params(['sla_state' => 'bogus']);
$r = rest_do_request($q);
check('helpdesk: REST bad filter: 400', 400 === $r->get_status(), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$spec = $sla['spec'];
$spec['targets']['normal']['resolution_minutes'] = 300;
$r = rest_call('POST', "/pet/v1/sla-definitions/$sla_id/versions", ['spec' => $spec]);
check('helpdesk: REST publish SLA version 2: 201', 201 === $r->get_status() && 2 === ($r->get_data()['current_version'] ?? null), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
check('helpdesk: tickets keep their SLA version', 1 === $hd->getTicket($tid)['sla']['definition_version']);
