-- PET Helpdesk & SLA and Knowledgebase state tables (the current state; history is in
-- domain_events). Issue 4.

-- Tickets. `sla_timeline` is the ticket's clock timeline (start, initial status and
-- priority, then every status/priority change and the first response) as JSON, so the SLA
-- job evaluates every open ticket from one row without replaying events. `sla_state` and
-- `sla_due_at` are what the list filters and sorts on: written by every ticket command and
-- by the SLA job when it records a warning, breach or met.
CREATE TABLE IF NOT EXISTS {prefix}pet_tickets (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  project_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  subject VARCHAR(200) NOT NULL,
  priority VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  channel VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  assignee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  status VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  resolved_at DATETIME(6) NULL,
  reply_count INT UNSIGNED NOT NULL DEFAULT 0,
  first_response_at DATETIME(6) NULL,
  sla_timeline LONGTEXT NOT NULL,
  sla_state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  sla_due_at DATETIME(6) NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_ticket_status (status, id),
  KEY ix_ticket_priority (priority),
  KEY ix_ticket_assignee (assignee_id),
  KEY ix_ticket_customer (customer_id),
  KEY ix_ticket_sla_state (sla_state),
  KEY ix_ticket_sla_due (sla_due_at),
  CONSTRAINT ck_ticket_timeline_json CHECK (JSON_VALID(sla_timeline))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Replies and internal notes (append-only).
CREATE TABLE IF NOT EXISTS {prefix}pet_ticket_replies (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  author_kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  author_employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  author_contact_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  visibility VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  body MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_reply_ticket (ticket_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- SLA definitions and their immutable versions.
CREATE TABLE IF NOT EXISTS {prefix}pet_sla_definitions (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(200) NOT NULL,
  current_version INT UNSIGNED NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_sla_definition_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS {prefix}pet_sla_definition_versions (
  definition_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number INT UNSIGNED NOT NULL,
  spec LONGTEXT NOT NULL,
  published_at DATETIME(6) NOT NULL,
  PRIMARY KEY (definition_id, number),
  CONSTRAINT ck_sla_spec_json CHECK (JSON_VALID(spec))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per ticket under an SLA: the pinned definition version and what was recorded.
-- `open_marks` = 1 while some target is neither breached nor met (what the SLA job scans).
CREATE TABLE IF NOT EXISTS {prefix}pet_sla_assignments (
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  definition_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  definition_version INT UNSIGNED NOT NULL,
  paused TINYINT(1) NOT NULL DEFAULT 0,
  fr_warning TINYINT(1) NOT NULL DEFAULT 0,
  fr_breached TINYINT(1) NOT NULL DEFAULT 0,
  fr_met TINYINT(1) NOT NULL DEFAULT 0,
  res_warning TINYINT(1) NOT NULL DEFAULT 0,
  res_breached TINYINT(1) NOT NULL DEFAULT 0,
  res_met TINYINT(1) NOT NULL DEFAULT 0,
  open_marks TINYINT(1) NOT NULL DEFAULT 1,
  version BIGINT UNSIGNED NOT NULL,
  assigned_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (ticket_id),
  KEY ix_sla_assignment_open (open_marks, ticket_id),
  KEY ix_sla_assignment_definition (definition_id, definition_version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Recorded SLA outcomes. The unique key is the database's guarantee that a warning, a
-- breach or a met target is recorded at most once per ticket and target, whatever runs
-- overlap.
CREATE TABLE IF NOT EXISTS {prefix}pet_sla_events (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  target VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  definition_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  definition_version INT UNSIGNED NOT NULL,
  elapsed_minutes BIGINT NOT NULL,
  target_minutes INT UNSIGNED NOT NULL,
  reached_at DATETIME(6) NULL,
  recorded_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_sla_outcome (ticket_id, target, kind),
  CONSTRAINT ck_sla_event_kind CHECK (kind IN ('warning', 'breached', 'met'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Knowledge articles. `title` is the current content's title (the live version's, or the
-- draft's).
CREATE TABLE IF NOT EXISTS {prefix}pet_knowledge_articles (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  category VARCHAR(200) NOT NULL,
  slug VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  title VARCHAR(200) NOT NULL,
  draft_title VARCHAR(200) NOT NULL,
  draft_body MEDIUMTEXT NOT NULL,
  current_version INT UNSIGNED NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_knowledge_slug (slug),
  KEY ix_knowledge_category (category, title)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Immutable published versions. `live` = 1 marks the current version of a published
-- (not archived) article: full-text search runs over those.
CREATE TABLE IF NOT EXISTS {prefix}pet_knowledge_versions (
  article_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  number INT UNSIGNED NOT NULL,
  title VARCHAR(200) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  restored_from INT UNSIGNED NULL,
  live TINYINT(1) NOT NULL DEFAULT 0,
  published_at DATETIME(6) NOT NULL,
  PRIMARY KEY (article_id, number),
  FULLTEXT KEY ft_knowledge_version (title, body)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only comments; moderation hides, never deletes.
CREATE TABLE IF NOT EXISTS {prefix}pet_knowledge_comments (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  article_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  author_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  body TEXT NOT NULL,
  hidden TINYINT(1) NOT NULL DEFAULT 0,
  hidden_by CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  hidden_reason VARCHAR(1000) NULL,
  created_at DATETIME(6) NOT NULL,
  hidden_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  KEY ix_comment_article (article_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Articles linked to the tickets they helped resolve.
CREATE TABLE IF NOT EXISTS {prefix}pet_knowledge_ticket_links (
  article_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  linked_at DATETIME(6) NOT NULL,
  PRIMARY KEY (article_id, ticket_id),
  KEY ix_link_ticket (ticket_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
