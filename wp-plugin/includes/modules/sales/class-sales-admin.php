<?php
/**
 * Sales screens and actions (wp-admin): Leads, Lead schema, Pipeline, Quotes.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

use PetWp\Access;
use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Picker;
use PetWp\Plugin;
use PetWp\Tables\Table;
use PetWp\View;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the sales submenu pages and admin-post actions; renders the screens.
 */
final class Sales_Admin extends Module_Admin {

	/** Screens and actions of the sales area (see Module_Admin::cap()). */
	protected const AREA = 'sales';

	/** Action => [capability, handler] (see Module_Admin::ACTIONS). */
	protected const ACTIONS = array(
		'publish_lead_schema'  => array( Plugin::CAP_MANAGE, 'do_publish_schema' ),
		'create_lead'          => array( Access::MANAGE_SALES, 'do_create_lead' ),
		'update_lead'          => array( Access::MANAGE_SALES, 'do_update_lead' ),
		'contact_lead'         => array( Access::MANAGE_SALES, 'do_contact_lead' ),
		'qualify_lead'         => array( Access::MANAGE_SALES, 'do_qualify_lead' ),
		'disqualify_lead'      => array( Access::MANAGE_SALES, 'do_disqualify_lead' ),
		'create_opportunity'   => array( Access::MANAGE_SALES, 'do_create_opportunity' ),
		'lose_opportunity'     => array( Access::MANAGE_SALES, 'do_lose_opportunity' ),
		'classify_opportunity' => array( Access::MANAGE_SALES, 'do_classify_opportunity' ),
		'archive_lead'         => array( Access::MANAGE_SALES, 'do_archive_lead' ),
		'create_quote'         => array( Access::MANAGE_SALES, 'do_create_quote' ),
		'save_quote_draft'     => array( Access::MANAGE_SALES, 'do_save_draft' ),
		'send_quote'           => array( Access::MANAGE_SALES, 'do_send_quote' ),
		'draft_quote_version'  => array( Access::MANAGE_SALES, 'do_draft_version' ),
		'accept_quote'         => array( Access::MANAGE_SALES, 'do_accept_quote' ),
		'reject_quote'         => array( Access::MANAGE_SALES, 'do_reject_quote' ),
	);

	private const FIELD_TYPES = array( 'text', 'number', 'date', 'select', 'multiselect', 'bool' );

	protected const HOME_PAGE    = 'pet-leads';
	protected const SCREEN_CLASS = 'pet-sales';

	/** @var \Pet\Sales|null */
	private $sales = null;

	/**
	 * The sales pages under the PET menu.
	 */
	protected function pages(): array {
		return array(
			'pet-leads'       => array( __( 'Leads', 'pet' ), Plugin::CAP_WORK, 'page_leads' ),
			'pet-lead-schema' => array( __( 'Lead schema', 'pet' ), Plugin::CAP_WORK, 'page_schema' ),
			'pet-pipeline'    => array( __( 'Pipeline', 'pet' ), Plugin::CAP_WORK, 'page_pipeline' ),
			'pet-quotes'      => array( __( 'Quotes', 'pet' ), Plugin::CAP_WORK, 'page_quotes' ),
		);
	}

	/**
	 * The sales CSS on every sales page; on Leads the pickers (owner, customer); on Quotes the
	 * builder's live preview, whose texts, preview route and REST nonce are its data
	 * (window.petQuoteBuilder).
	 *
	 * @param string $page Page slug.
	 */
	protected function assets( string $page ): void {
		self::enqueue_style( 'sales' );
		if ( 'pet-leads' === $page ) {
			self::enqueue_pickers();
		}
		if ( 'pet-quotes' === $page ) {
			self::enqueue_script(
				'quote-builder',
				'petQuoteBuilder',
				array(
					'preview' => __( 'Preview while editing (not saved):', 'pet' ) . ' ',
					'invalid' => __( 'Preview: please correct', 'pet' ) . ' ',
					'url'     => esc_url_raw( rest_url( 'pet/v1/quotes/' ) ),
					'nonce'   => wp_create_nonce( 'wp_rest' ),
				)
			);
		}
	}

	/**
	 * Loads the list tables (core and sales).
	 */
	protected function load_tables(): void {
		parent::load_tables();
		require_once __DIR__ . '/class-sales-tables.php';
	}

	/** The sales API (shares the engine's pool). */
	private function sales(): \Pet\Sales {
		if ( null === $this->sales ) {
			$this->sales = new \Pet\Sales( Plugin::engine_settings() );
		}
		return $this->sales;
	}

	// ---- actions ----------------------------------------------------------------------------

	/** Publishes the schema editor's rows (rows with an empty key are dropped). */
	protected function do_publish_schema(): array {
		$rows = Input::posted_array( 'fields' );
		usort( $rows, static fn ( $a, $b ) => (int) ( $a['order'] ?? 0 ) <=> (int) ( $b['order'] ?? 0 ) );
		$fields = array();
		foreach ( $rows as $r ) {
			if ( '' === trim( (string) ( $r['key'] ?? '' ) ) || ! empty( $r['remove'] ) ) {
				continue;
			}
			$options  = array_values( array_filter( array_map( 'trim', explode( ',', (string) ( $r['options'] ?? '' ) ) ), 'strlen' ) );
			$fields[] = array(
				'key'      => (string) $r['key'],
				'label'    => (string) ( $r['label'] ?? '' ),
				'type'     => (string) ( $r['type'] ?? 'text' ),
				'required' => ! empty( $r['required'] ),
				'options'  => $options,
			);
		}
		$v = $this->sales()->publishLeadSchema( array( 'fields' => $fields ), $this->ctx() );
		/* translators: %d: lead schema version number. */
		return array( sprintf( __( 'Lead schema version %d published.', 'pet' ), (int) $v['number'] ) );
	}

	/**
	 * Custom values from the form, converted by the field types of schema version $number.
	 *
	 * @param array $schema Schema version.
	 */
	private static function custom_values( array $schema ): array {
		$posted = Input::posted_array( 'custom' );
		$values = array();
		foreach ( $schema['fields'] as $f ) {
			$key = (string) $f['key'];
			$raw = $posted[ $key ] ?? null;
			switch ( $f['type'] ) {
				case 'bool':
					$values[ $key ] = ! empty( $raw );
					break;
				case 'multiselect':
					$values[ $key ] = is_array( $raw ) ? array_values( $raw ) : array();
					break;
				case 'number':
					if ( is_string( $raw ) && '' !== trim( $raw ) ) {
						// A whole number is sent as an integer; anything else as text (the engine says why).
						$values[ $key ] = preg_match( '/^-?\d{1,18}$/', trim( $raw ) ) ? (int) $raw : $raw;
					}
					break;
				default:
					if ( is_string( $raw ) && '' !== $raw ) {
						$values[ $key ] = $raw;
					}
			}
		}
		return $values;
	}

	/** Captures a lead from the Leads screen's form. */
	protected function do_create_lead(): array {
		$input = array( 'source' => Input::text( 'source' ) );
		$cust  = Picker::value( 'customer_id', 'customers' );
		if ( '' !== $cust ) {
			$input['customer_id'] = $cust;
		} else {
			$input['customer_name'] = Input::text( 'customer_name' );
		}
		$owner = Picker::value( 'owner_id', 'employees' );
		if ( '' !== $owner ) {
			$input['owner_id'] = $owner;
		}
		$schema = $this->sales()->getLeadSchema( null );
		$values = null === $schema ? array() : self::custom_values( $schema );
		if ( array() !== $values ) {
			// An empty PHP array reaches the engine as a list, which it refuses here.
			$input['custom_fields'] = $values;
		}
		$lead = $this->sales()->createLead( $input, $this->ctx() );
		return array( __( 'Lead captured.', 'pet' ), Table::page_url( 'pet-leads', array( 'lead' => (string) $lead['id'] ) ) );
	}

	/** Changes a lead's source, owner and custom fields (checked by its own schema version). */
	protected function do_update_lead(): array {
		$id    = Input::text( 'id' );
		$lead  = $this->sales()->getLead( $id );
		$input = array( 'source' => Input::text( 'source' ) );
		$owner = Picker::value( 'owner_id', 'employees' );
		if ( '' !== $owner ) {
			$input['owner_id'] = $owner;
		}
		if ( null !== $lead['schema_version'] ) {
			$schema = $this->sales()->getLeadSchema( (int) $lead['schema_version'] );
			$values = null === $schema ? array() : self::custom_values( $schema );
			// No values and none before: nothing to send (an empty PHP array reaches the
			// engine as a list, which it refuses).
			if ( array() !== $values || array() !== (array) $lead['custom_values'] ) {
				$input['custom_fields'] = $values;
			}
		}
		$this->sales()->updateLead( $id, $input, $this->ctx() );
		return array( __( 'Lead updated.', 'pet' ) );
	}

	/** new → contacted. */
	protected function do_contact_lead(): array {
		$this->sales()->contactLead( Input::text( 'id' ), array( 'note' => Input::text( 'note' ) ), $this->ctx() );
		return array( __( 'Lead marked as contacted.', 'pet' ) );
	}

	/** contacted → qualified with evidence. */
	protected function do_qualify_lead(): array {
		$input  = array(
			'need'      => Input::text( 'need' ),
			'authority' => Input::text( 'authority' ),
			'timeline'  => Input::text( 'timeline' ),
			'notes'     => Input::text( 'notes' ),
		);
		$budget = Input::text( 'budget' );
		if ( '' !== $budget ) {
			// Typed in the currency's decimals; the engine checks them.
			$input['budget'] = array(
				'amount'   => $budget,
				'currency' => strtoupper( Input::text( 'currency' ) ),
			);
		}
		$this->sales()->qualifyLead( Input::text( 'id' ), $input, $this->ctx() );
		return array( __( 'Lead qualified.', 'pet' ) );
	}

	/** new | contacted → disqualified. */
	protected function do_disqualify_lead(): array {
		$this->sales()->disqualifyLead( Input::text( 'id' ), array( 'reason' => Input::text( 'reason' ) ), $this->ctx() );
		return array( __( 'Lead disqualified.', 'pet' ) );
	}

	/** Opens an opportunity from a qualified lead. */
	protected function do_create_opportunity(): array {
		$value  = array( 'currency' => strtoupper( Input::text( 'currency' ) ) );
		$amount = Input::text( 'expected_value' );
		if ( '' !== $amount ) {
			// Typed in the currency's decimals (the engine checks them); an empty value is
			// left out for the engine to refuse, not sent as zero.
			$value['amount'] = $amount;
		}
		$o = $this->sales()->createOpportunity(
			array(
				'lead_id'        => Input::text( 'lead_id' ),
				'title'          => Input::text( 'title' ),
				'expected_value' => $value,
				'expected_close' => Input::text( 'expected_close' ),
			),
			$this->ctx()
		);
		return array( __( 'Opportunity opened.', 'pet' ), Table::page_url( 'pet-pipeline', array( 'opportunity' => (string) $o['id'] ) ) );
	}

	/** Marks an opportunity lost. */
	protected function do_lose_opportunity(): array {
		$this->sales()->loseOpportunity( Input::text( 'id' ), array( 'reason' => Input::text( 'reason' ) ), $this->ctx() );
		return array( __( 'Opportunity marked as lost.', 'pet' ) );
	}

	/** Classifies an opportunity (type and size band). */
	protected function do_classify_opportunity(): array {
		$this->sales()->classifyOpportunity(
			Input::text( 'id' ),
			array(
				'kind'      => Input::text( 'kind' ),
				'size_band' => Input::text( 'size_band' ),
			),
			$this->ctx()
		);
		return array( __( 'Opportunity classified.', 'pet' ) );
	}

	/** Archives a qualified or disqualified lead. */
	protected function do_archive_lead(): array {
		$this->sales()->archiveLead( Input::text( 'id' ), $this->ctx() );
		return array( __( 'Lead archived.', 'pet' ) );
	}

	/** Creates a quote for an opportunity. */
	protected function do_create_quote(): array {
		$q = $this->sales()->createQuote( array( 'opportunity_id' => Input::text( 'opportunity_id' ) ), $this->ctx() );
		/* translators: %s: quote reference such as Q-12. */
		return array( sprintf( __( 'Quote %s created.', 'pet' ), (string) $q['reference'] ), Table::page_url( 'pet-quotes', array( 'quote' => (string) $q['id'] ) ) );
	}

	/** Saves the builder's groups and lines as the draft's content. */
	protected function do_save_draft(): array {
		$this->sales()->saveQuoteDraft( Input::text( 'id' ), Quote_Form::content( Input::posted_array( 'groups' ) ), $this->ctx() );
		return array( __( 'Draft saved. The totals shown are the engine\'s.', 'pet' ) );
	}

	/** Sends the draft. */
	protected function do_send_quote(): array {
		$q = $this->sales()->sendQuote( Input::text( 'id' ), array( 'valid_until' => Input::text( 'valid_until' ) ), $this->ctx() );
		/* translators: 1: quote reference, 2: version number. */
		return array( sprintf( __( '%1$s version %2$d sent.', 'pet' ), (string) $q['reference'], (int) $q['latest_version'] ) );
	}

	/** Drafts the next version (revise). */
	protected function do_draft_version(): array {
		$q = $this->sales()->draftQuoteVersion( Input::text( 'id' ), $this->ctx() );
		/* translators: %d: version number. */
		return array( sprintf( __( 'Version %d drafted from the latest version.', 'pet' ), (int) $q['latest_version'] ) );
	}

	/** Records acceptance (and the sale). */
	protected function do_accept_quote(): array {
		$r = $this->sales()->acceptQuote(
			Input::text( 'id' ),
			array(
				'version'         => (int) Input::text( 'version' ),
				'signed_by'       => Input::text( 'signed_by' ),
				'optional_groups' => array_values( array_filter( Input::posted_array( 'optional_groups' ), 'is_string' ) ),
			),
			$this->ctx()
		);
		/* translators: 1: quote reference, 2: sale total. */
		return array( sprintf( __( '%1$s accepted: sale of %2$s recorded.', 'pet' ), (string) $r['quote']['reference'], Table::money( $r['sale']['total'] ) ) );
	}

	/** Records rejection. */
	protected function do_reject_quote(): array {
		$this->sales()->rejectQuote(
			Input::text( 'id' ),
			array(
				'version' => (int) Input::text( 'version' ),
				'reason'  => Input::text( 'reason' ),
			),
			$this->ctx()
		);
		return array( __( 'Rejection recorded.', 'pet' ) );
	}

	// ---- data for the views ---------------------------------------------------------------

	/**
	 * Activity link of one entity.
	 *
	 * @param string $type Context type.
	 * @param string $id   Context id.
	 */
	private static function activity_url( string $type, string $id ): string {
		return Table::page_url(
			'pet-activity',
			array(
				'context_type' => $type,
				'context_id'   => $id,
			)
		);
	}

	// ---- screens --------------------------------------------------------------------------

	/**
	 * Leads: list with search and filters, capture form; or one lead.
	 */
	public function page_leads(): void {
		$id = Input::text( 'lead' );
		if ( '' !== $id ) {
			$this->screen( __( 'Lead', 'pet' ), fn () => $this->lead_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Leads', 'pet' ),
			function (): void {
				$table = new Leads_Table();
				$table->load( $this->sales() );
				$sources = array( '' => __( 'All sources', 'pet' ) );
				foreach ( $this->sales()->listLeadSources()['items'] as $src ) {
					$sources[ (string) $src ] = (string) $src;
				}
				self::view(
					'sales/leads',
					array(
						'table'    => $table,
						'status'   => Input::text( 'status' ),
						'statuses' => $table->statuses,
						'owner_id' => $table->owner_id,
						'source'   => Input::text( 'source' ),
						'sources'  => $sources,
						'schema'   => $this->sales()->getLeadSchema( null ),
					)
				);
			}
		);
	}

	/**
	 * One lead: facts, custom fields by its own schema version, next steps.
	 *
	 * @param string $id Lead id.
	 */
	private function lead_detail( string $id ): void {
		$l    = $this->sales()->getLead( $id );
		$data = array(
			'lead'          => $l,
			'activity_url'  => self::activity_url( 'lead', $id ),
			'edit'          => null,
			'opportunities' => array(),
		);
		if ( View::allows( $l, 'update' ) ) {
			$data['edit'] = array(
				'schema' => null === $l['schema_version'] ? null : $this->sales()->getLeadSchema( (int) $l['schema_version'] ),
				'values' => is_array( $l['custom_values'] ) ? $l['custom_values'] : array(),
				'open'   => '' !== Input::text( 'edit' ),
			);
		}
		if ( View::allows( $l, 'open_opportunity' ) ) {
			$data['opportunities'] = $this->sales()->listOpportunities( array( 'lead_id' => $id ) )['items'];
		}
		self::view( 'sales/lead', $data );
	}

	/**
	 * Lead schema editor: the latest version's fields as editable rows plus blank rows,
	 * publish as a new version; earlier versions listed.
	 */
	public function page_schema(): void {
		$this->screen(
			__( 'Lead schema', 'pet' ),
			function (): void {
				self::view(
					'sales/schema',
					array(
						'versions' => $this->sales()->listLeadSchemaVersions()['items'],
						'manage'   => current_user_can( Access::MANAGE_SALES ),
						'types'    => array_combine( self::FIELD_TYPES, self::FIELD_TYPES ),
					)
				);
			}
		);
	}

	/**
	 * Pipeline: stages with counts and expected value, opportunities by stage; or one
	 * opportunity with its quotes.
	 */
	public function page_pipeline(): void {
		$id = Input::text( 'opportunity' );
		if ( '' !== $id ) {
			$this->screen( __( 'Opportunity', 'pet' ), fn () => $this->opportunity_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Pipeline', 'pet' ),
			function (): void {
				$table = new Opportunities_Table();
				$table->load( $this->sales() );
				self::view(
					'sales/pipeline',
					array(
						'stages' => $this->sales()->opportunityPipeline()['stages'],
						'table'  => $table,
					)
				);
			}
		);
	}

	/**
	 * One opportunity: facts, quotes, new quote, lose.
	 *
	 * @param string $id Opportunity id.
	 */
	private function opportunity_detail( string $id ): void {
		self::view(
			'sales/opportunity',
			array(
				'opportunity'  => $this->sales()->getOpportunity( $id ),
				'quotes'       => $this->sales()->listQuotes( array( 'opportunity_id' => $id ) )['items'],
				'activity_url' => self::activity_url( 'opportunity', $id ),
			)
		);
	}

	/**
	 * Quotes: list; or one quote (versions, builder, send, revise, accept/reject, diff, print).
	 */
	public function page_quotes(): void {
		$id = Input::text( 'quote' );
		if ( '' !== $id ) {
			$this->screen( __( 'Quote', 'pet' ), fn () => $this->quote_detail( $id ) );
			return;
		}
		$this->screen(
			__( 'Quotes', 'pet' ),
			function (): void {
				$table = new Quotes_Table();
				$table->load( $this->sales() );
				self::view( 'sales/quotes', array( 'table' => $table ) );
			}
		);
	}

	/**
	 * One quote, or the printable view of one of its versions.
	 *
	 * @param string $id Quote id.
	 */
	private function quote_detail( string $id ): void {
		$q     = $this->sales()->getQuote( $id );
		$print = Input::optional_int( 'print' );
		if ( null !== $print ) {
			self::view(
				'sales/quote-print',
				array(
					'quote'   => $q,
					'version' => $this->sales()->getQuoteVersion( $id, $print ),
					'number'  => $print,
				)
			);
			return;
		}
		$diff_a = Input::optional_int( 'from' );
		$diff_b = Input::optional_int( 'to' );
		$data   = array(
			'quote'        => $q,
			'diff'         => null,
			'draft'        => null,
			'valid_until'  => wp_date( 'Y-m-d', time() + 30 * DAY_IN_SECONDS ),
			'answer'       => null,
			'sale'         => null === $q['sale_id'] ? null : $this->sales()->getSale( (string) $q['sale_id'] ),
			'activity_url' => self::activity_url( 'quote', $id ),
		);
		if ( null !== $diff_a && null !== $diff_b ) {
			$data['diff'] = array(
				'from' => $diff_a,
				'to'   => $diff_b,
				'diff' => $this->sales()->diffQuoteVersions( $id, $diff_a, $diff_b ),
			);
		}
		if ( null !== $q['draft_version'] ) {
			$data['draft'] = $this->sales()->getQuoteVersion( $id, (int) $q['draft_version'] );
		} elseif ( View::allows( $q, 'draft_next_version' ) ) {
			$sent = $q['latest_sent_version'];
			foreach ( $q['versions'] as $v ) {
				if ( $v['number'] === $sent && View::allows( $v, 'accept' ) ) {
					$groups         = $this->sales()->getQuoteVersion( $id, (int) $sent )['groups'];
					$data['answer'] = array(
						'version'  => (int) $sent,
						'optional' => array_values( array_filter( $groups, static fn ( $g ) => (bool) $g['optional'] ) ),
					);
				}
			}
		}
		self::view( 'sales/quote', $data );
	}
	/**
	 * The translated label of a lead status (the engine gives the statuses).
	 *
	 * @param string $status Status.
	 */
	public static function lead_status_label( string $status ): string {
		return match ( $status ) {
			'new'          => __( 'New', 'pet' ),
			'contacted'    => __( 'Contacted', 'pet' ),
			'qualified'    => __( 'Qualified', 'pet' ),
			'disqualified' => __( 'Disqualified', 'pet' ),
			'archived'     => __( 'Archived', 'pet' ),
			default        => $status,
		};
	}

	/**
	 * The translated label of an opportunity kind or size band (the engine gives the values).
	 *
	 * @param string $value Kind or size band.
	 */
	public static function classification_label( string $value ): string {
		return match ( $value ) {
			'new_business' => __( 'New business', 'pet' ),
			'upsell'       => __( 'Upsell', 'pet' ),
			'renewal'      => __( 'Renewal', 'pet' ),
			'small'        => __( 'Small', 'pet' ),
			'medium'       => __( 'Medium', 'pet' ),
			'large'        => __( 'Large', 'pet' ),
			'enterprise'   => __( 'Enterprise', 'pet' ),
			default        => $value,
		};
	}
}
