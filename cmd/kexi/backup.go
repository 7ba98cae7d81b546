package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
)

// cmdBackup writes a verified backup of the embedded database.
func cmdBackup(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "backup", "--out BACKUP [--db FILE] [--with-key] [--no-verify]")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), "database `file` (env KEXI_DB)")
	out := fs.String("out", "", "the backup `file` to write (must not exist)")
	withKey := fs.Bool("with-key", false, "include the encryption key: anyone with the backup can then read phone numbers and e-mail addresses")
	noVerify := fs.Bool("no-verify", false, "do not restore the backup into a temporary file to check it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return kexi.Errorf(kexi.EINVALID, "unexpected argument %q (the backup file goes in --out)", fs.Arg(0))
	}
	if *out == "" {
		return kexi.Errorf(kexi.EINVALID, "--out is required: the backup file to write")
	}
	if _, err := os.Stat(*db); err != nil {
		return kexi.Errorf(kexi.EINVALID, "database %s: no such file", *db)
	}
	key, err := storeKey(env, *db)
	if err != nil {
		return err
	}
	sdb, err := sqlite.Open(ctx, *db, sqlite.Options{Key: key})
	if err != nil {
		return err
	}
	defer sdb.Close()
	rec, err := makeBackup(ctx, sdb, key, *out, *withKey, !*noVerify)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup %s: %s bytes, %s customers, %s orders\n", *out,
		thousands(int(rec.Bytes)), thousands(int(rec.Customers)), thousands(int(rec.Orders)))
	if !rec.VerifiedAt.IsZero() {
		fmt.Fprintln(env.Stdout, "verified: restored into a temporary file; checksum, integrity check, rows of every table and the key all good")
	}
	if *withKey {
		fmt.Fprintf(env.Stderr, "WARNING: this backup INCLUDES THE ENCRYPTION KEY. Anyone who has %s can read every phone number "+
			"and e-mail address in it. Keep it as safe as the key itself.\n", *out)
	} else {
		fmt.Fprintf(env.Stderr, "NOTE: the encryption key is NOT in this backup. Keep a copy of %s.key (or KEXI_KEY) somewhere safe, apart "+
			"from the backup: without it the phone numbers and e-mail addresses cannot be read, and kexi restore needs it.\n", *db)
	}
	return nil
}

// makeBackup writes a backup of db to out and, when verify is set, restores it into a
// temporary file beside it to check it and records it as the last verified backup.
func makeBackup(ctx context.Context, db *sqlite.DB, key []byte, out string, withKey, verify bool) (kexi.BackupRecord, error) {
	m, err := db.WriteBackup(ctx, out, sqlite.BackupOptions{IncludeKey: withKey, Version: version})
	if err != nil {
		return kexi.BackupRecord{}, err
	}
	abs, _ := filepath.Abs(out)
	rec := kexi.BackupRecord{File: abs, CreatedAt: m.CreatedAt, Bytes: m.FileBytes(),
		Customers: m.Counts["customers"], Orders: m.Counts["orders"], KeyIncluded: m.KeyIncluded}
	if !verify {
		return rec, nil
	}
	if _, err := sqlite.VerifyBackup(ctx, out, filepath.Dir(out), key); err != nil {
		return rec, fmt.Errorf("verify %s: %w", out, err)
	}
	rec.VerifiedAt = time.Now().UTC().Truncate(time.Second)
	if err := db.RecordBackup(ctx, rec); err != nil {
		return rec, err
	}
	return rec, nil
}
