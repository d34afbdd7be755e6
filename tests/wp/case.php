<?php
/**
 * Boots the test WordPress for one case file and gives it small helpers: check(), a wp_die()
 * that throws, redirects that throw, users by role, table listing, the admin-post runner,
 * REST requests, queued notices and re-activating the plugin.
 *
 * Usage (from run.php): php [-d extension=…] case.php WP_DIR CASE_FILE
 */

declare(strict_types=1);

/** wp_die() turned into an exception so a case can observe refusals. */
final class Test_Die extends RuntimeException
{
    public int $status;

    public function __construct(string $message, int $status)
    {
        parent::__construct($message);
        $this->status = $status;
    }
}

/** A redirect (wp_redirect) turned into an exception; the action completed. */
final class Test_Redirect extends RuntimeException {}

$wp_dir = $argv[1];
$case_file = $argv[2];

$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REQUEST_URI'] = '/wp-admin/';
define('WP_ADMIN', true);
require $wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

add_filter('wp_die_handler', static fn () => static function ($message, $title = '', $args = []): void {
    $text = $message instanceof WP_Error ? $message->get_error_message() : (string) $message;
    $status = is_array($args) && isset($args['response']) ? (int) $args['response'] : 500;
    throw new Test_Die(trim(wp_strip_all_tags($text)), $status);
});
add_filter('wp_die_ajax_handler', static fn () => apply_filters('wp_die_handler', ''));
add_filter('wp_redirect', static function ($location) {
    throw new Test_Redirect((string) $location);
});

/**
 * Records one check.
 */
function check(string $name, bool $ok, string $detail = ''): void
{
    echo ($ok ? 'PASS ' : 'FAIL ') . $name . ($ok || '' === $detail ? '' : ' — ' . $detail) . "\n";
}

/**
 * The custom fields a new lead needs under the latest lead schema (earlier cases, the demo
 * among them, may have published required fields): each required field filled with a value
 * of its type.
 */
function lead_custom_fields(\Pet\Sales $sales): array
{
    $custom = [];
    foreach (($sales->getLeadSchema(null)['fields'] ?? []) as $f) {
        if ($f['required']) {
            $custom[$f['key']] = match ($f['type']) {
                'number' => 1,
                'date' => '2030-01-01',
                'bool' => true,
                'select' => $f['options'][0],
                'multiselect' => [$f['options'][0]],
                default => 'x',
            };
        }
    }
    return $custom;
}

/**
 * Creates (once) and logs in a user with the given role; returns its id.
 */
function login_as_role(string $role): int
{
    $login = 'pet_test_' . $role;
    $user = get_user_by('login', $login);
    $id = $user ? $user->ID : wp_insert_user([
        'user_login' => $login,
        'user_pass' => wp_generate_password(20),
        'user_email' => $login . '@example.invalid',
        'role' => $role,
    ]);
    if (is_wp_error($id)) {
        throw new RuntimeException($id->get_error_message());
    }
    wp_set_current_user((int) $id);
    return (int) $id;
}

/**
 * Logs in the installation's administrator.
 */
function login_admin(): int
{
    $admin = get_user_by('login', 'admin');
    if (!$admin) {
        throw new RuntimeException('no admin user');
    }
    wp_set_current_user($admin->ID);
    return $admin->ID;
}

/**
 * The {prefix}pet_* tables that exist.
 *
 * @return list<string>
 */
function pet_tables(): array
{
    global $wpdb;
    return $wpdb->get_col($wpdb->prepare('SHOW TABLES LIKE %s', $wpdb->esc_like($wpdb->prefix . 'pet_') . '%'));
}

/**
 * Runs an admin-post.php action (admin_post_pet_<action>) with $post as the form, the way
 * admin-post.php does. The nonce goes into _wpnonce: 'valid' (default) makes a good one for
 * pet_<action>, null sends none, any other string is sent as it is. $method 'GET' sends the
 * fields as a query string instead (a followed link), which every action must refuse.
 *
 * @return string 'redirect:<url>' (the action finished), 'die:<status>' (refused) or 'no-outcome'
 */
function run_admin_post(string $action, array $post, ?string $nonce = 'valid', string $method = 'POST'): string
{
    if ('valid' === $nonce) {
        $nonce = wp_create_nonce('pet_' . $action);
    }
    if (null !== $nonce) {
        $post['_wpnonce'] = $nonce;
    }
    $_GET = 'GET' === $method ? $post : [];
    $_POST = 'GET' === $method ? [] : $post;
    $_REQUEST = $post;
    $_SERVER['REQUEST_METHOD'] = $method;
    try {
        do_action('admin_post_pet_' . $action);
        return 'no-outcome';
    } catch (Test_Redirect $r) {
        return 'redirect:' . $r->getMessage();
    } catch (Test_Die $d) {
        return 'die:' . $d->status;
    } finally {
        $_SERVER['REQUEST_METHOD'] = 'GET';
    }
}

/**
 * A pet/v1 (or any) REST request as the current user: $body as JSON, $query as query parameters.
 */
function rest_call(string $method, string $path, array $body = [], array $query = []): WP_REST_Response
{
    $r = new WP_REST_Request($method, $path);
    if ([] !== $query) {
        $r->set_query_params($query);
    }
    if ([] !== $body) {
        $r->set_header('content-type', 'application/json');
        $r->set_body((string) wp_json_encode($body));
    }
    return rest_do_request($r);
}

/**
 * The current user's queued admin notices (\PetWp\Notices), cleared.
 *
 * @return list<array{type:string,message:string,fields:array<string,string>}>
 */
/**
 * Renders one wp-admin screen as a request with the query $get would (its $_GET, $_REQUEST
 * and REQUEST_URI, so the screen's links keep the filters) and returns its HTML.
 */
function render_admin_screen(string $page, callable $render, array $get): string
{
    $_GET = $get + ['page' => $page];
    $_REQUEST = $_GET;
    $_SERVER['REQUEST_URI'] = '/wp-admin/admin.php?' . http_build_query($_GET);
    ob_start();
    $render();
    $html = (string) ob_get_clean();
    $_GET = $_REQUEST = [];
    return $html;
}

/** The ids a screen's HTML links to as admin.php?page=$page&$param=<id>, once each, in order. */
function linked_ids(string $html, string $page, string $param): array
{
    preg_match_all('/page=' . preg_quote($page, '/') . '(?:&amp;|&#038;|&)' . preg_quote($param, '/') . '=([0-9a-f-]{36})/', $html, $m);
    return array_values(array_unique($m[1]));
}

/** The query of a list table's pagination link of class $class (next-page, …), or null. */
function pager_link(string $html, string $class): ?array
{
    if (!preg_match('/<a class="' . preg_quote($class, '/') . ' button" href="([^"]+)"/', $html, $m)) {
        return null;
    }
    parse_str((string) parse_url(html_entity_decode($m[1]), PHP_URL_QUERY), $q);
    return $q;
}

function queued_notices(): array
{
    $key = 'pet_notices_' . get_current_user_id();
    $n = get_transient($key);
    delete_transient($key);
    return is_array($n) ? $n : [];
}

/**
 * Activates PET again as the administrator (earlier cases may have uninstalled its tables and
 * roles; activation is idempotent), checks it, and logs the administrator in afresh (new
 * capabilities). Returns the administrator's id.
 */
function reactivate_pet(string $label): int
{
    login_admin();
    if (is_plugin_active('pet/pet.php')) {
        deactivate_plugins('pet/pet.php');
    }
    $activation = activate_plugin('pet/pet.php');
    check($label . ': plugin (re)activated', null === $activation, is_wp_error($activation) ? $activation->get_error_message() : '');
    wp_set_current_user(0);
    return login_admin();
}

try {
    require $case_file;
} catch (Throwable $e) {
    check('case ran without an unexpected exception', false, get_class($e) . ': ' . $e->getMessage() . ' at ' . $e->getFile() . ':' . $e->getLine());
}
echo "CASE-DONE\n";
