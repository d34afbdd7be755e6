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
update_option('pet_delete_data_on_uninstall', '1');
uninstall_plugin('pet/pet.php');
check('uninstall with the option ticked drops every PET table and only those', [$foreign] === pet_tables(), implode(',', pet_tables()));
$wpdb->query("DROP TABLE IF EXISTS `$foreign`");
check('uninstall removed the PET roles', null === get_role('pet_manager') && null === get_role('pet_sales') && null === get_role('pet_support') && null === get_role('pet_staff'));
$left = array_filter(array_keys(get_role('administrator')->capabilities), static fn ($c) => str_starts_with((string) $c, 'pet_'));
check('uninstall removed the PET capabilities from administrators', [] === $left, implode(', ', $left));
check('uninstall removed the roles version', false === get_option('pet_roles_version'));
check('uninstall removed the option itself', false === get_option('pet_delete_data_on_uninstall'));
