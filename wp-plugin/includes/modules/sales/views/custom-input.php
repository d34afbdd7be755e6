<?php
/**
 * A form-table row for one custom field of a lead schema version, optionally holding a value.
 *
 * @package PetWp
 *
 * @var array $data {field: array, value: mixed (null: none)}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

$f     = $data['field'];
$value = $data['value'] ?? null;
$key   = (string) $f['key'];
$name  = 'custom[' . $key . ']';
$id    = 'pet-custom-' . $key;
?>
<tr><th scope="row"><label for="<?php echo esc_attr( $id ); ?>"><?php echo esc_html( (string) $f['label'] ); ?><?php echo $f['required'] ? ' *' : ''; ?></label></th><td>
<?php
switch ( $f['type'] ) {
	case 'bool':
		?>
<input type="checkbox" name="<?php echo esc_attr( $name ); ?>" id="<?php echo esc_attr( $id ); ?>" value="1"<?php checked( true === $value ); ?>>
		<?php
		break;
	case 'select':
		$opts = array( '' => '—' );
		foreach ( $f['options'] as $o ) {
			$opts[ (string) $o ] = (string) $o;
		}
		View::select( $name, $opts, is_scalar( $value ) ? (string) $value : '', $id );
		break;
	case 'multiselect':
		$chosen = is_array( $value ) ? array_map( 'strval', $value ) : array();
		foreach ( $f['options'] as $i => $o ) {
			$attrs = View::attrs( 0 === $i ? array( 'id' => $id ) : array() );
			?>
<label><input type="checkbox" name="<?php echo esc_attr( $name . '[]' ); ?>" value="<?php echo esc_attr( (string) $o ); ?>"<?php echo $attrs; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- View::attrs() escapes. ?><?php checked( in_array( (string) $o, $chosen, true ) ); ?>> <?php echo esc_html( (string) $o ); ?></label>
			<?php
		}
		break;
	default:
		$types = array(
			'number' => 'number',
			'date'   => 'date',
		);
		$type  = $types[ $f['type'] ] ?? 'text';
		$shown = is_scalar( $value ) && ! is_bool( $value ) ? (string) $value : '';
		?>
<input type="<?php echo esc_attr( $type ); ?>" name="<?php echo esc_attr( $name ); ?>" id="<?php echo esc_attr( $id ); ?>" class="regular-text" value="<?php echo esc_attr( $shown ); ?>">
		<?php
}
?>
</td></tr>
