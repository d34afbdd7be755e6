<?php
/**
 * Leads: status, owner and source filters with search, the list, the capture form with the
 * latest schema version's custom fields.
 *
 * @package PetWp
 *
 * @var array $data {table: Leads_Table, status, owner_id, source: string, statuses: list<string>, owners, sources: array<string,string>,
 *                   schema: array|null, customers, employees: array<string,string>}
 */

use PetWp\Modules\Sales\Sales_Admin;
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
View::select( 'owner_id', $data['owners'], $data['owner_id'], 'pet-filter-owner' );
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
View::select_row( 'customer_id', __( 'Existing customer', 'pet' ), $data['customers'], '', 'pet-customer-id' );
View::field( 'customer_name', __( 'New company name', 'pet' ) );
View::field( 'source', __( 'Source', 'pet' ), 'text', '', array( 'required' => true ) );
View::select_row( 'owner_id', __( 'Owner', 'pet' ), $data['employees'], '', 'pet-owner-id' );
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
