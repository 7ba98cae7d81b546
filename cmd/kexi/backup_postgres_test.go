package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/internal/pgtest"
)

// sameAnalyses fails the test unless every analysis gives the same CSV on the databases a and
// b (each run with its environment).
func sameAnalyses(t *testing.T, aEnv map[string]string, a string, bEnv map[string]string, b string) {
	t.Helper()
	for _, an := range all.List() {
		name := an.Info().Name
		args := []string{"analyze", name, "--format", "csv", "--as-of", "2026-12-01"}
		if name == "portrait" {
			args = append(args, "--option", "customer=C000007")
		}
		args = append(args, "--db")
		code, want, errOut := runCmd(aEnv, "", append(args, a)...)
		if code != 0 {
			t.Errorf("%s on %s: %d %s", name, displayDB(a), code, errOut)
			continue
		}
		code, got, errOut := runCmd(bEnv, "", append(args, b)...)
		if code != 0 || got != want {
			t.Errorf("%s on %s: exit %d %s\ngot  %.300s\nwant %.300s", name, displayDB(b), code, errOut, got, want)
		}
	}
}

// sameData fails the test unless every kind exports the same (stored values, and customers
// under the settings' labels too) from the databases a and b.
func sameData(t *testing.T, aEnv map[string]string, a string, bEnv map[string]string, b string) {
	t.Helper()
	exports := [][]string{{"--kind", "customers"}}
	for _, k := range moveKinds {
		exports = append(exports, []string{"--kind", k, "--no-labels"})
	}
	for _, ex := range exports {
		args := append([]string{"export"}, ex...)
		code, want, errOut := runCmd(aEnv, "", append(args, "--db", a)...)
		if code != 0 {
			t.Errorf("export %v from %s: %d %s", ex, displayDB(a), code, errOut)
			continue
		}
		code, got, errOut := runCmd(bEnv, "", append(args, "--db", b)...)
		if code != 0 || got != want {
			t.Errorf("export %v from %s: exit %d %s\ngot  %.300s\nwant %.300s", ex, displayDB(b), code, errOut, got, want)
		}
	}
}

// TestBackupRestorePostgres: kexi backup of a PostgreSQL database writes the embedded
// database's verified backup format, which restores into a file and into another PostgreSQL
// database with every analysis, user and setting as before; an embedded database moves to
// PostgreSQL the same way; a database that holds records is not restored into.
func TestBackupRestorePostgres(t *testing.T) {
	dir := t.TempDir()
	pg := pgtest.DSN(t)
	cfg := t.TempDir()
	pgEnv := map[string]string{"XDG_CONFIG_HOME": cfg}
	if code, _, errOut := runCmd(pgEnv, "", "demo", "--db", pg, "--customers", "100", "--seed", "3", "--no-serve"); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	addUser(t, pgEnv, pg, "boss", "admin", "backup-pass-1")
	kf, err := pgKeyFile(&Env{Getenv: mapEnv(pgEnv)}, pg)
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "pg.kbk")
	code, stdout, errOut := runCmd(pgEnv, "", "backup", "--db", pg, "--out", out)
	if code != 0 || !strings.Contains(stdout, "verified") || !strings.Contains(errOut, kf) {
		t.Fatalf("backup: %d %s %s", code, stdout, errOut)
	}
	if ents, _ := filepath.Glob(filepath.Join(dir, ".kexi-copy-*")); len(ents) != 0 {
		t.Errorf("scratch files left beside the backup: %v", ents)
	}

	// Into an embedded database file, with the PostgreSQL database's key file.
	file := filepath.Join(dir, "restored.db")
	if code, stdout, errOut := runCmd(nil, "", "restore", "--db", file, "--key-file", kf, out); code != 0 {
		t.Fatalf("restore into a file: %d %s %s", code, stdout, errOut)
	}
	sameData(t, pgEnv, pg, nil, file)

	// Into a new PostgreSQL database on another machine: the key file is written there, and
	// users and settings come along.
	pg2 := pgtest.DSN(t)
	env2 := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	code, stdout, errOut = runCmd(env2, "", "restore", "--db", pg2, "--key-file", kf, out)
	if code != 0 || !strings.Contains(stdout, "key (key file") {
		t.Fatalf("restore into PostgreSQL: %d %s %s", code, stdout, errOut)
	}
	sameAnalyses(t, pgEnv, pg, env2, pg2)
	// The copy is a change of everything: a server already on the database reloads.
	st2, err := openStore(context.Background(), &Env{Getenv: mapEnv(env2), Stderr: io.Discard}, pg2)
	if err != nil {
		t.Fatal(err)
	}
	v, err := st2.DataVersion(context.Background())
	ch, cerr := st2.Changes(context.Background(), 0)
	st2.Close()
	if err != nil || cerr != nil || v < 1 || !ch.Everything {
		t.Errorf("after the restore: data version %d (%v), changes since 0 %+v (%v); want ≥ 1 and everything", v, err, ch, cerr)
	}
	if code, stdout, _ := runCmd(env2, "", "users", "list", "--db", pg2); code != 0 || !strings.Contains(stdout, "boss") {
		t.Errorf("users after the restore: %d %s", code, stdout)
	}
	// It holds records now: not again.
	code, _, errOut = runCmd(env2, "", "restore", "--db", pg2, "--key-file", kf, out)
	if code != 2 || !strings.Contains(errOut, "not empty") {
		t.Errorf("restore into a database with records: %d %s", code, errOut)
	}

	// A database whose key file holds another key, and --force, are refused before anything
	// is written.
	pg4 := pgtest.DSN(t)
	env4 := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	if code, _, errOut := runCmd(env4, "", "users", "list", "--db", pg4); code != 0 { // makes its own key
		t.Fatalf("users list: %d %s", code, errOut)
	}
	code, _, errOut = runCmd(env4, "", "restore", "--db", pg4, "--key-file", kf, out)
	if code != 2 || !strings.Contains(errOut, "holds another key than the backup's") {
		t.Errorf("restore with another key file: %d %s", code, errOut)
	}
	code, _, errOut = runCmd(env2, "", "restore", "--db", pg4, "--force", "--key-file", kf, out)
	if code != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("restore --force into PostgreSQL: %d %s", code, errOut)
	}

	// An embedded database moves to PostgreSQL: backup, restore.
	src := filepath.Join(dir, "kexi.db")
	srcEnv := map[string]string{"KEXI_KEY": testKey}
	if code, _, errOut := runCmd(srcEnv, "", "demo", "--db", src, "--customers", "100", "--seed", "4", "--no-serve"); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	emb := filepath.Join(dir, "emb.kbk")
	if code, _, errOut := runCmd(srcEnv, "", "backup", "--db", src, "--out", emb, "--with-key"); code != 0 {
		t.Fatalf("backup of the file: %d %s", code, errOut)
	}
	pg3 := pgtest.DSN(t)
	env3 := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	if code, stdout, errOut := runCmd(env3, "", "restore", "--db", pg3, emb); code != 0 || !strings.Contains(stdout, "from the backup") {
		t.Fatalf("restore the file's backup into PostgreSQL: %d %s %s", code, stdout, errOut)
	}
	sameData(t, srcEnv, src, env3, pg3)
	if _, err := os.Stat(filepath.Join(env3["XDG_CONFIG_HOME"], "kexi")); err != nil {
		t.Errorf("no key file written for the new database: %v", err)
	}
}
