<?php
// The sales module's admin-post refusals and REST routes under pet/v1: permission (logged out, subscriber, staff
// without an employee, staff, manager-only routes), the error mapping (400 with field
// errors, 404, 409, 422) and one whole flow: schema, lead with a custom field, update,
// qualify, opportunity, quote with a required and an optional group, send, accept with the
// optional group, sale, diff, pipeline. Runs before the uninstall cases (05, 06).
$sales = new \Pet\Sales(\PetWp\Plugin::engine_settings());
$leads_total = static fn (): int => (int) $sales->listLeads([])['total'];

$show = static fn (WP_REST_Response $r): string => $r->get_status() . ' ' . substr((string) wp_json_encode($r->get_data()), 0, 400);

$stamp = substr(str_replace('.', '', uniqid('', true)), -10);
$field = 'seats_' . $stamp;

/** A fresh user of this case with the given role (not shared with other cases); logged in. */
$fresh_user = static function (string $role) use ($stamp): int {
    static $n = 0;
    $n++;
    $id = wp_insert_user([
        'user_login' => "pet_sales_{$role}_{$stamp}_{$n}",
        'user_pass' => wp_generate_password(20),
        'user_email' => "pet_sales_{$role}_{$stamp}_{$n}@example.invalid",
        'role' => $role,
    ]);
    if (is_wp_error($id)) {
        throw new RuntimeException($id->get_error_message());
    }
    wp_set_current_user((int) $id);
    return (int) $id;
};

// Routes exist and each has a permission callback that refuses a subscriber.
$server = rest_get_server();
$expected = ['/pet/v1/leads', '/pet/v1/lead-schema', '/pet/v1/opportunities', '/pet/v1/pipeline', '/pet/v1/quotes',
    '/pet/v1/quotes/(?P<id>[0-9a-fA-F-]{1,64})/accept', '/pet/v1/quotes/(?P<id>[0-9a-fA-F-]{1,64})/diff',
    '/pet/v1/sales/(?P<id>[0-9a-fA-F-]{1,64})'];
$routes = array_keys($server->get_routes());
$missing = array_values(array_diff($expected, $routes));
check('sales REST routes are registered', [] === $missing, 'missing: ' . implode(', ', $missing));

// The admin-post action: refused without the capability or the nonce; as the admin it
// captures a lead even before any lead schema is published (no custom fields at all).
$before = $leads_total();
$form = ['customer_name' => "Schemaless $stamp", 'source' => 'web'];
$fresh_user('subscriber');
$out = run_admin_post('create_lead', $form, wp_create_nonce('pet_create_lead'));
check('admin-post create_lead as subscriber: 403', 'die:403' === $out, $out);
login_admin();
$out = run_admin_post('create_lead', $form, 'not-a-nonce');
check('admin-post create_lead with a bad nonce: refused', str_starts_with($out, 'die:'), $out);
check('refused admin-post actions created no lead', $before === $leads_total());
check('no lead schema is published yet', null === $sales->getLeadSchema(null));
$out = run_admin_post('create_lead', $form, wp_create_nonce('pet_create_lead'));
check('admin-post create_lead without any schema: lead captured', str_starts_with($out, 'redirect:') && $before + 1 === $leads_total(), $out . ' ' . $leads_total());
$_POST = $_REQUEST = [];

// Reads and writes without permission.
$before = $leads_total();
$lead_body = ['customer_name' => "Initech $stamp", 'source' => 'web'];
wp_set_current_user(0);
$r = rest_call('GET', '/pet/v1/leads');
check('GET /leads logged out: 401', 401 === $r->get_status(), $show($r));
$r = rest_call('POST', '/pet/v1/leads', $lead_body);
check('POST /leads logged out: 401', 401 === $r->get_status(), $show($r));
$fresh_user('subscriber');
$r = rest_call('GET', '/pet/v1/leads');
check('GET /leads as subscriber: 403', 403 === $r->get_status(), $show($r));
$r = rest_call('POST', '/pet/v1/leads', $lead_body);
check('POST /leads as subscriber: 403', 403 === $r->get_status(), $show($r));
$r = rest_call('GET', '/pet/v1/pipeline');
check('GET /pipeline as subscriber: 403', 403 === $r->get_status(), $show($r));
check('refused requests created no lead', $before === $leads_total());

// PET Sales without a linked employee may read but cannot act: nobody to record.
$fresh_user('pet_sales');
$r = rest_call('GET', '/pet/v1/leads');
check('GET /leads as PET Sales: 200 with a page', 200 === $r->get_status() && isset($r->get_data()['items']), $show($r));
$r = rest_call('POST', '/pet/v1/leads', $lead_body);
check('POST /leads as PET Sales without an employee: 403 pet_no_employee', 403 === $r->get_status() && 'pet_no_employee' === ($r->get_data()['code'] ?? ''), $show($r));
$r = rest_call('POST', '/pet/v1/lead-schema', ['fields' => []]);
check('POST /lead-schema as PET Sales without an employee: 403', 403 === $r->get_status(), $show($r));
check('staff requests created no lead', $before === $leads_total());

// The manager (admin, linked to an employee on activation) does the whole flow.
login_admin();
$r = rest_call('POST', '/pet/v1/lead-schema', ['fields' => [
    ['key' => $field, 'label' => 'Seats', 'type' => 'number', 'required' => true],
    ['key' => 'tier_' . $stamp, 'label' => 'Tier', 'type' => 'select', 'required' => false, 'options' => ['gold', 'silver']],
]]);
check('POST /lead-schema: 201', 201 === $r->get_status(), $show($r));
$schema_no = (int) ($r->get_data()['number'] ?? 0);
$r = rest_call('GET', "/pet/v1/lead-schema/$schema_no");
check('GET /lead-schema/{n}: 200 with the fields', 200 === $r->get_status() && $field === ($r->get_data()['fields'][0]['key'] ?? ''), $show($r));
$r = rest_call('GET', '/pet/v1/lead-schema/999999');
check('GET /lead-schema/{unknown}: 404', 404 === $r->get_status(), $show($r));

$r = rest_call('POST', '/pet/v1/leads', ['custom_fields' => [$field => 'many']] + $lead_body);
check('POST /leads with a wrong type for a custom field: 400 with field errors', 400 === $r->get_status() && [] !== (array) ($r->get_data()['data']['field_errors'] ?? []), $show($r));
$r = rest_call('POST', '/pet/v1/leads', ['custom_fields' => ['nope_' . $stamp => 1, $field => 3]] + $lead_body);
check('POST /leads with an unknown custom field: 400', 400 === $r->get_status(), $show($r));
check('rejected leads wrote nothing', $before === $leads_total());
$r = rest_call('POST', '/pet/v1/leads', ['custom_fields' => [$field => 25]] + $lead_body);
check('POST /leads: 201', 201 === $r->get_status(), $show($r));
$lead_id = (string) ($r->get_data()['id'] ?? '');
check('the lead was created', $before + 1 === $leads_total());
$r = rest_call('GET', "/pet/v1/leads/$lead_id");
check('GET /leads/{id}: the custom field by its schema version', 200 === $r->get_status() && 25 === ($r->get_data()['custom_values'][$field] ?? null) && $schema_no === $r->get_data()['schema_version'], $show($r));
$r = rest_call('GET', '/pet/v1/leads/0190aaaa-0000-7000-8000-000000000000');
check('GET /leads/{unknown}: 404', 404 === $r->get_status(), $show($r));
$r = rest_call('GET', '/pet/v1/leads', [], ['search' => "Initech $stamp"]);
check('GET /leads?search finds it', 200 === $r->get_status() && 1 === (int) $r->get_data()['total'], $show($r));

// A newer schema version does not change the lead's.
rest_call('POST', '/pet/v1/lead-schema', ['fields' => [['key' => 'other_' . $stamp, 'label' => 'Other', 'type' => 'text', 'required' => true]]]);
$r = rest_call('PATCH', "/pet/v1/leads/$lead_id", ['source' => 'referral', 'custom_fields' => [$field => 30, 'tier_' . $stamp => 'gold']]);
check('PATCH /leads/{id} by the lead\'s own schema version: 200', 200 === $r->get_status() && 30 === ($r->get_data()['custom_values'][$field] ?? null) && 'referral' === $r->get_data()['source'], $show($r));
$r = rest_call('PATCH', "/pet/v1/leads/$lead_id", ['custom_fields' => [$field => 30, 'tier_' . $stamp => 'bronze']]);
check('PATCH /leads/{id} with an option not in the list: 400', 400 === $r->get_status(), $show($r));

// Qualify out of order is a rule (422), then in order.
$r = rest_call('POST', "/pet/v1/leads/$lead_id/qualify", ['need' => 'Intranet']);
check('qualifying a new lead: 422', 422 === $r->get_status(), $show($r));
$r = rest_call('POST', "/pet/v1/leads/$lead_id/contact", ['note' => 'Called']);
check('POST /leads/{id}/contact: 200', 200 === $r->get_status() && 'contacted' === $r->get_data()['status'], $show($r));
$r = rest_call('POST', "/pet/v1/leads/$lead_id/qualify", ['need' => 'Intranet', 'budget' => ['amount_minor' => 2000000, 'currency' => 'EUR']]);
check('POST /leads/{id}/qualify: 200', 200 === $r->get_status() && 'qualified' === $r->get_data()['status'], $show($r));

$r = rest_call('POST', '/pet/v1/opportunities', ['lead_id' => $lead_id, 'title' => "Intranet $stamp", 'expected_value' => ['amount_minor' => 1800000, 'currency' => 'EUR'], 'expected_close' => '2030-06-30']);
check('POST /opportunities: 201', 201 === $r->get_status(), $show($r));
$opp_id = (string) ($r->get_data()['id'] ?? '');
$r = rest_call('POST', '/pet/v1/quotes', ['opportunity_id' => $opp_id]);
check('POST /quotes: 201', 201 === $r->get_status(), $show($r));
$quote_id = (string) ($r->get_data()['id'] ?? '');

$draft = ['groups' => [
    ['title' => 'Build', 'lines' => [
        ['kind' => 'labour', 'role' => 'Developer', 'description' => 'Development', 'quantity' => 600, 'unit_price_minor' => 10000, 'tax_rate_bp' => 2000],
        ['kind' => 'fixed_fee', 'description' => 'Project management', 'quantity' => 1, 'unit_price_minor' => 50000, 'tax_rate_bp' => 2000, 'discount' => ['type' => 'percent', 'basis_points' => 1000]],
    ]],
    ['title' => 'Support', 'optional' => true, 'lines' => [
        ['kind' => 'recurring', 'interval' => 'monthly', 'description' => 'Support plan', 'quantity' => 12, 'unit_price_minor' => 10000, 'discount' => ['type' => 'amount', 'amount_minor' => 2000]],
    ]],
]];
$bad = $draft;
$bad['groups'][0]['lines'][0]['quantity'] = -5;
$r = rest_call('PUT', "/pet/v1/quotes/$quote_id/draft", $bad);
check('PUT /quotes/{id}/draft with a negative quantity: 400 naming the line', 400 === $r->get_status() && str_contains((string) wp_json_encode($r->get_data()['data']['field_errors'] ?? []), 'groups.0.lines.0'), $show($r));
$r = rest_call('PUT', "/pet/v1/quotes/$quote_id/draft", $draft);
$totals = $r->get_data()['versions'][0]['totals'] ?? [];
// Build: 1000.00 + 450.00 net, ×1.2 = 1740.00; Support (optional): 12 × 100 − 20 = 1180.00.
check('PUT /quotes/{id}/draft: 200 with the engine\'s totals', 200 === $r->get_status() && 174000 === ($totals['total_minor'] ?? null) && 118000 === ($totals['optional_total_minor'] ?? null), $show($r));
$r = rest_call('POST', "/pet/v1/quotes/$quote_id/accept", ['version' => 1]);
check('accepting a draft: 422', 422 === $r->get_status(), $show($r));
$r = rest_call('POST', "/pet/v1/quotes/$quote_id/send", ['valid_until' => '2030-01-31']);
check('POST /quotes/{id}/send: 200', 200 === $r->get_status() && 'sent' === ($r->get_data()['versions'][0]['status'] ?? ''), $show($r));
$r = rest_call('POST', "/pet/v1/quotes/$quote_id/versions");
check('POST /quotes/{id}/versions (revise): 201 with version 2', 201 === $r->get_status() && 2 === (int) ($r->get_data()['latest_version'] ?? 0), $show($r));
$v2 = rest_call('GET', "/pet/v1/quotes/$quote_id/versions/2")->get_data();
$v2['groups'][0]['lines'][0]['quantity'] = 720;
$r = rest_call('PUT', "/pet/v1/quotes/$quote_id/draft", ['groups' => $v2['groups']]);
check('PUT the revised draft: 200', 200 === $r->get_status(), $show($r));
$r = rest_call('POST', "/pet/v1/quotes/$quote_id/send", ['valid_until' => '2030-02-28']);
check('sending version 2 supersedes version 1', 200 === $r->get_status() && 'superseded' === ($r->get_data()['versions'][0]['status'] ?? ''), $show($r));
$r = rest_call('GET', "/pet/v1/quotes/$quote_id/diff", [], ['from' => 1, 'to' => 2]);
check('GET /quotes/{id}/diff: 200', 200 === $r->get_status() && isset($r->get_data()['groups']), $show($r));
$r = rest_call('GET', "/pet/v1/quotes/$quote_id/diff");
check('GET /quotes/{id}/diff without versions: 400', 400 === $r->get_status(), $show($r));
$r = rest_call('POST', "/pet/v1/quotes/$quote_id/accept", ['version' => 1]);
check('accepting the superseded version: 422', 422 === $r->get_status(), $show($r));

$support = '';
foreach ($v2['groups'] as $g) {
    if ($g['optional']) {
        $support = (string) $g['group_id'];
    }
}
$r = rest_call('POST', "/pet/v1/quotes/$quote_id/accept", ['version' => 2, 'signed_by' => 'Bill Lumbergh', 'optional_groups' => [$support]]);
$sale = $r->get_data()['sale'] ?? [];
// Build v2: (1200.00 + 450.00) × 1.2 = 1980.00, plus the chosen Support group 1180.00.
check('POST /quotes/{id}/accept with the optional group: 200 and a sale including it', 200 === $r->get_status() && 316000 === ($sale['total']['amount_minor'] ?? null), $show($r));
$labour = $sale['labour'][0] ?? [];
check('the sale snapshots the sold labour', 'Developer' === ($labour['role'] ?? null) && 720 === ($labour['minutes'] ?? null), wp_json_encode($sale['labour'] ?? null));
$r = rest_call('POST', "/pet/v1/quotes/$quote_id/accept", ['version' => 2]);
check('accepting again: 409', 409 === $r->get_status(), $show($r));
$r = rest_call('GET', '/pet/v1/sales/' . ($sale['id'] ?? 'x'));
check('GET /sales/{id}: 200, the same sale', 200 === $r->get_status() && ($sale['id'] ?? '') === $r->get_data()['id'], $show($r));
$r = rest_call('GET', "/pet/v1/opportunities/$opp_id");
check('the opportunity is won', 200 === $r->get_status() && 'won' === $r->get_data()['status'], $show($r));
$r = rest_call('GET', '/pet/v1/pipeline');
$won = array_values(array_filter($r->get_data()['stages'] ?? [], static fn ($s) => 'won' === $s['status']))[0] ?? [];
check('GET /pipeline: the won stage counts it', 200 === $r->get_status() && (int) ($won['count'] ?? 0) >= 1, $show($r));

// Losing an opportunity needs a reason; as PET Sales with a linked employee.
$staff = $fresh_user('pet_sales');
login_admin();
$identity = \PetWp\Plugin::instance()->identity();
$emp = $identity->createEmployee(['name' => "Sales Staff $stamp", 'email' => "staff$stamp@example.invalid"], \PetWp\Plugin::instance()->context());
$identity->linkEmployeeUser((string) $emp['id'], $staff, \PetWp\Plugin::instance()->context());
\PetWp\Plugin::instance()->forget_employee_cache();
wp_set_current_user($staff);
$r = rest_call('POST', '/pet/v1/leads', ['customer_name' => "Lost Co $stamp", 'source' => 'web', 'custom_fields' => ['other_' . $stamp => 'x']]);
check('PET Sales with an employee: POST /leads 201', 201 === $r->get_status(), $show($r));
$lost_lead = (string) ($r->get_data()['id'] ?? '');
rest_call('POST', "/pet/v1/leads/$lost_lead/contact", []);
rest_call('POST', "/pet/v1/leads/$lost_lead/qualify", ['need' => 'Website']);
$r = rest_call('POST', '/pet/v1/opportunities', ['lead_id' => $lost_lead, 'title' => "Website $stamp", 'expected_value' => ['amount_minor' => 500000, 'currency' => 'EUR'], 'expected_close' => '2030-03-31']);
$lost_opp = (string) ($r->get_data()['id'] ?? '');
$r = rest_call('POST', "/pet/v1/opportunities/$lost_opp/lose", []);
check('losing without a reason: 400', 400 === $r->get_status(), $show($r));
$r = rest_call('POST', "/pet/v1/opportunities/$lost_opp/lose", ['reason' => 'Went with a competitor']);
check('losing with a reason: 200, lost with the reason', 200 === $r->get_status() && 'lost' === $r->get_data()['status'] && 'Went with a competitor' === $r->get_data()['lost_reason'], $show($r));
$r = rest_call('POST', '/pet/v1/quotes/expire');
check('POST /quotes/expire as PET Sales: 403 (needs pet_manage_settings)', 403 === $r->get_status(), $show($r));
