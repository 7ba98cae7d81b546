package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

// TestAnalyzeOnSummary: kexi analyze --db runs rfm, pyramid and clv on the summaries the store
// loads (summaryLoads counts them), and each gives the result it gives on the orders: the same
// three named beside lifecycle, which reads the orders, so that all of them run on the orders.
// With clv's holdout the orders are loaded instead.
func TestAnalyzeOnSummary(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kexi.db")
	if code, _, stderr := kexiRun(t, "demo", "--db", db, "--customers", "300", "--no-serve"); code != 0 {
		t.Fatalf("demo: %d %s", code, stderr)
	}
	earlier := time.Now().AddDate(0, -5, 0).Format("2006-01-02") // the demo's orders end today
	results := func(args ...string) []json.RawMessage {
		t.Helper()
		code, out, stderr := kexiRun(t, append([]string{"analyze", "--db", db, "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var rs []json.RawMessage
		if err := json.Unmarshal([]byte(out), &rs); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return rs
	}
	for _, c := range []struct {
		args  []string
		loads int64
	}{
		// One window: the as-of time is the end of a day, where clv's window ends too.
		{[]string{"rfm", "pyramid", "clv"}, 1},
		{[]string{"rfm", "pyramid", "clv", "--period", "last_year", "--tz", "Asia/Shanghai"}, 1},
		{[]string{"rfm", "pyramid", "clv", "--option", "as_of=" + earlier}, 2}, // rfm's as_of: a window of its own
		{[]string{"rfm", "clv", "--option", "unit=days", "--period", "90d"}, 1},
		{[]string{"rfm", "clv", "--option", "holdout=" + earlier}, 0},
	} {
		before := summaryLoads.Load()
		got := results(c.args...)
		if n := summaryLoads.Load() - before; n != c.loads {
			t.Errorf("%v: %d summaries loaded, want %d", c.args, n, c.loads)
		}
		before = summaryLoads.Load()
		want := results(append([]string{"lifecycle"}, c.args...)...)[1:]
		if summaryLoads.Load() != before {
			t.Errorf("%v with lifecycle: a summary was loaded", c.args)
		}
		for i := range got {
			if string(got[i]) != string(want[i]) {
				t.Errorf("%v: result %d differs on the summary:\n%.400s\n%.400s", c.args, i, got[i], want[i])
			}
		}
	}
}
