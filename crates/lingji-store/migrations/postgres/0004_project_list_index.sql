-- The project list pages through a year of a jurisdiction in id order (keyset paging): with
-- this index the first and the thousandth page read 50 rows each instead of sorting the year.
CREATE INDEX projects_year_id ON projects (jurisdiction_id, fiscal_year, id);
