<?php
/**
 * The plugin's core: the engine built from WordPress's database settings, activation
 * (migrations, roles, the first employee), cron, and the current user's employee (the actor).
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Thrown when a command needs an actor but the current WordPress user has no employee.
 */
class No_Employee_Exception extends \RuntimeException {}

/**
 * Plugin bootstrap and shared services (one instance per request).
 */
final class Plugin {

	/**
	 * Capability: a PET manager (the capability from before areas; PET Manager and
	 * administrators have it). New checks use an area's capability (Access::MANAGE_*).
	 */
	public const CAP_MANAGE = 'pet_manage';
	/**
	 * Capability: a PET user — the PET menu, Activity and History (each showing only the
	 * areas the user may see), time of one's own. Every PET role has it.
	 */
	public const CAP_WORK = 'pet_work';
	/** WP-Cron hook that runs due PET jobs. */
	public const CRON_HOOK = 'pet_run_jobs';
	/** Custom cron schedule name (every minute). */
	public const CRON_SCHEDULE = 'pet_every_minute';
	/** Option: delete all PET data on uninstall ('1' only when explicitly ticked). */
	public const OPTION_DELETE_ON_UNINSTALL = 'pet_delete_data_on_uninstall';

	/** Option: the newest migration applied from this site (see maybe_migrate()). */
	public const OPTION_SCHEMA = 'pet_schema_migration';

	/** Transient: the reason the last upgrade migration failed (retried after a minute). */
	public const TRANSIENT_MIGRATE_FAILED = 'pet_migrate_failed';

	/** @var string why the last upgrade migration failed ('' when it did not) */
	private $upgrade_error = '';

	/** @var ?Plugin */
	private static $instance = null;

	/** @var ?\Pet\Engine */
	private $engine = null;

	/** @var ?\Pet\Identity */
	private $identity = null;

	/** @var ?\Pet\Knowledge */
	private $knowledge = null;

	/** @var ?\Pet\Delivery */
	private $delivery = null;

	/** @var array<int,?array> employee by WordPress user id (request cache) */
	private $employees = array();

	/**
	 * The shared instance.
	 */
	public static function instance(): Plugin {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/**
	 * Registers hooks (called once from pet.php).
	 */
	public function boot(): void {
		add_filter( 'cron_schedules', array( $this, 'cron_schedules' ) );
		add_action( self::CRON_HOOK, array( $this, 'run_cron' ) );
		add_action( 'init', array( $this, 'ensure_cron' ) );
		add_action( 'init', array( $this, 'maybe_migrate_on_init' ), 5 );
		add_action( 'init', array( Access::class, 'maybe_upgrade_roles' ), 6 );
		if ( isset( self::engine_settings()['replicas'] ) ) {
			add_action( 'init', array( $this, 'read_after_cookie' ), 6 );
		}
		add_action( 'rest_api_init', array( $this, 'maybe_migrate' ), 5 );
		add_action( 'rest_api_init', array( new Rest( $this ), 'register_routes' ) );
		add_action( 'admin_notices', array( $this, 'upgrade_notice' ) );
		// Multisite: every site has its own {prefix}pet_* tables. The engine objects of this
		// request belong to the site they were made for; a new site of a network where PET is
		// network-active gets its tables; a deleted site's go with it.
		add_action( 'switch_blog', array( $this, 'forget_site' ) );
		add_action( 'wp_initialize_site', array( $this, 'initialize_site' ), 20, 2 );
		add_filter( 'wpmu_drop_tables', array( $this, 'drop_site_tables' ), 10, 2 );
		if ( is_admin() ) {
			( new Admin( $this ) )->register();
		}
	}

	/**
	 * Connection settings for the engine, from wp-config.php's DB_* constants and the table prefix.
	 * DB_HOST may be 'host', 'host:port', 'host:/path/to/socket', '/path/to/socket' or '[ipv6]:port'.
	 *
	 * @return array<string,mixed>
	 */
	public static function engine_settings(): array {
		global $wpdb;
		$settings = array(
			'user'     => defined( 'DB_USER' ) ? (string) DB_USER : '',
			'password' => defined( 'DB_PASSWORD' ) ? (string) DB_PASSWORD : '',
			'database' => defined( 'DB_NAME' ) ? (string) DB_NAME : '',
			'prefix'   => (string) $wpdb->prefix,
		);
		$parsed = $wpdb->parse_db_host( defined( 'DB_HOST' ) ? (string) DB_HOST : 'localhost' );
		if ( false === $parsed ) {
			$parsed = array( 'localhost', null, null, false );
		}
		list( $host, $port, $socket ) = $parsed;
		$host = ( null === $host || '' === $host ) ? 'localhost' : $host;
		if ( null !== $socket && '' !== $socket ) {
			$settings['socket'] = $socket;
		} elseif ( 'localhost' === $host && null === $port ) {
			// mysqli talks to "localhost" through its default socket; do the same.
			$default_socket = (string) ini_get( 'mysqli.default_socket' );
			if ( '' !== $default_socket && file_exists( $default_socket ) ) {
				$settings['socket'] = $default_socket;
			}
		}
		$settings['host'] = $host;
		if ( null !== $port && '' !== $port ) {
			$settings['port'] = (int) $port;
		}
		return self::topology_settings( $settings );
	}

	/**
	 * A primary with read replicas, from wp-config.php (see the README, "Replicated
	 * databases"): PET_DB_PRIMARY ('host[:port]' or a socket path; default DB_HOST) receives
	 * every write; PET_DB_REPLICAS (a comma-separated string or an array of 'host[:port]')
	 * serve PET's views, each read waiting up to PET_DB_READ_WAIT_MS (default 500) for the
	 * replica to apply this visitor's own writes before it reads the primary instead.
	 *
	 * @param array<string,mixed> $settings Settings from the DB_* constants.
	 * @return array<string,mixed>
	 */
	public static function topology_settings( array $settings ): array {
		if ( defined( 'PET_DB_PRIMARY' ) && '' !== (string) PET_DB_PRIMARY ) {
			$primary = (string) PET_DB_PRIMARY;
			unset( $settings['socket'], $settings['port'] );
			if ( '/' === $primary[0] ) {
				$settings['socket'] = $primary;
			} else {
				$parts            = explode( ':', $primary, 2 );
				$settings['host'] = $parts[0];
				if ( isset( $parts[1] ) && '' !== $parts[1] ) {
					$settings['port'] = (int) $parts[1];
				}
			}
		}
		if ( defined( 'PET_DB_REPLICAS' ) ) {
			$replicas = PET_DB_REPLICAS;
			if ( is_string( $replicas ) ) {
				$replicas = explode( ',', $replicas );
			}
			$replicas = array_values( array_filter( array_map( 'trim', array_map( 'strval', (array) $replicas ) ), 'strlen' ) );
			if ( array() !== $replicas ) {
				$settings['replicas'] = $replicas;
			}
		}
		if ( defined( 'PET_DB_READ_WAIT_MS' ) ) {
			$settings['read_wait_ms'] = (int) PET_DB_READ_WAIT_MS;
		}
		// The site key that wraps each person's data key (README, "Answering a privacy request").
		if ( defined( 'PET_PRIVACY_KEY' ) && '' !== (string) PET_PRIVACY_KEY ) {
			$settings['privacy_key'] = (string) PET_PRIVACY_KEY;
		}
		// While the site key is rotated: the key PET_PRIVACY_KEY replaces (README, "Rotating
		// the privacy key"); data keys wrapped with it still open until re-wrapped.
		if ( defined( 'PET_PRIVACY_KEY_PREVIOUS' ) && '' !== (string) PET_PRIVACY_KEY_PREVIOUS ) {
			$settings['previous_privacy_key'] = (string) PET_PRIVACY_KEY_PREVIOUS;
		}
		// The secret integration credentials (QuickBooks tokens) are encrypted with.
		if ( defined( 'PET_ENCRYPTION_KEY' ) && '' !== (string) PET_ENCRYPTION_KEY ) {
			$settings['secret_key'] = (string) PET_ENCRYPTION_KEY;
		} elseif ( defined( 'AUTH_KEY' ) && '' !== (string) AUTH_KEY ) {
			$settings['secret_key'] = (string) AUTH_KEY;
		}
		return $settings;
	}

	/** Cookie: the commit position (GTID) of this visitor's last write, for the next request. */
	public const READ_AFTER_COOKIE = 'pet_read_after';

	/**
	 * `init` (with replicas): the next reads wait for the position this visitor's last write
	 * reached (the cookie set by carry_read_position()), so the page a form redirects to
	 * shows the change even when a replica serves it.
	 */
	public function read_after_cookie(): void {
		if ( ! isset( $_COOKIE[ self::READ_AFTER_COOKIE ] ) ) {
			return;
		}
		$gtid = sanitize_text_field( wp_unslash( $_COOKIE[ self::READ_AFTER_COOKIE ] ) );
		if ( 1 !== preg_match( '/^\d+-\d+-\d+(,\d+-\d+-\d+)*$/', $gtid ) ) {
			return;
		}
		try {
			$this->engine()->readAfter( $gtid );
		} catch ( \Throwable $e ) {
			self::log( 'could not use the read position: ' . $e->getMessage() );
		}
	}

	/**
	 * After a write (an admin action before its redirect, a REST write before its response):
	 * with replicas, hands the commit position to the visitor's next requests for five minutes.
	 */
	public function carry_read_position(): void {
		if ( ! isset( self::engine_settings()['replicas'] ) || headers_sent() ) {
			return;
		}
		try {
			$gtid = $this->engine()->readPosition()['gtid'];
		} catch ( \Throwable $e ) {
			return;
		}
		if ( is_string( $gtid ) && '' !== $gtid ) {
			setcookie( self::READ_AFTER_COOKIE, $gtid, time() + 5 * MINUTE_IN_SECONDS, COOKIEPATH ? COOKIEPATH : '/', COOKIE_DOMAIN, is_ssl(), true );
		}
	}

	/**
	 * The engine for this request (created on first use).
	 *
	 * @throws \Pet\Exception When the settings are refused.
	 */
	public function engine(): \Pet\Engine {
		if ( null === $this->engine ) {
			$this->engine = new \Pet\Engine( self::engine_settings() );
		}
		return $this->engine;
	}

	/**
	 * The identity API (employees, teams, org structure, customers) for this request, created
	 * on first use; it shares the engine's connection pool.
	 *
	 * @throws \Pet\Exception When the settings are refused.
	 */
	public function identity(): \Pet\Identity {
		if ( null === $this->identity ) {
			$this->identity = new \Pet\Identity( self::engine_settings() );
		}
		return $this->identity;
	}

	/**
	 * The knowledge base API for this request, created on first use; it shares the engine's
	 * connection pool.
	 *
	 * @throws \Pet\Exception When the settings are refused.
	 */
	public function knowledge(): \Pet\Knowledge {
		if ( null === $this->knowledge ) {
			$this->knowledge = new \Pet\Knowledge( self::engine_settings() );
		}
		return $this->knowledge;
	}

	/**
	 * The delivery API (projects, time entries, timesheets) for this request, created on
	 * first use; it shares the engine's pool.
	 */
	public function delivery(): \Pet\Delivery {
		if ( null === $this->delivery ) {
			$this->delivery = new \Pet\Delivery( self::engine_settings() );
		}
		return $this->delivery;
	}

	/**
	 * The employee linked to a WordPress user (current user by default), or null.
	 *
	 * @param int|null $user_id WordPress user id.
	 */
	public function employee_for_user( ?int $user_id = null ): ?array {
		$user_id = $user_id ?? get_current_user_id();
		if ( $user_id <= 0 ) {
			return null;
		}
		if ( ! array_key_exists( $user_id, $this->employees ) ) {
			$this->employees[ $user_id ] = $this->identity()->findEmployeeByUser( $user_id );
		}
		return $this->employees[ $user_id ];
	}

	/**
	 * Forgets cached user → employee lookups (after linking).
	 */
	public function forget_employee_cache(): void {
		$this->employees = array();
	}

	/**
	 * Command context for the current user: the actor's employee id and an optional
	 * idempotency key.
	 *
	 * @param string $idempotency_key Key from the form or the Idempotency-Key header ('' = none).
	 * @throws No_Employee_Exception When the user has no employee.
	 * The engine's time rules read 'manages_time' (the user may manage time:
	 * pet_manage_delivery):
	 * staff act only on their own time, only managers approve, send back and adjust.
	 *
	 * @return array{actor_id:string,idempotency_key:?string,manages_time:bool}
	 */
	public function context( string $idempotency_key = '' ): array {
		$employee = $this->employee_for_user();
		if ( null === $employee ) {
			throw new No_Employee_Exception( self::no_employee_message() );
		}
		return array(
			'actor_id'        => (string) $employee['id'],
			'idempotency_key' => '' === $idempotency_key ? null : $idempotency_key,
			'manages_time'    => current_user_can( Access::MANAGE_DELIVERY ),
		);
	}

	/**
	 * Explanation shown to users without an employee.
	 */
	public static function no_employee_message(): string {
		return __( 'Your WordPress user is not linked to a PET employee, so PET cannot record who made a change. A PET manager can link your user on the PET → Employees screen (open the employee, "Linked WordPress user").', 'pet' );
	}

	// ---- activation / deactivation -----------------------------------------------------

	/**
	 * Activation hook: migrations, roles and capabilities, the activating admin's employee, cron
	 * — on a network activation, for every site of the network (each under its own table
	 * prefix). On failure the plugin is not activated and the reason is shown.
	 *
	 * @param bool $network_wide Whether the plugin is being activated for the whole network.
	 */
	public static function on_activation( $network_wide = false ): void {
		$site = 0;
		try {
			if ( is_multisite() && $network_wide ) {
				foreach ( self::network_site_ids() as $site ) {
					switch_to_blog( $site );
					try {
						self::instance()->activate();
					} finally {
						restore_current_blog();
					}
				}
			} else {
				self::instance()->activate();
			}
		} catch ( \Throwable $e ) {
			deactivate_plugins( plugin_basename( PET_PLUGIN_FILE ), true, is_multisite() && $network_wide );
			$message = $e->getMessage();
			if ( $site > 0 ) {
				/* translators: 1: site id, 2: error message from the PET engine */
				$message = sprintf( __( 'site %1$d: %2$s', 'pet' ), $site, $message );
			}
			wp_die(
				esc_html(
					sprintf(
						/* translators: %s: error message from the PET engine */
						__( 'PET could not be activated: %s', 'pet' ),
						$message
					)
				),
				esc_html__( 'PET activation failed', 'pet' ),
				array( 'back_link' => true )
			);
		}
	}

	/**
	 * The ids of every site of this network (multisite only).
	 *
	 * @return list<int>
	 */
	public static function network_site_ids(): array {
		return array_map(
			'intval',
			get_sites(
				array(
					'fields'     => 'ids',
					'number'     => 0,
					'network_id' => get_current_network_id(),
				)
			)
		);
	}

	/**
	 * `wp_initialize_site` (after WordPress made the new site's tables): when PET is active for
	 * the whole network, the new site gets PET's tables, roles and cron now, and the site's
	 * first administrator a PET employee. A failure is logged and retried by the site's first
	 * admin request (the upgrade check finds no migration recorded).
	 *
	 * @param \WP_Site            $site The new site.
	 * @param array<string,mixed> $args Its initialization arguments (user_id: its administrator).
	 */
	public function initialize_site( $site, $args = array() ): void {
		if ( ! function_exists( 'is_plugin_active_for_network' ) ) {
			require_once ABSPATH . 'wp-admin/includes/plugin.php';
		}
		if ( ! is_plugin_active_for_network( plugin_basename( PET_PLUGIN_FILE ) ) ) {
			return;
		}
		$user_id = isset( $args['user_id'] ) ? (int) $args['user_id'] : 0;
		switch_to_blog( (int) $site->blog_id );
		try {
			$this->activate( $user_id > 0 ? $user_id : null );
		} catch ( \Throwable $e ) {
			self::log( 'could not install its tables for the new site ' . (int) $site->blog_id . ': ' . get_class( $e ) . ': ' . $e->getMessage() );
		} finally {
			restore_current_blog();
		}
	}

	/**
	 * `wpmu_drop_tables`: deleting a site of a network deletes its PET tables with its
	 * WordPress tables (the fixed list of includes/pet-tables.php under the site's prefix).
	 *
	 * @param array<int|string,string> $tables  Tables WordPress drops.
	 * @param int                      $site_id The site being deleted.
	 * @return array<int|string,string>
	 */
	public function drop_site_tables( $tables, $site_id = 0 ) {
		global $wpdb;
		$prefix = $wpdb->get_blog_prefix( (int) $site_id );
		foreach ( require __DIR__ . '/pet-tables.php' as $table ) {
			$tables[] = $prefix . $table;
		}
		return $tables;
	}

	/**
	 * `switch_blog`: the engine objects and the user → employee cache of this request belong to
	 * the site they were made for (its table prefix); another site makes its own.
	 */
	public function forget_site(): void {
		$this->engine    = null;
		$this->identity  = null;
		$this->knowledge = null;
		$this->employees = array();
	}

	/**
	 * The work of activation for the current site (also used by scripts/lib/wp-install.php
	 * when already active).
	 *
	 * @param int|null $user_id The user to link to a first employee (default: the current user).
	 * @throws \Throwable When migrations or the first employee fail.
	 */
	public function activate( ?int $user_id = null ): void {
		$this->engine()->migrate();
		update_option( self::OPTION_SCHEMA, \Pet\Engine::shippedMigration(), true );
		Access::install_roles( true );
		$user_id = $user_id ?? get_current_user_id();
		if ( $user_id > 0 && null === $this->employee_for_user( $user_id ) ) {
			$user = get_userdata( $user_id );
			if ( $user ) {
				// A system command: nobody can be the actor before the first employee exists.
				$this->identity()->createEmployee(
					array(
						'name'       => '' !== $user->display_name ? $user->display_name : $user->user_login,
						'email'      => $user->user_email,
						'wp_user_id' => $user_id,
					),
					array(
						'actor_id'        => null,
						'idempotency_key' => 'pet-activation-employee-' . $user_id,
					)
				);
				$this->forget_employee_cache();
			}
		}
		$this->ensure_cron();
	}

	/**
	 * After an upgrade of the extension (WordPress does not run activation again): when it
	 * ships a newer migration than the one last applied here, applies the pending
	 * migrations once. The engine serialises concurrent runs with its own lock; a failure
	 * is logged and shown to administrators, and retried by the first admin, cron or REST
	 * request a minute later.
	 */
	public function maybe_migrate(): void {
		if ( ! method_exists( \Pet\Engine::class, 'shippedMigration' ) ) {
			// The plugin files are newer than the loaded extension: nothing to compare.
			$this->upgrade_error = __( 'the loaded PET extension is older than the plugin; install the matching extension build and restart PHP', 'pet' );
			return;
		}
		$shipped = \Pet\Engine::shippedMigration();
		if ( '' === $shipped || get_option( self::OPTION_SCHEMA ) === $shipped ) {
			return;
		}
		$failed = get_transient( self::TRANSIENT_MIGRATE_FAILED );
		if ( false !== $failed ) {
			// Failed less than a minute ago: do not hammer the database on every request.
			$this->upgrade_error = (string) $failed;
			return;
		}
		try {
			// Never wait for a migration running elsewhere (another web server's request, a
			// cron run): the first request migrates, the others are told to try again.
			$this->engine()->migrate( array( 'wait_seconds' => 0 ) );
			update_option( self::OPTION_SCHEMA, $shipped, true );
			$this->upgrade_error = '';
		} catch ( \Throwable $e ) {
			$this->upgrade_error = $e->getMessage();
			set_transient( self::TRANSIENT_MIGRATE_FAILED, $e->getMessage(), MINUTE_IN_SECONDS );
			self::log( 'could not update its database tables: ' . get_class( $e ) . ': ' . $e->getMessage() );
		}
	}

	/**
	 * `init`: upgrade migrations on wp-admin and cron requests only (never on a visitor's
	 * page view); REST requests check on `rest_api_init`.
	 */
	public function maybe_migrate_on_init(): void {
		if ( is_admin() || wp_doing_cron() ) {
			$this->maybe_migrate();
		}
	}

	/**
	 * Tells administrators when the upgrade migration failed, with the engine's reason.
	 */
	public function upgrade_notice(): void {
		if ( '' === $this->upgrade_error || ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		echo '<div class="notice notice-error"><p>' . esc_html(
			sprintf(
				/* translators: %s: error message from the PET engine */
				__( 'PET could not update its database tables after an upgrade: %s. PET screens may fail until this is fixed; it is retried within a minute.', 'pet' ),
				$this->upgrade_error
			)
		) . '</p></div>';
	}

	/**
	 * Deactivation hook: stops the cron schedule (of every site, on a network deactivation);
	 * data and roles stay.
	 *
	 * @param bool $network_wide Whether the plugin is being deactivated for the whole network.
	 */
	public static function on_deactivation( $network_wide = false ): void {
		if ( is_multisite() && $network_wide ) {
			foreach ( self::network_site_ids() as $site ) {
				switch_to_blog( $site );
				wp_clear_scheduled_hook( self::CRON_HOOK );
				restore_current_blog();
			}
			return;
		}
		wp_clear_scheduled_hook( self::CRON_HOOK );
	}

	/**
	 * PET's roles and capabilities (see Access::install_roles()).
	 */
	public static function install_roles(): void {
		Access::install_roles( true );
	}

	// ---- cron -----------------------------------------------------------------------------

	/**
	 * Adds the every-minute schedule.
	 *
	 * @param array<string,array{interval:int,display:string}> $schedules Known schedules.
	 * @return array<string,array{interval:int,display:string}>
	 */
	public function cron_schedules( $schedules ) {
		$schedules[ self::CRON_SCHEDULE ] = array(
			'interval' => MINUTE_IN_SECONDS,
			'display'  => __( 'Every minute (PET jobs)', 'pet' ),
		);
		return $schedules;
	}

	/**
	 * Schedules the job runner unless it is already scheduled.
	 */
	public function ensure_cron(): void {
		if ( ! wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time(), self::CRON_SCHEDULE, self::CRON_HOOK );
		}
	}

	/**
	 * Cron callback: runs due jobs. WP-Cron only triggers; the engine holds its own lock.
	 */
	public function run_cron(): void {
		try {
			$this->engine()->runJobs( array( 'max_seconds' => 20 ) );
		} catch ( \Throwable $e ) {
			self::log( 'job runner failed: ' . get_class( $e ) . ': ' . $e->getMessage() );
		}
	}

	/**
	 * Prints an uncaught exception of a command-line script to STDERR — its class, message
	 * and, for a validation error, each field's message — and exits with status 1.
	 *
	 * @param \Throwable $e The exception.
	 */
	public static function cli_uncaught( \Throwable $e ): void {
		$text = sprintf( "%s: %s\n", get_class( $e ), $e->getMessage() );
		if ( $e instanceof \Pet\ValidationException ) {
			foreach ( $e->getFieldErrors() as $field => $message ) {
				$text .= sprintf( "  %s: %s\n", $field, $message );
			}
		}
		// phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite -- a CLI script's error output.
		fwrite( STDERR, $text );
		exit( 1 );
	}

	/**
	 * Re-wraps every person's data key with PET_PRIVACY_KEY (README, "Rotating the privacy
	 * key"): batches until done, or until a pass re-wraps nothing more (keys that open with
	 * neither PET_PRIVACY_KEY nor PET_PRIVACY_KEY_PREVIOUS stay and are counted).
	 *
	 * @param \Pet\Engine $engine An engine with the new key (and the previous one).
	 * @param callable    $progress Called with each pass's answer.
	 * @return array{rewrapped:int,unreadable:int,remaining:int,done:bool}
	 * @throws \Pet\Exception When the keys are not set or the database refuses.
	 */
	public static function rotate_privacy_key( \Pet\Engine $engine, callable $progress ): array {
		$total = array(
			'rewrapped'  => 0,
			'unreadable' => 0,
			'remaining'  => 0,
			'done'       => false,
		);
		do {
			$r                    = $engine->rotatePrivacyKey( array( 'max_seconds' => 20 ) );
			$total['rewrapped']  += (int) $r['rewrapped'];
			$total['unreadable']  = (int) $r['unreadable'];
			$total['remaining']   = (int) $r['remaining'];
			$total['done']        = (bool) $r['done'];
			$progress( $r );
		} while ( ! $total['done'] && (int) $r['rewrapped'] > 0 );
		return $total;
	}

	/**
	 * `wp pet rotate-privacy-key`: re-wraps every data key with PET_PRIVACY_KEY, keeping
	 * PET_PRIVACY_KEY_PREVIOUS working until done; says when the previous key may go.
	 *
	 * @param array<int,string>    $args  Positional arguments (none).
	 * @param array<string,string> $assoc Options (none).
	 */
	public static function cli_rotate_privacy_key( array $args, array $assoc ): void {
		unset( $args, $assoc );
		try {
			$total = self::rotate_privacy_key(
				self::instance()->engine(),
				static function ( array $r ): void {
					/* translators: 1: data keys re-wrapped in this pass, 2: data keys not yet re-wrapped. */
					\WP_CLI::log( sprintf( __( 're-wrapped %1$d, %2$d remaining', 'pet' ), (int) $r['rewrapped'], (int) $r['remaining'] ) );
				}
			);
		} catch ( \Pet\Exception $e ) {
			\WP_CLI::error( $e->getMessage() );
			return;
		}
		if ( $total['done'] ) {
			/* translators: %d: data keys re-wrapped. */
			\WP_CLI::success( sprintf( __( 'every data key is wrapped with PET_PRIVACY_KEY (%d re-wrapped); remove PET_PRIVACY_KEY_PREVIOUS from wp-config.php', 'pet' ), $total['rewrapped'] ) );
			return;
		}
		/* translators: %d: data keys that open with neither key. */
		\WP_CLI::error( sprintf( __( '%d data keys open with neither PET_PRIVACY_KEY nor PET_PRIVACY_KEY_PREVIOUS: set PET_PRIVACY_KEY_PREVIOUS to the key they were wrapped with and run this again', 'pet' ), $total['remaining'] ) );
	}

	/**
	 * Writes one line to the PHP error log, prefixed "[PET] " so PET's lines are easy to find
	 * (grep '\[PET\]' debug.log). Every log line of the plugin goes through here.
	 *
	 * @param string $message The message (one line; no prefix).
	 */
	public static function log( string $message ): void {
		// phpcs:ignore Generic.PHP.ForbiddenFunctions.FoundWithAlternative -- this is the one place that writes the log.
		error_log( '[PET] ' . $message );
	}
}
