package kexihttp

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
)

// busyCustomer is a demo customer with orders, interactions, surveys, campaign responses and
// web events, and its id in f's store, and the external id of its latest order.
func busyCustomer(t *testing.T, f *fixture, b *kexi.Batch) (int64, string) {
	t.Helper()
	has := map[string]map[string]bool{}
	mark := func(kind, c string) {
		if has[c] == nil {
			has[c] = map[string]bool{}
		}
		has[c][kind] = true
	}
	for _, o := range b.Orders {
		mark("orders", o.Customer)
	}
	for _, x := range b.Interactions {
		mark("interactions", x.Customer)
	}
	for _, x := range b.Surveys {
		mark("surveys", x.Customer)
	}
	for _, x := range b.Responses {
		mark("responses", x.Customer)
	}
	for _, x := range b.Events {
		mark("events", x.Customer)
	}
	for _, c := range b.Customers {
		if len(has[c.ExternalID]) < 5 {
			continue
		}
		cs, _, err := f.st.FindCustomers(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: c.ExternalID}}})
		if err != nil || len(cs) != 1 {
			t.Fatalf("find %s: %v", c.ExternalID, err)
		}
		os, _, err := f.st.FindOrders(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "customer_id", Op: kexi.Eq, Value: strconv.FormatInt(cs[0].ID, 10)}}, Sort: "-ordered_at", Limit: 1})
		if err != nil || len(os) != 1 {
			t.Fatalf("orders of %s: %v", c.ExternalID, err)
		}
		return cs[0].ID, os[0].ExternalID
	}
	t.Fatal("no demo customer has every kind of record")
	return 0, ""
}

// TestPortraitPage: the portrait is a page of sections (issue #20 §5): tags, figures, actions
// with reasons, the two charts, one timeline, the profile and a link back to the list the
// user came from; in Chinese no kexi code (event types, interaction kinds) shows.
func TestPortraitPage(t *testing.T) {
	b := demo.Generate(demo.Options{Customers: 300, Seed: 1})
	f := newFixtureBatch(t, all.List(), b)
	id, lastOrder := busyCustomer(t, f, b)
	path := "/customers/" + strconv.FormatInt(id, 10)
	get := func(p, lang string) string {
		t.Helper()
		w := f.do(req{method: "GET", path: p, as: "admin", via: "session", header: map[string]string{"Accept-Language": lang}})
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", p, w.Code, w.Body.String())
		}
		return w.Body.String()
	}
	for _, lang := range []string{"zh-CN", "en"} {
		body := get(path, lang)
		for _, id := range []string{"pt-back", "pt-head", "pt-tags", "pt-figures", "pt-actions", "pt-charts", "pt-timeline", "pt-profile", "pt-details"} {
			if !strings.Contains(body, `id="`+id+`"`) {
				t.Errorf("%s: no section %s", lang, id)
			}
		}
		for _, k := range []string{"cn8", "tier", "stage", "churn", "clv"} {
			if !strings.Contains(body, `class="pt-tag`) || !regexp.MustCompile(`<li class="pt-tag[^"]*" data-key="`+k+`">`).MatchString(body) {
				t.Errorf("%s: no %s tag", lang, k)
			}
		}
		for _, k := range []string{"purchases_by_month", "category_mix"} {
			if !strings.Contains(body, `aria-describedby="chart-sum-`+k+`"`) {
				t.Errorf("%s: no chart %s", lang, k)
			}
		}
		// Every action comes with its reason.
		acts := regexp.MustCompile(`(?s)<section class="card pt-actions".*?</section>`).FindString(body)
		if n, m := strings.Count(acts, "<strong>"), strings.Count(acts, `<span class="pt-why">`); n == 0 || n != m {
			t.Errorf("%s: %d actions, %d reasons: %s", lang, n, m, acts)
		}
		// One timeline: the latest order shows once, and every kind of record is in it.
		if n := strings.Count(body, lastOrder); n != 1 {
			t.Errorf("%s: the latest order %s shows %d times", lang, lastOrder, n)
		}
		for _, c := range []string{"order", "interaction", "survey", "response", "event"} {
			if !strings.Contains(body, `<li class="pt-`+c+`">`) {
				t.Errorf("%s: no %s in the timeline", lang, c)
			}
		}
	}
	// Chinese: no event type, interaction kind or survey kind code in the visible text.
	codes := regexp.MustCompile(`\b(page_view|add_to_cart|checkout|search|click|after_sales|consultation|communication|complaint|visit|purchase|order|interaction|survey|response|event)\b`)
	zh := get(path, "zh-CN")
	for _, s := range visibleText(zh) {
		if m := codes.FindString(s); m != "" {
			t.Errorf("zh shows the code %q in %q", m, s)
		}
	}
	if !strings.Contains(zh, "浏览页面 ×") || !strings.Contains(zh, "线上行为") {
		t.Errorf("zh: web events not summed per day in Chinese")
	}
	if en := get(path, "en"); !strings.Contains(en, "Page view ×") {
		t.Errorf("en: web events not summed per day")
	}

	// Back to the list it came from, with its filters; never off the site.
	from := "/customers?f=" + url.QueryEscape("province:eq:广东") + "&sort=-created_at"
	back := regexp.MustCompile(`<nav class="pt-back" id="pt-back"><a href="([^"]*)">([^<]*)</a>`)
	for _, c := range []struct{ from, want, text string }{
		{from, strings.ReplaceAll(from, "&", "&amp;"), "返回客户列表"},
		{"/analyses/rfm?scheme=rfm10", "/analyses/rfm?scheme=rfm10", "返回RFM 分析"},
		{"//evil.example/x", "/customers", "返回客户列表"},
		{"https://evil.example/", "/customers", "返回客户列表"},
		{"", "/customers", "返回客户列表"},
	} {
		m := back.FindStringSubmatch(get(path+"?from="+url.QueryEscape(c.from), "zh-CN"))
		if m == nil || m[1] != c.want || m[2] != "← "+c.text {
			t.Errorf("from %q: back link %q, want %q %q", c.from, m, c.want, c.text)
		}
	}
	// The customer list links each customer's portrait with the list's own address.
	list := get(from, "zh-CN")
	want := "?from=" + url.QueryEscape(from)
	if !strings.Contains(list, strings.ReplaceAll(want, "&", "&amp;")) {
		t.Errorf("the customer list does not pass itself to the portraits: %s", regexp.MustCompile(`href="/customers/\d+[^"]*"`).FindString(list))
	}
}

// TestPortraitAPI: the portrait analysis gives the tags, the actions with reasons, the
// timeline and the two charts' series through the API.
func TestPortraitAPI(t *testing.T) {
	b := demo.Generate(demo.Options{Customers: 300, Seed: 1})
	f := newFixtureBatch(t, all.List(), b)
	id, _ := busyCustomer(t, f, b)
	w := f.do(req{method: "GET", path: "/api/v1/analyses/portrait?customer=" + strconv.FormatInt(id, 10), as: "ana"})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	var res struct {
		Summary []struct {
			Key, Text string
		}
		Tables []struct {
			Key  string
			Rows [][]any
		}
		Series []struct {
			Key, Kind string
			X         []string
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range res.Summary {
		got[s.Key] = s.Text
	}
	for _, k := range []string{"cn8", "tier", "stage"} {
		if got[k] == "" {
			t.Errorf("no %s in the summary: %v", k, got)
		}
	}
	tables := map[string][][]any{}
	for _, tb := range res.Tables {
		tables[tb.Key] = tb.Rows
	}
	if len(tables["actions"]) == 0 || len(tables["timeline"]) == 0 {
		t.Errorf("actions %v, timeline %d rows", tables["actions"], len(tables["timeline"]))
	}
	for _, row := range tables["actions"] {
		if len(row) != 2 || row[1] == "" {
			t.Errorf("an action without a reason: %v", row)
		}
	}
	series := map[string]string{}
	for _, s := range res.Series {
		series[s.Key] = s.Kind
		if len(s.X) == 0 {
			t.Errorf("series %s is empty", s.Key)
		}
	}
	if series["purchases_by_month"] != "bar" || series["category_mix"] != "pie" {
		t.Errorf("series %v", series)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/analyses/portrait?customer=nobody", as: "ana"}); w.Code != 400 {
		t.Errorf("unknown customer: %d", w.Code)
	}
}

// TestPortraitManyOrders: a customer of 600 orders has every one of them on the page (issue
// #21 item 4): the figures come from the portrait analysis (A19), and so does the timeline,
// which read the store's newest 500 orders before, so that its count of earlier entries
// stopped at 488.
func TestPortraitManyOrders(t *testing.T) {
	b := testBatch()
	start := date("2023-01-01")
	for i := range 600 {
		b.Orders = append(b.Orders, kexi.Order{ExternalID: "BIG-" + strconv.Itoa(i), Customer: "C2",
			OrderedAt: start.AddDate(0, 0, i), Amount: 10, Channel: "online", Status: kexi.StatusCompleted})
	}
	b.Interactions[0].Notes = "call back on Friday"
	f := newFixtureBatch(t, all.List(), b)
	cs, _, err := f.st.FindCustomers(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: "C2"}}})
	if err != nil || len(cs) != 1 {
		t.Fatalf("find C2: %v", err)
	}
	w := f.do(req{method: "GET", path: "/customers/" + strconv.FormatInt(cs[0].ID, 10), as: "admin", via: "session",
		header: map[string]string{"Accept-Language": "en"}})
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	// 601 orders (O3 and the 600), one survey: 602 entries, 12 before the fold.
	for _, want := range []string{"590 earlier entries", "BIG-599", "BIG-0<", "¥6,200.00"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(body, `<li class="pt-order">`); n != 601 {
		t.Errorf("%d orders on the timeline, want 601", n)
	}
	// An interaction shows its subject, notes and minutes; an order its items.
	c1, _, _ := f.st.FindCustomers(context.Background(), kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: "C1"}}})
	body = f.do(req{method: "GET", path: "/customers/" + strconv.FormatInt(c1[0].ID, 10), as: "admin", via: "session",
		header: map[string]string{"Accept-Language": "en"}}).Body.String()
	for _, want := range []string{"Consultation · sizes", "call back on Friday · 10 min", "Tea ×2"} {
		if !strings.Contains(body, want) {
			t.Errorf("C1's page lacks %q", want)
		}
	}
}
