<?php
/**
 * Employees list: search, status views, row actions (view, deactivate/reactivate).
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

/**
 * The Employees screen's table.
 */
class Employees_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'employee', 'employees' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'              => __( 'Name', 'pet' ),
			'email'             => __( 'Email', 'pet' ),
			'status'            => __( 'Status', 'pet' ),
			'wp_user_id'        => __( 'WordPress user', 'pet' ),
			'current_cost_rate' => __( 'Cost rate / h', 'pet' ),
			'current_bill_rate' => __( 'Bill rate / h', 'pet' ),
		);
	}

	/**
	 * Loads the page of employees matching the request's search and status.
	 *
	 * @param \Pet\Engine $engine Engine.
	 */
	public function load( \Pet\Engine $engine ): void {
		$per_page = 20;
		$query    = array(
			'page'     => $this->get_pagenum(),
			'per_page' => $per_page,
		);
		$search   = \PetWp\Input::text( 's' );
		if ( '' !== $search ) {
			$query['search'] = $search;
		}
		$status = \PetWp\Input::text( 'status' );
		if ( in_array( $status, array( 'active', 'inactive' ), true ) ) {
			$query['status'] = $status;
		}
		$this->set_result( $engine->listEmployees( $query ), $per_page );
	}

	/** @return array<string,string> */
	protected function get_views() {
		$current = \PetWp\Input::text( 'status' );
		$views   = array();
		foreach ( array(
			''         => __( 'All', 'pet' ),
			'active'   => __( 'Active', 'pet' ),
			'inactive' => __( 'Inactive', 'pet' ),
		) as $status => $label ) {
			$url              = self::page_url( 'pet-employees', '' === $status ? array() : array( 'status' => $status ) );
			$class            = $current === $status ? ' class="current"' : '';
			$views[ '' === $status ? 'all' : $status ] = '<a href="' . esc_url( $url ) . '"' . $class . '>' . esc_html( $label ) . '</a>';
		}
		return $views;
	}

	/**
	 * Name with row actions.
	 *
	 * @param array $item Employee.
	 */
	public function column_name( $item ) {
		$id      = (string) $item['id'];
		$view    = self::page_url( 'pet-employees', array( 'employee' => $id ) );
		$actions = array( 'view' => '<a href="' . esc_url( $view ) . '">' . esc_html__( 'View / edit', 'pet' ) . '</a>' );
		if ( current_user_can( 'pet_manage' ) ) {
			if ( 'active' === ( $item['status'] ?? '' ) ) {
				$actions['deactivate'] = self::action_form( 'deactivate_employee', array( 'id' => $id ), __( 'Deactivate', 'pet' ) );
			} else {
				$actions['reactivate'] = self::action_form( 'reactivate_employee', array( 'id' => $id ), __( 'Reactivate', 'pet' ) );
			}
		}
		return '<strong><a class="row-title" href="' . esc_url( $view ) . '">' . esc_html( (string) $item['name'] ) . '</a></strong>' . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Employee.
	 */
	public function column_status( $item ) {
		return 'active' === ( $item['status'] ?? '' ) ? esc_html__( 'Active', 'pet' ) : esc_html__( 'Inactive', 'pet' );
	}

	/**
	 * @param array $item Employee.
	 */
	public function column_wp_user_id( $item ) {
		if ( empty( $item['wp_user_id'] ) ) {
			return '—';
		}
		$user = get_userdata( (int) $item['wp_user_id'] );
		return $user ? esc_html( $user->user_login ) : esc_html( '#' . (int) $item['wp_user_id'] );
	}

	/**
	 * @param array $item Employee.
	 */
	public function column_current_cost_rate( $item ) {
		return esc_html( self::money( $item['current_cost_rate'] ?? null ) );
	}

	/**
	 * @param array $item Employee.
	 */
	public function column_current_bill_rate( $item ) {
		return esc_html( self::money( $item['current_bill_rate'] ?? null ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No employees found.', 'pet' );
	}
}
