-- PET Measurement & KPIs (issue 11): KPI definitions and their immutable versions, the facts
-- calculators count (extracted from domain_events by the KPI job, with the memos extraction
-- keeps per entity), and each version's results per period. The facts' checkpoint is the
-- `kpi_facts` row of pet_projection_checkpoints.

-- Definitions: the name and the latest version's number.
CREATE TABLE IF NOT EXISTS {prefix}pet_kpi_definitions (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(200) NOT NULL,
  current_version INT UNSIGNED NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_kpi_name (name, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Versions, never changed once published (but for the backfill's progress): `spec` is the
-- core's KpiSpec as JSON; `scope_kind`/`scope_id` repeat it for the dashboard's filters.
-- `backfill_next` is the first period the backfill has not computed yet (NULL when done).
CREATE TABLE IF NOT EXISTS {prefix}pet_kpi_versions (
  kpi_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number INT UNSIGNED NOT NULL,
  calculator VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scope_kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scope_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  grain VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  spec TEXT NOT NULL,
  published_at DATETIME(6) NOT NULL,
  backfill_status VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  backfill_next DATE NULL,
  periods_total INT UNSIGNED NOT NULL DEFAULT 0,
  periods_done INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (kpi_id, number),
  KEY ix_kpi_version_backfill (backfill_status, kpi_id, number),
  KEY ix_kpi_version_scope (scope_kind, scope_id),
  CONSTRAINT ck_kpi_spec_json CHECK (JSON_VALID(spec))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Facts: one row per fact, keyed by the event it came from and its place among that
-- event's facts. Calculators read them by kind and day, optionally by a dimension.
CREATE TABLE IF NOT EXISTS {prefix}pet_kpi_facts (
  sequence BIGINT UNSIGNED NOT NULL,
  ord SMALLINT UNSIGNED NOT NULL,
  event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  recorded_at DATETIME(6) NOT NULL,
  kind VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  on_date DATE NOT NULL,
  subject_type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  project_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  team_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  until_date DATE NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (sequence, ord),
  KEY ix_kpi_fact_kind_on (kind, on_date),
  KEY ix_kpi_fact_employee (employee_id, kind, on_date),
  KEY ix_kpi_fact_customer (customer_id, kind, on_date),
  KEY ix_kpi_fact_project (project_id, kind, on_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What fact extraction remembers per entity (pet_core::kpi::Memo as JSON).
CREATE TABLE IF NOT EXISTS {prefix}pet_kpi_memos (
  entity_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  memo TEXT NOT NULL,
  PRIMARY KEY (entity_id),
  CONSTRAINT ck_kpi_memo_json CHECK (JSON_VALID(memo))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Results: one row per version and period, as of `through_sequence` (the last event whose
-- facts it counts).
CREATE TABLE IF NOT EXISTS {prefix}pet_kpi_results (
  kpi_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number INT UNSIGNED NOT NULL,
  period_start DATE NOT NULL,
  period_end DATE NOT NULL,
  numerator BIGINT NOT NULL,
  denominator BIGINT NOT NULL,
  value_tenths BIGINT NULL,
  part_count INT UNSIGNED NOT NULL,
  through_sequence BIGINT UNSIGNED NOT NULL,
  computed_at DATETIME(6) NOT NULL,
  PRIMARY KEY (kpi_id, number, period_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
