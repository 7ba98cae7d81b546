package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzePeriod checks --period on tinyOrders, whose last order is on 2024-03-30: the
// presets count back from that day and run as of its end, as the web pages' picker does.
// this_month is 1–30 March: A 150 (03-01 50, 03-30 100, recency 0 days), C 300 (03-15,
// recency 15), B nothing; last_month is February as of the end of the 29th: C 500 (02-29).
func TestAnalyzePeriod(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(path, []byte(tinyOrders), 0o600); err != nil {
		t.Fatal(err)
	}
	rfm := func(args ...string) string {
		t.Helper()
		code, out, stderr := kexiRun(t, append([]string{"analyze", "rfm", "--orders", path, "--format", "csv"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs[1:] {
			got = append(got, r[0]+" R"+r[1]+" F"+r[2]+" M"+r[3])
		}
		return strings.Join(got, ", ")
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "A R0 F2 M150.00, B R59 F1 M40.00, C R15 F2 M800.00"},
		{[]string{"--period", "all"}, "A R0 F2 M150.00, B R59 F1 M40.00, C R15 F2 M800.00"},
		{[]string{"--period", "this_month"}, "A R0 F2 M150.00, C R15 F1 M300.00"},
		{[]string{"--period", "30d"}, "A R0 F2 M150.00, C R15 F1 M300.00"},
		{[]string{"--period", "last_month"}, "C R0 F1 M500.00"},
		{[]string{"--period", "this_month", "--as-of", "2024-02-29"}, "C R0 F1 M500.00"},                   // February, counted back from the 29th
		{[]string{"--period", "custom", "--from", "2024-02-01", "--to", "2024-02-29"}, "C R30 F1 M500.00"}, // as of the default day, as the pages do
	} {
		if got := rfm(tt.args...); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.args, got, tt.want)
		}
	}
	// The same run as --from, --to and --as-of of its days.
	if a, b := rfm("--period", "last_month"), rfm("--from", "2024-02-01", "--to", "2024-02-29", "--as-of", "2024-02-29"); a != b {
		t.Errorf("--period last_month %s, by its dates %s", a, b)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--period", "fortnight"}, "expected all, custom or one of 30d, 90d, 365d"},
		{[]string{"--period", "90d", "--from", "2024-01-01"}, "give a period or from and to, not both"},
		{[]string{"--period", "custom", "--from", "2024-03-30", "--to", "2024-03-01"}, "--period: from 2024-03-30 is after to 2024-03-01"},
	} {
		code, _, stderr := kexiRun(t, append([]string{"analyze", "rfm", "--orders", path}, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "--period") {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	// A bad period is told before any data is read.
	code, _, stderr := kexiRun(t, "analyze", "rfm", "--db", filepath.Join(t.TempDir(), "none.db"), "--period", "q3")
	if code != 2 || !strings.Contains(stderr, "q3") {
		t.Errorf("--period q3 without a database: exit %d, %s", code, stderr)
	}
	// --help documents it.
	_, out, errs := kexiRun(t, "analyze", "--help")
	if help := out + errs; !strings.Contains(help, "-period") || !strings.Contains(help, "last_quarter") {
		t.Errorf("analyze --help lacks --period: %s", help)
	}
}
