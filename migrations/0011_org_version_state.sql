-- Org-structure versions keep their aggregate version (the number of events applied) in
-- their row, so a command restores them from it instead of replaying their events
-- (issue 9). Versions made before this migration take it from the event log.

ALTER TABLE {prefix}pet_org_structure_versions ADD COLUMN IF NOT EXISTS version BIGINT UNSIGNED NOT NULL DEFAULT 1 AFTER snapshot;

UPDATE {prefix}pet_org_structure_versions v SET version = GREATEST(1, (SELECT COUNT(*) FROM {prefix}pet_domain_events e WHERE e.aggregate_type = 'org_structure' AND e.aggregate_id = v.id));
