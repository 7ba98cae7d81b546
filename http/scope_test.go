package kexihttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// TestSalesScopeMatrix walks every route of the route list as sales user alice, filling path
// parameters with bob's records (and every analysis, kind and export), through both the API
// token and a browser session. No answer may contain bob's marker; every by-id route on bob's
// records must fail; every write must leave bob's records as they were.
func TestSalesScopeMatrix(t *testing.T) { scopeMatrix(t, "alice") }

// TestRegionalManagerScopeMatrix walks the same matrix as gd, the manager of 江苏: bob's
// records are all in 广东 (his lead too, unconverted), so none may show or change.
func TestRegionalManagerScopeMatrix(t *testing.T) { scopeMatrix(t, "gd") }

func scopeMatrix(t *testing.T, as string) {
	f := newFixture(t)
	// An import job of the admin's, which alice must not see.
	w := f.do(req{method: "POST", path: "/import", as: "admin", via: "session", header: map[string]string{"Accept": "application/json"},
		body: upload("more.csv", []byte("external_id,name,owner\n"+marker+"-C9,"+marker+" Nine,bob\n"), nil)})
	var job struct{ ID string }
	decode(t, w, &job)
	if job.ID == "" {
		t.Fatalf("admin import: %d %s", w.Code, w.Body)
	}

	// A private saved view of bob's, which alice must neither see nor open, change or delete.
	bv := &kexi.SavedView{Name: marker + " view", OwnerID: f.users["bob"].ID, Where: []kexi.Cond{{Field: "owner", Op: kexi.Eq, Value: "bob"}}}
	if err := f.st.CreateSavedView(context.Background(), bv); err != nil {
		t.Fatal(err)
	}
	f.bob[viewsKind] = bv.ID

	var names []string
	for _, a := range f.srv.analyses {
		names = append(names, a.Info().Name)
	}
	covered := map[string]int{}
	for _, rt := range f.srv.routes {
		if rt.Access == public || rt.Path == "/logout" {
			continue
		}
		for _, p := range expand(rt.Path, names) {
			for _, via := range []string{"api", "session"} {
				path := strings.ReplaceAll(p.path, "{id}", fmt.Sprint(f.bob[p.kind]))
				path = strings.ReplaceAll(path, "{job}", job.ID)
				if p.kind == "" && strings.Contains(path, "/users/") {
					path = strings.ReplaceAll(p.path, "{id}", fmt.Sprint(f.users["bob"].ID))
				}
				path = strings.ReplaceAll(path, "{$}", "")
				r := req{method: rt.Method, path: path, as: as, via: via}
				switch rt.Body {
				case "json":
					// Try to take bob's customer, or give a record to bob.
					r.body = map[string]any{"customer_id": f.bob[kexi.KindCustomers], "owner": "bob", "external_id": "ALICE-NEW"}
				case "multipart":
					r.body = upload("x.csv", []byte("external_id,name,owner\n"+marker+"-C3,stolen,alice\n"), nil)
				case "form":
					r.body = "name=x"
				}
				w := f.do(r)
				covered[rt.Method+" "+rt.Path]++
				body := w.Body.String()
				if strings.Contains(body, marker) {
					t.Errorf("%s %s via %s: answer contains bob's data (%d): %.300s", r.method, path, via, w.Code, body)
				}
				byID := strings.Contains(p.path, "{id}") || strings.Contains(p.path, "{job}")
				// Saving a view of one's own is a write every user may make (bob's stay untouched).
				ownWrite := rt.Method == "POST" && rt.Path == "/customers/views"
				write := rt.Method != "GET" && !ownWrite
				if (byID || write) && w.Code < 400 {
					t.Errorf("%s %s via %s: status %d, want a refusal: %.300s", r.method, path, via, w.Code, body)
				}
				if rt.Access == adminOnly && w.Code != 403 {
					t.Errorf("%s %s via %s: status %d, want 403", r.method, path, via, w.Code)
				}
				tooLittle := w.Code == 400 && strings.Contains(path, "/analyses/") // an analysis that needs more data
				if !byID && !write && !ownWrite && rt.Access != adminOnly && w.Code != 200 && path != "/data/customers" && !tooLittle {
					t.Errorf("%s %s via %s: status %d, want 200: %.300s", r.method, path, via, w.Code, body)
				}
				if strings.HasPrefix(path, "/api/v1/analyses/") && w.Code == 200 {
					checkNoCustomers(t, path, w.Body.Bytes(), f.bob[kexi.KindCustomers])
				}
			}
		}
	}
	for _, rt := range f.srv.routes {
		if rt.Access != public && rt.Path != "/logout" && covered[rt.Method+" "+rt.Path] == 0 {
			t.Errorf("route %s %s is not in the matrix", rt.Method, rt.Path)
		}
	}
	// Bob's records are untouched: all of them still there, as the admin sees them.
	for k, id := range f.bob {
		w := f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/%s/%d", k, id), as: "admin"})
		if w.Code != 200 || !strings.Contains(w.Body.String(), marker) {
			t.Errorf("bob's %s %d after the matrix: %d %.200s", k, id, w.Code, w.Body)
		}
	}
	c := f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/customers/%d", f.bob[kexi.KindCustomers]), as: "admin"})
	var cust kexi.Customer
	decode(t, c, &cust)
	if cust.Owner != "bob" || cust.Name != marker+" Three" {
		t.Errorf("bob's customer changed: %+v", cust)
	}
}

type expanded struct {
	path, kind string
}

// expand fills {kind} and {name} with every kind and analysis; {id} stays for the caller, with
// the kind the route is about.
func expand(path string, names []string) []expanded {
	switch {
	case strings.Contains(path, "{kind}"):
		var out []expanded
		for _, k := range kexi.Kinds {
			out = append(out, expanded{strings.ReplaceAll(path, "{kind}", k), k})
		}
		return out
	case strings.Contains(path, "{name}"):
		var out []expanded
		for _, n := range names {
			out = append(out, expanded{strings.ReplaceAll(path, "{name}", n), ""})
		}
		return out
	case path == "/customers/{id}":
		return []expanded{{path, kexi.KindCustomers}}
	case strings.HasPrefix(path, "/customers/views/") || strings.HasPrefix(path, "/api/v1/views/"):
		return []expanded{{path, viewsKind}}
	}
	for _, k := range kexi.Kinds {
		if strings.HasPrefix(path, "/api/v1/"+k+"/") || path == "/api/v1/"+k {
			return []expanded{{path, k}}
		}
	}
	return []expanded{{path, ""}}
}

// checkNoCustomers fails when a per-customer table of an analysis result lists customer id.
func checkNoCustomers(t *testing.T, path string, body []byte, id int64) {
	t.Helper()
	var res analysis.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, tb := range res.Tables {
		if !tb.PerCustomer {
			continue
		}
		for _, row := range tb.Rows {
			if v, ok := row[0].(float64); ok && int64(v) == id {
				t.Errorf("%s: table %s lists bob's customer %d", path, tb.Key, id)
			}
		}
	}
}

// TestOpenAPI checks that the document lists every API route of the mux, and nothing else.
func TestOpenAPI(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/api/v1/openapi.json", as: "ana"})
	if w.Code != http.StatusOK {
		t.Fatalf("%d", w.Code)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	decode(t, w, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	api := 0
	for _, rt := range f.srv.routes {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue
		}
		api++
		if !rt.API {
			t.Errorf("%s %s is under /api but not marked API", rt.Method, rt.Path)
		}
		if _, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s is not in the OpenAPI document", rt.Method, rt.Path)
		}
	}
	n := 0
	for p, ops := range doc.Paths {
		for m := range ops {
			n++
			// The documented route answers (not the catch-all 404 of an unknown path).
			path := strings.NewReplacer("{id}", "1", "{name}", "rfm").Replace(p)
			w := f.do(req{method: strings.ToUpper(m), path: path, as: "admin"})
			if w.Code == 404 && strings.Contains(w.Body.String(), `"message":"not found"`) && !strings.Contains(p, "{") {
				t.Errorf("documented %s %s answers 404", m, p)
			}
		}
	}
	if n != api {
		t.Errorf("OpenAPI has %d operations, the mux %d API routes", n, api)
	}
	if api < 11*7 {
		t.Errorf("only %d API routes", api)
	}
}

// TestCatalog checks that every UI key the templates and handlers use has both languages.
func TestCatalog(t *testing.T) {
	for k, v := range catalog {
		if v.En == "" || v.Zh == "" {
			t.Errorf("catalog %q lacks a language: %+v", k, v)
		}
	}
	re := `\.T "([^"]+)"`
	for _, n := range append(pageNames, "layout") {
		b, err := templatesFS.ReadFile("html/" + n + ".html")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexpAll(re, string(b)) {
			if _, ok := catalog[m]; !ok {
				t.Errorf("%s.html uses %q, which the catalog lacks", n, m)
			}
		}
	}
	for _, k := range kexi.Kinds {
		if _, ok := catalog[k]; !ok {
			t.Errorf("kind %q is not in the catalog", k)
		}
	}
	for _, f := range []string{"dash_customers", "dash_active", "dash_revenue", "dash_margin", "dash_margin_pct", "dash_nps", "dash_at_risk", "dash_clv"} {
		if _, ok := catalog[f]; !ok {
			t.Errorf("%q missing", f)
		}
	}
}

// TestRoleWrites is the role × route table of writes to each kind (README, "Roles"): shared
// records (products, campaigns, competitors, SWOT) are changed only by the administrator and
// managers without a region; a regional manager and a sales user change only records of
// customers in their scope; an analyst changes nothing. A refused write changes nothing.
func TestRoleWrites(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	boss := &kexi.User{Login: "boss", Role: kexi.RoleManager}
	if err := f.st.CreateUser(ctx, boss); err != nil {
		t.Fatal(err)
	}
	tok, err := CreateAPIToken(ctx, f.st, boss.ID, "test", time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	f.tokens["boss"] = tok
	shared := []string{kexi.KindProducts, kexi.KindCampaigns, kexi.KindCompetitors, kexi.KindSWOT}
	want := map[string]int{"admin": 200, "boss": 200, "gd": 403, "alice": 403, "ana": 403}
	// boss comes last, and deletes each shared record last.
	for _, as := range []string{"gd", "alice", "ana", "admin", "boss"} {
		for _, k := range shared {
			id := f.alice[k]
			path := fmt.Sprintf("/api/v1/%s/%d", k, id)
			before := f.do(req{method: "GET", path: path, as: "admin"}).Body.String()
			for _, m := range []string{"PATCH", "PUT", "DELETE", "POST"} {
				p := path
				if m == "POST" {
					p = "/api/v1/" + k
				}
				var body any = map[string]any{}
				if m == "DELETE" {
					if as == "admin" {
						continue
					}
					body = nil
				}
				w := f.do(req{method: m, path: p, as: as, body: body})
				ok := w.Code < 300
				if wantOK := want[as] == 200; ok != wantOK && !(wantOK && w.Code == 400) {
					t.Errorf("%s %s as %s: %d, want %d: %.200s", m, p, as, w.Code, want[as], w.Body)
				}
				if !ok && w.Code != 403 && want[as] == 403 {
					t.Errorf("%s %s as %s: %d, want 403", m, p, as, w.Code)
				}
				if want[as] == 403 {
					if after := f.do(req{method: "GET", path: path, as: "admin"}).Body.String(); after != before {
						t.Errorf("%s %s as %s changed the record: %s → %s", m, p, as, before, after)
					}
				}
			}
		}
	}
}

// TestRegionalManagerRecords: gd, the manager of 江苏, changes records of customers in 江苏 and
// leads of 江苏, and no others; a lead gd creates is put in 江苏.
func TestRegionalManagerRecords(t *testing.T) {
	f := newFixture(t)
	ids := map[string]int64{}
	for _, ext := range []string{"C1", "C2"} {
		var page struct{ Items []kexi.Customer }
		decode(t, f.do(req{method: "GET", path: "/api/v1/customers?f=external_id:eq:" + ext, as: "admin"}), &page)
		ids[ext] = page.Items[0].ID
	}
	if w := f.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/customers/%d", ids["C2"]), as: "gd", body: map[string]any{"city": "苏州"}}); w.Code != 200 {
		t.Errorf("gd changes a customer in 江苏: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/customers/%d", ids["C1"]), as: "gd", body: map[string]any{"city": "x"}}); w.Code != 404 {
		t.Errorf("gd changes a customer in 广东: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/leads/%d", f.bob[kexi.KindLeads]), as: "gd"}); w.Code != 404 {
		t.Errorf("gd deletes bob's lead in 广东: %d %s", w.Code, w.Body)
	}
	w := f.do(req{method: "POST", path: "/api/v1/leads", as: "gd", body: map[string]any{"external_id": "L-GD", "name": "Su", "stage": "new"}})
	var l kexi.Lead
	decode(t, w, &l)
	if w.Code != 201 || l.Province != "江苏" {
		t.Fatalf("gd creates a lead: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "POST", path: "/api/v1/leads", as: "gd", body: map[string]any{"external_id": "L-GD2", "name": "Yue", "province": "广东"}}); w.Code != 400 {
		t.Errorf("gd creates a lead in 广东: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/leads/%d", l.ID), as: "gd", body: map[string]any{"province": "广东"}}); w.Code != 400 {
		t.Errorf("gd moves a lead to 广东: %d %s", w.Code, w.Body)
	}
	var page struct {
		Items []kexi.Lead
		Total int
	}
	decode(t, f.do(req{method: "GET", path: "/api/v1/leads", as: "gd"}), &page)
	if page.Total != 1 || page.Items[0].ExternalID != "L-GD" {
		t.Errorf("gd sees %d leads: %+v; want only L-GD", page.Total, page.Items)
	}
}
