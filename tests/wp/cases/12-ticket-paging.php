<?php
// The tickets screen pages by the engine's cursors (issue "Flat at any size"): first /
// previous / next / last links, every ticket once when the next links are followed, a
// cursor of another order falls back to the first page, and REST passes after/before.

use PetWp\Plugin;

$admin = reactivate_pet('ticket-paging');
$plugin = Plugin::instance();
$identity = new \Pet\Identity(Plugin::engine_settings());
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$tag = 'pg' . bin2hex(random_bytes(3));
$customer = $identity->createCustomer(['name' => "Paging $tag"], $plugin->context());
$made = [];
for ($i = 0; $i < 45; $i++) {
    $made[] = (string) $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Paged $tag $i"], $plugin->context())['id'];
}

$screen = static fn (array $get): string => render_admin_screen('pet-tickets', static fn () => (new \PetWp\Modules\Helpdesk\Helpdesk_Admin($plugin))->page_tickets(), $get);
$rows = static fn (string $html): array => linked_ids($html, 'pet-tickets', 'id');
$link = static fn (string $html, string $class): ?array => pager_link($html, $class);

$html = $screen(['customer_id' => (string) $customer['id']]);
check('tickets screen: 45 items counted', str_contains($html, '45 items'), substr(strip_tags($html), 0, 300));
check('tickets screen: the first page has no previous link', null === $link($html, 'prev-page'));
$seen = $rows($html);
$pages = 1;
while (null !== ($next = $link($html, 'next-page')) && $pages < 10) {
    check('tickets screen: the next link carries a cursor, not a page number', isset($next['after']) && !isset($next['paged']), wp_json_encode($next));
    $html = $screen($next);
    $seen = array_merge($seen, $rows($html));
    $pages++;
}
sort($seen);
$expected = $made;
sort($expected);
check('tickets screen: following next shows every ticket once', $expected === $seen, count($seen) . ' rows on ' . $pages . ' pages');
$last = $link($screen(['customer_id' => (string) $customer['id']]), 'last-page');
check('tickets screen: a last link', null !== $last && isset($last['before']));
$html = $screen($last);
check('tickets screen: the last page has the oldest ticket and no next link', in_array($made[0], $rows($html), true) && null === $link($html, 'next-page'));

// Re-sorting with a cursor of the old order: the new order's first page, no error.
$html = $screen(['customer_id' => (string) $customer['id'], 'orderby' => 'updated_at', 'order' => 'asc', 'after' => (string) ($last['before'] ?? '')]);
check('tickets screen: a cursor of another order falls back to the first page', in_array($made[0], $rows($html), true) && !str_contains($html, 'notice-error'), substr(strip_tags($html), 0, 300));

// REST: after/before pass through.
$r = rest_do_request(new WP_REST_Request('GET', '/pet/v1/tickets'));
$first = $r->get_data();
$req = new WP_REST_Request('GET', '/pet/v1/tickets');
$req->set_query_params(['after' => (string) $first['next']]);
$second = rest_do_request($req)->get_data();
check('REST: GET /tickets?after= gives the next page', 200 === $r->get_status() && isset($second['items'][0]['id']) && $second['items'][0]['id'] !== $first['items'][0]['id'] && array_key_exists('prev', $second), wp_json_encode(array_keys($second)));
$req = new WP_REST_Request('GET', '/pet/v1/tickets');
$req->set_query_params(['after' => 'nonsense']);
$bad = rest_do_request($req);
$body = json_decode((string) wp_json_encode($bad->get_data()), true);
check('REST: a bad cursor is a 400 naming the field', 400 === $bad->get_status() && isset($body['data']['field_errors']['after']), wp_json_encode($body));

// A search is ranked: the subject's match before a message's, and the screen says so.
$in_reply = (string) $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Laptop $tag"], $plugin->context())['id'];
$hd->replyToTicket($in_reply, ['body' => "Heron$tag dock replaced", 'visibility' => 'internal'], $plugin->context());
$in_subject = (string) $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Heron$tag dock"], $plugin->context())['id'];
$found = $hd->listTickets(['search' => "heron$tag"]);
check('search: ranked, the subject match first', true === $found['ranked'] && [$in_subject, $in_reply] === array_map(static fn ($t) => (string) $t['id'], $found['items']), wp_json_encode($found['items']));
$html = $screen(['s' => "heron$tag"]);
check('tickets screen: a search says its results come best match first', str_contains($html, 'Best matches first') && [$in_subject, $in_reply] === $rows($html), substr(strip_tags($html), 0, 400));
$html = $screen(['s' => "heron$tag", 'orderby' => 'created_at', 'order' => 'asc']);
check('tickets screen: sorted by a column, no relevance line', !str_contains($html, 'Best matches first') && [$in_reply, $in_subject] === $rows($html));
$req = new WP_REST_Request('GET', '/pet/v1/tickets');
$req->set_query_params(['search' => "heron$tag", 'sort' => 'relevance']);
$r = rest_do_request($req)->get_data();
check('REST: sort=relevance', true === ($r['ranked'] ?? null) && (string) $r['items'][0]['id'] === $in_subject, wp_json_encode($r));
