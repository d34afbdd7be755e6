-- KPI speed (issue 11): a cumulative calculator's running state (sold vs delivered: per
-- project the delivered minutes and parts so far, the projects sold, the sold minutes) kept
-- with each period's result as JSON (pet_core::kpi::Running), so the KPI job computes a
-- period from the state of the period before and that period's own facts instead of every
-- fact up to it. NULL for other calculators (and for results computed before this
-- migration: the job then reads from the start once).
ALTER TABLE {prefix}pet_kpi_results ADD COLUMN IF NOT EXISTS running MEDIUMTEXT NULL;
