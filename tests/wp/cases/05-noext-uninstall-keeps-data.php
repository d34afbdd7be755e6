<?php
// Uninstall keeps every PET table unless "delete all PET data" was ticked.
login_admin();
$before = pet_tables();
check('PET tables exist before uninstall', count($before) > 0);
delete_option('pet_delete_data_on_uninstall');
uninstall_plugin('pet/pet.php');
check('uninstall without the option keeps every PET table', pet_tables() === $before, implode(',', pet_tables()));
