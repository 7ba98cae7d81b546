package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestAnalyzeXLSXCents: an XLSX of analyses holds money to the cent (C1's revenue is
// 0.1 + 0.7 = 0.7999999999999999 in floating point) and a figure given as text, such as the
// value analysis's "no cost data", in the chosen language rather than as its key.
func TestAnalyzeXLSXCents(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "o.csv")
	if err := os.WriteFile(in, []byte("customer,ordered_at,amount\nC1,2024-01-01,0.1\nC1,2024-01-02,0.7\nC2,2024-01-03,5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "a.xlsx")
	if code, _, stderr := kexiRun(t, "analyze", "value", "--orders", in, "--format", "xlsx", "--out", out, "--lang", "zh"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("value.customers", excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 3 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	if rows[1][0] != "C1" || rows[1][1] != "0.8" {
		t.Errorf("C1 row %q: want revenue 0.8", rows[1])
	}
	sum, _ := f.GetRows("value")
	found := false
	for _, r := range sum {
		if len(r) >= 2 && r[0] == "利润贡献" {
			found = true
			if r[1] != "无成本数据" {
				t.Errorf("利润贡献 %q, want 无成本数据", r[1])
			}
		}
	}
	if !found {
		t.Errorf("no 利润贡献 figure in %q", sum)
	}
}
