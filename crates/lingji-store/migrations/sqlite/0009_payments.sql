-- Payments (issue 6): monitoring rules kept as data per jurisdiction (ZX-4b), payment requests
-- with their idempotency key (a retry is answered from here, never paid twice), the rules each
-- payment hit with the hit's disposition, and projects whose payments performance monitoring
-- suspended (PM-9).
ALTER TABLE budget_lines ADD COLUMN source TEXT NOT NULL DEFAULT 'allocation';

CREATE TABLE monitoring_rules (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    code             TEXT   NOT NULL,
    class            TEXT   NOT NULL,
    name             TEXT   NOT NULL,
    expression       TEXT   NOT NULL,
    action           TEXT   NOT NULL,
    clause           TEXT,
    message          TEXT   NOT NULL,
    effective_from   TEXT,
    effective_to     TEXT,
    enabled          BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    updated_by       TEXT   NOT NULL,
    updated_at       TEXT   NOT NULL,
    UNIQUE (jurisdiction_id, code)
);

CREATE TABLE payments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    department_id    BIGINT NOT NULL,
    unit_id          BIGINT NOT NULL,
    line_id          BIGINT NOT NULL,
    project_id       BIGINT,
    idempotency_key  TEXT   NOT NULL,
    payee_name       TEXT   NOT NULL,
    payee_account    TEXT   NOT NULL,
    payee_kind       TEXT   NOT NULL,
    amount           BIGINT NOT NULL,
    economic_code    TEXT   NOT NULL,
    purpose          TEXT   NOT NULL,
    pay_date         TEXT   NOT NULL,
    contract_no      TEXT,
    event_code       TEXT,
    headcount        BIGINT,
    days             BIGINT,
    status           TEXT   NOT NULL,
    outcome          TEXT,
    refusal_code     TEXT,
    refusal_clause   TEXT,
    refusal_message  TEXT,
    requested_by     TEXT   NOT NULL,
    requested_at     TEXT   NOT NULL,
    decided_by       TEXT,
    decided_at       TEXT,
    decision_reason  TEXT,
    UNIQUE (jurisdiction_id, idempotency_key)
);
CREATE INDEX payments_unit ON payments (jurisdiction_id, unit_id, id);
CREATE INDEX payments_payee ON payments (unit_id, payee_account, pay_date);
CREATE INDEX payments_status ON payments (jurisdiction_id, status, id);
CREATE INDEX payments_line ON payments (line_id);

CREATE TABLE payment_hits (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id        BIGINT NOT NULL REFERENCES payments (id),
    jurisdiction_id   BIGINT NOT NULL,
    rule_code         TEXT   NOT NULL,
    class             TEXT   NOT NULL,
    name              TEXT   NOT NULL,
    action            TEXT   NOT NULL,
    clause            TEXT,
    message           TEXT   NOT NULL,
    disposition       TEXT   NOT NULL DEFAULT 'open',
    disposition_note  TEXT,
    disposed_by       TEXT,
    disposed_at       TEXT
);
CREATE INDEX payment_hits_jurisdiction ON payment_hits (jurisdiction_id, id);
CREATE INDEX payment_hits_payment ON payment_hits (payment_id);

CREATE TABLE payment_suspensions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    project_id       BIGINT NOT NULL REFERENCES projects (id),
    reason           TEXT   NOT NULL,
    suspended_by     TEXT   NOT NULL,
    suspended_at     TEXT   NOT NULL,
    lifted_by        TEXT,
    lifted_at        TEXT,
    lift_reason      TEXT
);
CREATE INDEX payment_suspensions_project ON payment_suspensions (project_id, id);
-- What the rules read per request: the unit's requests of a day, and its use by economic code
-- kept as a running sum (money held or paid), changed in the transaction that holds or
-- releases the money — summing the payments each time grew with every payment.
CREATE INDEX payments_unit_day ON payments (unit_id, pay_date);
CREATE TABLE payment_usage (
    unit_id        BIGINT NOT NULL,
    fiscal_year    BIGINT NOT NULL,
    economic_code  TEXT   NOT NULL,
    amount         BIGINT NOT NULL,
    PRIMARY KEY (unit_id, fiscal_year, economic_code)
);
