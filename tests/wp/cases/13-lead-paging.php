<?php
// The leads screen pages by the engine's cursors (issue "Flat at any size"): first /
// previous / next / last links, every lead once when the next links are followed, the last
// link reaches the oldest lead, and REST passes after/before for leads, opportunities and
// quotes.

use PetWp\Plugin;

$admin = reactivate_pet('lead-paging');
$plugin = Plugin::instance();
$sales = new \Pet\Sales(Plugin::engine_settings());
$tag = 'lp' . bin2hex(random_bytes(3));
$source = "fair-$tag";
// A schema version with no required field (an earlier case may have published one).
$sales->publishLeadSchema(['fields' => [['key' => 'note', 'label' => 'Note', 'type' => 'text']]], $plugin->context());
$made = [];
for ($i = 0; $i < 45; $i++) {
    $made[] = (string) $sales->createLead(['customer_name' => "Paged $tag $i", 'source' => $source], $plugin->context())['id'];
}

$screen = static fn (array $get): string => render_admin_screen('pet-leads', static fn () => (new \PetWp\Modules\Sales\Sales_Admin($plugin))->page_leads(), $get);
$rows = static fn (string $html): array => linked_ids($html, 'pet-leads', 'lead');
$link = static fn (string $html, string $class): ?array => pager_link($html, $class);

$html = $screen(['source' => $source]);
check('leads screen: 45 items counted', str_contains($html, '45 items'), substr(strip_tags($html), 0, 300));
check('leads screen: the first page has no previous link', null === $link($html, 'prev-page'));
$seen = $rows($html);
$pages = 1;
while (null !== ($next = $link($html, 'next-page')) && $pages < 10) {
    check('leads screen: the next link carries a cursor and the filter', isset($next['after']) && !isset($next['paged']) && $source === ($next['source'] ?? null), wp_json_encode($next));
    $html = $screen($next);
    $seen = array_merge($seen, $rows($html));
    $pages++;
}
sort($seen);
$expected = $made;
sort($expected);
check('leads screen: following next shows every lead once', $expected === $seen, count($seen) . ' rows on ' . $pages . ' pages');
$last = $link($screen(['source' => $source]), 'last-page');
check('leads screen: a last link', null !== $last && isset($last['before']));
$html = $screen($last ?? []);
check('leads screen: the last page has the oldest lead and no next link', in_array($made[0], $rows($html), true) && null === $link($html, 'next-page'));

// REST: after/before pass through, and a bad cursor names its field.
foreach (['/pet/v1/leads', '/pet/v1/opportunities', '/pet/v1/quotes'] as $route) {
    $req = new WP_REST_Request('GET', $route);
    $req->set_query_params(['per_page' => 1]);
    $r = rest_do_request($req);
    $first = $r->get_data();
    check("REST: GET $route has the cursor keys", 200 === $r->get_status() && array_key_exists('next', $first) && array_key_exists('total_exact', $first), wp_json_encode(array_keys((array) $first)));
    $req = new WP_REST_Request('GET', $route);
    $req->set_query_params(['after' => 'nonsense']);
    $bad = rest_do_request($req);
    $body = json_decode((string) wp_json_encode($bad->get_data()), true);
    check("REST: GET $route with a bad cursor is a 400 naming the field", 400 === $bad->get_status() && isset($body['data']['field_errors']['after']), wp_json_encode($body));
}
$req = new WP_REST_Request('GET', '/pet/v1/leads');
$req->set_query_params(['search' => $tag, 'per_page' => 20]);
$first = rest_do_request($req)->get_data();
$req = new WP_REST_Request('GET', '/pet/v1/leads');
$req->set_query_params(['search' => $tag, 'per_page' => 20, 'after' => (string) $first['next']]);
$second = rest_do_request($req)->get_data();
check('REST: GET /leads?after= gives the next page', isset($second['items'][0]['id']) && !in_array($second['items'][0]['id'], array_column($first['items'], 'id'), true) && is_string($second['prev'] ?? null), wp_json_encode(array_keys((array) $second)));
