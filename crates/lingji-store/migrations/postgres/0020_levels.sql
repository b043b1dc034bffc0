-- Levels of jurisdiction (issue 21): a province holds cities and counties in one deployment. A
-- jurisdiction names the one directly above it; the organisation tree (parent_id) stays within
-- one jurisdiction, so no department or unit list of the upper one ever shows a lower one.
ALTER TABLE organisations ADD COLUMN upper_id BIGINT REFERENCES organisations (id);
CREATE INDEX organisations_upper ON organisations (upper_id);
