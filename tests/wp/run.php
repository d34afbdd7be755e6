<?php
/**
 * Test harness for the WordPress plugin (no WordPress test library needed): runs every case in
 * tests/wp/cases in its own PHP process against the test WordPress given as argument (normally
 * .pet/e2e, freshly installed by scripts/test). Cases named "*-noext-*" run WITHOUT the PET
 * extension; cases named "*-oldext-*" run without it but with tests/wp/old-extension.php
 * prepended (a stand-in for an extension build older than the plugin); the others load it
 * from env PET_EXT. Cases named "*-multisite-*" run against the multisite network in env
 * PET_WP_MULTISITE_DIR instead. Prints "N passed, M failed"; exit 1 on failure.
 *
 * Usage: PET_EXT=target/debug/libpet_php.so PET_WP_MULTISITE_DIR=.pet/e2e-multisite php tests/wp/run.php .pet/e2e
 */

declare(strict_types=1);

$wp_dir = $argv[1] ?? '';
if ('' === $wp_dir || !is_file($wp_dir . '/wp-config.php')) {
    fwrite(STDERR, "usage: php tests/wp/run.php WP_DIR\n");
    exit(2);
}
$wp_dir = realpath($wp_dir);
$ext = (string) getenv('PET_EXT');
if ('' === $ext || !is_file($ext)) {
    fwrite(STDERR, "env PET_EXT must name the built extension (libpet_php.so)\n");
    exit(2);
}

$cases = glob(__DIR__ . '/cases/*.php');
sort($cases);
// Development: PET_WP_CASES=22-mail,30-access runs only the cases whose name contains one of them.
$only = array_filter(explode(',', (string) getenv('PET_WP_CASES')));
if ([] !== $only) {
    $cases = array_values(array_filter($cases, static fn (string $c): bool => [] !== array_filter($only, static fn (string $p): bool => str_contains(basename($c), $p))));
}
$passed = 0;
$failed = 0;
foreach ($cases as $case) {
    $name = basename($case, '.php');
    $old_ext = str_contains($name, '-oldext-');
    $with_ext = !str_contains($name, '-noext-') && !$old_ext;
    $site_dir = $wp_dir;
    if (str_contains($name, '-multisite-')) {
        // A multisite network of its own (scripts/test's wp step makes it).
        $site_dir = (string) getenv('PET_WP_MULTISITE_DIR');
        if ('' === $site_dir || !is_file($site_dir . '/wp-config.php')) {
            $failed++;
            echo "# {$name}\n  FAILED env PET_WP_MULTISITE_DIR must name a multisite WordPress\n";
            continue;
        }
        $site_dir = (string) realpath($site_dir);
    }
    $cmd = array_merge(
        [PHP_BINARY, '-d', 'display_errors=stderr', '-d', 'error_reporting=E_ALL'],
        $with_ext ? ['-d', 'extension=' . $ext] : [],
        $old_ext ? ['-d', 'auto_prepend_file=' . __DIR__ . '/old-extension.php'] : [],
        [__DIR__ . '/case.php', $site_dir, $case]
    );
    $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $rc = proc_close($proc);
    echo "# {$name}" . ($with_ext ? '' : ($old_ext ? ' (with a stand-in for an older extension)' : ' (without the extension)')) . "\n";
    $seen = 0;
    foreach (explode("\n", $out) as $line) {
        if (str_starts_with($line, 'PASS ')) {
            $passed++;
            $seen++;
            echo "  ok     " . substr($line, 5) . "\n";
        } elseif (str_starts_with($line, 'FAIL ')) {
            $failed++;
            $seen++;
            echo "  FAILED " . substr($line, 5) . "\n";
        } elseif ('' !== trim($line)) {
            echo "         " . $line . "\n";
        }
    }
    if (0 !== $rc || 0 === $seen || !str_contains($out, "CASE-DONE")) {
        $failed++;
        echo "  FAILED {$name} did not finish cleanly (exit {$rc})\n";
    }
    if ('' !== trim($err)) {
        echo "  stderr:\n" . preg_replace('/^/m', '    ', trim($err)) . "\n";
    }
}
echo "\n{$passed} passed, {$failed} failed\n";
exit(0 === $failed ? 0 : 1);
