<?php
/**
 * Portal: one ticket with its public conversation and the reply box.
 *
 * @package PetWp
 *
 * @var array $data {me, here, notice, ticket: array}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

$t    = $data['ticket'];
$here = (string) $data['here'];
?>
<section class="pet-portal pet-portal--ticket">
	<?php View::render( 'portal/portal-nav', $data ); ?>
	<h2><?php echo esc_html( (string) $t['reference'] . ' ' . (string) $t['subject'] ); ?></h2>
	<p><span class="pet-portal__status"><?php echo esc_html( View::value_label( (string) $t['status'] ) ); ?></span></p>
	<ol class="pet-portal__messages">
	<?php foreach ( $t['messages'] as $m ) : ?>
		<li class="pet-portal__message<?php echo $m['mine'] ? ' pet-portal__message--mine' : ''; ?>">
			<p class="pet-portal__message-meta">
				<?php
				if ( $m['mine'] ) {
					esc_html_e( 'You', 'pet' );
				} elseif ( 'employee' === $m['author_kind'] ) {
					/* translators: %s: support agent's name */
					echo esc_html( sprintf( __( '%s (support)', 'pet' ), (string) ( $m['author_name'] ?? __( 'Support', 'pet' ) ) ) );
				} else {
					echo esc_html( (string) ( $m['author_name'] ?? __( 'Customer', 'pet' ) ) );
				}
				?>
				· <time datetime="<?php echo esc_attr( (string) $m['created_at'] ); ?>"><?php echo esc_html( get_date_from_gmt( gmdate( 'Y-m-d H:i:s', strtotime( (string) $m['created_at'] ) ), get_option( 'date_format' ) . ' ' . get_option( 'time_format' ) ) ); ?></time>
			</p>
			<p class="pet-portal__message-body"><?php echo esc_html( (string) $m['body'] ); ?></p>
		</li>
	<?php endforeach; ?>
	</ol>
	<?php if ( ! empty( $t['can_reopen'] ) ) : ?>
		<?php View::form_open( 'portal_reopen', array( 'ticket' => (string) $t['id'], 'back' => $here ), 'pet-portal-reopen', array( 'class' => 'pet-portal__form pet-portal__reopen' ) ); ?>
			<p><?php esc_html_e( 'This ticket is resolved. If the problem is not solved, reopen it.', 'pet' ); ?></p>
			<p><button type="submit"><?php esc_html_e( 'Reopen', 'pet' ); ?></button></p>
		</form>
	<?php endif; ?>
	<?php if ( $t['can_reply'] ) : ?>
		<?php View::form_open( 'portal_reply', array( 'ticket' => (string) $t['id'], 'back' => $here ), 'pet-portal-reply', array( 'class' => 'pet-portal__form' ) ); ?>
			<label for="pet-portal-body"><?php esc_html_e( 'Your reply', 'pet' ); ?></label>
			<textarea id="pet-portal-body" name="body" rows="6" required></textarea>
			<p><button type="submit"><?php esc_html_e( 'Send reply', 'pet' ); ?></button></p>
		</form>
	<?php else : ?>
		<p><?php esc_html_e( 'This ticket is closed. Open a new ticket if you need more help.', 'pet' ); ?></p>
	<?php endif; ?>
	<p><a href="<?php echo esc_url( $here ); ?>"><?php esc_html_e( '← All tickets', 'pet' ); ?></a></p>
</section>
