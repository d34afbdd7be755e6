<?php
/**
 * Headless WordPress set-up for scripts/run and scripts/test: installs WordPress (once),
 * activates the PET plugin (its activation runs the migrations) and optionally loads the demo
 * organisation through the plugin.
 *
 * Usage: php wp-install.php WP_DIR --install            (phase 1: WordPress itself)
 *        php -d extension=libpet_php.so wp-install.php WP_DIR [--demo]   (phase 2: plugin)
 * Two processes because WordPress loads no plugins while WP_INSTALLING is defined.
 * Env:   PET_WP_ADMIN_PASSWORD (required): password of the 'admin' user created at install.
 */

declare(strict_types=1);

$dir = $argv[1] ?? '';
if ($dir === '' || !is_file($dir . '/wp-config.php')) {
    fwrite(STDERR, "usage: wp-install.php WP_DIR [--demo]\n");
    exit(2);
}
$demo = in_array('--demo', $argv, true);
$installPhase = in_array('--install', $argv, true);
$password = (string) getenv('PET_WP_ADMIN_PASSWORD');
if ($password === '') {
    fwrite(STDERR, "PET_WP_ADMIN_PASSWORD is not set\n");
    exit(2);
}

$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
if ($installPhase) {
    define('WP_INSTALLING', true);
}
require $dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

// Failures of wp_die() (e.g. a refused activation) become a readable message and exit code 1.
add_filter('wp_die_handler', static fn () => static function ($message): void {
    $text = $message instanceof WP_Error ? $message->get_error_message() : (string) $message;
    fwrite(STDERR, 'wp_die: ' . trim(wp_strip_all_tags($text)) . "\n");
    exit(1);
});

// No mail on a local install (Debian has no sendmail by default).
add_filter('pre_wp_mail', '__return_false');

if (!is_blog_installed()) {
    fwrite(STDOUT, "installing WordPress\n");
    $result = wp_install('PET', 'admin', 'admin@example.invalid', false, '', wp_slash($password));
    if (empty($result['user_id'])) {
        fwrite(STDERR, "wp_install failed\n");
        exit(1);
    }
    update_option('permalink_structure', '');
} elseif ($installPhase) {
    fwrite(STDOUT, "WordPress already installed\n");
}
if ($installPhase) {
    exit(0);
}

$admin = get_user_by('login', 'admin');
if (!$admin) {
    fwrite(STDERR, "the 'admin' user does not exist\n");
    exit(1);
}
wp_set_current_user($admin->ID);

$plugin = 'pet/pet.php';
if (!is_plugin_active($plugin)) {
    fwrite(STDOUT, "activating the PET plugin\n");
    $result = activate_plugin($plugin);
    if (is_wp_error($result)) {
        fwrite(STDERR, 'activation failed: ' . $result->get_error_message() . "\n");
        exit(1);
    }
} else {
    // Already active: still apply migrations added since (activation is the usual path).
    \PetWp\Plugin::instance()->activate();
}

if ($demo) {
    try {
        $loaded = \PetWp\Demo::load();
        fwrite(STDOUT, $loaded ? "demo organisation loaded\n" : "demo organisation already present\n");
    } catch (\Throwable $e) {
        fwrite(STDERR, 'loading the demo organisation failed: ' . get_class($e) . ': ' . $e->getMessage() . "\n");
        exit(1);
    }
}
exit(0);
