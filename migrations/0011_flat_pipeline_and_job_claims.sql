-- Flat at any size, the last two costs that grew with history (issue "Flat at any size"):
--
-- * The pipeline's totals per stage and currency were a GROUP BY over every opportunity
--   ever made. They are now kept in opportunity_stage_totals, moved in the same transaction
--   as the opportunity row (a new opportunity adds to its stage; a stage change moves its
--   count and value from the old stage to the new one), so the pipeline reads a few rows.
--   Every stage of a currency has its row from the first opportunity in that currency on,
--   so a move is one UPDATE of two existing rows (locked in key order: no deadlock between
--   two moves in opposite directions).
-- * Claiming due jobs scanned ix_due (run_at, id) from the oldest job ever queued, skipping
--   every finished one; ix_job_status_due (status, run_at, id) reads only the pending (or
--   failed) ones that are due.

CREATE TABLE IF NOT EXISTS {prefix}pet_opportunity_stage_totals (
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  opportunities BIGINT NOT NULL,
  value_minor BIGINT NOT NULL,
  PRIMARY KEY (status, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO {prefix}pet_opportunity_stage_totals (status, currency, opportunities, value_minor)
SELECT s.status, c.currency, 0, 0
FROM (SELECT 'lost' AS status UNION ALL SELECT 'open' UNION ALL SELECT 'quoting' UNION ALL SELECT 'won') s
CROSS JOIN (SELECT DISTINCT currency FROM {prefix}pet_opportunities) c;

UPDATE {prefix}pet_opportunity_stage_totals t
JOIN (SELECT status, currency, COUNT(*) AS n, SUM(expected_value_minor) AS v FROM {prefix}pet_opportunities GROUP BY status, currency) g
  ON g.status = t.status AND g.currency = t.currency
SET t.opportunities = g.n, t.value_minor = g.v;

ALTER TABLE {prefix}pet_jobs ADD INDEX IF NOT EXISTS ix_job_status_due (status, run_at, id);
