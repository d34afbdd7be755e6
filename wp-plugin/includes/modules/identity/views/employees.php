<?php
/**
 * Employees: status views, search, the list; the "Add employee" form for managers.
 *
 * @package PetWp
 *
 * @var array $data {table: Employees_Table, manage: bool, today: string}
 */

use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$data['table']->views();
?>
<form method="get"><input type="hidden" name="page" value="pet-employees">
<?php $data['table']->search_box( __( 'Search employees', 'pet' ), 'pet-employee' ); ?>
</form>
<?php
$data['table']->display();
if ( ! $data['manage'] ) {
	return;
}
?>
<h2><?php esc_html_e( 'Add employee', 'pet' ); ?></h2>
<?php View::form_open( 'create_employee', array(), 'pet-create-employee' ); ?>
<table class="form-table" role="presentation">
<?php
View::field( 'name', __( 'Name', 'pet' ), 'text', '', array( 'required' => true ) );
View::field( 'email', __( 'Email', 'pet' ), 'email', '', array( 'required' => true ) );
?>
<?php
Picker::row( 'wp_user_id', __( 'WordPress user', 'pet' ), 'users', '', 'pet-wp-user-id' );
$decimal = array( 'inputmode' => 'decimal' );
View::field( 'cost_amount', __( 'Cost rate per hour (optional)', 'pet' ), 'text', '', $decimal + array( 'placeholder' => '60.00' ) );
View::field( 'bill_amount', __( 'Bill rate per hour (optional)', 'pet' ), 'text', '', $decimal + array( 'placeholder' => '120.00' ) );
View::field(
	'currency',
	__( 'Currency', 'pet' ),
	'text',
	'EUR',
	array(
		'maxlength' => '3',
		'size'      => '3',
	)
);
View::field( 'effective_from', __( 'Rates effective from', 'pet' ), 'date', $data['today'] );
?>
</table>
<?php submit_button( __( 'Add employee', 'pet' ) ); ?>
</form>
