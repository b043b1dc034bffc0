-- Fewer indexes for a project to pay for (issue 21, point 7; see the PostgreSQL migration).
-- The work queues only ever ask for submitted projects, so their indexes hold only those.
-- SQLite has no INCLUDE: 本年申请 and the state are trailing columns, so that a queue's count
-- and sum read the index alone (SQLite counts an index as covering only when it holds every
-- column the statement names, the state of the condition too). The library's list by state
-- and its count and sum share one index.
DROP INDEX projects_review_queue;
DROP INDEX projects_review_department;
CREATE INDEX projects_review_queue ON projects (jurisdiction_id, review_stage, id, request, state)
    WHERE state = 'submitted';
CREATE INDEX projects_review_department ON projects (jurisdiction_id, department_id, review_stage, id, request, state)
    WHERE state = 'submitted';
DROP INDEX projects_year_state;
DROP INDEX projects_year_state_request;
CREATE INDEX projects_year_state ON projects (jurisdiction_id, fiscal_year, state, id, request);
