<?php
// Replies by email through a real mailbox (issue 17): the local dovecot scripts/test starts
// (scripts/lib/mail.sh; env PET_IMAP_PORT, PET_IMAP_PASSWORD), messages put in with
// imap_append, read by the plugin's poller (Mail_Poller, PHP's IMAP functions over TLS) and
// handed to the engine. The mailbox settings through the Email screen's actions (capability,
// nonce; the password stored encrypted), Test connection (verify on refuses the self-signed
// certificate; IMAPS and STARTTLS); a reply with a valid token threads onto its ticket (text
// without the quoted history, charset converted, the attachment kept), an HTML-only reply
// becomes text, an auto-reply and loops (X-PET-Mail, our own address) are ignored, a forged
// token, an unknown sender and another customer's ticket go to review, a known contact's new
// message opens a ticket, the same message twice is taken once (also after a poll that
// crashed before flagging it), a message the engine refuses does not stop the others; read
// messages are flagged \Seen; a connection failure shows a notice and the status on the
// Email screen and loses nothing; overlapping polls are kept out; wp-config constants
// override the settings.

use PetWp\Modules\Mail\Mail_Admin;
use PetWp\Modules\Mail\Mail_Poller;
use PetWp\Modules\Mail\Mail_Sender;
use PetWp\Plugin;

$admin = reactivate_pet('mail-imap');
$plugin = Plugin::instance();
$mail = new \Pet\Mail(Plugin::engine_settings());
$hd = new \Pet\Helpdesk(Plugin::engine_settings());
$port = (int) getenv('PET_IMAP_PORT');
$pass = (string) getenv('PET_IMAP_PASSWORD');
$maildir = (string) getenv('PET_MAIL_DIR');
check('the local IMAP mailbox is given (PET_IMAP_PORT, PET_IMAP_PASSWORD)', $port > 0 && '' !== $pass);
check('PHP\'s IMAP extension is loaded', Mail_Poller::available());
$tag = bin2hex(random_bytes(3));

$ref = "{127.0.0.1:$port/imap/ssl/novalidate-cert}INBOX";
$box = imap_open($ref, 'support', $pass, 0, 1);
check('the test opens the mailbox itself', false !== $box, implode('; ', (array) imap_errors()));
// A message from header lines and a body (LF line ends made CRLF).
$append = static function (array $headers, string $body) use ($box, $ref): void {
    $raw = '';
    foreach ($headers as $k => $v) {
        $raw .= "$k: $v\r\n";
    }
    $raw .= "\r\n" . str_replace("\n", "\r\n", str_replace("\r\n", "\n", $body));
    imap_append($box, $ref, $raw);
};
$unseen = static function () use ($box): int {
    imap_check($box); // see the poller's changes
    $u = imap_search($box, 'UNSEEN', SE_UID);
    return is_array($u) ? count($u) : 0;
};
$results = static function (array $poll): array {
    $by = [];
    foreach ($poll['results'] as $r) {
        $by[(string) ($r['message_id'] ?? ('uid:' . $r['uid']))] = $r;
    }
    return $by;
};

// ---- settings through the Email screen's actions ---------------------------------------------
$form = ['imap_host' => '127.0.0.1', 'imap_port' => (string) $port, 'imap_encryption' => 'ssl', 'imap_verify' => '1',
    'imap_user' => 'support', 'imap_password' => $pass, 'imap_folder' => 'INBOX'];
login_as_role('pet_support');
check('support: mail_mailbox_save refused with 403', 'die:403' === run_admin_post('mail_mailbox_save', $form));
check('support: mail_mailbox_poll refused with 403', 'die:403' === run_admin_post('mail_mailbox_poll', []));
login_admin();
check('admin, bad nonce: mail_mailbox_save refused with 403', 'die:403' === run_admin_post('mail_mailbox_save', $form, 'bad'));
check('admin, GET: mail_mailbox_test refused with 405', 'die:405' === run_admin_post('mail_mailbox_test', [], 'valid', 'GET'));
check('nothing saved by the refused requests', false === get_option(Mail_Poller::OPTION));
queued_notices();
run_admin_post('mail_mailbox_save', ['imap_port' => '99999', 'imap_host' => 'bad host!'] + $form);
$n = queued_notices();
check('a bad port and host are refused with the reasons, nothing saved', false === get_option(Mail_Poller::OPTION) && 'error' === ($n[0]['type'] ?? ''), wp_json_encode($n));
check('admin: mailbox settings saved', str_starts_with(run_admin_post('mail_mailbox_save', $form), 'redirect:'));
$stored = get_option(Mail_Poller::OPTION);
check('the password is stored encrypted, never in clear', is_array($stored) && str_starts_with((string) $stored['password_sealed'], 'v1:') && !str_contains(wp_json_encode($stored), $pass), wp_json_encode($stored));
check('the stored password opens to the one typed', $pass === Mail_Poller::config()['password']);
queued_notices();
run_admin_post('mail_mailbox_test', []);
$n = queued_notices();
check('Test connection with certificate verification on: refused, the reason shown', 'error' === ($n[0]['type'] ?? '') && str_contains(strtolower((string) $n[0]['message']), 'certificate'), wp_json_encode($n));
unset($form['imap_verify']);
$form['imap_password'] = '';
run_admin_post('mail_mailbox_save', $form);
check('saving with an empty password keeps the stored one', $pass === Mail_Poller::config()['password'] && false === Mail_Poller::config()['verify']);
queued_notices();
run_admin_post('mail_mailbox_test', []);
$n = queued_notices();
check('Test connection (IMAPS, self-signed certificate trusted): connected', 'success' === ($n[0]['type'] ?? '') && str_contains((string) $n[0]['message'], 'Connected'), wp_json_encode($n));
run_admin_post('mail_mailbox_save', ['imap_encryption' => 'starttls', 'imap_port' => (string) ($port + 1)] + $form);
queued_notices();
run_admin_post('mail_mailbox_test', []);
$n = queued_notices();
check('Test connection (STARTTLS on the next port): connected', 'success' === ($n[0]['type'] ?? ''), wp_json_encode($n));
run_admin_post('mail_mailbox_save', $form);
queued_notices();

// ---- the people and a ticket with its reply token ----------------------------------------------
update_option(Mail_Sender::REPLY_OPTION, 'support@pet.localhost');
$ctx = $plugin->context();
$acme = $plugin->identity()->createCustomer(['name' => "Imap Acme $tag"], $ctx);
$wile = "wile-$tag@acme.test";
$acme = $plugin->identity()->addContact((string) $acme['id'], ['name' => 'Wile', 'email' => $wile], $ctx);
$other = $plugin->identity()->createCustomer(['name' => "Imap Other $tag"], $ctx);
$bob = "bob-$tag@other.test";
$plugin->identity()->addContact((string) $other['id'], ['name' => 'Bob', 'email' => $bob], $ctx);
$t = $hd->createTicket(['customer_id' => (string) $acme['id'], 'subject' => "Imap printer $tag", 'message' => 'It jams.',
    'contact_id' => (string) $acme['contacts'][0]['id']], $ctx);
$tid = (string) $t['id'];
// The acknowledgement's Reply-To carries the token (sent through the catcher).
$mail->runOutboxJob();
$rounds = 0;
while ($rounds < 50 && 0 < array_sum(Mail_Sender::send_due(100))) {
    ++$rounds;
}
$token = '';
foreach (glob($maildir . '/new/*') ?: [] as $file) {
    $raw = (string) file_get_contents($file);
    if (str_contains($raw, $wile) && preg_match('/support\+([0-9a-f]{56})@pet\.localhost/', $raw, $m)) {
        $token = $m[1];
    }
}
check('the acknowledgement carried the ticket\'s reply token', '' !== $token && $tid === $mail->checkReplyToken($token)['ticket_id']);
$to = "support+$token@pet.localhost";
$forged = substr($token, 0, 50) . ('000000' === substr($token, -6) ? '111111' : '000000');

// ---- one batch of messages -------------------------------------------------------------------
$png = base64_decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==');
$b1 = "b1-$tag";
$b2 = "b2-$tag";
$reply = [
    ['From' => "Wile <$wile>", 'To' => $to, 'Subject' => "Re: Imap printer $tag", 'Message-ID' => "<reply-$tag@acme.test>",
        'MIME-Version' => '1.0', 'Content-Type' => "multipart/mixed; boundary=\"$b1\""],
    "--$b1\nContent-Type: multipart/alternative; boundary=\"$b2\"\n\n"
    . "--$b2\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
    . "Caf=E9 $tag: still jammed.\n\nOn Mon, 1 Dec 2026, Support wrote:\n> Try turning it off.\n"
    . "--$b2\nContent-Type: text/html; charset=UTF-8\n\n<p>HTML version $tag</p>\n--$b2--\n"
    . "--$b1\nContent-Type: image/png; name=\"shot-$tag.png\"\nContent-Disposition: attachment; filename=\"shot-$tag.png\"\n"
    . "Content-Transfer-Encoding: base64\n\n" . chunk_split(base64_encode($png)) . "--$b1--\n"
];
$append(...$reply);
$append(
    ['From' => $wile, 'To' => $to, 'Subject' => '=?UTF-8?B?' . base64_encode("Re: Ünïcode $tag") . '?=', 'Message-ID' => "<html-$tag@acme.test>",
        'MIME-Version' => '1.0', 'Content-Type' => 'text/html; charset=UTF-8', 'Content-Transfer-Encoding' => 'base64'],
    chunk_split(base64_encode("<div>Only HTML &amp; more $tag<br>second line</div><blockquote>quoted old text $tag</blockquote>"))
);
$append(['From' => $wile, 'To' => $to, 'Subject' => 'Out of office', 'Message-ID' => "<auto-$tag@acme.test>", 'Auto-Submitted' => 'auto-replied'],
    "I am away $tag.");
$append(['From' => $wile, 'To' => $to, 'Subject' => 'Re: loop', 'Message-ID' => "<loop-$tag@acme.test>", 'X-PET-Mail' => 'pet.1'],
    "Bounced back $tag.");
$append(['From' => 'support@pet.localhost', 'To' => $to, 'Subject' => 'own', 'Message-ID' => "<own-$tag@pet.localhost>"],
    "Our own mail $tag.");
$append(['From' => $wile, 'To' => "support+$forged@pet.localhost", 'Subject' => 'forged', 'Message-ID' => "<forged-$tag@acme.test>"],
    "Forged token $tag.");
$append(['From' => "stranger-$tag@nowhere.test", 'To' => 'support@pet.localhost', 'Subject' => 'who am I', 'Message-ID' => "<unknown-$tag@nowhere.test>"],
    "Unknown sender $tag.");
$append(['From' => $bob, 'To' => $to, 'Subject' => 'not mine', 'Message-ID' => "<other-$tag@other.test>"],
    "Other customer $tag.");
$append(['Subject' => 'no sender at all', 'Message-ID' => "<nofrom-$tag@nowhere.test>"], "Nobody $tag.");
$append(['From' => "Wile <$wile>", 'To' => 'support@pet.localhost', 'Subject' => "New problem $tag", 'Message-ID' => "<new-$tag@acme.test>"],
    "The scanner is broken too $tag.");
// The first message again (a second delivery of it): the same Message-ID.
$append(...$reply);
check('eleven messages waiting unseen', 11 === $unseen(), (string) $unseen());

// A poll that crashed after the engine took a message but before flagging it: the message
// stays unseen; the next poll hands it over again (see below).
imap_check($box);
$crash_uid = 0;
foreach ((array) imap_search($box, 'UNSEEN', SE_UID) as $u) {
    if (str_contains((string) imap_fetchheader($box, $u, FT_UID), "<new-$tag@acme.test>")) {
        $crash_uid = (int) $u;
    }
}
$crashed = Mail_Poller::read($box, $crash_uid);
unset($crashed['dropped']);
$first = $mail->receiveMail($crashed + ['own_addresses' => Mail_Poller::own_addresses()]);
check('reading a message (FT_PEEK) leaves it unseen', 11 === $unseen());

// The poll, through the screen's Poll now.
$before = Mail_Poller::last();
queued_notices();
check('admin: Poll now runs', str_starts_with(run_admin_post('mail_mailbox_poll', []), 'redirect:'));
$n = queued_notices();
check('Poll now reports what it read', 'success' === ($n[0]['type'] ?? '') && str_contains((string) $n[0]['message'], '11 messages'), wp_json_encode($n));
$last = Mail_Poller::last();
check('the last poll is recorded', 'ok' === ($last['status'] ?? '') && 11 === (int) $last['read'], wp_json_encode($last));
// The same poll's per-message results, by a direct poll of what is left (nothing), and the
// engine's inbox for each Message-ID.
$inbox = [];
foreach (['threaded', 'opened', 'ignored', 'review'] as $status) {
    foreach ($mail->listInbox(['status' => $status, 'per_page' => 100])['items'] as $row) {
        $inbox[(string) $row['subject']][] = $row;
    }
}
global $wpdb;
$row_of = static function (string $message_id) use ($wpdb): ?array {
    $table = $wpdb->prefix . 'pet_mail_inbox';
    return $wpdb->get_row($wpdb->prepare("SELECT id, status, reason, ticket_id, body FROM {$table} WHERE message_id = %s", $message_id), ARRAY_A); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
};
$ticket_json = wp_json_encode($hd->getTicket($tid));
$r = $row_of("<reply-$tag@acme.test>");
check('a reply with a valid token threads onto its ticket', null !== $r && 'threaded' === $r['status'] && $tid === $r['ticket_id'], wp_json_encode($r));
check('text/plain preferred, ISO-8859-1 converted to UTF-8, quoted history stripped',
    str_contains($ticket_json, trim((string) wp_json_encode("Café $tag: still jammed."), '"'))
    && !str_contains($ticket_json, 'Try turning it off') && !str_contains($ticket_json, "HTML version $tag"), $ticket_json);
check('the same message twice (one Message-ID) is on the ticket once', 1 === substr_count($ticket_json, "$tag: still jammed"), $ticket_json);
$att = null === $r ? null : $wpdb->get_row($wpdb->prepare("SELECT filename, mime_type, size, content FROM {$wpdb->prefix}pet_mail_attachments WHERE inbox_id = %s", $r['id']), ARRAY_A); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
check('the attachment is kept (name, type, the same bytes)', null !== $att && "shot-$tag.png" === $att['filename'] && 'image/png' === $att['mime_type'] && $png === $att['content'], wp_json_encode(null === $att ? null : ['filename' => $att['filename'], 'mime' => $att['mime_type'], 'size' => $att['size']]));
$r = $row_of("<html-$tag@acme.test>");
check('an HTML-only reply is threaded as text, its blockquote stripped, its subject decoded',
    null !== $r && 'threaded' === $r['status'] && str_contains($ticket_json, "Only HTML & more $tag") && str_contains($ticket_json, 'second line')
    && !str_contains($ticket_json, "quoted old text $tag") && !str_contains($ticket_json, '<div>') && isset($inbox["Re: Ünïcode $tag"]), $ticket_json);
$r = $row_of("<auto-$tag@acme.test>");
check('an auto-reply is ignored', null !== $r && 'ignored' === $r['status'] && !str_contains($ticket_json, "I am away $tag"), wp_json_encode($r));
$r = $row_of("<loop-$tag@acme.test>");
check('PET\'s own mail coming back (X-PET-Mail) is ignored', null !== $r && 'ignored' === $r['status'], wp_json_encode($r));
$r = $row_of("<own-$tag@pet.localhost>");
check('mail from the mailbox\'s own address is ignored', null !== $r && 'ignored' === $r['status'], wp_json_encode($r));
$r = $row_of("<forged-$tag@acme.test>");
check('a forged token goes to review', null !== $r && 'review' === $r['status'] && 'forged_token' === $r['reason'], wp_json_encode($r));
$r = $row_of("<unknown-$tag@nowhere.test>");
check('an unknown sender goes to review', null !== $r && 'review' === $r['status'] && 'unknown_sender' === $r['reason'], wp_json_encode($r));
$r = $row_of("<other-$tag@other.test>");
check('another customer\'s ticket goes to review', null !== $r && 'review' === $r['status'] && 'other_customer' === $r['reason'] && !str_contains($ticket_json, "Other customer $tag"), wp_json_encode($r));
$r = $row_of("<new-$tag@acme.test>");
check('a known contact\'s new message opens a ticket', null !== $r && 'opened' === $r['status'] && null !== $r['ticket_id']
    && str_contains(wp_json_encode($hd->getTicket((string) $r['ticket_id'])), "The scanner is broken too $tag"), wp_json_encode($r));
check('the message the crashed poll had given the engine is taken once (the same ticket)', null !== $r && ($first['ticket_id'] ?? '') === $r['ticket_id'], wp_json_encode($first));
check('a message the engine refuses (no sender) is counted, not in the inbox, and the others were taken', null === $row_of("<nofrom-$tag@nowhere.test>") && 1 === (int) $last['refused'], wp_json_encode($last));
check('every message is flagged \\Seen now', 0 === $unseen(), (string) $unseen());
imap_check($box);
$flagged = imap_search($box, 'FLAGGED', SE_UID);
check('the refused message is flagged for a person to look at', is_array($flagged) && 1 === count($flagged));
$again = Mail_Poller::poll();
check('the next poll reads nothing again', 'ok' === $again['status'] && 0 === $again['read'], wp_json_encode($again));

// ---- a connection failure: a notice and the status, nothing lost ------------------------------
$append(['From' => $wile, 'To' => $to, 'Subject' => 'during the outage', 'Message-ID' => "<late-$tag@acme.test>"], "Sent during the outage $tag.");
run_admin_post('mail_mailbox_save', ['imap_password' => 'wrong-' . $tag] + $form);
$failed = Mail_Poller::poll();
check('a poll that cannot log in reports the error', 'error' === $failed['status'] && '' !== (string) ($failed['error'] ?? '') && !str_contains((string) $failed['error'], 'wrong-' . $tag), wp_json_encode($failed));
ob_start();
(new Mail_Admin($plugin))->mailbox_notice();
$notice = (string) ob_get_clean();
check('an admin notice says the mailbox could not be read', str_contains($notice, 'could not read the reply mailbox') && str_contains($notice, 'pet-mailbox'), $notice);
$_POST = [];
$html = render_admin_screen('pet-mail', static fn () => (new Mail_Admin($plugin))->page_mail(), []);
check('the Email screen shows the failed check and the last good one', str_contains($html, 'failed:') && str_contains($html, 'Last successful check'), '');
check('the Email screen never shows the password', !str_contains($html, $pass) && !str_contains($html, (string) get_option(Mail_Poller::OPTION)['password_sealed']));
check('the message that came during the outage is still unseen', 1 === $unseen());
login_as_role('pet_support');
ob_start();
(new Mail_Admin($plugin))->mailbox_notice();
check('support staff get no mailbox notice', '' === (string) ob_get_clean());
login_admin();
run_admin_post('mail_mailbox_save', ['imap_password' => $pass] + $form);
$ok = Mail_Poller::poll();
$r = $row_of("<late-$tag@acme.test>");
check('after the fix the next poll takes it', 'ok' === $ok['status'] && 1 === $ok['read'] && null !== $r && 'threaded' === $r['status'], wp_json_encode($ok));
ob_start();
(new Mail_Admin($plugin))->mailbox_notice();
check('the notice is gone after a good poll', '' === (string) ob_get_clean());

// Port closed (nothing listens): an error too, not a hang or an exception.
run_admin_post('mail_mailbox_save', ['imap_port' => '1'] + $form);
$down = Mail_Poller::poll();
check('a server that does not answer is an error status', 'error' === $down['status'], wp_json_encode($down));
run_admin_post('mail_mailbox_save', $form);

// ---- overlapping polls are kept out ----------------------------------------------------------
add_option(Mail_Poller::LOCK_OPTION, (string) (time() + 60), '', false);
check('a poll while another runs does nothing', 'busy' === Mail_Poller::poll()['status']);
update_option(Mail_Poller::LOCK_OPTION, (string) (time() - 1), false);
check('a lock past its time (a crashed poll) is taken over', 'ok' === Mail_Poller::poll()['status']);
check('the lock is released after a poll', false === get_option(Mail_Poller::LOCK_OPTION));

// ---- the cron hook polls; wp-config constants override the settings ---------------------------
// (The token only in Delivered-To, as a server that rewrites To leaves it.)
$append(['From' => $wile, 'To' => 'support@pet.localhost', 'Delivered-To' => $to, 'Subject' => 'by cron', 'Message-ID' => "<cron-$tag@acme.test>"],
    "Read by the cron job $tag.");
do_action(Plugin::CRON_HOOK);
$r = $row_of("<cron-$tag@acme.test>");
check('the every-minute cron hook reads the mailbox (the token found in Delivered-To)', null !== $r && 'threaded' === $r['status'] && $tid === $r['ticket_id'], wp_json_encode($r));
run_admin_post('mail_mailbox_save', ['imap_folder' => 'Nowhere'] + $form);
define('PET_MAIL_IMAP_FOLDER', 'INBOX');
check('a constant overrides the stored setting', 'INBOX' === Mail_Poller::config()['folder'] && ['folder' => 'PET_MAIL_IMAP_FOLDER'] === Mail_Poller::overridden());
check('… and the poll uses it', 'ok' === Mail_Poller::poll()['status']);
$_POST = [];
$html = render_admin_screen('pet-mail', static fn () => (new Mail_Admin($plugin))->page_mail(), []);
check('the Email screen names the constant', str_contains($html, 'Set by PET_MAIL_IMAP_FOLDER in wp-config.php'));
check('the Email screen has Test connection and Poll now', str_contains($html, 'id="pet-mailbox-test"') && str_contains($html, 'id="pet-mailbox-poll"'));

imap_close($box);

// ---- a PHP without the IMAP extension (imap_open disabled): tests/wp/noimap, relayed here -------
$proc = proc_open(
    [PHP_BINARY, '-d', 'display_errors=stderr', '-d', 'disable_functions=imap_open', '-d', 'extension=' . getenv('PET_EXT'),
        dirname(__DIR__) . '/case.php', untrailingslashit(ABSPATH), dirname(__DIR__) . '/noimap/mail-imap-missing.php'],
    [1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
    $pipes
);
$out = (string) stream_get_contents($pipes[1]);
$err = (string) stream_get_contents($pipes[2]);
fclose($pipes[1]);
fclose($pipes[2]);
proc_close($proc);
$relayed = 0;
foreach (explode("\n", $out) as $line) {
    if (preg_match('/^(PASS|FAIL) (.*)$/', $line, $m)) {
        ++$relayed;
        check($m[2], 'PASS' === $m[1]);
    }
}
check('the case without IMAP ran to its end (4 checks)', 4 === $relayed && str_contains($out, 'CASE-DONE'), $out . $err);

// Later cases run without a mailbox.
delete_option(Mail_Poller::OPTION);
delete_option(Mail_Poller::STATUS_OPTION);
