//! `pet-php`: the PHP extension that exposes PET as `Pet\Engine`.
