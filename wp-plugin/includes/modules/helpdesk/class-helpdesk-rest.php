<?php
/**
 * REST routes of the support desk under pet/v1: tickets and SLA definitions. Reading and
 * working tickets need pet_work; SLA definitions are changed with pet_manage. The actor is the
 * current user's employee; an Idempotency-Key header is passed to the engine. Errors map to
 * HTTP statuses exactly as the core routes do (\PetWp\Rest::error).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Helpdesk;

use PetWp\Plugin;
use PetWp\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * The support desk's pet/v1 routes.
 */
final class Helpdesk_Rest {

	/** @var Plugin */
	private $plugin;

	/** @var \Pet\Helpdesk|null */
	private $hd = null;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/** The helpdesk API (shares the engine's pool). */
	private function hd(): \Pet\Helpdesk {
		if ( null === $this->hd ) {
			$this->hd = new \Pet\Helpdesk( Plugin::engine_settings() );
		}
		return $this->hd;
	}

	/**
	 * Registers every route (rest_api_init).
	 */
	public function register_routes(): void {
		$id   = '(?P<id>[0-9a-fA-F-]{1,64})';
		$work = Plugin::CAP_WORK;
		$h    = fn () => $this->hd();

		$this->route( '/tickets', 'GET', $work, fn ( $r ) => $h()->listTickets( self::query( $r, array( 'status', 'priority', 'assignee_id', 'customer_id', 'sla_state', 'search', 'sort', 'order' ) ) ) );
		$this->route( '/tickets', 'POST', $work, fn ( $r ) => $h()->createTicket( self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( "/tickets/$id", 'GET', $work, fn ( $r ) => $h()->getTicket( (string) $r['id'] ) );
		$this->route( "/tickets/$id/replies", 'POST', $work, fn ( $r ) => $h()->replyToTicket( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( "/tickets/$id/status", 'POST', $work, fn ( $r ) => $h()->changeTicketStatus( (string) $r['id'], (string) ( self::body( $r )['status'] ?? '' ), $this->ctx( $r ) ) );
		$this->route( "/tickets/$id/priority", 'POST', $work, fn ( $r ) => $h()->changeTicketPriority( (string) $r['id'], (string) ( self::body( $r )['priority'] ?? '' ), $this->ctx( $r ) ) );
		$this->route(
			"/tickets/$id/assign",
			'POST',
			$work,
			function ( $r ) use ( $h ) {
				$body = self::body( $r );
				$to   = isset( $body['assignee_id'] ) && '' !== $body['assignee_id'] ? (string) $body['assignee_id'] : null;
				return $h()->assignTicket( (string) $r['id'], $to, $this->ctx( $r ) );
			}
		);
		$this->route( "/tickets/$id/resolve", 'POST', $work, fn ( $r ) => $h()->resolveTicket( (string) $r['id'], $this->ctx( $r ) ) );
		$this->route( "/tickets/$id/close", 'POST', $work, fn ( $r ) => $h()->closeTicket( (string) $r['id'], $this->ctx( $r ) ) );
		$this->route( "/tickets/$id/reopen", 'POST', $work, fn ( $r ) => $h()->reopenTicket( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/tickets/$id/sla", 'POST', $work, fn ( $r ) => $h()->assignTicketSla( (string) $r['id'], (string) ( self::body( $r )['definition_id'] ?? '' ), $this->ctx( $r ) ) );
		$this->route( "/tickets/$id/articles", 'POST', $work, fn ( $r ) => $h()->linkArticleToTicket( (string) ( self::body( $r )['article_id'] ?? '' ), (string) $r['id'], $this->ctx( $r ) ), 201 );

		$this->route( '/sla-definitions', 'GET', $work, fn ( $r ) => $h()->listSlaDefinitions( self::query( $r, array( 'search' ) ) ) );
		$this->route( '/sla-definitions', 'POST', Plugin::CAP_MANAGE, fn ( $r ) => $h()->createSlaDefinition( self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( "/sla-definitions/$id", 'GET', $work, fn ( $r ) => $h()->getSlaDefinition( (string) $r['id'] ) );
		$this->route( "/sla-definitions/$id/versions", 'POST', Plugin::CAP_MANAGE, fn ( $r ) => $h()->publishSlaVersion( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ), 201 );
	}

	/**
	 * Registers one route whose permission is a capability and whose callback's engine
	 * exceptions become WP_Error responses.
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
	 * The JSON (or form) body; strings sanitized (a reply's body keeps its line breaks);
	 * types are left for the engine to validate.
	 *
	 * @param \WP_REST_Request $r Request.
	 */
	private static function body( \WP_REST_Request $r ): array {
		$params = $r->get_json_params();
		if ( ! is_array( $params ) ) {
			$params = $r->get_body_params();
		}
		return self::clean( is_array( $params ) ? $params : array() );
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

	/**
	 * Recursively sanitizes strings (ints, bools, nulls and floats pass through).
	 *
	 * @param array $data Input.
	 */
	private static function clean( array $data ): array {
		$out = array();
		foreach ( $data as $k => $v ) {
			if ( is_array( $v ) ) {
				$out[ $k ] = self::clean( $v );
			} elseif ( is_string( $v ) ) {
				$out[ $k ] = 'body' === $k ? \PetWp\Input::long_text_value( $v ) : sanitize_text_field( $v );
			} else {
				$out[ $k ] = $v;
			}
		}
		return $out;
	}
}
