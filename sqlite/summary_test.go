package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/demo"
)

// TestLoadSummaryDemo: on the demo data (returns, cancellations, $0 orders, several orders a
// day), LoadSummary gives exactly kexi.Summarize of the orders LoadDataset loads.
func TestLoadSummaryDemo(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "kexi.db"))
	if _, err := db.Import(ctx, demo.Generate(demo.Options{Customers: 800, Seed: 7})); err != nil {
		t.Fatal(err)
	}
	d, err := db.LoadDataset(ctx, kexi.Scope{}, kexi.PartOrders)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	last := d.LastOrderAt()
	for _, w := range []kexi.Window{{}, {Loc: sh}, {From: last.AddDate(-1, 0, 0), Until: last.AddDate(0, -2, 0), Loc: sh}} {
		got, err := db.LoadSummary(ctx, kexi.Scope{}, w)
		if err != nil {
			t.Fatal(err)
		}
		want := kexi.Summarize(&d.Orders, w)
		if len(want.Customers) < 100 || !reflect.DeepEqual(got.Customers, want.Customers) {
			t.Errorf("window %v: %d customers loaded, %d summarised, or not the same", w, len(got.Customers), len(want.Customers))
		}
	}
}
