<?php
/**
 * The activity feed (newest first) with its filters and paging.
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

/**
 * The Activity screen's table.
 */
class Activity_Table extends Table {

	/**
	 * Events already recorded but not yet in the feed (a large backlog is projected by the
	 * background job; each read projects up to 10,000 first).
	 *
	 * @var int
	 */
	public $pending = 0;

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'activity', 'activities' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'occurred_at' => __( 'When', 'pet' ),
			'actor_name'  => __( 'Who', 'pet' ),
			'line'        => __( 'What happened', 'pet' ),
			'context'     => __( 'Context', 'pet' ),
		);
	}

	/**
	 * The filter values of the current request.
	 *
	 * @return array<string,string>
	 */
	public static function filters(): array {
		$f     = array();
		$actor = \PetWp\Picker::value( 'actor_id', 'all-employees', array(), false );
		if ( '' !== $actor ) {
			$f['actor_id'] = $actor;
		}
		foreach ( array( 'context_type', 'context_id', 'from', 'to' ) as $key ) {
			$v = \PetWp\Input::text( $key );
			if ( '' !== $v ) {
				$f[ $key ] = $v;
			}
		}
		return $f;
	}

	/**
	 * Loads a page of the feed for the request's filters.
	 *
	 * @param \Pet\Engine $engine Engine.
	 */
	public function load( \Pet\Engine $engine ): void {
		$pending = 0;
		$this->load_page(
			function ( $q ) use ( $engine, &$pending ) {
				// Only the contexts of the areas the user may see (the engine filters in SQL).
				$result  = $engine->activity( \PetWp\Access::feed_query( $q ) );
				$pending = (int) ( $result['pending'] ?? 0 );
				return $result;
			},
			array(),
			self::filters(),
			25
		);
		$this->pending = $pending;
	}

	/**
	 * @param array $item Feed entry.
	 */
	public function column_occurred_at( $item ) {
		return esc_html( self::when( $item['occurred_at'] ?? null ) );
	}

	/**
	 * @param array $item Feed entry.
	 */
	public function column_actor_name( $item ) {
		if ( empty( $item['actor_id'] ) && ! empty( $item['actor_contact_id'] ) ) {
			/* translators: %s: the customer contact's name */
			return esc_html( sprintf( __( '%s (customer)', 'pet' ), (string) ( $item['actor_name'] ?? __( 'a customer contact', 'pet' ) ) ) );
		}
		if ( empty( $item['actor_id'] ) ) {
			return esc_html__( 'System', 'pet' );
		}
		$name = (string) ( $item['actor_name'] ?? $item['actor_id'] );
		$url  = self::page_url( 'pet-activity', array( 'actor_id' => (string) $item['actor_id'] ) );
		return '<a href="' . esc_url( $url ) . '">' . esc_html( $name ) . '</a>';
	}

	/**
	 * The rendered line (plain text from the engine).
	 *
	 * @param array $item Feed entry.
	 */
	public function column_line( $item ) {
		return esc_html( (string) ( $item['line'] ?? '' ) );
	}

	/**
	 * Context type with a link filtering the feed to that context, and a link to its history.
	 *
	 * @param array $item Feed entry.
	 */
	public function column_context( $item ) {
		$type = (string) ( $item['context_type'] ?? '' );
		$id   = (string) ( $item['context_id'] ?? '' );
		$url  = self::page_url(
			'pet-activity',
			array(
				'context_type' => $type,
				'context_id'   => $id,
			)
		);
		$history = self::page_url(
			'pet-history',
			array(
				'context_type' => $type,
				'context_id'   => $id,
			)
		);
		return '<a class="pet-context-filter" href="' . esc_url( $url ) . '" title="' . esc_attr( $id ) . '">' . esc_html( $type ) . '</a> · <a class="pet-context-history" href="' . esc_url( $history ) . '">' . esc_html__( 'history', 'pet' ) . '</a>';
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No activity matches these filters.', 'pet' );
	}
}
