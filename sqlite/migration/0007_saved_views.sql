-- Saved views of the customer table: a user's named filter, sort and columns, private or
-- shared with a role. The filter itself is JSON (conditions, free text, sort, columns and the
-- parameters of the analysis runs it names); it is evaluated when the view is opened.
CREATE TABLE saved_views (
	id         INTEGER PRIMARY KEY,
	owner_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	shared     TEXT NOT NULL DEFAULT '',
	spec       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (owner_id, name)
);
CREATE INDEX saved_views_shared ON saved_views(shared) WHERE shared <> '';
