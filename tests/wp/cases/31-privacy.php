<?php
// Privacy (issue 13): PET's exporter and eraser in WordPress's Export / Erase Personal Data
// tools, matched by e-mail address; the eraser needs pet_manage_people, leaves no copy of
// the person in PET's tables and keeps the event chain verifying.

use PetWp\Plugin;

reactivate_pet('privacy');
$plugin = Plugin::instance();
$identity = new \Pet\Identity(Plugin::engine_settings());
$engine = new \Pet\Engine(Plugin::engine_settings());
$tag = 'pv' . bin2hex(random_bytes(3));
$email = "mira.$tag@example.com";
$emp = $identity->createEmployee(['name' => "Mira Kowalczyk$tag", 'email' => $email, 'cost_rate' => ['amount' => '55.00', 'currency' => 'EUR', 'effective_from' => '2026-01-01']], $plugin->context());
$cust = $identity->createCustomer(['name' => "Privacy Co $tag"], $plugin->context());
$withContact = $identity->addContact((string) $cust['id'], ['name' => "Mira Kowalczyk$tag", 'email' => $email, 'phone' => '+48 601 234 567'], $plugin->context());
$miraContact = (string) $withContact['contacts'][0]['id'];
// Her messages (issue 13): a call logged for her (the ticket's opening message), and a new
// ticket by e-mail with an attachment. A staff reply stays.
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$mail = new \Pet\Mail(Plugin::engine_settings());
$ticket = $hd->createTicket(['customer_id' => (string) $cust['id'], 'subject' => "Privacy ticket $tag", 'contact_id' => $miraContact, 'message' => "Quokkamessage$tag about my order"], $plugin->context());
$hd->replyToTicket((string) $ticket['id'], ['body' => "Staffanswer$tag"], $plugin->context());
$mailed = $mail->receiveMail(['message_id' => "<mira-$tag@example.com>", 'from_email' => $email, 'from_name' => "Mira Kowalczyk$tag", 'subject' => "Mailsubject$tag",
    'body' => "Mailedmessage$tag with a file", 'to' => ['support@pet.localhost'], 'own_addresses' => ['support@pet.localhost'],
    'attachments' => [['filename' => "scan-$tag.txt", 'mime_type' => 'text/plain', 'content_base64' => base64_encode("Attachedtext$tag")]]]);
check('privacy: her e-mail opened a ticket', 'opened' === $mailed['status'], wp_json_encode($mailed));
// Her portal login (a WordPress user with the PET Customer role): revoked by the erasure.
$portal = new \Pet\Portal(Plugin::engine_settings());
$miraUser = wp_insert_user(['user_login' => "mira-$tag", 'user_pass' => wp_generate_password(), 'user_email' => "mira-login.$tag@example.com", 'role' => \PetWp\Modules\Portal\Portal_Front::ROLE]);
$portal->grantPortalAccess($miraContact, (int) $miraUser, $plugin->context());
check('privacy: she signs in to the portal', null !== $portal->portalUser((int) $miraUser));

$exporters = apply_filters('wp_privacy_personal_data_exporters', []);
$erasers = apply_filters('wp_privacy_personal_data_erasers', []);
check('privacy: PET registers an exporter and an eraser', isset($exporters['pet'], $erasers['pet']) && is_callable($exporters['pet']['callback']) && is_callable($erasers['pet']['callback']), wp_json_encode(array_keys($exporters)));
$export = static fn () => call_user_func($exporters['pet']['callback'], $email, 1);
$erase = static fn () => call_user_func($erasers['pet']['callback'], $email, 1);

$out = $export();
$groups = array_column($out['data'], 'group_id');
$values = [];
foreach ($out['data'] as $item) {
    foreach ($item['data'] as $field) {
        $values[] = $field['name'] . '=' . $field['value'];
    }
}
check('privacy: the export finds the employee, the contact and her messages by address', $out['done'] && ['pet-employee', 'pet-contact', 'pet-message', 'pet-message'] === $groups, wp_json_encode($out));
check('privacy: the export holds name, email, phone and rates', in_array("Name=Mira Kowalczyk$tag", $values, true) && in_array('Phone=+48 601 234 567', $values, true) && in_array('Rates=cost rate EUR 55.00/h from 2026-01-01', $values, true), implode(' | ', $values));
$number = $hd->getTicket((string) $ticket['id'])['number'];
check('privacy: the export lists her messages with ticket and date, not the staff reply', in_array("Ticket=#$number Privacy ticket $tag", $values, true) && in_array("Message=Quokkamessage$tag about my order", $values, true) && in_array("Message=Mailedmessage$tag with a file", $values, true) && !str_contains(implode('|', $values), "Staffanswer$tag") && 2 === count(array_keys($groups, 'pet-message', true)), implode(' | ', $values));
$none = call_user_func($exporters['pet']['callback'], "nobody.$tag@example.com", 1);
check('privacy: an unknown address exports nothing', [] === $none['data'] && $none['done']);
$bad = call_user_func($exporters['pet']['callback'], 'not an address', 1);
check('privacy: a malformed address exports nothing (no exception)', [] === $bad['data'] && $bad['done']);

// Without pet_manage_people nothing is erased.
login_as_role('pet_staff');
$r = $erase();
check('privacy: the eraser refuses without pet_manage_people', false === $r['items_removed'] && true === $r['items_retained'] && $r['done'] && 1 === count($r['messages']), wp_json_encode($r));
login_admin();
check('privacy: a refused erasure changed nothing', "Mira Kowalczyk$tag" === $identity->getEmployee((string) $emp['id'])['name']);

$r = $erase();
check('privacy: the administrator erases', true === $r['items_removed'] && false === $r['items_retained'] && $r['done'] && 1 === count($r['messages']) && str_contains($r['messages'][0], 'portal access of 1 WordPress user was revoked'), wp_json_encode($r));
$miraAfter = get_userdata((int) $miraUser);
check('privacy: her portal login went with her: no portal user, no PET Customer role, the WordPress user kept', null === $portal->portalUser((int) $miraUser) && $miraAfter && !in_array(\PetWp\Modules\Portal\Portal_Front::ROLE, (array) $miraAfter->roles, true), wp_json_encode($miraAfter ? $miraAfter->roles : null));
check('privacy: the employee reads as "Erased person", rates kept', 'Erased person' === $identity->getEmployee((string) $emp['id'])['name'] && wp_json_encode($emp['rates']) === wp_json_encode($identity->getEmployee((string) $emp['id'])['rates']));
check('privacy: after erasure nothing is exported', [] === $export()['data']);
$again = $erase();
check('privacy: erasing again finds nothing', false === $again['items_removed'] && $again['done'], wp_json_encode($again));

// No copy of the name, address or phone in any PET table.
$engine->activity([]);
global $wpdb;
$hits = [];
foreach (pet_tables() as $table) {
    $cols = $wpdb->get_col($wpdb->prepare("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s AND DATA_TYPE IN ('char','varchar','text','mediumtext','longtext','tinytext','json')", $table));
    foreach ($cols as $col) {
        foreach (["Kowalczyk$tag", "mira.$tag", '601 234 567', "Quokkamessage$tag", "Mailedmessage$tag", "scan-$tag"] as $needle) {
            // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- names from information_schema
            $n = (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM `$table` WHERE `$col` LIKE %s", '%' . $wpdb->esc_like($needle) . '%'));
            if ($n > 0) {
                $hits[] = "$table.$col~$needle";
            }
        }
    }
}
check('privacy: no PET table holds the erased name, address, phone or her messages', [] === $hits, implode(', ', $hits));
$attached = (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->prefix}pet_mail_attachments WHERE content LIKE %s", '%' . $wpdb->esc_like("Attachedtext$tag") . '%'));
check('privacy: her attachment\'s content is gone', 0 === $attached);
$replies = array_column($hd->getTicket((string) $ticket['id'])['replies'], 'body');
check('privacy: the ticket shows her message erased, the staff reply kept', ['(message erased)', "Staffanswer$tag"] === $replies, wp_json_encode($replies));
check('privacy: search no longer finds her message', 0 === count($hd->listTickets(['search' => "Quokkamessage$tag"])['items']) && 1 === count($hd->listTickets(['search' => "Staffanswer$tag"])['items']));
$v = $engine->verifyChain([]);
check('privacy: the event chain still verifies', true === $v['ok'], wp_json_encode($v));
$lines = array_column($engine->activity(['per_page' => 50])['items'], 'line');
check('privacy: the feed shows the erasure and the placeholder', in_array("Erased person's personal data was erased", $lines, true) && in_array('Erased person joined as an employee, cost rate EUR 55.00/h from 2026-01-01', $lines, true), implode(' | ', array_slice($lines, 0, 8)));
