<?php
/**
 * The PET dashboard: the filter (the whole firm, or the KPIs defined for one team, employee,
 * customer or project, found by typing its name), CSV export, a tile per KPI (current period,
 * trend against the previous period, target) and a chart per KPI over its periods with the
 * table alternative.
 *
 * @package PetWp
 *
 * @var array $data {tiles: list<array>, kinds: array<string,string>, pickers: array<string,string>, ids: array<string,string>, selected: string, csv_url: string, manage: bool}
 */

use PetWp\Modules\Kpi\Kpi_Admin;
use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<form method="get" id="pet-dashboard-filter"><input type="hidden" name="page" value="pet-dashboard">
<p class="pet-kpi-toolbar">
<label for="pet-dashboard-scope"><?php esc_html_e( 'Show KPIs for', 'pet' ); ?></label>
<?php View::select( 'scope', $data['kinds'], $data['selected'], 'pet-dashboard-scope' ); ?>
<?php
foreach ( $data['pickers'] as $pet_kind => $pet_picker ) {
	echo '<span data-pet-sets="' . esc_attr( 'pet-dashboard-scope:' . $pet_kind ) . '">';
	Picker::render(
		$pet_kind . '_id',
		$pet_picker,
		(string) $data['ids'][ $pet_kind ],
		'pet-dashboard-' . $pet_kind,
		array(),
		array(
			/* translators: %s: team, employee, customer or project. */
			'aria-label'  => sprintf( __( '%s to show KPIs for', 'pet' ), $data['kinds'][ $pet_kind ] ),
			/* translators: %s: team, employee, customer or project. */
			'placeholder' => sprintf( __( '%s: type to search…', 'pet' ), $data['kinds'][ $pet_kind ] ),
		)
	);
	echo '</span>';
}
?>
<?php submit_button( __( 'Filter', 'pet' ), '', '', false ); ?>
<a class="button" href="<?php echo esc_url( $data['csv_url'] ); ?>"><?php esc_html_e( 'Export CSV', 'pet' ); ?></a>
<?php if ( $data['manage'] ) : ?>
	<a class="button" href="<?php echo esc_url( \PetWp\Tables\Table::page_url( Kpi_Admin::KPIS_PAGE ) ); ?>"><?php esc_html_e( 'Define KPIs', 'pet' ); ?></a>
<?php endif; ?>
</p></form>
<?php if ( array() === $data['tiles'] ) : ?>
	<p class="pet-kpi-empty"><?php esc_html_e( 'No KPI is defined for this selection yet. A manager defines KPIs on the KPIs screen; the KPI job computes them every minute.', 'pet' ); ?></p>
<?php else : ?>
<div class="pet-kpi-tiles">
	<?php
	foreach ( $data['tiles'] as $t ) :
		$unit    = (string) $t['unit'];
		$current = $t['current'] ?? array();
		$trend   = $t['trend_tenths'];
		$better  = null === $trend || 0 === (int) $trend ? 'flat' : ( ( (int) $trend > 0 ) === (bool) $t['higher_is_better'] ? 'better' : 'worse' );
		$explain = Kpi_Admin::explain_url( (string) $t['kpi_id'], (int) $t['version'], (string) ( $current['period_start'] ?? '' ) );
		?>
		<div class="pet-kpi-tile pet-kpi-<?php echo esc_attr( $better ); ?>">
			<h2 class="pet-kpi-name"><a href="<?php echo esc_url( Kpi_Admin::kpi_url( (string) $t['kpi_id'] ) ); ?>"><?php echo esc_html( (string) $t['name'] ); ?></a></h2>
			<p class="pet-kpi-value"><a href="<?php echo esc_url( $explain ); ?>" title="<?php esc_attr_e( 'Explain this number', 'pet' ); ?>"><?php echo esc_html( Kpi_Admin::with_unit( $current['value'] ?? null, $unit ) ); ?></a></p>
			<p class="pet-kpi-period"><?php echo esc_html( (string) ( $current['label'] ?? '' ) ); ?></p>
			<p class="pet-kpi-trend">
				<?php
				if ( null === $trend ) {
					esc_html_e( 'No trend yet', 'pet' );
				} else {
					/* translators: 1: signed change, 2: previous period label. */
					echo esc_html( sprintf( __( '%1$s vs %2$s', 'pet' ), ( (int) $trend > 0 ? '+' : '' ) . Kpi_Admin::with_unit( (string) $t['trend'], $unit ), (string) ( $t['previous']['label'] ?? '' ) ) );
				}
				?>
			</p>
			<?php if ( null !== $t['target'] ) : ?>
				<p class="pet-kpi-target">
					<?php
					/* translators: %s: target value with unit. */
					echo esc_html( sprintf( __( 'Target: %s', 'pet' ), Kpi_Admin::with_unit( (string) $t['target'], $unit ) ) );
					?>
				</p>
			<?php endif; ?>
			<?php if ( 'done' !== $t['backfill_status'] ) : ?>
				<p class="pet-kpi-progress">
					<?php
					/* translators: 1: periods computed, 2: periods to compute. */
					echo esc_html( sprintf( __( 'Computing: %1$d of %2$d periods', 'pet' ), (int) $t['periods_done'], (int) $t['periods_total'] ) );
					?>
				</p>
			<?php endif; ?>
		</div>
	<?php endforeach; ?>
</div>
<div class="pet-kpi-charts">
	<?php
	foreach ( $data['tiles'] as $t ) {
		$labels = array();
		$values = array();
		foreach ( (array) $t['series'] as $r ) {
			$labels[] = (string) $r['label'];
			$values[] = null === $r['value'] ? null : (float) $r['value'];
		}
		$series = array(
			array(
				'label' => (string) $t['name'],
				'data'  => $values,
			),
		);
		if ( null !== $t['target'] ) {
			$series[] = array(
				'label'  => __( 'Target', 'pet' ),
				'data'   => array_fill( 0, count( $labels ), (float) $t['target'] ),
				'dashed' => true,
			);
		}
		View::chart(
			(string) $t['name'],
			$labels,
			$series,
			'percent' === $t['unit'] ? __( 'Percent', 'pet' ) : __( 'Minutes', 'pet' ),
			'percent' === $t['unit'] ? 'percent' : 'number'
		);
	}
	?>
</div>
<?php endif; ?>
