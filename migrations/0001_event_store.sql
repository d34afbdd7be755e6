-- PET event store: the append-only domain_events table, its sequence row, idempotency keys.
-- Statements end with ';' at the end of a line; each is re-runnable (IF NOT EXISTS / INSERT IGNORE).
-- UUIDs are CHAR(36) ASCII (readable in any SQL tool); times are DATETIME(6) in UTC.

CREATE TABLE IF NOT EXISTS {prefix}pet_domain_events (
  id BIGINT UNSIGNED NOT NULL,
  event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  schema_version INT UNSIGNED NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  recorded_at DATETIME(6) NOT NULL,
  actor_employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  context_type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  context_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  aggregate_type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  aggregate_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  aggregate_version BIGINT UNSIGNED NOT NULL,
  idempotency_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  payload LONGTEXT NOT NULL,
  prev_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_event_id (event_id),
  UNIQUE KEY uq_aggregate_version (aggregate_type, aggregate_id, aggregate_version),
  KEY ix_context (context_type, context_id, id),
  KEY ix_actor (actor_employee_id, id),
  KEY ix_idempotency (idempotency_key),
  CONSTRAINT ck_payload_json CHECK (JSON_VALID(payload)),
  CONSTRAINT ck_schema_version CHECK (schema_version >= 1),
  CONSTRAINT ck_aggregate_version CHECK (aggregate_version >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_event_sequence (
  id TINYINT UNSIGNED NOT NULL,
  last_sequence BIGINT UNSIGNED NOT NULL,
  last_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO {prefix}pet_event_sequence (id, last_sequence, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER IF NOT EXISTS {prefix}pet_domain_events_no_update BEFORE UPDATE ON {prefix}pet_domain_events FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'pet domain_events is append-only: UPDATE refused';

CREATE TRIGGER IF NOT EXISTS {prefix}pet_domain_events_no_delete BEFORE DELETE ON {prefix}pet_domain_events FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'pet domain_events is append-only: DELETE refused';

CREATE TABLE IF NOT EXISTS {prefix}pet_idempotency_keys (
  idem_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  result LONGTEXT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (idem_key),
  CONSTRAINT ck_idem_result_json CHECK (result IS NULL OR JSON_VALID(result))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
