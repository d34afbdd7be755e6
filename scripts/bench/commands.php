<?php
/**
 * Command rate through the PHP API (issue "Flat at any size"): createCustomer, createTicket
 * and createQuote from one PHP process (p50/p95 of each call) and from PROCS processes at
 * once (commands per second), each next to a raw INSERT of the same row shape through
 * mysqli (prepared statement, autocommit) — what the database alone costs.
 *
 *   cargo build --release -p pet-php
 *   PET_EXT=target/release/libpet_php.so PET_TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/pet_bench \
 *     php -d extension=target/release/libpet_php.so scripts/bench/commands.php [N] [PROCS]
 *
 * N commands of each kind (default 2000) in the single process; PROCS processes (default 4)
 * run N createTicket calls each for the rate. Uses a fresh random table prefix (migrated
 * first) and drops nothing (inspect it afterwards if you like). Target: p50 <= 1 ms for each
 * command (release build, loopback MariaDB).
 */

declare(strict_types=1);

$url = getenv('PET_TEST_DATABASE_URL');
$ext = (string) getenv('PET_EXT');
if (false === $url || '' === $url || '' === $ext || !class_exists('Pet\\Engine') || !class_exists('mysqli')) {
    fwrite(STDERR, "commands.php: needs the pet extension loaded, PET_EXT (its path, for the worker processes), php-mysql and PET_TEST_DATABASE_URL\n");
    exit(2);
}
$u = parse_url($url);
$settings = [
    'host' => $u['host'] ?? '127.0.0.1',
    'port' => $u['port'] ?? 3306,
    'user' => isset($u['user']) ? rawurldecode($u['user']) : 'root',
    'password' => isset($u['pass']) ? rawurldecode($u['pass']) : '',
    'database' => ltrim(rawurldecode($u['path'] ?? ''), '/'),
];
$mode = $argv[1] ?? '';
$ctx = ['actor_id' => null];

/** p50/p95 of a list of seconds, in ms. */
function pct(array $t): array
{
    sort($t);
    $at = static fn (float $q): float => $t[(int) round((count($t) - 1) * $q)] * 1000;
    return [$at(0.5), $at(0.95)];
}

function raw_conn(array $s): mysqli
{
    $m = new mysqli($s['host'], $s['user'], $s['password'], $s['database'], (int) $s['port']);
    $m->query('CREATE TABLE IF NOT EXISTS pet_bench_raw (id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL, status VARCHAR(16) NOT NULL, version BIGINT UNSIGNED NOT NULL,
        created_at DATETIME(6) NOT NULL, updated_at DATETIME(6) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
    return $m;
}

/** N raw INSERTs (one per transaction, autocommit); their durations. */
function raw_inserts(mysqli $m, int $n): array
{
    $st = $m->prepare('INSERT INTO pet_bench_raw (id, name, status, version, created_at, updated_at) VALUES (UUID(), ?, ?, 1, NOW(6), NOW(6))');
    $name = 'Raw Ltd';
    $status = 'active';
    $st->bind_param('ss', $name, $status);
    $t = [];
    for ($i = 0; $i < $n; $i++) {
        $s = hrtime(true);
        $st->execute();
        $t[] = (hrtime(true) - $s) / 1e9;
    }
    return $t;
}

if ('worker' === $mode) {
    // A child of the rate run: N createTicket (or raw INSERT) calls, then its duration.
    [$_, $_, $kind, $prefix, $n, $customer, $actor_id] = $argv;
    $ctx = ['actor_id' => $actor_id];
    $settings['prefix'] = $prefix;
    $n = (int) $n;
    $start = hrtime(true);
    if ('raw' === $kind) {
        raw_inserts(raw_conn($settings), $n);
    } else {
        $hd = new Pet\Helpdesk($settings);
        for ($i = 0; $i < $n; $i++) {
            $hd->createTicket(['customer_id' => $customer, 'subject' => "Rate ticket {$i}"], $ctx);
        }
    }
    echo (hrtime(true) - $start) / 1e9, "\n";
    exit(0);
}

$n = max(100, (int) ($argv[1] ?? 2000));
$procs = max(1, (int) ($argv[2] ?? 4));
$settings['prefix'] = 'c' . bin2hex(random_bytes(4)) . '_';
(new Pet\Engine($settings))->migrate();
$identity = new Pet\Identity($settings);
$hd = new Pet\Helpdesk($settings);
$sales = new Pet\Sales($settings);

// The actor: the first employee (created by the system, as the plugin's activation does).
$actor = $identity->createEmployee(['name' => 'Bench Mark', 'email' => 'bench@example.com'], ['actor_id' => null]);
$ctx = ['actor_id' => $actor['id']];

// Warm-up: runtime, pool, prepared statements.
$customer = $identity->createCustomer(['name' => 'Bench Customer Ltd'], $ctx);
for ($i = 0; $i < 100; $i++) {
    $hd->createTicket(['customer_id' => $customer['id'], 'subject' => "Warm-up {$i}"], $ctx);
}
$lead = $sales->createLead(['customer_id' => $customer['id'], 'source' => 'bench'], $ctx);
$sales->contactLead($lead['id'], [], $ctx);
$sales->qualifyLead($lead['id'], ['need' => 'bench'], $ctx);
$opp = $sales->createOpportunity([
    'lead_id' => $lead['id'], 'title' => 'Bench deal',
    'expected_value' => ['amount' => '1000', 'currency' => 'EUR'], 'expected_close' => '2030-01-01',
], $ctx);

$timed = static function (callable $f) use ($n): array {
    $t = [];
    for ($i = 0; $i < $n; $i++) {
        $s = hrtime(true);
        $f($i);
        $t[] = (hrtime(true) - $s) / 1e9;
    }
    return pct($t);
};
$rows = [
    'createCustomer' => $timed(static fn ($i) => $identity->createCustomer(['name' => "Bench {$i} Ltd"], $ctx)),
    'createTicket' => $timed(static fn ($i) => $hd->createTicket(['customer_id' => $customer['id'], 'subject' => "Bench ticket {$i}"], $ctx)),
    'createQuote' => $timed(static fn ($i) => $sales->createQuote(['opportunity_id' => $opp['id'], 'title' => "Option {$i}"], $ctx)),
    'raw INSERT (mysqli)' => pct(raw_inserts(raw_conn($settings), $n)),
];
printf("one process, %d calls each (ms)   %8s %8s\n", $n, 'p50', 'p95');
foreach ($rows as $what => [$p50, $p95]) {
    printf("  %-30s %8.3f %8.3f\n", $what, $p50, $p95);
}

// The rate from $procs processes at once.
$rate = static function (string $kind) use ($procs, $n, $settings, $customer, $ext, $actor): float {
    $start = hrtime(true);
    $children = [];
    $outs = [];
    for ($w = 0; $w < $procs; $w++) {
        $cmd = [PHP_BINARY, '-d', 'extension=' . $ext, __FILE__, 'worker', $kind, $settings['prefix'], (string) $n, $customer['id'], $actor['id']];
        $children[] = proc_open($cmd, [1 => ['pipe', 'w']], $pipes);
        $outs[] = $pipes[1];
    }
    foreach ($children as $i => $c) {
        stream_get_contents($outs[$i]);
        proc_close($c);
    }
    return $procs * $n / ((hrtime(true) - $start) / 1e9);
};
printf("%d processes at once, %d calls each      per second\n", $procs, $n);
printf("  %-30s %8.0f\n", 'createTicket', $rate('ticket'));
printf("  %-30s %8.0f\n", 'raw INSERT (mysqli)', $rate('raw'));
