package sqlstore

import (
	"context"
	"time"

	"github.com/kexi/kexi"
)

var interactions = &entity[kexi.Interaction]{
	table: "interactions", kind: kexi.KindInteractions, scope: scopeCustomer,
	fields: []field[kexi.Interaction]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.Interaction) any { return nullStr(x.ExternalID) }},
		{name: "customer_id", col: "customer_id", typ: tInt, get: refID(func(x *kexi.Interaction) int64 { return x.CustomerID })},
		{name: "customer", col: "customer_id", typ: tRef, ref: "customers"},
		{name: "at", col: "at", typ: tTime, get: when(func(x *kexi.Interaction) time.Time { return x.At })},
		{name: "kind", col: "kind", typ: tText, get: text(func(x *kexi.Interaction) string { return x.Kind })},
		{name: "channel", col: "channel", typ: tText, get: text(func(x *kexi.Interaction) string { return x.Channel })},
		{name: "minutes", col: "minutes", typ: tNum, get: num(func(x *kexi.Interaction) float64 { return x.Minutes })},
		{name: "rep", col: "rep", typ: tText, get: text(func(x *kexi.Interaction) string { return x.Rep })},
		{name: "subject", col: "subject", typ: tText, get: text(func(x *kexi.Interaction) string { return x.Subject })},
		{name: "notes", col: "notes", typ: tText, get: text(func(x *kexi.Interaction) string { return x.Notes })},
	},
	alias: map[string]string{"customer": "customer_id"},
	query: []string{"subject", "notes", "rep"},
	sel: "t.id, coalesce(t.external_id, ''), coalesce(t.customer_id, 0), coalesce(c.external_id, ''), t.at, t.kind, " +
		"t.channel, t.minutes, t.rep, t.subject, t.notes, t.created_at, t.updated_at",
	from:     "interactions t LEFT JOIN customers c ON c.id = t.customer_id",
	linkInGo: true,
	scan: func(sc scanner, s *scanning, x *kexi.Interaction) error {
		var at, created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.CustomerID, &x.Customer, &at, s.text(0, &x.Kind), s.text(1, &x.Channel),
			&x.Minutes, s.text(2, &x.Rep), s.text(3, &x.Subject), s.text(4, &x.Notes), &created, &updated)
		x.At, x.CreatedAt, x.UpdatedAt = time.UnixMilli(at).UTC(), time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.Interaction) *int64 { return &x.ID },
	ext:    func(x *kexi.Interaction) string { return x.ExternalID },
	stamps: func(x *kexi.Interaction) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// FindInteractionByID returns one interaction, or ENOTFOUND. It does not apply a scope.
func (db *DB) FindInteractionByID(ctx context.Context, id int64) (*kexi.Interaction, error) {
	return interactions.byID(ctx, db.r, db.c, id)
}

// FindInteractions returns the interactions matching f (within f.Scope) and their total count.
func (db *DB) FindInteractions(ctx context.Context, f kexi.Filter) ([]*kexi.Interaction, int, error) {
	return interactions.find(ctx, db, f)
}

// CreateInteraction stores a new interaction; Customer (an external id) is resolved when
// CustomerID is 0.
func (db *DB) CreateInteraction(ctx context.Context, x *kexi.Interaction) error {
	return saveChild(ctx, db, interactions, x, &x.CustomerID, x.Customer, validateInteraction, true)
}

// UpdateInteraction rewrites the interaction with x.ID. ENOTFOUND when absent.
func (db *DB) UpdateInteraction(ctx context.Context, x *kexi.Interaction) error {
	return saveChild(ctx, db, interactions, x, &x.CustomerID, x.Customer, validateInteraction, false)
}

// DeleteInteraction deletes an interaction. ENOTFOUND when absent.
func (db *DB) DeleteInteraction(ctx context.Context, id int64) error {
	return remove(ctx, db, interactions, id)
}
