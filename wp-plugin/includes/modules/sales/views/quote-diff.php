<?php
/**
 * Side-by-side diff of two quote versions.
 *
 * @package PetWp
 *
 * @var array $data {from: int, to: int, diff: array (the engine's diffQuoteVersions())}
 */

use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

$d    = $data['diff'];
$a    = $data['from'];
$b    = $data['to'];
$line = static function ( $l ): string {
	if ( null === $l ) {
		return '—';
	}
	return $l['description'] . ' · ' . $l['quantity'] . ' × ' . $l['unit_price'] . ' = ' . Table::money( $l['totals']['total'] );
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
<tr><th><?php esc_html_e( 'Total', 'pet' ); ?></th><th><?php echo esc_html( Table::money( $d['totals']['from']['total'] ) ); ?></th><th><?php echo esc_html( Table::money( $d['totals']['to']['total'] ) ); ?></th></tr>
</tbody></table>
