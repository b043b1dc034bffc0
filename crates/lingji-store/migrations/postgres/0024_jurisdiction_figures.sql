-- The province dashboard's figures of each jurisdiction and year (issue 21, points 5 and 7),
-- kept so that the dashboard reads 100 rows instead of computing 100 annual reports per
-- request (8 s at a province's size). Each row is the jurisdiction's annual report in the
-- dashboard's few figures (JSON) as computed at `computed_at`; the server refreshes them daily,
-- `lingji jurisdiction gather` at once, and the drill-down still opens the live report.
CREATE TABLE jurisdiction_figures (
    jurisdiction_id BIGINT NOT NULL REFERENCES organisations (id),
    fiscal_year BIGINT NOT NULL,
    computed_at TEXT NOT NULL,
    figures TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, fiscal_year)
);
