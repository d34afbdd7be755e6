<?php
/**
 * One project (what Kantata and Harvest users expect): the header (customer, status and its
 * actions), time by role against sold with % used, the burn-up chart (delivered minutes
 * summed week by week against the sold line of each constraint version), constraint
 * versions with their change orders and the change-order form, milestones and tasks with
 * their forms and state changes, allocations (list, release, the allocate form — the
 * over-capacity warning comes back as the notice), linked tickets and the activity.
 *
 * @package PetWp
 *
 * @var array $data {project: array, customer: ?string, manage: bool, roles: list<array>,
 *                   total: ?array, burnup: array, allocations: list<array>, tickets: array,
 *                   people: array<string,string>, kept: array<string,array>, failed: ?array,
 *                   activity: list<array>, today: string, timesheet_url: string,
 *                   list_url: string, activity_url: string}
 */

use PetWp\Modules\Delivery\Delivery_Admin;
use PetWp\Picker;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$p      = $data['project'];
$id     = (string) $p['id'];
$total  = $data['total'];
$people = $data['people'];
$kept   = $data['kept'];
$name   = static fn ( $eid ): string => null === $eid ? __( 'Unassigned', 'pet' ) : (string) ( $people[ (string) $eid ] ?? $eid );
View::back_link( $data['list_url'], __( 'All projects', 'pet' ) );
View::history_link( 'project', $id );
?>
<h2 id="pet-project-name"><?php echo esc_html( (string) $p['name'] ); ?> <?php View::badge( (string) $p['status'] ); ?></h2>
<p class="description" id="pet-project-header">
<?php if ( null !== $data['customer'] ) : ?>
	<?php
	/* translators: %s: customer name. */
	echo esc_html( sprintf( __( 'Customer: %s.', 'pet' ), $data['customer'] ) ) . ' ';
	?>
<?php endif; ?>
<?php
echo esc_html( null === $p['sale_id'] ? __( 'Internal project (no sale).', 'pet' ) : __( 'Created from an accepted quote; sold time as the sale recorded it.', 'pet' ) );
?>
</p>
<?php if ( $data['manage'] && array() !== (array) $p['next_statuses'] ) : ?>
<div id="pet-project-status-actions">
	<?php foreach ( (array) $p['next_statuses'] as $next ) : ?>
		<?php
		echo Table::action_form( 'delivery_project_status', array( 'id' => $id, 'status' => (string) $next ), sprintf( /* translators: %s: status. */ __( 'Set %s', 'pet' ), str_replace( '_', ' ', (string) $next ) ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- action_form() escapes.
		?>
		&nbsp;
	<?php endforeach; ?>
</div>
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
<td><?php Delivery_Admin::used_bar( (int) $v['sold_minutes'], null === $v['percent'] ? null : (int) $v['percent'] ); ?></td>
<td><?php echo esc_html( null === $v['threshold_reached'] ? '—' : (string) $v['threshold_reached'] . '%' ); ?></td>
</tr>
<?php endforeach; ?>
<?php if ( null !== $total ) : ?>
<tr class="pet-project-total"><th><?php esc_html_e( 'Project', 'pet' ); ?></th>
<th><?php echo esc_html( Delivery_Admin::hm( (int) $total['sold_minutes'] ) ); ?></th>
<th><?php echo esc_html( Delivery_Admin::hm( (int) $total['delivered_minutes'] ) ); ?></th>
<th><?php Delivery_Admin::used_bar( (int) $total['sold_minutes'], null === $total['percent'] ? null : (int) $total['percent'] ); ?></th>
<th><?php echo esc_html( null === $total['threshold_reached'] ? '—' : (string) $total['threshold_reached'] . '%' ); ?></th></tr>
<?php endif; ?>
</tbody></table>

<h3><?php esc_html_e( 'Burn-up', 'pet' ); ?></h3>
<div id="pet-project-burnup">
<?php
$b      = $data['burnup'];
$series = array(
	array(
		'label' => __( 'Delivered (cumulative)', 'pet' ),
		'data'  => $b['delivered'],
	),
);
// The sold line steps to each constraint version's minutes from the week its change order
// took effect (one line, so a version in effect for one week is still a visible step).
$series[] = array(
	'label'  => __( 'Sold (constraint version in effect)', 'pet' ),
	'data'   => $b['sold'],
	'dashed' => true,
);
$labels = array_map( static fn ( $w ) => date_i18n( get_option( 'date_format' ), strtotime( (string) $w ) ), (array) $b['weeks'] );
View::chart( __( 'Delivered hours against sold, by week', 'pet' ), $labels, $series, __( 'Hours', 'pet' ), 'hours' );
?>
<?php if ( count( (array) $b['versions'] ) > 1 ) : ?>
<p class="description">
	<?php
	$steps = array();
	foreach ( (array) $b['versions'] as $ver ) {
		/* translators: 1: constraint version number, 2: date (Monday of a week), 3: sold time h:mm. */
		$steps[] = sprintf( __( 'version %1$d from the week of %2$s: %3$s', 'pet' ), (int) $ver['number'], date_i18n( get_option( 'date_format' ), strtotime( (string) $ver['from_week'] ) ), Delivery_Admin::hm( (int) $ver['minutes'] ) );
	}
	/* translators: %s: list of constraint versions with their dates and sold time. */
	echo esc_html( sprintf( __( 'Sold line: %s.', 'pet' ), implode( '; ', $steps ) ) );
	?>
</p>
<?php endif; ?>
<?php if ( $b['truncated'] ) : ?>
<p class="description"><?php esc_html_e( 'Only the latest 26 weeks are shown; earlier time is included in the first week\'s total.', 'pet' ); ?></p>
<?php endif; ?>
</div>

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

<h3><?php esc_html_e( 'Milestones', 'pet' ); ?></h3>
<?php $milestones = array(); ?>
<?php if ( array() === (array) $p['milestones'] ) : ?>
<p class="description"><?php esc_html_e( 'No milestones yet.', 'pet' ); ?></p>
<?php else : ?>
<table class="widefat striped" id="pet-project-milestones">
<thead><tr><th><?php esc_html_e( 'Milestone', 'pet' ); ?></th><th><?php esc_html_e( 'Due', 'pet' ); ?></th><th><?php esc_html_e( 'Status', 'pet' ); ?></th><th><?php esc_html_e( 'Actions', 'pet' ); ?></th></tr></thead>
<tbody>
	<?php foreach ( (array) $p['milestones'] as $m ) : ?>
		<?php $milestones[ (string) $m['id'] ] = (string) $m['title']; ?>
<tr>
<td><?php echo esc_html( (string) $m['title'] ); ?></td>
<td><?php echo esc_html( null === $m['due'] ? '—' : date_i18n( get_option( 'date_format' ), strtotime( (string) $m['due'] ) ) ); ?></td>
<td><?php View::badge( (string) $m['status'] ); ?></td>
<td>
		<?php if ( $data['manage'] && View::allows( $m, 'complete' ) ) : ?>
			<?php echo Table::action_form( 'delivery_milestone_done', array( 'id' => $id, 'milestone_id' => (string) $m['id'] ), __( 'Mark done', 'pet' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- action_form() escapes. ?>
		<?php endif; ?>
</td>
</tr>
	<?php endforeach; ?>
</tbody></table>
<?php endif; ?>
<?php if ( $data['manage'] && View::allows( $p, 'add_milestone' ) ) : ?>
	<?php $k = $kept['delivery_add_milestone'] ?? null; ?>
<details class="pet-project-form"<?php echo null !== $k ? ' open' : ''; ?>><summary><?php esc_html_e( 'Add a milestone', 'pet' ); ?></summary>
	<?php View::form_open( 'delivery_add_milestone', array( 'id' => $id ), 'pet-add-milestone' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::text_row( $k, 'title', __( 'Title', 'pet' ), (string) ( $k['values']['title'] ?? '' ), 'pet-milestone-title', array( 'required' => true ) );
	View::text_row( $k, 'due', __( 'Due', 'pet' ), (string) ( $k['values']['due'] ?? '' ), 'pet-milestone-due', array( 'placeholder' => 'YYYY-MM-DD' ) );
	?>
</table>
	<?php submit_button( __( 'Add milestone', 'pet' ), 'secondary' ); ?>
</form></details>
<?php endif; ?>

<h3><?php esc_html_e( 'Tasks', 'pet' ); ?></h3>
<?php if ( array() === (array) $p['tasks'] ) : ?>
<p class="description"><?php esc_html_e( 'No tasks yet.', 'pet' ); ?></p>
<?php else : ?>
<table class="widefat striped" id="pet-project-tasks">
<thead><tr><th><?php esc_html_e( 'Task', 'pet' ); ?></th><th><?php esc_html_e( 'Milestone', 'pet' ); ?></th><th><?php esc_html_e( 'Estimate', 'pet' ); ?></th><th><?php esc_html_e( 'Assignee', 'pet' ); ?></th><th><?php esc_html_e( 'Status', 'pet' ); ?></th><th><?php esc_html_e( 'Actions', 'pet' ); ?></th></tr></thead>
<tbody>
	<?php foreach ( (array) $p['tasks'] as $t ) : ?>
<tr data-task="<?php echo esc_attr( (string) $t['id'] ); ?>">
<td><?php echo esc_html( (string) $t['title'] ); ?></td>
<td><?php echo esc_html( null === $t['milestone_id'] ? '—' : (string) ( $milestones[ (string) $t['milestone_id'] ] ?? '—' ) ); ?></td>
<td><?php echo esc_html( null === $t['estimate_minutes'] ? '—' : Delivery_Admin::hm( (int) $t['estimate_minutes'] ) ); ?></td>
<td>
		<?php echo esc_html( $name( $t['assignee'] ) ); ?>
		<?php if ( $data['manage'] && View::allows( $t, 'assign' ) ) : ?>
<details class="pet-inline-form"><summary><?php esc_html_e( 'Reassign', 'pet' ); ?></summary>
			<?php View::form_open( 'delivery_assign_task', array( 'id' => $id, 'task_id' => (string) $t['id'] ) ); ?>
			<?php Picker::render( 'assignee_id', 'employees', (string) ( $t['assignee'] ?? '' ), 'pet-task-assignee-' . (string) $t['id'], array(), array( 'aria-label' => __( 'Assignee', 'pet' ) ) ); ?>
			<?php submit_button( __( 'Assign', 'pet' ), 'small', 'submit', false ); ?>
</form></details>
		<?php endif; ?>
</td>
<td><?php View::badge( (string) $t['status'] ); ?></td>
<td>
		<?php foreach ( (array) $t['next_statuses'] as $next ) : ?>
			<?php
			echo Table::action_form( // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- action_form() escapes.
				'delivery_move_task',
				array(
					'id'      => $id,
					'task_id' => (string) $t['id'],
					'status'  => (string) $next,
				),
				/* translators: %s: task status. */
				sprintf( __( 'Set %s', 'pet' ), View::value_label( (string) $next ) )
			);
			?>
		<?php endforeach; ?>
</td>
</tr>
	<?php endforeach; ?>
</tbody></table>
<?php endif; ?>
<?php if ( $data['manage'] && View::allows( $p, 'add_task' ) ) : ?>
	<?php $k = $kept['delivery_add_task'] ?? null; ?>
<details class="pet-project-form"<?php echo null !== $k ? ' open' : ''; ?>><summary><?php esc_html_e( 'Add a task', 'pet' ); ?></summary>
	<?php View::form_open( 'delivery_add_task', array( 'id' => $id ), 'pet-add-task' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::text_row( $k, 'title', __( 'Title', 'pet' ), (string) ( $k['values']['title'] ?? '' ), 'pet-task-title', array( 'required' => true ) );
	View::text_row( $k, 'hours', __( 'Estimate (h:mm or hours)', 'pet' ), (string) ( $k['values']['hours'] ?? '' ), 'pet-task-hours' );
	Picker::row( 'assignee_id', __( 'Assignee', 'pet' ), 'employees', (string) ( $k['values']['assignee_id'] ?? '' ), 'pet-task-assignee' );
	View::select_row( 'milestone_id', __( 'Milestone', 'pet' ), array( '' => __( 'None', 'pet' ) ) + $milestones, (string) ( $k['values']['milestone_id'] ?? '' ), 'pet-task-milestone' );
	?>
</table>
	<?php submit_button( __( 'Add task', 'pet' ), 'secondary' ); ?>
</form></details>
<?php endif; ?>

<h3><?php esc_html_e( 'Allocations', 'pet' ); ?></h3>
<?php if ( array() === $data['allocations'] ) : ?>
<p class="description"><?php esc_html_e( 'Nobody is allocated to this project yet.', 'pet' ); ?></p>
<?php else : ?>
<table class="widefat striped" id="pet-project-allocations">
<thead><tr><th><?php esc_html_e( 'Employee', 'pet' ); ?></th><th><?php esc_html_e( 'From', 'pet' ); ?></th><th><?php esc_html_e( 'Through', 'pet' ); ?></th><th><?php esc_html_e( 'Hours per week', 'pet' ); ?></th><th><?php esc_html_e( 'Actions', 'pet' ); ?></th></tr></thead>
<tbody>
	<?php foreach ( $data['allocations'] as $a ) : ?>
<tr>
<td><?php echo esc_html( $name( $a['employee_id'] ) ); ?></td>
<td><?php echo esc_html( (string) $a['starts_on'] ); ?></td>
<td><?php echo esc_html( (string) $a['ends_on'] ); ?></td>
<td><?php echo esc_html( Delivery_Admin::hm( (int) $a['minutes_per_week'] ) ); ?></td>
<td>
		<?php if ( $a['released'] ) : ?>
			<?php View::badge( 'released' ); ?>
		<?php elseif ( $data['manage'] ) : ?>
			<?php echo Table::action_form( 'delivery_release', array( 'id' => $id, 'allocation_id' => (string) $a['id'] ), __( 'Release', 'pet' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- action_form() escapes. ?>
		<?php endif; ?>
</td>
</tr>
	<?php endforeach; ?>
</tbody></table>
<?php endif; ?>
<?php if ( $data['manage'] && View::allows( $p, 'add_task' ) ) : ?>
	<?php $k = $kept['delivery_allocate'] ?? null; ?>
<details class="pet-project-form"<?php echo null !== $k ? ' open' : ''; ?>><summary><?php esc_html_e( 'Allocate someone', 'pet' ); ?></summary>
<p class="description"><?php esc_html_e( 'An allocation past the employee\'s weekly capacity is made and a warning names the weeks.', 'pet' ); ?></p>
	<?php View::form_open( 'delivery_allocate', array( 'id' => $id, 'project_id' => $id ), 'pet-project-allocate' ); ?>
<table class="form-table" role="presentation">
	<?php
	Picker::row( 'employee_id', __( 'Employee', 'pet' ), 'employees', (string) ( $k['values']['employee_id'] ?? '' ), 'pet-project-allocate-employee', array(), array( 'required' => true ) );
	View::text_row( $k, 'starts_on', __( 'From', 'pet' ), (string) ( $k['values']['starts_on'] ?? $data['today'] ), 'pet-project-allocate-starts', array( 'placeholder' => 'YYYY-MM-DD' ) );
	View::text_row( $k, 'ends_on', __( 'Through', 'pet' ), (string) ( $k['values']['ends_on'] ?? '' ), 'pet-project-allocate-ends', array( 'placeholder' => 'YYYY-MM-DD' ) );
	View::text_row( $k, 'hours', __( 'Hours per week', 'pet' ), (string) ( $k['values']['hours'] ?? '' ), 'pet-project-allocate-hours', array( 'placeholder' => '20:00' ) );
	?>
</table>
	<?php submit_button( __( 'Allocate', 'pet' ), 'secondary' ); ?>
</form></details>
<?php endif; ?>

<h3><?php esc_html_e( 'Linked tickets', 'pet' ); ?></h3>
<?php $tk = $data['tickets']; ?>
<?php if ( array() === $tk['items'] ) : ?>
<p class="description"><?php esc_html_e( 'No ticket names this project.', 'pet' ); ?></p>
<?php else : ?>
<table class="widefat striped" id="pet-project-tickets">
<thead><tr><th><?php esc_html_e( 'Ticket', 'pet' ); ?></th><th><?php esc_html_e( 'Status', 'pet' ); ?></th><th><?php esc_html_e( 'Priority', 'pet' ); ?></th><th><?php esc_html_e( 'Assignee', 'pet' ); ?></th><th><?php esc_html_e( 'Opened', 'pet' ); ?></th></tr></thead>
<tbody>
	<?php foreach ( $tk['items'] as $t ) : ?>
<tr>
<td><a href="<?php echo esc_url( Table::page_url( 'pet-tickets', array( 'id' => (string) $t['id'] ) ) ); ?>"><?php echo esc_html( ( null === $t['number'] ? '' : '#' . (int) $t['number'] . ' ' ) . (string) $t['subject'] ); ?></a></td>
<td><?php View::badge( (string) $t['status'] ); ?></td>
<td><?php echo esc_html( View::value_label( (string) $t['priority'] ) ); ?></td>
<td><?php echo esc_html( $name( $t['assignee_id'] ) ); ?></td>
<td><?php echo esc_html( Table::when( (string) $t['created_at'] ) ); ?></td>
</tr>
	<?php endforeach; ?>
</tbody></table>
	<?php if ( null !== $tk['next'] ) : ?>
<p><a href="<?php echo esc_url( Table::page_url( Delivery_Admin::PROJECTS_PAGE, array( 'id' => $id, 'tickets_after' => (string) $tk['next'] ) ) ); ?>"><?php esc_html_e( 'Older tickets', 'pet' ); ?> &rarr;</a></p>
	<?php endif; ?>
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

<h3><?php esc_html_e( 'Activity', 'pet' ); ?></h3>
<?php if ( array() === $data['activity'] ) : ?>
<p class="description"><?php esc_html_e( 'Nothing recorded yet.', 'pet' ); ?></p>
<?php else : ?>
<ul id="pet-project-activity">
	<?php foreach ( $data['activity'] as $line ) : ?>
<li><?php echo esc_html( Table::when( (string) $line['occurred_at'] ) . ' — ' . (string) $line['line'] ); ?></li>
	<?php endforeach; ?>
</ul>
<?php endif; ?>
<?php View::link_paragraph( $data['activity_url'], __( 'All of the project\'s activity', 'pet' ) ); ?>
