package attrition_test

import (
	"context"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attrition"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/internal/synth"
)

// flagged is generated data where every 40th customer carries the churn flag: a quarter of them
// without a date, the others dated after a purchase, at one or before the first; plus 30 customers
// without orders, two thirds of them flagged (prospects, for lifecycle), and ten one-time
// buyers.
func flagged() *kexi.Dataset {
	d := synth.Dataset(synth.Options{Customers: 4000, Orders: 40_000, Seed: 7})
	for i := range 30 {
		c := kexi.Customer{ID: int64(5000 + i), Churned: i%3 != 0}
		if i%3 == 1 {
			c.ChurnedAt = d.LastOrderAt().AddDate(0, -i, 0)
		}
		d.Customers = append(d.Customers, c)
	}
	// And ten who bought once, long ago: new customers when they left.
	for i := range 10 {
		id := int64(6000 + i)
		d.Customers = append(d.Customers, kexi.Customer{ID: id})
		d.Orders.Append(&kexi.Order{ID: 1e7 + id, CustomerID: id, OrderedAt: d.LastOrderAt().AddDate(-2, 0, i), Amount: 50})
	}
	d.Normalize()
	idx := d.CustomerIndex()
	d.Orders.Runs(func(cid int64, lo, hi int) {
		i, ok := idx[cid]
		if !ok || cid%40 != 0 {
			return
		}
		c := &d.Customers[i]
		c.Churned = true
		switch k := d.Orders.Time(lo + (hi-lo)/2); cid / 40 % 4 {
		case 1:
			c.ChurnedAt = k.Add(36 * time.Hour) // after a purchase
		case 2:
			c.ChurnedAt = d.Orders.Time(lo).AddDate(0, 0, -3) // before the first purchase
		case 3:
			c.ChurnedAt = k // at a purchase (which counts as before the churn)
		}
	})
	return d
}

// TestMembersAgreeWithLifecycle checks Members against lifecycle.Stages on generated data with
// churn flags: the states follow the lifecycle stages; each churn event is the first moment
// lifecycle calls the customer churned (churned at it, not a nanosecond before) and each
// reactivation the first moment it stops; a churned customer's ChurnedAt is their last churn
// event; Reactivated is set exactly for customers with a reactivation.
func TestMembersAgreeWithLifecycle(t *testing.T) {
	d := flagged()
	asOf := d.LastOrderAt()
	th := lifecycle.DefaultThresholds(&d.Orders, asOf)
	events := map[int64][]attrition.Event{}
	ms := attrition.Members(d, th, asOf, func(e attrition.Event) { events[e.CustomerID] = append(events[e.CustomerID], e) })
	stages := lifecycle.Stages(d, th, asOf)[0]
	byID := map[int64]*attrition.Member{}
	for i := range ms {
		byID[ms[i].CustomerID] = &ms[i]
	}
	idx := d.CustomerIndex()
	var counts [4]int // churned by gap, by flag with purchases, flagged without purchases, reactivated
	for _, r := range stages {
		m := byID[r.CustomerID]
		var c *kexi.Customer
		if i, ok := idx[r.CustomerID]; ok {
			c = &d.Customers[i]
		}
		flag := c != nil && c.Churned && !c.ChurnedAt.After(asOf)
		want := map[string]string{lifecycle.Churned: attrition.Churned, lifecycle.AtRisk: attrition.AtRisk,
			lifecycle.NewCustomer: attrition.Active, lifecycle.Active: attrition.Active, lifecycle.Loyal: attrition.Active,
			lifecycle.Reactivated: attrition.Active}[r.Stage]
		if r.Stage == lifecycle.Prospect && flag {
			want = attrition.Churned
			counts[2]++
		}
		if want == "" {
			if m != nil {
				t.Fatalf("customer %d (%s) is a member", r.CustomerID, r.Stage)
			}
			continue
		}
		if m == nil || m.State != want {
			t.Fatalf("customer %d: stage %s, member %+v, want state %s", r.CustomerID, r.Stage, m, want)
		}
		if m.Orders != r.Orders || !m.Last.Equal(r.Last) {
			t.Fatalf("customer %d: %d orders, last %v; lifecycle %d, %v", r.CustomerID, m.Orders, m.Last, r.Orders, r.Last)
		}
	}
	if len(byID) != len(ms) {
		t.Fatalf("duplicate members")
	}
	// Each event against lifecycle on the customer's own data.
	for id, evs := range events {
		m := byID[id]
		one := &kexi.Dataset{Orders: d.Orders.Slice(d.Orders.CustomerOrders(id))}
		if i, ok := idx[id]; ok {
			one.Customers = []kexi.Customer{d.Customers[i]}
		}
		undated := len(one.Customers) == 1 && one.Customers[0].Churned && one.Customers[0].ChurnedAt.IsZero()
		stageAt := func(at time.Time) string { return lifecycle.Stages(one, th, at)[0][0].Stage }
		bought := func(at time.Time) bool { // a purchase at or before at
			for i := range one.Orders.Len() {
				if one.Orders.IsPurchase(i) && !one.Orders.Time(i).After(at) {
					return true
				}
			}
			return false
		}
		reacts := 0
		for k, e := range evs {
			if e.At.After(asOf) {
				t.Fatalf("customer %d: event after the as-of date: %+v", id, e)
			}
			if k > 0 && (e.At.Before(evs[k-1].At) || e.Reactivation == evs[k-1].Reactivation) {
				t.Fatalf("customer %d: events out of order or not alternating: %+v", id, evs)
			}
			if !bought(e.At.Add(-time.Nanosecond)) {
				continue // flagged before the first purchase: lifecycle calls them a prospect
			}
			if undated {
				continue // an undated flag: lifecycle calls them churned at every date
			}
			before, now := stageAt(e.At.Add(-time.Nanosecond)), stageAt(e.At)
			if e.Reactivation {
				reacts++
				if before != lifecycle.Churned || now == lifecycle.Churned {
					t.Fatalf("customer %d: reactivation at %v, lifecycle %s → %s", id, e.At, before, now)
				}
			} else if before == lifecycle.Churned || now != lifecycle.Churned {
				t.Fatalf("customer %d: churn at %v, lifecycle %s → %s", id, e.At, before, now)
			}
		}
		last := evs[len(evs)-1]
		if m.State == attrition.Churned && !last.Reactivation && !m.ChurnedAt.Equal(last.At) {
			t.Fatalf("customer %d churned at %v, last churn event %v", id, m.ChurnedAt, last.At)
		}
		if m.State == attrition.Churned && last.Reactivation && !undated {
			t.Fatalf("customer %d churned but the last event is a reactivation", id)
		}
		if m.Reactivated != (len(evs) > 1 || last.Reactivation) {
			t.Fatalf("customer %d: reactivated %v, events %+v", id, m.Reactivated, evs)
		}
		if reacts > 0 {
			counts[3]++
		}
	}
	// Before, found from shifted purchases, against lifecycle at the last purchase itself.
	befores := map[string]int{}
	for _, m := range ms {
		if m.State != attrition.Churned {
			if m.Before != "" {
				t.Fatalf("customer %d (%s) has a stage before churning", m.CustomerID, m.State)
			}
			continue
		}
		want := attrition.NoPurchase
		if m.Orders > 0 {
			want = lifecycle.Stages(&kexi.Dataset{Orders: d.Orders.Slice(d.Orders.CustomerOrders(m.CustomerID))}, th, m.Last)[0][0].Stage
		}
		if m.Before != want {
			t.Fatalf("customer %d: before churning %s, lifecycle at %v says %s", m.CustomerID, m.Before, m.Last, want)
		}
		befores[want]++
	}
	for _, s := range []string{lifecycle.NewCustomer, lifecycle.Active, lifecycle.Loyal, lifecycle.Reactivated, attrition.NoPurchase} {
		if befores[s] == 0 {
			t.Errorf("no churned customer was %s before: %v", s, befores)
		}
	}
	for _, m := range ms {
		if m.State == attrition.Churned && m.Orders > 0 {
			if m.Customer != nil && m.Customer.Churned {
				counts[1]++
			} else {
				counts[0]++
			}
			if len(events[m.CustomerID]) == 0 && (m.Customer == nil || !m.Customer.Churned || !m.Customer.ChurnedAt.IsZero()) {
				t.Fatalf("customer %d churned without a churn event", m.CustomerID)
			}
		}
	}
	// The data must exercise every case, or the test proves little.
	for k, n := range counts {
		if n < 5 {
			t.Errorf("case %d seen %d times: %v", k, n, counts)
		}
	}
}

// TestMonthsAddUp: over a period of whole months the monthly churns and reactivations add up
// to the period's figures, and churned + at risk + active = customers.
func TestMonthsAddUp(t *testing.T) {
	d := flagged()
	asOf := d.LastOrderAt()
	from := time.Date(asOf.Year()-1, asOf.Month(), 1, 0, 0, 0, 0, time.UTC)
	res, err := attrition.New().Run(context.Background(), analysis.Input{Data: d, AsOf: asOf, From: from})
	if err != nil {
		t.Fatal(err)
	}
	var churns, reacts, lost int
	for _, r := range res.Table("months").Rows {
		churns += r[1].(int)
		reacts += r[2].(int)
		lost += r[3].(int)
	}
	fig := func(k string) int {
		f, _ := res.Figure(k)
		return int(f.Value)
	}
	if len(res.Table("months").Rows) != 13 || churns != fig("churned_in_period") || reacts != fig("reactivated_in_period") || lost != fig("lost_leads") {
		t.Errorf("%d months: churns %d, reactivations %d, lost leads %d; figures %d, %d, %d", len(res.Table("months").Rows),
			churns, reacts, lost, fig("churned_in_period"), fig("reactivated_in_period"), fig("lost_leads"))
	}
	if churns == 0 || reacts == 0 || lost == 0 {
		t.Errorf("nothing to add up: %d %d %d", churns, reacts, lost)
	}
	if fig("active")+fig("at_risk")+fig("churned") != fig("customers") || fig("churned") == 0 {
		t.Errorf("states %d + %d + %d ≠ %d customers", fig("active"), fig("at_risk"), fig("churned"), fig("customers"))
	}
	// The win-back list is in priority order.
	win := res.Table("winback")
	p := len(win.Columns) - 1
	for i := 1; i < len(win.Rows); i++ {
		if win.Rows[i][p].(float64) > win.Rows[i-1][p].(float64) {
			t.Fatalf("win-back rows %d and %d out of order", i-1, i)
		}
	}
	if len(win.Rows) != 100 {
		t.Errorf("%d win-back rows, want the default 100", len(win.Rows))
	}
}
