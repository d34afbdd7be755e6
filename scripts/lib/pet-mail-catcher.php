<?php
/**
 * Plugin Name: PET local mail catcher
 * Description: Sends this local site's mail to the SMTP catcher scripts/lib/mail.sh started
 * (127.0.0.1:PET_SMTP_PORT, no authentication, no TLS). Linked into wp-content/mu-plugins by
 * scripts/lib/wordpress.sh for the test and run sites only.
 *
 * @package PetWp
 */

defined( 'ABSPATH' ) || exit;

if ( defined( 'PET_SMTP_PORT' ) ) {
	add_action(
		'phpmailer_init',
		static function ( $phpmailer ): void {
			// phpcs:disable WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase -- PHPMailer's properties.
			$phpmailer->isSMTP();
			$phpmailer->Host        = '127.0.0.1';
			$phpmailer->Port        = (int) PET_SMTP_PORT;
			$phpmailer->SMTPAuth    = false;
			$phpmailer->SMTPAutoTLS = false;
			// phpcs:enable WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase
		}
	);
	// The local site's host is an IP address, which no mail From may name.
	add_filter( 'wp_mail_from', static fn (): string => 'wordpress@pet.localhost' );
}

// The run site's reply mailbox (scripts/run: the local dovecot, user support): until an
// administrator sets another reply address, replies go to support+token@pet.localhost, which
// scripts/mail-reply drops into that mailbox.
if ( defined( 'PET_MAIL_IMAP_HOST' ) ) {
	add_filter( 'default_option_pet_mail_reply_address', static fn (): string => 'support@pet.localhost' );
}
