-- The budget-line ledger (issue 6): a line's running balance beside its approved amount, and
-- every movement as an immutable entry. A payment reserves with one conditional UPDATE on the
-- line (available ≥ amount), so concurrent requests on several servers can never overdraw it
-- (ZB-7a); the balance always equals the sum of the entries.
ALTER TABLE budget_lines ADD COLUMN adjusted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE budget_lines ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0;
ALTER TABLE budget_lines ADD COLUMN spent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE budget_lines ADD COLUMN closed BIGINT NOT NULL DEFAULT 0;

CREATE TABLE ledger_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    line_id    BIGINT NOT NULL REFERENCES budget_lines (id),
    kind       TEXT   NOT NULL,
    amount     BIGINT NOT NULL,
    reference  TEXT   NOT NULL,
    actor      TEXT   NOT NULL,
    at         TEXT   NOT NULL
);
CREATE INDEX ledger_entries_line ON ledger_entries (line_id, id);
