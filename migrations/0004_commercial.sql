-- PET commercial pipeline state tables (leads, lead schema versions, qualifications,
-- opportunities, quotes and their versions, line groups and lines, sales). The history is
-- in domain_events; these rows are the current state, written in the same transaction.

CREATE TABLE IF NOT EXISTS {prefix}pet_lead_schema_versions (
  number INT UNSIGNED NOT NULL,
  schema_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fields LONGTEXT NOT NULL,
  field_count INT UNSIGNED NOT NULL,
  published_by CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  published_at DATETIME(6) NOT NULL,
  PRIMARY KEY (number),
  KEY ix_schema_id (schema_id, number),
  CONSTRAINT ck_lead_schema_fields_json CHECK (JSON_VALID(fields))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_leads (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  company_name VARCHAR(200) NOT NULL,
  source VARCHAR(200) NOT NULL,
  owner_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  schema_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  schema_number INT UNSIGNED NULL,
  custom_values LONGTEXT NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_lead_created (created_at, id),
  KEY ix_lead_status (status, created_at, id),
  KEY ix_lead_owner (owner_id, created_at, id),
  KEY ix_lead_source (source, created_at, id),
  KEY ix_lead_company (company_name),
  CONSTRAINT ck_lead_custom_values_json CHECK (JSON_VALID(custom_values))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_qualifications (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  lead_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  outcome VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  budget_minor BIGINT NULL,
  budget_currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NULL,
  authority TEXT NULL,
  need TEXT NULL,
  timeline TEXT NULL,
  notes TEXT NULL,
  reason TEXT NULL,
  recorded_by CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  recorded_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_qualification_lead (lead_id, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_opportunities (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  lead_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  owner_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  title VARCHAR(200) NOT NULL,
  expected_value_minor BIGINT NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expected_close DATE NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  size_band VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  lost_reason TEXT NULL,
  won_quote_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  sale_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_opportunity_status (status, expected_close, id),
  KEY ix_opportunity_lead (lead_id),
  KEY ix_opportunity_customer (customer_id),
  KEY ix_opportunity_owner (owner_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_commercial_counters (
  name VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  last_value BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO {prefix}pet_commercial_counters (name, last_value) VALUES ('quote_number', 0);

CREATE TABLE IF NOT EXISTS {prefix}pet_quotes (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number INT UNSIGNED NOT NULL,
  opportunity_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  title VARCHAR(200) NOT NULL,
  latest_version INT UNSIGNED NOT NULL,
  latest_status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  latest_total_minor BIGINT NOT NULL,
  accepted_version INT UNSIGNED NULL,
  sale_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_quote_number (number),
  KEY ix_quote_created (created_at, id),
  KEY ix_quote_status (latest_status, created_at, id),
  KEY ix_quote_opportunity (opportunity_id),
  KEY ix_quote_customer (customer_id, created_at),
  KEY ix_quote_title (title)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_quote_versions (
  quote_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number INT UNSIGNED NOT NULL,
  based_on INT UNSIGNED NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  content LONGTEXT NOT NULL,
  line_count INT UNSIGNED NOT NULL,
  subtotal_minor BIGINT NOT NULL,
  discount_minor BIGINT NOT NULL,
  tax_minor BIGINT NOT NULL,
  total_minor BIGINT NOT NULL,
  optional_total_minor BIGINT NOT NULL,
  valid_until DATE NULL,
  content_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  sent_totals LONGTEXT NULL,
  superseded_by INT UNSIGNED NULL,
  answer_note TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  sent_at DATETIME(6) NULL,
  answered_at DATETIME(6) NULL,
  PRIMARY KEY (quote_id, number),
  KEY ix_quote_version_due (status, valid_until),
  CONSTRAINT ck_quote_version_content_json CHECK (JSON_VALID(content)),
  CONSTRAINT ck_quote_version_totals_json CHECK (sent_totals IS NULL OR JSON_VALID(sent_totals))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_quote_line_groups (
  quote_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version_number INT UNSIGNED NOT NULL,
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  position INT UNSIGNED NOT NULL,
  title VARCHAR(200) NOT NULL,
  optional TINYINT(1) NOT NULL,
  total_minor BIGINT NOT NULL,
  PRIMARY KEY (quote_id, version_number, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_quote_lines (
  quote_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version_number INT UNSIGNED NOT NULL,
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  group_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  position INT UNSIGNED NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role VARCHAR(200) NULL,
  recurrence VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  description TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  unit_price_minor BIGINT NOT NULL,
  discount_type VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  discount_value BIGINT NULL,
  tax_rate_bp INT UNSIGNED NOT NULL,
  gross_minor BIGINT NOT NULL,
  discount_minor BIGINT NOT NULL,
  net_minor BIGINT NOT NULL,
  tax_minor BIGINT NOT NULL,
  total_minor BIGINT NOT NULL,
  PRIMARY KEY (quote_id, version_number, id),
  KEY ix_quote_line_group (quote_id, version_number, group_id, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_sales (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  quote_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  quote_version INT UNSIGNED NOT NULL,
  opportunity_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  total_minor BIGINT NOT NULL,
  content_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  signed_by VARCHAR(200) NULL,
  accepted_by CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  snapshot LONGTEXT NOT NULL,
  recorded_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_sale_quote (quote_id),
  KEY ix_sale_customer (customer_id, recorded_at),
  KEY ix_sale_recorded (recorded_at, id),
  CONSTRAINT ck_sale_snapshot_json CHECK (JSON_VALID(snapshot))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
