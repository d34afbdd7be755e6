<?php
/**
 * Identity screens and actions (wp-admin): Employees (list, add, rates, linked WordPress
 * user, (de)activation), Teams (hierarchy, members, move, archive), Customers (contacts,
 * archive) and Org structure (publish or schedule a version). Every action checks a
 * capability and a nonce, reads input through Input, calls the engine and reports the
 * outcome as a notice after a redirect (Module_Admin); the screens' HTML is in views/.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Identity;

use PetWp\Access;
use PetWp\Input;
use PetWp\Input_Exception;
use PetWp\Module_Admin;
use PetWp\Picker;
use PetWp\Plugin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the identity submenu pages and admin-post actions; prepares the screens.
 */
final class Identity_Admin extends Module_Admin {

	/** Screens and actions of the people area (see Module_Admin::cap()). */
	protected const AREA = 'people';

	/** Action => [capability, handler] (see Module_Admin::ACTIONS). */
	protected const ACTIONS = array(
		'create_employee'     => array( Plugin::CAP_MANAGE, 'do_create_employee' ),
		'deactivate_employee' => array( Plugin::CAP_MANAGE, 'do_deactivate_employee' ),
		'reactivate_employee' => array( Plugin::CAP_MANAGE, 'do_reactivate_employee' ),
		'change_rate'         => array( Plugin::CAP_MANAGE, 'do_change_rate' ),
		'link_user'           => array( Plugin::CAP_MANAGE, 'do_link_user' ),
		'create_team'         => array( Plugin::CAP_MANAGE, 'do_create_team' ),
		'move_team'           => array( Plugin::CAP_MANAGE, 'do_move_team' ),
		'archive_team'        => array( Plugin::CAP_MANAGE, 'do_archive_team' ),
		'add_team_member'     => array( Plugin::CAP_MANAGE, 'do_add_team_member' ),
		'remove_team_member'  => array( Plugin::CAP_MANAGE, 'do_remove_team_member' ),
		'create_customer'     => array( Plugin::CAP_MANAGE, 'do_create_customer' ),
		'archive_customer'    => array( Plugin::CAP_MANAGE, 'do_archive_customer' ),
		'add_contact'         => array( Plugin::CAP_MANAGE, 'do_add_contact' ),
		'publish_org'         => array( Plugin::CAP_MANAGE, 'do_publish_org' ),
	);

	/**
	 * After the core's PET menu (priority 10, which creates the top-level page these pages
	 * hang under) and before the other modules (20).
	 */
	protected const MENU_PRIORITY = 15;

	/**
	 * The identity pages under the PET menu (pet-employees is also the menu's own page).
	 */
	protected function pages(): array {
		return array(
			'pet-employees' => array( __( 'Employees', 'pet' ), Plugin::CAP_WORK, 'page_employees' ),
			'pet-teams'     => array( __( 'Teams', 'pet' ), Plugin::CAP_WORK, 'page_teams' ),
			'pet-customers' => array( __( 'Customers', 'pet' ), Plugin::CAP_WORK, 'page_customers' ),
			'pet-org'       => array( __( 'Org structure', 'pet' ), Plugin::CAP_WORK, 'page_org' ),
		);
	}

	/**
	 * The pickers on Teams (a team's add-member form) and Employees (the linked WordPress user).
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
		if ( in_array( $page, array( 'pet-teams', 'pet-employees' ), true ) ) {
			self::enqueue_pickers();
		}
	}

	/**
	 * Loads the list tables (core and identity).
	 */
	protected function load_tables(): void {
		parent::load_tables();
		require_once __DIR__ . '/class-identity-tables.php';
	}

	// ---- action handlers --------------------------------------------------------------------

	/**
	 * Rate input from the form fields PREFIX_amount, PREFIX_currency and effective_from.
	 *
	 * @param string $prefix 'cost' or 'bill'.
	 */
	private function rate_input( string $prefix ): ?array {
		$amount = Input::text( $prefix . '_amount' );
		if ( '' === $amount ) {
			return null;
		}
		return array(
			'amount'         => $amount,
			'currency'       => strtoupper( Input::text( 'currency' ) ),
			'effective_from' => Input::text( 'effective_from' ),
		);
	}

	/** @return array{0:string,1:string} */
	protected function do_create_employee(): array {
		$input = array(
			'name'  => Input::text( 'name' ),
			'email' => Input::text( 'email' ),
		);
		$user  = $this->chosen_user();
		if ( null !== $user ) {
			$input['wp_user_id'] = $user;
		}
		foreach ( array( 'cost', 'bill' ) as $kind ) {
			$rate = $this->rate_input( $kind );
			if ( null !== $rate ) {
				$input[ $kind . '_rate' ] = $rate;
			}
		}
		$e = $this->plugin->identity()->createEmployee( $input, $this->ctx() );
		return array(
			/* translators: %s: employee name */
			sprintf( __( 'Employee %s created.', 'pet' ), $e['name'] ),
			Table::page_url( 'pet-employees' ),
		);
	}

	/** @return string */
	protected function do_deactivate_employee(): string {
		$e = $this->plugin->identity()->deactivateEmployee( Input::text( 'id' ), $this->ctx() );
		/* translators: %s: employee name */
		return sprintf( __( 'Employee %s deactivated.', 'pet' ), $e['name'] );
	}

	/** @return string */
	protected function do_reactivate_employee(): string {
		$e = $this->plugin->identity()->reactivateEmployee( Input::text( 'id' ), $this->ctx() );
		/* translators: %s: employee name */
		return sprintf( __( 'Employee %s reactivated.', 'pet' ), $e['name'] );
	}

	/** @return string */
	protected function do_change_rate(): string {
		$rate   = array(
			'kind'           => Input::text( 'kind' ),
			'currency'       => strtoupper( Input::text( 'currency' ) ),
			'effective_from' => Input::text( 'effective_from' ),
		);
		$amount = Input::text( 'amount' );
		if ( '' !== $amount ) {
			// Typed in the currency's decimals (the engine checks them); an empty amount is
			// left out for the engine to refuse, not saved as a zero rate.
			$rate['amount'] = $amount;
		}
		$this->plugin->identity()->changeEmployeeRate( Input::text( 'id' ), $rate, $this->ctx() );
		return __( 'Rate saved.', 'pet' );
	}

	/**
	 * The WordPress user chosen in the `wp_user_id` picker (typed without script: resolved
	 * by the same search); null for none.
	 *
	 * @throws Input_Exception When the text names no single user, or the id is not a number.
	 */
	private function chosen_user(): ?int {
		$v = Picker::value( 'wp_user_id', 'users', array( '0' => __( '— none —', 'pet' ) ) );
		if ( '' === $v || '0' === $v ) {
			return null;
		}
		if ( ! ctype_digit( $v ) ) {
			throw new Input_Exception( __( 'Please correct the form.', 'pet' ), array( 'wp_user_id' => __( 'must be a whole number', 'pet' ) ) );
		}
		return (int) $v;
	}

	/** @return string */
	protected function do_link_user(): string {
		$e = $this->plugin->identity()->linkEmployeeUser( Input::text( 'id' ), $this->chosen_user(), $this->ctx() );
		$this->plugin->forget_employee_cache();
		return empty( $e['wp_user_id'] ) ? __( 'WordPress user unlinked.', 'pet' ) : __( 'WordPress user linked.', 'pet' );
	}

	/** @return string */
	protected function do_create_team(): string {
		$t = $this->plugin->identity()->createTeam(
			array(
				'name'      => Input::text( 'name' ),
				'parent_id' => Input::optional( 'parent_id' ),
			),
			$this->ctx()
		);
		/* translators: %s: team name */
		return sprintf( __( 'Team %s created.', 'pet' ), $t['name'] );
	}

	/** @return string */
	protected function do_move_team(): string {
		$this->plugin->identity()->moveTeam( Input::text( 'id' ), Input::optional( 'parent_id' ), $this->ctx() );
		return __( 'Team moved.', 'pet' );
	}

	/** @return string */
	protected function do_archive_team(): string {
		$t = $this->plugin->identity()->archiveTeam( Input::text( 'id' ), $this->ctx() );
		/* translators: %s: team name */
		return sprintf( __( 'Team %s archived.', 'pet' ), $t['name'] );
	}

	/** @return string */
	protected function do_add_team_member(): string {
		$input = array(
			'employee_id' => Picker::value( 'employee_id', 'employees' ),
			'role'        => Input::text( 'role' ),
			'valid_from'  => Input::text( 'valid_from' ),
		);
		$to    = Input::optional( 'valid_to' );
		if ( null !== $to ) {
			$input['valid_to'] = $to;
		}
		$this->plugin->identity()->addTeamMember( Input::text( 'team' ), $input, $this->ctx() );
		return __( 'Member added.', 'pet' );
	}

	/** @return string */
	protected function do_remove_team_member(): string {
		$this->plugin->identity()->removeTeamMember( Input::text( 'team' ), Input::text( 'membership' ), array(), $this->ctx() );
		return __( 'Membership ended.', 'pet' );
	}

	/** @return string */
	protected function do_create_customer(): string {
		$c = $this->plugin->identity()->createCustomer( array( 'name' => Input::text( 'name' ) ), $this->ctx() );
		/* translators: %s: customer name */
		return sprintf( __( 'Customer %s created.', 'pet' ), $c['name'] );
	}

	/** @return string */
	protected function do_archive_customer(): string {
		$c = $this->plugin->identity()->archiveCustomer( Input::text( 'id' ), $this->ctx() );
		/* translators: %s: customer name */
		return sprintf( __( 'Customer %s archived.', 'pet' ), $c['name'] );
	}

	/** @return string */
	protected function do_add_contact(): string {
		$this->plugin->identity()->addContact(
			Input::text( 'customer' ),
			array(
				'name'  => Input::text( 'name' ),
				'email' => Input::optional( 'email' ),
				'phone' => Input::optional( 'phone' ),
			),
			$this->ctx()
		);
		return __( 'Contact added.', 'pet' );
	}

	/** @return string */
	protected function do_publish_org(): string {
		$v = $this->plugin->identity()->publishOrgStructure(
			array(
				'effective_at' => Input::utc_timestamp( 'effective_at' ),
				'note'         => Input::text( 'note' ),
			),
			$this->ctx()
		);
		// A version still to be published once due was scheduled; otherwise it is in force.
		return View::allows( $v, 'publish_due' )
			/* translators: %d: version number */
			? sprintf( __( 'Org structure version %d scheduled.', 'pet' ), (int) $v['number'] )
			/* translators: %d: version number */
			: sprintf( __( 'Org structure version %d published.', 'pet' ), (int) $v['number'] );
	}

	// ---- data for the views -----------------------------------------------------------------

	/**
	 * Active teams as select options (id => indented name).
	 *
	 * @param string $none Label of the empty choice.
	 * @return array<string,string>
	 */
	private function team_options( string $none ): array {
		$options = array( '' => $none );
		foreach ( $this->plugin->identity()->listTeams( array( 'status' => 'active' ) )['items'] ?? array() as $t ) {
			$options[ (string) $t['id'] ] = str_repeat( '— ', max( 0, (int) ( $t['depth'] ?? 0 ) ) ) . (string) $t['name'];
		}
		return $options;
	}

	/**
	 * Activity link of one entity.
	 *
	 * @param string $type Context type.
	 * @param string $id   Context id.
	 */
	private static function activity_url( string $type, string $id ): string {
		return Table::page_url(
			'pet-activity',
			array(
				'context_type' => $type,
				'context_id'   => $id,
			)
		);
	}

	// ---- screens ----------------------------------------------------------------------------

	/**
	 * Employees: list, search, create; or one employee's detail (rates, WordPress user).
	 */
	public function page_employees(): void {
		$id = Input::text( 'employee' );
		if ( '' !== $id ) {
			$this->screen( __( 'Employee', 'pet' ), fn () => $this->employee_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Employees', 'pet' ),
			function (): void {
				$table = new Employees_Table();
				$table->load( $this->plugin->identity() );
				self::view(
					'identity/employees',
					array(
						'table'  => $table,
						'manage' => current_user_can( Access::MANAGE_PEOPLE ),
						'today'  => Input::today(),
					)
				);
			}
		);
	}

	/**
	 * One employee: facts, rates, change rate, link WordPress user, (de)activate.
	 *
	 * @param string $id Employee id.
	 */
	private function employee_detail( string $id ): void {
		$e     = $this->plugin->identity()->getEmployee( $id );
		$rates = new Rates_Table();
		$rates->set_rows( $e['rates'] ?? array() );
		self::view(
			'identity/employee',
			array(
				'employee'     => $e,
				'rates'        => $rates,
				'activity_url' => self::activity_url( 'employee', $id ),
				'manage'       => current_user_can( Access::MANAGE_PEOPLE ),
				'today'        => Input::today(),
			)
		);
	}

	/**
	 * Teams: hierarchy, create; or one team's detail (members, move, archive).
	 */
	public function page_teams(): void {
		$id = Input::text( 'team' );
		if ( '' !== $id ) {
			$this->screen( __( 'Team', 'pet' ), fn () => $this->team_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Teams', 'pet' ),
			function (): void {
				$table = new Teams_Table();
				$table->load( $this->plugin->identity() );
				$manage = current_user_can( Access::MANAGE_PEOPLE );
				self::view(
					'identity/teams',
					array(
						'table'   => $table,
						'manage'  => $manage,
						'parents' => $manage ? $this->team_options( __( '— top level —', 'pet' ) ) : array(),
					)
				);
			}
		);
	}

	/**
	 * One team: members, add member, move, archive.
	 *
	 * @param string $id Team id.
	 */
	private function team_detail( string $id ): void {
		$t       = $this->plugin->identity()->getTeam( $id );
		$members = new Members_Table( $id );
		$members->set_rows( $t['members'] ?? array() );
		$change = current_user_can( Access::MANAGE_PEOPLE ) && View::allows( $t, 'add_member' );
		$data   = array(
			'team'         => $t,
			'members'      => $members,
			'activity_url' => self::activity_url( 'team', $id ),
			'change'       => $change,
			'today'        => Input::today(),
		);
		if ( $change ) {
			$parents = $this->team_options( __( '— top level —', 'pet' ) );
			unset( $parents[ $id ] );
			$data['parents'] = $parents;
		}
		self::view( 'identity/team', $data );
	}

	/**
	 * Customers: list, search, create; or one customer's contacts.
	 */
	public function page_customers(): void {
		$id = Input::text( 'customer' );
		if ( '' !== $id ) {
			$this->screen( __( 'Customer', 'pet' ), fn () => $this->customer_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Customers', 'pet' ),
			function (): void {
				$table = new Customers_Table();
				$table->load( $this->plugin->identity() );
				self::view(
					'identity/customers',
					array(
						'table'  => $table,
						'manage' => current_user_can( Access::MANAGE_PEOPLE ),
					)
				);
			}
		);
	}

	/**
	 * One customer: contacts, add contact, archive.
	 *
	 * @param string $id Customer id.
	 */
	private function customer_detail( string $id ): void {
		$c        = $this->plugin->identity()->getCustomer( $id );
		$contacts = new Contacts_Table();
		$contacts->load( $this->plugin->identity(), $id );
		self::view(
			'identity/customer',
			array(
				'customer' => $c,
				'contacts' => $contacts,
				'change'   => current_user_can( Access::MANAGE_PEOPLE ) && View::allows( $c, 'add_contact' ),
			)
		);
	}

	/**
	 * Org structure: publish now or schedule; list of versions.
	 */
	public function page_org(): void {
		$this->screen(
			__( 'Org structure', 'pet' ),
			function (): void {
				$table = new Org_Versions_Table();
				$table->load( $this->plugin->identity() );
				self::view(
					'identity/org',
					array(
						'table'  => $table,
						'manage' => current_user_can( Access::MANAGE_PEOPLE ),
					)
				);
			}
		);
	}
}
