package sqlite

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/synth"
	"github.com/kexi/kexi/sqlstore"
)

// openInternal opens a new store in a temporary file, closed when t ends.
func openInternal(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "kexi.db"), Options{Key: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestImportCancelledKeepsChecks cancels imports at many moments and checks that the writer
// connection has its foreign-key checks on after each.
func TestImportCancelledKeepsChecks(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	b := synth.Batch(synth.Options{Customers: 300, Orders: 3000, Seed: 1})
	batch := &kexi.Batch{Customers: b.Customers, Products: b.Products, Orders: b.Orders}
	cancelled := 0
	for i := range 100 {
		cctx, cancel := context.WithCancel(ctx)
		go func() {
			time.Sleep(time.Duration(i%50) * 200 * time.Microsecond) // 0 to 10 ms in
			cancel()
		}()
		if _, err := db.Import(cctx, batch); err != nil {
			cancelled++
		}
		cancel()
		var on int
		if err := db.Writer().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
			t.Fatal(err)
		}
		if on != 1 {
			t.Fatalf("import %d: the writer's foreign-key checks are off after it", i)
		}
	}
	if cancelled == 0 {
		t.Error("no import was cancelled before it finished: the test checked nothing")
	}
}

// TestImportUpdateError makes the UPDATE of one record fail (a trigger refuses its name): the
// batch fails, the records are updated one by one, and the error names that record. Nothing
// of the import is kept.
func TestImportUpdateError(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	t1, t2 := time.UnixMilli(1_700_000_000_000).UTC(), time.UnixMilli(1_700_000_900_000).UTC()
	db.now = func() time.Time { return t1 }
	first := &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C1", Name: "a"}, {ExternalID: "C2", Name: "b"},
		{ExternalID: "C3", Name: "c"}, {ExternalID: "C4", Name: "d"}}}
	if _, err := db.Import(ctx, first); err != nil {
		t.Fatal(err)
	}
	db.now = func() time.Time { return t2 }
	fallbacks := sqlstore.UpdateFallbacks()
	if _, err := db.Writer().ExecContext(ctx, `CREATE TRIGGER no_bad BEFORE UPDATE ON customers WHEN NEW.name = 'bad'
		BEGIN SELECT RAISE(ABORT, 'no bad names'); END`); err != nil {
		t.Fatal(err)
	}
	second := &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C1", Name: "a2"}, {ExternalID: "C2", Name: "bad"},
		{ExternalID: "C3", Name: "c2"}, {ExternalID: "C4", Name: "d"}}}
	_, err := db.Import(ctx, second)
	if err == nil || !strings.Contains(err.Error(), "customers record 2") || !strings.Contains(err.Error(), "no bad names") {
		t.Fatalf("error %v, want one naming customers record 2", err)
	}
	if n := sqlstore.UpdateFallbacks() - fallbacks; n != 1 {
		t.Errorf("%d batches fell back to one record at a time, want 1", n)
	}
	list, _, err := db.FindCustomers(ctx, kexi.Filter{Sort: "id"})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"a", "b", "c", "d"} {
		if list[i].Name != want {
			t.Errorf("customer %s is %q after a failed import, want %q", list[i].ExternalID, list[i].Name, want)
		}
	}
	// Without the bad name the same batch goes in, in one statement; the rows it changed
	// carry the new time, the one it did not keeps the old.
	second.Customers[1].Name = "b2"
	fallbacks = sqlstore.UpdateFallbacks()
	st, err := db.Import(ctx, second)
	if err != nil || st.Updated[kexi.KindCustomers] != 3 || st.Unchanged[kexi.KindCustomers] != 1 {
		t.Fatalf("import: %+v, %v", st, err)
	}
	if n := sqlstore.UpdateFallbacks() - fallbacks; n != 0 {
		t.Errorf("the batch fell back %d times", n)
	}
	if !second.Customers[0].UpdatedAt.Equal(t2) || !second.Customers[3].UpdatedAt.IsZero() {
		t.Errorf("records' UpdatedAt: %v, %v", second.Customers[0].UpdatedAt, second.Customers[3].UpdatedAt)
	}
	rows, err := db.Reader().QueryContext(ctx, "SELECT external_id, updated_at FROM customers ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[string]int64{"C1": t2.UnixMilli(), "C2": t2.UnixMilli(), "C3": t2.UnixMilli(), "C4": t1.UnixMilli()}
	for rows.Next() {
		var ext string
		var at int64
		if err := rows.Scan(&ext, &at); err != nil {
			t.Fatal(err)
		}
		if at != want[ext] {
			t.Errorf("%s: stored updated_at %d, want %d", ext, at, want[ext])
		}
	}
}
