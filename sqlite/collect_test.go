package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// collectDB is a database with a table t of five rows that hold each storage class.
func collectDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, f REAL, s TEXT, b BLOB)",
		"INSERT INTO t VALUES (1, 7, 2.5, 'a', x'0102'), (2, -3, 0, '', x''), (3, NULL, NULL, NULL, NULL), " +
			"(4, 1, 1e300, '客户', x'ff'), (5, 0, -0.5, 'z', NULL)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestCollect(t *testing.T) {
	db := collectDB(t)
	ctx := context.Background()
	var got [][]driver.Value
	err := collect(ctx, db, "id, n, f, s, b", "t WHERE id > ?", []any{1}, func(row []driver.Value) error {
		kept := make([]driver.Value, len(row))
		for i, v := range row { // the values are views: keep copies
			switch v := v.(type) {
			case string:
				kept[i] = strings.Clone(v)
			case []byte:
				kept[i] = append([]byte{}, v...)
			default:
				kept[i] = v
			}
		}
		got = append(got, kept)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]driver.Value{
		{int64(2), int64(-3), 0.0, "", []byte{}},
		{int64(3), nil, nil, nil, nil},
		{int64(4), int64(1), 1e300, "客户", []byte{0xff}},
		{int64(5), int64(0), -0.5, "z", nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %#v\nwant %#v", got, want)
	}

	// No rows: fn is not called and nothing fails.
	calls := 0
	if err := collect(ctx, db, "id", "t WHERE id > 99", nil, func([]driver.Value) error { calls++; return nil }); err != nil || calls != 0 {
		t.Errorf("empty: err %v, %d calls", err, calls)
	}
}

func TestCollectErrors(t *testing.T) {
	db := collectDB(t)
	ctx := context.Background()

	// fn's error ends the query at once and comes back as it is, not as SQLite's text.
	calls := 0
	err := collect(ctx, db, "id", "t", nil, func([]driver.Value) error { calls++; return errMoved })
	if !errors.Is(err, errMoved) || calls != 1 {
		t.Errorf("fn error: got %v after %d calls, want errMoved after 1", err, calls)
	}

	// A cancelled context stops the rows.
	if _, err := db.Exec("WITH RECURSIVE n(i) AS (SELECT 6 UNION ALL SELECT i+1 FROM n WHERE i < 10000) INSERT INTO t(id) SELECT i FROM n"); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = collect(cctx, db, "id", "t", nil, func([]driver.Value) error {
		if calls++; calls == 100 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls > 256 {
		t.Errorf("cancelled: got %v after %d rows", err, calls)
	}

	// A handle nobody registered is an error, not a panic.
	var n int64
	if err := db.QueryRow("SELECT kexi_rows(12345678, id) FROM t").Scan(&n); err == nil || !strings.Contains(err.Error(), "unknown handle") {
		t.Errorf("unknown handle: %v", err)
	}
	if len(sinks.m) != 0 {
		t.Errorf("%d sinks left registered", len(sinks.m))
	}
}

// TestCollectConcurrent runs collects on several connections at once: each sees its own rows.
func TestCollectConcurrent(t *testing.T) {
	db := collectDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for g := range errs {
		wg.Go(func() {
			sum := int64(0)
			errs[g] = collect(context.Background(), db, "id", "t WHERE id <= ?", []any{g % 5}, func(row []driver.Value) error {
				sum += row[0].(int64)
				return nil
			})
			if k := int64(g % 5); errs[g] == nil && sum != k*(k+1)/2 {
				errs[g] = errors.New("wrong rows")
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}

// TestValueRow checks the conversions an entity's scan function relies on, as database/sql
// does them, and that what is kept is a copy.
func TestValueRow(t *testing.T) {
	buf := []byte("abc")
	view := unsafe.String(&buf[0], len(buf)) // a view, as collect passes: buf changes below
	var (
		s      string
		i64    int64
		i      int
		f, f2  float64
		b      bool
		bs     []byte
		raw    sql.RawBytes
		ns, nn sql.NullString
		ni     sql.NullInt64
		a      any
	)
	row := valueRow{view, int64(42), int64(7), 1.5, int64(3), int64(1), buf, buf, "x", nil, int64(9), buf}
	if err := row.Scan(&s, &i64, &i, &f, &f2, &b, &bs, &raw, &ns, &nn, &ni, &a); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'X'
	if s != "abc" || i64 != 42 || i != 7 || f != 1.5 || f2 != 3 || !b || string(bs) != "abc" || string(a.([]byte)) != "abc" {
		t.Errorf("got %q %d %d %v %v %v %q %q", s, i64, i, f, f2, b, bs, a)
	}
	if string(raw) != "Xbc" { // RawBytes is the one view
		t.Errorf("raw %q", raw)
	}
	if ns != (sql.NullString{String: "x", Valid: true}) || nn.Valid || ni != (sql.NullInt64{Int64: 9, Valid: true}) {
		t.Errorf("nulls %v %v %v", ns, nn, ni)
	}

	for _, c := range []struct {
		dest any
		v    driver.Value
		want string
	}{
		{new(string), nil, "converting NULL to *string"},
		{new(int64), nil, "converting NULL to *int64"},
		{new(int64), 2.5, `converting "2.5" to int64`},
		{new(float64), "x", `converting "x" to float64`},
		{new(bool), int64(2), "bool"},
		{new(struct{}), int64(1), "unsupported destination"},
	} {
		err := valueRow{c.v}.Scan(c.dest)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T from %#v: %v, want %q", c.dest, c.v, err, c.want)
		}
	}
	if err := (valueRow{int64(1)}).Scan(&i, &i); err == nil {
		t.Error("two destinations for one column: no error")
	}
	var whole int64
	if err := (valueRow{4.0}).Scan(&whole); err != nil || whole != 4 {
		t.Errorf("4.0 into int64: %d, %v", whole, err)
	}
}

func TestStringArena(t *testing.T) {
	var a stringArena
	long := strings.Repeat("x", 2000)
	in := []string{"O1", "", "订单-2", long}
	var out []string
	for _, s := range in {
		b := []byte(s)
		view := "" // a view into b, as collect passes strings: b changes after the copy
		if len(b) > 0 {
			view = unsafe.String(&b[0], len(b))
		}
		v := a.clone(view)
		clear(b)
		out = append(out, v)
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("%d: %q, want %q", i, out[i], in[i])
		}
	}
	if len(a.buf) != len("O1")+len("订单-2") {
		t.Errorf("the arena holds %d bytes; the long string should have its own", len(a.buf))
	}
	for range 70_000 { // past one chunk: earlier strings stay as they were
		a.clone("abcd")
	}
	if out[0] != "O1" || out[2] != "订单-2" {
		t.Errorf("strings changed when the arena grew: %q %q", out[0], out[2])
	}
}

// TestSharedRow: a text that repeats in a column comes back as one shared string, a copy of
// the borrowed bytes (changing them afterwards changes nothing); the same text in another
// column is that column's own; a column with more than memoMax different texts stops
// sharing; other destinations and NULL behave as in valueRow.
func TestSharedRow(t *testing.T) {
	var cols columnTexts
	buf := []byte("gold")
	view := unsafe.String(&buf[0], len(buf)) // as SQLite lends a text
	var a, b, c string
	var n int64
	if err := (sharedRow{valueRow{view, view, int64(7)}, &cols}).Scan(&a, &c, &n); err != nil {
		t.Fatal(err)
	}
	if err := (sharedRow{valueRow{view, "x", int64(8)}, &cols}).Scan(&b, &c, &n); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'c'
	if a != "gold" || b != "gold" || unsafe.StringData(a) != unsafe.StringData(b) || n != 8 {
		t.Fatalf("a %q b %q shared %v n %d", a, b, unsafe.StringData(a) == unsafe.StringData(b), n)
	}
	var other string
	if err := (sharedRow{valueRow{"x", "gold"}, &cols}).Scan(&other, &c); err != nil {
		t.Fatal(err)
	}
	if c != "gold" || unsafe.StringData(c) == unsafe.StringData(a) {
		t.Fatal("column 1 shares column 0's string")
	}
	if err := (sharedRow{valueRow{nil}, &cols}).Scan(&a); err == nil {
		t.Fatal("NULL into a string gives no error")
	}
	// Column 2 sees memoMax different texts, then one more: it stops sharing.
	for i := range memoMax + 1 {
		cols.get(2, strings.Repeat("k", i+1))
	}
	if !cols.cols[2].many || cols.cols[2].seen != nil {
		t.Fatalf("column 2 still shares after %d texts", memoMax+1)
	}
	if x, y := cols.get(2, "k"), cols.get(2, "k"); x != "k" || unsafe.StringData(x) == unsafe.StringData(y) {
		t.Fatal("a column with many texts still shares them")
	}
	if cols.cols[0].many {
		t.Fatal("column 0 stopped sharing")
	}
}

// TestCustoms: the same custom-field text gives the same map; after more than
// memoMax different texts the memo stops, and every record gets a map of its own.
func TestCustoms(t *testing.T) {
	m := &customs{}
	text := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	same := func(a, b map[string]string) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	a, err1 := m.parse(text(`{"level":"gold"}`))
	b, err2 := m.parse(text(`{"level":"gold"}`))
	if err1 != nil || err2 != nil || a["level"] != "gold" || !same(a, b) {
		t.Fatalf("%v %v %v, shared %v", a, err1, err2, same(a, b))
	}
	if none, err := m.parse(sql.NullString{}); none != nil || err != nil {
		t.Fatalf("NULL: %v, %v", none, err)
	}
	if _, err := m.parse(text(`{"level":`)); err == nil {
		t.Fatal("damaged JSON parses")
	}
	for i := range memoMax {
		if _, err := m.parse(text(fmt.Sprintf(`{"n":"%d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := m.parse(text(`{"level":"gold"}`))
	if !m.many || m.seen != nil || same(a, c) || c["level"] != "gold" {
		t.Fatalf("after %d texts: many %v, still shared %v", memoMax+1, m.many, same(a, c))
	}
}
