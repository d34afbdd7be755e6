<?php
/**
 * Teams list in hierarchy order (indented by depth) with row actions.
 *
 * @package PetWp
 */

namespace PetWp\Tables;

defined( 'ABSPATH' ) || exit;

/**
 * The Teams screen's table.
 */
class Teams_Table extends Table {

	/** @var array<string,string> team id => name, for the parent column */
	private $names = array();

	/** Builds the table. */
	public function __construct() {
		parent::__construct( 'team', 'teams' );
	}

	/** @return array<string,string> */
	public function get_columns() {
		return array(
			'name'    => __( 'Team', 'pet' ),
			'parent'  => __( 'Parent team', 'pet' ),
			'members' => __( 'Members', 'pet' ),
			'status'  => __( 'Status', 'pet' ),
		);
	}

	/**
	 * Loads all teams (hierarchies are small; no paging, so the tree stays whole).
	 *
	 * @param \Pet\Engine $engine Engine.
	 */
	public function load( \Pet\Engine $engine ): void {
		$query  = array();
		$status = \PetWp\Input::text( 'status' );
		if ( in_array( $status, array( 'active', 'archived' ), true ) ) {
			$query['status'] = $status;
		}
		$result = $engine->listTeams( $query );
		foreach ( $result['items'] ?? array() as $team ) {
			$this->names[ (string) $team['id'] ] = (string) $team['name'];
		}
		$this->set_rows( $result['items'] ?? array() );
	}

	/** @return array<string,string> */
	protected function get_views() {
		$current = \PetWp\Input::text( 'status' );
		$views   = array();
		foreach ( array(
			''         => __( 'All', 'pet' ),
			'active'   => __( 'Active', 'pet' ),
			'archived' => __( 'Archived', 'pet' ),
		) as $status => $label ) {
			$url   = self::page_url( 'pet-teams', '' === $status ? array() : array( 'status' => $status ) );
			$class = $current === $status ? ' class="current"' : '';
			$views[ '' === $status ? 'all' : $status ] = '<a href="' . esc_url( $url ) . '"' . $class . '>' . esc_html( $label ) . '</a>';
		}
		return $views;
	}

	/**
	 * Name, indented by depth, with row actions.
	 *
	 * @param array $item Team.
	 */
	public function column_name( $item ) {
		$id      = (string) $item['id'];
		$view    = self::page_url( 'pet-teams', array( 'team' => $id ) );
		$actions = array( 'view' => '<a href="' . esc_url( $view ) . '">' . esc_html__( 'Members / edit', 'pet' ) . '</a>' );
		if ( current_user_can( 'pet_manage' ) && 'active' === ( $item['status'] ?? '' ) ) {
			$actions['archive'] = self::action_form( 'archive_team', array( 'id' => $id ), __( 'Archive', 'pet' ) );
		}
		$depth = max( 0, (int) ( $item['depth'] ?? 0 ) );
		return '<strong>' . esc_html( str_repeat( '— ', $depth ) ) . '<a class="row-title" href="' . esc_url( $view ) . '">' . esc_html( (string) $item['name'] ) . '</a></strong>' . $this->row_actions( $actions );
	}

	/**
	 * @param array $item Team.
	 */
	public function column_parent( $item ) {
		$parent = (string) ( $item['parent_id'] ?? '' );
		if ( '' === $parent ) {
			return '—';
		}
		return esc_html( $this->names[ $parent ] ?? $parent );
	}

	/**
	 * Number of current memberships.
	 *
	 * @param array $item Team.
	 */
	public function column_members( $item ) {
		if ( ! isset( $item['members'] ) || ! is_array( $item['members'] ) ) {
			return isset( $item['member_count'] ) ? esc_html( (string) (int) $item['member_count'] ) : '—';
		}
		$names = array();
		foreach ( $item['members'] as $m ) {
			if ( empty( $m['valid_to'] ) ) {
				$names[] = (string) $m['employee_name'];
			}
		}
		return esc_html( implode( ', ', $names ) );
	}

	/**
	 * @param array $item Team.
	 */
	public function column_status( $item ) {
		return 'active' === ( $item['status'] ?? '' ) ? esc_html__( 'Active', 'pet' ) : esc_html__( 'Archived', 'pet' );
	}

	/** Message when the list is empty. */
	public function no_items() {
		esc_html_e( 'No teams yet.', 'pet' );
	}
}
