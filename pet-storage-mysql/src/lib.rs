//! `pet-storage-mysql`: PET's application services and its MySQL/MariaDB adapter.
