<?php
/**
 * Mail module (issue 17, helpdesk email): notifications go out through wp_mail (so the
 * site's SMTP set-up applies) from the engine's outbox, which the outbox job fills from the
 * event log; the Email screen (how mail is sent, the reply address, the templates, the
 * outbox's dead letters), dead letters on the Jobs screen too, the staff opt-outs on the user
 * profile, the reopen link of the resolution mail, and the reply mailbox's poller (WP-Cron,
 * Mail_Poller) with its settings and status on the Email screen. Holds no business rule: who gets what
 * is the engine's (\Pet\Mail).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Mail;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-mail-sender.php';
require_once __DIR__ . '/class-mail-poller.php';

// WP-Cron: ask for an outbox run every minute (deduplicated by the engine) before the core's
// job runner (priority 10) runs it, then send what is due.
add_action(
	Plugin::CRON_HOOK,
	static function (): void {
		try {
			Mail_Sender::engine()->enqueueOutboxJob();
		} catch ( \Throwable $e ) {
			Plugin::log( 'mail outbox job not enqueued: ' . get_class( $e ) . ': ' . $e->getMessage() );
		}
	},
	5
);
add_action(
	Plugin::CRON_HOOK,
	static function (): void {
		try {
			Mail_Sender::send_due();
		} catch ( \Throwable $e ) {
			Plugin::log( 'mail not sent: ' . get_class( $e ) . ': ' . $e->getMessage() );
		}
	},
	20
);

// WP-Cron: read the reply mailbox (when one is set up) after the mail is sent; a running poll
// keeps the next one out (Mail_Poller's lock).
add_action( Plugin::CRON_HOOK, array( Mail_Poller::class, 'cron' ), 25 );

// The resolution mail's reopen link: for customers, who are not logged in.
add_action( 'admin_post_nopriv_pet_mail_reopen', array( Mail_Sender::class, 'reopen_endpoint' ) );
add_action( 'admin_post_pet_mail_reopen', array( Mail_Sender::class, 'reopen_endpoint' ) );

if ( is_admin() ) {
	require_once __DIR__ . '/class-mail-admin.php';
	$pet_mail_admin = new Mail_Admin( Plugin::instance() );
	$pet_mail_admin->register();
	add_action( 'pet_jobs_screen_after', array( $pet_mail_admin, 'jobs_section' ) );
	add_action( 'show_user_profile', array( $pet_mail_admin, 'profile_fields' ) );
	add_action( 'edit_user_profile', array( $pet_mail_admin, 'profile_fields' ) );
	add_action( 'personal_options_update', array( $pet_mail_admin, 'save_profile' ) );
	add_action( 'edit_user_profile_update', array( $pet_mail_admin, 'save_profile' ) );
	add_action( 'admin_notices', array( $pet_mail_admin, 'mailbox_notice' ) );
}
