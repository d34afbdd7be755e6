<?php
/**
 * Read-your-writes across requests on a WordPress site with a read replica (scripts/test's
 * `replication` step): the site's wp-config.php names the primary (PET_DB_PRIMARY) and the
 * replica (PET_DB_REPLICAS); a write answers with the `pet_read_after` cookie holding its
 * commit position, and the next request that sends it back reads the write even from a
 * replica that has not applied it (it waits up to PET_DB_READ_WAIT_MS, then reads the
 * primary). The step runs one phase per call and restarts the site's PHP server between
 * phases, so the next request is served by a process that knows nothing of the write:
 *
 *   write   (the replica's SQL thread stopped) POST /projects → 201 and the cookie
 *   read    GET /projects/{id} without the cookie → 404 (the stale replica answered: reads
 *           go there), then with it → 200, the project as written
 *   change  (replication running) POST /projects/{id}/status → the new cookie
 *   changed GET /projects/{id} with it → the new status
 *
 * Usage: PET_RA_URL=http://127.0.0.1:8089 PET_RA_APP_PASSWORD_FILE=… PET_RA_STATE=file
 *   php tests/replication/read-after.php PHASE
 * Prints "ok"/"FAILED" per check; exit 1 on failure.
 */

declare(strict_types=1);

$phase = $argv[1] ?? '';
$url = rtrim((string) getenv('PET_RA_URL'), '/') . '/wp-json/pet/v1';
$password_file = (string) getenv('PET_RA_APP_PASSWORD_FILE');
$state_file = (string) getenv('PET_RA_STATE');
if (!in_array($phase, ['write', 'read', 'change', 'changed'], true) || !is_file($password_file) || '' === $state_file) {
    fwrite(STDERR, "usage: PET_RA_URL=… PET_RA_APP_PASSWORD_FILE=… PET_RA_STATE=… php tests/replication/read-after.php write|read|change|changed\n");
    exit(2);
}
$auth = 'Authorization: Basic ' . base64_encode('admin:' . trim((string) file_get_contents($password_file)));
$state = is_file($state_file) ? (array) json_decode((string) file_get_contents($state_file), true) : [];
$failed = 0;

function check(string $name, bool $ok, string $detail = ''): void
{
    global $failed;
    echo ($ok ? 'ok     ' : 'FAILED ') . $name . ($ok || '' === $detail ? '' : "\n       {$detail}") . "\n";
    if (!$ok) {
        $failed++;
    }
}

/**
 * One request: [status, the pet_read_after cookie set (or null), decoded body].
 *
 * @return array{0:int,1:?string,2:mixed}
 */
function request(string $method, string $url, string $auth, ?array $body = null, ?string $cookie = null): array
{
    $ch = curl_init($url);
    $headers = [$auth, 'Content-Type: application/json'];
    if (null !== $cookie) {
        $headers[] = 'Cookie: pet_read_after=' . rawurlencode($cookie);
    }
    $set = null;
    curl_setopt_array($ch, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => $headers,
        CURLOPT_TIMEOUT => 60,
        CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$set): int {
            if (1 === preg_match('/^set-cookie:\s*pet_read_after=([^;]*)/i', $line, $m)) {
                $set = rawurldecode($m[1]);
            }
            return strlen($line);
        },
    ]);
    if (null !== $body) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, (string) json_encode($body));
    }
    $res = curl_exec($ch);
    $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return [$status, $set, json_decode(false === $res ? '' : (string) $res, true)];
}

$gtid = '/^\d+-\d+-\d+(,\d+-\d+-\d+)*$/';
switch ($phase) {
    case 'write':
        $name = 'Replicated ' . bin2hex(random_bytes(4));
        [$s, $cookie, $b] = request('POST', "{$url}/projects", $auth, ['name' => $name]);
        check('POST /projects creates the project (201)', 201 === $s, "{$s} " . json_encode($b));
        check('the write answers with its commit position in the pet_read_after cookie', is_string($cookie) && 1 === preg_match($gtid, $cookie), (string) $cookie);
        $state = ['id' => $b['id'] ?? '', 'name' => $name, 'cookie' => $cookie];
        break;
    case 'read':
        [$s] = request('GET', "{$url}/projects/{$state['id']}", $auth);
        check('without the cookie a fresh process reads the replica, which has not applied the write (404)', 404 === $s, (string) $s);
        [$s, , $b] = request('GET', "{$url}/projects/{$state['id']}", $auth, null, $state['cookie']);
        check('with the cookie the next request reads the write (200)', 200 === $s && ($b['name'] ?? null) === $state['name'], "{$s} " . json_encode($b));
        break;
    case 'change':
        [$s, $cookie, $b] = request('POST', "{$url}/projects/{$state['id']}/status", $auth, ['status' => 'active']);
        check('POST /projects/{id}/status changes it (200)', 200 === $s, "{$s} " . json_encode($b));
        check('the change answers with a newer position', is_string($cookie) && 1 === preg_match($gtid, $cookie) && $cookie !== $state['cookie'], (string) $cookie);
        $state['cookie'] = $cookie;
        break;
    case 'changed':
        [$s, , $b] = request('GET', "{$url}/projects/{$state['id']}", $auth, null, $state['cookie']);
        check('the next request reads the change, not the old status', 200 === $s && 'active' === ($b['status'] ?? null), "{$s} " . json_encode($b));
        break;
}
file_put_contents($state_file, (string) json_encode($state));
exit($failed > 0 ? 1 : 0);
