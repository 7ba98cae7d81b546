-- Order lines move into a BLOB on the order (see lines.go for the format): one row per order
-- to write and to read instead of one per line. The step in Go that follows this SQL
-- (packOrderLines) packs the rows of order_items into it and drops order_items.
ALTER TABLE orders ADD COLUMN lines BLOB;
