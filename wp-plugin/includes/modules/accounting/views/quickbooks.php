<?php
/**
 * QuickBooks: the connection (status, credentials, Connect / Disconnect), the mapping, and
 * reconciliation (totals per month; mismatched, missing and dead pushes with a re-push button).
 *
 * @package PetWp
 *
 * @var array $data {connection: array, mapping: array, pushes: array, totals: list<array>, show: string,
 *                  status: string, redirect_url: string, failed: ?array}
 */

use PetWp\Modules\Accounting\Accounting_Admin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

$pet_c       = $data['connection'];
$pet_m       = $data['mapping'];
$pet_f       = $data['failed'];
$pet_status  = array(
	'not_connected' => __( 'Not connected', 'pet' ),
	'connected'     => __( 'Connected', 'pet' ),
	'lost'          => __( 'Connection lost', 'pet' ),
);
$pet_pairs   = static function ( array $map ): string {
	$lines = array();
	foreach ( $map as $k => $v ) {
		$lines[] = $k . ' = ' . $v;
	}
	return implode( "\n", $lines );
};
$pet_workers = array();
foreach ( (array) ( $pet_m['employees'] ?? array() ) as $pet_emp => $pet_w ) {
	$pet_workers[ (string) ( $pet_m['employee_labels'][ $pet_emp ] ?? $pet_emp ) ] = $pet_w['kind'] . ':' . $pet_w['id'];
}
$pet_money   = static function ( $minor, string $currency ): string {
	return null === $minor ? '—' : number_format_i18n( ( (int) $minor ) / 100, 2 ) . ' ' . $currency;
};
?>
<h2><?php esc_html_e( 'Connection', 'pet' ); ?></h2>
<p>
	<strong><?php echo esc_html( $pet_status[ (string) $pet_c['status'] ] ?? (string) $pet_c['status'] ); ?></strong>
	<?php if ( ! empty( $pet_c['realm_id'] ) ) : ?>
		<?php /* translators: %s: QuickBooks company id. */ ?>
		— <?php echo esc_html( sprintf( __( 'company %s', 'pet' ), (string) $pet_c['realm_id'] ) ); ?>
	<?php endif; ?>
	<?php if ( ! empty( $pet_c['lost_reason'] ) ) : ?>
		— <?php echo esc_html( (string) $pet_c['lost_reason'] ); ?>
	<?php endif; ?>
</p>
<?php View::form_open( 'qbo_save_connection', array(), 'pet-qbo-connection' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::select_row(
		'environment',
		__( 'Environment', 'pet' ),
		array(
			'production' => __( 'Production', 'pet' ),
			'sandbox'    => __( 'Sandbox', 'pet' ),
			'custom'     => __( 'Custom endpoints (testing)', 'pet' ),
		),
		(string) ( $pet_c['environment'] ? $pet_c['environment'] : 'production' ),
		'pet-qbo-environment'
	);
	View::text_row( $pet_f, 'client_id', __( 'Client ID', 'pet' ), (string) $pet_c['client_id'], 'pet-qbo-client-id' );
	?>
	<tr><th scope="row"><label for="pet-qbo-client-secret"><?php esc_html_e( 'Client secret', 'pet' ); ?></label></th>
		<td><input type="password" name="client_secret" id="pet-qbo-client-secret" class="regular-text" autocomplete="off" value=""
			placeholder="<?php echo esc_attr( $pet_c['has_client_secret'] ? __( '(stored — leave blank to keep)', 'pet' ) : '' ); ?>">
		<?php View::field_error( $pet_f, 'client_secret', 'pet-qbo-client-secret' ); ?></td></tr>
	<?php
	View::text_row( $pet_f, 'api_base', __( 'API base URL (custom only)', 'pet' ), 'custom' === $pet_c['environment'] ? (string) $pet_c['api_base'] : '', 'pet-qbo-api-base' );
	View::text_row( $pet_f, 'auth_url', __( 'Authorisation URL (custom only)', 'pet' ), '', 'pet-qbo-auth-url' );
	View::text_row( $pet_f, 'token_url', __( 'Token URL (custom only)', 'pet' ), '', 'pet-qbo-token-url' );
	?>
	<tr><th scope="row"><?php esc_html_e( 'Redirect URI', 'pet' ); ?></th>
		<td><code><?php echo esc_html( (string) $data['redirect_url'] ); ?></code>
		<p class="description"><?php esc_html_e( 'Enter this URI among your Intuit app’s redirect URIs.', 'pet' ); ?></p></td></tr>
</table>
<?php submit_button( __( 'Save credentials', 'pet' ), 'secondary' ); ?>
</form>
<?php if ( $pet_c['has_client_secret'] ) : ?>
	<?php View::form_open( 'qbo_connect', array(), 'pet-qbo-connect' ); ?>
	<p><?php submit_button( 'connected' === $pet_c['status'] ? __( 'Reconnect to QuickBooks', 'pet' ) : __( 'Connect to QuickBooks', 'pet' ), 'primary', 'submit', false ); ?></p>
	</form>
<?php endif; ?>
<?php if ( 'not_connected' !== $pet_c['status'] ) : ?>
	<?php View::form_open( 'qbo_disconnect', array(), 'pet-qbo-disconnect' ); ?>
	<p><?php submit_button( __( 'Disconnect', 'pet' ), 'delete', 'submit', false ); ?></p>
	</form>
<?php endif; ?>

<h2><?php esc_html_e( 'Mapping', 'pet' ); ?></h2>
<?php View::form_open( 'qbo_save_mapping', array(), 'pet-qbo-mapping' ); ?>
<table class="form-table" role="presentation">
	<?php
	View::select_row(
		'sale_target',
		__( 'Sales become', 'pet' ),
		array(
			'invoice'  => __( 'Invoices', 'pet' ),
			'estimate' => __( 'Estimates', 'pet' ),
		),
		(string) $pet_m['sale_target'],
		'pet-qbo-sale-target'
	);
	View::text_row( $pet_f, 'default_item', __( 'Default QuickBooks item id', 'pet' ), (string) $pet_m['default_item'], 'pet-qbo-default-item' );
	View::textarea_row( $pet_f, 'items', __( 'Items (PET key = QuickBooks item id, one per line; keys: role:<role>, labour, fixed_fee, product, recurring)', 'pet' ), $pet_pairs( (array) $pet_m['items'] ), 'pet-qbo-items', 5 );
	View::textarea_row( $pet_f, 'tax_codes', __( 'Tax codes (rate in basis points = QuickBooks tax code id, e.g. 2000 = 3)', 'pet' ), $pet_pairs( (array) $pet_m['tax_codes'] ), 'pet-qbo-tax-codes', 4 );
	View::text_row( $pet_f, 'default_tax_code', __( 'Default tax code id (blank: none)', 'pet' ), (string) ( $pet_m['default_tax_code'] ?? '' ), 'pet-qbo-default-tax' );
	View::select_row(
		'currency_mode',
		__( 'Currencies', 'pet' ),
		array(
			'multi'  => __( 'Multicurrency company', 'pet' ),
			'single' => __( 'Single-currency company (other currencies are refused)', 'pet' ),
		),
		(string) $pet_m['currency']['mode'],
		'pet-qbo-currency-mode'
	);
	View::text_row( $pet_f, 'home_currency', __( 'Home currency', 'pet' ), (string) $pet_m['currency']['home'], 'pet-qbo-home-currency' );
	View::textarea_row( $pet_f, 'employees', __( 'Employees (PET employee email = employee:<QuickBooks employee id> or vendor:<QuickBooks vendor id>, one per line; approved billable time of an employee not listed waits)', 'pet' ), $pet_pairs( $pet_workers ), 'pet-qbo-employees', 4 );
	?>
</table>
<?php submit_button( __( 'Save mapping', 'pet' ), 'secondary' ); ?>
</form>

<h2><?php esc_html_e( 'Reconciliation', 'pet' ); ?></h2>
<?php View::form_open( 'qbo_run', array(), 'pet-qbo-run' ); ?>
<p><?php submit_button( __( 'Push and reconcile now', 'pet' ), 'secondary', 'submit', false ); ?></p>
</form>
<table class="widefat striped pet-qbo-totals">
	<caption><?php esc_html_e( 'Confirmed sales per month: PET’s total and QuickBooks’ total as last read', 'pet' ); ?></caption>
	<thead><tr>
		<th scope="col"><?php esc_html_e( 'Month', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Documents', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'PET', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'QuickBooks', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Agree', 'pet' ); ?></th>
	</tr></thead>
	<tbody>
	<?php if ( array() === $data['totals'] ) : ?>
		<tr><td colspan="5"><?php esc_html_e( 'Nothing confirmed yet.', 'pet' ); ?></td></tr>
	<?php endif; ?>
	<?php foreach ( $data['totals'] as $t ) : ?>
		<tr>
			<td><?php echo esc_html( (string) $t['period'] ); ?></td>
			<td><?php echo esc_html( number_format_i18n( (int) $t['count'] ) ); ?></td>
			<td><?php echo esc_html( $pet_money( $t['pet_minor'], (string) $t['currency'] ) ); ?></td>
			<td><?php echo esc_html( $pet_money( $t['remote_minor'], (string) $t['currency'] ) ); ?></td>
			<td><?php echo $t['agree'] ? esc_html__( 'Yes', 'pet' ) : '<strong>' . esc_html__( 'No', 'pet' ) . '</strong>'; ?></td>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>
<p class="pet-qbo-filters">
	<?php
	$pet_filters = array(
		''           => array( __( 'All pushes', 'pet' ), array() ),
		'mismatched' => array( __( 'Mismatched', 'pet' ), array( 'show' => 'mismatched' ) ),
		'missing'    => array( __( 'Missing', 'pet' ), array( 'show' => 'missing' ) ),
		'dead'       => array( __( 'Given up', 'pet' ), array( 'status' => 'dead' ) ),
		'queued'     => array( __( 'Waiting', 'pet' ), array( 'status' => 'queued' ) ),
	);
	$pet_current = '' !== $data['show'] ? $data['show'] : ( in_array( $data['status'], array( 'dead', 'queued' ), true ) ? $data['status'] : '' );
	foreach ( $pet_filters as $pet_key => $pet_filter ) {
		if ( $pet_key === $pet_current ) {
			echo '<strong>' . esc_html( $pet_filter[0] ) . '</strong> ';
		} else {
			echo '<a href="' . esc_url( Table::page_url( Accounting_Admin::PAGE, $pet_filter[1] ) ) . '">' . esc_html( $pet_filter[0] ) . '</a> ';
		}
	}
	?>
</p>
<table class="widefat striped pet-qbo-pushes">
	<thead><tr>
		<th scope="col"><?php esc_html_e( 'What', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Status', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'QuickBooks id', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Reconciliation', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Details', 'pet' ); ?></th>
		<th scope="col"><?php esc_html_e( 'Action', 'pet' ); ?></th>
	</tr></thead>
	<tbody>
	<?php if ( array() === $data['pushes']['items'] ) : ?>
		<tr><td colspan="6"><?php esc_html_e( 'Nothing to show.', 'pet' ); ?></td></tr>
	<?php endif; ?>
	<?php foreach ( $data['pushes']['items'] as $p ) : ?>
		<tr>
			<td><?php echo esc_html( View::value_label( (string) $p['target'] ) . ' ' . (string) $p['label'] ); ?></td>
			<td>
				<?php echo esc_html( View::value_label( (string) $p['status'] ) ); ?>
				<?php if ( ! empty( $p['removed'] ) ) : ?>
					<div><?php esc_html_e( 'Removed: the time is 0 minutes, QuickBooks holds no time activity for it.', 'pet' ); ?></div>
				<?php endif; ?>
			</td>
			<td><?php echo esc_html( (string) ( $p['remote_id'] ?? '—' ) ); ?></td>
			<td><?php echo esc_html( View::value_label( (string) $p['reconciliation'] ) ); ?></td>
			<td>
				<?php foreach ( (array) $p['differences'] as $d ) : ?>
					<?php /* translators: 1: field, 2: PET's value, 3: QuickBooks' value. */ ?>
					<div><?php echo esc_html( sprintf( __( '%1$s: PET %2$s, QuickBooks %3$s', 'pet' ), (string) $d['field'], (string) $d['pet'], (string) $d['remote'] ) ); ?></div>
				<?php endforeach; ?>
				<?php if ( ! empty( $p['waiting'] ) ) : ?>
					<div class="pet-qbo-waiting"><strong><?php echo esc_html( (string) $p['waiting'] ); ?></strong></div>
				<?php endif; ?>
				<?php if ( ! empty( $p['last_error'] ) ) : ?>
					<div><?php echo esc_html( (string) $p['last_error'] ); ?></div>
				<?php endif; ?>
			</td>
			<td>
				<?php if ( in_array( 'repush', (array) $p['actions'], true ) ) : ?>
					<?php View::form_open( 'qbo_repush', array( 'push_id' => (string) $p['id'] ) ); ?>
					<?php submit_button( __( 'Push again', 'pet' ), 'small', 'submit', false ); ?>
					</form>
				<?php endif; ?>
			</td>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>
<?php
$pet_nav = array();
if ( ! empty( $data['pushes']['prev'] ) ) {
	$pet_nav[] = '<a href="' . esc_url( add_query_arg( array( 'before' => (string) $data['pushes']['prev'], 'after' => false ) ) ) . '">' . esc_html__( '« Newer', 'pet' ) . '</a>';
}
if ( ! empty( $data['pushes']['next'] ) ) {
	$pet_nav[] = '<a href="' . esc_url( add_query_arg( array( 'after' => (string) $data['pushes']['next'], 'before' => false ) ) ) . '">' . esc_html__( 'Older »', 'pet' ) . '</a>';
}
if ( array() !== $pet_nav ) {
	echo '<p>' . wp_kses( implode( ' ', $pet_nav ), array( 'a' => array( 'href' => array() ) ) ) . '</p>';
}
