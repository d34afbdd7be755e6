-- Flat lists of customers, employees, knowledge articles, SLA definitions, jobs and the
-- activity feed (issue "Flat at any size"): an index for every order and filter each list
-- offers, so a page is an index range read whatever the table's size, and FULLTEXT indexes
-- for the lists' text search (the hybrid scan-then-FULLTEXT of the tickets list).
--
--   employees        name, id              ix_employee_name (name; InnoDB appends the id)
--                    status filter         ix_employee_status_name (status, name, id)
--                    search name/e-mail    ft_employee_name_email
--   customers        name, id              ix_customer_name (name; + id)
--                    status filter         ix_customer_status_name (status, name, id)
--                    search name           ft_customer_name (0008)
--   articles         category, title, id   ix_knowledge_category (category, title; + id)
--                    status (+ category)   ix_knowledge_status_category (status, category, title, id)
--                    search title          ft_knowledge_article_title
--   SLA definitions  name, id              ix_sla_definition_name (name; + id)
--                    search name           ft_sla_definition_name
--   jobs             created_at, id desc   ix_job_created (created_at, id)
--                    status filter         ix_job_status_created (status, created_at, id)
--   activity         sequence desc         the feed's primary key; by context type (alone)
--                    the events' ix_event_context_type (context_type, id); by context and
--                    by actor the events' ix_context / ix_actor (0001); by date the feed's
--                    ix_occurred (0002)
-- Statements end with ';' at the end of a line; each is re-runnable (IF [NOT] EXISTS).

ALTER TABLE {prefix}pet_employees ADD INDEX IF NOT EXISTS ix_employee_status_name (status, name, id);

ALTER TABLE {prefix}pet_employees ADD FULLTEXT INDEX IF NOT EXISTS ft_employee_name_email (name, email);

ALTER TABLE {prefix}pet_customers ADD INDEX IF NOT EXISTS ix_customer_status_name (status, name, id);

ALTER TABLE {prefix}pet_knowledge_articles ADD INDEX IF NOT EXISTS ix_knowledge_status_category (status, category, title, id);

ALTER TABLE {prefix}pet_knowledge_articles ADD FULLTEXT INDEX IF NOT EXISTS ft_knowledge_article_title (title);

ALTER TABLE {prefix}pet_sla_definitions ADD FULLTEXT INDEX IF NOT EXISTS ft_sla_definition_name (name);

ALTER TABLE {prefix}pet_jobs ADD INDEX IF NOT EXISTS ix_job_created (created_at, id), ADD INDEX IF NOT EXISTS ix_job_status_created (status, created_at, id);

ALTER TABLE {prefix}pet_domain_events ADD INDEX IF NOT EXISTS ix_event_context_type (context_type, id);
