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

use PetWp\Access;
use PetWp\Input;
use PetWp\Picker;
use PetWp\Input_Exception;
use PetWp\Module_Admin;
use PetWp\Notices;
use PetWp\Plugin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the support desk submenu pages and admin-post actions; renders the screens.
 */
final class Helpdesk_Admin extends Module_Admin {

	/** Screens and actions of the support area (see Module_Admin::cap()). */
	protected const AREA = 'support';

	/**
	 * Action => [capability, handler] (see Module_Admin::ACTIONS). Working tickets and
	 * SLA definitions need pet_manage_support (the area's pages, pet_view_support).
	 */
	protected const ACTIONS = array(
		'create_ticket'        => array( Access::MANAGE_SUPPORT, 'do_create_ticket' ),
		'reply_ticket'         => array( Access::MANAGE_SUPPORT, 'do_reply' ),
		'ticket_status'        => array( Access::MANAGE_SUPPORT, 'do_status' ),
		'reopen_ticket'        => array( Access::MANAGE_SUPPORT, 'do_reopen' ),
		'ticket_priority'      => array( Access::MANAGE_SUPPORT, 'do_priority' ),
		'assign_ticket'        => array( Access::MANAGE_SUPPORT, 'do_assign' ),
		'assign_ticket_sla'    => array( Access::MANAGE_SUPPORT, 'do_assign_sla' ),
		'link_ticket_article'  => array( Access::MANAGE_SUPPORT, 'do_link_article' ),
		'save_sla_definition'  => array( Plugin::CAP_MANAGE, 'do_save_sla' ),
	);

	/** Test builds only: runs the SLA job at a given time (see actions()). */
	public const TEST_CLOCK_ACTION = 'run_sla_job_at';

	/** Working-hour ranges offered per weekday in the editor. */
	private const RANGES_PER_DAY = 2;

	protected const HOME_PAGE    = 'pet-tickets';
	protected const SCREEN_CLASS = 'pet-helpdesk';
	/** A rejected SLA form is kept in the transient pet_sla_form_<user id>. */
	protected const KEPT_FORM = 'pet_sla_form';

	/** @var \Pet\Helpdesk|null */
	private $hd = null;

	/** @var array<string,list<string>>|null The engine's ticket option lists (see ticket_options()). */
	private $ticket_values = null;

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
	protected function pages(): array {
		return array(
			'pet-tickets' => array( __( 'Tickets', 'pet' ), Plugin::CAP_WORK, 'page_tickets' ),
			'pet-slas'    => array( __( 'SLA definitions', 'pet' ), Plugin::CAP_WORK, 'page_slas' ),
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
	 * The support desk CSS (SLA and status badges, conversation, SLA editor).
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
		self::enqueue_style( 'helpdesk' );
		self::enqueue_pickers();
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
		$input['customer_id'] = Picker::value( 'customer_id', 'customers' );
		$assignee             = Picker::value( 'assignee_id', 'employees' );
		if ( '' !== $assignee ) {
			$input['assignee_id'] = $assignee;
		}
		$sla = Picker::value( 'sla_definition_id', 'sla-definitions' );
		if ( '' !== $sla ) {
			$input['sla_definition_id'] = $sla;
		}
		$message = Input::long_text( 'message' );
		if ( '' !== trim( $message ) ) {
			$input['message'] = $message;
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

	/** Open, waiting on customer, back to open, resolve, close: the engine picks the command. */
	protected function do_status(): array {
		$t = $this->hd()->moveTicket( Input::text( 'id' ), Input::text( 'to' ), $this->ctx() );
		/* translators: %s: ticket status. */
		return array( sprintf( __( 'Ticket is now %s.', 'pet' ), self::label( 'status', (string) $t['status'] ) ) );
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
		return array( sprintf( __( 'Priority is now %s.', 'pet' ), self::label( 'priority', (string) $t['priority'] ) ) );
	}

	/** Assigns (or with the empty choice unassigns). */
	protected function do_assign(): array {
		$assignee = Picker::value( 'assignee_id', 'employees' );
		$t        = $this->hd()->assignTicket( Input::text( 'id' ), '' === $assignee ? null : $assignee, $this->ctx() );
		if ( null === $t['assignee_id'] ) {
			return array( __( 'Ticket unassigned.', 'pet' ) );
		}
		/* translators: %s: employee name. */
		return array( sprintf( __( 'Ticket assigned to %s.', 'pet' ), (string) $t['assignee_name'] ) );
	}

	/** Pins the ticket to an SLA definition's version in force. */
	protected function do_assign_sla(): array {
		$t = $this->hd()->assignTicketSla( Input::text( 'id' ), Picker::value( 'sla_definition_id', 'sla-definitions' ), $this->ctx() );
		/* translators: 1: SLA name, 2: version number. */
		return array( sprintf( __( 'Ticket is under SLA %1$s version %2$d.', 'pet' ), (string) $t['sla']['definition_name'], (int) $t['sla']['definition_version'] ) );
	}

	/** Links a knowledge article to the ticket. */
	protected function do_link_article(): array {
		$a = $this->plugin->knowledge()->linkArticleToTicket( Picker::value( 'article_id', 'articles' ), Input::text( 'id' ), $this->ctx() );
		/* translators: %s: article title. */
		return array( sprintf( __( 'Article “%s” linked.', 'pet' ), (string) $a['title'] ) );
	}

	/**
	 * Creates a definition (version 1) or publishes its next version from the editor. On
	 * failure the form's input and the field errors are kept for the editor to show.
	 */
	protected function do_save_sla(): array {
		$id      = Input::text( 'id' );
		$options = $this->hd()->slaOptions();
		$form    = self::posted_form( $options );
		try {
			$spec = self::spec_from_form( $form, $options );
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

	/**
	 * The editor's posted values, as the editor renders them.
	 *
	 * @param array $options The engine's SLA options (priorities, weekdays, pause_statuses).
	 */
	private static function posted_form( array $options ): array {
		$hours = Input::posted_array( 'hours' );
		$tgt   = Input::posted_array( 'targets' );
		$form  = array(
			'name'            => Input::text( 'name' ),
			'timezone'        => Input::text( 'timezone' ),
			'hours'           => array(),
			'holidays'        => Input::long_text( 'holidays' ),
			'pause_statuses'  => array_values( array_intersect( $options['pause_statuses'], (array) ( Input::posted_array( 'pause_statuses' ) ) ) ),
			'warning_percent' => Input::text( 'warning_percent' ),
			'always_on'       => array_values( array_intersect( $options['priorities'], (array) ( Input::posted_array( 'always_on' ) ) ) ),
			'targets'         => array(),
		);
		foreach ( $options['weekdays'] as $day ) {
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
		foreach ( $options['priorities'] as $p ) {
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
	 * @param array|null $spec    Spec.
	 * @param string     $name    Definition name.
	 * @param array      $options The engine's SLA options (priorities, weekdays, pause_statuses).
	 */
	private static function form_from_spec( ?array $spec, string $name, array $options ): array {
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
		foreach ( $options['weekdays'] as $day ) {
			$form['hours'][ $day ] = array_values( (array) ( $spec['calendar']['working_hours'][ $day ] ?? array() ) );
		}
		foreach ( $options['priorities'] as $p ) {
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
	 * @param array $form    Editor values.
	 * @param array $options The engine's SLA options (priorities, weekdays, pause_statuses).
	 * @throws Input_Exception When a number field holds something that is not a whole number.
	 */
	private static function spec_from_form( array $form, array $options ): array {
		$errors = array();
		$int    = static function ( string $v, string $field ) use ( &$errors ) {
			if ( ! preg_match( '/^-?\d{1,9}$/', $v ) ) {
				$errors[ $field ] = __( 'must be a whole number', 'pet' );
				return 0;
			}
			return (int) $v;
		};
		$hours = array();
		foreach ( $options['weekdays'] as $day ) {
			if ( array() !== $form['hours'][ $day ] ) {
				$hours[ $day ] = $form['hours'][ $day ]; // Blank ranges were left out by posted_form().
			}
		}
		$targets = array();
		foreach ( $options['priorities'] as $p ) {
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
	 * The label of a ticket field's value (which values exist is the engine's:
	 * ticket_options()). Unknown values are shown as their words.
	 *
	 * @param string $field priority, status, sla_state or channel.
	 * @param string $value Value.
	 */
	public static function label( string $field, string $value ): string {
		$labels = array(
			'priority' => array(
				'low'    => __( 'low', 'pet' ),
				'normal' => __( 'normal', 'pet' ),
				'high'   => __( 'high', 'pet' ),
				'urgent' => __( 'urgent', 'pet' ),
			),
			'status'   => array(
				'new'                 => __( 'new', 'pet' ),
				'open'                => __( 'open', 'pet' ),
				'waiting_on_customer' => __( 'waiting on customer', 'pet' ),
				'resolved'            => __( 'resolved', 'pet' ),
				'closed'              => __( 'closed', 'pet' ),
			),
			'sla_state' => array(
				'running'  => __( 'running', 'pet' ),
				'warning'  => __( 'warning', 'pet' ),
				'breached' => __( 'breached', 'pet' ),
				'paused'   => __( 'paused', 'pet' ),
				'met'      => __( 'met', 'pet' ),
			),
			'channel'  => array(
				'email'  => __( 'email', 'pet' ),
				'phone'  => __( 'phone', 'pet' ),
				'portal' => __( 'portal', 'pet' ),
				'chat'   => __( 'chat', 'pet' ),
				'other'  => __( 'other', 'pet' ),
			),
		);
		return $labels[ $field ][ $value ] ?? str_replace( '_', ' ', $value );
	}

	/**
	 * The options of a ticket field: the engine's values (\Pet\Helpdesk::ticketOptions(), in
	 * its order) with their labels.
	 *
	 * @param string               $field priority, status or channel.
	 * @param array<string,string> $first Leading options.
	 */
	private function ticket_options( string $field, array $first = array() ): array {
		if ( null === $this->ticket_values ) {
			$this->ticket_values = $this->hd()->ticketOptions();
		}
		$out = $first;
		foreach ( (array) ( $this->ticket_values[ $field ] ?? array() ) as $v ) {
			$out[ (string) $v ] = self::label( $field, (string) $v );
		}
		return $out;
	}

	/**
	 * The SLA editor's data: the form (kept input after a failure, else the spec), its field
	 * errors, the time zones to offer (PHP's list; the engine checks the zone) and the
	 * engine's SLA options (priorities, weekdays, pausing statuses).
	 *
	 * @param string     $id   Definition id ('' = new).
	 * @param array|null $spec Current spec.
	 * @param string     $name Definition name.
	 */
	private function editor_data( string $id, ?array $spec, string $name ): array {
		$options = $this->hd()->slaOptions();
		$form    = self::form_from_spec( $spec, $name, $options );
		$errors  = array();
		$kept    = $this->kept_form( 'save_sla_definition:' . $id );
		if ( null !== $kept ) {
			$form   = $kept['values'];
			$errors = $kept['fields'];
		}
		$zones = \DateTimeZone::listIdentifiers();
		$tz    = (string) $form['timezone'];
		if ( '' !== $tz && ! in_array( $tz, $zones, true ) ) {
			array_unshift( $zones, $tz ); // Keep the user's (invalid) input so the error makes sense.
		}
		return array(
			'id'             => $id,
			'form'           => $form,
			'errors'         => $errors,
			'zones'          => array_combine( $zones, $zones ),
			'ranges_per_day' => self::RANGES_PER_DAY,
			'options'        => $options,
		);
	}

	/** Whether the test-clock form is shown (test builds, administrators). */
	private static function test_clock(): bool {
		return \Pet\Helpdesk::testClockAvailable() && current_user_can( 'manage_options' );
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
				$keep = array();
				foreach ( array( 'orderby', 'order' ) as $k ) {
					if ( '' !== Input::text( $k ) ) {
						$keep[ $k ] = Input::text( $k );
					}
				}
				$data = array(
					'table'     => $table,
					'filters'   => Tickets_Table::filters(),
					'keep'      => $keep,
					'statuses'  => $this->ticket_options(
						'status',
						array(
							''       => __( 'All statuses', 'pet' ),
							'active' => __( 'Active (not resolved or closed)', 'pet' ),
						)
					),
					'priorities' => $this->ticket_options( 'priority' ),
					'sla_states' => $this->ticket_options( 'sla_state', array( '' => __( 'Any SLA state', 'pet' ) ) ) + array( 'none' => __( 'no SLA', 'pet' ) ),
					'new_ticket' => current_user_can( Access::MANAGE_SUPPORT ),
				);
				if ( $data['new_ticket'] ) {
					$data['channels'] = $this->ticket_options( 'channel' );
				}
				self::view( 'helpdesk/tickets', $data );
			}
		);
	}

	/**
	 * One ticket: facts, SLA clock, conversation and reply form, actions, timeline, articles.
	 *
	 * @param string $id Ticket id.
	 */
	private function ticket_detail( string $id ): void {
		$t    = $this->hd()->getTicket( $id );
		$can  = current_user_can( Access::MANAGE_SUPPORT );
		$data = array(
			'ticket'       => $t,
			'sla'          => is_array( $t['sla'] ?? null ) ? $t['sla'] : null,
			'can'          => $can,
			'activity_url' => Table::page_url(
				'pet-activity',
				array(
					'context_type' => 'ticket',
					'context_id'   => $id,
				)
			),
			'timeline'     => array(),
			// The knowledge area's section only for those who may see that area (issue 13).
			'knowledge'    => current_user_can( Access::VIEW_KNOWLEDGE ),
			'articles'     => array(),
		);
		foreach ( $t['timeline'] as $e ) {
			$words = self::timeline_words( $e );
			if ( ! empty( $e['by_contact_id'] ) ) {
				/* translators: 1: what happened, 2: the customer contact's name */
				$words = sprintf( __( '%1$s — by %2$s (customer)', 'pet' ), $words, (string) ( $e['by_contact_name'] ?? __( 'a customer contact', 'pet' ) ) );
			}
			$data['timeline'][] = array(
				'kind'  => (string) $e['kind'],
				'at'    => $e['at'],
				'words' => $words,
			);
		}
		foreach ( $data['knowledge'] ? $t['linked_articles'] : array() as $a ) {
			$data['articles'][] = array(
				'url'       => add_query_arg(
					array(
						'page' => 'pet-kb-article',
						'id'   => (string) $a['id'],
					),
					admin_url( 'admin.php' )
				),
				'title'     => (string) $a['title'],
				'linked_at' => $a['linked_at'],
			);
		}
		if ( $can && array() !== (array) ( $t['actions'] ?? array() ) ) {
			$data['actions'] = $this->actions_data( $t );
		}
		self::view( 'helpdesk/ticket', $data );
	}

	/**
	 * A timeline entry in words.
	 *
	 * @param array $e Entry.
	 */
	private static function timeline_words( array $e ): string {
		switch ( $e['kind'] ) {
			case 'created':
				$status = self::label( 'status', (string) ( $e['status'] ?? 'new' ) );
				/* translators: 1: status, 2: priority. */
				return sprintf( __( 'created (%1$s, %2$s priority)', 'pet' ), $status, self::label( 'priority', (string) ( $e['priority'] ?? '' ) ) );
			case 'status':
				/* translators: %s: status. */
				return sprintf( __( 'status → %s', 'pet' ), self::label( 'status', (string) ( $e['to'] ?? '' ) ) );
			case 'priority':
				/* translators: %s: priority. */
				return sprintf( __( 'priority → %s', 'pet' ), self::label( 'priority', (string) ( $e['to'] ?? '' ) ) );
			case 'first_response':
				return __( 'first response to the customer', 'pet' );
			default:
				return str_replace( '_', ' ', (string) $e['kind'] ) . ( isset( $e['to'] ) ? ' → ' . (string) $e['to'] : '' );
		}
	}

	/**
	 * The status moves (which exist is the engine's next_statuses; the labels and button
	 * styles are the screen's) and the priority, assignee and SLA choices of an open ticket.
	 *
	 * @param array $t Ticket.
	 */
	private function actions_data( array $t ): array {
		$back   = 'waiting_on_customer' === (string) $t['status'];
		$labels = array(
			'open'                => array( $back ? __( 'Back to open (customer answered)', 'pet' ) : __( 'Open', 'pet' ), 'secondary' ),
			'waiting_on_customer' => array( __( 'Waiting on customer', 'pet' ), 'secondary' ),
			'resolved'            => array( __( 'Resolve', 'pet' ), 'primary' ),
			'closed'              => array( __( 'Close', 'pet' ), 'secondary' ),
		);
		$moves  = array();
		foreach ( (array) ( $t['next_statuses'] ?? array() ) as $next ) {
			$next           = (string) $next;
			$moves[ $next ] = array(
				'label' => $labels[ $next ][0] ?? self::label( 'status', $next ),
				'style' => $labels[ $next ][1] ?? 'secondary',
			);
		}
		$data = array( 'moves' => $moves );
		if ( View::allows( $t, 'change_priority' ) ) {
			$data['priorities'] = $this->ticket_options( 'priority' );
			$data['sla_picker'] = null === $t['sla'];
		}
		return $data;
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
				$manage = current_user_can( Access::MANAGE_SUPPORT );
				self::view(
					'helpdesk/slas',
					array(
						'table'      => $table,
						'editor'     => $manage ? $this->editor_data( '', null, '' ) : null,
						'test_clock' => self::test_clock(),
					)
				);
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
		self::view(
			'helpdesk/sla',
			array(
				'definition'   => $d,
				'editor'       => current_user_can( Access::MANAGE_SUPPORT ) && View::allows( $d, 'publish' ) ? $this->editor_data( $id, $d['spec'], (string) $d['name'] ) : null,
				'options'      => $this->hd()->slaOptions(),
				'activity_url' => Table::page_url(
					'pet-activity',
					array(
						'context_type' => 'sla_definition',
						'context_id'   => $id,
					)
				),
				'test_clock'   => self::test_clock(),
			)
		);
	}
}
