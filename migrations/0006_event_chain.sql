-- PET event store: the database itself keeps the event sequence row in step with the log.
-- Statements end with ';' at the end of a line; a trigger body runs from BEGIN to 'END;'.
--
-- Every row inserted into domain_events must continue the chain exactly: its id is the
-- sequence head + 1 and its prev_hash is the head's hash. The trigger checks that under the
-- sequence row's lock and moves the head to the new row in the same statement, so an append
-- is one INSERT (no separate claim of the sequence row), the row stays locked until the
-- appending transaction ends (commit order = id order: a reader never skips an event that
-- commits late), and a failed INSERT undoes the head move with it. An append that guessed
-- a stale head gets the 'pet event chain' error and retries after reading the head.

CREATE TRIGGER IF NOT EXISTS {prefix}pet_domain_events_chain BEFORE INSERT ON {prefix}pet_domain_events FOR EACH ROW BEGIN
  UPDATE {prefix}pet_event_sequence SET last_sequence = NEW.id, last_hash = NEW.hash
    WHERE id = 1 AND last_sequence + 1 = NEW.id AND last_hash = NEW.prev_hash;
  IF ROW_COUNT() <> 1 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'pet event chain: the row does not continue the sequence head';
  END IF;
END;
