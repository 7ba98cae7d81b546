package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// packedV2 is two lines in the packed format version 2, worked by hand: version 2, 2 lines;
// line 1: product 300 = uvarint ac 02, "A1", "茶" (3 bytes of UTF-8), "food"; 2 = tag 1 (m / 1)
// and m 2; 9.99 = tag 3 (m / 100) and 999 = uvarint e7 07; 4 = tag 1, 4. Line 2: product 0,
// three empty strings; 0.5 = tag 2 (m / 10), 5; −1 = tag 6 (−m / 1), 1; 0 = tag 0.
var packedV2 = []byte{2, 2, 0xac, 0x02, 2, 'A', '1', 3, 0xe8, 0x8c, 0xb6, 4, 'f', 'o', 'o', 'd', 1, 2, 3, 0xe7, 0x07, 1, 4,
	0, 0, 0, 0, 2, 5, 6, 1, 0}

var packedV2Items = []kexi.OrderItem{
	{ProductID: 300, SKU: "A1", Name: "茶", Category: "food", Quantity: 2, UnitPrice: 9.99, UnitCost: 4},
	{SKU: "", Quantity: 0.5, UnitPrice: -1},
}

// le is f's IEEE 754 bytes, little-endian.
func le(f float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))
}

// packedV1 is one line in the packed format version 1.
func packedV1(pid byte, sku string, q, p float64) []byte {
	b := append([]byte{1, 1, pid, byte(len(sku))}, sku...)
	b = append(b, 0, 0)
	for _, f := range []float64{q, p, 0} {
		b = append(b, le(f)...)
	}
	return b
}

func TestUnpackItems(t *testing.T) {
	if items, err := unpackItems(nil); items != nil || err != nil {
		t.Fatalf("no lines: %v, %v", items, err)
	}
	got, err := unpackItems(packedV2)
	if err != nil || !reflect.DeepEqual(got, packedV2Items) {
		t.Fatalf("version 2: %+v, %v", got, err)
	}
	got, err = unpackItems(packedV1(0, "B", 1.0/3, 1e300))
	if want := []kexi.OrderItem{{SKU: "B", Quantity: 1.0 / 3, UnitPrice: 1e300}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("version 1: %+v, %v", got, err)
	}
	// Every number form of version 2: +0, m / 10^e, −(m / 10^e), IEEE bytes.
	line := []byte{2, 1, 0, 0, 0, 0}
	for _, c := range []struct {
		num  []byte
		want float64
	}{
		{[]byte{0}, 0}, {[]byte{1 + 2, 0xe7, 0x07}, 9.99}, {[]byte{6 + 4, 5}, -0.0005}, {append([]byte{11}, le(math.Pi)...), math.Pi},
	} {
		b := append(append(append(append([]byte{}, line...), c.num...), 0), 0)
		got, err := unpackItems(b)
		if err != nil || len(got) != 1 || got[0].Quantity != c.want {
			t.Errorf("% x: %+v, %v; want quantity %v", c.num, got, err, c.want)
		}
	}
	bad := map[string][]byte{
		"unknown version":   append([]byte{3}, packedV2[1:]...),
		"truncated":         packedV2[:len(packedV2)-1],
		"trailing bytes":    append(append([]byte{}, packedV2...), 0),
		"no lines":          {2, 0},
		"huge count":        {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"string past end":   {1, 1, 0, 0x7f},
		"unknown tag":       {2, 1, 0, 0, 0, 0, 12, 0, 0},
		"negative product":  append([]byte{1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0}, make([]byte, 24)...),
		"varint overflowed": {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	}
	for name, b := range bad {
		if items, err := unpackItems(b); err == nil {
			t.Errorf("%s: no error, %+v", name, items)
		}
	}
}

// rawAt makes a database file migrated only up to version last, for writing rows as that
// version did.
func rawAt(t *testing.T, path string, last int) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	if err := (&DB{w: raw, now: time.Now}).migrateTo(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	return raw
}

// storedLines reads order_items as they are stored: order id → lines in line order, and
// fails t when the line numbers are not 1, 2, ….
func storedLines(t *testing.T, db *DB) map[int64][]kexi.OrderItem {
	t.Helper()
	rows, err := db.Reader().Query("SELECT order_id, line, coalesce(product_id, 0), sku, name, category, quantity, unit_price, unit_cost FROM order_items ORDER BY order_id, line")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]kexi.OrderItem{}
	for rows.Next() {
		var id int64
		var line int
		var it kexi.OrderItem
		if err := rows.Scan(&id, &line, &it.ProductID, &it.SKU, &it.Name, &it.Category, &it.Quantity, &it.UnitPrice, &it.UnitCost); err != nil {
			t.Fatal(err)
		}
		if line != len(out[id])+1 {
			t.Errorf("order %d: line %d after %d lines", id, line, len(out[id]))
		}
		out[id] = append(out[id], it)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkPlain fails t unless db has the plain schema: no orders.lines, and every foreign key
// holds.
func checkPlain(t *testing.T, db *DB) {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow("SELECT count(*) FROM pragma_table_info('orders') WHERE name = 'lines'").Scan(&n); err != nil || n != 0 {
		t.Errorf("orders.lines still there (%d, %v)", n, err)
	}
	if err := db.Reader().QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows break a foreign key (%v)", n, err)
	}
	var v int
	if err := db.Reader().QueryRow("SELECT max(version) FROM schema_version").Scan(&v); err != nil || v < 6 {
		t.Errorf("schema version %d (%v)", v, err)
	}
}

// TestMigrateV1Lines builds a database at schema version 1, with lines in the order_items of
// then, and opens it: the lines come back as rows of today's order_items, numbered from 1.
func TestMigrateV1Lines(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexi.db")
	raw := rawAt(t, path, 1)
	for _, q := range []string{
		"INSERT INTO products (id, external_id, name, created_at, updated_at) VALUES (5, 'P5', 'Tea', 0, 0)",
		"INSERT INTO orders (id, external_id, ordered_at, amount, created_at, updated_at) VALUES (1, 'O1', 0, 10, 0, 0), (2, 'O2', 0, 3, 0, 0), (3, 'O3', 0, 1, 0, 0)",
		"INSERT INTO order_items (order_id, line, product_id, sku, name, category, quantity, unit_price, unit_cost) VALUES " +
			"(1, 1, NULL, 'X', '', '', 1, 4, 0), (1, 0, 5, 'P5', 'Tea', 'food', 2, 3, 1), (3, 0, NULL, 'Y', 'y', '', 1, 1, 0)",
		// Enough more orders that the tables the migrations rebuild leave most of the file free.
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
	db, err := Open(ctx, path, Options{Key: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkPlain(t, db)
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
	if got := storedLines(t, db); len(got) != 5002 || !reflect.DeepEqual(got[1], want[0]) {
		t.Errorf("%d orders with lines, want 5002; order 1: %+v", len(got), got[1])
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'legacy%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d legacy tables left (%v)", n, err)
	}
	// The rebuilt tables' old pages were given back: at most a quarter of the file is free.
	var free, pages int
	if err := db.Reader().QueryRowContext(ctx, "SELECT freelist_count, page_count FROM pragma_freelist_count, pragma_page_count").Scan(&free, &pages); err != nil || free*4 > pages {
		t.Fatalf("%d of %d pages free after migrating (%v)", free, pages, err)
	}
}

// TestMigratePackedLines builds a database at schema version 4 with lines packed in both
// format versions, one order's lines damaged and one line naming a product that no longer
// exists, and opens it: migration 6 writes every line as a row of order_items, two orders at
// a time (unpackOrders), keeps the damaged BLOB aside and drops orders.lines.
func TestMigratePackedLines(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexi.db")
	defer func(n int64) { unpackOrders = n }(unpackOrders)
	unpackOrders = 2 // four passes over order ids 1 to 7
	raw := rawAt(t, path, 4)
	if _, err := raw.ExecContext(ctx, "INSERT INTO products (id, external_id, name, created_at, updated_at) VALUES (300, 'A1', 'Tea', 0, 0)"); err != nil {
		t.Fatal(err)
	}
	damaged := []byte{2, 0xff}
	stored := map[int64][]byte{1: packedV1(0, "A", 2, 9.99), 3: packedV2, 4: packedV1(0, "B", 1.0/3, 1e300),
		5: packedV1(9, "C", 1, 4), 6: damaged, 7: packedV2}
	for id := int64(1); id <= 7; id++ {
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
	checkPlain(t, db)
	want := map[int64][]kexi.OrderItem{
		1: {{SKU: "A", Quantity: 2, UnitPrice: 9.99}},
		3: packedV2Items,
		4: {{SKU: "B", Quantity: 1.0 / 3, UnitPrice: 1e300}},
		5: {{SKU: "C", Quantity: 1, UnitPrice: 4}}, // product 9 does not exist
		7: packedV2Items,
	}
	if got := storedLines(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("lines\n%+v\nwant\n%+v", got, want)
	}
	var id int64
	var b []byte
	if err := db.Reader().QueryRowContext(ctx, "SELECT order_id, lines FROM legacy_damaged_lines").Scan(&id, &b); err != nil || id != 6 || !bytes.Equal(b, damaged) {
		t.Errorf("damaged lines kept: order %d, % x, %v", id, b, err)
	}
	// The orders themselves are all there.
	list, total, err := db.FindOrders(ctx, kexi.Filter{Sort: "id"})
	if err != nil || total != 7 || !reflect.DeepEqual(list[2].Items, packedV2Items) {
		t.Fatalf("%d orders, %v", total, err)
	}
}

// TestOpenMainDatabases opens copies of the databases in testdata that kexi wrote with its
// lines packed (main at 7798644): they come out in the plain form, and every order has as many
// lines in order_items, in the Dataset and through FindOrders as its export by that kexi
// listed (cmd/kexi's TestOpenDatabaseOfMain compares the exports byte for byte).
func TestOpenMainDatabases(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"main-7798644-import", "main-7798644-demo"} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("testdata", name)
			b, err := os.ReadFile(src + ".db")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "kexi.db")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			k, err := os.ReadFile(src + ".db.key")
			if err != nil {
				t.Fatal(err)
			}
			key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(k)))
			if err != nil {
				t.Fatal(err)
			}
			// The lines each order had, from the old export: one row per line (SKU to Unit
			// Cost), or one row with none of them for an order without lines.
			f, err := os.Open(src + ".orders.csv")
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if h := strings.Join(recs[0][12:], ","); h != "SKU,Item Name,Item Category,Quantity,Unit Price,Unit Cost" {
				t.Fatalf("export columns %s", h)
			}
			want := map[string]int{}
			for _, r := range recs[1:] {
				want[r[0]] += 0
				if strings.Join(r[12:], "") != "" {
					want[r[0]]++
				}
			}
			db, err := Open(ctx, path, Options{Key: key})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checkPlain(t, db)
			stored := storedLines(t, db)
			list, _, err := db.FindOrders(ctx, kexi.Filter{Limit: -1})
			if err != nil {
				t.Fatal(err)
			}
			d, err := db.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
			if err != nil {
				t.Fatal(err)
			}
			rows := map[int64]int{}
			for _, o := range d.Orders.All() {
				rows[o.ID] = len(o.Items)
			}
			if len(list) != len(want) || d.Orders.Len() != len(want) {
				t.Fatalf("%d orders found, %d in the Dataset, want %d", len(list), d.Orders.Len(), len(want))
			}
			for _, o := range list {
				if n := want[o.ExternalID]; len(o.Items) != n || len(stored[o.ID]) != n || rows[o.ID] != n {
					t.Errorf("order %s: %d lines found, %d stored, %d in the Dataset; want %d", o.ExternalID, len(o.Items), len(stored[o.ID]), rows[o.ID], n)
				}
			}
		})
	}
}
