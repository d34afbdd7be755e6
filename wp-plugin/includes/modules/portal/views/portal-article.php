<?php
/**
 * Portal: one published knowledge article.
 *
 * @package PetWp
 *
 * @var array $data {me, here, notice, article: array}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

$a = $data['article'];
?>
<section class="pet-portal pet-portal--article">
	<?php View::render( 'portal/portal-nav', $data ); ?>
	<article>
		<h2><?php echo esc_html( (string) $a['title'] ); ?></h2>
		<p class="pet-portal__message-meta"><?php echo esc_html( (string) $a['category'] ); ?></p>
		<div class="pet-portal__article-body"><?php echo esc_html( (string) $a['body'] ); ?></div>
	</article>
	<p><a href="<?php echo esc_url( (string) $data['here'] ); ?>"><?php esc_html_e( '← Back to the portal', 'pet' ); ?></a></p>
</section>
