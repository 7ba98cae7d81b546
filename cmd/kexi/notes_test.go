package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestNotesInLanguage: an analysis's notes print in the language asked for (issue #20 §2),
// and JSON keeps the English text.
func TestNotesInLanguage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(path, []byte(tinyOrders), 0o600); err != nil {
		t.Fatal(err)
	}
	const en = "no cost of goods in the data (order cost or item unit cost): profit and margin are not computed"
	for _, c := range []struct {
		args      []string
		want, not string
	}{
		{[]string{"--lang", "zh"}, "数据中没有商品成本（订单成本或明细的单位成本），因此不计算利润贡献和利润率", en},
		{[]string{"--lang", "en"}, en, "数据中没有商品成本"},
		{[]string{"--lang", "zh", "--format", "json"}, `"` + en + `"`, "数据中没有商品成本"},
	} {
		code, out, stderr := kexiRun(t, append([]string{"analyze", "value", "--orders", path, "--as-of", "2024-03-31"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		if !strings.Contains(out, c.want) || strings.Contains(out, c.not) {
			t.Errorf("%v: want %q and not %q in\n%s", c.args, c.want, c.not, out)
		}
	}
}

// TestTextInChinese: the text format in Chinese names tables as the pages do (客户明细 for
// the per-customer list, not 客户数, the count's label) and says as-of and rows in Chinese.
func TestTextInChinese(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(path, []byte(tinyOrders), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := kexiRun(t, "analyze", "rfm", "--orders", path, "--as-of", "2024-03-31", "--lang", "zh")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"— 截至 2024-03-31", "-- 客户明细 (3 行)"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "rows") || strings.Contains(out, "as of") {
		t.Errorf("English in the Chinese text:\n%s", out)
	}
}

// TestNotesInXLSX: the XLSX output carries the notes on the summary sheet, in the language
// asked for, as the text format does.
func TestNotesInXLSX(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(path, []byte(tinyOrders), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "value.xlsx")
	code, _, stderr := kexiRun(t, "analyze", "value", "--orders", path, "--as-of", "2024-03-31", "--lang", "zh", "--format", "xlsx", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	const want = "数据中没有商品成本（订单成本或明细的单位成本），因此不计算利润贡献和利润率"
	for _, r := range rows {
		if len(r) > 0 && r[0] == want {
			return
		}
	}
	t.Errorf("no note %q on the summary sheet:\n%v", want, rows)
}
