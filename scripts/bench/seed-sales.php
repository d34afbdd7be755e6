<?php
/**
 * Seeds leads and quotes into a running PET site through the real commands of the PHP
 * extension (Pet\Sales), with the site's own settings (wp-config.php) and the admin's
 * employee as the actor. Used by scripts/bench/screens; one process per worker.
 *
 * Usage: php -d extension=libpet_php.so seed-sales.php WP_DIR count
 *        php -d extension=libpet_php.so seed-sales.php WP_DIR seed LEADS QUOTES WORKER WORKERS
 *
 * `count` prints "LEADS QUOTES" (the totals in the site). `seed` creates this worker's share
 * (every WORKERS-th item starting at WORKER) of LEADS new leads (createLead) and of QUOTES
 * quotes (createQuote), the quotes spread over opportunities of 50 quotes each (every
 * opportunity from its own lead: contactLead, qualifyLead, createOpportunity). The API has
 * no batch command, so each item is one command (one transaction).
 */

declare(strict_types=1);

$dir = $argv[1] ?? '';
$mode = $argv[2] ?? '';
if ($dir === '' || !is_file($dir . '/wp-config.php') || !in_array($mode, ['count', 'seed'], true)) {
    fwrite(STDERR, "usage: seed-sales.php WP_DIR count | seed LEADS QUOTES WORKER WORKERS\n");
    exit(2);
}
if (!class_exists('Pet\\Sales')) {
    fwrite(STDERR, "the PET extension is not loaded (php -d extension=...)\n");
    exit(2);
}

$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
require $dir . '/wp-load.php';

// An uncaught Pet\Exception is printed as text by the plugin's CLI handler (Plugin::cli_uncaught).
$sales = new \Pet\Sales(\PetWp\Plugin::engine_settings());

if ($mode === 'count') {
    // Exact counts (the lists count only up to 10,000: "more than"), from the state tables.
    global $wpdb;
    $leads = (int) $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->prefix}pet_leads");
    $quotes = (int) $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->prefix}pet_quotes");
    fwrite(STDOUT, $leads . ' ' . $quotes . "\n");
    exit(0);
}

[$leads, $quotes, $worker, $workers] = array_map('intval', array_slice($argv, 3, 4));
if ($workers < 1 || $worker < 0 || $worker >= $workers || $leads < 0 || $quotes < 0) {
    fwrite(STDERR, "bad LEADS QUOTES WORKER WORKERS\n");
    exit(2);
}
$admin = get_user_by('login', (string) (getenv('PET_BENCH_USER') ?: 'admin'));
if (!$admin) {
    fwrite(STDERR, "the admin user does not exist\n");
    exit(1);
}
wp_set_current_user($admin->ID);
$ctx = \PetWp\Plugin::instance()->context();
$tag = bin2hex(random_bytes(3));

$sources = ['website', 'referral', 'fair', 'partner', 'phone'];

// The site's current lead schema may require custom fields (the demo's requires
// `employees`): give every required field a value of its type.
$custom = [];
$schema = $sales->getLeadSchema(null);
foreach ((array) ($schema['fields'] ?? []) as $field) {
    if (empty($field['required'])) {
        continue;
    }
    $options = array_values((array) ($field['options'] ?? []));
    $custom[(string) $field['key']] = match ((string) $field['type']) {
        'number' => 25,
        'date' => '2030-01-01',
        'bool' => true,
        'select' => $options[0] ?? '',
        'multiselect' => array_slice($options, 0, 1),
        default => 'bench',
    };
}
$lead_input = static fn (array $input): array => $custom === [] ? $input : $input + ['custom_fields' => $custom];
$started = microtime(true);
$done = 0;
$progress = static function (string $what) use (&$done, $started, $worker): void {
    $done++;
    if ($done % 2000 === 0) {
        fwrite(STDERR, sprintf("  worker %d: %d %s (%.0f/s)\n", $worker, $done, $what, $done / (microtime(true) - $started)));
    }
};

// Leads: new companies, a mix of sources; every fifth is contacted.
for ($i = $worker; $i < $leads; $i += $workers) {
    $lead = $sales->createLead(
        $lead_input(['customer_name' => "Bench company {$tag}-{$i}", 'source' => $sources[$i % count($sources)]]),
        $ctx
    );
    if ($i % 5 === 0) {
        $sales->contactLead($lead['id'], ['note' => 'called back'], $ctx);
    }
    $progress('leads');
}

// Quotes: 50 per opportunity.
$per_opportunity = 50;
$opportunities = intdiv($quotes + $per_opportunity - 1, $per_opportunity);
$done = 0;
for ($o = $worker; $o < $opportunities; $o += $workers) {
    $lead = $sales->createLead($lead_input(['customer_name' => "Bench customer {$tag}-{$o}", 'source' => 'referral']), $ctx);
    $sales->contactLead($lead['id'], [], $ctx);
    $sales->qualifyLead($lead['id'], ['need' => 'support contract'], $ctx);
    $opp = $sales->createOpportunity(
        [
            'lead_id' => $lead['id'],
            'title' => "Support contract {$o}",
            'expected_value' => ['amount_minor' => 1200000, 'currency' => 'EUR'],
            'expected_close' => '2030-01-01',
        ],
        $ctx
    );
    $n = min($per_opportunity, $quotes - $o * $per_opportunity);
    for ($q = 0; $q < $n; $q++) {
        $sales->createQuote(['opportunity_id' => $opp['id'], 'title' => "Support contract {$o} option {$q}"], $ctx);
        $progress('quotes');
    }
}
fwrite(STDERR, sprintf("  worker %d finished in %.0f s\n", $worker, microtime(true) - $started));
