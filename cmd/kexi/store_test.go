package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexi/kexi"
)

func TestOpenStoreKeyFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "kexi.db")
	env := &Env{Getenv: func(string) string { return "" }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	st, err := openStore(ctx, env, path)
	if err != nil {
		t.Fatal(err)
	}
	c := &kexi.Customer{Name: "A", Phone: "138"}
	if err := st.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	st.Close()
	fi, err := os.Stat(path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	// Reopening reads the same key back.
	st, err = openStore(ctx, env, path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.FindCustomerByID(ctx, c.ID)
	if err != nil || got.Phone != "138" {
		t.Fatalf("reopen: %+v %v", got, err)
	}
	st.Close()
	// KEXI_KEY wins over the file: a different key does not open this database.
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	envKey := &Env{Getenv: func(k string) string {
		if k == "KEXI_KEY" {
			return other
		}
		return ""
	}}
	if _, err := openStore(ctx, envKey, path); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Fatalf("wrong KEXI_KEY: %v", err)
	}
	bad := &Env{Getenv: func(k string) string {
		if k == "KEXI_KEY" {
			return "not base64!"
		}
		return ""
	}}
	if _, err := openStore(ctx, bad, path); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Fatalf("bad KEXI_KEY: %v", err)
	}
	// A database whose key file is lost is not silently given a new key.
	os.Remove(path + ".key")
	if _, err := openStore(ctx, env, path); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Fatalf("lost key file: %v", err)
	}
}

// TestKeyFileReadableByOthers: a key file that others may read is used, with a warning that
// names it and says how to fix it; a private one gives no warning.
func TestKeyFileReadableByOthers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexi.db")
	var stderr bytes.Buffer
	env := &Env{Getenv: func(string) string { return "" }, Stdout: &bytes.Buffer{}, Stderr: &stderr}
	st, err := openStore(ctx, env, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if stderr.Len() != 0 {
		t.Fatalf("warning about a new private key file: %s", stderr.String())
	}
	if err := os.Chmod(path+".key", 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = openStore(ctx, env, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if got := stderr.String(); !strings.Contains(got, path+".key") || !strings.Contains(got, "chmod 600") {
		t.Fatalf("no warning about a key file others can read: %q", got)
	}
}
