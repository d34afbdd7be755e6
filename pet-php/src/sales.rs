//! `Pet\Sales`: leads, lead schemas, opportunities, quotes and sales (issue: commercial
//! pipeline). Declared once in the table below, from which [`php_class!`](crate::api)
//! generates the wrappers and the stub `pet-sales.stub.php`.
// PHP parameter names (`$employeeId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers (also in the code it generates outside the impl block), so
// the table spells parameters in camelCase.
#![allow(non_snake_case)]

crate::api::php_class! {
    /// The sales API, built from the same connection settings as `Pet\Engine` (and sharing
    /// its connection pool).
    class Sales = "Pet\\Sales";
    stub "pet-sales.stub.php" = r"/**
 * IDE stubs for `Pet\Sales` (Leads, lead schemas, opportunities, quotes and sales (issue: commercial pipeline)).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * Shapes (all money is integer minor units; a currency is an ISO 4217 code):
 * - lead schema version: {schema_id, number, published_at, fields: [{key, label, type: text|number|date|select|multiselect|bool, required, options, order}]}
 * - lead: {id, customer: {kind: existing, customer_id}|{kind: new, name}, customer_id, company_name, source, owner_id,
 *   owner_name, status: new|contacted|qualified|disqualified|archived, next_statuses: [status] (where contact,
 *   qualify, disqualify or archive may take it now), schema_version, custom_values: {key: value},
 *   custom_fields: [field + {value, display}] (rendered by the lead's own schema version), qualification:
 *   ?{budget: ?{amount_minor, currency}, authority, need, timeline, notes}, disqualification_reason, version, created_at, updated_at}
 * - opportunity: {id, lead_id, customer_id, customer_name, owner_id, owner_name, title, expected_value: {amount_minor, currency},
 *   expected_close, kind, size_band, status: open|quoting|won|lost, lost_reason, quote_ids, won_quote_id, sale_id, version}
 * - quote: {id, number, reference (Q-12), title, opportunity_id, opportunity_title, customer_id, customer_name, currency,
 *   latest_version, status, draft_version, latest_sent_version, accepted_version, sale_id, version,
 *   versions: [{number, based_on, status: draft|sent|accepted|rejected|expired|superseded, line_count, group_count,
 *   totals: {subtotal_minor, discount_minor, tax_minor, total_minor, optional_total_minor}, valid_until, content_hash,
 *   superseded_by, answer_note, created_at, sent_at, answered_at}]}
 * - quote version: {quote_id, reference, title, currency, number, based_on, status, valid_until, content_hash, current_hash,
 *   line_count, totals, groups: [{group_id, title, optional, totals, lines: [{line_id, kind: labour|fixed_fee|product|recurring,
 *   role, interval: monthly|quarterly|yearly, description, quantity (labour: minutes), unit_price_minor (labour: per hour),
 *   currency, discount: ?{type: percent, basis_points}|{type: amount, amount_minor}, tax_rate_bp,
 *   totals: {gross_minor, discount_minor, net_minor, tax_minor, total_minor}}]}]}
 *   saveQuoteDraft() takes the same groups/lines shape (ids optional, totals ignored: the engine computes them).
 * - sale: {id, quote_id, reference, version, content_hash, opportunity_id, customer_id, currency, totals, total,
 *   labour: [{role, minutes}], fees: [{line_id, kind, interval, description, quantity, net_minor}], line_count, signed_by,
 *   accepted_by, recorded_at}
 *
 * @phpcs:ignoreFile
 */";

    /// @param array $settings the same keys as Engine::__construct; shares its connection pool
    fn __construct(settings: array);

    /// Publishes the next lead schema version.
    fn publish_lead_schema(input: array, context: context) -> array;

    /// One lead schema version (null number: the latest); null when none is published.
    fn get_lead_schema(number: ?int) -> ?array;

    /// Every published lead schema version, newest first.
    fn list_lead_schema_versions() -> array;

    /// Captures a lead with the latest schema version.
    fn create_lead(input: array, context: context) -> array;

    /// Changes a lead (custom fields checked by its own schema version).
    fn update_lead(leadId: string("lead_id"), input: array, context: context) -> array;

    /// Marks a new lead contacted.
    fn contact_lead(leadId: string("lead_id"), input: array, context: context) -> array;

    /// Qualifies a contacted lead with evidence.
    fn qualify_lead(leadId: string("lead_id"), input: array, context: context) -> array;

    /// Disqualifies a lead with a reason.
    fn disqualify_lead(leadId: string("lead_id"), input: array, context: context) -> array;

    /// Archives a qualified or disqualified lead.
    fn archive_lead(leadId: string("lead_id"), context: context) -> array;

    /// One lead, custom fields rendered by its own schema version.
    fn get_lead(leadId: string("lead_id")) -> array;

    /// Lists leads (search, status, owner, source, paging).
    fn list_leads(query: array = []) -> array;

    /// Distinct lead sources.
    fn list_lead_sources() -> array;

    /// Opens an opportunity from a qualified lead.
    fn create_opportunity(input: array, context: context) -> array;

    /// Classifies an opportunity.
    fn classify_opportunity(
        opportunityId: string("opportunity_id"),
        input: array,
        context: context
    ) -> array;

    /// Marks an opportunity lost with a reason.
    fn lose_opportunity(
        opportunityId: string("opportunity_id"),
        input: array,
        context: context
    ) -> array;

    /// One opportunity.
    fn get_opportunity(opportunityId: string("opportunity_id")) -> array;

    /// Lists opportunities (status, owner, customer, lead, search, paging).
    fn list_opportunities(query: array = []) -> array;

    /// The pipeline by stage: counts and expected value per currency.
    fn opportunity_pipeline() -> array;

    /// Creates a quote (empty draft version 1) for an opportunity.
    fn create_quote(input: array, context: context) -> array;

    /// Saves the draft version's whole content (groups and lines).
    fn save_quote_draft(quoteId: string("quote_id"), input: array, context: context) -> array;

    /// Drafts the next version as a copy of the latest.
    fn draft_quote_version(quoteId: string("quote_id"), context: context) -> array;

    /// Sends the draft version (supersedes the version sent before).
    fn send_quote(quoteId: string("quote_id"), input: array, context: context) -> array;

    /// Records acceptance of a version and its sale, in one transaction.
    fn accept_quote(quoteId: string("quote_id"), input: array, context: context) -> array;

    /// Records rejection of a version.
    fn reject_quote(quoteId: string("quote_id"), input: array, context: context) -> array;

    /// One quote with every version's summary.
    fn get_quote(quoteId: string("quote_id")) -> array;

    /// One version with groups, lines and totals (null number: the latest).
    fn get_quote_version(quoteId: string("quote_id"), number: ?int) -> array;

    /// Compares two versions of a quote.
    fn diff_quote_versions(quoteId: string("quote_id"), from: int, to: int) -> array;

    /// Lists quotes (search, status, customer, opportunity, paging).
    fn list_quotes(query: array = []) -> array;

    /// One sale.
    fn get_sale(saleId: string("sale_id")) -> array;

    /// Expires every sent version past its validity (the expiry job's safety net).
    fn expire_due_quotes() -> array;
}
