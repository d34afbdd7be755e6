<?php
/**
 * The new-article form (managers; others are told who writes articles). The slug helper is
 * assets/js/kb-article.js.
 *
 * @package PetWp
 *
 * @var array $data {manage: bool, failed: array|null, categories: list<string>, category: string}
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

View::back_link( Table::page_url( 'pet-kb' ), __( 'Knowledgebase', 'pet' ) );
if ( ! $data['manage'] ) :
	?>
<p><?php esc_html_e( 'Only PET managers write articles. Open an article from the Knowledgebase list to read or comment on it.', 'pet' ); ?></p>
	<?php
	return;
endif;
$failed  = $data['failed'];
$publish = null === $failed || '1' === ( $failed['values']['publish'] ?? '' );
?>
<datalist id="pet-kb-category-list">
<?php foreach ( $data['categories'] as $c ) : ?>
<option value="<?php echo esc_attr( (string) $c ); ?>">
<?php endforeach; ?>
</datalist>
<?php View::form_open( 'kb_create_article', array(), 'pet-kb-create' ); ?>
<table class="form-table" role="presentation">
<?php
$required = array( 'required' => true );
View::text_row( $failed, 'category', __( 'Category', 'pet' ), $data['category'], 'pet-kb-new-category', array( 'list' => 'pet-kb-category-list' ) + $required );
View::text_row( $failed, 'title', __( 'Title', 'pet' ), '', 'pet-kb-new-title', $required );
$slug = $required + array(
	'pattern'     => '[a-z0-9]+(-[a-z0-9]+)*',
	'placeholder' => __( 'e.g. reset-your-password', 'pet' ),
);
View::text_row( $failed, 'slug', __( 'Slug', 'pet' ), '', 'pet-kb-new-slug', $slug );
View::textarea_row( $failed, 'body', __( 'Text', 'pet' ), '', 'pet-kb-new-body' );
?>
<tr><th scope="row"><?php esc_html_e( 'Publish', 'pet' ); ?></th><td><label>
<input type="checkbox" name="publish" value="1" id="pet-kb-new-publish"<?php checked( $publish ); ?>>
<?php esc_html_e( 'Publish now as version 1 (otherwise it stays a draft that search does not find)', 'pet' ); ?></label></td></tr>
</table>
<p class="description"><?php esc_html_e( 'The text is plain text, saved as typed and shown as text (never as markup): a blank line starts a new paragraph.', 'pet' ); ?></p>
<?php submit_button( __( 'Save article', 'pet' ) ); ?>
</form>
