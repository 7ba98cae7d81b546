package kexihttp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

type custPage struct {
	Items []struct {
		ID         int64          `json:"id"`
		ExternalID string         `json:"external_id"`
		Owner      string         `json:"owner"`
		Analysis   map[string]any `json:"analysis"`
	} `json:"items"`
	Total int `json:"total"`
}

func (f *fixture) customers(t *testing.T, as, query string) custPage {
	t.Helper()
	w := f.do(req{method: "GET", path: "/api/v1/customers?" + query, as: as})
	if w.Code != 200 {
		t.Fatalf("%s %s: %d %s", as, query, w.Code, w.Body)
	}
	var p custPage
	decode(t, w, &p)
	return p
}

// TestDrillCounts checks that every row of every table that drills down (RFM segments, pyramid
// tiers, lifecycle stages, clusters) names as many customers in the customer API as the row
// counts, for the admin and for a sales user, whose drill-down holds only their customers.
func TestDrillCounts(t *testing.T) {
	f := newFixture(t)
	checked := 0
	for _, as := range []string{"admin", "alice"} {
		for _, name := range []string{"rfm", "pyramid", "lifecycle", "segments"} {
			w := f.do(req{method: "GET", path: "/api/v1/analyses/" + name, as: as})
			if w.Code == 400 && as == "alice" && name == "segments" {
				continue // two customers are too few to cluster
			}
			if w.Code != 200 {
				t.Fatalf("%s %s: %d %s", as, name, w.Code, w.Body)
			}
			var res struct {
				Tables []struct {
					Key     string `json:"key"`
					Columns []struct {
						Key string `json:"key"`
					} `json:"columns"`
					Rows  [][]any `json:"rows"`
					Drill *struct {
						Column, Key string
						Values      []string
					} `json:"drill"`
				} `json:"tables"`
			}
			decode(t, w, &res)
			for _, tb := range res.Tables {
				if tb.Drill == nil {
					continue
				}
				key, count := -1, -1
				for j, c := range tb.Columns {
					switch c.Key {
					case tb.Drill.Key:
						key = j
					case "customers", "size":
						count = j
					}
				}
				for i, row := range tb.Rows {
					val := fmt.Sprint(row[key])
					if tb.Drill.Values != nil {
						if val = tb.Drill.Values[i]; val == "" {
							continue // counts more than customers (open leads)
						}
					}
					want := int(row[count].(float64))
					q := url.Values{"f": {name + "." + tb.Drill.Column + ":eq:" + val}, "limit": {"1000"}}
					p := f.customers(t, as, q.Encode())
					if p.Total != want || len(p.Items) != want {
						t.Errorf("%s %s %s=%s: %d customers (%d items), the table says %d", as, name, tb.Drill.Column, val, p.Total, len(p.Items), want)
					}
					for _, it := range p.Items {
						if as == "alice" && it.Owner != "alice" {
							t.Errorf("alice's drill-down %s=%s holds %s of %s", tb.Drill.Column, val, it.ExternalID, it.Owner)
						}
						if it.Analysis[name+"."+tb.Drill.Column] != val && fmt.Sprint(it.Analysis[name+"."+tb.Drill.Column]) != val {
							t.Errorf("%s: analysis fields %v", it.ExternalID, it.Analysis)
						}
					}
					checked++
				}
			}
		}
	}
	if checked < 8 {
		t.Errorf("only %d rows checked", checked)
	}
}

// TestAnalysisFields filters and sorts customers by analysis results: monetary (RFM) is
// C3 1000+70 = 1070, C2 200, C1 100+50 = 150.
func TestAnalysisFields(t *testing.T) {
	f := newFixture(t)
	p := f.customers(t, "admin", "sort=-rfm.monetary")
	var got []string
	for _, it := range p.Items {
		got = append(got, it.ExternalID)
		if it.Analysis == nil || it.Analysis["rfm.monetary"] == nil {
			t.Errorf("%s lacks rfm.monetary: %v", it.ExternalID, it.Analysis)
		}
	}
	if strings.Join(got, ",") != marker+"-C3,C2,C1" || p.Total != 3 {
		t.Errorf("sort=-rfm.monetary: %v (total %d)", got, p.Total)
	}
	p = f.customers(t, "admin", "f=rfm.monetary:gt:160&f=rfm.monetary:lt:1000&sort=rfm.monetary")
	if p.Total != 1 || p.Items[0].ExternalID != "C2" {
		t.Errorf("160 < monetary < 1000: %+v", p)
	}
	// Paging happens after the analysis filter and sort.
	p = f.customers(t, "admin", "sort=rfm.monetary&offset=1&limit=1")
	if p.Total != 3 || len(p.Items) != 1 || p.Items[0].ExternalID != "C2" {
		t.Errorf("page 2 of 1: %+v", p)
	}
	// Store conditions and analysis conditions together; a sales user sees only theirs.
	p = f.customers(t, "alice", "sort=-rfm.monetary&f=province:eq:广东")
	if p.Total != 1 || p.Items[0].ExternalID != "C1" {
		t.Errorf("alice in 广东: %+v", p)
	}
	// Aliases: rfm.segment is the scheme's column; clv.value the predicted CLV.
	p = f.customers(t, "admin", "col=rfm.segment&col=pyramid.tier&limit=1")
	if p.Items[0].Analysis["rfm.segment"] == nil || p.Items[0].Analysis["pyramid.tier"] == nil {
		t.Errorf("columns: %v", p.Items[0].Analysis)
	}

	for _, tt := range []struct{ query, want string }{
		{"f=rfm.nosuch:eq:1", "rfm.cn8"},
		{"f=rfm.monetary:gt:lots", "expected a number"},
		{"f=rfm.monetary:between:1", "unknown operator"},
		{"sort=-rfm.nosuch", "unknown field"},
		{"col=pyramid.nosuch", "unknown field"},
		{"f=rfm.r:eq:1&rfm.nosuch=2", "unknown option"},
		{"f=rfm.r:eq:1&as_of=2025-13-40", "as_of"},
	} {
		w := f.do(req{method: "GET", path: "/api/v1/customers?" + tt.query, as: "admin"})
		if w.Code != 400 || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tt.query, w.Code, w.Body, tt.want)
		}
	}
}

// TestDrillPage checks the links on the analysis page and the chip on the customer page.
func TestDrillPage(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/analyses/pyramid", as: "admin", via: "session", header: map[string]string{"Accept-Language": "zh-CN"}})
	body := w.Body.String()
	specs := regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(body, -1)
	var links []string
	for _, s := range specs {
		var c chartSpec
		if err := json.Unmarshal([]byte(htmlUnescape(s[1])), &c); err != nil {
			t.Fatal(err)
		}
		if c.Key == "pyramid" {
			links = c.Drill
			if len(links) != len(c.X) {
				t.Fatalf("pyramid drill %v for %v", c.Drill, c.X)
			}
		}
	}
	if len(links) == 0 || !strings.HasPrefix(links[0], "/customers?") || !strings.Contains(links[0], "pyramid.tier%3Aeq%3A") {
		t.Fatalf("pyramid chart drill links: %v", links)
	}
	w = f.do(req{method: "GET", path: links[0], as: "admin", via: "session", header: map[string]string{"Accept-Language": "zh-CN"}})
	body = w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `class="chip"`) || !strings.Contains(body, "客户金字塔 · 层级 = VIP 客户(前 1%), 截至 2025年3月5日") {
		i := strings.Index(body, "table-tools")
		t.Errorf("drill page lacks the chip: %d %s", w.Code, body[max(0, i-800):i])
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'", "&#43;", "+").Replace(s)
}

// TestDrillOpenAPI checks that the customer list documents the analysis fields and col.
func TestDrillOpenAPI(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/api/v1/openapi.json", as: "admin"})
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, Description string } `json:"parameters"`
		} `json:"paths"`
	}
	decode(t, w, &doc)
	have := map[string]string{}
	for _, p := range doc.Paths["/api/v1/customers"]["get"].Parameters {
		have[p.Name] = p.Description
	}
	if !strings.Contains(have["f"], "rfm.segment") || !strings.Contains(have["f"], "churn.probability") ||
		!strings.Contains(have["sort"], "clv.value") || have["col"] == "" || have["as_of"] == "" ||
		!strings.Contains(have["period"], "90d") || !strings.Contains(have["f"], "period=90d") {
		t.Errorf("customer list parameters: %v", have)
	}
}

// TestSeriesDrills checks the links of each kind of chart element.
func TestSeriesDrills(t *testing.T) {
	base := url.Values{"as_of": {"2025-03-05"}}
	conds := func(link string) string {
		u, err := url.Parse(link)
		if err != nil || u.Path != "/customers" || u.Query().Get("as_of") != "2025-03-05" {
			t.Fatalf("link %q", link)
		}
		return strings.Join(u.Query()["f"], " & ")
	}
	for _, tt := range []struct {
		name string
		se   analysis.Series
		want []string
	}{
		{"bars", analysis.Series{X: []string{"a", "b"}, Drill: analysis.Drill{Column: "seg"}}, []string{"x.seg:eq:a", "x.seg:eq:b"}},
		{"values, one not drillable", analysis.Series{X: []string{"A", "B"}, Drill: analysis.Drill{Column: "seg", Values: []string{"a", ""}}},
			[]string{"x.seg:eq:a", ""}},
		{"heat map", analysis.Series{X: []string{"R1", "R2"}, YCats: []string{"F1"}, Cells: [][3]float64{{1, 0, 5}},
			Drill: analysis.Drill{Column: "r", Values: []string{"1", "2"}, YColumn: "f", YValues: []string{"1"}}},
			[]string{"x.r:eq:2 & x.f:eq:1"}},
		{"sankey", analysis.Series{Links: []analysis.Link{{Source: "from.a", Target: "to.b", Value: 3}},
			Drill: analysis.Drill{Column: "prev", YColumn: "stage", Values: []string{"a"}, YValues: []string{"b"}}},
			[]string{"x.prev:eq:a & x.stage:eq:b"}},
		{"histogram", analysis.Series{X: []string{"0–50%", "50–100%"}, Drill: analysis.Drill{Column: "p", Edges: []float64{0, 0.5, 1}}},
			[]string{"x.p:ge:0 & x.p:lt:0.5", "x.p:ge:0.5 & x.p:le:1"}},
		{"no drill", analysis.Series{X: []string{"a"}}, nil},
	} {
		got := seriesDrills("x", base, tt.se)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v", tt.name, got)
			continue
		}
		for i := range got {
			if (got[i] == "") != (tt.want[i] == "") || got[i] != "" && conds(got[i]) != tt.want[i] {
				t.Errorf("%s: element %d links %q, want %q", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

// TestDrillEverywhere checks every figure, chart element and table row that drills down, in
// every analysis the fixture's data can run: the customer API gives as many customers as the
// element counts (for charts and rows whose number is a count of customers).
func TestDrillEverywhere(t *testing.T) {
	drillEverywhere(t, newFixture(t), []string{"admin", "alice"}, 20, nil)
}

// TestDrillEverywhereDemo is TestDrillEverywhere on 300 demo customers, where every analysis
// has enough to run, for the admin and for the sales rep zhang.wei.
func TestDrillEverywhereDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	f := demoSalesFixture(t)
	drillEverywhere(t, f, []string{"admin", "zhang.wei"}, 100,
		[]string{"rfm", "pyramid", "lifecycle", "churn", "segments", "tier_migration", "clv", "value", "attrition", "behaviour", "campaigns", "loyalty", "basket"})
}

// drillEverywhere checks every drilling element of every analysis for each of users: at least
// atLeast elements in all, and some of each of the analyses named in drilling.
func drillEverywhere(t *testing.T, f *fixture, users []string, atLeast int, drilling []string) {
	counted := map[string]bool{"customers": true, "size": true, "churned": true, "top_customers": true}
	// Heat maps whose cells are not counts of customers: the counts are in a table (checked
	// with its rows) and TestCohortAndCampaignDrills checks the cells against them.
	cellShares := map[string]bool{"cohort_retention": true, "cohort_revenue": true, "overlap_lift": true}
	total := func(as, link string) int {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("limit", "10000")
		return f.customers(t, as, q.Encode()).Total
	}
	checked, per := 0, map[string]int{}
	for _, as := range users {
		for _, a := range f.srv.analyses {
			name := a.Info().Name
			w := f.do(req{method: "GET", path: "/api/v1/analyses/" + name, as: as})
			if w.Code != 200 {
				continue // too little data for it
			}
			var res analysis.Result
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			base := url.Values{}
			for _, fg := range res.Summary {
				if fg.Drill.Column == "" {
					continue
				}
				link := drillLink(name, base, kexi.Cond{Field: fg.Drill.Column, Op: kexi.Op(fg.Drill.Op), Value: fg.Drill.Value})
				if got := total(as, link); got != int(fg.Value) {
					t.Errorf("%s %s figure %s = %v, drill-down %d", as, name, fg.Key, fg.Value, got)
				}
				checked++
				per[name]++
			}
			for _, tb := range res.Tables {
				dr := tb.Drill
				if dr.Column == "" {
					continue
				}
				key, count := -1, -1
				for j, c := range tb.Columns {
					switch {
					case c.Key == dr.Key:
						key = j
					case dr.Count != "" && c.Key == dr.Count, dr.Count == "" && counted[c.Key]:
						count = j
					}
				}
				if key < 0 || count < 0 {
					t.Errorf("%s table %s: drill key %q or a count column missing", name, tb.Key, dr.Key)
					continue
				}
				for i, row := range tb.Rows {
					val := fmt.Sprint(row[key])
					if dr.Values != nil {
						if val = dr.Values[i]; val == "" {
							continue
						}
					}
					link := tableDrill(name, base, dr, i, val)
					if link == "" {
						continue
					}
					if got, want := total(as, link), int(row[count].(float64)); got != want {
						t.Errorf("%s %s table %s row %s = %d, drill-down %d", as, name, tb.Key, val, want, got)
					}
					checked++
					per[name]++
				}
			}
			for _, se := range res.Series {
				links := seriesDrills(name, base, se)
				for i, l := range links {
					if l == "" {
						continue
					}
					var want float64
					switch {
					case len(se.Links) > 0:
						want = se.Links[i].Value
					case len(se.Cells) > 0 && !cellShares[se.Key]:
						want = se.Cells[i][2]
					case len(se.Y) > 0 && counted[se.Y[0].Key]:
						want = se.Y[0].Data[i]
					default:
						continue
					}
					if got := total(as, l); got != int(want) {
						t.Errorf("%s %s chart %s element %d = %v, drill-down %d", as, name, se.Key, i, want, got)
					}
					checked++
					per[name]++
				}
			}
		}
	}
	if checked < atLeast {
		t.Errorf("only %d elements checked", checked)
	}
	for _, name := range drilling {
		if per[name] == 0 {
			t.Errorf("no element of %s drills down", name)
		}
	}
	t.Logf("%d elements checked: %v", checked, per)
}

// TestDrillKeepsOptions checks that a drill link from a page run with options and an as-of
// date lists the customers of that run: RFM with the rfm10 scheme as of 2025-02-15 (C3's
// 2025-03-01 order and C1's of 2025-03-05 are after it).
func TestDrillKeepsOptions(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/analyses/rfm?scheme=rfm10&as_of=2025-02-15", as: "admin", via: "session"})
	specs := regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(w.Body.String(), -1)
	checked := 0
	for _, s := range specs {
		var c chartSpec
		if err := json.Unmarshal([]byte(htmlUnescape(s[1])), &c); err != nil {
			t.Fatal(err)
		}
		if c.Key != "segment_customers" {
			continue
		}
		for i, link := range c.Drill {
			u, _ := url.Parse(link)
			q := u.Query()
			if q.Get("rfm.scheme") != "rfm10" || q.Get("as_of") != "2025-02-15" || !strings.HasPrefix(q.Get("f"), "rfm.rfm10:eq:") {
				t.Fatalf("link %s", link)
			}
			p := f.customers(t, "admin", q.Encode())
			if p.Total != int(c.Y[0].Data[i]) {
				t.Errorf("%s: %d customers, the bar says %v", c.X[i], p.Total, c.Y[0].Data[i])
			}
			for _, it := range p.Items {
				if it.Analysis["rfm.rfm10"] == nil {
					t.Errorf("%s lacks rfm.rfm10: %v", it.ExternalID, it.Analysis)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no segment bar")
	}
	// As of 2025-02-15 C1's monetary is 100 (its 50 of 2025-03-05 is later), C3's 70.
	p := f.customers(t, "admin", "sort=-rfm.monetary&as_of=2025-02-15")
	var got []string
	for _, it := range p.Items {
		got = append(got, fmt.Sprintf("%s=%v", it.ExternalID, it.Analysis["rfm.monetary"]))
	}
	if strings.Join(got, " ") != "C2=200 C1=100 "+marker+"-C3=70" {
		t.Errorf("as of 2025-02-15: %v", got)
	}
}

// TestSortByHeader checks the customer page's column heads: each links to sorting by its
// field, the sorted one says which way and links to the other.
func TestSortByHeader(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/customers?col=name&col=rfm.monetary&sort=-rfm.monetary", as: "admin", via: "session",
		header: map[string]string{"Accept-Language": "en"}})
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, body)
	}
	th := regexp.MustCompile(`<th data-key="rfm.monetary" aria-sort="descending"><a href="([^"]*)"`).FindStringSubmatch(body)
	if th == nil {
		t.Fatalf("no descending rfm.monetary head in %s", body[strings.Index(body, "<thead>"):strings.Index(body, "</thead>")])
	}
	if !strings.Contains(htmlUnescape(th[1]), "sort=rfm.monetary") {
		t.Errorf("the sorted head links to %s", th[1])
	}
	name := regexp.MustCompile(`<th data-key="name" ><a href="([^"]*)"`).FindStringSubmatch(body)
	if name == nil || !strings.Contains(htmlUnescape(name[1]), "sort=name") {
		t.Errorf("name head: %v", name)
	}
	// Rows in that order: C3 (1070), C2 (200), C1 (150).
	i3, i2, i1 := strings.Index(body, marker+" Three"), strings.Index(body, "Alice Two"), strings.Index(body, "Alice One")
	if i3 < 0 || !(i3 < i2 && i2 < i1) {
		t.Errorf("rows not sorted by -rfm.monetary: %d %d %d", i3, i2, i1)
	}
}

// TestDashboardDrill checks the dashboard's at-risk figure links to as many customers.
func TestDashboardDrill(t *testing.T) {
	f := newFixture(t)
	var h Headline
	decode(t, f.do(req{method: "GET", path: "/api/v1/dashboard", as: "admin"}), &h)
	if h.AtRisk == nil {
		t.Fatal("no at-risk figure")
	}
	body := f.do(req{method: "GET", path: "/", as: "admin", via: "session"}).Body.String()
	m := regexp.MustCompile(`data-key="dash_at_risk"><div class="v"><a href="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("at-risk figure has no link: %s", body)
	}
	u, _ := url.Parse(htmlUnescape(m[1]))
	if p := f.customers(t, "admin", u.RawQuery); p.Total != int(*h.AtRisk) {
		t.Errorf("at risk %v, drill-down %d", *h.AtRisk, p.Total)
	}
}

// TestWhaleDrill checks the whale curve's points, whose number is a share of profit rather
// than a count: the point at j % of the customers lists the round(j % × n) most profitable.
func TestWhaleDrill(t *testing.T) {
	f := newFixture(t)
	var res analysis.Result
	decode(t, f.do(req{method: "GET", path: "/api/v1/analyses/value", as: "admin"}), &res)
	n, _ := res.Figure("customers")
	for _, se := range res.Series {
		if se.Key != "whale_curve" {
			continue
		}
		links := seriesDrills("value", url.Values{}, se)
		if len(links) != 101 || links[0] != "" {
			t.Fatalf("whale curve links %v", links)
		}
		for _, j := range []int{1, 34, 50, 67, 100} {
			want := (j*int(n.Value) + 50) / 100
			if want == 0 {
				if links[j] != "" {
					t.Errorf("point %d%% sums no one but links %s", j, links[j])
				}
				continue
			}
			u, _ := url.Parse(links[j])
			p := f.customers(t, "admin", u.RawQuery)
			if p.Total != want {
				t.Errorf("point %d%%: %d customers, want %d", j, p.Total, want)
			}
			for _, it := range p.Items {
				if r, _ := it.Analysis["value.profit_rank"].(float64); r < 1 || r > float64(p.Total) {
					t.Errorf("point %d%% holds %s of rank %v", j, it.ExternalID, it.Analysis["value.profit_rank"])
				}
			}
		}
		return
	}
	t.Fatal("no whale curve")
}

// TestCompare pins the comparisons of analysis conditions: numbers compare as numbers, text
// as text except that a missing text value ("") is never less than anything, and compareText
// answers equality for ne (the matcher negates it over the label's translations).
func TestCompare(t *testing.T) {
	for _, c := range []struct {
		x    float64
		op   kexi.Op
		vals []float64
		want bool
	}{
		{0.6, kexi.Gt, []float64{0.6}, false},
		{0.6, kexi.Ge, []float64{0.6}, true},
		{2, kexi.Ne, []float64{3}, true},
		{2, kexi.In, []float64{1, 2}, true},
		{2, kexi.In, []float64{1, 3}, false},
		{2, kexi.Contains, []float64{2}, false},
	} {
		if got := compare(c.x, c.op, c.vals); got != c.want {
			t.Errorf("compare(%g %s %v) = %v, want %v", c.x, c.op, c.vals, got, c.want)
		}
	}
	for _, c := range []struct {
		s    string
		op   kexi.Op
		vals []string
		want bool
	}{
		{"", kexi.Lt, []string{"b"}, false}, // "" < "b", but no value is not less
		{"", kexi.Le, []string{"b"}, false},
		{"a", kexi.Lt, []string{"b"}, true},
		{"", kexi.Ge, []string{""}, true},
		{"a", kexi.Ne, []string{"a"}, true}, // equality; the caller negates
		{"a", kexi.Ne, []string{"b"}, false},
		{"At Risk", kexi.Contains, []string{"risk"}, true},
		{"c", kexi.In, []string{"a", "c"}, true},
		{"c", kexi.Gt, []string{"b"}, true},
	} {
		if got := compareText(c.s, c.op, c.vals); got != c.want {
			t.Errorf("compareText(%q %s %v) = %v, want %v", c.s, c.op, c.vals, got, c.want)
		}
	}
}
