<?php
/**
 * A command-line script that loads WordPress and hits an uncaught Pet\Exception prints the
 * exception's class, message and field errors as text on STDERR and exits 1 — not
 * WordPress's HTML error page (issue: flat at any size, "CLI entry points print the
 * Pet\Exception message").
 */

declare(strict_types=1);

$script = tempnam(sys_get_temp_dir(), 'pet-cli-') . '.php';
file_put_contents($script, <<<'PHP'
<?php
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
require $argv[1] . '/wp-load.php';
$identity = new \Pet\Identity(\PetWp\Plugin::engine_settings());
echo "loaded\n";
$identity->createCustomer(['name' => ''], ['actor_id' => null]);
echo "not reached\n";
PHP);

$cmd = [PHP_BINARY, '-d', 'extension=' . getenv('PET_EXT'), '-d', 'display_errors=stderr', $script, ABSPATH];
$proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
fclose($pipes[1]);
fclose($pipes[2]);
$rc = proc_close($proc);
unlink($script);

check('the script ran up to the failing command', str_contains($out, 'loaded') && !str_contains($out, 'not reached'), $out);
check('an uncaught Pet exception exits with status 1', 1 === $rc, "exit {$rc}");
check('STDERR names the exception class and message', str_contains($err, 'Pet\\ValidationException: '), $err);
check('STDERR lists the field errors', 1 === preg_match('/^  name: .+$/m', $err), $err);
check('no HTML error page is printed', !str_contains($out . $err, '<html') && !str_contains($out . $err, 'critical error'), $out . $err);
