package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/kexi/kexi"
)

// querier is a read transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// LoadDataset loads everything the analyses read, within scope, as one consistent snapshot.
// Customers outside the scope are left out with everything hanging off them (orders and their
// items, interactions, events, surveys, campaign responses); anonymous orders and events are
// left out of a restricted scope; leads follow FindLeads. Phone and e-mail come back decrypted.
//
// The parts load in parallel on the read pool; the data version is compared before and after,
// and a load that overlapped a write is repeated (finally in one transaction).
func (db *DB) LoadDataset(ctx context.Context, scope kexi.Scope) (*kexi.Dataset, error) {
	for attempt := 0; attempt < 3; attempt++ {
		v1, err := db.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		d, err := db.loadParallel(ctx, scope)
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
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load dataset: %w", err)
	}
	defer tx.Rollback()
	d := &kexi.Dataset{}
	parts, join := db.parts(d, scope)
	for _, part := range parts {
		if err := part(ctx, tx); err != nil {
			return nil, fmt.Errorf("load dataset: %w", err)
		}
	}
	join()
	return d, nil
}

// parts lists the independent loads that make up a Dataset, and the step that joins them.
func (db *DB) parts(d *kexi.Dataset, scope kexi.Scope) ([]func(context.Context, querier) error, func()) {
	orders := &orderHalves{scope: scope}
	join := func() {
		d.Orders = orders.out
		finishDataset(d)
	}
	return []func(context.Context, querier) error{
		func(ctx context.Context, q querier) error { return orders.load(ctx, q, false) },
		func(ctx context.Context, q querier) error { return orders.load(ctx, q, true) },
		func(ctx context.Context, q querier) (err error) {
			d.Customers, err = loadAll(ctx, q, db.c, customers, scope)
			return err
		},
		func(ctx context.Context, q querier) error {
			var err error
			if d.Products, err = loadAll(ctx, q, db.c, products, scope); err != nil {
				return err
			}
			if d.Campaigns, err = loadAll(ctx, q, db.c, campaigns, scope); err != nil {
				return err
			}
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
			if d.SWOT, err = loadAll(ctx, q, db.c, swotItems, scope); err != nil {
				return err
			}
			if d.CustomFields, err = loadFields(ctx, q); err != nil {
				return err
			}
			if d.Leads, err = loadAll(ctx, q, db.c, leads, scope); err != nil {
				return err
			}
			st, err := loadStages(ctx, q)
			if err != nil {
				return err
			}
			for i := range d.Leads {
				d.Leads[i].Stages = st[d.Leads[i].ID]
			}
			return nil
		},
		func(ctx context.Context, q querier) (err error) {
			if d.Interactions, err = loadAll(ctx, q, db.c, interactions, scope); err != nil {
				return err
			}
			if d.Surveys, err = loadAll(ctx, q, db.c, surveys, scope); err != nil {
				return err
			}
			d.Responses, err = loadAll(ctx, q, db.c, responses, scope)
			return err
		},
		func(ctx context.Context, q querier) (err error) {
			d.Events, err = loadAll(ctx, q, db.c, events, scope)
			return err
		},
	}, join
}

// loadParallel runs the parts at once, each on its own read transaction.
func (db *DB) loadParallel(ctx context.Context, scope kexi.Scope) (*kexi.Dataset, error) {
	d := &kexi.Dataset{}
	parts, join := db.parts(d, scope)
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	for i, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
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
	join()
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

// interner keeps one copy of repeated strings (channels, statuses, provinces, categories).
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	if len(in) < 100_000 {
		in[s] = s
	}
	return s
}

// facetViews hands out the shared Facets of orders read from SQLite, which sends an order's
// channel, status, province and city as one text, joined by the unit separator (facetsSQL):
// one value to read and one map lookup an order instead of four.
type facetViews struct {
	in   interner
	set  kexi.Shared[kexi.Facets]
	seen map[string]*kexi.Facets // by the joined text
}

// facetsSQL selects an order's Facets as one text for facetViews.joined.
const facetsSQL = "t.channel || char(31) || t.status || char(31) || t.province || char(31) || t.city"

// joined returns the Facets of s, the four texts joined as facetsSQL does, which is only
// borrowed (a view into SQLite's memory); ok is false when one of the four holds the
// separator itself, and s cannot be taken apart.
func (f *facetViews) joined(s string) (p *kexi.Facets, ok bool) {
	if p, ok := f.seen[s]; ok {
		return p, true
	}
	if strings.Count(s, "\x1f") != 3 {
		return nil, false
	}
	channel, rest, _ := strings.Cut(s, "\x1f")
	status, rest, _ := strings.Cut(rest, "\x1f")
	province, city, _ := strings.Cut(rest, "\x1f")
	p = f.view(channel, status, province, city)
	if len(f.seen) < 100_000 {
		f.seen[strings.Clone(s)] = p
	}
	return p, true
}

// view returns the Facets with these channel, status, province and city, which are only
// borrowed.
func (f *facetViews) view(channel, status, province, city string) *kexi.Facets {
	return f.set.Get(kexi.Facets{Channel: f.in.view(channel), Status: f.in.view(status), Province: f.in.view(province), City: f.in.view(city)})
}

// stringArena copies strings into shared chunks of 64 KiB: one allocation for thousands of
// short strings that all live as long as the Dataset (orders' external ids).
type stringArena struct{ buf []byte }

func (a *stringArena) clone(s string) string {
	switch {
	case s == "":
		return ""
	case len(s) > 1024:
		return strings.Clone(s)
	}
	if cap(a.buf)-len(a.buf) < len(s) {
		a.buf = make([]byte, 0, 64<<10)
	}
	start := len(a.buf)
	a.buf = append(a.buf, s...)
	return unsafe.String(&a.buf[start], len(s))
}

// view is get for a string that is only borrowed (a view into SQLite's memory): the string
// is copied when it is new.
func (in interner) view(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	return in.get(strings.Clone(s))
}

// bytes is get for a string still in bytes: the string is made only when it is new.
func (in interner) bytes(b []byte) string {
	if v, ok := in[string(b)]; ok {
		return v
	}
	return in.get(string(b))
}

func scopeWhere(rule scopeRule, scope kexi.Scope) (string, []any) {
	if s, a := scopeSQL(rule, scope); s != "" {
		return " WHERE " + s, a
	}
	return "", nil
}

// errMoved says that two parts of one load saw different data: a write came in between, and
// the load is repeated.
var errMoved = errors.New("the data changed while it was being loaded")

// orderHalves loads the orders in scope, with their lines, in two halves by id, on two read
// transactions at once, into one slice (in the order SQLite reads them: Normalize then sorts
// it). Reading and unpacking a million orders is the longest part of LoadDataset; halving it
// lets the other parts finish alongside.
//
// The first half to start counts the orders, in its snapshot, for both. Should the other
// half's snapshot hold a different number in its range it reports errMoved; any other
// difference between the snapshots moves the data version, which LoadDataset compares.
type orderHalves struct {
	scope kexi.Scope
	once  sync.Once
	err   error
	mid   int64 // the lower half is ids up to mid, half the largest
	low   int   // orders in the lower half
	out   []kexi.OrderRow
}

// count finds mid and the orders in each half, once, and makes the slice for them.
func (h *orderHalves) count(ctx context.Context, q querier, where string, args []any) error {
	h.once.Do(func() {
		var maxID int64
		if h.err = q.QueryRowContext(ctx, "SELECT coalesce(max(t.id), 0) FROM orders t"+where, args...).Scan(&maxID); h.err != nil {
			return
		}
		h.mid = maxID / 2
		var n int
		h.err = q.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(t.id <= ?), 0) FROM orders t"+where,
			append([]any{h.mid}, args...)...).Scan(&n, &h.low)
		h.out = make([]kexi.OrderRow, n)
	})
	return h.err
}

// load reads the lower half or the upper one into its place.
func (h *orderHalves) load(ctx context.Context, q querier, upper bool) error {
	where, args := scopeWhere(scopeCustomer, h.scope)
	if err := h.count(ctx, q, where, args); err != nil {
		return err
	}
	low, mid := h.low, h.mid
	part, cond := h.out[:low], "t.id <= ?"
	if upper {
		part, cond = h.out[low:], "t.id > ?"
	}
	if where == "" {
		where = " WHERE " + cond
	} else {
		where += " AND " + cond
	}
	in := interner{}
	lines := sharedLines(in)
	facets := facetViews{in: in, set: kexi.SharedFacets(), seen: map[string]*kexi.Facets{}}
	var ids stringArena
	var odd []int // the orders whose facets hold the separator facetsSQL joins them with
	k := 0
	err := collect(ctx, q, "t.id, coalesce(t.external_id, ''), coalesce(t.customer_id, 0), t.ordered_at, t.amount, "+
		"t.cost, t.shipping, t.discount, t.returned, "+facetsSQL+", t.lines",
		"orders t"+where, append(args, mid), func(row []driver.Value) error {
			if k == len(part) {
				return errMoved
			}
			o := &part[k]
			r := rowReader{row: row}
			o.ID, o.ExternalID, o.CustomerID = r.int(0), ids.clone(r.text(1)), r.int(2)
			o.OrderedAt = time.UnixMilli(r.int(3)).UTC()
			o.Amount, o.Cost, o.Shipping, o.Discount, o.Returned = r.float(4), r.float(5), r.float(6), r.float(7), r.float(8)
			var ok bool
			if o.Facets, ok = facets.joined(r.text(9)); !ok {
				odd = append(odd, k)
			}
			packed := r.blob(10)
			if r.err != nil {
				return fmt.Errorf("order %d: %w", o.ID, r.err)
			}
			var err error
			if o.Items, err = lines.unpack(packed); err != nil {
				return fmt.Errorf("order %d: %w", o.ID, err)
			}
			k++
			return nil
		})
	if err != nil {
		return err
	}
	if k != len(part) {
		return errMoved
	}
	if len(odd) == 0 {
		return nil
	}
	// A text holding the separator (a rare damaged value) makes the joined text ambiguous:
	// those orders' four columns are read again, apart.
	at := make(map[int64]int, len(odd))
	for _, i := range odd {
		at[part[i].ID] = i
	}
	err = collect(ctx, q, "t.id, t.channel, t.status, t.province, t.city",
		"orders t"+where+" AND instr(t.channel || t.status || t.province || t.city, char(31)) > 0", append(args, mid),
		func(row []driver.Value) error {
			r := rowReader{row: row}
			id := r.int(0)
			i, ok := at[id]
			if !ok { // the same snapshot as the first read: not a write in between
				return fmt.Errorf("order %d: its facets hold char(31) only when read apart", id)
			}
			delete(at, id)
			part[i].Facets = facets.view(r.text(1), r.text(2), r.text(3), r.text(4))
			return r.err
		})
	if err == nil && len(at) != 0 {
		return fmt.Errorf("%d orders' facets hold char(31) only when read joined", len(at))
	}
	return err
}

// loadAll reads every record of an entity in scope, in id order. Records whose custom fields
// are the same share one map (customs), and texts that repeat in a column one string
// (sharedRow).
func loadAll[T any](ctx context.Context, q querier, c *crypt, e *entity[T], scope kexi.Scope) ([]T, error) {
	where, args := scopeWhere(e.scope, scope)
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
	s := &scanning{c: c, custom: &customs{}}
	var cols columnTexts
	err := collect(ctx, q, sel, from+where, args, func(row []driver.Value) error {
		var zero T
		out = append(out, zero)
		x := &out[len(out)-1]
		if err := e.scan(sharedRow{row, &cols}, s, x); err != nil {
			return err
		}
		sorted = sorted && (len(out) == 1 || *e.id(&out[len(out)-2]) < *e.id(x))
		return nil
	})
	if err != nil {
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
