<?php
/**
 * Sub-list tables shown on detail views: an employee's rates, a team's members, a
 * customer's contacts.
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

/**
 * An employee's effective-dated rates.
 */
class Rates_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'rate', 'rates' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'kind'           => __( 'Kind', 'pet' ),
			'amount'         => __( 'Per hour', 'pet' ),
			'effective_from' => __( 'Effective from', 'pet' ),
		);
	}

	/**
	 * @param array $item Rate.
	 */
	public function column_kind( $item ) {
		return 'bill' === ( $item['kind'] ?? '' ) ? esc_html__( 'Bill rate', 'pet' ) : esc_html__( 'Cost rate', 'pet' );
	}

	/**
	 * @param array $item Rate.
	 */
	public function column_amount( $item ) {
		return esc_html( self::money( $item ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No rates yet.', 'pet' );
	}
}

/**
 * A team's memberships.
 */
class Members_Table extends Table {

	/** @var string */
	private $team_id;

	/**
	 * @param string $team_id Team id (for the remove action).
	 */
	public function __construct( string $team_id ) {
		parent::__construct( 'member', 'members' );
		$this->team_id = $team_id;
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'employee_name' => __( 'Employee', 'pet' ),
			'role'          => __( 'Role', 'pet' ),
			'valid_from'    => __( 'Valid from', 'pet' ),
			'valid_to'      => __( 'Valid to', 'pet' ),
		);
	}

	/**
	 * Employee name with the remove action.
	 *
	 * @param array $item Membership.
	 */
	public function column_employee_name( $item ) {
		$actions = array();
		if ( current_user_can( 'pet_manage' ) && empty( $item['valid_to'] ) ) {
			$actions['remove'] = self::action_form(
				'remove_team_member',
				array(
					'team'       => $this->team_id,
					'membership' => (string) $item['id'],
				),
				__( 'End membership', 'pet' )
			);
		}
		$url = self::page_url( 'pet-employees', array( 'employee' => (string) $item['employee_id'] ) );
		return '<a href="' . esc_url( $url ) . '">' . esc_html( (string) $item['employee_name'] ) . '</a>' . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Membership.
	 */
	public function column_role( $item ) {
		return 'lead' === ( $item['role'] ?? '' ) ? esc_html__( 'Lead', 'pet' ) : esc_html__( 'Member', 'pet' );
	}

	/**
	 * @param array $item Membership.
	 */
	public function column_valid_to( $item ) {
		return empty( $item['valid_to'] ) ? '—' : esc_html( (string) $item['valid_to'] );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'This team has no members yet.', 'pet' );
	}
}

/**
 * A customer's contacts.
 */
class Contacts_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'contact', 'contacts' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'  => __( 'Name', 'pet' ),
			'email' => __( 'Email', 'pet' ),
			'phone' => __( 'Phone', 'pet' ),
		);
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No contacts yet.', 'pet' );
	}
}
