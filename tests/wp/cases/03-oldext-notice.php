<?php
// With the plugin active and an extension build older than the plugin (Pet\Engine but no
// Pet\Identity or Pet\Knowledge, see tests/wp/old-extension.php), WordPress still works: the
// plugin loads nothing else and shows the "older than the plugin" notice instead of a fatal error.
login_admin();
check('an old extension is standing in', class_exists('Pet\\Engine') && !class_exists('Pet\\Identity'));
check('plugin is active (from the previous cases)', is_plugin_active('pet/pet.php'));
check('the plugin names the missing classes', pet_missing_extension_classes() === ['Pet\\Identity', 'Pet\\Knowledge', 'Pet\\Delivery', 'Pet\\Kpi', 'Pet\\Portal', 'Pet\\Mail', 'Pet\\Accounting'], implode(',', pet_missing_extension_classes()));
check('nothing else of the plugin was loaded', !class_exists('PetWp\\Plugin', false));
ob_start();
do_action('admin_notices');
$html = (string) ob_get_clean();
check(
    'admin notice says the extension is older than the plugin',
    str_contains($html, 'older than the plugin') && str_contains($html, 'Pet\\Identity') && str_contains($html, 'notice-error') && !str_contains($html, 'PET needs its PHP extension'),
    $html
);
$refused = null;
try {
    do_action('activate_pet/pet.php', false);
} catch (Test_Die $e) {
    $refused = $e->getMessage();
}
check('activation with the old extension stops with the same reason', null !== $refused && str_contains($refused, 'older than the plugin'), (string) $refused);
check('the plugin stays active for the next cases', is_plugin_active('pet/pet.php'));
