<?php
/**
 * One customer: contacts; for managers of an active customer the add-contact and archive forms.
 *
 * @package PetWp
 *
 * @var array $data {customer: array, contacts: Contacts_Table, change: bool}
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$c  = $data['customer'];
$id = (string) $c['id'];
View::back_link( Table::page_url( 'pet-customers' ), __( 'All customers', 'pet' ) );
View::history_link( 'customer', $id );
?>
<h2><?php echo esc_html( (string) $c['name'] ); ?></h2>
<h3><?php esc_html_e( 'Contacts', 'pet' ); ?></h3>
<form method="get"><input type="hidden" name="page" value="pet-customers"><input type="hidden" name="customer" value="<?php echo esc_attr( $id ); ?>">
<?php $data['contacts']->search_box( __( 'Search contacts', 'pet' ), 'pet-contact' ); ?>
</form>
<?php
$data['contacts']->display();
/**
 * Fires after the customer's contacts (the portal module adds its section here).
 *
 * @param array $c        The customer.
 * @param array $contacts The contacts on the page shown.
 */
do_action( 'pet_customer_sections', $c, $data['contacts']->items );
if ( ! $data['change'] ) {
	return;
}
?>
<h3><?php esc_html_e( 'Add contact', 'pet' ); ?></h3>
<?php View::form_open( 'add_contact', array( 'customer' => $id ), 'pet-add-contact' ); ?>
<table class="form-table" role="presentation">
<?php
View::field( 'name', __( 'Name', 'pet' ), 'text', '', array( 'required' => true ) );
View::field( 'email', __( 'Email', 'pet' ), 'email' );
View::field( 'phone', __( 'Phone', 'pet' ), 'tel' );
?>
</table>
<?php submit_button( __( 'Add contact', 'pet' ) ); ?>
</form>
<h3><?php esc_html_e( 'Archive', 'pet' ); ?></h3>
<?php
View::form_open( 'archive_customer', array( 'id' => $id ) );
submit_button( __( 'Archive customer', 'pet' ), 'delete', 'submit', false );
?>
</form>
