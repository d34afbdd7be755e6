<?php
// Without the extension, activating PET stops with a message that explains how to load it.
login_admin();
check('extension is not loaded in this process', !class_exists('Pet\\Engine'));
$refused = null;
try {
    $r = activate_plugin('pet/pet.php');
    $refused = is_wp_error($r) ? $r->get_error_message() : null;
} catch (Test_Die $e) {
    $refused = $e->getMessage();
}
check('activation without the extension is refused', null !== $refused);
check('the refusal says how to load the extension', null !== $refused && str_contains($refused, 'libpet_php.so'), (string) $refused);
check('plugin is not active after the refusal', !is_plugin_active('pet/pet.php'));
check('no PET tables were created', [] === pet_tables(), implode(',', pet_tables()));
