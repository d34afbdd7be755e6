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
 * - the common renderers: screen wrapper, POST form with nonce and idempotency key, form-table
 *   rows, selects, status badges, employee and customer options.
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

	/** @var array|null|false the failed form of the previous request (false: not read yet) */
	private $kept_form = false;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Adds the screens to the PET menu (admin_menu).
	 */
	abstract public function menu(): void;

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
		add_action( 'admin_menu', array( $this, 'menu' ), static::MENU_PRIORITY );
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
			add_submenu_page( 'pet-employees', $p[0], $p[0], $p[1], $slug, array( $this, $p[2] ) );
		}
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
		if ( ! current_user_can( $cap ) ) {
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
	 * @param callable $body         Renders the screen.
	 * @param string   $title_action Page-title action link (escaped HTML), if any.
	 */
	protected function screen( string $title, callable $body, string $title_action = '' ): void {
		echo '<div class="wrap pet-wrap' . ( '' !== static::SCREEN_CLASS ? ' ' . esc_attr( static::SCREEN_CLASS ) : '' ) . '"><h1 class="wp-heading-inline">' . esc_html( $title ) . '</h1>' . $title_action . '<hr class="wp-header-end">'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $title_action is built with esc_url/esc_html.
		try {
			$this->load_tables();
			$this->screen_styles();
			$body();
		} catch ( \Throwable $e ) {
			Notices::render_throwable( $e );
		}
		echo '</div>';
	}

	/**
	 * Loads the list-table classes the screens and actions use.
	 */
	protected function load_tables(): void {
		require_once __DIR__ . '/tables/class-table.php';
	}

	/**
	 * Prints the screens' inline styles (none by default).
	 */
	protected function screen_styles(): void {
	}

	// ---- renderers ----------------------------------------------------------------------------

	/**
	 * Opens a form posting to admin-post.php with the action's nonce and an idempotency key.
	 *
	 * @param string               $action Action name.
	 * @param array<string,string> $hidden Extra hidden fields.
	 * @param string               $id     HTML id of the form.
	 * @param string               $extra  Extra attributes (escaped by the caller).
	 */
	protected static function form_open( string $action, array $hidden = array(), string $id = '', string $extra = '' ): void {
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '"' . ( '' !== $id ? ' id="' . esc_attr( $id ) . '"' : '' ) . $extra . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $extra is built from escaped parts by the callers.
		echo '<input type="hidden" name="action" value="' . esc_attr( 'pet_' . $action ) . '">';
		echo '<input type="hidden" name="_pet_idem" value="' . esc_attr( wp_generate_uuid4() ) . '">';
		foreach ( $hidden as $k => $v ) {
			echo '<input type="hidden" name="' . esc_attr( $k ) . '" value="' . esc_attr( $v ) . '">';
		}
		wp_nonce_field( 'pet_' . $action );
	}

	/**
	 * The HTML id of a field: "pet-" and the name with _ [ ] as dashes.
	 *
	 * @param string $name Field name.
	 */
	protected static function field_id( string $name ): string {
		return 'pet-' . str_replace( array( '_', '[', ']' ), '-', $name );
	}

	/**
	 * A form-table row with a label and an input (id from field_id()).
	 *
	 * @param string $name  Field name.
	 * @param string $label Label.
	 * @param string $type  Input type.
	 * @param string $value Value.
	 * @param string $extra Extra attributes (trusted literal, e.g. 'required').
	 */
	protected static function field( string $name, string $label, string $type = 'text', string $value = '', string $extra = '' ): void {
		$id = self::field_id( $name );
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		echo '<input type="' . esc_attr( $type ) . '" name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" value="' . esc_attr( $value ) . '" class="regular-text"' . ( '' !== $extra ? ' ' . $extra : '' ) . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $extra is a literal of the caller.
		echo '</td></tr>';
	}

	/**
	 * A select element.
	 *
	 * @param string               $name     Field name.
	 * @param array<string,string> $options  value => label.
	 * @param string               $selected Selected value.
	 * @param string               $id       Element id ('' = none).
	 */
	protected static function select( string $name, array $options, string $selected = '', string $id = '' ): void {
		echo '<select name="' . esc_attr( $name ) . '"' . ( '' !== $id ? ' id="' . esc_attr( $id ) . '"' : '' ) . '>';
		foreach ( $options as $value => $label ) {
			echo '<option value="' . esc_attr( (string) $value ) . '"' . selected( (string) $value, $selected, false ) . '>' . esc_html( $label ) . '</option>';
		}
		echo '</select>';
	}

	/**
	 * The error message under a field of a kept form, if any.
	 *
	 * @param array|null $kept  Kept form state (kept_form()).
	 * @param string     $field Field name.
	 * @param string     $id    The input's id.
	 */
	protected static function field_error( ?array $kept, string $field, string $id ): void {
		if ( null !== $kept && isset( $kept['fields'][ $field ] ) ) {
			echo '<p class="pet-field-error" id="' . esc_attr( $id . '-error' ) . '">' . esc_html( (string) $kept['fields'][ $field ] ) . '</p>';
		}
	}

	/**
	 * Attributes marking an input invalid (with its message) when its field failed.
	 *
	 * @param array|null $kept  Kept form state (kept_form()).
	 * @param string     $field Field name.
	 * @param string     $id    The input's id.
	 */
	protected static function invalid_attrs( ?array $kept, string $field, string $id ): string {
		if ( null !== $kept && isset( $kept['fields'][ $field ] ) ) {
			return ' aria-invalid="true" aria-describedby="' . esc_attr( $id . '-error' ) . '"';
		}
		return '';
	}

	/**
	 * A form-table row with a text input of a form that may have been kept.
	 *
	 * @param array|null $kept  Kept form state (kept_form()).
	 * @param string     $name  Name.
	 * @param string     $label Label.
	 * @param string     $value Value (replaced by the kept input).
	 * @param string     $id    Element id.
	 * @param string     $extra Extra attributes (already escaped).
	 */
	protected static function text_row( ?array $kept, string $name, string $label, string $value, string $id, string $extra = '' ): void {
		if ( null !== $kept && isset( $kept['values'][ $name ] ) ) {
			$value = (string) $kept['values'][ $name ];
		}
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		echo '<input type="text" name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" value="' . esc_attr( $value ) . '" class="regular-text"' . self::invalid_attrs( $kept, $name, $id ) . $extra . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- attributes escaped where built.
		self::field_error( $kept, $name, $id );
		echo '</td></tr>';
	}

	/**
	 * A form-table row with a textarea of a form that may have been kept.
	 *
	 * @param array|null $kept  Kept form state (kept_form()).
	 * @param string     $name  Name.
	 * @param string     $label Label.
	 * @param string     $value Value (replaced by the kept input).
	 * @param string     $id    Element id.
	 * @param int        $rows  Rows.
	 */
	protected static function textarea_row( ?array $kept, string $name, string $label, string $value, string $id, int $rows = 14 ): void {
		if ( null !== $kept && isset( $kept['values'][ $name ] ) ) {
			$value = (string) $kept['values'][ $name ];
		}
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		echo '<textarea name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" rows="' . esc_attr( (string) $rows ) . '" class="large-text"' . self::invalid_attrs( $kept, $name, $id ) . '>' . esc_textarea( $value ) . '</textarea>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- attributes escaped where built.
		self::field_error( $kept, $name, $id );
		echo '</td></tr>';
	}

	/**
	 * A status label with a CSS class ("waiting_on_customer" shown as "waiting on customer").
	 *
	 * @param string $status Status.
	 */
	protected static function badge( string $status ): string {
		return '<span class="pet-status pet-status-' . esc_attr( $status ) . '" data-status="' . esc_attr( $status ) . '">' . esc_html( str_replace( '_', ' ', $status ) ) . '</span>';
	}

	// ---- options ------------------------------------------------------------------------------

	/**
	 * Every row of a paged engine list (the engine pages at most 100 rows at a time).
	 *
	 * @param callable $list  fn(array $query): array, a list result (items, total).
	 * @param array    $query Filters.
	 */
	protected static function all_rows( callable $list, array $query = array() ): array {
		$rows  = array();
		$query = $query + array(
			'page'     => 1,
			'per_page' => 100,
		);
		do {
			$result = $list( $query );
			foreach ( $result['items'] ?? array() as $item ) {
				$rows[] = $item;
			}
			++$query['page'];
		} while ( ( $query['page'] - 1 ) * 100 < (int) ( $result['total'] ?? 0 ) );
		return $rows;
	}

	/**
	 * Employees as select options (id => name), after the leading options.
	 *
	 * @param array<string,string> $first  Leading options (e.g. '' => '— choose —').
	 * @param string               $status Only this status ('' = all).
	 * @return array<string,string>
	 */
	protected function employee_options( array $first, string $status = 'active' ): array {
		$out = $first;
		foreach ( $this->plugin->engine()->employeeNames( '' === $status ? array() : array( 'status' => $status ) )['items'] as $e ) {
			$out[ (string) $e['id'] ] = (string) $e['name'];
		}
		return $out;
	}

	/**
	 * Active customers as select options (id => name), after the leading options.
	 *
	 * @param array<string,string> $first Leading options.
	 * @return array<string,string>
	 */
	protected function customer_options( array $first ): array {
		$out = $first;
		foreach ( $this->plugin->engine()->customerNames( array( 'status' => 'active' ) )['items'] as $c ) {
			$out[ (string) $c['id'] ] = (string) $c['name'];
		}
		return $out;
	}
}
