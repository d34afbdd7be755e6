<?php
/**
 * Portal, logged out: the WordPress login form, back to the portal after login.
 *
 * @package PetWp
 *
 * @var array $data {redirect: string}
 */

defined( 'ABSPATH' ) || exit;
?>
<section class="pet-portal pet-portal--login">
	<p><?php esc_html_e( 'Please log in to see your support tickets.', 'pet' ); ?></p>
	<?php
	wp_login_form(
		array(
			'redirect'       => esc_url_raw( (string) $data['redirect'] ),
			'form_id'        => 'pet-portal-login',
			'id_username'    => 'pet-portal-user',
			'id_password'    => 'pet-portal-pass',
			'id_remember'    => 'pet-portal-remember',
			'id_submit'      => 'pet-portal-submit',
			'label_username' => __( 'Username or email address', 'pet' ),
			'label_password' => __( 'Password', 'pet' ),
			'label_remember' => __( 'Remember me', 'pet' ),
			'label_log_in'   => __( 'Log in', 'pet' ),
		)
	);
	?>
	<p><a href="<?php echo esc_url( wp_lostpassword_url( (string) $data['redirect'] ) ); ?>"><?php esc_html_e( 'Lost your password?', 'pet' ); ?></a></p>
</section>
