<?php
/**
 * Projects list: search (project or customer name), status and customer filters, the
 * projects (newest first) and, for managers, a form that creates an internal project
 * (projects from sales are created when the quote is accepted).
 *
 * @package PetWp
 *
 * @var array $data {table: Projects_Table, status: string, customer: string, manage: bool, failed: ?array}
 */

use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$statuses = array(
	''          => __( 'All statuses', 'pet' ),
	'planned'   => __( 'planned', 'pet' ),
	'active'    => __( 'active', 'pet' ),
	'on_hold'   => __( 'on hold', 'pet' ),
	'completed' => __( 'completed', 'pet' ),
	'closed'    => __( 'closed', 'pet' ),
	'cancelled' => __( 'cancelled', 'pet' ),
);
?>
<form method="get" id="pet-projects-filter"><input type="hidden" name="page" value="pet-projects">
<?php $data['table']->search_box( __( 'Search projects', 'pet' ), 'pet-project' ); ?>
<div class="alignleft actions">
<label for="pet-projects-status"><?php esc_html_e( 'Status', 'pet' ); ?></label>
<?php View::select( 'status', $statuses, $data['status'], 'pet-projects-status' ); ?>
<label for="pet-projects-customer"><?php esc_html_e( 'Customer', 'pet' ); ?></label>
<?php Picker::render( 'customer_id', 'customers', $data['customer'], 'pet-projects-customer', array(), array( 'placeholder' => __( 'Any customer', 'pet' ) ) ); ?>
<?php submit_button( __( 'Filter', 'pet' ), '', '', false ); ?>
</div></form>
<?php $data['table']->display(); ?>
<?php if ( $data['manage'] ) : ?>
<h2><?php esc_html_e( 'New internal project', 'pet' ); ?></h2>
<?php View::form_open( 'delivery_create_project', array(), 'pet-project-create' ); ?>
<table class="form-table" role="presentation">
<?php
View::text_row( $data['failed'], 'name', __( 'Name', 'pet' ), '', 'pet-project-name', array( 'required' => true ) );
View::text_row( $data['failed'], 'role', __( 'Role', 'pet' ), '', 'pet-project-role' );
View::text_row( $data['failed'], 'minutes', __( 'Sold time for the role (minutes or h:mm)', 'pet' ), '', 'pet-project-minutes' );
?>
</table>
<?php submit_button( __( 'Create project', 'pet' ) ); ?>
</form>
<?php endif; ?>
