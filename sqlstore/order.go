package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kexi/kexi"
)

var orders = &entity[kexi.Order]{
	table: "orders", kind: kexi.KindOrders, scope: scopeCustomer,
	fields: []field[kexi.Order]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.Order) any { return nullStr(x.ExternalID) }},
		{name: "customer_id", col: "customer_id", typ: tInt, get: refID(func(x *kexi.Order) int64 { return x.CustomerID })},
		{name: "customer", col: "customer_id", typ: tRef, ref: "customers"},
		{name: "ordered_at", col: "ordered_at", typ: tTime, get: when(func(x *kexi.Order) time.Time { return x.OrderedAt })},
		{name: "amount", col: "amount", typ: tNum, get: num(func(x *kexi.Order) float64 { return x.Amount })},
		{name: "cost", col: "cost", typ: tNum, get: num(func(x *kexi.Order) float64 { return x.Cost })},
		{name: "shipping", col: "shipping", typ: tNum, get: num(func(x *kexi.Order) float64 { return x.Shipping })},
		{name: "discount", col: "discount", typ: tNum, get: num(func(x *kexi.Order) float64 { return x.Discount })},
		{name: "returned", col: "returned", typ: tNum, get: num(func(x *kexi.Order) float64 { return x.Returned })},
		{name: "channel", col: "channel", typ: tText, get: text(func(x *kexi.Order) string { return x.Channel })},
		{name: "status", col: "status", typ: tText, get: text(func(x *kexi.Order) string { return x.Status })},
		{name: "province", col: "province", typ: tText, get: text(func(x *kexi.Order) string { return x.Province })},
		{name: "city", col: "city", typ: tText, get: text(func(x *kexi.Order) string { return x.City })},
	},
	alias: map[string]string{"customer": "customer_id", "sku": "items", "quantity": "items",
		"unit_price": "items", "unit_cost": "items", "product_id": "items", "category": "items", "name": "items"},
	query: []string{"external_id", "channel", "city"},
	sel: "t.id, coalesce(t.external_id, ''), coalesce(t.customer_id, 0), coalesce(c.external_id, ''), t.ordered_at, " +
		"t.amount, t.cost, t.shipping, t.discount, t.returned, t.channel, t.status, t.province, t.city, t.created_at, t.updated_at",
	from: "orders t LEFT JOIN customers c ON c.id = t.customer_id",
	scan: func(sc scanner, _ *scanning, x *kexi.Order) error {
		var at, created, updated int64
		if err := sc.Scan(&x.ID, &x.ExternalID, &x.CustomerID, &x.Customer, &at, &x.Amount, &x.Cost, &x.Shipping,
			&x.Discount, &x.Returned, &x.Channel, &x.Status, &x.Province, &x.City, &created, &updated); err != nil {
			return err
		}
		x.OrderedAt, x.CreatedAt, x.UpdatedAt = time.UnixMilli(at).UTC(), time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return nil
	},
	children: fillItems,
	id:       func(x *kexi.Order) *int64 { return &x.ID },
	ext:      func(x *kexi.Order) string { return x.ExternalID },
	stamps:   func(x *kexi.Order) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// resolveOrder fills CustomerID and product ids from external ids for a single create/update.
func resolveOrder(ctx context.Context, tx *sql.Tx, o *kexi.Order) error {
	if o.CustomerID == 0 && o.Customer != "" {
		err := tx.QueryRowContext(ctx, "SELECT id FROM customers WHERE external_id = ?", o.Customer).Scan(&o.CustomerID)
		if errors.Is(err, sql.ErrNoRows) {
			return &kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("order: no customer has external id %q", o.Customer),
				Problems: []kexi.FieldProblem{{Column: "customer", Value: o.Customer, Reason: "no customer has this external id"}}}
		}
		if err != nil {
			return err
		}
	}
	for i := range o.Items {
		it := &o.Items[i]
		if it.ProductID == 0 && it.SKU != "" {
			err := tx.QueryRowContext(ctx, "SELECT id FROM products WHERE external_id = ?", it.SKU).Scan(&it.ProductID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
	}
	return nil
}

// FindOrderByID returns one order with its items, or ENOTFOUND. It does not apply a scope.
func (db *DB) FindOrderByID(ctx context.Context, id int64) (*kexi.Order, error) {
	tx, err := db.readTx(ctx) // the order and its lines at once
	if err != nil {
		return nil, fmt.Errorf("find order %d: %w", id, err)
	}
	defer tx.Rollback()
	return orders.byID(ctx, tx, db.c, id)
}

// FindOrders returns the orders matching f (within f.Scope: orders of customers in scope)
// with their items, and the total count. The filter field "customer" matches the customer's
// external id.
func (db *DB) FindOrders(ctx context.Context, f kexi.Filter) ([]*kexi.Order, int, error) {
	return orders.find(ctx, db, f)
}

func (db *DB) saveOrder(ctx context.Context, o *kexi.Order, isNew bool) error {
	if err := validateOrder(o, 0); err != nil {
		return err
	}
	return db.change(ctx, func(tx *sql.Tx, ch *changes) error {
		if err := resolveOrder(ctx, tx, o); err != nil {
			return err
		}
		if err := save(ctx, tx, db, ch, orders, o, isNew); err != nil {
			return err
		}
		return writeItems(ctx, db, tx, o.ID, o.Items)
	})
}

// CreateOrder stores a new order with its items. Order.Customer (an external id) is resolved
// when CustomerID is 0; EINVALID when no such customer exists. ECONFLICT on a taken external id.
func (db *DB) CreateOrder(ctx context.Context, o *kexi.Order) error {
	return db.saveOrder(ctx, o, true)
}

// UpdateOrder rewrites the order with o.ID and replaces its items. ENOTFOUND when absent.
func (db *DB) UpdateOrder(ctx context.Context, o *kexi.Order) error {
	return db.saveOrder(ctx, o, false)
}

// DeleteOrder deletes an order and its items. ENOTFOUND when absent.
func (db *DB) DeleteOrder(ctx context.Context, id int64) error {
	return remove(ctx, db, orders, id)
}
