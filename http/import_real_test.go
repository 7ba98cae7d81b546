package kexihttp

import (
	"context"
	"encoding/csv"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/refdata"
)

// TestImportOnlineRetailWeb imports the real Online Retail file (.csv.gz) as the import page
// does: the preview recognises orders, groups the 135,080 rows without a customer id in one
// line in Chinese with their share and offers to import them as anonymous orders, and guesses
// pounds from the country column; confirmed with those choices, every row lands, the currency
// is GBP and pages show amounts in £.
func TestImportOnlineRetailWeb(t *testing.T) {
	path := refdata.Path(t, "online-retail/online_retail.csv.gz")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	zh := map[string]string{"Accept": "application/json", "Accept-Language": "zh-CN"}
	w := f.do(req{method: "POST", path: "/import", as: "admin", via: "session", header: zh,
		body: upload("online_retail.csv.gz", data, nil)})
	var job struct{ ID, URL string }
	decode(t, w, &job)
	if w.Code != 202 {
		t.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	if state := waitJob(t, f, job.URL, "admin"); state != "preview" {
		t.Fatalf("state %q, want preview: %s", state, f.do(req{method: "GET", path: job.URL + "?format=json", as: "admin"}).Body)
	}
	var pv struct {
		Kind, State string
		Rows        int
		Preview     struct {
			Kind, Currency string
			CurrencyFrom   string `json:"currency_from"`
			Columns        []struct{ Header, Field string }
			Sample         [][]string
		}
		Problems []problemGroup
	}
	decode(t, f.do(req{method: "GET", path: "/api/v1/import/" + job.ID, as: "admin", header: map[string]string{"Accept-Language": "zh-CN"}}), &pv)
	if pv.Kind != kexi.KindOrders || pv.Rows != 541909 || len(pv.Preview.Sample) != 5 || len(pv.Preview.Columns) != 8 {
		t.Errorf("preview: kind %s, %d rows, %d sample rows, %d columns", pv.Kind, pv.Rows, len(pv.Preview.Sample), len(pv.Preview.Columns))
	}
	if len(pv.Problems) != 1 || pv.Problems[0].Code != "no_customer" || pv.Problems[0].Rows != 135080 ||
		pv.Problems[0].Percent != 24.9 || pv.Problems[0].Reason != "没有客户编号" || pv.Problems[0].Choices[0] != "anonymous" {
		t.Errorf("problems: %+v", pv.Problems)
	}
	if pv.Preview.Currency != "GBP" || pv.Preview.CurrencyFrom != "country" {
		t.Errorf("currency %q from %q, want GBP from the country column", pv.Preview.Currency, pv.Preview.CurrencyFrom)
	}
	page := f.do(req{method: "GET", path: job.URL, as: "admin", via: "session", header: map[string]string{"Accept-Language": "zh-CN"}}).Body.String()
	for _, want := range []string{"135,080 行（24.9%）没有客户编号", "（列「CustomerID」，首次出现在第 623 行）", "作为匿名订单导入", `<option selected>GBP</option>`, "CustomerID"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview page lacks %q: %s", want, page[max(0, strings.Index(page, "preview-problems")):][:min(600, len(page))])
		}
	}
	for _, bad := range []string{"--skip-invalid", "--anonymous", "导入失败"} {
		if strings.Contains(page, bad) {
			t.Errorf("the preview page says %q", bad)
		}
	}
	// Confirmed as the page's form sends it: anonymous orders, pounds.
	w = f.do(req{method: "POST", path: job.URL, as: "admin", via: "session",
		body: url.Values{"skip_bad": {"1"}, "anonymous": {"1"}, "kind": {"orders"}, "currency": {"GBP"}}.Encode()})
	if w.Code != 303 {
		t.Fatalf("confirm: %d %s", w.Code, w.Body)
	}
	if state := waitJob(t, f, job.URL, "admin"); state != "done" {
		t.Fatalf("state %q: %s", state, f.do(req{method: "GET", path: job.URL + "?format=json", as: "admin"}).Body)
	}
	var done struct {
		Rows, Rejected int
		Stats          kexi.ImportStats
	}
	decode(t, f.do(req{method: "GET", path: "/api/v1/import/" + job.ID, as: "admin"}), &done)
	if done.Rows != 541909 || done.Rejected != 0 || done.Stats.Inserted[kexi.KindOrders] < 25000 {
		t.Errorf("import: %+v", done)
	}
	if st, _ := f.st.Settings(context.Background()); st.Currency != "GBP" {
		t.Errorf("currency %q after the import, want GBP", st.Currency)
	}
	dash := f.do(req{method: "GET", path: "/", as: "admin", via: "session"}).Body.String()
	if !strings.Contains(dash, "£") {
		t.Errorf("the dashboard shows no £ after importing pound data")
	}
	// The uploaded file is gone once the job ended.
	f.srv.jobs.mu.Lock()
	left := f.srv.jobs.byID[job.ID].path
	f.srv.jobs.mu.Unlock()
	if left != "" {
		t.Errorf("upload left behind: %s", left)
	}
}

// TestImportPreviewChoices: through the API, a preview can be cancelled (its file is removed)
// and a confirmed one is imported with skip_bad; rows without a customer are left out unless
// anonymous is chosen; the rejects file speaks the reader's language.
func TestImportPreviewChoices(t *testing.T) {
	f := newFixture(t)
	file := "order_id,customer_id,date,amount\nP1,C1,2025-03-01,€10\nP2,,2025-03-02,€20\nP3,C1,someday,€30\n"
	preview := func() (string, string) {
		t.Helper()
		w := f.do(req{method: "POST", path: "/api/v1/import/preview", as: "admin", body: upload("p.csv", []byte(file), nil)})
		var j struct {
			ID, State string
			Preview   struct{ Currency string }
			Problems  []problemGroup
		}
		decode(t, w, &j)
		if w.Code != 200 || j.State != "preview" || len(j.Problems) != 2 || j.Preview.Currency != "EUR" ||
			j.Problems[0].Code != "no_customer" || j.Problems[1].Code != "bad_date" {
			t.Fatalf("preview: %d %s", w.Code, w.Body)
		}
		f.srv.jobs.mu.Lock()
		path := f.srv.jobs.byID[j.ID].path
		f.srv.jobs.mu.Unlock()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("the upload is not kept for the confirmation: %v", err)
		}
		return j.ID, path
	}
	id, path := preview()
	if w := f.do(req{method: "DELETE", path: "/api/v1/import/" + id, as: "admin"}); w.Code != 204 {
		t.Fatalf("cancel: %d %s", w.Code, w.Body)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a cancelled upload is kept: %v", err)
	}
	if w := f.do(req{method: "POST", path: "/api/v1/import/" + id, as: "admin", body: "skip_bad=1"}); w.Code != 409 {
		t.Errorf("confirming a cancelled import: %d %s", w.Code, w.Body)
	}
	// Another user cannot confirm it.
	id, path = preview()
	if w := f.do(req{method: "POST", path: "/api/v1/import/" + id, as: "gd", body: "skip_bad=1"}); w.Code != 403 && w.Code != 404 {
		t.Errorf("another user's confirm: %d", w.Code)
	}
	w := f.do(req{method: "POST", path: "/api/v1/import/" + id, as: "admin", body: "skip_bad=1"})
	var j struct {
		State    string
		Rejected int
	}
	decode(t, w, &j)
	if w.Code != 200 || j.State != "done" || j.Rejected != 2 {
		t.Fatalf("confirm: %d %s", w.Code, w.Body)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the upload outlived its job: %v", err)
	}
	if st, _ := f.st.Settings(context.Background()); st.Currency == "EUR" {
		t.Errorf("the currency changed without being asked for")
	}
	rej := f.do(req{method: "GET", path: "/import/" + id + "/rejects", as: "admin", header: map[string]string{"Accept-Language": "zh-CN"}})
	recs, err := csv.NewReader(strings.NewReader(rej.Body.String())).ReadAll()
	if err != nil {
		// rows have different lengths
		r := csv.NewReader(strings.NewReader(rej.Body.String()))
		r.FieldsPerRecord = -1
		recs, _ = r.ReadAll()
	}
	if len(recs) != 5 || recs[0][4] != "原因" || recs[2][4] != "没有客户编号" || !strings.HasPrefix(recs[3][4], "不是日期") {
		t.Errorf("rejects: %q", recs)
	}
	// With anonymous, the row without a customer lands.
	id, _ = preview()
	w = f.do(req{method: "POST", path: "/api/v1/import/" + id, as: "admin", body: "skip_bad=1&anonymous=1"})
	decode(t, w, &j)
	if j.State != "done" || j.Rejected != 1 {
		t.Errorf("anonymous: %d %s", w.Code, w.Body)
	}
	// A preview not confirmed in time expires, and its file goes.
	id, path = preview()
	f.srv.jobs.mu.Lock()
	jb := f.srv.jobs.byID[id]
	f.srv.jobs.mu.Unlock()
	f.srv.expire(jb)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("an expired preview's upload is kept: %v", err)
	}
	if w := f.do(req{method: "POST", path: "/api/v1/import/" + id, as: "admin", body: "skip_bad=1"}); w.Code != 409 {
		t.Errorf("confirming an expired import: %d %s", w.Code, w.Body)
	}
	// A mapping choice is checked.
	id, _ = preview()
	if w := f.do(req{method: "POST", path: "/api/v1/import/" + id, as: "admin", body: "col.3=nonsense"}); w.Code != 400 {
		t.Errorf("a bad mapping: %d %s", w.Code, w.Body)
	}
	// Closing the server removes the files of previews still waiting.
	f.srv.jobs.mu.Lock()
	path = f.srv.jobs.byID[id].path
	f.srv.jobs.mu.Unlock()
	f.srv.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a waiting preview's upload outlived the server: %v", err)
	}
	// The OpenAPI document lists the steps.
	var doc struct{ Paths map[string]map[string]any }
	decode(t, f.do(req{method: "GET", path: "/api/v1/openapi.json", as: "admin"}), &doc)
	for _, p := range []string{"/api/v1/import/preview", "/api/v1/import/{job}"} {
		if doc.Paths[p] == nil {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}
