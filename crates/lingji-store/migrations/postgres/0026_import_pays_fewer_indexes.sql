-- Fewer indexes for a project to pay for (issue 21, point 7: a 100,000-row import on
-- PostgreSQL spent most of its time in the server, each row maintaining nine indexes).
--
-- The work queues only ever ask for submitted projects (`state = 'submitted'` in each of
-- their conditions), so their two indexes hold only those: a project entered, imported or
-- decided is not in them, and finance's queue of a jurisdiction is counted from an index of
-- its waiting projects alone. 本年申请 rides along so that the count and the sum read the
-- index alone.
DROP INDEX projects_review_queue;
DROP INDEX projects_review_department;
CREATE INDEX projects_review_queue ON projects (jurisdiction_id, review_stage, id)
    INCLUDE (request) WHERE state = 'submitted';
CREATE INDEX projects_review_department ON projects (jurisdiction_id, department_id, review_stage, id)
    INCLUDE (request) WHERE state = 'submitted';
-- The library's list by state (paged by id) and its count and sum (本年申请) share one index.
DROP INDEX projects_year_state;
DROP INDEX projects_year_state_request;
CREATE INDEX projects_year_state ON projects (jurisdiction_id, fiscal_year, state, id) INCLUDE (request);
