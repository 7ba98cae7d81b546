package refdata

import "testing"

// TestOnlineRetailCounts checks the SPEC §2 cleaning: 397,884 lines, 4,338 customers, 18,532
// invoices, and customer 14646's £280,206.02.
func TestOnlineRetailCounts(t *testing.T) {
	d := OnlineRetail(t, RetailClean{})
	lines := 0
	var top float64
	o := &d.Orders
	for i := range o.Len() {
		lo, hi := o.LineRange(i)
		lines += hi - lo
		if o.CustomerID[i] == 14646 {
			top += o.Amount[i]
		}
	}
	if len(d.Customers) != 4338 || o.Len() != 18532 || lines != 397884 {
		t.Fatalf("customers %d orders %d lines %d, want 4338 18532 397884", len(d.Customers), o.Len(), lines)
	}
	if top < 280206.015 || top > 280206.025 {
		t.Fatalf("customer 14646 spends %.4f, want 280206.02", top)
	}
}
