package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
)

// colType says how a column is filtered, sorted and compared.
type colType int

const (
	tText colType = iota
	tNum
	tInt
	tTime
	tBool
	tTags // a JSON array of strings: eq / ne / contains / in test membership
	tMac  // the keyed hash of an encrypted field: eq / ne / in only
	tBlob // ciphertext: neither filtered nor sorted
	tRef  // the external id of a referenced record, through an id column
	tJSON // the custom-field object: filtered as custom.NAME
)

// field is one column of an entity: its JSON name (used in filters, sorts and Batch.Present),
// its column, its type, and how to get the value to write (nil for filter-only fields).
type field[T any] struct {
	name string
	col  string
	typ  colType
	ref  string // tRef: the referenced table
	get  func(c *crypt, x *T) any
}

// scopeRule says how a kexi.Scope restricts an entity.
type scopeRule int

const (
	scopeNone     scopeRule = iota
	scopeSelf               // the customers table itself
	scopeCustomer           // rows hanging off a customer (customer_id)
	scopeLead               // leads: owner; region through the converted customer, else the lead's province
)

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// entity describes one table for the generic find / insert / update / delete code.
type entity[T any] struct {
	table  string
	kind   string
	fields []field[T]
	alias  map[string]string // Present names that mean another field ("customer" → "customer_id")
	query  []string          // columns searched by Filter.Query
	custom bool              // has a custom JSON column
	scope  scopeRule
	sel    string // select list over "t" (and joins in from)
	from   string
	scan   func(sc scanner, s *scanning, x *T) error
	// children, when set, reads the rows of child tables that find and byID return with
	// each record (an order's lines).
	children func(ctx context.Context, q querier, list []*T) error
	id       func(x *T) *int64
	ext      func(x *T) string
	stamps   func(x *T) (created, updated *time.Time)
	// created is true when created_at is domain data (leads) that an update may change.
	created bool
	// linkInGo is true when LoadDataset reads the table without the joins in from, which
	// fetch the external ids of the customer and campaign a row names: finishDataset fills
	// them from the Dataset's own customers and campaigns, which hold every one such a row
	// can name in the same scope. A join costs a b-tree search a row.
	linkInGo bool

	once sync.Once
	wr   []field[T]
}

// filterField finds the field a filter or sort names, including the implicit id, external_id,
// created_at and updated_at.
func (e *entity[T]) filterField(name string) (col string, typ colType, ref string, ok bool) {
	switch name {
	case "id":
		return "t.id", tInt, "", true
	case "external_id":
		return "t.external_id", tText, "", true
	case "created_at":
		return "t.created_at", tTime, "", true
	case "updated_at":
		return "t.updated_at", tTime, "", true
	}
	for _, f := range e.fields {
		if f.name == name && f.typ != tBlob && f.typ != tJSON {
			return "t." + f.col, f.typ, f.ref, true
		}
	}
	return "", 0, "", false
}

// where builds the WHERE clause (without the keyword, "1 = 1" when empty) of a filter.
func (e *entity[T]) where(db *DB, f kexi.Filter) (string, []any, error) {
	var parts []string
	var args []any
	if s, a := scopeSQL(e.scope, f.Scope); s != "" {
		parts = append(parts, s)
		args = append(args, a...)
	}
	for _, cond := range f.Where {
		s, a, err := e.cond(db, cond)
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, s)
		args = append(args, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" && len(e.query) > 0 {
		var ors []string
		for _, col := range e.query {
			ors = append(ors, db.d.Contains("t."+col, "?"))
			args = append(args, q)
		}
		parts = append(parts, "("+strings.Join(ors, " OR ")+")")
	}
	if len(parts) == 0 {
		return "1 = 1", nil, nil
	}
	return strings.Join(parts, " AND "), args, nil
}

// scopeSQL returns the condition that restricts rows of an entity to a scope, over alias t.
func scopeSQL(rule scopeRule, s kexi.Scope) (string, []any) {
	if !s.Restricted() {
		return "", nil
	}
	var cs []string
	var args []any
	if s.Owner != "" {
		cs = append(cs, "owner = ?")
		args = append(args, s.Owner)
	}
	if s.Region != "" {
		cs = append(cs, "province = ?")
		args = append(args, s.Region)
	}
	switch rule {
	case scopeSelf:
		return "t." + strings.Join(cs, " AND t."), args
	case scopeCustomer:
		return "t.customer_id IN (SELECT id FROM customers WHERE " + strings.Join(cs, " AND ") + ")", args
	case scopeLead:
		var out []string
		var a []any
		if s.Owner != "" {
			out = append(out, "t.owner = ?")
			a = append(a, s.Owner)
		}
		if s.Region != "" {
			// A converted lead is in its customer's region; one that has not converted, in
			// its own province.
			out = append(out, "(t.customer_id IN (SELECT id FROM customers WHERE province = ?) OR t.customer_id IS NULL AND t.province = ?)")
			a = append(a, s.Region, s.Region)
		}
		return strings.Join(out, " AND "), a
	}
	return "", nil
}

func invalidField(kind, name, reason string) error {
	return &kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("%s: %s", kind, reason),
		Problems: []kexi.FieldProblem{{Column: name, Reason: reason}}}
}

// customName returns the name of a custom field (custom.NAME), rejecting names that cannot be
// one.
func customName(kind, name string) (string, error) {
	n := strings.TrimPrefix(name, "custom.")
	if n == "" || strings.ContainsAny(n, "\"\\") {
		return "", invalidField(kind, name, fmt.Sprintf("%q is not a valid custom field name", n))
	}
	return n, nil
}

// cond builds one condition.
func (e *entity[T]) cond(db *DB, cond kexi.Cond) (string, []any, error) {
	if strings.HasPrefix(cond.Field, "custom.") {
		if !e.custom {
			return "", nil, invalidField(e.kind, cond.Field, fmt.Sprintf("%s have no custom fields", e.kind))
		}
		name, err := customName(e.kind, cond.Field)
		if err != nil {
			return "", nil, err
		}
		expr := db.d.JSONText("t.custom", name)
		typ := tText
		if cond.Op != kexi.Contains && allNumbers(cond) {
			typ = tNum
			expr = db.d.Number(expr)
		}
		return opSQL(db, e.kind, cond, expr, typ)
	}
	col, typ, ref, ok := e.filterField(cond.Field)
	if !ok {
		return "", nil, invalidField(e.kind, cond.Field, fmt.Sprintf("unknown field %q for %s", cond.Field, e.kind))
	}
	if typ == tRef {
		s, a, err := opSQL(db, e.kind, cond, "external_id", tText)
		if err != nil {
			return "", nil, err
		}
		return col + " IN (SELECT id FROM " + ref + " WHERE " + s + ")", a, nil
	}
	return opSQL(db, e.kind, cond, col, typ)
}

func allNumbers(cond kexi.Cond) bool {
	vals := []string{cond.Value}
	if cond.Op == kexi.In {
		vals = strings.Split(cond.Value, ",")
	}
	for _, v := range vals {
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return false
		}
	}
	return true
}

var sqlOps = map[kexi.Op]string{kexi.Eq: "=", kexi.Ne: "IS DISTINCT FROM", kexi.Lt: "<", kexi.Le: "<=", kexi.Gt: ">", kexi.Ge: ">="}

// opSQL builds "expr op ?" for one condition, converting the value to the column's type.
func opSQL(db *DB, kind string, cond kexi.Cond, expr string, typ colType) (string, []any, error) {
	bad := func(reason string) (string, []any, error) {
		return "", nil, &kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("%s: filter on %s: %s", kind, cond.Field, reason),
			Problems: []kexi.FieldProblem{{Column: cond.Field, Value: cond.Value, Reason: reason}}}
	}
	op := cond.Op
	if op == "" {
		op = kexi.Eq
	}
	if _, ok := sqlOps[op]; !ok && op != kexi.Contains && op != kexi.In {
		return bad(fmt.Sprintf("unknown operator %q", op))
	}
	vals := []string{cond.Value}
	if op == kexi.In {
		vals = strings.Split(cond.Value, ",")
		for i := range vals {
			vals[i] = strings.TrimSpace(vals[i])
		}
	}
	conv := make([]any, len(vals))
	for i, v := range vals {
		switch typ {
		case tText, tTags:
			conv[i] = v
		case tNum:
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsNaN(x) {
				return bad("expected a number")
			}
			conv[i] = x
		case tInt:
			x, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return bad("expected a whole number")
			}
			conv[i] = x
		case tBool:
			x, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return bad("expected true or false")
			}
			conv[i] = boolInt(x)
		case tMac:
			conv[i] = db.c.mac(v)
		case tTime:
			// handled below
		default:
			return bad("this field cannot be filtered")
		}
	}
	switch typ {
	case tTime:
		return timeSQL(cond, op, expr, bad)
	case tTags:
		in := "value = ?"
		switch op {
		case kexi.Contains:
			in = db.d.Contains("value", "?")
		case kexi.In:
			in = "value IN (" + placeholders(len(conv)) + ")"
		case kexi.Eq, kexi.Ne:
		default:
			return bad("tags take eq, ne, contains or in")
		}
		s := "EXISTS (SELECT 1 FROM " + db.d.JSONEach(expr) + " WHERE " + in + ")"
		if op == kexi.Ne {
			s = "NOT " + s
		}
		return s, conv, nil
	case tMac, tBool:
		if op != kexi.Eq && op != kexi.Ne && op != kexi.In {
			return bad("this field takes eq, ne or in")
		}
	}
	switch op {
	case kexi.Contains:
		if typ != tText {
			return bad("contains needs a text field")
		}
		return db.d.Contains(expr, "?"), conv, nil
	case kexi.In:
		return expr + " IN (" + placeholders(len(conv)) + ")", conv, nil
	}
	return expr + " " + sqlOps[op] + " ?", conv, nil
}

// timeSQL compares a time column with a date (2006-01-02, meaning that whole UTC day) or an
// RFC 3339 instant.
func timeSQL(cond kexi.Cond, op kexi.Op, expr string, bad func(string) (string, []any, error)) (string, []any, error) {
	parse := func(v string) (lo, hi int64, err error) {
		v = strings.TrimSpace(v)
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return t.UnixMilli(), t.AddDate(0, 0, 1).UnixMilli(), nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return 0, 0, err
		}
		return t.UnixMilli(), t.UnixMilli() + 1, nil
	}
	if op == kexi.In || op == kexi.Contains {
		var ors []string
		var args []any
		if op == kexi.Contains {
			return bad("dates take eq, ne, lt, le, gt, ge or in")
		}
		for _, v := range strings.Split(cond.Value, ",") {
			lo, hi, err := parse(v)
			if err != nil {
				return bad("expected a date (2006-01-02) or a time (RFC 3339)")
			}
			ors = append(ors, "("+expr+" >= ? AND "+expr+" < ?)")
			args = append(args, lo, hi)
		}
		return "(" + strings.Join(ors, " OR ") + ")", args, nil
	}
	lo, hi, err := parse(cond.Value)
	if err != nil {
		return bad("expected a date (2006-01-02) or a time (RFC 3339)")
	}
	switch op {
	case kexi.Eq:
		return "(" + expr + " >= ? AND " + expr + " < ?)", []any{lo, hi}, nil
	case kexi.Ne:
		return "(" + expr + " IS NULL OR " + expr + " < ? OR " + expr + " >= ?)", []any{lo, hi}, nil
	case kexi.Lt:
		return expr + " < ?", []any{lo}, nil
	case kexi.Le:
		return expr + " < ?", []any{hi}, nil
	case kexi.Gt:
		return expr + " >= ?", []any{hi}, nil
	case kexi.Ge:
		return expr + " >= ?", []any{lo}, nil
	}
	return bad(fmt.Sprintf("unknown operator %q", op))
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// orderBy builds the ORDER BY list of a sort ("-amount"); ties go by id. A missing value (NULL)
// sorts first ascending and last descending, as SQLite sorts it by default.
func (e *entity[T]) orderBy(db *DB, sort string) (string, error) {
	sort = strings.TrimSpace(sort)
	if sort == "" || sort == "id" {
		return "t.id", nil
	}
	if sort == "-id" {
		return "t.id DESC", nil
	}
	dir := " NULLS FIRST"
	name := sort
	if strings.HasPrefix(sort, "-") {
		dir, name = " DESC NULLS LAST", sort[1:]
	} else if strings.HasPrefix(sort, "+") {
		name = sort[1:]
	}
	if strings.HasPrefix(name, "custom.") && e.custom {
		n, err := customName(e.kind, name)
		if err != nil {
			return "", err
		}
		return db.d.JSONText("t.custom", n) + dir + ", t.id", nil
	}
	col, typ, _, ok := e.filterField(name)
	if !ok || typ == tTags || typ == tMac || typ == tRef {
		return "", invalidField(e.kind, name, fmt.Sprintf("cannot sort %s by %q", e.kind, name))
	}
	return col + dir + ", t.id", nil
}

// find runs a filter: the page of records and the total count before paging.
func (e *entity[T]) find(ctx context.Context, db *DB, f kexi.Filter) ([]*T, int, error) {
	where, args, err := e.where(db, f)
	if err != nil {
		return nil, 0, err
	}
	order, err := e.orderBy(db, f.Sort)
	if err != nil {
		return nil, 0, err
	}
	if f.Offset < 0 {
		return nil, 0, invalidField(e.kind, "offset", "offset must not be negative")
	}
	limit := f.Limit
	if limit == 0 {
		limit = kexi.DefaultLimit
	}
	tx, err := db.readTx(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("find %s: %w", e.kind, err)
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+e.table+" t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("find %s: %w", e.kind, err)
	}
	q := "SELECT " + e.sel + " FROM " + e.from + " WHERE " + where + " ORDER BY " + order
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, f.Offset)
	} else if f.Offset > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", math.MaxInt64, f.Offset)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find %s: %w", e.kind, err)
	}
	defer rows.Close()
	var out []*T
	sc := &scanning{c: db.c}
	for rows.Next() {
		x := new(T)
		if err := e.scan(rows, sc, x); err != nil {
			return nil, 0, fmt.Errorf("find %s: %w", e.kind, err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find %s: %w", e.kind, err)
	}
	rows.Close()
	if e.children != nil {
		if err := e.children(ctx, tx, out); err != nil {
			return nil, 0, fmt.Errorf("find %s: %w", e.kind, err)
		}
	}
	return out, total, nil
}

// byID reads one record; ENOTFOUND when there is none.
func (e *entity[T]) byID(ctx context.Context, q querier, c *crypt, id int64) (*T, error) {
	x := new(T)
	err := e.scan(q.QueryRowContext(ctx, "SELECT "+e.sel+" FROM "+e.from+" WHERE t.id = ?", id), &scanning{c: c}, x)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(e.kind, id)
	}
	if err != nil {
		return nil, fmt.Errorf("find %s %d: %w", e.kind, id, err)
	}
	if e.children != nil {
		if err := e.children(ctx, q, []*T{x}); err != nil {
			return nil, fmt.Errorf("find %s %d: %w", e.kind, id, err)
		}
	}
	return x, nil
}

// writable returns the fields written by insert and update.
func (e *entity[T]) writable() []field[T] {
	e.once.Do(func() {
		for _, f := range e.fields {
			if f.get != nil {
				e.wr = append(e.wr, f)
			}
		}
	})
	return e.wr
}

// insertSQL is the INSERT statement of one new row: every writable field and both stamps, the
// database choosing the id.
func (e *entity[T]) insertSQL() string {
	var cols []string
	for _, f := range e.writable() {
		cols = append(cols, f.col)
	}
	cols = append(cols, "created_at", "updated_at")
	return "INSERT INTO " + e.table + " (" + strings.Join(cols, ", ") + ") VALUES (" + placeholders(len(cols)) + ")"
}

// insertArgs appends the values of one record for insertSQL; id nil lets SQLite choose.
func (e *entity[T]) insertArgs(args []any, c *crypt, x *T, id any) []any {
	args = append(args, id)
	for _, f := range e.writable() {
		args = append(args, f.get(c, x))
	}
	cr, up := e.stamps(x)
	return append(args, cr.UnixMilli(), up.UnixMilli())
}

// insert writes a new record, filling ID, CreatedAt (unless set) and UpdatedAt.
func (e *entity[T]) insert(ctx context.Context, tx *sql.Tx, db *DB, x *T) error {
	now := db.stamp()
	cr, up := e.stamps(x)
	if cr.IsZero() {
		*cr = now
	} else {
		*cr = cr.UTC().Truncate(time.Millisecond)
	}
	*up = now
	var id int64
	err := tx.QueryRowContext(ctx, e.insertSQL()+" RETURNING id", e.insertArgs(nil, db.c, x, nil)[1:]...).Scan(&id)
	if err != nil {
		return db.dbError(err, "create "+strings.TrimSuffix(e.kind, "s"))
	}
	*e.id(x) = id
	return nil
}

// update rewrites every writable field of the record with x's ID; ENOTFOUND when absent.
func (e *entity[T]) update(ctx context.Context, tx *sql.Tx, db *DB, x *T) error {
	var sets []string
	var args []any
	for _, f := range e.writable() {
		sets = append(sets, f.col+" = ?")
		args = append(args, f.get(db.c, x))
	}
	now := db.stamp()
	if cr, _ := e.stamps(x); e.created && !cr.IsZero() {
		sets = append(sets, "created_at = ?")
		args = append(args, cr.UnixMilli())
	}
	args = append(args, now.UnixMilli(), *e.id(x))
	var created int64
	err := tx.QueryRowContext(ctx, "UPDATE "+e.table+" SET "+strings.Join(sets, ", ")+
		", updated_at = ? WHERE id = ? RETURNING created_at", args...).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(e.kind, *e.id(x))
	}
	if err != nil {
		return db.dbError(err, "update "+strings.TrimSuffix(e.kind, "s"))
	}
	cr, up := e.stamps(x)
	*cr, *up = time.UnixMilli(created).UTC(), now
	return nil
}

// del deletes one record; ENOTFOUND when absent.
func (e *entity[T]) del(ctx context.Context, db *DB, tx *sql.Tx, id int64) error {
	res, err := tx.ExecContext(ctx, "DELETE FROM "+e.table+" WHERE id = ?", id)
	if err != nil {
		return db.dbError(err, "delete "+strings.TrimSuffix(e.kind, "s"))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(e.kind, id)
	}
	return nil
}

// Generic service helpers used by every entity file.

func create[T any](ctx context.Context, db *DB, e *entity[T], x *T, validate func(*T) error, after func(tx *sql.Tx) error) error {
	if validate != nil {
		if err := validate(x); err != nil {
			return err
		}
	}
	return db.change(ctx, func(tx *sql.Tx, ch *changes) error {
		if err := save(ctx, tx, db, ch, e, x, true); err != nil {
			return err
		}
		if after != nil {
			return after(tx)
		}
		return nil
	})
}

func update[T any](ctx context.Context, db *DB, e *entity[T], x *T, validate func(*T) error, after func(tx *sql.Tx) error) error {
	if validate != nil {
		if err := validate(x); err != nil {
			return err
		}
	}
	return db.change(ctx, func(tx *sql.Tx, ch *changes) error {
		if err := save(ctx, tx, db, ch, e, x, false); err != nil {
			return err
		}
		if after != nil {
			return after(tx)
		}
		return nil
	})
}

func remove[T any](ctx context.Context, db *DB, e *entity[T], id int64) error {
	return db.change(ctx, func(tx *sql.Tx, ch *changes) error {
		if err := touch(ctx, tx, ch, e, id, true); err != nil {
			return err
		}
		return e.del(ctx, db, tx, id)
	})
}

// Value getters for field definitions.

func text[T any](get func(x *T) string) func(*crypt, *T) any {
	return func(_ *crypt, x *T) any { return get(x) }
}

func num[T any](get func(x *T) float64) func(*crypt, *T) any {
	return func(_ *crypt, x *T) any { return get(x) }
}

func when[T any](get func(x *T) time.Time) func(*crypt, *T) any {
	return func(_ *crypt, x *T) any { return ms(get(x)) }
}

func refID[T any](get func(x *T) int64) func(*crypt, *T) any {
	return func(_ *crypt, x *T) any {
		if v := get(x); v != 0 {
			return v
		}
		return nil
	}
}

// resolveRef sets *id from an external id of table when *id is 0; EINVALID when no record
// has it.
func resolveRef(ctx context.Context, tx *sql.Tx, table, col, ext string, id *int64) error {
	if *id != 0 || ext == "" {
		return nil
	}
	err := tx.QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE external_id = ?", ext).Scan(id)
	if errors.Is(err, sql.ErrNoRows) {
		reason := fmt.Sprintf("no %s has external id %q", strings.TrimSuffix(table, "s"), ext)
		return &kexi.Error{Code: kexi.EINVALID, Message: reason,
			Problems: []kexi.FieldProblem{{Column: col, Value: ext, Reason: reason}}}
	}
	return err
}

// save inserts or updates x in tx, recording what it touched in ch.
func save[T any](ctx context.Context, tx *sql.Tx, db *DB, ch *changes, e *entity[T], x *T, isNew bool) error {
	if !isNew {
		if err := touch(ctx, tx, ch, e, *e.id(x), false); err != nil {
			return err
		}
	}
	var err error
	if isNew {
		err = e.insert(ctx, tx, db, x)
	} else {
		err = e.update(ctx, tx, db, x)
	}
	if err != nil {
		return err
	}
	return touch(ctx, tx, ch, e, *e.id(x), false)
}

// saveChild creates or updates a record that refers to a customer by id or external id.
func saveChild[T any](ctx context.Context, db *DB, e *entity[T], x *T, custID *int64, custExt string,
	validate func(*T, int) error, isNew bool) error {
	if err := validate(x, 0); err != nil {
		return err
	}
	return db.change(ctx, func(tx *sql.Tx, ch *changes) error {
		if err := resolveRef(ctx, tx, "customers", "customer", custExt, custID); err != nil {
			return err
		}
		return save(ctx, tx, db, ch, e, x, isNew)
	})
}
