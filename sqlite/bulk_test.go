package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestColDefault(t *testing.T) {
	null, zero, empty, none := colDefault{ok: true}, colDefault{ok: true, val: 0}, colDefault{ok: true, val: ""}, colDefault{}
	cases := []struct {
		d    colDefault
		v    any
		want bool
	}{
		{null, nil, true}, {null, "", false}, {null, int64(0), false}, {null, []byte(nil), false},
		{zero, int64(0), true}, {zero, 0, true}, {zero, 0.0, true},
		{zero, int64(1), false}, {zero, 0.5, false}, {zero, nil, false}, {zero, "", false},
		{empty, "", true}, {empty, " ", false}, {empty, nil, false}, {empty, 0, false},
		{none, nil, false}, {none, "", false}, {none, 0, false},
	}
	for _, c := range cases {
		if got := c.d.isDefault(c.v); got != c.want {
			t.Errorf("%+v.isDefault(%#v) = %v, want %v", c.d, c.v, got, c.want)
		}
	}
	var negZero float64 = 0
	negZero = -negZero
	if zero.isDefault(negZero) {
		t.Error("-0 stands for 0")
	}
}

// TestBulkLeavesOutDefaults inserts batches of two rows, some with a column all default and
// some not, and checks that every row reads back exactly as written.
func TestBulkLeavesOutDefaults(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, a REAL NOT NULL DEFAULT 0, b TEXT NOT NULL DEFAULT '',
		c TEXT, d INTEGER NOT NULL, e TEXT NOT NULL DEFAULT 'x')`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newBulk(ctx, tx, "t", []string{"id", "a", "b", "c", "d", "e"})
	if err != nil {
		t.Fatal(err)
	}
	want := []colDefault{{ok: true}, {ok: true, val: 0}, {ok: true, val: ""}, {ok: true}, {}, {}}
	if fmt.Sprint(b.def) != fmt.Sprint(want) {
		t.Fatalf("defaults %v, want %v", b.def, want)
	}
	b.per = 2
	rows := [][]any{
		{int64(1), 0.0, "", nil, int64(0), ""},   // batch 1: a, b, c left out
		{int64(2), 0.0, "", nil, int64(5), "y"},  //
		{int64(3), 1.5, "", "c", int64(0), "x"},  // batch 2: b left out
		{int64(4), 0.0, "", nil, int64(0), "x"},  //
		{int64(5), 0.0, "", nil, int64(7), "z"},  // batch 3: a, b, c left out, as in batch 1
		{int64(6), 0.0, "", nil, int64(8), "w"},  //
		{int64(7), 0.0, "b", nil, int64(0), "x"}, // the rest, one row: a, c left out
	}
	for _, r := range rows {
		if err := b.Add(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if b.prepared != 3 {
		// One per set of columns left out and number of rows: batches 1 and 3 share one (a, b,
		// c out, 2 rows); batch 2 (b out, 2 rows) and the rest (a, c out, 1 row) one each.
		t.Errorf("%d prepared statements, want 3", b.prepared)
	}
	if err := b.Add(rows[0]...); err != nil || b.Flush() == nil {
		t.Error("rows added after flush are not refused")
	}
	res, err := tx.Query("SELECT id, typeof(a), a, b, coalesce(c, 'NULL'), d, e FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for res.Next() {
		var id, d int64
		var ta, bb, c, e string
		var a float64
		res.Scan(&id, &ta, &a, &bb, &c, &d, &e)
		got = append(got, fmt.Sprintf("%d %s %g %q %s %d %q", id, ta, a, bb, c, d, e))
	}
	res.Close()
	tx.Rollback()
	wantRows := []string{
		`1 real 0 "" NULL 0 ""`,
		`2 real 0 "" NULL 5 "y"`,
		`3 real 1.5 "" c 0 "x"`,
		`4 real 0 "" NULL 0 "x"`,
		`5 real 0 "" NULL 7 "z"`,
		`6 real 0 "" NULL 8 "w"`,
		`7 real 0 "b" NULL 0 "x"`,
	}
	if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
		t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
}
