<?php
/**
 * Resource planner (managers): active employees × weeks, each cell allocated against
 * capacity (h:mm), the weeks past capacity highlighted; the allocate form (an allocation
 * past capacity is made, and the engine's warning shown) and the weekly-capacity form.
 *
 * @package PetWp
 *
 * @var array $data {plan: array (Pet\Delivery::resourcePlan), from, prev, next: string,
 *                   projects: array<string,string>, alloc: ?array, capacity: ?array}
 */

use PetWp\Modules\Delivery\Delivery_Admin;
use PetWp\Picker;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$plan = $data['plan'];
?>
<p class="pet-week-nav">
<a class="button" href="<?php echo esc_url( Table::page_url( 'pet-resources', array( 'from' => $data['prev'] ) ) ); ?>">&larr; <?php esc_html_e( 'Earlier', 'pet' ); ?></a>
<a class="button" href="<?php echo esc_url( Table::page_url( 'pet-resources', array( 'from' => $data['next'] ) ) ); ?>"><?php esc_html_e( 'Later', 'pet' ); ?> &rarr;</a>
</p>
<table class="widefat striped pet-resource-plan" id="pet-resource-plan">
<thead><tr><th scope="col"><?php esc_html_e( 'Employee', 'pet' ); ?></th>
<?php foreach ( $plan['weeks'] as $week ) : ?>
<th scope="col"><?php echo esc_html( wp_date( 'j M', strtotime( $week . ' 12:00:00 UTC' ) ) ); ?></th>
<?php endforeach; ?>
</tr></thead>
<tbody>
<?php if ( array() === $plan['items'] ) : ?>
<tr><td colspan="<?php echo esc_attr( (string) ( 1 + count( $plan['weeks'] ) ) ); ?>"><?php esc_html_e( 'No active employees.', 'pet' ); ?></td></tr>
<?php endif; ?>
<?php foreach ( $plan['items'] as $row ) : ?>
<tr data-employee="<?php echo esc_attr( (string) $row['id'] ); ?>">
<th scope="row"><?php echo esc_html( (string) $row['name'] ); ?></th>
	<?php foreach ( $row['weeks'] as $w ) : ?>
<td class="<?php echo esc_attr( $w['over'] ? 'pet-over-capacity' : 'pet-within-capacity' ); ?>" title="<?php echo esc_attr( $w['over'] ? __( 'Over capacity', 'pet' ) : __( 'Within capacity', 'pet' ) ); ?>">
		<?php echo esc_html( Delivery_Admin::hm( (int) $w['allocated'] ) . ' / ' . Delivery_Admin::hm( (int) $w['capacity'] ) ); ?>
		<?php if ( $w['over'] ) : ?>
<strong class="pet-over-label"><?php esc_html_e( 'over', 'pet' ); ?></strong>
		<?php endif; ?>
</td>
	<?php endforeach; ?>
</tr>
<?php endforeach; ?>
</tbody></table>
<?php if ( null !== $plan['next'] ) : ?>
<p><a class="button" href="<?php echo esc_url( Table::page_url( 'pet-resources', array( 'from' => $data['from'], 'after' => (string) $plan['next'] ) ) ); ?>"><?php esc_html_e( 'More employees', 'pet' ); ?> &rarr;</a></p>
<?php endif; ?>
<p class="description"><?php esc_html_e( 'Each cell: allocated / capacity per week. Capacity is 40 hours a week unless set below.', 'pet' ); ?></p>

<h2><?php esc_html_e( 'Allocate', 'pet' ); ?></h2>
<?php $k = $data['alloc']; ?>
<?php View::form_open( 'delivery_allocate', array(), 'pet-allocate-form' ); ?>
<table class="form-table" role="presentation">
<?php Picker::row( 'employee_id', __( 'Employee', 'pet' ), 'employees', (string) ( $k['values']['employee_id'] ?? '' ), 'pet-allocate-employee' ); ?>
<?php View::select_row( 'project_id', __( 'Project', 'pet' ), $data['projects'], (string) ( $k['values']['project_id'] ?? '' ), 'pet-allocate-project' ); ?>
<?php View::text_row( $k, 'starts_on', __( 'From', 'pet' ), (string) ( $k['values']['starts_on'] ?? $data['from'] ), 'pet-allocate-starts', array( 'placeholder' => 'YYYY-MM-DD' ) ); ?>
<?php View::text_row( $k, 'ends_on', __( 'Through', 'pet' ), (string) ( $k['values']['ends_on'] ?? '' ), 'pet-allocate-ends', array( 'placeholder' => 'YYYY-MM-DD' ) ); ?>
<?php View::text_row( $k, 'hours', __( 'Hours per week', 'pet' ), (string) ( $k['values']['hours'] ?? '' ), 'pet-allocate-hours', array( 'placeholder' => '20:00' ) ); ?>
</table>
<?php submit_button( __( 'Allocate', 'pet' ), 'primary', 'submit', false ); ?>
</form>

<h2><?php esc_html_e( 'Weekly capacity', 'pet' ); ?></h2>
<?php $c = $data['capacity']; ?>
<?php View::form_open( 'delivery_capacity', array(), 'pet-capacity-form' ); ?>
<table class="form-table" role="presentation">
<?php Picker::row( 'employee_id', __( 'Employee', 'pet' ), 'employees', (string) ( $c['values']['employee_id'] ?? '' ), 'pet-capacity-employee' ); ?>
<?php View::text_row( $c, 'effective_from', __( 'From the week of (a Monday)', 'pet' ), (string) ( $c['values']['effective_from'] ?? $data['from'] ), 'pet-capacity-from', array( 'placeholder' => 'YYYY-MM-DD' ) ); ?>
<?php View::text_row( $c, 'hours', __( 'Hours per week', 'pet' ), (string) ( $c['values']['hours'] ?? '' ), 'pet-capacity-hours', array( 'placeholder' => '32:00' ) ); ?>
</table>
<?php submit_button( __( 'Set capacity', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
