<?php
/**
 * Customer screen section: the portal access of the contacts on the page, with "Invite to
 * portal" and "Revoke portal access" for people managers.
 *
 * @package PetWp
 *
 * @var array $data {customer: array, rows: list<array{contact: array, user: ?string}>, manage: bool, page_url: string}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

$customer_id = (string) $data['customer']['id'];
?>
<h3 id="pet-customer-portal"><?php esc_html_e( 'Customer portal', 'pet' ); ?></h3>
<p class="description">
	<?php
	if ( '' !== $data['page_url'] ) {
		/* translators: %s: URL of the portal page */
		echo wp_kses( sprintf( __( 'Invited contacts log in and use the portal at <a href="%s">the portal page</a>.', 'pet' ), esc_url( $data['page_url'] ) ), array( 'a' => array( 'href' => array() ) ) );
	} else {
		esc_html_e( 'Invited contacts use the portal on a page with the [pet_portal] shortcode or the PET customer portal block.', 'pet' );
	}
	?>
</p>
<?php if ( array() === $data['rows'] ) : ?>
	<p><?php esc_html_e( 'No contacts on this page.', 'pet' ); ?></p>
	<?php
	return;
endif;
?>
<table class="widefat striped pet-portal-access">
	<thead><tr>
		<th scope="col"><?php esc_html_e( 'Contact', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Portal user', 'pet' ); ?></th>
		<?php if ( $data['manage'] ) : ?>
			<th scope="col"><?php esc_html_e( 'Action', 'pet' ); ?></th>
		<?php endif; ?>
	</tr></thead>
	<tbody>
	<?php foreach ( $data['rows'] as $row ) : ?>
		<?php $c = $row['contact']; ?>
		<tr>
			<td><?php echo esc_html( (string) $c['name'] ); ?><?php echo empty( $c['email'] ) ? '' : ' &lt;' . esc_html( (string) $c['email'] ) . '&gt;'; ?></td>
			<td><?php echo null === $row['user'] ? esc_html__( 'No portal access', 'pet' ) : esc_html( (string) $row['user'] ); ?></td>
			<?php if ( $data['manage'] ) : ?>
				<td>
				<?php if ( null === $row['user'] ) : ?>
					<?php View::form_open( 'portal_invite', array( 'customer' => $customer_id, 'contact_id' => (string) $c['id'] ) ); ?>
					<button type="submit" class="button"><?php esc_html_e( 'Invite to portal', 'pet' ); ?></button></form>
				<?php else : ?>
					<?php View::form_open(
						'portal_revoke',
						array(
							'customer'   => $customer_id,
							'contact_id' => (string) $c['id'],
							'wp_user_id' => (string) $row['wp_user'],
						)
					); ?>
					<button type="submit" class="button"><?php esc_html_e( 'Revoke portal access', 'pet' ); ?></button></form>
				<?php endif; ?>
				</td>
			<?php endif; ?>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>
