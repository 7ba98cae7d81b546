package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// openAt opens a new store whose clock stands still, so that two imports stamp alike.
func openAt(t *testing.T) *DB {
	t.Helper()
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "kexi.db"),
		Options{Key: bytes.Repeat([]byte{7}, 32), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dump reads every row of every table, personal fields decrypted (their nonces differ from
// one store to another), in rowid order.
func dump(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Reader().QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, tb := range tables {
		rows, err := db.Reader().QueryContext(ctx, `SELECT * FROM "`+tb+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var sb strings.Builder
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					if s, err := db.Decrypt(b); err == nil {
						v = "sealed:" + s
					} else {
						v = fmt.Sprintf("%x", b)
					}
				}
				fmt.Fprintf(&sb, "%s=%v|", cols[i], v)
			}
			out[tb] = append(out[tb], sb.String())
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// streamFile imports a file through sheet.Stream in batches of rows records.
func streamFile(t *testing.T, db *DB, name, file string, rows int, opt sheet.Options) (kexi.ImportStats, *sheet.Result, error) {
	t.Helper()
	var res *sheet.Result
	st, err := db.ImportStream(context.Background(), func(put func(*kexi.Batch) error) error {
		var err error
		res, err = sheet.Stream(strings.NewReader(file), name, opt, rows, put)
		return err
	})
	return st, res, err
}

// streamFiles are files whose rules need the whole file: repeated customers (first row wins),
// products named again with a name or category filled later, orders with several lines,
// custom columns whose type only the last rows decide, totals from lines.
var streamFiles = []struct{ name, kind, before, file string }{
	{name: "orders-lines.csv", kind: kexi.KindOrders, before: `order_id,customer_id,date,sku,quantity,unit_price
O0,C1,2023-12-01,P1,1,10
O0,C1,2023-12-01,P9,1,10
`, file: `order_id,customer_id,date,sku,description,category,quantity,unit_price,city,plan
O1,C1,2024-01-02,P1,,,2,10,Beijing,1
O1,C1,2024-01-02,P2,Pen,Office,1,3.5,Beijing,2
O2,C2,2024-01-03,P1,Book,,1,10,Shanghai,3
O3,C1,2024-01-04,P3,,,1,7,Shenzhen,4
O3,C1,2024-01-04,P3,,,2,7,,x
O4,C3,2024-01-05,P1,,Books,-1,10,Chengdu,
O5,C2,2024-01-06,P2,Pencil,Stationery,4,1,Wuhan,5
`},
	{name: "orders-plain.csv", kind: kexi.KindOrders, file: `customer_id,date,amount
1,1997-02-15,37.84
1,1997-02-17,32.75
2,1997-03-01,10
3,1997-03-02,11.5
2,1997-04-01,12
1,1997-05-01,1
`},
	{name: "orders-update.csv", kind: kexi.KindOrders, before: `order_id,customer_id,date,amount,status
O2,C2,2024-01-03,99,completed
O9,C9,2024-01-09,9,completed
`, file: `order_id,customer_id,date,amount
O1,C1,2024-01-02,5
O2,C2,2024-01-03,6
O3,C3,2024-01-04,7
O9,C9,2024-01-09,9
`},
	{name: "customers.csv", kind: kexi.KindCustomers, before: `customer_id,name,city
K2,Old Two,Xi'an
`, file: `customer_id,name,city,signup,score,joined
K1,One,Beijing,2024-01-01,1,2020-01-01
K2,Two,,2024-01-02,2.50,2020/02/01
K3,Three,Shanghai,2024-01-03,3,2020-03-01
K4,Four,Chengdu,2024-01-04,4,2020-04-01
K5,Five,Wuhan,2024-01-05,five,2020-05-01
`},
}

// TestStreamSameDatabase imports files in batches of one, two and three records and as one
// batch, and checks that every table holds exactly the same rows, and the counts agree.
func TestStreamSameDatabase(t *testing.T) {
	for _, f := range streamFiles {
		t.Run(f.name, func(t *testing.T) {
			opt := sheet.Options{Kind: f.kind}
			var want map[string][]string
			var wantStats kexi.ImportStats
			var wantRes *sheet.Result
			for _, rows := range []int{1 << 20, 1, 2, 3} {
				db := openAt(t)
				if f.before != "" {
					if _, _, err := streamFile(t, db, "before.csv", f.before, 0, opt); err != nil {
						t.Fatal(err)
					}
				}
				st, res, err := streamFile(t, db, f.name, f.file, rows, opt)
				if err != nil {
					t.Fatalf("batches of %d: %v", rows, err)
				}
				got := dump(t, db)
				if want == nil {
					want, wantStats, wantRes = got, st, res
					if len(got["orders"])+len(got["customers"]) == 0 {
						t.Fatal("nothing imported")
					}
					continue
				}
				for tb, rs := range want {
					if !reflect.DeepEqual(rs, got[tb]) {
						t.Errorf("batches of %d: table %s differs:\n got %q\nwant %q", rows, tb, got[tb], rs)
					}
				}
				if !reflect.DeepEqual(st, wantStats) {
					t.Errorf("batches of %d: stats %+v, want %+v", rows, st, wantStats)
				}
				if res.Rows != wantRes.Rows || res.Records != wantRes.Records || !reflect.DeepEqual(res.Custom, wantRes.Custom) {
					t.Errorf("batches of %d: %d rows, %d records, custom %v; want %d, %d, %v", rows,
						res.Rows, res.Records, res.Custom, wantRes.Rows, wantRes.Records, wantRes.Custom)
				}
			}
		})
	}
}

// TestStreamLateFailureWritesNothing fails imports in their last batch, in the file and in
// the store, and checks that nothing of the earlier batches is left.
func TestStreamLateFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	db := openAt(t)
	if _, err := db.Import(ctx, &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C0", Name: "Zero"}}}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	// A bad row at the end of the file.
	file := "customer_id,date,amount\n1,2024-01-01,1\n2,2024-01-02,2\n3,2024-01-03,3\n4,not a date,4\n"
	_, _, err := streamFile(t, db, "late.csv", file, 1, sheet.Options{Kind: kexi.KindOrders})
	if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(kexi.ErrorMessage(err), "1 of 4 rows are invalid") {
		t.Fatalf("bad last row: %v", err)
	}
	// A record the store refuses, in the last batch.
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = db.ImportStream(ctx, func(put func(*kexi.Batch) error) error {
		for i := range 3 {
			o := kexi.Order{ExternalID: fmt.Sprint("O", i), Customer: "C1", OrderedAt: day, Amount: 1}
			if i == 2 {
				o.OrderedAt = time.Time{}
			}
			if err := put(&kexi.Batch{Orders: []kexi.Order{o}}); err != nil {
				return err
			}
		}
		return nil
	})
	if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(kexi.ErrorMessage(err), "orders record 3") {
		t.Fatalf("invalid last record: %v", err)
	}
	// The feed failing after its batches went in.
	boom := errors.New("disk on fire")
	_, err = db.ImportStream(ctx, func(put func(*kexi.Batch) error) error {
		if err := put(&kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C5", Name: "Five"}}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("feed error: %v", err)
	}
	if got := dump(t, db); !reflect.DeepEqual(got, before) {
		t.Errorf("failed imports left rows:\n got %v\nwant %v", got, before)
	}
}

// TestStreamLastWins repeats records in later batches: the last one wins, as within one
// Batch, and the counts are those of one Batch. (A repeated record keeps the id its first
// batch gave it; one Batch gives it the id of the last record's place.)
func TestStreamLastWins(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	batches := func() []*kexi.Batch {
		return []*kexi.Batch{
			{Customers: []kexi.Customer{{ExternalID: "C1", Name: "First", City: "Beijing"}, {ExternalID: "C2", Name: "Two"}},
				Orders: []kexi.Order{{ExternalID: "O1", Customer: "C1", OrderedAt: day, Amount: 1},
					{ExternalID: "O2", Customer: "C3", OrderedAt: day, Amount: 2}},
				Events: []kexi.WebEvent{{ExternalID: "E1", Type: "page_view", At: day}}},
			{Orders: []kexi.Order{{ExternalID: "O1", Customer: "C2", OrderedAt: day.AddDate(0, 0, 1), Amount: 10}}},
			{Customers: []kexi.Customer{{ExternalID: "C1", Name: "Last"}},
				Events: []kexi.WebEvent{{ExternalID: "E1", Type: "click", At: day}}},
		}
	}
	whole := openAt(t)
	var one kexi.Batch
	for _, b := range batches() {
		one.Customers = append(one.Customers, b.Customers...)
		one.Orders = append(one.Orders, b.Orders...)
		one.Events = append(one.Events, b.Events...)
	}
	wantStats, err := whole.Import(ctx, &one)
	if err != nil {
		t.Fatal(err)
	}
	db := openAt(t)
	st, err := db.ImportStream(ctx, func(put func(*kexi.Batch) error) error {
		for _, b := range batches() {
			if err := put(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, want := byExternalID(t, db), byExternalID(t, whole)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("streamed:\n%q\nwhole:\n%q", got, want)
	}
	if !reflect.DeepEqual(st, wantStats) {
		t.Errorf("stats %+v, want %+v", st, wantStats)
	}
	wantRows := []string{"customer C1 Last  0", "customer C2 Two  0", "customer C3 C3  1",
		"order O1 C2 10.0 1704153600000", "order O2 C3 2.0 1704067200000", "event E1 click"}
	if !reflect.DeepEqual(got, wantRows) {
		t.Errorf("got %q, want %q", got, wantRows)
	}
	if st.Inserted[kexi.KindOrders] != 2 || st.Updated[kexi.KindOrders] != 0 || st.Inserted[kexi.KindCustomers] != 2 || st.Stubs != 1 {
		t.Errorf("stats %+v: want 2 orders and 2 customers inserted, none updated, 1 stub", st)
	}
	// The stream's smaller page cache is the writer's own again.
	var cache int64
	if err := db.Writer().QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil || cache != -131072 {
		t.Errorf("cache_size after a stream: %d, %v; want -131072", cache, err)
	}
}

// byExternalID lists the customers, orders and events by external id, references by
// external id.
func byExternalID(t *testing.T, db *DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	cs, _, err := db.FindCustomers(ctx, kexi.Filter{Limit: -1, Sort: "external_id"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		stub := 0
		if c.Stub {
			stub = 1
		}
		out = append(out, fmt.Sprintf("customer %s %s %s %d", c.ExternalID, c.Name, c.City, stub))
	}
	for _, q := range []string{
		"SELECT 'order ' || o.external_id || ' ' || c.external_id || ' ' || o.amount || ' ' || o.ordered_at FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.external_id",
		"SELECT 'event ' || external_id || ' ' || type FROM events ORDER BY external_id",
	} {
		rows, err := db.Reader().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	return out
}
