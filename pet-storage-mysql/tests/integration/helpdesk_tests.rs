//! Integration tests of the helpdesk, SLA job and knowledge base against MariaDB.
