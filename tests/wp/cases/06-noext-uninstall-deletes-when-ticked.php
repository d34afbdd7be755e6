<?php
// With "delete all PET data on uninstall" ticked, uninstall drops PET's own tables, exactly
// the ones its migrations create, and nothing else that merely shares the name pattern.
login_admin();
global $wpdb;

// The uninstall list is exactly the migrations' tables plus the migration ledger.
$from_migrations = ['pet_migrations'];
foreach (glob(__DIR__ . '/../../../migrations/*.sql') as $sql_file) {
    preg_match_all('/CREATE (?:TABLE|SEQUENCE) IF NOT EXISTS \{prefix\}(pet_[A-Za-z0-9_]+)/', (string) file_get_contents($sql_file), $m);
    $from_migrations = array_merge($from_migrations, $m[1]);
}
$listed = require WP_PLUGIN_DIR . '/pet/includes/pet-tables.php';
sort($from_migrations);
$sorted = $listed;
sort($sorted);
check('includes/pet-tables.php lists exactly the tables the migrations create', $from_migrations === $sorted,
    'missing: ' . implode(',', array_diff($from_migrations, $listed)) . ' extra: ' . implode(',', array_diff($listed, $from_migrations)));

check('PET tables exist before uninstall', count(pet_tables()) > 0);
// A table of someone else that starts with "{prefix}pet_" (e.g. a site with prefix wp_pet_).
$foreign = $wpdb->prefix . 'pet_posts';
$wpdb->query("CREATE TABLE IF NOT EXISTS `$foreign` (id INT) ENGINE=InnoDB");
// The portal's role and a customer contact's WordPress user (as an invitation makes them).
if (null === get_role('pet_customer')) {
    add_role('pet_customer', 'PET Customer', ['read' => true]);
}
$customer_user = wp_insert_user(['user_login' => 'petcust' . wp_rand(1000, 9999), 'user_pass' => wp_generate_password(), 'user_email' => 'petcust' . wp_rand(1000, 9999) . '@example.test', 'role' => 'pet_customer']);
check('a PET Customer user exists before uninstall', is_int($customer_user) && in_array('pet_customer', get_userdata($customer_user)->roles, true), is_wp_error($customer_user) ? $customer_user->get_error_message() : '');
update_option('pet_delete_data_on_uninstall', '1');
uninstall_plugin('pet/pet.php');
check('uninstall with the option ticked drops every PET table and only those', [$foreign] === pet_tables(), implode(',', pet_tables()));
$wpdb->query("DROP TABLE IF EXISTS `$foreign`");
check('uninstall removed the PET roles', null === get_role('pet_manager') && null === get_role('pet_sales') && null === get_role('pet_support') && null === get_role('pet_staff'));
check('uninstall removed the PET Customer role like the other PET roles', null === get_role('pet_customer'));
check('uninstall kept the customer contact\'s WordPress user', is_int($customer_user) && false !== get_userdata($customer_user));
$left = array_filter(array_keys(get_role('administrator')->capabilities), static fn ($c) => str_starts_with((string) $c, 'pet_'));
check('uninstall removed the PET capabilities from administrators', [] === $left, implode(', ', $left));
check('uninstall removed the roles version', false === get_option('pet_roles_version'));
check('uninstall removed the option itself', false === get_option('pet_delete_data_on_uninstall'));
