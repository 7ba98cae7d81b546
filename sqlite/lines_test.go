package sqlite

import (
	"bytes"
	"context"
	"database/sql"
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
	// Worked by hand: version 1, 2 lines; line 1: product 300 = uvarint ac 02, "A1", "茶" (3
	// bytes of UTF-8), "food", three floats; line 2: product 0, three empty strings, floats.
	want := []byte{1, 2, 0xac, 0x02, 2, 'A', '1', 3, 0xe8, 0x8c, 0xb6, 4, 'f', 'o', 'o', 'd'}
	if !bytes.HasPrefix(b, want) || len(b) != len(want)+24+4+24 {
		t.Fatalf("packed % x (%d bytes)", b, len(b))
	}
	a := lineArena{size: 4096}
	got, err := a.unpack(b)
	if err != nil || !reflect.DeepEqual(got, items) {
		t.Fatalf("unpacked %+v, %v", got, err)
	}
	// A second order's lines come from the same chunk, and appending to the first cannot
	// overwrite them.
	got2, err := a.unpack(packLines(items[:1]))
	if err != nil || &got2[0] != &a.chunk[2] || cap(got) != 2 {
		t.Fatalf("second order: %v, shares the chunk: %v, cap of first %d", err, &got2[0] == &a.chunk[2], cap(got))
	}
	// Without a chunk size each order gets exactly its lines.
	own, err := (&lineArena{}).unpack(b)
	if err != nil || cap(own) != 2 {
		t.Fatalf("own slice: cap %d, %v", cap(own), err)
	}
	for _, s := range []string{got[0].SKU, got2[0].SKU} {
		if s != "A1" {
			t.Fatalf("SKU %q", s)
		}
	}
}

func TestUnpackDamaged(t *testing.T) {
	good := packLines([]kexi.OrderItem{{ProductID: 7, SKU: "S", Quantity: 1, UnitPrice: 2}})
	bad := map[string][]byte{
		"unknown version":   append([]byte{2}, good[1:]...),
		"truncated":         good[:len(good)-1],
		"trailing bytes":    append(append([]byte{}, good...), 0),
		"no lines":          {1, 0},
		"huge count":        {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"string past end":   {1, 1, 0, 0x7f},
		"negative product":  append([]byte{1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0}, make([]byte, 24)...),
		"varint overflowed": {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	}
	for name, b := range bad {
		a := lineArena{size: 16}
		if items, err := a.unpack(b); err == nil {
			t.Errorf("%s: no error, %+v", name, items)
		}
		if len(a.chunk) != 0 {
			t.Errorf("%s: a failed unpack left %d lines in the chunk", name, len(a.chunk))
		}
	}
}

// FuzzUnpackLines: damaged packed lines give an error, never a panic, and whatever decodes
// packs back to the same bytes.
func FuzzUnpackLines(f *testing.F) {
	f.Add(packLines([]kexi.OrderItem{{ProductID: 1, SKU: "A", Name: "n", Category: "c", Quantity: 1, UnitPrice: 2, UnitCost: 3}}))
	f.Add(packLines([]kexi.OrderItem{{SKU: "x"}, {SKU: "y", Quantity: math.NaN()}}))
	f.Add([]byte{1, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := (&lineArena{size: 8}).unpack(b)
		if err != nil || len(b) == 0 {
			return
		}
		if again := packLines(items); !bytes.Equal(again, b) {
			// Non-minimal uvarints decode too; their canonical packing must decode the same.
			back, err := (&lineArena{}).unpack(again)
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
