<?php
/**
 * WP_List_Table subclasses of the sales screens: leads, opportunities, quotes.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

use PetWp\Picker;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Leads with search and filters by status, owner and source.
 */
class Leads_Table extends Table {

	/**
	 * The lead statuses the engine knows (the status filter's options), set by load().
	 *
	 * @var list<string>
	 */
	public array $statuses = array();

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'lead', 'leads' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'company_name' => __( 'Company', 'pet' ),
			'status'       => __( 'Status', 'pet' ),
			'source'       => __( 'Source', 'pet' ),
			'owner_name'   => __( 'Owner', 'pet' ),
			'created_at'   => __( 'Captured', 'pet' ),
		);
	}

	/**
	 * The owner filter, set by load(): the owner picker's id, or the one employee its typed
	 * text names ('' for any owner, or when the text names no single employee).
	 */
	public string $owner_id = '';

	/**
	 * Loads the page matching the request's search and filters.
	 *
	 * @param \Pet\Sales $sales Sales API.
	 */
	public function load( \Pet\Sales $sales ): void {
		$owner          = Picker::value( 'owner_id', 'all-employees', array(), false );
		$this->owner_id = $owner;
		$this->load_page(
			function ( array $q ) use ( $sales ): array {
				$r              = $sales->listLeads( $q );
				$this->statuses = array_map( 'strval', (array) ( $r['options']['status'] ?? array() ) );
				return $r;
			},
			array( 's' => 'search', 'status' => 'status', 'source' => 'source' ),
			'' === $owner ? array() : array( 'owner_id' => $owner )
		);
	}

	/**
	 * Company with a link to the lead.
	 *
	 * @param array $item Lead.
	 */
	public function column_company_name( $item ) {
		$url = self::page_url( 'pet-leads', array( 'lead' => (string) $item['id'] ) );
		return self::title_link( $url, (string) $item['company_name'] );
	}

	/**
	 * @param array $item Lead.
	 */
	public function column_created_at( $item ) {
		return esc_html( self::when( $item['created_at'] ?? '' ) );
	}
}

/**
 * Opportunities (optionally of one stage).
 */
class Opportunities_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'opportunity', 'opportunities' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'title'          => __( 'Opportunity', 'pet' ),
			'customer_name'  => __( 'Customer', 'pet' ),
			'status'         => __( 'Stage', 'pet' ),
			'expected_value' => __( 'Expected value', 'pet' ),
			'expected_close' => __( 'Expected close', 'pet' ),
			'owner_name'     => __( 'Owner', 'pet' ),
		);
	}

	/**
	 * Loads the page (stage from the request).
	 *
	 * @param \Pet\Sales $sales Sales API.
	 */
	public function load( \Pet\Sales $sales ): void {
		$this->load_page( fn ( $q ) => $sales->listOpportunities( $q ), array( 'status' => 'status' ) );
	}

	/**
	 * @param array $item Opportunity.
	 */
	public function column_title( $item ) {
		$url = self::page_url( 'pet-pipeline', array( 'opportunity' => (string) $item['id'] ) );
		return self::title_link( $url, (string) $item['title'] );
	}

	/**
	 * @param array $item Opportunity.
	 */
	public function column_expected_value( $item ) {
		return esc_html( self::money( $item['expected_value'] ?? null ) );
	}
}

/**
 * Quotes with search (title or Q-number).
 */
class Quotes_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'quote', 'quotes' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'reference'      => __( 'Quote', 'pet' ),
			'customer_name'  => __( 'Customer', 'pet' ),
			'latest_version' => __( 'Version', 'pet' ),
			'status'         => __( 'Status', 'pet' ),
			'total'          => __( 'Total', 'pet' ),
			'created_at'     => __( 'Created', 'pet' ),
		);
	}

	/**
	 * Loads the page matching the request's search.
	 *
	 * @param \Pet\Sales $sales Sales API.
	 */
	public function load( \Pet\Sales $sales ): void {
		$this->load_page( fn ( $q ) => $sales->listQuotes( $q ), array( 's' => 'search' ) );
	}

	/**
	 * @param array $item Quote.
	 */
	public function column_reference( $item ) {
		$url = self::page_url( 'pet-quotes', array( 'quote' => (string) $item['id'] ) );
		return self::title_link( $url, $item['reference'] . ' ' . $item['title'] );
	}

	/**
	 * @param array $item Quote.
	 */
	public function column_status( $item ) {
		$s = (string) $item['status'];
		return '<span class="pet-status pet-status-' . esc_attr( $s ) . '">' . esc_html( \PetWp\View::value_label( $s ) ) . '</span>';
	}

	/**
	 * @param array $item Quote.
	 */
	public function column_total( $item ) {
		return esc_html( self::money( $item['total'] ?? null ) );
	}

	/**
	 * @param array $item Quote.
	 */
	public function column_created_at( $item ) {
		return esc_html( self::when( $item['created_at'] ?? '' ) );
	}
}
