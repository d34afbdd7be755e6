<?php
/**
 * The portal's part of scripts/run's demo (once): a "Support" page with the [pet_portal]
 * shortcode, and the demo customer's contact (Wile E. Coyote of Acme Ltd) invited as the
 * WordPress user "wile" with the PET Customer role. The user's password is
 * PET_DEMO_CUSTOMER_PASSWORD from the environment (scripts/run keeps one in its state
 * folder and prints it), else a random one.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Portal;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Portal demo loader.
 */
final class Portal_Demo {

	/** Option set once the portal demo is loaded. */
	public const OPTION = 'pet_demo_portal_loaded';

	/** The demo customer user's login. */
	public const LOGIN = 'wile';

	/**
	 * Loads the portal demo unless it was loaded before.
	 *
	 * @throws \RuntimeException When the demo contact is missing or the user cannot be made.
	 * @return bool true when loaded now.
	 */
	public static function load(): bool {
		if ( get_option( self::OPTION ) || ! class_exists( 'Pet\\Portal' ) ) {
			return false;
		}
		$plugin   = Plugin::instance();
		$identity = $plugin->identity();
		$wile     = null;
		$acme     = $identity->listCustomers( array( 'search' => 'Acme Ltd' ) );
		foreach ( $acme['items'] as $c ) {
			foreach ( $identity->listContacts( (string) $c['id'], array( 'search' => 'wile@acme.example' ) )['items'] as $k ) {
				$wile = $k;
			}
		}
		if ( null === $wile ) {
			throw new \RuntimeException( 'the demo contact wile@acme.example is missing' );
		}
		$password = (string) getenv( 'PET_DEMO_CUSTOMER_PASSWORD' );
		$user     = get_user_by( 'login', self::LOGIN );
		if ( ! $user ) {
			$id = wp_insert_user(
				array(
					'user_login'   => self::LOGIN,
					'user_email'   => 'wile@acme.example',
					'user_pass'    => '' === $password ? wp_generate_password( 24 ) : $password,
					'display_name' => (string) $wile['name'],
					'role'         => Portal_Front::ROLE,
				)
			);
			if ( is_wp_error( $id ) ) {
				throw new \RuntimeException( $id->get_error_message() );
			}
			$user = get_userdata( $id );
		}
		$portal = new \Pet\Portal( Plugin::engine_settings() );
		if ( null === $portal->portalUser( (int) $user->ID ) ) {
			$portal->grantPortalAccess( (string) $wile['id'], (int) $user->ID, $plugin->context( 'pet-demo-portal-wile' ) );
		}
		$page = get_page_by_path( 'support' );
		if ( ! $page ) {
			$page_id = wp_insert_post(
				array(
					'post_type'    => 'page',
					'post_status'  => 'publish',
					'post_title'   => __( 'Support', 'pet' ),
					'post_name'    => 'support',
					'post_content' => '<!-- wp:shortcode -->[pet_portal]<!-- /wp:shortcode -->',
				),
				true
			);
			if ( is_wp_error( $page_id ) ) {
				throw new \RuntimeException( $page_id->get_error_message() );
			}
		} else {
			$page_id = $page->ID;
		}
		update_option( Portal_Front::OPTION_PAGE, (int) $page_id, false );
		update_option( self::OPTION, gmdate( 'c' ), false );
		return true;
	}
}
