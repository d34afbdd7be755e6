<?php
/**
 * The user profile's PET email section: the staff notifications the user gets.
 *
 * @package PetWp
 *
 * @var array $data {kinds: array<string,array{label:string,on:bool}>}
 */

defined( 'ABSPATH' ) || exit;
?>
<h2><?php esc_html_e( 'PET email notifications', 'pet' ); ?></h2>
<?php wp_nonce_field( 'pet_mail_optouts', '_pet_mail_nonce' ); ?>
<input type="hidden" name="pet_mail_on[]" value="">
<table class="form-table" role="presentation">
	<tr>
		<th scope="row"><?php esc_html_e( 'Email me about', 'pet' ); ?></th>
		<td>
			<fieldset>
			<?php foreach ( $data['kinds'] as $kind => $k ) : ?>
				<label>
					<input type="checkbox" name="pet_mail_on[]" value="<?php echo esc_attr( $kind ); ?>" <?php checked( $k['on'] ); ?>>
					<?php echo esc_html( $k['label'] ); ?>
				</label><br>
			<?php endforeach; ?>
			</fieldset>
		</td>
	</tr>
</table>
