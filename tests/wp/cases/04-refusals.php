<?php
// Capability and nonce refusals on admin actions and REST routes; a positive control for each.
$identity = \PetWp\Plugin::instance()->identity();
$count = static fn (): int => (int) $identity->listEmployees([])['total'];

$post = ['name' => 'Refusal Test', 'email' => 'refusal@example.invalid', 'currency' => 'EUR', 'effective_from' => '2025-01-01'];

login_as_role('subscriber');
$before = $count();
$out = run_admin_post('create_employee', $post, wp_create_nonce('pet_create_employee'));
check('subscriber: create_employee refused with 403', 'die:403' === $out, $out);
check('subscriber: nothing was created', $before === $count());

login_as_role('pet_staff');
$out = run_admin_post('create_employee', $post, wp_create_nonce('pet_create_employee'));
check('staff (pet_work only): create_employee refused with 403', 'die:403' === $out, $out);

login_admin();
$out = run_admin_post('create_employee', $post, 'not-a-nonce');
check('admin with a bad nonce: refused', 'die:403' === $out, $out);
$out = run_admin_post('create_employee', $post, null);
check('admin without a nonce: refused', str_starts_with($out, 'die:'), $out);
check('refused actions wrote nothing', $before === $count());

$out = run_admin_post('create_employee', $post, wp_create_nonce('pet_create_employee'));
check('admin with a valid nonce: action runs and redirects', str_starts_with($out, 'redirect:'), $out);
check('admin with a valid nonce: employee created', $before + 1 === $count());

// Every pet/v1 route has a real permission callback that refuses a subscriber.
$server = rest_get_server();
$routes = array_filter(array_keys($server->get_routes()), static fn ($r) => str_starts_with($r, '/pet/v1/'));
check('REST routes are registered under pet/v1', count($routes) >= 20, (string) count($routes));
login_as_role('subscriber');
$open = [];
foreach ($server->get_routes() as $route => $handlers) {
    if (!str_starts_with($route, '/pet/v1/')) {
        continue;
    }
    foreach ($handlers as $h) {
        $cb = $h['permission_callback'] ?? null;
        if (!is_callable($cb) || true === call_user_func($cb, new WP_REST_Request('GET', $route))) {
            $open[] = $route;
        }
    }
}
check('every pet/v1 route refuses a subscriber', [] === $open, implode(', ', $open));

check('REST GET /employees as subscriber: 403', 403 === rest_call('GET', '/pet/v1/employees')->get_status());
check('REST POST /employees as subscriber: 403', 403 === rest_call('POST', '/pet/v1/employees', $post)->get_status());
wp_set_current_user(0);
check('REST GET /employees logged out: 401', 401 === rest_call('GET', '/pet/v1/employees')->get_status());
login_as_role('pet_staff');
check('REST GET /employees as staff: 200', 200 === rest_call('GET', '/pet/v1/employees')->get_status());
$r = rest_call('POST', '/pet/v1/employees', ['name' => 'Staff Made', 'email' => 'staff@example.invalid']);
check('REST POST /employees as staff: 403', 403 === $r->get_status(), (string) $r->get_status());
login_admin();
$before = $count();
$r = rest_call('POST', '/pet/v1/employees', ['name' => 'Rest Made', 'email' => 'rest@example.invalid']);
check('REST POST /employees as admin: 201', 201 === $r->get_status(), $r->get_status() . ' ' . wp_json_encode($r->get_data()));
check('REST POST /employees as admin: created', $before + 1 === $count());
$r = rest_call('POST', '/pet/v1/employees', ['name' => '', 'email' => 'not-an-email']);
check('REST invalid input: 400 with field errors', 400 === $r->get_status() && !empty((array) ($r->get_data()['data']['field_errors'] ?? [])), $r->get_status() . ' ' . wp_json_encode($r->get_data()));

// The Settings action needs manage_options (a PET manager is not enough).
login_as_role('pet_manager');
$out = run_admin_post('save_settings', ['delete_on_uninstall' => '1'], wp_create_nonce('pet_save_settings'));
check('pet_manager cannot change the uninstall setting', 'die:403' === $out && '1' !== get_option('pet_delete_data_on_uninstall'), $out);
login_admin();
$out = run_admin_post('save_settings', ['delete_on_uninstall' => '1'], wp_create_nonce('pet_save_settings'));
check('admin can tick "delete all PET data"', str_starts_with($out, 'redirect:') && '1' === get_option('pet_delete_data_on_uninstall'), $out);
$out = run_admin_post('save_settings', [], wp_create_nonce('pet_save_settings'));
check('admin can untick it again', str_starts_with($out, 'redirect:') && '0' === get_option('pet_delete_data_on_uninstall'), $out);
