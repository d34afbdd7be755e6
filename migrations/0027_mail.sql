-- PET helpdesk email (issue 17): the outbox of notifications (fed by the outbox job from the
-- event log, checkpoint `mail_outbox` of pet_projection_checkpoints; one row per event and
-- recipient; sent by WordPress through wp_mail with retries and dead letters), the site's
-- edited templates, the staff opt-outs, the signing secret of reply tokens and reopen links,
-- the mail message aggregate's rows, and the inbound mailbox's messages and attachments.

-- Outbox: `status` pending | running | failed | dead | sent. `vars` are the placeholders'
-- values as JSON. Claimed like jobs (due by ix_mail_status_due, running until
-- `locked_until`); a claim is the row id plus its attempt number.
CREATE TABLE IF NOT EXISTS {prefix}pet_mail_outbox (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sequence BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  recipient_kind VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  recipient_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  email VARCHAR(254) NOT NULL,
  recipient_name VARCHAR(200) NOT NULL,
  vars MEDIUMTEXT NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  max_attempts INT UNSIGNED NOT NULL,
  run_at DATETIME(6) NOT NULL,
  locked_until DATETIME(6) NULL,
  last_error VARCHAR(2000) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  sent_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_mail_event_recipient (event_id, recipient_kind, recipient_id),
  KEY ix_mail_status_due (status, run_at, id),
  KEY ix_mail_expired (status, locked_until),
  KEY ix_mail_ticket (ticket_id, created_at),
  CONSTRAINT ck_mail_vars_json CHECK (JSON_VALID(vars))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The site's edited templates (a kind without a row uses the plugin's translated default).
CREATE TABLE IF NOT EXISTS {prefix}pet_mail_templates (
  kind VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject VARCHAR(300) NOT NULL,
  body TEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Staff notifications an employee turned off (their user profile).
CREATE TABLE IF NOT EXISTS {prefix}pet_mail_optouts (
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (employee_id, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Mail settings: the signing secret (made once, at random, on first use).
CREATE TABLE IF NOT EXISTS {prefix}pet_mail_settings (
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  value TEXT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The mail message aggregate (a sent outbox row or an inbound message recorded on a ticket).
CREATE TABLE IF NOT EXISTS {prefix}pet_mail_messages (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Inbound messages read from the mailbox: `status` threaded | opened | review | ignored,
-- `reason` why (auto-reply, loop, unknown sender, forged token, …).
CREATE TABLE IF NOT EXISTS {prefix}pet_mail_inbox (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  message_id VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_email VARCHAR(254) NOT NULL,
  from_name VARCHAR(200) NOT NULL,
  subject VARCHAR(300) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reason VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  contact_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  received_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_inbox_message_id (message_id),
  KEY ix_inbox_status (status, received_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Attachments of inbound messages (size-limited by the poller).
CREATE TABLE IF NOT EXISTS {prefix}pet_mail_attachments (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  inbox_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  filename VARCHAR(255) NOT NULL,
  mime_type VARCHAR(127) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  size INT UNSIGNED NOT NULL,
  content MEDIUMBLOB NOT NULL,
  PRIMARY KEY (id),
  KEY ix_attachment_inbox (inbox_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The outbox starts at the log's head: an existing site does not mail its history.
INSERT IGNORE INTO {prefix}pet_projection_checkpoints (projection, last_sequence, updated_at) SELECT 'mail_outbox', COALESCE(MAX(id), 0), UTC_TIMESTAMP(6) FROM {prefix}pet_domain_events;
