-- The approvals queue by employee-week, flat at any size (issue 10): one row per employee
-- and week (its Monday) holding submitted time, with the number of submitted entries,
-- moved by the submission, approval or send-back in its transaction (a row is deleted when
-- its count reaches 0). The queue pages through its primary key; the figures of a page's
-- weeks are read from the entries of exactly those weeks.
CREATE TABLE IF NOT EXISTS {prefix}pet_time_submitted_weeks (
  employee_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  week DATE NOT NULL,
  entries INT NOT NULL,
  PRIMARY KEY (employee_id, week)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The weeks already waiting.
INSERT INTO {prefix}pet_time_submitted_weeks (employee_id, week, entries)
SELECT employee_id, DATE_SUB(work_date, INTERVAL WEEKDAY(work_date) DAY) AS wk, COUNT(*)
FROM {prefix}pet_time_entries WHERE status = 'submitted'
GROUP BY employee_id, wk
ON DUPLICATE KEY UPDATE entries = VALUES(entries);

-- Delivered minutes recomputed from scratch (Delivery::recompute_variance) read from the
-- index alone: a batch of projects' approved time by role.
ALTER TABLE {prefix}pet_time_entries
  ADD INDEX IF NOT EXISTS ix_entry_project_delivered (project_id, status, role, minutes, adjust_minutes);
