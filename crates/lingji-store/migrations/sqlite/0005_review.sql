-- Review and argument (issue 4): where each submitted project stands in review, every step
-- taken (who, when, opinion), the joint-review bodies it is routed to, the gate records that
-- decide whether it may be funded, and the lists the finance bureau maintains.

-- Stage in review (department, finance, joint, panel, decided), the resubmission round, the
-- department's rank and the finance-reviewed amount (财政审核数, fen).
ALTER TABLE projects ADD COLUMN review_stage TEXT;
ALTER TABLE projects ADD COLUMN review_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN department_rank INTEGER;
ALTER TABLE projects ADD COLUMN reviewed_amount INTEGER;
CREATE INDEX projects_review_queue ON projects (jurisdiction_id, review_stage, department_id, id);

CREATE TABLE project_reviews (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    round            INTEGER NOT NULL,
    stage            TEXT    NOT NULL,
    body             TEXT,
    outcome          TEXT    NOT NULL,
    department_rank  INTEGER,
    reviewed         INTEGER,
    opinion          TEXT    NOT NULL,
    panel            TEXT,
    actor_id         INTEGER,
    actor            TEXT    NOT NULL,
    at               TEXT    NOT NULL
);
CREATE INDEX project_reviews_project ON project_reviews (project_id, id);

-- A joint-review body must answer before the panel (ZB-5e); it sees only what is routed here.
CREATE TABLE project_routes (
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,
    round       INTEGER NOT NULL,
    answered    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, body)
);
CREATE INDEX project_routes_body ON project_routes (body, answered, project_id);

CREATE TABLE project_gates (
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    gate        TEXT    NOT NULL,
    record      TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    PRIMARY KEY (project_id, gate)
);

-- Key matters (CS-2a), events (ZB-6a), the purchase-of-services negative list (ZB-8), the
-- special-fund registry (ZB-12, QJ-3b) and assessment agencies, each change kept.
CREATE TABLE finance_list_entries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  INTEGER NOT NULL REFERENCES organisations (id),
    list             TEXT    NOT NULL,
    code             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    year             INTEGER,
    entry            TEXT    NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT    NOT NULL,
    UNIQUE (jurisdiction_id, list, code)
);

CREATE TABLE finance_list_history (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id  INTEGER NOT NULL REFERENCES finance_list_entries (id),
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    entry     TEXT    NOT NULL,
    active    INTEGER NOT NULL
);
CREATE INDEX finance_list_history_entry ON finance_list_history (entry_id, id);

-- A unit's own funds available for the coming year (ZB-11: spent before new appropriations).
ALTER TABLE organisations ADD COLUMN own_funds INTEGER NOT NULL DEFAULT 0;
