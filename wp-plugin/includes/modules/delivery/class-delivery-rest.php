<?php
/**
 * The Delivery module's pet/v1 REST routes: projects (list with search, get, create, status,
 * change order, milestones and tasks, burn-up, linked tickets, allocations), time entries
 * (the current user's or, for managers, any employee's week; log, revise a draft (PATCH),
 * submit, approve, send back, adjust, discard), a whole week saved from its grid (PUT
 * /timesheets/{employee}/{week}: `{cells: [{project_id + task_id? | ticket_id, work_date,
 * minutes}]}`, the engine deciding the drafts) or submitted (POST …/submit, all or none), the approvals queue and the approvals by
 * employee-week (approve or send back a whole week), timers (start, stop → a draft entry,
 * discard), the period lock, weekly capacities, allocations and the resource plan. Reading,
 * logging, submitting and timers need pet_view_delivery; creating projects, changing them,
 * approving, sending back, adjusting, locking, capacities and allocations need
 * pet_manage_delivery. Without it a user reads, logs, revises, submits, discards and times
 * only their own time (the actor; anything else is 403, and the engine refuses it too: the
 * context carries manages_time); a manager may name the employee. The actor is the current user's employee; an Idempotency-Key header is passed to
 * the engine; engine exceptions become WP_Error responses through \PetWp\Rest::error()
 * (400 validation, 404 not found, 409 conflict, 422 rule refused).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Delivery;

use PetWp\Access;
use PetWp\Plugin;
use PetWp\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Registers and serves the project and time-entry routes.
 */
final class Delivery_Rest {

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
		$id   = '(?P<id>[0-9a-fA-F-]{1,64})';
		$work = Access::VIEW_DELIVERY;
		$man  = Access::MANAGE_DELIVERY;
		$d    = fn () => $this->plugin->delivery();
		$ctx  = fn ( \WP_REST_Request $r ): array => Rest::context( $this->plugin, $r );

		Rest::route( '/projects', 'GET', $work, fn ( $r ) => $d()->listProjects( Rest::query( $r, array( 'search', 'status', 'customer_id', 'after', 'before' ) ) ) );
		Rest::route( '/projects', 'POST', $man, fn ( $r ) => $d()->createProject( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/projects/$id", 'GET', $work, fn ( $r ) => $d()->project( (string) $r['id'] ) );
		Rest::route( "/projects/$id/status", 'POST', $man, fn ( $r ) => $d()->changeProjectStatus( (string) $r['id'], self::text( Rest::body( $r ), 'status' ), $ctx( $r ) ) );
		Rest::route( "/projects/$id/change-orders", 'POST', $man, fn ( $r ) => $d()->recordChangeOrder( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route(
			"/projects/$id/burnup",
			'GET',
			$work,
			function ( $r ) use ( $d ) {
				$q = Rest::query( $r, array( 'weeks' ) );
				if ( isset( $q['weeks'] ) && ctype_digit( $q['weeks'] ) ) {
					$q['weeks'] = (int) $q['weeks'];
				}
				return $d()->projectBurnup( (string) $r['id'], $q );
			}
		);
		Rest::route( "/projects/$id/tickets", 'GET', $work, fn ( $r ) => $d()->projectTickets( (string) $r['id'], Rest::query( $r, array( 'after', 'before' ) ) ) );
		Rest::route( "/projects/$id/milestones", 'POST', $man, fn ( $r ) => $d()->addMilestone( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/projects/$id/milestones/(?P<milestone>[0-9a-fA-F-]{1,64})/complete", 'POST', $man, fn ( $r ) => $d()->completeMilestone( (string) $r['id'], (string) $r['milestone'], $ctx( $r ) ) );
		Rest::route( "/projects/$id/tasks", 'POST', $man, fn ( $r ) => $d()->addTask( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/projects/$id/tasks/(?P<task>[0-9a-fA-F-]{1,64})/assign", 'POST', $man, fn ( $r ) => $d()->assignTask( (string) $r['id'], (string) $r['task'], self::text( Rest::body( $r ), 'assignee_id' ), $ctx( $r ) ) );
		Rest::route( "/projects/$id/tasks/(?P<task>[0-9a-fA-F-]{1,64})/status", 'POST', $work, fn ( $r ) => $d()->moveTask( (string) $r['id'], (string) $r['task'], self::text( Rest::body( $r ), 'status' ), $ctx( $r ) ) );

		Rest::route(
			'/timesheet',
			'GET',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$q = Rest::query( $r, array( 'employee_id', 'week' ) );
				return $d()->timesheet( $this->employee( $q['employee_id'] ?? '', $ctx( $r ) ), $q['week'] ?? \PetWp\Input::today() );
			}
		);
		$sheet = '/timesheets/(?P<employee>[0-9a-fA-F-]{1,64})/(?P<week>\d{4}-\d{2}-\d{2})';
		Rest::route(
			$sheet,
			'PUT',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$c = $ctx( $r );
				return $d()->saveWeek( $this->employee( (string) $r['employee'], $c ), (string) $r['week'], Rest::body( $r ), $c );
			}
		);
		Rest::route(
			$sheet . '/submit',
			'POST',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$c = $ctx( $r );
				return $d()->submitWeek( $this->employee( (string) $r['employee'], $c ), (string) $r['week'], $c );
			}
		);
		Rest::route(
			'/time-entries',
			'POST',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$body = Rest::body( $r, array( 'note' ) );
				$c    = $ctx( $r );
				if ( isset( $body['employee_id'] ) ) {
					$body['employee_id'] = $this->employee( (string) $body['employee_id'], $c );
				}
				return $d()->logTime( $body, $c );
			},
			201
		);
		Rest::route( "/time-entries/$id", 'GET', $work, fn ( $r ) => $this->own_entry( (string) $r['id'], $ctx( $r ) ) );
		Rest::route(
			"/time-entries/$id",
			'PATCH',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$this->own_entry( (string) $r['id'], $ctx( $r ) );
				return $d()->reviseTimeEntry( (string) $r['id'], Rest::body( $r, array( 'note' ) ), $ctx( $r ) );
			}
		);
		Rest::route(
			"/time-entries/$id/submit",
			'POST',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$this->own_entry( (string) $r['id'], $ctx( $r ) );
				return $d()->submitTimeEntry( (string) $r['id'], $ctx( $r ) );
			}
		);
		Rest::route(
			"/time-entries/$id/discard",
			'POST',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$this->own_entry( (string) $r['id'], $ctx( $r ) );
				return $d()->discardTimeEntry( (string) $r['id'], $ctx( $r ) );
			}
		);
		Rest::route( "/time-entries/$id/approve", 'POST', $man, fn ( $r ) => $d()->approveTimeEntry( (string) $r['id'], $ctx( $r ) ) );
		Rest::route( "/time-entries/$id/send-back", 'POST', $man, fn ( $r ) => $d()->sendBackTimeEntry( (string) $r['id'], self::text( Rest::body( $r ), 'reason' ), $ctx( $r ) ) );
		Rest::route( "/time-entries/$id/adjustments", 'POST', $man, fn ( $r ) => $d()->adjustTimeEntry( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( '/approvals', 'GET', $man, fn ( $r ) => $d()->submittedTime( Rest::query( $r, array( 'employee_id', 'after', 'before' ) ) ) );
		Rest::route(
			'/approvals/weeks',
			'GET',
			$man,
			function ( $r ) use ( $d ) {
				$q = Rest::query( $r, array( 'employee_id', 'after', 'per_page' ) );
				if ( isset( $q['per_page'] ) && ctype_digit( $q['per_page'] ) ) {
					$q['per_page'] = (int) $q['per_page'];
				}
				return $d()->submittedWeeks( $q );
			}
		);
		Rest::route(
			'/approvals/weeks/approve',
			'POST',
			$man,
			function ( $r ) use ( $d, $ctx ) {
				$b = Rest::body( $r );
				return $d()->approveTimeWeek( self::text( $b, 'employee_id' ), self::text( $b, 'week' ), $ctx( $r ) );
			}
		);
		Rest::route(
			'/approvals/weeks/send-back',
			'POST',
			$man,
			function ( $r ) use ( $d, $ctx ) {
				$b = Rest::body( $r );
				return $d()->sendBackTimeWeek( self::text( $b, 'employee_id' ), self::text( $b, 'week' ), self::text( $b, 'reason' ), $ctx( $r ) );
			}
		);

		Rest::route( '/time-lock', 'GET', $work, fn () => $d()->timeLock() );
		Rest::route( '/time-lock', 'POST', $man, fn ( $r ) => $d()->lockTimePeriod( self::text( Rest::body( $r ), 'through' ), $ctx( $r ) ) );

		Rest::route(
			'/timer',
			'GET',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$q = Rest::query( $r, array( 'employee_id' ) );
				return $d()->timer( $this->employee( $q['employee_id'] ?? '', $ctx( $r ) ) );
			}
		);
		Rest::route(
			'/timer/start',
			'POST',
			$work,
			function ( $r ) use ( $d, $ctx ) {
				$body                = Rest::body( $r, array( 'note' ) );
				$c                   = $ctx( $r );
				$body['employee_id'] = $this->employee( is_string( $body['employee_id'] ?? null ) ? $body['employee_id'] : '', $c );
				return $d()->startTimer( $body, $c );
			},
			201
		);
		foreach ( array( 'stop', 'discard' ) as $verb ) {
			Rest::route(
				'/timer/' . $verb,
				'POST',
				$work,
				function ( $r ) use ( $d, $ctx, $verb ) {
					$body     = Rest::body( $r );
					$c        = $ctx( $r );
					$employee = $this->employee( is_string( $body['employee_id'] ?? null ) ? $body['employee_id'] : '', $c );
					return 'stop' === $verb ? $d()->stopTimer( $employee, $c ) : $d()->discardTimer( $employee, $c );
				}
			);
		}

		Rest::route( '/capacities', 'POST', $man, fn ( $r ) => $d()->setCapacity( Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/employees/$id/capacity", 'GET', $man, fn ( $r ) => $d()->capacity( (string) $r['id'] ) );
		Rest::route( '/allocations', 'POST', $man, fn ( $r ) => $d()->allocate( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/allocations/$id/release", 'POST', $man, fn ( $r ) => $d()->releaseAllocation( (string) $r['id'], $ctx( $r ) ) );
		Rest::route( "/projects/$id/allocations", 'GET', $work, fn ( $r ) => $d()->projectAllocations( (string) $r['id'] ) );
		Rest::route(
			'/resource-plan',
			'GET',
			$man,
			function ( $r ) use ( $d ) {
				$q = Rest::query( $r, array( 'from', 'weeks', 'after', 'before' ) );
				if ( isset( $q['weeks'] ) && ctype_digit( $q['weeks'] ) ) {
					$q['weeks'] = (int) $q['weeks'];
				}
				return $d()->resourcePlan( $q );
			}
		);
	}

	/**
	 * The entry $id when the user may act on it as its employee: their own, or any entry
	 * for a manager.
	 *
	 * @param string $id  Entry id.
	 * @param array  $ctx Command context.
	 * @throws \PetWp\Forbidden_Exception When a user without pet_manage_delivery names someone else's entry.
	 */
	private function own_entry( string $id, array $ctx ): array {
		$e = $this->plugin->delivery()->timeEntry( $id );
		if ( (string) $e['employee_id'] !== (string) $ctx['actor_id'] && ! current_user_can( Access::MANAGE_DELIVERY ) ) {
			throw new \PetWp\Forbidden_Exception(
				__( 'Only a manager can act on another employee\'s time.', 'pet' ),
				array( 'id' => __( 'must be your own time entry', 'pet' ) )
			);
		}
		return $e;
	}

	/**
	 * A string field of a body ('' when absent or not a string: the engine says why).
	 *
	 * @param array  $body Body.
	 * @param string $key  Key.
	 */
	private static function text( array $body, string $key ): string {
		return is_string( $body[ $key ] ?? null ) ? $body[ $key ] : '';
	}

	/**
	 * The employee a request is about: the actor, or the one named when the user manages.
	 *
	 * @param string $named Employee id given ('' = the actor).
	 * @param array  $ctx   Command context.
	 * @throws \PetWp\Forbidden_Exception When a user without pet_manage_delivery names someone else (403).
	 */
	private function employee( string $named, array $ctx ): string {
		if ( '' === $named || $named === $ctx['actor_id'] ) {
			return (string) $ctx['actor_id'];
		}
		if ( ! current_user_can( Access::MANAGE_DELIVERY ) ) {
			throw new \PetWp\Forbidden_Exception(
				__( 'Only a manager can read or log another employee\'s time.', 'pet' ),
				array( 'employee_id' => __( 'must be your own employee', 'pet' ) )
			);
		}
		return $named;
	}
}
