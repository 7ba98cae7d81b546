package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/synth"
	"github.com/kexi/kexi/sqlite"
	"github.com/kexi/kexi/storetest"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func open(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	t.Cleanup(func() { checkForeignKeys(t, path) })
	return db
}

// checkForeignKeys fails t if any row of the database at path names a parent row that does
// not exist, after every test that opened a store.
func checkForeignKeys(t testing.TB, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("foreign key check: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s row %d names a %s row that does not exist", table, rowid.Int64, parent)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kexi.Store {
		return open(t, filepath.Join(t.TempDir(), "kexi.db"))
	})
}

func TestOpenKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexi.db")
	_, err := sqlite.Open(ctx, path, sqlite.Options{})
	if kexi.ErrorCode(err) != kexi.EINVALID {
		t.Fatalf("open without a key: %v", err)
	}
	_, err = sqlite.Open(ctx, path, sqlite.Options{Key: []byte("short")})
	if kexi.ErrorCode(err) != kexi.EINVALID {
		t.Fatalf("open with a short key: %v", err)
	}
	db := open(t, path)
	c := &kexi.Customer{Name: "A", Phone: "13800138000", Email: "a@example.com"}
	if err := db.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Personal fields are not in the file in clear text.
	raw, err := filepath.Glob(path + "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range raw {
		b, _ := readFile(f)
		if bytes.Contains(b, []byte("13800138000")) || bytes.Contains(b, []byte("a@example.com")) {
			t.Fatalf("%s holds a phone or e-mail in clear text", f)
		}
	}
	wrong := bytes.Repeat([]byte{8}, 32)
	if _, err := sqlite.Open(ctx, path, sqlite.Options{Key: wrong}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Fatalf("open with the wrong key: %v", err)
	}
	// Reopening with the right key applies no migration twice and reads the data back.
	db = open(t, path)
	got, err := db.FindCustomerByID(ctx, c.ID)
	if err != nil || got.Phone != "13800138000" || got.Email != "a@example.com" {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	// Phone equality filter through the keyed hash.
	list, n, err := db.FindCustomers(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "phone", Value: "13800138000"}}})
	if err != nil || n != 1 || list[0].ID != c.ID {
		t.Fatalf("phone filter: %d %v", n, err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "kexi.db"))
	if err := db.CreateCustomer(ctx, &kexi.Customer{Name: "A", Email: "a@b.c"}); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	b := open(t, dst)
	list, n, err := b.FindCustomers(ctx, kexi.Filter{})
	if err != nil || n != 1 || list[0].Email != "a@b.c" {
		t.Fatalf("backup holds %d customers (%v)", n, err)
	}
}

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

// TestImportRebuildsIndexes imports enough new orders for the import to drop the orders'
// indexes while it writes, and checks that they are all back, and used, afterwards.
func TestImportRebuildsIndexes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexi.db")
	db := open(t, path)
	indexes := func() []string {
		raw, err := sql.Open("sqlite", path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.Query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('orders', 'order_items') ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			names = append(names, n)
		}
		return names
	}
	before := indexes()
	if !slices.Contains(before, "orders_customer") || !slices.Contains(before, "orders_external") || !slices.Contains(before, "order_items_product") {
		t.Fatalf("orders indexes before the import: %v", before)
	}
	b := &kexi.Batch{}
	for i := range 12_000 {
		b.Orders = append(b.Orders, kexi.Order{ExternalID: fmt.Sprint("O", i), Customer: fmt.Sprint("C", i%50),
			OrderedAt: time.Date(2025, 1, 1+i%28, 0, 0, 0, 0, time.UTC), Amount: 1,
			Items: []kexi.OrderItem{{SKU: fmt.Sprint("P", i%3), Quantity: 1, UnitPrice: 1}}})
	}
	b.Products = []kexi.Product{{ExternalID: "P0"}, {ExternalID: "P1"}}
	if _, err := db.Import(ctx, b); err != nil {
		t.Fatal(err)
	}
	if after := indexes(); !slices.Equal(after, before) {
		t.Fatalf("orders indexes after the import: %v, before: %v", after, before)
	}
	// The rebuilt unique index still guards external ids.
	err := db.CreateOrder(ctx, &kexi.Order{ExternalID: "O42", OrderedAt: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)})
	if kexi.ErrorCode(err) != kexi.ECONFLICT {
		t.Fatalf("a second order O42: %v, want ECONFLICT", err)
	}
	// The orders still answer by customer: C7 has every 50th of the 12,000 (i % 50 == 7), 240.
	list, n, err := db.FindOrders(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "customer", Value: "C7"}}, Limit: 1000})
	if err != nil || n != 240 || len(list) != 240 {
		t.Fatalf("orders of C7: %d (%d listed), %v", n, len(list), err)
	}
	// The lines still answer by product: deleting P1 clears it from its 4,000 lines.
	ps, _, err := db.FindProducts(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Value: "P1"}}})
	if err != nil || len(ps) != 1 {
		t.Fatalf("product P1: %v, %v", ps, err)
	}
	if err := db.DeleteProduct(ctx, ps[0].ID); err != nil {
		t.Fatal(err)
	}
	d, err := db.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]int{}
	for _, o := range d.Orders.All() {
		for _, l := range o.Items {
			if l.ProductID != 0 {
				named[l.SKU]++
			}
		}
	}
	if named["P0"] != 4000 || named["P1"] != 0 || named["P2"] != 0 {
		t.Fatalf("lines naming a product, by SKU: %v", named)
	}
}

// TestNewFile checks how Open makes a new file: 16 KiB pages and WAL.
func TestNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kexi.db")
	open(t, path).Close()
	raw, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var size int
	var mode string
	if err := raw.QueryRow("PRAGMA page_size").Scan(&size); err != nil || size != 16384 {
		t.Fatalf("page size %d (%v), want 16384", size, err)
	}
	if err := raw.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q (%v), want wal", mode, err)
	}
}

// TestDatasetSharesCustomFields: in a Dataset, customers (and leads) whose custom fields are
// the same share one map, and a different one gets its own; Find still gives every record a
// map of its own, which the caller may change.
func TestDatasetSharesCustomFields(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "kexi.db"))
	gold := func() map[string]string { return map[string]string{"level": "gold", "plan": "a"} }
	b := &kexi.Batch{
		Customers: []kexi.Customer{{ExternalID: "C1", Name: "a", Custom: gold()}, {ExternalID: "C2", Name: "b", Custom: gold()},
			{ExternalID: "C3", Name: "c", Custom: map[string]string{"level": "silver"}}, {ExternalID: "C4", Name: "d"}},
		Leads: []kexi.Lead{{ExternalID: "L1", Stage: kexi.StageNew, Custom: gold()}, {ExternalID: "L2", Stage: kexi.StageNew, Custom: gold()}},
	}
	if _, err := db.Import(ctx, b); err != nil {
		t.Fatal(err)
	}
	d, err := db.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b map[string]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	c := d.Customers
	if len(c) != 4 || !reflect.DeepEqual(c[0].Custom, gold()) || !same(c[0].Custom, c[1].Custom) ||
		c[2].Custom["level"] != "silver" || same(c[0].Custom, c[2].Custom) || c[3].Custom != nil {
		t.Fatalf("customers' custom fields: %+v", c)
	}
	if l := d.Leads; len(l) != 2 || !same(l[0].Custom, l[1].Custom) || !reflect.DeepEqual(l[0].Custom, gold()) {
		t.Fatalf("leads' custom fields: %+v", l)
	}
	found, _, err := db.FindCustomers(ctx, kexi.Filter{})
	if err != nil || len(found) != 4 || same(found[0].Custom, found[1].Custom) || !reflect.DeepEqual(found[1].Custom, gold()) {
		t.Fatalf("found %+v, %v", found, err)
	}
}

// TestDatasetFacets: LoadDataset reads an order's channel, status, province and city joined
// by the unit separator; orders with the same four share one Facets, and values that hold the
// separator themselves still come back exactly.
func TestDatasetFacets(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "kexi.db"))
	at := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	b := &kexi.Batch{Orders: []kexi.Order{
		{ExternalID: "O1", Customer: "C1", OrderedAt: at, Amount: 1, Channel: "app", Status: kexi.StatusCompleted, Province: "广东", City: "广州"},
		{ExternalID: "O2", Customer: "C1", OrderedAt: at.Add(time.Hour), Amount: 2, Channel: "app", Status: kexi.StatusCompleted, Province: "广东", City: "广州"},
		{ExternalID: "O3", Customer: "C1", OrderedAt: at.Add(2 * time.Hour), Amount: 3, Channel: "a\x1fb", Status: "\x1f", City: "x\x1fy\x1f"},
		{ExternalID: "O4", Customer: "C1", OrderedAt: at.Add(3 * time.Hour), Amount: 4},
	}}
	if _, err := db.Import(ctx, b); err != nil {
		t.Fatal(err)
	}
	d, err := db.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	if err != nil {
		t.Fatal(err)
	}
	o := d.Orders
	gz := kexi.Facets{Channel: "app", Status: kexi.StatusCompleted, Province: "广东", City: "广州"}
	want := []kexi.Facets{gz, gz, {Channel: "a\x1fb", Status: "\x1f", City: "x\x1fy\x1f"}, {}}
	for i := range want {
		if o.Len() != 4 || o.Facets[o.Facet[i]] != want[i] {
			t.Fatalf("order %d: facets %q, want %q", i+1, o.Facets[o.Facet[i]], want[i])
		}
	}
	if o.Facet[0] != o.Facet[1] {
		t.Fatal("orders with the same facets do not share a code")
	}
}

// TestLoadDatasetRoundTrip imports 20,000 orders whose cities differ by order (thousands of
// different facets, read through views into SQLite's memory) and loads them back, whole and in
// one region: every order's fields and lines come back as imported. The first and the last
// order (one in each half that LoadDataset reads) hold the facets' separator, and so does one
// order outside the region.
func TestLoadDatasetRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "kexi.db"))
	b := synth.Batch(synth.Options{Customers: 1000, Orders: 20_000, Seed: 3})
	region := b.Customers[0].Province
	province := map[string]string{}
	for _, c := range b.Customers {
		province[c.ExternalID] = c.Province
	}
	outside := b.Customers[slices.IndexFunc(b.Customers, func(c kexi.Customer) bool { return c.Province != region })].ExternalID
	want := map[string]kexi.Order{}
	for i := range b.Orders {
		o := &b.Orders[i]
		o.City += strconv.Itoa(i % 5000)
		if i == 0 || i == len(b.Orders)-1 {
			o.Channel, o.City, o.Customer = "a\x1fb", "\x1f"+o.City, b.Customers[0].ExternalID
		}
		if i == len(b.Orders)/2 {
			o.Status, o.Customer = "x\x1f", outside
		}
		want[o.ExternalID] = *o
	}
	if _, err := db.Import(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, scope := range []kexi.Scope{{}, {Region: region}} {
		d, err := db.LoadDataset(ctx, scope, kexi.AllParts)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range want {
			if scope.Region == "" || province[w.Customer] == region {
				n++
			}
		}
		if d.Orders.Len() != n {
			t.Fatalf("scope %+v: %d orders, want %d", scope, d.Orders.Len(), n)
		}
		extOf := map[int64]string{}
		for _, c := range d.Customers {
			extOf[c.ID] = c.ExternalID
		}
		skuOf := map[int64]string{}
		for _, p := range d.Products {
			skuOf[p.ID] = p.ExternalID
		}
		for _, o := range d.Orders.All() {
			w := want[o.ExternalID]
			got := kexi.Order{ExternalID: o.ExternalID, Customer: extOf[o.CustomerID], OrderedAt: o.OrderedAt,
				Amount: o.Amount, Cost: o.Cost, Shipping: o.Shipping, Discount: o.Discount, Returned: o.Returned,
				Channel: o.Channel, Status: o.Status, Province: o.Province, City: o.City}
			lines := w.Items
			// The store's ids are its own: the customer is checked by its external id (and each
			// line's product below by its SKU); times are stored to the millisecond.
			w.ID, w.CustomerID, w.Items, w.OrderedAt = 0, 0, nil, w.OrderedAt.Truncate(time.Millisecond)
			if !reflect.DeepEqual(got, w) {
				t.Fatalf("scope %+v: order %+v, want %+v", scope, got, w)
			}
			if len(o.Items) != len(lines) {
				t.Fatalf("order %s: %d lines, want %d", o.ExternalID, len(o.Items), len(lines))
			}
			for j, it := range o.Items {
				wi := lines[j]
				wi.ProductID = 0
				g := kexi.OrderItem{SKU: it.SKU, Name: it.Name, Category: it.Category, Quantity: it.Quantity,
					UnitPrice: it.UnitPrice, UnitCost: it.UnitCost}
				if g != wi || skuOf[it.ProductID] != wi.SKU {
					t.Fatalf("order %s line %d: %+v of product %q, want %+v", o.ExternalID, j, g, skuOf[it.ProductID], wi)
				}
			}
		}
	}
}

// TestFileModes: a new database, its -wal and its -shm are readable by their owner only, whatever
// the umask, since they hold personal data (names, addresses, orders) in the clear.
func TestFileModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kexi.db")
	db := open(t, path)
	if err := db.CreateCustomer(context.Background(), &kexi.Customer{Name: "A"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), m)
		}
	}
}

func TestStoreSummary(t *testing.T) {
	storetest.RunSummary(t, func(t *testing.T) kexi.Store {
		return open(t, filepath.Join(t.TempDir(), "kexi.db"))
	})
}
