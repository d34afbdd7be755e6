<?php
/**
 * Uninstall: keeps every PET table unless an administrator explicitly ticked "Delete all PET
 * data on uninstall" (PET → Settings). Only then are PET's own tables (the fixed list in
 * includes/pet-tables.php) dropped and PET's options, roles (PET Manager, Sales, Support, Staff
 * and the portal's PET Customer) and capabilities removed; WordPress users are kept.
 * On a multisite network every site is handled, each by its own setting (its own PET →
 * Settings): a site whose administrator did not tick it keeps its tables.
 *
 * This is the one place the plugin issues SQL itself: the engine may not be loadable any more
 * when a site removes PET, and DROP TABLE of our own prefixed tables needs no business rule.
 *
 * @package PetWp
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/**
 * Uninstalls PET from the current site (the one switched to on a network).
 */
function pet_uninstall_site(): void {
	global $wpdb;
	wp_clear_scheduled_hook( 'pet_run_jobs' );

	if ( '1' !== get_option( 'pet_delete_data_on_uninstall', '0' ) ) {
		return;
	}

	// phpcs:disable WordPress.DB.DirectDatabaseQuery
	$wpdb->query( 'SET FOREIGN_KEY_CHECKS = 0' );
	foreach ( require __DIR__ . '/includes/pet-tables.php' as $pet_table ) {
		$pet_table = $wpdb->prefix . $pet_table;
		// A fixed list of our own names; identifiers cannot be bound as parameters, so each is
		// checked to be a plain identifier before it is quoted.
		if ( preg_match( '/^[A-Za-z0-9_]+$/', $pet_table ) ) {
			$wpdb->query( 'DROP TABLE IF EXISTS `' . $pet_table . '`' ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		}
	}
	$wpdb->query( 'SET FOREIGN_KEY_CHECKS = 1' );
	// phpcs:enable

	foreach ( array( 'pet_delete_data_on_uninstall', 'pet_schema_migration', 'pet_demo_loaded', 'pet_demo_modules_loaded', 'pet_demo_published_at', 'pet_roles_version', 'pet_mail_imap', 'pet_mail_imap_status', 'pet_mail_imap_lock' ) as $pet_option ) {
		delete_option( $pet_option );
	}
	// PET's roles, the portal's PET Customer among them. Only the roles go: the WordPress
	// users who had one (staff, customer contacts) are the site's and stay, without PET's
	// capabilities.
	foreach ( array( 'pet_manager', 'pet_sales', 'pet_support', 'pet_staff', 'pet_customer' ) as $pet_role ) {
		remove_role( $pet_role );
	}
	// PET's capabilities (pet_work, pet_manage, pet_view_<area>, pet_manage_<area>) from every
	// other role, administrators and roles an administrator gave them to alike.
	foreach ( wp_roles()->role_objects as $pet_role ) {
		foreach ( array_keys( $pet_role->capabilities ) as $pet_cap ) {
			if ( 1 === preg_match( '/^pet_(work|manage|view_[a-z]+|manage_[a-z]+)$/', (string) $pet_cap ) ) {
				$pet_role->remove_cap( $pet_cap );
			}
		}
	}
}

if ( is_multisite() ) {
	$pet_sites = get_sites(
		array(
			'fields'     => 'ids',
			'number'     => 0,
			'network_id' => get_current_network_id(),
		)
	);
	foreach ( $pet_sites as $pet_site ) {
		switch_to_blog( (int) $pet_site );
		pet_uninstall_site();
		restore_current_blog();
	}
} else {
	pet_uninstall_site();
}
