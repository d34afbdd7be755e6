<?php
// The employee screens' WordPress-user field (issue 9, "Pickers never render a whole
// table"): the add-employee form and an employee's "Linked WordPress user" form render a
// type-ahead picker backed by pet/v1/users, not a dropdown of every user; the route pages by
// user id without counting; without JavaScript a typed login, email or name picks the one
// user, an ambiguous one is a field error that writes nothing, and "— none —" unlinks.

use PetWp\Picker;
use PetWp\Plugin;

$admin = reactivate_pet('user-picker');
$plugin = Plugin::instance();
$ctx = $plugin->context();
$identity = new \Pet\Identity(Plugin::engine_settings());
$tag = 'up' . bin2hex(random_bytes(3));

$users = [];
for ($i = 0; $i < 25; $i++) {
    $users[] = wp_insert_user(['user_login' => "$tag-user-$i", 'user_pass' => wp_generate_password(), 'user_email' => "$tag-user-$i@example.invalid", 'display_name' => "Up $tag Person $i"]);
}
$exact = wp_insert_user(['user_login' => "$tag-exact", 'user_pass' => wp_generate_password(), 'user_email' => "$tag-exact@example.invalid", 'display_name' => "Up $tag Exact"]);
check('the users were made', [] === array_filter($users, 'is_wp_error') && is_int($exact));

$ia = new \PetWp\Modules\Identity\Identity_Admin($plugin);
$html = render_admin_screen('pet-employees', static fn () => $ia->page_employees(), []);
$listed = array_filter($users, static fn ($u) => str_contains($html, "$tag-user-") || str_contains($html, "Up $tag Person"));
check('employees screen: no WordPress user is listed', [] === $listed, count($listed) . ' listed');
check('employees screen: the WordPress user field is a combobox backed by the users route',
    1 === preg_match('/data-pet-picker="users"[^>]*>\s*<input type="hidden" class="pet-picker-value" name="wp_user_id"[^>]*>\s*<input[^>]*role="combobox"/', $html));
wp_dequeue_script('pet-picker');
$assets = Closure::bind(fn (string $p) => $this->assets($p), $ia, \PetWp\Modules\Identity\Identity_Admin::class);
$assets('pet-employees');
check('employees screen: the picker script is enqueued', wp_script_is('pet-picker', 'enqueued'));

// The route: a page of 10, by id, then the next page after the last id; no total.
$page = rest_call('GET', '/pet/v1/users', [], ['search' => "$tag-user"])->get_data();
$ids = array_map('intval', array_column($page['items'] ?? [], 'id'));
check('REST users: the first page of a search', array_slice($users, 0, 10) === $ids && true === $page['has_more'] && !isset($page['total']), wp_json_encode($page));
$rest = [];
$after = $page['next'];
while (null !== $after) {
    $next = rest_call('GET', '/pet/v1/users', [], ['search' => "$tag-user", 'after' => $after])->get_data();
    $rest = array_merge($rest, array_map('intval', array_column($next['items'], 'id')));
    $after = $next['next'];
}
check('REST users: the following pages hold each other user once', array_slice($users, 10) === $rest, wp_json_encode($rest));
$row = rest_call('GET', '/pet/v1/users', [], ['search' => "$tag-exact@example.invalid"])->get_data()['items'] ?? [];
check('REST users: found by email, labelled by display name', 1 === count($row) && "Up $tag Exact" === $row[0]['name'] && (string) $exact === $row[0]['id'], wp_json_encode($row));

// No JavaScript: the typed text arrives.
queued_notices();
run_admin_post('create_employee', ['name' => "Up $tag Employee", 'email' => "$tag-emp@example.invalid", 'wp_user_id' => '', 'wp_user_id_q' => "$tag-user"]);
$n = queued_notices();
$made = $identity->listEmployees(['search' => "Up $tag Employee"])['items'];
check('add employee, no script: an ambiguous user is a field error and adds nobody', 'error' === ($n[0]['type'] ?? '') && isset($n[0]['fields']['wp_user_id']) && [] === $made, wp_json_encode($n));
run_admin_post('create_employee', ['name' => "Up $tag Employee", 'email' => "$tag-emp@example.invalid", 'wp_user_id' => '', 'wp_user_id_q' => "Up $tag Exact"]);
$made = $identity->listEmployees(['search' => "Up $tag Employee"])['items'];
check('add employee, no script: a typed display name links that user', 1 === count($made) && $exact === (int) $made[0]['wp_user_id'], wp_json_encode([$made, queued_notices()]));
$emp = (string) $made[0]['id'];
$html = render_admin_screen('pet-employees', static fn () => $ia->page_employees(), ['employee' => $emp]);
check('employee page: the linked user is shown by name and email in its picker', str_contains($html, 'name="wp_user_id_q" value="Up ' . $tag . ' Exact · ' . $tag . '-exact@example.invalid"'));
run_admin_post('link_user', ['id' => $emp, 'wp_user_id' => '', 'wp_user_id_q' => "$tag-user-7@example.invalid"]);
check('link user, no script: a typed email links that user', $users[7] === (int) $identity->getEmployee($emp)['wp_user_id'], wp_json_encode(queued_notices()));
run_admin_post('link_user', ['id' => $emp, 'wp_user_id' => 'x1', 'wp_user_id_q' => '']);
$n = queued_notices();
check('link user: a forged id is a field error and changes nothing', 'error' === ($n[0]['type'] ?? '') && $users[7] === (int) $identity->getEmployee($emp)['wp_user_id'], wp_json_encode($n));
run_admin_post('link_user', ['id' => $emp, 'wp_user_id' => '', 'wp_user_id_q' => '— none —']);
check('link user: “— none —” unlinks', null === $identity->getEmployee($emp)['wp_user_id'], wp_json_encode(queued_notices()));
$_POST = ['x' => '', 'x_q' => "$tag-user-3"];
check('users kind: a typed login picks the user', (string) $users[3] === Picker::value('x', 'users', [], false));
$_POST = [];
