-- Exclusion that holds on a cluster: the migration runner and the job runner hold a lease
-- row here instead of GET_LOCK (which is per server: two migrators on two Galera nodes
-- would both run). Taking a lease is an autocommit INSERT … ON DUPLICATE KEY UPDATE of
-- the row's primary key, so on Galera two nodes taking it at once conflict in
-- certification and only one commits. migrate() runs this statement before taking the
-- migration lease when the table is missing (a fresh install), so it must stay re-runnable.
CREATE TABLE IF NOT EXISTS {prefix}pet_locks (
  name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  owner CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  acquired_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
