<?php
/**
 * The Knowledgebase's pet/v1 REST routes: articles (list, categories, search, get, create,
 * publish the next version, restore a version, archive), comments (add, hide) and the link
 * to a ticket. Reading and commenting need pet_work; writing, publishing, restoring,
 * archiving and hiding comments need pet_manage. The actor is the current user's employee;
 * an Idempotency-Key header is passed to the engine; engine exceptions become WP_Error
 * responses through \PetWp\Rest::error().
 *
 * @package PetWp
 */

namespace PetWp\Modules\Knowledge;

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

	/** @var \Pet\Helpdesk|null */
	private $helpdesk = null;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/** The helpdesk API (shares the engine's pool). */
	private function hd(): \Pet\Helpdesk {
		if ( null === $this->helpdesk ) {
			$this->helpdesk = new \Pet\Helpdesk( Plugin::engine_settings() );
		}
		return $this->helpdesk;
	}

	/**
	 * Registers the routes (rest_api_init).
	 */
	public function register_routes(): void {
		$id   = '(?P<id>[0-9a-fA-F-]{1,64})';
		$cid  = '(?P<comment>[0-9a-fA-F-]{1,64})';
		$work = Plugin::CAP_WORK;
		$man  = Plugin::CAP_MANAGE;

		$this->route( '/articles', 'GET', $work, fn ( $r ) => $this->hd()->listArticles( self::query( $r, array( 'category', 'status', 'search' ) ) ) );
		$this->route( '/articles', 'POST', $man, fn ( $r ) => $this->hd()->createArticle( self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( '/articles/categories', 'GET', $work, fn ( $r ) => $this->hd()->listArticleCategories() );
		$this->route( '/articles/search', 'GET', $work, fn ( $r ) => $this->hd()->searchArticles( self::query( $r, array( 'q', 'category' ) ) + array( 'q' => '' ) ) );
		$this->route( "/articles/$id", 'GET', $work, fn ( $r ) => $this->hd()->getArticle( (string) $r['id'] ) );
		$this->route( "/articles/$id/versions", 'POST', $man, fn ( $r ) => $this->hd()->publishArticle( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( "/articles/$id/restore", 'POST', $man, fn ( $r ) => $this->hd()->restoreArticleVersion( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( "/articles/$id/archive", 'POST', $man, fn ( $r ) => $this->hd()->archiveArticle( (string) $r['id'], $this->ctx( $r ) ) );
		$this->route( "/articles/$id/comments", 'POST', $work, fn ( $r ) => $this->hd()->commentOnArticle( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( "/articles/$id/comments/$cid/hide", 'POST', $man, fn ( $r ) => $this->hd()->hideArticleComment( (string) $r['id'], (string) $r['comment'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route(
			"/articles/$id/tickets",
			'POST',
			$work,
			function ( $r ) {
				$body = self::body( $r );
				return $this->hd()->linkArticleToTicket( (string) $r['id'], (string) ( $body['ticket_id'] ?? '' ), $this->ctx( $r ) );
			},
			201
		);
	}

	/**
	 * Registers one route whose permission is a capability and whose callback's engine
	 * exceptions become WP_Error responses (the pattern of \PetWp\Rest).
	 *
	 * @param string   $path    Route (regex) under pet/v1.
	 * @param string   $method  HTTP method.
	 * @param string   $cap     Required capability.
	 * @param callable $handler Returns the response data.
	 * @param int      $status  Success status.
	 */
	private function route( string $path, string $method, string $cap, callable $handler, int $status = 200 ): void {
		register_rest_route(
			Rest::NS,
			$path,
			array(
				'methods'             => $method,
				'permission_callback' => static function () use ( $cap ) {
					if ( current_user_can( $cap ) ) {
						return true;
					}
					return new \WP_Error(
						'pet_forbidden',
						__( 'Sorry, you are not allowed to do this.', 'pet' ),
						array( 'status' => rest_authorization_required_code() )
					);
				},
				'callback'            => static function ( \WP_REST_Request $request ) use ( $handler, $status ) {
					try {
						return new \WP_REST_Response( $handler( $request ), $status );
					} catch ( \Throwable $e ) {
						return Rest::error( $e );
					}
				},
			)
		);
	}

	/**
	 * Command context: the current user's employee and the Idempotency-Key header.
	 *
	 * @param \WP_REST_Request $r Request.
	 */
	private function ctx( \WP_REST_Request $r ): array {
		return $this->plugin->context( sanitize_text_field( (string) $r->get_header( 'idempotency_key' ) ) );
	}

	/**
	 * The JSON (or form) body: strings sanitized (multi-line fields keep their newlines);
	 * 'publish' read as a boolean and 'number' as an integer when they look like one. Other
	 * types are left for the engine to validate.
	 *
	 * @param \WP_REST_Request $r Request.
	 */
	private static function body( \WP_REST_Request $r ): array {
		$params = $r->get_json_params();
		if ( ! is_array( $params ) ) {
			$params = $r->get_body_params();
		}
		$out = array();
		foreach ( is_array( $params ) ? $params : array() as $k => $v ) {
			$k = (string) $k;
			if ( is_string( $v ) ) {
				$v = in_array( $k, self::TEXTAREA_FIELDS, true )
					? \PetWp\Input::long_text_value( $v )
					: sanitize_text_field( $v );
				if ( 'publish' === $k ) {
					$v = rest_sanitize_boolean( $v );
				} elseif ( 'number' === $k && preg_match( '/^-?\d{1,9}$/', $v ) ) {
					$v = (int) $v;
				}
			} elseif ( is_array( $v ) || is_object( $v ) ) {
				continue; // No article field is a list or an object.
			}
			$out[ $k ] = $v;
		}
		return $out;
	}

	/**
	 * Allowed query parameters plus page/per_page.
	 *
	 * @param \WP_REST_Request $r    Request.
	 * @param list<string>     $keys Allowed filter keys.
	 */
	private static function query( \WP_REST_Request $r, array $keys ): array {
		$q = array();
		foreach ( $keys as $k ) {
			$v = $r->get_param( $k );
			if ( is_string( $v ) && '' !== $v ) {
				$q[ $k ] = sanitize_text_field( $v );
			}
		}
		foreach ( array( 'page', 'per_page' ) as $k ) {
			$v = $r->get_param( $k );
			if ( null !== $v && '' !== $v ) {
				$q[ $k ] = (int) $v;
			}
		}
		return $q;
	}
}
