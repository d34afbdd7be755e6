-- Issue 9: tickets get a human number (#12), recorded in ticket.created (schema version 2)
-- and searchable. Numbers are drawn from a sequence with the customer's status in the same
-- round trip as the rules' facts (a sequence is not transactional: a rolled-back command
-- leaves a gap). Tickets opened before this migration have no number (their events have
-- none; they keep being found by the start of their id).

CREATE SEQUENCE IF NOT EXISTS {prefix}pet_ticket_numbers START WITH 1 MINVALUE 1 INCREMENT BY 1 NOCACHE;

ALTER TABLE {prefix}pet_tickets ADD COLUMN IF NOT EXISTS number INT UNSIGNED NULL AFTER id, ADD UNIQUE KEY IF NOT EXISTS ux_ticket_number (number);
