<?php
/**
 * Seeds a PET site for the flatness benchmark (scripts/bench/flat) up to N rows per list.
 *
 * Usage: php -d extension=pet.so flat-seed.php WP_DIR N
 *
 * First one row of each kind is made through the real commands of the extension (an
 * employee, a customer, a lead qualified into an opportunity with a quote, a published
 * article, a ticket with its first message), so every column holds what PET writes; then each
 * list's state table is filled up to N rows with INSERT … SELECT over MariaDB's SEQUENCE
 * engine (seq_1_to_N), each cloned row a variation of the real one (its own id, names, status
 * and time; the JSON columns copied from the real row). The lists read only these state
 * tables, so their cost is what the benchmark measures. Cloned rows have no events of their
 * own; the activity feed gets N events of its own (appended to the event log through its
 * chain trigger, with their feed lines written and the feed's checkpoint moved past them, so
 * the projector has nothing to catch up). A second run finds the rows and adds nothing.
 *
 * The words (each list has a word in 20 % of its rows and a rare word in exactly one; the
 * alphabetical lists also a 20 % word whose rows sort last — "Umbrella", "Sam"):
 *   tickets       "Printer" (subject) / "Quokka"; replies "toner" in 1/11 of them
 *   customers     "Acme" / "Wombat"
 *   employees     "Alex" / "Zebedee"
 *   leads         "Northwind" / "Narwhal"
 *   opportunities "Migration" / "Axolotl"
 *   quotes        "Migration" / "Pangolin"
 *   articles      "Printer" / "Okapi"
 * Statuses and other filter columns rotate (see each INSERT); one row every 30 seconds from
 * 2020-01-01.
 */

declare(strict_types=1);

$dir = $argv[1] ?? '';
$n = (int) ($argv[2] ?? 0);
if ('' === $dir || !is_file($dir . '/wp-config.php') || $n < 10) {
    fwrite(STDERR, "usage: flat-seed.php WP_DIR N (N >= 10)\n");
    exit(2);
}
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
require $dir . '/wp-load.php';

/** @var wpdb $wpdb */
global $wpdb;
$p = $wpdb->prefix . 'pet_';
$settings = \PetWp\Plugin::engine_settings();
$identity = new \Pet\Identity($settings);
$hd = new \Pet\Helpdesk($settings);
$sales = new \Pet\Sales($settings);
$kb = new \Pet\Knowledge($settings);
wp_set_current_user((int) get_user_by('login', 'admin')->ID);
$ctx = \PetWp\Plugin::instance()->context();

$count = static fn (string $table): int => (int) $wpdb->get_var("SELECT COUNT(*) FROM {$p}{$table}");
$sql = static function (string $q) use ($wpdb): void {
    if (false === $wpdb->query($q)) {
        fwrite(STDERR, "flat-seed.php: SQL failed: {$wpdb->last_error}\n");
        exit(1);
    }
};
$started = microtime(true);
$step = static function (string $what) use ($started): void {
    fwrite(STDERR, sprintf("  %6.1f s  %s\n", microtime(true) - $started, $what));
};
// numbered TABLE: a temporary table bench_TABLE (n, id) numbering the rows of TABLE from 0.
$numbered = static function (string $table) use ($sql, $p): void {
    $sql("DROP TEMPORARY TABLE IF EXISTS bench_{$table}");
    $sql("CREATE TEMPORARY TABLE bench_{$table} (n INT PRIMARY KEY, id CHAR(36) CHARACTER SET ascii NOT NULL)
        SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM {$p}{$table}");
};
// One row every 30 seconds from 2020-01-01.
$at = static fn (string $seq): string => "TIMESTAMP('2020-01-01') + INTERVAL {$seq} * 30 SECOND";

// ---- the real rows ---------------------------------------------------------------------
if (0 === $count('employees')) {
    $identity->createEmployee(['name' => 'Template Employee', 'email' => 'template@example.invalid'], $ctx);
}
if (0 === $count('tickets')) {
    $customer = $identity->createCustomer(['name' => 'Template Customer Ltd'], $ctx);
    $hd->createTicket(
        ['customer_id' => (string) $customer['id'], 'subject' => 'Template ticket', 'message' => 'The template message.'],
        $ctx
    );
}
if (0 === $count('quotes')) {
    $lead = $sales->createLead(['customer_name' => 'Template Lead Ltd', 'source' => 'website'], $ctx);
    $sales->contactLead((string) $lead['id'], [], $ctx);
    $sales->qualifyLead((string) $lead['id'], ['need' => 'a template'], $ctx);
    $opp = $sales->createOpportunity(
        [
            'lead_id' => (string) $lead['id'],
            'title' => 'Template opportunity',
            'expected_value' => ['amount_minor' => 1200000, 'currency' => 'EUR'],
            'expected_close' => '2030-01-01',
        ],
        $ctx
    );
    $sales->createQuote(['opportunity_id' => (string) $opp['id'], 'title' => 'Template quote'], $ctx);
}
if (0 === $count('knowledge_articles')) {
    $kb->createArticle(['category' => 'Template', 'slug' => 'template', 'title' => 'Template article', 'body' => 'The template body.', 'publish' => true], $ctx);
}
$step('template rows');

// ---- employees ---------------------------------------------------------------------------
$have = $count('employees');
if ($have < $n) {
    $want = $n - $have;
    $sql("INSERT INTO {$p}employees (id, name, email, wp_user_id, status, version, created_at, updated_at)
        SELECT UUID(),
               IF(seq = 7, CONCAT('Zebedee Quill ', seq),
                  CONCAT(ELT(1 + seq % 5, 'Alex', 'Sam', 'Robin', 'Jo', 'Kim'), ' ',
                         ELT(1 + seq % 11, 'Smith', 'Jones', 'Taylor', 'Brown', 'Wilson', 'Evans', 'Walker', 'Wright', 'Hall', 'Green', 'Baker'), ' ', seq)),
               CONCAT('bench', seq, '@example.invalid'), NULL, IF(seq % 10 = 0, 'inactive', 'active'), 1,
               {$at('seq')}, {$at('seq')}
        FROM seq_1_to_{$want}");
    $sql("ANALYZE TABLE {$p}employees");
    $step('employees');
}

// ---- customers ---------------------------------------------------------------------------
$have = $count('customers');
if ($have < $n) {
    $want = $n - $have;
    $sql("INSERT INTO {$p}customers (id, name, status, version, created_at, updated_at)
        SELECT UUID(),
               IF(seq = 7, 'Wombat Holdings Ltd',
                  CONCAT(ELT(1 + seq % 5, 'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'), ' ',
                         ELT(1 + seq % 7, 'Trading', 'Systems', 'Foods', 'Logistics', 'Media', 'Energy', 'Health'), ' ', seq, ' Ltd')),
               IF(seq % 10 = 0, 'archived', 'active'), 1, {$at('seq')}, {$at('seq')}
        FROM seq_1_to_{$want}");
    $sql("ANALYZE TABLE {$p}customers");
    $step('customers');
}

// ---- tickets and their replies -----------------------------------------------------------
$have = $count('tickets');
if ($have < $n) {
    $want = $n - $have;
    $numbered('customers');
    $c = $count('customers');
    $rare = intdiv($want, 2);
    $sql("INSERT INTO {$p}tickets (id, customer_id, project_id, subject, priority, channel, assignee_id, status, is_active,
            resolved_at, reply_count, first_response_at, sla_timeline, sla_state, sla_due_at, version, created_at, updated_at)
        SELECT UUID(), bc.id, NULL,
               IF(s.seq = {$rare}, CONCAT('Quokka sighting in the office ', s.seq),
                  CONCAT(ELT(1 + s.seq % 5, 'Printer', 'Invoice', 'Login', 'Network', 'Email'), ' problem with the ',
                         ELT(1 + s.seq % 13, 'office', 'laptop', 'server', 'vpn', 'password', 'backup', 'monitor',
                             'phone', 'licence', 'update', 'screen', 'mouse', 'badge'), ' ', s.seq)),
               ELT(1 + s.seq % 4, 'low', 'normal', 'high', 'urgent'),
               ELT(1 + s.seq % 3, 'email', 'phone', 'portal'), NULL,
               ELT(1 + s.seq % 5, 'new', 'open', 'waiting_on_customer', 'resolved', 'closed'), s.seq % 5 < 3,
               IF(s.seq % 5 >= 3, {$at('s.seq')}, NULL),
               1, NULL, tpl.sla_timeline, NULL, NULL, 1, {$at('s.seq')}, {$at('s.seq')}
        FROM seq_1_to_{$want} s
        JOIN bench_customers bc ON bc.n = s.seq % {$c}
        CROSS JOIN (SELECT sla_timeline FROM {$p}tickets LIMIT 1) tpl");
    $sql("INSERT INTO {$p}ticket_replies (id, ticket_id, author_kind, author_employee_id, author_contact_id, visibility, body, created_at)
        SELECT UUID(), t.id, 'customer', NULL, NULL, 'public',
               CONCAT('Hello, we looked at the ', ELT(1 + CRC32(t.id) % 11, 'cable', 'driver', 'toner', 'account', 'router',
                      'mailbox', 'disk', 'firmware', 'token', 'socket', 'bracket'), ' and it works again.'),
               t.created_at
        FROM {$p}tickets t WHERE t.reply_count = 1 AND NOT EXISTS (SELECT 1 FROM {$p}ticket_replies r WHERE r.ticket_id = t.id)");
    $sql("ANALYZE TABLE {$p}tickets, {$p}ticket_replies");
    $step('tickets');
}

// ---- leads -------------------------------------------------------------------------------
$have = $count('leads');
if ($have < $n) {
    $want = $n - $have;
    $numbered('employees');
    $e = $count('employees');
    $sql("INSERT INTO {$p}leads (id, customer_id, company_name, source, owner_id, schema_id, schema_number, custom_values,
            status, version, created_at, updated_at)
        SELECT UUID(), NULL,
               IF(s.seq = 7, 'Narwhal Ventures',
                  CONCAT(ELT(1 + s.seq % 5, 'Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware'), ' ',
                         ELT(1 + s.seq % 7, 'Traders', 'Labs', 'Partners', 'Group', 'Studio', 'Works', 'Bank'), ' ', s.seq)),
               ELT(1 + s.seq % 5, 'website', 'referral', 'fair', 'partner', 'phone'),
               be.id, tpl.schema_id, tpl.schema_number, tpl.custom_values,
               ELT(1 + s.seq % 5, 'new', 'contacted', 'qualified', 'disqualified', 'archived'),
               1, {$at('s.seq')}, {$at('s.seq')}
        FROM seq_1_to_{$want} s
        JOIN bench_employees be ON be.n = s.seq % {$e}
        CROSS JOIN (SELECT schema_id, schema_number, custom_values FROM {$p}leads LIMIT 1) tpl");
    $sql("ANALYZE TABLE {$p}leads");
    $step('leads');
}

// ---- opportunities -----------------------------------------------------------------------
$have = $count('opportunities');
if ($have < $n) {
    $want = $n - $have;
    $numbered('employees');
    $numbered('customers');
    $numbered('leads');
    $e = $count('employees');
    $c = $count('customers');
    $l = $count('leads');
    $sql("INSERT INTO {$p}opportunities (id, lead_id, customer_id, owner_id, title, expected_value_minor, currency,
            expected_close, kind, size_band, status, lost_reason, won_quote_id, sale_id, version, created_at, updated_at)
        SELECT UUID(), bl.id, bc.id, be.id,
               IF(s.seq = 7, 'Axolotl tank maintenance',
                  CONCAT(ELT(1 + s.seq % 5, 'Migration', 'Support', 'Audit', 'Training', 'Hosting'), ' for ',
                         ELT(1 + s.seq % 7, 'finance', 'sales', 'the warehouse', 'marketing', 'the board', 'IT', 'HR'), ' ', s.seq)),
               100000 * (1 + s.seq % 50), tpl.currency,
               DATE('2020-01-01') + INTERVAL s.seq % 3650 DAY,
               ELT(1 + s.seq % 3, 'new_business', 'upsell', 'renewal'),
               ELT(1 + s.seq % 4, 'small', 'medium', 'large', 'enterprise'),
               ELT(1 + s.seq % 3, 'open', 'quoting', 'lost'),
               IF(s.seq % 3 = 2, 'went elsewhere', NULL), NULL, NULL,
               1, {$at('s.seq')}, {$at('s.seq')}
        FROM seq_1_to_{$want} s
        JOIN bench_employees be ON be.n = s.seq % {$e}
        JOIN bench_customers bc ON bc.n = s.seq % {$c}
        JOIN bench_leads bl ON bl.n = s.seq % {$l}
        CROSS JOIN (SELECT currency FROM {$p}opportunities LIMIT 1) tpl");
    // The pipeline's totals per stage (kept by the commands; recounted for the cloned rows).
    $sql("UPDATE {$p}opportunity_stage_totals t
        JOIN (SELECT status, currency, COUNT(*) AS n, SUM(expected_value_minor) AS v FROM {$p}opportunities GROUP BY status, currency) g
          ON g.status = t.status AND g.currency = t.currency
        SET t.opportunities = g.n, t.value_minor = g.v");
    $sql("ANALYZE TABLE {$p}opportunities");
    $step('opportunities');
}

// ---- quotes --------------------------------------------------------------------------------
$have = $count('quotes');
if ($have < $n) {
    $want = $n - $have;
    $numbered('opportunities');
    $o = $count('opportunities');
    $sql("INSERT INTO {$p}quotes (id, number, opportunity_id, customer_id, currency, title, latest_version, latest_status,
            latest_total_minor, accepted_version, sale_id, version, created_at, updated_at)
        SELECT UUID(), mx.top + s.seq, op.id, op.customer_id, op.currency,
               IF(s.seq = 7, 'Pangolin enclosure design',
                  CONCAT(ELT(1 + s.seq % 5, 'Migration', 'Support', 'Audit', 'Training', 'Hosting'), ' option ', s.seq)),
               1, ELT(1 + s.seq % 4, 'draft', 'sent', 'rejected', 'expired'), 50000 * (1 + s.seq % 40), NULL, NULL,
               1, {$at('s.seq')}, {$at('s.seq')}
        FROM seq_1_to_{$want} s
        JOIN bench_opportunities bo ON bo.n = s.seq % {$o}
        JOIN {$p}opportunities op ON op.id = bo.id
        CROSS JOIN (SELECT MAX(number) AS top FROM {$p}quotes) mx");
    $sql("UPDATE {$p}commercial_counters SET last_value = (SELECT MAX(number) FROM {$p}quotes) WHERE name = 'quote_number'");
    $sql("ANALYZE TABLE {$p}quotes");
    $step('quotes');
}

// ---- knowledge articles (60 % published, each with its live version) -----------------------
$have = $count('knowledge_articles');
if ($have < $n) {
    $want = $n - $have;
    $sql("INSERT INTO {$p}knowledge_articles (id, category, slug, status, title, draft_title, draft_body, current_version,
            version, created_at, updated_at)
        SELECT UUID(), ELT(1 + seq % 7, 'Printers', 'Email', 'Network', 'Accounts', 'Hardware', 'Billing', 'Security'),
               CONCAT('bench-', seq),
               ELT(1 + seq % 5, 'published', 'published', 'published', 'draft', 'archived'),
               IF(seq = 7, 'Okapi-proofing the server room',
                  CONCAT(ELT(1 + seq % 5, 'Printer', 'Mailbox', 'Router', 'Password', 'Laptop'), ' ',
                         ELT(1 + seq % 7, 'setup', 'troubleshooting', 'reset', 'upgrade', 'checklist', 'basics', 'faq'), ' ', seq)),
               '', '', IF(seq % 5 = 3, NULL, 1), 1, {$at('seq')}, {$at('seq')}
        FROM seq_1_to_{$want}");
    $sql("UPDATE {$p}knowledge_articles SET draft_title = title WHERE status = 'draft' AND draft_title = ''");
    $sql("INSERT INTO {$p}knowledge_versions (article_id, number, title, body, restored_from, live, published_at)
        SELECT a.id, 1, a.title,
               CONCAT('Check the ', ELT(1 + CRC32(a.id) % 11, 'cable', 'driver', 'toner', 'account', 'router',
                      'mailbox', 'disk', 'firmware', 'token', 'socket', 'bracket'), ' first, then restart and try again.'),
               NULL, a.status = 'published', a.created_at
        FROM {$p}knowledge_articles a
        WHERE a.current_version = 1 AND NOT EXISTS (SELECT 1 FROM {$p}knowledge_versions v WHERE v.article_id = a.id)");
    // The categories' counts (kept by the commands; recounted for the cloned rows).
    $sql("INSERT INTO {$p}knowledge_category_totals (category, articles, published)
        SELECT category, COUNT(*), SUM(status = 'published') FROM {$p}knowledge_articles GROUP BY category
        ON DUPLICATE KEY UPDATE articles = VALUES(articles), published = VALUES(published)");
    $sql("ANALYZE TABLE {$p}knowledge_articles, {$p}knowledge_versions");
    $step('articles');
}

// ---- jobs (history: done and dead; pending and failed ones only due in 2099) ---------------
$have = $count('jobs');
if ($have < $n) {
    $want = $n - $have;
    $sql("INSERT INTO {$p}jobs (id, kind, payload, dedupe_key, active_dedupe_key, status, attempts, max_attempts, run_at,
            locked_until, last_error, created_at, updated_at, finished_at)
        SELECT UUID(), ELT(1 + seq % 3, 'sla.evaluate', 'projection.catch_up', 'quote.expiry'), '{}', NULL, NULL,
               ELT(1 + seq % 10, 'done', 'done', 'done', 'done', 'done', 'done', 'done', 'dead', 'failed', 'pending'),
               1, 5, IF(seq % 10 >= 8, TIMESTAMP('2099-01-01'), {$at('seq')}), NULL,
               IF(seq % 10 IN (7, 8), 'bench: it failed', NULL), {$at('seq')}, {$at('seq')},
               IF(seq % 10 <= 7, {$at('seq')}, NULL)
        FROM seq_1_to_{$want}");
    $sql("ANALYZE TABLE {$p}jobs");
    $step('jobs');
}

// ---- activity: N events on the chain, their feed lines, the feed's checkpoint -------------
$have = $count('activity_feed_projections');
if ($have < $n) {
    $want = $n - $have;
    $numbered('employees');
    $numbered('customers');
    $e = $count('employees');
    $c = $count('customers');
    // The feed first catches up with the real events (the runner queues a catch-up job).
    (new \Pet\Engine($settings))->runJobs(['max_jobs' => 20]);
    $head = $wpdb->get_row("SELECT last_sequence, last_hash FROM {$p}event_sequence WHERE id = 1", ARRAY_A);
    $from = (int) $head['last_sequence'];
    $hash = static fn (string $id): string => "SHA2(CONCAT('flat-bench-', {$id}), 256)";
    // One transaction: the events, their lines and the checkpoint land together or not at all.
    $sql('START TRANSACTION');
    // The chain trigger checks each row continues the head (id + 1, prev_hash = head hash).
    $sql("INSERT INTO {$p}domain_events (id, event_id, event_type, schema_version, occurred_at, recorded_at, actor_employee_id,
            context_type, context_id, aggregate_type, aggregate_id, aggregate_version, idempotency_key, payload, prev_hash, hash)
        SELECT {$from} + s.seq, UUID(), ELT(1 + s.seq % 3, 'customer.renamed', 'customer.contact_added', 'customer.created'),
               1, {$at('s.seq')}, {$at('s.seq')}, be.id, 'customer', bc.id, 'customer', UUID(), 1, NULL, '{}',
               IF(s.seq = 1, '" . esc_sql((string) $head['last_hash']) . "', {$hash("{$from} + s.seq - 1")}),
               {$hash("{$from} + s.seq")}
        FROM seq_1_to_{$want} s
        JOIN bench_employees be ON be.n = s.seq % {$e}
        JOIN bench_customers bc ON bc.n = s.seq % {$c}
        ORDER BY s.seq");
    $sql("INSERT INTO {$p}activity_feed_projections (sequence, occurred_at, line)
        SELECT e.id, e.occurred_at, CONCAT('Bench event ', e.id, ' on a customer')
        FROM {$p}domain_events e WHERE e.id > {$from}");
    $moved = $wpdb->query("UPDATE {$p}projection_checkpoints SET last_sequence = (SELECT last_sequence FROM {$p}event_sequence WHERE id = 1)
        WHERE projection = 'activity_feed' AND last_sequence = {$from}");
    if (1 !== $moved) {
        $wpdb->query('ROLLBACK');
        fwrite(STDERR, "flat-seed.php: the activity feed had not caught up to event {$from} before seeding\n");
        exit(1);
    }
    $sql('COMMIT');
    $sql("ANALYZE TABLE {$p}domain_events, {$p}activity_feed_projections");
    $step('activity');
}

$tables = ['tickets', 'ticket_replies', 'customers', 'employees', 'leads', 'opportunities', 'quotes', 'knowledge_articles', 'jobs', 'activity_feed_projections'];
fwrite(STDOUT, implode(', ', array_map(static fn (string $t): string => $t . ' ' . $count($t), $tables)) . "\n");
