<?php
// Event log audit: verification from Settings and REST (administrators only), health turning
// red on tampering and naming the first bad sequence, the streamed export, the REST write
// limit (429 + Retry-After) and refused permission checks.
global $wpdb;
// Earlier cases may have uninstalled PET's tables and roles: activate again (idempotent).
reactivate_pet('audit');
$plugin = \PetWp\Plugin::instance();
$engine = $plugin->engine();
$identity = $plugin->identity();
$identity->createCustomer(['name' => 'Audit Customer'], $plugin->context());
$head = (int) $engine->chainStatus()['head']['sequence'];
check('the log has events', $head >= 2, (string) $head);

// Refusals: a PET manager is not an administrator.
login_as_role('pet_manager');
check('pet_manager: verify_chain action refused', 'die:403' === run_admin_post('verify_chain', ['mode' => 'full']));
check('pet_manager: export download refused', 'die:403' === run_admin_post('export_events', []));
check('pet_manager: REST GET /audit/chain 403', 403 === rest_call('GET', '/pet/v1/audit/chain')->get_status());
check('pet_manager: REST POST /audit/chain/verify 403', 403 === rest_call('POST', '/pet/v1/audit/chain/verify', ['mode' => 'full'])->get_status());
check('pet_manager: REST GET /audit/export 403', 403 === rest_call('GET', '/pet/v1/audit/export')->get_status());
login_admin();
check('admin: export without a nonce refused', str_starts_with(run_admin_post('export_events', [], 'bad'), 'die:'));
check('admin: export by GET refused', 'die:405' === run_admin_post('export_events', [], 'valid', 'GET'));

// Verify from Settings and REST.
$out = run_admin_post('verify_chain', ['mode' => 'full']);
$notices = queued_notices();
check('admin: verify action runs', str_starts_with($out, 'redirect:'), $out);
check('admin: success notice says how far', str_contains(wp_json_encode($notices), 'verified up to event ' . $head), wp_json_encode($notices));
$out = run_admin_post('verify_chain', ['mode' => 'everything']);
check('admin: a bad mode is refused with a notice', str_starts_with($out, 'redirect:') && str_contains(wp_json_encode(queued_notices()), 'error'), $out);
$r = rest_call('POST', '/pet/v1/audit/chain/verify', ['mode' => 'full']);
check('REST verify: 200 and ok', 200 === $r->get_status() && true === $r->get_data()['ok'], wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/audit/chain');
check('REST status: ok, head hash', 200 === $r->get_status() && 'ok' === $r->get_data()['status'] && 64 === strlen($r->get_data()['head']['hash']), wp_json_encode($r->get_data()));
$html = render_admin_screen('pet-settings', static fn () => (new \PetWp\Admin($plugin))->page_settings(), []);
check('Settings shows the audit and the head fingerprint', str_contains($html, 'pet-chain-status') && str_contains($html, $head . ':' . $r->get_data()['head']['hash']), substr($html, 0, 300));

// The export, streamed: header, one line per event, end line.
$text = '';
ob_start(static function (string $buf) use (&$text): string {
    $text .= $buf;
    return '';
});
\PetWp\Admin::stream_export($engine, false);
ob_end_flush();
$lines = array_values(array_filter(explode("\n", $text), static fn ($l) => '' !== $l));
$first = json_decode($lines[0] ?? '', true);
$last = json_decode(end($lines) ?: '', true);
check('export: header line', 'pet-event-log' === ($first['format'] ?? null) && $head === ($first['head']['sequence'] ?? null), $lines[0] ?? '');
check('export: one line per event', count($lines) === $head + 2, (string) count($lines));
check('export: end line', $head === ($last['end']['events'] ?? null), (string) end($lines));

// Tampering: health turns red naming the first bad sequence; a full verification reports it.
$t = $wpdb->prefix . 'pet_domain_events';
$wpdb->query("DROP TRIGGER IF EXISTS {$wpdb->prefix}pet_domain_events_no_update");
$wpdb->query($wpdb->prepare("UPDATE {$t} SET payload = REPLACE(payload, %s, %s) WHERE id = %d", '"Audit Customer"', '"Mallory"', $head));
$engine->migrate();
$r = rest_call('POST', '/pet/v1/audit/chain/verify', ['mode' => 'full']);
$d = $r->get_data();
check('tampered: verify says not ok at the edited event', false === $d['ok'] && $head === $d['fault']['sequence'] && 'altered' === $d['fault']['kind'], wp_json_encode($d));
$health = $engine->health();
check('tampered: health red naming the sequence', false === $health['ok'] && str_contains($health['checks']['event_chain']['message'], "sequence $head"), wp_json_encode($health['checks']['event_chain']));
$out = run_admin_post('verify_chain', ['mode' => 'full']);
check('tampered: Settings verify gives an error notice naming it', str_contains(wp_json_encode(queued_notices()), 'first bad sequence ' . $head), $out);
// Put it back (the same bytes): verifies again.
$wpdb->query("DROP TRIGGER IF EXISTS {$wpdb->prefix}pet_domain_events_no_update");
$wpdb->query($wpdb->prepare("UPDATE {$t} SET payload = REPLACE(payload, %s, %s) WHERE id = %d", '"Mallory"', '"Audit Customer"', $head));
$engine->migrate();
$r = rest_call('POST', '/pet/v1/audit/chain/verify', ['mode' => 'full']);
check('restored: verifies and health is green', true === $r->get_data()['ok'] && true === $engine->health()['checks']['event_chain']['ok'], wp_json_encode($r->get_data()));

// REST write limit: the third write in a minute gets 429 with Retry-After.
update_option(\PetWp\Rest::OPTION_WRITE_LIMIT, 2);
$wpdb->query("DELETE FROM {$wpdb->prefix}pet_rate_limits");
$codes = [];
$last = null;
for ($i = 0; $i < 3; $i++) {
    $last = rest_call('POST', '/pet/v1/audit/chain/verify', ['mode' => 'incremental']);
    $codes[] = $last->get_status();
}
check('write limit: 200, 200, 429', [200, 200, 429] === $codes, wp_json_encode($codes));
$retry = (int) ($last->get_headers()['Retry-After'] ?? 0);
check('write limit: Retry-After within the minute', $retry >= 1 && $retry <= 60, (string) $retry);
check('write limit: reads are not limited', 200 === rest_call('GET', '/pet/v1/audit/chain')->get_status());
update_option(\PetWp\Rest::OPTION_WRITE_LIMIT, 0);
// History of the customer: its creation event, with the line and payload.
$customer_id = json_decode($lines[$head] ?? '{}', true)['context_id'] ?? '';
$r = rest_call('GET', '/pet/v1/history', [], ['context_type' => 'customer', 'context_id' => $customer_id]);
$items = $r->get_data()['items'] ?? [];
check('REST history: the customer\'s events', 200 === $r->get_status() && 1 === count($items) && 'customer.created' === $items[0]['event_type'] && 'Audit Customer' === $items[0]['payload_recorded']['name'], wp_json_encode($r->get_data()));
$html = render_admin_screen('pet-history', static fn () => (new \PetWp\Admin($plugin))->page_history(), ['context_type' => 'customer', 'context_id' => $customer_id]);
check('History screen lists the event', str_contains($html, 'customer.created') && str_contains($html, 'Audit Customer'), substr(wp_strip_all_tags($html), 0, 300));
$me = (string) ($plugin->employee_for_user()['id'] ?? '');
$r = rest_call('GET', '/pet/v1/history/state', [], ['aggregate_type' => 'employee', 'id' => $me, 'at' => gmdate('Y-m-d')]);
check('REST state as of today: the admin\'s employee exists', 200 === $r->get_status() && true === $r->get_data()['exists'] && $r->get_data()['events_applied'] >= 1, wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/history/state', [], ['aggregate_type' => 'employee', 'id' => $me, 'at' => '2000-01-01']);
check('REST state as of 2000: did not exist yet', 200 === $r->get_status() && false === $r->get_data()['exists'], wp_json_encode($r->get_data()));
check('REST state as of a bad date: 400', 400 === rest_call('GET', '/pet/v1/history/state', [], ['aggregate_type' => 'employee', 'id' => $me, 'at' => 'soon'])->get_status());
$html = render_admin_screen('pet-history', static fn () => (new \PetWp\Admin($plugin))->page_history(), ['context_type' => 'employee', 'context_id' => $me, 'at' => gmdate('Y-m-d')]);
check('History screen rebuilds an employee as of a date', str_contains($html, 'Rebuilt from') && str_contains($html, 'pet-history-at'), substr(wp_strip_all_tags($html), 0, 300));
login_as_role('subscriber');
check('subscriber: REST history 403', 403 === rest_call('GET', '/pet/v1/history', [], ['context_type' => 'customer', 'context_id' => $customer_id])->get_status());
login_admin();
check('write limit 0: no limit', 200 === rest_call('POST', '/pet/v1/audit/chain/verify', ['mode' => 'incremental'])->get_status());
delete_option(\PetWp\Rest::OPTION_WRITE_LIMIT);
