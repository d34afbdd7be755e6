<?php
/**
 * One project: facts and status actions, time by role against sold (variance), constraint
 * versions with their change orders, milestones and tasks, the change-order form.
 *
 * @package PetWp
 *
 * @var array $data {project: array, manage: bool, roles: list<array>, total: ?array,
 *                   failed: ?array, timesheet_url: string, list_url: string, activity_url: string}
 */

use PetWp\Modules\Delivery\Delivery_Admin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$p     = $data['project'];
$id    = (string) $p['id'];
$total = $data['total'];
View::back_link( $data['list_url'], __( 'All projects', 'pet' ) );
View::history_link( 'project', $id );
?>
<h2 id="pet-project-name"><?php echo esc_html( (string) $p['name'] ); ?> <?php View::badge( (string) $p['status'] ); ?></h2>
<p class="description">
<?php
echo esc_html( null === $p['sale_id'] ? __( 'Internal project (no sale).', 'pet' ) : __( 'Created from an accepted quote; sold time as the sale recorded it.', 'pet' ) );
?>
</p>
<?php if ( $data['manage'] && array() !== (array) $p['next_statuses'] ) : ?>
<p id="pet-project-status-actions">
	<?php foreach ( (array) $p['next_statuses'] as $next ) : ?>
		<?php
		echo Table::action_form( 'delivery_project_status', array( 'id' => $id, 'status' => (string) $next ), sprintf( /* translators: %s: status. */ __( 'Set %s', 'pet' ), str_replace( '_', ' ', (string) $next ) ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- action_form() escapes.
		?>
		&nbsp;
	<?php endforeach; ?>
</p>
<?php endif; ?>
<?php if ( 'active' === $p['status'] ) : ?>
<p><a class="button" id="pet-project-log-time" href="<?php echo esc_url( $data['timesheet_url'] ); ?>"><?php esc_html_e( 'Log time on this project', 'pet' ); ?></a></p>
<?php endif; ?>

<h3><?php esc_html_e( 'Time by role against sold', 'pet' ); ?></h3>
<table class="widefat striped" id="pet-project-variance">
<thead><tr><th><?php esc_html_e( 'Role', 'pet' ); ?></th><th><?php esc_html_e( 'Sold', 'pet' ); ?></th><th><?php esc_html_e( 'Delivered', 'pet' ); ?></th><th><?php esc_html_e( 'Used', 'pet' ); ?></th><th><?php esc_html_e( 'Threshold reached', 'pet' ); ?></th></tr></thead>
<tbody>
<?php foreach ( $data['roles'] as $v ) : ?>
<tr>
<td><?php echo esc_html( '' === (string) ( $v['role'] ?? '' ) ? __( '(no role)', 'pet' ) : (string) $v['role'] ); ?></td>
<td><?php echo esc_html( Delivery_Admin::hm( (int) $v['sold_minutes'] ) ); ?></td>
<td><?php echo esc_html( Delivery_Admin::hm( (int) $v['delivered_minutes'] ) ); ?></td>
<td><?php echo esc_html( null === $v['percent'] ? '—' : number_format_i18n( (float) $v['percent'] ) . '%' ); ?></td>
<td><?php echo esc_html( null === $v['threshold_reached'] ? '—' : (string) $v['threshold_reached'] . '%' ); ?></td>
</tr>
<?php endforeach; ?>
<?php if ( null !== $total ) : ?>
<tr class="pet-project-total"><th><?php esc_html_e( 'Project', 'pet' ); ?></th>
<th><?php echo esc_html( Delivery_Admin::hm( (int) $total['sold_minutes'] ) ); ?></th>
<th><?php echo esc_html( Delivery_Admin::hm( (int) $total['delivered_minutes'] ) ); ?></th>
<th><?php echo esc_html( null === $total['percent'] ? '—' : number_format_i18n( (float) $total['percent'] ) . '%' ); ?></th>
<th><?php echo esc_html( null === $total['threshold_reached'] ? '—' : (string) $total['threshold_reached'] . '%' ); ?></th></tr>
<?php endif; ?>
</tbody></table>

<h3><?php esc_html_e( 'Constraint versions', 'pet' ); ?></h3>
<table class="widefat striped" id="pet-project-constraints">
<thead><tr><th><?php esc_html_e( 'Version', 'pet' ); ?></th><th><?php esc_html_e( 'Sold time by role', 'pet' ); ?></th><th><?php esc_html_e( 'Change order', 'pet' ); ?></th></tr></thead>
<tbody>
<?php foreach ( array_reverse( (array) $p['constraints'] ) as $c ) : ?>
<tr>
<td><?php echo esc_html( (string) $c['number'] ); ?></td>
<td>
	<?php foreach ( (array) $c['labour'] as $l ) : ?>
		<?php echo esc_html( ( '' === (string) ( $l['role'] ?? '' ) ? __( '(no role)', 'pet' ) : (string) $l['role'] ) . ': ' . Delivery_Admin::hm( (int) $l['minutes'] ) ); ?><br>
	<?php endforeach; ?>
</td>
<td>
	<?php if ( empty( $c['change_order'] ) ) : ?>
		<?php esc_html_e( 'Sold snapshot', 'pet' ); ?>
	<?php else : ?>
		<?php echo esc_html( (string) $c['change_order']['reason'] ); ?><br>
		<?php foreach ( (array) $c['change_order']['labour_delta'] as $l ) : ?>
			<?php echo esc_html( ( '' === (string) ( $l['role'] ?? '' ) ? __( '(no role)', 'pet' ) : (string) $l['role'] ) . ': ' . ( (int) $l['minutes'] >= 0 ? '+' : '' ) . Delivery_Admin::hm( (int) $l['minutes'] ) ); ?><br>
		<?php endforeach; ?>
	<?php endif; ?>
</td>
</tr>
<?php endforeach; ?>
</tbody></table>

<?php if ( array() !== (array) $p['milestones'] || array() !== (array) $p['tasks'] ) : ?>
<h3><?php esc_html_e( 'Milestones and tasks', 'pet' ); ?></h3>
<ul id="pet-project-plan">
	<?php foreach ( (array) $p['milestones'] as $m ) : ?>
	<li><?php echo esc_html( (string) ( $m['title'] ?? '' ) ); ?> <?php View::badge( (string) ( $m['status'] ?? '' ) ); ?></li>
	<?php endforeach; ?>
	<?php foreach ( (array) $p['tasks'] as $t ) : ?>
	<li><?php echo esc_html( (string) ( $t['title'] ?? '' ) ); ?> <?php View::badge( (string) ( $t['status'] ?? '' ) ); ?></li>
	<?php endforeach; ?>
</ul>
<?php endif; ?>

<?php if ( $data['manage'] && View::allows( $p, 'change_order' ) ) : ?>
<h3><?php esc_html_e( 'Record a change order', 'pet' ); ?></h3>
<p class="description"><?php esc_html_e( 'A change order never edits what was sold: it adds a new constraint version with the difference (minutes may be negative).', 'pet' ); ?></p>
	<?php View::form_open( 'delivery_change_order', array( 'id' => $id ), 'pet-change-order' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::text_row( $data['failed'], 'reason', __( 'Reason', 'pet' ), '', 'pet-change-order-reason', array( 'required' => true ) );
	View::text_row( $data['failed'], 'role', __( 'Role', 'pet' ), '', 'pet-change-order-role' );
	View::text_row( $data['failed'], 'minutes', __( 'Time added or removed (minutes or h:mm, e.g. -1:30)', 'pet' ), '', 'pet-change-order-minutes', array( 'required' => true ) );
	?>
</table>
	<?php submit_button( __( 'Record change order', 'pet' ) ); ?>
</form>
<?php endif; ?>
<?php View::link_paragraph( $data['activity_url'], __( 'Project activity', 'pet' ) ); ?>
