package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kexi/kexi/sqlstore"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is SQLite's SQL for the engine.
var dialect = &sqlstore.Dialect{
	Name: "sqlite",
	Contains: func(hay, needle string) string {
		return "instr(lower(" + hay + "), lower(" + needle + ")) > 0"
	},
	JSONText: func(col, name string) string {
		return "json_extract(" + col + ", '$.\"" + strings.ReplaceAll(name, "'", "''") + "\"')"
	},
	Number:   func(expr string) string { return "CAST(" + expr + " AS REAL)" },
	JSONEach: func(expr string) string { return "json_each(" + expr + ")" },
	MergePatch: func(col, patch string) string {
		return "nullif(json_patch(coalesce(" + col + ", '{}'), " + patch + "), '{}')"
	},
	JSONDiffers: func(a, b string) string { return a + " IS DISTINCT FROM " + b },
	Typed:       func(p, _ string) string { return p },
	Version:     "SELECT coalesce((SELECT value FROM meta WHERE key = 'data_version'), 0)",
	BumpVersion: `INSERT INTO meta (key, value) VALUES ('data_version', 1)
		ON CONFLICT(key) DO UPDATE SET value = meta.value + 1 RETURNING value`,
	BeginImport: beginImport,
	DropIndexes: dropIndexes,
	Bulk: func(ctx context.Context, _ *sql.Conn, tx *sql.Tx, table string, cols []string) (sqlstore.Bulk, error) {
		return newBulk(ctx, tx, table, cols)
	},
	Classify: classify,
}

// beginImport defers the foreign key checks of the import's transaction to its commit (the
// rows of one kind go in before or after those they name, a batch at a time), and gives a
// stream the smaller page cache streamCache.
func beginImport(ctx context.Context, tx *sql.Tx, stream bool) (func(), error) {
	if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
		return nil, err
	}
	if !stream {
		return func() {}, nil
	}
	return smallCache(ctx, tx)
}

// streamCache is the page cache (cache_size, in KiB when negative) a stream writes with.
// The writer's own 128 MiB held the import's pages in about twice that: importing 2.77
// million orders into a new database peaked at 1,197 MB RSS with it, 649 MB with 64 MiB, in the
// same CPU time (24.7 + 2.5 s and 24.0 + 2.8 s user + system, one run each in a row).
const streamCache = -65536

// smallCache gives the writer connection the stream's page cache for the transaction and
// returns the function that puts the old size back.
func smallCache(ctx context.Context, tx *sql.Tx) (func(), error) {
	var old int64
	if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&old); err != nil {
		return nil, err
	}
	if old >= 0 || old >= streamCache { // a size in pages, or one as small already
		return func() {}, nil
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", streamCache)); err != nil {
		return nil, err
	}
	// The transaction is still open when this runs (write rolls back or commits after fn).
	return func() { tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", old)) }, nil
}

// dropIndexes drops the indexes created by CREATE INDEX on table (not those SQLite makes for a
// UNIQUE column constraint, which cannot be dropped) and returns the function that creates
// them again.
func dropIndexes(ctx context.Context, tx *sql.Tx, table string) (func() error, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", table)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return nil, err
		}
	}
	return func() error {
		for _, def := range defs {
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// classify tells the engine what kind of failure an error of the driver is.
func classify(err error) sqlstore.ErrorKind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlstore.ErrOther
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ErrUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ErrForeignKey
	}
	if c := se.Code() & 0xff; c == sqlite3.SQLITE_CONSTRAINT || c == sqlite3.SQLITE_ERROR {
		return sqlstore.ErrData
	}
	return sqlstore.ErrOther
}
