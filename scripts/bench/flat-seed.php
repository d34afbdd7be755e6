<?php
/**
 * Seeds a PET site for the flatness benchmark (scripts/bench/flat) up to N rows per list.
 *
 * Usage: php -d extension=pet.so flat-seed.php WP_DIR N
 *
 * First a few rows are made through the real commands of the extension (an SLA definition,
 * a customer, a ticket with a reply), so every column holds what PET writes; then the lists'
 * state tables are filled up to N rows with INSERT … SELECT over MariaDB's SEQUENCE engine
 * (seq_1_to_N), each cloned row a variation of the real one (its own id, customer, subject,
 * priority, status and time). The lists read only these state tables, so their cost is what
 * the benchmark measures; cloned rows have no events (the activity feed is not seeded from
 * them). A second run finds the rows and adds nothing.
 *
 * The data: tickets over N/100 customers (at least 20), five subject words in rotation
 * ("Printer" is in 20 % of the subjects) and one subject with the rare word "Quokka", one
 * reply per ticket, statuses and priorities in rotation, one ticket every 30 seconds.
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
wp_set_current_user((int) get_user_by('login', 'admin')->ID);
$ctx = \PetWp\Plugin::instance()->context();

$count = static fn (string $table): int => (int) $wpdb->get_var("SELECT COUNT(*) FROM {$p}{$table}");
$sql = static function (string $q) use ($wpdb): void {
    if (false === $wpdb->query($q)) {
        fwrite(STDERR, "flat-seed.php: SQL failed: {$wpdb->last_error}\n");
        exit(1);
    }
};

// ---- the real rows ---------------------------------------------------------------------
if (0 === $count('tickets')) {
    $customer = $identity->createCustomer(['name' => 'Template Customer Ltd'], $ctx);
    $hd->createTicket(
        ['customer_id' => (string) $customer['id'], 'subject' => 'Template ticket', 'message' => 'The template message.'],
        $ctx
    );
}

// ---- customers: N/100 (at least 20) ------------------------------------------------------
$customers = max(20, intdiv($n, 100));
$have = $count('customers');
if ($have < $customers) {
    $want = $customers - $have;
    $sql("INSERT INTO {$p}customers (id, name, status, version, created_at, updated_at)
        SELECT UUID(), CONCAT(ELT(1 + seq % 7, 'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne'), ' ', seq, ' Ltd'),
               'active', 1, NOW(6), NOW(6)
        FROM seq_1_to_{$want}");
}

// ---- tickets and their replies -----------------------------------------------------------
$have = $count('tickets');
if ($have < $n) {
    $want = $n - $have;
    $sql('DROP TEMPORARY TABLE IF EXISTS bench_customers');
    $sql("CREATE TEMPORARY TABLE bench_customers (n INT PRIMARY KEY, id CHAR(36) CHARACTER SET ascii NOT NULL)
        SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM {$p}customers");
    $c = $count('customers');
    $rare = intdiv($want, 2);
    $sql("INSERT INTO {$p}tickets (id, customer_id, project_id, subject, priority, channel, assignee_id, status,
            resolved_at, reply_count, first_response_at, sla_timeline, sla_state, sla_due_at, version, created_at, updated_at)
        SELECT UUID(), bc.id, NULL,
               IF(s.seq = {$rare}, CONCAT('Quokka sighting in the office ', s.seq),
                  CONCAT(ELT(1 + s.seq % 5, 'Printer', 'Invoice', 'Login', 'Network', 'Email'), ' problem with the ',
                         ELT(1 + s.seq % 13, 'office', 'laptop', 'server', 'vpn', 'password', 'backup', 'monitor',
                             'phone', 'licence', 'update', 'screen', 'mouse', 'badge'), ' ', s.seq)),
               ELT(1 + s.seq % 4, 'low', 'normal', 'high', 'urgent'),
               ELT(1 + s.seq % 3, 'email', 'phone', 'portal'), NULL,
               ELT(1 + s.seq % 5, 'new', 'open', 'waiting_on_customer', 'resolved', 'closed'),
               IF(s.seq % 5 >= 3, TIMESTAMP('2020-01-01') + INTERVAL s.seq * 30 SECOND, NULL),
               1, NULL, tpl.sla_timeline, NULL, NULL, 1,
               TIMESTAMP('2020-01-01') + INTERVAL s.seq * 30 SECOND, TIMESTAMP('2020-01-01') + INTERVAL s.seq * 30 SECOND
        FROM seq_1_to_{$want} s
        JOIN bench_customers bc ON bc.n = s.seq % {$c}
        CROSS JOIN (SELECT sla_timeline FROM {$p}tickets LIMIT 1) tpl");
    $sql("INSERT INTO {$p}ticket_replies (id, ticket_id, author_kind, author_employee_id, author_contact_id, visibility, body, created_at)
        SELECT UUID(), t.id, 'customer', NULL, NULL, 'public',
               CONCAT('Hello, we looked at the ', ELT(1 + CRC32(t.id) % 11, 'cable', 'driver', 'toner', 'account', 'router',
                      'mailbox', 'disk', 'firmware', 'token', 'socket', 'bracket'), ' and it works again.'),
               t.created_at
        FROM {$p}tickets t WHERE t.reply_count = 1 AND NOT EXISTS (SELECT 1 FROM {$p}ticket_replies r WHERE r.ticket_id = t.id)");
    $sql("ANALYZE TABLE {$p}tickets, {$p}ticket_replies, {$p}customers");
}

fwrite(STDOUT, sprintf("tickets %d, replies %d, customers %d\n", $count('tickets'), $count('ticket_replies'), $count('customers')));
