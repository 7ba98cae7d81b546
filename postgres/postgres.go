// Package postgres implements kexi's services on a PostgreSQL database, for a team that shares
// one server: the engine of package sqlstore (the same as the embedded store's) with
// PostgreSQL's dialect, through pgx's database/sql driver.
//
// Open applies the embedded migrations (migration/*.sql) under an advisory lock, so that two
// processes opening a new database at once do not both create it, and checks the key personal
// fields are encrypted with (the one the database was created with). The schema keeps the
// embedded store's tables, columns and value encodings (times as BIGINT unix milliseconds, tags
// and custom fields as JSON text, personal fields as ciphertext with a keyed hash).
//
// Writes to the data the analyses read are serialised across every process that uses the
// database by a transaction-level advisory lock, as SQLite's one writer serialises them: an
// import assigns the ids of its new rows itself and loads them with COPY, one transaction per
// file. Users, sessions, the audit log and saved views are written without it. The data version is read
// from the database on every call, so that two servers on one database see each other's writes.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlstore"
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
	// MaxConns is the most connections the store opens; 0 means 8.
	MaxConns int
}

// DB is a kexi store on one PostgreSQL database. It implements kexi.Store.
type DB struct {
	*sqlstore.DB
}

var _ kexi.Store = (*DB)(nil)

// Open connects to the database at dsn (a postgres:// URL or a key=value string), applies
// pending migrations and checks the key. It returns EINVALID when the key is missing, not 32
// bytes long, or not the key the database was created with, and when dsn does not parse.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if len(opts.Key) == 0 {
		return nil, kexi.Errorf(kexi.EINVALID, "open PostgreSQL: an encryption key for personal fields is required (32 bytes)")
	}
	if len(opts.Key) != 32 {
		return nil, kexi.Errorf(kexi.EINVALID, "the encryption key must be 32 bytes, not %d", len(opts.Key))
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, kexi.Errorf(kexi.EINVALID, "open PostgreSQL: %v", err)
	}
	name := fmt.Sprintf("PostgreSQL database %s on %s:%d", cfg.Database, cfg.Host, cfg.Port)
	pool := sql.OpenDB(connector{stdlib.GetConnector(*cfg)})
	n := opts.MaxConns
	if n <= 0 {
		n = 8
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := migrate(ctx, pool, opts.Now); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: migrate: %w", name, err)
	}
	st, err := sqlstore.New(sqlstore.Config{W: pool, Key: opts.Key, Now: opts.Now, Dialect: dialect, Name: name})
	if err == nil {
		err = st.CheckKey(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{DB: st}, nil
}

// migrationLock is the advisory lock key that serialises migrations.
const migrationLock = 0x6b657869_0001

// migrate applies every embedded migration not applied yet, each in its own transaction, under
// a session advisory lock.
func migrate(ctx context.Context, pool *sql.DB, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", int64(migrationLock)); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", int64(migrationLock))
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	done := map[int]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_version")
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		done[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if done[v] {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", v, now().UnixMilli()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// connector gives database/sql pgx's connections with the engine's ? placeholders rewritten
// to PostgreSQL's $1, $2, ….
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc.(*stdlib.Conn)}, nil
}

// conn is a pgx connection that rewrites placeholders; the rest is pgx's.
type conn struct{ *stdlib.Conn }

func (c *conn) Prepare(q string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(q)) }

func (c *conn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(q))
}

func (c *conn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(q), args)
}

func (c *conn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(q), args)
}

// rebound caches rebind's rewrites, by query.
var rebound = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// maxRebound is the most queries rebound keeps: past it, it starts again (queries with a
// literal offset or a list of ids make new texts).
const maxRebound = 4096

// rebind rewrites the ? placeholders of q, outside quotes, to $1, $2 …; ?NNN becomes $NNN and
// a ? after it takes the next number, as in SQLite.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	rebound.Lock()
	out, ok := rebound.m[q]
	rebound.Unlock()
	if ok {
		return out
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				k, _ := strconv.Atoi(q[i+1 : j])
				n = max(n, k)
				b.WriteString("$" + q[i+1:j])
				i = j - 1
				continue
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(ch)
	}
	out = b.String()
	rebound.Lock()
	if len(rebound.m) >= maxRebound {
		clear(rebound.m)
	}
	rebound.m[q] = out
	rebound.Unlock()
	return out
}
