<?php
/**
 * Customer portal module (issue 17): the PET Customer role, staff granting a customer's
 * contact portal access from the customer screen ("Invite to portal": a WordPress user found
 * or made by the contact's e-mail, linked in PET with an event), and the front-end portal —
 * the [pet_portal] shortcode and the pet/portal block — where the signed-in contact sees their
 * customer's tickets, opens one, follows the public conversation, replies and searches the
 * published knowledge articles. Holds no business rule: who sees and writes what is decided by
 * \Pet\Portal (the engine checks the ticket's customer against the user's contact).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Portal;

use PetWp\Plugin;

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-portal-admin.php';
require_once __DIR__ . '/class-portal-front.php';
require_once __DIR__ . '/class-portal-demo.php';

add_action( 'init', array( Portal_Front::class, 'register' ) );

if ( is_admin() ) {
	( new Portal_Admin( Plugin::instance() ) )->register();
}
