-- Fund pools 资金池 (issue 21, ZX-3b, ZB-10, ZB-12): special funds of several departments merged
-- into one pool of a year with a lead department, one application gate (deadline) and one
-- allocation of the pool to the applications, which opens budget lines for the projects.
CREATE TABLE fund_pools (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id     BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year         BIGINT NOT NULL,
    name                TEXT   NOT NULL,
    lead_department_id  BIGINT NOT NULL REFERENCES organisations (id),
    deadline            TEXT   NOT NULL,
    size                BIGINT NOT NULL,
    allocated_at        TEXT,
    allocated_by        TEXT,
    document            TEXT,
    version             BIGINT NOT NULL DEFAULT 1,
    created_by          TEXT   NOT NULL,
    created_at          TEXT   NOT NULL,
    updated_at          TEXT   NOT NULL
);
CREATE INDEX fund_pools_year ON fund_pools (jurisdiction_id, fiscal_year, id);
-- A special fund is in at most one pool a year (ZX-3b).
CREATE TABLE fund_pool_members (
    pool_id          BIGINT NOT NULL REFERENCES fund_pools (id),
    jurisdiction_id  BIGINT NOT NULL,
    fiscal_year      BIGINT NOT NULL,
    position         BIGINT NOT NULL,
    fund_code        TEXT   NOT NULL,
    fund_name        TEXT   NOT NULL,
    department_id    BIGINT NOT NULL REFERENCES organisations (id),
    amount           BIGINT NOT NULL,
    PRIMARY KEY (pool_id, position)
);
CREATE UNIQUE INDEX fund_pool_members_fund ON fund_pool_members (jurisdiction_id, fiscal_year, fund_code);
-- One application per project and pool; `given` is set by the allocation.
CREATE TABLE fund_pool_applications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id        BIGINT NOT NULL REFERENCES fund_pools (id),
    project_id     BIGINT NOT NULL REFERENCES projects (id),
    unit_id        BIGINT NOT NULL REFERENCES organisations (id),
    department_id  BIGINT NOT NULL REFERENCES organisations (id),
    requested      BIGINT NOT NULL,
    purpose        TEXT   NOT NULL,
    given          BIGINT,
    applied_by     TEXT   NOT NULL,
    applied_at     TEXT   NOT NULL
);
CREATE UNIQUE INDEX fund_pool_applications_project ON fund_pool_applications (pool_id, project_id);
