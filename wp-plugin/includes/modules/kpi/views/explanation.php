<?php
/**
 * The explanation of one period's result: the number, how it is computed (numerator over
 * denominator), and every fact counted with its day, what it is, a link to the entity it is
 * about, and what it adds to the numerator and the denominator — which add up to the totals
 * shown at the foot.
 *
 * @package PetWp
 *
 * @var array $data {kpi: array, e: array}
 */

use PetWp\Modules\Kpi\Kpi_Admin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$pet_e     = $data['e'];
$pet_r     = $pet_e['result'];
$pet_names = (array) $pet_e['names'];
$pet_kinds = array(
	'time_billable'      => __( 'Billable time approved', 'pet' ),
	'time_non_billable'  => __( 'Non-billable time approved', 'pet' ),
	'capacity'           => __( 'Capacity in force', 'pet' ),
	'lead_qualified'     => __( 'Lead qualified', 'pet' ),
	'lead_disqualified'  => __( 'Lead disqualified', 'pet' ),
	'quote_won'          => __( 'Quote accepted', 'pet' ),
	'quote_lost'         => __( 'Quote rejected or expired', 'pet' ),
	'quote_sent'         => __( 'Quote sent (minutes since created)', 'pet' ),
	'sold'               => __( 'Minutes sold', 'pet' ),
	'sla_met'            => __( 'SLA target met', 'pet' ),
	'sla_breached'       => __( 'SLA target breached', 'pet' ),
	'first_response'     => __( 'First response (minutes since created)', 'pet' ),
	'ticket_resolved'    => __( 'Ticket resolved', 'pet' ),
	'ticket_reopened'    => __( 'Ticket reopened', 'pet' ),
	'membership_started' => __( 'Team membership', 'pet' ),
	'membership_ended'   => __( 'Team membership ended', 'pet' ),
);
$pet_name = static function ( ?string $id ) use ( $pet_names ): string {
	return null === $id ? '' : (string) ( $pet_names[ $id ] ?? $id );
};
View::back_link( Kpi_Admin::kpi_url( (string) $data['kpi']['id'] ), (string) $data['kpi']['name'] );
?>
<h2>
	<?php
	/* translators: 1: KPI name, 2: version, 3: period label. */
	echo esc_html( sprintf( __( '%1$s (version %2$d), %3$s', 'pet' ), (string) $data['kpi']['name'], (int) $pet_e['version'], (string) $pet_e['label'] ) );
	?>
</h2>
<p class="pet-kpi-value"><?php echo esc_html( Kpi_Admin::with_unit( $pet_r['value'], (string) $pet_r['unit'] ) ); ?></p>
<p>
	<?php
	/* translators: 1: numerator, 2: denominator, 3: number of facts. */
	echo esc_html( sprintf( __( '%1$s over %2$s, from %3$s facts.', 'pet' ), number_format_i18n( (int) $pet_r['numerator'] ), number_format_i18n( (int) $pet_r['denominator'] ), number_format_i18n( (int) $pet_e['part_total'] ) ) );
	if ( null !== $pet_e['as_of'] ) {
		echo ' ';
		/* translators: %s: a date and time. */
		echo esc_html( sprintf( __( 'As known at %s.', 'pet' ), (string) $pet_e['as_of'] ) );
	}
	?>
</p>
<?php if ( $pet_e['truncated'] ) : ?>
	<p class="description"><?php esc_html_e( 'Only the first 2,000 facts are listed; the totals count them all.', 'pet' ); ?></p>
<?php endif; ?>
<table class="widefat striped pet-kpi-parts">
	<thead><tr>
		<th scope="col"><?php esc_html_e( 'Day', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Fact', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'About', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Employee', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Customer', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Value', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Adds to numerator', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Adds to denominator', 'pet' ); ?></th>
	</tr></thead>
	<tbody>
	<?php
	foreach ( (array) $pet_r['parts'] as $p ) :
		$kind = (string) $p['subject']['kind'];
		$sid  = (string) $p['subject']['id'];
		$url  = Kpi_Admin::entity_url( $kind, $sid );
		$emp  = $p['employee'] ?? null;
		$cust = $p['customer'] ?? null;
		?>
		<tr>
			<td><?php echo esc_html( (string) $p['on'] ); ?></td>
			<td>
				<?php
				echo esc_html( $pet_kinds[ (string) $p['kind'] ] ?? (string) $p['kind'] );
				if ( null !== $p['days'] ) {
					/* translators: %d: weekdays. */
					echo ' ' . esc_html( sprintf( _n( '(%d weekday)', '(%d weekdays)', (int) $p['days'], 'pet' ), (int) $p['days'] ) );
				}
				?>
			</td>
			<td>
				<?php if ( '' !== $url ) : ?>
					<a href="<?php echo esc_url( $url ); ?>"><?php echo esc_html( $pet_name( $sid ) ); ?></a>
				<?php else : ?>
					<?php echo esc_html( View::value_label( $kind ) . ' ' . $pet_name( $sid ) ); ?>
				<?php endif; ?>
			</td>
			<td><?php echo null === $emp ? '—' : '<a href="' . esc_url( Kpi_Admin::entity_url( 'employee', (string) $emp ) ) . '">' . esc_html( $pet_name( (string) $emp ) ) . '</a>'; ?></td>
			<td><?php echo null === $cust ? '—' : '<a href="' . esc_url( Kpi_Admin::entity_url( 'customer', (string) $cust ) ) . '">' . esc_html( $pet_name( (string) $cust ) ) . '</a>'; ?></td>
			<td><?php echo esc_html( number_format_i18n( (int) $p['value'] ) ); ?></td>
			<td><?php echo esc_html( number_format_i18n( (int) $p['numerator'] ) ); ?></td>
			<td><?php echo esc_html( number_format_i18n( (int) $p['denominator'] ) ); ?></td>
		</tr>
	<?php endforeach; ?>
	</tbody>
	<tfoot><tr>
		<th scope="row" colspan="6"><?php esc_html_e( 'Total', 'pet' ); ?></th>
		<td><?php echo esc_html( number_format_i18n( (int) $pet_r['numerator'] ) ); ?></td>
		<td><?php echo esc_html( number_format_i18n( (int) $pet_r['denominator'] ) ); ?></td>
	</tr></tfoot>
</table>
