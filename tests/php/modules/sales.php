<?php
/**
 * Pet\Sales suite (required by tests/php/run.php, in its scope: $settings, $engine, $identity, $boss,
 * $ctx and the harness helpers): lead schema → lead → qualification → opportunity → quote
 * with two groups → send → revise → send v2 → accept → sale, and the bad inputs of issue 3
 * (unknown custom field, wrong type, negative quantity, currency mismatch, accepting a
 * superseded version, …) — each a typed exception that wrote nothing.
 */

declare(strict_types=1);

$sales = new Pet\Sales( $settings );

/** Sales totals, added to the engine snapshot for "nothing written" checks. */
$sales_snapshot = static fn (): array => snapshot( $engine, $identity ) + array(
	'leads'         => $sales->listLeads( array( 'per_page' => 1 ) )['total'],
	'opportunities' => $sales->listOpportunities( array( 'per_page' => 1 ) )['total'],
	'quotes'        => $sales->listQuotes( array( 'per_page' => 1 ) )['total'],
	'schemas'       => $sales->listLeadSchemaVersions()['total'],
);

/** $fn must throw $class (with $field among the field errors, if given) and write nothing. */
$sales_rejects = static function ( string $class, callable $fn, string $what, ?string $field = null ) use ( $sales_snapshot ): Throwable {
	$before = $sales_snapshot();
	$e      = throws( $class, $fn, $what );
	if ( null !== $field ) {
		check( $e instanceof Pet\ValidationException, "$what: not a validation error" );
		$fe = $e->getFieldErrors();
		check( array_key_exists( $field, $fe ), "$what: field '$field' not in " . json_encode( $fe ) );
	}
	eq( $before, $sales_snapshot(), "$what: something was written" );
	return $e;
};

$sales_customer = $identity->createCustomer( array( 'name' => 'Sales Customer ' . bin2hex( random_bytes( 3 ) ) ), $ctx );
$sales_state    = array();

$sales_content = static fn ( int $hours ): array => array(
	'groups' => array(
		array(
			'title' => 'Build',
			'lines' => array(
				array( 'kind' => 'labour', 'role' => 'Developer', 'description' => 'Development', 'quantity' => $hours * 60, 'unit_price_minor' => 12000, 'tax_rate_bp' => 2000 ),
				array( 'kind' => 'fixed_fee', 'description' => 'Project management', 'quantity' => 1, 'unit_price_minor' => 150000, 'discount' => array( 'type' => 'percent', 'basis_points' => 1000 ), 'tax_rate_bp' => 2000 ),
			),
		),
		array(
			'title'    => 'Care plan',
			'optional' => true,
			'lines'    => array(
				array( 'kind' => 'recurring', 'interval' => 'monthly', 'description' => 'Hosting', 'quantity' => 1, 'unit_price_minor' => 9900, 'tax_rate_bp' => 2000 ),
			),
		),
	),
);

test(
	'sales: lead schema, lead with custom fields, bad custom fields write nothing',
	static function () use ( $sales, $ctx, $sales_customer, $sales_rejects, &$sales_state ): void {
		eq( null, $sales->getLeadSchema( null ), 'no schema yet' );
		$v1 = $sales->publishLeadSchema(
			array(
				'fields' => array(
					array( 'key' => 'employees', 'label' => 'Employees', 'type' => 'number', 'required' => true ),
					array( 'key' => 'industry', 'label' => 'Industry', 'type' => 'select', 'options' => array( 'Retail', 'Finance' ) ),
				),
			),
			$ctx
		);
		eq( 1, $v1['number'], 'schema version' );
		$base = array( 'customer_id' => $sales_customer['id'], 'source' => 'website' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->createLead( $base + array( 'custom_fields' => array( 'employees' => 4, 'colour' => 'red' ) ), $ctx ), 'unknown custom field', 'custom_fields.colour' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->createLead( $base + array( 'custom_fields' => array( 'employees' => 'many' ) ), $ctx ), 'wrong type for a field', 'custom_fields.employees' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->createLead( $base + array( 'custom_fields' => array( 'industry' => 'Retail' ) ), $ctx ), 'missing required field', 'custom_fields.employees' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->createLead( $base + array( 'custom_fields' => array( 'employees' => 4, 'industry' => 'Mining' ) ), $ctx ), 'option not allowed', 'custom_fields.industry' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->createLead( array( 'source' => 'x' ), $ctx ), 'no customer', 'customer_id' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->publishLeadSchema( array( 'fields' => array( array( 'key' => 'Bad Key', 'label' => 'x', 'type' => 'text' ) ) ), $ctx ), 'bad field key', 'fields.0.key' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->publishLeadSchema( array( 'fields' => array( array( 'key' => 'a', 'label' => 'x', 'type' => 'colour' ) ) ), $ctx ), 'bad field type', 'fields.0.type' );
		$lead = $sales->createLead( $base + array( 'custom_fields' => array( 'employees' => 40, 'industry' => 'Retail' ) ), $ctx );
		eq( 'new', $lead['status'], 'status' );
		eq( array( 'contacted', 'disqualified' ), $lead['next_statuses'], 'a new lead can be contacted or disqualified' );
		eq( 1, $lead['schema_version'], 'captured with version 1' );
		eq( '40', $lead['custom_fields'][0]['display'], 'rendered value' );
		// A new schema version does not change how the lead is read.
		$sales->publishLeadSchema( array( 'fields' => array( array( 'key' => 'employees', 'label' => 'Band', 'type' => 'select', 'options' => array( '1-10', '11+' ) ) ) ), $ctx );
		$again = $sales->getLead( $lead['id'] );
		eq( 'number', $again['custom_fields'][0]['type'], 'old lead keeps its version' );
		$sales_rejects( Pet\InvariantViolationException::class, fn () => $sales->qualifyLead( $lead['id'], array( 'need' => 'x' ), $ctx ), 'qualify a new lead' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->qualifyLead( $lead['id'], array(), $ctx ), 'qualify without need', 'need' );
		$sales->contactLead( $lead['id'], array( 'note' => 'Intro call' ), $ctx );
		$q = $sales->qualifyLead( $lead['id'], array( 'need' => 'Website relaunch', 'budget' => array( 'amount_minor' => 1500000, 'currency' => 'EUR' ) ), $ctx );
		eq( 'qualified', $q['status'], 'qualified' );
		eq( 1500000, $q['qualification']['budget']['amount_minor'], 'budget' );
		eq( 1, $sales->listLeads( array( 'status' => 'qualified' ) )['total'], 'status filter' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->listLeads( array( 'per_page' => 1000 ) ), 'per_page', 'per_page' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->getLead( 'nope' ), 'bad lead id', 'lead_id' );
		throws( Pet\NotFoundException::class, fn () => $sales->getLead( '0190a1b2-0000-7000-8000-000000000001' ), 'missing lead' );
		$sales_state['lead'] = $lead['id'];
	}
);

test(
	'sales: opportunity, quote with two groups, send, revise, accept records one sale',
	static function () use ( $sales, $engine, $ctx, $sales_rejects, $sales_snapshot, $sales_content, &$sales_state ): void {
		$opp = $sales->createOpportunity(
			array(
				'lead_id'        => $sales_state['lead'],
				'title'          => 'Website relaunch',
				'expected_value' => array( 'amount_minor' => 1200000, 'currency' => 'EUR' ),
				'expected_close' => '2026-06-30',
			),
			$ctx
		);
		eq( 'open', $opp['status'], 'opportunity status' );
		$sales->classifyOpportunity( $opp['id'], array( 'kind' => 'new_business', 'size_band' => 'large' ), $ctx );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->classifyOpportunity( $opp['id'], array( 'kind' => 'x', 'size_band' => 'large' ), $ctx ), 'bad kind', 'kind' );
		$quote = $sales->createQuote( array( 'opportunity_id' => $opp['id'] ), $ctx );
		eq( 'EUR', $quote['currency'], 'currency from the opportunity' );
		eq( 'quoting', $sales->getOpportunity( $opp['id'] )['status'], 'opportunity quoting' );
		$qid = $quote['id'];
		$bad = static fn ( array $line ): array => array( 'groups' => array( array( 'title' => 'A', 'lines' => array( $line + array( 'kind' => 'product', 'description' => 'x', 'quantity' => 1, 'unit_price_minor' => 100 ) ) ) ) );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->saveQuoteDraft( $qid, $bad( array( 'quantity' => -1 ) ), $ctx ), 'negative quantity', 'groups.0.lines.0.quantity' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->saveQuoteDraft( $qid, $bad( array( 'currency' => 'USD' ) ), $ctx ), 'currency mismatch', 'unit_price' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->saveQuoteDraft( $qid, $bad( array( 'unit_price_minor' => -5 ) ), $ctx ), 'negative price', 'groups.0.lines.0.unit_price' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->saveQuoteDraft( $qid, $bad( array( 'kind' => 'gift' ) ), $ctx ), 'bad kind', 'groups.0.lines.0.kind' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->saveQuoteDraft( $qid, $bad( array( 'tax_rate_bp' => 20000 ) ), $ctx ), 'tax over 100 %', 'groups.0.lines.0.tax_rate_bp' );
		$sales_rejects( Pet\InvariantViolationException::class, fn () => $sales->sendQuote( $qid, array( 'valid_until' => '2099-01-01' ), $ctx ), 'send an empty version' );
		$sales->saveQuoteDraft( $qid, $sales_content( 40 ), $ctx );
		$v1 = $sales->getQuoteVersion( $qid, 1 );
		eq( 738000, $v1['totals']['total_minor'], 'engine total' );
		eq( 11880, $v1['totals']['optional_total_minor'], 'optional total' );
		// Money objects beside the integers: digits, decimal, formatted.
		$total = $v1['totals']['total'];
		ksort( $total );
		eq( array( 'amount' => '7380.00', 'amount_minor' => 738000, 'currency' => 'EUR', 'formatted' => 'EUR 7380.00', 'minor_digits' => 2 ), $total, 'total money object' );
		eq( 2, $v1['minor_digits'], 'version minor digits' );
		// previewQuote: the totals of the same content, nothing written.
		$before  = $sales_snapshot();
		$preview = $sales->previewQuote( array( 'quote_id' => $qid ) + $sales_content( 40 ) );
		eq( $v1['totals'], $preview['totals'], 'preview totals = saved totals' );
		eq( 'EUR', $preview['currency'], 'preview currency' );
		eq( 2, $preview['minor_digits'], 'preview minor digits' );
		$one = static fn ( string $price ): array => array( array( 'title' => 'A', 'lines' => array( array( 'kind' => 'product', 'description' => 'x', 'quantity' => 1, 'unit_price' => $price ) ) ) );
		$jpy = $sales->previewQuote( array( 'currency' => 'JPY', 'groups' => $one( '1235' ) ) );
		eq( 'JPY 1235', $jpy['totals']['total']['formatted'], 'JPY preview formatted' );
		eq( '1235', $jpy['totals']['total']['amount'], 'JPY preview amount' );
		eq( 0, $jpy['minor_digits'], 'JPY minor digits' );
		$kwd = $sales->previewQuote( array( 'currency' => 'KWD', 'groups' => $one( '1,235' ) ) );
		eq( 'KWD 1.235', $kwd['totals']['total']['formatted'], 'KWD preview formatted' );
		eq( 1235, $kwd['totals']['total_minor'], 'KWD preview minor units' );
		eq( '1.235', $kwd['groups'][0]['lines'][0]['unit_price'], 'KWD line unit price' );
		eq( $before, $sales_snapshot(), 'previews wrote nothing' );
		$e = $sales_rejects( Pet\ValidationException::class, fn () => $sales->previewQuote( array( 'currency' => 'JPY', 'groups' => $one( '1235.5' ) ) ), 'JPY with decimals', 'groups.0.lines.0.unit_price' );
		check( str_contains( (string) $e->getFieldErrors()['groups.0.lines.0.unit_price'], 'no decimals' ), 'JPY error names the allowed decimals' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->previewQuote( array( 'currency' => 'KWD', 'groups' => $one( '1.2345' ) ) ), 'KWD with four decimals', 'groups.0.lines.0.unit_price' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->previewQuote( array( 'currency' => 'EUR', 'groups' => $one( '12abc' ) ) ), 'garbage amount', 'groups.0.lines.0.unit_price' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->previewQuote( array( 'groups' => $one( '1' ) ) ), 'neither quote nor currency', 'currency' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->previewQuote( array( 'quote_id' => $qid, 'currency' => 'JPY' ) + $sales_content( 40 ) ), 'another currency than the quote', 'currency' );
		$sales_rejects( Pet\NotFoundException::class, fn () => $sales->previewQuote( array( 'quote_id' => '01890000-0000-7000-8000-000000000000', 'groups' => array() ) ), 'unknown quote' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->sendQuote( $qid, array( 'valid_until' => '2000-01-01' ), $ctx ), 'validity in the past', 'valid_until' );
		$sent = $sales->sendQuote( $qid, array( 'valid_until' => '2099-12-31' ), $ctx );
		$hash = $sent['versions'][0]['content_hash'];
		check( 64 === strlen( (string) $hash ), 'content hash pinned' );
		$sales_rejects( Pet\InvariantViolationException::class, fn () => $sales->saveQuoteDraft( $qid, $sales_content( 41 ), $ctx ), 'edit a sent version' );
		$sales->draftQuoteVersion( $qid, $ctx );
		$v2 = $sales->getQuoteVersion( $qid, null );
		eq( 2, $v2['number'], 'draft 2' );
		$v2['groups'][0]['lines'][0]['quantity'] = 50 * 60;
		$sales->saveQuoteDraft( $qid, $v2, $ctx );
		$diff = $sales->diffQuoteVersions( $qid, 1, 2 );
		eq( 'changed', $diff['groups'][0]['lines'][0]['change'], 'diff: changed line' );
		$sent2 = $sales->sendQuote( $qid, array( 'valid_until' => '2099-12-31' ), $ctx );
		eq( 'superseded', $sent2['versions'][0]['status'], 'v1 superseded' );
		eq( $hash, $sent2['versions'][0]['content_hash'], 'v1 hash unchanged' );
		$sales_rejects( Pet\InvariantViolationException::class, fn () => $sales->acceptQuote( $qid, array( 'version' => 1 ), $ctx ), 'accepting a superseded version' );
		$sales_rejects( Pet\ValidationException::class, fn () => $sales->acceptQuote( $qid, array( 'version' => 0 ), $ctx ), 'version 0', 'version' );
		$sales_rejects( Pet\NotFoundException::class, fn () => $sales->acceptQuote( $qid, array( 'version' => 9 ), $ctx ), 'unknown version' );
		$key      = array( 'idempotency_key' => 'accept-' . $qid ) + $ctx;
		$accepted = $sales->acceptQuote( $qid, array( 'version' => 2, 'signed_by' => 'Carla' ), $key );
		eq( 'accepted', $accepted['quote']['status'], 'accepted' );
		eq( 'Developer', $accepted['sale']['labour'][0]['role'], 'sold role' );
		eq( 3000, $accepted['sale']['labour'][0]['minutes'], 'sold minutes' );
		// A double submit with the same key returns the first result; without it, a conflict.
		eq( $accepted, $sales->acceptQuote( $qid, array( 'version' => 2, 'signed_by' => 'Carla' ), $key ), 'idempotent replay' );
		$sales_rejects( Pet\ConflictException::class, fn () => $sales->acceptQuote( $qid, array( 'version' => 2 ), $ctx ), 'second acceptance' );
		eq( $accepted['sale'], $sales->getSale( $accepted['sale']['id'] ), 'sale read back' );
		eq( 'won', $sales->getOpportunity( $opp['id'] )['status'], 'opportunity won' );
		$pipe = $sales->opportunityPipeline();
		eq( 'won', $pipe['stages'][2]['status'], 'pipeline stage' );
		eq( 1, $pipe['stages'][2]['count'], 'won count' );
		$types = array_column( $engine->activity( array( 'per_page' => 100 ) )['items'], 'event_type' );
		foreach ( array( 'lead.created', 'lead.qualified', 'opportunity.created', 'quote.sent', 'quote.superseded', 'quote.accepted', 'sale.recorded', 'opportunity.won' ) as $t ) {
			check( in_array( $t, $types, true ), "activity has $t" );
		}
		eq( 0, $sales->expireDueQuotes()['expired'], 'nothing to expire' );
	}
);
