<?php
/**
 * Portal: the form to open a ticket.
 *
 * @package PetWp
 *
 * @var array $data {me, here, notice}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<section class="pet-portal pet-portal--new">
	<?php View::render( 'portal/portal-nav', $data ); ?>
	<h2><?php esc_html_e( 'Open a ticket', 'pet' ); ?></h2>
	<?php if ( 'active' !== $data['me']['customer_status'] ) : ?>
		<p><?php esc_html_e( 'Your organisation can no longer open tickets here. Please contact us another way.', 'pet' ); ?></p>
	<?php else : ?>
		<?php View::form_open( 'portal_open', array( 'back' => (string) $data['here'] ), 'pet-portal-open', array( 'class' => 'pet-portal__form' ) ); ?>
			<label for="pet-portal-subject"><?php esc_html_e( 'Subject', 'pet' ); ?></label>
			<input type="text" id="pet-portal-subject" name="subject" maxlength="200" required>
			<label for="pet-portal-priority"><?php esc_html_e( 'Priority', 'pet' ); ?></label>
			<select id="pet-portal-priority" name="priority">
				<?php foreach ( array( 'low', 'normal', 'high', 'urgent' ) as $p ) : ?>
					<option value="<?php echo esc_attr( $p ); ?>"<?php selected( 'normal', $p ); ?>><?php echo esc_html( View::value_label( $p ) ); ?></option>
				<?php endforeach; ?>
			</select>
			<label for="pet-portal-message"><?php esc_html_e( 'How can we help?', 'pet' ); ?></label>
			<textarea id="pet-portal-message" name="message" rows="8" required></textarea>
			<p><button type="submit"><?php esc_html_e( 'Open ticket', 'pet' ); ?></button></p>
		</form>
	<?php endif; ?>
</section>
