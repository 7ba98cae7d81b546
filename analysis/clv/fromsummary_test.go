package clv

import (
	"reflect"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/internal/refdata"
)

// TestFromSummaryOnlineRetail: the model summary made from kexi.Summarize's per-customer rows
// (what a store can compute where the orders are) is, to the last bit, the one Summarize makes
// from the purchases, on Online Retail with its $0 orders, in UTC and in Shanghai, for the
// whole file and for a period cut short of the last order.
func TestFromSummaryOnlineRetail(t *testing.T) {
	d := refdata.OnlineRetail(t, refdata.RetailClean{KeepZeroPrice: true})
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	last := d.LastOrderAt()
	for _, loc := range []*time.Location{time.UTC, sh} {
		for _, until := range []time.Time{last, last.AddDate(0, -4, 0)} {
			until = analysis.EndOfDay(until, loc)
			from := time.Date(2011, 2, 1, 0, 0, 0, 0, loc)
			w := kexi.Window{From: from, Until: until, Loc: loc}
			var ps []Purchase
			o := &d.Orders
			for i := range o.Len() {
				if at := o.Time(i); o.IsPurchase(i) && !at.Before(from) {
					ps = append(ps, Purchase{Customer: o.CustomerID[i], Day: Day(at.In(loc)), Amount: o.Amount[i]})
				}
			}
			end := Day(until.In(loc))
			want, err := Summarize(ps, SummaryOptions{Unit: Weeks, End: end})
			if err != nil {
				t.Fatal(err)
			}
			got, err := FromSummary(kexi.Summarize(o, w), Weeks, end)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Customers) < 2000 || !reflect.DeepEqual(got, want) {
				t.Errorf("%v until %v: %d customers from the summary, %d from the purchases, or not the same",
					loc, until, len(got.Customers), len(want.Customers))
			}
		}
	}
}
