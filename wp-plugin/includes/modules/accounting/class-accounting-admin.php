<?php
/**
 * The QuickBooks screen and actions (wp-admin): the connection (client id and secret, the
 * environment, Connect — Intuit's authorisation page, then back here with the code, the state
 * carrying a nonce —, status, Disconnect), the mapping (PET items and roles to QuickBooks items,
 * tax rates to tax codes, single or multicurrency, invoices or estimates, PET employees to
 * QuickBooks employees or vendors for approved billable time), and reconciliation
 * (mismatched, missing and dead pushes with a one-click re-push; PET's and QuickBooks' totals
 * per month). Everything needs pet_manage_settings (PET Manager and administrators): the screen
 * handles credentials.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Accounting;

use PetWp\Access;
use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Notices;
use PetWp\Plugin;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the QuickBooks page and admin-post actions; renders the screen.
 */
final class Accounting_Admin extends Module_Admin {

	/** PET's own configuration: the settings area. */
	protected const AREA = 'settings';

	/** Action => [capability, handler, kept fields] (see Module_Admin::ACTIONS). */
	protected const ACTIONS = array(
		'qbo_save_connection' => array( Plugin::CAP_MANAGE, 'do_save_connection', array( 'client_id', 'redirect_url', 'api_base', 'auth_url', 'token_url' ) ),
		'qbo_connect'         => array( Plugin::CAP_MANAGE, 'do_connect' ),
		'qbo_disconnect'      => array( Plugin::CAP_MANAGE, 'do_disconnect' ),
		'qbo_save_mapping'    => array( Plugin::CAP_MANAGE, 'do_save_mapping', array( 'default_item', 'items', 'tax_codes', 'default_tax_code', 'home_currency', 'employees' ) ),
		'qbo_repush'          => array( Plugin::CAP_MANAGE, 'do_repush' ),
		'qbo_run'             => array( Plugin::CAP_MANAGE, 'do_run' ),
	);

	/** The QuickBooks page. */
	public const PAGE = 'pet-quickbooks';

	protected const HOME_PAGE    = self::PAGE;
	protected const SCREEN_CLASS = 'pet-accounting';
	/** A failed form is kept in the transient pet_accounting_form_<user id>. */
	protected const KEPT_FORM = 'pet_accounting_form';

	/** Transient (per user) holding the state of the authorisation in progress. */
	private const STATE_TRANSIENT = 'pet_qbo_state_';

	/** The page under the PET menu. */
	protected function pages(): array {
		return array(
			self::PAGE => array( __( 'QuickBooks', 'pet' ), Plugin::CAP_MANAGE, 'page_quickbooks' ),
		);
	}

	/** The engine's accounting API. */
	public static function engine(): \Pet\Accounting {
		static $engine = null;
		if ( null === $engine ) {
			$engine = new \Pet\Accounting( Plugin::engine_settings() );
		}
		return $engine;
	}

	/** Where Intuit sends the admin back. */
	public static function redirect_url(): string {
		return admin_url( 'admin.php?page=' . self::PAGE );
	}

	// ---- actions ---------------------------------------------------------------------------------

	/** Saves the app's credentials. */
	protected function do_save_connection(): string {
		$input = array(
			'environment'   => Input::text( 'environment' ),
			'client_id'     => Input::text( 'client_id' ),
			'client_secret' => Input::text( 'client_secret' ),
			'redirect_url'  => self::redirect_url(),
		);
		foreach ( array( 'api_base', 'auth_url', 'token_url' ) as $k ) {
			if ( '' !== Input::text( $k ) ) {
				$input[ $k ] = Input::text( $k );
			}
		}
		self::engine()->saveConnectionSettings( $input );
		return __( 'QuickBooks credentials saved. Connect to authorise PET.', 'pet' );
	}

	/** Sends the admin to Intuit's authorisation page (the state carries a nonce). */
	protected function do_connect(): array {
		$state = wp_create_nonce( 'pet_qbo_state' ) . '-' . wp_generate_password( 24, false );
		set_transient( self::STATE_TRANSIENT . get_current_user_id(), $state, 15 * MINUTE_IN_SECONDS );
		$r = self::engine()->startConnection( $state );
		add_filter(
			'allowed_redirect_hosts',
			static function ( array $hosts ) use ( $r ): array {
				$host = wp_parse_url( (string) $r['url'], PHP_URL_HOST );
				if ( is_string( $host ) ) {
					$hosts[] = $host;
				}
				return $hosts;
			}
		);
		return array( __( 'Redirecting to QuickBooks…', 'pet' ), (string) $r['url'] );
	}

	/** Forgets the tokens. */
	protected function do_disconnect(): string {
		self::engine()->disconnect();
		return __( 'QuickBooks disconnected.', 'pet' );
	}

	/**
	 * Lines "key = value" as a map (the engine validates keys and values).
	 *
	 * @param string $text The textarea.
	 */
	private static function pairs( string $text ): array {
		$out = array();
		foreach ( preg_split( '/\R/', $text ) as $line ) {
			$line = trim( $line );
			if ( '' === $line ) {
				continue;
			}
			$parts                    = array_map( 'trim', explode( '=', $line, 2 ) );
			$out[ (string) $parts[0] ] = (string) ( $parts[1] ?? '' );
		}
		return $out;
	}

	/** Saves the mapping. */
	protected function do_save_mapping(): string {
		$default_tax = Input::text( 'default_tax_code' );
		self::engine()->setMapping(
			array(
				'sale_target'      => Input::text( 'sale_target' ),
				'items'            => self::pairs( Input::long_text( 'items' ) ),
				'default_item'     => Input::text( 'default_item' ),
				'tax_codes'        => self::pairs( Input::long_text( 'tax_codes' ) ),
				'default_tax_code' => '' === $default_tax ? null : $default_tax,
				'currency'         => array(
					'mode' => Input::text( 'currency_mode' ),
					'home' => strtoupper( Input::text( 'home_currency' ) ),
				),
				'employees'        => self::pairs( Input::long_text( 'employees' ) ),
			)
		);
		return __( 'Mapping saved.', 'pet' );
	}

	/** The one-click re-push. */
	protected function do_repush(): string {
		self::engine()->repush( Input::text( 'push_id' ), $this->ctx() );
		return __( 'Pushed again: the next run sends it.', 'pet' );
	}

	/** Runs the push job and a full reconciliation sweep now. */
	protected function do_run(): string {
		$p = self::engine()->runPushJob();
		$r = self::engine()->runFullReconcileJob();
		/* translators: 1: pushes confirmed, 2: pushes failed, 3: time entries waiting for their employee's mapping, 4: records checked, 5: mismatched, 6: missing. */
		return sprintf( __( 'Pushed: %1$d confirmed, %2$d failed, %3$d waiting for an employee mapping. Reconciled: %4$d checked, %5$d newly mismatched, %6$d newly missing.', 'pet' ), (int) $p['confirmed'], (int) $p['failed'], (int) $p['unmapped'], (int) $r['checked'], (int) $r['mismatched'], (int) $r['missing'] );
	}

	/**
	 * admin_init: Intuit sent the admin back with ?code&state&realmId. Needs the capability and
	 * the state this user started (it carries a nonce); then the engine exchanges the code.
	 */
	public function maybe_finish_connection(): void {
		if ( self::PAGE !== Input::text( 'page' ) || '' === Input::text( 'code' ) ) {
			return;
		}
		if ( ! current_user_can( Access::MANAGE_SETTINGS ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'pet' ), esc_html__( 'Forbidden', 'pet' ), array( 'response' => 403 ) );
		}
		$state    = Input::text( 'state' );
		$expected = (string) get_transient( self::STATE_TRANSIENT . get_current_user_id() );
		delete_transient( self::STATE_TRANSIENT . get_current_user_id() );
		$nonce = explode( '-', $state, 2 )[0];
		if ( '' === $expected || ! hash_equals( $expected, $state ) || ! wp_verify_nonce( $nonce, 'pet_qbo_state' ) ) {
			Notices::add( 'error', __( 'The QuickBooks authorisation was not started here or has expired; connect again.', 'pet' ) );
		} else {
			try {
				self::engine()->finishConnection(
					array(
						'code'     => Input::text( 'code' ),
						'state'    => $state,
						'realm_id' => Input::text( 'realmId' ),
					)
				);
				Notices::add( 'success', __( 'QuickBooks connected.', 'pet' ) );
			} catch ( \Throwable $e ) {
				Notices::add( 'error', $e->getMessage() );
			}
		}
		wp_safe_redirect( self::redirect_url() );
		exit;
	}

	/** admin_notices: the connection is lost (for those who can reconnect). */
	public function connection_notice(): void {
		if ( ! current_user_can( Access::MANAGE_SETTINGS ) || self::PAGE === Input::text( 'page' ) ) {
			return;
		}
		try {
			$c = self::engine()->connectionStatus();
		} catch ( \Throwable $e ) {
			return;
		}
		if ( 'lost' !== $c['status'] ) {
			return;
		}
		printf(
			'<div class="notice notice-error"><p>%s <a href="%s">%s</a></p></div>',
			esc_html__( 'PET lost its QuickBooks connection: sales and customers are not being pushed.', 'pet' ),
			esc_url( Table::page_url( self::PAGE ) ),
			esc_html__( 'Reconnect', 'pet' )
		);
	}

	// ---- the screen ------------------------------------------------------------------------------

	/** QuickBooks: connection, mapping, reconciliation. */
	public function page_quickbooks(): void {
		$this->screen(
			__( 'QuickBooks', 'pet' ),
			function (): void {
				$engine = self::engine();
				$query  = array( 'reconciliation' => Input::text( 'show' ) );
				if ( '' === $query['reconciliation'] ) {
					$query = array( 'status' => in_array( Input::text( 'status' ), array( 'dead', 'queued' ), true ) ? Input::text( 'status' ) : '' );
				}
				$query += array_filter(
					array(
						'after'  => Input::text( 'after' ),
						'before' => Input::text( 'before' ),
					)
				);
				self::view(
					'accounting/quickbooks',
					array(
						'connection'   => $engine->connectionStatus(),
						'mapping'      => $engine->getMapping(),
						'pushes'       => $engine->listPushes( $query ),
						'totals'       => $engine->pushTotals(),
						'show'         => Input::text( 'show' ),
						'status'       => Input::text( 'status' ),
						'redirect_url' => self::redirect_url(),
						'failed'       => $this->kept_form( 'qbo_save_connection:' ) ?? $this->kept_form( 'qbo_save_mapping:' ),
					)
				);
			}
		);
	}
}
