package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/kexi/kexi/sqlstore"
)

// bulk inserts rows a batch at a time with multi-row INSERT … VALUES (?, …), (?, …)
// statements, prepared once for each set of columns and number of rows. It saves the
// per-statement overhead that dominates single-row inserts.
//
// A batch leaves out the columns in which every row holds the column's default (a NULL
// external id, a zero discount, an empty city): binding and storing a value costs about the
// same whether or not it is the default, and imported files often leave half the columns empty.
type bulk struct {
	ctx   context.Context
	tx    *sql.Tx
	table string
	cols  []string
	def   []colDefault
	per   int
	args  []any // the queued rows, every column
	rows  int

	// A second goroutine runs the INSERTs while the caller prepares the next rows; the two
	// buffers of values to write pass between them. Other statements of the caller's
	// transaction may run in between (database/sql serialises them): an import relies only on
	// the rows being in once flush returns (its references are resolved before any row goes
	// in).
	jobs chan bulkJob
	free chan []any
	done chan struct{}
	err  error // the writer's first error; read after done or through failed
	mu   sync.Mutex
	// prepared counts the statements the writer prepared (read after flush).
	prepared int
}

// maxVars is the most values SQLite binds to one statement.
const maxVars = 32766

var _ sqlstore.Bulk = (*bulk)(nil)

// bulkRows is the number of rows one INSERT of n columns takes: bulkRowsMax, within maxVars.
func bulkRows(n int) int {
	return max(1, min(bulkRowsMax, maxVars/n))
}

// bulkRowsMax is the most rows one bulk INSERT takes. Importing 200,000 orders with 500,000
// lines (BenchmarkImport -orders 200000) took 5.1–5.4 s of CPU with 1,024 rows a statement,
// 5.6–5.8 s with 256 (three interleaved runs each); 3,640 (the most 9 columns allow) was no
// faster than 1,024.
const bulkRowsMax = 1024

// bulkJob is one INSERT for the writer: rows rows of the columns not in skip.
type bulkJob struct {
	skip uint64
	rows int
	out  []any
}

// colDefault is the value a column gets when an INSERT leaves it out.
type colDefault struct {
	ok  bool // the column has a default that the values written can be compared with
	val any  // nil (NULL), 0 or ""
}

func newBulk(ctx context.Context, tx *sql.Tx, table string, names []string) (*bulk, error) {
	if len(names) > 64 {
		return nil, fmt.Errorf("bulk insert into %s: %d columns, at most 64", table, len(names))
	}
	def, err := columnDefaults(ctx, tx, table, names)
	if err != nil {
		return nil, err
	}
	per := bulkRows(len(names))
	b := &bulk{ctx: ctx, tx: tx, table: table, cols: names, def: def, per: per,
		args: make([]any, 0, per*len(names)),
		jobs: make(chan bulkJob), free: make(chan []any, 2), done: make(chan struct{})}
	b.free <- make([]any, 0, per*len(names))
	b.free <- make([]any, 0, per*len(names))
	go b.writer(b.jobs)
	return b, nil
}

// writer runs the INSERTs, preparing one statement per set of columns left out. After an
// error it only hands buffers back.
func (b *bulk) writer(jobs <-chan bulkJob) {
	defer close(b.done)
	stmts := map[stmtKey]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for j := range jobs {
		if !b.failed() {
			if err := b.exec(stmts, j); err != nil {
				b.mu.Lock()
				b.err = err
				b.mu.Unlock()
			}
		}
		clear(j.out)
		b.free <- j.out[:0]
	}
}

// stmtKey names a prepared INSERT: the columns left out and the number of rows.
type stmtKey struct {
	skip uint64
	rows int
}

func (b *bulk) exec(stmts map[stmtKey]*sql.Stmt, j bulkJob) error {
	k := stmtKey{j.skip, j.rows}
	st := stmts[k]
	if st == nil {
		var err error
		if st, err = b.tx.PrepareContext(b.ctx, b.sql(j.skip, j.rows)); err != nil {
			return err
		}
		stmts[k] = st
		b.prepared++
	}
	_, err := st.ExecContext(b.ctx, j.out...)
	return err
}

func (b *bulk) failed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err != nil
}

// columnDefaults reads the defaults of the named columns of table from its schema. Only the
// defaults NULL (of a nullable column), 0 and ” are used; a column with another default, or
// with none, is always written.
func columnDefaults(ctx context.Context, tx *sql.Tx, table string, names []string) ([]colDefault, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name, \"notnull\", dflt_value FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byName := map[string]colDefault{}
	for rows.Next() {
		var name string
		var notNull bool
		var dflt sql.NullString
		if err := rows.Scan(&name, &notNull, &dflt); err != nil {
			return nil, err
		}
		switch {
		case !dflt.Valid && !notNull:
			byName[name] = colDefault{ok: true}
		case dflt.String == "0":
			byName[name] = colDefault{ok: true, val: 0}
		case dflt.String == "''":
			byName[name] = colDefault{ok: true, val: ""}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	def := make([]colDefault, len(names))
	for i, n := range names {
		def[i] = byName[n]
	}
	return def, nil
}

// isDefault reports whether v, as bound, stores the same as leaving the column out.
func (d colDefault) isDefault(v any) bool {
	if !d.ok {
		return false
	}
	switch d.val {
	case nil:
		return v == nil
	case "":
		s, ok := v.(string)
		return ok && s == ""
	}
	switch x := v.(type) {
	case int64:
		return x == 0
	case int:
		return x == 0
	case float64:
		return x == 0 && !math.Signbit(x)
	}
	return false
}

// Add queues one row's values (exactly one per column).
func (b *bulk) Add(args ...any) error {
	b.args = append(b.args, args...)
	return b.row()
}

// row counts a row whose values the caller appended to b.args directly.
func (b *bulk) row() error {
	b.rows++
	if b.rows < b.per {
		return nil
	}
	return b.write()
}

// write hands the queued rows to the writer.
func (b *bulk) write() error {
	if b.failed() {
		return b.Stop()
	}
	if b.rows == 0 {
		return nil
	}
	if b.jobs == nil {
		return fmt.Errorf("bulk insert into %s: rows added after flush", b.table)
	}
	n := len(b.cols)
	// Leave out the columns in which every queued row holds the default.
	var skip uint64
	for c := range b.cols {
		if !b.def[c].ok {
			continue
		}
		all := true
		for r := 0; r < b.rows && all; r++ {
			all = b.def[c].isDefault(b.args[r*n+c])
		}
		if all {
			skip |= 1 << c
		}
	}
	if skip == 1<<n-1 {
		skip = 0 // INSERT names at least one column
	}
	out := <-b.free
	for r := 0; r < b.rows; r++ {
		for c, v := range b.args[r*n : (r+1)*n] {
			if skip&(1<<c) == 0 {
				out = append(out, v)
			}
		}
	}
	b.jobs <- bulkJob{skip: skip, rows: b.rows, out: out}
	clear(b.args)
	b.args, b.rows = b.args[:0], 0
	return nil
}

// sql is the INSERT of rows rows of the columns not in skip.
func (b *bulk) sql(skip uint64, rows int) string {
	var cols []string
	for c, name := range b.cols {
		if skip&(1<<c) == 0 {
			cols = append(cols, name)
		}
	}
	return "INSERT INTO " + b.table + " (" + strings.Join(cols, ", ") + ") VALUES " + valueRows(len(cols), rows)
}

// valueRows is "(?, ?), (?, ?)": rows rows of n placeholders.
func valueRows(n, rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

// Flush writes the queued rows, waits until every row is in and stops the writer.
func (b *bulk) Flush() error {
	if err := b.write(); err != nil {
		return err
	}
	return b.Stop()
}

// Stop ends the writer, once, and returns its error. A caller that gives up before Flush
// (on an error of its own) defers it.
func (b *bulk) Stop() error {
	if b.jobs != nil {
		close(b.jobs)
		b.jobs = nil
	}
	<-b.done
	return b.err
}
