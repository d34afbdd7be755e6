<?php
/**
 * History: choose an entity (context type and id), then every event of it, oldest first —
 * who, when, the line rendered for the event's type and schema version, and the payload
 * (as recorded; lifted to the current schema version when that differs).
 *
 * @package PetWp
 *
 * @var array $data {types: array<string,string>, context_type: string, context_id: string,
 *                   history: ?array, error: string, at: string, as_of: bool, state: ?array}
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$pet_history = $data['history'];
?>
<form method="get" class="pet-history-filters"><input type="hidden" name="page" value="pet-history"><p>
<label for="pet-history-type"><?php esc_html_e( 'Entity type', 'pet' ); ?></label>
<?php View::select( 'context_type', $data['types'], $data['context_type'], 'pet-history-type' ); ?>
<label for="pet-history-id"><?php esc_html_e( 'Id', 'pet' ); ?></label>
<input type="text" name="context_id" id="pet-history-id" value="<?php echo esc_attr( $data['context_id'] ); ?>" size="38">
<?php submit_button( __( 'Show history', 'pet' ), 'secondary', 'show', false ); ?></p></form>
<?php if ( '' !== $data['error'] ) : ?>
<div class="notice notice-error inline"><p><?php echo esc_html( $data['error'] ); ?></p></div>
<?php endif; ?>
<?php if ( is_array( $pet_history ) && $data['as_of'] ) : ?>
<form method="get" class="pet-history-as-of"><input type="hidden" name="page" value="pet-history">
<input type="hidden" name="context_type" value="<?php echo esc_attr( $data['context_type'] ); ?>">
<input type="hidden" name="context_id" value="<?php echo esc_attr( $data['context_id'] ); ?>"><p>
<label for="pet-history-at"><?php esc_html_e( 'State as of', 'pet' ); ?></label>
<input type="date" name="at" id="pet-history-at" value="<?php echo esc_attr( $data['at'] ); ?>">
	<?php submit_button( __( 'Rebuild from events', 'pet' ), 'secondary', 'rebuild', false ); ?></p></form>
	<?php if ( is_array( $data['state'] ) ) : ?>
<div class="pet-state-as-of"><h2><?php
	/* translators: %s: date and time */
	echo esc_html( sprintf( __( 'As of %s', 'pet' ), (string) $data['state']['at'] ) );
	?></h2>
		<?php if ( empty( $data['state']['exists'] ) ) : ?>
<p><?php esc_html_e( 'It did not exist yet.', 'pet' ); ?></p>
		<?php else : ?>
<p><?php
	/* translators: 1: events replayed, 2: version */
	echo esc_html( sprintf( __( 'Rebuilt from %1$d events (version %2$d).', 'pet' ), (int) $data['state']['events_applied'], (int) $data['state']['version'] ) );
			?></p>
<pre class="pet-payload"><?php echo esc_html( (string) wp_json_encode( $data['state']['state'], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) ); ?></pre>
		<?php endif; ?></div>
	<?php endif; ?>
<?php endif; ?>
<?php if ( is_array( $pet_history ) ) : ?>
<p><?php
/* translators: %s: number of events */
echo esc_html( sprintf( __( '%s events', 'pet' ), number_format_i18n( (int) $pet_history['total'] ) ) );
?></p>
<table class="widefat striped pet-history"><thead><tr>
<th scope="col"><?php esc_html_e( '#', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'When', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Who', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'What', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Event (schema version)', 'pet' ); ?></th>
<th scope="col"><?php esc_html_e( 'Payload', 'pet' ); ?></th>
</tr></thead><tbody>
	<?php foreach ( $pet_history['items'] as $pet_e ) : ?>
<tr>
<td><?php echo esc_html( (string) (int) $pet_e['sequence'] ); ?></td>
<td><?php echo esc_html( (string) $pet_e['occurred_at'] ); ?><br><small><?php
/* translators: %s: time the event was stored */
echo esc_html( sprintf( __( 'recorded %s', 'pet' ), (string) $pet_e['recorded_at'] ) );
?></small></td>
<td><?php
if ( null !== $pet_e['actor_id'] ) {
	echo esc_html( (string) ( $pet_e['actor_name'] ?? $pet_e['actor_id'] ) );
} elseif ( ! empty( $pet_e['actor_contact_id'] ) ) {
	/* translators: %s: the customer contact's name */
	echo esc_html( sprintf( __( '%s (customer)', 'pet' ), (string) ( $pet_e['actor_name'] ?? $pet_e['actor_contact_id'] ) ) );
} else {
	esc_html_e( 'system', 'pet' );
}
?></td>
<td><?php echo esc_html( (string) ( $pet_e['line'] ?? '' ) ); ?></td>
<td><code><?php echo esc_html( $pet_e['event_type'] ); ?></code> (v<?php echo esc_html( (string) (int) $pet_e['schema_version'] ); ?>)<br><small><?php echo esc_html( $pet_e['aggregate_type'] . ' v' . (int) $pet_e['aggregate_version'] ); ?></small></td>
<td><pre class="pet-payload"><?php echo esc_html( (string) wp_json_encode( $pet_e['payload_recorded'], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) ); ?></pre>
		<?php if ( null !== $pet_e['payload'] && $pet_e['payload'] !== $pet_e['payload_recorded'] ) : ?>
<details><summary><?php
/* translators: %d: current schema version */
echo esc_html( sprintf( __( 'as schema version %d', 'pet' ), (int) $pet_e['current_schema_version'] ) );
?></summary><pre class="pet-payload"><?php echo esc_html( (string) wp_json_encode( $pet_e['payload'], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) ); ?></pre></details>
		<?php endif; ?></td>
</tr>
	<?php endforeach; ?>
</tbody></table>
	<?php
	$pet_next = $pet_history['next'] ?? null;
	if ( is_string( $pet_next ) && '' !== $pet_next ) :
		?>
<p><a class="button" href="<?php echo esc_url( Table::page_url( 'pet-history', array( 'context_type' => $data['context_type'], 'context_id' => $data['context_id'], 'after' => $pet_next ) ) ); ?>"><?php esc_html_e( 'Later events', 'pet' ); ?></a></p>
	<?php endif; ?>
<?php endif; ?>
