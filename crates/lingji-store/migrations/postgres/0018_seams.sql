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
-- Existing carry-overs take their origin from the line they came from, one link per statement
-- (carried money is recovered long before it has been carried through ten year-ends).
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
UPDATE budget_lines SET origin = (SELECT CASE WHEN f.source = 'carryover' THEN f.origin ELSE f.source END FROM budget_lines f WHERE f.id = budget_lines.carried_from) WHERE source = 'carryover' AND carried_from IS NOT NULL;
