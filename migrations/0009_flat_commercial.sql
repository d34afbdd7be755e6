-- Flat commercial lists (issue "Flat at any size"): an index for every order and filter the
-- lead, opportunity and quote lists offer, so a page is an index range read whatever the
-- table's size, and FULLTEXT indexes for their searches (used when the bounded scan through
-- the list's order does not fill a page).
--
-- Leads, newest first (created_at, id): ix_lead_created; filters status / owner / source:
--   ix_lead_status, ix_lead_owner, ix_lead_source (0004) — search: ft_lead_text.
-- Opportunities by expected close (expected_close, id): ix_opportunity_close; filters status
--   (ix_opportunity_status, 0004), owner, customer, lead (filter column, expected_close, id)
--   — search (title): ft_opportunity_title.
-- Quotes, newest first (created_at, id): ix_quote_created; filters latest status
--   (ix_quote_status, 0004), customer, opportunity (filter column, created_at, id) — search
--   (title): ft_quote_title (a quote number is looked up by uq_quote_number).
-- An opportunity's quotes in the order they were made (its state is restored with their
--   ids): ix_quote_opportunity_number.
-- Statements end with ';' at the end of a line; each is re-runnable (IF [NOT] EXISTS).

ALTER TABLE {prefix}pet_leads ADD FULLTEXT INDEX IF NOT EXISTS ft_lead_text (company_name, source);

ALTER TABLE {prefix}pet_opportunities ADD INDEX IF NOT EXISTS ix_opportunity_close (expected_close, id), ADD INDEX IF NOT EXISTS ix_opportunity_owner_close (owner_id, expected_close, id), ADD INDEX IF NOT EXISTS ix_opportunity_customer_close (customer_id, expected_close, id), ADD INDEX IF NOT EXISTS ix_opportunity_lead_close (lead_id, expected_close, id);

-- The single-column indexes these replace (each is a prefix of a new one).
ALTER TABLE {prefix}pet_opportunities DROP INDEX IF EXISTS ix_opportunity_owner, DROP INDEX IF EXISTS ix_opportunity_customer, DROP INDEX IF EXISTS ix_opportunity_lead;

ALTER TABLE {prefix}pet_opportunities ADD FULLTEXT INDEX IF NOT EXISTS ft_opportunity_title (title);

ALTER TABLE {prefix}pet_quotes ADD INDEX IF NOT EXISTS ix_quote_customer_created (customer_id, created_at, id), ADD INDEX IF NOT EXISTS ix_quote_opportunity_created (opportunity_id, created_at, id), ADD INDEX IF NOT EXISTS ix_quote_opportunity_number (opportunity_id, number);

ALTER TABLE {prefix}pet_quotes DROP INDEX IF EXISTS ix_quote_customer, DROP INDEX IF EXISTS ix_quote_opportunity;

ALTER TABLE {prefix}pet_quotes ADD FULLTEXT INDEX IF NOT EXISTS ft_quote_title (title);
