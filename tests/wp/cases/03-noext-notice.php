<?php
// With the plugin active but the extension missing, WordPress still works and shows a notice.
login_admin();
check('extension is not loaded in this process', !class_exists('Pet\\Engine'));
check('plugin is active (from the previous case)', is_plugin_active('pet/pet.php'));
check('the plugin file was loaded', function_exists('pet_missing_extension_notice'));
check('nothing else of the plugin was loaded', !class_exists('PetWp\\Plugin', false));
ob_start();
do_action('admin_notices');
$html = (string) ob_get_clean();
check('admin notice explains the missing extension', str_contains($html, 'PET needs its PHP extension') && str_contains($html, 'notice-error'), $html);
