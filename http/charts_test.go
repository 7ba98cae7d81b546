package kexihttp

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi/analysis"
)

// glanceStub answers a result as of 7 December 2026 (a month not yet over): a large amount, a
// monthly trend of a plain score and a share (the share's unit set on the list), and a bar
// chart whose list takes its unit from a table column of the same key.
type glanceStub struct{}

func (glanceStub) Info() analysis.Info {
	return analysis.Info{Name: "glance", Code: "T2", Title: analysis.Text{En: "Glance", Zh: "一览"}}
}

func (glanceStub) Run(_ context.Context, in analysis.Input) (*analysis.Result, error) {
	asOf := time.Date(2026, 12, 7, 23, 59, 59, 0, in.Location())
	return &analysis.Result{Name: "glance", AsOf: asOf,
		Summary: []analysis.Figure{{Key: "revenue", Value: 12345678.9, Unit: "currency"}, {Key: "customers", Value: 4321},
			{Key: "orders", Value: 234567}},
		Tables: []analysis.Table{{Key: "t", Columns: []analysis.Column{{Key: "group", Type: "string"}, {Key: "churn_rate", Type: "percent"}},
			Rows: [][]any{{"a", 0.3}}}},
		Series: []analysis.Series{
			{Key: "trend", Kind: "line", X: []string{"2026-10", "2026-11", "2026-12"},
				Y: []analysis.Values{{Key: "nps", Data: []float64{20, 30, 10}}, {Key: "csat", Data: []float64{0.8, 0.7, 0.9}, Unit: "percent"}}},
			{Key: "rates", Kind: "bar", X: []string{"a"}, Y: []analysis.Values{{Key: "churn_rate", Data: []float64{0.3}}}},
			{Key: "done", Kind: "bar", X: []string{"2026-10", "2026-11"}, Y: []analysis.Values{{Key: "n", Data: []float64{1, 2}}}},
		}}, nil
}

// TestChartsAtAGlance: a card shows a large amount short (1,234.6万, exact value in its
// title), small counts whole; every value list of a chart says its unit (its own, or the
// type of the table column of the same key); a chart whose last month is the as-of month,
// not yet over, says so ("截至12月7日"); one ending on an earlier month does not.
func TestChartsAtAGlance(t *testing.T) {
	f := newFixtureWith(t, []analysis.Analysis{glanceStub{}})
	w := f.do(req{method: "GET", path: "/analyses/glance", as: "admin", via: "session", header: map[string]string{"Accept-Language": "zh-CN"}})
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	card := func(key string) string {
		m := regexp.MustCompile(`data-key="` + key + `"[^>]*><div class="v"([^>]*)>([^<]*)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no card %s:\n%s", key, body)
		}
		return m[1] + "|" + m[2]
	}
	if got, want := card("revenue"), ` title="¥12,345,678.90"|¥1,234.6万`; got != want {
		t.Errorf("revenue card: %q, want %q", got, want)
	}
	if got, want := card("orders"), ` title="234,567"|23.5万`; got != want {
		t.Errorf("orders card: %q, want %q", got, want)
	}
	if got, want := card("customers"), `|4,321`; got != want {
		t.Errorf("customers card: %q, want %q", got, want)
	}
	charts := map[string]chartSpec{}
	for _, m := range regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		var c chartSpec
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
			t.Fatal(err)
		}
		charts[c.Key] = c
	}
	tr := charts["trend"]
	if len(tr.Y) != 2 || tr.Y[0].Unit != "" || tr.Y[1].Unit != "percent" {
		t.Errorf("trend units: %+v", tr.Y)
	}
	if tr.Partial != "截至12月7日" {
		t.Errorf("trend partial: %q, want 截至12月7日", tr.Partial)
	}
	if r := charts["rates"]; len(r.Y) != 1 || r.Y[0].Unit != "percent" {
		t.Errorf("rates: the churn_rate list should take the percent type of its column: %+v", r.Y)
	}
	if d := charts["done"]; d.Partial != "" {
		t.Errorf("a chart ending before the as-of month is not partial: %q", d.Partial)
	}

	w = f.do(req{method: "GET", path: "/analyses/glance", as: "admin", via: "session", header: map[string]string{"Accept-Language": "en"}})
	if body = w.Body.String(); !strings.Contains(body, `title="¥12,345,678.90"`) || !strings.Contains(body, `>¥12.3M<`) ||
		!strings.Contains(body, `>234.6K<`) || !strings.Contains(body, `&#34;partial&#34;:&#34;to 7 Dec&#34;`) {
		t.Errorf("en: want ¥12.3M, 234.6K and the partial note \"to 7 Dec\":\n%s", body)
	}
}

// TestPartialMonth: a month is partial up to its last day's end.
func TestPartialMonth(t *testing.T) {
	p := &page{Lang: langEn}
	for _, c := range []struct {
		month string
		asOf  time.Time
		want  string
	}{
		{"2026-12", time.Date(2026, 12, 7, 23, 59, 59, 0, time.UTC), "to 7 Dec"},
		{"2026-12", time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), ""},
		{"2026-11", time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), ""},
		{"2026-12", time.Time{}, ""},
	} {
		if got := partialMonth(p, c.month, c.asOf); got != c.want {
			t.Errorf("partialMonth(%s, %v) = %q, want %q", c.month, c.asOf, got, c.want)
		}
	}
}
