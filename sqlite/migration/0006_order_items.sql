-- Order lines become rows of their own again, one per line, numbered from 1 within their order.
-- Their foreign keys are checked when the transaction commits (DEFERRABLE INITIALLY DEFERRED):
-- a bulk INSERT of many lines then needs no statement journal, which took a fifth of an import.
-- The step in Go that follows this SQL (unpackLines in migration_0006.go) moves the lines packed
-- into orders.lines by migrations 2 to 4 into this table, and drops orders.lines.
CREATE TABLE order_items (
	order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	line       INTEGER NOT NULL,
	product_id INTEGER REFERENCES products(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
	sku        TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL DEFAULT '',
	category   TEXT NOT NULL DEFAULT '',
	quantity   REAL NOT NULL DEFAULT 0,
	unit_price REAL NOT NULL DEFAULT 0,
	unit_cost  REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (order_id, line)
) WITHOUT ROWID;
-- Deleting a product sets its lines' product_id to NULL without reading every line.
CREATE INDEX order_items_product ON order_items(product_id);
