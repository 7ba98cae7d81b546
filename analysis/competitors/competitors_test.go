package competitors_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/competitors"
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

// tiny: 我们 (self, mid) 2024 0.30, 2025 0.35, 2025 华东 0.5; B (high) 0.5, 0.45, 华东 0.6;
// C (low) 0.1, 0.15. Whole market: 2024 B 0.5, 我们 0.3, C 0.1, others 0.1; 2025 B 0.45
// (−0.05), 我们 0.35 (+0.05), C 0.15 (+0.05), others 0.05. 华东 2025 adds up to 1.1 → a note.
//
// Live metrics as of the last order, 2025-02-01; the year is (2024-02-01, 2025-02-01]:
// revenue c1 100 + 200, c2 50, c3 30 = 380 over 4 orders → AOV 95; the year before: c2 70 →
// growth 380/70 − 1 = 4.428571. Buyers 3, repeaters c1 and c2 → 2/3. NPS in the year 10, 9, 3,
// 7 → (2−1)/4 = 25 (the 0 in 2023 is outside).
//
// SWOT order: S (impact 5, then 4), W, O, T (impact 3 by id 4, 6). Values: nps 25,
// repeat_rate 2/3, revenue_growth 4.428571, foo.bar blank, no metric blank, market_share 0.35.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Competitors: []kexi.Competitor{
			{ID: 1, Name: "我们", Self: true, Positioning: "mid", Shares: []kexi.MarketShare{{Period: "2024", Share: 0.3}, {Period: "2025", Share: 0.35}, {Period: "2025", Region: "华东", Share: 0.5}}},
			{ID: 2, Name: "B", Positioning: "High", Products: "premium", Shares: []kexi.MarketShare{{Period: "2024", Share: 0.5}, {Period: "2025", Share: 0.45}, {Period: "2025", Region: "华东", Share: 0.6}}},
			{ID: 3, Name: "C", Positioning: "low", Shares: []kexi.MarketShare{{Period: "2024", Share: 0.1}, {Period: "2025", Share: 0.15}}},
		},
		SWOT: []kexi.SWOTItem{
			{ID: 1, Kind: "S", Text: "服务好", Impact: 4, Metric: "satisfaction.nps"},
			{ID: 2, Kind: "W", Text: "复购低", Impact: 5, Metric: "loyalty.repeat_rate"},
			{ID: 3, Kind: "O", Text: "线上增长", Impact: 2, Metric: "acquisition.revenue_growth"},
			{ID: 4, Kind: "T", Text: "价格战", Impact: 3, Metric: "foo.bar"},
			{ID: 5, Kind: "S", Text: "品牌", Impact: 5},
			{ID: 6, Kind: "T", Text: "新进入者", Impact: 3, Metric: "competitors.market_share"},
		},
		Orders: kexi.NewOrderTable([]kexi.Order{
			{ID: 1, CustomerID: 1, OrderedAt: day("2024-03-01"), Amount: 100}, {ID: 2, CustomerID: 1, OrderedAt: day("2025-02-01"), Amount: 200},
			{ID: 3, CustomerID: 2, OrderedAt: day("2023-06-01"), Amount: 70}, {ID: 4, CustomerID: 2, OrderedAt: day("2025-01-15"), Amount: 50},
			{ID: 5, CustomerID: 3, OrderedAt: day("2024-06-01"), Amount: 30},
		}...),
		Customers: []kexi.Customer{{ID: 1}, {ID: 2}, {ID: 3}},
		Surveys: []kexi.SurveyResponse{{ID: 1, At: day("2024-12-01"), Kind: kexi.NPS, Score: 10}, {ID: 2, At: day("2024-12-01"), Kind: kexi.NPS, Score: 9},
			{ID: 3, At: day("2024-12-01"), Kind: kexi.NPS, Score: 3}, {ID: 4, At: day("2024-12-01"), Kind: kexi.NPS, Score: 7},
			{ID: 5, At: day("2023-01-01"), Kind: kexi.NPS, Score: 0}},
	}
	d.Normalize()
	return d
}

func TestRunByHand(t *testing.T) {
	res, err := competitors.New().Run(context.Background(), analysis.Input{Data: tiny()})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{"2024", "", "B", "false", 0.5, 1, math.NaN()}, {"2024", "", "我们", "true", 0.3, 2, math.NaN()},
		{"2024", "", "C", "false", 0.1, 3, math.NaN()}, {"2024", "", "others", "false", 1 - 0.9, 4, math.NaN()},
		{"2025", "", "B", "false", 0.45, 1, 0.45 - 0.5}, {"2025", "", "我们", "true", 0.35, 2, 0.35 - 0.3},
		{"2025", "", "C", "false", 0.15, 3, 0.15 - 0.1}, {"2025", "", "others", "false", 1 - (0.45 + 0.35 + 0.15), 4, math.NaN()},
		{"2025", "华东", "B", "false", 0.6, 1, math.NaN()}, {"2025", "华东", "我们", "true", 0.5, 2, math.NaN()},
	}
	got := res.Tables[0].Rows
	if len(got) != len(want) {
		t.Fatalf("shares %v", got)
	}
	for i := range want {
		for j := range want[i] {
			if f, ok := want[i][j].(float64); ok {
				if !near(got[i][j].(float64), f) {
					t.Errorf("shares row %d col %d = %v, want %v", i, j, got[i][j], f)
				}
			} else if got[i][j] != want[i][j] {
				t.Errorf("shares row %d col %d = %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
	if len(res.Notes) != 1 {
		t.Errorf("notes %v", res.Notes)
	}
	for k, v := range map[string]float64{"self_share": 0.35, "self_change": 0.05, "self_rank": 2} {
		if f, _ := res.Figure(k); !near(f.Value, v) {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	if f, _ := res.Figure("leader"); f.Text != "B" {
		t.Errorf("leader %q", f.Text)
	}
	tr := res.Series[0]
	if !slices.Equal(tr.X, []string{"2024", "2025"}) || tr.Y[0].Key != "B" || tr.Y[2].Key != "我们" || !slices.Equal(tr.Y[2].Data, []float64{0.3, 0.35}) {
		t.Errorf("trend %+v", tr)
	}
	for _, y := range tr.Y {
		if y.Unit != "percent" { // shares: drawn as 0–100 %, not 0.3
			t.Errorf("trend %s: unit %q, want percent", y.Key, y.Unit)
		}
	}
	sw := res.Table("swot").Rows
	wantSW := []struct {
		text string
		v    float64
	}{{"品牌", math.NaN()}, {"服务好", 25}, {"复购低", 2.0 / 3}, {"线上增长", 380.0/70 - 1}, {"价格战", math.NaN()}, {"新进入者", 0.35}}
	for i, w := range wantSW {
		if sw[i][1] != w.text || !near(sw[i][5].(float64), w.v) {
			t.Errorf("swot %d = %v, want %s %v", i, sw[i], w.text, w.v)
		}
	}
	if s := res.Series[2]; !slices.Equal(s.Y[0].Data, []float64{9, 5, 2, 6}) {
		t.Errorf("impact %v", s.Y[0].Data)
	}
	pos := res.Table("positioning").Rows
	if pos[0][0] != "我们" || pos[1][0] != "B" || pos[1][3] != "high" || pos[1][4] != 0.45 {
		t.Errorf("positioning %v", pos)
	}
}

func TestLive(t *testing.T) {
	m := competitors.Live(tiny(), day("2025-02-01"))
	for k, v := range map[string]float64{"nps": 25, "repeat_rate": 2.0 / 3, "active_customers": 3, "customers": 3, "revenue": 380,
		"revenue_growth": 380.0/70 - 1, "aov": 95, "complaints": 0} {
		if !near(m[k], v) {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if !math.IsNaN(m["csat"]) || !math.IsNaN(m["ces"]) {
		t.Errorf("csat %v ces %v", m["csat"], m["ces"])
	}
	// A $0 purchase (a free gift) makes customer 3 a repeat buyer but leaves the average order
	// value of the 4 paid purchases alone.
	d := tiny()
	d.Orders.Append(&kexi.Order{ID: 6, CustomerID: 3, OrderedAt: day("2024-12-01")})
	d.Normalize()
	m = competitors.Live(d, day("2025-02-01"))
	for k, v := range map[string]float64{"repeat_rate": 1, "active_customers": 3, "revenue": 380, "aov": 95} {
		if !near(m[k], v) {
			t.Errorf("with a $0 purchase: %s = %v, want %v", k, m[k], v)
		}
	}
	if competitors.MetricKey(" Satisfaction.NPS ") != "nps" || competitors.MetricKey("nps") != "nps" {
		t.Error("MetricKey")
	}
}

func TestRegionAndEdges(t *testing.T) {
	res, err := competitors.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{"region": "华东"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("self_share"); f.Value != 0.5 {
		t.Errorf("华东 self share %v", f.Value)
	}
	if f, _ := res.Figure("self_change"); !math.IsNaN(f.Value) {
		t.Errorf("华东 change %v", f.Value)
	}
	res, err = competitors.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}})
	if err != nil || len(res.Tables[0].Rows) != 0 {
		t.Errorf("empty: %v %v", res, err)
	}
	if _, err := competitors.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{"nope": "1"}}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("unknown option: %v", err)
	}
}

func Example() {
	res, _ := competitors.New().Run(context.Background(), analysis.Input{Data: tiny()})
	for _, r := range res.Table("swot").Rows {
		fmt.Printf("%s %s %.2f\n", r[0], r[1], r[5])
	}
	// Output:
	// S 品牌 NaN
	// S 服务好 25.00
	// W 复购低 0.67
	// O 线上增长 4.43
	// T 价格战 NaN
	// T 新进入者 0.35
}

var (
	benchOnce sync.Once
	benchData *kexi.Dataset
)

func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() {
		benchData = synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
		// synth has no competitors or SWOT items: add a few so the board is resolved.
		benchData.Competitors = tiny().Competitors
		benchData.SWOT = tiny().SWOT
	})
	in := analysis.Input{Data: benchData, AsOf: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := competitors.New().Run(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSharesOverNote checks the note on shares over 100 % in both languages, for a region
// (tiny's 华东 2025: 0.5 + 0.6) and for the whole market (2024 with C at 0.3: 0.3 + 0.5 + 0.3).
func TestSharesOverNote(t *testing.T) {
	d := tiny()
	d.Competitors[2].Shares[0].Share = 0.3
	res, err := competitors.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range res.Notes {
		got = append(got, n.Key+": "+n.In("en", nil)+" / "+n.In("zh", nil))
	}
	want := []string{
		"shares_over_100: shares in 2024 (whole market) add up to more than 100% / 2024（整体市场）各品牌的市场份额合计超过 100%",
		"shares_over_100: shares in 2025 (华东) add up to more than 100% / 2025（华东）各品牌的市场份额合计超过 100%",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes\n%q\nwant\n%q", got, want)
	}
}
