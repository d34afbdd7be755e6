<?php
/**
 * PHP test suite of the PET extension (pet-php). Plain PHP, no framework:
 *
 *   PET_TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/pet_test \
 *     php -d extension=target/debug/libpet_php.so tests/php/run.php [filter]
 *
 * Every run uses a fresh random table prefix and migrates it first. Ends with the line
 * "N passed, M failed" and exits non-zero on any failure (or when the database or the
 * extension is missing).
 */

declare(strict_types=1);

error_reporting( E_ALL );
ini_set( 'display_errors', 'stderr' );
set_error_handler(
	static function ( int $no, string $str, string $file, int $line ): bool {
		throw new ErrorException( $str, 0, $no, $file, $line );
	}
);

require __DIR__ . '/stub_check.php';

// ---- harness ----------------------------------------------------------------------------

final class AssertionFailed extends Exception {}

final class Harness {
	public static int $passed = 0;
	public static int $failed = 0;
	public static ?string $filter = null;

	public static function finish(): never {
		echo self::$passed, ' passed, ', self::$failed, " failed\n";
		exit( self::$failed > 0 ? 1 : 0 );
	}
}

function test( string $name, callable $body ): void {
	if ( null !== Harness::$filter && ! str_contains( $name, Harness::$filter ) ) {
		return;
	}
	try {
		$body();
		Harness::$passed++;
		echo "ok   $name\n";
	} catch ( Throwable $e ) {
		Harness::$failed++;
		echo "FAIL $name\n     ", get_class( $e ), ': ', $e->getMessage(), "\n     at ", $e->getFile(), ':', $e->getLine(), "\n";
		if ( $e instanceof Pet\ValidationException ) {
			echo '     field errors: ', json_encode( $e->getFieldErrors() ), "\n";
		}
	}
}

function check( bool $cond, string $message ): void {
	if ( ! $cond ) {
		throw new AssertionFailed( $message );
	}
}

function eq( mixed $expected, mixed $actual, string $what = 'value' ): void {
	if ( $expected !== $actual ) {
		throw new AssertionFailed( "$what: expected " . var_export( $expected, true ) . ', got ' . var_export( $actual, true ) );
	}
}

/** Runs $fn, which must throw exactly $class; returns the exception. */
function throws( string $class, callable $fn, string $what = '' ): Throwable {
	try {
		$fn();
	} catch ( Throwable $e ) {
		if ( get_class( $e ) !== $class ) {
			throw new AssertionFailed( "$what: expected $class, got " . get_class( $e ) . ': ' . $e->getMessage() );
		}
		check( '' !== $e->getMessage(), "$what: $class has an empty message" );
		return $e;
	}
	throw new AssertionFailed( "$what: expected $class, nothing was thrown" );
}

// ---- set-up -------------------------------------------------------------------------------

Harness::$filter = $argv[1] ?? null;

if ( ! class_exists( 'Pet\\Engine' ) ) {
	echo "FAIL the pet extension is not loaded: run with php -d extension=target/debug/libpet_php.so\n";
	Harness::$failed++;
	Harness::finish();
}

$url = getenv( 'PET_TEST_DATABASE_URL' );
if ( false === $url || '' === $url ) {
	echo "FAIL PET_TEST_DATABASE_URL is not set: the PHP tests need a MySQL/MariaDB database,\n",
		"     e.g. PET_TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/pet_test\n";
	Harness::$failed++;
	Harness::finish();
}

/** Engine settings from a mysql:// URL plus a table prefix. */
function settings_from_url( string $url, string $prefix ): array {
	$p = parse_url( $url );
	if ( false === $p || ! isset( $p['host'] ) ) {
		throw new RuntimeException( "PET_TEST_DATABASE_URL is not a mysql:// URL: $url" );
	}
	$s = array(
		'host'     => $p['host'],
		'port'     => $p['port'] ?? 3306,
		'user'     => isset( $p['user'] ) ? rawurldecode( $p['user'] ) : 'root',
		'database' => ltrim( rawurldecode( $p['path'] ?? '' ), '/' ),
		'prefix'   => $prefix,
		'pool_max' => 2,
	);
	if ( isset( $p['pass'] ) ) {
		$s['password'] = rawurldecode( $p['pass'] );
	}
	return $s;
}

$prefix   = 't' . bin2hex( random_bytes( 4 ) ) . '_';
$settings = settings_from_url( $url, $prefix );
echo "# database {$settings['host']}:{$settings['port']}/{$settings['database']}, table prefix $prefix\n";

// ---- stubs --------------------------------------------------------------------------------

$stub_files = glob( dirname( __DIR__, 2 ) . '/pet-php/stubs/*.stub.php' );

test(
	'stubs: pet-php/stubs/*.stub.php match the loaded extension',
	static function () use ( $stub_files ): void {
		$diffs = pet_stub_differences( $stub_files );
		check( array() === $diffs, "stub and extension differ:\n       " . implode( "\n       ", $diffs ) );
	}
);

test(
	'stubs: the comparison detects a changed stub',
	static function () use ( $stub_files ): void {
		// Run in a child process: the stub classes can be declared only once per process.
		// Every stub file is copied with the same two changes (each applies to one file only).
		$files = array();
		foreach ( $stub_files as $stub_file ) {
			$src = (string) file_get_contents( $stub_file );
			$src = str_replace( 'public function getEmployee(string $employeeId): array {}', 'public function getEmployee(string $id): ?array {}', $src );
			$src = preg_replace( '/\n\s*public function retryJob\([^)]*\): array \{\}/', '', $src );
			$tmp = tempnam( sys_get_temp_dir(), 'petstub' );
			file_put_contents( $tmp, $src );
			$files[] = $tmp;
		}
		$code = 'require ' . var_export( __DIR__ . '/stub_check.php', true ) . '; echo json_encode(pet_stub_differences(' . var_export( $files, true ) . '));';
		$out  = shell_exec( escapeshellarg( PHP_BINARY ) . ' -d extension=' . escapeshellarg( pet_extension_path() ) . ' -r ' . escapeshellarg( $code ) );
		array_map( 'unlink', $files );
		$diffs = json_decode( (string) $out, true );
		check( is_array( $diffs ), "child process failed: $out" );
		$all = implode( "\n", $diffs );
		check( str_contains( $all, 'getEmployee() parameter #0 $id: name' ), "renamed parameter not reported: $all" );
		check( str_contains( $all, 'getEmployee(): return type ?array in the stub, array in the extension' ), "return type not reported: $all" );
		check( str_contains( $all, 'retryJob() is in the extension but not in the stub' ), "missing method not reported: $all" );
	}
);

/** Path of the loaded extension's shared object (from the process's memory map). */
function pet_extension_path(): string {
	$maps = (string) @file_get_contents( '/proc/self/maps' );
	if ( 1 === preg_match( '#\s(/\S*libpet_php\.so)$#m', $maps, $m ) ) {
		return $m[1];
	}
	return dirname( __DIR__, 2 ) . '/target/debug/libpet_php.so';
}

// ---- exception hierarchy --------------------------------------------------------------------

test(
	'exceptions: hierarchy as in the stub',
	static function (): void {
		eq( 'Exception', get_parent_class( 'Pet\\Exception' ), 'parent of Pet\\Exception' );
		foreach ( array( 'ValidationException', 'InvariantViolationException', 'NotFoundException', 'ConflictException', 'StorageException', 'MigrationException' ) as $c ) {
			eq( 'Pet\\Exception', get_parent_class( "Pet\\$c" ), "parent of Pet\\$c" );
		}
		$e = new Pet\NotFoundException( 'missing', 7 );
		eq( 'missing', $e->getMessage(), 'message' );
		eq( 7, $e->getCode(), 'code' );
		eq( array(), ( new Pet\ValidationException( 'x' ) )->getFieldErrors(), 'field errors of a PHP-built exception' );
	}
);

// ---- engine construction --------------------------------------------------------------------

test(
	'construct: bad settings raise ValidationException naming the setting',
	static function () use ( $settings ): void {
		$cases = array(
			'prefix'   => array( "wp'; DROP TABLE x; --", '', str_repeat( 'a', 33 ), "wp\0", "\xff" ),
			'port'     => array( 'abc', -1, 70000 ),
			'pool_max' => array( 0, 1000, 'x' ),
			'host'     => array( array( 'x' ), 12 ),
		);
		foreach ( $cases as $key => $values ) {
			foreach ( $values as $v ) {
				$e = throws( Pet\ValidationException::class, fn () => new Pet\Engine( array( $key => $v ) + $settings ), "$key=" . var_export( $v, true ) );
				check( array_key_exists( $key, $e->getFieldErrors() ), "$key: field errors " . json_encode( $e->getFieldErrors() ) );
			}
		}
		throws( Pet\ValidationException::class, fn () => new Pet\Engine( array( 'a', 'b' ) ), 'a list' );
		throws( Pet\ValidationException::class, fn () => new Pet\Engine( array( 'host' => new stdClass() ) ), 'object' );
		throws( TypeError::class, fn () => new Pet\Engine( 'mysql://x' ), 'string' );
	}
);

test(
	'construct: unreachable database raises StorageException on first use',
	static function () use ( $settings ): void {
		$bad = new Pet\Identity( array( 'host' => '127.0.0.1', 'port' => 1, 'prefix' => 'nothere_' ) + $settings );
		throws( Pet\StorageException::class, fn () => $bad->listEmployees(), 'listEmployees on port 1' );
	}
);

$engine   = new Pet\Engine( $settings );
$identity = new Pet\Identity( $settings );

test(
	'migrate: applies every migration, then nothing is pending; repeat is a no-op',
	static function () use ( $engine ): void {
		$r = $engine->migrate();
		check( is_array( $r['applied'] ) && count( $r['applied'] ) > 0, 'migrate applied nothing: ' . json_encode( $r ) );
		check( is_string( $r['current'] ), 'current version missing' );
		$again = $engine->migrate();
		eq( array(), $again['applied'], 'second migrate' );
		eq( $r['current'], $again['current'], 'current after second migrate' );
		$s = $engine->migrationStatus();
		eq( false, $s['dirty'], 'dirty' );
		eq( array(), $s['pending'], 'pending' );
		check( count( $s['applied'] ) >= count( $r['applied'] ), 'ledger rows' );
		foreach ( $s['applied'] as $row ) {
			check( true === $row['success'] && 64 === strlen( (string) $row['checksum'] ), 'ledger row ' . json_encode( $row ) );
		}
		$names = array_map( static fn ( $row ) => $row['name'], $s['applied'] );
		eq( end( $names ), Pet\Engine::shippedMigration(), 'shippedMigration is the newest applied' );
	}
);

test(
	'health: ok with every check ok',
	static function () use ( $engine ): void {
		$h = $engine->health();
		eq( true, $h['ok'], 'ok (' . json_encode( $h ) . ')' );
		check( count( $h['checks'] ) > 0, 'no checks' );
		foreach ( $h['checks'] as $name => $c ) {
			check( true === $c['ok'] && is_string( $c['message'] ), "check $name: " . json_encode( $c ) );
		}
	}
);

test(
	'engine: a second Engine with the same settings shares the data',
	static function () use ( $engine, $identity, $settings ): void {
		$other = new Pet\Identity( $settings );
		eq( $identity->listEmployees()['total'], $other->listEmployees()['total'], 'totals' );
	}
);

// ---- fixtures and "nothing written" ----------------------------------------------------------

/** Counts of everything a command could write. */
function snapshot( Pet\Engine $e, Pet\Identity $i ): array {
	return array(
		'events'    => $e->activity( array( 'per_page' => 1 ) )['total'],
		'employees' => $i->listEmployees( array( 'per_page' => 1 ) )['total'],
		'teams'     => $i->listTeams()['total'],
		'customers' => $i->listCustomers( array( 'per_page' => 1 ) )['total'],
		'org'       => $i->listOrgStructureVersions()['total'],
		'jobs'      => $e->listJobs( array( 'per_page' => 1 ) )['total'],
	);
}

/** $fn must throw exactly $class (with $field among the field errors, if given) and write nothing. */
function rejects( Pet\Engine $engine, Pet\Identity $identity, string $class, callable $fn, string $what, ?string $field = null ): Throwable {
	$before = snapshot( $engine, $identity );
	$e      = throws( $class, $fn, $what );
	if ( null !== $field ) {
		check( $e instanceof Pet\ValidationException, "$what: not a validation error" );
		$fe = $e->getFieldErrors();
		check( array_key_exists( $field, $fe ), "$what: field '$field' not in field errors " . json_encode( $fe ) . ' (message: ' . $e->getMessage() . ')' );
		check( '' !== $fe[ $field ], "$what: empty message for $field" );
	}
	eq( $before, snapshot( $engine, $identity ), "$what: something was written" );
	return $e;
}

$huge    = str_repeat( 'x', 1024 * 1024 );
$sqlish  = "Robert'); DROP TABLE wp_users; -- \\ \" `x` %_";
$missing = '01890000-0000-7000-8000-000000000000';

/** Bad values every string field/argument must refuse: label => value. */
function bad_strings( string $huge ): array {
	return array(
		'empty'        => '',
		'invalid utf8' => "ab\xff\xfe",
		'nul byte'     => "a\0b",
		'1 MB'         => $huge,
		'int'          => 42,
		'array'        => array( 'x' ),
		'object'       => new stdClass(),
		'float NAN'    => NAN,
	);
}

$system = array( 'actor_id' => null, 'idempotency_key' => null );

$boss = null;
test(
	'createEmployee: happy path (system actor), shape of the employee',
	static function () use ( $engine, $identity, $system, &$boss ): void {
		$before = snapshot( $engine, $identity );
		$boss   = $identity->createEmployee(
			array(
				'name'       => 'Ada Boss',
				'email'      => 'ada@example.com',
				'wp_user_id' => 1,
				'cost_rate'  => array( 'amount_minor' => 5000, 'currency' => 'EUR', 'effective_from' => '2024-01-01' ),
				'bill_rate'  => array( 'amount_minor' => 12000, 'currency' => 'EUR', 'effective_from' => '2024-01-01' ),
			),
			$system
		);
		check( 1 === preg_match( '/^[0-9a-f-]{36}$/', $boss['id'] ), 'id ' . $boss['id'] );
		eq( 'Ada Boss', $boss['name'], 'name' );
		eq( 'ada@example.com', $boss['email'], 'email' );
		eq( 1, $boss['wp_user_id'], 'wp_user_id' );
		eq( 'active', $boss['status'], 'status' );
		check( is_int( $boss['version'] ) && $boss['version'] >= 1, 'version' );
		eq( 2, count( $boss['rates'] ), 'rates' );
		eq( 5000, $boss['current_cost_rate']['amount_minor'] ?? null, 'current cost rate' );
		eq( 12000, $boss['current_bill_rate']['amount_minor'] ?? null, 'current bill rate' );
		$after = snapshot( $engine, $identity );
		eq( $before['employees'] + 1, $after['employees'], 'employee count' );
		check( $after['events'] > $before['events'], 'no event recorded' );
	}
);
if ( null === $boss ) {
	echo "# cannot continue without an employee\n";
	Harness::finish();
}
$ctx = array( 'actor_id' => $boss['id'], 'idempotency_key' => null );

$emp_input = static fn ( array $over = array() ): array => $over + array(
	'name'  => 'Bob Staff ' . bin2hex( random_bytes( 3 ) ),
	'email' => 'bob' . bin2hex( random_bytes( 3 ) ) . '@example.com',
);

test(
	'createEmployee: every string field refuses bad values and writes nothing',
	static function () use ( $engine, $identity, $ctx, $emp_input, $huge ): void {
		foreach ( array( 'name', 'email' ) as $field ) {
			foreach ( bad_strings( $huge ) as $label => $v ) {
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( $field => $v ) ), $ctx ), "$field $label", $field );
			}
			$input = $emp_input();
			unset( $input[ $field ] );
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $input, $ctx ), "$field missing", $field );
		}
		foreach ( array( "not-an-email'; DROP TABLE x; --", "a\0@b.c", '%_@%_' ) as $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( 'email' => $v ) ), $ctx ), "email $v", 'email' );
		}
		foreach ( array( 'x', -5, 1.5, array( 1 ) ) as $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( 'wp_user_id' => $v ) ), $ctx ), 'wp_user_id ' . json_encode( $v ), 'wp_user_id' );
		}
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( 'cost_rate' => array( 'amount_minor' => -1, 'currency' => 'EUR', 'effective_from' => '2024-01-01' ) ) ), $ctx ), 'negative rate' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( 'cost_rate' => array( 'amount_minor' => 1, 'currency' => "EU'R", 'effective_from' => '2024-01-01' ) ) ), $ctx ), 'bad currency' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( 'cost_rate' => array( 'amount_minor' => 1, 'currency' => 'EUR', 'effective_from' => "2024-13-45'" ) ) ), $ctx ), 'bad date' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( array( 'Bob', 'bob@example.com' ), $ctx ), 'input is a list', 'input' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( array(), $ctx ), 'empty input' );
		rejects( $engine, $identity, TypeError::class, fn () => $identity->createEmployee( 'Bob', $ctx ), 'input is a string' );
		$deep = 1;
		for ( $i = 0; $i < 20; $i++ ) {
			$deep = array( $deep );
		}
		$e = rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( 'deep' => $deep ) ), $ctx ), 'nested too deeply' );
		check( str_starts_with( (string) array_key_first( $e->getFieldErrors() ), 'deep.0.0' ), 'depth error path ' . json_encode( $e->getFieldErrors() ) );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( 'many' => range( 1, 20000 ) ) ), $ctx ), 'too many elements', 'input' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createEmployee( $emp_input( array( "k\xff" => 1 ) ), $ctx ), 'invalid UTF-8 key' );
	}
);

test(
	'commands: bad context refuses and writes nothing',
	static function () use ( $engine, $identity, $emp_input, $missing, $boss ): void {
		$cases = array(
			'actor not a uuid'   => array( array( 'actor_id' => "x'; DROP TABLE y; --" ), Pet\ValidationException::class, 'actor_id' ),
			'actor invalid utf8' => array( array( 'actor_id' => "\xff" ), Pet\ValidationException::class, 'actor_id' ),
			'actor nul'          => array( array( 'actor_id' => $boss['id'] . "\0" ), Pet\ValidationException::class, 'actor_id' ),
			'actor int'          => array( array( 'actor_id' => 5 ), Pet\ValidationException::class, 'actor_id' ),
			'actor empty'        => array( array( 'actor_id' => '' ), Pet\ValidationException::class, 'actor_id' ),
			'key int'            => array( array( 'actor_id' => $boss['id'], 'idempotency_key' => 5 ), Pet\ValidationException::class, 'idempotency_key' ),
			'key 1 MB'           => array( array( 'actor_id' => $boss['id'], 'idempotency_key' => str_repeat( 'k', 1 << 20 ) ), Pet\ValidationException::class, 'idempotency_key' ),
			'context is a list'  => array( array( $boss['id'] ), Pet\ValidationException::class, 'context' ),
		);
		foreach ( $cases as $label => list( $c, $class, $field ) ) {
			rejects( $engine, $identity, $class, fn () => $identity->createEmployee( $emp_input(), $c ), $label, $field );
		}
		$before = snapshot( $engine, $identity );
		try {
			$identity->createEmployee( $emp_input(), array( 'actor_id' => $missing ) );
			throw new AssertionFailed( 'unknown actor accepted' );
		} catch ( Pet\Exception $e ) {
			check( ! ( $e instanceof Pet\StorageException ), 'unknown actor is a storage error: ' . $e->getMessage() );
		}
		eq( $before, snapshot( $engine, $identity ), 'unknown actor wrote something' );
	}
);

test(
	'createEmployee: SQL metacharacters in text are stored verbatim; search treats %_ literally',
	static function () use ( $engine, $identity, $ctx, $sqlish ): void {
		$e = $identity->createEmployee( array( 'name' => $sqlish, 'email' => 'meta' . bin2hex( random_bytes( 3 ) ) . '@example.com' ), $ctx );
		eq( $sqlish, $e['name'], 'name as returned' );
		eq( $sqlish, $identity->getEmployee( $e['id'] )['name'], 'name as read back' );
		$pct = $identity->listEmployees( array( 'search' => '%_' ) );
		check( $pct['total'] >= 1, 'search %_ found nothing' );
		foreach ( $pct['items'] as $item ) {
			check( str_contains( $item['name'] . $item['email'], '%_' ), 'search %_ matched ' . $item['name'] );
		}
		eq( 0, $identity->listEmployees( array( 'search' => "zz'; DROP TABLE x; --" ) )['total'], 'injection-looking search' );
		check( $identity->listEmployees()['total'] >= 2, 'employees table intact' );
	}
);

test(
	'createEmployee: idempotency key replays the first result; other input conflicts',
	static function () use ( $engine, $identity, $boss, $emp_input ): void {
		$c     = array( 'actor_id' => $boss['id'], 'idempotency_key' => 'k-' . bin2hex( random_bytes( 4 ) ) );
		$input = $emp_input();
		$first = $identity->createEmployee( $input, $c );
		$snap  = snapshot( $engine, $identity );
		$again = $identity->createEmployee( $input, $c );
		eq( $first['id'], $again['id'], 'replayed id' );
		eq( $snap, snapshot( $engine, $identity ), 'replay wrote something' );
		rejects( $engine, $identity, Pet\ConflictException::class, fn () => $identity->createEmployee( $emp_input(), $c ), 'same key, other input' );
	}
);

$bob = $identity->createEmployee( $emp_input(), $ctx );

/** Checks the string-id argument of $call (fn(string $id)) against every bad value. */
function id_arg_refuses( Pet\Engine $engine, Pet\Identity $identity, callable $call, string $field, string $huge, string $missing ): void {
	foreach ( array(
		'empty'        => '',
		'not a uuid'   => "'; DROP TABLE wp_users; --",
		'wildcards'    => '%_',
		'invalid utf8' => "\xff\xfe",
		'nul byte'     => "0189\0",
		'1 MB'         => $huge,
	) as $label => $v ) {
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $call( $v ), "$field $label", in_array( $label, array( 'invalid utf8', 'nul byte', '1 MB' ), true ) ? $field : null );
	}
	rejects( $engine, $identity, TypeError::class, fn () => $call( 42 ), "$field int" );
	rejects( $engine, $identity, TypeError::class, fn () => $call( array() ), "$field array" );
	rejects( $engine, $identity, Pet\NotFoundException::class, fn () => $call( $missing ), "$field unknown" );
}

test(
	'getEmployee: happy path and bad ids',
	static function () use ( $engine, $identity, $bob, $huge, $missing ): void {
		$got = $identity->getEmployee( $bob['id'] );
		eq( $bob['id'], $got['id'], 'id' );
		eq( $bob['email'], $got['email'], 'email' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->getEmployee( $id ), 'employee_id', $huge, $missing );
	}
);

test(
	'deactivateEmployee / reactivateEmployee: happy path, invariant on repeat, bad ids',
	static function () use ( $engine, $identity, $ctx, $bob, $huge, $missing ): void {
		eq( 'inactive', $identity->deactivateEmployee( $bob['id'], $ctx )['status'], 'after deactivate' );
		rejects( $engine, $identity, Pet\InvariantViolationException::class, fn () => $identity->deactivateEmployee( $bob['id'], $ctx ), 'deactivate twice' );
		eq( 'active', $identity->reactivateEmployee( $bob['id'], $ctx )['status'], 'after reactivate' );
		rejects( $engine, $identity, Pet\InvariantViolationException::class, fn () => $identity->reactivateEmployee( $bob['id'], $ctx ), 'reactivate twice' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->deactivateEmployee( $id, $ctx ), 'employee_id', $huge, $missing );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->reactivateEmployee( $id, $ctx ), 'employee_id', $huge, $missing );
	}
);

test(
	'commands: an inactive actor can do nothing',
	static function () use ( $engine, $identity, $ctx, $emp_input ): void {
		$carl = $identity->createEmployee( $emp_input(), $ctx );
		$identity->deactivateEmployee( $carl['id'], $ctx );
		$before = snapshot( $engine, $identity );
		try {
			$identity->createCustomer( array( 'name' => 'Nope Ltd' ), array( 'actor_id' => $carl['id'] ) );
			throw new AssertionFailed( 'inactive actor accepted' );
		} catch ( Pet\Exception $e ) {
			check( ! ( $e instanceof Pet\StorageException ), 'inactive actor gave a storage error' );
		}
		eq( $before, snapshot( $engine, $identity ), 'inactive actor wrote something' );
	}
);

test(
	'changeEmployeeRate: happy path and bad input',
	static function () use ( $engine, $identity, $ctx, $bob, $huge, $missing ): void {
		$good = array( 'kind' => 'bill', 'amount_minor' => 9900, 'currency' => 'EUR', 'effective_from' => '2024-02-01' );
		$e    = $identity->changeEmployeeRate( $bob['id'], $good, $ctx );
		eq( 9900, $e['current_bill_rate']['amount_minor'] ?? null, 'current bill rate' );
		foreach ( array( 'kind', 'currency', 'effective_from' ) as $field ) {
			foreach ( bad_strings( $huge ) + array( 'sql' => "x'; DROP TABLE y; --", 'wild' => '%_' ) as $label => $v ) {
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->changeEmployeeRate( $bob['id'], array( $field => $v ) + $good, $ctx ), "$field $label", $field );
			}
		}
		foreach ( array( 'x', -1, 1.5, null ) as $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->changeEmployeeRate( $bob['id'], array( 'amount_minor' => $v ) + $good, $ctx ), 'amount ' . json_encode( $v ), 'amount_minor' );
		}
		$no_kind = $good;
		unset( $no_kind['kind'] );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->changeEmployeeRate( $bob['id'], $no_kind, $ctx ), 'kind missing', 'kind' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->changeEmployeeRate( $id, $good, $ctx ), 'employee_id', $huge, $missing );
	}
);

test(
	'linkEmployeeUser / findEmployeeByUser: link, find, unlink, bad input',
	static function () use ( $engine, $identity, $ctx, $bob, $huge, $missing ): void {
		eq( 4242, $identity->linkEmployeeUser( $bob['id'], 4242, $ctx )['wp_user_id'], 'linked' );
		eq( $bob['id'], $identity->findEmployeeByUser( 4242 )['id'] ?? null, 'found' );
		eq( null, $identity->linkEmployeeUser( $bob['id'], null, $ctx )['wp_user_id'], 'unlinked' );
		eq( null, $identity->findEmployeeByUser( 4242 ), 'not found after unlink' );
		eq( null, $identity->findEmployeeByUser( 987654321 ), 'unknown user' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->linkEmployeeUser( $bob['id'], -3, $ctx ), 'negative user', 'wp_user_id' );
		rejects( $engine, $identity, TypeError::class, fn () => $identity->linkEmployeeUser( $bob['id'], 'x', $ctx ), 'string user' );
		rejects( $engine, $identity, TypeError::class, fn () => $identity->findEmployeeByUser( 'x' ), 'find string' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->linkEmployeeUser( $id, 7, $ctx ), 'employee_id', $huge, $missing );
	}
);

test(
	'listEmployees: paging, status filter, bad query',
	static function () use ( $engine, $identity, $huge ): void {
		$all = $identity->listEmployees( array( 'per_page' => 2, 'page' => 1 ) );
		check( $all['total'] >= 3, 'total' );
		eq( 2, count( $all['items'] ), 'page size' );
		eq( 1, $all['page'], 'page' );
		eq( 2, $all['per_page'], 'per_page' );
		$p2 = $identity->listEmployees( array( 'per_page' => 2, 'page' => 2 ) );
		check( $p2['items'][0]['id'] !== $all['items'][0]['id'], 'page 2 repeats page 1' );
		foreach ( $identity->listEmployees( array( 'status' => 'inactive', 'per_page' => 100 ) )['items'] as $i ) {
			eq( 'inactive', $i['status'], 'status filter' );
		}
		$default = $identity->listEmployees();
		eq( $all['total'], $default['total'], 'no-argument call' );
		foreach ( array(
			'status' => array( 'bogus', "active'--", 5 ),
			'page'   => array( 0, -1, 'x' ),
			'per_page' => array( 0, -1, 'x', 100000 ),
			'search' => array( "\xff", "a\0", $huge, array( 'x' ) ),
		) as $field => $values ) {
			foreach ( $values as $v ) {
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->listEmployees( array( $field => $v ) ), "$field " . substr( var_export( $v, true ), 0, 20 ), $field );
			}
		}
	}
);

// ---- teams ----------------------------------------------------------------------------------

$team = null;
test(
	'createTeam / getTeam / listTeams: happy path with hierarchy',
	static function () use ( $engine, $identity, $ctx, &$team ): void {
		$team  = $identity->createTeam( array( 'name' => 'Delivery' ), $ctx );
		$child = $identity->createTeam( array( 'name' => 'Delivery / Web', 'parent_id' => $team['id'] ), $ctx );
		eq( $team['id'], $child['parent_id'], 'parent' );
		eq( 'active', $team['status'], 'status' );
		eq( array(), $identity->getTeam( $team['id'] )['members'], 'no members yet' );
		$list = $identity->listTeams();
		$ids  = array_column( $list['items'], 'id' );
		check( array_search( $team['id'], $ids, true ) < array_search( $child['id'], $ids, true ), 'hierarchy order' );
		$depth = array_column( $list['items'], 'depth', 'id' );
		eq( $depth[ $team['id'] ] + 1, $depth[ $child['id'] ], 'depth' );
	}
);

test(
	'createTeam: bad input refuses and writes nothing',
	static function () use ( $engine, $identity, $ctx, $huge, $missing, $team ): void {
		foreach ( bad_strings( $huge ) as $label => $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createTeam( array( 'name' => $v ), $ctx ), "name $label", 'name' );
		}
		foreach ( array( "x'; DROP TABLE t; --", '%_', "\xff", '' ) as $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createTeam( array( 'name' => 'T', 'parent_id' => $v ), $ctx ), 'parent ' . bin2hex( $v ), 'parent_id' );
		}
		rejects( $engine, $identity, Pet\NotFoundException::class, fn () => $identity->createTeam( array( 'name' => 'T', 'parent_id' => $missing ), $ctx ), 'unknown parent' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createTeam( array(), $ctx ), 'no name', 'name' );
		$t = $identity->createTeam( array( 'name' => "O'Brien; DROP TABLE teams; -- %_" ), $ctx );
		eq( "O'Brien; DROP TABLE teams; -- %_", $identity->getTeam( $t['id'] )['name'], 'verbatim name' );
	}
);

test(
	'moveTeam: moves, refuses cycles, bad ids',
	static function () use ( $engine, $identity, $ctx, $huge, $missing ): void {
		$a = $identity->createTeam( array( 'name' => 'A' ), $ctx );
		$b = $identity->createTeam( array( 'name' => 'B' ), $ctx );
		eq( $a['id'], $identity->moveTeam( $b['id'], $a['id'], $ctx )['parent_id'], 'moved under A' );
		rejects( $engine, $identity, Pet\InvariantViolationException::class, fn () => $identity->moveTeam( $a['id'], $b['id'], $ctx ), 'cycle' );
		rejects( $engine, $identity, Pet\InvariantViolationException::class, fn () => $identity->moveTeam( $a['id'], $a['id'], $ctx ), 'self parent' );
		eq( null, $identity->moveTeam( $b['id'], null, $ctx )['parent_id'], 'moved to top' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->moveTeam( $id, null, $ctx ), 'team_id', $huge, $missing );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->moveTeam( $b['id'], $id, $ctx ), 'parent_id', $huge, $missing );
	}
);

$membership = null;
test(
	'addTeamMember / removeTeamMember: happy path and bad input',
	static function () use ( $engine, $identity, $ctx, $bob, $huge, $missing, &$membership ): void {
		$t    = $identity->createTeam( array( 'name' => 'Support' ), $ctx );
		$good = array( 'employee_id' => $bob['id'], 'role' => 'lead', 'valid_from' => '2024-01-01' );
		$got  = $identity->addTeamMember( $t['id'], $good, $ctx );
		eq( 1, count( $got['members'] ), 'members' );
		$m = $got['members'][0];
		eq( $bob['id'], $m['employee_id'], 'member' );
		eq( 'lead', $m['role'], 'role' );
		eq( null, $m['valid_to'], 'open membership' );
		$membership = array( $t['id'], $m['id'] );
		foreach ( array( 'employee_id', 'role', 'valid_from' ) as $field ) {
			foreach ( bad_strings( $huge ) + array( 'sql' => "x'; DROP TABLE y; --", 'wild' => '%_' ) as $label => $v ) {
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->addTeamMember( $t['id'], array( $field => $v ) + $good, $ctx ), "$field $label", $field );
			}
		}
		rejects( $engine, $identity, Pet\NotFoundException::class, fn () => $identity->addTeamMember( $t['id'], array( 'employee_id' => $missing ) + $good, $ctx ), 'unknown employee' );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->addTeamMember( $t['id'], array( 'valid_to' => '2023-01-01' ) + $good, $ctx ), 'valid_to before valid_from' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->addTeamMember( $id, $good, $ctx ), 'team_id', $huge, $missing );

		$removed = $identity->removeTeamMember( $t['id'], $m['id'], array( 'valid_to' => '2024-06-30' ), $ctx );
		eq( '2024-06-30', $removed['members'][0]['valid_to'] ?? null, 'ended membership' );
		foreach ( bad_strings( $huge ) as $label => $v ) {
			if ( 'empty' === $label ) {
				continue;
			}
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->removeTeamMember( $t['id'], $m['id'], array( 'valid_to' => $v ), $ctx ), "valid_to $label", 'valid_to' );
		}
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->removeTeamMember( $t['id'], $id, array(), $ctx ), 'membership_id', $huge, $missing );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->removeTeamMember( $id, $m['id'], array(), $ctx ), 'team_id', $huge, $missing );
	}
);

test(
	'archiveTeam: archives once, bad ids',
	static function () use ( $engine, $identity, $ctx, $huge, $missing ): void {
		$t = $identity->createTeam( array( 'name' => 'Temp' ), $ctx );
		eq( 'archived', $identity->archiveTeam( $t['id'], $ctx )['status'], 'archived' );
		rejects( $engine, $identity, Pet\InvariantViolationException::class, fn () => $identity->archiveTeam( $t['id'], $ctx ), 'archive twice' );
		foreach ( $identity->listTeams( array( 'status' => 'archived' ) )['items'] as $i ) {
			eq( 'archived', $i['status'], 'status filter' );
		}
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->archiveTeam( $id, $ctx ), 'team_id', $huge, $missing );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->getTeam( $id ), 'team_id', $huge, $missing );
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->listTeams( array( 'status' => "x'--" ) ), 'bad status', 'status' );
	}
);

// ---- org structure ----------------------------------------------------------------------------

test(
	'publishOrgStructure / listOrgStructureVersions: publish now, schedule, bad input',
	static function () use ( $engine, $identity, $ctx, $huge ): void {
		$now = $identity->publishOrgStructure( array( 'effective_at' => gmdate( 'Y-m-d\TH:i:s\Z', time() - 60 ), 'note' => "Q1 'reorg' %_" ), $ctx );
		eq( 'published', $now['status'], 'status' );
		eq( "Q1 'reorg' %_", $now['note'], 'note verbatim' );
		$later = $identity->publishOrgStructure( array( 'effective_at' => gmdate( 'Y-m-d\TH:i:s\Z', time() + 86400 * 30 ) ), $ctx );
		eq( 'scheduled', $later['status'], 'future status' );
		eq( array(), $now['actions'], 'a published version takes nothing' );
		eq( array( 'publish_due' ), $later['actions'], 'a scheduled version is published once due' );
		eq( array( 'active', 'archived' ), $identity->identityOptions()['team_status'], 'team filter values' );
		eq( array( 'scheduled', 'published' ), $identity->identityOptions()['org_version_status'], 'org version statuses' );
		eq( $now['number'] + 1, $later['number'], 'numbering' );
		check( $identity->listOrgStructureVersions()['total'] >= 2, 'listed' );
		foreach ( bad_strings( $huge ) + array( 'not a date' => "2024-01-01'; --", 'wild' => '%_' ) as $label => $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->publishOrgStructure( array( 'effective_at' => $v ), $ctx ), "effective_at $label", 'effective_at' );
		}
		foreach ( array( 'invalid utf8' => "\xff", 'nul' => "a\0", '1 MB' => $huge, 'int' => 5 ) as $label => $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->publishOrgStructure( array( 'effective_at' => gmdate( 'Y-m-d\TH:i:s\Z' ), 'note' => $v ), $ctx ), "note $label", 'note' );
		}
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->listOrgStructureVersions( array( 'page' => 'x' ) ), 'bad page', 'page' );
	}
);

// ---- customers --------------------------------------------------------------------------------

test(
	'createCustomer / addContact / getCustomer / listCustomers / archiveCustomer: happy path',
	static function () use ( $engine, $identity, $ctx, $sqlish ): void {
		$c = $identity->createCustomer( array( 'name' => $sqlish ), $ctx );
		eq( $sqlish, $c['name'], 'verbatim name' );
		eq( 'active', $c['status'], 'status' );
		$with = $identity->addContact( $c['id'], array( 'name' => 'Grace', 'email' => 'grace@example.com', 'phone' => '+44 20 7946 0000' ), $ctx );
		eq( 1, count( $with['contacts'] ), 'contacts' );
		eq( 'grace@example.com', $with['contacts'][0]['email'], 'contact email' );
		$minimal = $identity->addContact( $c['id'], array( 'name' => 'Hopper' ), $ctx );
		check( array_key_exists( 'email', $minimal['contacts'][1] ), 'contact without email has no email key' );
		eq( null, $minimal['contacts'][1]['email'], 'optional email' );
		eq( 2, count( $identity->getCustomer( $c['id'] )['contacts'] ), 'read back' );
		check( $identity->listCustomers( array( 'search' => 'DROP TABLE' ) )['total'] >= 1, 'search' );
		eq( 'archived', $identity->archiveCustomer( $c['id'], $ctx )['status'], 'archived' );
		foreach ( $identity->listCustomers( array( 'status' => 'archived' ) )['items'] as $i ) {
			eq( 'archived', $i['status'], 'status filter' );
		}
	}
);

test(
	'customers: bad input refuses and writes nothing',
	static function () use ( $engine, $identity, $ctx, $huge, $missing ): void {
		foreach ( bad_strings( $huge ) as $label => $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->createCustomer( array( 'name' => $v ), $ctx ), "name $label", 'name' );
		}
		$c = $identity->createCustomer( array( 'name' => 'Acme' ), $ctx );
		foreach ( bad_strings( $huge ) as $label => $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->addContact( $c['id'], array( 'name' => $v ), $ctx ), "contact name $label", 'name' );
			if ( 'empty' !== $label ) {
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->addContact( $c['id'], array( 'name' => 'X', 'email' => $v ), $ctx ), "contact email $label", 'email' );
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->addContact( $c['id'], array( 'name' => 'X', 'phone' => $v ), $ctx ), "contact phone $label", 'phone' );
			}
		}
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->addContact( $c['id'], array( 'name' => 'X', 'email' => "x'; DROP TABLE c; --" ), $ctx ), 'contact email sql', 'email' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->addContact( $id, array( 'name' => 'X' ), $ctx ), 'customer_id', $huge, $missing );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->getCustomer( $id ), 'customer_id', $huge, $missing );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $identity->archiveCustomer( $id, $ctx ), 'customer_id', $huge, $missing );
		$identity->archiveCustomer( $c['id'], $ctx );
		rejects( $engine, $identity, Pet\InvariantViolationException::class, fn () => $identity->archiveCustomer( $c['id'], $ctx ), 'archive twice' );
		foreach ( array( 'search' => "\xff", 'status' => 'bogus', 'page' => -1 ) as $field => $v ) {
			rejects( $engine, $identity, Pet\ValidationException::class, fn () => $identity->listCustomers( array( $field => $v ) ), "list $field", $field );
		}
	}
);

// ---- activity ---------------------------------------------------------------------------------

test(
	'activity: newest first, one line per event, filters and paging',
	static function () use ( $engine, $boss, $bob, $team ): void {
		$feed = $engine->activity( array( 'per_page' => 5 ) );
		check( $feed['total'] > 5, 'total' );
		eq( 5, count( $feed['items'] ), 'page size' );
		$seq = array_column( $feed['items'], 'sequence' );
		$sorted = $seq;
		rsort( $sorted );
		eq( $sorted, $seq, 'newest first' );
		foreach ( $feed['items'] as $i ) {
			check( is_string( $i['line'] ) && '' !== $i['line'], 'line' );
			check( is_string( $i['event_type'] ) && is_string( $i['occurred_at'] ), 'fields' );
		}
		$by_boss = $engine->activity( array( 'actor_id' => $boss['id'], 'per_page' => 100 ) );
		foreach ( $by_boss['items'] as $i ) {
			eq( $boss['id'], $i['actor_id'], 'actor filter' );
		}
		$of_bob = $engine->activity( array( 'context_type' => 'employee', 'context_id' => $bob['id'], 'per_page' => 100 ) );
		check( $of_bob['total'] >= 3, 'bob has created/deactivated/reactivated events, got ' . $of_bob['total'] );
		foreach ( $of_bob['items'] as $i ) {
			eq( $bob['id'], $i['context_id'], 'context filter' );
		}
		$today = gmdate( 'Y-m-d' );
		eq( $feed['total'], $engine->activity( array( 'from' => $today, 'to' => $today ) )['total'], 'date filter (all today)' );
		eq( 0, $engine->activity( array( 'to' => '2000-01-01' ) )['total'], 'date filter (none then)' );
	}
);

test(
	'activity: bad query refuses',
	static function () use ( $engine, $identity, $huge ): void {
		foreach ( array(
			'context_id' => array( "x'; DROP TABLE e; --", "\xff", $huge ),
			'actor_id'   => array( '%_', "a\0" ),
			'from'       => array( 'yesterday', "2024-01-01'--" ),
			'to'         => array( array( 'x' ), 'not-a-date' ),
			'page'       => array( 0, 'x' ),
			'per_page'   => array( -5, 1000000 ),
			'context_type' => array( "\xff", 5 ),
		) as $field => $values ) {
			foreach ( $values as $v ) {
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $engine->activity( array( $field => $v ) ), "$field " . bin2hex( substr( is_string( $v ) ? $v : json_encode( $v ), 0, 10 ) ), $field );
			}
		}
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $engine->activity( array( 'x', 'y' ) ), 'query is a list', 'query' );
	}
);

// ---- jobs -------------------------------------------------------------------------------------

test(
	'runJobs / listJobs / retryJob: run, list, bad input',
	static function () use ( $engine, $identity, $ctx, $huge, $missing ): void {
		$r = $engine->runJobs( array( 'max_jobs' => 10, 'max_seconds' => 5 ) );
		foreach ( array( 'claimed', 'succeeded', 'failed', 'dead' ) as $k ) {
			check( is_int( $r[ $k ] ) && $r[ $k ] >= 0, "$k: " . json_encode( $r ) );
		}
		check( is_bool( $r['skipped_locked'] ), 'skipped_locked' );
		$all = $engine->listJobs();
		check( is_int( $all['total'] ), 'total' );
		foreach ( $engine->listJobs( array( 'status' => 'done', 'per_page' => 100 ) )['items'] as $j ) {
			eq( 'done', $j['status'], 'status filter' );
		}
		foreach ( array( 'max_jobs' => array( -1, 'x' ), 'max_seconds' => array( -1, 'x' ) ) as $field => $values ) {
			foreach ( $values as $v ) {
				rejects( $engine, $identity, Pet\ValidationException::class, fn () => $engine->runJobs( array( $field => $v ) ), "runJobs $field", $field );
			}
		}
		rejects( $engine, $identity, Pet\ValidationException::class, fn () => $engine->listJobs( array( 'status' => "dead'--" ) ), 'listJobs status', 'status' );
		id_arg_refuses( $engine, $identity, fn ( $id ) => $engine->retryJob( $id, $ctx ), 'job_id', $huge, $missing );
	}
);

test(
	'results: values come back as PHP scalars and arrays (no objects)',
	static function () use ( $engine, $identity, $boss ): void {
		$walk = static function ( $v ) use ( &$walk ): void {
			check( ! is_object( $v ) && ! is_resource( $v ), 'object in result' );
			if ( is_array( $v ) ) {
				array_map( $walk, $v );
			}
		};
		$walk( $identity->getEmployee( $boss['id'] ) );
		$walk( $engine->activity() );
		$walk( $identity->listTeams() );
	}
);

// Feature modules' suites (tests/php/modules/*.php) run in this scope: they may use $settings,
// $engine, $boss, $ctx and the helpers above.
foreach ( glob( __DIR__ . '/modules/*.php' ) ?: array() as $pet_module_suite ) {
	require $pet_module_suite;
}

Harness::finish();
