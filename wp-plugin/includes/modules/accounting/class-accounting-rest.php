<?php
/**
 * The accounting module's pet/v1 REST routes: the QuickBooks connection's status (never a
 * secret), the push records (filter by status or reconciliation outcome, keyset paging with
 * after/before), the totals per month and the one-click re-push of a dead, mismatched or
 * missing push. Everything needs pet_manage_settings, as the QuickBooks screen does. Engine
 * exceptions become WP_Error responses through \PetWp\Rest (400 validation, 404 not found,
 * 422 rule refused).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Accounting;

use PetWp\Access;
use PetWp\Plugin;
use PetWp\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Registers and serves the accounting routes.
 */
final class Accounting_Rest {

	/** @var Plugin */
	private $plugin;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Registers the routes (rest_api_init).
	 */
	public function register_routes(): void {
		$id  = '(?P<id>[0-9a-fA-F-]{1,64})';
		$man = Access::MANAGE_SETTINGS;
		$a   = static fn (): \Pet\Accounting => Accounting_Admin::engine();

		Rest::route( '/accounting/connection', 'GET', $man, fn ( $r ) => $a()->connectionStatus() );
		Rest::route( '/accounting/pushes', 'GET', $man, fn ( $r ) => $a()->listPushes( Rest::query( $r, array( 'status', 'reconciliation', 'after', 'before' ) ) ) );
		Rest::route( '/accounting/totals', 'GET', $man, fn ( $r ) => $a()->pushTotals() );
		Rest::route( "/accounting/pushes/$id/repush", 'POST', $man, fn ( $r ) => $a()->repush( (string) $r['id'], Rest::context( $this->plugin, $r ) ) );
	}
}
