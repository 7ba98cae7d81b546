package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/postgres"
	"github.com/kexi/kexi/sqlite"
	"github.com/kexi/kexi/sqlstore"
)

// A backup of a PostgreSQL database is the same file as the embedded database's: every table
// is copied, in one snapshot, into a new embedded database beside the backup, which is then
// written and verified as kexi backup does for a file. So a backup restores into either store,
// and kexi restore --db postgres://… is also the way to move an embedded database to a server.

// scratchDB returns the path of a new embedded database file in dir and the function that
// removes it with its -wal and -shm files.
func scratchDB(dir string) (string, func(), error) {
	f, err := os.CreateTemp(dir, ".kexi-copy-*.db")
	if err != nil {
		return "", nil, fmt.Errorf("scratch database: %w", err)
	}
	path := f.Name()
	f.Close()
	return path, func() {
		for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
			os.Remove(p)
		}
	}, nil
}

// backupPostgres writes a verified backup of the PostgreSQL database at dsn to out.
func backupPostgres(ctx context.Context, env *Env, dsn, out string, withKey, verify bool) (kexi.BackupRecord, error) {
	st, key, err := openPostgresKey(ctx, env, dsn, 0)
	if err != nil {
		return kexi.BackupRecord{}, err
	}
	defer st.Close()
	pg := st.(*postgres.DB)
	if _, err := os.Stat(out); err == nil {
		return kexi.BackupRecord{}, kexi.Errorf(kexi.EINVALID, "backup %s exists: choose a new name", out)
	}
	tmp, remove, err := scratchDB(filepath.Dir(out))
	if err != nil {
		return kexi.BackupRecord{}, err
	}
	defer remove()
	sdb, err := sqlite.Open(ctx, tmp, sqlite.Options{Key: key})
	if err != nil {
		return kexi.BackupRecord{}, err
	}
	defer sdb.Close()
	fmt.Fprintf(env.Stderr, "copying %s …\n", redactDSN(dsn))
	if _, err := sqlstore.Copy(ctx, sdb.DB, pg.DB); err != nil {
		return kexi.BackupRecord{}, err
	}
	progress, stop := stageProgress(env, "kexi backup")
	rec, err := makeBackup(ctx, sdb, key, out, withKey, verify, progress)
	stop()
	if err != nil {
		return rec, err
	}
	if !rec.VerifiedAt.IsZero() {
		if err := pg.RecordBackup(ctx, rec); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// restorePostgres restores the backup into the PostgreSQL database at dsn, which must hold no
// records: into a scratch embedded database first (checked as kexi restore checks), then
// copied. The key comes from --key-file, KEXI_KEY, the backup or the database's key file
// (pgKey's), in this order; the key file is written when there was none.
func restorePostgres(ctx context.Context, env *Env, dsn, backup, keyFile string, m *sqlite.Manifest) error {
	if err := checkPostgresURL(dsn); err != nil {
		return err
	}
	kf := strings.TrimSpace(env.Getenv("KEXI_KEY_FILE"))
	if kf == "" && strings.TrimSpace(env.Getenv("KEXI_KEY")) == "" {
		var err error
		if kf, err = pgKeyFile(env, dsn); err != nil {
			return err
		}
	}
	key, from, err := restoreKey(env, kf, keyFile, m)
	if err != nil {
		return err
	}
	writeKey := false
	if kf != "" && strings.TrimSpace(env.Getenv("KEXI_KEY")) == "" {
		old, err := readKeyFile(env, kf)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			writeKey = true
		case err != nil:
			return err
		case !bytes.Equal(old, key):
			return kexi.Errorf(kexi.EINVALID, "restore: %s holds another key than the backup's; move it away first", kf)
		}
	}
	tmp, remove, err := scratchDB(os.TempDir())
	if err != nil {
		return err
	}
	defer remove()
	progress, stop := stageProgress(env, "kexi restore")
	m, err = sqlite.Restore(ctx, backup, tmp, sqlite.RestoreOptions{Key: key, Force: true, Progress: progress})
	stop()
	if err != nil {
		return err
	}
	sdb, err := sqlite.Open(ctx, tmp, sqlite.Options{Key: key})
	if err != nil {
		return err
	}
	defer sdb.Close()
	st, err := openPostgres(ctx, dsn, key, 0)
	if err != nil {
		if kexi.ErrorCode(err) == kexi.EINVALID && strings.Contains(kexi.ErrorMessage(err), "key") {
			return kexi.Errorf(kexi.EINVALID, "restore: %s was set up with another key than the backup's: restore into a new, empty database (%s)",
				redactDSN(dsn), kexi.ErrorMessage(err))
		}
		return err
	}
	defer st.Close()
	fmt.Fprintf(env.Stderr, "copying into %s …\n", redactDSN(dsn))
	counts, err := sqlstore.Copy(ctx, st.(*postgres.DB).DB, sdb.DB)
	if err != nil {
		return err
	}
	if writeKey {
		if err := os.MkdirAll(filepath.Dir(kf), 0o700); err != nil {
			return fmt.Errorf("create key folder: %w", err)
		}
		if err := writeKeyFile(kf, key); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "key (%s) written to %s: back it up, and give every kexi on this database a copy\n", from, kf)
	}
	fmt.Fprintf(env.Stdout, "restored %s (made %s, schema %d) into %s: %s customers, %s orders, %s users\n",
		backup, m.CreatedAt.Format("2006-01-02 15:04:05Z"), m.SchemaVersion, redactDSN(dsn),
		thousands(int(counts["customers"])), thousands(int(counts["orders"])), thousands(int(counts["users"])))
	fmt.Fprintln(env.Stdout, "checked: checksum, SQLite integrity check, rows of every table against the manifest, key and personal fields; then copied in one transaction")
	return nil
}
