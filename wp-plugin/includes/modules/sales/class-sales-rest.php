<?php
/**
 * REST routes of the sales module under pet/v1: lead schema, leads, opportunities, the
 * pipeline, quotes (versions, draft, send, accept, reject, diff) and sales. The same
 * capabilities as the sales screens (pet_work; publishing a lead schema and running the
 * expiry sweep need pet_manage); the actor is the current user's employee; an
 * Idempotency-Key header is passed to the engine; engine exceptions become WP_Error responses
 * through \PetWp\Rest::error() (the core routes' mapping: 400, 403, 404, 409, 422, 503, 500).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

use PetWp\Plugin;
use PetWp\Rest;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the sales routes.
 */
final class Sales_Rest {

	/** @var Plugin */
	private $plugin;

	/** @var \Pet\Sales|null */
	private $sales = null;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/** The sales API (shares the engine's pool). */
	private function sales(): \Pet\Sales {
		if ( null === $this->sales ) {
			$this->sales = new \Pet\Sales( Plugin::engine_settings() );
		}
		return $this->sales;
	}

	/**
	 * Registers every sales route (rest_api_init).
	 */
	public function register_routes(): void {
		$id   = '(?P<id>[0-9a-fA-F-]{1,64})';
		$num  = '(?P<number>[0-9]{1,9})';
		$work = Plugin::CAP_WORK;
		$s    = fn () => $this->sales();

		// Lead schema.
		$this->route( '/lead-schema', 'GET', $work, fn ( $r ) => $s()->listLeadSchemaVersions() );
		$this->route( '/lead-schema', 'POST', Plugin::CAP_MANAGE, fn ( $r ) => $s()->publishLeadSchema( self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route(
			"/lead-schema/$num",
			'GET',
			$work,
			function ( $r ) use ( $s ) {
				$v = $s()->getLeadSchema( (int) $r['number'] );
				if ( null === $v ) {
					return new \WP_Error(
						'pet_not_found',
						/* translators: %d: lead schema version number. */
						sprintf( __( 'Lead schema version %d does not exist.', 'pet' ), (int) $r['number'] ),
						array( 'status' => 404 )
					);
				}
				return $v;
			}
		);

		// Leads.
		$this->route( '/leads', 'GET', $work, fn ( $r ) => $s()->listLeads( self::query( $r, array( 'search', 'status', 'owner_id', 'source' ) ) ) );
		$this->route( '/leads', 'POST', $work, fn ( $r ) => $s()->createLead( self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( '/lead-sources', 'GET', $work, fn ( $r ) => $s()->listLeadSources() );
		$this->route( "/leads/$id", 'GET', $work, fn ( $r ) => $s()->getLead( (string) $r['id'] ) );
		$this->route( "/leads/$id", 'PATCH', $work, fn ( $r ) => $s()->updateLead( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/leads/$id/contact", 'POST', $work, fn ( $r ) => $s()->contactLead( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/leads/$id/qualify", 'POST', $work, fn ( $r ) => $s()->qualifyLead( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/leads/$id/disqualify", 'POST', $work, fn ( $r ) => $s()->disqualifyLead( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/leads/$id/archive", 'POST', $work, fn ( $r ) => $s()->archiveLead( (string) $r['id'], $this->ctx( $r ) ) );

		// Opportunities and the pipeline.
		$this->route( '/opportunities', 'GET', $work, fn ( $r ) => $s()->listOpportunities( self::query( $r, array( 'search', 'status', 'owner_id', 'customer_id', 'lead_id' ) ) ) );
		$this->route( '/opportunities', 'POST', $work, fn ( $r ) => $s()->createOpportunity( self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( "/opportunities/$id", 'GET', $work, fn ( $r ) => $s()->getOpportunity( (string) $r['id'] ) );
		$this->route( "/opportunities/$id/classify", 'POST', $work, fn ( $r ) => $s()->classifyOpportunity( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/opportunities/$id/lose", 'POST', $work, fn ( $r ) => $s()->loseOpportunity( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( '/pipeline', 'GET', $work, fn ( $r ) => $s()->opportunityPipeline() );

		// Quotes, versions and sales.
		$this->route( '/quotes', 'GET', $work, fn ( $r ) => $s()->listQuotes( self::query( $r, array( 'search', 'status', 'customer_id', 'opportunity_id' ) ) ) );
		$this->route( '/quotes', 'POST', $work, fn ( $r ) => $s()->createQuote( self::body( $r ), $this->ctx( $r ) ), 201 );
		$this->route( '/quotes/expire', 'POST', Plugin::CAP_MANAGE, fn ( $r ) => $s()->expireDueQuotes() );
		$this->route( "/quotes/$id", 'GET', $work, fn ( $r ) => $s()->getQuote( (string) $r['id'] ) );
		$this->route( "/quotes/$id/draft", 'PUT', $work, fn ( $r ) => $s()->saveQuoteDraft( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/quotes/$id/versions", 'POST', $work, fn ( $r ) => $s()->draftQuoteVersion( (string) $r['id'], $this->ctx( $r ) ), 201 );
		$this->route( "/quotes/$id/versions/latest", 'GET', $work, fn ( $r ) => $s()->getQuoteVersion( (string) $r['id'], null ) );
		$this->route( "/quotes/$id/versions/$num", 'GET', $work, fn ( $r ) => $s()->getQuoteVersion( (string) $r['id'], (int) $r['number'] ) );
		$this->route(
			"/quotes/$id/diff",
			'GET',
			$work,
			function ( $r ) use ( $s ) {
				$from = $r->get_param( 'from' );
				$to   = $r->get_param( 'to' );
				$bad  = array();
				foreach ( array( 'from' => $from, 'to' => $to ) as $k => $v ) {
					if ( ! is_numeric( $v ) || (int) $v < 1 ) {
						$bad[ $k ] = __( 'must be a version number', 'pet' );
					}
				}
				if ( array() !== $bad ) {
					throw new \PetWp\Input_Exception( __( 'Please give the two version numbers to compare.', 'pet' ), $bad );
				}
				return $s()->diffQuoteVersions( (string) $r['id'], (int) $from, (int) $to );
			}
		);
		$this->route( "/quotes/$id/send", 'POST', $work, fn ( $r ) => $s()->sendQuote( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/quotes/$id/accept", 'POST', $work, fn ( $r ) => $s()->acceptQuote( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/quotes/$id/reject", 'POST', $work, fn ( $r ) => $s()->rejectQuote( (string) $r['id'], self::body( $r ), $this->ctx( $r ) ) );
		$this->route( "/sales/$id", 'GET', $work, fn ( $r ) => $s()->getSale( (string) $r['id'] ) );
	}

	/**
	 * Registers one route whose permission is a capability and whose callback's exceptions
	 * become WP_Error responses (the same as the core routes).
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
						$data = $handler( $request );
						return $data instanceof \WP_Error ? $data : new \WP_REST_Response( $data, $status );
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
	 * The JSON (or form) body, strings sanitized; types are left for the engine to validate.
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
				$out[ $k ] = sanitize_text_field( $v );
			} else {
				$out[ $k ] = $v;
			}
		}
		return $out;
	}
}
