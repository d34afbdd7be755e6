<?php
/**
 * The WordPress Dashboard widget: each org-wide KPI's current value and its trend, with a link
 * to the PET dashboard.
 *
 * @package PetWp
 *
 * @var array $data {tiles: list<array>, url: string}
 */

use PetWp\Modules\Kpi\Kpi_Admin;

defined( 'ABSPATH' ) || exit;
?>
<?php if ( array() === $data['tiles'] ) : ?>
	<p><?php esc_html_e( 'No org-wide KPI is defined yet.', 'pet' ); ?></p>
<?php else : ?>
	<table class="widefat striped pet-kpi-widget">
		<thead><tr><th scope="col"><?php esc_html_e( 'KPI', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Now', 'pet' ); ?></th><th scope="col"><?php esc_html_e( 'Trend', 'pet' ); ?></th></tr></thead>
		<tbody>
		<?php foreach ( $data['tiles'] as $t ) : ?>
			<tr>
				<th scope="row"><?php echo esc_html( (string) $t['name'] ); ?></th>
				<td><?php echo esc_html( Kpi_Admin::with_unit( $t['current']['value'] ?? null, (string) $t['unit'] ) ); ?></td>
				<td><?php echo esc_html( null === $t['trend'] ? '—' : ( ( (int) $t['trend_tenths'] > 0 ? '+' : '' ) . Kpi_Admin::with_unit( (string) $t['trend'], (string) $t['unit'] ) ) ); ?></td>
			</tr>
		<?php endforeach; ?>
		</tbody>
	</table>
<?php endif; ?>
<p><a href="<?php echo esc_url( $data['url'] ); ?>"><?php esc_html_e( 'Open the PET dashboard', 'pet' ); ?></a></p>
