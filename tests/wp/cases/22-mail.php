<?php
// Mail module (wp-plugin/includes/modules/mail, issue 17) with a real SMTP catcher (scripts/lib/
// mail.sh, python3-aiosmtpd; the site sends to it through the pet-mail-catcher must-use
// plugin): a new ticket's acknowledgement reaches the customer's contact through wp_mail with
// the ticket number, a signed Reply-To token and Auto-Submitted, and is recorded on the ticket
// (mail.sent in its history); an edited template is used with its values escaped; a failed
// send is kept for a retry with the error; the resolution mail's reopen link shows a button on
// GET (nothing changes), reopens on POST, and a forged link is refused; the Email and Jobs
// screens list templates and dead letters; the template actions need their capability and
// nonce; a staff member's profile opt-out stops their assignment mail.

use PetWp\Modules\Mail\Mail_Admin;
use PetWp\Modules\Mail\Mail_Sender;
use PetWp\Plugin;

$admin = reactivate_pet('mail');
$plugin = Plugin::instance();
$mail = new \Pet\Mail(Plugin::engine_settings());
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$maildir = (string) getenv('PET_MAIL_DIR');
check('the SMTP catcher keeps mail in PET_MAIL_DIR', '' !== $maildir && is_dir($maildir . '/new'), $maildir);
$tag = bin2hex(random_bytes(3));

// Sends everything due (earlier cases' tickets too), in rounds.
$drain = static function () use ($mail): array {
    $total = ['sent' => 0, 'failed' => 0];
    $mail->runOutboxJob();
    for ($i = 0; $i < 50; ++$i) {
        $r = Mail_Sender::send_due(100);
        $total['sent'] += $r['sent'];
        $total['failed'] += $r['failed'];
        if (0 === $r['sent'] + $r['failed']) {
            break;
        }
    }
    return $total;
};
// The caught messages to $to: list of [headers (lower-case names), body, raw].
$caught = static function (string $to) use ($maildir): array {
    $out = [];
    foreach (glob($maildir . '/new/*') ?: [] as $file) {
        $raw = (string) file_get_contents($file);
        [$head, $body] = array_pad(preg_split("/\r?\n\r?\n/", $raw, 2), 2, '');
        $head = (string) preg_replace("/\r?\n[ \t]+/", ' ', $head);
        $headers = [];
        foreach (preg_split("/\r?\n/", $head) as $line) {
            if (str_contains($line, ':')) {
                [$k, $v] = explode(':', $line, 2);
                $headers[strtolower(trim($k))] = trim($v);
            }
        }
        if (str_contains($headers['to'] ?? '', $to)) {
            $enc = strtolower($headers['content-transfer-encoding'] ?? '');
            $decoded = 'quoted-printable' === $enc ? quoted_printable_decode($body) : ('base64' === $enc ? (string) base64_decode($body) : $body);
            $headers['subject'] = iconv_mime_decode($headers['subject'] ?? '', 0, 'UTF-8');
            $out[] = [$headers, $decoded, $raw];
        }
    }
    return $out;
};

$drain();
update_option(Mail_Sender::REPLY_OPTION, 'support@pet.localhost');
$ctx = $plugin->context();
$customer = $plugin->identity()->createCustomer(['name' => "Mailed Ltd $tag"], $ctx);
$withContact = $plugin->identity()->addContact((string) $customer['id'], ['name' => 'Wile <Coyote>', 'email' => "wile-$tag@acme.test"], $ctx);
$contact = (string) $withContact['contacts'][0]['id'];
$t = $hd->createTicket(['customer_id' => (string) $customer['id'], 'subject' => "Printer <b>on fire</b> $tag", 'message' => 'It smokes.', 'contact_id' => $contact], $ctx);
$tid = (string) $t['id'];
$number = (string) $t['number'];
$sent = $drain();
check('the acknowledgement was sent through wp_mail', $sent['sent'] >= 1, wp_json_encode($sent));
$msgs = $caught("wile-$tag@acme.test");
check('the catcher got one message for the contact', 1 === count($msgs), (string) count($msgs));
[$h, $body] = $msgs[0] ?? [[], ''];
check('subject: the ticket number and subject, plain', str_contains($h['subject'] ?? '', "[#$number]") && str_contains($h['subject'] ?? '', "Printer <b>on fire</b> $tag"), $h['subject'] ?? '');
check('body: values escaped', str_contains($body, 'Wile &lt;Coyote&gt;') && !str_contains($body, '<Coyote>') && str_contains($body, '&lt;b&gt;on fire'), $body);
check('marked automatic (Auto-Submitted)', 'auto-generated' === ($h['auto-submitted'] ?? ''));
check('Message-ID names the outbox row', (bool) preg_match('/^<pet\.[0-9a-f]{32}\.1@/', $h['message-id'] ?? ''), $h['message-id'] ?? '');
$token = preg_match('/support\+([0-9a-f]{56})@pet\.localhost/', $h['reply-to'] ?? '', $m) ? $m[1] : '';
check('Reply-To carries the ticket\'s signed token', '' !== $token, $h['reply-to'] ?? '');
check('the token names this ticket', '' !== $token && $tid === $mail->checkReplyToken($token)['ticket_id']);
$forged = '' === $token ? '' : substr($token, 0, 55) . ('0' === substr($token, -1) ? '1' : '0');
try {
    $mail->checkReplyToken($forged);
    check('a forged token is refused', false);
} catch (\Pet\ValidationException $e) {
    check('a forged token is refused', true);
}
$history = $plugin->engine()->activity(['context_type' => 'ticket', 'context_id' => $tid]);
check('mail.sent is on the ticket\'s timeline', str_contains(wp_json_encode($history['items']), 'was sent to the customer'), wp_json_encode($history['items']));
$drain();
check('sent exactly once (a second run sends nothing new)', 1 === count($caught("wile-$tag@acme.test")));

// An edited template, through the screen's action (capability and nonce first).
$form = ['kind' => 'public_reply', 'subject' => 'Answer on {ticket_number}', 'body' => "Hi {recipient_name}:\n{reply_body}"];
login_as_role('pet_support');
check('support: mail_template_save refused with 403', 'die:403' === run_admin_post('mail_template_save', $form));
login_admin();
check('admin, bad nonce: refused with 403', 'die:403' === run_admin_post('mail_template_save', $form, 'bad'));
check('admin, GET: refused with 405', 'die:405' === run_admin_post('mail_template_save', $form, 'valid', 'GET'));
run_admin_post('mail_template_save', ['subject' => 'Hi {reopen_url}'] + $form);
$n = queued_notices();
check('a placeholder of another kind is refused with the reason', str_contains(wp_json_encode($n), 'reopen_url'), wp_json_encode($n));
$_POST = [];
$html = render_admin_screen('pet-mail', static fn () => (new Mail_Admin($plugin))->page_mail(), []);
check('the refused form comes back with its input and the error by the field', str_contains($html, 'value="Hi {reopen_url}"') && str_contains($html, 'pet-template-subject-public_reply-error'));
check('admin: template saved', str_starts_with(run_admin_post('mail_template_save', $form), 'redirect:'));
$hd->replyToTicket($tid, ['body' => "Unplug it. <script>alert(1)</script>"], $plugin->context());
$drain();
$msgs = $caught("wile-$tag@acme.test");
$reply = null;
foreach ($msgs as $msg) {
    if (str_starts_with($msg[0]['subject'], 'Answer on')) {
        $reply = $msg;
    }
}
check('the edited template was used', null !== $reply && "Answer on $number" === $reply[0]['subject'], wp_json_encode(array_map(static fn ($x) => $x[0]['subject'], $msgs)));
check('the reply body is escaped', null !== $reply && str_contains($reply[1], '&lt;script&gt;') && !str_contains($reply[1], '<script>'));

// A failed send: kept for a retry, with the error.
$hd->replyToTicket($tid, ['body' => 'One more thing.'], $plugin->context());
$fail = static fn () => false;
add_filter('pre_wp_mail', $fail);
$mail->runOutboxJob();
$r = Mail_Sender::send_due(100);
remove_filter('pre_wp_mail', $fail);
$failed = $mail->listMail(['status' => 'failed']);
check('a failed send is retried later with its error', $r['failed'] >= 1 && [] !== $failed['items'] && 'wp_mail returned false' === $failed['items'][0]['last_error'], wp_json_encode($failed));

// Resolution with the reopen link.
$hd->changeTicketStatus($tid, 'open', $plugin->context());
$hd->resolveTicket($tid, $plugin->context());
$drain();
$link = '';
foreach ($caught("wile-$tag@acme.test") as $msg) {
    if (preg_match('/href="([^"]*action=pet_mail_reopen[^"]*)"/', $msg[1], $m)) {
        $link = html_entity_decode($m[1]);
    }
}
check('the resolution mail has the reopen link', '' !== $link);
parse_str((string) parse_url($link, PHP_URL_QUERY), $q);
$fields = ['ticket' => (string) ($q['ticket'] ?? ''), 'expires' => (string) ($q['expires'] ?? ''), 'sig' => (string) ($q['sig'] ?? '')];
wp_set_current_user(0);
check('the link (GET) shows the button and changes nothing', 'die:200' === run_admin_post('mail_reopen', $fields, null, 'GET') && 'resolved' === $hd->getTicket($tid)['status']);
check('a forged link is refused', 'die:400' === run_admin_post('mail_reopen', ['sig' => str_repeat('0', 24)] + $fields) && 'resolved' === $hd->getTicket($tid)['status']);
check('the form (POST) reopens the ticket', 'die:200' === run_admin_post('mail_reopen', $fields) && 'open' === $hd->getTicket($tid)['status']);
login_admin();

// Screens.
$screen = static function (string $page, callable $render): string {
    $_POST = [];
    return render_admin_screen($page, $render, []);
};
$html = $screen('pet-mail', static fn () => (new Mail_Admin($plugin))->page_mail());
preg_match_all('/<form[^>]*id="pet-template-form-([a-z_]+)"/', $html, $forms);
check('Email screen: every template with its form', 7 === count(array_unique($forms[1])) && str_contains($html, 'Answer on {ticket_number}'), implode(',', $forms[1]));
check('Email screen: the dead letters section', str_contains($html, 'pet-mail-dead-letters'));

// The contact's reply by email (as the mailbox poller hands it over): added to the ticket
// without the quoted history.
$r = $mail->receiveMail(['message_id' => "<reply-$tag@acme.test>", 'from_email' => "wile-$tag@acme.test", 'subject' => 'Re: printer',
    'body' => "Still smoking $tag.\n\nOn Monday, Support wrote:\n> Unplug it.", 'to' => ["support+$token@pet.localhost"], 'own_addresses' => ['support@pet.localhost']]);
$ticket_json = wp_json_encode($hd->getTicket($tid));
check('the contact\'s emailed reply is on the ticket, quote stripped', 'threaded' === $r['status'] && str_contains($ticket_json, "Still smoking $tag.") && !str_contains($ticket_json, 'On Monday'), wp_json_encode($r));

// A reply by email (as the mailbox poller hands it over) from a stranger with this ticket's
// token: not added, listed for review on the Email screen.
$r = $mail->receiveMail(['message_id' => "<stranger-$tag@evil.test>", 'from_email' => "x-$tag@evil.test", 'subject' => "Re: <i>$tag</i>",
    'body' => 'let me in', 'to' => ["support+$token@pet.localhost"], 'own_addresses' => ['support@pet.localhost']]);
check('a stranger\'s mail with a ticket token goes to review', 'review' === $r['status'] && 'unknown_sender' === $r['reason'], wp_json_encode($r));
$html = $screen('pet-mail', static fn () => (new Mail_Admin($plugin))->page_mail());
check('Email screen: the review list, escaped', str_contains($html, "x-$tag@evil.test") && str_contains($html, "&lt;i&gt;$tag"));
$html = $screen('pet-jobs', static function () {
    (new \PetWp\Admin(Plugin::instance()))->page_jobs();
});
check('Jobs screen: mail dead letters', str_contains($html, 'pet-mail-dead-letters'));

// A staff member's opt-out (profile) stops their assignment mail.
$employee = $plugin->employee_for_user($admin);
$bo_user = wp_insert_user(['user_login' => "bo$tag", 'user_pass' => wp_generate_password(), 'user_email' => "bo-$tag@pet.localhost", 'role' => 'pet_support']);
$bo = $plugin->identity()->createEmployee(['name' => "Bo $tag", 'email' => "bo-$tag@pet.localhost", 'wp_user_id' => $bo_user], $plugin->context());
$_POST = ['_pet_mail_nonce' => wp_create_nonce('pet_mail_optouts'), 'pet_mail_on' => ['', 'customer_reply']];
(new Mail_Admin($plugin))->save_profile($bo_user);
$_POST = [];
check('profile: the opt-outs saved', in_array('assignment', $mail->mailOptouts((string) $bo['id'])['opted_out'], true));
// (Mail already due goes first: a customer reply is mailed to whoever is assigned when the
// outbox job reads it.)
$drain();
$hd->assignTicket($tid, (string) $bo['id'], $plugin->context());
$drain();
check('no assignment mail to an opted-out employee', [] === $caught("bo-$tag@pet.localhost"));
check('the admin is an employee (context of the case)', null !== $employee);
