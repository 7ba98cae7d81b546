package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader at a time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a kexi serve started with run in the test's process.
type server struct {
	url    string
	out    *syncBuffer
	errOut *syncBuffer
	stop   func() int
}

// addUser runs "kexi users add" for login with role and password on db (with env), failing
// the test if it does not succeed.
func addUser(t *testing.T, env map[string]string, db, login, role, password string) {
	t.Helper()
	if code, _, errOut := runCmd(env, password+"\n", "users", "add", "--db", db, "--login", login, "--role", role, "--password-stdin"); code != 0 {
		t.Fatalf("users add %s: %d %s", login, code, errOut)
	}
}

// startServe runs "kexi serve --addr 127.0.0.1:0 args…", waits until /healthz answers and
// returns its base URL. stop cancels the context and returns run's exit code.
func startServe(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{out: &syncBuffer{}, errOut: &syncBuffer{}}
	done := make(chan int, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), getenv, strings.NewReader(""), s.out, s.errOut)
	}()
	stopped := false
	s.stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("kexi serve did not shut down within 20s")
			return -1
		}
	}
	t.Cleanup(func() { s.stop() })
	re := regexp.MustCompile(`kexi is serving on (http://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("kexi serve exited with %d: %s %s", code, s.out, s.errOut)
		default:
		}
		if m := re.FindStringSubmatch(s.out.String()); m != nil {
			s.url = m[1]
			resp, err := http.Get(s.url + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return s
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("kexi serve did not come up: %s %s", s.out, s.errOut)
	return nil
}

// runCmd runs a kexi command line and returns its exit code and output.
func runCmd(env map[string]string, stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestServeSetupLink starts kexi serve on an empty database: it prints the address and a
// one-time setup link, which creates the administrator; then it shuts down cleanly.
func TestServeSetupLink(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kexi.db")
	s := startServe(t, nil, "--db", db)
	link := regexp.MustCompile(`(http://\S+/setup\?token=\S+)`).FindStringSubmatch(s.out.String())
	if link == nil {
		t.Fatalf("no setup link printed: %q", s.out)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(link[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || csrf == nil || tok == nil {
		t.Fatalf("setup page: %d %s", resp.StatusCode, page)
	}
	resp, err = c.PostForm(s.url+"/setup", url.Values{"csrf": {string(csrf[1])}, "token": {string(tok[1])},
		"login": {"boss"}, "password": {"a good password"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The redirect lands on the dashboard, signed in.
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" || !bytes.Contains(body, []byte("boss")) {
		t.Fatalf("after setup: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	resp, _ = c.Get(s.url + "/api/v1/me")
	var me struct {
		User struct{ Login, Role string }
	}
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if me.User.Login != "boss" || me.User.Role != "admin" {
		t.Errorf("me: %+v", me)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("serve exit code %d: %s", code, s.errOut)
	}
	if !strings.Contains(s.errOut.String(), "shutting down") || !strings.Contains(s.errOut.String(), "msg=request") {
		t.Errorf("structured logs lack requests or shutdown: %s", s.errOut)
	}
	// With a user, no setup link.
	s2 := startServe(t, nil, "--db", db)
	if strings.Contains(s2.out.String(), "setup") {
		t.Errorf("setup link printed though a user exists: %s", s2.out)
	}
	resp, _ = http.Get(s2.url + "/")
	resp.Body.Close()
	if resp.Request.URL.Path != "/login" {
		t.Errorf("anonymous / ended at %s, want /login", resp.Request.URL)
	}
}

func TestUsersCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kexi.db")
	code, out, errOut := runCmd(nil, "pass-word-one\n", "users", "add", "--db", db, "--login", "li.na", "--role", "sales", "--name", "Li Na", "--password-stdin")
	if code != 0 || !strings.Contains(out, "added li.na (sales)") {
		t.Fatalf("add: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCmd(nil, "short\n", "users", "add", "--db", db, "--login", "x", "--role", "sales", "--password-stdin"); code != 2 || !strings.Contains(errOut, "at least 12") {
		t.Errorf("short password: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(nil, "pass-word-one\n", "users", "add", "--db", db, "--login", "x", "--role", "boss", "--password-stdin"); code != 2 || !strings.Contains(errOut, "unknown role") {
		t.Errorf("bad role: %d %q", code, errOut)
	}
	if code, _, _ := runCmd(nil, "pass-word-one\n", "users", "add", "--db", db, "--login", "li.na", "--role", "sales", "--password-stdin"); code == 0 {
		t.Error("a second li.na was added")
	}
	code, out, _ = runCmd(nil, "", "users", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "li.na") || !strings.Contains(out, "Li Na") || !strings.Contains(out, "sales") {
		t.Errorf("list: %d %q", code, out)
	}
	code, out, _ = runCmd(nil, "", "users", "remove", "--db", db, "--login", "li.na")
	if code != 0 || !strings.Contains(out, "removed li.na") {
		t.Errorf("remove: %d %q", code, out)
	}
	if code, out, _ := runCmd(nil, "", "users", "list", "--db", db); strings.Contains(out, "li.na") {
		t.Errorf("li.na still listed: %d %q", code, out)
	}
	if code, _, _ := runCmd(nil, "", "users", "remove", "--db", db, "--login", "li.na"); code == 0 {
		t.Error("removing a missing user succeeded")
	}
	if code, _, _ := runCmd(nil, "", "users", "frobnicate"); code != 2 {
		t.Errorf("unknown action: %d", code)
	}
}

// TestTrustedProxyFlag: --trusted-proxy takes addresses and CIDRs; anything else is a usage
// error (exit 2) naming the value.
func TestTrustedProxyFlag(t *testing.T) {
	got, err := parseProxies(" 10.0.0.0/8, 192.0.2.7,::1 ,fd00::1/64")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "::1/128", "fd00::/64"}
	if len(got) != len(want) {
		t.Fatalf("parsed %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("proxy %d = %s, want %s", i, got[i], want[i])
		}
	}
	db := filepath.Join(t.TempDir(), "kexi.db")
	code, _, errOut := runCmd(nil, "", "serve", "--db", db, "--addr", "127.0.0.1:0", "--trusted-proxy", "10.0.0.0/8,proxy.lan")
	if code != 2 || !strings.Contains(errOut, `"proxy.lan"`) {
		t.Errorf("bad --trusted-proxy: exit %d, %s", code, errOut)
	}
}
