<?php
/**
 * The shared wp-admin plumbing of PET's screens, used by the core screens (Admin) and by every
 * feature module's admin class (includes/modules/<module>/class-<module>-admin.php):
 *
 * - admin-post.php actions: capability (current_user_can), nonce (check_admin_referer),
 *   handler, success notice, redirect back; a failure becomes an error notice (Notices);
 * - the command context with the form's idempotency key;
 * - a failed form's input and field errors kept (one transient per user, read once) so the
 *   page the user goes back to shows the errors next to the fields;
 * - the screen wrapper, the view templates (View::render(): controllers prepare data, views
 *   render it) and the employee and customer options;
 * - the screens' CSS and JS files (assets/), enqueued on the class's own pages only.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Base of the PET admin classes.
 */
abstract class Module_Admin {

	/**
	 * Actions: name => [capability, handler method, (optional) fields]. Each is reached as
	 * admin-post.php?action=pet_<name> and protected by the nonce 'pet_<name>'. A handler
	 * returns the success message, or [message, URL to redirect to]. When fields are listed,
	 * a failure keeps the form (those fields' input and errors) for the page to show; see
	 * action_failed().
	 */
	protected const ACTIONS = array();

	/**
	 * The area of access of the class's screens and actions ('people', 'sales', …; '' for
	 * none): in its pages() and ACTIONS the capabilities from before areas mean the area's,
	 * Plugin::CAP_WORK its view capability and Plugin::CAP_MANAGE its manage capability
	 * (see cap()). Other capabilities are used as they are.
	 */
	protected const AREA = '';

	/** Page the user lands on after an action when the browser sent no referer. */
	protected const HOME_PAGE = 'pet-employees';

	/** Priority on admin_menu (feature modules add their pages after the core's). */
	protected const MENU_PRIORITY = 20;

	/** Extra CSS class of the screens' wrapper (e.g. 'pet-sales'). */
	protected const SCREEN_CLASS = '';

	/** Transient name (before "_<user id>") that keeps a failed form. */
	protected const KEPT_FORM = 'pet_form';

	/** Kept fields whose input is a long text (kept verbatim, see Input::long_text()). */
	protected const LONG_TEXTS = array();

	/** @var Plugin */
	protected $plugin;

	/** @var list<Module_Admin> every registered admin class (see registered()) */
	private static $registered = array();

	/** @var array|null|false the failed form of the previous request (false: not read yet) */
	private $kept_form = false;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * The class's pages under the PET menu: slug => [title, capability, method].
	 *
	 * @return array<string,array{0:string,1:string,2:string}>
	 */
	abstract protected function pages(): array;

	/**
	 * Adds the screens to the PET menu (admin_menu).
	 */
	public function menu(): void {
		$this->add_pages( $this->pages() );
	}

	/**
	 * The actions this class handles (see ACTIONS).
	 *
	 * @return array<string,array>
	 */
	protected function actions(): array {
		return static::ACTIONS;
	}

	/**
	 * Hooks the menu and the actions.
	 */
	public function register(): void {
		self::$registered[] = $this;
		add_action( 'admin_menu', array( $this, 'menu' ), static::MENU_PRIORITY );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue_assets' ) );
		foreach ( array_keys( $this->actions() ) as $action ) {
			add_action(
				'admin_post_pet_' . $action,
				function () use ( $action ): void {
					$this->handle( $action );
				}
			);
		}
	}

	/**
	 * Adds submenu pages under the PET menu.
	 *
	 * @param array<string,array{0:string,1:string,2:string}> $pages slug => [title, capability, method].
	 */
	protected function add_pages( array $pages ): void {
		foreach ( $pages as $slug => $p ) {
			add_submenu_page( 'pet-employees', $p[0], $p[0], $this->cap( $p[1] ), $slug, array( $this, $p[2] ) );
		}
	}

	/**
	 * The capability a page or action of this class needs: with an AREA, pet_work reads as
	 * pet_view_<area> and pet_manage as pet_manage_<area> (so screens written with the
	 * capabilities from before areas follow the area's); any other capability as it is.
	 *
	 * @param string $cap Capability as declared.
	 */
	public function cap( string $cap ): string {
		if ( '' === static::AREA ) {
			return $cap;
		}
		if ( Plugin::CAP_WORK === $cap ) {
			return Access::view( static::AREA );
		}
		if ( Plugin::CAP_MANAGE === $cap ) {
			return Access::manage( static::AREA );
		}
		return $cap;
	}

	/**
	 * Every admin class registered in this request (the core's and each module's).
	 *
	 * @return list<Module_Admin>
	 */
	public static function registered(): array {
		return self::$registered;
	}

	/**
	 * The class's screens and actions with the capability each needs (for the access matrix
	 * test and tools): ['pages' => slug => cap, 'actions' => action => cap].
	 *
	 * @return array{pages:array<string,string>,actions:array<string,string>}
	 */
	public function access(): array {
		$out = array(
			'pages'   => array(),
			'actions' => array(),
		);
		foreach ( $this->pages() as $slug => $p ) {
			$out['pages'][ $slug ] = $this->cap( $p[1] );
		}
		foreach ( $this->actions() as $action => $a ) {
			$out['actions'][ $action ] = $this->cap( $a[0] );
		}
		return $out;
	}

	// ---- actions ------------------------------------------------------------------------------

	/**
	 * Runs one action: capability, POST only (a GET request, such as a followed or prefetched
	 * link, changes nothing), nonce, handler, notice, redirect back.
	 *
	 * @param string $action Action name.
	 */
	public function handle( string $action ): void {
		list( $cap, $method ) = $this->actions()[ $action ];
		$cap                  = $this->cap( $cap );
		if ( ! current_user_can( $cap ) ) {
			Plugin::log( sprintf( 'permission refused: user %d, admin action %s (needs %s)', get_current_user_id(), $action, $cap ) );
			wp_die( esc_html__( 'Sorry, you are not allowed to do this.', 'pet' ), esc_html__( 'Forbidden', 'pet' ), array( 'response' => 403 ) );
		}
		$request_method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : '';
		if ( 'POST' !== $request_method ) {
			wp_die( esc_html__( 'This action changes data, so it only runs from a submitted form.', 'pet' ), esc_html__( 'Method not allowed', 'pet' ), array( 'response' => 405 ) );
		}
		check_admin_referer( 'pet_' . $action );
		$this->load_tables();
		$back = wp_get_referer();
		try {
			$result = $this->$method();
			if ( is_array( $result ) ) {
				Notices::add( 'success', $result[0] );
				if ( isset( $result[1] ) ) {
					$back = $result[1];
				}
			} else {
				Notices::add( 'success', (string) $result );
			}
		} catch ( \Throwable $e ) {
			$this->action_failed( $action, $e );
		}
		$this->plugin->carry_read_position();
		wp_safe_redirect( $back ? $back : admin_url( 'admin.php?page=' . static::HOME_PAGE ) );
		exit;
	}

	/**
	 * Reports a failed action. Without kept fields: an error notice with the message and the
	 * field errors. With kept fields (ACTIONS' third element): those fields' errors are left
	 * for the form (the notice says so) and their input is kept; other field errors stay in
	 * the notice.
	 *
	 * @param string     $action Action name.
	 * @param \Throwable $e      What went wrong.
	 */
	protected function action_failed( string $action, \Throwable $e ): void {
		$fields = $this->actions()[ $action ][2] ?? null;
		if ( null === $fields ) {
			Notices::add_throwable( $e );
			return;
		}
		$n      = Notices::describe( $e );
		$inline = array_intersect_key( $n['fields'], array_flip( $fields ) );
		$other  = array_diff_key( $n['fields'], $inline );
		$msg    = $n['message'];
		if ( array() !== $inline ) {
			$msg .= ' ' . __( 'The form below says what to correct.', 'pet' );
		}
		Notices::add( 'error', $msg, $other );
		$values = array();
		foreach ( $fields as $f ) {
			$values[ $f ] = in_array( $f, static::LONG_TEXTS, true ) ? Input::long_text( $f ) : Input::text( $f );
		}
		$this->keep_form( $this->failed_form_name( $action ), $values, $inline );
	}

	/**
	 * The name a failed action's form is kept under (the form shown again asks for it).
	 *
	 * @param string $action Action name.
	 */
	protected function failed_form_name( string $action ): string {
		return $action . ':' . Input::text( 'id' );
	}

	/**
	 * Command context with the form's idempotency key (a suffix tells apart two commands of
	 * one form).
	 *
	 * @param string $suffix Suffix of the key.
	 * @throws No_Employee_Exception When the user has no employee.
	 */
	protected function ctx( string $suffix = '' ): array {
		$key = Input::text( '_pet_idem' );
		return $this->plugin->context( '' === $key ? '' : $key . $suffix );
	}

	// ---- failed forms: input kept, errors next to the fields ----------------------------------

	/**
	 * Keeps a failed form for the next page the current user sees.
	 *
	 * @param string               $form   Form name.
	 * @param array                $values The input, as the form renders it.
	 * @param array<string,string> $fields Field errors.
	 */
	protected function keep_form( string $form, array $values, array $fields ): void {
		set_transient(
			$this->kept_form_key(),
			array(
				'form'   => $form,
				'values' => $values,
				'fields' => $fields,
			),
			5 * MINUTE_IN_SECONDS
		);
	}

	/**
	 * The kept state of a form (its input and field errors) if the last action was that form
	 * and failed; read (and cleared) once per request.
	 *
	 * @param string $form Form name.
	 * @return array{values:array,fields:array<string,string>}|null
	 */
	protected function kept_form( string $form ): ?array {
		if ( false === $this->kept_form ) {
			$state           = get_transient( $this->kept_form_key() );
			$this->kept_form = is_array( $state ) ? $state : null;
			if ( null !== $this->kept_form ) {
				delete_transient( $this->kept_form_key() );
			}
		}
		if ( is_array( $this->kept_form ) && $form === ( $this->kept_form['form'] ?? '' ) ) {
			return array(
				'values' => (array) ( $this->kept_form['values'] ?? array() ),
				'fields' => (array) ( $this->kept_form['fields'] ?? array() ),
			);
		}
		return null;
	}

	/** Transient key of the current user's kept form. */
	private function kept_form_key(): string {
		return static::KEPT_FORM . '_' . get_current_user_id();
	}

	// ---- screens ------------------------------------------------------------------------------

	/**
	 * Runs a screen body inside the wrapper, showing any failure as an error notice instead
	 * of a broken page.
	 *
	 * @param string   $title        Page title.
	 * @param callable $body         Renders the screen (usually by preparing data for a view).
	 * @param array    $title_action Page-title action link, if any: {url, label, id}.
	 */
	protected function screen( string $title, callable $body, array $title_action = array() ): void {
		View::screen_open( $title, static::SCREEN_CLASS, $title_action );
		try {
			$this->load_tables();
			$body();
		} catch ( \Throwable $e ) {
			Notices::render_throwable( $e );
		}
		View::screen_close();
	}

	/**
	 * Renders a view template with its data (see View::render()).
	 *
	 * @param string $name 'module/screen'.
	 * @param array  $data Prepared data.
	 */
	protected static function view( string $name, array $data = array() ): void {
		View::render( $name, $data );
	}

	/**
	 * Loads the list-table classes the screens and actions use.
	 */
	protected function load_tables(): void {
		require_once __DIR__ . '/tables/class-table.php';
	}

	// ---- assets -------------------------------------------------------------------------------

	/**
	 * The PET page being shown ('' when the request is not for a PET screen): the page
	 * parameter, when it names a PET page ("pet-…").
	 */
	public static function current_page(): string {
		$page = Input::text( 'page' );
		return 0 === strpos( $page, 'pet-' ) ? $page : '';
	}

	/**
	 * admin_enqueue_scripts: on this class's own pages only, the shared PET script and the
	 * page's own CSS and JS (assets()).
	 *
	 * @param string $hook_suffix The admin page's hook suffix.
	 */
	public function enqueue_assets( $hook_suffix = '' ): void {
		$page = self::current_page();
		if ( '' === $page || ! isset( $this->pages()[ $page ] ) || false === strpos( (string) $hook_suffix, $page ) ) {
			return;
		}
		self::enqueue_script( 'admin' );
		$this->assets( $page );
	}

	/**
	 * Enqueues the CSS and JS files of one of the class's pages (none by default).
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
	}

	/**
	 * Enqueues assets/css/<name>.css (handle pet-<name>), versioned with the plugin.
	 *
	 * @param string $name File name without .css.
	 */
	protected static function enqueue_style( string $name ): void {
		wp_enqueue_style( 'pet-' . $name, plugins_url( 'assets/css/' . $name . '.css', PET_PLUGIN_FILE ), array(), PET_PLUGIN_VERSION );
	}

	/**
	 * Enqueues assets/js/<name>.js (handle pet-<name>, in the footer), versioned with the
	 * plugin; its data, if any, is printed before it as `window.<var> = <JSON>`.
	 *
	 * @param string $name File name without .js.
	 * @param string $var  Global variable holding the data ('' = no data).
	 * @param array  $data Data the script reads (strings, URLs, nonces).
	 * @param array  $deps Handles of the scripts it needs (e.g. wp-api-fetch).
	 */
	protected static function enqueue_script( string $name, string $var = '', array $data = array(), array $deps = array() ): void {
		$handle = 'pet-' . $name;
		wp_enqueue_script( $handle, plugins_url( 'assets/js/' . $name . '.js', PET_PLUGIN_FILE ), $deps, PET_PLUGIN_VERSION, true );
		if ( '' !== $var && ! wp_scripts()->get_data( $handle, 'before' ) ) {
			$json = wp_json_encode( $data, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT );
			wp_add_inline_script( $handle, 'window.' . $var . ' = ' . $json . ';', 'before' );
		}
	}

	/**
	 * Enqueues the bundled Chart.js (assets/vendor/chart.js, fetched by scripts/vendor) and
	 * assets/js/charts.js, which draws every View::chart() of the page.
	 */
	protected static function enqueue_charts(): void {
		wp_enqueue_script( 'pet-chartjs', plugins_url( 'assets/vendor/chart.js/chart.umd.min.js', PET_PLUGIN_FILE ), array(), '4.6.1', true );
		self::enqueue_style( 'charts' );
		self::enqueue_script(
			'charts',
			'petCharts',
			array(
				'locale' => str_replace( '_', '-', determine_locale() ),
			),
			array( 'pet-chartjs' )
		);
	}

	/** Enqueues the type-ahead pickers' script (wp.apiFetch) and style (see Picker). */
	protected static function enqueue_pickers(): void {
		self::enqueue_style( 'picker' );
		self::enqueue_script( 'picker', '', array(), array( 'wp-api-fetch' ) );
	}
}
