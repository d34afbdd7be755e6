<?php
/**
 * REST routes of the sales module under pet/v1: lead schema, leads, opportunities, the
 * pipeline, quotes (versions, draft, preview, send, accept, reject, diff) and sales. The same
 * capabilities as the sales screens (reads pet_view_sales, changes pet_manage_sales; the
 * expiry sweep pet_manage_settings); the actor is the current user's employee; an
 * Idempotency-Key header is passed to the engine; engine exceptions become WP_Error responses
 * through \PetWp\Rest::error() (the core routes' mapping: 400, 403, 404, 409, 422, 503, 500).
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

use PetWp\Access;
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
		$view = Access::VIEW_SALES;
		$work = Access::MANAGE_SALES;
		$s    = fn () => $this->sales();
		$ctx  = fn ( \WP_REST_Request $r ): array => Rest::context( $this->plugin, $r );

		// Lead schema.
		Rest::route( '/lead-schema', 'GET', $view, fn ( $r ) => $s()->listLeadSchemaVersions() );
		Rest::route( '/lead-schema', 'POST', Access::MANAGE_SALES, fn ( $r ) => $s()->publishLeadSchema( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route(
			"/lead-schema/$num",
			'GET',
			$view,
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
		Rest::route( '/leads', 'GET', $view, fn ( $r ) => $s()->listLeads( Rest::query( $r, array( 'search', 'status', 'owner_id', 'source', 'after', 'before' ) ) ) );
		Rest::route( '/leads', 'POST', $work, fn ( $r ) => $s()->createLead( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( '/lead-sources', 'GET', $view, fn ( $r ) => $s()->listLeadSources() );
		Rest::route( "/leads/$id", 'GET', $view, fn ( $r ) => $s()->getLead( (string) $r['id'] ) );
		Rest::route( "/leads/$id", 'PATCH', $work, fn ( $r ) => $s()->updateLead( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/leads/$id/contact", 'POST', $work, fn ( $r ) => $s()->contactLead( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/leads/$id/qualify", 'POST', $work, fn ( $r ) => $s()->qualifyLead( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/leads/$id/disqualify", 'POST', $work, fn ( $r ) => $s()->disqualifyLead( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/leads/$id/archive", 'POST', $work, fn ( $r ) => $s()->archiveLead( (string) $r['id'], $ctx( $r ) ) );

		// Opportunities and the pipeline.
		Rest::route( '/opportunities', 'GET', $view, fn ( $r ) => $s()->listOpportunities( Rest::query( $r, array( 'search', 'status', 'owner_id', 'customer_id', 'lead_id', 'after', 'before' ) ) ) );
		Rest::route( '/opportunities', 'POST', $work, fn ( $r ) => $s()->createOpportunity( Rest::body( $r ), $ctx( $r ) ), 201 );
		Rest::route( "/opportunities/$id", 'GET', $view, fn ( $r ) => $s()->getOpportunity( (string) $r['id'] ) );
		Rest::route( "/opportunities/$id/classify", 'POST', $work, fn ( $r ) => $s()->classifyOpportunity( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/opportunities/$id/lose", 'POST', $work, fn ( $r ) => $s()->loseOpportunity( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( '/pipeline', 'GET', $view, fn ( $r ) => $s()->opportunityPipeline() );

		// Quotes, versions and sales.
		Rest::route( '/quotes', 'GET', $view, fn ( $r ) => $s()->listQuotes( Rest::query( $r, array( 'search', 'status', 'customer_id', 'opportunity_id', 'after', 'before' ) ) ) );
		Rest::route( '/quotes', 'POST', $work, fn ( $r ) => $s()->createQuote( Rest::body( $r ), $ctx( $r ) ), 201 );
		// The expiry sweep is the job's work run now: a settings-area operation, like running jobs.
		Rest::route( '/quotes/expire', 'POST', Access::MANAGE_SETTINGS, fn ( $r ) => $s()->expireDueQuotes() );
		// Totals of content without saving it: the engine's previewQuote on {quote_id | currency,
		// groups}; /quotes/{id}/preview takes the quote builder's form fields (the live total).
		Rest::route( '/quotes/preview', 'POST', $work, fn ( $r ) => $s()->previewQuote( Rest::body( $r ) ) );
		Rest::route(
			"/quotes/$id/preview",
			'POST',
			$work,
			function ( $r ) use ( $s ) {
				$groups = $r->get_param( 'groups' );
				$input  = Quote_Form::content( is_array( $groups ) ? Rest::clean( $groups ) : array() );
				return $s()->previewQuote( array( 'quote_id' => (string) $r['id'] ) + $input );
			}
		);
		Rest::route( "/quotes/$id", 'GET', $view, fn ( $r ) => $s()->getQuote( (string) $r['id'] ) );
		Rest::route( "/quotes/$id/draft", 'PUT', $work, fn ( $r ) => $s()->saveQuoteDraft( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/quotes/$id/versions", 'POST', $work, fn ( $r ) => $s()->draftQuoteVersion( (string) $r['id'], $ctx( $r ) ), 201 );
		Rest::route( "/quotes/$id/versions/latest", 'GET', $view, fn ( $r ) => $s()->getQuoteVersion( (string) $r['id'], null ) );
		Rest::route( "/quotes/$id/versions/$num", 'GET', $view, fn ( $r ) => $s()->getQuoteVersion( (string) $r['id'], (int) $r['number'] ) );
		Rest::route(
			"/quotes/$id/diff",
			'GET',
			$view,
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
		Rest::route( "/quotes/$id/send", 'POST', $work, fn ( $r ) => $s()->sendQuote( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/quotes/$id/accept", 'POST', $work, fn ( $r ) => $s()->acceptQuote( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/quotes/$id/reject", 'POST', $work, fn ( $r ) => $s()->rejectQuote( (string) $r['id'], Rest::body( $r ), $ctx( $r ) ) );
		Rest::route( "/sales/$id", 'GET', $view, fn ( $r ) => $s()->getSale( (string) $r['id'] ) );
	}
}
