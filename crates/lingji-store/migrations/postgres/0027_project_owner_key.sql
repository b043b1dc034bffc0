-- A project's unit, department and jurisdiction checked by one foreign key instead of three
-- (issue 21, point 7). PostgreSQL checks each foreign key of a new row with a trigger of its
-- own; inserting 100,000 projects took 2.98 s with the three keys to `organisations` and 1.38 s
-- without them (docs/BENCHMARKS.md, stop 33), the triggers' own overhead more than their
-- lookups. One key over the three columns costs one trigger, and says more: the unit is the
-- department's and the jurisdiction's, not merely three organisations that exist. The
-- department and the jurisdiction stay checked through the unit's own row, whose
-- `department_id` and `jurisdiction_id` are foreign keys of `organisations`; a unit never
-- changes department (`orgs::create` alone sets them).
CREATE UNIQUE INDEX organisations_owner ON organisations (id, department_id, jurisdiction_id);
ALTER TABLE projects
    DROP CONSTRAINT projects_unit_id_fkey,
    DROP CONSTRAINT projects_department_id_fkey,
    DROP CONSTRAINT projects_jurisdiction_id_fkey,
    ADD CONSTRAINT projects_owner_fkey FOREIGN KEY (unit_id, department_id, jurisdiction_id)
        REFERENCES organisations (id, department_id, jurisdiction_id);
