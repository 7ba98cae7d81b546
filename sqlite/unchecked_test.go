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
)

// TestImportCancelledKeepsChecks cancels imports at many moments and checks that the writer
// connection has its foreign-key checks back on after each (writeUnchecked turns them off).
func TestImportCancelledKeepsChecks(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), Options{Key: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := synth.Dataset(synth.Options{Customers: 300, Orders: 3000, Seed: 1})
	batch := &kexi.Batch{Customers: d.Customers, Products: d.Products, Orders: d.Orders}
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
		if err := db.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
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

// TestLoadDatasetDamagedLines stores lines that do not decode, as text and as a broken blob:
// LoadDataset says which order has them instead of loading it without its lines.
func TestLoadDatasetDamagedLines(t *testing.T) {
	ctx := context.Background()
	for _, lines := range []any{"not a blob", []byte{2, 0xff}} {
		db, err := Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), Options{Key: bytes.Repeat([]byte{7}, 32)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, "INSERT INTO orders (id, external_id, ordered_at, amount, created_at, updated_at, lines) VALUES (7, 'O7', 0, 1, 0, 0, ?)", lines); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LoadDataset(ctx, kexi.Scope{}); err == nil || !strings.Contains(err.Error(), "order 7") {
			t.Errorf("lines %q: %v, want an error naming order 7", lines, err)
		}
		db.Close()
	}
}
