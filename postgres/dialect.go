package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kexi/kexi/sqlstore"
)

// writeLock is the advisory lock key that serialises the store's write transactions.
const writeLock = 0x6b657869_0002

// dialect is PostgreSQL's SQL for the engine.
var dialect = &sqlstore.Dialect{
	Name: "postgres",
	Contains: func(hay, needle string) string {
		return "strpos(lower(" + hay + "), lower(" + needle + ")) > 0"
	},
	JSONText: func(col, name string) string {
		return "((" + col + "::json ->> '" + strings.ReplaceAll(name, "'", "''") + "') COLLATE \"C\")"
	},
	// A text that is not a number is 0, as SQLite's CAST makes it, rather than an error.
	Number: func(expr string) string {
		return "(CASE WHEN " + expr + ` ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$' THEN CAST(` +
			expr + " AS double precision) ELSE 0 END)"
	},
	JSONEach: func(expr string) string { return "json_array_elements_text(" + expr + "::json) AS j(value)" },
	MergePatch: func(col, patch string) string {
		return "nullif(jsonb_strip_nulls(coalesce(" + col + "::jsonb, '{}') || CAST(" + patch + " AS jsonb))::text, '{}')"
	},
	JSONDiffers: func(a, b string) string { return a + "::jsonb IS DISTINCT FROM (" + b + ")::jsonb" },
	Typed:       func(p, typ string) string { return "CAST(" + p + " AS " + typ + ")" },
	Version:     "SELECT coalesce((SELECT n FROM meta WHERE key = 'data_version'), 0)",
	BumpVersion: `INSERT INTO meta (key, n) VALUES ('data_version', 1)
		ON CONFLICT (key) DO UPDATE SET n = meta.n + 1 RETURNING n`,
	ReadIsolation: sql.LevelRepeatableRead,
	BeginWrite: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(writeLock))
		return err
	},
	BeginImport: func(ctx context.Context, tx *sql.Tx, _ bool) (func(), error) {
		_, err := tx.ExecContext(ctx, "SET CONSTRAINTS ALL DEFERRED")
		return func() {}, err
	},
	DropIndexes: dropIndexes,
	Bulk:        newCopy,
	InsertedIDs: syncIdentity,
	Savepoints:  true,
	Summary:     summary,
	Classify:    classify,
}

// dropIndexes drops the foreign keys and the secondary indexes of table (not those of its
// primary key and UNIQUE constraints) and returns the function that makes them again, in the
// same transaction. A foreign key made again checks every row with one join, where one checked
// row by row costs a lookup and a lock of the row it names: committing the Online Retail file's
// 406,829 lines took 9.9 s of checks. Readers of the table wait for the import's commit meanwhile
// (the store does this only when an import at least doubles a table of 10,000 rows or more).
func dropIndexes(ctx context.Context, tx *sql.Tx, table string) (func() error, error) {
	// Checks pending on rows written so far run now: a table with pending checks cannot be
	// altered.
	if _, err := tx.ExecContext(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
		return nil, err
	}
	keys, err := namedDefs(ctx, tx, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = CAST(? AS regclass) AND contype = 'f' ORDER BY conname`, table)
	if err != nil {
		return nil, err
	}
	indexes, err := namedDefs(ctx, tx, `SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
		WHERE x.indrelid = CAST(? AS regclass) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
		ORDER BY c.relname`, table)
	if err != nil {
		return nil, err
	}
	var drops, makes []string
	for _, k := range keys {
		id := pgx.Identifier{k[0]}.Sanitize()
		drops = append(drops, "ALTER TABLE "+table+" DROP CONSTRAINT "+id)
		makes = append(makes, "ALTER TABLE "+table+" ADD CONSTRAINT "+id+" "+k[1])
	}
	for _, x := range indexes {
		drops = append(drops, "DROP INDEX "+pgx.Identifier{x[0]}.Sanitize())
		makes = append([]string{x[1]}, makes...) // indexes first: the foreign keys' checks may use them
	}
	for _, q := range append(drops, "SET CONSTRAINTS ALL DEFERRED") {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	return func() error {
		for _, q := range makes {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// namedDefs runs query (of one placeholder, arg) and returns its rows of (name, definition).
func namedDefs(ctx context.Context, tx *sql.Tx, query string, arg any) ([][2]string, error) {
	rows, err := tx.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var nd [2]string
		if err := rows.Scan(&nd[0], &nd[1]); err != nil {
			return nil, err
		}
		out = append(out, nd)
	}
	return out, rows.Err()
}

// syncIdentity moves the identity sequence of table past the largest id, after an import wrote
// rows with ids of its own choosing.
func syncIdentity(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+table+"', 'id'), coalesce(max(id), 0) + 1, false) FROM "+table)
	if err != nil {
		return fmt.Errorf("%s ids: %w", table, err)
	}
	return nil
}

// classify tells the engine what kind of failure an error of the driver is.
func classify(err error) sqlstore.ErrorKind {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlstore.ErrOther
	}
	switch {
	case pe.Code == "23505":
		return sqlstore.ErrUnique
	case pe.Code == "23503":
		return sqlstore.ErrForeignKey
	case strings.HasPrefix(pe.Code, "22"):
		return sqlstore.ErrValue // data exceptions: a NUL or invalid UTF-8 in a text, a number out of range
	case strings.HasPrefix(pe.Code, "23"), pe.Code == "P0001":
		return sqlstore.ErrData // other integrity violations, RAISE in a trigger
	}
	return sqlstore.ErrOther
}

// copyRows is the most rows a COPY takes from memory at a time.
const copyRows = 8192

// copyIn is a bulk insert with COPY … FROM STDIN (binary) on the transaction's connection.
type copyIn struct {
	ctx   context.Context
	conn  *sql.Conn
	table pgx.Identifier
	cols  []string
	rows  [][]any
	vals  []any // the values of rows, one block
	err   error
}

func newCopy(ctx context.Context, conn *sql.Conn, _ *sql.Tx, table string, cols []string) (sqlstore.Bulk, error) {
	return &copyIn{ctx: ctx, conn: conn, table: pgx.Identifier{table}, cols: cols}, nil
}

func (c *copyIn) Add(args ...any) error {
	if c.err != nil {
		return c.err
	}
	if len(args) != len(c.cols) {
		return fmt.Errorf("copy into %s: %d values for %d columns", c.table.Sanitize(), len(args), len(c.cols))
	}
	if c.vals == nil {
		c.vals = make([]any, 0, copyRows*len(c.cols))
	}
	start := len(c.vals)
	c.vals = append(c.vals, args...)
	c.rows = append(c.rows, c.vals[start:len(c.vals):len(c.vals)])
	if len(c.rows) >= copyRows {
		return c.write()
	}
	return nil
}

// write copies the queued rows.
func (c *copyIn) write() error {
	if c.err != nil || len(c.rows) == 0 {
		return c.err
	}
	c.err = c.conn.Raw(func(dc any) error {
		pc, ok := dc.(*conn)
		if !ok {
			return fmt.Errorf("copy: not a pgx connection: %T", dc)
		}
		_, err := pc.Conn.Conn().CopyFrom(c.ctx, c.table, c.cols, pgx.CopyFromRows(c.rows))
		return err
	})
	clear(c.vals)
	c.vals, c.rows = c.vals[:0], c.rows[:0]
	return c.err
}

func (c *copyIn) Flush() error { return c.write() }

func (c *copyIn) Stop() error { return c.err }
