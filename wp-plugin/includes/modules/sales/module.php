<?php
/**
 * Sales module: lead schema editor, leads (list with search and filters, detail rendered by
 * the lead's own schema version, contact / qualify / disqualify), the opportunity pipeline,
 * quotes (builder with groups and lines, send, revise, diff, printable view, accept /
 * reject). Holds no business rule: forms become arrays for \Pet\Sales, results and errors
 * are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-sales-admin.php';

if ( is_admin() ) {
	( new Sales_Admin( Plugin::instance() ) )->register();
}
