package kexihttp

import (
	"encoding/json"
	"html"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// TestChange works changes out by hand: relative for counts and money, in percentage points
// for rates, in points for NPS; none from a previous 0 or a value that is no number; green or
// red by what a rise means, grey when it rounds to nothing, the previous value in the title.
func TestChange(t *testing.T) {
	for _, c := range []struct {
		cur, prev float64
		kind      int
		want      float64
		ok        bool
	}{
		{110, 100, changeRel, 0.1, true},
		{90, 100, changeRel, -0.1, true},
		{1050, 300, changeRel, 2.5, true},
		{-50, -100, changeRel, 0.5, true}, // a loss halved is a rise
		{5, 0, changeRel, 0, false},
		{0.25, 0.20, changePts, 5, true},
		{59.1, 80, changePoints, -20.9, true},
		{math.NaN(), 1, changeRel, 0, false},
		{1, math.Inf(1), changePts, 0, false},
	} {
		got, ok := changeOf(c.cur, c.prev, c.kind)
		if ok != c.ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("changeOf(%v, %v, %d) = %v, %v; want %v, %v", c.cur, c.prev, c.kind, got, ok, c.want, c.ok)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	pc := periodChoice{Name: "30d", Prev: analysis.Period{From: time.Date(2025, 1, 5, 0, 0, 0, 0, sh), To: time.Date(2025, 2, 3, 0, 0, 0, 0, sh)}}
	for _, c := range []struct {
		lang            string
		cur, prev       float64
		kind, good      int
		text, class, tt string
	}{
		{langEn, 1050, 300, changeRel, 1, "▲ +250.0%", "good", "Previous period (5 Jan 2025 – 3 Feb 2025): ¥300.00"},
		{langZh, 1, 2, changeRel, 1, "▼ −50.0%", "bad", "上期（2025年1月5日 – 2025年2月3日）：¥300.00"},
		{langEn, 44, 40, changeRel, -1, "▲ +10.0%", "bad", ""},         // more customers at risk
		{langEn, 36, 40, changeRel, -1, "▼ −10.0%", "good", ""},        // fewer
		{langEn, 0.505, 0.30, changePts, 1, "▲ +20.5 pts", "good", ""}, // margin 30% → 50.5%
		{langZh, 0.505, 0.30, changePts, 1, "▲ +20.5 个百分点", "good", ""},
		{langZh, 59.1, 80, changePoints, 1, "▼ −20.9 分", "bad", ""},
		{langEn, 10004, 10000, changeRel, 1, "± 0.0%", "flat", ""}, // +0.04 % shows as nothing
		{langEn, 12, 10, changeRel, 0, "▲ +20.0%", "flat", ""},     // neither good nor bad
	} {
		p := &page{Lang: c.lang, Settings: kexi.Settings{Currency: "CNY"}}
		v := p.change(c.cur, c.prev, c.kind, c.good, p.Money(300), pc)
		if v == nil || v.Text != c.text || v.Class != c.class || c.tt != "" && v.Title != c.tt {
			t.Errorf("%s change(%v, %v): %+v; want %q %q %q", c.lang, c.cur, c.prev, v, c.text, c.class, c.tt)
		}
	}
	if v := (&page{Lang: langEn}).change(5, 0, changeRel, 1, "0", pc); v != nil {
		t.Errorf("a change from 0: %+v, want none", v)
	}
}

// TestHeadlinePeriods computes the dashboard for the last 30 days of testBatch (to the last
// order's day, 2025-03-05 in Shanghai) and the 30 days before, by hand:
//
//	2025-02-04..03-05: O2 50 (cost 20, C1), O4 1000 (cost 500, C3): 2 active, 1050, margin 530
//	2025-01-05..02-03: O1 100 (cost 60, C1), O3 200 (cost 150, C2): 2 active, 300, margin 90;
//	                   NPS 10, 9, 3 → (2 − 1) / 3 = 33.3
//
// and for alice (C1, C2 only): 1 active, 50, margin 30 against 2, 300, 90.
func TestHeadlinePeriods(t *testing.T) {
	f := newFixture(t)
	get := func(as, query string) Headline {
		t.Helper()
		w := f.do(req{method: "GET", path: "/api/v1/dashboard" + query, as: as})
		if w.Code != 200 {
			t.Fatalf("%s %s: %d %s", as, query, w.Code, w.Body)
		}
		var h Headline
		if err := json.Unmarshal(w.Body.Bytes(), &h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	day := func(t time.Time) string { return t.Format("2006-01-02 15:04 -0700") }
	h := get("admin", "?period=30d")
	if h.Period != "30d" || day(h.From) != "2025-02-04 00:00 +0800" || day(h.AsOf) != "2025-03-05 23:59 +0800" {
		t.Errorf("30d: %s from %s to %s", h.Period, day(h.From), day(h.AsOf))
	}
	if h.Active != 2 || h.Revenue != 1050 || *h.Margin != 530 || h.NPSCount != 0 {
		t.Errorf("30d: active %d revenue %v margin %v NPS answers %d; want 2 1050 530 0", h.Active, h.Revenue, *h.Margin, h.NPSCount)
	}
	p := h.Previous
	if p == nil {
		t.Fatal("30d: no previous period")
	}
	if day(p.From) != "2025-01-05 00:00 +0800" || day(p.AsOf) != "2025-02-03 23:59 +0800" ||
		p.Active != 2 || p.Revenue != 300 || *p.Margin != 90 || p.NPSCount != 3 || math.Abs(p.NPS-100.0/3) > 1e-9 {
		t.Errorf("previous: from %s to %s, active %d revenue %v margin %v NPS %v of %d; want 2025-01-05..02-03, 2 300 90 33.3 of 3",
			day(p.From), day(p.AsOf), p.Active, p.Revenue, *p.Margin, p.NPS, p.NPSCount)
	}
	pg := &page{Lang: langEn, Settings: kexi.Settings{Currency: "CNY"}}
	pc := periodChoice{Name: "30d", Prev: analysis.Period{From: p.From, To: p.AsOf}}
	figs := dashboardFigures(pg, &h)
	pg.dashboardChanges(figs, &h, pc)
	changes := map[string]string{}
	for _, fv := range figs {
		if fv.Change != nil {
			changes[fv.Key] = fv.Change.Text + " " + fv.Change.Class
		}
	}
	// 530 / 90 = 5.889; 530 / 1050 = 50.48 % against 30 %.
	for k, want := range map[string]string{"dash_active": "± 0.0% flat", "dash_revenue": "▲ +250.0% good",
		"dash_margin": "▲ +488.9% good", "dash_margin_pct": "▲ +20.5 pts good", "dash_customers": "", "dash_nps": ""} {
		if changes[k] != want {
			t.Errorf("30d %s: change %q, want %q", k, changes[k], want)
		}
	}
	a := get("alice", "?period=30d")
	if a.Active != 1 || a.Revenue != 50 || a.Previous == nil || a.Previous.Active != 2 || a.Previous.Revenue != 300 {
		t.Errorf("alice 30d: active %d revenue %v, previous %+v; want 1 50 against 2 300", a.Active, a.Revenue, a.Previous)
	}
	// The same days as a custom range give the same figures; all time has nothing to compare.
	c := get("admin", "?from=2025-02-04&to=2025-03-05")
	if c.Period != "custom" || c.Revenue != 1050 || c.Previous == nil || c.Previous.Revenue != 300 {
		t.Errorf("custom 2025-02-04..03-05: %s revenue %v previous %+v", c.Period, c.Revenue, c.Previous)
	}
	if all := get("admin", "?period=all"); all.Revenue != 1420 || all.Previous != nil || !all.From.IsZero() {
		t.Errorf("all time: revenue %v previous %v from %v; want 1420, none, none", all.Revenue, all.Previous, all.From)
	}
	// The default is the last 365 days: all five orders but O5 (2024-01-15).
	if d := get("admin", ""); d.Period != "365d" || d.Revenue != 1350 || d.Previous == nil || d.Previous.Revenue != 70 {
		t.Errorf("default: %s revenue %v previous %+v; want 365d 1350 against 70", d.Period, d.Revenue, d.Previous)
	}
	for _, q := range []string{"?period=7d", "?period=30d&from=2025-01-01", "?from=2025-03-01&to=2025-02-01", "?perod=30d", "?as_of=2025-02-30"} {
		if w := f.do(req{method: "GET", path: "/api/v1/dashboard" + q, as: "admin"}); w.Code != 400 {
			t.Errorf("dashboard%s: %d %s, want 400", q, w.Code, w.Body)
		}
	}
}

// TestPeriodURL: a period chosen on a page stays in its URL and comes back from it. The
// picker's fields (the selected preset, the custom dates, every other parameter kept hidden)
// make the same query again; a preset's analysis run equals the run over its dates written
// out (the drill-down links' query, datesQuery); the API reads the same parameter; and a bad
// period is a 400 on the page and in the API.
func TestPeriodURL(t *testing.T) {
	f := newFixture(t)
	formRe := regexp.MustCompile(`(?s)<form method="get" action="([^"]*)" class="period[^"]*" id="period-form">(.*?)</form>`)
	hiddenRe := regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	selectedRe := regexp.MustCompile(`<option value="([^"]*)" selected>`)
	dateRe := regexp.MustCompile(`<input type="date" name="(from|to)" value="([^"]*)"`)
	lineRe := regexp.MustCompile(`(?s)<p class="period-line" id="period-line">(.*?)</p>`)
	for _, c := range []struct{ path, line string }{
		{"/?period=90d", "Last 90 days: 6 Dec 2024 – 5 Mar 2025 · compared with 7 Sep 2024 – 5 Dec 2024 · data as of 5 Mar 2025"},
		{"/analyses/rfm?period=last_month&scheme=rfm10", "Last month: 1 Feb 2025 – 28 Feb 2025 · compared with 1 Jan 2025 – 31 Jan 2025 · data as of 5 Mar 2025"},
		// 64 days of Q1 (31 + 28 + 5) against the first 64 of Q4 (October 31 + November 30 + 3).
		{"/analyses/rfm?period=this_quarter&page_rfm=50", "This quarter: 1 Jan 2025 – 5 Mar 2025 · compared with 1 Oct 2024 – 3 Dec 2024 · data as of 5 Mar 2025"},
		{"/analyses/behaviour?from=2025-01-01&to=2025-01-31", "Custom range: 1 Jan 2025 – 31 Jan 2025 · compared with 1 Dec 2024 – 31 Dec 2024 · data as of 5 Mar 2025"},
		{"/analyses/rfm", "All time · data as of 5 Mar 2025"},
		{"/analyses/rfm?as_of=2025-02-10&period=this_month", "This month: 1 Feb 2025 – 10 Feb 2025 · compared with 1 Jan 2025 – 10 Jan 2025 · data as of 10 Feb 2025"},
	} {
		w := f.do(req{method: "GET", path: c.path, as: "admin", via: "session", header: map[string]string{"Accept-Language": "en"}})
		body := w.Body.String()
		m := formRe.FindStringSubmatch(body)
		if w.Code != 200 || m == nil {
			t.Errorf("%s: %d, picker found %v", c.path, w.Code, m != nil)
			continue
		}
		if l := lineRe.FindStringSubmatch(body); l == nil || strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(l[1], ""))), " ") != c.line {
			t.Errorf("%s: period line %q, want %q", c.path, l, c.line)
		}
		// Submit the picker as it stands: the query it makes is the page's (less paging).
		u, _ := url.Parse(c.path)
		want := u.Query()
		for k := range want {
			if strings.HasPrefix(k, "page_") {
				want.Del(k)
			}
		}
		if want.Get("period") == "" {
			if want.Get("from") != "" {
				want.Set("period", "custom")
			} else {
				want.Set("period", "all")
			}
		}
		got := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
			got.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
		}
		if s := selectedRe.FindStringSubmatch(m[2]); s != nil {
			got.Set("period", s[1])
		}
		if got.Get("period") == "custom" {
			for _, d := range dateRe.FindAllStringSubmatch(m[2], -1) {
				got.Set(d[1], d[2])
			}
		}
		if m[1] != u.Path || got.Encode() != want.Encode() {
			t.Errorf("%s: the picker submits %s?%s, want %s?%s", c.path, m[1], got.Encode(), u.Path, want.Encode())
		}
	}

	// The options form of an analysis keeps the period when it runs other options.
	w := f.do(req{method: "GET", path: "/analyses/rfm?period=last_month", as: "admin", via: "session"})
	opts := regexp.MustCompile(`(?s)<form method="get" action="/analyses/rfm" class="grid-form" id="options-form">(.*?)</form>`).FindStringSubmatch(w.Body.String())
	if opts == nil || !strings.Contains(opts[1], `<input type="hidden" name="period" value="last_month">`) {
		t.Errorf("the options form does not keep period=last_month: %q", opts)
	}

	// A preset in the API is its dates written out: the same result as from, to and as_of.
	sh, _ := time.LoadLocation("Asia/Shanghai")
	for _, c := range []struct{ name, dates string }{
		{"last_month", "from=2025-02-01&to=2025-02-28&as_of=2025-02-28"},
		{"30d", "from=2025-02-04&to=2025-03-05&as_of=2025-03-05"},
		{"this_year", "from=2025-01-01&to=2025-03-05&as_of=2025-03-05"},
	} {
		a := f.do(req{method: "GET", path: "/api/v1/analyses/rfm?period=" + c.name, as: "admin"})
		b := f.do(req{method: "GET", path: "/api/v1/analyses/rfm?" + c.dates, as: "admin"})
		if a.Code != 200 || a.Body.String() != b.Body.String() {
			t.Errorf("rfm period=%s: %d %.300s\nwant as %s: %.300s", c.name, a.Code, a.Body, c.dates, b.Body)
		}
		q, _ := url.ParseQuery("period=" + c.name)
		in := analysis.Input{}
		pc, err := choosePeriod(q, "all", true, sh, kexi.Dates{}, func() (time.Time, error) {
			return analysis.EndOfDay(time.Date(2025, 3, 5, 0, 0, 0, 0, sh), sh), nil
		}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		pc.Apply(&in)
		if dq := datesQuery(q, in, sh); dq.Encode() != mustQuery(t, c.dates).Encode() {
			t.Errorf("%s written out: %s, want %s", c.name, dq.Encode(), c.dates)
		}
	}
	// On a page the period wins over stray dates: all time is all time.
	q := mustQuery(t, "period=all&from=2025-02-01&to=2025-02-28&scheme=rfm10")
	pc, err := choosePeriod(q, "all", false, sh, kexi.Dates{}, func() (time.Time, error) { return time.Date(2025, 3, 5, 23, 0, 0, 0, sh), nil }, time.Now())
	in := analysis.Input{From: time.Date(2025, 2, 1, 0, 0, 0, 0, sh), To: time.Date(2025, 2, 28, 0, 0, 0, 0, sh)}
	pc.Apply(&in)
	if err != nil || !in.From.IsZero() || !in.To.IsZero() || datesQuery(q, in, sh).Encode() != "scheme=rfm10" {
		t.Errorf("all time with stray dates: %v, from %v to %v, drill query %s", err, in.From, in.To, datesQuery(q, in, sh).Encode())
	}
	for _, c := range []struct{ path, want string }{
		{"/api/v1/analyses/rfm?period=all&from=2025-02-01", "not both"},
		{"/api/v1/analyses/rfm?period=next_week", `"column":"period"`},
		{"/api/v1/analyses/rfm?period=30d&to=2025-03-01", "not both"},
		{"/api/v1/analyses/rfm?period=custom&from=2025-03-01&to=2025-02-01", "is after"},
	} {
		if w := f.do(req{method: "GET", path: c.path, as: "admin"}); w.Code != 400 || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s: %d %s, want 400 with %s", c.path, w.Code, w.Body, c.want)
		}
	}
	if w := f.do(req{method: "GET", path: "/analyses/rfm?period=next_week", as: "admin", via: "session"}); w.Code != 400 || !strings.Contains(w.Body.String(), "next_week") {
		t.Errorf("page with a bad period: %d, want 400 naming it", w.Code)
	}
}

func mustQuery(t *testing.T, s string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestAnalysisChanges: an analysis page over a period shows each headline count, sum and rate
// against the previous period, and no change on figures that are settings or days. RFM over
// February 2025 (O3 200 by C2) against January (O1 100 by C1): customers 1 and 1, revenue
// 200 against 100.
func TestAnalysisChanges(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/analyses/rfm?period=last_month", as: "admin", via: "session", header: map[string]string{"Accept-Language": "en"}})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	figRe := regexp.MustCompile(`(?s)<div class="figure" data-key="([^"]+)".*?<div class="v"[^>]*>(.*?)</div><div class="k">`)
	chgRe := regexp.MustCompile(`<span class="chg ([a-z]+)" title="([^"]*)">([^<]*)<`)
	got := map[string]string{}
	for _, m := range figRe.FindAllStringSubmatch(w.Body.String(), -1) {
		if c := chgRe.FindStringSubmatch(m[2]); c != nil {
			got[m[1]] = html.UnescapeString(c[3] + " " + c[1] + " " + c[2])
		} else {
			got[m[1]] = ""
		}
	}
	for k, want := range map[string]string{
		"customers":    "± 0.0% flat Previous period (1 Jan 2025 – 31 Jan 2025): 1",
		"revenue":      "▲ +100.0% good Previous period (1 Jan 2025 – 31 Jan 2025): ¥100.00",
		"mean_recency": "", // days: no change shown
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("rfm last_month %s: %q, want %q (all: %q)", k, v, want, got)
		}
	}
	// Without a period there is nothing to compare with.
	w = f.do(req{method: "GET", path: "/analyses/rfm", as: "admin", via: "session"})
	if strings.Contains(w.Body.String(), `class="chg `) {
		t.Error("rfm over all time shows a change")
	}
}
