<?php
/**
 * Pipeline: the stages with counts and expected value, then the opportunities.
 *
 * @package PetWp
 *
 * @var array $data {stages: list<array>, table: Opportunities_Table}
 */

use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;
?>
<div class="pet-stages">
<?php
foreach ( $data['stages'] as $s ) :
	$status = (string) $s['status'];
	$values = array_map( array( Table::class, 'money' ), $s['expected_value'] );
	/* translators: %d: number of opportunities. */
	$count = sprintf( _n( '%d opportunity', '%d opportunities', (int) $s['count'], 'pet' ), (int) $s['count'] );
	?>
<div class="pet-stage" id="<?php echo esc_attr( 'pet-stage-' . $status ); ?>"><h3><a href="<?php echo esc_url( Table::page_url( 'pet-pipeline', array( 'status' => $status ) ) ); ?>"><?php echo esc_html( ucfirst( \PetWp\View::value_label( $status ) ) ); ?></a></h3>
<p class="pet-stage-count"><?php echo esc_html( $count ); ?></p>
<p class="pet-stage-value"><?php echo esc_html( array() === $values ? '—' : implode( ' + ', $values ) ); ?></p></div>
<?php endforeach; ?>
</div>
<?php
$data['table']->display();
