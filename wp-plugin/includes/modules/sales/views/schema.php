<?php
/**
 * Lead schema: for managers the editor (the latest version's fields plus blank rows,
 * published as a new version); the published versions.
 *
 * @package PetWp
 *
 * @var array $data {versions: list<array>, manage: bool, types: array<string,string>}
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$versions = $data['versions'];
$latest   = $versions[0] ?? null;
$rows     = null === $latest ? array() : $latest['fields'];
if ( $data['manage'] ) :
	?>
<p><?php esc_html_e( 'Publishing makes a new, immutable version. Leads keep the version they were captured with. Reorder with the "Order" column; empty rows are ignored.', 'pet' ); ?></p>
	<?php View::form_open( 'publish_lead_schema', array(), 'pet-schema-editor' ); ?>
<table class="widefat striped"><thead><tr>
<th><?php esc_html_e( 'Order', 'pet' ); ?></th><th><?php esc_html_e( 'Key', 'pet' ); ?></th><th><?php esc_html_e( 'Label', 'pet' ); ?></th><th><?php esc_html_e( 'Type', 'pet' ); ?></th>
<th><?php esc_html_e( 'Required', 'pet' ); ?></th><th><?php esc_html_e( 'Options (comma separated)', 'pet' ); ?></th><th><?php esc_html_e( 'Remove', 'pet' ); ?></th>
</tr></thead><tbody>
	<?php
	$n = count( $rows ) + 3;
	for ( $i = 0; $i < $n; $i++ ) :
		$f = $rows[ $i ] ?? array(
			'key'      => '',
			'label'    => '',
			'type'     => 'text',
			'required' => false,
			'options'  => array(),
		);
		$p = "fields[$i]";
		?>
<tr>
<td><input type="number" class="small-text" name="<?php echo esc_attr( $p . '[order]' ); ?>" value="<?php echo esc_attr( (string) ( ( $i + 1 ) * 10 ) ); ?>"></td>
<td><input type="text" name="<?php echo esc_attr( $p . '[key]' ); ?>" value="<?php echo esc_attr( (string) $f['key'] ); ?>" id="<?php echo esc_attr( "pet-field-$i-key" ); ?>"></td>
<td><input type="text" name="<?php echo esc_attr( $p . '[label]' ); ?>" value="<?php echo esc_attr( (string) $f['label'] ); ?>" id="<?php echo esc_attr( "pet-field-$i-label" ); ?>"></td><td>
		<?php View::select( $p . '[type]', $data['types'], (string) $f['type'], "pet-field-$i-type" ); ?>
</td><td><input type="checkbox" name="<?php echo esc_attr( $p . '[required]' ); ?>" value="1"<?php checked( (bool) $f['required'] ); ?> id="<?php echo esc_attr( "pet-field-$i-required" ); ?>"></td>
<td><input type="text" name="<?php echo esc_attr( $p . '[options]' ); ?>" value="<?php echo esc_attr( implode( ', ', (array) $f['options'] ) ); ?>" id="<?php echo esc_attr( "pet-field-$i-options" ); ?>"></td>
<td><input type="checkbox" name="<?php echo esc_attr( $p . '[remove]' ); ?>" value="1"></td>
</tr>
	<?php endfor; ?>
</tbody></table>
	<?php submit_button( __( 'Publish new version', 'pet' ) ); ?>
</form>
<?php endif; ?>
<h2><?php esc_html_e( 'Published versions', 'pet' ); ?></h2>
<?php if ( array() === $versions ) : ?>
<p><?php esc_html_e( 'No version is published yet: leads have no custom fields.', 'pet' ); ?></p>
<?php endif; ?>
<?php foreach ( $versions as $v ) : ?>
	<?php /* translators: 1: version number, 2: date. */ ?>
<h3><?php echo esc_html( sprintf( __( 'Version %1$d — %2$s', 'pet' ), (int) $v['number'], Table::when( $v['published_at'] ) ) ); ?></h3><ul>
	<?php
	foreach ( $v['fields'] as $f ) :
		$what = (string) $f['type'] . ( $f['required'] ? ', ' . __( 'required', 'pet' ) : '' );
		?>
<li><code><?php echo esc_html( (string) $f['key'] ); ?></code> <?php echo esc_html( (string) $f['label'] ); ?> (<?php echo esc_html( $what ); ?>)<?php echo array() !== $f['options'] ? ': ' . esc_html( implode( ', ', $f['options'] ) ) : ''; ?></li>
	<?php endforeach; ?>
</ul>
<?php endforeach; ?>
