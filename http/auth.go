package kexihttp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/kexi/kexi"
)

// argon2id parameters (RFC 9106 / OWASP second recommended option: 19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLen is the shortest password kexi accepts.
const MinPasswordLen = 12

// commonPasswords are passwords of MinPasswordLen or more characters that lists of leaked
// passwords show people choose most, lower case. Shorter ones are refused by length anyway.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Fields(`
		123456789012 1234567890123 12345678901234 123456789000 1234567890qwe 123456123456
		123123123123 111111111111 000000000000 666666666666 888888888888 147258369147
		987654321098 121212121212 112233445566 520131452013 5201314520131 woaini1314520
		woaini520131 iloveyou1234 iloveyou12345 password1234 password12345 password123!
		passwordpassword password1234! p@ssw0rd1234 qwerty123456 qwertyuiop12 qwertyuiop123
		qwertyuiopas 1qaz2wsx3edc 1q2w3e4r5t6y 1q2w3e4r5t6y7u zaq12wsxcde3 qazwsxedcrfv
		qazwsxedc123 asdfghjkl123 abc123456789 abcdefghijkl abcd12345678 aaaaaaaaaaaa
		administrator admin1234567 adminadmin123 welcome12345 letmein12345 changeme1234
		football1234 baseball1234 sunshine1234 princess1234 dragon123456 monkey123456
		superman1234 trustno11234 1234qwerasdf qwer1234asdf asdf1234qwer zxcvbnm12345
		kexi12345678 kexikexikexi kexi-password`) {
		m[p] = true
	}
	return m
}()

// CheckPasswordRules returns EINVALID, naming the field password, for a password shorter than
// MinPasswordLen characters, one of the commonest passwords, or one character repeated.
func CheckPasswordRules(password string) error {
	reason := ""
	switch rs := []rune(password); {
	case len(rs) < MinPasswordLen:
		reason = fmt.Sprintf("a password needs at least %d characters", MinPasswordLen)
	case commonPasswords[strings.ToLower(password)] || strings.Count(password, string(rs[0])) == len(rs):
		reason = "this password is among the most common ones; choose another"
	default:
		return nil
	}
	return &kexi.Error{Code: kexi.EINVALID, Message: "password not accepted",
		Problems: []kexi.FieldProblem{{Column: "password", Reason: reason}}}
}

// HashPassword returns the argon2id hash of password in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash). It returns EINVALID for a password that
// CheckPasswordRules refuses.
func HashPassword(password string) (string, error) {
	if err := CheckPasswordRules(password); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a hash made by HashPassword. The comparison
// takes constant time; a malformed hash never matches.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || p == 0 || t == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a login does not exist, so that a wrong login costs the
// same time as a wrong password. It is made on first use, not at start-up: every kexi
// command links this package, and a hash costs 19 MiB and tens of milliseconds.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a real password at all")
	return h
})

// newToken returns 32 random bytes as URL-safe text.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the store keeps of a session or API token: its SHA-256 in hex.
func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// Session lifetimes.
const (
	sessionTTL  = 7 * 24 * time.Hour
	apiTokenTTL = 365 * 24 * time.Hour
	maxTokenTTL = 10 * 365 * 24 * time.Hour
	purgeEvery  = time.Hour // expired sessions are deleted at a sign-in at most this often
	cookieName  = "kexi_session"
	preCSRFName = "kexi_csrf" // double-submit cookie for forms shown before sign-in
)

// auth is who is making a request.
type auth struct {
	user    *kexi.User
	session *kexi.Session
}

type ctxKey int

const (
	ctxAuth ctxKey = iota
	ctxLang
)

// authOf returns the request's signed-in user, or nil.
func authOf(r *http.Request) *auth {
	a, _ := r.Context().Value(ctxAuth).(*auth)
	return a
}

// userOf returns the request's signed-in user, or nil.
func userOf(r *http.Request) *kexi.User {
	if a := authOf(r); a != nil {
		return a.user
	}
	return nil
}

// langOf returns the request's UI language.
func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(ctxLang).(string); ok {
		return l
	}
	return langZh
}

// scopeOf is what the signed-in user may see.
func scopeOf(r *http.Request) kexi.Scope {
	if u := userOf(r); u != nil {
		return u.Scope()
	}
	// No user: see nothing. Routes that reach here without a user are public and read no data.
	return kexi.Scope{Owner: "\x00nobody"}
}

// authenticate finds the session of a request: a Bearer API token or the session cookie.
// It returns nil (and no error) for an anonymous request.
func (s *Server) authenticate(r *http.Request) (*auth, error) {
	var tok string
	bearer := false
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, errUnauthorized
		}
		tok, bearer = strings.TrimSpace(t), true
	} else if c, err := r.Cookie(cookieName); err == nil {
		tok = c.Value
	}
	if tok == "" {
		return nil, nil
	}
	sess, err := s.st.FindSession(r.Context(), hashToken(tok))
	if kexi.ErrorCode(err) == kexi.ENOTFOUND {
		if bearer {
			return nil, errUnauthorized
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	if bearer != sess.API || !sess.ExpiresAt.After(s.now()) {
		if bearer {
			return nil, errUnauthorized
		}
		return nil, nil
	}
	u, err := s.st.FindUserByID(r.Context(), sess.UserID)
	if kexi.ErrorCode(err) == kexi.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find session user: %w", err)
	}
	return &auth{user: u, session: sess}, nil
}

// startSession creates a browser session for u and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *kexi.User) error {
	tok := newToken()
	now := s.now()
	sess := &kexi.Session{TokenHash: hashToken(tok), UserID: u.ID, CSRF: newToken(),
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}
	if err := s.st.CreateSession(r.Context(), sess); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	s.purgeSessions(r.Context(), now)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: tok, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
	return nil
}

// CreateAPIToken creates an API token for user id that expires after ttl (0: a year) and
// returns the secret, which is never stored and cannot be shown again.
func CreateAPIToken(ctx context.Context, st kexi.UserService, userID int64, name string, now time.Time, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = apiTokenTTL
	}
	tok := newToken()
	sess := &kexi.Session{TokenHash: hashToken(tok), UserID: userID, API: true, Name: name,
		CSRF: newToken(), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := st.CreateSession(ctx, sess); err != nil {
		return "", fmt.Errorf("create api token: %w", err)
	}
	return tok, nil
}

// purgeSessions deletes expired sessions and tokens, at most once every purgeEvery.
func (s *Server) purgeSessions(ctx context.Context, now time.Time) {
	s.purgeMu.Lock()
	due := now.Sub(s.purgedAt) >= purgeEvery
	if due {
		s.purgedAt = now
	}
	s.purgeMu.Unlock()
	if !due {
		return
	}
	n, err := s.st.DeleteExpiredSessions(ctx, now)
	if err != nil {
		s.log.Warn("purge expired sessions", "err", err)
	} else if n > 0 {
		s.log.Info("purged expired sessions", "count", n)
	}
}

// csrfToken returns the token forms of this request must carry: the session's, or before
// sign-in the double-submit cookie's (setting it when missing).
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if a := authOf(r); a != nil {
		return a.session.CSRF
	}
	if c, err := r.Cookie(preCSRFName); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := newToken()
	http.SetCookie(w, &http.Cookie{Name: preCSRFName, Value: tok, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	// Make the same request see it, should the page render twice.
	r.AddCookie(&http.Cookie{Name: preCSRFName, Value: tok})
	return tok
}

// checkCSRF reports whether a state-changing request carries the right token: API tokens are
// exempt; sessions need their CSRF token in the X-CSRF-Token header or the csrf form field;
// anonymous forms need the double-submit cookie's value.
func checkCSRF(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	a := authOf(r)
	if a != nil && a.session.API {
		return true
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.FormValue("csrf")
	}
	var want string
	if a != nil {
		want = a.session.CSRF
	} else if c, err := r.Cookie(preCSRFName); err == nil {
		want = c.Value
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// can reports whether the user may do action ("read", "write", "import", "admin") on an
// entity kind ("" for none).
func can(u *kexi.User, action, kind string) bool {
	if u == nil {
		return false
	}
	switch action {
	case "read", "export":
		return true
	case "admin":
		return u.Role == kexi.RoleAdmin
	case "import":
		return u.Role == kexi.RoleAdmin || u.Role == kexi.RoleManager
	case "write":
		switch {
		case u.Role == kexi.RoleAdmin, u.Role == kexi.RoleManager && u.Region == "":
			return true
		case u.Role == kexi.RoleSales, u.Role == kexi.RoleManager:
			// Sales and regional managers keep the records of the customers (and leads) in
			// their scope; shared records (products, campaigns, competitors, SWOT) reach
			// beyond it, and a campaign's deletion takes every region's responses with it.
			switch kind {
			case kexi.KindCustomers, kexi.KindOrders, kexi.KindInteractions, kexi.KindSurveys,
				kexi.KindLeads, kexi.KindResponses:
				return true
			}
		}
	}
	return false
}

// validRole reports whether role is one kexi knows.
func validRole(role string) bool {
	switch role {
	case kexi.RoleAdmin, kexi.RoleManager, kexi.RoleAnalyst, kexi.RoleSales:
		return true
	}
	return false
}
