package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/internal/pgtest"
	"github.com/kexi/kexi/internal/refdata"
)

// TestSameOutputBothStores imports the Online Retail file, and the demo data, into the
// embedded store and into PostgreSQL with kexi, then runs the analyses on each: the outputs
// (--format json and --format csv) must be the same bytes. On the demo data every analysis runs
// alone in both formats. On the retail file (each run loads 400k lines) every analysis that
// reads orders runs in one JSON run (those that read only what the file lacks, as funnel reads
// leads, would stop it), and rfm, pyramid and clv alone in CSV, where the stores compute the
// per-customer summary they run on (SQL on PostgreSQL, Go on SQLite).
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
		var names []string
		for _, a := range all.List() {
			// portrait describes one customer, named with --option customer=ID.
			if slices.Contains(a.Info().Reads, "orders") && a.Info().Name != "portrait" {
				names = append(names, a.Info().Name)
			}
		}
		if len(names) < 15 {
			t.Fatalf("only %d analyses read orders: %v", len(names), names)
		}
		runs := [][]string{append([]string{"analyze", "--format", "json"}, names...)}
		for _, n := range []string{"rfm", "pyramid", "clv"} {
			runs = append(runs, []string{"analyze", n, "--format", "csv"})
		}
		if got := sameOutputs(t, env, dbs, runs); got != len(runs) {
			t.Errorf("%d of %d runs gave a result", got, len(runs))
		}
		t.Logf("%d analyses in JSON, 3 in CSV: the same bytes on both stores", len(names))
	})
	t.Run("Demo", func(t *testing.T) {
		dbs := [2]string{filepath.Join(t.TempDir(), "kexi.db"), pgtest.DSN(t)}
		for _, db := range dbs {
			if code, out, errs := kexiRunEnv(t, env, "demo", "--db", db, "--no-serve", "--customers", "800", "--seed", "5"); code != 0 {
				t.Fatalf("demo into %s: exit %d\n%s\n%s", displayDB(db), code, out, errs)
			}
		}
		var runs [][]string
		for _, a := range all.List() {
			for _, format := range []string{"json", "csv"} {
				runs = append(runs, []string{"analyze", a.Info().Name, "--format", format})
			}
		}
		// Most analyses find what they need in the demo; one may report it has none, the same
		// on both.
		got := sameOutputs(t, env, dbs, runs)
		if got < len(runs)*3/4 {
			t.Errorf("only %d of %d runs gave a result", got, len(runs))
		}
		t.Logf("%d of %d runs gave a result: the same bytes on both stores", got, len(runs))
	})
}

// sameOutputs runs kexi with each of runs (and --db) on both databases and compares the outputs
// and exit codes; it returns how many runs succeeded with some output.
func sameOutputs(t *testing.T, env map[string]string, dbs [2]string, runs [][]string) int {
	t.Helper()
	results := 0
	for _, args := range runs {
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
		if codes[0] == 0 && len(outs[0]) > 200 {
			results++
		}
	}
	return results
}

func firstByteDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
