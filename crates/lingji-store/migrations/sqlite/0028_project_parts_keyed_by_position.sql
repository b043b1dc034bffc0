-- PostgreSQL drops the surrogate ids of a project's cost lines and indicators from this
-- migration on (see its file). On SQLite an `INTEGER PRIMARY KEY` is the row's own rowid and
-- costs nothing beside the row, and changing a table's key means rebuilding it; the tables stay
-- as they are. This file keeps the two backends' migrations numbered alike.
SELECT 1;
