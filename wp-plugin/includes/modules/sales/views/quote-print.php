<?php
/**
 * A clean printable view of one quote version (the print link is handled by assets/js/admin.js).
 *
 * @package PetWp
 *
 * @var array $data {quote: array, version: array, number: int}
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$q = $data['quote'];
$v = $data['version'];
/* translators: 1: quote reference, 2: version number. */
$title = sprintf( __( 'Quote %1$s, version %2$d', 'pet' ), (string) $v['reference'], $data['number'] );
/* translators: %s: date. */
$valid = null !== $v['valid_until'] ? sprintf( __( 'valid until %s', 'pet' ), (string) $v['valid_until'] ) : null;
?>
<p class="pet-noprint"><a href="<?php echo esc_url( Table::page_url( 'pet-quotes', array( 'quote' => (string) $q['id'] ) ) ); ?>">&larr; <?php esc_html_e( 'Back to the quote', 'pet' ); ?></a> · <a href="#" data-pet-print><?php esc_html_e( 'Print', 'pet' ); ?></a></p>
<div class="pet-print" id="pet-print">
<h2><?php echo esc_html( $title ); ?> <?php View::badge( (string) $v['status'] ); ?></h2>
<p><?php echo esc_html( $q['customer_name'] . ' · ' . $v['title'] ); ?><?php echo null !== $valid ? ' · ' . esc_html( $valid ) : ''; ?></p>
<?php foreach ( $v['groups'] as $g ) : ?>
<h3><?php echo esc_html( (string) $g['title'] ); ?><?php echo $g['optional'] ? ' (' . esc_html__( 'optional', 'pet' ) . ')' : ''; ?></h3><table class="widefat"><tbody>
	<?php
	foreach ( $g['lines'] as $l ) :
		/* translators: %s: hours, e.g. 1.50 */
		$qty = 'labour' === $l['kind'] ? sprintf( __( '%s h', 'pet' ), number_format_i18n( $l['quantity'] / 60, 2 ) ) : (string) $l['quantity'];
		?>
<tr><td><?php echo esc_html( (string) $l['description'] ); ?></td><td><?php echo esc_html( $qty ); ?></td><td><?php echo esc_html( Table::money( $l['totals']['net'] ) ); ?></td><td><?php echo esc_html( Table::money( $l['totals']['total'] ) ); ?></td></tr>
	<?php endforeach; ?>
<tr><th colspan="3"><?php esc_html_e( 'Group total', 'pet' ); ?></th><th><?php echo esc_html( Table::money( $g['totals']['total'] ) ); ?></th></tr></tbody></table>
<?php endforeach; ?>
<?php $t = $v['totals']; ?>
<table class="widefat" style="max-width:30em;margin-top:1em"><tbody>
<tr><th><?php esc_html_e( 'Subtotal', 'pet' ); ?></th><td><?php echo esc_html( Table::money( $t['subtotal'] ) ); ?></td></tr>
<tr><th><?php esc_html_e( 'Discount', 'pet' ); ?></th><td><?php echo esc_html( Table::money( $t['discount'] ) ); ?></td></tr>
<tr><th><?php esc_html_e( 'Tax', 'pet' ); ?></th><td><?php echo esc_html( Table::money( $t['tax'] ) ); ?></td></tr>
<tr><th><?php esc_html_e( 'Total', 'pet' ); ?></th><td><strong><?php echo esc_html( Table::money( $t['total'] ) ); ?></strong></td></tr>
<tr><th><?php esc_html_e( 'Optional groups', 'pet' ); ?></th><td><?php echo esc_html( Table::money( $t['optional_total'] ) ); ?></td></tr>
</tbody></table>
<?php if ( null !== $v['content_hash'] ) : ?>
<p class="description"><?php esc_html_e( 'Content hash:', 'pet' ); ?> <code><?php echo esc_html( (string) $v['content_hash'] ); ?></code></p>
<?php endif; ?>
</div>
