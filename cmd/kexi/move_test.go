package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/internal/pgtest"
)

// moveKinds are the kinds the README's loop moves, parents first.
var moveKinds = []string{"customers", "products", "campaigns", "orders", "interactions", "events",
	"surveys", "leads", "responses", "competitors", "swot"}

// TestMoveToPostgres moves a demo database to PostgreSQL the README's way (export --no-labels
// of every kind, import into the new database) and checks that every analysis gives the same
// CSV on both.
func TestMoveToPostgres(t *testing.T) {
	testMove(t, pgtest.DSN(t), map[string]string{"XDG_CONFIG_HOME": t.TempDir()})
}

// TestMoveToEmbedded is the same into a new embedded database.
func TestMoveToEmbedded(t *testing.T) {
	testMove(t, filepath.Join(t.TempDir(), "new.db"), map[string]string{"KEXI_KEY": testKey})
}

func testMove(t *testing.T, dst string, dstEnv map[string]string) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "kexi.db")
	srcEnv := map[string]string{"KEXI_KEY": testKey}
	if code, _, errOut := runCmd(srcEnv, "", "demo", "--db", src, "--customers", "150", "--seed", "3", "--no-serve"); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	dir := t.TempDir()
	for _, k := range moveKinds {
		f := filepath.Join(dir, k+".csv")
		if code, _, errOut := runCmd(srcEnv, "", "export", "--db", src, "--kind", k, "--no-labels", "--out", f); code != 0 {
			t.Fatalf("export %s: %d %s", k, code, errOut)
		}
		if code, _, errOut := runCmd(dstEnv, "", "import", "--db", dst, "--kind", k, f); code != 0 {
			t.Fatalf("import %s into %s: %d %s", k, displayDB(dst), code, errOut)
		}
	}
	// Settings are not in the files: the new database gets the old one's (labels included)
	// as an administrator would set them on the settings page.
	from, err := openStore(ctx, &Env{Getenv: mapEnv(srcEnv)}, src)
	if err != nil {
		t.Fatal(err)
	}
	set, err := from.Settings(ctx)
	from.Close()
	if err != nil || len(set.Labels) == 0 {
		t.Fatalf("the demo's settings: %+v %v; want value labels, which the move must not apply to the data", set, err)
	}
	to, err := openStore(ctx, &Env{Getenv: mapEnv(dstEnv)}, dst)
	if err != nil {
		t.Fatal(err)
	}
	err = to.SaveSettings(ctx, set)
	to.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all.List() {
		name := a.Info().Name
		args := []string{"analyze", name, "--format", "csv", "--as-of", "2026-12-01"}
		if name == "portrait" {
			args = append(args, "--option", "customer=C000007")
		}
		args = append(args, "--db")
		code, want, errOut := runCmd(srcEnv, "", append(args, src)...)
		if code != 0 {
			t.Errorf("%s on the embedded database: %d %s", name, code, errOut)
			continue
		}
		code, got, errOut := runCmd(dstEnv, "", append(args, dst)...)
		if code != 0 || got != want {
			t.Errorf("%s after the move: exit %d %s\ngot  %.300s\nwant %.300s", name, code, errOut, got, want)
		}
	}
}
