package sqlite_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/refdata"
)

// TestOnlineRetailRoundTrip imports the SPEC-cleaned Online Retail data (397,884 lines,
// 4,338 customers, 18,532 invoices) and loads it back: the counts and the top customer's
// spend (14646: £280,206.02, SPEC §2) must survive the store.
func TestOnlineRetailRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 400k lines")
	}
	b := refdata.OnlineRetailBatch(t, refdata.RetailClean{})
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "kexi.db"))
	st, err := db.Import(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if st.Inserted[kexi.KindOrders] != 18532 || st.Inserted[kexi.KindCustomers] != 4338 || st.Stubs != 0 {
		t.Fatalf("import stats %+v", st)
	}
	d, err := db.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	if err != nil {
		t.Fatal(err)
	}
	ext := map[int64]string{}
	for _, c := range d.Customers {
		ext[c.ID] = c.ExternalID
	}
	lines := 0
	spend := map[string]float64{}
	for _, o := range d.Orders.All() {
		lines += len(o.Items)
		for _, it := range o.Items {
			spend[ext[o.CustomerID]] += it.Quantity * it.UnitPrice
		}
	}
	if len(d.Customers) != 4338 || d.Orders.Len() != 18532 || lines != 397884 {
		t.Fatalf("loaded %d customers, %d orders, %d lines; want 4338, 18532, 397884", len(d.Customers), d.Orders.Len(), lines)
	}
	if got := spend["14646"]; math.Abs(got-280206.02) > 0.005 {
		t.Fatalf("customer 14646 spend %.2f, want 280206.02", got)
	}
	// Re-importing the same data changes nothing.
	st, err = db.Import(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unchanged[kexi.KindOrders] != 18532 || st.Updated[kexi.KindOrders] != 0 {
		t.Fatalf("re-import stats %+v", st)
	}
}
