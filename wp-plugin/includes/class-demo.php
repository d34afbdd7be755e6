<?php
/**
 * The small demo organisation loaded by scripts/run (once): employees with rates, a team
 * hierarchy with members, a customer with a contact, and a published org structure. Every
 * command goes through the engine with a fixed idempotency key, so a re-run after a partial
 * failure converges.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Demo data loader.
 */
final class Demo {

	/** Option set once the demo is loaded. */
	public const OPTION = 'pet_demo_loaded';

	/**
	 * Loads the demo unless it was loaded before. The actor is the current user's employee.
	 *
	 * @throws \Throwable When a command fails.
	 * @return bool true when loaded now, false when already present.
	 */
	public static function load(): bool {
		if ( get_option( self::OPTION ) ) {
			return false;
		}
		$plugin = Plugin::instance();
		$engine = $plugin->engine();
		$ctx    = static function ( string $key ) use ( $plugin ): array {
			return $plugin->context( 'pet-demo-' . $key );
		};
		$from   = '2025-01-01';
		$rate   = static fn ( int $euros ) => array(
			'amount_minor'   => $euros * 100,
			'currency'       => 'EUR',
			'effective_from' => $from,
		);
		$people = array(
			'ada'   => array( 'Ada Lovelace', 'ada@example.com', 70, 140 ),
			'grace' => array( 'Grace Hopper', 'grace@example.com', 65, 130 ),
			'alan'  => array( 'Alan Turing', 'alan@example.com', 60, 120 ),
			'linus' => array( 'Linus Pauling', 'linus@example.com', 45, 95 ),
		);
		$ids    = array();
		foreach ( $people as $key => $p ) {
			$e           = $engine->createEmployee(
				array(
					'name'      => $p[0],
					'email'     => $p[1],
					'cost_rate' => $rate( $p[2] ),
					'bill_rate' => $rate( $p[3] ),
				),
				$ctx( 'employee-' . $key )
			);
			$ids[ $key ] = (string) $e['id'];
		}
		$delivery = $engine->createTeam( array( 'name' => 'Delivery' ), $ctx( 'team-delivery' ) );
		$platform = $engine->createTeam(
			array(
				'name'      => 'Platform',
				'parent_id' => $delivery['id'],
			),
			$ctx( 'team-platform' )
		);
		$design   = $engine->createTeam(
			array(
				'name'      => 'Design',
				'parent_id' => $delivery['id'],
			),
			$ctx( 'team-design' )
		);
		$members  = array(
			array( $delivery, 'ada', 'lead' ),
			array( $platform, 'grace', 'lead' ),
			array( $platform, 'alan', 'member' ),
			array( $design, 'linus', 'member' ),
		);
		foreach ( $members as $m ) {
			$engine->addTeamMember(
				(string) $m[0]['id'],
				array(
					'employee_id' => $ids[ $m[1] ],
					'role'        => $m[2],
					'valid_from'  => $from,
				),
				$ctx( 'member-' . $m[1] . '-' . $m[0]['name'] )
			);
		}
		$acme = $engine->createCustomer( array( 'name' => 'Acme Ltd' ), $ctx( 'customer-acme' ) );
		$engine->addContact(
			(string) $acme['id'],
			array(
				'name'  => 'Wile E. Coyote',
				'email' => 'wile@acme.example',
				'phone' => '+1 555 0100',
			),
			$ctx( 'contact-wile' )
		);
		// The same effective time on a re-run, so the idempotency key matches the same input.
		$at = get_option( 'pet_demo_published_at' );
		if ( ! is_string( $at ) || '' === $at ) {
			$at = gmdate( 'Y-m-d\TH:i:s\Z' );
			update_option( 'pet_demo_published_at', $at, false );
		}
		$engine->publishOrgStructure(
			array(
				'effective_at' => $at,
				'note'         => 'Demo organisation',
			),
			$ctx( 'org-1' )
		);
		update_option( self::OPTION, gmdate( 'c' ), false );
		return true;
	}
}
