<?php
/**
 * Portal: the navigation and the kept notice, shared by every portal page.
 *
 * @package PetWp
 *
 * @var array $data {me: array, here: string, notice: ?array}
 */

defined( 'ABSPATH' ) || exit;

$here = (string) $data['here'];
?>
<nav class="pet-portal__nav" aria-label="<?php esc_attr_e( 'Support portal', 'pet' ); ?>">
	<a href="<?php echo esc_url( $here ); ?>"><?php esc_html_e( 'My tickets', 'pet' ); ?></a>
	<a href="<?php echo esc_url( add_query_arg( 'pet_view', 'new', $here ) ); ?>"><?php esc_html_e( 'Open a ticket', 'pet' ); ?></a>
	<span class="pet-portal__who">
		<?php
		/* translators: 1: contact name, 2: customer (company) name */
		echo esc_html( sprintf( __( '%1$s, %2$s', 'pet' ), (string) $data['me']['contact_name'], (string) $data['me']['customer_name'] ) );
		?>
		· <a href="<?php echo esc_url( wp_logout_url( $here ) ); ?>"><?php esc_html_e( 'Log out', 'pet' ); ?></a>
	</span>
</nav>
<?php if ( ! empty( $data['notice'] ) ) : ?>
	<p class="pet-portal__notice pet-portal__notice--<?php echo esc_attr( 'error' === $data['notice']['kind'] ? 'error' : 'success' ); ?>" role="<?php echo esc_attr( 'error' === $data['notice']['kind'] ? 'alert' : 'status' ); ?>"><?php echo esc_html( (string) $data['notice']['message'] ); ?></p>
<?php endif; ?>
