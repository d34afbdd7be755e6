<?php
/**
 * Email: how notifications are sent, the reply address, the templates, dead letters and
 * recent mail.
 *
 * @package PetWp
 *
 * @var array $data {manage: bool, reply_address: string, templates: list<array>, dead: list<array>,
 *                   sent: list<array>, review: list<array>, failed: ?array, mailbox: array{available: bool,
 *                   stored: array, overridden: array<string,string>, last: array, own: list<string>, failed: ?array}}
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

<h2 id="pet-mailbox"><?php esc_html_e( 'Reply mailbox', 'pet' ); ?></h2>
<?php $mb = $data['mailbox']; ?>
<p><?php esc_html_e( 'PET reads this mailbox (IMAP over TLS) every minute and adds each reply to its ticket. Replies reach it when the reply address above delivers to it, plus-addresses included: support+anything@example.com must arrive in the mailbox of support@example.com. Messages are marked read once PET has taken them.', 'pet' ); ?></p>
<?php if ( ! $mb['available'] ) : ?>
	<div class="notice notice-error inline pet-imap-missing"><p><?php esc_html_e( 'PHP IMAP extension missing: PET cannot read the mailbox until it is installed (Debian: apt install php8.2-imap, then restart PHP).', 'pet' ); ?></p></div>
<?php endif; ?>
<?php
$pet_last = $mb['last'];
if ( array() === $pet_last ) :
	?>
	<p class="pet-mailbox-status"><?php esc_html_e( 'Last check: never.', 'pet' ); ?></p>
<?php elseif ( 'error' === ( $pet_last['status'] ?? '' ) ) : ?>
	<div class="notice notice-error inline pet-mailbox-status"><p>
		<?php
		/* translators: 1: date and time (UTC), 2: the reason. */
		echo esc_html( sprintf( __( 'Last check %1$s UTC failed: %2$s', 'pet' ), (string) $pet_last['at'], (string) ( $pet_last['error'] ?? '' ) ) );
		if ( ! empty( $pet_last['last_ok'] ) ) {
			echo ' ';
			/* translators: %s: date and time (UTC). */
			echo esc_html( sprintf( __( 'Last successful check: %s UTC.', 'pet' ), (string) $pet_last['last_ok'] ) );
		}
		?>
	</p></div>
<?php else : ?>
	<p class="pet-mailbox-status">
		<?php
		/* translators: 1: date and time (UTC), 2: messages read, 3: added to tickets, 4: new tickets, 5: for review, 6: ignored, 7: not taken. */
		echo esc_html( sprintf( __( 'Last check %1$s UTC: %2$d messages read; %3$d added to tickets, %4$d new tickets, %5$d for review, %6$d ignored, %7$d not taken.', 'pet' ), (string) $pet_last['at'], (int) $pet_last['read'], (int) $pet_last['threaded'], (int) $pet_last['opened'], (int) $pet_last['review'], (int) $pet_last['ignored'], (int) $pet_last['refused'] + (int) $pet_last['failed'] ) );
		?>
	</p>
<?php endif; ?>
<?php if ( $data['manage'] ) : ?>
	<?php
	$pet_kept = $mb['failed'];
	$pet_st   = $mb['stored'];
	$pet_over = $mb['overridden'];
	$pet_note = static function ( string $k ) use ( $pet_over ): void {
		if ( isset( $pet_over[ $k ] ) ) {
			/* translators: %s: a wp-config.php constant. */
			echo '<p class="description">' . esc_html( sprintf( __( 'Set by %s in wp-config.php (used instead of this field).', 'pet' ), $pet_over[ $k ] ) ) . '</p>';
		}
	};
	View::form_open( 'mail_mailbox_save', array(), 'pet-mailbox-settings' );
	?>
	<table class="form-table" role="presentation">
		<?php View::text_row( $pet_kept, 'imap_host', __( 'IMAP server', 'pet' ), $pet_st['host'], 'pet-imap-host', array( 'placeholder' => 'imap.example.com' ) ); ?>
		<?php View::text_row( $pet_kept, 'imap_port', __( 'Port', 'pet' ), (string) $pet_st['port'], 'pet-imap-port' ); ?>
		<?php
		View::select_row(
			'imap_encryption',
			__( 'Encryption', 'pet' ),
			array(
				'ssl'      => __( 'SSL/TLS (usually port 993)', 'pet' ),
				'starttls' => __( 'STARTTLS (usually port 143)', 'pet' ),
			),
			(string) ( $pet_kept['values']['imap_encryption'] ?? $pet_st['encryption'] ),
			'pet-imap-encryption'
		);
		?>
		<tr><th scope="row"><?php esc_html_e( 'Certificate', 'pet' ); ?></th><td>
			<label><input type="checkbox" name="imap_verify" id="pet-imap-verify" value="1" <?php checked( $pet_st['verify'] ); ?>> <?php esc_html_e( 'Verify the server\'s certificate (turn off only for a server with a self-signed certificate you trust)', 'pet' ); ?></label>
			<?php $pet_note( 'verify' ); ?>
		</td></tr>
		<?php View::text_row( $pet_kept, 'imap_user', __( 'User name', 'pet' ), $pet_st['user'], 'pet-imap-user', array( 'autocomplete' => 'off' ) ); ?>
		<tr><th scope="row"><label for="pet-imap-password"><?php esc_html_e( 'Password', 'pet' ); ?></label></th><td>
			<input type="password" name="imap_password" id="pet-imap-password" value="" class="regular-text" autocomplete="new-password"
				placeholder="<?php echo esc_attr( $pet_st['has_password'] ? __( 'stored (leave empty to keep it)', 'pet' ) : '' ); ?>">
			<p class="description"><?php esc_html_e( 'Stored encrypted with the site\'s secret key (PET_ENCRYPTION_KEY, else AUTH_KEY); never shown again.', 'pet' ); ?></p>
			<?php $pet_note( 'password' ); ?>
		</td></tr>
		<?php View::text_row( $pet_kept, 'imap_folder', __( 'Folder', 'pet' ), $pet_st['folder'], 'pet-imap-folder' ); ?>
	</table>
	<?php
	foreach ( array( 'host', 'port', 'encryption', 'user', 'folder' ) as $pet_k ) {
		$pet_note( $pet_k );
	}
	if ( array() !== $mb['own'] ) {
		/* translators: %s: email addresses. */
		echo '<p class="description">' . esc_html( sprintf( __( 'Mail from these addresses is PET\'s own and never taken as a reply: %s', 'pet' ), implode( ', ', $mb['own'] ) ) ) . '</p>';
	}
	submit_button( __( 'Save mailbox settings', 'pet' ), 'secondary' );
	?>
	</form>
	<?php
	View::form_open( 'mail_mailbox_test', array(), 'pet-mailbox-test' );
	submit_button( __( 'Test connection', 'pet' ), 'secondary', 'submit', false );
	?>
	</form>
	<?php
	View::form_open( 'mail_mailbox_poll', array(), 'pet-mailbox-poll' );
	submit_button( __( 'Poll now', 'pet' ), 'secondary', 'submit', false );
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
