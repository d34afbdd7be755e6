<?php
// Access by context: every role against every screen, admin action and pet/v1 REST route, as
// tests/wp/access-matrix.php expects (and nothing exists that the table does not list); the
// activity feed, an entity's history and its state as of a date show a context only to the
// roles that may see its area; roles are created on activation and kept on upgrade without
// undoing an administrator's edits.

use PetWp\Access;
use PetWp\Module_Admin;
use PetWp\Plugin;

$admin = reactivate_pet('access');
$plugin = Plugin::instance();
$matrix = require dirname(__DIR__) . '/access-matrix.php';
$roles = $matrix['roles'];
$tag = bin2hex(random_bytes(3));

/** Logs in as one of the matrix's roles (the installation's administrator for administrator). */
$login = static function (string $role) use ($plugin): void {
    'administrator' === $role ? login_admin() : login_as_role($role);
    $plugin->forget_employee_cache();
};
/** The roles a matrix row allows. */
$allowed = static function (string $row) use ($roles): array {
    $cells = preg_split('/\s+/', trim($row));
    $out = [];
    foreach ($roles as $i => $role) {
        if ('Y' === ($cells[$i] ?? '')) {
            $out[] = $role;
        }
    }
    return $out;
};
foreach (['screens', 'actions', 'routes'] as $part) {
    $bad = array_filter($matrix[$part], static fn ($row) => 1 !== preg_match('/^[Y-]( [Y-]){5}$/', $row));
    check("matrix: every $part row has one Y or - per role", [] === $bad, implode(', ', array_keys($bad)));
}

// ---- roles --------------------------------------------------------------------------------

foreach (['pet_manager' => 'PET Manager', 'pet_sales' => 'PET Sales', 'pet_support' => 'PET Support', 'pet_staff' => 'PET Staff'] as $slug => $label) {
    $role = get_role($slug);
    check("roles: $label exists after activation", null !== $role && $label === wp_roles()->role_names[$slug]);
}
$admin_role = get_role('administrator');
$missing = array_filter(Access::all_caps(), static fn ($c) => !$admin_role->has_cap($c));
check('roles: administrators have every PET capability', [] === $missing, implode(', ', $missing));
$core_areas = array_keys($plugin->engine()->accessAreas());
sort($core_areas);
$php_areas = Access::AREAS;
sort($php_areas);
check('roles: the areas are pet-core\'s', $php_areas === $core_areas, wp_json_encode($plugin->engine()->accessAreas()));

// ---- screens: the PET menu as each role gets it --------------------------------------------

$menu_as = static function (string $role) use ($login): array {
    global $menu, $submenu, $_wp_submenu_nopriv, $_registered_pages, $_parent_pages;
    $menu = $submenu = $_wp_submenu_nopriv = $_registered_pages = $_parent_pages = [];
    $login($role);
    do_action('admin_menu');
    return array_map(static fn ($item) => (string) $item[2], $submenu['pet-employees'] ?? []);
};
$all_screens = $menu_as('administrator');
foreach (Module_Admin::registered() as $class) {
    $all_screens = array_merge($all_screens, array_keys($class->access()['pages']));
}
$all_screens = array_values(array_unique($all_screens));
$unlisted = array_diff($all_screens, array_keys($matrix['screens']));
check('screens: every PET screen is in the access matrix', [] === $unlisted, implode(', ', $unlisted));
$stale = array_diff(array_keys($matrix['screens']), $all_screens);
check('screens: every screen of the matrix exists', [] === $stale, implode(', ', $stale));
foreach ($roles as $role) {
    $got = $menu_as($role);
    $wrong = [];
    foreach ($matrix['screens'] as $slug => $row) {
        if (in_array($role, $allowed($row), true) !== in_array($slug, $got, true)) {
            $wrong[] = $slug . (in_array($slug, $got, true) ? ' (open)' : ' (closed)');
        }
    }
    check("screens: $role opens exactly the screens the matrix allows", [] === $wrong, implode(', ', $wrong));
}

// ---- admin actions ------------------------------------------------------------------------

$actions = [];
foreach (Module_Admin::registered() as $class) {
    $actions += $class->access()['actions'];
}
$unlisted = array_diff(array_keys($actions), array_keys($matrix['actions']));
check('actions: every admin action is in the access matrix', [] === $unlisted, implode(', ', $unlisted));
$stale = array_diff(array_keys($matrix['actions']), array_keys($actions), \Pet\Helpdesk::testClockAvailable() ? [] : ['run_sla_job_at']);
check('actions: every action of the matrix exists', [] === $stale, implode(', ', $stale));
foreach ($roles as $role) {
    $login($role);
    $wrong = [];
    foreach ($matrix['actions'] as $action => $row) {
        if (!isset($actions[$action])) {
            continue;
        }
        $allow = in_array($role, $allowed($row), true);
        if ($allow !== current_user_can($actions[$action])) {
            $wrong[] = $action . ($allow ? ' (refused)' : ' (allowed)');
        } elseif (!$allow) {
            // Refused for real: admin-post.php answers 403 before any handler runs.
            $out = run_admin_post($action, []);
            if ('die:403' !== $out) {
                $wrong[] = "$action ($out)";
            }
        }
    }
    check("actions: $role may run exactly the actions the matrix allows (the others answer 403)", [] === $wrong, implode(', ', $wrong));
}

// ---- REST routes --------------------------------------------------------------------------

$server = rest_get_server();
$endpoints = [];
foreach ($server->get_routes() as $route => $handlers) {
    if (!str_starts_with($route, '/pet/v1/')) {
        continue;
    }
    $path = preg_replace('/\(\?P<(\w+)>[^)]*\)/', '{$1}', substr($route, strlen('/pet/v1')));
    foreach ($handlers as $h) {
        foreach (array_keys($h['methods']) as $method) {
            $endpoints["$method $path"] = [$route, $method, $h['permission_callback'] ?? null];
        }
    }
}
$unlisted = array_diff(array_keys($endpoints), array_keys($matrix['routes']));
check('routes: every pet/v1 route is in the access matrix', [] === $unlisted, implode(', ', $unlisted));
$stale = array_diff(array_keys($matrix['routes']), array_keys($endpoints));
check('routes: every route of the matrix exists', [] === $stale, implode(', ', $stale));
foreach ($roles as $role) {
    $login($role);
    $wrong = [];
    foreach ($matrix['routes'] as $key => $row) {
        if (!isset($endpoints[$key])) {
            continue;
        }
        list($route, $method, $cb) = $endpoints[$key];
        $allow = in_array($role, $allowed($row), true);
        $got = is_callable($cb) && true === call_user_func($cb, new WP_REST_Request($method, $route));
        if ($allow !== $got) {
            $wrong[] = $key . ($got ? ' (allowed)' : ' (refused)');
        }
        // Lists without parameters are read for real: 403 exactly when refused.
        if ('GET' === $method && !str_contains($key, '{') && !str_starts_with($key, 'GET /history') && !str_starts_with($key, 'GET /audit/export')) {
            // (A user without a linked employee may still get 403 pet_no_employee from a route
            // about their own time: that is not a refusal of the route.)
            $response = rest_call('GET', '/pet/v1' . substr($key, 4));
            $status = $response->get_status();
            $refused = 403 === $status && 'pet_forbidden' === ($response->get_data()['code'] ?? '');
            if ($allow === $refused) {
                $wrong[] = "$key answered $status";
            }
        }
    }
    check("routes: $role may call exactly the routes the matrix allows", [] === $wrong, implode(', ', $wrong));
}

// ---- contexts: the feed, history and state as of, by area -----------------------------------

login_admin();
$plugin->forget_employee_cache();
$ctx = $plugin->context();
$customer = $plugin->identity()->createCustomer(['name' => "Access $tag"], $ctx);
// A lead by the latest schema (earlier cases may have published required custom fields).
$sales = new \Pet\Sales(Plugin::engine_settings());
$custom = lead_custom_fields($sales);
$lead = $sales->createLead(['customer_name' => "Access lead $tag", 'source' => 'access'] + ([] === $custom ? [] : ['custom_fields' => $custom]), $ctx);
$ticket = (new \Pet\Helpdesk(Plugin::engine_settings()))->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Access ticket $tag"], $ctx);
$article = $plugin->knowledge()->createArticle(['category' => 'Access', 'slug' => "access-$tag", 'title' => "Access $tag", 'body' => 'Body', 'publish' => true], $ctx);
$project = $plugin->delivery()->createProject(['name' => "Access project $tag", 'labour' => [['role' => 'Developer', 'minutes' => 600]]], $ctx);
$entities = [
    'customer' => (string) $customer['id'],
    'lead' => (string) $lead['id'],
    'ticket' => (string) $ticket['id'],
    'knowledge_article' => (string) $article['id'],
    'project' => (string) $project['id'],
];
// What each role may see (written out, not derived from the capabilities under test).
$sees = [
    'administrator' => ['customer', 'lead', 'ticket', 'knowledge_article', 'project'],
    'pet_manager' => ['customer', 'lead', 'ticket', 'knowledge_article', 'project'],
    'pet_sales' => ['customer', 'lead', 'knowledge_article', 'project'],
    'pet_support' => ['customer', 'ticket', 'knowledge_article', 'project'],
    'pet_staff' => ['customer', 'knowledge_article', 'project'],
];
// Areas with no test entity above that a role also sees (the KPI definitions are settings).
$sees_areas = ['administrator' => ['settings'], 'pet_manager' => ['settings']];
$areas = $plugin->engine()->accessAreas();
foreach ($sees as $role => $visible) {
    $login($role);
    $wrong = [];
    // The unfiltered feed holds only visible context types, and the new entities it may show.
    $feed = rest_call('GET', '/pet/v1/activity', [], ['per_page' => 100]);
    $items = 200 === $feed->get_status() ? $feed->get_data()['items'] : [];
    $visible_types = [];
    foreach ($areas as $area => $types) {
        if (count(array_intersect($types, $visible)) > 0 || in_array($area, $sees_areas[$role] ?? [], true)) {
            $visible_types = array_merge($visible_types, $types);
        }
    }
    $leaked = array_values(array_unique(array_diff(array_column($items, 'context_type'), $visible_types)));
    if ([] !== $leaked) {
        $wrong[] = 'feed shows ' . implode(', ', $leaked);
    }
    $shown = array_column($items, 'context_id');
    foreach ($entities as $type => $id) {
        $see = in_array($type, $visible, true);
        if ($see !== in_array($id, $shown, true)) {
            $wrong[] = "feed " . ($see ? 'misses' : 'shows') . " the $type";
        }
        // Filtered to the context: the lines, or none.
        $f = rest_call('GET', '/pet/v1/activity', [], ['context_type' => $type, 'context_id' => $id]);
        $n = 200 === $f->get_status() ? (int) $f->get_data()['total'] : -1;
        if ($see !== ($n > 0) || (!$see && 0 !== $n)) {
            $wrong[] = "feed of the $type: total $n";
        }
        $h = rest_call('GET', '/pet/v1/history', [], ['context_type' => $type, 'context_id' => $id]);
        if (($see ? 200 : 403) !== $h->get_status()) {
            $wrong[] = "history of the $type: " . $h->get_status();
        }
        // The History screen: the events, or the refusal.
        $html = render_admin_screen('pet-history', static fn () => (new \PetWp\Admin($plugin))->page_history(), ['context_type' => $type, 'context_id' => $id]);
        if ($see !== str_contains($html, 'class="widefat striped pet-history"')) {
            $wrong[] = "History screen of the $type";
        }
    }
    // The Activity screen: the same lines as the feed, and only visible types to filter by.
    $html = render_admin_screen('pet-activity', static fn () => (new \PetWp\Admin($plugin))->page_activity(), ['per_page' => 100]);
    foreach ($entities as $type => $id) {
        if (!in_array($type, $visible, true) && str_contains($html, $id)) {
            $wrong[] = "Activity screen shows the $type";
        }
        if (!in_array($type, $visible, true) && str_contains($html, 'value="' . $type . '"')) {
            $wrong[] = "Activity screen offers the $type filter";
        }
    }
    foreach (['ticket', 'project'] as $type) {
        $s = rest_call('GET', '/pet/v1/history/state', [], ['aggregate_type' => $type, 'id' => $entities[$type], 'at' => gmdate('Y-m-d')]);
        $see = in_array($type, $visible, true);
        if (($see ? 200 : 403) !== $s->get_status()) {
            $wrong[] = "state of the $type: " . $s->get_status();
        }
    }
    check("contexts: $role sees the feed, history and state of exactly its areas", [] === $wrong, implode('; ', $wrong));
}
login_as_role('subscriber');
check('contexts: a subscriber gets no feed (403)', 403 === rest_call('GET', '/pet/v1/activity')->get_status());

// The project's state as of today, rebuilt from its events.
login_admin();
$s = rest_call('GET', '/pet/v1/history/state', [], ['aggregate_type' => 'project', 'id' => $entities['project'], 'at' => gmdate('Y-m-d')]);
$data = $s->get_data();
check('state as of: a project is rebuilt with its name and sold minutes',
    200 === $s->get_status() && !empty($data['exists']) && "Access project $tag" === ($data['state']['name'] ?? null) && 600 === ($data['state']['sold_minutes'] ?? null),
    wp_json_encode($data));

// Each entity page links to its History.
$pages = [
    ['pet-customers', \PetWp\Modules\Identity\Identity_Admin::class, 'page_customers', 'customer', 'customer'],
    ['pet-leads', \PetWp\Modules\Sales\Sales_Admin::class, 'page_leads', 'lead', 'lead'],
    ['pet-tickets', \PetWp\Modules\Helpdesk\Helpdesk_Admin::class, 'page_tickets', 'ticket', 'id'],
    ['pet-kb-article', \PetWp\Modules\Knowledge\Knowledge_Admin::class, 'page_article', 'knowledge_article', 'id'],
    ['pet-projects', \PetWp\Modules\Delivery\Delivery_Admin::class, 'page_projects', 'project', 'id'],
];
foreach ($pages as [$page, $class, $method, $type, $param]) {
    $html = render_admin_screen($page, static fn () => (new $class($plugin))->$method(), [$param => $entities[$type]]);
    $url = esc_url(Access::history_url($type, $entities[$type]));
    check("history link: the $type page links to its History", str_contains($html, $url), substr(wp_strip_all_tags($html), 0, 300));
}

// ---- roles survive upgrades without undoing an administrator's edits ---------------------------

$staff = get_role('pet_staff');
$staff->remove_cap(Access::VIEW_KNOWLEDGE);
Access::install_roles(true);
check('roles: reactivation keeps a capability an administrator removed', !get_role('pet_staff')->has_cap(Access::VIEW_KNOWLEDGE));
// A site from before areas: the first roles only (version 1), no roles version recorded.
remove_role('pet_sales');
remove_role('pet_support');
remove_role('pet_staff');
add_role('pet_staff', 'PET Staff', ['read' => true, Plugin::CAP_WORK => true]);
delete_option(Access::OPTION_ROLES);
Access::maybe_upgrade_roles();
check('roles: an upgrade from the first roles adds PET Sales and PET Support', null !== get_role('pet_sales') && null !== get_role('pet_support'));
check('roles: an upgrade gives PET Staff the area capabilities added since', get_role('pet_staff')->has_cap(Access::VIEW_DELIVERY) && get_role('pet_staff')->has_cap(Access::VIEW_KNOWLEDGE));
check('roles: the upgrade is recorded once', Access::ROLES_VERSION === (int) get_option(Access::OPTION_ROLES));
get_role('pet_staff')->remove_cap(Access::VIEW_PEOPLE);
Access::maybe_upgrade_roles();
check('roles: a later request does not give it back', !get_role('pet_staff')->has_cap(Access::VIEW_PEOPLE));
get_role('pet_staff')->add_cap(Access::VIEW_PEOPLE);
