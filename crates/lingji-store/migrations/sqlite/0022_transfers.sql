-- Transfers between levels (issue 21; PM-10, PM-13b, ZB-10): the comprehensive fiscal
-- performance score an upper finance bureau records for each jurisdiction below it, the
-- transfer funds it divides among them by factors, and what each lower receives when a fund is
-- approved (a receipt its finance breaks down into upper-transfer lines). Money in fen, rates
-- in basis points, scores in hundredths.

-- 下级政府财政运行综合绩效评价 (PM-10): one score and grade per lower jurisdiction and year.
CREATE TABLE lower_performance (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    upper_id         BIGINT NOT NULL REFERENCES organisations (id),
    lower_id         BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    score            BIGINT NOT NULL,
    grade            TEXT   NOT NULL,
    recorded_by      TEXT   NOT NULL,
    recorded_at      TEXT   NOT NULL,
    UNIQUE (upper_id, lower_id, fiscal_year)
);
CREATE INDEX lower_performance_upper ON lower_performance (upper_id, fiscal_year);

-- A transfer fund of the upper: its document number (prefix〔year〕serial号, the serial per
-- jurisdiction and year), total, factors with weights and each lower's factor values and cost
-- share (JSON), draft until approved.
CREATE TABLE transfer_funds (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    serial           BIGINT NOT NULL,
    document         TEXT   NOT NULL UNIQUE,
    name             TEXT   NOT NULL,
    total            BIGINT NOT NULL,
    fund_book        TEXT   NOT NULL,
    economic_code    TEXT   NOT NULL,
    factors          TEXT   NOT NULL,
    lowers           TEXT   NOT NULL,
    status           TEXT   NOT NULL DEFAULT 'draft',
    created_by       TEXT   NOT NULL,
    created_at       TEXT   NOT NULL,
    approved_by      TEXT,
    approved_at      TEXT,
    UNIQUE (jurisdiction_id, fiscal_year, serial)
);

-- What a lower jurisdiction received from an approved fund (待分解 until its lines add up).
CREATE TABLE transfer_receipts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    fund_id          BIGINT NOT NULL REFERENCES transfer_funds (id),
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    upper_id         BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    document         TEXT   NOT NULL,
    name             TEXT   NOT NULL,
    amount           BIGINT NOT NULL,
    cost_share       BIGINT NOT NULL,
    counterpart      BIGINT NOT NULL,
    fund_book        TEXT   NOT NULL,
    economic_code    TEXT   NOT NULL,
    created_at       TEXT   NOT NULL,
    UNIQUE (fund_id, jurisdiction_id),
    UNIQUE (jurisdiction_id, document)
);
CREATE INDEX transfer_receipts_year ON transfer_receipts (jurisdiction_id, fiscal_year);
