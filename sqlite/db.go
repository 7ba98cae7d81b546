// Package sqlite implements kexi's services on an embedded SQLite database (modernc.org/sqlite,
// pure Go). One file holds everything; it runs in WAL mode with foreign keys on, one writer
// connection and a small pool of readers, so an HTTP server may use one *DB from many goroutines.
//
// The services themselves are the engine of package sqlstore, shared with the PostgreSQL store;
// this package holds what is SQLite's own: Open with its pragmas and connection pools, the
// migrations (migration/*.sql, applied on open), its dialect (bulk inserts as multi-row
// VALUES, index rebuilds after large imports), and backups of the file (VACUUM INTO, Restore).
// See package sqlstore for how values are stored, scopes and deletes.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlstore"
	_ "modernc.org/sqlite" // the driver
)

//go:embed migration/*.sql
var migrations embed.FS

// Options configure Open.
type Options struct {
	// Key is the 32-byte key that encrypts personal fields (phone, e-mail). Required; keep it
	// outside the database.
	Key []byte
	// Now returns the current time for created_at / updated_at stamps; nil means time.Now.
	Now func() time.Time
	// Readers is the size of the read connection pool; 0 means max(4, GOMAXPROCS).
	Readers int
	// NoMmap makes the connections read the file rather than map it into memory. Mapped
	// pages read are counted in the process's resident memory (up to the file's size) for as
	// long as the store is open; a one-shot reader such as `kexi analyze` is better off
	// without, for about 0.3 s more CPU on a 700 MB file.
	NoMmap bool
}

// DB is a kexi store on one SQLite file. It implements kexi.Store through the engine it
// embeds (package sqlstore), and adds what is SQLite's own: backups of the file.
type DB struct {
	*sqlstore.DB
	path string
	w    *sql.DB // the writer pool of the engine: one connection
	now  func() time.Time
}

var _ kexi.Store = (*DB)(nil)

// Open opens (creating when absent) the database file at path, applies pending migrations and
// checks the key. It returns EINVALID when the key is missing, not 32 bytes long, or not the
// key the database was created with.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if len(opts.Key) == 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "open %s: an encryption key for personal fields is required (32 bytes)", path)
	}
	if len(opts.Key) != 32 {
		return nil, kexi.Errorf(kexi.EINVALID, "the encryption key must be 32 bytes, not %d", len(opts.Key))
	}
	if path == "" {
		return nil, kexi.Errorf(kexi.EINVALID, "open: the database path is empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{path: abs, now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	mmap := "2147483648"
	if opts.NoMmap {
		mmap = "0"
	}
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=temp_store(MEMORY)&_pragma=mmap_size(" + mmap + ")"
	u := url.URL{Scheme: "file", Path: abs}
	base := u.String()
	db.w, err = sql.Open("sqlite", base+"?"+common+"&_pragma=cache_size(-131072)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	// A new file gets 16 KiB pages (fewer B-tree levels and a quarter of the writes per
	// commit; an existing file keeps its own), then WAL. The driver runs its _pragma options in
	// alphabetical order, journal_mode before page_size, which would fix the page size first.
	for _, q := range []string{"PRAGMA page_size = 16384", "PRAGMA journal_mode = WAL"} {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			db.w.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	if err := db.migrate(ctx); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open %s: migrate: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"?"+common+"&_pragma=query_only(1)&_pragma=cache_size(-32768)")
	if err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := opts.Readers
	if n <= 0 {
		n = max(4, runtime.GOMAXPROCS(0))
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.DB, err = sqlstore.New(sqlstore.Config{W: db.w, R: r, Key: opts.Key, Now: func() time.Time { return db.now() }, Dialect: dialect, Name: db.path})
	if err == nil {
		err = db.CheckKey(ctx)
	}
	if err != nil {
		r.Close()
		db.w.Close()
		return nil, err
	}
	return db, nil
}

// createPrivate creates an empty database file at path with mode 0600 when there is none.
// SQLite would create it 0644 (less the umask), and gives the -wal and -shm files the mode of
// the database file: all three hold personal data in the clear, so only their owner may read
// them. An empty file is a valid empty database. An existing file keeps its mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Backup writes a consistent copy of the database to dst (which must not exist) with
// VACUUM INTO. The copy opens with the same key.
func (db *DB) Backup(ctx context.Context, dst string) error {
	if _, err := db.w.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	return nil
}

// goSteps are the parts of migrations written in Go, by migration number: each runs after its
// migration's SQL, in the same transaction.
var goSteps = map[int]func(context.Context, *sql.Tx) error{
	2: keepV1Lines, // migration_0006.go
	6: unpackLines,
}

// migrate applies every embedded migration newer than the schema version, each in its own
// transaction.
func (db *DB) migrate(ctx context.Context) error {
	return db.migrateTo(ctx, math.MaxInt)
}

// migrateTo applies the migrations not applied yet, up to number last.
func (db *DB) migrateTo(ctx context.Context, last int) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	// Every migration not applied yet runs, in number order: one numbered below the latest
	// applied (two branches that took the next numbers) runs too.
	done := map[int]bool{}
	vs, err := db.w.QueryContext(ctx, "SELECT version FROM schema_version")
	if err != nil {
		return err
	}
	for vs.Next() {
		var v int
		if err := vs.Scan(&v); err != nil {
			vs.Close()
			return err
		}
		done[v] = true
	}
	if err := vs.Err(); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	applied := false
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if done[v] || v > last {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if step := goSteps[v]; step != nil {
			if err := step(ctx, tx); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %s: %w", base, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", v, db.now().UnixMilli()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		applied = true
	}
	if !applied {
		return nil
	}
	return db.compact(ctx)
}

// compact rewrites the file when more than a quarter of it is free pages, as after a migration
// that rebuilt a large table (the old pages would otherwise keep the file at nearly twice its
// size until new rows fill them).
func (db *DB) compact(ctx context.Context) error {
	var free, pages int64
	if err := db.w.QueryRowContext(ctx, "SELECT freelist_count, page_count FROM pragma_freelist_count, pragma_page_count").Scan(&free, &pages); err != nil {
		return err
	}
	if free*4 <= pages {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("compact after migrating: %w", err)
	}
	return nil
}
