<?php
/**
 * Quotes: search and the list.
 *
 * @package PetWp
 *
 * @var array $data {table: Quotes_Table}
 */

defined( 'ABSPATH' ) || exit;
?>
<form method="get"><input type="hidden" name="page" value="pet-quotes">
<?php $data['table']->search_box( __( 'Search quotes', 'pet' ), 'pet-quote' ); ?>
</form>
<?php
$data['table']->display();
