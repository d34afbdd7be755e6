<?php
/**
 * Test builds only (\Pet\Helpdesk::testClockAvailable()), administrators only: run the SLA
 * job as if it were a given time. Production builds never render or accept this.
 *
 * @package PetWp
 *
 * @var array $data (none)
 */

use PetWp\Modules\Helpdesk\Helpdesk_Admin;
use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<div class="notice notice-info inline" id="pet-test-clock"><p><strong><?php esc_html_e( 'Test build:', 'pet' ); ?></strong> <?php esc_html_e( 'run the SLA job as if it were another time (this extension was built with the test clock; production builds have no such form).', 'pet' ); ?></p>
<?php View::form_open( Helpdesk_Admin::TEST_CLOCK_ACTION, array(), 'pet-run-sla-job-at' ); ?>
<p><label for="pet-sla-job-at"><?php esc_html_e( 'Run SLA job at (RFC 3339, UTC)', 'pet' ); ?></label> <input type="text" name="at" id="pet-sla-job-at" class="regular-text" placeholder="2030-01-07T12:00:00Z" required>
<?php submit_button( __( 'Run SLA job at…', 'pet' ), 'secondary', 'submit', false ); ?>
</p></form></div>
