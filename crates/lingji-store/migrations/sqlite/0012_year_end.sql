-- The year-end close (issue 6; ZB-6d, QJ-4b, ZX-3c, CS-6): a carried-over line remembers how
-- many year-ends its money has been carried through, how many of them it sat unused, and the
-- line it came from. One close per jurisdiction and year (the unique key makes a second run a
-- no-op), with what happened to every line.
ALTER TABLE budget_lines ADD COLUMN carryover_age BIGINT NOT NULL DEFAULT 0;
ALTER TABLE budget_lines ADD COLUMN idle_years BIGINT NOT NULL DEFAULT 0;
ALTER TABLE budget_lines ADD COLUMN carried_from BIGINT;

CREATE TABLE year_closes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    carried          BIGINT NOT NULL,
    recovered        BIGINT NOT NULL,
    lines            BIGINT NOT NULL,
    closed_by        TEXT   NOT NULL,
    closed_at        TEXT   NOT NULL,
    UNIQUE (jurisdiction_id, fiscal_year)
);

CREATE TABLE year_close_lines (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    close_id     BIGINT NOT NULL REFERENCES year_closes (id),
    line_id      BIGINT NOT NULL REFERENCES budget_lines (id),
    available    BIGINT NOT NULL,
    carried      BIGINT NOT NULL,
    recovered    BIGINT NOT NULL,
    clause       TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    new_line_id  BIGINT REFERENCES budget_lines (id)
);
CREATE INDEX year_close_lines_close ON year_close_lines (close_id, id);
