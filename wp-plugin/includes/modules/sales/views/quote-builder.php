<?php
/**
 * The quote builder for the draft: groups and lines (one blank group and two blank lines per
 * group to add), the engine's saved totals, and the live preview (assets/js/quote-builder.js:
 * the engine's totals of the unsaved form from the preview route; without JavaScript the
 * saved draft shows the engine's totals). Amounts are typed in the quote's currency with its
 * decimals (none for JPY, three for KWD).
 *
 * @package PetWp
 *
 * @var array $data {id: string, version: array (the draft version)}
 */

use PetWp\Modules\Sales\Quote_Form;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$v        = $data['version'];
$cur      = (string) $v['currency'];
$groups   = $v['groups'];
$groups[] = null; // One blank group to add.
$kinds    = array(
	'labour'    => __( 'Labour', 'pet' ),
	'fixed_fee' => __( 'Fixed fee', 'pet' ),
	'product'   => __( 'Product', 'pet' ),
	'recurring' => __( 'Recurring', 'pet' ),
);
$columns  = array(
	__( 'Kind', 'pet' ),
	__( 'Description', 'pet' ),
	__( 'Role / interval', 'pet' ),
	__( 'Qty', 'pet' ),
	__( 'Unit price', 'pet' ),
	__( 'Discount (% or amount)', 'pet' ),
	__( 'Tax %', 'pet' ),
	__( 'Total', 'pet' ),
	'',
);
?>
<?php /* translators: %d: version number. */ ?>
<h3><?php echo esc_html( sprintf( __( 'Version %d (draft)', 'pet' ), (int) $v['number'] ) ); ?></h3>
<?php View::form_open( 'save_quote_draft', array( 'id' => $data['id'] ), 'pet-quote-builder' ); ?>
<div class="pet-builder" data-currency="<?php echo esc_attr( $cur ); ?>" data-quote="<?php echo esc_attr( (string) $data['id'] ); ?>">
<?php
foreach ( $groups as $gi => $g ) :
	$gp = "groups[$gi]";
	?>
<div class="pet-group" id="<?php echo esc_attr( "pet-group-$gi" ); ?>">
<input type="hidden" name="<?php echo esc_attr( $gp . '[group_id]' ); ?>" value="<?php echo esc_attr( (string) ( $g['group_id'] ?? '' ) ); ?>">
<p><label><?php esc_html_e( 'Group', 'pet' ); ?> <input type="text" name="<?php echo esc_attr( $gp . '[title]' ); ?>" value="<?php echo esc_attr( (string) ( $g['title'] ?? '' ) ); ?>" id="<?php echo esc_attr( "pet-group-$gi-title" ); ?>"></label>
<label><input type="checkbox" name="<?php echo esc_attr( $gp . '[optional]' ); ?>" value="1"<?php checked( (bool) ( $g['optional'] ?? false ) ); ?>> <?php esc_html_e( 'optional', 'pet' ); ?></label>
	<?php if ( null !== $g ) : ?>
<label><input type="checkbox" name="<?php echo esc_attr( $gp . '[remove]' ); ?>" value="1"> <?php esc_html_e( 'remove group', 'pet' ); ?></label>
· <?php esc_html_e( 'engine total:', 'pet' ); ?> <strong><?php echo esc_html( Table::money( $g['totals']['total'] ) ); ?></strong>
	<?php endif; ?>
</p><table class="widefat"><thead><tr>
	<?php foreach ( $columns as $label ) : ?>
<th><?php echo esc_html( $label ); ?></th>
	<?php endforeach; ?>
</tr></thead><tbody>
	<?php
	$lines   = null === $g ? array() : $g['lines'];
	$lines[] = null;
	$lines[] = null;
	foreach ( $lines as $li => $l ) :
		$lp    = $gp . "[lines][$li]";
		$ro    = '';
		$dtype = 'percent';
		$disc  = '';
		if ( null !== $l ) {
			$ro = 'recurring' === $l['kind'] ? (string) $l['interval'] : (string) ( $l['role'] ?? '' );
			if ( is_array( $l['discount'] ) ) {
				$dtype = 'amount' === $l['discount']['type'] ? 'amount' : 'percent';
				$disc  = 'amount' === $dtype ? (string) $l['discount']['amount'] : Quote_Form::percent( (int) $l['discount']['basis_points'] );
			}
		}
		?>
<tr class="pet-line" id="<?php echo esc_attr( "pet-line-$gi-$li" ); ?>"><td>
<input type="hidden" name="<?php echo esc_attr( $lp . '[line_id]' ); ?>" value="<?php echo esc_attr( (string) ( $l['line_id'] ?? '' ) ); ?>">
		<?php View::select( $lp . '[kind]', $kinds, (string) ( $l['kind'] ?? 'fixed_fee' ) ); ?>
</td><td><input type="text" name="<?php echo esc_attr( $lp . '[description]' ); ?>" value="<?php echo esc_attr( (string) ( $l['description'] ?? '' ) ); ?>"></td>
<td><input type="text" class="small pet-detail" name="<?php echo esc_attr( $lp . '[detail]' ); ?>" value="<?php echo esc_attr( $ro ); ?>" list="pet-detail-hints" placeholder="<?php esc_attr_e( 'role / monthly', 'pet' ); ?>"></td>
<td><input type="text" class="small pet-qty" name="<?php echo esc_attr( $lp . '[quantity]' ); ?>" value="<?php echo esc_attr( null === $l ? '' : (string) $l['quantity'] ); ?>"></td>
<td><input type="text" class="small pet-price" name="<?php echo esc_attr( $lp . '[unit_price]' ); ?>" value="<?php echo esc_attr( null === $l ? '' : (string) $l['unit_price'] ); ?>"></td>
<td class="pet-nowrap"><input type="text" class="small pet-disc" name="<?php echo esc_attr( $lp . '[discount]' ); ?>" value="<?php echo esc_attr( $disc ); ?>">
		<?php
		View::select(
			$lp . '[discount_type]',
			array(
				'percent' => '%',
				'amount'  => $cur,
			),
			$dtype
		);
		?>
</td>
<td><input type="text" class="small pet-tax" name="<?php echo esc_attr( $lp . '[tax_rate]' ); ?>" value="<?php echo esc_attr( null === $l ? '' : Quote_Form::percent( (int) $l['tax_rate_bp'] ) ); ?>"></td>
<td class="pet-line-total"><?php echo esc_html( null === $l ? '' : Table::money( $l['totals']['total'] ) ); ?></td>
<td><?php if ( null !== $l ) : ?><label><input type="checkbox" name="<?php echo esc_attr( $lp . '[remove]' ); ?>" value="1"> <?php esc_html_e( 'remove', 'pet' ); ?></label><?php endif; ?></td></tr>
	<?php endforeach; ?>
</tbody></table></div>
<?php endforeach; ?>
<?php
$t = $v['totals'];
/* translators: %s: amount. */
$optional = sprintf( __( 'optional groups: %s', 'pet' ), Table::money( $t['optional_total'] ) );
?>
<p id="pet-engine-totals"><?php esc_html_e( 'Saved totals (engine):', 'pet' ); ?> <?php echo esc_html( Table::money( $t['total'] ) ); ?> · <?php echo esc_html( $optional ); ?></p>
<p id="pet-live-total" class="description"></p>
<datalist id="pet-detail-hints"><option value="monthly"><option value="quarterly"><option value="yearly"></datalist>
<p class="description"><?php esc_html_e( 'Labour: quantity in minutes, unit price per hour, the role in "Role / interval". Recurring: the interval (monthly, quarterly, yearly) in "Role / interval". Discount: a percentage or an amount off the line. Lines without a description are ignored.', 'pet' ); ?></p>
</div>
<?php submit_button( __( 'Save draft', 'pet' ) ); ?>
</form>
