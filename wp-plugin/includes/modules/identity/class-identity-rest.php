<?php
/**
 * Identity REST routes under pet/v1: employees (rates, linked WordPress user, (de)activation),
 * teams (members, move, archive), customers (contacts, archive), org-structure versions and
 * a search of WordPress users (the linked-login picker).
 * Reads need pet_view_people, changes pet_manage_people (\PetWp\Rest::route()).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Identity;

use PetWp\Access;
use PetWp\Plugin;
use PetWp\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * The identity routes.
 */
final class Identity_Rest {

	/** @var Plugin */
	private $plugin;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Registers the routes (rest_api_init).
	 */
	public function register_routes(): void {
		$id  = '(?P<id>[0-9a-fA-F-]{1,64})';
		$sub = '(?P<sub>[0-9a-fA-F-]{1,64})';
		$i   = fn () => $this->plugin->identity();
		$ctx = fn ( \WP_REST_Request $r ): array => Rest::context( $this->plugin, $r );

		Rest::route( '/employees', 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->listEmployees( Rest::query( $r, array( 'search', 'status', 'after', 'before' ) ) ) );
		Rest::route( '/employees', 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->createEmployee( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/employees/$id", 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->getEmployee( (string) $r['id'] ) );
		Rest::route( "/employees/$id/deactivate", 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->deactivateEmployee( (string) $r['id'], $ctx( $r ) ) );
		Rest::route( "/employees/$id/reactivate", 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->reactivateEmployee( (string) $r['id'], $ctx( $r ) ) );
		Rest::route( "/employees/$id/rates", 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->changeEmployeeRate( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route(
			"/employees/$id/user",
			'POST',
			Access::MANAGE_PEOPLE,
			function ( $r ) use ( $i, $ctx ) {
				$body = Rest::body( $r );
				$user = isset( $body['wp_user_id'] ) ? $body['wp_user_id'] : null;
				return $i()->linkEmployeeUser( (string) $r['id'], null === $user ? null : (int) $user, $ctx( $r ) );
			}
		);

		// WordPress users, for the picker of an employee's linked login (a page, never all).
		Rest::route( '/users', 'GET', Access::MANAGE_PEOPLE, fn ( $r ) => \PetWp\Picker::users( Rest::query( $r, array( 'search', 'after' ) ) ) );

		Rest::route( '/teams', 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->listTeams( Rest::query( $r, array( 'status', 'search' ) ) ) );
		Rest::route( '/teams', 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->createTeam( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/teams/$id", 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->getTeam( (string) $r['id'] ) );
		Rest::route(
			"/teams/$id/move",
			'POST',
			Access::MANAGE_PEOPLE,
			function ( $r ) use ( $i, $ctx ) {
				$body = Rest::body( $r );
				return $i()->moveTeam( (string) $r['id'], isset( $body['parent_id'] ) ? (string) $body['parent_id'] : null, $ctx( $r ) );
			}
		);
		Rest::route( "/teams/$id/archive", 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->archiveTeam( (string) $r['id'], $ctx( $r ) ) );
		Rest::route( "/teams/$id/members", 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->addTeamMember( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/teams/$id/members/$sub", 'DELETE', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->removeTeamMember( (string) $r['id'], (string) $r['sub'], Rest::body( $r ), $ctx( $r ) ) );

		Rest::route( '/customers', 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->listCustomers( Rest::query( $r, array( 'search', 'status', 'after', 'before' ) ) ) );
		Rest::route( '/customers', 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->createCustomer( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/customers/$id", 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->getCustomer( (string) $r['id'] ) );
		Rest::route( "/customers/$id/archive", 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->archiveCustomer( (string) $r['id'], $ctx( $r ) ) );
		Rest::route( "/customers/$id/contacts", 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->listContacts( (string) $r['id'], Rest::query( $r, array( 'search', 'after', 'before' ) ) ) );
		Rest::route( "/customers/$id/contacts", 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->addContact( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ), 201 );

		Rest::route( '/org-structure', 'GET', Access::VIEW_PEOPLE, fn ( $r ) => $i()->listOrgStructureVersions( Rest::query( $r, array() ) ) );
		Rest::route( '/org-structure', 'POST', Access::MANAGE_PEOPLE, fn ( $r ) => $i()->publishOrgStructure( Rest::body( $r ), $ctx( $r ) ), 201 );
	}
}
