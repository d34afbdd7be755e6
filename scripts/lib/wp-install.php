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
 *        PET_WP_APP_PASSWORD_FILE (optional, phase 1): file holding an Application Password of
 *        'admin' for REST clients (curl -u "admin:$(cat FILE)"); created, or made again when
 *        it no longer matches, so it always works.
 *
 * Phase 1 also switches the site to pretty permalinks (/%postname%/) once, so rest_url() and
 * the REST API live under /wp-json/ (served through scripts/lib/router.php); a structure
 * chosen later in Settings → Permalinks is kept.
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

/**
 * Makes sure $file holds a working Application Password of 'admin' named "PET scripts": keeps
 * it when it still matches, else replaces the stored one and writes the new one (mode 0600).
 */
function pet_ensure_app_password(string $file): bool
{
    $name = 'PET scripts';
    $admin = get_user_by('login', 'admin');
    if (!$admin) {
        fwrite(STDERR, "the 'admin' user does not exist\n");
        return false;
    }
    $stored = is_file($file) ? trim((string) file_get_contents($file)) : '';
    $valid = false;
    foreach (WP_Application_Passwords::get_user_application_passwords($admin->ID) as $item) {
        if ($name !== $item['name']) {
            continue;
        }
        if ('' !== $stored && !$valid && wp_check_password($stored, $item['password'], $admin->ID)) {
            $valid = true;
        } else {
            WP_Application_Passwords::delete_application_password($admin->ID, $item['uuid']);
        }
    }
    if ($valid) {
        return true;
    }
    $created = WP_Application_Passwords::create_new_application_password($admin->ID, ['name' => $name]);
    if (is_wp_error($created)) {
        fwrite(STDERR, 'could not create an application password: ' . $created->get_error_message() . "\n");
        return false;
    }
    $tmp = $file . '.tmp.' . getmypid();
    $old = umask(077);
    $ok = false !== file_put_contents($tmp, $created[0] . "\n") && rename($tmp, $file);
    umask($old);
    if (!$ok) {
        fwrite(STDERR, "could not write {$file}\n");
        return false;
    }
    fwrite(STDOUT, "application password for admin written to {$file}\n");
    return true;
}

// No mail on a local install (Debian has no sendmail by default).
add_filter('pre_wp_mail', '__return_false');

if (!is_blog_installed()) {
    fwrite(STDOUT, "installing WordPress\n");
    $result = wp_install('PET', 'admin', 'admin@example.invalid', false, '', wp_slash($password));
    if (empty($result['user_id'])) {
        fwrite(STDERR, "wp_install failed\n");
        exit(1);
    }
    update_option('permalink_structure', ''); // whatever wp_install() guessed; set just below
} elseif ($installPhase) {
    fwrite(STDOUT, "WordPress already installed\n");
}
if ($installPhase) {
    // Pretty permalinks, once per site (older local sites were installed with plain ones).
    if ('1' !== get_option('pet_scripts_permalinks')) {
        if ('' === (string) get_option('permalink_structure')) {
            update_option('permalink_structure', '/%postname%/');
            delete_option('rewrite_rules'); // rebuilt, with every plugin's rules, on the next request
        }
        update_option('pet_scripts_permalinks', '1');
    }
    $appFile = (string) getenv('PET_WP_APP_PASSWORD_FILE');
    if ('' !== $appFile && !pet_ensure_app_password($appFile)) {
        exit(1);
    }
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

// Activation gave the administrator role PET's capabilities after this user object read its
// roles: read them again, or the demo would act without them (e.g. approving time).
wp_get_current_user()->get_role_caps();

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
