<?php
/**
 * Side-by-side diff of two quote versions.
 *
 * @package PetWp
 *
 * @var array $data {from: int, to: int, diff: array (the engine's diffQuoteVersions())}
 */

use PetWp\Modules\Sales\Sales_Admin;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

$d    = $data['diff'];
$c    = (string) $d['currency'];
$a    = $data['from'];
$b    = $data['to'];
$m    = static fn ( $minor ): string => Table::money(
	array(
		'amount_minor' => $minor,
		'currency'     => $c,
	)
);
$line = static function ( $l ) use ( $m ): string {
	if ( null === $l ) {
		return '—';
	}
	return $l['description'] . ' · ' . $l['quantity'] . ' × ' . Sales_Admin::decimal( (int) $l['unit_price_minor'] ) . ' = ' . $m( $l['totals']['total_minor'] );
};
/* translators: 1: version number, 2: version number. */
$title = sprintf( __( 'Version %1$d and version %2$d side by side', 'pet' ), $a, $b );
/* translators: %d: version number. */
$version = __( 'Version %d', 'pet' );
?>
<h3><?php echo esc_html( $title ); ?></h3>
<table class="widefat pet-diff" id="pet-diff"><thead><tr><th><?php esc_html_e( 'Change', 'pet' ); ?></th><th><?php echo esc_html( sprintf( $version, $a ) ); ?></th><th><?php echo esc_html( sprintf( $version, $b ) ); ?></th></tr></thead><tbody>
<?php foreach ( $d['groups'] as $g ) : ?>
<tr class="<?php echo esc_attr( 'pet-diff-' . $g['change'] ); ?>"><th><?php echo esc_html( (string) $g['change'] ); ?></th><th><?php echo esc_html( (string) ( $g['from']['title'] ?? '—' ) ); ?></th><th><?php echo esc_html( (string) ( $g['to']['title'] ?? '—' ) ); ?></th></tr>
	<?php foreach ( $g['lines'] as $l ) : ?>
<tr class="<?php echo esc_attr( 'pet-diff-' . $l['change'] ); ?>"><td><?php echo esc_html( (string) $l['change'] ); ?></td><td><?php echo esc_html( $line( $l['from'] ) ); ?></td><td><?php echo esc_html( $line( $l['to'] ) ); ?></td></tr>
	<?php endforeach; ?>
<?php endforeach; ?>
<tr><th><?php esc_html_e( 'Total', 'pet' ); ?></th><th><?php echo esc_html( $m( $d['totals']['from']['total_minor'] ) ); ?></th><th><?php echo esc_html( $m( $d['totals']['to']['total_minor'] ) ); ?></th></tr>
</tbody></table>
