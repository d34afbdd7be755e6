<?php
/**
 * Base of PET's list tables: WP_List_Table fed by an engine list result, escaping in every
 * column method, formatting helpers for money and timestamps.
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( 'WP_List_Table' ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

/**
 * Shared behaviour of the PET list tables.
 */
abstract class Table extends \WP_List_Table {

	/**
	 * @param string $singular Singular name (used in CSS classes).
	 * @param string $plural   Plural name.
	 */
	public function __construct( string $singular, string $plural ) {
		parent::__construct(
			array(
				'singular' => $singular,
				'plural'   => $plural,
				'ajax'     => false,
				'screen'   => get_current_screen() ?? 'pet',
			)
		);
	}

	/**
	 * Uses an engine list result (items, total, page, per_page) as the table's rows.
	 *
	 * @param array $result   Engine result.
	 * @param int   $per_page Rows per page.
	 */
	public function set_result( array $result, int $per_page ): void {
		$this->items = isset( $result['items'] ) && is_array( $result['items'] ) ? $result['items'] : array();
		$total       = isset( $result['total'] ) ? (int) $result['total'] : count( $this->items );
		// A keyset list (the engine gives next/prev cursors): pages are walked by cursor.
		$this->cursors = array_key_exists( 'next', $result ) ? array(
			'next'  => isset( $result['next'] ) ? (string) $result['next'] : '',
			'prev'  => isset( $result['prev'] ) ? (string) $result['prev'] : '',
			'last'  => isset( $result['last'] ) ? (string) $result['last'] : '',
			'exact' => ! empty( $result['total_exact'] ),
			'total' => $total,
		) : null;
		$this->set_pagination_args(
			array(
				'total_items' => $total,
				'per_page'    => max( 1, $per_page ),
				'total_pages' => (int) ceil( $total / max( 1, $per_page ) ),
			)
		);
		$this->_column_headers = array( $this->get_columns(), array(), array() );
	}

	/**
	 * Loads one page of an engine list as the rows: the request's page, $per_page rows, the
	 * fixed $query and the request's non-empty values of $filters (request key => query key).
	 *
	 * @param callable              $list     fn( array $query ): array, an engine list result.
	 * @param array<string,string>  $filters  Request key => query key.
	 * @param array<string,mixed>   $query    Fixed query values.
	 * @param int                   $per_page Rows per page.
	 */
	protected function load_page( callable $list, array $filters = array(), array $query = array(), int $per_page = 20 ): void {
		foreach ( $filters as $param => $key ) {
			$v = \PetWp\Input::text( $param );
			if ( '' !== $v ) {
				$query[ $key ] = $v;
			}
		}
		$after  = \PetWp\Input::text( 'after' );
		$before = \PetWp\Input::text( 'before' );
		if ( '' !== $after ) {
			$query['after'] = $after;
		} elseif ( '' !== $before ) {
			$query['before'] = $before;
		} else {
			$query['page'] = $this->get_pagenum();
		}
		$query['per_page'] = $per_page;
		try {
			$result = $list( $query );
		} catch ( \Pet\ValidationException $e ) {
			// A cursor of another order (the user re-sorted): the new order's first page.
			$fields = $e->getFieldErrors();
			if ( ! isset( $fields['after'] ) && ! isset( $fields['before'] ) ) {
				throw $e;
			}
			unset( $query['after'], $query['before'] );
			$query['page'] = 1;
			$result        = $list( $query );
		}
		$this->set_result( $result, $per_page );
	}

	/**
	 * The cursors of a keyset list's page (next, prev, last, exact, total), or null.
	 *
	 * @var array<string,mixed>|null
	 */
	protected $cursors = null;

	/**
	 * Pagination: WordPress's numbered links, or for a keyset list "first / previous / next /
	 * last" links carrying the engine's cursors, and the count ("More than 10,000 items" when
	 * the engine stopped counting).
	 *
	 * @param string $which Top or bottom.
	 */
	protected function pagination( $which ) {
		if ( null === $this->cursors ) {
			parent::pagination( $which );
			return;
		}
		$c     = $this->cursors;
		$total = (int) $c['total'];
		$count = $c['exact']
			/* translators: %s: number of items. */
			? sprintf( _n( '%s item', '%s items', $total, 'pet' ), number_format_i18n( $total ) )
			/* translators: %s: number of items. */
			: sprintf( __( 'More than %s items', 'pet' ), number_format_i18n( $total ) );
		$base  = remove_query_arg( array( 'paged', 'after', 'before' ) );
		$link  = static function ( string $key, string $cursor, string $text, string $label, string $class ) use ( $base ): string {
			if ( '' === $cursor && 'first' !== $key ) {
				return '<span class="tablenav-pages-navspan button disabled" aria-hidden="true">' . esc_html( $text ) . '</span>';
			}
			$url = '' === $cursor ? $base : add_query_arg( 'next' === $key ? 'after' : 'before', $cursor, $base );
			return '<a class="' . esc_attr( $class ) . ' button" href="' . esc_url( $url ) . '"><span class="screen-reader-text">'
				. esc_html( $label ) . '</span><span aria-hidden="true">' . esc_html( $text ) . '</span></a>';
		};
		$at_start = '' === (string) $c['prev'];
		$links    = array(
			$at_start ? $link( 'prev', '', '«', '', '' ) : $link( 'first', '', '«', __( 'First page', 'pet' ), 'first-page' ),
			$link( 'prev', (string) $c['prev'], '‹', __( 'Previous page', 'pet' ), 'prev-page' ),
			$link( 'next', (string) $c['next'], '›', __( 'Next page', 'pet' ), 'next-page' ),
			$link( 'last', (string) $c['last'], '»', __( 'Last page', 'pet' ), 'last-page' ),
		);
		echo '<div class="tablenav-pages"><span class="displaying-num">' . esc_html( $count ) . '</span>'
			. '<span class="pagination-links">' . implode( ' ', $links ) . '</span></div>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- every part is escaped above.
	}

	/**
	 * A row's title linked to its screen (the list's primary column), escaped.
	 *
	 * @param string $url  Link.
	 * @param string $text Title.
	 */
	public static function title_link( string $url, string $text ): string {
		return '<strong><a class="row-title" href="' . esc_url( $url ) . '">' . esc_html( $text ) . '</a></strong>';
	}

	/**
	 * Uses a plain list as the rows (sub-lists such as rates, members, contacts).
	 *
	 * @param array $items Rows.
	 */
	public function set_rows( array $items ): void {
		$this->set_result(
			array(
				'items' => array_values( $items ),
				'total' => count( $items ),
			),
			max( 1, count( $items ) )
		);
	}

	/**
	 * Escaped scalar value of a column.
	 *
	 * @param array  $item        Row.
	 * @param string $column_name Column key.
	 */
	public function column_default( $item, $column_name ) {
		$v = $item[ $column_name ] ?? '';
		if ( is_bool( $v ) ) {
			$v = $v ? __( 'yes', 'pet' ) : __( 'no', 'pet' );
		} elseif ( is_string( $v ) && in_array( $column_name, array( 'status', 'kind' ), true ) ) {
			$v = \PetWp\View::value_label( $v );
		}
		return esc_html( is_scalar( $v ) ? (string) $v : (string) wp_json_encode( $v ) );
	}

	/**
	 * An engine money object as text in the currency's own decimals, e.g. "1,234.50 EUR",
	 * "1,235 JPY", "1.235 KWD" (in the site locale's separators: "1.234,50 EUR" in German);
	 * '—' when absent. Built from the engine's decimal `amount` by string work alone (the
	 * locale's thousands separator and decimal point, as number_format_i18n() uses them;
	 * never a float, never recomputed from minor units), so every minor digit is kept.
	 *
	 * @param mixed $money The engine's money object ({amount_minor, currency, minor_digits,
	 *                     amount, formatted}) or null.
	 */
	public static function money( $money ): string {
		if ( ! is_array( $money ) || ! isset( $money['amount'] ) || ! preg_match( '/^(-?)(\d+)(?:\.(\d+))?$/', (string) $money['amount'], $m ) ) {
			return is_array( $money ) && isset( $money['formatted'] ) ? (string) $money['formatted'] : '—';
		}
		list( $thousands, $point ) = self::number_separators();
		$whole = (string) preg_replace( '/\B(?=(\d{3})+$)/', "\x00", ltrim( $m[2], '0' ) );
		$whole = '' === $whole ? '0' : str_replace( "\x00", $thousands, $whole );
		$frac  = isset( $m[3] ) && '' !== $m[3] ? $point . $m[3] : '';
		return trim( $m[1] . $whole . $frac . ' ' . (string) ( $money['currency'] ?? '' ) );
	}

	/**
	 * The site locale's thousands separator and decimal point ($wp_locale, as
	 * number_format_i18n() reads them; "," and "." before the locale is loaded).
	 *
	 * @return array{0:string,1:string}
	 */
	private static function number_separators(): array {
		global $wp_locale;
		$format = isset( $wp_locale ) && is_array( $wp_locale->number_format ?? null ) ? $wp_locale->number_format : array();
		return array(
			(string) ( $format['thousands_sep'] ?? ',' ),
			(string) ( $format['decimal_point'] ?? '.' ),
		);
	}

	/**
	 * RFC 3339 timestamp shown in the site's time zone and formats.
	 *
	 * @param mixed $ts Timestamp string.
	 */
	public static function when( $ts ): string {
		if ( ! is_string( $ts ) || '' === $ts ) {
			return '—';
		}
		$t = strtotime( $ts );
		if ( false === $t ) {
			return $ts;
		}
		return wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $t );
	}

	/**
	 * URL of a PET admin screen.
	 *
	 * @param string               $page Page slug.
	 * @param array<string,string> $args Query arguments.
	 */
	public static function page_url( string $page, array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => $page ), $args ), admin_url( 'admin.php' ) );
	}

	/**
	 * A row action that changes something: a small POST form to admin-post.php with the
	 * action's nonce, an idempotency key and the page to come back to, its button styled as
	 * a link (WordPress's row-action style). Never a link: GET requests change nothing, and
	 * Module_Admin::handle() refuses them.
	 *
	 * @param string               $action Action name without the pet_ prefix.
	 * @param array<string,string> $args   Hidden fields (e.g. the id).
	 * @param string               $label  Button text.
	 */
	public static function action_form( string $action, array $args, string $label ): string {
		$fields = array_merge(
			array(
				'action'    => 'pet_' . $action,
				'_pet_idem' => wp_generate_uuid4(),
				'_wpnonce'  => wp_create_nonce( 'pet_' . $action ),
			),
			$args
		);
		$html   = '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" class="pet-row-action" style="display:inline">';
		foreach ( $fields as $k => $v ) {
			$html .= '<input type="hidden" name="' . esc_attr( (string) $k ) . '" value="' . esc_attr( (string) $v ) . '">';
		}
		$html .= wp_referer_field( false );
		return $html . '<button type="submit" class="button-link">' . esc_html( $label ) . '</button></form>';
	}
}
