package campaigns_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/campaigns"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/internal/synth"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 || (math.IsNaN(a) && math.IsNaN(b)) }

// tiny: six customers (1, 2, 5 in province A; 3, 4, 6 in B), campaigns C1 (01-01..01-10) and
// C2 (02-01..02-10). Responses (At = campaign start):
//
//	C1: c1 purchased, c1 clicked, c2 none, c3 clicked, c4 purchased (control), c5 none (control)
//	C2: c1 purchased, c3 none, c6 purchased
//
// Orders: c1 01-05 100 and 02-05 50; c3 2023-12-01 80; c4 01-07 30; c6 02-03 40.
//
// C1: targeted 1, 2, 3 → responders 1, 3 → 2/3; control 4, 5 → 4 → 1/2; uplift 1/6.
// Pooled 3/5: se = √(0.6·0.4·(1/3+1/2)) = √0.2, z = (1/6)/√0.2 = 0.372678, p = erfc(z/√2).
// C2: targeted 1, 3, 6 → 1, 6 → 2/3; no control → uplift blank.
// By province (targeted): C1 A {1, 2} 1/2, B {3} 1/1; C2 A {1} 1/1, B {3, 6} 1/2.
// Overlap of responders {1, 3} and {1, 6} over 6 customers: both 1, Jaccard 1/3,
// lift 1·6/(2·2) = 1.5.
// Key customers (≥ 2 campaigns or bought after first response): c1 (2 campaigns, 100+50 after
// 01-01), c6 (bought 40 after 02-01); c3 bought only before → not key.
// Purchase metric, C1 window 01-01..02-09: targeted bought: c1 only → 1/3; control: c4 → 1/2.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1, Province: "A"}, {ID: 2, Province: "A"}, {ID: 3, Province: "B"}, {ID: 4, Province: "B"},
			{ID: 5, Province: "A"}, {ID: 6, Province: "B"}},
		Campaigns: []kexi.Campaign{{ID: 1, ExternalID: "C1", Name: "C1", Start: day("2024-01-01"), End: day("2024-01-10")},
			{ID: 2, ExternalID: "C2", Name: "C2", Start: day("2024-02-01"), End: day("2024-02-10")}},
		Orders: kexi.NewOrderTable(
			kexi.Order{ID: 1, CustomerID: 1, OrderedAt: day("2024-01-05"), Amount: 100}, kexi.Order{ID: 2, CustomerID: 1, OrderedAt: day("2024-02-05"), Amount: 50},
			kexi.Order{ID: 3, CustomerID: 3, OrderedAt: day("2023-12-01"), Amount: 80}, kexi.Order{ID: 4, CustomerID: 4, OrderedAt: day("2024-01-07"), Amount: 30},
			kexi.Order{ID: 5, CustomerID: 6, OrderedAt: day("2024-02-03"), Amount: 40},
		),
	}
	add := func(camp int64, cust int64, kind string, control bool) {
		at := d.Campaigns[camp-1].Start
		d.Responses = append(d.Responses, kexi.CampaignResponse{ID: int64(len(d.Responses) + 1), CampaignID: camp, CustomerID: cust, At: at, Kind: kind, Control: control})
	}
	add(1, 1, "purchased", false)
	add(1, 1, "clicked", false)
	add(1, 2, "none", false)
	add(1, 3, "clicked", false)
	add(1, 4, "purchased", true)
	add(1, 5, "none", true)
	add(2, 1, "purchased", false)
	add(2, 3, "none", false)
	add(2, 6, "purchased", false)
	d.Normalize()
	return d
}

func run(t *testing.T, d *kexi.Dataset, opts map[string]string) *analysis.Result {
	t.Helper()
	res, err := campaigns.New().Run(context.Background(), analysis.Input{Data: d, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunByHand(t *testing.T) {
	res := run(t, tiny(), nil)
	z := (1.0 / 6) / math.Sqrt(0.2)
	rows := res.Tables[0].Rows
	want := [][]any{
		{"C1", 3, 2, 2.0 / 3, 2, 1, 0.5, 2.0 / 3, 1.0 / 6, z, math.Erfc(z / math.Sqrt2), "false"},
		{"C2", 3, 2, 2.0 / 3, 0, 0, math.NaN(), 2.0 / 3, math.NaN(), math.NaN(), math.NaN(), ""},
	}
	for i, w := range want {
		for j := range w {
			if f, ok := w[j].(float64); ok {
				if !near(rows[i][j].(float64), f) {
					t.Errorf("row %d col %d = %v, want %v", i, j, rows[i][j], f)
				}
			} else if rows[i][j] != w[j] {
				t.Errorf("row %d col %d = %v, want %v", i, j, rows[i][j], w[j])
			}
		}
	}
	pat := res.Table("patterns").Rows
	if fmt.Sprint(pat[:3]) != fmt.Sprint([][]any{{"C1", "clicked", 2, 0, 0.5}, {"C1", "none", 1, 1, 0.25}, {"C1", "purchased", 1, 1, 0.25}}) {
		t.Errorf("patterns %v", pat)
	}
	seg := res.Table("segments").Rows
	if fmt.Sprint(seg) != fmt.Sprint([][]any{{"C1", "A", 2, 1, 0.5}, {"C1", "B", 1, 1, 1.0}, {"C2", "A", 1, 1, 1.0}, {"C2", "B", 2, 1, 0.5}}) {
		t.Errorf("segments %v", seg)
	}
	ov := res.Table("overlap").Rows
	if len(ov) != 1 || ov[0][2] != 1 || !near(ov[0][3].(float64), 1.0/3) || !near(ov[0][4].(float64), 1.5) {
		t.Errorf("overlap %v", ov)
	}
	kc := res.Table("key_customers").Rows
	if len(kc) != 2 || kc[0][0] != int64(1) || kc[0][1] != 2 || kc[0][3] != 2 || kc[0][4] != 150.0 || kc[1][0] != int64(6) || kc[1][4] != 40.0 {
		t.Errorf("key customers %v", kc)
	}
	if f, _ := res.Figure("response_rate"); !near(f.Value, 4.0/6) {
		t.Errorf("response rate %v", f.Value)
	}
}

func TestPurchaseMetric(t *testing.T) {
	res := run(t, tiny(), map[string]string{"metric": "purchase"})
	r := res.Tables[0].Rows[0]
	if !near(r[7].(float64), 1.0/3) || !near(r[6].(float64), 0.5) || !near(r[8].(float64), 1.0/3-0.5) {
		t.Errorf("C1 purchase %v", r)
	}
	// A window of 0 days after C1's end (01-10): c1 still bought 01-05, c4 01-07 → same.
	// C2's window 02-01..02-10: c1 02-05, c6 02-03 bought; c3 not → 2/3.
	res = run(t, tiny(), map[string]string{"metric": "purchase", "window_days": "0"})
	if r := res.Tables[0].Rows[1]; !near(r[7].(float64), 2.0/3) {
		t.Errorf("C2 purchase %v", r)
	}
}

func TestZTestAndOverlap(t *testing.T) {
	// 60/100 vs 40/100: pooled 0.5, se = √(0.25·0.02) = 0.070711, z = 2.828427, p = 0.004678.
	z, p := campaigns.ZTest(60, 100, 40, 100)
	if !near(z, 0.2/math.Sqrt(0.005)) || math.Abs(p-0.0046777) > 1e-6 {
		t.Errorf("z %v p %v", z, p)
	}
	if z, _ := campaigns.ZTest(0, 10, 0, 10); !math.IsNaN(z) {
		t.Errorf("all zero: %v", z)
	}
	both, jac, lift := campaigns.Overlap([]int64{1, 2, 3}, []int64{3, 4}, 10)
	if both != 1 || !near(jac, 0.25) || !near(lift, 10.0/6) {
		t.Errorf("overlap %d %v %v", both, jac, lift)
	}
}

func TestEdgeCases(t *testing.T) {
	res := run(t, &kexi.Dataset{}, nil)
	if len(res.Tables[0].Rows) != 0 {
		t.Errorf("empty: %v", res.Tables[0].Rows)
	}
	for _, o := range []map[string]string{{"group_by": "shoe"}, {"metric": "x"}, {"min_campaigns": "0"}} {
		if _, err := campaigns.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: o}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v", o, err)
		}
	}
}

// TestBank builds one campaign from UCI bank-full.csv (y = yes is a response): 5,289 of 45,211
// = 11.70 %. By job: student 269/938 = 0.28678, retired 516/2264 = 0.22792, blue-collar
// 708/9732 = 0.07275; by education: tertiary 1996/13301 = 0.15006, primary 591/6851.
func TestBank(t *testing.T) {
	f, err := os.Open(refdata.Path(t, "bank-marketing/bank-full.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := &kexi.Dataset{Campaigns: []kexi.Campaign{{ID: 1, ExternalID: "term_deposit", Name: "term_deposit"}}}
	for i, rec := range recs[1:] {
		id := int64(i + 1)
		d.Customers = append(d.Customers, kexi.Customer{ID: id, Occupation: rec[1], Education: rec[3]})
		d.Responses = append(d.Responses, kexi.CampaignResponse{ID: id, CampaignID: 1, CustomerID: id, Kind: rec[16]})
	}
	d.Normalize()
	res := run(t, d, map[string]string{"group_by": "occupation"})
	if fig, _ := res.Figure("responders"); fig.Value != 5289 {
		t.Errorf("responders %v", fig.Value)
	}
	if fig, _ := res.Figure("response_rate"); math.Abs(fig.Value-0.11698) > 0.000005 {
		t.Errorf("rate %v", fig.Value)
	}
	check := func(res *analysis.Result, seg string, n, x int) {
		for _, r := range res.Table("segments").Rows {
			if r[1] == seg {
				if r[2] != n || r[3] != x {
					t.Errorf("%s: %v, want %d/%d", seg, r, x, n)
				}
				return
			}
		}
		t.Errorf("segment %s missing", seg)
	}
	check(res, "student", 938, 269)
	check(res, "retired", 2264, 516)
	check(res, "blue-collar", 9732, 708)
	res = run(t, d, map[string]string{"group_by": "education"})
	check(res, "tertiary", 13301, 1996)
	check(res, "primary", 6851, 591)
}

func Example() {
	res, _ := campaigns.New().Run(context.Background(), analysis.Input{Data: tiny()})
	for _, r := range res.Tables[0].Rows {
		fmt.Printf("%s targeted %.2f control %.2f\n", r[0], r[7], r[6])
	}
	// Output:
	// C1 targeted 0.67 control 0.50
	// C2 targeted 0.67 control NaN
}

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() { benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1}) })
	in := analysis.Input{Data: benchData, AsOf: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := campaigns.New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKeyCustomerWithoutOrders(t *testing.T) {
	// Customer 9 answered "yes" to two campaigns and never ordered: key by the campaign count
	// (2 ≥ min_campaigns 2) with no revenue. Customer 8 answered once and never ordered: not key.
	d := &kexi.Dataset{Campaigns: []kexi.Campaign{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}},
		Responses: []kexi.CampaignResponse{{ID: 1, CampaignID: 1, CustomerID: 9, Kind: "yes"}, {ID: 2, CampaignID: 2, CustomerID: 9, Kind: "yes"},
			{ID: 3, CampaignID: 2, CustomerID: 8, Kind: "yes"}}}
	res := run(t, d, nil)
	kc := res.Table("key_customers").Rows
	if len(kc) != 1 || kc[0][0] != int64(9) || kc[0][1] != 2 || kc[0][3] != 0 || kc[0][4] != 0.0 {
		t.Errorf("key customers %v", kc)
	}
}

// TestResponderMembers works each campaign's responders out by hand on tiny: C1's targeted
// responders are c1 and c3 (c2 answered none; c4 responded in the control group), C2's c1 and
// c6 (c3 answered none). So responded_to is c1 "C1, C2", c3 "C1", c6 "C2"; a campaign's row,
// its targeted-rate bar and the overlap cell (c1 alone) drill on it.
func TestResponderMembers(t *testing.T) {
	res := run(t, tiny(), nil)
	rt := res.Table("responder_campaigns")
	if rt == nil || !rt.PerCustomer || rt.Columns[1].Key != "responded_to" || rt.Columns[1].Type != "terms" {
		t.Fatalf("responder table %+v", rt)
	}
	if got := fmt.Sprint(rt.Rows); got != "[[1 C1, C2] [3 C1] [6 C2]]" {
		t.Errorf("responders %s, want [[1 C1, C2] [3 C1] [6 C2]]", got)
	}
	// The key customers stay the first per-customer table (the portrait and the fields of
	// campaigns.campaigns_responded read it).
	for _, tb := range res.Tables {
		if tb.PerCustomer {
			if tb.Key != "key_customers" {
				t.Errorf("first per-customer table %s", tb.Key)
			}
			break
		}
	}
	has := func(id int64, camp string) bool {
		for _, r := range rt.Rows {
			if r[0] == id {
				for _, c := range strings.Split(r[1].(string), ", ") {
					if c == camp {
						return true
					}
				}
			}
		}
		return false
	}
	members := func(camps ...string) []int64 {
		var ids []int64
	next:
		for _, r := range rt.Rows {
			for _, c := range camps {
				if !has(r[0].(int64), c) {
					continue next
				}
			}
			ids = append(ids, r[0].(int64))
		}
		return ids
	}
	up := res.Tables[0]
	if up.Drill.Column != "responded_to" || up.Drill.Key != "campaign" || up.Drill.Count != "responders" || fmt.Sprint(up.Drill.Values) != "[C1 C2]" {
		t.Errorf("campaigns table drill %+v", up.Drill)
	}
	for _, r := range up.Rows {
		if got := members(r[0].(string)); len(got) != r[2] {
			t.Errorf("%s: responders %v, the row says %v", r[0], got, r[2])
		}
	}
	if got := fmt.Sprint(members("C1"), members("C2"), members("C1", "C2")); got != "[1 3] [1 6] [1]" {
		t.Errorf("members %s", got)
	}
	var rates, heat analysis.Series
	for _, se := range res.Series {
		switch se.Key {
		case "response_rates":
			rates = se
		case "overlap_lift":
			heat = se
		}
	}
	if rates.Drill.Y != "target_rate" || rates.Drill.Column != "responded_to" || fmt.Sprint(rates.Drill.Values) != "[C1 C2]" {
		t.Errorf("rate bars drill %+v", rates.Drill)
	}
	if heat.Drill.Column != "responded_to" || heat.Drill.YColumn != "responded_to" || fmt.Sprint(heat.Drill.Values, heat.Drill.YValues) != "[C1 C2] [C1 C2]" {
		t.Errorf("overlap drill %+v", heat.Drill)
	}
	ov := res.Table("overlap")
	if fmt.Sprint(ov.Drill.Values, ov.Drill.YValues) != "[C1] [C2]" || ov.Drill.Count != "both" || len(members("C1", "C2")) != ov.Rows[0][2] {
		t.Errorf("overlap table drill %+v, rows %v", ov.Drill, ov.Rows)
	}
	// With metric=purchase the bars are purchase rates, not the responders' share: no drill.
	if se := run(t, tiny(), map[string]string{"metric": "purchase"}).Series[0]; se.Drill.Column != "" {
		t.Errorf("purchase-rate bars drill %+v", se.Drill)
	}
	// A campaign whose name holds the list's separator cannot be told apart: it does not drill.
	d := tiny()
	d.Campaigns[0].Name = "Spring, online"
	res = run(t, d, nil)
	if v := res.Tables[0].Drill.Values; fmt.Sprint(v) != "[C2 ]" { // in name order
		t.Errorf("drill values with a comma in a name: %q", v)
	}
}

// TestPurchaseWindowEndOfDay: a campaign's purchase window runs to the end of its last day
// (analysis.EndOfDay), also on a day of 25 hours: in London the clocks go back on 26 October
// 2025, and a purchase at 23:30 that evening is in the window of a campaign that ends that day.
// (The window's end was its midnight plus 24 hours, 23:00, before.)
func TestPurchaseWindowEndOfDay(t *testing.T) {
	lon, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	end := time.Date(2025, 10, 26, 0, 0, 0, 0, lon)
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1}},
		Campaigns: []kexi.Campaign{{ID: 1, ExternalID: "K", Name: "K", Start: time.Date(2025, 10, 1, 0, 0, 0, 0, lon), End: end}},
		Orders:    kexi.NewOrderTable(kexi.Order{ID: 1, CustomerID: 1, OrderedAt: time.Date(2025, 10, 26, 23, 30, 0, 0, lon), Amount: 10}),
		Responses: []kexi.CampaignResponse{{ID: 1, CampaignID: 1, CustomerID: 1, At: end, Kind: "clicked"}},
	}
	d.Normalize()
	res := run(t, d, map[string]string{"metric": "purchase", "window_days": "0"})
	if r := res.Tables[0].Rows[0]; !near(r[7].(float64), 1) {
		t.Errorf("purchase rate %v, want 1: the purchase at 23:30 on the campaign's last day is in its window", r[7])
	}
}
