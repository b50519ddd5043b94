-- Retention deletes an idle session in several short transactions (its messages a chunk at a time,
-- then the row). The first one marks it retiring: from then on it is invisible to its owner and takes
-- no appends, so a half-deleted session is never served and never grows again.
-- A constant default: metadata-only, no table rewrite.
ALTER TABLE sessions ADD COLUMN retiring boolean NOT NULL DEFAULT false;
-- the retention job's work list (normally empty)
CREATE INDEX sessions_retiring_idx ON sessions (id) WHERE retiring;
