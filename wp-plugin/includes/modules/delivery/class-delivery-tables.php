<?php
/**
 * WP_List_Table subclass of the Projects screen: the projects, newest first (searched by
 * project or customer name, filtered by status and customer), with the customer, sold
 * against delivered time as a bar and the variance threshold crossed.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Delivery;

use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Projects (a keyset list: first / previous / next links). Delivered / sold as h:mm with a
 * bar and the percentage; variance as the threshold crossed.
 */
class Projects_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'project', 'projects' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'               => __( 'Project', 'pet' ),
			'customer'           => __( 'Customer', 'pet' ),
			'status'             => __( 'Status', 'pet' ),
			'constraint_version' => __( 'Constraint version', 'pet' ),
			'delivered'          => __( 'Delivered / sold', 'pet' ),
			'variance'           => __( 'Variance', 'pet' ),
			'created_at'         => __( 'Created', 'pet' ),
		);
	}

	/**
	 * Loads the page for the request's search (s), status and customer filters.
	 *
	 * @param \Pet\Delivery $delivery Delivery API.
	 */
	public function load( \Pet\Delivery $delivery ): void {
		$customer = \PetWp\Picker::value( 'customer_id', 'customers', array(), false );
		$this->load_page(
			fn ( $q ) => $delivery->listProjects( $q ),
			array(
				's'      => 'search',
				'status' => 'status',
			),
			'' === $customer ? array() : array( 'customer_id' => $customer )
		);
	}

	/**
	 * The customer's name.
	 *
	 * @param array $item Project.
	 */
	public function column_customer( $item ) {
		return esc_html( null === $item['customer_name'] ? __( '(internal)', 'pet' ) : (string) $item['customer_name'] );
	}

	/**
	 * The highest variance threshold crossed (80 %, 100 %, 120 %), or none.
	 *
	 * @param array $item Project.
	 */
	public function column_variance( $item ) {
		if ( null === $item['threshold_reached'] ) {
			return '<span class="pet-variance pet-variance-none">' . esc_html__( 'none', 'pet' ) . '</span>';
		}
		$t = (int) $item['threshold_reached'];
		/* translators: %d: threshold percentage (80, 100 or 120). */
		return '<span class="pet-variance pet-variance-' . esc_attr( (string) $t ) . '">' . esc_html( sprintf( __( '%d %% crossed', 'pet' ), $t ) ) . '</span>';
	}

	/**
	 * Name linking to the project page.
	 *
	 * @param array $item Project.
	 */
	public function column_name( $item ) {
		$url = self::page_url( Delivery_Admin::PROJECTS_PAGE, array( 'id' => (string) $item['id'] ) );
		$tag = null === $item['sale_id'] ? __( 'internal', 'pet' ) : __( 'from a sale', 'pet' );
		return '<strong><a class="row-title" href="' . esc_url( $url ) . '">' . esc_html( (string) $item['name'] ) . '</a></strong><br><span class="description">' . esc_html( $tag ) . '</span>';
	}

	/**
	 * Status badge.
	 *
	 * @param array $item Project.
	 */
	public function column_status( $item ) {
		return '<span class="pet-status pet-status-' . esc_attr( (string) $item['status'] ) . '">' . esc_html( str_replace( '_', ' ', (string) $item['status'] ) ) . '</span>';
	}

	/**
	 * Delivered against sold, as h:mm and a percentage.
	 *
	 * @param array $item Project.
	 */
	public function column_delivered( $item ) {
		$sold = (int) $item['sold_minutes'];
		$done = (int) $item['delivered_minutes'];
		ob_start();
		Delivery_Admin::used_bar( $sold, null === $item['percent'] ? null : (int) $item['percent'] );
		return esc_html( Delivery_Admin::hm( $done ) . ' / ' . Delivery_Admin::hm( $sold ) ) . '<br>' . (string) ob_get_clean();
	}

	/**
	 * Creation time.
	 *
	 * @param array $item Project.
	 */
	public function column_created_at( $item ) {
		return esc_html( self::when( $item['created_at'] ) );
	}
}
