<?php
/**
 * KPIs: the definitions (name, the latest version's calculator, scope and period, the
 * backfill's progress) and, for managers, the form defining a KPI and a button running the KPI
 * job now.
 *
 * @package PetWp
 *
 * @var array $data {table: Kpis_Table, options: array, manage: bool, failed: ?array}
 */

use PetWp\Modules\Kpi\Kpis_Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

?>
<div class="pet-kpi-list"><?php $data['table']->display(); ?></div>
<?php if ( $data['manage'] ) : ?>
	<?php View::form_open( 'kpi_run', array(), 'pet-kpi-run' ); ?>
	<p><?php submit_button( __( 'Run the KPI job now', 'pet' ), 'secondary', 'submit', false ); ?></p>
	</form>
	<h2><?php esc_html_e( 'Define a KPI', 'pet' ); ?></h2>
	<?php View::form_open( 'kpi_define', array(), 'pet-kpi-define' ); ?>
	<table class="form-table" role="presentation">
		<?php
		View::text_row( $data['failed'], 'name', __( 'Name', 'pet' ), '', 'pet-kpi-name' );
		View::render(
			'kpi/spec-fields',
			array(
				'options' => $data['options'],
				'failed'  => $data['failed'],
			)
		);
		?>
	</table>
	<?php submit_button( __( 'Define KPI', 'pet' ) ); ?>
	</form>
<?php endif; ?>
