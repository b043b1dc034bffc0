-- Performance management (issue 7, PM-2): department and policy targets beside the projects'
-- own, dual monitoring at the profile's checkpoints with finance's decision, self and key
-- evaluations with their scorecards, results application (the confirmed result the next
-- allocation run reads), and what finance publishes (a frozen copy, so nothing unpublished
-- can leak through a later edit). Money in fen, rates in basis points, scores in hundredths.

-- A department's overall targets (部门整体绩效目标) or a policy's (a special fund's), PM-7; a
-- policy lists the projects that carry it out (JSON ids), whose lines are its spending.
CREATE TABLE performance_targets (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    subject          TEXT   NOT NULL,
    department_id    BIGINT NOT NULL REFERENCES organisations (id),
    policy_code      TEXT   NOT NULL DEFAULT '',
    name             TEXT   NOT NULL,
    budget           BIGINT NOT NULL,
    targets          TEXT   NOT NULL,
    projects         TEXT   NOT NULL DEFAULT '[]',
    version          BIGINT NOT NULL DEFAULT 1,
    updated_by       TEXT   NOT NULL,
    updated_at       TEXT   NOT NULL,
    UNIQUE (jurisdiction_id, fiscal_year, subject, department_id, policy_code)
);

-- One checkpoint of a project (PM-9): the ledger's spending, the unit's indicator progress,
-- the lights, and finance's decision.
CREATE TABLE monitoring_records (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    project_id       BIGINT NOT NULL REFERENCES projects (id),
    fiscal_year      BIGINT NOT NULL,
    month            BIGINT NOT NULL,
    budget           BIGINT NOT NULL,
    spent            BIGINT NOT NULL,
    spending_rate    BIGINT NOT NULL,
    indicator_rate   BIGINT NOT NULL,
    light            TEXT   NOT NULL,
    indicators       TEXT   NOT NULL,
    note             TEXT   NOT NULL,
    recorded_by      TEXT   NOT NULL,
    recorded_at      TEXT   NOT NULL,
    decision         TEXT,
    decision_reason  TEXT,
    decided_by       TEXT,
    decided_at       TEXT,
    UNIQUE (project_id, month)
);
CREATE INDEX monitoring_records_year ON monitoring_records (jurisdiction_id, fiscal_year, month, light);

-- A self-evaluation (by the unit) or a key evaluation (by finance or an agency) of a project,
-- a department as a whole or a policy; one of each kind per subject.
CREATE TABLE evaluations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    kind             TEXT   NOT NULL,
    subject_key      TEXT   NOT NULL,
    project_id       BIGINT REFERENCES projects (id),
    target_id        BIGINT REFERENCES performance_targets (id),
    department_id    BIGINT NOT NULL,
    unit_id          BIGINT,
    name             TEXT   NOT NULL,
    agency_code      TEXT   NOT NULL DEFAULT '',
    budget           BIGINT NOT NULL,
    spent            BIGINT NOT NULL,
    score            BIGINT NOT NULL,
    grade            TEXT   NOT NULL,
    scorecard        TEXT   NOT NULL,
    findings         TEXT   NOT NULL,
    report_attachment_id BIGINT,
    recorded_by      TEXT   NOT NULL,
    recorded_at      TEXT   NOT NULL,
    UNIQUE (kind, subject_key)
);
CREATE INDEX evaluations_year ON evaluations (jurisdiction_id, fiscal_year, kind);

-- Results application (PM-13): the evaluation a result came from, the profile's proposal, and
-- finance's confirmed cut (or retirement) with its reason when it differs.
ALTER TABLE evaluation_results ADD COLUMN evaluation_id BIGINT;
ALTER TABLE evaluation_results ADD COLUMN proposed_rate BIGINT;
ALTER TABLE evaluation_results ADD COLUMN cut_rate BIGINT;
ALTER TABLE evaluation_results ADD COLUMN retire BIGINT NOT NULL DEFAULT 0;
ALTER TABLE evaluation_results ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- What finance has published (PM-5, QJ-5c): a frozen copy; withdrawn ones stay for the record
-- but are no longer public.
CREATE TABLE publications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    kind             TEXT   NOT NULL,
    source_key       TEXT   NOT NULL,
    title            TEXT   NOT NULL,
    department       TEXT   NOT NULL,
    body             TEXT   NOT NULL,
    published_by     TEXT   NOT NULL,
    published_at     TEXT   NOT NULL,
    withdrawn_by     TEXT,
    withdrawn_at     TEXT,
    UNIQUE (jurisdiction_id, kind, source_key)
);
CREATE INDEX publications_public ON publications (withdrawn_at, fiscal_year, kind);
