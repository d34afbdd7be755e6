<?php
/**
 * Plugin Name:       PET
 * Plugin URI:        https://example.invalid/pet
 * Description:       Operations for professional-services firms: employees, teams, customers and an activity feed, backed by the PET engine (a Rust PHP extension).
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.2
 * Author:            PET
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       pet
 * Domain Path:       /languages
 *
 * @package PetWp
 */

defined( 'ABSPATH' ) || exit;

define( 'PET_PLUGIN_FILE', __FILE__ );
define( 'PET_PLUGIN_VERSION', '0.1.0' );

add_action(
	'init',
	static function (): void {
		load_plugin_textdomain( 'pet', false, dirname( plugin_basename( PET_PLUGIN_FILE ) ) . '/languages' );
	}
);

/**
 * The text of the "extension missing" notice (also used when activation is refused).
 */
function pet_missing_extension_message(): string {
	return sprintf(
		/* translators: 1: Debian package name, 2: extension file name, 3: php.ini directive */
		__( 'PET needs its PHP extension, which is not loaded. Install the %1$s package on the web server and restart PHP (Apache or php-fpm); or, for a build of your own, load %2$s into PHP (for example %3$s in php.ini). Until then PET does nothing.', 'pet' ),
		'php8.2-pet',
		'libpet_php.so',
		'extension=/path/to/libpet_php.so'
	);
}

/**
 * Admin notice shown on every admin page while the extension is missing.
 */
function pet_missing_extension_notice(): void {
	if ( ! current_user_can( 'activate_plugins' ) && ! current_user_can( 'pet_work' ) ) {
		return;
	}
	echo '<div class="notice notice-error pet-missing-extension"><p><strong>' . esc_html__( 'PET:', 'pet' ) . '</strong> ' . esc_html( pet_missing_extension_message() ) . '</p></div>';
}

/**
 * Activation without the extension stops with the reason instead of half-activating.
 */
function pet_missing_extension_refuse_activation(): void {
	wp_die(
		esc_html( pet_missing_extension_message() ),
		esc_html__( 'PET cannot be activated', 'pet' ),
		array( 'back_link' => true )
	);
}

/**
 * The extension's classes this plugin calls that the loaded extension does not have. An
 * extension build older than the plugin lacks the newer ones (Pet\Identity and Pet\Knowledge
 * came with the one-class-per-module API); the plugin then explains instead of failing with
 * "Class not found" on its first screen.
 *
 * @return list<string>
 */
function pet_missing_extension_classes(): array {
	$needed = array( 'Pet\\Engine', 'Pet\\Identity', 'Pet\\Sales', 'Pet\\Helpdesk', 'Pet\\Knowledge', 'Pet\\Delivery', 'Pet\\Kpi', 'Pet\\Portal', 'Pet\\Mail', 'Pet\\Accounting' );
	return array_values( array_filter( $needed, static fn ( string $c ): bool => ! class_exists( $c ) ) );
}

/**
 * The text of the "extension older than the plugin" notice (also used when activation is refused).
 */
function pet_outdated_extension_message(): string {
	return sprintf(
		/* translators: %s: PHP class names */
		__( 'The loaded PET extension is older than the plugin (it has no %s); install the matching extension build and restart PHP. Until then PET does nothing.', 'pet' ),
		implode( ', ', pet_missing_extension_classes() )
	);
}

/**
 * Admin notice shown on every admin page while the loaded extension is older than the plugin.
 */
function pet_outdated_extension_notice(): void {
	if ( ! current_user_can( 'activate_plugins' ) && ! current_user_can( 'pet_work' ) ) {
		return;
	}
	echo '<div class="notice notice-error pet-outdated-extension"><p><strong>' . esc_html__( 'PET:', 'pet' ) . '</strong> '
		. esc_html( pet_outdated_extension_message() ) . '</p></div>';
}

/**
 * Activation with an extension older than the plugin stops with the reason.
 */
function pet_outdated_extension_refuse_activation(): void {
	wp_die(
		esc_html( pet_outdated_extension_message() ),
		esc_html__( 'PET cannot be activated', 'pet' ),
		array( 'back_link' => true )
	);
}

if ( ! class_exists( 'Pet\\Engine' ) ) {
	// Without the extension the plugin does nothing but explain how to load it.
	add_action( 'admin_notices', 'pet_missing_extension_notice' );
	add_action( 'network_admin_notices', 'pet_missing_extension_notice' );
	register_activation_hook( __FILE__, 'pet_missing_extension_refuse_activation' );
	register_deactivation_hook(
		__FILE__,
		static function (): void {
			wp_clear_scheduled_hook( 'pet_run_jobs' );
		}
	);
	return;
}

if ( array() !== pet_missing_extension_classes() ) {
	// An extension build older than these plugin files: explain, load nothing else.
	add_action( 'admin_notices', 'pet_outdated_extension_notice' );
	add_action( 'network_admin_notices', 'pet_outdated_extension_notice' );
	register_activation_hook( __FILE__, 'pet_outdated_extension_refuse_activation' );
	register_deactivation_hook(
		__FILE__,
		static function (): void {
			wp_clear_scheduled_hook( 'pet_run_jobs' );
		}
	);
	return;
}

require_once __DIR__ . '/includes/class-plugin.php';

if ( 'cli' === PHP_SAPI && ! defined( 'WP_CLI' ) ) {
	// A command-line script that loads WordPress (the benchmarks' seeders, scripts/run's
	// installer) prints an uncaught PET error as text, not WordPress's HTML error page.
	set_exception_handler( array( \PetWp\Plugin::class, 'cli_uncaught' ) );
}
require_once __DIR__ . '/includes/class-notices.php';
require_once __DIR__ . '/includes/class-input.php';
require_once __DIR__ . '/includes/class-access.php';
require_once __DIR__ . '/includes/class-demo.php';
require_once __DIR__ . '/includes/class-rest.php';
require_once __DIR__ . '/includes/class-view.php';
require_once __DIR__ . '/includes/class-picker.php';
require_once __DIR__ . '/includes/class-module-admin.php';
require_once __DIR__ . '/includes/class-admin.php';

// Feature modules (e.g. includes/modules/sales/module.php) register their own screens, actions
// and REST routes on WordPress hooks, so adding one touches no shared file.
foreach ( glob( __DIR__ . '/includes/modules/*/module.php' ) ?: array() as $pet_module_file ) {
	require_once $pet_module_file;
}

register_activation_hook( __FILE__, array( \PetWp\Plugin::class, 'on_activation' ) );
register_deactivation_hook( __FILE__, array( \PetWp\Plugin::class, 'on_deactivation' ) );
\PetWp\Plugin::instance()->boot();
if ( defined( 'WP_CLI' ) && WP_CLI ) {
	// README, "Rotating the privacy key".
	\WP_CLI::add_command( 'pet rotate-privacy-key', array( \PetWp\Plugin::class, 'cli_rotate_privacy_key' ) );
}
