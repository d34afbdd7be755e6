<?php
/**
 * Tickets: the filter and search form, the list, the "New ticket" form.
 *
 * @package PetWp
 *
 * @var array $data {table: Tickets_Table, filters: array<string,string>, keep: array<string,string>,
 *                   statuses, priorities, sla_states: array<string,string>, new_ticket: bool,
 *                   channels?: array<string,string>} (customer, assignee and SLA are type-ahead pickers)
 */

use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$f = $data['filters'];
?>
<form method="get" id="pet-ticket-filters"><input type="hidden" name="page" value="pet-tickets">
<?php foreach ( $data['keep'] as $k => $v ) : ?>
<input type="hidden" name="<?php echo esc_attr( $k ); ?>" value="<?php echo esc_attr( $v ); ?>">
<?php endforeach; ?>
<div class="alignleft actions">
<?php
View::select( 'status', $data['statuses'], $f['status'] ?? '', 'pet-filter-status' );
View::select( 'priority', array( '' => __( 'All priorities', 'pet' ) ) + $data['priorities'], $f['priority'] ?? '', 'pet-filter-priority' );
echo '<label class="screen-reader-text" for="pet-filter-assignee">' . esc_html__( 'Assignee', 'pet' ) . '</label>';
Picker::render( 'assignee_id', 'employees', $f['assignee_id'] ?? '', 'pet-filter-assignee', array( 'none' => __( 'Unassigned', 'pet' ) ), array( 'placeholder' => __( 'Any assignee', 'pet' ) ) );
View::select( 'sla_state', $data['sla_states'], $f['sla_state'] ?? '', 'pet-filter-sla' );
submit_button( __( 'Filter', 'pet' ), '', 'filter_action', false );
?>
</div>
<?php $data['table']->search_box( __( 'Search tickets', 'pet' ), 'pet-ticket' ); ?>
</form>
<?php $data['table']->search_order_note(); ?>
<?php $data['table']->display(); ?>
<p class="description"><?php esc_html_e( 'SLA: business time left until the next target (first response or resolution) falls due; hover for the due time.', 'pet' ); ?></p>
<?php
if ( ! $data['new_ticket'] ) {
	return;
}
?>
<h2><?php esc_html_e( 'New ticket', 'pet' ); ?></h2>
<?php View::form_open( 'create_ticket', array(), 'pet-create-ticket' ); ?>
<table class="form-table" role="presentation">
<tr><th scope="row"><label for="pet-ticket-customer"><?php esc_html_e( 'Customer', 'pet' ); ?></label></th><td><?php Picker::render( 'customer_id', 'customers', '', 'pet-ticket-customer', array(), array( 'required' => true ) ); ?></td></tr>
<tr><th scope="row"><label for="pet-ticket-subject"><?php esc_html_e( 'Subject', 'pet' ); ?></label></th><td><input type="text" name="subject" id="pet-ticket-subject" class="regular-text" required></td></tr>
<tr><th scope="row"><label for="pet-ticket-message"><?php esc_html_e( 'Message', 'pet' ); ?></label></th><td><textarea name="message" id="pet-ticket-message" class="large-text" rows="5" aria-describedby="pet-ticket-message-help"></textarea><p class="description" id="pet-ticket-message-help"><?php esc_html_e( 'What the customer wrote or said: kept as their first message on the ticket.', 'pet' ); ?></p></td></tr>
<?php
View::select_row( 'priority', __( 'Priority', 'pet' ), $data['priorities'], 'normal', 'pet-ticket-priority' );
View::select_row( 'channel', __( 'Channel', 'pet' ), $data['channels'], 'email', 'pet-ticket-channel' );
?>
<tr><th scope="row"><label for="pet-ticket-assignee"><?php esc_html_e( 'Assignee', 'pet' ); ?></label></th><td><?php Picker::render( 'assignee_id', 'employees', '', 'pet-ticket-assignee', array(), array( 'placeholder' => __( 'Unassigned', 'pet' ) ) ); ?></td></tr>
<tr><th scope="row"><label for="pet-ticket-sla"><?php esc_html_e( 'SLA definition', 'pet' ); ?></label></th><td>
<?php Picker::render( 'sla_definition_id', 'sla-definitions', '', 'pet-ticket-sla', array(), array( 'placeholder' => __( 'No SLA', 'pet' ) ) ); ?>
<p class="description"><?php esc_html_e( 'The ticket is pinned to the version in force now; later versions do not change it.', 'pet' ); ?></p></td></tr>
</table>
<?php submit_button( __( 'Open ticket', 'pet' ) ); ?>
</form>
