-- Order lines moved into a BLOB on the order (orders.lines), until migration 6 made them rows of
-- order_items again. The step in Go that follows this SQL (keepV1Lines in migration_0006.go)
-- now only keeps the rows of the version-1 order_items aside, for migration 6.
ALTER TABLE orders ADD COLUMN lines BLOB;
