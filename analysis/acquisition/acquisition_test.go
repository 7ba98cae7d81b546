package acquisition_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/acquisition"
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

// tiny: campaigns K1 (wechat, 1000, 01-01..01-31) and K2 (search, 600, 02-01..03-01).
// Customers 1, 2 (wechat, K1), 3 (search, K2), 4 (no channel), 5 (wechat, no orders).
// Orders (amount/cost/shipping): c1 01-05 100/40/10, 03-05 200/80/10, a return 03-10 of 50;
// c2 01-20 300/100/0; c3 02-10 50/20/5; c4 2023-12-01 80/30/0. As of the end of 2024-03-10
// (the default: the end of the last order's day).
// Leads: wechat/K1: won, lost, open; search/K2: won (history new → won).
//
// Whole history:
//
//	wechat: leads 3, won 1 → 1/3; new c1, c2; cost 1000, CAC 500; revenue 600;
//	        profit (100−40−10) + (200−80−10) − 50 + (300−100) = 110 + 200 = 310; ROI −0.69;
//	        months: c1 66 days, c2 51 days (to the end of 03-10) → (66+51)/30.4375 = 3.8439
//	        (both ≥ 1); payback = 500 / (310/3.8439) = 6.1999.
//	search: leads 1, won 1; new c3; cost 600, CAC 600; revenue 50, profit 25; ROI −575/600;
//	        months: 30 days → 1 (the floor); payback 600/25 = 24.
//	(none): c4, revenue 80, profit 50, no cost → CAC, ROI, payback blank.
//	total: leads 4, new 4, cost 1600, CAC 400, revenue 730, profit 385.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Campaigns: []kexi.Campaign{
			{ID: 1, ExternalID: "K1", Name: "Spring WeChat", Channel: "wechat", Cost: 1000, Start: day("2024-01-01"), End: day("2024-01-31")},
			{ID: 2, ExternalID: "K2", Name: "Search Feb", Channel: "search", Cost: 600, Start: day("2024-02-01"), End: day("2024-03-01")},
		},
		Customers: []kexi.Customer{{ID: 1, Channel: "wechat", Campaign: "K1"}, {ID: 2, Channel: "wechat", Campaign: "K1"},
			{ID: 3, Channel: "search", Campaign: "K2"}, {ID: 4}, {ID: 5, Channel: "wechat"}},
		Orders: kexi.NewOrderTable([]kexi.Order{
			{ID: 1, CustomerID: 1, OrderedAt: day("2024-01-05"), Amount: 100, Cost: 40, Shipping: 10},
			{ID: 2, CustomerID: 1, OrderedAt: day("2024-03-05"), Amount: 200, Cost: 80, Shipping: 10},
			{ID: 3, CustomerID: 1, OrderedAt: day("2024-03-10"), Returned: 50, Status: kexi.StatusReturn},
			{ID: 4, CustomerID: 2, OrderedAt: day("2024-01-20"), Amount: 300, Cost: 100},
			{ID: 5, CustomerID: 3, OrderedAt: day("2024-02-10"), Amount: 50, Cost: 20, Shipping: 5},
			{ID: 6, CustomerID: 4, OrderedAt: day("2023-12-01"), Amount: 80, Cost: 30},
		}...),
		Leads: []kexi.Lead{
			{ID: 1, Source: "wechat", Campaign: "K1", Stage: kexi.StageWon, CreatedAt: day("2024-01-02")},
			{ID: 2, Source: "wechat", Campaign: "K1", Stage: kexi.StageLost, CreatedAt: day("2024-01-03")},
			{ID: 3, Source: "wechat", Campaign: "K1", Stage: kexi.StageQuote, CreatedAt: day("2024-01-04")},
			{ID: 4, Source: "search", Campaign: "K2", Stage: kexi.StageLost, CreatedAt: day("2024-02-02"),
				Stages: []kexi.StageEntry{{Stage: kexi.StageNew}, {Stage: kexi.StageWon}}},
		},
	}
	d.Normalize()
	return d
}

func TestRunByHand(t *testing.T) {
	res, err := acquisition.New().Run(context.Background(), analysis.Input{Data: tiny()})
	if err != nil {
		t.Fatal(err)
	}
	m := (117 - 2e-9/86400) / (365.25 / 12) // two customers, each to the last nanosecond of 03-10
	want := map[string][]any{
		"wechat": {"wechat", 3, 1, 1.0 / 3, 2, 1000.0, 500.0, 600.0, 310.0, -0.69, 500 / (310 / m)},
		"search": {"search", 1, 1, 1.0, 1, 600.0, 600.0, 50.0, 25.0, -575.0 / 600, 24.0},
		"(none)": {"(none)", 0, 0, math.NaN(), 1, 0.0, math.NaN(), 80.0, 50.0, math.NaN(), math.NaN()},
	}
	rows := res.Tables[0].Rows
	if len(rows) != 3 {
		t.Fatalf("channels %v", rows)
	}
	for _, r := range rows {
		w := want[r[0].(string)]
		for i := range w {
			if f, ok := w[i].(float64); ok {
				if !near(r[i].(float64), f) {
					t.Errorf("%s column %d = %v, want %v", r[0], i, r[i], f)
				}
			} else if r[i] != w[i] {
				t.Errorf("%s column %d = %v, want %v", r[0], i, r[i], w[i])
			}
		}
	}
	for k, v := range map[string]float64{"leads": 4, "new_customers": 4, "cost": 1600, "cac": 400, "revenue": 730, "profit": 385, "roi": (385 - 1600) / 1600.0} {
		if f, _ := res.Figure(k); !near(f.Value, v) {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	camps := res.Table("campaigns").Rows
	if len(camps) != 3 || camps[0][0] != "(none)" || camps[1][0] != "Search Feb" || camps[2][0] != "Spring WeChat" || camps[2][4] != 2 {
		t.Errorf("campaigns %v", camps)
	}
}

func TestPeriod(t *testing.T) {
	// January 16..31: K1's cost overlaps 16 of its 31 days → 1000×16/31; K2 none. New
	// customers: c2 (01-20) only. Leads: none created then.
	res, err := acquisition.New().Run(context.Background(), analysis.Input{Data: tiny(), From: day("2024-01-16"), To: day("2024-01-31")})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]float64{"cost": 1000 * 16 / 31.0, "new_customers": 1, "cac": 1000 * 16 / 31.0, "revenue": 300, "leads": 0} {
		if f, _ := res.Figure(k); !near(f.Value, v) {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	// A campaign without dates counts fully; one with only a start counts when it is in the period.
	c := kexi.Campaign{Cost: 10, Start: day("2024-05-01")}
	in := analysis.Input{From: day("2024-05-01"), To: day("2024-05-31")}
	if acquisition.CostIn(&c, in) != 10 || acquisition.CostIn(&kexi.Campaign{Cost: 10}, in) != 10 {
		t.Error("CostIn without dates")
	}
	if acquisition.CostIn(&kexi.Campaign{Cost: 10, Start: day("2024-06-01")}, in) != 0 {
		t.Error("CostIn outside")
	}
}

func TestEdgeCases(t *testing.T) {
	// A customer with only returns is never acquired; an empty dataset gives blanks.
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1, Channel: "x"}},
		Orders: kexi.NewOrderTable([]kexi.Order{{ID: 1, CustomerID: 1, OrderedAt: day("2024-01-01"), Returned: 20, Status: kexi.StatusReturn}}...)}
	res, err := acquisition.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("new_customers"); f.Value != 0 {
		t.Errorf("new customers %v", f.Value)
	}
	if f, _ := res.Figure("cac"); !math.IsNaN(f.Value) {
		t.Errorf("cac %v", f.Value)
	}
	if _, err := acquisition.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{"x": "1"}}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("unknown option: %v", err)
	}
}

func Example() {
	res, _ := acquisition.New().Run(context.Background(), analysis.Input{Data: tiny()})
	for _, r := range res.Tables[0].Rows {
		fmt.Printf("%-7s new %d CAC %.0f\n", r[0], r[4], r[6])
	}
	// Output:
	// (none)  new 1 CAC NaN
	// search  new 1 CAC 600
	// wechat  new 2 CAC 500
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
		if _, err := acquisition.New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
