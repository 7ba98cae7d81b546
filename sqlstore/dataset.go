package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
)

// querier is a read transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// LoadDataset loads the parts of the Dataset named, within scope, as one consistent snapshot.
// Customers outside the scope are left out with everything hanging off them (orders and their
// items, interactions, events, surveys, campaign responses); anonymous orders and events are
// left out of a restricted scope; leads follow FindLeads. Phone and e-mail come back decrypted.
//
// The parts load in parallel on the read pool; the data version is compared before and after,
// and a load that overlapped a write is repeated (finally in one transaction).
func (db *DB) LoadDataset(ctx context.Context, scope kexi.Scope, parts kexi.Parts) (*kexi.Dataset, error) {
	for attempt := 0; attempt < 3; attempt++ {
		v1, err := db.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		d, err := db.loadParallel(ctx, scope, parts)
		if errors.Is(err, errMoved) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load dataset: %w", err)
		}
		v2, err := db.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		if v1 == v2 {
			return d, nil
		}
	}
	tx, err := db.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("load dataset: %w", err)
	}
	defer tx.Rollback()
	d := &kexi.Dataset{}
	loads, join := db.parts(d, scope, parts)
	for _, part := range loads {
		if err := part(ctx, tx); err != nil {
			return nil, fmt.Errorf("load dataset: %w", err)
		}
	}
	if err := join(); err != nil {
		return nil, fmt.Errorf("load dataset: %w", err)
	}
	return d, nil
}

// parts lists the independent loads that make up the parts p of a Dataset, and the step that
// joins them.
func (db *DB) parts(d *kexi.Dataset, scope kexi.Scope, p kexi.Parts) ([]func(context.Context, querier) error, func() error) {
	loads, joinOrders := db.partLoads(d, scope, p)
	join := func() error {
		if err := joinOrders(); err != nil {
			return err
		}
		finishDataset(d)
		return nil
	}
	if !p.Has(kexi.PartCustomers) {
		loads = append(loads, func(ctx context.Context, q querier) (err error) {
			d.Keys, err = loadKeys(ctx, q, scope)
			return err
		})
	}
	if !p.Has(kexi.PartOrders) {
		loads = append(loads, func(ctx context.Context, q querier) (err error) {
			d.LastOrder, err = lastOrder(ctx, q, scope)
			return err
		})
	}
	loads = append(loads, func(ctx context.Context, q querier) (err error) {
		d.CustomFields, err = loadFields(ctx, q)
		return err
	})
	return loads, join
}

// partLoads lists the loads of the parts p alone (without the customer keys, LastOrder and the
// custom field definitions), and the step that joins the orders' shards and their lines.
func (db *DB) partLoads(d *kexi.Dataset, scope kexi.Scope, p kexi.Parts) ([]func(context.Context, querier) error, func() error) {
	var loads []func(context.Context, querier) error
	add := func(need kexi.Parts, f func(context.Context, querier) error) {
		if p&need != 0 {
			loads = append(loads, f)
		}
	}
	// Orders and lines are most of the data: they are read in shards of the id range, each on
	// its own read transaction, and joined in id order.
	shards := min(max(runtime.NumCPU(), 1), 4)
	orders := make([]kexi.OrderTable, shards)
	lines := make([]orderLines, shards)
	for k := range shards {
		add(kexi.PartOrders, func(ctx context.Context, q querier) error {
			r, err := shard(ctx, q, k, shards)
			if err != nil {
				return fmt.Errorf("orders: %w", err)
			}
			orders[k], err = loadOrders(ctx, q, scope, p.Has(kexi.PartOrderDetails), r.on("t.id")...)
			return err
		})
		add(kexi.PartLines, func(ctx context.Context, q querier) error {
			r, err := shard(ctx, q, k, shards)
			if err != nil {
				return fmt.Errorf("order lines: %w", err)
			}
			return lines[k].load(ctx, q, scope, r)
		})
	}
	joinOrders := func() error {
		if !p.Has(kexi.PartOrders) {
			return nil
		}
		d.Orders = orders[0]
		if shards > 1 {
			total := 0
			for k := range orders {
				total += orders[k].Len()
			}
			d.Orders = kexi.OrderTable{Loc: orders[0].Loc}
			d.Orders.Grow(total)
			for k := range orders {
				d.Orders.AppendTable(&orders[k])
				orders[k] = kexi.OrderTable{} // for the collector
			}
		}
		if !p.Has(kexi.PartLines) {
			return nil
		}
		return attachLines(&d.Orders, lines)
	}
	add(kexi.PartCustomers, func(ctx context.Context, q querier) (err error) {
		d.Customers, err = loadAll(ctx, q, db.c, customers, scope)
		return err
	})
	add(kexi.PartProducts, func(ctx context.Context, q querier) (err error) {
		d.Products, err = loadAll(ctx, q, db.c, products, scope)
		return err
	})
	add(kexi.PartCampaigns, func(ctx context.Context, q querier) (err error) {
		d.Campaigns, err = loadAll(ctx, q, db.c, campaigns, scope)
		return err
	})
	add(kexi.PartCompetitors, func(ctx context.Context, q querier) error {
		var err error
		if d.Competitors, err = loadAll(ctx, q, db.c, competitors, scope); err != nil {
			return err
		}
		ptrs := make([]*kexi.Competitor, len(d.Competitors))
		for i := range d.Competitors {
			ptrs[i] = &d.Competitors[i]
		}
		if err := loadShares(ctx, q, ptrs); err != nil {
			return err
		}
		d.SWOT, err = loadAll(ctx, q, db.c, swotItems, scope)
		return err
	})
	add(kexi.PartLeads, func(ctx context.Context, q querier) error {
		var err error
		if d.Leads, err = loadAll(ctx, q, db.c, leads, scope); err != nil {
			return err
		}
		return attachStages(ctx, q, d.Leads)
	})
	add(kexi.PartInteractions, func(ctx context.Context, q querier) (err error) {
		d.Interactions, err = loadAll(ctx, q, db.c, interactions, scope)
		return err
	})
	add(kexi.PartSurveys, func(ctx context.Context, q querier) (err error) {
		d.Surveys, err = loadAll(ctx, q, db.c, surveys, scope)
		return err
	})
	add(kexi.PartResponses, func(ctx context.Context, q querier) (err error) {
		d.Responses, err = loadAll(ctx, q, db.c, responses, scope)
		return err
	})
	add(kexi.PartEvents, func(ctx context.Context, q querier) (err error) {
		d.Events, err = loadAll(ctx, q, db.c, events, scope)
		return err
	})
	return loads, joinOrders
}

// loadKeys reads the ids and external ids of the customers in scope.
func loadKeys(ctx context.Context, q querier, scope kexi.Scope, and ...cond) (kexi.CustomerKeys, error) {
	var k kexi.CustomerKeys
	where, args := scopeWhere(customers.scope, scope, and...)
	rows, err := q.QueryContext(ctx, "SELECT t.id, coalesce(t.external_id, '') FROM customers t"+where+" ORDER BY t.id", args...)
	if err != nil {
		return k, fmt.Errorf("customer keys: %w", err)
	}
	defer rows.Close()
	var id int64
	var ext sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &ext); err != nil {
			return k, fmt.Errorf("customer keys: %w", err)
		}
		k.Append(id, string(ext))
	}
	return k, rows.Err()
}

// lastOrder is the time of the last order in scope at or before kexi.Latest (zero without
// one): what analyses default their as-of date to when the orders are not loaded.
func lastOrder(ctx context.Context, q querier, scope kexi.Scope) (time.Time, error) {
	where, args := scopeWhere(scopeCustomer, scope)
	if where == "" {
		where = " WHERE "
	} else {
		where += " AND "
	}
	var at sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT max(t.ordered_at) FROM orders t"+where+"t.ordered_at <= ?",
		append(args, kexi.Latest.UnixMilli())...).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	return time.UnixMilli(at.Int64).UTC(), nil
}

// loadParallel runs the parts at once, each on its own read transaction.
func (db *DB) loadParallel(ctx context.Context, scope kexi.Scope, p kexi.Parts) (*kexi.Dataset, error) {
	d := &kexi.Dataset{}
	parts, join := db.parts(d, scope, p)
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	for i, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := db.readTx(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			defer tx.Rollback()
			errs[i] = part(ctx, tx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := join(); err != nil {
		return nil, err
	}
	return d, nil
}

// finishDataset fills the external ids of the customers (and campaigns) that interactions,
// events, surveys and campaign responses name, and establishes the Dataset's order.
func finishDataset(d *kexi.Dataset) {
	ext := make(map[int64]string, len(d.Customers))
	for i := range d.Customers {
		ext[d.Customers[i].ID] = d.Customers[i].ExternalID
	}
	for i := range d.Interactions {
		d.Interactions[i].Customer = ext[d.Interactions[i].CustomerID]
	}
	for i := range d.Events {
		d.Events[i].Customer = ext[d.Events[i].CustomerID]
	}
	for i := range d.Surveys {
		d.Surveys[i].Customer = ext[d.Surveys[i].CustomerID]
	}
	camp := make(map[int64]string, len(d.Campaigns))
	for i := range d.Campaigns {
		camp[d.Campaigns[i].ID] = d.Campaigns[i].ExternalID
	}
	for i := range d.Responses {
		r := &d.Responses[i]
		r.Customer, r.Campaign = ext[r.CustomerID], camp[r.CampaignID]
	}
	d.Normalize()
}

// scopeWhere is the WHERE clause (with the keyword, "" for none) of the rows of an entity in
// scope that meet the conditions and.
func scopeWhere(rule scopeRule, scope kexi.Scope, and ...cond) (string, []any) {
	var cs []string
	var args []any
	if s, a := scopeSQL(rule, scope); s != "" {
		cs, args = append(cs, s), a
	}
	for _, c := range and {
		cs, args = append(cs, c.sql), append(args, c.args...)
	}
	if len(cs) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(cs, " AND "), args
}

// cond is an SQL condition over alias t with its arguments.
type cond struct {
	sql  string
	args []any
}

// errMoved says that two parts of one load saw different data: a write came in between, and
// the load is repeated.
var errMoved = errors.New("the data changed while it was being loaded")

// texts keeps one copy of each text it is given (channels, statuses, provinces, SKUs,
// categories), so that a Dataset holds each once.
type texts map[string]string

// get returns the copy of b, a text in bytes only borrowed (sql.RawBytes). A nil t keeps
// nothing: it returns a copy of b.
func (t texts) get(b []byte) string {
	if s, ok := t[string(b)]; ok { // no allocation: the compiler looks up string(b) in place
		return s
	}
	s := string(b)
	if t != nil {
		t[s] = s
	}
	return s
}

// str returns the copy of s kept, keeping s when there is none (a nil t: s).
func (t texts) str(s string) string {
	if k, ok := t[s]; ok {
		return k
	}
	if t != nil {
		t[s] = s
	}
	return s
}

// idRange is the orders with ids above lo up to hi; the zero idRange is every order.
type idRange struct{ lo, hi int64 }

// shard returns shard k of n of the orders' id range. The last shard is open above, so that
// whatever a write added meanwhile is seen (and caught by the version check).
func shard(ctx context.Context, q querier, k, n int) (idRange, error) {
	var top int64
	if err := q.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM orders").Scan(&top); err != nil {
		return idRange{}, err
	}
	r := idRange{top * int64(k) / int64(n), top * int64(k+1) / int64(n)}
	if k == n-1 {
		r.hi = math.MaxInt64
	}
	return r, nil
}

// on returns the range as a condition on the order id column col (none for the zero range).
func (r idRange) on(col string) []cond {
	if r == (idRange{}) {
		return nil
	}
	return []cond{{sql: col + " > ? AND " + col + " <= ?", args: []any{r.lo, r.hi}}}
}

// loadOrders reads the orders in scope that meet the conditions and, in id order, without their
// lines; with details, every column (else those of kexi.PartOrders, the others zero).
func loadOrders(ctx context.Context, q querier, scope kexi.Scope, details bool, and ...cond) (kexi.OrderTable, error) {
	var t kexi.OrderTable
	where, args := scopeWhere(scopeCustomer, scope, and...)
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM orders t"+where, args...).Scan(&n); err != nil {
		return t, fmt.Errorf("orders: %w", err)
	}
	cols := "t.id, coalesce(t.customer_id, 0), t.ordered_at, t.amount, t.status"
	if details {
		cols += ", coalesce(t.external_id, ''), t.cost, t.shipping, t.discount, t.returned, t.channel, t.province, t.city"
	}
	rows, err := q.QueryContext(ctx, "SELECT "+cols+" FROM orders t"+where+" ORDER BY t.id", args...)
	if err != nil {
		return t, fmt.Errorf("orders: %w", err)
	}
	defer rows.Close()
	t.Grow(n) // a write in between only makes append grow it
	in := texts{}
	var id, cid, at int64
	var amount, cost, shipping, discount, returned float64
	var ext, channel, status, province, city sql.RawBytes
	dest := []any{&id, &cid, &at, &amount, &status}
	if details {
		dest = append(dest, &ext, &cost, &shipping, &discount, &returned, &channel, &province, &city)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return t, fmt.Errorf("orders: %w", err)
		}
		t.AppendRow(id, string(ext), cid, at, amount, cost, shipping, discount, returned,
			kexi.Facets{Channel: in.get(channel), Status: in.get(status), Province: in.get(province), City: in.get(city)})
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("orders: %w", err)
	}
	return t, nil
}

// orderLines are the lines of the orders in scope, read apart from the orders (on a read
// transaction of their own, alongside) and attached to them once both are in.
type orderLines struct {
	lines kexi.OrderTable // every line, by order id and line number, under one order per run
	runs  []int64         // the order id of each run of lines in lines
}

// load reads the lines of the orders in scope that meet the conditions and, with ids in r.
func (l *orderLines) load(ctx context.Context, q querier, scope kexi.Scope, r idRange, and ...cond) error {
	where, args := scopeWhere(scopeCustomer, scope, and...)
	if where != "" {
		where = " WHERE i.order_id IN (SELECT t.id FROM orders t" + where + ")"
	}
	for _, c := range r.on("i.order_id") {
		if where == "" {
			where = " WHERE " + c.sql
		} else {
			where += " AND " + c.sql
		}
		args = append(args, c.args...)
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM order_items i"+where, args...).Scan(&n); err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	rows, err := q.QueryContext(ctx, itemSelect+where+" ORDER BY i.order_id, i.line", args...)
	if err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	defer rows.Close()
	ls := &l.lines.Lines // room for n lines: a write in between only makes append grow it
	ls.Item, ls.Quantity = make([]uint32, 0, n), make([]float64, 0, n)
	ls.UnitPrice, ls.UnitCost = make([]float64, 0, n), make([]float64, 0, n)
	in := texts{}
	var id, pid int64
	var qty, price, cost float64
	var sku, name, category sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &pid, &sku, &name, &category, &qty, &price, &cost); err != nil {
			return fmt.Errorf("order lines: %w", err)
		}
		if k := len(l.runs) - 1; k < 0 || l.runs[k] != id {
			l.runs = append(l.runs, id)
			l.lines.AppendRow(id, "", 0, 0, 0, 0, 0, 0, 0, kexi.Facets{})
		}
		l.lines.AppendLine(kexi.Item{ProductID: pid, SKU: in.get(sku), Name: in.get(name), Category: in.get(category)},
			qty, price, cost)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("order lines: %w", err)
	}
	// Only the runs' line offsets and the lines are needed from here: the rows' other
	// columns (one row per run, zeros) go.
	l.lines = kexi.OrderTable{LineStart: l.lines.LineStart, Lines: l.lines.Lines}
	return nil
}

// attachLines gives each order of t its lines, from the shards' lines in turn (the shards
// and t in id order), letting go of each shard once copied. The items are coded anew, in the
// order the lines first name them, as appending the shards' lines one by one would. A line
// whose order is not among the orders was read in another snapshot: errMoved.
func attachLines(t *kexi.OrderTable, shards []orderLines) error {
	total := 0
	for k := range shards {
		total += len(shards[k].lines.Lines.Item)
	}
	if total == 0 {
		return nil
	}
	t.LineStart = make([]int32, t.Len()+1)
	dst := kexi.LineTable{Item: make([]uint32, 0, total), Quantity: make([]float64, 0, total),
		UnitPrice: make([]float64, 0, total), UnitCost: make([]float64, 0, total)}
	codes := map[kexi.Item]uint32{}
	k := 0
	for s := range shards {
		src := &shards[s].lines
		recode := make([]uint32, len(src.Lines.Items))
		for c := range recode {
			recode[c] = ^uint32(0)
		}
		for r, id := range shards[s].runs {
			for k < t.Len() && t.ID[k] < id {
				t.LineStart[k+1] = t.LineStart[k]
				k++
			}
			if k == t.Len() || t.ID[k] != id {
				return errMoved
			}
			lo, hi := src.LineStart[r], src.LineStart[r+1]
			for _, c := range src.Lines.Item[lo:hi] {
				if recode[c] == ^uint32(0) {
					it := src.Lines.Items[c]
					code, ok := codes[it]
					if !ok {
						code = uint32(len(dst.Items))
						codes[it] = code
						dst.Items = append(dst.Items, it)
					}
					recode[c] = code
				}
				dst.Item = append(dst.Item, recode[c])
			}
			dst.Quantity = append(dst.Quantity, src.Lines.Quantity[lo:hi]...)
			dst.UnitPrice = append(dst.UnitPrice, src.Lines.UnitPrice[lo:hi]...)
			dst.UnitCost = append(dst.UnitCost, src.Lines.UnitCost[lo:hi]...)
			t.LineStart[k+1] = int32(len(dst.Item))
			k++
		}
		shards[s] = orderLines{} // for the collector
	}
	for ; k < t.Len(); k++ {
		t.LineStart[k+1] = t.LineStart[k]
	}
	t.Lines = dst
	return nil
}

// loadAll reads every record of an entity in scope (that meets the conditions and), in id
// order. Records whose custom fields are the same share one map (customs).
func loadAll[T any](ctx context.Context, q querier, c *crypt, e *entity[T], scope kexi.Scope, and ...cond) ([]T, error) {
	where, args := scopeWhere(e.scope, scope, and...)
	sel, from := e.sel, e.from
	if e.linkInGo {
		sel, from = unlinked(sel, from)
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+from+where, args...).Scan(&n); err != nil {
		return nil, fmt.Errorf("%s: %w", e.kind, err)
	}
	var out []T // nil when there are none, as before
	if n > 0 {
		out = make([]T, 0, n) // a write in between only makes append grow it
	}
	sorted := true
	s := &scanning{c: c, custom: customs{}, texts: texts{}}
	rows, err := q.QueryContext(ctx, "SELECT "+sel+" FROM "+from+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var zero T
		out = append(out, zero)
		x := &out[len(out)-1]
		if err := e.scan(rows, s, x); err != nil {
			return nil, fmt.Errorf("%s: %w", e.kind, err)
		}
		sorted = sorted && (len(out) == 1 || *e.id(&out[len(out)-2]) < *e.id(x))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", e.kind, err)
	}
	if !sorted {
		slices.SortFunc(out, func(a, b T) int { return cmp.Compare(*e.id(&a), *e.id(&b)) })
	}
	return out, nil
}

// unlinked is a select list and FROM without the joins that fetch the external ids of the
// customer (c) and the campaign (k) a row names: they read as "" until finishDataset.
func unlinked(sel, from string) (string, string) {
	if i := strings.Index(from, " LEFT JOIN "); i >= 0 {
		from = from[:i]
	}
	return strings.NewReplacer("coalesce(c.external_id, '')", "''", "coalesce(k.external_id, '')", "''").Replace(sel), from
}

func loadFields(ctx context.Context, q querier) ([]kexi.CustomField, error) {
	rows, err := q.QueryContext(ctx, "SELECT entity, name, type, choices FROM custom_fields ORDER BY entity, name")
	if err != nil {
		return nil, fmt.Errorf("custom fields: %w", err)
	}
	defer rows.Close()
	var out []kexi.CustomField
	for rows.Next() {
		var f kexi.CustomField
		var typ string
		var choices sql.NullString
		if err := rows.Scan(&f.Entity, &f.Name, &typ, &choices); err != nil {
			return nil, fmt.Errorf("custom fields: %w", err)
		}
		f.Type = kexi.FieldType(typ)
		if choices.Valid {
			if err := json.Unmarshal([]byte(choices.String), &f.Choices); err != nil {
				return nil, fmt.Errorf("custom field %s.%s choices: %w", f.Entity, f.Name, err)
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
