<?php
/**
 * Email: how notifications are sent, the reply address, the templates, dead letters and
 * recent mail.
 *
 * @package PetWp
 *
 * @var array $data {manage: bool, reply_address: string, templates: list<array>, dead: list<array>,
 *                   sent: list<array>, review: list<array>, failed: ?array}
 */

use PetWp\Modules\Mail\Mail_Admin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<h2><?php esc_html_e( 'How mail is sent', 'pet' ); ?></h2>
<p><?php esc_html_e( 'PET sends its notifications with wp_mail(), so whatever sends this site\'s mail (an SMTP plugin, the host\'s mail server) sends them too. Each message is sent once per event and recipient; a failed send is retried with a growing pause, and after five failures it is a dead letter listed below and on the Jobs screen.', 'pet' ); ?></p>
<p><?php esc_html_e( 'Customers get the acknowledgement of a new ticket, every public reply and the resolution (with a link to reopen). Staff get assignments, customer replies and SLA warnings and breaches; each person can turn those off on their profile.', 'pet' ); ?></p>
<?php if ( $data['manage'] ) : ?>
	<h2><?php esc_html_e( 'Replies', 'pet' ); ?></h2>
	<?php View::form_open( 'mail_settings', array(), 'pet-mail-settings' ); ?>
	<table class="form-table" role="presentation">
		<?php View::text_row( null, 'reply_address', __( 'Reply address', 'pet' ), $data['reply_address'], 'pet-mail-reply-address' ); ?>
	</table>
	<p class="description"><?php esc_html_e( 'Mail to customers says "reply to" this address with the ticket\'s signed token after a plus sign (support+token@example.com), so a reply can be threaded onto its ticket. Leave it empty to send no Reply-To.', 'pet' ); ?></p>
	<?php submit_button( __( 'Save', 'pet' ), 'secondary' ); ?>
	</form>
	<?php
	View::form_open( 'mail_send_now', array(), 'pet-mail-send-now' );
	submit_button( __( 'Send due mail now', 'pet' ), 'secondary', 'submit', false );
	?>
	</form>
<?php endif; ?>

<h2><?php esc_html_e( 'Templates', 'pet' ); ?></h2>
<p><?php esc_html_e( 'Placeholders in braces are replaced when a message is sent; their values are escaped. A template not edited here is the default, in the site\'s language.', 'pet' ); ?></p>
<?php foreach ( $data['templates'] as $t ) : ?>
	<?php $kept = Mail_Admin::kept_for( $data['failed'], $t['kind'] ); ?>
	<h3 id="<?php echo esc_attr( 'pet-template-' . $t['kind'] ); ?>">
		<?php echo esc_html( $t['label'] ); ?>
		<?php if ( $t['custom'] ) : ?>
			<span class="pet-badge"><?php esc_html_e( 'edited', 'pet' ); ?></span>
		<?php endif; ?>
	</h3>
	<p class="description">
		<?php
		/* translators: %s: list of placeholders such as {ticket_number}. */
		echo esc_html( sprintf( __( 'Placeholders: %s', 'pet' ), implode( ', ', array_map( static fn ( $p ) => '{' . $p . '}', $t['placeholders'] ) ) ) );
		?>
	</p>
	<?php if ( $data['manage'] ) : ?>
		<?php View::form_open( 'mail_template_save', array( 'kind' => $t['kind'] ), 'pet-template-form-' . $t['kind'] ); ?>
		<table class="form-table" role="presentation">
			<?php View::text_row( $kept, 'subject', __( 'Subject', 'pet' ), $t['subject'], 'pet-template-subject-' . $t['kind'] ); ?>
			<?php View::textarea_row( $kept, 'body', __( 'Body', 'pet' ), $t['body'], 'pet-template-body-' . $t['kind'], 6 ); ?>
		</table>
		<?php submit_button( __( 'Save template', 'pet' ), 'secondary', 'submit', false ); ?>
		</form>
		<?php if ( $t['custom'] ) : ?>
			<?php View::form_open( 'mail_template_reset', array( 'kind' => $t['kind'] ), 'pet-template-reset-' . $t['kind'] ); ?>
			<?php submit_button( __( 'Use the default', 'pet' ), 'link', 'submit', false ); ?>
			</form>
		<?php endif; ?>
	<?php else : ?>
		<p><strong><?php echo esc_html( $t['subject'] ); ?></strong></p>
		<?php View::paragraphs( $t['body'] ); ?>
	<?php endif; ?>
<?php endforeach; ?>

<?php
View::render(
	'mail/dead-letters',
	array(
		'dead'   => $data['dead'],
		'manage' => $data['manage'],
		'title'  => true,
	)
);
?>

<h2 id="pet-mail-review"><?php esc_html_e( 'Received mail to review', 'pet' ); ?></h2>
<p><?php esc_html_e( 'Mail that reached the reply mailbox but was not added to a ticket: an unknown sender, a token that does not verify, or a sender of another customer than the ticket\'s. Auto-replies and PET\'s own mail coming back are ignored.', 'pet' ); ?></p>
<?php if ( array() === $data['review'] ) : ?>
	<p><?php esc_html_e( 'Nothing to review.', 'pet' ); ?></p>
<?php else : ?>
	<table class="widefat striped">
		<thead><tr>
			<th scope="col"><?php esc_html_e( 'Received', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'From', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Subject', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Why', 'pet' ); ?></th>
		</tr></thead>
		<tbody>
		<?php foreach ( $data['review'] as $m ) : ?>
			<tr>
				<td><?php echo esc_html( (string) $m['received_at'] ); ?></td>
				<td><?php echo esc_html( (string) $m['from_email'] ); ?></td>
				<td><?php echo esc_html( (string) $m['subject'] ); ?></td>
				<td><?php echo esc_html( Mail_Admin::reason_label( (string) $m['reason'] ) ); ?></td>
			</tr>
		<?php endforeach; ?>
		</tbody>
	</table>
<?php endif; ?>

<h2><?php esc_html_e( 'Recently sent', 'pet' ); ?></h2>
<?php if ( array() === $data['sent'] ) : ?>
	<p><?php esc_html_e( 'No mail sent yet.', 'pet' ); ?></p>
<?php else : ?>
	<table class="widefat striped">
		<thead><tr>
			<th scope="col"><?php esc_html_e( 'Sent', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Template', 'pet' ); ?></th>
			<th scope="col"><?php esc_html_e( 'To', 'pet' ); ?></th>
		</tr></thead>
		<tbody>
		<?php foreach ( $data['sent'] as $m ) : ?>
			<tr>
				<td><?php echo esc_html( (string) ( $m['sent_at'] ?? '' ) ); ?></td>
				<td><?php echo esc_html( Mail_Admin::kind_label( (string) $m['kind'] ) ); ?></td>
				<td><?php echo esc_html( (string) $m['to'] ); ?></td>
			</tr>
		<?php endforeach; ?>
		</tbody>
	</table>
<?php endif; ?>
