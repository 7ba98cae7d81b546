package behaviour_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/behaviour"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func item(cat string, q, p float64) kexi.OrderItem {
	return kexi.OrderItem{Category: cat, Quantity: q, UnitPrice: p}
}

// tiny (UTC):
//
//	C1 (广东 广州): 01-01 10:00 Mon 100 online, no order province (apparel 2×30, shoes 40);
//	    01-11 10:00 Thu 50 store (apparel 50); 01-31 10:00 Wed 150 online (shoes 150).
//	    3 orders, 300; gaps 10 and 20 → cycle 15, next 02-15 10:00 (overdue at 03-31);
//	    apparel 110, shoes 190 → top shoes 190/300; main channel online (2 of 3).
//	C2 (江苏 南京): 02-05 15:00 Mon 200 app shipped to 上海 上海 (beauty 200); a cancelled order.
//	C3: only a return.
//	anonymous: 03-10 09:00 Sun 50 store, no province.
//
// Totals 5 orders, 550, AOV 110; buyers C1, C2 with 4 orders → 2 per customer.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1, Province: "广东", City: "广州"}, {ID: 2, Province: "江苏", City: "南京"}, {ID: 3}},
		Orders: kexi.NewOrderTable(
			kexi.Order{ID: 1, CustomerID: 1, OrderedAt: at("2024-01-01 10:00"), Amount: 100, Channel: "online", Status: kexi.StatusCompleted, Items: []kexi.OrderItem{item("apparel", 2, 30), item("shoes", 1, 40)}},
			kexi.Order{ID: 2, CustomerID: 1, OrderedAt: at("2024-01-11 10:00"), Amount: 50, Channel: "store", Status: kexi.StatusCompleted, Items: []kexi.OrderItem{item("apparel", 1, 50)}},
			kexi.Order{ID: 3, CustomerID: 1, OrderedAt: at("2024-01-31 10:00"), Amount: 150, Channel: "online", Status: kexi.StatusCompleted, Items: []kexi.OrderItem{item("shoes", 1, 150)}},
			kexi.Order{ID: 4, CustomerID: 2, OrderedAt: at("2024-02-05 15:00"), Amount: 200, Channel: "app", Province: "上海", City: "上海", Status: kexi.StatusCompleted, Items: []kexi.OrderItem{item("beauty", 1, 200)}},
			kexi.Order{ID: 5, CustomerID: 2, OrderedAt: at("2024-02-06 15:00"), Amount: 999, Channel: "app", Status: kexi.StatusCancelled},
			kexi.Order{ID: 6, CustomerID: 3, OrderedAt: at("2024-02-07 15:00"), Returned: 30, Status: kexi.StatusReturn},
			kexi.Order{ID: 7, CustomerID: 0, OrderedAt: at("2024-03-10 09:00"), Amount: 50, Channel: "store", Status: kexi.StatusCompleted},
		),
		Events: []kexi.WebEvent{
			{ID: 1, CustomerID: 1, At: at("2024-01-01 09:00"), Type: "page_view", SessionID: "s1", Dwell: 30},
			{ID: 2, CustomerID: 1, At: at("2024-01-01 09:05"), Type: "add_to_cart", SessionID: "s1", Dwell: 10},
			{ID: 3, AnonymousID: "a1", At: at("2024-01-02 09:00"), Type: "page_view", SessionID: "s2", Dwell: 20},
			{ID: 4, CustomerID: 4, At: at("2024-01-03 09:00"), Type: "page_view", SessionID: "s3", Dwell: 40},
			{ID: 5, At: at("2024-01-04 09:00"), Type: "click"},
		},
	}
	d.Normalize()
	return d
}

func TestCustomers(t *testing.T) {
	rows := behaviour.Customers(tiny(), nil, time.UTC, at("2024-03-31 23:00"))
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	r := rows[0]
	if r.CustomerID != 1 || r.Orders != 3 || r.Revenue != 300 || r.Top.Category != "shoes" || math.Abs(r.Top.Share-190.0/300) > 1e-12 ||
		r.MainChannel != "online" || r.Cycle != 15 || !r.ExpectedNext.Equal(at("2024-02-15 10:00")) {
		t.Errorf("C1 %+v", r)
	}
	if r := rows[1]; r.Orders != 1 || !math.IsNaN(r.Cycle) || !r.ExpectedNext.IsZero() || r.Top.Category != "beauty" || r.Top.Share != 1 {
		t.Errorf("C2 %+v", r)
	}
}

func TestSeasonalIndex(t *testing.T) {
	// Two Januaries (100, 300) and one February (200) from January 2023: mean month
	// (100 + 200 + … ) — months Jan 23 … Jan 24 with only those three non-zero:
	// 13 months, total 600, mean 600/13; Jan mean (100+300)/2 = 200 → 200·13/600 = 4.333…;
	// Feb 200·13/600; March 0.
	rev := make([]float64, 13)
	rev[0], rev[1], rev[12] = 100, 200, 300
	idx := behaviour.SeasonalIndex(at("2023-01-01 00:00"), rev)
	if math.Abs(idx[0]-200*13.0/600) > 1e-12 || math.Abs(idx[1]-200*13.0/600) > 1e-12 || idx[2] != 0 {
		t.Errorf("index %v", idx)
	}
	// Season boundaries: 1.2 is peak, 0.8 is off.
	if behaviour.Season(1.2) != behaviour.Peak || behaviour.Season(0.8) != behaviour.Off || behaviour.Season(1) != behaviour.Normal {
		t.Error("season boundaries")
	}
	if !math.IsNaN(behaviour.SeasonalIndex(at("2023-05-01 00:00"), []float64{5})[0]) {
		t.Error("unobserved January should be NaN")
	}
}

func TestRun(t *testing.T) {
	a := behaviour.New()
	res, err := a.Run(context.Background(), analysis.Input{Data: tiny(), AsOf: at("2024-03-31 23:00")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"customers": 2, "orders": 5, "revenue": 550, "aov": 110, "orders_per_customer": 2,
		"median_cycle_days": 15, "overdue_customers": 1,
		// Web: 5 events, sessions s1 s2 s3, visitors c1 a1 c4, identified 1 and 4 of whom 1 bought:
		// 1 buyer of 3 visitors, 1 of 2 identified.
		"web_events": 5, "sessions": 3, "visitors": 3, "page_views": 3, "clicks": 1, "mean_dwell_seconds": 20,
		"visitor_conversion": 1.0 / 3, "identified_visitors": 2, "identified_conversion": 0.5}
	for k, v := range want {
		if f, ok := res.Figure(k); !ok || f.Value != v {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	// The headline conversion is the web funnel's last step over its first.
	for _, s := range res.Series {
		if s.Key != "web_funnel" {
			continue
		}
		fv := s.Y[0].Data
		if f, _ := res.Figure("visitor_conversion"); f.Value != fv[len(fv)-1]/fv[0] {
			t.Errorf("visitor_conversion %v, but the funnel has %v buyers of %v visitors", f.Value, fv[len(fv)-1], fv[0])
		}
	}
	tab := func(key string) string {
		s := ""
		for _, r := range res.Table(key).Rows {
			s += fmt.Sprint(r[:3]) + " "
		}
		return s
	}
	// Channels by revenue: online 250 (2 orders), app 200, store 100 (C1's 50 + anonymous 50).
	if got := tab("channels"); got != "[online 2 250] [app 1 200] [store 2 100] " {
		t.Errorf("channels %s", got)
	}
	// Provinces: C1's orders take the customer's 广东; C2's order its own 上海; anonymous "".
	if got := tab("provinces"); got != "[广东 3 300] [上海 1 200] [ 1 50] " {
		t.Errorf("provinces %s", got)
	}
	// Months Jan–Mar observed (as-of is March's last day): 300, 200, 50, mean 550/3.
	// Jan 300·3/550 = 1.636 peak, Feb 1.0909 normal, Mar 0.2727 off.
	se := res.Table("seasonality").Rows
	if len(se) != 3 || se[0][3] != behaviour.Peak || se[1][3] != behaviour.Normal || se[2][3] != behaviour.Off ||
		math.Abs(se[0][2].(float64)-900.0/550) > 1e-12 {
		t.Errorf("seasonality %v", se)
	}
	// Heat map: Mon 10h, Thu 10h, Wed 10h, Mon 15h, Sun 9h.
	var heat float64
	for _, c := range res.Series[3].Cells {
		heat += c[2]
		if (c[0] == 10 && (c[1] == 1 || c[1] == 4 || c[1] == 3)) || (c[0] == 15 && c[1] == 1) || (c[0] == 9 && c[1] == 0) {
			if c[2] != 1 {
				t.Errorf("heat cell %v, want 1", c)
			}
		}
	}
	if heat != 5 {
		t.Errorf("heat map total %v, want 5", heat)
	}
	// Amounts: (20,50] 50 and 50; (50,100] 100; (100,200] 150 and 200.
	amt := res.Series[1]
	if fmt.Sprint(amt.X, amt.Y[0].Data) != "[20-50 50-100 100-200] [2 1 2]" {
		t.Errorf("amount histogram %v %v", amt.X, amt.Y[0].Data)
	}
	if f := res.Series[6]; fmt.Sprint(f.Y[0].Data) != "[3 3 1 1]" {
		t.Errorf("web funnel %v", f.Y[0].Data)
	}
	lab := a.Info().Labels
	for _, f := range res.Summary {
		if _, ok := lab[f.Key]; !ok {
			t.Errorf("no label %q", f.Key)
		}
	}
	for _, tb := range res.Tables {
		if _, ok := lab[tb.Key]; !ok {
			t.Errorf("no label %q", tb.Key)
		}
		for j, c := range tb.Columns {
			if _, ok := lab[c.Key]; !ok {
				t.Errorf("no label %q", c.Key)
			}
			if c.Type == "label" {
				for _, r := range tb.Rows {
					if r[j] == nil {
						continue // due: no purchase cycle yet
					}
					if _, ok := lab[r[j].(string)]; !ok {
						t.Errorf("no label %q", r[j])
					}
				}
			}
		}
	}
	for _, s := range res.Series {
		if _, ok := lab[s.Key]; !ok {
			t.Errorf("no label %q", s.Key)
		}
	}
	for _, k := range append(res.Series[3].YCats, res.Series[4].X...) {
		if _, ok := lab[k]; !ok {
			t.Errorf("no label %q", k)
		}
	}
}

func TestRunPartialMonth(t *testing.T) {
	// As of 03-30 March is partial and left out: Jan 300, Feb 200, mean 250 → Jan 1.2 (peak,
	// on the boundary), Feb 0.8 (off, on the boundary).
	res, err := behaviour.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: at("2024-03-30 23:00")})
	if err != nil {
		t.Fatal(err)
	}
	se := res.Table("seasonality").Rows
	if len(se) != 2 || se[0][2] != 1.2 || se[0][3] != behaviour.Peak || se[1][2] != 0.8 || se[1][3] != behaviour.Off {
		t.Errorf("seasonality %v", se)
	}
}

func TestRunTimeZone(t *testing.T) {
	if _, err := time.LoadLocation("Asia/Shanghai"); err != nil {
		t.Skip("no time zone data")
	}
	// In Shanghai C2's Monday 15:00 UTC is Monday 23:00.
	res, err := behaviour.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: at("2024-03-31 23:00"), Settings: kexi.Settings{TimeZone: "Asia/Shanghai"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Series[3].Cells {
		if c[0] == 23 && c[1] == 1 && c[2] != 1 {
			t.Errorf("Mon 23h in Shanghai: %v", c)
		}
	}
}

func TestRunEmpty(t *testing.T) {
	res, err := behaviour.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("orders"); f.Value != 0 {
		t.Error("empty data has orders")
	}
	if _, err := behaviour.New().Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{"x": "y"}}); kexi.ErrorCode(err) != kexi.EINVALID {
		t.Errorf("unknown option: %v", err)
	}
}

func Example() {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(
		kexi.Order{ID: 1, CustomerID: 1, OrderedAt: at("2024-01-01 10:00"), Amount: 80, Status: kexi.StatusCompleted, Items: []kexi.OrderItem{{Category: "tea", Quantity: 2, UnitPrice: 40}}},
		kexi.Order{ID: 2, CustomerID: 1, OrderedAt: at("2024-01-15 10:00"), Amount: 30, Status: kexi.StatusCompleted, Items: []kexi.OrderItem{{Category: "cups", Quantity: 1, UnitPrice: 30}}},
	)}
	for _, r := range behaviour.Customers(d, nil, time.UTC, at("2024-02-01 00:00")) {
		fmt.Println(r.CustomerID, r.Top.Category, r.Cycle, r.ExpectedNext.Format("2006-01-02"))
	}
	// Output:
	// 1 tea 14 2024-01-29
}

// TestZeroAmountPurchase: a free gift order (amount 0) for C2 on 03-01 online is a purchase:
// it counts as an order, in the customer's cycle (24 whole days from 02-05 15:00) and in the
// channel's orders, but averages of
// money divide by the paid orders only: AOV stays 550/5 = 110, C2's stays 200 and online's
// 250/2 = 125.
func TestZeroAmountPurchase(t *testing.T) {
	d := tiny()
	d.Orders.Append(&kexi.Order{ID: 8, CustomerID: 2, OrderedAt: at("2024-03-01 12:00"), Channel: "online", Status: kexi.StatusCompleted})
	d.Normalize()
	res, err := behaviour.New().Run(context.Background(), analysis.Input{Data: d, AsOf: at("2024-03-31 23:00")})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]float64{"orders": 6, "revenue": 550, "aov": 110, "orders_per_customer": 2.5} {
		if f, ok := res.Figure(k); !ok || f.Value != v {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	for _, r := range res.Table("customers").Rows {
		if r[0] == int64(2) && (r[1] != 2 || r[2] != 200.0 || r[3] != 200.0 || r[8] != 24.0) {
			t.Errorf("C2 orders, revenue, aov %v %v %v cycle %v; want 2, 200, 200, 24 days", r[1], r[2], r[3], r[8])
		}
	}
	for _, r := range res.Table("channels").Rows {
		if r[0] == "online" && (r[1] != 3 || r[4] != 125.0) {
			t.Errorf("online orders %v aov %v, want 3 and 125", r[1], r[4])
		}
	}
}
