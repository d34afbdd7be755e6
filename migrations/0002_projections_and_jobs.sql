-- PET projections (activity feed + names for rendering, checkpoints) and the job queue.

CREATE TABLE IF NOT EXISTS {prefix}pet_projection_checkpoints (
  projection VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  last_sequence BIGINT UNSIGNED NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (projection)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_activity_feed_projections (
  sequence BIGINT UNSIGNED NOT NULL,
  event_type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  actor_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  context_type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  context_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (sequence),
  KEY ix_context (context_type, context_id, sequence),
  KEY ix_actor (actor_id, sequence),
  KEY ix_occurred (occurred_at, sequence)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_activity_names (
  entity_type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  entity_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(255) NOT NULL,
  PRIMARY KEY (entity_type, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_jobs (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  payload LONGTEXT NOT NULL,
  dedupe_key VARCHAR(191) NULL,
  active_dedupe_key VARCHAR(191) NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  max_attempts INT UNSIGNED NOT NULL,
  run_at DATETIME(6) NOT NULL,
  locked_until DATETIME(6) NULL,
  last_error TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  finished_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_active_dedupe (active_dedupe_key),
  KEY ix_due (run_at, id),
  KEY ix_expired (status, locked_until),
  CONSTRAINT ck_job_payload_json CHECK (JSON_VALID(payload)),
  CONSTRAINT ck_job_status CHECK (status IN ('pending', 'running', 'failed', 'dead', 'done'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
