<?php
/**
 * Access by context: PET's capabilities per area, the roles they make up, and what the
 * current user may see.
 *
 * Every context (an employee, a quote, a ticket, …) belongs to one area — people, sales,
 * support, knowledge, delivery, settings — named once in pet-core's module map
 * (`pet_core::module::Area::of`, read here through `Pet\Engine::accessAreas()`). A user sees
 * an area's screens, REST reads, activity lines and histories with `pet_view_<area>` and
 * changes its things with `pet_manage_<area>`. These are plain WordPress capabilities, so
 * role editors (e.g. the Members plugin) change them like any other.
 *
 * The capabilities from before areas keep working: `pet_work` (a PET user: the PET menu,
 * the Activity and History screens, time of one's own) and `pet_manage` (a PET manager) stay
 * on the roles. In a module admin class that declares its AREA, Module_Admin reads them as
 * that area's view and manage capabilities (see Module_Admin::cap()).
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Capabilities, roles and the current user's visible areas.
 */
final class Access {

	/** See the people area: employees, teams, the org structure, customers and contacts. */
	public const VIEW_PEOPLE = 'pet_view_people';
	/** Change employees, rates, teams, the org structure, customers and contacts. */
	public const MANAGE_PEOPLE = 'pet_manage_people';
	/** See leads, opportunities, quotes, the pipeline and the lead schema. */
	public const VIEW_SALES = 'pet_view_sales';
	/** Work leads, opportunities and quotes; publish the lead schema. */
	public const MANAGE_SALES = 'pet_manage_sales';
	/** See tickets and SLA definitions. */
	public const VIEW_SUPPORT = 'pet_view_support';
	/** Work tickets; define SLAs. */
	public const MANAGE_SUPPORT = 'pet_manage_support';
	/** Read the knowledgebase and comment on it. */
	public const VIEW_KNOWLEDGE = 'pet_view_knowledge';
	/** Write, publish, restore and archive articles; moderate comments. */
	public const MANAGE_KNOWLEDGE = 'pet_manage_knowledge';
	/** See projects; keep one's own timesheet. */
	public const VIEW_DELIVERY = 'pet_view_delivery';
	/** Create and change projects; approve, adjust and lock time; plan resources. */
	public const MANAGE_DELIVERY = 'pet_manage_delivery';
	/** See PET's jobs and health. */
	public const VIEW_SETTINGS = 'pet_view_settings';
	/** Run and retry jobs. */
	public const MANAGE_SETTINGS = 'pet_manage_settings';

	/** The areas, in menu order (pet-core's `Area::ALL`; checked by a WordPress test). */
	public const AREAS = array( 'people', 'sales', 'support', 'knowledge', 'delivery', 'settings' );

	/** Version of the default roles below; raised when a default capability is added. */
	public const ROLES_VERSION = 2;

	/** Option: the ROLES_VERSION last installed on this site. */
	public const OPTION_ROLES = 'pet_roles_version';

	/** @var ?array<string,list<string>> area => context types (request cache) */
	private static $areas = null;

	/**
	 * The capability to see an area.
	 *
	 * @param string $area people, sales, support, knowledge, delivery or settings.
	 */
	public static function view( string $area ): string {
		return 'pet_view_' . $area;
	}

	/**
	 * The capability to change things in an area.
	 *
	 * @param string $area people, sales, support, knowledge, delivery or settings.
	 */
	public static function manage( string $area ): string {
		return 'pet_manage_' . $area;
	}

	/**
	 * Every capability PET defines (what "administrators get all" means).
	 *
	 * @return list<string>
	 */
	public static function all_caps(): array {
		$caps = array( Plugin::CAP_WORK, Plugin::CAP_MANAGE );
		foreach ( self::AREAS as $area ) {
			$caps[] = self::view( $area );
			$caps[] = self::manage( $area );
		}
		return $caps;
	}

	/**
	 * The default roles: slug => [label, capabilities]. Capabilities added after the first
	 * roles (version 1: read, pet_work, pet_manage) are version 2.
	 *
	 * @return array<string,array{0:string,1:list<string>}>
	 */
	public static function default_roles(): array {
		$everything = self::all_caps();
		return array(
			'pet_manager' => array( __( 'PET Manager', 'pet' ), array_merge( array( 'read' ), $everything ) ),
			'pet_sales'   => array(
				__( 'PET Sales', 'pet' ),
				array( 'read', Plugin::CAP_WORK, self::VIEW_PEOPLE, self::VIEW_SALES, self::MANAGE_SALES, self::VIEW_KNOWLEDGE, self::VIEW_DELIVERY ),
			),
			'pet_support' => array(
				__( 'PET Support', 'pet' ),
				array( 'read', Plugin::CAP_WORK, self::VIEW_PEOPLE, self::VIEW_SUPPORT, self::MANAGE_SUPPORT, self::VIEW_KNOWLEDGE, self::MANAGE_KNOWLEDGE, self::VIEW_DELIVERY ),
			),
			'pet_staff'   => array(
				__( 'PET Staff', 'pet' ),
				array( 'read', Plugin::CAP_WORK, self::VIEW_PEOPLE, self::VIEW_KNOWLEDGE, self::VIEW_DELIVERY ),
			),
		);
	}

	/**
	 * The roles version a capability or role first shipped in (1: the roles before areas).
	 *
	 * @param string $cap_or_role A capability or a role slug.
	 */
	private static function since( string $cap_or_role ): int {
		return in_array( $cap_or_role, array( 'read', Plugin::CAP_WORK, Plugin::CAP_MANAGE, 'pet_manager', 'pet_staff' ), true ) ? 1 : 2;
	}

	/**
	 * Creates PET's roles and gives administrators every PET capability, without undoing an
	 * administrator's edits: a role that exists only gets the default capabilities added
	 * since the roles last installed here (OPTION_ROLES), so a capability removed with a role
	 * editor stays removed; a missing role is made when it is new since then, or on activation.
	 *
	 * @param bool $activation Whether the plugin is being activated (re-creates missing roles).
	 */
	public static function install_roles( bool $activation = false ): void {
		// Sites from before areas have no option but have the first roles (version 1).
		$installed = (int) get_option( self::OPTION_ROLES, null === get_role( 'pet_manager' ) ? 0 : 1 );
		foreach ( self::default_roles() as $slug => $role ) {
			list( $label, $caps ) = $role;
			$existing             = get_role( $slug );
			if ( null === $existing ) {
				if ( $activation || self::since( $slug ) > $installed ) {
					add_role( $slug, $label, array_fill_keys( $caps, true ) );
				}
				continue;
			}
			foreach ( $caps as $cap ) {
				if ( self::since( $cap ) > $installed ) {
					$existing->add_cap( $cap );
				}
			}
		}
		$admin = get_role( 'administrator' );
		if ( $admin ) {
			foreach ( self::all_caps() as $cap ) {
				if ( self::since( $cap ) > $installed ) {
					$admin->add_cap( $cap );
				}
			}
		}
		if ( $installed < self::ROLES_VERSION ) {
			update_option( self::OPTION_ROLES, self::ROLES_VERSION, true );
		}
	}

	/**
	 * `init`: after an upgrade of the plugin, installs what the roles gained (once).
	 */
	public static function maybe_upgrade_roles(): void {
		if ( (int) get_option( self::OPTION_ROLES, 0 ) < self::ROLES_VERSION ) {
			self::install_roles();
		}
	}

	/**
	 * Each area's context types, from pet-core's module map (Pet\Engine::accessAreas()).
	 *
	 * @return array<string,list<string>>
	 */
	public static function areas(): array {
		if ( null === self::$areas ) {
			$map = Plugin::instance()->engine()->accessAreas();
			// In menu order; an area this plugin does not know yet comes last.
			self::$areas = array();
			foreach ( array_merge( self::AREAS, array_keys( $map ) ) as $area ) {
				if ( isset( $map[ $area ] ) && ! isset( self::$areas[ $area ] ) ) {
					self::$areas[ $area ] = $map[ $area ];
				}
			}
		}
		return self::$areas;
	}

	/**
	 * The area a context type belongs to ('' when unknown).
	 *
	 * @param string $context_type E.g. 'quote'.
	 */
	public static function area_of( string $context_type ): string {
		foreach ( self::areas() as $area => $types ) {
			if ( in_array( $context_type, $types, true ) ) {
				return (string) $area;
			}
		}
		return '';
	}

	/**
	 * The areas the current user may see.
	 *
	 * @return list<string>
	 */
	public static function visible_areas(): array {
		return array_values( array_filter( array_keys( self::areas() ), static fn ( $a ) => current_user_can( self::view( (string) $a ) ) ) );
	}

	/**
	 * The context types the current user may see, in pet-core's order.
	 *
	 * @return list<string>
	 */
	public static function visible_context_types(): array {
		$types = array();
		foreach ( self::visible_areas() as $area ) {
			$types = array_merge( $types, self::areas()[ $area ] );
		}
		return $types;
	}

	/**
	 * Whether the current user may see contexts of this type (false for unknown types).
	 *
	 * @param string $context_type E.g. 'ticket'.
	 */
	public static function can_see( string $context_type ): bool {
		$area = self::area_of( $context_type );
		return '' !== $area && current_user_can( self::view( $area ) );
	}

	/**
	 * A feed query limited to what the current user may see: the engine filters by the
	 * areas in SQL ('areas' is left out when every area is visible).
	 *
	 * @param array $query Activity query.
	 */
	public static function feed_query( array $query ): array {
		$visible = self::visible_areas();
		if ( count( $visible ) < count( self::areas() ) ) {
			$query['areas'] = $visible;
		}
		return $query;
	}

	/**
	 * Refuses (403, logged) when the current user may not see contexts of this type.
	 *
	 * @param string $context_type E.g. 'quote'.
	 * @param string $what         What was asked for (for the log line).
	 * @throws Forbidden_Exception When the area is not visible to the user.
	 */
	public static function require_context( string $context_type, string $what ): void {
		if ( self::can_see( $context_type ) ) {
			return;
		}
		Plugin::log( sprintf( 'permission refused: user %d, %s of a %s (needs %s)', get_current_user_id(), $what, $context_type, self::view( '' === self::area_of( $context_type ) ? '?' : self::area_of( $context_type ) ) ) );
		throw new Forbidden_Exception( __( 'Sorry, you are not allowed to see this.', 'pet' ), array() );
	}

	/**
	 * The admin URL of an entity's History.
	 *
	 * @param string $context_type E.g. 'project'.
	 * @param string $id           Its id.
	 */
	public static function history_url( string $context_type, string $id ): string {
		return add_query_arg(
			array(
				'page'         => 'pet-history',
				'context_type' => $context_type,
				'context_id'   => $id,
			),
			admin_url( 'admin.php' )
		);
	}
}
