package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// bulk inserts rows with multi-row INSERT statements: a prepared statement for full batches of
// rows and a one-off statement for the rest. It saves the per-statement overhead that
// dominates single-row inserts.
type bulk struct {
	ctx  context.Context
	tx   *sql.Tx
	head string // INSERT INTO t (cols) VALUES
	one  string // (?,?,…)
	ncol int
	per  int
	full *sql.Stmt
	args []any
	rows int
}

func newBulk(ctx context.Context, tx *sql.Tx, table, cols string) *bulk {
	n := strings.Count(cols, ",") + 1
	per := max(1, min(256, 16000/n))
	return &bulk{ctx: ctx, tx: tx, head: "INSERT INTO " + table + " (" + cols + ") VALUES ",
		one: "(" + placeholders(n) + ")", ncol: n, per: per, args: make([]any, 0, per*n)}
}

func (b *bulk) sql(rows int) string {
	return b.head + strings.TrimSuffix(strings.Repeat(b.one+",", rows), ",")
}

// add queues one row's values (exactly ncol of them, appended by the caller through addArgs).
func (b *bulk) add(args ...any) error {
	b.args = append(b.args, args...)
	return b.row()
}

// row counts a row whose values the caller appended to b.args directly.
func (b *bulk) row() error {
	b.rows++
	if b.rows < b.per {
		return nil
	}
	if b.full == nil {
		st, err := b.tx.PrepareContext(b.ctx, b.sql(b.per))
		if err != nil {
			return err
		}
		b.full = st
	}
	if _, err := b.full.ExecContext(b.ctx, b.args...); err != nil {
		return err
	}
	clear(b.args)
	b.args, b.rows = b.args[:0], 0
	return nil
}

// flush writes the queued rows and releases the prepared statement.
func (b *bulk) flush() error {
	defer func() {
		if b.full != nil {
			b.full.Close()
			b.full = nil
		}
	}()
	if b.rows == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(b.ctx, b.sql(b.rows), b.args...)
	b.args, b.rows = b.args[:0], 0
	return err
}
