-- What every payment check reads, made cheap to read.

-- The payee is looked up among the organisations by name (B06-01, B06-02).
CREATE INDEX organisations_name ON organisations (name);

-- The version of a jurisdiction's rule catalogue, bumped by every rule added or edited: the
-- stamp each server checks its cached, compiled rules against (one row, not every rule).
CREATE TABLE rule_catalogues (
    jurisdiction_id  BIGINT NOT NULL PRIMARY KEY REFERENCES organisations (id),
    version          BIGINT NOT NULL
);
INSERT INTO rule_catalogues (jurisdiction_id, version)
SELECT jurisdiction_id, COUNT(*) + SUM(version) FROM monitoring_rules GROUP BY jurisdiction_id;
