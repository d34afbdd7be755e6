<?php
// The customer portal (issue 17): staff invite a contact from the customer screen (a
// WordPress user with the PET Customer role, linked in PET), the [pet_portal] shortcode and
// the pet/portal block show a contact their customer's tickets and public messages only,
// refuse another customer's ticket (the engine's rule, not just hidden), show the login form
// when logged out, and the portal's posts check role, method and nonce.

use PetWp\Plugin;

reactivate_pet('portal');
$plugin = Plugin::instance();
$identity = new \Pet\Identity(Plugin::engine_settings());
$helpdesk = new \Pet\Helpdesk(Plugin::engine_settings());
$portal = new \Pet\Portal(Plugin::engine_settings());
$tag = 'pt' . bin2hex(random_bytes(3));
$acme = (string) $identity->createCustomer(['name' => "Acme $tag"], $plugin->context())['id'];
$wile = (string) $identity->addContact($acme, ['name' => "Wile $tag", 'email' => "wile.$tag@acme.test"], $plugin->context())['contacts'][0]['id'];
$globex = (string) $identity->createCustomer(['name' => "Globex $tag"], $plugin->context())['id'];
$hank = (string) $identity->addContact($globex, ['name' => "Hank $tag", 'email' => "hank.$tag@globex.test"], $plugin->context())['contacts'][0]['id'];

// The role: no capability but read.
$role = get_role('pet_customer');
check('role: PET Customer exists with read only', null !== $role && ['read'] === array_keys(array_filter($role->capabilities)), wp_json_encode($role ? $role->capabilities : null));

// The customer screen shows the section; inviting makes and links the user.
$admin_id = login_admin();
$html = render_admin_screen('pet-customers', static fn () => (new \PetWp\Modules\Identity\Identity_Admin($plugin))->page_customers(), ['customer' => $acme]);
check('customer screen: a Customer portal section with Invite to portal', str_contains($html, 'pet-customer-portal') && str_contains($html, 'Invite to portal') && str_contains($html, 'pet_portal_invite'), substr(strip_tags($html), -600));
$out = run_admin_post('portal_invite', ['customer' => $acme, 'contact_id' => $wile]);
$notes = queued_notices();
$wile_user = get_user_by('email', "wile.$tag@acme.test");
check('invite: redirects with a success notice', str_starts_with($out, 'redirect:') && 'success' === ($notes[0]['type'] ?? ''), $out . ' ' . wp_json_encode($notes));
check('invite: a WordPress user with the PET Customer role', $wile_user && in_array('pet_customer', $wile_user->roles, true), wp_json_encode($wile_user ? $wile_user->roles : null));
check('invite: linked to the contact in PET', $wile_user && $wile === ($portal->portalUser($wile_user->ID)['contact_id'] ?? null));
$html = render_admin_screen('pet-customers', static fn () => (new \PetWp\Modules\Identity\Identity_Admin($plugin))->page_customers(), ['customer' => $acme]);
check('customer screen: the invited contact shows their portal user and Revoke', $wile_user && str_contains($html, esc_html($wile_user->user_login)) && str_contains($html, 'Revoke portal access'), substr(strip_tags($html), -600));
run_admin_post('portal_invite', ['customer' => $globex, 'contact_id' => $hank]);
queued_notices();
$hank_user = get_user_by('email', "hank.$tag@globex.test");
$out = run_admin_post('portal_invite', ['customer' => $globex, 'contact_id' => $wile]);
$notes = queued_notices();
check('invite: a contact of another customer is refused', 'error' === ($notes[0]['type'] ?? ''), wp_json_encode($notes));
foreach (['pet_staff', 'subscriber'] as $r) {
    login_as_role($r);
    check("invite: $r is refused (403)", 'die:403' === run_admin_post('portal_invite', ['customer' => $acme, 'contact_id' => $wile]));
}

// Logged out: the login form.
wp_set_current_user(0);
$html = do_shortcode('[pet_portal]');
check('shortcode: logged out shows the login form', str_contains($html, 'id="pet-portal-login"') && str_contains($html, 'pet-portal-pass'), substr($html, 0, 300));
check('portal post: logged out is refused', 'die:403' === (static function () {
    try {
        do_action('admin_post_nopriv_pet_portal_open');
        return 'no-outcome';
    } catch (Test_Die $d) {
        return 'die:' . $d->status;
    }
})());

// A user who is no contact.
login_as_role('subscriber');
check('shortcode: a user linked to no contact is told so', str_contains(do_shortcode('[pet_portal]'), 'not linked to a customer contact'));
check('portal post: a user without the PET Customer role is refused', 'die:403' === run_admin_post('portal_open', ['subject' => 'x', 'message' => 'y']));

// Wile opens a ticket through the portal form.
wp_set_current_user($wile_user->ID);
check('portal post: a GET is refused', 'die:405' === run_admin_post('portal_open', ['subject' => 'x', 'message' => 'y'], 'valid', 'GET'));
check('portal post: a bad nonce is refused', str_starts_with(run_admin_post('portal_open', ['subject' => 'x', 'message' => 'y'], 'nope'), 'die:'));
$out = run_admin_post('portal_open', ['subject' => "Anvil $tag", 'message' => 'It cracked on landing.', 'priority' => 'high', '_pet_idem' => wp_generate_uuid4()]);
parse_str((string) parse_url(substr($out, 9), PHP_URL_QUERY), $q);
$ticket = (string) ($q['pet_ticket'] ?? '');
check('portal open: redirects to the new ticket', '' !== $ticket, $out);
$t = $helpdesk->getTicket($ticket);
check('portal open: channel portal, Acme, written by Wile', 'portal' === $t['channel'] && $acme === $t['customer_id'] && $wile === $t['replies'][0]['author_contact_id'] && 'high' === $t['priority'], wp_json_encode($t));

// The contact is the actor of what they did in the portal: the activity feed's Who and the
// ticket's history name them as a customer (not "System").
login_admin();
$html = render_admin_screen('pet-activity', static fn () => (new \PetWp\Admin($plugin))->page_activity(), ['context_type' => 'ticket', 'context_id' => $ticket]);
check('activity screen: Who names the contact (customer)', str_contains($html, esc_html("Wile $tag (customer)")), substr(strip_tags($html), 0, 800));
$feed = $plugin->engine()->activity(['context_type' => 'ticket', 'context_id' => $ticket]);
$by_wile = array_values(array_filter($feed['items'], static fn ($i) => $wile === ($i['actor_contact_id'] ?? null)));
check('activity: the portal events have Wile as actor, no employee', 2 === count($by_wile) && null === $by_wile[0]['actor_id'], wp_json_encode($feed['items']));

// Staff reply publicly and note internally.
login_admin();
$helpdesk->replyToTicket($ticket, ['body' => "Replacement on its way $tag"], $plugin->context());
$helpdesk->replyToTicket($ticket, ['body' => "SECRET NOTE $tag", 'visibility' => 'internal'], $plugin->context());

wp_set_current_user($wile_user->ID);
$_GET = ['pet_ticket' => $ticket];
$html = do_shortcode('[pet_portal]');
$_GET = [];
check('shortcode: the contact sees the conversation', str_contains($html, "Anvil $tag") && str_contains($html, 'It cracked on landing.') && str_contains($html, "Replacement on its way $tag"), substr(strip_tags($html), 0, 600));
check('shortcode: never an internal note', !str_contains($html, 'SECRET NOTE'));
check('shortcode: the reply form has a nonce', str_contains($html, 'pet_portal_reply') && str_contains($html, '_wpnonce'));
$list = do_shortcode('[pet_portal]');
check('shortcode: the ticket list shows the ticket', str_contains($list, "Anvil $tag") && str_contains($list, 'pet_ticket=' . $ticket));
$block = render_block(['blockName' => 'pet/portal', 'attrs' => [], 'innerBlocks' => [], 'innerHTML' => '', 'innerContent' => []]);
check('block: pet/portal is registered and renders the portal', WP_Block_Type_Registry::get_instance()->is_registered('pet/portal') && str_contains($block, "Anvil $tag"), substr($block, 0, 200));
$out = run_admin_post('portal_reply', ['ticket' => $ticket, 'body' => "Thanks $tag", '_pet_idem' => wp_generate_uuid4()]);
check('portal reply: redirects back to the ticket', str_contains($out, 'pet_ticket=' . $ticket), $out);
check('portal reply: recorded as Wile, public', "Thanks $tag" === end($helpdesk->getTicket($ticket)['replies'])['body']);

// Hank (Globex) cannot read or write on Acme's ticket.
wp_set_current_user($hank_user->ID);
$_GET = ['pet_ticket' => $ticket];
$html = do_shortcode('[pet_portal]');
$_GET = [];
check("shortcode: another customer's ticket is not found", str_contains($html, 'That ticket was not found.') && !str_contains($html, "Anvil $tag"), substr(strip_tags($html), 0, 300));
check("shortcode: another customer's list does not show it", !str_contains(do_shortcode('[pet_portal]'), "Anvil $tag"));
$before = (int) $helpdesk->getTicket($ticket)['reply_count'];
run_admin_post('portal_reply', ['ticket' => $ticket, 'body' => 'Let me in', '_pet_idem' => wp_generate_uuid4()]);
$flash = get_transient('pet_portal_flash_' . $hank_user->ID);
check("portal reply: another customer's ticket is refused by the engine", is_array($flash) && 'error' === $flash['kind'] && str_contains($flash['message'], "not a contact of this ticket's customer"), wp_json_encode($flash));
check("portal reply: nothing written on another customer's ticket", $before === (int) $helpdesk->getTicket($ticket)['reply_count']);
try {
    $portal->portalReply($hank_user->ID, $ticket, ['body' => 'direct'], []);
    check('engine: a direct reply to another customer\'s ticket is refused', false);
} catch (\Pet\InvariantViolationException $e) {
    check('engine: a direct reply to another customer\'s ticket is refused', true);
}

// A contact's reply ends the wait on the customer (the engine's rule): back to open.
login_admin();
$helpdesk->moveTicket($ticket, 'open', $plugin->context());
$helpdesk->moveTicket($ticket, 'waiting_on_customer', $plugin->context());
wp_set_current_user($wile_user->ID);
run_admin_post('portal_reply', ['ticket' => $ticket, 'body' => "Still cracked $tag", '_pet_idem' => wp_generate_uuid4()]);
check('portal reply: a ticket waiting on the customer is open again', 'open' === $helpdesk->getTicket($ticket)['status'], $helpdesk->getTicket($ticket)['status']);

// Resolved: the portal offers Reopen (nonce-checked form) to the customer's contact only.
login_admin();
$helpdesk->moveTicket($ticket, 'resolved', $plugin->context());
wp_set_current_user($wile_user->ID);
$_GET = ['pet_ticket' => $ticket];
$html = do_shortcode('[pet_portal]');
$_GET = [];
check('shortcode: a resolved ticket shows Reopen with a nonce', str_contains($html, 'pet-portal-reopen') && str_contains($html, 'pet_portal_reopen') && str_contains($html, '_wpnonce'), substr(strip_tags($html), 0, 600));
check('portal reopen: a bad nonce is refused', str_starts_with(run_admin_post('portal_reopen', ['ticket' => $ticket], 'nope'), 'die:'));
check('portal reopen: a GET is refused', 'die:405' === run_admin_post('portal_reopen', ['ticket' => $ticket], 'valid', 'GET'));
check('portal reopen: nothing changed by refused posts', 'resolved' === $helpdesk->getTicket($ticket)['status']);
wp_set_current_user($hank_user->ID);
run_admin_post('portal_reopen', ['ticket' => $ticket, '_pet_idem' => wp_generate_uuid4()]);
$flash = get_transient('pet_portal_flash_' . $hank_user->ID);
check("portal reopen: another customer's ticket is refused by the engine", is_array($flash) && 'error' === $flash['kind'] && 'resolved' === $helpdesk->getTicket($ticket)['status'], wp_json_encode($flash));
login_as_role('subscriber');
check('portal reopen: a user without the PET Customer role is refused', 'die:403' === run_admin_post('portal_reopen', ['ticket' => $ticket]));
wp_set_current_user($wile_user->ID);
$out = run_admin_post('portal_reopen', ['ticket' => $ticket, '_pet_idem' => wp_generate_uuid4()]);
check('portal reopen: redirects back to the ticket', str_contains($out, 'pet_ticket=' . $ticket), $out);
check('portal reopen: the ticket is open again', 'open' === $helpdesk->getTicket($ticket)['status']);
$_GET = ['pet_ticket' => $ticket];
$html = do_shortcode('[pet_portal]');
$_GET = [];
check('shortcode: an open ticket offers no Reopen', !str_contains($html, 'pet-portal-reopen'));

// Revoked: the portal no longer shows anything to Wile and the role goes.
login_admin();
run_admin_post('portal_revoke', ['customer' => $acme, 'contact_id' => $wile, 'wp_user_id' => (string) $wile_user->ID]);
queued_notices();
$wile_user = get_userdata($wile_user->ID);
check('revoke: the PET Customer role is taken', !in_array('pet_customer', $wile_user->roles, true), wp_json_encode($wile_user->roles));
wp_set_current_user($wile_user->ID);
check('revoke: the portal shows nothing any more', str_contains(do_shortcode('[pet_portal]'), 'not linked to a customer contact'));

// scripts/run's demo (Demo::load, run on this site by case 08): the Support page and the
// demo customer user "wile", linked to the demo contact.
$demo_user = get_user_by('login', \PetWp\Modules\Portal\Portal_Demo::LOGIN);
check('demo: the customer user wile is Wile E. Coyote of Acme Ltd in the portal', $demo_user && in_array('pet_customer', $demo_user->roles, true) && 'Acme Ltd' === ($portal->portalUser($demo_user->ID)['customer_name'] ?? null), wp_json_encode($demo_user ? $portal->portalUser($demo_user->ID) : null));
$demo_page = get_post((int) get_option(\PetWp\Modules\Portal\Portal_Front::OPTION_PAGE));
check('demo: the Support page shows the portal', $demo_page instanceof WP_Post && 'support' === $demo_page->post_name && has_shortcode($demo_page->post_content, 'pet_portal'));
