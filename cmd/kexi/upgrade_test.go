package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDatabaseOfMain opens databases that kexi wrote before order lines were rows of
// order_items (main at 7798644, lines packed in a BLOB on each order): a small import with
// several lines per order, a return, unknown products and custom fields, and a small demo.
// The upgraded file exports its orders, line by line, byte for byte as that kexi exported
// them (sqlite/testdata/*.orders.csv, written by the old binary, whose times were in UTC).
func TestOpenDatabaseOfMain(t *testing.T) {
	for _, name := range []string{"main-7798644-import", "main-7798644-demo"} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join("..", "..", "sqlite", "testdata", name)
			dir := t.TempDir()
			db := filepath.Join(dir, "kexi.db")
			for _, ext := range []string{".db", ".db.key"} {
				b, err := os.ReadFile(src + ext)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(strings.TrimSuffix(db, ".db")+ext, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(src + ".orders.csv")
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "orders.csv")
			var stdout, stderr bytes.Buffer
			noEnv := func(string) string { return "" } // the key file beside the database
			if code := run(context.Background(), []string{"export", "--db", db, "--kind", "orders", "--tz", "UTC", "--out", out}, noEnv,
				strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("export: exit %d: %s", code, stderr.String())
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("line %d of the export differs:\n got %s\nwant %s", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("the export has %d lines, want %d", len(gl), len(wl))
			}
		})
	}
}
