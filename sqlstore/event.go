package sqlstore

import (
	"context"
	"time"

	"github.com/kexi/kexi"
)

var events = &entity[kexi.WebEvent]{
	table: "events", kind: kexi.KindEvents, scope: scopeCustomer,
	fields: []field[kexi.WebEvent]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.WebEvent) any { return nullStr(x.ExternalID) }},
		{name: "customer_id", col: "customer_id", typ: tInt, get: refID(func(x *kexi.WebEvent) int64 { return x.CustomerID })},
		{name: "customer", col: "customer_id", typ: tRef, ref: "customers"},
		{name: "anonymous_id", col: "anonymous_id", typ: tText, get: text(func(x *kexi.WebEvent) string { return x.AnonymousID })},
		{name: "at", col: "at", typ: tTime, get: when(func(x *kexi.WebEvent) time.Time { return x.At })},
		{name: "type", col: "type", typ: tText, get: text(func(x *kexi.WebEvent) string { return x.Type })},
		{name: "page", col: "page", typ: tText, get: text(func(x *kexi.WebEvent) string { return x.Page })},
		{name: "dwell", col: "dwell", typ: tNum, get: num(func(x *kexi.WebEvent) float64 { return x.Dwell })},
		{name: "session_id", col: "session_id", typ: tText, get: text(func(x *kexi.WebEvent) string { return x.SessionID })},
	},
	alias: map[string]string{"customer": "customer_id"},
	query: []string{"page", "type"},
	sel: "t.id, coalesce(t.external_id, ''), coalesce(t.customer_id, 0), coalesce(c.external_id, ''), t.anonymous_id, t.at, " +
		"t.type, t.page, t.dwell, t.session_id, t.created_at, t.updated_at",
	from:     "events t LEFT JOIN customers c ON c.id = t.customer_id",
	linkInGo: true,
	scan: func(sc scanner, s *scanning, x *kexi.WebEvent) error {
		var at, created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.CustomerID, &x.Customer, s.text(0, &x.AnonymousID), &at,
			s.text(1, &x.Type), s.text(2, &x.Page), &x.Dwell, s.text(3, &x.SessionID), &created, &updated)
		x.At, x.CreatedAt, x.UpdatedAt = time.UnixMilli(at).UTC(), time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.WebEvent) *int64 { return &x.ID },
	ext:    func(x *kexi.WebEvent) string { return x.ExternalID },
	stamps: func(x *kexi.WebEvent) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// FindEventByID returns one web event, or ENOTFOUND. It does not apply a scope.
func (db *DB) FindEventByID(ctx context.Context, id int64) (*kexi.WebEvent, error) {
	return events.byID(ctx, db.r, db.c, id)
}

// FindEvents returns the web events matching f and their total count. Under a restricted
// scope anonymous events are not visible.
func (db *DB) FindEvents(ctx context.Context, f kexi.Filter) ([]*kexi.WebEvent, int, error) {
	return events.find(ctx, db, f)
}

// CreateEvent stores a new web event; Customer (an external id) is resolved when CustomerID is
// 0, and an event without a customer is anonymous.
func (db *DB) CreateEvent(ctx context.Context, e *kexi.WebEvent) error {
	return saveChild(ctx, db, events, e, &e.CustomerID, e.Customer, validateEvent, true)
}

// UpdateEvent rewrites the web event with e.ID. ENOTFOUND when absent.
func (db *DB) UpdateEvent(ctx context.Context, e *kexi.WebEvent) error {
	return saveChild(ctx, db, events, e, &e.CustomerID, e.Customer, validateEvent, false)
}

// DeleteEvent deletes a web event. ENOTFOUND when absent.
func (db *DB) DeleteEvent(ctx context.Context, id int64) error {
	return remove(ctx, db, events, id)
}
