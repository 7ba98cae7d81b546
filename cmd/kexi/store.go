package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
)

// openStore opens the database named by db, creating it: a PostgreSQL URL (postgres://… or
// postgresql://…, see isPostgres) or the path of the embedded database file. It applies
// migrations. The key that encrypts personal fields comes from KEXI_KEY (base64 of 32 bytes)
// or, when that is unset, from a key file: <path>.key beside an embedded database, or for
// PostgreSQL KEXI_KEY_FILE, else a file under the user's config folder (pgKeyFile). A new
// database gets a new key file with 32 random bytes and mode 0600: the key is never kept
// inside the database.
func openStore(ctx context.Context, env *Env, db string) (kexi.Store, error) {
	return openStoreWith(ctx, env, db, sqlite.Options{})
}

// openStoreWith is openStore with the embedded store's options (the key is filled in). A
// PostgreSQL store takes opts.Readers as its most connections (0: its default) and nothing
// else. It is the one place that decides the store from db.
func openStoreWith(ctx context.Context, env *Env, db string, opts sqlite.Options) (kexi.Store, error) {
	if isPostgres(db) {
		return openPostgresStore(ctx, env, db, opts.Readers)
	}
	key, err := storeKey(env, db)
	if err != nil {
		return nil, err
	}
	opts.Key = key
	return sqlite.Open(ctx, db, opts)
}

// isPostgres reports whether db names a PostgreSQL database (a postgres:// or postgresql://
// URL) rather than an embedded database file.
func isPostgres(db string) bool {
	l := strings.ToLower(strings.TrimSpace(db))
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// openPostgres opens a PostgreSQL store with at most conns connections (0: the store's
// default); store_postgres.go sets it. It is a variable so that this file builds before the
// postgres package does.
var openPostgres func(ctx context.Context, dsn string, key []byte, conns int) (kexi.Store, error)

// checkPostgresURL returns EINVALID when dsn is not a PostgreSQL URL the driver accepts;
// store_postgres.go sets it.
var checkPostgresURL = func(dsn string) error { return nil }

// openPostgresStore opens the PostgreSQL database at dsn with its key (pgKey). When the key
// file was created just now and the database turns out to hold another key's data (another
// kexi made it), the new file is removed again and the error says where the key must go.
func openPostgresStore(ctx context.Context, env *Env, dsn string, conns int) (kexi.Store, error) {
	st, _, err := openPostgresKey(ctx, env, dsn, conns)
	return st, err
}

// openPostgresKey is openPostgresStore that also returns the key.
func openPostgresKey(ctx context.Context, env *Env, dsn string, conns int) (kexi.Store, []byte, error) {
	if openPostgres == nil {
		return nil, nil, kexi.Errorf(kexi.EINVALID, "this kexi was built without PostgreSQL support")
	}
	if err := checkPostgresURL(dsn); err != nil {
		return nil, nil, err
	}
	key, kf, created, err := pgKey(env, dsn)
	if err != nil {
		return nil, nil, err
	}
	st, err := openPostgres(ctx, dsn, key, conns)
	if err != nil {
		if created {
			os.Remove(kf)
			// The URL parsed and the server answered: an invalid open is the key's.
			if kexi.ErrorCode(err) == kexi.EINVALID && strings.Contains(kexi.ErrorMessage(err), "key") {
				return nil, nil, kexi.Errorf(kexi.EINVALID, "the PostgreSQL database %s was set up by another kexi with its own encryption key: "+
					"copy that key file here as %s (or set KEXI_KEY_FILE to it, or KEXI_KEY to its contents) (%s)",
					redactDSN(dsn), kf, kexi.ErrorMessage(err))
			}
		}
		return nil, nil, err
	}
	if created {
		fmt.Fprintf(env.Stderr, "kexi: created a NEW encryption key for %s in\n  %s\n"+
			"BACK UP THIS FILE NOW, apart from the database's backups: without it nobody can read the phone numbers "+
			"and e-mail addresses stored in PostgreSQL. Every kexi that uses this database (each server, each "+
			"machine running import or analyze) needs a copy of it (KEXI_KEY_FILE=that file) or KEXI_KEY.\n",
			redactDSN(dsn), kf)
	}
	return st, key, nil
}

// pgKey returns the key for the PostgreSQL database at dsn: KEXI_KEY, or the key file (the
// file KEXI_KEY_FILE names, else pgKeyFile), created when absent. It says which file and
// whether it created it.
func pgKey(env *Env, dsn string) (key []byte, kf string, created bool, err error) {
	if key, ok, err := envKey(env); ok || err != nil {
		return key, "", false, err
	}
	kf = strings.TrimSpace(env.Getenv("KEXI_KEY_FILE"))
	if kf == "" {
		if kf, err = pgKeyFile(env, dsn); err != nil {
			return nil, "", false, err
		}
	}
	key, err = readKeyFile(env, kf)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, kf, false, err
	}
	if err := os.MkdirAll(filepath.Dir(kf), 0o700); err != nil {
		return nil, "", false, fmt.Errorf("create key folder: %w", err)
	}
	if key, err = newKeyFile(kf); err != nil {
		return nil, "", false, err
	}
	return key, kf, true, nil
}

// pgKeyFile is the default key file of the PostgreSQL database at dsn:
// <config>/kexi/postgres-HOST-PORT-DATABASE.key, where <config> is $XDG_CONFIG_HOME or
// ~/.config (Library/Application Support on macOS, %AppData% on Windows).
func pgKeyFile(env *Env, dsn string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(dsn))
	if err != nil {
		return "", kexi.Errorf(kexi.EINVALID, "bad PostgreSQL URL: %v", err)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = u.Query().Get("host")
	}
	if host == "" || strings.HasPrefix(host, "/") {
		host = "localhost"
	}
	if port == "" {
		port = "5432"
	}
	dbname := strings.TrimPrefix(u.Path, "/")
	if dbname == "" {
		dbname = u.User.Username()
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' {
				return r
			}
			return '_'
		}, s)
	}
	dir, err := configDir(env)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "kexi", "postgres-"+clean(host)+"-"+clean(port)+"-"+clean(dbname)+".key"), nil
}

// configDir is the user's config folder as os.UserConfigDir finds it, from env.
func configDir(env *Env) (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := env.Getenv("AppData"); d != "" {
			return d, nil
		}
	case "darwin", "ios":
		if h := env.Getenv("HOME"); h != "" {
			return filepath.Join(h, "Library", "Application Support"), nil
		}
	default:
		if d := env.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
			return d, nil
		}
		if h := env.Getenv("HOME"); h != "" {
			return filepath.Join(h, ".config"), nil
		}
	}
	return "", kexi.Errorf(kexi.EINVALID, "no home folder for the PostgreSQL key file: set KEXI_KEY_FILE or KEXI_KEY")
}

// displayDB is db as messages show it: a PostgreSQL URL without its password.
func displayDB(db string) string {
	if isPostgres(db) {
		return redactDSN(db)
	}
	return db
}

// redactDSN is dsn without its password, for messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(strings.TrimSpace(dsn))
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}

// readKeyFile reads a key file, warning when others may read it. The error wraps
// fs.ErrNotExist when the file is absent.
func readKeyFile(env *Env, kf string) ([]byte, error) {
	b, err := os.ReadFile(kf)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, kexi.Errorf(kexi.EINVALID, "key file %s must hold the base64 encoding of 32 bytes", kf)
	}
	if fi, err := os.Stat(kf); err == nil && fi.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(env.Stderr, "kexi: WARNING: the key file %s is readable by others (mode %o): anyone who can read it "+
			"and a copy of the database can read the personal data. Run: chmod 600 %s\n", kf, fi.Mode().Perm(), kf)
	}
	return key, nil
}

// storeKey returns the encryption key for the database at path.
func storeKey(env *Env, path string) ([]byte, error) {
	if key, ok, err := envKey(env); ok || err != nil {
		return key, err
	}
	kf := path + ".key"
	key, err := readKeyFile(env, kf)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if _, err := os.Stat(path); err == nil {
		return nil, kexi.Errorf(kexi.EINVALID, "the database %s exists but its key file %s is missing: set KEXI_KEY or restore the key file", path, kf)
	}
	return newKeyFile(kf)
}

// envKey returns the key KEXI_KEY holds, and whether it is set.
func envKey(env *Env) (key []byte, ok bool, err error) {
	v := strings.TrimSpace(env.Getenv("KEXI_KEY"))
	if v == "" {
		return nil, false, nil
	}
	key, err = base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != 32 {
		return nil, true, kexi.Errorf(kexi.EINVALID, "KEXI_KEY must be the base64 encoding of 32 bytes")
	}
	return key, true, nil
}

// newKeyFile makes a new random key and writes it to the key file kf (writeKeyFile).
func newKeyFile(kf string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make key: %w", err)
	}
	if err := writeKeyFile(kf, key); err != nil {
		return nil, err
	}
	return key, nil
}

// writeKeyFile creates the key file kf (which must not exist) with mode 0600 holding the base64
// of key, and syncs it and its directory to disk before it returns: a database whose key was
// lost in a crash could never be read again.
func writeKeyFile(kf string, key []byte) error {
	f, err := os.OpenFile(kf, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(filepath.Dir(kf))
	}
	if err != nil {
		os.Remove(kf)
		return fmt.Errorf("write key file: %w", err)
	}
	return nil
}

// syncDir flushes a directory's entries (a file just created or renamed in it) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
