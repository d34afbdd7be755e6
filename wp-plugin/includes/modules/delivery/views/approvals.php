<?php
/**
 * Time approvals (managers): without an employee, the submitted weeks, one line per
 * employee-week (entries, total, billable, minutes per project), ticked to approve or send
 * back (with one reason) in bulk, each opening its week; and the period-lock form; with an employee and a week: the week's entries, the submitted
 * ones ticked to approve together or sent back one by one with a reason; submitted and
 * approved ones can be adjusted (signed minutes booked on an open date, with a reason).
 *
 * @package PetWp
 *
 * @var array $data {employee_id, week, prev, next: string, entries: list<array>,
 *                   names: array<string,string>, people: array<string,string>,
 *                   projects: array<string,string>, total: int, lock: ?string,
 *                   queue: ?array (a page of submittedWeeks)}
 */

use PetWp\Modules\Delivery\Delivery_Admin;
use PetWp\Picker;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$emp  = $data['employee_id'];
$args = static fn ( string $week ): array => array( 'week' => $week ) + ( '' !== $emp ? array( 'employee_id' => $emp ) : array() );
?>
<form method="get" id="pet-approvals-filter"><input type="hidden" name="page" value="pet-approvals">
<table class="form-table" role="presentation">
<?php Picker::row( 'employee_id', __( 'Employee', 'pet' ), 'employees', $emp, 'pet-approvals-employee' ); ?>
<tr><th scope="row"><label for="pet-approvals-week"><?php esc_html_e( 'Week of', 'pet' ); ?></label></th>
<td><input type="date" name="week" id="pet-approvals-week" value="<?php echo esc_attr( $data['week'] ); ?>"></td></tr>
</table>
<?php submit_button( __( 'Show the week', 'pet' ), 'secondary', '', false ); ?>
</form>
<?php if ( '' !== $emp ) : ?>
<p class="pet-week-nav">
<a href="<?php echo esc_url( Table::page_url( 'pet-approvals', $args( $data['prev'] ) ) ); ?>">&larr; <?php esc_html_e( 'Previous week', 'pet' ); ?></a> |
<a href="<?php echo esc_url( Table::page_url( 'pet-approvals', $args( $data['next'] ) ) ); ?>"><?php esc_html_e( 'Next week', 'pet' ); ?> &rarr;</a>
&nbsp;
	<?php
	/* translators: %s: h:mm. */
	echo esc_html( sprintf( __( 'Week total: %s', 'pet' ), Delivery_Admin::hm( (int) $data['total'] ) ) );
	?>
</p>
	<?php if ( array() === $data['entries'] ) : ?>
<p id="pet-approvals-empty"><?php esc_html_e( 'No time this week.', 'pet' ); ?></p>
	<?php else : ?>
		<?php View::form_open( 'delivery_approve', array(), 'pet-approve-form' ); ?>
</form>
<table class="widefat striped" id="pet-approvals">
<thead><tr><th scope="col"><?php esc_html_e( 'Approve', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Date', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Project / ticket', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Time', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Status', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Note', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Send back / adjust', 'pet' ); ?></th></tr></thead>
<tbody>
		<?php foreach ( $data['entries'] as $e ) : ?>
			<?php $eid = (string) $e['id']; ?>
<tr data-entry="<?php echo esc_attr( $eid ); ?>">
<td>
			<?php if ( View::allows( $e, 'approve' ) ) : ?>
<input type="checkbox" form="pet-approve-form" name="entry[]" value="<?php echo esc_attr( $eid ); ?>" checked aria-label="<?php esc_attr_e( 'Approve this entry', 'pet' ); ?>">
			<?php endif; ?>
</td>
<td><?php echo esc_html( (string) $e['work_date'] ); ?></td>
<td><?php echo esc_html( $data['names'][ $eid ] ?? '' ); ?></td>
<td><?php echo esc_html( Delivery_Admin::hm( (int) $e['effective_minutes'] ) ); ?></td>
<td><?php View::badge( (string) $e['status'] ); ?></td>
<td><?php echo esc_html( (string) ( $e['note'] ?? '' ) ); ?></td>
<td>
			<?php if ( View::allows( $e, 'send_back' ) ) : ?>
				<?php View::form_open( 'delivery_send_back', array( 'id' => $eid ), '', array( 'class' => 'pet-send-back' ) ); ?>
<input type="text" name="reason" required placeholder="<?php esc_attr_e( 'Reason', 'pet' ); ?>" aria-label="<?php esc_attr_e( 'Reason for sending back', 'pet' ); ?>">
				<?php submit_button( __( 'Send back', 'pet' ), 'small', '', false ); ?>
</form>
			<?php endif; ?>
			<?php if ( View::allows( $e, 'adjust' ) ) : ?>
				<?php View::form_open( 'delivery_adjust', array( 'id' => $eid ), '', array( 'class' => 'pet-adjust' ) ); ?>
<input type="text" name="minutes" size="6" required placeholder="<?php esc_attr_e( '±h:mm', 'pet' ); ?>" aria-label="<?php esc_attr_e( 'Minutes added or removed', 'pet' ); ?>">
<input type="date" name="work_date" required value="<?php echo esc_attr( \PetWp\Input::today() ); ?>" aria-label="<?php esc_attr_e( 'Booked on', 'pet' ); ?>">
<input type="text" name="reason" required placeholder="<?php esc_attr_e( 'Reason', 'pet' ); ?>" aria-label="<?php esc_attr_e( 'Reason for the adjustment', 'pet' ); ?>">
				<?php submit_button( __( 'Adjust', 'pet' ), 'small', '', false ); ?>
</form>
			<?php endif; ?>
</td>
</tr>
		<?php endforeach; ?>
</tbody></table>
<p><button type="submit" form="pet-approve-form" class="button button-primary" id="pet-approve-selected"><?php esc_html_e( 'Approve the ticked entries', 'pet' ); ?></button></p>
	<?php endif; ?>
<?php endif; ?>
<?php if ( is_array( $data['queue'] ) ) : ?>
<h2><?php esc_html_e( 'Submitted weeks waiting for approval', 'pet' ); ?></h2>
	<?php if ( array() === $data['queue']['items'] ) : ?>
<p id="pet-queue-empty"><?php esc_html_e( 'Nothing is waiting for approval.', 'pet' ); ?></p>
	<?php else : ?>
		<?php View::form_open( 'delivery_weeks', array(), 'pet-weeks-form' ); ?>
<table class="widefat striped" id="pet-approval-weeks">
<thead><tr><td class="check-column"><input type="checkbox" id="pet-weeks-all" aria-label="<?php esc_attr_e( 'Tick every week', 'pet' ); ?>"></td>
<th scope="col"><?php esc_html_e( 'Employee', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Week of', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Entries', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Total', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Billable', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Per project', 'pet' ); ?></th></tr></thead>
<tbody>
		<?php foreach ( $data['queue']['items'] as $w ) : ?>
			<?php
			$who  = (string) $w['employee_id'];
			$key  = $who . '|' . (string) $w['week'];
			$link = Table::page_url(
				'pet-approvals',
				array(
					'employee_id' => $who,
					'week'        => (string) $w['week'],
				)
			);
			?>
<tr data-week="<?php echo esc_attr( $key ); ?>">
			<?php /* translators: 1: employee, 2: date. */ ?>
			<?php $tick = sprintf( __( 'Tick %1$s, week of %2$s', 'pet' ), $data['people'][ $who ] ?? $who, (string) $w['week'] ); ?>
<th scope="row" class="check-column"><input type="checkbox" name="week[]" value="<?php echo esc_attr( $key ); ?>" aria-label="<?php echo esc_attr( $tick ); ?>"></th>
<td><?php echo esc_html( $data['people'][ $who ] ?? $who ); ?></td>
<td><a href="<?php echo esc_url( $link ); ?>" class="pet-week-open"><?php echo esc_html( (string) $w['week'] ); ?></a></td>
<td><?php echo esc_html( number_format_i18n( (int) $w['entries'] ) ); ?></td>
<td class="pet-week-minutes" data-minutes="<?php echo esc_attr( (string) (int) $w['minutes'] ); ?>"><?php echo esc_html( Delivery_Admin::hm( (int) $w['minutes'] ) ); ?></td>
<td><?php echo esc_html( Delivery_Admin::hm( (int) $w['billable_minutes'] ) ); ?></td>
<td>
			<?php
			$parts = array();
			foreach ( $w['projects'] as $p ) {
				$pid     = (string) ( $p['project_id'] ?? '' );
				$parts[] = ( '' === $pid ? __( 'Tickets without a project', 'pet' ) : ( $data['projects'][ $pid ] ?? $pid ) ) . ' ' . Delivery_Admin::hm( (int) $p['minutes'] );
			}
			echo esc_html( implode( ' · ', $parts ) );
			?>
</td>
</tr>
		<?php endforeach; ?>
</tbody></table>
<p>
<button type="submit" name="do" value="approve" class="button button-primary" id="pet-weeks-approve"><?php esc_html_e( 'Approve the ticked weeks', 'pet' ); ?></button>
<label for="pet-weeks-reason"><?php esc_html_e( 'or send them back with a reason:', 'pet' ); ?></label>
<input type="text" name="reason" id="pet-weeks-reason" placeholder="<?php esc_attr_e( 'Reason', 'pet' ); ?>">
<button type="submit" name="do" value="send_back" class="button" id="pet-weeks-send-back"><?php esc_html_e( 'Send back', 'pet' ); ?></button>
</p>
</form>
		<?php if ( null !== $data['queue']['next'] ) : ?>
<p><a class="button" href="<?php echo esc_url( Table::page_url( 'pet-approvals', array( 'after' => (string) $data['queue']['next'] ) ) ); ?>"><?php esc_html_e( 'More weeks', 'pet' ); ?> &rarr;</a></p>
		<?php endif; ?>
<p class="description"><?php esc_html_e( 'Open a week to see its entries, send single entries back or adjust them. A week is approved or sent back whole: every submitted entry of it, or none.', 'pet' ); ?></p>
	<?php endif; ?>
<h2><?php esc_html_e( 'Period lock', 'pet' ); ?></h2>
<p id="pet-lock-state">
	<?php
	echo esc_html(
		null === $data['lock']
			? __( 'No time is locked yet.', 'pet' )
			/* translators: %s: date. */
			: sprintf( __( 'Time is locked through %s: nothing dated then changes; corrections are adjustments dated later.', 'pet' ), (string) $data['lock'] )
	);
	?>
</p>
	<?php View::form_open( 'delivery_lock', array(), 'pet-lock-form' ); ?>
<label for="pet-lock-through"><?php esc_html_e( 'Lock time through', 'pet' ); ?></label>
<input type="date" name="through" id="pet-lock-through" required>
	<?php submit_button( __( 'Lock', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
<h2><?php esc_html_e( 'Variance', 'pet' ); ?></h2>
	<?php View::form_open( 'delivery_recompute', array(), 'pet-recompute-form' ); ?>
<p class="description"><?php esc_html_e( 'Delivered time is kept up to date by every approval and adjustment. Recomputing rebuilds it for every active project from the approved time and corrects any that differ; a variance threshold is still recorded only once.', 'pet' ); ?></p>
	<?php submit_button( __( 'Recompute variance', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
<?php endif; ?>
