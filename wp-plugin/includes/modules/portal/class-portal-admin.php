<?php
/**
 * The portal's staff side: on a customer's screen, the portal access of the contacts shown,
 * with "Invite to portal" (find or create the WordPress user by the contact's e-mail, give it
 * the PET Customer role, link it in PET) and "Revoke portal access".
 *
 * @package PetWp
 */

namespace PetWp\Modules\Portal;

use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Plugin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

/**
 * Portal access actions on the customer screen (area: people).
 */
class Portal_Admin extends Module_Admin {

	protected const AREA = 'people';

	protected const ACTIONS = array(
		'portal_invite' => array( Plugin::CAP_MANAGE, 'invite' ),
		'portal_revoke' => array( Plugin::CAP_MANAGE, 'revoke' ),
	);

	/** No screens of its own: a section of the customer screen. */
	protected function pages(): array {
		return array();
	}

	/** Hooks the actions and the customer screen's section. */
	public function register(): void {
		parent::register();
		add_action( 'pet_customer_sections', array( $this, 'customer_section' ), 10, 2 );
	}

	/** The portal API. */
	private function portal(): \Pet\Portal {
		return new \Pet\Portal( Plugin::engine_settings() );
	}

	/**
	 * The customer screen's "Customer portal" section: the portal access of the contacts on
	 * the page shown (one engine call for the page).
	 *
	 * @param array      $customer The customer.
	 * @param array|null $contacts The contacts on the page (rows of the contacts table).
	 */
	public function customer_section( array $customer, $contacts ): void {
		$contacts = is_array( $contacts ) ? array_values( $contacts ) : array();
		$ids      = array_map( static fn ( $c ) => (string) $c['id'], $contacts );
		$access   = array();
		try {
			foreach ( $this->portal()->portalAccessOfContacts( array( 'contact_ids' => $ids ) )['items'] as $a ) {
				$access[ (string) $a['contact_id'] ] = $a;
			}
		} catch ( \Throwable $e ) {
			Plugin::log( 'portal access could not be read: ' . $e->getMessage() );
		}
		$rows = array();
		foreach ( $contacts as $c ) {
			$wp_user = isset( $access[ (string) $c['id'] ] ) ? $access[ (string) $c['id'] ]['wp_user_id'] : null;
			$user    = null === $wp_user ? false : get_userdata( (int) $wp_user );
			$rows[]  = array(
				'contact' => $c,
				'user'    => $user ? $user->user_login : ( null === $wp_user ? null : '#' . (int) $wp_user ),
				'wp_user' => null === $wp_user ? 0 : (int) $wp_user,
			);
		}
		self::view(
			'portal/customer-portal',
			array(
				'customer' => $customer,
				'rows'     => $rows,
				'manage'   => current_user_can( $this->cap( Plugin::CAP_MANAGE ) ),
				'page_url' => Portal_Front::page_url(),
			)
		);
	}

	/**
	 * Invite to portal: the contact's e-mail finds its WordPress user, or a new one is made
	 * (PET Customer role, sent the set-your-password e-mail); PET links it to the contact.
	 * A user who can do anything in PET or administer the site is never made a customer.
	 *
	 * @return string Notice.
	 * @throws \RuntimeException When the contact has no e-mail or the user cannot be a customer.
	 */
	protected function invite(): string {
		$contact_id = Input::text( 'contact_id' );
		$customer   = Input::text( 'customer' );
		$contact    = $this->find_contact( $customer, $contact_id );
		$email      = sanitize_email( (string) ( $contact['email'] ?? '' ) );
		if ( '' === $email || ! is_email( $email ) ) {
			throw new \RuntimeException( __( 'This contact has no e-mail address, so no portal user can be made. Add the contact again with an e-mail address.', 'pet' ) );
		}
		$user    = get_user_by( 'email', $email );
		$created = false;
		if ( $user ) {
			if ( user_can( $user, Plugin::CAP_WORK ) || user_can( $user, 'manage_options' ) || user_can( $user, 'edit_posts' ) ) {
				throw new \RuntimeException( __( 'The WordPress user with this e-mail address is a staff user; a customer contact needs a user of its own.', 'pet' ) );
			}
		} else {
			$login = sanitize_user( strtolower( (string) strstr( $email, '@', true ) ), true );
			$base  = '' === $login ? 'customer' : $login;
			$login = $base;
			for ( $n = 2; username_exists( $login ); $n++ ) {
				$login = $base . $n;
			}
			$id = wp_insert_user(
				array(
					'user_login'   => $login,
					'user_email'   => $email,
					'user_pass'    => wp_generate_password( 24 ),
					'display_name' => (string) $contact['name'],
					'role'         => Portal_Front::ROLE,
				)
			);
			if ( is_wp_error( $id ) ) {
				throw new \RuntimeException( $id->get_error_message() );
			}
			$user    = get_userdata( $id );
			$created = true;
		}
		try {
			$this->portal()->grantPortalAccess( $contact_id, (int) $user->ID, $this->ctx() );
		} catch ( \Throwable $e ) {
			if ( $created ) {
				// The user was made for this link only.
				require_once ABSPATH . 'wp-admin/includes/user.php';
				wp_delete_user( (int) $user->ID );
			}
			throw $e;
		}
		if ( ! in_array( Portal_Front::ROLE, (array) $user->roles, true ) ) {
			$user->add_role( Portal_Front::ROLE );
		}
		if ( $created ) {
			wp_new_user_notification( (int) $user->ID, null, 'user' );
			/* translators: 1: contact name, 2: WordPress user name */
			return sprintf( __( '%1$s can now use the customer portal as the new WordPress user %2$s (sent an e-mail to set a password).', 'pet' ), (string) $contact['name'], $user->user_login );
		}
		/* translators: 1: contact name, 2: WordPress user name */
		return sprintf( __( '%1$s can now use the customer portal as the WordPress user %2$s.', 'pet' ), (string) $contact['name'], $user->user_login );
	}

	/**
	 * Revoke portal access: the link goes; the WordPress user stays, without the PET
	 * Customer role once it is no contact's portal user.
	 *
	 * @return string Notice.
	 */
	protected function revoke(): string {
		$this->portal()->revokePortalAccess( Input::text( 'contact_id' ), $this->ctx() );
		Portal_Front::drop_role_if_unlinked( $this->portal(), absint( Input::text( 'wp_user_id' ) ) );
		return __( 'Portal access revoked.', 'pet' );
	}

	/**
	 * A contact of the customer, read from the engine.
	 *
	 * @param string $customer_id The customer.
	 * @param string $contact_id  The contact.
	 * @throws \RuntimeException When it is not one of the customer's contacts.
	 */
	private function find_contact( string $customer_id, string $contact_id ): array {
		$contact = $this->portal()->portalContact( $contact_id );
		if ( (string) $contact['customer_id'] !== $customer_id ) {
			throw new \RuntimeException( __( 'That contact is not one of this customer\'s.', 'pet' ) );
		}
		return $contact;
	}
}
