package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi/sheet"
	"github.com/kexi/kexi/sqlite"
)

// exportAll exports every kind of the database at db as CSV and XLSX, by the CLI.
func exportAll(t *testing.T, db string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range sheet.Kinds() {
		code, stdout, stderr := runCmd(nil, "", "export", "--db", db, "--kind", k)
		if code != 0 {
			t.Fatalf("export %s from %s: %d %s", k, db, code, stderr)
		}
		out[k+".csv"] = stdout
	}
	return out
}

// demoDB makes a demo database, demo.db in dir, with the demo flags args (--customers N …).
func demoDB(t *testing.T, dir string, args ...string) string {
	t.Helper()
	db := filepath.Join(dir, "demo.db")
	if code, _, stderr := runCmd(nil, "", append([]string{"demo", "--no-serve", "--db", db}, args...)...); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	return db
}

// TestBackupRestoreRoundTrip backs a demo database up (without and with its key), restores
// each backup into a new file, and checks that every kind exports byte for byte the same from
// the restored databases as from the original.
func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := demoDB(t, dir, "--customers", "200", "--seed", "3")
	before := exportAll(t, db)
	if !strings.Contains(before["customers.csv"], "@") {
		t.Fatalf("the demo customers have no e-mail addresses to check decryption with")
	}
	key, err := os.ReadFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	key = bytes.TrimSpace(key)

	// Without the key: the backup does not hold it, and restoring needs it.
	bk := filepath.Join(dir, "plain.kbk")
	code, stdout, stderr := runCmd(nil, "", "backup", "--db", db, "--out", bk)
	if code != 0 {
		t.Fatalf("backup: %d %s", code, stderr)
	}
	if !strings.Contains(stdout, "verified") || !strings.Contains(stderr, "NOT in this backup") {
		t.Errorf("backup output: %s / %s", stdout, stderr)
	}
	raw, _ := os.ReadFile(bk)
	if bytes.Contains(raw, key) {
		t.Errorf("the backup made without --with-key holds the key")
	}
	if fi, _ := os.Stat(bk); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %o, want 600", fi.Mode().Perm())
	}
	if code, _, stderr := runCmd(nil, "", "backup", "--db", db, "--out", bk); code != 2 || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file: %d %s", code, stderr)
	}
	if code, _, stderr := runCmd(nil, "", "backup", "--db", db, "--out", filepath.Join(dir, "none", "b.kbk")); code != 2 || !strings.Contains(stderr, "does not exist") {
		t.Errorf("backup into a missing folder: %d %s", code, stderr)
	}
	if code, _, stderr := runCmd(nil, "", "backup", "--db", filepath.Join(dir, "none.db"), "--out", filepath.Join(dir, "n.kbk")); code != 2 {
		t.Errorf("backup of a missing database: %d %s", code, stderr)
	}
	r1 := filepath.Join(dir, "r1.db")
	if code, _, stderr := runCmd(nil, "", "restore", "--db", r1, bk); code != 2 || !strings.Contains(stderr, "--key-file") {
		t.Errorf("restore without a key: %d %s", code, stderr)
	}
	if _, err := os.Stat(r1); err == nil {
		t.Errorf("a failed restore left %s", r1)
	}
	if code, _, stderr := runCmd(nil, "", "restore", "--db", r1, "--key-file", db+".key", bk); code != 0 {
		t.Fatalf("restore: %d %s", code, stderr)
	}
	check := func(restored string) {
		after := exportAll(t, restored)
		for k, b := range before {
			if after[k] != b {
				t.Errorf("%s: %s differs after the round trip (%d bytes, was %d)", restored, k, len(after[k]), len(b))
			}
		}
	}
	check(r1)

	// With the key: a loud warning, and restore writes the new database's key file.
	bk2 := filepath.Join(dir, "withkey.kbk")
	code, _, stderr = runCmd(nil, "", "backup", "--db", db, "--out", bk2, "--with-key")
	if code != 0 || !strings.Contains(stderr, "INCLUDES THE ENCRYPTION KEY") {
		t.Fatalf("backup --with-key: %d %s", code, stderr)
	}
	r2 := filepath.Join(dir, "r2.db")
	if code, _, stderr := runCmd(nil, "", "restore", "--db", r2, bk2); code != 0 {
		t.Fatalf("restore: %d %s", code, stderr)
	}
	check(r2)
	// An existing database is not replaced unless asked.
	if code, _, stderr := runCmd(nil, "", "restore", "--db", r2, bk2); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("restore over an existing database: %d %s", code, stderr)
	}
	if code, _, stderr := runCmd(nil, "", "restore", "--db", r2, "--force", bk2); code != 0 {
		t.Errorf("restore --force: %d %s", code, stderr)
	}
	check(r2)
}

// TestRestoreRefusesDamagedBackup flips one byte of a backup's data, one of its manifest, and
// cuts it short: each is refused with a message that says so, and no database appears.
func TestRestoreRefusesDamagedBackup(t *testing.T) {
	dir := t.TempDir()
	db := demoDB(t, dir, "--customers", "200", "--seed", "3")
	bk := filepath.Join(dir, "b.kbk")
	if code, _, stderr := runCmd(nil, "", "backup", "--db", db, "--out", bk, "--with-key"); code != 0 {
		t.Fatalf("backup: %d %s", code, stderr)
	}
	good, err := os.ReadFile(bk)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	manifest := bytes.Index(good, []byte(`"customers":`)) + len(`"customers":`)
	for _, c := range []struct {
		name, want string
		data       []byte
	}{
		{"payload byte", "SHA-256", flip(8192 + (len(good)-8192)/2)},
		{"last byte", "SHA-256", flip(len(good) - 1)},
		{"manifest byte", "checksum of its manifest", flip(manifest)},
		{"truncated", "truncated", good[:len(good)-1000]},
		{"header only", "truncated", good[:8192]},
		{"short", "shorter than a backup's header", good[:100]},
		{"not a backup", "does not start with", append([]byte("SQLite format 3\x00"), good[16:]...)},
	} {
		p := filepath.Join(dir, "bad.kbk")
		if err := os.WriteFile(p, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, "new.db")
		code, _, stderr := runCmd(nil, "", "restore", "--db", target, p)
		if code != 2 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "nothing was restored") {
			t.Errorf("%s: exit %d, %q; want 2 and %q", c.name, code, stderr, c.want)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "new.db") || strings.HasPrefix(e.Name(), ".new.db") {
				t.Errorf("%s: the refused restore left %s", c.name, e.Name())
			}
		}
	}
	// The good one still restores.
	if code, _, stderr := runCmd(nil, "", "restore", "--db", filepath.Join(dir, "ok.db"), bk); code != 0 {
		t.Errorf("restore of the good backup: %d %s", code, stderr)
	}
}

// TestServeScheduledBackups: kexi serve with --backup-dir makes a verified backup at once and
// then every --backup-every, keeps the newest --backup-keep, records the last one for the
// settings page, and each restores to the data it was made from.
func TestServeScheduledBackups(t *testing.T) {
	dir := t.TempDir()
	db := demoDB(t, dir, "--customers", "200", "--seed", "3")
	bdir := filepath.Join(dir, "backups")
	s := startServe(t, nil, "--db", db, "--backup-dir", bdir, "--backup-every", "1s", "--backup-keep", "2")
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(s.errOut.String(), "backup verified") < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, s.errOut)
	}
	if n := strings.Count(s.errOut.String(), "backup verified"); n < 3 {
		t.Fatalf("%d scheduled backups verified: %s", n, s.errOut)
	}
	if !strings.Contains(s.out.String(), "key is not in them") {
		t.Errorf("serve does not say the key is not in the backups: %s", s.out)
	}
	ents, err := os.ReadDir(bdir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 2 || !backupPattern.MatchString(names[0]) || !backupPattern.MatchString(names[1]) {
		t.Fatalf("backup folder holds %v; want the newest 2 backups only", names)
	}
	st, err := sqlite.Open(context.Background(), db, sqlite.Options{Key: readKey(t, db)})
	if err != nil {
		t.Fatal(err)
	}
	last, err := st.LastBackup(context.Background())
	st.Close()
	if err != nil || last == nil || last.File != filepath.Join(bdir, names[1]) || last.VerifiedAt.IsZero() || last.Customers != 200 {
		t.Fatalf("last backup %+v (%v), want %s", last, err, names[1])
	}
	r := filepath.Join(dir, "r.db")
	if code, _, stderr := runCmd(nil, "", "restore", "--db", r, "--key-file", db+".key", last.File); code != 0 {
		t.Fatalf("restore: %d %s", code, stderr)
	}
	before, after := exportAll(t, db), exportAll(t, r)
	for k := range before {
		if before[k] != after[k] {
			t.Errorf("%s differs after restoring the scheduled backup", k)
		}
	}
	if code, _, stderr := runCmd(nil, "", "serve", "--db", db, "--backup-dir", bdir, "--backup-keep", "0"); code != 2 || !strings.Contains(stderr, "--backup-keep") {
		t.Errorf("serve --backup-keep 0: %d %s", code, stderr)
	}
}

func readKey(t *testing.T, db string) []byte {
	t.Helper()
	b, err := os.ReadFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
