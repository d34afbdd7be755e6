<?php
// The project page and the projects list (issue 10): milestones and tasks added and moved
// from the page (capability, nonce and GET refused first, nothing written), an allocation
// made from the page past capacity comes back with the warning, the page shows the burn-up
// chart with its table, the allocations, the linked tickets and the activity; the list
// finds a project by its customer's name and shows its variance; the REST routes the page
// needs answer (burn-up, linked tickets, search) with 400 / 404 for bad input.

use PetWp\Plugin;

reactivate_pet('project-page');
$plugin = Plugin::instance();
$d = new \Pet\Delivery(Plugin::engine_settings());
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$tag = bin2hex(random_bytes(3));
login_admin();
$plugin->forget_employee_cache();
$ctx = $plugin->context();
$me = (string) $ctx['actor_id'];
$screen = static function (array $get) use ($plugin): string {
    $_POST = [];
    return render_admin_screen('pet-projects', static fn () => (new \PetWp\Modules\Delivery\Delivery_Admin($plugin))->page_projects(), $get);
};

$customer = $plugin->identity()->createCustomer(['name' => "Quillfeather $tag"], $ctx);
$p = $d->createProject(['name' => "Portal $tag", 'customer_id' => $customer['id'], 'labour' => [['role' => 'Developer', 'minutes' => 600]]], $ctx);
$pid = (string) $p['id'];
$d->changeProjectStatus($pid, 'active', $ctx);

// ---- milestones and tasks from the page --------------------------------------------------------

$ms = ['id' => $pid, 'title' => "Beta $tag", 'due' => '2030-01-31'];
login_as_role('pet_staff');
$plugin->forget_employee_cache();
check('staff: delivery_add_milestone refused with 403', 'die:403' === run_admin_post('delivery_add_milestone', $ms));
login_admin();
$plugin->forget_employee_cache();
check('admin, bad nonce: delivery_add_milestone refused', 'die:403' === run_admin_post('delivery_add_milestone', $ms, 'not-a-nonce'));
check('admin, GET: delivery_add_milestone refused with 405', 'die:405' === run_admin_post('delivery_add_milestone', $ms, 'valid', 'GET'));
check('refused milestones wrote nothing', [] === $d->project($pid)['milestones']);
$out = run_admin_post('delivery_add_milestone', ['due' => 'next week'] + $ms);
check('a bad due date redirects back and adds nothing', str_starts_with($out, 'redirect:') && [] === $d->project($pid)['milestones'], $out);
queued_notices();
delete_transient('pet_delivery_form_' . get_current_user_id());
check('admin: milestone added', str_starts_with(run_admin_post('delivery_add_milestone', $ms), 'redirect:') && 1 === count($d->project($pid)['milestones']));
queued_notices();
$mid = (string) $d->project($pid)['milestones'][0]['id'];
$task = ['id' => $pid, 'title' => "Login page $tag", 'hours' => '2:30', 'assignee_id' => $me, 'milestone_id' => $mid];
check('admin: task added with its estimate, assignee and milestone', str_starts_with(run_admin_post('delivery_add_task', $task), 'redirect:'));
queued_notices();
$t = $d->project($pid)['tasks'][0] ?? [];
check('the task holds 150 estimated minutes, the assignee and the milestone', 150 === ($t['estimate_minutes'] ?? null) && $me === ($t['assignee'] ?? null) && $mid === ($t['milestone_id'] ?? null), wp_json_encode($t));
$out = run_admin_post('delivery_move_task', ['id' => $pid, 'task_id' => (string) $t['id'], 'status' => 'done']);
$n = queued_notices();
check('a task cannot skip in progress: refused, unchanged', str_starts_with($out, 'redirect:') && 'todo' === $d->project($pid)['tasks'][0]['status'], wp_json_encode($n));
check('admin: task moved to in progress', str_starts_with(run_admin_post('delivery_move_task', ['id' => $pid, 'task_id' => (string) $t['id'], 'status' => 'in_progress']), 'redirect:') && 'in_progress' === $d->project($pid)['tasks'][0]['status']);
queued_notices();
check('admin: milestone done', str_starts_with(run_admin_post('delivery_milestone_done', ['id' => $pid, 'milestone_id' => $mid]), 'redirect:') && 'done' === $d->project($pid)['milestones'][0]['status']);
queued_notices();

// ---- an allocation from the page, past capacity -------------------------------------------------

$d->setCapacity(['employee_id' => $me, 'effective_from' => '2030-01-07', 'minutes_per_week' => 600], $ctx);
$out = run_admin_post('delivery_allocate', ['id' => $pid, 'project_id' => $pid, 'employee_id' => $me, 'starts_on' => '2030-01-07', 'ends_on' => '2030-01-20', 'hours' => '20:00']);
$n = queued_notices();
check('an allocation from the project page returns to it with the over-capacity warning', str_contains($out, 'page=pet-projects') && str_contains($out, $pid) && str_contains(wp_json_encode($n), 'Warning'), $out . ' ' . wp_json_encode($n));
check('the allocation was made', 1 === count($d->projectAllocations($pid)));

// ---- a linked ticket, time for the burn-up -------------------------------------------------------

$hd->createTicket(['customer_id' => $customer['id'], 'project_id' => $pid, 'subject' => "Linked <b>$tag</b>"], $ctx);
$today = \PetWp\Input::today();
$e = $d->logTime(['project_id' => $pid, 'role' => 'Developer', 'work_date' => $today, 'minutes' => 540], $ctx);
$d->submitTimeEntry((string) $e['id'], $ctx);
$d->approveTimeEntry((string) $e['id'], $ctx);

$html = $screen(['id' => $pid]);
check('the project page names the customer', str_contains($html, esc_html("Quillfeather $tag")));
check('the project page draws the burn-up (a chart canvas with the weekly numbers as a table)', str_contains($html, 'data-pet-chart=') && str_contains($html, 'pet-project-burnup') && str_contains($html, 'Show as a table') && str_contains($html, '9'), substr(strip_tags($html), 0, 600));
check('the project page lists the milestone, the task with its next status and the allocation', str_contains($html, esc_html("Beta $tag")) && str_contains($html, esc_html("Login page $tag")) && str_contains($html, 'pet_delivery_move_task') && str_contains($html, 'pet-project-allocations'));
check('the project page lists the linked ticket, escaped', str_contains($html, 'pet-project-tickets') && str_contains($html, esc_html("Linked <b>$tag</b>")) && !str_contains($html, "<b>$tag</b>"));
check('the project page shows the % used bar (90 %) and the activity', str_contains($html, 'pet-used-80') && str_contains($html, 'pet-project-activity'));

// ---- the list: search by customer, variance ---------------------------------------------------

$html = $screen(['s' => "Quillfeather $tag"]);
check('the list finds the project by its customer\'s name', [$pid] === linked_ids($html, 'pet-projects', 'id'), substr(strip_tags($html), 0, 400));
check('the list shows the customer and the 80 % crossed variance', str_contains($html, esc_html("Quillfeather $tag")) && str_contains($html, '80 % crossed'));
$html = $screen(['s' => "nothing-$tag"]);
check('a search without a match lists nothing', [] === linked_ids($html, 'pet-projects', 'id'));

// ---- REST ------------------------------------------------------------------------------------

$r = rest_call('GET', '/pet/v1/projects', [], ['search' => "Portal $tag"]);
check('GET /projects?search=: the project, with its variance state', 200 === $r->get_status() && 1 === count($r->get_data()['items']) && 80 === $r->get_data()['items'][0]['threshold_reached'], wp_json_encode($r->get_data()));
$r = rest_call('GET', "/pet/v1/projects/$pid/burnup", [], ['weeks' => '4']);
$b = $r->get_data();
check('GET /projects/{id}/burnup?weeks=4: 200, the one week since the project began (weeks is a maximum), 540 delivered against 600 sold', 200 === $r->get_status() && 1 === count($b['weeks']) && [540] === $b['delivered'] && [600] === $b['sold'] && false === $b['truncated'], wp_json_encode($b));
$r = rest_call('GET', "/pet/v1/projects/$pid/burnup", [], ['weeks' => '500']);
check('GET /projects/{id}/burnup?weeks=500: 400', 400 === $r->get_status(), wp_json_encode($r->get_data()));
$r = rest_call('GET', '/pet/v1/projects/01900000-0000-7000-8000-000000000000/burnup');
check('GET /projects/{unknown}/burnup: 404', 404 === $r->get_status(), wp_json_encode($r->get_data()));
$r = rest_call('GET', "/pet/v1/projects/$pid/tickets");
check('GET /projects/{id}/tickets: the linked ticket', 200 === $r->get_status() && 1 === $r->get_data()['total'], wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/projects/$pid/tasks/" . (string) $t['id'] . '/status', ['status' => 'done']);
check('POST /projects/{id}/tasks/{task}/status: done', 200 === $r->get_status() && 'done' === $r->get_data()['tasks'][0]['status'], wp_json_encode($r->get_data()));
$r = rest_call('POST', "/pet/v1/projects/$pid/milestones/$mid/complete");
check('POST …/milestones/{id}/complete twice: 422', 422 === $r->get_status(), wp_json_encode($r->get_data()));
