<?php
/**
 * The view layer of PET's screens: renders a view template with the data its controller
 * prepared, and the small renderers every template shares (POST form with nonce and
 * idempotency key, form-table rows, selects, field errors, status badges).
 *
 * A view is a plain PHP template: `includes/modules/<module>/views/<screen>.php` for a
 * module's screen ('helpdesk/ticket'), `includes/views/<screen>.php` for the engine core's
 * screens ('core/jobs'). It receives one array, `$data`, reads only from it (and from these
 * renderers and the formatting helpers of \PetWp\Tables\Table), fetches nothing from the
 * engine and escapes every output with esc_html / esc_attr / esc_url / wp_kses.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * View templates and shared renderers.
 */
final class View {

	/**
	 * Renders a view template.
	 *
	 * @param string $name 'module/screen' ('core/screen' for the core's own screens).
	 * @param array  $data The prepared data the template reads.
	 * @throws \InvalidArgumentException When there is no such view.
	 */
	public static function render( string $name, array $data = array() ): void {
		$file = self::file( $name );
		if ( null === $file ) {
			throw new \InvalidArgumentException( sprintf( 'PET has no view "%s"', $name ) );
		}
		( static function ( string $pet_view_file, array $data ): void {
			include $pet_view_file;
		} )( $file, $data );
	}

	/**
	 * The template file of a view, or null when the name is not one.
	 *
	 * @param string $name 'module/screen'.
	 */
	private static function file( string $name ): ?string {
		if ( ! preg_match( '#^([a-z0-9_-]+)/([a-z0-9_-]+)$#', $name, $m ) ) {
			return null;
		}
		$file = 'core' === $m[1]
			? __DIR__ . '/views/' . $m[2] . '.php'
			: __DIR__ . '/modules/' . $m[1] . '/views/' . $m[2] . '.php';
		return is_file( $file ) ? $file : null;
	}

	// ---- screen wrapper -----------------------------------------------------------------------

	/**
	 * Opens a screen: the wrapper, the title and its action link, the header end.
	 *
	 * @param string $title        Page title.
	 * @param string $class        Extra CSS class of the wrapper ('' = none).
	 * @param array  $title_action Page-title action link, if any: {url, label, id}.
	 */
	public static function screen_open( string $title, string $class, array $title_action = array() ): void {
		$classes = 'wrap pet-wrap' . ( '' !== $class ? ' ' . $class : '' );
		echo '<div class="' . esc_attr( $classes ) . '"><h1 class="wp-heading-inline">' . esc_html( $title ) . '</h1>';
		if ( array() !== $title_action ) {
			$url = (string) $title_action['url'];
			$id  = (string) $title_action['id'];
			echo ' <a href="' . esc_url( $url ) . '" class="page-title-action" id="' . esc_attr( $id ) . '">' . esc_html( (string) $title_action['label'] ) . '</a>';
		}
		echo '<hr class="wp-header-end">';
	}

	/** Closes a screen. */
	public static function screen_close(): void {
		echo '</div>';
	}

	// ---- forms --------------------------------------------------------------------------------

	/**
	 * Opens a form posting to admin-post.php with the action's nonce and an idempotency key.
	 *
	 * @param string               $action Action name.
	 * @param array<string,string> $hidden Extra hidden fields.
	 * @param string               $id     HTML id of the form.
	 * @param array<string,string> $attrs  More attributes of the form (name => value).
	 */
	public static function form_open( string $action, array $hidden = array(), string $id = '', array $attrs = array() ): void {
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '"' . ( '' !== $id ? ' id="' . esc_attr( $id ) . '"' : '' );
		foreach ( $attrs as $name => $value ) {
			echo ' ' . esc_attr( $name ) . '="' . esc_attr( $value ) . '"';
		}
		echo '>';
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
	public static function field_id( string $name ): string {
		return 'pet-' . str_replace( array( '_', '[', ']' ), '-', $name );
	}

	/**
	 * Attributes (name => value; true for a boolean attribute) as escaped HTML, each with a
	 * leading space.
	 *
	 * @param array<string,string|bool> $attrs Attributes.
	 */
	public static function attrs( array $attrs ): string {
		$out = '';
		foreach ( $attrs as $name => $value ) {
			if ( true === $value ) {
				$out .= ' ' . esc_attr( $name );
			} elseif ( false !== $value ) {
				$out .= ' ' . esc_attr( $name ) . '="' . esc_attr( $value ) . '"';
			}
		}
		return $out;
	}

	/**
	 * A form-table row with a label and an input (id from field_id()).
	 *
	 * @param string                    $name  Field name.
	 * @param string                    $label Label.
	 * @param string                    $type  Input type.
	 * @param string                    $value Value.
	 * @param array<string,string|bool> $attrs More attributes (e.g. ['required' => true]).
	 */
	public static function field( string $name, string $label, string $type = 'text', string $value = '', array $attrs = array() ): void {
		$id = self::field_id( $name );
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		echo '<input type="' . esc_attr( $type ) . '" name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" value="' . esc_attr( $value ) . '" class="regular-text"' . self::attrs( $attrs ) . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- attrs() escapes.
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
	public static function select( string $name, array $options, string $selected = '', string $id = '' ): void {
		echo '<select name="' . esc_attr( $name ) . '"' . ( '' !== $id ? ' id="' . esc_attr( $id ) . '"' : '' ) . '>';
		foreach ( $options as $value => $label ) {
			echo '<option value="' . esc_attr( (string) $value ) . '"' . selected( (string) $value, $selected, false ) . '>' . esc_html( $label ) . '</option>';
		}
		echo '</select>';
	}

	/**
	 * A form-table row holding a select, with its label.
	 *
	 * @param string               $name     Field name.
	 * @param string               $label    Label.
	 * @param array<string,string> $options  value => label.
	 * @param string               $selected Selected value.
	 * @param string               $id       Element id.
	 */
	public static function select_row( string $name, string $label, array $options, string $selected, string $id ): void {
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		self::select( $name, $options, $selected, $id );
		echo '</td></tr>';
	}

	/**
	 * The error message under a field of a kept form, if any.
	 *
	 * @param array|null $kept  Kept form state (Module_Admin::kept_form()).
	 * @param string     $field Field name.
	 * @param string     $id    The input's id.
	 */
	public static function field_error( ?array $kept, string $field, string $id ): void {
		if ( null !== $kept && isset( $kept['fields'][ $field ] ) ) {
			echo '<p class="pet-field-error" id="' . esc_attr( $id . '-error' ) . '">' . esc_html( (string) $kept['fields'][ $field ] ) . '</p>';
		}
	}

	/**
	 * Attributes marking an input invalid (with its message) when its field failed.
	 *
	 * @param array|null $kept  Kept form state.
	 * @param string     $field Field name.
	 * @param string     $id    The input's id.
	 * @return array<string,string>
	 */
	public static function invalid_attrs( ?array $kept, string $field, string $id ): array {
		if ( null !== $kept && isset( $kept['fields'][ $field ] ) ) {
			return array(
				'aria-invalid'     => 'true',
				'aria-describedby' => $id . '-error',
			);
		}
		return array();
	}

	/**
	 * A form-table row with a text input of a form that may have been kept.
	 *
	 * @param array|null                $kept  Kept form state.
	 * @param string                    $name  Name.
	 * @param string                    $label Label.
	 * @param string                    $value Value (replaced by the kept input).
	 * @param string                    $id    Element id.
	 * @param array<string,string|bool> $attrs More attributes.
	 */
	public static function text_row( ?array $kept, string $name, string $label, string $value, string $id, array $attrs = array() ): void {
		if ( null !== $kept && isset( $kept['values'][ $name ] ) ) {
			$value = (string) $kept['values'][ $name ];
		}
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		$all = self::invalid_attrs( $kept, $name, $id ) + $attrs;
		echo '<input type="text" name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" value="' . esc_attr( $value ) . '" class="regular-text"' . self::attrs( $all ) . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- attrs() escapes.
		self::field_error( $kept, $name, $id );
		echo '</td></tr>';
	}

	/**
	 * A form-table row with a textarea of a form that may have been kept.
	 *
	 * @param array|null $kept  Kept form state.
	 * @param string     $name  Name.
	 * @param string     $label Label.
	 * @param string     $value Value (replaced by the kept input).
	 * @param string     $id    Element id.
	 * @param int        $rows  Rows.
	 */
	public static function textarea_row( ?array $kept, string $name, string $label, string $value, string $id, int $rows = 14 ): void {
		if ( null !== $kept && isset( $kept['values'][ $name ] ) ) {
			$value = (string) $kept['values'][ $name ];
		}
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		$attrs = self::attrs( self::invalid_attrs( $kept, $name, $id ) );
		echo '<textarea name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" rows="' . esc_attr( (string) $rows ) . '" class="large-text"' . $attrs . '>' . esc_textarea( $value ) . '</textarea>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- attrs() escapes.
		self::field_error( $kept, $name, $id );
		echo '</td></tr>';
	}

	// ---- small pieces -------------------------------------------------------------------------

	/**
	 * Whether a view from the engine offers `$action` now (its `actions`): screens show an
	 * action only when the engine says it is allowed, never by reading the status.
	 *
	 * @param array  $view   An engine view.
	 * @param string $action The action name (e.g. `deactivate`).
	 */
	public static function allows( array $view, string $action ): bool {
		return in_array( $action, (array) ( $view['actions'] ?? array() ), true );
	}

	/**
	 * A status label with a CSS class ("waiting_on_customer" shown as "waiting on customer").
	 *
	 * @param string $status Status.
	 */
	public static function badge( string $status ): void {
		echo '<span class="pet-status pet-status-' . esc_attr( $status ) . '" data-status="' . esc_attr( $status ) . '">' . esc_html( self::value_label( $status ) ) . '</span>';
	}

	/**
	 * The translated label of a status, stage or kind value the engine returns (statuses of
	 * employees, teams, customers, org structures, leads, opportunities, quotes, articles,
	 * tickets and jobs; opportunity kinds and size bands; quote line kinds and billing periods; the activity feed's context types). A value not listed is shown as its words.
	 *
	 * @param string $value The engine's value, e.g. `waiting_on_customer`.
	 */
	public static function value_label( string $value ): string {
		$labels = array(
			'active'              => __( 'active', 'pet' ),
			'inactive'            => __( 'inactive', 'pet' ),
			'archived'            => __( 'archived', 'pet' ),
			'scheduled'           => __( 'scheduled', 'pet' ),
			'published'           => __( 'published', 'pet' ),
			'draft'               => __( 'draft', 'pet' ),
			'new'                 => __( 'new', 'pet' ),
			'contacted'           => __( 'contacted', 'pet' ),
			'qualified'           => __( 'qualified', 'pet' ),
			'disqualified'        => __( 'disqualified', 'pet' ),
			'open'                => __( 'open', 'pet' ),
			'quoting'             => __( 'quoting', 'pet' ),
			'won'                 => __( 'won', 'pet' ),
			'lost'                => __( 'lost', 'pet' ),
			'sent'                => __( 'sent', 'pet' ),
			'accepted'            => __( 'accepted', 'pet' ),
			'rejected'            => __( 'rejected', 'pet' ),
			'expired'             => __( 'expired', 'pet' ),
			'superseded'          => __( 'superseded', 'pet' ),
			'waiting_on_customer' => __( 'waiting on customer', 'pet' ),
			'resolved'            => __( 'resolved', 'pet' ),
			'closed'              => __( 'closed', 'pet' ),
			'pending'             => __( 'pending', 'pet' ),
			'running'             => __( 'running', 'pet' ),
			'failed'              => __( 'failed', 'pet' ),
			'dead'                => __( 'dead', 'pet' ),
			'new_business'        => __( 'new business', 'pet' ),
			'upsell'              => __( 'upsell', 'pet' ),
			'renewal'             => __( 'renewal', 'pet' ),
			'labour'              => __( 'labour', 'pet' ),
			'fixed_fee'           => __( 'fixed fee', 'pet' ),
			'product'             => __( 'product', 'pet' ),
			'recurring'           => __( 'recurring', 'pet' ),
			'monthly'             => __( 'monthly', 'pet' ),
			'quarterly'           => __( 'quarterly', 'pet' ),
			'yearly'              => __( 'yearly', 'pet' ),
			'small'               => __( 'small', 'pet' ),
			'medium'              => __( 'medium', 'pet' ),
			'large'               => __( 'large', 'pet' ),
			'enterprise'          => __( 'enterprise', 'pet' ),
			'employee'            => __( 'employee', 'pet' ),
			'team'                => __( 'team', 'pet' ),
			'org_structure'       => __( 'org structure', 'pet' ),
			'customer'            => __( 'customer', 'pet' ),
			'lead_schema'         => __( 'lead schema', 'pet' ),
			'lead'                => __( 'lead', 'pet' ),
			'opportunity'         => __( 'opportunity', 'pet' ),
			'quote'               => __( 'quote', 'pet' ),
			'sale'                => __( 'sale', 'pet' ),
			'ticket'              => __( 'ticket', 'pet' ),
			'sla_definition'      => __( 'SLA definition', 'pet' ),
			'knowledge_article'   => __( 'knowledge article', 'pet' ),
			'project'             => __( 'project', 'pet' ),
			'time_entry'          => __( 'time entry', 'pet' ),
			'time_period'         => __( 'time period lock', 'pet' ),
			'kpi'                 => __( 'KPI', 'pet' ),
			'accounting_push'     => __( 'accounting push', 'pet' ),
			'invoice'             => __( 'invoice', 'pet' ),
			'estimate'            => __( 'estimate', 'pet' ),
			'time_activity'       => __( 'time activity', 'pet' ),
			'queued'              => __( 'queued', 'pet' ),
			'in_flight'           => __( 'in flight', 'pet' ),
			'confirmed'           => __( 'confirmed', 'pet' ),
			'unchecked'           => __( 'not reconciled yet', 'pet' ),
			'matched'             => __( 'matched', 'pet' ),
			'mismatched'          => __( 'mismatched', 'pet' ),
			'missing'             => __( 'missing', 'pet' ),
		);
		return $labels[ $value ] ?? str_replace( '_', ' ', $value );
	}

	/**
	 * Plain text shown as paragraphs: escaped first, then blank lines become paragraphs and
	 * single line breaks <br> (wpautop adds only those tags).
	 *
	 * @param string $text Text.
	 */
	public static function paragraphs( string $text ): void {
		echo wp_kses_post( wpautop( esc_html( $text ) ) );
	}

	/**
	 * A chart with its data as a table: a `<figure>` holding a `<canvas>` that
	 * assets/js/charts.js draws with the bundled Chart.js (the screen must call
	 * Module_Admin::enqueue_charts()), and, under a "Show as a table" disclosure, the same numbers
	 * as a table, which is what screen readers and browsers without JavaScript get.
	 *
	 * @param string $caption  Caption (the chart's title and its accessible name).
	 * @param array  $labels   The x axis: one label per point (e.g. dates formatted for the site).
	 * @param array  $series   Each `array( 'label' => string, 'data' => list<int|float|null>,
	 *                         'type' => 'line'|'bar' (default line), 'dashed' => bool )`, one
	 *                         value per label.
	 * @param string $y_label  The y axis' title ('' = none).
	 * @param string $format   How numbers in the table are shown: 'number', 'percent' or 'hours'
	 *                         (minutes shown as hours).
	 */
	public static function chart( string $caption, array $labels, array $series, string $y_label = '', string $format = 'number' ): void {
		$config = array(
			'labels' => array_values( array_map( 'strval', $labels ) ),
			'series' => array(),
			'yLabel' => $y_label,
			'format' => $format,
		);
		foreach ( $series as $s ) {
			$config['series'][] = array(
				'label'  => (string) ( $s['label'] ?? '' ),
				'data'   => array_values( array_map( static fn( $v ) => null === $v ? null : ( 'hours' === $format ? round( $v / 60, 2 ) : $v ), (array) ( $s['data'] ?? array() ) ) ),
				'type'   => 'bar' === ( $s['type'] ?? 'line' ) ? 'bar' : 'line',
				'dashed' => ! empty( $s['dashed'] ),
			);
		}
		$json = wp_json_encode( $config, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT );
		echo '<figure class="pet-chart">';
		echo '<figcaption class="pet-chart-caption">' . esc_html( $caption ) . '</figcaption>';
		echo '<div class="pet-chart-canvas"><canvas role="img" aria-label="' . esc_attr( $caption ) . '" data-pet-chart="' . esc_attr( (string) $json ) . '"></canvas></div>';
		echo '<details class="pet-chart-table"><summary>' . esc_html__( 'Show as a table', 'pet' ) . '</summary>';
		echo '<table class="widefat striped"><caption class="screen-reader-text">' . esc_html( $caption ) . '</caption><thead><tr><th scope="col">' . esc_html__( 'Period', 'pet' ) . '</th>';
		foreach ( $config['series'] as $s ) {
			echo '<th scope="col">' . esc_html( $s['label'] ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $config['labels'] as $i => $label ) {
			echo '<tr><th scope="row">' . esc_html( $label ) . '</th>';
			foreach ( $config['series'] as $s ) {
				$v = $s['data'][ $i ] ?? null;
				if ( null === $v ) {
					$cell = '—';
				} elseif ( 'percent' === $format ) {
					$cell = number_format_i18n( (float) $v, 1 ) . ' %';
				} else {
					$cell = number_format_i18n( (float) $v, is_float( $v ) ? 2 : 0 );
				}
				echo '<td>' . esc_html( $cell ) . '</td>';
			}
			echo '</tr>';
		}
		echo '</tbody></table></details></figure>';
	}

	/**
	 * A "← back" link.
	 *
	 * @param string $url   Where to.
	 * @param string $label Text after the arrow.
	 * @param string $class CSS class of the paragraph ('' = none).
	 */
	public static function back_link( string $url, string $label, string $class = '' ): void {
		echo '<p' . ( '' !== $class ? ' class="' . esc_attr( $class ) . '"' : '' ) . '><a href="' . esc_url( $url ) . '">&larr; ' . esc_html( $label ) . '</a></p>';
	}

	/**
	 * A link in its own paragraph.
	 *
	 * @param string $url   Where to.
	 * @param string $label Text.
	 * @param string $class CSS class of the paragraph ('' = none).
	 */
	public static function link_paragraph( string $url, string $label, string $class = '' ): void {
		echo '<p' . ( '' !== $class ? ' class="' . esc_attr( $class ) . '"' : '' ) . '><a href="' . esc_url( $url ) . '">' . esc_html( $label ) . '</a></p>';
	}

	/**
	 * A link to an entity's History (every event, and its state as of a date where PET
	 * rebuilds one), in its own paragraph; nothing when the user may not see its area.
	 *
	 * @param string $context_type The entity's context type (e.g. 'quote').
	 * @param string $id           Its id.
	 * @param string $class        Extra CSS class of the paragraph ('' = none).
	 */
	public static function history_link( string $context_type, string $id, string $class = '' ): void {
		if ( ! current_user_can( Plugin::CAP_WORK ) || ! Access::can_see( $context_type ) ) {
			return;
		}
		self::link_paragraph( Access::history_url( $context_type, $id ), __( 'History', 'pet' ), trim( 'pet-history-link ' . $class ) );
	}
}
