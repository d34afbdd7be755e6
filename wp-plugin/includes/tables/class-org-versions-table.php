<?php
/**
 * Published and scheduled org-structure versions.
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

/**
 * The Org structure screen's table.
 */
class Org_Versions_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'org_version', 'org_versions' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'number'       => __( 'Version', 'pet' ),
			'status'       => __( 'Status', 'pet' ),
			'effective_at' => __( 'Effective', 'pet' ),
			'note'         => __( 'Note', 'pet' ),
		);
	}

	/**
	 * Loads a page of versions.
	 *
	 * @param \Pet\Engine $engine Engine.
	 */
	public function load( \Pet\Engine $engine ): void {
		$per_page = 20;
		$this->set_result(
			$engine->listOrgStructureVersions(
				array(
					'page'     => $this->get_pagenum(),
					'per_page' => $per_page,
				)
			),
			$per_page
		);
	}

	/**
	 * @param array $item Version.
	 */
	public function column_number( $item ) {
		return '<strong>' . esc_html( '#' . (int) ( $item['number'] ?? 0 ) ) . '</strong>';
	}

	/**
	 * @param array $item Version.
	 */
	public function column_status( $item ) {
		return 'published' === ( $item['status'] ?? '' ) ? esc_html__( 'Published', 'pet' ) : esc_html__( 'Scheduled', 'pet' );
	}

	/**
	 * @param array $item Version.
	 */
	public function column_effective_at( $item ) {
		return esc_html( self::when( $item['effective_at'] ?? null ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No org structure has been published yet.', 'pet' );
	}
}
