package main

import (
	"path/filepath"
	"testing"

	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/internal/pgtest"
	"github.com/kexi/kexi/internal/refdata"
)

// TestSameOutputBothStores imports the Online Retail file, and then the demo data, into the
// embedded store and into PostgreSQL with kexi, then runs every analysis on each with --format
// json and --format csv: the outputs must be the same bytes.
func TestSameOutputBothStores(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 541,909 rows twice and runs every analysis on both")
	}
	if openPostgres == nil {
		t.Skip("the postgres package is not wired in")
	}
	env := map[string]string{"KEXI_KEY": testKey}
	t.Run("OnlineRetail", func(t *testing.T) {
		file := refdata.Path(t, "online-retail/online_retail.csv.gz")
		dir := t.TempDir()
		dbs := [2]string{filepath.Join(dir, "kexi.db"), pgtest.DSN(t)}
		for _, db := range dbs {
			code, out, errs := kexiRunEnv(t, env, "import", "--db", db, "--skip-invalid", "--rejects", filepath.Join(dir, "rejects.csv"), file)
			if code != 0 {
				t.Fatalf("import into %s: exit %d\n%s\n%s", displayDB(db), code, out, errs)
			}
		}
		sameOutputs(t, env, dbs)
	})
	t.Run("Demo", func(t *testing.T) {
		dbs := [2]string{filepath.Join(t.TempDir(), "kexi.db"), pgtest.DSN(t)}
		for _, db := range dbs {
			if code, out, errs := kexiRunEnv(t, env, "demo", "--db", db, "--no-serve", "--customers", "800", "--seed", "5"); code != 0 {
				t.Fatalf("demo into %s: exit %d\n%s\n%s", displayDB(db), code, out, errs)
			}
		}
		sameOutputs(t, env, dbs)
	})
}

// sameOutputs runs every analysis on both databases, in JSON and CSV, and compares the
// outputs and exit codes.
func sameOutputs(t *testing.T, env map[string]string, dbs [2]string) {
	t.Helper()
	var names []string
	for _, a := range all.List() {
		names = append(names, a.Info().Name)
	}
	// One analysis a run: a run of several stops at the first that has no data to work on.
	results := 0
	for _, n := range names {
		for _, format := range []string{"json", "csv"} {
			args := []string{"analyze", n, "--format", format}
			var outs [2]string
			var codes [2]int
			for i, db := range dbs {
				var errs string
				codes[i], outs[i], errs = kexiRunEnv(t, env, append(args, "--db", db)...)
				if codes[i] != 0 && codes[i] != 2 {
					t.Fatalf("%v on %s: exit %d\n%s", args, displayDB(db), codes[i], errs)
				}
			}
			if codes[0] != codes[1] || outs[0] != outs[1] {
				t.Errorf("%v: the embedded store gives exit %d and %d bytes, PostgreSQL exit %d and %d bytes; first difference at byte %d",
					args[1:], codes[0], len(outs[0]), codes[1], len(outs[1]), firstByteDiff(outs[0], outs[1]))
			}
			if format == "json" && codes[0] == 0 && len(outs[0]) > 1000 {
				results++
			}
		}
	}
	// Most analyses work on orders alone; the others (leads, surveys, competitors …) may
	// report that the data has none, the same on both.
	if results < len(names)/2 {
		t.Errorf("only %d of %d analyses gave a result", results, len(names))
	}
	t.Logf("%d of %d analyses gave a result; every output is the same on both stores", results, len(names))
}

func firstByteDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
