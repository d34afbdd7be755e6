<?php
// Uninstall keeps every PET table unless "delete all PET data" was ticked — and PET's roles,
// the portal's PET Customer among them (handled like PET Manager/Sales/Support/Staff).
login_admin();
if (null === get_role('pet_customer')) {
    add_role('pet_customer', 'PET Customer', ['read' => true]); // as the portal makes it
}
$roles_before = array_values(array_filter(['pet_manager', 'pet_sales', 'pet_support', 'pet_staff', 'pet_customer'], static fn ($r) => null !== get_role($r)));
$before = pet_tables();
check('PET tables exist before uninstall', count($before) > 0);
delete_option('pet_delete_data_on_uninstall');
uninstall_plugin('pet/pet.php');
check('uninstall without the option keeps every PET table', pet_tables() === $before, implode(',', pet_tables()));
$roles_after = array_values(array_filter(['pet_manager', 'pet_sales', 'pet_support', 'pet_staff', 'pet_customer'], static fn ($r) => null !== get_role($r)));
check('uninstall without the option keeps the PET roles, PET Customer included', in_array('pet_customer', $roles_before, true) && $roles_before === $roles_after, implode(',', $roles_after));
