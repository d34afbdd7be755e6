-- Issue 9: a quote's number is drawn from a sequence in the same round trip as the
-- opportunity it is made for (createQuote's `SELECT … NEXTVAL(…)`), instead of an UPDATE of
-- the counter row of 0004 first. A sequence is not transactional: a rolled-back command
-- leaves a gap, as ticket numbers do (0017).
--
-- The sequence continues where the counter stopped. SETVAL takes a constant only, so the
-- counter's value is put into the statement with PREPARE (a number read from PET's own
-- table, no input). SETVAL never moves a sequence backwards, so running this again after
-- quotes were numbered from the sequence changes nothing. The counter row stays (frozen)
-- for the record.

CREATE SEQUENCE IF NOT EXISTS {prefix}pet_quote_numbers START WITH 1 MINVALUE 1 INCREMENT BY 1 NOCACHE;

SET @pet_quote_number = (SELECT COALESCE(MAX(last_value), 0) FROM {prefix}pet_commercial_counters WHERE name = 'quote_number');

SET @pet_quote_setval = CONCAT('SELECT SETVAL({prefix}pet_quote_numbers, ', CAST(GREATEST(@pet_quote_number, 1) AS UNSIGNED), ', ', IF(@pet_quote_number > 0, 1, 0), ')');

PREPARE pet_quote_setval FROM @pet_quote_setval;

EXECUTE pet_quote_setval;

DEALLOCATE PREPARE pet_quote_setval;
