-- PET privacy: per-person data keys for crypto-shredding (pet-core's privacy.rs).
-- Personal fields of new events (employee.created: name, email; contact.added: name,
-- email, phone) are sealed with the data key of their person before they are appended; the
-- hash chain covers the sealed payload. Erasing a person sets wrapped_key to NULL (the key
-- is gone: their sealed fields can no longer be read) and erased_at; the row stays, with
-- ids only, so readers know to show placeholders also for events written before sealing.
-- wrapping: 'site:<fingerprint>' when wrapped with the site key from the configuration
-- (privacy_key), 'none' when stored as it is (no site key configured), 'erased' once erased.
CREATE TABLE IF NOT EXISTS {prefix}pet_personal_keys (
  subject_type VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  subject_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  wrapped_key VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NULL,
  wrapping VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME(6) NOT NULL,
  erased_at DATETIME(6) NULL,
  PRIMARY KEY (subject_id, subject_type),
  CONSTRAINT ck_personal_key_erased CHECK ((erased_at IS NULL) = (wrapped_key IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A privacy request names an e-mail address: contacts are found by it through an index
-- (employees have uq_employee_email since 0003).
ALTER TABLE {prefix}pet_contacts ADD KEY IF NOT EXISTS ix_contact_email (email);
