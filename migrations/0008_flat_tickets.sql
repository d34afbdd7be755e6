-- Flat ticket lists (issue "Flat at any size"): an index for every order and filter the
-- tickets list offers, so a page is an index range read whatever the table's size, and
-- FULLTEXT indexes for the ticket search (subject, conversation, customer name).
--
-- Orders (each served forwards or backwards by one index):
--   created  created_at, id                      ix_ticket_created
--   updated  updated_at, id                      ix_ticket_updated
--   due      no_due, due_key, id  (no SLA due last in both directions)
--                                                ix_ticket_due_asc / ix_ticket_due_desc
--   priority priority_rank, created_at, id (oldest first within a priority)
--                                                ix_ticket_priority_asc / _desc
-- Filters, with the default order: active, status, priority, assignee, customer, SLA state
--   (filter column, created_at, id).
-- The generated columns hold what the list sorts and filters on, derived from the row: the
-- list's conditions name them so MariaDB can read the index instead of scanning.
-- Statements end with ';' at the end of a line; each is re-runnable (IF [NOT] EXISTS).

ALTER TABLE {prefix}pet_tickets ADD COLUMN IF NOT EXISTS is_active TINYINT(1) AS (status NOT IN ('resolved', 'closed')) PERSISTENT, ADD COLUMN IF NOT EXISTS priority_rank TINYINT AS (FIELD(priority, 'low', 'normal', 'high', 'urgent')) PERSISTENT, ADD COLUMN IF NOT EXISTS no_due TINYINT(1) AS (sla_due_at IS NULL) PERSISTENT, ADD COLUMN IF NOT EXISTS due_key DATETIME(6) AS (COALESCE(sla_due_at, '1000-01-01 00:00:00')) PERSISTENT;

ALTER TABLE {prefix}pet_tickets ADD INDEX IF NOT EXISTS ix_ticket_created (created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_updated (updated_at, id), ADD INDEX IF NOT EXISTS ix_ticket_due_asc (no_due, due_key, id), ADD INDEX IF NOT EXISTS ix_ticket_due_desc (no_due, due_key DESC, id), ADD INDEX IF NOT EXISTS ix_ticket_priority_asc (priority_rank, created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_priority_desc (priority_rank DESC, created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_active_created (is_active, created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_status_created (status, created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_priority_created (priority, created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_assignee_created (assignee_id, created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_customer_created (customer_id, created_at, id), ADD INDEX IF NOT EXISTS ix_ticket_sla_state_created (sla_state, created_at, id);

-- The single-column indexes these replace (each is a prefix of a new one).
ALTER TABLE {prefix}pet_tickets DROP INDEX IF EXISTS ix_ticket_priority, DROP INDEX IF EXISTS ix_ticket_assignee, DROP INDEX IF EXISTS ix_ticket_customer, DROP INDEX IF EXISTS ix_ticket_sla_state;

ALTER TABLE {prefix}pet_tickets ADD FULLTEXT INDEX IF NOT EXISTS ft_ticket_subject (subject);

ALTER TABLE {prefix}pet_ticket_replies ADD FULLTEXT INDEX IF NOT EXISTS ft_reply_body (body);

ALTER TABLE {prefix}pet_customers ADD FULLTEXT INDEX IF NOT EXISTS ft_customer_name (name);
