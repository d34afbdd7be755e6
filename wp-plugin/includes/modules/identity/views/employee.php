<?php
/**
 * One employee: facts, rates; for managers the rate, WordPress-user and status forms.
 *
 * @package PetWp
 *
 * @var array $data {employee: array, rates: Rates_Table, activity_url: string, manage: bool, today: string}
 */

use PetWp\Tables\Table;
use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$e  = $data['employee'];
$id = (string) $e['id'];
View::back_link( Table::page_url( 'pet-employees' ), __( 'All employees', 'pet' ) );
View::history_link( 'employee', $id );
?>
<h2><?php echo esc_html( (string) $e['name'] ); ?></h2>
<p><?php echo esc_html( (string) $e['email'] ); ?> · <?php echo esc_html( 'active' === $e['status'] ? __( 'Active', 'pet' ) : __( 'Inactive', 'pet' ) ); ?></p>
<?php View::link_paragraph( $data['activity_url'], __( 'Activity of this employee', 'pet' ) ); ?>
<h3><?php esc_html_e( 'Rates', 'pet' ); ?></h3>
<?php
$data['rates']->display();
if ( ! $data['manage'] ) {
	return;
}
?>
<h3><?php esc_html_e( 'Change a rate', 'pet' ); ?></h3>
<?php View::form_open( 'change_rate', array( 'id' => $id ), 'pet-change-rate' ); ?>
<table class="form-table" role="presentation">
<?php
View::select_row(
	'kind',
	__( 'Kind', 'pet' ),
	array(
		'cost' => __( 'Cost rate', 'pet' ),
		'bill' => __( 'Bill rate', 'pet' ),
	),
	'',
	'pet-kind'
);
View::field(
	'amount',
	__( 'Per hour', 'pet' ),
	'text',
	'',
	array(
		'inputmode' => 'decimal',
		'required'  => true,
	)
);
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
View::field( 'effective_from', __( 'Effective from', 'pet' ), 'date', $data['today'] );
?>
</table>
<?php submit_button( __( 'Save rate', 'pet' ), 'secondary' ); ?>
</form>
<h3><?php esc_html_e( 'Linked WordPress user', 'pet' ); ?></h3>
<?php
View::form_open( 'link_user', array( 'id' => $id ), 'pet-link-user' );
echo '<label for="pet-wp-user-id">' . esc_html__( 'WordPress user', 'pet' ) . '</label> ';
Picker::render( 'wp_user_id', 'users', empty( $e['wp_user_id'] ) ? '' : (string) $e['wp_user_id'], 'pet-wp-user-id', array( '0' => __( '— none —', 'pet' ) ) );
echo ' ';
submit_button( __( 'Save link', 'pet' ), 'secondary', 'submit', false );
?>
</form>
<h3><?php esc_html_e( 'Status', 'pet' ); ?></h3>
<?php
// Which status change is offered comes from the engine (the view's actions).
if ( View::allows( $e, 'deactivate' ) ) {
	View::form_open( 'deactivate_employee', array( 'id' => $id ) );
	submit_button( __( 'Deactivate employee', 'pet' ), 'delete', 'submit', false );
} elseif ( View::allows( $e, 'reactivate' ) ) {
	View::form_open( 'reactivate_employee', array( 'id' => $id ) );
	submit_button( __( 'Reactivate employee', 'pet' ), 'secondary', 'submit', false );
}
?>
</form>
