<?php
// Activation (with the extension) runs the migrations, installs roles, links the admin to an
// employee and schedules the job runner.
$admin = login_admin();
check('extension is loaded', class_exists('Pet\\Engine'));
$error = null;
try {
    $r = activate_plugin('pet/pet.php');
    if (is_wp_error($r)) {
        $error = $r->get_error_message();
    }
} catch (Test_Die $e) {
    $error = $e->getMessage();
}
check('activation succeeds', null === $error, (string) $error);
check('plugin is active', is_plugin_active('pet/pet.php'));
$tables = pet_tables();
check('migrations created {prefix}pet_* tables', count($tables) > 0, 'none found');
$status = \PetWp\Plugin::instance()->engine()->migrationStatus();
check('no pending migrations and a clean ledger', [] === $status['pending'] && false === $status['dirty'], wp_json_encode($status));
check('role pet_manager exists with pet_manage', (bool) get_role('pet_manager')?->has_cap('pet_manage'));
check('role pet_staff has pet_work but not pet_manage', (bool) get_role('pet_staff')?->has_cap('pet_work') && !get_role('pet_staff')->has_cap('pet_manage'));
$fresh = new WP_User($admin); // the current user object still holds the capabilities from before
check('administrators get pet_manage and pet_work', $fresh->has_cap('pet_manage') && $fresh->has_cap('pet_work'));
$emp = \PetWp\Plugin::instance()->identity()->findEmployeeByUser($admin);
check('the activating admin is linked to an employee', is_array($emp) && (int) $emp['wp_user_id'] === $admin, wp_json_encode($emp));
check('the job runner is scheduled on WP-Cron', false !== wp_next_scheduled('pet_run_jobs'));

// Activating again (deactivate + activate) converges: still one employee for the admin.
deactivate_plugins('pet/pet.php');
check('deactivation unschedules the job runner', false === wp_next_scheduled('pet_run_jobs'));
activate_plugin('pet/pet.php');
$list = \PetWp\Plugin::instance()->identity()->listEmployees(['search' => get_userdata($admin)->user_email]);
check('re-activation does not create a second employee for the admin', 1 === (int) $list['total'], wp_json_encode($list));

// An upgrade: WordPress does not activate again, so the plugin applies a newer build's
// migrations itself. Simulate a site last migrated before 0006 (its trigger and ledger row
// gone, the option naming 0005), then an admin request.
global $wpdb;
$shipped = \Pet\Engine::shippedMigration();
check('the extension names its newest migration', 1 === preg_match('/^\d{4}_[a-z0-9_]+\.sql$/', $shipped), $shipped);
check('activation records the newest migration applied', $shipped === get_option(\PetWp\Plugin::OPTION_SCHEMA), (string) get_option(\PetWp\Plugin::OPTION_SCHEMA));
$wpdb->query('DROP TRIGGER IF EXISTS ' . $wpdb->prefix . 'pet_domain_events_chain'); // phpcs:ignore
$wpdb->query('DELETE FROM ' . $wpdb->prefix . 'pet_migrations WHERE version >= 6'); // phpcs:ignore
update_option(\PetWp\Plugin::OPTION_SCHEMA, '0005_helpdesk.sql');
$engine = \PetWp\Plugin::instance()->engine();
check('the simulated old site has pending migrations', in_array('0006_event_chain.sql', $engine->migrationStatus()['pending'], true) && in_array($shipped, $engine->migrationStatus()['pending'], true), wp_json_encode($engine->migrationStatus()['pending']));
check('… and its health check reports the missing chain trigger', false === $engine->health()['checks']['append_only_guard']['ok']);
check('the test runs as a wp-admin request', is_admin());
\PetWp\Plugin::instance()->maybe_migrate_on_init();
check('an admin request applies the pending migration', [] === $engine->migrationStatus()['pending'], wp_json_encode($engine->migrationStatus()));
check('… records it', $shipped === get_option(\PetWp\Plugin::OPTION_SCHEMA));
check('… and the site is healthy again', true === $engine->health()['ok'], wp_json_encode($engine->health()));
// Up to date by the option: the next request does not run the migrator (a ledger row
// removed behind its back stays pending), until the option says otherwise.
$wpdb->query($wpdb->prepare('DELETE FROM ' . $wpdb->prefix . 'pet_migrations WHERE name = %s', $shipped)); // phpcs:ignore
\PetWp\Plugin::instance()->maybe_migrate_on_init();
check('up to date: a request does not run the migrator again', in_array($shipped, $engine->migrationStatus()['pending'], true));
delete_option(\PetWp\Plugin::OPTION_SCHEMA);
\PetWp\Plugin::instance()->maybe_migrate_on_init();
check('without the option it migrates (re-running the file converges)', [] === $engine->migrationStatus()['pending'] && true === $engine->health()['ok'], wp_json_encode($engine->health()));
