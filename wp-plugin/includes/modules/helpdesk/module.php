<?php
/**
 * Support desk module: tickets (list with the SLA column, filters and sorting; ticket page with
 * the conversation, internal notes, status actions, timeline, SLA clock per target and linked
 * knowledge articles), SLA definitions (editor for calendar, targets, pauses, warning and 24/7
 * priorities; versions), the SLA job on WP-Cron and the pet/v1 REST routes. Holds no business
 * rule: forms become arrays for \Pet\Helpdesk, results and errors are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Helpdesk;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-helpdesk-admin.php';
require_once __DIR__ . '/class-helpdesk-rest.php';

/** Priority of enqueue_sla_job on Plugin::CRON_HOOK: before the job runner (priority 10). */
const CRON_PRIORITY = 5;

/**
 * Every minute (WP-Cron, Plugin::CRON_HOOK), before the job runner: put the SLA job on the
 * queue (the engine keeps at most one pending), so the runner that follows evaluates every
 * open ticket's SLA through the job queue. Failures go to the error log, never to the visitor.
 */
function enqueue_sla_job(): void {
	try {
		( new \Pet\Helpdesk( Plugin::engine_settings() ) )->enqueueSlaJob();
	} catch ( \Throwable $e ) {
		Plugin::log( 'could not enqueue the SLA job: ' . get_class( $e ) . ': ' . $e->getMessage() );
	}
}

add_action( Plugin::CRON_HOOK, __NAMESPACE__ . '\\enqueue_sla_job', CRON_PRIORITY );

/**
 * The site's reopen window in minutes, from the filter 'pet_ticket_reopen_window_minutes'
 * (null: the engine's default, 7 days). Site policy: the ticket page and the REST route use it.
 */
function reopen_window_minutes(): ?int {
	$window = apply_filters( 'pet_ticket_reopen_window_minutes', null );
	return is_int( $window ) ? $window : null;
}

add_action(
	'rest_api_init',
	static function (): void {
		( new Helpdesk_Rest( Plugin::instance() ) )->register_routes();
	}
);

if ( is_admin() ) {
	( new Helpdesk_Admin( Plugin::instance() ) )->register();
}
