<?php
/**
 * Settings: the explicit "delete all PET data on uninstall" choice, and the health checks.
 *
 * @package PetWp
 *
 * @var array $data {delete_on_uninstall: bool, health: array}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

View::form_open( 'save_settings', array(), 'pet-settings' );
?>
<table class="form-table" role="presentation"><tr><th scope="row"><?php esc_html_e( 'Uninstall', 'pet' ); ?></th><td><label>
<input type="checkbox" name="delete_on_uninstall" value="1"<?php checked( $data['delete_on_uninstall'] ); ?>>
<?php esc_html_e( 'Delete all PET data (every {prefix}pet_* table) when the plugin is deleted. Leave unticked to keep the data.', 'pet' ); ?></label></td></tr></table>
<?php submit_button( __( 'Save settings', 'pet' ) ); ?>
</form>
<h2><?php esc_html_e( 'Health', 'pet' ); ?></h2>
<table class="widefat striped"><tbody>
<?php foreach ( $data['health']['checks'] ?? array() as $pet_name => $pet_check ) : ?>
<tr><td><?php echo esc_html( (string) $pet_name ); ?></td><td><?php echo esc_html( ! empty( $pet_check['ok'] ) ? '✔' : '✘' ); ?></td><td><?php echo esc_html( (string) ( $pet_check['message'] ?? '' ) ); ?></td></tr>
<?php endforeach; ?>
</tbody></table>
