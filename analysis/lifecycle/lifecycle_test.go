package lifecycle_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/lifecycle"
)

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func buys(cid int64, dates ...string) []kexi.Order {
	var o []kexi.Order
	for _, d := range dates {
		o = append(o, kexi.Order{ID: cid*100 + int64(len(o)), CustomerID: cid, OrderedAt: day(d), Amount: 10, Status: kexi.StatusCompleted})
	}
	return o
}

// tiny, thresholds new 30, at risk 60, churn 120, loyal 3; as of 2024-12-31 and 2024-10-31.
//
//	C1  12-20                  now: 11 days since, first 11 days ago → new; Oct 31: prospect
//	C2  01-01, 12-01           now: 30 days, last gap 335 > 120 → reactivated; Oct: 304 → churned
//	C3  09-01, 10-01           now: 91 > 60 → at risk; Oct: 30 days, first 60 ago, 2 orders → active
//	C4  06-01                  now: 213 > 120 → churned; Oct: 152 → churned
//	C5  10-15, 11-15, 12-15    now: 16 days, first 77 ago, gaps 31 and 30, 3 orders → loyal;
//	                           Oct: first 16 days ago → new
//	C6  11-01, 12-10           now: 21 days, first 60 ago, 2 orders → active; Oct: prospect
//	C7  no orders, created 03-01 → prospect at both dates
//	C8  no orders, created 2025-02-01 → not yet at both dates
//	C9  11-20, 12-01, churn flag at 12-05 → churned now; Oct: prospect (no orders yet)
//	C10 12-28, no customer record → new; Oct: prospect
//	customer 0: an anonymous order, skipped; a return for C4 on 12-30 does not count.
func tiny() *kexi.Dataset {
	d := &kexi.Dataset{}
	for i := int64(1); i <= 9; i++ {
		d.Customers = append(d.Customers, kexi.Customer{ID: i})
	}
	d.Customers[6].CreatedAt = day("2024-03-01")
	d.Customers[7].CreatedAt = day("2025-02-01")
	d.Customers[8].Churned, d.Customers[8].ChurnedAt = true, day("2024-12-05")
	var orders []kexi.Order
	for _, o := range [][]kexi.Order{buys(0, "2024-12-30"), buys(1, "2024-12-20"), buys(2, "2024-01-01", "2024-12-01"),
		buys(3, "2024-09-01", "2024-10-01"), buys(4, "2024-06-01"), buys(5, "2024-10-15", "2024-11-15", "2024-12-15"),
		buys(6, "2024-11-01", "2024-12-10"), buys(9, "2024-11-20", "2024-12-01"), buys(10, "2024-12-28")} {
		orders = append(orders, o...)
	}
	orders = append(orders, kexi.Order{ID: 999, CustomerID: 4, OrderedAt: day("2024-12-30"), Returned: 10, Status: kexi.StatusReturn})
	d.Orders = kexi.NewOrderTable(orders...)
	d.Leads = []kexi.Lead{
		{ID: 1, CreatedAt: day("2024-05-01"), Stage: kexi.StageFollowUp, Stages: []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: day("2024-05-01")}, {Stage: kexi.StageFollowUp, EnteredAt: day("2024-05-10")}}},
		{ID: 2, CreatedAt: day("2024-05-01"), Stage: kexi.StageLost, Stages: []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: day("2024-05-01")}, {Stage: kexi.StageLost, EnteredAt: day("2024-06-01")}}},
		{ID: 3, CreatedAt: day("2024-05-01"), Stage: kexi.StageWon, CustomerID: 7},
	}
	d.Normalize()
	return d
}

var th = lifecycle.Thresholds{NewDays: 30, AtRiskDays: 60, ChurnDays: 120, LoyalOrders: 3}

func TestStages(t *testing.T) {
	both := lifecycle.Stages(tiny(), th, day("2024-10-31"), day("2024-12-31"))
	got := ""
	for i := range both[1] {
		got += fmt.Sprintf("C%d %s→%s; ", both[1][i].CustomerID, both[0][i].Stage, both[1][i].Stage)
	}
	want := "C1 prospect→new; C2 churned→reactivated; C3 active→at_risk; C4 churned→churned; C5 new→loyal; " +
		"C6 prospect→active; C7 prospect→prospect; C8 not_yet→not_yet; C9 prospect→churned; C10 prospect→new; "
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if r := both[1][4]; r.Orders != 3 || !r.First.Equal(day("2024-10-15")) || !r.Last.Equal(day("2024-12-15")) {
		t.Errorf("C5 row %+v", r)
	}
}

// TestStage checks the one-customer Stage against the stages worked out for tiny: each
// customer with their record and their own orders, C10 without a record.
func TestStage(t *testing.T) {
	d := tiny()
	want := map[int64][2]string{1: {"prospect", "new"}, 2: {"churned", "reactivated"}, 3: {"active", "at_risk"},
		4: {"churned", "churned"}, 5: {"new", "loyal"}, 6: {"prospect", "active"}, 7: {"prospect", "prospect"},
		8: {"not_yet", "not_yet"}, 9: {"prospect", "churned"}, 10: {"prospect", "new"}}
	for cid, w := range want {
		var c *kexi.Customer
		for i := range d.Customers {
			if d.Customers[i].ID == cid {
				c = &d.Customers[i]
			}
		}
		run := d.Orders.Filter(func(i int) bool { return d.Orders.CustomerID[i] == cid })
		for k, at := range []time.Time{day("2024-10-31"), day("2024-12-31")} {
			if got := lifecycle.Stage(c, &run, at, th); got != w[k] {
				t.Errorf("C%d at %s: %s, want %s", cid, at.Format("2006-01-02"), got, w[k])
			}
		}
	}
	// Without the record, C9's churn flag does not apply: 30 days since the last of two
	// purchases, the first 41 days ago → active.
	c9 := d.Orders.Slice(d.Orders.CustomerOrders(9))
	if got := lifecycle.Stage(nil, &c9, day("2024-12-31"), th); c9.Len() != 2 || got != "active" {
		t.Errorf("C9 without its record: %s, want active", got)
	}
}

func TestOpenLeads(t *testing.T) {
	// L1 open; L2 lost on 06-01; L3 linked to a customer. On 05-15 L2 is still open.
	if n := lifecycle.OpenLeads(tiny().Leads, day("2024-12-31")); n != 1 {
		t.Errorf("open leads at year end %d, want 1", n)
	}
	if n := lifecycle.OpenLeads(tiny().Leads, day("2024-05-15")); n != 2 {
		t.Errorf("open leads on 05-15 %d, want 2", n)
	}
	if n := lifecycle.OpenLeads(tiny().Leads, day("2024-04-30")); n != 0 {
		t.Errorf("open leads before creation %d, want 0", n)
	}
}

func TestDefaultThresholds(t *testing.T) {
	// Gaps: C1 0,10,30 → 10, 20; C2 0,40 → 40; C3 0,5,106 → 5, 101; C4 one order.
	// Sorted 5 10 20 40 101 (n 5): median q=2 → 20; P75 q=3 → 40; P90 q=3.6 → 40 + 0.6·61 =
	// 76.6 → 77. Purchases per customer 3,2,3,1 → sorted 1 2 3 3, P75 q=2.25 → 3.
	base := day("2024-01-01")
	var orders []kexi.Order
	for cid, offs := range map[int64][]int{1: {0, 10, 30}, 2: {0, 40}, 3: {0, 5, 106}, 4: {0}} {
		for _, off := range offs {
			orders = append(orders, kexi.Order{ID: cid*10 + int64(off), CustomerID: cid, OrderedAt: base.AddDate(0, 0, off), Amount: 1, Status: kexi.StatusCompleted})
		}
	}
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(orders...)}
	d.Normalize()
	got := lifecycle.DefaultThresholds(&d.Orders, day("2024-12-31"))
	if want := (lifecycle.Thresholds{NewDays: 20, AtRiskDays: 40, ChurnDays: 77, LoyalOrders: 3}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// As of 2024-04-01 C3's day-106 order is in the future: gaps 5 10 20 40 → median q=1.5 →
	// 15; P75 q=2.25 → 20 + 0.25·20 = 25; P90 q=2.7 → 20 + 0.7·20 = 34. Counts 3,2,2,1 → P75
	// q=2.25 → 2 + 0.25·1 = 2.25 → 3.
	got = lifecycle.DefaultThresholds(&d.Orders, day("2024-04-01"))
	if want := (lifecycle.Thresholds{NewDays: 15, AtRiskDays: 25, ChurnDays: 34, LoyalOrders: 3}); got != want {
		t.Errorf("as of April: got %+v, want %+v", got, want)
	}
	// Nobody buys twice: the fallbacks.
	one := kexi.NewOrderTable([]kexi.Order{{ID: 1, CustomerID: 1, OrderedAt: base, Amount: 1}}...)
	if got := lifecycle.DefaultThresholds(&one, day("2024-12-31")); got != (lifecycle.Thresholds{30, 90, 180, 2}) {
		t.Errorf("single order: %+v", got)
	}
}

func TestRun(t *testing.T) {
	a := lifecycle.New()
	opts := map[string]string{"new_days": "30", "at_risk_days": "60", "churn_days": "120", "loyal_orders": "3", "from_date": "2024-10-31"}
	res, err := a.Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-12-31"), Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	// Stage counts now: prospect C7 + open lead L1 = 2, new C1 C10 = 2, active C6, loyal C5,
	// reactivated C2, at risk C3, churned C4 C9 = 2; total 11 (C8 is not yet a customer).
	st := res.Table("stages")
	got := ""
	for _, r := range st.Rows {
		got += fmt.Sprintf("%s %d, ", r[0], r[1])
	}
	if want := "prospect 2, new 2, active 1, loyal 1, reactivated 1, at_risk 1, churned 2, "; got != want {
		t.Errorf("stages %s, want %s", got, want)
	}
	if f, _ := res.Figure("customers"); f.Value != 9 {
		t.Errorf("customers %v, want 9 (C1–C7, C9, C10)", f.Value)
	}
	// Transitions: prospect→new 2 (C1, C10), prospect→active (C6), prospect→prospect (C7 and
	// the open lead: 2), prospect→churned (C9), new→loyal (C5), active→at_risk (C3),
	// churned→reactivated (C2), churned→churned (C4).
	flows := map[string]int{}
	for _, r := range res.Table("transitions").Rows {
		flows[r[0].(string)+">"+r[1].(string)] = r[2].(int)
	}
	want := map[string]int{"prospect>new": 2, "prospect>active": 1, "prospect>prospect": 2, "prospect>churned": 1,
		"new>loyal": 1, "active>at_risk": 1, "churned>reactivated": 1, "churned>churned": 1}
	if fmt.Sprint(flows) != fmt.Sprint(want) {
		t.Errorf("transitions %v, want %v", flows, want)
	}
	if f, _ := res.Figure("from_date"); f.Text != "2024-10-31" {
		t.Errorf("from_date %q", f.Text)
	}
	lab := a.Info().Labels
	for _, s := range res.Series {
		if _, ok := lab[s.Key]; !ok {
			t.Errorf("no label %q", s.Key)
		}
		for _, l := range s.Links {
			if _, ok := lab[l.Source]; !ok {
				t.Errorf("no label %q", l.Source)
			}
			if _, ok := lab[l.Target]; !ok {
				t.Errorf("no label %q", l.Target)
			}
		}
	}
	for _, f := range res.Summary {
		if _, ok := lab[f.Key]; !ok {
			t.Errorf("no label %q", f.Key)
		}
	}
	for _, tb := range res.Tables {
		for _, c := range tb.Columns {
			if _, ok := lab[c.Key]; !ok {
				t.Errorf("no label %q", c.Key)
			}
		}
	}
}

func TestRunBadOptions(t *testing.T) {
	for _, opts := range []map[string]string{
		{"churn_days": "-5"}, {"at_risk_days": "200", "churn_days": "100"}, {"from_date": "2025-06-01"}, {"new_days": "x"},
	} {
		_, err := lifecycle.New().Run(context.Background(), analysis.Input{Data: tiny(), AsOf: day("2024-12-31"), Options: opts})
		if kexi.ErrorCode(err) != kexi.EINVALID {
			t.Errorf("%v: %v, want EINVALID", opts, err)
		}
	}
}

func TestRunOneCustomerNoData(t *testing.T) {
	// One customer with one order: defaults fall back to 30/90/180; 10 days after → new.
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1}}, Orders: kexi.NewOrderTable(buys(1, "2024-06-01")...)}
	res, err := lifecycle.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2024-06-11")})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Table("customers").Rows[0]; r[1] != lifecycle.NewCustomer {
		t.Errorf("stage %v, want new", r[1])
	}
	if _, err := lifecycle.New().Run(context.Background(), analysis.Input{Data: &kexi.Dataset{}}); err != nil {
		t.Errorf("empty data: %v", err)
	}
}

func Example() {
	d := &kexi.Dataset{Orders: kexi.NewOrderTable(append(buys(1, "2024-01-05", "2024-06-20"), buys(2, "2024-02-01")...)...)}
	th := lifecycle.Thresholds{NewDays: 30, AtRiskDays: 60, ChurnDays: 120, LoyalOrders: 5}
	for _, r := range lifecycle.Stages(d, th, day("2024-06-30"))[0] {
		fmt.Println(r.CustomerID, r.Stage)
	}
	// Output:
	// 1 reactivated
	// 2 churned
}
