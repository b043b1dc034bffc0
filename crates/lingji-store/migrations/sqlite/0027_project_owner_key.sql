-- PostgreSQL checks a project's unit, department and jurisdiction with one foreign key instead
-- of three from this migration on (see its file: each key there is a trigger per row). SQLite
-- checks a foreign key with a lookup in the parent's primary key and no trigger, and changing a
-- constraint would mean rebuilding `projects`, which other tables reference; it keeps its three
-- keys. This file keeps the two backends' migrations numbered alike.
SELECT 1;
