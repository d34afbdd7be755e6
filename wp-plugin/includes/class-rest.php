<?php
/**
 * REST routes under pet/v1 of the engine core (health, activity, history, jobs, audit), and
 * the route plumbing every module uses (identity's routes are in modules/identity). The same
 * operations as the admin screens, with the same capabilities (Access): a module's reads
 * need its area's view capability and its changes the manage capability; the activity feed
 * and an entity's history need pet_work and show only the contexts of the areas the user
 * may see. The actor is the current user's employee; an Idempotency-Key header is passed to
 * the engine. Engine exceptions map to HTTP statuses.
 *
 * The route plumbing is public and static so that every feature module registers its routes
 * the same way: Rest::route() (capability as permission_callback, exceptions through
 * Rest::error()), Rest::context() (actor + Idempotency-Key), Rest::body() and Rest::query()
 * (sanitised input).
 *
 * @package PetWp
 */

namespace PetWp;

defined( 'ABSPATH' ) || exit;

/**
 * The pet/v1 REST API.
 */
final class Rest {

	public const NS = 'pet/v1';

	/** @var Plugin */
	private $plugin;

	/**
	 * @param Plugin $plugin The plugin.
	 */
	public function __construct( Plugin $plugin ) {
		$this->plugin = $plugin;
	}

	/**
	 * Registers every route (rest_api_init).
	 */
	public function register_routes(): void {
		$id  = '(?P<id>[0-9a-fA-F-]{1,64})';
		$e   = fn () => $this->plugin->engine();
		$ctx = fn ( \WP_REST_Request $r ): array => self::context( $this->plugin, $r );

		self::route( '/health', 'GET', Access::VIEW_SETTINGS, fn ( $r ) => $e()->health() );

		// Audit of the event log: administrators only.
		self::route( '/audit/chain', 'GET', 'manage_options', fn ( $r ) => $e()->chainStatus() );
		self::route(
			'/audit/chain/verify',
			'POST',
			'manage_options',
			fn ( $r ) => $e()->verifyChain( array_intersect_key( self::body( $r ), array( 'mode' => true ) ) )
		);
		self::route(
			'/audit/export',
			'GET',
			'manage_options',
			static function () use ( $e ) {
				// Served as a JSON Lines download instead of the JSON response (streamed).
				add_filter(
					'rest_pre_serve_request',
					static function () use ( $e ) {
						Admin::stream_export( $e() );
						return true;
					}
				);
				return array( 'streaming' => true );
			}
		);

		// The feed shows the contexts of the areas the user may see (filtered by the engine, in SQL).
		self::route( '/activity', 'GET', Plugin::CAP_WORK, fn ( $r ) => $e()->activity( Access::feed_query( self::query( $r, array( 'context_type', 'context_id', 'actor_id', 'from', 'to', 'after', 'before' ) ) ) ) );

		// An entity's history and state as of a date: 403 unless its area is visible to the user.
		self::route(
			'/history/state',
			'GET',
			Plugin::CAP_WORK,
			function ( $r ) use ( $e ) {
				$q = self::query( $r, array( 'aggregate_type', 'id', 'at' ) );
				Access::require_context( (string) ( $q['aggregate_type'] ?? '' ), 'state as of' );
				return $e()->stateAsOf( $q );
			}
		);
		self::route(
			'/history',
			'GET',
			Plugin::CAP_WORK,
			function ( $r ) use ( $e ) {
				$q = self::query( $r, array( 'context_type', 'context_id', 'after', 'before' ) );
				Access::require_context( (string) ( $q['context_type'] ?? '' ), 'history' );
				return $e()->entityHistory( $q );
			}
		);

		self::route( '/jobs', 'GET', Access::VIEW_SETTINGS, fn ( $r ) => $e()->listJobs( self::query( $r, array( 'status', 'after', 'before' ) ) ) );
		self::route( '/jobs/run', 'POST', Access::MANAGE_SETTINGS, fn ( $r ) => $e()->runJobs( array( 'max_seconds' => 20 ) ) );
		self::route( "/jobs/$id/retry", 'POST', Access::MANAGE_SETTINGS, fn ( $r ) => $e()->retryJob( (string) $r['id'], $ctx( $r ) ) );
	}

	/**
	 * Registers one route under pet/v1 whose permission is a capability and whose callback's
	 * exceptions become WP_Error responses (Rest::error()). A handler may also return a
	 * WP_Error itself (e.g. a 404 for a version that does not exist).
	 *
	 * @param string   $path    Route (regex) under pet/v1.
	 * @param string   $method  HTTP method.
	 * @param string   $cap     Required capability.
	 * @param callable $handler fn( \WP_REST_Request ): mixed, the response data.
	 * @param int      $status  Success status.
	 */
	public static function route( string $path, string $method, string $cap, callable $handler, int $status = 200 ): void {
		register_rest_route(
			self::NS,
			$path,
			array(
				'methods'             => $method,
				'permission_callback' => static function () use ( $cap, $method, $path ) {
					if ( current_user_can( $cap ) ) {
						return true;
					}
					Plugin::log( sprintf( 'permission refused: user %d, REST %s %s%s (needs %s)', get_current_user_id(), $method, self::NS, $path, $cap ) );
					return new \WP_Error(
						'pet_forbidden',
						__( 'Sorry, you are not allowed to do this.', 'pet' ),
						array( 'status' => rest_authorization_required_code() )
					);
				},
				'callback'            => static function ( \WP_REST_Request $request ) use ( $handler, $status, $method ) {
					try {
						if ( 'GET' !== $method ) {
							$limited = self::write_limit();
							if ( null !== $limited ) {
								return $limited;
							}
						}
						$data = $handler( $request );
						if ( 'GET' !== $method ) {
							Plugin::instance()->carry_read_position();
						}
						return $data instanceof \WP_Error ? $data : new \WP_REST_Response( $data, $status );
					} catch ( \Throwable $e ) {
						return self::error( $e );
					}
				},
			)
		);
	}

	/** Option: REST writes allowed per user per minute (0: no limit). */
	public const OPTION_WRITE_LIMIT = 'pet_rest_write_limit';

	/** The default REST write limit per user per minute. */
	public const DEFAULT_WRITE_LIMIT = 120;

	/**
	 * The REST writes a user may make per minute: the option (Settings screen), then the
	 * 'pet_rest_write_limit' filter; 0 means no limit.
	 */
	public static function write_limit_per_minute(): int {
		$limit = (int) get_option( self::OPTION_WRITE_LIMIT, self::DEFAULT_WRITE_LIMIT );
		return max( 0, (int) apply_filters( 'pet_rest_write_limit', $limit ) );
	}

	/**
	 * Counts one REST write of the current user; over the limit, a 429 response with
	 * Retry-After (and a log line). Null when the write may go ahead.
	 */
	public static function write_limit(): ?\WP_REST_Response {
		$limit = self::write_limit_per_minute();
		if ( 0 === $limit ) {
			return null;
		}
		$hit = Plugin::instance()->engine()->rateLimitHit(
			array(
				'subject'        => 'rest_write:' . get_current_user_id(),
				'limit'          => $limit,
				'window_seconds' => 60,
			)
		);
		if ( ! empty( $hit['allowed'] ) ) {
			return null;
		}
		Plugin::log( sprintf( 'rate limit: user %d made more than %d REST writes in a minute', get_current_user_id(), $limit ) );
		$response = new \WP_REST_Response(
			array(
				'code'    => 'pet_rate_limited',
				'message' => sprintf(
					/* translators: %d: seconds to wait */
					__( 'Too many changes in a short time. Try again in %d seconds.', 'pet' ),
					(int) $hit['retry_after']
				),
				'data'    => array( 'status' => 429 ),
			),
			429
		);
		$response->header( 'Retry-After', (string) (int) $hit['retry_after'] );
		return $response;
	}

	/**
	 * Maps an exception to a WP_Error with an HTTP status (field errors in data.field_errors).
	 *
	 * @param \Throwable $e What went wrong.
	 */
	public static function error( \Throwable $e ): \WP_Error {
		$map    = array(
			\Pet\ValidationException::class          => array( 'pet_validation', 400 ),
			Forbidden_Exception::class                => array( 'pet_forbidden', 403 ),
			Input_Exception::class                    => array( 'pet_validation', 400 ),
			\Pet\InvariantViolationException::class   => array( 'pet_invariant_violation', 422 ),
			\Pet\NotFoundException::class             => array( 'pet_not_found', 404 ),
			\Pet\ConflictException::class             => array( 'pet_conflict', 409 ),
			No_Employee_Exception::class              => array( 'pet_no_employee', 403 ),
			\Pet\StorageException::class              => array( 'pet_storage', 503 ),
			\Pet\MigrationException::class            => array( 'pet_migration', 503 ),
			\Pet\Exception::class                     => array( 'pet_error', 500 ),
		);
		$code   = 'pet_internal';
		$status = 500;
		foreach ( $map as $class => $c ) {
			if ( $e instanceof $class ) {
				list( $code, $status ) = $c;
				break;
			}
		}
		$n = Notices::describe( $e );
		return new \WP_Error(
			$code,
			$n['message'],
			array(
				'status'       => $status,
				'field_errors' => (object) $n['fields'],
			)
		);
	}

	/**
	 * An article (Pet\Helpdesk's article shape) as the current user may read it: hidden
	 * comments only for moderators (pet_manage_knowledge), as on the article page; everyone
	 * else gets the visible ones. For every route that returns an article to readers.
	 *
	 * @param array $article Article.
	 */
	public static function readable_article( array $article ): array {
		if ( isset( $article['comments'] ) && is_array( $article['comments'] ) && ! current_user_can( Access::MANAGE_KNOWLEDGE ) ) {
			$article['comments'] = array_values( array_filter( $article['comments'], static fn ( $c ) => empty( $c['hidden'] ) ) );
		}
		return $article;
	}

	/**
	 * Command context: the current user's employee and the Idempotency-Key header.
	 *
	 * @param Plugin           $plugin The plugin.
	 * @param \WP_REST_Request $r      Request.
	 * @throws No_Employee_Exception When the user has no employee.
	 */
	public static function context( Plugin $plugin, \WP_REST_Request $r ): array {
		return $plugin->context( sanitize_text_field( (string) $r->get_header( 'idempotency_key' ) ) );
	}

	/**
	 * The JSON (or form) body, strings as sent (one-line strings via Input::line()); types
	 * are left for the engine to validate.
	 * Strings under the keys in $long_texts (at any depth, e.g. a reply's 'body') are long
	 * texts: kept verbatim with their line breaks (Input::long_text_value()).
	 *
	 * @param \WP_REST_Request $r          Request.
	 * @param list<string>     $long_texts Keys of long texts.
	 */
	public static function body( \WP_REST_Request $r, array $long_texts = array() ): array {
		$params = $r->get_json_params();
		if ( ! is_array( $params ) ) {
			$params = $r->get_body_params();
		}
		return self::clean( is_array( $params ) ? $params : array(), $long_texts );
	}

	/**
	 * Allowed query parameters plus page/per_page.
	 *
	 * @param \WP_REST_Request $r    Request.
	 * @param list<string>     $keys Allowed filter keys.
	 */
	public static function query( \WP_REST_Request $r, array $keys ): array {
		$q = array();
		foreach ( $keys as $k ) {
			$v = $r->get_param( $k );
			if ( is_string( $v ) && '' !== $v ) {
				$q[ $k ] = Input::line( $v );
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
	 * Recursively normalises strings to one line (Input::line(); ints, bools, nulls and
	 * floats pass through); strings under the keys in $long_texts keep their line breaks.
	 *
	 * @param array        $data       Input.
	 * @param list<string> $long_texts Keys of long texts.
	 */
	public static function clean( array $data, array $long_texts = array() ): array {
		$out = array();
		foreach ( $data as $k => $v ) {
			if ( is_array( $v ) ) {
				$out[ $k ] = self::clean( $v, $long_texts );
			} elseif ( is_string( $v ) ) {
				$out[ $k ] = in_array( (string) $k, $long_texts, true ) ? Input::long_text_value( $v ) : Input::line( $v );
			} else {
				$out[ $k ] = $v;
			}
		}
		return $out;
	}
}
