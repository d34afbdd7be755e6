<?php
/**
 * Delivery screens and actions (wp-admin): Projects (list; project page with constraint
 * versions and their change orders, variance per role, time by role against sold, status
 * changes and the change-order form), My timesheet (the current user's week as a grid:
 * rows = project/task or ticket, columns = days, minutes or h:mm per cell, day and week
 * totals, submit the week; the timer: start on a row of the week, stop into a draft),
 * Approvals (managers: the queue of submitted time across employees with bulk approve, or
 * one employee's week: approve or send back the submitted entries, adjust approved ones;
 * the period-lock form) and the Resource planner (managers: employees × weeks, allocated
 * against capacity, over-capacity highlighted; the allocate and capacity forms).
 *
 * The grid is a form over the engine's week commands: the changed cells go to saveWeek in
 * one command, which decides which drafts to log, revise (their note and sent-back reason
 * kept) or discard; submitting the week is submitWeek (every draft or none). A cell holding
 * submitted or approved time is shown, not edited (corrections are adjustments, made by a
 * manager). Every rule (24 h a day, lock, active project and employee) is the engine's; its
 * refusals are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Delivery;

use PetWp\Access;
use PetWp\Input;
use PetWp\Input_Exception;
use PetWp\Module_Admin;
use PetWp\Plugin;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the Delivery pages and admin-post actions; renders the screens.
 */
final class Delivery_Admin extends Module_Admin {

	/** Screens and actions of the delivery area (see Module_Admin::cap()). */
	protected const AREA = 'delivery';

	/** Action => [capability, handler, kept fields] (see Module_Admin::ACTIONS). */
	protected const ACTIONS = array(
		'delivery_create_project' => array( Plugin::CAP_MANAGE, 'do_create_project', array( 'name', 'role', 'minutes' ) ),
		'delivery_project_status' => array( Plugin::CAP_MANAGE, 'do_project_status' ),
		'delivery_change_order'   => array( Plugin::CAP_MANAGE, 'do_change_order', array( 'reason', 'role', 'minutes' ) ),
		'delivery_save_week'      => array( Plugin::CAP_WORK, 'do_save_week' ),
		'delivery_submit_week'    => array( Plugin::CAP_WORK, 'do_submit_week' ),
		'delivery_approve'        => array( Plugin::CAP_MANAGE, 'do_approve' ),
		'delivery_send_back'      => array( Plugin::CAP_MANAGE, 'do_send_back' ),
		'delivery_weeks'          => array( Plugin::CAP_MANAGE, 'do_weeks', array( 'reason' ) ),
		'delivery_log_ticket'     => array( Plugin::CAP_WORK, 'do_log_ticket' ),
		'delivery_adjust'         => array( Plugin::CAP_MANAGE, 'do_adjust' ),
		'delivery_timer_start'    => array( Plugin::CAP_WORK, 'do_timer_start' ),
		'delivery_timer_stop'     => array( Plugin::CAP_WORK, 'do_timer_stop' ),
		'delivery_timer_discard'  => array( Plugin::CAP_WORK, 'do_timer_discard' ),
		'delivery_lock'           => array( Plugin::CAP_MANAGE, 'do_lock', array( 'through' ) ),
		'delivery_recompute'      => array( Plugin::CAP_MANAGE, 'do_recompute' ),
		'delivery_allocate'       => array( Plugin::CAP_MANAGE, 'do_allocate', array( 'employee_id', 'project_id', 'starts_on', 'ends_on', 'hours' ) ),
		'delivery_capacity'       => array( Plugin::CAP_MANAGE, 'do_capacity', array( 'employee_id', 'effective_from', 'hours' ) ),
		'delivery_add_milestone'  => array( Plugin::CAP_MANAGE, 'do_add_milestone', array( 'title', 'due' ) ),
		'delivery_milestone_done' => array( Plugin::CAP_MANAGE, 'do_milestone_done' ),
		'delivery_add_task'       => array( Plugin::CAP_MANAGE, 'do_add_task', array( 'title', 'hours', 'assignee_id', 'milestone_id' ) ),
		'delivery_assign_task'    => array( Plugin::CAP_MANAGE, 'do_assign_task' ),
		'delivery_move_task'      => array( Plugin::CAP_WORK, 'do_move_task' ),
		'delivery_release'        => array( Plugin::CAP_MANAGE, 'do_release' ),
	);

	/** Projects list and project page (with ?id=). */
	public const PROJECTS_PAGE = 'pet-projects';
	/** The current user's week. */
	public const TIMESHEET_PAGE = 'pet-timesheet';
	/** A manager's view of an employee's week. */
	public const APPROVALS_PAGE = 'pet-approvals';
	/** The resource planner. */
	public const RESOURCES_PAGE = 'pet-resources';

	protected const HOME_PAGE    = self::TIMESHEET_PAGE;
	protected const SCREEN_CLASS = 'pet-delivery';
	/** A failed form is kept in the transient pet_delivery_form_<user id>. */
	protected const KEPT_FORM = 'pet_delivery_form';

	/** @var array<string,string> project names by id (request cache) */
	private $project_names = array();

	/** @var array<string,string> task titles by id, of the projects read (request cache) */
	private $task_titles = array();

	/** @var array<string,list<array>> tasks by project id, of the projects read (request cache) */
	private $project_tasks = array();

	/** The Delivery pages under the PET menu. */
	protected function pages(): array {
		return array(
			self::PROJECTS_PAGE  => array( __( 'Projects', 'pet' ), Plugin::CAP_WORK, 'page_projects' ),
			self::TIMESHEET_PAGE => array( __( 'My timesheet', 'pet' ), Plugin::CAP_WORK, 'page_timesheet' ),
			self::APPROVALS_PAGE => array( __( 'Time approvals', 'pet' ), Plugin::CAP_MANAGE, 'page_approvals' ),
			self::RESOURCES_PAGE => array( __( 'Resource planner', 'pet' ), Plugin::CAP_MANAGE, 'page_resources' ),
		);
	}

	/**
	 * The pickers on the approvals, resources and projects pages, and the ticket picker of
	 * the timesheet's add-row form.
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
		if ( self::APPROVALS_PAGE === $page || self::RESOURCES_PAGE === $page || self::PROJECTS_PAGE === $page
			|| ( self::TIMESHEET_PAGE === $page && current_user_can( Access::VIEW_SUPPORT ) ) ) {
			self::enqueue_pickers();
		}
		if ( self::PROJECTS_PAGE === $page && '' !== Input::text( 'id' ) ) {
			self::enqueue_charts();
		}
		if ( self::TIMESHEET_PAGE === $page ) {
			self::enqueue_script( 'timesheet', 'petTimesheet', array( 'ready' => 'ready' ) );
		}
		self::enqueue_style( 'delivery' );
	}

	/** Registers the pages and actions, and the time section of the helpdesk ticket page. */
	public function register(): void {
		parent::register();
		add_action( 'pet_ticket_sections', array( $this, 'ticket_time' ) );
	}

	/**
	 * The ticket page's time section (hook pet_ticket_sections): the time logged on the
	 * ticket with its totals, and a form to log the current user's time on it.
	 *
	 * @param array $ticket The ticket (engine view).
	 */
	public function ticket_time( array $ticket ): void {
		if ( ! current_user_can( Plugin::CAP_WORK ) || ! isset( $ticket['id'] ) ) {
			return;
		}
		// Everyone's time on the ticket is the delivery area's: shown to those who may see
		// that area (issue 13); anyone who works may still log their own.
		$time = null;
		if ( current_user_can( Access::VIEW_DELIVERY ) ) {
			try {
				$time = $this->plugin->delivery()->ticketTime( (string) $ticket['id'] );
			} catch ( \Throwable $e ) {
				unset( $e ); // The section is optional: the ticket page stays whole without it.
				return;
			}
		}
		$names = array();
		foreach ( null === $time ? array() : $time['entries'] as $e ) {
			$eid = (string) $e['employee_id'];
			if ( ! isset( $names[ $eid ] ) ) {
				try {
					$names[ $eid ] = (string) $this->plugin->identity()->getEmployee( $eid )['name'];
				} catch ( \Throwable $ex ) {
					$names[ $eid ] = $eid;
				}
			}
		}
		self::view(
			'delivery/ticket-time',
			array(
				'ticket_id'     => (string) $ticket['id'],
				'time'          => $time,
				'names'         => $names,
				'today'         => Input::today(),
				'timesheet_url' => Table::page_url( self::TIMESHEET_PAGE, array( 'add' => 't:' . (string) $ticket['id'] ) ),
			)
		);
	}

	/** Loads the list tables (core and Delivery). */
	protected function load_tables(): void {
		parent::load_tables();
		require_once __DIR__ . '/class-delivery-tables.php';
	}

	// ---- conversions (form input to the engine's values; no rule) ----------------------------

	/**
	 * Minutes as h:mm (e.g. 90 → "1:30"; negative with a sign).
	 *
	 * @param int $minutes Minutes.
	 */
	public static function hm( int $minutes ): string {
		$sign = $minutes < 0 ? '-' : '';
		$m    = abs( $minutes );
		return $sign . intdiv( $m, 60 ) . ':' . str_pad( (string) ( $m % 60 ), 2, '0', STR_PAD_LEFT );
	}

	/**
	 * Prints a "% used" bar: delivered against sold, the percentage in words beside it
	 * (the bar is decoration, aria-hidden; past 100 % it is full and marked over).
	 *
	 * @param int      $sold    Sold minutes.
	 * @param int|null $percent The engine's percentage (null: nothing sold).
	 */
	public static function used_bar( int $sold, ?int $percent ): void {
		if ( null === $percent || $sold <= 0 ) {
			echo '<span class="pet-used">' . esc_html( '—' ) . '</span>';
			return;
		}
		$width = max( 0, min( 100, $percent ) );
		$state = $percent >= 120 ? 'pet-used-120' : ( $percent >= 100 ? 'pet-used-100' : ( $percent >= 80 ? 'pet-used-80' : 'pet-used-ok' ) );
		echo '<span class="pet-used ' . esc_attr( $state ) . '"><span class="pet-used-bar" aria-hidden="true"><span style="width:' . esc_attr( (string) $width ) . '%"></span></span> ';
		echo '<span class="pet-used-text">' . esc_html( number_format_i18n( $percent ) . ' %' ) . '</span></span>';
	}

	/**
	 * A duration typed as minutes ("90"), h:mm ("1:30") or hours with a decimal point
	 * ("1.5"), signed when $signed; null when empty. Anything else is a field error.
	 *
	 * @param string $text   Typed text.
	 * @param string $field  Field name (for the error).
	 * @param bool   $signed Whether a leading minus is allowed.
	 * @throws Input_Exception When the text is not a duration.
	 */
	public static function parse_minutes( string $text, string $field, bool $signed = false ): ?int {
		$t = trim( $text );
		if ( '' === $t ) {
			return null;
		}
		$sign = 1;
		if ( $signed && '-' === substr( $t, 0, 1 ) ) {
			$sign = -1;
			$t    = ltrim( substr( $t, 1 ) );
		}
		if ( preg_match( '/^\d{1,5}$/', $t ) ) {
			return $sign * (int) $t;
		}
		if ( preg_match( '/^(\d{1,3}):([0-5]\d)$/', $t, $m ) ) {
			return $sign * ( (int) $m[1] * 60 + (int) $m[2] );
		}
		if ( preg_match( '/^(\d{1,3})[.,](\d{1,2})$/', $t, $m ) ) {
			return $sign * (int) round( ( (float) ( $m[1] . '.' . $m[2] ) ) * 60 );
		}
		throw new Input_Exception(
			__( 'A duration is minutes (90), hours and minutes (1:30) or hours (1.5).', 'pet' ),
			array( $field => __( 'must be minutes (90), h:mm (1:30) or hours (1.5)', 'pet' ) )
		);
	}

	/**
	 * The Monday (Y-m-d) of the week of the request's "week" date (today's week by default).
	 */
	private static function week_start(): string {
		$raw = Input::text( 'week' );
		$day = preg_match( '/^\d{4}-\d{2}-\d{2}$/', $raw ) ? \DateTimeImmutable::createFromFormat( '!Y-m-d', $raw ) : false;
		if ( false === $day ) {
			$day = new \DateTimeImmutable( Input::today() );
		}
		$dow = (int) $day->format( 'N' );
		return $day->modify( '-' . ( $dow - 1 ) . ' days' )->format( 'Y-m-d' );
	}

	/**
	 * The date $days after $date.
	 *
	 * @param string $date Y-m-d.
	 * @param int    $days Days (may be negative).
	 */
	private static function plus_days( string $date, int $days ): string {
		return ( new \DateTimeImmutable( $date ) )->modify( sprintf( '%+d days', $days ) )->format( 'Y-m-d' );
	}

	/**
	 * The grid row an entry belongs to: "p:<project>:<task>" or "t:<ticket>".
	 *
	 * @param array $target Entry target.
	 */
	public static function row_key( array $target ): string {
		if ( 'ticket' === ( $target['kind'] ?? '' ) ) {
			return 't:' . (string) $target['ticket_id'];
		}
		return 'p:' . (string) ( $target['project_id'] ?? '' ) . ':' . (string) ( $target['task_id'] ?? '' );
	}

	/**
	 * The logTime target of a row key (project + task, or ticket).
	 *
	 * @param string $key Row key.
	 * @throws Input_Exception When the key is not a row.
	 */
	private static function row_target( string $key ): array {
		if ( preg_match( '/^t:([0-9a-fA-F-]{36})$/', $key, $m ) ) {
			return array( 'ticket_id' => $m[1] );
		}
		if ( preg_match( '/^p:([0-9a-fA-F-]{36}):([0-9a-fA-F-]{36})?$/', $key, $m ) ) {
			$t = array( 'project_id' => $m[1] );
			if ( isset( $m[2] ) && '' !== $m[2] ) {
				$t['task_id'] = $m[2];
			}
			return $t;
		}
		throw new Input_Exception( __( 'The timesheet row is not a project or a ticket.', 'pet' ), array( 'row' => __( 'is not a project or a ticket', 'pet' ) ) );
	}

	// ---- actions ----------------------------------------------------------------------------

	/** Creates an internal project (planned) with sold minutes for one role. */
	protected function do_create_project(): array {
		$minutes = self::parse_minutes( Input::text( 'minutes' ), 'minutes' );
		$input   = array( 'name' => Input::text( 'name' ) );
		if ( null !== $minutes ) {
			$input['labour'] = array(
				array(
					'role'    => Input::text( 'role' ),
					'minutes' => $minutes,
				),
			);
		}
		$p = $this->plugin->delivery()->createProject( $input, $this->ctx() );
		return array( __( 'Project created (planned). Activate it to log time on it.', 'pet' ), self::project_url( (string) $p['id'] ) );
	}

	/** Moves the project to one of its next statuses. */
	protected function do_project_status(): array {
		$p = $this->plugin->delivery()->changeProjectStatus( Input::text( 'id' ), Input::text( 'status' ), $this->ctx() );
		/* translators: %s: project status. */
		return array( sprintf( __( 'Project is now %s.', 'pet' ), str_replace( '_', ' ', (string) $p['status'] ) ) );
	}

	/** Records a change order (a new constraint version). */
	protected function do_change_order(): array {
		$minutes = self::parse_minutes( Input::text( 'minutes' ), 'minutes', true );
		$p       = $this->plugin->delivery()->recordChangeOrder(
			Input::text( 'id' ),
			array(
				'reason'       => Input::text( 'reason' ),
				'labour_delta' => array(
					array(
						'role'    => Input::text( 'role' ),
						'minutes' => $minutes ?? 0,
					),
				),
			),
			$this->ctx()
		);
		$last = end( $p['constraints'] );
		/* translators: %d: constraint version number. */
		return array( sprintf( __( 'Change order recorded: constraint version %d.', 'pet' ), (int) ( $last['number'] ?? 0 ) ) );
	}

	/**
	 * Saves the week grid in one engine command (saveWeek, all or nothing): each changed cell
	 * (cell[<row>][<date>] against the minutes it showed, shown[<row>][<date>]) is sent with
	 * its new minutes; the engine decides which drafts to log, revise (their note, role and
	 * sent-back reason kept) or discard, and refuses the whole save when a rule does.
	 */
	protected function do_save_week(): array {
		$week  = self::week_start();
		$last  = self::plus_days( $week, 6 );
		$shown = Input::posted_array( 'shown' );
		$cells = array();
		foreach ( Input::posted_array( 'cell' ) as $row => $days ) {
			if ( ! is_array( $days ) ) {
				continue;
			}
			foreach ( $days as $date => $text ) {
				$date = (string) $date;
				if ( $date < $week || $date > $last ) {
					continue;
				}
				$minutes = self::parse_minutes( (string) $text, 'cell' ) ?? 0;
				$before  = self::parse_minutes( (string) ( $shown[ $row ][ $date ] ?? '' ), 'cell' ) ?? 0;
				if ( $minutes !== $before ) {
					$cells[] = self::row_target( (string) $row ) + array(
						'work_date' => $date,
						'minutes'   => $minutes,
					);
				}
			}
		}
		if ( array() !== $cells ) {
			$this->plugin->delivery()->saveWeek( $this->ctx()['actor_id'], $week, array( 'cells' => $cells ), $this->ctx() );
		}
		$changed = count( $cells );
		/* translators: %d: number of changed cells. */
		return array( sprintf( _n( '%d cell saved as draft time.', '%d cells saved as draft time.', $changed, 'pet' ), $changed ) );
	}

	/**
	 * Submits every draft entry of the current user's week in one engine command (all or
	 * none; a week without draft time is the engine's refusal, shown as such).
	 */
	protected function do_submit_week(): array {
		$count = count( $this->plugin->delivery()->submitWeek( $this->ctx()['actor_id'], self::week_start(), $this->ctx() )['entries'] );
		/* translators: %d: number of entries. */
		return array( sprintf( _n( '%d entry submitted for approval.', '%d entries submitted for approval.', $count, 'pet' ), $count ) );
	}

	/** Approves the ticked submitted entries (entry[]), one command each. */
	protected function do_approve(): array {
		$ids = array_values( array_filter( array_map( 'strval', Input::posted_array( 'entry' ) ), 'strlen' ) );
		if ( array() === $ids ) {
			throw new Input_Exception( __( 'Tick the entries to approve.', 'pet' ), array( 'entry' => __( 'is required', 'pet' ) ) );
		}
		foreach ( $ids as $id ) {
			$this->plugin->delivery()->approveTimeEntry( $id, $this->ctx( '-' . $id ) );
		}
		/* translators: %d: number of entries. */
		return array( sprintf( _n( '%d entry approved.', '%d entries approved.', count( $ids ), 'pet' ), count( $ids ) ) );
	}

	/**
	 * Approves, or sends back with one reason, the ticked employee-weeks (week[] =
	 * "<employee id>|<Monday>"), each week one command (all of its submitted entries or none).
	 *
	 * @throws Input_Exception When no week is ticked.
	 */
	protected function do_weeks(): array {
		$weeks = array();
		foreach ( Input::posted_array( 'week' ) as $w ) {
			if ( is_string( $w ) && preg_match( '/^([0-9a-fA-F-]{36})\|(\d{4}-\d{2}-\d{2})$/', $w, $m ) ) {
				$weeks[] = array( $m[1], $m[2] );
			}
		}
		if ( array() === $weeks ) {
			throw new Input_Exception( __( 'Tick the weeks to approve or send back.', 'pet' ), array( 'week' => __( 'is required', 'pet' ) ) );
		}
		$d       = $this->plugin->delivery();
		$back    = 'send_back' === Input::text( 'do' );
		$reason  = Input::text( 'reason' );
		$entries = 0;
		foreach ( $weeks as $i => $w ) {
			$r        = $back
				? $d->sendBackTimeWeek( $w[0], $w[1], $reason, $this->ctx( '-' . $i ) )
				: $d->approveTimeWeek( $w[0], $w[1], $this->ctx( '-' . $i ) );
			$entries += count( $r['entries'] );
		}
		$n = count( $weeks );
		if ( $back ) {
			/* translators: 1: number of weeks, 2: number of entries. */
			return array( sprintf( _n( '%1$d week sent back (%2$d entries are drafts again, with your reason).', '%1$d weeks sent back (%2$d entries are drafts again, with your reason).', $n, 'pet' ), $n, $entries ) );
		}
		/* translators: 1: number of weeks, 2: number of entries. */
		return array( sprintf( _n( '%1$d week approved (%2$d entries).', '%1$d weeks approved (%2$d entries).', $n, 'pet' ), $n, $entries ) );
	}

	/**
	 * Logs the current user's time on a ticket from the ticket page (a draft entry; it shows
	 * on their timesheet to submit with the week).
	 */
	protected function do_log_ticket(): array {
		$ticket = Input::text( 'ticket_id' );
		$input  = array(
			'ticket_id' => $ticket,
			'work_date' => Input::text( 'work_date' ),
			'minutes'   => self::parse_minutes( Input::text( 'minutes' ), 'minutes' ) ?? 0,
			'billable'  => '1' === Input::text( 'billable' ),
		);
		$note   = Input::text( 'note' );
		if ( '' !== $note ) {
			$input['note'] = $note;
		}
		$e = $this->plugin->delivery()->logTime( $input, $this->ctx() );
		return array(
			/* translators: %s: h:mm. */
			sprintf( __( '%s logged on this ticket as draft time. Submit it with your week on My timesheet.', 'pet' ), self::hm( (int) $e['minutes'] ) ),
			Table::page_url( 'pet-tickets', array( 'id' => $ticket ) ),
		);
	}

	/** Sends one submitted entry back to its employee with a reason. */
	protected function do_send_back(): array {
		$this->plugin->delivery()->sendBackTimeEntry( Input::text( 'id' ), Input::text( 'reason' ), $this->ctx() );
		return array( __( 'Entry sent back: it is a draft again, with your reason.', 'pet' ) );
	}

	/** Adjusts a submitted or approved entry (signed minutes, open date, reason). */
	protected function do_adjust(): array {
		$this->plugin->delivery()->adjustTimeEntry(
			Input::text( 'id' ),
			array(
				'minutes'   => self::parse_minutes( Input::text( 'minutes' ), 'minutes', true ) ?? 0,
				'work_date' => Input::text( 'work_date' ),
				'reason'    => Input::text( 'reason' ),
			),
			$this->ctx()
		);
		return array( __( 'Adjustment recorded.', 'pet' ) );
	}

	/** Starts the current user's timer on a row of the week (row = p:<project>:<task> or t:<ticket>). */
	protected function do_timer_start(): array {
		$input = self::row_target( Input::text( 'row' ) );
		$note  = Input::text( 'note' );
		if ( '' !== $note ) {
			$input['note'] = $note;
		}
		$this->plugin->delivery()->startTimer( $input, $this->ctx() );
		return array( __( 'Timer started. Stop it to turn the time into a draft entry.', 'pet' ) );
	}

	/** Stops the current user's timer: a draft entry of the minutes it ran. */
	protected function do_timer_stop(): array {
		$r = $this->plugin->delivery()->stopTimer( (string) $this->ctx()['actor_id'], $this->ctx() );
		/* translators: %s: h:mm. */
		return array( sprintf( __( 'Timer stopped: %s logged as draft time.', 'pet' ), self::hm( (int) $r['entry']['minutes'] ) ) );
	}

	/** Throws the current user's running timer away. */
	protected function do_timer_discard(): array {
		$this->plugin->delivery()->discardTimer( (string) $this->ctx()['actor_id'], $this->ctx() );
		return array( __( 'Timer discarded: no time logged.', 'pet' ) );
	}

	/** Moves the period lock forward. */
	protected function do_lock(): array {
		$l = $this->plugin->delivery()->lockTimePeriod( Input::text( 'through' ), $this->ctx() );
		/* translators: %s: date. */
		return array( sprintf( __( 'Time is locked through %s.', 'pet' ), (string) $l['locked_through'] ) );
	}

	/**
	 * Recomputes every active project's delivered minutes from scratch and corrects the ones
	 * that differ (their variance thresholds newly reached recorded once).
	 */
	protected function do_recompute(): array {
		$r = $this->plugin->delivery()->recomputeVariance( $this->ctx() );
		$n = count( $r['corrected'] );
		return array(
			sprintf(
				/* translators: 1: number of projects checked, 2: number corrected. */
				_n( 'Variance recomputed for %1$d active project: %2$d corrected.', 'Variance recomputed for %1$d active projects: %2$d corrected.', (int) $r['checked'], 'pet' ),
				(int) $r['checked'],
				$n
			),
		);
	}

	/** Allocates an employee to a project (hours per week); past capacity is made and warned about. */
	protected function do_allocate(): array {
		$minutes = self::parse_minutes( Input::text( 'hours' ), 'hours' );
		$r       = $this->plugin->delivery()->allocate(
			array(
				'employee_id'      => \PetWp\Picker::value( 'employee_id', 'employees', array(), false ),
				'project_id'       => Input::text( 'project_id' ),
				'starts_on'        => Input::text( 'starts_on' ),
				'ends_on'          => Input::text( 'ends_on' ),
				'minutes_per_week' => $minutes ?? 0,
			),
			$this->ctx()
		);
		// From the project page (its id posted) back to it; else to the planner's weeks.
		$url = '' !== Input::text( 'id' ) ? self::project_url( Input::text( 'id' ) ) : Table::page_url( self::RESOURCES_PAGE, array( 'from' => Input::text( 'starts_on' ) ) );
		if ( null !== $r['warning'] ) {
			/* translators: %s: the engine's warning. */
			return array( sprintf( __( 'Allocated. Warning: %s.', 'pet' ), (string) $r['warning'] ), $url );
		}
		return array( __( 'Allocated, within capacity.', 'pet' ), $url );
	}

	/** Sets an employee's weekly capacity from a Monday (hours per week). */
	protected function do_capacity(): array {
		$minutes = self::parse_minutes( Input::text( 'hours' ), 'hours' );
		$this->plugin->delivery()->setCapacity(
			array(
				'employee_id'      => \PetWp\Picker::value( 'employee_id', 'employees', array(), false ),
				'effective_from'   => Input::text( 'effective_from' ),
				'minutes_per_week' => $minutes ?? 0,
			),
			$this->ctx()
		);
		return array( __( 'Capacity set.', 'pet' ) );
	}

	/** Adds a milestone (title, due date) to the project. */
	protected function do_add_milestone(): array {
		$input = array( 'title' => Input::text( 'title' ) );
		if ( '' !== Input::text( 'due' ) ) {
			$input['due'] = Input::text( 'due' );
		}
		$this->plugin->delivery()->addMilestone( Input::text( 'id' ), $input, $this->ctx() );
		return array( __( 'Milestone added.', 'pet' ) );
	}

	/** Marks a milestone of the project done. */
	protected function do_milestone_done(): array {
		$this->plugin->delivery()->completeMilestone( Input::text( 'id' ), Input::text( 'milestone_id' ), $this->ctx() );
		return array( __( 'Milestone done.', 'pet' ) );
	}

	/** Adds a task (title, estimate in hours, assignee, milestone) to the project. */
	protected function do_add_task(): array {
		$estimate = self::parse_minutes( Input::text( 'hours' ), 'hours' );
		$input    = array(
			'title'        => Input::text( 'title' ),
			'assignee_id'  => \PetWp\Picker::value( 'assignee_id', 'employees', array(), false ),
			'milestone_id' => Input::text( 'milestone_id' ),
		);
		if ( null !== $estimate ) {
			$input['estimate_minutes'] = $estimate;
		}
		$this->plugin->delivery()->addTask( Input::text( 'id' ), $input, $this->ctx() );
		return array( __( 'Task added.', 'pet' ) );
	}

	/** Assigns a task of the project to an employee (none: unassigned). */
	protected function do_assign_task(): array {
		$this->plugin->delivery()->assignTask(
			Input::text( 'id' ),
			Input::text( 'task_id' ),
			\PetWp\Picker::value( 'assignee_id', 'employees', array(), false ),
			$this->ctx()
		);
		return array( __( 'Task assigned.', 'pet' ) );
	}

	/** Moves a task of the project to its next status. */
	protected function do_move_task(): array {
		$p = $this->plugin->delivery()->moveTask( Input::text( 'id' ), Input::text( 'task_id' ), Input::text( 'status' ), $this->ctx() );
		unset( $p );
		/* translators: %s: task status. */
		return array( sprintf( __( 'Task is now %s.', 'pet' ), \PetWp\View::value_label( Input::text( 'status' ) ) ) );
	}

	/** Releases an allocation of the project. */
	protected function do_release(): array {
		$this->plugin->delivery()->releaseAllocation( Input::text( 'allocation_id' ), $this->ctx() );
		return array( __( 'Allocation released.', 'pet' ) );
	}

	// ---- data for the views -----------------------------------------------------------------

	/**
	 * URL of a project's page.
	 *
	 * @param string $id Project id.
	 */
	public static function project_url( string $id ): string {
		return Table::page_url( self::PROJECTS_PAGE, array( 'id' => $id ) );
	}

	/**
	 * A project's name, or its id when it cannot be read.
	 *
	 * @param string $id Project id.
	 */
	private function project_name( string $id ): string {
		if ( ! isset( $this->project_names[ $id ] ) ) {
			try {
				$p                          = $this->plugin->delivery()->project( $id );
				$this->project_names[ $id ] = (string) $p['name'];
				$this->project_tasks[ $id ] = (array) $p['tasks'];
				foreach ( (array) $p['tasks'] as $t ) {
					$this->task_titles[ (string) $t['id'] ] = (string) $t['title'];
				}
			} catch ( \Throwable $e ) {
				$this->project_names[ $id ] = $id;
			}
		}
		return $this->project_names[ $id ];
	}

	/**
	 * A week's grid: the days, the rows (label, cells with minutes and whether editable),
	 * the day and week totals.
	 *
	 * @param array        $sheet Timesheet (engine).
	 * @param list<string> $add   Row keys to show even without time.
	 */
	private function grid( array $sheet, array $add = array() ): array {
		$week = (string) $sheet['week'];
		$days = array();
		for ( $i = 0; $i < 7; $i++ ) {
			$days[] = self::plus_days( $week, $i );
		}
		$rows = array();
		foreach ( $sheet['entries'] as $e ) {
			$key = self::row_key( (array) $e['target'] );
			if ( ! isset( $rows[ $key ] ) ) {
				$rows[ $key ] = $this->row_head( $key, (array) $e['target'], $days );
			}
			$cell                          = &$rows[ $key ]['cells'][ (string) $e['work_date'] ];
			$cell['minutes']              += (int) $e['minutes'];
			$cell['entries'][]             = $e;
			$cell['editable']              = $cell['editable'] && 'draft' === $e['status'];
			$cell['statuses'][ $e['status'] ] = true;
			if ( null !== $e['sent_back_reason'] && '' !== (string) $e['sent_back_reason'] ) {
				$cell['notes'][] = (string) $e['sent_back_reason'];
			}
			unset( $cell );
			$rows[ $key ]['total'] += (int) $e['minutes'];
		}
		foreach ( $add as $add_row ) {
			if ( isset( $rows[ $add_row ] ) ) {
				continue;
			}
			try {
				$rows[ $add_row ] = $this->row_head( $add_row, self::row_target( $add_row ) + array( 'kind' => 0 === strpos( $add_row, 't:' ) ? 'ticket' : 'project' ), $days );
			} catch ( Input_Exception $e ) {
				unset( $e ); // Not a row: nothing to add.
			}
		}
		$locked = $sheet['locked_through'];
		return array(
			'week'     => $week,
			'prev'     => self::plus_days( $week, -7 ),
			'next'     => self::plus_days( $week, 7 ),
			'days'     => $days,
			'rows'     => $rows,
			'totals'   => array_column( $sheet['days'], 'minutes', 'date' ),
			'total'    => (int) $sheet['total_minutes'],
			'locked'   => null === $locked ? null : (string) $locked,
			'drafts'   => count( array_filter( $sheet['entries'], static fn ( $e ) => 'draft' === $e['status'] ) ),
		);
	}

	/**
	 * An empty grid row.
	 *
	 * @param string $key    Row key.
	 * @param array  $target Entry target.
	 * @param array  $days   The week's dates.
	 */
	private function row_head( string $key, array $target, array $days ): array {
		if ( 'ticket' === ( $target['kind'] ?? '' ) ) {
			/* translators: %s: ticket id. */
			$label = sprintf( __( 'Ticket %s', 'pet' ), substr( (string) $target['ticket_id'], 0, 8 ) );
			$url   = Table::page_url( 'pet-tickets', array( 'id' => (string) $target['ticket_id'] ) );
		} else {
			$label = $this->project_name( (string) $target['project_id'] );
			$url   = self::project_url( (string) $target['project_id'] );
			$task  = (string) ( $target['task_id'] ?? '' );
			if ( '' !== $task ) {
				$label .= ' — ' . ( $this->task_titles[ $task ] ?? substr( $task, 0, 8 ) );
			}
		}
		$cells = array();
		foreach ( $days as $day ) {
			$cells[ $day ] = array(
				'minutes'  => 0,
				'entries'  => array(),
				'editable' => true,
				'statuses' => array(),
				'notes'    => array(),
			);
		}
		return array(
			'key'   => $key,
			'label' => $label,
			'url'   => $url,
			'cells' => $cells,
			'total' => 0,
		);
	}

	// ---- screens ----------------------------------------------------------------------------

	/** Projects: the list, or one project with ?id=. */
	public function page_projects(): void {
		$id = Input::text( 'id' );
		if ( '' !== $id ) {
			$this->screen( __( 'Project', 'pet' ), fn () => $this->project_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Projects', 'pet' ),
			function (): void {
				$table = new Projects_Table();
				$table->load( $this->plugin->delivery() );
				$manage = current_user_can( Access::MANAGE_DELIVERY );
				self::view(
					'delivery/projects',
					array(
						'table'    => $table,
						'status'   => Input::text( 'status' ),
						'customer' => \PetWp\Picker::value( 'customer_id', 'customers', array(), false ),
						'manage'   => $manage,
						'failed'   => $manage ? $this->kept_form( 'delivery_create_project:' ) : null,
					)
				);
			}
		);
	}

	/**
	 * One project: facts, status actions, constraint versions with change orders, variance
	 * per role, milestones and tasks, the change-order form.
	 *
	 * @param string $id Project id.
	 */
	private function project_detail( string $id ): void {
		$d      = $this->plugin->delivery();
		$p      = $d->project( $id );
		$manage = current_user_can( Access::MANAGE_DELIVERY );
		$roles  = array();
		$total  = null;
		foreach ( $p['variance'] as $v ) {
			if ( 'role' === $v['scope'] ) {
				$roles[] = $v;
			} elseif ( 'project' === $v['scope'] ) {
				$total = $v;
			}
		}
		$customer = null;
		if ( null !== $p['customer_id'] ) {
			try {
				$customer = (string) $this->plugin->identity()->getCustomer( (string) $p['customer_id'] )['name'];
			} catch ( \Throwable $e ) {
				$customer = (string) $p['customer_id'];
			}
		}
		$allocations = $d->projectAllocations( $id );
		$tickets     = $d->projectTickets( $id, array( 'per_page' => 10 ) + array_filter( array( 'after' => Input::text( 'tickets_after' ) ) ) );
		// The names the page shows: assignees, allocated employees, ticket assignees (a few).
		$people = array();
		foreach ( array_merge( array_column( (array) $p['tasks'], 'assignee' ), array_column( $allocations, 'employee_id' ), array_column( $tickets['items'], 'assignee_id' ) ) as $eid ) {
			if ( null !== $eid && ! isset( $people[ (string) $eid ] ) ) {
				try {
					$people[ (string) $eid ] = (string) $this->plugin->identity()->getEmployee( (string) $eid )['name'];
				} catch ( \Throwable $e ) {
					$people[ (string) $eid ] = (string) $eid;
				}
			}
		}
		$kept = null;
		foreach ( array( 'delivery_change_order', 'delivery_add_milestone', 'delivery_add_task', 'delivery_allocate' ) as $form ) {
			$k = $manage ? $this->kept_form( $form . ':' . $id ) : null;
			if ( null !== $k ) {
				$kept = array( $form => $k );
			}
		}
		self::view(
			'delivery/project',
			array(
				'project'       => $p,
				'customer'      => $customer,
				'manage'        => $manage,
				'roles'         => $roles,
				'total'         => $total,
				'burnup'        => $d->projectBurnup( $id, array( 'weeks' => 26 ) ),
				'activity'      => $this->plugin->engine()->activity(
					array(
						'context_type' => 'project',
						'context_id'   => $id,
						'per_page'     => 10,
					)
				)['items'],
				'allocations'   => $allocations,
				'tickets'       => $tickets,
				'people'        => $people,
				'kept'          => $kept ?? array(),
				'failed'        => $kept['delivery_change_order'] ?? null,
				'today'         => Input::today(),
				'timesheet_url' => Table::page_url( self::TIMESHEET_PAGE, array( 'add' => 'p:' . (string) $p['id'] . ':' ) ),
				'list_url'      => Table::page_url( self::PROJECTS_PAGE ),
				'activity_url'  => Table::page_url(
					'pet-activity',
					array(
						'context_type' => 'project',
						'context_id'   => $id,
					)
				),
			)
		);
	}

	/**
	 * My timesheet: the current user's week as a grid. Rows without time are shown when asked
	 * for (add = comma-separated row keys, add_row = one more from the add-row form, copy = 1:
	 * last week's rows); the timer above it; the add-row form offers the active projects and
	 * the tasks of the projects on the grid, and (to those who see tickets) a ticket picker
	 * searching the active tickets as they type (add_ticket).
	 */
	public function page_timesheet(): void {
		$this->screen(
			__( 'My timesheet', 'pet' ),
			function (): void {
				$employee = $this->ctx()['actor_id'];
				$d        = $this->plugin->delivery();
				$week     = self::week_start();
				$sheet    = $d->timesheet( $employee, $week );
				$add      = array_values( array_filter( array_map( 'trim', explode( ',', Input::text( 'add' ) . ',' . Input::text( 'add_row' ) ) ), 'strlen' ) );
				// A ticket row chosen with the ticket picker (those who see tickets).
				$tickets = current_user_can( Access::VIEW_SUPPORT );
				if ( $tickets ) {
					$ticket = \PetWp\Picker::value( 'add_ticket', 'tickets', array(), false );
					if ( 1 === preg_match( '/^[0-9a-fA-F-]{36}$/', $ticket ) ) {
						$add[] = 't:' . $ticket;
					}
				}
				if ( '1' === Input::text( 'copy' ) ) {
					foreach ( $d->timesheet( $employee, self::plus_days( $week, -7 ) )['entries'] as $e ) {
						$add[] = self::row_key( (array) $e['target'] );
					}
				}
				$add     = array_values( array_unique( $add ) );
				$grid    = $this->grid( $sheet, $add );
				$timer   = $d->timer( $employee );
				$running = $timer['running'];
				if ( is_array( $running ) ) {
					$t                = (array) $running['target'];
					$running['label'] = 'ticket' === ( $t['kind'] ?? '' )
						/* translators: %s: ticket id. */
						? sprintf( __( 'Ticket %s', 'pet' ), substr( (string) $t['ticket_id'], 0, 8 ) )
						: $this->project_name( (string) $t['project_id'] );
				}
				// What a new row can be: active projects, and the tasks of the projects shown.
				$choices = array();
				foreach ( $d->listProjects(
					array(
						'status'   => 'active',
						'per_page' => 100,
					)
				)['items'] as $p ) {
					$choices[ 'p:' . (string) $p['id'] . ':' ] = (string) $p['name'];
				}
				foreach ( $this->project_tasks as $pid => $tasks ) {
					foreach ( $tasks as $t ) {
						if ( 'done' !== ( $t['status'] ?? '' ) && isset( $choices[ 'p:' . $pid . ':' ] ) ) {
							$choices[ 'p:' . $pid . ':' . (string) $t['id'] ] = $this->project_names[ $pid ] . ' — ' . (string) $t['title'];
						}
					}
				}
				foreach ( array_keys( $grid['rows'] ) as $key ) {
					unset( $choices[ $key ] );
				}
				asort( $choices );
				$empty = array();
				foreach ( $grid['rows'] as $key => $row ) {
					if ( 0 === (int) $row['total'] ) {
						$empty[] = (string) $key;
					}
				}
				self::view(
					'delivery/timesheet',
					$grid + array(
						'timer'   => $running,
						'choices' => $choices,
						'tickets' => $tickets,
						'added'   => implode( ',', $empty ),
					)
				);
			}
		);
	}

	/**
	 * Approvals: without an employee, the submitted weeks (one line per employee-week, to
	 * approve or send back in bulk); with one, that employee's week (the drill-down).
	 */
	public function page_approvals(): void {
		$this->screen(
			__( 'Time approvals', 'pet' ),
			function (): void {
				$employee = \PetWp\Picker::value( 'employee_id', 'employees', array(), false );
				$week     = self::week_start();
				$data     = array(
					'employee_id' => $employee,
					'week'        => $week,
					'prev'        => self::plus_days( $week, -7 ),
					'next'        => self::plus_days( $week, 7 ),
					'entries'     => array(),
					'names'       => array(),
					'people'      => array(),
					'projects'    => array(),
					'total'       => 0,
				);
				$data['lock']  = $this->plugin->delivery()->timeLock()['locked_through'];
				$data['queue'] = null;
				if ( '' === $employee ) {
					$page          = $this->plugin->delivery()->submittedWeeks( array( 'per_page' => 50 ) + array_filter( array( 'after' => Input::text( 'after' ) ) ) );
					$data['queue'] = $page;
					foreach ( $page['items'] as $w ) {
						$eid = (string) $w['employee_id'];
						if ( ! isset( $data['people'][ $eid ] ) ) {
							try {
								$data['people'][ $eid ] = (string) $this->plugin->identity()->getEmployee( $eid )['name'];
							} catch ( \Throwable $ex ) {
								$data['people'][ $eid ] = $eid;
							}
						}
						foreach ( $w['projects'] as $p ) {
							$pid = (string) ( $p['project_id'] ?? '' );
							if ( '' !== $pid && ! isset( $data['projects'][ $pid ] ) ) {
								$data['projects'][ $pid ] = $this->project_name( $pid );
							}
						}
					}
				}
				if ( '' !== $employee ) {
					$sheet         = $this->plugin->delivery()->timesheet( $employee, $week );
					$data['total'] = (int) $sheet['total_minutes'];
					foreach ( $sheet['entries'] as $e ) {
						$data['entries'][] = $e;
						if ( 'ticket' === $e['target']['kind'] ) {
							/* translators: %s: ticket id. */
							$data['names'][ (string) $e['id'] ] = sprintf( __( 'Ticket %s', 'pet' ), substr( (string) $e['target']['ticket_id'], 0, 8 ) );
						} else {
							$data['names'][ (string) $e['id'] ] = $this->project_name( (string) $e['target']['project_id'] );
						}
					}
				}
				self::view( 'delivery/approvals', $data );
			}
		);
	}

	/** Resource planner: employees × weeks, allocated against capacity; allocate and capacity forms. */
	public function page_resources(): void {
		$this->screen(
			__( 'Resource planner', 'pet' ),
			function (): void {
				$from     = self::week_start_of( Input::text( 'from' ) );
				$plan     = $this->plugin->delivery()->resourcePlan(
					array(
						'from'     => $from,
						'weeks'    => 8,
						'per_page' => 50,
					) + array_filter( array( 'after' => Input::text( 'after' ) ) )
				);
				$projects = array();
				foreach ( array( 'active', 'planned', 'on_hold' ) as $status ) {
					foreach ( $this->plugin->delivery()->listProjects( array( 'status' => $status, 'per_page' => 100 ) )['items'] as $p ) {
						$projects[ (string) $p['id'] ] = (string) $p['name'];
					}
				}
				self::view(
					'delivery/resources',
					array(
						'plan'     => $plan,
						'from'     => $from,
						'prev'     => self::plus_days( $from, -28 ),
						'next'     => self::plus_days( $from, 28 ),
						'projects' => $projects,
						'alloc'    => $this->kept_form( 'delivery_allocate:' ),
						'capacity' => $this->kept_form( 'delivery_capacity:' ),
					)
				);
			}
		);
	}

	/**
	 * The Monday (Y-m-d) of the week of $raw (today's week when not a date).
	 *
	 * @param string $raw A date.
	 */
	private static function week_start_of( string $raw ): string {
		$day = preg_match( '/^\d{4}-\d{2}-\d{2}$/', $raw ) ? \DateTimeImmutable::createFromFormat( '!Y-m-d', $raw ) : false;
		if ( false === $day ) {
			$day = new \DateTimeImmutable( Input::today() );
		}
		return $day->modify( '-' . ( (int) $day->format( 'N' ) - 1 ) . ' days' )->format( 'Y-m-d' );
	}
}
