<?php
// Type-ahead pickers (issue "Flat at any size"): the tickets screen never lists every
// customer, employee or SLA definition; the pickers are comboboxes backed by the REST search
// routes, and without JavaScript the typed name is resolved by the server (the one match, or
// the one named exactly so; anything else is a field error that writes nothing).

use PetWp\Plugin;

$admin = reactivate_pet('pickers');
$plugin = Plugin::instance();
$identity = new \Pet\Identity(Plugin::engine_settings());
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$tag = 'pk' . bin2hex(random_bytes(3));
$names = [];
for ($i = 0; $i < 30; $i++) {
    $names[] = $identity->createCustomer(['name' => "Picker $tag customer $i"], $plugin->context())['name'];
}
$exact = $identity->createCustomer(['name' => "Picker $tag Exact"], $plugin->context());
$identity->createCustomer(['name' => "Picker $tag Exact Two"], $plugin->context());

$screen = static fn (array $get): string => render_admin_screen('pet-tickets', static fn () => (new \PetWp\Modules\Helpdesk\Helpdesk_Admin($plugin))->page_tickets(), $get);
$html = $screen([]);
$listed = array_filter($names, static fn ($n) => str_contains($html, $n));
check('tickets screen: no customer is listed in the page', [] === $listed, count($listed) . ' of 30 listed');
check('tickets screen: the customer field is a combobox backed by the customers route',
    1 === preg_match('/data-pet-picker="customers".*?role="combobox"[^>]*aria-controls="pet-ticket-customer-list"/s', $html));
check('tickets screen: the assignee filter offers "Unassigned" as a fixed choice', str_contains($html, 'data-pet-picker="employees"') && str_contains($html, '&quot;none&quot;'));
$assets = Closure::bind(fn (string $page) => $this->assets($page), new \PetWp\Modules\Helpdesk\Helpdesk_Admin($plugin), \PetWp\Modules\Helpdesk\Helpdesk_Admin::class);
$assets('pet-tickets');
check('tickets screen: the picker script (wp.apiFetch) and style are enqueued',
    wp_script_is('pet-picker', 'enqueued') && in_array('wp-api-fetch', wp_scripts()->registered['pet-picker']->deps, true) && wp_style_is('pet-picker', 'enqueued'));

// No JavaScript: the text field is what arrives.
$count = static fn (): int => (int) $hd->listTickets(['customer_id' => (string) $exact['id']])['total'];
queued_notices();
$out = run_admin_post('create_ticket', ['customer_id' => '', 'customer_id_q' => "picker $tag exact", 'subject' => "Picked $tag", 'priority' => 'normal', 'channel' => 'email']);
check('no script: a name typed exactly picks that customer', str_contains($out, 'page=pet-tickets') && 1 === $count(), $out . ' ' . wp_json_encode(queued_notices()));
$before = $hd->listTickets(['search' => $tag])['total'];
queued_notices();
$out = run_admin_post('create_ticket', ['customer_id' => '', 'customer_id_q' => "Picker $tag customer", 'subject' => "Ambiguous $tag", 'priority' => 'normal', 'channel' => 'email']);
$n = queued_notices();
check('no script: a name matching several customers is a field error and writes nothing',
    'error' === ($n[0]['type'] ?? '') && $before === $hd->listTickets(['search' => $tag])['total'], wp_json_encode($n));
$html = $screen(['assignee_id_q' => 'Unassigned']);
check('no script: the assignee filter resolves "Unassigned"', str_contains($html, 'value="none"'), substr(strip_tags($html), 0, 200));

// The REST search route the picker asks.
$r = new WP_REST_Request('GET', '/pet/v1/customers');
$r->set_query_params(['search' => "Picker $tag Exact", 'per_page' => 10]);
$items = rest_do_request($r)->get_data()['items'] ?? [];
check('REST: the customers route answers the picker\'s search', 2 === count($items) && str_contains((string) $items[0]['name'], 'Exact'), wp_json_encode($items));
