<?php
/**
 * KPIs: the definitions (name, the latest version's calculator, scope and period, the
 * backfill's progress) and, for managers, the form defining a KPI and a button running the KPI
 * job now.
 *
 * @package PetWp
 *
 * @var array $data {kpis: list<array>, options: array, manage: bool, failed: ?array}
 */

use PetWp\Modules\Kpi\Kpi_Admin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$pet_scopes = Kpi_Admin::scope_labels();
$pet_grains = Kpi_Admin::grain_labels();
?>
<table class="widefat striped pet-kpi-list">
	<thead><tr>
		<th scope="col"><?php esc_html_e( 'Name', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Calculator', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Scope', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Period', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Version', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Results', 'pet' ); ?></th>
	</tr></thead>
	<tbody>
	<?php if ( array() === $data['kpis'] ) : ?>
		<tr><td colspan="6"><?php esc_html_e( 'No KPI is defined yet.', 'pet' ); ?></td></tr>
	<?php endif; ?>
	<?php
	foreach ( $data['kpis'] as $k ) :
		$v     = $k['versions'][0];
		$spec  = $v['spec'];
		$kind  = (string) $spec['scope']['kind'];
		$sid   = (string) ( $spec['scope']['id'] ?? '' );
		$scope = $pet_scopes[ $kind ] . ( '' !== $sid ? ': ' . ( $k['scope_names'][ $sid ] ?? $sid ) : '' );
		?>
		<tr>
			<td><a href="<?php echo esc_url( Kpi_Admin::kpi_url( (string) $k['id'] ) ); ?>"><?php echo esc_html( (string) $k['name'] ); ?></a></td>
			<td><?php echo esc_html( Kpi_Admin::calculator_label( (string) $spec['calculator'] ) ); ?></td>
			<td><?php echo esc_html( $scope ); ?></td>
			<td><?php echo esc_html( $pet_grains[ (string) $spec['grain'] ] ?? (string) $spec['grain'] ); ?></td>
			<td><?php echo esc_html( (string) $k['current_version'] ); ?></td>
			<td>
				<?php
				if ( 'done' === $v['backfill_status'] ) {
					esc_html_e( 'Up to date', 'pet' );
				} else {
					/* translators: 1: periods computed, 2: periods to compute. */
					echo esc_html( sprintf( __( 'Computing: %1$d of %2$d periods', 'pet' ), (int) $v['periods_done'], (int) $v['periods_total'] ) );
				}
				?>
			</td>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>
<?php if ( $data['manage'] ) : ?>
	<?php View::form_open( 'kpi_run', array(), 'pet-kpi-run' ); ?>
	<p><?php submit_button( __( 'Run the KPI job now', 'pet' ), 'secondary', 'submit', false ); ?></p>
	</form>
	<h2><?php esc_html_e( 'Define a KPI', 'pet' ); ?></h2>
	<?php View::form_open( 'kpi_define', array(), 'pet-kpi-define' ); ?>
	<table class="form-table" role="presentation">
		<?php
		View::text_row( $data['failed'], 'name', __( 'Name', 'pet' ), '', 'pet-kpi-name' );
		View::render(
			'kpi/spec-fields',
			array(
				'options' => $data['options'],
				'failed'  => $data['failed'],
			)
		);
		?>
	</table>
	<?php submit_button( __( 'Define KPI', 'pet' ) ); ?>
	</form>
<?php endif; ?>
