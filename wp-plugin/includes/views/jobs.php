<?php
/**
 * Jobs: what runs in the background, "run due jobs now", the queue by status.
 *
 * @package PetWp
 *
 * @var array $data {table: \PetWp\Tables\Jobs_Table}
 */

use PetWp\View;

defined( 'ABSPATH' ) || exit;
?>
<p><?php esc_html_e( 'Background work (activity feed catch-up, scheduled org-structure publication) runs from WP-Cron every minute. Jobs that failed too often are "dead" and can be retried here.', 'pet' ); ?></p>
<?php
View::form_open( 'run_jobs', array(), 'pet-run-jobs' );
submit_button( __( 'Run due jobs now', 'pet' ), 'secondary', 'submit', false );
?>
</form>
<?php
$data['table']->views();
$data['table']->display();

// Modules add their own queues' dead letters below (e.g. the mail outbox).
do_action( 'pet_jobs_screen_after' );
