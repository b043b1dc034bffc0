-- Zero-based allocation (issue 5): the year's available resources per fund book, last year's
-- evaluation results the run reads, saved runs with every item's result and its inputs, and the
-- budget lines approval makes. Money in fen.

-- 可用财力 per fund book, by part; the unassigned reserve asked for (待分资金, ZB-2b).
CREATE TABLE available_resources (
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    fund_book        TEXT   NOT NULL,
    revenue          BIGINT NOT NULL,
    transfers        BIGINT NOT NULL,
    recovered        BIGINT NOT NULL,
    debt             BIGINT NOT NULL,
    unit_funds       BIGINT NOT NULL,
    reserve          BIGINT NOT NULL,
    note             TEXT   NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    updated_by       TEXT   NOT NULL,
    updated_at       TEXT   NOT NULL,
    PRIMARY KEY (jurisdiction_id, fiscal_year, fund_book)
);

-- A project's evaluation result (PM-10), read by the next year's run (CS-5b, QJ-5b).
-- Score in hundredths of a point.
CREATE TABLE evaluation_results (
    project_id   BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    score        BIGINT NOT NULL,
    grade        TEXT   NOT NULL,
    recorded_by  TEXT   NOT NULL,
    recorded_at  TEXT   NOT NULL
);

-- A saved run: immutable once written; only the year's process marks (chosen, published,
-- approved) are set on it later.
CREATE TABLE allocation_runs (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id    BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year        BIGINT NOT NULL,
    number             BIGINT NOT NULL,
    name               TEXT   NOT NULL,
    base_run_id        BIGINT REFERENCES allocation_runs (id),
    scenario           TEXT   NOT NULL,
    parameters         TEXT   NOT NULL,
    books              TEXT   NOT NULL,
    tiers              TEXT   NOT NULL,
    items              BIGINT NOT NULL,
    allocated          BIGINT NOT NULL,
    created_by         TEXT   NOT NULL,
    created_at         TEXT   NOT NULL,
    chosen_by          TEXT,
    chosen_at          TEXT,
    published_by       TEXT,
    published_at       TEXT,
    approved_by        TEXT,
    approved_at        TEXT,
    approval_document  TEXT,
    UNIQUE (jurisdiction_id, fiscal_year, number)
);

-- Every item of a run: a project, or a unit's basic expenditure (negative item id), with the
-- candidate as the run read it (so a scenario reruns the very same inputs).
CREATE TABLE allocation_results (
    run_id         BIGINT NOT NULL REFERENCES allocation_runs (id) ON DELETE CASCADE,
    item_id        BIGINT NOT NULL,
    project_id     BIGINT,
    department_id  BIGINT NOT NULL,
    unit_id        BIGINT NOT NULL,
    code           TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    fund_book      TEXT   NOT NULL,
    tier           TEXT   NOT NULL,
    requested      BIGINT NOT NULL,
    reviewed       BIGINT NOT NULL,
    adjusted       BIGINT NOT NULL,
    allocated      BIGINT NOT NULL,
    position       BIGINT NOT NULL,
    status         TEXT   NOT NULL,
    explanation    TEXT   NOT NULL,
    adjustments    TEXT   NOT NULL,
    candidate      TEXT   NOT NULL,
    PRIMARY KEY (run_id, item_id)
);
CREATE INDEX allocation_results_org ON allocation_results (run_id, department_id, unit_id);

-- 指标: what approval makes of the chosen run, per unit, project, economic code and fund book.
CREATE TABLE budget_lines (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id   BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year       BIGINT NOT NULL,
    department_id     BIGINT NOT NULL,
    unit_id           BIGINT NOT NULL,
    project_id        BIGINT REFERENCES projects (id),
    item_id           BIGINT NOT NULL,
    name              TEXT   NOT NULL,
    economic_code     TEXT   NOT NULL,
    fund_book         TEXT   NOT NULL,
    three_guarantees  BIGINT NOT NULL,
    approved          BIGINT NOT NULL,
    source_document   TEXT   NOT NULL,
    run_id            BIGINT REFERENCES allocation_runs (id),
    created_at        TEXT   NOT NULL
);
CREATE INDEX budget_lines_unit ON budget_lines (jurisdiction_id, fiscal_year, unit_id, id);
CREATE INDEX budget_lines_department ON budget_lines (jurisdiction_id, fiscal_year, department_id, id);
