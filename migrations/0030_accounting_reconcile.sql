-- Accounting reconciliation cost (issue 12): the totals per period read only this index
-- (target, status, then the group and the summed columns: a covering index, no row
-- look-ups however many pushes there are). It supersedes ix_accounting_period. The
-- incremental reconciliation's checkpoint is the `reconcile_cursor` row of
-- pet_accounting_settings (no table change); its keyset uses ix_accounting_status.
ALTER TABLE {prefix}pet_accounting_pushes ADD INDEX IF NOT EXISTS ix_accounting_totals (target, status, period, currency, amount_minor, remote_amount_minor);
ALTER TABLE {prefix}pet_accounting_pushes DROP INDEX IF EXISTS ix_accounting_period;
