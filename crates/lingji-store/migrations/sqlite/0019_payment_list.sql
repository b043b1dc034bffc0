-- The payments list counts and sums every payment its filters find, in the store (issue 20,
-- point 4; issue 21). Most lists are of one year, often of one state: this index holds what
-- the count and the sum read (year, state, amount), so they need not visit the rows.
CREATE INDEX payments_year ON payments (jurisdiction_id, fiscal_year, status, amount);
