package kexihttp

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/sqlite"
)

func TestScenarios(t *testing.T) {
	f := newFixture(t)
	c3 := fmt.Sprint(f.bob[kexi.KindCustomers])
	c1 := fmt.Sprint(f.alice[kexi.KindCustomers])
	tests := []struct {
		name    string
		r       req
		status  int
		want    []string
		notWant []string
	}{
		{"health is public", req{method: "GET", path: "/healthz"}, 200, []string{`"ok"`}, nil},
		{"dashboard needs a session", req{method: "GET", path: "/"}, 303, nil, nil},
		{"api needs a session", req{method: "GET", path: "/api/v1/customers"}, 401, []string{`"code":"unauthorized"`}, nil},
		{"openapi needs a session", req{method: "GET", path: "/api/v1/openapi.json"}, 401, nil, nil},
		{"a bad token is refused", req{method: "GET", path: "/api/v1/customers", header: map[string]string{"Authorization": "Bearer nope"}}, 401, nil, nil},
		{"a session cookie is not an API token", req{method: "GET", path: "/api/v1/customers",
			header: map[string]string{"Authorization": "Bearer " + f.sessions["admin"][0]}}, 401, nil, nil},
		{"admin lists every customer", req{method: "GET", path: "/api/v1/customers", as: "admin"}, 200,
			[]string{"Alice One", "Alice Two", marker, `"total":3`}, nil},
		{"sales sees own customers", req{method: "GET", path: "/api/v1/customers", as: "alice"}, 200,
			[]string{"Alice One", "Alice Two", `"total":2`}, []string{marker}},
		{"regional manager sees the region", req{method: "GET", path: "/api/v1/customers", as: "gd"}, 200,
			[]string{"Alice Two", `"total":1`}, []string{"Alice One", marker}},
		{"filter by field", req{method: "GET", path: "/api/v1/customers?f=" + url.QueryEscape("province:eq:广东"), as: "admin"}, 200,
			[]string{"Alice One", marker, `"total":2`}, []string{"Alice Two"}},
		{"filter by custom field", req{method: "GET", path: "/api/v1/customers?f=" + url.QueryEscape("custom.plan:eq:silver"), as: "admin"}, 200,
			[]string{"Alice Two", `"total":1`}, []string{"Alice One"}},
		{"free text", req{method: "GET", path: "/api/v1/customers?q=two", as: "admin"}, 200, []string{"Alice Two"}, []string{"Alice One"}},
		{"sort and page", req{method: "GET", path: "/api/v1/orders?sort=-amount&limit=1&offset=1", as: "admin"}, 200,
			[]string{`"external_id":"O3"`, `"total":5`, `"limit":1`, `"offset":1`}, []string{`"O1"`}},
		{"bad condition", req{method: "GET", path: "/api/v1/customers?f=province:like:x", as: "admin"}, 400,
			[]string{`"code":"invalid"`, `"column":"f"`, "unknown operator"}, nil},
		{"bad limit", req{method: "GET", path: "/api/v1/customers?limit=abc", as: "admin"}, 400, []string{`"column":"limit"`}, nil},
		{"get one", req{method: "GET", path: "/api/v1/customers/" + c1, as: "alice"}, 200, []string{"Alice One"}, nil},
		{"another owner's customer is not found", req{method: "GET", path: "/api/v1/customers/" + c3, as: "alice"}, 404,
			[]string{`"code":"not_found"`}, []string{marker}},
		{"missing id", req{method: "GET", path: "/api/v1/customers/999999", as: "admin"}, 404, nil, nil},
		{"non-numeric id", req{method: "GET", path: "/api/v1/customers/abc", as: "admin"}, 404, nil, nil},
		{"analyst cannot write", req{method: "POST", path: "/api/v1/customers", as: "ana", body: map[string]any{"external_id": "N1", "name": "New"}}, 403, nil, nil},
		{"create", req{method: "POST", path: "/api/v1/customers", as: "admin", body: map[string]any{"external_id": "N1", "name": "New One", "province": "上海"}}, 201,
			[]string{`"name":"New One"`, `"id":`}, nil},
		{"create conflict", req{method: "POST", path: "/api/v1/customers", as: "admin", body: map[string]any{"external_id": "C1", "name": "Dup"}}, 409,
			[]string{`"code":"conflict"`}, nil},
		{"unknown field", req{method: "POST", path: "/api/v1/customers", as: "admin", body: map[string]any{"external_id": "N2", "nmae": "typo"}}, 400,
			[]string{`"column":"nmae"`, "unknown field"}, nil},
		{"wrong type", req{method: "POST", path: "/api/v1/orders", as: "admin", body: map[string]any{"external_id": "N3", "amount": "lots"}}, 400,
			[]string{`"column":"amount"`}, nil},
		{"sales creates an own customer", req{method: "POST", path: "/api/v1/customers", as: "alice", body: map[string]any{"external_id": "A9", "name": "Alice Nine"}}, 201,
			[]string{`"owner":"alice"`}, nil},
		{"sales cannot give a customer to another", req{method: "POST", path: "/api/v1/customers", as: "alice", body: map[string]any{"external_id": "A10", "name": "X", "owner": "bob"}}, 400,
			[]string{`"column":"owner"`}, nil},
		{"sales cannot order for another's customer", req{method: "POST", path: "/api/v1/orders", as: "alice",
			body: map[string]any{"external_id": "A11", "customer": marker + "-C3", "ordered_at": "2025-03-02T00:00:00Z", "amount": 5}}, 400,
			[]string{"no such customer of yours"}, nil},
		{"patch", req{method: "PATCH", path: "/api/v1/customers/" + c1, as: "alice", body: map[string]any{"city": "佛山"}}, 200,
			[]string{`"city":"佛山"`, `"name":"Alice One"`}, nil},
		{"sales cannot patch another's", req{method: "PATCH", path: "/api/v1/customers/" + c3, as: "alice", body: map[string]any{"city": "x"}}, 404, nil, nil},
		{"sales cannot delete another's", req{method: "DELETE", path: "/api/v1/customers/" + c3, as: "alice"}, 404, nil, nil},
		{"sales cannot write products", req{method: "POST", path: "/api/v1/products", as: "alice", body: map[string]any{"external_id": "P9", "name": "x"}}, 403, nil, nil},
		{"session write without CSRF", req{method: "POST", path: "/api/v1/customers", as: "admin", via: "session",
			body: map[string]any{"external_id": "N4", "name": "x"}, header: map[string]string{"X-CSRF-Token": "wrong"}}, 403, []string{`"code":"forbidden"`}, nil},
		{"session write with CSRF", req{method: "POST", path: "/api/v1/customers", as: "admin", via: "session",
			body: map[string]any{"external_id": "N5", "name": "Five"}}, 201, nil, nil},
		{"users are admin only", req{method: "GET", path: "/api/v1/users", as: "alice"}, 403, nil, nil},
		{"admin lists users", req{method: "GET", path: "/api/v1/users", as: "admin"}, 200, []string{`"login":"alice"`}, []string{"argon2", "password"}},
		{"settings", req{method: "GET", path: "/api/v1/settings", as: "alice"}, 200, []string{`"currency":"CNY"`}, nil},
		{"bad settings", req{method: "PUT", path: "/api/v1/settings", as: "admin", body: map[string]any{"currency": "yuan", "time_zone": "Asia/Shanghai", "lang": "zh"}}, 400,
			[]string{`"column":"currency"`}, nil},
		{"analyses list", req{method: "GET", path: "/api/v1/analyses", as: "ana"}, 200, []string{`"name":"rfm"`}, nil},
		{"unknown analysis", req{method: "GET", path: "/api/v1/analyses/nope", as: "ana"}, 404, nil, nil},
		{"unknown analysis option", req{method: "GET", path: "/api/v1/analyses/rfm?colour=red", as: "ana"}, 400, []string{`"column":"colour"`}, nil},
		{"bad as_of", req{method: "GET", path: "/api/v1/analyses/rfm?as_of=yesterday", as: "ana"}, 400, []string{`"column":"as_of"`}, nil},
		{"run an analysis", req{method: "GET", path: "/api/v1/analyses/pyramid", as: "ana"}, 200, []string{`"name":"pyramid"`, `"tables"`}, nil},
		{"unknown api path", req{method: "GET", path: "/api/v1/nothing", as: "ana"}, 404, []string{`"code":"not_found"`}, nil},
		{"pages: dashboard", req{method: "GET", path: "/", as: "ana", via: "session"}, 200, []string{"<html", "dash_revenue"}, nil},
		{"pages: customers", req{method: "GET", path: "/customers", as: "alice", via: "session"}, 200, []string{"Alice One"}, []string{marker}},
		{"pages: portrait", req{method: "GET", path: "/customers/" + c1, as: "alice", via: "session"}, 200, []string{"Alice One", "O1", "gold", `id="pt-actions"`, "/analyses/rfm"}, nil},
		{"pages: another's portrait", req{method: "GET", path: "/customers/" + c3, as: "alice", via: "session"}, 404, nil, []string{marker}},
		{"pages: users admin only", req{method: "GET", path: "/users", as: "alice", via: "session"}, 403, nil, nil},
		{"pages: users", req{method: "GET", path: "/users", as: "admin", via: "session"}, 200, []string{"alice", "bob"}, nil},
		{"pages: settings", req{method: "GET", path: "/settings", as: "alice", via: "session"}, 200, []string{"Asia/Shanghai"}, nil},
		{"pages: unknown", req{method: "GET", path: "/nothing", as: "alice", via: "session"}, 404, nil, nil},
		{"pages: import forbidden for sales", req{method: "POST", path: "/import", as: "alice", via: "session",
			body: upload("c.csv", []byte("external_id,name\nZ1,Z\n"), nil)}, 403, nil, nil},
		{"regional manager: portrait outside the region", req{method: "GET", path: "/customers/" + c1, as: "gd", via: "session"}, 404, nil, []string{"Alice One"}},
		{"regional manager: orders outside the region", req{method: "GET", path: "/api/v1/orders", as: "gd"}, 200, []string{`"O3"`, `"total":1`}, []string{`"O1"`, marker}},
		{"page with a bad option shows the form", req{method: "GET", path: "/analyses/pyramid?as_of=someday", as: "ana", via: "session"}, 400,
			[]string{`id="options-form"`, "someday"}, nil},
		{"admin adds a user by form", req{method: "POST", path: "/users", as: "admin", via: "session",
			body: "login=carol&role=analyst&password=long+enough+pw"}, 303, nil, nil},
		{"a bad user form shows the problem", req{method: "POST", path: "/users", as: "admin", via: "session",
			body: "login=dave&role=boss&password=long+enough+pw"}, 400, []string{"expected admin, manager, analyst or sales"}, nil},
		{"admin saves settings by form", req{method: "POST", path: "/settings", as: "admin", via: "session",
			body: "currency=GBP&time_zone=Europe%2FLondon&cost_per_minute=0.5&lang=en"}, 303, nil, nil},
		{"settings are admin only", req{method: "POST", path: "/settings", as: "ana", via: "session",
			body: "currency=USD&time_zone=UTC&cost_per_minute=1&lang=en"}, 403, nil, nil},
		{"the new currency shows", req{method: "GET", path: "/", as: "ana", via: "session", header: map[string]string{"Accept-Language": "en"}}, 200,
			[]string{"£1,350.00"}, nil},
		{"admin creates an API token", req{method: "POST", path: "/api/v1/users/1/tokens", as: "admin", body: map[string]any{"name": "ci"}}, 201,
			[]string{`"token":"`}, nil},
		{"lang switch", req{method: "GET", path: "/lang?to=en&next=/customers"}, 303, nil, nil},
		{"lang switch refuses other sites", req{method: "GET", path: "/lang?to=en&next=//evil.example"}, 303, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(tt.r)
			if w.Code != tt.status {
				t.Fatalf("%s %s as %q: status %d, want %d; body %.400s", tt.r.method, tt.r.path, tt.r.as, w.Code, tt.status, w.Body.String())
			}
			body := w.Body.String()
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q: %.600s", s, body)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(body, s) {
					t.Errorf("body has %q: %.600s", s, body)
				}
			}
		})
	}
	// The redirects go where they should.
	if loc := f.do(req{method: "GET", path: "/lang?to=en&next=//evil.example"}).Header().Get("Location"); loc != "/" {
		t.Errorf("lang redirect to %q, want /", loc)
	}
	if loc := f.do(req{method: "GET", path: "/customers?x=1"}).Header().Get("Location"); loc != "/login?next=%2Fcustomers%3Fx%3D1" {
		t.Errorf("sign-in redirect to %q", loc)
	}
}

// TestDashboard checks the headline figures against the hand-made data (see testBatch):
// as of 2025-03-05 the period is 2024-03-05 (exclusive) to 2025-03-05, which leaves out O5.
func TestDashboard(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		as                       string
		customers, active        int
		revenue, margin, nps     float64
		revenueByM, newByM, actM [3]float64 // Jan, Feb, Mar 2025
	}{
		// All: revenue 100+50+200+1000 = 1350; margin 40+30+50+500 = 620; NPS: 10, 9
		// promoters, 3 detractor → (2−1)/3 = 33.33. New in Jan: C1, Feb: C2 (C3 began in 2024).
		{"admin", 3, 3, 1350, 620, 100.0 / 3, [3]float64{100, 200, 1050}, [3]float64{1, 1, 0}, [3]float64{1, 1, 2}},
		// alice: C1 and C2 only: 350 revenue, 120 margin, NPS (2−0)/2 = 100.
		{"alice", 2, 2, 350, 120, 100, [3]float64{100, 200, 50}, [3]float64{1, 1, 0}, [3]float64{1, 1, 1}},
	} {
		var h Headline
		w := f.do(req{method: "GET", path: "/api/v1/dashboard", as: tt.as})
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", tt.as, w.Code, w.Body)
		}
		decode(t, w, &h)
		if h.AsOf.Format("2006-01-02") != "2025-03-05" || h.Customers != tt.customers || h.Active != tt.active ||
			!near(h.Revenue, tt.revenue) || !h.HasCost || h.Margin == nil || !near(*h.Margin, tt.margin) || !near(h.NPS, tt.nps) || h.NPSCount == 0 {
			t.Errorf("%s: got as_of %s customers %d active %d revenue %v margin %v nps %v",
				tt.as, h.AsOf, h.Customers, h.Active, h.Revenue, h.Margin, h.NPS)
		}
		if h.MarginPct == nil || !near(*h.MarginPct, tt.margin/tt.revenue) {
			t.Errorf("%s: margin %% %v", tt.as, h.MarginPct)
		}
		if len(h.Months) != 12 || h.Months[0] != "2024-04" || h.Months[11] != "2025-03" {
			t.Fatalf("%s: months %v", tt.as, h.Months)
		}
		for i := 0; i < 3; i++ {
			if h.RevenueByM[9+i] != tt.revenueByM[i] || h.NewByM[9+i] != tt.newByM[i] || h.ActiveByM[9+i] != tt.actM[i] {
				t.Errorf("%s: month %s revenue %v new %v active %v", tt.as, h.Months[9+i], h.RevenueByM[9+i], h.NewByM[9+i], h.ActiveByM[9+i])
			}
		}
	}
	// The page shows them formatted for the language: ¥1,350.00 in both.
	w := f.do(req{method: "GET", path: "/", as: "admin", via: "session", header: map[string]string{"Accept-Language": "en-GB,en;q=0.9"}})
	if body := w.Body.String(); !strings.Contains(body, "¥1,350.00") || !strings.Contains(body, "Active customers") || !strings.Contains(body, "33.3") {
		t.Errorf("English dashboard lacks figures: %.2000s", body)
	}
	w = f.do(req{method: "GET", path: "/", as: "admin", via: "session", header: map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"}})
	if body := w.Body.String(); !strings.Contains(body, "¥1,350.00") || !strings.Contains(body, "活跃客户") || !strings.Contains(body, `lang="zh-CN"`) {
		t.Errorf("Chinese dashboard lacks figures: %.2000s", body)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

func TestLanguage(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		accept, cookie, want string
	}{
		{"en-US,en;q=0.9", "", "Dashboard"},
		{"zh-CN,zh;q=0.9,en;q=0.5", "", "仪表盘"},
		{"zh-TW", "", "仪表盘"},
		{"fr-FR", "", "仪表盘"}, // no match: the settings' default, zh
		{"en-US", "zh", "仪表盘"},
		{"zh-CN", "en", "Dashboard"},
	}
	for _, c := range cases {
		h := map[string]string{"Accept-Language": c.accept}
		if c.cookie != "" {
			h["Cookie"] = "lang=" + c.cookie + "; " + cookieName + "=" + f.sessions["admin"][0]
		}
		r := req{method: "GET", path: "/", as: "admin", via: "session", header: h}
		if c.cookie != "" {
			r.as = ""
		}
		w := f.do(r)
		if !strings.Contains(w.Body.String(), "<title>"+c.want) {
			t.Errorf("Accept-Language %q cookie %q: title not %q: %.300s", c.accept, c.cookie, c.want, w.Body.String())
		}
	}
	w := f.do(req{method: "GET", path: "/lang?to=en&next=/analyses"})
	if c := w.Result().Cookies(); len(c) != 1 || c[0].Name != "lang" || c[0].Value != "en" || c[0].MaxAge <= 0 {
		t.Errorf("lang cookie %v", c)
	}
}

// TestSignIn walks the browser flow: the form's CSRF cookie, a wrong password, the right one,
// a page with the session, sign-out.
func TestSignIn(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	jar := newJar()
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(p string) (*http.Response, string) {
		resp, err := c.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b := new(strings.Builder)
		_, _ = fmt.Fprint(b, readAll(resp))
		return resp, b.String()
	}
	_, page := get("/login?next=/customers")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no csrf field: %s", page)
	}
	post := func(form url.Values) *http.Response {
		resp, err := c.PostForm(ts.URL+"/login", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := post(url.Values{"login": {"alice"}, "password": {"correct horse"}, "next": {"/customers"}}); r.StatusCode != 403 {
		t.Errorf("sign-in without CSRF: %d, want 403", r.StatusCode)
	}
	if r := post(url.Values{"csrf": {csrf[1]}, "login": {"alice"}, "password": {"wrong horse"}}); r.StatusCode != 401 {
		t.Errorf("wrong password: %d, want 401", r.StatusCode)
	}
	if r := post(url.Values{"csrf": {csrf[1]}, "login": {"nobody"}, "password": {"wrong horse"}}); r.StatusCode != 401 {
		t.Errorf("unknown login: %d, want 401", r.StatusCode)
	}
	r := post(url.Values{"csrf": {csrf[1]}, "login": {"alice"}, "password": {"correct horse"}, "next": {"/customers"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != "/customers" {
		t.Fatalf("sign-in: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == cookieName {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", sess)
	}
	resp, page := get("/customers")
	if resp.StatusCode != 200 || !strings.Contains(page, "Alice One") || strings.Contains(page, marker) {
		t.Fatalf("customers after sign-in: %d", resp.StatusCode)
	}
	// The audit log has the sign-in.
	es, _ := f.st.FindAudit(context.Background(), 10)
	found := false
	for _, e := range es {
		found = found || e.Action == "sign_in" && e.Login == "alice"
	}
	if !found {
		t.Errorf("no sign_in audit entry: %+v", es)
	}
	// Sign out with the session's CSRF token.
	tok := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(page)
	resp, err := c.PostForm(ts.URL+"/logout", url.Values{"csrf": {tok[1]}})
	if err != nil || resp.StatusCode != 303 {
		t.Fatalf("sign-out: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if resp, _ := get("/customers"); resp.StatusCode != 303 {
		t.Errorf("after sign-out: %d, want a redirect to sign in", resp.StatusCode)
	}
}

// TestSetup creates the first administrator with the one-time link, once.
func TestSetup(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), sqlite.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := NewServer(Config{Store: st, SetupToken: "tok123"})
	if srv.SetupLink() != "/setup?token=tok123" {
		t.Fatalf("setup link %q", srv.SetupLink())
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c := &http.Client{Jar: newJar(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(ts.URL + "/setup?token=wrong")
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("wrong token: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	resp, _ = c.Get(ts.URL + "/setup?token=tok123")
	page := readAll(resp)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || csrf == nil {
		t.Fatalf("setup page %d", resp.StatusCode)
	}
	form := url.Values{"csrf": {csrf[1]}, "token": {"tok123"}, "login": {"root"}, "password": {"short"}}
	resp, _ = c.PostForm(ts.URL+"/setup", form)
	if page := readAll(resp); resp.StatusCode != 400 || !strings.Contains(page, "at least 12") {
		t.Errorf("short password: %d", resp.StatusCode)
	}
	form.Set("password", "a long enough password")
	resp, _ = c.PostForm(ts.URL+"/setup", form)
	resp.Body.Close()
	if resp.StatusCode != 303 {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
	u, err := st.FindUserByLogin(ctx, "root")
	if err != nil || u.Role != kexi.RoleAdmin || !CheckPassword(u.PasswordHash, "a long enough password") {
		t.Fatalf("admin not created: %+v %v", u, err)
	}
	if srv.SetupLink() != "" {
		t.Error("setup still open after use")
	}
	// A second use fails, with a fresh anonymous client too.
	c2 := &http.Client{Jar: newJar(), CheckRedirect: c.CheckRedirect}
	resp, _ = c2.Get(ts.URL + "/setup?token=tok123")
	page = readAll(resp)
	if resp.StatusCode != 404 {
		t.Errorf("second setup page: %d, want 404", resp.StatusCode)
	}
	form.Set("csrf", regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(page)[1])
	form.Set("login", "root2")
	resp, _ = c2.PostForm(ts.URL+"/setup", form)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("second setup: %d, want 404", resp.StatusCode)
	}
	if us, _ := st.FindUsers(ctx); len(us) != 1 {
		t.Errorf("%d users after a second setup, want 1", len(us))
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash format %q", h)
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "correct horsE") || CheckPassword("garbage", "x") ||
		CheckPassword("$argon2id$v=19$m=19456,t=2,p=1$AAAA$", "correct horse") {
		t.Error("CheckPassword is wrong")
	}
	if _, err := HashPassword("short"); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("short password: %v", err)
	}
}

// TestJSONSafe checks that NaN and infinities reach the API and the charts as null.
func TestJSONSafe(t *testing.T) {
	w := httptest.NewRecorder()
	writeJSON(w, 200, &analysis.Result{Name: "x", Summary: []analysis.Figure{{Key: "nps", Value: math.NaN()}},
		Tables: []analysis.Table{{Key: "t", Rows: [][]any{{int64(1), math.Inf(1), "a"}}}}})
	want := `"summary":[{"key":"nps","value":null}]`
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, want) || !strings.Contains(body, `"rows":[[1,null,"a"]]`) {
		t.Errorf("got %d %s", w.Code, body)
	}
	c := chartSpec{Key: "k", Kind: "bar", Y: []chartValues{{Name: "v", Data: []float64{1, math.NaN()}}}}
	if got := c.JSON(); !strings.Contains(got, `"data":[1,null]`) {
		t.Errorf("chart spec %s", got)
	}
}

// TestHeadline works the dashboard figures out by hand on a Dataset with a return, a
// cancelled order and an order outside the period.
func TestHeadline(t *testing.T) {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1}, {ID: 2}, {ID: 3}},
		Orders: kexi.NewOrderTable(
			kexi.Order{ID: 1, CustomerID: 1, OrderedAt: date("2024-06-01"), Amount: 40, Cost: 10},                                 // before the period
			kexi.Order{ID: 2, CustomerID: 1, OrderedAt: date("2024-06-20"), Amount: 60, Cost: 30},                                 // in: (2024-06-15, 2025-06-15]
			kexi.Order{ID: 3, CustomerID: 1, OrderedAt: date("2024-06-25"), Returned: 60, Status: kexi.StatusReturn},              // a return: no purchase
			kexi.Order{ID: 4, CustomerID: 2, OrderedAt: date("2025-06-15"), Amount: 100, Cost: 55},                                // the last order: as-of
			kexi.Order{ID: 5, CustomerID: 3, OrderedAt: date("2025-01-05"), Amount: 500, Cost: 100, Status: kexi.StatusCancelled}, // cancelled
		),
		Surveys: []kexi.SurveyResponse{{ID: 1, At: date("2025-01-01"), Kind: kexi.NPS, Score: 6}, {ID: 2, At: date("2025-02-01"), Kind: kexi.CSAT, Score: 5}},
	}
	d.Normalize()
	h := headline(d, time.UTC, time.Time{}, time.Time{})
	// As of the end of the last order's day. Purchases in the period: #2 (60, cost 30) and #4
	// (100, cost 55): revenue 160, margin 75, margin 75/160 = 0.46875; active customers 1 and 2.
	// One NPS answer, a detractor: −100.
	if !h.AsOf.Equal(date("2025-06-16").Add(-time.Nanosecond)) || h.Active != 2 || h.Customers != 3 || h.Revenue != 160 ||
		h.Margin == nil || *h.Margin != 75 || *h.MarginPct != 0.46875 || h.NPS != -100 || h.NPSCount != 1 || h.Orders != 2 {
		t.Errorf("%+v", h)
	}
	// Months 2024-07 … 2025-06: June 2024 is outside the trend; customer 2 is new in June 2025.
	if h.Months[0] != "2024-07" || h.Months[11] != "2025-06" || h.RevenueByM[11] != 100 || h.NewByM[11] != 1 || h.ActiveByM[11] != 1 {
		t.Errorf("months %v revenue %v new %v", h.Months, h.RevenueByM, h.NewByM)
	}
	var sum float64
	for _, v := range h.RevenueByM {
		sum += v
	}
	if sum != 100 {
		t.Errorf("trend revenue %v, want only June 2025's 100", sum)
	}
}

// TestLocalTime shows moments in the business's time zone and bare dates as they are.
func TestLocalTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	for _, c := range []struct {
		loc  *time.Location
		in   time.Time
		want string
	}{
		{sh, time.Date(2025, 3, 4, 20, 30, 0, 0, time.UTC), "5 Mar 2025 04:30"}, // the next day in Shanghai
		{ny, time.Date(2025, 3, 4, 2, 0, 0, 0, time.UTC), "3 Mar 2025 21:00"},   // the day before in New York
		{sh, time.Date(2010, 12, 1, 0, 0, 0, 0, time.UTC), "1 Dec 2010 08:00"},  // 08:00 in Shanghai is midnight UTC
		{nil, time.Date(2025, 3, 4, 20, 30, 0, 0, time.UTC), "4 Mar 2025 20:30"},
	} {
		p := &page{Lang: langEn, Loc: c.loc}
		if got := p.DateTime(c.in); got != c.want {
			t.Errorf("%v in %v: %q, want %q", c.in, c.loc, got, c.want)
		}
	}
	if got := (&page{Lang: langEn, Loc: ny}).Date(date("1988-08-09")); got != "9 Aug 1988" { // a bare date stays
		t.Errorf("bare date %q", got)
	}
	p := &page{Lang: langZh, Loc: sh}
	if got := p.Date(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)); got != "2026年1月1日" {
		t.Errorf("zh date %q", got)
	}
}
