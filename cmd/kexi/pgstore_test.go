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
	"github.com/kexi/kexi/internal/pgtest"
	"github.com/kexi/kexi/sqlite"
)

func TestIsPostgres(t *testing.T) {
	for db, want := range map[string]bool{
		"postgres://kexi@db/kexi":        true,
		"postgresql://db:5433/kexi":      true,
		" POSTGRES://db/kexi":            true,
		"kexi.db":                        false,
		"/srv/postgres/kexi.db":          false,
		"postgres.db":                    false,
		"host=db dbname=kexi user=kexi":  false, // key=value strings are not taken: URL only
		"file:postgres://not-a-database": false,
	} {
		if got := isPostgres(db); got != want {
			t.Errorf("isPostgres(%q) = %v, want %v", db, got, want)
		}
	}
}

func TestPgKeyFile(t *testing.T) {
	env := &Env{Getenv: mapEnv(map[string]string{"XDG_CONFIG_HOME": "/cfg", "HOME": "/home/u"})}
	for dsn, want := range map[string]string{
		"postgres://kexi:secret@db.example.com:5433/crm?sslmode=require": "/cfg/kexi/postgres-db.example.com-5433-crm.key",
		"postgresql://localhost/kexi":                                    "/cfg/kexi/postgres-localhost-5432-kexi.key",
		"postgres://anna@/?host=/var/run/postgresql":                     "/cfg/kexi/postgres-localhost-5432-anna.key",
		"postgres://db/a%2Fb..":                                          "/cfg/kexi/postgres-db-5432-a_b...key",
	} {
		got, err := pgKeyFile(env, dsn)
		if err != nil || got != want {
			t.Errorf("pgKeyFile(%q) = %q, %v; want %q", dsn, got, err, want)
		}
	}
	home := &Env{Getenv: mapEnv(map[string]string{"HOME": "/home/u"})}
	if got, _ := pgKeyFile(home, "postgres://db/kexi"); got != "/home/u/.config/kexi/postgres-db-5432-kexi.key" {
		t.Errorf("without XDG_CONFIG_HOME: %q", got)
	}
	if _, err := pgKeyFile(&Env{Getenv: mapEnv(nil)}, "postgres://db/kexi"); kexi.ErrorCode(err) != kexi.EINVALID ||
		!strings.Contains(err.Error(), "KEXI_KEY_FILE") {
		t.Errorf("no home: %v, want EINVALID naming KEXI_KEY_FILE", err)
	}
}

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// fakePostgres replaces openPostgres for the test with one that records the key it was given
// and fails with err when err is set.
func fakePostgres(t *testing.T, err error) *[]byte {
	t.Helper()
	var got []byte
	old := openPostgres
	openPostgres = func(ctx context.Context, dsn string, key []byte, conns int) (kexi.Store, error) {
		got = key
		if err != nil {
			return nil, err
		}
		return nil, nil
	}
	t.Cleanup(func() { openPostgres = old })
	return &got
}

func TestOpenPostgresKey(t *testing.T) {
	ctx := context.Background()
	cfg := t.TempDir()
	var stderr bytes.Buffer
	env := &Env{Stderr: &stderr, Getenv: mapEnv(map[string]string{"XDG_CONFIG_HOME": cfg})}
	const dsn = "postgres://kexi:secret@db:5433/crm"
	kf := filepath.Join(cfg, "kexi", "postgres-db-5433-crm.key")

	// Another kexi made the database: the key made just now does not open it and is removed
	// again, and the message says where the right one goes.
	fakePostgres(t, kexi.Errorf(kexi.EINVALID, "the encryption key does not match"))
	_, err := openStoreWith(ctx, env, dsn, sqlite.Options{})
	if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(err.Error(), kf) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("wrong key: %v; want EINVALID naming %s, without the password", err, kf)
	}
	if _, err := os.Stat(kf); !os.IsNotExist(err) {
		t.Fatalf("the key file made for a database that refused it is still there (%v)", err)
	}

	// A new database: a new key file, mode 0600, and a loud message to back it up.
	got := fakePostgres(t, nil)
	if _, err := openStoreWith(ctx, env, dsn, sqlite.Options{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(kf)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v %v, want mode 0600", kf, fi, err)
	}
	b, _ := os.ReadFile(kf)
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b))); err != nil || !bytes.Equal(k, *got) || len(k) != 32 {
		t.Fatalf("key file holds %q, store got %x", b, *got)
	}
	if msg := stderr.String(); !strings.Contains(msg, "BACK UP THIS FILE") || !strings.Contains(msg, kf) || strings.Contains(msg, "secret") {
		t.Fatalf("message on a new key: %q", msg)
	}
	first := *got

	// The next open reads it back, quietly.
	stderr.Reset()
	if _, err := openStoreWith(ctx, env, dsn, sqlite.Options{}); err != nil || !bytes.Equal(*got, first) || stderr.Len() != 0 {
		t.Fatalf("reopen: key %x (want %x), %v, stderr %q", *got, first, err, stderr.String())
	}

	// KEXI_KEY_FILE names the file; KEXI_KEY wins over both.
	other := filepath.Join(t.TempDir(), "team.key")
	k2 := bytes.Repeat([]byte{2}, 32)
	if err := os.WriteFile(other, []byte(base64.StdEncoding.EncodeToString(k2)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.Getenv = mapEnv(map[string]string{"XDG_CONFIG_HOME": cfg, "KEXI_KEY_FILE": other})
	if _, err := openStoreWith(ctx, env, dsn, sqlite.Options{}); err != nil || !bytes.Equal(*got, k2) {
		t.Fatalf("KEXI_KEY_FILE: key %x, %v", *got, err)
	}
	k3 := bytes.Repeat([]byte{3}, 32)
	env.Getenv = mapEnv(map[string]string{"XDG_CONFIG_HOME": cfg, "KEXI_KEY_FILE": other, "KEXI_KEY": base64.StdEncoding.EncodeToString(k3)})
	if _, err := openStoreWith(ctx, env, dsn, sqlite.Options{}); err != nil || !bytes.Equal(*got, k3) {
		t.Fatalf("KEXI_KEY: key %x, %v", *got, err)
	}
	// A broken key file is an error, not a new key.
	if err := os.WriteFile(other, []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.Getenv = mapEnv(map[string]string{"KEXI_KEY_FILE": other})
	if _, err := openStoreWith(ctx, env, dsn, sqlite.Options{}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Fatalf("broken key file: %v", err)
	}
}

// TestServeBackupDirPostgres: scheduled backups are the embedded database's; on PostgreSQL
// --backup-dir is exit 2 pointing at kexi backup from cron.
func TestServeBackupDirPostgres(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"serve", "--db", "postgres://db/kexi", "--backup-dir", t.TempDir(), "--addr", "127.0.0.1:0"}
	code := run(context.Background(), args, mapEnv(nil), strings.NewReader(""), &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "kexi backup --db URL") {
		t.Errorf("exit %d, stderr %q; want 2 and a pointer to kexi backup", code, stderr.String())
	}
}

// TestPostgresOpenErrors: on a real server, a second machine without the key file gets exit 2
// naming where the key goes (and no new key file); a URL the driver refuses and a server that
// is not there are exit 2 with the URL's password hidden.
func TestPostgresOpenErrors(t *testing.T) {
	dsn := pgtest.DSN(t)
	first := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	if code, _, errOut := runCmd(first, "", "users", "list", "--db", dsn); code != 0 || !strings.Contains(errOut, "BACK UP THIS FILE") {
		t.Fatalf("first open: %d %s", code, errOut)
	}
	other := t.TempDir()
	code, _, errOut := runCmd(map[string]string{"XDG_CONFIG_HOME": other}, "", "users", "list", "--db", dsn)
	if code != 2 || !strings.Contains(errOut, "set up by another kexi") || !strings.Contains(errOut, filepath.Join(other, "kexi")) {
		t.Errorf("second machine without the key: %d %s", code, errOut)
	}
	if ents, _ := os.ReadDir(filepath.Join(other, "kexi")); len(ents) != 0 {
		t.Errorf("a key file was left for a database it does not open: %v", ents)
	}
	// The first machine's key still opens it.
	if code, _, errOut := runCmd(first, "", "users", "list", "--db", dsn); code != 0 {
		t.Errorf("first machine again: %d %s", code, errOut)
	}
	for url, want := range map[string]string{
		"postgres://kexi:hush@127.0.0.1:5432/kexi?sslmode=bogus":    "bad PostgreSQL URL",
		"postgres://kexi:hush@127.0.0.1:1/kexi?sslmode=disable":     "cannot connect to PostgreSQL",
		"postgresql://kexi:hush@127.0.0.1:1/kexi?connect_timeout=5": "cannot connect to PostgreSQL",
	} {
		code, _, errOut := runCmd(map[string]string{"XDG_CONFIG_HOME": t.TempDir()}, "", "users", "list", "--db", url)
		if code != 2 || !strings.Contains(errOut, want) || strings.Contains(errOut, "hush") {
			t.Errorf("%s: exit %d %s; want 2, %q, no password", url, code, errOut, want)
		}
	}
}
