<?php
/**
 * Type-ahead pickers: a field that chooses one customer, employee, SLA definition, lead,
 * opportunity, ticket, team, project or article without rendering the whole table. The markup is an accessible
 * combobox (a text input with role="combobox" and a listbox) plus a hidden input holding the
 * chosen id; assets/js/picker.js asks the REST list route of the kind (wp.apiFetch,
 * `pet/v1/<route>?search=…&per_page=10` plus the kind's fixed filters, e.g. status=active)
 * as the user types and labels each row by the kind's label fields. Without JavaScript the
 * text input is submitted as it is and Picker::value() resolves it on the server by the same
 * search: the one match, or the one whose name (or whole label) is exactly what was typed.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Renders and resolves type-ahead pickers.
 */
final class Picker {

	/** Separator of a row's label fields (in picker.js too). */
	private const LABEL_SEPARATOR = ' · ';

	/**
	 * The kinds: REST route under pet/v1 and its fixed filters (`query`), the row fields
	 * that make a row's label (the first is its name), the engine's list call (for the
	 * no-script fallback, with the same filters) and its call that reads one row by id.
	 *
	 * @return array<string,array{route:string,query:array<string,string>,label:list<string>,list:callable,get:callable}>
	 */
	private static function kinds(): array {
		$settings  = Plugin::engine_settings();
		$identity  = static fn (): \Pet\Identity => new \Pet\Identity( $settings );
		$hd        = static fn (): \Pet\Helpdesk => new \Pet\Helpdesk( $settings );
		$sales     = static fn (): \Pet\Sales => new \Pet\Sales( $settings );
		$knowledge = static fn (): \Pet\Knowledge => new \Pet\Knowledge( $settings );
		$employees = array(
			'route' => 'employees',
			'query' => array( 'status' => 'active' ),
			'label' => array( 'name' ),
			'list'  => static fn ( array $q ): array => $identity()->listEmployees( $q ),
			'get'   => static fn ( string $id ): array => $identity()->getEmployee( $id ),
		);
		return array(
			'customers'       => array(
				'route' => 'customers',
				'query' => array( 'status' => 'active' ),
				'label' => array( 'name' ),
				'list'  => static fn ( array $q ): array => $identity()->listCustomers( $q ),
				'get'   => static fn ( string $id ): array => $identity()->getCustomer( $id ),
			),
			'employees'       => $employees,
			// Every employee, the inactive ones too (e.g. who did something, in the activity filter).
			'all-employees'   => array( 'query' => array() ) + $employees,
			'sla-definitions' => array(
				'route' => 'sla-definitions',
				'query' => array(),
				'label' => array( 'name' ),
				'list'  => static fn ( array $q ): array => $hd()->listSlaDefinitions( $q ),
				'get'   => static fn ( string $id ): array => $hd()->getSlaDefinition( $id ),
			),
			'leads'           => array(
				'route' => 'leads',
				'query' => array(),
				'label' => array( 'company_name', 'source' ),
				'list'  => static fn ( array $q ): array => $sales()->listLeads( $q ),
				'get'   => static fn ( string $id ): array => $sales()->getLead( $id ),
			),
			'opportunities'   => array(
				'route' => 'opportunities',
				'query' => array(),
				'label' => array( 'title', 'customer_name' ),
				'list'  => static fn ( array $q ): array => $sales()->listOpportunities( $q ),
				'get'   => static fn ( string $id ): array => $sales()->getOpportunity( $id ),
			),
			// WordPress users (an employee's linked login): searched by login, email and
			// display name, a page at a time (Picker::users()), never every user.
			'users'           => array(
				'route' => 'users',
				'query' => array(),
				'label' => array( 'name', 'email' ),
				'list'  => static fn ( array $q ): array => self::users( $q ),
				'get'   => static function ( string $id ): array {
					$u = ctype_digit( $id ) ? get_userdata( (int) $id ) : false;
					if ( ! $u ) {
						throw new \Pet\NotFoundException( 'user ' . $id );
					}
					return self::user_row( $u );
				},
			),
			// Tickets still being worked on (e.g. a timesheet row), by reference and subject.
			'tickets'         => array(
				'route' => 'tickets',
				'query' => array( 'status' => 'active' ),
				'label' => array( 'reference', 'subject', 'customer_name' ),
				'list'  => static fn ( array $q ): array => $hd()->listTickets( $q ),
				'get'   => static fn ( string $id ): array => $hd()->getTicket( $id ),
			),
			// Teams by name, archived ones too (e.g. the dashboard's filter of KPIs by team).
			'teams'           => array(
				'route' => 'teams',
				'query' => array(),
				'label' => array( 'name' ),
				'list'  => static fn ( array $q ): array => $identity()->listTeams( $q ),
				'get'   => static fn ( string $id ): array => $identity()->getTeam( $id ),
			),
			// Projects by project or customer name (e.g. a KPI's scope).
			'projects'        => array(
				'route' => 'projects',
				'query' => array(),
				'label' => array( 'name', 'customer_name' ),
				'list'  => static fn ( array $q ): array => ( new \Pet\Delivery( $settings ) )->listProjects( $q ),
				'get'   => static fn ( string $id ): array => ( new \Pet\Delivery( $settings ) )->project( $id ),
			),
			// Published articles (the ones a ticket can be linked to).
			'articles'        => array(
				'route' => 'articles',
				'query' => array( 'status' => 'published' ),
				'label' => array( 'title', 'category' ),
				'list'  => static fn ( array $q ): array => $knowledge()->listArticles( $q ),
				'get'   => static fn ( string $id ): array => $knowledge()->getArticle( $id ),
			),
		);
	}

	/**
	 * WordPress users for the `users` picker and its REST route: `{search?, per_page?
	 * (1–50, default 10), after? (a user id)}`, by id, one page (`items`, `has_more`,
	 * `next` for the following page). WordPress's own user search (login, email, URL,
	 * nicename, display name); no total is counted, so a page costs the same however many
	 * users the site has.
	 *
	 * @param array<string,mixed> $q Query.
	 * @return array{items:list<array{id:string,name:string,login:string,email:string}>,has_more:bool,next:?string}
	 */
	public static function users( array $q ): array {
		$per_page = isset( $q['per_page'] ) && is_numeric( $q['per_page'] ) ? max( 1, min( 50, (int) $q['per_page'] ) ) : 10;
		$search   = isset( $q['search'] ) && is_scalar( $q['search'] ) ? trim( (string) $q['search'] ) : '';
		$after    = isset( $q['after'] ) && is_scalar( $q['after'] ) && ctype_digit( (string) $q['after'] ) ? (int) $q['after'] : 0;
		$args     = array(
			'number'      => $per_page + 1,
			'orderby'     => 'ID',
			'order'       => 'ASC',
			'count_total' => false,
			'fields'      => 'all',
		);
		if ( '' !== $search ) {
			$args['search']         = '*' . $search . '*';
			$args['search_columns'] = array( 'user_login', 'user_email', 'user_nicename', 'display_name' );
		}
		$after_filter = null;
		if ( $after > 0 ) {
			$after_filter = static function ( \WP_User_Query $query ) use ( $after ): void {
				global $wpdb;
				$query->query_where .= $wpdb->prepare( " AND {$wpdb->users}.ID > %d", $after );
			};
			add_action( 'pre_user_query', $after_filter );
		}
		try {
			$users = ( new \WP_User_Query( $args ) )->get_results();
		} finally {
			if ( null !== $after_filter ) {
				remove_action( 'pre_user_query', $after_filter );
			}
		}
		$more  = count( $users ) > $per_page;
		$users = array_slice( $users, 0, $per_page );
		$items = array_map( array( self::class, 'user_row' ), $users );
		return array(
			'items'    => $items,
			'has_more' => $more,
			'next'     => $more && array() !== $items ? $items[ count( $items ) - 1 ]['id'] : null,
		);
	}

	/**
	 * A user as the `users` picker shows it.
	 *
	 * @param \WP_User $u User.
	 * @return array{id:string,name:string,login:string,email:string}
	 */
	private static function user_row( \WP_User $u ): array {
		return array(
			'id'    => (string) $u->ID,
			'name'  => '' !== (string) $u->display_name ? (string) $u->display_name : (string) $u->user_login,
			'login' => (string) $u->user_login,
			'email' => (string) $u->user_email,
		);
	}

	/**
	 * One kind (an unknown kind is a programming error).
	 *
	 * @param string $kind Kind.
	 * @throws \InvalidArgumentException When the kind is unknown.
	 */
	private static function kind( string $kind ): array {
		$kinds = self::kinds();
		if ( ! isset( $kinds[ $kind ] ) ) {
			throw new \InvalidArgumentException( esc_html( "Unknown picker kind $kind" ) );
		}
		return $kinds[ $kind ];
	}

	/**
	 * A row's label: its label fields that are not empty, joined (as picker.js does).
	 *
	 * @param array        $row    Row.
	 * @param list<string> $fields Label fields.
	 */
	private static function label( array $row, array $fields ): string {
		$parts = array();
		foreach ( $fields as $f ) {
			if ( isset( $row[ $f ] ) && is_scalar( $row[ $f ] ) && '' !== (string) $row[ $f ] ) {
				$parts[] = (string) $row[ $f ];
			}
		}
		return implode( self::LABEL_SEPARATOR, $parts );
	}

/**
	 * Prints a picker.
	 *
	 * @param string                    $name   Field name (the hidden input; the text input is "{$name}_q").
	 * @param string                    $kind   A kind of kinds(): customers, employees, all-employees, sla-definitions, leads, opportunities, users, tickets, teams, projects, articles.
	 * @param string                    $value  The chosen id ('' for none).
	 * @param string                    $id     The text input's id (its label's for=).
	 * @param array<string,string>      $extras Fixed choices offered first (value => label), e.g. 'none' => 'Unassigned'.
	 * @param array<string,string|bool> $attrs  Extra attributes of the text input (required, placeholder, aria-*).
	 */
	public static function render( string $name, string $kind, string $value, string $id, array $extras = array(), array $attrs = array() ): void {
		$spec  = self::kind( $kind );
		$label = '';
		if ( '' !== $value ) {
			$label = $extras[ $value ] ?? self::name_of( $kind, $value );
		}
		$list  = $id . '-list';
		$attrs = $attrs + array(
			'type'                  => 'text',
			'id'                    => $id,
			'name'                  => $name . '_q',
			'value'                 => $label,
			'class'                 => 'regular-text pet-picker-input',
			'role'                  => 'combobox',
			'aria-autocomplete'     => 'list',
			'aria-expanded'         => 'false',
			'aria-controls'         => $list,
			'autocomplete'          => 'off',
			'placeholder'           => __( 'Type to search…', 'pet' ),
		);
		$choices = array();
		foreach ( $extras as $v => $l ) {
			$choices[] = array(
				'id'    => (string) $v,
				'label' => (string) $l,
			);
		}
		echo '<span class="pet-picker" data-pet-picker="' . esc_attr( $spec['route'] ) . '" data-query="'
			. esc_attr( (string) wp_json_encode( (object) $spec['query'] ) ) . '" data-label="'
			. esc_attr( (string) wp_json_encode( $spec['label'] ) ) . '" data-extras="'
			. esc_attr( (string) wp_json_encode( $choices ) ) . '" data-empty="'
			. esc_attr( __( 'No match', 'pet' ) ) . '">';
		echo '<input type="hidden" class="pet-picker-value" name="' . esc_attr( $name ) . '" value="' . esc_attr( $value ) . '">';
		echo '<input';
		foreach ( $attrs as $k => $v ) {
			if ( true === $v ) {
				echo ' ' . esc_attr( $k );
			} elseif ( false !== $v ) {
				echo ' ' . esc_attr( $k ) . '="' . esc_attr( (string) $v ) . '"';
			}
		}
		echo '>';
		echo '<ul class="pet-picker-list" id="' . esc_attr( $list ) . '" role="listbox" hidden></ul>';
		echo '</span>';
	}

	/**
	 * Prints a form-table row holding a picker (its label's for= is the text input).
	 *
	 * @param string                    $name   Field name.
	 * @param string                    $label  The row's label.
	 * @param string                    $kind   Kind.
	 * @param string                    $value  The chosen id ('' for none).
	 * @param string                    $id     The text input's id.
	 * @param array<string,string>      $extras Fixed choices offered first.
	 * @param array<string,string|bool> $attrs  Extra attributes of the text input.
	 */
	public static function row( string $name, string $label, string $kind, string $value, string $id, array $extras = array(), array $attrs = array() ): void {
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		self::render( $name, $kind, $value, $id, $extras, $attrs );
		echo '</td></tr>';
	}

	/**
	 * The chosen id of picker $name in the request: its hidden value, else (no script, or
	 * typed without choosing) the one search match of its text, or the one whose name (its
	 * first label field) or whole label is exactly the text.
	 * '' when nothing was given (or a fixed choice such as 'none' when that was typed).
	 *
	 * @param string               $name     Field name.
	 * @param string               $kind     Kind.
	 * @param array<string,string> $extras   Fixed choices (value => label), matched by label.
	 * @param bool                 $strict   Throw an Input_Exception when the text matches no single row.
	 * @throws Input_Exception When $strict and the text names no single row.
	 */
	public static function value( string $name, string $kind, array $extras = array(), bool $strict = true ): string {
		$value = Input::text( $name );
		if ( '' !== $value ) {
			return $value;
		}
		$text = Input::text( $name . '_q' );
		if ( '' === $text ) {
			return '';
		}
		foreach ( $extras as $v => $l ) {
			if ( 0 === strcasecmp( $l, $text ) ) {
				return (string) $v;
			}
		}
		$k     = self::kind( $kind );
		$rows  = ( $k['list'] )(
			$k['query'] + array(
				'search'   => $text,
				'per_page' => 10,
			)
		)['items'];
		$exact = array_values(
			array_filter(
				$rows,
				static fn ( $r ) => 0 === strcasecmp( self::label( $r, array_slice( $k['label'], 0, 1 ) ), $text )
					|| 0 === strcasecmp( self::label( $r, $k['label'] ), $text )
			)
		);
		if ( 1 === count( $exact ) ) {
			return (string) $exact[0]['id'];
		}
		if ( 1 === count( $rows ) ) {
			return (string) $rows[0]['id'];
		}
		if ( $strict ) {
			throw new Input_Exception(
				__( 'Please correct the form.', 'pet' ),
				array(
					/* translators: %s: what the user typed. */
					$name => sprintf( __( '“%s” does not name exactly one: type more of the name, or choose from the list.', 'pet' ), $text ),
				)
			);
		}
		return '';
	}

	/**
	 * The label of one row (its id when it cannot be read).
	 *
	 * @param string $kind Kind.
	 * @param string $id   Id.
	 */
	private static function name_of( string $kind, string $id ): string {
		$k = self::kind( $kind );
		try {
			return self::label( ( $k['get'] )( $id ), $k['label'] );
		} catch ( \Pet\Exception $e ) {
			return $id;
		}
	}
}
