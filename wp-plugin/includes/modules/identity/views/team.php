<?php
/**
 * One team: members; for managers of an active team the add-member, move and archive forms.
 *
 * @package PetWp
 *
 * @var array $data {team: array, members: Members_Table, activity_url: string, change: bool, today: string,
 *                   parents?: array<string,string>} (the new member is chosen with an employee picker)
 */

use PetWp\Picker;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$t  = $data['team'];
$id = (string) $t['id'];
View::back_link( Table::page_url( 'pet-teams' ), __( 'All teams', 'pet' ) );
?>
<h2><?php echo esc_html( (string) $t['name'] ); ?></h2>
<p><?php echo esc_html( 'active' === $t['status'] ? __( 'Active', 'pet' ) : __( 'Archived', 'pet' ) ); ?> · <a href="<?php echo esc_url( $data['activity_url'] ); ?>"><?php esc_html_e( 'Activity of this team', 'pet' ); ?></a></p>
<h3><?php esc_html_e( 'Members', 'pet' ); ?></h3>
<?php
$data['members']->display();
if ( ! $data['change'] ) {
	return;
}
?>
<h3><?php esc_html_e( 'Add member', 'pet' ); ?></h3>
<?php View::form_open( 'add_team_member', array( 'team' => $id ), 'pet-add-member' ); ?>
<table class="form-table" role="presentation">
<?php
Picker::row( 'employee_id', __( 'Employee', 'pet' ), 'employees', '', 'pet-employee-id', array(), array( 'required' => true ) );
View::select_row(
	'role',
	__( 'Role', 'pet' ),
	array(
		'member' => __( 'Member', 'pet' ),
		'lead'   => __( 'Lead', 'pet' ),
	),
	'',
	'pet-role'
);
View::field( 'valid_from', __( 'Valid from', 'pet' ), 'date', $data['today'] );
View::field( 'valid_to', __( 'Valid to (optional)', 'pet' ), 'date' );
?>
</table>
<?php submit_button( __( 'Add member', 'pet' ) ); ?>
</form>
<h3><?php esc_html_e( 'Move team', 'pet' ); ?></h3>
<?php
View::form_open( 'move_team', array( 'id' => $id ), 'pet-move-team' );
View::select( 'parent_id', $data['parents'], (string) ( $t['parent_id'] ?? '' ), 'pet-parent-id' );
submit_button( __( 'Move', 'pet' ), 'secondary', 'submit', false );
?>
</form>
<h3><?php esc_html_e( 'Archive', 'pet' ); ?></h3>
<?php
View::form_open( 'archive_team', array( 'id' => $id ) );
submit_button( __( 'Archive team', 'pet' ), 'delete', 'submit', false );
?>
</form>
