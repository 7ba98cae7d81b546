package kexihttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// page is what every template gets: the request's language, user and CSRF token, the
// settings, and the page's own data. Its methods format values for the language.
type page struct {
	Lang     string
	User     *kexi.User
	CSRF     string
	Title    string
	Nav      string
	Path     string
	Settings kexi.Settings
	Loc      *time.Location // the settings' time zone
	Analyses []navItem
	Kinds    []string
	Flash    string
	Error    string
	Problems []kexi.FieldProblem
	Data     any
}

type navItem struct {
	Name, Title, Code string
}

// T translates a UI key.
func (p *page) T(key string) string { return tr(p.Lang, key) }

// Tf translates a UI key holding a format and fills it in.
func (p *page) Tf(key string, args ...any) string { return fmt.Sprintf(tr(p.Lang, key), args...) }

// Num formats a whole number with grouping.
func (p *page) Num(v any) string { return fmtNum(p.Lang, toFloat(v), 0) }

// Dec formats a number with two decimals.
func (p *page) Dec(v any) string { return fmtNum(p.Lang, toFloat(v), 2) }

// Money formats an amount in the settings' currency.
func (p *page) Money(v any) string { return fmtMoney(p.Lang, p.Settings.Currency, toFloat(v)) }

// Pct formats a fraction as a percentage.
func (p *page) Pct(v any) string { return fmtPct(p.Lang, toFloat(v)) }

// Date formats a date for the language.
func (p *page) Date(t time.Time) string { return fmtDate(p.Lang, p.local(t)) }

// DateTime formats a time for the language, in the business's time zone: an order at 08:00 in
// Shanghai (00:00 UTC) shows as 08:00.
func (p *page) DateTime(t time.Time) string {
	if p.Loc != nil && !t.IsZero() {
		t = t.In(p.Loc)
	}
	return fmtDateTime(p.Lang, t)
}

// local shows a moment's day in the business's time zone. A bare date given in UTC (midnight
// UTC: a birth date sent to the API as 1988-08-09T00:00:00Z) stays the day it is.
func (p *page) local(t time.Time) time.Time {
	if p.Loc == nil || t.IsZero() {
		return t
	}
	u := t.UTC()
	if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return u
	}
	return t.In(p.Loc)
}

// IsAdmin reports whether the user is an administrator.
func (p *page) IsAdmin() bool { return p.User != nil && p.User.Role == kexi.RoleAdmin }

// CanImport reports whether the user may import files.
func (p *page) CanImport() bool { return can(p.User, "import", "") }

// OtherLang is the language the switch link goes to.
func (p *page) OtherLang() string {
	if p.Lang == langZh {
		return langEn
	}
	return langZh
}

// LangLink is the link that switches language and comes back here.
func (p *page) LangLink() string {
	return "/lang?to=" + p.OtherLang() + "&next=" + url.QueryEscape(p.Path)
}

// HTMLLang is the lang attribute of the page.
func (p *page) HTMLLang() string {
	if p.Lang == langZh {
		return "zh-CN"
	}
	return "en"
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case *float64:
		if x != nil {
			return *x
		}
	}
	return 0
}

var pageNames = []string{"login", "setup", "error", "dashboard", "analyses", "analysis",
	"portrait", "entity", "import", "job", "users", "settings"}

// parsePages parses every page template with the layout.
func parsePages() map[string]*template.Template {
	layout, err := fs.ReadFile(templatesFS, "html/layout.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range pageNames {
		body, err := fs.ReadFile(templatesFS, path.Join("html", n+".html"))
		if err != nil {
			panic(err)
		}
		t := template.Must(template.New("layout").Parse(string(layout)))
		template.Must(t.New(n).Parse(string(body)))
		out[n] = t
	}
	return out
}

// newPage starts the view of a page for the request.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, title, nav string) *page {
	p := &page{Lang: langOf(r), User: userOf(r), CSRF: s.csrfToken(w, r), Nav: nav,
		Path: r.URL.RequestURI(), Settings: s.cachedSettings(r.Context()), Kinds: kexi.Kinds}
	p.Title = p.T(title)
	p.Loc = s.location(p.Settings.TimeZone)
	if p.User != nil {
		for _, a := range s.analyses {
			info := a.Info()
			p.Analyses = append(p.Analyses, navItem{Name: info.Name, Title: info.Title.In(p.Lang), Code: info.Code})
		}
	}
	return p
}

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) error {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// pageError shows an error page; internal errors are logged and shown as "internal error".
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	code := kexi.ErrorCode(err)
	if code == kexi.EINTERNAL {
		s.logInternal(r, err)
	}
	if code == kexi.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p := s.newPage(w, r, "Error", "")
	p.Error = errText(p.Lang, err)
	if code == kexi.ENOTFOUND {
		p.Error = p.T("Page not found")
	}
	var e *kexi.Error
	if code != kexi.EINTERNAL && errors.As(err, &e) {
		p.Problems = e.Problems
	}
	if rerr := s.render(w, r, statusOf(code), "error", p); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeAPIError(w, r, errNotFound)
		return
	}
	if userOf(r) == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.pageError(w, r, errNotFound)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// localPath returns next as a path on this site, else "/". It first does what browsers do to
// a URL (remove tabs and newlines anywhere, trim control characters and spaces at both ends,
// read a backslash in the path as a slash), then accepts only one slash followed by something
// other than a slash: "/\t/evil.example" and "/a/..\\evil.example" would otherwise leave
// the site.
func localPath(next string) string {
	next = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, next)
	next = strings.TrimFunc(next, func(r rune) bool { return r <= ' ' })
	end := strings.IndexAny(next, "?#")
	if end < 0 {
		end = len(next)
	}
	next = strings.ReplaceAll(next[:end], "\\", "/") + next[end:]
	if len(next) == 0 || next[0] != '/' || len(next) > 1 && next[1] == '/' ||
		strings.ContainsFunc(next, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "/"
	}
	return next
}

// chartSpec is one chart for assets/kexi.js: the series with its labels translated.
type chartSpec struct {
	Key    string          `json:"key"`
	Title  string          `json:"title"`
	Kind   string          `json:"kind"`
	X      []string        `json:"x,omitempty"`
	Y      []chartValues   `json:"y,omitempty"`
	YCats  []string        `json:"y_cats,omitempty"`
	Cells  [][3]float64    `json:"cells,omitempty"`
	Links  []analysis.Link `json:"links,omitempty"`
	Lang   string          `json:"lang"`
	Format string          `json:"format,omitempty"` // "currency", "percent" for axis labels
	Symbol string          `json:"symbol,omitempty"`
	// Drill holds the customer-table link of each element (X, Cells or Links order); "" where
	// an element does not drill down.
	Drill []string `json:"drill,omitempty"`
	// DrillY, when set, is the index in Y of the only value list whose elements drill down.
	DrillY *int `json:"drill_y,omitempty"`
	// Colors holds a colour for some elements (X order; "" = the palette's): risk bands are
	// drawn red, amber and green.
	Colors []string `json:"colors,omitempty"`
	// Partial, when set, says the last X element is a month not yet over ("截至12月7日"):
	// it is drawn lighter (bars) or dashed (lines), with this note in its tooltip.
	Partial string `json:"partial,omitempty"`
}

// categoryColors are the colours of categories whose meaning has one: high risk is red.
var categoryColors = map[string]string{"high": "#e03131", "medium": "#f59f00", "low": "#2f9e44"}

// chartValues is one named value list; Unit ("percent", "currency" or "") picks its axis
// format (see analysis.Values).
type chartValues struct {
	Name string    `json:"name"`
	Data []float64 `json:"data"`
	Unit string    `json:"unit,omitempty"`
}

// JSON is the spec as text for a data attribute.
func (c chartSpec) JSON() string {
	b, err := json.Marshal(c)
	if err != nil { // NaN or ±Inf in the data: null, which ECharts leaves out
		b, _ = json.Marshal(jsonSafe(reflect.ValueOf(c)))
	}
	return string(b)
}

// chartOf translates a Series for the chart script.
func chartOf(info *analysis.Info, lang string, s analysis.Series) chartSpec {
	c := chartSpec{Key: s.Key, Title: label(info, lang, s.Key), Kind: s.Kind, Cells: s.Cells, Lang: lang}
	for _, x := range s.X {
		c.X = append(c.X, label(info, lang, x))
	}
	for _, y := range s.YCats {
		c.YCats = append(c.YCats, label(info, lang, y))
	}
	for _, v := range s.Y {
		c.Y = append(c.Y, chartValues{Name: label(info, lang, v.Key), Data: v.Data, Unit: v.Unit})
	}
	for _, l := range s.Links {
		c.Links = append(c.Links, analysis.Link{Source: label(info, lang, l.Source), Target: label(info, lang, l.Target), Value: l.Value})
	}
	return c
}

func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) error {
	to := r.URL.Query().Get("to")
	if to != langEn && to != langZh {
		to = langZh
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: to, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}
