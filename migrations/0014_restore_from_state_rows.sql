-- Issue 9: employees, teams, org-structure versions, customers and leads are restored from
-- their state rows instead of replaying their events, so the rows keep what the aggregates
-- hold and the rows did not:
--   org-structure versions  version            the number of events applied
--   contacts                added_version      the customer's version that added it (the
--                                              order contacts were added in)
--   team memberships        added_version      the team's version that added it (the order
--                                              memberships were added in)
-- Rows made before this migration take them from the event log.

ALTER TABLE {prefix}pet_org_structure_versions ADD COLUMN IF NOT EXISTS version BIGINT UNSIGNED NOT NULL DEFAULT 1 AFTER snapshot;

UPDATE {prefix}pet_org_structure_versions v SET version = GREATEST(1, (SELECT COUNT(*) FROM {prefix}pet_domain_events e WHERE e.aggregate_type = 'org_structure' AND e.aggregate_id = v.id));

ALTER TABLE {prefix}pet_contacts ADD COLUMN IF NOT EXISTS added_version BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER phone, ADD KEY IF NOT EXISTS ix_contact_customer_added (customer_id, added_version);

UPDATE {prefix}pet_contacts c SET added_version = COALESCE((SELECT e.aggregate_version FROM {prefix}pet_domain_events e WHERE e.aggregate_type = 'customer' AND e.aggregate_id = c.customer_id AND e.event_type = 'contact.added' AND JSON_VALUE(e.payload, '$.contact_id') = c.id LIMIT 1), 0);

ALTER TABLE {prefix}pet_team_memberships ADD COLUMN IF NOT EXISTS added_version BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER valid_to, ADD KEY IF NOT EXISTS ix_membership_team_added (team_id, added_version);

UPDATE {prefix}pet_team_memberships m SET added_version = COALESCE((SELECT e.aggregate_version FROM {prefix}pet_domain_events e WHERE e.aggregate_type = 'team' AND e.aggregate_id = m.team_id AND e.event_type = 'team.member_added' AND JSON_VALUE(e.payload, '$.membership_id') = m.id LIMIT 1), 0);
