package kexihttp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kexi/kexi"
)

// createView saves a view through the API as user as and returns it.
func (f *fixture) createView(t *testing.T, as string, body map[string]any) kexi.SavedView {
	t.Helper()
	w := f.do(req{method: "POST", path: "/api/v1/views", as: as, body: body})
	if w.Code != http.StatusCreated {
		t.Fatalf("%s creates view %v: %d %s", as, body, w.Code, w.Body)
	}
	var v kexi.SavedView
	decode(t, w, &v)
	return v
}

// viewCustomers lists a view's customers now through the API, as user as, by external id.
func (f *fixture) viewCustomers(t *testing.T, as string, id int64) []string {
	t.Helper()
	w := f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/views/%d/customers", id), as: as})
	if w.Code != 200 {
		t.Fatalf("%s lists view %d: %d %s", as, id, w.Code, w.Body)
	}
	var p custPage
	decode(t, w, &p)
	var out []string
	for _, it := range p.Items {
		out = append(out, it.ExternalID)
	}
	if p.Total != len(out) {
		t.Errorf("view %d as %s: total %d, %d items", id, as, p.Total, len(out))
	}
	sort.Strings(out)
	return out
}

// TestSavedViewScope: a view shared with sales runs inside each viewer's scope, analysis
// fields included, and its list and export are the current customers, not a snapshot.
func TestSavedViewScope(t *testing.T) {
	f := newFixture(t)
	v := f.createView(t, "admin", map[string]any{"name": "微信渠道", "shared": "sales",
		"where": []map[string]string{{"field": "channel", "op": "eq", "value": "wechat"}, {"field": "rfm.monetary", "op": "gt", "value": "0"}},
		"sort":  "-rfm.monetary", "columns": []string{"name", "rfm.segment"}})
	if v.ID == 0 || v.OwnerID != f.users["admin"].ID || v.Owner != "admin" || v.Shared != "sales" || len(v.Where) != 2 {
		t.Fatalf("created view: %+v", v)
	}
	bob3 := marker + "-C3"
	if got := f.viewCustomers(t, "admin", v.ID); !slices.Equal(got, []string{bob3, "C1"}) {
		t.Errorf("admin sees %v", got)
	}
	if got := f.viewCustomers(t, "alice", v.ID); !slices.Equal(got, []string{"C1"}) {
		t.Errorf("alice sees %v, want only her own C1", got)
	}
	if got := f.viewCustomers(t, "bob", v.ID); !slices.Equal(got, []string{bob3}) {
		t.Errorf("bob sees %v, want only his own", got)
	}
	// The analyst's role is not the one it is shared with: not found, like a record out of scope.
	for _, p := range []string{"", "/customers", "/export"} {
		if w := f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/views/%d%s", v.ID, p), as: "ana"}); w.Code != 404 {
			t.Errorf("analyst GET view%s: %d", p, w.Code)
		}
	}
	// The export is the list now, in the viewer's scope.
	w := f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/views/%d/export?format=csv", v.ID), as: "alice"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "C1") || strings.Contains(w.Body.String(), marker) {
		t.Fatalf("alice's export: %d %s", w.Code, w.Body)
	}
	// New data shows up in the view: it keeps the question, not the answer.
	c2 := f.customers(t, "admin", "f=external_id:eq:C2")
	if len(c2.Items) != 1 {
		t.Fatalf("C2: %+v", c2)
	}
	if w := f.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/customers/%d", c2.Items[0].ID), as: "admin",
		body: map[string]any{"channel": "wechat"}}); w.Code != 200 {
		t.Fatalf("move C2 to wechat: %d %s", w.Code, w.Body)
	}
	if got := f.viewCustomers(t, "alice", v.ID); !slices.Equal(got, []string{"C1", "C2"}) {
		t.Errorf("after C2 moved to wechat, alice sees %v", got)
	}
	w = f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/views/%d/export?format=csv", v.ID), as: "alice"})
	if !strings.Contains(w.Body.String(), "C2") {
		t.Errorf("the export is a stale snapshot: %s", w.Body)
	}
}

// TestSavedViewPermissions: the owner and an administrator change and delete a view; a user
// it is shared with may open it but not change it; anyone else does not find it.
func TestSavedViewPermissions(t *testing.T) {
	f := newFixture(t)
	mine := f.createView(t, "alice", map[string]any{"name": "我的客户", "where": []map[string]string{{"field": "province", "op": "eq", "value": "广东"}}})
	shared := f.createView(t, "alice", map[string]any{"name": "共享", "shared": "sales"})
	path := func(v kexi.SavedView) string { return fmt.Sprintf("/api/v1/views/%d", v.ID) }
	upd := map[string]any{"name": "改名", "shared": ""}
	for _, tc := range []struct {
		as, method, path string
		body             any
		want             int
	}{
		{"bob", "GET", path(mine), nil, 404},
		{"bob", "PUT", path(mine), upd, 404},
		{"bob", "DELETE", path(mine), nil, 404},
		{"ana", "GET", path(shared), nil, 404},
		{"bob", "GET", path(shared), nil, 200},
		{"bob", "PUT", path(shared), upd, 403},
		{"bob", "DELETE", path(shared), nil, 403},
		{"admin", "GET", path(mine), nil, 200},
		{"alice", "GET", "/api/v1/views/999999", nil, 404},
		{"alice", "GET", "/api/v1/views/x", nil, 404},
	} {
		if w := f.do(req{method: tc.method, path: tc.path, as: tc.as, body: tc.body}); w.Code != tc.want {
			t.Errorf("%s %s %s: %d, want %d: %s", tc.as, tc.method, tc.path, w.Code, tc.want, w.Body)
		}
	}
	// Lists: alice has both; bob the shared one; the analyst none; admin with all=true every view.
	list := func(as, q string) []string {
		w := f.do(req{method: "GET", path: "/api/v1/views" + q, as: as})
		if w.Code != 200 {
			t.Fatalf("%s lists views%s: %d %s", as, q, w.Code, w.Body)
		}
		var p struct {
			Items []kexi.SavedView `json:"items"`
			Total int              `json:"total"`
		}
		decode(t, w, &p)
		var out []string
		for _, v := range p.Items {
			out = append(out, v.Name)
		}
		return out
	}
	if got := list("alice", ""); !slices.Equal(got, []string{"共享", "我的客户"}) {
		t.Errorf("alice's views %v", got)
	}
	if got := list("bob", ""); !slices.Equal(got, []string{"共享"}) {
		t.Errorf("bob's views %v", got)
	}
	if got := list("ana", ""); len(got) != 0 {
		t.Errorf("the analyst's views %v", got)
	}
	if got := list("admin", "?all=true"); len(got) != 2 {
		t.Errorf("every view %v", got)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/views?all=true", as: "alice"}); w.Code != 403 {
		t.Errorf("alice lists every view: %d", w.Code)
	}
	// The administrator changes alice's view: it stays alice's.
	w := f.do(req{method: "PUT", path: path(mine), as: "admin", body: map[string]any{"name": "广东客户", "shared": "manager",
		"where": []map[string]string{{"field": "province", "op": "eq", "value": "广东"}}, "owner_id": f.users["admin"].ID}})
	if w.Code != 200 {
		t.Fatalf("admin PUT: %d %s", w.Code, w.Body)
	}
	got, err := f.st.FindSavedViewByID(context.Background(), mine.ID)
	if err != nil || got.Name != "广东客户" || got.OwnerID != f.users["alice"].ID || got.Shared != "manager" {
		t.Fatalf("after admin's change: %+v %v", got, err)
	}
	// The owner deletes; then it is gone.
	if w := f.do(req{method: "DELETE", path: path(mine), as: "alice", via: "session"}); w.Code != 204 {
		t.Fatalf("alice DELETE: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "GET", path: path(mine), as: "alice"}); w.Code != 404 {
		t.Errorf("deleted view: %d", w.Code)
	}
}

// TestSavedViewBadInput: every mistake in a view is a 4xx naming it, never a 500.
func TestSavedViewBadInput(t *testing.T) {
	f := newFixture(t)
	f.createView(t, "alice", map[string]any{"name": "已有"})
	cond := func(field, op, value string) []map[string]string {
		return []map[string]string{{"field": field, "op": op, "value": value}}
	}
	for _, tc := range []struct {
		name  string
		body  any
		want  int
		field string // the problem's column, or a word of the message
	}{
		{"unknown field", map[string]any{"name": "a", "where": cond("nosuch", "eq", "1")}, 400, "nosuch"},
		{"unknown operator", map[string]any{"name": "a", "where": cond("province", "like", "广")}, 400, "where[0].op"},
		{"no field", map[string]any{"name": "a", "where": cond("", "eq", "1")}, 400, "where[0].field"},
		{"unknown analysis column", map[string]any{"name": "a", "where": cond("rfm.nosuch", "eq", "1")}, 400, "rfm.nosuch"},
		{"analysis value not a number", map[string]any{"name": "a", "where": cond("rfm.monetary", "gt", "lots")}, 400, "rfm.monetary"},
		{"unknown sort", map[string]any{"name": "a", "sort": "-nosuch"}, 400, "nosuch"},
		{"unknown column", map[string]any{"name": "a", "columns": []string{"nosuch"}}, 400, "columns"},
		{"unknown analysis column shown", map[string]any{"name": "a", "columns": []string{"rfm.nosuch"}}, 400, "rfm.nosuch"},
		{"unknown parameter", map[string]any{"name": "a", "params": map[string]string{"limit": "5"}}, 400, "params.limit"},
		{"unknown option", map[string]any{"name": "a", "params": map[string]string{"rfm.nosuch": "5"}}, 400, "params.rfm.nosuch"},
		{"bad as_of", map[string]any{"name": "a", "params": map[string]string{"as_of": "2025-13-01"}}, 400, "as_of"},
		{"too long name", map[string]any{"name": strings.Repeat("名", kexi.MaxViewName+1)}, 400, "name"},
		{"empty name", map[string]any{"name": " "}, 400, "name"},
		{"unknown share", map[string]any{"name": "a", "shared": "everyone"}, 400, "shared"},
		{"unknown JSON field", map[string]any{"name": "a", "filter": "x"}, 400, "filter"},
		{"duplicate name", map[string]any{"name": "已有"}, 409, "name"},
		{"too many conditions", map[string]any{"name": "a", "where": slices.Repeat(cond("province", "eq", "x"), kexi.MaxViewConds+1)}, 400, "where"},
	} {
		w := f.do(req{method: "POST", path: "/api/v1/views", as: "alice", body: tc.body})
		if w.Code != tc.want || !strings.Contains(w.Body.String(), tc.field) {
			t.Errorf("%s: %d %s, want %d naming %s", tc.name, w.Code, w.Body, tc.want, tc.field)
		}
	}
	// One user keeps at most MaxViewsOwned views.
	ctx := context.Background()
	for i := 1; i < kexi.MaxViewsOwned; i++ {
		if err := f.st.CreateSavedView(ctx, &kexi.SavedView{Name: fmt.Sprintf("v%d", i), OwnerID: f.users["alice"].ID}); err != nil {
			t.Fatal(err)
		}
	}
	w := f.do(req{method: "POST", path: "/api/v1/views", as: "alice", body: map[string]any{"name": "one too many"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), "too many saved views") {
		t.Errorf("view %d: %d %s", kexi.MaxViewsOwned+1, w.Code, w.Body)
	}
	// The same checks on PUT.
	v := f.createView(t, "bob", map[string]any{"name": "b"})
	w = f.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/views/%d", v.ID), as: "bob", body: map[string]any{"name": "b", "where": cond("nosuch", "eq", "1")}})
	if w.Code != 400 {
		t.Errorf("PUT with an unknown field: %d %s", w.Code, w.Body)
	}
}

// TestSavedViewPages: saving the list from the customer table's sidebar keeps its filter,
// sort and columns (not its page); the sidebar lists the view and opening it reopens the list.
func TestSavedViewPages(t *testing.T) {
	f := newFixture(t)
	list := url.Values{"f": {"channel:eq:wechat", "rfm.monetary:gt:0"}, "sort": {"-rfm.monetary"},
		"col": {"name", "channel", "rfm.monetary"}, "offset": {"50"}, "limit": {"25"}}
	form := url.Values{"name": {"微信 VIP"}, "shared": {""}, "query": {list.Encode()}}
	w := f.do(req{method: "POST", path: "/customers/views", as: "alice", via: "session", body: form.Encode()})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	vs, err := f.st.FindSavedViews(context.Background(), f.users["alice"].ID, "sales")
	if err != nil || len(vs) != 1 {
		t.Fatalf("views %v %v", vs, err)
	}
	v := vs[0]
	if v.Name != "微信 VIP" || len(v.Where) != 2 || v.Sort != "-rfm.monetary" || !slices.Equal(v.Columns, list["col"]) || len(v.Params) != 0 {
		t.Fatalf("saved %+v", v)
	}
	loc := w.Header().Get("Location")
	u, _ := url.Parse(loc)
	if u.Path != "/customers" || u.Query().Get("view") != fmt.Sprint(v.ID) || u.Query().Get("offset") != "" ||
		!slices.Equal(u.Query()["f"], list["f"]) || u.Query().Get("sort") != "-rfm.monetary" {
		t.Fatalf("after saving: %s", loc)
	}
	// Opening the view from the sidebar leads to the same list.
	w = f.do(req{method: "GET", path: fmt.Sprintf("/customers/views/%d", v.ID), as: "alice", via: "session"})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != loc {
		t.Fatalf("open: %d %s, want %s", w.Code, w.Header().Get("Location"), loc)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		w = f.do(req{method: "GET", path: loc, as: "alice", via: "session", header: map[string]string{"Accept-Language": lang}})
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, `id="views"`) || !strings.Contains(body, `aria-current="page">微信 VIP</a>`) ||
			!strings.Contains(body, `data-total="1"`) || !strings.Contains(body, `name="view" value="`+fmt.Sprint(v.ID)) {
			t.Fatalf("%s list of the view: %d %s", lang, w.Code, body)
		}
		for _, want := range map[string][]string{"zh-CN": {"已保存的视图", "保存视图", "仅自己"}, "en": {"Saved views", "Save view", "Only me"}}[lang] {
			if !strings.Contains(body, want) {
				t.Errorf("%s sidebar lacks %q", lang, want)
			}
		}
	}
	// bob neither sees it in his sidebar nor opens it.
	if w := f.do(req{method: "GET", path: "/customers", as: "bob", via: "session"}); strings.Contains(w.Body.String(), "微信 VIP") {
		t.Errorf("bob's sidebar lists alice's private view")
	}
	if w := f.do(req{method: "GET", path: fmt.Sprintf("/customers/views/%d", v.ID), as: "bob", via: "session"}); w.Code != 404 {
		t.Errorf("bob opens alice's view: %d", w.Code)
	}
	// Rename and share; with replace the view takes the list's current query.
	form = url.Values{"name": {"微信"}, "shared": {"sales"}, "query": {"f=province:eq:江苏"}}
	if w := f.do(req{method: "POST", path: fmt.Sprintf("/customers/views/%d", v.ID), as: "alice", via: "session", body: form.Encode()}); w.Code != 303 {
		t.Fatalf("rename: %d %s", w.Code, w.Body)
	}
	got, _ := f.st.FindSavedViewByID(context.Background(), v.ID)
	if got.Name != "微信" || got.Shared != "sales" || len(got.Where) != 2 {
		t.Fatalf("renamed without replace: %+v", got)
	}
	form.Set("replace", "1")
	f.do(req{method: "POST", path: fmt.Sprintf("/customers/views/%d", v.ID), as: "alice", via: "session", body: form.Encode()})
	got, _ = f.st.FindSavedViewByID(context.Background(), v.ID)
	if len(got.Where) != 1 || got.Where[0].Value != "江苏" || len(got.Columns) != 0 {
		t.Fatalf("replaced: %+v", got)
	}
	// bob sees it shared now, but may not change or delete it.
	if w := f.do(req{method: "GET", path: "/customers", as: "bob", via: "session"}); !strings.Contains(w.Body.String(), "微信") {
		t.Errorf("bob's sidebar lacks the shared view")
	}
	if w := f.do(req{method: "POST", path: fmt.Sprintf("/customers/views/%d/delete", v.ID), as: "bob", via: "session", body: ""}); w.Code != 403 {
		t.Errorf("bob deletes: %d", w.Code)
	}
	// A mistake shows the list with the error, 400.
	form = url.Values{"name": {strings.Repeat("长", kexi.MaxViewName+1)}, "query": {"f=province:eq:江苏"}}
	w = f.do(req{method: "POST", path: "/customers/views", as: "alice", via: "session", body: form.Encode(),
		header: map[string]string{"Accept-Language": "en"}})
	if w.Code != 400 || !strings.Contains(w.Body.String(), `role="alert"`) || !strings.Contains(w.Body.String(), `id="list"`) {
		t.Errorf("too long a name: %d %s", w.Code, w.Body)
	}
	form = url.Values{"name": {"微信"}, "query": {"f=province:eq:江苏"}}
	w = f.do(req{method: "POST", path: "/customers/views", as: "alice", via: "session", body: form.Encode(),
		header: map[string]string{"Accept-Language": "zh-CN"}})
	if w.Code != 409 || !strings.Contains(w.Body.String(), "已有名为“微信”的视图") {
		t.Errorf("a second view of one name: %d %s", w.Code, w.Body)
	}
	form = url.Values{"name": {"x"}, "query": {"f=nosuch:eq:1"}}
	if w := f.do(req{method: "POST", path: "/customers/views", as: "alice", via: "session", body: form.Encode()}); w.Code != 400 {
		t.Errorf("unknown field: %d %s", w.Code, w.Body)
	}
	// Without the CSRF token, nothing is saved.
	hr := req{method: "POST", path: "/customers/views", as: "alice", via: "session", body: url.Values{"name": {"y"}}.Encode(),
		header: map[string]string{"X-CSRF-Token": "wrong"}}
	if w := f.do(hr); w.Code != 403 {
		t.Errorf("no csrf: %d", w.Code)
	}
	// The owner deletes it.
	if w := f.do(req{method: "POST", path: fmt.Sprintf("/customers/views/%d/delete", v.ID), as: "alice", via: "session", body: ""}); w.Code != 303 {
		t.Errorf("alice deletes: %d %s", w.Code, w.Body)
	}
	if _, err := f.st.FindSavedViewByID(context.Background(), v.ID); kexi.ErrorCode(err) != kexi.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
}
