<?php
/**
 * Leads: status, owner and source filters with search, the list, the capture form with the
 * latest schema version's custom fields.
 *
 * @package PetWp
 *
 * @var array $data {table: Leads_Table, status, owner_id, source: string, statuses: list<string>, sources: array<string,string>,
 *                   schema: array|null} (owner, customer and owner filter are type-ahead pickers)
 */

use PetWp\Modules\Sales\Sales_Admin;
use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$schema = $data['schema'];
?>
<form method="get"><input type="hidden" name="page" value="pet-leads">
<div class="alignleft actions">
<?php
$statuses = array( '' => __( 'All statuses', 'pet' ) );
foreach ( $data['statuses'] as $s ) {
	$statuses[ $s ] = Sales_Admin::lead_status_label( $s );
}
View::select(
	'status',
	$statuses,
	$data['status'],
	'pet-filter-status'
);
?>
<label for="pet-filter-owner" class="screen-reader-text"><?php esc_html_e( 'Owner', 'pet' ); ?></label>
<?php
Picker::render( 'owner_id', 'all-employees', $data['owner_id'], 'pet-filter-owner', array(), array( 'placeholder' => __( 'All owners', 'pet' ) ) );
View::select( 'source', $data['sources'], $data['source'], 'pet-filter-source' );
submit_button( __( 'Filter', 'pet' ), '', 'filter_action', false );
?>
</div>
<?php $data['table']->search_box( __( 'Search leads', 'pet' ), 'pet-lead' ); ?>
</form>
<?php $data['table']->display(); ?>
<h2><?php esc_html_e( 'Capture a lead', 'pet' ); ?></h2>
<?php View::form_open( 'create_lead', array(), 'pet-create-lead' ); ?>
<table class="form-table" role="presentation">
<?php
$new_company = array( 'placeholder' => __( '— a new company —', 'pet' ) );
Picker::row( 'customer_id', __( 'Existing customer', 'pet' ), 'customers', '', 'pet-customer-id', array(), $new_company );
View::field( 'customer_name', __( 'New company name', 'pet' ) );
View::field( 'source', __( 'Source', 'pet' ), 'text', '', array( 'required' => true ) );
Picker::row( 'owner_id', __( 'Owner', 'pet' ), 'employees', '', 'pet-owner-id', array(), array( 'placeholder' => __( '— me —', 'pet' ) ) );
foreach ( null === $schema ? array() : $schema['fields'] as $f ) {
	View::render( 'sales/custom-input', array( 'field' => $f ) );
}
?>
</table>
<?php if ( null !== $schema ) : ?>
	<?php /* translators: %d: lead schema version number. */ ?>
<p class="description"><?php echo esc_html( sprintf( __( 'Custom fields of lead schema version %d.', 'pet' ), (int) $schema['number'] ) ); ?></p>
<?php endif; ?>
<?php submit_button( __( 'Capture lead', 'pet' ) ); ?>
</form>
