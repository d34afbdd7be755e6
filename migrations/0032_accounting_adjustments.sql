-- Adjustments of approved time reach QuickBooks (issue 12): a time push's document now
-- changes (its minutes are the entry's current total), so the push keeps which adjustments
-- it folded in (`adjustments`, a JSON list of ids), the minutes its creates carry
-- (`sent_minutes`: the same request id always carries the same content), whether an update
-- follows the confirmation (`resend_after_confirm`) and whether the time activity was
-- deleted because the total reached 0 (`removed`).
ALTER TABLE {prefix}pet_accounting_pushes ADD COLUMN IF NOT EXISTS adjustments TEXT NULL;
ALTER TABLE {prefix}pet_accounting_pushes ADD COLUMN IF NOT EXISTS sent_minutes BIGINT NULL;
ALTER TABLE {prefix}pet_accounting_pushes ADD COLUMN IF NOT EXISTS resend_after_confirm TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE {prefix}pet_accounting_pushes ADD COLUMN IF NOT EXISTS removed TINYINT(1) NOT NULL DEFAULT 0;
