// Package sqlite implements kexi's services on an embedded SQLite database (modernc.org/sqlite,
// pure Go). One file holds everything; it runs in WAL mode with foreign keys on, one writer
// connection and a small pool of readers, so an HTTP server may use one *DB from many goroutines.
//
// Times are stored as INTEGER unix milliseconds in UTC, so they come back truncated to the
// millisecond. Customer phone numbers and e-mail addresses are encrypted at rest with
// AES-256-GCM under the key given to Open (a random nonce per value) and carry a keyed hash
// beside them, so that equality filters and no-op detection work without decrypting.
//
// Scope: Find* and LoadDataset enforce Filter.Scope / the scope they are given. Find*ByID does
// not know who asks; the HTTP layer checks a record it fetched by ID against the user's scope.
//
// Deleting a customer deletes its orders (with their items), interactions, web events, survey
// responses and campaign responses (ON DELETE CASCADE); leads converted to it keep existing with
// no customer. Deleting a campaign deletes its responses; deleting a product leaves order lines
// with their SKU and no product id.
package sqlite

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
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
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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

// DB is a kexi store on one SQLite file. It implements kexi.Store.
type DB struct {
	path  string
	w     *sql.DB // one connection: every write goes through it
	r     *sql.DB // read-only pool
	c     *crypt
	key   []byte // for a backup that includes it
	now   func() time.Time
	close func() error
}

var _ kexi.Store = (*DB)(nil)

// Open opens (creating when absent) the database file at path, applies pending migrations and
// checks the key. It returns EINVALID when the key is missing, not 32 bytes long, or not the
// key the database was created with.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if len(opts.Key) == 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "open %s: an encryption key for personal fields is required (32 bytes)", path)
	}
	c, err := newCrypt(opts.Key)
	if err != nil {
		return nil, err
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
	db := &DB{path: abs, c: c, key: append([]byte(nil), opts.Key...), now: opts.Now}
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
	if err := db.checkKey(ctx); err != nil {
		db.w.Close()
		return nil, err
	}
	db.r, err = sql.Open("sqlite", base+"?"+common+"&_pragma=query_only(1)&_pragma=cache_size(-32768)")
	if err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := opts.Readers
	if n <= 0 {
		n = max(4, runtime.GOMAXPROCS(0))
	}
	db.r.SetMaxOpenConns(n)
	db.r.SetMaxIdleConns(n)
	db.close = func() error { return errors.Join(db.r.Close(), db.w.Close()) }
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

// Close closes the database. Pending reads fail; the file stays consistent.
func (db *DB) Close() error {
	if db == nil || db.close == nil {
		return nil
	}
	err := db.close()
	db.close = nil
	return err
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

// checkKey stores a check value of the key in a new database and compares it in an existing
// one, so that a wrong key fails at Open instead of garbling personal fields later.
func (db *DB) checkKey(ctx context.Context) error {
	m := hmac.New(sha256.New, db.c.macKey)
	m.Write([]byte("kexi key check"))
	want := m.Sum(nil)
	var got []byte
	err := db.w.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'key_check'").Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = db.w.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('key_check', ?)", want)
		return err
	}
	if err != nil {
		return err
	}
	if !hmac.Equal(got, want) {
		return kexi.Errorf(kexi.EINVALID, "open %s: the encryption key does not match the one this database was created with", db.path)
	}
	return nil
}

// stamp returns the current time in UTC truncated to the millisecond, as stored.
func (db *DB) stamp() time.Time { return db.now().UTC().Truncate(time.Millisecond) }

// write runs fn in one write transaction, bumping the data version when bump is true and
// fn succeeded. A write that bumps it logs that everything may have changed: writes to data
// the analyses read use change, which logs what they touched.
func (db *DB) write(ctx context.Context, bump bool, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if bump {
		if err := logChanges(ctx, tx, &changes{all: true}); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// DataVersion returns a counter that increases with every committed change to the data the
// analyses read (entities, imports, settings). Users, sessions and the audit log do not move it.
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	v, err := dataVersion(ctx, db.r)
	if err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}

// dataVersion reads the data version as q sees it: 0 before the first change.
func dataVersion(ctx context.Context, q querier) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM meta WHERE key = 'data_version'), 0)").Scan(&v)
	return v, err
}

// dbError turns constraint violations into kexi errors; other errors pass through wrapped.
func dbError(err error, what string) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &kexi.Error{Code: kexi.ECONFLICT, Message: what + ": the external id is already taken"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &kexi.Error{Code: kexi.EINVALID, Message: what + ": it refers to a record that does not exist"}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound returns the ENOTFOUND error for one record.
func notFound(kind string, id int64) error {
	return kexi.Errorf(kexi.ENOTFOUND, "%s %d not found", strings.TrimSuffix(kind, "s"), id)
}

// ms converts a time to stored milliseconds, NULL for the zero time.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS converts stored milliseconds back to a UTC time.
func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// nullStr stores an empty string as NULL (external ids, so the unique index skips them).
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
