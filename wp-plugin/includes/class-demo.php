<?php
/**
 * The small demo organisation loaded by scripts/run (once): employees with rates, a team
 * hierarchy with members, a customer with a contact, and a published org structure; then
 * (once, also on sites that got the organisation from an earlier version) the modules' demo:
 * a lead schema with leads, an opportunity with a draft quote, an SLA definition with
 * tickets, and published knowledge articles; then (once) the delivery demo: an accepted quote
 * whose sale made a project, with a change order, milestones, tasks, capacities, allocations
 * (one past capacity), a linked ticket and two weeks of time (approved, sent back, waiting
 * for approval, a draft); then (once) the KPI demo: six more weeks of approved time with
 * capacities, a ticket answered, resolved and reopened, the headline KPI definitions, and
 * one run of the KPI job so the dashboard is populated. Every command goes through the
 * engine with a fixed idempotency key, so a re-run after a partial failure converges.
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * Demo data loader.
 */
final class Demo {

	/** Option set once the demo organisation is loaded. */
	public const OPTION = 'pet_demo_loaded';

	/** Option set once the modules' demo (sales, helpdesk, knowledge) is loaded. */
	public const MODULES_OPTION = 'pet_demo_modules_loaded';

	/** Option set once the delivery demo (project, time, allocations) is loaded. */
	public const DELIVERY_OPTION = 'pet_demo_delivery_loaded';

	/** Option set once the KPI demo (time history, definitions, a job run) is loaded. */
	public const KPI_OPTION = 'pet_demo_kpi_loaded';

	/**
	 * Loads the demo unless it was loaded before. The actor is the current user's employee.
	 *
	 * @throws \Throwable When a command fails.
	 * @return bool true when loaded now, false when already present.
	 */
	public static function load(): bool {
		$organisation = self::load_organisation();
		$modules      = self::load_modules();
		$delivery     = self::load_delivery();
		$portal       = \PetWp\Modules\Portal\Portal_Demo::load();
		$kpi          = self::load_kpi();
		return $organisation || $modules || $delivery || $portal || $kpi;
	}

	/**
	 * The organisation part of the demo.
	 *
	 * @throws \Throwable When a command fails.
	 */
	private static function load_organisation(): bool {
		if ( get_option( self::OPTION ) ) {
			return false;
		}
		$plugin   = Plugin::instance();
		$identity = $plugin->identity();
		$ctx      = static function ( string $key ) use ( $plugin ): array {
			return $plugin->context( 'pet-demo-' . $key );
		};
		$from     = '2025-01-01';
		$rate     = static fn ( int $euros ) => array(
			'amount'         => (string) $euros,
			'currency'       => 'EUR',
			'effective_from' => $from,
		);
		$people   = array(
			'ada'   => array( 'Ada Lovelace', 'ada@example.com', 70, 140 ),
			'grace' => array( 'Grace Hopper', 'grace@example.com', 65, 130 ),
			'alan'  => array( 'Alan Turing', 'alan@example.com', 60, 120 ),
			'linus' => array( 'Linus Pauling', 'linus@example.com', 45, 95 ),
		);
		$ids      = array();
		foreach ( $people as $key => $p ) {
			$e           = $identity->createEmployee(
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
		$delivery = $identity->createTeam( array( 'name' => 'Delivery' ), $ctx( 'team-delivery' ) );
		$platform = $identity->createTeam(
			array(
				'name'      => 'Platform',
				'parent_id' => $delivery['id'],
			),
			$ctx( 'team-platform' )
		);
		$design   = $identity->createTeam(
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
			$identity->addTeamMember(
				(string) $m[0]['id'],
				array(
					'employee_id' => $ids[ $m[1] ],
					'role'        => $m[2],
					'valid_from'  => $from,
				),
				$ctx( 'member-' . $m[1] . '-' . $m[0]['name'] )
			);
		}
		$acme = $identity->createCustomer( array( 'name' => 'Acme Ltd' ), $ctx( 'customer-acme' ) );
		$identity->addContact(
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
		$identity->publishOrgStructure(
			array(
				'effective_at' => $at,
				'note'         => 'Demo organisation',
			),
			$ctx( 'org-1' )
		);
		update_option( self::OPTION, gmdate( 'c' ), false );
		return true;
	}
	/**
	 * The modules' part of the demo: leads, an opportunity with a draft quote, an SLA
	 * definition with two tickets, and two published articles. Uses the demo customer.
	 *
	 * @throws \Throwable When a command fails.
	 */
	private static function load_modules(): bool {
		if ( get_option( self::MODULES_OPTION ) || ! class_exists( 'Pet\\Sales' ) || ! class_exists( 'Pet\\Helpdesk' ) ) {
			return false;
		}
		$plugin    = Plugin::instance();
		$identity  = $plugin->identity();
		$sales     = new \Pet\Sales( Plugin::engine_settings() );
		$helpdesk  = new \Pet\Helpdesk( Plugin::engine_settings() );
		$knowledge = $plugin->knowledge();
		$ctx       = static function ( string $key ) use ( $plugin ): array {
			return $plugin->context( 'pet-demo-' . $key );
		};
		$acme      = $identity->listCustomers( array( 'search' => 'Acme Ltd' ) )['items'][0] ?? null;
		if ( null === $acme ) {
			$acme = $identity->createCustomer( array( 'name' => 'Acme Ltd' ), $ctx( 'customer-acme' ) );
		}
		$eur = static fn ( int $euros ): array => array(
			'amount'       => (string) $euros,
			'currency'     => 'EUR',
		);

		// Sales: a lead schema, a lead from an existing customer, a qualified lead for a new
		// company with an opportunity and a draft quote.
		$sales->publishLeadSchema(
			array(
				'fields' => array(
					array( 'key' => 'employees', 'label' => 'Employees', 'type' => 'number', 'required' => true ),
					array( 'key' => 'industry', 'label' => 'Industry', 'type' => 'select', 'options' => array( 'Retail', 'Finance', 'Public sector' ) ),
					array( 'key' => 'newsletter', 'label' => 'Newsletter', 'type' => 'bool' ),
				),
			),
			$ctx( 'lead-schema-1' )
		);
		$sales->createLead(
			array(
				'customer_id'   => $acme['id'],
				'source'        => 'referral',
				'custom_fields' => array( 'employees' => 120, 'industry' => 'Retail' ),
			),
			$ctx( 'lead-acme' )
		);
		$lead = $sales->createLead(
			array(
				'customer_name' => 'Globex Corporation',
				'source'        => 'website',
				'custom_fields' => array( 'employees' => 45, 'industry' => 'Finance', 'newsletter' => true ),
			),
			$ctx( 'lead-globex' )
		);
		$sales->contactLead( (string) $lead['id'], array( 'note' => 'Intro call with the CTO' ), $ctx( 'lead-globex-contact' ) );
		$sales->qualifyLead(
			(string) $lead['id'],
			array(
				'need'   => 'Customer portal relaunch',
				'budget' => $eur( 30000 ),
			),
			$ctx( 'lead-globex-qualify' )
		);
		$opp   = $sales->createOpportunity(
			array(
				'lead_id'        => $lead['id'],
				'title'          => 'Customer portal relaunch',
				'expected_value' => $eur( 28000 ),
				'expected_close' => gmdate( 'Y-m-d', time() + 60 * DAY_IN_SECONDS ),
			),
			$ctx( 'opportunity-globex' )
		);
		$quote = $sales->createQuote( array( 'opportunity_id' => $opp['id'] ), $ctx( 'quote-globex' ) );
		$sales->saveQuoteDraft(
			(string) $quote['id'],
			array(
				'groups' => array(
					array(
						'title' => 'Build',
						'lines' => array(
							array( 'kind' => 'labour', 'role' => 'Developer', 'description' => 'Portal development', 'quantity' => 120 * 60, 'unit_price' => '120.00', 'tax_rate_bp' => 2000 ),
							array( 'kind' => 'fixed_fee', 'description' => 'Discovery workshop', 'quantity' => 1, 'unit_price' => '2500.00', 'tax_rate_bp' => 2000 ),
						),
					),
					array(
						'title'    => 'Care plan',
						'optional' => true,
						'lines'    => array(
							array( 'kind' => 'recurring', 'interval' => 'monthly', 'description' => 'Hosting and updates', 'quantity' => 1, 'unit_price' => '199.00', 'tax_rate_bp' => 2000 ),
						),
					),
				),
			),
			$ctx( 'quote-globex-draft' )
		);

		// Helpdesk: business hours in London, a 24/7 urgent priority, two tickets.
		$day = array( array( 'start' => '09:00', 'end' => '17:30' ) );
		$sla = $helpdesk->createSlaDefinition(
			array(
				'name' => 'Standard support',
				'spec' => array(
					'calendar'        => array(
						'timezone'      => 'Europe/London',
						'working_hours' => array( 'mon' => $day, 'tue' => $day, 'wed' => $day, 'thu' => $day, 'fri' => $day ),
						'holidays'      => array( gmdate( 'Y' ) . '-12-25', gmdate( 'Y' ) . '-12-26' ),
					),
					'targets'         => array(
						'low'    => array( 'first_response_minutes' => 480, 'resolution_minutes' => 2400 ),
						'normal' => array( 'first_response_minutes' => 120, 'resolution_minutes' => 960 ),
						'high'   => array( 'first_response_minutes' => 60, 'resolution_minutes' => 480 ),
						'urgent' => array( 'first_response_minutes' => 15, 'resolution_minutes' => 240 ),
					),
					'pause_statuses'  => array( 'waiting_on_customer' ),
					'warning_percent' => 80,
					'always_on'       => array( 'urgent' ),
				),
			),
			$ctx( 'sla-standard' )
		);
		$ticket = $helpdesk->createTicket(
			array(
				'customer_id'       => $acme['id'],
				'subject'           => 'Invoices page times out',
				'priority'          => 'high',
				'channel'           => 'email',
				'sla_definition_id' => $sla['id'],
			),
			$ctx( 'ticket-invoices' )
		);
		$helpdesk->replyToTicket(
			(string) $ticket['id'],
			array(
				'body'       => "Thanks for the report. We are looking into it.\nCould you tell us which date range you selected?",
				'visibility' => 'public',
			),
			$ctx( 'ticket-invoices-reply' )
		);
		$helpdesk->changeTicketStatus( (string) $ticket['id'], 'open', $ctx( 'ticket-invoices-open' ) );
		$helpdesk->changeTicketStatus( (string) $ticket['id'], 'waiting_on_customer', $ctx( 'ticket-invoices-wait' ) );
		$helpdesk->createTicket(
			array(
				'customer_id'       => $acme['id'],
				'subject'           => 'Add a second admin user',
				'priority'          => 'low',
				'channel'           => 'portal',
				'sla_definition_id' => $sla['id'],
			),
			$ctx( 'ticket-admin-user' )
		);

		// Knowledge: two published articles, one linked to the ticket.
		$article = $knowledge->createArticle(
			array(
				'category' => 'Billing',
				'slug'     => 'invoices-page-times-out',
				'title'    => 'The invoices page times out',
				'body'     => "Large date ranges make the invoices page slow.\n\nNarrow the range to one quarter, or export the report instead (Reports → Export).",
				'publish'  => true,
			),
			$ctx( 'article-invoices' )
		);
		$knowledge->linkArticleToTicket( (string) $article['id'], (string) $ticket['id'], $ctx( 'article-invoices-link' ) );
		$knowledge->createArticle(
			array(
				'category' => 'Access',
				'slug'     => 'add-an-admin-user',
				'title'    => 'Add an admin user',
				'body'     => "Open Settings → Users, choose Invite, and tick Administrator.\n\nThe invitation link is valid for seven days.",
				'publish'  => true,
			),
			$ctx( 'article-admin-user' )
		);
		update_option( self::MODULES_OPTION, gmdate( 'c' ), false );
		return true;
	}

	/**
	 * The delivery demo: Acme accepts a quote for a portal build (Developer and Designer
	 * time); its sale makes the project, which is activated and gets a change order, two
	 * milestones (one done), three tasks in each status, capacities, two allocations (Linus
	 * past his 24 h week, so the planner warns), a linked ticket, and two weeks of time: the
	 * week before last and last week approved (past 80 % of sold), one entry sent back with
	 * a reason, one waiting for approval, and a draft of the current user's today.
	 *
	 * @throws \Throwable When a command fails.
	 */
	private static function load_delivery(): bool {
		if ( get_option( self::DELIVERY_OPTION ) || ! class_exists( 'Pet\\Delivery' ) || ! class_exists( 'Pet\\Sales' ) ) {
			return false;
		}
		$plugin   = Plugin::instance();
		$identity = $plugin->identity();
		$sales    = new \Pet\Sales( Plugin::engine_settings() );
		$helpdesk = new \Pet\Helpdesk( Plugin::engine_settings() );
		$delivery = $plugin->delivery();
		$ctx      = static function ( string $key ) use ( $plugin ): array {
			return $plugin->context( 'pet-demo-' . $key );
		};
		// The same dates on a re-run (the idempotency keys must see the same input).
		$anchor = get_option( 'pet_demo_delivery_today' );
		if ( ! is_string( $anchor ) || ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', $anchor ) ) {
			$anchor = Input::today();
			update_option( 'pet_demo_delivery_today', $anchor, false );
		}
		$today  = new \DateTimeImmutable( $anchor );
		$monday = $today->modify( '-' . ( (int) $today->format( 'N' ) - 1 ) . ' days' );
		$day    = static fn ( int $weeks_back, int $weekday ): string => $monday->modify( sprintf( '-%d days', 7 * $weeks_back - $weekday ) )->format( 'Y-m-d' );
		$acme   = $identity->listCustomers( array( 'search' => 'Acme Ltd' ) )['items'][0] ?? null;
		if ( null === $acme ) {
			$acme = $identity->createCustomer( array( 'name' => 'Acme Ltd' ), $ctx( 'customer-acme' ) );
		}
		$people = array();
		foreach ( array( 'ada' => 'ada@example.com', 'grace' => 'grace@example.com', 'alan' => 'alan@example.com', 'linus' => 'linus@example.com' ) as $key => $email ) {
			$found = $identity->listEmployees( array( 'search' => $email ) )['items'][0] ?? null;
			if ( null === $found ) {
				return false; // Not the demo organisation: no delivery demo.
			}
			$people[ $key ] = (string) $found['id'];
		}

		// Sales: Acme's lead, qualified, an opportunity, a quote sent and accepted: the sale.
		$lead = $sales->createLead(
			array(
				'customer_id'   => $acme['id'],
				'source'        => 'existing customer',
				'custom_fields' => array( 'employees' => 120, 'industry' => 'Retail' ),
			),
			$ctx( 'lead-acme-portal' )
		);
		$sales->contactLead( (string) $lead['id'], array( 'note' => 'Call about the self-service portal' ), $ctx( 'lead-acme-portal-contact' ) );
		$sales->qualifyLead(
			(string) $lead['id'],
			array(
				'need'   => 'Self-service portal',
				'budget' => array(
					'amount'   => '6000',
					'currency' => 'EUR',
				),
			),
			$ctx( 'lead-acme-portal-qualify' )
		);
		$opp   = $sales->createOpportunity(
			array(
				'lead_id'        => $lead['id'],
				'title'          => 'Acme self-service portal',
				'expected_value' => array(
					'amount'   => '5200',
					'currency' => 'EUR',
				),
				'expected_close' => $today->modify( '+14 days' )->format( 'Y-m-d' ),
			),
			$ctx( 'opportunity-acme-portal' )
		);
		$quote = $sales->createQuote( array( 'opportunity_id' => $opp['id'] ), $ctx( 'quote-acme-portal' ) );
		$sales->saveQuoteDraft(
			(string) $quote['id'],
			array(
				'groups' => array(
					array(
						'title' => 'Portal',
						'lines' => array(
							array( 'kind' => 'labour', 'role' => 'Developer', 'description' => 'Portal build', 'quantity' => 30 * 60, 'unit_price' => '120.00', 'tax_rate_bp' => 2000 ),
							array( 'kind' => 'labour', 'role' => 'Designer', 'description' => 'Portal design', 'quantity' => 8 * 60, 'unit_price' => '95.00', 'tax_rate_bp' => 2000 ),
						),
					),
				),
			),
			$ctx( 'quote-acme-portal-draft' )
		);
		$sales->sendQuote( (string) $quote['id'], array( 'valid_until' => $today->modify( '+30 days' )->format( 'Y-m-d' ) ), $ctx( 'quote-acme-portal-send' ) );
		$accepted = $sales->acceptQuote( (string) $quote['id'], array( 'version' => 1 ), $ctx( 'quote-acme-portal-accept' ) );
		$pid      = (string) $accepted['project_id'];

		// The project: active, a change order, milestones and tasks.
		$delivery->changeProjectStatus( $pid, 'active', $ctx( 'project-portal-active' ) );
		$delivery->recordChangeOrder(
			$pid,
			array(
				'reason'       => 'Extra reporting page',
				'labour_delta' => array(
					array(
						'role'    => 'Developer',
						'minutes' => 4 * 60,
					),
				),
			),
			$ctx( 'project-portal-change-order' )
		);
		$p      = $delivery->addMilestone(
			$pid,
			array(
				'title' => 'Design signed off',
				'due'   => $day( 1, 4 ),
			),
			$ctx( 'project-portal-milestone-design' )
		);
		$design = (string) end( $p['milestones'] )['id'];
		$p      = $delivery->addMilestone(
			$pid,
			array(
				'title' => 'Portal live',
				'due'   => $today->modify( '+28 days' )->format( 'Y-m-d' ),
			),
			$ctx( 'project-portal-milestone-live' )
		);
		$live   = (string) end( $p['milestones'] )['id'];
		$tasks  = array();
		foreach (
			array(
				'wireframes' => array( 'Wireframes', 6 * 60, 'linus', $design ),
				'api'        => array( 'Build the account API', 20 * 60, 'ada', $live ),
				'load'       => array( 'Load testing', 4 * 60, 'alan', $live ),
			) as $key => $t
		) {
			$p             = $delivery->addTask(
				$pid,
				array(
					'title'            => $t[0],
					'estimate_minutes' => $t[1],
					'assignee_id'      => $people[ $t[2] ],
					'milestone_id'     => $t[3],
				),
				$ctx( 'project-portal-task-' . $key )
			);
			$tasks[ $key ] = (string) end( $p['tasks'] )['id'];
		}
		$delivery->moveTask( $pid, $tasks['wireframes'], 'in_progress', $ctx( 'project-portal-wireframes-start' ) );
		$delivery->moveTask( $pid, $tasks['wireframes'], 'done', $ctx( 'project-portal-wireframes-done' ) );
		$delivery->moveTask( $pid, $tasks['api'], 'in_progress', $ctx( 'project-portal-api-start' ) );
		$delivery->completeMilestone( $pid, $design, $ctx( 'project-portal-design-done' ) );

		// Capacity and allocations: Linus works 24 h a week and is allocated 30 h (warned).
		$from = $monday->modify( '-14 days' )->format( 'Y-m-d' );
		$delivery->setCapacity(
			array(
				'employee_id'      => $people['linus'],
				'effective_from'   => $from,
				'minutes_per_week' => 24 * 60,
			),
			$ctx( 'capacity-linus' )
		);
		$delivery->setCapacity(
			array(
				'employee_id'      => $people['ada'],
				'effective_from'   => $from,
				'minutes_per_week' => 40 * 60,
			),
			$ctx( 'capacity-ada' )
		);
		foreach ( array( 'ada' => 20, 'linus' => 30 ) as $key => $hours ) {
			$delivery->allocate(
				array(
					'employee_id'      => $people[ $key ],
					'project_id'       => $pid,
					'starts_on'        => $monday->format( 'Y-m-d' ),
					'ends_on'          => $monday->modify( '+27 days' )->format( 'Y-m-d' ),
					'minutes_per_week' => $hours * 60,
				),
				$ctx( 'allocation-' . $key )
			);
		}

		// A ticket about the project.
		$helpdesk->createTicket(
			array(
				'customer_id' => $acme['id'],
				'project_id'  => $pid,
				'subject'     => 'Portal login fails on Safari',
				'priority'    => 'normal',
				'channel'     => 'email',
			),
			$ctx( 'ticket-portal-safari' )
		);

		// Two weeks of time: Ada's Developer days and Linus's design approved; Grace's entry
		// sent back; Alan's waiting for approval; the current user's draft today.
		$entries = array();
		foreach ( array( 2, 1 ) as $back ) {
			for ( $wd = 0; $wd < 5; $wd++ ) {
				$entries[ "ada-$back-$wd" ] = array( 'ada', 'Developer', $day( $back, $wd ), 3 * 60, 'Account API', 'approved' );
			}
		}
		$entries['linus-1'] = array( 'linus', 'Designer', $day( 2, 1 ), 4 * 60, 'Wireframes', 'approved' );
		$entries['linus-2'] = array( 'linus', 'Designer', $day( 1, 1 ), 2 * 60, 'Wireframes review', 'approved' );
		$entries['grace']   = array( 'grace', 'Developer', $day( 1, 3 ), 5 * 60, 'Portal work', 'sent_back' );
		$entries['alan']    = array( 'alan', 'Developer', $day( 1, 4 ), 4 * 60, 'Load test plan', 'submitted' );
		foreach ( $entries as $key => $e ) {
			$entry = $delivery->logTime(
				array(
					'employee_id' => $people[ $e[0] ],
					'project_id'  => $pid,
					'role'        => $e[1],
					'work_date'   => $e[2],
					'minutes'     => $e[3],
					'note'        => $e[4],
				),
				$ctx( 'time-' . $key )
			);
			$id    = (string) $entry['id'];
			$delivery->submitTimeEntry( $id, $ctx( 'time-' . $key . '-submit' ) );
			if ( 'approved' === $e[5] ) {
				$delivery->approveTimeEntry( $id, $ctx( 'time-' . $key . '-approve' ) );
			} elseif ( 'sent_back' === $e[5] ) {
				$delivery->sendBackTimeEntry( $id, 'Please book this on the Build the account API task', $ctx( 'time-' . $key . '-send-back' ) );
			}
		}
		$delivery->logTime(
			array(
				'project_id' => $pid,
				'role'       => 'Developer',
				'work_date'  => $today->format( 'Y-m-d' ),
				'minutes'    => 60,
				'note'       => 'Kick-off notes',
			),
			$ctx( 'time-today-draft' )
		);
		update_option( self::DELIVERY_OPTION, gmdate( 'c' ), false );
		return true;
	}

	/**
	 * The KPI part of the demo: capacities from eight weeks back and six more weeks of
	 * approved time (on the demo's second ticket, so the project's figures stay as the
	 * delivery demo made them), that ticket answered, resolved and reopened, the headline
	 * KPI definitions (org-wide, one team's, the portal project's), then one KPI job run,
	 * which backfills every definition. Needs the delivery demo's people.
	 *
	 * @throws \Throwable When a command fails.
	 */
	private static function load_kpi(): bool {
		if ( get_option( self::KPI_OPTION ) || ! get_option( self::DELIVERY_OPTION ) || ! class_exists( 'Pet\\Kpi' ) || ! class_exists( 'Pet\\Delivery' ) ) {
			return false;
		}
		$plugin   = Plugin::instance();
		$identity = $plugin->identity();
		$helpdesk = new \Pet\Helpdesk( Plugin::engine_settings() );
		$delivery = $plugin->delivery();
		$kpi      = new \Pet\Kpi( Plugin::engine_settings() );
		$ctx      = static function ( string $key ) use ( $plugin ): array {
			return $plugin->context( 'pet-demo-' . $key );
		};
		// The delivery demo's day, so a re-run gives the same inputs to the same keys.
		$anchor = get_option( 'pet_demo_delivery_today' );
		if ( ! is_string( $anchor ) || ! preg_match( '/^\d{4}-\d{2}-\d{2}$/', $anchor ) ) {
			return false;
		}
		$today  = new \DateTimeImmutable( $anchor );
		$monday = $today->modify( '-' . ( (int) $today->format( 'N' ) - 1 ) . ' days' );
		$day    = static fn ( int $weeks_back, int $weekday ): string => $monday->modify( sprintf( '-%d days', 7 * $weeks_back - $weekday ) )->format( 'Y-m-d' );
		$people = array();
		foreach ( array( 'ada' => 'ada@example.com', 'grace' => 'grace@example.com', 'alan' => 'alan@example.com', 'linus' => 'linus@example.com' ) as $key => $email ) {
			$found = $identity->listEmployees( array( 'search' => $email ) )['items'][0] ?? null;
			if ( null === $found ) {
				return false;
			}
			$people[ $key ] = (string) $found['id'];
		}
		$platform = null;
		foreach ( $identity->listTeams( array( 'per_page' => 100 ) )['items'] as $t ) {
			if ( 'Platform' === $t['name'] ) {
				$platform = (string) $t['id'];
			}
		}
		$project = null;
		foreach ( $plugin->delivery()->listProjects( array( 'search' => 'Acme' ) )['items'] as $p ) {
			if ( null !== $p['sale_id'] ) {
				$project = (string) $p['id'];
			}
		}
		$ticket = null;
		foreach ( $helpdesk->listTickets( array( 'search' => 'second admin user' ) )['items'] as $t ) {
			$ticket = (string) $t['id'];
		}
		if ( null === $ticket ) {
			return false;
		}

		// Capacities from eight weeks back (the delivery demo's later ones still apply from
		// two weeks back).
		$hours = array(
			'ada'   => 40,
			'grace' => 40,
			'alan'  => 32,
			'linus' => 24,
		);
		foreach ( $hours as $key => $h ) {
			$delivery->setCapacity(
				array(
					'employee_id'      => $people[ $key ],
					'effective_from'   => $day( 8, 0 ),
					'minutes_per_week' => $h * 60,
				),
				$ctx( 'kpi-capacity-' . $key )
			);
		}
		// Six weeks of approved time (weeks 3 to 8 back), billable and not, varying by week.
		foreach ( range( 3, 8 ) as $back ) {
			foreach ( array_keys( $hours ) as $i => $key ) {
				foreach ( array( 1, 3 ) as $wd ) {
					$minutes  = 60 * ( 2 + ( ( $back + $i + $wd ) % 5 ) );
					$billable = 0 !== ( $back + $i + $wd ) % 4;
					$k        = sprintf( 'kpi-time-%s-%d-%d', $key, $back, $wd );
					$entry    = $delivery->logTime(
						array(
							'employee_id' => $people[ $key ],
							'ticket_id'   => $ticket,
							'work_date'   => $day( $back, $wd ),
							'minutes'     => $minutes,
							'billable'    => $billable,
							'note'        => $billable ? 'Customer support' : 'Internal follow-up',
						),
						$ctx( $k )
					);
					$delivery->submitTimeEntry( (string) $entry['id'], $ctx( $k . '-submit' ) );
					$delivery->approveTimeEntry( (string) $entry['id'], $ctx( $k . '-approve' ) );
				}
			}
		}
		// The ticket answered, resolved and reopened: first response, SLA and reopen facts.
		$helpdesk->replyToTicket(
			$ticket,
			array(
				'body'       => 'We have added the second admin. Please check your inbox.',
				'visibility' => 'public',
			),
			$ctx( 'kpi-ticket-admin-reply' )
		);
		$helpdesk->changeTicketStatus( $ticket, 'open', $ctx( 'kpi-ticket-admin-open' ) );
		$helpdesk->resolveTicket( $ticket, $ctx( 'kpi-ticket-admin-resolve' ) );
		$helpdesk->reopenTicket( $ticket, array(), $ctx( 'kpi-ticket-admin-reopen' ) );

		// The headline KPIs.
		$defs = array(
			'utilisation'         => array( 'Utilisation', 'utilisation', 'org', null, 'week', '75' ),
			'billable'            => array( 'Billable ratio', 'billable_ratio', 'org', null, 'week', '80' ),
			'leads'               => array( 'Lead qualification rate', 'lead_qualification_rate', 'org', null, 'month', '' ),
			'wins'                => array( 'Quote win rate', 'quote_win_rate', 'org', null, 'month', '50' ),
			'sla'                 => array( 'SLA compliance', 'sla_compliance', 'org', null, 'month', '95' ),
			'first-response'      => array( 'Mean time to first response', 'first_response_time', 'org', null, 'month', '' ),
			'reopen'              => array( 'Reopen rate', 'reopen_rate', 'org', null, 'month', '' ),
			'platform'            => array( 'Platform utilisation', 'utilisation', 'team', $platform, 'week', '75' ),
			'portal-sold'         => array( 'Portal: delivered vs sold', 'sold_vs_delivered', 'project', $project, 'week', '' ),
		);
		foreach ( $defs as $key => $d ) {
			if ( 'org' !== $d[2] && null === $d[3] ) {
				continue;
			}
			$input = array(
				'name'       => $d[0],
				'calculator' => $d[1],
				'scope'      => $d[2],
				'grain'      => $d[4],
				'target'     => $d[5],
			);
			if ( null !== $d[3] ) {
				$input['scope_id'] = $d[3];
			}
			$kpi->defineKpi( $input, $ctx( 'kpi-' . $key ) );
		}
		// The job WP-Cron runs, once now: facts, then every definition's backfill.
		$kpi->runKpiJob();
		update_option( self::KPI_OPTION, gmdate( 'c' ), false );
		return true;
	}
}
