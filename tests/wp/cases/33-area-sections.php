<?php
// Access by context on a page that gathers several areas (issue 13): the ticket page shows
// the knowledge area's linked articles only to users who may see knowledge, and everyone's
// time on the ticket only to users who may see delivery (anyone who works may still log
// their own). The ticket's REST responses leave the linked articles out the same way.
use PetWp\Plugin;

reactivate_pet('area sections');
login_admin();
$plugin = Plugin::instance();
$plugin->forget_employee_cache();
$tag = substr(md5((string) microtime(true)), 0, 6);
$ctx = $plugin->context();
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$customer = $plugin->identity()->createCustomer(['name' => "Area Customer $tag"], $ctx);
$ticket = $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Area ticket $tag"], $ctx);
$tid = (string) $ticket['id'];
$article = $plugin->knowledge()->createArticle(['category' => 'Area', 'slug' => "area-$tag", 'title' => "Area article $tag", 'body' => 'Restart it.', 'publish' => true], $ctx);
$plugin->knowledge()->linkArticleToTicket((string) $article['id'], $tid, $ctx);
$worker = $plugin->identity()->createEmployee(['name' => "Area Worker $tag", 'email' => "area-$tag@example.com"], $ctx);
(new \Pet\Delivery(Plugin::engine_settings()))->logTime(['employee_id' => (string) $worker['id'], 'ticket_id' => $tid, 'work_date' => gmdate('Y-m-d'), 'minutes' => 45, 'note' => "Area note $tag"], $ctx);

// A desk-only role: support, no knowledge and no delivery (what an administrator can make
// with the usual role tools).
remove_role('pet_test_desk_only');
add_role('pet_test_desk_only', 'Desk only', ['read' => true, Plugin::CAP_WORK => true, 'pet_view_people' => true, 'pet_view_support' => true, 'pet_manage_support' => true]);

$page = static fn (): string => render_admin_screen('pet-tickets', static fn () => (new \PetWp\Modules\Helpdesk\Helpdesk_Admin($plugin))->page_tickets(), ['id' => $tid]);
$time = static function () use ($plugin, $ticket): string {
    ob_start();
    (new \PetWp\Modules\Delivery\Delivery_Admin($plugin))->ticket_time($ticket);
    return (string) ob_get_clean();
};

foreach (['pet_support' => true, 'pet_test_desk_only' => false] as $role => $sees) {
    $uid = login_as_role($role);
    login_admin();
    if (null === $plugin->identity()->findEmployeeByUser($uid)) {
        $plugin->identity()->createEmployee(['name' => "Area $role $tag", 'email' => "area-$role-$tag@example.invalid", 'wp_user_id' => $uid], $plugin->context());
    }
    wp_set_current_user($uid);
    $plugin->forget_employee_cache();
    $html = $page();
    check("$role: the ticket page renders", str_contains($html, esc_html("Area ticket $tag")), substr(strip_tags($html), 0, 300));
    check("$role: linked articles " . ($sees ? 'shown' : 'hidden'), $sees === str_contains($html, 'id="pet-linked-articles"') && $sees === str_contains($html, esc_html("Area article $tag")));
    $section = $time();
    check("$role: everyone's time on the ticket " . ($sees ? 'shown' : 'hidden'), $sees === str_contains($section, 'id="pet-ticket-time"') && $sees === str_contains($section, esc_html("Area note $tag")) && $sees === str_contains($section, 'data-minutes="45"'), substr(strip_tags($section), 0, 300));
    check("$role: the form to log one's own time is there", str_contains($section, 'pet_delivery_log_ticket'));
    $r = rest_call('GET', "/pet/v1/tickets/$tid");
    $data = $r->get_data();
    check("$role: REST ticket 200, linked articles " . ($sees ? 'included' : 'left out'), 200 === $r->get_status() && $sees === array_key_exists('linked_articles', (array) $data), wp_json_encode(array_keys((array) $data)));
    $r = rest_call('POST', "/pet/v1/tickets/$tid/priority", ['priority' => $sees ? 'high' : 'low']);
    check("$role: a ticket change answers the ticket the same way", 200 === $r->get_status() && $sees === array_key_exists('linked_articles', (array) $r->get_data()), (string) $r->get_status());
}
login_admin();
remove_role('pet_test_desk_only');
