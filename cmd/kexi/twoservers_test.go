package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestTwoServersPostgres runs two kexi serve on one PostgreSQL database (as a team would behind
// a load balancer) and checks that each sees the other's writes at its next request.
func TestTwoServersPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	// The key file is found (and made by the first command) under the config folder, as on a
	// server; both servers share it as two machines would share a copy.
	testTwoServers(t, dsn, map[string]string{"XDG_CONFIG_HOME": t.TempDir()})
}

// TestTwoServersSQLite is the same on one embedded database file: two processes may share it.
func TestTwoServersSQLite(t *testing.T) {
	testTwoServers(t, filepath.Join(t.TempDir(), "kexi.db"), map[string]string{"KEXI_KEY": testKey})
}

// apiClient calls a server's API with a signed-in client's cookies and CSRF token.
type apiClient struct {
	t    *testing.T
	c    *http.Client
	csrf string
}

// do sends a request to url with a JSON body (nil: none, []byte: as is) and returns the status
// and the body.
func (a *apiClient) do(method, url string, body any, contentType string) (int, []byte) {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
		contentType = "application/json"
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		a.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-CSRF-Token", a.csrf)
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// get fetches url and decodes its JSON into v, failing the test unless it answers 200.
func (a *apiClient) get(url string, v any) []byte {
	a.t.Helper()
	code, body := a.do("GET", url, nil, "")
	if code != 200 {
		a.t.Fatalf("GET %s: %d %s", url, code, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			a.t.Fatalf("GET %s: %v in %.300s", url, err, body)
		}
	}
	return body
}

// importCSV uploads a CSV of kind through the API and fails the test unless it is done.
func (a *apiClient) importCSV(base, kind, name, csv string) {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, csv)
	mw.Close()
	code, body := a.do("POST", base+"/api/v1/import", buf.Bytes(), mw.FormDataContentType())
	if code != 200 || !strings.Contains(string(body), `"state":"done"`) {
		a.t.Fatalf("import %s on %s: %d %s", name, base, code, body)
	}
}

type listAnswer struct {
	Items []map[string]any `json:"items"`
	Total int              `json:"total"`
}

func testTwoServers(t *testing.T, db string, env map[string]string) {
	addUser(t, env, db, "boss", "admin", "two-servers-pass")
	a := startServe(t, env, "--db", db)
	b := startServe(t, env, "--db", db)

	// A session made by signing in on A works on B: sessions live in the database.
	c, csrf := signIn(t, a.url, "boss", "two-servers-pass")
	api := &apiClient{t: t, c: c, csrf: csrf}
	var me struct{ User struct{ Login string } }
	api.get(b.url+"/api/v1/me", &me)
	if me.User.Login != "boss" {
		t.Fatalf("B does not know A's session: %+v", me)
	}

	// B has served the (empty) dashboard before A writes: its caches hold the old data.
	var dash0 map[string]any
	api.get(b.url+"/api/v1/dashboard", &dash0)

	// A customer created on A shows on B's next API answer and page.
	code, body := api.do("POST", a.url+"/api/v1/customers", map[string]any{"external_id": "C-A1", "name": "Wang Fang", "province": "浙江"}, "")
	if code != 201 && code != 200 {
		t.Fatalf("create customer on A: %d %s", code, body)
	}
	var list listAnswer
	api.get(b.url+"/api/v1/customers?q=Wang", &list)
	if len(list.Items) != 1 || list.Items[0]["external_id"] != "C-A1" {
		t.Fatalf("B's customer list after A's create: %+v", list)
	}
	if page := api.get(b.url+"/customers", nil); !bytes.Contains(page, []byte("Wang Fang")) {
		t.Errorf("B's customers page does not show the customer A created")
	}

	// Orders imported through A: B's next list of orders has them (read from the store), and its
	// dashboard counts them once the Dataset is reloaded, which an import leaves to the
	// background on every server (http/refresh.go), so the test waits for it.
	api.importCSV(a.url, "orders", "orders.csv", "external_id,customer_id,ordered_at,amount\n"+
		"O1,C-A1,2026-03-01,100\nO2,C-A1,2026-05-01,250\nO3,C-B2,2026-06-01,80\n")
	api.get(b.url+"/api/v1/orders", &list)
	if list.Total != 3 || len(list.Items) != 3 {
		t.Fatalf("B's orders after A's import: total %d, %d items; want 3", list.Total, len(list.Items))
	}
	var dash struct {
		Customers, Orders int
		Revenue           float64
	}
	deadline := time.Now().Add(time.Minute)
	for {
		api.get(b.url+"/api/v1/dashboard?period=all", &dash)
		if dash.Orders == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if dash.Orders != 3 || dash.Customers != 2 || dash.Revenue != 430 {
		t.Errorf("B's dashboard after A's import: %+v, want 2 customers, 3 orders, revenue 430", dash)
	}

	// And the other way round: an import on B reaches A's dashboard; a change of one customer on
	// B is spliced into A's Dataset, which A's next page waits for.
	api.importCSV(b.url, "orders", "more.csv", "external_id,customer_id,ordered_at,amount\nO4,C-A1,2026-07-01,20\n")
	deadline = time.Now().Add(time.Minute)
	for {
		api.get(a.url+"/api/v1/dashboard?period=all", &dash)
		if dash.Orders == 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if dash.Orders != 4 {
		t.Errorf("A's dashboard after B's import: %d orders, want 4", dash.Orders)
	}
	code, body = api.do("PATCH", b.url+"/api/v1/customers/"+fmt.Sprint(list.Items[0]["customer_id"]), map[string]any{"name": "Wang Fang 2"}, "")
	if code != 200 {
		t.Fatalf("update customer on B: %d %s", code, body)
	}
	if page := api.get(a.url+"/customers", nil); !bytes.Contains(page, []byte("Wang Fang 2")) {
		t.Errorf("A's customers page does not show B's change of name")
	}

	// Settings saved on A rule B's next page: the default language of the pages.
	if page := api.get(b.url+"/customers", nil); !bytes.Contains(page, []byte(`<html lang="zh`)) {
		t.Fatalf("B's page before the change is not in Chinese: %.200s", page)
	}
	if code, body := api.do("PUT", a.url+"/api/v1/settings", map[string]any{"lang": "en"}, ""); code != 200 {
		t.Fatalf("save settings on A: %d %s", code, body)
	}
	if page := api.get(b.url+"/customers", nil); !bytes.Contains(page, []byte(`<html lang="en`)) {
		t.Errorf("B's next page after A set the language to English: %.200s", page)
	}

	// The audit log is one: each server lists what was done on both.
	for _, s := range []*server{a, b} {
		var audit struct {
			Items []struct{ Login, Action, Entity, Detail string }
		}
		api.get(s.url+"/api/v1/audit", &audit)
		var got []string
		for _, e := range audit.Items {
			got = append(got, e.Action+" "+e.Entity)
		}
		all := strings.Join(got, ", ")
		for _, want := range []string{"sign_in", "create customers", "import orders", "update customers", "update settings"} {
			if !strings.Contains(all, want) {
				t.Errorf("audit on %s lacks %q: %s", s.url, want, all)
			}
		}
	}

	// Signing out on A ends the session on B too.
	code, body = api.do("POST", a.url+"/logout", []byte("csrf="+csrf), "application/x-www-form-urlencoded")
	if code != 200 {
		t.Fatalf("sign out on A: %d %.200s", code, body)
	}
	if code, _ := api.do("GET", b.url+"/api/v1/me", nil, ""); code != 401 {
		t.Errorf("B after signing out on A: %d, want 401", code)
	}
}
