<?php
/**
 * wp-admin: the PET menu (its order and the notices on PET screens) and the engine core's
 * screens — Activity, Jobs, Settings — with the admin-post.php actions behind their forms.
 * The modules' screens (identity's Employees, Teams, Customers and Org structure among them)
 * are in includes/modules/<module>/. Every action checks a capability and a nonce, reads input
 * through Input, calls the engine and reports the outcome as a notice after a redirect (the
 * shared plumbing of Module_Admin); the screens' HTML is in includes/views/.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * The PET menu and the core screens and actions.
 */
final class Admin extends Module_Admin {

	/**
	 * Actions: name => [capability, handler method]. Each is reached as
	 * admin-post.php?action=pet_<name> and protected by the nonce 'pet_<name>'.
	 */
	public const ACTIONS = array(
		'run_jobs'      => array( Plugin::CAP_MANAGE, 'do_run_jobs' ),
		'retry_job'     => array( Plugin::CAP_MANAGE, 'do_retry_job' ),
		'save_settings' => array( 'manage_options', 'do_save_settings' ),
	);

	/** The core menu comes first. */
	protected const MENU_PRIORITY = 10;

	/**
	 * Hooks the menu, notices and actions.
	 */
	public function register(): void {
		parent::register();
		add_action( 'admin_notices', array( $this, 'notices' ) );
		add_action( 'admin_menu', array( $this, 'add_core_pages' ), 20 );
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
	 * The PET menu's top-level page. Its screen is identity's Employees page, which
	 * modules/identity adds under the same slug (priority 15) before any other submenu page,
	 * so WordPress does not add a copy of the top-level entry; the core pages come after
	 * (add_core_pages(), priority 20).
	 */
	public function menu(): void {
		add_menu_page( __( 'PET', 'pet' ), __( 'PET', 'pet' ), Plugin::CAP_WORK, 'pet-employees', '', 'dashicons-groups', 30 );
	}

	/**
	 * The core pages under the PET menu (admin_menu, priority 20).
	 */
	public function add_core_pages(): void {
		$this->add_pages( $this->pages() );
	}

	/**
	 * The core pages under the PET menu.
	 */
	protected function pages(): array {
		return array(
			'pet-activity' => array( __( 'Activity', 'pet' ), Plugin::CAP_WORK, 'page_activity' ),
			'pet-jobs'     => array( __( 'Jobs', 'pet' ), Plugin::CAP_MANAGE, 'page_jobs' ),
			'pet-settings' => array( __( 'Settings', 'pet' ), 'manage_options', 'page_settings' ),
		);
	}

	/**
	 * The picker on Activity (the "who" filter).
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
		if ( 'pet-activity' === $page ) {
			self::enqueue_pickers();
		}
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

	/**
	 * Loads a core table class file.
	 *
	 * @param string $file File name under includes/tables.
	 */
	private static function load_table( string $file ): void {
		require_once __DIR__ . '/tables/class-table.php';
		require_once __DIR__ . '/tables/' . $file;
	}

	// ---- screens ---------------------------------------------------------------------------------

	/**
	 * Activity: filters (context type and id, actor, date range) and the paged feed.
	 */
	public function page_activity(): void {
		$this->screen(
			__( 'Activity', 'pet' ),
			function (): void {
				self::load_table( 'class-activity-table.php' );
				$types = array( '' => __( 'all', 'pet' ) );
				foreach ( Tables\Activity_Table::CONTEXT_TYPES as $t ) {
					$types[ $t ] = View::value_label( $t );
				}
				$table = new Tables\Activity_Table();
				$table->load( $this->plugin->engine() );
				self::view(
					'core/activity',
					array(
						'filters' => Tables\Activity_Table::filters(),
						'types'   => $types,
						'table'   => $table,
					)
				);
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
				self::load_table( 'class-jobs-table.php' );
				$table = new Tables\Jobs_Table();
				$table->load( $this->plugin->engine() );
				self::view( 'core/jobs', array( 'table' => $table ) );
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
				self::view(
					'core/settings',
					array(
						'delete_on_uninstall' => '1' === get_option( Plugin::OPTION_DELETE_ON_UNINSTALL, '0' ),
						'health'              => $this->plugin->engine()->health(),
					)
				);
			}
		);
	}
}
