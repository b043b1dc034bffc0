-- One audit chain per budget line for payment requests (issue 17).
--
-- Every payment request writes its audit event in its own transaction. With one chain, each
-- request held the chain's head from its event to its commit, so commits could not share a
-- disk flush and payments went one flush at a time. A request's event now goes to its line's
-- chain: requests on one line already wait for each other on the line's row, and requests on
-- different lines no longer wait at all. The main chain seals the heads of the lines that
-- moved (`audit.seal`, written by `lingji audit anchor`), so an anchor covers the lines too.
--
-- `seq` stays the log's number (on SQLite the row id, the next after the largest: its one
-- writer orders everything); `chain` says which chain holds the event (0: the main chain, else the budget
-- line) and `link` its position there, from 1 without gaps. Existing events are all on the
-- main chain at their old numbers, so their hashes (which cover the position) verify unchanged.
ALTER TABLE audit_events ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_events ADD COLUMN link INTEGER NOT NULL DEFAULT 0;
UPDATE audit_events SET link = seq;

-- Each line chain's head: its last position and hash, and whether the main chain has sealed
-- it since it last moved.
CREATE TABLE audit_line_heads (
    line_id  INTEGER PRIMARY KEY,
    link     INTEGER NOT NULL,
    hash     TEXT    NOT NULL,
    sealed   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_line_heads_unsealed ON audit_line_heads (line_id) WHERE sealed = 0;
