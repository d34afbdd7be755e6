-- A searched list of customers, employees or knowledge articles is in the order the rows
-- were made, newest first (their plain order is alphabetical): a word's rows are spread over
-- time, so the bounded search scan meets them at the rate they occur, while in name order
-- the rows whose name starts with a word all sort together, perhaps last. These indexes
-- serve that order (InnoDB appends the id).

ALTER TABLE {prefix}pet_customers ADD INDEX IF NOT EXISTS ix_customer_created (created_at);

ALTER TABLE {prefix}pet_employees ADD INDEX IF NOT EXISTS ix_employee_created (created_at);

ALTER TABLE {prefix}pet_knowledge_articles ADD INDEX IF NOT EXISTS ix_knowledge_created (created_at);
