package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/pgtest"
	"github.com/kexi/kexi/postgres"
	"github.com/kexi/kexi/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var key = bytes.Repeat([]byte{7}, 32)

// open opens a store on a new, empty database, closed when t ends.
func open(t testing.TB) *postgres.DB {
	t.Helper()
	return openAt(t, pgtest.DSN(t))
}

func openAt(t testing.TB, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kexi.Store { return open(t) })
}

// TestMigrationsOnce opens a database twice: the second open applies nothing again and finds
// the data of the first.
func TestMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	db := openAt(t, dsn)
	if err := db.CreateCustomer(ctx, &kexi.Customer{Name: "Ann", ExternalID: "A1"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openAt(t, dsn)
	var n, distinct int
	if err := db.Reader().QueryRowContext(ctx, "SELECT count(*), count(DISTINCT version) FROM schema_version").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migration/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	if n != len(files) || distinct != n {
		t.Errorf("schema_version has %d rows (%d versions) after two opens, want %d", n, distinct, len(files))
	}
	list, total, err := db.FindCustomers(ctx, kexi.Filter{})
	if err != nil || total != 1 || list[0].ExternalID != "A1" {
		t.Fatalf("after reopening: %d customers, %v", total, err)
	}
}

// TestWrongKey opens a database with another key than the one it was created with.
func TestWrongKey(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	db := openAt(t, dsn)
	db.Close()
	other := bytes.Repeat([]byte{8}, 32)
	db2, err := postgres.Open(ctx, dsn, postgres.Options{Key: other})
	if err == nil {
		db2.Close()
		t.Fatal("a database created with one key opened with another")
	}
	if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("error %v, want EINVALID saying the key does not match", err)
	}
	for _, k := range [][]byte{nil, bytes.Repeat([]byte{1}, 16)} {
		if _, err := postgres.Open(ctx, dsn, postgres.Options{Key: k}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("key of %d bytes: %v, want EINVALID", len(k), err)
		}
	}
	if _, err := postgres.Open(ctx, "postgres://[bad", postgres.Options{Key: key}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("bad DSN: %v, want EINVALID", err)
	}
}

// bigBatch is n customers with every kind of field, each with an order of two lines.
func bigBatch(n int) *kexi.Batch {
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	b := &kexi.Batch{Products: []kexi.Product{{ExternalID: "SKU1", Name: "Tea", Price: 2.5}}}
	for i := range n {
		ext := fmt.Sprintf("C%05d", i)
		c := kexi.Customer{ExternalID: ext, Name: "客户 " + ext, Province: []string{"广东", "浙江", ""}[i%3],
			Age: 20 + i%50, Income: float64(i) * 1.5, Owner: "sales" + strconv.Itoa(i%4)}
		if i%2 == 0 {
			c.Phone, c.Email = fmt.Sprintf("1380000%04d", i), ext+"@example.com"
			c.Tags = []string{"vip", "t" + strconv.Itoa(i%7)}
			c.Custom = map[string]string{"plan": []string{"gold", "silver"}[i%2/1], "n": strconv.Itoa(i)}
		}
		b.Customers = append(b.Customers, c)
		b.Orders = append(b.Orders, kexi.Order{ExternalID: "O" + ext, Customer: ext, OrderedAt: at.Add(time.Duration(i) * time.Hour),
			Amount: 10 + float64(i%13), Status: kexi.StatusCompleted, Items: []kexi.OrderItem{
				{SKU: "SKU1", Quantity: 2, UnitPrice: 2.5}, {SKU: "X" + strconv.Itoa(i%5), Name: "other", Quantity: 1, UnitPrice: float64(i%13) + 5}}})
	}
	return b
}

// TestCopyImportRoundTrip imports a few thousand rows (COPY) and reads them back, then creates
// a customer: the database's id sequence is past the ids the import chose.
func TestCopyImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	const n = 3000
	st, err := db.Import(ctx, bigBatch(n))
	if err != nil {
		t.Fatal(err)
	}
	if st.Inserted[kexi.KindCustomers] != n || st.Inserted[kexi.KindOrders] != n || st.Stubs != 0 {
		t.Fatalf("import stats %+v", st)
	}
	d, err := db.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	if err != nil {
		t.Fatal(err)
	}
	want := bigBatch(n)
	if len(d.Customers) != n || d.Orders.Len() != n {
		t.Fatalf("loaded %d customers, %d orders", len(d.Customers), d.Orders.Len())
	}
	for i, c := range d.Customers {
		w := want.Customers[i]
		if c.ExternalID != w.ExternalID || c.Name != w.Name || c.Phone != w.Phone || c.Email != w.Email ||
			!slices.Equal(c.Tags, w.Tags) || !maps.Equal(c.Custom, w.Custom) || c.Province != w.Province || c.Age != w.Age || c.Income != w.Income {
			t.Fatalf("customer %d: got %+v, want %+v", i, c, w)
		}
	}
	orders := d.Orders.All()
	for i, o := range orders {
		w := want.Orders[i]
		if o.ExternalID != w.ExternalID || !o.OrderedAt.Equal(w.OrderedAt) || o.Amount != w.Amount || len(o.Items) != 2 ||
			o.Items[1].UnitPrice != w.Items[1].UnitPrice || o.Items[0].ProductID == 0 {
			t.Fatalf("order %d: got %+v, want %+v", i, o, w)
		}
	}
	// Filters over what COPY wrote: the keyed hash of a phone, a tag, a custom field.
	for _, f := range []kexi.Filter{
		{Where: []kexi.Cond{{Field: "phone", Value: "13800000010"}}},
		{Where: []kexi.Cond{{Field: "tags", Op: kexi.Eq, Value: "t3"}}},
		{Where: []kexi.Cond{{Field: "custom.n", Op: kexi.Ge, Value: "2990"}}},
	} {
		_, total, err := db.FindCustomers(ctx, f)
		if err != nil || total == 0 {
			t.Errorf("filter %+v: %d customers, %v", f.Where, total, err)
		}
	}
	c := &kexi.Customer{Name: "after"}
	if err := db.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.ID <= int64(n) {
		t.Errorf("a customer created after the import got id %d, want one past %d", c.ID, n)
	}
	// The same file again changes nothing.
	v, _ := db.DataVersion(ctx)
	st, err = db.Import(ctx, bigBatch(n))
	if err != nil || st.Unchanged[kexi.KindCustomers] != n || st.Unchanged[kexi.KindOrders] != n {
		t.Fatalf("re-import: %+v, %v", st, err)
	}
	if v2, _ := db.DataVersion(ctx); v2 != v {
		t.Errorf("re-import moved the data version from %d to %d", v, v2)
	}
}

// TestImportFailsHalfway fails an import in the database after rows went in (a line names an
// order id that does not exist, found at commit) and a stream whose feed fails after its first
// batch: neither leaves anything behind.
func TestImportFailsHalfway(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	v0, err := db.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := bigBatch(2000)
	b.Orders[1500].CustomerID = 999999 // a customer given by an id that does not exist
	b.Orders[1500].Customer = ""
	if _, err := db.Import(ctx, b); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("an import naming a missing customer id: %v, want the foreign key's error", err)
	}
	_, err = db.ImportStream(ctx, func(put func(*kexi.Batch) error) error {
		if err := put(bigBatch(1000)); err != nil {
			return err
		}
		return errors.New("the file ended early")
	})
	if err == nil || !strings.Contains(err.Error(), "ended early") {
		t.Fatalf("stream error %v", err)
	}
	for _, table := range []string{"customers", "orders", "order_items", "products"} {
		var n int
		if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after failed imports", table, n)
		}
	}
	if v, _ := db.DataVersion(ctx); v != v0 {
		t.Errorf("failed imports moved the data version from %d to %d", v0, v)
	}
	// The store still works, and ids start where a failed import left none behind.
	if _, err := db.Import(ctx, bigBatch(10)); err != nil {
		t.Fatal(err)
	}
}

// TestTwoProcesses uses one database through two stores, as two servers do: a write through
// one is seen by the other at once (data version, change log, reads), and imports through
// both at the same time do not collide on ids.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := openAt(t, dsn), openAt(t, dsn)
	v0, err := b.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := &kexi.Customer{Name: "Ann", ExternalID: "A1", Phone: "13800000000"}
	if err := a.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	v1, err := b.DataVersion(ctx)
	if err != nil || v1 != v0+1 {
		t.Fatalf("the other store's data version %d (%v), want %d", v1, err, v0+1)
	}
	ch, err := b.Changes(ctx, v0)
	if err != nil || ch.Everything || !slices.Equal(ch.Customers, []int64{c.ID}) {
		t.Fatalf("the other store's changes: %+v, %v", ch, err)
	}
	got, err := b.FindCustomerByID(ctx, c.ID)
	if err != nil || got.Phone != c.Phone {
		t.Fatalf("the other store reads %+v, %v", got, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, db := range []*postgres.DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bb := bigBatch(500)
			for k := range bb.Customers {
				bb.Customers[k].ExternalID += "-" + strconv.Itoa(i)
				bb.Orders[k].ExternalID += "-" + strconv.Itoa(i)
				bb.Orders[k].Customer = bb.Customers[k].ExternalID
			}
			_, errs[i] = db.Import(ctx, bb)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	_, total, err := a.FindCustomers(ctx, kexi.Filter{Limit: 1})
	if err != nil || total != 1001 {
		t.Fatalf("%d customers after two imports at once (%v), want 1001", total, err)
	}
}

// schema lists the constraints and indexes of the store's tables, as PostgreSQL prints them.
func schema(t *testing.T, db *postgres.DB) []string {
	t.Helper()
	rows, err := db.Reader().QueryContext(context.Background(), `
		SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
		WHERE connamespace = 'public'::regnamespace
		UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestBigImportKeepsSchema imports enough rows for the store to drop the tables' foreign keys
// and secondary indexes while they go in: an import naming a missing customer still fails (the
// foreign key made again checks it), and afterwards the schema is as it was.
func TestBigImportKeepsSchema(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	before := schema(t, db)
	if len(before) < 40 {
		t.Fatalf("only %d constraints and indexes: %v", len(before), before)
	}
	b := bigBatch(12000)
	b.Orders[11000].CustomerID, b.Orders[11000].Customer = 999999, ""
	if _, err := db.Import(ctx, b); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("a big import naming a missing customer id: %v, want the foreign key's error", err)
	}
	if after := schema(t, db); !slices.Equal(after, before) {
		t.Fatalf("the schema changed after a failed import:\n%v\nwant\n%v", after, before)
	}
	if _, err := db.Import(ctx, bigBatch(12000)); err != nil {
		t.Fatal(err)
	}
	if after := schema(t, db); !slices.Equal(after, before) {
		t.Fatalf("the schema changed after an import:\n%v\nwant\n%v", after, before)
	}
	var lines int
	if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id").Scan(&lines); err != nil || lines != 24000 {
		t.Fatalf("%d lines joined to their orders (%v), want 24000", lines, err)
	}
}

// TestValueNotStorable writes a text PostgreSQL cannot store (a NUL byte; SQLite can): the
// writer's mistake, EINVALID naming the record, not an internal error.
func TestValueNotStorable(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if err := db.CreateCustomer(ctx, &kexi.Customer{Name: "a\x00b"}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("create: %v, want EINVALID", err)
	}
	b := bigBatch(3)
	b.Customers[2].City = "x\x00"
	if _, err := db.Import(ctx, b); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("import: %v, want EINVALID", err)
	}
	if _, err := db.Import(ctx, bigBatch(3)); err != nil {
		t.Fatal(err)
	}
	b = bigBatch(3)
	b.Customers[1].Name = "y\x00" // an update, in the batch UPDATE and then one by one
	_, err := db.Import(ctx, b)
	if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("import update: %v, want EINVALID naming record 2", err)
	}
}

func TestStoreSummary(t *testing.T) {
	storetest.RunSummary(t, func(t *testing.T) kexi.Store { return open(t) })
}
