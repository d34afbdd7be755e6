//! `Pet\Sales`: leads, lead schemas, opportunities, quotes and sales (issue: commercial
//! pipeline). Declared once in the table below, from which [`php_class!`](crate::api)
//! generates the wrappers and the stub `pet-sales.stub.php`.
// PHP parameter names (`$employeeId`) are part of the stub contract and ext-php-rs takes
// them from the Rust identifiers (also in the code it generates outside the impl block), so
// the table spells parameters in camelCase.
#![allow(non_snake_case)]

/// What this class's methods call (see `crate::api`).
type Service<'a> = pet_storage_mysql::Commercial<'a>;

crate::api::php_class! {
    /// The sales API, built from the same connection settings as `Pet\Engine` (and sharing
    /// its connection pool).
    class Sales = "Pet\\Sales";
    stub "pet-sales.stub.php" = r"/**
 * IDE stubs for `Pet\Sales` (Leads, lead schemas, opportunities, quotes and sales (issue: commercial pipeline)).
 * Same conventions as pet.stub.php (ids, dates, money, $context, lists, exceptions).
 *
 * Money. A currency is an ISO 4217 code with its minor digits (2 for most, 0 for JPY, 3 for KWD…).
 * - In input, an amount is a decimal string typed in the currency ('85.50', '1235' for JPY, '1.235' for KWD; '.' or ','
 *   as the separator; at most the currency's minor digits; the engine says which field is wrong and what it allows),
 *   or integer minor units: a money object is {amount: '85.50', currency} or {amount_minor: 8550, currency}; a quote
 *   line's unit price is unit_price: '85.50' or unit_price_minor: 8550, an amount discount {type: amount, amount: '1.50'}
 *   or {type: amount, amount_minor: 150}. A blank amount counts as missing (the error names the *_minor field).
 * - In output, every money object is {amount_minor, currency, minor_digits, amount ('1234.50'), formatted ('EUR 1234.50',
 *   'JPY 1235', 'KWD 1.235')}; `*_minor` integers have a money object beside them (totals: subtotal, discount, tax,
 *   total, optional_total; line totals: gross, discount, net, tax, total; sale fees: net); quotes, versions, diffs,
 *   previews and sales carry the currency's minor_digits. Show `formatted`, or `amount` with your own symbol: never
 *   divide by 100.
 *
 * Shapes (`money` = the output money object above):
 * - lead schema version: {schema_id, number, published_at, fields: [{key, label, type: text|number|date|select|multiselect|bool, required, options, order}]}
 * - lead: {id, customer: {kind: existing, customer_id}|{kind: new, name}, customer_id, company_name, source, owner_id,
 *   owner_name, status: new|contacted|qualified|disqualified|archived, next_statuses: [status] (where contact,
 *   qualify, disqualify or archive may take it now), schema_version, custom_values: {key: value},
 *   custom_fields: [field + {value, display}] (rendered by the lead's own schema version), qualification:
 *   ?{budget: ?money, authority, need, timeline, notes}, disqualification_reason, version, created_at, updated_at}
 * - opportunity: {id, lead_id, customer_id, customer_name, owner_id, owner_name, title, expected_value: money,
 *   expected_close, kind, size_band, status: open|quoting|won|lost, lost_reason, quote_count, won_quote_id, sale_id, version}
 * - quote: {id, number, reference (Q-12), title, opportunity_id, opportunity_title, customer_id, customer_name, currency,
 *   minor_digits, latest_version, status, draft_version, latest_sent_version, accepted_version, sale_id, version,
 *   versions: [{number, based_on, status: draft|sent|accepted|rejected|expired|superseded, line_count, group_count,
 *   totals: {subtotal_minor, discount_minor, tax_minor, total_minor, optional_total_minor, subtotal, discount,
 *   tax, total, optional_total (money)}, valid_until, content_hash,
 *   superseded_by, answer_note, created_at, sent_at, answered_at}]}
 * - quote version: {quote_id, reference, title, currency, minor_digits, number, based_on, status, valid_until, content_hash, current_hash,
 *   line_count, totals, groups: [{group_id, title, optional, totals, lines: [{line_id, kind: labour|fixed_fee|product|recurring,
 *   role, interval: monthly|quarterly|yearly, description, quantity (labour: minutes), unit_price_minor (labour: per hour),
 *   unit_price ('85.50'), unit_price_formatted ('EUR 85.50'), currency, discount: ?{type: percent, basis_points}|
 *   {type: amount} + money, tax_rate_bp, totals: {gross_minor, discount_minor, net_minor, tax_minor, total_minor,
 *   gross, discount, net, tax, total (money)}}]}]}
 *   saveQuoteDraft() takes the same groups/lines shape (ids optional, totals ignored: the engine computes them;
 *   unit_price / discount.amount as decimal strings or unit_price_minor / discount.amount_minor).
 * - quote preview (previewQuote): {currency, minor_digits, line_count, totals, groups} as in a quote version, for input
 *   {quote_id | currency, groups} (the saveQuoteDraft content); nothing is written.
 * - sale: {id, quote_id, reference, version, content_hash, opportunity_id, customer_id, currency, minor_digits, totals,
 *   total (money),
 *   labour: [{role, minutes}], fees: [{line_id, kind, interval, description, quantity, net_minor, net (money)}], line_count, signed_by,
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

    /// Previews the totals of builder content without saving: `{quote_id | currency, groups}`
    /// (groups as saveQuoteDraft takes them, amounts in the quote's currency); returns
    /// `{currency, minor_digits, line_count, totals, groups}` with formatted money. Bad content
    /// is a ValidationException naming `groups.N.lines.M.field`, as when saving.
    fn preview_quote(input: array) -> array;

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
