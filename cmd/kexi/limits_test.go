package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// signIn signs in to a running kexi through the login form and returns the client (with the
// session cookie) and the CSRF token its pages carry.
func signIn(t *testing.T, base, login, password string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	csrf := func(path, re string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(re).FindSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no CSRF token in %d %.500s", path, resp.StatusCode, page)
		}
		return string(m[1])
	}
	tok := csrf("/login", `name="csrf" value="([^"]+)"`)
	resp, err := c.PostForm(base+"/login", url.Values{"csrf": {tok}, "login": {login}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c, csrf("/", `name="csrf-token" content="([^"]+)"`)
}

// TestServeLimits: kexi serve's uploads keep to --max-rows (and KEXI_MAX_* when no flag is
// given), answering 413 with the limit named; a bad limit value stops serve with exit 2.
func TestServeLimits(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kexi.db")
	env := map[string]string{"KEXI_KEY": testKey, "KEXI_MAX_ROWS": "2"}
	addUser(t, env, db, "admin", "admin", "serve-pass-1")
	post := func(s *server, c *http.Client, csrf string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("kind", "customers")
		fw, _ := mw.CreateFormFile("file", "three.csv")
		io.WriteString(fw, "external_id,name\nR1,One\nR2,Two\nR3,Three\n")
		mw.Close()
		req, _ := http.NewRequest("POST", s.url+"/api/v1/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-CSRF-Token", csrf)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(body)
	}
	s := startServe(t, env, "--db", db)
	c, csrf := signIn(t, s.url, "admin", "serve-pass-1")
	if code, body := post(s, c, csrf); code != 413 || !strings.Contains(body, "rows limit of 2 rows") || !strings.Contains(body, "--max-rows") {
		t.Errorf("KEXI_MAX_ROWS=2: %d %s", code, body)
	}
	s.stop()
	s = startServe(t, env, "--db", db, "--max-rows", "3")
	c, csrf = signIn(t, s.url, "admin", "serve-pass-1")
	if code, body := post(s, c, csrf); code != 200 || !strings.Contains(body, `"state":"done"`) {
		t.Errorf("--max-rows 3: %d %s", code, body)
	}
	s.stop()
	if code, _, errs := runCmd(env, "", "serve", "--db", db, "--addr", "127.0.0.1:0", "--max-cell", "huge"); code != 2 || !strings.Contains(errs, "max-cell") {
		t.Errorf("--max-cell huge: exit %d %s", code, errs)
	}
}
