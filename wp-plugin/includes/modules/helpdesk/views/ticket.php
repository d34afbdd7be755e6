<?php
/**
 * One ticket: facts, SLA clock, actions, conversation and reply form, timeline, linked
 * knowledge articles.
 *
 * @package PetWp
 *
 * @var array $data {ticket: array, sla: array|null, can: bool, activity_url: string, timeline: list<array>,
 *                   articles: list<array>, actions?: array{moves: array<string,array{label:string,style:string}>, ...}}
 *                   (assignee, SLA and the article to link are type-ahead pickers)
 */

use PetWp\Modules\Helpdesk\Helpdesk_Admin;
use PetWp\Modules\Helpdesk\Sla_Text;
use PetWp\Tables\Table;
use PetWp\Picker;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$t      = $data['ticket'];
$id     = (string) $t['id'];
$status = (string) $t['status'];
$sla    = $data['sla'];
$open   = $data['can'] && array() !== (array) ( $t['actions'] ?? array() );
View::back_link( Table::page_url( 'pet-tickets' ), __( 'All tickets', 'pet' ) );
View::history_link( 'ticket', $id );
$sla_label = null === $sla ? __( 'none', 'pet' ) : sprintf(
	/* translators: 1: SLA name, 2: version. */
	__( '%1$s, version %2$d', 'pet' ),
	(string) $sla['definition_name'],
	(int) $sla['definition_version']
);
$facts = array(
	__( 'Customer', 'pet' )       => (string) $t['customer_name'],
	__( 'Priority', 'pet' )       => (string) $t['priority'],
	__( 'Status', 'pet' )         => Helpdesk_Admin::label( 'status', $status ),
	__( 'Channel', 'pet' )        => (string) $t['channel'],
	__( 'Assignee', 'pet' )       => null === $t['assignee_id'] ? __( 'unassigned', 'pet' ) : (string) $t['assignee_name'],
	__( 'Created', 'pet' )        => Table::when( $t['created_at'] ),
	__( 'Updated', 'pet' )        => Table::when( $t['updated_at'] ),
	__( 'First response', 'pet' ) => null === $t['first_response_at'] ? __( 'not yet', 'pet' ) : Table::when( $t['first_response_at'] ),
	__( 'Resolved', 'pet' )       => null === $t['resolved_at'] ? '—' : Table::when( $t['resolved_at'] ),
	__( 'SLA', 'pet' )            => $sla_label,
);
?>
<h2 id="pet-ticket-title"><?php if ( isset( $t['number'] ) ) : ?><span class="pet-ticket-ref"><?php echo esc_html( (string) $t['reference'] ); ?></span> <?php endif; ?><?php echo esc_html( (string) $t['subject'] ); ?> <?php View::badge( $status ); ?> <?php echo wp_kses_post( Sla_Text::badge( $sla ) ); ?></h2>
<div class="pet-cols"><div>
<table class="widefat striped pet-ticket-facts" id="pet-ticket-facts"><tbody>
<?php foreach ( $facts as $k => $v ) : ?>
<tr><th><?php echo esc_html( $k ); ?></th><td><?php echo esc_html( $v ); ?></td></tr>
<?php endforeach; ?>
</tbody></table>
<?php View::link_paragraph( $data['activity_url'], __( 'Activity of this ticket', 'pet' ) ); ?>
</div><div>
<h3><?php esc_html_e( 'SLA clock', 'pet' ); ?></h3>
<?php if ( null === $sla ) : ?>
<p id="pet-sla-clock"><?php esc_html_e( 'This ticket has no SLA.', 'pet' ); ?></p>
<?php else : ?>
<table class="widefat striped" id="pet-sla-clock"><thead><tr>
<th><?php esc_html_e( 'Target', 'pet' ); ?></th><th><?php esc_html_e( 'State', 'pet' ); ?></th><th><?php esc_html_e( 'Business minutes', 'pet' ); ?></th>
<th><?php esc_html_e( 'Due', 'pet' ); ?></th><th><?php esc_html_e( 'Warning', 'pet' ); ?></th><th><?php esc_html_e( 'Breach', 'pet' ); ?></th>
</tr></thead><tbody>
	<?php
	$targets = array(
		'first_response' => __( 'First response', 'pet' ),
		'resolution'     => __( 'Resolution', 'pet' ),
	);
	foreach ( $targets as $key => $label ) :
		$r = $sla[ $key ];
		$s = (string) $r['state'];
		if ( null !== $r['warning_at'] ) {
			$warn = Table::when( $r['warning_at'] );
		} else {
			$warn = ! empty( $r['recorded']['warning'] ) ? __( 'recorded by the SLA job', 'pet' ) : '—';
		}
		if ( null !== $r['breached_at'] ) {
			$breach = Table::when( $r['breached_at'] );
		} else {
			$breach = ! empty( $r['recorded']['breached'] ) ? __( 'recorded by the SLA job', 'pet' ) : '—';
		}
		/* translators: 1: elapsed minutes, 2: target minutes. */
		$minutes = sprintf( __( '%1$d of %2$d', 'pet' ), (int) $r['elapsed_minutes'], (int) $r['target_minutes'] );
		$row_id  = 'pet-sla-' . str_replace( '_', '-', $key );
		?>
<tr id="<?php echo esc_attr( $row_id ); ?>" data-state="<?php echo esc_attr( $s ); ?>" data-due-at="<?php echo esc_attr( (string) ( $r['due_at'] ?? '' ) ); ?>">
<th><?php echo esc_html( $label ); ?></th><td><span class="<?php echo esc_attr( 'pet-sla pet-sla-' . $s ); ?>"><?php echo esc_html( Helpdesk_Admin::label( 'sla_state', $s ) ); ?></span></td>
<td><?php echo esc_html( $minutes ); ?></td>
<td><?php echo esc_html( null === $r['due_at'] ? '—' : Table::when( $r['due_at'] ) ); ?></td><td><?php echo esc_html( $warn ); ?></td><td><?php echo esc_html( $breach ); ?></td></tr>
	<?php endforeach; ?>
</tbody></table>
	<?php
	$note = $sla['paused']
		? __( 'The clock is paused (the ticket is in a pausing status).', 'pet' )
		: __( 'Only business hours of the SLA\'s calendar count; due times assume the clock keeps running.', 'pet' );
	?>
<p class="description"><?php echo esc_html( $note ); ?></p>
<?php endif; ?>
</div></div>
<?php
// ---- actions: status moves, reopen, priority, assignee, SLA ----
if ( $data['can'] && ! $open ) :
	?>
<p><?php esc_html_e( 'This ticket is closed: it takes no more changes or replies.', 'pet' ); ?></p>
	<?php
elseif ( $data['can'] ) :
	$actions = $data['actions'];
	?>
<h3><?php esc_html_e( 'Actions', 'pet' ); ?></h3><div class="pet-actions">
	<?php
	foreach ( $actions['moves'] as $to => $move ) {
		View::form_open(
			'ticket_status',
			array(
				'id' => $id,
				'to' => $to,
			),
			'pet-status-' . str_replace( '_', '-', $to )
		);
		submit_button( $move['label'], $move['style'], 'submit', false );
		echo '</form>';
	}
	if ( View::allows( $t, 'reopen' ) ) :
		View::form_open( 'reopen_ticket', array( 'id' => $id ), 'pet-reopen' );
		?>
<input type="text" name="reason" class="regular-text" required placeholder="<?php esc_attr_e( 'Why reopen? (kept as an internal note)', 'pet' ); ?>">
		<?php submit_button( __( 'Reopen', 'pet' ), 'secondary', 'submit', false ); ?>
</form>
	<?php endif; ?>
</div>
	<?php if ( View::allows( $t, 'change_priority' ) ) : ?>
<div class="pet-actions">
		<?php View::form_open( 'ticket_priority', array( 'id' => $id ), 'pet-priority' ); ?>
<label for="pet-priority-select"><?php esc_html_e( 'Priority', 'pet' ); ?></label>
		<?php
		View::select( 'priority', $actions['priorities'], (string) $t['priority'], 'pet-priority-select' );
		submit_button( __( 'Change', 'pet' ), 'secondary', 'submit', false );
		?>
</form>
		<?php View::form_open( 'assign_ticket', array( 'id' => $id ), 'pet-assign' ); ?>
<label for="pet-assign-select"><?php esc_html_e( 'Assignee', 'pet' ); ?></label>
		<?php
		Picker::render( 'assignee_id', 'employees', (string) ( $t['assignee_id'] ?? '' ), 'pet-assign-select', array(), array( 'placeholder' => __( 'Unassigned', 'pet' ) ) );
		submit_button( __( 'Assign', 'pet' ), 'secondary', 'submit', false );
		?>
</form>
		<?php if ( ! empty( $actions['sla_picker'] ) ) : ?>
			<?php View::form_open( 'assign_ticket_sla', array( 'id' => $id ), 'pet-assign-sla' ); ?>
<label for="pet-assign-sla-select"><?php esc_html_e( 'SLA', 'pet' ); ?></label>
			<?php
			Picker::render( 'sla_definition_id', 'sla-definitions', '', 'pet-assign-sla-select', array(), array( 'required' => true ) );
			submit_button( __( 'Assign SLA', 'pet' ), 'secondary', 'submit', false );
			?>
</form>
		<?php endif; ?>
</div>
		<?php
	endif;
endif;

// ---- conversation ----
?>
<h3><?php esc_html_e( 'Conversation', 'pet' ); ?></h3><div id="pet-conversation">
<?php if ( array() === $t['replies'] ) : ?>
<p><?php esc_html_e( 'No replies yet.', 'pet' ); ?></p>
<?php endif; ?>
<?php
foreach ( $t['replies'] as $r ) :
	$internal = 'internal' === $r['visibility'];
	$customer = 'customer' === $r['author_kind'];
	$classes  = 'pet-reply pet-reply-' . ( $internal ? 'internal' : 'public' ) . ( $customer ? ' pet-reply-customer' : '' );
	if ( $internal ) {
		$who = __( 'Internal note', 'pet' );
	} else {
		$who = $customer ? __( 'Customer', 'pet' ) : __( 'Reply to the customer', 'pet' );
	}
	?>
<div class="<?php echo esc_attr( $classes ); ?>" data-visibility="<?php echo esc_attr( (string) $r['visibility'] ); ?>">
<p class="pet-reply-meta"><strong><?php echo esc_html( $who ); ?></strong> · <?php echo esc_html( (string) ( $r['author_name'] ?? '' ) ); ?> · <?php echo esc_html( Table::when( $r['created_at'] ) ); ?></p>
<p class="pet-reply-body"><?php echo nl2br( esc_html( (string) $r['body'] ) ); ?></p></div>
<?php endforeach; ?>
</div>
<?php if ( $open ) : ?>
	<?php View::form_open( 'reply_ticket', array( 'id' => $id ), 'pet-reply-form' ); ?>
<p><label for="pet-reply-body"><?php esc_html_e( 'Write', 'pet' ); ?></label><br><textarea name="body" id="pet-reply-body" rows="5" cols="80" class="large-text" required></textarea></p>
<p><label><input type="radio" name="visibility" value="public" checked> <?php esc_html_e( 'Reply to the customer (visible to them)', 'pet' ); ?></label><br>
<label><input type="radio" name="visibility" value="internal"> <?php esc_html_e( 'Internal note (staff only; does not count as a first response)', 'pet' ); ?></label></p>
<p><label for="pet-reply-author"><?php esc_html_e( 'Written by', 'pet' ); ?></label>
	<?php
	View::select(
		'author',
		array(
			'employee' => __( 'me', 'pet' ),
			'customer' => __( 'the customer (logging their message)', 'pet' ),
		),
		'employee',
		'pet-reply-author'
	);
	?>
</p>
	<?php submit_button( __( 'Add', 'pet' ), 'primary', 'submit', false ); ?>
</form>
<?php endif; ?>
<?php
// Other modules' sections of the ticket page (Delivery: the time logged on it, a log-time form).
do_action( 'pet_ticket_sections', $t );
?>
<h3><?php esc_html_e( 'Timeline', 'pet' ); ?></h3>
<table class="widefat striped" id="pet-ticket-timeline" style="max-width:48em"><thead><tr><th><?php esc_html_e( 'When', 'pet' ); ?></th><th><?php esc_html_e( 'What', 'pet' ); ?></th></tr></thead><tbody>
<?php foreach ( $data['timeline'] as $e ) : ?>
<tr data-kind="<?php echo esc_attr( $e['kind'] ); ?>"><td><?php echo esc_html( Table::when( $e['at'] ) ); ?></td><td><?php echo esc_html( $e['words'] ); ?></td></tr>
<?php endforeach; ?>
</tbody></table>
<?php
if ( ! $data['knowledge'] ) {
	return; // The knowledge area is not this user's (its linked articles stay hidden).
}
?>
<h3><?php esc_html_e( 'Knowledge articles', 'pet' ); ?></h3><ul id="pet-linked-articles">
<?php if ( array() === $data['articles'] ) : ?>
<li><?php esc_html_e( 'No article linked yet.', 'pet' ); ?></li>
<?php endif; ?>
<?php foreach ( $data['articles'] as $a ) : ?>
	<?php /* translators: %s: date and time. */ ?>
<li><a href="<?php echo esc_url( $a['url'] ); ?>"><?php echo esc_html( $a['title'] ); ?></a> <span class="description"><?php echo esc_html( sprintf( __( 'linked %s', 'pet' ), Table::when( $a['linked_at'] ) ) ); ?></span></li>
<?php endforeach; ?>
</ul>
<?php
if ( ! $open ) {
	return;
}
View::form_open( 'link_ticket_article', array( 'id' => $id ), 'pet-link-article' );
?>
<label for="pet-link-article-select"><?php esc_html_e( 'Link a published article', 'pet' ); ?></label>
<?php
Picker::render( 'article_id', 'articles', '', 'pet-link-article-select', array(), array( 'required' => true ) );
submit_button( __( 'Link to this ticket', 'pet' ), 'secondary', 'submit', false );
?>
</form>
