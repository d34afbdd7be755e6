-- PET audit: the state of the event log's chain verification, and the REST write limits.

-- One row: how far the log has been verified against its hash chain (the checkpoint the
-- scheduled verification continues from) and the outcome of the last run. A run that finds
-- a fault records the first bad sequence and what is wrong, and the status stays 'failed'
-- until a complete verification passes.
CREATE TABLE IF NOT EXISTS {prefix}pet_chain_verification (
  id TINYINT UNSIGNED NOT NULL,
  verified_sequence BIGINT UNSIGNED NOT NULL,
  verified_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  verified_at DATETIME(6) NULL,
  full_verified_at DATETIME(6) NULL,
  checked_at DATETIME(6) NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fault_sequence BIGINT UNSIGNED NULL,
  fault_kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  fault_message TEXT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ck_chain_verification_status CHECK (status IN ('unverified', 'ok', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO {prefix}pet_chain_verification (id, verified_sequence, verified_hash, status)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 'unverified');

-- REST write limits: one row per subject (e.g. 'user:12') and fixed window.
CREATE TABLE IF NOT EXISTS {prefix}pet_rate_limits (
  subject VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  window_start DATETIME(6) NOT NULL,
  hits INT UNSIGNED NOT NULL,
  PRIMARY KEY (subject)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
