<?php
/**
 * Support desk screens and actions (wp-admin): Tickets (list, new ticket, ticket page with the
 * conversation, status actions, timeline, SLA clock and linked articles) and SLA definitions
 * (list, editor, version history). Holds no business rule: forms become arrays for
 * \Pet\Helpdesk; results and the engine's errors (field errors next to the fields) are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Helpdesk;

use PetWp\Input;
use PetWp\Input_Exception;
use PetWp\Module_Admin;
use PetWp\Notices;
use PetWp\Plugin;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the support desk submenu pages and admin-post actions; renders the screens.
 */
final class Helpdesk_Admin extends Module_Admin {

	/**
	 * Action => [capability, handler] (see Module_Admin::ACTIONS). Working tickets is staff
	 * work (pet_work), like the sales workflow; SLA definitions are policy (pet_manage).
	 */
	protected const ACTIONS = array(
		'create_ticket'        => array( Plugin::CAP_WORK, 'do_create_ticket' ),
		'reply_ticket'         => array( Plugin::CAP_WORK, 'do_reply' ),
		'ticket_status'        => array( Plugin::CAP_WORK, 'do_status' ),
		'reopen_ticket'        => array( Plugin::CAP_WORK, 'do_reopen' ),
		'ticket_priority'      => array( Plugin::CAP_WORK, 'do_priority' ),
		'assign_ticket'        => array( Plugin::CAP_WORK, 'do_assign' ),
		'assign_ticket_sla'    => array( Plugin::CAP_WORK, 'do_assign_sla' ),
		'link_ticket_article'  => array( Plugin::CAP_WORK, 'do_link_article' ),
		'save_sla_definition'  => array( Plugin::CAP_MANAGE, 'do_save_sla' ),
	);

	/** Test builds only: runs the SLA job at a given time (see actions()). */
	private const TEST_CLOCK_ACTION = 'run_sla_job_at';

	public const PRIORITIES = array( 'low', 'normal', 'high', 'urgent' );
	public const STATUSES   = array( 'new', 'open', 'waiting_on_customer', 'resolved', 'closed' );
	public const CHANNELS   = array( 'email', 'phone', 'portal', 'chat', 'other' );
	public const WEEKDAYS   = array( 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' );
	/** Statuses an SLA may pause in (resolved and closed stop the clock anyway). */
	public const PAUSABLE = array( 'new', 'open', 'waiting_on_customer' );
	/** Working-hour ranges offered per weekday in the editor. */
	private const RANGES_PER_DAY = 2;

	protected const HOME_PAGE    = 'pet-tickets';
	protected const SCREEN_CLASS = 'pet-helpdesk';
	/** A rejected SLA form is kept in the transient pet_sla_form_<user id>. */
	protected const KEPT_FORM = 'pet_sla_form';

	/** @var \Pet\Helpdesk|null */
	private $hd = null;

	/**
	 * The actions; the test-clock action exists only in builds that honour it, so a
	 * production site has no such path at all.
	 */
	protected function actions(): array {
		$actions = self::ACTIONS;
		if ( \Pet\Helpdesk::testClockAvailable() ) {
			$actions[ self::TEST_CLOCK_ACTION ] = array( 'manage_options', 'do_run_sla_job_at' );
		}
		return $actions;
	}

	/**
	 * The support desk pages under the PET menu.
	 */
	public function menu(): void {
		$this->add_pages(
			array(
				'pet-tickets' => array( __( 'Tickets', 'pet' ), Plugin::CAP_WORK, 'page_tickets' ),
				'pet-slas'    => array( __( 'SLA definitions', 'pet' ), Plugin::CAP_WORK, 'page_slas' ),
			)
		);
	}

	/**
	 * Loads the list tables (core and support desk).
	 */
	protected function load_tables(): void {
		parent::load_tables();
		require_once __DIR__ . '/class-helpdesk-tables.php';
	}

	/**
	 * The SLA texts' styles (Sla_Text, with the support desk tables).
	 */
	protected function screen_styles(): void {
		Sla_Text::styles();
	}

	/** The helpdesk API (shares the engine's pool). */
	private function hd(): \Pet\Helpdesk {
		if ( null === $this->hd ) {
			$this->hd = new \Pet\Helpdesk( Plugin::engine_settings() );
		}
		return $this->hd;
	}

	// ---- actions ----------------------------------------------------------------------------

	/** Opens a ticket from the "New ticket" form. */
	protected function do_create_ticket(): array {
		$input = array(
			'customer_id' => Input::text( 'customer_id' ),
			'subject'     => Input::text( 'subject' ),
			'priority'    => Input::text( 'priority' ),
			'channel'     => Input::text( 'channel' ),
		);
		$assignee = Input::optional( 'assignee_id' );
		if ( null !== $assignee ) {
			$input['assignee_id'] = $assignee;
		}
		$sla = Input::optional( 'sla_definition_id' );
		if ( null !== $sla ) {
			$input['sla_definition_id'] = $sla;
		}
		$t = $this->hd()->createTicket( $input, $this->ctx() );
		return array( __( 'Ticket opened.', 'pet' ), Table::page_url( 'pet-tickets', array( 'id' => (string) $t['id'] ) ) );
	}

	/** A reply (customer-visible) or an internal note. */
	protected function do_reply(): array {
		$input = array(
			'body'       => Input::long_text( 'body' ),
			'visibility' => 'internal' === Input::text( 'visibility' ) ? 'internal' : 'public',
		);
		if ( 'customer' === Input::text( 'author' ) ) {
			$input['author'] = 'customer';
		}
		$this->hd()->replyToTicket( Input::text( 'id' ), $input, $this->ctx() );
		return array( 'internal' === $input['visibility'] ? __( 'Internal note added.', 'pet' ) : __( 'Reply added.', 'pet' ) );
	}

	/** Open, waiting on customer, back to open, resolve, close. */
	protected function do_status(): array {
		$id = Input::text( 'id' );
		$to = Input::text( 'to' );
		switch ( $to ) {
			case 'resolved':
				$t = $this->hd()->resolveTicket( $id, $this->ctx() );
				break;
			case 'closed':
				$t = $this->hd()->closeTicket( $id, $this->ctx() );
				break;
			default:
				$t = $this->hd()->changeTicketStatus( $id, $to, $this->ctx() );
		}
		/* translators: %s: ticket status. */
		return array( sprintf( __( 'Ticket is now %s.', 'pet' ), str_replace( '_', ' ', (string) $t['status'] ) ) );
	}

	/**
	 * Reopens a resolved ticket; the reason is kept as an internal note on the reopened
	 * ticket (the engine's reopen takes no text). The window may be set with the filter
	 * 'pet_ticket_reopen_window_minutes' (default: the engine's, 7 days).
	 */
	protected function do_reopen(): array {
		$id     = Input::text( 'id' );
		$reason = Input::long_text( 'reason' );
		if ( '' === trim( $reason ) ) {
			throw new Input_Exception( __( 'Please correct the form.', 'pet' ), array( 'reason' => __( 'Say why the ticket is reopened.', 'pet' ) ) );
		}
		$input  = array();
		$window = reopen_window_minutes();
		if ( null !== $window ) {
			$input['reopen_window_minutes'] = $window;
		}
		$this->hd()->reopenTicket( $id, $input, $this->ctx() );
		$this->hd()->replyToTicket(
			$id,
			array(
				/* translators: %s: the reason given. */
				'body'       => sprintf( __( 'Reopened: %s', 'pet' ), $reason ),
				'visibility' => 'internal',
			),
			$this->ctx( '-reason' )
		);
		return array( __( 'Ticket reopened.', 'pet' ) );
	}

	/** Changes the priority. */
	protected function do_priority(): array {
		$t = $this->hd()->changeTicketPriority( Input::text( 'id' ), Input::text( 'priority' ), $this->ctx() );
		/* translators: %s: priority. */
		return array( sprintf( __( 'Priority is now %s.', 'pet' ), (string) $t['priority'] ) );
	}

	/** Assigns (or with the empty choice unassigns). */
	protected function do_assign(): array {
		$t = $this->hd()->assignTicket( Input::text( 'id' ), Input::optional( 'assignee_id' ), $this->ctx() );
		if ( null === $t['assignee_id'] ) {
			return array( __( 'Ticket unassigned.', 'pet' ) );
		}
		/* translators: %s: employee name. */
		return array( sprintf( __( 'Ticket assigned to %s.', 'pet' ), (string) $t['assignee_name'] ) );
	}

	/** Pins the ticket to an SLA definition's version in force. */
	protected function do_assign_sla(): array {
		$t = $this->hd()->assignTicketSla( Input::text( 'id' ), Input::text( 'sla_definition_id' ), $this->ctx() );
		/* translators: 1: SLA name, 2: version number. */
		return array( sprintf( __( 'Ticket is under SLA %1$s version %2$d.', 'pet' ), (string) $t['sla']['definition_name'], (int) $t['sla']['definition_version'] ) );
	}

	/** Links a knowledge article to the ticket. */
	protected function do_link_article(): array {
		$a = $this->hd()->linkArticleToTicket( Input::text( 'article_id' ), Input::text( 'id' ), $this->ctx() );
		/* translators: %s: article title. */
		return array( sprintf( __( 'Article “%s” linked.', 'pet' ), (string) $a['title'] ) );
	}

	/**
	 * Creates a definition (version 1) or publishes its next version from the editor. On
	 * failure the form's input and the field errors are kept for the editor to show.
	 */
	protected function do_save_sla(): array {
		$id   = Input::text( 'id' );
		$form = self::posted_form();
		try {
			$spec = self::spec_from_form( $form );
			if ( '' === $id ) {
				$d = $this->hd()->createSlaDefinition(
					array(
						'name' => $form['name'],
						'spec' => $spec,
					),
					$this->ctx()
				);
				/* translators: %s: SLA definition name. */
				return array( sprintf( __( 'SLA definition “%s” created (version 1).', 'pet' ), (string) $d['name'] ), Table::page_url( 'pet-slas', array( 'id' => (string) $d['id'] ) ) );
			}
			$d = $this->hd()->publishSlaVersion( $id, array( 'spec' => $spec ), $this->ctx() );
			/* translators: 1: SLA definition name, 2: version number. */
			return array( sprintf( __( '%1$s version %2$d published. Tickets already under this SLA keep their version.', 'pet' ), (string) $d['name'], (int) $d['current_version'] ) );
		} catch ( \Throwable $e ) {
			$this->keep_form( 'save_sla_definition:' . $id, $form, Notices::describe( $e )['fields'] );
			throw $e;
		}
	}

	/** Test builds only: runs the SLA job as if it were the given time. */
	protected function do_run_sla_job_at(): array {
		if ( ! \Pet\Helpdesk::testClockAvailable() ) {
			throw new \RuntimeException( 'the test clock is not available in this build' );
		}
		$r = $this->hd()->runSlaJob( array( 'at' => Input::text( 'at' ) ) );
		return array(
			sprintf(
				/* translators: 1: time, 2-5: counts. */
				__( 'SLA job run at %1$s (test clock): %2$d tickets evaluated, %3$d warnings, %4$d breaches, %5$d met.', 'pet' ),
				(string) $r['evaluated_at'],
				(int) $r['evaluated'],
				(int) $r['warnings'],
				(int) $r['breaches'],
				(int) $r['met']
			),
		);
	}

	// ---- SLA editor: form ⇄ spec ------------------------------------------------------------

	/** The editor's posted values, as the editor renders them. */
	private static function posted_form(): array {
		$hours = Input::posted_array( 'hours' );
		$tgt   = Input::posted_array( 'targets' );
		$form  = array(
			'name'            => Input::text( 'name' ),
			'timezone'        => Input::text( 'timezone' ),
			'hours'           => array(),
			'holidays'        => Input::long_text( 'holidays' ),
			'pause_statuses'  => array_values( array_intersect( self::PAUSABLE, (array) ( Input::posted_array( 'pause_statuses' ) ) ) ),
			'warning_percent' => Input::text( 'warning_percent' ),
			'always_on'       => array_values( array_intersect( self::PRIORITIES, (array) ( Input::posted_array( 'always_on' ) ) ) ),
			'targets'         => array(),
		);
		foreach ( self::WEEKDAYS as $day ) {
			$rows = array();
			foreach ( (array) ( $hours[ $day ] ?? array() ) as $r ) {
				$start = trim( (string) ( $r['start'] ?? '' ) );
				$end   = trim( (string) ( $r['end'] ?? '' ) );
				if ( is_array( $r ) && ( '' !== $start || '' !== $end ) ) {
					$rows[] = array(
						'start' => $start,
						'end'   => $end,
					);
				}
			}
			$form['hours'][ $day ] = $rows;
		}
		foreach ( self::PRIORITIES as $p ) {
			$form['targets'][ $p ] = array(
				'first_response_minutes' => trim( (string) ( $tgt[ $p ]['first_response_minutes'] ?? '' ) ),
				'resolution_minutes'     => trim( (string) ( $tgt[ $p ]['resolution_minutes'] ?? '' ) ),
			);
		}
		return $form;
	}

	/**
	 * The editor's values for a stored spec (or the defaults of a new definition).
	 *
	 * @param array|null $spec Spec.
	 * @param string     $name Definition name.
	 */
	private static function form_from_spec( ?array $spec, string $name = '' ): array {
		if ( null === $spec ) {
			$day  = array(
				array(
					'start' => '09:00',
					'end'   => '17:00',
				),
			);
			$spec = array(
				'calendar'        => array(
					'timezone'      => wp_timezone_string(),
					'working_hours' => array(
						'mon' => $day,
						'tue' => $day,
						'wed' => $day,
						'thu' => $day,
						'fri' => $day,
					),
					'holidays'      => array(),
				),
				'targets'         => array(),
				'pause_statuses'  => array( 'waiting_on_customer' ),
				'warning_percent' => 80,
				'always_on'       => array(),
			);
			if ( ! in_array( $spec['calendar']['timezone'], \DateTimeZone::listIdentifiers(), true ) ) {
				$spec['calendar']['timezone'] = 'UTC';
			}
		}
		$form = array(
			'name'            => $name,
			'timezone'        => (string) $spec['calendar']['timezone'],
			'hours'           => array(),
			'holidays'        => implode( "\n", (array) ( $spec['calendar']['holidays'] ?? array() ) ),
			'pause_statuses'  => (array) ( $spec['pause_statuses'] ?? array() ),
			'warning_percent' => (string) ( $spec['warning_percent'] ?? '' ),
			'always_on'       => (array) ( $spec['always_on'] ?? array() ),
			'targets'         => array(),
		);
		foreach ( self::WEEKDAYS as $day ) {
			$form['hours'][ $day ] = array_values( (array) ( $spec['calendar']['working_hours'][ $day ] ?? array() ) );
		}
		foreach ( self::PRIORITIES as $p ) {
			$t                     = $spec['targets'][ $p ] ?? array();
			$form['targets'][ $p ] = array(
				'first_response_minutes' => isset( $t['first_response_minutes'] ) ? (string) $t['first_response_minutes'] : '',
				'resolution_minutes'     => isset( $t['resolution_minutes'] ) ? (string) $t['resolution_minutes'] : '',
			);
		}
		return $form;
	}

	/**
	 * The spec array for the engine from the editor's values. Only reads the form: blank
	 * rows are left out and numbers are converted; every rule is the engine's.
	 *
	 * @param array $form Editor values.
	 * @throws Input_Exception When a number field holds something that is not a whole number.
	 */
	private static function spec_from_form( array $form ): array {
		$errors = array();
		$int    = static function ( string $v, string $field ) use ( &$errors ) {
			if ( ! preg_match( '/^-?\d{1,9}$/', $v ) ) {
				$errors[ $field ] = __( 'must be a whole number', 'pet' );
				return 0;
			}
			return (int) $v;
		};
		$hours = array();
		foreach ( self::WEEKDAYS as $day ) {
			if ( array() !== $form['hours'][ $day ] ) {
				$hours[ $day ] = $form['hours'][ $day ]; // Blank ranges were left out by posted_form().
			}
		}
		$targets = array();
		foreach ( self::PRIORITIES as $p ) {
			$t = $form['targets'][ $p ];
			if ( '' === $t['first_response_minutes'] && '' === $t['resolution_minutes'] ) {
				continue; // The engine says the priority is missing.
			}
			$targets[ $p ] = array(
				'first_response_minutes' => $int( $t['first_response_minutes'], "spec.targets.$p.first_response_minutes" ),
				'resolution_minutes'     => $int( $t['resolution_minutes'], "spec.targets.$p.resolution_minutes" ),
			);
		}
		$holidays = preg_split( '/[\s,;]+/', (string) $form['holidays'], -1, PREG_SPLIT_NO_EMPTY );
		$spec     = array(
			'calendar'        => array(
				'timezone'      => $form['timezone'],
				'working_hours' => $hours,
				'holidays'      => is_array( $holidays ) ? array_values( $holidays ) : array(),
			),
			'targets'         => $targets,
			'pause_statuses'  => $form['pause_statuses'],
			'warning_percent' => $int( $form['warning_percent'], 'spec.warning_percent' ),
			'always_on'       => $form['always_on'],
		);
		if ( array() !== $errors ) {
			throw new Input_Exception( __( 'Please correct the form.', 'pet' ), $errors );
		}
		return $spec;
	}

	// ---- helpers --------------------------------------------------------------------------

	/**
	 * SLA definitions as options.
	 *
	 * @param string $none Label of the empty choice.
	 */
	private function sla_options( string $none ): array {
		$out = array( '' => $none );
		foreach ( self::all_rows( fn ( $q ) => $this->hd()->listSlaDefinitions( $q ) ) as $d ) {
			/* translators: 1: SLA name, 2: version. */
			$out[ (string) $d['id'] ] = sprintf( __( '%1$s (version %2$d)', 'pet' ), (string) $d['name'], (int) $d['current_version'] );
		}
		return $out;
	}

	/**
	 * Options from a list of values ("waiting_on_customer" → "waiting on customer").
	 *
	 * @param list<string>         $values Values.
	 * @param array<string,string> $first  Leading options.
	 */
	private static function word_options( array $values, array $first = array() ): array {
		$out = $first;
		foreach ( $values as $v ) {
			$out[ $v ] = str_replace( '_', ' ', $v );
		}
		return $out;
	}

	// ---- screens: tickets -------------------------------------------------------------------

	/**
	 * Tickets: list with filters, search and sorting, and the new-ticket form; or one ticket.
	 */
	public function page_tickets(): void {
		$id = Input::text( 'id' );
		if ( '' !== $id ) {
			$this->screen( __( 'Ticket', 'pet' ), fn () => $this->ticket_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Tickets', 'pet' ),
			function (): void {
				$table = new Tickets_Table();
				$table->load( $this->hd() );
				$f = Tickets_Table::filters();
				echo '<form method="get" id="pet-ticket-filters"><input type="hidden" name="page" value="pet-tickets">';
				foreach ( array( 'orderby', 'order' ) as $keep ) {
					if ( '' !== Input::text( $keep ) ) {
						echo '<input type="hidden" name="' . esc_attr( $keep ) . '" value="' . esc_attr( Input::text( $keep ) ) . '">';
					}
				}
				echo '<div class="alignleft actions">';
				self::select( 'status', self::word_options( self::STATUSES, array( '' => __( 'All statuses', 'pet' ), 'active' => __( 'Active (not resolved or closed)', 'pet' ) ) ), $f['status'] ?? '', 'pet-filter-status' );
				self::select( 'priority', self::word_options( self::PRIORITIES, array( '' => __( 'All priorities', 'pet' ) ) ), $f['priority'] ?? '', 'pet-filter-priority' );
				self::select(
					'assignee_id',
					$this->employee_options(
						array(
							''     => __( 'Any assignee', 'pet' ),
							'none' => __( 'Unassigned', 'pet' ),
						)
					),
					$f['assignee_id'] ?? '',
					'pet-filter-assignee'
				);
				self::select(
					'sla_state',
					array(
						''         => __( 'Any SLA state', 'pet' ),
						'running'  => __( 'running', 'pet' ),
						'warning'  => __( 'warning', 'pet' ),
						'breached' => __( 'breached', 'pet' ),
						'paused'   => __( 'paused', 'pet' ),
						'met'      => __( 'met', 'pet' ),
						'none'     => __( 'no SLA', 'pet' ),
					),
					$f['sla_state'] ?? '',
					'pet-filter-sla'
				);
				submit_button( __( 'Filter', 'pet' ), '', 'filter_action', false );
				echo '</div>';
				$table->search_box( __( 'Search tickets', 'pet' ), 'pet-ticket' );
				echo '</form>';
				$table->display();
				echo '<p class="description">' . esc_html__( 'SLA: business time left until the next target (first response or resolution) falls due; hover for the due time.', 'pet' ) . '</p>';
				$this->ticket_form();
			}
		);
	}

	/** The "New ticket" form. */
	private function ticket_form(): void {
		if ( ! current_user_can( Plugin::CAP_WORK ) ) {
			return;
		}
		echo '<h2>' . esc_html__( 'New ticket', 'pet' ) . '</h2>';
		self::form_open( 'create_ticket', array(), 'pet-create-ticket' );
		echo '<table class="form-table" role="presentation">';
		echo '<tr><th scope="row"><label for="pet-ticket-customer">' . esc_html__( 'Customer', 'pet' ) . '</label></th><td>';
		self::select( 'customer_id', $this->customer_options( array( '' => __( '— choose a customer —', 'pet' ) ) ), '', 'pet-ticket-customer' );
		echo '</td></tr>';
		echo '<tr><th scope="row"><label for="pet-ticket-subject">' . esc_html__( 'Subject', 'pet' ) . '</label></th><td><input type="text" name="subject" id="pet-ticket-subject" class="regular-text" required></td></tr>';
		echo '<tr><th scope="row"><label for="pet-ticket-priority">' . esc_html__( 'Priority', 'pet' ) . '</label></th><td>';
		self::select( 'priority', self::word_options( self::PRIORITIES ), 'normal', 'pet-ticket-priority' );
		echo '</td></tr>';
		echo '<tr><th scope="row"><label for="pet-ticket-channel">' . esc_html__( 'Channel', 'pet' ) . '</label></th><td>';
		self::select( 'channel', self::word_options( self::CHANNELS ), 'email', 'pet-ticket-channel' );
		echo '</td></tr>';
		echo '<tr><th scope="row"><label for="pet-ticket-assignee">' . esc_html__( 'Assignee', 'pet' ) . '</label></th><td>';
		self::select( 'assignee_id', $this->employee_options( array( '' => __( '— unassigned —', 'pet' ) ) ), '', 'pet-ticket-assignee' );
		echo '</td></tr>';
		echo '<tr><th scope="row"><label for="pet-ticket-sla">' . esc_html__( 'SLA definition', 'pet' ) . '</label></th><td>';
		self::select( 'sla_definition_id', $this->sla_options( __( '— no SLA —', 'pet' ) ), '', 'pet-ticket-sla' );
		echo '<p class="description">' . esc_html__( 'The ticket is pinned to the version in force now; later versions do not change it.', 'pet' ) . '</p></td></tr>';
		echo '</table>';
		submit_button( __( 'Open ticket', 'pet' ) );
		echo '</form>';
	}

	/**
	 * One ticket: facts, SLA clock, conversation and reply form, actions, timeline, articles.
	 *
	 * @param string $id Ticket id.
	 */
	private function ticket_detail( string $id ): void {
		$t      = $this->hd()->getTicket( $id );
		$status = (string) $t['status'];
		$sla    = is_array( $t['sla'] ?? null ) ? $t['sla'] : null;
		$can    = current_user_can( Plugin::CAP_WORK );
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-tickets' ) ) . '">&larr; ' . esc_html__( 'All tickets', 'pet' ) . '</a></p>';
		echo '<h2 id="pet-ticket-title">' . esc_html( (string) $t['subject'] ) . ' ' . self::badge( $status ) . ' ' . Sla_Text::badge( $sla ) . '</h2>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() and Sla_Text::badge() escape.

		echo '<div class="pet-cols"><div>';
		echo '<table class="widefat striped pet-ticket-facts" id="pet-ticket-facts"><tbody>';
		$rows = array(
			__( 'Customer', 'pet' )       => (string) $t['customer_name'],
			__( 'Priority', 'pet' )       => (string) $t['priority'],
			__( 'Status', 'pet' )         => str_replace( '_', ' ', $status ),
			__( 'Channel', 'pet' )        => (string) $t['channel'],
			__( 'Assignee', 'pet' )       => null === $t['assignee_id'] ? __( 'unassigned', 'pet' ) : (string) $t['assignee_name'],
			__( 'Created', 'pet' )        => Table::when( $t['created_at'] ),
			__( 'Updated', 'pet' )        => Table::when( $t['updated_at'] ),
			__( 'First response', 'pet' ) => null === $t['first_response_at'] ? __( 'not yet', 'pet' ) : Table::when( $t['first_response_at'] ),
			__( 'Resolved', 'pet' )       => null === $t['resolved_at'] ? '—' : Table::when( $t['resolved_at'] ),
			__( 'SLA', 'pet' )            => null === $sla ? __( 'none', 'pet' ) : sprintf( /* translators: 1: SLA name, 2: version. */ __( '%1$s, version %2$d', 'pet' ), (string) $sla['definition_name'], (int) $sla['definition_version'] ),
		);
		foreach ( $rows as $k => $v ) {
			echo '<tr><th>' . esc_html( $k ) . '</th><td>' . esc_html( $v ) . '</td></tr>';
		}
		echo '</tbody></table>';
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'ticket', 'context_id' => $id ) ) ) . '">' . esc_html__( 'Activity of this ticket', 'pet' ) . '</a></p>';
		echo '</div><div>';
		$this->sla_clock( $sla );
		echo '</div></div>';

		if ( $can ) {
			$this->ticket_actions( $t );
		}

		echo '<h3>' . esc_html__( 'Conversation', 'pet' ) . '</h3><div id="pet-conversation">';
		if ( array() === $t['replies'] ) {
			echo '<p>' . esc_html__( 'No replies yet.', 'pet' ) . '</p>';
		}
		foreach ( $t['replies'] as $r ) {
			$internal = 'internal' === $r['visibility'];
			$classes  = 'pet-reply pet-reply-' . ( $internal ? 'internal' : 'public' ) . ( 'customer' === $r['author_kind'] ? ' pet-reply-customer' : '' );
			echo '<div class="' . esc_attr( $classes ) . '" data-visibility="' . esc_attr( (string) $r['visibility'] ) . '"><p class="pet-reply-meta"><strong>'
				. esc_html( $internal ? __( 'Internal note', 'pet' ) : ( 'customer' === $r['author_kind'] ? __( 'Customer', 'pet' ) : __( 'Reply to the customer', 'pet' ) ) ) . '</strong> · '
				. esc_html( (string) ( $r['author_name'] ?? '' ) ) . ' · ' . esc_html( Table::when( $r['created_at'] ) ) . '</p>';
			echo '<p class="pet-reply-body">' . nl2br( esc_html( (string) $r['body'] ) ) . '</p></div>';
		}
		echo '</div>';
		if ( $can && 'closed' !== $status ) {
			self::form_open( 'reply_ticket', array( 'id' => $id ), 'pet-reply-form' );
			echo '<p><label for="pet-reply-body">' . esc_html__( 'Write', 'pet' ) . '</label><br><textarea name="body" id="pet-reply-body" rows="5" cols="80" class="large-text" required></textarea></p>';
			echo '<p><label><input type="radio" name="visibility" value="public" checked> ' . esc_html__( 'Reply to the customer (visible to them)', 'pet' ) . '</label><br>';
			echo '<label><input type="radio" name="visibility" value="internal"> ' . esc_html__( 'Internal note (staff only; does not count as a first response)', 'pet' ) . '</label></p>';
			echo '<p><label for="pet-reply-author">' . esc_html__( 'Written by', 'pet' ) . '</label> ';
			self::select(
				'author',
				array(
					'employee' => __( 'me', 'pet' ),
					'customer' => __( 'the customer (logging their message)', 'pet' ),
				),
				'employee',
				'pet-reply-author'
			);
			echo '</p>';
			submit_button( __( 'Add', 'pet' ), 'primary', 'submit', false );
			echo '</form>';
		}

		echo '<h3>' . esc_html__( 'Timeline', 'pet' ) . '</h3>';
		echo '<table class="widefat striped" id="pet-ticket-timeline" style="max-width:48em"><thead><tr><th>' . esc_html__( 'When', 'pet' ) . '</th><th>' . esc_html__( 'What', 'pet' ) . '</th></tr></thead><tbody>';
		foreach ( $t['timeline'] as $e ) {
			echo '<tr data-kind="' . esc_attr( (string) $e['kind'] ) . '"><td>' . esc_html( Table::when( $e['at'] ) ) . '</td><td>' . esc_html( self::timeline_words( $e ) ) . '</td></tr>';
		}
		echo '</tbody></table>';

		$this->linked_articles( $t, $can );
	}

	/**
	 * A timeline entry in words.
	 *
	 * @param array $e Entry.
	 */
	private static function timeline_words( array $e ): string {
		switch ( $e['kind'] ) {
			case 'created':
				/* translators: 1: status, 2: priority. */
				return sprintf( __( 'created (%1$s, %2$s priority)', 'pet' ), str_replace( '_', ' ', (string) ( $e['status'] ?? 'new' ) ), (string) ( $e['priority'] ?? '' ) );
			case 'status':
				/* translators: %s: status. */
				return sprintf( __( 'status → %s', 'pet' ), str_replace( '_', ' ', (string) ( $e['to'] ?? '' ) ) );
			case 'priority':
				/* translators: %s: priority. */
				return sprintf( __( 'priority → %s', 'pet' ), (string) ( $e['to'] ?? '' ) );
			case 'first_response':
				return __( 'first response to the customer', 'pet' );
			default:
				return str_replace( '_', ' ', (string) $e['kind'] ) . ( isset( $e['to'] ) ? ' → ' . (string) $e['to'] : '' );
		}
	}

	/**
	 * The SLA clock per target.
	 *
	 * @param array|null $sla Ticket SLA.
	 */
	private function sla_clock( ?array $sla ): void {
		echo '<h3>' . esc_html__( 'SLA clock', 'pet' ) . '</h3>';
		if ( null === $sla ) {
			echo '<p id="pet-sla-clock">' . esc_html__( 'This ticket has no SLA.', 'pet' ) . '</p>';
			return;
		}
		$names = array(
			'first_response' => __( 'First response', 'pet' ),
			'resolution'     => __( 'Resolution', 'pet' ),
		);
		echo '<table class="widefat striped" id="pet-sla-clock"><thead><tr><th>' . esc_html__( 'Target', 'pet' ) . '</th><th>' . esc_html__( 'State', 'pet' ) . '</th><th>' . esc_html__( 'Business minutes', 'pet' ) . '</th><th>' . esc_html__( 'Due', 'pet' ) . '</th><th>' . esc_html__( 'Warning', 'pet' ) . '</th><th>' . esc_html__( 'Breach', 'pet' ) . '</th></tr></thead><tbody>';
		foreach ( $names as $key => $label ) {
			$r = $sla[ $key ];
			$s = (string) $r['state'];
			if ( null !== $r['warning_at'] ) {
				$warn = Table::when( $r['warning_at'] );
			} elseif ( ! empty( $r['recorded']['warning'] ) ) {
				$warn = __( 'recorded by the SLA job', 'pet' );
			} else {
				$warn = '—';
			}
			if ( null !== $r['breached_at'] ) {
				$breach = Table::when( $r['breached_at'] );
			} elseif ( ! empty( $r['recorded']['breached'] ) ) {
				$breach = __( 'recorded by the SLA job', 'pet' );
			} else {
				$breach = '—';
			}
			echo '<tr id="' . esc_attr( 'pet-sla-' . str_replace( '_', '-', $key ) ) . '" data-state="' . esc_attr( $s ) . '" data-due-at="' . esc_attr( (string) ( $r['due_at'] ?? '' ) ) . '">';
			echo '<th>' . esc_html( $label ) . '</th><td><span class="' . esc_attr( 'pet-sla pet-sla-' . $s ) . '">' . esc_html( $s ) . '</span></td>';
			/* translators: 1: elapsed minutes, 2: target minutes. */
			echo '<td>' . esc_html( sprintf( __( '%1$d of %2$d', 'pet' ), (int) $r['elapsed_minutes'], (int) $r['target_minutes'] ) ) . '</td>';
			echo '<td>' . esc_html( null === $r['due_at'] ? '—' : Table::when( $r['due_at'] ) ) . '</td><td>' . esc_html( $warn ) . '</td><td>' . esc_html( $breach ) . '</td></tr>';
		}
		echo '</tbody></table>';
		echo '<p class="description">' . esc_html( $sla['paused'] ? __( 'The clock is paused (the ticket is in a pausing status).', 'pet' ) : __( 'Only business hours of the SLA\'s calendar count; due times assume the clock keeps running.', 'pet' ) ) . '</p>';
	}

	/**
	 * Status, priority, assignee and SLA forms allowed by the ticket's state.
	 *
	 * @param array $t Ticket.
	 */
	private function ticket_actions( array $t ): void {
		$id     = (string) $t['id'];
		$status = (string) $t['status'];
		if ( 'closed' === $status ) {
			echo '<p>' . esc_html__( 'This ticket is closed: it takes no more changes or replies.', 'pet' ) . '</p>';
			return;
		}
		echo '<h3>' . esc_html__( 'Actions', 'pet' ) . '</h3><div class="pet-actions">';
		// Which moves exist is the engine's (next_statuses); the labels are the screen's.
		$labels = array(
			'open'                => 'waiting_on_customer' === $status ? __( 'Back to open (customer answered)', 'pet' ) : __( 'Open', 'pet' ),
			'waiting_on_customer' => __( 'Waiting on customer', 'pet' ),
			'resolved'            => __( 'Resolve', 'pet' ),
			'closed'              => __( 'Close', 'pet' ),
		);
		$moves  = array();
		foreach ( (array) ( $t['next_statuses'] ?? array() ) as $next ) {
			$moves[ (string) $next ] = $labels[ (string) $next ] ?? (string) $next;
		}
		foreach ( $moves as $to => $label ) {
			self::form_open(
				'ticket_status',
				array(
					'id' => $id,
					'to' => $to,
				),
				'pet-status-' . str_replace( '_', '-', $to )
			);
			submit_button( $label, 'resolved' === $to ? 'primary' : 'secondary', 'submit', false );
			echo '</form>';
		}
		if ( 'resolved' === $status ) {
			self::form_open( 'reopen_ticket', array( 'id' => $id ), 'pet-reopen' );
			echo '<input type="text" name="reason" class="regular-text" required placeholder="' . esc_attr__( 'Why reopen? (kept as an internal note)', 'pet' ) . '"> ';
			submit_button( __( 'Reopen', 'pet' ), 'secondary', 'submit', false );
			echo '</form>';
		}
		echo '</div>';
		if ( 'resolved' === $status ) {
			return;
		}
		echo '<div class="pet-actions">';
		self::form_open( 'ticket_priority', array( 'id' => $id ), 'pet-priority' );
		echo '<label for="pet-priority-select">' . esc_html__( 'Priority', 'pet' ) . '</label> ';
		self::select( 'priority', self::word_options( self::PRIORITIES ), (string) $t['priority'], 'pet-priority-select' );
		submit_button( __( 'Change', 'pet' ), 'secondary', 'submit', false );
		echo '</form>';
		self::form_open( 'assign_ticket', array( 'id' => $id ), 'pet-assign' );
		echo '<label for="pet-assign-select">' . esc_html__( 'Assignee', 'pet' ) . '</label> ';
		self::select( 'assignee_id', $this->employee_options( array( '' => __( '— unassigned —', 'pet' ) ) ), (string) ( $t['assignee_id'] ?? '' ), 'pet-assign-select' );
		submit_button( __( 'Assign', 'pet' ), 'secondary', 'submit', false );
		echo '</form>';
		if ( null === $t['sla'] ) {
			self::form_open( 'assign_ticket_sla', array( 'id' => $id ), 'pet-assign-sla' );
			echo '<label for="pet-assign-sla-select">' . esc_html__( 'SLA', 'pet' ) . '</label> ';
			self::select( 'sla_definition_id', $this->sla_options( __( '— choose —', 'pet' ) ), '', 'pet-assign-sla-select' );
			submit_button( __( 'Assign SLA', 'pet' ), 'secondary', 'submit', false );
			echo '</form>';
		}
		echo '</div>';
	}

	/**
	 * Linked knowledge articles and the form to link one (search, then pick).
	 *
	 * @param array $t   Ticket.
	 * @param bool  $can May change the ticket.
	 */
	private function linked_articles( array $t, bool $can ): void {
		$id = (string) $t['id'];
		echo '<h3>' . esc_html__( 'Knowledge articles', 'pet' ) . '</h3><ul id="pet-linked-articles">';
		if ( array() === $t['linked_articles'] ) {
			echo '<li>' . esc_html__( 'No article linked yet.', 'pet' ) . '</li>';
		}
		foreach ( $t['linked_articles'] as $a ) {
			$url = add_query_arg(
				array(
					'page' => 'pet-kb-article',
					'id'   => (string) $a['id'],
				),
				admin_url( 'admin.php' )
			);
			/* translators: %s: date and time. */
			echo '<li><a href="' . esc_url( $url ) . '">' . esc_html( (string) $a['title'] ) . '</a> <span class="description">' . esc_html( sprintf( __( 'linked %s', 'pet' ), Table::when( $a['linked_at'] ) ) ) . '</span></li>';
		}
		echo '</ul>';
		if ( ! $can || 'closed' === $t['status'] ) {
			return;
		}
		$q = Input::text( 'kb_q' );
		echo '<form method="get" id="pet-article-search"><input type="hidden" name="page" value="pet-tickets"><input type="hidden" name="id" value="' . esc_attr( $id ) . '">';
		echo '<label for="pet-kb-q">' . esc_html__( 'Find a published article', 'pet' ) . '</label> <input type="search" name="kb_q" id="pet-kb-q" value="' . esc_attr( $q ) . '"> ';
		submit_button( __( 'Search', 'pet' ), 'secondary', 'submit', false );
		echo '</form>';
		try {
			if ( '' !== $q ) {
				$found = $this->hd()->searchArticles(
					array(
						'q'        => $q,
						'per_page' => 20,
					)
				)['items'];
			} else {
				$found = $this->hd()->listArticles(
					array(
						'status'   => 'published',
						'per_page' => 50,
					)
				)['items'];
			}
		} catch ( \Throwable $e ) {
			Notices::render_throwable( $e );
			return;
		}
		$linked  = array_column( $t['linked_articles'], 'id' );
		$options = array();
		foreach ( $found as $a ) {
			if ( ! in_array( $a['id'], $linked, true ) ) {
				$options[ (string) $a['id'] ] = (string) $a['title'] . ( isset( $a['category'] ) ? ' (' . (string) $a['category'] . ')' : '' );
			}
		}
		if ( array() === $options ) {
			echo '<p class="description">' . esc_html( '' !== $q ? __( 'No published article matches.', 'pet' ) : __( 'No published article to link.', 'pet' ) ) . '</p>';
			return;
		}
		self::form_open( 'link_ticket_article', array( 'id' => $id ), 'pet-link-article' );
		echo '<label for="pet-link-article-select">' . esc_html__( 'Article', 'pet' ) . '</label> ';
		self::select( 'article_id', $options, '', 'pet-link-article-select' );
		submit_button( __( 'Link to this ticket', 'pet' ), 'secondary', 'submit', false );
		echo '</form>';
	}

	// ---- screens: SLA definitions -----------------------------------------------------------

	/**
	 * SLA definitions: list and "new definition" editor; or one definition with its editor
	 * and version history.
	 */
	public function page_slas(): void {
		$id = Input::text( 'id' );
		if ( '' !== $id ) {
			$this->screen( __( 'SLA definition', 'pet' ), fn () => $this->sla_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'SLA definitions', 'pet' ),
			function (): void {
				$table = new Sla_Definitions_Table();
				$table->load( $this->hd() );
				echo '<form method="get"><input type="hidden" name="page" value="pet-slas">';
				$table->search_box( __( 'Search SLA definitions', 'pet' ), 'pet-sla' );
				echo '</form>';
				$table->display();
				if ( current_user_can( Plugin::CAP_MANAGE ) ) {
					echo '<h2>' . esc_html__( 'New SLA definition', 'pet' ) . '</h2>';
					$this->sla_editor( '', null, '' );
				}
				$this->test_clock_form();
			}
		);
	}

	/**
	 * One definition: current spec, editor (publish a new version), version history.
	 *
	 * @param string $id Definition id.
	 */
	private function sla_detail( string $id ): void {
		$d = $this->hd()->getSlaDefinition( $id );
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-slas' ) ) . '">&larr; ' . esc_html__( 'All SLA definitions', 'pet' ) . '</a></p>';
		/* translators: 1: SLA name, 2: version number. */
		echo '<h2 id="pet-sla-title">' . esc_html( sprintf( __( '%1$s — version %2$d', 'pet' ), (string) $d['name'], (int) $d['current_version'] ) ) . '</h2>';
		/* translators: %d: number of tickets. */
		echo '<p>' . esc_html( sprintf( _n( '%d ticket is under this SLA.', '%d tickets are under this SLA.', (int) $d['ticket_count'], 'pet' ), (int) $d['ticket_count'] ) ) . ' '
			. '<a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'sla_definition', 'context_id' => $id ) ) ) . '">' . esc_html__( 'Activity of this SLA', 'pet' ) . '</a></p>';
		if ( current_user_can( Plugin::CAP_MANAGE ) ) {
			echo '<h3>' . esc_html__( 'Publish a new version', 'pet' ) . '</h3>';
			echo '<p>' . esc_html__( 'Publishing makes a new, immutable version. New tickets get it; tickets already under this SLA keep the version they were pinned to.', 'pet' ) . '</p>';
			$this->sla_editor( $id, $d['spec'], (string) $d['name'] );
		}
		echo '<h3>' . esc_html__( 'Version history', 'pet' ) . '</h3><div id="pet-sla-versions">';
		foreach ( $d['versions'] as $v ) {
			/* translators: 1: version number, 2: date. */
			echo '<h4 class="pet-sla-version" data-version="' . esc_attr( (string) $v['number'] ) . '">' . esc_html( sprintf( __( 'Version %1$d — published %2$s', 'pet' ), (int) $v['number'], Table::when( $v['published_at'] ) ) ) . '</h4>';
			self::spec_summary( $v['spec'] );
		}
		echo '</div>';
		$this->test_clock_form();
	}

	/**
	 * A spec in words and a small table.
	 *
	 * @param array $spec Spec.
	 */
	private static function spec_summary( array $spec ): void {
		$cal = $spec['calendar'];
		echo '<div class="pet-spec"><p>';
		/* translators: %s: time zone. */
		echo esc_html( sprintf( __( 'Time zone %s.', 'pet' ), (string) $cal['timezone'] ) ) . ' ';
		$days = array();
		foreach ( self::WEEKDAYS as $day ) {
			$ranges = array();
			foreach ( (array) ( $cal['working_hours'][ $day ] ?? array() ) as $r ) {
				$ranges[] = $r['start'] . '–' . $r['end'];
			}
			if ( array() !== $ranges ) {
				$days[] = $day . ' ' . implode( ', ', $ranges );
			}
		}
		/* translators: %s: working hours. */
		echo esc_html( sprintf( __( 'Working hours: %s.', 'pet' ), array() === $days ? __( 'none', 'pet' ) : implode( '; ', $days ) ) ) . ' ';
		/* translators: %s: dates. */
		echo esc_html( sprintf( __( 'Holidays: %s.', 'pet' ), array() === (array) $cal['holidays'] ? __( 'none', 'pet' ) : implode( ', ', (array) $cal['holidays'] ) ) ) . ' ';
		/* translators: %s: statuses. */
		echo esc_html( sprintf( __( 'Paused while: %s.', 'pet' ), array() === (array) $spec['pause_statuses'] ? __( 'never', 'pet' ) : str_replace( '_', ' ', implode( ', ', (array) $spec['pause_statuses'] ) ) ) ) . ' ';
		/* translators: %d: percent. */
		echo esc_html( sprintf( __( 'Warning at %d %%.', 'pet' ), (int) $spec['warning_percent'] ) ) . ' ';
		/* translators: %s: priorities. */
		echo esc_html( sprintf( __( 'Around the clock (24/7): %s.', 'pet' ), array() === (array) $spec['always_on'] ? __( 'none', 'pet' ) : implode( ', ', (array) $spec['always_on'] ) ) );
		echo '</p><table class="widefat striped" style="max-width:36em"><thead><tr><th>' . esc_html__( 'Priority', 'pet' ) . '</th><th>' . esc_html__( 'First response', 'pet' ) . '</th><th>' . esc_html__( 'Resolution', 'pet' ) . '</th></tr></thead><tbody>';
		foreach ( self::PRIORITIES as $p ) {
			$t = $spec['targets'][ $p ] ?? null;
			if ( null === $t ) {
				continue;
			}
			/* translators: %d: minutes. */
			$min = static fn ( $m ) => sprintf( __( '%d business min', 'pet' ), (int) $m );
			echo '<tr><td>' . esc_html( $p ) . '</td><td>' . esc_html( $min( $t['first_response_minutes'] ) ) . '</td><td>' . esc_html( $min( $t['resolution_minutes'] ) ) . '</td></tr>';
		}
		echo '</tbody></table></div>';
	}

	/**
	 * Field errors whose name starts with one of the prefixes, as escaped HTML.
	 *
	 * @param array<string,string> $errors   Field errors.
	 * @param list<string>         $prefixes Field names (exact or prefix followed by ".").
	 * @param array<string,bool>   $shown    Names already shown (updated).
	 * @param bool                 $exact    Only exact names (a section whose parts show their own).
	 */
	private static function errors_for( array $errors, array $prefixes, array &$shown, bool $exact = false ): string {
		$out = '';
		foreach ( $errors as $field => $msg ) {
			foreach ( $prefixes as $p ) {
				if ( $field === $p || ( ! $exact && str_starts_with( $field, $p . '.' ) ) ) {
					$shown[ $field ] = true;
					$label           = $field === $p ? '' : substr( $field, strlen( $p ) + 1 ) . ': ';
					$out            .= '<span class="pet-field-error" data-field="' . esc_attr( $field ) . '">' . esc_html( $label . $msg ) . '</span>';
					break;
				}
			}
		}
		return $out;
	}

	/**
	 * The editor of a definition's spec (new definition when $id is '').
	 *
	 * @param string     $id   Definition id ('' = new).
	 * @param array|null $spec Current spec.
	 * @param string     $name Definition name.
	 */
	private function sla_editor( string $id, ?array $spec, string $name ): void {
		$form   = self::form_from_spec( $spec, $name );
		$errors = array();
		$kept   = $this->kept_form( 'save_sla_definition:' . $id );
		if ( null !== $kept ) {
			$form   = $kept['values'];
			$errors = $kept['fields'];
		}
		$shown = array();
		$err   = static function ( array $prefixes, bool $exact = false ) use ( $errors, &$shown ): string {
			return self::errors_for( $errors, $prefixes, $shown, $exact );
		};
		$cls   = static fn ( string $html ): string => '' === $html ? '' : ' class="pet-has-error"';
		self::form_open( 'save_sla_definition', array( 'id' => $id ), 'pet-sla-editor' );
		echo '<table class="form-table" role="presentation">';
		if ( '' === $id ) {
			$e = $err( array( 'name' ) );
			echo '<tr' . $cls( $e ) . '><th scope="row"><label for="pet-sla-name">' . esc_html__( 'Name', 'pet' ) . '</label></th><td><input type="text" name="name" id="pet-sla-name" class="regular-text" value="' . esc_attr( (string) $form['name'] ) . '" required>' . $e . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $e and $cls() are escaped HTML.
		}
		$e = $err( array( 'spec.calendar.timezone' ) );
		echo '<tr' . $cls( $e ) . '><th scope="row"><label for="pet-sla-timezone">' . esc_html__( 'Time zone', 'pet' ) . '</label></th><td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $cls() is literal.
		$zones = \DateTimeZone::listIdentifiers();
		$tz    = (string) $form['timezone'];
		if ( '' !== $tz && ! in_array( $tz, $zones, true ) ) {
			array_unshift( $zones, $tz ); // Keep the user's (invalid) input so the error makes sense.
		}
		self::select( 'timezone', array_combine( $zones, $zones ), $tz, 'pet-sla-timezone' );
		echo $e . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.

		echo '<tr><th scope="row">' . esc_html__( 'Working hours', 'pet' ) . '</th><td><table class="pet-hours" id="pet-sla-hours"><tbody>';
		$day_names = array(
			'mon' => __( 'Monday', 'pet' ),
			'tue' => __( 'Tuesday', 'pet' ),
			'wed' => __( 'Wednesday', 'pet' ),
			'thu' => __( 'Thursday', 'pet' ),
			'fri' => __( 'Friday', 'pet' ),
			'sat' => __( 'Saturday', 'pet' ),
			'sun' => __( 'Sunday', 'pet' ),
		);
		foreach ( self::WEEKDAYS as $day ) {
			$rows = array_values( (array) ( $form['hours'][ $day ] ?? array() ) );
			$n    = max( self::RANGES_PER_DAY, count( $rows ) + 1 );
			$de = $err( array( "spec.calendar.working_hours.$day" ) );
			echo '<tr id="' . esc_attr( 'pet-hours-' . $day ) . '"' . $cls( $de ) . '><th>' . esc_html( $day_names[ $day ] ) . '</th><td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $cls() is literal.
			for ( $i = 0; $i < $n; $i++ ) {
				$r = $rows[ $i ] ?? array(
					'start' => '',
					'end'   => '',
				);
				echo '<span class="pet-range"><input type="time" name="' . esc_attr( "hours[$day][$i][start]" ) . '" value="' . esc_attr( (string) $r['start'] ) . '" aria-label="' . esc_attr( $day_names[ $day ] . ' ' . __( 'from', 'pet' ) ) . '">–'
					. '<input type="time" name="' . esc_attr( "hours[$day][$i][end]" ) . '" value="' . esc_attr( (string) $r['end'] ) . '" aria-label="' . esc_attr( $day_names[ $day ] . ' ' . __( 'until', 'pet' ) ) . '"></span> ';
			}
			echo $de . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.
		}
		echo '</tbody></table><p class="description">' . esc_html__( 'One or more ranges per day, e.g. 09:00–12:30 and 13:30–17:00; leave a day empty when closed. 24:00 is allowed as an end.', 'pet' ) . '</p>' . $err( array( 'spec.calendar.working_hours', 'spec.calendar' ), true ) . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.

		$e = $err( array( 'spec.calendar.holidays' ) );
		echo '<tr' . $cls( $e ) . '><th scope="row"><label for="pet-sla-holidays">' . esc_html__( 'Holidays', 'pet' ) . '</label></th><td><textarea name="holidays" id="pet-sla-holidays" rows="3" cols="30" placeholder="2026-12-25">' . esc_textarea( (string) $form['holidays'] ) . '</textarea><p class="description">' . esc_html__( 'Dates (YYYY-MM-DD), one per line: no business time on these days.', 'pet' ) . '</p>' . $e . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.

		$e = $err( array( 'spec.pause_statuses' ) );
		echo '<tr' . $cls( $e ) . '><th scope="row">' . esc_html__( 'Pause the clock while', 'pet' ) . '</th><td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $cls() is literal.
		foreach ( self::PAUSABLE as $s ) {
			echo '<label><input type="checkbox" name="pause_statuses[]" value="' . esc_attr( $s ) . '"' . checked( in_array( $s, (array) $form['pause_statuses'], true ), true, false ) . '> ' . esc_html( str_replace( '_', ' ', $s ) ) . '</label> &nbsp; ';
		}
		echo $e . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.

		$e = $err( array( 'spec.warning_percent' ) );
		echo '<tr' . $cls( $e ) . '><th scope="row"><label for="pet-sla-warning">' . esc_html__( 'Warning at', 'pet' ) . '</label></th><td><input type="text" inputmode="numeric" name="warning_percent" id="pet-sla-warning" class="small-text" value="' . esc_attr( (string) $form['warning_percent'] ) . '"> % ' . esc_html__( 'of a target (1–99)', 'pet' ) . $e . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.

		$e = $err( array( 'spec.always_on' ) );
		echo '<tr' . $cls( $e ) . '><th scope="row">' . esc_html__( 'Around the clock (24/7)', 'pet' ) . '</th><td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $cls() is literal.
		foreach ( self::PRIORITIES as $p ) {
			echo '<label><input type="checkbox" name="always_on[]" value="' . esc_attr( $p ) . '"' . checked( in_array( $p, (array) $form['always_on'], true ), true, false ) . '> ' . esc_html( $p ) . '</label> &nbsp; ';
		}
		echo '<p class="description">' . esc_html__( 'Tickets of these priorities ignore working hours and holidays.', 'pet' ) . '</p>' . $e . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.

		echo '<tr><th scope="row">' . esc_html__( 'Targets (business minutes)', 'pet' ) . '</th><td><table class="widefat" id="pet-sla-targets" style="max-width:40em"><thead><tr><th>' . esc_html__( 'Priority', 'pet' ) . '</th><th>' . esc_html__( 'First response', 'pet' ) . '</th><th>' . esc_html__( 'Resolution', 'pet' ) . '</th></tr></thead><tbody>';
		foreach ( self::PRIORITIES as $p ) {
			$cells = '';
			foreach ( array( 'first_response_minutes', 'resolution_minutes' ) as $k ) {
				$fe     = $err( array( "spec.targets.$p.$k" ) );
				$cells .= '<td' . $cls( $fe ) . '><input type="text" inputmode="numeric" class="small-text" name="' . esc_attr( "targets[$p][$k]" ) . '" value="' . esc_attr( (string) $form['targets'][ $p ][ $k ] ) . '">' . $fe . '</td>';
			}
			$pe = $err( array( "spec.targets.$p" ), true );
			echo '<tr id="' . esc_attr( 'pet-target-' . $p ) . '"' . $cls( $pe ) . '><th>' . esc_html( $p ) . $pe . '</th>' . $cells . '</tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.
		}
		echo '</tbody></table>' . $err( array( 'spec.targets' ), true ) . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped HTML.
		echo '</table>';
		$rest = array_diff_key( $errors, $shown );
		if ( array() !== $rest ) {
			echo '<ul class="pet-field-errors" id="pet-sla-other-errors">';
			foreach ( $rest as $field => $msg ) {
				echo '<li><code>' . esc_html( (string) $field ) . '</code>: <span class="pet-field-error">' . esc_html( (string) $msg ) . '</span></li>';
			}
			echo '</ul>';
		}
		submit_button( '' === $id ? __( 'Create SLA definition', 'pet' ) : __( 'Publish new version', 'pet' ) );
		echo '</form>';
	}

	/**
	 * Test builds only (\Pet\Helpdesk::testClockAvailable()), administrators only: run the
	 * SLA job as if it were a given time. Production builds never render or accept this.
	 */
	private function test_clock_form(): void {
		if ( ! \Pet\Helpdesk::testClockAvailable() || ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="notice notice-info inline" id="pet-test-clock"><p><strong>' . esc_html__( 'Test build:', 'pet' ) . '</strong> ' . esc_html__( 'run the SLA job as if it were another time (this extension was built with the test clock; production builds have no such form).', 'pet' ) . '</p>';
		self::form_open( self::TEST_CLOCK_ACTION, array(), 'pet-run-sla-job-at' );
		echo '<p><label for="pet-sla-job-at">' . esc_html__( 'Run SLA job at (RFC 3339, UTC)', 'pet' ) . '</label> <input type="text" name="at" id="pet-sla-job-at" class="regular-text" placeholder="2030-01-07T12:00:00Z" required> ';
		submit_button( __( 'Run SLA job at…', 'pet' ), 'secondary', 'submit', false );
		echo '</p></form></div>';
	}
}
