<?php
/**
 * Accounting module: the QuickBooks Online integration — the QuickBooks screen (connection:
 * client id and secret, Connect through Intuit's OAuth 2.0 authorisation and back to wp-admin,
 * status; mapping: items, tax codes, currency mode, invoices or estimates; reconciliation:
 * mismatched, missing and dead pushes with a one-click re-push, totals per month), a notice when
 * the connection is lost, the pet/v1 routes (connection status, pushes, totals, re-push), and the
 * WP-Cron hook asking for the push and reconciliation jobs. Holds
 * no business rule: every decision is the engine's (\Pet\Accounting).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Accounting;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

// WP-Cron: ask for the push and reconciliation jobs every minute (deduplicated by the engine),
// before the job runner the core hooks at the default priority runs them.
add_action(
	Plugin::CRON_HOOK,
	static function (): void {
		try {
			Accounting_Admin::engine()->enqueueJobs();
		} catch ( \Throwable $e ) {
			Plugin::log( 'Accounting jobs not enqueued: ' . get_class( $e ) . ': ' . $e->getMessage() );
		}
	},
	5
);

require_once __DIR__ . '/class-accounting-admin.php';
require_once __DIR__ . '/class-accounting-rest.php';

add_action( 'rest_api_init', array( new Accounting_Rest( Plugin::instance() ), 'register_routes' ) );

if ( is_admin() ) {
	$pet_accounting_admin = new Accounting_Admin( Plugin::instance() );
	$pet_accounting_admin->register();
	add_action( 'admin_init', array( $pet_accounting_admin, 'maybe_finish_connection' ) );
	add_action( 'admin_notices', array( $pet_accounting_admin, 'connection_notice' ) );
}
