<?php
// Accounting (issue 12) against the QuickBooks Online stand-in (tests/qbo-standin/standin.py,
// started here on a free port, as the cargo tests start it): the credentials saved, Connect
// sends the admin to the stand-in's authorisation page and its redirect back finishes the
// OAuth round trip (connected); approved billable time waits, with the reason on the
// QuickBooks screen, until its employee is mapped; then "Push and reconcile now" makes exactly
// one TimeActivity; a bookkeeper's edit shows as mismatched (REST list filtered by
// reconciliation), the REST re-push updates it in place and it matches again; an adjustment
// of the approved entry over REST brings the same TimeActivity to the new total; an accepted
// quote becomes exactly one invoice though QuickBooks answers 500 after taking it, matched, and
// the REST totals agree to the minor unit in every month and currency. The mapping
// action needs its nonce; the REST routes refuse a subscriber.

use PetWp\Modules\Accounting\Accounting_Admin;
use PetWp\Plugin;

reactivate_pet('accounting');
$plugin = Plugin::instance();
$acc = new \Pet\Accounting(Plugin::engine_settings());
$d = new \Pet\Delivery(Plugin::engine_settings());
$tag = bin2hex(random_bytes(3));
login_admin();
$plugin->forget_employee_cache();
$ctx = $plugin->context();
$me = (string) $ctx['actor_id'];
$my_email = (string) $plugin->identity()->getEmployee($me)['email'];

// ---- the stand-in ----------------------------------------------------------------------------
$standin = proc_open(['python3', dirname(__DIR__, 2) . '/qbo-standin/standin.py', '0'], [1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'a']], $pipes);
$port = (int) trim((string) fgets($pipes[1]));
check('the QuickBooks stand-in started', $port > 0, (string) $port);
$base = "http://127.0.0.1:$port";
$standin_state = static function () use ($base): array {
    $r = wp_remote_get("$base/_control/state", ['timeout' => 10]);
    return is_wp_error($r) ? [] : (array) json_decode((string) wp_remote_retrieve_body($r), true);
};
$control = static function (string $what, array $body) use ($base): void {
    wp_remote_post("$base/_control/$what", ['timeout' => 10, 'headers' => ['Content-Type' => 'application/json'], 'body' => (string) wp_json_encode($body)]);
};
// Our time activities: the ones whose description carries the tag.
$activities = static function () use ($standin_state, $tag): array {
    $recs = (array) ($standin_state()['records']['TimeActivity'] ?? []);
    return array_values(array_filter($recs, static fn ($r) => !isset($r['_deleted']) && str_contains((string) ($r['Description'] ?? ''), $tag)));
};
$screen = static function (array $get): string {
    $_POST = [];
    return render_admin_screen(Accounting_Admin::PAGE, static fn () => (new Accounting_Admin(Plugin::instance()))->page_quickbooks(), $get);
};

try {
    // ---- connect: credentials, Connect, the authorisation page's redirect back -----------------
    $out = run_admin_post('qbo_save_connection', [
        'environment' => 'custom', 'client_id' => 'pet-client', 'client_secret' => 'pet-secret',
        'api_base' => $base, 'auth_url' => "$base/connect/oauth2", 'token_url' => "$base/oauth2/v1/tokens/bearer",
    ]);
    check('credentials saved', str_starts_with($out, 'redirect:'), $out);
    queued_notices();
    $out = run_admin_post('qbo_connect', []);
    $auth = substr($out, strlen('redirect:'));
    check('Connect sends the admin to the authorisation page', str_starts_with($auth, "$base/connect/oauth2?"), $out);
    $r = wp_remote_get($auth, ['redirection' => 0, 'timeout' => 10]);
    $back = is_wp_error($r) ? '' : (string) wp_remote_retrieve_header($r, 'location');
    parse_str((string) parse_url($back, PHP_URL_QUERY), $q);
    check('the authorisation page redirects back to the QuickBooks screen with a code', str_contains($back, 'page=' . Accounting_Admin::PAGE) && '' !== ($q['code'] ?? ''), $back);
    // A forged state is refused (nothing connected).
    $_POST = [];
    $_GET = ['page' => Accounting_Admin::PAGE, 'code' => (string) ($q['code'] ?? ''), 'state' => 'forged-state', 'realmId' => (string) ($q['realmId'] ?? '')];
    try {
        (new Accounting_Admin($plugin))->maybe_finish_connection();
    } catch (Test_Redirect $e) {
        $back_to = $e->getMessage();
    }
    check('a forged state is refused', 'connected' !== $acc->connectionStatus()['status']);
    // Again, the real round trip.
    queued_notices();
    $out = run_admin_post('qbo_connect', []);
    $r = wp_remote_get(substr($out, strlen('redirect:')), ['redirection' => 0, 'timeout' => 10]);
    parse_str((string) parse_url((string) wp_remote_retrieve_header($r, 'location'), PHP_URL_QUERY), $q);
    $_POST = [];
    $_GET = ['page' => Accounting_Admin::PAGE] + $q;
    try {
        (new Accounting_Admin($plugin))->maybe_finish_connection();
    } catch (Test_Redirect $e) {
        $back_to = $e->getMessage();
    }
    check('the return goes back to the QuickBooks screen', str_contains($back_to ?? '', 'page=' . Accounting_Admin::PAGE), (string) ($back_to ?? ''));
    $_GET = [];
    $c = $acc->connectionStatus();
    check('connected to the stand-in company', 'connected' === $c['status'] && '9130350000000001' === $c['realm_id'], wp_json_encode($c));
    $rc = rest_call('GET', '/pet/v1/accounting/connection');
    check('REST: the connection status, no secret', 200 === $rc->get_status() && 'connected' === $rc->get_data()['status'] && !str_contains((string) wp_json_encode($rc->get_data()), 'pet-secret'), wp_json_encode($rc->get_data()));

    // ---- approved billable time, before its employee is mapped ---------------------------------
    $mapping = [
        'sale_target' => 'invoice', 'default_item' => '1', 'items' => "role:Developer = 7", 'tax_codes' => '',
        'default_tax_code' => '', 'currency_mode' => 'multi', 'home_currency' => 'EUR', 'employees' => '',
    ];
    queued_notices();
    run_admin_post('qbo_save_mapping', $mapping);
    $m = $acc->getMapping();
    check('mapping saved (the role\'s item, no employees)', '7' === ($m['items']['role:Developer'] ?? null) && [] === (array) $m['employees'], wp_json_encode($m) . ' ' . wp_json_encode(queued_notices()));
    $customer = $plugin->identity()->createCustomer(['name' => "Ledger Ltd $tag"], $ctx);
    $p = $d->createProject(['name' => "Books $tag", 'customer_id' => $customer['id'], 'labour' => [['role' => 'Developer', 'minutes' => 6000]]], $ctx);
    $d->changeProjectStatus((string) $p['id'], 'active', $ctx);
    $e = $d->logTime(['project_id' => (string) $p['id'], 'role' => 'Developer', 'work_date' => '2026-03-02', 'minutes' => 95, 'note' => "Ledger work $tag"], $ctx);
    $d->submitTimeEntry((string) $e['id'], $ctx);
    $d->approveTimeEntry((string) $e['id'], $ctx);
    // Everything earlier cases left is pushed too: run until nothing more is sent.
    $run = static function () use ($acc): void {
        for ($i = 0; $i < 20; ++$i) {
            $r = $acc->runPushJob();
            if (0 === (int) $r['sent'] && 0 === (int) $r['queued']) {
                break;
            }
        }
    };
    $run();
    check('unmapped: no time activity sent', [] === $activities());
    // Every page of a filtered list (earlier cases' customers are pushed too: more than a page).
    $all_pushes = static function (array $filter): array {
        $items = [];
        $query = $filter + ['per_page' => 100];
        for ($page = 0; $page < 100; ++$page) {
            $r = rest_call('GET', '/pet/v1/accounting/pushes', [], $query);
            if (200 !== $r->get_status()) {
                return [];
            }
            $data = $r->get_data();
            $items = array_merge($items, (array) ($data['items'] ?? []));
            if (empty($data['next'])) {
                break;
            }
            $query = $filter + ['per_page' => 100, 'after' => (string) $data['next']];
        }
        return $items;
    };
    $queued = $all_pushes(['status' => 'queued']);
    $mine = array_values(array_filter($queued, static fn ($i) => 'time_activity' === $i['target'] && $e['id'] === $i['source']['id']));
    check('REST: the time push is queued and says why it waits', 1 === count($mine) && str_contains((string) $mine[0]['waiting'], 'not mapped'), count($queued) . ' queued');
    $html = $screen(['status' => 'queued']);
    check('the QuickBooks screen (Waiting) shows the wait', str_contains($html, 'Waiting for a mapping'), substr($html, 0, 300));

    // ---- map the employee: the mapping action needs its nonce -----------------------------------
    $mapped = ['employees' => "$my_email = employee:55"] + $mapping;
    check('mapping without a nonce refused', str_starts_with(run_admin_post('qbo_save_mapping', $mapped, null), 'die:'));
    check('… nothing saved', [] === (array) $acc->getMapping()['employees']);
    queued_notices();
    $out = run_admin_post('qbo_save_mapping', $mapped);
    $m = $acc->getMapping();
    check('employee mapped', ['kind' => 'employee', 'id' => '55'] == ($m['employees'][$me] ?? null) && $my_email === ($m['employee_labels'][$me] ?? ''), $out . ' ' . wp_json_encode($m) . ' ' . wp_json_encode(queued_notices()));
    $html = $screen([]);
    check('the screen shows the mapping line', str_contains($html, esc_html("$my_email = employee:55")));

    // ---- push and reconcile now ------------------------------------------------------------------
    queued_notices();
    for ($i = 0; $i < 10 && [] === $activities(); ++$i) {
        run_admin_post('qbo_run', []);
    }
    $ta = $activities();
    check('exactly one TimeActivity arrived', 1 === count($ta), wp_json_encode($ta));
    $t = $ta[0] ?? [];
    check('… for the mapped employee, 1 h 35 min, billable, the role\'s item', '55' === ($t['EmployeeRef']['value'] ?? '') && 1 === ($t['Hours'] ?? null) && 35 === ($t['Minutes'] ?? null) && 'Billable' === ($t['BillableStatus'] ?? '') && '7' === ($t['ItemRef']['value'] ?? ''), wp_json_encode($t));
    $notes = array_column(queued_notices(), 'message');
    check('the run reports what it did', [] !== array_filter($notes, static fn ($n) => str_contains($n, 'Reconciled:')), wp_json_encode($notes));
    $push_id = (string) ($mine[0]['id'] ?? '');
    $ids = array_column($all_pushes(['reconciliation' => 'matched']), 'id');
    check('REST: the time push is confirmed and matched', in_array($push_id, $ids, true) && count($ids) === count(array_unique($ids)), count($ids) . ' matched');

    // ---- a bookkeeper's edit: mismatched, re-pushed over REST, matched again -------------------
    $control('edit', ['entity' => 'TimeActivity', 'id' => $t['Id'] ?? '', 'fields' => ['Minutes' => 5]]);
    run_admin_post('qbo_run', []);
    $mis = rest_call('GET', '/pet/v1/accounting/pushes', [], ['reconciliation' => 'mismatched', 'per_page' => 100]);
    $row = array_values(array_filter((array) ($mis->get_data()['items'] ?? []), static fn ($i) => $i['id'] === $push_id))[0] ?? [];
    check('mismatched, naming the minutes', 'minutes' === ($row['differences'][0]['field'] ?? '') && '65' === ($row['differences'][0]['remote'] ?? ''), wp_json_encode($row));
    $html = $screen(['show' => 'mismatched']);
    check('the screen lists it with Push again', str_contains($html, 'minutes: PET 95, QuickBooks 65') && str_contains($html, 'name="push_id" value="' . $push_id . '"'), '');
    login_as_role('subscriber');
    check('REST: a subscriber cannot re-push', 403 === rest_call('POST', "/pet/v1/accounting/pushes/$push_id/repush")->get_status());
    check('REST: a subscriber cannot list pushes', 403 === rest_call('GET', '/pet/v1/accounting/pushes')->get_status());
    login_admin();
    $plugin->forget_employee_cache();
    $rp = rest_call('POST', "/pet/v1/accounting/pushes/$push_id/repush");
    check('REST: re-push', 200 === $rp->get_status() && 'queued' === ($rp->get_data()['status'] ?? ''), wp_json_encode($rp->get_data()));
    check('REST: re-push of an unknown push is 404', 404 === rest_call('POST', '/pet/v1/accounting/pushes/01900000-0000-7000-8000-000000000000/repush')->get_status());
    run_admin_post('qbo_run', []);
    $ta = $activities();
    check('still exactly one TimeActivity, updated in place', 1 === count($ta) && 35 === ($ta[0]['Minutes'] ?? null) && ($t['Id'] ?? '') === ($ta[0]['Id'] ?? ''), wp_json_encode($ta));
    check('matched again', in_array($push_id, array_column($all_pushes(['reconciliation' => 'matched']), 'id'), true));

    // ---- an adjustment after approval reaches QuickBooks: the same activity, the new total -----
    $adj = rest_call('POST', '/pet/v1/time-entries/' . $e['id'] . '/adjustments', ['minutes' => -35, 'work_date' => '2026-03-02', 'reason' => "Overbooked $tag"]);
    check('REST: the approved entry adjusted by -0:35', 201 === $adj->get_status(), wp_json_encode($adj->get_data()));
    run_admin_post('qbo_run', []);
    $ta = $activities();
    check('still exactly one TimeActivity, now 1 h 0 min (95 − 35)', 1 === count($ta) && 1 === ($ta[0]['Hours'] ?? null) && 0 === ($ta[0]['Minutes'] ?? null) && ($t['Id'] ?? '') === ($ta[0]['Id'] ?? ''), wp_json_encode($ta));
    check('… reconciled against the entry\'s current total: matched', in_array($push_id, array_column($all_pushes(['reconciliation' => 'matched']), 'id'), true));
    run_admin_post('qbo_run', []);
    check('a second run changes nothing', 1 === count($activities()) && 0 === ($activities()[0]['Minutes'] ?? null));
    // ---- a sale becomes exactly one invoice, even when QuickBooks fails after taking it --------
    $sales = new \Pet\Sales(Plugin::engine_settings());
    $custom = lead_custom_fields($sales);
    $lead = $sales->createLead(['customer_id' => $customer['id'], 'source' => "books-$tag"] + ([] === $custom ? [] : ['custom_fields' => $custom]), $ctx);
    $sales->contactLead((string) $lead['id'], ['note' => 'call'], $ctx);
    $sales->qualifyLead((string) $lead['id'], ['need' => 'books', 'budget' => ['amount_minor' => 500000, 'currency' => 'EUR']], $ctx);
    $opp = $sales->createOpportunity(['lead_id' => (string) $lead['id'], 'title' => "Ledger deal $tag", 'expected_value' => ['amount_minor' => 500000, 'currency' => 'EUR'], 'expected_close' => '2030-06-30'], $ctx);
    $quote = $sales->createQuote(['opportunity_id' => (string) $opp['id']], $ctx);
    $sales->saveQuoteDraft((string) $quote['id'], ['groups' => [['title' => 'Books', 'lines' => [
        ['kind' => 'product', 'description' => "Ledger set-up $tag", 'quantity' => 3, 'unit_price' => '1234.56'],
        ['kind' => 'product', 'description' => "Ledger licence $tag", 'quantity' => 1, 'unit_price' => '99.99'],
    ]]]], $ctx);
    $sales->sendQuote((string) $quote['id'], ['valid_until' => '2099-12-31'], $ctx);
    $sale = $sales->acceptQuote((string) $quote['id'], ['version' => 1, 'signed_by' => 'Ledger buyer'], $ctx);
    $pet_total = (int) $sales->getQuoteVersion((string) $quote['id'], 1)['totals']['total_minor'];
    check('the quote is accepted: one sale of 3,803.67 EUR', 380367 === $pet_total && !empty($sale), (string) $pet_total);
    $invoices = static function () use ($standin_state, $quote): array {
        $recs = (array) ($standin_state()['records']['Invoice'] ?? []);
        return array_values(array_filter($recs, static fn ($r) => !isset($r['_deleted']) && (string) ($r['DocNumber'] ?? '') === (string) $quote['reference']));
    };
    // QuickBooks takes the next write and answers 500 (the outcome unknown to PET).
    $control('script', ['faults' => [['status' => 500, 'count' => 1, 'accept' => true]]]);
    global $wpdb;
    for ($i = 0; $i < 10; ++$i) {
        $run();
        run_admin_post('qbo_run', []);
        $open = array_filter(array_merge($all_pushes(['status' => 'queued']), $all_pushes(['status' => 'failed']), $all_pushes(['status' => 'in_flight'])), static fn ($x) => 'invoice' === $x['target']);
        if ([] === $open) {
            break;
        }
        // The 500 put the push in back-off (30 s): let that time pass.
        $wpdb->query($wpdb->prepare('UPDATE ' . $wpdb->prefix . "pet_accounting_pushes SET next_at = %s, due_at = %s WHERE status IN ('failed', 'in_flight') AND due_at IS NOT NULL", '2000-01-01 00:00:00', '2000-01-01 00:00:00')); // phpcs:ignore
    }
    check('the 500 after QuickBooks took the invoice was retried (the push failed once)', 1 === count(array_filter($all_pushes(['status' => 'confirmed']), static fn ($x) => 'invoice' === $x['target'] && (string) $quote['reference'] === $x['label'] && (int) $x['failures'] >= 1)), wp_json_encode(array_values(array_filter($all_pushes(['status' => 'confirmed']), static fn ($x) => 'invoice' === $x['target'] && (string) $quote['reference'] === $x['label']))));
    $inv = $invoices();
    check('exactly one invoice arrived, numbered as the quote', 1 === count($inv), wp_json_encode($inv));
    $cents = static fn ($amt): int => (int) round(((float) $amt) * 100);
    check('… with its two lines and the total to the cent', 2 === count(array_filter((array) ($inv[0]['Line'] ?? []), static fn ($l) => 'SalesItemLineDetail' === ($l['DetailType'] ?? ''))) && $pet_total === $cents($inv[0]['TotalAmt'] ?? 0), wp_json_encode($inv[0] ?? []));
    $sale_push = array_values(array_filter($all_pushes(['reconciliation' => 'matched']), static fn ($x) => 'invoice' === $x['target'] && (string) $quote['reference'] === $x['label'] && $pet_total === $x['amount_minor']));
    check('REST: the invoice push is confirmed and matched', 1 === count($sale_push), count($sale_push) . ' matched');
    $totals = rest_call('GET', '/pet/v1/accounting/totals');
    $rows = (array) $totals->get_data();
    $bad_rows = array_filter($rows, static fn ($r) => empty($r['agree']));
    check('REST totals: every month and currency agrees to the minor unit', 200 === $totals->get_status() && [] !== $rows && [] === $bad_rows, wp_json_encode($rows));
    run_admin_post('qbo_run', []);
    $run();
    check('another run: still one invoice', 1 === count($invoices()));
    $html = $screen([]);
    check('the QuickBooks screen shows the totals table', str_contains($html, 'EUR'), '');

    // Keyset paging: one per page, the next page after the first's cursor.
    $p1 = rest_call('GET', '/pet/v1/accounting/pushes', [], ['status' => 'confirmed', 'per_page' => 1])->get_data();
    $p2 = rest_call('GET', '/pet/v1/accounting/pushes', [], ['status' => 'confirmed', 'per_page' => 1, 'after' => (string) ($p1['next'] ?? '')])->get_data();
    check('REST: keyset paging of the pushes', 1 === count($p1['items'] ?? []) && 1 === count($p2['items'] ?? []) && $p1['items'][0]['id'] !== $p2['items'][0]['id'] && 'confirmed' === $p2['items'][0]['status'], wp_json_encode([$p1, $p2]));
    $bad = rest_call('GET', '/pet/v1/accounting/pushes', [], ['status' => 'nonsense']);
    check('REST: a bad status filter is 400', 400 === $bad->get_status(), (string) $bad->get_status());
} finally {
    $acc->disconnect();
    proc_terminate($standin);
    proc_close($standin);
}
