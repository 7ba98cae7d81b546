package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
)

// openStore opens the embedded database at path (creating it), applying migrations. The key
// that encrypts personal fields comes from KEXI_KEY (base64 of 32 bytes) or, when that is unset,
// from the key file <path>.key beside the database, created with 32 random bytes and mode 0600
// when absent: the key is never kept inside the database.
func openStore(ctx context.Context, env *Env, path string) (kexi.Store, error) {
	return openStoreWith(ctx, env, path, sqlite.Options{})
}

// openStoreWith is openStore with options (the key is filled in).
func openStoreWith(ctx context.Context, env *Env, path string, opts sqlite.Options) (kexi.Store, error) {
	key, err := storeKey(env, path)
	if err != nil {
		return nil, err
	}
	opts.Key = key
	return sqlite.Open(ctx, path, opts)
}

// storeKey returns the encryption key for the database at path.
func storeKey(env *Env, path string) ([]byte, error) {
	if v := strings.TrimSpace(env.Getenv("KEXI_KEY")); v != "" {
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != 32 {
			return nil, kexi.Errorf(kexi.EINVALID, "KEXI_KEY must be the base64 encoding of 32 bytes")
		}
		return key, nil
	}
	kf := path + ".key"
	b, err := os.ReadFile(kf)
	if err == nil {
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
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		return nil, kexi.Errorf(kexi.EINVALID, "the database %s exists but its key file %s is missing: set KEXI_KEY or restore the key file", path, kf)
	}
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
