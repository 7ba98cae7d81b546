package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/kexi/kexi"
)

// summaryChunk is how many orders LoadSummary holds at once: it summarises them whenever
// this many have come and a customer's run of orders has ended.
const summaryChunk = 1 << 16

// LoadSummary returns the per-customer summary of the purchases in scope within w, as
// kexi.Summarize defines it, without holding every order: one query, in one read transaction,
// reads the orders in scope within the window's times in (customer, time, id) order, the
// order of the index orders_customer, and they are summarised a few thousand customers at a
// time.
func (db *DB) LoadSummary(ctx context.Context, scope kexi.Scope, w kexi.Window) (*kexi.Summary, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load summary: %w", err)
	}
	defer tx.Rollback()
	from, until := w.Bounds()
	var conds []cond
	if from != math.MinInt64 {
		conds = append(conds, cond{sql: "t.ordered_at >= ?", args: []any{from}})
	}
	if until != math.MaxInt64 {
		conds = append(conds, cond{sql: "t.ordered_at <= ?", args: []any{until}})
	}
	where, args := scopeWhere(scopeCustomer, scope, conds...)
	// Anonymous orders (a NULL customer) sort first, as customer 0 does in a Dataset.
	rows, err := tx.QueryContext(ctx, "SELECT coalesce(t.customer_id, 0), t.ordered_at, t.id, t.amount, t.status FROM orders t"+
		where+" ORDER BY t.customer_id, t.ordered_at, t.id", args...)
	if err != nil {
		return nil, fmt.Errorf("load summary: %w", err)
	}
	defer rows.Close()
	s := &kexi.Summary{Window: w}
	var chunk kexi.OrderTable
	chunk.Grow(summaryChunk + 64)
	flush := func() {
		s.Customers = append(s.Customers, kexi.Summarize(&chunk, w).Customers...)
		chunk.Reset()
	}
	in := texts{}
	var cid, at, id int64
	var amount float64
	var status sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&cid, &at, &id, &amount, &status); err != nil {
			return nil, fmt.Errorf("load summary: %w", err)
		}
		if n := chunk.Len(); n >= summaryChunk && chunk.CustomerID[n-1] != cid {
			flush()
		}
		chunk.AppendRow(id, "", cid, at, amount, 0, 0, 0, 0, kexi.Facets{Status: in.get(status)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load summary: %w", err)
	}
	flush()
	return s, nil
}
