<?php
/**
 * WP_List_Table subclasses of the support desk screens: tickets (with the SLA column) and
 * SLA definitions; plus the SLA wording shared by the list and the ticket page.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Helpdesk;

use PetWp\Input;
use PetWp\Picker;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * How an SLA reading is put into words (presentation only: every number comes from the engine).
 */
final class Sla_Text {

	/**
	 * Minutes as "2 h 15 min", "45 min", "3 d 2 h".
	 *
	 * @param int $minutes Minutes (absolute value is used).
	 */
	public static function duration( int $minutes ): string {
		$m = abs( $minutes );
		if ( $m < 60 ) {
			/* translators: %d: minutes. */
			return sprintf( __( '%d min', 'pet' ), $m );
		}
		if ( $m < 24 * 60 ) {
			$h = intdiv( $m, 60 );
			$r = $m % 60;
			/* translators: 1: hours, 2: minutes. */
			return 0 === $r ? sprintf( __( '%d h', 'pet' ), $h ) : sprintf( __( '%1$d h %2$d min', 'pet' ), $h, $r );
		}
		$d = intdiv( $m, 24 * 60 );
		$h = intdiv( $m % ( 24 * 60 ), 60 );
		/* translators: 1: days, 2: hours. */
		return 0 === $h ? sprintf( __( '%d d', 'pet' ), $d ) : sprintf( __( '%1$d d %2$d h', 'pet' ), $d, $h );
	}

	/**
	 * The target that decides the ticket's due time: the undecided one whose due time is the
	 * ticket's (the engine's summary), else the first undecided one, else null.
	 *
	 * @param array $sla Ticket SLA.
	 */
	public static function deciding_target( array $sla ): ?array {
		$open = array();
		foreach ( array( 'first_response', 'resolution' ) as $k ) {
			$t = $sla[ $k ] ?? null;
			if ( is_array( $t ) && in_array( $t['state'] ?? '', array( 'running', 'warning', 'paused' ), true ) ) {
				$open[] = $t;
			}
		}
		foreach ( $open as $t ) {
			if ( null !== ( $sla['due_at'] ?? null ) && ( $t['due_at'] ?? null ) === $sla['due_at'] ) {
				return $t;
			}
		}
		return $open[0] ?? null;
	}

	/**
	 * The breach time to show: the most recent breached_at the clock reports, if any.
	 *
	 * @param array $sla Ticket SLA.
	 */
	private static function breached_at( array $sla ): ?string {
		$at = null;
		foreach ( array( 'first_response', 'resolution' ) as $k ) {
			$b = $sla[ $k ]['breached_at'] ?? null;
			if ( is_string( $b ) && ( null === $at || strtotime( $b ) > strtotime( $at ) ) ) {
				$at = $b;
			}
		}
		return $at;
	}

	/**
	 * The SLA column's words: "2 h 15 min left", "paused", "warning: 20 min left",
	 * "breached 1 h ago", "met", or "no SLA".
	 *
	 * @param array|null $sla Ticket SLA (null: none assigned).
	 */
	public static function summary( ?array $sla ): string {
		if ( null === $sla ) {
			return __( 'no SLA', 'pet' );
		}
		$state = (string) ( $sla['state'] ?? '' );
		$t     = self::deciding_target( $sla );
		$left  = null === $t ? null : (int) $t['remaining_minutes'];
		switch ( $state ) {
			case 'paused':
				return __( 'paused', 'pet' );
			case 'met':
				return __( 'met', 'pet' );
			case 'breached':
				$at = self::breached_at( $sla );
				if ( null !== $at ) {
					$ago = max( 0, (int) floor( ( time() - (int) strtotime( $at ) ) / 60 ) );
					/* translators: %s: duration such as "1 h". */
					return sprintf( __( 'breached %s ago', 'pet' ), self::duration( $ago ) );
				}
				return __( 'breached', 'pet' );
			case 'warning':
				if ( null !== $left && $left > 0 ) {
					/* translators: %s: duration such as "20 min". */
					return sprintf( __( 'warning: %s left', 'pet' ), self::duration( $left ) );
				}
				return __( 'warning', 'pet' );
			default:
				if ( null !== $left ) {
					/* translators: %s: duration such as "2 h 15 min". */
					return sprintf( __( '%s left', 'pet' ), self::duration( $left ) );
				}
				return $state;
		}
	}

	/**
	 * The SLA column's badge (escaped HTML), with the due time as a tooltip.
	 *
	 * @param array|null $sla Ticket SLA.
	 */
	public static function badge( ?array $sla ): string {
		$state = null === $sla ? 'none' : (string) $sla['state'];
		$title = '';
		if ( null !== $sla && null !== ( $sla['due_at'] ?? null ) ) {
			/* translators: %s: date and time. */
			$title = sprintf( __( 'due %s (business time left)', 'pet' ), Table::when( $sla['due_at'] ) );
		}
		return '<span class="pet-sla pet-sla-' . esc_attr( $state ) . '" data-sla-state="' . esc_attr( $state ) . '"' . ( '' !== $title ? ' title="' . esc_attr( $title ) . '"' : '' ) . '>' . esc_html( self::summary( $sla ) ) . '</span>';
	}
}

/**
 * Tickets with filters (status incl. "active", priority, assignee incl. unassigned, SLA state),
 * search, sorting by due time / created / updated / priority, and paging.
 */
class Tickets_Table extends Table {

	/** Sortable column => engine sort key. */
	private const SORTS = array(
		'sla'        => 'due',
		'created_at' => 'created',
		'updated_at' => 'updated',
		'priority'   => 'priority',
	);

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'ticket', 'tickets' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'subject'       => __( 'Subject', 'pet' ),
			'customer_name' => __( 'Customer', 'pet' ),
			'priority'      => __( 'Priority', 'pet' ),
			'status'        => __( 'Status', 'pet' ),
			'assignee_name' => __( 'Assignee', 'pet' ),
			'sla'           => __( 'SLA', 'pet' ),
			'created_at'    => __( 'Created', 'pet' ),
			'updated_at'    => __( 'Updated', 'pet' ),
		);
	}

	/** @return array<string,array{0:string,1:bool}> */
	protected function get_sortable_columns() {
		$out = array();
		foreach ( array_keys( self::SORTS ) as $col ) {
			$out[ $col ] = array( $col, 'sla' === $col );
		}
		return $out;
	}

	/**
	 * The filter values of the current request (engine query keys).
	 *
	 * @return array<string,string>
	 */
	public static function filters(): array {
		$f = array();
		$assignee = Picker::value( 'assignee_id', 'employees', array( 'none' => __( 'Unassigned', 'pet' ) ), false );
		if ( '' !== $assignee ) {
			$f['assignee_id'] = $assignee;
		}
		foreach ( array( 'status', 'priority', 'sla_state', 'customer_id' ) as $key ) {
			$v = Input::text( $key );
			if ( '' !== $v ) {
				$f[ $key ] = $v;
			}
		}
		$s = Input::text( 's' );
		if ( '' !== $s ) {
			$f['search'] = $s;
		}
		return $f;
	}

	/**
	 * Loads the page matching the request's filters, search and sorting.
	 *
	 * @param \Pet\Helpdesk $hd Helpdesk API.
	 */
	public function load( \Pet\Helpdesk $hd ): void {
		$query   = self::filters();
		$orderby = Input::text( 'orderby' );
		if ( isset( self::SORTS[ $orderby ] ) ) {
			$query['sort']  = self::SORTS[ $orderby ];
			$query['order'] = 'desc' === strtolower( Input::text( 'order' ) ) ? 'desc' : 'asc';
		}
		$ranked = null;
		$this->load_page(
			function ( $q ) use ( $hd, &$ranked ) {
				$page   = $hd->listTickets( $q );
				$ranked = $page['ranked'] ?? null;
				return $page;
			},
			array(),
			$query
		);
		$this->ranked          = isset( $query['search'] ) && ! isset( $query['sort'] ) ? $ranked : null;
		$this->_column_headers = array( $this->get_columns(), array(), $this->get_sortable_columns() );
	}

	/**
	 * Whether a search's page is in relevance order (true), newest first because too many
	 * tickets match to rank them (false), or not a search in the default order (null).
	 *
	 * @var bool|null
	 */
	private $ranked = null;

	/** A line above a search's results saying in which order they are listed. */
	public function search_order_note(): void {
		if ( true === $this->ranked ) {
			echo '<p class="pet-search-order">' . esc_html__( 'Best matches first: the ticket number, then words in the subject, the customer\'s name and the conversation.', 'pet' ) . '</p>';
		} elseif ( false === $this->ranked ) {
			echo '<p class="pet-search-order">' . esc_html__( 'Too many tickets match to rank them: newest first. Add words to narrow the search.', 'pet' ) . '</p>';
		}
	}

	/**
	 * The ticket's number (#12) and its subject with a link to the ticket.
	 *
	 * @param array $item Ticket.
	 */
	public function column_subject( $item ) {
		$url = self::page_url( 'pet-tickets', array( 'id' => (string) $item['id'] ) );
		$ref = isset( $item['number'] ) ? '<span class="pet-ticket-ref">' . esc_html( (string) $item['reference'] ) . '</span> ' : '';
		return $ref . self::title_link( $url, (string) $item['subject'] );
	}

	/**
	 * @param array $item Ticket.
	 */
	public function column_priority( $item ) {
		$p = (string) $item['priority'];
		return '<span class="' . esc_attr( 'pet-prio-' . $p ) . '">' . esc_html( $p ) . '</span>';
	}

	/**
	 * @param array $item Ticket.
	 */
	public function column_status( $item ) {
		$s = (string) $item['status'];
		return '<span class="pet-status pet-status-' . esc_attr( $s ) . '">' . esc_html( Helpdesk_Admin::label( 'status', $s ) ) . '</span>';
	}

	/**
	 * @param array $item Ticket.
	 */
	public function column_assignee_name( $item ) {
		return null === ( $item['assignee_id'] ?? null ) ? '<em>' . esc_html__( 'unassigned', 'pet' ) . '</em>' : esc_html( (string) $item['assignee_name'] );
	}

	/**
	 * The SLA column: time left, paused, warning, breached or met.
	 *
	 * @param array $item Ticket.
	 */
	public function column_sla( $item ) {
		return Sla_Text::badge( is_array( $item['sla'] ?? null ) ? $item['sla'] : null );
	}

	/**
	 * @param array $item Ticket.
	 */
	public function column_created_at( $item ) {
		return esc_html( self::when( $item['created_at'] ?? '' ) );
	}

	/**
	 * @param array $item Ticket.
	 */
	public function column_updated_at( $item ) {
		return esc_html( self::when( $item['updated_at'] ?? '' ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No tickets match.', 'pet' );
	}
}

/**
 * SLA definitions with their current version.
 */
class Sla_Definitions_Table extends Table {

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'sla_definition', 'sla_definitions' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'            => __( 'SLA definition', 'pet' ),
			'current_version' => __( 'Current version', 'pet' ),
			'updated_at'      => __( 'Last published', 'pet' ),
		);
	}

	/**
	 * Loads the page matching the request's search.
	 *
	 * @param \Pet\Helpdesk $hd Helpdesk API.
	 */
	public function load( \Pet\Helpdesk $hd ): void {
		$this->load_page( fn ( $q ) => $hd->listSlaDefinitions( $q ), array( 's' => 'search' ) );
	}

	/**
	 * @param array $item SLA definition.
	 */
	public function column_name( $item ) {
		$url = self::page_url( 'pet-slas', array( 'id' => (string) $item['id'] ) );
		return self::title_link( $url, (string) $item['name'] );
	}

	/**
	 * @param array $item SLA definition.
	 */
	public function column_updated_at( $item ) {
		return esc_html( self::when( $item['updated_at'] ?? '' ) );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No SLA definitions yet.', 'pet' );
	}
}
