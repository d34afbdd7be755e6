//! Integration tests of the commercial pipeline (leads, quotes, sales) against MariaDB.
