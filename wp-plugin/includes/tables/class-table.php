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
		}
		return esc_html( is_scalar( $v ) ? (string) $v : (string) wp_json_encode( $v ) );
	}

	/**
	 * Money array as text, e.g. "85.00 EUR"; '—' when absent.
	 *
	 * @param mixed $money ['amount_minor' => int, 'currency' => string] or null.
	 */
	public static function money( $money ): string {
		if ( ! is_array( $money ) || ! isset( $money['amount_minor'] ) ) {
			return '—';
		}
		$minor = (int) $money['amount_minor'];
		$sign  = $minor < 0 ? '-' : '';
		$minor = abs( $minor );
		return sprintf( '%s%s.%02d %s', $sign, number_format_i18n( intdiv( $minor, 100 ) ), $minor % 100, (string) ( $money['currency'] ?? '' ) );
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
	 * URL of a nonce-protected admin-post.php action (row actions).
	 *
	 * @param string               $action Action name without the pet_ prefix.
	 * @param array<string,string> $args   Query arguments.
	 */
	public static function action_url( string $action, array $args = array() ): string {
		return wp_nonce_url(
			add_query_arg( array_merge( array( 'action' => 'pet_' . $action ), $args ), admin_url( 'admin-post.php' ) ),
			'pet_' . $action
		);
	}
}
