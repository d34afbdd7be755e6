<?php
/**
 * Portal home: the customer's tickets (newest first, paged by cursors) and the knowledge
 * search with its results.
 *
 * @package PetWp
 *
 * @var array $data {me, here, notice, tickets: array (page), q: string, articles: ?array}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;

$here    = (string) $data['here'];
$tickets = $data['tickets'];
?>
<section class="pet-portal pet-portal--home">
	<?php View::render( 'portal/portal-nav', $data ); ?>
	<h2><?php esc_html_e( 'Your tickets', 'pet' ); ?></h2>
	<?php if ( empty( $tickets['items'] ) ) : ?>
		<p><?php esc_html_e( 'You have no tickets yet.', 'pet' ); ?> <a href="<?php echo esc_url( add_query_arg( 'pet_view', 'new', $here ) ); ?>"><?php esc_html_e( 'Open a ticket', 'pet' ); ?></a></p>
	<?php else : ?>
		<table class="pet-portal__tickets">
			<thead><tr>
				<th scope="col"><?php esc_html_e( 'Ticket', 'pet' ); ?></th>
				<th scope="col"><?php esc_html_e( 'Subject', 'pet' ); ?></th>
				<th scope="col"><?php esc_html_e( 'Status', 'pet' ); ?></th>
				<th scope="col"><?php esc_html_e( 'Last update', 'pet' ); ?></th>
			</tr></thead>
			<tbody>
			<?php foreach ( $tickets['items'] as $t ) : ?>
				<tr>
					<td><?php echo esc_html( (string) $t['reference'] ); ?></td>
					<td><a href="<?php echo esc_url( add_query_arg( 'pet_ticket', rawurlencode( (string) $t['id'] ), $here ) ); ?>"><?php echo esc_html( (string) $t['subject'] ); ?></a></td>
					<td><span class="pet-portal__status"><?php echo esc_html( View::value_label( (string) $t['status'] ) ); ?></span></td>
					<td><time datetime="<?php echo esc_attr( (string) $t['updated_at'] ); ?>"><?php echo esc_html( mysql2date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), get_date_from_gmt( gmdate( 'Y-m-d H:i:s', strtotime( (string) $t['updated_at'] ) ) ) ) ); ?></time></td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
		<p class="pet-portal__paging">
			<?php if ( ! empty( $tickets['prev'] ) ) : ?>
				<a href="<?php echo esc_url( add_query_arg( 'pet_before', rawurlencode( (string) $tickets['prev'] ), $here ) ); ?>"><?php esc_html_e( '← Newer', 'pet' ); ?></a>
			<?php endif; ?>
			<?php if ( ! empty( $tickets['next'] ) ) : ?>
				<a href="<?php echo esc_url( add_query_arg( 'pet_after', rawurlencode( (string) $tickets['next'] ), $here ) ); ?>"><?php esc_html_e( 'Older →', 'pet' ); ?></a>
			<?php endif; ?>
		</p>
	<?php endif; ?>

	<h2><?php esc_html_e( 'Search the knowledge base', 'pet' ); ?></h2>
	<form class="pet-portal__form" method="get" action="<?php echo esc_url( $here ); ?>" role="search">
		<?php
		$query_args = array();
		wp_parse_str( (string) wp_parse_url( $here, PHP_URL_QUERY ), $query_args );
		foreach ( $query_args as $k => $v ) :
			?>
			<input type="hidden" name="<?php echo esc_attr( (string) $k ); ?>" value="<?php echo esc_attr( (string) $v ); ?>">
		<?php endforeach; ?>
		<label for="pet-portal-q"><?php esc_html_e( 'Search articles', 'pet' ); ?></label>
		<input type="search" id="pet-portal-q" name="pet_q" value="<?php echo esc_attr( (string) $data['q'] ); ?>">
		<button type="submit"><?php esc_html_e( 'Search', 'pet' ); ?></button>
	</form>
	<?php if ( null !== $data['articles'] ) : ?>
		<?php if ( empty( $data['articles']['items'] ) ) : ?>
			<p><?php esc_html_e( 'No articles match your search.', 'pet' ); ?></p>
		<?php else : ?>
			<ul class="pet-portal__articles">
			<?php foreach ( $data['articles']['items'] as $a ) : ?>
				<li><a href="<?php echo esc_url( add_query_arg( 'pet_article', rawurlencode( (string) $a['slug'] ), $here ) ); ?>"><?php echo esc_html( (string) $a['title'] ); ?></a>
				<?php if ( ! empty( $a['snippet'] ) ) : ?>
					— <?php echo esc_html( wp_strip_all_tags( (string) $a['snippet'] ) ); ?>
				<?php endif; ?>
				</li>
			<?php endforeach; ?>
			</ul>
		<?php endif; ?>
	<?php endif; ?>
</section>
