<?php
/**
 * A bare page for the portal on a site without a usable theme (Portal_Front::template()):
 * the page's title and content (the shortcode or block renders the portal), with the site's
 * head and footer hooks so enqueued styles load.
 *
 * @package PetWp
 */

defined( 'ABSPATH' ) || exit;
?><!DOCTYPE html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo( 'charset' ); ?>">
<meta name="viewport" content="width=device-width, initial-scale=1">
<?php wp_head(); ?>
</head>
<body <?php body_class( 'pet-portal-page' ); ?>>
<?php wp_body_open(); ?>
<main class="pet-portal-page__main">
<?php
while ( have_posts() ) :
	the_post();
	?>
	<h1><?php the_title(); ?></h1>
	<?php the_content(); ?>
<?php endwhile; ?>
</main>
<?php wp_footer(); ?>
</body>
</html>
