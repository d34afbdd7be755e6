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
		'run_jobs'      => array( Access::MANAGE_SETTINGS, 'do_run_jobs' ),
		'retry_job'     => array( Access::MANAGE_SETTINGS, 'do_retry_job' ),
		'save_settings' => array( 'manage_options', 'do_save_settings' ),
		'verify_chain'  => array( 'manage_options', 'do_verify_chain' ),
	);

	/** Entity types whose state as of a date the History screen rebuilds. */
	private const AS_OF_TYPES = array( 'employee', 'quote', 'ticket', 'project' );

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
		add_action( 'admin_post_pet_export_events', array( $this, 'download_export' ) );
	}

	/** The PET submenu in working order: daily screens first, set-up after (slugs). */
	public const MENU_ORDER = array( 'pet-dashboard', 'pet-employees', 'pet-customers', 'pet-leads', 'pet-pipeline', 'pet-quotes', 'pet-tickets', 'pet-kb', 'pet-activity', 'pet-history', 'pet-kpis', 'pet-teams', 'pet-org', 'pet-lead-schema', 'pet-slas', 'pet-jobs', 'pet-settings' );

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
			'pet-history'  => array( __( 'History', 'pet' ), Plugin::CAP_WORK, 'page_history' ),
			'pet-jobs'     => array( __( 'Jobs', 'pet' ), Access::VIEW_SETTINGS, 'page_jobs' ),
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
		$limit = Input::text( 'rest_write_limit' );
		if ( '' !== $limit ) {
			if ( ! preg_match( '/^\d{1,6}$/', $limit ) ) {
				throw new Input_Exception( __( 'The REST write limit must be a whole number (0 for no limit).', 'pet' ), array( 'rest_write_limit' => __( 'must be a whole number from 0 to 999999', 'pet' ) ) );
			}
			update_option( Rest::OPTION_WRITE_LIMIT, (int) $limit, false );
		}
		return __( 'Settings saved.', 'pet' );
	}

	/**
	 * Verifies the whole event log now ('full'), or from the first event ignoring the
	 * recorded checkpoint ('restart', after restoring an older backup). A fault is an error
	 * notice naming the first bad sequence.
	 *
	 * @return string
	 * @throws Input_Exception When the mode is not one of the two, or the log does not verify.
	 */
	protected function do_verify_chain(): string {
		$mode = Input::text( 'mode' );
		if ( ! in_array( $mode, array( 'full', 'restart' ), true ) ) {
			throw new Input_Exception( __( 'Choose a full verification or a restart.', 'pet' ), array( 'mode' => __( 'must be full or restart', 'pet' ) ) );
		}
		$r = $this->plugin->engine()->verifyChain( array( 'mode' => $mode ) );
		if ( empty( $r['ok'] ) ) {
			$fault = $r['fault'] ?? array();
			// Shown as the error notice (a user-facing message, not a failure of PET).
			throw new Input_Exception(
				sprintf(
					/* translators: 1: first bad sequence number, 2: what is wrong */
					__( 'The event log does not verify: first bad sequence %1$d. %2$s', 'pet' ),
					(int) ( $fault['sequence'] ?? 0 ),
					(string) ( $fault['message'] ?? '' )
				),
				array()
			);
		}
		return sprintf(
			/* translators: 1: events checked, 2: seconds, 3: sequence verified up to */
			__( 'The event log verifies: %1$d events checked in %2$s s; verified up to event %3$d.', 'pet' ),
			(int) $r['checked'],
			number_format_i18n( (float) $r['seconds'], 2 ),
			(int) $r['verified_sequence']
		);
	}

	/**
	 * Downloads the event log as JSON Lines with its hash chain (admin-post.php, POST with
	 * the nonce 'pet_export_events', manage_options), streamed chunk by chunk.
	 */
	public function download_export(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			Plugin::log( sprintf( 'permission refused: user %d, admin action export_events', get_current_user_id() ) );
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'pet' ), esc_html__( 'Forbidden', 'pet' ), array( 'response' => 403 ) );
		}
		$request_method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : '';
		if ( 'POST' !== $request_method ) {
			wp_die( esc_html__( 'The export is downloaded from the Settings screen.', 'pet' ), esc_html__( 'Method not allowed', 'pet' ), array( 'response' => 405 ) );
		}
		check_admin_referer( 'pet_export_events' );
		self::stream_export( $this->plugin->engine() );
		exit;
	}

	/**
	 * Streams the JSON Lines export (Pet\Engine::exportEvents chunk by chunk) as a download.
	 * A failure half-way leaves the file without its end line, which the verifier reports.
	 *
	 * @param \Pet\Engine $engine      The engine.
	 * @param bool        $end_buffers Whether to end PHP's output buffers first (so each chunk
	 *                                 goes out as it is written); false to capture the output.
	 */
	public static function stream_export( \Pet\Engine $engine, bool $end_buffers = true ): void {
		nocache_headers();
		header( 'Content-Type: application/x-ndjson; charset=utf-8' );
		header( 'Content-Disposition: attachment; filename="pet-events-' . gmdate( 'Ymd-His' ) . '.jsonl"' );
		header( 'X-Content-Type-Options: nosniff' );
		while ( $end_buffers && ob_get_level() > 0 ) {
			ob_end_flush();
		}
		$query = array();
		try {
			do {
				$r = $engine->exportEvents( $query );
				// phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- a JSON Lines download (application/x-ndjson), not HTML.
				echo $r['text'];
				flush();
				$query = is_array( $r['next'] ?? null ) ? $r['next'] : array();
			} while ( empty( $r['done'] ) );
		} catch ( \Throwable $e ) {
			Plugin::log( 'event log export failed: ' . $e->getMessage() );
		}
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
				foreach ( Access::visible_context_types() as $t ) {
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
	 * History: every event of one entity (context type and id from the query), oldest
	 * first, with who, when, the rendered line and the payload per schema version.
	 */
	public function page_history(): void {
		$this->screen(
			__( 'History', 'pet' ),
			function (): void {
				$type  = Input::text( 'context_type' );
				$id    = Input::text( 'context_id' );
				$query = array(
					'context_type' => $type,
					'context_id'   => $id,
				);
				foreach ( array( 'after', 'before' ) as $k ) {
					if ( '' !== Input::text( $k ) ) {
						$query[ $k ] = Input::text( $k );
					}
				}
				$history = null;
				$state   = null;
				$error   = '';
				$at      = Input::text( 'at' );
				if ( '' !== $type && '' !== $id ) {
					try {
						Access::require_context( $type, 'history' );
						$history = $this->plugin->engine()->entityHistory( $query + array( 'per_page' => 50 ) );
						if ( '' !== $at && in_array( $type, self::AS_OF_TYPES, true ) ) {
							$state = $this->plugin->engine()->stateAsOf(
								array(
									'aggregate_type' => $type,
									'id'             => $id,
									'at'             => $at,
								)
							);
						}
					} catch ( \Pet\Exception | Input_Exception $e ) {
						$error = Notices::describe( $e )['message'];
					}
				}
				$types = array();
				foreach ( Access::visible_context_types() as $t ) {
					$types[ $t ] = View::value_label( $t );
				}
				self::view(
					'core/history',
					array(
						'types'        => $types,
						'context_type' => $type,
						'context_id'   => $id,
						'history'      => $history,
						'error'        => $error,
						'at'           => $at,
						'as_of'        => in_array( $type, self::AS_OF_TYPES, true ),
						'state'        => $state,
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
	 * Settings: the explicit "delete all PET data on uninstall" choice, a health check, and the
	 * event log's audit (verify now, restart, the head's fingerprint, the signed export).
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
						'chain'               => $this->plugin->engine()->chainStatus(),
						'write_limit'         => (int) get_option( Rest::OPTION_WRITE_LIMIT, Rest::DEFAULT_WRITE_LIMIT ),
					)
				);
			}
		);
	}
}
