package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kexi/kexi"
)

var competitors = &entity[kexi.Competitor]{
	table: "competitors", kind: kexi.KindCompetitors,
	fields: []field[kexi.Competitor]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.Competitor) any { return nullStr(x.ExternalID) }},
		{name: "name", col: "name", typ: tText, get: text(func(x *kexi.Competitor) string { return x.Name })},
		{name: "self", col: "self", typ: tBool, get: func(_ *crypt, x *kexi.Competitor) any { return boolInt(x.Self) }},
		{name: "products", col: "products", typ: tText, get: text(func(x *kexi.Competitor) string { return x.Products })},
		{name: "positioning", col: "positioning", typ: tText, get: text(func(x *kexi.Competitor) string { return x.Positioning })},
		{name: "notes", col: "notes", typ: tText, get: text(func(x *kexi.Competitor) string { return x.Notes })},
	},
	query: []string{"name", "products", "notes"},
	sel:   "t.id, coalesce(t.external_id, ''), t.name, t.self, t.products, t.positioning, t.notes, t.created_at, t.updated_at",
	from:  "competitors t",
	scan: func(sc scanner, _ *scanning, x *kexi.Competitor) error {
		var created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.Name, &x.Self, &x.Products, &x.Positioning, &x.Notes, &created, &updated)
		x.CreatedAt, x.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.Competitor) *int64 { return &x.ID },
	ext:    func(x *kexi.Competitor) string { return x.ExternalID },
	stamps: func(x *kexi.Competitor) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

var swotItems = &entity[kexi.SWOTItem]{
	table: "swot", kind: kexi.KindSWOT,
	fields: []field[kexi.SWOTItem]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.SWOTItem) any { return nullStr(x.ExternalID) }},
		{name: "kind", col: "kind", typ: tText, get: text(func(x *kexi.SWOTItem) string { return x.Kind })},
		{name: "text", col: "text", typ: tText, get: text(func(x *kexi.SWOTItem) string { return x.Text })},
		{name: "impact", col: "impact", typ: tInt, get: func(_ *crypt, x *kexi.SWOTItem) any { return int64(x.Impact) }},
		{name: "scope", col: "scope", typ: tText, get: text(func(x *kexi.SWOTItem) string { return x.Scope })},
		{name: "metric", col: "metric", typ: tText, get: text(func(x *kexi.SWOTItem) string { return x.Metric })},
	},
	query: []string{"text"},
	sel:   "t.id, coalesce(t.external_id, ''), t.kind, t.text, t.impact, t.scope, t.metric, t.created_at, t.updated_at",
	from:  "swot t",
	scan: func(sc scanner, _ *scanning, x *kexi.SWOTItem) error {
		var created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.Kind, &x.Text, &x.Impact, &x.Scope, &x.Metric, &created, &updated)
		x.CreatedAt, x.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.SWOTItem) *int64 { return &x.ID },
	ext:    func(x *kexi.SWOTItem) string { return x.ExternalID },
	stamps: func(x *kexi.SWOTItem) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// loadShares fills the market shares of competitors, by period then region.
func loadShares(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, list []*kexi.Competitor) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*kexi.Competitor, len(list))
	for _, c := range list {
		byID[c.ID] = c
	}
	rows, err := q.QueryContext(ctx, "SELECT competitor_id, period, region, share FROM market_shares ORDER BY competitor_id, period, region")
	if err != nil {
		return fmt.Errorf("load market shares: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s kexi.MarketShare
		if err := rows.Scan(&id, &s.Period, &s.Region, &s.Share); err != nil {
			return fmt.Errorf("load market shares: %w", err)
		}
		if c := byID[id]; c != nil {
			c.Shares = append(c.Shares, s)
		}
	}
	return rows.Err()
}

func writeShares(ctx context.Context, db *DB, tx *sql.Tx, c *kexi.Competitor) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM market_shares WHERE competitor_id = ?", c.ID); err != nil {
		return err
	}
	for _, s := range c.Shares {
		if _, err := tx.ExecContext(ctx, "INSERT INTO market_shares (competitor_id, period, region, share) VALUES (?, ?, ?, ?)",
			c.ID, s.Period, s.Region, s.Share); err != nil {
			return db.dbError(err, "write market shares")
		}
	}
	return nil
}

// FindCompetitorByID returns one competitor with its market shares, or ENOTFOUND.
func (db *DB) FindCompetitorByID(ctx context.Context, id int64) (*kexi.Competitor, error) {
	c, err := competitors.byID(ctx, db.r, db.c, id)
	if err != nil {
		return nil, err
	}
	return c, loadShares(ctx, db.r, []*kexi.Competitor{c})
}

// FindCompetitors returns the competitors matching f with their market shares, and the total.
func (db *DB) FindCompetitors(ctx context.Context, f kexi.Filter) ([]*kexi.Competitor, int, error) {
	list, n, err := competitors.find(ctx, db, f)
	if err != nil {
		return nil, 0, err
	}
	return list, n, loadShares(ctx, db.r, list)
}

// CreateCompetitor stores a new competitor with its market shares.
func (db *DB) CreateCompetitor(ctx context.Context, c *kexi.Competitor) error {
	return create(ctx, db, competitors, c, func(c *kexi.Competitor) error { return validateCompetitor(c, 0) },
		func(tx *sql.Tx) error { return writeShares(ctx, db, tx, c) })
}

// UpdateCompetitor rewrites the competitor with c.ID and replaces its market shares.
// ENOTFOUND when absent.
func (db *DB) UpdateCompetitor(ctx context.Context, c *kexi.Competitor) error {
	return update(ctx, db, competitors, c, func(c *kexi.Competitor) error { return validateCompetitor(c, 0) },
		func(tx *sql.Tx) error { return writeShares(ctx, db, tx, c) })
}

// DeleteCompetitor deletes a competitor and its market shares. ENOTFOUND when absent.
func (db *DB) DeleteCompetitor(ctx context.Context, id int64) error {
	return remove(ctx, db, competitors, id)
}

// FindSWOTItemByID returns one SWOT item, or ENOTFOUND.
func (db *DB) FindSWOTItemByID(ctx context.Context, id int64) (*kexi.SWOTItem, error) {
	return swotItems.byID(ctx, db.r, db.c, id)
}

// FindSWOTItems returns the SWOT items matching f and their total count.
func (db *DB) FindSWOTItems(ctx context.Context, f kexi.Filter) ([]*kexi.SWOTItem, int, error) {
	return swotItems.find(ctx, db, f)
}

// CreateSWOTItem stores a new SWOT item. EINVALID unless Kind is S, W, O or T.
func (db *DB) CreateSWOTItem(ctx context.Context, s *kexi.SWOTItem) error {
	return create(ctx, db, swotItems, s, func(s *kexi.SWOTItem) error { return validateSWOT(s, 0) }, nil)
}

// UpdateSWOTItem rewrites the SWOT item with s.ID. ENOTFOUND when absent.
func (db *DB) UpdateSWOTItem(ctx context.Context, s *kexi.SWOTItem) error {
	return update(ctx, db, swotItems, s, func(s *kexi.SWOTItem) error { return validateSWOT(s, 0) }, nil)
}

// DeleteSWOTItem deletes a SWOT item. ENOTFOUND when absent.
func (db *DB) DeleteSWOTItem(ctx context.Context, id int64) error {
	return remove(ctx, db, swotItems, id)
}
