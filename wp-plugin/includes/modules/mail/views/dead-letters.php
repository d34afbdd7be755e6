<?php
/**
 * The outbox's dead letters (the Email and Jobs screens): mail that failed on every attempt.
 *
 * @package PetWp
 *
 * @var array $data {dead: list<array>, manage: bool, title: bool}
 */

use PetWp\Modules\Mail\Mail_Admin;

defined( 'ABSPATH' ) || exit;
?>
<h2 id="pet-mail-dead-letters"><?php esc_html_e( 'Mail dead letters', 'pet' ); ?></h2>
<?php if ( array() === $data['dead'] ) : ?>
	<p><?php esc_html_e( 'No mail has failed on every attempt.', 'pet' ); ?></p>
<?php else : ?>
	<table class="widefat striped pet-mail-dead">
		<thead><tr>
			<th scope="col"><?php esc_html_e( 'Failed', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Template', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'To', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Attempts', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Last error', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Actions', 'pet' ); ?></th>
		</tr></thead>
		<tbody>
		<?php foreach ( $data['dead'] as $m ) : ?>
			<tr>
				<td><?php echo esc_html( (string) $m['run_at'] ); ?></td>
				<td><?php echo esc_html( Mail_Admin::kind_label( (string) $m['kind'] ) ); ?></td>
				<td><?php echo esc_html( (string) $m['to'] ); ?></td>
				<td><?php echo esc_html( (string) $m['attempts'] ); ?></td>
				<td><?php echo esc_html( (string) ( $m['last_error'] ?? '' ) ); ?></td>
				<td>
				<?php
				if ( $data['manage'] ) {
					echo Mail_Admin::retry_form( (string) $m['id'] ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- action_form() escapes.
				}
				?>
				</td>
			</tr>
		<?php endforeach; ?>
		</tbody>
	</table>
<?php endif; ?>
