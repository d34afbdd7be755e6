<?php
/**
 * Knowledgebase list: categories as views, the filter and full-text search form, then the
 * search results or the articles grouped by category.
 *
 * @package PetWp
 *
 * @var array $data {categories: list<array>, category: string, status: string, q: string,
 *                   table: Articles_Table|Search_Table}
 */

use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$category = $data['category'];
$q        = $data['q'];
$total    = 0;
$options  = array( '' => __( 'All categories', 'pet' ) );
foreach ( $data['categories'] as $c ) {
	$total                                += (int) $c['articles'];
	$options[ (string) $c['category'] ] = (string) $c['category'];
}
// Categories as views.
$links = array(
	array( Table::page_url( 'pet-kb' ), '' === $category, __( 'All', 'pet' ), $total ),
);
foreach ( $data['categories'] as $c ) {
	$name    = (string) $c['category'];
	$links[] = array( Table::page_url( 'pet-kb', array( 'category' => $name ) ), $name === $category, $name, (int) $c['articles'] );
}
?>
<ul class="subsubsub pet-kb-categories" id="pet-kb-categories">
<?php foreach ( $links as $i => $l ) : ?>
<li><a href="<?php echo esc_url( $l[0] ); ?>"<?php echo $l[1] ? ' class="current"' : ''; ?>><?php echo esc_html( $l[2] ); ?> <span class="count">(<?php echo esc_html( number_format_i18n( $l[3] ) ); ?>)</span></a><?php echo count( $links ) - 1 === $i ? '' : ' |'; ?></li>
<?php endforeach; ?>
</ul><br class="clear">
<form method="get" id="pet-kb-search"><input type="hidden" name="page" value="pet-kb"><p class="search-box" style="float:none;margin:8px 0">
<label for="pet-kb-category"><?php esc_html_e( 'Category', 'pet' ); ?></label>
<?php View::select( 'category', $options, $category, 'pet-kb-category' ); ?>
<label for="pet-kb-status"><?php esc_html_e( 'Status', 'pet' ); ?></label>
<?php
View::select(
	'status',
	array(
		''          => __( 'All statuses', 'pet' ),
		'draft'     => __( 'Draft', 'pet' ),
		'published' => __( 'Published', 'pet' ),
		'archived'  => __( 'Archived', 'pet' ),
	),
	$data['status'],
	'pet-kb-status'
);
?>
<label for="pet-kb-q"><?php esc_html_e( 'Search published articles', 'pet' ); ?></label>
<input type="search" name="q" id="pet-kb-q" value="<?php echo esc_attr( $q ); ?>" placeholder="<?php esc_attr_e( 'words in the title or text', 'pet' ); ?>">
<?php
submit_button( '' === $q ? __( 'Filter / search', 'pet' ) : __( 'Search', 'pet' ), 'secondary', '', false, array( 'id' => 'pet-kb-search-submit' ) );
if ( '' !== $q || '' !== $category || '' !== $data['status'] ) :
	?>
<a href="<?php echo esc_url( Table::page_url( 'pet-kb' ) ); ?>"><?php esc_html_e( 'Reset', 'pet' ); ?></a>
<?php endif; ?>
</p></form>
<?php if ( '' !== $q ) : ?>
	<?php /* translators: %s: search words. */ ?>
<h2><?php echo esc_html( sprintf( __( 'Published articles matching “%s”', 'pet' ), $q ) ); ?></h2>
<p class="description"><?php esc_html_e( 'Full-text search over the live version of published articles, best match first. Drafts and archived articles are not searched; the status filter does not apply.', 'pet' ); ?></p>
	<?php if ( ! $data['table']->ranked() ) : ?>
<p class="description" id="pet-kb-unranked"><?php esc_html_e( 'These words are in very many articles: the newest are shown first. Add a word to narrow the search.', 'pet' ); ?></p>
	<?php endif; ?>
<div id="pet-kb-results">
	<?php $data['table']->display(); ?>
</div>
<?php else : ?>
<div id="pet-kb-articles">
	<?php $data['table']->display(); ?>
</div>
	<?php
endif;
