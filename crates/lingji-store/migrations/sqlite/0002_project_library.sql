-- Project library: expenditure standards, projects with cost lines, performance indicators,
-- multi-year plans and history. Money in fen; decimals (quantities) as text.

CREATE TABLE standards (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  INTEGER NOT NULL REFERENCES organisations (id),
    code             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    unit_of_measure  TEXT    NOT NULL,
    amount           INTEGER NOT NULL CHECK (amount > 0),
    unit_kinds       TEXT    NOT NULL,
    from_year        INTEGER NOT NULL,
    to_year          INTEGER,
    source           TEXT    NOT NULL,
    UNIQUE (jurisdiction_id, code)
);

CREATE TABLE project_serials (
    jurisdiction_id  INTEGER NOT NULL,
    fiscal_year      INTEGER NOT NULL,
    department_id    INTEGER NOT NULL,
    next_serial      INTEGER NOT NULL,
    PRIMARY KEY (jurisdiction_id, fiscal_year, department_id)
);

CREATE TABLE projects (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id           INTEGER NOT NULL REFERENCES organisations (id),
    department_id             INTEGER NOT NULL REFERENCES organisations (id),
    unit_id                   INTEGER NOT NULL REFERENCES organisations (id),
    code                      TEXT    NOT NULL UNIQUE,
    fiscal_year               INTEGER NOT NULL,
    name                      TEXT    NOT NULL,
    kind                      TEXT    NOT NULL,
    matter_class              TEXT,
    tier                      TEXT,
    state                     TEXT    NOT NULL,
    basis_title               TEXT    NOT NULL,
    basis_number              TEXT    NOT NULL,
    basis_expires_on          TEXT,
    start_year                INTEGER,
    end_year                  INTEGER,
    pilot                     INTEGER NOT NULL DEFAULT 0,
    total_need                INTEGER NOT NULL DEFAULT 0,
    request                   INTEGER NOT NULL DEFAULT 0,
    min_viable                INTEGER NOT NULL DEFAULT 0,
    function_code             TEXT    NOT NULL,
    government_economic_code  TEXT    NOT NULL,
    fund_book                 TEXT,
    responsible_person        TEXT    NOT NULL,
    responsible_phone         TEXT    NOT NULL,
    is_new                    INTEGER NOT NULL DEFAULT 1,
    is_major                  INTEGER NOT NULL DEFAULT 0,
    features                  TEXT    NOT NULL,
    overall_goal              TEXT    NOT NULL,
    last_funded_year          INTEGER,
    -- Zero base (ZB-4): last year's project of the same line, and what it was approved and
    -- spent, shown as reference only; a new request never takes these amounts.
    previous_id               INTEGER REFERENCES projects (id),
    approved                  INTEGER NOT NULL DEFAULT 0,
    spent                     INTEGER NOT NULL DEFAULT 0,
    version                   INTEGER NOT NULL DEFAULT 1,
    created_at                TEXT    NOT NULL,
    updated_at                TEXT    NOT NULL
);
CREATE INDEX projects_year_state ON projects (jurisdiction_id, fiscal_year, state, id);
CREATE INDEX projects_unit ON projects (unit_id, fiscal_year);
CREATE INDEX projects_department ON projects (department_id, fiscal_year);

CREATE TABLE project_cost_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    item          TEXT    NOT NULL,
    economic_code TEXT    NOT NULL,
    standard_id   INTEGER REFERENCES standards (id),
    quantity      TEXT    NOT NULL,
    unit_amount   INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    basis         TEXT    NOT NULL
);
CREATE INDEX project_cost_lines_project ON project_cost_lines (project_id, position);

CREATE TABLE project_indicators (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    category      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    comparator    TEXT    NOT NULL,
    target_value  TEXT    NOT NULL,
    unit          TEXT    NOT NULL
);
CREATE INDEX project_indicators_project ON project_indicators (project_id, position);

CREATE TABLE project_year_plans (
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    PRIMARY KEY (project_id, year)
);

CREATE TABLE project_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    note        TEXT    NOT NULL
);
CREATE INDEX project_history_project ON project_history (project_id, id);

-- The indicator library (PM-4): a common frame plus per-sector core indicators units pick from.
CREATE TABLE indicator_library (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  INTEGER NOT NULL REFERENCES organisations (id),
    sector           TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    comparator       TEXT    NOT NULL,
    unit             TEXT    NOT NULL,
    UNIQUE (jurisdiction_id, sector, name)
);
