// Package sqlstore implements kexi's services on a SQL database: the engine both stores share
// (entity descriptors, filters, the import engine, the change log, dataset loading). Each
// store gives its SQL dialect (Dialect): package sqlite for the embedded database, package
// postgres for PostgreSQL. The SQL is written with ? placeholders; a store whose driver wants
// another style rewrites them.
//
// Times are stored as integer unix milliseconds in UTC, so they come back truncated to the
// millisecond. Customer phone numbers and e-mail addresses are encrypted at rest with
// AES-256-GCM under the key given to New (a random nonce per value) and carry a keyed hash
// beside them, so that equality filters and no-op detection work without decrypting.
//
// Scope: Find* and LoadDataset enforce Filter.Scope / the scope they are given. Find*ByID does
// not know who asks; the HTTP layer checks a record it fetched by ID against the user's scope.
//
// Deleting a customer deletes its orders (with their items), interactions, web events, survey
// responses and campaign responses (ON DELETE CASCADE); leads converted to it keep existing with
// no customer. Deleting a campaign deletes its responses; deleting a product leaves order lines
// with their SKU and no product id.
package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kexi/kexi"
)

// Config configures New.
type Config struct {
	// W is the pool every write goes through; R the pool reads go through (W when nil).
	W, R *sql.DB
	// Key is the 32-byte key that encrypts personal fields (phone, e-mail).
	Key []byte
	// Now returns the current time for created_at / updated_at stamps; nil means time.Now.
	Now func() time.Time
	// Dialect is the SQL of the database.
	Dialect *Dialect
	// Name names the database in errors (a path, a host).
	Name string
}

// DB is a kexi store on one SQL database. It implements kexi.Store.
type DB struct {
	name string
	w    *sql.DB // every write goes through it
	r    *sql.DB // reads
	c    *crypt
	key  []byte
	now  func() time.Time
	d    *Dialect

	closed atomic.Bool
}

var _ kexi.Store = (*DB)(nil)

// New returns the store on the database of cfg, whose schema is up to date. It returns
// EINVALID when the key is missing or not 32 bytes long.
func New(cfg Config) (*DB, error) {
	if len(cfg.Key) == 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "open %s: an encryption key for personal fields is required (32 bytes)", cfg.Name)
	}
	c, err := newCrypt(cfg.Key)
	if err != nil {
		return nil, err
	}
	db := &DB{name: cfg.Name, w: cfg.W, r: cfg.R, c: c, key: append([]byte(nil), cfg.Key...), now: cfg.Now, d: cfg.Dialect}
	if db.r == nil {
		db.r = db.w
	}
	if db.now == nil {
		db.now = time.Now
	}
	return db, nil
}

// CheckKey checks that the key is the one the database was created with: it stores a check
// value of the key in a new database and compares it in an existing one, so that a wrong key
// fails at open instead of garbling personal fields later. EINVALID when it is not.
func (db *DB) CheckKey(ctx context.Context) error {
	m := hmac.New(sha256.New, db.c.macKey)
	m.Write([]byte("kexi key check"))
	want := m.Sum(nil)
	return db.write(ctx, func(tx *sql.Tx) error {
		// A store opening a new database at the same time may store its own first.
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('key_check', ?) ON CONFLICT (key) DO NOTHING", want); err != nil {
			return err
		}
		var got []byte
		if err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'key_check'").Scan(&got); err != nil {
			return err
		}
		if !hmac.Equal(got, want) {
			return kexi.Errorf(kexi.EINVALID, "open %s: the encryption key does not match the one this database was created with", db.name)
		}
		return nil
	})
}

// Close closes the database's pools. Pending reads fail; the database stays consistent.
func (db *DB) Close() error {
	if db == nil || db.w == nil || db.closed.Swap(true) {
		return nil
	}
	var errs []error
	if db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	return errors.Join(errs...)
}

// Writer is the pool writes go through, for the store's own statements (backups, migrations).
func (db *DB) Writer() *sql.DB { return db.w }

// Reader is the pool reads go through.
func (db *DB) Reader() *sql.DB { return db.r }

// Key is the key personal fields are encrypted with.
func (db *DB) Key() []byte { return db.key }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// Decrypt opens a personal field as stored.
func (db *DB) Decrypt(b []byte) (string, error) { return db.c.open(b) }

// stamp returns the current time in UTC truncated to the millisecond, as stored.
func (db *DB) stamp() time.Time { return db.now().UTC().Truncate(time.Millisecond) }

// write runs fn in one write transaction, for what the analyses do not read (users, sessions,
// the audit log, saved views): writes to data the analyses read use change, which serialises
// them and logs what they touched.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.writeConn(ctx, false, func(_ *sql.Conn, tx *sql.Tx) error { return fn(tx) })
}

// writeConn runs fn in one write transaction, giving it the connection of the transaction too
// (for the dialect's bulk insert, which may need the driver's connection). A serial write
// (one to the data the analyses read) runs the dialect's BeginWrite first: an import chooses
// the ids of its new rows itself, and the data version moves one write at a time.
func (db *DB) writeConn(ctx context.Context, serial bool, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if serial && db.d.BeginWrite != nil {
		if err := db.d.BeginWrite(ctx, tx); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := fn(conn, tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// readTx begins a read transaction that sees one snapshot.
func (db *DB) readTx(ctx context.Context) (*sql.Tx, error) {
	return db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: db.d.ReadIsolation})
}

// DataVersion returns a counter that increases with every committed change to the data the
// analyses read (entities, imports, settings). Users, sessions and the audit log do not move it.
// It is read from the database each time, so that stores in other processes see each other's
// writes.
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	v, err := db.dataVersion(ctx, db.r)
	if err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}

// dataVersion reads the data version as q sees it: 0 before the first change.
func (db *DB) dataVersion(ctx context.Context, q querier) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, db.d.Version).Scan(&v)
	return v, err
}

// dbError turns constraint violations into kexi errors; other errors pass through wrapped.
func (db *DB) dbError(err error, what string) error {
	if err == nil {
		return nil
	}
	switch db.d.Classify(err) {
	case ErrUnique:
		return &kexi.Error{Code: kexi.ECONFLICT, Message: what + ": the external id is already taken"}
	case ErrForeignKey:
		return &kexi.Error{Code: kexi.EINVALID, Message: what + ": it refers to a record that does not exist"}
	case ErrValue:
		return &kexi.Error{Code: kexi.EINVALID, Message: what + ": a value cannot be stored: " + err.Error()}
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
