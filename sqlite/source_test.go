package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestSource inserts rows of every value type through kexi_src and reads them back.
func TestSource(t *testing.T) {
	db := collectDB(t)
	db.SetMaxOpenConns(1) // temp.kexi_src lives on one connection
	if _, err := db.Exec(createSource); err != nil {
		t.Fatal(err)
	}
	src := &rowSource{n: 4, vals: []any{
		int64(10), 7, "x", []byte{1, 2}, // an int goes in as an integer
		int64(11), nil, "", nil,
		int64(12), int64(-1), "客户", []byte{},
	}}
	h := sources.add(src)
	defer sources.remove(h)
	if _, err := db.Exec("INSERT INTO t (id, n, s, b) "+srcSelect(4), h); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT id, typeof(n), coalesce(n, 'NULL'), coalesce(s, 'NULL'), typeof(b), hex(b) FROM t WHERE id >= 10 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int64
		var tn, n, s, tb, b string
		if err := rows.Scan(&id, &tn, &n, &s, &tb, &b); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s %s %q %s %s", id, tn, n, s, tb, b))
	}
	rows.Close()
	want := []string{`10 integer 7 "x" blob 0102`, `11 null NULL "" null `, `12 integer -1 "客户" blob `}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Rows are only served for a handle someone registered, and only through h = ?.
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT count(*) FROM temp.kexi_src WHERE h = ?", []any{int64(987654321)}},
		{"SELECT count(*) FROM temp.kexi_src", nil},
		{"SELECT count(*) FROM temp.kexi_src WHERE h > ?", []any{int64(0)}},
	} {
		var n int
		if err := db.QueryRow(q.sql, q.args...).Scan(&n); err == nil {
			t.Errorf("%s: %d rows, no error", q.sql, n)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM temp.kexi_src WHERE h = ?", h).Scan(&n); err != nil || n != 3 {
		t.Errorf("count of the registered rows: %d, %v", n, err)
	}
}

// TestSourceRollback checks that kexi_src made inside a transaction that rolls back is made
// again by the next bulk insert on the connection.
func TestSourceRollback(t *testing.T) {
	db := collectDB(t)
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	for i, commit := range []bool{false, true} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := newBulk(ctx, tx, "t", "id, n")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.add(int64(100+i), int64(i)); err != nil {
			t.Fatal(err)
		}
		if err := b.flush(); err != nil {
			t.Fatalf("bulk %d: %v", i, err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var ids string
	if err := db.QueryRow("SELECT group_concat(id) FROM t WHERE id >= 100").Scan(&ids); err != nil || ids != "101" {
		t.Errorf("ids %q, %v; want 101", ids, err)
	}
}
