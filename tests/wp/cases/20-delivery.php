<?php
// Delivery module (wp-plugin/includes/modules/delivery): the Projects, My timesheet and Time
// approvals screens render what the engine holds; every admin action refuses a missing
// capability, a bad or missing nonce and a GET (each with a positive control, nothing written
// on refusal); a week goes from the grid (h:mm typed) through submit to a manager's approval,
// which the project page shows as delivered against sold; a change order adds a constraint
// version; the pet/v1 project and time-entry routes answer with the engine's refusals mapped
// to 400 / 403 / 404 / 409 / 422.

use PetWp\Plugin;

$admin = reactivate_pet('delivery');
$plugin = Plugin::instance();
$d = new \Pet\Delivery(Plugin::engine_settings());
$tag = bin2hex(random_bytes(3));
$today = \PetWp\Input::today();
$dow = (int) (new DateTimeImmutable($today))->format('N');
$monday = (new DateTimeImmutable($today))->modify('-' . ($dow - 1) . ' days')->format('Y-m-d');
$projects = static fn (): int => (int) $d->listProjects(['per_page' => 1])['total'];
$admin_ctx = $plugin->context();

// A staff user (pet_work) linked to an employee of its own.
$staff_user = get_user_by('login', 'pet_test_dlv_staff');
$staff = $staff_user ? $staff_user->ID : wp_insert_user([
    'user_login' => 'pet_test_dlv_staff',
    'user_pass' => wp_generate_password(20),
    'user_email' => 'pet_test_dlv_staff@example.invalid',
    'role' => 'pet_staff',
]);
if (is_wp_error($staff)) {
    throw new RuntimeException($staff->get_error_message());
}
if (null === $plugin->identity()->findEmployeeByUser($staff)) {
    $plugin->identity()->createEmployee(['name' => 'Timesheet Staff', 'email' => "dlv-$tag@example.invalid", 'wp_user_id' => $staff], $admin_ctx);
}
$plugin->forget_employee_cache();
$staff_employee = (string) $plugin->identity()->findEmployeeByUser($staff)['id'];
$login_staff = static function () use ($staff, $plugin): void {
    wp_set_current_user((int) $staff);
    $plugin->forget_employee_cache();
};
$as_admin = static function () use ($plugin): void {
    login_admin();
    $plugin->forget_employee_cache();
};
// A screen is a GET: the last action's form must not be read as its input.
$screen = static function (string $page, string $method, array $get) use ($plugin): string {
    $_POST = [];
    return render_admin_screen($page, static fn () => (new \PetWp\Modules\Delivery\Delivery_Admin($plugin))->$method(), $get);
};

// ---- projects: create (refusals first), activate ---------------------------------------------

$name = "Delivery case $tag";
$form = ['name' => $name, 'role' => 'Consultant', 'minutes' => '2:00'];
$before = $projects();
login_as_role('subscriber');
check('subscriber: delivery_create_project refused with 403', 'die:403' === run_admin_post('delivery_create_project', $form));
$login_staff();
check('staff: delivery_create_project refused with 403', 'die:403' === run_admin_post('delivery_create_project', $form));
$as_admin();
check('admin, bad nonce: refused', 'die:403' === run_admin_post('delivery_create_project', $form, 'not-a-nonce'));
check('admin, no nonce: refused', str_starts_with(run_admin_post('delivery_create_project', $form, null), 'die:'));
check('admin, GET: refused with 405', 'die:405' === run_admin_post('delivery_create_project', $form, 'valid', 'GET'));
check('refused creations wrote nothing', $before === $projects());
$out = run_admin_post('delivery_create_project', ['minutes' => 'two hours'] + $form);
check('an unreadable duration redirects back and creates nothing', str_starts_with($out, 'redirect:') && $before === $projects(), $out);
$kept = get_transient('pet_delivery_form_' . get_current_user_id());
check('the failed form keeps the minutes error and the typed name', is_array($kept) && isset($kept['fields']['minutes']) && $name === $kept['values']['name'], wp_json_encode($kept));
delete_transient('pet_delivery_form_' . get_current_user_id());
$out = run_admin_post('delivery_create_project', $form);
check('admin, valid nonce: project created', str_starts_with($out, 'redirect:') && $before + 1 === $projects(), $out);
queued_notices();
$list = $d->listProjects(['per_page' => 1]);
$pid = (string) $list['items'][0]['id'];
check('the newest project is first in the list, planned, 120 sold minutes', $name === $list['items'][0]['name'] && 'planned' === $list['items'][0]['status'] && 120 === $list['items'][0]['sold_minutes'], wp_json_encode($list['items'][0]));

$login_staff();
check('staff: delivery_project_status refused with 403', 'die:403' === run_admin_post('delivery_project_status', ['id' => $pid, 'status' => 'active']));
check('the refused status change changed nothing', 'planned' === $d->project($pid)['status']);
$as_admin();
check('admin: project activated', str_starts_with(run_admin_post('delivery_project_status', ['id' => $pid, 'status' => 'active']), 'redirect:') && 'active' === $d->project($pid)['status']);
queued_notices();

$html = $screen('pet-projects', 'page_projects', ['status' => 'active']);
check('the Projects screen lists the project with its delivered / sold column', in_array($pid, linked_ids($html, 'pet-projects', 'id'), true) && str_contains($html, '0:00 / 2:00'), substr(strip_tags($html), 0, 400));
$html = $screen('pet-projects', 'page_projects', ['status' => 'cancelled']);
check('the status filter leaves the active project out', !in_array($pid, linked_ids($html, 'pet-projects', 'id'), true));

// ---- My timesheet: the grid, submit the week ---------------------------------------------------

$row = 'p:' . $pid . ':';
$login_staff();
$html = $screen('pet-timesheet', 'page_timesheet', ['add' => $row]);
check('the timesheet offers the added project row with a cell per day', str_contains($html, esc_html($name)) && 7 === substr_count($html, 'name="cell[' . $row . ']['), substr(strip_tags($html), 0, 400));
$grid = ['week' => $monday, 'cell' => [$row => [$today => '1:30']], 'shown' => [$row => [$today => '']]];
login_as_role('subscriber');
check('subscriber: delivery_save_week refused with 403', 'die:403' === run_admin_post('delivery_save_week', $grid));
$login_staff();
check('staff, bad nonce: delivery_save_week refused', 'die:403' === run_admin_post('delivery_save_week', $grid, 'bad'));
check('refused saves wrote nothing', 0 === (int) $d->timesheet($staff_employee, $today)['total_minutes']);
check('staff: the week saved', str_starts_with(run_admin_post('delivery_save_week', $grid), 'redirect:'));
queued_notices();
$sheet = $d->timesheet($staff_employee, $today);
check('1:30 typed became one 90-minute draft', 1 === count($sheet['entries']) && 90 === $sheet['entries'][0]['minutes'] && 'draft' === $sheet['entries'][0]['status'], wp_json_encode($sheet['entries']));
$first_id = (string) $sheet['entries'][0]['id'];
// Changing the cell revises the draft in one command: the same entry, the new amount.
$grid['cell'][$row][$today] = '100';
$grid['shown'][$row][$today] = '1:30';
run_admin_post('delivery_save_week', $grid);
queued_notices();
$sheet = $d->timesheet($staff_employee, $today);
check('a changed cell revises its draft (the same entry)', 1 === count($sheet['entries']) && $first_id === (string) $sheet['entries'][0]['id'] && 100 === $sheet['entries'][0]['minutes'] && 100 === $sheet['total_minutes'], wp_json_encode($sheet['entries']));
$hist = $plugin->engine()->entityHistory(['context_type' => 'time_entry', 'context_id' => $first_id]);
$types = array_column($hist['items'], 'event_type');
check('its history: drafted then revised, nothing discarded', ['time_entry.drafted', 'time_entry.revised'] === $types, wp_json_encode($types));
// More than 24 h a day is the engine's refusal, shown as a notice; nothing changes.
// The save is one engine command: with a good cell on another day beside it, nothing is saved.
$other = $today === $monday ? gmdate('Y-m-d', strtotime($monday . ' +1 day')) : $monday;
run_admin_post('delivery_save_week', ['week' => $monday, 'cell' => [$row => [$today => '25:00', $other => '0:30']], 'shown' => [$row => [$today => '1:40', $other => '']]]);
$n = queued_notices();
check('25 h in a day is refused with an error notice', isset($n[0]) && 'error' === $n[0]['type'], wp_json_encode($n));
$sheet = $d->timesheet($staff_employee, $today);
check('the refused save changed nothing: 100 minutes of draft time, no other cell', 1 === count($sheet['entries']) && 100 === $sheet['total_minutes'], wp_json_encode($sheet['entries']));
$html = $screen('pet-timesheet', 'page_timesheet', ['week' => $today]);
check('the grid shows the cell, the day and week totals', str_contains($html, 'value="1:40"') && str_contains($html, '<td id="pet-week-total">1:40</td>'), substr(strip_tags($html), 0, 600));
check('staff: delivery_submit_week refused without a nonce', str_starts_with(run_admin_post('delivery_submit_week', ['week' => $monday], null), 'die:'));
check('staff: week submitted', str_starts_with(run_admin_post('delivery_submit_week', ['week' => $monday]), 'redirect:'));
queued_notices();
$entry = $d->timesheet($staff_employee, $today)['entries'][0];
check('the entry is submitted', 'submitted' === $entry['status']);
$html = $screen('pet-timesheet', 'page_timesheet', ['week' => $today]);
check('a submitted cell is read-only', !str_contains($html, 'name="cell[' . $row . '][' . $today . ']"') && str_contains($html, 'data-status="submitted"'));

// ---- approvals ---------------------------------------------------------------------------------

check('staff: delivery_approve refused with 403', 'die:403' === run_admin_post('delivery_approve', ['entry' => [$entry['id']]]));
check('staff: delivery_send_back refused with 403', 'die:403' === run_admin_post('delivery_send_back', ['id' => $entry['id'], 'reason' => 'x']));
check('staff: delivery_adjust refused with 403', 'die:403' === run_admin_post('delivery_adjust', ['id' => $entry['id'], 'minutes' => '10', 'work_date' => $today, 'reason' => 'x']));
check('the refused approval changed nothing', 'submitted' === $d->timesheet($staff_employee, $today)['entries'][0]['status']);
$as_admin();
$html = $screen('pet-approvals', 'page_approvals', ['employee_id' => $staff_employee, 'week' => $today]);
check('the approvals screen shows the submitted entry to approve', str_contains($html, 'name="entry[]" value="' . esc_attr($entry['id']) . '"') && str_contains($html, esc_html($name)), substr(strip_tags($html), 0, 600));
check('admin: sent back with a reason', str_starts_with(run_admin_post('delivery_send_back', ['id' => $entry['id'], 'reason' => "Wrong day $tag"]), 'redirect:'));
queued_notices();
$e = $d->timesheet($staff_employee, $today)['entries'][0];
check('the entry is a draft again with the reason', 'draft' === $e['status'] && "Wrong day $tag" === $e['sent_back_reason'], wp_json_encode($e));
$login_staff();
$html = $screen('pet-timesheet', 'page_timesheet', ['week' => $today]);
check('the staff member sees the reason in the grid', str_contains($html, esc_html("Wrong day $tag")));
check('the grid carries the totals for the keyboard script, and offers copy last week and add a row', str_contains($html, 'class="pet-day-total" data-minutes="') && str_contains($html, 'id="pet-copy-last-week"') && str_contains($html, 'id="pet-timesheet"'));
run_admin_post('delivery_submit_week', ['week' => $monday]);
queued_notices();
$as_admin();
check('admin, bad nonce: delivery_approve refused', 'die:403' === run_admin_post('delivery_approve', ['entry' => [$entry['id']]], 'bad'));
check('admin: ticked entries approved', str_starts_with(run_admin_post('delivery_approve', ['entry' => [$entry['id']]]), 'redirect:'));
queued_notices();
check('the entry is approved', 'approved' === $d->timesheet($staff_employee, $today)['entries'][0]['status']);
$p = $d->project($pid);
check('the project counts 100 delivered minutes against 120 sold (83 %, threshold 80)', 100 === $p['variance'][0]['delivered_minutes'] && 80 === $p['variance'][0]['threshold_reached'], wp_json_encode($p['variance']));
check('admin: approved entry adjusted by -0:10', str_starts_with(run_admin_post('delivery_adjust', ['id' => $entry['id'], 'minutes' => '-0:10', 'work_date' => $today, 'reason' => 'Overbooked']), 'redirect:'));
queued_notices();
check('the adjustment counts in delivered time', 90 === $d->project($pid)['variance'][0]['delivered_minutes']);

// ---- project page and change order -------------------------------------------------------------

$co = ['id' => $pid, 'reason' => "Extra workshop $tag", 'role' => 'Consultant', 'minutes' => '1:00'];
$login_staff();
check('staff: delivery_change_order refused with 403', 'die:403' === run_admin_post('delivery_change_order', $co));
$as_admin();
check('admin, GET: delivery_change_order refused with 405', 'die:405' === run_admin_post('delivery_change_order', $co, 'valid', 'GET'));
check('refused change orders wrote nothing', 1 === count($d->project($pid)['constraints']));
check('admin: change order recorded', str_starts_with(run_admin_post('delivery_change_order', $co), 'redirect:') && 2 === count($d->project($pid)['constraints']));
queued_notices();
$html = $screen('pet-projects', 'page_projects', ['id' => $pid]);
check('the project page shows the change order, both versions and the variance per role', str_contains($html, esc_html("Extra workshop $tag")) && str_contains($html, 'Consultant: +1:00') && str_contains($html, 'Consultant: 3:00') && str_contains($html, '1:30'), substr(strip_tags($html), 0, 800));
check('the project page escapes the name', str_contains($html, esc_html($name)));
$login_staff();
$html = $screen('pet-projects', 'page_projects', ['id' => $pid]);
check('staff see the project page without the change-order form or status actions', str_contains($html, 'pet-project-variance') && !str_contains($html, 'pet-change-order') && !str_contains($html, 'pet_delivery_project_status'));

// ---- REST --------------------------------------------------------------------------------------

$r = rest_call('GET', '/pet/v1/projects', [], ['per_page' => 1]);
check('GET /projects: 200, a keyset page', 200 === $r->get_status() && 1 === count($r->get_data()['items']) && array_key_exists('next', $r->get_data()), wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/projects', [], ['status' => 'bogus']);
check('GET /projects?status=bogus: 400', 400 === $r->get_status(), wp_json_encode($r->get_data()));
check('GET /projects/<id>: 200', 200 === rest_call('GET', "/pet/v1/projects/$pid")->get_status());
check('GET /projects/<unknown>: 404', 404 === rest_call('GET', '/pet/v1/projects/' . wp_generate_uuid4())->get_status());
check('staff: POST /projects refused (403)', 403 === rest_call('POST', '/pet/v1/projects', ['name' => 'x'])->get_status());
$r = rest_call('POST', '/pet/v1/time-entries', ['project_id' => $pid, 'work_date' => $today, 'minutes' => 30, 'note' => "Line one\nline two"]);
check('staff: POST /time-entries 201, a draft with the note\'s line break', 201 === $r->get_status() && 'draft' === $r->get_data()['status'] && "Line one\nline two" === $r->get_data()['note'], wp_json_encode($r->get_data()));
$rid = (string) $r->get_data()['id'];
check('staff: POST /time-entries with 0 minutes: 400', 400 === rest_call('POST', '/pet/v1/time-entries', ['project_id' => $pid, 'work_date' => $today, 'minutes' => 0])->get_status());
$r = rest_call('POST', '/pet/v1/time-entries', ['project_id' => $pid, 'work_date' => $today, 'minutes' => 1400]);
check('staff: POST /time-entries past 24 h a day: 422', 422 === $r->get_status(), wp_json_encode($r->get_data()));
$r = rest_call('POST', '/pet/v1/time-entries', ['project_id' => wp_generate_uuid4(), 'work_date' => $today, 'minutes' => 10]);
check('staff: POST /time-entries on an unknown project: 400 naming project_id', 400 === $r->get_status() && isset(((array) $r->get_data()['data']['field_errors'])['project_id']), wp_json_encode($r->get_data()));
check('staff: GET /timesheet of someone else: 403', 403 === rest_call('GET', '/pet/v1/timesheet', [], ['employee_id' => $admin_ctx['actor_id']])->get_status());
$r = rest_call('GET', '/pet/v1/timesheet', [], ['week' => $today]);
check('staff: GET /timesheet: own week with both entries', 200 === $r->get_status() && 2 === count($r->get_data()['entries']) && 120 === $r->get_data()['total_minutes'], wp_json_encode($r->get_data()['days'] ?? null));
check('staff: POST /time-entries/<id>/submit: 200', 200 === rest_call('POST', "/pet/v1/time-entries/$rid/submit")->get_status());
check('staff: POST approve refused (403)', 403 === rest_call('POST', "/pet/v1/time-entries/$rid/approve")->get_status());
$as_admin();
$r = rest_call('POST', "/pet/v1/time-entries/$rid/send-back", ['reason' => '']);
check('admin: send back without a reason: 400', 400 === $r->get_status(), wp_json_encode($r->get_data()));
check('admin: POST approve: 200', 200 === rest_call('POST', "/pet/v1/time-entries/$rid/approve")->get_status());
$r = rest_call('POST', "/pet/v1/time-entries/$rid/approve");
check('admin: approving an approved entry: 422', 422 === $r->get_status(), wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/time-entries/$rid/adjustments", ['minutes' => 15, 'work_date' => $today, 'reason' => 'Missed a call']);
check('admin: POST adjustments: 201', 201 === $r->get_status(), wp_json_encode($r->get_data()));
$key = 'dlv-' . $tag;
$idem = static function (array $body) use ($key, $pid): WP_REST_Response {
    $q = new WP_REST_Request('POST', "/pet/v1/projects/$pid/change-orders");
    $q->set_header('content-type', 'application/json');
    $q->set_header('Idempotency-Key', $key);
    $q->set_body((string) wp_json_encode($body));
    return rest_do_request($q);
};
$delta = [['role' => 'Consultant', 'minutes' => 30]];
check('admin: POST change-orders: 201', 201 === $idem(['reason' => 'More', 'labour_delta' => $delta])->get_status());
check('the same key and body again: the same answer, no new version', 201 === $idem(['reason' => 'More', 'labour_delta' => $delta])->get_status() && 3 === count($d->project($pid)['constraints']));
$r = $idem(['reason' => 'Other', 'labour_delta' => $delta]);
check('the same key with another body: 409', 409 === $r->get_status(), wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/projects/$pid/status", ['status' => 'planned']);
check('admin: a status the project cannot take: 422', 422 === $r->get_status(), wp_json_encode($r->get_data()));

// ---- REST: someone else's time, timers, allocations, the plan, the queue, the lock -------------

$r = rest_call('POST', '/pet/v1/time-entries', ['project_id' => $pid, 'work_date' => $today, 'minutes' => 5]);
$admin_entry = (string) $r->get_data()['id'];
$login_staff();
check('staff: GET /time-entries/<admin\'s>: 403', 403 === rest_call('GET', "/pet/v1/time-entries/$admin_entry")->get_status());
check('staff: submit someone else\'s draft: 403', 403 === rest_call('POST', "/pet/v1/time-entries/$admin_entry/submit")->get_status());
check('staff: discard someone else\'s draft: 403', 403 === rest_call('POST', "/pet/v1/time-entries/$admin_entry/discard")->get_status());
check('the draft is untouched', 'draft' === $d->timeEntry($admin_entry)['status']);
$r = rest_call('POST', '/pet/v1/timer/start', ['project_id' => $pid, 'note' => 'Timed']);
check('staff: POST /timer/start: 201, running on the project', 201 === $r->get_status() && $pid === $r->get_data()['running']['target']['project_id'], wp_json_encode($r->get_data()));
check('staff: a second start: 422', 422 === rest_call('POST', '/pet/v1/timer/start', ['project_id' => $pid])->get_status());
check('staff: another employee\'s timer: 403', 403 === rest_call('POST', '/pet/v1/timer/start', ['project_id' => $pid, 'employee_id' => $admin_ctx['actor_id']])->get_status());
check('staff: GET /timer: running', null !== rest_call('GET', '/pet/v1/timer')->get_data()['running']);
$html = $screen('pet-timesheet', 'page_timesheet', []);
check('My timesheet shows the running timer with its stop button', str_contains($html, 'pet-timer-running') && str_contains($html, 'pet_delivery_timer_stop'), substr(strip_tags($html), 0, 400));
$r = rest_call('POST', '/pet/v1/timer/stop');
check('staff: POST /timer/stop: a draft entry of at least a minute', 200 === $r->get_status() && 'draft' === $r->get_data()['entry']['status'] && $r->get_data()['entry']['minutes'] >= 1 && 'Timed' === $r->get_data()['entry']['note'], wp_json_encode($r->get_data()));
check('staff: stop again: 422', 422 === rest_call('POST', '/pet/v1/timer/stop')->get_status());
check('staff: GET /resource-plan refused (403)', 403 === rest_call('GET', '/pet/v1/resource-plan')->get_status());
check('staff: POST /allocations refused (403)', 403 === rest_call('POST', '/pet/v1/allocations', [])->get_status());
check('staff: GET /approvals refused (403)', 403 === rest_call('GET', '/pet/v1/approvals')->get_status());
check('staff: POST /time-lock refused (403)', 403 === rest_call('POST', '/pet/v1/time-lock', ['through' => '2000-01-02'])->get_status());
// A whole week over REST: saved from its cells, then submitted, in one command each.
$later = gmdate('Y-m-d', strtotime($monday . ' +14 days'));
$r = rest_call('PUT', '/pet/v1/timesheets/' . $staff_employee . '/' . $later, ['cells' => [['project_id' => $pid, 'work_date' => $later, 'minutes' => 45]]]);
check('staff: PUT /timesheets/{me}/{week}: 200, the week with the cell', 200 === $r->get_status() && 45 === $r->get_data()['total_minutes'] && $later === $r->get_data()['week'], wp_json_encode($r->get_data()));
$r = rest_call('PUT', '/pet/v1/timesheets/' . $staff_employee . '/' . $later, ['cells' => [['project_id' => $pid, 'work_date' => $later, 'minutes' => 'lots']]]);
check('staff: PUT with bad minutes: 400', 400 === $r->get_status(), wp_json_encode($r->get_data()));
check('staff: PUT someone else\'s week: 403', 403 === rest_call('PUT', '/pet/v1/timesheets/' . $admin_ctx['actor_id'] . '/' . $later, ['cells' => []])->get_status());
$r = rest_call('POST', '/pet/v1/timesheets/' . $staff_employee . '/' . $later . '/submit');
check('staff: POST /timesheets/{me}/{week}/submit: 200, the draft submitted', 200 === $r->get_status() && 1 === count($r->get_data()['entries']) && 'submitted' === $r->get_data()['entries'][0]['status'], wp_json_encode($r->get_data()));
check('staff: submitting it again: 422 (nothing to submit)', 422 === rest_call('POST', '/pet/v1/timesheets/' . $staff_employee . '/' . $later . '/submit')->get_status());
check('staff: delivery_recompute refused with 403', 'die:403' === run_admin_post('delivery_recompute', []));
$as_admin();
check('admin: the week submitted over REST approved whole', 200 === rest_call('POST', '/pet/v1/approvals/weeks/approve', ['employee_id' => $staff_employee, 'week' => $later])->get_status());
check('admin, bad nonce: delivery_recompute refused', 'die:403' === run_admin_post('delivery_recompute', [], 'bad'));
check('admin: variance recomputed', str_starts_with(run_admin_post('delivery_recompute', []), 'redirect:'));
$n = queued_notices();
check('the recompute reports what it checked', isset($n[0]) && 'success' === $n[0]['type'] && str_contains($n[0]['message'], 'recomputed'), wp_json_encode($n));
$alloc = ['employee_id' => $staff_employee, 'project_id' => $pid, 'starts_on' => $monday, 'ends_on' => $monday, 'minutes_per_week' => 3000];
$r = rest_call('POST', '/pet/v1/allocations', $alloc);
check('admin: POST /allocations past capacity: 201 with a warning and the week', 201 === $r->get_status() && is_string($r->get_data()['warning']) && [$monday] === $r->get_data()['over_capacity'], wp_json_encode($r->get_data()));
$r = rest_call('POST', '/pet/v1/allocations', array_merge($alloc, ['ends_on' => 'soon']));
check('admin: POST /allocations with a bad date: 400 naming ends_on', 400 === $r->get_status() && isset(((array) $r->get_data()['data']['field_errors'])['ends_on']), wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/resource-plan', [], ['from' => $monday, 'weeks' => '2', 'per_page' => 100]);
$row = null;
foreach ((array) ($r->get_data()['items'] ?? []) as $item) {
    if ($staff_employee === $item['id']) {
        $row = $item;
    }
}
check('admin: GET /resource-plan: the staff member over capacity that week', 200 === $r->get_status() && null !== $row && true === $row['weeks'][0]['over'] && 2 === count($row['weeks']), wp_json_encode($r->get_data()));
$html = $screen('pet-resources', 'page_resources', ['from' => $monday]);
check('the Resource planner shows the week over capacity', str_contains($html, 'pet-over-capacity') && str_contains($html, 'Timesheet Staff'), substr(strip_tags($html), 0, 400));
$r = rest_call('GET', '/pet/v1/approvals', [], ['per_page' => 5]);
check('admin: GET /approvals: 200, a keyset page', 200 === $r->get_status() && array_key_exists('next', $r->get_data()), wp_json_encode($r->get_data()));
$r = rest_call('POST', '/pet/v1/time-lock', ['through' => 'yesterday']);
check('admin: POST /time-lock with a bad date: 400', 400 === $r->get_status(), wp_json_encode($r->get_data()));
check('GET /time-lock: 200', 200 === rest_call('GET', '/pet/v1/time-lock')->get_status());


// ---- revise over REST, approvals by employee-week ----------------------------------------------

$login_staff();
$r = rest_call('POST', '/pet/v1/time-entries', ['project_id' => $pid, 'work_date' => $today, 'minutes' => 20, 'note' => 'Weekly']);
$wid = (string) $r->get_data()['id'];
$patch = static function (string $id, array $body): WP_REST_Response {
    $q = new WP_REST_Request('PATCH', "/pet/v1/time-entries/$id");
    $q->set_header('content-type', 'application/json');
    $q->set_body((string) wp_json_encode($body));
    return rest_do_request($q);
};
$r = $patch($wid, ['minutes' => 25]);
check('staff: PATCH /time-entries/<own draft>: 200, revised, the note kept', 200 === $r->get_status() && $wid === $r->get_data()['id'] && 25 === $r->get_data()['minutes'] && 'Weekly' === $r->get_data()['note'], wp_json_encode($r->get_data()));
check('staff: PATCH with bad minutes: 400', 400 === $patch($wid, ['minutes' => 'lots'])->get_status());
check('staff: PATCH someone else\'s draft: 403', 403 === $patch($admin_entry, ['minutes' => 6])->get_status());
check('the refused PATCH changed nothing', 5 === $d->timeEntry($admin_entry)['minutes']);
$staff_ctx = $plugin->context();
check('a staff context does not manage time', false === $staff_ctx['manages_time']);
$threw = false;
try {
    $d->reviseTimeEntry($admin_entry, ['minutes' => 6], $staff_ctx);
} catch (\Pet\InvariantViolationException $e) {
    $threw = true;
}
check('the engine itself refuses staff changing someone else\'s time', $threw && 5 === $d->timeEntry($admin_entry)['minutes']);
rest_call('POST', "/pet/v1/time-entries/$wid/submit");
check('staff: GET /approvals/weeks refused (403)', 403 === rest_call('GET', '/pet/v1/approvals/weeks')->get_status());
$wkey = $staff_employee . '|' . $monday;
check('staff: delivery_weeks refused with 403', 'die:403' === run_admin_post('delivery_weeks', ['week' => [$wkey], 'do' => 'approve']));
$as_admin();
check('an admin context manages time', true === $plugin->context()['manages_time']);
$r = rest_call('GET', '/pet/v1/approvals/weeks', [], ['employee_id' => $staff_employee]);
check('admin: GET /approvals/weeks: the staff member\'s week with its total', 200 === $r->get_status() && 1 === count($r->get_data()['items']) && 25 === $r->get_data()['items'][0]['minutes'] && $monday === $r->get_data()['items'][0]['week'], wp_json_encode($r->get_data()));
$html = $screen('pet-approvals', 'page_approvals', []);
check('the approvals screen has one line per employee-week, with the project', str_contains($html, 'data-week="' . esc_attr($wkey) . '"') && str_contains($html, esc_html($name) . ' 0:25'), substr(strip_tags($html), 0, 800));
check('admin, bad nonce: delivery_weeks refused', 'die:403' === run_admin_post('delivery_weeks', ['week' => [$wkey], 'do' => 'approve'], 'bad'));
run_admin_post('delivery_weeks', ['week' => [$wkey], 'do' => 'send_back', 'reason' => '']);
$n = queued_notices();
check('sending weeks back without a reason is refused', isset($n[0]) && 'error' === $n[0]['type'] && 'submitted' === $d->timeEntry($wid)['status'], wp_json_encode($n));
run_admin_post('delivery_weeks', ['do' => 'approve']);
$n = queued_notices();
check('no week ticked: an error, nothing approved', isset($n[0]) && 'error' === $n[0]['type'] && 'submitted' === $d->timeEntry($wid)['status'], wp_json_encode($n));
check('admin: the ticked week approved', str_starts_with(run_admin_post('delivery_weeks', ['week' => [$wkey], 'do' => 'approve']), 'redirect:') && 'approved' === $d->timeEntry($wid)['status']);
queued_notices();
$r = rest_call('POST', '/pet/v1/approvals/weeks/approve', ['employee_id' => $staff_employee, 'week' => $monday]);
check('admin: approving a week with nothing submitted: 422', 422 === $r->get_status(), wp_json_encode($r->get_data()));

// ---- time on the ticket page ---------------------------------------------------------------------

$customer = $plugin->identity()->createCustomer(['name' => "Ticket time $tag"], $plugin->context());
$ticket = (new \Pet\Helpdesk(Plugin::engine_settings()))->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Ticket time $tag"], $plugin->context());
$tid = (string) $ticket['id'];
$section = static function () use ($plugin, $ticket): string {
    ob_start();
    (new \PetWp\Modules\Delivery\Delivery_Admin($plugin))->ticket_time($ticket);
    return (string) ob_get_clean();
};
$login_staff();
$log = ['ticket_id' => $tid, 'work_date' => $today, 'minutes' => '1:30', 'note' => "On the phone $tag", 'billable' => '1'];
login_as_role('subscriber');
check('subscriber: delivery_log_ticket refused with 403', 'die:403' === run_admin_post('delivery_log_ticket', $log));
check('a subscriber sees no time section', '' === $section());
$login_staff();
check('staff, bad nonce: delivery_log_ticket refused', 'die:403' === run_admin_post('delivery_log_ticket', $log, 'bad'));
check('refused logs wrote nothing', 0 === $d->ticketTime($tid)['count']);
run_admin_post('delivery_log_ticket', ['minutes' => 'soon'] + $log);
$n = queued_notices();
check('an unreadable duration is an error, nothing logged', isset($n[0]) && 'error' === $n[0]['type'] && 0 === $d->ticketTime($tid)['count'], wp_json_encode($n));
$out = run_admin_post('delivery_log_ticket', $log);
check('staff: time logged from the ticket page, back to the ticket', str_starts_with($out, 'redirect:') && str_contains($out, $tid), $out);
queued_notices();
$tt = $d->ticketTime($tid);
check('the ticket has 90 draft minutes of the staff member', 1 === $tt['count'] && 90 === $tt['total_minutes'] && 0 === $tt['approved_minutes'] && $staff_employee === $tt['entries'][0]['employee_id'] && 'draft' === $tt['entries'][0]['status'], wp_json_encode($tt));
$html = $section();
check('the ticket page\'s time section lists it with the total and the form', str_contains($html, 'id="pet-ticket-time"') && str_contains($html, esc_html("On the phone $tag")) && str_contains($html, 'data-minutes="90"') && str_contains($html, 'pet_delivery_log_ticket'), substr(strip_tags($html), 0, 400));
check('the section links to the ticket\'s row of My timesheet', 1 === preg_match('/page=pet-timesheet[^"]*add=t(%3A|:)' . preg_quote($tid, '/') . '/i', $html), (string) (preg_match('/href="[^"]*pet-timesheet[^"]*"/', $html, $m) ? $m[0] : 'no link'));
$html = $screen('pet-timesheet', 'page_timesheet', ['week' => $today]);
check('the ticket is a row of the staff member\'s timesheet', str_contains($html, 'data-row="t:' . $tid . '"'));
check('staff (who do not see tickets) get no ticket picker on the timesheet', !str_contains($html, 'data-pet-picker="tickets"'));
// The add-row form's ticket picker: those who see tickets search them as they type (REST
// /tickets); without script the typed text resolves on the server to the one match.
$as_admin();
$html = $screen('pet-timesheet', 'page_timesheet', ['week' => $today]);
check('the add-row form offers a ticket picker over the tickets route', str_contains($html, 'data-pet-picker="tickets"') && str_contains($html, 'name="add_ticket"'), substr(strip_tags($html), 0, 400));
$html = $screen('pet-timesheet', 'page_timesheet', ['week' => $today, 'add_ticket_q' => "Ticket time $tag"]);
check('a ticket typed into the picker becomes a row of the grid', str_contains($html, 'data-row="t:' . $tid . '"') && 7 === substr_count($html, 'name="cell[t:' . $tid . ']['), substr(strip_tags($html), 0, 400));
$html = $screen('pet-timesheet', 'page_timesheet', ['week' => $today, 'add_ticket' => $tid]);
check('a ticket chosen from the picker list becomes a row of the grid', str_contains($html, 'data-row="t:' . $tid . '"'));
$hd_view = (string) file_get_contents(dirname(__DIR__, 3) . '/wp-plugin/includes/modules/helpdesk/views/ticket.php');
check('the helpdesk ticket view fires pet_ticket_sections', str_contains($hd_view, "do_action( 'pet_ticket_sections', \$t );"));
