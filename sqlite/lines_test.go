package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

func TestPackLines(t *testing.T) {
	if b := packLines(nil); b != nil {
		t.Fatalf("no lines pack to %v, want nil (NULL)", b)
	}
	items := []kexi.OrderItem{
		{ProductID: 300, SKU: "A1", Name: "茶", Category: "food", Quantity: 2, UnitPrice: 9.99, UnitCost: 4},
		{SKU: "", Quantity: 0.5, UnitPrice: -1},
	}
	b := packLines(items)
	// Worked by hand: version 2, 2 lines; line 1: product 300 = uvarint ac 02, "A1", "茶" (3
	// bytes of UTF-8), "food"; 2 = tag 1 (m / 1) and m 2; 9.99 = tag 3 (m / 100) and 999 =
	// uvarint e7 07; 4 = tag 1, 4. Line 2: product 0, three empty strings; 0.5 = tag 2
	// (m / 10), 5; −1 = tag 6 (−m / 1), 1; 0 = tag 0.
	want := []byte{2, 2, 0xac, 0x02, 2, 'A', '1', 3, 0xe8, 0x8c, 0xb6, 4, 'f', 'o', 'o', 'd', 1, 2, 3, 0xe7, 0x07, 1, 4,
		0, 0, 0, 0, 2, 5, 6, 1, 0}
	if !bytes.Equal(b, want) {
		t.Fatalf("packed % x, want % x", b, want)
	}
	a := sharedLines(interner{})
	got, err := a.unpack(b)
	if err != nil || !reflect.DeepEqual(itemsOf(got), items) {
		t.Fatalf("unpacked %+v, %v", got, err)
	}
	// A second order's lines come from the same chunk, and appending to the first cannot
	// overwrite them.
	got2, err := a.unpack(packLines(items[:1]))
	if err != nil || &got2[0] != &a.chunk[2] || cap(got) != 2 {
		t.Fatalf("second order: %v, shares the chunk: %v, cap of first %d", err, &got2[0] == &a.chunk[2], cap(got))
	}
	// Lines naming the same product, SKU, name and category share their Item.
	if got[0].Item != got2[0].Item || got[0].SKU != "A1" || got[1].Item == got[0].Item {
		t.Fatalf("items: %p %p %p", got[0].Item, got2[0].Item, got[1].Item)
	}
	// The API's form: the items themselves, in a slice of their own.
	own, err := unpackItems(b)
	if err != nil || cap(own) != 2 || !reflect.DeepEqual(own, items) {
		t.Fatalf("order items: cap %d, %+v, %v", cap(own), own, err)
	}
}

// itemsOf turns Dataset lines into order items, for comparing the two decoders.
func itemsOf(lines []kexi.LineRow) []kexi.OrderItem {
	var items []kexi.OrderItem
	for _, l := range lines {
		items = append(items, kexi.OrderItem{ProductID: l.ProductID, SKU: l.SKU, Name: l.Name, Category: l.Category,
			Quantity: l.Quantity, UnitPrice: l.UnitPrice, UnitCost: l.UnitCost})
	}
	return items
}

// TestUnpackVersion1 decodes lines as format version 1 stored them, 8 bytes a number.
func TestUnpackVersion1(t *testing.T) {
	b := []byte{1, 1, 7, 1, 'S', 0, 0,
		0, 0, 0, 0, 0, 0, 0xf0, 0x3f, // 1
		0, 0, 0, 0, 0, 0, 0, 0x40, // 2
		0, 0, 0, 0, 0, 0, 0, 0} // 0
	got, err := unpackItems(b)
	want := []kexi.OrderItem{{ProductID: 7, SKU: "S", Quantity: 1, UnitPrice: 2}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("unpacked %+v, %v; want %+v", got, err, want)
	}
	if lines, err := sharedLines(interner{}).unpack(b); err != nil || !reflect.DeepEqual(itemsOf(lines), want) {
		t.Fatalf("unpacked into a Dataset %+v, %v; want %+v", lines, err, want)
	}
	if _, err := unpackItems(b[:len(b)-1]); err == nil {
		t.Error("a truncated version 1 blob decodes")
	}
}

// TestNumber packs numbers as order lines store them: each comes back with the same bits,
// in the bytes worked out by hand.
func TestNumber(t *testing.T) {
	third, tenth, fifth := 1.0, 0.1, 0.2
	third /= 3 // at run time: Go's constant arithmetic is exact
	for _, c := range []struct {
		f    float64
		want []byte
	}{
		{0, []byte{0}},
		{math.Copysign(0, -1), []byte{6, 0}},
		{1, []byte{1, 1}},
		{300, []byte{1, 0xac, 0x02}},
		{91.87, []byte{3, 0xe3, 0x47}}, // 9187 = 0x23e3
		{-0.05, []byte{8, 5}},
		{1.2345, []byte{5, 0xb9, 0x60}},                         // 12345 = 0x3039
		{tenth + fifth, append([]byte{11}, le(tenth+fifth)...)}, // 0.30000000000000004
		{third, append([]byte{11}, le(third)...)},
		{1e-5, append([]byte{11}, le(1e-5)...)},
		{1 << 60, append([]byte{1}, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10)},
		{1e300, append([]byte{11}, le(1e300)...)},
		{math.Inf(-1), append([]byte{11}, le(math.Inf(-1))...)},
	} {
		b := appendNumber(nil, c.f)
		if !bytes.Equal(b, c.want) {
			t.Errorf("%v: % x, want % x", c.f, b, c.want)
		}
		r := lineReader{b: b}
		if got := r.number(); math.Float64bits(got) != math.Float64bits(c.f) || r.err != nil || len(r.b) != 0 {
			t.Errorf("%v: decoded %v (%v, %d bytes left)", c.f, got, r.err, len(r.b))
		}
	}
	nan := math.Float64frombits(0x7ff8000000000001)
	r := lineReader{b: appendNumber(nil, nan)}
	if got := r.number(); math.Float64bits(got) != math.Float64bits(nan) {
		t.Errorf("NaN came back as %x", math.Float64bits(got))
	}
	for _, bad := range [][]byte{{}, {12}, {255}, {3}, {11, 1, 2}} {
		r := lineReader{b: bad}
		if r.number(); r.err == nil {
			t.Errorf("% x decodes", bad)
		}
	}
}

// le is f's IEEE 754 bytes, little-endian.
func le(f float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))
}

func TestUnpackDamaged(t *testing.T) {
	good := packLines([]kexi.OrderItem{{ProductID: 7, SKU: "S", Quantity: 1, UnitPrice: 2}})
	bad := map[string][]byte{
		"unknown version":   append([]byte{3}, good[1:]...),
		"truncated":         good[:len(good)-1],
		"trailing bytes":    append(append([]byte{}, good...), 0),
		"no lines":          {2, 0},
		"huge count":        {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"string past end":   {1, 1, 0, 0x7f},
		"negative product":  append([]byte{1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0}, make([]byte, 24)...),
		"varint overflowed": {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	}
	for name, b := range bad {
		if items, err := unpackItems(b); err == nil {
			t.Errorf("%s: no error, %+v", name, items)
		}
		a := sharedLines(interner{})
		if lines, err := a.unpack(b); err == nil {
			t.Errorf("%s: no error in a Dataset, %+v", name, lines)
		}
		if len(a.chunk) != 0 {
			t.Errorf("%s: a failed unpack left %d lines in the chunk", name, len(a.chunk))
		}
	}
}

// FuzzUnpackLines: damaged packed lines give an error, never a panic; whatever decodes packs
// back to the same bytes, and decodes the same into order items as into a Dataset's shared
// arena (which keeps what it saw from one order to the next).
func FuzzUnpackLines(f *testing.F) {
	f.Add(packLines([]kexi.OrderItem{{ProductID: 1, SKU: "A", Name: "n", Category: "c", Quantity: 1, UnitPrice: 2, UnitCost: 3}}))
	f.Add(packLines([]kexi.OrderItem{{SKU: "x"}, {SKU: "y", Quantity: math.NaN()}}))
	f.Add([]byte{1, 1, 0, 0, 0, 0})
	f.Add(packLines([]kexi.OrderItem{{SKU: "z", Quantity: -2.5, UnitPrice: 1e-9, UnitCost: math.Copysign(0, -1)}}))
	shared := sharedLines(interner{})
	shared.size = 8
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := unpackItems(b)
		sh, shErr := shared.unpack(b)
		// Compared packed: NaN quantities are not equal to themselves, their bits are.
		if (err == nil) != (shErr == nil) || !bytes.Equal(packLines(items), packLines(itemsOf(sh))) {
			t.Fatalf("items: %+v, %v; in the shared arena: %+v, %v", items, err, itemsOf(sh), shErr)
		}
		if err != nil || len(b) == 0 {
			return
		}
		if again := packLines(items); !bytes.Equal(again, b) {
			// Non-minimal uvarints decode too; their canonical packing must decode the same.
			back, err := unpackItems(again)
			if err != nil || len(back) != len(items) {
				t.Fatalf("repacked lines do not decode: %v", err)
			}
		}
	})
}

// TestMigrateOrderLines builds a database at schema version 1, with lines in order_items, and
// opens it: migration 2 packs them into orders.lines and drops order_items.
func TestMigrateOrderLines(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexi.db")
	key := bytes.Repeat([]byte{7}, 32)
	defer func(n int64) { packOrders = n }(packOrders)
	packOrders = 1000 // six passes over the 5,010 order ids
	// A file migrated only to version 1, with rows as version 1 wrote them.
	raw, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	v1 := &DB{w: raw, now: time.Now}
	if err := v1.migrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO products (id, external_id, name, created_at, updated_at) VALUES (5, 'P5', 'Tea', 0, 0)",
		"INSERT INTO orders (id, external_id, ordered_at, amount, created_at, updated_at) VALUES (1, 'O1', 0, 10, 0, 0), (2, 'O2', 0, 3, 0, 0), (3, 'O3', 0, 1, 0, 0)",
		"INSERT INTO order_items (order_id, line, product_id, sku, name, category, quantity, unit_price, unit_cost) VALUES " +
			"(1, 1, NULL, 'X', '', '', 1, 4, 0), (1, 0, 5, 'P5', 'Tea', 'food', 2, 3, 1), (3, 0, NULL, 'Y', 'y', '', 1, 1, 0)",
		// Enough more orders that the tables migration 3 rebuilds leave most of the file free.
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) " +
			"INSERT INTO orders (id, external_id, ordered_at, amount, created_at, updated_at) SELECT i + 10, 'N' || i, 0, 1, 0, 0 FROM n",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) " +
			"INSERT INTO order_items (order_id, line, sku, name, category, quantity, unit_price) SELECT i + 10, 0, 'S' || (i % 50), 'line ' || i, 'c', 1, 2 FROM n",
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := Open(ctx, path, Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, _, err := db.FindOrders(ctx, kexi.Filter{Sort: "id"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]kexi.OrderItem{
		{{ProductID: 5, SKU: "P5", Name: "Tea", Category: "food", Quantity: 2, UnitPrice: 3, UnitCost: 1}, {SKU: "X", Quantity: 1, UnitPrice: 4}},
		nil,
		{{SKU: "Y", Name: "y", Quantity: 1, UnitPrice: 1}},
	}
	if len(list) < len(want) {
		t.Fatalf("%d orders", len(list))
	}
	for i, o := range list[:len(want)] {
		if !reflect.DeepEqual(o.Items, want[i]) {
			t.Errorf("order %s: lines %+v, want %+v", o.ExternalID, o.Items, want[i])
		}
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'order_items'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("order_items still there (%d, %v)", n, err)
	}
	// Every order with lines has them, whichever pass packed it: 1, 3 and the 5,000 more.
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM orders WHERE lines IS NOT NULL").Scan(&n); err != nil || n != 5002 {
		t.Fatalf("%d orders with lines (%v), want 5002", n, err)
	}
	// The rebuilt tables' old pages were given back: at most a quarter of the file is free.
	var free, pages int
	if err := db.r.QueryRowContext(ctx, "SELECT freelist_count, page_count FROM pragma_freelist_count, pragma_page_count").Scan(&free, &pages); err != nil || free*4 > pages {
		t.Fatalf("%d of %d pages free after migrating (%v)", free, pages, err)
	}
}

// TestMigrateLinesV2 builds a database at schema version 3 with lines stored in format
// version 1 and opens it: migration 4 rewrites them in version 2 and leaves the rest alone.
func TestMigrateLinesV2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexi.db")
	defer func(n int64) { packOrders = n }(packOrders)
	packOrders = 2 // three passes over order ids 1 to 5
	raw, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	if err := (&DB{w: raw, now: time.Now}).migrateTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	v1 := func(pid byte, sku string, q, p float64) []byte { // one line in version 1
		b := append([]byte{1, 1, pid, byte(len(sku))}, sku...)
		b = append(b, 0, 0)
		for _, f := range []float64{q, p, 0} {
			b = append(b, le(f)...)
		}
		return b
	}
	v2 := packLines([]kexi.OrderItem{{SKU: "K", Quantity: 3, UnitPrice: 1.5}})
	stored := map[int64][]byte{1: v1(0, "A", 2, 9.99), 3: v2, 4: v1(0, "B", 1.0/3, 1e300), 5: v1(0, "C", 1, 4)}
	for id := int64(1); id <= 5; id++ {
		if _, err := raw.ExecContext(ctx, "INSERT INTO orders (id, external_id, ordered_at, amount, created_at, updated_at, lines) VALUES (?, ?, 0, 1, 0, 0, ?)",
			id, fmt.Sprint("O", id), stored[id]); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := Open(ctx, path, Options{Key: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[int64][]kexi.OrderItem{
		1: {{SKU: "A", Quantity: 2, UnitPrice: 9.99}},
		3: {{SKU: "K", Quantity: 3, UnitPrice: 1.5}},
		4: {{SKU: "B", Quantity: 1.0 / 3, UnitPrice: 1e300}},
		5: {{SKU: "C", Quantity: 1, UnitPrice: 4}},
	}
	for id := int64(1); id <= 5; id++ {
		var b []byte
		if err := db.r.QueryRowContext(ctx, "SELECT lines FROM orders WHERE id = ?", id).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if want[id] == nil {
			if b != nil {
				t.Errorf("order %d: lines % x, want NULL", id, b)
			}
			continue
		}
		if len(b) == 0 || b[0] != linesVersion {
			t.Errorf("order %d: % x is not in version %d", id, b, linesVersion)
			continue
		}
		got, err := unpackItems(b)
		if err != nil || !reflect.DeepEqual(got, want[id]) {
			t.Errorf("order %d: %+v, %v; want %+v", id, got, err, want[id])
		}
	}
	var v int
	if err := db.r.QueryRowContext(ctx, "SELECT max(version) FROM schema_version").Scan(&v); err != nil || v < 4 {
		t.Errorf("schema version %d (%v)", v, err)
	}
}
