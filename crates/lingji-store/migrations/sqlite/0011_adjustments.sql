-- Budget adjustments (issue 6, ZB-7b): a transfer between two lines of a department (调剂) or a
-- supplement of new money for a library project (追加, QJ-2a), requested and then approved by
-- finance, when the lines' ledgers move. Approved ones make up the amendment document (QJ-4c).
CREATE TABLE adjustments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    department_id    BIGINT NOT NULL,
    unit_id          BIGINT NOT NULL,
    kind             TEXT   NOT NULL,
    from_line_id     BIGINT REFERENCES budget_lines (id),
    to_line_id       BIGINT REFERENCES budget_lines (id),
    project_id       BIGINT REFERENCES projects (id),
    economic_code    TEXT,
    amount           BIGINT NOT NULL,
    major            BIGINT NOT NULL DEFAULT 0,
    reason           TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    requested_by     TEXT   NOT NULL,
    requested_at     TEXT   NOT NULL,
    decided_by       TEXT,
    decided_at       TEXT,
    decision_note    TEXT
);
CREATE INDEX adjustments_year ON adjustments (jurisdiction_id, fiscal_year, status, id);
