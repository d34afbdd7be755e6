<?php
// The customers screen pages by the engine's cursors (issue "Flat at any size"): first /
// previous / next / last links, every customer once when the next links are followed
// (also while customers are added between pages; a searched list is newest first), and REST
// passes after/before to the
// customers, employees, articles, SLA definitions, jobs and activity lists.

use PetWp\Plugin;

$admin = reactivate_pet('customer-paging');
$plugin = Plugin::instance();
$identity = new \Pet\Identity(Plugin::engine_settings());
$tag = 'cp' . bin2hex(random_bytes(3));
$made = [];
for ($i = 0; $i < 45; $i++) {
    $made[] = (string) $identity->createCustomer(['name' => sprintf('Cursor %s %02d', $tag, $i)], $plugin->context())['id'];
}

$screen = static fn (array $get): string => render_admin_screen('pet-customers', static fn () => (new \PetWp\Modules\Identity\Identity_Admin($plugin))->page_customers(), $get);
$rows = static fn (string $html): array => linked_ids($html, 'pet-customers', 'customer');
$link = static fn (string $html, string $class): ?array => pager_link($html, $class);

$html = $screen(['s' => $tag]);
check('customers screen: 45 items counted', str_contains($html, '45 items'), substr(strip_tags($html), 0, 300));
check('customers screen: the first page has no previous link', null === $link($html, 'prev-page'));
$seen = $rows($html);
$pages = 1;
while (null !== ($next = $link($html, 'next-page')) && $pages < 10) {
    check('customers screen: the next link carries a cursor, not a page number', isset($next['after']) && !isset($next['paged']) && ($next['s'] ?? '') === $tag, wp_json_encode($next));
    // A customer added between pages (newest: sorting first) is not shown and moves nothing.
    $identity->createCustomer(['name' => sprintf('Cursor %s 00 early %d', $tag, $pages)], $plugin->context());
    $html = $screen($next);
    $seen = array_merge($seen, $rows($html));
    $pages++;
}
$expected = array_reverse($made);
check('customers screen: following next shows every customer once, newest first (searched)', $expected === $seen, count($seen) . ' rows on ' . $pages . ' pages');
$last = $link($screen(['s' => $tag]), 'last-page');
check('customers screen: a last link', null !== $last && isset($last['before']));
$html = $screen($last);
check('customers screen: the last page has the oldest customer and no next link', in_array($made[0], $rows($html), true) && null === $link($html, 'next-page'));
$html = $screen(['s' => $tag, 'after' => 'nonsense']);
check('customers screen: a foreign cursor falls back to the first page', in_array($made[44], $rows($html), true) && !str_contains($html, 'notice-error') && count($rows($html)) > 0, substr(strip_tags($html), 0, 300));

// REST: after/before pass through to every flat list.
foreach (['/pet/v1/customers', '/pet/v1/employees', '/pet/v1/articles', '/pet/v1/sla-definitions', '/pet/v1/jobs', '/pet/v1/activity'] as $route) {
    $req = new WP_REST_Request('GET', $route);
    $req->set_query_params(['per_page' => 1]);
    $r = rest_do_request($req);
    $first = $r->get_data();
    check("REST: GET $route is a keyset page", 200 === $r->get_status() && array_key_exists('next', $first) && array_key_exists('total_exact', $first), wp_json_encode($first));
    if (!empty($first['next'])) {
        $req = new WP_REST_Request('GET', $route);
        $req->set_query_params(['per_page' => 1, 'after' => (string) $first['next']]);
        $second = rest_do_request($req)->get_data();
        check("REST: GET $route?after= gives the next page", isset($second['items'][0]) && $second['items'][0] !== $first['items'][0] && !empty($second['prev']), wp_json_encode($second));
    }
    $req = new WP_REST_Request('GET', $route);
    $req->set_query_params(['after' => 'nonsense']);
    $bad = rest_do_request($req);
    $body = json_decode((string) wp_json_encode($bad->get_data()), true);
    check("REST: a bad cursor on $route is a 400 naming the field", 400 === $bad->get_status() && isset($body['data']['field_errors']['after']), wp_json_encode($body));
}
