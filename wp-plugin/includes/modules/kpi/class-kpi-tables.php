<?php
/**
 * WP_List_Table of the KPI screen: the definitions, a flat keyset-paged list (the engine's
 * listKpis), each with its latest version's calculator, scope, period and backfill progress.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Kpi;

use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * KPI definitions with their latest version.
 */
class Kpis_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'kpi', 'kpis' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'            => __( 'Name', 'pet' ),
			'calculator'      => __( 'Calculator', 'pet' ),
			'scope'           => __( 'Scope', 'pet' ),
			'grain'           => __( 'Period', 'pet' ),
			'current_version' => __( 'Version', 'pet' ),
			'results'         => __( 'Results', 'pet' ),
		);
	}

	/**
	 * Loads the requested page.
	 *
	 * @param \Pet\Kpi $kpi KPI API.
	 */
	public function load( \Pet\Kpi $kpi ): void {
		$this->load_page( fn ( $q ) => $kpi->listKpis( $q ) );
	}

	/**
	 * @param array $item KPI.
	 */
	public function column_name( $item ) {
		return self::title_link( Kpi_Admin::kpi_url( (string) $item['id'] ), (string) $item['name'] );
	}

	/**
	 * @param array $item KPI.
	 */
	public function column_calculator( $item ) {
		return esc_html( Kpi_Admin::calculator_label( (string) $item['current']['spec']['calculator'] ) );
	}

	/**
	 * @param array $item KPI.
	 */
	public function column_scope( $item ) {
		$scope = $item['current']['spec']['scope'];
		$kind  = (string) $scope['kind'];
		$sid   = (string) ( $scope['id'] ?? '' );
		$label = Kpi_Admin::scope_labels()[ $kind ] ?? $kind;
		return esc_html( $label . ( '' !== $sid ? ': ' . (string) ( $item['scope_name'] ?? $sid ) : '' ) );
	}

	/**
	 * @param array $item KPI.
	 */
	public function column_grain( $item ) {
		$grain = (string) $item['current']['spec']['grain'];
		return esc_html( Kpi_Admin::grain_labels()[ $grain ] ?? $grain );
	}

	/**
	 * @param array $item KPI.
	 */
	public function column_results( $item ) {
		$v = $item['current'];
		if ( 'done' === $v['backfill_status'] ) {
			return esc_html__( 'Up to date', 'pet' );
		}
		/* translators: 1: periods computed, 2: periods to compute. */
		return esc_html( sprintf( __( 'Computing: %1$d of %2$d periods', 'pet' ), (int) $v['periods_done'], (int) $v['periods_total'] ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No KPI is defined yet.', 'pet' );
	}
}
