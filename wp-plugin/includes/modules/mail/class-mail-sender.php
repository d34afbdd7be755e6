<?php
/**
 * Sends the engine's claimed notifications through wp_mail: the template (the site's edited
 * one, else the translated default), its placeholders replaced by escaped values, in the
 * site's language; headers that mark the mail automatic and thread replies (Reply-To with the
 * ticket's signed token when a reply address is set, Message-ID); each send answered to the
 * engine as sent (recorded on the ticket) or failed (retried with back-off, then a dead
 * letter). Also serves the reopen link.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Mail;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Rendering and sending of notifications.
 */
final class Mail_Sender {

	/** Option: the address replies go to (its plus-part carries the ticket's token). */
	public const REPLY_OPTION = 'pet_mail_reply_address';

	/** @var \Pet\Mail|null the request's mail API */
	private static $engine = null;

	/** The engine's mail API (sharing the engine's connection pool). */
	public static function engine(): \Pet\Mail {
		if ( null === self::$engine ) {
			self::$engine = new \Pet\Mail( Plugin::engine_settings() );
		}
		return self::$engine;
	}

	/**
	 * The default templates, translated into the current locale: kind => [subject, body].
	 *
	 * @return array<string,array{0:string,1:string}>
	 */
	public static function defaults(): array {
		return array(
			'acknowledgement' => array(
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( '[#{ticket_number}] We received your request: {ticket_subject}', 'pet' ),
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( "Hello {recipient_name},\n\nThank you for contacting {site_name}. Your request has been received as ticket #{ticket_number}: {ticket_subject}.\n\nReply to this email to add to it.", 'pet' ),
			),
			'public_reply'    => array(
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( 'Re: [#{ticket_number}] {ticket_subject}', 'pet' ),
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( "Hello {recipient_name},\n\n{reply_body}\n\nReply to this email to answer.", 'pet' ),
			),
			'resolution'      => array(
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( '[#{ticket_number}] Resolved: {ticket_subject}', 'pet' ),
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( "Hello {recipient_name},\n\nWe have resolved ticket #{ticket_number}: {ticket_subject}.\n\nIf the problem is not solved, reopen the ticket: {reopen_url}", 'pet' ),
			),
			'assignment'      => array(
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( '[#{ticket_number}] Assigned to you: {ticket_subject}', 'pet' ),
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( "Hello {recipient_name},\n\nTicket #{ticket_number} ({ticket_subject}) is now assigned to you.", 'pet' ),
			),
			'customer_reply'  => array(
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( '[#{ticket_number}] The customer replied: {ticket_subject}', 'pet' ),
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( "Hello {recipient_name},\n\nThe customer replied on ticket #{ticket_number}:\n\n{reply_body}", 'pet' ),
			),
			'sla_warning'     => array(
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( '[#{ticket_number}] SLA warning ({sla_target}): {ticket_subject}', 'pet' ),
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( "Hello {recipient_name},\n\nThe {sla_target} target of ticket #{ticket_number} ({ticket_subject}) is close.", 'pet' ),
			),
			'sla_breach'      => array(
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( '[#{ticket_number}] SLA breached ({sla_target}): {ticket_subject}', 'pet' ),
				/* translators: placeholders in braces are replaced when the mail is sent; keep them as they are. */
				__( "Hello {recipient_name},\n\nThe {sla_target} target of ticket #{ticket_number} ({ticket_subject}) was missed.", 'pet' ),
			),
		);
	}

	/**
	 * The reopen link of a resolution mail.
	 *
	 * @param array $reopen ['ticket_id','expires','sig'] from the engine.
	 */
	public static function reopen_url( array $reopen ): string {
		return add_query_arg(
			array(
				'action'  => 'pet_mail_reopen',
				'ticket'  => rawurlencode( (string) ( $reopen['ticket_id'] ?? '' ) ),
				'expires' => (int) ( $reopen['expires'] ?? 0 ),
				'sig'     => rawurlencode( (string) ( $reopen['sig'] ?? '' ) ),
			),
			admin_url( 'admin-post.php' )
		);
	}

	/**
	 * Renders a claimed message: [subject (one line, plain), body (HTML, every value escaped)].
	 *
	 * @param array $m Outgoing mail from \Pet\Mail::claimOutgoing().
	 * @return array{0:string,1:string}
	 */
	public static function render( array $m ): array {
		$kind     = (string) $m['kind'];
		$defaults = self::defaults();
		$template = is_array( $m['template'] ?? null )
			? array( (string) $m['template']['subject'], (string) $m['template']['body'] )
			: ( $defaults[ $kind ] ?? array( '{ticket_subject}', '{ticket_subject}' ) );
		$vars     = is_array( $m['vars'] ?? null ) ? $m['vars'] : array();
		$values   = array(
			'{site_name}' => wp_specialchars_decode( (string) get_option( 'blogname' ), ENT_QUOTES ),
		);
		foreach ( array( 'ticket_number', 'ticket_subject', 'recipient_name', 'reply_body', 'sla_target' ) as $k ) {
			$values[ '{' . $k . '}' ] = (string) ( $vars[ $k ] ?? '' );
		}
		$reopen = isset( $vars['reopen'] ) && is_array( $vars['reopen'] ) ? self::reopen_url( $vars['reopen'] ) : '';
		// The subject: plain text (not HTML: shown as written) on one line.
		$subject = strtr( $template[0], $values + array( '{reopen_url}' => $reopen ) );
		$subject = trim( (string) preg_replace( '/[\x00-\x1f\x7f]+/', ' ', $subject ) );
		// The body: the template's text escaped, then each placeholder's escaped value.
		$html = array();
		foreach ( $values as $k => $v ) {
			$html[ esc_html( $k ) ] = '{reply_body}' === $k ? nl2br( esc_html( $v ) ) : esc_html( $v );
		}
		$html[ esc_html( '{reopen_url}' ) ] = '' === $reopen ? '' : '<a href="' . esc_url( $reopen ) . '">' . esc_html( $reopen ) . '</a>';
		$body                               = wpautop( strtr( esc_html( $template[1] ), $html ) );
		return array( $subject, $body );
	}

	/**
	 * The Reply-To address for a ticket's token (the reply address with a plus-part), or ''
	 * when no reply address is set.
	 *
	 * @param string $token The ticket's reply token.
	 */
	public static function reply_to( string $token ): string {
		$address = (string) get_option( self::REPLY_OPTION, '' );
		if ( ! is_email( $address ) || ! preg_match( '/^[a-f0-9]+$/', $token ) ) {
			return '';
		}
		list( $local, $domain ) = explode( '@', $address, 2 );
		return $local . '+' . $token . '@' . $domain;
	}

	/**
	 * Claims and sends due messages (WP-Cron, every minute): {sent, failed}.
	 *
	 * @param int $limit At most this many messages.
	 * @return array{sent:int,failed:int}
	 */
	public static function send_due( int $limit = 20 ): array {
		$out    = array(
			'sent'   => 0,
			'failed' => 0,
		);
		$engine = self::engine();
		$items  = (array) ( $engine->claimOutgoing( array( 'limit' => $limit ) )['items'] ?? array() );
		if ( array() === $items ) {
			return $out;
		}
		$switched = switch_to_locale( get_locale() );
		try {
			foreach ( $items as $m ) {
				if ( self::send_one( $m ) ) {
					++$out['sent'];
				} else {
					++$out['failed'];
				}
			}
		} finally {
			if ( $switched ) {
				restore_previous_locale();
			}
		}
		return $out;
	}

	/**
	 * Sends one claimed message and answers the engine; true when sent.
	 *
	 * @param array $m Outgoing mail.
	 */
	private static function send_one( array $m ): bool {
		$engine = self::engine();
		$id     = (string) $m['id'];
		$try    = (int) $m['attempt'];
		try {
			list( $subject, $body ) = self::render( $m );
		} catch ( \Throwable $e ) {
			$engine->mailFailed( $id, $try, 'render: ' . $e->getMessage() );
			return false;
		}
		$headers  = array(
			'Content-Type: text/html; charset=UTF-8',
			'Auto-Submitted: auto-generated',
			'X-PET-Mail: ' . $id,
		);
		$reply_to = self::reply_to( (string) $m['reply_token'] );
		if ( '' !== $reply_to ) {
			$headers[] = 'Reply-To: ' . $reply_to;
		}
		$host       = (string) wp_parse_url( home_url(), PHP_URL_HOST );
		$message_id = '<' . preg_replace( '/[^A-Za-z0-9.]/', '', (string) $m['message_id'] ) . '@' . ( '' === $host ? 'localhost' : $host ) . '>';
		$error      = '';
		$on_init    = static function ( $phpmailer ) use ( $message_id ): void {
			$phpmailer->MessageID = $message_id; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase -- PHPMailer's property.
		};
		$on_fail    = static function ( $wp_error ) use ( &$error ): void {
			$error = is_wp_error( $wp_error ) ? $wp_error->get_error_message() : 'wp_mail failed';
		};
		add_action( 'phpmailer_init', $on_init );
		add_action( 'wp_mail_failed', $on_fail );
		try {
			$ok = wp_mail( (string) $m['to'], $subject, $body, $headers );
		} finally {
			remove_action( 'phpmailer_init', $on_init );
			remove_action( 'wp_mail_failed', $on_fail );
		}
		try {
			if ( $ok ) {
				$engine->mailSent( $id, $try, $subject );
				return true;
			}
			$engine->mailFailed( $id, $try, '' === $error ? 'wp_mail returned false' : $error );
		} catch ( \Pet\ConflictException $e ) {
			// The claim expired and was taken over: the other sender answers for it.
			Plugin::log( 'mail ' . $id . ': ' . $e->getMessage() );
		}
		return false;
	}

	/**
	 * The reopen link (admin-post.php?action=pet_mail_reopen, logged in or not): a GET shows
	 * a button (a followed or prefetched link changes nothing), its POST reopens the ticket
	 * when the engine accepts the link's signature and expiry.
	 */
	public static function reopen_endpoint(): void {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- the link is signed; the POST is checked below.
		$ticket  = isset( $_REQUEST['ticket'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['ticket'] ) ) : '';
		$expires = isset( $_REQUEST['expires'] ) ? (int) $_REQUEST['expires'] : 0;
		$sig     = isset( $_REQUEST['sig'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['sig'] ) ) : '';
		// phpcs:enable WordPress.Security.NonceVerification.Recommended
		$title = __( 'Reopen your ticket', 'pet' );
		if ( 'POST' !== ( isset( $_SERVER['REQUEST_METHOD'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) : '' ) ) {
			$form  = '<p>' . esc_html__( 'Is the problem not solved? Reopen the ticket and we will look at it again.', 'pet' ) . '</p>';
			$form .= '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
			foreach (
				array(
					'action'  => 'pet_mail_reopen',
					'ticket'  => $ticket,
					'expires' => (string) $expires,
					'sig'     => $sig,
				) as $k => $v
			) {
				$form .= '<input type="hidden" name="' . esc_attr( $k ) . '" value="' . esc_attr( $v ) . '">';
			}
			$form .= wp_nonce_field( 'pet_mail_reopen', '_wpnonce', false, false );
			$form .= '<button type="submit" class="button">' . esc_html__( 'Reopen the ticket', 'pet' ) . '</button></form>';
			$allowed = array(
				'p'      => array(),
				'form'   => array(
					'method' => true,
					'action' => true,
				),
				'input'  => array(
					'type'  => true,
					'name'  => true,
					'value' => true,
					'id'    => true,
				),
				'button' => array(
					'type'  => true,
					'class' => true,
				),
			);
			wp_die( wp_kses( $form, $allowed ), esc_html( $title ), array( 'response' => 200 ) );
		}
		if ( ! isset( $_POST['_wpnonce'] ) || ! wp_verify_nonce( sanitize_text_field( wp_unslash( $_POST['_wpnonce'] ) ), 'pet_mail_reopen' ) ) {
			wp_die( esc_html__( 'The form has expired. Open the link from the email again.', 'pet' ), esc_html( $title ), array( 'response' => 403 ) );
		}
		try {
			self::engine()->reopenByLink( $ticket, $expires, $sig );
			wp_die( esc_html__( 'The ticket is open again. We will be in touch.', 'pet' ), esc_html( $title ), array( 'response' => 200 ) );
		} catch ( \Pet\ValidationException $e ) {
			wp_die( esc_html__( 'This link is not valid or has expired. Reply to the email instead.', 'pet' ), esc_html( $title ), array( 'response' => 400 ) );
		} catch ( \Pet\Exception $e ) {
			wp_die( esc_html__( 'The ticket cannot be reopened any more. Reply to the email instead.', 'pet' ), esc_html( $title ), array( 'response' => 409 ) );
		}
	}
}
