package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kexi/kexi"
)

// Order lines are rows of order_items, numbered from 1 within their order (line), with a
// foreign key to their order (deleted with it) and to the product they name (NULL once that
// product is deleted; the SKU, name and category stay as the line had them). They are written
// and read with their order: Order.Items is the order's lines in line order.

// itemCols are the columns an order line is written with, in itemArgs's order.
const itemCols = "order_id, line, product_id, sku, name, category, quantity, unit_price, unit_cost"

// itemSelect reads order lines, in scanItem's order; callers add a WHERE and
// "ORDER BY i.order_id, i.line", the order the Dataset and Order.Items hold them in.
const itemSelect = "SELECT i.order_id, coalesce(i.product_id, 0), i.sku, i.name, i.category, i.quantity, i.unit_price, i.unit_cost FROM order_items i"

// itemArgs are the values of line number line (from 1) of order orderID, for itemCols.
func itemArgs(orderID int64, line int, it *kexi.OrderItem) []any {
	var pid any
	if it.ProductID != 0 {
		pid = it.ProductID
	}
	return []any{orderID, int64(line), pid, it.SKU, it.Name, it.Category, it.Quantity, it.UnitPrice, it.UnitCost}
}

// writeItems replaces the lines of one order with items.
func writeItems(ctx context.Context, db *DB, tx *sql.Tx, orderID int64, items []kexi.OrderItem) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM order_items WHERE order_id = ?", orderID); err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	b, err := db.bulk(ctx, nil, tx, "order_items", itemCols)
	if err != nil {
		return err
	}
	defer b.Stop()
	err = addItems(b, orderID, items)
	if err == nil {
		err = b.Flush()
	}
	if err != nil {
		return db.dbError(err, "order lines")
	}
	return nil
}

// addItems queues items on b as the lines of order orderID, numbered from 1.
func addItems(b *bulkRows, orderID int64, items []kexi.OrderItem) error {
	for i := range items {
		if err := b.add(itemArgs(orderID, i+1, &items[i])...); err != nil {
			return err
		}
	}
	return nil
}

// scanItem reads one row of itemSelect.
func scanItem(rows *sql.Rows, orderID *int64, it *kexi.OrderItem) error {
	return rows.Scan(orderID, &it.ProductID, &it.SKU, &it.Name, &it.Category, &it.Quantity, &it.UnitPrice, &it.UnitCost)
}

// fillItems reads the lines of the given orders into their Items: by their ids for a page of
// orders, and for many (an export) by one pass over the lines of the ids' range, which reads
// the table in its order instead of searching it once per order.
func fillItems(ctx context.Context, q querier, list []*kexi.Order) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*kexi.Order, len(list))
	lo, hi := list[0].ID, list[0].ID
	for _, o := range list {
		o.Items = nil
		byID[o.ID] = o
		lo, hi = min(lo, o.ID), max(hi, o.ID)
	}
	if len(list) > 1000 {
		return readItems(ctx, q, byID, " WHERE i.order_id BETWEEN ? AND ?", lo, hi)
	}
	ids := make([]any, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	return readItems(ctx, q, byID, " WHERE i.order_id IN ("+placeholders(len(ids))+")", ids...)
}

// readItems reads the lines that where selects into the orders of byID that they belong to.
func readItems(ctx context.Context, q querier, byID map[int64]*kexi.Order, where string, args ...any) error {
	rows, err := q.QueryContext(ctx, itemSelect+where+" ORDER BY i.order_id, i.line", args...)
	if err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	defer rows.Close()
	var o *kexi.Order
	for rows.Next() {
		var id int64
		var it kexi.OrderItem
		if err := scanItem(rows, &id, &it); err != nil {
			return fmt.Errorf("order lines: %w", err)
		}
		if o == nil || o.ID != id {
			if o = byID[id]; o == nil {
				continue
			}
		}
		o.Items = append(o.Items, it)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	return nil
}

// storedItems reads the lines of orders already stored, for an import that compares them
// with the lines it brings: a window of order ids at a time, as the records name them, so
// that re-importing part of a large table reads only the lines of its part.
type storedItems struct {
	ctx    context.Context
	tx     *sql.Tx
	loaded map[int64]bool // windows read (id / itemWindow)
	lines  map[int64][]kexi.OrderItem
	in     map[string]string // one copy of each SKU, name and category
}

// itemWindow is the number of order ids storedItems reads at a time.
const itemWindow = 4096

// take returns the stored lines of order id, which it forgets (each order is compared once).
func (s *storedItems) take(id int64) ([]kexi.OrderItem, error) {
	w := id / itemWindow
	if !s.loaded[w] {
		if s.loaded == nil {
			s.loaded, s.lines, s.in = map[int64]bool{}, map[int64][]kexi.OrderItem{}, map[string]string{}
		}
		s.loaded[w] = true
		rows, err := s.tx.QueryContext(s.ctx, itemSelect+" WHERE i.order_id >= ? AND i.order_id < ? ORDER BY i.order_id, i.line",
			w*itemWindow, (w+1)*itemWindow)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var oid int64
			var it kexi.OrderItem
			if err := scanItem(rows, &oid, &it); err != nil {
				return nil, err
			}
			it.SKU, it.Name, it.Category = s.intern(it.SKU), s.intern(it.Name), s.intern(it.Category)
			s.lines[oid] = append(s.lines[oid], it)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	lines := s.lines[id]
	delete(s.lines, id)
	return lines, nil
}

func (s *storedItems) intern(v string) string {
	if u, ok := s.in[v]; ok {
		return u
	}
	s.in[v] = v
	return v
}
