<?php
/**
 * Delivery module: projects (list, project page with constraint versions and change orders,
 * variance per role, status changes, milestones and tasks), My timesheet (a week grid of the
 * current user's time, submitted by the week), Approvals (a manager's view of one employee's
 * week: approve or send back the submitted entries, adjust approved ones) and the pet/v1
 * routes for projects and time entries. Holds no business rule: forms become arrays for
 * \Pet\Delivery, results and errors are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Delivery;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-delivery-rest.php';

add_action( 'rest_api_init', array( new Delivery_Rest( Plugin::instance() ), 'register_routes' ) );

if ( is_admin() ) {
	require_once __DIR__ . '/class-delivery-admin.php';
	( new Delivery_Admin( Plugin::instance() ) )->register();
}
