-- Issue 9: a command on a customer or an opportunity costs the same whatever its number of
-- contacts or quotes. The customer aggregate keeps the count of its contacts instead of the
-- contacts (the rule "a new contact's id is not taken" is a keyed fact), the opportunity the
-- count of its quotes instead of their ids (a quote's opportunity comes from the quote), and
-- a customer's contacts are a flat list of their own:
--   customers.contact_count        the number of contact.added events (kept with the row)
--   opportunities.quote_count      the number of opportunity.quoting_started events
--   contacts ix_contact_customer_created (customer_id, created_at, id)  searched, newest first
--   contacts FULLTEXT ft_contact_search (name, email)                   rare words
-- Rows made before this migration count their contact and quote rows.

ALTER TABLE {prefix}pet_customers ADD COLUMN IF NOT EXISTS contact_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER status;

UPDATE {prefix}pet_customers c SET contact_count = (SELECT COUNT(*) FROM {prefix}pet_contacts k WHERE k.customer_id = c.id);

ALTER TABLE {prefix}pet_contacts ADD KEY IF NOT EXISTS ix_contact_customer_created (customer_id, created_at, id);

ALTER TABLE {prefix}pet_contacts ADD FULLTEXT KEY IF NOT EXISTS ft_contact_search (name, email);

ALTER TABLE {prefix}pet_opportunities ADD COLUMN IF NOT EXISTS quote_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER version;

UPDATE {prefix}pet_opportunities o SET quote_count = (SELECT COUNT(*) FROM {prefix}pet_quotes q WHERE q.opportunity_id = o.id);
