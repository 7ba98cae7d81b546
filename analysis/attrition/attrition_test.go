package attrition_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attrition"
	"github.com/kexi/kexi/analysis/lifecycle"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// buy is a purchase "date:amount".
func buys(cid int64, list ...string) []kexi.Order {
	var out []kexi.Order
	for i, s := range list {
		at, amt, _ := strings.Cut(s, ":")
		var a float64
		fmt.Sscan(amt, &a)
		out = append(out, kexi.Order{ID: cid*100 + int64(i), CustomerID: cid, OrderedAt: day(at), Amount: a, Status: kexi.StatusCompleted})
	}
	return out
}

func lead(id int64, final, reason string, value float64, hist ...string) kexi.Lead {
	l := kexi.Lead{ID: id, Stage: final, LostReason: reason, Value: value}
	for i := 0; i+1 < len(hist); i += 2 {
		l.Stages = append(l.Stages, kexi.StageEntry{Stage: hist[i], EnteredAt: day(hist[i+1])})
	}
	if len(l.Stages) > 0 {
		l.CreatedAt = l.Stages[0].EnteredAt
	}
	return l
}

var asOf = day("2024-12-31")

// tiny is worked by hand with churn_days 60 and at_risk_days 30 (options), as of 2024-12-31.
// The other thresholds come from the data (lifecycle.DefaultThresholds): the 14 purchase gaps
// sorted are 14 15 19 19 29 30 30 30 31 31 31 47 143 197, median (q = 6.5) 30 → new_days 30;
// purchases per customer 2 2 2 3 4 4 4, P75 (q = 4.5) 4 → loyal_orders 4.
//
//	C1 Ann  10-01, 11-01, 12-01, 12-20 at 100       11 days since, 4 orders → loyal (active)
//	C2 Bob  02-01:100 03-01:200 04-01:300 05-01:400 244 days > 60 → churned on 05-01 + 61 d =
//	        07-01; at 05-01 first was 90 days before, 4 orders, gap 30 → loyal before churning;
//	        custom churn_reason "moved"
//	C3 Cat  01-10:50, 06-01:50, 12-15:80            gaps 143 and 197 > 60: churned 03-11 and
//	        08-01, back 06-01 and 12-15; 16 days since, last gap 197 → reactivated (active)
//	C4 Dan  11-01:40, 11-15:40                      46 days > 30 → at risk
//	C5 Eve  11-20:70, 12-05:30, flag 12-10          flag after the last purchase → churned on
//	        12-10; at 12-05 first was 15 days before → new before churning
//	C6 Fay  one return (amount 0, returned 50)      no purchase → a prospect, not a customer
//	C7 Gus  churn flag without a date, no orders    churned, no purchase, no churn date
//	C8 Hal  2023-11-15:5000, 2024-01-01:5000        365 days → churned 01-01 + 61 d = 03-02;
//	        at 01-01 first was 47 days before, 2 orders → active before churning; "price"
//	C9 Ivy  10-01, 10-20, 11-20, 12-20 at 60, flag 10-10: churned 10-10, back 10-20; now 11
//	        days since, 4 orders → loyal (active)
//
// Members 8 (C6 is not one): active C1 C3 C9 = 3, at risk C4 = 1, churned C2 C5 C7 C8 = 4,
// inactive 5, churn rate 4/8 = 0.5. Reactivated C3 C9 = 2 of ever churned 6 → 1/3.
// Churns (events): 03-02 C8, 03-11 C3, 07-01 C2, 08-01 C3, 10-10 C9, 12-10 C5 = 6;
// reactivations 06-01 C3, 10-20 C9, 12-15 C3 = 3.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{}
	for i, n := range []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal", "Ivy"} {
		d.Customers = append(d.Customers, kexi.Customer{ID: int64(i + 1), Name: n, Owner: "rep" + fmt.Sprint(i%2)})
	}
	d.Customers[1].Custom = map[string]string{"churn_reason": "moved"}
	d.Customers[4].Churned, d.Customers[4].ChurnedAt = true, day("2024-12-10")
	d.Customers[6].Churned = true
	d.Customers[7].Custom = map[string]string{"churn_reason": "price"}
	d.Customers[8].Churned, d.Customers[8].ChurnedAt = true, day("2024-10-10")
	var orders []kexi.Order
	for _, o := range [][]kexi.Order{
		buys(1, "2024-10-01:100", "2024-11-01:100", "2024-12-01:100", "2024-12-20:100"),
		buys(2, "2024-02-01:100", "2024-03-01:200", "2024-04-01:300", "2024-05-01:400"),
		buys(3, "2024-01-10:50", "2024-06-01:50", "2024-12-15:80"),
		buys(4, "2024-11-01:40", "2024-11-15:40"),
		buys(5, "2024-11-20:70", "2024-12-05:30"),
		buys(8, "2023-11-15:5000", "2024-01-01:5000"),
		buys(9, "2024-10-01:60", "2024-10-20:60", "2024-11-20:60", "2024-12-20:60"),
	} {
		orders = append(orders, o...)
	}
	orders = append(orders, kexi.Order{ID: 600, CustomerID: 6, OrderedAt: day("2024-06-01"), Returned: 50, Status: kexi.StatusReturn})
	d.Orders = kexi.NewOrderTable(orders...)
	// Complaints (window 90 days before the churn date, or before the as-of date for the
	// retained): C2 06-15 counts (after 04-02), C2 01-10 does not; C5 12-01 counts (after
	// 09-11); C8 06-01 is after C8 left; C1 11-01 counts for the retained (after 10-02). C4's
	// consultation is not a complaint.
	d.Interactions = []kexi.Interaction{
		{ID: 1, CustomerID: 2, At: day("2024-01-10"), Kind: kexi.Complaint, Subject: "price"},
		{ID: 2, CustomerID: 8, At: day("2024-06-01"), Kind: kexi.Complaint, Subject: "price"},
		{ID: 3, CustomerID: 2, At: day("2024-06-15"), Kind: kexi.Complaint, Subject: "delivery"},
		{ID: 4, CustomerID: 1, At: day("2024-11-01"), Kind: kexi.Complaint, Subject: "quality"},
		{ID: 5, CustomerID: 4, At: day("2024-11-10"), Kind: kexi.Consultation},
		{ID: 6, CustomerID: 5, At: day("2024-12-01"), Kind: kexi.Complaint, Subject: "delivery"},
	}
	// Latest answers up to the churn date (churned) or the as-of date: churned NPS C2 3 (its
	// 9 came after it left), C8 5; CSAT C5 2. Retained NPS C1 10, C3 8; CSAT C1 5, C9 4; C9's
	// NPS 11 is out of range.
	d.Surveys = []kexi.SurveyResponse{
		{ID: 1, CustomerID: 8, At: day("2023-12-15"), Kind: kexi.NPS, Score: 5},
		{ID: 2, CustomerID: 2, At: day("2024-06-01"), Kind: kexi.NPS, Score: 3},
		{ID: 3, CustomerID: 2, At: day("2024-08-01"), Kind: kexi.NPS, Score: 9},
		{ID: 4, CustomerID: 1, At: day("2024-12-01"), Kind: kexi.NPS, Score: 10},
		{ID: 5, CustomerID: 1, At: day("2024-12-02"), Kind: kexi.CSAT, Score: 5},
		{ID: 6, CustomerID: 5, At: day("2024-12-06"), Kind: kexi.CSAT, Score: 2},
		{ID: 7, CustomerID: 3, At: day("2024-12-20"), Kind: kexi.NPS, Score: 8},
		{ID: 8, CustomerID: 9, At: day("2024-12-21"), Kind: kexi.CSAT, Score: 4},
		{ID: 9, CustomerID: 9, At: day("2024-12-22"), Kind: kexi.NPS, Score: 11},
	}
	// Lost by the as-of date: L1 at consultation (price, 1,000), L2 at quote (competitor,
	// 5,000), L3 at new (price, 500), L5 lost with no history, dated by UpdatedAt 08-15, at new,
	// no reason. L4 was won; L6 is lost only in 2025.
	l5 := kexi.Lead{ID: 5, Stage: kexi.StageLost, CreatedAt: day("2024-08-01"), UpdatedAt: day("2024-08-15")}
	d.Leads = []kexi.Lead{
		lead(1, "lost", "price", 1000, "new", "2024-03-01", "consultation", "2024-03-05", "lost", "2024-03-10"),
		lead(2, "lost", "competitor", 5000, "new", "2024-04-01", "consultation", "2024-04-03", "follow_up", "2024-04-10", "quote", "2024-04-20", "lost", "2024-05-01"),
		lead(3, "lost", "price", 500, "new", "2024-05-01", "lost", "2024-05-03"),
		lead(4, "won", "", 800, "new", "2024-06-01", "won", "2024-06-20"),
		l5,
		lead(6, "lost", "budget", 300, "new", "2024-12-01", "lost", "2025-01-10"),
	}
	d.Normalize()
	return d
}

func run(t *testing.T, d *kexi.Dataset, in analysis.Input) *analysis.Result {
	t.Helper()
	in.Data = d
	if in.Options == nil {
		in.Options = map[string]string{"churn_days": "60", "at_risk_days": "30"}
	}
	res, err := attrition.New().Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// No NaN or infinity anywhere: plain encoding/json would fail on them.
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("result does not encode as JSON: %v", err)
	}
	return res
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkFigures(t *testing.T, res *analysis.Result, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		f, ok := res.Figure(k)
		if !ok {
			t.Errorf("figure %s missing", k)
		} else if !near(f.Value, v) {
			t.Errorf("figure %s = %v, want %v", k, f.Value, v)
		}
	}
}

// rows returns a table's rows keyed by their first cell.
func rows(t *testing.T, res *analysis.Result, key string) map[string][]any {
	t.Helper()
	tb := res.Table(key)
	if tb == nil {
		t.Fatalf("no table %s", key)
	}
	out := map[string][]any{}
	for _, r := range tb.Rows {
		out[fmt.Sprint(r[0])] = r
	}
	return out
}

func TestTinyByHand(t *testing.T) {
	res := run(t, tiny(), analysis.Input{AsOf: asOf})
	checkFigures(t, res, map[string]float64{
		"customers": 8, "active": 3, "at_risk": 1, "inactive": 5, "churned": 4, "churn_rate": 0.5,
		"ever_churned": 6, "reactivated": 2, "reactivation_rate": 1.0 / 3,
		"churned_in_period": 6, "reactivated_in_period": 3,
		// C2 1,000 + C5 100 + C7 0 + C8 10,000 in the 12 months up to their last purchase.
		"revenue_lost": 11100,
		"lost_leads":   4, "lost_lead_value": 6500,
		// Churned: C2 and C5 of 4 complained in the window; retained: C1 of 4.
		"complaint_rate_churned": 0.5, "complaint_rate_retained": 0.25,
		// Means of the latest answers: (3+5)/2, (10+8)/2, 2, (5+4)/2.
		"mean_nps_churned": 4, "mean_nps_retained": 9, "mean_csat_churned": 2, "mean_csat_retained": 4.5,
		"churn_days": 60, "at_risk_days": 30, "complaint_days": 90,
	})

	// Win-back order by priority = annual × 2^(−days since ÷ 60): C8 10,000 × 2^(−365/60) =
	// 147.48; C5 100 × 2^(−26/60) = 74.05; C2 1,000 × 2^(−244/60) = 59.68; C7 0.
	if all, n := res.Tables[0], res.Summary[0]; all.Key != "members" || !all.PerCustomer || n.Key != "customers" || len(all.Rows) != int(n.Value) {
		t.Fatalf("first table %s (per customer %v, %d rows), want every customer's state", all.Key, all.PerCustomer, len(all.Rows))
	}
	win := *res.Table("winback")
	if win.Key != "winback" || !win.PerCustomer {
		t.Fatalf("win-back table %s (per customer %v)", win.Key, win.PerCustomer)
	}
	col := map[string]int{}
	for i, c := range win.Columns {
		col[c.Key] = i
	}
	var got []string
	for _, r := range win.Rows {
		got = append(got, fmt.Sprintf("C%d %s %.2f", r[0].(int64), r[col["stage_before"]], r[col["priority"]]))
	}
	want := []string{"C8 active 147.48", "C5 new 74.05", "C2 loyal 59.68", "C7 no_purchase 0.00"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("win-back list %v, want %v", got, want)
	}
	c2 := win.Rows[2]
	for k, v := range map[string]any{"name": "Bob", "tier": "ordinary", "churned_at": day("2024-07-01"), "last_order": day("2024-05-01"),
		"days_since": 244, "orders": 4, "lifetime_spend": 1000.0, "annual_spend": 1000.0, "complaints": 1, "last_nps": 3.0,
		"last_csat": nil, "reason": "moved"} {
		if g := c2[col[k]]; fmt.Sprint(g) != fmt.Sprint(v) {
			t.Errorf("C2 %s = %v, want %v", k, g, v)
		}
	}
	if c7 := win.Rows[3]; c7[col["churned_at"]] != nil || c7[col["last_order"]] != nil || c7[col["tier"]] != attrition.NoPurchase {
		t.Errorf("C7 (flag, no date, no orders) row %v", c7)
	}
	if c5 := win.Rows[1]; c5[col["churned_at"]] != day("2024-12-10") {
		t.Errorf("C5 churned at %v, want the flag date 2024-12-10", c5[col["churned_at"]])
	}

	// Where: stage before churning C2 loyal, C5 new, C8 active, C7 no purchase.
	st := rows(t, res, "churned_by_stage")
	for k, n := range map[string]int{"new": 1, "active": 1, "loyal": 1, "reactivated": 0, "no_purchase": 1} {
		if st[k][1] != n {
			t.Errorf("churned before stage %s: %v, want %d", k, st[k][1], n)
		}
	}
	if !near(st["active"][3].(float64), 10000) || !near(st["loyal"][2].(float64), 0.25) {
		t.Errorf("stage rows %v", st)
	}
	// Tiers by spend up to the as-of date, 7 ranked: C8 10,000 VIP (⌈7/100⌉ = 1), none major
	// (⌈35/100⌉ = 1), C2 1,000 ordinary (⌈140/100⌉ = 2), the other five small; C7 no purchase.
	ti := rows(t, res, "churned_by_tier")
	for k, w := range map[string][3]any{"vip": {1, 1, 1.0}, "major": {0, 0, 0.0}, "ordinary": {1, 1, 1.0},
		"small": {5, 1, 0.2}, "no_purchase": {1, 1, 1.0}} {
		if r := ti[k]; r[1] != w[0] || r[2] != w[1] || !near(r[3].(float64), w[2].(float64)) {
			t.Errorf("tier %s row %v, want customers, churned, rate %v", k, r, w)
		}
	}
	// Lost leads by the furthest stage reached: new L3 L5, consultation L1, quote L2.
	ll := rows(t, res, "lost_leads_by_stage")
	for k, n := range map[string]int{"new": 2, "consultation": 1, "follow_up": 0, "quote": 1} {
		if ll[k][1] != n {
			t.Errorf("lost at %s: %v, want %d", k, ll[k][1], n)
		}
	}
	if _, ok := ll["won"]; ok {
		t.Error("a won row without leads lost after winning")
	}

	// Why: lost reasons price 2 (1,500), then the ties at 1 by key: "(none)", competitor.
	lr := res.Table("lost_reasons")
	if got := fmt.Sprint(lr.Rows); got != "[[price 2 0.5 1500] [(none) 1 0.25 0] [competitor 1 0.25 5000]]" {
		t.Errorf("lost reasons %s", got)
	}
	cr := res.Table("churn_reasons")
	if got := fmt.Sprint(cr.Rows); got != "[[(none) 2 0.5 100] [moved 1 0.25 1000] [price 1 0.25 10000]]" {
		t.Errorf("churn reasons %s", got)
	}
	cp := rows(t, res, "complaints_before_churn")
	if got := fmt.Sprint(cp["churned"], cp["retained"]); got != "[churned 4 2 0.5 2 0.5] [retained 4 1 0.25 1 0.25]" {
		t.Errorf("complaints before churn %s", got)
	}
	if got := fmt.Sprint(res.Table("complaint_subjects").Rows); got != "[[delivery 2 1]]" {
		t.Errorf("complaint subjects %s", got)
	}
	// Churned NPS 3, 5: two detractors → −100; retained 10, 8: one promoter, one passive → 50.
	sa := rows(t, res, "satisfaction")
	if got := fmt.Sprint(sa["churned"], sa["retained"]); got != "[churned 2 4 -100 1 2 0] [retained 2 9 50 2 4.5 1]" {
		t.Errorf("satisfaction %s", got)
	}
	// Monthly churns: Mar 2 (C8, C3), Jul C2, Aug C3, Oct C9, Dec C5; reactivations Jun C3,
	// Oct C9, Dec C3; lost leads Mar L1, May L2 L3, Aug L5.
	mo := res.Table("months")
	if len(mo.Rows) != 12 || mo.Rows[0][0] != "2024-01" || mo.Rows[11][0] != "2024-12" {
		t.Fatalf("months %v", mo.Rows)
	}
	var series []string
	for _, r := range mo.Rows {
		series = append(series, fmt.Sprintf("%v/%v/%v", r[1], r[2], r[3]))
	}
	if got := strings.Join(series, " "); got != "0/0/0 0/0/0 2/0/1 0/0/0 0/0/2 0/1/0 1/0/0 1/0/1 0/0/0 1/1/0 0/0/0 1/1/0" {
		t.Errorf("monthly churned/reactivated/lost leads %s", got)
	}
	status := rows(t, res, "status")
	if status["active"][1] != 3 || status["at_risk"][1] != 1 || status["churned"][1] != 4 {
		t.Errorf("status %v", status)
	}
	for _, c := range win.Rows {
		if c[0] == int64(6) {
			t.Error("C6, who only returned goods, is in the win-back list")
		}
	}
}

// TestPeriod: July–September 2024 holds the churns of C2 (07-01) and C3 (08-01), no
// reactivation and one lost lead (L5, 08-15); states are as of the as-of date whatever the period.
func TestPeriod(t *testing.T) {
	res := run(t, tiny(), analysis.Input{AsOf: asOf, From: day("2024-07-01"), To: day("2024-09-30"),
		Options: map[string]string{"churn_days": "60", "at_risk_days": "30"}})
	checkFigures(t, res, map[string]float64{"churned": 4, "churned_in_period": 2, "reactivated_in_period": 0, "lost_leads": 1})
	if got := fmt.Sprint(res.Table("months").Rows); got != "[[2024-07 1 0 0] [2024-08 1 0 1] [2024-09 0 0 0]]" {
		t.Errorf("months %s", got)
	}
	// A period after the data: nothing happens in it, and nothing breaks.
	res = run(t, tiny(), analysis.Input{AsOf: asOf, From: day("2030-01-01"), To: day("2030-03-31")})
	checkFigures(t, res, map[string]float64{"customers": 8, "churned_in_period": 0, "reactivated_in_period": 0, "lost_leads": 0})
	if n := len(res.Table("months").Rows); n != 0 {
		t.Errorf("%d months after the as-of date", n)
	}
}

// TestOptions: complaint_days 10 keeps only C5's complaint (9 days before 12-10); top 2 cuts
// the list; reason_field names the custom field with or without "custom.".
func TestOptions(t *testing.T) {
	res := run(t, tiny(), analysis.Input{AsOf: asOf, Options: map[string]string{"churn_days": "60", "at_risk_days": "30",
		"complaint_days": "10", "top": "2", "reason_field": "churn_reason"}})
	checkFigures(t, res, map[string]float64{"complaint_rate_churned": 0.25, "complaint_rate_retained": 0, "complaint_days": 10})
	if n := len(res.Table("winback").Rows); n != 2 {
		t.Errorf("win-back list of %d, want 2", n)
	}
	if got := fmt.Sprint(res.Table("churn_reasons").Rows[1]); got != "[moved 1 0.25 1000]" {
		t.Errorf("churn reasons %s", got)
	}
	// churn_days alone, below the data's at-risk threshold, lowers at_risk_days to it.
	res = run(t, tiny(), analysis.Input{AsOf: asOf, Options: map[string]string{"churn_days": "5"}})
	checkFigures(t, res, map[string]float64{"churn_days": 5, "at_risk_days": 5})
}

// TestDefaultThresholds: without options the thresholds are lifecycle's, so both analyses
// count the same churned customers. Gaps (above): P90 q = 11.7 → 47 + 0.7 × 96 = 114.2 → 115;
// P75 q = 9.75 → 31 (x[9] = x[10] = 31). C2 (244 days) and C8 (365) churn by gap, C5 and C7 by
// flag; C4 (46 days) is at risk.
func TestDefaultThresholds(t *testing.T) {
	d := tiny()
	res := run(t, d, analysis.Input{AsOf: asOf, Options: map[string]string{}})
	checkFigures(t, res, map[string]float64{"churn_days": 115, "at_risk_days": 31, "churned": 4, "at_risk": 1})
	th := lifecycle.DefaultThresholds(&d.Orders, asOf)
	lc := 0
	for _, r := range lifecycle.Stages(d, th, asOf)[0] {
		if r.Stage == lifecycle.Churned {
			lc++
		}
	}
	// lifecycle calls C7 (flag, no purchase) a prospect; the rest agree.
	if lc != 3 {
		t.Errorf("lifecycle counts %d churned, want 3 (C2, C5, C8)", lc)
	}
}

func TestEdgeCases(t *testing.T) {
	// An empty Dataset: zeros, no NaN (run checks the JSON), every table present.
	res := run(t, &kexi.Dataset{}, analysis.Input{})
	checkFigures(t, res, map[string]float64{"customers": 0, "churned": 0, "churn_rate": 0, "reactivation_rate": 0,
		"complaint_rate_churned": 0, "revenue_lost": 0})
	if len(res.Tables) != 12 || len(res.Table("winback").Rows) != 0 || len(res.Tables[0].Rows) != 0 {
		t.Errorf("empty data: %d tables, %d win-back rows", len(res.Tables), len(res.Table("winback").Rows))
	}
	if _, ok := res.Figure("mean_nps_churned"); ok {
		t.Error("a mean NPS without answers")
	}
	// One customer who bought once today: active, nothing churned.
	one := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1}}, Orders: kexi.NewOrderTable(buys(1, "2024-12-31:10")...)}
	res = run(t, one, analysis.Input{Options: map[string]string{}})
	checkFigures(t, res, map[string]float64{"customers": 1, "active": 1, "churned": 0, "churn_rate": 0, "ever_churned": 0})
	if !res.AsOf.Equal(day("2025-01-01").Add(-time.Nanosecond)) {
		t.Errorf("as of %v, want the end of the last order's day", res.AsOf)
	}
	// A customer whose only orders are a return and a zero-amount order is a customer (a $0
	// order is a purchase); one with only a negative amount is none.
	ret := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1}, {ID: 2}},
		Orders: kexi.NewOrderTable(kexi.Order{ID: 1, CustomerID: 1, OrderedAt: day("2024-01-01"), Returned: 5, Status: kexi.StatusReturn},
			kexi.Order{ID: 2, CustomerID: 1, OrderedAt: day("2024-02-01"), Amount: 0, Status: kexi.StatusCompleted},
			kexi.Order{ID: 3, CustomerID: 2, OrderedAt: day("2024-03-01"), Amount: -20, Status: kexi.StatusCompleted})}
	ret.Normalize()
	res = run(t, ret, analysis.Input{Options: map[string]string{}})
	checkFigures(t, res, map[string]float64{"customers": 1, "churned": 0, "revenue_lost": 0})
}

// TestSubscription: a customer table without orders — the churn flag decides. 2 of 3 churned
// (one with a date in March, one without); the third is an active customer.
func TestSubscription(t *testing.T) {
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1, Churned: true, ChurnedAt: day("2024-03-05")}, {ID: 2}, {ID: 3, Churned: true}},
		Surveys: []kexi.SurveyResponse{{ID: 1, CustomerID: 2, At: day("2024-06-30"), Kind: kexi.CSAT, Score: 4},
			{ID: 2, CustomerID: 3, At: day("2024-05-01"), Kind: kexi.CSAT, Score: 1}}}
	d.Normalize()
	res := run(t, d, analysis.Input{Options: map[string]string{}})
	checkFigures(t, res, map[string]float64{"customers": 3, "active": 1, "churned": 2, "churn_rate": 2.0 / 3,
		"mean_csat_churned": 1, "mean_csat_retained": 4, "churned_in_period": 1})
	// With no orders the as-of date is the end of the day of the latest time in the data: the
	// survey of 06-30.
	if !res.AsOf.Equal(day("2024-07-01").Add(-time.Nanosecond)) {
		t.Errorf("as of %v", res.AsOf)
	}
	mo := rows(t, res, "months")
	if mo["2024-03"][1] != 1 || len(res.Table("months").Rows) != 12 {
		t.Errorf("months %v", res.Table("months").Rows)
	}
}

func TestBadOptions(t *testing.T) {
	for _, opts := range []map[string]string{
		{"churn_days": "-1"}, {"churn_days": "x"}, {"at_risk_days": "-3"}, {"churn_days": "30", "at_risk_days": "40"},
		{"at_risk_days": "500"}, // above the data's churn threshold (115)
		{"complaint_days": "0"}, {"top": "-1"}, {"months": "0"}, {"months": "121"}, {"nosuch": "1"},
	} {
		_, err := attrition.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: asOf, Options: opts})
		if kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: error %v, want invalid", opts, err)
		}
	}
	if _, err := attrition.New().Run(context.Background(), analysis.Input{Data: tiny(), From: day("2024-05-01"), To: day("2024-04-01")}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("from after to: %v", err)
	}
}

func TestPriority(t *testing.T) {
	for _, c := range []struct {
		annual    float64
		since, cd int
		want      float64
	}{{1000, 0, 60, 1000}, {1000, 60, 60, 500}, {1000, 120, 60, 250}, {0, 10, 60, 0}, {-5, 10, 60, 0}, {100, 26, 60, 74.05}} {
		if got := attrition.Priority(c.annual, c.since, c.cd); got != c.want {
			t.Errorf("Priority(%v, %d, %d) = %v, want %v", c.annual, c.since, c.cd, got, c.want)
		}
	}
}

func TestLostAt(t *testing.T) {
	l := lead(1, "follow_up", "", 0, "new", "2024-01-01", "lost", "2024-02-01", "follow_up", "2024-03-01")
	// Lost in February, reopened in March.
	if at, ok := attrition.LostAt(&l, day("2024-02-15")); !ok || !at.Equal(day("2024-02-01")) {
		t.Errorf("mid-February: %v %v", at, ok)
	}
	if _, ok := attrition.LostAt(&l, day("2024-03-15")); ok {
		t.Error("reopened lead counts as lost")
	}
	if _, ok := attrition.LostAt(&l, day("2024-01-15")); ok {
		t.Error("lost before the loss")
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := attrition.New().Run(ctx, analysis.Input{Data: tiny(), AsOf: asOf}); err == nil {
		t.Error("no error from a cancelled context")
	}
}

// TestGapBoundary: with churn_days 60 a gap churns when its whole days exceed 60. C1's gap of
// 61 days (03-01 → 05-01) churns on 05-01 and comes back at once; C2's gap of 60 days 23 hours
// does not; both buy again, so neither is churned now.
func TestGapBoundary(t *testing.T) {
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1}, {ID: 2}},
		Orders: kexi.NewOrderTable(append(buys(1, "2024-03-01:10", "2024-05-01:10"),
			kexi.Order{ID: 201, CustomerID: 2, OrderedAt: day("2024-03-01"), Amount: 10},
			kexi.Order{ID: 202, CustomerID: 2, OrderedAt: day("2024-04-30").Add(23 * time.Hour), Amount: 10})...)}
	d.Normalize()
	th := lifecycle.Thresholds{NewDays: 10, AtRiskDays: 30, ChurnDays: 60, LoyalOrders: 5}
	var got []string
	ms := attrition.Members(d, th, day("2024-05-02"), func(e attrition.Event) {
		got = append(got, fmt.Sprintf("C%d %s %v", e.CustomerID, e.At.Format("01-02 15:04"), e.Reactivation))
	})
	if want := "[C1 05-01 00:00 false C1 05-01 00:00 true]"; fmt.Sprint(got) != want {
		t.Errorf("events %v, want %s", got, want)
	}
	if len(ms) != 2 || !ms[0].Reactivated || ms[1].Reactivated || ms[0].State != attrition.Active {
		t.Errorf("members %+v", ms)
	}
}

// TestSparseIDs: customer ids far apart (looked up by binary search, not by a table) give the
// same results as the hand-worked ids 1…9.
func TestSparseIDs(t *testing.T) {
	d := tiny()
	for i := range d.Customers {
		d.Customers[i].ID *= 1000
	}
	for i := range d.Orders.CustomerID {
		d.Orders.CustomerID[i] *= 1000
	}
	for i := range d.Interactions {
		d.Interactions[i].CustomerID *= 1000
	}
	for i := range d.Surveys {
		d.Surveys[i].CustomerID *= 1000
	}
	a, b := run(t, tiny(), analysis.Input{AsOf: asOf}), run(t, d, analysis.Input{AsOf: asOf})
	if fmt.Sprint(a.Summary) != fmt.Sprint(b.Summary) {
		t.Errorf("summary\n%v\nwith sparse ids\n%v", a.Summary, b.Summary)
	}
	if fa, _ := b.Figure("complaint_rate_churned"); fa.Value != 0.5 {
		t.Errorf("complaint rate %v", fa.Value)
	}
}
