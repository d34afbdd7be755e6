<?php
/**
 * Boots the test WordPress for one case file and gives it small helpers: check(), a wp_die()
 * that throws, redirects that throw, users by role, table listing.
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

try {
    require $case_file;
} catch (Throwable $e) {
    check('case ran without an unexpected exception', false, get_class($e) . ': ' . $e->getMessage() . ' at ' . $e->getFile() . ':' . $e->getLine());
}
echo "CASE-DONE\n";
