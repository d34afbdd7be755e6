<?php
/**
 * The Email screen (wp-admin, under PET): how notifications are sent (wp_mail and the site's
 * SMTP set-up), the reply address, the templates (subject and body per kind with their
 * placeholders; save or go back to the default), the outbox's dead letters and recent mail
 * (retry a dead letter, send due mail now); the same dead letters on the Jobs screen; and the
 * staff notification opt-outs on the user profile. Viewing needs pet_view_settings; changing
 * anything pet_manage_settings.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Mail;

use PetWp\Access;
use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the Email page and its admin-post actions; renders the screen.
 */
final class Mail_Admin extends Module_Admin {

	/** Email set-up is the site's settings area. */
	protected const AREA = 'settings';

	/** Action => [capability, handler, kept fields] (see Module_Admin::ACTIONS). */
	protected const ACTIONS = array(
		'mail_settings'       => array( Plugin::CAP_MANAGE, 'do_settings', array( 'reply_address' ) ),
		'mail_template_save'  => array( Plugin::CAP_MANAGE, 'do_template_save', array( 'kind', 'subject', 'body' ) ),
		'mail_template_reset' => array( Plugin::CAP_MANAGE, 'do_template_reset' ),
		'mail_retry'          => array( Plugin::CAP_MANAGE, 'do_retry' ),
		'mail_send_now'       => array( Plugin::CAP_MANAGE, 'do_send_now' ),
		'mail_mailbox_save'   => array( Plugin::CAP_MANAGE, 'do_mailbox_save', array( 'imap_host', 'imap_port', 'imap_encryption', 'imap_user', 'imap_folder' ) ),
		'mail_mailbox_test'   => array( Plugin::CAP_MANAGE, 'do_mailbox_test' ),
		'mail_mailbox_poll'   => array( Plugin::CAP_MANAGE, 'do_mailbox_poll' ),
	);

	/** The Email page. */
	public const PAGE = 'pet-mail';

	protected const HOME_PAGE    = self::PAGE;
	protected const SCREEN_CLASS = 'pet-mail';
	/** A failed form is kept in the transient pet_mail_form_<user id>. */
	protected const KEPT_FORM = 'pet_mail_form';

	/** The Email page under the PET menu. */
	protected function pages(): array {
		return array(
			self::PAGE => array( __( 'Email', 'pet' ), Plugin::CAP_WORK, 'page_mail' ),
		);
	}

	/** The engine's mail API. */
	private function mail(): \Pet\Mail {
		return Mail_Sender::engine();
	}

	/**
	 * The translated name of a notification kind.
	 *
	 * @param string $kind Kind.
	 */
	public static function kind_label( string $kind ): string {
		$labels = array(
			'acknowledgement' => __( 'Acknowledgement (to the customer)', 'pet' ),
			'public_reply'    => __( 'Reply (to the customer)', 'pet' ),
			'resolution'      => __( 'Resolution, with a reopen link (to the customer)', 'pet' ),
			'assignment'      => __( 'Assignment (to staff)', 'pet' ),
			'customer_reply'  => __( 'Customer reply (to staff)', 'pet' ),
			'sla_warning'     => __( 'SLA warning (to staff)', 'pet' ),
			'sla_breach'      => __( 'SLA breach (to staff)', 'pet' ),
		);
		return $labels[ $kind ] ?? $kind;
	}

	// ---- actions ------------------------------------------------------------------------------

	/** Saves the reply address. */
	protected function do_settings(): string {
		$address = Input::text( 'reply_address' );
		if ( '' !== $address && ! is_email( $address ) ) {
			throw new \PetWp\Input_Exception( __( 'Please correct the form.', 'pet' ), array( 'reply_address' => __( 'must be an email address', 'pet' ) ) );
		}
		update_option( Mail_Sender::REPLY_OPTION, $address, false );
		return __( 'Email settings saved.', 'pet' );
	}

	/** Saves a template. */
	protected function do_template_save(): string {
		$this->mail()->setMailTemplate(
			Input::text( 'kind' ),
			array(
				'subject' => Input::text( 'subject' ),
				'body'    => Input::long_text( 'body' ),
			)
		);
		return __( 'Template saved.', 'pet' );
	}

	/** Goes back to the default template. */
	protected function do_template_reset(): string {
		$this->mail()->resetMailTemplate( Input::text( 'kind' ) );
		return __( 'The default template is used again.', 'pet' );
	}

	/** Retries a dead letter. */
	protected function do_retry(): string {
		$this->mail()->retryMail( Input::text( 'id' ), $this->ctx() );
		return __( 'The message will be sent again.', 'pet' );
	}

	/** Runs the outbox job and sends what is due now. */
	protected function do_send_now(): string {
		$this->mail()->runOutboxJob();
		$r = Mail_Sender::send_due();
		/* translators: 1: messages sent, 2: messages that failed. */
		return sprintf( __( 'Mail sent: %1$d, failed: %2$d.', 'pet' ), $r['sent'], $r['failed'] );
	}

	/** Saves the mailbox settings (an empty password keeps the stored one). */
	protected function do_mailbox_save(): string {
		try {
			Mail_Poller::save(
				array(
					'host'       => Input::text( 'imap_host' ),
					'port'       => Input::text( 'imap_port' ),
					'encryption' => Input::text( 'imap_encryption' ),
					'verify'     => '1' === Input::text( 'imap_verify' ),
					'user'       => Input::text( 'imap_user' ),
					'password'   => self::posted_password( 'imap_password' ),
					'folder'     => Input::text( 'imap_folder' ),
				)
			);
		} catch ( \PetWp\Input_Exception $e ) {
			// The form's fields are named imap_*.
			$fields = array();
			foreach ( $e->fields as $k => $v ) {
				$fields[ 'imap_' . $k ] = $v;
			}
			throw new \PetWp\Input_Exception( $e->getMessage(), $fields );
		}
		return __( 'Mailbox settings saved.', 'pet' );
	}

	/**
	 * A posted password as typed (not trimmed or otherwise changed; control characters are
	 * refused by the mailbox anyway).
	 *
	 * @param string $key Field name.
	 */
	private static function posted_password( string $key ): string {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- handle() checked the nonce; a password is kept as typed (it is encrypted, never shown).
		$v = isset( $_POST[ $key ] ) && is_string( $_POST[ $key ] ) ? wp_unslash( $_POST[ $key ] ) : '';
		return (string) preg_replace( '/[\x00-\x1f\x7f]/', '', $v );
	}

	/**
	 * Tests the mailbox connection.
	 *
	 * @throws \PetWp\Input_Exception When it fails (the notice gives the reason).
	 */
	protected function do_mailbox_test(): string {
		try {
			$r = Mail_Poller::test();
		} catch ( \RuntimeException $e ) {
			throw new \PetWp\Input_Exception( $e->getMessage(), array() );
		}
		/* translators: 1: messages in the folder, 2: unread ones. */
		return sprintf( __( 'Connected to the mailbox: %1$d messages, %2$d unread.', 'pet' ), $r['messages'], $r['unseen'] );
	}

	/**
	 * Polls the mailbox now.
	 *
	 * @throws \PetWp\Input_Exception When the mailbox cannot be read (the notice gives the reason).
	 */
	protected function do_mailbox_poll(): string {
		$r = Mail_Poller::poll();
		if ( 'busy' === $r['status'] ) {
			return __( 'The mailbox is being read right now; its messages will be in shortly.', 'pet' );
		}
		if ( 'error' === $r['status'] ) {
			throw new \PetWp\Input_Exception( (string) $r['error'], array() );
		}
		return sprintf(
			/* translators: 1: messages read, 2: added to tickets, 3: new tickets, 4: for review, 5: ignored, 6: refused or failed. */
			__( 'Mailbox read: %1$d messages; %2$d added to tickets, %3$d new tickets, %4$d for review, %5$d ignored, %6$d not taken.', 'pet' ),
			$r['read'],
			$r['threaded'],
			$r['opened'],
			$r['review'],
			$r['ignored'],
			$r['refused'] + $r['failed']
		);
	}

	/**
	 * Admin notice (admin_notices): the last mailbox poll failed, or the IMAP extension is
	 * missing while a mailbox is set up; for those who manage settings.
	 */
	public function mailbox_notice(): void {
		if ( ! current_user_can( Access::MANAGE_SETTINGS ) || ! Mail_Poller::configured() ) {
			return;
		}
		$url  = admin_url( 'admin.php?page=' . self::PAGE . '#pet-mailbox' );
		$last = Mail_Poller::last();
		if ( ! Mail_Poller::available() ) {
			$msg = __( 'PET cannot read replies by email: the PHP IMAP extension is missing (Debian: apt install php8.2-imap).', 'pet' );
		} elseif ( 'error' === ( $last['status'] ?? '' ) ) {
			/* translators: %s: the reason. */
			$msg = sprintf( __( 'PET could not read the reply mailbox: %s', 'pet' ), (string) ( $last['error'] ?? '' ) );
		} else {
			return;
		}
		echo '<div class="notice notice-error pet-mailbox-notice"><p>' . esc_html( $msg ) . ' <a href="' . esc_url( $url ) . '">' . esc_html__( 'Mailbox settings', 'pet' ) . '</a></p></div>';
	}

	// ---- screens ------------------------------------------------------------------------------

	/** The Email screen. */
	public function page_mail(): void {
		$this->screen(
			__( 'Email', 'pet' ),
			function (): void {
				$manage    = current_user_can( Access::MANAGE_SETTINGS );
				$defaults  = Mail_Sender::defaults();
				$templates = array();
				foreach ( (array) $this->mail()->mailTemplates()['items'] as $t ) {
					$kind        = (string) $t['kind'];
					$custom      = is_array( $t['template'] ?? null ) ? $t['template'] : null;
					$templates[] = array(
						'kind'         => $kind,
						'label'        => self::kind_label( $kind ),
						'placeholders' => (array) $t['placeholders'],
						'custom'       => null !== $custom,
						'subject'      => null !== $custom ? (string) $custom['subject'] : ( $defaults[ $kind ][0] ?? '' ),
						'body'         => null !== $custom ? (string) $custom['body'] : ( $defaults[ $kind ][1] ?? '' ),
					);
				}
				self::view(
					'mail/mail',
					array(
						'manage'        => $manage,
						'reply_address' => (string) get_option( Mail_Sender::REPLY_OPTION, '' ),
						'templates'     => $templates,
						'dead'          => (array) $this->mail()->listMail( array( 'status' => 'dead' ) )['items'],
						'sent'          => (array) $this->mail()->listMail(
							array(
								'status'   => 'sent',
								'per_page' => 10,
							)
						)['items'],
						'review'        => (array) $this->mail()->listInbox( array( 'status' => 'review' ) )['items'],
						'failed'        => $manage ? $this->kept_form( 'mail_template_save:' ) : null,
						'mailbox'       => array(
							'available'  => Mail_Poller::available(),
							'stored'     => Mail_Poller::stored(),
							'overridden' => Mail_Poller::overridden(),
							'last'       => Mail_Poller::last(),
							'own'        => Mail_Poller::own_addresses(),
							'failed'     => $manage ? $this->kept_form( 'mail_mailbox_save:' ) : null,
						),
					)
				);
			}
		);
	}

	/** The mail dead letters on the Jobs screen (pet_jobs_screen_after). */
	public function jobs_section(): void {
		try {
			$dead = (array) $this->mail()->listMail( array( 'status' => 'dead' ) )['items'];
		} catch ( \Throwable $e ) {
			return;
		}
		self::view(
			'mail/dead-letters',
			array(
				'dead'   => $dead,
				'manage' => current_user_can( Access::MANAGE_SETTINGS ),
				'title'  => true,
			)
		);
	}

	// ---- the user profile: staff opt-outs ----------------------------------------------------

	/**
	 * The staff notifications a user (linked to an employee) may turn off.
	 *
	 * @param \WP_User $user The profile's user.
	 */
	public function profile_fields( $user ): void {
		if ( ! $user instanceof \WP_User || ! current_user_can( 'edit_user', $user->ID ) ) {
			return;
		}
		try {
			$employee = $this->plugin->employee_for_user( (int) $user->ID );
			if ( null === $employee ) {
				return;
			}
			$opted = (array) $this->mail()->mailOptouts( (string) $employee['id'] )['opted_out'];
		} catch ( \Throwable $e ) {
			return;
		}
		$kinds = array();
		foreach ( array( 'assignment', 'customer_reply', 'sla_warning', 'sla_breach' ) as $k ) {
			$kinds[ $k ] = array(
				'label' => self::kind_label( $k ),
				'on'    => ! in_array( $k, $opted, true ),
			);
		}
		self::view( 'mail/profile', array( 'kinds' => $kinds ) );
	}

	/**
	 * Saves the profile's opt-outs (WordPress checked the profile form's own nonce; this checks
	 * the fields' nonce and the right to edit the user).
	 *
	 * @param int $user_id The profile's user.
	 */
	public function save_profile( $user_id ): void {
		$user_id = (int) $user_id;
		if ( ! current_user_can( 'edit_user', $user_id ) ) {
			return;
		}
		if ( ! isset( $_POST['_pet_mail_nonce'] ) || ! wp_verify_nonce( sanitize_text_field( wp_unslash( $_POST['_pet_mail_nonce'] ) ), 'pet_mail_optouts' ) ) {
			return;
		}
		$employee = $this->plugin->employee_for_user( $user_id );
		if ( null === $employee ) {
			return;
		}
		$on  = array_map( 'strval', Input::posted_array( 'pet_mail_on' ) );
		$off = array_values( array_diff( array( 'assignment', 'customer_reply', 'sla_warning', 'sla_breach' ), $on ) );
		try {
			$this->mail()->setMailOptouts( (string) $employee['id'], array( 'kinds' => $off ) );
		} catch ( \Throwable $e ) {
			Plugin::log( 'mail opt-outs not saved: ' . $e->getMessage() );
		}
	}

	/**
	 * The translated reason an inbound message is in the review list.
	 *
	 * @param string $reason The engine's reason.
	 */
	public static function reason_label( string $reason ): string {
		$labels = array(
			'forged_token'   => __( 'The reply token is not valid', 'pet' ),
			'other_customer' => __( 'The sender belongs to another customer than the ticket', 'pet' ),
			'unknown_sender' => __( 'The sender is not a known contact', 'pet' ),
			'empty'          => __( 'Nothing but quoted text', 'pet' ),
		);
		return $labels[ $reason ] ?? $reason;
	}

	/**
	 * A retry button of a dead letter (a POST form).
	 *
	 * @param string $id Outbox row id.
	 */
	public static function retry_form( string $id ): string {
		return \PetWp\Tables\Table::action_form( 'mail_retry', array( 'id' => $id ), __( 'Retry', 'pet' ) );
	}

	/**
	 * Whether the current user may change the mail set-up.
	 */
	public static function may_manage(): bool {
		return current_user_can( Access::MANAGE_SETTINGS );
	}

	/**
	 * The kept error of a field for a template kind's form.
	 *
	 * @param array|null $failed The kept form.
	 * @param string     $kind   The form's kind.
	 */
	public static function kept_for( ?array $failed, string $kind ): ?array {
		return null !== $failed && ( $failed['values']['kind'] ?? '' ) === $kind ? $failed : null;
	}
}
