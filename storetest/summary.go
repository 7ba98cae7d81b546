package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// RunSummary checks a store's kexi.SummaryLoader: the summary it loads is, to the last bit,
// kexi.Summarize of the orders LoadDataset gives, for open and closed windows, in UTC and in
// Asia/Shanghai, and within a scope. Stores that implement SummaryLoader call it beside Run;
// open is as for Run.
func RunSummary(t *testing.T, open func(t *testing.T) kexi.Store) {
	s := open(t)
	sl, ok := s.(kexi.SummaryLoader)
	if !ok {
		t.Fatalf("%T is not a kexi.SummaryLoader", s)
	}
	seedCustomers(t, s)
	at := func(d, h int) time.Time { return time.Date(2025, 1, d, h, 0, 0, 0, time.UTC) }
	for _, o := range []kexi.Order{
		{Customer: "C1", OrderedAt: at(1, 9), Amount: 10.1},
		{Customer: "C1", OrderedAt: at(1, 20), Amount: 0.2}, // the 2nd in Shanghai
		{Customer: "C1", OrderedAt: at(2, 3), Amount: 0.3},
		{Customer: "C1", OrderedAt: at(3, 3), Amount: 0},
		{Customer: "C1", OrderedAt: at(4, 3), Amount: 5, Status: kexi.StatusReturn, Returned: 5},
		{Customer: "C1", OrderedAt: at(5, 3), Amount: 7, Status: kexi.StatusCancelled},
		{Customer: "C2", OrderedAt: at(31, 18), Amount: 2.5}, // 1 February in Shanghai
		{Customer: "C3", OrderedAt: at(6, 12), Amount: 4},
		{Customer: "C3", OrderedAt: at(6, 12), Amount: 6}, // the same time: by id
		{Customer: "", OrderedAt: at(7, 12), Amount: 99},
	} {
		must(t, s.CreateOrder(ctx, &o))
	}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for _, scope := range []kexi.Scope{{}, {Owner: "a"}} {
		d, err := s.LoadDataset(ctx, scope, kexi.PartOrders)
		must(t, err)
		for _, w := range []kexi.Window{{}, {Loc: sh}, {From: at(2, 0), Until: at(6, 12), Loc: sh}, {Until: at(1, 20)}} {
			got, err := sl.LoadSummary(ctx, scope, w)
			must(t, err)
			want := kexi.Summarize(&d.Orders, w)
			if !got.Window.Equal(w) || !reflect.DeepEqual(got.Customers, want.Customers) {
				t.Errorf("scope %+v window %v: LoadSummary\n%+v\nSummarize\n%+v", scope, w, got.Customers, want.Customers)
			}
		}
	}
	// By hand: C1 in Shanghai bought on the 1st (10.1), the 2nd (0.2 + 0.3) and the 3rd ($0).
	got, err := sl.LoadSummary(ctx, kexi.Scope{Owner: "a"}, kexi.Window{Loc: sh})
	must(t, err)
	if len(got.Customers) != 2 {
		t.Fatalf("owner a: %+v, want C1 and C3", got.Customers)
	}
	rev, day2 := 10.1, 0.2 // added in order, as an ordered sum adds them
	rev += 0.2
	rev += 0.3
	day2 += 0.3
	if c := got.Customers[0]; c.Purchases != 4 || c.Revenue != rev || c.Days != 3 ||
		c.RepeatValue != day2 || c.RepeatPaid != 1 || c.First != at(1, 9).UnixMilli() || c.Last != at(3, 3).UnixMilli() {
		t.Errorf("C1 in Shanghai: %+v", c)
	}
}
