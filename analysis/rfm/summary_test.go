package rfm_test

import (
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/rfm"
	"github.com/kexi/kexi/internal/refdata"
)

// TestValuesOfOnlineRetail: the RFM values from kexi.Summarize's per-customer rows are, to the
// last bit, those Values counts from the orders, on Online Retail, for the whole file and for
// a period with an earlier as-of date.
func TestValuesOfOnlineRetail(t *testing.T) {
	d := refdata.OnlineRetail(t, refdata.RetailClean{KeepZeroPrice: true})
	last := d.LastOrderAt()
	for _, in := range []analysis.Input{
		{AsOf: analysis.EndOfDay(last, time.UTC)},
		{AsOf: analysis.EndOfDay(last.AddDate(0, -3, 0), time.UTC), From: time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC),
			To: time.Date(2011, 10, 31, 0, 0, 0, 0, time.UTC)},
	} {
		want := rfm.Values(&d.Orders, in.AsOf, in.Until(time.Time{}))
		got := rfm.ValuesOf(kexi.Summarize(&d.Orders, in.Window(in.AsOf)), in.AsOf)
		if len(got) != len(want) || len(got) < 2000 {
			t.Fatalf("as of %v: %d rows from the summary, %d from the orders", in.AsOf, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.CustomerID != w.CustomerID || g.Recency != w.Recency || g.Frequency != w.Frequency ||
				g.Monetary != w.Monetary || !g.Last.Equal(w.Last) {
				t.Fatalf("as of %v: customer %d: %+v from the summary, %+v from the orders", in.AsOf, w.CustomerID, g, w)
			}
		}
	}
}
