<?php
/**
 * The README's REST examples, run as written against a served PET site, and the other paths of
 * the built-in server's router (scripts/lib/router.php).
 *
 * The README holds two fenced blocks between HTML comments:
 *   <!-- rest-setup --> … <!-- /rest-setup -->        sets PET_URL and PET_AUTH for the run site;
 *                                                    this test gives them its own site's values
 *   <!-- rest-examples --> … <!-- /rest-examples -->  a shell session: commands, each optionally
 *                                                    followed by "# → <documented response>"
 * Every command runs, in one bash in that order (so a variable set by one serves the next),
 * exactly as written. A documented response is JSON in which "…" stands for what varies:
 * a string containing … matches any text in its place ("…" alone: any value), a … among an
 * object's members allows more members (else the members must be exactly those), a … at the
 * end of an array allows more elements (else exactly those). The rest must be equal.
 *
 * Usage (from scripts/test, step rest): PET_REST_URL=http://127.0.0.1:8089
 *   PET_REST_APP_PASSWORD_FILE=… PET_REST_ADMIN_PASSWORD=… PET_REST_WP_DIR=… php tests/rest/run.php README.md
 * Prints "ok"/"FAILED" per check and "N passed, M failed"; exit 1 on failure.
 */

declare(strict_types=1);

$readme_file = $argv[1] ?? '';
$url = rtrim((string) getenv('PET_REST_URL'), '/');
$app_password_file = (string) getenv('PET_REST_APP_PASSWORD_FILE');
$admin_password = (string) getenv('PET_REST_ADMIN_PASSWORD');
$wp_dir = (string) getenv('PET_REST_WP_DIR');
if (!is_file($readme_file) || '' === $url || !is_file($app_password_file) || '' === $admin_password || !is_dir($wp_dir)) {
    fwrite(STDERR, "usage: PET_REST_URL=… PET_REST_APP_PASSWORD_FILE=… PET_REST_ADMIN_PASSWORD=… PET_REST_WP_DIR=… php tests/rest/run.php README.md\n");
    exit(2);
}

$passed = 0;
$failed = 0;
function check(string $name, bool $ok, string $detail = ''): void
{
    global $passed, $failed;
    if ($ok) {
        $passed++;
        echo "  ok     {$name}\n";
    } else {
        $failed++;
        echo "  FAILED {$name}" . ('' === $detail ? '' : "\n         " . str_replace("\n", "\n         ", $detail)) . "\n";
    }
}

/** The body of the fenced block between <!-- $marker --> and <!-- /$marker -->. */
function readme_block(string $readme, string $marker): ?string
{
    $re = '~<!-- ' . preg_quote($marker, '~') . ' -->\s*```[a-z]*\n(.*?)```\s*<!-- /' . preg_quote($marker, '~') . ' -->~s';
    return preg_match($re, $readme, $m) ? $m[1] : null;
}

// ---- the documented-response notation ------------------------------------------------------

const ANY = "\u{1}any";
const MORE = "\u{1}more";

/** Parses a documented response (JSON with …) into a pattern; null when it is not valid. */
function parse_pattern(string $text): mixed
{
    $out = '';
    $stack = [];
    $expect_key = false;
    $len = strlen($text);
    for ($i = 0; $i < $len; $i++) {
        $c = $text[$i];
        if ('"' === $c) {
            $j = $i + 1;
            while ($j < $len && '"' !== $text[$j]) {
                $j += '\\' === $text[$j] ? 2 : 1;
            }
            $out .= substr($text, $i, $j - $i + 1);
            $i = $j;
            $expect_key = false;
            continue;
        }
        if (str_starts_with(substr($text, $i), '…')) {
            $out .= ('{' === end($stack) && $expect_key) ? json_encode(MORE) . ': true' : json_encode(ANY);
            $i += strlen('…') - 1;
            $expect_key = false;
            continue;
        }
        if ('{' === $c || '[' === $c) {
            $stack[] = $c;
            $expect_key = '{' === $c;
        } elseif ('}' === $c || ']' === $c) {
            array_pop($stack);
        } elseif (',' === $c) {
            $expect_key = '{' === end($stack);
        }
        $out .= $c;
    }
    try {
        return json_decode($out, true, 512, JSON_THROW_ON_ERROR);
    } catch (JsonException) {
        return null;
    }
}

/** Where $actual differs from $pattern ('' when it matches). */
function mismatch(mixed $pattern, mixed $actual, string $at = '$'): string
{
    if (ANY === $pattern) {
        return '';
    }
    if (is_string($pattern) && str_contains($pattern, '…')) {
        $re = '~^' . implode('.*', array_map(static fn ($p) => preg_quote($p, '~'), explode('…', $pattern))) . '$~su';
        if ('…' === $pattern || (is_string($actual) && preg_match($re, $actual))) {
            return '';
        }
        return "{$at}: expected {$pattern}, got " . json_encode($actual, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    }
    if (is_array($pattern) && (array_is_list($pattern) && [] !== $pattern || [] === $pattern && is_array($actual) && array_is_list($actual))) {
        if (!is_array($actual) || !array_is_list($actual)) {
            return "{$at}: expected an array";
        }
        $more = [] !== $pattern && ANY === end($pattern);
        $items = $more ? array_slice($pattern, 0, -1) : $pattern;
        if (count($actual) < count($items) || (!$more && count($actual) !== count($items))) {
            return "{$at}: expected " . count($items) . ($more ? ' or more' : '') . ' elements, got ' . count($actual);
        }
        foreach ($items as $k => $p) {
            $d = mismatch($p, $actual[$k], "{$at}[{$k}]");
            if ('' !== $d) {
                return $d;
            }
        }
        return '';
    }
    if (is_array($pattern)) {
        if (!is_array($actual) || (array_is_list($actual) && [] !== $actual)) {
            return "{$at}: expected an object, got " . json_encode($actual, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
        }
        $more = array_key_exists(MORE, $pattern);
        unset($pattern[MORE]);
        foreach ($pattern as $k => $p) {
            if (!array_key_exists($k, $actual)) {
                return "{$at}: member \"{$k}\" is missing (has " . implode(', ', array_keys($actual)) . ')';
            }
            $d = mismatch($p, $actual[$k], "{$at}.{$k}");
            if ('' !== $d) {
                return $d;
            }
        }
        $extra = array_diff(array_keys($actual), array_keys($pattern));
        if (!$more && [] !== $extra) {
            return "{$at}: unexpected members " . implode(', ', $extra);
        }
        return '';
    }
    if ($pattern === $actual || (is_numeric($pattern) && is_numeric($actual) && $pattern == $actual)) {
        return '';
    }
    return "{$at}: expected " . json_encode($pattern, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . ', got ' . json_encode($actual, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
}

// ---- 1. the README's examples, as written --------------------------------------------------

echo "# README REST examples (curl against {$url})\n";
$readme = (string) file_get_contents($readme_file);
$setup = readme_block($readme, 'rest-setup');
$examples = readme_block($readme, 'rest-examples');
check('README has the rest-setup and rest-examples blocks', null !== $setup && null !== $examples);
if (null === $setup || null === $examples) {
    echo "\n{$passed} passed, {$failed} failed\n";
    exit(1);
}
// The setup block names the run site; this test puts its own site in the same variables.
check(
    'README setup: PET_URL is the run site, PET_AUTH the Application Password scripts/run writes',
    str_contains($setup, 'PET_URL=http://127.0.0.1:8080') && str_contains($setup, 'PET_AUTH="admin:$(cat .pet/app-password)"'),
    $setup
);

// The session's examples are separated by blank lines: comments, the command (lines ending in
// \ continue it), then "# → " and the documented response (continued on "#   " lines).
$list = [];
foreach (preg_split('/\n[ \t]*\n/', trim($examples)) as $chunk) {
    $cmd = '';
    $doc = null;
    foreach (explode("\n", $chunk) as $line) {
        if (preg_match('/^# → ?(.*)$/u', $line, $m)) {
            $doc = $m[1];
        } elseif (null !== $doc && preg_match('/^#   (.*)$/u', $line, $m)) {
            $doc .= "\n" . $m[1];
        } elseif (null !== $doc) {
            $doc .= "\n(text after the documented response: {$line})";
        } else {
            $cmd .= $line . "\n";
        }
    }
    $list[] = ['cmd' => $cmd, 'doc' => $doc];
}
$curls = preg_match_all('~curl [^\n]*~', $examples, $all) ? $all[0] : [];
check('README examples: there are some, and each with a documented response', count($list) >= 5 && count(array_filter($list, fn ($e) => null !== $e['doc'])) >= 5, count($list) . ' examples');
$urls = preg_match_all('~"\$PET_URL([^"]*)"~', $examples, $u) ? $u[1] : [];
check(
    'README examples: every request uses the documented /wp-json/pet/v1/ form',
    count($urls) >= count($curls) && [] === array_filter($urls, fn ($p) => !str_starts_with($p, '/wp-json/pet/v1/')),
    implode("\n", $urls)
);

$out_dir = sys_get_temp_dir() . '/pet-rest-' . getmypid();
mkdir($out_dir, 0700, true);
$script = "set -uo pipefail\n";
foreach ($list as $n => $e) {
    $script .= "{\n" . $e['cmd'] . "\n} >" . escapeshellarg("{$out_dir}/{$n}.out") . ' 2>' . escapeshellarg("{$out_dir}/{$n}.err")
        . "\necho \$? >" . escapeshellarg("{$out_dir}/{$n}.rc") . "\n";
}
$env = getenv();
$env['PET_URL'] = $url;
$env['PET_AUTH'] = 'admin:' . trim((string) file_get_contents($app_password_file));
$proc = proc_open(['bash', '-c', $script], [0 => ['file', '/dev/null', 'r']], $pipes, null, $env);
proc_close($proc);
foreach ($list as $n => $e) {
    $first = trim((string) preg_replace('/^#[^\n]*\n/m', '', $e['cmd']));
    $title = strtok($first, "\n");
    $out = (string) @file_get_contents("{$out_dir}/{$n}.out");
    $err = trim((string) @file_get_contents("{$out_dir}/{$n}.err"));
    $rc = trim((string) @file_get_contents("{$out_dir}/{$n}.rc"));
    if ('0' !== $rc) {
        check("example: {$title}", false, "exit {$rc}: {$err}\n{$out}");
        continue;
    }
    if (null === $e['doc']) {
        check("example: {$title}", '' === $err, $err);
        continue;
    }
    $pattern = parse_pattern($e['doc']);
    if (null === $pattern) {
        check("example: {$title}", false, 'the documented response is not JSON with …: ' . $e['doc']);
        continue;
    }
    try {
        $actual = json_decode($out, true, 512, JSON_THROW_ON_ERROR);
    } catch (JsonException) {
        check("example: {$title}", false, 'the response is not JSON: ' . substr($out, 0, 500));
        continue;
    }
    $d = mismatch($pattern, $actual);
    check("example: {$title}", '' === $d, $d . "\nresponse: " . substr($out, 0, 800));
}
array_map('unlink', glob("{$out_dir}/*"));
rmdir($out_dir);

// ---- 2. the router's other paths -----------------------------------------------------------

echo "# the built-in server's router (scripts/lib/router.php)\n";

/**
 * One HTTP request; returns [status, headers (lower-case name => values joined by ", "), body].
 *
 * @param array<string,string> $headers
 */
function http(string $method, string $url, array $headers = [], ?string $body = null, ?string $jar = null): array
{
    $ch = curl_init($url);
    $h = [];
    foreach ($headers as $k => $v) {
        $h[] = "{$k}: {$v}";
    }
    $got = [];
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_FOLLOWLOCATION => false,
        CURLOPT_HTTPHEADER => $h,
        CURLOPT_TIMEOUT => 60,
        CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$got): int {
            if (str_contains($line, ':')) {
                [$k, $v] = explode(':', $line, 2);
                $k = strtolower(trim($k));
                $got[$k] = isset($got[$k]) ? $got[$k] . ', ' . trim($v) : trim($v);
            }
            return strlen($line);
        },
    ]);
    if (null !== $body) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
    }
    if (null !== $jar) {
        curl_setopt($ch, CURLOPT_COOKIEFILE, $jar);
        curl_setopt($ch, CURLOPT_COOKIEJAR, $jar);
    }
    $res = curl_exec($ch);
    $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return [$status, $got, false === $res ? '' : (string) $res];
}

$app = ['Authorization' => 'Basic ' . base64_encode('admin:' . trim((string) file_get_contents($app_password_file)))];

[$s, $h, $b] = http('GET', "{$url}/");
check('home page: 200, and its REST link (rest_url()) is under /wp-json/', 200 === $s && str_contains($h['link'] ?? '', "<{$url}/wp-json/>"), "{$s} link: " . ($h['link'] ?? '(none)'));

[$s, , $b] = http('GET', "{$url}/wp-json/");
$index = json_decode($b, true);
check('GET /wp-json/: the REST index, with pet/v1', 200 === $s && in_array('pet/v1', $index['namespaces'] ?? [], true), "{$s} " . substr($b, 0, 200));

[$s, $h, $b] = http('GET', "{$url}/wp-json/pet/v1/tickets", $app);
check('GET /wp-json/pet/v1/tickets (no trailing slash): 200 JSON, no redirect', 200 === $s && is_array(json_decode($b, true)) && str_contains($h['content-type'] ?? '', 'application/json'), "{$s} " . substr($b, 0, 200));
[$s2, , $b2] = http('GET', "{$url}/?rest_route=/pet/v1/tickets", $app);
check('GET /?rest_route=/pet/v1/tickets still works, same answer', 200 === $s2 && json_decode($b2, true) == json_decode($b, true), "{$s2} " . substr($b2, 0, 200));
[$s, , $b] = http('GET', "{$url}/wp-json/pet/v1/tickets?status=active&per_page=1", $app);
check('query strings reach the REST route', 200 === $s && 1 === count(json_decode($b, true)['items'] ?? []), "{$s} " . substr($b, 0, 200));

// No theme is installed (Debian ships none), so pages are blank; WordPress's headers say
// which post it resolved the permalink to.
[$s, $h] = http('GET', "{$url}/hello-world/");
check('a pretty permalink (/hello-world/) is WordPress\'s first post', 200 === $s && str_contains($h['link'] ?? '', "<{$url}/?p=1>; rel=shortlink"), $s . ' link: ' . ($h['link'] ?? '(none)'));
[$s] = http('GET', "{$url}/no-such-page/");
check('an unknown path is WordPress\'s 404', 404 === $s, (string) $s);

[$s, $h] = http('GET', "{$url}/wp-includes/css/dashicons.min.css");
check('static file: 200 text/css', 200 === $s && str_starts_with($h['content-type'] ?? '', 'text/css'), "{$s} " . ($h['content-type'] ?? ''));
[$s, $h] = http('GET', "{$url}/wp-includes/js/jquery/jquery.min.js");
check('static file: 200 JavaScript', 200 === $s && str_contains($h['content-type'] ?? '', 'javascript'), "{$s} " . ($h['content-type'] ?? ''));
[$s] = http('GET', "{$url}/debug.log");
[$s2] = http('GET', "{$url}/.pet-wp-version");
check('the site\'s logs and dot files are not served (404)', 404 === $s && 404 === $s2, "{$s} {$s2}");

$jar = tempnam(sys_get_temp_dir(), 'pet-rest-jar');
[$s, , $b] = http('GET', "{$url}/wp-login.php", [], null, $jar);
check('GET /wp-login.php: the log-in form', 200 === $s && str_contains($b, 'loginform'), (string) $s);
[$s, $h] = http('POST', "{$url}/wp-login.php", ['Content-Type' => 'application/x-www-form-urlencoded'], http_build_query([
    'log' => 'admin', 'pwd' => $admin_password, 'wp-submit' => 'Log In', 'redirect_to' => "{$url}/wp-admin/", 'testcookie' => '1',
]), $jar);
check('POST /wp-login.php logs in (302 to wp-admin)', 302 === $s && str_contains($h['location'] ?? '', '/wp-admin/'), "{$s} " . ($h['location'] ?? ''));
[$s, $h] = http('GET', "{$url}/wp-admin", [], null, $jar);
check('/wp-admin without its slash: 301 to /wp-admin/', 301 === $s && '/wp-admin/' === ($h['location'] ?? ''), "{$s} " . ($h['location'] ?? ''));
[$s, , $b] = http('GET', "{$url}/wp-admin/admin.php?page=pet-employees", [], null, $jar);
check('wp-admin: the PET Employees screen', 200 === $s && str_contains($b, 'pet-employees'), (string) $s);
[$s, , $nonce] = http('GET', "{$url}/wp-admin/admin-ajax.php?action=rest-nonce", [], null, $jar);
check('admin-ajax.php (action rest-nonce): a REST nonce', 200 === $s && 1 === preg_match('/^[0-9a-f]{10}$/', trim($nonce)), "{$s} {$nonce}");
[$s, , $b] = http('GET', "{$url}/wp-json/pet/v1/employees", ['X-WP-Nonce' => trim($nonce)], null, $jar);
check('cookie + X-WP-Nonce: GET /wp-json/pet/v1/employees 200', 200 === $s && isset(json_decode($b, true)['items']), "{$s} " . substr($b, 0, 200));
[$s] = http('GET', "{$url}/wp-json/pet/v1/employees", [], null, $jar);
check('cookie without the nonce is not logged in for REST (401)', 401 === $s, (string) $s);
[$s, , $b] = http('GET', "{$url}/wp-admin/admin-post.php?action=pet_create_employee", [], null, $jar);
check('admin-post.php reaches PET\'s action (a GET is refused: 405)', 405 === $s && str_contains($b, 'only runs from a submitted form'), $s . ' ' . substr(strip_tags($b), 0, 300));
@unlink($jar);

// ---- 3. the README's route lists ----------------------------------------------------------

echo "# every route the README names (\"GET /tickets/{id}\" …) exists with that method\n";
[, , $b] = http('GET', "{$url}/wp-json/pet/v1");
$registered = json_decode($b, true)['routes'] ?? [];
preg_match_all('~`(GET|POST|PUT|PATCH|DELETE)\s+(/[^`\s]*)`~', $readme, $named, PREG_SET_ORDER);
$named = array_unique(array_map(static fn ($m) => $m[1] . ' ' . $m[2], $named));
$unknown = [];
foreach ($named as $route) {
    [$method, $path] = explode(' ', $route, 2);
    $path = (string) strtok($path, '?');
    // Placeholders ({id}, {n}, {week}, …) stand for a UUID, a number or a date.
    $candidates = [$path];
    while (preg_match('/\{[a-z_]+\}/', $candidates[0])) {
        $next = [];
        foreach ($candidates as $c) {
            foreach (['01900000-0000-7000-8000-000000000000', '1', '2026-01-05'] as $v) {
                $next[] = (string) preg_replace('/\{[a-z_]+\}/', $v, $c, 1);
            }
        }
        $candidates = $next;
    }
    $found = false;
    foreach ($registered as $pattern => $info) {
        $methods = array_merge(...array_map(static fn ($e) => $e['methods'] ?? [], $info['endpoints'] ?? []));
        foreach ($candidates as $c) {
            if (in_array($method, $methods, true) && preg_match('@^' . $pattern . '$@i', '/pet/v1' . $c)) {
                $found = true;
                break 2;
            }
        }
    }
    if (!$found) {
        $unknown[] = $route;
    }
}
check('README names ' . count($named) . ' routes; each is registered under pet/v1 with its method', count($named) >= 40 && [] === $unknown, 'not registered: ' . implode(', ', $unknown));

// ---- 4. the log ----------------------------------------------------------------------------

echo "# debug.log (WP_DEBUG off, as on the run site)\n";
$log = is_file("{$wp_dir}/debug.log") ? (string) file_get_contents("{$wp_dir}/debug.log") : '';
$noise = preg_grep('/PHP (Deprecated|Notice|Warning|Fatal)|WordPress database error/', explode("\n", $log));
check('debug.log has no PHP notices, deprecations, warnings or errors', [] === $noise, implode("\n", array_slice($noise, 0, 10)));

echo "\n{$passed} passed, {$failed} failed\n";
exit(0 === $failed ? 0 : 1);
