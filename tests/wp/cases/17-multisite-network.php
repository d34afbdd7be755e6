<?php
// Multisite (a sub-directory network, PET_WP_MULTISITE_DIR): network activation installs PET's
// tables under every site's own prefix, each site's data stays its own, a site created later
// gets its tables (wp_initialize_site) with its administrator as a PET employee, deleting a site
// drops its PET tables, and uninstall handles every site by that site's own setting.
use PetWp\Plugin;

global $wpdb;
check('the test WordPress is a network', is_multisite());
$admin = login_admin();
check('the administrator is a super admin', is_super_admin($admin));
$expected = require WP_PLUGIN_DIR . '/pet/includes/pet-tables.php';
sort($expected);

/** The PET tables a site has, without its prefix, sorted. */
$site_tables = static function (int $site) use ($wpdb): array {
    $prefix = $wpdb->get_blog_prefix($site);
    $found = $wpdb->get_col($wpdb->prepare('SHOW TABLES LIKE %s', $wpdb->esc_like($prefix . 'pet_') . '%'));
    $names = array_map(static fn (string $t): string => substr($t, strlen($prefix)), $found);
    sort($names);
    return $names;
};
$main = get_main_site_id();

$before = wp_insert_site(['domain' => '127.0.0.1', 'path' => '/before/', 'title' => 'Before', 'user_id' => $admin]);
check('a second site exists before PET is activated', is_int($before), is_wp_error($before) ? $before->get_error_message() : '');
check('… without PET tables', [] === $site_tables((int) $before));

// Network activation, as Network Admin → Plugins → Network Activate does it.
$result = activate_plugin('pet/pet.php', '', true);
check('network activation succeeds', null === $result, is_wp_error($result) ? $result->get_error_message() : '');
check('PET is active for the whole network', is_plugin_active_for_network('pet/pet.php'));
check('the main site has every PET table under its prefix (' . $wpdb->get_blog_prefix($main) . ')', $expected === $site_tables($main), implode(',', array_diff($expected, $site_tables($main))));
check('the second site has every PET table under its prefix (' . $wpdb->get_blog_prefix((int) $before) . ')', $expected === $site_tables((int) $before), implode(',', array_diff($expected, $site_tables((int) $before))));

$shipped = \Pet\Engine::shippedMigration();
foreach ([$main, (int) $before] as $site) {
    switch_to_blog($site);
    $emp = Plugin::instance()->identity()->findEmployeeByUser($admin);
    check("site {$site}: the activating admin is linked to a PET employee", is_array($emp) && (int) $emp['wp_user_id'] === $admin, wp_json_encode($emp));
    check("site {$site}: its newest migration is recorded", $shipped === get_option(Plugin::OPTION_SCHEMA), (string) get_option(Plugin::OPTION_SCHEMA));
    check("site {$site}: the job runner is scheduled", false !== wp_next_scheduled(Plugin::CRON_HOOK));
    check("site {$site}: administrators have pet_manage", (bool) get_role('administrator')?->has_cap('pet_manage'));
    restore_current_blog();
}

// Each site's data is its own: a customer made on the second site is not on the main one.
$name = 'Only on the second site ' . wp_generate_password(6, false);
switch_to_blog((int) $before);
Plugin::instance()->identity()->createCustomer(['name' => $name], Plugin::instance()->context());
$on_second = (int) Plugin::instance()->identity()->listCustomers(['search' => $name])['total'];
restore_current_blog();
$on_main = (int) Plugin::instance()->identity()->listCustomers(['search' => $name])['total'];
check('a customer made on the second site is listed there', 1 === $on_second);
check('… and not on the main site (the engine follows switch_to_blog)', 0 === $on_main);

// A site created after the network activation gets PET at once, its own administrator linked.
$owner = wp_insert_user(['user_login' => 'pet_site_owner', 'user_pass' => wp_generate_password(20), 'user_email' => 'owner@example.invalid']);
check('a user to own the new site', is_int($owner), is_wp_error($owner) ? $owner->get_error_message() : '');
$after = wp_insert_site(['domain' => '127.0.0.1', 'path' => '/after/', 'title' => 'After', 'user_id' => (int) $owner]);
check('a site created after the network activation', is_int($after), is_wp_error($after) ? $after->get_error_message() : '');
check('… has every PET table (wp_initialize_site)', $expected === $site_tables((int) $after), implode(',', array_diff($expected, $site_tables((int) $after))));
switch_to_blog((int) $after);
$emp = Plugin::instance()->identity()->findEmployeeByUser((int) $owner);
check('… its administrator is linked to a PET employee', is_array($emp) && (int) $emp['wp_user_id'] === (int) $owner, wp_json_encode($emp));
check('… and its migrations are recorded', $shipped === get_option(Plugin::OPTION_SCHEMA));
restore_current_blog();
check('back on the main site, the engine uses its tables again', null !== Plugin::instance()->identity()->findEmployeeByUser($admin) && 0 === (int) Plugin::instance()->identity()->listCustomers(['search' => $name])['total']);

// Deleting a site deletes its PET tables with its WordPress tables.
$deleted = wp_delete_site((int) $after);
check('a site can be deleted', $deleted instanceof WP_Site, is_wp_error($deleted) ? $deleted->get_error_message() : '');
check('… and its PET tables are gone', [] === $site_tables((int) $after), implode(',', $site_tables((int) $after)));
check('… the other sites keep theirs', $expected === $site_tables($main) && $expected === $site_tables((int) $before));

// Uninstall after a network deactivation: every site by its own setting. The second site's
// administrator ticked "delete all PET data"; the main site's did not.
deactivate_plugins('pet/pet.php', false, true);
check('network deactivation', !is_plugin_active_for_network('pet/pet.php'));
switch_to_blog((int) $before);
check('… stops the job runner of every site', false === wp_next_scheduled(Plugin::CRON_HOOK));
restore_current_blog();
switch_to_blog((int) $before);
update_option(Plugin::OPTION_DELETE_ON_UNINSTALL, '1');
restore_current_blog();
uninstall_plugin('pet/pet.php');
check('uninstall dropped the tables of the site that asked for it', [] === $site_tables((int) $before), implode(',', $site_tables((int) $before)));
check('… and kept those of the site that did not', $expected === $site_tables($main));
switch_to_blog((int) $before);
check('… removed that site\'s PET roles and options', null === get_role('pet_manager') && false === get_option(Plugin::OPTION_SCHEMA));
restore_current_blog();
check('the main site keeps its roles and options', null !== get_role('pet_manager') && $shipped === get_option(Plugin::OPTION_SCHEMA));
