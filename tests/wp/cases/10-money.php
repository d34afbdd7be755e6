<?php
// Money in the currency's own decimals: a JPY quote (no decimals) and a KWD quote (three)
// entered on the quote builder (admin-post actions, as the form posts them) are shown
// correctly on the quote screen, the printable view and in REST; too many decimals are the
// engine's field error; the preview routes return the engine's totals and write nothing.

use PetWp\Plugin;

$admin = reactivate_pet('money');
$plugin = Plugin::instance();
$sales = new \Pet\Sales(Plugin::engine_settings());
$tag = bin2hex(random_bytes(3));
$show = static fn (WP_REST_Response $r): string => $r->get_status() . ' ' . substr((string) wp_json_encode($r->get_data()), 0, 400);

// A lead by the latest schema (its required custom fields filled).
$custom = lead_custom_fields($sales);
$lead = $sales->createLead(['customer_name' => "Money $tag", 'source' => 'money'] + ([] === $custom ? [] : ['custom_fields' => $custom]), $plugin->context());
$sales->contactLead((string) $lead['id'], ['note' => 'call'], $plugin->context());
$sales->qualifyLead((string) $lead['id'], ['need' => 'x', 'budget' => ['amount' => '1500000', 'currency' => 'JPY']], $plugin->context());
check('qualify: a decimal budget in yen is read in whole yen', 1500000 === ($sales->getLead((string) $lead['id'])['qualification']['budget']['amount_minor'] ?? null));

$admin_view = static function (array $get) use ($plugin): string {
    $_GET = $get;
    $_REQUEST = $_GET;
    ob_start();
    (new \PetWp\Modules\Sales\Sales_Admin($plugin))->{'pet-quotes' === $get['page'] ? 'page_quotes' : 'page_pipeline'}();
    $html = (string) ob_get_clean();
    $_GET = $_REQUEST = [];
    return $html;
};

$quotes = [];
foreach (['JPY' => ['1200000', '1,200,000 JPY'], 'KWD' => ['1200.5', '1,200.500 KWD']] as $cur => [$typed, $shown]) {
    queued_notices();
    $out = run_admin_post('create_opportunity', ['lead_id' => (string) $lead['id'], 'title' => "$cur deal $tag", 'expected_value' => $typed, 'currency' => $cur, 'expected_close' => '2030-06-30']);
    $opp = null;
    foreach ($sales->listOpportunities(['lead_id' => (string) $lead['id']])['items'] as $o) {
        if ("$cur deal $tag" === $o['title']) {
            $opp = $o;
        }
    }
    check("create_opportunity in $cur from the form's decimal", str_starts_with($out, 'redirect:') && null !== $opp, $out . ' ' . wp_json_encode(queued_notices()));
    if (null === $opp) {
        continue;
    }
    check("the $cur expected value carries its digits", $shown === \PetWp\Tables\Table::money($opp['expected_value']), wp_json_encode($opp['expected_value']));
    $html = $admin_view(['page' => 'pet-pipeline', 'opportunity' => (string) $opp['id']]);
    check("the opportunity screen shows $shown", str_contains($html, $shown), substr(strip_tags($html), 0, 300));
    $out = run_admin_post('create_quote', ['opportunity_id' => (string) $opp['id']]);
    $q = $sales->listQuotes(['opportunity_id' => (string) $opp['id']])['items'][0] ?? null;
    check("create_quote: a $cur quote", str_starts_with($out, 'redirect:') && $cur === ($q['currency'] ?? null), $out);
    $quotes[$cur] = (string) ($q['id'] ?? '');
}

$form = static fn (string $price, string $discount = '', string $discount_type = 'percent'): array => [['title' => 'Work', 'group_id' => '', 'lines' => [
    ['line_id' => '', 'kind' => 'fixed_fee', 'description' => 'Setup', 'detail' => '', 'quantity' => '1', 'unit_price' => $price, 'discount' => $discount, 'discount_type' => $discount_type, 'tax_rate' => ''],
]]];
$lines_of = static fn (string $id): int => (int) ($sales->getQuote($id)['versions'][0]['line_count'] ?? -1);

// Too many decimals: the engine's field error (naming what the currency allows), nothing saved.
foreach (['JPY' => ['1235.5', 'JPY has no decimals'], 'KWD' => ['1.2345', 'at most 3 decimals for KWD']] as $cur => [$bad, $says]) {
    if (!isset($quotes[$cur])) {
        continue;
    }
    queued_notices();
    $out = run_admin_post('save_quote_draft', ['id' => $quotes[$cur], 'groups' => $form($bad)]);
    $n = queued_notices();
    $msg = (string) ($n[0]['fields']['groups.0.lines.0.unit_price'] ?? '');
    check("quote builder: $bad $cur is refused by the engine with its digits", str_starts_with($out, 'redirect:') && str_contains($msg, $says) && 0 === $lines_of($quotes[$cur]), $out . ' ' . wp_json_encode($n));
}

// Entered as typed on the builder and saved.
$cases = [
    'JPY' => ['1235', '1,235 JPY', 'JPY 1235', '1235', 0],
    'KWD' => ['1,235', '1.235 KWD', 'KWD 1.235', '1.235', 3],
];
foreach ($cases as $cur => [$typed, $shown, $formatted, $decimal, $digits]) {
    if (!isset($quotes[$cur])) {
        continue;
    }
    $id = $quotes[$cur];
    queued_notices();
    $out = run_admin_post('save_quote_draft', ['id' => $id, 'groups' => $form($typed)]);
    check("quote builder: $typed $cur saved", str_starts_with($out, 'redirect:') && 1 === $lines_of($id) && 'success' === (queued_notices()[0]['type'] ?? ''), $out);

    // The screen: the builder shows the price as the engine's decimal, the totals with the digits.
    $html = $admin_view(['page' => 'pet-quotes', 'quote' => $id]);
    preg_match('/<p id="pet-engine-totals">(.*?)<\/p>/s', $html, $m);
    $totals = strip_tags($m[1] ?? '');
    check("quote screen: the $cur engine total is $shown", str_contains($totals, $shown), $totals);
    check("quote screen: the $cur unit price is shown as $decimal", str_contains($html, 'name="groups[0][lines][0][unit_price]" value="' . $decimal . '"'), substr(strip_tags($html), 0, 300));
    check("quote screen: the $cur versions table shows $shown", 1 === preg_match('/pet-versions.*' . preg_quote($shown, '/') . '/s', $html));
    if ('JPY' === $cur) {
        check('quote screen: no cents invented for yen', !str_contains($totals, '12.35') && !str_contains($totals, '1,235.00'), $totals);
    }

    // The printable view.
    $html = $admin_view(['page' => 'pet-quotes', 'quote' => $id, 'print' => '1']);
    $print = strip_tags($html);
    check("printable view: the $cur total is $shown", str_contains($html, 'id="pet-print"') && substr_count($print, $shown) >= 3, substr($print, 0, 500));

    // REST: the version, the list and the quote carry digits, decimal and formatted amounts.
    $r = rest_call('GET', "/pet/v1/quotes/$id/versions/1");
    $v = $r->get_data();
    check("REST version: the $cur total is $formatted", 200 === $r->get_status() && $formatted === ($v['totals']['total']['formatted'] ?? null)
        && $decimal === ($v['totals']['total']['amount'] ?? null) && $digits === ($v['minor_digits'] ?? null)
        && $decimal === ($v['groups'][0]['lines'][0]['unit_price'] ?? null) && 1235 === ($v['totals']['total_minor'] ?? null), $show($r));
    $r = rest_call('GET', '/pet/v1/quotes', [], ['search' => "$cur deal $tag"]);
    $row = $r->get_data()['items'][0] ?? [];
    check("REST list: the $cur quote's total is $formatted", $formatted === ($row['total']['formatted'] ?? null) && $digits === ($row['total']['minor_digits'] ?? null), $show($r));

    // The preview routes: the builder's form fields, or the engine's content; nothing written.
    $r = rest_call('POST', "/pet/v1/quotes/$id/preview", ['groups' => $form($typed)]);
    check("REST preview of the builder form: $formatted", 200 === $r->get_status() && $formatted === ($r->get_data()['totals']['total']['formatted'] ?? null), $show($r));
    $r = rest_call('POST', '/pet/v1/quotes/preview', ['currency' => $cur, 'groups' => [['title' => 'W', 'lines' => [['kind' => 'product', 'description' => 'x', 'quantity' => 2, 'unit_price' => $decimal]]]]]);
    check("REST preview of content in $cur: twice the price", 200 === $r->get_status() && 2470 === ($r->get_data()['totals']['total_minor'] ?? null), $show($r));
    $r = rest_call('POST', "/pet/v1/quotes/$id/preview", ['groups' => $form('1.23456')]);
    check("REST preview with too many decimals for $cur: 400 naming the field", 400 === $r->get_status() && isset($r->get_data()['data']['field_errors']->{'groups.0.lines.0.unit_price'}), $show($r));
    check("previews wrote nothing to the $cur quote", 1 === $lines_of($id) && 1235 === ($sales->getQuote($id)['versions'][0]['totals']['total_minor'] ?? null));
}

// An amount discount is typed in the currency too (KWD: 0.005 off).
if (isset($quotes['KWD'])) {
    $r = rest_call('POST', '/pet/v1/quotes/' . $quotes['KWD'] . '/preview', ['groups' => $form('1.235', '0.005', 'amount')]);
    check('REST preview: a KWD amount discount of 0.005', 200 === $r->get_status() && 'KWD 1.230' === ($r->get_data()['totals']['total']['formatted'] ?? null), $show($r));
}

// The preview route is for pet_work users only.
$sub = wp_insert_user(['user_login' => "pet_money_sub_$tag", 'user_pass' => wp_generate_password(20), 'user_email' => "pet_money_sub_$tag@example.invalid", 'role' => 'subscriber']);
wp_set_current_user((int) $sub);
$r = rest_call('POST', '/pet/v1/quotes/preview', ['currency' => 'JPY', 'groups' => []]);
check('REST preview as a subscriber: refused', in_array($r->get_status(), [401, 403], true), $show($r));
login_admin();
