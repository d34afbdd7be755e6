<?php
/**
 * KPI module: the PET dashboard (KPI tiles with the trend against the previous period, charts
 * over periods, filters by team, employee, customer and project, CSV export), the KPI
 * definitions (define, publish a new version, backfill progress, results per version and the
 * explanation of a period: the facts it counts, with links), the WordPress Dashboard widget
 * with the headline KPIs, and the pet/v1 KPI routes. Holds no business rule: every number is
 * the engine's (\Pet\Kpi).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Kpi;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-kpi-rest.php';

add_action( 'rest_api_init', array( new Kpi_Rest(), 'register_routes' ) );

// WP-Cron: ask for a KPI run every minute (deduplicated by the engine), before the job
// runner the core hooks at the default priority runs it.
add_action(
	Plugin::CRON_HOOK,
	static function (): void {
		try {
			Kpi_Rest::engine()->enqueueKpiJob();
		} catch ( \Throwable $e ) {
			Plugin::log( 'KPI job not enqueued: ' . get_class( $e ) . ': ' . $e->getMessage() );
		}
	},
	5
);

if ( is_admin() ) {
	require_once __DIR__ . '/class-kpi-admin.php';
	$pet_kpi_admin = new Kpi_Admin( Plugin::instance() );
	$pet_kpi_admin->register();
	add_action( 'wp_dashboard_setup', array( $pet_kpi_admin, 'dashboard_widget' ) );
	add_action( 'admin_init', array( $pet_kpi_admin, 'maybe_export_csv' ) );
}
