<?php
// Pickers everywhere (issue 9, "Pickers never render a whole table"): the leads screen (owner
// filter, capture form's customer and owner), the lead page (owner), a team page (new member),
// the activity screen (who) and the ticket page (article to link) render no whole-table list
// but type-ahead pickers; without JavaScript each form resolves the typed name (the one
// match, or the one named exactly so), and an ambiguous name is a field error that writes
// nothing. The lead and opportunity kinds label their rows meaningfully.

use PetWp\Picker;
use PetWp\Plugin;

$admin = reactivate_pet('more-pickers');
$plugin = Plugin::instance();
$ctx = $plugin->context();
$settings = Plugin::engine_settings();
$identity = new \Pet\Identity($settings);
$sales = new \Pet\Sales($settings);
$hd = new \Pet\Helpdesk($settings);
$kb = new \Pet\Knowledge($settings);
$tag = 'mp' . bin2hex(random_bytes(3));

// More rows than a picker's page (10) and than a list's page (20) of each kind.
$employees = [];
$customers = [];
$articles = [];
for ($i = 0; $i < 25; $i++) {
    $employees[] = $identity->createEmployee(['name' => "Pk $tag worker $i", 'email' => "pk-$tag-$i@example.invalid"], $ctx)['name'];
    $customers[] = $identity->createCustomer(['name' => "Pk $tag client $i"], $ctx)['name'];
    $articles[] = $kb->createArticle(['category' => "Pk $tag", 'slug' => "pk-$tag-$i", 'title' => "Pk $tag guide $i", 'body' => 'Body.', 'publish' => true], $ctx)['title'];
}
$person = $identity->createEmployee(['name' => "Pk $tag Exact Person", 'email' => "pk-$tag-exact@example.invalid"], $ctx);
$identity->createEmployee(['name' => "Pk $tag Exact Person Two", 'email' => "pk-$tag-exact2@example.invalid"], $ctx);
$gone = $identity->createEmployee(['name' => "Pk $tag Gone Person", 'email' => "pk-$tag-gone@example.invalid"], $ctx);
$identity->deactivateEmployee((string) $gone['id'], $ctx);
$client = $identity->createCustomer(['name' => "Pk $tag Exact Client"], $ctx);
$identity->createCustomer(['name' => "Pk $tag Exact Client Two"], $ctx);
$guide = $kb->createArticle(['category' => "Pk $tag", 'slug' => "pk-$tag-exact", 'title' => "Pk $tag Exact Guide", 'body' => 'Body.', 'publish' => true], $ctx);
$kb->createArticle(['category' => "Pk $tag", 'slug' => "pk-$tag-exact2", 'title' => "Pk $tag Exact Guide Two", 'body' => 'Body.', 'publish' => true], $ctx);
$draft = $kb->createArticle(['category' => "Pk $tag", 'slug' => "pk-$tag-draft", 'title' => "Pk $tag Draft Only", 'body' => 'Body.'], $ctx);
// A schema version with no required field (an earlier case may have published one).
$note_field = [['key' => 'note', 'label' => 'Note', 'type' => 'text']];
$latest = $sales->getLeadSchema(null);
if (null === $latest || array_column($latest['fields'], 'required') !== [false] || array_column($latest['fields'], 'key') !== ['note']) {
    $sales->publishLeadSchema(['fields' => $note_field], $ctx);
}
$lead = $sales->createLead(['customer_name' => "Pk $tag Lead Co", 'source' => "fair-$tag"], $ctx);
$team = $identity->createTeam(['name' => "Pk $tag team"], $ctx);
$ticket = $hd->createTicket(['customer_id' => (string) $client['id'], 'subject' => "Pk $tag ticket"], $ctx);

$sales_admin = new \PetWp\Modules\Sales\Sales_Admin($plugin);
$screens = [
    'leads screen' => ['pet-leads', static fn () => $sales_admin->page_leads(), []],
    'lead page' => ['pet-leads', static fn () => $sales_admin->page_leads(), ['lead' => (string) $lead['id'], 'edit' => '1']],
    'team page' => ['pet-teams', static fn () => (new \PetWp\Modules\Identity\Identity_Admin($plugin))->page_teams(), ['team' => (string) $team['id']]],
    // A context with no events: the feed itself names nobody.
    'activity screen' => ['pet-activity', static fn () => (new \PetWp\Admin($plugin))->page_activity(), ['context_type' => 'team', 'context_id' => wp_generate_uuid4()]],
    'ticket page' => ['pet-tickets', static fn () => (new \PetWp\Modules\Helpdesk\Helpdesk_Admin($plugin))->page_tickets(), ['id' => (string) $ticket['id']]],
];
$pickers = [
    'leads screen' => ['owner_id' => 'employees', 'customer_id' => 'customers'],
    'lead page' => ['owner_id' => 'employees'],
    'team page' => ['employee_id' => 'employees'],
    'activity screen' => ['actor_id' => 'employees'],
    'ticket page' => ['article_id' => 'articles'],
];
foreach ($screens as $label => [$page, $render, $get]) {
    $html = render_admin_screen($page, $render, $get);
    $listed = array_filter(array_merge($employees, $customers, $articles), static fn ($n) => str_contains($html, $n));
    check("$label: no employee, customer or article of the tables is listed", [] === $listed, count($listed) . ' listed, e.g. ' . (string) reset($listed));
    foreach ($pickers[$label] as $field => $route) {
        check("$label: $field is a combobox backed by the $route route",
            1 === preg_match('/data-pet-picker="' . $route . '"[^>]*>\s*<input type="hidden" class="pet-picker-value" name="' . $field . '"[^>]*>\s*<input[^>]*role="combobox"/', $html));
    }
}
$html = render_admin_screen('pet-leads', static fn () => $sales_admin->page_leads(), []);
check('leads screen: the owner picker searches active employees only', str_contains($html, 'data-query="{&quot;status&quot;:&quot;active&quot;}"'));
$html = render_admin_screen('pet-tickets', static fn () => (new \PetWp\Modules\Helpdesk\Helpdesk_Admin($plugin))->page_tickets(), ['id' => (string) $ticket['id']]);
check('ticket page: the article picker searches published articles and labels them by title and category',
    str_contains($html, 'data-pet-picker="articles" data-query="{&quot;status&quot;:&quot;published&quot;}" data-label="[&quot;title&quot;,&quot;category&quot;]"'));
foreach (['pet-leads' => '\\PetWp\\Modules\\Sales\\Sales_Admin', 'pet-teams' => '\\PetWp\\Modules\\Identity\\Identity_Admin', 'pet-activity' => '\\PetWp\\Admin'] as $page => $class) {
    wp_dequeue_script('pet-picker');
    $assets = Closure::bind(fn (string $p) => $this->assets($p), new $class($plugin), $class);
    $assets($page);
    check("$page: the picker script is enqueued", wp_script_is('pet-picker', 'enqueued'));
}

// ---- no JavaScript: the typed text arrives -------------------------------------------------
queued_notices();
$out = run_admin_post('create_lead', ['customer_id' => '', 'customer_id_q' => "pk $tag exact client", 'customer_name' => '', 'source' => "picked-$tag",
    'owner_id' => '', 'owner_id_q' => "Pk $tag Exact Person"]);
$made = array_values(array_filter($sales->listLeads(['search' => "picked-$tag"])['items'], static fn ($l) => "picked-$tag" === $l['source']));
check('capture lead, no script: typed customer and owner names pick them',
    1 === count($made) && $client['id'] === $made[0]['customer_id'] && $person['id'] === $made[0]['owner_id'], $out . ' ' . wp_json_encode([$made, queued_notices()]));
foreach (['customer_id' => "Pk $tag client", 'owner_id' => "Pk $tag worker"] as $field => $typed) {
    queued_notices();
    $post = ['customer_id' => '', 'customer_id_q' => '', 'customer_name' => "Pk $tag new co", 'source' => "ambiguous-$tag", 'owner_id' => '', 'owner_id_q' => ''];
    $post[$field . '_q'] = $typed;
    run_admin_post('create_lead', $post);
    $n = queued_notices();
    check("capture lead, no script: an ambiguous $field is a field error and writes nothing",
        'error' === ($n[0]['type'] ?? '') && isset($n[0]['fields'][$field]) && 0 === (int) $sales->listLeads(['search' => "ambiguous-$tag"])['total'], wp_json_encode($n));
}

queued_notices();
run_admin_post('update_lead', ['id' => (string) $lead['id'], 'source' => "fair-$tag", 'owner_id' => '', 'owner_id_q' => "pk $tag exact person"]);
check('edit lead, no script: a typed owner name picks that employee', $person['id'] === $sales->getLead((string) $lead['id'])['owner_id'], wp_json_encode(queued_notices()));
run_admin_post('update_lead', ['id' => (string) $lead['id'], 'source' => "changed-$tag", 'owner_id' => '', 'owner_id_q' => "Pk $tag worker"]);
$n = queued_notices();
$l = $sales->getLead((string) $lead['id']);
check('edit lead, no script: an ambiguous owner is a field error and changes nothing',
    'error' === ($n[0]['type'] ?? '') && $person['id'] === $l['owner_id'] && "fair-$tag" === $l['source'], wp_json_encode($n));

$members = static fn (): array => array_column($identity->getTeam((string) $team['id'])['members'] ?? [], 'employee_id');
queued_notices();
run_admin_post('add_team_member', ['team' => (string) $team['id'], 'employee_id' => '', 'employee_id_q' => "Pk $tag worker", 'role' => 'member', 'valid_from' => gmdate('Y-m-d')]);
$n = queued_notices();
check('add member, no script: an ambiguous employee is a field error and adds nobody', 'error' === ($n[0]['type'] ?? '') && [] === $members(), wp_json_encode($n));
run_admin_post('add_team_member', ['team' => (string) $team['id'], 'employee_id' => '', 'employee_id_q' => "Pk $tag Exact Person", 'role' => 'member', 'valid_from' => gmdate('Y-m-d')]);
check('add member, no script: a typed name adds that employee', [(string) $person['id']] === $members(), wp_json_encode(queued_notices()));

$linked = static fn (): array => array_column($hd->getTicket((string) $ticket['id'])['linked_articles'], 'id');
queued_notices();
run_admin_post('link_ticket_article', ['id' => (string) $ticket['id'], 'article_id' => '', 'article_id_q' => "Pk $tag guide"]);
$n = queued_notices();
check('link article, no script: an ambiguous title is a field error and links nothing', 'error' === ($n[0]['type'] ?? '') && [] === $linked(), wp_json_encode($n));
run_admin_post('link_ticket_article', ['id' => (string) $ticket['id'], 'article_id' => '', 'article_id_q' => "Pk $tag Draft Only"]);
$n = queued_notices();
check('link article, no script: a draft is not offered', 'error' === ($n[0]['type'] ?? '') && [] === $linked(), wp_json_encode($n));
run_admin_post('link_ticket_article', ['id' => (string) $ticket['id'], 'article_id' => '', 'article_id_q' => "pk $tag exact guide"]);
check('link article, no script: a typed title links that article', [(string) $guide['id']] === $linked(), wp_json_encode(queued_notices()));

$html = render_admin_screen('pet-leads', static fn () => $sales_admin->page_leads(), ['owner_id_q' => "Pk $tag Exact Person"]);
$owned = [(string) $lead['id'], (string) $made[0]['id']];
$shown = linked_ids($html, 'pet-leads', 'lead');
sort($owned);
sort($shown);
check('leads filter, no script: a typed owner filters by that employee',
    str_contains($html, 'name="owner_id" value="' . $person['id'] . '"') && $owned === $shown, wp_json_encode($shown));
$html = render_admin_screen('pet-activity', static fn () => (new \PetWp\Admin($plugin))->page_activity(), ['actor_id_q' => "Pk $tag Gone Person"]);
check('activity filter, no script: a typed name resolves an inactive employee too', str_contains($html, 'name="actor_id" value="' . $gone['id'] . '"'));
$html = render_admin_screen('pet-activity', static fn () => (new \PetWp\Admin($plugin))->page_activity(), ['actor_id_q' => "Pk $tag worker"]);
check('activity filter, no script: an ambiguous name filters nobody out', str_contains($html, 'name="actor_id" value=""'));

// ---- the lead and opportunity kinds ------------------------------------------------------------
$sales->contactLead((string) $lead['id'], ['note' => 'call'], $ctx);
$sales->qualifyLead((string) $lead['id'], ['need' => 'x'], $ctx);
$opp = $sales->createOpportunity(['lead_id' => (string) $lead['id'], 'title' => "Pk $tag Big Deal", 'expected_value' => ['amount_minor' => 100000, 'currency' => 'EUR'], 'expected_close' => '2030-06-30'], $ctx);
$resolve = static function (string $kind, string $typed): string {
    $_POST = ['x' => '', 'x_q' => $typed];
    try {
        return Picker::value('x', $kind, [], false);
    } finally {
        $_POST = [];
    }
};
check('leads kind: a typed company name picks the lead', $lead['id'] === $resolve('leads', "Pk $tag Lead Co"));
check('opportunities kind: a typed title picks the opportunity', $opp['id'] === $resolve('opportunities', "Pk $tag Big Deal"));
$label = static function (string $kind, string $id): string {
    ob_start();
    Picker::render('x', $kind, $id, 'pet-x');
    preg_match('/name="x_q" value="([^"]*)"/', (string) ob_get_clean(), $m);
    return html_entity_decode($m[1] ?? '');
};
check('leads kind: a chosen lead is labelled by its company and source', "Pk $tag Lead Co · fair-$tag" === $label('leads', (string) $lead['id']), $label('leads', (string) $lead['id']));
check('opportunities kind: a chosen opportunity is labelled by its title and customer', "Pk $tag Big Deal · Pk $tag Lead Co" === $label('opportunities', (string) $opp['id']), $label('opportunities', (string) $opp['id']));
check('articles kind: a chosen article is labelled by its title and category', "Pk $tag Exact Guide · Pk $tag" === $label('articles', (string) $guide['id']));

// The REST routes the pickers ask, with their fixed filters.
$items = rest_call('GET', '/pet/v1/articles', [], ['search' => "Pk $tag", 'status' => 'published', 'per_page' => 50])->get_data()['items'] ?? [];
check('REST: the articles route answers the picker\'s search without drafts',
    27 === count($items) && !in_array($draft['id'], array_column($items, 'id'), true), (string) count($items));
$items = rest_call('GET', '/pet/v1/opportunities', [], ['search' => "$tag Big Deal", 'per_page' => 10])->get_data()['items'] ?? [];
check('REST: the opportunities route answers the picker\'s search with the customer name', "Pk $tag Lead Co" === ($items[0]['customer_name'] ?? null), wp_json_encode($items));
