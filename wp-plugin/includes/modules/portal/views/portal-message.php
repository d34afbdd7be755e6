<?php
/**
 * Portal: a single message (not linked, not found, unavailable).
 *
 * @package PetWp
 *
 * @var array $data {message: string}
 */

defined( 'ABSPATH' ) || exit;
?>
<section class="pet-portal pet-portal--message">
	<p><?php echo esc_html( (string) $data['message'] ); ?></p>
</section>
