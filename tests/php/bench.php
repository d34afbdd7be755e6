<?php
/**
 * Read latency through the extension: getEmployee() on one employee, in a loop, on loopback.
 *
 *   PET_TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/pet_test \
 *     php -d extension=target/release/libpet_php.so tests/php/bench.php [iterations]
 *
 * Uses a fresh random table prefix (migrated first). Prints p50/p95/p99 in milliseconds;
 * the target is p50 <= 0.5 ms. Exits 1 when the database is not configured.
 */

declare(strict_types=1);

$url = getenv( 'PET_TEST_DATABASE_URL' );
if ( false === $url || '' === $url || ! class_exists( 'Pet\\Engine' ) ) {
	fwrite( STDERR, "bench: needs the pet extension loaded and PET_TEST_DATABASE_URL set\n" );
	exit( 1 );
}
$p        = parse_url( $url );
$settings = array(
	'host'     => $p['host'] ?? '127.0.0.1',
	'port'     => $p['port'] ?? 3306,
	'user'     => isset( $p['user'] ) ? rawurldecode( $p['user'] ) : 'root',
	'database' => ltrim( rawurldecode( $p['path'] ?? '' ), '/' ),
	'prefix'   => 'b' . bin2hex( random_bytes( 4 ) ) . '_',
);
if ( isset( $p['pass'] ) ) {
	$settings['password'] = rawurldecode( $p['pass'] );
}
$n        = max( 100, (int) ( $argv[1] ?? 5000 ) );
$engine   = new Pet\Engine( $settings );
$identity = new Pet\Identity( $settings );
$engine->migrate();
$emp = $identity->createEmployee(
	array( 'name' => 'Bench Mark', 'email' => 'bench@example.com' ),
	array( 'actor_id' => null, 'idempotency_key' => null )
);
$id = $emp['id'];

for ( $i = 0; $i < 200; $i++ ) { // warm-up: runtime, pool, prepared statements
	$identity->getEmployee( $id );
}
$samples = array();
for ( $i = 0; $i < $n; $i++ ) {
	$t0 = hrtime( true );
	$identity->getEmployee( $id );
	$samples[] = ( hrtime( true ) - $t0 ) / 1e6;
}
sort( $samples );
$pct = static fn ( float $q ): float => $samples[ min( count( $samples ) - 1, (int) floor( $q * count( $samples ) ) ) ];
$so  = '';
if ( 1 === preg_match( '#\s(/\S*libpet_php\.so)$#m', (string) @file_get_contents( '/proc/self/maps' ), $m ) ) {
	$so = $m[1];
}
printf(
	"getEmployee x %d (%s): p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.3f ms (target p50 <= 0.5 ms: %s)\n",
	$n,
	$so,
	$pct( 0.50 ),
	$pct( 0.95 ),
	$pct( 0.99 ),
	end( $samples ),
	$pct( 0.50 ) <= 0.5 ? 'met' : 'NOT met'
);
