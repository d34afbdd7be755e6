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
$emp = \PetWp\Plugin::instance()->engine()->findEmployeeByUser($admin);
check('the activating admin is linked to an employee', is_array($emp) && (int) $emp['wp_user_id'] === $admin, wp_json_encode($emp));
check('the job runner is scheduled on WP-Cron', false !== wp_next_scheduled('pet_run_jobs'));

// Activating again (deactivate + activate) converges: still one employee for the admin.
deactivate_plugins('pet/pet.php');
check('deactivation unschedules the job runner', false === wp_next_scheduled('pet_run_jobs'));
activate_plugin('pet/pet.php');
$list = \PetWp\Plugin::instance()->engine()->listEmployees(['search' => get_userdata($admin)->user_email]);
check('re-activation does not create a second employee for the admin', 1 === (int) $list['total'], wp_json_encode($list));
