<?php
/**
 * Customers: search, the list; the "Add customer" form for managers.
 *
 * @package PetWp
 *
 * @var array $data {table: Customers_Table, manage: bool}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<form method="get"><input type="hidden" name="page" value="pet-customers">
<?php $data['table']->search_box( __( 'Search customers', 'pet' ), 'pet-customer' ); ?>
</form>
<?php
$data['table']->display();
if ( ! $data['manage'] ) {
	return;
}
?>
<h2><?php esc_html_e( 'Add customer', 'pet' ); ?></h2>
<?php View::form_open( 'create_customer', array(), 'pet-create-customer' ); ?>
<table class="form-table" role="presentation">
<?php View::field( 'name', __( 'Company name', 'pet' ), 'text', '', array( 'required' => true ) ); ?>
</table>
<?php submit_button( __( 'Add customer', 'pet' ) ); ?>
</form>
