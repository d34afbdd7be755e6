<?php
/**
 * The customer portal on the site's front end: the PET Customer role, the [pet_portal]
 * shortcode and the pet/portal block (server-rendered, the same output), and the portal's
 * three form posts (open a ticket, reply, reopen), each with a nonce, for a signed-in user with the
 * role. What the user sees and may write is the engine's decision (\Pet\Portal names the user
 * by their WordPress id and checks every ticket against their contact's customer).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Portal;

use PetWp\Input;
use PetWp\Plugin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

/**
 * Shortcode, block, role and form handlers of the portal.
 */
class Portal_Front {

	/** The role of customer contacts: no wp-admin PET capability at all. */
	public const ROLE = 'pet_customer';

	/** The option holding the portal page's id (set by the first page showing the portal). */
	public const OPTION_PAGE = 'pet_portal_page';

	/** Form actions (admin-post.php?action=pet_<action>), each checked like an admin action. */
	public const ACTIONS = array( 'portal_open', 'portal_reply', 'portal_reopen' );

	/**
	 * Takes the PET Customer role from a WordPress user whose portal access was revoked, once
	 * the user is no contact's portal user any more (the account itself stays).
	 *
	 * @param \Pet\Portal $portal  The portal API.
	 * @param int         $user_id The WordPress user.
	 */
	public static function drop_role_if_unlinked( \Pet\Portal $portal, int $user_id ): void {
		$user = get_userdata( $user_id );
		if ( $user && null === $portal->portalUser( (int) $user->ID ) ) {
			$user->remove_role( self::ROLE );
		}
	}

	/** Hooks everything (on init). */
	public static function register(): void {
		if ( null === get_role( self::ROLE ) ) {
			add_role( self::ROLE, __( 'PET Customer', 'pet' ), array( 'read' => true ) );
		}
		add_shortcode( 'pet_portal', array( self::class, 'shortcode' ) );
		if ( function_exists( 'register_block_type' ) ) {
			wp_register_script(
				'pet-portal-block',
				plugins_url( 'assets/js/portal-block.js', PET_PLUGIN_FILE ),
				array( 'wp-blocks', 'wp-element', 'wp-i18n', 'wp-server-side-render' ),
				PET_PLUGIN_VERSION,
				true
			);
			register_block_type(
				__DIR__ . '/block',
				array( 'render_callback' => array( self::class, 'render' ) )
			);
		}
		add_filter( 'template_include', array( self::class, 'template' ) );
		add_filter( 'show_admin_bar', array( self::class, 'admin_bar' ) );
		foreach ( self::ACTIONS as $action ) {
			add_action( 'admin_post_pet_' . $action, array( self::class, 'handle_' . substr( $action, 7 ) ) );
			add_action( 'admin_post_nopriv_pet_' . $action, array( self::class, 'refuse' ) );
		}
	}

	/**
	 * A site without a usable theme (a bare install) still shows the portal page: a minimal
	 * page template of the plugin's. With any theme the theme's templates are used.
	 *
	 * @param string $template The template WordPress chose.
	 */
	public static function template( $template ) {
		if ( wp_get_theme()->exists() && '' !== (string) $template ) {
			return $template;
		}
		$post = get_queried_object();
		if ( ! $post instanceof \WP_Post || ! ( has_shortcode( $post->post_content, 'pet_portal' ) || has_block( 'pet/portal', $post ) ) ) {
			return $template;
		}
		return __DIR__ . '/views/portal-page.php';
	}

	/**
	 * No toolbar for customers (it leads to wp-admin, where they have nothing but a profile).
	 *
	 * @param bool $show Whether WordPress would show it.
	 */
	public static function admin_bar( $show ) {
		return self::may_use() && ! current_user_can( 'edit_posts' ) ? false : $show;
	}

	/** The shortcode's output. */
	public static function shortcode(): string {
		return self::render();
	}

	/**
	 * The URL of the portal page ('' when none has shown the portal yet): the first page
	 * that showed it (or the demo's).
	 */
	public static function page_url(): string {
		$id = (int) get_option( self::OPTION_PAGE, 0 );
		return $id > 0 ? (string) get_permalink( $id ) : '';
	}

	/**
	 * The portal for the current visitor: the login form when logged out; a note when the
	 * user is no contact's; else the page asked for (a ticket, the new-ticket form, an
	 * article) or the ticket list with the knowledge search.
	 */
	public static function render(): string {
		wp_enqueue_style( 'pet-portal', plugins_url( 'assets/css/portal.css', PET_PLUGIN_FILE ), array(), PET_PLUGIN_VERSION );
		$here = self::here();
		$page = get_queried_object_id();
		if ( $page > 0 && 0 === (int) get_option( self::OPTION_PAGE, 0 ) && is_singular() ) {
			update_option( self::OPTION_PAGE, $page, false );
		}
		ob_start();
		try {
			self::render_for( $here );
		} catch ( \Throwable $e ) {
			Plugin::log( 'portal: ' . get_class( $e ) . ': ' . $e->getMessage() );
			View::render( 'portal/portal-message', array( 'message' => __( 'The support portal is not available right now. Please try again later.', 'pet' ) ) );
		}
		return (string) ob_get_clean();
	}

	/**
	 * Renders the portal for the current visitor.
	 *
	 * @param string $here The portal page's URL.
	 */
	private static function render_for( string $here ): void {
		if ( ! is_user_logged_in() ) {
			View::render( 'portal/portal-login', array( 'redirect' => $here ) );
			return;
		}
		$user_id = get_current_user_id();
		$me      = self::may_use() ? self::api()->portalUser( $user_id ) : null;
		if ( null === $me ) {
			View::render( 'portal/portal-message', array( 'message' => __( 'Your account is not linked to a customer contact, so there is nothing to show here. Please ask your support team to invite you to the portal.', 'pet' ) ) );
			return;
		}
		$data = array(
			'me'     => $me,
			'here'   => $here,
			'notice' => self::take_flash(),
		);
		$ticket = Input::text( 'pet_ticket' );
		$slug   = Input::text( 'pet_article' );
		if ( '' !== $ticket ) {
			try {
				$data['ticket'] = self::api()->portalTicket( $user_id, $ticket );
			} catch ( \Pet\NotFoundException $e ) {
				View::render( 'portal/portal-message', array( 'message' => __( 'That ticket was not found.', 'pet' ) ) );
				return;
			}
			View::render( 'portal/portal-ticket', $data );
			return;
		}
		if ( '' !== $slug ) {
			try {
				$data['article'] = self::api()->portalArticle( $slug );
			} catch ( \Pet\NotFoundException $e ) {
				View::render( 'portal/portal-message', array( 'message' => __( 'That article was not found.', 'pet' ) ) );
				return;
			}
			View::render( 'portal/portal-article', $data );
			return;
		}
		if ( 'new' === Input::text( 'pet_view' ) ) {
			View::render( 'portal/portal-new', $data );
			return;
		}
		$query = array( 'per_page' => 20 );
		foreach ( array( 'after', 'before' ) as $k ) {
			$v = Input::text( 'pet_' . $k );
			if ( '' !== $v ) {
				$query[ $k ] = $v;
			}
		}
		$q                = Input::text( 'pet_q' );
		$data['tickets']  = self::api()->portalTickets( $user_id, $query );
		$data['q']        = $q;
		$data['articles'] = '' === $q ? null : self::api()->portalArticles(
			array(
				'q'        => $q,
				'per_page' => 10,
			)
		);
		View::render( 'portal/portal-home', $data );
	}

	/** Whether the current user has the PET Customer role. */
	private static function may_use(): bool {
		$user = wp_get_current_user();
		return $user->exists() && in_array( self::ROLE, (array) $user->roles, true );
	}

	/** The portal API. */
	private static function api(): \Pet\Portal {
		return new \Pet\Portal( Plugin::engine_settings() );
	}

	/** The portal page's URL without the portal's own query arguments. */
	private static function here(): string {
		$id  = get_queried_object_id();
		$url = $id > 0 ? (string) get_permalink( $id ) : home_url( '/' );
		return remove_query_arg( array( 'pet_ticket', 'pet_article', 'pet_view', 'pet_q', 'pet_after', 'pet_before' ), $url );
	}

	// ---- form posts ---------------------------------------------------------------------

	/** A logged-out post: refused (the nonce is per user anyway). */
	public static function refuse(): void {
		wp_die( esc_html__( 'Please log in to use the support portal.', 'pet' ), esc_html__( 'Forbidden', 'pet' ), array( 'response' => 403 ) );
	}

	/** Open a ticket: subject, message, priority. */
	public static function handle_open(): void {
		$back = self::check( 'portal_open' );
		try {
			$t    = self::api()->portalOpenTicket(
				get_current_user_id(),
				array(
					'subject'  => Input::text( 'subject' ),
					'message'  => Input::long_text( 'message' ),
					'priority' => '' === Input::text( 'priority' ) ? 'normal' : Input::text( 'priority' ),
				),
				self::ctx()
			);
			$back = add_query_arg( 'pet_ticket', rawurlencode( (string) $t['id'] ), $back );
			/* translators: %s: ticket reference such as #12 */
			self::flash( 'success', sprintf( __( 'Ticket %s was opened. We will reply here.', 'pet' ), (string) $t['reference'] ) );
		} catch ( \Throwable $e ) {
			self::flash( 'error', self::describe( $e ) );
			$back = add_query_arg( 'pet_view', 'new', $back );
		}
		wp_safe_redirect( $back );
		exit;
	}

	/** Reply on a ticket: body. */
	public static function handle_reply(): void {
		$back   = self::check( 'portal_reply' );
		$ticket = Input::text( 'ticket' );
		try {
			self::api()->portalReply( get_current_user_id(), $ticket, array( 'body' => Input::long_text( 'body' ) ), self::ctx() );
			self::flash( 'success', __( 'Your reply was sent.', 'pet' ) );
		} catch ( \Throwable $e ) {
			self::flash( 'error', self::describe( $e ) );
		}
		wp_safe_redirect( add_query_arg( 'pet_ticket', rawurlencode( $ticket ), $back ) );
		exit;
	}

	/**
	 * Reopen a resolved ticket (the engine checks the ticket is the user's customer's and the
	 * reopen window).
	 */
	public static function handle_reopen(): void {
		$back   = self::check( 'portal_reopen' );
		$ticket = Input::text( 'ticket' );
		try {
			self::api()->portalReopen( get_current_user_id(), $ticket, self::ctx() );
			self::flash( 'success', __( 'The ticket was reopened. Tell us what is still wrong in a reply.', 'pet' ) );
		} catch ( \Throwable $e ) {
			self::flash( 'error', self::describe( $e ) );
		}
		wp_safe_redirect( add_query_arg( 'pet_ticket', rawurlencode( $ticket ), $back ) );
		exit;
	}

	/**
	 * The checks of a portal post — logged in with the PET Customer role, POST, the nonce —
	 * and the portal page to go back to.
	 *
	 * @param string $action Action name.
	 */
	private static function check( string $action ): string {
		if ( ! self::may_use() ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'pet' ), esc_html__( 'Forbidden', 'pet' ), array( 'response' => 403 ) );
		}
		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : '';
		if ( 'POST' !== $method ) {
			wp_die( esc_html__( 'This action changes data, so it only runs from a submitted form.', 'pet' ), esc_html__( 'Method not allowed', 'pet' ), array( 'response' => 405 ) );
		}
		check_admin_referer( 'pet_' . $action );
		$back = wp_validate_redirect( esc_url_raw( Input::text( 'back' ) ), '' );
		return '' === $back ? ( '' === self::page_url() ? home_url( '/' ) : self::page_url() ) : $back;
	}

	/** The portal command context: the form's idempotency key only (no employee). */
	private static function ctx(): array {
		$key = Input::text( '_pet_idem' );
		return array( 'idempotency_key' => '' === $key ? null : 'portal-' . $key );
	}

	/**
	 * A failure as the customer reads it: the message and its field errors.
	 *
	 * @param \Throwable $e What went wrong.
	 */
	private static function describe( \Throwable $e ): string {
		if ( ! $e instanceof \Pet\Exception ) {
			Plugin::log( 'portal post failed: ' . get_class( $e ) . ': ' . $e->getMessage() );
			return __( 'Something went wrong; please try again.', 'pet' );
		}
		$msg = $e->getMessage();
		if ( $e instanceof \Pet\ValidationException ) {
			$parts = array();
			foreach ( $e->getFieldErrors() as $field => $error ) {
				$parts[] = $field . ': ' . $error;
			}
			$msg = __( 'Please check the form:', 'pet' ) . ' ' . implode( '; ', $parts );
		}
		return $msg;
	}

	/**
	 * Keeps a message for the next portal page the user sees.
	 *
	 * @param string $kind    success|error.
	 * @param string $message The text.
	 */
	private static function flash( string $kind, string $message ): void {
		set_transient(
			'pet_portal_flash_' . get_current_user_id(),
			array(
				'kind'    => $kind,
				'message' => $message,
			),
			5 * MINUTE_IN_SECONDS
		);
	}

	/** The kept message, once. */
	private static function take_flash(): ?array {
		$key = 'pet_portal_flash_' . get_current_user_id();
		$f   = get_transient( $key );
		if ( ! is_array( $f ) ) {
			return null;
		}
		delete_transient( $key );
		return $f;
	}
}
