package sqlite

// The steps in Go of the migrations that upgrade databases written before order lines were
// rows of order_items (schema versions 1 to 4). This file is read-only legacy code: it exists
// only to upgrade old files, and nothing else in the store may use it.
//
// From version 2 to 4 kexi stored an order's lines packed into one BLOB, orders.lines, in the
// format below. Migration 6 decodes every order's BLOB into rows of order_items and drops the
// column. A database still at version 1 had its lines in a table order_items of its own:
// migration 2 now keeps those rows aside (legacy_order_items) and migration 6 moves them back.
//
// The packed format, version 2:
//
//	byte     version (2)
//	uvarint  number of lines
//	per line:
//	  uvarint  product id (0: none)
//	  uvarint  length, then the bytes: SKU, name, category
//	  number   quantity, unit price, unit cost
//
// A number is a tag byte and what it says follows:
//
//	0          +0
//	1 + e      uvarint m: the number is m / 10^e (e = 0 … 4)
//	6 + e      uvarint m: the number is −(m / 10^e)
//	11         8 bytes: IEEE 754, little-endian
//
// Version 1 stored each number as its 8 IEEE bytes. An order without lines stored NULL.

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/kexi/kexi"
)

// keepV1Lines is migration 2's step in Go: a database at version 1 keeps its order_items
// rows aside, without their foreign keys, while migration 3 rebuilds the orders table;
// migration 6 moves them into the new order_items.
func keepV1Lines(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`CREATE TABLE legacy_order_items AS SELECT order_id, line, product_id, sku, name, category,
			quantity, unit_price, unit_cost FROM order_items`,
		"DROP TABLE order_items",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// unpackOrders is how many orders unpackLines decodes at a time.
var unpackOrders int64 = 20_000

// unpackLines is migration 6's step in Go: it writes the lines of every order, packed in
// orders.lines or kept aside by migration 2, as rows of order_items, then drops orders.lines.
// Lines whose BLOB does not decode (damaged data) are not lost: their order's BLOB is kept in
// legacy_damaged_lines, and the order has no lines.
func unpackLines(ctx context.Context, tx *sql.Tx) error {
	// The foreign keys are checked at commit: a line naming a product that no longer exists
	// (the checks were off during imports then) loses its product id first, as a deleted
	// product's lines do.
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return err
	}
	var v1 int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'legacy_order_items'").Scan(&v1); err != nil {
		return err
	}
	if v1 > 0 {
		for _, q := range []string{
			`INSERT INTO order_items (order_id, line, product_id, sku, name, category, quantity, unit_price, unit_cost)
			SELECT order_id, row_number() OVER (PARTITION BY order_id ORDER BY line), product_id, sku, name, category,
				quantity, unit_price, unit_cost
			FROM legacy_order_items WHERE order_id IN (SELECT id FROM orders)`,
			"DROP TABLE legacy_order_items",
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM orders").Scan(&last); err != nil {
		return err
	}
	ins, err := newBulk(ctx, tx, "order_items", []string{"order_id", "line", "product_id", "sku", "name",
		"category", "quantity", "unit_price", "unit_cost"})
	if err != nil {
		return err
	}
	defer ins.Stop()
	var damaged []legacyBlob
	for lo := int64(0); lo < last; lo += unpackOrders {
		blobs, err := legacyBlobs(ctx, tx, lo, lo+unpackOrders)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			items, err := unpackItems(b.lines)
			if err != nil {
				damaged = append(damaged, b)
				continue
			}
			for i, it := range items {
				var pid any
				if it.ProductID != 0 {
					pid = it.ProductID
				}
				if err := ins.Add(b.id, int64(i+1), pid, it.SKU, it.Name, it.Category, it.Quantity, it.UnitPrice, it.UnitCost); err != nil {
					return err
				}
			}
		}
	}
	if err := ins.Flush(); err != nil {
		return err
	}
	if len(damaged) > 0 {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS legacy_damaged_lines (order_id INTEGER PRIMARY KEY, lines BLOB)"); err != nil {
			return err
		}
		for _, b := range damaged {
			if _, err := tx.ExecContext(ctx, "INSERT INTO legacy_damaged_lines (order_id, lines) VALUES (?, ?)", b.id, b.lines); err != nil {
				return err
			}
		}
	}
	for _, q := range []string{
		"UPDATE order_items SET product_id = NULL WHERE product_id IS NOT NULL AND product_id NOT IN (SELECT id FROM products)",
		"ALTER TABLE orders DROP COLUMN lines",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// legacyBlob is one order's packed lines.
type legacyBlob struct {
	id    int64
	lines []byte
}

// legacyBlobs reads the packed lines of the orders with lo < id ≤ hi that have any.
func legacyBlobs(ctx context.Context, tx *sql.Tx, lo, hi int64) ([]legacyBlob, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, CAST(lines AS BLOB) FROM orders WHERE id > ? AND id <= ? AND lines IS NOT NULL ORDER BY id", lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []legacyBlob
	for rows.Next() {
		var b legacyBlob
		if err := rows.Scan(&b.id, &b.lines); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// The decoder of the packed format, versions 1 and 2.

var errLines = errors.New("order lines: damaged data")

// pow10 are the scales a number could be stored at.
var pow10 = [...]float64{1, 10, 100, 1000, 10000}

const (
	numZero  = 0
	numPos   = 1                   // + e
	numNeg   = numPos + len(pow10) // + e
	numFloat = numNeg + len(pow10)
)

// lineReader decodes packed lines; the first error sticks.
type lineReader struct {
	b   []byte
	err error
}

func (r *lineReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errLines, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *lineReader) text() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errLines, nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// number reads a number of version 2.
func (r *lineReader) number() float64 {
	if len(r.b) == 0 {
		r.err, r.b = errLines, nil
		return 0
	}
	tag := int(r.b[0])
	r.b = r.b[1:]
	switch {
	case tag == numZero:
		return 0
	case tag < numNeg:
		return float64(r.uvarint()) / pow10[tag-numPos]
	case tag < numFloat:
		return -(float64(r.uvarint()) / pow10[tag-numNeg])
	case tag == numFloat:
		return r.float()
	}
	r.err, r.b = errLines, nil
	return 0
}

func (r *lineReader) float() float64 {
	if len(r.b) < 8 {
		r.err, r.b = errLines, nil
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// unpackItems decodes packed lines (nil or empty: none).
func unpackItems(b []byte) ([]kexi.OrderItem, error) {
	if len(b) == 0 {
		return nil, nil
	}
	version := b[0]
	var least uint64 // the fewest bytes a line takes
	switch version {
	case 1:
		least = 28
	case 2:
		least = 7
	default:
		return nil, fmt.Errorf("order lines: format version %d is not known", version)
	}
	r := lineReader{b: b[1:]}
	n := r.uvarint()
	if r.err != nil || n == 0 || n > uint64(len(r.b))/least {
		return nil, errLines
	}
	items := make([]kexi.OrderItem, 0, n)
	for range n {
		var it kexi.OrderItem
		pid := r.uvarint()
		if pid > math.MaxInt64 {
			r.err = errLines
		}
		it.ProductID = int64(pid)
		it.SKU, it.Name, it.Category = r.text(), r.text(), r.text()
		if version == 1 {
			it.Quantity, it.UnitPrice, it.UnitCost = r.float(), r.float(), r.float()
		} else {
			it.Quantity, it.UnitPrice, it.UnitCost = r.number(), r.number(), r.number()
		}
		if r.err != nil {
			return nil, r.err
		}
		items = append(items, it)
	}
	if len(r.b) != 0 {
		return nil, errLines
	}
	return items, nil
}
