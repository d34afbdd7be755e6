<?php
/**
 * REST routes of the support desk under pet/v1: tickets and SLA definitions. Reading needs
 * pet_view_support; working tickets and changing SLA definitions pet_manage_support; a
 * reopen window other than the site's is a PET manager's (pet_manage). The actor is the
 * current user's employee; an Idempotency-Key header is passed to the engine. Errors map to
 * HTTP statuses exactly as the core routes do (\PetWp\Rest::error).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Helpdesk;

use PetWp\Access;
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
		$view = Access::VIEW_SUPPORT;
		$work = Access::MANAGE_SUPPORT;
		$h    = fn () => $this->hd();
		$ctx  = fn ( \WP_REST_Request $r ): array => Rest::context( $this->plugin, $r );
		$body = fn ( \WP_REST_Request $r ): array => Rest::body( $r, array( 'body', 'message' ) ); // A reply's body and a ticket's first message keep their line breaks.
		// Every route answering with a ticket answers with it as this user may see it.
		$ticket = static function ( string $path, string $method, string $cap, callable $handler, int $status = 200 ): void {
			Rest::route( $path, $method, $cap, fn ( $r ) => self::shown( $handler( $r ) ), $status );
		};

		Rest::route( '/tickets', 'GET', $view, fn ( $r ) => $h()->listTickets( Rest::query( $r, array( 'status', 'priority', 'assignee_id', 'customer_id', 'sla_state', 'search', 'sort', 'order', 'after', 'before' ) ) ) );
		$ticket( '/tickets', 'POST', $work, fn ( $r ) => $h()->createTicket( $body( $r ), $ctx( $r ) ), 201 );
		$ticket( "/tickets/$id", 'GET', $view, fn ( $r ) => $h()->getTicket( (string) $r['id'] ) );
		$ticket( "/tickets/$id/replies", 'POST', $work, fn ( $r ) => $h()->replyToTicket( (string) $r['id'], $body( $r ), $ctx( $r ) ), 201 );
		$ticket( "/tickets/$id/status", 'POST', $work, fn ( $r ) => $h()->changeTicketStatus( (string) $r['id'], (string) ( $body( $r )['status'] ?? '' ), $ctx( $r ) ) );
		$ticket( "/tickets/$id/priority", 'POST', $work, fn ( $r ) => $h()->changeTicketPriority( (string) $r['id'], (string) ( $body( $r )['priority'] ?? '' ), $ctx( $r ) ) );
		$ticket(
			"/tickets/$id/assign",
			'POST',
			$work,
			function ( $r ) use ( $h, $ctx, $body ) {
				$b  = $body( $r );
				$to = isset( $b['assignee_id'] ) && '' !== $b['assignee_id'] ? (string) $b['assignee_id'] : null;
				return $h()->assignTicket( (string) $r['id'], $to, $ctx( $r ) );
			}
		);
		$ticket( "/tickets/$id/resolve", 'POST', $work, fn ( $r ) => $h()->resolveTicket( (string) $r['id'], $ctx( $r ) ) );
		$ticket( "/tickets/$id/close", 'POST', $work, fn ( $r ) => $h()->closeTicket( (string) $r['id'], $ctx( $r ) ) );
		$ticket(
			"/tickets/$id/reopen",
			'POST',
			$work,
			function ( $r ) use ( $h, $ctx, $body ) {
				$input = self::reopen_input( $body( $r ) );
				return $input instanceof \WP_Error ? $input : $h()->reopenTicket( (string) $r['id'], $input, $ctx( $r ) );
			}
		);
		$ticket( "/tickets/$id/sla", 'POST', $work, fn ( $r ) => $h()->assignTicketSla( (string) $r['id'], (string) ( $body( $r )['definition_id'] ?? '' ), $ctx( $r ) ) );
		Rest::route( "/tickets/$id/articles", 'POST', $work, fn ( $r ) => Rest::readable_article( $this->plugin->knowledge()->linkArticleToTicket( (string) ( $body( $r )['article_id'] ?? '' ), (string) $r['id'], $ctx( $r ) ) ), 201 );

		Rest::route( '/sla-definitions', 'GET', $view, fn ( $r ) => $h()->listSlaDefinitions( Rest::query( $r, array( 'search', 'after', 'before' ) ) ) );
		Rest::route( '/sla-definitions', 'POST', Access::MANAGE_SUPPORT, fn ( $r ) => $h()->createSlaDefinition( $body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/sla-definitions/$id", 'GET', $view, fn ( $r ) => $h()->getSlaDefinition( (string) $r['id'] ) );
		Rest::route( "/sla-definitions/$id/versions", 'POST', Access::MANAGE_SUPPORT, fn ( $r ) => $h()->publishSlaVersion( (string) $r['id'], $body( $r ), $ctx( $r ) ), 201 );
	}

	/**
	 * A ticket as this user may see it: its linked knowledge articles belong to the knowledge
	 * area and are left out for a user without pet_view_knowledge (issue 13: every screen and
	 * route shows a context only to those allowed to see it). Anything else passes through.
	 *
	 * @param mixed $ticket The engine's ticket view (or a WP_Error).
	 * @return mixed
	 */
	private static function shown( $ticket ) {
		if ( is_array( $ticket ) && ! current_user_can( Access::VIEW_KNOWLEDGE ) ) {
			unset( $ticket['linked_articles'] );
		}
		return $ticket;
	}

	/**
	 * The reopen input of a request. The reopen window is site policy (reopen_window_minutes(),
	 * the filter the ticket page uses too): a request may name its own window only with
	 * pet_manage, so staff cannot reopen past the site's window.
	 *
	 * @param array $body Request body.
	 * @return array|\WP_Error The input, or a 403 when a user without pet_manage names a window.
	 */
	private static function reopen_input( array $body ) {
		if ( array_key_exists( 'reopen_window_minutes', $body ) ) {
			// Site policy, not ticket work: a PET manager's (pet_manage), not every agent's.
			if ( ! current_user_can( Plugin::CAP_MANAGE ) ) {
				return new \WP_Error(
					'pet_forbidden',
					__( 'Only a PET manager may set the reopen window; leave it out to use the site\'s window.', 'pet' ),
					array( 'status' => 403 )
				);
			}
			return array( 'reopen_window_minutes' => $body['reopen_window_minutes'] );
		}
		$window = reopen_window_minutes();
		return null === $window ? array() : array( 'reopen_window_minutes' => $window );
	}
}
