<?php
/**
 * The time section of a helpdesk ticket's page: the time logged on the ticket (who, when,
 * how long, status) with its totals, and a small form to log the current user's time on it
 * (a draft entry on their timesheet).
 *
 * @package PetWp
 *
 * @var array $data {ticket_id: string, time: ?array (ticketTime; null: the user may not see
 *                   the delivery area, only the form), names: array<string,string>,
 *                   today: string, timesheet_url: string}
 */

use PetWp\Modules\Delivery\Delivery_Admin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$time = $data['time'];
?>
<h3 id="pet-ticket-time-title"><?php esc_html_e( 'Time', 'pet' ); ?></h3>
<?php if ( null !== $time ) : ?>
<p id="pet-ticket-time-total" data-minutes="<?php echo esc_attr( (string) (int) $time['total_minutes'] ); ?>">
<?php
echo esc_html(
	sprintf(
		/* translators: 1: h:mm logged, 2: number of entries, 3: h:mm approved. */
		_n( '%1$s logged in %2$d entry (%3$s approved).', '%1$s logged in %2$d entries (%3$s approved).', (int) $time['count'], 'pet' ),
		Delivery_Admin::hm( (int) $time['total_minutes'] ),
		(int) $time['count'],
		Delivery_Admin::hm( (int) $time['approved_minutes'] )
	)
);
?>
</p>
<?php if ( array() !== $time['entries'] ) : ?>
<table class="widefat striped" id="pet-ticket-time" style="max-width:48em">
<thead><tr><th scope="col"><?php esc_html_e( 'Date', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Employee', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Time', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Status', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Note', 'pet' ); ?></th></tr></thead>
<tbody>
	<?php foreach ( $time['entries'] as $e ) : ?>
<tr data-entry="<?php echo esc_attr( (string) $e['id'] ); ?>">
<td><?php echo esc_html( (string) $e['work_date'] ); ?></td>
<td><?php echo esc_html( $data['names'][ (string) $e['employee_id'] ] ?? '' ); ?></td>
<td><?php echo esc_html( Delivery_Admin::hm( (int) $e['effective_minutes'] ) ); ?></td>
<td><?php View::badge( (string) $e['status'] ); ?></td>
<td><?php echo esc_html( (string) $e['note'] ); ?></td>
</tr>
	<?php endforeach; ?>
</tbody></table>
<?php endif; ?>
<?php endif; ?>
<?php View::form_open( 'delivery_log_ticket', array( 'ticket_id' => $data['ticket_id'] ), 'pet-ticket-log-time', array( 'class' => 'pet-inline' ) ); ?>
<p>
<label for="pet-ticket-log-minutes"><?php esc_html_e( 'Log my time', 'pet' ); ?></label>
<input type="text" name="minutes" id="pet-ticket-log-minutes" size="6" required placeholder="<?php esc_attr_e( '1:30', 'pet' ); ?>" aria-describedby="pet-ticket-log-help">
<label for="pet-ticket-log-date" class="screen-reader-text"><?php esc_html_e( 'Date', 'pet' ); ?></label>
<input type="date" name="work_date" id="pet-ticket-log-date" required value="<?php echo esc_attr( $data['today'] ); ?>">
<label for="pet-ticket-log-note" class="screen-reader-text"><?php esc_html_e( 'Note', 'pet' ); ?></label>
<input type="text" name="note" id="pet-ticket-log-note" placeholder="<?php esc_attr_e( 'Note (optional)', 'pet' ); ?>">
<label><input type="checkbox" name="billable" value="1" checked> <?php esc_html_e( 'Billable', 'pet' ); ?></label>
<?php submit_button( __( 'Log time', 'pet' ), 'secondary', 'submit', false, array( 'id' => 'pet-ticket-log-submit' ) ); ?>
<a href="<?php echo esc_url( $data['timesheet_url'] ); ?>"><?php esc_html_e( 'Open in my timesheet', 'pet' ); ?></a>
</p>
<p class="description" id="pet-ticket-log-help"><?php esc_html_e( 'Minutes (90), hours and minutes (1:30) or hours (1.5). It is draft time on your timesheet until you submit the week.', 'pet' ); ?></p>
</form>
