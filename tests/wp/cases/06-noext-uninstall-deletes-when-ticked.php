<?php
// With "delete all PET data on uninstall" ticked, uninstall drops the {prefix}pet_* tables.
login_admin();
check('PET tables exist before uninstall', count(pet_tables()) > 0);
update_option('pet_delete_data_on_uninstall', '1');
uninstall_plugin('pet/pet.php');
check('uninstall with the option ticked drops every PET table', [] === pet_tables(), implode(',', pet_tables()));
check('uninstall removed the PET roles', null === get_role('pet_manager') && null === get_role('pet_staff'));
check('uninstall removed the option itself', false === get_option('pet_delete_data_on_uninstall'));
