-- Customer portal (issue 17): which WordPress user signs in to the portal as which customer
-- contact. One row per contact that was ever granted access (the PortalAccess aggregate's
-- state); `wp_user_id` is NULL once access is revoked, and unique while set (a WordPress
-- user is the portal user of one contact at most). The portal reads a user's row by
-- `uq_portal_user` on every page, and the customer screen reads its contacts' rows by
-- primary key.
CREATE TABLE IF NOT EXISTS {prefix}pet_portal_access (
  contact_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  customer_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  wp_user_id BIGINT UNSIGNED NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (contact_id),
  UNIQUE KEY uq_portal_user (wp_user_id),
  KEY ix_portal_customer (customer_id, contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
