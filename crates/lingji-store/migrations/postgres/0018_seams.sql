-- The seams between fiscal years (issue 18).
--
-- A project records whether it is 涉及人的民生 (CS-2b exempts such key special projects from the
-- across-the-board cut): the unit's statement, and finance's finding at its review step (NULL
-- until finance has reviewed it). The run reads finance's finding, no longer a guess from the
-- project's class.
--
-- A year-end carry-over line remembers where its money first came from (`origin`: allocation,
-- transfer or supplement), so that an upper transfer carried over is still recovered after its
-- years under QJ-4b even when it was entered in the general budget's book.
ALTER TABLE projects ADD COLUMN livelihood BIGINT NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN livelihood_checked BIGINT;

ALTER TABLE budget_lines ADD COLUMN origin TEXT NOT NULL DEFAULT '';
-- Existing carry-overs take their origin from the first line of their chain of carry-overs.
WITH RECURSIVE up (id, origin) AS (
    SELECT id, source FROM budget_lines WHERE source <> 'carryover'
    UNION ALL
    SELECT b.id, up.origin FROM budget_lines b JOIN up ON b.carried_from = up.id
    WHERE b.source = 'carryover'
)
UPDATE budget_lines SET origin = up.origin FROM up
WHERE budget_lines.id = up.id AND budget_lines.source = 'carryover';

-- Every reading of a project's execution goes from the project to its lines (and the
-- supervision list per project): without an index each was a scan of every line.
CREATE INDEX budget_lines_project ON budget_lines (project_id);

-- Whether an evaluation's result was applied is asked of every evaluation read (the evaluation
-- step reads each project's): without an index each ask scanned every result, quadratic in a year.
CREATE INDEX evaluation_results_evaluation ON evaluation_results (evaluation_id);
