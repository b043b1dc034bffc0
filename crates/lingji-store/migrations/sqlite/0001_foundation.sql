-- Foundation: organisations, users, sessions, code tables, policy profiles, audit chain.
-- Times are RFC 3339 UTC text written by the application; flags are 0/1 integers; money is
-- integer fen. The PostgreSQL migration of the same number has the same tables and columns.

CREATE TABLE organisations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL CHECK (kind IN ('jurisdiction', 'department', 'unit')),
    code             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    parent_id        INTEGER REFERENCES organisations (id),
    jurisdiction_id  INTEGER REFERENCES organisations (id),
    department_id    INTEGER REFERENCES organisations (id),
    region_code      TEXT,
    unit_kind        TEXT,
    review_body      TEXT,
    authorized_posts INTEGER NOT NULL DEFAULT 0,
    actual_staff     INTEGER NOT NULL DEFAULT 0,
    retired_staff    INTEGER NOT NULL DEFAULT 0,
    contract_staff   INTEGER NOT NULL DEFAULT 0,
    contract_quota   INTEGER NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX organisations_code ON organisations (jurisdiction_id, code);
CREATE UNIQUE INDEX organisations_region ON organisations (region_code);
CREATE INDEX organisations_parent ON organisations (parent_id);

CREATE TABLE fiscal_years (
    jurisdiction_id INTEGER NOT NULL REFERENCES organisations (id),
    year            INTEGER NOT NULL,
    is_current      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (jurisdiction_id, year)
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    role                 TEXT    NOT NULL,
    org_id               INTEGER NOT NULL REFERENCES organisations (id),
    password_hash        TEXT    NOT NULL,
    active               INTEGER NOT NULL DEFAULT 1,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    password_changed_at  TEXT    NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT
);

CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    username  TEXT    NOT NULL,
    ip        TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    success   INTEGER NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

CREATE TABLE function_codes (
    fiscal_year  INTEGER NOT NULL,
    code         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    level        TEXT    NOT NULL,
    parent_code  TEXT,
    PRIMARY KEY (fiscal_year, code)
);

CREATE TABLE economic_codes (
    fiscal_year  INTEGER NOT NULL,
    code         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    code_set     TEXT    NOT NULL,
    parent_code  TEXT,
    government_code TEXT,
    PRIMARY KEY (fiscal_year, code)
);

CREATE TABLE code_tables (
    fiscal_year  INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    row_count    INTEGER NOT NULL,
    imported_at  TEXT    NOT NULL,
    imported_by  TEXT    NOT NULL,
    PRIMARY KEY (fiscal_year, kind)
);

CREATE TABLE policy_profiles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id INTEGER NOT NULL REFERENCES organisations (id),
    fiscal_year     INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    preset          TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (jurisdiction_id, fiscal_year, version)
);

CREATE TABLE audit_events (
    seq              INTEGER PRIMARY KEY,
    at               TEXT    NOT NULL,
    jurisdiction_id  INTEGER NOT NULL,
    actor_id         INTEGER NOT NULL,
    actor            TEXT    NOT NULL,
    action           TEXT    NOT NULL,
    entity_type      TEXT    NOT NULL,
    entity_id        TEXT    NOT NULL,
    before           TEXT    NOT NULL,
    after            TEXT    NOT NULL,
    prev_hash        TEXT    NOT NULL,
    hash             TEXT    NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id);
CREATE INDEX audit_events_jurisdiction ON audit_events (jurisdiction_id, seq);

-- One row: the newest sequence number and hash. Appending locks it, so events form one chain
-- even with many writers, and removing the newest events is detectable.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
