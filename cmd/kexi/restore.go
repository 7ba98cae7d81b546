package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
)

// cmdRestore restores a backup into a new database file, checking it before it takes its name.
func cmdRestore(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "restore", "--db NEW [--key-file FILE] [--force] BACKUP")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), "the database `file` to create, or a PostgreSQL URL of an empty database (env KEXI_DB)")
	keyFile := fs.String("key-file", "", "the key `file` of the database the backup was made from (FILE.key), when the backup does not include the key (or set KEXI_KEY)")
	force := fs.Bool("force", false, "replace an existing database (stop kexi serve on it first)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return kexi.Errorf(kexi.EINVALID, "name one backup file to restore: kexi restore --db NEW BACKUP")
	}
	backup := fs.Arg(0)
	if isPostgres(*db) {
		m, err := sqlite.ReadManifest(backup)
		if err != nil {
			return err
		}
		if *force {
			return kexi.Errorf(kexi.EINVALID, "--force replaces an embedded database file; a PostgreSQL database is restored into only when it holds no records")
		}
		return restorePostgres(ctx, env, *db, backup, *keyFile, m)
	}
	m, err := sqlite.ReadManifest(backup)
	if err != nil {
		return err
	}
	key, from, err := restoreKey(env, *db+".key", *keyFile, m)
	if err != nil {
		return err
	}
	kf := *db + ".key"
	old, kerr := os.ReadFile(kf)
	switch {
	case kerr == nil:
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(old)))
		if err != nil || !bytes.Equal(k, key) {
			return kexi.Errorf(kexi.EINVALID, "restore: %s holds another key than the backup's; move it away first", kf)
		}
	case !errors.Is(kerr, os.ErrNotExist):
		return fmt.Errorf("restore: %w", kerr)
	}
	progress, stop := stageProgress(env, "kexi restore")
	m, err = sqlite.Restore(ctx, backup, *db, sqlite.RestoreOptions{Key: key, Force: *force, Progress: progress})
	stop()
	if err != nil {
		return err
	}
	if errors.Is(kerr, os.ErrNotExist) && strings.TrimSpace(env.Getenv("KEXI_KEY")) == "" {
		if err := writeKeyFile(kf, key); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "key (%s) written to %s\n", from, kf)
	}
	fmt.Fprintf(env.Stdout, "restored %s (made %s, schema %d) into %s: %s customers, %s orders, %d tables\n",
		backup, m.CreatedAt.Format("2006-01-02 15:04:05Z"), m.SchemaVersion, *db,
		thousands(int(m.Counts["customers"])), thousands(int(m.Counts["orders"])), len(m.Counts))
	fmt.Fprintln(env.Stdout, "checked: checksum, SQLite integrity check, rows of every table against the manifest, key and personal fields")
	return nil
}

// restoreKey finds the key that opens the backup: --key-file, KEXI_KEY, the key the backup
// includes, or the key file dbKey of the database being replaced (none when empty), in this
// order. It also says where the key came from.
func restoreKey(env *Env, dbKey, keyFile string, m *sqlite.Manifest) ([]byte, string, error) {
	decode := func(s, what string) ([]byte, string, error) {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil || len(k) != 32 {
			return nil, "", kexi.Errorf(kexi.EINVALID, "%s must hold the base64 encoding of 32 bytes", what)
		}
		return k, what, nil
	}
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, "", kexi.Errorf(kexi.EINVALID, "--key-file: %v", err)
		}
		return decode(string(b), "key file "+keyFile)
	}
	if v := strings.TrimSpace(env.Getenv("KEXI_KEY")); v != "" {
		return decode(v, "KEXI_KEY")
	}
	if k := m.KeyBytes(); k != nil {
		return k, "from the backup", nil
	}
	if dbKey != "" {
		if b, err := os.ReadFile(dbKey); err == nil {
			return decode(string(b), "key file "+dbKey)
		}
	}
	return nil, "", kexi.Errorf(kexi.EINVALID, "the backup does not include the encryption key: give the key of the database "+
		"it was made from with --key-file FILE.key or KEXI_KEY")
}
