<?php
/**
 * One lead: facts and custom fields (by its own schema version), the edit form, the
 * qualification, and the next steps the engine allows (the lead's actions).
 *
 * @package PetWp
 *
 * @var array $data {lead: array, activity_url: string, edit: array|null, opportunities: list<array>}
 */

use PetWp\Picker;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$l  = $data['lead'];
$id = (string) $l['id'];
View::back_link( Table::page_url( 'pet-leads' ), __( 'All leads', 'pet' ) );
View::history_link( 'lead', $id );
$facts = array(
	__( 'Source', 'pet' )   => (string) $l['source'],
	__( 'Owner', 'pet' )    => (string) ( $l['owner_name'] ?? '' ),
	__( 'Captured', 'pet' ) => Table::when( $l['created_at'] ),
);
?>
<h2><?php echo esc_html( (string) $l['company_name'] ); ?> <?php View::badge( (string) $l['status'] ); ?></h2>
<table class="widefat striped pet-lead-facts" style="max-width:48em"><tbody>
<?php foreach ( $facts as $k => $v ) : ?>
<tr><th><?php echo esc_html( $k ); ?></th><td><?php echo esc_html( $v ); ?></td></tr>
<?php endforeach; ?>
<?php foreach ( $l['custom_fields'] as $f ) : ?>
<tr><th><?php echo esc_html( (string) $f['label'] ); ?></th><td><?php echo esc_html( (string) ( $f['display'] ?? '—' ) ); ?></td></tr>
<?php endforeach; ?>
</tbody></table>
<?php if ( null !== $l['schema_version'] ) : ?>
	<?php /* translators: %d: lead schema version number. */ ?>
<p class="description"><?php echo esc_html( sprintf( __( 'Captured with lead schema version %d; shown by that version.', 'pet' ), (int) $l['schema_version'] ) ); ?></p>
<?php endif; ?>
<?php
// Edit form: source, owner and the custom fields of the lead's own schema version (not the
// latest), filled with the current values; folded until opened.
if ( null !== $data['edit'] ) :
	$edit = $data['edit'];
	?>
<details class="pet-edit-lead"<?php echo $edit['open'] ? ' open' : ''; ?>><summary><?php esc_html_e( 'Edit lead', 'pet' ); ?></summary>
	<?php View::form_open( 'update_lead', array( 'id' => $id ), 'pet-update-lead' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::field( 'source', __( 'Source', 'pet' ), 'text', (string) $l['source'], array( 'required' => true ) );
	$unchanged = array( 'placeholder' => __( '— unchanged —', 'pet' ) );
	Picker::row( 'owner_id', __( 'Owner', 'pet' ), 'employees', (string) $l['owner_id'], 'pet-edit-owner-id', array(), $unchanged );
	foreach ( null === $edit['schema'] ? array() : $edit['schema']['fields'] as $f ) {
		View::render(
			'sales/custom-input',
			array(
				'field' => $f,
				'value' => $edit['values'][ (string) $f['key'] ] ?? null,
			)
		);
	}
	?>
</table>
	<?php if ( null !== $edit['schema'] ) : ?>
		<?php /* translators: %d: lead schema version number. */ ?>
<p class="description"><?php echo esc_html( sprintf( __( 'The fields of lead schema version %d, the version this lead was captured with.', 'pet' ), (int) $edit['schema']['number'] ) ); ?></p>
	<?php endif; ?>
	<?php submit_button( __( 'Save lead', 'pet' ), 'secondary' ); ?>
</form></details>
<?php endif; ?>
<?php
if ( is_array( $l['qualification'] ) ) :
	$q = $l['qualification'];
	?>
<h3><?php esc_html_e( 'Qualification', 'pet' ); ?></h3><ul>
<li><?php esc_html_e( 'Need:', 'pet' ); ?> <?php echo esc_html( (string) $q['need'] ); ?></li>
<li><?php esc_html_e( 'Budget:', 'pet' ); ?> <?php echo esc_html( Table::money( $q['budget'] ) ); ?></li>
<li><?php esc_html_e( 'Authority:', 'pet' ); ?> <?php echo esc_html( (string) ( $q['authority'] ?? '—' ) ); ?></li>
<li><?php esc_html_e( 'Timeline:', 'pet' ); ?> <?php echo esc_html( (string) ( $q['timeline'] ?? '—' ) ); ?></li></ul>
<?php endif; ?>
<?php if ( null !== $l['disqualification_reason'] ) : ?>
<p><strong><?php esc_html_e( 'Disqualified:', 'pet' ); ?></strong> <?php echo esc_html( (string) $l['disqualification_reason'] ); ?></p>
<?php endif; ?>
<?php if ( View::allows( $l, 'contact' ) ) : ?>
<h3><?php esc_html_e( 'Mark as contacted', 'pet' ); ?></h3>
	<?php View::form_open( 'contact_lead', array( 'id' => $id ), 'pet-contact-lead' ); ?>
<table class="form-table" role="presentation">
	<?php View::field( 'note', __( 'How it went', 'pet' ) ); ?>
</table>
	<?php submit_button( __( 'Mark contacted', 'pet' ) ); ?>
</form>
<?php endif; ?>
<?php if ( View::allows( $l, 'qualify' ) ) : ?>
<h3><?php esc_html_e( 'Qualify', 'pet' ); ?></h3>
	<?php View::form_open( 'qualify_lead', array( 'id' => $id ), 'pet-qualify-lead' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::field( 'need', __( 'Need', 'pet' ), 'text', '', array( 'required' => true ) );
	View::field( 'budget', __( 'Budget', 'pet' ) );
	View::field( 'currency', __( 'Currency', 'pet' ), 'text', 'EUR' );
	View::field( 'authority', __( 'Authority (who decides)', 'pet' ) );
	View::field( 'timeline', __( 'Timeline', 'pet' ) );
	View::field( 'notes', __( 'Notes', 'pet' ) );
	?>
</table>
	<?php submit_button( __( 'Qualify', 'pet' ) ); ?>
</form>
<?php endif; ?>
<?php if ( View::allows( $l, 'disqualify' ) ) : ?>
<h3><?php esc_html_e( 'Disqualify', 'pet' ); ?></h3>
	<?php View::form_open( 'disqualify_lead', array( 'id' => $id ), 'pet-disqualify-lead' ); ?>
<table class="form-table" role="presentation">
	<?php View::field( 'reason', __( 'Reason', 'pet' ), 'text', '', array( 'required' => true ) ); ?>
</table>
	<?php submit_button( __( 'Disqualify', 'pet' ), 'secondary' ); ?>
</form>
<?php endif; ?>
<?php if ( View::allows( $l, 'open_opportunity' ) ) : ?>
<h3><?php esc_html_e( 'Open an opportunity', 'pet' ); ?></h3>
	<?php View::form_open( 'create_opportunity', array( 'lead_id' => $id ), 'pet-create-opportunity' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::field( 'title', __( 'Title', 'pet' ), 'text', '', array( 'required' => true ) );
	View::field( 'expected_value', __( 'Expected value', 'pet' ), 'text', '', array( 'required' => true ) );
	View::field( 'currency', __( 'Currency', 'pet' ), 'text', 'EUR' );
	View::field( 'expected_close', __( 'Expected close', 'pet' ), 'date', '', array( 'required' => true ) );
	?>
</table>
	<?php submit_button( __( 'Open opportunity', 'pet' ) ); ?>
</form>
	<?php if ( array() !== $data['opportunities'] ) : ?>
<h3><?php esc_html_e( 'Opportunities', 'pet' ); ?></h3><ul>
		<?php foreach ( $data['opportunities'] as $o ) : ?>
<li><a href="<?php echo esc_url( Table::page_url( 'pet-pipeline', array( 'opportunity' => (string) $o['id'] ) ) ); ?>"><?php echo esc_html( (string) $o['title'] ); ?></a> <?php View::badge( (string) $o['status'] ); ?></li>
		<?php endforeach; ?>
</ul>
	<?php endif; ?>
<?php endif; ?>
<?php
if ( View::allows( $l, 'archive' ) ) :
	View::form_open( 'archive_lead', array( 'id' => $id ), 'pet-archive-lead' );
	submit_button( __( 'Archive lead', 'pet' ), 'secondary', 'submit', false );
	?>
</form>
<?php endif; ?>
<?php
View::link_paragraph( $data['activity_url'], __( 'Activity of this lead', 'pet' ) );
