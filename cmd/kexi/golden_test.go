package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current outputs")

// goldenCustomers and goldenSeed make the small fixed data set of the golden files: the demo
// data (pinned by demo.TestGenerateUnchanged) with its default end, 2026-01-01 in China.
const goldenCustomers, goldenSeed = 400, 11

// TestGolden runs every analysis through the CLI (`kexi analyze NAME --format json --db …`) on
// a small fixed demo database and compares the output with testdata/golden/NAME.json, byte for
// byte. A change that moves any number, key or note shows as a failing test and, after
// `go test ./cmd/kexi -run TestGolden -update`, as a diff of the golden file in review.
func TestGolden(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "golden.db")
	env := &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" }}
	st, err := openStore(ctx, env, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(ctx, demo.Generate(demo.Options{Customers: goldenCustomers, Seed: goldenSeed})); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range all.List() {
		name := a.Info().Name
		args := []string{"analyze", name, "--format", "json", "--db", db}
		if name == "portrait" {
			args = append(args, "--option", "customer=7")
		}
		code, stdout, stderr := kexiRun(t, args...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", name, code, stderr)
			continue
		}
		file := filepath.Join("testdata", "golden", name+".json")
		seen[name+".json"] = true
		if *update {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s: %v (run go test ./cmd/kexi -run TestGolden -update to write it)", name, err)
			continue
		}
		if stdout != string(want) {
			t.Errorf("%s: output differs from %s:\n%s", name, file, firstDiff(string(want), stdout))
		}
	}
	// A golden file of an analysis that is gone would stay unchecked for ever.
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s: no analysis writes it any more; delete it", f)
		}
	}
}

// firstDiff shows the first line where got differs from want, with its line number.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + a + "\n  got  " + b
		}
	}
	return "(same lines, other bytes)"
}
