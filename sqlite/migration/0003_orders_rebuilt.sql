-- The packed lines' own bytes now tell an import whether an order's lines changed, so
-- items_hash goes. The external id's uniqueness moves from a column constraint to a named
-- index, which a large import can drop and build again once its rows are in (dropIndexes).
-- No table references orders since migration 2, so dropping the old table deletes nothing else.
CREATE TABLE orders_new (
	id          INTEGER PRIMARY KEY,
	external_id TEXT,
	customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	ordered_at  INTEGER NOT NULL,
	amount      REAL NOT NULL DEFAULT 0,
	cost        REAL NOT NULL DEFAULT 0,
	shipping    REAL NOT NULL DEFAULT 0,
	discount    REAL NOT NULL DEFAULT 0,
	returned    REAL NOT NULL DEFAULT 0,
	channel     TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT '',
	province    TEXT NOT NULL DEFAULT '',
	city        TEXT NOT NULL DEFAULT '',
	lines       BLOB,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
INSERT INTO orders_new (id, external_id, customer_id, ordered_at, amount, cost, shipping, discount, returned,
	channel, status, province, city, lines, created_at, updated_at)
SELECT id, external_id, customer_id, ordered_at, amount, cost, shipping, discount, returned,
	channel, status, province, city, lines, created_at, updated_at FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE UNIQUE INDEX orders_external ON orders(external_id);
CREATE INDEX orders_customer ON orders(customer_id, ordered_at);
