<?php
/**
 * Turns a freshly installed single WordPress (scripts/lib/wp-install.php --install) into a
 * multisite network (sub-directories, domain 127.0.0.1) the way wp-admin's Network Setup
 * does: install_network() creates the network tables, populate_network() fills them. The
 * caller then writes wp-config.php with the MULTISITE constants (scripts/lib/wordpress.sh with
 * PET_WP_MULTISITE=1). Running it again on a network does nothing.
 *
 * Usage: php wp-multisite.php WP_DIR
 */

declare(strict_types=1);

$dir = $argv[1] ?? '';
if ('' === $dir || !is_file($dir . '/wp-config.php')) {
    fwrite(STDERR, "usage: wp-multisite.php WP_DIR\n");
    exit(2);
}
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define('WP_INSTALLING_NETWORK', true);
require $dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/network.php';

if (is_multisite()) {
    fwrite(STDOUT, "already a network\n");
    exit(0);
}
global $wpdb;
// As wp-admin/network.php does: name the network tables (a single site's $wpdb does not).
foreach ($wpdb->tables('ms_global') as $table => $prefixed_table) {
    $wpdb->$table = $prefixed_table;
}
if ($wpdb->get_var($wpdb->prepare('SHOW TABLES LIKE %s', $wpdb->esc_like($wpdb->site)))) {
    fwrite(STDOUT, "network tables already there\n");
    exit(0);
}
install_network();
$result = populate_network(1, '127.0.0.1', 'admin@example.invalid', 'PET network', '/', false);
if (is_wp_error($result) && 'no_wildcard_dns' !== $result->get_error_code()) {
    fwrite(STDERR, 'populate_network failed: ' . $result->get_error_message() . "\n");
    exit(1);
}
fwrite(STDOUT, "network created\n");
exit(0);
