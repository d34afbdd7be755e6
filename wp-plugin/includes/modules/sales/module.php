<?php
/**
 * Sales module: lead schema editor, leads (list with search and filters, detail rendered by
 * the lead's own schema version, contact / qualify / disqualify), the opportunity pipeline,
 * quotes (builder with groups and lines, send, revise, diff, printable view, accept /
 * reject), and their REST routes under pet/v1. Holds no business rule: forms and request
 * bodies become arrays for \Pet\Sales, results and errors are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-quote-form.php';
require_once __DIR__ . '/class-sales-admin.php';
require_once __DIR__ . '/class-sales-rest.php';

add_action( 'rest_api_init', array( new Sales_Rest( Plugin::instance() ), 'register_routes' ) );

if ( is_admin() ) {
	( new Sales_Admin( Plugin::instance() ) )->register();
}
