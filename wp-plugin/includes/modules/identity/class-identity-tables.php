<?php
/**
 * Identity list tables: the Employees, Teams, Customers and Org structure screens' tables,
 * and the sub-lists of the detail screens (an employee's rates, a team's members, a
 * customer's contacts).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Identity;

use PetWp\Tables\Table;
use PetWp\View;

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
	 * @param \Pet\Identity $identity Identity API.
	 */
	public function load( \Pet\Identity $identity ): void {
		$query  = array();
		$status = \PetWp\Input::text( 'status' );
		if ( in_array( $status, $identity->identityOptions()['employee_status'], true ) ) {
			$query['status'] = $status;
		}
		$this->load_page( fn ( $q ) => $identity->listEmployees( $q ), array( 's' => 'search' ), $query );
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
		if ( current_user_can( \PetWp\Access::MANAGE_PEOPLE ) ) {
			if ( View::allows( $item, 'deactivate' ) ) {
				$actions['deactivate'] = self::action_form( 'deactivate_employee', array( 'id' => $id ), __( 'Deactivate', 'pet' ) );
			} elseif ( View::allows( $item, 'reactivate' ) ) {
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


/**
 * The Teams screen's table.
 */
class Teams_Table extends Table {

	/** @var array<string,string> team id => name, for the parent column */
	private $names = array();

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'team', 'teams' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'    => __( 'Team', 'pet' ),
			'parent'  => __( 'Parent team', 'pet' ),
			'members' => __( 'Members', 'pet' ),
			'status'  => __( 'Status', 'pet' ),
		);
	}

	/**
	 * Loads all teams (hierarchies are small; no paging, so the tree stays whole).
	 *
	 * @param \Pet\Identity $identity Identity API.
	 */
	public function load( \Pet\Identity $identity ): void {
		$query  = array();
		$status = \PetWp\Input::text( 'status' );
		if ( in_array( $status, $identity->identityOptions()['team_status'], true ) ) {
			$query['status'] = $status;
		}
		$result = $identity->listTeams( $query );
		foreach ( $result['items'] ?? array() as $team ) {
			$this->names[ (string) $team['id'] ] = (string) $team['name'];
		}
		$this->set_rows( $result['items'] ?? array() );
	}

	/** @return array<string,string> */
	protected function get_views() {
		$current = \PetWp\Input::text( 'status' );
		$views   = array();
		foreach ( array(
			''         => __( 'All', 'pet' ),
			'active'   => __( 'Active', 'pet' ),
			'archived' => __( 'Archived', 'pet' ),
		) as $status => $label ) {
			$url   = self::page_url( 'pet-teams', '' === $status ? array() : array( 'status' => $status ) );
			$class = $current === $status ? ' class="current"' : '';
			$views[ '' === $status ? 'all' : $status ] = '<a href="' . esc_url( $url ) . '"' . $class . '>' . esc_html( $label ) . '</a>';
		}
		return $views;
	}

	/**
	 * Name, indented by depth, with row actions.
	 *
	 * @param array $item Team.
	 */
	public function column_name( $item ) {
		$id      = (string) $item['id'];
		$view    = self::page_url( 'pet-teams', array( 'team' => $id ) );
		$actions = array( 'view' => '<a href="' . esc_url( $view ) . '">' . esc_html__( 'Members / edit', 'pet' ) . '</a>' );
		if ( current_user_can( \PetWp\Access::MANAGE_PEOPLE ) && View::allows( $item, 'archive' ) ) {
			$actions['archive'] = self::action_form( 'archive_team', array( 'id' => $id ), __( 'Archive', 'pet' ) );
		}
		$depth = max( 0, (int) ( $item['depth'] ?? 0 ) );
		return '<strong>' . esc_html( str_repeat( '— ', $depth ) ) . '<a class="row-title" href="' . esc_url( $view ) . '">' . esc_html( (string) $item['name'] ) . '</a></strong>' . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Team.
	 */
	public function column_parent( $item ) {
		$parent = (string) ( $item['parent_id'] ?? '' );
		if ( '' === $parent ) {
			return '—';
		}
		return esc_html( $this->names[ $parent ] ?? $parent );
	}

	/**
	 * Number of current memberships.
	 *
	 * @param array $item Team.
	 */
	public function column_members( $item ) {
		if ( ! isset( $item['members'] ) || ! is_array( $item['members'] ) ) {
			return isset( $item['member_count'] ) ? esc_html( (string) (int) $item['member_count'] ) : '—';
		}
		$names = array();
		foreach ( $item['members'] as $m ) {
			if ( empty( $m['valid_to'] ) ) {
				$names[] = (string) $m['employee_name'];
			}
		}
		return esc_html( implode( ', ', $names ) );
	}

	/**
	 * @param array $item Team.
	 */
	public function column_status( $item ) {
		return 'active' === ( $item['status'] ?? '' ) ? esc_html__( 'Active', 'pet' ) : esc_html__( 'Archived', 'pet' );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No teams yet.', 'pet' );
	}
}


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
	 * @param \Pet\Identity $identity Identity API.
	 */
	public function load( \Pet\Identity $identity ): void {
		$this->load_page( fn ( $q ) => $identity->listCustomers( $q ), array( 's' => 'search' ) );
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
		if ( current_user_can( \PetWp\Access::MANAGE_PEOPLE ) && View::allows( $item, 'archive' ) ) {
			$actions['archive'] = self::action_form( 'archive_customer', array( 'id' => $id ), __( 'Archive', 'pet' ) );
		}
		return '<strong><a class="row-title" href="' . esc_url( $view ) . '">' . esc_html( (string) $item['name'] ) . '</a></strong>' . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Customer.
	 */
	public function column_contacts( $item ) {
		if ( ! isset( $item['contacts'] ) || ! is_array( $item['contacts'] ) || array() === $item['contacts'] ) {
			return '—';
		}
		$names = implode( ', ', array_map( static fn ( $c ) => (string) $c['name'], $item['contacts'] ) );
		$more  = (int) ( $item['contact_count'] ?? 0 ) - count( $item['contacts'] );
		if ( $more > 0 ) {
			/* translators: 1: the first contacts' names, 2: how many more contacts there are. */
			$names = sprintf( _n( '%1$s and %2$s more', '%1$s and %2$s more', $more, 'pet' ), $names, number_format_i18n( $more ) );
		}
		return esc_html( $names );
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
	 * @param \Pet\Identity $identity Identity API.
	 */
	public function load( \Pet\Identity $identity ): void {
		$per_page = 20;
		$this->set_result(
			$identity->listOrgStructureVersions(
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
		$labels = array(
			'scheduled' => __( 'Scheduled', 'pet' ),
			'published' => __( 'Published', 'pet' ),
		);
		$status = (string) ( $item['status'] ?? '' );
		return esc_html( $labels[ $status ] ?? $status );
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
		if ( current_user_can( \PetWp\Access::MANAGE_PEOPLE ) && empty( $item['valid_to'] ) ) {
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

	/**
	 * Loads the page of the customer's contacts matching the request's search (a flat list:
	 * a customer may have thousands).
	 *
	 * @param \Pet\Identity $identity    Identity API.
	 * @param string        $customer_id The customer.
	 */
	public function load( \Pet\Identity $identity, string $customer_id ): void {
		$this->load_page( fn ( $q ) => $identity->listContacts( $customer_id, $q ), array( 's' => 'search' ) );
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
