<?php
/**
 * Sales screens and actions (wp-admin): Leads, Lead schema, Pipeline, Quotes.
 *
 * @package PetWp
 */

namespace PetWp\Modules\Sales;

use PetWp\Input;
use PetWp\Module_Admin;
use PetWp\Plugin;
use PetWp\Tables\Table;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the sales submenu pages and admin-post actions; renders the screens.
 */
final class Sales_Admin extends Module_Admin {

	/** Action => [capability, handler] (see Module_Admin::ACTIONS). */
	protected const ACTIONS = array(
		'publish_lead_schema'  => array( Plugin::CAP_MANAGE, 'do_publish_schema' ),
		'create_lead'          => array( Plugin::CAP_WORK, 'do_create_lead' ),
		'update_lead'          => array( Plugin::CAP_WORK, 'do_update_lead' ),
		'contact_lead'         => array( Plugin::CAP_WORK, 'do_contact_lead' ),
		'qualify_lead'         => array( Plugin::CAP_WORK, 'do_qualify_lead' ),
		'disqualify_lead'      => array( Plugin::CAP_WORK, 'do_disqualify_lead' ),
		'create_opportunity'   => array( Plugin::CAP_WORK, 'do_create_opportunity' ),
		'lose_opportunity'     => array( Plugin::CAP_WORK, 'do_lose_opportunity' ),
		'classify_opportunity' => array( Plugin::CAP_WORK, 'do_classify_opportunity' ),
		'archive_lead'         => array( Plugin::CAP_WORK, 'do_archive_lead' ),
		'create_quote'         => array( Plugin::CAP_WORK, 'do_create_quote' ),
		'save_quote_draft'     => array( Plugin::CAP_WORK, 'do_save_draft' ),
		'send_quote'           => array( Plugin::CAP_WORK, 'do_send_quote' ),
		'draft_quote_version'  => array( Plugin::CAP_WORK, 'do_draft_version' ),
		'accept_quote'         => array( Plugin::CAP_WORK, 'do_accept_quote' ),
		'reject_quote'         => array( Plugin::CAP_WORK, 'do_reject_quote' ),
	);

	private const FIELD_TYPES = array( 'text', 'number', 'date', 'select', 'multiselect', 'bool' );

	protected const HOME_PAGE    = 'pet-leads';
	protected const SCREEN_CLASS = 'pet-sales';

	/** @var \Pet\Sales|null */
	private $sales = null;

	/**
	 * The sales pages under the PET menu.
	 */
	public function menu(): void {
		$this->add_pages(
			array(
				'pet-leads'       => array( __( 'Leads', 'pet' ), Plugin::CAP_WORK, 'page_leads' ),
				'pet-lead-schema' => array( __( 'Lead schema', 'pet' ), Plugin::CAP_WORK, 'page_schema' ),
				'pet-pipeline'    => array( __( 'Pipeline', 'pet' ), Plugin::CAP_WORK, 'page_pipeline' ),
				'pet-quotes'      => array( __( 'Quotes', 'pet' ), Plugin::CAP_WORK, 'page_quotes' ),
			)
		);
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

	/**
	 * A decimal amount ("120", "120.5", "120,50") as minor units; null when empty.
	 *
	 * @param string $v     Text.
	 * @param string $field Field name for the error.
	 */
	private static function minor( string $v, string $field ): ?int {
		$v = str_replace( ',', '.', trim( $v ) );
		if ( '' === $v ) {
			return null;
		}
		if ( ! preg_match( '/^(-?)(\d{1,15})(?:\.(\d{1,2}))?$/', $v, $m ) ) {
			throw new \PetWp\Input_Exception( __( 'Please correct the form.', 'pet' ), array( $field => __( 'must be an amount like 85 or 85.50', 'pet' ) ) );
		}
		$n = (int) $m[2] * 100 + (int) str_pad( $m[3] ?? '0', 2, '0' );
		return '-' === $m[1] ? -$n : $n;
	}

	/**
	 * A percentage ("20", "7.5") as basis points; null when empty.
	 *
	 * @param string $v     Text.
	 * @param string $field Field name for the error.
	 */
	private static function basis_points( string $v, string $field ): ?int {
		$v = str_replace( ',', '.', trim( $v ) );
		if ( '' === $v ) {
			return null;
		}
		if ( ! preg_match( '/^(-?\d{1,5})(?:\.(\d{1,2}))?$/', $v, $m ) ) {
			throw new \PetWp\Input_Exception( __( 'Please correct the form.', 'pet' ), array( $field => __( 'must be a percentage like 20 or 7.5', 'pet' ) ) );
		}
		return (int) $m[1] * 100 + (int) str_pad( $m[2] ?? '0', 2, '0' );
	}

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
		$cust  = Input::text( 'customer_id' );
		if ( '' !== $cust ) {
			$input['customer_id'] = $cust;
		} else {
			$input['customer_name'] = Input::text( 'customer_name' );
		}
		$owner = Input::text( 'owner_id' );
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
		$owner = Input::text( 'owner_id' );
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
		$budget = self::minor( Input::text( 'budget' ), 'budget' );
		if ( null !== $budget ) {
			$input['budget'] = array(
				'amount_minor' => $budget,
				'currency'     => strtoupper( Input::text( 'currency' ) ),
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
		$amount = self::minor( Input::text( 'expected_value' ), 'expected_value' );
		if ( null !== $amount ) {
			// An empty value is left out for the engine to refuse, not sent as zero.
			$value['amount_minor'] = $amount;
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
		$groups = array();
		foreach ( Input::posted_array( 'groups' ) as $gi => $g ) {
			if ( ! is_array( $g ) || ! empty( $g['remove'] ) ) {
				continue;
			}
			$lines = array();
			foreach ( (array) ( $g['lines'] ?? array() ) as $li => $l ) {
				if ( ! is_array( $l ) || ! empty( $l['remove'] ) || '' === trim( (string) ( $l['description'] ?? '' ) ) ) {
					continue;
				}
				$field = "groups.$gi.lines.$li";
				$line  = array(
					'line_id'          => (string) ( $l['line_id'] ?? '' ),
					'kind'             => (string) ( $l['kind'] ?? 'fixed_fee' ),
					'description'      => (string) $l['description'],
					'quantity'         => preg_match( '/^-?\d{1,12}$/', trim( (string) ( $l['quantity'] ?? '' ) ) ) ? (int) $l['quantity'] : (string) ( $l['quantity'] ?? '' ),
					// A blank tax rate means no tax (the form's stated default).
					'tax_rate_bp'      => self::basis_points( (string) ( $l['tax_rate'] ?? '' ), "$field.tax_rate_bp" ) ?? 0,
				);
				// A blank price is left out: the engine names the missing field (no silent 0).
				$price = self::minor( (string) ( $l['unit_price'] ?? '' ), "$field.unit_price" );
				if ( null !== $price ) {
					$line['unit_price_minor'] = $price;
				}
				// One "role / interval" column: a labour line's role, a recurring line's interval.
				$detail = trim( (string) ( $l['detail'] ?? '' ) );
				if ( 'labour' === $line['kind'] && '' !== $detail ) {
					$line['role'] = $detail;
				}
				if ( 'recurring' === $line['kind'] ) {
					$line['interval'] = '' === $detail ? 'monthly' : $detail;
				}
				if ( 'amount' === ( $l['discount_type'] ?? 'percent' ) ) {
					$discount = self::minor( (string) ( $l['discount'] ?? '' ), "$field.discount.amount_minor" );
					if ( null !== $discount && 0 !== $discount ) {
						$line['discount'] = array(
							'type'         => 'amount',
							'amount_minor' => $discount,
						);
					}
				} else {
					$discount = self::basis_points( (string) ( $l['discount'] ?? '' ), "$field.discount.basis_points" );
					if ( null !== $discount && 0 !== $discount ) {
						$line['discount'] = array(
							'type'         => 'percent',
							'basis_points' => $discount,
						);
					}
				}
				$lines[] = $line;
			}
			if ( '' === trim( (string) ( $g['title'] ?? '' ) ) && array() === $lines && '' === (string) ( $g['group_id'] ?? '' ) ) {
				continue; // The blank "new group" row, left empty.
			}
			$groups[] = array(
				'group_id' => (string) ( $g['group_id'] ?? '' ),
				'title'    => (string) ( $g['title'] ?? '' ),
				'optional' => ! empty( $g['optional'] ),
				'lines'    => $lines,
			);
		}
		$this->sales()->saveQuoteDraft( Input::text( 'id' ), array( 'groups' => $groups ), $this->ctx() );
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

	// ---- helpers --------------------------------------------------------------------------

	/**
	 * An input for one custom field of a schema version, optionally holding a value.
	 *
	 * @param array $f     Field definition.
	 * @param mixed $value Current value (null: none).
	 */
	private static function custom_input( array $f, $value = null ): void {
		$key  = (string) $f['key'];
		$name = 'custom[' . $key . ']';
		$id   = 'pet-custom-' . $key;
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( (string) $f['label'] ) . ( $f['required'] ? ' *' : '' ) . '</label></th><td>';
		switch ( $f['type'] ) {
			case 'bool':
				echo '<input type="checkbox" name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" value="1"' . checked( true === $value, true, false ) . '>';
				break;
			case 'select':
				$opts = array( '' => '—' );
				foreach ( $f['options'] as $o ) {
					$opts[ (string) $o ] = (string) $o;
				}
				self::select( $name, $opts, is_scalar( $value ) ? (string) $value : '', $id );
				break;
			case 'multiselect':
				$chosen = is_array( $value ) ? array_map( 'strval', $value ) : array();
				foreach ( $f['options'] as $i => $o ) {
					echo '<label><input type="checkbox" name="' . esc_attr( $name . '[]' ) . '" value="' . esc_attr( (string) $o ) . '"' . ( 0 === $i ? ' id="' . esc_attr( $id ) . '"' : '' ) . checked( in_array( (string) $o, $chosen, true ), true, false ) . '> ' . esc_html( (string) $o ) . '</label> ';
				}
				break;
			default:
				$type = array(
					'number' => 'number',
					'date'   => 'date',
				)[ $f['type'] ] ?? 'text';
				echo '<input type="' . esc_attr( $type ) . '" name="' . esc_attr( $name ) . '" id="' . esc_attr( $id ) . '" class="regular-text" value="' . esc_attr( is_scalar( $value ) && ! is_bool( $value ) ? (string) $value : '' ) . '">';
		}
		echo '</td></tr>';
	}

	/** Inline styles of the sales screens. */
	private static function styles(): void {
		echo '<style>.pet-status{padding:1px 6px;border-radius:3px;background:#f0f0f1}.pet-status-superseded,.pet-status-expired{background:#fcf0f1;color:#8a2424;text-decoration:line-through}'
			. '.pet-status-accepted{background:#edfaef;color:#1e6b2a}.pet-status-sent{background:#f0f6fc}.pet-diff-added{background:#edfaef}.pet-diff-removed{background:#fcf0f1}.pet-diff-changed{background:#fcf9e8}'
			. '.pet-builder input.small{width:6em}.pet-nowrap{white-space:nowrap}.pet-builder .pet-group{border:1px solid #c3c4c7;padding:8px;margin:8px 0;background:#fff;box-sizing:border-box;overflow-x:auto}.pet-stages{display:flex;gap:12px}.pet-stage{border:1px solid #c3c4c7;background:#fff;padding:8px 12px;min-width:160px}'
			. '@media print{#adminmenumain,#wpadminbar,.pet-noprint,.notice{display:none!important}#wpcontent{margin-left:0}}</style>';
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
				echo '<form method="get"><input type="hidden" name="page" value="pet-leads">';
				echo '<div class="alignleft actions">';
				self::select(
					'status',
					array(
						''             => __( 'All statuses', 'pet' ),
						'new'          => __( 'New', 'pet' ),
						'contacted'    => __( 'Contacted', 'pet' ),
						'qualified'    => __( 'Qualified', 'pet' ),
						'disqualified' => __( 'Disqualified', 'pet' ),
						'archived'     => __( 'Archived', 'pet' ),
					),
					Input::text( 'status' ),
					'pet-filter-status'
				);
				self::select( 'owner_id', $this->employee_options( array( '' => __( 'All owners', 'pet' ) ) ), Input::text( 'owner_id' ), 'pet-filter-owner' );
				$sources = array( '' => __( 'All sources', 'pet' ) );
				foreach ( $this->sales()->listLeadSources()['items'] as $s ) {
					$sources[ (string) $s ] = (string) $s;
				}
				self::select( 'source', $sources, Input::text( 'source' ), 'pet-filter-source' );
				submit_button( __( 'Filter', 'pet' ), '', 'filter_action', false );
				echo '</div>';
				$table->search_box( __( 'Search leads', 'pet' ), 'pet-lead' );
				echo '</form>';
				$table->display();
				$this->lead_form();
			}
		);
	}

	/** The capture form, with the latest schema version's custom fields. */
	private function lead_form(): void {
		$schema = $this->sales()->getLeadSchema( null );
		echo '<h2>' . esc_html__( 'Capture a lead', 'pet' ) . '</h2>';
		self::form_open( 'create_lead', array(), 'pet-create-lead' );
		echo '<table class="form-table" role="presentation">';
		echo '<tr><th scope="row"><label for="pet-customer-id">' . esc_html__( 'Existing customer', 'pet' ) . '</label></th><td>';
		self::select( 'customer_id', $this->customer_options( array( '' => __( '— a new company —', 'pet' ) ) ), '', 'pet-customer-id' );
		echo '</td></tr>';
		self::field( 'customer_name', __( 'New company name', 'pet' ) );
		self::field( 'source', __( 'Source', 'pet' ), 'text', '', 'required' );
		echo '<tr><th scope="row"><label for="pet-owner-id">' . esc_html__( 'Owner', 'pet' ) . '</label></th><td>';
		self::select( 'owner_id', $this->employee_options( array( '' => __( '— me —', 'pet' ) ) ), '', 'pet-owner-id' );
		echo '</td></tr>';
		if ( null !== $schema ) {
			foreach ( $schema['fields'] as $f ) {
				self::custom_input( $f );
			}
		}
		echo '</table>';
		if ( null !== $schema ) {
			/* translators: %d: lead schema version number. */
			echo '<p class="description">' . esc_html( sprintf( __( 'Custom fields of lead schema version %d.', 'pet' ), (int) $schema['number'] ) ) . '</p>';
		}
		submit_button( __( 'Capture lead', 'pet' ) );
		echo '</form>';
	}

	/**
	 * One lead: facts, custom fields by its own schema version, next steps.
	 *
	 * @param string $id Lead id.
	 */
	private function lead_detail( string $id ): void {
		self::styles();
		$l = $this->sales()->getLead( $id );
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-leads' ) ) . '">&larr; ' . esc_html__( 'All leads', 'pet' ) . '</a></p>';
		echo '<h2>' . esc_html( (string) $l['company_name'] ) . ' ' . self::badge( (string) $l['status'] ) . '</h2>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
		echo '<table class="widefat striped pet-lead-facts" style="max-width:48em"><tbody>';
		$rows = array(
			__( 'Source', 'pet' ) => (string) $l['source'],
			__( 'Owner', 'pet' )  => (string) ( $l['owner_name'] ?? '' ),
			__( 'Captured', 'pet' ) => Table::when( $l['created_at'] ),
		);
		foreach ( $rows as $k => $v ) {
			echo '<tr><th>' . esc_html( $k ) . '</th><td>' . esc_html( $v ) . '</td></tr>';
		}
		foreach ( $l['custom_fields'] as $f ) {
			echo '<tr><th>' . esc_html( (string) $f['label'] ) . '</th><td>' . esc_html( (string) ( $f['display'] ?? '—' ) ) . '</td></tr>';
		}
		echo '</tbody></table>';
		if ( null !== $l['schema_version'] ) {
			/* translators: %d: lead schema version number. */
			echo '<p class="description">' . esc_html( sprintf( __( 'Captured with lead schema version %d; shown by that version.', 'pet' ), (int) $l['schema_version'] ) ) . '</p>';
		}
		if ( 'archived' !== (string) $l['status'] ) {
			$this->lead_edit_form( $l );
		}
		if ( is_array( $l['qualification'] ) ) {
			$q = $l['qualification'];
			echo '<h3>' . esc_html__( 'Qualification', 'pet' ) . '</h3><ul>';
			echo '<li>' . esc_html__( 'Need:', 'pet' ) . ' ' . esc_html( (string) $q['need'] ) . '</li>';
			echo '<li>' . esc_html__( 'Budget:', 'pet' ) . ' ' . esc_html( Table::money( $q['budget'] ) ) . '</li>';
			echo '<li>' . esc_html__( 'Authority:', 'pet' ) . ' ' . esc_html( (string) ( $q['authority'] ?? '—' ) ) . '</li>';
			echo '<li>' . esc_html__( 'Timeline:', 'pet' ) . ' ' . esc_html( (string) ( $q['timeline'] ?? '—' ) ) . '</li></ul>';
		}
		if ( null !== $l['disqualification_reason'] ) {
			echo '<p><strong>' . esc_html__( 'Disqualified:', 'pet' ) . '</strong> ' . esc_html( (string) $l['disqualification_reason'] ) . '</p>';
		}
		$status = (string) $l['status'];
		// Which steps exist is the engine's (next_statuses); the forms are the screen's.
		$next = array_map( 'strval', (array) ( $l['next_statuses'] ?? array() ) );
		if ( in_array( 'contacted', $next, true ) ) {
			echo '<h3>' . esc_html__( 'Mark as contacted', 'pet' ) . '</h3>';
			self::form_open( 'contact_lead', array( 'id' => $id ), 'pet-contact-lead' );
			echo '<table class="form-table" role="presentation">';
			self::field( 'note', __( 'How it went', 'pet' ) );
			echo '</table>';
			submit_button( __( 'Mark contacted', 'pet' ) );
			echo '</form>';
		}
		if ( in_array( 'qualified', $next, true ) ) {
			echo '<h3>' . esc_html__( 'Qualify', 'pet' ) . '</h3>';
			self::form_open( 'qualify_lead', array( 'id' => $id ), 'pet-qualify-lead' );
			echo '<table class="form-table" role="presentation">';
			self::field( 'need', __( 'Need', 'pet' ), 'text', '', 'required' );
			self::field( 'budget', __( 'Budget', 'pet' ) );
			self::field( 'currency', __( 'Currency', 'pet' ), 'text', 'EUR' );
			self::field( 'authority', __( 'Authority (who decides)', 'pet' ) );
			self::field( 'timeline', __( 'Timeline', 'pet' ) );
			self::field( 'notes', __( 'Notes', 'pet' ) );
			echo '</table>';
			submit_button( __( 'Qualify', 'pet' ) );
			echo '</form>';
		}
		if ( in_array( 'disqualified', $next, true ) ) {
			echo '<h3>' . esc_html__( 'Disqualify', 'pet' ) . '</h3>';
			self::form_open( 'disqualify_lead', array( 'id' => $id ), 'pet-disqualify-lead' );
			echo '<table class="form-table" role="presentation">';
			self::field( 'reason', __( 'Reason', 'pet' ), 'text', '', 'required' );
			echo '</table>';
			submit_button( __( 'Disqualify', 'pet' ), 'secondary' );
			echo '</form>';
		}
		if ( 'qualified' === $status ) {
			echo '<h3>' . esc_html__( 'Open an opportunity', 'pet' ) . '</h3>';
			self::form_open( 'create_opportunity', array( 'lead_id' => $id ), 'pet-create-opportunity' );
			echo '<table class="form-table" role="presentation">';
			self::field( 'title', __( 'Title', 'pet' ), 'text', '', 'required' );
			self::field( 'expected_value', __( 'Expected value', 'pet' ), 'text', '', 'required' );
			self::field( 'currency', __( 'Currency', 'pet' ), 'text', 'EUR' );
			self::field( 'expected_close', __( 'Expected close', 'pet' ), 'date', '', 'required' );
			echo '</table>';
			submit_button( __( 'Open opportunity', 'pet' ) );
			echo '</form>';
			$opps = $this->sales()->listOpportunities( array( 'lead_id' => $id ) )['items'];
			if ( array() !== $opps ) {
				echo '<h3>' . esc_html__( 'Opportunities', 'pet' ) . '</h3><ul>';
				foreach ( $opps as $o ) {
					echo '<li><a href="' . esc_url( Table::page_url( 'pet-pipeline', array( 'opportunity' => (string) $o['id'] ) ) ) . '">' . esc_html( (string) $o['title'] ) . '</a> ' . self::badge( (string) $o['status'] ) . '</li>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
				}
				echo '</ul>';
			}
		}
		if ( in_array( 'archived', $next, true ) ) {
			self::form_open( 'archive_lead', array( 'id' => $id ), 'pet-archive-lead' );
			submit_button( __( 'Archive lead', 'pet' ), 'secondary', 'submit', false );
			echo '</form>';
		}
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'lead', 'context_id' => $id ) ) ) . '">' . esc_html__( 'Activity of this lead', 'pet' ) . '</a></p>';
	}

	/**
	 * Edit form of a lead: source, owner and the custom fields of the lead's own schema
	 * version (not the latest), filled with the current values; folded until opened.
	 *
	 * @param array $l Lead.
	 */
	private function lead_edit_form( array $l ): void {
		$schema = null === $l['schema_version'] ? null : $this->sales()->getLeadSchema( (int) $l['schema_version'] );
		$values = is_array( $l['custom_values'] ) ? $l['custom_values'] : array();
		echo '<details class="pet-edit-lead"' . ( '' !== Input::text( 'edit' ) ? ' open' : '' ) . '><summary>' . esc_html__( 'Edit lead', 'pet' ) . '</summary>';
		self::form_open( 'update_lead', array( 'id' => (string) $l['id'] ), 'pet-update-lead' );
		echo '<table class="form-table" role="presentation">';
		self::field( 'source', __( 'Source', 'pet' ), 'text', (string) $l['source'], 'required' );
		echo '<tr><th scope="row"><label for="pet-edit-owner-id">' . esc_html__( 'Owner', 'pet' ) . '</label></th><td>';
		self::select( 'owner_id', $this->employee_options( array( '' => __( '— unchanged —', 'pet' ) ) ), (string) $l['owner_id'], 'pet-edit-owner-id' );
		echo '</td></tr>';
		if ( null !== $schema ) {
			foreach ( $schema['fields'] as $f ) {
				self::custom_input( $f, $values[ (string) $f['key'] ] ?? null );
			}
		}
		echo '</table>';
		if ( null !== $schema ) {
			/* translators: %d: lead schema version number. */
			echo '<p class="description">' . esc_html( sprintf( __( 'The fields of lead schema version %d, the version this lead was captured with.', 'pet' ), (int) $schema['number'] ) ) . '</p>';
		}
		submit_button( __( 'Save lead', 'pet' ), 'secondary' );
		echo '</form></details>';
	}

	/**
	 * Lead schema editor: the latest version's fields as editable rows plus blank rows,
	 * publish as a new version; earlier versions listed.
	 */
	public function page_schema(): void {
		$this->screen(
			__( 'Lead schema', 'pet' ),
			function (): void {
				$versions = $this->sales()->listLeadSchemaVersions()['items'];
				$latest   = $versions[0] ?? null;
				$rows     = null === $latest ? array() : $latest['fields'];
				if ( current_user_can( Plugin::CAP_MANAGE ) ) {
					echo '<p>' . esc_html__( 'Publishing makes a new, immutable version. Leads keep the version they were captured with. Reorder with the "Order" column; empty rows are ignored.', 'pet' ) . '</p>';
					self::form_open( 'publish_lead_schema', array(), 'pet-schema-editor' );
					echo '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'Order', 'pet' ) . '</th><th>' . esc_html__( 'Key', 'pet' ) . '</th><th>' . esc_html__( 'Label', 'pet' ) . '</th><th>' . esc_html__( 'Type', 'pet' ) . '</th><th>' . esc_html__( 'Required', 'pet' ) . '</th><th>' . esc_html__( 'Options (comma separated)', 'pet' ) . '</th><th>' . esc_html__( 'Remove', 'pet' ) . '</th></tr></thead><tbody>';
					$types = array_combine( self::FIELD_TYPES, self::FIELD_TYPES );
					$n     = count( $rows ) + 3;
					for ( $i = 0; $i < $n; $i++ ) {
						$f = $rows[ $i ] ?? array(
							'key'      => '',
							'label'    => '',
							'type'     => 'text',
							'required' => false,
							'options'  => array(),
						);
						$p = "fields[$i]";
						echo '<tr>';
						echo '<td><input type="number" class="small-text" name="' . esc_attr( $p . '[order]' ) . '" value="' . esc_attr( (string) ( ( $i + 1 ) * 10 ) ) . '"></td>';
						echo '<td><input type="text" name="' . esc_attr( $p . '[key]' ) . '" value="' . esc_attr( (string) $f['key'] ) . '" id="' . esc_attr( "pet-field-$i-key" ) . '"></td>';
						echo '<td><input type="text" name="' . esc_attr( $p . '[label]' ) . '" value="' . esc_attr( (string) $f['label'] ) . '" id="' . esc_attr( "pet-field-$i-label" ) . '"></td><td>';
						self::select( $p . '[type]', $types, (string) $f['type'], "pet-field-$i-type" );
						echo '</td><td><input type="checkbox" name="' . esc_attr( $p . '[required]' ) . '" value="1"' . checked( (bool) $f['required'], true, false ) . ' id="' . esc_attr( "pet-field-$i-required" ) . '"></td>';
						echo '<td><input type="text" name="' . esc_attr( $p . '[options]' ) . '" value="' . esc_attr( implode( ', ', (array) $f['options'] ) ) . '" id="' . esc_attr( "pet-field-$i-options" ) . '"></td>';
						echo '<td><input type="checkbox" name="' . esc_attr( $p . '[remove]' ) . '" value="1"></td>';
						echo '</tr>';
					}
					echo '</tbody></table>';
					submit_button( __( 'Publish new version', 'pet' ) );
					echo '</form>';
				}
				echo '<h2>' . esc_html__( 'Published versions', 'pet' ) . '</h2>';
				if ( array() === $versions ) {
					echo '<p>' . esc_html__( 'No version is published yet: leads have no custom fields.', 'pet' ) . '</p>';
				}
				foreach ( $versions as $v ) {
					/* translators: 1: version number, 2: date. */
					echo '<h3>' . esc_html( sprintf( __( 'Version %1$d — %2$s', 'pet' ), (int) $v['number'], Table::when( $v['published_at'] ) ) ) . '</h3><ul>';
					foreach ( $v['fields'] as $f ) {
						echo '<li><code>' . esc_html( (string) $f['key'] ) . '</code> ' . esc_html( (string) $f['label'] ) . ' (' . esc_html( (string) $f['type'] ) . ( $f['required'] ? ', ' . esc_html__( 'required', 'pet' ) : '' ) . ')'
							. ( array() !== $f['options'] ? ': ' . esc_html( implode( ', ', $f['options'] ) ) : '' ) . '</li>';
					}
					echo '</ul>';
				}
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
				self::styles();
				$pipe = $this->sales()->opportunityPipeline();
				echo '<div class="pet-stages">';
				foreach ( $pipe['stages'] as $s ) {
					$values = array_map( array( Table::class, 'money' ), $s['expected_value'] );
					echo '<div class="pet-stage" id="' . esc_attr( 'pet-stage-' . $s['status'] ) . '"><h3><a href="' . esc_url( Table::page_url( 'pet-pipeline', array( 'status' => (string) $s['status'] ) ) ) . '">' . esc_html( ucfirst( (string) $s['status'] ) ) . '</a></h3>';
					/* translators: %d: number of opportunities. */
					echo '<p class="pet-stage-count">' . esc_html( sprintf( _n( '%d opportunity', '%d opportunities', (int) $s['count'], 'pet' ), (int) $s['count'] ) ) . '</p>';
					echo '<p class="pet-stage-value">' . esc_html( array() === $values ? '—' : implode( ' + ', $values ) ) . '</p></div>';
				}
				echo '</div>';
				$table = new Opportunities_Table();
				$table->load( $this->sales() );
				$table->display();
			}
		);
	}

	/**
	 * One opportunity: facts, quotes, new quote, lose.
	 *
	 * @param string $id Opportunity id.
	 */
	private function opportunity_detail( string $id ): void {
		self::styles();
		$o = $this->sales()->getOpportunity( $id );
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-pipeline' ) ) . '">&larr; ' . esc_html__( 'Pipeline', 'pet' ) . '</a></p>';
		echo '<h2>' . esc_html( (string) $o['title'] ) . ' ' . self::badge( (string) $o['status'] ) . '</h2>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
		echo '<p>' . esc_html( (string) $o['customer_name'] ) . ' · ' . esc_html( Table::money( $o['expected_value'] ) ) . ' · ' . esc_html( (string) $o['expected_close'] ) . '</p>';
		if ( 'lost' === $o['status'] ) {
			echo '<p class="pet-lost-reason"><strong>' . esc_html__( 'Lost:', 'pet' ) . '</strong> ' . esc_html( (string) ( $o['lost_reason'] ?? '' ) ) . '</p>';
		}
		if ( null !== $o['won_quote_id'] ) {
			echo '<p class="pet-won"><strong>' . esc_html__( 'Won', 'pet' ) . '</strong> · <a href="' . esc_url( Table::page_url( 'pet-quotes', array( 'quote' => (string) $o['won_quote_id'] ) ) ) . '">' . esc_html__( 'the accepted quote and its sale', 'pet' ) . '</a></p>';
		}
		$quotes = $this->sales()->listQuotes( array( 'opportunity_id' => $id ) )['items'];
		echo '<h3>' . esc_html__( 'Quotes', 'pet' ) . '</h3><ul>';
		foreach ( $quotes as $q ) {
			echo '<li><a href="' . esc_url( Table::page_url( 'pet-quotes', array( 'quote' => (string) $q['id'] ) ) ) . '">' . esc_html( $q['reference'] . ' ' . $q['title'] ) . '</a> ' . self::badge( (string) $q['status'] ) . ' ' . esc_html( Table::money( $q['total'] ) ) . '</li>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
		}
		echo '</ul>';
		if ( null !== $o['kind'] ) {
			/* translators: 1: opportunity type, 2: size band. */
			echo '<p>' . esc_html( sprintf( __( 'Classified as %1$s, %2$s.', 'pet' ), str_replace( '_', ' ', (string) $o['kind'] ), (string) $o['size_band'] ) ) . '</p>';
		}
		if ( in_array( $o['status'], array( 'open', 'quoting' ), true ) ) {
			self::form_open( 'classify_opportunity', array( 'id' => $id ), 'pet-classify-opportunity' );
			self::select(
				'kind',
				array(
					'new_business' => __( 'New business', 'pet' ),
					'upsell'       => __( 'Upsell', 'pet' ),
					'renewal'      => __( 'Renewal', 'pet' ),
				),
				(string) ( $o['kind'] ?? '' )
			);
			self::select(
				'size_band',
				array(
					'small'      => __( 'Small', 'pet' ),
					'medium'     => __( 'Medium', 'pet' ),
					'large'      => __( 'Large', 'pet' ),
					'enterprise' => __( 'Enterprise', 'pet' ),
				),
				(string) ( $o['size_band'] ?? '' )
			);
			submit_button( __( 'Classify', 'pet' ), 'secondary', 'submit', false );
			echo '</form><br>';
			self::form_open( 'create_quote', array( 'opportunity_id' => $id ), 'pet-create-quote' );
			submit_button( __( 'New quote', 'pet' ), 'primary', 'submit', false );
			echo '</form>';
			echo '<h3>' . esc_html__( 'Mark as lost', 'pet' ) . '</h3>';
			self::form_open( 'lose_opportunity', array( 'id' => $id ), 'pet-lose-opportunity' );
			echo '<input type="text" name="reason" required placeholder="' . esc_attr__( 'Reason', 'pet' ) . '"> ';
			submit_button( __( 'Lost', 'pet' ), 'secondary', 'submit', false );
			echo '</form>';
		}
		echo '<p><a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'opportunity', 'context_id' => $id ) ) ) . '">' . esc_html__( 'Activity of this opportunity', 'pet' ) . '</a></p>';
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
				self::styles();
				$table = new Quotes_Table();
				$table->load( $this->sales() );
				echo '<form method="get"><input type="hidden" name="page" value="pet-quotes">';
				$table->search_box( __( 'Search quotes', 'pet' ), 'pet-quote' );
				echo '</form>';
				$table->display();
			}
		);
	}

	/**
	 * One quote.
	 *
	 * @param string $id Quote id.
	 */
	private function quote_detail( string $id ): void {
		self::styles();
		$q      = $this->sales()->getQuote( $id );
		$print  = Input::optional_int( 'print' );
		$diff_a = Input::optional_int( 'from' );
		$diff_b = Input::optional_int( 'to' );
		if ( null !== $print ) {
			$this->print_view( $id, $print );
			return;
		}
		echo '<p class="pet-noprint"><a href="' . esc_url( Table::page_url( 'pet-quotes' ) ) . '">&larr; ' . esc_html__( 'All quotes', 'pet' ) . '</a></p>';
		echo '<h2>' . esc_html( $q['reference'] . ' — ' . $q['title'] ) . ' ' . self::badge( (string) $q['status'] ) . '</h2>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
		echo '<p>' . esc_html( (string) $q['customer_name'] ) . ' · ' . esc_html( (string) $q['currency'] ) . '</p>';
		// Versions.
		echo '<table class="widefat striped pet-versions"><thead><tr><th>' . esc_html__( 'Version', 'pet' ) . '</th><th>' . esc_html__( 'Status', 'pet' ) . '</th><th>' . esc_html__( 'Total', 'pet' ) . '</th><th>' . esc_html__( 'Valid until', 'pet' ) . '</th><th>' . esc_html__( 'Content hash', 'pet' ) . '</th><th></th></tr></thead><tbody>';
		foreach ( $q['versions'] as $v ) {
			$total = array(
				'amount_minor' => $v['totals']['total_minor'],
				'currency'     => $q['currency'],
			);
			echo '<tr class="' . esc_attr( 'pet-version-' . $v['status'] ) . '"><td>' . (int) $v['number'] . '</td><td>' . self::badge( (string) $v['status'] ) // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
				. ( null !== $v['superseded_by'] ? ' ' . esc_html( sprintf( /* translators: %d: version number. */ __( 'by version %d', 'pet' ), (int) $v['superseded_by'] ) ) : '' ) . '</td>';
			echo '<td>' . esc_html( Table::money( $total ) ) . '</td><td>' . esc_html( (string) ( $v['valid_until'] ?? '—' ) ) . '</td><td>' . ( null !== $v['content_hash'] ? '<code title="' . esc_attr( (string) $v['content_hash'] ) . '">' . esc_html( substr( (string) $v['content_hash'], 0, 12 ) ) . '</code>' : '—' ) . '</td>';
			echo '<td><a href="' . esc_url( Table::page_url( 'pet-quotes', array( 'quote' => $id, 'print' => (string) $v['number'] ) ) ) . '">' . esc_html__( 'Printable', 'pet' ) . '</a>';
			if ( $v['number'] > 1 ) {
				echo ' · <a href="' . esc_url( Table::page_url( 'pet-quotes', array( 'quote' => $id, 'from' => (string) ( $v['number'] - 1 ), 'to' => (string) $v['number'] ) ) ) . '">' . esc_html__( 'Compare with previous', 'pet' ) . '</a>';
			}
			echo '</td></tr>';
		}
		echo '</tbody></table>';
		if ( null !== $diff_a && null !== $diff_b ) {
			$this->diff_view( $id, $diff_a, $diff_b );
		}
		$latest = (int) $q['latest_version'];
		if ( null !== $q['draft_version'] ) {
			$this->builder( $id, $this->sales()->getQuoteVersion( $id, (int) $q['draft_version'] ) );
			echo '<h3>' . esc_html__( 'Send', 'pet' ) . '</h3>';
			self::form_open( 'send_quote', array( 'id' => $id ), 'pet-send-quote' );
			echo '<label for="pet-valid-until">' . esc_html__( 'Valid until', 'pet' ) . '</label> <input type="date" name="valid_until" id="pet-valid-until" required value="' . esc_attr( wp_date( 'Y-m-d', time() + 30 * DAY_IN_SECONDS ) ) . '"> ';
			submit_button( __( 'Send this version', 'pet' ), 'primary', 'submit', false );
			echo '</form>';
		} elseif ( null === $q['accepted_version'] ) {
			echo '<h3>' . esc_html__( 'Revise', 'pet' ) . '</h3>';
			self::form_open( 'draft_quote_version', array( 'id' => $id ), 'pet-revise-quote' );
			submit_button( __( 'Draft a new version', 'pet' ), 'secondary', 'submit', false );
			echo '</form>';
			$sent = $q['latest_sent_version'];
			$sv   = null;
			foreach ( $q['versions'] as $v ) {
				if ( $v['number'] === $sent ) {
					$sv = $v;
				}
			}
			if ( null !== $sv && 'sent' === $sv['status'] ) {
				/* translators: %d: version number. */
				echo '<h3>' . esc_html( sprintf( __( 'Customer answer for version %d', 'pet' ), (int) $sent ) ) . '</h3>';
				self::form_open( 'accept_quote', array( 'id' => $id, 'version' => (string) $sent ), 'pet-accept-quote' );
				$optional = array_filter( $this->sales()->getQuoteVersion( $id, (int) $sent )['groups'], static fn ( $g ) => (bool) $g['optional'] );
				if ( array() !== $optional ) {
					echo '<fieldset class="pet-optional-groups"><legend>' . esc_html__( 'Optional groups the customer took (the others are left out of the sale):', 'pet' ) . '</legend>';
					foreach ( $optional as $g ) {
						echo '<label><input type="checkbox" name="optional_groups[]" value="' . esc_attr( (string) $g['group_id'] ) . '"> ' . esc_html( (string) $g['title'] ) . ' (' . esc_html( Table::money( array( 'amount_minor' => $g['totals']['total_minor'], 'currency' => $q['currency'] ) ) ) . ')</label><br>';
					}
					echo '</fieldset>';
				}
				echo '<input type="text" name="signed_by" placeholder="' . esc_attr__( 'Signed by', 'pet' ) . '"> ';
				submit_button( __( 'Record acceptance', 'pet' ), 'primary', 'submit', false );
				echo '</form><br>';
				self::form_open( 'reject_quote', array( 'id' => $id, 'version' => (string) $sent ), 'pet-reject-quote' );
				echo '<input type="text" name="reason" required placeholder="' . esc_attr__( 'Reason', 'pet' ) . '"> ';
				submit_button( __( 'Record rejection', 'pet' ), 'secondary', 'submit', false );
				echo '</form>';
			}
		}
		if ( null !== $q['sale_id'] ) {
			$s = $this->sales()->getSale( (string) $q['sale_id'] );
			echo '<h3>' . esc_html__( 'Sale', 'pet' ) . '</h3><div id="pet-sale"><p>' . esc_html( Table::money( $s['total'] ) ) . ' · ' . esc_html( Table::when( $s['recorded_at'] ) ) . '</p><ul>';
			foreach ( $s['labour'] as $l ) {
				/* translators: 1: role, 2: hours. */
				echo '<li>' . esc_html( sprintf( __( '%1$s: %2$s h sold', 'pet' ), (string) ( $l['role'] ?? __( 'no role', 'pet' ) ), number_format_i18n( $l['minutes'] / 60, 2 ) ) ) . '</li>';
			}
			foreach ( $s['fees'] as $f ) {
				echo '<li>' . esc_html( $f['description'] . ' (' . $f['kind'] . '): ' . Table::money( array( 'amount_minor' => $f['net_minor'], 'currency' => $s['currency'] ) ) ) . '</li>';
			}
			echo '</ul></div>';
		}
		echo '<p class="pet-noprint"><a href="' . esc_url( Table::page_url( 'pet-activity', array( 'context_type' => 'quote', 'context_id' => $id ) ) ) . '">' . esc_html__( 'Activity of this quote', 'pet' ) . '</a></p>';
		unset( $latest );
	}

	/**
	 * The quote builder for the draft: groups and lines, live totals (display only; the
	 * saved draft shows the engine's totals).
	 *
	 * @param string $id Quote id.
	 * @param array  $v  Draft version.
	 */
	private function builder( string $id, array $v ): void {
		/* translators: %d: version number. */
		echo '<h3>' . esc_html( sprintf( __( 'Version %d (draft)', 'pet' ), (int) $v['number'] ) ) . '</h3>';
		self::form_open( 'save_quote_draft', array( 'id' => $id ), 'pet-quote-builder' );
		echo '<div class="pet-builder" data-currency="' . esc_attr( (string) $v['currency'] ) . '">';
		$groups   = $v['groups'];
		$groups[] = null; // One blank group to add.
		$kinds    = array(
			'labour'    => __( 'Labour', 'pet' ),
			'fixed_fee' => __( 'Fixed fee', 'pet' ),
			'product'   => __( 'Product', 'pet' ),
			'recurring' => __( 'Recurring', 'pet' ),
		);
		foreach ( $groups as $gi => $g ) {
			$gp = "groups[$gi]";
			echo '<div class="pet-group" id="' . esc_attr( "pet-group-$gi" ) . '">';
			echo '<input type="hidden" name="' . esc_attr( $gp . '[group_id]' ) . '" value="' . esc_attr( (string) ( $g['group_id'] ?? '' ) ) . '">';
			echo '<p><label>' . esc_html__( 'Group', 'pet' ) . ' <input type="text" name="' . esc_attr( $gp . '[title]' ) . '" value="' . esc_attr( (string) ( $g['title'] ?? '' ) ) . '" id="' . esc_attr( "pet-group-$gi-title" ) . '"></label> ';
			echo '<label><input type="checkbox" name="' . esc_attr( $gp . '[optional]' ) . '" value="1"' . checked( (bool) ( $g['optional'] ?? false ), true, false ) . '> ' . esc_html__( 'optional', 'pet' ) . '</label> ';
			if ( null !== $g ) {
				echo '<label><input type="checkbox" name="' . esc_attr( $gp . '[remove]' ) . '" value="1"> ' . esc_html__( 'remove group', 'pet' ) . '</label>';
				echo ' · ' . esc_html__( 'engine total:', 'pet' ) . ' <strong>' . esc_html( Table::money( array( 'amount_minor' => $g['totals']['total_minor'], 'currency' => $v['currency'] ) ) ) . '</strong>';
			}
			echo '</p><table class="widefat"><thead><tr><th>' . esc_html__( 'Kind', 'pet' ) . '</th><th>' . esc_html__( 'Description', 'pet' ) . '</th><th>' . esc_html__( 'Role / interval', 'pet' ) . '</th><th>' . esc_html__( 'Qty', 'pet' ) . '</th><th>' . esc_html__( 'Unit price', 'pet' ) . '</th><th>' . esc_html__( 'Discount (% or amount)', 'pet' ) . '</th><th>' . esc_html__( 'Tax %', 'pet' ) . '</th><th>' . esc_html__( 'Total', 'pet' ) . '</th><th></th></tr></thead><tbody>';
			$lines   = null === $g ? array() : $g['lines'];
			$lines[] = null;
			$lines[] = null;
			foreach ( $lines as $li => $l ) {
				$lp = $gp . "[lines][$li]";
				$ro = '';
				if ( null !== $l ) {
					$ro = 'recurring' === $l['kind'] ? (string) $l['interval'] : (string) ( $l['role'] ?? '' );
				}
				echo '<tr class="pet-line" id="' . esc_attr( "pet-line-$gi-$li" ) . '"><td>';
				echo '<input type="hidden" name="' . esc_attr( $lp . '[line_id]' ) . '" value="' . esc_attr( (string) ( $l['line_id'] ?? '' ) ) . '">';
				self::select( $lp . '[kind]', $kinds, (string) ( $l['kind'] ?? 'fixed_fee' ) );
				echo '</td><td><input type="text" name="' . esc_attr( $lp . '[description]' ) . '" value="' . esc_attr( (string) ( $l['description'] ?? '' ) ) . '"></td>';
				echo '<td><input type="text" class="small pet-detail" name="' . esc_attr( $lp . '[detail]' ) . '" value="' . esc_attr( $ro ) . '" list="pet-detail-hints" placeholder="' . esc_attr__( 'role / monthly', 'pet' ) . '"></td>';
				echo '<td><input type="text" class="small pet-qty" name="' . esc_attr( $lp . '[quantity]' ) . '" value="' . esc_attr( null === $l ? '' : (string) $l['quantity'] ) . '"></td>';
				echo '<td><input type="text" class="small pet-price" name="' . esc_attr( $lp . '[unit_price]' ) . '" value="' . esc_attr( null === $l ? '' : self::decimal( (int) $l['unit_price_minor'] ) ) . '"></td>';
				$dtype = 'percent';
				$disc  = '';
				if ( null !== $l && is_array( $l['discount'] ) ) {
					$dtype = 'amount' === $l['discount']['type'] ? 'amount' : 'percent';
					$disc  = self::decimal( (int) ( 'amount' === $dtype ? $l['discount']['amount_minor'] : $l['discount']['basis_points'] ) );
				}
				echo '<td class="pet-nowrap"><input type="text" class="small pet-disc" name="' . esc_attr( $lp . '[discount]' ) . '" value="' . esc_attr( $disc ) . '"> ';
				self::select(
					$lp . '[discount_type]',
					array(
						'percent' => '%',
						'amount'  => (string) $v['currency'],
					),
					$dtype
				);
				echo '</td>';
				echo '<td><input type="text" class="small pet-tax" name="' . esc_attr( $lp . '[tax_rate]' ) . '" value="' . esc_attr( null === $l ? '' : self::decimal( (int) $l['tax_rate_bp'] ) ) . '"></td>';
				echo '<td class="pet-line-total">' . esc_html( null === $l ? '' : Table::money( array( 'amount_minor' => $l['totals']['total_minor'], 'currency' => $v['currency'] ) ) ) . '</td>';
				echo '<td>' . ( null !== $l ? '<label><input type="checkbox" name="' . esc_attr( $lp . '[remove]' ) . '" value="1"> ' . esc_html__( 'remove', 'pet' ) . '</label>' : '' ) . '</td></tr>';
			}
			echo '</tbody></table></div>';
		}
		$t = $v['totals'];
		echo '<p id="pet-engine-totals">' . esc_html__( 'Saved totals (engine):', 'pet' ) . ' ' . esc_html( Table::money( array( 'amount_minor' => $t['total_minor'], 'currency' => $v['currency'] ) ) )
			/* translators: %s: amount. */
			. ' · ' . esc_html( sprintf( __( 'optional groups: %s', 'pet' ), Table::money( array( 'amount_minor' => $t['optional_total_minor'], 'currency' => $v['currency'] ) ) ) ) . '</p>';
		echo '<p id="pet-live-total" class="description"></p>';
		echo '<datalist id="pet-detail-hints"><option value="monthly"><option value="quarterly"><option value="yearly"></datalist>';
		echo '<p class="description">' . esc_html__( 'Labour: quantity in minutes, unit price per hour, the role in "Role / interval". Recurring: the interval (monthly, quarterly, yearly) in "Role / interval". Discount: a percentage or an amount off the line. Lines without a description are ignored.', 'pet' ) . '</p>';
		echo '</div>';
		submit_button( __( 'Save draft', 'pet' ) );
		echo '</form>';
		// Live preview of the form's total while editing; display only (the engine computes
		// the totals that count when the draft is saved).
		echo '<script>(function(){var f=document.getElementById("pet-quote-builder");if(!f)return;var cur=f.querySelector(".pet-builder").dataset.currency;'
			. 'function n(v){v=String(v||"").replace(",",".");var x=parseFloat(v);return isNaN(x)?0:x;}'
			. 'function upd(){var sum=0;f.querySelectorAll(".pet-group").forEach(function(g){var opt=g.querySelector("input[name$=\"[optional]\"]");var gs=0;g.querySelectorAll("tr.pet-line").forEach(function(r){var k=r.querySelector("select[name$=\"[kind]\"]").value;var q=n(r.querySelector(".pet-qty").value);var p=n(r.querySelector(".pet-price").value);var gross=k==="labour"?p*q/60:p*q;var dt=r.querySelector("select[name$=\"[discount_type]\"]");var d=n(r.querySelector(".pet-disc").value);var net=dt&&dt.value==="amount"?gross-d:gross*(1-d/100);var tot=net*(1+n(r.querySelector(".pet-tax").value)/100);gs+=tot;});if(!opt||!opt.checked)sum+=gs;});'
			. 'document.getElementById("pet-live-total").textContent=' . wp_json_encode( __( 'Preview while editing (not saved):', 'pet' ) . ' ', JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT ) . '+sum.toFixed(2)+" "+cur;}'
			. 'f.addEventListener("input",upd);f.addEventListener("change",upd);upd();})();</script>';
	}

	/**
	 * Minor units (or basis points) as "120.50".
	 *
	 * @param int $minor Minor units.
	 */
	private static function decimal( int $minor ): string {
		$sign = $minor < 0 ? '-' : '';
		$m    = abs( $minor );
		return sprintf( '%s%d.%02d', $sign, intdiv( $m, 100 ), $m % 100 );
	}

	/**
	 * Side-by-side diff of two versions.
	 *
	 * @param string $id Quote id.
	 * @param int    $a  From.
	 * @param int    $b  To.
	 */
	private function diff_view( string $id, int $a, int $b ): void {
		$d = $this->sales()->diffQuoteVersions( $id, $a, $b );
		$c = (string) $d['currency'];
		/* translators: 1: version number, 2: version number. */
		echo '<h3>' . esc_html( sprintf( __( 'Version %1$d and version %2$d side by side', 'pet' ), $a, $b ) ) . '</h3>';
		echo '<table class="widefat pet-diff" id="pet-diff"><thead><tr><th>' . esc_html__( 'Change', 'pet' ) . '</th><th>' . esc_html( sprintf( /* translators: %d: version number. */ __( 'Version %d', 'pet' ), $a ) ) . '</th><th>' . esc_html( sprintf( /* translators: %d: version number. */ __( 'Version %d', 'pet' ), $b ) ) . '</th></tr></thead><tbody>';
		$line = static function ( $l ) use ( $c ): string {
			if ( null === $l ) {
				return '—';
			}
			return esc_html( $l['description'] . ' · ' . $l['quantity'] . ' × ' . self::decimal( (int) $l['unit_price_minor'] ) . ' = ' . Table::money( array( 'amount_minor' => $l['totals']['total_minor'], 'currency' => $c ) ) );
		};
		foreach ( $d['groups'] as $g ) {
			echo '<tr class="' . esc_attr( 'pet-diff-' . $g['change'] ) . '"><th>' . esc_html( (string) $g['change'] ) . '</th><th>' . esc_html( (string) ( $g['from']['title'] ?? '—' ) ) . '</th><th>' . esc_html( (string) ( $g['to']['title'] ?? '—' ) ) . '</th></tr>';
			foreach ( $g['lines'] as $l ) {
				echo '<tr class="' . esc_attr( 'pet-diff-' . $l['change'] ) . '"><td>' . esc_html( (string) $l['change'] ) . '</td><td>' . $line( $l['from'] ) . '</td><td>' . $line( $l['to'] ) . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $line escapes.
			}
		}
		$ta = array(
			'amount_minor' => $d['totals']['from']['total_minor'],
			'currency'     => $c,
		);
		$tb = array(
			'amount_minor' => $d['totals']['to']['total_minor'],
			'currency'     => $c,
		);
		echo '<tr><th>' . esc_html__( 'Total', 'pet' ) . '</th><th>' . esc_html( Table::money( $ta ) ) . '</th><th>' . esc_html( Table::money( $tb ) ) . '</th></tr>';
		echo '</tbody></table>';
	}

	/**
	 * A clean printable view of one version.
	 *
	 * @param string $id Quote id.
	 * @param int    $n  Version.
	 */
	private function print_view( string $id, int $n ): void {
		$q = $this->sales()->getQuote( $id );
		$v = $this->sales()->getQuoteVersion( $id, $n );
		$c = (string) $v['currency'];
		$m = static fn ( int $minor ): string => Table::money(
			array(
				'amount_minor' => $minor,
				'currency'     => $c,
			)
		);
		echo '<p class="pet-noprint"><a href="' . esc_url( Table::page_url( 'pet-quotes', array( 'quote' => $id ) ) ) . '">&larr; ' . esc_html__( 'Back to the quote', 'pet' ) . '</a> · <a href="#" onclick="window.print();return false;">' . esc_html__( 'Print', 'pet' ) . '</a></p>';
		echo '<div class="pet-print" id="pet-print">';
		/* translators: 1: quote reference, 2: version number. */
		echo '<h2>' . esc_html( sprintf( __( 'Quote %1$s, version %2$d', 'pet' ), (string) $v['reference'], $n ) ) . ' ' . self::badge( (string) $v['status'] ) . '</h2>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- badge() escapes.
		echo '<p>' . esc_html( $q['customer_name'] . ' · ' . $v['title'] ) . ( null !== $v['valid_until'] ? ' · ' . esc_html( sprintf( /* translators: %s: date. */ __( 'valid until %s', 'pet' ), (string) $v['valid_until'] ) ) : '' ) . '</p>';
		foreach ( $v['groups'] as $g ) {
			echo '<h3>' . esc_html( (string) $g['title'] ) . ( $g['optional'] ? ' (' . esc_html__( 'optional', 'pet' ) . ')' : '' ) . '</h3><table class="widefat"><tbody>';
			foreach ( $g['lines'] as $l ) {
				$qty = 'labour' === $l['kind'] ? number_format_i18n( $l['quantity'] / 60, 2 ) . ' h' : (string) $l['quantity'];
				echo '<tr><td>' . esc_html( (string) $l['description'] ) . '</td><td>' . esc_html( $qty ) . '</td><td>' . esc_html( $m( (int) $l['totals']['net_minor'] ) ) . '</td><td>' . esc_html( $m( (int) $l['totals']['total_minor'] ) ) . '</td></tr>';
			}
			echo '<tr><th colspan="3">' . esc_html__( 'Group total', 'pet' ) . '</th><th>' . esc_html( $m( (int) $g['totals']['total_minor'] ) ) . '</th></tr></tbody></table>';
		}
		$t = $v['totals'];
		echo '<table class="widefat" style="max-width:30em;margin-top:1em"><tbody>';
		echo '<tr><th>' . esc_html__( 'Subtotal', 'pet' ) . '</th><td>' . esc_html( $m( (int) $t['subtotal_minor'] ) ) . '</td></tr>';
		echo '<tr><th>' . esc_html__( 'Discount', 'pet' ) . '</th><td>' . esc_html( $m( (int) $t['discount_minor'] ) ) . '</td></tr>';
		echo '<tr><th>' . esc_html__( 'Tax', 'pet' ) . '</th><td>' . esc_html( $m( (int) $t['tax_minor'] ) ) . '</td></tr>';
		echo '<tr><th>' . esc_html__( 'Total', 'pet' ) . '</th><td><strong>' . esc_html( $m( (int) $t['total_minor'] ) ) . '</strong></td></tr>';
		echo '<tr><th>' . esc_html__( 'Optional groups', 'pet' ) . '</th><td>' . esc_html( $m( (int) $t['optional_total_minor'] ) ) . '</td></tr>';
		echo '</tbody></table>';
		if ( null !== $v['content_hash'] ) {
			echo '<p class="description">' . esc_html__( 'Content hash:', 'pet' ) . ' <code>' . esc_html( (string) $v['content_hash'] ) . '</code></p>';
		}
		echo '</div>';
	}
}
