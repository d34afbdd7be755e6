<?php
/**
 * An SLA spec in words and a small table of its targets.
 *
 * @package PetWp
 *
 * @var array $data {spec: array, options: array} The spec (calendar, targets, pause_statuses,
 *                  warning_percent, always_on) and the engine's SLA options (priorities, weekdays).
 */

defined( 'ABSPATH' ) || exit;

$opts = $data['options'];
$spec = $data['spec'];
$cal  = $spec['calendar'];
$days = array();
foreach ( $opts['weekdays'] as $day ) {
	$ranges = array();
	foreach ( (array) ( $cal['working_hours'][ $day ] ?? array() ) as $r ) {
		$ranges[] = $r['start'] . '–' . $r['end'];
	}
	if ( array() !== $ranges ) {
		$days[] = $day . ' ' . implode( ', ', $ranges );
	}
}
$none     = __( 'none', 'pet' );
$holidays = (array) $cal['holidays'];
$pauses   = (array) $spec['pause_statuses'];
$always   = (array) $spec['always_on'];
$words    = array(
	/* translators: %s: time zone. */
	sprintf( __( 'Time zone %s.', 'pet' ), (string) $cal['timezone'] ),
	/* translators: %s: working hours. */
	sprintf( __( 'Working hours: %s.', 'pet' ), array() === $days ? $none : implode( '; ', $days ) ),
	/* translators: %s: dates. */
	sprintf( __( 'Holidays: %s.', 'pet' ), array() === $holidays ? $none : implode( ', ', $holidays ) ),
	/* translators: %s: statuses. */
	sprintf( __( 'Paused while: %s.', 'pet' ), array() === $pauses ? __( 'never', 'pet' ) : implode( ', ', array_map( static fn ( $p ): string => \PetWp\Modules\Helpdesk\Helpdesk_Admin::label( 'status', (string) $p ), $pauses ) ) ),
	/* translators: %d: percent. */
	sprintf( __( 'Warning at %d %%.', 'pet' ), (int) $spec['warning_percent'] ),
	/* translators: %s: priorities. */
	sprintf( __( 'Around the clock (24/7): %s.', 'pet' ), array() === $always ? $none : implode( ', ', $always ) ),
);
/* translators: %d: minutes. */
$min = static fn ( $m ) => sprintf( __( '%d business min', 'pet' ), (int) $m );
?>
<div class="pet-spec"><p><?php echo esc_html( implode( ' ', $words ) ); ?></p>
<table class="widefat striped" style="max-width:36em"><thead><tr><th><?php esc_html_e( 'Priority', 'pet' ); ?></th><th><?php esc_html_e( 'First response', 'pet' ); ?></th><th><?php esc_html_e( 'Resolution', 'pet' ); ?></th></tr></thead><tbody>
<?php
foreach ( $opts['priorities'] as $p ) :
	$t = $spec['targets'][ $p ] ?? null;
	if ( null === $t ) {
		continue;
	}
	?>
<tr><td><?php echo esc_html( $p ); ?></td><td><?php echo esc_html( $min( $t['first_response_minutes'] ) ); ?></td><td><?php echo esc_html( $min( $t['resolution_minutes'] ) ); ?></td></tr>
<?php endforeach; ?>
</tbody></table></div>
