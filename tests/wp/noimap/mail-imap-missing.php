<?php
// Run by tests/wp/cases/23-mail-imap.php through tests/wp/case.php in a PHP whose imap_open is
// disabled (-d disable_functions=imap_open), as on a server without php8.2-imap, after that
// case set a mailbox up: the poller reports the missing extension instead of failing, the
// administrators' notice and the Email screen say "PHP IMAP extension missing".

use PetWp\Modules\Mail\Mail_Admin;
use PetWp\Modules\Mail\Mail_Poller;
use PetWp\Plugin;

login_admin();
check('without IMAP: the poller knows the extension is missing', !Mail_Poller::available() && Mail_Poller::configured());
$r = Mail_Poller::poll();
check('without IMAP: a poll reports it, no exception', 'error' === $r['status'] && str_contains((string) ($r['error'] ?? ''), 'PHP IMAP extension is missing'), wp_json_encode($r));
ob_start();
(new Mail_Admin(Plugin::instance()))->mailbox_notice();
$notice = (string) ob_get_clean();
check('without IMAP: the administrators\' notice says so', str_contains($notice, 'the PHP IMAP extension is missing'), $notice);
$_POST = [];
$html = render_admin_screen('pet-mail', static fn () => (new Mail_Admin(Plugin::instance()))->page_mail(), []);
check('without IMAP: the Email screen says "PHP IMAP extension missing"', str_contains($html, 'PHP IMAP extension missing'));
