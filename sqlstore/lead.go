package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/kexi/kexi"
)

var leads = &entity[kexi.Lead]{
	table: "leads", kind: kexi.KindLeads, custom: true, scope: scopeLead, created: true,
	fields: []field[kexi.Lead]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.Lead) any { return nullStr(x.ExternalID) }},
		{name: "name", col: "name", typ: tText, get: text(func(x *kexi.Lead) string { return x.Name })},
		{name: "company", col: "company", typ: tText, get: text(func(x *kexi.Lead) string { return x.Company })},
		{name: "source", col: "source", typ: tText, get: text(func(x *kexi.Lead) string { return x.Source })},
		{name: "campaign", col: "campaign", typ: tText, get: text(func(x *kexi.Lead) string { return x.Campaign })},
		{name: "owner", col: "owner", typ: tText, get: text(func(x *kexi.Lead) string { return x.Owner })},
		{name: "stage", col: "stage", typ: tText, get: text(func(x *kexi.Lead) string { return x.Stage })},
		{name: "lost_reason", col: "lost_reason", typ: tText, get: text(func(x *kexi.Lead) string { return x.LostReason })},
		{name: "value", col: "value", typ: tNum, get: num(func(x *kexi.Lead) float64 { return x.Value })},
		{name: "customer_id", col: "customer_id", typ: tInt, get: refID(func(x *kexi.Lead) int64 { return x.CustomerID })},
		{name: "customer", col: "customer_id", typ: tRef, ref: "customers"},
		{name: "province", col: "province", typ: tText, get: text(func(x *kexi.Lead) string { return x.Province })},
		{name: "custom", col: "custom", typ: tJSON, get: func(_ *crypt, x *kexi.Lead) any { return customJSON(x.Custom) }},
	},
	alias: map[string]string{"customer": "customer_id", "stages": "stage"},
	query: []string{"name", "company", "external_id"},
	sel: "t.id, coalesce(t.external_id, ''), t.name, t.company, t.source, t.campaign, t.owner, t.stage, t.lost_reason, " +
		"t.value, coalesce(t.customer_id, 0), coalesce(c.external_id, ''), t.province, t.custom, t.created_at, t.updated_at",
	from: "leads t LEFT JOIN customers c ON c.id = t.customer_id",
	scan: func(sc scanner, s *scanning, x *kexi.Lead) error {
		var custom sql.NullString
		var created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.Name, &x.Company, s.text(0, &x.Source), s.text(1, &x.Campaign),
			s.text(2, &x.Owner), s.text(3, &x.Stage), s.text(4, &x.LostReason), &x.Value, &x.CustomerID, &x.Customer,
			s.text(5, &x.Province), &custom, &created, &updated)
		if err != nil {
			return err
		}
		x.CreatedAt, x.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		x.Custom, err = s.custom.parse(custom)
		return err
	},
	id:     func(x *kexi.Lead) *int64 { return &x.ID },
	ext:    func(x *kexi.Lead) string { return x.ExternalID },
	stamps: func(x *kexi.Lead) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// normalizeStages sorts a lead's stage history by time (stable, so entries with the same time
// keep their order), keeps the first entry of each stage, adds the current stage when the
// history lacks it (entered at `at`), and sets Stage to the latest entry.
func normalizeStages(l *kexi.Lead, at time.Time) {
	if l.Stage != "" {
		found := false
		for _, s := range l.Stages {
			if s.Stage == l.Stage {
				found = true
				break
			}
		}
		if !found {
			l.Stages = append(l.Stages, kexi.StageEntry{Stage: l.Stage, EnteredAt: at})
		}
	}
	for i := range l.Stages {
		l.Stages[i].EnteredAt = l.Stages[i].EnteredAt.UTC().Truncate(time.Millisecond)
	}
	sort.SliceStable(l.Stages, func(i, j int) bool { return l.Stages[i].EnteredAt.Before(l.Stages[j].EnteredAt) })
	seen := map[string]bool{}
	out := l.Stages[:0]
	for _, s := range l.Stages {
		if !seen[s.Stage] {
			seen[s.Stage] = true
			out = append(out, s)
		}
	}
	l.Stages = out
	if len(out) > 0 {
		l.Stage = out[len(out)-1].Stage
	}
	if l.Stage == "" {
		l.Stage = kexi.StageNew
		l.Stages = []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: at}}
	}
}

func writeStages(ctx context.Context, db *DB, tx *sql.Tx, l *kexi.Lead) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM lead_stages WHERE lead_id = ?", l.ID); err != nil {
		return err
	}
	for _, s := range l.Stages {
		if _, err := tx.ExecContext(ctx, "INSERT INTO lead_stages (lead_id, stage, entered_at) VALUES (?, ?, ?)",
			l.ID, s.Stage, s.EnteredAt.UnixMilli()); err != nil {
			return db.dbError(err, "write lead stages")
		}
	}
	return nil
}

// stageRows is what loadStages reads from.
type stageRows interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// attachStages gives each of leads (in id order) its stage history in time order, as
// loadStages reads it: in one pass, every history a part of one slice, the stage names shared.
func attachStages(ctx context.Context, q querier, leads []kexi.Lead) error {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM lead_stages").Scan(&n); err != nil {
		return fmt.Errorf("load lead stages: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT lead_id, stage, entered_at FROM lead_stages ORDER BY lead_id, entered_at, stage")
	if err != nil {
		return fmt.Errorf("load lead stages: %w", err)
	}
	defer rows.Close()
	all := make([]kexi.StageEntry, 0, n) // a write in between only makes append grow it
	start := make([]int32, len(leads)+1) // leads[k]'s history is all[start[k]:start[k+1]]
	in := texts{}
	k := 0
	var id, at int64
	var stage sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &stage, &at); err != nil {
			return fmt.Errorf("load lead stages: %w", err)
		}
		for k < len(leads) && leads[k].ID < id {
			k++
			start[k] = int32(len(all))
		}
		if k == len(leads) || leads[k].ID != id {
			continue // a lead out of scope
		}
		all = append(all, kexi.StageEntry{Stage: in.get(stage), EnteredAt: time.UnixMilli(at).UTC()})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load lead stages: %w", err)
	}
	for k < len(leads) {
		k++
		start[k] = int32(len(all))
	}
	for k := range leads {
		if a, b := start[k], start[k+1]; b > a {
			leads[k].Stages = all[a:b:b]
		}
	}
	return nil
}

// loadStages reads every lead's stage history (in time order), keyed by lead id.
func loadStages(ctx context.Context, q stageRows) (map[int64][]kexi.StageEntry, error) {
	rows, err := q.QueryContext(ctx, "SELECT lead_id, stage, entered_at FROM lead_stages ORDER BY lead_id, entered_at, stage")
	if err != nil {
		return nil, fmt.Errorf("load lead stages: %w", err)
	}
	defer rows.Close()
	m := map[int64][]kexi.StageEntry{}
	for rows.Next() {
		var id, at int64
		var s kexi.StageEntry
		if err := rows.Scan(&id, &s.Stage, &at); err != nil {
			return nil, fmt.Errorf("load lead stages: %w", err)
		}
		s.EnteredAt = time.UnixMilli(at).UTC()
		m[id] = append(m[id], s)
	}
	return m, rows.Err()
}

func fillStages(ctx context.Context, db *DB, list []*kexi.Lead) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]any, len(list))
	for i, l := range list {
		ids[i] = l.ID
	}
	rows, err := db.r.QueryContext(ctx, "SELECT lead_id, stage, entered_at FROM lead_stages WHERE lead_id IN ("+
		placeholders(len(ids))+") ORDER BY lead_id, entered_at, stage", ids...)
	if err != nil {
		return fmt.Errorf("load lead stages: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*kexi.Lead, len(list))
	for _, l := range list {
		byID[l.ID] = l
	}
	for rows.Next() {
		var id, at int64
		var s kexi.StageEntry
		if err := rows.Scan(&id, &s.Stage, &at); err != nil {
			return fmt.Errorf("load lead stages: %w", err)
		}
		s.EnteredAt = time.UnixMilli(at).UTC()
		byID[id].Stages = append(byID[id].Stages, s)
	}
	return rows.Err()
}

// FindLeadByID returns one lead with its stage history, or ENOTFOUND. No scope is applied.
func (db *DB) FindLeadByID(ctx context.Context, id int64) (*kexi.Lead, error) {
	l, err := leads.byID(ctx, db.r, db.c, id)
	if err != nil {
		return nil, err
	}
	return l, fillStages(ctx, db, []*kexi.Lead{l})
}

// FindLeads returns the leads matching f with their stage histories, and the total count.
// Scope.Owner restricts leads to that owner; Scope.Region hides leads converted to a customer
// outside the region.
func (db *DB) FindLeads(ctx context.Context, f kexi.Filter) ([]*kexi.Lead, int, error) {
	list, n, err := leads.find(ctx, db, f)
	if err != nil {
		return nil, 0, err
	}
	for start := 0; start < len(list); start += 500 {
		if err := fillStages(ctx, db, list[start:min(start+500, len(list))]); err != nil {
			return nil, 0, err
		}
	}
	return list, n, nil
}

func (db *DB) saveLead(ctx context.Context, l *kexi.Lead, isNew bool) error {
	if err := validateLead(l, 0); err != nil {
		return err
	}
	at := l.CreatedAt
	if at.IsZero() || !isNew {
		at = db.stamp()
	}
	normalizeStages(l, at)
	if isNew && l.CreatedAt.IsZero() {
		l.CreatedAt = l.Stages[0].EnteredAt
	}
	return db.change(ctx, func(tx *sql.Tx, ch *changes) error {
		if err := resolveRef(ctx, tx, "customers", "customer", l.Customer, &l.CustomerID); err != nil {
			return err
		}
		if err := save(ctx, tx, db, ch, leads, l, isNew); err != nil {
			return err
		}
		return writeStages(ctx, db, tx, l)
	})
}

// CreateLead stores a new lead with its stage history. Stage becomes the latest entry of the
// history (a lead with neither starts as "new"); CreatedAt defaults to the first entry.
func (db *DB) CreateLead(ctx context.Context, l *kexi.Lead) error {
	return db.saveLead(ctx, l, true)
}

// UpdateLead rewrites the lead with l.ID and replaces its stage history. ENOTFOUND when absent.
func (db *DB) UpdateLead(ctx context.Context, l *kexi.Lead) error {
	return db.saveLead(ctx, l, false)
}

// DeleteLead deletes a lead and its stage history. ENOTFOUND when absent.
func (db *DB) DeleteLead(ctx context.Context, id int64) error {
	return remove(ctx, db, leads, id)
}
