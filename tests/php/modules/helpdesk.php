<?php
/**
 * Pet\Helpdesk and Pet\Knowledge suite (required by tests/php/run.php, in its scope: $settings,
 * $engine, $identity, $boss, $ctx, $missing and the harness helpers): tickets under an SLA, the
 * SLA job, SLA versions, knowledge articles and search ($kb), and the bad inputs of issue 4 — each a typed exception that
 * wrote nothing.
 */

declare(strict_types=1);

$hd = new Pet\Helpdesk( $settings );
$kb = new Pet\Knowledge( $settings );

/** Helpdesk totals, added to the engine snapshot for "nothing written" checks. */
$hd_snapshot = static fn (): array => snapshot( $engine, $identity ) + array(
	'tickets'  => $hd->listTickets( array( 'per_page' => 1 ) )['total'],
	'slas'     => $hd->listSlaDefinitions( array( 'per_page' => 1 ) )['total'],
	'articles' => $kb->listArticles( array( 'per_page' => 1 ) )['total'],
);

/** $fn must throw $class (with $field among the field errors, if given) and write nothing. */
$hd_rejects = static function ( string $class, callable $fn, string $what, ?string $field = null ) use ( $hd_snapshot ): void {
	$before = $hd_snapshot();
	$e      = throws( $class, $fn, $what );
	if ( null !== $field ) {
		check( $e instanceof Pet\ValidationException, "$what: not a validation error" );
		$fe = $e->getFieldErrors();
		check( array_key_exists( $field, $fe ), "$what: field '$field' not in " . json_encode( $fe ) );
	}
	eq( $before, $hd_snapshot(), "$what: something was written" );
};

$hd_day  = array( array( 'start' => '09:00', 'end' => '17:00' ) );
$hd_spec = static fn ( int $fr = 60 ): array => array(
	'calendar'        => array(
		'timezone'      => 'Europe/London',
		'working_hours' => array( 'mon' => $hd_day, 'tue' => $hd_day, 'wed' => $hd_day, 'thu' => $hd_day, 'fri' => $hd_day ),
		'holidays'      => array( '2026-12-25' ),
	),
	'targets'         => array(
		'low'    => array( 'first_response_minutes' => 480, 'resolution_minutes' => 2400 ),
		'normal' => array( 'first_response_minutes' => $fr, 'resolution_minutes' => 960 ),
		'high'   => array( 'first_response_minutes' => 30, 'resolution_minutes' => 480 ),
		'urgent' => array( 'first_response_minutes' => 15, 'resolution_minutes' => 240 ),
	),
	'pause_statuses'  => array( 'waiting_on_customer' ),
	'warning_percent' => 80,
	'always_on'       => array( 'urgent' ),
);

$hd_customer = $identity->createCustomer( array( 'name' => 'Helpdesk Customer ' . bin2hex( random_bytes( 3 ) ) ), $ctx );
$hd_sla      = null;
$hd_ticket   = null;

test(
	'helpdesk: stub matches the extension',
	static function (): void {
		$diffs = pet_stub_differences( glob( dirname( __DIR__, 3 ) . '/pet-php/stubs/*.stub.php' ) );
		eq( array(), $diffs, 'stub differences' );
	}
);

test(
	'helpdesk: SLA definition with versions; a ticket pinned to the version in force',
	static function () use ( $hd, $ctx, $hd_spec, $hd_customer, &$hd_sla, &$hd_ticket ): void {
		$hd_sla = $hd->createSlaDefinition( array( 'name' => 'Standard support', 'spec' => $hd_spec() ), $ctx );
		eq( 1, $hd_sla['current_version'], 'version 1' );
		eq( 'Europe/London', $hd_sla['spec']['calendar']['timezone'], 'spec round trip' );
		eq( array( 'publish' ), $hd_sla['actions'], 'a definition takes a new version' );
		$options = $hd->slaOptions();
		eq( array( 'low', 'normal', 'high', 'urgent' ), $options['priorities'] ?? null, 'SLA options: priorities' );
		eq( array( 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' ), $options['weekdays'] ?? null, 'SLA options: weekdays' );
		eq( array( 'new', 'open', 'waiting_on_customer' ), $options['pause_statuses'] ?? null, 'SLA options: pausing statuses' );
		$hd_ticket = $hd->createTicket(
			array(
				'customer_id'       => $hd_customer['id'],
				'subject'           => 'Invoices page times out',
				'priority'          => 'normal',
				'channel'           => 'email',
				'sla_definition_id' => $hd_sla['id'],
			),
			$ctx
		);
		eq( 'new', $hd_ticket['status'], 'status' );
		eq( array( 'open' ), $hd_ticket['next_statuses'], 'a new ticket can only be opened' );
		eq( 1, $hd_ticket['sla']['definition_version'], 'pinned version' );
		check( in_array( $hd_ticket['sla']['state'], array( 'running', 'paused', 'warning', 'breached' ), true ), 'sla state ' . $hd_ticket['sla']['state'] );
		$v2 = $hd->publishSlaVersion( $hd_sla['id'], array( 'spec' => $hd_spec( 90 ) ), $ctx );
		eq( 2, $v2['current_version'], 'version 2' );
		eq( 2, count( $v2['versions'] ), 'history' );
		eq( 1, $hd->getTicket( $hd_ticket['id'] )['sla']['definition_version'], 'old ticket keeps version 1' );
		$list = $hd->listTickets( array( 'status' => 'new', 'sort' => 'due', 'per_page' => 100 ) );
		check( in_array( $hd_ticket['id'], array_column( $list['items'], 'id' ), true ), 'listed' );
	}
);

test(
	'helpdesk: status changes, replies, resolve, close; the SLA job runs (now) and reports',
	static function () use ( $hd, $ctx, &$hd_ticket ): void {
		$id = $hd_ticket['id'];
		$t  = $hd->changeTicketStatus( $id, 'open', $ctx );
		eq( 'open', $t['status'], 'open' );
		$t = $hd->changeTicketStatus( $id, 'waiting_on_customer', $ctx );
		eq( true, $t['sla']['paused'], 'paused' );
		$t = $hd->changeTicketStatus( $id, 'open', $ctx );
		eq( false, $t['sla']['paused'], 'resumed' );
		$t = $hd->replyToTicket( $id, array( 'body' => 'Internal: check the cache', 'visibility' => 'internal' ), $ctx );
		$t = $hd->replyToTicket( $id, array( 'body' => 'We are on it' ), $ctx );
		eq( 2, count( $t['replies'] ), 'replies' );
		check( is_string( $t['first_response_at'] ), 'first response recorded' );
		$t = $hd->changeTicketPriority( $id, 'high', $ctx );
		eq( 'high', $t['priority'], 'priority' );
		check( count( $t['timeline'] ) >= 5, 'timeline ' . json_encode( $t['timeline'] ) );
		$r = $hd->runSlaJob();
		foreach ( array( 'evaluated', 'tickets_recorded', 'warnings', 'breaches', 'met', 'skipped' ) as $k ) {
			check( is_int( $r[ $k ] ), "$k in " . json_encode( $r ) );
		}
		$q = $hd->enqueueSlaJob();
		check( is_bool( $q['enqueued'] ), 'enqueued' );
		$t = $hd->resolveTicket( $id, $ctx );
		eq( 'resolved', $t['status'], 'resolved' );
		$t = $hd->reopenTicket( $id, array(), $ctx );
		eq( 'open', $t['status'], 'reopened' );
		$hd->resolveTicket( $id, $ctx );
		$hd_ticket = $hd->closeTicket( $id, $ctx );
		eq( 'closed', $hd_ticket['status'], 'closed' );
	}
);

test(
	'helpdesk: test clock only in test builds',
	static function () use ( $hd ): void {
		if ( Pet\Helpdesk::testClockAvailable() ) {
			$r = $hd->runSlaJob( array( 'at' => '2030-01-07T12:00:00Z' ) );
			eq( '2030-01-07T12:00:00.000000Z', $r['evaluated_at'], 'evaluated at' );
		} else {
			$e = throws( Pet\ValidationException::class, fn () => $hd->runSlaJob( array( 'at' => '2030-01-07T12:00:00Z' ) ), 'at in a production build' );
			check( array_key_exists( 'at', $e->getFieldErrors() ), 'field at' );
		}
	}
);

test(
	'helpdesk: bad input is a typed exception and writes nothing',
	static function () use ( $hd, $ctx, $hd_spec, $hd_customer, $hd_rejects, $missing, &$hd_sla, &$hd_ticket ): void {
		$bad = $hd_spec();
		$bad['calendar']['timezone'] = 'Mars/Olympus_Mons';
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->createSlaDefinition( array( 'name' => 'X', 'spec' => $bad ), $ctx ), 'unknown timezone', 'spec.calendar.timezone' );
		$bad = $hd_spec();
		$bad['calendar']['working_hours']['mon'] = array( array( 'start' => '09:00', 'end' => '13:00' ), array( 'start' => '12:00', 'end' => '17:00' ) );
		$e = throws( Pet\ValidationException::class, fn () => $hd->createSlaDefinition( array( 'name' => 'X', 'spec' => $bad ), $ctx ), 'overlapping hours' );
		check( (bool) preg_grep( '/^spec\.calendar\.working_hours\.mon/', array_keys( $e->getFieldErrors() ) ), 'overlap field ' . json_encode( $e->getFieldErrors() ) );
		foreach ( array( 0, -5 ) as $minutes ) {
			$bad = $hd_spec();
			$bad['targets']['normal']['first_response_minutes'] = $minutes;
			$hd_rejects( Pet\ValidationException::class, fn () => $hd->createSlaDefinition( array( 'name' => 'X', 'spec' => $bad ), $ctx ), "target $minutes", 'spec.targets.normal.first_response_minutes' );
		}
		$bad = $hd_spec();
		$bad['warning_percent'] = 100;
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->publishSlaVersion( $hd_sla['id'], array( 'spec' => $bad ), $ctx ), 'warning 100', 'spec.warning_percent' );
		$hd_rejects( Pet\NotFoundException::class, fn () => $hd->publishSlaVersion( $missing, array( 'spec' => $hd_spec( 77 ) ), $ctx ), 'unknown definition' );
		$hd_rejects( Pet\InvariantViolationException::class, fn () => $hd->replyToTicket( $hd_ticket['id'], array( 'body' => 'hello?' ), $ctx ), 'reply to a closed ticket' );
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->createTicket( array( 'customer_id' => $hd_customer['id'], 'subject' => 'x', 'priority' => 'critical' ), $ctx ), 'priority', 'priority' );
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->createTicket( array( 'customer_id' => $missing, 'subject' => 'x' ), $ctx ), 'unknown customer', 'customer_id' );
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->changeTicketStatus( $hd_ticket['id'], 'bogus', $ctx ), 'status', 'status' );
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->getTicket( 'not-a-uuid' ), 'ticket id', 'ticket_id' );
		$hd_rejects( Pet\NotFoundException::class, fn () => $hd->getTicket( $missing ), 'missing ticket' );
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->listTickets( array( 'sla_state' => "x' OR 1=1" ) ), 'sla_state filter', 'sla_state' );
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->listTickets( array( 'sort' => 'id; DROP' ) ), 'sort', 'sort' );
		$hd_rejects( Pet\ValidationException::class, fn () => $hd->createTicket( array( 'customer_id' => $hd_customer['id'], 'subject' => 'x' ), array( 'actor_id' => null ) ), 'no actor', 'actor_id' );
	}
);

test(
	'knowledge: write, revise, restore, search, comments, link; restoring another article\'s version is refused',
	static function () use ( $hd, $kb, $ctx, $hd_rejects, $hd_customer, &$hd_ticket ): void {
		$slug = 'invoice-timeouts-' . bin2hex( random_bytes( 3 ) );
		$a    = $kb->createArticle( array( 'category' => 'Billing', 'slug' => $slug, 'title' => 'Invoices page times out', 'body' => 'Flush the zebracache and reload.', 'publish' => true ), $ctx );
		eq( 'published', $a['status'], 'published' );
		$a = $kb->publishArticle( $a['id'], array( 'title' => 'Invoices page times out', 'body' => 'Rebuild the quokkaindex overnight.' ), $ctx );
		eq( 2, $a['current_version'], 'v2' );
		eq( 0, $kb->searchArticles( array( 'q' => 'zebracache' ) )['total'], 'old version not searched' );
		eq( $a['id'], $kb->searchArticles( array( 'q' => 'quokkaindex' ) )['items'][0]['id'], 'found' );
		$a = $kb->restoreArticleVersion( $a['id'], array( 'number' => 1 ), $ctx );
		eq( 3, $a['current_version'], 'restored as v3' );
		eq( 1, $a['versions'][0]['restored_from'], 'restored_from' );
		eq( $a['id'], $kb->searchArticles( array( 'q' => 'zebracache' ) )['items'][0]['id'], 'restored content found' );
		$other = $kb->createArticle( array( 'category' => 'Access', 'slug' => 'other-' . $slug, 'title' => 'Other', 'body' => 'Other body', 'publish' => true ), $ctx );
		$hd_rejects( Pet\InvariantViolationException::class, fn () => $kb->restoreArticleVersion( $a['id'], array( 'number' => 1, 'article_id' => $other['id'] ), $ctx ), 'restore another article\'s version' );
		$hd_rejects( Pet\NotFoundException::class, fn () => $kb->restoreArticleVersion( $a['id'], array( 'number' => 42 ), $ctx ), 'restore a missing version' );
		$hd_rejects( Pet\ValidationException::class, fn () => $kb->restoreArticleVersion( $a['id'], array( 'number' => 0 ), $ctx ), 'version 0', 'number' );
		$hd_rejects( Pet\ValidationException::class, fn () => $kb->createArticle( array( 'category' => 'Billing', 'slug' => $slug, 'title' => 'Dup', 'body' => 'x' ), $ctx ), 'duplicate slug', 'slug' );
		$hd_rejects( Pet\ValidationException::class, fn () => $kb->createArticle( array( 'category' => 'Billing', 'slug' => 'Not A Slug', 'title' => 'x', 'body' => 'x' ), $ctx ), 'bad slug', 'slug' );
		$hd_rejects( Pet\ValidationException::class, fn () => $kb->searchArticles( array( 'q' => '' ) ), 'empty search', 'q' );
		$c   = $kb->commentOnArticle( $a['id'], array( 'body' => 'Worked for me' ), $ctx );
		$cid = $c['comments'][0]['id'];
		$h   = $kb->hideArticleComment( $a['id'], $cid, array( 'reason' => 'spam' ), $ctx );
		eq( true, $h['comments'][0]['hidden'], 'hidden' );
		$hd_rejects( Pet\InvariantViolationException::class, fn () => $kb->hideArticleComment( $a['id'], $cid, array(), $ctx ), 'hide twice' );
		$t = $hd->createTicket( array( 'customer_id' => $hd_customer['id'], 'subject' => 'Link me' ), $ctx );
		$l = $kb->linkArticleToTicket( $a['id'], $t['id'], $ctx );
		eq( $t['id'], $l['linked_tickets'][0]['ticket_id'], 'linked' );
		eq( $a['id'], $hd->getTicket( $t['id'] )['linked_articles'][0]['id'], 'ticket shows article' );
		check( count( $kb->listArticleCategories()['items'] ) >= 2, 'categories' );
		$arch = $kb->archiveArticle( $other['id'], $ctx );
		eq( 'archived', $arch['status'], 'archived' );
		$hd_rejects( Pet\InvariantViolationException::class, fn () => $kb->publishArticle( $other['id'], array( 'title' => 'x', 'body' => 'y' ), $ctx ), 'publish archived' );
	}
);
