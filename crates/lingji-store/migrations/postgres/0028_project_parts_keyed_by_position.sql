-- A project's cost lines and indicators keyed by their project and position, without a
-- surrogate id (issue 21, point 7). Nothing reads those ids: every query finds the rows by
-- project and orders them by position, and an edit replaces a project's rows. Each id cost an
-- identity value and a second index per row; inserting 100,000 cost lines took 1.54–1.66 s with
-- them and 1.48 s without, in `psql` (docs/BENCHMARKS.md, stop 38). The primary key also says
-- what was only so by construction: a position is taken once per project.
ALTER TABLE project_cost_lines DROP COLUMN id;
DROP INDEX project_cost_lines_project;
ALTER TABLE project_cost_lines ADD PRIMARY KEY (project_id, position);

ALTER TABLE project_indicators DROP COLUMN id;
DROP INDEX project_indicators_project;
ALTER TABLE project_indicators ADD PRIMARY KEY (project_id, position);
