-- The project page and the projects list at any size (issue 10): the list's search by
-- project name (FULLTEXT, asked when the bounded scan through the list's order did not fill
-- the page; the customer's name has ft_customer_name since 0008), a project's linked
-- tickets newest first (project_id, created_at, id), and its burn-up — approved minutes per
-- week read from the index alone (project_id, status, work_date, minutes).
-- Statements end with ';' at the end of a line; each is re-runnable (IF NOT EXISTS).

ALTER TABLE {prefix}pet_projects ADD FULLTEXT INDEX IF NOT EXISTS ft_project_name (name);

ALTER TABLE {prefix}pet_tickets ADD INDEX IF NOT EXISTS ix_ticket_project_created (project_id, created_at, id);

ALTER TABLE {prefix}pet_time_entries ADD INDEX IF NOT EXISTS ix_entry_project_status_date (project_id, status, work_date, minutes);
