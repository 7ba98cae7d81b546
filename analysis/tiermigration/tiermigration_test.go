package tiermigration_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/tiermigration"
)

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func buy(id, cid int64, at string, amount float64, cat string) kexi.Order {
	o := kexi.Order{ID: id, CustomerID: cid, OrderedAt: day(at), Amount: amount, Status: kexi.StatusCompleted}
	if cat != "" {
		o.Items = []kexi.OrderItem{{Category: cat, Quantity: 1, UnitPrice: amount}}
	}
	return o
}

// tiny: period A = 2023, B = 2024. Five customers in each, so Cutoffs(5) = 1, 1, 1: one VIP,
// four small.
//
//	A: C1 1000 (VIP), C2 500 (shoes), C3 300 (books), C4 200, C5 100      → C1 VIP, rest small
//	B: C2 500 on 01-10 + 1500 on 03-01 = 2000 (VIP), C1 400, C3 300, C5 100, C6 50 (new)
//	C1 VIP→small downgraded; C2 small→VIP upgraded; C3, C5 small→small; C4 lost; C6 new.
//	C2 reached the VIP floor (2000, its own spend) with the 03-01 order: 31 + 29 = 60 days.
//
// Lift population (both periods, not VIP in A): C2, C3, C5; upgraders C2; base rate 1/3.
//
//	channel wechat (C2, C3) 1/2 → lift 1.5; search (C5) 0
//	response: C2 "purchased" → responded 1/1 → lift 3; C3 "none" and C5 control → 0/2
//	top category in A: shoes (C2) 3; books (C3) 0; unknown (C5, no items) 0
//	province 广东 (C2, C3) 1.5; unknown (C5) 0
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1}, {ID: 2, Channel: "wechat", Province: "广东"}, {ID: 3, Channel: "wechat", Province: "广东"},
			{ID: 4}, {ID: 5, Channel: "search"}, {ID: 6}},
		Orders: kexi.NewOrderTable(
			buy(1, 1, "2023-05-01", 1000, ""), buy(2, 1, "2024-05-01", 400, ""),
			buy(3, 2, "2023-05-01", 500, "shoes"), buy(4, 2, "2024-01-10", 500, ""), buy(5, 2, "2024-03-01", 1500, ""),
			buy(6, 3, "2023-06-01", 300, "books"), buy(7, 3, "2024-06-01", 300, ""),
			buy(8, 4, "2023-07-01", 200, ""),
			buy(9, 5, "2023-08-01", 100, ""), buy(10, 5, "2024-08-01", 100, ""),
			buy(11, 6, "2024-09-01", 50, ""),
		),
		Responses: []kexi.CampaignResponse{
			{ID: 1, CustomerID: 2, At: day("2024-02-01"), Kind: "purchased"},
			{ID: 2, CustomerID: 3, At: day("2024-02-01"), Kind: "none"},
			{ID: 3, CustomerID: 5, At: day("2024-02-01"), Kind: "purchased", Control: true},
		},
	}
	d.Normalize()
	return d
}

var (
	a = tiermigration.Period{From: day("2023-01-01"), To: day("2023-12-31").Add(24*time.Hour - 1)}
	b = tiermigration.Period{From: day("2024-01-01"), To: day("2024-12-31").Add(24*time.Hour - 1)}
)

func TestMoves(t *testing.T) {
	got := ""
	for _, m := range tiermigration.Moves(&tiny().Orders, a, b) {
		got += fmt.Sprintf("C%d %s→%s %s %d; ", m.CustomerID, m.TierA, m.TierB, m.Change, m.DaysToUpgrade)
	}
	want := "C1 vip→small downgraded -1; C2 small→vip upgraded 60; C3 small→small same -1; C4 small→ lost -1; " +
		"C5 small→small same -1; C6 →small new -1; "
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestUpgradeInCents: time to upgrade compares money in cents. In B, 42 customers spend:
// C1 1000 (VIP), C2 0.299 on 01-10 and 0.002 on 02-10, C3 0.3, and 39 others 0.01 each;
// Cutoffs(42) = 1, 3, 9, so C2 and C3, tied at 30 cents (C2 first by id), are major, and the
// major floor is C3's 0.3. C2 (small in A) reached 30 cents with its first order: 9 days, not
// the 40 days of the float comparison 0.299 < 0.3. C4 spends 0.004 in B: under a cent, no
// spend to pyramid.Tiers, so C4 is lost.
func TestUpgradeInCents(t *testing.T) {
	orders := []kexi.Order{buy(1, 1, "2023-05-01", 1000, ""), buy(2, 1, "2024-05-01", 1000, ""),
		buy(3, 2, "2023-05-01", 1, ""), buy(4, 2, "2024-01-10", 0.299, ""), buy(5, 2, "2024-02-10", 0.002, ""),
		buy(6, 3, "2024-03-01", 0.3, ""), buy(7, 4, "2023-03-01", 5, ""), buy(8, 4, "2024-03-01", 0.004, "")}
	for i := range 39 {
		orders = append(orders, buy(int64(10+i), int64(10+i), "2024-04-01", 0.01, ""))
	}
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(orders...)}
	d.Normalize()
	for _, m := range tiermigration.Moves(&d.Orders, a, b) {
		if m.CustomerID == 2 && (m.TierB != "major" || m.Change != tiermigration.Upgraded || m.DaysToUpgrade != 9) {
			t.Errorf("C2 %s→%s %s after %d days, want small→major upgraded after 9", m.TierA, m.TierB, m.Change, m.DaysToUpgrade)
		}
		if m.CustomerID == 4 && (m.TierB != "" || m.Change != tiermigration.Lost) {
			t.Errorf("C4 %s→%s %s: spending 0.004 in B is no spend to the pyramid, want lost", m.TierA, m.TierB, m.Change)
		}
	}
}

func TestRun(t *testing.T) {
	an := tiermigration.New()
	opts := map[string]string{"a_from": "2023-01-01", "a_to": "2023-12-31", "b_from": "2024-01-01", "b_to": "2024-12-31"}
	res, err := an.Run(context.Background(), analysis.Input{Data: tiny(), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]float64{"upgraded": 1, "downgraded": 1, "same": 2, "new": 1, "lost": 1, "median_days_to_upgrade": 60} {
		if f, _ := res.Figure(k); f.Value != v {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	// Matrix rows vip, major, ordinary, small, new × columns vip, major, ordinary, small, lost.
	m := res.Table("matrix")
	got := fmt.Sprint(m.Rows)
	if want := "[[vip 0 0 0 1 0] [major 0 0 0 0 0] [ordinary 0 0 0 0 0] [small 1 0 0 2 1] [new 0 0 0 1 0]]"; got != want {
		t.Errorf("matrix %s\nwant   %s", got, want)
	}
	lifts := map[string]string{}
	for _, r := range res.Table("upgrader_lift").Rows {
		lifts[fmt.Sprint(r[0], "=", r[1])] = fmt.Sprintf("%v/%v %.4g", r[3], r[2], r[5])
	}
	want := map[string]string{
		"channel=wechat": "1/2 1.5", "channel=search": "0/1 0",
		"campaign_response=responded": "1/1 3", "campaign_response=not_responded": "0/2 0",
		"top_category=shoes": "1/1 3", "top_category=books": "0/1 0", "top_category=unknown": "0/1 0",
		"province=广东": "1/2 1.5", "province=unknown": "0/1 0",
	}
	if fmt.Sprint(lifts) != fmt.Sprint(want) {
		t.Errorf("lifts %v\nwant  %v", lifts, want)
	}
	lab := an.Info().Labels
	for _, l := range res.Series[0].Links {
		if _, ok := lab[l.Source]; !ok {
			t.Errorf("no label %q", l.Source)
		}
		if _, ok := lab[l.Target]; !ok {
			t.Errorf("no label %q", l.Target)
		}
	}
	for _, tb := range res.Tables {
		for _, c := range tb.Columns {
			if _, ok := lab[c.Key]; !ok {
				t.Errorf("no label %q", c.Key)
			}
		}
	}
	for _, f := range res.Summary {
		if _, ok := lab[f.Key]; !ok {
			t.Errorf("no label %q", f.Key)
		}
	}
}

func TestRunDefaultsAndErrors(t *testing.T) {
	// Default periods as of 2024-12-31: B = 2024-01-01…2024-12-31 (after 2023-12-31 00:00),
	// A the 12 months before: the same moves except that C1's 2023-05 and every A order are in.
	res, err := tiermigration.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("upgraded"); f.Value != 1 {
		t.Errorf("upgraded with default periods %v, want 1", f.Value)
	}
	for _, opts := range []map[string]string{{"a_from": "2024-01-01", "a_to": "2023-01-01"}, {"b_to": "soon"}} {
		if _, err := tiermigration.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: opts}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v, want EINVALID", opts, err)
		}
	}
}

func Example() {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(
		buy(1, 1, "2023-03-01", 900, ""), buy(2, 1, "2024-03-01", 100, ""),
		buy(3, 2, "2023-03-01", 100, ""), buy(4, 2, "2024-02-01", 800, ""),
	)}
	for _, m := range tiermigration.Moves(&d.Orders, a, b) {
		fmt.Println(m.CustomerID, m.TierA, "→", m.TierB, m.Change)
	}
	// Output:
	// 1 vip → small downgraded
	// 2 small → vip upgraded
}
