<?php
/**
 * wp-admin: the PET menu and screens (Employees, Teams, Customers, Org structure, Activity,
 * Jobs, Settings) and the admin-post.php action handlers behind their forms. Every action
 * checks a capability and a nonce, reads input through Input, calls the engine and reports
 * the outcome as a notice after a redirect (the shared plumbing of Module_Admin).
 *
 * @package PetWp
 */

namespace PetWp;

use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Admin screens and actions.
 */
final class Admin extends Module_Admin {

	/**
	 * Actions: name => [capability, handler method]. Each is reached as
	 * admin-post.php?action=pet_<name> and protected by the nonce 'pet_<name>'.
	 */
	public const ACTIONS = array(
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
		'run_jobs'            => array( Plugin::CAP_MANAGE, 'do_run_jobs' ),
		'retry_job'           => array( Plugin::CAP_MANAGE, 'do_retry_job' ),
		'save_settings'       => array( 'manage_options', 'do_save_settings' ),
	);

	/** The core menu comes first. */
	protected const MENU_PRIORITY = 10;

	/**
	 * Hooks the menu, notices and actions.
	 */
	public function register(): void {
		parent::register();
		add_action( 'admin_notices', array( $this, 'notices' ) );
		add_action( 'admin_menu', array( $this, 'order_menu' ), 999 );
	}

	/** The PET submenu in working order: daily screens first, set-up after (slugs). */
	public const MENU_ORDER = array( 'pet-employees', 'pet-customers', 'pet-leads', 'pet-pipeline', 'pet-quotes', 'pet-tickets', 'pet-kb', 'pet-activity', 'pet-teams', 'pet-org', 'pet-lead-schema', 'pet-slas', 'pet-jobs', 'pet-settings' );

	/**
	 * Orders the PET submenu (modules add their pages in load order) by MENU_ORDER; pages
	 * it does not name keep their place after the named ones.
	 */
	public function order_menu(): void {
		global $submenu;
		if ( empty( $submenu['pet-employees'] ) || ! is_array( $submenu['pet-employees'] ) ) {
			return;
		}
		$rank  = array_flip( self::MENU_ORDER );
		$items = array_values( $submenu['pet-employees'] );
		$keyed = array();
		foreach ( $items as $i => $item ) {
			$keyed[] = array( $rank[ $item[2] ?? '' ] ?? count( $rank ) + $i, $item );
		}
		usort( $keyed, static fn ( $a, $b ) => $a[0] <=> $b[0] );
		// phpcs:ignore WordPress.WP.GlobalVariablesOverride.Prohibited -- reordering our own submenu.
		$submenu['pet-employees'] = array_column( $keyed, 1 );
	}

	/**
	 * The PET menu.
	 */
	public function menu(): void {
		add_menu_page( __( 'PET', 'pet' ), __( 'PET', 'pet' ), Plugin::CAP_WORK, 'pet-employees', array( $this, 'page_employees' ), 'dashicons-groups', 30 );
		$this->add_pages(
			array(
				'pet-employees' => array( __( 'Employees', 'pet' ), Plugin::CAP_WORK, 'page_employees' ),
				'pet-teams'     => array( __( 'Teams', 'pet' ), Plugin::CAP_WORK, 'page_teams' ),
				'pet-customers' => array( __( 'Customers', 'pet' ), Plugin::CAP_WORK, 'page_customers' ),
				'pet-org'       => array( __( 'Org structure', 'pet' ), Plugin::CAP_WORK, 'page_org' ),
				'pet-activity'  => array( __( 'Activity', 'pet' ), Plugin::CAP_WORK, 'page_activity' ),
				'pet-jobs'      => array( __( 'Jobs', 'pet' ), Plugin::CAP_MANAGE, 'page_jobs' ),
				'pet-settings'  => array( __( 'Settings', 'pet' ), 'manage_options', 'page_settings' ),
			)
		);
	}

	/**
	 * Queued notices, and the "no employee" notice on PET screens.
	 */
	public function notices(): void {
		Notices::render_queued();
		$screen = get_current_screen();
		if ( ! $screen || false === strpos( (string) $screen->id, 'pet-' ) || ! current_user_can( Plugin::CAP_WORK ) ) {
			return;
		}
		try {
			if ( null === $this->plugin->employee_for_user() ) {
				Notices::render( 'warning', Plugin::no_employee_message() );
			}
		} catch ( \Throwable $e ) {
			Notices::render_throwable( $e );
		}
	}

	// ---- action handlers --------------------------------------------------------------------

	/**
	 * Rate input from the form fields PREFIX_amount, PREFIX_currency and effective_from.
	 *
	 * @param string $prefix 'cost' or 'bill'.
	 */
	private function rate_input( string $prefix ): ?array {
		$amount = Input::minor_units( $prefix . '_amount' );
		if ( null === $amount ) {
			return null;
		}
		return array(
			'amount_minor'   => $amount,
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
		$user  = Input::optional_int( 'wp_user_id' );
		if ( null !== $user ) {
			$input['wp_user_id'] = $user;
		}
		foreach ( array( 'cost', 'bill' ) as $kind ) {
			$rate = $this->rate_input( $kind );
			if ( null !== $rate ) {
				$input[ $kind . '_rate' ] = $rate;
			}
		}
		$e = $this->plugin->engine()->createEmployee( $input, $this->ctx() );
		return array(
			/* translators: %s: employee name */
			sprintf( __( 'Employee %s created.', 'pet' ), $e['name'] ),
			Table::page_url( 'pet-employees' ),
		);
	}

	/** @return string */
	protected function do_deactivate_employee(): string {
		$e = $this->plugin->engine()->deactivateEmployee( Input::text( 'id' ), $this->ctx() );
		/* translators: %s: employee name */
		return sprintf( __( 'Employee %s deactivated.', 'pet' ), $e['name'] );
	}

	/** @return string */
	protected function do_reactivate_employee(): string {
		$e = $this->plugin->engine()->reactivateEmployee( Input::text( 'id' ), $this->ctx() );
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
		$amount = Input::minor_units( 'amount' );
		if ( null !== $amount ) {
			// An empty amount is left out for the engine to refuse, not saved as a zero rate.
			$rate['amount_minor'] = $amount;
		}
		$this->plugin->engine()->changeEmployeeRate( Input::text( 'id' ), $rate, $this->ctx() );
		return __( 'Rate saved.', 'pet' );
	}

	/** @return string */
	protected function do_link_user(): string {
		$e = $this->plugin->engine()->linkEmployeeUser( Input::text( 'id' ), Input::optional_int( 'wp_user_id' ), $this->ctx() );
		$this->plugin->forget_employee_cache();
		return empty( $e['wp_user_id'] ) ? __( 'WordPress user unlinked.', 'pet' ) : __( 'WordPress user linked.', 'pet' );
	}

	/** @return string */
	protected function do_create_team(): string {
		$t = $this->plugin->engine()->createTeam(
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
		$this->plugin->engine()->moveTeam( Input::text( 'id' ), Input::optional( 'parent_id' ), $this->ctx() );
		return __( 'Team moved.', 'pet' );
	}

	/** @return string */
	protected function do_archive_team(): string {
		$t = $this->plugin->engine()->archiveTeam( Input::text( 'id' ), $this->ctx() );
		/* translators: %s: team name */
		return sprintf( __( 'Team %s archived.', 'pet' ), $t['name'] );
	}

	/** @return string */
	protected function do_add_team_member(): string {
		$input = array(
			'employee_id' => Input::text( 'employee_id' ),
			'role'        => Input::text( 'role' ),
			'valid_from'  => Input::text( 'valid_from' ),
		);
		$to    = Input::optional( 'valid_to' );
		if ( null !== $to ) {
			$input['valid_to'] = $to;
		}
		$this->plugin->engine()->addTeamMember( Input::text( 'team' ), $input, $this->ctx() );
		return __( 'Member added.', 'pet' );
	}

	/** @return string */
	protected function do_remove_team_member(): string {
		$this->plugin->engine()->removeTeamMember( Input::text( 'team' ), Input::text( 'membership' ), array(), $this->ctx() );
		return __( 'Membership ended.', 'pet' );
	}

	/** @return string */
	protected function do_create_customer(): string {
		$c = $this->plugin->engine()->createCustomer( array( 'name' => Input::text( 'name' ) ), $this->ctx() );
		/* translators: %s: customer name */
		return sprintf( __( 'Customer %s created.', 'pet' ), $c['name'] );
	}

	/** @return string */
	protected function do_archive_customer(): string {
		$c = $this->plugin->engine()->archiveCustomer( Input::text( 'id' ), $this->ctx() );
		/* translators: %s: customer name */
		return sprintf( __( 'Customer %s archived.', 'pet' ), $c['name'] );
	}

	/** @return string */
	protected function do_add_contact(): string {
		$this->plugin->engine()->addContact(
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
		$v = $this->plugin->engine()->publishOrgStructure(
			array(
				'effective_at' => Input::utc_timestamp( 'effective_at' ),
				'note'         => Input::text( 'note' ),
			),
			$this->ctx()
		);
		return 'published' === $v['status']
			/* translators: %d: version number */
			? sprintf( __( 'Org structure version %d published.', 'pet' ), (int) $v['number'] )
			/* translators: %d: version number */
			: sprintf( __( 'Org structure version %d scheduled.', 'pet' ), (int) $v['number'] );
	}

	/** @return string */
	protected function do_run_jobs(): string {
		$r = $this->plugin->engine()->runJobs( array( 'max_seconds' => 20 ) );
		if ( ! empty( $r['skipped_locked'] ) ) {
			return __( 'Another job runner is busy; nothing was run.', 'pet' );
		}
		return sprintf(
			/* translators: 1: jobs claimed, 2: succeeded, 3: failed, 4: dead-lettered */
			__( 'Jobs run: %1$d claimed, %2$d succeeded, %3$d failed, %4$d dead.', 'pet' ),
			(int) $r['claimed'],
			(int) $r['succeeded'],
			(int) $r['failed'],
			(int) $r['dead']
		);
	}

	/** @return string */
	protected function do_retry_job(): string {
		$this->plugin->engine()->retryJob( Input::text( 'id' ), $this->ctx() );
		return __( 'Job queued again.', 'pet' );
	}

	/** @return string */
	protected function do_save_settings(): string {
		update_option( Plugin::OPTION_DELETE_ON_UNINSTALL, '1' === Input::text( 'delete_on_uninstall' ) ? '1' : '0', false );
		return __( 'Settings saved.', 'pet' );
	}

	// ---- rendering helpers -------------------------------------------------------------------

	/**
	 * Active teams as select options (id => indented name).
	 *
	 * @param string $none Label of the empty choice.
	 * @return array<string,string>
	 */
	private function team_options( string $none ): array {
		$options = array( '' => $none );
		foreach ( $this->plugin->engine()->listTeams( array( 'status' => 'active' ) )['items'] ?? array() as $t ) {
			$options[ (string) $t['id'] ] = str_repeat( '— ', max( 0, (int) ( $t['depth'] ?? 0 ) ) ) . (string) $t['name'];
		}
		return $options;
	}

	/**
	 * Dropdown of WordPress users.
	 *
	 * @param string $name     Field name.
	 * @param int    $selected Selected user id.
	 */
	private static function user_dropdown( string $name, int $selected ): void {
		wp_dropdown_users(
			array(
				'name'              => $name,
				'id'                => 'pet-' . str_replace( '_', '-', $name ),
				'selected'          => $selected,
				'show_option_none'  => __( '— none —', 'pet' ),
				'option_none_value' => '0',
			)
		);
	}

	/**
	 * Loads a table class file.
	 *
	 * @param string $file File name under includes/tables.
	 */
	private static function load_table( string $file ): void {
		require_once __DIR__ . '/tables/class-table.php';
		require_once __DIR__ . '/tables/' . $file;
	}

	// ---- screens ---------------------------------------------------------------------------------

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
				self::load_table( 'class-employees-table.php' );
				$table = new Tables\Employees_Table();
				$table->load( $this->plugin->engine() );
				$table->views();
				echo '<form method="get"><input type="hidden" name="page" value="pet-employees">';
				$table->search_box( __( 'Search employees', 'pet' ), 'pet-employee' );
				echo '</form>';
				$table->display();
				if ( current_user_can( Plugin::CAP_MANAGE ) ) {
					echo '<h2>' . esc_html__( 'Add employee', 'pet' ) . '</h2>';
					self::form_open( 'create_employee', array(), 'pet-create-employee' );
					echo '<table class="form-table" role="presentation">';
					self::field( 'name', __( 'Name', 'pet' ), 'text', '', 'required' );
					self::field( 'email', __( 'Email', 'pet' ), 'email', '', 'required' );
					echo '<tr><th scope="row"><label for="pet-wp-user-id">' . esc_html__( 'WordPress user', 'pet' ) . '</label></th><td>';
					self::user_dropdown( 'wp_user_id', 0 );
					echo '</td></tr>';
					self::field( 'cost_amount', __( 'Cost rate per hour (optional)', 'pet' ), 'text', '', 'inputmode="decimal" placeholder="60.00"' );
					self::field( 'bill_amount', __( 'Bill rate per hour (optional)', 'pet' ), 'text', '', 'inputmode="decimal" placeholder="120.00"' );
					self::field( 'currency', __( 'Currency', 'pet' ), 'text', 'EUR', 'maxlength="3" size="3"' );
					self::field( 'effective_from', __( 'Rates effective from', 'pet' ), 'date', Input::today() );
					echo '</table>';
					submit_button( __( 'Add employee', 'pet' ) );
					echo '</form>';
				}
			}
		);
	}

	/**
	 * One employee: facts, rates, change rate, link WordPress user, (de)activate.
	 *
	 * @param string $id Employee id.
	 */
	private function employee_detail( string $id ): void {
		$e = $this->plugin->engine()->getEmployee( $id );
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-employees' ) ) . '">&larr; ' . esc_html__( 'All employees', 'pet' ) . '</a></p>';
		echo '<h2>' . esc_html( (string) $e['name'] ) . '</h2>';
		echo '<p>' . esc_html( (string) $e['email'] ) . ' · ' . esc_html( 'active' === $e['status'] ? __( 'Active', 'pet' ) : __( 'Inactive', 'pet' ) ) . '</p>';
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'employee', 'context_id' => $id ) ) ) . '">' . esc_html__( 'Activity of this employee', 'pet' ) . '</a></p>';

		self::load_table( 'class-detail-tables.php' );
		echo '<h3>' . esc_html__( 'Rates', 'pet' ) . '</h3>';
		$rates = new Tables\Rates_Table();
		$rates->set_rows( $e['rates'] ?? array() );
		$rates->display();

		if ( ! current_user_can( Plugin::CAP_MANAGE ) ) {
			return;
		}
		echo '<h3>' . esc_html__( 'Change a rate', 'pet' ) . '</h3>';
		self::form_open( 'change_rate', array( 'id' => $id ), 'pet-change-rate' );
		echo '<table class="form-table" role="presentation"><tr><th scope="row"><label for="pet-kind">' . esc_html__( 'Kind', 'pet' ) . '</label></th><td>';
		self::select(
			'kind',
			array(
				'cost' => __( 'Cost rate', 'pet' ),
				'bill' => __( 'Bill rate', 'pet' ),
			),
			'',
			'pet-kind'
		);
		echo '</td></tr>';
		self::field( 'amount', __( 'Per hour', 'pet' ), 'text', '', 'inputmode="decimal" required' );
		self::field( 'currency', __( 'Currency', 'pet' ), 'text', 'EUR', 'maxlength="3" size="3"' );
		self::field( 'effective_from', __( 'Effective from', 'pet' ), 'date', Input::today() );
		echo '</table>';
		submit_button( __( 'Save rate', 'pet' ), 'secondary' );
		echo '</form>';

		echo '<h3>' . esc_html__( 'Linked WordPress user', 'pet' ) . '</h3>';
		self::form_open( 'link_user', array( 'id' => $id ), 'pet-link-user' );
		self::user_dropdown( 'wp_user_id', (int) ( $e['wp_user_id'] ?? 0 ) );
		submit_button( __( 'Save link', 'pet' ), 'secondary', 'submit', false );
		echo '</form>';

		echo '<h3>' . esc_html__( 'Status', 'pet' ) . '</h3>';
		if ( 'active' === $e['status'] ) {
			self::form_open( 'deactivate_employee', array( 'id' => $id ) );
			submit_button( __( 'Deactivate employee', 'pet' ), 'delete', 'submit', false );
		} else {
			self::form_open( 'reactivate_employee', array( 'id' => $id ) );
			submit_button( __( 'Reactivate employee', 'pet' ), 'secondary', 'submit', false );
		}
		echo '</form>';
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
				self::load_table( 'class-teams-table.php' );
				$table = new Tables\Teams_Table();
				$table->load( $this->plugin->engine() );
				$table->views();
				$table->display();
				if ( current_user_can( Plugin::CAP_MANAGE ) ) {
					echo '<h2>' . esc_html__( 'Add team', 'pet' ) . '</h2>';
					self::form_open( 'create_team', array(), 'pet-create-team' );
					echo '<table class="form-table" role="presentation">';
					self::field( 'name', __( 'Name', 'pet' ), 'text', '', 'required' );
					echo '<tr><th scope="row"><label for="pet-parent-id">' . esc_html__( 'Parent team', 'pet' ) . '</label></th><td>';
					self::select( 'parent_id', $this->team_options( __( '— top level —', 'pet' ) ), '', 'pet-parent-id' );
					echo '</td></tr></table>';
					submit_button( __( 'Add team', 'pet' ) );
					echo '</form>';
				}
			}
		);
	}

	/**
	 * One team: members, add member, move, archive.
	 *
	 * @param string $id Team id.
	 */
	private function team_detail( string $id ): void {
		$t = $this->plugin->engine()->getTeam( $id );
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-teams' ) ) . '">&larr; ' . esc_html__( 'All teams', 'pet' ) . '</a></p>';
		echo '<h2>' . esc_html( (string) $t['name'] ) . '</h2>';
		echo '<p>' . esc_html( 'active' === $t['status'] ? __( 'Active', 'pet' ) : __( 'Archived', 'pet' ) ) . ' · <a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'team', 'context_id' => $id ) ) ) . '">' . esc_html__( 'Activity of this team', 'pet' ) . '</a></p>';

		self::load_table( 'class-detail-tables.php' );
		echo '<h3>' . esc_html__( 'Members', 'pet' ) . '</h3>';
		$members = new Tables\Members_Table( $id );
		$members->set_rows( $t['members'] ?? array() );
		$members->display();

		if ( ! current_user_can( Plugin::CAP_MANAGE ) || 'active' !== $t['status'] ) {
			return;
		}
		echo '<h3>' . esc_html__( 'Add member', 'pet' ) . '</h3>';
		self::form_open( 'add_team_member', array( 'team' => $id ), 'pet-add-member' );
		echo '<table class="form-table" role="presentation"><tr><th scope="row"><label for="pet-employee-id">' . esc_html__( 'Employee', 'pet' ) . '</label></th><td>';
		self::select( 'employee_id', $this->employee_options( array( '' => __( '— choose —', 'pet' ) ) ), '', 'pet-employee-id' );
		echo '</td></tr><tr><th scope="row"><label for="pet-role">' . esc_html__( 'Role', 'pet' ) . '</label></th><td>';
		self::select(
			'role',
			array(
				'member' => __( 'Member', 'pet' ),
				'lead'   => __( 'Lead', 'pet' ),
			),
			'',
			'pet-role'
		);
		echo '</td></tr>';
		self::field( 'valid_from', __( 'Valid from', 'pet' ), 'date', Input::today() );
		self::field( 'valid_to', __( 'Valid to (optional)', 'pet' ), 'date' );
		echo '</table>';
		submit_button( __( 'Add member', 'pet' ) );
		echo '</form>';

		echo '<h3>' . esc_html__( 'Move team', 'pet' ) . '</h3>';
		self::form_open( 'move_team', array( 'id' => $id ), 'pet-move-team' );
		$options = $this->team_options( __( '— top level —', 'pet' ) );
		unset( $options[ $id ] );
		self::select( 'parent_id', $options, (string) ( $t['parent_id'] ?? '' ), 'pet-parent-id' );
		submit_button( __( 'Move', 'pet' ), 'secondary', 'submit', false );
		echo '</form>';

		echo '<h3>' . esc_html__( 'Archive', 'pet' ) . '</h3>';
		self::form_open( 'archive_team', array( 'id' => $id ) );
		submit_button( __( 'Archive team', 'pet' ), 'delete', 'submit', false );
		echo '</form>';
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
				self::load_table( 'class-customers-table.php' );
				$table = new Tables\Customers_Table();
				$table->load( $this->plugin->engine() );
				echo '<form method="get"><input type="hidden" name="page" value="pet-customers">';
				$table->search_box( __( 'Search customers', 'pet' ), 'pet-customer' );
				echo '</form>';
				$table->display();
				if ( current_user_can( Plugin::CAP_MANAGE ) ) {
					echo '<h2>' . esc_html__( 'Add customer', 'pet' ) . '</h2>';
					self::form_open( 'create_customer', array(), 'pet-create-customer' );
					echo '<table class="form-table" role="presentation">';
					self::field( 'name', __( 'Company name', 'pet' ), 'text', '', 'required' );
					echo '</table>';
					submit_button( __( 'Add customer', 'pet' ) );
					echo '</form>';
				}
			}
		);
	}

	/**
	 * One customer: contacts, add contact, archive.
	 *
	 * @param string $id Customer id.
	 */
	private function customer_detail( string $id ): void {
		$c = $this->plugin->engine()->getCustomer( $id );
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-customers' ) ) . '">&larr; ' . esc_html__( 'All customers', 'pet' ) . '</a></p>';
		echo '<h2>' . esc_html( (string) $c['name'] ) . '</h2>';
		self::load_table( 'class-detail-tables.php' );
		echo '<h3>' . esc_html__( 'Contacts', 'pet' ) . '</h3>';
		$contacts = new Tables\Contacts_Table();
		$contacts->set_rows( $c['contacts'] ?? array() );
		$contacts->display();
		if ( ! current_user_can( Plugin::CAP_MANAGE ) || 'active' !== $c['status'] ) {
			return;
		}
		echo '<h3>' . esc_html__( 'Add contact', 'pet' ) . '</h3>';
		self::form_open( 'add_contact', array( 'customer' => $id ), 'pet-add-contact' );
		echo '<table class="form-table" role="presentation">';
		self::field( 'name', __( 'Name', 'pet' ), 'text', '', 'required' );
		self::field( 'email', __( 'Email', 'pet' ), 'email' );
		self::field( 'phone', __( 'Phone', 'pet' ), 'tel' );
		echo '</table>';
		submit_button( __( 'Add contact', 'pet' ) );
		echo '</form>';
		echo '<h3>' . esc_html__( 'Archive', 'pet' ) . '</h3>';
		self::form_open( 'archive_customer', array( 'id' => $id ) );
		submit_button( __( 'Archive customer', 'pet' ), 'delete', 'submit', false );
		echo '</form>';
	}

	/**
	 * Org structure: publish now or schedule; list of versions.
	 */
	public function page_org(): void {
		$this->screen(
			__( 'Org structure', 'pet' ),
			function (): void {
				echo '<p>' . esc_html__( 'Publishing takes a snapshot of the current teams and memberships as a new numbered version. KPIs use the version in force when each fact happened.', 'pet' ) . '</p>';
				if ( current_user_can( Plugin::CAP_MANAGE ) ) {
					self::form_open( 'publish_org', array(), 'pet-publish-org' );
					echo '<table class="form-table" role="presentation">';
					self::field( 'effective_at', __( 'Effective at (empty = now; a future time schedules it)', 'pet' ), 'datetime-local' );
					self::field( 'note', __( 'Note', 'pet' ) );
					echo '</table>';
					submit_button( __( 'Publish org structure', 'pet' ) );
					echo '</form>';
				}
				self::load_table( 'class-org-versions-table.php' );
				$table = new Tables\Org_Versions_Table();
				$table->load( $this->plugin->engine() );
				$table->display();
			}
		);
	}

	/**
	 * Activity: filters (context type and id, actor, date range) and the paged feed.
	 */
	public function page_activity(): void {
		$this->screen(
			__( 'Activity', 'pet' ),
			function (): void {
				self::load_table( 'class-activity-table.php' );
				$f = Tables\Activity_Table::filters();
				echo '<form method="get" class="pet-activity-filters"><input type="hidden" name="page" value="pet-activity"><p>';
				echo '<label for="pet-context-type">' . esc_html__( 'Context', 'pet' ) . '</label> ';
				$types = array( '' => __( 'all', 'pet' ) );
				foreach ( Tables\Activity_Table::CONTEXT_TYPES as $t ) {
					$types[ $t ] = str_replace( '_', ' ', $t );
				}
				self::select( 'context_type', $types, $f['context_type'] ?? '', 'pet-context-type' );
				echo ' <label for="pet-context-id">' . esc_html__( 'Context id', 'pet' ) . '</label> <input type="text" name="context_id" id="pet-context-id" value="' . esc_attr( $f['context_id'] ?? '' ) . '" size="38">';
				echo ' <label for="pet-actor-id">' . esc_html__( 'Who', 'pet' ) . '</label> ';
				self::select( 'actor_id', $this->employee_options( array( '' => __( 'anyone', 'pet' ) ), '' ), $f['actor_id'] ?? '', 'pet-actor-id' );
				echo ' <label for="pet-from">' . esc_html__( 'From', 'pet' ) . '</label> <input type="date" name="from" id="pet-from" value="' . esc_attr( $f['from'] ?? '' ) . '">';
				echo ' <label for="pet-to">' . esc_html__( 'To', 'pet' ) . '</label> <input type="date" name="to" id="pet-to" value="' . esc_attr( $f['to'] ?? '' ) . '"> ';
				submit_button( __( 'Filter', 'pet' ), 'secondary', 'filter', false );
				echo ' <a href="' . esc_url( Table::page_url( 'pet-activity' ) ) . '">' . esc_html__( 'Reset', 'pet' ) . '</a></p></form>';
				$table = new Tables\Activity_Table();
				$table->load( $this->plugin->engine() );
				if ( $table->pending > 0 ) {
					/* translators: %s: number of events */
					echo '<div class="notice notice-info inline"><p>' . esc_html( sprintf( _n( '%s more recorded event is still being added to the feed; reload in a moment.', '%s more recorded events are still being added to the feed; reload in a moment.', $table->pending, 'pet' ), number_format_i18n( $table->pending ) ) ) . '</p></div>';
				}
				$table->display();
			}
		);
	}

	/**
	 * Jobs: the queue by status, retry dead jobs, run due jobs now.
	 */
	public function page_jobs(): void {
		$this->screen(
			__( 'Jobs', 'pet' ),
			function (): void {
				echo '<p>' . esc_html__( 'Background work (activity feed catch-up, scheduled org-structure publication) runs from WP-Cron every minute. Jobs that failed too often are "dead" and can be retried here.', 'pet' ) . '</p>';
				self::form_open( 'run_jobs', array(), 'pet-run-jobs' );
				submit_button( __( 'Run due jobs now', 'pet' ), 'secondary', 'submit', false );
				echo '</form>';
				self::load_table( 'class-jobs-table.php' );
				$table = new Tables\Jobs_Table();
				$table->load( $this->plugin->engine() );
				$table->views();
				$table->display();
			}
		);
	}

	/**
	 * Settings: the explicit "delete all PET data on uninstall" choice, and a health check.
	 */
	public function page_settings(): void {
		$this->screen(
			__( 'PET settings', 'pet' ),
			function (): void {
				self::form_open( 'save_settings', array(), 'pet-settings' );
				$checked = '1' === get_option( Plugin::OPTION_DELETE_ON_UNINSTALL, '0' );
				echo '<table class="form-table" role="presentation"><tr><th scope="row">' . esc_html__( 'Uninstall', 'pet' ) . '</th><td><label><input type="checkbox" name="delete_on_uninstall" value="1"' . checked( $checked, true, false ) . '> ';
				echo esc_html__( 'Delete all PET data (every {prefix}pet_* table) when the plugin is deleted. Leave unticked to keep the data.', 'pet' ) . '</label></td></tr></table>';
				submit_button( __( 'Save settings', 'pet' ) );
				echo '</form>';

				echo '<h2>' . esc_html__( 'Health', 'pet' ) . '</h2>';
				$health = $this->plugin->engine()->health();
				echo '<table class="widefat striped"><tbody>';
				foreach ( $health['checks'] ?? array() as $name => $check ) {
					echo '<tr><td>' . esc_html( (string) $name ) . '</td><td>' . esc_html( ! empty( $check['ok'] ) ? '✔' : '✘' ) . '</td><td>' . esc_html( (string) ( $check['message'] ?? '' ) ) . '</td></tr>';
				}
				echo '</tbody></table>';
			}
		);
	}
}
