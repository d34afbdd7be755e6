<?php
/**
 * One opportunity: facts, lost reason or won quote, its quotes, classification; while open
 * or quoting the classify, new-quote and lose forms.
 *
 * @package PetWp
 *
 * @var array $data {opportunity: array, quotes: list<array>, activity_url: string}
 */

use PetWp\Modules\Sales\Sales_Admin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$o  = $data['opportunity'];
$id = (string) $o['id'];
View::back_link( Table::page_url( 'pet-pipeline' ), __( 'Pipeline', 'pet' ) );
View::history_link( 'opportunity', $id );
?>
<h2><?php echo esc_html( (string) $o['title'] ); ?> <?php View::badge( (string) $o['status'] ); ?></h2>
<p><?php echo esc_html( (string) $o['customer_name'] ); ?> · <?php echo esc_html( Table::money( $o['expected_value'] ) ); ?> · <?php echo esc_html( (string) $o['expected_close'] ); ?></p>
<?php if ( true === $o['lost'] ) : ?>
<p class="pet-lost-reason"><strong><?php esc_html_e( 'Lost:', 'pet' ); ?></strong> <?php echo esc_html( (string) ( $o['lost_reason'] ?? '' ) ); ?></p>
<?php endif; ?>
<?php if ( null !== $o['won_quote_id'] ) : ?>
<p class="pet-won"><strong><?php esc_html_e( 'Won', 'pet' ); ?></strong> · <a href="<?php echo esc_url( Table::page_url( 'pet-quotes', array( 'quote' => (string) $o['won_quote_id'] ) ) ); ?>"><?php esc_html_e( 'the accepted quote and its sale', 'pet' ); ?></a></p>
<?php endif; ?>
<h3><?php esc_html_e( 'Quotes', 'pet' ); ?></h3><ul>
<?php foreach ( $data['quotes'] as $q ) : ?>
<li><a href="<?php echo esc_url( Table::page_url( 'pet-quotes', array( 'quote' => (string) $q['id'] ) ) ); ?>"><?php echo esc_html( $q['reference'] . ' ' . $q['title'] ); ?></a> <?php View::badge( (string) $q['status'] ); ?> <?php echo esc_html( Table::money( $q['total'] ) ); ?></li>
<?php endforeach; ?>
</ul>
<?php if ( null !== $o['kind'] ) : ?>
	<?php /* translators: 1: opportunity type, 2: size band. */ ?>
<p><?php echo esc_html( sprintf( __( 'Classified as %1$s, %2$s.', 'pet' ), View::value_label( (string) $o['kind'] ), View::value_label( (string) $o['size_band'] ) ) ); ?></p>
<?php endif; ?>
<?php
$labels = static function ( array $values ): array {
	$out = array();
	foreach ( $values as $v ) {
		$out[ (string) $v ] = Sales_Admin::classification_label( (string) $v );
	}
	return $out;
};
if ( View::allows( $o, 'classify' ) ) :
	View::form_open( 'classify_opportunity', array( 'id' => $id ), 'pet-classify-opportunity' );
	View::select( 'kind', $labels( (array) $o['options']['kind'] ), (string) ( $o['kind'] ?? '' ) );
	View::select( 'size_band', $labels( (array) $o['options']['size_band'] ), (string) ( $o['size_band'] ?? '' ) );
	submit_button( __( 'Classify', 'pet' ), 'secondary', 'submit', false );
	?>
</form><br>
<?php endif; ?>
<?php
if ( View::allows( $o, 'create_quote' ) ) :
	View::form_open( 'create_quote', array( 'opportunity_id' => $id ), 'pet-create-quote' );
	submit_button( __( 'New quote', 'pet' ), 'primary', 'submit', false );
	?>
</form>
<?php endif; ?>
<?php if ( View::allows( $o, 'lose' ) ) : ?>
<h3><?php esc_html_e( 'Mark as lost', 'pet' ); ?></h3>
	<?php View::form_open( 'lose_opportunity', array( 'id' => $id ), 'pet-lose-opportunity' ); ?>
<input type="text" name="reason" required placeholder="<?php esc_attr_e( 'Reason', 'pet' ); ?>">
	<?php submit_button( __( 'Lost', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
<?php endif; ?>
<?php
View::link_paragraph( $data['activity_url'], __( 'Activity of this opportunity', 'pet' ) );
