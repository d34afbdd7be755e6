<?php
/**
 * Customers list with search and row actions.
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

/**
 * The Customers screen's table.
 */
class Customers_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'customer', 'customers' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'     => __( 'Customer', 'pet' ),
			'contacts' => __( 'Contacts', 'pet' ),
			'status'   => __( 'Status', 'pet' ),
		);
	}

	/**
	 * Loads the page of customers matching the request's search.
	 *
	 * @param \Pet\Engine $engine Engine.
	 */
	public function load( \Pet\Engine $engine ): void {
		$this->load_page( fn ( $q ) => $engine->listCustomers( $q ), array( 's' => 'search' ) );
	}

	/**
	 * Name with row actions.
	 *
	 * @param array $item Customer.
	 */
	public function column_name( $item ) {
		$id      = (string) $item['id'];
		$view    = self::page_url( 'pet-customers', array( 'customer' => $id ) );
		$actions = array( 'view' => '<a href="' . esc_url( $view ) . '">' . esc_html__( 'Contacts / edit', 'pet' ) . '</a>' );
		if ( current_user_can( 'pet_manage' ) && 'active' === ( $item['status'] ?? '' ) ) {
			$actions['archive'] = self::action_form( 'archive_customer', array( 'id' => $id ), __( 'Archive', 'pet' ) );
		}
		return '<strong><a class="row-title" href="' . esc_url( $view ) . '">' . esc_html( (string) $item['name'] ) . '</a></strong>' . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Customer.
	 */
	public function column_contacts( $item ) {
		if ( ! isset( $item['contacts'] ) || ! is_array( $item['contacts'] ) ) {
			return '—';
		}
		return esc_html( implode( ', ', array_map( static fn ( $c ) => (string) $c['name'], $item['contacts'] ) ) );
	}

	/**
	 * @param array $item Customer.
	 */
	public function column_status( $item ) {
		return 'active' === ( $item['status'] ?? '' ) ? esc_html__( 'Active', 'pet' ) : esc_html__( 'Archived', 'pet' );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No customers yet.', 'pet' );
	}
}
