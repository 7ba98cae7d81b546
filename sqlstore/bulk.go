package sqlstore

import (
	"context"
	"database/sql"
	"strings"
)

// maxVars is the most values the engine binds to one statement: SQLite's limit (PostgreSQL's
// is 65,535).
const maxVars = 32766

// bulk starts a bulk insert into the columns cols (comma-separated) of table in tx: the
// dialect's when the connection of tx is known, else one prepared INSERT a row (for the few
// rows of one record).
func (db *DB) bulk(ctx context.Context, conn *sql.Conn, tx *sql.Tx, table, cols string) (*bulkRows, error) {
	names := strings.Split(cols, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	if conn != nil && db.d.Bulk != nil {
		b, err := db.d.Bulk(ctx, conn, tx, table, names)
		if err != nil {
			return nil, err
		}
		return &bulkRows{Bulk: b}, nil
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+strings.Join(names, ", ")+") VALUES ("+placeholders(len(names))+")")
	if err != nil {
		return nil, err
	}
	return &bulkRows{Bulk: &rowInsert{ctx: ctx, st: st}}, nil
}

// bulkRows is a Bulk whose add takes a row's values as arguments without allocating them a
// slice each (those of an interface's variadic method escape): it copies them into one buffer.
type bulkRows struct {
	Bulk
	buf []any
}

func (b *bulkRows) add(args ...any) error {
	b.buf = append(b.buf[:0], args...)
	err := b.Add(b.buf...)
	clear(b.buf)
	return err
}

// rowInsert is a Bulk that inserts each row at once.
type rowInsert struct {
	ctx context.Context
	st  *sql.Stmt
	err error
}

func (b *rowInsert) Add(args ...any) error {
	if b.err == nil {
		_, b.err = b.st.ExecContext(b.ctx, args...)
	}
	return b.err
}

func (b *rowInsert) Flush() error { return b.Stop() }

func (b *rowInsert) Stop() error {
	if b.st != nil {
		b.st.Close()
		b.st = nil
	}
	return b.err
}

// sqlType is the SQL type of the values of a column of type t (Dialect.Typed).
func (t colType) sqlType() string {
	switch t {
	case tNum:
		return "double precision"
	case tInt, tTime, tBool, tRef:
		return "bigint"
	case tMac, tBlob:
		return "bytea"
	}
	return "text"
}
