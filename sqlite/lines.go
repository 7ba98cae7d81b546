package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/kexi/kexi"
)

// An order's lines are stored packed in one BLOB on the order (orders.lines) rather than as
// rows of their own: an import of 1M order lines then writes one row per order, and loading
// them reads one value per order. Nothing queries single lines in SQL; analyses read them in Go.
//
// The format, version 2:
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
//	11         8 bytes: IEEE 754, little-endian (anything else: NaN, 1/3, 1e-9, …)
//
// m / 10^e is used only when that division gives back the number exactly, so every number
// decodes to the same bits. Quantities and prices are mostly whole or in cents: 2 and 91.87
// take 2 and 3 bytes instead of 8 each, which makes the orders table a quarter smaller.
//
// Version 1 (decoded still; migration 4 rewrites it) stored each number as its 8 IEEE bytes.
//
// An order without lines stores NULL.
const linesVersion = 2

// pow10 are the scales a number can be stored at.
var pow10 = [...]float64{1, 10, 100, 1000, 10000}

const (
	numZero  = 0
	numPos   = 1                   // + e
	numNeg   = numPos + len(pow10) // + e
	numFloat = numNeg + len(pow10)
)

// appendNumber appends f in the tagged form above.
func appendNumber(b []byte, f float64) []byte {
	if f == 0 && !math.Signbit(f) {
		return append(b, numZero)
	}
	a, tag := f, numPos
	if math.Signbit(f) {
		a, tag = -f, numNeg // −0 too: −(0 / 1)
	}
	for e, p := range pow10 {
		if m := math.Round(a * p); m < 1<<63 && float64(uint64(m))/p == a {
			return binary.AppendUvarint(append(b, byte(tag+e)), uint64(m))
		}
	}
	return binary.LittleEndian.AppendUint64(append(b, byte(numFloat)), math.Float64bits(f))
}

// packLines encodes items; nil when there are none.
func packLines(items []kexi.OrderItem) []byte {
	if len(items) == 0 {
		return nil
	}
	n := 1 + binary.MaxVarintLen64
	for i := range items {
		it := &items[i]
		n += 4*binary.MaxVarintLen64 + len(it.SKU) + len(it.Name) + len(it.Category) + 3*9
	}
	b := make([]byte, 0, n)
	b = append(b, linesVersion)
	b = binary.AppendUvarint(b, uint64(len(items)))
	for i := range items {
		it := &items[i]
		b = binary.AppendUvarint(b, uint64(it.ProductID))
		for _, s := range [...]string{it.SKU, it.Name, it.Category} {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		for _, f := range [...]float64{it.Quantity, it.UnitPrice, it.UnitCost} {
			b = appendNumber(b, f)
		}
	}
	return b
}

var errLines = errors.New("order lines: damaged data")

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

func (r *lineReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errLines, nil
		return nil
	}
	s := r.b[:n]
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

// openLines reads the header of b (nil or empty: no lines): a reader at the first line, the
// format version and the number of lines, bounded by the bytes a line takes at least before
// anything is allocated.
func openLines(b []byte) (r lineReader, version byte, n int, err error) {
	if len(b) == 0 {
		return r, 0, 0, nil
	}
	version = b[0]
	var least uint64 // the fewest bytes a line takes
	switch version {
	case 1:
		least = 28
	case 2:
		least = 7
	default:
		return r, 0, 0, fmt.Errorf("order lines: format version %d is not known", version)
	}
	r.b = b[1:]
	c := r.uvarint()
	if r.err != nil || c == 0 || c > uint64(len(r.b))/least {
		return r, 0, 0, errLines
	}
	return r, version, int(c), nil
}

// packedLine is one decoded line; its byte slices are views into the packed lines.
type packedLine struct {
	productID           int64
	item                []byte // the packed product id, SKU, name and category
	sku, name, category []byte
	qty, price, cost    float64
}

// line reads the next line of the given format version; r.err says whether it could.
func (r *lineReader) line(version byte) (l packedLine) {
	span := r.b
	pid := r.uvarint()
	if pid > math.MaxInt64 {
		r.err = errLines
	}
	l.productID = int64(pid)
	l.sku, l.name, l.category = r.bytes(), r.bytes(), r.bytes()
	l.item = span[:len(span)-len(r.b)]
	if version == 1 {
		l.qty, l.price, l.cost = r.float(), r.float(), r.float()
	} else {
		l.qty, l.price, l.cost = r.number(), r.number(), r.number()
	}
	return l
}

// end reports whether the lines were read whole: no error and no bytes left over.
func (r *lineReader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errLines
	}
	return r.err
}

// lineArena hands out decoded lines in the Dataset's form: the lines of many orders are cut
// from shared chunks (one allocation per few thousand lines instead of one per order), and
// lines with the same product id, SKU, name and category share one Item.
type lineArena struct {
	size  int
	chunk []kexi.LineRow
	in    interner // SKUs, names and categories repeat across orders
	// seen maps the packed bytes of a line's product id, SKU, name and category to their
	// shared Item: one lookup a line instead of four.
	seen  map[string]*kexi.Item
	items kexi.Shared[kexi.Item]
}

// sharedLines is a lineArena for a Dataset, which takes in for the lines' strings.
func sharedLines(in interner) *lineArena {
	return &lineArena{size: 4096, in: in, seen: map[string]*kexi.Item{}, items: kexi.SharedItems()}
}

// item returns the shared Item of l.
func (a *lineArena) item(l *packedLine) *kexi.Item {
	if it, ok := a.seen[string(l.item)]; ok {
		return it
	}
	it := a.items.Get(kexi.Item{ProductID: l.productID, SKU: a.in.bytes(l.sku), Name: a.in.bytes(l.name), Category: a.in.bytes(l.category)})
	if len(a.seen) < 100_000 {
		a.seen[string(l.item)] = it
	}
	return it
}

// unpack decodes b (nil or empty: no lines) into lines from the arena.
func (a *lineArena) unpack(b []byte) ([]kexi.LineRow, error) {
	r, version, n, err := openLines(b)
	if err != nil || n == 0 {
		return nil, err
	}
	if cap(a.chunk)-len(a.chunk) < n {
		a.chunk = make([]kexi.LineRow, 0, max(a.size, n))
	}
	start := len(a.chunk)
	for range n {
		l := r.line(version)
		if r.err != nil {
			break
		}
		a.chunk = append(a.chunk, kexi.LineRow{Item: a.item(&l), Quantity: l.qty, UnitPrice: l.price, UnitCost: l.cost})
	}
	if err := r.end(); err != nil {
		a.chunk = a.chunk[:start]
		return nil, err
	}
	end := len(a.chunk)
	return a.chunk[start:end:end], nil
}

// unpackItems decodes b (nil or empty: no lines) into order items of their own, the API's form.
func unpackItems(b []byte) ([]kexi.OrderItem, error) {
	r, version, n, err := openLines(b)
	if err != nil || n == 0 {
		return nil, err
	}
	items := make([]kexi.OrderItem, 0, n)
	for range n {
		l := r.line(version)
		if r.err != nil {
			break
		}
		items = append(items, kexi.OrderItem{ProductID: l.productID, SKU: string(l.sku), Name: string(l.name),
			Category: string(l.category), Quantity: l.qty, UnitPrice: l.price, UnitCost: l.cost})
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return items, nil
}

// packOrders is how many order ids rewriteLines takes at a time.
var packOrders int64 = 50_000

// packOrderLines is migration 2's step in Go: it packs the rows of order_items into
// orders.lines, then drops order_items.
func packOrderLines(ctx context.Context, tx *sql.Tx) error {
	if err := rewriteLines(ctx, tx, "SELECT coalesce(max(order_id), 0) FROM order_items", packSpan); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DROP TABLE order_items")
	return err
}

// repackLines is migration 4's step in Go: it rewrites the lines stored in format version 1
// in the current version.
func repackLines(ctx context.Context, tx *sql.Tx) error {
	return rewriteLines(ctx, tx, "SELECT coalesce(max(id), 0) FROM orders", repackSpan)
}

// packed is the new lines of one order.
type packed struct {
	id    int64
	lines []byte
}

// rewriteLines sets orders.lines to what span gives for the order ids up to the one the query
// top finds, packOrders ids at a time, so that upgrading a large database holds only that
// many orders' lines in memory. span gives the lines of the orders with lo < id ≤ hi.
func rewriteLines(ctx context.Context, tx *sql.Tx, top string, span func(ctx context.Context, tx *sql.Tx, lo, hi int64) ([]packed, error)) error {
	var last int64
	if err := tx.QueryRowContext(ctx, top).Scan(&last); err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, "UPDATE orders SET lines = ? WHERE id = ?")
	if err != nil {
		return err
	}
	defer st.Close()
	for lo := int64(0); lo < last; lo += packOrders {
		out, err := span(ctx, tx, lo, lo+packOrders)
		if err != nil {
			return err
		}
		for _, p := range out {
			if _, err := st.ExecContext(ctx, p.lines, p.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// packSpan packs the rows of order_items of the orders with lo < id ≤ hi.
func packSpan(ctx context.Context, tx *sql.Tx, lo, hi int64) ([]packed, error) {
	rows, err := tx.QueryContext(ctx, "SELECT order_id, coalesce(product_id, 0), sku, name, category, quantity, unit_price, unit_cost "+
		"FROM order_items WHERE order_id > ? AND order_id <= ? ORDER BY order_id, line", lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []packed
	var cur int64
	var items []kexi.OrderItem
	flush := func() {
		if len(items) > 0 {
			out = append(out, packed{cur, packLines(items)})
		}
		items = items[:0]
	}
	for rows.Next() {
		var id int64
		var it kexi.OrderItem
		if err := rows.Scan(&id, &it.ProductID, &it.SKU, &it.Name, &it.Category, &it.Quantity, &it.UnitPrice, &it.UnitCost); err != nil {
			return nil, err
		}
		if id != cur {
			flush()
			cur = id
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	return out, nil
}

// repackSpan packs again, in the current version, the lines in version 1 of the orders with
// lo < id ≤ hi.
func repackSpan(ctx context.Context, tx *sql.Tx, lo, hi int64) ([]packed, error) {
	var out []packed
	err := collect(ctx, tx, "id, lines", "orders WHERE id > ? AND id <= ? AND substr(lines, 1, 1) = x'01'",
		[]any{lo, hi}, func(row []driver.Value) error {
			r := rowReader{row: row}
			id, b := r.int(0), r.blob(1)
			if r.err != nil {
				return r.err
			}
			// Damaged lines stay as they are: LoadDataset reports them, and the order can
			// still be corrected or deleted, where failing here would keep the file from
			// opening at all.
			if items, err := unpackItems(b); err == nil {
				out = append(out, packed{id, packLines(items)})
			}
			return nil
		})
	return out, err
}

// dropProduct is ON DELETE SET NULL for packed lines: the lines naming product id keep their
// SKU, name and category and lose the product id.
func dropProduct(ctx context.Context, tx *sql.Tx, id int64) error {
	var changes []packed
	err := collect(ctx, tx, "id, lines", "orders WHERE lines IS NOT NULL", nil, func(row []driver.Value) error {
		r := rowReader{row: row}
		oid, b := r.int(0), r.blob(1)
		if r.err != nil {
			return r.err
		}
		items, err := unpackItems(b)
		if err != nil {
			return fmt.Errorf("order %d: %w", oid, err)
		}
		named := false
		for i := range items {
			if items[i].ProductID == id {
				items[i].ProductID, named = 0, true
			}
		}
		if named {
			changes = append(changes, packed{oid, packLines(items)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET lines = ? WHERE id = ?", c.lines, c.id); err != nil {
			return err
		}
	}
	return nil
}
