<?php
// Review fixes (security and correctness), one section each:
// - admin-post actions run only from a POST form: a GET (a followed or prefetched link) is
//   refused with 405 and changes nothing; list-table row actions are POST forms with a nonce
//   and an idempotency key, not links;
// - the REST routes open to pet_work never return hidden (moderated) comments to staff;
// - REST reopen: the site's reopen window (filter) applies, and only a manager may name another;
// - the quote builder's script gets its translated text as JSON, not HTML entities.

use PetWp\Plugin;

$admin = reactivate_pet('review');
$plugin = Plugin::instance();
$identity = $plugin->identity();
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$kb = new \Pet\Knowledge(Plugin::engine_settings());
$sales = new \Pet\Sales(Plugin::engine_settings());
$tag = bin2hex(random_bytes(3));
$show = static fn (WP_REST_Response $r): string => $r->get_status() . ' ' . substr((string) wp_json_encode($r->get_data()), 0, 300);

// A staff user (pet_work only) of this case, linked to an employee so it can act.
$staff_user = wp_insert_user([
    'user_login' => "pet_review_staff_$tag",
    'user_pass' => wp_generate_password(20),
    'user_email' => "pet_review_staff_$tag@example.invalid",
    'role' => 'pet_staff',
]);
if (is_wp_error($staff_user)) {
    throw new RuntimeException($staff_user->get_error_message());
}
// Staff who also work tickets (capabilities given to the user, as a role editor can), but
// who do not moderate the knowledgebase.
$staff_wp_user = new WP_User((int) $staff_user);
$staff_wp_user->add_cap(\PetWp\Access::VIEW_SUPPORT);
$staff_wp_user->add_cap(\PetWp\Access::MANAGE_SUPPORT);
$identity->createEmployee(['name' => "Review Staff $tag", 'email' => "review-staff-$tag@example.invalid", 'wp_user_id' => $staff_user], $plugin->context());
$plugin->forget_employee_cache();
$login_staff = static function () use ($staff_user, $plugin): void {
    wp_set_current_user((int) $staff_user);
    $plugin->forget_employee_cache();
};
$login_admin = static function () use ($plugin): void {
    login_admin();
    $plugin->forget_employee_cache();
};

// ---- admin-post actions: POST only; row actions are forms ----------------------------------

$e = $identity->createEmployee(['name' => "Row Action $tag", 'email' => "row-$tag@example.invalid"], $plugin->context());
$status = static fn (): string => (string) $identity->getEmployee((string) $e['id'])['status'];
$out = run_admin_post('deactivate_employee', ['id' => (string) $e['id']], 'valid', 'GET');
check('a GET to an admin-post action (a followed link) is refused with 405', 'die:405' === $out, $out);
check('the refused GET changed nothing', 'active' === $status(), $status());
login_as_role('subscriber');
$out = run_admin_post('deactivate_employee', ['id' => (string) $e['id']], 'valid', 'GET');
check('without the capability a GET is still a 403', 'die:403' === $out, $out);
$login_admin();
$out = run_admin_post('deactivate_employee', ['id' => (string) $e['id']]);
check('the same action POSTed with its nonce runs', str_starts_with($out, 'redirect:') && 'inactive' === $status(), $out . ' ' . $status());

$_GET = ['page' => 'pet-employees', 'status' => 'inactive'];
$_POST = [];
$_REQUEST = $_GET;
ob_start();
(new \PetWp\Modules\Identity\Identity_Admin($plugin))->page_employees();
$html = (string) ob_get_clean();
check('the employee list renders its row actions', str_contains($html, "Row Action $tag") && str_contains($html, 'Reactivate'), substr(strip_tags($html), 0, 300));
check('no row action is a link to admin-post.php', !preg_match('/href="[^"]*admin-post\.php/', $html));
$forms = preg_match_all('#<form method="post" action="[^"]*admin-post\.php" class="pet-row-action"[^>]*>(.*?)</form>#s', $html, $m);
$complete = $forms > 0;
foreach ($m[1] as $inner) {
    $complete = $complete && str_contains($inner, 'name="action" value="pet_reactivate_employee"')
        && preg_match('/name="_pet_idem" value="[0-9a-f-]{36}"/', $inner)
        && preg_match('/name="_wpnonce" value="[0-9a-f]{10}"/', $inner)
        && str_contains($inner, 'name="_wp_http_referer"');
}
check('row actions are POST forms with the nonce, an idempotency key and the page to return to', $complete, (string) $forms);
$_GET = $_REQUEST = [];

// ---- REST: hidden comments only for moderators ---------------------------------------------

$article = $kb->createArticle(['category' => 'Review', 'slug' => "review-$tag", 'title' => 'Review article', 'body' => 'Body', 'publish' => true], $plugin->context());
$aid = (string) $article['id'];
$kb->commentOnArticle($aid, ['body' => "visible-$tag"], $plugin->context());
$c = $kb->commentOnArticle($aid, ['body' => "secret-$tag"], $plugin->context());
$kb->hideArticleComment($aid, (string) end($c['comments'])['id'], ['reason' => 'spam'], $plugin->context());
$bodies = static fn (WP_REST_Response $r): array => array_column((array) ($r->get_data()['comments'] ?? []), 'body');
$customer = $identity->createCustomer(['name' => "Review Customer $tag"], $plugin->context());
$ticket = $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Review ticket $tag"], $plugin->context());
$ticket2 = $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Review ticket 2 $tag"], $plugin->context());

$login_staff();
$r = rest_call('GET', "/pet/v1/articles/$aid");
check('REST GET /articles/<id> as staff: visible comments only', 200 === $r->get_status() && in_array("visible-$tag", $bodies($r), true) && !in_array("secret-$tag", $bodies($r), true), $show($r));
$r = rest_call('POST', "/pet/v1/articles/$aid/comments", ['body' => "staff-$tag"]);
check('REST POST /articles/<id>/comments as staff: the returned article has no hidden comment', 201 === $r->get_status() && in_array("staff-$tag", $bodies($r), true) && !in_array("secret-$tag", $bodies($r), true), $show($r));
$r = rest_call('POST', "/pet/v1/articles/$aid/tickets", ['ticket_id' => (string) $ticket['id']]);
check('REST POST /articles/<id>/tickets as staff: no hidden comment', 201 === $r->get_status() && [] !== $bodies($r) && !in_array("secret-$tag", $bodies($r), true), $show($r));
$r = rest_call('POST', '/pet/v1/tickets/' . $ticket2['id'] . '/articles', ['article_id' => $aid]);
check('REST POST /tickets/<id>/articles as staff: no hidden comment', 201 === $r->get_status() && [] !== $bodies($r) && !in_array("secret-$tag", $bodies($r), true), $show($r));
$login_admin();
$r = rest_call('GET', "/pet/v1/articles/$aid");
check('REST GET /articles/<id> as a moderator: the hidden comment too', 200 === $r->get_status() && in_array("secret-$tag", $bodies($r), true), $show($r));

// ---- REST reopen: the site's window; only a manager names another --------------------------

$resolved = static function () use ($hd, $plugin, $customer, $tag): string {
    $t = $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Reopen $tag"], $plugin->context());
    $hd->changeTicketStatus((string) $t['id'], 'open', $plugin->context());
    $hd->resolveTicket((string) $t['id'], $plugin->context());
    return (string) $t['id'];
};
$tid = $resolved();
$login_staff();
$r = rest_call('POST', "/pet/v1/tickets/$tid/reopen", ['reopen_window_minutes' => 0]);
check('REST reopen as staff naming a window: 403', 403 === $r->get_status() && 'pet_forbidden' === ($r->get_data()['code'] ?? ''), $show($r));
$window = static fn () => 0; // Refused by the engine (must be > 0): proves the filter's value reaches it.
add_filter('pet_ticket_reopen_window_minutes', $window);
$r = rest_call('POST', "/pet/v1/tickets/$tid/reopen");
check('REST reopen applies the site\'s window (filter pet_ticket_reopen_window_minutes)', 400 === $r->get_status() && isset(((array) ($r->get_data()['data']['field_errors'] ?? []))['reopen_window_minutes']), $show($r));
remove_filter('pet_ticket_reopen_window_minutes', $window);
check('nothing was reopened meanwhile', 'resolved' === $hd->getTicket($tid)['status']);
$r = rest_call('POST', "/pet/v1/tickets/$tid/reopen");
check('REST reopen as staff within the window: 200, open again', 200 === $r->get_status() && 'open' === ($r->get_data()['status'] ?? ''), $show($r));
$tid = $resolved();
$login_admin();
$r = rest_call('POST', "/pet/v1/tickets/$tid/reopen", ['reopen_window_minutes' => 0]);
check('REST reopen as a manager naming a window: it reaches the engine (0 refused)', 400 === $r->get_status() && isset(((array) ($r->get_data()['data']['field_errors'] ?? []))['reopen_window_minutes']), $show($r));
$r = rest_call('POST', "/pet/v1/tickets/$tid/reopen", ['reopen_window_minutes' => 60]);
check('REST reopen as a manager with a window of 60 minutes: 200', 200 === $r->get_status() && 'open' === ($r->get_data()['status'] ?? ''), $show($r));

// ---- the quote builder's script text -------------------------------------------------------

// A lead by the latest schema (its required custom fields filled), then opportunity and quote.
$custom = lead_custom_fields($sales);
$lead = $sales->createLead(['customer_name' => "Builder $tag", 'source' => 'review'] + ([] === $custom ? [] : ['custom_fields' => $custom]), $plugin->context());
$sales->contactLead((string) $lead['id'], ['note' => 'call'], $plugin->context());
$sales->qualifyLead((string) $lead['id'], ['need' => 'x', 'budget' => ['amount_minor' => 100000, 'currency' => 'EUR']], $plugin->context());
$opp = $sales->createOpportunity(['lead_id' => (string) $lead['id'], 'title' => "Builder $tag", 'expected_value' => ['amount_minor' => 100000, 'currency' => 'EUR'], 'expected_close' => '2030-06-30'], $plugin->context());
$quote = $sales->createQuote(['opportunity_id' => (string) $opp['id']], $plugin->context());

require_once WP_PLUGIN_DIR . '/pet/includes/modules/sales/class-sales-admin.php';
$translate = static fn ($text, $original) => 'Preview while editing (not saved):' === $original ? 'Aperçu "brouillon" & <total>:' : $text;
add_filter('gettext', $translate, 10, 2);
$_GET = ['page' => 'pet-quotes', 'quote' => (string) $quote['id']];
$_REQUEST = $_GET;
$sales_admin = new \PetWp\Modules\Sales\Sales_Admin($plugin);
ob_start();
$sales_admin->page_quotes();
$html = (string) ob_get_clean();
// The builder's script is assets/js/quote-builder.js, enqueued on the Quotes screen; its text
// is printed before it as data (wp_add_inline_script 'before').
$sales_admin->enqueue_assets('pet_page_pet-quotes');
remove_filter('gettext', $translate, 10);
$_GET = $_REQUEST = [];
check('the quote page renders the builder', str_contains($html, 'id="pet-quote-builder"'), substr(strip_tags($html), 0, 300));
check('the quote page prints no inline script or style', !preg_match('#<script|<style#', $html));
$builder = wp_scripts()->query('pet-quote-builder');
check('the builder script is a file enqueued on the Quotes screen with the plugin version',
    wp_script_is('pet-quote-builder', 'enqueued') && false !== $builder && str_ends_with((string) $builder->src, 'assets/js/quote-builder.js') && PET_PLUGIN_VERSION === $builder->ver,
    false === $builder ? 'not registered' : (string) $builder->src);
$script = implode("\n", (array) wp_scripts()->get_data('pet-quote-builder', 'before'));
check('the builder script carries the text as JSON (no HTML entities, no raw tag)',
    str_contains($script, '\u0022brouillon\u0022 \u0026 \u003Ctotal\u003E:') && !str_contains($script, '&quot;') && !str_contains($script, '&amp;') && !str_contains($script, '<total>'),
    substr($script, (int) strpos($script, 'pet-live-total'), 160));

// ---- an empty required amount is refused, not saved as zero --------------------------------

$p = $identity->createEmployee(['name' => "Rate $tag", 'email' => "rate-$tag@example.invalid"], $plugin->context());
$rates = static fn (): int => count($identity->getEmployee((string) $p['id'])['rates'] ?? []);
$before = $rates();
queued_notices();
$out = run_admin_post('change_rate', ['id' => (string) $p['id'], 'kind' => 'cost', 'amount' => '', 'currency' => 'EUR', 'effective_from' => '2030-01-01']);
$notices = queued_notices();
check('change_rate with an empty amount: the engine\'s field error, no zero rate saved',
    str_starts_with($out, 'redirect:') && $before === $rates() && 'error' === ($notices[0]['type'] ?? '') && isset($notices[0]['fields']['amount_minor']), $out . ' ' . $rates() . ' ' . wp_json_encode($notices));
$out = run_admin_post('change_rate', ['id' => (string) $p['id'], 'kind' => 'cost', 'amount' => '0', 'currency' => 'EUR', 'effective_from' => '2030-01-01']);
check('change_rate with an amount of 0 (typed): saved', str_starts_with($out, 'redirect:') && $before + 1 === $rates() && 'success' === (queued_notices()[0]['type'] ?? ''), $out . ' ' . $rates());

$lead2 = $sales->createLead(['customer_name' => "Opportunity $tag", 'source' => 'review'] + ([] === $custom ? [] : ['custom_fields' => $custom]), $plugin->context());
$sales->contactLead((string) $lead2['id'], ['note' => 'call'], $plugin->context());
$sales->qualifyLead((string) $lead2['id'], ['need' => 'x', 'budget' => ['amount_minor' => 100000, 'currency' => 'EUR']], $plugin->context());
$opps = static fn (): int => (int) $sales->listOpportunities(['lead_id' => (string) $lead2['id']])['total'];
$out = run_admin_post('create_opportunity', ['lead_id' => (string) $lead2['id'], 'title' => "Empty value $tag", 'expected_value' => '', 'currency' => 'EUR', 'expected_close' => '2030-06-30']);
$notices = queued_notices();
check('create_opportunity with an empty expected value: the engine\'s field error, no opportunity',
    str_starts_with($out, 'redirect:') && 0 === $opps() && 'error' === ($notices[0]['type'] ?? '') && isset($notices[0]['fields']['expected_value.amount_minor']), $out . ' ' . $opps() . ' ' . wp_json_encode($notices));
$out = run_admin_post('create_opportunity', ['lead_id' => (string) $lead2['id'], 'title' => "Value $tag", 'expected_value' => '1200', 'currency' => 'EUR', 'expected_close' => '2030-06-30']);
check('create_opportunity with a value: opened', str_starts_with($out, 'redirect:') && 1 === $opps(), $out . ' ' . $opps());

// Text is kept as typed: tag-like text and %XX sequences are not stripped (every screen
// escapes on output), line breaks in one-line fields become spaces.
login_admin();
$typed = "Upgrade <PHP 8> & 100%25 off $tag";
$out = run_admin_post('create_customer', ['name' => $typed]);
$found = $identity->listCustomers(['search' => "Upgrade <PHP 8>"])['items'];
check('a one-line form field is stored as typed (tags and %XX kept)', str_starts_with($out, 'redirect:') && 1 === count($found) && $typed === $found[0]['name'], $out . ' ' . wp_json_encode($found));
$r = rest_call('POST', '/pet/v1/customers', ['name' => "Line\nbreak <b>$tag</b>"]);
check('REST: a one-line field keeps tags, folds the line break', 201 === $r->get_status() && "Line break <b>$tag</b>" === ($r->get_data()['name'] ?? null), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
$_GET = ['page' => 'pet-customers', 'id' => (string) $found[0]['id']];
$_REQUEST = $_GET;
ob_start();
(new \PetWp\Modules\Identity\Identity_Admin($plugin))->page_customers();
$html = (string) ob_get_clean();
check('the customer page shows the typed name escaped, never as markup', str_contains($html, 'Upgrade &lt;PHP 8&gt; &amp; 100%25 off') && !str_contains($html, '<PHP 8>'), substr(strip_tags($html), 0, 300));

// An unexpected (non-PET) error: the technical message only for administrators.
$boom = new \RuntimeException("secret-detail-$tag");
login_admin();
$d = \PetWp\Notices::describe($boom);
check('unexpected error: an administrator sees the technical message', str_contains($d['message'], "secret-detail-$tag"), $d['message']);
login_as_role('pet_staff');
$d = \PetWp\Notices::describe($boom);
check('unexpected error: staff are told it is logged, without the technical message', !str_contains($d['message'], "secret-detail-$tag") && str_contains($d['message'], 'error log'), $d['message']);
login_admin();

// The PET submenu is in working order (daily screens first, set-up after), whatever order
// the modules registered their pages in (pages it does not name, e.g. the article detail
// page that admin_head hides, come after).
login_admin();
global $submenu;
$submenu = [];
do_action('admin_menu');
$order = array_column($submenu['pet-employees'] ?? [], 2);
$expected = array_values(array_intersect(\PetWp\Admin::MENU_ORDER, $order));
check('menu: PET pages in MENU_ORDER, every named page present', $expected === array_slice($order, 0, count($expected)) && count($expected) === count(\PetWp\Admin::MENU_ORDER), wp_json_encode($order));

// The quote builder: a line with a blank unit price is refused by the engine (field error),
// not saved as a zero-priced line.
login_admin();
$opp_id = (string) $sales->listOpportunities(['lead_id' => (string) $lead2['id']])['items'][0]['id'];
$q = $sales->createQuote(['opportunity_id' => $opp_id], $plugin->context());
$lines_of = static fn (): int => (int) ($sales->getQuote((string) $q['id'])['versions'][0]['line_count'] ?? -1);
queued_notices();
$out = run_admin_post('save_quote_draft', ['id' => (string) $q['id'], 'groups' => [['title' => 'Build', 'lines' => [['kind' => 'fixed_fee', 'description' => "No price $tag", 'quantity' => '1', 'unit_price' => '', 'tax_rate' => '']]]]]);
$notices = queued_notices();
check('quote builder: a blank unit price is the engine\'s field error, nothing saved',
    str_starts_with($out, 'redirect:') && 'error' === ($notices[0]['type'] ?? '') && isset($notices[0]['fields']['groups.0.lines.0.unit_price_minor']) && 0 === $lines_of(),
    $out . ' ' . wp_json_encode($notices) . ' ' . $lines_of());
$out = run_admin_post('save_quote_draft', ['id' => (string) $q['id'], 'groups' => [['title' => 'Build', 'lines' => [['kind' => 'fixed_fee', 'description' => "Priced $tag", 'quantity' => '1', 'unit_price' => '0', 'tax_rate' => '']]]]]);
check('quote builder: a typed price of 0 is saved', str_starts_with($out, 'redirect:') && 1 === $lines_of(), $out . ' ' . wp_json_encode(queued_notices()));
