<?php
/**
 * Pet\Delivery suite (required by tests/php/run.php, in its scope: $settings, $engine,
 * $identity, $boss, $ctx and the harness helpers): a project's life with time — log, submit,
 * approve, the 80 % variance, a change order, a lock and a correction as an adjustment —,
 * a draft revised in one call, weeks approved or sent back whole, the rule that staff act on
 * their own time only, and the bad inputs, each a typed exception.
 */

declare(strict_types=1);

$dl     = new Pet\Delivery( $settings );
// The boss manages time (approves, adjusts): the context says so, as the plugin's does for pet_manage.
$ctx['manages_time'] = true;
$dl_day = static fn ( int $days_ago ): string => gmdate( 'Y-m-d', time() - $days_ago * 86400 );

$dl_project = null;

test(
	'delivery: a project with time, approval, variance, change order, lock and adjustment',
	static function () use ( $dl, $dl_day, $ctx, &$dl_project ): void {
		$p = $dl->createProject(
			array(
				'name'   => 'PHP project ' . bin2hex( random_bytes( 3 ) ),
				'labour' => array( array( 'role' => 'Developer', 'minutes' => 600 ) ),
			),
			$ctx
		);
		eq( 'planned', $p['status'], 'status' );
		eq( array( 'active', 'cancelled' ), $p['next_statuses'], 'next statuses' );
		$p = $dl->changeProjectStatus( $p['id'], 'active', $ctx );
		$entries = array();
		foreach ( array( 12, 11, 10, 9 ) as $ago ) {
			$e = $dl->logTime(
				array( 'project_id' => $p['id'], 'role' => 'Developer', 'work_date' => $dl_day( $ago ), 'minutes' => 120 ),
				$ctx
			);
			eq( 'draft', $e['status'], 'draft' );
			$entries[] = $dl->submitTimeEntry( $e['id'], $ctx );
		}
		foreach ( $entries as $e ) {
			eq( 'approved', $dl->approveTimeEntry( $e['id'], $ctx )['status'], 'approved' );
		}
		$view = $dl->project( $p['id'] );
		eq( 480, $view['variance'][0]['delivered_minutes'], 'delivered' );
		eq( 80, $view['variance'][0]['threshold_reached'], '80 % reached' );
		$view = $dl->recordChangeOrder(
			$p['id'],
			array( 'reason' => 'More pages', 'labour_delta' => array( array( 'role' => 'Developer', 'minutes' => 300 ) ) ),
			$ctx
		);
		eq( 2, count( $view['constraints'] ), 'a new constraint version' );
		eq( 900, $view['variance'][0]['sold_minutes'], 'sold after the change order' );
		$lock = $dl->lockTimePeriod( $dl_day( 8 ), $ctx );
		eq( $dl_day( 8 ), $lock['locked_through'], 'locked' );
		throws(
			Pet\InvariantViolationException::class,
			static fn () => $dl->adjustTimeEntry( $entries[0]['id'], array( 'minutes' => -30, 'work_date' => $dl_day( 12 ), 'reason' => 'typo' ), $ctx ),
			'adjustment dated in the locked period'
		);
		$adj = $dl->adjustTimeEntry( $entries[0]['id'], array( 'minutes' => -30, 'work_date' => $dl_day( 1 ), 'reason' => 'typo' ), $ctx );
		eq( 90, $adj['effective_minutes'], 'adjusted' );
		$week = $dl->timesheet( $ctx['actor_id'], $dl_day( 1 ) );
		check( is_array( $week['days'] ) && 7 === count( $week['days'] ), 'a week of days' );
		$dl_project = $view;
	}
);

test(
	'delivery: bad input is a typed exception',
	static function () use ( $dl, $dl_day, $ctx, &$dl_project ): void {
		check( null !== $dl_project, 'the project test ran' );
		$e = throws(
			Pet\ValidationException::class,
			static fn () => $dl->logTime( array( 'project_id' => $dl_project['id'], 'work_date' => $dl_day( 1 ), 'minutes' => 0 ), $ctx ),
			'zero minutes'
		);
		check( array_key_exists( 'minutes', $e->getFieldErrors() ), 'minutes named' );
		$dl->logTime( array( 'project_id' => $dl_project['id'], 'work_date' => $dl_day( 2 ), 'minutes' => 1000 ), $ctx );
		throws(
			Pet\InvariantViolationException::class,
			static fn () => $dl->logTime( array( 'project_id' => $dl_project['id'], 'work_date' => $dl_day( 2 ), 'minutes' => 441 ), $ctx ),
			'more than 24 hours on a day'
		);
		throws(
			Pet\NotFoundException::class,
			static fn () => $dl->submitTimeEntry( '0190a1b2-0000-7000-8000-000000000999', $ctx ),
			'unknown entry'
		);
		throws(
			Pet\ValidationException::class,
			static fn () => $dl->changeProjectStatus( $dl_project['id'], 'flying', $ctx ),
			'unknown status'
		);
	}
);

test(
	'delivery: a timer, capacity, an allocation past capacity and the approvals queue',
	static function () use ( $dl, $dl_day, $ctx, &$dl_project ): void {
		check( null !== $dl_project, 'the project test ran' );
		$me = $ctx['actor_id'];
		$t  = $dl->startTimer( array( 'project_id' => $dl_project['id'], 'note' => 'timed' ), $ctx );
		check( is_array( $t['running'] ) && $dl_project['id'] === $t['running']['target']['project_id'], 'the timer runs on the project' );
		throws( Pet\InvariantViolationException::class, static fn () => $dl->startTimer( array( 'project_id' => $dl_project['id'] ), $ctx ), 'one timer at a time' );
		$stopped = $dl->stopTimer( $me, $ctx );
		check( null === $stopped['timer']['running'], 'stopped' );
		check( 'draft' === $stopped['entry']['status'] && $stopped['entry']['minutes'] >= 1, 'a draft entry of its minutes' );
		check( 'timed' === $stopped['entry']['note'], 'with its note' );
		throws( Pet\InvariantViolationException::class, static fn () => $dl->discardTimer( $me, $ctx ), 'nothing to discard' );
		$dl->discardTimeEntry( (string) $stopped['entry']['id'], $ctx );

		$monday = gmdate( 'Y-m-d', strtotime( 'monday next week', time() ) );
		$c      = $dl->setCapacity(
			array(
				'employee_id'      => $me,
				'effective_from'   => $monday,
				'minutes_per_week' => 600,
			),
			$ctx
		);
		check( 600 === $c['schedule'][0]['minutes_per_week'], 'capacity set' );
		$a = $dl->allocate(
			array(
				'employee_id'      => $me,
				'project_id'       => $dl_project['id'],
				'starts_on'        => $monday,
				'ends_on'          => gmdate( 'Y-m-d', strtotime( $monday . ' +6 days' ) ),
				'minutes_per_week' => 900,
			),
			$ctx
		);
		check( array( $monday ) === $a['over_capacity'] && is_string( $a['warning'] ), 'past capacity: made and warned about' );
		$plan = $dl->resourcePlan( array( 'from' => $monday, 'weeks' => 2 ) );
		$row  = null;
		foreach ( $plan['items'] as $item ) {
			if ( $me === $item['id'] ) {
				$row = $item;
			}
		}
		check( null !== $row && true === $row['weeks'][0]['over'] && false === $row['weeks'][1]['over'], 'the plan shows the week over capacity' );
		$e = throws(
			Pet\ValidationException::class,
			static fn () => $dl->allocate(
				array(
					'employee_id'      => $me,
					'project_id'       => $dl_project['id'],
					'starts_on'        => $monday,
					'ends_on'          => $monday,
					'minutes_per_week' => 0,
				),
				$ctx
			),
			'zero minutes a week'
		);
		check( array_key_exists( 'minutes_per_week', $e->getFieldErrors() ), 'minutes_per_week named' );
		$released = $dl->releaseAllocation( (string) $a['allocation']['id'], $ctx );
		check( true === $released['released'], 'released' );

		$queue = $dl->submittedTime( array( 'employee_id' => $me ) );
		foreach ( $queue['items'] as $item ) {
			check( 'submitted' === $item['status'] && $me === $item['employee_id'], 'only submitted time of the employee' );
		}
		throws( Pet\ValidationException::class, static fn () => $dl->submittedTime( array( 'per_page' => 'many' ) ), 'bad paging' );
	}
);

test(
	'delivery: a draft is revised in one call, a week approved or sent back whole, staff act on their own time',
	static function () use ( $dl, $dl_day, $ctx, $identity, &$dl_project ): void {
		check( null !== $dl_project, 'the project test ran' );
		$me    = $ctx['actor_id'];
		$staff = $identity->createEmployee( array( 'name' => 'Staff ' . bin2hex( random_bytes( 3 ) ), 'email' => 'staff' . bin2hex( random_bytes( 3 ) ) . '@example.com' ), $ctx );
		$sctx  = array( 'actor_id' => $staff['id'], 'idempotency_key' => null );
		// the next Monday's week is open and empty for both
		$monday = gmdate( 'Y-m-d', strtotime( 'monday next week', time() ) );
		$e      = $dl->logTime( array( 'project_id' => $dl_project['id'], 'role' => 'Developer', 'work_date' => $monday, 'minutes' => 60, 'note' => 'kick-off' ), $sctx );
		$dl->submitTimeEntry( $e['id'], $sctx );
		$dl->sendBackTimeEntry( $e['id'], 'Is that all?', $ctx );
		$r = $dl->reviseTimeEntry( $e['id'], array( 'minutes' => 90 ), $sctx );
		eq( $e['id'], $r['id'], 'the same entry' );
		eq( 90, $r['minutes'], 'revised minutes' );
		eq( 'kick-off', $r['note'], 'the note kept' );
		eq( 'Is that all?', $r['sent_back_reason'], 'the reason kept' );
		$err = throws( Pet\ValidationException::class, static fn () => $dl->reviseTimeEntry( $e['id'], array( 'minutes' => 'lots' ), $sctx ), 'bad minutes' );
		check( array_key_exists( 'minutes', $err->getFieldErrors() ), 'minutes named' );
		throws( Pet\InvariantViolationException::class, static fn () => $dl->reviseTimeEntry( $e['id'], array( 'minutes' => 30 ), array( 'actor_id' => $me, 'idempotency_key' => null ) ), 'someone else who does not manage time' );
		throws( Pet\ValidationException::class, static fn () => $dl->reviseTimeEntry( $e['id'], array(), array( 'actor_id' => $me, 'manages_time' => 'yes' ) ), 'manages_time must be a boolean' );
		$dl->submitTimeEntry( $e['id'], $sctx );
		$second = $dl->logTime( array( 'project_id' => $dl_project['id'], 'work_date' => gmdate( 'Y-m-d', strtotime( $monday . ' +1 day' ) ), 'minutes' => 30 ), $sctx );
		$dl->submitTimeEntry( $second['id'], $sctx );
		throws( Pet\InvariantViolationException::class, static fn () => $dl->approveTimeWeek( $staff['id'], $monday, $sctx ), 'staff do not approve' );
		$weeks = $dl->submittedWeeks( array( 'employee_id' => $staff['id'] ) );
		eq( 1, count( $weeks['items'] ), 'one week line' );
		eq( 120, $weeks['items'][0]['minutes'], 'its total' );
		eq( $monday, $weeks['items'][0]['week'], 'its Monday' );
		$back = $dl->sendBackTimeWeek( $staff['id'], $monday, 'Split by task', $ctx );
		eq( 2, count( $back['entries'] ), 'both sent back' );
		// the grid saved in one call: the second day's draft revised, nothing else touched
		$tuesday = gmdate( 'Y-m-d', strtotime( $monday . ' +1 day' ) );
		$sheet   = $dl->saveWeek( $staff['id'], $tuesday, array( 'cells' => array( array( 'project_id' => $dl_project['id'], 'work_date' => $tuesday, 'minutes' => 45 ) ) ), $sctx );
		eq( $monday, $sheet['week'], 'the week of any of its days' );
		eq( 135, $sheet['total_minutes'], 'the week total after the save' );
		$err = throws( Pet\ValidationException::class, static fn () => $dl->saveWeek( $staff['id'], $monday, array( 'cells' => array( array( 'work_date' => $monday, 'minutes' => 10 ) ) ), $sctx ), 'a cell without a row' );
		check( array_key_exists( 'cells', $err->getFieldErrors() ), 'cells named' );
		throws( Pet\ValidationException::class, static fn () => $dl->saveWeek( $staff['id'], $monday, array( 'cells' => array( array( 'project_id' => $dl_project['id'], 'work_date' => $monday, 'minutes' => 1441 ) ) ), $sctx ), 'a cell over a day' );
		throws( Pet\InvariantViolationException::class, static fn () => $dl->submitWeek( $staff['id'], $monday, array( 'actor_id' => $me, 'idempotency_key' => null ) ), 'someone else\'s week' );
		eq( 2, count( $dl->submitWeek( $staff['id'], $monday, $sctx )['entries'] ), 'the week submitted in one call' );
		throws( Pet\InvariantViolationException::class, static fn () => $dl->submitWeek( $staff['id'], $monday, $sctx ), 'nothing left to submit' );
		$done = $dl->approveTimeWeek( $staff['id'], $monday, $ctx );
		eq( 2, count( $done['entries'] ), 'both approved' );
		eq( 135, array_sum( array_column( $done['entries'], 'minutes' ) ), 'with the saved minutes' );
		eq( array(), $dl->submittedWeeks( array( 'employee_id' => $staff['id'] ) )['items'], 'nothing waits' );
		throws( Pet\ValidationException::class, static fn () => $dl->submittedWeeks( array( 'per_page' => 0 ) ), 'bad per_page' );
		throws( Pet\ValidationException::class, static fn () => $dl->sendBackTimeWeek( $staff['id'], $monday, '', $ctx ), 'a reason is required' );
		$tt = $dl->ticketTime( '0190a1b2-0000-7000-8000-000000000999' );
		eq( 0, $tt['count'], 'an unknown ticket has no time' );
	}
);
