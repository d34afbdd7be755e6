<?php
/**
 * Teams: status views and the hierarchy; the "Add team" form for managers.
 *
 * @package PetWp
 *
 * @var array $data {table: Teams_Table, manage: bool, parents: array<string,string>}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

$data['table']->views();
$data['table']->display();
if ( ! $data['manage'] ) {
	return;
}
?>
<h2><?php esc_html_e( 'Add team', 'pet' ); ?></h2>
<?php View::form_open( 'create_team', array(), 'pet-create-team' ); ?>
<table class="form-table" role="presentation">
<?php
View::field( 'name', __( 'Name', 'pet' ), 'text', '', array( 'required' => true ) );
View::select_row( 'parent_id', __( 'Parent team', 'pet' ), $data['parents'], '', 'pet-parent-id' );
?>
</table>
<?php submit_button( __( 'Add team', 'pet' ) ); ?>
</form>
