// Package kexihttp is kexi's web dashboard and REST API: server-rendered pages in Chinese and
// English over the store and the analysis registry, with ECharts charts and the JSON API under
// /api/v1 described by an OpenAPI document generated from the same route list.
//
// Every page and API call needs a session (or an API token an admin created), except
// /healthz, the sign-in and one-time setup pages, and the embedded assets. A sales user sees
// only the customers they own, everywhere; the handlers check scope on every by-ID lookup.
package kexihttp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/sheet"
)

//go:embed assets
var assetsFS embed.FS

//go:embed html/*.html
var templatesFS embed.FS

// Config is what a Server needs. Store is required; Analyses is usually all.List().
type Config struct {
	Store    kexi.Store
	Analyses []analysis.Analysis
	Logger   *slog.Logger
	// SetupToken, when set and the store has no users, lets /setup?token=… create the first
	// administrator once.
	SetupToken string
	// Now returns the current time, for session expiry; nil means time.Now.
	Now     func() time.Time
	Version string
	// FutureYears is how many years past now a record's time may lie (API writes, imports,
	// analysis dates); 0 means kexi.YearsAhead.
	FutureYears int
	// Limits bounds the cells, lines, unpacked size and rows of uploaded files; zero fields
	// mean sheet.DefaultLimits.
	Limits sheet.Limits
	// TrustedProxies are the addresses of reverse proxies whose X-Forwarded-For (the client's
	// address, for sign-in throttling) and X-Forwarded-Proto (https: Secure cookies) kexi
	// believes. Empty: none.
	TrustedProxies []netip.Prefix
	// Hashers is how many password hashes may run at once (19 MiB each); 0 means one per two
	// CPUs, at least one.
	Hashers int
}

// Server serves the dashboard and API. It implements http.Handler.
type Server struct {
	st       kexi.Store
	analyses []analysis.Analysis
	byName   map[string]analysis.Analysis
	// figureSources are the analyses that fill the dashboard's optional figures, and
	// listedFields the analysis fields the customer page offers, both from the analyses' Info.
	figureSources []figureSource
	listedFields  []string
	log           *slog.Logger
	now           func() time.Time
	version       string
	future        int // Config.FutureYears

	routes  []route
	handler http.Handler
	pages   map[string]*template.Template
	cache   *cache
	jobs    *jobs
	limits  sheet.Limits

	setupMu    sync.Mutex
	setupToken string

	hasher    *hasher
	throttle  *throttle
	deviceKey [32]byte // signs device cookies; see deviceOf
	proxies   []netip.Prefix
	purgeMu   sync.Mutex
	purgedAt  time.Time

	base kexi.Parts // the Dataset parts every page has: the dashboard's (dashboardParts)

	scopesMu sync.Mutex
	scopes   map[kexi.Scope]time.Time // scopes pages asked for, and when: Warm keeps them ready

	zones sync.Map // time zone name → *time.Location

	settingsMu   sync.Mutex
	settings     kexi.Settings // as read at data version settingsV
	settingsV    int64
	settingsRead bool // settings and settingsV hold what was read
}

// NewServer returns the dashboard and API over cfg.Store.
func NewServer(cfg Config) *Server {
	s := &Server{st: cfg.Store, analyses: cfg.Analyses, byName: map[string]analysis.Analysis{},
		log: cfg.Logger, now: cfg.Now, limits: cfg.Limits,
		version: cfg.Version, future: cfg.FutureYears, setupToken: cfg.SetupToken, cache: newCache(), jobs: newJobs(), scopes: map[kexi.Scope]time.Time{},
		hasher: newHasher(cfg.Hashers), throttle: newThrottle(maxKeys), proxies: cfg.TrustedProxies}
	rand.Read(s.deviceKey[:])
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.figureSources = figureSources(s.analyses)
	s.listedFields = listedFields(s.analyses)
	for _, a := range s.analyses {
		s.byName[a.Info().Name] = a
	}
	s.base = s.dashboardParts()
	s.pages = parsePages()
	s.routes = s.routeList()
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	static, _ := fs.Sub(assetsFS, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", cacheAssets(http.FileServerFS(static))))
	mux.HandleFunc("/", s.notFound)
	s.handler = s.logRequests(s.recoverPanics(s.identify(mux)))
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetupLink returns the path of the one-time setup page ("/setup?token=…"), or "" when setup
// is not open.
func (s *Server) SetupLink() string {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if s.setupToken == "" {
		return ""
	}
	return "/setup?token=" + s.setupToken
}

// setupOpen reports whether tok is the setup token and setup is open.
func (s *Server) setupOpen(tok string) bool {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	return s.setupToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.setupToken)) == 1
}

// takeSetup checks a setup token and, when it matches, closes setup: of any number of
// requests with the token at once, exactly one gets true.
func (s *Server) takeSetup(tok string) bool {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if s.setupToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.setupToken)) != 1 {
		return false
	}
	s.setupToken = ""
	return true
}

// reopenSetup opens setup again with tok, after takeSetup when storing the user failed.
func (s *Server) reopenSetup(tok string) {
	s.setupMu.Lock()
	s.setupToken = tok
	s.setupMu.Unlock()
}

// handler is a route's function; a returned error is written in one place (JSON for the API,
// an error page otherwise).
type handler func(w http.ResponseWriter, r *http.Request) error

// wrap applies a route's access rule and CSRF check, then runs it and writes its error.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(err error) {
			if rt.API {
				s.writeAPIError(w, r, err)
			} else {
				s.pageError(w, r, err)
			}
		}
		u := userOf(r)
		if rt.Access != public && u == nil {
			if rt.API || r.Method != http.MethodGet {
				fail(errUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if rt.Access == adminOnly && !can(u, "admin", "") {
			fail(errForbidden)
			return
		}
		if !checkCSRF(r) {
			fail(kexi.Errorf(kexi.EFORBIDDEN, "csrf"))
			return
		}
		if err := rt.h(w, r); err != nil {
			fail(err)
		}
	})
}

// identify resolves the session and the language of every request.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.authenticate(r)
		ctx := r.Context()
		if a != nil {
			ctx = context.WithValue(ctx, ctxAuth, a)
		}
		lang := pickLang(r, s.cachedSettings(ctx).Lang)
		ctx = context.WithValue(ctx, ctxLang, lang)
		r = r.WithContext(ctx)
		if err != nil {
			s.writeAPIError(w, r, err)
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; "+
			"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "+
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic in a handler into a logged internal error.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v),
					"stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one structured log line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if strings.HasPrefix(r.URL.Path, "/assets/") || r.URL.Path == "/healthz" {
			return
		}
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytes", sw.bytes, "ms", float64(time.Since(start).Microseconds())/1000)
	})
}

// cacheAssets lets browsers keep the embedded assets for a day.
func cacheAssets(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// cachedSettings returns the business settings, read from the store again only when the data
// version moved since they were read. Saving settings moves it, on this server or on another
// server on the same database, so the next page after a change shows it everywhere; reading
// the version is one small query. When the store cannot be read, the settings held (at first
// the defaults) are returned.
func (s *Server) cachedSettings(ctx context.Context) kexi.Settings {
	// The version is read before the settings, and the store is read without the lock held:
	// settings read after a save but labelled with the version before it are read again.
	v, err := s.st.DataVersion(ctx)
	s.settingsMu.Lock()
	held, read, heldV := s.settings, s.settingsRead, s.settingsV
	s.settingsMu.Unlock()
	if err == nil && read && v == heldV {
		return held
	}
	var st kexi.Settings
	if err == nil {
		st, err = s.st.Settings(ctx)
	}
	if err != nil {
		s.log.Warn("read settings", "err", err)
		if !read {
			return kexi.DefaultSettings
		}
		return held
	}
	s.settingsMu.Lock()
	if !s.settingsRead || v >= s.settingsV {
		s.settings, s.settingsV, s.settingsRead = st, v, true
	}
	s.settingsMu.Unlock()
	return st
}

// location returns the time zone by IANA name, cached; nil when the name is unknown.
func (s *Server) location(name string) *time.Location {
	if name == "" {
		return nil
	}
	if l, ok := s.zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	s.zones.Store(name, l)
	return l
}

// zone returns the business's time zone (Settings.TimeZone), UTC when the setting names no
// zone this system knows.
func (s *Server) zone(ctx context.Context) *time.Location {
	if l := s.location(s.cachedSettings(ctx).TimeZone); l != nil {
		return l
	}
	return time.UTC
}

// dates returns the range a record's time (and an analysis date) must lie in.
func (s *Server) dates() kexi.Dates { return kexi.DatesUntil(s.now(), s.future) }

// forgetSettings makes the next cachedSettings read the store.
func (s *Server) forgetSettings() {
	s.settingsMu.Lock()
	s.settingsRead = false
	s.settingsMu.Unlock()
}

// audit records an action; failures are logged, never shown.
func (s *Server) audit(r *http.Request, action, entity, detail string) {
	login := ""
	if u := userOf(r); u != nil {
		login = u.Login
	}
	err := s.st.Audit(r.Context(), kexi.AuditEntry{At: s.now().UTC(), Login: login, Action: action,
		Entity: entity, Detail: detail})
	if err != nil {
		s.log.Error("audit", "action", action, "entity", entity, "err", err)
	}
}
