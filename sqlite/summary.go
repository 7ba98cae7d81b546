package sqlite

import (
	"context"
	"fmt"

	"github.com/kexi/kexi"
)

// LoadSummary returns the per-customer summary of the purchases in scope within w, as
// kexi.Summarize defines it: it loads the orders in scope without their lines (one
// consistent snapshot, as LoadDataset), summarises them and lets them go.
func (db *DB) LoadSummary(ctx context.Context, scope kexi.Scope, w kexi.Window) (*kexi.Summary, error) {
	d, err := db.LoadDataset(ctx, scope, kexi.PartOrders)
	if err != nil {
		return nil, fmt.Errorf("load summary: %w", err)
	}
	return kexi.Summarize(&d.Orders, w), nil
}
