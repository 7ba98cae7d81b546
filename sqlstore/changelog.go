package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/kexi/kexi"
)

// The change log (migration 0008) records, for each write that moves the data version, what it
// touched: the customers whose records changed, and the parts that changed as a whole. A
// server reads it (Changes) to refresh its analysis table for those customers (LoadChanged)
// instead of loading everything again.

// keepVersions is how many versions the change log keeps: a server further behind reloads.
const keepVersions = 4096

// maxChanged is the most customers Changes names; past it, a reload in the background is
// cheaper than reading them one by one: it says Everything.
const maxChanged = 10000

// partEverything and partNone are the change log's part for a write that changed everything
// (an import) and for one that changed nothing a Dataset holds (settings).
const (
	partEverything = "*"
	partNone       = "settings"
)

// changes is what one write transaction touched.
type changes struct {
	all   bool
	whole map[string]bool   // parts changed as a whole
	cust  map[custPart]bool // records of a customer changed
	order []custPart        // cust in the order recorded, for a stable log
	parts []string          // whole in the order recorded
}

type custPart struct {
	part string
	id   int64 // 0: records without a customer
}

// customer records that the records of customer id (0: without a customer) in part changed.
func (c *changes) customer(part string, id int64) {
	k := custPart{part, id}
	if c.cust == nil {
		c.cust = map[custPart]bool{}
	}
	if !c.cust[k] {
		c.cust[k] = true
		c.order = append(c.order, k)
	}
}

// part records that part changed as a whole.
func (c *changes) part(part string) {
	if c.whole == nil {
		c.whole = map[string]bool{}
	}
	if !c.whole[part] {
		c.whole[part] = true
		c.parts = append(c.parts, part)
	}
}

// change runs fn in one write transaction that moves the data version and logs what fn
// recorded in ch.
func (db *DB) change(ctx context.Context, fn func(tx *sql.Tx, ch *changes) error) error {
	return db.writeConn(ctx, true, func(_ *sql.Conn, tx *sql.Tx) error {
		ch := &changes{}
		if err := fn(tx, ch); err != nil {
			return err
		}
		return db.logChanges(ctx, tx, ch)
	})
}

// logChanges moves the data version on by one and logs ch under the new version (a row for
// "nothing" when ch is empty, so that every version has rows), dropping versions older than
// keepVersions.
func (db *DB) logChanges(ctx context.Context, tx *sql.Tx, ch *changes) error {
	var v int64
	if err := tx.QueryRowContext(ctx, db.d.BumpVersion).Scan(&v); err != nil {
		return fmt.Errorf("data version: %w", err)
	}
	add := func(part string, id any) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO change_log (version, part, customer_id) VALUES (?, ?, ?)", v, part, id)
		return err
	}
	var err error
	switch {
	case ch.all:
		err = add(partEverything, nil)
	case len(ch.order) == 0 && len(ch.parts) == 0:
		err = add(partNone, nil)
	default:
		for _, k := range ch.order {
			if err = add(k.part, k.id); err != nil {
				break
			}
		}
		for _, p := range ch.parts {
			if err == nil {
				err = add(p, nil)
			}
		}
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, "DELETE FROM change_log WHERE version <= ?", v-keepVersions)
	}
	if err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	return nil
}

// partOf is the change log's part for an entity kind: SWOT items belong to the competitors
// part.
func partOf(kind string) string {
	if kind == kexi.KindSWOT {
		return kexi.KindCompetitors
	}
	return kind
}

// touch records in ch what a write of record id of e touches, before the write for the record
// as it was (update, delete; del true for a delete) and after it for the record as it is
// (create, update). A customer's records are its own; a customer's leads move with its
// province and lose it on delete; a campaign's responses name it and go with it; the order
// lines of a deleted product lose its id.
func touch[T any](ctx context.Context, tx *sql.Tx, ch *changes, e *entity[T], id int64, del bool) error {
	switch e.scope {
	case scopeSelf:
		ch.customer(e.kind, id)
		var leads bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM leads WHERE customer_id = ?)", id).Scan(&leads); err != nil {
			return fmt.Errorf("change log: %w", err)
		}
		if leads {
			ch.part(kexi.KindLeads)
		}
		return nil
	case scopeCustomer:
		var cid sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT customer_id FROM "+e.table+" WHERE id = ?", id).Scan(&cid)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the write reports it
		}
		if err != nil {
			return fmt.Errorf("change log: %w", err)
		}
		ch.customer(e.kind, cid.Int64)
		return nil
	}
	ch.part(partOf(e.kind))
	switch {
	case e.kind == kexi.KindCampaigns:
		ch.part(kexi.KindResponses)
	case e.kind == kexi.KindProducts && del:
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT coalesce(o.customer_id, 0) FROM order_items i
			JOIN orders o ON o.id = i.order_id WHERE i.product_id = ?`, id)
		if err != nil {
			return fmt.Errorf("change log: %w", err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var cid int64
			if err := rows.Scan(&cid); err != nil {
				return fmt.Errorf("change log: %w", err)
			}
			if n++; n > maxChanged {
				ch.all = true
				return nil
			}
			ch.customer(kexi.KindOrders, cid)
		}
		return rows.Err()
	}
	return nil
}

// Changes returns what changed after version since, up to the current version: the customers
// whose records changed and the parts that changed whole; Everything after an import, when
// the change log does not reach back to since (it keeps the last 4,096 versions, and none
// from before the database had it), when since is ahead of the data (a restored backup), or
// when more than 10,000 customers changed.
func (db *DB) Changes(ctx context.Context, since int64) (kexi.Changes, error) {
	ch := kexi.Changes{Since: since}
	tx, err := db.readTx(ctx)
	if err != nil {
		return ch, fmt.Errorf("changes: %w", err)
	}
	defer tx.Rollback()
	if ch.Version, err = db.dataVersion(ctx, tx); err != nil {
		return ch, fmt.Errorf("changes: %w", err)
	}
	if since == ch.Version {
		return ch, nil
	}
	var reaches bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM change_log WHERE version = ?)", since+1).Scan(&reaches); err != nil {
		return ch, fmt.Errorf("changes: %w", err)
	}
	if since > ch.Version || !reaches {
		ch.Everything = true
		return ch, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT part, customer_id FROM change_log WHERE version > ? AND version <= ?", since, ch.Version)
	if err != nil {
		return ch, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var part string
		var cid sql.NullInt64
		if err := rows.Scan(&part, &cid); err != nil {
			return ch, fmt.Errorf("changes: %w", err)
		}
		switch {
		case part == partNone:
		case part == partEverything || !knownPart(part):
			ch.Everything = true
		case cid.Valid:
			ch.Customers = append(ch.Customers, cid.Int64)
			ch.CustomerParts |= customerParts(part)
		default:
			ch.Parts |= kexi.PartsOf(part)
		}
	}
	if err := rows.Err(); err != nil {
		return ch, fmt.Errorf("changes: %w", err)
	}
	slices.Sort(ch.Customers)
	ch.Customers = slices.Compact(ch.Customers)
	if ch.Everything || len(ch.Customers) > maxChanged {
		ch.Everything, ch.Customers, ch.CustomerParts, ch.Parts = true, nil, 0, 0
	}
	return ch, nil
}

// customerParts are the parts of a customer's records that a change to its part changes: a
// customer's own record reaches every record of it (its scope, its external id); an order
// its lines.
func customerParts(part string) kexi.Parts {
	switch part {
	case kexi.KindCustomers:
		return kexi.PartCustomers | kexi.PartOrders | kexi.PartLines | kexi.PartInteractions | kexi.PartEvents |
			kexi.PartSurveys | kexi.PartResponses
	case kexi.KindOrders:
		return kexi.PartOrders | kexi.PartLines
	}
	return kexi.PartsOf(part)
}

func knownPart(part string) bool {
	return slices.Contains(kexi.Kinds, part)
}

// LoadChanged loads, within scope, the parts p of the customers ch names, with their keys when
// p has no customers and the scope's LastOrder when it has no orders; the parts in ch.Parts
// whole; and the custom field definitions: at version ch.Version, in one read transaction.
// Records come unlinked (Dataset.Splice names their customer and campaign). ECONFLICT when the
// data moved past ch.Version.
func (db *DB) LoadChanged(ctx context.Context, scope kexi.Scope, p kexi.Parts, ch kexi.Changes) (*kexi.Dataset, error) {
	if ch.Everything {
		return nil, kexi.Errorf(kexi.EINVALID, "load changed: the changes are everything; load the dataset")
	}
	tx, err := db.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("load changed: %w", err)
	}
	defer tx.Rollback()
	v, err := db.dataVersion(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("load changed: %w", err)
	}
	if v != ch.Version {
		return nil, kexi.Errorf(kexi.ECONFLICT, "load changed: the data moved from version %d to %d", ch.Version, v)
	}
	d := &kexi.Dataset{}
	whole := ch.Parts & p
	if err := db.loadChanged(ctx, tx, d, scope, p, ch.CustomerParts&^whole, ch.Customers); err != nil {
		return nil, fmt.Errorf("load changed: %w", err)
	}
	if whole != 0 {
		// Into d itself: the customers' records above are of the other parts (CustomerParts
		// without whole), so the two loads fill different fields.
		loads, join := db.partLoads(d, scope, whole)
		for _, load := range loads {
			if err := load(ctx, tx); err != nil {
				return nil, fmt.Errorf("load changed: %w", err)
			}
		}
		if err := join(); err != nil {
			return nil, fmt.Errorf("load changed: %w", err)
		}
	}
	if d.CustomFields, err = loadFields(ctx, tx); err != nil {
		return nil, fmt.Errorf("load changed: %w", err)
	}
	return d, nil
}

// loadChanged reads into d the parts changed (of the Dataset's parts p) of the customers ids
// (0: the records without a customer); their keys when their own records changed and p has no
// customers, and LastOrder when their orders changed and p has no orders.
func (db *DB) loadChanged(ctx context.Context, q querier, d *kexi.Dataset, scope kexi.Scope, p, changed kexi.Parts, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	self, of := idsIn("t.id", ids), idsIn("t.customer_id", ids)
	keys, last := changed.Has(kexi.PartCustomers) && !p.Has(kexi.PartCustomers), changed.Has(kexi.PartOrders) && !p.Has(kexi.PartOrders)
	details := p.Has(kexi.PartOrderDetails) // a changed order is read whole, as the Dataset has it
	p &= changed
	var err error
	if p.Has(kexi.PartCustomers) {
		if d.Customers, err = loadAll(ctx, q, db.c, customers, scope, self); err != nil {
			return err
		}
	} else if keys {
		if d.Keys, err = loadKeys(ctx, q, scope, self); err != nil {
			return err
		}
	}
	if last {
		if d.LastOrder, err = lastOrder(ctx, q, scope); err != nil {
			return err
		}
	}
	if p.Has(kexi.PartOrders) {
		if d.Orders, err = loadOrders(ctx, q, scope, details, of); err != nil {
			return err
		}
		if p.Has(kexi.PartLines) {
			lines := make([]orderLines, 1)
			if err := lines[0].load(ctx, q, scope, idRange{}, of); err != nil {
				return err
			}
			if err := attachLines(&d.Orders, lines); err != nil {
				return err
			}
		}
	}
	if p.Has(kexi.PartInteractions) {
		if d.Interactions, err = loadAll(ctx, q, db.c, interactions, scope, of); err != nil {
			return err
		}
	}
	if p.Has(kexi.PartEvents) {
		if d.Events, err = loadAll(ctx, q, db.c, events, scope, of); err != nil {
			return err
		}
	}
	if p.Has(kexi.PartSurveys) {
		if d.Surveys, err = loadAll(ctx, q, db.c, surveys, scope, of); err != nil {
			return err
		}
	}
	if p.Has(kexi.PartResponses) {
		if d.Responses, err = loadAll(ctx, q, db.c, responses, scope, of); err != nil {
			return err
		}
	}
	return nil
}

// idsIn is the condition col IN ids, where id 0 stands for NULL.
func idsIn(col string, ids []int64) cond {
	c := cond{sql: col + " IN (" + placeholders(len(ids)) + ")"}
	for _, id := range ids {
		c.args = append(c.args, id)
	}
	if slices.Contains(ids, 0) {
		c.sql = "(" + c.sql + " OR " + col + " IS NULL)"
	}
	return c
}
