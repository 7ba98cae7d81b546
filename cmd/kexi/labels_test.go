package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
)

// TestCLIValueLabels: kexi export and the CLI's analysis tables show the settings' value
// labels (channel douyin as 抖音) as the pages and their exports do, and a --where on the
// label finds the labelled rows (issue #20 §2). JSON keeps the values as stored.
func TestCLIValueLabels(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kexi.db")
	if code, _, stderr := kexiRun(t, "demo", "--db", db, "--customers", "150", "--no-serve"); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db, sqlite.Options{Key: readKey(t, db)})
	if err != nil {
		t.Fatal(err)
	}
	set, err := st.Settings(ctx)
	if err == nil {
		set.Labels = kexi.ValueLabels{{Field: "channel", Value: "douyin", Label: "抖音"}}
		err = st.SaveSettings(ctx, set)
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, out, stderr := kexiRun(t, "export", "--db", db, "--kind", "customers", "--where", "channel:eq:抖音")
	if code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || strings.Contains(out, "douyin") || strings.Count(out, "抖音") < len(lines)-1 {
		t.Errorf("export --where channel:eq:抖音: %d lines, want each with 抖音 and none with douyin:\n%.400s", len(lines), out)
	}

	for _, format := range []string{"table", "csv"} {
		code, out, stderr := kexiRun(t, "analyze", "acquisition", "--db", db, "--format", format, "--rows", "0")
		if code != 0 {
			t.Fatalf("analyze --format %s: %d %s", format, code, stderr)
		}
		if !strings.Contains(out, "抖音") || strings.Contains(out, "douyin") {
			t.Errorf("analyze acquisition --format %s: want 抖音 for douyin:\n%.600s", format, out)
		}
	}
	if _, out, _ := kexiRun(t, "analyze", "acquisition", "--db", db, "--format", "json"); !strings.Contains(out, `"douyin"`) || strings.Contains(out, "抖音") {
		t.Errorf("analyze --format json should keep the value douyin")
	}
}
