-- PET accounting integration (issue 12): the push records (the state rows of the
-- `accounting_push` aggregate, one per PET fact pushed to the accounting system) and the
-- connection and mapping settings. The outbox is fed from domain_events by the push job
-- from the `accounting_outbox` row of pet_projection_checkpoints.

-- Push records: `doc` is pet_core::accounting::PushDoc as JSON; `differences` what
-- reconciliation last found. `due_at` is when the push job next looks at the push (NULL
-- when nothing is due: confirmed or dead). `period` (the document's month) and
-- `amount_minor` / `remote_amount_minor` serve the totals per period.
CREATE TABLE IF NOT EXISTS {prefix}pet_accounting_pushes (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  target VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  source_kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  source_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  doc TEXT NOT NULL,
  generation INT UNSIGNED NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  attempts INT UNSIGNED NOT NULL,
  failures INT UNSIGNED NOT NULL,
  sent_at DATETIME(6) NULL,
  next_at DATETIME(6) NULL,
  due_at DATETIME(6) NULL,
  remote_id VARCHAR(64) NULL,
  sync_token VARCHAR(32) NULL,
  update_pending TINYINT(1) NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NULL,
  reconciliation VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  differences TEXT NOT NULL,
  period CHAR(7) CHARACTER SET ascii COLLATE ascii_bin NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NULL,
  amount_minor BIGINT NULL,
  remote_amount_minor BIGINT NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_accounting_source (source_kind, source_id),
  KEY ix_accounting_due (due_at, id),
  KEY ix_accounting_status (status, id),
  KEY ix_accounting_reconcile (status, reconciliation, id),
  KEY ix_accounting_period (target, period, currency),
  CONSTRAINT ck_accounting_doc_json CHECK (JSON_VALID(doc)),
  CONSTRAINT ck_accounting_diff_json CHECK (JSON_VALID(differences))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Settings of the integration, one row per name: `mapping` (pet_core::accounting::Mapping
-- as JSON), `connection` (realm, endpoints, client id; secrets and tokens encrypted).
CREATE TABLE IF NOT EXISTS {prefix}pet_accounting_settings (
  name VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  value TEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (name),
  CONSTRAINT ck_accounting_setting_json CHECK (JSON_VALID(value))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
