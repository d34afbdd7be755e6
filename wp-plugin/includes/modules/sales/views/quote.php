<?php
/**
 * One quote: versions, the side-by-side diff, the builder and send form of the draft, or the
 * revise form and the customer's answer to the sent version; the sale.
 *
 * @package PetWp
 *
 * @var array $data {quote: array, diff: array|null, draft: array|null, valid_until: string, answer: array|null,
 *                   sale: array|null, activity_url: string}
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$q   = $data['quote'];
$id  = (string) $q['id'];
$cur = (string) $q['currency'];
View::back_link( Table::page_url( 'pet-quotes' ), __( 'All quotes', 'pet' ), 'pet-noprint' );
View::history_link( 'quote', $id, 'pet-noprint' );
?>
<h2><?php echo esc_html( $q['reference'] . ' — ' . $q['title'] ); ?> <?php View::badge( (string) $q['status'] ); ?></h2>
<p><?php echo esc_html( (string) $q['customer_name'] ); ?> · <?php echo esc_html( $cur ); ?></p>
<table class="widefat striped pet-versions"><thead><tr>
<th><?php esc_html_e( 'Version', 'pet' ); ?></th><th><?php esc_html_e( 'Status', 'pet' ); ?></th><th><?php esc_html_e( 'Total', 'pet' ); ?></th>
<th><?php esc_html_e( 'Valid until', 'pet' ); ?></th><th><?php esc_html_e( 'Content hash', 'pet' ); ?></th><th></th>
</tr></thead><tbody>
<?php
foreach ( $q['versions'] as $v ) :
	$n    = (int) $v['number'];
	$hash = $v['content_hash'];
	?>
<tr class="<?php echo esc_attr( 'pet-version-' . $v['status'] ); ?>"><td><?php echo (int) $n; ?></td><td><?php View::badge( (string) $v['status'] ); ?>
	<?php if ( null !== $v['superseded_by'] ) : ?>
		<?php /* translators: %d: version number. */ ?>
		<?php echo esc_html( sprintf( __( 'by version %d', 'pet' ), (int) $v['superseded_by'] ) ); ?>
	<?php endif; ?>
</td>
<td><?php echo esc_html( Table::money( $v['totals']['total'] ) ); ?></td><td><?php echo esc_html( (string) ( $v['valid_until'] ?? '—' ) ); ?></td>
<td><?php if ( null !== $hash ) : ?><code title="<?php echo esc_attr( (string) $hash ); ?>"><?php echo esc_html( substr( (string) $hash, 0, 12 ) ); ?></code><?php else : ?>—<?php endif; ?></td>
<td><a href="<?php echo esc_url( Table::page_url( 'pet-quotes', array( 'quote' => $id, 'print' => (string) $n ) ) ); ?>"><?php esc_html_e( 'Printable', 'pet' ); ?></a>
	<?php
	if ( $n > 1 ) :
		$compare = Table::page_url(
			'pet-quotes',
			array(
				'quote' => $id,
				'from'  => (string) ( $n - 1 ),
				'to'    => (string) $n,
			)
		);
		?>
· <a href="<?php echo esc_url( $compare ); ?>"><?php esc_html_e( 'Compare with previous', 'pet' ); ?></a>
	<?php endif; ?>
</td></tr>
<?php endforeach; ?>
</tbody></table>
<?php
if ( null !== $data['diff'] ) {
	View::render( 'sales/quote-diff', $data['diff'] );
}
if ( null !== $data['draft'] ) :
	View::render(
		'sales/quote-builder',
		array(
			'id'      => $id,
			'version' => $data['draft'],
		)
	);
	?>
<h3><?php esc_html_e( 'Send', 'pet' ); ?></h3>
	<?php View::form_open( 'send_quote', array( 'id' => $id ), 'pet-send-quote' ); ?>
<label for="pet-valid-until"><?php esc_html_e( 'Valid until', 'pet' ); ?></label> <input type="date" name="valid_until" id="pet-valid-until" required value="<?php echo esc_attr( $data['valid_until'] ); ?>">
	<?php submit_button( __( 'Send this version', 'pet' ), 'primary', 'submit', false ); ?>
</form>
<?php elseif ( View::allows( $q, 'draft_next_version' ) ) : ?>
<h3><?php esc_html_e( 'Revise', 'pet' ); ?></h3>
	<?php
	View::form_open( 'draft_quote_version', array( 'id' => $id ), 'pet-revise-quote' );
	submit_button( __( 'Draft a new version', 'pet' ), 'secondary', 'submit', false );
	?>
</form>
	<?php
	if ( null !== $data['answer'] ) :
		$sent  = (string) $data['answer']['version'];
		$pair  = array(
			'id'      => $id,
			'version' => $sent,
		);
		$taken = $data['answer']['optional'];
		?>
		<?php /* translators: %d: version number. */ ?>
<h3><?php echo esc_html( sprintf( __( 'Customer answer for version %d', 'pet' ), (int) $sent ) ); ?></h3>
		<?php View::form_open( 'accept_quote', $pair, 'pet-accept-quote' ); ?>
		<?php if ( array() !== $taken ) : ?>
<fieldset class="pet-optional-groups"><legend><?php esc_html_e( 'Optional groups the customer took (the others are left out of the sale):', 'pet' ); ?></legend>
			<?php foreach ( $taken as $g ) : ?>
<label><input type="checkbox" name="optional_groups[]" value="<?php echo esc_attr( (string) $g['group_id'] ); ?>"> <?php echo esc_html( (string) $g['title'] ); ?> (<?php echo esc_html( Table::money( $g['totals']['total'] ) ); ?>)</label><br>
			<?php endforeach; ?>
</fieldset>
		<?php endif; ?>
<input type="text" name="signed_by" placeholder="<?php esc_attr_e( 'Signed by', 'pet' ); ?>">
		<?php submit_button( __( 'Record acceptance', 'pet' ), 'primary', 'submit', false ); ?>
</form><br>
		<?php View::form_open( 'reject_quote', $pair, 'pet-reject-quote' ); ?>
<input type="text" name="reason" required placeholder="<?php esc_attr_e( 'Reason', 'pet' ); ?>">
		<?php submit_button( __( 'Record rejection', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
		<?php
	endif;
endif;
if ( null !== $data['sale'] ) :
	$s = $data['sale'];
	?>
<h3><?php esc_html_e( 'Sale', 'pet' ); ?></h3><div id="pet-sale"><p><?php echo esc_html( Table::money( $s['total'] ) ); ?> · <?php echo esc_html( Table::when( $s['recorded_at'] ) ); ?></p><ul>
	<?php foreach ( $s['labour'] as $l ) : ?>
		<?php /* translators: 1: role, 2: hours. */ ?>
<li><?php echo esc_html( sprintf( __( '%1$s: %2$s h sold', 'pet' ), (string) ( $l['role'] ?? __( 'no role', 'pet' ) ), number_format_i18n( $l['minutes'] / 60, 2 ) ) ); ?></li>
	<?php endforeach; ?>
	<?php
	foreach ( $s['fees'] as $f ) :
		$fee = Table::money( $f['net'] );
		?>
<li><?php echo esc_html( $f['description'] . ' (' . View::value_label( (string) $f['kind'] ) . '): ' . $fee ); ?></li>
	<?php endforeach; ?>
</ul></div>
<?php endif; ?>
<?php
View::link_paragraph( $data['activity_url'], __( 'Activity of this quote', 'pet' ), 'pet-noprint' );
