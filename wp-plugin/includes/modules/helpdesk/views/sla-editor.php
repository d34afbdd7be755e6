<?php
/**
 * The editor of an SLA definition's spec (a new definition when the id is ''): time zone,
 * working hours, holidays, pausing statuses, warning, 24/7 priorities, targets; the engine's
 * field errors next to their fields, the others listed below.
 *
 * @package PetWp
 *
 * @var array $data {id: string, form: array, errors: array<string,string>, zones: array<string,string>,
 *                   ranges_per_day: int, options: array{priorities: list<string>, weekdays: list<string>,
 *                   pause_statuses: list<string>}} (options: the engine's Helpdesk::slaOptions())
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

$id     = $data['id'];
$form   = $data['form'];
$errors = $data['errors'];
$opts   = $data['options'];
$shown  = array();
/**
 * The errors of the fields named (exactly, or by prefix followed by "." unless $exact), as
 * escaped HTML; marks them shown.
 */
$err = static function ( array $prefixes, bool $exact = false ) use ( $errors, &$shown ): string {
	$out = '';
	foreach ( $errors as $field => $msg ) {
		foreach ( $prefixes as $p ) {
			if ( $field === $p || ( ! $exact && str_starts_with( $field, $p . '.' ) ) ) {
				$shown[ $field ] = true;
				$label           = $field === $p ? '' : substr( $field, strlen( $p ) + 1 ) . ': ';
				$out            .= '<span class="pet-field-error" data-field="' . esc_attr( $field ) . '">' . esc_html( $label . $msg ) . '</span>';
				break;
			}
		}
	}
	return $out;
};
$cls = static fn ( string $html ): string => '' === $html ? '' : ' class="pet-has-error"';
// The helpers above return escaped HTML; $allowed lets it through wp_kses unchanged.
$allowed = array(
	'span' => array(
		'class'      => true,
		'data-field' => true,
	),
);

View::form_open( 'save_sla_definition', array( 'id' => $id ), 'pet-sla-editor' );
?>
<table class="form-table" role="presentation">
<?php
if ( '' === $id ) :
	$e = $err( array( 'name' ) );
	?>
<tr<?php echo $cls( $e ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th scope="row"><label for="pet-sla-name"><?php esc_html_e( 'Name', 'pet' ); ?></label></th>
<td><input type="text" name="name" id="pet-sla-name" class="regular-text" value="<?php echo esc_attr( (string) $form['name'] ); ?>" required><?php echo wp_kses( $e, $allowed ); ?></td></tr>
	<?php
endif;
$e = $err( array( 'spec.calendar.timezone' ) );
?>
<tr<?php echo $cls( $e ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th scope="row"><label for="pet-sla-timezone"><?php esc_html_e( 'Time zone', 'pet' ); ?></label></th><td>
<?php View::select( 'timezone', $data['zones'], (string) $form['timezone'], 'pet-sla-timezone' ); ?>
<?php echo wp_kses( $e, $allowed ); ?></td></tr>
<tr><th scope="row"><?php esc_html_e( 'Working hours', 'pet' ); ?></th><td><table class="pet-hours" id="pet-sla-hours"><tbody>
<?php
$day_names = array(
	'mon' => __( 'Monday', 'pet' ),
	'tue' => __( 'Tuesday', 'pet' ),
	'wed' => __( 'Wednesday', 'pet' ),
	'thu' => __( 'Thursday', 'pet' ),
	'fri' => __( 'Friday', 'pet' ),
	'sat' => __( 'Saturday', 'pet' ),
	'sun' => __( 'Sunday', 'pet' ),
);
foreach ( $opts['weekdays'] as $day ) :
	$rows = array_values( (array) ( $form['hours'][ $day ] ?? array() ) );
	$n    = max( $data['ranges_per_day'], count( $rows ) + 1 );
	$de   = $err( array( "spec.calendar.working_hours.$day" ) );
	?>
<tr id="<?php echo esc_attr( 'pet-hours-' . $day ); ?>"<?php echo $cls( $de ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th><?php echo esc_html( $day_names[ $day ] ); ?></th><td>
	<?php
	for ( $i = 0; $i < $n; $i++ ) :
		$r = $rows[ $i ] ?? array(
			'start' => '',
			'end'   => '',
		);
		?>
<span class="pet-range"><input type="time" name="<?php echo esc_attr( "hours[$day][$i][start]" ); ?>" value="<?php echo esc_attr( (string) $r['start'] ); ?>" aria-label="<?php echo esc_attr( $day_names[ $day ] . ' ' . __( 'from', 'pet' ) ); ?>">–<input type="time" name="<?php echo esc_attr( "hours[$day][$i][end]" ); ?>" value="<?php echo esc_attr( (string) $r['end'] ); ?>" aria-label="<?php echo esc_attr( $day_names[ $day ] . ' ' . __( 'until', 'pet' ) ); ?>"></span>
	<?php endfor; ?>
	<?php echo wp_kses( $de, $allowed ); ?></td></tr>
<?php endforeach; ?>
</tbody></table><p class="description"><?php esc_html_e( 'One or more ranges per day, e.g. 09:00–12:30 and 13:30–17:00; leave a day empty when closed. 24:00 is allowed as an end.', 'pet' ); ?></p>
<?php echo wp_kses( $err( array( 'spec.calendar.working_hours', 'spec.calendar' ), true ), $allowed ); ?></td></tr>
<?php $e = $err( array( 'spec.calendar.holidays' ) ); ?>
<tr<?php echo $cls( $e ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th scope="row"><label for="pet-sla-holidays"><?php esc_html_e( 'Holidays', 'pet' ); ?></label></th>
<td><textarea name="holidays" id="pet-sla-holidays" rows="3" cols="30" placeholder="2026-12-25"><?php echo esc_textarea( (string) $form['holidays'] ); ?></textarea>
<p class="description"><?php esc_html_e( 'Dates (YYYY-MM-DD), one per line: no business time on these days.', 'pet' ); ?></p><?php echo wp_kses( $e, $allowed ); ?></td></tr>
<?php $e = $err( array( 'spec.pause_statuses' ) ); ?>
<tr<?php echo $cls( $e ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th scope="row"><?php esc_html_e( 'Pause the clock while', 'pet' ); ?></th><td>
<?php foreach ( $opts['pause_statuses'] as $s ) : ?>
<label><input type="checkbox" name="pause_statuses[]" value="<?php echo esc_attr( $s ); ?>"<?php checked( in_array( $s, (array) $form['pause_statuses'], true ) ); ?>> <?php echo esc_html( \PetWp\Modules\Helpdesk\Helpdesk_Admin::label( 'status', (string) $s ) ); ?></label> &nbsp;
<?php endforeach; ?>
<?php echo wp_kses( $e, $allowed ); ?></td></tr>
<?php $e = $err( array( 'spec.warning_percent' ) ); ?>
<tr<?php echo $cls( $e ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th scope="row"><label for="pet-sla-warning"><?php esc_html_e( 'Warning at', 'pet' ); ?></label></th>
<td><input type="text" inputmode="numeric" name="warning_percent" id="pet-sla-warning" class="small-text" value="<?php echo esc_attr( (string) $form['warning_percent'] ); ?>"> % <?php esc_html_e( 'of a target (1–99)', 'pet' ); ?><?php echo wp_kses( $e, $allowed ); ?></td></tr>
<?php $e = $err( array( 'spec.always_on' ) ); ?>
<tr<?php echo $cls( $e ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th scope="row"><?php esc_html_e( 'Around the clock (24/7)', 'pet' ); ?></th><td>
<?php foreach ( $opts['priorities'] as $p ) : ?>
<label><input type="checkbox" name="always_on[]" value="<?php echo esc_attr( $p ); ?>"<?php checked( in_array( $p, (array) $form['always_on'], true ) ); ?>> <?php echo esc_html( $p ); ?></label> &nbsp;
<?php endforeach; ?>
<p class="description"><?php esc_html_e( 'Tickets of these priorities ignore working hours and holidays.', 'pet' ); ?></p><?php echo wp_kses( $e, $allowed ); ?></td></tr>
<tr><th scope="row"><?php esc_html_e( 'Targets (business minutes)', 'pet' ); ?></th><td><table class="widefat" id="pet-sla-targets" style="max-width:40em"><thead><tr>
<th><?php esc_html_e( 'Priority', 'pet' ); ?></th><th><?php esc_html_e( 'First response', 'pet' ); ?></th><th><?php esc_html_e( 'Resolution', 'pet' ); ?></th>
</tr></thead><tbody>
<?php
foreach ( $opts['priorities'] as $p ) :
	$cells = array();
	foreach ( array( 'first_response_minutes', 'resolution_minutes' ) as $k ) {
		$cells[ $k ] = $err( array( "spec.targets.$p.$k" ) );
	}
	$pe = $err( array( "spec.targets.$p" ), true );
	?>
<tr id="<?php echo esc_attr( 'pet-target-' . $p ); ?>"<?php echo $cls( $pe ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><th><?php echo esc_html( $p ); ?><?php echo wp_kses( $pe, $allowed ); ?></th>
	<?php foreach ( $cells as $k => $fe ) : ?>
<td<?php echo $cls( $fe ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- literal. ?>><input type="text" inputmode="numeric" class="small-text" name="<?php echo esc_attr( "targets[$p][$k]" ); ?>" value="<?php echo esc_attr( (string) $form['targets'][ $p ][ $k ] ); ?>"><?php echo wp_kses( $fe, $allowed ); ?></td>
	<?php endforeach; ?>
</tr>
<?php endforeach; ?>
</tbody></table><?php echo wp_kses( $err( array( 'spec.targets' ), true ), $allowed ); ?></td></tr>
</table>
<?php
$rest = array_diff_key( $errors, $shown );
if ( array() !== $rest ) :
	?>
<ul class="pet-field-errors" id="pet-sla-other-errors">
	<?php foreach ( $rest as $field => $msg ) : ?>
<li><code><?php echo esc_html( (string) $field ); ?></code>: <span class="pet-field-error"><?php echo esc_html( (string) $msg ); ?></span></li>
	<?php endforeach; ?>
</ul>
	<?php
endif;
submit_button( '' === $id ? __( 'Create SLA definition', 'pet' ) : __( 'Publish new version', 'pet' ) );
?>
</form>
