<?php
/**
 * Settings: the explicit "delete all PET data on uninstall" choice, and the health checks.
 *
 * @package PetWp
 *
 * @var array $data {delete_on_uninstall: bool, health: array, chain: array, write_limit: int}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

View::form_open( 'save_settings', array(), 'pet-settings' );
?>
<table class="form-table" role="presentation"><tr><th scope="row"><?php esc_html_e( 'Uninstall', 'pet' ); ?></th><td><label>
<input type="checkbox" name="delete_on_uninstall" value="1"<?php checked( $data['delete_on_uninstall'] ); ?>>
<?php esc_html_e( 'Delete all PET data (every {prefix}pet_* table) when the plugin is deleted. Leave unticked to keep the data.', 'pet' ); ?></label></td></tr>
<tr><th scope="row"><label for="pet-rest-write-limit"><?php esc_html_e( 'REST write limit', 'pet' ); ?></label></th><td>
<input type="number" min="0" max="999999" id="pet-rest-write-limit" name="rest_write_limit" value="<?php echo esc_attr( (string) (int) ( $data['write_limit'] ?? 0 ) ); ?>" class="small-text">
<?php esc_html_e( 'changes per user per minute through the REST API (0: no limit). Beyond it a request gets 429 Too Many Requests with Retry-After.', 'pet' ); ?></td></tr></table>
<?php submit_button( __( 'Save settings', 'pet' ) ); ?>
</form>
<h2><?php esc_html_e( 'Health', 'pet' ); ?></h2>
<table class="widefat striped"><tbody>
<?php foreach ( $data['health']['checks'] ?? array() as $pet_name => $pet_check ) : ?>
<tr><td><?php echo esc_html( (string) $pet_name ); ?></td><td><?php echo esc_html( ! empty( $pet_check['ok'] ) ? '✔' : '✘' ); ?></td><td><?php echo esc_html( (string) ( $pet_check['message'] ?? '' ) ); ?></td></tr>
<?php endforeach; ?>
</tbody></table>
<?php
$pet_chain = $data['chain'] ?? array();
$pet_fault = $pet_chain['fault'] ?? null;
?>
<h2 id="pet-audit"><?php esc_html_e( 'Event log audit', 'pet' ); ?></h2>
<p><?php esc_html_e( 'Every change PET records is an event in an append-only log; each event carries the hash of the one before it. A verification recomputes the chain and finds any edited, deleted, inserted or reordered event, a truncated log or a moved sequence head. The job runner verifies the new events every minute and the whole log once a day.', 'pet' ); ?></p>
<table class="widefat striped" id="pet-chain-status"><tbody>
<tr><th scope="row"><?php esc_html_e( 'Status', 'pet' ); ?></th><td><?php
if ( 'failed' === ( $pet_chain['status'] ?? '' ) ) {
	echo '<strong>' . esc_html__( 'Broken', 'pet' ) . '</strong> — ' . esc_html(
		sprintf(
			/* translators: 1: first bad sequence, 2: what is wrong */
			__( 'first bad sequence %1$d: %2$s', 'pet' ),
			(int) ( $pet_fault['sequence'] ?? 0 ),
			(string) ( $pet_fault['message'] ?? '' )
		)
	);
} elseif ( 'ok' === ( $pet_chain['status'] ?? '' ) ) {
	esc_html_e( 'Verified', 'pet' );
} else {
	esc_html_e( 'Not verified yet', 'pet' );
}
?></td></tr>
<tr><th scope="row"><?php esc_html_e( 'Verified up to event', 'pet' ); ?></th><td><?php echo esc_html( (string) (int) ( $pet_chain['verified_sequence'] ?? 0 ) ); ?> (<?php echo esc_html( (string) ( $pet_chain['verified_at'] ?? '—' ) ); ?>)</td></tr>
<tr><th scope="row"><?php esc_html_e( 'Last full verification', 'pet' ); ?></th><td><?php echo esc_html( (string) ( $pet_chain['full_verified_at'] ?? __( 'never', 'pet' ) ) ); ?></td></tr>
<tr><th scope="row"><?php esc_html_e( 'Head fingerprint', 'pet' ); ?></th><td><code><?php echo esc_html( (int) ( $pet_chain['head']['sequence'] ?? 0 ) . ':' . (string) ( $pet_chain['head']['hash'] ?? '' ) ); ?></code>
<p class="description"><?php esc_html_e( 'Write this down somewhere outside this site (a ticket, an e-mail): the verifier can later check that the log still holds this event with this hash (--expect SEQUENCE:HASH), which a rewrite of the database cannot fake.', 'pet' ); ?></p></td></tr>
</tbody></table>
<?php View::form_open( 'verify_chain', array( 'mode' => 'full' ), '', array( 'style' => 'display:inline-block;margin-right:1em' ) ); ?>
<?php submit_button( __( 'Verify the whole log now', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
<?php View::form_open( 'export_events', array(), '', array( 'style' => 'display:inline-block;margin-right:1em' ) ); ?>
<?php submit_button( __( 'Download the signed export (JSON Lines)', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
<?php View::form_open( 'verify_chain', array( 'mode' => 'restart' ), '', array( 'style' => 'display:inline-block' ) ); ?>
<?php submit_button( __( 'Restart verification (after restoring an older backup)', 'pet' ), 'delete', 'submit', false ); ?>
</form>
