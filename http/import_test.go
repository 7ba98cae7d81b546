package kexihttp

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
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
	var state string
	for i := 0; i < 200 && state != "done" && state != "failed"; i++ {
		w = f.do(req{method: "GET", path: job.URL + "?format=json", as: "admin", via: "session"})
		var j struct{ State string }
		decode(t, w, &j)
		state = j.State
		time.Sleep(10 * time.Millisecond)
	}
	if state != "done" {
		t.Fatalf("job state %q", state)
	}
	page := f.do(req{method: "GET", path: job.URL, as: "admin", via: "session"}).Body.String()
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
		if _, ok := f.srv.cache.entries[f.srv.analysisKey(ctx, kexi.Scope{}, a.Info().Name, in)]; !ok {
			missing = append(missing, a)
		}
	}
	_, dash := f.srv.cache.entries[f.srv.dashboardKey(ctx, kexi.Scope{})]
	f.srv.cache.mu.Unlock()
	if !dash {
		t.Error("dashboard not warmed")
	}
	// Only analyses that refuse this little data may be missing (errors are not cached).
	d, _ := f.srv.datasetAt(ctx, v, kexi.Scope{})
	for _, a := range missing {
		if _, _, err := f.srv.runAnalysis(ctx, v, kexi.Scope{}, a, analysis.Input{Options: map[string]string{}}, d); err == nil {
			t.Errorf("%s not warmed", a.Info().Name)
		}
	}
}
