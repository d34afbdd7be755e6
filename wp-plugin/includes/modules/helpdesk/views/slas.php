<?php
/**
 * SLA definitions: search, the list, the "New SLA definition" editor for managers, the
 * test-clock form (test builds).
 *
 * @package PetWp
 *
 * @var array $data {table: Sla_Definitions_Table, editor: array|null, test_clock: bool}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<form method="get"><input type="hidden" name="page" value="pet-slas">
<?php $data['table']->search_box( __( 'Search SLA definitions', 'pet' ), 'pet-sla' ); ?>
</form>
<?php $data['table']->display(); ?>
<?php if ( null !== $data['editor'] ) : ?>
<h2><?php esc_html_e( 'New SLA definition', 'pet' ); ?></h2>
	<?php View::render( 'helpdesk/sla-editor', $data['editor'] ); ?>
<?php endif; ?>
<?php
if ( $data['test_clock'] ) {
	View::render( 'helpdesk/test-clock' );
}
