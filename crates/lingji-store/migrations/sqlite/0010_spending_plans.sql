-- Spending plans (issue 6, ZX-4a): units file what a line will need in a month; finance reviews
-- a month's filed plans at once in tier order within the treasury's cash limit. What a review
-- approves becomes the plan balance of the line and month, which payments draw on with one
-- conditional UPDATE when the profile says so — like the line itself (ZB-7a).
CREATE TABLE spending_plans (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    month            BIGINT NOT NULL,
    department_id    BIGINT NOT NULL,
    unit_id          BIGINT NOT NULL,
    line_id          BIGINT NOT NULL REFERENCES budget_lines (id),
    tier             TEXT   NOT NULL,
    priority         TEXT,
    amount           BIGINT NOT NULL,
    approved         BIGINT NOT NULL DEFAULT 0,
    status           TEXT   NOT NULL,
    purpose          TEXT   NOT NULL,
    filed_by         TEXT   NOT NULL,
    filed_at         TEXT   NOT NULL,
    review_id        BIGINT
);
CREATE INDEX spending_plans_month ON spending_plans (jurisdiction_id, fiscal_year, month, status, id);
CREATE INDEX spending_plans_line ON spending_plans (line_id, status);

CREATE TABLE plan_reviews (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id  BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year      BIGINT NOT NULL,
    month            BIGINT NOT NULL,
    cash_limit       BIGINT NOT NULL,
    approved_total   BIGINT NOT NULL,
    plans            BIGINT NOT NULL,
    reviewed_by      TEXT   NOT NULL,
    reviewed_at      TEXT   NOT NULL
);
CREATE INDEX plan_reviews_month ON plan_reviews (jurisdiction_id, fiscal_year, month, id);

CREATE TABLE plan_balances (
    line_id      BIGINT NOT NULL REFERENCES budget_lines (id),
    month        BIGINT NOT NULL,
    approved     BIGINT NOT NULL,
    used         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (line_id, month)
);

-- The plan month a payment drew on, so that releasing the payment gives the plan back too, and
-- the QJ-4a priority subject (扶贫, 教育, 社会保障) that puts it first in finance's queue.
ALTER TABLE payments ADD COLUMN plan_month BIGINT;
ALTER TABLE payments ADD COLUMN priority TEXT;
