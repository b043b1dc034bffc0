-- Everything that moves money or rights is provable (issue 17).
--
-- The audit chain is keyed from here on: every event appended by this version is hashed with
-- HMAC-SHA256 under the audit key, a secret kept in a file outside the database, and carries
-- keyed = 1. Events written before keep keyed = 0 and their plain SHA-256 hashes, so existing
-- chains keep verifying; the first keyed event is the key start (`audit.key`), written when a
-- server first starts with its key, and after it no unkeyed event is accepted.
ALTER TABLE audit_events ADD COLUMN keyed BIGINT NOT NULL DEFAULT 0;

-- `lingji audit verify` finds each payment's hold among its line's ledger entries by the
-- payment's idempotency key (the entry's reference).
CREATE INDEX ledger_entries_reference ON ledger_entries (line_id, reference);
