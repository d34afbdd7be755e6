<?php
/**
 * Org structure: what publishing does, the publish form for managers, the versions.
 *
 * @package PetWp
 *
 * @var array $data {table: Org_Versions_Table, manage: bool}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<p><?php esc_html_e( 'Publishing takes a snapshot of the current teams and memberships as a new numbered version. KPIs use the version in force when each fact happened.', 'pet' ); ?></p>
<?php if ( $data['manage'] ) : ?>
	<?php View::form_open( 'publish_org', array(), 'pet-publish-org' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::field( 'effective_at', __( 'Effective at (empty = now; a future time schedules it)', 'pet' ), 'datetime-local' );
	View::field( 'note', __( 'Note', 'pet' ) );
	?>
</table>
	<?php submit_button( __( 'Publish org structure', 'pet' ) ); ?>
</form>
<?php endif; ?>
<?php
$data['table']->display();
