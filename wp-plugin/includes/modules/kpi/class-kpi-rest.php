<?php
/**
 * The KPI module's pet/v1 REST routes: definitions (list, get, define, publish a version),
 * results per period (with `as_of`: the numbers known at that time), the explanation of a
 * period, the dashboard, the calculator catalogue and running the KPI job now. Reading needs
 * pet_view_settings; defining, publishing and running the job need pet_manage_settings. Engine exceptions become
 * WP_Error responses through \PetWp\Rest::error() (400 validation, 404 not found, 409
 * conflict, 422 rule refused).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Kpi;

use PetWp\Access;
use PetWp\Plugin;
use PetWp\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Registers and serves the KPI routes.
 */
final class Kpi_Rest {

	/** @var \Pet\Kpi|null the request's KPI API */
	private static $engine = null;

	/** The engine's KPI API (one per request, sharing the engine's connection pool). */
	public static function engine(): \Pet\Kpi {
		if ( null === self::$engine ) {
			self::$engine = new \Pet\Kpi( Plugin::engine_settings() );
		}
		return self::$engine;
	}

	/**
	 * Query parameters with the integer ones as integers.
	 *
	 * @param \WP_REST_Request $r    Request.
	 * @param list<string>     $keys Allowed keys.
	 */
	private static function query( \WP_REST_Request $r, array $keys ): array {
		$q = Rest::query( $r, $keys );
		foreach ( array( 'version', 'periods', 'page', 'per_page' ) as $k ) {
			if ( isset( $q[ $k ] ) && is_numeric( $q[ $k ] ) ) {
				$q[ $k ] = (int) $q[ $k ];
			}
		}
		return $q;
	}

	/**
	 * Registers the routes (rest_api_init).
	 */
	public function register_routes(): void {
		$id   = '(?P<id>[0-9a-fA-F-]{1,64})';
		$work = Access::VIEW_SETTINGS;
		$man  = Access::MANAGE_SETTINGS;
		$k    = static fn (): \Pet\Kpi => self::engine();
		$ctx  = static fn ( \WP_REST_Request $r ): array => Rest::context( Plugin::instance(), $r );

		Rest::route( '/kpis', 'GET', $work, fn ( $r ) => $k()->listKpis( self::query( $r, array( 'page', 'per_page', 'after', 'before' ) ) ) );
		Rest::route( '/kpis', 'POST', $man, fn ( $r ) => $k()->defineKpi( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( '/kpi-options', 'GET', $work, fn ( $r ) => $k()->kpiOptions() );
		Rest::route( '/kpi-dashboard', 'GET', $work, fn ( $r ) => $k()->kpiDashboard( self::query( $r, array( 'team_id', 'employee_id', 'customer_id', 'project_id', 'periods' ) ) ) );
		Rest::route( '/kpi-job', 'POST', $man, fn ( $r ) => $k()->runKpiJob() );
		Rest::route( "/kpis/$id", 'GET', $work, fn ( $r ) => $k()->getKpi( (string) $r['id'] ) );
		Rest::route( "/kpis/$id/versions", 'POST', $man, fn ( $r ) => $k()->publishKpiVersion( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/kpis/$id/results", 'GET', $work, fn ( $r ) => $k()->kpiResults( (string) $r['id'], self::query( $r, array( 'version', 'periods', 'as_of' ) ) ) );
		Rest::route( "/kpis/$id/explanation", 'GET', $work, fn ( $r ) => $k()->explainKpi( (string) $r['id'], self::query( $r, array( 'version', 'period', 'as_of' ) ) ) );
	}
}
