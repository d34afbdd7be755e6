-- Privacy (issue 13): erasing a contact overwrites the messages they wrote, found by id — their
-- ticket replies by `author_contact_id` (the exporter lists them in that order too) and the
-- mail they sent by the inbox's `contact_id` or, from before they were known, `from_email` —
-- instead of scanning every reply and every inbound message.
ALTER TABLE {prefix}pet_ticket_replies ADD INDEX IF NOT EXISTS ix_reply_contact (author_contact_id, created_at, id);
ALTER TABLE {prefix}pet_mail_inbox ADD INDEX IF NOT EXISTS ix_inbox_contact (contact_id), ADD INDEX IF NOT EXISTS ix_inbox_from (from_email);
