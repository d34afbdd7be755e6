<?php
/**
 * My timesheet: the week's grid (rows = project/task or ticket, columns = days), each cell
 * the minutes logged (typed as minutes, h:mm or hours); cells holding submitted or approved
 * time are shown read-only; day and week totals (adjustments booked on the day included);
 * save as draft, submit the week. Above the grid, the timer: running (what on, since when,
 * stop into a draft entry or discard) or a start form over the week's rows; the add-row
 * form (a project or one of its tasks) and "copy last week's rows". assets/js/timesheet.js
 * adds keyboard moves and live totals; everything works without it.
 *
 * @package PetWp
 *
 * @var array $data {week, prev, next: string, days: list<string>, rows: array<string,array>,
 *                   totals: array<string,int>, total: int, locked: ?string, drafts: int,
 *                   timer: ?array (running timer with its label),
 *                   choices: array<string,string> (row key => label a new row can be),
 *                   tickets: bool (offer the ticket picker: the user sees tickets),
 *                   added: string (the empty rows shown, comma-separated keys)}
 */

use PetWp\Modules\Delivery\Delivery_Admin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$week = $data['week'];
?>
<p class="pet-week-nav" id="pet-week-nav">
<a class="button" href="<?php echo esc_url( Table::page_url( 'pet-timesheet', array( 'week' => $data['prev'] ) ) ); ?>">&larr; <?php esc_html_e( 'Previous week', 'pet' ); ?></a>
<strong>
<?php
/* translators: %s: date of the week's Monday. */
echo esc_html( sprintf( __( 'Week of %s', 'pet' ), wp_date( get_option( 'date_format' ), strtotime( $week . ' 12:00:00 UTC' ) ) ) );
?>
</strong>
<a class="button" href="<?php echo esc_url( Table::page_url( 'pet-timesheet', array( 'week' => $data['next'] ) ) ); ?>"><?php esc_html_e( 'Next week', 'pet' ); ?> &rarr;</a>
</p>
<div class="pet-timer" id="pet-timer">
<?php if ( is_array( $data['timer'] ) ) : ?>
<p id="pet-timer-running"><strong>
	<?php
	/* translators: 1: project or ticket, 2: h:mm. */
	echo esc_html( sprintf( __( 'Timer running on %1$s: %2$s so far.', 'pet' ), (string) $data['timer']['label'], Delivery_Admin::hm( (int) $data['timer']['elapsed_minutes'] ) ) );
	?>
</strong>
	<?php View::form_open( 'delivery_timer_stop', array( 'week' => $week ), 'pet-timer-stop', array( 'class' => 'pet-inline' ) ); ?>
	<?php submit_button( __( 'Stop and log as draft', 'pet' ), 'primary small', 'submit', false ); ?>
</form>
	<?php View::form_open( 'delivery_timer_discard', array( 'week' => $week ), 'pet-timer-discard', array( 'class' => 'pet-inline' ) ); ?>
	<?php submit_button( __( 'Discard', 'pet' ), 'small', 'submit', false ); ?>
</form>
</p>
<?php elseif ( array() !== $data['rows'] ) : ?>
	<?php View::form_open( 'delivery_timer_start', array( 'week' => $week ), 'pet-timer-start' ); ?>
<label for="pet-timer-row"><?php esc_html_e( 'Start a timer on', 'pet' ); ?></label>
<select name="row" id="pet-timer-row">
	<?php foreach ( $data['rows'] as $key => $row ) : ?>
<option value="<?php echo esc_attr( (string) $key ); ?>"><?php echo esc_html( $row['label'] ); ?></option>
	<?php endforeach; ?>
</select>
<input type="text" name="note" placeholder="<?php esc_attr_e( 'Note (optional)', 'pet' ); ?>" aria-label="<?php esc_attr_e( 'Note', 'pet' ); ?>">
	<?php submit_button( __( 'Start timer', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
<?php endif; ?>
</div>
<div class="pet-timesheet-rows" id="pet-timesheet-rows">
<?php if ( array() !== $data['choices'] || $data['tickets'] ) : ?>
<form method="get" id="pet-add-row">
<input type="hidden" name="page" value="pet-timesheet">
<input type="hidden" name="week" value="<?php echo esc_attr( $week ); ?>">
<input type="hidden" name="add" value="<?php echo esc_attr( $data['added'] ); ?>">
	<?php if ( array() !== $data['choices'] ) : ?>
<label for="pet-add-row-select"><?php esc_html_e( 'Add a row', 'pet' ); ?></label>
<select name="add_row" id="pet-add-row-select">
<option value=""><?php esc_html_e( '— a project or task —', 'pet' ); ?></option>
		<?php foreach ( $data['choices'] as $key => $label ) : ?>
<option value="<?php echo esc_attr( (string) $key ); ?>"><?php echo esc_html( $label ); ?></option>
		<?php endforeach; ?>
</select>
	<?php endif; ?>
	<?php if ( $data['tickets'] ) : ?>
<label for="pet-add-row-ticket"><?php esc_html_e( 'or a ticket', 'pet' ); ?></label>
		<?php \PetWp\Picker::render( 'add_ticket', 'tickets', '', 'pet-add-row-ticket', array(), array( 'placeholder' => __( 'Search tickets…', 'pet' ) ) ); ?>
	<?php endif; ?>
	<?php submit_button( __( 'Add', 'pet' ), 'secondary', '', false, array( 'id' => 'pet-add-row-submit' ) ); ?>
</form>
<?php endif; ?>
<?php
$copy_url = Table::page_url(
	'pet-timesheet',
	array(
		'week' => $week,
		'copy' => '1',
		'add'  => $data['added'],
	)
);
?>
<a class="button" id="pet-copy-last-week" href="<?php echo esc_url( $copy_url ); ?>"><?php esc_html_e( 'Copy last week\'s rows', 'pet' ); ?></a>
<span class="description"><?php esc_html_e( 'Time on a ticket: log it from the ticket\'s page, or open the ticket and choose "Open in my timesheet".', 'pet' ); ?></span>
</div>
<?php if ( null !== $data['locked'] ) : ?>
<p class="description" id="pet-timesheet-locked">
	<?php
	/* translators: %s: date. */
	echo esc_html( sprintf( __( 'Time is locked through %s: nothing dated then changes.', 'pet' ), $data['locked'] ) );
	?>
</p>
<?php endif; ?>
<?php if ( array() === $data['rows'] ) : ?>
<p id="pet-timesheet-empty"><?php esc_html_e( 'No time this week. Add a row for a project, or copy last week\'s rows.', 'pet' ); ?></p>
<?php else : ?>
	<?php View::form_open( 'delivery_save_week', array( 'week' => $week ), 'pet-timesheet-form' ); ?>
<table class="widefat striped pet-timesheet" id="pet-timesheet">
<thead><tr><th scope="col"><?php esc_html_e( 'Project / ticket', 'pet' ); ?></th>
	<?php foreach ( $data['days'] as $day ) : ?>
<th scope="col"><?php echo esc_html( wp_date( 'D j', strtotime( $day . ' 12:00:00 UTC' ) ) ); ?></th>
	<?php endforeach; ?>
<th scope="col"><?php esc_html_e( 'Total', 'pet' ); ?></th></tr></thead>
<tbody>
	<?php foreach ( $data['rows'] as $key => $row ) : ?>
<tr data-row="<?php echo esc_attr( (string) $key ); ?>">
<th scope="row"><a href="<?php echo esc_url( $row['url'] ); ?>"><?php echo esc_html( $row['label'] ); ?></a></th>
		<?php foreach ( $data['days'] as $day ) : ?>
			<?php
			$cell  = $row['cells'][ $day ];
			$shown = $cell['minutes'] > 0 ? Delivery_Admin::hm( (int) $cell['minutes'] ) : '';
			$label = $row['label'] . ' ' . $day;
			?>
<td class="pet-cell" data-statuses="<?php echo esc_attr( implode( ' ', array_keys( $cell['statuses'] ) ) ); ?>">
			<?php if ( $cell['editable'] ) : ?>
<input type="text" inputmode="decimal" size="5" autocomplete="off" name="<?php echo esc_attr( 'cell[' . $key . '][' . $day . ']' ); ?>" value="<?php echo esc_attr( $shown ); ?>" aria-label="<?php echo esc_attr( $label ); ?>">
<input type="hidden" name="<?php echo esc_attr( 'shown[' . $key . '][' . $day . ']' ); ?>" value="<?php echo esc_attr( $shown ); ?>">
			<?php else : ?>
<span class="pet-cell-fixed"><?php echo esc_html( $shown ); ?></span>
				<?php foreach ( array_keys( $cell['statuses'] ) as $st ) : ?>
					<?php View::badge( (string) $st ); ?>
				<?php endforeach; ?>
			<?php endif; ?>
			<?php foreach ( $cell['notes'] as $note ) : ?>
<br><span class="pet-sent-back">
				<?php
				/* translators: %s: the manager's reason. */
				echo esc_html( sprintf( __( 'Sent back: %s', 'pet' ), $note ) );
				?>
</span>
			<?php endforeach; ?>
</td>
		<?php endforeach; ?>
<td class="pet-row-total" data-minutes="<?php echo esc_attr( (string) (int) $row['total'] ); ?>"><?php echo esc_html( Delivery_Admin::hm( (int) $row['total'] ) ); ?></td>
</tr>
	<?php endforeach; ?>
</tbody>
<tfoot><tr><th scope="row"><?php esc_html_e( 'Day total', 'pet' ); ?></th>
	<?php foreach ( $data['days'] as $day ) : ?>
<td class="pet-day-total" data-minutes="<?php echo esc_attr( (string) (int) ( $data['totals'][ $day ] ?? 0 ) ); ?>"><?php echo esc_html( Delivery_Admin::hm( (int) ( $data['totals'][ $day ] ?? 0 ) ) ); ?></td>
	<?php endforeach; ?>
<td id="pet-week-total"><?php echo esc_html( Delivery_Admin::hm( (int) $data['total'] ) ); ?></td></tr></tfoot>
</table>
<p class="description"><?php esc_html_e( 'Type minutes (90), hours and minutes (1:30) or hours (1.5); the arrow keys and Tab move between days and rows. Saved time is a draft until you submit the week.', 'pet' ); ?></p>
	<?php submit_button( __( 'Save as draft', 'pet' ), 'secondary', 'submit', false, array( 'id' => 'pet-timesheet-save' ) ); ?>
</form>
	<?php if ( $data['drafts'] > 0 ) : ?>
		<?php View::form_open( 'delivery_submit_week', array( 'week' => $week ), 'pet-timesheet-submit' ); ?>
<p>
		<?php submit_button( __( 'Submit the week for approval', 'pet' ), 'primary', 'submit', false ); ?>
</p>
</form>
	<?php endif; ?>
<?php endif; ?>
