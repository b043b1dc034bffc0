-- An event by its chain and position (issue 21, point 7). Opening the application looks up the
-- main chain's newest event by position (`keyed_head`: `e.chain = 0 AND e.link = head`); since
-- the line chains (0017) the position is no longer the log number, so without this index that
-- lookup read the whole log: 2.3–3.3 s at 11,000,000 events on PostgreSQL, at every start of
-- the server and every CLI command.
CREATE INDEX audit_events_chain_link ON audit_events (chain, link);
