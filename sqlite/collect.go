package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// Reading a large table row by row through database/sql costs about 140 ns per column per
// row: the driver takes the connection's mutex twice for every value it hands out. The
// 16 columns of a million orders took 2.6 s so. collect instead runs one aggregate query,
// kexi_rows(handle, columns...), and SQLite hands each row's values to a Go function inside
// the statement, where reading a value takes no lock: the same million orders take 0.7 s.
//
// kexi_rows is registered with the driver once. Its first argument is a handle that names
// the Go function to call, so queries on several connections can run at once.

// rowFunc receives the values of one row. TEXT and BLOB values are views into SQLite's
// memory, valid only during the call: what is kept must be copied.
type rowFunc func(row []driver.Value) error

// rowSink is one running collect.
type rowSink struct {
	ctx context.Context
	fn  rowFunc
	err error // the first error fn returned, given back as it is
	n   int
}

var sinks = handles[*rowSink]{m: map[int64]*rowSink{}}

// handles names Go values by numbers that SQL can pass around: kexi_rows's first argument,
// kexi_src's h column.
type handles[T any] struct {
	sync.Mutex
	next int64
	m    map[int64]T
}

func (h *handles[T]) add(v T) int64 {
	h.Lock()
	defer h.Unlock()
	h.next++
	h.m[h.next] = v
	return h.next
}

func (h *handles[T]) get(n int64) (T, bool) {
	h.Lock()
	defer h.Unlock()
	v, ok := h.m[n]
	return v, ok
}

func (h *handles[T]) remove(n int64) {
	h.Lock()
	defer h.Unlock()
	delete(h.m, n)
}

func init() {
	sqlite.MustRegisterFunction("kexi_rows", &sqlite.FunctionImpl{
		NArgs:         -1,
		VolatileArgs:  true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &rowsAgg{}, nil },
	})
}

// rowsAgg is one evaluation of kexi_rows: it finds its sink from the first row's handle.
type rowsAgg struct{ s *rowSink }

func (a *rowsAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if a.s == nil {
		h, _ := args[0].(int64)
		if a.s, _ = sinks.get(h); a.s == nil {
			return errors.New("kexi_rows: unknown handle")
		}
	}
	s := a.s
	if s.err == nil {
		if s.n++; s.n%256 == 0 {
			s.err = s.ctx.Err() // the driver's interrupt can come too late for a short query
		}
	}
	if s.err == nil {
		s.err = s.fn(args[1:])
	}
	return s.err
}

func (a *rowsAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New("kexi_rows is not a window function")
}

func (a *rowsAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if a.s == nil {
		return int64(0), nil
	}
	return int64(a.s.n), nil
}

func (a *rowsAgg) Final(*sqlite.FunctionContext) {}

// collect runs "SELECT kexi_rows(?, cols) FROM rest" with args and calls fn with each row's
// values, in the order SQLite produces them. An error from fn ends the query and is returned
// as it is; so does ctx's error when ctx ends.
func collect(ctx context.Context, q querier, cols, rest string, args []any, fn rowFunc) error {
	s := &rowSink{ctx: ctx, fn: fn}
	h := sinks.add(s)
	defer sinks.remove(h)
	var n int64
	err := q.QueryRowContext(ctx, "SELECT kexi_rows(?, "+cols+") FROM "+rest, append([]any{h}, args...)...).Scan(&n)
	if s.err != nil {
		return s.err
	}
	if err == nil && n != int64(s.n) {
		err = fmt.Errorf("kexi_rows: %d rows counted, %d seen", n, s.n)
	}
	return err
}

// valueRow is a row of collect's values as a scanner, so that an entity's scan function can
// read it as it reads *sql.Rows. It converts as database/sql does for the types kexi scans
// into; strings and byte slices are copied, except into *sql.RawBytes.
type valueRow []driver.Value

func (r valueRow) Scan(dest ...any) error { return sharedRow{row: r}.Scan(dest...) }

// sharedRow is a valueRow whose text columns share one string per value while a column has
// few values (kinds, channels, reps, pages), through cols (nil: every text is copied): a
// Dataset then holds one copy of each, and reading them makes no garbage.
type sharedRow struct {
	row  valueRow
	cols *columnTexts
}

func (r sharedRow) Scan(dest ...any) error {
	if len(dest) != len(r.row) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r.row))
	}
	for i, d := range dest {
		if p, ok := d.(*string); ok {
			if v, ok := r.row[i].(string); ok {
				*p = r.cols.get(i, v)
				continue
			}
		}
		if err := assign(d, r.row[i]); err != nil {
			return fmt.Errorf("scan column %d: %w", i, err)
		}
	}
	return nil
}

// columnTexts shares the texts of each column, one memo a column.
type columnTexts struct{ cols []memo[string] }

// get returns v, which is only borrowed, as a string of its own or shared.
func (c *columnTexts) get(i int, v string) string {
	if c == nil {
		return strings.Clone(v)
	}
	for len(c.cols) <= i {
		c.cols = append(c.cols, memo[string]{})
	}
	s, _ := c.cols[i].get(v, func() (string, error) { return strings.Clone(v), nil })
	return s
}

// memo remembers values by text until it has seen memoMax different texts; from then on
// (ids, names, a date per record) it makes each value anew and holds nothing.
type memo[V any] struct {
	seen map[string]V
	many bool
}

const memoMax = 4096

// get returns the value remembered for key, a text that may be only borrowed, or else the
// value make gives, which it remembers.
func (m *memo[V]) get(key string, make func() (V, error)) (V, error) {
	if v, ok := m.seen[key]; ok {
		return v, nil
	}
	v, err := make()
	switch {
	case err != nil || m.many:
	case m.seen == nil:
		m.seen = map[string]V{strings.Clone(key): v}
	case len(m.seen) < memoMax:
		m.seen[strings.Clone(key)] = v
	default:
		m.seen, m.many = nil, true
	}
	return v, err
}

// assign stores v, one of the driver's value types (a volatile view for strings and bytes),
// in dest.
func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *sql.RawBytes:
		switch v := v.(type) {
		case nil:
			*d = nil
		case []byte:
			*d = v
		case string:
			*d = sql.RawBytes(v)
		default:
			return assign(d, []byte(str(v)))
		}
		return nil
	case *[]byte:
		switch v := v.(type) {
		case nil:
			*d = nil
		case []byte:
			*d = append([]byte(nil), v...)
		default:
			*d = []byte(str(v))
		}
		return nil
	case *any:
		switch v := v.(type) {
		case []byte:
			*d = append([]byte(nil), v...)
		case string:
			*d = strings.Clone(v)
		default:
			*d = v
		}
		return nil
	case sql.Scanner:
		switch w := v.(type) {
		case []byte:
			v = append([]byte(nil), w...)
		case string:
			v = strings.Clone(w)
		}
		return d.Scan(v)
	}
	if v == nil {
		return fmt.Errorf("converting NULL to %T is unsupported", dest)
	}
	switch d := dest.(type) {
	case *string:
		switch v := v.(type) {
		case string:
			*d = strings.Clone(v)
		default:
			*d = str(v)
		}
	case *int64:
		n, err := integer(v)
		*d = n
		return err
	case *int:
		n, err := integer(v)
		*d = int(n)
		return err
	case *float64:
		switch v := v.(type) {
		case float64:
			*d = v
		case int64:
			*d = float64(v)
		default:
			f, err := strconv.ParseFloat(str(v), 64)
			if err != nil {
				return fmt.Errorf("converting %q to float64: %w", str(v), err)
			}
			*d = f
		}
	case *bool:
		b, err := driver.Bool.ConvertValue(v)
		if err != nil {
			return err
		}
		*d = b.(bool)
	default:
		return fmt.Errorf("unsupported destination %T", dest)
	}
	return nil
}

// integer is v as an int64, when it is one exactly.
func integer(v driver.Value) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case float64:
		if n := int64(v); float64(n) == v {
			return n, nil
		}
	}
	n, err := strconv.ParseInt(str(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("converting %q to int64: %w", str(v), err)
	}
	return n, nil
}

// str is a driver value as text, a copy.
func str(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return strings.Clone(v)
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// rowReader reads typed values from a row of collect's, for the loads that take them one by
// one; the first error sticks. text and blob return views.
type rowReader struct {
	row []driver.Value
	err error
}

func (r *rowReader) fail(i int, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("column %d: %T is not %s", i, r.row[i], want)
	}
}

func (r *rowReader) int(i int) int64 {
	n, ok := r.row[i].(int64)
	if !ok {
		r.fail(i, "an integer")
	}
	return n
}

func (r *rowReader) float(i int) float64 {
	switch v := r.row[i].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	r.fail(i, "a number")
	return 0
}

func (r *rowReader) text(i int) string {
	s, ok := r.row[i].(string)
	if !ok {
		r.fail(i, "text")
	}
	return s
}

// blob is a BLOB column's bytes; nil for NULL.
func (r *rowReader) blob(i int) []byte {
	switch v := r.row[i].(type) {
	case nil:
		return nil
	case []byte:
		return v
	}
	r.fail(i, "a blob")
	return nil
}
