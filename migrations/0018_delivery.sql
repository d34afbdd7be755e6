-- PET Delivery and Time & Resources state tables (issue 10): projects, delivered minutes,
-- time entries and their adjustments, the period lock, timers, capacities, allocations.
-- The current state; history is in domain_events.

-- Projects. `sale_id` is unique: a sale makes exactly one project. `detail` holds what a
-- project holds besides its columns — its constraint versions (with their change orders),
-- milestones, tasks and the variance thresholds recorded — as JSON, read with the row.
-- `sold_minutes` and `constraint_version` are the current version's, for the list.
CREATE TABLE IF NOT EXISTS {prefix}pet_projects (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(200) NOT NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  sale_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  quote_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  constraint_version INT UNSIGNED NOT NULL,
  sold_minutes BIGINT NOT NULL,
  detail LONGTEXT NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY ux_project_sale (sale_id),
  KEY ix_project_created (created_at, id),
  KEY ix_project_status_created (status, created_at, id),
  KEY ix_project_customer_created (customer_id, created_at, id),
  CONSTRAINT ck_project_detail_json CHECK (JSON_VALID(detail))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Delivered minutes per project and role (approved time plus the adjustments of approved
-- entries), moved by the approval or adjustment in its transaction; `role` '' is time
-- without a role. Read under the project's row lock when variance is detected.
CREATE TABLE IF NOT EXISTS {prefix}pet_project_delivered (
  project_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role VARCHAR(200) NOT NULL,
  minutes BIGINT NOT NULL,
  PRIMARY KEY (project_id, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Time entries. `adjust_minutes` is the sum of the entry's adjustments.
CREATE TABLE IF NOT EXISTS {prefix}pet_time_entries (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  target_kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  project_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  task_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ticket_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
  role VARCHAR(200) NULL,
  work_date DATE NOT NULL,
  minutes INT NOT NULL,
  billable TINYINT(1) NOT NULL,
  note TEXT NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sent_back_reason TEXT NULL,
  adjust_minutes INT NOT NULL DEFAULT 0,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_entry_employee_date (employee_id, work_date, id),
  KEY ix_entry_status_employee_date (status, employee_id, work_date, id),
  KEY ix_entry_project_date (project_id, work_date, id),
  KEY ix_entry_ticket (ticket_id, work_date, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Adjustments of submitted or approved entries (append-only).
CREATE TABLE IF NOT EXISTS {prefix}pet_time_entry_adjustments (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  entry_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  seq INT UNSIGNED NOT NULL,
  work_date DATE NOT NULL,
  minutes INT NOT NULL,
  reason TEXT NOT NULL,
  adjusted_by CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY ux_adjustment_entry_seq (entry_id, seq),
  KEY ix_adjustment_employee_date (employee_id, work_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The period lock: one row (id = the lock's fixed id) once time has been locked.
CREATE TABLE IF NOT EXISTS {prefix}pet_time_locks (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  locked_through DATE NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Timers, one row per employee who ever started one (`running` NULL when stopped).
CREATE TABLE IF NOT EXISTS {prefix}pet_timers (
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  running LONGTEXT NULL,
  version BIGINT UNSIGNED NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (employee_id),
  CONSTRAINT ck_timer_json CHECK (running IS NULL OR JSON_VALID(running))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Weekly capacities, effective-dated: one row per employee and effective Monday; the
-- employee's capacity version is kept in `version` of every row (the highest is current).
CREATE TABLE IF NOT EXISTS {prefix}pet_employee_capacities (
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  effective_from DATE NOT NULL,
  minutes_per_week INT NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (employee_id, effective_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Resource allocations.
CREATE TABLE IF NOT EXISTS {prefix}pet_resource_allocations (
  id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  project_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  starts_on DATE NOT NULL,
  ends_on DATE NOT NULL,
  minutes_per_week INT NOT NULL,
  released TINYINT(1) NOT NULL DEFAULT 0,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_allocation_employee (employee_id, ends_on, starts_on),
  KEY ix_allocation_project (project_id, starts_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
