-- A customer contact as the actor of an event (issue 17): what a contact does through the
-- customer portal is recorded with the contact as its actor. `actor_employee_id` stays NULL
-- for those events (no employee acted) and the contact is `actor_contact_id`; an event has
-- at most one of the two. The chain hash covers the column only when it is set, so every
-- row written before it keeps its hash (pet_core::chain::chain_hash). Appended as the last
-- column (an instant change in MariaDB: the append-only log is not rewritten).
ALTER TABLE {prefix}pet_domain_events ADD COLUMN IF NOT EXISTS actor_contact_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL;
