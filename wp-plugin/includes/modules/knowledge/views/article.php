<?php
/**
 * One article: facts, live body (plain text shown escaped), the editor, the version history
 * with compare, restore and diff, the comments with moderation, linked tickets, archive.
 *
 * @package PetWp
 *
 * @var array $data {article: array, manage: bool, open: bool, current: int|null, next: int, edit_failed: array|null,
 *                   versions: array, comments: list<array>, add_failed: array|null, tickets: list<array>,
 *                   activity_url: string}
 */

use PetWp\Modules\Knowledge\Knowledge_Admin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$a      = $data['article'];
$id     = (string) $a['id'];
$change = $data['manage'] && $data['open'];
View::back_link( Table::page_url( 'pet-kb' ), __( 'Knowledgebase', 'pet' ) );
View::history_link( 'knowledge_article', $id );
?>
<h2 id="pet-kb-title"><?php echo esc_html( (string) $a['title'] ); ?> <?php View::badge( (string) $a['status'] ); ?></h2>
<p id="pet-kb-facts"><?php esc_html_e( 'Category:', 'pet' ); ?> <a href="<?php echo esc_url( Table::page_url( 'pet-kb', array( 'category' => (string) $a['category'] ) ) ); ?>"><?php echo esc_html( (string) $a['category'] ); ?></a>
· <?php esc_html_e( 'Slug:', 'pet' ); ?> <code><?php echo esc_html( (string) $a['slug'] ); ?></code>
<?php if ( null !== $data['current'] ) : ?>
	<?php /* translators: %d: version number. */ ?>
· <span id="pet-kb-live-version"><?php echo esc_html( sprintf( __( 'Live version: %d', 'pet' ), $data['current'] ) ); ?></span>
<?php endif; ?>
· <?php esc_html_e( 'Updated:', 'pet' ); ?> <?php echo esc_html( Table::when( $a['updated_at'] ) ); ?></p>
<?php if ( empty( $a['searchable'] ) && View::allows( $a, 'archive' ) ) : ?>
<div class="notice notice-info inline"><p><?php esc_html_e( 'Draft: not published yet. Staff can read it here, but search does not find it until a version is published.', 'pet' ); ?></p></div>
<?php elseif ( ! View::allows( $a, 'archive' ) ) : ?>
<div class="notice notice-warning inline"><p><?php esc_html_e( 'Archived: this article is retired. Search no longer finds it and it takes no new versions or comments.', 'pet' ); ?></p></div>
<?php endif; ?>
<div class="pet-kb-body" id="pet-kb-body"><?php View::paragraphs( (string) ( $a['body'] ?? '' ) ); ?></div>
<?php
// ---- the editor: publishes its content as the next version ----
if ( $change ) :
	$failed = $data['edit_failed'];
	?>
<h3><?php echo esc_html( 1 === $data['next'] ? __( 'Edit and publish', 'pet' ) : __( 'Edit', 'pet' ) ); ?></h3>
<p class="description"><?php esc_html_e( 'Publishing makes a new, immutable version; earlier versions stay in the history below and can be restored.', 'pet' ); ?></p>
	<?php View::form_open( 'kb_publish_article', array( 'id' => $id ), 'pet-kb-publish' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::text_row( $failed, 'title', __( 'Title', 'pet' ), (string) $a['title'], 'pet-kb-edit-title', array( 'required' => true ) );
	View::textarea_row( $failed, 'body', __( 'Text', 'pet' ), (string) ( $a['body'] ?? '' ), 'pet-kb-edit-body' );
	?>
</table>
	<?php
	/* translators: %d: version number. */
	submit_button( sprintf( __( 'Publish as version %d', 'pet' ), $data['next'] ) );
	?>
</form>
	<?php
endif;

// ---- version history (newest first) with compare radios, restore buttons and the diff ----
$versions = $data['versions'];
?>
<h3><?php esc_html_e( 'Version history', 'pet' ); ?></h3>
<?php if ( array() === $versions['list'] ) : ?>
<p class="description" id="pet-kb-versions"><?php esc_html_e( 'No version is published yet.', 'pet' ); ?></p>
<?php else : ?>
	<?php if ( null !== $versions['failed'] && isset( $versions['failed']['fields']['number'] ) ) : ?>
<p class="pet-field-error" id="pet-kb-restore-error"><?php echo esc_html( (string) $versions['failed']['fields']['number'] ); ?></p>
	<?php endif; ?>
	<?php // The compare form is outside the table; the radios join it with form="…". ?>
<form method="get" id="pet-kb-compare"><input type="hidden" name="page" value="<?php echo esc_attr( Knowledge_Admin::ARTICLE_PAGE ); ?>"><input type="hidden" name="id" value="<?php echo esc_attr( $id ); ?>"></form>
<table class="widefat striped" id="pet-kb-versions" style="max-width:70em"><thead><tr>
<th><?php esc_html_e( 'From', 'pet' ); ?></th><th><?php esc_html_e( 'To', 'pet' ); ?></th><th><?php esc_html_e( 'Version', 'pet' ); ?></th>
<th><?php esc_html_e( 'Title', 'pet' ); ?></th><th><?php esc_html_e( 'Published', 'pet' ); ?></th><th><?php esc_html_e( 'Note', 'pet' ); ?></th><th></th>
</tr></thead><tbody>
	<?php
	foreach ( $versions['list'] as $v ) :
		$n     = (int) $v['number'];
		$notes = array();
		if ( $v['live'] ) {
			$notes[] = __( 'live', 'pet' );
		}
		if ( null !== $v['restored_from'] ) {
			/* translators: %d: version number. */
			$notes[] = sprintf( __( 'restores version %d', 'pet' ), (int) $v['restored_from'] );
		}
		/* translators: %d: version number. */
		$from_label = sprintf( __( 'Compare from version %d', 'pet' ), $n );
		/* translators: %d: version number. */
		$to_label = sprintf( __( 'Compare to version %d', 'pet' ), $n );
		?>
<tr id="<?php echo esc_attr( 'pet-kb-version-' . $n ); ?>"<?php echo $v['live'] ? ' class="pet-kb-live"' : ''; ?>>
<td><input type="radio" form="pet-kb-compare" name="from" value="<?php echo esc_attr( (string) $n ); ?>"<?php checked( $versions['sel_from'], $n ); ?> aria-label="<?php echo esc_attr( $from_label ); ?>"></td>
<td><input type="radio" form="pet-kb-compare" name="to" value="<?php echo esc_attr( (string) $n ); ?>"<?php checked( $versions['sel_to'], $n ); ?> aria-label="<?php echo esc_attr( $to_label ); ?>"></td>
<td><?php echo esc_html( (string) $n ); ?></td><td><?php echo esc_html( (string) $v['title'] ); ?></td><td><?php echo esc_html( Table::when( $v['published_at'] ) ); ?></td>
<td><?php echo esc_html( implode( ' · ', $notes ) ); ?></td><td>
		<?php
		if ( $change && ! $v['live'] ) {
			View::form_open(
				'kb_restore_version',
				array(
					'id'     => $id,
					'number' => (string) $n,
				),
				'pet-kb-restore-' . $n
			);
			submit_button( __( 'Restore this version', 'pet' ), 'small', 'submit', false );
			echo '</form>';
		}
		?>
</td></tr>
	<?php endforeach; ?>
</tbody></table>
	<?php if ( count( $versions['list'] ) > 1 ) : ?>
<p><?php submit_button( __( 'Compare the selected versions', 'pet' ), 'secondary', '', false, array( 'form' => 'pet-kb-compare' ) ); ?></p>
	<?php endif; ?>
	<?php
	$diff = $versions['diff'];
	if ( null !== $diff ) :
		?>
<div id="pet-kb-diff">
		<?php /* translators: 1: version number, 2: version number. */ ?>
<h3><?php echo esc_html( sprintf( __( 'Changes from version %1$d to version %2$d', 'pet' ), $diff['from'], $diff['to'] ) ); ?></h3>
		<?php if ( ! $diff['found'] ) : ?>
<p class="pet-field-error"><?php esc_html_e( 'This article has no such version.', 'pet' ); ?></p>
		<?php elseif ( '' === $diff['html'] ) : ?>
<p><?php esc_html_e( 'These two versions have the same title and text.', 'pet' ); ?></p>
			<?php
		else :
			// wp_text_diff() escapes the compared text itself; kses keeps only its table markup.
			echo wp_kses_post( $diff['html'] );
		endif;
		?>
</div>
		<?php
	endif;
endif;

// ---- comments: hidden ones only for moderators, with who hid them and why ----
?>
<h3><?php esc_html_e( 'Comments', 'pet' ); ?></h3><div id="pet-kb-comments">
<?php
foreach ( $data['comments'] as $item ) :
	$c   = $item['comment'];
	$cid = (string) $c['id'];
	?>
<div class="pet-kb-comment<?php echo $item['hidden'] ? ' pet-kb-comment-hidden' : ''; ?>" id="<?php echo esc_attr( 'pet-kb-comment-' . $cid ); ?>">
<p class="pet-kb-comment-meta"><?php echo esc_html( (string) ( $c['author_name'] ?? $c['author_id'] ) ); ?> · <?php echo esc_html( Table::when( $c['created_at'] ) ); ?></p>
	<?php View::paragraphs( (string) $c['body'] ); ?>
	<?php if ( $item['hidden'] ) : ?>
<p class="pet-kb-moderation"><?php echo esc_html( $item['moderation'] ); ?></p>
		<?php
	elseif ( $item['hide_form'] ) :
		$failed = $item['failed'];
		$fid    = 'pet-kb-hide-' . $cid;
		View::form_open(
			'kb_hide_comment',
			array(
				'id'         => $id,
				'comment_id' => $cid,
			),
			$fid,
			array( 'class' => 'pet-kb-hide' )
		);
		$invalid = View::attrs( View::invalid_attrs( $failed, 'reason', $fid . '-reason' ) );
		?>
<label for="<?php echo esc_attr( $fid . '-reason' ); ?>"><?php esc_html_e( 'Reason', 'pet' ); ?></label>
<input type="text" name="reason" id="<?php echo esc_attr( $fid . '-reason' ); ?>" value="<?php echo esc_attr( (string) ( $failed['values']['reason'] ?? '' ) ); ?>"<?php echo $invalid; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- View::attrs() escapes. ?>>
		<?php
		submit_button( __( 'Hide comment', 'pet' ), 'small', 'submit', false );
		View::field_error( $failed, 'reason', $fid . '-reason' );
		?>
</form>
	<?php endif; ?>
</div>
<?php endforeach; ?>
<?php if ( array() === $data['comments'] ) : ?>
<p class="description"><?php esc_html_e( 'No comments yet.', 'pet' ); ?></p>
<?php endif; ?>
</div>
<?php if ( $data['open'] ) : ?>
	<?php View::form_open( 'kb_add_comment', array( 'id' => $id ), 'pet-kb-comment' ); ?>
<table class="form-table" role="presentation">
	<?php View::textarea_row( $data['add_failed'], 'body', __( 'Add a comment', 'pet' ), '', 'pet-kb-comment-body', 4 ); ?>
</table>
<p class="description"><?php esc_html_e( 'Comments cannot be edited or deleted; a moderator can hide one.', 'pet' ); ?></p>
	<?php submit_button( __( 'Add comment', 'pet' ), 'secondary' ); ?>
</form>
<?php endif; ?>
<h3><?php esc_html_e( 'Linked tickets', 'pet' ); ?></h3>
<?php if ( array() === $data['tickets'] ) : ?>
<p class="description" id="pet-kb-tickets"><?php esc_html_e( 'No ticket is linked yet. Link this article from a ticket\'s page when it helped resolve it.', 'pet' ); ?></p>
<?php else : ?>
<ul id="pet-kb-tickets">
	<?php foreach ( $data['tickets'] as $t ) : ?>
		<?php /* translators: %s: date and time. */ ?>
<li><a href="<?php echo esc_url( $t['url'] ); ?>"><?php echo esc_html( $t['label'] ); ?></a> <span class="description"><?php echo esc_html( sprintf( __( 'linked %s', 'pet' ), Table::when( $t['linked_at'] ) ) ); ?></span></li>
	<?php endforeach; ?>
</ul>
<?php endif; ?>
<?php if ( $change ) : ?>
<h3><?php esc_html_e( 'Archive', 'pet' ); ?></h3>
	<?php
	$confirm = __( 'Archive this article? It leaves search and takes no more changes. This cannot be undone.', 'pet' );
	View::form_open( 'kb_archive_article', array( 'id' => $id ), 'pet-kb-archive', array( 'data-pet-confirm' => $confirm ) );
	submit_button( __( 'Archive article', 'pet' ), 'delete', 'submit', false );
	?>
</form>
<?php endif; ?>
<p><a href="<?php echo esc_url( $data['activity_url'] ); ?>" id="pet-kb-activity"><?php esc_html_e( 'Activity of this article', 'pet' ); ?></a></p>
