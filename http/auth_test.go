package kexihttp

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
)

// clock is a settable time for servers under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const testCSRF = "0123456789abcdef0123456789abcdef0123456789"

// login posts the sign-in form from addr (host:port) with a valid double-submit CSRF token.
func login(srv http.Handler, addr, user, pw string, header ...string) *httptest.ResponseRecorder {
	form := url.Values{"csrf": {testCSRF}, "login": {user}, "password": {pw}, "next": {"/customers"}}
	r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: preCSRFName, Value: testCSRF})
	r.AddCookie(&http.Cookie{Name: "lang", Value: langEn})
	r.RemoteAddr = addr
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Cookie" {
			r.Header.Add(header[i], header[i+1])
		} else {
			r.Header.Set(header[i], header[i+1])
		}
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	return w
}

func gotSession(w *httptest.ResponseRecorder) bool {
	if w.Code != http.StatusSeeOther {
		return false
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == cookieName && c.Value != "" {
			return true
		}
	}
	return false
}

func auditCount(t *testing.T, st kexi.Store, action, login string) int {
	t.Helper()
	es, err := st.FindAudit(context.Background(), -1)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action && (login == "" || e.Login == login) {
			n++
		}
	}
	return n
}

// TestLoginThrottle: 30 wrong passwords in a row and then the right one do not sign in; the
// attempts past the free ones are answered 429 with Retry-After and without hashing; after
// the wait the right password works; failures and the lockout are in the audit log.
func TestLoginThrottle(t *testing.T) {
	f := newFixture(t)
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	srv := NewServer(Config{Store: f.st, Now: clk.now})
	const addr = "198.51.100.7:40000"
	for i := 0; i < 30; i++ {
		login(srv, addr, "alice", fmt.Sprintf("wrong password %d", i))
	}
	hashes := srv.hasher.runs.Load()
	if hashes != loginFree+1 {
		t.Errorf("%d hashes for 30 wrong passwords, want %d: throttled attempts must not hash", hashes, loginFree+1)
	}
	w := login(srv, addr, "alice", "correct horse")
	if gotSession(w) {
		t.Fatal("the right password after 30 wrong ones in a row signed in")
	}
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" ||
		!strings.Contains(w.Body.String(), "Too many failed sign-ins") {
		t.Fatalf("throttled sign-in: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if srv.hasher.runs.Load() != hashes {
		t.Error("a throttled sign-in hashed the password")
	}
	// The same login from another address waits too; another login from this address does not.
	if w := login(srv, "203.0.113.9:1", "alice", "correct horse"); w.Code != http.StatusTooManyRequests {
		t.Errorf("throttled login from another address: %d, want 429", w.Code)
	}
	if w := login(srv, addr, "bob", "correct horse"); !gotSession(w) {
		t.Errorf("bob from the same address: %d, want signed in", w.Code)
	}
	// One wrong password past the free ones waits a second, the next two, ...
	retry, _ := strconv.Atoi(w.Header().Get("Retry-After"))
	if retry != 1 {
		t.Errorf("Retry-After %d after %d failures, want 1", retry, loginFree+1)
	}
	clk.add(time.Second)
	if w := login(srv, addr, "alice", "correct horse"); !gotSession(w) {
		t.Fatalf("after the wait the right password: %d", w.Code)
	}
	if n := auditCount(t, f.st, "sign_in_failed", "alice"); n != loginFree+1 {
		t.Errorf("%d sign_in_failed entries, want %d (one per checked password)", n, loginFree+1)
	}
	// A success forgets the login's failures: five more are free again; then the lockout.
	for i := 0; i < loginLockout; i++ {
		if w := login(srv, addr, "alice", "wrong again"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, w.Code)
		}
		clk.add(maxWait) // wait out every backoff: only the count matters
	}
	clk.add(-maxWait + time.Minute)
	if w := login(srv, addr, "alice", "correct horse"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("locked account: %d, want 429", w.Code)
	} else if ra, _ := strconv.Atoi(w.Header().Get("Retry-After")); ra != int((maxWait-time.Minute)/time.Second) {
		t.Errorf("locked account Retry-After %d s", ra)
	}
	if n := auditCount(t, f.st, "sign_in_locked", "alice"); n != 1 {
		t.Errorf("%d sign_in_locked entries, want 1", n)
	}
	clk.add(maxWait - time.Minute)
	if w := login(srv, addr, "alice", "correct horse"); !gotSession(w) {
		t.Errorf("after the lockout: %d", w.Code)
	}
}

// TestLoginThrottleAddress: one address trying many logins is throttled by its address, an
// unknown login the same as a known one, and behind a trusted proxy by X-Forwarded-For.
func TestLoginThrottleAddress(t *testing.T) {
	f := newFixture(t)
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	srv := NewServer(Config{Store: f.st, Now: clk.now, TrustedProxies: []netip.Prefix{proxy}})
	for i := 0; i < addrFree; i++ {
		if w := login(srv, "[2001:db8:1:2::5]:999", fmt.Sprintf("user%d", i), "wrong password"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d from one address: %d, want 401", i+1, w.Code)
		}
	}
	login(srv, "[2001:db8:1:2::5]:999", "user-x", "wrong password")
	// The same /64 is the same client.
	if w := login(srv, "[2001:db8:1:2::77]:999", "alice", "correct horse"); w.Code != http.StatusTooManyRequests {
		t.Errorf("after %d failures from one /64: %d, want 429", addrFree+1, w.Code)
	}
	if w := login(srv, "[2001:db8:1:3::5]:999", "alice", "correct horse"); !gotSession(w) {
		t.Errorf("another /64: %d, want signed in", w.Code)
	}
	// Behind the proxy, each client counts on its own; a forged header from elsewhere does not.
	for i := 0; i <= addrFree; i++ {
		login(srv, "10.1.1.1:5000", fmt.Sprintf("user%d", i), "wrong password", "X-Forwarded-For", "192.0.2.50")
	}
	if w := login(srv, "10.1.1.1:5000", "bob", "correct horse", "X-Forwarded-For", "192.0.2.50"); w.Code != http.StatusTooManyRequests {
		t.Errorf("client behind the proxy after %d failures: %d, want 429", addrFree+1, w.Code)
	}
	if w := login(srv, "10.1.1.1:5000", "bob", "correct horse", "X-Forwarded-For", "192.0.2.50, 192.0.2.51"); !gotSession(w) {
		t.Errorf("another client behind the proxy: %d, want signed in", w.Code)
	}
	if w := login(srv, "192.0.2.99:5000", "bob", "correct horse", "X-Forwarded-For", "192.0.2.50"); !gotSession(w) {
		t.Errorf("X-Forwarded-For from an untrusted peer was believed: %d", w.Code)
	}
}

// TestThrottleBounded: the throttle tracks at most its cap of keys, keeps the ones that make
// someone wait when it must drop some, and forgets keys after forgetAfter.
func TestThrottleBounded(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	th := newThrottle(100)
	for i := 0; i < 10; i++ {
		th.fail(now, "login:victim", 0, 100)
	}
	for i := 0; i < 1000; i++ {
		th.fail(now, fmt.Sprintf("login:junk%d", i), 5, 10)
	}
	if n := len(th.keys); n > 100 {
		t.Fatalf("%d keys tracked, cap 100", n)
	}
	if th.wait(now, "login:victim") == 0 {
		t.Error("junk keys pushed out a waiting key")
	}
	later := now.Add(forgetAfter)
	if d := th.wait(later, "login:victim"); d != 0 {
		t.Errorf("a key still waits %v after forgetAfter", d)
	}
	th.fail(later, "login:victim", 5, 10)
	if s := th.keys["login:victim"]; s == nil || s.fails != 1 {
		t.Errorf("after forgetAfter the count does not start afresh: %+v", s)
	}
}

// TestHashBound: many sign-ins at once run at most Hashers argon2 hashes at once.
func TestHashBound(t *testing.T) {
	f := newFixture(t)
	srv := NewServer(Config{Store: f.st, Hashers: 2})
	// Every sign-in must get its hash: on a loaded machine 16 hashes two at a time can take
	// longer than the 5 s a sign-in normally waits before its 503.
	srv.hasher.wait = time.Minute
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			login(srv, fmt.Sprintf("192.0.2.%d:1", i), fmt.Sprintf("user%d", i), "wrong password")
		})
	}
	wg.Wait()
	if n := srv.hasher.runs.Load(); n != 16 {
		t.Fatalf("%d hashes, want 16", n)
	}
	if p := srv.hasher.peak.Load(); p > 2 || p < 1 {
		t.Errorf("%d hashes ran at once, bound 2", p)
	}
}

// TestLocalPath: next= accepts only a path on this site, after what browsers strip.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "/",
		"/customers?q=a&sort=name":  "/customers?q=a&sort=name",
		"/analyses/rfm#top":         "/analyses/rfm#top",
		"/":                         "/",
		"//evil.example/x":          "/",
		"/\\evil.example/x":         "/",
		"\\\\evil.example":          "/",
		"/\t/evil.example/x":        "/",
		"/\n/evil.example/x":        "/",
		"/\r\n/evil.example":        "/",
		"\t//evil.example":          "/",
		" //evil.example":           "/",
		"\x00//evil.example":        "/",
		"/\t\\evil.example":         "/",
		"https://evil.example/":     "/",
		"javascript:alert(1)":       "/",
		"evil.example":              "/",
		"/a/..\\\\evil.example":     "/a/..//evil.example",
		"/a\x00b":                   "/",
		"/ok?next=//evil.example":   "/ok?next=//evil.example",
		"/q?x=a\\b":                 "/q?x=a\\b",
		"/cust\tomers":              "/customers",
		"  /customers  ":            "/customers",
		"/%2F%2Fevil.example":       "/%2F%2Fevil.example",
		"/%09/evil.example (coded)": "/%09/evil.example (coded)",
	} {
		got := localPath(in)
		if got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
		if len(got) > 1 && (got[1] == '/' || got[1] == '\\') || strings.ContainsAny(got, "\t\r\n\\") && !strings.Contains(got, "?") {
			t.Errorf("localPath(%q) = %q leaves the site", in, got)
		}
	}
	// Through the routes: /lang and /login redirect only on this site.
	f := newFixture(t)
	for _, p := range []string{"/lang?to=en&next=%2F%09%2Fevil.example%2Fx", "/lang?to=en&next=%2F%0A%2Fevil.example",
		"/lang?to=en&next=%09%2F%2Fevil.example"} {
		w := f.do(req{method: "GET", path: p})
		if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "/" {
			t.Errorf("GET %s: %d to %q, want a redirect to /", p, w.Code, loc)
		}
	}
	w := f.do(req{method: "GET", path: "/login?next=%2F%09%2Fevil.example%2Fx", as: "alice", via: "session"})
	if loc := w.Header().Get("Location"); loc != "/" {
		t.Errorf("signed-in /login?next=tab: to %q, want /", loc)
	}
	w = login(f.srv, "192.0.2.1:1", "alice", "correct horse", "Content-Type", "application/x-www-form-urlencoded")
	if loc := w.Header().Get("Location"); loc != "/customers" {
		t.Errorf("sign-in next=/customers went to %q", loc)
	}
}

// TestSetupOnce: eight requests with the one-time token at once create one administrator.
func TestSetupOnce(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), sqlite.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := NewServer(Config{Store: st, SetupToken: "tok123", Hashers: 8})
	codes := make([]int, 8)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			form := url.Values{"csrf": {testCSRF}, "token": {"tok123"}, "login": {fmt.Sprintf("root%d", i)},
				"password": {"a long enough password"}}
			r := httptest.NewRequest("POST", "/setup", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(&http.Cookie{Name: preCSRFName, Value: testCSRF})
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			codes[i] = w.Code
		})
	}
	wg.Wait()
	us, err := st.FindUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 1 {
		t.Fatalf("%d administrators from one setup link (statuses %v), want 1", len(us), codes)
	}
	ok := 0
	for _, c := range codes {
		if c == http.StatusSeeOther {
			ok++
		} else if c != http.StatusNotFound {
			t.Errorf("a losing setup request got %d, want 404", c)
		}
	}
	if ok != 1 || srv.SetupLink() != "" {
		t.Errorf("%d setups succeeded, link %q", ok, srv.SetupLink())
	}
}

// TestSetupRetry: a refused password leaves the link usable.
func TestSetupRetry(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), sqlite.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := NewServer(Config{Store: st, SetupToken: "tok123"})
	post := func(pw string) int {
		form := url.Values{"csrf": {testCSRF}, "token": {"tok123"}, "login": {"root"}, "password": {pw}}
		r := httptest.NewRequest("POST", "/setup", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: preCSRFName, Value: testCSRF})
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w.Code
	}
	if c := post("123456789012"); c != http.StatusBadRequest {
		t.Fatalf("common password: %d, want 400", c)
	}
	if c := post("a long enough password"); c != http.StatusSeeOther {
		t.Fatalf("setup after a refused password: %d", c)
	}
}

// TestPasswordRules: short, common and one-character passwords are refused, everywhere a
// password is set.
func TestPasswordRules(t *testing.T) {
	for pw, ok := range map[string]bool{
		"12345678":         false,
		"short":            false,
		"elevenchars":      false,
		"123456789012":     false,
		"Password1234":     false,
		"QWERTY123456":     false,
		"woaini1314520":    false,
		"aaaaaaaaaaaaaaaa": false,
		"密密密密密密密密密密密密":     false,
		"correct horse":    true,
		"密码是一句很长的中文句子啊": true,
		"Tr0ub4dor&3xyz": true,
	} {
		err := CheckPasswordRules(pw)
		if ok != (err == nil) {
			t.Errorf("CheckPasswordRules(%q) = %v, want ok %v", pw, err, ok)
		}
		if _, herr := HashPassword(pw); ok != (herr == nil) || !ok && kexi.ErrorCode(herr) != kexi.EINVALID {
			t.Errorf("HashPassword(%q): %v", pw, herr)
		}
	}
	f := newFixture(t)
	w := f.do(req{method: "POST", path: "/api/v1/users", as: "admin",
		body: map[string]string{"login": "weak", "role": "analyst", "password": "12345678"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"column":"password"`) {
		t.Errorf("API user with password 12345678: %d %s", w.Code, w.Body)
	}
	if _, err := f.st.FindUserByLogin(context.Background(), "weak"); kexi.ErrorCode(err) != kexi.ENOTFOUND {
		t.Errorf("the user with a weak password was created: %v", err)
	}
}

// TestAPITokens: admins list a user's tokens (never the secret), choose their lifetime and
// revoke them in the API and the UI; a revoked token no longer signs in.
func TestAPITokens(t *testing.T) {
	f := newFixture(t)
	clk := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	f.srv = NewServer(Config{Store: f.st, Now: clk.now})
	alice := f.users["alice"].ID
	w := f.do(req{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/tokens", alice), as: "admin",
		body: map[string]any{"name": "ci", "days": 30}})
	var made struct {
		Token     string    `json:"token"`
		ID        string    `json:"id"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	decode(t, w, &made)
	if w.Code != http.StatusCreated || made.Token == "" || len(made.ID) != kexi.TokenIDLen ||
		!made.ExpiresAt.Equal(clk.now().Add(30*24*time.Hour)) {
		t.Fatalf("create token: %d %+v", w.Code, made)
	}
	for _, days := range []int{-1, 4000} {
		w := f.do(req{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/tokens", alice), as: "admin",
			body: map[string]any{"days": days}})
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"column":"days"`) {
			t.Errorf("token for %d days: %d %s", days, w.Code, w.Body)
		}
	}
	f.tokens["alice-ci"] = made.Token
	if w := f.do(req{method: "GET", path: "/api/v1/me", as: "alice-ci"}); w.Code != http.StatusOK {
		t.Fatalf("new token: %d", w.Code)
	}
	w = f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/tokens", alice), as: "admin"})
	var list struct {
		Items []tokenView `json:"items"`
	}
	decode(t, w, &list)
	if w.Code != http.StatusOK || len(list.Items) != 2 || list.Items[0].ID != made.ID || list.Items[0].Name != "ci" || list.Items[0].Login != "alice" ||
		strings.Contains(w.Body.String(), made.Token) || strings.Contains(w.Body.String(), hashToken(made.Token)) {
		t.Fatalf("list tokens: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "GET", path: fmt.Sprintf("/api/v1/users/%d/tokens", alice), as: "alice"}); w.Code != http.StatusForbidden {
		t.Errorf("sales lists tokens: %d, want 403", w.Code)
	}
	// Revoking needs the right user and id.
	bob := f.users["bob"].ID
	if w := f.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/users/%d/tokens/%s", bob, made.ID), as: "admin"}); w.Code != http.StatusNotFound {
		t.Errorf("revoke alice's token as bob's: %d, want 404", w.Code)
	}
	if w := f.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/users/%d/tokens/%s", alice, made.ID), as: "admin"}); w.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/me", as: "alice-ci"}); w.Code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", w.Code)
	}
	if w := f.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/users/%d/tokens/%s", alice, made.ID), as: "admin"}); w.Code != http.StatusNotFound {
		t.Errorf("revoke twice: %d, want 404", w.Code)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/me", as: "alice"}); w.Code != http.StatusOK {
		t.Errorf("alice's other token stopped working: %d", w.Code)
	}
	// The users page lists tokens and revokes them with a form.
	w = f.do(req{method: "GET", path: "/users", as: "admin", via: "session"})
	ids := regexpAll(`action="/users/\d+/tokens/([0-9a-f]+)/revoke"`, w.Body.String())
	if len(ids) != len(f.users) {
		t.Fatalf("users page lists %d tokens, want %d", len(ids), len(f.users))
	}
	w = f.do(req{method: "POST", path: fmt.Sprintf("/users/%d/tokens/%s/revoke", f.users["bob"].ID, hashToken(f.tokens["bob"])[:kexi.TokenIDLen]),
		as: "admin", via: "session", body: ""})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("revoke in the UI: %d", w.Code)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/me", as: "bob"}); w.Code != http.StatusUnauthorized {
		t.Errorf("token revoked in the UI: %d, want 401", w.Code)
	}
	// The UI chooses a lifetime too.
	w = f.do(req{method: "POST", path: fmt.Sprintf("/users/%d/token", alice), as: "admin", via: "session", body: "days=7&name=week"})
	tok := regexpAll(`<code id="new-token">([^<]+)</code>`, w.Body.String())
	if w.Code != http.StatusOK || len(tok) != 1 {
		t.Fatalf("UI token: %d", w.Code)
	}
	if s, err := f.st.FindSession(context.Background(), hashToken(tok[0])); err != nil || !s.ExpiresAt.Equal(clk.now().Add(7*24*time.Hour)) {
		t.Errorf("UI token for 7 days: %+v %v", s, err)
	}
}

// TestSessionPurge: a sign-in deletes expired sessions and tokens.
func TestSessionPurge(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	past := time.Now().Add(-time.Hour)
	for _, api := range []bool{false, true} {
		if err := f.st.CreateSession(ctx, &kexi.Session{TokenHash: fmt.Sprint("expired-", api), UserID: f.users["ana"].ID, API: api,
			CreatedAt: past.Add(-time.Hour), ExpiresAt: past}); err != nil {
			t.Fatal(err)
		}
	}
	if w := login(f.srv, "192.0.2.1:1", "alice", "correct horse"); !gotSession(w) {
		t.Fatalf("sign-in: %d", w.Code)
	}
	for _, api := range []bool{false, true} {
		if _, err := f.st.FindSession(ctx, fmt.Sprint("expired-", api)); kexi.ErrorCode(err) != kexi.ENOTFOUND {
			t.Errorf("expired session (api %v) survives a sign-in: %v", api, err)
		}
	}
	if w := f.do(req{method: "GET", path: "/api/v1/me", as: "ana"}); w.Code != http.StatusOK {
		t.Errorf("a live token was purged: %d", w.Code)
	}
}

// TestSecureCookie: the session cookie is Secure over TLS, or behind a trusted proxy that
// says https; a client cannot ask for it by sending the header itself.
func TestSecureCookie(t *testing.T) {
	f := newFixture(t)
	srv := NewServer(Config{Store: f.st, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	secure := func(w *httptest.ResponseRecorder) bool {
		for _, c := range w.Result().Cookies() {
			if c.Name == cookieName {
				return c.Secure
			}
		}
		t.Fatalf("no session cookie: %d", w.Code)
		return false
	}
	if !secure(login(srv, "127.0.0.1:5000", "alice", "correct horse", "X-Forwarded-Proto", "https")) {
		t.Error("behind the trusted proxy with https: cookie not Secure")
	}
	if secure(login(srv, "127.0.0.1:5000", "alice", "correct horse", "X-Forwarded-Proto", "http")) {
		t.Error("behind the trusted proxy with http: cookie Secure")
	}
	if secure(login(srv, "192.0.2.8:5000", "alice", "correct horse", "X-Forwarded-Proto", "https")) {
		t.Error("X-Forwarded-Proto from an untrusted peer was believed")
	}
}

// TestConflictHidden: a sales user cannot tell from the answer that another owner's record has
// an external id: taking bob's id gets the same answer as taking one's own, and neither says
// that a record exists.
func TestConflictHidden(t *testing.T) {
	f := newFixture(t)
	answer := func(r req) (int, string) {
		w := f.do(r)
		return w.Code, strings.ReplaceAll(w.Body.String(), marker+"-", "")
	}
	for _, c := range []struct {
		kind, theirs, mine string
		body               map[string]any
	}{
		{"customers", marker + "-C3", "C2", map[string]any{"name": "New"}},
		{"orders", marker + "-O4", "O3", map[string]any{"customer": "C1", "ordered_at": "2025-04-01T00:00:00Z", "amount": 1}},
	} {
		post := func(ext string) (int, string) {
			b := map[string]any{"external_id": ext}
			for k, v := range c.body {
				b[k] = v
			}
			return answer(req{method: "POST", path: "/api/v1/" + c.kind, as: "alice", body: b})
		}
		if code, body := post("NEW-" + c.kind); code != http.StatusCreated {
			t.Fatalf("%s: a fresh external id: %d %s", c.kind, code, body)
		}
		code, body := post(c.theirs)
		if code != http.StatusBadRequest || !strings.Contains(body, `"column":"external_id"`) ||
			strings.Contains(body, "taken") || strings.Contains(body, "exist") {
			t.Errorf("%s: alice takes bob's external id: %d %s", c.kind, code, body)
		}
		code2, body2 := post(c.mine)
		if code2 != code || strings.ReplaceAll(body2, c.mine, "") != strings.ReplaceAll(body, strings.TrimPrefix(c.theirs, marker+"-"), "") {
			t.Errorf("%s: bob's id answers %d %s, her own %d %s", c.kind, code, body, code2, body2)
		}
		// Renaming her own record to bob's id answers the same.
		code3, body3 := answer(req{method: "PATCH", path: fmt.Sprintf("/api/v1/%s/%d", c.kind, f.alice[c.kind]), as: "alice",
			body: map[string]any{"external_id": c.theirs}})
		if code3 != code || body3 != body {
			t.Errorf("%s: PATCH to bob's id: %d %s, want %d %s", c.kind, code3, body3, code, body)
		}
	}
	// An administrator, who sees everything, is told plainly.
	if w := f.do(req{method: "POST", path: "/api/v1/customers", as: "admin", body: map[string]any{"external_id": "C1", "name": "x"}}); w.Code != http.StatusConflict {
		t.Errorf("admin duplicate: %d, want 409", w.Code)
	}
}

// TestLongLogin: a huge login costs the throttle, the audit log and the page no more than a
// short one.
func TestLongLogin(t *testing.T) {
	f := newFixture(t)
	huge := strings.Repeat("登", 1<<20)
	w := login(f.srv, "192.0.2.1:1", huge, "wrong password")
	if w.Code != http.StatusUnauthorized || w.Body.Len() > 64<<10 {
		t.Errorf("huge login: %d, %d bytes", w.Code, w.Body.Len())
	}
	for k := range f.srv.throttle.keys {
		if len(k) > maxLoginLen+len("login:") {
			t.Errorf("a throttle key of %d bytes", len(k))
		}
	}
	es, _ := f.st.FindAudit(context.Background(), 5)
	for _, e := range es {
		if len(e.Login) > maxLoginLen {
			t.Errorf("audit login of %d bytes", len(e.Login))
		}
	}
	w = f.do(req{method: "POST", path: "/api/v1/users", as: "admin",
		body: map[string]string{"login": strings.Repeat("a", maxLoginLen+1), "role": "analyst", "password": "correct horse"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"column":"login"`) {
		t.Errorf("user with a %d-byte login: %d %s", maxLoginLen+1, w.Code, w.Body)
	}
}

// TestLockoutDevice: someone who locks alice's login out does not lock out the browser alice
// signed in from before; that browser's own failures still count; a cookie for another login,
// or a forged one, does not help.
func TestLockoutDevice(t *testing.T) {
	f := newFixture(t)
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	srv := NewServer(Config{Store: f.st, Now: clk.now})
	device := func(w *httptest.ResponseRecorder) string {
		for _, c := range w.Result().Cookies() {
			if c.Name == deviceCookie {
				if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/login" {
					t.Errorf("device cookie %+v", c)
				}
				return c.Value
			}
		}
		t.Fatalf("no device cookie: %d", w.Code)
		return ""
	}
	aliceDev := device(login(srv, "192.0.2.10:1", "alice", "correct horse"))
	bobDev := device(login(srv, "192.0.2.11:1", "bob", "correct horse"))
	// An attacker on many addresses locks alice's login.
	for i := 0; i < loginLockout; i++ {
		login(srv, fmt.Sprintf("203.0.113.%d:1", i), "alice", "guess")
		clk.add(maxWait)
	}
	clk.add(-maxWait + time.Minute)
	if w := login(srv, "203.0.113.99:1", "alice", "correct horse"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("locked login without a device cookie: %d, want 429", w.Code)
	}
	for name, cookie := range map[string]string{"bob's": bobDev, "forged": strings.Split(aliceDev, ".")[0] + ".AAAA", "garbage": "x.y"} {
		if w := login(srv, "192.0.2.10:1", "alice", "correct horse", "Cookie", deviceCookie+"="+cookie); w.Code != http.StatusTooManyRequests {
			t.Errorf("locked login with %s device cookie: %d, want 429", name, w.Code)
		}
	}
	w := login(srv, "192.0.2.10:1", "alice", "correct horse", "Cookie", deviceCookie+"="+aliceDev)
	if !gotSession(w) {
		t.Fatalf("alice from her browser while her login is locked: %d", w.Code)
	}
	if device(w) != aliceDev {
		t.Error("a known browser got a new device id")
	}
	// The browser's own failures count on it.
	for i := 0; i < loginFree; i++ {
		login(srv, "192.0.2.10:1", "alice", "typo", "Cookie", deviceCookie+"="+aliceDev)
	}
	if w := login(srv, "192.0.2.10:1", "alice", "typo", "Cookie", deviceCookie+"="+aliceDev); w.Code != http.StatusUnauthorized {
		t.Fatalf("failure %d from the browser: %d, want 401", loginFree+1, w.Code)
	}
	if w := login(srv, "192.0.2.10:1", "alice", "correct horse", "Cookie", deviceCookie+"="+aliceDev); w.Code != http.StatusTooManyRequests {
		t.Errorf("the browser after %d failures of its own: %d, want 429", loginFree+1, w.Code)
	}
}

// TestHasherBusy: a sign-in that cannot get a hasher is answered 503 with Retry-After and the
// page says to try again; it does not hash.
func TestHasherBusy(t *testing.T) {
	f := newFixture(t)
	srv := NewServer(Config{Store: f.st, Hashers: 1})
	release, held := make(chan struct{}), make(chan struct{})
	go srv.hasher.do(context.Background(), func() { close(held); <-release })
	<-held
	defer close(release)
	form := url.Values{"csrf": {testCSRF}, "login": {"alice"}, "password": {"correct horse"}}
	srv.hasher.wait = time.Millisecond // the slot stays held: the wait always runs out
	r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: preCSRFName, Value: testCSRF})
	r.AddCookie(&http.Cookie{Name: "lang", Value: langEn})
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "5" ||
		!strings.Contains(w.Body.String(), "Too many sign-ins at once") {
		t.Errorf("busy sign-in: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if n := srv.hasher.runs.Load(); n != 1 {
		t.Errorf("%d hashes, want only the one holding the slot", n)
	}
}
