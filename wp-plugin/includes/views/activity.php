<?php
/**
 * Activity: the filter form (context type and id, actor, date range), the "still being added"
 * notice and the paged feed.
 *
 * @package PetWp
 *
 * @var array $data {filters: array<string,string>, types: array<string,string>,
 *                   table: \PetWp\Tables\Activity_Table} (who: an employee picker, inactive ones too)
 */

use PetWp\Picker;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$f       = $data['filters'];
$pending = (int) $data['table']->pending;
?>
<form method="get" class="pet-activity-filters"><input type="hidden" name="page" value="pet-activity"><p>
<label for="pet-context-type"><?php esc_html_e( 'Context', 'pet' ); ?></label>
<?php View::select( 'context_type', $data['types'], $f['context_type'] ?? '', 'pet-context-type' ); ?>
<label for="pet-context-id"><?php esc_html_e( 'Context id', 'pet' ); ?></label>
<input type="text" name="context_id" id="pet-context-id" value="<?php echo esc_attr( $f['context_id'] ?? '' ); ?>" size="38">
<label for="pet-actor-id"><?php esc_html_e( 'Who', 'pet' ); ?></label>
<?php
$anyone = array( 'placeholder' => __( 'anyone', 'pet' ) );
Picker::render( 'actor_id', 'all-employees', $f['actor_id'] ?? '', 'pet-actor-id', array(), $anyone );
?>
<label for="pet-from"><?php esc_html_e( 'From', 'pet' ); ?></label>
<input type="date" name="from" id="pet-from" value="<?php echo esc_attr( $f['from'] ?? '' ); ?>">
<label for="pet-to"><?php esc_html_e( 'To', 'pet' ); ?></label>
<input type="date" name="to" id="pet-to" value="<?php echo esc_attr( $f['to'] ?? '' ); ?>">
<?php submit_button( __( 'Filter', 'pet' ), 'secondary', 'filter', false ); ?>
<a href="<?php echo esc_url( Table::page_url( 'pet-activity' ) ); ?>"><?php esc_html_e( 'Reset', 'pet' ); ?></a></p></form>
<?php if ( $pending > 0 ) : ?>
<div class="notice notice-info inline"><p>
	<?php
	$pet_msg = _n(
		'%s more recorded event is still being added to the feed; reload in a moment.',
		'%s more recorded events are still being added to the feed; reload in a moment.',
		$pending,
		'pet'
	);
	/* translators: %s: number of events */
	echo esc_html( sprintf( $pet_msg, number_format_i18n( $pending ) ) );
	?>
</p></div>
<?php endif; ?>
<?php
$data['table']->display();
