<?php
/**
 * Knowledgebase module: articles by category with full-text search, the article page (live
 * version, editor publishing the next version, version history with a diff and restore,
 * comments with moderation, linked tickets) and the pet/v1 article routes. Holds no business
 * rule: forms become arrays for \Pet\Knowledge, results and errors are shown.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Knowledge;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-knowledge-rest.php';

add_action( 'rest_api_init', array( new Knowledge_Rest( Plugin::instance() ), 'register_routes' ) );

if ( is_admin() ) {
	require_once __DIR__ . '/class-knowledge-admin.php';
	( new Knowledge_Admin( Plugin::instance() ) )->register();
}
