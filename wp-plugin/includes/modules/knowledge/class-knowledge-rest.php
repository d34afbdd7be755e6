<?php
/**
 * The Knowledgebase's pet/v1 REST routes: articles (list, categories, search, get, create,
 * publish the next version, restore a version, archive), comments (add, hide) and the link
 * to a ticket. Reading and commenting need pet_view_knowledge; writing, publishing,
 * restoring, archiving and hiding comments need pet_manage_knowledge, and only moderators
 * (pet_manage_knowledge) get the
 * hidden comments (Rest::readable_article()). The actor is the current user's employee;
 * an Idempotency-Key header is passed to the engine; engine exceptions become WP_Error
 * responses through \PetWp\Rest::error().
 *
 * @package PetWp
 */

namespace PetWp\Modules\Knowledge;

use PetWp\Access;
use PetWp\Plugin;
use PetWp\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Registers and serves the article routes.
 */
final class Knowledge_Rest {

	/** Fields that are multi-line text (newlines kept). */
	private const TEXTAREA_FIELDS = array( 'body' );

	/** @var Plugin */
	private $plugin;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Registers the routes (rest_api_init).
	 */
	public function register_routes(): void {
		$id   = '(?P<id>[0-9a-fA-F-]{1,64})';
		$cid  = '(?P<comment>[0-9a-fA-F-]{1,64})';
		$work = Access::VIEW_KNOWLEDGE;
		$man  = Access::MANAGE_KNOWLEDGE;
		$k    = fn () => $this->plugin->knowledge();
		$ctx  = fn ( \WP_REST_Request $r ): array => Rest::context( $this->plugin, $r );

		Rest::route( '/articles', 'GET', $work, fn ( $r ) => $k()->listArticles( Rest::query( $r, array( 'category', 'status', 'search', 'after', 'before' ) ) ) );
		Rest::route( '/articles', 'POST', $man, fn ( $r ) => $k()->createArticle( self::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( '/articles/categories', 'GET', $work, fn ( $r ) => $k()->listArticleCategories() );
		Rest::route( '/articles/search', 'GET', $work, fn ( $r ) => $k()->searchArticles( Rest::query( $r, array( 'q', 'category' ) ) + array( 'q' => '' ) ) );
		// Routes open to readers return the article without hidden comments unless the user moderates.
		Rest::route( "/articles/$id", 'GET', $work, fn ( $r ) => Rest::readable_article( $k()->getArticle( (string) $r['id'] ) ) );
		Rest::route( "/articles/$id/versions", 'POST', $man, fn ( $r ) => $k()->publishArticle( (string) $r['id'], self::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/articles/$id/restore", 'POST', $man, fn ( $r ) => $k()->restoreArticleVersion( (string) $r['id'], self::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/articles/$id/archive", 'POST', $man, fn ( $r ) => $k()->archiveArticle( (string) $r['id'], $ctx( $r ) ) );
		Rest::route( "/articles/$id/comments", 'POST', $work, fn ( $r ) => Rest::readable_article( $k()->commentOnArticle( (string) $r['id'], self::body( $r ), $ctx( $r ) ) ), 201 );
		Rest::route( "/articles/$id/comments/$cid/hide", 'POST', $man, fn ( $r ) => $k()->hideArticleComment( (string) $r['id'], (string) $r['comment'], self::body( $r ), $ctx( $r ) ) );
		Rest::route(
			"/articles/$id/tickets",
			'POST',
			// Linking changes what a ticket shows: ticket work, as on the ticket page.
			Access::MANAGE_SUPPORT,
			function ( $r ) use ( $k, $ctx ) {
				$body = self::body( $r );
				return Rest::readable_article( $k()->linkArticleToTicket( (string) $r['id'], (string) ( $body['ticket_id'] ?? '' ), $ctx( $r ) ) );
			},
			201
		);
	}

	/**
	 * The JSON (or form) body as Rest::body() reads it (multi-line fields keep their
	 * newlines), with 'publish' read as a boolean and 'number' as an integer when they look
	 * like one. No article field is a list or an object, so those are dropped; other types
	 * are left for the engine to validate.
	 *
	 * @param \WP_REST_Request $r Request.
	 */
	private static function body( \WP_REST_Request $r ): array {
		$out = array();
		foreach ( Rest::body( $r, self::TEXTAREA_FIELDS ) as $k => $v ) {
			if ( is_array( $v ) || is_object( $v ) ) {
				continue;
			}
			if ( is_string( $v ) ) {
				if ( 'publish' === $k ) {
					$v = rest_sanitize_boolean( $v );
				} elseif ( 'number' === $k && preg_match( '/^-?\d{1,9}$/', $v ) ) {
					$v = (int) $v;
				}
			}
			$out[ (string) $k ] = $v;
		}
		return $out;
	}
}
