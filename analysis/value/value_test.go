package value_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/value"
	"github.com/kexi/kexi/internal/refdata"
)

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

// tiny, with 2 per interaction minute:
//
//	C1: order 1000 (cost 400, shipping 20, discount 50, returned 100) and order 500 (Cost 0,
//	    items 2 × unit cost 100 → 200, shipping 10); 30 minutes → 60.
//	    profit 1500 − 600 − 30 − 100 − 60 = 710 (discount 50 reported, not subtracted)
//	C2: order 200 (cost 150, shipping 10); a return document refunding 200; a 45-minute
//	    complaint → 90. profit 200 − 150 − 10 − 200 − 90 = −250
//	C3: no orders; a 10-minute call → 20. profit −20
//	C4: order 300 (cost 100); a cancelled order 1000 (cost 500) ignored. profit 200
//	customer 0: an anonymous order — left out.
//
// Total profit 640. Profit ranking C1 710, C4 200, C3 −20, C2 −250; cumulative shares
// 710/640 = 1.109375, 910/640 = 1.421875, 890/640 = 1.390625, 1.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Orders: kexi.NewOrderTable([]kexi.Order{
			{ID: 1, CustomerID: 0, OrderedAt: day("2024-01-01"), Amount: 50, Status: kexi.StatusCompleted},
			{ID: 2, CustomerID: 1, OrderedAt: day("2024-01-02"), Amount: 1000, Cost: 400, Shipping: 20, Discount: 50, Returned: 100, Status: kexi.StatusCompleted},
			{ID: 3, CustomerID: 1, OrderedAt: day("2024-02-02"), Amount: 500, Shipping: 10, Status: kexi.StatusCompleted, Items: []kexi.OrderItem{{Quantity: 2, UnitPrice: 250, UnitCost: 100}}},
			{ID: 4, CustomerID: 2, OrderedAt: day("2024-01-05"), Amount: 200, Cost: 150, Shipping: 10, Status: kexi.StatusCompleted},
			{ID: 5, CustomerID: 2, OrderedAt: day("2024-01-20"), Returned: 200, Status: kexi.StatusReturn},
			{ID: 6, CustomerID: 4, OrderedAt: day("2024-03-01"), Amount: 300, Cost: 100, Status: kexi.StatusCompleted},
			{ID: 7, CustomerID: 4, OrderedAt: day("2024-03-02"), Amount: 1000, Cost: 500, Status: kexi.StatusCancelled},
		}...),
		Interactions: []kexi.Interaction{
			{ID: 1, CustomerID: 1, At: day("2024-01-03"), Kind: kexi.Consultation, Minutes: 30},
			{ID: 2, CustomerID: 2, At: day("2024-01-21"), Kind: kexi.Complaint, Minutes: 45},
			{ID: 3, CustomerID: 3, At: day("2024-02-01"), Kind: kexi.Communication, Minutes: 10},
		},
	}
	d.Normalize()
	return d
}

func TestProfits(t *testing.T) {
	rows := value.Profits(&tiny().Orders, tiny().Interactions, nil, 2)
	want := []value.Row{
		{CustomerID: 1, Revenue: 1500, Cost: 600, Shipping: 30, Returns: 100, Discount: 50, Minutes: 30, Service: 60, Profit: 710},
		{CustomerID: 2, Revenue: 200, Cost: 150, Shipping: 10, Returns: 200, Minutes: 45, Service: 90, Profit: -250},
		{CustomerID: 3, Minutes: 10, Service: 20, Profit: -20},
		{CustomerID: 4, Revenue: 300, Cost: 100, Profit: 200},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", rows, want)
	}
	order, cum := value.Whale(rows)
	if fmt.Sprint(order) != "[0 3 2 1]" || fmt.Sprint(cum) != "[1.109375 1.421875 1.390625 1]" {
		t.Errorf("whale order %v cum %v", order, cum)
	}
	// Revenue C1 1500, C4 300, C2 200 (C3 has none): top ⌈0.6⌉ = 1 → 1500/2000.
	if s := value.TopShare(rows, 20); s != 0.75 {
		t.Errorf("top 20%% share %v, want 0.75", s)
	}
}

func TestWhaleLoss(t *testing.T) {
	// Total profit −30: no shares.
	_, cum := value.Whale([]value.Row{{CustomerID: 1, Profit: 10}, {CustomerID: 2, Profit: -40}})
	if cum != nil {
		t.Errorf("cum %v, want nil for a loss", cum)
	}
}

func TestRun(t *testing.T) {
	a := value.New()
	// cost_per_minute from the settings (2).
	res, err := a.Run(context.Background(), analysis.Input{Data: tiny(), Settings: kexi.Settings{CostPerMinute: 2}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"customers": 4, "revenue": 2000, "profit": 640, "discount": 50, "service_cost": 170,
		"unprofitable_customers": 2, "whale_peak_share": 1.421875, "whale_peak_customers": 0.5, "margin": 0.32}
	for k, v := range want {
		if f, _ := res.Figure(k); f.Value != v {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	w := res.Series[0]
	// 50 % of 4 customers = 2 → 1.421875; 100 % → 1; 0 % → 0.
	if w.Key != "whale_curve" || w.Y[0].Data[50] != 1.421875 || w.Y[0].Data[100] != 1 || w.Y[0].Data[0] != 0 {
		t.Errorf("whale curve %v", w.Y[0].Data)
	}
	// Each point drills to the customers it sums: 50 % of 4 → profit rank ≤ 2; 0 % to none.
	if w.Drill.Column != "profit_rank" || w.Drill.Op != "le" || len(w.Drill.Values) != 101 ||
		w.Drill.Values[0] != "" || w.Drill.Values[50] != "2" || w.Drill.Values[100] != "4" {
		t.Errorf("whale curve drill %+v", w.Drill)
	}
	// The customers' deciles: of 4 customers, ranks 1–4 fall in deciles 3, 5, 8 and 10 (the
	// deciles table's rank ranges d×4/10 to (d+1)×4/10), as many as each decile row counts.
	cust := res.Table("customers")
	dec := res.Table("deciles")
	in := map[int]int{}
	for _, r := range cust.Rows {
		in[r[len(r)-1].(int)]++
	}
	for _, r := range dec.Rows {
		if in[r[0].(int)] != r[1].(int) {
			t.Errorf("decile %v holds %d customers, counts %v", r[0], in[r[0].(int)], r[1])
		}
	}
	if dec.Drill.Column != "decile" || in[3] != 1 || in[5] != 1 || in[8] != 1 || in[10] != 1 {
		t.Errorf("deciles %v, drill %+v", in, dec.Drill)
	}
	// The option overrides the setting: 0 per minute → C1 770, C2 −160, C3 0, C4 200 = 810.
	res, err = a.Run(context.Background(), analysis.Input{Data: tiny(), Settings: kexi.Settings{CostPerMinute: 2},
		Options: map[string]string{"cost_per_minute": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("profit"); f.Value != 810 {
		t.Errorf("profit at 0/min %v, want 810", f.Value)
	}
	// The period: from 2024-02-01 keeps C1's second order (500 − 200 − 10 = 290), C3's call
	// (−20 at 2/min) and C4's order (200).
	res, err = a.Run(context.Background(), analysis.Input{Data: tiny(), From: day("2024-02-01"), Settings: kexi.Settings{CostPerMinute: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("profit"); f.Value != 470 {
		t.Errorf("profit from February %v, want 470", f.Value)
	}
	for _, f := range res.Summary {
		if _, ok := a.Info().Labels[f.Key]; !ok {
			t.Errorf("no label %q", f.Key)
		}
	}
	for _, tb := range res.Tables {
		for _, c := range tb.Columns {
			if _, ok := a.Info().Labels[c.Key]; !ok {
				t.Errorf("no label %q", c.Key)
			}
		}
	}
	for _, s := range res.Series {
		if _, ok := a.Info().Labels[s.Key]; !ok {
			t.Errorf("no label %q", s.Key)
		}
	}
	for _, bad := range []string{"-1", "abc"} {
		if _, err := a.Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{"cost_per_minute": bad}}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("cost_per_minute=%s: %v", bad, err)
		}
	}
}

func TestOnlineRetailReference(t *testing.T) {
	d := refdata.OnlineRetail(t, refdata.RetailClean{})
	res, err := value.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	// SPEC: top 20 % of customers = 74.6 % of revenue; customer 14646 £280,206.02.
	if f, _ := res.Figure("top20_revenue_share"); math.Round(f.Value*1000) != 746 {
		t.Errorf("top 20 %% share %.4f, want 0.746", f.Value)
	}
	for _, r := range res.Tables[0].Rows {
		if r[0] == int64(14646) {
			if math.Abs(r[1].(float64)-280206.02) > 0.005 {
				t.Errorf("14646 revenue %v, want 280206.02", r[1])
			}
			return
		}
	}
	t.Error("customer 14646 missing")
}

func Example() {
	orders := kexi.NewOrderTable([]kexi.Order{
		{ID: 1, CustomerID: 1, Amount: 300, Cost: 120, Shipping: 10, Status: kexi.StatusCompleted},
		{ID: 2, CustomerID: 2, Amount: 80, Cost: 50, Shipping: 10, Status: kexi.StatusCompleted},
	}...)
	calls := []kexi.Interaction{{ID: 1, CustomerID: 2, Minutes: 40}}
	for _, r := range value.Profits(&orders, calls, nil, 1) {
		fmt.Println(r.CustomerID, r.Revenue, r.Profit)
	}
	// Output:
	// 1 300 170
	// 2 80 -20
}

// TestNoCostData: orders without any cost of goods (a shop's report, a plain CSV) have no
// profit to show. The profit would be the revenue less shipping and the margin 100 %; instead
// the figures say no cost data, in both languages, and the per-customer profit is empty.
func TestNoCostData(t *testing.T) {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1}, {ID: 2}},
		Orders: kexi.NewOrderTable([]kexi.Order{
			{ID: 1, CustomerID: 1, OrderedAt: day("2024-01-01"), Amount: 100},
			{ID: 2, CustomerID: 1, OrderedAt: day("2024-02-01"), Amount: 50, Shipping: 5},
			{ID: 3, CustomerID: 2, OrderedAt: day("2024-01-05"), Amount: 80},
		}...),
	}
	d.Normalize()
	a := value.New()
	res, err := a.Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	labels := a.Info().Labels
	for _, k := range []string{"cost", "profit", "margin", "unprofitable_customers"} {
		f, ok := res.Figure(k)
		if !ok || f.Text != "no_cost_data" {
			t.Errorf("%s = %+v, want the text no_cost_data", k, f)
		}
	}
	if l := labels["no_cost_data"]; l.En != "no cost data" || l.Zh != "无成本数据" {
		t.Errorf("label %+v", l)
	}
	if f, _ := res.Figure("revenue"); f.Value != 230 {
		t.Errorf("revenue %v, want 230", f.Value)
	}
	if f, _ := res.Figure("shipping"); f.Value != 5 {
		t.Errorf("shipping %v, want 5", f.Value)
	}
	cust := res.Table("customers")
	if len(cust.Rows) != 2 {
		t.Fatalf("%d customers", len(cust.Rows))
	}
	for _, r := range cust.Rows {
		if r[2] != nil || r[7] != nil || r[8] != nil {
			t.Errorf("customer %v: cost %v profit %v margin %v, want empty", r[0], r[2], r[7], r[8])
		}
	}
	for _, s := range res.Series {
		if s.Key == "whale_curve" || s.Key == "profit_bridge" {
			t.Errorf("series %s without cost data", s.Key)
		}
	}
}

// TestProfitBridge: "from revenue to profit" is a waterfall that starts at revenue, falls by
// each cost and ends at the profit (tiny: 2000 − 850 − 40 − 300 − 170 = 640).
func TestProfitBridge(t *testing.T) {
	res, err := value.New().Run(context.Background(), analysis.Input{Data: tiny(), Settings: kexi.Settings{CostPerMinute: 2}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Series {
		if s.Key != "profit_bridge" {
			continue
		}
		if s.Kind != "waterfall" || fmt.Sprint(s.X) != "[revenue cost shipping returns service_cost profit]" ||
			fmt.Sprint(s.Y[0].Data) != "[2000 -850 -40 -300 -170 640]" {
			t.Errorf("profit bridge %s %v %v, want a waterfall from revenue 2000 to profit 640", s.Kind, s.X, s.Y[0].Data)
		}
		return
	}
	t.Error("no profit_bridge series")
}

// TestHeadline: 4–8 headline figures (the costs the bridge shows and the setting are
// details), each figure with a definition in both languages.
func TestHeadline(t *testing.T) {
	res, err := value.New().Run(context.Background(), analysis.Input{Data: tiny(), Settings: kexi.Settings{CostPerMinute: 2}})
	if err != nil {
		t.Fatal(err)
	}
	labels := value.New().Info().Labels
	var head []string
	for _, f := range res.Summary {
		if !f.Detail {
			head = append(head, f.Key)
		}
		if h := labels["help."+f.Key]; h.En == "" || h.Zh == "" {
			t.Errorf("figure %s has no definition", f.Key)
		}
	}
	if fmt.Sprint(head) != "[customers revenue profit margin unprofitable_customers top20_revenue_share whale_peak_share]" {
		t.Errorf("headline %v", head)
	}
}
