package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kexi/kexi"
)

// maxProblems caps the problems one failed import reports.
const maxProblems = 100

// Import writes a Batch in one transaction: all of it or nothing. Records are matched on
// external id (an empty one always inserts; when the batch repeats an external id the last
// record wins, except that lead stage histories are merged). On a match only the fields named
// in b.Present[kind] change (every field when the kind is missing from Present); a record whose
// fields already hold those values is counted Unchanged and not written, so re-importing the
// same batch changes nothing and leaves DataVersion alone.
//
// References by external id are resolved: customers (creating a stub customer for an unknown
// one, counted in Stubs), campaigns (EINVALID when unknown) and products (order lines keep
// their SKU with no product id when unknown). An order without a customer is anonymous.
//
// For orders, the line items are replaced when Present[orders] is missing or names "items" or
// an item field (sku, quantity, unit_price, unit_cost, category, name, product_id). For leads,
// "stage" or "stages" in Present merges the stage history: stages the lead has keep their first
// date, new ones are added, and Stage becomes the latest entry. For competitors, "shares"
// replaces the market shares. custom.NAME in Present changes only that custom field (an empty
// value removes it); "custom" replaces them all.
//
// Invalid records (a missing ordered_at, a NaN amount, a survey score out of range, …) fail the
// whole import with EINVALID naming each record by kind, position (Row, 1-based) and external id.
func (db *DB) Import(ctx context.Context, b *kexi.Batch) (kexi.ImportStats, error) {
	if b == nil {
		return kexi.ImportStats{Inserted: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}}, nil
	}
	return db.importChunks(ctx, false, func(put func(*kexi.Batch) error) error { return put(b) })
}

// ImportStream writes the batches that feed hands to put in one transaction, as Import would
// write them joined into one Batch: all of them or nothing, the last record with an external
// id wins across batches, and ImportStats counts a record inserted by an early batch and
// updated by a later one as inserted. Memory is bounded by one batch (plus the external ids of
// the records the import wrote), so a caller can stream a file of any size: put writes a batch
// before it returns, and the caller may reuse or drop it then. An error from put (an invalid
// record, a write that fails) or from feed rolls everything back; invalid records are
// reported as Import reports them, over all batches, with positions counted from the first.
//
// Lead stage histories of a lead repeated in two batches are merged as when a file updates a
// stored lead (stages it has keep their first date), not as within one batch.
func (db *DB) ImportStream(ctx context.Context, feed func(put func(*kexi.Batch) error) error) (kexi.ImportStats, error) {
	return db.importChunks(ctx, true, feed)
}

func (db *DB) importChunks(ctx context.Context, stream bool, feed func(put func(*kexi.Batch) error) error) (kexi.ImportStats, error) {
	st := kexi.ImportStats{Inserted: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}}
	s := &importState{ctx: ctx, db: db, now: db.stamp(), stats: &st, stream: stream,
		exts: map[string]*extState{}, base: map[string]int{}}
	v := &validator{}
	err := db.writeConn(ctx, true, func(conn *sql.Conn, tx *sql.Tx) error {
		s.conn, s.tx = conn, tx
		// Foreign keys are checked at commit rather than row by row: the rows of one kind
		// go in before or after those they name, a batch at a time.
		restore, err := db.d.BeginImport(ctx, tx, stream)
		if err != nil {
			return err
		}
		defer restore()
		err = feed(func(b *kexi.Batch) error {
			if b == nil {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			// After an invalid record nothing more is written, but the later batches are
			// still checked, so that the error counts every invalid record, as one Batch would.
			v.check(b, s.base)
			if v.bad == 0 {
				s.present = b.Present
				if err := s.run(b); err != nil {
					return err
				}
			}
			s.advance(b)
			return nil
		})
		if err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		for _, rebuild := range s.rebuilds {
			if err := rebuild(); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.insertedIDs(); err != nil {
			return err
		}
		if s.changed {
			return db.logChanges(ctx, tx, &changes{all: true})
		}
		return nil
	})
	if err != nil {
		var ke *kexi.Error
		if errors.As(err, &ke) {
			return kexi.ImportStats{}, err
		}
		return kexi.ImportStats{}, s.db.dbError(err, "import")
	}
	return st, nil
}

// advance counts the records of a batch that an import has taken, so that the next batch's
// records are numbered after them.
func (s *importState) advance(b *kexi.Batch) {
	for k, n := range b.Counts() {
		s.base[k] += n
	}
	s.base["custom fields"] += len(b.CustomFields)
}

// validator checks every record before anything is written. When Present names the fields a
// kind's source supplied, a field it did not supply is not required here: a record that turns
// out to be new is checked in full when it is inserted (see requireNew).
type validator struct {
	bad   int
	probs []kexi.FieldProblem
}

// err is the error for the invalid records found, or nil.
func (v *validator) err() error {
	if v.bad == 0 {
		return nil
	}
	msg := fmt.Sprintf("import: %d invalid record", v.bad)
	if v.bad > 1 {
		msg += "s"
	}
	return &kexi.Error{Code: kexi.EINVALID, Message: msg + "; nothing was imported", Problems: v.probs}
}

// check checks the records of b; base counts, per kind, the records of earlier batches.
func (v *validator) check(b *kexi.Batch, base map[string]int) {
	present := b.Present
	kind := ""
	add := func(err error) {
		if err == nil {
			return
		}
		var ke *kexi.Error
		if !errors.As(err, &ke) {
			return
		}
		var keep []kexi.FieldProblem
		for _, p := range ke.Problems {
			if names, ok := present[kind]; ok && strings.HasSuffix(p.Reason, " is required") && !slices.Contains(names, p.Column) {
				continue
			}
			keep = append(keep, p)
		}
		if len(keep) == 0 {
			return
		}
		v.bad++
		if len(v.probs) < maxProblems {
			v.probs = append(v.probs, keep...)
		}
	}
	check := func(k string, n int, fn func(i, row int) error) {
		kind = k
		for i := 0; i < n; i++ {
			add(fn(i, base[k]+i+1))
		}
	}
	check(kexi.KindCustomers, len(b.Customers), func(i, row int) error { return validateCustomer(&b.Customers[i], row) })
	check(kexi.KindProducts, len(b.Products), func(i, row int) error { return validateProduct(&b.Products[i], row) })
	check(kexi.KindCampaigns, len(b.Campaigns), func(i, row int) error { return validateCampaign(&b.Campaigns[i], row) })
	check(kexi.KindOrders, len(b.Orders), func(i, row int) error { return validateOrder(&b.Orders[i], row) })
	check(kexi.KindInteractions, len(b.Interactions), func(i, row int) error { return validateInteraction(&b.Interactions[i], row) })
	check(kexi.KindEvents, len(b.Events), func(i, row int) error { return validateEvent(&b.Events[i], row) })
	check(kexi.KindSurveys, len(b.Surveys), func(i, row int) error { return validateSurvey(&b.Surveys[i], row) })
	check(kexi.KindLeads, len(b.Leads), func(i, row int) error { return validateLead(&b.Leads[i], row) })
	check(kexi.KindResponses, len(b.Responses), func(i, row int) error { return validateResponse(&b.Responses[i], row) })
	check(kexi.KindCompetitors, len(b.Competitors), func(i, row int) error { return validateCompetitor(&b.Competitors[i], row) })
	check(kexi.KindSWOT, len(b.SWOT), func(i, row int) error { return validateSWOT(&b.SWOT[i], row) })
	kind = "custom fields"
	for i, f := range b.CustomFields {
		c := &checker{kind: "custom fields", row: base[kind] + i + 1}
		if f.Entity != "customer" && f.Entity != "lead" {
			c.add("entity", f.Entity, "expected customer or lead")
		}
		if f.Name == "" || strings.ContainsAny(f.Name, "\"\\") {
			c.add("name", f.Name, "a custom field name must not be empty or contain quotes or backslashes")
		}
		switch f.Type {
		case kexi.FieldText, kexi.FieldNumber, kexi.FieldDate, kexi.FieldChoice:
		default:
			c.add("type", string(f.Type), "expected text, number, date or choice")
		}
		add(c.err())
	}
}

// importState is one running import.
type importState struct {
	ctx     context.Context
	conn    *sql.Conn // the connection of tx
	tx      *sql.Tx
	db      *DB
	now     time.Time
	present map[string][]string
	stats   *kexi.ImportStats
	changed bool
	// stream is set when more batches may follow: every table then keeps the external ids
	// of the rows the import wrote, so that a later batch finds them.
	stream bool

	exts     map[string]*extState // by table, loaded on first use
	base     map[string]int       // records of each kind in the batches before this one
	rebuilds []func() error       // the indexes to build again before the import commits
	// linesDecided: whether to drop the indexes of order_items was decided.
	linesDecided bool
}

// extState is what an import knows of one table: external id → id of the stored rows (and,
// when kept, of those it wrote), the largest id, and that id when the import began.
type extState struct {
	m       map[string]int64
	max     int64
	start   int64
	decided bool // whether to drop the table's indexes while rows go in was decided
	// wrote has the external ids of the rows a stream wrote to a table whose ids m does not
	// keep (orders, events …), by their hash: a map without pointers, which the garbage
	// collector does not walk (2.77 million orders' ids as strings cost seconds of its
	// time). A hash found is confirmed in the table, so that two ids with one hash are
	// still told apart.
	wrote map[uint64]int64
	seed  maphash.Seed
	// counted has the stored rows a stream updated (or found unchanged), and whether it
	// counted them as updated, so that a row a later batch names again is counted once.
	counted map[int64]bool
}

// insertedIDs tells the dialect the tables the import inserted rows into with ids it chose.
func (s *importState) insertedIDs() error {
	if s.db.d.InsertedIDs == nil {
		return nil
	}
	for table, es := range s.exts {
		if es.max > es.start {
			if err := s.db.d.InsertedIDs(s.ctx, s.tx, table); err != nil {
				return err
			}
		}
	}
	return nil
}

// bulk starts a bulk insert into the columns cols (comma-separated) of table.
func (s *importState) bulk(table, cols string) (*bulkRows, error) {
	return s.db.bulk(s.ctx, s.conn, s.tx, table, cols)
}

// find looks up the row of external id key that a stream wrote, by its hash.
func (s *importState) find(es *extState, table, key string) (int64, bool, error) {
	if es.wrote == nil {
		return 0, false, nil
	}
	if _, ok := es.wrote[maphash.String(es.seed, key)]; !ok {
		return 0, false, nil
	}
	var id int64
	err := s.tx.QueryRowContext(s.ctx, "SELECT id FROM "+table+" WHERE external_id = ?", key).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	return id, err == nil, err
}

// ext returns the external ids of table, reading them on first use.
func (s *importState) ext(table string) (*extState, error) {
	if es := s.exts[table]; es != nil {
		return es, nil
	}
	m, mx, err := s.loadExt(table)
	if err != nil {
		return nil, err
	}
	es := &extState{m: m, max: mx, start: mx}
	s.exts[table] = es
	return es, nil
}

func (s *importState) run(b *kexi.Batch) error {
	if err := s.customFields(b.CustomFields); err != nil {
		return err
	}
	var err error
	if len(b.Customers) > 0 {
		if err = importKind(s, customers, b.Customers, hooks[kexi.Customer]{
			prep: func(x *kexi.Customer, id int64) error {
				x.Stub = false
				if x.Name == "" && id == 0 {
					x.Name = x.ExternalID
				}
				return nil
			},
		}); err != nil {
			return err
		}
	}
	if len(b.Products) > 0 {
		if err = importKind(s, products, b.Products, hooks[kexi.Product]{
			prep: func(x *kexi.Product, id int64) error {
				if x.Name == "" && id == 0 {
					x.Name = x.ExternalID
				}
				return nil
			},
		}); err != nil {
			return err
		}
	}
	if len(b.Campaigns) > 0 {
		if err = importKind(s, campaigns, b.Campaigns, hooks[kexi.Campaign]{}); err != nil {
			return err
		}
	}
	if len(b.Orders) > 0 {
		if err = s.orders(b.Orders); err != nil {
			return err
		}
	}
	if len(b.Interactions) > 0 {
		if err = importKind(s, interactions, b.Interactions, hooks[kexi.Interaction]{
			validate: validateInteraction,
			customer: func(x *kexi.Interaction) (string, *int64) { return x.Customer, &x.CustomerID },
		}); err != nil {
			return err
		}
	}
	if len(b.Events) > 0 {
		if err = importKind(s, events, b.Events, hooks[kexi.WebEvent]{
			validate: validateEvent,
			customer: func(x *kexi.WebEvent) (string, *int64) { return x.Customer, &x.CustomerID },
		}); err != nil {
			return err
		}
	}
	if len(b.Surveys) > 0 {
		if err = importKind(s, surveys, b.Surveys, hooks[kexi.SurveyResponse]{
			validate: validateSurvey,
			customer: func(x *kexi.SurveyResponse) (string, *int64) { return x.Customer, &x.CustomerID },
		}); err != nil {
			return err
		}
	}
	if len(b.Leads) > 0 {
		if err = s.leads(b.Leads); err != nil {
			return err
		}
	}
	if len(b.Responses) > 0 {
		if err = importKind(s, responses, b.Responses, hooks[kexi.CampaignResponse]{
			customer: func(x *kexi.CampaignResponse) (string, *int64) { return x.Customer, &x.CustomerID },
			prep:     func(x *kexi.CampaignResponse, _ int64) error { return s.campaignRef(x.Campaign, &x.CampaignID) },
		}); err != nil {
			return err
		}
	}
	if len(b.Competitors) > 0 {
		if err = s.competitors(b.Competitors); err != nil {
			return err
		}
	}
	if len(b.SWOT) > 0 {
		if err = importKind(s, swotItems, b.SWOT, hooks[kexi.SWOTItem]{}); err != nil {
			return err
		}
	}
	return nil
}

// hooks let a kind do more than write its row. prep runs before the row is written (id is 0
// for a new record); after runs once it is, and reports whether child rows changed.
type hooks[T any] struct {
	// validate checks a new record in full when Present is partial for the kind.
	validate func(x *T, row int) error
	// customer gives the external id of the customer a record names and the id to resolve it
	// into: importKind creates the missing ones as stubs first, then resolves each before prep.
	customer func(x *T) (ext string, id *int64)
	prep     func(x *T, id int64) error
	after    func(x *T, id int64, isNew bool) (bool, error)
}

// loadExt reads external id → id of a table.
func (s *importState) loadExt(table string) (map[string]int64, int64, error) {
	var maxID int64
	if err := s.tx.QueryRowContext(s.ctx, "SELECT coalesce(max(id), 0) FROM "+table).Scan(&maxID); err != nil {
		return nil, 0, err
	}
	var n int
	if err := s.tx.QueryRowContext(s.ctx, "SELECT count(external_id) FROM "+table).Scan(&n); err != nil {
		return nil, 0, err
	}
	m := make(map[string]int64, n)
	rows, err := s.tx.QueryContext(s.ctx, "SELECT external_id, id FROM "+table+" WHERE external_id IS NOT NULL")
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var ext string
		var id int64
		if err := rows.Scan(&ext, &id); err != nil {
			return nil, 0, fmt.Errorf("%s external ids: %w", table, err)
		}
		m[ext] = id
	}
	return m, maxID, rows.Err()
}

// newStub gives a stub customer for ext the next id and counts it; the caller inserts it.
func (s *importState) newStub(c *extState, ext string) int64 {
	c.max++
	c.m[ext] = c.max
	s.stats.Stubs++
	s.changed = true
	return c.max
}

// stubCustomers creates, with a bulk insert, a stub for every customer the external ids
// name that does not exist yet, so that customerRef then finds them all (one insert per stub
// took most of a second for 100,000).
func (s *importState) stubCustomers(exts iter.Seq[string]) error {
	b, err := s.bulk("customers", "id, external_id, name, stub, created_at, updated_at")
	if err != nil {
		return err
	}
	defer b.Stop()
	now := s.now.UnixMilli()
	var c *extState
	for ext := range exts {
		if ext == "" {
			continue
		}
		if c == nil {
			if c, err = s.ext("customers"); err != nil {
				return err
			}
		}
		if _, ok := c.m[ext]; ok {
			continue
		}
		if err := b.add(s.newStub(c, ext), ext, ext, int64(1), now, now); err != nil {
			return s.db.dbError(err, "insert stub customers")
		}
	}
	return b.Flush()
}

// customerRef sets *id to the customer with external id ext, which stubCustomers has made
// sure exists. An empty ext leaves *id as it is (0: no customer); a customer given by id is
// checked by the foreign key when the import commits.
func (s *importState) customerRef(ext string, id *int64) error {
	if ext == "" {
		return nil
	}
	c := s.exts["customers"]
	if c == nil {
		return fmt.Errorf("customer %q was not created", ext)
	}
	v, ok := c.m[ext]
	if !ok {
		return fmt.Errorf("customer %q was not created", ext)
	}
	*id = v
	return nil
}

func (s *importState) campaignRef(ext string, id *int64) error {
	if ext == "" {
		return nil
	}
	c, err := s.ext("campaigns")
	if err != nil {
		return err
	}
	v, ok := c.m[ext]
	if !ok {
		return kexi.Errorf(kexi.EINVALID, "no campaign has external id %q", ext)
	}
	*id = v
	return nil
}

func (s *importState) productID(sku string) (int64, error) {
	if sku == "" {
		return 0, nil
	}
	p, err := s.ext("products")
	if err != nil {
		return 0, err
	}
	return p.m[sku], nil
}

// presence is what Present says about one kind.
type presence struct {
	all    bool
	names  map[string]bool
	custom []string // custom.NAME entries, without the prefix
}

func (s *importState) presence(kind string, alias map[string]string) presence {
	list, ok := s.present[kind]
	if !ok {
		return presence{all: true}
	}
	p := presence{names: map[string]bool{}}
	for _, n := range list {
		if c, ok := strings.CutPrefix(n, "custom."); ok {
			p.custom = append(p.custom, c)
			continue
		}
		if a, ok := alias[n]; ok {
			p.names[a] = true
		}
		p.names[n] = true
	}
	slices.Sort(p.custom)
	p.custom = slices.Compact(p.custom)
	return p
}

func (p presence) has(name string) bool { return p.all || p.names[name] }

// updater is the prepared UPDATE of the present fields of one kind, with the no-op check in
// its WHERE clause.
type updater[T any] struct {
	fields []field[T]
	patch  []string // custom field names patched one by one
	stmt   *sql.Stmt
	// batch is the same UPDATE for many records at once, from rows of VALUES (the id, the
	// fields' values, the patch), returning the ids of the rows it changed: an unchanged
	// re-import then costs one statement per per records instead of one per record. It is
	// prepared for each number of rows (per, and the rest at the end).
	batchSQL func(rows int) string
	batch    map[int]*sql.Stmt
	per      int
	vals     []any
	pending  []pendingUpdate[T]
}

// pendingUpdate is a record queued for the batch UPDATE.
type pendingUpdate[T any] struct {
	i     int // the record's index in the batch
	key   string
	x     *T
	id    int64
	child bool // its hook changed rows of its own (lead stages, market shares)
}

// updateBatch is the most records the batch UPDATE takes at a time.
const updateBatch = 1024

// updateFallbacks counts the batches updated one record at a time after the batch failed
// (for tests).
var updateFallbacks atomic.Int64

func newUpdater[T any](s *importState, e *entity[T], p presence) (*updater[T], error) {
	u := &updater[T]{per: updateBatch}
	for _, f := range e.writable() {
		if f.name == "external_id" {
			continue
		}
		if p.has(f.name) || (f.name == "stub" && e == any(customers)) {
			u.fields = append(u.fields, f)
		}
	}
	if e.custom && !p.has("custom") {
		u.patch = p.custom
	}
	if len(u.fields) == 0 && len(u.patch) == 0 {
		return u, nil
	}
	// Each value is bound once and used twice: in SET and in the no-op check. In the single
	// UPDATE value k is ?k; in the batch form, whose rows are VALUES, it is column k+1 (column1
	// is the id).
	n := len(u.fields)
	if len(u.patch) > 0 {
		n++
	}
	setsDiffs := func(value func(k int) string) (string, string) {
		var sets, diffs []string
		for k, f := range u.fields {
			sets = append(sets, f.col+" = "+value(k+1))
			if f.typ != tBlob {
				diffs = append(diffs, e.table+"."+f.col+" IS DISTINCT FROM "+value(k+1))
			}
		}
		if len(u.patch) > 0 {
			patch := s.db.d.MergePatch(e.table+".custom", value(n))
			sets = append(sets, "custom = "+patch)
			diffs = append(diffs, s.db.d.JSONDiffers(e.table+".custom", patch))
		}
		return strings.Join(sets, ", "), strings.Join(diffs, " OR ")
	}
	sets, diffs := setsDiffs(func(k int) string { return fmt.Sprintf("?%d", k) })
	q := fmt.Sprintf("UPDATE %s SET %s, updated_at = ?%d WHERE id = ?%d AND (%s)", e.table, sets, n+1, n+2, diffs)
	st, err := s.tx.PrepareContext(s.ctx, q)
	if err != nil {
		return nil, err
	}
	u.stmt = st
	// The batch form takes its rows as VALUES: column1 is the id, column k+1 value k.
	sets, diffs = setsDiffs(func(k int) string { return fmt.Sprintf("s.column%d", k+1) })
	// Each row binds its id and n values; the statement binds updated_at once more.
	u.per = max(1, min(updateBatch, (maxVars-1)/(n+1)))
	// The values of a row are typed as their columns where the dialect needs it.
	types := []string{"bigint"}
	for _, f := range u.fields {
		types = append(types, f.typ.sqlType())
	}
	if len(u.patch) > 0 {
		types = append(types, "text")
	}
	row := make([]string, len(types))
	for k, t := range types {
		row[k] = s.db.d.Typed("?", t)
	}
	one := "(" + strings.Join(row, ", ") + ")"
	u.batchSQL = func(rows int) string {
		return fmt.Sprintf("UPDATE %s SET %s, updated_at = ? FROM (VALUES %s) AS s WHERE %s.id = s.column1 AND (%s) RETURNING %s.id",
			e.table, sets, strings.TrimSuffix(strings.Repeat(one+",", rows), ","), e.table, diffs, e.table)
	}
	return u, nil
}

// close closes the prepared statements.
func (u *updater[T]) close() {
	if u.stmt != nil {
		u.stmt.Close()
	}
	for _, st := range u.batch {
		st.Close()
	}
}

// exec updates one record; it reports whether the row changed.
func (u *updater[T]) exec(s *importState, x *T, id int64, custom map[string]string) (bool, error) {
	if u.stmt == nil {
		return false, nil
	}
	args := u.values(make([]any, 0, len(u.fields)+3), s, x, custom)
	args = append(args, s.now.UnixMilli(), id)
	res, err := u.stmt.ExecContext(s.ctx, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// values appends the values the UPDATE sets for x: its fields', then the custom patch.
func (u *updater[T]) values(args []any, s *importState, x *T, custom map[string]string) []any {
	for _, f := range u.fields {
		args = append(args, f.get(s.db.c, x))
	}
	if len(u.patch) > 0 {
		p := make(map[string]any, len(u.patch))
		for _, n := range u.patch {
			if v, ok := custom[n]; ok && v != "" {
				p[n] = v
			} else {
				p[n] = nil
			}
		}
		b, _ := json.Marshal(p)
		args = append(args, string(b))
	}
	return args
}

// queue adds a record to the batch UPDATE; run then updates the queued records and reports
// what changed.
func (u *updater[T]) queue(s *importState, r pendingUpdate[T], custom map[string]string) {
	if u.stmt != nil {
		u.vals = append(u.vals, r.id)
		u.vals = u.values(u.vals, s, r.x, custom)
	}
	u.pending = append(u.pending, r)
}

// run executes the queued updates and calls done for each record with whether its row
// changed. Should the batch fail, the records are updated one by one, so that the error
// names the record it belongs to.
func (u *updater[T]) run(s *importState, kind string, custom func(*T) map[string]string, done func(r pendingUpdate[T], changed bool)) error {
	if len(u.pending) == 0 {
		return nil
	}
	defer func() {
		clear(u.vals)
		u.vals, u.pending = u.vals[:0], u.pending[:0]
	}()
	if u.stmt == nil {
		for _, r := range u.pending {
			done(r, false)
		}
		return nil
	}
	if u.batchSQL != nil {
		changed, err := s.savepoint(func() (map[int64]bool, error) { return u.runBatch(s) })
		if err == nil {
			for _, r := range u.pending {
				done(r, changed[r.id])
			}
			return nil
		}
		// Only a record's own fault (a constraint, SQL it makes fail) is worth finding by
		// trying them one at a time; anything else (a cancelled context, a full disk) ends
		// the import as it is.
		if s.db.d.Classify(err) == ErrOther {
			return s.db.dbError(err, "update "+kind)
		}
		updateFallbacks.Add(1)
	}
	for _, r := range u.pending {
		changed, err := u.exec(s, r.x, r.id, custom(r.x))
		if err != nil {
			return recordErr(kind, r.i, r.key, s.db.dbError(err, "update"))
		}
		done(r, changed)
	}
	return nil
}

// savepoint runs fn under a savepoint where the dialect needs one for the transaction to go on
// after fn fails.
func (s *importState) savepoint(fn func() (map[int64]bool, error)) (map[int64]bool, error) {
	if !s.db.d.Savepoints {
		return fn()
	}
	if _, err := s.tx.ExecContext(s.ctx, "SAVEPOINT kexi_batch"); err != nil {
		return nil, err
	}
	out, err := fn()
	if err != nil {
		if _, rerr := s.tx.ExecContext(s.ctx, "ROLLBACK TO SAVEPOINT kexi_batch"); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	if _, err := s.tx.ExecContext(s.ctx, "RELEASE SAVEPOINT kexi_batch"); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateFallbacks counts the batches of updates an import wrote one record at a time after
// the batch failed (for tests).
func UpdateFallbacks() int64 { return updateFallbacks.Load() }

// runBatch runs the batch UPDATE on the queued rows and returns the ids it changed.
func (u *updater[T]) runBatch(s *importState) (map[int64]bool, error) {
	n := len(u.pending)
	st := u.batch[n]
	if st == nil {
		var err error
		if st, err = s.tx.PrepareContext(s.ctx, u.batchSQL(n)); err != nil {
			return nil, err
		}
		if u.batch == nil {
			u.batch = map[int]*sql.Stmt{}
		}
		u.batch[n] = st
	}
	args := make([]any, 0, 1+len(u.vals))
	args = append(append(args, s.now.UnixMilli()), u.vals...)
	rows, err := st.QueryContext(s.ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	changed := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		changed[id] = true
	}
	return changed, rows.Err()
}

// recordErr names the record a write failed on.
func recordErr(kind string, i int, ext string, err error) error {
	var ke *kexi.Error
	what := fmt.Sprintf("%s record %d", kind, i+1)
	if ext != "" {
		what += fmt.Sprintf(" (external id %q)", ext)
	}
	if errors.As(err, &ke) {
		return &kexi.Error{Code: ke.Code, Message: what + ": " + ke.Message,
			Problems: append([]kexi.FieldProblem{{Row: i + 1, Value: ext, Reason: ke.Message}}, ke.Problems...)}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// lastOf returns, for records with an external id repeated in the batch, whether record i is
// shadowed by a later one.
func lastOf[T any](e *entity[T], recs []T) []bool {
	seen := make(map[string]bool, len(recs))
	var shadow []bool
	for i := len(recs) - 1; i >= 0; i-- {
		ext := e.ext(&recs[i])
		if ext == "" {
			continue
		}
		if seen[ext] {
			if shadow == nil {
				shadow = make([]bool, len(recs))
			}
			shadow[i] = true
		}
		seen[ext] = true
	}
	return shadow
}

// importKind upserts the records of one kind.
func importKind[T any](s *importState, e *entity[T], recs []T, h hooks[T]) (err error) {
	es, err := s.ext(e.table)
	if err != nil {
		return err
	}
	ext, maxID := es.m, es.max
	base := s.base[e.kind] // records of this kind in earlier batches, for positions in errors
	p := s.presence(e.kind, e.alias)
	upd, err := newUpdater(s, e, p)
	if err != nil {
		return err
	}
	defer upd.close()
	ins, err := s.bulk(e.table, insertCols(e))
	if err != nil {
		return err
	}
	defer ins.Stop()
	var insArgs []any
	shadow := lastOf(e, recs)
	if h.customer != nil {
		err := s.stubCustomers(func(yield func(string) bool) {
			for i := range recs {
				if shadow == nil || !shadow[i] {
					if ext, _ := h.customer(&recs[i]); !yield(ext) {
						return
					}
				}
			}
		})
		if err != nil {
			return err
		}
	}
	// The first batch of a kind decides whether its table's indexes are built again once
	// every batch is in.
	if !es.decided {
		es.decided = true
		if fresh := countNew(e, recs, ext); fresh >= bulkIndexMin && fresh >= len(ext) && s.db.d.DropIndexes != nil {
			rebuild, err := s.dropIndexes(e.table)
			if err != nil {
				return err
			}
			s.rebuilds = append(s.rebuilds, rebuild)
		}
	}
	// New external ids go into the map only when it is kept: lastOf has made the keys of the
	// records looked up below unique, so the loop itself never finds them (for 500,000 new
	// orders the map's growth cost 0.3 s). A stream remembers the others by their hash, for
	// its later batches.
	keep := s.keepExt(e.table)
	var nIns, nUpd, nSame int
	customs := func(x *T) map[string]string { return customOf(x) }
	done := func(r pendingUpdate[T], changed bool) {
		if changed {
			_, up := e.stamps(r.x)
			*up = s.now
		}
		upd := changed || r.child
		was, seen := es.counted[r.id]
		switch {
		case r.id > es.start: // inserted by an earlier batch of this import: counted there
			return
		case seen:
			// Updated by an earlier batch too (a product a later line names again): one
			// record, counted once, updated when any batch changed it.
			if upd && !was {
				nUpd++
				s.stats.Unchanged[e.kind]--
			}
		case upd:
			nUpd++
		default:
			nSame++
		}
		if s.stream {
			if es.counted == nil {
				es.counted = map[int64]bool{}
			}
			es.counted[r.id] = was || upd
		}
	}
	// fail reports a record's error, unless the updates queued before it fail first: the
	// error is then an earlier record's, as when each was updated at once.
	fail := func(err error) error {
		if uerr := upd.run(s, e.kind, customs, done); uerr != nil {
			return uerr
		}
		return err
	}
	for i := range recs {
		if shadow != nil && shadow[i] {
			continue
		}
		x := &recs[i]
		key := e.ext(x)
		id, exists := ext[key]
		if key == "" {
			exists = false
		} else if !exists && es.wrote != nil {
			if id, exists, err = s.find(es, e.table, key); err != nil {
				return fail(recordErr(e.kind, base+i, key, err))
			}
		}
		if !exists {
			id = 0
		}
		if !exists && !p.all && h.validate != nil {
			if err := h.validate(x, base+i+1); err != nil {
				return fail(err)
			}
		}
		if h.customer != nil {
			if err := s.customerRef(h.customer(x)); err != nil {
				return fail(recordErr(e.kind, base+i, key, err))
			}
		}
		if h.prep != nil {
			if err := h.prep(x, id); err != nil {
				return fail(recordErr(e.kind, base+i, key, err))
			}
		}
		if !exists {
			maxID++
			id = maxID
			switch {
			case key == "":
			case keep:
				ext[key] = id
			case s.stream:
				if es.wrote == nil {
					es.wrote, es.seed = map[uint64]int64{}, maphash.MakeSeed()
				}
				es.wrote[maphash.String(es.seed, key)] = id
			}
			cr, up := e.stamps(x)
			if cr.IsZero() {
				*cr = s.now
			} else {
				*cr = cr.UTC().Truncate(time.Millisecond)
			}
			*up = s.now
			insArgs = e.insertArgs(insArgs[:0], s.db.c, x, id)
			if err := ins.Add(insArgs...); err != nil {
				return recordErr(e.kind, base+i, key, s.db.dbError(err, "insert"))
			}
		}
		*e.id(x) = id
		childChanged := false
		if h.after != nil {
			if childChanged, err = h.after(x, id, !exists); err != nil {
				return fail(recordErr(e.kind, base+i, key, err))
			}
		}
		if !exists {
			nIns++
			continue
		}
		upd.queue(s, pendingUpdate[T]{i: base + i, key: key, x: x, id: id, child: childChanged}, customOf(x))
		if len(upd.pending) >= upd.per {
			if err := upd.run(s, e.kind, customs, done); err != nil {
				return err
			}
		}
	}
	if err := upd.run(s, e.kind, customs, done); err != nil {
		return err
	}
	if err := ins.Flush(); err != nil {
		return s.db.dbError(err, "import "+e.kind)
	}
	es.max = maxID
	s.stats.Inserted[e.kind] += nIns
	s.stats.Updated[e.kind] += nUpd
	s.stats.Unchanged[e.kind] += nSame
	if nIns+nUpd > 0 {
		s.changed = true
	}
	return nil
}

// keepExt reports whether importKind keeps the external ids of the rows it writes to table
// for later records that name them (customers, products, campaigns).
func (s *importState) keepExt(table string) bool {
	switch table {
	case "customers", "products", "campaigns":
		return true
	}
	return false
}

// bulkIndexMin is the number of new rows from which an import drops a table's secondary
// indexes and builds them again once the rows are in (when the new rows are at least as many
// as the old). Building an index from sorted keys is faster than inserting keys at random
// places one row at a time: importing 500,000 orders takes 4.1–4.6 s this way and 4.7–5.0 s
// with the indexes kept (BenchmarkImportCSV, three interleaved runs); the rebuild is 0.3 s of it.
const bulkIndexMin = 10_000

// countNew counts the records that an import will insert: those whose external id is empty or
// not yet stored.
func countNew[T any](e *entity[T], recs []T, ext map[string]int64) int {
	n := 0
	for i := range recs {
		key := e.ext(&recs[i])
		if _, ok := ext[key]; key == "" || !ok {
			n++
		}
	}
	return n
}

// dropIndexes drops the secondary indexes of table, as the dialect does, and returns the
// function that builds them again in the same transaction: readers never see the table without
// them. A unique index is checked when it is built again: the import matches external ids
// itself, and should two rows still share one, the rebuild fails and the import with it.
func (s *importState) dropIndexes(table string) (func() error, error) {
	rebuild, err := s.db.d.DropIndexes(s.ctx, s.tx, table)
	if err != nil {
		return nil, err
	}
	return func() error {
		if err := rebuild(); err != nil {
			return s.db.dbError(err, "rebuild index")
		}
		return nil
	}, nil
}

func insertCols[T any](e *entity[T]) string {
	cols := []string{"id"}
	for _, f := range e.writable() {
		cols = append(cols, f.col)
	}
	return strings.Join(append(cols, "created_at", "updated_at"), ", ")
}

// customOf returns the custom fields of customers and leads.
func customOf(x any) map[string]string {
	switch x := x.(type) {
	case *kexi.Customer:
		return x.Custom
	case *kexi.Lead:
		return x.Custom
	}
	return nil
}

func (s *importState) orders(recs []kexi.Order) (err error) {
	// The lines of a new order go in once every new order is in, so that each line finds its
	// order when SQLite checks its foreign key. The lines of an order already stored are
	// replaced when the import names them and they differ from the stored ones, which counts
	// the order as updated and stamps it.
	replace := s.presence(kexi.KindOrders, orders.alias).has("items")
	lines, err := s.bulk("order_items", itemCols)
	if err != nil {
		return err
	}
	defer lines.Stop()
	stored := &storedItems{ctx: s.ctx, tx: s.tx}
	var del, stamp *sql.Stmt
	defer func() {
		for _, st := range []*sql.Stmt{del, stamp} {
			if st != nil {
				st.Close()
			}
		}
	}()
	var fresh []*kexi.Order // the new orders with lines
	err = importKind(s, orders, recs, hooks[kexi.Order]{
		validate: validateOrder,
		customer: func(o *kexi.Order) (string, *int64) { return o.Customer, &o.CustomerID },
		prep: func(o *kexi.Order, id int64) error {
			for i := range o.Items {
				it := &o.Items[i]
				if it.ProductID == 0 {
					pid, err := s.productID(it.SKU)
					if err != nil {
						return err
					}
					it.ProductID = pid
				}
			}
			return nil
		},
		after: func(o *kexi.Order, id int64, isNew bool) (bool, error) {
			if isNew {
				if len(o.Items) > 0 {
					fresh = append(fresh, o)
				}
				return false, nil
			}
			if !replace {
				return false, nil
			}
			old, err := stored.take(id)
			if err != nil {
				return false, err
			}
			if slices.Equal(old, o.Items) {
				return false, nil
			}
			if del == nil {
				if del, err = s.tx.PrepareContext(s.ctx, "DELETE FROM order_items WHERE order_id = ?"); err != nil {
					return false, err
				}
				if stamp, err = s.tx.PrepareContext(s.ctx, "UPDATE orders SET updated_at = ? WHERE id = ?"); err != nil {
					return false, err
				}
			}
			if _, err := del.ExecContext(s.ctx, id); err != nil {
				return false, err
			}
			if _, err := stamp.ExecContext(s.ctx, s.now.UnixMilli(), id); err != nil {
				return false, err
			}
			o.UpdatedAt = s.now
			return true, addItems(lines, id, o.Items)
		},
	})
	if err != nil {
		return err
	}
	// Many new lines: the lines' secondary indexes are built again once they are in, as
	// importKind does for the orders themselves (decided by the first batch with orders).
	if n := len(fresh); !s.linesDecided {
		s.linesDecided = true
		if n >= bulkIndexMin && s.db.d.DropIndexes != nil {
			var all int
			if err := s.tx.QueryRowContext(s.ctx, "SELECT count(*) FROM orders").Scan(&all); err != nil {
				return err
			}
			if 2*n >= all {
				rebuild, err := s.dropIndexes("order_items")
				if err != nil {
					return err
				}
				s.rebuilds = append(s.rebuilds, rebuild)
			}
		}
	}
	for _, o := range fresh {
		if err := addItems(lines, o.ID, o.Items); err != nil {
			return err
		}
	}
	return lines.Flush()
}

func (s *importState) leads(recs []kexi.Lead) error {
	p := s.presence(kexi.KindLeads, leads.alias)
	stages := p.has("stage")
	// Repeated external ids: the last record wins, with the stage histories of all merged.
	last := map[string]int{}
	for i := range recs {
		if ext := recs[i].ExternalID; ext != "" {
			if j, ok := last[ext]; ok {
				recs[i].Stages = append(slices.Clone(recs[j].Stages), recs[i].Stages...)
			}
			last[ext] = i
		}
	}
	var existing map[int64][]kexi.StageEntry
	sb, err := s.bulk("lead_stages", "lead_id, stage, entered_at")
	if err != nil {
		return err
	}
	defer sb.Stop()
	err = importKind(s, leads, recs, hooks[kexi.Lead]{
		customer: func(l *kexi.Lead) (string, *int64) { return l.Customer, &l.CustomerID },
		prep: func(l *kexi.Lead, id int64) error {
			if id == 0 {
				at := l.CreatedAt
				if at.IsZero() {
					at = s.now
				}
				normalizeStages(l, at)
				if l.CreatedAt.IsZero() {
					l.CreatedAt = l.Stages[0].EnteredAt
				}
				return nil
			}
			if !stages {
				return nil
			}
			if existing == nil {
				var err error
				if existing, err = loadStages(s.ctx, s.tx); err != nil {
					return err
				}
			}
			normalizeStages(l, s.now)
			old := existing[id]
			merged := slices.Clone(old)
			var added []kexi.StageEntry
			for _, e := range l.Stages {
				if !slices.ContainsFunc(old, func(o kexi.StageEntry) bool { return o.Stage == e.Stage }) {
					merged = append(merged, e)
					added = append(added, e)
				}
			}
			slices.SortStableFunc(merged, func(a, b kexi.StageEntry) int { return a.EnteredAt.Compare(b.EnteredAt) })
			l.Stages = added // written by after
			if len(merged) > 0 {
				l.Stage = merged[len(merged)-1].Stage
			}
			return nil
		},
		after: func(l *kexi.Lead, id int64, isNew bool) (bool, error) {
			if !isNew && !stages {
				return false, nil
			}
			for _, e := range l.Stages {
				if err := sb.add(id, e.Stage, e.EnteredAt.UnixMilli()); err != nil {
					return false, err
				}
			}
			if !isNew {
				changed := len(l.Stages) > 0
				if old := existing[id]; changed || len(old) > 0 {
					l.Stages = append(slices.Clone(old), l.Stages...)
					slices.SortStableFunc(l.Stages, func(a, b kexi.StageEntry) int { return a.EnteredAt.Compare(b.EnteredAt) })
				}
				return changed, nil
			}
			return false, nil
		},
	})
	if err != nil {
		return err
	}
	return sb.Flush()
}

func (s *importState) competitors(recs []kexi.Competitor) error {
	p := s.presence(kexi.KindCompetitors, nil)
	shares := p.has("shares")
	var existing map[int64][]kexi.MarketShare
	return importKind(s, competitors, recs, hooks[kexi.Competitor]{
		after: func(c *kexi.Competitor, id int64, isNew bool) (bool, error) {
			if !isNew && !shares {
				return false, nil
			}
			slices.SortFunc(c.Shares, func(a, b kexi.MarketShare) int {
				return strings.Compare(a.Period+"\x00"+a.Region, b.Period+"\x00"+b.Region)
			})
			if !isNew {
				if existing == nil {
					existing = map[int64][]kexi.MarketShare{}
					all := []*kexi.Competitor{}
					rows, err := s.tx.QueryContext(s.ctx, "SELECT id FROM competitors")
					if err != nil {
						return false, err
					}
					for rows.Next() {
						var cid int64
						if err := rows.Scan(&cid); err != nil {
							rows.Close()
							return false, err
						}
						all = append(all, &kexi.Competitor{ID: cid})
					}
					rows.Close()
					if err := loadShares(s.ctx, s.tx, all); err != nil {
						return false, err
					}
					for _, x := range all {
						existing[x.ID] = x.Shares
					}
				}
				if slices.Equal(existing[id], c.Shares) {
					return false, nil
				}
			}
			c.ID = id
			return !isNew, writeShares(s.ctx, s.db, s.tx, c)
		},
	})
}

func (s *importState) customFields(fields []kexi.CustomField) error {
	for _, f := range fields {
		var choices any
		if len(f.Choices) > 0 {
			b, _ := json.Marshal(f.Choices)
			choices = string(b)
		}
		res, err := s.tx.ExecContext(s.ctx, `INSERT INTO custom_fields (entity, name, type, choices) VALUES (?, ?, ?, ?)
			ON CONFLICT(entity, name) DO UPDATE SET type = excluded.type, choices = excluded.choices
			WHERE custom_fields.type IS DISTINCT FROM excluded.type OR custom_fields.choices IS DISTINCT FROM excluded.choices`, f.Entity, f.Name, string(f.Type), choices)
		if err != nil {
			return fmt.Errorf("import custom field %s.%s: %w", f.Entity, f.Name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			s.changed = true
		}
	}
	return nil
}
