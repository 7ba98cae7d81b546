package pyramid_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/pyramid"
	"github.com/kexi/kexi/internal/refdata"
)

// TestTiersOfOnlineRetail: the tiers from kexi.Summarize's per-customer rows are, spends to the
// last bit, those Tiers ranks from the orders, on Online Retail, for the whole file and a
// period.
func TestTiersOfOnlineRetail(t *testing.T) {
	d := refdata.OnlineRetail(t, refdata.RetailClean{KeepZeroPrice: true})
	last := d.LastOrderAt()
	for _, in := range []analysis.Input{
		{AsOf: analysis.EndOfDay(last, time.UTC)},
		{AsOf: analysis.EndOfDay(last.AddDate(0, -3, 0), time.UTC), From: time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC)},
	} {
		want := pyramid.Tiers(&d.Orders, in.Until(in.AsOf))
		got := pyramid.TiersOf(kexi.Summarize(&d.Orders, in.Window(in.AsOf)))
		if len(got) < 2000 || !reflect.DeepEqual(got, want) {
			t.Errorf("as of %v: %d rows from the summary, %d from the orders, or not the same", in.AsOf, len(got), len(want))
		}
	}
}
