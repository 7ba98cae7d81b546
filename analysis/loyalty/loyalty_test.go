package loyalty_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/loyalty"
	"github.com/kexi/kexi/internal/refdata"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t, _ = time.Parse("2006-01-02", s)
	}
	return t
}

func buy(id, cid int64, when string, amount float64) kexi.Order {
	return kexi.Order{ID: id, CustomerID: cid, OrderedAt: at(when), Amount: amount, Status: kexi.StatusCompleted}
}

// tiny, as of 2024-06-30:
//
//	C1: 01-10 100, 01-20 50, 03-05 70 → 3 orders, to second 10 days, gaps 10 and 45
//	    (Jan 20 → Mar 5 = 11 + 29 + 5), lifetime 55 (21 + 29 + 5)
//	C2: 01-31 20:00 UTC 200           → one-time buyer
//	C3: 02-15 00:00 30, 02-15 10:00 20 → 2 orders the same day: to second 0, gap 0, lifetime 0
//	C4: only a return                 → not a buyer
//	C5: 02-01 10, 04-10 10, a cancelled order → to second 69 (29 + 31 + 9), lifetime 69
//	customer 0: anonymous             → skipped
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable([]kexi.Order{
		buy(1, 0, "2024-01-05", 999),
		buy(2, 1, "2024-01-10", 100), buy(3, 1, "2024-01-20", 50), buy(4, 1, "2024-03-05", 70),
		buy(5, 2, "2024-01-31 20:00", 200),
		buy(6, 3, "2024-02-15", 30), buy(7, 3, "2024-02-15 10:00", 20),
		{ID: 8, CustomerID: 4, OrderedAt: at("2024-03-01"), Returned: 40, Status: kexi.StatusReturn},
		buy(9, 5, "2024-02-01", 10), buy(10, 5, "2024-04-10", 10),
		{ID: 11, CustomerID: 5, OrderedAt: at("2024-05-01"), Amount: 80, Status: kexi.StatusCancelled},
	}...)}
	d.Normalize()
	return d
}

func TestCustomers(t *testing.T) {
	rows := loyalty.Customers(&tiny().Orders, nil)
	got := ""
	for _, r := range rows {
		got += fmt.Sprintf("C%d n%d rev%g life%d second%d gaps%v\n", r.CustomerID, r.Orders, r.Revenue, r.Lifetime, r.ToSecond, r.Gaps)
	}
	want := "C1 n3 rev220 life55 second10 gaps[10 45]\n" +
		"C2 n1 rev200 life0 second-1 gaps[]\n" +
		"C3 n2 rev50 life0 second0 gaps[0]\n" +
		"C5 n2 rev20 life69 second69 gaps[69]\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

func TestCohorts(t *testing.T) {
	// UTC: January cohort C1, C2 (size 2): +0 both (150 + 200 = 350), +1 nobody, +2 C1 (70),
	// +3…+5 nobody (June is +5). February cohort C3, C5: +0 both (50 + 10 = 60), +1 nobody,
	// +2 C5 (10), +3, +4 nobody.
	cs := loyalty.Cohorts(&tiny().Orders, nil, time.UTC, at("2024-06-30"))
	got := ""
	for _, c := range cs {
		got += fmt.Sprintf("%s %d %v %v\n", c.Label(), c.Customers, c.Active, c.Revenue)
	}
	want := "2024-01 2 [2 0 1 0 0 0] [350 0 70 0 0 0]\n2024-02 2 [2 0 1 0 0] [60 0 10 0 0]\n"
	if got != want {
		t.Errorf("UTC cohorts\n%swant\n%s", got, want)
	}
	// In Asia/Shanghai (UTC+8) C2's 01-31 20:00 UTC is 02-01 04:00: January holds only C1.
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	cs = loyalty.Cohorts(&tiny().Orders, nil, sh, at("2024-06-30"))
	if cs[0].Customers != 1 || cs[1].Customers != 3 || cs[1].Revenue[0] != 260 {
		t.Errorf("Shanghai cohorts: %+v", cs)
	}
}

func TestRun(t *testing.T) {
	a := loyalty.New()
	res, err := a.Run(context.Background(), analysis.Input{Data: tiny(), AsOf: at("2024-06-30"), Options: map[string]string{"months": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	// 4 buyers, 1 one-time (C2): share 0.25, repeat rate 0.75; 8 orders → 2 per customer.
	// Repeat buyers' lifetimes 55, 0, 69 → median 55; to second 10, 0, 69 → 10;
	// gaps 10, 45, 0, 69 → sorted 0 10 45 69 → (10 + 45)/2 = 27.5.
	want := map[string]float64{"customers": 4, "one_time_buyers": 1, "one_time_share": 0.25, "repeat_rate": 0.75,
		"orders_per_customer": 2, "median_lifetime_days": 55, "median_days_to_second": 10, "median_days_between": 27.5}
	for k, v := range want {
		if f, ok := res.Figure(k); !ok || f.Value != v {
			t.Errorf("%s = %v, want %v", k, f.Value, v)
		}
	}
	// months=1 keeps +0 and +1 of each cohort: 4 rows.
	ct := res.Table("cohorts")
	if len(ct.Rows) != 4 || ct.Rows[0][4] != 1.0 || ct.Rows[1][3] != 0 {
		t.Errorf("cohort rows %v", ct.Rows)
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
	for _, bad := range []string{"-1", "x"} {
		if _, err := a.Run(context.Background(), analysis.Input{Data: tiny(), Options: map[string]string{"months": bad}}); kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("months=%s: %v, want EINVALID", bad, err)
		}
	}
}

func TestRunEmptyPeriod(t *testing.T) {
	res, err := loyalty.New().Run(context.Background(), analysis.Input{Data: tiny(), From: at("2030-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := res.Figure("customers"); f.Value != 0 || len(res.Table("cohorts").Rows) != 0 {
		t.Errorf("empty period: %v", res.Summary)
	}
}

func TestOnlineRetailReference(t *testing.T) {
	d := refdata.OnlineRetail(t, refdata.RetailClean{})
	res, err := loyalty.New().Run(context.Background(), analysis.Input{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	// SPEC: 1,493 one-time buyers of 4,338; December 2010 cohort 885 customers, month +1 active
	// share 0.366.
	if f, _ := res.Figure("one_time_buyers"); f.Value != 1493 {
		t.Errorf("one-time buyers %v, want 1493", f.Value)
	}
	if f, _ := res.Figure("customers"); f.Value != 4338 {
		t.Errorf("customers %v, want 4338", f.Value)
	}
	var found bool
	for _, r := range res.Table("cohorts").Rows {
		if r[0] == "2010-12" && r[1] == 1 {
			found = true
			if r[2] != 885 || math.Round(r[4].(float64)*1000) != 366 {
				t.Errorf("Dec 2010 cohort +1: size %v share %v, want 885 0.366", r[2], r[4])
			}
		}
	}
	if !found {
		t.Error("no 2010-12 +1 cohort row")
	}
}

func Example() {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(
		buy(1, 1, "2024-01-10", 100), buy(2, 1, "2024-02-09", 80), buy(3, 2, "2024-01-20", 50),
	)}
	for _, r := range loyalty.Customers(&d.Orders, nil) {
		fmt.Println(r.CustomerID, r.Orders, r.ToSecond)
	}
	for _, c := range loyalty.Cohorts(&d.Orders, nil, time.UTC, at("2024-02-29")) {
		fmt.Println(c.Label(), c.Customers, c.Active)
	}
	// Output:
	// 1 2 30
	// 2 1 -1
	// 2024-01 2 [2 1]
}

// TestCohortMembers checks who stands behind each cohort cell, worked out by hand on tiny as
// of 2024-06-30 in UTC (see TestCohorts): C1 (cohort 2024-01) bought in January and March,
// +0 and +2; C2 (2024-01) only in January; C3 (2024-02) only in February; C5 (2024-02) in
// February and April, +0 and +2. The heat-map cell (x, +k) and the cohort-table row drill on
// cohort = x and active_months ∋ +k, and the customers matching are as many as the cell's
// active count.
func TestCohortMembers(t *testing.T) {
	res, err := loyalty.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: at("2024-06-30")})
	if err != nil {
		t.Fatal(err)
	}
	ct := res.Table("customers")
	col := map[string]int{}
	for j, c := range ct.Columns {
		col[c.Key] = j
	}
	got := ""
	for _, r := range ct.Rows {
		got += fmt.Sprintf("C%d %v [%v]\n", r[0], r[col["cohort"]], r[col["active_months"]])
	}
	want := "C1 2024-01 [+0, +2]\nC2 2024-01 [+0]\nC3 2024-02 [+0]\nC5 2024-02 [+0, +2]\n"
	if got != want {
		t.Errorf("cohort members\n%swant\n%s", got, want)
	}
	if typ := ct.Columns[col["active_months"]].Type; typ != "terms" {
		t.Errorf("active_months is %q, want terms (a list the drill-down matches an item of)", typ)
	}
	// members lists the customers of cohort x active in month +k, by the per-customer table.
	members := func(x, k string) []int64 {
		var ids []int64
		for _, r := range ct.Rows {
			if r[col["cohort"]] != x {
				continue
			}
			for _, m := range strings.Split(r[col["active_months"]].(string), ", ") {
				if m == k {
					ids = append(ids, r[0].(int64))
				}
			}
		}
		return ids
	}
	for _, tt := range []struct {
		x, k string
		want []int64
	}{
		{"2024-01", "+0", []int64{1, 2}}, {"2024-01", "+1", nil}, {"2024-01", "+2", []int64{1}},
		{"2024-02", "+0", []int64{3, 5}}, {"2024-02", "+2", []int64{5}}, {"2024-02", "+3", nil},
	} {
		if got := members(tt.x, tt.k); !slices.Equal(got, tt.want) {
			t.Errorf("cohort %s %s: %v, want %v", tt.x, tt.k, got, tt.want)
		}
	}
	// Every cell and every cohort row drills on these columns, and its count is the members'.
	heat := res.Series[0]
	if heat.Key != "cohort_retention" || heat.Drill.Column != "cohort" || heat.Drill.YColumn != "active_months" {
		t.Fatalf("heat map drill %+v", heat.Drill)
	}
	cohorts := res.Table("cohorts")
	if cohorts.Drill.Key != "cohort" || cohorts.Drill.Count != "active" || len(cohorts.Drill.YValues) != len(cohorts.Rows) {
		t.Fatalf("cohort table drill %+v", cohorts.Drill)
	}
	for i, r := range cohorts.Rows {
		x, k := r[0].(string), cohorts.Drill.YValues[i]
		if k != fmt.Sprintf("+%d", r[1]) || len(members(x, k)) != r[3] {
			t.Errorf("row %v: drill %s %s holds %v", r, x, k, members(x, k))
		}
	}
	for _, c := range heat.Cells {
		x, k := heat.X[int(c[0])], heat.YCats[int(c[1])]
		if n := len(members(x, k)); math.Abs(float64(n)/2-c[2]) > 1e-12 { // each cohort holds 2
			t.Errorf("cell %s %s: share %v, %d members", x, k, c[2], n)
		}
	}
}
