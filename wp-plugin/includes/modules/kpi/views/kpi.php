<?php
/**
 * A KPI: every version (newest first) with its spec, when it was published, the backfill's
 * progress and its last periods' results (a chart and, per period, a link to the explanation);
 * for managers, the form publishing the next version.
 *
 * @package PetWp
 *
 * @var array $data {kpi: array, results: array<int,array>, options: array, manage: bool, failed: ?array}
 */

use PetWp\Modules\Kpi\Kpi_Admin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$pet_k      = $data['kpi'];
$pet_scopes = Kpi_Admin::scope_labels();
$pet_grains = Kpi_Admin::grain_labels();
View::back_link( \PetWp\Tables\Table::page_url( Kpi_Admin::KPIS_PAGE ), __( 'All KPIs', 'pet' ) );
?>
<h2><?php echo esc_html( (string) $pet_k['name'] ); ?></h2>
<?php
foreach ( (array) $pet_k['versions'] as $v ) :
	$spec = $v['spec'];
	$sid  = (string) ( $spec['scope']['id'] ?? '' );
	$res  = $data['results'][ (int) $v['number'] ] ?? array( 'results' => array() );
	?>
	<div class="pet-kpi-version" id="pet-kpi-version-<?php echo esc_attr( (string) $v['number'] ); ?>">
	<h3>
		<?php
		/* translators: 1: version number, 2: calculator, 3: scope, 4: period length. */
		echo esc_html( sprintf( __( 'Version %1$d: %2$s, %3$s, per %4$s', 'pet' ), (int) $v['number'], Kpi_Admin::calculator_label( (string) $spec['calculator'] ), $pet_scopes[ (string) $spec['scope']['kind'] ] . ( '' !== $sid ? ' ' . ( $pet_k['scope_names'][ $sid ] ?? $sid ) : '' ), strtolower( $pet_grains[ (string) $spec['grain'] ] ?? (string) $spec['grain'] ) ) );
		?>
	</h3>
	<p class="description">
		<?php
		/* translators: %s: date and time. */
		echo esc_html( sprintf( __( 'Published %s.', 'pet' ), wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) strtotime( (string) $v['published_at'] ) ) ) );
		echo ' ';
		if ( 'done' === $v['backfill_status'] ) {
			esc_html_e( 'Results up to date.', 'pet' );
		} else {
			/* translators: 1: periods computed, 2: periods to compute. */
			echo esc_html( sprintf( __( 'Computing: %1$d of %2$d periods.', 'pet' ), (int) $v['periods_done'], (int) $v['periods_total'] ) );
		}
		?>
	</p>
	<?php
	$labels = array();
	$values = array();
	foreach ( (array) $res['results'] as $r ) {
		$labels[] = (string) $r['label'];
		$values[] = null === $r['value'] ? null : (float) $r['value'];
	}
	/* translators: %d: version number. */
	View::chart( sprintf( __( 'Version %d over its last periods', 'pet' ), (int) $v['number'] ), $labels, array( array( 'label' => (string) $pet_k['name'], 'data' => $values ) ), '', 'percent' === $v['unit'] ? 'percent' : 'number' );
	?>
	<table class="widefat striped pet-kpi-results">
		<thead><tr>
			<th scope="col"><?php esc_html_e( 'Period', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Value', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Numerator', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Denominator', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Facts', 'pet' ); ?></th>
		</tr></thead>
		<tbody>
		<?php foreach ( array_reverse( (array) $res['results'] ) as $r ) : ?>
			<tr>
				<th scope="row"><?php echo esc_html( (string) $r['label'] ); ?></th>
				<td><a href="<?php echo esc_url( Kpi_Admin::explain_url( (string) $pet_k['id'], (int) $v['number'], (string) $r['period_start'] ) ); ?>"><?php echo esc_html( Kpi_Admin::with_unit( $r['value'], (string) $v['unit'] ) ); ?></a></td>
				<td><?php echo esc_html( number_format_i18n( (int) $r['numerator'] ) ); ?></td>
				<td><?php echo esc_html( number_format_i18n( (int) $r['denominator'] ) ); ?></td>
				<td><?php echo esc_html( number_format_i18n( (int) $r['part_count'] ) ); ?></td>
			</tr>
		<?php endforeach; ?>
		</tbody>
	</table>
	</div>
<?php endforeach; ?>
<?php if ( $data['manage'] ) : ?>
	<h2><?php esc_html_e( 'Publish a new version', 'pet' ); ?></h2>
	<p class="description"><?php esc_html_e( 'A new version is computed on its own; the results of earlier versions stay as they are.', 'pet' ); ?></p>
	<?php View::form_open( 'kpi_publish', array( 'id' => (string) $pet_k['id'] ), 'pet-kpi-publish' ); ?>
	<table class="form-table" role="presentation">
		<?php
		View::render(
			'kpi/spec-fields',
			array(
				'options' => $data['options'],
				'failed'  => $data['failed'],
				'spec'    => $pet_k['versions'][0]['spec'] ?? array(),
			)
		);
		?>
	</table>
	<?php submit_button( __( 'Publish version', 'pet' ) ); ?>
	</form>
<?php endif; ?>
