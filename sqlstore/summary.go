package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/kexi/kexi"
)

// summaryChunk is how many orders LoadSummary holds at once per shard: it summarises them
// whenever this many have come and a customer's run of orders has ended.
const summaryChunk = 1 << 16

// LoadSummary returns the per-customer summary of the purchases in scope within w, as
// kexi.Summarize defines it, without holding every order. Where the dialect has a Summary
// query, the database computes it and hands over one row per customer. Otherwise the orders in
// scope within the window's times are read in (customer, time, id) order, the order of the
// index orders_customer, and summarised a few thousand customers at a time. Ranges of customer
// ids are read in parallel, each on its own read transaction; the data version is compared
// before and after, and a load that overlapped a write is repeated (finally in one
// transaction).
func (db *DB) LoadSummary(ctx context.Context, scope kexi.Scope, w kexi.Window) (*kexi.Summary, error) {
	if db.d.Summary != nil && (w.Loc == nil || w.Loc.String() != "Local") {
		s, err := db.querySummary(ctx, scope, w)
		if err != nil {
			return nil, fmt.Errorf("load summary: %w", err)
		}
		return s, nil
	}
	shards := min(max(runtime.NumCPU(), 1), 4)
	for attempt := 0; attempt < 3; attempt++ {
		v1, err := db.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		s, err := db.loadSummary(ctx, scope, w, shards)
		if err != nil {
			return nil, fmt.Errorf("load summary: %w", err)
		}
		v2, err := db.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		if v1 == v2 {
			return s, nil
		}
	}
	s, err := db.loadSummary(ctx, scope, w, 1)
	if err != nil {
		return nil, fmt.Errorf("load summary: %w", err)
	}
	return s, nil
}

// querySummary runs the dialect's Summary query.
func (db *DB) querySummary(ctx context.Context, scope kexi.Scope, w kexi.Window) (*kexi.Summary, error) {
	where, args := scopeWhere(scopeCustomer, scope, windowConds(w)...)
	where = strings.TrimPrefix(where, " WHERE ")
	if where == "" {
		where = "1 = 1"
	}
	tz := "UTC"
	if w.Loc != nil {
		tz = w.Loc.String()
	}
	rows, err := db.r.QueryContext(ctx, db.d.Summary(where), append([]any{tz}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := &kexi.Summary{Window: w, Customers: []kexi.CustomerSummary{}} // as Summarize's, never nil
	for rows.Next() {
		var c kexi.CustomerSummary
		if err := rows.Scan(&c.CustomerID, &c.Purchases, &c.Revenue, &c.First, &c.Last, &c.Days, &c.FirstDay, &c.LastDay,
			&c.RepeatValue, &c.RepeatPaid); err != nil {
			return nil, err
		}
		s.Customers = append(s.Customers, c)
	}
	return s, rows.Err()
}

// windowConds are the conditions on orders t of the times of a window.
func windowConds(w kexi.Window) []cond {
	var conds []cond
	from, until := w.Bounds()
	if from != math.MinInt64 {
		conds = append(conds, cond{sql: "t.ordered_at >= ?", args: []any{from}})
	}
	if until != math.MaxInt64 {
		conds = append(conds, cond{sql: "t.ordered_at <= ?", args: []any{until}})
	}
	return conds
}

// loadSummary reads the summary in n shards of the customer id range at once and joins them.
func (db *DB) loadSummary(ctx context.Context, scope kexi.Scope, w kexi.Window, n int) (*kexi.Summary, error) {
	parts := make([][]kexi.CustomerSummary, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := db.readTx(ctx)
			if err != nil {
				errs[k] = err
				return
			}
			defer tx.Rollback()
			parts[k], errs[k] = summaryShard(ctx, tx, scope, w, k, n)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	s := &kexi.Summary{Window: w, Customers: make([]kexi.CustomerSummary, 0, total)}
	for _, p := range parts {
		s.Customers = append(s.Customers, p...)
	}
	return s, nil
}

// summaryShard summarises shard k of n of the customer id range: the first shard also holds
// the anonymous orders (a NULL customer, customer 0 in a Dataset), the last is open above.
func summaryShard(ctx context.Context, q querier, scope kexi.Scope, w kexi.Window, k, n int) ([]kexi.CustomerSummary, error) {
	var top int64
	if err := q.QueryRowContext(ctx, "SELECT coalesce(max(customer_id), 0) FROM orders").Scan(&top); err != nil {
		return nil, err
	}
	lo, hi := top*int64(k)/int64(n), top*int64(k+1)/int64(n)
	var conds []cond
	switch {
	case n == 1:
	case k == 0:
		conds = append(conds, cond{sql: "(t.customer_id IS NULL OR t.customer_id <= ?)", args: []any{hi}})
	case k == n-1:
		conds = append(conds, cond{sql: "t.customer_id > ?", args: []any{lo}})
	default:
		conds = append(conds, cond{sql: "t.customer_id > ? AND t.customer_id <= ?", args: []any{lo, hi}})
	}
	conds = append(conds, windowConds(w)...)
	where, args := scopeWhere(scopeCustomer, scope, conds...)
	// Anonymous orders (a NULL customer) sort first, as customer 0 does in a Dataset.
	rows, err := q.QueryContext(ctx, "SELECT coalesce(t.customer_id, 0), t.ordered_at, t.id, t.amount, t.status FROM orders t"+
		where+" ORDER BY t.customer_id NULLS FIRST, t.ordered_at, t.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kexi.CustomerSummary
	var chunk kexi.OrderTable
	chunk.Grow(summaryChunk + 64)
	flush := func() {
		out = append(out, kexi.Summarize(&chunk, w).Customers...)
		chunk.Reset()
	}
	in := texts{}
	var cid, at, id int64
	var amount float64
	var status sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&cid, &at, &id, &amount, &status); err != nil {
			return nil, err
		}
		if m := chunk.Len(); m >= summaryChunk && chunk.CustomerID[m-1] != cid {
			flush()
		}
		chunk.AppendRow(id, "", cid, at, amount, 0, 0, 0, 0, kexi.Facets{Status: in.get(status)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	return out, nil
}
