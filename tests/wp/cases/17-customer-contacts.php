<?php
// A customer's contacts are a flat list of their own (issue "Flat at any size"): the
// customer screen pages through them by cursor and searches them, the customers list shows
// the first three and how many more, and REST lists them (GET /customers/{id}/contacts).

use PetWp\Plugin;

reactivate_pet('customer-contacts');
$plugin = Plugin::instance();
$identity = new \Pet\Identity(Plugin::engine_settings());
$tag = 'cc' . bin2hex(random_bytes(3));
$c = (string) $identity->createCustomer(['name' => "Contacts $tag"], $plugin->context())['id'];
for ($i = 0; $i < 27; $i++) {
    $identity->addContact($c, ['name' => sprintf('Person %s %02d', $tag, $i), 'email' => sprintf('p%d@%s.test', $i, 0 === $i % 9 ? "rare$tag" : 'x')], $plugin->context());
}

$screen = static fn (array $get): string => render_admin_screen('pet-customers', static fn () => (new \PetWp\Modules\Identity\Identity_Admin($plugin))->page_customers(), $get);
$names = static function (string $html) use ($tag): array {
    preg_match_all('/Person ' . $tag . ' (\d\d)/', $html, $m);
    return array_values(array_unique($m[1]));
};

$html = $screen(['customer' => $c]);
check('customer screen: 27 contacts counted', str_contains($html, '27 items'), substr(strip_tags($html), 0, 400));
check('customer screen: the first page shows 20 contacts, oldest first', array_map('intval', $names($html)) === range(0, 19), implode(',', $names($html)));
$next = pager_link($html, 'next-page');
check('customer screen: the next link carries a cursor and the customer', null !== $next && isset($next['after']) && ($next['customer'] ?? '') === $c, wp_json_encode($next));
$html = $screen($next);
check('customer screen: the next page shows the other 7', array_map('intval', $names($html)) === range(20, 26), implode(',', $names($html)));
$html = $screen(['customer' => $c, 's' => "rare$tag"]);
check('customer screen: searching contacts finds by email, newest first', ['18', '09', '00'] === $names($html), implode(',', $names($html)));
check('customer screen: a search box', str_contains($html, 'pet-contact-search-input'));

$list = $screen(['s' => "Contacts $tag"]);
check('customers list: the first three contacts and how many more', str_contains($list, "Person $tag 00, Person $tag 01, Person $tag 02 and 24 more"), substr(strip_tags($list), 0, 600));

$req = new WP_REST_Request('GET', "/pet/v1/customers/$c/contacts");
$req->set_query_params(['per_page' => 5, 'search' => "rare$tag"]);
$r = rest_do_request($req);
$body = $r->get_data();
check('REST: GET /customers/{id}/contacts lists and searches them', 200 === $r->get_status() && 3 === count($body['items']) && array_key_exists('next', $body), wp_json_encode($body));
$req = new WP_REST_Request('GET', '/pet/v1/customers/' . wp_generate_uuid4() . '/contacts');
check('REST: contacts of an unknown customer is a 404', 404 === rest_do_request($req)->get_status());
$got = rest_do_request(new WP_REST_Request('GET', "/pet/v1/customers/$c"))->get_data();
check('REST: the customer carries its contact count and its first 20 contacts', 27 === $got['contact_count'] && 20 === count($got['contacts']), wp_json_encode(array_keys($got)));
