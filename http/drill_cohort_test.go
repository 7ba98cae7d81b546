package kexihttp

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
)

// demoSalesFixture is a fixture on 300 demo customers (where cohorts and campaigns have enough to
// show) with the sales rep zhang.wei, who owns some of them.
func demoSalesFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixtureBatch(t, all.List(), demo.Generate(demo.Options{Customers: 300, Seed: 1}))
	u := kexi.User{Login: "zhang.wei", Role: kexi.RoleSales}
	if err := f.st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	tok, err := CreateAPIToken(context.Background(), f.st, u.ID, "test", time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	f.tokens[u.Login] = tok
	return f
}

// TestCohortAndCampaignDrills checks the drill-downs whose clicked number is not itself a
// count of customers, against the count the result gives for them: a cohort heat-map cell
// (an active share; its cohort-table row gives the active customers), a campaign's
// targeted-rate bar (its responders in the campaigns table) and an overlap cell (a lift; the
// overlap table gives the customers who responded to both). For the admin and for a sales
// user, whose lists hold only their own customers.
func TestCohortAndCampaignDrills(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	f := demoSalesFixture(t)
	result := func(as, name string) analysis.Result {
		w := f.do(req{method: "GET", path: "/api/v1/analyses/" + name, as: as})
		if w.Code != 200 {
			t.Fatalf("%s %s: %d %s", as, name, w.Code, w.Body)
		}
		var res analysis.Result
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	list := func(as, link string) custPage {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("limit", "10000")
		return f.customers(t, as, q.Encode())
	}
	series := func(res analysis.Result, key string) analysis.Series {
		for _, se := range res.Series {
			if se.Key == key {
				return se
			}
		}
		t.Fatalf("no series %s", key)
		return analysis.Series{}
	}
	for _, as := range []string{"admin", "zhang.wei"} {
		owns := func(p custPage, what string) {
			for _, it := range p.Items {
				if as != "admin" && it.Owner != as {
					t.Errorf("%s's drill-down %s holds %s of %q", as, what, it.ExternalID, it.Owner)
				}
			}
		}
		// Cohorts: cell (x, +k) → the active customers of the row (x, k).
		res := result(as, "loyalty")
		active := map[string]int{}
		for _, r := range res.Table("cohorts").Rows {
			active[fmt.Sprintf("%v +%v", r[0], r[1])] = int(r[3].(float64))
		}
		cells := 0
		for _, key := range []string{"cohort_retention", "cohort_revenue"} {
			se := series(res, key)
			links := seriesDrills("loyalty", url.Values{}, se)
			if len(links) != len(se.Cells) {
				t.Fatalf("%s: %d links for %d cells", key, len(links), len(se.Cells))
			}
			for i, c := range se.Cells {
				x, k := se.X[int(c[0])], se.YCats[int(c[1])]
				want, ok := active[x+" "+k]
				if !ok || links[i] == "" {
					t.Fatalf("%s cell %s %s: link %q, row %v", key, x, k, links[i], ok)
				}
				p := list(as, links[i])
				if p.Total != want || len(p.Items) != want {
					t.Errorf("%s %s cell %s %s: %d customers, the cohort has %d active", as, key, x, k, p.Total, want)
				}
				for _, it := range p.Items {
					if it.Analysis["loyalty.cohort"] != x || !strings.Contains(", "+it.Analysis["loyalty.active_months"].(string)+", ", ", "+k+", ") {
						t.Errorf("%s in cell %s %s: %v", it.ExternalID, x, k, it.Analysis)
					}
				}
				owns(p, x+" "+k)
				cells++
			}
		}
		if cells < 20 {
			t.Errorf("%s: only %d cohort cells", as, cells)
		}

		// Campaigns: the targeted-rate bar of X → X's responders; an overlap cell → both.
		res = result(as, "campaigns")
		responders := map[string]int{}
		for _, r := range res.Table("campaigns").Rows {
			responders[r[0].(string)] = int(r[2].(float64))
		}
		both := map[string]int{}
		for _, r := range res.Table("overlap").Rows {
			n := int(r[2].(float64))
			both[r[0].(string)+" & "+r[1].(string)], both[r[1].(string)+" & "+r[0].(string)] = n, n
		}
		rates := series(res, "response_rates")
		if rates.Drill.Y != "target_rate" {
			t.Errorf("response rates drill %+v: only the targeted bars drill down", rates.Drill)
		}
		bars := 0
		for i, l := range seriesDrills("campaigns", url.Values{}, rates) {
			p := list(as, l)
			if want := responders[rates.X[i]]; p.Total != want {
				t.Errorf("%s campaign %s: %d customers, %d responders", as, rates.X[i], p.Total, want)
			}
			if want := rates.Y[0].Data[i] * float64(p.Total); p.Total > 0 && want == 0 {
				t.Errorf("campaign %s: responders but a rate of 0", rates.X[i])
			}
			owns(p, rates.X[i])
			bars++
		}
		heat := series(res, "overlap_lift")
		for i, l := range seriesDrills("campaigns", url.Values{}, heat) {
			c := heat.Cells[i]
			pair := heat.X[int(c[0])] + " & " + heat.YCats[int(c[1])]
			if p := list(as, l); p.Total != both[pair] {
				t.Errorf("%s overlap %s: %d customers, %d responded to both", as, pair, p.Total, both[pair])
			}
			bars++
		}
		if bars < 4 {
			t.Errorf("%s: only %d campaign elements", as, bars)
		}
	}

	// The page: the cohort cell's link opens the customer table with readable chips, in zh
	// and en, and the list exports as many customers.
	var link string
	for _, c := range regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(
		f.do(req{method: "GET", path: "/analyses/loyalty", as: "admin", via: "session"}).Body.String(), -1) {
		var spec chartSpec
		if err := json.Unmarshal([]byte(htmlUnescape(c[1])), &spec); err != nil {
			t.Fatal(err)
		}
		if spec.Key == "cohort_retention" {
			for i, cell := range spec.Cells {
				if cell[1] == 1 { // the first +1 cell
					link = spec.Drill[i]
					break
				}
			}
		}
	}
	if link == "" {
		t.Fatal("no +1 cohort cell link on the loyalty page")
	}
	u, _ := url.Parse(link)
	cohort := strings.TrimPrefix(u.Query()["f"][0], "loyalty.cohort:eq:")
	for lang, want := range map[string][]string{
		"zh-CN": {"忠诚度与保留 · 客户群(首单月份) = " + cohort, "忠诚度与保留 · 获客后活跃月份 = +1"},
		"en":    {"Loyalty and retention · Cohort (first order month) = " + cohort, "Loyalty and retention · Active months after acquisition = +1"},
	} {
		body := htmlUnescape(f.do(req{method: "GET", path: link, as: "admin", via: "session", header: map[string]string{"Accept-Language": lang}}).Body.String())
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no chip %q", lang, w)
			}
		}
	}
	// A campaign's row on the page links its responders, with a chip naming the campaign.
	res := result("admin", "campaigns")
	camp := res.Tables[0].Rows[0][0].(string)
	page := htmlUnescape(f.do(req{method: "GET", path: "/analyses/campaigns", as: "admin", via: "session", header: map[string]string{"Accept-Language": "zh-CN"}}).Body.String())
	m := regexp.MustCompile(`href="(/customers\?[^"]*campaigns.responded_to%3Aeq%3A[^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the campaigns page links no responders")
	}
	body := htmlUnescape(f.do(req{method: "GET", path: m[1], as: "admin", via: "session", header: map[string]string{"Accept-Language": "zh-CN"}}).Body.String())
	if !strings.Contains(body, "活动与交叉分析 · 响应的活动 = "+camp) {
		t.Errorf("no chip for campaign %s's responders (%s)", camp, m[1])
	}
	p := list("admin", link)
	w := f.do(req{method: "GET", path: "/api/v1/customers/export?format=csv&" + u.RawQuery, as: "admin"})
	recs, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
	if w.Code != 200 || err != nil || len(recs) != p.Total+1 || p.Total == 0 {
		t.Errorf("export of the cohort cell: %d, %d rows (%v) for %d customers", w.Code, len(recs), err, p.Total)
	}
}

// drillingElements are the figures, charts and tables of each analysis that drill down to
// customers on the demo data (the closing note of issue #19 lists them, and those that do not
// with the reason). An element that stops drilling, or starts, must change this list.
var drillingElements = map[string]string{
	"rfm":            "figure customers, chart rf_heatmap, chart segment_customers, chart segment_revenue, table segments",
	"pyramid":        "figure customers, chart pyramid, table tiers",
	"tier_migration": "figure upgraded, figure downgraded, figure same, figure new, figure lost, chart flows, chart changes",
	"lifecycle":      "figure customers, chart stage_counts, chart transitions, table stages, table transitions",
	"behaviour":      "figure customers, figure overdue_customers, chart orders_per_customer, table categories",
	"loyalty":        "figure customers, figure one_time_buyers, chart cohort_retention, chart cohort_revenue, chart orders_per_customer, chart days_to_second_order, table cohorts",
	"value":          "figure customers, figure unprofitable_customers, chart whale_curve, table deciles",
	"clv":            "figure customers, figure repeat_customers, chart clv_histogram, chart p_alive_histogram",
	"churn":          "figure scored_customers, figure high_risk, chart probability_histogram, chart risk_bands",
	"attrition":      "figure customers, figure active, figure at_risk, figure inactive, figure churned, figure reactivated, chart status_share, chart churned_by_stage, table status, table churned_by_stage, table churned_by_tier",
	"attributes":     "",
	"segments":       "figure customers, chart cluster_sizes, table clusters",
	"satisfaction":   "",
	"acquisition":    "",
	"funnel":         "",
	"campaigns":      "figure key_customer_count, chart response_rates, chart overlap_lift, table campaigns, table overlap",
	"basket":         "figure customers_with_recommendations",
	"competitors":    "",
	"quality":        "figure customers_with_problems, table problems",
}

// TestDrillAudit checks which elements of each analysis drill down on 300 demo customers
// against drillingElements; TestDrillEverywhereDemo checks that each lists as many customers
// as it counts.
func TestDrillAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	f := demoSalesFixture(t)
	seen := map[string]bool{}
	for _, a := range f.srv.analyses {
		name := a.Info().Name
		w := f.do(req{method: "GET", path: "/api/v1/analyses/" + name, as: "admin"})
		if w.Code != 200 {
			continue // portrait needs a customer
		}
		var res analysis.Result
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		var d []string
		for _, fg := range res.Summary {
			if fg.Drill.Column != "" {
				d = append(d, "figure "+fg.Key)
			}
		}
		for _, se := range res.Series {
			if se.Drill.Column != "" {
				d = append(d, "chart "+se.Key)
			}
		}
		for _, tb := range res.Tables {
			if tb.Drill.Column != "" {
				d = append(d, "table "+tb.Key)
			}
		}
		want, ok := drillingElements[name]
		if got := strings.Join(d, ", "); !ok || got != want {
			t.Errorf("%s drills down from %q, want %q", name, got, want)
		}
		seen[name] = true
	}
	for name := range drillingElements {
		if !seen[name] {
			t.Errorf("%s did not run on the demo data", name)
		}
	}
}
