<?php
/**
 * The job queue: status views and the retry action for dead-lettered jobs.
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

/**
 * The Jobs screen's table.
 */
class Jobs_Table extends Table {

	/** Job statuses (views). */
	public const STATUSES = array( 'pending', 'running', 'failed', 'dead', 'done' );

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'job', 'jobs' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'kind'       => __( 'Job', 'pet' ),
			'status'     => __( 'Status', 'pet' ),
			'attempts'   => __( 'Attempts', 'pet' ),
			'run_at'     => __( 'Due', 'pet' ),
			'last_error' => __( 'Last error', 'pet' ),
		);
	}

	/**
	 * Loads a page of jobs of the requested status.
	 *
	 * @param \Pet\Engine $engine Engine.
	 */
	public function load( \Pet\Engine $engine ): void {
		$query  = array();
		$status = \PetWp\Input::text( 'status' );
		if ( in_array( $status, self::STATUSES, true ) ) {
			$query['status'] = $status;
		}
		$this->load_page( fn ( $q ) => $engine->listJobs( $q ), array(), $query, 25 );
	}

	/** @return array<string,string> */
	protected function get_views() {
		$current = \PetWp\Input::text( 'status' );
		$views   = array( 'all' => '<a href="' . esc_url( self::page_url( 'pet-jobs' ) ) . '"' . ( '' === $current ? ' class="current"' : '' ) . '>' . esc_html__( 'All', 'pet' ) . '</a>' );
		foreach ( self::STATUSES as $status ) {
			$url              = self::page_url( 'pet-jobs', array( 'status' => $status ) );
			$views[ $status ] = '<a href="' . esc_url( $url ) . '"' . ( $current === $status ? ' class="current"' : '' ) . '>' . esc_html( \PetWp\View::value_label( $status ) ) . '</a>';
		}
		return $views;
	}

	/**
	 * Job kind with the retry action for dead jobs.
	 *
	 * @param array $item Job.
	 */
	public function column_kind( $item ) {
		$kind    = (string) ( $item['kind'] ?? $item['type'] ?? $item['name'] ?? '' );
		$actions = array();
		if ( current_user_can( \PetWp\Access::MANAGE_SETTINGS ) && 'dead' === ( $item['status'] ?? '' ) && isset( $item['id'] ) ) {
			$actions['retry'] = self::action_form( 'retry_job', array( 'id' => (string) $item['id'] ), __( 'Retry', 'pet' ) );
		}
		return '<strong>' . esc_html( $kind ) . '</strong>' . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Job.
	 */
	public function column_run_at( $item ) {
		return esc_html( self::when( $item['run_at'] ?? $item['available_at'] ?? null ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No jobs.', 'pet' );
	}
}
