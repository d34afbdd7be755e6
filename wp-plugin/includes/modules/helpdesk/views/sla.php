<?php
/**
 * One SLA definition: title, tickets under it, the editor (publish a new version) for
 * managers, the version history, the test-clock form (test builds).
 *
 * @package PetWp
 *
 * @var array $data {definition: array, editor: array|null, options: array, activity_url: string,
 *                  test_clock: bool} (options: the engine's Helpdesk::slaOptions())
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$d     = $data['definition'];
$count = (int) $d['ticket_count'];
View::back_link( Table::page_url( 'pet-slas' ), __( 'All SLA definitions', 'pet' ) );
/* translators: 1: SLA name, 2: version number. */
$title = sprintf( __( '%1$s — version %2$d', 'pet' ), (string) $d['name'], (int) $d['current_version'] );
/* translators: %d: number of tickets. */
$under = sprintf( _n( '%d ticket is under this SLA.', '%d tickets are under this SLA.', $count, 'pet' ), $count );
?>
<h2 id="pet-sla-title"><?php echo esc_html( $title ); ?></h2>
<p><?php echo esc_html( $under ); ?> <a href="<?php echo esc_url( $data['activity_url'] ); ?>"><?php esc_html_e( 'Activity of this SLA', 'pet' ); ?></a></p>
<?php if ( null !== $data['editor'] ) : ?>
<h3><?php esc_html_e( 'Publish a new version', 'pet' ); ?></h3>
<p><?php esc_html_e( 'Publishing makes a new, immutable version. New tickets get it; tickets already under this SLA keep the version they were pinned to.', 'pet' ); ?></p>
	<?php View::render( 'helpdesk/sla-editor', $data['editor'] ); ?>
<?php endif; ?>
<h3><?php esc_html_e( 'Version history', 'pet' ); ?></h3><div id="pet-sla-versions">
<?php foreach ( $d['versions'] as $v ) : ?>
	<?php /* translators: 1: version number, 2: date. */ ?>
<h4 class="pet-sla-version" data-version="<?php echo esc_attr( (string) $v['number'] ); ?>"><?php echo esc_html( sprintf( __( 'Version %1$d — published %2$s', 'pet' ), (int) $v['number'], Table::when( $v['published_at'] ) ) ); ?></h4>
	<?php
	View::render(
		'helpdesk/spec-summary',
		array(
			'spec'    => $v['spec'],
			'options' => $data['options'],
		)
	);
	?>
<?php endforeach; ?>
</div>
<?php
if ( $data['test_clock'] ) {
	View::render( 'helpdesk/test-clock' );
}
