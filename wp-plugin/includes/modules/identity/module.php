<?php
/**
 * Identity & Organisation module: the Employees (the PET menu's own page), Teams, Customers
 * and Org structure screens, their pet/v1 REST routes, and PET's personal-data exporter and
 * eraser for WordPress's privacy tools. Holds no business rule: forms
 * become arrays for \Pet\Engine, results and errors are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Identity;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-identity-rest.php';
require_once __DIR__ . '/class-identity-privacy.php';

add_action( 'rest_api_init', array( new Identity_Rest( Plugin::instance() ), 'register_routes' ) );
// WordPress's Export / Erase Personal Data tools (called from wp-admin's AJAX handlers).
( new Identity_Privacy( Plugin::instance() ) )->register();

if ( is_admin() ) {
	require_once __DIR__ . '/class-identity-admin.php';
	( new Identity_Admin( Plugin::instance() ) )->register();
}
