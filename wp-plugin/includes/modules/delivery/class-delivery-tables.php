<?php
/**
 * WP_List_Table subclass of the Projects screen: the projects, newest first, with sold
 * against delivered time.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Delivery;

use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Projects (a keyset list: first / previous / next links).
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
			'status'             => __( 'Status', 'pet' ),
			'constraint_version' => __( 'Constraint version', 'pet' ),
			'delivered'          => __( 'Delivered / sold', 'pet' ),
			'created_at'         => __( 'Created', 'pet' ),
		);
	}

	/**
	 * Loads the page for the request's status filter.
	 *
	 * @param \Pet\Delivery $delivery Delivery API.
	 */
	public function load( \Pet\Delivery $delivery ): void {
		$this->load_page( fn ( $q ) => $delivery->listProjects( $q ), array( 'status' => 'status' ) );
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
		$text = Delivery_Admin::hm( $done ) . ' / ' . Delivery_Admin::hm( $sold );
		if ( $sold > 0 ) {
			$text .= ' (' . number_format_i18n( (int) floor( $done * 100 / $sold ) ) . '%)';
		}
		return esc_html( $text );
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
