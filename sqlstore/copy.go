package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kexi/kexi"
)

// copyTables are the tables Copy moves, each after the tables it refers to. The change log is
// not copied (the copy is one change of everything), nor meta but the settings (the data
// version and the key check are the destination's own).
var copyTables = []string{
	"customers", "products", "campaigns", "orders", "order_items", "interactions", "events",
	"surveys", "leads", "lead_stages", "responses", "competitors", "market_shares", "swot",
	"custom_fields", "users", "sessions", "audit", "saved_views",
}

// CopyTables returns the tables Copy copies, and those it leaves out on purpose (the
// destination keeps its own). A store's test checks that together they are all its tables,
// so that a table added by a migration is not forgotten by backups of PostgreSQL.
func CopyTables() (copied, left []string) {
	return append([]string(nil), copyTables...), []string{"meta", "change_log", "schema_version"}
}

// noID are the tables of copyTables without an id column of their own.
var noID = map[string]bool{"order_items": true, "lead_stages": true, "market_shares": true, "custom_fields": true, "sessions": true}

// Copy copies everything src holds into dst, which must be empty, and returns the rows copied
// per table. Both must have been opened with the same key: personal fields are copied as they
// are stored, encrypted. src is read in one snapshot and dst written in one transaction, which
// moves its data version on, as an import does; so a copy is all of src at one moment, or
// nothing. It returns EINVALID when dst already holds records or the keys differ.
func Copy(ctx context.Context, dst, src *DB) (map[string]int64, error) {
	if string(dst.key) != string(src.key) {
		return nil, kexi.Errorf(kexi.EINVALID, "copy %s into %s: the two databases have different encryption keys", src.name, dst.name)
	}
	rtx, err := src.readTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	defer rtx.Rollback()
	counts := map[string]int64{}
	err = dst.writeConn(ctx, true, func(conn *sql.Conn, tx *sql.Tx) error { // serial: it writes the analysed data
		for _, t := range copyTables {
			var any int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+t+" LIMIT 1").Scan(&any)
			if err == nil {
				return kexi.Errorf(kexi.EINVALID, "copy into %s: it is not empty (table %s has rows): copy into a new database", dst.name, t)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%s: %w", t, err)
			}
		}
		if dst.d.BeginImport != nil {
			done, err := dst.d.BeginImport(ctx, tx, true)
			if err != nil {
				return err
			}
			defer done()
		}
		// The destination is empty: each table loads faster without its foreign keys and
		// secondary indexes, which are made again, and checked once, at the end.
		var rebuild []func() error
		for _, t := range copyTables {
			if dst.d.DropIndexes != nil {
				again, err := dst.d.DropIndexes(ctx, tx, t)
				if err != nil {
					return fmt.Errorf("copy %s: %w", t, err)
				}
				rebuild = append(rebuild, again)
			}
			n, err := copyTable(ctx, dst, conn, tx, rtx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			counts[t] = n
			if n > 0 && dst.d.InsertedIDs != nil && !noID[t] {
				if err := dst.d.InsertedIDs(ctx, tx, t); err != nil {
					return err
				}
			}
		}
		for i, again := range rebuild {
			if err := again(); err != nil {
				return fmt.Errorf("copy %s: %w", copyTables[i], err)
			}
		}
		var settings []byte
		err := rtx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'settings'").Scan(&settings)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("copy settings: %w", err)
		default:
			if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('settings', ?) "+
				"ON CONFLICT(key) DO UPDATE SET value = excluded.value", settings); err != nil {
				return fmt.Errorf("copy settings: %w", err)
			}
		}
		// One change of everything: the data version moves on, and caches reload.
		return dst.logChanges(ctx, tx, &changes{all: true})
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// copyTable copies the rows of table t, every column of src's, from rtx to tx.
func copyTable(ctx context.Context, dst *DB, conn *sql.Conn, tx, rtx *sql.Tx, t string) (int64, error) {
	rows, err := rtx.QueryContext(ctx, "SELECT * FROM "+t)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	b, err := dst.bulk(ctx, conn, tx, t, strings.Join(cols, ", "))
	if err != nil {
		return 0, err
	}
	defer b.Stop()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if err := b.Add(vals...); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, b.Flush()
}
